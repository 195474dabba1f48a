//! The auditor's reads of the audit chain: pages in chain order (the API's
//! `/api/audit`), the log newest first with filters and user names (the
//! auditor's page), a bounded CSV export, and the chain's verification.
//! Each read is itself audited before it answers.

use centinela_store::{AuditRow, AuditSearch};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, User};

/// The most entries one page holds.
pub const MAX_PAGE: u32 = 1000;

/// The most entries one export holds; a wider export is cut there and says
/// so (narrow the filters or the dates).
pub const MAX_EXPORT: u32 = 10_000;

/// The longest filter value accepted (a username, an action, a subject).
pub const MAX_FILTER: usize = 200;

/// One entry of the chain, its actor's username beside its audit code.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339 UTC.
    pub at: String,
    /// `user:<id>`, `anonymous`, `cli`, `system` or `post:<code>`.
    pub actor: String,
    /// The username of a `user:<id>` actor (absent for the others, or a
    /// user no longer stored).
    pub actor_name: Option<String>,
    pub action: String,
    pub subject: String,
    /// JSON text of codes, counts and ids.
    pub detail: String,
    /// SHA-256, hex.
    pub prev_hash: String,
    pub hash: String,
}

/// What the auditor asks for: every filter optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// A username, or an actor's audit code (`system`, `cli`, `anonymous`,
    /// `post:GTM-X`, `user:7`).
    pub user: Option<String>,
    /// An action code.
    pub action: Option<String>,
    /// A subject, or its start (`crossing:`).
    pub subject: Option<String>,
    /// From this instant (inclusive).
    pub from: Option<jiff::Timestamp>,
    /// Until this instant (exclusive).
    pub to: Option<jiff::Timestamp>,
}

/// A page of the log, newest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditLogPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before` for the next (older) page; absent on the last.
    pub next_before: Option<i64>,
}

/// A page of the chain in its order, oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditChainPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<i64>,
}

/// An export: CSV text and whether it was cut at [`MAX_EXPORT`].
#[derive(Debug, Clone)]
pub struct AuditExport {
    pub csv: String,
    pub rows: usize,
    pub truncated: bool,
}

/// The verdict on the chain.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    /// Whether every entry's hash and link are intact.
    pub intact: bool,
    /// Entries checked (when intact).
    pub entries: Option<u64>,
    /// The first broken entry's sequence number.
    pub broken_seq: Option<i64>,
    /// Why it is broken.
    pub reason: Option<String>,
    /// The first entry sealed with the audit key (a keyed MAC that
    /// catches an entry rewritten with its hashes recomputed); the entries
    /// before it were written before the key existed and are only
    /// hash-chained. `null` while the log is not sealed. Given whether the
    /// chain is intact or not.
    pub sealed_from: Option<i64>,
}

/// Times as the store holds them: RFC 3339 UTC with seconds.
fn stored_time(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn bounded(field: &str, v: &Option<String>) -> Result<Option<String>, AppError> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > MAX_FILTER => {
            Err(AppError::Invalid(format!("{field}: at most {MAX_FILTER} characters")))
        }
        Some(s) => {
            centinela_domain::check_line(s, MAX_FILTER).map_err(|e| AppError::Invalid(format!("{field}: {e}")))?;
            Ok(Some(s.to_string()))
        }
    }
}

impl App {
    /// The store's search for `f`: a username becomes its actor code (an
    /// unknown username matches nothing).
    async fn audit_search_for(&self, f: &AuditFilter) -> Result<Option<AuditSearch>, AppError> {
        if let (Some(from), Some(to)) = (f.from, f.to)
            && from >= to
        {
            return Err(AppError::Invalid("from: after to".into()));
        }
        // A user's entries are under `user:<id>`, their adjudications and
        // decisions under their username.
        let (actor, actor_alias) = match bounded("user", &f.user)? {
            None => (None, None),
            Some(u) if u.contains(':') || matches!(u.as_str(), "system" | "cli" | "anonymous") => (Some(u), None),
            Some(u) => match self.store().user_by_username(&u).await? {
                Some(user) => (Some(format!("user:{}", user.id)), Some(user.username)),
                None => return Ok(None),
            },
        };
        Ok(Some(AuditSearch {
            actor,
            actor_alias,
            action: bounded("action", &f.action)?,
            subject: bounded("subject", &f.subject)?,
            from: f.from.map(stored_time),
            to: f.to.map(stored_time),
            before: None,
        }))
    }

