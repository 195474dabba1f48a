//! `/api/audit`: read the audit chain page by page (auditor) and verify it
//! (auditor, admin), through `centinela_app::audit`. Reading or verifying
//! it is itself audited.

use axum::extract::State;
use centinela_app::audit::{AuditChainPage, AuditVerification};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Query};
use crate::state::AppState;

pub use centinela_app::audit::MAX_PAGE;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Entries after this sequence number (default 0: from the start).
    pub after: Option<i64>,
    /// At most this many entries (default 100, at most 1000).
    pub limit: Option<u32>,
}

/// A page of the audit chain, oldest first; each entry's user named.
#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("bearer" = []), ("cookie" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of entries", body = AuditChainPage),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
    ))]
pub async fn page(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<AuditChainPage>, ApiError> {
    let after = q.after.unwrap_or(0);
    Ok(Json(app.app().audit_chain(&user, after, q.limit.unwrap_or(100)).await?))
}

/// Recompute every hash and link of the chain.
#[utoipa::path(get, path = "/api/audit/verify", tag = "audit", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The verdict (a broken chain is still a 200: `intact` is false)", body = AuditVerification),
    ))]
pub async fn verify(State(app): State<AppState>, user: CurrentUser) -> Result<Json<AuditVerification>, ApiError> {
    Ok(Json(app.app().audit_verify(&user).await?))
}
