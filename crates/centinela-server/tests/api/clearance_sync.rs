//! Clearances through the centre's sync endpoints: made at one post (its
//! SQLite store, as posts are), pushed with its key, pulled by another post
//! with its key (audited at the centre), installed there; the maker gets
//! nothing back but the documents the centre extended it to.

use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, ListKind, Role, Sex, Timestamp,
};
use centinela_store::{
    Actor, ClearanceFilter, HitKind, ListRows, NewHit, NewInspection, NewPost, NewVersion, PostKind, PullAnswer,
    PushBatch, Store, Verdict,
};
use serde_json::json;

use crate::helpers::{json, spawn_apps};

const POST: &str = "GTM-TECUNUMAN";

async fn post_with_a_clearance(dir: &tempfile::TempDir) -> Store {
    let store = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
    let entry = AlertEntry {
        id: "W-1".into(),
        given_names: "José".into(),
        surnames: "Hernández".into(),
        birth_dates: vec![BirthDate::parse("1980-05-17").unwrap()],
        ..AlertEntry::default()
    };
    let nv = NewVersion {
        list: "buscados",
        kind: ListKind::Wanted,
        source: None,
        file_name: "b.csv",
        format: "csv",
        rows_read: 1,
        rows_skipped: 0,
        keep_old_versions: true,
    };
    store.import_version(&nv, &ListRows::Entries(vec![entry])).await.unwrap();
    let pw = "una clave bastante larga";
    let officer = store.create_user("system", "oficial", Role::Officer, Some(POST), pw).await.unwrap();
    let sup = store.create_user("system", "supervisora", Role::Supervisor, Some(POST), pw).await.unwrap();
    let record = CrossingRecord {
        given_names: "José".into(),
        surnames: "Hernández".into(),
        sex: Sex::Male,
        document_type: "P".into(),
        document_number: Some(DocumentNumber::parse("G1234567").unwrap()),
        issuing_state: CountryCode::parse_opt("GTM").unwrap(),
        ..CrossingRecord::new("C-1", POST, Direction::Entry, Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
    };
    let ins = NewInspection {
        record,
        relation: String::new(),
        officer_id: officer.id,
        actor: "oficial".into(),
        suggested: "secondary_inspection".into(),
        result: "{}".into(),
        hits: vec![NewHit {
            kind: HitKind::Person,
            list_name: "buscados".into(),
            list_kind: centinela_domain::ListKind::Wanted,
            entry_id: "W-1".into(),
            score: 0.6,
            action: "secondary_inspection".into(),
            explanation: "[]".into(),
            list_version: Some(1),
        }],
        flags: vec![],
        history_shown: Vec::new(),
    };
    let hit = store.record_inspections(&[vec![ins]]).await.unwrap().pop().unwrap().unwrap()[0].hit_ids[0];
    let actor = Actor { user_id: sup.id, username: "supervisora", role: Role::Supervisor };
    store.adjudicate(actor, hit, Verdict::Dismissed, "otra persona").await.unwrap();
    let uid = "0190a1b2-0000-7000-8000-00000000c1ea";
    store.clear_hit(actor, uid, hit, "viajero diario", 365, Timestamp::now()).await.unwrap();
    store
}

#[tokio::test]
async fn a_clearance_made_at_a_post_reaches_the_other_posts_through_the_centre() {
    for app in spawn_apps().await {
        let mut keys = Vec::new();
        for code in [POST, "GTM-ELCARMEN"] {
            let p = NewPost {
                code,
                name: code,
                country: CountryCode::parse("GTM").unwrap(),
                facing: "",
                kind: PostKind::Land,
            };
            keys.push(app.store.add_post("system", &p).await.unwrap().1);
        }
        let dir = tempfile::tempdir().unwrap();
        let post = post_with_a_clearance(&dir).await;
        let batch = PushBatch { protocol: 1, items: post.outbox_pending(1000).await.unwrap(), head: None };
        let r = app.client.post(app.url("/api/sync/push")).bearer_auth(&keys[0]).json(&batch).send().await.unwrap();
        let (status, body) = json(r).await;
        assert_eq!(status, 200, "{body}");

        // The centre extends it to the traveller's renewed passport (as its
        // pass does when intelligence links the document).
        let ext = centinela_store::NewClearanceDocument {
            uid: "0190a1b2-0000-7000-8000-00000000e7e1",
            clearance_uid: "0190a1b2-0000-7000-8000-00000000c1ea",
            document_number: "G7654321",
            issuing_state: "GTM",
            person: "R0000001",
            evidence: "same_person same_birth_date same_state used_after",
        };
        app.store.extend_clearance("system", &ext, Timestamp::now()).await.unwrap();

        let pull = json!({"protocol": 1, "lists": {}, "clearances_after": 0, "revocations_after": 0});
        let ask =
            |key: &str| app.client.post(app.url("/api/sync/pull")).bearer_auth(key.to_string()).json(&pull).send();
        let (_, mine) = json(ask(&keys[0]).await.unwrap()).await;
        assert!(mine["clearances"]["clearances"].as_array().unwrap().is_empty(), "{mine}");
        // The making post gets the centre's extension of its own clearance.
        assert_eq!(mine["clearances"]["documents"][0]["document_number"], "G7654321", "{mine}");
        let answer: PullAnswer = serde_json::from_value(mine).unwrap();
        assert_eq!(post.apply_clearances(&answer.clearances).await.unwrap(), (1, 0));
        let pair = |n: &str| centinela_store::ClearancePair {
            document_number: n.into(),
            issuing_state: "GTM".into(),
            list_name: "buscados".into(),
            entry_id: "W-1".into(),
        };
        assert_eq!(post.clearances_of(&[pair("G7654321")]).await.unwrap().len(), 1);
        let (status, other) = json(ask(&keys[1]).await.unwrap()).await;
        assert_eq!(status, 200, "{other}");
        let c = &other["clearances"]["clearances"][0];
        assert_eq!((c["document_number"].as_str(), c["origin"].as_str()), (Some("G1234567"), Some(POST)));
        assert_eq!(c["user"]["username"], "supervisora@GTM-TECUNUMAN");
        assert!(app.audit().await.iter().any(|a| a.1 == "sync_clearances_pulled" && a.0 == "post:GTM-ELCARMEN"));

        // A post of an older protocol (no marks) still pulls.
        let old = json!({"protocol": 1, "lists": {}});
        let r = app.client.post(app.url("/api/sync/pull")).bearer_auth(&keys[1]).json(&old).send().await.unwrap();
        assert_eq!(r.status(), 200);

        let answer: PullAnswer = serde_json::from_value(other).unwrap();
        let odir = tempfile::tempdir().unwrap();
        let there = Store::connect(odir.path().join("other.db").to_str().unwrap()).await.unwrap();
        assert_eq!(there.apply_clearances(&answer.clearances).await.unwrap(), (2, 0));
        let f = ClearanceFilter { post: None, all: false, limit: 10 };
        let held = there.clearances(&f, Timestamp::now()).await.unwrap();
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].cleared_by, "supervisora@GTM-TECUNUMAN");
        assert_eq!(held[0].documents[0].document_number, "G7654321");
        assert_eq!(there.clearances_of(&[pair("G7654321")]).await.unwrap()[0].uid, held[0].uid);
        assert!(app.audit().await.iter().any(|a| a.1 == "sync_clearances_pulled" && a.3["documents"] == 1));
    }
}
