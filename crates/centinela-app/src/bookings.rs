//! A booking's links and its unmasking (issue 23, parts 2 and 4), and the
//! booth's look-up of an arriving passenger's API record (part 2).
//!
//! - [`App::booking_links`]: every version of a PNR (masked values stay
//!   masked), and the other bookings sharing its payer, contact or travel
//!   agency (through the keyed digests of migration 0024). Analysts, not
//!   bound to a post; audited (`booking_viewed`).
//! - [`App::unmask_booking`]: the values masked from one version, for an
//!   analyst who gives a reason; audited with the reason
//!   (`pnr_unmasked`) before the values are read. Why analysts: they are
//!   the ones who work the network and need a payer's or contact's values
//!   to act on it; officers and post supervisors never read PNRs; each
//!   request is one booking and one reason, and the auditor reads every
//!   one of them.
//! - [`App::arriving_api_record`]: at an air post, an arriving passenger's
//!   API record by document number (and issuing state) among today's
//!   flights into the post's airport; audited (`api_record_viewed`).
//!   [`App::link_api_records`] links each crossing recorded at an air post
//!   to its record (called by `App::inspect`).

use centinela_domain::Role;
use centinela_store::{ArrivingPerson, LinkedBooking, MaskedValues, StoredBooking};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User};

/// The shortest and longest reason accepted for unmasking.
pub const MIN_UNMASK_REASON: usize = 10;
pub const MAX_UNMASK_REASON: usize = 500;
/// The longest locator or prefix searched.
pub const MAX_LOCATOR: usize = 12;
/// At most this many bookings answered by a search.
pub const MAX_SEARCH: i64 = 50;

/// A booking with its versions and the bookings it is linked to.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingLinks {
    pub carrier: String,
    pub locator: String,
    /// Oldest first; masked versions show blank values and `masked_at`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub versions: Vec<StoredBooking>,
    /// Other bookings sharing a payer, contact or agency, most shared first.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub linked: Vec<LinkedBooking>,
}

/// The values masked from one booking version, as unmasked for one user.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnmaskedBooking {
    pub booking_id: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub values: MaskedValues,
}

/// An arriving passenger's API record as the booth shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiRecordFound {
    pub api_person_id: i64,
    pub flight_id: i64,
    /// `CM421`.
    pub flight: String,
    pub origin: String,
    /// Scheduled arrival, local `YYYY-MM-DDTHH:MM`.
    pub arrives_at: Option<String>,
    /// What the list says: names, birth date, nationality, document,
    /// booking reference, seat …
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub person: centinela_store::ApiPerson,
}

impl From<ArrivingPerson> for ApiRecordFound {
    fn from(a: ArrivingPerson) -> Self {
        ApiRecordFound {
            api_person_id: a.api_person_id,
            flight_id: a.flight_id,
            flight: a.flight,
            origin: a.origin,
            arrives_at: a.arrives_at,
            person: a.person,
        }
    }
}

/// `CM` and `ABC123`: carrier and locator, upper case, letters and digits.
pub fn parse_booking_key(carrier: &str, locator: &str) -> Result<(String, String), AppError> {
    let ok = |s: &str, max: usize| !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_alphanumeric());
    let (c, l) = (carrier.trim().to_ascii_uppercase(), locator.trim().to_ascii_uppercase());
    if !ok(&c, 3) {
        return Err(AppError::Invalid("carrier: two or three letters or digits".into()));
    }
    if !ok(&l, MAX_LOCATOR) {
        return Err(AppError::Invalid(format!("locator: 1 to {MAX_LOCATOR} letters or digits")));
    }
    Ok((c, l))
}

fn analyst(user: &User) -> Result<(), AppError> {
    if user.role != Role::Analyst || user.post.is_some() {
        return Err(AppError::Forbidden("only analysts not bound to a post read passenger bookings".into()));
    }
    Ok(())
}

impl App {
    /// A booking's versions and the bookings linked to it; audited.
    pub async fn booking_links(&self, user: &User, carrier: &str, locator: &str) -> Result<BookingLinks, AppError> {
        analyst(user)?;
        let (carrier, locator) = parse_booking_key(carrier, locator)?;
        let versions = self.store().booking_versions(&carrier, &locator).await?;
        if versions.is_empty() {
            return Err(AppError::NotFound(format!("booking {carrier} {locator}")));
        }
        let linked = self.store().linked_bookings(&carrier, &locator).await?;
        self.audit(
            Caller::User(user),
            "booking_viewed",
            format!("booking:{carrier}:{locator}"),
            json!({ "versions": versions.len(), "linked": linked.len() }),
        )
        .await?;
        Ok(BookingLinks { carrier, locator, versions, linked })
    }

