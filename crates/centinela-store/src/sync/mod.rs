//! Synchronisation between border posts (embedded SQLite, often offline) and
//! the centre (PostgreSQL).
//!
//! **At a post**, triggers (migration 0007) queue every record made there —
//! crossings, inspections, hits, adjudications, decisions, referrals, audit
//! entries — in `sync_outbox`, in the transaction that writes it, with an id
//! made at the post: `<instance>-<kind digit>-<ref as 16 hex digits>-<12
//! random hex digits>` (migration 0008; the instance is 128 random bits drawn
//! once per database, [`Store::sync_instance`]), so that ids of one kind
//! append to the uid index instead of landing on a random page, and a
//! database restored from a copy, which numbers records again, still makes
//! new ids; records queued before 0008 keep their 128-bit random ids. [`Store::outbox_pending`] reads the
//! queue past `sync_state.acked_seq` as self-contained [`OutboxItem`]s (users
//! by name, hits by uid); [`Store::sync_ack`] moves the mark, and only after
//! the centre's 2xx, so a post killed at any point pushes again what the
//! centre may or may not have applied.
//!
//! **At the centre**, [`Store::apply_push`] applies a batch in one
//! transaction, in order, skipping uids it already has (`sync_received`):
//! pushing twice changes nothing. Records keep their origin (the post's
//! code); users of a post become disabled centre users named
//! `username@POST` (no password works for them); a post's audit entries are
//! kept as the post sealed them (`sync_audit`), each link checked.
//!
//! **Lists** flow the other way: [`Store::list_deltas`] answers, for the
//! versions a post holds, the entries added and removed since (or the whole
//! version when the post's version is no longer stored), and
//! [`Store::apply_list_delta`] installs it at the post under the centre's
//! version number.
//!
//! The module's rooms: `wire` (the protocol's messages, serde only), `check`
//! (the check phase of a push: every field checked before the database is
//! touched; pure), `push` (the centre applies a batch), `deltas` (lists from
//! the centre to the posts); this file keeps the outbox, acknowledgements,
//! clearances, post keys and the macros the writers share.

use std::collections::{BTreeMap, HashMap, HashSet};

use centinela_domain::audit::{AuditRecord, GENESIS};
use centinela_domain::{AlertEntry, CrossingRecord, DocumentRecord, ListKind, Role, Timestamp};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AssertSqlSafe, Row};

use crate::audit::{append_in_tx, begin_write};
use crate::lists::{ListRows, NewVersion};
use crate::{Backend, Decision, HitKind, ReferralUnit, Store, StoreError, Verdict, hex, now_rfc3339, on_pool};

mod wire;
pub use wire::*;
mod check;
pub use check::MAX_BATCH_ITEMS;
use check::{check_clearance, check_clearance_document, check_revocation, hex32};

type OutboxRow = (i64, String, String, i64);

