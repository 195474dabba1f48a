//! Pre-arrival screening (issue 23, part 3): as soon as passenger messages
//! are stored, every passenger and crew member of each flight they named —
//! the persons of its API lists and of its PNRs — is screened against the
//! alert lists in force (the booth's own pipeline, `centinela-inspect`,
//! each person as a party of one: the same name screener, document
//! indexes and supervisors' clearances), the lookouts in force at the air
//! post (person, document, and the PNR's contact phone) and the risk rules
//! with the passenger-data facts (`booking.*`, INDICATORS.md A1–A4). Hits
//! are stored for the air post of the arrival (or departure) airport,
//! known by the post's IATA code, and adjudicated there by its
//! supervisors before the flight lands.
//!
//! What was screened is remembered by a digest of each person's screened
//! fields and booking facts: a newer PAXLST or PNR version screens only the
//! persons whose data changed, and a hit already held is not raised again.
//! A record the pipeline cannot read is skipped (counted), never blocking
//! the rest. The screening runs off the request path, one flight batch at
//! a time, on a blocking thread split over two workers.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use centinela_domain::{CountryCode, Direction, Timestamp};
use centinela_inspect::{PartyOutcome, PartyRequest, TravellerInput, Watchlists};
use centinela_rules::{Booking, Facts};
use centinela_store::{
    ApiPerson, NewPrearrivalHit, PostFlight, PrearrivalAdjudication, StoredBooking, StoredFlight, StoredPrearrivalHit,
    Verdict,
};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User};

/// The most persons of one flight screened (the largest aircraft, twice).
pub const MAX_FLIGHT_PERSONS: usize = 2_000;
/// The most flights one import's screening takes.
pub const MAX_FLIGHTS_SCREENED: usize = 500;

/// The facts of one person's booking, owned (the rules borrow them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BookingFacts {
    pub origin: String,
    pub destination: String,
    pub transit: Vec<String>,
    pub days_before_departure: Option<i64>,
    pub one_way: Option<bool>,
    pub cash: Option<bool>,
    pub agency: String,
    pub group_size: Option<i64>,
    pub shared_payer: Option<i64>,
    pub shared_contact: Option<i64>,
    pub minor_without_guardian: Option<bool>,
}

/// One person of a flight as screened.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// Upper-cased surnames and given names: the person's key on the flight.
    pub key: String,
    pub role: String,
    pub surnames: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub sex: Option<String>,
    pub document_type: Option<String>,
    pub document_number: Option<String>,
    pub document_issuer: Option<String>,
    /// `carrier/locator`.
    pub booking: Option<String>,
    /// The booking's contact phone (E.164), for phone lookouts.
    pub phone: Option<String>,
    /// Age on the day of departure.
    pub age: Option<i64>,
    pub facts: BookingFacts,
}

/// One finding of the screening, before it is tied to a post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// `list_person`, `list_document`, `lookout`, `rule`.
    pub kind: &'static str,
    pub source: String,
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    pub reason: String,
    pub detail: String,
}

/// What the screening of one subject found, per post screened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Screened {
    /// The subject could not be read by the pipeline (a bad record).
    pub skipped: bool,
    /// List and rule findings (the same for every post).
    pub findings: Vec<Finding>,
    /// The booth's outcome, for the clearances and the lookouts.
    pub outcome: Option<PartyOutcome>,
}

fn upper(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_uppercase()
}

fn person_key(surnames: &str, given: &str) -> String {
    format!("{}|{}", upper(surnames), upper(given))
}

fn days_from_civil(iso: &str) -> Option<i64> {
    let d = jiff::civil::Date::strptime("%Y-%m-%d", iso.get(..10)?).ok()?;
    Some(i64::from(d.since(jiff::civil::date(1970, 1, 1)).ok()?.get_days()))
}

fn age_on(birth: Option<&str>, day: &str) -> Option<i64> {
    let b = jiff::civil::Date::strptime("%Y-%m-%d", birth?.get(..10)?).ok()?;
    let d = jiff::civil::Date::strptime("%Y-%m-%d", day.get(..10)?).ok()?;
    let mut age = i64::from(d.year()) - i64::from(b.year());
    if (d.month(), d.day()) < (b.month(), b.day()) {
        age -= 1;
    }
    Some(age)
}

