//! Pre-arrival screening's records (migration 0023): air posts get their
//! IATA code (seeded, edited, audited); a screening's hits are stored once
//! per flight, post, person and cause; adjudications are append-only and
//! audited; an airport's flights come with their hit counts. On SQLite and
//! (with `CENTINELA_TEST_PG`) PostgreSQL.

use centinela_domain::{CountryCode, Role};
use centinela_store::{
    Actor, NewFlight, NewPassengerMessage, NewPost, NewPrearrivalHit, PostKind, StoreError, Verdict,
};

use crate::common::stores;

fn hit(person: &str, source: &str) -> NewPrearrivalHit {
    NewPrearrivalHit {
        post: "GTM-GUA".into(),
        leg: "arrival",
        person: person.into(),
        role: "passenger".into(),
        surnames: "RIOS".into(),
        given_names: "ANA".into(),
        birth_date: Some("1990-05-17".into()),
        nationality: Some("GTM".into()),
        document_number: Some("G1234567".into()),
        booking: Some("CM/ABC123".into()),
        kind: "list_person",
        source: source.into(),
        entry_id: "W-9".into(),
        score: 0.87,
        action: "secondary_inspection".into(),
        reason: "ANA RIOS (1990-05-17)".into(),
        detail: "[]".into(),
    }
}

#[tokio::test]
async fn air_posts_hits_and_adjudications() {
    for (store, _dir) in stores().await {
        for (code, kind) in
            [("GTM-GUA", PostKind::Air), ("GTM-TECUNUMAN", PostKind::Land), ("GTM-NUEVO", PostKind::Air)]
        {
            let p = NewPost { code, name: code, country: CountryCode::parse("GTM").unwrap(), facing: "", kind };
            store.add_post("system", &p).await.unwrap();
        }
        // The known airport is seeded; an unknown air post has none until set.
        let airports = store.post_airports().await.unwrap();
        assert_eq!(airports, [("GTM-GUA".to_string(), "GUA".to_string()), ("GTM-NUEVO".to_string(), String::new())]);
        assert_eq!(store.air_posts().await.unwrap().len(), 1);
        assert!(matches!(store.set_post_iata("cli", "GTM-NUEVO", "gu1").await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.set_post_iata("cli", "NOPE", "XXX").await, Err(StoreError::NotFound(_))));
        store.set_post_iata("cli", "GTM-NUEVO", "FRS").await.unwrap();
        assert_eq!(store.post_iata("GTM-NUEVO").await.unwrap(), "FRS");

        let soon = "2026-12-06T16:45";
        let msg = NewPassengerMessage {
            kind: "PAXLST",
            flight: Some(NewFlight {
                carrier: "CM".into(),
                number: "CM421".into(),
                origin: "PTY".into(),
                destination: "GUA".into(),
                departure_date: "2026-12-06".into(),
                departs_at: Some("2026-12-06T15:30".into()),
                arrives_at: Some(soon.into()),
            }),
            reference: "1".into(),
            part: 1,
            ..NewPassengerMessage::default()
        };
        let flight = store.import_passenger_messages("cli", "api", "00", &[msg]).await.unwrap().flights[0];

        let first =
            store.record_prearrival(flight, &["d1".into(), "d2".into()], &[hit("RIOS|ANA", "interpol-red")]).await;
        assert_eq!(first.unwrap().len(), 1);
        // Screened again: the same hit is not raised twice; a new cause is.
        let again = store
            .record_prearrival(flight, &["d1".into()], &[hit("RIOS|ANA", "interpol-red"), hit("RIOS|ANA", "nacional")])
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        let held = store.prearrival_screened(flight).await.unwrap();
        assert_eq!(held.len(), 2);
        let hits = store.prearrival_hits(flight, Some("GTM-GUA")).await.unwrap();
        assert_eq!(hits.len(), 2);
        assert!(store.prearrival_hits(flight, Some("GTM-TECUNUMAN")).await.unwrap().is_empty());
        assert_eq!(hits[0].hit.score, 0.87);

        let listed = store.airport_flights("GUA", "GTM-GUA", "2026-12-05T00:00", "2026-12-08T00:00", 10).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!((listed[0].leg.as_str(), listed[0].hits, listed[0].open_hits), ("arrival", 2, 2));
        let leaving =
            store.airport_flights("PTY", "GTM-GUA", "2026-12-05T00:00", "2026-12-08T00:00", 10).await.unwrap();
        assert_eq!((leaving[0].leg.as_str(), leaving[0].hits), ("departure", 2));
        assert!(
            store
                .airport_flights("GUA", "GTM-GUA", "2026-12-07T00:00", "2026-12-08T00:00", 10)
                .await
                .unwrap()
                .is_empty()
        );

        let sup = Actor { user_id: 7, username: "sup", role: Role::Supervisor };
        assert!(matches!(
            store.adjudicate_prearrival(sup, hits[0].id, Verdict::Dismissed, "  ").await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.adjudicate_prearrival(sup, 99_999, Verdict::Dismissed, "x").await,
            Err(StoreError::NotFound(_))
        ));
        store.adjudicate_prearrival(sup, hits[0].id, Verdict::Confirmed, "es ella").await.unwrap();
        let a = store.adjudicate_prearrival(sup, hits[0].id, Verdict::Dismissed, "otra fecha").await.unwrap();
        let now = store.prearrival_hit(hits[0].id).await.unwrap().unwrap().adjudication.unwrap();
        assert_eq!((now.id, now.decision.as_str(), now.reason.as_str()), (a.id, "dismissed", "otra fecha"));
        let listed = store.airport_flights("GUA", "GTM-GUA", "2026-12-05T00:00", "2026-12-08T00:00", 10).await.unwrap();
        assert_eq!(listed[0].open_hits, 1);

        let audit = store.audit_entries(None).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions.iter().filter(|a| **a == "prearrival_screened").count(), 2);
        assert_eq!(actions.iter().filter(|a| **a == "prearrival_hit_adjudicated").count(), 2);
        assert!(actions.contains(&"post_iata_changed"));
        for e in &audit {
            assert!(!e.detail.contains("RIOS") && !e.detail.contains("G1234567"), "{}", e.detail);
        }

        // Pre-arrival hits last as long as a booth's hits, counted from the
        // day the flight left (06/12/2026), adjudications with them.
        let left = 1_796_515_200; // 2026-12-06T00:00:00Z
        let keep = centinela_store::Retention::default();
        let r = store.purge("system", &keep, left + 365 * 86_400, false).await.unwrap();
        assert_eq!(r.prearrival_hits, 0);
        let r = store.purge("system", &keep, left + (u64::from(keep.hits_days) + 1) * 86_400, false).await.unwrap();
        assert_eq!(r.prearrival_hits, hits.len() as u64);
        assert!(store.prearrival_hits(flight, Some("GTM-GUA")).await.unwrap().is_empty());
    }
}