/// A reported document's identity in a list: every field.
type DocKey = (String, String, String, &'static str, String);

fn doc_key(r: &DocumentRecord) -> DocKey {
    (
        r.document_number.as_str().to_string(),
        r.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
        r.document_type.clone(),
        r.status.as_str(),
        r.reported_at.clone(),
    )
}

/// Rows per multi-row statement: at most 500 × 22 parameters, well under
/// SQLite's 32 766 and PostgreSQL's 65 535.
const CHUNK: usize = 500;

/// `n` parameters from `$first` for an `IN (…)` list (`?` on SQLite, see
/// [`crate::multirow::values`]).
fn list_params(backend: Backend, first: usize, n: usize) -> String {
    match backend {
        Backend::Sqlite => vec!["?"; n].join(","),
        Backend::Postgres => (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(","),
    }
}

/// The rows of the post's tables behind a slice of the outbox, by kind.
macro_rules! load_records {
    ($conn:expr, $backend:expr, $rows:expr) => {
        async {
            let rows: &[OutboxRow] = $rows;
            let mut by_kind: HashMap<&str, Vec<i64>> = HashMap::new();
            for (_, _, kind, r) in rows {
                by_kind.entry(kind.as_str()).or_default().push(*r);
            }
            let mut found: HashMap<(&'static str, i64), SyncRecord> = HashMap::new();
            let user = |row: &_, u: &str, r: &str| -> Result<Option<UserRef>, StoreError> {
                let name: Option<String> = Row::try_get(row, u)?;
                let role: Option<String> = Row::try_get(row, r)?;
                match (name, role) {
                    (Some(username), Some(role)) => Ok(Some(UserRef {
                        username,
                        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("users.role: {e}")))?,
                    })),
                    _ => Ok(None),
                }
            };
            let need_user = |u: Option<UserRef>, what: &str| {
                u.ok_or_else(|| StoreError::Corrupt(format!("{what}: its user is missing")))
            };
            for (kind, ids) in &by_kind {
                for chunk in ids.chunks(500) {
                    let p = list_params($backend, 1, chunk.len());
                    let sql = match *kind {
                        "crossing" => format!(
                            "SELECT c.id AS rid, {}, u.username AS uname, u.role AS urole FROM crossings c \
                             LEFT JOIN users u ON u.id = c.officer_id WHERE c.id IN ({p})",
                            crate::crossings::CROSSING_COLS_C
                        ),
                        "inspection" => format!(
                            "SELECT i.id AS rid, i.crossing_id, i.suggested, i.result, i.at, u.username AS uname, \
                             u.role AS urole FROM inspections i LEFT JOIN users u ON u.id = i.officer_id \
                             WHERE i.id IN ({p})"
                        ),
                        "hit" => format!(
                            "SELECT h.id AS rid, h.crossing_id, h.kind, h.list_name, h.list_kind, h.list_version, \
                             h.entry_id, h.score, h.action, h.explanation, h.created_at FROM hits h WHERE h.id IN ({p})"
                        ),
                        "adjudication" => format!(
                            "SELECT a.id AS rid, a.decision, a.reason, a.at, oh.uid AS hit_uid, oc.uid AS corrects_uid, \
                             u.username AS uname, u.role AS urole FROM adjudications a \
                             LEFT JOIN sync_outbox oh ON oh.kind = 'hit' AND oh.ref = a.hit_id \
                             LEFT JOIN sync_outbox oc ON oc.kind = 'adjudication' AND oc.ref = a.corrects \
                             LEFT JOIN users u ON u.id = a.user_id WHERE a.id IN ({p})"
                        ),
                        "decision" => format!(
                            "SELECT d.id AS rid, d.crossing_id, d.decision, d.reason, d.at, u.username AS uname, \
                             u.role AS urole FROM decisions d LEFT JOIN users u ON u.id = d.user_id WHERE d.id IN ({p})"
                        ),
                        "referral" => format!(
                            "SELECT r.id AS rid, r.crossing_id, r.unit, r.reason, r.indicators, r.at, u.username AS uname, \
                             u.role AS urole FROM referrals r LEFT JOIN users u ON u.id = r.user_id WHERE r.id IN ({p})"
                        ),
                        "audit" => format!(
                            "SELECT seq AS rid, at, actor, action, subject, detail, prev_hash, hash, \
                             CAST(CASE WHEN seq >= (SELECT start_seq FROM audit_seal) THEN 1 ELSE 0 END AS BIGINT) \
                             AS sealed FROM audit_log WHERE seq IN ({p})"
                        ),
                        "clearance" => format!(
                            "SELECT c.id AS rid, c.uid AS cuid, c.document_number, c.issuing_state, c.list_name, \
                             c.entry_id, c.list_version, c.entry_hash, c.reason, c.cleared_by AS uname, \
                             c.cleared_role AS urole, c.post, c.cleared_at, c.expires_at FROM clearances c \
                             WHERE c.id IN ({p})"
                        ),
                        "clearance_revocation" => format!(
                            "SELECT r.id AS rid, r.uid AS ruid, r.clearance_uid, r.reason, r.revoked_by AS uname, \
                             r.revoked_role AS urole, r.at FROM clearance_revocations r WHERE r.id IN ({p})"
                        ),
                        "lookout_hit" => format!(
                            "SELECT h.id AS rid, h.lookout_uid, h.crossing_id, h.kind, h.score, h.at \
                             FROM lookout_hits h WHERE h.id IN ({p})"
                        ),
                        other => return Err(StoreError::Corrupt(format!("sync_outbox.kind: '{other}'"))),
                    };
                    let mut q = sqlx::query(AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    for row in q.fetch_all(&mut *$conn).await? {
                        let rid: i64 = row.try_get("rid")?;
                        let t = |c: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(c)?) };
                        let (k, rec) = match *kind {
                            "crossing" => {
                                let c = crate::crossings::crossing_from(&row)?;
                                let item = CrossingItem {
                                    record: c.record,
                                    relation: c.relation,
                                    source: c.source,
                                    officer: user(&row, "uname", "urole")?,
                                    corrects: c.corrects,
                                    recorded_at: c.recorded_at,
                                };
                                ("crossing", SyncRecord::Crossing(Box::new(item)))
                            }
                            "inspection" => ("inspection", SyncRecord::Inspection(InspectionItem {
                                crossing_id: t("crossing_id")?,
                                officer: need_user(user(&row, "uname", "urole")?, "inspection")?,
                                suggested: t("suggested")?,
                                result: t("result")?,
                                at: t("at")?,
                            })),
                            "hit" => ("hit", SyncRecord::Hit(HitItem {
                                crossing_id: t("crossing_id")?,
                                kind: HitKind::parse(&t("kind")?)
                                    .ok_or_else(|| StoreError::Corrupt("a hit of no known kind".into()))?,
                                list_name: t("list_name")?,
                                list_kind: t("list_kind")?,
                                list_version: row.try_get("list_version")?,
                                entry_id: t("entry_id")?,
                                score: row.try_get("score")?,
                                action: t("action")?,
                                explanation: t("explanation")?,
                                created_at: t("created_at")?,
                            })),
                            "adjudication" => {
                                let hit: Option<String> = row.try_get("hit_uid")?;
                                let hit = hit.ok_or_else(|| StoreError::Corrupt(format!("adjudication {rid}: its hit is not queued")))?;
                                let decision: String = t("decision")?;
                                ("adjudication", SyncRecord::Adjudication(AdjudicationItem {
                                    hit,
                                    decision: if decision == "confirmed" { Verdict::Confirmed } else { Verdict::Dismissed },
                                    reason: t("reason")?,
                                    user: need_user(user(&row, "uname", "urole")?, "adjudication")?,
                                    corrects: row.try_get("corrects_uid")?,
                                    at: t("at")?,
                                }))
                            }
                            "decision" => ("decision", SyncRecord::Decision(DecisionItem {
                                crossing_id: t("crossing_id")?,
                                decision: serde_json::from_value(serde_json::Value::String(t("decision")?))
                                    .map_err(|e| StoreError::Corrupt(format!("decisions.decision: {e}")))?,
                                reason: t("reason")?,
                                user: need_user(user(&row, "uname", "urole")?, "decision")?,
                                at: t("at")?,
                            })),
                            "referral" => ("referral", SyncRecord::Referral(ReferralItem {
                                crossing_id: t("crossing_id")?,
                                unit: serde_json::from_value(serde_json::Value::String(t("unit")?))
                                    .map_err(|e| StoreError::Corrupt(format!("referrals.unit: {e}")))?,
                                reason: t("reason")?,
                                indicators: t("indicators")?,
                                user: need_user(user(&row, "uname", "urole")?, "referral")?,
                                at: t("at")?,
                            })),
                            "clearance" => ("clearance", SyncRecord::Clearance(ClearanceItem {
                                uid: t("cuid")?,
                                document_number: t("document_number")?,
                                issuing_state: t("issuing_state")?,
                                list_name: t("list_name")?,
                                entry_id: t("entry_id")?,
                                list_version: row.try_get("list_version")?,
                                entry_hash: t("entry_hash")?,
                                reason: t("reason")?,
                                user: need_user(user(&row, "uname", "urole")?, "clearance")?,
                                post: t("post")?,
                                cleared_at: t("cleared_at")?,
                                expires_at: t("expires_at")?,
                                origin: String::new(),
                            })),
                            "clearance_revocation" => ("clearance_revocation", SyncRecord::ClearanceRevocation(RevocationItem {
                                uid: t("ruid")?,
                                clearance: t("clearance_uid")?,
                                reason: t("reason")?,
                                user: need_user(user(&row, "uname", "urole")?, "clearance revocation")?,
                                at: t("at")?,
                                origin: String::new(),
                            })),
                            "lookout_hit" => ("lookout_hit", SyncRecord::LookoutHit(LookoutHitItem {
                                lookout_uid: t("lookout_uid")?,
                                crossing_id: t("crossing_id")?,
                                kind: t("kind")?,
                                score: row.try_get("score")?,
                                at: t("at")?,
                            })),
                            _ => {
                                let prev: Vec<u8> = row.try_get("prev_hash")?;
                                let hash: Vec<u8> = row.try_get("hash")?;
                                ("audit", SyncRecord::Audit(AuditItem {
                                    seq: rid,
                                    at: t("at")?,
                                    actor: t("actor")?,
                                    action: t("action")?,
                                    subject: t("subject")?,
                                    detail: t("detail")?,
                                    prev_hash: hex(&prev),
                                    hash: hex(&hash),
                                    sealed: row.try_get::<i64, _>("sealed")? != 0,
                                }))
                            }
                        };
                        found.insert((k, rid), rec);
                    }
                }
            }
            let mut out = Vec::with_capacity(rows.len());
            for (seq, uid, kind, r) in rows {
                let key: &'static str = match kind.as_str() {
                    "crossing" => "crossing",
                    "inspection" => "inspection",
                    "hit" => "hit",
                    "adjudication" => "adjudication",
                    "decision" => "decision",
                    "referral" => "referral",
                    "clearance" => "clearance",
                    "clearance_revocation" => "clearance_revocation",
                    "lookout_hit" => "lookout_hit",
                    _ => "audit",
                };
                // A row purged by the retention rules before it was sent is
                // gone by law: nothing to send.
                if let Some(record) = found.remove(&(key, *r)) {
                    out.push(OutboxItem { seq: *seq, uid: uid.clone(), record });
                }
            }
            Ok::<_, StoreError>(out)
        }
    };
}

