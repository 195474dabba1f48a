//! Who is asking: session tokens, cookies, CSRF, and finding a token's
//! user (the guard that every endpoint passes through is in the routes
//! module).
//!
//! A token is 32 random bytes written as 64 lowercase hex digits; the
//! database holds only its SHA-256. API clients send it as
//! `Authorization: Bearer <token>`; the web interface gets it in the
//! `HttpOnly` cookie [`SESSION_COOKIE`]. Cookie-authenticated unsafe
//! requests (POST, PUT, PATCH, DELETE) must also carry the header
//! [`CSRF_HEADER`] equal to the cookie [`CSRF_COOKIE`] (double submit); the
//! CSRF token is derived from the session token, so it is never stored and
//! cannot be used with another session. Bearer requests are exempt: a
//! browser never adds that header on its own.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::state::{AppState, unix_now};
pub use crate::user::{AuthUser, CurrentUser, LoggedUser};

/// The session cookie (`HttpOnly`, `SameSite=Strict`, `Path=/`).
pub const SESSION_COOKIE: &str = "centinela_session";
/// The CSRF cookie, readable by the page's script.
pub const CSRF_COOKIE: &str = "centinela_csrf";
/// The header that must repeat [`CSRF_COOKIE`] on cookie-authenticated
/// unsafe requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The client's address (the TCP peer), for rate limiting; never fails.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(request_address(&parts.extensions, &parts.headers, app)))
    }
}

/// The client's address of a request (see [`client_address`]); `None`
/// outside a connection (in-process calls).
pub(crate) fn request_address(
    extensions: &axum::http::Extensions,
    headers: &HeaderMap,
    app: &AppState,
) -> Option<IpAddr> {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())?;
    Some(client_address(peer, headers, &app.config().trusted_proxies))
}

/// The client's address: the TCP peer, unless the peer is one of the
/// `trusted` reverse proxies, then the address that proxy appended last to
/// `X-Forwarded-For` (what a client wrote there itself comes before it and
/// is never believed). Behind a proxy every login would otherwise come from
/// one address, and one guesser's failures would slow every user down.
pub(crate) fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .and_then(|a| a.trim().parse().ok())
        .unwrap_or(peer)
}

/// A new random session token (256 bits, hex).
pub(crate) fn new_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(&format!("no randomness: {e}")))?;
    Ok(hex(&bytes))
}

pub(crate) fn hash_token(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// The CSRF token of a session: derived from its token, so it needs no
/// storage and does not reveal the token.
pub(crate) fn csrf_token(token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"centinela csrf\0");
    h.update(token.as_bytes());
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

fn well_formed(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Constant-time equality of two byte strings of public length.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A cookie's value from the request's `Cookie` headers.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// How the request presented its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    Bearer,
    Cookie,
}

/// The token of the request: the `Authorization: Bearer` header if there is
/// an `Authorization` header at all (a malformed one is no credential, and
/// does not fall back to the cookie), else the session cookie.
pub(crate) fn credentials(headers: &HeaderMap) -> Option<(&str, Via)> {
    if let Some(v) = headers.get(header::AUTHORIZATION) {
        let v = v.to_str().ok()?;
        let (scheme, token) = v.split_once(' ')?;
        return scheme.eq_ignore_ascii_case("bearer").then(|| (token.trim(), Via::Bearer));
    }
    cookie(headers, SESSION_COOKIE).map(|t| (t, Via::Cookie))
}

pub(crate) fn csrf_ok(headers: &HeaderMap, token: &str) -> bool {
    let (Some(sent), Some(cookie)) =
        (headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()), cookie(headers, CSRF_COOKIE))
    else {
        return false;
    };
    same(sent.as_bytes(), cookie.as_bytes()) && same(sent.as_bytes(), csrf_token(token).as_bytes())
}

