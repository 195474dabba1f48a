//! `GET /api/health`: the server answers and the database too, and which
//! alert lists are older than their expected age.

use axum::extract::State;
use centinela_store::Backend;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody, ErrorCode, Json};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` (an unhealthy server answers 503 `unavailable`).
    #[schema(example = "ok")]
    pub status: &'static str,
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// `sqlite` or `postgres`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
    /// What needs an administrator's attention without making the server
    /// unhealthy: a chip CRL past its next update (`crl_stale`), Spanish
    /// and English. Absent when there is none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<centinela_app::pki::Warning>,
    /// Active lists older than their expected age (names, kinds and times
    /// only): posts are warned; the server still answers.
    pub stale_lists: Vec<StaleList>,
}

/// A list older than its expected age.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaleList {
    pub name: String,
    pub kind: &'static str,
    /// When it was last confirmed against its source (RFC 3339, UTC).
    pub refreshed_at: Option<String>,
    pub max_age_hours: Option<i64>,
}

/// Liveness and readiness: pings the database.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    ))]
pub async fn health(State(app): State<AppState>) -> Result<Json<Health>, ApiError> {
    if let Err(e) = app.store().ping().await {
        tracing::error!(error = %e, "health: database ping failed");
        return Err(ApiError::new(ErrorCode::Unavailable, "the database does not answer"));
    }
    let database = match app.store().backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let warnings = match app.app().pki_warnings(now).await {
        Ok(w) => w,
        Err(e) => {
            tracing::warn!(error = %e, "health: the trust anchors could not be read");
            Vec::new()
        }
    };
    let stale_lists = app
        .app()
        .stale_lists()
        .await?
        .into_iter()
        .map(|l| StaleList { name: l.name, kind: l.kind, refreshed_at: l.refreshed_at, max_age_hours: l.max_age_hours })
        .collect();
    Ok(Json(Health { status: "ok", version: env!("CARGO_PKG_VERSION"), database, warnings, stale_lists }))
}
