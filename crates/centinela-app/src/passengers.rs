//! Air passenger data (issue 23): import API passenger and crew lists
//! (PAXLST) and PNR pushes (PNRGOV) in UN/EDIFACT, from a file or a
//! carrier's gateway. Every message of the input is read first
//! (`centinela-edifact`); any error refuses the whole input and names the
//! source, message, segment, element and component — never a value. What
//! was read is stored in one transaction with its audit entry
//! (`passengers_imported`). The raw EDIFACT is not kept (only its SHA-256).

use centinela_domain::Role;
use centinela_edifact::paxlst::PersonRole;
use centinela_edifact::pnrgov::{Leg, Pnr};
use centinela_edifact::{DateTime, Message, Paxlst, Pnrgov};
use centinela_store::{ApiPerson, BookingPassenger, NewBooking, NewFlight, NewPassengerMessage};
use serde::Serialize;

use crate::{App, AppError, Caller};

/// The largest input accepted (a 900-seat aircraft's list is under 1 MiB).
pub const MAX_INPUT_BYTES: usize = 8 << 20;

/// Where the bytes came from: a file (its name) or the API.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    File(&'a str),
    Api,
}

/// A deviation the reader accepted, with its place, in both languages.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InputWarning {
    pub code: &'static str,
    /// The message's ordinal in the input, and the segment's position and tag.
    pub message: Option<u32>,
    pub segment: u32,
    pub tag: Option<String>,
    pub es: &'static str,
    pub en: &'static str,
}

/// What an import stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PassengerImportReport {
    /// Messages read (PAXLST, PNRGOV).
    pub paxlst: usize,
    pub pnrgov: usize,
    /// Flights named, persons listed, PNR versions stored.
    pub flights: usize,
    pub persons: usize,
    pub bookings: usize,
    pub warnings: Vec<InputWarning>,
}

/// A read error: where, in English and Spanish.
fn refused(source: Source<'_>, e: &centinela_edifact::Error) -> AppError {
    let name = match source {
        Source::File(n) => n,
        Source::Api => "body",
    };
    AppError::Invalid(format!("{name}: {e} / {}", e.es()))
}

/// Outside text passes the edge rule, or the import is refused naming the
/// message and field.
fn text(message: usize, field: &'static str, v: &str) -> Result<String, AppError> {
    centinela_domain::text::check_line(v, 512)
        .map_err(|_| AppError::Invalid(format!("message {message}, {field}: not accepted text")))?;
    Ok(v.to_string())
}

fn opt(message: usize, field: &'static str, v: Option<&str>) -> Result<Option<String>, AppError> {
    v.map(|v| text(message, field, v)).transpose()
}

fn local(at: &DateTime) -> String {
    match at.time {
        Some((h, m)) => format!("{}T{h:02}:{m:02}", at.date.iso()),
        None => at.date.iso(),
    }
}

/// `CM421` for carrier `CM` and flight `421`, `0421` or `CM0421`: one key
/// for the same flight in API lists and PNRs.
fn flight_number(carrier: &str, number: &str) -> String {
    let rest = number.strip_prefix(carrier).unwrap_or(number);
    let digits = rest.trim_start_matches('0');
    format!("{carrier}{}", if digits.is_empty() { "0" } else { digits })
}

fn paxlst_flight(i: usize, m: &Paxlst) -> Result<NewFlight, AppError> {
    let f = &m.flight;
    let dep = f.departure();
    let arr = f.arrival();
    let carrier = match &f.carrier {
        Some(c) => c.clone(),
        None => f.number.chars().take(2).collect(),
    };
    let date = dep.and_then(|d| d.at).or(arr.and_then(|a| a.at)).ok_or_else(|| {
        AppError::Invalid(format!("message {i}: the flight has no departure or arrival date (DTM 189/232)"))
    })?;
    Ok(NewFlight {
        carrier: text(i, "carrier", &carrier)?,
        number: text(i, "flight", &flight_number(&carrier, &f.number))?,
        origin: text(
            i,
            "departure airport",
            dep.map(|d| d.airport.as_str()).ok_or_else(|| {
                AppError::Invalid(format!("message {i}: the flight has no departure airport (LOC 125)"))
            })?,
        )?,
        destination: text(i, "arrival airport", arr.map(|a| a.airport.as_str()).unwrap_or(""))?,
        departure_date: date.date.iso(),
        departs_at: dep.and_then(|d| d.at).map(|a| local(&a)),
        arrives_at: arr.and_then(|a| a.at).map(|a| local(&a)),
    })
}

