//! Remembered clearances at the store, on SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL: only a dismissed person hit of a
//! traveller with a document is cleared, against the entry's content as
//! screened; one in force per pair; revoking is a new row; both audited;
//! both queued for the centre, applied there once, and pulled by other
//! posts.

use crate::common::stores;
use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, ListKind, Role, Sex, Timestamp,
};
use centinela_store::{
    Actor, ClearanceFilter, ClearancePair, HitKind, ListRows, NewHit, NewInspection, NewPost, NewVersion, PROTOCOL,
    PostKind, PushBatch, Store, StoreError, SyncRecord, Verdict,
};

const POST: &str = "GTM-TECUNUMAN";

fn entry(notes: &str) -> AlertEntry {
    AlertEntry {
        id: "W-1".into(),
        given_names: "José".into(),
        surnames: "Hernández".into(),
        birth_dates: vec![BirthDate::parse("1980-05-17").unwrap()],
        sex: Sex::Male,
        notes: notes.into(),
        ..AlertEntry::default()
    }
}

fn version() -> NewVersion<'static> {
    NewVersion {
        list: "buscados",
        kind: ListKind::Wanted,
        source: Some("policía"),
        file_name: "b.csv",
        format: "csv",
        rows_read: 1,
        rows_skipped: 0,
        keep_old_versions: true,
    }
}

fn record(id: &str, document: Option<&str>) -> CrossingRecord {
    CrossingRecord {
        given_names: "José".into(),
        surnames: "Hernández".into(),
        birth_date: BirthDate::parse_opt("1981-05-17").unwrap(),
        nationality: CountryCode::parse_opt("GTM").unwrap(),
        sex: Sex::Male,
        document_type: "P".into(),
        document_number: document.map(|d| DocumentNumber::parse(d).unwrap()),
        issuing_state: CountryCode::parse_opt("GTM").unwrap(),
        ..CrossingRecord::new(id, POST, Direction::Entry, Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
    }
}

struct Users {
    officer: i64,
    sup: i64,
}

async fn users(store: &Store) -> Users {
    let officer = store.create_user("system", "oficial", Role::Officer, Some(POST), "una clave bastante larga").await;
    let sup =
        store.create_user("system", "supervisora", Role::Supervisor, Some(POST), "una clave bastante larga").await;
    Users { officer: officer.unwrap().id, sup: sup.unwrap().id }
}

fn sup(u: &Users) -> Actor<'static> {
    Actor { user_id: u.sup, username: "supervisora", role: Role::Supervisor }
}

/// One inspection with one hit of `kind` against W-1 of list version
/// `version`; the hit's id.
async fn hit(store: &Store, u: &Users, crossing: &str, document: Option<&str>, kind: HitKind, version: i64) -> i64 {
    let ins = NewInspection {
        record: record(crossing, document),
        relation: String::new(),
        officer_id: u.officer,
        actor: "oficial".into(),
        suggested: "secondary_inspection".into(),
        result: "{}".into(),
        hits: vec![NewHit {
            kind,
            list_name: "buscados".into(),
            list_kind: centinela_domain::ListKind::Wanted,
            entry_id: "W-1".into(),
            score: 0.8,
            action: "secondary_inspection".into(),
            explanation: "[]".into(),
            list_version: Some(version),
        }],
        flags: vec![],
        history_shown: Vec::new(),
    };
    store.record_inspections(&[vec![ins]]).await.unwrap().pop().unwrap().unwrap()[0].hit_ids[0]
}

fn now() -> Timestamp {
    Timestamp::now()
}

fn pair(document: &str) -> ClearancePair {
    ClearancePair {
        document_number: document.into(),
        issuing_state: "GTM".into(),
        list_name: "buscados".into(),
        entry_id: "W-1".into(),
    }
}

