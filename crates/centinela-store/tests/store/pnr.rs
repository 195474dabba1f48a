//! PNR depersonalisation and links (migration 0024): masking moves the
//! identifying values to the vault and blanks them, links survive it
//! through keyed digests, deletion removes everything; the booth finds an
//! arriving API record by document and links the crossing once, audited.
//! On SQLite and (with `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::stores;
use centinela_store::{ApiPerson, BookingPassenger, NewBooking, NewFlight, NewPassengerMessage, Retention, StoreError};

fn flight() -> NewFlight {
    NewFlight {
        carrier: "CM".into(),
        number: "CM421".into(),
        origin: "PTY".into(),
        destination: "GUA".into(),
        departure_date: "2026-12-06".into(),
        departs_at: Some("2026-12-06T15:30".into()),
        arrives_at: Some("2026-12-06T17:05".into()),
    }
}

fn booking(locator: &str, account: &str, contact: &str, surname: &str) -> NewBooking {
    NewBooking {
        carrier: "CM".into(),
        locator: locator.into(),
        payment_kind: Some("CC".into()),
        payment_account: Some(account.into()),
        contact: contact.into(),
        agency: Some("12345678".into()),
        agency_country: Some("PA".into()),
        itinerary: "[]".into(),
        passengers: vec![BookingPassenger {
            surnames: surname.into(),
            given_names: "ANA".into(),
            birth_date: Some("1990-01-02".into()),
            nationality: Some("ECU".into()),
            document_number: Some(format!("P{surname}")),
            tickets: "2302412345678".into(),
            seats: "12A".into(),
            ..BookingPassenger::default()
        }],
        ..NewBooking::default()
    }
}

fn pnrgov(bookings: Vec<NewBooking>) -> NewPassengerMessage {
    NewPassengerMessage {
        kind: "PNRGOV",
        flight: Some(flight()),
        reference: "1".into(),
        sender: "CM".into(),
        interchange: "2".into(),
        part: 1,
        persons: Vec::new(),
        bookings,
        ..NewPassengerMessage::default()
    }
}

