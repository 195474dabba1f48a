//! Lookouts (migration 0019): urgent, targeted alerts with a validity
//! window, issued, changed and cancelled where they were made (each write
//! audited in its transaction: `lookout_issued`, `lookout_changed`,
//! `lookout_cancelled`, subject `lookout:UID`, detail codes and dates,
//! never the subject), distributed from the centre to the posts as whole
//! rows with a `revision` ([`Store::lookouts_for_posts`],
//! [`Store::apply_lookouts`]), and their hits at the booth
//! ([`Store::record_lookout_hits`], audited `lookout_hit`).

use centinela_domain::{LookoutAction, LookoutDraft, LookoutScope, LookoutSubject, Role, Timestamp};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Actor, Store, StoreError, on_pool};

/// The most lookouts a post receives in one pull (and a listing shows).
pub const MAX_LOOKOUTS: usize = 10_000;

/// A lookout as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredLookout {
    pub uid: String,
    pub subject: LookoutSubject,
    pub reason: String,
    pub action: LookoutAction,
    pub scope: LookoutScope,
    pub notify: Vec<String>,
    /// RFC 3339.
    pub valid_from: String,
    pub valid_until: String,
    pub issued_by: String,
    pub issued_role: Role,
    pub issued_at: String,
    /// 1 when issued, one more at each change or cancellation.
    pub revision: i64,
    pub changed_at: String,
    pub cancelled_at: Option<String>,
    pub cancelled_by: Option<String>,
    pub cancel_reason: Option<String>,
    /// '' when issued here, `central` when pulled from the centre.
    pub origin: String,
}

impl StoredLookout {
    /// In force at `now`: not cancelled, inside its window.
    pub fn in_force(&self, now: Timestamp) -> bool {
        let at = |s: &str| Timestamp::parse(s).map(|t| t.unix_seconds()).ok();
        let n = now.unix_seconds();
        self.cancelled_at.is_none()
            && at(&self.valid_from).is_some_and(|f| f <= n)
            && at(&self.valid_until).is_some_and(|u| n < u)
    }

    /// `in_force`, `pending`, `expired` or `cancelled` at `now`.
    pub fn state(&self, now: Timestamp) -> &'static str {
        if self.cancelled_at.is_some() {
            "cancelled"
        } else if self.in_force(now) {
            "in_force"
        } else if Timestamp::parse(&self.valid_from).is_ok_and(|f| f.unix_seconds() > now.unix_seconds()) {
            "pending"
        } else {
            "expired"
        }
    }
}

/// What a change may set (`None`: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookoutChange {
    pub reason: Option<String>,
    pub action: Option<LookoutAction>,
    pub valid_until: Option<Timestamp>,
    pub scope: Option<LookoutScope>,
    pub notify: Option<Vec<String>>,
}

/// A lookout's hit of one traveller at a post, to store.
#[derive(Debug, Clone, PartialEq)]
pub struct NewLookoutHit {
    pub lookout_uid: String,
    pub crossing_id: String,
    pub post: String,
    /// The subject's kind: `person`, `document`, `vehicle`, `phone`.
    pub kind: String,
    pub score: f64,
}

/// A stored lookout hit, with the lookout's reason and action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredLookoutHit {
    pub id: i64,
    pub lookout_uid: String,
    pub crossing_id: String,
    pub post: String,
    pub kind: String,
    pub score: f64,
    pub at: String,
    pub reason: String,
    pub action: String,
    /// Who issued the lookout (told of each hit).
    pub issued_by: String,
    pub notify: Vec<String>,
}

/// Which hits to list (empty: any).
#[derive(Debug, Clone, Default)]
pub struct LookoutHitFilter {
    pub lookout_uid: Option<String>,
    pub post: Option<String>,
    /// Only those with a greater id (a live stream's mark).
    pub after_id: i64,
    pub limit: u32,
}

/// A post's long poll for lookouts: the centre's generation it holds (0
/// at start) and how long the centre may hold the request, in seconds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LookoutsPull {
    pub protocol: u32,
    pub generation: u64,
    #[serde(default)]
    pub wait_secs: u32,
}

/// The centre's answer: its generation and, when it differs from the
/// post's (`changed`), every lookout whose window has not ended, cancelled
/// ones included.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LookoutsAnswer {
    pub generation: u64,
    pub changed: bool,
    pub lookouts: Vec<StoredLookout>,
}