#[tokio::test]
async fn a_dismissed_hit_is_cleared_once_lapses_and_is_revoked_audited() {
    for (store, _dir) in stores().await {
        let u = users(&store).await;
        store.import_version(&version(), &ListRows::Entries(vec![entry("")])).await.unwrap();
        let h = hit(&store, &u, "C-1", Some("G1234567"), HitKind::Person, 1).await;

        // Not before a supervisor dismissed it.
        let e = store.clear_hit(sup(&u), "0190a1b2-0000-7000-8000-000000000001", h, "otra persona", 365, now()).await;
        assert!(matches!(e, Err(StoreError::Conflict(_))), "{e:?}");
        store.adjudicate(sup(&u), h, Verdict::Dismissed, "otra persona").await.unwrap();
        // A reason is needed, and a sensible duration.
        assert!(matches!(store.clear_hit(sup(&u), "a1", h, "  ", 365, now()).await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.clear_hit(sup(&u), "a1", h, "x", 0, now()).await, Err(StoreError::Invalid(_))));

        let uid = "0190a1b2-0000-7000-8000-000000000001";
        let c = store.clear_hit(sup(&u), uid, h, "viajero diario, otra fecha", 365, now()).await.unwrap();
        assert_eq!((c.document_number.as_str(), c.issuing_state.as_str()), ("G1234567", "GTM"));
        assert_eq!((c.list_version, c.entry_hash.as_str()), (1, entry("").content_hash().as_str()));
        assert_eq!((c.cleared_by.as_str(), c.post.as_str()), ("supervisora", POST));
        assert!(c.in_force(now(), &entry("").content_hash()));
        // The entry changed: it does not apply.
        assert!(!c.in_force(now(), &entry("alias nuevo").content_hash()));
        // After its expiry it does not apply.
        let later = Timestamp::from_unix_seconds(now().unix_seconds() + 366 * 86_400).unwrap();
        assert!(!c.in_force(later, &entry("").content_hash()));

        // Once per pair and entry content.
        let again = store.clear_hit(sup(&u), "0190a1b2-0000-7000-8000-000000000002", h, "otra vez", 30, now()).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

        let found = store.clearances_of(&[pair("G1234567"), pair("OTRO")]).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].uid, uid);
        let listed = store.clearances(&ClearanceFilter { post: Some(POST.into()), all: false, limit: 10 }, now()).await;
        assert_eq!(listed.unwrap().len(), 1);
        let f = ClearanceFilter { post: Some("GTM-OTRO".into()), all: true, limit: 10 };
        assert!(store.clearances(&f, now()).await.unwrap().is_empty());

        let r = store.revoke_clearance(sup(&u), uid, "0190a1b2-0000-7000-8000-0000000000r1", "nueva información").await;
        let r = r.unwrap();
        assert_eq!(r.revocation.as_ref().unwrap().revoked_by, "supervisora");
        assert!(!r.in_force(now(), &entry("").content_hash()));
        let twice = store.revoke_clearance(sup(&u), uid, "0190a1b2-0000-7000-8000-0000000000r2", "otra vez").await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))));
        assert!(matches!(store.revoke_clearance(sup(&u), "nada", "r3", "x").await, Err(StoreError::NotFound(_))));
        assert!(store.clearances_of(&[pair("G1234567")]).await.unwrap().is_empty());
        let live = store.clearances(&ClearanceFilter { post: None, all: false, limit: 10 }, now()).await.unwrap();
        assert!(live.is_empty());
        let all = store.clearances(&ClearanceFilter { post: None, all: true, limit: 10 }, now()).await.unwrap();
        assert_eq!(all.len(), 1);
        assert!(all[0].revocation.is_some());
        // Revoked, the pair may be cleared again.
        store.clear_hit(sup(&u), "0190a1b2-0000-7000-8000-000000000003", h, "de nuevo", 30, now()).await.unwrap();

        // Audited, never naming the document.
        let audit = store.audit_entries(None).await.unwrap();
        let made: Vec<_> = audit.iter().filter(|a| a.action == "clearance_made").collect();
        assert_eq!(made.len(), 2);
        assert!(audit.iter().any(|a| a.action == "clearance_revoked" && a.subject == format!("clearance:{uid}")));
        assert!(audit.iter().all(|a| !a.detail.contains("G1234567")));
        assert!(store.audit_verify().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn only_a_person_hit_of_a_documented_traveller_on_a_stored_version_is_cleared() {
    for (store, _dir) in stores().await {
        let u = users(&store).await;
        store.import_version(&version(), &ListRows::Entries(vec![entry("")])).await.unwrap();
        let doc = hit(&store, &u, "C-1", Some("G1"), HitKind::Document, 1).await;
        let none = hit(&store, &u, "C-2", None, HitKind::Person, 1).await;
        let gone = hit(&store, &u, "C-3", Some("G3"), HitKind::Person, 7).await;
        for h in [doc, none, gone] {
            store.adjudicate(sup(&u), h, Verdict::Dismissed, "otra persona").await.unwrap();
            let e =
                store.clear_hit(sup(&u), &format!("0190a1b2-0000-7000-8000-00000000000{h}"), h, "x", 30, now()).await;
            assert!(matches!(e, Err(StoreError::Conflict(_))), "hit {h}: {e:?}");
        }
        assert!(matches!(store.clear_hit(sup(&u), "u", 999, "x", 30, now()).await, Err(StoreError::NotFound(_))));
        // A confirmed hit is not cleared either (the latest adjudication stands).
        let confirmed = hit(&store, &u, "C-4", Some("G4"), HitKind::Person, 1).await;
        store.adjudicate(sup(&u), confirmed, Verdict::Dismissed, "otra persona").await.unwrap();
        store.adjudicate(sup(&u), confirmed, Verdict::Confirmed, "sí es").await.unwrap();
        let e = store.clear_hit(sup(&u), "0190a1b2-0000-7000-8000-0000000000c4", confirmed, "x", 30, now()).await;
        assert!(matches!(e, Err(StoreError::Conflict(_))));
    }
}

async fn post_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
    (store, dir)
}

