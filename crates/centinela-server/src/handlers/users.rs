//! `/api/users` (admin): list, create, show. Every call is in the audit
//! chain (users' names are personal data). The rest of an account's life
//! (disable, passwords, role, post, sessions, approvals) is in
//! [`super::accounts`].

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use centinela_domain::Role;
use centinela_store::{StoreError, User, needs_approval};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path};
use crate::handlers::accounts::RequestView;
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    #[schema(value_type = String, example = "officer")]
    pub role: Role,
    /// The border post's code; absent for country-wide users.
    pub post: Option<String>,
    pub created_at: String,
    pub disabled: bool,
    /// An administrator reset the password: the user must change it at
    /// the next login.
    pub must_change_password: bool,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.id,
            username: u.username,
            role: u.role,
            post: u.post,
            created_at: u.created_at,
            disabled: u.disabled,
            must_change_password: u.must_change_password,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// 1 to 64 letters, digits, `.`, `_`, `-`, `@`.
    #[schema(example = "ana.perez")]
    pub username: String,
    /// `officer`, `supervisor`, `analyst`, `protection`, `admin` or `auditor`.
    #[schema(value_type = crate::openapi::names::RoleName, example = "officer")]
    pub role: Role,
    /// The border post's code; leave out for a country-wide user.
    #[schema(example = "GTM-TECUNUMAN")]
    pub post: Option<String>,
    /// At least 12 characters and hard to guess (zxcvbn score 3 of 4; 4 for
    /// admin and protection accounts); not the username.
    #[schema(format = Password, example = "Pino-lago-Cometa-7x!Q")]
    pub password: String,
}

/// A user's post: a post code as the domain defines it (one rule for every
/// post code).
pub(crate) fn check_post(post: &str) -> Result<(), ApiError> {
    centinela_domain::check_post_code(post)
        .map_err(|_| ApiError::invalid_field("post: a post code is 2 to 40 capital letters, digits or '-'"))
}

/// Every user, by username.
#[utoipa::path(get, path = "/api/users", tag = "users", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every user", body = [UserView]),
    ))]
pub async fn list(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<UserView>>, ApiError> {
    let users = app.store().users().await?;
    app.audit(&user, "users_viewed", "users", json!({ "count": users.len() })).await?;
    Ok(Json(users.into_iter().map(UserView::from).collect()))
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
    let found = app.store().user_by_id(id).await?.ok_or_else(|| ApiError::not_found(format!("no user {id}")))?;
    app.audit(&user, "user_viewed", format!("user:{id}"), json!({})).await?;
    Ok(Json(found.into()))
}

/// What `POST /api/users` did: created the user, or (a protection or admin
/// account) asked a second administrator.
#[derive(Debug)]
pub enum Created {
    User(UserView),
    Request(RequestView),
}

impl IntoResponse for Created {
    fn into_response(self) -> Response {
        match self {
            Created::User(u) => (StatusCode::CREATED, Json(u)).into_response(),
            Created::Request(r) => (StatusCode::ACCEPTED, Json(r)).into_response(),
        }
    }
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
) -> Result<Created, ApiError> {
    centinela_store::check_username(&req.username).map_err(|e| ApiError::invalid_field(format!("username: {e}")))?;
    centinela_store::check_new_password(&req.password, &req.username, req.role).map_err(StoreError::from)?;
    if let Some(post) = &req.post {
        check_post(post)?;
    }
    if needs_approval(req.role) {
        let request = app
            .store()
            .request_account(&user.actor(), &req.username, req.role, req.post.as_deref(), &req.password)
            .await?;
        tracing::info!(
            user = user.id,
            request = request.id,
            role = request.role.as_str(),
            "privileged account requested"
        );
        return Ok(Created::Request(request.into()));
    }
    let created =
        app.store().create_user(&user.actor(), &req.username, req.role, req.post.as_deref(), &req.password).await?;
    tracing::info!(user = user.id, created = created.id, role = created.role.as_str(), "user created");
    Ok(Created::User(created.into()))
}
