//! The after-hours notifications on the Listas page (administrators): add
//! a webhook or an e-mail for a post and role, test, disable, enable or
//! remove it. Each calls the use cases of `centinela_app::notifications`
//! and shows the Listas page again.

use axum::body::Bytes;
use axum::extract::{Path, State};
use centinela_app::notifications::AddNotification;
use centinela_app::{AppError, Caller};
use serde_json::json;

use super::admin::lists_page;
use super::{PageCtx, PageResult, field, form_pairs};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// `POST /listas/avisos`: adds a target from the form.
pub async fn add(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let kind = field(&pairs, "kind");
    let req = AddNotification {
        post: field(&pairs, "post").trim(),
        role: field(&pairs, "role"),
        kind,
        address: field(&pairs, "address").trim(),
        relay: if kind == "email" { field(&pairs, "relay").trim() } else { "" },
        sender: if kind == "email" { field(&pairs, "sender").trim() } else { "" },
        secret: field(&pairs, "secret").trim(),
    };
    match app.app().add_notification_target(Caller::User(&user), &req).await {
        Ok(t) => lists_page(&app, &user, &ctx, json!({ "notification_added": t.id })).await,
        Err(AppError::Invalid(m)) => {
            let f = m.split(':').next().unwrap_or("").to_string();
            lists_page(&app, &user, &ctx, json!({ "notification_error": f })).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// `POST /listas/avisos/{id}/probar`: sends a test message now.
pub async fn test(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(id): Path<i64>) -> PageResult {
    let r = app.app().test_notification_target(Caller::User(&user), id).await.map_err(|e| ctx.api_error(e))?;
    lists_page(&app, &user, &ctx, json!({ "notification_test": r })).await
}

pub async fn disable(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(id): Path<i64>) -> PageResult {
    app.app().set_notification_target_enabled(Caller::User(&user), id, false).await.map_err(|e| ctx.api_error(e))?;
    lists_page(&app, &user, &ctx, json!({})).await
}

pub async fn enable(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(id): Path<i64>) -> PageResult {
    app.app().set_notification_target_enabled(Caller::User(&user), id, true).await.map_err(|e| ctx.api_error(e))?;
    lists_page(&app, &user, &ctx, json!({})).await
}

/// `POST /listas/avisos/{id}/eliminar`: removes a target only with the
/// form's explicit `confirm=1` (the second step of the page's "Eliminar…");
/// without it the page opens that step and removes nothing.
pub async fn remove(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    if field(&form_pairs(&body), "confirm") != "1" {
        return lists_page(&app, &user, &ctx, json!({ "notification_confirm": id })).await;
    }
    app.app().remove_notification_target(Caller::User(&user), id).await.map_err(|e| ctx.api_error(e))?;
    lists_page(&app, &user, &ctx, json!({})).await
}
