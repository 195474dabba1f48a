//! `/api/audit`: read the audit chain page by page (auditor) and verify it
//! (auditor, admin). Reading or verifying it is itself audited.

use axum::extract::State;
use centinela_store::AuditRow;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Query};
use crate::state::AppState;

/// The most entries one page holds.
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Entries after this sequence number (default 0: from the start).
    pub after: Option<i64>,
    /// At most this many entries (default 100, at most 1000).
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    /// `user:<id>`, `anonymous` or `system`.
    pub actor: String,
    pub action: String,
    pub subject: String,
    /// JSON text of codes, counts and ids.
    pub detail: String,
    /// SHA-256, hex.
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntryView {
    fn from(r: AuditRow) -> Self {
        AuditEntryView {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerification {
    /// Whether every entry's hash and link are intact.
    pub intact: bool,
    /// Entries checked (when intact).
    pub entries: Option<u64>,
    /// The first broken entry's sequence number.
    pub broken_seq: Option<i64>,
    /// Why it is broken.
    pub reason: Option<String>,
    /// The first entry sealed with the audit key (a keyed MAC that
    /// catches an entry rewritten with its hashes recomputed); the entries
    /// before it were written before the key existed and are only
    /// hash-chained. `null` while the log is not sealed. Given whether the
    /// chain is intact or not.
    pub sealed_from: Option<i64>,
}

/// A page of the audit chain, oldest first.
#[utoipa::path(get, path = "/api/audit", tag = "audit", security(("bearer" = []), ("cookie" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "A page of entries", body = AuditPage),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
    ))]
pub async fn page(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<PageQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    let after = q.after.unwrap_or(0);
    let limit = q.limit.unwrap_or(100).clamp(1, MAX_PAGE);
    let rows = app.store().audit_page(after, limit).await?;
    let full = rows.len() == limit as usize;
    let next_after = if full { rows.last().map(|r| r.seq) } else { None };
    app.audit(&user, "audit_viewed", "audit_log", json!({ "after": after, "count": rows.len() })).await?;
    Ok(Json(AuditPage { entries: rows.into_iter().map(AuditEntryView::from).collect(), next_after }))
}

/// Recompute every hash and link of the chain.
#[utoipa::path(get, path = "/api/audit/verify", tag = "audit", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The verdict (a broken chain is still a 200: `intact` is false)", body = AuditVerification),
    ))]
pub async fn verify(State(app): State<AppState>, user: CurrentUser) -> Result<Json<AuditVerification>, ApiError> {
    let v = match app.store().audit_verify_report().await? {
        Ok(v) => AuditVerification {
            intact: true,
            entries: Some(v.entries),
            broken_seq: None,
            reason: None,
            sealed_from: v.sealed_from,
        },
        Err(b) => AuditVerification {
            intact: false,
            entries: None,
            broken_seq: Some(b.seq),
            reason: Some(b.reason.to_string()),
            sealed_from: app.store().audit_seal().await?.map(|s| s.start_seq),
        },
    };
    app.audit(
        &user,
        "audit_verified",
        "audit_log",
        json!({ "intact": v.intact, "entries": v.entries, "broken_seq": v.broken_seq }),
    )
    .await?;
    Ok(Json(v))
}
