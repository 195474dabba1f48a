//! Migration 0022: the chip's trust anchors travel from the centre to a
//! post (each version installed whole and audited, a bad anchor skipped),
//! a stale CRL is named unless a newer one of its issuer is held; faces are
//! stored with a crossing (audited, once per kind), documents seen with two
//! faces are found, and the retention purge removes the faces with the
//! crossing. On SQLite and (with `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::stores;
use centinela_domain::{CountryCode, CrossingRecord, Direction, DocumentNumber, Role, Sex, Timestamp};
use centinela_store::{NewAnchor, NewInspection, Retention, Store, StoreError};
use sha2::Digest;

fn fp(der: &[u8]) -> String {
    sha2::Sha256::digest(der).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn trust_anchors_reach_a_post_version_by_version_audited() {
    for (centre, _dir) in stores().await {
        let (d1, d2, d3) = (b"\x30\x01\x01".to_vec(), b"\x30\x01\x02".to_vec(), b"\x30\x01\x03".to_vec());
        let (f1, f2, f3) = (fp(&d1), fp(&d2), fp(&d3));
        let a = |kind, f: &'static str, d: &'static [u8], to: &'static str| NewAnchor {
            kind,
            fingerprint: f,
            country: "UT",
            subject: "CN=CSCA Utopia,C=UT",
            valid_from: "2026-01-01T00:00:00Z",
            valid_to: Some(to),
            der: d,
        };
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        let leakb = |v: Vec<u8>| -> &'static [u8] { Box::leak(v.into_boxed_slice()) };
        let (f1, f2, f3) = (leak(f1), leak(f2), leak(f3));
        let (d1, d2, d3) = (leakb(d1), leakb(d2), leakb(d3));
        centre
            .import_trust_anchors("cli", "csca", "csca.der", "aa", &[a("csca", f1, d1, "2031-01-01T00:00:00Z")])
            .await
            .unwrap();
        centre
            .import_trust_anchors("cli", "crl", "old.crl", "bb", &[a("crl", f2, d2, "2026-02-01T00:00:00Z")])
            .await
            .unwrap();

        // Nothing held at the post yet: both versions, in order.
        let delta = centre.pki_since(0).await.unwrap();
        assert_eq!(delta.versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(delta.to, 2);
        assert!(centre.pki_since(2).await.unwrap().versions.is_empty());

        let dir = tempfile::tempdir().unwrap();
        let post = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
        assert_eq!(post.pki_mark().await.unwrap(), 0);
        // A tampered anchor (DER not matching its fingerprint) is skipped.
        let mut tampered = delta.clone();
        tampered.versions[0].anchors[0].der.replace_range(0..2, "31");
        let done = post.apply_pki_delta(&tampered).await.unwrap();
        assert_eq!((done.versions, done.added, done.skipped), (2, 1, 1));
        assert_eq!(post.pki_mark().await.unwrap(), 2);
        let held = post.trust_anchors().await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].kind, "crl");
        // Each version installed is audited as the centre's.
        let audit = post.audit_entries(None).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "pki_synced" && e.actor == "central").count(), 2);

        // The CRL is past its next update; a newer one of the same issuer
        // answers the warning.
        let now = "2026-06-01T00:00:00Z";
        assert_eq!(
            post.stale_crls(now).await.unwrap(),
            vec![("CN=CSCA Utopia,C=UT".into(), "2026-02-01T00:00:00Z".into())]
        );
        centre
            .import_trust_anchors("cli", "crl", "new.crl", "cc", &[a("crl", f3, d3, "2026-09-01T00:00:00Z")])
            .await
            .unwrap();
        let next = centre.pki_since(post.pki_mark().await.unwrap()).await.unwrap();
        assert_eq!(next.versions.len(), 1);
        post.apply_pki_delta(&next).await.unwrap();
        assert!(post.stale_crls(now).await.unwrap().is_empty());
        // Applying the same delta again installs a version, adds nothing.
        let again = post.apply_pki_delta(&next).await.unwrap();
        assert_eq!(again.added, 0);
        assert_eq!(post.pki_mark().await.unwrap(), 3);
    }
}

