//! Risk rules with versions (migration 0005). Saving, enabling and
//! disabling a rule each append a version and, in the same transaction,
//! an audit entry (`rule_saved`, `rule_enabled`, `rule_disabled`; subject
//! the rule id; detail the version). The text is kept as written: the
//! caller (binary, server) checks it with `centinela-rules` first.

use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Store, StoreError, now_rfc3339, on_pool};

/// One version of a rule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredRule {
    pub rule_id: String,
    pub version: i64,
    /// The rule's text in the rule language.
    pub source: String,
    pub enabled: bool,
    /// `saved`, `enabled` or `disabled`.
    pub change: String,
    /// Who made this version.
    pub actor: String,
    pub created_at: String,
}

/// What an alert-list hit of a crossing became, for back-testing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossingOutcome {
    pub crossing_id: String,
    /// At least one hit's latest adjudication is `confirmed`.
    pub confirmed: bool,
}

/// What became of a crossing after the booth, for back-testing: referred
/// to protection, joined to a trafficking case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossingFollowUp {
    pub crossing_id: String,
    /// At least one referral of the crossing to the protection unit.
    pub referred: bool,
    /// The crossing is part of a trafficking case.
    pub in_case: bool,
}

/// The stored history a back-test runs over: every crossing before a time
/// (in time order) with, per crossing, its party relation, whether it had
/// an alert-list hit, a confirmed hit, a referral to protection, a case.
#[derive(Debug, Clone, Default)]
pub struct BacktestData {
    pub crossings: Vec<centinela_domain::CrossingRecord>,
    pub relations: Vec<String>,
    pub hits: Vec<bool>,
    pub confirmed: Vec<bool>,
    pub referred: Vec<bool>,
    pub in_case: Vec<bool>,
}

const RULE_COLUMNS: &str = "rule_id, version, source, enabled, change, actor, created_at";

fn rule_from<R>(row: &R) -> Result<StoredRule, StoreError>
where
    R: Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    i64: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    bool: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    String: for<'r> sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(StoredRule {
        rule_id: row.try_get("rule_id")?,
        version: row.try_get("version")?,
        source: row.try_get("source")?,
        enabled: row.try_get("enabled")?,
        change: row.try_get("change")?,
        actor: row.try_get("actor")?,
        created_at: row.try_get("created_at")?,
    })
}

/// Checks a rule id: 1 to 64 ASCII letters, digits or `_`.
pub fn check_rule_id(id: &str) -> Result<(), StoreError> {
    if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(StoreError::Invalid(format!("'{id}' is not a rule id: 1 to 64 letters, digits or '_'")));
    }
    Ok(())
}

impl Store {
    /// Appends a version of rule `rule_id` with `source` and `enabled`
    /// (`change`: `saved`), with its audit entry `rule_saved`. Saving the
    /// same text and state as the current version changes nothing and
    /// returns that version.
    pub async fn save_rule(
        &self,
        actor: &str,
        rule_id: &str,
        source: &str,
        enabled: bool,
    ) -> Result<StoredRule, StoreError> {
        check_rule_id(rule_id)?;
        self.append_rule(actor, rule_id, Some(source), enabled, "saved").await
    }

    /// Enables or disables the current version of a rule: a new version
    /// with the same text (`change`: `enabled`/`disabled`) and the audit
    /// entry `rule_enabled`/`rule_disabled`. Unchanged if already so.
    pub async fn set_rule_enabled(&self, actor: &str, rule_id: &str, enabled: bool) -> Result<StoredRule, StoreError> {
        let change = if enabled { "enabled" } else { "disabled" };
        self.append_rule(actor, rule_id, None, enabled, change).await
    }

