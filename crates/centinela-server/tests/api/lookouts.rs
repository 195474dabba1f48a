//! Lookouts end to end over the API (issue 21, parts 3 and 4), on SQLite
//! and PostgreSQL: issued by a supervisor or an analyst (never an
//! officer; a post-bound user for their post only), in force at the booth
//! at once (a vehicle by its plate, a phone, a document by its confusable
//! key), the hit shown apart with its reason and action, stored, audited
//! and streamed live to the duty supervisor; changed and cancelled; and
//! distributed to a second server — a post — through the sync long poll,
//! within seconds while online and when it is back after an issue or a
//! cancellation made while it was offline.

use std::time::{Duration, Instant};

use centinela_domain::{CountryCode, Role};
use centinela_server::ServerConfig;
use centinela_store::{NewPost, PostKind, Store};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json, spawn_apps, spawn_with_analytics};
use crate::inspections::{country, inspect};

const POST: &str = "GTM-TECUNUMAN";

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    json(app.client.get(app.url(path)).bearer_auth(token).send().await.unwrap()).await
}

fn party(vehicle: &str, phone: &str) -> Value {
    json!({
        "post": POST, "direction": "entry", "vehicle": vehicle,
        "travellers": [
            {"given_names": "Marta", "surnames": "Ixcot", "birth_date": "1985-01-02",
             "document_number": "B7654321", "issuing_state": "GTM", "phone": phone}
        ]
    })
}

fn vehicle_lookout(plate: &str) -> Value {
    json!({"kind": "vehicle", "plate": plate, "reason": "Vehículo usado en un secuestro",
           "action": "secondary_inspection", "valid_hours": 24})
}

