//! `/api/session`: log in (a bearer token and the web interface's cookies),
//! who am I, log out. Every login attempt is in the audit chain.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use centinela_domain::Role;
use centinela_store::{User, check_username};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::auth::{
    ClientIp, CurrentUser, credentials, csrf_token, expired_cookies, hash_token, new_token, session_cookies,
};
use crate::error::{ApiError, ErrorBody, ErrorCode, Json};
use crate::state::{AppState, LimitKey, unix_now};

/// The longest username or password looked at; longer ones fail.
const MAX_CREDENTIAL_BYTES: usize = 1024;

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
    let cfg = app.config();
    let Some(_slot) = app.login_slot() else {
        tracing::warn!("login refused: too many logins under way");
        return Err(ApiError {
            retry_after: Some(1),
            ..ApiError::new(ErrorCode::RateLimited, "too many logins at once; try again in 1 s")
        });
    };
    let (user_at_address, user_anywhere, address) =
        (LimitKey::user_at(&req.username, ip), LimitKey::user(&req.username), ip.map(LimitKey::Ip));
    let mut keys = vec![(&user_at_address, cfg.max_failures_per_user), (&user_anywhere, cfg.max_failures_per_account)];
    if let Some(k) = &address {
        keys.push((k, cfg.max_failures_per_ip));
    }
    // Counted before the password is hashed: a burst of guesses cannot all
    // be checked before the first failure is known.
    let started = match app.limiter().begin(&keys) {
        Ok(at) => at,
        Err(wait) => {
            let known = known_user(&app, &req.username).await?;
            audit_failure(&app, known.as_ref(), "rate_limited", ip).await?;
            tracing::warn!(retry_after = wait, "login rate limited");
            return Err(ApiError {
                retry_after: Some(wait),
                ..ApiError::new(ErrorCode::RateLimited, format!("too many failed logins; try again in {wait} s"))
            });
        }
    };

    // A username that no account can have (control characters, too long)
    // is never sent to the database, but costs the same hash.
    let plausible = check_username(&req.username).is_ok() && req.password.len() <= MAX_CREDENTIAL_BYTES;
    let verified = if plausible {
        app.store().verify_password(&req.username, &req.password).await?
    } else {
        app.store().verify_password_of_nobody(&req.password).await;
        None
    };
    let Some(user) = verified else {
        let known = if plausible { app.store().user_by_username(&req.username).await? } else { None };
        let reason = match &known {
            Some(u) if u.disabled => "disabled",
            Some(_) => "bad_password",
            None => "unknown_user",
        };
        audit_failure(&app, known.as_ref(), reason, ip).await?;
        tracing::info!(reason, "login failed");
        return Err(ApiError::new(ErrorCode::InvalidCredentials, "wrong username or password"));
    };
    app.limiter().succeeded(&keys, started);

    let token = new_token()?;
    let ttl = cfg.session_ttl.as_secs();
    let expires_at = unix_now().saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    let session_id = app.store().create_session(user.id, &hash_token(&token), expires_at).await?;
    app.audit_as(
        &format!("user:{}", user.id),
        "login",
        format!("session:{session_id}"),
        json!({
            "role": user.role.as_str(), "post": user.post, "expires_at": expires_at,
            "address": ip.map(|a| a.to_string()),
            "password_change_required": user.must_change_password,
        }),
    )
    .await?;
    tracing::info!(user = user.id, session = session_id, "login");

    let mut headers = HeaderMap::new();
    for c in session_cookies(&token, ttl, cfg.secure_cookies) {
        headers.append(header::SET_COOKIE, c);
    }
    let csrf_token = csrf_token(&token);
    let password_change_required = user.must_change_password;
    Ok((headers, Json(LoginResponse { token, csrf_token, expires_at, password_change_required })).into_response())
}

/// The account a username names, if it could be one (no database query
/// for a username no account can have).
async fn known_user(app: &AppState, username: &str) -> Result<Option<User>, ApiError> {
    if check_username(username).is_err() {
        return Ok(None);
    }
    Ok(app.store().user_by_username(username).await?)
}

/// A failed login in the audit chain: the account is named only by its id
/// (`user:<id>`, or `unknown` when no such user exists), never by the
/// username typed, and the password is nowhere; with the client address,
/// aggregated per account, address and minute (`crate::failures`).
async fn audit_failure(
    app: &AppState,
    known: Option<&User>,
    reason: &str,
    ip: Option<std::net::IpAddr>,
) -> Result<(), ApiError> {
    let subject = match known {
        Some(u) => format!("user:{}", u.id),
        None => "unknown".to_owned(),
    };
    let attempt = crate::failures::Attempt::new("anonymous", "login_failed", subject, ip, json!({ "reason": reason }));
    app.audit_attempt(attempt).await
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
    app.store().delete_session(&user.token_hash).await?;
    app.sessions().remove(&user.token_hash);
    app.audit(&user, "logout", format!("session:{}", user.session_id), json!({})).await?;
    let mut headers = HeaderMap::new();
    for c in expired_cookies(app.config().secure_cookies) {
        headers.append(header::SET_COOKIE, c);
    }
    Ok((StatusCode::NO_CONTENT, headers).into_response())
}
