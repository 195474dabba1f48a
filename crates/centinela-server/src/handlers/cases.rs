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
use centinela_domain::Role;
use centinela_domain::htcds::{self, Case, CaseError, CaseRecord};
use centinela_store::{Actor, Answer, CaseSummary, CaseVersion, Referral, ReferralAnswer, StoredCase};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use centinela_app::Caller;
use centinela_app::cases::TABLES;

use crate::auth::{AuthUser, CurrentUser};
use crate::error::{ApiError, ErrorBody, ErrorCode, Json, Path, Query};
use crate::state::AppState;

/// The most referrals or cases one list answers.
const MAX_LIST: u32 = 1000;

/// The store's actor for `user`: audit entries name `user:<id>`.
fn actor<'a>(user: &'a AuthUser, name: &'a str) -> Actor<'a> {
    Actor { user_id: user.id, username: name, role: user.role }
}

/// A case record refused: `invalid_picklist_value` for a value outside an
/// HTCDS list, else `invalid_field`; the message names the HTCDS field.
pub fn case_error(e: CaseError) -> ApiError {
    let code = match e {
        CaseError::Picklist { .. } => ErrorCode::InvalidPicklistValue,
        _ => ErrorCode::InvalidField,
    };
    ApiError::new(code, format!("record.{}", e))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralsQuery {
    /// Only referrals not yet answered (default true).
    pub waiting: Option<bool>,
    /// At most this many, newest first (default 200, at most 1000).
    pub limit: Option<u32>,
}

/// A referral to protection as the protection officer reviews it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralView {
    pub id: i64,
    pub crossing_id: String,
    /// The referring officer's reason.
    pub reason: String,
    pub referred_by: i64,
    pub at: String,
    /// The indicator codes that triggered it (`T1` …, `list:<name>` for a hit).
    pub indicator_codes: Vec<String>,
    /// The inspection's flags and hits, as stored with the referral.
    #[schema(value_type = Object)]
    pub indicators: serde_json::Value,
    pub post: String,
    pub crossed_at: String,
    pub given_names: String,
    pub surnames: String,
    pub birth_date: String,
    pub nationality: String,
    pub sex: String,
    /// The answer in force; absent while the referral waits.
    #[schema(value_type = Option<Object>)]
    pub answer: Option<ReferralAnswer>,
}

impl From<Referral> for ReferralView {
    fn from(r: Referral) -> Self {
        ReferralView {
            indicator_codes: r.indicator_codes(),
            id: r.id,
            crossing_id: r.crossing_id,
            reason: r.reason,
            referred_by: r.user_id,
            at: r.at,
            indicators: r.indicators,
            post: r.post,
            crossed_at: r.crossed_at,
            given_names: r.given_names,
            surnames: r.surnames,
            birth_date: r.birth_date,
            nationality: r.nationality,
            sex: r.sex,
            answer: r.answer,
        }
    }
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
    let waiting = q.waiting.unwrap_or(true);
    let list = app.store().referrals(waiting, u64::from(q.limit.unwrap_or(200).min(MAX_LIST))).await?;
    app.audit(&user, "referrals_viewed", "referrals", json!({ "count": list.len(), "waiting": waiting })).await?;
    Ok(Json(list.into_iter().map(ReferralView::from).collect()))
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
    let r = app.store().referral(id).await?.ok_or_else(|| ApiError::not_found("no such referral"))?;
    app.audit(&user, "referral_viewed", format!("referral:{id}"), json!({})).await?;
    Ok(Json(r.into()))
}

/// The protection officer's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AnswerKind {
    Accept,
    Decline,
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
    if req.reason.trim().is_empty() {
        return Err(ApiError::invalid_field("reason: an answer needs a reason"));
    }
    if req.reason.chars().count() > 2000 {
        return Err(ApiError::invalid_field("reason: at most 2000 characters"));
    }
    let answer = match req.answer {
        AnswerKind::Accept => Answer::Accept(req.case_id),
        AnswerKind::Decline if req.case_id.is_some() => {
            return Err(ApiError::invalid_field("case_id: only an acceptance joins a case"));
        }
        AnswerKind::Decline => Answer::Decline,
    };
    let name = user.actor();
    let a = app.store().answer_referral(actor(&user, &name), &user.username, id, answer, &req.reason).await?;
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
    let only = (user.role != Role::Protection).then_some(user.id);
    let list = app.store().cases(only, u64::from(q.limit.unwrap_or(200).min(MAX_LIST))).await?;
    app.audit(&user, "cases_viewed", "cases", json!({ "count": list.len() })).await?;
    Ok(Json(list))
}

/// The case if `user` may read it: the protection unit, or a share.
async fn visible_case(app: &AppState, user: &AuthUser, id: i64) -> Result<StoredCase, ApiError> {
    let missing = || ApiError::not_found("no such case");
    if user.role != Role::Protection && !app.store().case_shared_with(id, user.id).await? {
        return Err(missing());
    }
    app.store().case(id).await?.ok_or_else(missing)
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
    let c = visible_case(&app, &user, id).await?;
    app.audit(&user, "case_viewed", format!("case:{id}"), json!({ "version": c.version })).await?;
    Ok(Json(c))
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
    visible_case(&app, &user, id).await?;
    let v = app.store().case_versions(id).await?;
    app.audit(&user, "case_versions_viewed", format!("case:{id}"), json!({ "versions": v.len() })).await?;
    Ok(Json(v))
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

#[derive(Debug, Serialize, ToSchema)]
pub struct CaseWritten {
    pub id: i64,
    pub version: i64,
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
    let case = Case::parse(req.record).map_err(case_error)?;
    if req.crossings.len() > htcds::MAX_ENTRIES {
        return Err(ApiError::invalid_field("crossings: at most 50"));
    }
    let crossings: Vec<&str> = req.crossings.iter().map(String::as_str).collect();
    let name = user.actor();
    let id = app.store().create_case(actor(&user, &name), &case, &crossings).await?;
    Ok((StatusCode::CREATED, Json(CaseWritten { id, version: 1 })))
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
    let case = Case::parse(req.record).map_err(case_error)?;
    let name = user.actor();
    let version = app.store().update_case(actor(&user, &name), id, req.base_version, &case).await?;
    Ok(Json(CaseWritten { id, version }))
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
    let name = user.actor();
    app.store().share_case(actor(&user, &name), id, req.user_id, req.active).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `json` (default: every case with its sections) or `csv`.
    pub format: Option<String>,
    /// For CSV: `cases` (default), `perpetrators`, `events`,
    /// `support_plans` or `comments`.
    pub table: Option<String>,
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
            "table: cases, perpetrators, events, support_plans or comments",
        ));
    }
    let export = app.app().export_cases(Caller::User(user), json!({ "format": format, "table": table })).await?;
    if format == "json" {
        return Ok(("application/json".into(), export.json(false)?));
    }
    let body = export.csv_tables().into_iter().find(|(name, _)| name == table).map(|(_, csv)| csv).unwrap_or_default();
    Ok(("text/csv; charset=utf-8".into(), body))
}

/// Export every case as HTCDS-compatible JSON or CSV (one table per call).
#[utoipa::path(get, path = "/api/cases/export", tag = "cases", security(("bearer" = []), ("cookie" = [])),
    params(ExportQuery),
    responses(
        (status = 200, description = "The export (application/json or text/csv)"),
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
