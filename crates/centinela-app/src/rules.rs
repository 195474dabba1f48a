//! Risk rules (`centinela-rules`): the rules in force (the built-in
//! catalogue of INDICATORS.md with the stored rules over it) and every
//! stored version; checking a text (every error with line, column and
//! hint, for the editor's live errors); saving, enabling and disabling
//! (each a new version with its audit entry in the same transaction, then
//! the rules in memory reloaded); back-testing a text over the stored
//! history. The API, the web and the CLI use these.
//!
//! A bad rule text is never a fault: checking answers its errors, saving
//! and back-testing refuse it with [`AppError::InvalidRule`]. Evaluation is
//! total and linear in the rules' size (the language has no loops; history
//! questions look at a bounded number of earlier crossings); back-tests run
//! one at a time, off the async runtime.

use std::collections::{HashMap, HashSet};

use centinela_domain::Timestamp;
use centinela_rules::backtest::{BacktestReport, evaluate_history, report};
use centinela_rules::syntax::ItemValue;
use centinela_rules::{Action, BacktestInput, RuleError, RuleSet, RuleSource, StoredRuleRef, parse_file};
use centinela_store::{BacktestData, StoredRule};
use serde::Serialize;
use serde_json::json;
use tokio::sync::Semaphore;

use crate::{App, AppError, Caller, User};

/// The longest rule text accepted (bytes).
pub const MAX_TEXT: usize = 64 * 1024;

/// One back-test at a time: the others wait their turn.
static BACKTESTS: Semaphore = Semaphore::const_new(1);

/// A rule in force.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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

/// A parse or type error.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckAnswer {
    /// No errors (and at least one rule).
    pub ok: bool,
    /// Every error, in text order.
    pub errors: Vec<RuleErrorView>,
    /// The rules the text defines (when it has no errors).
    pub rules: Vec<CheckedRule>,
}

/// A back-test's answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BacktestAnswer {
    /// The window counted (`YYYY-MM-DD`, inclusive), as asked.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The ids of the rules tested.
    pub rule_ids: Vec<String>,
    /// What the tested rules flag: counts per rule, post and week, and how
    /// many flagged crossings were later confirmed (adjudicated hits
    /// confirmed, referrals to protection, cases).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
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

fn too_long(text: &str) -> Result<(), AppError> {
    if text.len() > MAX_TEXT {
        return Err(AppError::Invalid(format!("text: at most {MAX_TEXT} bytes")));
    }
    Ok(())
}

/// Compiles a text, or `InvalidRule` naming the first error.
pub fn compile(text: &str) -> Result<RuleSet, AppError> {
    too_long(text)?;
    match RuleSet::compile(&[RuleSource { origin: "text", text }]) {
        Ok(set) if set.is_empty() => {
            Err(AppError::InvalidRule("1:1: the text defines no rule (write: rule ID \"name\" { … })".into()))
        }
        Ok(set) => Ok(set),
        Err(errors) => {
            let first = errors.first().map_or_else(String::new, ToString::to_string);
            Err(AppError::InvalidRule(format!("{first} ({} error(s) in all)", errors.len())))
        }
    }
}

fn day(s: &str, field: &str) -> Result<Timestamp, AppError> {
    let s = s.trim();
    let ok = s.len() == 10 && s.parse::<jiff::civil::Date>().is_ok();
    ok.then(|| Timestamp::parse(&format!("{s}T00:00:00Z")).ok())
        .flatten()
        .ok_or_else(|| AppError::Invalid(format!("{field}: '{s}' is not a date (YYYY-MM-DD)")))
}

/// The rules of `text` forced enabled (a back-test asks what they would flag).
fn enabled_copy(text: &str) -> RuleSet {
    let mut set = RuleSet::default();
    for mut ast in parse_file(text).unwrap_or_default() {
        ast.items.retain(|(k, ..)| k != "enabled");
        ast.items.push(("enabled".into(), ItemValue::Bool(true), Default::default()));
        let _ = set.add(&ast, "backtest");
    }
    set
}

