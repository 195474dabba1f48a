//! The intelligence unit's endpoints (`/api/intel/…`, analysts only):
//! resolved persons with the evidence that joined their records, a
//! person's crossings and links, facilitators, rings and the network
//! around them, document reuse, shared contacts, exports (FollowTheMoney,
//! GraphML), and the analysts' merge and split decisions.
//!
//! One analysis of the whole history is kept in memory ([`centinela_app::IntelCache`]): it
//! is recomputed, off the async runtime (`spawn_blocking`), when the store's
//! [`IntelStamp`] changes — crossings added (by inspection, import or
//! another process) or a decision recorded or withdrawn. Concurrent
//! requests wait for one computation; inspections never wait for it.
//! Person ids (`R0000001`) are those of the analysis in force: an answer
//! names it (`analysis`), and ids may change when it does.
//!
//! Every answer with personal data is in the audit chain (`intel_*_viewed`,
//! subject the person, ring or list; detail ids and counts).

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use centinela_app::Caller;
use centinela_app::intel::PersonsFilter;
use centinela_intel::export::Format;
use centinela_intel::view::Network;
use centinela_intel::{DocumentReuse, Facilitator, Ring, SharedContact};
use centinela_store::{OverrideKind, StoredCrossing, StoredOverride};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, ErrorCode, Json, Path, Query};
use crate::state::AppState;

pub use centinela_app::intel::{Analysed, AnalysisInfo, MAX_ROWS, PersonView, PersonsPage};

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

/// Resolved persons (most crossings first), each with the names, dates,
/// documents and facilitator score their records give.
#[utoipa::path(get, path = "/api/intel/persons", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(PersonsQuery),
    responses(
        (status = 200, description = "Resolved persons", body = PersonsPage),
    ))]
pub async fn persons(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PersonsQuery>,
) -> Result<Json<PersonsPage>, ApiError> {
    let f =
        PersonsFilter { q: q.q, crossing: q.crossing, offset: q.offset.unwrap_or(0), limit: q.limit.unwrap_or(100) };
    Ok(Json(app.app().intel_persons(&user, f).await?))
}

/// One resolved person: summary, identity links with their evidence, links
/// to others.
#[utoipa::path(get, path = "/api/intel/persons/{id}", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Person id of the current analysis, e.g. R0000001")),
    responses(
        (status = 200, description = "The person", body = PersonView),
        (status = 404, description = "No such person", body = ErrorBody),
    ))]
pub async fn person(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<PersonView>, ApiError> {
    Ok(Json(app.app().intel_person(&user, &id).await?))
}

/// A resolved person's crossings as stored, oldest first (the timeline).
#[utoipa::path(get, path = "/api/intel/persons/{id}/crossings", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Person id of the current analysis")),
    responses(
        (status = 200, description = "The person's crossings", body = [Object]),
        (status = 404, description = "No such person", body = ErrorBody),
    ))]
pub async fn person_crossings(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<StoredCrossing>>, ApiError> {
    Ok(Json(app.app().intel_person_crossings(&user, &id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NetworkQuery {
    /// At most this many persons drawn (default 150, at most 500).
    pub max: Option<usize>,
}

/// The network around one person: their links and the links among those shown.
#[utoipa::path(get, path = "/api/intel/persons/{id}/network", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Person id of the current analysis"), NetworkQuery),
    responses(
        (status = 200, description = "Nodes and edges", body = Object),
        (status = 404, description = "No such person", body = ErrorBody),
    ))]
pub async fn person_network(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NetworkQuery>,
) -> Result<Json<Network>, ApiError> {
    Ok(Json(app.app().intel_person_network(&user, &id, q.max).await?))
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
    ))]
pub async fn facilitators(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TopQuery>,
) -> Result<Json<Vec<Facilitator>>, ApiError> {
    Ok(Json(app.app().intel_facilitators(&user, q.top.unwrap_or(100)).await?))
}

/// Likely rings (communities of facilitators), best first, with evidence.
#[utoipa::path(get, path = "/api/intel/rings", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Rings", body = [Object]),
    ))]
