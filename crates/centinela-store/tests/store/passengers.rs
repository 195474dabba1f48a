//! Air passenger data (migration 0021): an import is all or nothing and
//! audited; a flight is held once; a later list replaces a person's row in
//! the manifest; every push of a PNR is a new version. On SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::stores;
use centinela_store::{ApiPerson, BookingPassenger, NewBooking, NewFlight, NewPassengerMessage, StoreError};

fn flight() -> NewFlight {
    NewFlight {
        carrier: "CM".into(),
        number: "CM421".into(),
        origin: "PTY".into(),
        destination: "GUA".into(),
        departure_date: "2026-12-06".into(),
        departs_at: Some("2026-12-06T15:30".into()),
        arrives_at: None,
    }
}

fn person(surnames: &str, seat: &str) -> ApiPerson {
    ApiPerson {
        role: "passenger".into(),
        surnames: surnames.into(),
        given_names: "ANA".into(),
        birth_date: Some("1990-01-02".into()),
        document_number: Some(format!("P{surnames}")),
        seat: Some(seat.into()),
        ..ApiPerson::default()
    }
}

fn paxlst(persons: Vec<ApiPerson>, arrives: Option<&str>) -> NewPassengerMessage {
    let mut f = flight();
    f.arrives_at = arrives.map(str::to_string);
    NewPassengerMessage {
        kind: "PAXLST",
        flight: Some(f),
        reference: "PAX1".into(),
        sender: "CM".into(),
        interchange: "1".into(),
        part: 1,
        warnings: 0,
        persons,
        bookings: Vec::new(),
    }
}

fn pnrgov(locator: &str, payment: &str) -> NewPassengerMessage {
    NewPassengerMessage {
        kind: "PNRGOV",
        flight: Some(flight()),
        reference: "1".into(),
        sender: "CM".into(),
        interchange: "2".into(),
        part: 1,
        warnings: 1,
        persons: Vec::new(),
        bookings: vec![NewBooking {
            carrier: "CM".into(),
            locator: locator.into(),
            payment_kind: Some(payment.into()),
            contact: "CTCM 5076000111".into(),
            itinerary: "[]".into(),
            passengers: vec![BookingPassenger {
                surnames: "RIOS".into(),
                given_names: "ANA".into(),
                tickets: "2302412345678".into(),
                ..BookingPassenger::default()
            }],
            ..NewBooking::default()
        }],
    }
}

#[tokio::test]
async fn imports_are_audited_flights_held_once_manifests_latest_and_pnrs_versioned() {
    for (store, _dir) in stores().await {
        let first = paxlst(vec![person("RIOS", "1A"), person("LOPEZ", "2B")], None);
        let r = store.import_passenger_messages("cli", "file:cm421.edi", "aa", &[first]).await.unwrap();
        assert_eq!((r.messages.len(), r.flights.len(), r.persons, r.bookings), (1, 1, 2, 0));
        let flight_id = r.flights[0];
        // A later list: RIOS moved seat, PEREZ added; the flight gains its arrival.
        let later = paxlst(vec![person("RIOS", "9C"), person("PEREZ", "3C")], Some("2026-12-06T17:05"));
        let push = pnrgov("QX7Z2P", "CA");
        let r = store.import_passenger_messages("user:1", "api", "bb", &[later, push]).await.unwrap();
        assert_eq!((r.messages.len(), r.flights, r.persons, r.bookings), (2, vec![flight_id], 2, 1));
        let manifest = store.flight_manifest(flight_id).await.unwrap();
        let seats: Vec<(&str, Option<&str>)> =
            manifest.iter().map(|p| (p.surnames.as_str(), p.seat.as_deref())).collect();
        assert_eq!(seats, vec![("LOPEZ", Some("2B")), ("RIOS", Some("9C")), ("PEREZ", Some("3C"))]);
        let flights = store.flights_between("2026-12-06", "2026-12-07", 10).await.unwrap();
        assert_eq!(flights.len(), 1);
        assert_eq!((flights[0].persons, flights[0].bookings), (3, 1));
        assert_eq!(flights[0].arrives_at.as_deref(), Some("2026-12-06T17:05"));
        assert!(store.flights_between("2026-12-07", "2026-12-08", 10).await.unwrap().is_empty());
        // The PNR pushed again (at check-in): version 2, paid otherwise.
        store.import_passenger_messages("cli", "file:b.edi", "cc", &[pnrgov("QX7Z2P", "CC")]).await.unwrap();
        let versions = store.booking_versions("CM", "QX7Z2P").await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(versions[1].booking.payment_kind.as_deref(), Some("CC"));
        assert_eq!(versions[0].booking.passengers[0].tickets, "2302412345678");
        // Audited, with counts and never a name.
        let audit = store.audit_entries(None).await.unwrap();
        let entries: Vec<_> = audit.iter().filter(|e| e.action == "passengers_imported").collect();
        assert_eq!(entries.len(), 3);
        assert!(entries[1].detail.contains("\"persons\":2") && entries[1].detail.contains("\"bookings\":1"));
        assert!(audit.iter().all(|e| !e.detail.contains("RIOS")));
        // All or nothing: a bad message refuses the whole import.
        let mut bad = paxlst(vec![person("NUEVO", "5A")], None);
        bad.flight = None;
        let e = store.import_passenger_messages("cli", "api", "dd", &[pnrgov("ZZZZZZ", "CA"), bad]).await;
        assert!(matches!(e, Err(StoreError::Invalid(_))));
        assert!(store.booking_versions("CM", "ZZZZZZ").await.unwrap().is_empty());
        assert!(matches!(store.import_passenger_messages("cli", "api", "ee", &[]).await, Err(StoreError::Invalid(_))));
    }
}
