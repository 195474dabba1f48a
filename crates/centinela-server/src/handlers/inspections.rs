//! The border post's work: `POST /api/inspections` (the pipeline of
//! `centinela-inspect`, stored by the group-commit writer before the answer
//! is sent), hits and their adjudication, officers' decisions, crossings and
//! a traveller's timeline, border posts, and reloading the alert lists.
//!
//! Officers and supervisors bound to a post see and act on that post's
//! records only; country-wide users see every post. Every read of a
//! person's data and every write is in the audit chain.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use axum::extract::State;
use axum::http::StatusCode;
use centinela_domain::Timestamp;
use centinela_inspect::{History, PartyOutcome, PartyRequest, TravellerOutcome, Watchlists};
use centinela_store::{
    Actor, Decision, HistoryReader, HitKind, InspectionWriter, NewHit, NewInspection, Store, StoreError,
    StoredCrossing, StoredHit, Verdict,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::{AuthUser, CurrentUser};
use crate::error::{ApiError, ErrorBody, ErrorCode, Json, Path, Query};
use crate::state::AppState;

/// What inspections need beyond the store: the alert lists in memory, the
/// group-commit writer, the known posts.
pub struct Inspections {
    lists: RwLock<Arc<Watchlists>>,
    /// The version of each list in `lists`, so that every hit names the
    /// version it was screened against.
    versions: RwLock<Arc<HashMap<String, i64>>>,
    posts: RwLock<HashSet<String>>,
    writer: InspectionWriter,
    history: HistoryReader,
}

impl Inspections {
    /// Empty lists; [`Inspections::reload`] fills them. Needs a tokio runtime
    /// (it starts the writer task).
    pub fn new(store: &Store) -> Inspections {
        Inspections {
            lists: RwLock::new(Arc::new(Watchlists::empty())),
            versions: RwLock::new(Arc::new(HashMap::new())),
            posts: RwLock::new(HashSet::new()),
            writer: InspectionWriter::spawn(store.clone()),
            history: HistoryReader::spawn(store.clone()),
        }
    }

    /// Reads every active list and the posts from the store and swaps them
    /// in; inspections under way finish with the lists they started with.
    /// Returns (person entries, reported documents).
    pub async fn reload(&self, store: &Store) -> Result<(usize, usize), StoreError> {
        let entries = store.current_entries().await?;
        let stored = store.rules().await?;
        let documents = store.document_indexes().await?;
        let summaries = store.lists().await?;
        let versions: HashMap<String, i64> =
            summaries.iter().filter_map(|l| l.version.map(|v| (l.name.clone(), v))).collect();
        let kinds: Vec<(String, centinela_domain::ListKind)> =
            summaries.into_iter().map(|l| (l.name, l.kind)).collect();
        let built = tokio::task::spawn_blocking(move || {
            let persons = entries
                .into_iter()
                .map(|e| {
                    let list = centinela_inspect::ListRef { name: e.list, kind: e.kind, action: e.action };
                    (list, e.entry)
                })
                .collect();
            let docs = documents
                .into_iter()
                .map(|(name, index)| {
                    let kind =
                        kinds.iter().find(|(n, _)| *n == name).map_or(centinela_domain::ListKind::Documents, |k| k.1);
                    let list = centinela_inspect::ListRef {
                        name: Arc::from(name.as_str()),
                        kind,
                        action: Arc::from(kind.default_action()),
                    };
                    (list, index)
                })
                .collect();
            let (rules, skipped) = centinela_rules::in_force(stored.iter().map(|r| centinela_rules::StoredRuleRef {
                rule_id: &r.rule_id,
                version: r.version,
                source: &r.source,
                enabled: r.enabled,
            }));
            for id in skipped {
                tracing::warn!(rule = %id, "a stored rule no longer parses or compiles; skipped");
            }
            Watchlists::build(persons, docs).with_rules(rules)
        })
        .await
        .map_err(|e| StoreError::Conflict(format!("building the screening index failed: {e}")))?;
        let sizes = built.sizes();
        let posts: HashSet<String> = store.posts().await?.into_iter().map(|p| p.code).collect();
        {
            let mut lists = self.lists.write().unwrap_or_else(|e| e.into_inner());
            *self.versions.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(versions);
            *lists = Arc::new(built);
        }
        *self.posts.write().unwrap_or_else(|e| e.into_inner()) = posts;
        Ok(sizes)
    }

    /// The lists in memory with their versions, taken together.
    fn lists(&self) -> (Arc<Watchlists>, Arc<HashMap<String, i64>>) {
        let lists = self.lists.read().unwrap_or_else(|e| e.into_inner());
        let versions = self.versions.read().unwrap_or_else(|e| e.into_inner()).clone();
        (lists.clone(), versions)
    }

    fn has_post(&self, code: &str) -> bool {
        self.posts.read().unwrap_or_else(|e| e.into_inner()).contains(code)
    }
}

/// A new id made here (the post): a UUIDv7, ordered by time and unique
/// across posts, so that records can be synchronised without renaming.
fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn actor(user: &AuthUser) -> Actor<'_> {
    Actor { user_id: user.id, username: &user.username, role: user.role }
}

