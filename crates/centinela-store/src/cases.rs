//! Protection referrals and trafficking cases (HTCDS 2.0).
//!
//! A referral to protection (made by [`Store::decide`]) keeps the
//! indicators that triggered it. A protection officer answers it —
//! accepted or declined, with a reason — as a new row; accepting opens a
//! case (or joins an open one). A case is a header and its versions: every
//! change is a new version with the whole record (never an overwrite), and
//! a writer must name the version it changed, so two people cannot
//! silently overwrite each other. Shares give named users read access.
//! Every write here appends its audit entry in the same transaction; the
//! caller audits reads (the server does, per request).

use centinela_domain::htcds::{Case, CaseRecord, ReferralFacts, is_open_status, opening_record};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{append_in_tx, append_many_in_tx, begin_write};
use crate::crossings::Actor;
use crate::{AuditEntry, Store, StoreError, now_rfc3339, on_pool};

/// A referral to the protection unit, with the traveller as registered and
/// the answer in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Referral {
    pub id: i64,
    pub crossing_id: String,
    pub reason: String,
    /// The officer who referred.
    pub user_id: i64,
    pub at: String,
    /// What triggered it: `{"flags":[{code,kind,reason}],"hits":[{list,list_kind,entry_id,score}]}`.
    pub indicators: serde_json::Value,
    pub post: String,
    pub crossed_at: String,
    pub given_names: String,
    pub surnames: String,
    pub birth_date: String,
    pub nationality: String,
    pub sex: String,
    /// The latest answer; `None` while the referral waits.
    pub answer: Option<ReferralAnswer>,
}

impl Referral {
    /// The indicator codes: flags' codes, then `list:<name>` per hit.
    pub fn indicator_codes(&self) -> Vec<String> {
        indicator_codes(&self.indicators)
    }
}

fn indicator_codes(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in v["flags"].as_array().into_iter().flatten() {
        if let Some(c) = f["code"].as_str() {
            out.push(c.to_string());
        }
    }
    for h in v["hits"].as_array().into_iter().flatten() {
        if let Some(l) = h["list"].as_str() {
            out.push(format!("list:{l}"));
        }
    }
    out.dedup();
    out
}

/// A protection officer's answer to a referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferralAnswer {
    pub id: i64,
    /// `accepted` or `declined`.
    pub answer: String,
    pub reason: String,
    /// The case the referral opened or joined (accepted only).
    pub case_id: Option<i64>,
    pub user_id: i64,
    pub at: String,
}

/// How to answer a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Accept: open a new case (`None`) or join this open case.
    Accept(Option<i64>),
    Decline,
}

/// A case in a list: its latest version's status and the person's names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    pub id: i64,
    pub version: i64,
    pub status: String,
    pub opened_at: String,
    pub updated_at: String,
    pub first_name: String,
    pub second_name: String,
    pub trafficking_status: String,
    pub owner: String,
}

/// A case as it stands, with what it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredCase {
    pub id: i64,
    pub opened_by: i64,
    pub opened_at: String,
    pub version: i64,
    pub status: String,
    /// Who wrote the version in force, and when.
    pub updated_by: i64,
    pub updated_at: String,
    pub record: CaseRecord,
    /// The crossings it holds (kept from the retention purge while open).
    pub crossings: Vec<String>,
    /// The referrals it came from.
    pub referrals: Vec<i64>,
    /// Users (ids) it is shared with now.
    pub shared_with: Vec<i64>,
}

/// One version of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseVersion {
    pub version: i64,
    pub status: String,
    pub user_id: i64,
    pub at: String,
    pub record: CaseRecord,
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

pub(crate) fn record_from(text: &str) -> Result<CaseRecord, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt("case_versions.record", e))
}

fn record_text(case: &Case) -> Result<String, StoreError> {
    serde_json::to_string(case.record()).map_err(|e| corrupt("case record", e))
}

