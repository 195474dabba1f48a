//! The append-only audit log: every entry chained to the one before by
//! SHA-256 (`centinela_domain::audit`). Appends are serialised on both
//! backends (SQLite `BEGIN IMMEDIATE`, PostgreSQL `LOCK TABLE … IN EXCLUSIVE
//! MODE`) and triggers refuse UPDATE and DELETE; `audit_verify` recomputes
//! the whole chain.

use centinela_domain::audit::{AuditRecord, BreakReason, BrokenLink, ChainVerifier, GENESIS};
use futures_util::TryStreamExt;
use sqlx::Row;

use crate::{Backend, Store, StoreError, on_pool};

/// The statement that opens a transaction which writes the audit log: on
/// SQLite it takes the write lock at once, so reading the chain's head and
/// appending cannot interleave with another writer.
pub(crate) fn begin_write(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "BEGIN IMMEDIATE",
        Backend::Postgres => "BEGIN",
    }
}

/// An entry to append: who did what to which record. `subject` is an id and
/// `detail` JSON text — never personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
}

/// Appends entries, in order, inside the open transaction `$tx` (a
/// `sqlx::Transaction` begun with [`begin_write`]): locks the log on
/// PostgreSQL, reads the head once, seals and inserts each entry after the
/// one before. Evaluates to `Result<Vec<AuditRecord>, StoreError>`.
macro_rules! append_many_in_tx {
    ($tx:expr, $backend:expr, $entries:expr) => {
        async {
            let entries: &[$crate::audit::AuditEntry] = $entries;
            if $backend == $crate::Backend::Postgres {
                sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE").execute(&mut *$tx).await?;
            }
            let head: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *$tx)
                    .await?;
            let out = $crate::audit::seal_after(head, entries, &$crate::now_rfc3339())?;
            // One statement per chunk of entries (see `multirow`).
            for range in $crate::multirow::chunks(out.len(), $crate::audit::AUDIT_CHUNK) {
                let sql = $crate::audit::insert_sql($backend, range.len());
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for r in &out[range] {
                    q = q
                        .bind(r.seq)
                        .bind(&r.at)
                        .bind(&r.actor)
                        .bind(&r.action)
                        .bind(&r.subject)
                        .bind(&r.detail)
                        .bind(&r.prev_hash[..])
                        .bind(&r.hash[..]);
                }
                q.execute(&mut *$tx).await?;
            }
            Ok::<_, $crate::StoreError>(out)
        }
    };
}
pub(crate) use append_many_in_tx;

/// Appends one entry inside the open transaction `$tx` (see
/// [`append_many_in_tx`]). Evaluates to `Result<AuditRecord, StoreError>`.
macro_rules! append_in_tx {
    ($tx:expr, $backend:expr, $actor:expr, $action:expr, $subject:expr, $detail:expr) => {
        async {
            let one = [$crate::audit::AuditEntry {
                actor: ($actor).to_string(),
                action: ($action).to_string(),
                subject: ($subject).to_string(),
                detail: ($detail).to_string(),
            }];
            let mut v = $crate::audit::append_many_in_tx!($tx, $backend, &one).await?;
            Ok::<_, $crate::StoreError>(v.remove(0))
        }
    };
}
pub(crate) use append_in_tx;

/// Seals `entries`, in order, after the chain's head (`seq`, `hash` of its
/// last entry; `None` for an empty log), all at time `now`. Refuses an entry
/// that breaks the log's rules ([`check_entry`]) and a head whose hash is
/// not 32 bytes.
pub(crate) fn seal_after(
    head: Option<(i64, Vec<u8>)>,
    entries: &[AuditEntry],
    now: &str,
) -> Result<Vec<AuditRecord>, StoreError> {
    for e in entries {
        check_entry(&e.actor, &e.action, &e.detail)?;
    }
    let (mut seq, mut prev) = match head {
        None => (1, GENESIS),
        Some((seq, hash)) => {
            let prev: [u8; 32] = hash
                .as_slice()
                .try_into()
                .map_err(|_| StoreError::Corrupt(format!("audit entry {seq}: hash is not 32 bytes")))?;
            (seq + 1, prev)
        }
    };
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let r = AuditRecord::seal(seq, now, &e.actor, &e.action, &e.subject, &e.detail, prev);
        seq += 1;
        prev = r.hash;
        out.push(r);
    }
    Ok(out)
}

