//! Lookouts over HTTP (issue 21, parts 3 and 4): issue, list, read,
//! change, cancel, their hits, the live stream of new hits (server-sent
//! events) and the posts' long poll on the sync channel. Each handler calls
//! the use case of the same name in [`centinela_app::lookouts`], which
//! checks the role, the post binding, and audits.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use centinela_app::Caller;
pub use centinela_app::lookouts::{LookoutChangeInput, LookoutView};
use centinela_domain::LookoutInput;
use centinela_store::{LookoutHitFilter, StoredLookoutHit};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};
use crate::state::AppState;

/// Issue a lookout: an urgent alert on a person (`given_names`,
/// `surnames`, optional `birth_date`, `nationality`), a document
/// (`document_number`, optional `issuing_state`), a vehicle (`plate`,
/// optional `country`) or a phone (`phone`, E.164), with a `reason`, an
/// `action` (`secondary_inspection`, `refer_to_protection`, `notify`,
/// `detain_per_law`), a window (`valid_from` or now, and `valid_until` or
/// `valid_hours`, at most 90 days), a scope (`scope_posts` or
/// `scope_country`, else every post) and `notify` (user names told of each
/// hit besides the issuer). In force at once here, at online posts within
/// seconds. Supervisors and analysts; a user bound to a post issues for
/// that post only.
#[utoipa::path(post, path = "/api/lookouts", tag = "lookouts", security(("bearer" = []), ("cookie" = [])),
    request_body(content = Object, description = "A lookout's fields (see above)",
        example = json!({"kind": "vehicle", "plate": "P-123ABC", "reason": "Vehículo de un secuestro",
            "action": "secondary_inspection", "valid_hours": 24})),
    responses(
        (status = 201, description = "Issued", body = LookoutView),
        (status = 403, description = "Not a supervisor or analyst, or a scope beyond the user's post", body = ErrorBody),
        (status = 422, description = "A field refused (`invalid_field`, naming it)", body = ErrorBody),
    ))]
pub async fn issue(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(input): Json<LookoutInput>,
) -> Result<(StatusCode, Json<LookoutView>), ApiError> {
    Ok((StatusCode::CREATED, Json(app.app().issue_lookout(Caller::User(&user), &input).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Also cancelled and expired lookouts (default false).
    pub all: Option<bool>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// Lookouts, newest first: in force or pending unless `all`; a user bound
/// to a post sees those covering it. Audited.
#[utoipa::path(get, path = "/api/lookouts", tag = "lookouts", security(("bearer" = []), ("cookie" = [])),
    params(ListQuery),
    responses((status = 200, description = "Lookouts", body = [LookoutView])))]
pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<LookoutView>>, ApiError> {
    let all = q.all.unwrap_or(false);
    Ok(Json(app.app().lookouts(Caller::User(&user), all, q.limit.unwrap_or(100)).await?))
}

/// One lookout. Audited.
#[utoipa::path(get, path = "/api/lookouts/{uid}", tag = "lookouts", security(("bearer" = []), ("cookie" = [])),
    params(("uid" = String, Path, description = "The lookout's id")),
    responses(
        (status = 200, description = "The lookout", body = LookoutView),
        (status = 404, description = "No such lookout (or not for this user's post)", body = ErrorBody),
    ))]
pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(uid): Path<String>,
) -> Result<Json<LookoutView>, ApiError> {
    Ok(Json(app.app().lookout(Caller::User(&user), &uid).await?))
}

