//! Lookouts (issue 21, parts 3 and 4): a supervisor or an analyst issues
//! an urgent, targeted alert — a person, a document, a vehicle or a phone —
//! with a reason, a requested action, a validity window (it expires by
//! itself) and a scope; it can be changed and cancelled where it was
//! issued. Every write is audited by the store in its transaction; every
//! listing here before it is answered.
//!
//! At the booth [`App::inspect`] screens each party against the lookouts in
//! force at its post (the index in memory is rebuilt at once on every
//! issue, change, cancellation or pull — no reload), stores each hit and
//! audits it (`lookout_hit`), and tells whoever listens ([`App::lookout_hit_events`]:
//! the duty supervisor's live page, the issuer).
//!
//! Distribution: the centre answers a post's long poll
//! ([`App::answer_lookouts_pull`]) as soon as a lookout changes — the
//! store's stamp moves with each committed write — so that an online
//! post has a new lookout in force within a second or two; a post that
//! was offline gets the whole current set (cancellations included) when it
//! is back.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use centinela_domain::{CountryCode, LookoutAction, LookoutInput, LookoutScope, Role, Timestamp, check_line};
use centinela_inspect::{Lookout, LookoutIndex, PartyOutcome, TravellerOutcome};
use centinela_store::{
    Actor, LookoutChange, LookoutHitFilter, LookoutsAnswer, LookoutsPull, MAX_LOOKOUTS, NewLookoutHit, StoredLookout,
    StoredLookoutHit,
};
use serde::{Deserialize, Serialize};

use serde_json::json;
use tokio::sync::{broadcast, watch};

use crate::sync::SyncPost;
use crate::{App, AppError, Caller, User, new_id};

/// The longest a post's long poll is held before it is answered unchanged.
pub const MAX_WAIT_SECS: u32 = 30;

/// The lookouts in memory and who waits on them.
pub(crate) struct LookoutState {
    index: RwLock<Arc<LookoutIndex>>,
    /// Each post's country, for lookouts scoped to a country.
    countries: RwLock<HashMap<String, CountryCode>>,
    loaded: AtomicBool,
    /// Moves after every committed change made through this node: wakes
    /// the posts' long polls waiting here.
    generation: watch::Sender<u64>,
    hits: broadcast::Sender<StoredLookoutHit>,
}

impl Default for LookoutState {
    fn default() -> Self {
        LookoutState {
            index: RwLock::new(Arc::new(LookoutIndex::empty())),
            countries: RwLock::new(HashMap::new()),
            loaded: AtomicBool::new(false),
            generation: watch::channel(0).0,
            hits: broadcast::channel(256).0,
        }
    }
}

/// A lookout as shown, with its state now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookoutView {
    #[serde(flatten)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub lookout: StoredLookout,
    /// `in_force`, `pending`, `expired` or `cancelled`.
    pub state: String,
    /// The subject as the booth shows it.
    pub subject_text: String,
}

impl LookoutView {
    fn new(lookout: StoredLookout, now: Timestamp) -> LookoutView {
        LookoutView { state: lookout.state(now).to_string(), subject_text: lookout.subject.describe(), lookout }
    }
}

/// What a change may set (absent: unchanged).
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LookoutChangeInput {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub action: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub notify: Option<Vec<String>>,
}

/// The store's actor for `caller` (the command line as `cli`).
fn actor<'a>(caller: Caller<'a>) -> Actor<'a> {
    match caller {
        Caller::User(u) => u.store_actor(),
        Caller::Cli => Actor { user_id: 0, username: "cli", role: Role::Admin },
    }
}

fn may_issue(caller: Caller<'_>) -> Result<(), AppError> {
    let Caller::User(user) = caller else { return Ok(()) };
    match user.role {
        Role::Supervisor | Role::Analyst => Ok(()),
        _ => Err(AppError::Forbidden("only a supervisor or an analyst issues, changes or cancels a lookout".into())),
    }
}

/// A user bound to a post issues, changes and cancels only lookouts scoped
/// to that post alone; country-wide users any.
fn check_scope(caller: Caller<'_>, scope: &LookoutScope) -> Result<(), AppError> {
    let Caller::User(user) = caller else { return Ok(()) };
    match (&user.post, scope) {
        (None, _) => Ok(()),
        (Some(p), LookoutScope::Posts { posts }) if posts.len() == 1 && &posts[0] == p => Ok(()),
        (Some(_), _) => {
            Err(AppError::Forbidden("a user bound to a post issues lookouts for that post only (scope_posts)".into()))
        }
    }
}