/// A centre user standing for a post's user: `username@POST`, disabled.
macro_rules! shadow_user {
    ($tx:expr, $cache:expr, $post:expr, $u:expr, $now:expr) => {
        async {
            let u: &UserRef = $u;
            let name = format!("{}@{}", u.username, $post);
            if let Some(id) = $cache.get(&name) {
                return Ok::<i64, StoreError>(*id);
            }
            let found: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
                .bind(&name)
                .fetch_optional(&mut *$tx)
                .await?;
            let id = match found {
                Some(id) => id,
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO users (username, role, post_code, password_hash, created_at, disabled) \
                         VALUES ($1, $2, $3, '!synced', $4, $5) RETURNING id",
                    )
                    .bind(&name)
                    .bind(u.role.as_str())
                    .bind($post)
                    .bind($now)
                    .bind(true)
                    .fetch_one(&mut *$tx)
                    .await?
                }
            };
            $cache.insert(name, id);
            Ok(id)
        }
    };
}

/// Inserts a clearance that came from elsewhere (`origin`), or finds the
/// one already here with its uid; its row id.
macro_rules! insert_clearance {
    ($tx:expr, $c:expr, $by:expr, $origin:expr) => {
        async {
            let c: &ClearanceItem = $c;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO clearances (uid, document_number, issuing_state, list_name, entry_id, list_version, \
                 entry_hash, reason, cleared_by, cleared_role, post, cleared_at, expires_at, origin) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (uid) DO NOTHING RETURNING id",
            )
            .bind(&c.uid)
            .bind(&c.document_number)
            .bind(&c.issuing_state)
            .bind(&c.list_name)
            .bind(&c.entry_id)
            .bind(c.list_version)
            .bind(&c.entry_hash)
            .bind(&c.reason)
            .bind($by)
            .bind(c.user.role.as_str())
            .bind(&c.post)
            .bind(&c.cleared_at)
            .bind(&c.expires_at)
            .bind($origin)
            .fetch_optional(&mut *$tx)
            .await?;
            match id {
                Some(id) => Ok::<i64, StoreError>(id),
                None => Ok(sqlx::query_scalar("SELECT id FROM clearances WHERE uid = $1")
                    .bind(&c.uid)
                    .fetch_one(&mut *$tx)
                    .await?),
            }
        }
    };
}

