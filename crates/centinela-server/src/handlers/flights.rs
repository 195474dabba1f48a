//! Pre-arrival screening over HTTP (issue 23): an air post's flights with
//! their hits, a flight's manifest with each person's hits, and the
//! adjudication of a hit. Supervisors of the air post (a supervisor of
//! another post sees none); country-wide supervisors name the post. Each
//! handler calls [`centinela_app::prearrival`], which checks post binding
//! and audits every read of a manifest and every adjudication.

use axum::extract::State;
use axum::http::StatusCode;
pub use centinela_app::prearrival::{
    FlightRow, FlightView, ManifestPerson, PostFlights, PrearrivalDecision, PrearrivalHitView,
};
use centinela_store::Verdict;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};
use crate::state::AppState;

/// A supervisor's judgement of a pre-arrival hit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrearrivalAdjudicationRequest {
    /// `confirmed` or `dismissed`.
    #[schema(value_type = crate::schemas::VerdictName, example = "dismissed")]
    pub decision: Verdict,
    /// Why: required.
    #[schema(example = "otra fecha de nacimiento y otra nacionalidad", max_length = 500)]
    pub reason: String,
}

/// Which air post (country-wide users only; a user bound to a post reads
/// their own).
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostQuery {
    /// The air post's code, e.g. `GTM-GUA`.
    #[param(example = "GTM-GUA", max_length = 64)]
    pub post: Option<String>,
}

fn post(q: &PostQuery) -> Result<Option<&str>, ApiError> {
    match q.post.as_deref() {
        Some(p) if p.len() > 64 => Err(ApiError::invalid_field("post: at most 64 characters")),
        other => Ok(other),
    }
}

/// The air post's flights arriving or leaving in the next 48 hours and the
/// last 24, with their counts of pre-arrival hits (all, and still open).
#[utoipa::path(get, path = "/api/flights", tag = "passengers", security(("bearer" = []), ("cookie" = [])),
    params(PostQuery),
    responses(
        (status = 200, description = "The flights", body = PostFlights),
        (status = 403, description = "Not a supervisor, or another post", body = ErrorBody),
        (status = 404, description = "No such air post with an airport code", body = ErrorBody),
        (status = 422, description = "A country-wide user named no post (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PostQuery>,
) -> Result<Json<PostFlights>, ApiError> {
    Ok(Json(app.app().post_flights(&user, post(&q)?).await?))
}

/// A flight's manifest (API lists and PNR passengers), each person with
/// the hits raised for them at the post, their reasons and adjudications.
/// Audited (`flight_viewed`).
#[utoipa::path(get, path = "/api/flights/{id}", tag = "passengers", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The flight's id"), PostQuery),
    responses(
        (status = 200, description = "The manifest", body = FlightView),
        (status = 403, description = "Not a supervisor, or another post", body = ErrorBody),
        (status = 404, description = "No such flight at the post", body = ErrorBody),
        (status = 422, description = "A country-wide user named no post (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<PostQuery>,
) -> Result<Json<FlightView>, ApiError> {
    Ok(Json(app.app().flight_view(&user, post(&q)?, id).await?))
}

/// Confirm or dismiss a pre-arrival hit with a reason (the vocabulary of
/// the booth's hits). A later adjudication corrects an earlier one, which
/// stays on record. Audited (`prearrival_hit_adjudicated`).
#[utoipa::path(post, path = "/api/flights/hits/{id}/adjudication", tag = "passengers",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The pre-arrival hit's id")),
    request_body = PrearrivalAdjudicationRequest,
    responses(
        (status = 201, description = "Recorded", body = PrearrivalDecision),
        (status = 403, description = "Not a supervisor, or another post's hit", body = ErrorBody),
        (status = 404, description = "No such hit", body = ErrorBody),
        (status = 422, description = "No reason (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn adjudicate(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<PrearrivalAdjudicationRequest>,
) -> Result<(StatusCode, Json<PrearrivalDecision>), ApiError> {
    let a = app.app().adjudicate_prearrival(&user, id, req.decision, &req.reason).await?;
    Ok((StatusCode::CREATED, Json(a)))
}