fn to_lookout(l: &StoredLookout) -> Option<Lookout> {
    Some(Lookout {
        uid: l.uid.clone(),
        subject: l.subject.clone(),
        reason: l.reason.clone(),
        action: l.action,
        scope: l.scope.clone(),
        valid_from: Timestamp::parse(&l.valid_from).ok()?,
        valid_until: Timestamp::parse(&l.valid_until).ok()?,
    })
}

impl App {
    fn lookout_state(&self) -> &LookoutState {
        &self.0.lookouts
    }

    /// Rebuilds the lookouts in memory from the store (those not cancelled
    /// whose window has not ended) and the posts' countries. Answers how
    /// many are held.
    pub async fn reload_lookouts(&self) -> Result<usize, AppError> {
        let now = Timestamp::now();
        let held = self.store().lookouts(false, MAX_LOOKOUTS as u32, now).await?;
        let countries: HashMap<String, CountryCode> = self
            .store()
            .post_infos()
            .await?
            .into_iter()
            .filter_map(|p| CountryCode::parse(&p.country).ok().map(|c| (p.code, c)))
            .collect();
        let index = LookoutIndex::build(held.iter().filter_map(to_lookout).collect());
        let n = index.len();
        let s = self.lookout_state();
        *s.countries.write().unwrap_or_else(|e| e.into_inner()) = countries;
        *s.index.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(index);
        s.loaded.store(true, Ordering::Release);
        Ok(n)
    }

    /// After a committed change: the index at once, then the waiting posts.
    async fn lookouts_changed(&self) -> Result<(), AppError> {
        self.reload_lookouts().await?;
        self.lookout_state().generation.send_modify(|g| *g = g.wrapping_add(1).max(1));
        Ok(())
    }

    /// Issues a lookout.
    pub async fn issue_lookout(&self, caller: Caller<'_>, input: &LookoutInput) -> Result<LookoutView, AppError> {
        may_issue(caller)?;
        let now = Timestamp::now();
        let mut draft = input.parse(now).map_err(|e| AppError::Invalid(e.to_string()))?;
        // A user bound to a post who names no scope issues for their post
        // (the answer shows the scope); any other scope is checked below.
        if let (Caller::User(User { post: Some(p), .. }), LookoutScope::All) = (caller, &draft.scope) {
            draft.scope = LookoutScope::Posts { posts: vec![p.clone()] };
        }
        check_scope(caller, &draft.scope)?;
        if let LookoutScope::Posts { posts } = &draft.scope {
            let known: Vec<String> = self.store().post_infos().await?.into_iter().map(|p| p.code).collect();
            if let Some(p) = posts.iter().find(|p| !known.contains(p)) {
                return Err(AppError::Invalid(format!("scope_posts: no border post '{p}'")));
            }
        }
        let stored = self.store().issue_lookout(actor(caller), &new_id(), &draft, now).await?;
        tracing::info!(lookout = %stored.uid, kind = stored.subject.kind(), "lookout issued");
        self.lookouts_changed().await?;
        Ok(LookoutView::new(stored, now))
    }

    async fn own_lookout(&self, caller: Caller<'_>, uid: &str) -> Result<StoredLookout, AppError> {
        may_issue(caller)?;
        if uid.is_empty() || uid.len() > 64 {
            return Err(AppError::NotFound("no such lookout".into()));
        }
        let Some(l) = self.store().lookout(uid).await? else {
            return Err(AppError::NotFound("no such lookout".into()));
        };
        check_scope(caller, &l.scope)?;
        Ok(l)
    }