/// Inserts a revocation that came from elsewhere; when its clearance was
/// revoked here already, the first revocation stands and its row is given.
macro_rules! insert_revocation {
    ($tx:expr, $r:expr, $by:expr, $origin:expr) => {
        async {
            let r: &RevocationItem = $r;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO clearance_revocations (uid, clearance_uid, reason, revoked_by, revoked_role, at, origin) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
            )
            .bind(&r.uid)
            .bind(&r.clearance)
            .bind(&r.reason)
            .bind($by)
            .bind(r.user.role.as_str())
            .bind(&r.at)
            .bind($origin)
            .fetch_optional(&mut *$tx)
            .await?;
            match id {
                Some(id) => Ok::<i64, StoreError>(id),
                None => Ok(sqlx::query_scalar(
                    "SELECT id FROM clearance_revocations WHERE uid = $1 OR clearance_uid = $2 ORDER BY id LIMIT 1",
                )
                .bind(&r.uid)
                .bind(&r.clearance)
                .fetch_one(&mut *$tx)
                .await?),
            }
        }
    };
}

// After the macros: the modules below use them.
mod deltas;
mod push;

impl Store {
    /// At the centre: clearances and revocations not made at `post` with
    /// ids after the post's marks, at most [`MAX_CLEARANCES_PULLED`] of
    /// each, oldest first, and the documents clearances were extended to
    /// after `documents_after` (only of clearances the post holds once this
    /// answer is stored: the first of a later clearance stops them). Audited
    /// by the caller (they name travellers' documents).
    pub async fn clearances_since(
        &self,
        post: &str,
        clearances_after: i64,
        revocations_after: i64,
        documents_after: i64,
    ) -> Result<ClearanceDelta, StoreError> {
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if backend == Backend::Postgres {
                // Identity values are drawn before commit: wait for writers
                // in flight so that no lower id commits after a higher one
                // was answered (the post would never ask for it again).
                sqlx::query("LOCK TABLE clearances, clearance_revocations, clearance_documents IN SHARE MODE")
                    .execute(&mut *tx)
                    .await?;
            }
            let rows = sqlx::query(
                "SELECT id, uid, document_number, issuing_state, list_name, entry_id, list_version, entry_hash, \
                 reason, cleared_by, cleared_role, post, cleared_at, expires_at, origin FROM clearances \
                 WHERE id > $1 AND origin <> $2 ORDER BY id LIMIT $3",
            )
            .bind(clearances_after)
            .bind(post)
            .bind(MAX_CLEARANCES_PULLED)
            .fetch_all(&mut *tx)
            .await?;
            let mut out = ClearanceDelta {
                clearances_to: clearances_after,
                revocations_to: revocations_after,
                documents_to: documents_after,
                ..Default::default()
            };
            for row in &rows {
                let role: String = row.try_get("cleared_role")?;
                out.clearances_to = row.try_get("id")?;
                out.clearances.push(ClearanceItem {
                    uid: row.try_get("uid")?,
                    document_number: row.try_get("document_number")?,
                    issuing_state: row.try_get("issuing_state")?,
                    list_name: row.try_get("list_name")?,
                    entry_id: row.try_get("entry_id")?,
                    list_version: row.try_get("list_version")?,
                    entry_hash: row.try_get("entry_hash")?,
                    reason: row.try_get("reason")?,
                    user: UserRef {
                        username: row.try_get("cleared_by")?,
                        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("clearances.cleared_role: {e}")))?,
                    },
                    post: row.try_get("post")?,
                    cleared_at: row.try_get("cleared_at")?,
                    expires_at: row.try_get("expires_at")?,
                    origin: row.try_get("origin")?,
                });
            }
            // The mark of a post whose own rows were skipped still moves past them.
            if rows.len() < MAX_CLEARANCES_PULLED as usize {
                let last: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM clearances").fetch_one(&mut *tx).await?;
                out.clearances_to = out.clearances_to.max(last.unwrap_or(0));
            }
            let rows = sqlx::query(
                "SELECT id, uid, clearance_uid, reason, revoked_by, revoked_role, at, origin FROM clearance_revocations \
                 WHERE id > $1 AND origin <> $2 ORDER BY id LIMIT $3",
            )
            .bind(revocations_after)
            .bind(post)
            .bind(MAX_CLEARANCES_PULLED)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let role: String = row.try_get("revoked_role")?;
                out.revocations_to = row.try_get("id")?;
                out.revocations.push(RevocationItem {
                    uid: row.try_get("uid")?,
                    clearance: row.try_get("clearance_uid")?,
                    reason: row.try_get("reason")?,
                    user: UserRef {
                        username: row.try_get("revoked_by")?,
                        role: Role::parse(&role).map_err(|e| StoreError::Corrupt(format!("clearance_revocations.revoked_role: {e}")))?,
                    },
                    at: row.try_get("at")?,
                    origin: row.try_get("origin")?,
                });
            }
            if rows.len() < MAX_CLEARANCES_PULLED as usize {
                let last: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(id) FROM clearance_revocations").fetch_one(&mut *tx).await?;
                out.revocations_to = out.revocations_to.max(last.unwrap_or(0));
            }
            let rows = sqlx::query(
                "SELECT d.id, d.uid, d.clearance_uid, d.document_number, d.issuing_state, d.person, d.evidence, \
                 d.added_by, d.added_at, c.id AS cid FROM clearance_documents d \
                 JOIN clearances c ON c.uid = d.clearance_uid WHERE d.id > $1 AND d.origin = '' ORDER BY d.id LIMIT $2",
            )
            .bind(documents_after)
            .bind(MAX_CLEARANCES_PULLED)
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let cid: i64 = row.try_get("cid")?;
                if cid > out.clearances_to {
                    break;
                }
                out.documents_to = row.try_get("id")?;
                out.documents.push(ClearanceDocumentItem {
                    uid: row.try_get("uid")?,
                    clearance: row.try_get("clearance_uid")?,
                    document_number: row.try_get("document_number")?,
                    issuing_state: row.try_get("issuing_state")?,
                    person: row.try_get("person")?,
                    evidence: row.try_get("evidence")?,
                    added_by: row.try_get("added_by")?,
                    added_at: row.try_get("added_at")?,
                });
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// At a post: the centre's marks of the clearances and revocations
    /// pulled so far.
    pub async fn clearance_marks(&self) -> Result<(i64, i64), StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_as("SELECT clearances_pulled, revocations_pulled FROM sync_state WHERE id = 1")
                .fetch_one(p)
                .await?)
        })
    }

    /// At a post: the centre's mark of the clearance extensions pulled so far.
    pub async fn clearance_documents_mark(&self) -> Result<i64, StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_scalar("SELECT clearance_documents_pulled FROM sync_state WHERE id = 1")
                .fetch_one(p)
                .await?)
        })
    }

    /// At a post: stores what the centre answered (clearances first, then
    /// revocations, then the documents clearances were extended to; ones
    /// already here are kept) and moves the marks, in one transaction. A record that does not pass the checks is skipped (and
    /// counted), never stored. Returns (stored, skipped).
    pub async fn apply_clearances(&self, delta: &ClearanceDelta) -> Result<(u64, u64), StoreError> {
        let backend = self.backend();
        let (mut stored, mut skipped) = (0u64, 0u64);
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            for c in delta.clearances.iter().take(MAX_CLEARANCES_PULLED as usize) {
                if check_clearance(c).is_err() {
                    skipped += 1;
                    continue;
                }
                let origin = if c.origin.is_empty() { "central".to_string() } else { c.origin.clone() };
                let by = if c.origin.is_empty() { format!("{}@central", c.user.username) } else { c.user.username.clone() };
                insert_clearance!(tx, c, &by, &origin).await?;
                stored += 1;
            }
            for r in delta.revocations.iter().take(MAX_CLEARANCES_PULLED as usize) {
                let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clearances WHERE uid = $1")
                    .bind(&r.clearance)
                    .fetch_one(&mut *tx)
                    .await?;
                if check_revocation(r).is_err() || known == 0 {
                    skipped += 1;
                    continue;
                }
                let origin = if r.origin.is_empty() { "central".to_string() } else { r.origin.clone() };
                let by = if r.origin.is_empty() {
                    format!("{}@central", r.user.username)
                } else if r.user.username.contains('@') {
                    r.user.username.clone()
                } else {
                    format!("{}@{}", r.user.username, r.origin)
                };
                insert_revocation!(tx, r, &by, &origin).await?;
                stored += 1;
            }
            for d in delta.documents.iter().take(MAX_CLEARANCES_PULLED as usize) {
                let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clearances WHERE uid = $1")
                    .bind(&d.clearance)
                    .fetch_one(&mut *tx)
                    .await?;
                if check_clearance_document(d).is_err() || known == 0 {
                    skipped += 1;
                    continue;
                }
                let added_by =
                    if d.added_by.contains('@') { d.added_by.clone() } else { format!("{}@central", d.added_by) };
                sqlx::query(
                    "INSERT INTO clearance_documents (uid, clearance_uid, document_number, issuing_state, person, \
                     evidence, added_by, added_at, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'central') \
                     ON CONFLICT DO NOTHING",
                )
                .bind(&d.uid)
                .bind(&d.clearance)
                .bind(&d.document_number)
                .bind(&d.issuing_state)
                .bind(&d.person)
                .bind(&d.evidence)
                .bind(&added_by)
                .bind(&d.added_at)
                .execute(&mut *tx)
                .await?;
                stored += 1;
            }
            sqlx::query(
                "UPDATE sync_state SET \
                 clearances_pulled = CASE WHEN clearances_pulled > $1 THEN clearances_pulled ELSE $1 END, \
                 revocations_pulled = CASE WHEN revocations_pulled > $2 THEN revocations_pulled ELSE $2 END, \
                 clearance_documents_pulled = \
                     CASE WHEN clearance_documents_pulled > $3 THEN clearance_documents_pulled ELSE $3 END WHERE id = 1",
            )
            .bind(delta.clearances_to)
            .bind(delta.revocations_to)
            .bind(delta.documents_to)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok((stored, skipped))
        })
    }

    /// Up to `limit` queued records past the acknowledged mark, in order.
    pub async fn outbox_pending(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            if backend == Backend::Postgres {
                // Identity values are drawn before commit: wait for writers in
                // flight so that no lower seq can commit after a higher one
                // has been read.
                sqlx::query("LOCK TABLE sync_outbox IN SHARE MODE").execute(&mut *tx).await?;
            }
            loop {
                let rows: Vec<OutboxRow> = sqlx::query_as(
                    "SELECT seq, uid, kind, ref FROM sync_outbox \
                     WHERE seq > (SELECT acked_seq FROM sync_state WHERE id = 1) ORDER BY seq LIMIT $1",
                )
                .bind(limit)
                .fetch_all(&mut *tx)
                .await?;
                let out = load_records!(tx, backend, &rows).await?;
                match (out.is_empty(), rows.last()) {
                    // Every row of this slice was purged: nothing to send, move on.
                    (true, Some((last, ..))) => {
                        sqlx::query("UPDATE sync_state SET acked_seq = $1 WHERE id = 1")
                            .bind(*last)
                            .execute(&mut *tx)
                            .await?;
                    }
                    _ => {
                        tx.commit().await?;
                        return Ok(out);
                    }
                }
            }
        })
    }

    /// Records that the centre stored everything up to `seq` (never moves
    /// the mark back), and the success.
    pub async fn sync_ack(&self, seq: i64, central: &str) -> Result<(), StoreError> {
        let now = now_rfc3339();
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE sync_state SET acked_seq = CASE WHEN acked_seq > $1 THEN acked_seq ELSE $1 END, \
                 last_attempt_at = $2, last_success_at = $2, last_error = NULL, central = $3 WHERE id = 1",
            )
            .bind(seq)
            .bind(&now)
            .bind(crate::redact(central))
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Sets aside the queued record `seq`, which the centre refused for
    /// `reason`: it is kept (its table, its outbox row, a `sync_refused`
    /// row saying why) and the queue moves past it. Only the record right
    /// after the acknowledged mark can be set aside, so nothing before it
    /// is skipped unsent; anything else is a `Conflict`.
    pub async fn sync_set_aside(&self, seq: i64, reason: &str) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let reason: String = reason.chars().filter(|c| !c.is_control()).take(500).collect();
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            let next: Option<(i64, String, String)> = sqlx::query_as(
                "SELECT seq, uid, kind FROM sync_outbox \
                 WHERE seq > (SELECT acked_seq FROM sync_state WHERE id = 1) ORDER BY seq LIMIT 1",
            )
            .fetch_optional(&mut *tx)
            .await?;
            let Some((next, uid, kind)) = next.filter(|n| n.0 == seq) else {
                return Err(StoreError::Conflict(format!("record {seq} is not the next one queued")));
            };
            sqlx::query("INSERT INTO sync_refused (seq, uid, kind, reason, refused_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(next)
                .bind(&uid)
                .bind(&kind)
                .bind(&reason)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE sync_state SET acked_seq = $1 WHERE id = 1").bind(next).execute(&mut *tx).await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The records set aside because the centre refused them, oldest first:
    /// (seq, uid, kind, reason, when).
    pub async fn sync_refused(&self) -> Result<Vec<(i64, String, String, String, String)>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query_as("SELECT seq, uid, kind, reason, refused_at FROM sync_refused ORDER BY seq")
                .fetch_all(p)
                .await?
        }))
    }

    /// Records the outcome of a cycle: `None` a success, else the error
    /// (shown by `sync status`; never personal data).
    pub async fn sync_attempt(&self, central: &str, error: Option<&str>) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let sql = if error.is_some() {
            "UPDATE sync_state SET last_attempt_at = $1, last_error = $2, central = $3 WHERE id = 1"
        } else {
            "UPDATE sync_state SET last_attempt_at = $1, last_success_at = $1, last_error = $2, central = $3 WHERE id = 1"
        };
        on_pool!(self, p => {
            sqlx::query(sql).bind(&now).bind(error).bind(crate::redact(central)).execute(p).await?;
        });
        Ok(())
    }

    /// What is queued, sent, and the last error.
    pub async fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        type StateRow = (i64, Option<String>, Option<String>, Option<String>, Option<String>);
        let (acked_seq, last_attempt_at, last_success_at, last_error, central): StateRow = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT acked_seq, last_attempt_at, last_success_at, last_error, central FROM sync_state WHERE id = 1",
            )
            .fetch_one(p)
            .await?
        });
        let (queued, sent): (i64, i64) = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT CAST(COALESCE(SUM(CASE WHEN seq > $1 THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN seq <= $1 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM sync_outbox",
            )
            .bind(acked_seq)
            .fetch_one(p)
            .await?
        });
        let refused: i64 = on_pool!(self, p => {
            sqlx::query_scalar("SELECT CAST(COUNT(*) AS BIGINT) FROM sync_refused").fetch_one(p).await?
        });
        Ok(SyncStatus {
            queued,
            sent: sent - refused,
            refused,
            acked_seq,
            central,
            last_attempt_at,
            last_success_at,
            last_error,
            lists: self.held_list_versions().await?,
        })
    }

    /// This database's instance id (migration 0008): 32 lower-case hex
    /// digits drawn once, the first part of every outbox uid queued here
    /// (`<instance>-<kind digit>-<ref, 16 hex digits>-<12 random hex digits>`).
    pub async fn sync_instance(&self) -> Result<String, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query_scalar("SELECT instance FROM sync_state WHERE id = 1").fetch_one(p).await?
        }))
    }

    /// The current version of every list held here.
    pub async fn held_list_versions(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        Ok(self.lists().await?.into_iter().filter_map(|l| l.version.map(|v| (l.name, v))).collect())
    }

    /// Whose key this is: a post in good standing, a revoked one, or none.
    pub async fn post_key(&self, key: &str) -> Result<PostKey, StoreError> {
        let hash = Sha256::digest(key.trim().as_bytes()).to_vec();
        let found: Option<(String, Option<String>)> = on_pool!(self, p => {
            sqlx::query_as("SELECT code, revoked_at FROM posts WHERE sync_key_hash = $1")
                .bind(&hash)
                .fetch_optional(p)
                .await?
        });
        Ok(match found {
            None => PostKey::Unknown,
            Some((code, None)) => PostKey::Valid(code),
            Some((code, Some(_))) => PostKey::Revoked(code),
        })
    }

    /// Revokes a post's key: the centre refuses it from now on (the post's
    /// records already received stay). Audited.
    pub async fn revoke_post(&self, actor: &str, code: &str) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let found: Option<Option<String>> = sqlx::query_scalar("SELECT revoked_at FROM posts WHERE code = $1")
                .bind(code)
                .fetch_optional(&mut *tx)
                .await?;
            match found {
                None => return Err(StoreError::NotFound(format!("post '{code}'"))),
                Some(Some(_)) => return Err(StoreError::Conflict(format!("post '{code}' is already revoked"))),
                Some(None) => {}
            }
            sqlx::query("UPDATE posts SET revoked_at = $1 WHERE code = $2").bind(&now).bind(code).execute(&mut *tx).await?;
            append_in_tx!(tx, self, actor, "post_key_revoked", code, "{}").await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// How many records the centre holds from `post`, by kind.
    pub async fn received_counts(&self, post: &str) -> Result<BTreeMap<String, i64>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(self, p => {
            sqlx::query_as("SELECT kind, COUNT(*) FROM sync_received WHERE post = $1 GROUP BY kind")
                .bind(post)
                .fetch_all(p)
                .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Recomputes a post's audit chain as the centre received it: the
    /// number of entries when intact. Entries the post sealed with its key
    /// are checked for sequence and link (the centre has no post's key).
    pub async fn synced_audit_verify(&self, post: &str) -> Result<Result<u64, i64>, StoreError> {
        type Row = (i64, String, String, String, String, String, Vec<u8>, Vec<u8>, i64);
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT seq, at, actor, action, subject, detail, prev_hash, hash, sealed FROM sync_audit \
                 WHERE post = $1 ORDER BY seq",
            )
            .bind(post)
            .fetch_all(p)
            .await?
        });
        let mut prev = GENESIS;
        for (i, (seq, at, actor, action, subject, detail, prev_hash, hash, keyed)) in rows.iter().enumerate() {
            let hashed = AuditRecord::seal(*seq, at, actor, action, subject, detail, prev);
            let hash_ok = *keyed != 0 || hash.as_slice() == hashed.hash;
            if *seq != i as i64 + 1 || prev_hash.as_slice() != prev || !hash_ok {
                return Ok(Err(*seq));
            }
            prev = <[u8; 32]>::try_from(hash.as_slice()).map_err(|_| StoreError::Corrupt("sync_audit.hash".into()))?;
        }
        Ok(Ok(rows.len() as u64))
    }

    /// Every post, for the posts' own tables.
    pub async fn post_infos(&self) -> Result<Vec<PostInfo>, StoreError> {
        type Row = (String, String, String, String, String, Option<String>, Option<String>);
        let rows: Vec<Row> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT code, name, country, facing, kind, revoked_at, a.rewound_at FROM posts \
                 LEFT JOIN post_anchors a ON a.post = posts.code ORDER BY code",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(code, name, country, facing, kind, revoked, audit_rewound_at)| PostInfo {
                code,
                name,
                country,
                facing,
                kind,
                revoked: revoked.is_some(),
                audit_rewound_at,
            })
            .collect())
    }

    /// Adds the posts this database does not know (as the centre describes
    /// them; a post's key stays at the centre). Returns how many were new.
    pub async fn merge_posts(&self, posts: &[PostInfo]) -> Result<u64, StoreError> {
        let now = now_rfc3339();
        let mut added = 0;
        on_pool!(self, p => {
            let mut tx = p.begin().await?;
            for post in posts {
                crate::check_post_code(&post.code)?;
                // No key hashes to 32 zero bytes: this row admits no post.
                added += sqlx::query(
                    "INSERT INTO posts (code, name, country, facing, kind, sync_key_hash, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code) DO NOTHING",
                )
                .bind(&post.code)
                .bind(&post.name)
                .bind(&post.country)
                .bind(&post.facing)
                .bind(&post.kind)
                .bind(&[0u8; 32][..])
                .bind(&now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        });
        Ok(added)
    }
}
