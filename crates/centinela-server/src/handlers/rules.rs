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
//! time, off the async runtime.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::http::StatusCode;
use centinela_domain::Timestamp;
use centinela_rules::backtest::{BacktestInput, BacktestReport, evaluate_history, report};
use centinela_rules::syntax::ItemValue;
use centinela_rules::{Action, RuleError, RuleSet, RuleSource, StoredRuleRef, parse_file};
use centinela_store::StoredRule;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::Semaphore;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, ErrorCode, Json, Path};
use crate::state::AppState;

/// The longest rule text accepted (bytes).
pub const MAX_TEXT: usize = 64 * 1024;

/// One back-test at a time: the others wait their turn.
static BACKTESTS: Semaphore = Semaphore::const_new(1);

/// A rule in force.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleView {
    /// `T1` … `N5` for the catalogue; letters, digits and `_`.
    pub id: String,
    pub name: String,
    /// `smuggling`, `possible_victim`, `document_fraud` or `network`.
    pub category: &'static str,
    pub weight: f64,
    /// `secondary_inspection` or `refer_to_protection`.
    pub action: &'static str,
    /// Where the indicator comes from, or why the analyst wrote it.
    pub source: String,
    /// The stored version (the text's own for a built-in rule never stored).
    pub version: i64,
    /// Who made this version (the text's author for a built-in rule).
    pub author: String,
    pub enabled: bool,
    /// `builtin` (the catalogue as shipped) or `stored`.
    pub origin: &'static str,
    /// When this version was stored.
    pub updated_at: Option<String>,
    /// The rule's text.
    pub text: String,
}

/// One stored version of a rule.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleVersionView {
    pub rule_id: String,
    pub version: i64,
    pub text: String,
    pub enabled: bool,
    /// `saved`, `enabled` or `disabled`.
    pub change: String,
    /// The username who made it.
    pub actor: String,
    pub created_at: String,
}

impl From<StoredRule> for RuleVersionView {
    fn from(r: StoredRule) -> Self {
        RuleVersionView {
            rule_id: r.rule_id,
            version: r.version,
            text: r.source,
            enabled: r.enabled,
            change: r.change,
            actor: r.actor,
            created_at: r.created_at,
        }
    }
}

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

/// A parse or type error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RuleErrorView {
    /// 1-based line and column in the text.
    pub line: u32,
    pub column: u32,
    pub message: String,
    /// How to fix it (may be empty).
    pub hint: String,
    /// The rule the error is in, when known.
    pub rule: Option<String>,
}

impl From<RuleError> for RuleErrorView {
    fn from(e: RuleError) -> Self {
        RuleErrorView { line: e.line, column: e.column, message: e.message, hint: e.hint, rule: e.rule }
    }
}

/// A rule of a checked text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckedRule {
    pub id: String,
    pub name: String,
    pub category: &'static str,
    pub action: &'static str,
    pub weight: f64,
    /// Whether a rule with this id is in force already (built-in or
    /// stored): saving makes a new version of it.
    pub exists: bool,
}

/// What checking a text found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckAnswer {
    /// No errors (and at least one rule).
    pub ok: bool,
    /// Every error, in text order.
    pub errors: Vec<RuleErrorView>,
    /// The rules the text defines (when it has no errors).
    pub rules: Vec<CheckedRule>,
}

/// A back-test's answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BacktestAnswer {
    /// The window counted (`YYYY-MM-DD`, inclusive), as asked.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The ids of the rules tested.
    pub rule_ids: Vec<String>,
    /// What the tested rules flag: counts per rule, post and week, and how
    /// many flagged crossings were later confirmed (adjudicated hits
    /// confirmed, referrals to protection, cases).
    #[schema(value_type = Object)]
    pub report: BacktestReport,
    /// Crossings the rules in force (other than the tested ids) send to
    /// secondary inspection over the window: today's work.
    pub in_force_secondary: u64,
    /// Crossings the tested rules would send to secondary inspection that
    /// the rules in force do not already send: the work they add.
    pub added_secondary: u64,
    /// Seconds the evaluation took.
    pub seconds: f64,
}

fn too_long(text: &str) -> Result<(), ApiError> {
    if text.len() > MAX_TEXT {
        return Err(ApiError::invalid_field(format!("text: at most {MAX_TEXT} bytes")));
    }
    Ok(())
}