const REFERRAL_SQL: &str = "SELECT r.id, r.crossing_id, r.reason, r.user_id, r.at, r.indicators, c.post, \
     c.crossed_at, c.given_names, c.surnames, c.birth_date, c.nationality, c.sex \
     FROM referrals r JOIN crossings c ON c.crossing_id = r.crossing_id \
     WHERE r.unit = 'protection' AND ($1 = 0 OR r.id = $1) \
     AND ($2 = 0 OR NOT EXISTS (SELECT 1 FROM referral_answers a WHERE a.referral_id = r.id)) \
     ORDER BY r.id DESC LIMIT $3";

type AnswerRow = (i64, String, String, Option<i64>, i64, String);

/// The latest share row of (case, user) is active.
const SHARED: &str = "EXISTS (SELECT 1 FROM case_shares s WHERE s.case_id = k.id AND s.user_id = $1 AND s.active \
     AND s.id = (SELECT MAX(s2.id) FROM case_shares s2 WHERE s2.case_id = k.id AND s2.user_id = $1))";

impl Store {
    /// Referrals to protection, newest first: only those not yet answered
    /// when `waiting`; at most `limit`.
    pub async fn referrals(&self, waiting: bool, limit: u64) -> Result<Vec<Referral>, StoreError> {
        self.query_referrals(0, waiting, limit).await
    }

    /// One referral to protection.
    pub async fn referral(&self, id: i64) -> Result<Option<Referral>, StoreError> {
        if id <= 0 {
            return Ok(None);
        }
        Ok(self.query_referrals(id, false, 1).await?.pop())
    }

