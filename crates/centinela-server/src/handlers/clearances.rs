//! Supervisors' remembered clearances over HTTP: clearing a dismissed
//! person hit (`POST /api/hits/{id}/clearance`), listing and revoking. Each
//! handler calls the use case of the same name in
//! [`centinela_app::clearances`], which checks the role, the post binding
//! and audits.

use axum::extract::State;
use axum::http::StatusCode;
use centinela_app::Caller;
pub use centinela_app::clearances::{ClearanceView, ClearancesQuery};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};
use crate::state::AppState;

/// A supervisor's clearance of a dismissed hit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearanceRequest {
    /// Why this traveller is not the listed person: required, at most
    /// 2,000 characters.
    #[schema(example = "viajero diario; otra fecha de nacimiento y otro lugar de nacimiento")]
    pub reason: String,
    /// How many days it lasts: at most, and by default, the server's
    /// `--clearance-days` (365 unless set).
    #[schema(minimum = 1, maximum = 3650)]
    pub days: Option<u32>,
}

/// Clear a dismissed person hit: this traveller (document number and
/// issuing state) against this list entry as it stood in the version
/// screened. Later inspections of the pair show "cleared on D by X:
/// reason" and neither alert nor suggest secondary inspection, until the
/// entry changes, the clearance expires or is revoked. Supervisors only.
#[utoipa::path(post, path = "/api/hits/{id}/clearance", tag = "inspections",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The hit's id")),
    request_body = ClearanceRequest,
    responses(
        (status = 201, description = "Cleared", body = ClearanceView),
        (status = 403, description = "Not a supervisor, or another post's hit", body = ErrorBody),
        (status = 404, description = "No such hit", body = ErrorBody),
        (status = 409, description = "Not a dismissed person hit, no document, the list version no longer \
            stored, or already cleared (`conflict`)", body = ErrorBody),
        (status = 422, description = "No reason, or days out of range (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn clear(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<ClearanceRequest>,
) -> Result<(StatusCode, Json<ClearanceView>), ApiError> {
    let c = app.app().clear_hit(&user, id, &req.reason, req.days).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this post's (users bound to a post always see only theirs).
    pub post: Option<String>,
    /// Also revoked and expired clearances (default false).
    pub all: Option<bool>,
    /// At most this many, newest first (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// Supervisors' clearances, newest first: those in force unless `all`.
/// Audited (they name travellers' documents).
#[utoipa::path(get, path = "/api/clearances", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "Clearances", body = [ClearanceView]),
    ))]
pub async fn list(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<ClearanceView>>, ApiError> {
    let q = ClearancesQuery { post: q.post, all: q.all.unwrap_or(false), limit: q.limit.unwrap_or(100) };
    Ok(Json(app.app().clearances(Caller::User(&user), q).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Why the clearance no longer holds: required.
    #[schema(example = "nueva información de inteligencia")]
    pub reason: String,
}

/// Revoke a clearance: the next inspection of the pair alerts again.
/// Supervisors covering the clearance's post.
#[utoipa::path(post, path = "/api/clearances/{uid}/revoke", tag = "inspections",
    security(("bearer" = []), ("cookie" = [])),
    params(("uid" = String, Path, description = "The clearance's id")),
    request_body = RevokeRequest,
    responses(
        (status = 200, description = "Revoked", body = ClearanceView),
        (status = 403, description = "Not a supervisor, or another post's clearance", body = ErrorBody),
        (status = 404, description = "No such clearance", body = ErrorBody),
        (status = 409, description = "Already revoked (`conflict`)", body = ErrorBody),
        (status = 422, description = "No reason (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn revoke(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(uid): Path<String>,
    Json(req): Json<RevokeRequest>,
) -> Result<Json<ClearanceView>, ApiError> {
    Ok(Json(app.app().revoke_clearance(Caller::User(&user), &uid, &req.reason).await?))
}
