//! Risk rules: the rules in force (the built-in catalogue with the stored
//! versions over it), enabling and disabling one, and the input of a
//! back-test over the stored history. The API, the web and the CLI use
//! these; a server reloads its screening index after a change
//! ([`App::reload_lists`]).

use centinela_domain::Timestamp;
use centinela_rules::{BacktestInput, RuleSet, StoredRuleRef};
use centinela_store::{BacktestData, StoredRule};

use crate::{App, AppError};

impl App {
    /// The stored rules' current versions and the rules in force built
    /// from them (a stored rule that no longer compiles is skipped, with a
    /// warning in the log).
    pub async fn rules_in_force(&self) -> Result<(Vec<StoredRule>, RuleSet), AppError> {
        let stored = self.store().rules().await?;
        let set = in_force(&stored);
        Ok((stored, set))
    }

    /// Enables or disables a rule as a new version (audited by the store as
    /// `rule_enabled` / `rule_disabled`). A built-in rule never stored is
    /// stored first, with the new state.
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