fn leg_flight(i: usize, l: &Leg) -> Result<NewFlight, AppError> {
    let date =
        l.departure.ok_or_else(|| AppError::Invalid(format!("message {i}: the flight (TVL) has no departure date")))?;
    Ok(NewFlight {
        carrier: text(i, "carrier", &l.carrier)?,
        number: text(i, "flight", &flight_number(&l.carrier, &l.flight))?,
        origin: text(i, "departure airport", &l.from)?,
        destination: text(i, "arrival airport", &l.to)?,
        departure_date: date.date.iso(),
        departs_at: l.departure.map(|a| local(&a)),
        arrives_at: l.arrival.map(|a| local(&a)),
    })
}

fn role(r: PersonRole) -> &'static str {
    match r {
        PersonRole::Passenger => "passenger",
        PersonRole::Crew => "crew",
        PersonRole::TransitPassenger => "transit_passenger",
        PersonRole::TransitCrew => "transit_crew",
    }
}

fn persons(i: usize, m: &Paxlst) -> Result<Vec<ApiPerson>, AppError> {
    m.persons
        .iter()
        .map(|p| {
            let doc = p.documents.first();
            Ok(ApiPerson {
                role: role(p.role).into(),
                surnames: text(i, "surname", &p.surname)?,
                given_names: text(i, "given names", &p.given_names.join(" "))?,
                sex: opt(i, "sex", p.sex.as_deref())?,
                birth_date: p.birth_date.map(|d| d.iso()),
                nationality: opt(i, "nationality", p.nationality.as_deref())?,
                document_type: opt(i, "document type", doc.map(|d| d.kind.as_str()))?,
                document_number: opt(i, "document number", doc.map(|d| d.number.as_str()))?,
                document_issuer: opt(i, "document issuer", doc.and_then(|d| d.issuing_state.as_deref()))?,
                document_expiry: doc.and_then(|d| d.expiry).map(|d| d.iso()),
                booking: opt(i, "booking reference", p.booking.as_deref())?,
                seat: opt(i, "seat", p.seat.as_deref())?,
                embarkation: opt(i, "embarkation", p.embarkation.as_deref())?,
                debarkation: opt(i, "debarkation", p.debarkation.as_deref())?,
                residence: opt(i, "residence", p.residence.as_deref())?,
            })
        })
        .collect()
}

