//! Property tests: what the writer writes the reader reads back equal, for
//! both message types; arbitrary bytes, and valid interchanges cut or with
//! bytes changed, never panic.

use centinela_edifact::paxlst::{
    Address, Flight, FlightPlace, ListKind, Person, PersonRole, ReportingParty, TravelDocument,
};
use centinela_edifact::pnrgov::{Agent, Baggage, Docs, Leg, Passenger, Payment, Pnr, Seat, Ticket};
use centinela_edifact::{Date, DateTime, Envelope, Header, Interchange, Message, Part, Paxlst, Pnrgov, parse, write};
use proptest::option::of;
use proptest::prelude::*;

/// Values with every service character in them.
fn value() -> impl Strategy<Value = String> {
    "[A-Z0-9 ?:+'*.ÑÁ-]{1,12}"
}

/// Values that go inside SSR DOCS's slash-separated text.
fn plain() -> impl Strategy<Value = String> {
    "[A-Z0-9][A-Z0-9 ]{0,8}"
}

fn code() -> impl Strategy<Value = String> {
    "[A-Z]{3}"
}

fn date(years: std::ops::RangeInclusive<u16>) -> impl Strategy<Value = Date> {
    (years, 1u8..=12, 1u8..=28).prop_map(|(y, m, d)| Date::new(y, m, d).unwrap())
}

fn datetime(years: std::ops::RangeInclusive<u16>) -> impl Strategy<Value = DateTime> {
    (date(years), of((0u8..24, 0u8..60))).prop_map(|(date, time)| DateTime { date, time })
}

fn header() -> impl Strategy<Value = Header> {
    ("[0-9A-Z]{1,14}", of("IATA|IA"), of(value()), of((1u16..99, any::<bool>()))).prop_map(
        |(reference, association, common_access, part)| Header {
            reference,
            version: "D".into(),
            release: "05B".into(),
            agency: "UN".into(),
            association,
            common_access,
            part: part.map(|(sequence, last)| Part { sequence, last }),
        },
    )
}

fn address() -> impl Strategy<Value = Address> {
    (value(), of(value()), of(value()), of(value()), of(code()))
        .prop_map(|(s, city, region, postcode, country)| Address { street: Some(s), city, region, postcode, country })
}

fn person() -> impl Strategy<Value = Person> {
    let role = prop_oneof![
        Just(PersonRole::Passenger),
        Just(PersonRole::Crew),
        Just(PersonRole::TransitPassenger),
        Just(PersonRole::TransitCrew)
    ];
    let doc = ("[PVIAC]", value(), of(date(1990..=2060)), of(date(1990..=2060)), of(code())).prop_map(
        |(kind, number, expiry, issued, issuing_state)| TravelDocument { kind, number, expiry, issued, issuing_state },
    );
    (
        (role, value(), prop::collection::vec(value(), 0..3), of(address()), of("[MFUX]"), of(date(1927..=2026))),
        (of(code()), of(code()), of(code()), of(code()), of(value()), of(code())),
        (of(value()), of(value()), prop::collection::vec(("ABO|CR|ZZZ", value()), 0..2)),
        (prop::collection::vec(value(), 0..2), prop::collection::vec(doc, 0..3)),
    )
        .prop_map(|(a, b, c, d)| {
            let mut p = Person::new(a.0, &a.1);
            p.given_names = a.2;
            p.address = a.3;
            p.sex = a.4;
            p.birth_date = a.5;
            (p.embarkation, p.debarkation, p.clearance, p.residence, p.birth_place, p.nationality) = b;
            (p.booking, p.seat, p.references) = (c.0, c.1, c.2);
            (p.contacts, p.documents) = d;
            p
        })
}

fn paxlst() -> impl Strategy<Value = Paxlst> {
    let kind = prop_oneof![Just(ListKind::Passengers), Just(ListKind::Crew), Just(ListKind::Other("266".into()))];
    let place = ("125|87|92", code(), of(datetime(1990..=2060))).prop_map(|(qualifier, airport, at)| FlightPlace {
        qualifier,
        airport,
        at,
    });
    let flight = (value(), of("[A-Z0-9]{2}"), prop::collection::vec(place, 0..4))
        .prop_map(|(number, carrier, places)| Flight { number, carrier, places });
    let party = (value(), of(value()), of(value())).prop_map(|(name, phone, fax)| ReportingParty { name, phone, fax });
    (
        header(),
        kind,
        of(value()),
        prop::collection::vec(("TN|ABO", value()), 0..2),
        of(party),
        flight,
        prop::collection::vec(person(), 0..6),
        of(0u32..1000),
    )
        .prop_map(|(header, kind, document_id, references, reporting_party, flight, persons, total)| Paxlst {
            header,
            kind,
            document_id,
            references,
            reporting_party,
            flight,
            persons,
            total,
        })
}

fn leg() -> impl Strategy<Value = Leg> {
    (of(datetime(1990..=2060)), of(datetime(1990..=2060)), code(), code(), "[A-Z0-9]{2}", "[0-9]{1,4}", of("[A-Z]"))
        .prop_map(|(departure, arrival, from, to, carrier, flight, class)| Leg {
            departure,
            arrival,
            from,
            to,
            carrier,
            flight,
            class,
        })
}

