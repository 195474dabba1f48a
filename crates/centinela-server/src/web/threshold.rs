//! The lists page's what-if for the screening threshold: a post, a window
//! and candidate thresholds in; per candidate, alerts per day and the
//! confirmed hits kept or lost out (the use case of
//! `centinela_app::threshold`).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use centinela_app::Caller;
use centinela_domain::Role;
use serde_json::json;

use super::{PageCtx, PageResult, field, form_pairs};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;

pub async fn backtest(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let post = field(&pairs, "post").trim().to_string();
    let (from, to) = (field(&pairs, "desde").to_string(), field(&pairs, "hasta").to_string());
    let typed = field(&pairs, "umbrales").to_string();
    let lists = app.app().lists().await.map_err(|e| ctx.api_error(e))?;
    let mut data = json!({
        "lists": lists,
        "can_import": user.role == Role::Admin,
        "kinds": ["wanted", "missing", "documents", "watch"],
        "formats": ["csv", "ftm", "documents"],
        "threshold_form": { "post": post, "from": from, "to": to, "thresholds": typed },
    });
    let parsed: Result<Vec<f64>, _> =
        typed.split([',', ' ', ';']).filter(|s| !s.is_empty()).map(|s| s.replace(',', ".").parse::<f64>()).collect();
    let Ok(thresholds) = parsed else {
        data["threshold_error"] = json!("threshold.bad_thresholds");
        return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "lists.html", data));
    };
    let asked = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
    let (f, t) = (asked(&from), asked(&to));
    let result = app
        .app()
        .threshold_backtest(Caller::User(&user), &post, f.as_deref(), t.as_deref(), &thresholds)
        .await
        .map_err(ApiError::from);
    match result {
        Ok(a) => {
            data["threshold"] = json!(a);
            Ok(ctx.render("lists.html", data))
        }
        Err(e) if e.code == crate::ErrorCode::InvalidField => {
            data["threshold_error"] = json!("threshold.invalid");
            data["threshold_detail"] = json!(e.message);
            Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "lists.html", data))
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}
