//! The demo country's airline day (issue 23): flights into each of its air
//! posts on the day before the last, each with its API passenger list
//! (PAXLST) and its PNR pushes (PNRGOV), written with `centinela-edifact`'s
//! writer as a carrier's gateway would send them.
//!
//! The passengers are the year's air travellers (as their crossings write
//! them). Planted among them is a smuggling network: one payer (a card) and
//! one contact (a phone) book several unrelated migrants, one booking each,
//! through one travel agency; one of those migrants crosses at a land post
//! on the last day. Deterministic: a function of the country (its seed).

use std::collections::BTreeSet;

use centinela_domain::{CrossingRecord, Direction};
use centinela_edifact::paxlst::{Flight, FlightPlace, ListKind, Person, PersonRole, TravelDocument};
use centinela_edifact::pnrgov::{Agent, Docs, Leg, Passenger, Payment, Pnr, Seat, Ticket};
use centinela_edifact::{Date, DateTime, Envelope, Header, Interchange, Message, Paxlst, Pnrgov};

use crate::places::AIRLINES;
use crate::{Country, PostKind, Rng};

/// Flights into each air post, and passengers on each (at most).
const FLIGHTS_PER_AIRPORT: usize = 4;
const PASSENGERS_PER_FLIGHT: usize = 30;
/// Migrants the planted payer and contact book.
const PLANTED_MIGRANTS: usize = 5;
/// Where the flights come from.
const ORIGINS: &[&str] = &["MEX", "PTY", "BOG", "MIA", "SAL", "LIM", "MAD", "IAH"];

/// One day of passenger data, as EDIFACT interchanges, and what was planted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AirlineDay {
    /// `YYYY-MM-DD`: the flights' local date of arrival.
    pub date: String,
    /// One interchange per flight: its list, then its PNR push.
    pub interchanges: Vec<String>,
    pub planted: PlantedBookings,
}

/// The planted network: its bookings (carrier, locator), the card and
/// phone they share, and the crossing at a land post of one of its
/// migrants on the last day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlantedBookings {
    pub bookings: Vec<(String, String)>,
    pub card: String,
    pub phone: String,
    pub agency: String,
    pub land_crossing: Option<String>,
}

fn edi_date(iso: &str) -> Option<Date> {
    let mut p = iso.get(..10)?.split('-').map(|x| x.parse::<u16>().ok());
    let (y, m, d) = (p.next()??, p.next()??, p.next()??);
    Date::new(y, u8::try_from(m).ok()?, u8::try_from(d).ok()?)
}

fn at(date: Date, h: u8, m: u8) -> DateTime {
    DateTime { date, time: Some((h, m)) }
}

fn locator(rng: &mut Rng) -> String {
    rng.chars(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 6)
}

fn api_person(c: &CrossingRecord, booking: &str, seat: &str, from: &str, to: &str) -> Person {
    let mut p = Person::new(PersonRole::Passenger, &c.surnames);
    p.given_names = c.given_names.split_whitespace().map(str::to_string).collect();
    p.sex = Some(c.sex.as_str().to_string()).filter(|s| !s.is_empty());
    p.birth_date = c.birth_date.as_ref().and_then(|b| edi_date(&b.to_string()));
    p.nationality = c.nationality.as_ref().map(|n| n.as_str().to_string());
    p.embarkation = Some(from.to_string());
    p.debarkation = Some(to.to_string());
    p.booking = Some(booking.to_string());
    p.seat = Some(seat.to_string());
    if let Some(d) = &c.document_number {
        p.documents.push(TravelDocument {
            kind: if c.document_type.is_empty() { "P".into() } else { c.document_type.clone() },
            number: d.as_str().to_string(),
            issuing_state: c.issuing_state.as_ref().map(|s| s.as_str().to_string()),
            ..TravelDocument::default()
        });
    }
    p
}

fn pnr_passenger(c: &CrossingRecord, reference: &str, ticket: String) -> Passenger {
    Passenger {
        surname: c.surnames.clone(),
        given_names: Some(c.given_names.clone()),
        kind: Some("ADT".into()),
        reference: Some(reference.to_string()),
        tickets: vec![Ticket { number: ticket, kind: Some("T".into()) }],
        documents: c
            .document_number
            .as_ref()
            .map(|d| Docs {
                kind: if c.document_type.is_empty() { "P".into() } else { c.document_type.clone() },
                issuing_state: c.issuing_state.as_ref().map(|s| s.as_str().to_string()),
                number: d.as_str().to_string(),
                nationality: c.nationality.as_ref().map(|n| n.as_str().to_string()),
                birth_date: c.birth_date.as_ref().and_then(|b| edi_date(&b.to_string())),
                sex: Some(c.sex.as_str().to_string()).filter(|s| !s.is_empty()),
                surname: Some(c.surnames.clone()),
                given_names: Some(c.given_names.clone()),
                ..Docs::default()
            })
            .into_iter()
            .collect(),
    }
}

