//! Pre-arrival screening end to end: a carrier's PAXLST and PNR for a
//! flight landing at an air post, a listed person and a shared payer on
//! board; the post's supervisor sees the hits before landing and
//! adjudicates; another post's supervisor sees none; a repeated message
//! raises nothing again. Every read and adjudication audited.

use centinela_domain::{AlertEntry, BirthDate, CountryCode, ListKind, Role};
use centinela_store::{ListRows, NewPost, NewVersion, PostKind};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json, spawn_apps};

/// Written for this test from the API and PNRGOV guides' segment tables:
/// flight CM421 from Panama (PTY) to Guatemala (GUA) departing `at`
/// (CCYYMMDDHHMM); a listed passenger, one other passenger and a crew member.
fn paxlst(at: &str) -> String {
    format!(
        "UNA:+.? '\
UNB+UNOC:4+CM+GTMUIP+20261206:1405+78'\
UNH+1+PAXLST:D:05B:UN:IATA'\
BGM+745'\
TDT+20+CM421+++CM'\
LOC+125+PTY'\
DTM+189:{at}:203'\
LOC+87+GUA'\
NAD+FL+++RIOS MEJIA:ANA LUCIA'\
ATT+2++F'\
DTM+329:900517'\
NAT+2+GTM'\
DOC+P:110:111+G1234567'\
NAD+FL+++PEREZ:JUAN'\
DOC+P:110:111+H7654321'\
NAD+FM+++SOTO:CARLOS'\
CNT+42:3'\
UNT+17+1'\
UNZ+1+78'"
    )
}

async fn setup(app: &TestApp) -> (String, String, String) {
    for (code, kind) in [("GTM-GUA", PostKind::Air), ("GTM-TECUNUMAN", PostKind::Land)] {
        let p = NewPost { code, name: code, country: CountryCode::parse("GTM").unwrap(), facing: "", kind };
        app.store.add_post("system", &p).await.unwrap();
    }
    let wanted = AlertEntry {
        id: "W-9".into(),
        given_names: "Ana Lucía".into(),
        surnames: "Ríos Mejía".into(),
        birth_dates: vec![BirthDate::parse("1990-05-17").unwrap()],
        ..Default::default()
    };
    let rows = ListRows::Entries(vec![wanted]);
    let nv = NewVersion {
        list: "interpol-red",
        kind: ListKind::Wanted,
        source: None,
        file_name: "t",
        format: "csv",
        rows_read: 1,
        rows_skipped: 0,
        keep_old_versions: false,
    };
    app.store.import_version(&nv, &rows).await.unwrap();
    let admin = app.token(&app.user("admin", Role::Admin, None).await).await;
    let r = app.client.post(app.url("/api/lists/reload")).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let sup = app.token(&app.user("sup-gua", Role::Supervisor, Some("GTM-GUA")).await).await;
    let other = app.token(&app.user("sup-tecun", Role::Supervisor, Some("GTM-TECUNUMAN")).await).await;
    (admin, sup, other)
}

async fn import(app: &TestApp, admin: &str, body: &str) {
    let r = app
        .request(Method::POST, "/api/passengers/messages")
        .bearer_auth(admin)
        .header("content-type", "application/edifact")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let (status, r) = json(r).await;
    assert_eq!(status, 201, "{r}");
}

