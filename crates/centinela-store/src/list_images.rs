//! The notices' thumbnails for the booth (migration 0026): one JPEG or PNG
//! per list entry, kept by list name and entry id while the list's version
//! in force holds the entry (the version switch in `lists.rs` deletes the
//! others, so a withdrawn notice's image goes with it and no image outlives
//! the versions that carry its entry). `seq` grows at every write, so posts
//! pull the images after the last they hold ([`Store::list_images_since`],
//! bounded per pull) with the list deltas. A tombstone (`mime` '') says an
//! image was taken away while its entry stays. Reading one is audited by
//! the caller.

use std::collections::HashSet;

use sqlx::Row;

use crate::audit::begin_write;
use crate::{Store, StoreError, now_rfc3339, on_pool};

/// The largest thumbnail kept (Interpol's are a few KiB).
pub const MAX_LIST_IMAGE_BYTES: usize = 256 * 1024;
/// At most this many images in one sync pull …
pub const MAX_LIST_IMAGES_PULLED: i64 = 200;
/// … and about this many bytes (at least one image is always sent).
pub const MAX_LIST_IMAGE_BYTES_PULLED: i64 = 4 << 20;

/// What an image's first bytes say it is: `image/jpeg`, `image/png`, or
/// `None` (anything else — an HTML error page served as an image, say).
pub fn image_mime(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// A stored thumbnail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListImage {
    pub list_name: String,
    pub entry_id: String,
    pub mime: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    pub fetched_at: String,
}

/// A thumbnail to store for an entry.
#[derive(Debug, Clone)]
pub struct NewListImage<'a> {
    pub entry_id: &'a str,
    pub bytes: &'a [u8],
}

/// What [`Store::write_list_images`] changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListImagesWritten {
    /// New or replaced images (the same bytes again change nothing).
    pub stored: u64,
    pub removed: u64,
}

/// One image (or tombstone) as it travels to a post.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SyncedListImage {
    pub seq: i64,
    pub list: String,
    pub entry_id: String,
    /// `image/jpeg`, `image/png`, or '' (the image was taken away).
    pub mime: String,
    pub sha256: String,
    /// Base64 of the bytes (empty for a tombstone).
    pub data: String,
}

/// The images written at the centre after a post's mark, at most
/// [`MAX_LIST_IMAGES_PULLED`] and about [`MAX_LIST_IMAGE_BYTES_PULLED`]
/// bytes; `more` says the next pull brings the rest.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListImageDelta {
    pub images: Vec<SyncedListImage>,
    #[serde(default)]
    pub more: bool,
}

/// What a post installed from a [`ListImageDelta`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListImagesInstalled {
    pub stored: u64,
    pub removed: u64,
    /// Refused: not base64, not JPEG or PNG, too large, or not matching its hash.
    pub skipped: u64,
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    crate::hex(&sha2::Sha256::digest(bytes))
}

fn check_image(bytes: &[u8]) -> Result<&'static str, StoreError> {
    if bytes.is_empty() || bytes.len() > MAX_LIST_IMAGE_BYTES {
        return Err(StoreError::Invalid(format!("list image: empty or larger than {MAX_LIST_IMAGE_BYTES} bytes")));
    }
    image_mime(bytes).ok_or_else(|| StoreError::Invalid("list image: not a JPEG or PNG".into()))
}

impl Store {
    /// The entries of `list` holding an image (tombstones are not).
    pub async fn list_images_held(&self, list: &str) -> Result<HashSet<String>, StoreError> {
        on_pool!(self, p => {
            let ids: Vec<String> =
                sqlx::query_scalar("SELECT entry_id FROM list_images WHERE list_name = $1 AND mime <> ''")
                    .bind(list)
                    .fetch_all(p)
                    .await?;
            Ok(ids.into_iter().collect())
        })
    }

