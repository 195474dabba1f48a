//! Signing in and out, the same for the API and the web pages: the login
//! limits (counted when an attempt starts, so a burst cannot outrun them),
//! the token and cookies around the use cases that check the credentials,
//! open and close the session ([`centinela_app::App::check_credentials`],
//! [`centinela_app::App::open_session`], [`centinela_app::App::close_session`]).

use std::net::IpAddr;

use axum::http::{HeaderMap, header};
use serde_json::json;

use crate::auth::{AuthUser, csrf_token, expired_cookies, hash_token, new_token, session_cookies};
use crate::error::{ApiError, ErrorCode};
use crate::state::{AppState, LimitKey, unix_now};

/// A session opened: what the client keeps, and the cookies to set.
pub(crate) struct SignedIn {
    pub token: String,
    pub csrf_token: String,
    /// Unix seconds.
    pub expires_at: i64,
    pub password_change_required: bool,
    /// `Set-Cookie` headers: the session and CSRF cookies.
    pub cookies: HeaderMap,
}

/// Signs `username` in from `address`, or says why not: `rate_limited`
/// (with `retry_after`) past the limits or while too many logins are under
/// way, `invalid_credentials` for a wrong username or password or a
/// disabled account. Every attempt is audited.
pub(crate) async fn sign_in(
    app: &AppState,
    address: Option<IpAddr>,
    username: &str,
    password: &str,
) -> Result<SignedIn, ApiError> {
    let cfg = app.config();
    let Some(_slot) = app.login_slot() else {
        tracing::warn!("login refused: too many logins under way");
        return Err(ApiError {
            retry_after: Some(1),
            ..ApiError::new(ErrorCode::RateLimited, "too many logins at once; try again in 1 s")
        });
    };
    let (user_at_address, user_anywhere, by_address) =
        (LimitKey::user_at(username, address), LimitKey::user(username), address.map(LimitKey::Ip));
    let mut keys = vec![(&user_at_address, cfg.max_failures_per_user), (&user_anywhere, cfg.max_failures_per_account)];
    if let Some(k) = &by_address {
        keys.push((k, cfg.max_failures_per_ip));
    }
    // Counted before the password is hashed: a burst of guesses cannot all
    // be checked before the first failure is known.
    let started = match app.limiter().begin(&keys) {
        Ok(at) => at,
        Err(wait) => {
            let known = app.app().known_account(username).await?;
            audit_failure(app, known.as_ref(), "rate_limited", address).await?;
            tracing::warn!(retry_after = wait, "login rate limited");
            return Err(ApiError {
                retry_after: Some(wait),
                ..ApiError::new(ErrorCode::RateLimited, format!("too many failed logins; try again in {wait} s"))
            });
        }
    };
    let account = match app.app().check_credentials(username, password).await? {
        Ok(account) => account,
        Err(refused) => {
            audit_failure(app, refused.account.as_ref(), refused.reason, address).await?;
            tracing::info!(reason = refused.reason, "login failed");
            return Err(ApiError::new(ErrorCode::InvalidCredentials, "wrong username or password"));
        }
    };
    app.limiter().succeeded(&keys, started);

    let token = new_token()?;
    let ttl = cfg.session_ttl.as_secs();
    let expires_at = unix_now().saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
    app.app().open_session(&account, &hash_token(&token), expires_at, address).await?;
    let mut cookies = HeaderMap::new();
    for c in session_cookies(&token, ttl, cfg.secure_cookies) {
        cookies.append(header::SET_COOKIE, c);
    }
    Ok(SignedIn {
        csrf_token: csrf_token(&token),
        token,
        expires_at,
        password_change_required: account.must_change_password,
        cookies,
    })
}

/// A failed login in the audit chain: the account is named only by its id
/// (`user:<id>`, or `unknown` when no such user exists), never by the
/// username typed, and the password is nowhere; with the client address,
/// aggregated per account, address and minute (`crate::failures`).
async fn audit_failure(
    app: &AppState,
    known: Option<&centinela_store::User>,
    reason: &str,
    address: Option<IpAddr>,
) -> Result<(), ApiError> {
    let subject = match known {
        Some(u) => format!("user:{}", u.id),
        None => "unknown".to_owned(),
    };
    let attempt =
        crate::failures::Attempt::new("anonymous", "login_failed", subject, address, json!({ "reason": reason }));
    app.audit_attempt(attempt).await
}

/// Ends the user's session (its token stops working at once on this
/// server); answers the `Set-Cookie` headers that remove the cookies.
pub(crate) async fn sign_out(app: &AppState, user: &AuthUser) -> Result<HeaderMap, ApiError> {
    app.app().close_session(user, user.session_id, &user.token_hash).await?;
    app.sessions().remove(&user.token_hash);
    let mut cookies = HeaderMap::new();
    for c in expired_cookies(app.config().secure_cookies) {
        cookies.append(header::SET_COOKIE, c);
    }
    Ok(cookies)
}