fn pnr() -> impl Strategy<Value = Pnr> {
    let docs = (
        "[PIV]",
        of(code()),
        plain(),
        of(code()),
        of(date(1927..=2026)),
        of("M|F|MI|FI|X"),
        of(date(1990..=2060)),
        of(plain()),
        of(plain()),
    )
        .prop_map(|(kind, issuing_state, number, nationality, birth_date, sex, expiry, surname, given_names)| Docs {
            kind,
            issuing_state,
            number,
            nationality,
            birth_date,
            sex,
            expiry,
            surname,
            given_names,
        });
    let ticket = ("[0-9]{13}", of("T|Y")).prop_map(|(number, kind)| Ticket { number, kind });
    let passenger = (
        value(),
        of(value()),
        of("ADT|CHD|INF"),
        of("[0-9]{1,2}"),
        prop::collection::vec(ticket, 0..2),
        prop::collection::vec(docs, 0..2),
    )
        .prop_map(|(surname, given_names, kind, reference, tickets, documents)| Passenger {
            surname,
            given_names,
            kind,
            reference,
            tickets,
            documents,
        });
    let payment = ("CA|CC|CK|MS", of("[0-9]{1,5}\\.[0-9]{2}"), of("VI|CA|AX"), of(value()), of("[0-9]{4}"))
        .prop_map(|(kind, amount, vendor, account, expiry)| Payment { kind, amount, vendor, account, expiry });
    let agent = (value(), of(value()), of("[0-9]{8}"), of(code()))
        .prop_map(|(system, location, agency, country)| Agent { system, location, agency, country });
    (
        (
            "[A-Z0-9]{2}",
            "[A-Z0-9]{6}",
            of(datetime(2000..=2026)),
            prop::collection::vec(("[A-Z0-9]{2}", "[A-Z0-9]{6}"), 0..2),
        ),
        (prop::collection::vec("[A-Z0-9]{6}", 0..2), of(agent), prop::collection::vec(value(), 0..3)),
        (prop::collection::vec(address(), 0..2), prop::collection::vec(payment, 0..2)),
        (prop::collection::vec(passenger, 0..4), prop::collection::vec(leg(), 0..3)),
        (
            prop::collection::vec((0usize..3, value(), of("[0-9]")), 0..4),
            prop::collection::vec(
                (0usize..3, 0u32..9, of(0u32..99), of("700|701"), of(("[A-Z]{2}", "[0-9]{10}", 1u32..5)), of("[0-9]")),
                0..3,
            ),
        ),
    )
        .prop_map(|(a, b, c, d, e)| {
            let legs = d.1.len();
            let mut seats: Vec<Seat> =
                e.0.into_iter()
                    .filter(|_| legs > 0)
                    .map(|(l, seat, passenger)| Seat { leg: l % legs.max(1), seat, passenger })
                    .collect();
            seats.sort_by_key(|s| s.leg);
            let mut baggage: Vec<Baggage> =
                e.1.into_iter()
                    .filter(|_| legs > 0)
                    .map(|(l, pieces, weight, unit, tags, passenger)| Baggage {
                        leg: l % legs.max(1),
                        pieces,
                        weight,
                        unit,
                        tags,
                        passenger,
                    })
                    .collect();
            baggage.sort_by_key(|b| b.leg);
            Pnr {
                carrier: a.0,
                locator: a.1,
                created: a.2,
                other_locators: a.3,
                split: b.0,
                agent: b.1,
                contacts: b.2,
                addresses: c.0,
                payments: c.1,
                passengers: d.0,
                itinerary: d.1,
                seats,
                baggage,
            }
        })
}

fn pnrgov() -> impl Strategy<Value = Pnrgov> {
    (header(), of(("[A-Z0-9]{2}", of(code()))), of(leg()), of(0u32..50), prop::collection::vec(pnr(), 0..4)).prop_map(
        |(mut header, sender, flight, stated_count, records)| {
            header.version = "11".into();
            header.release = "1".into();
            header.agency = "IA".into();
            Pnrgov { header, function: "22".into(), sender, flight, stated_count, records }
        },
    )
}

fn interchange() -> impl Strategy<Value = Interchange> {
    let message = prop_oneof![paxlst().prop_map(Message::Paxlst), pnrgov().prop_map(Message::Pnrgov)];
    (prop::collection::vec(message, 1..4), of(("[A-Z0-9]{1,8}", "[A-Z0-9]{1,8}")), "[0-9]{1,14}").prop_map(
        |(messages, group, control_reference)| Interchange {
            envelope: Some(Envelope {
                syntax: "UNOC".into(),
                syntax_version: 4,
                sender: "CM".into(),
                recipient: "GTMUIP".into(),
                prepared: DateTime { date: Date::new(2026, 12, 6).unwrap(), time: Some((14, 5)) },
                control_reference,
                group,
            }),
            messages,
            warnings: Vec::new(),
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn written_interchanges_read_back_equal(i in interchange()) {
        let text = write(&i);
        let back = parse(text.as_bytes(), 1999).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back.messages, &i.messages, "{}", text);
        prop_assert_eq!(&back.envelope, &i.envelope);
        let structural: Vec<_> = back.warnings.iter()
            .filter(|w| !matches!(w.kind, centinela_edifact::WarningKind::PersonCountMismatch))
            .collect();
        prop_assert!(structural.is_empty(), "{:?}\n{}", structural, text);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse(&bytes, 2026);
    }

    #[test]
    fn damaged_interchanges_never_panic(i in interchange(), cut in any::<prop::sample::Index>(),
                                        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8)) {
        let mut bytes = write(&i).into_bytes();
        for (at, b) in edits {
            let k = at.index(bytes.len());
            bytes[k] = b;
        }
        let n = cut.index(bytes.len() + 1);
        if let Err(e) = parse(&bytes[..n], 2026) {
            // Every error can be shown in both languages.
            prop_assert!(!e.to_string().is_empty() && !e.es().is_empty());
        }
    }
}
