//! The protection unit's work: the queue of referrals from the booths, the
//! answer to each (accept — opening or joining a case — or decline, with a
//! reason), trafficking cases aligned with HTCDS 2.0 (read, new versions,
//! shares) and their export in the standard's shapes, the same from the
//! API, the web and the command line.
//!
//! Cases are the protection role's. A user of another role sees a case
//! only while it is shared with them (read only); any other case is
//! answered "not found", so its existence does not leak. Every read and
//! every write is in the audit chain (the store audits its writes in their
//! transactions; the reads are audited here).

use centinela_domain::Role;
use centinela_domain::htcds::{self, Case, CaseError, CaseRecord, ExportCase};
use centinela_store::{Actor, Answer, CaseSummary, CaseVersion, Referral, ReferralAnswer, StoredCase};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::{App, AppError, Caller, User};

/// A case's versions and comments as its page shows them
/// ([`App::case_history`]).
#[derive(Debug, Clone, Serialize)]
pub struct CaseHistory {
    /// Newest first.
    pub versions: Vec<VersionView>,
    /// Oldest first, as the record holds them.
    pub comments: Vec<CommentView>,
}

/// One version: who wrote it, when, and what changed from the one before.
#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub version: i64,
    pub status: String,
    pub at: String,
    /// The writer's username.
    pub user: String,
    pub changes: Vec<htcds::diff::FieldChange>,
    pub comments_added: usize,
}

/// A comment with its author and time.
#[derive(Debug, Clone, Serialize)]
pub struct CommentView {
    pub text: String,
    pub user: String,
    pub at: String,
}

/// The most referrals or cases one list answers.
pub const MAX_LIST: u32 = 1000;

/// The longest reason an answer to a referral may give.
const MAX_REASON: usize = 2000;

/// A case record refused: a value outside an HTCDS list is
/// [`AppError::InvalidPicklist`], anything else [`AppError::Invalid`]; the
/// message names the HTCDS field (`record.<section>.<field>`).
pub fn case_error(e: CaseError) -> AppError {
    match e {
        CaseError::Picklist { .. } => AppError::InvalidPicklist(format!("record.{e}")),
        _ => AppError::Invalid(format!("record.{e}")),
    }
}

/// The store's actor for the protection unit's writes: their audit entries
/// name `user:<id>`.
fn case_actor<'a>(user: &'a User, name: &'a str) -> Actor<'a> {
    Actor { user_id: user.id, username: name, role: user.role }
}

/// A referral to protection as the protection officer reviews it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub indicators: serde_json::Value,
    pub post: String,
    pub crossed_at: String,
    pub given_names: String,
    pub surnames: String,
    pub birth_date: String,
    pub nationality: String,
    pub sex: String,
    /// The answer in force; absent while the referral waits.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
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

/// The protection officer's answer to a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum AnswerKind {
    Accept,
    Decline,
}

/// A case written: its id and the version now in force.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseWritten {
    pub id: i64,
    pub version: i64,
}

impl App {
    /// Referrals to protection, newest first (`waiting`: only those not yet
    /// answered), at most `limit` (capped at [`MAX_LIST`]). Audited.
    pub async fn referrals(&self, user: &User, waiting: bool, limit: u32) -> Result<Vec<ReferralView>, AppError> {
        let list = self.store().referrals(waiting, u64::from(limit.min(MAX_LIST))).await?;
        self.audit(
            Caller::User(user),
            "referrals_viewed",
            "referrals",
            json!({ "count": list.len(), "waiting": waiting }),
        )
        .await?;
        Ok(list.into_iter().map(ReferralView::from).collect())
    }

    /// One referral with its indicators and answer. Audited.
    pub async fn referral(&self, user: &User, id: i64) -> Result<ReferralView, AppError> {
        let r = self.store().referral(id).await?.ok_or_else(|| AppError::NotFound("no such referral".into()))?;
        self.audit(Caller::User(user), "referral_viewed", format!("referral:{id}"), json!({})).await?;
        Ok(r.into())
    }

