//! The dashboard (counts only) and the regional report, through the
//! statistics use cases of `centinela-app`.

use axum::extract::State;
use centinela_app::Caller;
use centinela_app::stats::release_options;
use jiff::ToSpan;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{PageCtx, PageResult, charts};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    desde: Option<String>,
    #[serde(default)]
    hasta: Option<String>,
    #[serde(default)]
    puesto: Option<String>,
}

/// The dashboard: counts only. Users bound to a post see their post.
pub async fn stats(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<StatsQuery>,
) -> PageResult {
    let post = user.post.clone().or(q.puesto.filter(|p| !p.is_empty())).unwrap_or_default();
    let fail = |e: ApiError| ctx.api_error(e);
    let days = app.analytics().crossing_days(&post).await.map_err(|e| fail(e.into()))?;
    let parse = |s: &Option<String>| s.as_deref().and_then(super::parse_typed_date);
    let last = parse(&q.hasta).or_else(|| days.as_ref().and_then(|d| d.1.parse().ok()));
    let first = parse(&q.desde).or_else(|| last.map(|l| l.saturating_sub(29.days())));
    let (first, last) = match (first, last) {
        (Some(f), Some(l)) if f > l => (Some(l), Some(f)),
        (Some(f), Some(l)) => (Some(f), Some(l)),
        _ => (None, None),
    };
    let figures = app.app().figures(&user, first, last, Some(&post)).await.map_err(|e| ctx.api_error(e))?;
    let (s, from, to) = (figures.stats, figures.from, figures.to);
    let posts: Vec<Value> = if user.post.is_some() {
        Vec::new()
    } else {
        app.store().posts().await.map_err(|e| fail(e.into()))?.into_iter().map(|p| json!(p.code)).collect()
    };
    let l = ctx.lang;
    let t = |k: &str| super::i18n::tr(l, k);
    let hits = [
        (t("stats.raised").to_string(), s.hits.raised),
        (t("stats.confirmed").to_string(), s.hits.confirmed),
        (t("stats.dismissed").to_string(), s.hits.dismissed),
        (t("stats.open").to_string(), s.hits.open),
    ];
    let referrals: Vec<(String, i64)> =
        s.referrals.iter().map(|(u, n)| (super::i18n::tr_or(l, &format!("unit.{u}"), u).to_string(), *n)).collect();
    let decisions: Vec<(String, i64)> =
        s.decisions.iter().map(|(d, n)| (super::i18n::tr_or(l, &format!("decision.{d}"), d).to_string(), *n)).collect();
    let victims = [
        (t("stats.identified").to_string(), s.cases.identified),
        (t("stats.assisted").to_string(), s.cases.assisted),
        (t("stats.prosecuted").to_string(), s.cases.prosecuted),
        (t("stats.repatriated").to_string(), s.cases.repatriated),
    ];
    let exploitation: Vec<(String, i64)> = s
        .victims_by_exploitation
        .iter()
        .map(|(k, n)| {
            let key = match k.as_str() {
                "" => "report.unknown".to_string(),
                "Multiple" => "stats.exploitation_multiple".to_string(),
                _ => format!("htcds.v.{k}"),
            };
            (super::i18n::tr_or(l, &key, k).to_string(), *n)
        })
        .collect();
    let total: i64 = s.crossings_by_post.iter().map(|x| x.1).sum();
    let query = serde_urlencoded::to_string([("from", &from), ("to", &to), ("post", &post)]).unwrap_or_default();
    let report_query = serde_urlencoded::to_string([("desde", &from), ("hasta", &to), ("lang", &l.code().to_string())])
        .unwrap_or_default();
    Ok(ctx.render(
        "stats.html",
        json!({
            "query": query, "report_query": report_query, "can_report": true,
            "from": from, "to": to, "post": post, "posts": posts, "bound": user.post.is_some(),
            "total": total, "stats": s,
            "chart_posts": charts::hbars(t("stats.by_post"), &s.crossings_by_post, "c-crossings"),
            "chart_days": charts::columns(t("stats.by_day"), &s.directions_by_day, [t("direction.entry"), t("direction.exit")]),
            "chart_hits": charts::hbars(t("stats.hits"), &hits, "c-hits"),
            "chart_hits_days": charts::columns(
                t("stats.hits_by_day"),
                &s.hits_by_day.iter().map(|(d, n)| (d.clone(), *n, 0)).collect::<Vec<_>>(),
                [t("stats.raised"), ""],
            ),
            "chart_referrals": charts::hbars(t("stats.referrals"), &referrals, "c-referrals"),
            "chart_decisions": charts::hbars(t("stats.decisions"), &decisions, "c-decisions"),
            "chart_victims": charts::hbars(t("stats.victims"), &victims, "c-victims"),
            "chart_exploitation": charts::hbars(t("stats.by_exploitation"), &exploitation, "c-exploitation"),
        }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    desde: Option<String>,
    #[serde(default)]
    hasta: Option<String>,
    #[serde(default)]
    k: Option<u64>,
    #[serde(default)]
    periodo: Option<String>,
}

/// The regional report (infographic and tables) of the country for a
/// period, from the k-anonymous release (as `GET /api/stats/regional`).
pub async fn report(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> PageResult {
    let (desde, hasta) = (q.desde.as_deref().map(super::typed_iso), q.hasta.as_deref().map(super::typed_iso));
    let opts =
        release_options(desde.as_deref(), hasta.as_deref(), q.k, q.periodo.as_deref()).map_err(|e| ctx.api_error(e))?;
    let r = app
        .app()
        .regional_release(Caller::User(&user), opts, "stats_regional_viewed", json!({}))
        .await
        .map_err(|e| ctx.api_error(e))?;
    let meta = super::report::ReportMeta { country: &r.country, from: &r.from, to: &r.to };
    let body = super::report::body(&r.release, &meta, ctx.lang);
    Ok(ctx.render("report.html", json!({ "report": body, "country": r.country })))
}