fn check_post(user: &AuthUser, post: &str) -> Result<(), ApiError> {
    if user.covers_post(post) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::Forbidden, "this record belongs to another border post"))
    }
}

/// One traveller as inspected and stored, with the ids of the hits raised
/// (to adjudicate them).
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordedTraveller {
    #[serde(flatten)]
    pub outcome: TravellerOutcome,
    pub hit_ids: Vec<i64>,
}

/// The answer to an inspection: what the officer sees, already stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionAnswer {
    /// The travel party's id (empty for a traveller alone).
    pub group_id: String,
    /// The most cautious suggestion of the party: advice, never a decision.
    #[schema(value_type = String, example = "admit")]
    pub suggested: centinela_inspect::NextStep,
    pub travellers: Vec<RecordedTraveller>,
}

/// Inspect a travel party at a border post: document checks, stolen/lost
/// document lookup, name screening against every active list, risk
/// indicators, a suggested next step. The crossings and everything shown
/// are stored before the answer is sent.
#[utoipa::path(post, path = "/api/inspections", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    request_body = PartyRequest,
    responses(
        (status = 201, description = "Inspected and stored", body = InspectionAnswer),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed, or another post's booth", body = ErrorBody),
        (status = 422, description = "A field is invalid (`invalid_field`, naming it)", body = ErrorBody),
    ))]
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<PartyRequest>,
) -> Result<(StatusCode, Json<InspectionAnswer>), ApiError> {
    Ok((StatusCode::CREATED, Json(run_inspection(&app, &user, &req).await?)))
}

/// Inspects a party for `user` and stores it (the API's and the web
/// interface's one way in): checks the post, fetches each document's
/// history, runs the pipeline, and waits for the group commit.
pub async fn run_inspection(app: &AppState, user: &AuthUser, req: &PartyRequest) -> Result<InspectionAnswer, ApiError> {
    let ins = app.inspections();
    let post = req.post.trim().to_string();
    if !ins.has_post(&post) {
        return Err(ApiError::invalid_field(format!(
            "post: no border post '{}'",
            post.chars().take(40).collect::<String>()
        )));
    }
    check_post(user, &post)?;
    let at = Timestamp::now();
    let docs = centinela_inspect::documents_of(req, at).map_err(|e| ApiError::invalid_field(e.to_string()))?;
    // Each document's earlier holders, in one batched read for the party.
    let asked: Vec<(String, String)> = docs.iter().flatten().cloned().collect();
    let mut found = ins.history.holders(asked).await.map_err(|e| ApiError::internal(&*e))?.into_iter();
    let history: Vec<History> = docs
        .iter()
        .map(|d| match d {
            Some(_) => History { holders: found.next().unwrap_or_default() },
            None => History::default(),
        })
        .collect();
    let ids: Vec<String> = (0..req.travellers.len()).map(|_| new_id()).collect();
    let group = new_id();
    let (lists, versions) = ins.lists();
    let outcome: PartyOutcome = centinela_inspect::inspect(req, &lists, at, &ids, &history, &group)
        .map_err(|e| ApiError::invalid_field(e.to_string()))?;
    let mut party = Vec::with_capacity(outcome.travellers.len());
    for (t, record) in outcome.travellers.iter().zip(outcome.records) {
        let result = serde_json::to_string(t).map_err(|e| ApiError::internal(&e))?;
        party.push(NewInspection {
            record,
            relation: t.relation.as_str().to_string(),
            officer_id: user.id,
            actor: user.actor(),
            suggested: t.suggested.as_str().to_string(),
            result,
            hits: t
                .hits
                .iter()
                .map(|h| NewHit {
                    kind: if h.kind == "document" { HitKind::Document } else { HitKind::Person },
                    list_name: h.list.clone(),
                    list_kind: h.list_kind.as_str().to_string(),
                    entry_id: h.entry_id.clone(),
                    score: h.score,
                    action: h.action.clone(),
                    explanation: serde_json::to_string(&h.explanation).unwrap_or_else(|_| "[]".into()),
                    list_version: versions.get(&h.list).copied(),
                })
                .collect(),
            flags: t.flags.iter().map(|f| f.code.clone()).collect(),
        });
    }
    let recorded = ins.writer.record(party).await.map_err(|e| match &*e {
        StoreError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m.clone()),
        other => ApiError::internal(other),
    })?;
    tracing::info!(
        user = user.id,
        travellers = recorded.len(),
        hits = recorded.iter().map(|r| r.hit_ids.len()).sum::<usize>(),
        suggested = outcome.suggested.as_str(),
        "inspection recorded"
    );
    let travellers = outcome
        .travellers
        .into_iter()
        .zip(recorded)
        .map(|(outcome, r)| RecordedTraveller { outcome, hit_ids: r.hit_ids })
        .collect();
    Ok(InspectionAnswer { group_id: outcome.group_id, suggested: outcome.suggested, travellers })
}

