//! `/api/users` (admin): list, create, show. Every call is in the audit
//! chain (users' names are personal data). The rest of an account's life
//! (disable, passwords, role, post, sessions, approvals) is in
//! [`super::accounts`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use centinela_app::accounts::Outcome;
pub use centinela_app::accounts::{RequestView, UserView};
use centinela_domain::Role;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 1 to 64 letters, digits, `.`, `_`, `-`, `@`.
    #[schema(example = "ana.perez")]
    pub username: String,
    /// `officer`, `supervisor`, `analyst`, `protection`, `admin` or `auditor`.
    #[schema(value_type = crate::schemas::RoleName, example = "officer")]
    pub role: Role,
    /// The border post's code; leave out for a country-wide user.
    #[schema(example = "GTM-TECUNUMAN")]
    pub post: Option<String>,
    /// At least 12 characters and hard to guess (zxcvbn score 3 of 4; 4 for
    /// admin and protection accounts); not the username.
    #[schema(format = Password, example = "Pino-lago-Cometa-7x!Q")]
    pub password: String,
}

/// Every user, by username.
#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every user", body = [UserView]),
    ))]
pub async fn list(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<UserView>>, ApiError> {
    Ok(Json(app.app().users(&user).await?))
}

/// One user.
#[utoipa::path(get, path = "/api/users/{id}", tag = "users", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The user", body = UserView),
        (status = 400, description = "The id is not a number (`invalid_path`)", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(app.app().user(&user, id).await?))
}

/// Create a user (argon2id password). The store writes the `user_created`
/// audit entry in the same transaction. A protection or admin account is
/// a request (`202`) that another administrator approves
/// (`POST /api/users/requests/{id}/approve`).
#[utoipa::path(post, path = "/api/users", tag = "users", security(("bearer" = []), ("cookie" = [])),
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 202, description = "A protection or admin account: waiting for a second admin", body = RequestView),
        (status = 403, description = "Not an admin, or no CSRF token on a cookie session", body = ErrorBody),
        (status = 409, description = "The username is taken (`conflict`)", body = ErrorBody),
        (status = 422, description = "A field is missing or invalid (`invalid_field`), or the password is refused (`weak_password`, saying why)", body = ErrorBody),
    ))]
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<NewUser>,
) -> Result<Response, ApiError> {
    Ok(match app.app().create_user(&user, &req.username, req.role, req.post.as_deref(), &req.password).await? {
        Outcome::Done(u) => (StatusCode::CREATED, Json(u)).into_response(),
        Outcome::Requested(r) => (StatusCode::ACCEPTED, Json(r)).into_response(),
    })
}
