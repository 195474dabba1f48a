//! The notices' thumbnails at the booth (issue 21): the image a list
//! entry carries (an Interpol notice's, fetched by its connector and
//! pulled by the posts with the lists), shown on the hit that matched it.
//! An image of a person is personal data: it is read for a hit, by the
//! inspectors and supervisors of the hit's post (or users bound to no
//! post), and every read is audited before it is answered — the hit, the
//! list, the entry id and the image's hash, never a name.

use std::collections::HashSet;

use serde_json::json;

use crate::faces::Photo;
use crate::{App, AppError, Caller, User};

impl App {
    /// The thumbnail of the list entry hit `id` matched. `NotFound` when
    /// the hit is unknown or its entry has no image; `Forbidden` for
    /// another post's hit. Audited `list_image_viewed`.
    pub async fn hit_thumbnail(&self, user: &User, id: i64) -> Result<Photo, AppError> {
        let hit = self.store().hit(id).await?.ok_or_else(|| AppError::NotFound(format!("no hit {id}")))?;
        user.check_post(&hit.post)?;
        let img = self
            .store()
            .list_image(&hit.list_name, &hit.entry_id)
            .await?
            .ok_or_else(|| AppError::NotFound("no image for this hit's list entry".into()))?;
        self.audit(
            Caller::User(user),
            "list_image_viewed",
            format!("hit:{id}"),
            json!({ "list": hit.list_name, "entry_id": hit.entry_id, "sha256": img.sha256 }),
        )
        .await?;
        let mime = if img.mime == "image/png" { "image/png" } else { "image/jpeg" };
        Ok(Photo { mime, bytes: img.bytes })
    }

    /// Which of `entries` (list, entry id) carry an image, so that a page
    /// shows an image only where there is one (no personal data: whether
    /// an image exists).
    pub async fn entries_with_images(&self, entries: &[(&str, &str)]) -> Result<HashSet<(String, String)>, AppError> {
        Ok(self.store().list_images_present(entries).await?)
    }
}
