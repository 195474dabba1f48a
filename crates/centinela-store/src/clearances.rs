//! Remembered clearances (migration 0017): a supervisor's "this traveller is
//! not this listed person", bound to the traveller's document (number and
//! issuing state) and to the list entry as it stood (the list version the
//! hit was screened against and the entry's content hash,
//! [`centinela_domain::AlertEntry::content_hash`]).
//!
//! A clearance is in force until it expires, until it is revoked (a row of
//! `clearance_revocations`), or — checked by whoever applies it — until the
//! entry's content hash changes. Both tables are append-only; making and
//! revoking are audited in the transaction that writes them
//! (`clearance_made`, `clearance_revoked`; subject `clearance:UID`; detail
//! ids and dates, never the document number). Both are queued for the
//! centre like every record made here (kinds `clearance` and
//! `clearance_revocation`) and reach every other post by pull
//! ([`Store::clearances_since`], [`Store::apply_clearances`]).

use centinela_domain::{AlertEntry, Role, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Actor, Store, StoreError, now_rfc3339, on_pool};

/// The longest reason a clearance or a revocation may give.
pub const MAX_CLEARANCE_REASON: usize = 2000;
/// The longest a clearance may last, in days.
pub const MAX_CLEARANCE_DAYS: u32 = 3650;
/// The most documents one clearance covers besides the one it was made on
/// (migration 0027): a renewed passport or two, never a crowd.
pub const MAX_CLEARANCE_DOCUMENTS: usize = 3;
/// The longest evidence an extension may carry.
const MAX_EVIDENCE: usize = 500;

/// A clearance, with its revocation if any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clearance {
    pub uid: String,
    pub document_number: String,
    /// ICAO code of the issuing state ('' when the document gave none).
    pub issuing_state: String,
    pub list_name: String,
    pub entry_id: String,
    /// The list version the cleared hit was screened against.
    pub list_version: i64,
    /// The entry's content hash then: the clearance lapses when it changes.
    pub entry_hash: String,
    pub reason: String,
    /// Who cleared (user name where it was made).
    pub cleared_by: String,
    pub cleared_role: Role,
    /// The border post whose hit was cleared.
    pub post: String,
    pub cleared_at: String,
    pub expires_at: String,
    /// Where it was made: '' here, else a post's code or `central`.
    pub origin: String,
    pub revocation: Option<Revocation>,
    /// The other documents of the same person it covers (oldest first),
    /// added as intelligence linked them.
    #[serde(default)]
    pub documents: Vec<ClearanceDocument>,
}

/// A document a clearance was extended to: another document of the cleared
/// traveller, as intelligence's identity resolution linked it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearanceDocument {
    pub uid: String,
    pub document_number: String,
    pub issuing_state: String,
    /// The resolved person (`R0000001`) of the analysis that linked it.
    pub person: String,
    /// Why: codes and counts (never a name or a number).
    pub evidence: String,
    pub added_by: String,
    pub added_at: String,
    /// '' where it was added, `central` at a post that pulled it.
    pub origin: String,
}

/// Why and by whom a clearance was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub uid: String,
    pub reason: String,
    pub revoked_by: String,
    pub revoked_role: Role,
    pub at: String,
    pub origin: String,
}

impl Clearance {
    /// In force at `now` for an entry whose content hashes to `entry_hash`:
    /// not revoked, not expired, the entry unchanged.
    pub fn in_force(&self, now: Timestamp, entry_hash: &str) -> bool {
        self.revocation.is_none() && self.entry_hash == entry_hash && !self.expired(now)
    }

    /// Which of its documents `number`/`state` is: `Some(None)` the one it
    /// was made on, `Some(Some(extension))` one it was extended to, `None`
    /// neither.
    pub fn covers(&self, number: &str, state: &str) -> Option<Option<&ClearanceDocument>> {
        if number.is_empty() {
            return None;
        }
        if self.document_number == number && self.issuing_state == state {
            return Some(None);
        }
        self.documents.iter().find(|d| d.document_number == number && d.issuing_state == state).map(Some)
    }