#[tokio::test]
async fn a_lookout_issued_hits_at_the_booth_at_once_and_is_audited_until_cancelled() {
    for app in spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        let analyst = app.user("analista", Role::Analyst, None).await;
        let analyst = app.token(&analyst).await;

        // Nothing before.
        let (status, body) = inspect(&app, &officer, party("p 123-abc", "+50255550000")).await;
        assert_eq!(status, 201, "{body}");
        assert!(body["travellers"][0].get("lookouts").is_none(), "{body}");

        // Who may issue, and how.
        expect_error(post(&app, &officer, "/api/lookouts", vehicle_lookout("P-123ABC")).await, 403, "forbidden").await;
        let bad = json!({"kind": "vehicle", "plate": "P/1", "reason": "x", "action": "notify", "valid_hours": 2});
        let e = expect_error(post(&app, &analyst, "/api/lookouts", bad).await, 422, "invalid_field").await;
        assert!(e["message"].as_str().unwrap().starts_with("plate"), "{e}");
        let mut wide = vehicle_lookout("P-123ABC");
        wide["scope_country"] = json!("GTM");
        expect_error(post(&app, &supervisor, "/api/lookouts", wide).await, 403, "forbidden").await;
        let mut others = vehicle_lookout("P-123ABC");
        others["scope_posts"] = json!([POST, "GTM-ELCARMEN"]);
        expect_error(post(&app, &supervisor, "/api/lookouts", others).await, 403, "forbidden").await;
        // A supervisor bound to a post who names no scope issues for that post.
        let (status, l) = json(post(&app, &supervisor, "/api/lookouts", vehicle_lookout("P-123ABC")).await).await;
        assert_eq!(status, 201, "{l}");
        assert_eq!(l["scope"], json!({"scope": "posts", "posts": [POST]}), "{l}");
        assert_eq!((l["state"].as_str(), l["revision"].as_i64()), (Some("in_force"), Some(1)));
        let phone = json!({"kind": "phone", "phone": "+502 5555 1234", "reason": "Contacto de una red",
                           "action": "notify", "valid_hours": 4, "notify": ["supervisor"]});
        let (status, p) = json(post(&app, &analyst, "/api/lookouts", phone).await).await;
        assert_eq!(status, 201, "{p}");

        // In force at once: the plate typed otherwise, the phone given.
        let (status, body) = inspect(&app, &officer, party("p 123-abc", "+50255551234")).await;
        assert_eq!(status, 201, "{body}");
        let t = &body["travellers"][0];
        let hits = t["lookouts"].as_array().unwrap();
        assert_eq!(hits.len(), 2, "{body}");
        let v = hits.iter().find(|h| h["kind"] == "vehicle").unwrap();
        assert_eq!(v["reason"], "Vehículo usado en un secuestro");
        assert_eq!(v["action"], "secondary_inspection");
        assert_eq!(v["lookout_uid"], l["uid"]);
        assert!(t["hits"].as_array().unwrap().is_empty(), "a lookout hit is not a list hit");
        assert_eq!(t["suggested"], "secondary_inspection");

        // Stored, audited, listed for the issuer and the post's supervisor.
        let (status, stored) = get(&app, &supervisor, "/api/lookouts/hits").await;
        assert_eq!(status, 200, "{stored}");
        assert_eq!(stored.as_array().unwrap().len(), 2, "{stored}");
        let audit = app.audit().await;
        assert_eq!(audit.iter().filter(|a| a.1 == "lookout_hit").count(), 2);
        assert!(audit.iter().any(|a| a.1 == "lookout_issued"));
        assert!(audit.iter().all(|a| !a.3.to_string().contains("123ABC")), "no plate in the audit");

        // Changed, then cancelled: the next inspection no longer hits.
        let uid = l["uid"].as_str().unwrap();
        let r = app
            .client
            .patch(app.url(&format!("/api/lookouts/{uid}")))
            .bearer_auth(&supervisor)
            .json(&json!({"action": "detain_per_law"}))
            .send()
            .await
            .unwrap();
        let (status, changed) = json(r).await;
        assert_eq!((status, changed["revision"].as_i64()), (200, Some(2)), "{changed}");
        let cancel = format!("/api/lookouts/{uid}/cancel");
        expect_error(post(&app, &supervisor, &cancel, json!({"reason": ""})).await, 422, "invalid_field").await;
        let (status, c) = json(post(&app, &supervisor, &cancel, json!({"reason": "Hallado"})).await).await;
        assert_eq!((status, c["state"].as_str()), (200, Some("cancelled")), "{c}");
        expect_error(post(&app, &supervisor, &cancel, json!({"reason": "otra"})).await, 409, "conflict").await;
        let (_, body) = inspect(&app, &officer, party("P123ABC", "+50255550000")).await;
        assert!(body["travellers"][0].get("lookouts").is_none(), "{body}");
        let (_, listed) = get(&app, &analyst, "/api/lookouts").await;
        assert_eq!(listed.as_array().unwrap().len(), 1, "only the phone lookout is in force: {listed}");
        let (_, all) = get(&app, &analyst, "/api/lookouts?all=true").await;
        assert_eq!(all.as_array().unwrap().len(), 2);
        expect_error(
            app.client.get(app.url("/api/lookouts/nope")).bearer_auth(&analyst).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
    }
}

#[tokio::test]
async fn the_duty_supervisor_hears_of_a_hit_live() {
    for app in spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        let analyst = app.user("analista", Role::Analyst, None).await;
        let analyst = app.token(&analyst).await;
        let (status, l) = json(post(&app, &analyst, "/api/lookouts", vehicle_lookout("P-777XYZ")).await).await;
        assert_eq!(status, 201, "{l}");
        let mut stream =
            app.client.get(app.url("/api/lookouts/hits/stream")).bearer_auth(&supervisor).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let (status, _) = inspect(&app, &officer, party("P777XYZ", "+50255550000")).await;
        assert_eq!(status, 201);
        let mut seen = String::new();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !seen.contains("event: lookout_hit") && Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await {
                Ok(Ok(Some(c))) => seen.push_str(&String::from_utf8_lossy(&c)),
                _ => break,
            }
        }
        assert!(seen.contains("event: lookout_hit"), "{seen}");
        assert!(seen.contains(l["uid"].as_str().unwrap()), "{seen}");
        assert!(app.audit().await.iter().any(|a| a.1 == "lookout_hit_notified"));
    }
}