    /// Stores `put` (each checked: JPEG or PNG by its first bytes, at most
    /// [`MAX_LIST_IMAGE_BYTES`]; the same bytes as held change nothing) and
    /// takes away the images of `remove` (a tombstone for the posts), in
    /// one transaction.
    pub async fn write_list_images(
        &self,
        list: &str,
        put: &[NewListImage<'_>],
        remove: &[&str],
    ) -> Result<ListImagesWritten, StoreError> {
        let mut checked = Vec::with_capacity(put.len());
        for i in put {
            checked.push((i.entry_id, check_image(i.bytes)?, sha256_hex(i.bytes), i.bytes));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let mut done = ListImagesWritten::default();
            for (entry, mime, sha, bytes) in &checked {
                let held: Option<(String, String)> =
                    sqlx::query_as("SELECT mime, sha256 FROM list_images WHERE list_name = $1 AND entry_id = $2")
                        .bind(list)
                        .bind(*entry)
                        .fetch_optional(&mut *tx)
                        .await?;
                if held.as_ref().is_some_and(|(m, s)| m == mime && s == sha) {
                    continue;
                }
                sqlx::query("DELETE FROM list_images WHERE list_name = $1 AND entry_id = $2")
                    .bind(list)
                    .bind(*entry)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO list_images (list_name, entry_id, mime, sha256, bytes, fetched_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(list)
                .bind(*entry)
                .bind(*mime)
                .bind(sha)
                .bind(*bytes)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                done.stored += 1;
            }
            for entry in remove {
                let n = sqlx::query("DELETE FROM list_images WHERE list_name = $1 AND entry_id = $2 AND mime <> ''")
                    .bind(list)
                    .bind(*entry)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n > 0 {
                    sqlx::query(
                        "INSERT INTO list_images (list_name, entry_id, mime, sha256, bytes, fetched_at) \
                         VALUES ($1, $2, '', '', $3, $4)",
                    )
                    .bind(list)
                    .bind(*entry)
                    .bind(Vec::<u8>::new())
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                    done.removed += 1;
                }
            }
            tx.commit().await?;
            Ok(done)
        })
    }

    /// The image of a list entry, if it has one.
    pub async fn list_image(&self, list: &str, entry_id: &str) -> Result<Option<ListImage>, StoreError> {
        on_pool!(self, p => {
            let row = sqlx::query(
                "SELECT list_name, entry_id, mime, sha256, bytes, fetched_at FROM list_images \
                 WHERE list_name = $1 AND entry_id = $2 AND mime <> ''",
            )
            .bind(list)
            .bind(entry_id)
            .fetch_optional(p)
            .await?;
            Ok(match row {
                Some(r) => Some(ListImage {
                    list_name: r.try_get(0)?,
                    entry_id: r.try_get(1)?,
                    mime: r.try_get(2)?,
                    sha256: r.try_get(3)?,
                    bytes: r.try_get(4)?,
                    fetched_at: r.try_get(5)?,
                }),
                None => None,
            })
        })
    }

    /// Which of `entries` (list name, entry id) have an image.
    pub async fn list_images_present(&self, entries: &[(&str, &str)]) -> Result<HashSet<(String, String)>, StoreError> {
        let mut out = HashSet::new();
        for (list, entry) in entries.iter().take(1_000) {
            let n: i64 = on_pool!(self, p => sqlx::query_scalar(
                "SELECT COUNT(*) FROM list_images WHERE list_name = $1 AND entry_id = $2 AND mime <> ''",
            )
            .bind(*list)
            .bind(*entry)
            .fetch_one(p)
            .await?);
            if n > 0 {
                out.insert((list.to_string(), entry.to_string()));
            }
        }
        Ok(out)
    }

    /// At the centre: the images (and tombstones) written after `after`,
    /// oldest first, bounded by count and bytes.
    pub async fn list_images_since(&self, after: i64) -> Result<ListImageDelta, StoreError> {
        use base64::Engine;
        on_pool!(self, p => {
            let sizes: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT seq, CAST(length(bytes) AS BIGINT) FROM list_images WHERE seq > $1 ORDER BY seq LIMIT $2",
            )
            .bind(after)
            .bind(MAX_LIST_IMAGES_PULLED + 1)
            .fetch_all(p)
            .await?;
            let mut last = None;
            let mut total = 0i64;
            let mut taken = 0i64;
            for (seq, len) in &sizes {
                if taken == MAX_LIST_IMAGES_PULLED || (taken > 0 && total + len > MAX_LIST_IMAGE_BYTES_PULLED) {
                    break;
                }
                total += len;
                taken += 1;
                last = Some(*seq);
            }
            let Some(last) = last else { return Ok(ListImageDelta::default()) };
            let more = (taken as usize) < sizes.len();
            let rows = sqlx::query(
                "SELECT seq, list_name, entry_id, mime, sha256, bytes FROM list_images \
                 WHERE seq > $1 AND seq <= $2 ORDER BY seq",
            )
            .bind(after)
            .bind(last)
            .fetch_all(p)
            .await?;
            let mut images = Vec::with_capacity(rows.len());
            for r in &rows {
                let bytes: Vec<u8> = r.try_get(5)?;
                images.push(SyncedListImage {
                    seq: r.try_get(0)?,
                    list: r.try_get(1)?,
                    entry_id: r.try_get(2)?,
                    mime: r.try_get(3)?,
                    sha256: r.try_get(4)?,
                    data: base64::engine::general_purpose::STANDARD.encode(&bytes),
                });
            }
            Ok(ListImageDelta { images, more })
        })
    }

