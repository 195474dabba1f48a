//! The chip's trust anchors: what is held (CSCA certificates and CRLs, by
//! version), a warning for each CRL past its next update, and for
//! administrators the import of a Master List, CSCA or CRL (the page sends
//! the file to `POST /api/pki`). Calls `centinela_app::pki`.

use axum::extract::State;
use centinela_domain::Role;
use serde_json::json;

use super::{PageCtx, PageResult};
use crate::auth::CurrentUser;
use crate::state::AppState;

pub async fn anchors(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let listing = app.app().pki_list(now).await.map_err(|e| ctx.api_error(e))?;
    // Newest version first: what was imported last is what the admin looks for.
    let mut anchors = listing.anchors;
    anchors.reverse();
    Ok(ctx.render(
        "pki.html",
        json!({
            "version": listing.version,
            "anchors": anchors,
            "warnings": listing.warnings,
            "can_import": user.role == Role::Admin,
        }),
    ))
}