    /// Changes a lookout issued here (reason, action, end, people told).
    pub async fn change_lookout(
        &self,
        caller: Caller<'_>,
        uid: &str,
        input: &LookoutChangeInput,
    ) -> Result<LookoutView, AppError> {
        self.own_lookout(caller, uid).await?;
        let now = Timestamp::now();
        let bad = |field: &str, e: &dyn std::fmt::Display| AppError::Invalid(format!("{field}: {e}"));
        let reason = match input.reason.as_deref().map(str::trim) {
            Some("") => return Err(AppError::Invalid("reason: required".into())),
            Some(r) => {
                check_line(r, centinela_domain::lookout::MAX_REASON).map_err(|e| bad("reason", &e))?;
                Some(r.to_string())
            }
            None => None,
        };
        let action = input.action.as_deref().map(LookoutAction::parse).transpose().map_err(|e| bad("action", &e))?;
        let valid_until =
            input.valid_until.as_deref().map(Timestamp::parse).transpose().map_err(|e| bad("valid_until", &e))?;
        let notify = match &input.notify {
            Some(n) => Some(centinela_domain::lookout::parse_notify(n).map_err(|e| AppError::Invalid(e.to_string()))?),
            None => None,
        };
        let change = LookoutChange { reason, action, valid_until, scope: None, notify };
        let stored = self.store().change_lookout(actor(caller), uid, &change, now).await?;
        self.lookouts_changed().await?;
        Ok(LookoutView::new(stored, now))
    }

    /// Cancels a lookout issued here, with a reason.
    pub async fn cancel_lookout(&self, caller: Caller<'_>, uid: &str, reason: &str) -> Result<LookoutView, AppError> {
        self.own_lookout(caller, uid).await?;
        let now = Timestamp::now();
        let stored = self.store().cancel_lookout(actor(caller), uid, reason, now).await?;
        tracing::info!(lookout = %stored.uid, "lookout cancelled");
        self.lookouts_changed().await?;
        Ok(LookoutView::new(stored, now))
    }

    /// Lookouts, newest first: those in force or pending, or with `all`
    /// every one; a user bound to a post sees those covering it. Audited
    /// (`lookouts_listed`): they name people.
    pub async fn lookouts(&self, caller: Caller<'_>, all: bool, limit: u32) -> Result<Vec<LookoutView>, AppError> {
        let now = Timestamp::now();
        let limit = limit.clamp(1, 1000);
        let mut found = self.store().lookouts(all, limit, now).await?;
        if let Caller::User(User { post: Some(p), .. }) = caller {
            let country = self.post_country(p);
            found.retain(|l| l.scope.covers(p, country));
        }
        self.audit(caller, "lookouts_listed", "lookouts", json!({ "all": all, "shown": found.len() })).await?;
        Ok(found.into_iter().map(|l| LookoutView::new(l, now)).collect())
    }

    /// One lookout, audited (`lookout_viewed`).
    pub async fn lookout(&self, caller: Caller<'_>, uid: &str) -> Result<LookoutView, AppError> {
        let now = Timestamp::now();
        if uid.is_empty() || uid.len() > 64 {
            return Err(AppError::NotFound("no such lookout".into()));
        }
        let Some(l) = self.store().lookout(uid).await? else {
            return Err(AppError::NotFound("no such lookout".into()));
        };
        if let Caller::User(User { post: Some(p), .. }) = caller
            && !l.scope.covers(p, self.post_country(p))
        {
            return Err(AppError::NotFound("no such lookout".into()));
        }
        self.audit(caller, "lookout_viewed", format!("lookout:{}", l.uid), json!({})).await?;
        Ok(LookoutView::new(l, now))
    }

    /// Lookout hits, newest first (or after `filter.after_id`, oldest
    /// first); a user bound to a post sees their post's. Audited
    /// (`lookout_hits_listed`).
    pub async fn lookout_hits(
        &self,
        caller: Caller<'_>,
        mut filter: LookoutHitFilter,
    ) -> Result<Vec<StoredLookoutHit>, AppError> {
        if let Caller::User(User { post: Some(p), .. }) = caller {
            filter.post = Some(p.clone());
        }
        filter.limit = filter.limit.clamp(1, 1000);
        let hits = self.store().lookout_hits(&filter).await?;
        self.audit(caller, "lookout_hits_listed", "lookouts", json!({ "shown": hits.len(), "post": filter.post }))
            .await?;
        Ok(hits)
    }

    /// New lookout hits as they are stored here, for live pages. A
    /// receiver that falls behind skips ([`broadcast`]'s lag); the page
    /// reads the rest with [`App::lookout_hits`].
    pub fn lookout_hit_events(&self) -> broadcast::Receiver<StoredLookoutHit> {
        self.lookout_state().hits.subscribe()
    }

