//! Risk rules (`centinela-rules`): the rules in force (the built-in
//! catalogue of INDICATORS.md with the stored rules over it) and every
//! stored version; checking a text (every error with line, column and
//! hint, for the editor's live errors); saving, enabling and disabling
//! (each a new version with its audit entry in the same transaction, then
//! the rules in memory reloaded); back-testing a text over the stored
//! history.
//!
//! Who may do what (the table in `routes.rs`): reading the rules — analysts,
//! administrators, supervisors (who adjudicate what rules raise) and
//! auditors (what was in force); checking and back-testing — analysts and
//! administrators; saving — analysts; enabling and disabling — analysts
//! and administrators. Officers never: a booth follows the rules, it does
//! not write them.
//!
//! A bad rule text is never a 500: checking answers its errors, saving and
//! back-testing refuse it with `invalid_rule`. Evaluation is total and
//! linear in the rules' size (the language has no loops; history questions
//! look at a bounded number of earlier crossings); back-tests run one at a
//! time, off the async runtime. The work is `centinela_app::rules`'s.

use axum::extract::State;
use axum::http::StatusCode;
pub use centinela_app::rules::{
    BacktestAnswer, CheckAnswer, CheckedRule, MAX_TEXT, RuleErrorView, RuleVersionView, RuleView,
};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path};
use crate::state::AppState;

/// A rule text to check, save or back-test.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleText {
    /// One or more rules in the rule language.
    #[schema(example = rule_example)]
    pub text: String,
}

/// The documents' example of a rule text (a valid rule, so that a client
/// trying the example — or a generator of test calls — is served).
const RULE_EXAMPLE: &str = "rule A1 \"Viajero frecuente\" {\n  category network\n  action secondary_inspection\n  weight 0.5\n  when history.crossings(days: 365) >= 4\n}\n";

fn rule_example() -> serde_json::Value {
    RULE_EXAMPLE.into()
}

/// A rule text to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRules {
    #[schema(example = rule_example)]
    pub text: String,
    /// Store the rules enabled or disabled. Without it, a new version of an
    /// existing rule keeps that rule's state and a new rule is stored
    /// disabled (back-test it, then enable it).
    pub enabled: Option<bool>,
}

/// A back-test request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BacktestRequest {
    #[schema(example = rule_example)]
    pub text: String,
    /// First day counted (`YYYY-MM-DD`, UTC); earlier crossings still count
    /// as history.
    #[schema(example = "2026-01-01")]
    pub from: Option<String>,
    /// Last day counted (`YYYY-MM-DD`, UTC, inclusive).
    #[schema(example = "2026-12-31")]
    pub to: Option<String>,
}

/// The rules in force: the catalogue with the stored rules over it.
#[utoipa::path(get, path = "/api/rules", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The rules in force, catalogue order then stored ones", body = [RuleView]),
    ))]
pub async fn list(State(app): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<RuleView>>, ApiError> {
    Ok(Json(app.app().rules().await?))
}

/// Every stored version of a rule, oldest first (empty for a built-in
/// rule never changed).
#[utoipa::path(get, path = "/api/rules/{id}/versions", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The rule's id")),
    responses(
        (status = 200, description = "The versions", body = [RuleVersionView]),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn versions(
    State(app): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<RuleVersionView>>, ApiError> {
    Ok(Json(app.app().rule_versions(&id).await?))
}

/// Checks a text: every parse and type error with its line, column and
/// hint. A text with errors is an answer (`ok` false), not an error. The
/// messages are English unless `Accept-Language` starts with `es` (the
/// rule editor sends its page's language).
#[utoipa::path(post, path = "/api/rules/check", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    request_body = RuleText,
    responses(
        (status = 200, description = "The errors, or the rules the text defines", body = CheckAnswer),
        (status = 422, description = "The text is too long (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn check(
    State(app): State<AppState>,
    _user: CurrentUser,
    headers: axum::http::HeaderMap,
    Json(req): Json<RuleText>,
) -> Result<Json<CheckAnswer>, ApiError> {
    let mut answer = app.app().check_rules(&req.text).await?;
    let spanish = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("es"));
    if spanish {
        for e in &mut answer.errors {
            e.message = crate::web::phrase(crate::web::Lang::Es, &e.message);
            e.hint = crate::web::phrase(crate::web::Lang::Es, &e.hint);
        }
    }
    Ok(Json(answer))
}

/// Saves every rule of a text as a new version (audited), then reloads the
/// rules in memory. A text with errors is refused whole.
#[utoipa::path(post, path = "/api/rules", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    request_body = SaveRules,
    responses(
        (status = 201, description = "The versions stored", body = [RuleVersionView]),
        (status = 422, description = "The text has errors (`invalid_rule`) or is too long (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn save(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<SaveRules>,
) -> Result<(StatusCode, Json<Vec<RuleVersionView>>), ApiError> {
    Ok((StatusCode::CREATED, Json(app.app().save_rules(&user, &req.text, req.enabled).await?)))
}

/// Enables a rule: a new version (audited `rule_enabled`), in force at
/// once. A built-in rule is stored first.
#[utoipa::path(post, path = "/api/rules/{id}/enable", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The rule's id")),
    responses(
        (status = 200, description = "The rule's current version", body = RuleVersionView),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn enable(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RuleVersionView>, ApiError> {
    Ok(Json(app.app().toggle_rule(&user, &id, true).await?))
}

/// Disables a rule: a new version (audited `rule_disabled`); it no longer
/// fires at the booths.
#[utoipa::path(post, path = "/api/rules/{id}/disable", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The rule's id")),
    responses(
        (status = 200, description = "The rule's current version", body = RuleVersionView),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn disable(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RuleVersionView>, ApiError> {
    Ok(Json(app.app().toggle_rule(&user, &id, false).await?))
}

/// Back-tests a text over the stored crossings: what its rules would have
/// flagged (each forced enabled), per post and week, how many of those
/// were later confirmed, and the secondary-inspection work they add to the
/// rules in force. Reads every crossing: audited (counts only).
#[utoipa::path(post, path = "/api/rules/backtest", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    request_body = BacktestRequest,
    responses(
        (status = 200, description = "The back-test", body = BacktestAnswer),
        (status = 422, description = "The text has errors (`invalid_rule`), or a bad date (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn backtest(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<BacktestRequest>,
) -> Result<Json<BacktestAnswer>, ApiError> {
    Ok(Json(app.app().backtest(&user, &req.text, req.from.as_deref(), req.to.as_deref()).await?))
}