    async fn query_referrals(&self, id: i64, waiting: bool, limit: u64) -> Result<Vec<Referral>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut out: Vec<Referral> = on_pool!(self, p => {
            let rows = sqlx::query(REFERRAL_SQL).bind(id).bind(i64::from(waiting)).bind(limit).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                let indicators: String = row.try_get("indicators")?;
                out.push(Referral {
                    id: row.try_get("id")?,
                    crossing_id: row.try_get("crossing_id")?,
                    reason: row.try_get("reason")?,
                    user_id: row.try_get("user_id")?,
                    at: row.try_get("at")?,
                    indicators: serde_json::from_str(&indicators).map_err(|e| corrupt("referrals.indicators", e))?,
                    post: row.try_get("post")?,
                    crossed_at: row.try_get("crossed_at")?,
                    given_names: row.try_get("given_names")?,
                    surnames: row.try_get("surnames")?,
                    birth_date: row.try_get("birth_date")?,
                    nationality: row.try_get("nationality")?,
                    sex: row.try_get("sex")?,
                    answer: None,
                });
            }
            out
        });
        for r in &mut out {
            r.answer = self.referral_answers(r.id).await?.pop();
        }
        Ok(out)
    }

    /// Every answer to a referral, oldest first (the last stands).
    pub async fn referral_answers(&self, referral_id: i64) -> Result<Vec<ReferralAnswer>, StoreError> {
        let rows: Vec<AnswerRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, answer, reason, case_id, user_id, at FROM referral_answers WHERE referral_id = $1 ORDER BY id",
            )
            .bind(referral_id)
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, answer, reason, case_id, user_id, at)| ReferralAnswer {
                id,
                answer,
                reason,
                case_id,
                user_id,
                at,
            })
            .collect())
    }

    /// Answers a referral to protection, with a reason (required). A
    /// referral once accepted stays accepted ([`StoreError::Conflict`]); a
    /// declined one may be accepted later. Accepting opens a case from the
    /// crossing ([`opening_record`]) or joins the open case `Accept(Some(id))`.
    /// One transaction, audited (`referral_answered`, and `case_opened`).
    /// `owner` becomes a new case's `cas_CaseOwner` (the officer's name).
    pub async fn answer_referral(
        &self,
        actor: Actor<'_>,
        owner: &str,
        referral_id: i64,
        answer: Answer,
        reason: &str,
    ) -> Result<ReferralAnswer, StoreError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid("an answer to a referral needs a reason".into()));
        }
        let referral =
            self.referral(referral_id).await?.ok_or_else(|| StoreError::NotFound(format!("referral {referral_id}")))?;
        let crossing = self
            .crossing(&referral.crossing_id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("referral {referral_id}: crossing missing")))?;
        let now = now_rfc3339();
        let codes = referral.indicator_codes();
        let opening = opening_record(&ReferralFacts {
            crossing: &crossing.record,
            post: &referral.post,
            referred_on: referral.at.get(..10).unwrap_or(""),
            reason: &referral.reason,
            indicators: &codes,
            owner,
        });
        let opening_text = record_text(&opening)?;
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let accepted: Option<Option<i64>> = sqlx::query_scalar(
                "SELECT case_id FROM referral_answers WHERE referral_id = $1 AND answer = 'accepted' LIMIT 1",
            )
            .bind(referral_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(case) = accepted {
                return Err(StoreError::Conflict(format!(
                    "referral {referral_id} was already accepted (case {})",
                    case.unwrap_or(0)
                )));
            }
            let mut audit = Vec::new();
            let case_id = match answer {
                Answer::Decline => None,
                Answer::Accept(Some(case_id)) => {
                    let status: Option<String> = sqlx::query_scalar(
                        "SELECT status FROM case_versions WHERE case_id = $1 ORDER BY version DESC LIMIT 1",
                    )
                    .bind(case_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    match status {
                        None => return Err(StoreError::NotFound(format!("case {case_id}"))),
                        Some(s) if !is_open_status(&s) => {
                            return Err(StoreError::Conflict(format!("case {case_id} is closed ({s})")));
                        }
                        Some(_) => {}
                    }
                    Some(case_id)
                }
                Answer::Accept(None) => {
                    let case_id: i64 =
                        sqlx::query_scalar("INSERT INTO cases (opened_by, opened_at) VALUES ($1, $2) RETURNING id")
                            .bind(actor.user_id)
                            .bind(&now)
                            .fetch_one(&mut *tx)
                            .await?;
                    sqlx::query(
                        "INSERT INTO case_versions (case_id, version, status, record, user_id, at) \
                         VALUES ($1, 1, $2, $3, $4, $5)",
                    )
                    .bind(case_id)
                    .bind(opening.status())
                    .bind(&opening_text)
                    .bind(actor.user_id)
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                    audit.push(AuditEntry {
                        actor: actor.username.to_string(),
                        action: "case_opened".into(),
                        subject: format!("case:{case_id}"),
                        detail: serde_json::json!({ "referral": referral_id, "version": 1 }).to_string(),
                    });
                    Some(case_id)
                }
            };
            if let Some(case_id) = case_id {
                sqlx::query(
                    "INSERT INTO case_crossings (case_id, crossing_id, referral_id, user_id, at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (case_id, crossing_id) DO NOTHING",
                )
                .bind(case_id)
                .bind(&referral.crossing_id)
                .bind(referral_id)
                .bind(actor.user_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            let word = if case_id.is_some() { "accepted" } else { "declined" };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO referral_answers (referral_id, answer, reason, case_id, user_id, at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(referral_id)
            .bind(word)
            .bind(reason)
            .bind(case_id)
            .bind(actor.user_id)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            audit.push(AuditEntry {
                actor: actor.username.to_string(),
                action: "referral_answered".into(),
                subject: format!("referral:{referral_id}"),
                detail: serde_json::json!({ "answer": word, "case": case_id }).to_string(),
            });
            append_many_in_tx!(tx, self, &audit).await?;
            tx.commit().await?;
            Ok(ReferralAnswer {
                id,
                answer: word.to_string(),
                reason: reason.to_string(),
                case_id,
                user_id: actor.user_id,
                at: now,
            })
        })
    }

    /// Opens a case without a referral (a victim identified elsewhere),
    /// holding `crossings` (each must exist). Audited.
    pub async fn create_case(&self, actor: Actor<'_>, case: &Case, crossings: &[&str]) -> Result<i64, StoreError> {
        let now = now_rfc3339();
        let text = record_text(case)?;
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let case_id: i64 =
                sqlx::query_scalar("INSERT INTO cases (opened_by, opened_at) VALUES ($1, $2) RETURNING id")
                    .bind(actor.user_id)
                    .bind(&now)
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO case_versions (case_id, version, status, record, user_id, at) VALUES ($1, 1, $2, $3, $4, $5)",
            )
            .bind(case_id)
            .bind(case.status())
            .bind(&text)
            .bind(actor.user_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            for c in crossings {
                let found: Option<i64> = sqlx::query_scalar("SELECT id FROM crossings WHERE crossing_id = $1")
                    .bind(*c)
                    .fetch_optional(&mut *tx)
                    .await?;
                if found.is_none() {
                    return Err(StoreError::NotFound(format!("crossing '{c}'")));
                }
                sqlx::query(
                    "INSERT INTO case_crossings (case_id, crossing_id, referral_id, user_id, at) \
                     VALUES ($1, $2, NULL, $3, $4) ON CONFLICT (case_id, crossing_id) DO NOTHING",
                )
                .bind(case_id)
                .bind(*c)
                .bind(actor.user_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
            let detail = serde_json::json!({ "version": 1, "crossings": crossings.len() }).to_string();
            append_in_tx!(tx, self, actor.username, "case_opened", format!("case:{case_id}"), &detail).await?;
            tx.commit().await?;
            Ok(case_id)
        })
    }

    /// Writes a new version of case `id` from `base_version`, the version
    /// the writer read. If another version was written since,
    /// [`StoreError::Stale`]: nothing is overwritten. Returns the new
    /// version number. Audited (`case_updated`, with the status).
    pub async fn update_case(
        &self,
        actor: Actor<'_>,
        id: i64,
        base_version: i64,
        case: &Case,
    ) -> Result<i64, StoreError> {
        let now = now_rfc3339();
        let text = record_text(case)?;
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let latest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM case_versions WHERE case_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            let Some(latest) = latest else {
                return Err(StoreError::NotFound(format!("case {id}")));
            };
            if latest != base_version {
                return Err(StoreError::Stale(format!(
                    "case {id} is at version {latest}, not {base_version}: read it again and redo the change"
                )));
            }
            let version = latest + 1;
            sqlx::query(
                "INSERT INTO case_versions (case_id, version, status, record, user_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(version)
            .bind(case.status())
            .bind(&text)
            .bind(actor.user_id)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "version": version, "status": case.status() }).to_string();
            append_in_tx!(tx, self, actor.username, "case_updated", format!("case:{id}"), &detail).await?;
            tx.commit().await?;
            Ok(version)
        })
    }

    /// Shares case `id` with user `user_id` (read access), or ends the
    /// share (`active` false). Audited.
    pub async fn share_case(&self, actor: Actor<'_>, id: i64, user_id: i64, active: bool) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let backend = self.backend();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let case: Option<i64> = sqlx::query_scalar("SELECT id FROM cases WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
            if case.is_none() {
                return Err(StoreError::NotFound(format!("case {id}")));
            }
            let user: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(&mut *tx)
                .await?;
            if user.is_none() {
                return Err(StoreError::NotFound(format!("user {user_id}")));
            }
            sqlx::query("INSERT INTO case_shares (case_id, user_id, active, granted_by, at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(user_id)
                .bind(active)
                .bind(actor.user_id)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            let detail = serde_json::json!({ "user": user_id, "active": active }).to_string();
            append_in_tx!(tx, self, actor.username, "case_shared", format!("case:{id}"), &detail).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Whether user `user_id` may read case `id` through a share (the
    /// protection unit reads every case; the caller checks the role).
    pub async fn case_shared_with(&self, id: i64, user_id: i64) -> Result<bool, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT k.id FROM cases k WHERE k.id = $2 AND {SHARED}"));
        let found: Option<i64> = on_pool!(self, p => {
            sqlx::query_scalar(sql).bind(user_id).bind(id).fetch_optional(p).await?
        });
        Ok(found.is_some())
    }

    /// Cases, newest first, at most `limit`: every case when `shared_with`
    /// is `None`, else only those shared with that user now.
    pub async fn cases(&self, shared_with: Option<i64>, limit: u64) -> Result<Vec<CaseSummary>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT k.id, k.opened_at, v.version, v.status, v.record, v.at FROM cases k \
             JOIN case_versions v ON v.case_id = k.id \
             AND v.version = (SELECT MAX(v2.version) FROM case_versions v2 WHERE v2.case_id = k.id) \
             WHERE ($1 = 0 OR {SHARED}) ORDER BY k.id DESC LIMIT $2"
        ));
        let rows: Vec<(i64, String, i64, String, String, String)> = on_pool!(self, p => {
            sqlx::query_as(sql).bind(shared_with.unwrap_or(0)).bind(limit).fetch_all(p).await?
        });
        rows.into_iter()
            .map(|(id, opened_at, version, status, record, at)| {
                let r = record_from(&record)?;
                Ok(CaseSummary {
                    id,
                    version,
                    status,
                    opened_at,
                    updated_at: at,
                    first_name: r.person.first_name,
                    second_name: r.person.second_name,
                    trafficking_status: r.victim.trafficking_status,
                    owner: r.case.case_owner,
                })
            })
            .collect()
    }

    /// One case as it stands (`None` also for a case purged by retention).
    pub async fn case(&self, id: i64) -> Result<Option<StoredCase>, StoreError> {
        let head: Option<(i64, String)> = on_pool!(self, p => {
            sqlx::query_as("SELECT opened_by, opened_at FROM cases WHERE id = $1").bind(id).fetch_optional(p).await?
        });
        let Some((opened_by, opened_at)) = head else {
            return Ok(None);
        };
        // A case without versions was purged by retention: only its header
        // (no personal data) remains.
        let Some(v) = self.case_versions(id).await?.pop() else {
            return Ok(None);
        };
        let crossings: Vec<String> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT crossing_id FROM case_crossings WHERE case_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(p)
                .await?
        });
        let referrals: Vec<i64> = on_pool!(self, p => {
            sqlx::query_scalar(
                "SELECT referral_id FROM referral_answers WHERE case_id = $1 AND answer = 'accepted' ORDER BY id",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        });
        let shares: Vec<(i64, bool)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT s.user_id, s.active FROM case_shares s WHERE s.case_id = $1 \
                 AND s.id = (SELECT MAX(s2.id) FROM case_shares s2 WHERE s2.case_id = s.case_id AND s2.user_id = s.user_id) \
                 ORDER BY s.user_id",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        });
        Ok(Some(StoredCase {
            id,
            opened_by,
            opened_at,
            version: v.version,
            status: v.status,
            updated_by: v.user_id,
            updated_at: v.at,
            record: v.record,
            crossings,
            referrals,
            shared_with: shares.into_iter().filter(|s| s.1).map(|s| s.0).collect(),
        }))
    }

    /// Every version of a case, oldest first (the last stands).
    pub async fn case_versions(&self, id: i64) -> Result<Vec<CaseVersion>, StoreError> {
        let rows: Vec<(i64, String, i64, String, String)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT version, status, user_id, at, record FROM case_versions WHERE case_id = $1 ORDER BY version",
            )
            .bind(id)
            .fetch_all(p)
            .await?
        });
        rows.into_iter()
            .map(|(version, status, user_id, at, record)| {
                Ok(CaseVersion { version, status, user_id, at, record: record_from(&record)? })
            })
            .collect()
    }

    /// Every case as it stands, oldest first (for the HTCDS export).
    pub async fn all_cases(&self) -> Result<Vec<StoredCase>, StoreError> {
        let ids: Vec<i64> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT id FROM cases ORDER BY id").fetch_all(p).await?
        });
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(c) = self.case(id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }
}
