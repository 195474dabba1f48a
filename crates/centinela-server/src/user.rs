//! The logged-in user of a request, as handlers and pages see it.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use centinela_app::User;
use centinela_domain::Role;
use centinela_store::SessionUser;

use crate::error::ApiError;

/// The logged-in user of a request, as handlers see it: the use cases'
/// [`User`] (which it dereferences to) and its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub user: User,
    pub session_id: i64,
    /// Unix seconds.
    pub session_expires_at: i64,
    /// Unix seconds of the session's last recorded use (idle timeout).
    pub session_last_seen_at: i64,
    /// The password was reset by an administrator: the session may only
    /// change it (or log out) — `routes::PASSWORD_CHANGE_ROUTES`.
    pub must_change_password: bool,
    pub(crate) token_hash: [u8; 32],
}

impl std::ops::Deref for AuthUser {
    type Target = User;
    fn deref(&self) -> &User {
        &self.user
    }
}

impl AuthUser {
    /// A user acting outside any session: work done on a user's behalf
    /// inside the server process, never an HTTP request.
    pub fn without_session(id: i64, username: &str, role: Role, post: Option<&str>) -> AuthUser {
        AuthUser {
            user: User { id, username: username.to_string(), role, post: post.map(str::to_string) },
            session_id: 0,
            session_expires_at: 0,
            session_last_seen_at: 0,
            must_change_password: false,
            token_hash: [0; 32],
        }
    }

    pub(crate) fn from_session(s: SessionUser, token_hash: [u8; 32]) -> AuthUser {
        AuthUser {
            user: User { id: s.user.id, username: s.user.username, role: s.user.role, post: s.user.post },
            session_id: s.session_id,
            session_expires_at: s.expires_at,
            session_last_seen_at: s.last_seen_at,
            must_change_password: s.user.must_change_password,
            token_hash,
        }
    }
}

/// The extractor for the logged-in user. Only endpoints whose access is not
/// [`Access::Public`] have one; elsewhere it answers `unauthenticated`.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub Arc<AuthUser>);

impl std::ops::Deref for CurrentUser {
    type Target = AuthUser;
    fn deref(&self) -> &AuthUser {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts.extensions.get::<CurrentUser>().cloned().ok_or_else(ApiError::unauthenticated)
    }
}

/// Put on responses by the guard so the request log can name the user.
#[derive(Debug, Clone, Copy)]
pub struct LoggedUser(pub i64);
