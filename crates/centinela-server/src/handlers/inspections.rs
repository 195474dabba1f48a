//! The border post's work over HTTP: `POST /api/inspections`, hits and
//! their adjudication, officers' decisions, crossings and a traveller's
//! timeline, border posts, and reloading the alert lists. Each handler
//! takes the request apart and calls the use case of the same name in
//! [`centinela_app::inspections`], which checks post binding and audits.

use axum::extract::State;
use axum::http::StatusCode;
use centinela_app::Caller;
pub use centinela_app::inspections::{
    AdjudicationView, CrossingView, DecisionView, HitQueue, HitView, HitsFilter, InspectionAnswer, PostView,
    QueueFilter, RecordedTraveller,
};
use centinela_inspect::PartyRequest;
use centinela_store::{Decision, StoredCrossing, Verdict};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};
use crate::state::AppState;

/// Inspect a travel party at a border post: document checks, stolen/lost
/// document lookup, name screening against every active list, risk
/// indicators, a suggested next step. The crossings and everything shown
/// are stored before the answer is sent.
#[utoipa::path(post, path = "/api/inspections", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    request_body = PartyRequest,
    responses(
        (status = 201, description = "Inspected and stored", body = InspectionAnswer),
        (status = 403, description = "Role not allowed, or another post's booth", body = ErrorBody),
        (status = 422, description = "A field is invalid (`invalid_field`, naming it)", body = ErrorBody),
    ))]
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<PartyRequest>,
) -> Result<(StatusCode, Json<InspectionAnswer>), ApiError> {
    Ok((StatusCode::CREATED, Json(app.app().inspect(&user, &req).await?)))
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
    ))]
pub async fn hits(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HitsQuery>,
) -> Result<Json<Vec<HitView>>, ApiError> {
    let filter = HitsFilter { open: q.open.unwrap_or(true), post: q.post, limit: q.limit.unwrap_or(100) };
    Ok(Json(app.app().hits(&user, filter).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HitQueueQuery {
    /// `open` (default), `confirmed`, `dismissed` or `all`: by the
    /// adjudication in force.
    pub status: Option<String>,
    /// Only hits on this list (its name).
    pub list: Option<String>,
    /// Only hits at this post (users bound to a post always see only theirs).
    pub post: Option<String>,
    /// `severity` (default: the most severe list kind, then the highest
    /// score, then the longest waiting), `oldest` or `newest`.
    pub order: Option<String>,
    /// 1 for the first page (default).
    pub page: Option<u32>,
    /// Hits per page (default 25, at most 100).
    pub per_page: Option<u32>,
}

/// The supervisors' queue, a page at a time: each hit with the traveller,
/// the listed person, its severity, the booth's decision in force, how long
/// it has waited and the alert's notice.
#[utoipa::path(get, path = "/api/hits/queue", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    params(HitQueueQuery),
    responses(
        (status = 200, description = "A page of the queue", body = HitQueue),
        (status = 422, description = "An unknown status or order (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn hit_queue(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HitQueueQuery>,
) -> Result<Json<HitQueue>, ApiError> {
    let status = q.status.as_deref().map(QueueFilter::status_named).transpose()?.unwrap_or_default();
    let order = q.order.as_deref().map(QueueFilter::order_named).transpose()?.unwrap_or_default();
    let text = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let filter = QueueFilter {
        status,
        post: text(q.post),
        list: text(q.list),
        order,
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(0),
    };
    Ok(Json(app.app().hit_queue(&user, filter).await?))
}

/// A supervisor's judgement of a hit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdjudicationRequest {
    /// `confirmed` or `dismissed`.
    #[schema(value_type = crate::schemas::VerdictName, example = "dismissed")]
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
    let a = app.app().adjudicate(&user, id, req.decision, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// The thumbnail of the list entry a hit matched (an Interpol notice's
/// image, JPEG or PNG), for the inspectors and supervisors of the hit's
/// post; audited (`list_image_viewed`: hit, list, entry id, hash).
#[utoipa::path(get, path = "/api/hits/{id}/thumbnail", tag = "inspections",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The hit's id")),
    responses(
        (status = 200, description = "The image (`image/jpeg` or `image/png`)",
            content((Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 403, description = "Role not allowed, or another post's hit", body = ErrorBody),
        (status = 404, description = "No such hit, or its list entry has no image", body = ErrorBody),
    ))]
pub async fn thumbnail(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<axum::response::Response, ApiError> {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let photo = app.app().hit_thumbnail(&user, id).await?;
    let mut r = photo.bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(photo.mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    Ok(r)
}

/// One crossing, with its inspection, hits and decision.
#[utoipa::path(get, path = "/api/crossings/{id}", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The crossing's id")),
    responses(
        (status = 200, description = "The crossing", body = CrossingView),
        (status = 403, description = "Role not allowed, or another post's record", body = ErrorBody),
        (status = 404, description = "No such crossing", body = ErrorBody),
    ))]
pub async fn crossing(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<CrossingView>, ApiError> {
    Ok(Json(app.app().crossing(&user, &id).await?))
}

/// Every crossing of the same traveller (same document, or same names and
/// birth date as registered), oldest first. A user bound to a post asks
/// only about that post's crossings and sees only that post's crossings.
#[utoipa::path(get, path = "/api/crossings/{id}/timeline", tag = "inspections",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "Any crossing of the traveller")),
    responses(
        (status = 200, description = "The traveller's crossings", body = [Object]),
        (status = 403, description = "Role not allowed, or another post's record", body = ErrorBody),
        (status = 404, description = "No such crossing", body = ErrorBody),
    ))]
pub async fn timeline(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<StoredCrossing>>, ApiError> {
    Ok(Json(app.app().timeline(&user, &id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `admit`, `secondary_inspection`, `refer_to_protection` or `refuse`.
    #[schema(value_type = crate::schemas::DecisionName, example = "secondary_inspection")]
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
    let d = app.app().decide(&user, &id, req.decision, &req.reason, req.confirm).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// The border posts (no personal data).
#[utoipa::path(get, path = "/api/posts", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every post", body = [PostView]),
    ))]
pub async fn posts(State(app): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<PostView>>, ApiError> {
    Ok(Json(app.app().posts().await?))
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
    ))]
pub async fn reload(State(app): State<AppState>, user: CurrentUser) -> Result<Json<ReloadAnswer>, ApiError> {
    let (person_entries, documents) = app.app().reload_lists(Some(Caller::User(&user))).await?;
    Ok(Json(ReloadAnswer { person_entries, documents }))
}
