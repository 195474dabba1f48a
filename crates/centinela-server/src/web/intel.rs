//! "Redes": the intelligence unit's pages. The facilitators and rings with
//! their evidence, a ring's network drawn by the vendored cytoscape.js (it
//! reads the API's `…/network` answer with the page's cookie session), a
//! person's page (summary, the evidence that joined their records, links,
//! timeline, network) and the merge/split form. Every page goes through the
//! intelligence use cases of `centinela-app`, as the API does, so the same
//! checks and audit entries apply.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use centinela_app::Caller;
use centinela_app::intel::PersonsFilter;
use serde::Deserialize;
use serde_json::json;

use super::{PageCtx, PageResult};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// How many facilitators the overview lists.
const OVERVIEW_TOP: usize = 50;

/// How long the overview waits for the analysis before it answers with a
/// page that says it is under way (and refreshes itself): at national scale
/// the first analysis after new records takes seconds, and a blank page
/// for that long looks broken.
const OVERVIEW_WAIT: std::time::Duration = std::time::Duration::from_millis(1500);

/// The facilitators and rings; `?crossing=ID` goes to that crossing's person.
pub async fn overview(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(f): axum::extract::Query<FindForm>,
) -> PageResult {
    if !f.crossing.trim().is_empty() {
        return find(app, user, ctx, f.crossing.trim()).await;
    }
    // The analysis goes on in its own task when the page stops waiting; the
    // next refresh finds it cached.
    let analysing = {
        let app = app.clone();
        tokio::spawn(async move { app.app().analysis().await })
    };
    match tokio::time::timeout(OVERVIEW_WAIT, analysing).await {
        Err(_) => return Ok(ctx.render("intel_wait.html", json!({}))),
        Ok(done) => {
            done.map_err(|e| ctx.api_error(crate::error::ApiError::internal(&e)))?.map_err(|e| ctx.api_error(e))?;
        }
    }
    let facs = app.app().intel_facilitators(&user, OVERVIEW_TOP).await.map_err(|e| ctx.api_error(e))?;
    let rings = app.app().intel_rings(&user).await.map_err(|e| ctx.api_error(e))?;
    let info = app.app().analysis().await.map_err(|e| ctx.api_error(e))?.info;
    let faces = app.app().document_faces(Caller::User(&user)).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("intel.html", json!({ "facilitators": facs, "rings": rings, "analysis": info, "faces": faces })))
}

pub async fn ring(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let rings = app.app().intel_rings(&user).await.map_err(|e| ctx.api_error(e))?;
    let Some(ring) = rings.into_iter().find(|r| r.ring_id == id) else {
        return Err(super::not_found(ctx.lang));
    };
    Ok(ctx.render(
        "network.html",
        json!({ "ring": ring, "companions": "hide", "source": format!("/api/intel/rings/{id}/network") }),
    ))
}

pub async fn person(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let view = app.app().intel_person(&user, &id).await.map_err(|e| ctx.api_error(e))?;
    let crossings = app.app().intel_person_crossings(&user, &id).await.map_err(|e| ctx.api_error(e))?;
    let posts: std::collections::BTreeSet<&str> = crossings.iter().map(|c| c.record.post.as_str()).collect();
    Ok(ctx.render(
        "person.html",
        json!({
            "posts": posts.len(),
            "id": id,
            "view": view,
            "crossings": crossings,
            "source": format!("/api/intel/persons/{id}/network"),
        }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct FindForm {
    #[serde(default)]
    crossing: String,
}

/// To the person page of a crossing.
async fn find(app: AppState, user: CurrentUser, ctx: PageCtx, crossing: &str) -> PageResult {
    let f = PersonsFilter { q: None, crossing: Some(crossing.to_owned()), offset: 0, limit: 1 };
    let page = app.app().intel_persons(&user, f).await.map_err(|e| ctx.api_error(e))?;
    match page.persons.first() {
        Some(p) => Ok(Redirect::to(&format!("/redes/personas/{}", p.person_id)).into_response()),
        None => Err(super::not_found(ctx.lang)),
    }
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    crossing_a: String,
    /// A crossing id, or a person id of the current analysis (their first crossing).
    #[serde(default)]
    crossing_b: String,
    #[serde(default)]
    reason: String,
}

/// The merge and split buttons: records the decision (as
/// `POST /api/intel/decisions` does), then shows the person of `crossing_a` in
/// the new analysis.
pub async fn decide(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::Form(f): axum::Form<DecisionForm>,
) -> PageResult {
    let kind = match f.kind.as_str() {
        "merge" => centinela_store::OverrideKind::Merge,
        "split" => centinela_store::OverrideKind::Split,
        _ => return Err(ctx.error(axum::http::StatusCode::BAD_REQUEST, "error.invalid_field", Some("kind".into()))),
    };
    let mut b = f.crossing_b.trim().to_owned();
    if b.starts_with('R') {
        let a = app.app().analysis().await.map_err(|e| ctx.api_error(e))?;
        if let Some(p) = a.report.person(&b)
            && let Some(first) = a.report.crossing_ids(p).into_iter().next()
        {
            b = first;
        }
    }
    app.app()
        .intel_decide(Caller::User(&user), kind, &f.crossing_a, &b, &f.reason)
        .await
        .map_err(|e| ctx.api_error(e))?;
    Ok(Redirect::to(&format!("/redes?crossing={}", urlencode(f.crossing_a.trim()))).into_response())
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).map(|e| e[2..].to_owned()).unwrap_or_default()
}