#[tokio::test]
async fn clearances_and_revocations_go_post_to_centre_to_every_other_post() {
    for (centre, _dir) in stores().await {
        for code in [POST, "GTM-ELCARMEN"] {
            let p = NewPost {
                code,
                name: code,
                country: CountryCode::parse("GTM").unwrap(),
                facing: "",
                kind: PostKind::Land,
            };
            centre.add_post("admin", &p).await.unwrap();
        }
        let (post, _pdir) = post_store().await;
        let u = users(&post).await;
        post.import_version(&version(), &ListRows::Entries(vec![entry("")])).await.unwrap();
        let h = hit(&post, &u, "C-1", Some("G1234567"), HitKind::Person, 1).await;
        post.adjudicate(sup(&u), h, Verdict::Dismissed, "otra persona").await.unwrap();
        let uid = "0190a1b2-0000-7000-8000-00000000000a";
        post.clear_hit(sup(&u), uid, h, "viajero diario", 365, now()).await.unwrap();
        post.revoke_clearance(sup(&u), uid, "0190a1b2-0000-7000-8000-00000000000b", "ya no").await.unwrap();
        let uid2 = "0190a1b2-0000-7000-8000-00000000000c";
        post.clear_hit(sup(&u), uid2, h, "de nuevo", 365, now()).await.unwrap();

        let items = post.outbox_pending(1000).await.unwrap();
        let kinds: Vec<&str> = items.iter().map(|i| i.record.kind()).collect();
        let pos = |k: &str| kinds.iter().position(|x| *x == k).unwrap_or_else(|| panic!("{k} not queued: {kinds:?}"));
        assert!(pos("clearance") < pos("clearance_revocation"));
        assert_eq!(kinds.iter().filter(|k| **k == "clearance").count(), 2);
        // The seq keeps growing across the rebuilt outbox.
        assert!(items.windows(2).all(|w| w[0].seq < w[1].seq));

        let batch = PushBatch { protocol: PROTOCOL, items: items.clone(), head: None };
        let out = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert_eq!(out.applied, items.len() as u64);
        let again = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert_eq!(again.applied, 0);
        let at_centre = centre.clearances(&ClearanceFilter { post: None, all: true, limit: 10 }, now()).await.unwrap();
        assert_eq!(at_centre.len(), 2);
        let first = at_centre.iter().find(|c| c.uid == uid).unwrap();
        assert_eq!((first.origin.as_str(), first.cleared_by.as_str()), (POST, "supervisora@GTM-TECUNUMAN"));
        assert!(first.revocation.is_some());
        assert!(at_centre.iter().find(|c| c.uid == uid2).unwrap().revocation.is_none());

        // A clearance from another post is refused when it claims to be this post's.
        let mut foreign = items.iter().find(|i| i.record.kind() == "clearance").unwrap().clone();
        foreign.uid = "0190a1b2-0000-7000-8000-0000000000ff".into();
        let b = PushBatch { protocol: PROTOCOL, items: vec![foreign], head: None };
        assert!(centre.apply_push("GTM-ELCARMEN", &b).await.unwrap().is_err());
        // A revocation of a clearance the centre does not know is refused.
        let mut orphan = items.iter().find(|i| i.record.kind() == "clearance_revocation").unwrap().clone();
        orphan.uid = "0190a1b2-0000-7000-8000-0000000000fe".into();
        if let SyncRecord::ClearanceRevocation(r) = &mut orphan.record {
            r.clearance = "0190a1b2-0000-7000-8000-0000000000fd".into();
        }
        let b = PushBatch { protocol: PROTOCOL, items: vec![orphan], head: None };
        assert!(centre.apply_push(POST, &b).await.unwrap().is_err());

        // The making post gets nothing back; the other post gets both and
        // the revocation, then nothing more.
        let mine = centre.clearances_since(POST, 0, 0, 0).await.unwrap();
        assert!(mine.clearances.is_empty() && mine.revocations.is_empty());
        let (other, _odir) = post_store().await;
        let (ca, ra) = other.clearance_marks().await.unwrap();
        assert_eq!((ca, ra), (0, 0));
        let delta = centre.clearances_since("GTM-ELCARMEN", ca, ra, 0).await.unwrap();
        assert_eq!((delta.clearances.len(), delta.revocations.len()), (2, 1));
        assert_eq!(other.apply_clearances(&delta).await.unwrap(), (3, 0));
        let there = other.clearances(&ClearanceFilter { post: None, all: true, limit: 10 }, now()).await.unwrap();
        assert_eq!(there.len(), 2);
        assert!(there.iter().all(|c| c.origin == POST));
        assert!(there.iter().find(|c| c.uid == uid).unwrap().revocation.is_some());
        // Pulled records are not queued again at the other post.
        assert!(other.outbox_pending(100).await.unwrap().iter().all(|i| !i.record.kind().starts_with("clearance")));
        let (ca, ra) = other.clearance_marks().await.unwrap();
        assert_eq!((ca, ra), (delta.clearances_to, delta.revocations_to));
        let next = centre.clearances_since("GTM-ELCARMEN", ca, ra, 0).await.unwrap();
        assert!(next.clearances.is_empty() && next.revocations.is_empty());
        // Applying the same answer twice changes nothing.
        other.apply_clearances(&delta).await.unwrap();
        assert_eq!(
            other.clearances(&ClearanceFilter { post: None, all: true, limit: 10 }, now()).await.unwrap().len(),
            2
        );
    }
}