/// Compiles a text, or `invalid_rule` naming the first error.
fn compile(text: &str) -> Result<RuleSet, ApiError> {
    too_long(text)?;
    match RuleSet::compile(&[RuleSource { origin: "text", text }]) {
        Ok(set) if set.is_empty() => {
            Err(ApiError::new(ErrorCode::InvalidRule, "1:1: the text defines no rule (write: rule ID \"name\" { … })"))
        }
        Ok(set) => Ok(set),
        Err(errors) => {
            let first = errors.first().map_or_else(String::new, ToString::to_string);
            Err(ApiError::new(ErrorCode::InvalidRule, format!("{first} ({} error(s) in all)", errors.len())))
        }
    }
}

/// The stored rules' current versions and the rules in force built from them.
async fn in_force(app: &AppState) -> Result<(Vec<StoredRule>, RuleSet), ApiError> {
    let stored = app.store().rules().await?;
    let (set, skipped) = centinela_rules::in_force(stored.iter().map(|r| StoredRuleRef {
        rule_id: &r.rule_id,
        version: r.version,
        source: &r.source,
        enabled: r.enabled,
    }));
    for id in skipped {
        tracing::warn!(rule = %id, "a stored rule no longer parses or compiles; skipped");
    }
    Ok((stored, set))
}

/// The rules in force as the API shows them.
pub async fn rules_in_force(app: &AppState) -> Result<Vec<RuleView>, ApiError> {
    let (stored, set) = in_force(app).await?;
    let by_id: HashMap<&str, &StoredRule> = stored.iter().map(|r| (r.rule_id.as_str(), r)).collect();
    Ok(set
        .rules()
        .map(|m| {
            let s = by_id.get(m.id.as_str());
            RuleView {
                id: m.id.clone(),
                name: m.name.clone(),
                category: m.category.as_str(),
                weight: m.weight,
                action: m.action.as_str(),
                source: m.source.clone(),
                version: s.map_or(m.version, |s| s.version),
                author: s.map_or_else(|| m.author.clone(), |s| s.actor.clone()),
                enabled: m.enabled,
                origin: if s.is_some() { "stored" } else { "builtin" },
                updated_at: s.map(|s| s.created_at.clone()),
                text: s.map_or_else(|| m.text.clone(), |s| s.source.clone()),
            }
        })
        .collect())
}

/// The rules in force: the catalogue with the stored rules over it.
#[utoipa::path(get, path = "/api/rules", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The rules in force, catalogue order then stored ones", body = [RuleView]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn list(State(app): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<RuleView>>, ApiError> {
    Ok(Json(rules_in_force(&app).await?))
}