const COLS: &str = "uid, subject, reason, action, scope, notify, valid_from, valid_until, issued_by, issued_role, \
    issued_at, revision, changed_at, cancelled_at, cancelled_by, cancel_reason, origin";

fn corrupt(field: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("lookouts.{field}: {e}"))
}

fn lookout_from<R: Row>(row: &R) -> Result<StoredLookout, StoreError>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let t = |c: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(c)?) };
    let json = |c: &'static str| -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&t(c)?).map_err(|e| corrupt(c, e))
    };
    Ok(StoredLookout {
        uid: t("uid")?,
        subject: serde_json::from_value(json("subject")?).map_err(|e| corrupt("subject", e))?,
        reason: t("reason")?,
        action: LookoutAction::parse(&t("action")?).map_err(|e| corrupt("action", e))?,
        scope: serde_json::from_value(json("scope")?).map_err(|e| corrupt("scope", e))?,
        notify: serde_json::from_value(json("notify")?).map_err(|e| corrupt("notify", e))?,
        valid_from: t("valid_from")?,
        valid_until: t("valid_until")?,
        issued_by: t("issued_by")?,
        issued_role: Role::parse(&t("issued_role")?).map_err(|e| corrupt("issued_role", e))?,
        issued_at: t("issued_at")?,
        revision: row.try_get("revision")?,
        changed_at: t("changed_at")?,
        cancelled_at: row.try_get("cancelled_at")?,
        cancelled_by: row.try_get("cancelled_by")?,
        cancel_reason: row.try_get("cancel_reason")?,
        origin: t("origin")?,
    })
}

/// The subject's look-up key, kept for listings.
fn match_key(s: &LookoutSubject) -> String {
    match s {
        LookoutSubject::Person { .. } => String::new(),
        LookoutSubject::Document { number, .. } => number.confusable_key(),
        LookoutSubject::Vehicle { plate, .. } => plate.key(),
        LookoutSubject::Phone { number } => number.clone(),
    }
}

fn to_json<T: Serialize>(v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|e| StoreError::Internal(format!("lookout as JSON: {e}")))
}

fn scope_code(s: &LookoutScope) -> serde_json::Value {
    match s {
        LookoutScope::All => serde_json::json!("all"),
        LookoutScope::Country { country } => serde_json::json!({ "country": country.as_str() }),
        LookoutScope::Posts { posts } => serde_json::json!({ "posts": posts }),
    }
}