/// Change a lookout issued here: `reason`, `action`, `valid_until`,
/// `notify` (absent fields unchanged). Posts receive the new revision.
#[utoipa::path(patch, path = "/api/lookouts/{uid}", tag = "lookouts", security(("bearer" = []), ("cookie" = [])),
    params(("uid" = String, Path, description = "The lookout's id")),
    request_body = LookoutChangeInput,
    responses(
        (status = 200, description = "Changed", body = LookoutView),
        (status = 403, description = "Not a supervisor or analyst, or another post's lookout", body = ErrorBody),
        (status = 404, description = "No such lookout", body = ErrorBody),
        (status = 409, description = "Cancelled, or issued at the centre (`conflict`)", body = ErrorBody),
        (status = 422, description = "A field refused, or nothing to change (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn change(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(uid): Path<String>,
    Json(input): Json<LookoutChangeInput>,
) -> Result<Json<LookoutView>, ApiError> {
    Ok(Json(app.app().change_lookout(Caller::User(&user), &uid, &input).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why: required, at most 500 characters.
    #[schema(example = "la menor fue hallada")]
    pub reason: String,
}

/// Cancel a lookout issued here: out of force at once here, at online
/// posts within seconds, at offline posts when they are back.
#[utoipa::path(post, path = "/api/lookouts/{uid}/cancel", tag = "lookouts",
    security(("bearer" = []), ("cookie" = [])),
    params(("uid" = String, Path, description = "The lookout's id")),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = LookoutView),
        (status = 403, description = "Not a supervisor or analyst, or another post's lookout", body = ErrorBody),
        (status = 404, description = "No such lookout", body = ErrorBody),
        (status = 409, description = "Already cancelled, or issued at the centre (`conflict`)", body = ErrorBody),
        (status = 422, description = "No reason (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn cancel(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(uid): Path<String>,
    Json(req): Json<CancelRequest>,
) -> Result<Json<LookoutView>, ApiError> {
    Ok(Json(app.app().cancel_lookout(Caller::User(&user), &uid, &req.reason).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HitsQuery {
    /// Only this lookout's hits.
    pub lookout: Option<String>,
    /// Only hits with a greater id, oldest first (default: newest first).
    pub after: Option<i64>,
    /// At most this many (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// Lookout hits (a user bound to a post sees their post's). Audited.
#[utoipa::path(get, path = "/api/lookouts/hits", tag = "lookouts", security(("bearer" = []), ("cookie" = [])),
    params(HitsQuery),
    responses((status = 200, description = "Hits", body = [Object])))]
pub async fn hits(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<HitsQuery>,
) -> Result<Json<Vec<StoredLookoutHit>>, ApiError> {
    if q.lookout.as_ref().is_some_and(|l| l.len() > 64) {
        return Err(centinela_app::AppError::Invalid("lookout: at most 64 characters".into()).into());
    }
    let filter = LookoutHitFilter {
        lookout_uid: q.lookout,
        post: None,
        after_id: q.after.unwrap_or(0).max(0),
        limit: q.limit.unwrap_or(100),
    };
    Ok(Json(app.app().lookout_hits(Caller::User(&user), filter).await?))
}

/// How long one live stream is held open.
const STREAM_LIFETIME: Duration = Duration::from_secs(600);

/// New lookout hits as they happen (server-sent events, event
/// `lookout_hit`, data the hit as JSON): for the duty supervisor of the
/// hit's post (country-wide supervisors: every post), the lookout's issuer
/// and the people it names. Each event sent is audited
/// (`lookout_hit_notified`). A stream ends after ten minutes (a
/// browser's EventSource reconnects).
#[utoipa::path(get, path = "/api/lookouts/hits/stream", tag = "lookouts",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, description = "An event stream (text/event-stream)", content_type = "text/event-stream",
        body = String)))]
pub async fn stream(
    State(app): State<AppState>,
    user: CurrentUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = app.app().lookout_hit_events();
    let user = user.0.user.clone();
    let app = app.app().clone();
    // A stream lasts at most STREAM_LIFETIME; the browser's EventSource
    // opens the next one by itself.
    let deadline = tokio::time::Instant::now() + STREAM_LIFETIME;
    let events = futures_util::stream::unfold((rx, user, app), move |(mut rx, user, app)| async move {
        loop {
            let Ok(next) = tokio::time::timeout_at(deadline, rx.recv()).await else { return None };
            match next {
                Ok(hit) if centinela_app::App::told_of(&user, &hit) => {
                    let detail = json!({ "hit": hit.id, "post": hit.post });
                    let subject = format!("lookout:{}", hit.lookout_uid);
                    if let Err(e) = app.audit(Caller::User(&user), "lookout_hit_notified", subject, detail).await {
                        tracing::error!(error = %e, "cannot audit a live lookout hit: not sent");
                        continue;
                    }
                    let data = serde_json::to_string(&hit).unwrap_or_else(|_| "{}".into());
                    return Some((Ok(Event::default().event("lookout_hit").data(data)), (rx, user, app)));
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(n)) => {
                    let data = json!({ "missed": n }).to_string();
                    return Some((Ok(Event::default().event("lagged").data(data)), (rx, user, app)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
