//! The intelligence unit's endpoints (`/api/intel/…`, analysts only):
//! resolved persons with the evidence that joined their records, a
//! person's crossings and links, facilitators, rings and the network
//! around them, document reuse, shared contacts, exports (FollowTheMoney,
//! GraphML), and the analysts' merge and split decisions.
//!
//! One analysis of the whole history is kept in memory ([`IntelCache`]): it
//! is recomputed, off the async runtime (`spawn_blocking`), when the store's
//! [`IntelStamp`] changes — crossings added (by inspection, import or
//! another process) or a decision recorded or withdrawn. Concurrent
//! requests wait for one computation; inspections never wait for it.
//! Person ids (`R0000001`) are those of the analysis in force: an answer
//! names it (`analysis`), and ids may change when it does.
//!
//! Every answer with personal data is in the audit chain (`intel_*_viewed`,
//! subject the person, ring or list; detail ids and counts).

use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use centinela_intel::export::Format;
use centinela_intel::view::{IdentityLink, Network};
use centinela_intel::{
    Crossings, DocumentReuse, Facilitator, Override, PersonLink, PersonSummary, Report, Ring, SharedContact,
};
use centinela_store::{IntelStamp, OverrideKind, StoredCrossing, StoredOverride};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, ErrorCode, Json, Path, Query};
use crate::state::AppState;

/// The latest analysis and what it was computed from.
#[derive(Default)]
pub struct IntelCache {
    latest: tokio::sync::Mutex<Option<Analysed>>,
}

#[derive(Clone)]
pub struct Analysed {
    pub stamp: IntelStamp,
    pub report: Arc<Report>,
    pub info: AnalysisInfo,
}

/// Which analysis an answer comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnalysisInfo {
    /// Crossings analysed.
    pub crossings: usize,
    /// Resolved persons.
    pub persons: usize,
    /// Analysts' decisions applied.
    pub decisions: usize,
    /// When it was computed (RFC 3339) and how long it took.
    pub computed_at: String,
    pub seconds: f64,
}

impl IntelCache {
    /// The analysis of what the store holds now: the cached one when the
    /// stamp is unchanged, else a new one computed on a blocking thread.
    pub async fn current(&self, app: &AppState) -> Result<Analysed, ApiError> {
        let mut guard = self.latest.lock().await;
        let stamp = app.analytics().intel_stamp().await?;
        if let Some(a) = guard.as_ref()
            && a.stamp == stamp
        {
            return Ok(a.clone());
        }
        let t0 = Instant::now();
        let rows = app.analytics().crossings_between(None, None, None).await?;
        let decisions: Vec<Override> = app.analytics().intel_overrides().await?.into_iter().map(to_override).collect();
        let n_decisions = decisions.len();
        let report = tokio::task::spawn_blocking(move || {
            let mut c = Crossings::default();
            for r in &rows {
                c.push(&r.record);
            }
            drop(rows);
            c.shrink();
            Report::build(c, &decisions)
        })
        .await
        .map_err(|e| ApiError::internal(&e))?;
        let info = AnalysisInfo {
            crossings: report.crossings.len(),
            persons: report.persons(),
            decisions: n_decisions,
            computed_at: centinela_store::now_rfc3339(),
            seconds: t0.elapsed().as_secs_f64(),
        };
        tracing::info!(crossings = info.crossings, persons = info.persons, seconds = info.seconds, "intel: analysed");
        let a = Analysed { stamp, report: Arc::new(report), info };
        *guard = Some(a.clone());
        Ok(a)
    }
}

/// A stored decision as the resolver takes it.
pub fn to_override(o: StoredOverride) -> Override {
    match o.kind {
        OverrideKind::Merge => Override::Merge { a: o.crossing_a, b: o.crossing_b },
        OverrideKind::Split => Override::Separate { a: o.crossing_a, b: o.crossing_b },
    }
}

/// The most rows a list answers.
const MAX_ROWS: usize = 1_000;

