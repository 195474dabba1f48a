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
use crate::state::AppState;
use centinela_app::inspections::QueueFilter;
use centinela_store::{HitOrder, HitStatus};

#[derive(Debug, Default, Deserialize)]
pub struct HitsPage {
    /// `abiertas` (the default), `confirmadas`, `descartadas` or `todas`.
    #[serde(default)]
    estado: Option<String>,
    /// The older link to every hit: `estado=todas`.
    #[serde(default)]
    todas: Option<String>,
    #[serde(default)]
    lista: Option<String>,
    #[serde(default)]
    puesto: Option<String>,
    /// `severidad` (the default), `antiguedad` or `recientes`.
    #[serde(default)]
    orden: Option<String>,
    #[serde(default)]
    pagina: Option<u32>,
    #[serde(default)]
    hecho: Option<String>,
    #[serde(default)]
    despejada: Option<String>,
}

const STATUSES: [(&str, HitStatus); 4] = [
    ("abiertas", HitStatus::Open),
    ("confirmadas", HitStatus::Confirmed),
    ("descartadas", HitStatus::Dismissed),
    ("todas", HitStatus::All),
];
const ORDERS: [(&str, HitOrder); 3] =
    [("severidad", HitOrder::Severity), ("antiguedad", HitOrder::Oldest), ("recientes", HitOrder::Newest)];

/// A filter value from the page's own choices: anything else is the
/// default, and an empty value is none.
fn chosen(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty() && v.len() <= 100).map(str::to_owned)
}

/// The supervisors' queue: hits by severity (or age), filtered by the
/// adjudication in force, list and post, a page at a time, each with the
/// traveller, the listed person, the booth's decision and the waiting time.
pub async fn hits(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<HitsPage>,
) -> PageResult {
    let status_word = if q.todas.is_some() { Some("todas".to_string()) } else { chosen(&q.estado) };
    let (status_word, status) =
        STATUSES.iter().find(|(w, _)| Some(*w) == status_word.as_deref()).map_or(STATUSES[0], |s| *s);
    let (order_word, order) =
        ORDERS.iter().find(|(w, _)| Some(*w) == chosen(&q.orden).as_deref()).map_or(ORDERS[0], |o| *o);
    let list = chosen(&q.lista);
    let post = if user.post.is_some() { None } else { chosen(&q.puesto) };
    let filter = QueueFilter {
        status,
        post: post.clone(),
        list: list.clone(),
        order,
        page: q.pagina.unwrap_or(1).clamp(1, 100_000),
        per_page: 0,
    };
    let queue = app.app().hit_queue(&user, filter).await.map_err(|e| ctx.api_error(e))?;
    let in_force = app.app().lists().await.map_err(|e| ctx.api_error(e))?;
    // Lists named in words (their source) where they have one.
    let sources: serde_json::Map<String, serde_json::Value> =
        in_force.iter().filter(|l| !l.source.is_empty()).map(|l| (l.name.clone(), json!(l.source))).collect();
    let stale: Vec<&centinela_app::lists::ListView> = in_force.iter().filter(|l| l.stale && l.active).collect();
    let stale = json!(stale);
    let lists: Vec<String> = in_force.into_iter().map(|l| l.name).collect();
    let posts: Vec<String> = if user.post.is_some() {
        Vec::new()
    } else {
        app.app().posts().await.map_err(|e| ctx.api_error(e))?.into_iter().map(|p| p.code).collect()
    };
    // The filters as a query string, for the paging links.
    let mut keep = vec![("estado", status_word.to_string()), ("orden", order_word.to_string())];
    keep.extend(list.clone().map(|l| ("lista", l)));
    keep.extend(post.clone().map(|p| ("puesto", p)));
    let base = serde_urlencoded::to_string(&keep).unwrap_or_default();
    Ok(ctx.render(
        "hits.html",
        json!({
            "hits": queue.rows,
            "stale_lists": stale,
            "total": queue.total,
            "page": queue.page,
            "pages": queue.pages,
            "status": status_word,
            "order": order_word,
            "list": list,
            "post": post,
            "lists": lists,
            "list_sources": sources,
            "posts": posts,
            "statuses": STATUSES.iter().map(|s| s.0).collect::<Vec<_>>(),
            "orders": ORDERS.iter().map(|o| o.0).collect::<Vec<_>>(),
            "base": base,
            "open": status == HitStatus::Open,
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
