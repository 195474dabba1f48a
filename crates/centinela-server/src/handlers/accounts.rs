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
use centinela_domain::Role;
use centinela_store::{AccountChange, AccountRequest, needs_approval};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, ErrorCode, Json, Path};
use crate::handlers::users::{UserView, check_post};
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
    #[schema(value_type = crate::openapi::names::RoleName, example = "supervisor")]
    pub role: Role,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostChange {
    /// The border post's code; `null` for a country-wide user.
    #[schema(example = "GTM-TECUNUMAN")]
    pub post: Option<String>,
}

/// What an account change did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeView {
    pub user: UserView,
    /// How many of the user's sessions ended.
    pub sessions_ended: u64,
}

impl From<AccountChange> for ChangeView {
    fn from(c: AccountChange) -> Self {
        ChangeView { user: c.user.into(), sessions_ended: c.sessions_ended }
    }
}

/// A request for a protection or admin account, waiting for (or decided
/// by) a second administrator.
#[derive(Debug, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    /// `create` (a new account), `role` (raising an existing user) or
    /// `reset` (a privileged account's password).
    #[schema(example = "create")]
    pub kind: &'static str,
    pub username: String,
    /// The user raised (role requests), or created (once approved).
    pub user_id: Option<i64>,
    #[schema(value_type = String, example = "protection")]
    pub role: Role,
    pub post: Option<String>,
    /// The requesting administrator, `user:<id>`.
    pub requested_by: String,
    pub requested_at: String,
    /// `pending`, `approved` or `rejected`.
    #[schema(example = "pending")]
    pub status: &'static str,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

impl From<AccountRequest> for RequestView {
    fn from(r: AccountRequest) -> Self {
        RequestView {
            id: r.id,
            kind: r.kind.as_str(),
            username: r.username,
            user_id: r.user_id,
            role: r.role,
            post: r.post,
            requested_by: r.requested_by,
            requested_at: r.requested_at,
            status: r.status.as_str(),
            decided_by: r.decided_by,
            decided_at: r.decided_at,
        }
    }
}

/// An approved request and the account it made or changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalView {
    pub request: RequestView,
    pub user: UserView,
}

/// Refuses an administrator's change to their own account: another admin
/// makes it (no one disables, re-roles or resets themself).
fn not_self(user: &CurrentUser, id: i64) -> Result<(), ApiError> {
    if user.id == id {
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "another administrator must make this change to your own account",
        ));
    }
    Ok(())
}

/// After a change: forget the user's cached sessions on this server.
fn forget(app: &AppState, change: &AccountChange) {
    app.sessions().remove_user(change.user.id);
    tracing::info!(user = change.user.id, sessions = change.sessions_ended, "account changed");
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
    match app.store().change_password(user.id, &req.current_password, &req.new_password, Some(user.session_id)).await {
        Ok(change) => {
            forget(&app, &change);
            Ok(StatusCode::NO_CONTENT)
        }
        Err(centinela_store::StoreError::WrongPassword) => {
            app.store().delete_session(&user.token_hash).await?;
            app.sessions().remove(&user.token_hash);
            tracing::info!(user = user.id, "password change refused: wrong current password; session ended");
            Err(centinela_store::StoreError::WrongPassword.into())
        }
        Err(e) => Err(e.into()),
    }
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
    not_self(&user, id)?;
    let change = app.store().set_user_disabled(&user.actor(), id, true).await?;
    forget(&app, &change);
    Ok(Json(change.into()))
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
    let change = app.store().set_user_disabled(&user.actor(), id, false).await?;
    forget(&app, &change);
    Ok(Json(change.into()))
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
    not_self(&user, id)?;
    let target = app.store().user_by_id(id).await?.ok_or_else(|| ApiError::not_found(format!("no user {id}")))?;
    if needs_approval(target.role) {
        let request = app.store().request_reset(&user.actor(), id, &req.password).await?;
        tracing::info!(user = user.id, request = request.id, "privileged password reset requested");
        return Ok((StatusCode::ACCEPTED, Json(RequestView::from(request))).into_response());
    }
    let change = app.store().reset_password(&user.actor(), id, &req.password).await?;
    forget(&app, &change);
    Ok(Json(ChangeView::from(change)).into_response())
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
    not_self(&user, id)?;
    let target = app.store().user_by_id(id).await?.ok_or_else(|| ApiError::not_found(format!("no user {id}")))?;
    if needs_approval(req.role) && target.role != req.role {
        let request = app.store().request_role(&user.actor(), id, req.role).await?;
        tracing::info!(user = user.id, request = request.id, "privileged role requested");
        return Ok((StatusCode::ACCEPTED, Json(RequestView::from(request))).into_response());
    }
    let change = app.store().set_user_role(&user.actor(), id, req.role).await?;
    forget(&app, &change);
    Ok(Json(ChangeView::from(change)).into_response())
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
    not_self(&user, id)?;
    if let Some(p) = &req.post {
        check_post(p)?;
    }
    let change = app.store().set_user_post(&user.actor(), id, req.post.as_deref()).await?;
    forget(&app, &change);
    Ok(Json(change.into()))
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
    let change = app.store().end_user_sessions(&user.actor(), id).await?;
    forget(&app, &change);
    Ok(Json(change.into()))
}

/// The requests for protection and admin accounts, pending first (newest
/// first within each).
#[utoipa::path(get, path = "/api/users/requests", tag = "users", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every request", body = [RequestView]),
    ))]
pub async fn requests(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<RequestView>>, ApiError> {
    let mut all = app.store().account_requests(false).await?;
    all.sort_by_key(|r| (r.status != centinela_store::RequestStatus::Pending, -r.id));
    app.audit(&user, "account_requests_viewed", "account_requests", json!({ "count": all.len() })).await?;
    Ok(Json(all.into_iter().map(RequestView::from).collect()))
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
    let (request, created) = app.store().approve_account_request(&user.actor(), id).await?;
    app.sessions().remove_user(created.id);
    tracing::info!(user = user.id, request = id, target = created.id, "account request approved");
    Ok(Json(ApprovalView { request: request.into(), user: created.into() }))
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
    let request = app.store().reject_account_request(&user.actor(), id).await?;
    Ok(Json(request.into()))
}