    /// Accepts (opening a case, or joining the open case `case_id`) or
    /// declines a referral, with a reason. A declined referral may be
    /// accepted later; an accepted one stays accepted (conflict).
    pub async fn answer_referral(
        &self,
        user: &User,
        id: i64,
        kind: AnswerKind,
        reason: &str,
        case_id: Option<i64>,
    ) -> Result<ReferralAnswer, AppError> {
        if reason.trim().is_empty() {
            return Err(AppError::Invalid("reason: an answer needs a reason".into()));
        }
        if reason.chars().count() > MAX_REASON {
            return Err(AppError::Invalid(format!("reason: at most {MAX_REASON} characters")));
        }
        let answer = match kind {
            AnswerKind::Accept => Answer::Accept(case_id),
            AnswerKind::Decline if case_id.is_some() => {
                return Err(AppError::Invalid("case_id: only an acceptance joins a case".into()));
            }
            AnswerKind::Decline => Answer::Decline,
        };
        Ok(self.store().answer_referral(case_actor(user, &user.actor()), &user.username, id, answer, reason).await?)
    }

    /// Cases, newest first, at most `limit`: every case for the protection
    /// unit; for anyone else, only the cases shared with them. Audited.
    pub async fn cases(&self, user: &User, limit: u32) -> Result<Vec<CaseSummary>, AppError> {
        let only = (user.role != Role::Protection).then_some(user.id);
        let list = self.store().cases(only, u64::from(limit.min(MAX_LIST))).await?;
        self.audit(Caller::User(user), "cases_viewed", "cases", json!({ "count": list.len() })).await?;
        Ok(list)
    }

    /// The case if `user` may read it: the protection unit, or a share.
    async fn visible_case(&self, user: &User, id: i64) -> Result<StoredCase, AppError> {
        let missing = || AppError::NotFound("no such case".into());
        if user.role != Role::Protection && !self.store().case_shared_with(id, user.id).await? {
            return Err(missing());
        }
        self.store().case(id).await?.ok_or_else(missing)
    }

    /// A case as it stands: the HTCDS record of its latest version, the
    /// crossings and referrals it holds, who it is shared with. Audited.
    pub async fn case(&self, user: &User, id: i64) -> Result<StoredCase, AppError> {
        let c = self.visible_case(user, id).await?;
        self.audit(Caller::User(user), "case_viewed", format!("case:{id}"), json!({ "version": c.version })).await?;
        Ok(c)
    }

    /// Every version of a case, oldest first: nothing is ever overwritten.
    /// Audited.
    pub async fn case_versions(&self, user: &User, id: i64) -> Result<Vec<CaseVersion>, AppError> {
        self.visible_case(user, id).await?;
        let v = self.store().case_versions(id).await?;
        self.audit(Caller::User(user), "case_versions_viewed", format!("case:{id}"), json!({ "versions": v.len() }))
            .await?;
        Ok(v)
    }

    /// A case's history as its page shows it: each version (newest first)
    /// with who wrote it and which fields changed, and each comment with who
    /// added it and when (the version that first holds it). Read with
    /// [`App::case_versions`], so audited as that read.
    pub async fn case_history(&self, user: &User, id: i64) -> Result<CaseHistory, AppError> {
        let versions = self.case_versions(user, id).await?;
        let mut names: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        for v in &versions {
            if let std::collections::hash_map::Entry::Vacant(e) = names.entry(v.user_id) {
                let user = self.store().user_by_id(v.user_id).await?;
                e.insert(user.map_or_else(|| format!("#{}", v.user_id), |u| u.username));
            }
        }
        let author = |v: &CaseVersion| names.get(&v.user_id).cloned().unwrap_or_default();
        let empty = CaseRecord::default();
        let mut out = Vec::with_capacity(versions.len());
        for (i, v) in versions.iter().enumerate() {
            let before = if i == 0 { &empty } else { &versions[i - 1].record };
            let added = v.record.comments.len().saturating_sub(before.comments.len());
            out.push(VersionView {
                version: v.version,
                status: v.status.clone(),
                at: v.at.clone(),
                user: author(v),
                changes: htcds::diff::changes(before, &v.record),
                comments_added: added,
            });
        }
        out.reverse();
        let comments = versions.last().map_or_else(Vec::new, |last| {
            last.record
                .comments
                .iter()
                .enumerate()
                .map(|(i, text)| {
                    let first = versions.iter().find(|v| v.record.comments.len() > i);
                    CommentView {
                        text: text.clone(),
                        user: first.map(author).unwrap_or_default(),
                        at: first.map(|v| v.at.clone()).unwrap_or_default(),
                    }
                })
                .collect()
        });
        Ok(CaseHistory { versions: out, comments })
    }