    /// Past its expiry at `now` (an unreadable expiry counts as past).
    pub fn expired(&self, now: Timestamp) -> bool {
        match Timestamp::parse(&self.expires_at) {
            Ok(e) => e.unix_seconds() <= now.unix_seconds(),
            Err(_) => true,
        }
    }
}

/// A traveller and a list entry: what a clearance is looked up by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClearancePair {
    pub document_number: String,
    pub issuing_state: String,
    pub list_name: String,
    pub entry_id: String,
}

/// A document to extend a clearance to ([`Store::extend_clearance`]).
#[derive(Debug, Clone)]
pub struct NewClearanceDocument<'a> {
    /// The extension's id (made by the caller, unique everywhere).
    pub uid: &'a str,
    pub clearance_uid: &'a str,
    pub document_number: &'a str,
    pub issuing_state: &'a str,
    pub person: &'a str,
    pub evidence: &'a str,
}

/// Which clearances to list.
#[derive(Debug, Clone, Default)]
pub struct ClearanceFilter {
    /// Only those made for this post's hits.
    pub post: Option<String>,
    /// Also revoked and expired ones (as of `now`).
    pub all: bool,
    /// At most this many, newest first.
    pub limit: u32,
}

const COLS: &str = "c.uid, c.document_number, c.issuing_state, c.list_name, c.entry_id, c.list_version, \
    c.entry_hash, c.reason, c.cleared_by, c.cleared_role, c.post, c.cleared_at, c.expires_at, c.origin, \
    r.uid AS r_uid, r.reason AS r_reason, r.revoked_by, r.revoked_role, r.at AS r_at, r.origin AS r_origin";
const FROM: &str = "clearances c LEFT JOIN clearance_revocations r ON r.clearance_uid = c.uid";

fn role(s: &str) -> Result<Role, StoreError> {
    Role::parse(s).map_err(|e| StoreError::Corrupt(format!("clearances role: {e}")))
}

fn clearance_from<R: Row>(row: &R) -> Result<Clearance, StoreError>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let t = |c: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(c)?) };
    let r_uid: Option<String> = row.try_get("r_uid")?;
    let revocation = match r_uid {
        Some(uid) => Some(Revocation {
            uid,
            reason: t("r_reason")?,
            revoked_by: t("revoked_by")?,
            revoked_role: role(&t("revoked_role")?)?,
            at: t("r_at")?,
            origin: t("r_origin")?,
        }),
        None => None,
    };
    Ok(Clearance {
        uid: t("uid")?,
        document_number: t("document_number")?,
        issuing_state: t("issuing_state")?,
        list_name: t("list_name")?,
        entry_id: t("entry_id")?,
        list_version: row.try_get("list_version")?,
        entry_hash: t("entry_hash")?,
        reason: t("reason")?,
        cleared_by: t("cleared_by")?,
        cleared_role: role(&t("cleared_role")?)?,
        post: t("post")?,
        cleared_at: t("cleared_at")?,
        expires_at: t("expires_at")?,
        origin: t("origin")?,
        revocation,
        documents: Vec::new(),
    })
}

const DOC_COLS: &str =
    "uid, clearance_uid, document_number, issuing_state, person, evidence, added_by, added_at, origin";

fn document_from<R: Row>(row: &R) -> Result<(String, ClearanceDocument), StoreError>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let t = |c: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(c)?) };
    Ok((
        t("clearance_uid")?,
        ClearanceDocument {
            uid: t("uid")?,
            document_number: t("document_number")?,
            issuing_state: t("issuing_state")?,
            person: t("person")?,
            evidence: t("evidence")?,
            added_by: t("added_by")?,
            added_at: t("added_at")?,
            origin: t("origin")?,
        },
    ))
}