#[tokio::test]
async fn masking_keeps_links_and_moves_values_to_the_vault_then_deletion_removes_all() {
    for (store, _dir) in stores().await {
        let msg = pnrgov(vec![
            booking("AAA111", "XXXXXXXXXXXX4242", "CTCM +507 6000 0111", "RIOS"),
            booking("BBB222", "xxxx xxxx xxxx 4242", "CTCE AGENTE//MAIL.COM", "LOPEZ"),
            booking("CCC333", "XXXXXXXXXXXX9999", "CTCH 00 507 6000 0111", "PEREZ"),
            booking("DDD444", "XXXXXXXXXXXX1111", "CTCM 5550001234", "DIAZ"),
        ]);
        store.import_passenger_messages("cli", "api", "aa", &[msg]).await.unwrap();
        let links = store.linked_bookings("CM", "AAA111").await.unwrap();
        let got: Vec<(&str, Vec<&str>)> =
            links.iter().map(|l| (l.locator.as_str(), l.shared.iter().map(String::as_str).collect())).collect();
        // Same payer (BBB222), same phone written otherwise (CCC333); all
        // share the agency.
        assert_eq!(
            got,
            vec![
                ("BBB222", vec!["agency", "payer"]),
                ("CCC333", vec!["agency", "contact"]),
                ("DDD444", vec!["agency"])
            ]
        );
        // Nothing to mask yet (received now): the purge's default periods.
        let now = centinela_store::now_rfc3339();
        let r = store.purge("cli", &Retention::default(), unix_now(), false).await.unwrap();
        assert_eq!((r.pnr_masked, r.pnr_deleted), (0, 0));
        // A dry run with a period of 0 days counts and changes nothing,
        // even in the very second the bookings arrived.
        let zero = Retention { pnr_mask_days: 0, ..Retention::default() };
        let received = &store.booking_versions("CM", "AAA111").await.unwrap()[0].received_at;
        let same_second = centinela_domain::Timestamp::parse(received).unwrap().unix_seconds() as u64;
        let r = store.purge("cli", &zero, same_second, true).await.unwrap();
        assert_eq!((r.pnr_masked, r.pnr_deleted), (4, 0));
        let later = unix_now() + 10;
        assert!(store.booking_versions("CM", "AAA111").await.unwrap()[0].masked_at.is_none());
        let r = store.purge("system", &zero, later, false).await.unwrap();
        assert_eq!((r.pnr_masked, r.pnr_deleted), (4, 0));
        let v = &store.booking_versions("CM", "AAA111").await.unwrap()[0];
        assert!(v.masked_at.is_some());
        assert_eq!((v.booking.payment_account.as_deref(), v.booking.contact.as_str()), (None, ""));
        let p = &v.booking.passengers[0];
        assert_eq!(
            (p.surnames.as_str(), p.document_number.as_deref(), p.birth_date.as_deref()),
            ("", None, Some("1990"))
        );
        assert_eq!((p.nationality.as_deref(), p.tickets.as_str(), p.seats.as_str()), (Some("ECU"), "", ""));
        // Links survive masking.
        assert_eq!(store.linked_bookings("CM", "AAA111").await.unwrap().len(), 3);
        assert!(store.linked_bookings("CM", "AAA111").await.unwrap().iter().all(|l| l.masked));
        // The vault holds the values.
        let vault = store.booking_vault(v.id).await.unwrap().unwrap();
        assert_eq!(vault.payment_account.as_deref(), Some("XXXXXXXXXXXX4242"));
        assert_eq!(vault.passengers[0].surnames, "RIOS");
        assert_eq!(vault.passengers[0].document_number.as_deref(), Some("PRIOS"));
        // Masking again changes nothing; audited once with counts only.
        let r = store.purge("system", &zero, later, false).await.unwrap();
        assert_eq!(r.pnr_masked, 0);
        let audit = store.audit_entries(None).await.unwrap();
        let masked: Vec<_> = audit.iter().filter(|e| e.action == "pnr_depersonalised").collect();
        assert_eq!(masked.len(), 1);
        assert!(masked[0].detail.contains("\"masked\":4"));
        assert!(audit.iter().all(|e| !e.detail.contains("RIOS") && !e.detail.contains("4242")));
        // Deleted after their period.
        let gone = Retention { pnr_mask_days: 0, pnr_days: 0, ..Retention::default() };
        let r = store.purge("system", &gone, later, false).await.unwrap();
        assert_eq!(r.pnr_deleted, 4);
        assert!(store.booking_versions("CM", "AAA111").await.unwrap().is_empty());
        assert!(store.booking_vault(v.id).await.unwrap().is_none());
        assert!(store.linked_bookings("CM", "BBB222").await.unwrap().is_empty());
        let _ = now;
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

#[tokio::test]
async fn the_booth_finds_an_arriving_api_record_and_links_the_crossing_once() {
    for (store, _dir) in stores().await {
        let person = ApiPerson {
            role: "passenger".into(),
            surnames: "RIOS".into(),
            given_names: "ANA".into(),
            birth_date: Some("1990-01-02".into()),
            document_number: Some("P123456".into()),
            document_issuer: Some("ECU".into()),
            booking: Some("AAA111".into()),
            ..ApiPerson::default()
        };
        let msg = NewPassengerMessage {
            kind: "PAXLST",
            flight: Some(flight()),
            reference: "P1".into(),
            part: 1,
            persons: vec![person],
            ..NewPassengerMessage::default()
        };
        store.import_passenger_messages("cli", "api", "aa", &[msg]).await.unwrap();
        let found = store
            .arriving_api_person("GUA", "2026-12-06", "2026-12-07", "P123456", Some("ECU"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((found.flight.as_str(), found.person.booking.as_deref()), ("CM421", Some("AAA111")));
        // Another issuer, another airport or another day: not this record.
        for (airport, from, to, issuer) in [
            ("GUA", "2026-12-06", "2026-12-07", "PER"),
            ("SAL", "2026-12-06", "2026-12-07", "ECU"),
            ("GUA", "2026-12-07", "2026-12-08", "ECU"),
        ] {
            let r = store.arriving_api_person(airport, from, to, "P123456", Some(issuer)).await.unwrap();
            assert!(r.is_none(), "{airport} {from} {issuer}");
        }
        store.link_crossing_api_person("user:3", "X-1", found.api_person_id).await.unwrap();
        assert_eq!(store.crossing_api_person("X-1").await.unwrap(), Some(found.api_person_id));
        let again = store.link_crossing_api_person("user:3", "X-1", found.api_person_id).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))));
        assert!(matches!(store.link_crossing_api_person("user:3", "X-2", 999_999).await, Err(StoreError::NotFound(_))));
        let audit = store.audit_entries(None).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "crossing_api_linked").count(), 1);

        // The API list serves the arrival: the purge keeps it for its
        // period (183 days by default), then deletes it with the
        // crossing's link to it (the flight left on 06/12/2026).
        let day = 86_400;
        let left = 1_796_515_200; // 2026-12-06T00:00:00Z
        let r = store.purge("system", &Retention::default(), left + 30 * day, false).await.unwrap();
        assert_eq!(r.api_persons, 0);
        assert_eq!(store.flight_manifest(found.flight_id).await.unwrap().len(), 1);
        // Its own period, not the PNR's: masking PNRs at once keeps it.
        let mask_now = Retention { pnr_mask_days: 0, ..Retention::default() };
        let r = store.purge("system", &mask_now, left + 30 * day, false).await.unwrap();
        assert_eq!(r.api_persons, 0);
        let r = store.purge("system", &Retention::default(), left + 200 * day, false).await.unwrap();
        assert_eq!(r.api_persons, 1);
        assert!(store.flight_manifest(found.flight_id).await.unwrap().is_empty());
        assert_eq!(store.crossing_api_person("X-1").await.unwrap(), None);
    }
}