    /// Whether `user` is told of `hit` live: the duty supervisor of its
    /// post (or any country-wide supervisor), the lookout's issuer and the
    /// people it names.
    pub fn told_of(user: &User, hit: &StoredLookoutHit) -> bool {
        let supervisor = user.role == Role::Supervisor && user.covers_post(&hit.post);
        supervisor || hit.issued_by == user.username || hit.notify.iter().any(|n| n == &user.username)
    }

    fn post_country(&self, post: &str) -> Option<CountryCode> {
        self.lookout_state().countries.read().unwrap_or_else(|e| e.into_inner()).get(post).copied()
    }

    /// Screens an inspected party against the lookouts in force at `post`.
    pub(crate) async fn screen_lookouts(
        &self,
        outcome: &mut PartyOutcome,
        post: &str,
        at: Timestamp,
    ) -> Result<(), AppError> {
        if !self.lookout_state().loaded.load(Ordering::Acquire) {
            self.reload_lookouts().await?;
        }
        let index = self.lookout_state().index.read().unwrap_or_else(|e| e.into_inner()).clone();
        index.screen(outcome, post, self.post_country(post), at);
        Ok(())
    }

    /// Stores and audits the lookout hits of a recorded party, then tells
    /// the live pages.
    pub(crate) async fn record_lookout_hits(
        &self,
        user: &User,
        travellers: &[TravellerOutcome],
        post: &str,
        at: Timestamp,
    ) -> Result<(), AppError> {
        let new: Vec<NewLookoutHit> = travellers
            .iter()
            .flat_map(|t| {
                t.lookouts.iter().map(|h| NewLookoutHit {
                    lookout_uid: h.lookout_uid.clone(),
                    crossing_id: t.crossing_id.clone(),
                    post: post.to_string(),
                    kind: h.kind.clone(),
                    score: h.score,
                })
            })
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        let stored = self.store().record_lookout_hits(&user.actor(), &new, at).await?;
        self.tell_lookout_hits(stored);
        Ok(())
    }

    /// Tells the live pages (and the after-hours notifications) of lookout
    /// hits stored here: made at this installation's booths, or pushed by a
    /// post to the centre, where the lookout's issuer is.
    pub(crate) fn tell_lookout_hits(&self, hits: Vec<StoredLookoutHit>) {
        for h in hits {
            tracing::warn!(lookout = %h.lookout_uid, post = %h.post, hit = h.id, "lookout hit");
            self.queue_notifications(&h);
            // No listener is no error.
            let _ = self.lookout_state().hits.send(h);
        }
    }

    /// The centre's side of a post's long poll: waits (at most
    /// `wait_secs`) until the lookouts change from the generation the post
    /// holds, then answers every lookout whose window has not ended —
    /// audited as the post's (`sync_lookouts_pulled`) when it carries any.
    pub async fn answer_lookouts_pull(&self, post: &SyncPost, req: &LookoutsPull) -> Result<LookoutsAnswer, AppError> {
        if req.protocol != centinela_store::PROTOCOL {
            return Err(AppError::Invalid(format!("protocol: {} is not {}", req.protocol, centinela_store::PROTOCOL)));
        }
        if req.wait_secs > MAX_WAIT_SECS {
            return Err(AppError::Invalid(format!("wait_secs: at most {MAX_WAIT_SECS}")));
        }
        // The generation is the store's stamp, so that any node of the
        // centre answers alike; a write through this node wakes the wait at
        // once, one through another node within a second.
        let mut rx = self.lookout_state().generation.subscribe();
        let mut generation = self.store().lookouts_stamp().await?;
        if generation == req.generation && req.wait_secs > 0 {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(u64::from(req.wait_secs));
            while generation == req.generation && tokio::time::Instant::now() < deadline {
                let next = (tokio::time::Instant::now() + Duration::from_secs(1)).min(deadline);
                let _ = tokio::time::timeout_at(next, rx.changed()).await;
                generation = self.store().lookouts_stamp().await?;
            }
        }
        if generation == req.generation {
            return Ok(LookoutsAnswer { generation, changed: false, lookouts: Vec::new() });
        }
        let lookouts = self.store().lookouts_for_posts(Timestamp::now()).await?;
        if !lookouts.is_empty() {
            let detail = json!({ "lookouts": lookouts.len(), "generation": generation });
            self.audit_as(&format!("post:{}", post.code), "sync_lookouts_pulled", &post.code, detail).await?;
        }
        Ok(LookoutsAnswer { generation, changed: true, lookouts })
    }
}
