//! Reading and verifying the audit chain (auditors; verification also
//! admins). Reading or verifying it is itself audited.

use centinela_store::AuditRow;
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User};

/// The most entries one page holds.
pub const MAX_PAGE: u32 = 1000;

/// One entry of the chain as stored.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

impl From<AuditRow> for AuditEntryView {
    fn from(r: AuditRow) -> Self {
        AuditEntryView {
            seq: r.seq,
            at: r.at,
            actor: r.actor,
            action: r.action,
            subject: r.subject,
            detail: r.detail,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
}

/// A page of entries and where the next one starts (`None`: the end).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    pub next_after: Option<i64>,
}

/// Whether the chain is whole, and else where it breaks.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    pub intact: bool,
    pub entries: Option<u64>,
    pub broken_seq: Option<i64>,
    pub reason: Option<String>,
    /// The first entry sealed with the key; before it, entries are hashed.
    pub sealed_from: Option<i64>,
}

impl App {
    /// The entries after `after`, oldest first, at most `limit` (1 to
    /// [`MAX_PAGE`]). Audited.
    pub async fn audit_page(&self, user: &User, after: i64, limit: u32) -> Result<AuditPage, AppError> {
        let limit = limit.clamp(1, MAX_PAGE);
        let rows = self.store().audit_page(after, limit).await?;
        let full = rows.len() == limit as usize;
        let next_after = if full { rows.last().map(|r| r.seq) } else { None };
        self.audit(Caller::User(user), "audit_viewed", "audit_log", json!({ "after": after, "count": rows.len() }))
            .await?;
        Ok(AuditPage { entries: rows.into_iter().map(AuditEntryView::from).collect(), next_after })
    }

    /// Verifies the whole chain (a broken chain is an answer, not an
    /// error). Audited.
    pub async fn verify_audit(&self, user: &User) -> Result<AuditVerification, AppError> {
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
        let detail = json!({ "intact": v.intact, "entries": v.entries, "broken_seq": v.broken_seq });
        self.audit(Caller::User(user), "audit_verified", "audit_log", detail).await?;
        Ok(v)
    }
}
