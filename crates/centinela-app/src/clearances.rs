//! Remembered clearances (issue 19): a supervisor who dismisses a person hit
//! as "not this person" may clear the pair — this traveller's document
//! against this list entry as it stands — so that the daily commuter who
//! shares a listed person's name is not stopped every morning.
//!
//! Only supervisors clear and revoke, each for hits and clearances of the
//! posts they cover. A clearance lapses when the entry's content changes,
//! when it expires (the deployment's `--clearance-days`, 365 by default;
//! a supervisor may ask for fewer) or when revoked. Making, revoking and
//! listing are audited by the store or here; each use at the booth by
//! [`App::inspect`] (`clearance_used`).

use std::sync::atomic::Ordering;

use centinela_domain::{Role, Timestamp};
use centinela_store::{Actor, Clearance, ClearanceFilter, ClearancePair, MAX_CLEARANCE_DAYS, Verdict};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User, new_id};

/// How long a clearance lasts unless the deployment says otherwise.
pub const DEFAULT_CLEARANCE_DAYS: u32 = 365;

/// A clearance as shown: who cleared which traveller against which entry,
/// until when, and whether it is still in force.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClearanceView {
    pub uid: String,
    pub document_number: String,
    pub issuing_state: String,
    pub list_name: String,
    pub entry_id: String,
    pub list_version: i64,
    pub reason: String,
    pub cleared_by: String,
    pub cleared_role: String,
    pub post: String,
    pub cleared_at: String,
    pub expires_at: String,
    /// Where it was made: empty here, else a post's code or `central`.
    pub origin: String,
    /// `in_force`, `expired` or `revoked` (a changed list entry is found
    /// at the booth: the clearance then simply does not apply).
    pub status: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
}

impl ClearanceView {
    fn new(c: Clearance, now: Timestamp) -> ClearanceView {
        let status = if c.revocation.is_some() {
            "revoked"
        } else if c.expired(now) {
            "expired"
        } else {
            "in_force"
        };
        ClearanceView {
            status: status.to_string(),
            revoked_at: c.revocation.as_ref().map(|r| r.at.clone()),
            revoked_by: c.revocation.as_ref().map(|r| r.revoked_by.clone()),
            revoke_reason: c.revocation.as_ref().map(|r| r.reason.clone()),
            uid: c.uid,
            document_number: c.document_number,
            issuing_state: c.issuing_state,
            list_name: c.list_name,
            entry_id: c.entry_id,
            list_version: c.list_version,
            reason: c.reason,
            cleared_by: c.cleared_by,
            cleared_role: c.cleared_role.as_str().to_string(),
            post: c.post,
            cleared_at: c.cleared_at,
            expires_at: c.expires_at,
            origin: c.origin,
        }
    }
}

/// Which clearances to list.
#[derive(Debug, Clone, Default)]
pub struct ClearancesQuery {
    /// Only this post's (users bound to a post always see only theirs).
    pub post: Option<String>,
    /// Also revoked and expired ones.
    pub all: bool,
    /// At most this many, newest first (at most 1000).
    pub limit: u32,
}

fn supervisor_only(user: &User) -> Result<(), AppError> {
    if user.role == Role::Supervisor {
        Ok(())
    } else {
        Err(AppError::Forbidden("only a supervisor clears or revokes a clearance".into()))
    }
}

impl App {
    /// The longest a clearance lasts here (`--clearance-days`).
    pub fn clearance_days(&self) -> u32 {
        self.0.clearance_days.load(Ordering::Relaxed)
    }

    /// Sets how long clearances last from now on (1 to 3650 days).
    pub fn set_clearance_days(&self, days: u32) -> Result<(), AppError> {
        if days == 0 || days > MAX_CLEARANCE_DAYS {
            return Err(AppError::Invalid(format!("clearance_days: from 1 to {MAX_CLEARANCE_DAYS}")));
        }
        self.0.clearance_days.store(days, Ordering::Relaxed);
        Ok(())
    }

    /// A supervisor clears the pair of a hit already dismissed: its
    /// traveller's document against its list entry as screened, for `days`
    /// (at most, and by default, the deployment's `--clearance-days`).
    pub async fn clear_hit(
        &self,
        user: &User,
        hit_id: i64,
        reason: &str,
        days: Option<u32>,
    ) -> Result<ClearanceView, AppError> {
        supervisor_only(user)?;
        let hit = self.store().hit(hit_id).await?.ok_or_else(|| AppError::NotFound(format!("no hit {hit_id}")))?;
        user.check_post(&hit.post)?;
        let max = self.clearance_days();
        let days = days.unwrap_or(max);
        if days == 0 || days > max {
            return Err(AppError::Invalid(format!("days: from 1 to {max}")));
        }
        let now = Timestamp::now();
        let c = self.store().clear_hit(user.store_actor(), &new_id(), hit_id, reason, days, now).await?;
        tracing::info!(user = user.id, hit = hit_id, days, "hit cleared");
        Ok(ClearanceView::new(c, now))
    }

