//! The one error type of the API, and the extractors that turn every
//! rejection of client input into it.
//!
//! Every error answers `{"message","code","type"}` with a stable `code`
//! (see [`ErrorCode`]) and the status that code implies. Handlers use
//! [`Json`], [`Path`] and [`Query`] from here instead of axum's, so malformed
//! JSON, a wrong content type, an oversize body or a bad path parameter is a
//! 4xx with that body, never axum's plain-text rejection.

use std::borrow::Cow;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use centinela_app::AppError;
use centinela_store::StoreError;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// A stable, machine-readable error code. Clients match on these; the
/// message is for people and may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not JSON (syntax error, empty).
    InvalidJson,
    /// 422: the JSON is well formed but a field is missing, of the wrong
    /// type or has a value that is not accepted.
    InvalidField,
    /// 415: a JSON body without `Content-Type: application/json`.
    InvalidContentType,
    /// 413: the body is larger than the server accepts.
    PayloadTooLarge,
    /// 400: a path parameter does not parse (e.g. `/api/users/abc`).
    InvalidPath,
    /// 400: a query parameter does not parse.
    InvalidQuery,
    /// 401: no credentials, or an unknown, expired or revoked token.
    Unauthenticated,
    /// 401: login refused (wrong username or password, or disabled user).
    InvalidCredentials,
    /// 403: authenticated, but the role may not call this endpoint.
    Forbidden,
    /// 403: a border post's sync key that the centre has revoked.
    PostRevoked,
    /// 403: a cookie-authenticated unsafe request without a matching
    /// `X-CSRF-Token` header.
    CsrfFailed,
    /// 404: no such route or record.
    NotFound,
    /// 405: the route exists but not with this method.
    MethodNotAllowed,
    /// 409: the request contradicts what is stored (e.g. a taken username).
    Conflict,
    /// 422: a value outside an HTCDS 2.0 value list; the message names
    /// the field and the values it accepts.
    InvalidPicklistValue,
    /// 422: a rule text that does not parse or type-check; the message
    /// gives the first error as `LINE:COLUMN: message (hint)`, and
    /// `POST /api/rules/check` lists them all.
    InvalidRule,
    /// 422: admitting a traveller with an open hit or a risk indicator
    /// without the officer's explicit confirmation and a reason.
    ConfirmationRequired,
    /// 409: a change based on a version of a record that is no longer the
    /// latest (someone else changed it since): read it again.
    StaleVersion,
    /// 429: too many failed logins; see `Retry-After`.
    RateLimited,
    /// 422: a new password the policy refuses (too short, or too easy to
    /// guess); the message says why, never the password.
    WeakPassword,
    /// 403: the session's password was set by an administrator (or has
    /// to be changed): it may only change it (`POST /api/session/password`)
    /// or log out. Also the login's answer for such an account, with no
    /// session.
    PasswordChangeRequired,
    /// 409: the change would leave no active administrator (disabling the
    /// last one, or giving it another role): make another admin first.
    LastAdmin,
    /// 503: the database does not answer.
    Unavailable,
    /// 503: the server is busy with other long work (statistics releases,
    /// reports); see `Retry-After`. Inspections are never refused so.
    Busy,
    /// 500: a fault of the server; details are in its log, not here.
    Internal,
}

/// The family an [`ErrorCode`] belongs to: the `type` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// The request is wrong; sending it again unchanged fails again.
    InvalidRequest,
    /// Who is asking: authentication, authorisation, CSRF, rate limits.
    Auth,
    /// The server or its database failed.
    Internal,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 25] = [
        ErrorCode::InvalidJson,
        ErrorCode::InvalidField,
        ErrorCode::InvalidContentType,
        ErrorCode::PayloadTooLarge,
        ErrorCode::InvalidPath,
        ErrorCode::InvalidQuery,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::Forbidden,
        ErrorCode::PostRevoked,
        ErrorCode::CsrfFailed,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::InvalidPicklistValue,
        ErrorCode::InvalidRule,
        ErrorCode::ConfirmationRequired,
        ErrorCode::StaleVersion,
        ErrorCode::RateLimited,
        ErrorCode::WeakPassword,
        ErrorCode::PasswordChangeRequired,
        ErrorCode::LastAdmin,
        ErrorCode::Unavailable,
        ErrorCode::Busy,
        ErrorCode::Internal,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidJson | ErrorCode::InvalidPath | ErrorCode::InvalidQuery => StatusCode::BAD_REQUEST,
            ErrorCode::InvalidField
            | ErrorCode::InvalidPicklistValue
            | ErrorCode::InvalidRule
            | ErrorCode::ConfirmationRequired
            | ErrorCode::WeakPassword => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidContentType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::Unauthenticated | ErrorCode::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden
            | ErrorCode::PostRevoked
            | ErrorCode::CsrfFailed
            | ErrorCode::PasswordChangeRequired => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::Conflict | ErrorCode::StaleVersion | ErrorCode::LastAdmin => StatusCode::CONFLICT,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::Unavailable | ErrorCode::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn kind(self) -> ErrorType {
        match self {
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::Forbidden
            | ErrorCode::PostRevoked
            | ErrorCode::CsrfFailed
            | ErrorCode::PasswordChangeRequired
            | ErrorCode::RateLimited => ErrorType::Auth,
            ErrorCode::Unavailable | ErrorCode::Busy | ErrorCode::Internal => ErrorType::Internal,
            _ => ErrorType::InvalidRequest,
        }
    }
}