pub async fn rings(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<Ring>>, ApiError> {
    Ok(Json(app.app().intel_rings(&user).await?))
}

/// The network of one ring: its members, their direct links, and the links
/// among everyone shown.
#[utoipa::path(get, path = "/api/intel/rings/{id}/network", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Ring id of the current analysis, e.g. K001"), NetworkQuery),
    responses(
        (status = 200, description = "Nodes and edges", body = Object),
        (status = 404, description = "No such ring", body = ErrorBody),
    ))]
pub async fn ring_network(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NetworkQuery>,
) -> Result<Json<Network>, ApiError> {
    Ok(Json(app.app().intel_ring_network(&user, &id, q.max).await?))
}

/// Documents used by more than one resolved person (N3), with evidence.
#[utoipa::path(get, path = "/api/intel/documents", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Reused documents", body = [Object]),
    ))]
pub async fn documents(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<DocumentReuse>>, ApiError> {
    Ok(Json(app.app().intel_documents(&user).await?))
}

/// Phones and addresses given by unrelated persons (N1), with evidence.
#[utoipa::path(get, path = "/api/intel/contacts", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Shared contact points", body = [Object]),
    ))]
pub async fn contacts(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<SharedContact>>, ApiError> {
    Ok(Json(app.app().intel_contacts(&user).await?))
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
        (status = 404, description = "No such ring", body = ErrorBody),
    ))]
pub async fn export(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format =
        Format::parse(&q.format).ok_or_else(|| ApiError::new(ErrorCode::InvalidQuery, "format: ftm or graphml"))?;
    let export = app.app().intel_export(&user, format, q.ring.as_deref()).await?;
    let name = if format == Format::Ftm { "centinela-network.ftm.json" } else { "centinela-network.graphml" };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        export.body,
    )
        .into_response())
}

/// The merge and split decisions in force, oldest first.
#[utoipa::path(get, path = "/api/intel/decisions", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Decisions in force", body = [Object]),
    ))]
pub async fn decisions(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<StoredOverride>>, ApiError> {
    Ok(Json(app.app().intel_decisions(Caller::User(&user)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = IntelDecisionRequest)]
pub struct DecisionRequest {
    /// `merge` (the two crossings are one person) or `split` (they are not).
    #[schema(value_type = crate::schemas::OverrideKindName, example = "merge")]
    pub kind: OverrideKind,
    /// A crossing's id; the two must differ (else `invalid_field`).
    #[schema(example = "GTM-C0000001", min_length = 1, max_length = 128)]
    pub crossing_a: String,
    #[schema(example = "GTM-C0000002", min_length = 1, max_length = 128)]
    pub crossing_b: String,
    #[serde(default)]
    #[schema(example = "mismo documento, otra grafía del nombre", max_length = 2000)]
    pub reason: String,
}

/// Record a merge or split of two crossings (applied on every analysis from
/// now on; audited).
#[utoipa::path(post, path = "/api/intel/decisions", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    request_body = DecisionRequest,
    responses(
        (status = 201, description = "Recorded", body = Object),
        (status = 400, description = "Malformed request", body = ErrorBody),
        (status = 404, description = "No such crossing", body = ErrorBody),
        (status = 409, description = "The same crossing twice, or the reason too long", body = ErrorBody),
    ))]
pub async fn decide(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<DecisionRequest>,
) -> Result<(StatusCode, Json<StoredOverride>), ApiError> {
    let o =
        app.app().intel_decide(Caller::User(&user), req.kind, &req.crossing_a, &req.crossing_b, &req.reason).await?;
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
        (status = 404, description = "No decision in force with this id", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<WithdrawRequest>,
) -> Result<StatusCode, ApiError> {
    app.app().intel_withdraw(Caller::User(&user), id, &req.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
