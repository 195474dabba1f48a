//! The auditors' pages: the audit log and its verification.

use axum::extract::State;
use serde::Deserialize;
use serde_json::json;

use super::{PageCtx, PageResult};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    despues: Option<i64>,
}

pub async fn audit(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> PageResult {
    let after = q.despues.unwrap_or(0).max(0);
    let page = app.app().audit_page(&user, after, 100).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("audit.html", json!({ "page": page, "after": after })))
}

pub async fn audit_verify(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    let v = app.app().verify_audit(&user).await.map_err(|e| ctx.api_error(e))?;
    let page = app.app().audit_page(&user, 0, 100).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("audit.html", json!({ "page": page, "after": 0, "verification": v })))
}
