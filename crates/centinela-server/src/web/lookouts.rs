//! Lookouts in the browser (issue 21): the list of lookouts in force with
//! the form to issue one, cancelling with a confirmation, and the hits.
//! Each page calls the use cases of `centinela_app::lookouts` (audited
//! there).

use axum::body::Bytes;
use axum::extract::State;
use centinela_app::Caller;
use centinela_domain::LookoutInput;
use centinela_store::LookoutHitFilter;
use serde_json::{Value, json};

use super::{PageCtx, PageResult, field, form_pairs};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

const KINDS: [&str; 4] = ["person", "document", "vehicle", "phone"];
const ACTIONS: [&str; 4] = ["secondary_inspection", "refer_to_protection", "notify", "detain_per_law"];

pub async fn lookouts(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    page(&app, &user, &ctx, json!({})).await
}

async fn page(app: &AppState, user: &CurrentUser, ctx: &PageCtx, extra: Value) -> PageResult {
    let caller = Caller::User(user);
    let list = app.app().lookouts(caller, false, 200).await.map_err(|e| ctx.api_error(e))?;
    let filter = LookoutHitFilter { limit: 50, ..LookoutHitFilter::default() };
    let hits = app.app().lookout_hits(caller, filter).await.map_err(|e| ctx.api_error(e))?;
    let mut data = json!({
        "lookouts": list, "hits": hits, "kinds": KINDS, "actions": ACTIONS,
        "own_post": user.post,
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    Ok(ctx.render("lookouts.html", data))
}

fn opt(pairs: &[(String, String)], name: &str) -> Option<String> {
    Some(field(pairs, name).trim().to_string()).filter(|s| !s.is_empty())
}

/// Issues a lookout from the form; a refused field is shown on the form.
pub async fn issue(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let list = |name: &str| -> Vec<String> {
        field(&pairs, name).split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
    };
    let mut scope_posts = list("scope_posts");
    if scope_posts.is_empty()
        && let Some(p) = &user.post
    {
        // A post-bound supervisor issues for their post.
        scope_posts.push(p.clone());
    }
    let hours = field(&pairs, "hours").trim().parse::<i64>().ok();
    let input = LookoutInput {
        kind: field(&pairs, "kind").to_string(),
        given_names: opt(&pairs, "given_names"),
        surnames: opt(&pairs, "surnames"),
        birth_date: opt(&pairs, "birth_date").map(|d| super::parse_typed_date(&d).map(|x| x.to_string()).unwrap_or(d)),
        nationality: opt(&pairs, "nationality"),
        document_number: opt(&pairs, "document_number"),
        issuing_state: opt(&pairs, "issuing_state"),
        plate: opt(&pairs, "plate"),
        country: opt(&pairs, "country"),
        phone: opt(&pairs, "phone"),
        reason: field(&pairs, "reason").to_string(),
        action: field(&pairs, "action").to_string(),
        valid_from: None,
        valid_until: None,
        valid_hours: Some(hours.unwrap_or(0)),
        scope_posts,
        scope_country: opt(&pairs, "scope_country"),
        notify: list("notify"),
    };
    match app.app().issue_lookout(Caller::User(&user), &input).await {
        Ok(l) => page(&app, &user, &ctx, json!({ "issued": l.lookout.uid })).await,
        Err(e) => form_error(&app, &user, &ctx, e.into()).await,
    }
}

async fn form_error(app: &AppState, user: &CurrentUser, ctx: &PageCtx, e: ApiError) -> PageResult {
    if matches!(e.code, ErrorCode::InvalidField | ErrorCode::Conflict | ErrorCode::Forbidden) {
        let detail = super::i18n::phrase(ctx.lang, &e.message);
        page(app, user, ctx, json!({ "form_error": "error.invalid_field", "form_detail": detail })).await
    } else {
        Err(ctx.api_error(e))
    }
}

/// Cancels a lookout once the confirmation box is ticked.
pub async fn cancel(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(uid): axum::extract::Path<String>,
    body: Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    if field(&pairs, "confirm") != "yes" {
        return page(&app, &user, &ctx, json!({ "form_error": "lookout.confirm_needed", "form_detail": "" })).await;
    }
    match app.app().cancel_lookout(Caller::User(&user), &uid, field(&pairs, "reason")).await {
        Ok(l) => page(&app, &user, &ctx, json!({ "cancelled": l.lookout.uid })).await,
        Err(e) => form_error(&app, &user, &ctx, e.into()).await,
    }
}