fn booking(i: usize, r: &Pnr) -> Result<NewBooking, AppError> {
    let payment = r.payments.first();
    let legs = r
        .itinerary
        .iter()
        .map(|l| {
            Ok(serde_json::json!({
                "from": text(i, "itinerary", &l.from)?, "to": text(i, "itinerary", &l.to)?,
                "carrier": text(i, "itinerary", &l.carrier)?, "flight": text(i, "itinerary", &l.flight)?,
                "departs_at": l.departure.map(|a| local(&a)), "arrives_at": l.arrival.map(|a| local(&a)),
            }))
        })
        .collect::<Result<Vec<serde_json::Value>, AppError>>()?;
    let passengers = r
        .passengers
        .iter()
        .map(|p| {
            let d = p.documents.first();
            let seats: Vec<&str> = r
                .seats
                .iter()
                .filter(|s| s.passenger.is_some() && s.passenger == p.reference)
                .map(|s| s.seat.as_str())
                .collect();
            let tickets: Vec<&str> = p.tickets.iter().map(|t| t.number.as_str()).collect();
            Ok(BookingPassenger {
                surnames: text(i, "surname", &p.surname)?,
                given_names: text(i, "given names", p.given_names.as_deref().unwrap_or(""))?,
                kind: opt(i, "passenger type", p.kind.as_deref())?,
                sex: opt(i, "sex", d.and_then(|d| d.sex.as_deref()))?,
                birth_date: d.and_then(|d| d.birth_date).map(|b| b.iso()),
                nationality: opt(i, "nationality", d.and_then(|d| d.nationality.as_deref()))?,
                document_type: opt(i, "document type", d.map(|d| d.kind.as_str()))?,
                document_number: opt(i, "document number", d.map(|d| d.number.as_str()))?,
                tickets: text(i, "tickets", &tickets.join(","))?,
                seats: text(i, "seats", &seats.join(","))?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    let contact: Vec<String> = r.contacts.iter().map(|c| text(i, "contact", c)).collect::<Result<_, _>>()?;
    Ok(NewBooking {
        carrier: text(i, "carrier", &r.carrier)?,
        locator: text(i, "record locator", &r.locator)?,
        booked_at: r.created.map(|c| local(&c)),
        agency: opt(i, "travel agent", r.agent.as_ref().map(|a| a.agency.as_deref().unwrap_or(&a.system)))?,
        agency_country: opt(i, "travel agent's country", r.agent.as_ref().and_then(|a| a.country.as_deref()))?,
        payment_kind: opt(i, "form of payment", payment.map(|p| p.kind.as_str()))?,
        payment_account: opt(i, "payment account", payment.and_then(|p| p.account.as_deref()))?,
        contact: contact.join("\n"),
        split: text(i, "split PNRs", &r.split.join(","))?,
        itinerary: serde_json::Value::Array(legs).to_string(),
        passengers,
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    centinela_chip::crypto::HashAlg::Sha256.digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl App {
    /// Reads every message of `bytes` (one EDIFACT interchange, or several
    /// bare messages), then stores them all, or nothing. Administrators (a
    /// carrier's gateway signs in as one) and the command line. `year` reads
    /// two-digit years when the interchange gives no date of its own.
    pub async fn import_passenger_messages(
        &self,
        caller: Caller<'_>,
        source: Source<'_>,
        bytes: &[u8],
        year: u16,
    ) -> Result<PassengerImportReport, AppError> {
        if let Caller::User(u) = caller
            && u.role != Role::Admin
        {
            return Err(AppError::Forbidden("only administrators import passenger data".into()));
        }
        if bytes.len() > MAX_INPUT_BYTES {
            return Err(AppError::Invalid(format!("input: larger than {MAX_INPUT_BYTES} bytes")));
        }
        let interchange = centinela_edifact::parse(bytes, year).map_err(|e| refused(source, &e))?;
        let (sender, control) = match &interchange.envelope {
            Some(e) => (e.sender.clone(), e.control_reference.clone()),
            None => (String::new(), String::new()),
        };
        let mut messages = Vec::with_capacity(interchange.messages.len());
        let (mut paxlst, mut pnrgov) = (0, 0);
        for (k, m) in interchange.messages.iter().enumerate() {
            let i = k + 1;
            let header = m.header();
            let mut out = NewPassengerMessage {
                kind: "PAXLST",
                reference: text(i, "message reference", &header.reference)?,
                sender: text(i, "sender", &sender)?,
                interchange: text(i, "interchange reference", &control)?,
                part: header.part.map_or(1, |p| i64::from(p.sequence)),
                warnings: interchange.warnings.iter().filter(|w| w.at.message == Some(i as u32)).count() as i64,
                ..NewPassengerMessage::default()
            };
            match m {
                Message::Paxlst(p) => {
                    paxlst += 1;
                    out.flight = Some(paxlst_flight(i, p)?);
                    out.persons = persons(i, p)?;
                }
                Message::Pnrgov(p) => {
                    pnrgov += 1;
                    out.kind = "PNRGOV";
                    out.flight = p.flight.as_ref().map(|l| leg_flight(i, l)).transpose()?;
                    out.bookings = pnrs(i, p)?;
                }
            }
            messages.push(out);
        }
        let source_text = match source {
            Source::File(n) => format!("file:{}", text(0, "file name", n.rsplit(['/', '\\']).next().unwrap_or(n))?),
            Source::Api => "api".to_string(),
        };
        let done = self
            .store()
            .import_passenger_messages(&caller.actor(), &source_text, &sha256_hex(bytes), &messages)
            .await?;
        // Committed: every person of these flights is screened (pre-arrival).
        self.after_passenger_import(caller, done.flights.clone()).await;
        let warnings = interchange
            .warnings
            .iter()
            .map(|w| {
                let (en, es) = w.kind.describe();
                InputWarning {
                    code: w.kind.code(),
                    message: w.at.message,
                    segment: w.at.segment,
                    tag: w.at.tag.map(String::from),
                    es,
                    en,
                }
            })
            .collect();
        Ok(PassengerImportReport {
            paxlst,
            pnrgov,
            flights: done.flights.len(),
            persons: done.persons,
            bookings: done.bookings,
            warnings,
        })
    }
}

fn pnrs(i: usize, m: &Pnrgov) -> Result<Vec<NewBooking>, AppError> {
    m.records.iter().map(|r| booking(i, r)).collect()
}