impl App {
    /// The stored rules' current versions and the rules in force built
    /// from them (a stored rule that no longer compiles is skipped, with a
    /// warning in the log).
    pub async fn rules_in_force(&self) -> Result<(Vec<StoredRule>, RuleSet), AppError> {
        let stored = self.store().rules().await?;
        let set = in_force(&stored);
        Ok((stored, set))
    }

    /// The rules in force as users see them: catalogue order, then stored ones.
    pub async fn rules(&self) -> Result<Vec<RuleView>, AppError> {
        let (stored, set) = self.rules_in_force().await?;
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

    /// Every stored version of a rule, oldest first (empty for a built-in
    /// rule never changed; `NotFound` for no rule at all).
    pub async fn rule_versions(&self, id: &str) -> Result<Vec<RuleVersionView>, AppError> {
        let versions = self.store().rule_versions(id).await?;
        if versions.is_empty() && !RuleSet::builtin().rules().any(|m| m.id == id) {
            return Err(AppError::NotFound(format!("no rule {id}")));
        }
        Ok(versions.into_iter().map(RuleVersionView::from).collect())
    }

    /// Checks a text: every parse and type error with its line, column and
    /// hint. A text with errors is an answer (`ok` false), not an error.
    pub async fn check_rules(&self, text: &str) -> Result<CheckAnswer, AppError> {
        too_long(text)?;
        Ok(match RuleSet::compile(&[RuleSource { origin: "text", text }]) {
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
                let (_, current) = self.rules_in_force().await?;
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
            Err(errors) => CheckAnswer {
                ok: false,
                errors: errors.into_iter().map(RuleErrorView::from).collect(),
                rules: Vec::new(),
            },
        })
    }

    /// Saves every rule of a text as a new version (audited by the store),
    /// then reloads the rules in memory. A text with errors is refused
    /// whole. Without `enabled`, a new version of an existing rule keeps
    /// that rule's state and a new rule is stored disabled.
    pub async fn save_rules(
        &self,
        user: &User,
        text: &str,
        enabled: Option<bool>,
    ) -> Result<Vec<RuleVersionView>, AppError> {
        let set = compile(text)?;
        let (_, current) = self.rules_in_force().await?;
        let state: HashMap<&str, bool> = current.rules().map(|m| (m.id.as_str(), m.enabled)).collect();
        let mut saved = Vec::new();
        for m in set.rules() {
            let enabled = enabled.unwrap_or_else(|| state.get(m.id.as_str()).copied().unwrap_or(false));
            let v = self.store().save_rule(&user.username, &m.id, &m.text, enabled).await?;
            saved.push(RuleVersionView::from(v));
        }
        self.reload_lists(None).await?;
        Ok(saved)
    }

    /// Enables or disables a rule as a new version (audited by the store as
    /// `rule_enabled` / `rule_disabled`). A built-in rule never stored is
    /// stored first, with the new state. A server then reloads its rules
    /// ([`App::reload_lists`]).
    pub async fn set_rule_enabled(&self, author: &str, id: &str, enabled: bool) -> Result<StoredRule, AppError> {
        let stored = self.store().rule_versions(id).await?;
        if stored.is_empty() {
            let builtin = RuleSet::builtin();
            let Some(m) = builtin.rules().find(|m| m.id == id) else {
                return Err(AppError::NotFound(format!("no rule {id}")));
            };
            Ok(self.store().save_rule(author, id, &m.text, enabled).await?)
        } else {
            Ok(self.store().set_rule_enabled(author, id, enabled).await?)
        }
    }

    /// [`App::set_rule_enabled`] for a user of a server: the rules in
    /// memory are reloaded so that booths use the change at once.
    pub async fn toggle_rule(&self, user: &User, id: &str, enabled: bool) -> Result<RuleVersionView, AppError> {
        let v = self.set_rule_enabled(&user.username, id, enabled).await?;
        self.reload_lists(None).await?;
        Ok(v.into())
    }

    /// Back-tests a text over the stored crossings between `from` and `to`
    /// (`YYYY-MM-DD`, inclusive): what its rules would have flagged (each
    /// forced enabled), per post and week, how many of those were later
    /// confirmed, and the secondary-inspection work they add to the rules
    /// in force. Reads every crossing: audited (counts only).
    pub async fn backtest(
        &self,
        user: &User,
        text: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<BacktestAnswer, AppError> {
        let checked = compile(text)?;
        let from_day = from.filter(|s| !s.trim().is_empty()).map(|s| day(s, "from")).transpose()?;
        let to_day = to.filter(|s| !s.trim().is_empty()).map(|s| day(s, "to")).transpose()?;
        let to_excl = to_day
            .map(|t| Timestamp::from_unix_seconds(t.unix_seconds() + 86_400))
            .transpose()
            .map_err(|_| AppError::Invalid("to: out of range".into()))?;
        if let (Some(f), Some(t)) = (from_day, to_day)
            && f > t
        {
            return Err(AppError::Invalid("from: after to".into()));
        }
        let ids: Vec<String> = checked.rules().map(|m| m.id.clone()).collect();
        let candidate = enabled_copy(text);
        let (_, current) = self.rules_in_force().await?;
        let others: String = current
            .rules()
            .filter(|m| m.enabled && !ids.contains(&m.id))
            .map(|m| m.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let baseline = RuleSet::compile(&[RuleSource { origin: "in force", text: &others }])
            .map_err(|e| AppError::Internal(format!("rules in force do not compile again: {} error(s)", e.len())))?;

        let _turn = BACKTESTS.acquire().await.map_err(AppError::internal)?;
        let to_text = to_excl.map(|t| t.to_string());
        let data = self.analytics().backtest_data(to_text.as_deref()).await?;
        let (report, in_force_secondary, added_secondary, seconds) = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let input = backtest_input(&data, from_day, to_excl);
            let flags = evaluate_history(&candidate, &input);
            let rep = report(&candidate, &input, &flags);
            let base = evaluate_history(&baseline, &input);
            let sends =
                |set: &RuleSet| -> Vec<bool> { set.rules().map(|m| m.action == Action::SecondaryInspection).collect() };
            let (base_sends, cand_sends) = (sends(&baseline), sends(&candidate));
            let secondary = |s: &[bool], f: &[u32]| f.iter().any(|&k| s.get(k as usize).copied().unwrap_or(false));
            let (mut in_force_secondary, mut added_secondary) = (0u64, 0u64);
            for (i, c) in data.crossings.iter().enumerate() {
                if from_day.is_some_and(|f| c.crossed_at < f) || to_excl.is_some_and(|t| c.crossed_at >= t) {
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
        .map_err(AppError::internal)?;
        self.audit(
            Caller::User(user),
            "rules_backtested",
            "rules",
            json!({ "rules": ids, "from": from, "to": to, "crossings": report.crossings, "flagged": report.flagged }),
        )
        .await?;
        Ok(BacktestAnswer {
            from: from_day.map(|t| t.date()),
            to: to_day.map(|t| t.date()),
            rule_ids: ids,
            report,
            in_force_secondary,
            added_secondary,
            seconds,
        })
    }
}

/// The rules in force over `stored`.
pub fn in_force(stored: &[StoredRule]) -> RuleSet {
    let (set, skipped) = centinela_rules::in_force(stored.iter().map(|r| StoredRuleRef {
        rule_id: &r.rule_id,
        version: r.version,
        source: &r.source,
        enabled: r.enabled,
    }));
    for id in skipped {
        tracing::warn!(rule = %id, "a stored rule no longer parses or compiles; skipped");
    }
    set
}

/// A back-test's input over the stored history read by
/// [`centinela_store::Store::backtest_data`], between `from` (inclusive)
/// and `to` (exclusive).
pub fn backtest_input(data: &BacktestData, from: Option<Timestamp>, to: Option<Timestamp>) -> BacktestInput<'_> {
    BacktestInput {
        crossings: &data.crossings,
        relations: &data.relations,
        hits: &data.hits,
        confirmed: &data.confirmed,
        referred: &data.referred,
        in_case: &data.in_case,
        from,
        to,
    }
}