impl AppState {
    /// The user a token belongs to, from the cache or the database; `None`
    /// for unknown, expired, idle or revoked tokens and disabled users.
    ///
    /// Idle timeout: a session unused for [`crate::ServerConfig::idle_timeout`]
    /// ends (deleted, audited `session_idle_expired`). Its use is written to
    /// the database at most once a minute ([`TOUCH_EVERY`]): a cached
    /// entry serves while its recorded use is younger than that; then the
    /// session is read again and touched.
    pub(crate) async fn authenticate(&self, token: &str) -> Result<Option<Arc<AuthUser>>, ApiError> {
        if !well_formed(token) {
            return Ok(None);
        }
        let hash = hash_token(token);
        let now = unix_now();
        let ttl = self.config().auth_cache_ttl;
        let idle = i64::try_from(self.config().idle_timeout.as_secs()).unwrap_or(i64::MAX);
        let touch_every = TOUCH_EVERY.min(idle / 2);
        // A cached session whose recorded use is older than `touch_every`
        // goes to the database: to be touched, or found idle.
        if let Some(u) = self.sessions().get(&hash, ttl, now)
            && now.saturating_sub(u.session_last_seen_at) < touch_every
        {
            return Ok(Some(u));
        }
        let Some(mut s) = self.store().session_user(&hash, now).await? else {
            self.sessions().remove(&hash);
            return Ok(None);
        };
        if now.saturating_sub(s.last_seen_at) >= idle {
            self.sessions().remove(&hash);
            if self.store().delete_session(&hash).await?.is_some() {
                let detail = serde_json::json!({ "idle_secs": now.saturating_sub(s.last_seen_at) });
                self.audit_as(
                    &format!("user:{}", s.user.id),
                    "session_idle_expired",
                    format!("session:{}", s.session_id),
                    detail,
                )
                .await?;
                tracing::info!(user = s.user.id, session = s.session_id, "session ended: idle");
            }
            return Ok(None);
        }
        if now.saturating_sub(s.last_seen_at) >= touch_every {
            self.store().touch_session(s.session_id, now).await?;
            s.last_seen_at = now;
        }
        let user = Arc::new(AuthUser::from_session(s, hash));
        self.sessions().insert(user.clone(), ttl);
        Ok(Some(user))
    }
}

/// A session's use is written to the database at most this often (seconds;
/// half the idle timeout when that is shorter).
pub(crate) const TOUCH_EVERY: i64 = 60;

/// `Set-Cookie` values for a new session.
pub(crate) fn session_cookies(token: &str, max_age: u64, secure: bool) -> [HeaderValue; 2] {
    let secure = if secure { "; Secure" } else { "" };
    let session = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}");
    let csrf = format!("{CSRF_COOKIE}={}; Path=/; SameSite=Strict; Max-Age={max_age}{secure}", csrf_token(token));
    // Hex and fixed text only: always a valid header value.
    [session, csrf].map(|c| HeaderValue::from_str(&c).unwrap_or(HeaderValue::from_static("")))
}

/// `Set-Cookie` values that remove the session's cookies.
pub(crate) fn expired_cookies(secure: bool) -> [HeaderValue; 2] {
    let secure = if secure { "; Secure" } else { "" };
    let session = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure}");
    let csrf = format!("{CSRF_COOKIE}=; Path=/; SameSite=Strict; Max-Age=0{secure}");
    [session, csrf].map(|c| HeaderValue::from_str(&c).unwrap_or(HeaderValue::from_static("")))
}

#[cfg(test)]
mod tests {

    #[test]
    fn behind_a_trusted_proxy_the_client_is_what_it_appended() {
        let proxy = IpAddr::from([10, 0, 0, 1]);
        let mut h = HeaderMap::new();
        h.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7"));
        // The proxy appended 203.0.113.7; 6.6.6.6 is what the client wrote.
        assert_eq!(client_address(proxy, &h, &[proxy]), IpAddr::from([203, 0, 113, 7]));
        // Without trusting it, the peer is the client, whatever the header says.
        assert_eq!(client_address(proxy, &h, &[]), proxy);
        let other = IpAddr::from([192, 0, 2, 9]);
        assert_eq!(client_address(other, &h, &[proxy]), other);
        // A garbled header from a trusted proxy: the proxy itself.
        let mut bad = HeaderMap::new();
        bad.append("x-forwarded-for", HeaderValue::from_static("nonsense"));
        assert_eq!(client_address(proxy, &bad, &[proxy]), proxy);
    }

    use super::*;

    #[test]
    fn tokens_are_256_bits_of_hex() {
        let a = new_token().unwrap();
        let b = new_token().unwrap();
        assert!(well_formed(&a) && well_formed(&b));
        assert_ne!(a, b);
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert!(!well_formed("ABC"));
        assert!(!well_formed(&a.to_uppercase()));
    }

    #[test]
    fn reads_credentials() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; centinela_session=tok; centinela_csrf=c"));
        assert_eq!(credentials(&h), Some(("tok", Via::Cookie)));
        assert_eq!(cookie(&h, CSRF_COOKIE), Some("c"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer xyz"));
        assert_eq!(credentials(&h), Some(("xyz", Via::Bearer)));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(credentials(&h), None);
    }

    #[test]
    fn csrf_needs_header_cookie_and_session_to_agree() {
        let token = new_token().unwrap();
        let csrf = csrf_token(&token);
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(&format!("{CSRF_COOKIE}={csrf}")).unwrap());
        assert!(!csrf_ok(&h, &token));
        h.insert(CSRF_HEADER, HeaderValue::from_str(&csrf).unwrap());
        assert!(csrf_ok(&h, &token));
        assert!(!csrf_ok(&h, &new_token().unwrap()));
        h.insert(CSRF_HEADER, HeaderValue::from_static("x"));
        assert!(!csrf_ok(&h, &token));
    }
}
