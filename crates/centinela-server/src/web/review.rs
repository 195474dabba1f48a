//! Secondary inspection: the hits queue, adjudication, and a crossing with
//! the traveller's timeline.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use centinela_domain::Role;
use centinela_store::Verdict;
use serde::Deserialize;
use serde_json::json;

use super::{PageCtx, PageResult, field, form_pairs, may_open};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::handlers::inspections::HitsFilter;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct HitsPage {
    #[serde(default)]
    todas: Option<String>,
    #[serde(default)]
    hecho: Option<String>,
    #[serde(default)]
    despejada: Option<String>,
}

/// The hits queue: open hits (or all), newest first.
pub async fn hits(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<HitsPage>,
) -> PageResult {
    let open = q.todas.is_none();
    let hits =
        app.app().hits(&user, HitsFilter { open, post: None, limit: 200 }).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render(
        "hits.html",
        json!({
            "hits": hits,
            "open": open,
            "done": q.hecho,
            "cleared": q.despejada,
            "can_adjudicate": user.role == Role::Supervisor,
            "can_timeline": may_open(user.role, "/cruces/{id}"),
        }),
    ))
}

/// A supervisor confirms or dismisses a hit, with a reason — or dismisses it
/// and clears the pair (`decision=dismissed_cleared`, person hits).
pub async fn adjudicate(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: Bytes,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error.not_found", None));
    };
    let pairs = form_pairs(&body);
    if field(&pairs, "decision") == "dismissed_cleared" {
        // Dismiss as not this person, and remember it for this traveller
        // and this list entry.
        if field(&pairs, "reason").trim().is_empty() {
            return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "adjudication.needs_reason", None));
        }
        // Other refusals (no document, another post's hit) say what they are.
        return match app.app().dismiss_and_clear(&user, id, field(&pairs, "reason"), None).await {
            Ok(_) => Ok(Redirect::to(&format!("/alertas?despejada={id}")).into_response()),
            Err(e) => Err(ctx.api_error(e)),
        };
    }
    let Ok(decision) = serde_json::from_value::<Verdict>(json!(field(&pairs, "decision"))) else {
        return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_field", None));
    };
    match app.app().adjudicate(&user, id, decision, field(&pairs, "reason")).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/alertas?hecho={id}")).into_response()),
        Err(e) if e.code == crate::ErrorCode::InvalidField => {
            Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "adjudication.needs_reason", None))
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// A crossing, what its inspection showed, and the traveller's timeline.
pub async fn timeline(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let c = app.app().crossing(&user, &id).await.map_err(|e| ctx.api_error(e))?;
    let tl = app.app().timeline(&user, &id).await.map_err(|e| ctx.api_error(e))?;
    let posts: std::collections::BTreeSet<&str> = tl.iter().map(|c| c.record.post.as_str()).collect();
    Ok(ctx.render("timeline.html", json!({ "id": id, "crossing": c, "timeline": tl, "posts": posts.len() })))
}
