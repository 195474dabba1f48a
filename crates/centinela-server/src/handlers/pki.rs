//! The ePassport chip's trust anchors over HTTP — `GET /api/pki` (what is
//! held, with a warning for a CRL past its next update) and `POST /api/pki`
//! (import a CSCA Master List, a CSCA certificate or a CRL, the file as the
//! request body) — and the faces stored with a crossing
//! (`GET /api/crossings/{id}/images/{kind}`) and the documents seen with
//! more than one face (`GET /api/intel/faces`). Each calls its use case in
//! `centinela_app::pki` or `centinela_app::faces`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use centinela_app::Caller;
pub use centinela_app::faces::DocumentFacesView;
pub use centinela_app::pki::{AnchorRow, ImportReport, PkiListing, Warning};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};
use crate::state::AppState;

/// The largest trust file `POST /api/pki` takes (ICAO's Master List is a
/// few MiB at most).
pub const IMPORT_BODY_LIMIT: usize = 16 << 20;

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// The trust anchors held (CSCA certificates and CRLs, newest version
/// last), with a warning for each CRL issuer whose latest CRL is past its
/// next update.
#[utoipa::path(get, path = "/api/pki", tag = "pki", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The trust anchors held", body = PkiListing),
    ))]
pub async fn list(State(app): State<AppState>, _user: CurrentUser) -> Result<Json<PkiListing>, ApiError> {
    Ok(Json(app.app().pki_list(now()).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ImportQuery {
    /// The file's name, for the audit and the list (its base name is kept).
    #[serde(default)]
    pub file_name: Option<String>,
}

/// Import a trust file, sent as the body (DER or PEM): an ICAO CSCA Master
/// List (its signature must verify), a CSCA certificate or a CRL. A new
/// version, audited (`pki_imported`), reaching the border posts at their
/// next synchronisation.
#[utoipa::path(post, path = "/api/pki", tag = "pki", security(("bearer" = []), ("cookie" = [])),
    params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The trust file"),
    responses(
        (status = 201, description = "Imported as a new version", body = ImportReport),
        (status = 422, description = "Not a trust file, or a Master List whose signature does not verify (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn import(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ImportQuery>,
    body: Bytes,
) -> Result<(StatusCode, Json<ImportReport>), ApiError> {
    if body.is_empty() {
        return Err(ApiError::invalid_field("file: empty"));
    }
    let name = q.file_name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or("upload");
    let name: String = name.chars().take(200).collect();
    let report = app.app().import_trust_file(Caller::User(&user), &name, &body, now()).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

/// A face stored with a crossing: `chip` (the chip's DG2 photo, JPEG or
/// JPEG 2000) or `capture` (the booth camera's, JPEG). Read by the roles
/// that read the crossing, for its post; audited (`crossing_image_viewed`).
#[utoipa::path(get, path = "/api/crossings/{id}/images/{kind}", tag = "inspections", security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path, description = "The crossing's id"), ("kind" = String, Path, description = "`chip` or `capture`")),
    responses(
        (status = 200, description = "The image", content_type = "image/jpeg", body = Vec<u8>),
        (status = 403, description = "Role not allowed, or another post's record", body = ErrorBody),
        (status = 404, description = "No such crossing, or no such image", body = ErrorBody),
        (status = 422, description = "`kind` is neither `chip` nor `capture`", body = ErrorBody),
    ))]
pub async fn image(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((id, kind)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let photo = app.app().crossing_image(&user, &id, &kind).await?;
    let mut r = photo.bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(photo.mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

/// Documents seen with more than one distinct chip photo — compared by a
/// hash of the image, no biometrics: a genuine chip gives the same bytes at
/// every read, so two photos for one number are two chips — with every
/// face seen counted (booth captures differ at every take).
#[utoipa::path(get, path = "/api/intel/faces", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Documents with more than one chip photo, most first", body = [DocumentFacesView]),
    ))]
pub async fn faces(State(app): State<AppState>, user: CurrentUser) -> Result<Json<Vec<DocumentFacesView>>, ApiError> {
    Ok(Json(app.app().document_faces(Caller::User(&user)).await?))
}