/// The checks an extension's fields pass wherever it is written (here, or
/// pulled from the centre).
pub(crate) fn check_document_fields(
    document_number: &str,
    issuing_state: &str,
    person: &str,
    evidence: &str,
) -> Result<(), String> {
    for (what, s) in [("document_number", document_number), ("issuing_state", issuing_state), ("person", person)] {
        centinela_domain::check_line(s, 64).map_err(|e| format!("{what}: {e}"))?;
    }
    if document_number.trim().is_empty() {
        return Err("document_number: an extension names a document".into());
    }
    centinela_domain::check_line(evidence, MAX_EVIDENCE).map_err(|e| format!("evidence: {e}"))
}

fn check_reason(reason: &str) -> Result<&str, StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid("reason: a clearance and its revocation need a reason".into()));
    }
    if reason.chars().count() > MAX_CLEARANCE_REASON {
        return Err(StoreError::Invalid(format!("reason: at most {MAX_CLEARANCE_REASON} characters")));
    }
    centinela_domain::check_block(reason, MAX_CLEARANCE_REASON * 4)
        .map_err(|e| StoreError::Invalid(format!("reason: {e}")))?;
    Ok(reason)
}

/// The RFC 3339 instant `days` after `now`.
fn after_days(now: Timestamp, days: u32) -> Result<String, StoreError> {
    let secs = now.unix_seconds() + i64::from(days) * 86_400;
    Timestamp::from_unix_seconds(secs).map(|t| t.to_string()).map_err(|e| StoreError::Invalid(format!("days: {e}")))
}