/// The flight's page once the background screening stored its hits.
async fn screened(app: &TestApp, token: &str, id: i64, want: usize) -> Value {
    for _ in 0..100 {
        let (status, v) = json(app.get(&format!("/api/flights/{id}")).bearer_auth(token).send().await.unwrap()).await;
        assert_eq!(status, 200, "{v}");
        let n: usize = v["persons"].as_array().unwrap().iter().map(|p| p["hits"].as_array().unwrap().len()).sum();
        if n >= want {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the flight was not screened in 5 s");
}

#[tokio::test]
async fn an_arriving_flight_is_screened_and_its_hits_adjudicated() {
    let soon = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC) + jiff::Span::new().hours(3);
    let at = soon.strftime("%Y%m%d%H%M").to_string();
    for app in spawn_apps().await {
        let (admin, sup, other) = setup(&app).await;
        import(&app, &admin, &paxlst(&at)).await;

        let (status, list) = json(app.get("/api/flights").bearer_auth(&sup).send().await.unwrap()).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!((list["post"].as_str(), list["iata"].as_str()), (Some("GTM-GUA"), Some("GUA")));
        let flight = &list["flights"][0];
        assert_eq!((flight["number"].as_str(), flight["leg"].as_str()), (Some("CM421"), Some("arrival")));
        assert_eq!(flight["persons"], 3);
        let id = flight["id"].as_i64().unwrap();

        let v = screened(&app, &sup, id, 1).await;
        let persons = v["persons"].as_array().unwrap();
        assert_eq!(persons.len(), 3);
        let ana = persons.iter().find(|p| p["surnames"] == "RIOS MEJIA").unwrap();
        let hit = &ana["hits"][0];
        assert_eq!(
            (hit["kind"].as_str(), hit["source"].as_str(), hit["entry_id"].as_str()),
            (Some("list_person"), Some("interpol-red"), Some("W-9"))
        );
        assert!(hit["decision"].is_null());
        for p in persons.iter().filter(|p| p["surnames"] != "RIOS MEJIA") {
            assert!(p["hits"].as_array().unwrap().is_empty(), "{p}");
        }
        let hit_id = hit["id"].as_i64().unwrap();

        // Another post's supervisor sees neither the flights nor the hit.
        expect_error(app.get("/api/flights?post=GTM-GUA").bearer_auth(&other).send().await.unwrap(), 403, "forbidden")
            .await;
        expect_error(
            app.get(&format!("/api/flights/{id}?post=GTM-GUA")).bearer_auth(&other).send().await.unwrap(),
            403,
            "forbidden",
        )
        .await;
        let adjudicate = |token: &str, body: Value| {
            app.request(Method::POST, &format!("/api/flights/hits/{hit_id}/adjudication"))
                .bearer_auth(token)
                .json(&body)
                .send()
        };
        let d = json!({ "decision": "dismissed", "reason": "otra fecha de nacimiento" });
        expect_error(adjudicate(&other, d.clone()).await.unwrap(), 403, "forbidden").await;
        expect_error(
            adjudicate(&sup, json!({ "decision": "dismissed", "reason": " " })).await.unwrap(),
            422,
            "invalid_field",
        )
        .await;
        let (status, a) = json(adjudicate(&sup, d).await.unwrap()).await;
        assert_eq!(status, 201, "{a}");
        assert_eq!(a["decision"], "dismissed");

        // The same list again: nothing re-screened, nothing raised again.
        import(&app, &admin, &paxlst(&at)).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let v = screened(&app, &sup, id, 1).await;
        let hits: Vec<&Value> =
            v["persons"].as_array().unwrap().iter().flat_map(|p| p["hits"].as_array().unwrap()).collect();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0]["decision"], "dismissed");
        assert_eq!(hits[0]["decision_reason"], "otra fecha de nacimiento");

        // A newer list with one more passenger: only that one is screened.
        let newer = paxlst(&at).replace("NAD+FM+++SOTO:CARLOS'", "NAD+FL+++GOMEZ:PEDRO'NAD+FM+++SOTO:CARLOS'");
        import(&app, &admin, &newer).await;
        let mut screenings = Vec::new();
        for _ in 0..100 {
            screenings = app.audit().await.into_iter().filter(|(_, a, _, _)| a == "prearrival_screened").collect();
            if screenings.len() == 2 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(screenings.len(), 2, "the repeated list screened nothing, the newer one its new person");
        assert_eq!((screenings[0].3["screened"].as_u64(), screenings[0].3["hits"].as_u64()), (Some(3), Some(1)));
        assert_eq!((screenings[1].3["screened"].as_u64(), screenings[1].3["hits"].as_u64()), (Some(1), Some(0)));
        assert_eq!(screenings[1].0, "system");
        let audit = app.audit().await;
        let count = |action: &str| audit.iter().filter(|(_, a, _, _)| a == action).count();
        assert!(count("flight_viewed") >= 2);
        let (actor, _, subject, _) = audit.iter().find(|(_, a, _, _)| a == "prearrival_hit_adjudicated").unwrap();
        assert!(actor.starts_with("user:") && subject == &format!("prearrival_hit:{hit_id}"));
        // No name or document number in the audit details.
        for (_, _, _, d) in &audit {
            let d = d.to_string();
            assert!(!d.contains("RIOS") && !d.contains("G1234567"), "{d}");
        }
    }
}
