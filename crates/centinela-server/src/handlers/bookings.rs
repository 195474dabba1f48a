//! Bookings (PNR) for the intelligence unit and the booth's API look-up
//! (issue 23): a booking's versions and links, searching bookings by
//! locator, unmasking a masked version with a reason (analysts, audited),
//! and, at an air post, an arriving passenger's API record by document.
//! Each a thin call into [`centinela_app::bookings`].

use axum::extract::State;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};
use crate::state::AppState;

pub use centinela_app::bookings::{ApiRecordFound, BookingLinks, UnmaskedBooking};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// The locator or its beginning (letters and digits, at most 12).
    pub locator: String,
}

/// A booking found by a search.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct BookingRef {
    pub carrier: String,
    pub locator: String,
}

/// Bookings whose locator starts with the text given (at most 50).
#[utoipa::path(get, path = "/api/intel/bookings", tag = "intel", security(("bearer" = []), ("cookie" = [])),
    params(SearchQuery),
    responses(
        (status = 200, description = "Bookings", body = Vec<BookingRef>),
        (status = 422, description = "Not a locator (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn search(
    State(app): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SearchQuery>,
) -> Result<Json<Vec<BookingRef>>, ApiError> {
    let found = app.app().search_bookings(&user, &q.locator).await?;
    Ok(Json(found.into_iter().map(|(carrier, locator)| BookingRef { carrier, locator }).collect()))
}

/// A booking's versions (masked values blank, `masked_at` set) and the
/// other bookings sharing its payer, contact or travel agency. Audited.
#[utoipa::path(get, path = "/api/intel/bookings/{carrier}/{locator}", tag = "intel",
    security(("bearer" = []), ("cookie" = [])),
    params(("carrier" = String, Path, description = "IATA carrier, e.g. CM"),
           ("locator" = String, Path, description = "Record locator, e.g. QX7Z2P")),
    responses(
        (status = 200, description = "The booking and its links", body = BookingLinks),
        (status = 404, description = "No such booking", body = ErrorBody),
    ))]
pub async fn links(
    State(app): State<AppState>,
    user: CurrentUser,
    Path((carrier, locator)): Path<(String, String)>,
) -> Result<Json<BookingLinks>, ApiError> {
    Ok(Json(app.app().booking_links(&user, &carrier, &locator).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnmaskRequest {
    /// Why the values are needed (10 to 500 characters); kept in the audit log.
    pub reason: String,
}

/// The values masked from one booking version (names, documents, contact,
/// payment account), answered to the analyst who asks with a reason; the
/// request and its reason are audited first.
#[utoipa::path(post, path = "/api/intel/booking-versions/{id}/unmask", tag = "intel",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = i64, Path, description = "The booking version's id")),
    request_body = UnmaskRequest,
    responses(
        (status = 200, description = "The masked values", body = UnmaskedBooking),
        (status = 404, description = "No masked version with this id", body = ErrorBody),
        (status = 422, description = "Reason missing or too long (`invalid_field`)", body = ErrorBody),
    ))]
pub async fn unmask(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Json(req): Json<UnmaskRequest>,
) -> Result<Json<UnmaskedBooking>, ApiError> {
    Ok(Json(app.app().unmask_booking(&user, id, &req.reason).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApiRecordQuery {
    /// The travel document's number.
    pub document_number: String,
    /// Its issuing state (ICAO three letters), when known.
    pub issuing_state: Option<String>,
}

/// At an air post, the API record of an arriving passenger (flights into
/// the post's airport from noon yesterday to the end of today, local):
/// flight, booking reference and the list's data, so the officer does not
/// retype. Audited when found. Not being listed is an answer, not a
/// missing resource: `null`.
#[utoipa::path(get, path = "/api/posts/{code}/api-record", tag = "passengers",
    security(("bearer" = []), ("cookie" = [])),
    params(("code" = String, Path, description = "An air post's code, e.g. GTM-GUA"), ApiRecordQuery),
    responses(
        (status = 200, description = "The record, or null when no flight arriving at the post lists this document \
            (and at a post that is not an airport)", body = Option<ApiRecordFound>),
        (status = 404, description = "No such post", body = ErrorBody),
    ))]
pub async fn api_record(
    State(app): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<ApiRecordQuery>,
) -> Result<Json<Option<ApiRecordFound>>, ApiError> {
    let found = app.app().arriving_api_record(&user, &code, &q.document_number, q.issuing_state.as_deref()).await?;
    Ok(Json(found.map(Into::into)))
}
