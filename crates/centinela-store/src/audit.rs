//! The append-only audit log: every entry chained to the one before
//! (`centinela_domain::audit`), sealed with a keyed MAC once the store has
//! an audit key ([`Store::with_audit_key`]; the key is never in the
//! database, only its public id in `audit_seal`, with the entry from which
//! the log is sealed). Appends are serialised on both backends (SQLite
//! `BEGIN IMMEDIATE`, PostgreSQL `LOCK TABLE … IN EXCLUSIVE MODE`) and
//! triggers refuse UPDATE and DELETE; `audit_verify` recomputes the whole
//! chain. A store without a key appends hashed entries only while the log
//! is not sealed: a sealed log refuses them ([`StoreError::AuditKeyMissing`]).

use std::sync::Arc;

use centinela_domain::audit::{Anchor, AuditKey, AuditRecord, BreakReason, BrokenLink, ChainVerifier, GENESIS};
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
    ($tx:expr, $store:expr, $entries:expr) => {
        async {
            let store: &$crate::Store = $store;
            let backend = store.backend();
            let entries: &[$crate::audit::AuditEntry] = $entries;
            if backend == $crate::Backend::Postgres {
                sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE").execute(&mut *$tx).await?;
            }
            let head: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *$tx)
                    .await?;
            if store.audit_key().is_none() {
                let sealed: Option<i64> =
                    sqlx::query_scalar("SELECT start_seq FROM audit_seal").fetch_optional(&mut *$tx).await?;
                if let Some(from) = sealed {
                    return Err($crate::StoreError::AuditKeyMissing(from));
                }
            }
            let out = $crate::audit::seal_after(head, entries, &$crate::now_rfc3339(), store.audit_key())?;
            // One statement per chunk of entries (see `multirow`).
            for range in $crate::multirow::chunks(out.len(), $crate::audit::AUDIT_CHUNK) {
                let sql = $crate::audit::insert_sql(backend, range.len());
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
    ($tx:expr, $store:expr, $actor:expr, $action:expr, $subject:expr, $detail:expr) => {
        async {
            let one = [$crate::audit::AuditEntry {
                actor: ($actor).to_string(),
                action: ($action).to_string(),
                subject: ($subject).to_string(),
                detail: ($detail).to_string(),
            }];
            let mut v = $crate::audit::append_many_in_tx!($tx, $store, &one).await?;
            Ok::<_, $crate::StoreError>(v.remove(0))
        }
    };
}
pub(crate) use append_in_tx;

/// Seals `entries`, in order, after the chain's head (`seq`, `hash` of its
/// last entry; `None` for an empty log), all at time `now`: with the MAC of
/// `key` when there is one, else hashed. Refuses an entry that breaks the
/// log's rules ([`check_entry`]) and a head whose hash is not 32 bytes.
pub(crate) fn seal_after(
    head: Option<(i64, Vec<u8>)>,
    entries: &[AuditEntry],
    now: &str,
    key: Option<&AuditKey>,
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
        let r = match key {
            Some(k) => AuditRecord::seal_keyed(seq, now, &e.actor, &e.action, &e.subject, &e.detail, prev, k),
            None => AuditRecord::seal(seq, now, &e.actor, &e.action, &e.subject, &e.detail, prev),
        };
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
        return Err(StoreError::Internal("an audit entry needs an actor (a username or \"system\")".into()));
    }
    if action.is_empty() || !action.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return Err(StoreError::Internal(format!("audit action '{action}' is not a snake_case code")));
    }
    if serde_json::from_str::<serde_json::Value>(detail).is_err() {
        return Err(StoreError::Internal(format!("the detail of audit action '{action}' is not JSON")));
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

/// Where the log's seal begins, and with which key (its public id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSeal {
    /// The first sealed entry's sequence number.
    pub start_seq: i64,
    /// [`AuditKey::id`] of the sealing key.
    pub key_id: [u8; 32],
    /// When sealing began.
    pub at: String,
}

/// An intact chain: how many entries, from where it is sealed, and how many
/// sealed entries could not be checked for want of the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub entries: u64,
    pub sealed_from: Option<i64>,
    pub unchecked: u64,
}