/// A post: its own server over its own SQLite store, which knows the post
/// and its officer; its lookouts come only from the centre.
async fn a_post(dir: &tempfile::TempDir) -> (TestApp, String) {
    let store = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
    let p = NewPost {
        code: POST,
        name: POST,
        country: CountryCode::parse("GTM").unwrap(),
        facing: "",
        kind: PostKind::Land,
    };
    store.add_post("system", &p).await.unwrap();
    let app = spawn_with_analytics(store.clone(), None, ServerConfig::default(), None).await;
    app.state.inspections().reload(&store).await.unwrap();
    let officer = app.user("oficial", Role::Officer, Some(POST)).await;
    let token = app.token(&officer).await;
    (app, token)
}

/// Watches the centre's lookouts as a serving post does.
fn watch(centre: &TestApp, key: &str, post: &TestApp) -> tokio::task::JoinHandle<()> {
    let cfg = centinela_sync::Config::new(&centre.url(""), key);
    let state = post.state.clone();
    tokio::spawn(centinela_sync::watch_lookouts(post.store.clone(), cfg, Duration::from_secs(2), move || {
        let state = state.clone();
        async move {
            state.app().reload_lookouts().await.unwrap();
        }
    }))
}

async fn hits_at(post: &TestApp, officer: &str, plate: &str) -> usize {
    let (status, body) = inspect(post, officer, party(plate, "+50255550000")).await;
    assert_eq!(status, 201, "{body}");
    body["travellers"][0]["lookouts"].as_array().map_or(0, Vec::len)
}

async fn until_hits(post: &TestApp, officer: &str, plate: &str, want: usize) -> Duration {
    let start = Instant::now();
    while hits_at(post, officer, plate).await != want {
        assert!(start.elapsed() < Duration::from_secs(5), "not in force at the post within 5 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

#[tokio::test]
async fn a_lookout_reaches_an_online_post_within_seconds_and_an_offline_one_when_back() {
    for centre in spawn_apps().await {
        let p = NewPost {
            code: POST,
            name: POST,
            country: CountryCode::parse("GTM").unwrap(),
            facing: "",
            kind: PostKind::Land,
        };
        let key = centre.store.add_post("system", &p).await.unwrap().1;
        let analyst = centre.user("analista", Role::Analyst, None).await;
        let analyst = centre.token(&analyst).await;
        let dir = tempfile::tempdir().unwrap();
        let (post_app, officer) = a_post(&dir).await;

        // Online: the long poll is waiting when the lookout is issued.
        let watcher = watch(&centre, &key, &post_app);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, l) = json(post(&centre, &analyst, "/api/lookouts", vehicle_lookout("P-111AAA")).await).await;
        assert_eq!(status, 201, "{l}");
        let took = until_hits(&post_app, &officer, "P111AAA", 1).await;
        eprintln!("{}: in force at the post {} ms after issue", centre.backend(), took.as_millis());
        assert!(centre.audit().await.iter().any(|a| a.1 == "sync_lookouts_pulled" && a.0 == format!("post:{POST}")));

        // Offline while one is issued and the first cancelled.
        watcher.abort();
        let (_, l2) = json(post(&centre, &analyst, "/api/lookouts", vehicle_lookout("P-222BBB")).await).await;
        let cancel = format!("/api/lookouts/{}/cancel", l["uid"].as_str().unwrap());
        let (status, _) = json(post(&centre, &analyst, &cancel, json!({"reason": "Recuperado"})).await).await;
        assert_eq!(status, 200);
        assert_eq!(hits_at(&post_app, &officer, "P111AAA").await, 1, "offline: the post still holds the old state");
        assert_eq!(hits_at(&post_app, &officer, "P222BBB").await, 0);

        // Back: both take effect.
        let watcher = watch(&centre, &key, &post_app);
        until_hits(&post_app, &officer, "P222BBB", 1).await;
        until_hits(&post_app, &officer, "P111AAA", 0).await;
        let held = post_app.store.lookout(l2["uid"].as_str().unwrap()).await.unwrap().unwrap();
        assert_eq!(held.origin, "central");
        // A post cannot cancel the centre's lookout.
        let sup = post_app.user("sup", Role::Supervisor, None).await;
        let sup = post_app.token(&sup).await;
        let there = format!("/api/lookouts/{}/cancel", l2["uid"].as_str().unwrap());
        expect_error(post(&post_app, &sup, &there, json!({"reason": "x"})).await, 409, "conflict").await;
        watcher.abort();

        // The long poll's bounds.
        let r = centre
            .client
            .post(centre.url("/api/sync/lookouts"))
            .bearer_auth(&key)
            .json(&json!({"protocol": 1, "generation": 0, "wait_secs": 31}))
            .send()
            .await
            .unwrap();
        expect_error(r, 422, "invalid_field").await;
        let r = centre
            .client
            .post(centre.url("/api/sync/lookouts"))
            .json(&json!({"protocol": 1, "generation": 0}))
            .send()
            .await
            .unwrap();
        expect_error(r, 401, "unauthenticated").await;
    }
}

/// Reads a live stream until `want` appears (or 10 s pass).
async fn read_until(stream: &mut reqwest::Response, want: &str) -> String {
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen.contains(want) && Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(5), stream.chunk()).await {
            Ok(Ok(Some(c))) => seen.push_str(&String::from_utf8_lossy(&c)),
            _ => break,
        }
    }
    seen
}

