//! The centre's side of synchronisation: a border post, known by its key,
//! pushes its queued records and pulls the alert-list changes since the
//! versions it holds. (The post's side is `centinela-sync`'s cycle.)
//!
//! A push is applied by the store in one transaction, in order, ignoring
//! records already received; a record it refuses is named (its seq and
//! kind) and nothing of the batch is kept. A pull that carries list
//! entries, clearances or trust anchors is audited as the post's
//! (`post:CODE`): lists name people, clearances their documents, and the
//! anchors are what the post is given to trust.

use centinela_store::{PostKey, PullAnswer, PullRequest, PushBatch, PushOutcome};
use serde_json::json;

use crate::{App, AppError};

/// A border post whose key the centre accepts.
#[derive(Debug, Clone)]
pub struct SyncPost {
    pub code: String,
}

/// Why a post key is refused.
#[derive(Debug)]
pub enum KeyRefused {
    /// No post has this key.
    Unknown,
    /// The centre revoked this post's key.
    Revoked,
}

impl App {
    /// The post a key (as the post sent it) belongs to, or why not.
    pub async fn sync_post(&self, key: &str) -> Result<Result<SyncPost, KeyRefused>, AppError> {
        Ok(match self.store().post_key(key).await? {
            PostKey::Valid(code) => Ok(SyncPost { code }),
            PostKey::Revoked(code) => {
                tracing::warn!(post = %code, "a revoked post key was refused");
                Err(KeyRefused::Revoked)
            }
            PostKey::Unknown => Err(KeyRefused::Unknown),
        })
    }

    /// Stores a batch pushed by `post`; everything up to the answer's
    /// `acked_seq` is then at the centre. A refused record is
    /// [`AppError::Invalid`] naming its seq and kind.
    pub async fn accept_push(&self, post: &SyncPost, batch: &PushBatch) -> Result<PushOutcome, AppError> {
        match self.store().apply_push(&post.code, batch).await? {
            Ok(outcome) => {
                tracing::info!(
                    post = %post.code,
                    applied = outcome.applied,
                    duplicates = outcome.duplicates,
                    acked_seq = outcome.acked_seq,
                    "sync push applied"
                );
                // The post's lookout hits: their issuers, here, are told.
                if !outcome.lookout_hits.is_empty() {
                    let hits = self.store().lookout_hits_by_id(&outcome.lookout_hits).await?;
                    self.tell_lookout_hits(hits);
                }
                Ok(outcome)
            }
            Err(refused) => {
                tracing::warn!(post = %post.code, seq = refused.seq, kind = refused.kind, "sync push refused");
                Err(AppError::Invalid(refused.to_string()))
            }
        }
    }

    /// The posts and, for each list, what changed since the version the
    /// post holds. Audited when it carries entries.
    pub async fn answer_pull(&self, post: &SyncPost, req: &PullRequest) -> Result<PullAnswer, AppError> {
        if req.protocol != centinela_store::PROTOCOL {
            return Err(AppError::Invalid(format!("protocol: {} is not {}", req.protocol, centinela_store::PROTOCOL)));
        }
        let lists = self.store().list_deltas(&req.lists).await?;
        if !lists.is_empty() {
            let detail = json!({
                "lists": lists.iter().map(|d| json!({
                    "list": d.name, "from": d.from_version, "version": d.version, "full": d.full,
                    "added": d.entries_added.len() + d.documents_added.len(),
                    "removed": d.entries_removed.len() + d.documents_removed.len(),
                })).collect::<Vec<_>>(),
            });
            self.audit_as(&format!("post:{}", post.code), "sync_lists_pulled", &post.code, detail).await?;
        }
        let clearances = self
            .store()
            .clearances_since(
                &post.code,
                req.clearances_after.max(0),
                req.revocations_after.max(0),
                req.clearance_documents_after.max(0),
            )
            .await?;
        if !clearances.clearances.is_empty() || !clearances.revocations.is_empty() || !clearances.documents.is_empty() {
            // Clearances name travellers' documents: what each post received.
            let detail = json!({
                "clearances": clearances.clearances.len(),
                "revocations": clearances.revocations.len(),
                "documents": clearances.documents.len(),
                "clearances_to": clearances.clearances_to,
                "revocations_to": clearances.revocations_to,
                "documents_to": clearances.documents_to,
            });
            self.audit_as(&format!("post:{}", post.code), "sync_clearances_pulled", &post.code, detail).await?;
        }
        // The chip's trust anchors (public certificates and CRLs): audited
        // all the same, so that what each post was given to trust is known.
        let pki = self.store().pki_since(req.pki_after.max(0)).await?;
        if !pki.versions.is_empty() {
            let detail = json!({
                "versions": pki.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
                "anchors": pki.versions.iter().map(|v| v.anchors.len()).sum::<usize>(),
                "to": pki.to,
            });
            self.audit_as(&format!("post:{}", post.code), "sync_pki_pulled", &post.code, detail).await?;
        }
        let posts = self.store().post_infos().await?;
        // The freshness of every list the post holds or is sent, so that
        // its warning follows the centre's last refresh from the source.
        let names: std::collections::HashSet<&str> =
            req.lists.keys().map(String::as_str).chain(lists.iter().map(|d| d.name.as_str())).collect();
        let freshness = self.store().list_freshness(&names).await?;
        // The notices' thumbnails (images of listed persons): bounded per
        // pull, and audited with what each post received (no names).
        let images = self.store().list_images_since(req.images_after.max(0)).await?;
        if !images.images.is_empty() {
            let detail = json!({
                "images": images.images.iter().filter(|i| !i.mime.is_empty()).count(),
                "removed": images.images.iter().filter(|i| i.mime.is_empty()).count(),
                "to": images.images.iter().map(|i| i.seq).max(),
                "more": images.more,
            });
            self.audit_as(&format!("post:{}", post.code), "sync_list_images_pulled", &post.code, detail).await?;
        }
        Ok(PullAnswer { protocol: centinela_store::PROTOCOL, posts, lists, clearances, pki, freshness, images })
    }
}