/// A hit as a supervisor reviews it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitView {
    pub id: i64,
    pub crossing_id: String,
    /// `person` or `document`.
    pub kind: String,
    pub list_name: String,
    pub list_kind: String,
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    #[schema(value_type = Object)]
    pub explanation: serde_json::Value,
    pub created_at: String,
    pub post: String,
    pub crossed_at: String,
    /// The version of the list the traveller was screened against.
    pub list_version: Option<i64>,
    /// Where the hit was raised: empty here, else the border post's code
    /// (it came by synchronisation).
    pub origin: String,
    /// The adjudication in force; absent while the hit is open.
    pub adjudication: Option<AdjudicationView>,
    /// Every adjudication, wherever made (a post and the centre may both
    /// judge a hit), in order by time then origin: the last stands.
    pub adjudications: Vec<AdjudicationView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdjudicationView {
    pub id: i64,
    /// `confirmed` or `dismissed`.
    pub decision: String,
    pub reason: String,
    pub user_id: i64,
    /// The adjudication this one replaces.
    pub corrects: Option<i64>,
    pub at: String,
    /// Where it was made: empty here, else the border post's code.
    pub origin: String,
}

impl From<centinela_store::Adjudication> for AdjudicationView {
    fn from(a: centinela_store::Adjudication) -> Self {
        AdjudicationView {
            id: a.id,
            decision: a.decision.as_str().to_string(),
            reason: a.reason,
            user_id: a.user_id,
            corrects: a.corrects,
            at: a.at,
            origin: a.origin,
        }
    }
}

