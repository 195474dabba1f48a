//! The account lifecycle (issue 16): a user changes their own password;
//! an administrator disables and enables accounts, resets passwords (the
//! user must change it at the next login), changes roles and post
//! bindings, ends a user's sessions, and approves or rejects another
//! administrator's request for a protection or admin account.
//!
//! Every change is audited by the store in its own transaction and ends
//! the user's sessions there; the server also forgets them in its session
//! cache at once ([`crate::state::SessionCache::remove_user`]). An
//! administrator cannot disable, re-role, re-post or reset themself
//! (another admin does), nor approve their own request.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use centinela_app::accounts::Outcome;
pub use centinela_app::accounts::{ApprovalView, ChangeView, RequestView};
use centinela_domain::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password now in force (after a reset, the temporary one).
    #[schema(format = Password)]
    pub current_password: String,
    /// At least 12 characters and hard to guess (zxcvbn score 3 of 4; 4 for
    /// admin and protection accounts); not the username.
    #[schema(format = Password)]
    pub new_password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    /// The temporary password: the policy of a new password applies; the
    /// user must change it at the next login.
    #[schema(format = Password, example = "Pino-lago-Cometa-7x!Q")]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    #[schema(value_type = crate::schemas::RoleName, example = "supervisor")]
    pub role: Role,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostChange {
    /// The border post's code; `null` for a country-wide user.
    #[schema(example = "GTM-TECUNUMAN")]
    pub post: Option<String>,
}

/// After a change: forget the user's cached sessions on this server.
fn forget(app: &AppState, change: ChangeView) -> Json<ChangeView> {
    app.sessions().remove_user(change.user.id);
    Json(change)
}

/// A change done (`200`) or asked of a second administrator (`202`).
fn outcome(app: &AppState, o: Outcome<ChangeView>) -> Response {
    match o {
        Outcome::Done(c) => forget(app, c).into_response(),
        Outcome::Requested(r) => (StatusCode::ACCEPTED, Json(r)).into_response(),
    }
}

/// Change your own password. The current password is needed; a wrong one
/// ends this session (`invalid_credentials`: guessing needs a fresh login
/// each time, which the login limits). The new one must pass the policy
/// (`weak_password`, saying why). Your other sessions end; this one stays
/// and, after a reset, may do everything again.
#[utoipa::path(post, path = "/api/session/password", tag = "session", security(("bearer" = []), ("cookie" = [])),
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, description = "Not logged in, or the current password is wrong (`invalid_credentials`; the session ended)", body = ErrorBody),
        (status = 403, description = "Cookie session without the CSRF header", body = ErrorBody),
        (status = 422, description = "The new password is refused (`weak_password`), or a field is missing (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn change_password(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    app.change_own_password(&user, &req.current_password, &req.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disable a user: the login refuses them and every session ends at once.
#[utoipa::path(post, path = "/api/users/{id}/disable", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Disabled", body = ChangeView),
        (status = 403, description = "Not an admin, or your own account (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub async fn disable(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ChangeView>, ApiError> {
    Ok(forget(&app, app.app().set_user_disabled(&user, id, true).await?))
}

/// Enable a disabled user.
#[utoipa::path(post, path = "/api/users/{id}/enable", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Enabled", body = ChangeView),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub async fn enable(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ChangeView>, ApiError> {
    Ok(forget(&app, app.app().set_user_disabled(&user, id, false).await?))
}

/// Reset a user's password to a temporary one: every session ends, and the
/// next login may do nothing but change it (`password_change_required`).
/// For a protection or admin account it is a request another admin
/// approves (`202`): else the admin who knows the temporary password could
/// sign in as them first.
#[utoipa::path(post, path = "/api/users/{id}/password", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    request_body = PasswordReset,
    responses(
        (status = 200, description = "Reset", body = ChangeView),
        (status = 202, description = "A protection or admin account: waiting for a second admin", body = RequestView),
        (status = 403, description = "Not an admin, or your own account (change it instead)", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "A request for this user is already pending", body = ErrorBody),
        (status = 422, description = "The password is refused (`weak_password`)", body = ErrorBody),
    ))]
pub async fn reset_password(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<PasswordReset>,
) -> Result<Response, ApiError> {
    Ok(outcome(&app, app.app().reset_password(&user, id, &req.password).await?))
}

/// Change a user's role; the sessions end so the new role holds at once.
/// Raising a user to protection or admin is a request another admin
/// approves: answered `202` with the request.
#[utoipa::path(put, path = "/api/users/{id}/role", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    request_body = RoleChange,
    responses(
        (status = 200, description = "Changed", body = ChangeView),
        (status = 202, description = "A privileged role: waiting for a second admin", body = RequestView),
        (status = 403, description = "Not an admin, or your own account", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "A request for this user is already pending, or the role is the same", body = ErrorBody),
    ))]
pub async fn set_role(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<RoleChange>,
) -> Result<Response, ApiError> {
    Ok(outcome(&app, app.app().set_user_role(&user, id, req.role).await?))
}

/// Bind a user to a border post, or make them country-wide (`null`); the
/// sessions end.
#[utoipa::path(put, path = "/api/users/{id}/post", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    request_body = PostChange,
    responses(
        (status = 200, description = "Changed", body = ChangeView),
        (status = 403, description = "Not an admin, or your own account", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "Not a post code (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn set_post(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<PostChange>,
) -> Result<Json<ChangeView>, ApiError> {
    Ok(forget(&app, app.app().set_user_post(&user, id, req.post.as_deref()).await?))
}

/// End every session of a user (a lost device, a shared screen).
#[utoipa::path(delete, path = "/api/users/{id}/sessions", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "Ended", body = ChangeView),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub async fn end_sessions(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ChangeView>, ApiError> {
    Ok(forget(&app, app.app().end_user_sessions(&user, id).await?))
}

/// The requests for protection and admin accounts, pending first (newest
/// first within each).
#[utoipa::path(get, path = "/api/users/requests", tag = "users", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every request", body = [RequestView]),
    ))]
pub async fn requests(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<RequestView>>, ApiError> {
    Ok(Json(app.app().account_requests(&user).await?))
}

/// Approve another administrator's request: the account is created (with
/// the password they set) or the role changed.
#[utoipa::path(post, path = "/api/users/requests/{id}/approve", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 200, description = "Approved", body = ApprovalView),
        (status = 403, description = "Not an admin, your own request, or your own elevation (`forbidden`)", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "Already decided, or the username was taken meanwhile", body = ErrorBody),
    ))]
pub async fn approve(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ApprovalView>, ApiError> {
    let approved = app.app().approve_account_request(&user, id).await?;
    app.sessions().remove_user(approved.user.id);
    Ok(Json(approved))
}

/// Reject a pending request (the admin who made it may withdraw it so).
#[utoipa::path(post, path = "/api/users/requests/{id}/reject", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The request's id")),
    responses(
        (status = 200, description = "Rejected", body = RequestView),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "Already decided", body = ErrorBody),
    ))]
pub async fn reject(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<RequestView>, ApiError> {
    Ok(Json(app.app().reject_account_request(&user, id).await?))
}