    /// The usernames of the `user:<id>` actors among `rows`.
    async fn with_names(&self, rows: Vec<AuditRow>) -> Result<Vec<AuditEntry>, AppError> {
        let users =
            if rows.iter().any(|r| r.actor.starts_with("user:")) { self.store().users().await? } else { vec![] };
        let name = |actor: &str| {
            let id: i64 = actor.strip_prefix("user:")?.parse().ok()?;
            users.iter().find(|u| u.id == id).map(|u| u.username.clone())
        };
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                actor_name: name(&r.actor),
                seq: r.seq,
                at: r.at,
                actor: r.actor,
                action: r.action,
                subject: r.subject,
                detail: r.detail,
                prev_hash: r.prev_hash,
                hash: r.hash,
            })
            .collect())
    }

    /// The log newest first, filtered, `limit` entries (1 to [`MAX_PAGE`])
    /// before entry `before`. Audited `audit_viewed` with the filters.
    pub async fn audit_log(
        &self,
        user: &User,
        f: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditLogPage, AppError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = match self.audit_search_for(f).await? {
            Some(q) => self.store().audit_search(&AuditSearch { before, ..q }, limit).await?,
            None => vec![],
        };
        let next_before = if rows.len() == limit as usize { rows.last().map(|r| r.seq) } else { None };
        let detail = json!({
            "before": before, "count": rows.len(), "user": f.user, "action": f.action,
            "subject": f.subject, "from": f.from.map(stored_time), "to": f.to.map(stored_time),
        });
        self.audit(crate::Caller::User(user), "audit_viewed", "audit_log", detail).await?;
        Ok(AuditLogPage { entries: self.with_names(rows).await?, next_before })
    }

    /// The chain in its order from entry `after`, `limit` entries (1 to
    /// [`MAX_PAGE`]). Audited `audit_viewed`.
    pub async fn audit_chain(&self, user: &User, after: i64, limit: u32) -> Result<AuditChainPage, AppError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = self.store().audit_page(after, limit).await?;
        let next_after = if rows.len() == limit as usize { rows.last().map(|r| r.seq) } else { None };
        self.audit(
            crate::Caller::User(user),
            "audit_viewed",
            "audit_log",
            json!({ "after": after, "count": rows.len() }),
        )
        .await?;
        Ok(AuditChainPage { entries: self.with_names(rows).await?, next_after })
    }

    /// The filtered log newest first as CSV (`seq,at,actor,user,action,
    /// subject,detail,hash`), at most [`MAX_EXPORT`] entries. Audited
    /// `audit_exported` with the filters and the count.
    pub async fn audit_export(&self, user: &User, f: &AuditFilter) -> Result<AuditExport, AppError> {
        let mut rows = match self.audit_search_for(f).await? {
            Some(q) => self.store().audit_search(&q, MAX_EXPORT + 1).await?,
            None => vec![],
        };
        let truncated = rows.len() > MAX_EXPORT as usize;
        rows.truncate(MAX_EXPORT as usize);
        let detail = json!({
            "count": rows.len(), "truncated": truncated, "user": f.user, "action": f.action,
            "subject": f.subject, "from": f.from.map(stored_time), "to": f.to.map(stored_time),
        });
        self.audit(crate::Caller::User(user), "audit_exported", "audit_log", detail).await?;
        let entries = self.with_names(rows).await?;
        let mut csv =
            centinela_domain::csv::line(&["seq", "at", "actor", "user", "action", "subject", "detail", "hash"]);
        csv.push_str("\r\n");
        for e in &entries {
            let seq = e.seq.to_string();
            csv.push_str(&centinela_domain::csv::line(&[
                seq.as_str(),
                e.at.as_str(),
                e.actor.as_str(),
                e.actor_name.as_deref().unwrap_or(""),
                e.action.as_str(),
                e.subject.as_str(),
                e.detail.as_str(),
                e.hash.as_str(),
            ]));
            csv.push_str("\r\n");
        }
        Ok(AuditExport { csv, rows: entries.len(), truncated })
    }

    /// Recomputes every hash and link of the chain. Audited
    /// `audit_verified`.
    pub async fn audit_verify(&self, user: &User) -> Result<AuditVerification, AppError> {
        let v = match self.store().audit_verify_report().await? {
            Ok(v) => AuditVerification {
                intact: true,
                entries: Some(v.entries),
                broken_seq: None,
                reason: None,
                sealed_from: v.sealed_from,
            },
            Err(b) => AuditVerification {
                intact: false,
                entries: None,
                broken_seq: Some(b.seq),
                reason: Some(b.reason.to_string()),
                sealed_from: self.store().audit_seal().await?.map(|s| s.start_seq),
            },
        };
        self.audit(
            crate::Caller::User(user),
            "audit_verified",
            "audit_log",
            json!({ "intact": v.intact, "entries": v.entries, "broken_seq": v.broken_seq }),
        )
        .await?;
        Ok(v)
    }
}