    /// Dismisses a hit as not this person and clears the pair, in that
    /// order (the web page's "dismiss and clear"). A hit already dismissed
    /// is not adjudicated again.
    pub async fn dismiss_and_clear(
        &self,
        user: &User,
        hit_id: i64,
        reason: &str,
        days: Option<u32>,
    ) -> Result<ClearanceView, AppError> {
        supervisor_only(user)?;
        let hit = self.store().hit(hit_id).await?.ok_or_else(|| AppError::NotFound(format!("no hit {hit_id}")))?;
        user.check_post(&hit.post)?;
        if hit.kind != centinela_domain::HitKind::Person {
            return Err(AppError::Invalid(
                "hit: only a name-screening hit can be cleared (a reported document stays reported)".into(),
            ));
        }
        // What the clearance needs, checked before the dismissal is
        // recorded: a dismissal that cannot be remembered is the supervisor's
        // to make with the plain "dismiss".
        let crossing = self.store().crossing(&hit.crossing_id).await?;
        if crossing.is_none_or(|c| c.record.document_number.is_none()) {
            return Err(AppError::Invalid(
                "hit: the traveller presented no document, and a clearance is bound to one".into(),
            ));
        }
        if hit.adjudication.as_ref().is_none_or(|a| a.decision != Verdict::Dismissed) {
            self.adjudicate(user, hit_id, Verdict::Dismissed, reason).await?;
        }
        self.clear_hit(user, hit_id, reason, days).await
    }

    /// Clearances, newest first (in force only unless `q.all`); a user bound
    /// to a post sees only that post's. Audited (they name documents).
    pub async fn clearances(&self, caller: Caller<'_>, q: ClearancesQuery) -> Result<Vec<ClearanceView>, AppError> {
        let post = match caller {
            Caller::User(u) => u.post.clone().or(q.post),
            Caller::Cli => q.post,
        };
        let now = Timestamp::now();
        let filter = ClearanceFilter { post: post.clone(), all: q.all, limit: q.limit.clamp(1, 1000) };
        let found = self.store().clearances(&filter, now).await?;
        self.audit(caller, "clearances_viewed", "clearances", json!({ "count": found.len(), "post": post })).await?;
        Ok(found.into_iter().map(|c| ClearanceView::new(c, now)).collect())
    }

    /// Revokes a clearance: a supervisor covering its post, or the operator
    /// at the command line.
    pub async fn revoke_clearance(
        &self,
        caller: Caller<'_>,
        uid: &str,
        reason: &str,
    ) -> Result<ClearanceView, AppError> {
        let uid = uid.trim();
        if uid.is_empty() || uid.len() > 64 || !uid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(AppError::Invalid("uid: not a clearance id".into()));
        }
        let c = self.store().clearance(uid).await?.ok_or_else(|| AppError::NotFound("no such clearance".into()))?;
        let cli = Actor { user_id: 0, username: "cli", role: Role::Admin };
        let actor = match caller {
            Caller::User(u) => {
                supervisor_only(u)?;
                u.check_post(&c.post)?;
                u.store_actor()
            }
            Caller::Cli => cli,
        };
        let revoked = self.store().revoke_clearance(actor, uid, &new_id(), reason).await?;
        Ok(ClearanceView::new(revoked, Timestamp::now()))
    }

    /// The clearances in force for this inspection's person hits, applied:
    /// cleared hits leave the alerts and the suggestion. Returns the uids
    /// used, per traveller (for the audit).
    pub(crate) async fn apply_clearances(
        &self,
        outcome: &mut centinela_inspect::PartyOutcome,
        at: Timestamp,
    ) -> Result<Vec<(usize, String)>, AppError> {
        let mut pairs = Vec::new();
        for (t, r) in outcome.travellers.iter().zip(&outcome.records) {
            let Some(number) = &r.document_number else { continue };
            for h in t.hits.iter().filter(|h| h.kind == centinela_domain::HitKind::Person) {
                pairs.push(ClearancePair {
                    document_number: number.as_str().to_string(),
                    issuing_state: r.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
                    list_name: h.list.clone(),
                    entry_id: h.entry_id.clone(),
                });
            }
        }
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let found = self.store().clearances_of(&pairs).await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<(String, String)> = outcome
            .records
            .iter()
            .map(|r| {
                (
                    r.document_number.as_ref().map(|n| n.as_str().to_string()).unwrap_or_default(),
                    r.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
                )
            })
            .collect();
        let mut used = Vec::new();
        centinela_inspect::apply_clearances(outcome, |i, hit| {
            let (number, state) = &records[i];
            let hash = hit.entry_hash.as_deref()?;
            let c = found.iter().find(|c| {
                !number.is_empty()
                    && &c.document_number == number
                    && &c.issuing_state == state
                    && c.list_name == hit.list
                    && c.entry_id == hit.entry_id
                    && c.in_force(at, hash)
            })?;
            used.push((i, c.uid.clone()));
            Some(centinela_inspect::ClearanceNote {
                uid: c.uid.clone(),
                cleared_at: c.cleared_at.clone(),
                cleared_by: c.cleared_by.clone(),
                reason: c.reason.clone(),
                expires_at: c.expires_at.clone(),
            })
        });
        Ok(used)
    }
}
