//! Faces at the booth: the chip's DG2 photo and the live capture from the
//! booth camera, stored with the crossing (same retention, read by the
//! roles that read the crossing, every store and read audited); the
//! documents seen with more than one face, for the analysts; and the
//! biometric matcher, a plug-in that is off by default.
//!
//! ## The biometric matcher plug-in
//!
//! Centinela ships no face-recognition model. A deployment that has one
//! implements [`FaceMatcher`] — two images in, a similarity score out — and
//! plugs it in once at start-up with [`App::set_face_matcher`]. From then
//! on, every inspection with both a chip photo and a capture carries the
//! score (`faces.score` in the answer, shown beside the two photos). The
//! score never decides anything: the officer compares the faces, and a
//! matcher that fails is logged (no image, no name) and the inspection goes
//! on without a score. A matcher runs on the request's thread: it must
//! answer in well under a second (a model on the heavy-work pool is the
//! implementer's choice).

use std::sync::Arc;

use base64::Engine;
use centinela_inspect::{FaceRef, Faces, PartyRequest};
use centinela_store::MAX_IMAGE_BYTES;
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User};

/// An image: `image/jpeg` or `image/jp2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// A biometric face matcher: how alike two faces are.
pub trait FaceMatcher: Send + Sync {
    /// A short name for the audit and the logs (`vendor-model-1.2`).
    fn name(&self) -> &str;
    /// The similarity of the face in `probe` (the booth's capture) to the
    /// face in `reference` (the chip's photo), from 0 (different people) to
    /// 1 (the same), or why it could not say (no face found, an encoding
    /// it does not read). Must not panic.
    fn score(&self, reference: &Photo, probe: &Photo) -> Result<f32, String>;
}

/// What one traveller brought to the booth: the chip's photo, the capture.
#[derive(Debug, Default)]
pub struct TravellerFaces {
    pub chip: Option<Photo>,
    pub capture: Option<Photo>,
}

/// A document seen with more than one distinct chip photo (by the SHA-256
/// of the image: no biometrics), and how many faces were seen with it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentFacesView {
    pub document_number: String,
    pub issuing_state: String,
    pub faces: i64,
    /// Distinct chip photos: more than one means two chips carry this number.
    pub chip_faces: i64,
    pub crossings: i64,
    pub first_seen: String,
    pub last_seen: String,
}

/// Whether `b` starts like a JPEG (SOI and a marker).
fn is_jpeg(b: &[u8]) -> bool {
    b.len() > 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF
}

/// The longest base64 text of a capture.
const MAX_CAPTURE_B64: usize = MAX_IMAGE_BYTES / 3 * 4 + 4;

/// The most documents the analysts' list answers.
pub const MAX_DOCUMENT_FACES: u32 = 500;

impl App {
    /// Plugs in a biometric matcher (once; a second is refused with `false`).
    pub fn set_face_matcher(&self, m: Arc<dyn FaceMatcher>) -> bool {
        self.0.matcher.set(m).is_ok()
    }

    /// Each traveller's capture (base64 JPEG in the request) and chip photo.
    pub(crate) fn faces_of(
        &self,
        req: &PartyRequest,
        chip_photos: Vec<Option<Photo>>,
    ) -> Result<Vec<TravellerFaces>, AppError> {
        let mut out = Vec::with_capacity(req.travellers.len());
        for ((i, t), chip) in req.travellers.iter().enumerate().zip(chip_photos) {
            let capture = match t.capture.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(text) => {
                    // A data URL from the browser's canvas is accepted as is.
                    let text = text.strip_prefix("data:image/jpeg;base64,").unwrap_or(text);
                    if text.len() > MAX_CAPTURE_B64 {
                        return Err(AppError::Invalid(format!("travellers[{i}].capture: too large")));
                    }
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .map_err(|_| AppError::Invalid(format!("travellers[{i}].capture: not base64")))?;
                    if !is_jpeg(&bytes) {
                        return Err(AppError::Invalid(format!("travellers[{i}].capture: not a JPEG image")));
                    }
                    Some(Photo { mime: "image/jpeg", bytes })
                }
            };
            let chip = chip.filter(|p| !p.bytes.is_empty() && p.bytes.len() <= MAX_IMAGE_BYTES);
            out.push(TravellerFaces { chip, capture });
        }
        Ok(out)
    }

    /// Stores a recorded crossing's faces (audited `crossing_image_stored`)
    /// and scores them when a matcher is plugged in.
    pub(crate) async fn store_faces(
        &self,
        user: &User,
        crossing_id: &str,
        f: TravellerFaces,
    ) -> Result<Option<Faces>, AppError> {
        if f.chip.is_none() && f.capture.is_none() {
            return Ok(None);
        }
        let mut out = Faces::default();
        for (kind, photo) in [("chip", &f.chip), ("capture", &f.capture)] {
            let Some(p) = photo else { continue };
            let sha = self.store().put_crossing_image(&user.actor(), crossing_id, kind, p.mime, &p.bytes).await?;
            let r = Some(FaceRef { mime: p.mime.to_owned(), sha256: sha });
            if kind == "chip" { out.chip = r } else { out.capture = r }
        }
        if let (Some(m), Some(reference), Some(probe)) = (self.0.matcher.get(), &f.chip, &f.capture) {
            match m.score(reference, probe) {
                Ok(s) if s.is_finite() => out.score = Some(s.clamp(0.0, 1.0)),
                Ok(_) => tracing::warn!(matcher = m.name(), "the face matcher answered no number"),
                Err(e) => tracing::warn!(matcher = m.name(), error = %e, "the face matcher could not score"),
            }
        }
        Ok(Some(out))
    }

    /// A crossing's image (`chip` or `capture`) for a user who may read the
    /// crossing (its post, for a user bound to one), audited
    /// `crossing_image_viewed` before it is answered.
    pub async fn crossing_image(&self, user: &User, id: &str, kind: &str) -> Result<Photo, AppError> {
        if !matches!(kind, "chip" | "capture") {
            return Err(AppError::Invalid("kind: chip or capture".into()));
        }
        self.visible_crossing(user, id).await?;
        let img = self
            .store()
            .crossing_image(id, kind)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no {kind} image for this crossing")))?;
        self.audit(
            Caller::User(user),
            "crossing_image_viewed",
            format!("crossing:{id}"),
            json!({ "kind": kind, "sha256": img.sha256 }),
        )
        .await?;
        let mime = if img.mime == "image/jp2" { "image/jp2" } else { "image/jpeg" };
        Ok(Photo { mime, bytes: img.bytes })
    }

    /// Documents seen with more than one distinct chip photo (a stable
    /// hash of each image: a genuine chip gives the same bytes at every
    /// read, so two photos on one number are two chips — a forged or
    /// re-issued document), with every face seen counted (booth captures
    /// differ at every take: counted, never matched), for the analysts.
    /// Audited.
    pub async fn document_faces(&self, caller: Caller<'_>) -> Result<Vec<DocumentFacesView>, AppError> {
        let rows = self.store().documents_with_faces(MAX_DOCUMENT_FACES).await?;
        self.audit(caller, "document_faces_viewed", "intel:faces", json!({ "documents": rows.len() })).await?;
        Ok(rows
            .into_iter()
            .map(|r| DocumentFacesView {
                document_number: r.document_number,
                issuing_state: r.issuing_state,
                faces: r.faces,
                chip_faces: r.chip_faces,
                crossings: r.crossings,
                first_seen: r.first_seen,
                last_seen: r.last_seen,
            })
            .collect())
    }
}