fn surname_tokens(s: &str) -> HashSet<String> {
    upper(s).split(' ').filter(|t| t.len() > 2).map(String::from).collect()
}

fn related(a: &str, b: &str) -> bool {
    let (a, b) = (surname_tokens(a), surname_tokens(b));
    a.intersection(&b).next().is_some()
}

/// A contact line reduced to what identifies it: an e-mail lower-cased,
/// a phone its digits (at least 7).
fn contact_keys(contact: &str) -> Vec<String> {
    contact
        .lines()
        .filter_map(|l| {
            let l = l.trim();
            if l.contains('@') {
                return Some(l.to_lowercase());
            }
            let digits: String = l.chars().filter(char::is_ascii_digit).collect();
            (digits.len() >= 7).then(|| format!("tel:{digits}"))
        })
        .collect()
}

fn phone_of(contact: &str) -> Option<String> {
    contact.lines().find_map(|l| {
        let digits: String = l.chars().filter(char::is_ascii_digit).collect();
        if digits.len() < 8 || digits.len() > 15 || l.contains('@') {
            return None;
        }
        let e164 = format!("+{digits}");
        centinela_domain::check_phone(&e164).ok().map(|_| e164)
    })
}

/// The itinerary's airports, in order.
fn route(itinerary: &str) -> Vec<String> {
    let legs: Vec<serde_json::Value> = serde_json::from_str(itinerary).unwrap_or_default();
    let mut out: Vec<String> = Vec::new();
    for l in &legs {
        for k in ["from", "to"] {
            if let Some(a) = l.get(k).and_then(|v| v.as_str())
                && out.last().map(String::as_str) != Some(a)
            {
                out.push(a.to_string());
            }
        }
    }
    out
}