/// The JSON body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// For people; may change between versions.
    pub message: String,
    /// Stable; what clients match on.
    pub code: ErrorCode,
    #[serde(rename = "type")]
    pub kind: ErrorType,
}

/// An error answer: a code, a message, and for `rate_limited` the seconds
/// to wait.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: Cow<'static, str>,
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError { code, message: message.into(), retry_after: None }
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "authentication required: log in (POST /api/session) and send the token")
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "your role may not use this endpoint")
    }

    /// A user bound to a border post asking for what spans every post.
    pub fn bound_to_post() -> Self {
        Self::new(
            ErrorCode::Forbidden,
            "your account is bound to a border post; this covers every post and needs a country-wide account",
        )
    }

    pub fn not_found(what: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::NotFound, what)
    }

    pub fn invalid_field(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::InvalidField, message)
    }

    /// A fault of the server. `context` goes to the log (it must hold no
    /// personal data); the client sees only a generic message.
    pub fn internal(context: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %context, "internal error");
        Self::new(ErrorCode::Internal, "internal error; the server log has the details")
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody { message: self.message.into_owned(), code: self.code, kind: self.code.kind() };
        let mut resp = (self.code.status(), axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => ApiError::new(ErrorCode::Conflict, m),
            StoreError::Stale(m) => ApiError::new(ErrorCode::StaleVersion, m),
            StoreError::WrongPassword => ApiError::new(ErrorCode::InvalidCredentials, "the current password is wrong"),
            StoreError::NotAllowed(m) => ApiError::new(ErrorCode::Forbidden, m),
            StoreError::LastAdmin => ApiError::new(ErrorCode::LastAdmin, StoreError::LastAdmin.to_string()),
            StoreError::WeakPassword(w) => ApiError::new(ErrorCode::WeakPassword, format!("password refused: {w}")),
            StoreError::NotFound(m) => ApiError::new(ErrorCode::NotFound, format!("not found: {m}")),
            StoreError::Invalid(m) => ApiError::invalid_field(m),
            StoreError::Connect { .. } => {
                tracing::error!(error = %e, "database unavailable");
                ApiError::new(ErrorCode::Unavailable, "the database does not answer")
            }
            StoreError::Unavailable(m) => {
                tracing::error!(error = %m, "part of the store is not running");
                ApiError { retry_after: Some(5), ..ApiError::new(ErrorCode::Unavailable, m) }
            }
            e => ApiError::internal(&e),
        }
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Invalid(m) => ApiError::invalid_field(m),
            AppError::InvalidPicklist(m) => ApiError::new(ErrorCode::InvalidPicklistValue, m),
            AppError::InvalidRule(m) => ApiError::new(ErrorCode::InvalidRule, m),
            AppError::NotFound(m) => ApiError::not_found(m),
            AppError::Forbidden(m) => ApiError::new(ErrorCode::Forbidden, m),
            AppError::ConfirmationRequired(m) => ApiError::new(ErrorCode::ConfirmationRequired, m),
            AppError::Busy => ApiError {
                retry_after: Some(5),
                ..ApiError::new(ErrorCode::Busy, "the server is busy with other long work; try again shortly")
            },
            AppError::Store(e) => e.into(),
            AppError::Internal(m) => ApiError::internal(&m),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let code = match &r {
            JsonRejection::JsonDataError(_) => ErrorCode::InvalidField,
            JsonRejection::JsonSyntaxError(_) => ErrorCode::InvalidJson,
            JsonRejection::MissingJsonContentType(_) => ErrorCode::InvalidContentType,
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            _ => ErrorCode::InvalidJson,
        };
        ApiError::new(code, r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        ApiError::new(ErrorCode::InvalidPath, r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(ErrorCode::InvalidQuery, r.body_text())
    }
}

/// A raw body (EDIFACT from a carrier's gateway), bounded by the server's
/// body limit; rejections are [`ApiError`]s (`payload_too_large` past it).
#[derive(Debug, Clone)]
pub struct RawBody(pub axum::body::Bytes);

impl<S> FromRequest<S> for RawBody
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::body::Bytes::from_request(req, state).await {
            Ok(b) => Ok(RawBody(b)),
            Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(ErrorCode::PayloadTooLarge, r.body_text()))
            }
            Err(r) => Err(ApiError::new(ErrorCode::InvalidField, r.body_text())),
        }
    }
}

/// A JSON body (request) or answer (response); rejections are [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let axum::Json(v) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Json(v))
    }
}

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Path parameters; rejections are `invalid_path` [`ApiError`]s.
#[derive(Debug, Clone, Copy)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(v) = axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Path(v))
    }
}

/// Query parameters; rejections are `invalid_query` [`ApiError`]s.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Query(v) = axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Query(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_statuses_are_errors() {
        for c in ErrorCode::ALL {
            let s = serde_json::to_value(c).unwrap();
            let s = s.as_str().unwrap();
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s}");
            let status = c.status();
            assert!(status.is_client_error() || status.is_server_error(), "{s}");
            assert_eq!(status.is_server_error(), c.kind() == ErrorType::Internal, "{s}");
        }
    }
}
