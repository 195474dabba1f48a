//! `/api/session`: log in (a bearer token and the web interface's cookies),
//! who am I, log out. Every login attempt is in the audit chain.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use centinela_domain::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::{ClientIp, CurrentUser, credentials, csrf_token};
use crate::error::{ApiError, ErrorBody, Json};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "ana.perez")]
    pub username: String,
    #[schema(example = "correct horse battery staple", format = Password)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. 64 hex digits.
    pub token: String,
    /// What cookie sessions send in the `X-CSRF-Token` header (also in the
    /// `centinela_csrf` cookie).
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// An administrator set this password: the session may only change it
    /// (`POST /api/session/password`), read `GET /api/session` or log out;
    /// anything else answers `password_change_required`.
    pub password_change_required: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    pub id: i64,
    pub username: String,
    #[schema(value_type = String, example = "officer")]
    pub role: Role,
    /// The user's border post; absent for country-wide users.
    pub post: Option<String>,
    /// For the `X-CSRF-Token` header of cookie sessions.
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    /// The password must be changed before anything else.
    pub password_change_required: bool,
}

/// Log in with a username and password. Answers a bearer token and sets
/// the session and CSRF cookies. After an administrator's reset the answer
/// says `password_change_required`: that session may only change the
/// password. A session unused for the idle timeout (30 minutes by default)
/// ends. Attempts are counted when they start: past five failures for one
/// username from one address (twenty from one address, a hundred for one
/// username from anywhere) within 15 minutes, each further attempt must
/// wait twice as long as the last (1 s, 2 s, 4 s … at most 15 minutes) and
/// meanwhile answers `rate_limited` with `Retry-After`; so does a login
/// while too many are under way.
#[utoipa::path(post, path = "/api/session", tag = "session", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; also sets the centinela_session and centinela_csrf cookies", body = LoginResponse),
        (status = 401, description = "Wrong username or password, or disabled user (`invalid_credentials`)", body = ErrorBody),
        (status = 422, description = "A field is missing or not a string", body = ErrorBody),
        (status = 429, description = "Too many failures; see Retry-After", body = ErrorBody),
    ))]
pub async fn login(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Json(req): Json<LoginRequest>,
) -> Result<Response, ApiError> {
    let s = crate::signin::sign_in(&app, ip, &req.username, &req.password).await?;
    let body = LoginResponse {
        token: s.token,
        csrf_token: s.csrf_token,
        expires_at: s.expires_at,
        password_change_required: s.password_change_required,
    };
    Ok((s.cookies, Json(body)).into_response())
}

/// Who is logged in, and the CSRF token for cookie sessions.
#[utoipa::path(get, path = "/api/session", tag = "session", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The logged-in user", body = WhoAmI),
    ))]
pub async fn whoami(user: CurrentUser, headers: HeaderMap) -> Result<Json<WhoAmI>, ApiError> {
    let (token, _) = credentials(&headers).ok_or_else(ApiError::unauthenticated)?;
    Ok(Json(WhoAmI {
        id: user.id,
        username: user.username.clone(),
        role: user.role,
        post: user.post.clone(),
        csrf_token: csrf_token(token),
        expires_at: user.session_expires_at,
        password_change_required: user.must_change_password,
    }))
}

/// Log out: ends the session (its token stops working at once on this
/// server) and removes the cookies.
#[utoipa::path(delete, path = "/api/session", tag = "session", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 204, description = "Logged out; the cookies are removed"),
        (status = 403, description = "Cookie session without the X-CSRF-Token header (`csrf_failed`)", body = ErrorBody),
    ))]
pub async fn logout(State(app): State<AppState>, user: CurrentUser) -> Result<Response, ApiError> {
    let cookies = crate::signin::sign_out(&app, &user).await?;
    Ok((StatusCode::NO_CONTENT, cookies).into_response())
}