fn person_of(report: &Report, id: &str) -> Result<u32, ApiError> {
    report.person(id).ok_or_else(|| ApiError::not_found("no such person in the current analysis"))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonsQuery {
    /// Only persons one of whose names contains this (accents and case ignored).
    pub q: Option<String>,
    /// Only the person this crossing was assigned to.
    pub crossing: Option<String>,
    /// Skip this many (default 0).
    pub offset: Option<usize>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonsPage {
    pub analysis: AnalysisInfo,
    /// Persons matching, in all.
    pub total: usize,
    #[schema(value_type = Vec<Object>)]
    pub persons: Vec<PersonSummary>,
}

/// Resolved persons (most crossings first), each with the names, dates,
/// documents and facilitator score their records give.
#[utoipa::path(get, path = "/api/intel/persons", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(PersonsQuery),
    responses(
        (status = 200, description = "Resolved persons", body = PersonsPage),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn persons(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PersonsQuery>,
) -> Result<Json<PersonsPage>, ApiError> {
    let a = app.intel().current(&app).await?;
    let r = a.report.clone();
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(100).min(MAX_ROWS);
    let (total, persons) = tokio::task::spawn_blocking(move || {
        let needle = q.q.as_deref().map(centinela_intel::data::fold_key).filter(|s| !s.is_empty());
        let mut ids: Vec<u32> = match q.crossing.as_deref() {
            Some(c) => r.person_of_crossing(c).into_iter().collect(),
            None => (0..r.persons() as u32).collect(),
        };
        if let Some(n) = &needle {
            ids.retain(|&p| r.crossings_of(p).iter().any(|&i| r.crossings.name_text(i as usize).contains(n.as_str())));
        }
        ids.sort_by_key(|&p| (std::cmp::Reverse(r.crossings_of(p).len()), p));
        let total = ids.len();
        let page: Vec<PersonSummary> = ids.into_iter().skip(offset).take(limit).map(|p| r.summary(p)).collect();
        (total, page)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let ids: Vec<&str> = persons.iter().map(|p| p.person_id.as_str()).collect();
    app.audit(&user, "intel_persons_viewed", "intel:persons", json!({ "returned": ids.len(), "person_ids": ids }))
        .await?;
    Ok(Json(PersonsPage { analysis: a.info, total, persons }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonView {
    pub analysis: AnalysisInfo,
    #[schema(value_type = Object)]
    pub person: PersonSummary,
    /// Why the person's records are one person: each link the resolver (or
    /// an analyst) used, with the terms of its score.
    #[schema(value_type = Vec<Object>)]
    pub identity_links: Vec<IdentityLink>,
    /// Whom the person is linked to, strongest first, with the crossings
    /// and shared values that show it.
    #[schema(value_type = Vec<Object>)]
    pub links: Vec<PersonLink>,
    /// The facilitator evidence, when the person is flagged.
    #[schema(value_type = Option<Object>)]
    pub facilitator: Option<Facilitator>,
}

/// One resolved person: summary, identity links with their evidence, links
/// to others.
#[utoipa::path(get, path = "/api/intel/persons/{id}", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Person id of the current analysis, e.g. R0000001")),
    responses(
        (status = 200, description = "The person", body = PersonView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
    ))]
pub async fn person(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PersonView>, ApiError> {
    let a = app.intel().current(&app).await?;
    let p = person_of(&a.report, &id)?;
    let r = a.report.clone();
    let view = tokio::task::spawn_blocking(move || {
        let facilitator = r.analysis.facilitators.iter().find(|f| f.person == p).cloned();
        (r.summary(p), r.identity_links(p), r.links(p), facilitator)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let (person, identity_links, links, facilitator) = view;
    app.audit(
        &user,
        "intel_person_viewed",
        format!("person:{id}"),
        json!({ "crossings": person.crossings, "links": links.len() }),
    )
    .await?;
    Ok(Json(PersonView { analysis: a.info, person, identity_links, links, facilitator }))
}

/// A resolved person's crossings as stored, oldest first (the timeline).
#[utoipa::path(get, path = "/api/intel/persons/{id}/crossings", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Person id of the current analysis")),
    responses(
        (status = 200, description = "The person's crossings", body = [Object]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
    ))]
pub async fn person_crossings(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<StoredCrossing>>, ApiError> {
    let a = app.intel().current(&app).await?;
    let p = person_of(&a.report, &id)?;
    let ids = a.report.crossing_ids(p);
    let rows = app.analytics().crossings_by_ids(&ids).await?;
    app.audit(&user, "intel_person_crossings_viewed", format!("person:{id}"), json!({ "crossings": rows.len() }))
        .await?;
    Ok(Json(rows))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NetworkQuery {
    /// At most this many persons drawn (default 150, at most 500).
    pub max: Option<usize>,
}

/// The network around `seeds` (at most `max` nodes, 150 by default),
/// computed off the async runtime; the view is audited under `subject`.
async fn network_answer(
    app: &AppState,
    user: &CurrentUser,
    report: &Arc<Report>,
    seeds: Vec<u32>,
    max: Option<usize>,
    subject: String,
) -> Result<Json<Network>, ApiError> {
    let report = report.clone();
    let net = tokio::task::spawn_blocking(move || report.network(&seeds, max.unwrap_or(150).clamp(1, 500)))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    app.audit(user, "intel_network_viewed", subject, json!({ "nodes": net.nodes.len() })).await?;
    Ok(Json(net))
}

/// The network around one person: their links and the links among those shown.
#[utoipa::path(get, path = "/api/intel/persons/{id}/network", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Person id of the current analysis"), NetworkQuery),
    responses(
        (status = 200, description = "Nodes and edges", body = Object),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such person", body = ErrorBody),
    ))]
pub async fn person_network(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NetworkQuery>,
) -> Result<Json<Network>, ApiError> {
    let a = app.intel().current(&app).await?;
    let p = person_of(&a.report, &id)?;
    network_answer(&app, &user, &a.report, vec![p], q.max, format!("person:{id}")).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopQuery {
    /// Only the K best (default 100, at most 1000).
    pub top: Option<usize>,
}

/// Likely facilitators, best first, each with its evidence (N2, N4, N5, T1).
#[utoipa::path(get, path = "/api/intel/facilitators", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(TopQuery),
    responses(
        (status = 200, description = "Facilitators (the CLI's JSON lines as an array)", body = [Object]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn facilitators(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TopQuery>,
) -> Result<Json<Vec<Facilitator>>, ApiError> {
    let a = app.intel().current(&app).await?;
    let n = q.top.unwrap_or(100).min(MAX_ROWS);
    let list: Vec<Facilitator> = a.report.analysis.facilitators.iter().take(n).cloned().collect();
    let ids: Vec<&str> = list.iter().map(|f| f.person_id.as_str()).collect();
    app.audit(&user, "intel_facilitators_viewed", "intel:facilitators", json!({ "person_ids": ids })).await?;
    Ok(Json(list))
}

/// Likely rings (communities of facilitators), best first, with evidence.
#[utoipa::path(get, path = "/api/intel/rings", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Rings", body = [Object]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn rings(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Ring>>, ApiError> {
    let a = app.intel().current(&app).await?;
    let list = a.report.analysis.rings.clone();
    let ids: Vec<&str> = list.iter().map(|r| r.ring_id.as_str()).collect();
    app.audit(&user, "intel_rings_viewed", "intel:rings", json!({ "ring_ids": ids })).await?;
    Ok(Json(list))
}

/// The network of one ring: its members, their direct links, and the links
/// among everyone shown.
#[utoipa::path(get, path = "/api/intel/rings/{id}/network", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Ring id of the current analysis, e.g. K001"), NetworkQuery),
    responses(
        (status = 200, description = "Nodes and edges", body = Object),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such ring", body = ErrorBody),
    ))]
pub async fn ring_network(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NetworkQuery>,
) -> Result<Json<Network>, ApiError> {
    let a = app.intel().current(&app).await?;
    let seeds = a.report.ring(&id).ok_or_else(|| ApiError::not_found("no such ring in the current analysis"))?;
    let seeds = seeds.persons.clone();
    network_answer(&app, &user, &a.report, seeds, q.max, format!("ring:{id}")).await
}

/// Documents used by more than one resolved person (N3), with evidence.
#[utoipa::path(get, path = "/api/intel/documents", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Reused documents", body = [Object]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn documents(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<DocumentReuse>>, ApiError> {
    let a = app.intel().current(&app).await?;
    let list: Vec<DocumentReuse> = a.report.documents.iter().take(MAX_ROWS).cloned().collect();
    app.audit(&user, "intel_documents_viewed", "intel:documents", json!({ "returned": list.len() })).await?;
    Ok(Json(list))
}

/// Phones and addresses given by unrelated persons (N1), with evidence.
#[utoipa::path(get, path = "/api/intel/contacts", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Shared contact points", body = [Object]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn contacts(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<SharedContact>>, ApiError> {
    let a = app.intel().current(&app).await?;
    let list: Vec<SharedContact> = a.report.contacts.iter().take(MAX_ROWS).cloned().collect();
    app.audit(&user, "intel_contacts_viewed", "intel:contacts", json!({ "returned": list.len() })).await?;
    Ok(Json(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `ftm` (FollowTheMoney JSON lines) or `graphml`.
    #[param(pattern = "^(ftm|graphml)$", example = "ftm")]
    pub format: String,
    /// Only this ring's members and the links among them (default: every
    /// person with a link).
    #[param(example = "K001")]
    pub ring: Option<String>,
}

/// The network as FollowTheMoney JSON lines or GraphML, for i2, Maltego,
/// Gephi and FtM tools.
#[utoipa::path(get, path = "/api/intel/export", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The export", content_type = "application/octet-stream", body = String),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such ring", body = ErrorBody),
    ))]
pub async fn export(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format =
        Format::parse(&q.format).ok_or_else(|| ApiError::new(ErrorCode::InvalidQuery, "format: ftm or graphml"))?;
    let a = app.intel().current(&app).await?;
    let persons = match &q.ring {
        Some(id) => a
            .report
            .ring(id)
            .ok_or_else(|| ApiError::not_found("no such ring in the current analysis"))?
            .persons
            .clone(),
        None => a.report.linked_persons(),
    };
    let n = persons.len();
    let r = a.report.clone();
    let body = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        centinela_intel::export::write(&r, &persons, format, &mut out).map(|()| out)
    })
    .await
    .map_err(|e| ApiError::internal(&e))?
    .map_err(|e| ApiError::internal(&e))?;
    let subject = q.ring.as_deref().map_or("intel:network".to_string(), |r| format!("ring:{r}"));
    app.audit(&user, "intel_exported", subject, json!({ "format": q.format, "persons": n })).await?;
    let name = if format == Format::Ftm { "centinela-network.ftm.json" } else { "centinela-network.graphml" };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response())
}

/// The merge and split decisions in force, oldest first.
#[utoipa::path(get, path = "/api/intel/decisions", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Decisions in force", body = [Object]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn decisions(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<StoredOverride>>, ApiError> {
    let decisions = app.store().intel_overrides().await?;
    // They name crossings (and so travellers) and why they are one person:
    // who read them is in the chain, by ids only.
    let ids: Vec<i64> = decisions.iter().map(|d| d.id).collect();
    app.audit(
        &user,
        "intel_decisions_viewed",
        "intel:decisions",
        json!({ "returned": ids.len(), "override_ids": ids }),
    )
    .await?;
    Ok(Json(decisions))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = IntelDecisionRequest)]
pub struct DecisionRequest {
    /// `merge` (the two crossings are one person) or `split` (they are not).
    #[schema(value_type = crate::openapi::names::OverrideKindName, example = "merge")]
    pub kind: OverrideKind,
    #[schema(example = "GTM-C0000001")]
    pub crossing_a: String,
    #[schema(example = "GTM-C0000002")]
    pub crossing_b: String,
    #[serde(default)]
    #[schema(example = "mismo documento, otra grafía del nombre")]
    pub reason: String,
}

/// Record a merge or split of two crossings (applied on every analysis from
/// now on; audited).
#[utoipa::path(post, path = "/api/intel/decisions", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "Recorded", body = Object),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such crossing", body = ErrorBody),
        (status = 409, description = "The same crossing twice, or the reason too long", body = ErrorBody),
    ))]
pub async fn decide(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<DecisionRequest>,
) -> Result<(StatusCode, Json<StoredOverride>), ApiError> {
    let o = app
        .store()
        .add_intel_override(&user.actor(), req.kind, req.crossing_a.trim(), req.crossing_b.trim(), req.reason.trim())
        .await?;
    Ok((StatusCode::CREATED, Json(o)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawRequest {
    #[serde(default)]
    pub reason: String,
}

/// Withdraw a decision (a new record; audited).
#[utoipa::path(post, path = "/api/intel/decisions/{id}/withdraw", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The decision's id")),
    request_body = WithdrawRequest,
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No decision in force with this id", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<WithdrawRequest>,
) -> Result<StatusCode, ApiError> {
    app.store().withdraw_intel_override(&user.actor(), id, req.reason.trim()).await?;
    Ok(StatusCode::NO_CONTENT)
}