fn header(reference: &str, pnr: bool) -> Header {
    Header {
        reference: reference.to_string(),
        version: if pnr { "11".into() } else { "D".into() },
        release: if pnr { "1".into() } else { "05B".into() },
        agency: if pnr { "IA".into() } else { "UN".into() },
        association: if pnr { None } else { Some("IATA".into()) },
        common_access: None,
        part: None,
    }
}

/// The airline day of `country` (empty when it has no air post).
pub fn airline_day(country: &Country) -> AirlineDay {
    let mut rng = Rng::new(country.config.seed ^ 0xA1_2B_3C_4D);
    let last = country.crossings.iter().map(|c| c.crossed_at.date()).max().unwrap_or_default();
    let day_ts = country.crossings.iter().map(|c| c.crossed_at.unix_seconds()).max().unwrap_or(0) - 86_400;
    let day = centinela_domain::Timestamp::from_unix_seconds(day_ts).map(|t| t.date()).unwrap_or_default();
    let mut out = AirlineDay { date: day.clone(), interchanges: Vec::new(), planted: PlantedBookings::default() };
    let Some(date) = edi_date(&day) else { return out };
    let airports: Vec<(String, String)> = country
        .posts
        .iter()
        .filter(|p| p.kind == PostKind::Air)
        .filter_map(|p| p.code.rsplit_once('-').map(|(_, a)| (p.code.clone(), a.to_string())))
        .filter(|(_, a)| a.len() == 3)
        .collect();
    if airports.is_empty() {
        return out;
    }
    // The year's air travellers, one record per document, in order.
    let mut seen = BTreeSet::new();
    let travellers: Vec<&CrossingRecord> = country
        .crossings
        .iter()
        .filter(|c| c.direction == Direction::Entry && airports.iter().any(|(code, _)| *code == c.post))
        .filter(|c| c.document_number.is_some() && c.birth_date.is_some())
        .filter(|c| seen.insert(c.document_number.as_ref().map(|d| d.as_str().to_string())))
        .collect();
    // The planted migrants: foreigners entering at a land post, unrelated
    // (distinct first surnames), latest first: the first crosses on the
    // last day, after the flight; the others' crossings link them too.
    let mut surnames = BTreeSet::new();
    let migrants: Vec<&CrossingRecord> = country
        .crossings
        .iter()
        .rev()
        .filter(|c| c.direction == Direction::Entry)
        .filter(|c| country.posts.iter().any(|p| p.code == c.post && p.kind == PostKind::Land))
        .filter(|c| c.document_number.is_some() && c.birth_date.is_some())
        .filter(|c| c.nationality.as_ref().is_some_and(|n| *n != country.config.country))
        .filter(|c| surnames.insert(c.surnames.split_whitespace().next().unwrap_or("").to_string()))
        .take(PLANTED_MIGRANTS)
        .collect();
    let planted = PlantedBookings {
        card: format!("XXXXXXXXXXXX{}", rng.digits(4)),
        phone: format!("+52 55 {} {}", rng.digits(4), rng.digits(4)),
        agency: format!("9{}", rng.digits(7)),
        land_crossing: migrants.first().filter(|c| c.crossed_at.date() == last).map(|c| c.crossing_id.clone()),
        bookings: Vec::new(),
    };
    out.planted = planted;
    let mut next = 0usize;
    let mut control = 1000u32;
    for (k, (_, airport)) in airports.iter().enumerate() {
        for f in 0..FLIGHTS_PER_AIRPORT {
            let carrier = rng.weighted(AIRLINES).to_string();
            let number = format!("{carrier}{}", rng.range(100, 999));
            let origin = ORIGINS[(k * FLIGHTS_PER_AIRPORT + f) % ORIGINS.len()].to_string();
            let (dh, ah) = (6 + 3 * f as u8, 8 + 3 * f as u8);
            let (dep, arr) = (at(date, dh, 15), at(date, ah, 40));
            let leg = Leg {
                departure: Some(dep),
                arrival: Some(arr),
                from: origin.clone(),
                to: airport.clone(),
                carrier: carrier.clone(),
                flight: number[carrier.len()..].to_string(),
                class: Some("Y".into()),
            };
            let mut on_board: Vec<&CrossingRecord> = Vec::new();
            // The planted migrants fly on the first flight into the first airport.
            if k == 0 && f == 0 {
                on_board.extend(migrants.iter().copied());
            }
            let n = rng.range(PASSENGERS_PER_FLIGHT as u64 / 2, PASSENGERS_PER_FLIGHT as u64) as usize;
            while on_board.len() < n && next < travellers.len() {
                on_board.push(travellers[next]);
                next += 1;
            }
            let mut persons = Vec::new();
            let mut records = Vec::new();
            let mut i = 0;
            while i < on_board.len() {
                let planted = k == 0 && f == 0 && i < migrants.len();
                // Ordinary bookings hold one or two passengers.
                let size = if planted { 1 } else { 1 + usize::from(rng.chance(0.3)) }.min(on_board.len() - i);
                let loc = locator(&mut rng);
                let booked = Date::new(date.year, date.month, 1).unwrap_or(date);
                let mut pnr = Pnr {
                    carrier: carrier.clone(),
                    locator: loc.clone(),
                    created: Some(at(booked, 10 + (i % 10) as u8, 5)),
                    itinerary: vec![leg.clone()],
                    ..Pnr::default()
                };
                if planted {
                    pnr.agent = Some(Agent {
                        system: "1A".into(),
                        agency: Some(out.planted.agency.clone()),
                        country: Some("MX".into()),
                        ..Agent::default()
                    });
                    pnr.contacts.push(format!("CTCM {}", out.planted.phone));
                    pnr.payments.push(Payment {
                        kind: "CC".into(),
                        vendor: Some("VI".into()),
                        account: Some(out.planted.card.clone()),
                        ..Payment::default()
                    });
                    out.planted.bookings.push((carrier.clone(), loc.clone()));
                } else {
                    pnr.contacts.push(format!("CTCM +502 {} {}", rng.digits(4), rng.digits(4)));
                    pnr.payments.push(if rng.chance(0.2) {
                        Payment { kind: "CA".into(), ..Payment::default() }
                    } else {
                        Payment {
                            kind: "CC".into(),
                            vendor: Some("MC".into()),
                            account: Some(format!("XXXXXXXXXXXX{}", rng.digits(4))),
                            ..Payment::default()
                        }
                    });
                }
                for (j, c) in on_board[i..i + size].iter().enumerate() {
                    let seat = format!("{}{}", 5 + (i + j) / 6, ["A", "B", "C", "D", "E", "F"][(i + j) % 6]);
                    let reference = (j + 1).to_string();
                    persons.push(api_person(c, &loc, &seat, &origin, airport));
                    pnr.passengers.push(pnr_passenger(c, &reference, format!("230{}", rng.digits(10))));
                    pnr.seats.push(Seat { leg: 0, seat, passenger: Some(reference) });
                }
                records.push(pnr);
                i += size;
            }
            let flight = Flight {
                number: number.clone(),
                carrier: Some(carrier.clone()),
                places: vec![
                    FlightPlace { qualifier: "125".into(), airport: origin.clone(), at: Some(dep) },
                    FlightPlace { qualifier: "87".into(), airport: airport.clone(), at: Some(arr) },
                ],
            };
            let total = persons.len() as u32;
            let list = Paxlst {
                header: header("1", false),
                kind: ListKind::Passengers,
                document_id: None,
                references: Vec::new(),
                reporting_party: None,
                flight,
                persons,
                total: Some(total),
            };
            let push = Pnrgov {
                header: header("2", true),
                function: "22".into(),
                sender: Some((carrier.clone(), None)),
                flight: Some(leg),
                stated_count: Some(records.len() as u32),
                records,
            };
            control += 1;
            let interchange = Interchange {
                envelope: Some(Envelope {
                    syntax: "UNOC".into(),
                    syntax_version: 4,
                    sender: carrier.clone(),
                    recipient: format!("{}APIS", country.config.country.as_str()),
                    prepared: at(date, dh.saturating_sub(1), 30),
                    control_reference: control.to_string(),
                    group: None,
                }),
                messages: vec![Message::Paxlst(list), Message::Pnrgov(push)],
                warnings: Vec::new(),
            };
            out.interchanges.push(centinela_edifact::write(&interchange));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Scale, generate};

    #[test]
    fn the_airline_day_reads_back_and_plants_one_payer_for_unrelated_migrants() {
        let country = generate(&Config::new(3, Scale::Small));
        let day = airline_day(&country);
        assert_eq!(day, airline_day(&country), "deterministic");
        assert!(!day.interchanges.is_empty());
        assert!(day.planted.bookings.len() >= 3, "{:?}", day.planted);
        assert!(day.planted.land_crossing.is_some());
        let mut persons = 0;
        let mut planted = 0;
        for text in &day.interchanges {
            let i = centinela_edifact::parse(text.as_bytes(), 2025).unwrap();
            assert!(i.warnings.is_empty(), "{:?}", i.warnings);
            for m in &i.messages {
                match m {
                    Message::Paxlst(p) => persons += p.persons.len(),
                    Message::Pnrgov(p) => {
                        planted += p
                            .records
                            .iter()
                            .filter(|r| r.payments.iter().any(|f| f.account.as_deref() == Some(&day.planted.card)))
                            .count()
                    }
                }
            }
        }
        assert!(persons > 20);
        assert_eq!(planted, day.planted.bookings.len());
    }
}