/// Every person of `flight`: its manifest (API lists) and the passengers of
/// its PNRs not on the manifest, each with their booking's facts. At most
/// [`MAX_FLIGHT_PERSONS`].
pub fn subjects(flight: &StoredFlight, manifest: &[ApiPerson], bookings: &[StoredBooking]) -> Vec<Subject> {
    // Who is on which booking, and each booking's payer and contacts.
    struct Pax<'a> {
        booking: usize,
        surnames: &'a str,
    }
    let mut pax: Vec<Pax<'_>> = Vec::new();
    for (i, b) in bookings.iter().enumerate() {
        for p in &b.booking.passengers {
            pax.push(Pax { booking: i, surnames: &p.surnames });
        }
    }
    let payer = |b: &StoredBooking| b.booking.payment_account.clone().filter(|a| !a.trim().is_empty());
    let contacts: Vec<Vec<String>> = bookings.iter().map(|b| contact_keys(&b.booking.contact)).collect();
    let facts_of =
        |i: usize, surnames: &str, age: Option<i64>| -> BookingFacts {
            let b = &bookings[i];
            let r = route(&b.booking.itinerary);
            let me = payer(b);
            let shared_payer = me.as_ref().map(|a| {
                pax.iter()
                    .filter(|p| p.booking != i && payer(&bookings[p.booking]).as_ref() == Some(a))
                    .filter(|p| !related(p.surnames, surnames))
                    .count() as i64
            });
            let shared_contact = (!contacts[i].is_empty()).then(|| {
                pax.iter()
                    .filter(|p| p.booking != i && contacts[p.booking].iter().any(|c| contacts[i].contains(c)))
                    .filter(|p| !related(p.surnames, surnames))
                    .count() as i64
            });
            let minor_without_guardian = age.filter(|a| *a < 18).map(|_| {
                !b.booking.passengers.iter().any(|q| {
                    let adult = match age_on(q.birth_date.as_deref(), &flight.departure_date) {
                        Some(a) => a >= 18,
                        None => q.kind.as_deref().is_none_or(|k| k == "ADT"),
                    };
                    adult && related(&q.surnames, surnames)
                })
            });
            BookingFacts {
                origin: r.first().cloned().unwrap_or_default(),
                destination: r.last().cloned().unwrap_or_default(),
                transit: if r.len() > 2 { r[1..r.len() - 1].to_vec() } else { Vec::new() },
                days_before_departure: b.booking.booked_at.as_deref().and_then(days_from_civil).and_then(|booked| {
                    days_from_civil(&flight.departure_date).map(|dep| dep - booked).filter(|d| *d >= 0)
                }),
                one_way: (r.len() >= 2).then(|| r.first() != r.last()),
                cash: b.booking.payment_kind.as_deref().map(|k| k.eq_ignore_ascii_case("CA")),
                agency: b.booking.agency.clone().unwrap_or_default(),
                group_size: Some(b.booking.passengers.len() as i64),
                shared_payer,
                shared_contact,
                minor_without_guardian,
            }
        };
    let booking_of = |locator: Option<&str>, key: &str| -> Option<usize> {
        if let Some(l) = locator
            && let Some(i) = bookings.iter().position(|b| b.booking.locator == l)
        {
            return Some(i);
        }
        bookings
            .iter()
            .position(|b| b.booking.passengers.iter().any(|p| person_key(&p.surnames, &p.given_names) == key))
    };
    let mut out: Vec<Subject> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for p in manifest {
        let key = person_key(&p.surnames, &p.given_names);
        let age = age_on(p.birth_date.as_deref(), &flight.departure_date);
        let b = booking_of(p.booking.as_deref(), &key);
        seen.insert(key.clone());
        out.push(Subject {
            key,
            role: p.role.clone(),
            surnames: p.surnames.clone(),
            given_names: p.given_names.clone(),
            birth_date: p.birth_date.clone(),
            nationality: p.nationality.clone(),
            sex: p.sex.clone(),
            document_type: p.document_type.clone(),
            document_number: p.document_number.clone(),
            document_issuer: p.document_issuer.clone(),
            booking: b.map(|i| format!("{}/{}", bookings[i].booking.carrier, bookings[i].booking.locator)),
            phone: b.and_then(|i| phone_of(&bookings[i].booking.contact)),
            age,
            facts: b.map(|i| facts_of(i, &p.surnames, age)).unwrap_or_default(),
        });
    }
    for (i, b) in bookings.iter().enumerate() {
        for p in &b.booking.passengers {
            let key = person_key(&p.surnames, &p.given_names);
            if !seen.insert(key.clone()) {
                continue;
            }
            let age = age_on(p.birth_date.as_deref(), &flight.departure_date);
            out.push(Subject {
                key,
                role: "passenger".into(),
                surnames: p.surnames.clone(),
                given_names: p.given_names.clone(),
                birth_date: p.birth_date.clone(),
                nationality: p.nationality.clone(),
                sex: p.sex.clone(),
                document_type: p.document_type.clone(),
                document_number: p.document_number.clone(),
                document_issuer: None,
                booking: Some(format!("{}/{}", b.booking.carrier, b.booking.locator)),
                phone: phone_of(&b.booking.contact),
                age,
                facts: facts_of(i, &p.surnames, age),
            });
        }
    }
    out.truncate(MAX_FLIGHT_PERSONS);
    out
}