/// Migration 0017 rebuilds SQLite's outbox (to accept the two new kinds):
/// its rows, its triggers and its AUTOINCREMENT counter survive — a seq
/// given before must never be given again (the centre's acknowledgement
/// is a seq).
#[tokio::test]
async fn the_rebuilt_outbox_keeps_its_rows_and_never_reuses_a_seq() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("migrations");
    std::fs::create_dir(&old).unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    for f in std::fs::read_dir(&all).unwrap() {
        let f = f.unwrap();
        let name = f.file_name().into_string().unwrap();
        if name.as_str() < "0017" {
            std::fs::copy(f.path(), old.join(&name)).unwrap();
        }
    }
    let db = dir.path().join("old.db");
    let url = format!("sqlite://{}?mode=rwc", db.display());
    {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::migrate::Migrator::new(old.as_path()).await.unwrap().run(&mut conn).await.unwrap();
        for i in 0..5 {
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
                         VALUES (?, '2026-01-01T00:00:00Z', 'system', 'x', 's', '{}', zeroblob(32), zeroblob(32))",
            )
            .bind(i + 1)
            .execute(&mut conn)
            .await
            .unwrap();
        }
        // The last two rows were sent and removed: the counter is past them.
        sqlx::query("DELETE FROM sync_outbox WHERE seq > 3").execute(&mut conn).await.unwrap();
        conn.close().await.unwrap();
    }
    let store = Store::connect(db.to_str().unwrap()).await.unwrap();
    let kept = store.outbox_pending(100).await.unwrap();
    assert_eq!(kept.iter().map(|i| i.seq).collect::<Vec<_>>(), vec![1, 2, 3]);
    // The triggers write again, past the old counter.
    store.create_user("system", "nueva", Role::Officer, Some(POST), "una clave bastante larga").await.unwrap();
    let now_queued = store.outbox_pending(100).await.unwrap();
    assert!(now_queued.len() > 3, "{now_queued:?}");
    assert!(now_queued[3..].iter().all(|i| i.seq > 5), "{:?}", now_queued.iter().map(|i| i.seq).collect::<Vec<_>>());
}