    /// Bookings whose locator starts with `prefix` (carrier, locator);
    /// no personal data, not audited.
    pub async fn search_bookings(&self, user: &User, prefix: &str) -> Result<Vec<(String, String)>, AppError> {
        analyst(user)?;
        let p = prefix.trim().to_ascii_uppercase();
        if p.is_empty() || p.len() > MAX_LOCATOR || !p.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::Invalid(format!("locator: 1 to {MAX_LOCATOR} letters or digits")));
        }
        Ok(self.store().search_bookings(&p, MAX_SEARCH).await?)
    }

    /// The values masked from booking version `booking_id`, for `user`
    /// only, asked with a reason; audited with the reason first.
    pub async fn unmask_booking(
        &self,
        user: &User,
        booking_id: i64,
        reason: &str,
    ) -> Result<UnmaskedBooking, AppError> {
        analyst(user)?;
        let reason = reason.trim();
        let n = reason.chars().count();
        if !(MIN_UNMASK_REASON..=MAX_UNMASK_REASON).contains(&n) {
            return Err(AppError::Invalid(format!("reason: {MIN_UNMASK_REASON} to {MAX_UNMASK_REASON} characters")));
        }
        centinela_domain::text::check_line(reason, MAX_UNMASK_REASON * 4)
            .map_err(|_| AppError::Invalid("reason: not accepted text".into()))?;
        // A booking that is not masked has nothing to unmask; the values
        // are answered only once the request is in the audit chain.
        let values = self
            .store()
            .booking_vault(booking_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("masked booking version {booking_id}")))?;
        self.audit(
            Caller::User(user),
            "pnr_unmasked",
            format!("booking_version:{booking_id}"),
            json!({ "reason": reason }),
        )
        .await?;
        Ok(UnmaskedBooking { booking_id, values })
    }

    /// At an air post, the API record of an arriving passenger by document
    /// number (and issuing state): flights into the post's airport arriving
    /// from noon yesterday to the end of today, the post's local time.
    /// `None` at other posts or when no list names the document. Audited
    /// when found.
    pub async fn arriving_api_record(
        &self,
        user: &User,
        post: &str,
        document_number: &str,
        issuer: Option<&str>,
    ) -> Result<Option<ArrivingPerson>, AppError> {
        user.check_post(post)?;
        let number = document_number.trim().to_ascii_uppercase();
        if number.is_empty() || number.len() > 20 || !number.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(AppError::Invalid("document_number: 1 to 20 letters or digits".into()));
        }
        let issuer = issuer.map(|s| s.trim().to_ascii_uppercase()).filter(|s| !s.is_empty());
        if issuer.as_deref().is_some_and(|s| s.len() != 3 || !s.chars().all(|c| c.is_ascii_uppercase())) {
            return Err(AppError::Invalid("issuing_state: three letters".into()));
        }
        let posts = self.store().posts().await?;
        let Some(p) = posts.iter().find(|p| p.code == post) else {
            return Err(AppError::NotFound(format!("post {}", post.chars().take(40).collect::<String>())));
        };
        let Some(airport) = self.airport_of(&p.code).await? else { return Ok(None) };
        let zone = jiff::tz::TimeZone::get(&p.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let today = jiff::Timestamp::now().to_zoned(zone).date();
        let from = format!("{}T12:00", today.yesterday().map_err(AppError::internal)?);
        let to = today.tomorrow().map_err(AppError::internal)?.to_string();
        let found = self.store().arriving_api_person(&airport, &from, &to, &number, issuer.as_deref()).await?;
        if let Some(f) = &found {
            self.audit(
                Caller::User(user),
                "api_record_viewed",
                format!("api_person:{}", f.api_person_id),
                json!({ "post": post, "flight": f.flight_id }),
            )
            .await?;
        }
        Ok(found)
    }

    /// Links each traveller recorded at an air post (entries) to the API
    /// record of their document, when one is found. Each link is audited by
    /// the store; an entry found nowhere is left alone.
    pub(crate) async fn link_api_records(
        &self,
        user: &User,
        post: &str,
        travellers: &[(String, Option<String>, Option<String>)],
    ) -> Result<usize, AppError> {
        // Land posts (nearly every inspection) leave here, on the airport
        // codes held in memory.
        if travellers.is_empty() || self.airport_of(post).await?.is_none() {
            return Ok(0);
        }
        let mut linked = 0;
        for (crossing_id, number, issuer) in travellers {
            let Some(number) = number.as_deref().filter(|n| !n.is_empty()) else { continue };
            let Ok(Some(found)) = self.arriving_api_record(user, post, number, issuer.as_deref()).await else {
                continue;
            };
            match self.store().link_crossing_api_person(&user.actor(), crossing_id, found.api_person_id).await {
                Ok(()) => linked += 1,
                Err(centinela_store::StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(linked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_keys_are_checked() {
        assert_eq!(parse_booking_key(" cm ", "abc123").unwrap(), ("CM".into(), "ABC123".into()));
        assert!(parse_booking_key("CM", "ABC 123").is_err());
        assert!(parse_booking_key("", "ABC123").is_err());
        assert!(parse_booking_key("CM", "ABCDEFGHIJKLMN").is_err());
    }
}
