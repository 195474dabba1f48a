//! Remembered clearances end to end over the API: a supervisor dismisses a
//! person hit and clears the pair; the next inspection of the same
//! traveller shows the clearance and neither alerts nor suggests secondary;
//! the clearance lapses when the list entry changes, and ends when revoked;
//! roles and posts are enforced; everything is audited.

use centinela_domain::{AlertEntry, BirthDate, ListKind, Role};
use centinela_store::{ListRows, NewVersion};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json, spawn_apps};
use crate::inspections::{country, inspect};

/// The daily commuter: in, then out, then in … (two entries in a row
/// would raise an indicator of their own).
fn traveller() -> Value {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let direction =
        if N.fetch_add(1, std::sync::atomic::Ordering::SeqCst).is_multiple_of(2) { "entry" } else { "exit" };
    json!({
        "post": "GTM-TECUNUMAN", "direction": direction,
        "travellers": [{"given_names": "José Luis", "surnames": "Hernández Villalobos", "birth_date": "1980-05-17",
                        "document_number": "G7654321", "issuing_state": "GTM"}]
    })
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn a_cleared_pair_no_longer_alerts_until_the_entry_changes_or_it_is_revoked() {
    for app in spawn_apps().await {
        let (admin, officer, supervisor) = country(&app).await;
        let (status, body) = inspect(&app, &officer, traveller()).await;
        assert_eq!(status, 201, "{body}");
        let t = &body["travellers"][0];
        assert_eq!(t["hits"][0]["list"], "interpol-red");
        assert_eq!(t["suggested"], "secondary_inspection");
        let hit = t["hit_ids"][0].as_i64().unwrap();
        let clear = format!("/api/hits/{hit}/clearance");

        // Not before it is dismissed; never by an officer (route) or a
        // supervisor of another post (record).
        expect_error(post(&app, &supervisor, &clear, json!({"reason": "viajero diario"})).await, 409, "conflict").await;
        expect_error(post(&app, &officer, &clear, json!({"reason": "x"})).await, 403, "forbidden").await;
        let adj = json!({"decision": "dismissed", "reason": "otra persona: viaja a diario"});
        let r = post(&app, &supervisor, &format!("/api/hits/{hit}/adjudication"), adj).await;
        assert_eq!(r.status(), 201);
        let other = app.user("sup-carmen", Role::Supervisor, Some("GTM-ELCARMEN")).await;
        let other = app.token(&other).await;
        expect_error(post(&app, &other, &clear, json!({"reason": "x"})).await, 403, "forbidden").await;
        // A reason and a duration within the deployment's.
        expect_error(post(&app, &supervisor, &clear, json!({"reason": " "})).await, 422, "invalid_field").await;
        let long = json!({"reason": "x", "days": 400});
        expect_error(post(&app, &supervisor, &clear, long).await, 422, "invalid_field").await;

        let (status, c) =
            json(post(&app, &supervisor, &clear, json!({"reason": "viajero diario", "days": 90})).await).await;
        assert_eq!(status, 201, "{c}");
        assert_eq!((c["status"].as_str(), c["document_number"].as_str()), (Some("in_force"), Some("G7654321")));
        assert_eq!((c["list_name"].as_str(), c["entry_id"].as_str()), (Some("interpol-red"), Some("W-1")));
        let uid = c["uid"].as_str().unwrap().to_string();
        expect_error(post(&app, &supervisor, &clear, json!({"reason": "otra vez"})).await, 409, "conflict").await;

        // The next inspection shows the clearance instead of an alert.
        let (status, body) = inspect(&app, &officer, traveller()).await;
        assert_eq!(status, 201, "{body}");
        let t = &body["travellers"][0];
        assert!(t["hits"].as_array().unwrap().is_empty(), "{t}");
        assert_eq!(t["suggested"], "admit");
        assert_eq!(body["suggested"], "admit");
        assert_eq!(t["cleared"][0]["clearance"]["reason"], "viajero diario");
        assert_eq!(t["cleared"][0]["clearance"]["cleared_by"], "supervisor");
        assert_eq!(t["cleared"][0]["hit"]["entry_id"], "W-1");
        // Nothing to adjudicate, nothing to confirm when admitting.
        let crossing = t["crossing_id"].as_str().unwrap();
        let (_, c) =
            json(app.get(&format!("/api/crossings/{crossing}")).bearer_auth(&officer).send().await.unwrap()).await;
        assert!(c["hits"].as_array().unwrap().is_empty(), "{c}");
        let r =
            post(&app, &officer, &format!("/api/crossings/{crossing}/decision"), json!({"decision": "admit"})).await;
        assert_eq!(r.status(), 201);
        let audit = app.audit().await;
        let used: Vec<_> = audit.iter().filter(|a| a.1 == "clearance_used").collect();
        assert_eq!(used.len(), 1);
        assert_eq!(used[0].2, format!("clearance:{uid}"));
        assert_eq!(used[0].3["crossing"], crossing);
        assert!(audit.iter().any(|a| a.1 == "clearance_made"));
        assert!(audit.iter().all(|a| !a.3.to_string().contains("G7654321")));

        // Another traveller with the same name but another document still alerts.
        let mut someone = traveller();
        someone["travellers"][0]["document_number"] = json!("G0000001");
        let (_, body) = inspect(&app, &officer, someone).await;
        assert_eq!(body["travellers"][0]["hits"][0]["entry_id"], "W-1");

        // Listing: the supervisor's post; another post's supervisor sees none.
        let (status, list) = json(app.get("/api/clearances").bearer_auth(&supervisor).send().await.unwrap()).await;
        assert_eq!((status, list.as_array().unwrap().len()), (200, 1), "{list}");
        let (_, list) = json(app.get("/api/clearances?all=true").bearer_auth(&other).send().await.unwrap()).await;
        assert!(list.as_array().unwrap().is_empty());
        expect_error(app.get("/api/clearances").bearer_auth(&officer).send().await.unwrap(), 403, "forbidden").await;

        // The list entry changes: the clearance no longer applies.
        change_the_listed_entry(&app, &admin).await;
        let (_, body) = inspect(&app, &officer, traveller()).await;
        assert_eq!(body["travellers"][0]["hits"][0]["entry_id"], "W-1", "{body}");
        assert!(body["travellers"][0].get("cleared").is_none());

        // Revoking: supervisors of its post only, with a reason, once.
        let revoke = format!("/api/clearances/{uid}/revoke");
        expect_error(post(&app, &officer, &revoke, json!({"reason": "x"})).await, 403, "forbidden").await;
        expect_error(post(&app, &other, &revoke, json!({"reason": "x"})).await, 403, "forbidden").await;
        expect_error(post(&app, &supervisor, &revoke, json!({"reason": ""})).await, 422, "invalid_field").await;
        let (status, r) = json(post(&app, &supervisor, &revoke, json!({"reason": "nueva información"})).await).await;
        assert_eq!((status, r["status"].as_str()), (200, Some("revoked")), "{r}");
        expect_error(post(&app, &supervisor, &revoke, json!({"reason": "otra vez"})).await, 409, "conflict").await;
        let missing = "/api/clearances/0190a1b2-0000-7000-8000-000000000000/revoke";
        expect_error(post(&app, &supervisor, missing, json!({"reason": "x"})).await, 404, "not_found").await;
        let (_, list) = json(app.get("/api/clearances").bearer_auth(&supervisor).send().await.unwrap()).await;
        assert!(list.as_array().unwrap().is_empty());
        assert!(app.audit().await.iter().any(|a| a.1 == "clearance_revoked"));
        assert!(app.store.audit_verify().await.unwrap().is_ok());
    }
}

/// A crossing of the commuter's (or a namesake's) in the past, as a
/// central import would hold it.
fn past(id: &str, document: &str, birth: &str, at: &str, entry: bool) -> centinela_domain::CrossingRecord {
    use centinela_domain::{CountryCode, CrossingRecord, Direction, DocumentNumber, Timestamp};
    let direction = if entry { Direction::Entry } else { Direction::Exit };
    CrossingRecord {
        given_names: "José Luis".into(),
        surnames: "Hernández Villalobos".into(),
        birth_date: BirthDate::parse_opt(birth).unwrap(),
        document_type: "P".into(),
        document_number: Some(DocumentNumber::parse(document).unwrap()),
        issuing_state: CountryCode::parse_opt("GTM").unwrap(),
        ..CrossingRecord::new(id, "GTM-TECUNUMAN", direction, Timestamp::parse(at).unwrap())
    }
}

/// The commuter (or a namesake) at the booth with `document`.
fn at_booth(document: &str, entry: bool) -> Value {
    json!({
        "post": "GTM-TECUNUMAN", "direction": if entry { "entry" } else { "exit" },
        "travellers": [{"given_names": "José Luis", "surnames": "Hernández Villalobos", "birth_date": "1980-05-17",
                        "document_number": document, "issuing_state": "GTM"}]
    })
}

/// Inspects, dismisses the hit and clears it; the clearance and the crossing.
async fn cleared_at_booth(app: &TestApp, officer: &str, supervisor: &str, document: &str) -> (Value, String) {
    let (status, body) = inspect(app, officer, at_booth(document, true)).await;
    assert_eq!(status, 201, "{body}");
    let t = &body["travellers"][0];
    assert_eq!(t["hits"][0]["entry_id"], "W-1", "{body}");
    let hit = t["hit_ids"][0].as_i64().unwrap();
    let adj = json!({"decision": "dismissed", "reason": "otra persona: viaja a diario"});
    assert_eq!(post(app, supervisor, &format!("/api/hits/{hit}/adjudication"), adj).await.status(), 201);
    let clear = json!({"reason": "viajero diario, otra fecha de nacimiento"});
    let (status, c) = json(post(app, supervisor, &format!("/api/hits/{hit}/clearance"), clear).await).await;
    assert_eq!(status, 201, "{c}");
    (c, t["crossing_id"].as_str().unwrap().to_string())
}

fn covered(c: &Value) -> Vec<String> {
    let mut d: Vec<String> =
        c["documents"].as_array().unwrap().iter().map(|d| d["document_number"].as_str().unwrap().into()).collect();
    d.sort();
    d
}

/// Issue 19, part 4: the clearance follows the person. The commuter cleared
/// on one passport renews it; intelligence links the new passport (and the
/// old one) to them; the centre's pass extends the clearance, audited; the
/// renewed passport no longer alerts and the booth says on which document
/// the clearance was made; it lapses with the list entry as before.
#[tokio::test]
async fn a_renewed_passport_of_a_cleared_traveller_is_not_alerted() {
    for app in spawn_apps().await {
        let (admin, officer, supervisor) = country(&app).await;
        // A year on the old passport.
        let history: Vec<_> = (1..=6)
            .map(|m| past(&format!("H-{m}"), "G1111111", "1980-05-17", &format!("2025-0{m}-10T08:00:00Z"), m % 2 == 1))
            .collect();
        app.store.import_crossings("system", &history).await.unwrap();
        let (c, _) = cleared_at_booth(&app, &officer, &supervisor, "G7654321").await;
        assert!(covered(&c).is_empty(), "no analysis at hand when cleared: {c}");
        let uid = c["uid"].as_str().unwrap().to_string();

        // The first crossing on the renewed passport still alerts: nothing
        // links it yet (a second later: documents of one person succeed).
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let (_, body) = inspect(&app, &officer, at_booth("G9999999", false)).await;
        assert_eq!(body["travellers"][0]["hits"][0]["entry_id"], "W-1", "{body}");

        // The centre's pass: both other documents of the person are added.
        let app_ = app.state.app();
        let r = app_.extend_clearances(centinela_app::Caller::Cli).await.unwrap();
        assert_eq!((r.clearances, r.extended), (1, 2), "{r:?}");
        let (_, list) = json(app.get("/api/clearances").bearer_auth(&supervisor).send().await.unwrap()).await;
        assert_eq!(covered(&list[0]), ["G1111111", "G9999999"], "{list}");
        assert!(list[0]["documents"][0]["evidence"].as_str().unwrap().contains("same_birth_date"));
        // Once only.
        let r = app_.extend_clearances(centinela_app::Caller::Cli).await.unwrap();
        assert_eq!(r.extended, 0, "{r:?}");

        // The renewed passport is cleared, saying on which document.
        let (_, body) = inspect(&app, &officer, at_booth("G9999999", true)).await;
        let t = &body["travellers"][0];
        assert!(t["hits"].as_array().unwrap().is_empty(), "{t}");
        assert_eq!(t["suggested"], "admit");
        let note = &t["cleared"][0]["clearance"];
        assert_eq!((note["uid"].as_str(), note["made_on_document"].as_str()), (Some(uid.as_str()), Some("G7654321")));
        assert!(note["linked_person"].as_str().unwrap().starts_with('R'), "{note}");
        let audit = app.audit().await;
        let extended: Vec<_> = audit.iter().filter(|a| a.1 == "clearance_extended").collect();
        assert_eq!(extended.len(), 2);
        assert!(extended.iter().all(|a| a.0 == "cli" && a.2 == format!("clearance:{uid}")));
        let used = audit.iter().rfind(|a| a.1 == "clearance_used").unwrap();
        assert_eq!(used.3["document"], "linked_document", "{:?}", used.3);
        assert!(used.3["extension"].is_string());
        for number in ["G1111111", "G7654321", "G9999999"] {
            assert!(audit.iter().all(|a| !a.3.to_string().contains(number)), "{number} in the audit");
        }
        // And the old passport too; the page says it, in both languages.
        let (_, body) = inspect(&app, &officer, at_booth("G1111111", false)).await;
        assert!(body["travellers"][0]["hits"].as_array().unwrap().is_empty(), "{body}");

        // The list entry changes: the clearance lapses for every document.
        change_the_listed_entry(&app, &admin).await;
        let (_, body) = inspect(&app, &officer, at_booth("G9999999", false)).await;
        assert_eq!(body["travellers"][0]["hits"][0]["entry_id"], "W-1", "{body}");
        assert!(body["travellers"][0].get("cleared").is_none());
        assert!(app.store.audit_verify().await.unwrap().is_ok());
    }
}

/// A namesake born the same day, with another passport, whom an analyst's
/// split decision keeps apart from the cleared traveller: the clearance is
/// not extended to their document and they are still alerted.
#[tokio::test]
async fn a_namesake_intelligence_keeps_apart_is_still_alerted() {
    for app in spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        let theirs: Vec<_> = (1..=4)
            .map(|m| past(&format!("N-{m}"), "G3333333", "1980-05-17", &format!("2025-0{m}-12T09:00:00Z"), m % 2 == 1))
            .collect();
        app.store.import_crossings("system", &theirs).await.unwrap();
        let (c, crossing) = cleared_at_booth(&app, &officer, &supervisor, "G7654321").await;
        let analyst = "analista";
        let why = "otra persona: otra madre, otro domicilio";
        app.store
            .add_intel_override(analyst, centinela_store::OverrideKind::Split, "N-1", &crossing, why)
            .await
            .unwrap();

        let app_ = app.state.app();
        let r = app_.extend_clearances(centinela_app::Caller::Cli).await.unwrap();
        assert_eq!(r.extended, 0, "{r:?}");
        let (_, list) = json(app.get("/api/clearances").bearer_auth(&supervisor).send().await.unwrap()).await;
        assert_eq!(list[0]["uid"], c["uid"]);
        assert!(covered(&list[0]).is_empty(), "{list}");
        let (_, body) = inspect(&app, &officer, at_booth("G3333333", false)).await;
        assert_eq!(body["travellers"][0]["hits"][0]["entry_id"], "W-1", "{body}");
        assert!(body["travellers"][0].get("cleared").is_none());
        assert!(app.audit().await.iter().all(|a| a.1 != "clearance_extended"));
    }
}

/// A new version of the list whose entry W-1 has changed (a new warrant),
/// imported and loaded: a clearance bound to the old entry lapses.
async fn change_the_listed_entry(app: &TestApp, admin: &str) {
    let changed = AlertEntry {
        id: "W-1".into(),
        given_names: "José Luis".into(),
        surnames: "Hernández Villalobos".into(),
        birth_dates: vec![BirthDate::parse("1980-05-17").unwrap()],
        notes: "nueva orden de captura".into(),
        ..Default::default()
    };
    let nv = NewVersion {
        list: "interpol-red",
        kind: ListKind::Wanted,
        source: None,
        file_name: "t2",
        format: "csv",
        rows_read: 1,
        rows_skipped: 0,
        keep_old_versions: false,
    };
    app.store.import_version(&nv, &ListRows::Entries(vec![changed])).await.unwrap();
    let r = app.client.post(app.url("/api/lists/reload")).bearer_auth(admin).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