impl From<StoredHit> for HitView {
    fn from(h: StoredHit) -> Self {
        HitView {
            id: h.id,
            crossing_id: h.crossing_id,
            kind: h.kind,
            list_name: h.list_name,
            list_kind: h.list_kind,
            entry_id: h.entry_id,
            score: h.score,
            action: h.action,
            explanation: h.explanation,
            created_at: h.created_at,
            post: h.post,
            crossed_at: h.crossed_at,
            list_version: h.list_version,
            origin: h.origin,
            adjudication: h.adjudication.map(Into::into),
            adjudications: h.adjudications.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HitsQuery {
    /// Only hits not yet adjudicated (default true).
    pub open: Option<bool>,
    /// Only hits at this post (users bound to a post always see only theirs).
    pub post: Option<String>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// Hits, newest first: open ones by default.
#[utoipa::path(get, path = "/api/hits", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    params(HitsQuery),
    responses(
        (status = 200, description = "Hits", body = [HitView]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn hits(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HitsQuery>,
) -> Result<Json<Vec<HitView>>, ApiError> {
    let post = user.post.clone().or(q.post);
    let limit = u64::from(q.limit.unwrap_or(100).min(1000));
    let hits = app.store().hits(q.open.unwrap_or(true), post.as_deref(), limit).await?;
    app.audit(&user, "hits_viewed", "hits", json!({ "count": hits.len(), "post": post })).await?;
    Ok(Json(hits.into_iter().map(HitView::from).collect()))
}

/// A supervisor's judgement of a hit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjudicationRequest {
    /// `confirmed` or `dismissed`.
    #[schema(value_type = crate::openapi::names::VerdictName, example = "dismissed")]
    pub decision: Verdict,
    /// Why: required.
    #[schema(example = "otra fecha de nacimiento y otra nacionalidad")]
    pub reason: String,
}

/// Confirm or dismiss a hit, with a reason. A later adjudication corrects
/// an earlier one, which stays on record.
#[utoipa::path(post, path = "/api/hits/{id}/adjudication", tag = "inspections",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The hit's id")),
    request_body = AdjudicationRequest,
    responses(
        (status = 201, description = "Recorded", body = AdjudicationView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not a supervisor, or another post's hit", body = ErrorBody),
        (status = 404, description = "No such hit", body = ErrorBody),
        (status = 422, description = "No reason (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn adjudicate(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<AdjudicationRequest>,
) -> Result<(StatusCode, Json<AdjudicationView>), ApiError> {
    let hit = app.store().hit(id).await?.ok_or_else(|| ApiError::not_found(format!("no hit {id}")))?;
    check_post(&user, &hit.post)?;
    if req.reason.trim().is_empty() {
        return Err(ApiError::invalid_field("reason: an adjudication needs a reason"));
    }
    if req.reason.chars().count() > 2000 {
        return Err(ApiError::invalid_field("reason: at most 2000 characters"));
    }
    let a = app.store().adjudicate(actor(&user), id, req.decision, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

/// A crossing with what its inspection showed, its hits and the decision
/// in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct CrossingView {
    #[schema(value_type = Object)]
    pub crossing: StoredCrossing,
    /// What the officer was shown, as stored (absent for imported records).
    #[schema(value_type = Object)]
    pub inspection: Option<serde_json::Value>,
    pub hits: Vec<HitView>,
    pub decision: Option<DecisionView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub decision: String,
    pub reason: String,
    pub at: String,
}

async fn visible_crossing(app: &AppState, user: &AuthUser, id: &str) -> Result<StoredCrossing, ApiError> {
    let c = app.store().crossing(id).await?.ok_or_else(|| ApiError::not_found("no such crossing"))?;
    check_post(user, &c.record.post)?;
    Ok(c)
}

/// One crossing, with its inspection, hits and decision.
#[utoipa::path(get, path = "/api/crossings/{id}", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The crossing's id")),
    responses(
        (status = 200, description = "The crossing", body = CrossingView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed, or another post's record", body = ErrorBody),
        (status = 404, description = "No such crossing", body = ErrorBody),
    ))]
pub async fn crossing(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CrossingView>, ApiError> {
    let c = visible_crossing(&app, &user, &id).await?;
    let inspection = app.store().inspection_result(&id).await?;
    let hits = app.store().hits_of_crossing(&id).await?.into_iter().map(HitView::from).collect();
    let decision = app.store().decision(&id).await?.map(|(decision, reason, at)| DecisionView { decision, reason, at });
    app.audit(&user, "crossing_viewed", format!("crossing:{id}"), json!({})).await?;
    Ok(Json(CrossingView { crossing: c, inspection, hits, decision }))
}

/// Every crossing of the same traveller (same document, or same names and
/// birth date as registered), oldest first. A user bound to a post asks
/// only about that post's crossings and sees only that post's crossings.
#[utoipa::path(get, path = "/api/crossings/{id}/timeline", tag = "inspections",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Any crossing of the traveller")),
    responses(
        (status = 200, description = "The traveller's crossings", body = [Object]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed, or another post's record", body = ErrorBody),
        (status = 404, description = "No such crossing", body = ErrorBody),
    ))]
pub async fn timeline(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<StoredCrossing>>, ApiError> {
    visible_crossing(&app, &user, &id).await?;
    let mut tl = app.store().timeline(&id).await?;
    tl.retain(|c| user.covers_post(&c.record.post));
    app.audit(&user, "timeline_viewed", format!("crossing:{id}"), json!({ "crossings": tl.len() })).await?;
    Ok(Json(tl))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `admit`, `secondary_inspection`, `refer_to_protection` or `refuse`.
    #[schema(value_type = crate::openapi::names::DecisionName, example = "secondary_inspection")]
    pub decision: Decision,
    /// Why: needed for every decision but `admit`, and for `admit` too
    /// when the party has an open hit or a risk indicator (so documented as
    /// required; a plain `admit` may leave it out).
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "documento con señales de alteración")]
    pub reason: String,
    /// The officer confirms admitting a traveller with an open hit (one not
    /// dismissed by a supervisor) or a risk indicator, their own or another
    /// traveller's of their party: `admit` on such a crossing is refused
    /// (`confirmation_required`) without it and a reason. Ignored
    /// otherwise; absent means `false`.
    #[serde(default)]
    pub confirm: bool,
}

/// Why admitting this crossing needs the officer's confirmation and a
/// reason: hits not dismissed by a supervisor, and risk indicators, its own
/// or those of another traveller of its party (an adult travelling with a
/// flagged child is not admitted by one click). Counts, no personal data.
pub async fn admit_concerns(app: &AppState, crossing: &StoredCrossing) -> Result<(usize, usize), ApiError> {
    let id = crossing.record.crossing_id.as_str();
    let mut ids = vec![id.to_string()];
    let group = crossing.record.group_id.as_str();
    if !group.is_empty() {
        let party = app.store().party(group).await?;
        // Imported records may share a group of any size; a booth's party is
        // at most a bus.
        ids.extend(party.into_iter().map(|c| c.record.crossing_id).filter(|c| c != id).take(100));
    }
    let (mut hits, mut flags) = (0, 0);
    for c in &ids {
        hits += app
            .store()
            .hits_of_crossing(c)
            .await?
            .iter()
            .filter(|h| h.adjudication.as_ref().is_none_or(|a| a.decision != Verdict::Dismissed))
            .count();
        flags += app
            .store()
            .inspection_result(c)
            .await?
            .and_then(|r| r.get("flags").and_then(|f| f.as_array()).map(Vec::len))
            .unwrap_or(0);
    }
    Ok((hits, flags))
}

/// Record the officer's decision on a crossing (the latest stands). A
/// referral decision also records the referral. Admitting a traveller with
/// an open hit or a risk indicator (theirs or their party's) needs
/// `confirm: true` and a reason.
#[utoipa::path(post, path = "/api/crossings/{id}/decision", tag = "inspections",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The crossing's id")),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "Recorded", body = DecisionView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed, or another post's record", body = ErrorBody),
        (status = 404, description = "No such crossing", body = ErrorBody),
        (status = 422, description = "A decision other than admit without a reason (`invalid_field`); admitting \
            a traveller with an open hit or a risk indicator (theirs or their party's) without `confirm: true` \
            and a reason (`confirmation_required`)", body = ErrorBody),
    ))]
pub async fn decide(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Json(req): Json<DecisionRequest>,
) -> Result<(StatusCode, Json<DecisionView>), ApiError> {
    let crossing = visible_crossing(&app, &user, &id).await?;
    if req.decision != Decision::Admit && req.reason.trim().is_empty() {
        return Err(ApiError::invalid_field("reason: needed for any decision but admit"));
    }
    if req.reason.chars().count() > 2000 {
        return Err(ApiError::invalid_field("reason: at most 2000 characters"));
    }
    if req.decision == Decision::Admit && (!req.confirm || req.reason.trim().is_empty()) {
        let (hits, flags) = admit_concerns(&app, &crossing).await?;
        if hits + flags > 0 {
            return Err(ApiError::new(
                ErrorCode::ConfirmationRequired,
                format!(
                    "confirm: admitting a traveller whose party has {hits} open hit(s) and {flags} risk \
                     indicator(s) needs confirm: true and a reason"
                ),
            ));
        }
    }
    app.store().decide(actor(&user), &id, req.decision, &req.reason).await?;
    let (decision, reason, at) =
        app.store().decision(&id).await?.ok_or_else(|| ApiError::internal(&"the decision just written is missing"))?;
    Ok((StatusCode::CREATED, Json(DecisionView { decision, reason, at })))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostView {
    pub code: String,
    pub name: String,
    pub country: String,
    pub facing: String,
    /// `land`, `air` or `sea`.
    pub kind: String,
}

/// The border posts (no personal data).
#[utoipa::path(get, path = "/api/posts", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every post", body = [PostView]),
        (status = 401, description = "Not logged in", body = ErrorBody),
    ))]
pub async fn posts(State(app): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<PostView>>, ApiError> {
    let posts = app.store().posts().await?;
    Ok(Json(
        posts
            .into_iter()
            .map(|p| PostView { code: p.code, name: p.name, country: p.country, facing: p.facing, kind: p.kind })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadAnswer {
    pub person_entries: usize,
    pub documents: usize,
}

/// Re-read the active alert lists (after `centinela lists import`) into the
/// screening index.
#[utoipa::path(post, path = "/api/lists/reload", tag = "lists", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Reloaded", body = ReloadAnswer),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    ))]
pub async fn reload(State(app): State<AppState>, user: CurrentUser) -> Result<Json<ReloadAnswer>, ApiError> {
    let (person_entries, documents) = app.inspections().reload(app.store()).await?;
    app.audit(&user, "lists_reloaded", "lists", json!({ "persons": person_entries, "documents": documents })).await?;
    Ok(Json(ReloadAnswer { person_entries, documents }))
}