    async fn append_rule(
        &self,
        actor: &str,
        rule_id: &str,
        source: Option<&str>,
        enabled: bool,
        change: &str,
    ) -> Result<StoredRule, StoreError> {
        let backend = self.backend();
        let now = now_rfc3339();
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {RULE_COLUMNS} FROM rules WHERE rule_id = $1 ORDER BY version DESC LIMIT 1"
        ));
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let current = match sqlx::query(sql).bind(rule_id).fetch_optional(&mut *tx).await? {
                Some(row) => Some(rule_from(&row)?),
                None => None,
            };
            let source = match (source, &current) {
                (Some(s), _) => s.to_string(),
                (None, Some(c)) => c.source.clone(),
                (None, None) => return Err(StoreError::NotFound(format!("rule {rule_id}"))),
            };
            if let Some(c) = &current
                && c.source == source
                && c.enabled == enabled
            {
                return Ok(c.clone());
            }
            let version = current.as_ref().map_or(1, |c| c.version + 1);
            sqlx::query(
                "INSERT INTO rules (rule_id, version, source, enabled, change, actor, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(rule_id)
            .bind(version)
            .bind(&source)
            .bind(enabled)
            .bind(change)
            .bind(actor)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "version": version, "enabled": enabled }).to_string();
            append_in_tx!(tx, self, actor, format!("rule_{change}"), rule_id, &detail).await?;
            tx.commit().await?;
            Ok(StoredRule {
                rule_id: rule_id.to_string(),
                version,
                source,
                enabled,
                change: change.to_string(),
                actor: actor.to_string(),
                created_at: now,
            })
        })
    }

    /// The current version of every stored rule, by rule id.
    pub async fn rules(&self) -> Result<Vec<StoredRule>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {RULE_COLUMNS} FROM rules r WHERE version = \
             (SELECT MAX(version) FROM rules v WHERE v.rule_id = r.rule_id) ORDER BY rule_id"
        ));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).fetch_all(p).await?;
            rows.iter().map(rule_from).collect()
        })
    }

    /// Every version of one rule, oldest first.
    pub async fn rule_versions(&self, rule_id: &str) -> Result<Vec<StoredRule>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {RULE_COLUMNS} FROM rules WHERE rule_id = $1 ORDER BY version"));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).bind(rule_id).fetch_all(p).await?;
            rows.iter().map(rule_from).collect()
        })
    }

    /// Every crossing with an alert-list hit, and whether one of its hits
    /// stands confirmed (its latest adjudication), for back-testing.
    pub async fn crossing_outcomes(&self) -> Result<Vec<CrossingOutcome>, StoreError> {
        let rows: Vec<(String, i64)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT h.crossing_id, CAST(MAX(CASE WHEN a.decision = 'confirmed' THEN 1 ELSE 0 END) AS BIGINT) \
                 FROM hits h LEFT JOIN adjudications a ON a.hit_id = h.id AND a.id = \
                 (SELECT MAX(b.id) FROM adjudications b WHERE b.hit_id = h.id) \
                 GROUP BY h.crossing_id ORDER BY h.crossing_id",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows.into_iter().map(|(crossing_id, c)| CrossingOutcome { crossing_id, confirmed: c > 0 }).collect())
    }

    /// Every crossing referred to protection or joined to a case, for
    /// back-testing (the later confirmation besides adjudicated hits).
    pub async fn crossing_follow_ups(&self) -> Result<Vec<CrossingFollowUp>, StoreError> {
        let rows: Vec<(String, i64, i64)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT crossing_id, CAST(MAX(referred) AS BIGINT), CAST(MAX(in_case) AS BIGINT) FROM ( \
                 SELECT crossing_id, 1 AS referred, 0 AS in_case FROM referrals WHERE unit = 'protection' \
                 UNION ALL SELECT crossing_id, 0 AS referred, 1 AS in_case FROM case_crossings) x \
                 GROUP BY crossing_id ORDER BY crossing_id",
            )
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(crossing_id, r, c)| CrossingFollowUp { crossing_id, referred: r > 0, in_case: c > 0 })
            .collect())
    }

    /// The crossings before `to` (RFC 3339, exclusive; all when `None`)
    /// and what became of each: what [`Store::crossing_outcomes`] and
    /// [`Store::crossing_follow_ups`] say, aligned with the crossings.
    pub async fn backtest_data(&self, to: Option<&str>) -> Result<BacktestData, StoreError> {
        let stored = self.crossings_between(None, to, None).await?;
        let outcomes = self.crossing_outcomes().await?;
        let follow_ups = self.crossing_follow_ups().await?;
        let n = stored.len();
        let index: std::collections::HashMap<&str, usize> =
            stored.iter().enumerate().map(|(i, c)| (c.record.crossing_id.as_str(), i)).collect();
        let mut d = BacktestData {
            hits: vec![false; n],
            confirmed: vec![false; n],
            referred: vec![false; n],
            in_case: vec![false; n],
            ..BacktestData::default()
        };
        for o in &outcomes {
            if let Some(&i) = index.get(o.crossing_id.as_str()) {
                d.hits[i] = true;
                d.confirmed[i] = o.confirmed;
            }
        }
        for f in &follow_ups {
            if let Some(&i) = index.get(f.crossing_id.as_str()) {
                d.referred[i] = f.referred;
                d.in_case[i] = f.in_case;
            }
        }
        drop(index);
        d.relations = stored.iter().map(|c| c.relation.clone()).collect();
        d.crossings = stored.into_iter().map(|c| c.record).collect();
        Ok(d)
    }
}