#[tokio::test]
async fn the_issuer_at_the_centre_is_told_of_a_hit_at_a_post() {
    for centre in spawn_apps().await {
        let p = NewPost {
            code: POST,
            name: POST,
            country: CountryCode::parse("GTM").unwrap(),
            facing: "",
            kind: PostKind::Land,
        };
        let key = centre.store.add_post("system", &p).await.unwrap().1;
        let analyst = centre.user("analista", Role::Analyst, None).await;
        let analyst = centre.token(&analyst).await;
        let dir = tempfile::tempdir().unwrap();
        let (post_app, officer) = a_post(&dir).await;
        let watcher = watch(&centre, &key, &post_app);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let (status, l) = json(post(&centre, &analyst, "/api/lookouts", vehicle_lookout("P-333CCC")).await).await;
        assert_eq!(status, 201, "{l}");
        let uid = l["uid"].as_str().unwrap();
        until_hits(&post_app, &officer, "P333CCC", 1).await;
        watcher.abort();

        // The issuer listens at the centre; the post's next push carries
        // the hit.
        let mut stream =
            centre.client.get(centre.url("/api/lookouts/hits/stream")).bearer_auth(&analyst).send().await.unwrap();
        assert_eq!(stream.status(), 200);
        let cfg = centinela_sync::Config::new(&centre.url(""), &key);
        centinela_sync::cycle(&post_app.store, &cfg).await.unwrap();
        let seen = read_until(&mut stream, "event: lookout_hit").await;
        assert!(seen.contains("event: lookout_hit") && seen.contains(uid), "{seen}");
        assert!(seen.contains(POST), "the event names the post: {seen}");
        let (status, hits) = get(&centre, &analyst, &format!("/api/lookouts/hits?lookout={uid}")).await;
        assert_eq!(status, 200, "{hits}");
        let hits = hits.as_array().unwrap();
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!(hits[0]["post"], POST);
        let audit = centre.audit().await;
        assert!(audit.iter().any(|a| a.1 == "lookout_hit" && a.0 == format!("post:{POST}")), "audited as the post's");
        assert!(audit.iter().any(|a| a.1 == "lookout_hit_notified"));
        // Pushed again (an acknowledgement lost), nobody is told twice and
        // the hit is stored once.
        centinela_sync::cycle(&post_app.store, &cfg).await.unwrap();
        let (_, hits) = get(&centre, &analyst, &format!("/api/lookouts/hits?lookout={uid}")).await;
        assert_eq!(hits.as_array().unwrap().len(), 1);
    }
}
