//! `/api/stats`: the dashboard's figures (counts only) as JSON or CSV, and
//! `/api/stats/regional`: the k-anonymous regional release (the tables of
//! `centinela stats export`). Users bound to a post see their post only;
//! the regional release covers the country. Every read is audited.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use centinela_app::Caller;
pub use centinela_app::stats::stats_csv;
use centinela_app::stats::{Figures, Regional, parse_day, release_options};
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
    /// CSV only: start with a UTF-8 byte-order mark, for spreadsheets
    /// (Excel on Windows needs it to read accents); default false.
    pub excel: Option<bool>,
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

/// The dashboard's figures: crossings by post, by day and direction, hits
/// by adjudication, referrals by unit, decisions in force; victims of
/// trafficking identified, assisted, prosecuted and repatriated, and
/// identified by type of exploitation (from the cases). Counts only.
#[utoipa::path(get, path = "/api/stats", tag = "stats", security(("bearer" = []), ("cookie" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures", body = Object),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
        (status = 422, description = "A date is not a date (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn get(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let f = figures(&app, &user, &q).await?;
    Ok(Json(json!({ "from": f.from, "to": f.to, "post": f.post, "figures": f.stats })))
}

/// The same figures as CSV: `figure,key,value` (for `directions_by_day`
/// the key is `day/entry` or `day/exit`).
#[utoipa::path(get, path = "/api/stats/csv", tag = "stats", security(("bearer" = []), ("cookie" = [])),
    params(StatsQuery),
    responses(
        (status = 200, description = "The figures as CSV (RFC 4180: CRLF line ends, UTF-8)", body = String, content_type = "text/csv"),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
        (status = 422, description = "A date is not a date (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn csv(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<StatsQuery>,
) -> Result<Response, ApiError> {
    let f = figures(&app, &user, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"estadisticas.csv\""),
        ],
        stats_csv(&f.stats, q.excel.unwrap_or(false)),
    )
        .into_response())
}

/// The dashboard's figures for the query, audited.
async fn figures(app: &AppState, user: &AuthUser, q: &StatsQuery) -> Result<Figures, ApiError> {
    let (from, to) = (parse_day("from", q.from.as_deref())?, parse_day("to", q.to.as_deref())?);
    Ok(app.app().figures(user, from, to, q.post.as_deref()).await?)
}

/// The regional release for the query, with the country's code and the
/// days it covers; audited.
async fn regional_release(app: &AppState, user: &AuthUser, q: &RegionalQuery) -> Result<Regional, ApiError> {
    let opts = release_options(q.from.as_deref(), q.to.as_deref(), q.k, q.period.as_deref())?;
    Ok(app.app().regional_release(Caller::User(user), opts, "stats_regional_viewed", json!({})).await?)
}

/// The k-anonymous regional release: every table of `centinela stats
/// export`, each cell a count of at least `k` or `null` (suppressed), the
/// last row and column the totals.
#[utoipa::path(get, path = "/api/stats/regional", tag = "stats", security(("bearer" = []), ("cookie" = [])),
    params(RegionalQuery),
    responses(
        (status = 200, description = "The release", body = Object),
        (status = 400, description = "A query parameter does not parse (`invalid_query`)", body = ErrorBody),
        (status = 422, description = "A date, k or period is not accepted (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn regional(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<RegionalQuery>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let r = regional_release(&app, &user, &q).await?;
    Ok(Json(json!({ "country": r.country, "from": r.from, "to": r.to, "release": r.release })))
}