    /// Opens a case without a referral (a victim identified elsewhere),
    /// holding `crossings` (at most [`htcds::MAX_ENTRIES`]).
    pub async fn create_case(
        &self,
        user: &User,
        record: CaseRecord,
        crossings: &[String],
    ) -> Result<CaseWritten, AppError> {
        let case = Case::parse(record).map_err(case_error)?;
        if crossings.len() > htcds::MAX_ENTRIES {
            return Err(AppError::Invalid(format!("crossings: at most {}", htcds::MAX_ENTRIES)));
        }
        let crossings: Vec<&str> = crossings.iter().map(String::as_str).collect();
        let id = self.store().create_case(case_actor(user, &user.actor()), &case, &crossings).await?;
        Ok(CaseWritten { id, version: 1 })
    }

    /// Writes a new version of a case made on `base_version`; a stale base
    /// (someone changed the case since it was read) is a conflict.
    pub async fn update_case(
        &self,
        user: &User,
        id: i64,
        base_version: i64,
        record: CaseRecord,
    ) -> Result<CaseWritten, AppError> {
        let case = Case::parse(record).map_err(case_error)?;
        let version = self.store().update_case(case_actor(user, &user.actor()), id, base_version, &case).await?;
        Ok(CaseWritten { id, version })
    }

    /// Shares a case with a user (read only), or ends the share.
    pub async fn share_case(&self, user: &User, id: i64, with: i64, active: bool) -> Result<(), AppError> {
        self.store().share_case(case_actor(user, &user.actor()), id, with, active).await?;
        Ok(())
    }
}

/// The CSV tables of an export, in order.
pub const TABLES: [&str; 6] = ["cases", "organisations", "perpetrators", "events", "support_plans", "comments"];

/// Every case as it stands when the export was asked for.
pub struct CaseExport {
    cases: Vec<StoredCase>,
    codes: htcds::CountryCodes,
}

impl CaseExport {
    /// Country codes written as `codes` says (alpha-3 unless asked).
    pub fn with_country_codes(mut self, codes: htcds::CountryCodes) -> Self {
        self.codes = codes;
        self
    }

    pub fn len(&self) -> usize {
        self.cases.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    fn rows(&self) -> Vec<ExportCase<'_>> {
        self.cases
            .iter()
            .map(|c| ExportCase {
                case_id: c.id,
                version: c.version,
                opened_at: &c.opened_at,
                updated_at: &c.updated_at,
                record: &c.record,
            })
            .collect()
    }

    /// An array of `{case_id, version, opened_at, updated_at, record}`
    /// (the DEPRECATED fields never in it).
    pub fn json(&self, pretty: bool) -> Result<String, AppError> {
        let records: Vec<CaseRecord> = self.cases.iter().map(|c| c.record.with_country_codes(self.codes)).collect();
        let mut rows = self.rows();
        for (row, record) in rows.iter_mut().zip(&records) {
            row.record = record;
        }
        let out = if pretty { serde_json::to_string_pretty(&rows) } else { serde_json::to_string(&rows) };
        out.map_err(AppError::internal)
    }

    /// Every table as CSV by name, written by the one CSV writer (CRLF
    /// line ends, formulas defused; a byte-order mark first when `bom`,
    /// for spreadsheets).
    pub fn csv_tables(&self, bom: bool) -> Vec<(String, String)> {
        htcds::export_rows_with(&self.rows(), self.codes)
            .into_iter()
            .map(|(name, header, data)| {
                let mut out = centinela_domain::csv::Table::with_bom(&header, bom);
                for r in &data {
                    out.row(r);
                }
                (name.to_string(), out.finish())
            })
            .collect()
    }
}

impl App {
    /// Reads every case for an export, audited as `cases_exported` with the
    /// count and `detail` (format, table, destination: never content).
    pub async fn export_cases(&self, caller: Caller<'_>, detail: serde_json::Value) -> Result<CaseExport, AppError> {
        let cases = self.store().all_cases().await?;
        let mut d = serde_json::json!({ "cases": cases.len() });
        if let (Some(d), serde_json::Value::Object(extra)) = (d.as_object_mut(), detail) {
            d.extend(extra);
        }
        self.audit(caller, "cases_exported", "cases", d).await?;
        Ok(CaseExport { cases, codes: htcds::CountryCodes::default() })
    }
}