/// A digest of what screening `s` depends on.
pub fn digest(s: &Subject) -> String {
    let bytes = serde_json::to_vec(s).unwrap_or_default();
    centinela_chip::crypto::HashAlg::Sha256.digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn request(s: &Subject, post: &str, direction: Direction) -> PartyRequest {
    let code = |v: &Option<String>| v.clone().filter(|c| CountryCode::parse(c).is_ok());
    PartyRequest {
        post: post.to_string(),
        direction,
        vehicle: None,
        group_id: None,
        travellers: vec![TravellerInput {
            given_names: Some(s.given_names.clone()),
            surnames: Some(s.surnames.clone()),
            birth_date: s.birth_date.clone(),
            nationality: code(&s.nationality),
            sex: s.sex.clone().filter(|x| matches!(x.as_str(), "M" | "F" | "X")),
            document_type: s.document_type.clone(),
            document_number: s.document_number.clone(),
            issuing_state: code(&s.document_issuer),
            phone: s.phone.clone(),
            ..TravellerInput::default()
        }],
    }
}

/// The rules' firings for `s`, with the passenger-data facts.
fn rule_findings(lists: &Watchlists, s: &Subject, at: Timestamp) -> Vec<Finding> {
    let transit: Vec<&str> = s.facts.transit.iter().map(String::as_str).collect();
    let nationality = s.nationality.clone().unwrap_or_default();
    let facts = Facts {
        traveller: centinela_rules::Traveller {
            age: s.age,
            sex: s.sex.as_deref().unwrap_or(""),
            nationality: &nationality,
            ..Default::default()
        },
        document: centinela_rules::Document {
            kind: s.document_type.as_deref().unwrap_or(""),
            issuing_state: s.document_issuer.as_deref().unwrap_or(""),
            ..Default::default()
        },
        crossing: centinela_rules::Crossing { transport: "air", ..Default::default() }.at(at),
        party: centinela_rules::Party { size: s.facts.group_size, ..Default::default() },
        booking: Booking {
            origin: &s.facts.origin,
            destination: &s.facts.destination,
            transit: (!s.facts.origin.is_empty()).then_some(transit.as_slice()),
            days_before_departure: s.facts.days_before_departure,
            one_way: s.facts.one_way,
            cash: s.facts.cash,
            agency: &s.facts.agency,
            group_size: s.facts.group_size,
            shared_payer: s.facts.shared_payer,
            shared_contact: s.facts.shared_contact,
            minor_without_guardian: s.facts.minor_without_guardian,
        },
        ..Facts::default()
    };
    lists
        .rules()
        .evaluate(&facts)
        .into_iter()
        .map(|f| Finding {
            kind: "rule",
            source: f.rule_id.clone(),
            entry_id: f.rule_id,
            score: f.weight,
            action: f.action.as_str().to_string(),
            reason: f.reason,
            detail: json!({ "category": f.category.as_str(), "name": f.name }).to_string(),
        })
        .collect()
}

/// Screens one subject against the lists and rules (no store, no post's
/// lookouts): the booth's pipeline for a party of one, then the rules with
/// the passenger facts.
pub fn screen_subject(lists: &Watchlists, s: &Subject, at: Timestamp, direction: Direction) -> Screened {
    let req = request(s, "", direction);
    let outcome = match centinela_inspect::inspect(&req, lists, at, &[String::new()], &[Default::default()], "") {
        Ok(o) => o,
        // A record the pipeline cannot read is skipped, not the flight.
        Err(_) => return Screened { skipped: true, ..Screened::default() },
    };
    let findings = rule_findings(lists, s, at);
    Screened { skipped: false, findings, outcome: Some(outcome) }
}

/// Screens `subjects` over two workers (the order is kept).
pub fn screen_all(lists: &Watchlists, subjects: &[Subject], at: Timestamp, direction: Direction) -> Vec<Screened> {
    if subjects.len() < 16 {
        return subjects.iter().map(|s| screen_subject(lists, s, at, direction)).collect();
    }
    let (a, b) = subjects.split_at(subjects.len() / 2);
    std::thread::scope(|scope| {
        let first = scope.spawn(|| a.iter().map(|s| screen_subject(lists, s, at, direction)).collect::<Vec<_>>());
        let mut second: Vec<Screened> = b.iter().map(|s| screen_subject(lists, s, at, direction)).collect();
        let mut out = first.join().unwrap_or_default();
        out.append(&mut second);
        out
    })
}

/// The list hits and lookout hits of a screened outcome, as findings.
pub fn outcome_findings(outcome: &PartyOutcome) -> Vec<Finding> {
    let mut out = Vec::new();
    for t in &outcome.travellers {
        for h in &t.hits {
            let person = h.kind == centinela_domain::HitKind::Person;
            let mut reason = h.listed_as.clone();
            if let Some(n) = &h.notice {
                reason = format!("{reason}: {}", n.reason);
            }
            out.push(Finding {
                kind: if person { "list_person" } else { "list_document" },
                source: h.list.clone(),
                entry_id: h.entry_id.clone(),
                score: h.score,
                action: h.action.clone(),
                reason,
                detail: serde_json::to_string(&h.explanation).unwrap_or_default(),
            });
        }
        for l in &t.lookouts {
            out.push(Finding {
                kind: "lookout",
                source: l.lookout_uid.clone(),
                entry_id: l.kind.clone(),
                score: l.score,
                action: l.action.clone(),
                reason: l.reason.clone(),
                detail: serde_json::to_string(&l.explanation).unwrap_or_default(),
            });
        }
    }
    out
}

fn screening_slot() -> &'static tokio::sync::Semaphore {
    static SLOT: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    SLOT.get_or_init(|| tokio::sync::Semaphore::new(1))
}

