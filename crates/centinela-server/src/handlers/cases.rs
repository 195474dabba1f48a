//! The protection unit's work: the queue of referrals from the booths, the
//! answer to each (accept — opening or joining a case — or decline, with a
//! reason), and trafficking cases aligned with HTCDS 2.0: read, new
//! versions, shares, and the HTCDS-compatible export (CSV, JSON).
//!
//! Cases are the protection role's. A user of another role sees a case
//! only while it is shared with them (read only); any other case is
//! answered `not_found`, so its existence does not leak. Every read and
//! every write is in the audit chain.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use centinela_domain::htcds::{CaseRecord, CountryCodes};
use centinela_store::{CaseSummary, CaseVersion, ReferralAnswer, StoredCase};
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use centinela_app::Caller;
pub use centinela_app::cases::{AnswerKind, CaseWritten, ReferralView, TABLES};

use crate::auth::{AuthUser, CurrentUser};
use crate::error::{ApiError, ErrorBody, ErrorCode, Json, Path, Query};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralsQuery {
    /// Only referrals not yet answered (default true).
    pub waiting: Option<bool>,
    /// At most this many, newest first (default 200, at most 1000).
    pub limit: Option<u32>,
}

/// Referrals to protection, newest first: those waiting for an answer by
/// default.
#[utoipa::path(get, path = "/api/referrals", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(ReferralsQuery),
    responses(
        (status = 200, description = "Referrals", body = [ReferralView]),
    ))]
pub async fn referrals(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReferralsQuery>,
) -> Result<Json<Vec<ReferralView>>, ApiError> {
    let list = app.app().referrals(&user, q.waiting.unwrap_or(true), q.limit.unwrap_or(200)).await?;
    Ok(Json(list))
}

/// One referral to protection, with its indicators and answer.
#[utoipa::path(get, path = "/api/referrals/{id}", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The referral's id")),
    responses(
        (status = 200, description = "The referral", body = ReferralView),
        (status = 404, description = "No such referral", body = ErrorBody),
    ))]
pub async fn referral(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<ReferralView>, ApiError> {
    Ok(Json(app.app().referral(&user, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// `accept` or `decline`.
    pub answer: AnswerKind,
    /// Why: required.
    #[schema(example = "entrevista: indicios de captación por oferta de empleo")]
    pub reason: String,
    /// Accept into this open case instead of opening a new one.
    #[serde(default)]
    pub case_id: Option<i64>,
}

/// Accept (opening a case, or joining the open case `case_id`) or decline
/// a referral, with a reason. A declined referral may be accepted later;
/// an accepted one stays accepted (`conflict`).
#[utoipa::path(post, path = "/api/referrals/{id}/answer", tag = "cases",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The referral's id")),
    request_body = AnswerRequest,
    responses(
        (status = 201, description = "Recorded; `case_id` names the case for an acceptance", body = Object),
        (status = 404, description = "No such referral or case", body = ErrorBody),
        (status = 409, description = "Already accepted, or the case is closed (`conflict`)", body = ErrorBody),
        (status = 422, description = "No reason (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn answer(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<AnswerRequest>,
) -> Result<(StatusCode, Json<ReferralAnswer>), ApiError> {
    let a = app.app().answer_referral(&user, id, req.answer, &req.reason, req.case_id).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CasesQuery {
    /// At most this many, newest first (default 200, at most 1000).
    pub limit: Option<u32>,
}

/// Trafficking cases, newest first: every case for the protection unit;
/// for anyone else, only the cases shared with them.
#[utoipa::path(get, path = "/api/cases", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(CasesQuery),
    responses(
        (status = 200, description = "Cases (latest versions)", body = [Object]),
    ))]
pub async fn cases(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<CasesQuery>,
) -> Result<Json<Vec<CaseSummary>>, ApiError> {
    Ok(Json(app.app().cases(&user, q.limit.unwrap_or(200)).await?))
}

/// A case as it stands: the HTCDS record of its latest version, the
/// crossings and referrals it holds, who it is shared with.
#[utoipa::path(get, path = "/api/cases/{id}", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The case", body = Object),
        (status = 404, description = "No such case, or not shared with you", body = ErrorBody),
    ))]
pub async fn case(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<StoredCase>, ApiError> {
    Ok(Json(app.app().case(&user, id).await?))
}

/// Every version of a case, oldest first: nothing is ever overwritten.
#[utoipa::path(get, path = "/api/cases/{id}/versions", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The case's id")),
    responses(
        (status = 200, description = "The versions", body = [Object]),
        (status = 404, description = "No such case, or not shared with you", body = ErrorBody),
    ))]