/// Every stored version of a rule, oldest first (empty for a built-in
/// rule never changed).
#[utoipa::path(get, path = "/api/rules/{id}/versions", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The rule's id")),
    responses(
        (status = 200, description = "The versions", body = [RuleVersionView]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn versions(
    State(app): State<AppState>,
    _user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Vec<RuleVersionView>>, ApiError> {
    let versions = app.store().rule_versions(&id).await?;
    if versions.is_empty() && !RuleSet::builtin().rules().any(|m| m.id == id) {
        return Err(ApiError::not_found(format!("no rule {id}")));
    }
    Ok(Json(versions.into_iter().map(RuleVersionView::from).collect()))
}

/// Checks a text: every parse and type error with its line, column and
/// hint. A text with errors is an answer (`ok` false), not an error.
#[utoipa::path(post, path = "/api/rules/check", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    request_body = RuleText,
    responses(
        (status = 200, description = "The errors, or the rules the text defines", body = CheckAnswer),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 422, description = "The text is too long (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn check(
    State(app): State<AppState>,
    _user: CurrentUser,
    Json(req): Json<RuleText>,
) -> Result<Json<CheckAnswer>, ApiError> {
    too_long(&req.text)?;
    let answer = match RuleSet::compile(&[RuleSource { origin: "text", text: &req.text }]) {
        Ok(set) if set.is_empty() => CheckAnswer {
            ok: false,
            errors: vec![RuleErrorView {
                line: 1,
                column: 1,
                message: "the text defines no rule".into(),
                hint: "write: rule ID \"name\" { category … action … when … }".into(),
                rule: None,
            }],
            rules: Vec::new(),
        },
        Ok(set) => {
            let (_, current) = in_force(&app).await?;
            let known: HashSet<&str> = current.rules().map(|m| m.id.as_str()).collect();
            let rules = set
                .rules()
                .map(|m| CheckedRule {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    category: m.category.as_str(),
                    action: m.action.as_str(),
                    weight: m.weight,
                    exists: known.contains(m.id.as_str()),
                })
                .collect();
            CheckAnswer { ok: true, errors: Vec::new(), rules }
        }
        Err(errors) => {
            CheckAnswer { ok: false, errors: errors.into_iter().map(RuleErrorView::from).collect(), rules: Vec::new() }
        }
    };
    Ok(Json(answer))
}

/// Saves every rule of a text as a new version (audited), then reloads the
/// rules in memory. A text with errors is refused whole.
#[utoipa::path(post, path = "/api/rules", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    request_body = SaveRules,
    responses(
        (status = 201, description = "The versions stored", body = [RuleVersionView]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 422, description = "The text has errors (`invalid_rule`) or is too long (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn save(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<SaveRules>,
) -> Result<(StatusCode, Json<Vec<RuleVersionView>>), ApiError> {
    let set = compile(&req.text)?;
    let (_, current) = in_force(&app).await?;
    let state: HashMap<&str, bool> = current.rules().map(|m| (m.id.as_str(), m.enabled)).collect();
    let mut saved = Vec::new();
    for m in set.rules() {
        let enabled = req.enabled.unwrap_or_else(|| state.get(m.id.as_str()).copied().unwrap_or(false));
        let v = app.store().save_rule(&user.username, &m.id, &m.text, enabled).await?;
        saved.push(RuleVersionView::from(v));
    }
    reload(&app).await?;
    Ok((StatusCode::CREATED, Json(saved)))
}

async fn set_enabled(app: &AppState, username: &str, id: &str, enabled: bool) -> Result<RuleVersionView, ApiError> {
    let stored = app.store().rule_versions(id).await?;
    let v = if stored.is_empty() {
        // A built-in rule: its text is stored first, with the new state.
        let builtin = RuleSet::builtin();
        let Some(m) = builtin.rules().find(|m| m.id == id) else {
            return Err(ApiError::not_found(format!("no rule {id}")));
        };
        app.store().save_rule(username, id, &m.text, enabled).await?
    } else {
        app.store().set_rule_enabled(username, id, enabled).await?
    };
    reload(app).await?;
    Ok(v.into())
}

/// The rules (and lists) in memory, reloaded so booths use the change.
async fn reload(app: &AppState) -> Result<(), ApiError> {
    app.inspections().reload(app.store()).await?;
    Ok(())
}

/// Enables a rule: a new version (audited `rule_enabled`), in force at
/// once. A built-in rule is stored first.
#[utoipa::path(post, path = "/api/rules/{id}/enable", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The rule's id")),
    responses(
        (status = 200, description = "The rule's current version", body = RuleVersionView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn enable(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RuleVersionView>, ApiError> {
    Ok(Json(set_enabled(&app, &user.username, &id, true).await?))
}

/// Disables a rule: a new version (audited `rule_disabled`); it no longer
/// fires at the booths.
#[utoipa::path(post, path = "/api/rules/{id}/disable", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The rule's id")),
    responses(
        (status = 200, description = "The rule's current version", body = RuleVersionView),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 404, description = "No such rule", body = ErrorBody),
    ))]
pub async fn disable(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<RuleVersionView>, ApiError> {
    Ok(Json(set_enabled(&app, &user.username, &id, false).await?))
}

fn day(s: &str, field: &str) -> Result<Timestamp, ApiError> {
    let s = s.trim();
    let ok = s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok();
    ok.then(|| Timestamp::parse(&format!("{s}T00:00:00Z")).ok())
        .flatten()
        .ok_or_else(|| ApiError::invalid_field(format!("{field}: '{s}' is not a date (YYYY-MM-DD)")))
}

/// The rules of `set` forced enabled (a back-test asks what they would flag).
fn enabled_copy(text: &str) -> RuleSet {
    let mut set = RuleSet::default();
    for mut ast in parse_file(text).unwrap_or_default() {
        ast.items.retain(|(k, ..)| k != "enabled");
        ast.items.push(("enabled".into(), ItemValue::Bool(true), Default::default()));
        let _ = set.add(&ast, "backtest");
    }
    set
}

/// Back-tests a text over the stored crossings: what its rules would have
/// flagged (each forced enabled), per post and week, how many of those
/// were later confirmed, and the secondary-inspection work they add to the
/// rules in force. Reads every crossing: audited (counts only).
#[utoipa::path(post, path = "/api/rules/backtest", tag = "rules", security(("bearer" = []), ("cookie" = [])),
    request_body = BacktestRequest,
    responses(
        (status = 200, description = "The back-test", body = BacktestAnswer),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
        (status = 422, description = "The text has errors (`invalid_rule`), or a bad date (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn backtest(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<BacktestRequest>,
) -> Result<Json<BacktestAnswer>, ApiError> {
    let checked = compile(&req.text)?;
    let from = req.from.as_deref().filter(|s| !s.trim().is_empty()).map(|s| day(s, "from")).transpose()?;
    let to = req.to.as_deref().filter(|s| !s.trim().is_empty()).map(|s| day(s, "to")).transpose()?;
    let to_excl = to
        .map(|t| Timestamp::from_unix_seconds(t.unix_seconds() + 86_400))
        .transpose()
        .map_err(|_| ApiError::invalid_field("to: out of range"))?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(ApiError::invalid_field("from: after to"));
    }
    let ids: Vec<String> = checked.rules().map(|m| m.id.clone()).collect();
    let candidate = enabled_copy(&req.text);
    let (_, current) = in_force(&app).await?;
    let others: String = current
        .rules()
        .filter(|m| m.enabled && !ids.contains(&m.id))
        .map(|m| m.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let baseline = RuleSet::compile(&[RuleSource { origin: "in force", text: &others }])
        .map_err(|e| ApiError::internal(&format!("rules in force do not compile again: {} error(s)", e.len())))?;

    let _turn = BACKTESTS.acquire().await.map_err(|e| ApiError::internal(&e))?;
    let to_text = to_excl.map(|t| t.to_string());
    let data = app.analytics().backtest_data(to_text.as_deref()).await?;
    let answer = tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let input = BacktestInput {
            crossings: &data.crossings,
            relations: &data.relations,
            hits: &data.hits,
            confirmed: &data.confirmed,
            referred: &data.referred,
            in_case: &data.in_case,
            from,
            to: to_excl,
        };
        let flags = evaluate_history(&candidate, &input);
        let rep = report(&candidate, &input, &flags);
        let base = evaluate_history(&baseline, &input);
        let sends =
            |set: &RuleSet| -> Vec<bool> { set.rules().map(|m| m.action == Action::SecondaryInspection).collect() };
        let (base_sends, cand_sends) = (sends(&baseline), sends(&candidate));
        let secondary = |s: &[bool], f: &[u32]| f.iter().any(|&k| s.get(k as usize).copied().unwrap_or(false));
        let (mut in_force_secondary, mut added_secondary) = (0u64, 0u64);
        for (i, c) in data.crossings.iter().enumerate() {
            if from.is_some_and(|f| c.crossed_at < f) || to_excl.is_some_and(|t| c.crossed_at >= t) {
                continue;
            }
            let b = base.get(i).is_some_and(|f| secondary(&base_sends, f));
            let n = flags.get(i).is_some_and(|f| secondary(&cand_sends, f));
            in_force_secondary += u64::from(b);
            added_secondary += u64::from(n && !b);
        }
        (rep, in_force_secondary, added_secondary, started.elapsed().as_secs_f64())
    })
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let (report, in_force_secondary, added_secondary, seconds) = answer;
    app.audit(
        &user,
        "rules_backtested",
        "rules",
        json!({ "rules": ids, "from": req.from, "to": req.to, "crossings": report.crossings, "flagged": report.flagged }),
    )
    .await?;
    Ok(Json(BacktestAnswer {
        from: from.map(|t| t.date()),
        to: to.map(|t| t.date()),
        rule_ids: ids,
        report,
        in_force_secondary,
        added_secondary,
        seconds,
    }))
}
