//! `/api/stats`: the dashboard's figures (counts only) as JSON or CSV, and
//! `/api/stats/regional`: the k-anonymous regional release (the tables of
//! `centinela stats export`). Users bound to a post see their post only;
//! the regional release covers the country. Every read is audited.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use centinela_stats::{DEFAULT_K, Options, Period, Release};
use centinela_store::{Stats, StatsFilter};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use crate::auth::{AuthUser, CurrentUser};
use crate::error::{ApiError, ErrorBody, Json, Query};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// First day (YYYY-MM-DD, UTC); default: the first with crossings.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, UTC, inclusive); default: the last with crossings.
    pub to: Option<String>,
    /// One post's code (ignored for users bound to a post: theirs).
    pub post: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionalQuery {
    /// First day (YYYY-MM-DD, UTC); default: the first with data.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, UTC, inclusive); default: the last with data.
    pub to: Option<String>,
    /// The smallest count published (default 11).
    pub k: Option<u64>,
    /// `month` (default) or `week`.
    pub period: Option<String>,
}

fn day(field: &'static str, s: &Option<String>) -> Result<Option<jiff::civil::Date>, ApiError> {
    match s.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<jiff::civil::Date>()
            .map(Some)
            .map_err(|_| ApiError::invalid_field(format!("{field}: not a date (YYYY-MM-DD)"))),
    }
}

fn span(from: Option<jiff::civil::Date>, to: Option<jiff::civil::Date>) -> Result<(String, String), ApiError> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::invalid_field("from: after to"));
    }
    Ok((from.map(|d| d.to_string()).unwrap_or_default(), to.map(|d| d.to_string()).unwrap_or_default()))
}

/// The figures of the filter, audited.
async fn figures(app: &AppState, user: &AuthUser, q: &StatsQuery) -> Result<(Stats, String, String, String), ApiError> {
    let (from, to) = span(day("from", &q.from)?, day("to", &q.to)?)?;
    let post = user.post.clone().or(q.post.clone().filter(|p| !p.is_empty())).unwrap_or_default();
    // `to` is inclusive: every time of that day sorts before "<day>T99".
    let to_excl = if to.is_empty() { String::new() } else { format!("{to}T99") };
    let s = app.analytics().stats(&StatsFilter { from: &from, to: &to_excl, post: &post }).await?;
    app.audit(user, "stats_viewed", "stats", json!({ "from": from, "to": to, "post": post })).await?;
    Ok((s, from, to, post))
}

/// The dashboard's figures: crossings by post, by day and direction, hits
/// by adjudication, referrals by unit, decisions in force; victims of
/// trafficking identified, assisted, prosecuted and repatriated, and
/// identified by type of exploitation (from the cases). Counts only.
#[utoipa::path(get, path = "/api/stats", tag = "stats", security(("bearer" = []), ("cookie" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures", body = Object),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 422, description = "A date is not a date (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (s, from, to, post) = figures(&app, &user, &q).await?;
    Ok(Json(json!({ "from": from, "to": to, "post": post, "figures": s })))
}

/// The same figures as CSV: `figure,key,value` (for `directions_by_day`
/// the key is `day/entry` or `day/exit`).
#[utoipa::path(get, path = "/api/stats/csv", tag = "stats", security(("bearer" = []), ("cookie" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures as CSV", content_type = "text/csv"),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 422, description = "A date is not a date (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn csv(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    let (s, ..) = figures(&app, &user, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"estadisticas.csv\""),
        ],
        stats_csv(&s),
    )
        .into_response())
}

