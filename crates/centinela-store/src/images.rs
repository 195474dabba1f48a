//! Faces seen with a crossing (migration 0022): the chip's DG2 photo and
//! the booth camera's live capture, each stored once per crossing and kind
//! with its SHA-256, its audit entry (`crossing_image_stored`: kind, size,
//! hash — never the image) in the same transaction. Removed with the
//! crossing by the retention purge. Reading one is audited by the caller.

use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Store, StoreError, now_rfc3339, on_pool};

/// The largest image stored (a booth capture or a DG2 photo is tens of KiB).
pub const MAX_IMAGE_BYTES: usize = 512 * 1024;

/// A stored image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredImage {
    /// `chip` or `capture`.
    pub kind: String,
    pub mime: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub at: String,
}

/// A document seen with more than one distinct chip photo.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentFaces {
    pub document_number: String,
    pub issuing_state: String,
    /// Distinct image hashes seen with the document (chip photos and captures).
    pub faces: i64,
    /// Distinct chip photos among them (more than one: two chips for one number).
    pub chip_faces: i64,
    pub crossings: i64,
    pub first_seen: String,
    pub last_seen: String,
}

impl Store {
    /// Stores `bytes` as the crossing's image of `kind` (`chip`,
    /// `capture`), audited as `actor`. A second image of the same kind for
    /// the crossing is refused (`Conflict`).
    pub async fn put_crossing_image(
        &self,
        actor: &str,
        crossing_id: &str,
        kind: &str,
        mime: &str,
        bytes: &[u8],
    ) -> Result<String, StoreError> {
        use sha2::Digest;
        if !matches!(kind, "chip" | "capture") {
            return Err(StoreError::Invalid(format!("image kind '{kind}'")));
        }
        if !matches!(mime, "image/jpeg" | "image/jp2") {
            return Err(StoreError::Invalid(format!("image type '{mime}'")));
        }
        if bytes.is_empty() || bytes.len() > MAX_IMAGE_BYTES {
            return Err(StoreError::Invalid(format!("image: empty or larger than {MAX_IMAGE_BYTES} bytes")));
        }
        let sha = crate::hex(&sha2::Sha256::digest(bytes));
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crossings WHERE crossing_id = $1")
                .bind(crossing_id)
                .fetch_one(&mut *tx)
                .await?;
            if known == 0 {
                return Err(StoreError::NotFound(format!("crossing {crossing_id}")));
            }
            let n = sqlx::query(
                "INSERT INTO crossing_images (crossing_id, kind, mime, sha256, bytes, actor, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (crossing_id, kind) DO NOTHING",
            )
            .bind(crossing_id)
            .bind(kind)
            .bind(mime)
            .bind(&sha)
            .bind(bytes)
            .bind(actor)
            .bind(&now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(StoreError::Conflict(format!("the crossing already has a {kind} image")));
            }
            let detail = serde_json::json!({ "kind": kind, "mime": mime, "bytes": bytes.len(), "sha256": sha }).to_string();
            append_in_tx!(tx, self, actor, "crossing_image_stored", format!("crossing:{crossing_id}"), &detail).await?;
            tx.commit().await?;
            Ok(sha)
        })
    }

    /// The crossing's image of `kind`, if any.
    pub async fn crossing_image(&self, crossing_id: &str, kind: &str) -> Result<Option<StoredImage>, StoreError> {
        on_pool!(self, p => {
            let row = sqlx::query(
                "SELECT kind, mime, sha256, bytes, at FROM crossing_images WHERE crossing_id = $1 AND kind = $2",
            )
            .bind(crossing_id)
            .bind(kind)
            .fetch_optional(p)
            .await?;
            row.map(|r| {
                Ok(StoredImage {
                    kind: r.try_get("kind")?,
                    mime: r.try_get("mime")?,
                    sha256: r.try_get("sha256")?,
                    bytes: r.try_get("bytes")?,
                    at: r.try_get("at")?,
                })
            })
            .transpose()
        })
    }

    /// The kinds of image a crossing has (`chip`, `capture`).
    pub async fn crossing_image_kinds(&self, crossing_id: &str) -> Result<Vec<String>, StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_scalar("SELECT kind FROM crossing_images WHERE crossing_id = $1 ORDER BY kind")
                .bind(crossing_id)
                .fetch_all(p)
                .await?)
        })
    }

    /// Documents seen with more than one distinct chip photo (image hash:
    /// a genuine chip gives the same bytes at every read, so two hashes are
    /// two chips for one number), the most first, at most `limit`, with the
    /// count of every face seen (booth captures differ at every take and
    /// are counted, not matched).
    pub async fn documents_with_faces(&self, limit: u32) -> Result<Vec<DocumentFaces>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT c.document_number, c.issuing_state, \
                 COUNT(DISTINCT i.sha256) AS faces, \
                 COUNT(DISTINCT CASE WHEN i.kind = 'chip' THEN i.sha256 END) AS chip_faces, \
                 COUNT(DISTINCT c.crossing_id) AS crossings, MIN(c.crossed_at) AS first_seen, MAX(c.crossed_at) AS last_seen \
                 FROM crossing_images i JOIN crossings c ON c.crossing_id = i.crossing_id \
                 WHERE c.document_number <> '' \
                 GROUP BY c.document_number, c.issuing_state \
                 HAVING COUNT(DISTINCT CASE WHEN i.kind = 'chip' THEN i.sha256 END) > 1 \
                 ORDER BY chip_faces DESC, faces DESC, c.document_number LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(DocumentFaces {
                        document_number: r.try_get("document_number")?,
                        issuing_state: r.try_get("issuing_state")?,
                        faces: r.try_get("faces")?,
                        chip_faces: r.try_get("chip_faces")?,
                        crossings: r.try_get("crossings")?,
                        first_seen: r.try_get("first_seen")?,
                        last_seen: r.try_get("last_seen")?,
                    })
                })
                .collect()
        })
    }
}