/// What one screening did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreeningReport {
    pub flights: usize,
    /// Persons screened (new or changed), persons unchanged since the last
    /// screening, and records the pipeline could not read.
    pub screened: usize,
    pub unchanged: usize,
    pub skipped: usize,
    /// New hits stored.
    pub hits: usize,
}

/// A flight as the air post's page shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlightRow {
    pub id: i64,
    pub carrier: String,
    pub number: String,
    pub origin: String,
    pub destination: String,
    /// Local `YYYY-MM-DDTHH:MM` (the airport's time), when the carrier sent it.
    pub departs_at: Option<String>,
    pub arrives_at: Option<String>,
    pub departure_date: String,
    /// `arrival` or `departure` at the post's airport.
    pub leg: String,
    pub persons: i64,
    pub bookings: i64,
    pub hits: i64,
    pub open_hits: i64,
}

impl From<PostFlight> for FlightRow {
    fn from(f: PostFlight) -> Self {
        FlightRow {
            id: f.flight.id,
            carrier: f.flight.carrier,
            number: f.flight.number,
            origin: f.flight.origin,
            destination: f.flight.destination,
            departs_at: f.flight.departs_at,
            arrives_at: f.flight.arrives_at,
            departure_date: f.flight.departure_date,
            leg: f.leg,
            persons: f.flight.persons,
            bookings: f.flight.bookings,
            hits: f.hits,
            open_hits: f.open_hits,
        }
    }
}

/// An air post's flights: arriving or leaving in the next 48 hours and the
/// last 24.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostFlights {
    pub post: String,
    pub iata: String,
    pub time_zone: String,
    pub flights: Vec<FlightRow>,
}

/// A pre-arrival hit as the supervisor reviews it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrearrivalHitView {
    pub id: i64,
    /// `list_person`, `list_document`, `lookout`, `rule`.
    pub kind: String,
    /// The list's name, the lookout's id or the rule's id.
    pub source: String,
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    pub reason: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub detail: serde_json::Value,
    pub raised_at: String,
    /// `confirmed` or `dismissed`, with its reason; absent while open.
    pub decision: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<String>,
}

/// A person of a flight with the hits raised for them at the post.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ManifestPerson {
    pub role: String,
    pub surnames: String,
    pub given_names: String,
    pub birth_date: Option<String>,
    pub nationality: Option<String>,
    pub document_number: Option<String>,
    pub booking: Option<String>,
    pub hits: Vec<PrearrivalHitView>,
}

/// A flight's manifest as the air post sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlightView {
    pub post: String,
    pub time_zone: String,
    pub flight: FlightRow,
    pub persons: Vec<ManifestPerson>,
}

/// An adjudication of a pre-arrival hit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PrearrivalDecision {
    pub id: i64,
    pub hit_id: i64,
    pub decision: String,
    pub reason: String,
    pub at: String,
}

fn hit_view(h: &StoredPrearrivalHit) -> PrearrivalHitView {
    let a: Option<&PrearrivalAdjudication> = h.adjudication.as_ref();
    PrearrivalHitView {
        id: h.id,
        kind: h.hit.kind.to_string(),
        source: h.hit.source.clone(),
        entry_id: h.hit.entry_id.clone(),
        score: h.score(),
        action: h.hit.action.clone(),
        reason: h.hit.reason.clone(),
        detail: serde_json::from_str(&h.hit.detail).unwrap_or(serde_json::Value::Null),
        raised_at: h.raised_at.clone(),
        decision: a.map(|a| a.decision.clone()),
        decision_reason: a.map(|a| a.reason.clone()),
        decided_at: a.map(|a| a.at.clone()),
    }
}