impl Store {
    /// The key this store seals audit entries with, if any.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_deref()
    }

    /// This store, sealing every audit entry it appends with `key` from now
    /// on. When the log is not sealed yet, sealing begins: for an empty log
    /// at entry 1; otherwise with an `audit_sealed` entry, the first sealed
    /// one, whose MAC covers the hashed entries before it. A log sealed with
    /// another key is refused ([`StoreError::WrongAuditKey`]).
    pub async fn with_audit_key(self, key: AuditKey) -> Result<Store, StoreError> {
        let store = Store { audit_key: Some(Arc::new(key)), ..self };
        let key = store.audit_key().cloned().ok_or_else(|| StoreError::Corrupt("no key".into()))?;
        let backend = store.backend();
        let now = crate::now_rfc3339();
        on_pool!(store, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            if backend == Backend::Postgres {
                sqlx::query("LOCK TABLE audit_log IN EXCLUSIVE MODE").execute(&mut *tx).await?;
            }
            let seal: Option<(i64, Vec<u8>)> =
                sqlx::query_as("SELECT start_seq, key_id FROM audit_seal").fetch_optional(&mut *tx).await?;
            match seal {
                Some((_, id)) if id.as_slice() != key.id() => return Err(StoreError::WrongAuditKey),
                Some(_) => return Ok(store),
                None => {}
            }
            let head: Option<i64> =
                sqlx::query_scalar("SELECT max(seq) FROM audit_log").fetch_one(&mut *tx).await?;
            let start = head.unwrap_or(0) + 1;
            sqlx::query("INSERT INTO audit_seal (id, start_seq, key_id, at) VALUES (1, $1, $2, $3)")
                .bind(start)
                .bind(&key.id()[..])
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            if let Some(hashed_until) = head {
                let detail = serde_json::json!({ "hashed_until": hashed_until }).to_string();
                append_in_tx!(tx, &store, "system", "audit_sealed", "audit", &detail).await?;
            }
            tx.commit().await?;
            Ok(store)
        })
    }

    /// Where the log's seal begins, if it is sealed.
    pub async fn audit_seal(&self) -> Result<Option<AuditSeal>, StoreError> {
        let row: Option<(i64, Vec<u8>, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT start_seq, key_id, at FROM audit_seal").fetch_optional(p).await?
        });
        row.map(|(start_seq, key_id, at)| {
            let key_id = <[u8; 32]>::try_from(key_id.as_slice())
                .map_err(|_| StoreError::Corrupt("audit_seal.key_id is not 32 bytes".into()))?;
            Ok(AuditSeal { start_seq, key_id, at })
        })
        .transpose()
    }

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
            let r = append_in_tx!(tx, self, actor, action, subject, detail).await?;
            tx.commit().await?;
            Ok(r)
        })
    }

    /// Reads the whole log in sequence order, recomputing every hash, seal
    /// and link: the number of entries when intact (`Ok(Ok(n))`), else the
    /// first broken entry. See [`Store::audit_verify_report`].
    pub async fn audit_verify(&self) -> Result<Result<u64, BrokenLink>, StoreError> {
        Ok(self.audit_verify_report().await?.map(|v| v.entries))
    }

    /// [`Store::audit_verify`] with what was checked. With this store's key,
    /// every sealed entry's MAC is checked, a log sealed with another key is
    /// [`BreakReason::WrongKey`], and a non-empty log must end sealed;
    /// without a key, sealed entries are checked for sequence and link only
    /// ([`Verified::unchecked`]). Streams; memory does not grow with the log.
    pub async fn audit_verify_report(&self) -> Result<Result<Verified, BrokenLink>, StoreError> {
        let seal = self.audit_seal().await?;
        if let (Some(seal), Some(key)) = (&seal, self.audit_key())
            && seal.key_id != key.id()
        {
            return Ok(Err(BrokenLink { seq: seal.start_seq, reason: BreakReason::WrongKey }));
        }
        let sealed_from = seal.map(|s| s.start_seq);
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM audit_log ORDER BY seq"));
        on_pool!(self, p => {
            let mut rows = sqlx::query(sql).fetch(p);
            let mut v = ChainVerifier::sealed(sealed_from, self.audit_key().cloned());
            while let Some(row) = rows.try_next().await? {
                let r = match record(&row)? {
                    Ok(r) => r,
                    Err(broken) => return Ok(Err(broken)),
                };
                if let Err(broken) = v.push(&r) {
                    return Ok(Err(broken));
                }
            }
            Ok(v.finish().map(|entries| Verified { entries, sealed_from, unchecked: v.unchecked() }))
        })
    }

    /// The stored hash of entry `seq`, if the log has it.
    pub async fn audit_hash_at(&self, seq: i64) -> Result<Option<[u8; 32]>, StoreError> {
        let h: Option<Vec<u8>> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1").bind(seq).fetch_optional(p).await?
        });
        h.map(|h| {
            <[u8; 32]>::try_from(h.as_slice())
                .map_err(|_| StoreError::Corrupt(format!("audit entry {seq}: hash is not 32 bytes")))
        })
        .transpose()
    }

    /// Checks an anchor kept elsewhere against the log: the log must reach
    /// the anchor's entry and hold the anchor's hash there (truncation and
    /// rewriting below a kept head are detected).
    pub async fn audit_check_anchor(
        &self,
        anchor: &Anchor,
    ) -> Result<Result<(), centinela_domain::audit::AnchorMismatch>, StoreError> {
        let (head, _) = self.audit_head().await?;
        let at = if anchor.seq > 0 { self.audit_hash_at(anchor.seq).await? } else { None };
        Ok(centinela_domain::audit::check_anchor(anchor, head, at))
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