impl Store {
    /// Stores a new lookout `uid` (made by the caller, unique everywhere),
    /// audited `lookout_issued` in the same transaction.
    pub async fn issue_lookout(
        &self,
        actor: Actor<'_>,
        uid: &str,
        draft: &LookoutDraft,
        now: Timestamp,
    ) -> Result<StoredLookout, StoreError> {
        let issued_at = now.to_string();
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            sqlx::query(
                "INSERT INTO lookouts (uid, kind, subject, match_key, reason, action, scope, notify, valid_from, \
                 valid_until, issued_by, issued_role, issued_at, revision, changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $13)",
            )
            .bind(uid)
            .bind(draft.subject.kind())
            .bind(to_json(&draft.subject)?)
            .bind(match_key(&draft.subject))
            .bind(&draft.reason)
            .bind(draft.action.as_str())
            .bind(to_json(&draft.scope)?)
            .bind(to_json(&draft.notify)?)
            .bind(draft.valid_from.to_string())
            .bind(draft.valid_until.to_string())
            .bind(actor.username)
            .bind(actor.role.as_str())
            .bind(&issued_at)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({
                "kind": draft.subject.kind(), "action": draft.action.as_str(),
                "valid_from": draft.valid_from.to_string(), "valid_until": draft.valid_until.to_string(),
                "scope": scope_code(&draft.scope), "notify": draft.notify.len(),
            })
            .to_string();
            append_in_tx!(tx, self, actor.username, "lookout_issued", format!("lookout:{uid}"), &detail).await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM lookouts WHERE uid = $1")))
                .bind(uid)
                .fetch_one(&mut *tx)
                .await?;
            let stored = lookout_from(&row)?;
            tx.commit().await?;
            Ok(stored)
        })
    }

    /// Changes lookout `uid` (issued here, not cancelled), one revision
    /// more, audited `lookout_changed` with the fields changed.
    pub async fn change_lookout(
        &self,
        actor: Actor<'_>,
        uid: &str,
        change: &LookoutChange,
        now: Timestamp,
    ) -> Result<StoredLookout, StoreError> {
        self.rewrite_lookout(actor, uid, now, |l| {
            if l.cancelled_at.is_some() {
                return Err(StoreError::Conflict("this lookout is cancelled: issue a new one".into()));
            }
            let mut fields = Vec::new();
            if let Some(r) = &change.reason {
                l.reason = r.clone();
                fields.push("reason");
            }
            if let Some(a) = change.action {
                l.action = a;
                fields.push("action");
            }
            if let Some(u) = change.valid_until {
                let from = Timestamp::parse(&l.valid_from).map_err(|e| corrupt("valid_from", e))?;
                centinela_domain::lookout::check_window(from, u, now)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                l.valid_until = u.to_string();
                fields.push("valid_until");
            }
            if let Some(s) = &change.scope {
                l.scope = s.clone();
                fields.push("scope");
            }
            if let Some(n) = &change.notify {
                l.notify = n.clone();
                fields.push("notify");
            }
            if fields.is_empty() {
                return Err(StoreError::Invalid("nothing to change".into()));
            }
            Ok(("lookout_changed", serde_json::json!({ "fields": fields, "valid_until": l.valid_until })))
        })
        .await
    }

    /// Cancels lookout `uid` (issued here), audited `lookout_cancelled`.
    pub async fn cancel_lookout(
        &self,
        actor: Actor<'_>,
        uid: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<StoredLookout, StoreError> {
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(StoreError::Invalid("reason: a cancellation needs a reason".into()));
        }
        centinela_domain::check_line(&reason, centinela_domain::lookout::MAX_REASON)
            .map_err(|e| StoreError::Invalid(format!("reason: {e}")))?;
        self.rewrite_lookout(actor, uid, now, |l| {
            if l.cancelled_at.is_some() {
                return Err(StoreError::Conflict("this lookout is already cancelled".into()));
            }
            l.cancelled_at = Some(now.to_string());
            l.cancelled_by = Some(actor.username.to_string());
            l.cancel_reason = Some(reason.clone());
            Ok(("lookout_cancelled", serde_json::json!({ "state_before": "issued" })))
        })
        .await
    }

    async fn rewrite_lookout<F>(
        &self,
        actor: Actor<'_>,
        uid: &str,
        now: Timestamp,
        edit: F,
    ) -> Result<StoredLookout, StoreError>
    where
        F: FnOnce(&mut StoredLookout) -> Result<(&'static str, serde_json::Value), StoreError>,
    {
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM lookouts WHERE uid = $1")))
                .bind(uid)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else {
                return Err(StoreError::NotFound(format!("lookout {}", uid.chars().take(40).collect::<String>())));
            };
            let mut l = lookout_from(&row)?;
            if !l.origin.is_empty() {
                return Err(StoreError::Conflict(
                    "this lookout was issued at the centre: change or cancel it there".into(),
                ));
            }
            let (action, detail) = edit(&mut l)?;
            l.revision += 1;
            l.changed_at = now.to_string();
            sqlx::query(
                "UPDATE lookouts SET reason = $2, action = $3, scope = $4, notify = $5, valid_until = $6, \
                 revision = $7, changed_at = $8, cancelled_at = $9, cancelled_by = $10, cancel_reason = $11 \
                 WHERE uid = $1",
            )
            .bind(uid)
            .bind(&l.reason)
            .bind(l.action.as_str())
            .bind(to_json(&l.scope)?)
            .bind(to_json(&l.notify)?)
            .bind(&l.valid_until)
            .bind(l.revision)
            .bind(&l.changed_at)
            .bind(&l.cancelled_at)
            .bind(&l.cancelled_by)
            .bind(&l.cancel_reason)
            .execute(&mut *tx)
            .await?;
            let mut detail = detail;
            detail["revision"] = serde_json::json!(l.revision);
            append_in_tx!(tx, self, actor.username, action, format!("lookout:{uid}"), &detail.to_string()).await?;
            tx.commit().await?;
            Ok(l)
        })
    }

    /// One lookout by uid.
    pub async fn lookout(&self, uid: &str) -> Result<Option<StoredLookout>, StoreError> {
        on_pool!(self, p => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLS} FROM lookouts WHERE uid = $1")))
                .bind(uid)
                .fetch_optional(p)
                .await?;
            row.as_ref().map(lookout_from).transpose()
        })
    }

    /// Lookouts, newest first: with `all`, every one (at most `limit`);
    /// otherwise those whose window has not ended at `now` and that are not
    /// cancelled (in force or pending).
    pub async fn lookouts(&self, all: bool, limit: u32, now: Timestamp) -> Result<Vec<StoredLookout>, StoreError> {
        let limit = i64::from(limit.clamp(1, MAX_LOOKOUTS as u32));
        let live = if all { "" } else { "WHERE cancelled_at IS NULL AND valid_until > $2" };
        let sql = format!("SELECT {COLS} FROM lookouts {live} ORDER BY id DESC LIMIT $1");
        let now_s = now.to_string();
        on_pool!(self, p => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
            if !all {
                q = q.bind(&now_s);
            }
            let rows = q.fetch_all(p).await?;
            rows.iter().map(lookout_from).collect()
        })
    }

    /// What the centre sends every post: each lookout issued here whose
    /// window has not ended at `now`, cancelled ones included (a post that
    /// holds one learns it is cancelled). At most [`MAX_LOOKOUTS`].
    pub async fn lookouts_for_posts(&self, now: Timestamp) -> Result<Vec<StoredLookout>, StoreError> {
        let sql = format!(
            "SELECT {COLS} FROM lookouts WHERE origin = '' AND valid_until > $1 ORDER BY id DESC LIMIT {MAX_LOOKOUTS}"
        );
        on_pool!(self, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now.to_string()).fetch_all(p).await?;
            rows.iter().map(lookout_from).collect()
        })
    }

    /// The lookouts issued here as one number that grows with every issue,
    /// change and cancellation (the sum of their revisions): what a post's
    /// long poll compares, the same whichever centre node answers.
    pub async fn lookouts_stamp(&self) -> Result<u64, StoreError> {
        let sql = "SELECT CAST(COALESCE(SUM(revision), 0) AS BIGINT) FROM lookouts WHERE origin = ''";
        on_pool!(self, p => {
            let n: i64 = sqlx::query_scalar(sql).fetch_one(p).await?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
    }

    /// At a post: stores the centre's lookouts, each replacing the copy
    /// held when its revision is newer. Answers how many were stored or
    /// replaced; audited `lookouts_pulled` (uids and revisions) when any.
    pub async fn apply_lookouts(&self, lookouts: &[StoredLookout]) -> Result<u64, StoreError> {
        if lookouts.len() > MAX_LOOKOUTS {
            return Err(StoreError::Invalid(format!("lookouts: at most {MAX_LOOKOUTS}")));
        }
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let mut changed = Vec::new();
            for l in lookouts {
                let held: Option<(i64, String)> =
                    sqlx::query_as("SELECT revision, origin FROM lookouts WHERE uid = $1")
                        .bind(&l.uid)
                        .fetch_optional(&mut *tx)
                        .await?;
                let sql = match held {
                    Some((_, origin)) if origin.is_empty() => continue, // issued here: never overwritten
                    Some((rev, _)) if rev >= l.revision => continue,
                    Some(_) => "UPDATE lookouts SET kind = $2, subject = $3, match_key = $4, reason = $5, action = $6, \
                        scope = $7, notify = $8, valid_from = $9, valid_until = $10, issued_by = $11, issued_role = $12, \
                        issued_at = $13, revision = $14, changed_at = $15, cancelled_at = $16, cancelled_by = $17, \
                        cancel_reason = $18, origin = 'central' WHERE uid = $1",
                    None => "INSERT INTO lookouts (uid, kind, subject, match_key, reason, action, scope, notify, \
                        valid_from, valid_until, issued_by, issued_role, issued_at, revision, changed_at, cancelled_at, \
                        cancelled_by, cancel_reason, origin) \
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 'central')",
                };
                sqlx::query(sql)
                    .bind(&l.uid)
                    .bind(l.subject.kind())
                    .bind(to_json(&l.subject)?)
                    .bind(match_key(&l.subject))
                    .bind(&l.reason)
                    .bind(l.action.as_str())
                    .bind(to_json(&l.scope)?)
                    .bind(to_json(&l.notify)?)
                    .bind(&l.valid_from)
                    .bind(&l.valid_until)
                    .bind(&l.issued_by)
                    .bind(l.issued_role.as_str())
                    .bind(&l.issued_at)
                    .bind(l.revision)
                    .bind(&l.changed_at)
                    .bind(&l.cancelled_at)
                    .bind(&l.cancelled_by)
                    .bind(&l.cancel_reason)
                    .execute(&mut *tx)
                    .await?;
                changed.push(serde_json::json!({ "uid": l.uid, "revision": l.revision,
                    "cancelled": l.cancelled_at.is_some() }));
            }
            let n = changed.len() as u64;
            if n > 0 {
                let detail = serde_json::json!({ "lookouts": changed }).to_string();
                append_in_tx!(tx, self, "system", "lookouts_pulled", "lookouts", &detail).await?;
            }
            tx.commit().await?;
            Ok(n)
        })
    }

    /// Stores the lookout hits of an inspection (one per lookout and
    /// traveller; a repeat is ignored), each audited `lookout_hit` by
    /// `actor` in the same transaction. Answers the stored hits.
    pub async fn record_lookout_hits(
        &self,
        actor: &str,
        hits: &[NewLookoutHit],
        now: Timestamp,
    ) -> Result<Vec<StoredLookoutHit>, StoreError> {
        if hits.is_empty() {
            return Ok(Vec::new());
        }
        let at = now.to_string();
        let backend = self.backend();
        let mut ids = Vec::with_capacity(hits.len());
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            for h in hits {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO lookout_hits (lookout_uid, crossing_id, post, kind, score, at) \
                     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (lookout_uid, crossing_id) DO NOTHING RETURNING id",
                )
                .bind(&h.lookout_uid)
                .bind(&h.crossing_id)
                .bind(&h.post)
                .bind(&h.kind)
                .bind(h.score)
                .bind(&at)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else { continue };
                let detail = serde_json::json!({
                    "crossing": h.crossing_id, "post": h.post, "kind": h.kind, "hit": id,
                })
                .to_string();
                append_in_tx!(tx, self, actor, "lookout_hit", format!("lookout:{}", h.lookout_uid), &detail).await?;
                ids.push(id);
            }
            tx.commit().await?;
        });
        self.lookout_hits_by_id(&ids).await
    }

    /// The stored lookout hits of these ids, in their order (an id not
    /// stored is left out).
    pub async fn lookout_hits_by_id(&self, ids: &[i64]) -> Result<Vec<StoredLookoutHit>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let filter = LookoutHitFilter { after_id: id - 1, limit: 1, ..LookoutHitFilter::default() };
            out.extend(self.lookout_hits(&filter).await?.into_iter().filter(|h| h.id == *id));
        }
        Ok(out)
    }

    /// Lookout hits, oldest first after `filter.after_id`, or newest first
    /// when `after_id` is 0; at most `filter.limit` (1 to 1,000).
    pub async fn lookout_hits(&self, filter: &LookoutHitFilter) -> Result<Vec<StoredLookoutHit>, StoreError> {
        let limit = i64::from(filter.limit.clamp(1, 1000));
        let order = if filter.after_id > 0 { "h.id ASC" } else { "h.id DESC" };
        let sql = format!(
            "SELECT h.id, h.lookout_uid, h.crossing_id, h.post, h.kind, h.score, h.at, \
             COALESCE(l.reason, '') AS reason, COALESCE(l.action, '') AS action, \
             COALESCE(l.issued_by, '') AS issued_by, COALESCE(l.notify, '[]') AS notify \
             FROM lookout_hits h LEFT JOIN lookouts l ON l.uid = h.lookout_uid \
             WHERE h.id > $1 AND ($2 = '' OR h.lookout_uid = $2) AND ($3 = '' OR h.post = $3) \
             ORDER BY {order} LIMIT $4"
        );
        on_pool!(self, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(filter.after_id.max(0))
                .bind(filter.lookout_uid.clone().unwrap_or_default())
                .bind(filter.post.clone().unwrap_or_default())
                .bind(limit)
                .fetch_all(p)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let notify: String = row.try_get("notify")?;
                out.push(StoredLookoutHit {
                    id: row.try_get("id")?,
                    lookout_uid: row.try_get("lookout_uid")?,
                    crossing_id: row.try_get("crossing_id")?,
                    post: row.try_get("post")?,
                    kind: row.try_get("kind")?,
                    score: row.try_get("score")?,
                    at: row.try_get("at")?,
                    reason: row.try_get("reason")?,
                    action: row.try_get("action")?,
                    issued_by: row.try_get("issued_by")?,
                    notify: serde_json::from_str(&notify).map_err(|e| corrupt("notify", e))?,
                });
            }
            Ok(out)
        })
    }
}
