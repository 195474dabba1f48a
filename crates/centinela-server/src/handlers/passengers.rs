//! Air passenger data over HTTP: `POST /api/passengers/messages` takes raw
//! UN/EDIFACT (PAXLST, PNRGOV; one interchange, one or many messages) from
//! a carrier's gateway and calls [`centinela_app::passengers`], which reads
//! every message first, stores all or nothing, and audits.

use axum::extract::State;
use axum::http::StatusCode;
use centinela_app::Caller;
use centinela_app::passengers::Source;
pub use centinela_app::passengers::{InputWarning, PassengerImportReport};

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json, RawBody};
use crate::state::AppState;

/// Import API passenger and crew lists (PAXLST, D02B/D05B) and PNR pushes
/// (PNRGOV) sent as the raw EDIFACT interchange, bounded by the server's
/// body limit. A read error refuses the whole body, naming the message,
/// segment, element and component (never a value); deviations carriers
/// commonly make are accepted and listed as warnings.
#[utoipa::path(post, path = "/api/passengers/messages", tag = "passengers", security(("bearer" = []), ("cookie" = [])),
    request_body(content = String, content_type = "application/edifact", description = "A UN/EDIFACT interchange"),
    responses(
        (status = 201, description = "Read and stored", body = PassengerImportReport),
        (status = 413, description = "Larger than the server's body limit (`payload_too_large`)", body = ErrorBody),
        (status = 422, description = "Not readable EDIFACT (`invalid_field`, naming where)", body = ErrorBody),
    ))]
pub async fn import(
    State(app): State<AppState>,
    user: CurrentUser,
    RawBody(body): RawBody,
) -> Result<(StatusCode, Json<PassengerImportReport>), ApiError> {
    let year = u16::try_from(jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).year()).unwrap_or(2000);
    let report = app.app().import_passenger_messages(Caller::User(&user), Source::Api, &body, year).await?;
    Ok((StatusCode::CREATED, Json(report)))
}