/// `figure,key,value` lines of every figure.
pub fn stats_csv(s: &Stats) -> String {
    let field = centinela_domain::csv::field;
    let mut out = String::from("figure,key,value\n");
    let mut line = |fig: &str, key: &str, v: i64| out.push_str(&format!("{fig},{},{v}\n", field(key)));
    for (k, v) in &s.crossings_by_post {
        line("crossings_by_post", k, *v);
    }
    for (k, v) in &s.crossings_by_day {
        line("crossings_by_day", k, *v);
    }
    for (d, a, b) in &s.directions_by_day {
        line("directions_by_day", &format!("{d}/entry"), *a);
        line("directions_by_day", &format!("{d}/exit"), *b);
    }
    for (k, v) in [
        ("raised", s.hits.raised),
        ("confirmed", s.hits.confirmed),
        ("dismissed", s.hits.dismissed),
        ("open", s.hits.open),
    ] {
        line("hits", k, v);
    }
    for (k, v) in &s.hits_by_day {
        line("hits_by_day", k, *v);
    }
    for (k, v) in &s.referrals {
        line("referrals", k, *v);
    }
    for (k, v) in &s.decisions {
        line("decisions", k, *v);
    }
    for (k, v) in [
        ("identified", s.cases.identified),
        ("assisted", s.cases.assisted),
        ("prosecuted", s.cases.prosecuted),
        ("repatriated", s.cases.repatriated),
    ] {
        line("victims", k, v);
    }
    for (k, v) in &s.victims_by_exploitation {
        line("victims_by_exploitation", k, *v);
    }
    out
}

/// The regional release for the query, with the country's code and the
/// days it covers; audited.
pub async fn regional_release(
    app: &AppState,
    user: &AuthUser,
    q: &RegionalQuery,
) -> Result<(Release, String, String, String), ApiError> {
    let (from_d, to_d) = (day("from", &q.from)?, day("to", &q.to)?);
    let (from, to) = span(from_d, to_d)?;
    let k = q.k.unwrap_or(DEFAULT_K);
    if k == 0 {
        return Err(ApiError::invalid_field("k: must be at least 1"));
    }
    let period = Period::parse(q.period.as_deref().unwrap_or("month"))
        .map_err(|e| ApiError::invalid_field(format!("period: {e}")))?;
    let to_excl = if to.is_empty() { String::new() } else { format!("{to}T99") };
    let facts = app.analytics().stat_facts(&StatsFilter { from: &from, to: &to_excl, post: "" }).await?;
    let opts = Options { k, period, noise: None, from: from_d, to: to_d, ..Options::default() };
    let release = app
        .heavy(move || centinela_stats::publish(&facts, &opts))
        .await?
        .map_err(|e| ApiError::invalid_field(e.to_string()))?;
    app.audit(
        user,
        "stats_regional_viewed",
        "stats",
        json!({ "from": from, "to": to, "k": k, "period": period.as_str() }),
    )
    .await?;
    let country = app.analytics().posts().await?.first().map(|p| p.country.clone()).unwrap_or_default();
    Ok((release, country, from, to))
}

/// The k-anonymous regional release: every table of `centinela stats
/// export`, each cell a count of at least `k` or `null` (suppressed), the
/// last row and column the totals.
#[utoipa::path(get, path = "/api/stats/regional", tag = "stats", security(("bearer" = []), ("cookie" = [])),
    params(RegionalQuery),
    responses(
        (status = 200, description = "The release", body = Object),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 422, description = "A date, k or period is not accepted (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn regional(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RegionalQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (release, country, from, to) = regional_release(&app, &user, &q).await?;
    Ok(Json(json!({ "country": country, "from": from, "to": to, "release": release })))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A post code once carried `=HYPERLINK(…)` from an import into this
    /// CSV; whatever a key holds, a spreadsheet never evaluates it, and
    /// numbers stay numbers.
    #[test]
    fn keys_are_never_spreadsheet_formulas() {
        let s = Stats {
            crossings_by_post: vec![("=HYPERLINK(\"http://x\",\"y\")".into(), 3), ("GTM-TECUNUMAN".into(), -1)],
            ..Stats::default()
        };
        let csv = stats_csv(&s);
        assert!(csv.contains("crossings_by_post,\"'=HYPERLINK("), "{csv}");
        assert!(csv.contains("crossings_by_post,GTM-TECUNUMAN,-1\n"), "{csv}");
    }
}