trait Score {
    fn score(&self) -> f64;
}

impl Score for StoredPrearrivalHit {
    fn score(&self) -> f64 {
        (self.hit.score * 1000.0).round() / 1000.0
    }
}

/// The local `YYYY-MM-DDTHH:MM` of `at` in zone `zone` (UTC when unknown).
fn local(at: Timestamp, zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let ts = jiff::Timestamp::from_second(at.unix_seconds()).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.to_zoned(tz).strftime("%Y-%m-%dT%H:%M").to_string()
}

impl App {
    /// Screens the flights `flight_ids` named by an import (see the
    /// module). Called after the import committed; the lists and lookouts
    /// in memory are the ones in force.
    pub async fn screen_flights(&self, flight_ids: &[i64]) -> Result<ScreeningReport, AppError> {
        let _slot = screening_slot().acquire().await.map_err(|_| AppError::Busy)?;
        let posts = self.store().air_posts().await?;
        let mut report = ScreeningReport::default();
        for &id in flight_ids.iter().take(MAX_FLIGHTS_SCREENED) {
            let Some((flight, manifest)) = self.store().flight_and_manifest(id).await? else { continue };
            let legs: Vec<(&centinela_store::AirPost, &'static str)> = posts
                .iter()
                .filter_map(|p| {
                    if p.iata == flight.destination {
                        Some((p, "arrival"))
                    } else if p.iata == flight.origin {
                        Some((p, "departure"))
                    } else {
                        None
                    }
                })
                .collect();
            if legs.is_empty() {
                continue;
            }
            report.flights += 1;
            let bookings = self.store().flight_bookings(id).await?;
            let all = subjects(&flight, &manifest, &bookings);
            let done = self.store().prearrival_screened(id).await?;
            let mut todo = Vec::new();
            let mut digests = Vec::new();
            for s in all {
                let d = digest(&s);
                if done.contains(&d) {
                    report.unchanged += 1;
                } else {
                    digests.push(d);
                    todo.push(s);
                }
            }
            if todo.is_empty() {
                continue;
            }
            let (lists, _) = self.inspections().lists();
            let at = Timestamp::now();
            let direction = if legs.iter().any(|(_, l)| *l == "arrival") { Direction::Entry } else { Direction::Exit };
            let todo = std::sync::Arc::new(todo);
            let work = todo.clone();
            let screened = tokio::task::spawn_blocking(move || screen_all(&lists, &work, at, direction))
                .await
                .map_err(AppError::internal)?;
            let mut hits = Vec::new();
            for (s, mut r) in todo.iter().zip(screened) {
                if r.skipped {
                    report.skipped += 1;
                    continue;
                }
                report.screened += 1;
                for (post, leg) in &legs {
                    let mut findings = r.findings.clone();
                    if let Some(outcome) = r.outcome.as_mut() {
                        let mut o = outcome.clone();
                        for t in &mut o.travellers {
                            t.lookouts.clear();
                        }
                        // A supervisor's clearance of this traveller stands.
                        self.apply_clearances(&mut o, at).await?;
                        self.screen_lookouts(&mut o, &post.code, at).await?;
                        findings.extend(outcome_findings(&o));
                    }
                    for f in findings {
                        hits.push(NewPrearrivalHit {
                            post: post.code.clone(),
                            leg,
                            person: s.key.clone(),
                            role: s.role.clone(),
                            surnames: s.surnames.clone(),
                            given_names: s.given_names.clone(),
                            birth_date: s.birth_date.clone(),
                            nationality: s.nationality.clone(),
                            document_number: s.document_number.clone(),
                            booking: s.booking.clone(),
                            kind: f.kind,
                            source: f.source,
                            entry_id: f.entry_id,
                            score: f.score,
                            action: f.action,
                            reason: f.reason,
                            detail: f.detail,
                        });
                    }
                }
            }
            hits.truncate(centinela_store::MAX_PREARRIVAL_HITS);
            report.hits += self.store().record_prearrival(id, &digests, &hits).await?.len();
        }
        tracing::info!(
            flights = report.flights,
            screened = report.screened,
            unchanged = report.unchanged,
            skipped = report.skipped,
            hits = report.hits,
            "pre-arrival screening"
        );
        Ok(report)
    }

    /// After an import committed: screens its flights in the background
    /// (the import answers at once), or, from the command line, before
    /// returning (the process ends after).
    pub(crate) async fn after_passenger_import(&self, caller: Caller<'_>, flights: Vec<i64>) {
        match caller {
            Caller::Cli => {
                if let Err(e) = self.inspections().reload(self.store()).await {
                    tracing::warn!(error = %e, "pre-arrival screening: the lists could not be loaded");
                    return;
                }
                if let Err(e) = self.screen_flights(&flights).await {
                    tracing::warn!(error = %e, "pre-arrival screening failed");
                }
            }
            Caller::User(_) => {
                let app = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = app.screen_flights(&flights).await {
                        tracing::warn!(error = %e, "pre-arrival screening failed");
                    }
                });
            }
        }
    }

    /// The airport code (IATA) of post `code` when it is an air post with
    /// one set; `None` for every other post. Read from the posts at most
    /// once a minute, and again at once after a change here.
    pub async fn airport_of(&self, code: &str) -> Result<Option<String>, AppError> {
        if let Some(known) = self.0.airports.get(code) {
            return Ok(known);
        }
        let posts = self.store().air_posts().await?;
        let map: HashMap<String, String> = posts.into_iter().map(|p| (p.code, p.iata)).collect();
        let found = map.get(code).cloned();
        self.0.airports.put(map);
        Ok(found)
    }

    /// Forgets the airport codes read, after a post was added or changed.
    pub(crate) fn forget_airports(&self) {
        self.0.airports.clear();
    }

    /// Every air post's airport code (empty when none is set), by post.
    pub async fn post_airports(&self) -> Result<HashMap<String, String>, AppError> {
        Ok(self.store().post_airports().await?.into_iter().collect())
    }

    /// Sets the IATA code of air post `code` (three capitals, or empty for
    /// none): the flights arriving at or leaving that airport are screened
    /// for it. Administrators; audited by the store (`post_iata_changed`).
    pub async fn set_post_iata(&self, user: &User, code: &str, iata: &str) -> Result<(), AppError> {
        if user.role != centinela_domain::Role::Admin {
            return Err(AppError::Forbidden("only administrators edit posts".into()));
        }
        let iata = iata.trim().to_uppercase();
        if !self.store().post_airports().await?.iter().any(|(c, _)| c == code) {
            return Err(AppError::NotFound(format!("no air post '{code}'")));
        }
        self.store().set_post_iata(&user.actor(), code, &iata).await?;
        self.forget_airports();
        Ok(())
    }

    /// The codes of the air posts with an airport code.
    pub async fn air_posts(&self) -> Result<Vec<String>, AppError> {
        Ok(self.store().air_posts().await?.into_iter().map(|p| p.code).collect())
    }

    /// The air post a user works for: their own, or for a country-wide
    /// user the one asked for.
    async fn air_post(&self, user: &User, post: Option<&str>) -> Result<(String, String, String), AppError> {
        let code = match (&user.post, post) {
            (Some(mine), Some(asked)) if mine != asked => {
                return Err(AppError::Forbidden("this record belongs to another border post".into()));
            }
            (Some(mine), _) => mine.clone(),
            (None, Some(asked)) => asked.to_string(),
            (None, None) => return Err(AppError::Invalid("post: name the air post".into())),
        };
        let p = self
            .store()
            .air_posts()
            .await?
            .into_iter()
            .find(|p| p.code == code)
            .ok_or_else(|| AppError::NotFound(format!("no air post '{code}' with an airport code")))?;
        Ok((p.code, p.iata, p.time_zone))
    }

    /// The air post's flights arriving or leaving in the next 48 hours and
    /// the last 24, with their hits. Supervisors of the post.
    pub async fn post_flights(&self, user: &User, post: Option<&str>) -> Result<PostFlights, AppError> {
        let (code, iata, zone) = self.air_post(user, post).await?;
        let now = Timestamp::now();
        let from = local(Timestamp::from_unix_seconds(now.unix_seconds() - 24 * 3600).unwrap_or(now), &zone);
        let to = local(Timestamp::from_unix_seconds(now.unix_seconds() + 48 * 3600).unwrap_or(now), &zone);
        let flights =
            self.store().airport_flights(&iata, &code, &from, &to, centinela_store::MAX_FLIGHTS_LISTED).await?;
        Ok(PostFlights {
            post: code,
            iata,
            time_zone: zone,
            flights: flights.into_iter().map(FlightRow::from).collect(),
        })
    }

    /// A flight's manifest with each person's hits at the user's air post.
    /// Audited `flight_viewed`.
    pub async fn flight_view(&self, user: &User, post: Option<&str>, id: i64) -> Result<FlightView, AppError> {
        let (code, iata, zone) = self.air_post(user, post).await?;
        let (flight, manifest) =
            self.store().flight_and_manifest(id).await?.ok_or_else(|| AppError::NotFound(format!("no flight {id}")))?;
        let leg = if flight.destination == iata {
            "arrival"
        } else if flight.origin == iata {
            "departure"
        } else {
            return Err(AppError::NotFound(format!("no flight {id} at this post")));
        };
        let bookings = self.store().flight_bookings(id).await?;
        let hits = self.store().prearrival_hits(id, Some(&code)).await?;
        let mut by_person: HashMap<String, Vec<PrearrivalHitView>> = HashMap::new();
        for h in &hits {
            by_person.entry(h.hit.person.clone()).or_default().push(hit_view(h));
        }
        let persons: Vec<ManifestPerson> = subjects(&flight, &manifest, &bookings)
            .into_iter()
            .map(|s| ManifestPerson {
                hits: by_person.remove(&s.key).unwrap_or_default(),
                role: s.role,
                surnames: s.surnames,
                given_names: s.given_names,
                birth_date: s.birth_date,
                nationality: s.nationality,
                document_number: s.document_number,
                booking: s.booking,
            })
            .collect();
        self.audit(
            Caller::User(user),
            "flight_viewed",
            format!("flight:{id}"),
            json!({ "post": code, "persons": persons.len(), "hits": hits.len() }),
        )
        .await?;
        let open = hits.iter().filter(|h| h.adjudication.is_none()).count() as i64;
        let row =
            FlightRow::from(PostFlight { flight, leg: leg.to_string(), hits: hits.len() as i64, open_hits: open });
        Ok(FlightView { post: code, time_zone: zone, flight: row, persons })
    }

    /// A supervisor of the hit's post confirms or dismisses it with a
    /// reason (the booth's vocabulary). Audited in the store.
    pub async fn adjudicate_prearrival(
        &self,
        user: &User,
        hit_id: i64,
        decision: Verdict,
        reason: &str,
    ) -> Result<PrearrivalDecision, AppError> {
        let hit = self
            .store()
            .prearrival_hit(hit_id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no pre-arrival hit {hit_id}")))?;
        user.check_post(&hit.hit.post)?;
        if reason.trim().is_empty() {
            return Err(AppError::Invalid("reason: an adjudication needs a reason".into()));
        }
        crate::inspections::check_reason(reason)?;
        let a = self.store().adjudicate_prearrival(user.store_actor(), hit_id, decision, reason).await?;
        Ok(PrearrivalDecision { id: a.id, hit_id, decision: a.decision, reason: a.reason, at: a.at })
    }
}

/// The air posts' airport codes by post, with when they were read.
#[derive(Default)]
pub(crate) struct AirportCache(std::sync::Mutex<Option<(std::time::Instant, HashMap<String, String>)>>);

impl AirportCache {
    /// How long codes read are used without asking the database again
    /// (another node of a centre may change them).
    const FRESH: std::time::Duration = std::time::Duration::from_secs(60);

    /// `Some(answer)` while the codes read are fresh.
    fn get(&self, code: &str) -> Option<Option<String>> {
        let held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        held.as_ref().filter(|(at, _)| at.elapsed() < Self::FRESH).map(|(_, m)| m.get(code).cloned())
    }

    fn put(&self, map: HashMap<String, String>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = Some((std::time::Instant::now(), map));
    }

    fn clear(&self) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}