pub async fn versions(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Json<Vec<CaseVersion>>, ApiError> {
    Ok(Json(app.app().case_versions(&user, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCaseRequest {
    /// The HTCDS record: sections `person`, `victim`, `perpetrators`,
    /// `case`, `consent`, `events`, `support_plans`, `comments`, with the
    /// HTCDS field names (`prs_FirstName`, `vic_MethodsOfControl` …).
    #[schema(value_type = Object)]
    pub record: CaseRecord,
    /// Crossings the case holds.
    #[serde(default)]
    pub crossings: Vec<String>,
}

/// Open a case without a referral (a victim identified elsewhere).
#[utoipa::path(post, path = "/api/cases", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    request_body = NewCaseRequest,
    responses(
        (status = 201, description = "Opened", body = CaseWritten),
        (status = 404, description = "A crossing does not exist", body = ErrorBody),
        (status = 422, description = "A field is invalid (`invalid_picklist_value`, `invalid_field`)", body = ErrorBody),
    ))]
pub async fn create(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<NewCaseRequest>,
) -> Result<(StatusCode, Json<CaseWritten>), ApiError> {
    let w = app.app().create_case(&user, req.record, &req.crossings).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCaseRequest {
    /// The version the change was made on (as read).
    pub base_version: i64,
    /// The whole HTCDS record of the new version.
    #[schema(value_type = Object)]
    pub record: CaseRecord,
}

/// Write a new version of a case. `base_version` must be the latest:
/// otherwise someone changed the case since it was read, and the answer is
/// `stale_version` (409) — read it again and redo the change.
#[utoipa::path(put, path = "/api/cases/{id}", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The case's id")),
    request_body = UpdateCaseRequest,
    responses(
        (status = 200, description = "The new version", body = CaseWritten),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 409, description = "Changed since `base_version` (`stale_version`)", body = ErrorBody),
        (status = 422, description = "A field is invalid (`invalid_picklist_value`, `invalid_field`)", body = ErrorBody),
    ))]
pub async fn update(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<UpdateCaseRequest>,
) -> Result<Json<CaseWritten>, ApiError> {
    Ok(Json(app.app().update_case(&user, id, req.base_version, req.record).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The user (id) who may read the case.
    pub user_id: i64,
    /// `false` ends the share.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Share a case with a user (read only), or end the share.
#[utoipa::path(post, path = "/api/cases/{id}/shares", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The case's id")),
    request_body = ShareRequest,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such case or user", body = ErrorBody),
    ))]
pub async fn share(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<ShareRequest>,
) -> Result<StatusCode, ApiError> {
    app.app().share_case(&user, id, req.user_id, req.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default: every case with its sections) or `csv`.
    pub format: Option<String>,
    /// For CSV: `cases` (default), `organisations`, `perpetrators`,
    /// `events`, `support_plans` or `comments`.
    pub table: Option<String>,
    /// For CSV: start with a UTF-8 byte-order mark, for spreadsheets
    /// (Excel on Windows needs it to read accents); default false.
    pub excel: Option<bool>,
    /// Country codes (`prs_Citizenship`, `prs_MailingCountry`,
    /// `org_ShippingCountry`, `hte_Country`) in ISO 3166 alpha-2 (`GT`), as
    /// IOM's survey toolkit lists them; default false: alpha-3 (`GTM`), as
    /// the standard's text says.
    pub alpha2: Option<bool>,
}

/// The cases as the HTCDS export writes them: `json` (an array of
/// `{case_id, version, opened_at, updated_at, record}`) or one `csv` table
/// with HTCDS column names. Audited.
pub async fn export_body(app: &AppState, user: &AuthUser, q: &ExportQuery) -> Result<(String, String), ApiError> {
    let format = q.format.as_deref().unwrap_or("json");
    let table = q.table.as_deref().unwrap_or("cases");
    if !matches!(format, "json" | "csv") {
        return Err(ApiError::new(ErrorCode::InvalidQuery, "format: json or csv"));
    }
    if format == "csv" && !TABLES.contains(&table) {
        return Err(ApiError::new(
            ErrorCode::InvalidQuery,
            "table: cases, organisations, perpetrators, events, support_plans or comments",
        ));
    }
    let alpha2 = q.alpha2.unwrap_or(false);
    let detail = json!({ "format": format, "table": table, "alpha2": alpha2 });
    let codes = if alpha2 { CountryCodes::Alpha2 } else { CountryCodes::Alpha3 };
    let export = app.app().export_cases(Caller::User(user), detail).await?.with_country_codes(codes);
    if format == "json" {
        return Ok(("application/json".into(), export.json(false)?));
    }
    let body = export
        .csv_tables(q.excel.unwrap_or(false))
        .into_iter()
        .find(|(name, _)| name == table)
        .map(|(_, csv)| csv)
        .unwrap_or_default();
    Ok(("text/csv; charset=utf-8".into(), body))
}

/// Export every case as HTCDS-compatible JSON or CSV (one table per call).
#[utoipa::path(get, path = "/api/cases/export", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The export: JSON (format=json) or one table as CSV (format=csv)",
            content((Object = "application/json"), (String = "text/csv"))),
        (status = 400, description = "Unknown format or table (`invalid_query`)", body = ErrorBody),
    ))]
pub async fn export(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let (mime, body) = export_body(&app, &user, &q).await?;
    Ok(([(header::CONTENT_TYPE, mime)], body).into_response())
}