    /// At a post: the centre's last image installed here.
    pub async fn list_images_mark(&self) -> Result<i64, StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_scalar("SELECT images_pulled FROM sync_state WHERE id = 1").fetch_one(p).await?)
        })
    }

    /// At a post: installs the centre's images (a tombstone deletes the
    /// post's copy) and moves the mark, in one transaction. An image that
    /// is not base64, not a JPEG or PNG, too large or not matching its
    /// SHA-256 is skipped and counted.
    pub async fn apply_list_images(&self, delta: &ListImageDelta) -> Result<ListImagesInstalled, StoreError> {
        use base64::Engine;
        let backend = self.backend();
        let now = now_rfc3339();
        let mut done = ListImagesInstalled::default();
        let Some(to) = delta.images.iter().map(|i| i.seq).max() else { return Ok(done) };
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            for i in delta.images.iter().take(MAX_LIST_IMAGES_PULLED as usize) {
                sqlx::query("DELETE FROM list_images WHERE list_name = $1 AND entry_id = $2")
                    .bind(&i.list)
                    .bind(&i.entry_id)
                    .execute(&mut *tx)
                    .await?;
                if i.mime.is_empty() {
                    done.removed += 1;
                    continue;
                }
                let bytes = if i.data.len() <= MAX_LIST_IMAGE_BYTES * 4 / 3 + 4 {
                    base64::engine::general_purpose::STANDARD.decode(&i.data).ok()
                } else {
                    None
                };
                let ok = bytes.as_deref().and_then(|b| check_image(b).ok().map(|m| (m, b)));
                let Some((mime, b)) = ok.filter(|(m, b)| *m == i.mime && sha256_hex(b) == i.sha256) else {
                    done.skipped += 1;
                    continue;
                };
                if i.list.len() > 64 || i.entry_id.is_empty() || i.entry_id.len() > 200 {
                    done.skipped += 1;
                    continue;
                }
                sqlx::query(
                    "INSERT INTO list_images (list_name, entry_id, mime, sha256, bytes, fetched_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&i.list)
                .bind(&i.entry_id)
                .bind(mime)
                .bind(&i.sha256)
                .bind(b)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                done.stored += 1;
            }
            sqlx::query(
                "UPDATE sync_state SET images_pulled = CASE WHEN images_pulled > $1 THEN images_pulled ELSE $1 END \
                 WHERE id = 1",
            )
            .bind(to)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done)
        })
    }
}
