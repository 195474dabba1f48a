//! The connectors on the Listas page (administrators): add one, pull now,
//! disable or enable it. Each calls the use cases of
//! `centinela_app::connectors` and shows the Listas page again.

use axum::body::Bytes;
use axum::extract::{Path, State};
use centinela_app::connectors::{AddConnector, Outcome};
use centinela_app::{AppError, Caller};
use centinela_domain::ListKind;
use serde_json::json;

use super::admin::lists_page;
use super::{PageCtx, PageResult, field, form_pairs};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// `POST /listas/conectores`: adds a connector from the form.
pub async fn add(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let number = |name: &str| field(&pairs, name).trim().parse::<i64>().ok();
    let list_kind = match field(&pairs, "list_kind") {
        "" => None,
        k => match ListKind::parse(k) {
            Ok(k) => Some(k),
            Err(_) => return lists_page(&app, &user, &ctx, json!({ "connector_error": "list_kind" })).await,
        },
    };
    let req = AddConnector {
        name: field(&pairs, "name").trim(),
        kind: field(&pairs, "kind"),
        base_url: field(&pairs, "url").trim(),
        list: field(&pairs, "list").trim(),
        list_kind,
        schedule_minutes: number("every_minutes"),
        max_age_hours: number("max_age_hours"),
        credential: field(&pairs, "credential").trim(),
    };
    match app.app().add_connector(Caller::User(&user), &req).await {
        Ok(c) => lists_page(&app, &user, &ctx, json!({ "connector_added": c.name })).await,
        Err(AppError::Invalid(m)) => {
            let f = m.split(':').next().unwrap_or("").to_string();
            lists_page(&app, &user, &ctx, json!({ "connector_error": f })).await
        }
        Err(AppError::Store(centinela_store::StoreError::Conflict(_))) => {
            lists_page(&app, &user, &ctx, json!({ "connector_error": "name_taken" })).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// `POST /listas/conectores/{name}/ejecutar`: pulls now; a new version is
/// put in force in this server's screening index at once.
pub async fn run(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(name): Path<String>) -> PageResult {
    let r = app.app().run_connector(Caller::User(&user), &name).await.map_err(|e| ctx.api_error(e))?;
    if r.outcome == Outcome::Imported {
        app.app().reload_lists(Some(Caller::User(&user))).await.map_err(|e| ctx.api_error(e))?;
    }
    lists_page(&app, &user, &ctx, json!({ "connector_run": r })).await
}

pub async fn disable(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(name): Path<String>,
) -> PageResult {
    app.app().set_connector_enabled(Caller::User(&user), &name, false).await.map_err(|e| ctx.api_error(e))?;
    lists_page(&app, &user, &ctx, json!({})).await
}

pub async fn enable(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(name): Path<String>,
) -> PageResult {
    app.app().set_connector_enabled(Caller::User(&user), &name, true).await.map_err(|e| ctx.api_error(e))?;
    lists_page(&app, &user, &ctx, json!({})).await
}