/// Refuses entries that break the log's rules: an action code that is not
/// snake_case, an empty actor, a detail that is not JSON.
pub(crate) fn check_entry(actor: &str, action: &str, detail: &str) -> Result<(), StoreError> {
    if actor.is_empty() {
        return Err(StoreError::Conflict("an audit entry needs an actor (a username or \"system\")".into()));
    }
    if action.is_empty() || !action.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(StoreError::Conflict(format!("audit action '{action}' is not a snake_case code")));
    }
    if serde_json::from_str::<serde_json::Value>(detail).is_err() {
        return Err(StoreError::Conflict(format!("the detail of audit action '{action}' is not JSON")));
    }
    Ok(())
}

const COLUMNS: &str = "seq, at, actor, action, subject, detail, prev_hash, hash";

/// Audit entries per INSERT statement (8 parameters each).
pub(crate) const AUDIT_CHUNK: usize = 256;

/// `INSERT INTO audit_log (…) VALUES …` for `n` entries.
pub(crate) fn insert_sql(backend: Backend, n: usize) -> String {
    format!("INSERT INTO audit_log ({COLUMNS}) VALUES {}", crate::multirow::values(backend, n, 8))
}

/// A stored row as a record; hashes of the wrong length (only a tampered
/// database has them) become the break they are.
fn record<R>(row: &R) -> Result<Result<AuditRecord, BrokenLink>, StoreError>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    Vec<u8>: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let seq: i64 = row.try_get("seq")?;
    let text = |c: &str| -> Result<Option<String>, StoreError> { Ok(row.try_get::<String, _>(c).ok()) };
    let (Some(at), Some(actor), Some(action), Some(subject), Some(detail)) =
        (text("at")?, text("actor")?, text("action")?, text("subject")?, text("detail")?)
    else {
        return Ok(Err(BrokenLink { seq, reason: BreakReason::Hash }));
    };
    let prev_hash: Vec<u8> = row.try_get("prev_hash")?;
    let hash: Vec<u8> = row.try_get("hash")?;
    let Ok(prev_hash) = <[u8; 32]>::try_from(prev_hash.as_slice()) else {
        return Ok(Err(BrokenLink { seq, reason: BreakReason::Link }));
    };
    let Ok(hash) = <[u8; 32]>::try_from(hash.as_slice()) else {
        return Ok(Err(BrokenLink { seq, reason: BreakReason::Hash }));
    };
    Ok(Ok(AuditRecord { seq, at, actor, action, subject, detail, prev_hash, hash }))
}

impl Store {
    /// Appends an entry to the audit log in its own transaction and returns
    /// it. `subject` is an id and `detail` JSON text: never personal data.
    pub async fn audit_append(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<AuditRecord, StoreError> {
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let r = append_in_tx!(tx, backend, actor, action, subject, detail).await?;
            tx.commit().await?;
            Ok(r)
        })
    }

    /// Reads the whole log in sequence order, recomputing every hash and
    /// link: the number of entries when intact (`Ok(Ok(n))`), else the first
    /// broken entry. Streams; memory does not grow with the log.
    pub async fn audit_verify(&self) -> Result<Result<u64, BrokenLink>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"));
        on_pool!(self, p => {
            let mut rows = sqlx::query(sql).fetch(p);
            let mut v = ChainVerifier::new();
            while let Some(row) = rows.try_next().await? {
                let r = match record(&row)? {
                    Ok(r) => r,
                    Err(broken) => return Ok(Err(broken)),
                };
                if let Err(broken) = v.push(&r) {
                    return Ok(Err(broken));
                }
            }
            Ok(Ok(v.count()))
        })
    }

    /// The last `limit` entries (all with `None`), oldest first, as stored
    /// (not verified).
    pub async fn audit_entries(&self, limit: Option<u64>) -> Result<Vec<AuditRecord>, StoreError> {
        let limit = limit.map_or(i64::MAX, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM (SELECT {COLUMNS} FROM audit_log ORDER BY seq DESC LIMIT $1) AS last ORDER BY seq"
        ));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                match record(row)? {
                    Ok(r) => out.push(r),
                    Err(b) => {
                        return Err(StoreError::Corrupt(format!("audit entry {}: {}", b.seq, b.reason)));
                    }
                }
            }
            Ok(out)
        })
    }

    /// The hash of the last entry (the genesis hash for an empty log): kept
    /// elsewhere, it shows whether entries were later removed from the end.
    pub async fn audit_head(&self) -> Result<(i64, [u8; 32]), StoreError> {
        let head: Option<(i64, Vec<u8>)> = on_pool!(self, p => {
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetch_optional(p).await?
        });
        match head {
            None => Ok((0, GENESIS)),
            Some((seq, hash)) => {
                let hash = hash
                    .as_slice()
                    .try_into()
                    .map_err(|_| StoreError::Corrupt(format!("audit entry {seq}: hash is not 32 bytes")))?;
                Ok((seq, hash))
            }
        }
    }
}
