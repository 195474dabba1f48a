//! "Redes › Reservas": an airline booking's links for the intelligence
//! unit (issue 23). Its versions (as pushed at 72 h, 24 h, check-in …),
//! their passengers, and the other bookings sharing its payer, contact or
//! travel agency; masked values shown masked, and the unmask form (a
//! reason, one version at a time) whose answer shows the values to this
//! user in this page only. Every page goes through `centinela_app::bookings`,
//! as the API does, so the same checks and audit entries apply.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use serde_json::json;

use super::{PageCtx, PageResult};
use crate::auth::CurrentUser;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    localizador: String,
}

/// Bookings by locator; one found opens it.
pub async fn search(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Query(f): Query<SearchForm>,
) -> PageResult {
    let q = f.localizador.trim();
    let found = if q.is_empty() {
        Vec::new()
    } else {
        app.app().search_bookings(&user, q).await.map_err(|e| ctx.api_error(e))?
    };
    if let [(carrier, locator)] = found.as_slice() {
        return Ok(Redirect::to(&format!("/redes/reservas/{carrier}/{locator}")).into_response());
    }
    let found: Vec<_> = found.into_iter().map(|(c, l)| json!({ "carrier": c, "locator": l })).collect();
    Ok(ctx.render("bookings.html", json!({ "search": true, "q": q, "found": found })))
}

/// A booking's versions and links.
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path((carrier, locator)): Path<(String, String)>,
) -> PageResult {
    let links = app.app().booking_links(&user, &carrier, &locator).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("bookings.html", json!({ "search": false, "b": links, "unmasked": null })))
}

#[derive(Debug, Deserialize)]
pub struct UnmaskForm {
    #[serde(default)]
    version: i64,
    #[serde(default)]
    reason: String,
}

/// Unmasks one version for this user (audited with the reason) and shows
/// the booking with its values.
pub async fn unmask(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path((carrier, locator)): Path<(String, String)>,
    axum::Form(f): axum::Form<UnmaskForm>,
) -> PageResult {
    let links = app.app().booking_links(&user, &carrier, &locator).await.map_err(|e| ctx.api_error(e))?;
    if !links.versions.iter().any(|v| v.id == f.version) {
        return Err(ctx.error(axum::http::StatusCode::NOT_FOUND, "error.not_found", None));
    }
    let values = app.app().unmask_booking(&user, f.version, &f.reason).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("bookings.html", json!({ "search": false, "b": links, "unmasked": values })))
}