fn crossing(id: &str, doc: &str, at: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: "Anna".into(),
        surnames: "Eriksson".into(),
        nationality: CountryCode::parse_opt("UTO").unwrap(),
        sex: Sex::Female,
        document_type: "P".into(),
        document_number: Some(DocumentNumber::parse(doc).unwrap()),
        issuing_state: CountryCode::parse_opt("UTO").unwrap(),
        ..CrossingRecord::new(id, "GTM-TECUNUMAN", Direction::Entry, Timestamp::parse(at).unwrap())
    }
}

#[tokio::test]
async fn faces_are_kept_with_the_crossing_and_link_a_document_to_its_faces() {
    for (store, _dir) in stores().await {
        let officer = store
            .create_user("system", "oficial", Role::Officer, Some("GTM-TECUNUMAN"), "una clave bastante larga")
            .await
            .unwrap();
        let ins = |r: CrossingRecord| NewInspection {
            record: r,
            relation: "lead".into(),
            officer_id: officer.id,
            actor: "oficial".into(),
            suggested: "admit".into(),
            result: "{}".into(),
            hits: vec![],
            flags: vec![],
            history_shown: Vec::new(),
        };
        let batch = vec![vec![
            ins(crossing("C-1", "L898902C3", "2019-01-10T10:00:00Z")),
            ins(crossing("C-2", "L898902C3", "2026-05-10T10:00:00Z")),
            ins(crossing("C-3", "X1234567", "2026-05-11T10:00:00Z")),
        ]];
        store.record_inspections(&batch).await.unwrap();
        let jpeg = |seed: u8| [&[0xFF, 0xD8, 0xFF, 0xE0][..], &[seed; 64][..]].concat();
        let sha = store.put_crossing_image("oficial", "C-1", "chip", "image/jpeg", &jpeg(1)).await.unwrap();
        assert_eq!(sha.len(), 64);
        store.put_crossing_image("oficial", "C-1", "capture", "image/jpeg", &jpeg(2)).await.unwrap();
        // The same document with another chip photo: two chips for one number.
        store.put_crossing_image("oficial", "C-2", "chip", "image/jpeg", &jpeg(3)).await.unwrap();
        store.put_crossing_image("oficial", "C-3", "chip", "image/jp2", &jpeg(4)).await.unwrap();
        // Once per kind; only known kinds and types; an existing crossing.
        let again = store.put_crossing_image("oficial", "C-1", "chip", "image/jpeg", &jpeg(9)).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        assert!(matches!(
            store.put_crossing_image("o", "C-1", "x", "image/jpeg", &jpeg(1)).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.put_crossing_image("o", "C-1", "chip", "image/png", &jpeg(1)).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            store.put_crossing_image("o", "C-9", "chip", "image/jpeg", &jpeg(1)).await,
            Err(StoreError::NotFound(_))
        ));
        let big = vec![0xFF; centinela_store::MAX_IMAGE_BYTES + 1];
        assert!(matches!(
            store.put_crossing_image("o", "C-3", "capture", "image/jpeg", &big).await,
            Err(StoreError::Invalid(_))
        ));

        let img = store.crossing_image("C-1", "capture").await.unwrap().unwrap();
        assert_eq!((img.mime.as_str(), img.bytes), ("image/jpeg", jpeg(2)));
        assert_eq!(store.crossing_image_kinds("C-1").await.unwrap(), ["capture", "chip"]);
        let audit = store.audit_entries(None).await.unwrap();
        let stored: Vec<_> = audit.iter().filter(|e| e.action == "crossing_image_stored").collect();
        assert_eq!(stored.len(), 4);
        assert!(stored.iter().all(|e| !e.detail.contains("L898902C3")), "no document number in the audit");

        let docs = store.documents_with_faces(10).await.unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        assert_eq!(
            (docs[0].document_number.as_str(), docs[0].faces, docs[0].chip_faces, docs[0].crossings),
            ("L898902C3", 3, 2, 2)
        );

        // C-1 is past five years: its faces go with it.
        let now = Timestamp::parse("2026-06-01T00:00:00Z").unwrap().unix_seconds() as u64;
        let rep = store.purge("system", &Retention::default(), now, false).await.unwrap();
        assert_eq!((rep.crossings, rep.images), (1, 2));
        assert!(store.crossing_image("C-1", "chip").await.unwrap().is_none());
        assert!(store.crossing_image("C-2", "chip").await.unwrap().is_some());
        assert!(store.documents_with_faces(10).await.unwrap().is_empty());
    }
}