impl Store {
    /// Clears the pair of hit `hit_id`: its traveller's document against its
    /// list entry as it stood in the version screened, for `days` days from
    /// `now`, with `uid` (made by the caller, unique everywhere). The hit
    /// must be a person hit whose adjudication in force is `dismissed`, of a
    /// traveller with a document; the entry must still be stored at that
    /// version. One clearance in force per pair and entry content
    /// ([`StoreError::Conflict`] otherwise). Audited in the same transaction.
    pub async fn clear_hit(
        &self,
        actor: Actor<'_>,
        uid: &str,
        hit_id: i64,
        reason: &str,
        days: u32,
        now: Timestamp,
    ) -> Result<Clearance, StoreError> {
        let reason = check_reason(reason)?;
        if days == 0 || days > MAX_CLEARANCE_DAYS {
            return Err(StoreError::Invalid(format!("days: from 1 to {MAX_CLEARANCE_DAYS}")));
        }
        let cleared_at = now.to_string();
        let expires_at = after_days(now, days)?;
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let hit = sqlx::query(
                "SELECT h.kind, h.list_name, h.entry_id, h.list_version, c.document_number, c.issuing_state, c.post \
                 FROM hits h JOIN crossings c ON c.crossing_id = h.crossing_id WHERE h.id = $1",
            )
            .bind(hit_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(hit) = hit else {
                return Err(StoreError::NotFound(format!("hit {hit_id}")));
            };
            let kind: String = hit.try_get("kind")?;
            if kind != "person" {
                return Err(StoreError::Conflict(
                    "only a name-screening hit can be cleared (a reported document stays reported)".into(),
                ));
            }
            let list_name: String = hit.try_get("list_name")?;
            let entry_id: String = hit.try_get("entry_id")?;
            let list_version: Option<i64> = hit.try_get("list_version")?;
            let document_number: Option<String> = hit.try_get("document_number")?;
            let document_number = document_number.unwrap_or_default();
            let issuing_state: Option<String> = hit.try_get("issuing_state")?;
            let issuing_state = issuing_state.unwrap_or_default();
            let post: String = hit.try_get("post")?;
            if document_number.is_empty() {
                return Err(StoreError::Conflict(
                    "the traveller presented no document: a clearance is bound to one".into(),
                ));
            }
            let verdict: Option<String> = sqlx::query_scalar(
                "SELECT decision FROM adjudications WHERE hit_id = $1 ORDER BY at DESC, origin DESC, id DESC LIMIT 1",
            )
            .bind(hit_id)
            .fetch_optional(&mut *tx)
            .await?;
            if verdict.as_deref() != Some("dismissed") {
                return Err(StoreError::Conflict("only a hit dismissed as not this person can be cleared".into()));
            }
            let Some(list_version) = list_version else {
                return Err(StoreError::Conflict("the hit names no list version to clear against".into()));
            };
            let data: Option<String> = sqlx::query_scalar(
                "SELECT e.data FROM list_entries e JOIN list_versions v ON v.id = e.version_id \
                 JOIN alert_lists l ON l.id = v.list_id \
                 WHERE l.name = $1 AND v.version = $2 AND e.entry_id = $3",
            )
            .bind(&list_name)
            .bind(list_version)
            .bind(&entry_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(data) = data else {
                return Err(StoreError::Conflict(format!(
                    "list version {list_version} is no longer stored: clear a hit on the current version"
                )));
            };
            let entry: AlertEntry =
                serde_json::from_str(&data).map_err(|e| StoreError::Corrupt(format!("list_entries.data: {e}")))?;
            let entry_hash = entry.content_hash();
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLS} FROM {FROM} WHERE c.document_number = $1 AND c.issuing_state = $2 \
                 AND c.list_name = $3 AND c.entry_id = $4 AND r.uid IS NULL"
            )))
            .bind(&document_number)
            .bind(&issuing_state)
            .bind(&list_name)
            .bind(&entry_id)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                if clearance_from(row)?.in_force(now, &entry_hash) {
                    return Err(StoreError::Conflict("this traveller is already cleared against this entry".into()));
                }
            }
            sqlx::query(
                "INSERT INTO clearances (uid, document_number, issuing_state, list_name, entry_id, list_version, \
                 entry_hash, reason, cleared_by, cleared_role, post, cleared_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(uid)
            .bind(&document_number)
            .bind(&issuing_state)
            .bind(&list_name)
            .bind(&entry_id)
            .bind(list_version)
            .bind(&entry_hash)
            .bind(reason)
            .bind(actor.username)
            .bind(actor.role.as_str())
            .bind(&post)
            .bind(&cleared_at)
            .bind(&expires_at)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({
                "hit": hit_id, "list": list_name, "list_version": list_version, "post": post,
                "expires_at": expires_at,
            })
            .to_string();
            append_in_tx!(tx, self, actor.username, "clearance_made", format!("clearance:{uid}"), &detail).await?;
            tx.commit().await?;
            Ok(Clearance {
                uid: uid.to_string(),
                document_number,
                issuing_state,
                list_name,
                entry_id,
                list_version,
                entry_hash,
                reason: reason.to_string(),
                cleared_by: actor.username.to_string(),
                cleared_role: actor.role,
                post,
                cleared_at,
                expires_at,
                origin: String::new(),
                revocation: None,
                documents: Vec::new(),
            })
        })
    }

    /// Revokes clearance `uid` (a new row, `revocation_uid`), audited.
    /// [`StoreError::NotFound`] when there is none, [`StoreError::Conflict`]
    /// when it is already revoked.
    pub async fn revoke_clearance(
        &self,
        actor: Actor<'_>,
        uid: &str,
        revocation_uid: &str,
        reason: &str,
    ) -> Result<Clearance, StoreError> {
        let reason = check_reason(reason)?;
        let now = now_rfc3339();
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM {FROM} WHERE c.uid = $1")))
                .bind(uid)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(StoreError::NotFound(format!("clearance {}", uid.chars().take(40).collect::<String>())));
            };
            let mut c = clearance_from(&row)?;
            if c.revocation.is_some() {
                return Err(StoreError::Conflict("this clearance is already revoked".into()));
            }
            sqlx::query(
                "INSERT INTO clearance_revocations (uid, clearance_uid, reason, revoked_by, revoked_role, at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(revocation_uid)
            .bind(uid)
            .bind(reason)
            .bind(actor.username)
            .bind(actor.role.as_str())
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "list": c.list_name, "post": c.post }).to_string();
            append_in_tx!(tx, self, actor.username, "clearance_revoked", format!("clearance:{uid}"), &detail).await?;
            tx.commit().await?;
            c.revocation = Some(Revocation {
                uid: revocation_uid.to_string(),
                reason: reason.to_string(),
                revoked_by: actor.username.to_string(),
                revoked_role: actor.role,
                at: now,
                origin: String::new(),
            });
            Ok(c)
        })
    }

    /// Extends clearance `d.clearance_uid` to another document of the same
    /// person (intelligence linked them; the caller decides that), audited
    /// as `actor` (`clearance_extended`, detail ids and the evidence's
    /// codes, never the number). [`StoreError::NotFound`] without the
    /// clearance; [`StoreError::Conflict`] when it is revoked or expired at
    /// `now`, when it already covers the document, or when it covers
    /// [`MAX_CLEARANCE_DOCUMENTS`] others already.
    pub async fn extend_clearance(
        &self,
        actor: &str,
        d: &NewClearanceDocument<'_>,
        now: Timestamp,
    ) -> Result<ClearanceDocument, StoreError> {
        check_document_fields(d.document_number, d.issuing_state, d.person, d.evidence).map_err(StoreError::Invalid)?;
        let added_at = now.to_string();
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM {FROM} WHERE c.uid = $1")))
                .bind(d.clearance_uid)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(StoreError::NotFound("no such clearance".into()));
            };
            let c = clearance_from(&row)?;
            if c.revocation.is_some() || c.expired(now) {
                return Err(StoreError::Conflict("the clearance is no longer in force".into()));
            }
            let held = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {DOC_COLS} FROM clearance_documents WHERE clearance_uid = $1"
            )))
            .bind(d.clearance_uid)
            .fetch_all(&mut *tx)
            .await?;
            let mut c = c;
            for row in &held {
                c.documents.push(document_from(row)?.1);
            }
            if c.covers(d.document_number, d.issuing_state).is_some() {
                return Err(StoreError::Conflict("the clearance already covers this document".into()));
            }
            if c.documents.len() >= MAX_CLEARANCE_DOCUMENTS {
                return Err(StoreError::Conflict(format!(
                    "a clearance covers at most {MAX_CLEARANCE_DOCUMENTS} documents besides its own"
                )));
            }
            let inserted = sqlx::query(
                "INSERT INTO clearance_documents (uid, clearance_uid, document_number, issuing_state, person, \
                 evidence, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING",
            )
            .bind(d.uid)
            .bind(d.clearance_uid)
            .bind(d.document_number)
            .bind(d.issuing_state)
            .bind(d.person)
            .bind(d.evidence)
            .bind(actor)
            .bind(&added_at)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                // Another pass added it in the meantime.
                return Err(StoreError::Conflict("the clearance already covers this document".into()));
            }
            let detail = serde_json::json!({
                "extension": d.uid, "person": d.person, "evidence": d.evidence, "list": c.list_name,
                "documents": c.documents.len() + 2,
            })
            .to_string();
            append_in_tx!(tx, self, actor, "clearance_extended", format!("clearance:{}", d.clearance_uid), &detail)
                .await?;
            tx.commit().await?;
            Ok(ClearanceDocument {
                uid: d.uid.to_string(),
                document_number: d.document_number.to_string(),
                issuing_state: d.issuing_state.to_string(),
                person: d.person.to_string(),
                evidence: d.evidence.to_string(),
                added_by: actor.to_string(),
                added_at,
                origin: String::new(),
            })
        })
    }

    /// The covered documents of these clearances, filled in (oldest first).
    async fn with_documents(&self, mut found: Vec<Clearance>) -> Result<Vec<Clearance>, StoreError> {
        for chunk in found.chunks_mut(200) {
            let params = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(",");
            let sql =
                format!("SELECT {DOC_COLS} FROM clearance_documents WHERE clearance_uid IN ({params}) ORDER BY id");
            let rows = on_pool!(self, p => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for c in chunk.iter() {
                    q = q.bind(c.uid.clone());
                }
                let rows = q.fetch_all(p).await?;
                rows.iter().map(document_from).collect::<Result<Vec<_>, StoreError>>()?
            });
            for (uid, d) in rows {
                if let Some(c) = chunk.iter_mut().find(|c| c.uid == uid) {
                    c.documents.push(d);
                }
            }
        }
        Ok(found)
    }

    /// One clearance by uid, with the documents it covers.
    pub async fn clearance(&self, uid: &str) -> Result<Option<Clearance>, StoreError> {
        let found = on_pool!(self, p => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM {FROM} WHERE c.uid = $1")))
                .bind(uid)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(clearance_from).transpose()?
        });
        Ok(self.with_documents(found.into_iter().collect()).await?.pop())
    }

    /// Clearances, newest first: those not revoked nor expired at `now`
    /// unless `filter.all`.
    pub async fn clearances(&self, filter: &ClearanceFilter, now: Timestamp) -> Result<Vec<Clearance>, StoreError> {
        let limit = i64::from(filter.limit.clamp(1, 10_000));
        let post = filter.post.clone().unwrap_or_default();
        let live = if filter.all { "" } else { "AND r.uid IS NULL AND c.expires_at > $3" };
        let sql =
            format!("SELECT {COLS} FROM {FROM} WHERE ($1 = '' OR c.post = $1) {live} ORDER BY c.id DESC LIMIT $2");
        let now_s = now.to_string();
        let found = on_pool!(self, p => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&post).bind(limit);
            if !filter.all {
                q = q.bind(&now_s);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(clearance_from).collect::<Result<Vec<_>, StoreError>>()?
        });
        self.with_documents(found).await
    }

    /// The clearances not revoked of these pairs (whatever their expiry and
    /// entry hash: [`Clearance::in_force`] decides), made on the pair's
    /// document or extended to it, with the documents they cover.
    pub async fn clearances_of(&self, pairs: &[ClearancePair]) -> Result<Vec<Clearance>, StoreError> {
        let mut out: Vec<Clearance> = Vec::new();
        for pair in pairs.iter().take(100) {
            let sql = format!(
                "SELECT {COLS} FROM {FROM} WHERE ((c.document_number = $1 AND c.issuing_state = $2) \
                 OR c.uid IN (SELECT d.clearance_uid FROM clearance_documents d \
                 WHERE d.document_number = $1 AND d.issuing_state = $2)) \
                 AND c.list_name = $3 AND c.entry_id = $4 AND r.uid IS NULL"
            );
            on_pool!(self, p => {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(&pair.document_number)
                    .bind(&pair.issuing_state)
                    .bind(&pair.list_name)
                    .bind(&pair.entry_id)
                    .fetch_all(p)
                    .await?;
                for row in &rows {
                    let c = clearance_from(row)?;
                    if !out.iter().any(|o| o.uid == c.uid) {
                        out.push(c);
                    }
                }
            });
        }
        self.with_documents(out).await
    }

    /// The clearances in force at `now` (not revoked, not expired), with
    /// the documents they cover, oldest first, at most `limit`: what the
    /// centre extends when intelligence links a new document.
    pub async fn clearances_in_force(&self, now: Timestamp, limit: u32) -> Result<Vec<Clearance>, StoreError> {
        let sql = format!("SELECT {COLS} FROM {FROM} WHERE r.uid IS NULL AND c.expires_at > $1 ORDER BY c.id LIMIT $2");
        let now_s = now.to_string();
        let found = on_pool!(self, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&now_s).bind(i64::from(limit)).fetch_all(p).await?;
            rows.iter().map(clearance_from).collect::<Result<Vec<_>, StoreError>>()?
        });
        self.with_documents(found).await
    }
}
