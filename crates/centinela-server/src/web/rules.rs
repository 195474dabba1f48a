//! The risk rules: the catalogue in force, and for analysts and
//! administrators the editor, back-tests, saving, enabling and disabling,
//! through the rules use cases of `centinela-app`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use centinela_domain::Role;
use serde_json::{Value, json};

use super::{PageCtx, PageResult, charts, field, form_pairs};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::routes::groups::RULE_WRITERS;
use crate::state::AppState;

/// The rules page: the catalogue in force, and for analysts and
/// administrators the editor (live errors through `POST /api/rules/check`)
/// and, after a back-test, its results. `extra` adds to the template's data.
async fn rules_page(app: &AppState, user: &CurrentUser, ctx: &PageCtx, status: StatusCode, extra: Value) -> PageResult {
    let rules = app.app().rules().await.map_err(|e| ctx.api_error(e))?;
    let mut data = json!({
        "rules": rules,
        "can_check": RULE_WRITERS.contains(&user.role),
        "can_toggle": RULE_WRITERS.contains(&user.role),
        "can_save": user.role == Role::Analyst,
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    Ok(ctx.render_status(status, "rules.html", data))
}

pub async fn rules(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    rules_page(&app, &user, &ctx, StatusCode::OK, json!({})).await
}

/// The editor's text with its errors, when it has some (the page shows
/// them at their line and column and refuses to save).
async fn rule_errors(app: &AppState, text: &str) -> Result<Vec<Value>, ApiError> {
    let check = app.app().check_rules(text).await?;
    Ok(check.errors.iter().map(|e| json!(e)).collect())
}

pub async fn rules_backtest(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let text = pairs.iter().find(|(k, _)| k == "text").map(|(_, v)| v.replace("\r\n", "\n")).unwrap_or_default();
    let (from, to) = (field(&pairs, "desde").to_string(), field(&pairs, "hasta").to_string());
    let keep = json!({ "text": text, "from": from, "to": to });
    let errors = rule_errors(&app, &text).await.map_err(|e| ctx.api_error(e))?;
    if !errors.is_empty() {
        let extra = json!({ "text": text, "from": from, "to": to, "errors": errors });
        return rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    }
    let asked = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let (from_asked, to_asked) = (asked(&super::typed_iso(&from)), asked(&super::typed_iso(&to)));
    match app.app().backtest(&user, &text, from_asked.as_deref(), to_asked.as_deref()).await.map_err(ApiError::from) {
        Ok(bt) => {
            let l = ctx.lang;
            let t = |k: &str| super::i18n::tr(l, k);
            let weeks: Vec<(String, i64, i64)> = bt
                .report
                .per_week
                .iter()
                .map(|(w, c)| (w.clone(), i64::try_from(c.flagged).unwrap_or(i64::MAX), 0))
                .collect();
            let chart = charts::columns(t("rules.bt_by_week"), &weeks, [t("rules.bt_flagged"), ""]);
            let extra = json!({
                "text": text, "from": from, "to": to, "bt": bt,
                "bt_seconds": format!("{:.2} s", bt.seconds), "chart_weeks": chart,
            });
            rules_page(&app, &user, &ctx, StatusCode::OK, extra).await
        }
        Err(e) if matches!(e.code, crate::ErrorCode::InvalidField | crate::ErrorCode::InvalidRule) => {
            let mut extra = keep;
            extra["form_error"] = json!(super::error_key(&e).0);
            extra["form_detail"] = json!(e.message);
            rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

pub async fn rules_save(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let text = pairs.iter().find(|(k, _)| k == "text").map(|(_, v)| v.replace("\r\n", "\n")).unwrap_or_default();
    let (from, to) = (field(&pairs, "desde").to_string(), field(&pairs, "hasta").to_string());
    let errors = rule_errors(&app, &text).await.map_err(|e| ctx.api_error(e))?;
    if !errors.is_empty() {
        let extra = json!({ "text": text, "from": from, "to": to, "errors": errors });
        return rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    }
    match app.app().save_rules(&user, &text, None).await.map_err(ApiError::from) {
        Ok(saved) => {
            let what: Vec<String> = saved.iter().map(|v| format!("{} v{}", v.rule_id, v.version)).collect();
            let extra = json!({ "text": text, "from": from, "to": to, "saved": what.join(", ") });
            rules_page(&app, &user, &ctx, StatusCode::OK, extra).await
        }
        Err(e) if matches!(e.code, crate::ErrorCode::InvalidField | crate::ErrorCode::InvalidRule) => {
            let extra = json!({
                "text": text, "from": from, "to": to,
                "form_error": super::error_key(&e).0, "form_detail": e.message,
            });
            rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

async fn rules_toggle(app: AppState, user: CurrentUser, ctx: PageCtx, id: String, enable: bool) -> PageResult {
    let v = app.app().toggle_rule(&user, &id, enable).await.map_err(|e| ctx.api_error(e))?;
    let key = if v.enabled { "rules.now_enabled" } else { "rules.now_disabled" };
    let extra = json!({ "changed": key, "changed_id": format!("{} v{}", v.rule_id, v.version) });
    rules_page(&app, &user, &ctx, StatusCode::OK, extra).await
}

pub async fn rules_enable(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    rules_toggle(app, user, ctx, id, true).await
}

pub async fn rules_disable(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    rules_toggle(app, user, ctx, id, false).await
}
