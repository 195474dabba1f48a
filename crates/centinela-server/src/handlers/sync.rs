//! The centre's side of synchronisation: border posts push their queued
//! records and pull alert-list changes. A post authenticates with its post
//! key as a bearer token (`centinela posts add` prints it; `centinela posts
//! revoke` ends it); user sessions are not accepted here.
//!
//! `POST /api/sync/push` applies a batch in one transaction, in order,
//! ignoring records already received, and answers the highest `seq` now
//! stored; `POST /api/sync/pull` answers the posts and, for each list, the
//! entries added and removed since the version the post holds.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use centinela_app::sync::{KeyRefused, SyncPost};
use centinela_store::{LookoutsAnswer, LookoutsPull, PullAnswer, PullRequest, PushBatch, PushOutcome};
use serde_json::json;

use crate::error::{ApiError, ErrorBody, ErrorCode, Json};
use crate::state::AppState;

/// The largest push body accepted (a batch of records, the inspection
/// results inside them being the bulk).
pub const PUSH_BODY_LIMIT: usize = 64 << 20;

/// A border post authenticated by its key.
#[derive(Debug, Clone)]
pub struct PostAuth(pub SyncPost);

impl FromRequestParts<AppState> for PostAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let result = post_auth(parts, app).await;
        if let Err(e) = &result {
            // A refused post key is a denied attempt like any other.
            let address = crate::auth::request_address(&parts.extensions, &parts.headers, app);
            let attempt = crate::failures::Attempt::new(
                "anonymous",
                "access_denied",
                format!("POST {}", parts.uri.path()),
                address,
                json!({ "status": e.code.status().as_u16(), "code": e.code }),
            );
            if let Err(e) = app.audit_attempt(attempt).await {
                tracing::error!(error = %e.message, "cannot audit a refused post key");
            }
        }
        result
    }
}

/// The post whose key the request bears.
async fn post_auth(parts: &Parts, app: &AppState) -> Result<PostAuth, ApiError> {
    let key = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, k)| k.trim())
        .filter(|k| !k.is_empty() && k.len() <= 128)
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthenticated, "a post key is needed (Authorization: Bearer)"))?;
    match app.app().sync_post(key).await? {
        Ok(post) => Ok(PostAuth(post)),
        Err(KeyRefused::Revoked) => {
            Err(ApiError::new(ErrorCode::PostRevoked, "this border post's key has been revoked by the centre"))
        }
        Err(KeyRefused::Unknown) => Err(ApiError::new(ErrorCode::Unauthenticated, "unknown post key")),
    }
}

/// Push a post's queued records (crossings, inspections, hits,
/// adjudications, decisions, referrals, clearances and their revocations,
/// audit entries), in order. Applied in
/// one transaction; records already received are skipped, so a push may be
/// repeated safely. Authenticated by the post key, not a user session.
#[utoipa::path(post, path = "/api/sync/push", tag = "sync", security(("bearer" = [])),
    request_body(content = Object, description = "A PushBatch: `{\"protocol\":1,\"items\":[{\"seq\",\"uid\",\"record\":{\"kind\",\"data\"}}]}`",
        example = json!({"protocol": 1, "items": []})),
    responses(
        (status = 200, description = "Stored; everything up to `acked_seq` is at the centre", body = Object),
        (status = 401, description = "No or unknown post key", body = ErrorBody),
        (status = 403, description = "The post key was revoked (`post_revoked`)", body = ErrorBody),
        (status = 422, description = "A record is refused (`invalid_field`, naming its seq)", body = ErrorBody),
    ))]
pub async fn push(
    State(app): State<AppState>,
    post: PostAuth,
    Json(batch): Json<PushBatch>,
) -> Result<Json<PushOutcome>, ApiError> {
    Ok(Json(app.app().accept_push(&post.0, &batch).await?))
}

/// Pull the border posts and the alert-list changes since the versions the
/// post holds (the whole version when the centre no longer keeps the post's),
/// and the supervisors' clearances and revocations made at the centre or at
/// other posts since the post's marks (`clearances_after`,
/// `revocations_after`; at most 5,000 of each per pull).
/// Authenticated by the post key.
#[utoipa::path(post, path = "/api/sync/pull", tag = "sync", security(("bearer" = [])),
    request_body(content = Object, description = "A PullRequest: `{\"protocol\":1,\"lists\":{\"name\":version}}`",
        example = json!({"protocol": 1, "lists": {}})),
    responses(
        (status = 200, description = "Posts and list deltas", body = Object),
        (status = 401, description = "No or unknown post key", body = ErrorBody),
        (status = 403, description = "The post key was revoked (`post_revoked`)", body = ErrorBody),
    ))]
pub async fn pull(
    State(app): State<AppState>,
    post: PostAuth,
    Json(req): Json<PullRequest>,
) -> Result<Json<PullAnswer>, ApiError> {
    Ok(Json(app.app().answer_pull(&post.0, &req).await?))
}

/// A post's long poll for lookouts: answered at once when the centre's
/// `generation` differs from the post's, else when a lookout is issued,
/// changed or cancelled, or after `wait_secs` (at most 30) unchanged. A
/// changed answer carries every lookout whose window has not ended,
/// cancelled ones included. Authenticated by the post key.
#[utoipa::path(post, path = "/api/sync/lookouts", tag = "sync", security(("bearer" = [])),
    request_body(content = Object, description = "`{\"protocol\":1,\"generation\":0,\"wait_secs\":25}`",
        example = json!({"protocol": 1, "generation": 0, "wait_secs": 0})),
    responses(
        (status = 200, description = "The centre's generation and, when changed, its lookouts", body = Object),
        (status = 401, description = "No or unknown post key", body = ErrorBody),
        (status = 403, description = "The post key was revoked (`post_revoked`)", body = ErrorBody),
        (status = 422, description = "Another protocol, or wait_secs over 30 (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn pull_lookouts(
    State(app): State<AppState>,
    post: PostAuth,
    Json(req): Json<LookoutsPull>,
) -> Result<Json<LookoutsAnswer>, ApiError> {
    Ok(Json(app.app().answer_lookouts_pull(&post.0, &req).await?))
}