fn extension<'a>(uid: &'a str, clearance: &'a str, document: &'a str) -> centinela_store::NewClearanceDocument<'a> {
    centinela_store::NewClearanceDocument {
        uid,
        clearance_uid: clearance,
        document_number: document,
        issuing_state: "GTM",
        person: "R0000001",
        evidence: "same_person same_birth_date same_state used_after",
    }
}

/// Migration 0027: a clearance extended to the traveller's other documents
/// covers them against the same entry, lapses with it (entry changed,
/// revoked), at most `MAX_CLEARANCE_DOCUMENTS` of them, audited without the
/// number; the centre's extensions reach every post, never before their
/// clearance.
#[tokio::test]
async fn a_clearance_extended_to_a_renewed_document_covers_it_and_lapses_with_it() {
    for (store, _dir) in stores().await {
        for code in [POST, "GTM-ELCARMEN"] {
            let p = NewPost {
                code,
                name: code,
                country: CountryCode::parse("GTM").unwrap(),
                facing: "",
                kind: PostKind::Land,
            };
            store.add_post("admin", &p).await.unwrap();
        }
        let u = users(&store).await;
        store.import_version(&version(), &ListRows::Entries(vec![entry("")])).await.unwrap();
        let h = hit(&store, &u, "C-1", Some("G1234567"), HitKind::Person, 1).await;
        store.adjudicate(sup(&u), h, Verdict::Dismissed, "otra persona").await.unwrap();
        let uid = "0190a1b2-0000-7000-8000-000000000e01";
        store.clear_hit(sup(&u), uid, h, "viajero diario", 365, now()).await.unwrap();
        assert!(store.clearances_of(&[pair("G7654321")]).await.unwrap().is_empty());

        let ext = "0190a1b2-0000-7000-8000-000000000e02";
        let d = store.extend_clearance("system", &extension(ext, uid, "G7654321"), now()).await.unwrap();
        assert_eq!((d.document_number.as_str(), d.added_by.as_str()), ("G7654321", "system"));
        // The renewed passport finds the clearance, and says through which document.
        let found = store.clearances_of(&[pair("G7654321")]).await.unwrap();
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert_eq!(c.uid, uid);
        assert_eq!(c.covers("G7654321", "GTM").unwrap().map(|d| d.uid.as_str()), Some(ext));
        assert_eq!(c.covers("G1234567", "GTM"), Some(None));
        assert!(c.covers("G7654321", "HND").is_none());
        assert!(c.in_force(now(), &entry("").content_hash()));
        assert!(!c.in_force(now(), &entry("alias nuevo").content_hash()), "lapses when the entry changes");
        // Both documents asked at once: the clearance once.
        assert_eq!(store.clearances_of(&[pair("G1234567"), pair("G7654321")]).await.unwrap().len(), 1);

        // Not twice, not its own document, not an unknown clearance, not an
        // invalid number, and at most MAX_CLEARANCE_DOCUMENTS.
        let again = store.extend_clearance("system", &extension("e-x1", uid, "G7654321"), now()).await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        let own = store.extend_clearance("system", &extension("e-x2", uid, "G1234567"), now()).await;
        assert!(matches!(own, Err(StoreError::Conflict(_))), "{own:?}");
        let unknown = store.extend_clearance("system", &extension("e-x3", "nada", "G1"), now()).await;
        assert!(matches!(unknown, Err(StoreError::NotFound(_))), "{unknown:?}");
        let bad = store.extend_clearance("system", &extension("e-x4", uid, "G1\u{202e}"), now()).await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
        for i in 1..centinela_store::MAX_CLEARANCE_DOCUMENTS {
            let e = format!("0190a1b2-0000-7000-8000-000000000f0{i}");
            store.extend_clearance("system", &extension(&e, uid, &format!("G900000{i}")), now()).await.unwrap();
        }
        let over = store.extend_clearance("system", &extension("e-x5", uid, "G9999999"), now()).await;
        assert!(matches!(over, Err(StoreError::Conflict(_))), "{over:?}");
        let listed = store.clearances(&ClearanceFilter { post: None, all: true, limit: 10 }, now()).await.unwrap();
        assert_eq!(listed[0].documents.len(), centinela_store::MAX_CLEARANCE_DOCUMENTS);
        assert_eq!(listed[0].documents[0].uid, ext, "oldest first");

        // The centre's extensions reach another post with their clearance.
        let (other, _odir) = post_store().await;
        let delta = centre_delta(&store, &other).await;
        assert_eq!((delta.clearances.len(), delta.documents.len()), (1, centinela_store::MAX_CLEARANCE_DOCUMENTS));
        other.apply_clearances(&delta).await.unwrap();
        let there = other.clearances_of(&[pair("G7654321")]).await.unwrap();
        assert_eq!(there.len(), 1);
        let d = there[0].covers("G7654321", "GTM").unwrap().unwrap();
        assert_eq!((d.origin.as_str(), d.added_by.as_str()), ("central", "system@central"));
        assert_eq!(other.clearance_documents_mark().await.unwrap(), delta.documents_to);
        assert!(centre_delta(&store, &other).await.documents.is_empty(), "nothing more to pull");
        // Pulled extensions are not queued at the post.
        assert!(other.outbox_pending(100).await.unwrap().iter().all(|i| !i.record.kind().starts_with("clearance")));
        // An extension whose clearance the post does not hold is skipped.
        let mut orphan = delta.clone();
        orphan.clearances.clear();
        let (third, _tdir) = post_store().await;
        assert_eq!(third.apply_clearances(&orphan).await.unwrap().1, centinela_store::MAX_CLEARANCE_DOCUMENTS as u64);
        assert!(third.clearances_of(&[pair("G7654321")]).await.unwrap().is_empty());

        // Revoked, the clearance covers neither document, and takes no more.
        store.revoke_clearance(sup(&u), uid, "0190a1b2-0000-7000-8000-000000000e03", "ya no").await.unwrap();
        assert!(store.clearances_of(&[pair("G7654321")]).await.unwrap().is_empty());
        let late = store.extend_clearance("system", &extension("e-x6", uid, "G8888888"), now()).await;
        assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");

        // Audited, never naming a document.
        let audit = store.audit_entries(None).await.unwrap();
        let extended: Vec<_> = audit.iter().filter(|a| a.action == "clearance_extended").collect();
        assert_eq!(extended.len(), centinela_store::MAX_CLEARANCE_DOCUMENTS);
        assert!(extended.iter().all(|a| a.subject == format!("clearance:{uid}") && a.actor == "system"));
        assert!(audit.iter().all(|a| !a.detail.contains("G7654321") && !a.detail.contains("G1234567")));
        assert!(store.audit_verify().await.unwrap().is_ok());
    }
}

/// What the centre answers `post`'s next pull, from its marks.
async fn centre_delta(centre: &Store, post: &Store) -> centinela_store::ClearanceDelta {
    let (ca, ra) = post.clearance_marks().await.unwrap();
    let da = post.clearance_documents_mark().await.unwrap();
    centre.clearances_since("GTM-ELCARMEN", ca, ra, da).await.unwrap()
}
