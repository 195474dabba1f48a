//! Inspections end to end: lists loaded, a party inspected and stored, hits
//! adjudicated, decisions, crossings and timelines, post boundaries.

use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, DocumentNumber, DocumentRecord, DocumentStatus, ListKind, Role,
};
use centinela_store::{ListRows, NewPost, NewVersion, PostKind};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json, spawn_apps};

const MEX_MRZ: &str = "P<MEXNUNEZ<DE<LA<CRUZ<<MARIA<JOSE<<<<<<<<<<<\nG458210932MEX9203147F3105227<<<<<<<<<<<<<<<6";

pub async fn country(app: &TestApp) -> (String, String, String) {
    for (code, country) in [("GTM-TECUNUMAN", "GTM"), ("GTM-ELCARMEN", "GTM")] {
        let p = NewPost {
            code,
            name: code,
            country: CountryCode::parse(country).unwrap(),
            facing: "",
            kind: PostKind::Land,
        };
        app.store.add_post("system", &p).await.unwrap();
    }
    let wanted = AlertEntry {
        id: "W-1".into(),
        given_names: "José Luis".into(),
        surnames: "Hernández Villalobos".into(),
        birth_dates: vec![BirthDate::parse("1980-05-17").unwrap()],
        notice: centinela_domain::Notice {
            reason: "Notificación roja: trata de personas".into(),
            action: "Retener y avisar a la policía".into(),
            authority: "INTERPOL".into(),
            issued: BirthDate::parse("2025-11-02").ok(),
        },
        ..Default::default()
    };
    let missing = AlertEntry {
        id: "M-7".into(),
        given_names: "Yesenia".into(),
        surnames: "Cux Tzul".into(),
        birth_dates: vec![BirthDate::parse("2011-02-03").unwrap()],
        ..Default::default()
    };
    for (name, kind, rows) in [
        ("interpol-red", ListKind::Wanted, ListRows::Entries(vec![wanted])),
        ("desaparecidos", ListKind::Missing, ListRows::Entries(vec![missing])),
        (
            "sltd",
            ListKind::Documents,
            ListRows::Documents(vec![DocumentRecord {
                document_number: DocumentNumber::parse("A1234567").unwrap(),
                issuing_state: CountryCode::parse_opt("GTM").unwrap(),
                document_type: "P".into(),
                status: DocumentStatus::Stolen,
                reported_at: String::new(),
            }]),
        ),
    ] {
        let nv = NewVersion {
            list: name,
            kind,
            source: None,
            file_name: "t",
            format: "csv",
            rows_read: rows.len() as u64,
            rows_skipped: 0,
            keep_old_versions: false,
        };
        app.store.import_version(&nv, &rows).await.unwrap();
    }
    let admin = app.user("admin", Role::Admin, None).await;
    let officer = app.user("oficial", Role::Officer, Some("GTM-TECUNUMAN")).await;
    let supervisor = app.user("supervisor", Role::Supervisor, Some("GTM-TECUNUMAN")).await;
    let admin = app.token(&admin).await;
    let r = app.client.post(app.url("/api/lists/reload")).bearer_auth(&admin).send().await.unwrap();
    let (status, body) = json(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["person_entries"], 2);
    assert_eq!(body["documents"], 1);
    (admin, app.token(&officer).await, app.token(&supervisor).await)
}

pub async fn inspect(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    json(app.client.post(app.url("/api/inspections")).bearer_auth(token).json(&body).send().await.unwrap()).await
}

#[tokio::test]
async fn a_party_is_inspected_stored_and_adjudicated() {
    for app in spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        let (status, body) = inspect(
            &app,
            &officer,
            json!({
                "post": "GTM-TECUNUMAN", "direction": "entry", "vehicle": "P-123ABC",
                "travellers": [
                    {"given_names": "Carlos", "surnames": "Pérez", "birth_date": "1975-03-03", "document_number": "A1234567", "issuing_state": "GTM"},
                    {"given_names": "Yessenia", "surnames": "Cux", "birth_date": "2011-02-03", "relation": "none"},
                    {"mrz": MEX_MRZ, "observations": ["T9"]}
                ]
            }),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["suggested"], "refer_to_protection");
        let t = body["travellers"].as_array().unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(body["group_id"].as_str().unwrap().len(), 36, "a UUID");
        assert_eq!(t[0]["hits"][0]["kind"], "document");
        assert_eq!(t[0]["suggested"], "secondary_inspection");
        assert_eq!(t[1]["hits"][0]["list"], "desaparecidos");
        assert!(t[1]["flags"].as_array().unwrap().iter().any(|f| f["code"] == "T1"));
        assert_eq!(t[2]["document"]["mrz_valid"], true);
        assert_eq!(t[2]["flags"][0]["code"], "T9");
        let crossing = t[1]["crossing_id"].as_str().unwrap().to_string();
        let hit_id = t[1]["hit_ids"][0].as_i64().unwrap();

        // Stored before the answer: the crossing, what was shown, its hits.
        let (status, c) =
            json(app.get(&format!("/api/crossings/{crossing}")).bearer_auth(&officer).send().await.unwrap()).await;
        assert_eq!(status, 200, "{c}");
        assert_eq!(c["crossing"]["surnames"], "Cux");
        assert_eq!(c["crossing"]["group_id"], body["group_id"]);
        assert_eq!(c["inspection"]["flags"][0]["code"], "T1");
        assert_eq!(c["hits"][0]["id"], hit_id);

        // The supervisor sees open hits and adjudicates; a reason is required.
        let (_, open) = json(app.get("/api/hits").bearer_auth(&supervisor).send().await.unwrap()).await;
        assert_eq!(open.as_array().unwrap().len(), 2);
        let path = format!("/api/hits/{hit_id}/adjudication");
        let r = app
            .client
            .post(app.url(&path))
            .bearer_auth(&supervisor)
            .json(&json!({"decision": "confirmed", "reason": " "}))
            .send()
            .await
            .unwrap();
        expect_error(r, 422, "invalid_field").await;
        let r = app
            .client
            .post(app.url(&path))
            .bearer_auth(&supervisor)
            .json(&json!({"decision": "confirmed", "reason": "fotografía y fecha coinciden"}))
            .send()
            .await
            .unwrap();
        let (status, a) = json(r).await;
        assert_eq!((status, a["decision"].as_str()), (201, Some("confirmed")), "{a}");
        let (_, open) = json(app.get("/api/hits").bearer_auth(&supervisor).send().await.unwrap()).await;
        assert_eq!(open.as_array().unwrap().len(), 1);
        // An officer may not adjudicate.
        let r = app
            .client
            .post(app.url(&path))
            .bearer_auth(&officer)
            .json(&json!({"decision": "dismissed", "reason": "x"}))
            .send()
            .await
            .unwrap();
        expect_error(r, 403, "forbidden").await;

        // The officer's decision. Admitting a traveller with hits needs the
        // confirmation and a reason.
        let dpath = format!("/api/crossings/{crossing}/decision");
        for body in [
            json!({"decision": "admit"}),
            json!({"decision": "admit", "reason": "documentos en regla"}),
            json!({"decision": "admit", "confirm": true, "reason": " "}),
        ] {
            let r = app.client.post(app.url(&dpath)).bearer_auth(&officer).json(&body).send().await.unwrap();
            expect_error(r, 422, "confirmation_required").await;
        }
        assert!(app.store.decision(&crossing).await.unwrap().is_none());
        let confirmed = json!({"decision": "admit", "confirm": true, "reason": "la policía descarta la orden"});
        let r = app.client.post(app.url(&dpath)).bearer_auth(&officer).json(&confirmed).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let r = app
            .client
            .post(app.url(&dpath))
            .bearer_auth(&officer)
            .json(&json!({"decision": "refer_to_protection"}))
            .send()
            .await
            .unwrap();
        expect_error(r, 422, "invalid_field").await;
        let r = app
            .client
            .post(app.url(&dpath))
            .bearer_auth(&officer)
            .json(&json!({"decision": "refer_to_protection", "reason": "T1 y lista de desaparecidos"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);

        // Everything is in the audit chain, without names.
        let audit = app.audit().await;
        let actions: Vec<&str> = audit.iter().map(|(_, a, _, _)| a.as_str()).collect();
        for a in ["inspection_recorded", "crossing_viewed", "hits_viewed", "hit_adjudicated", "crossing_decided"] {
            assert!(actions.contains(&a), "{a} missing from {actions:?}");
        }
        let text = format!("{audit:?}");
        assert!(!text.contains("Cux") && !text.contains("Pérez"), "personal data in the audit log");
        assert!(app.store.audit_verify().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn timelines_follow_the_document() {
    for app in spawn_apps().await {
        let (admin, officer, _) = country(&app).await;
        let analyst = app.user("analista", Role::Analyst, None).await;
        let analyst = app.token(&analyst).await;
        let mut ids = Vec::new();
        for direction in ["entry", "exit"] {
            let (status, body) = inspect(
                &app,
                &officer,
                json!({"post": "GTM-TECUNUMAN", "direction": direction, "travellers": [{"mrz": MEX_MRZ}]}),
            )
            .await;
            assert_eq!(status, 201, "{body}");
            ids.push(body["travellers"][0]["crossing_id"].as_str().unwrap().to_string());
        }
        let (status, tl) =
            json(app.get(&format!("/api/crossings/{}/timeline", ids[1])).bearer_auth(&analyst).send().await.unwrap())
                .await;
        assert_eq!(status, 200, "{tl}");
        let got: Vec<&str> = tl.as_array().unwrap().iter().map(|c| c["crossing_id"].as_str().unwrap()).collect();
        assert_eq!(got, [ids[0].as_str(), ids[1].as_str()]);
        // Officers do not browse timelines; admins do not see persons.
        expect_error(
            app.get(&format!("/api/crossings/{}/timeline", ids[1])).bearer_auth(&officer).send().await.unwrap(),
            403,
            "forbidden",
        )
        .await;
        expect_error(
            app.get(&format!("/api/crossings/{}", ids[1])).bearer_auth(&admin).send().await.unwrap(),
            403,
            "forbidden",
        )
        .await;
    }
}

#[tokio::test]
async fn posts_bound_users_stay_at_their_post_and_bad_input_names_the_field() {
    for app in spawn_apps().await {
        let (_, officer, _) = country(&app).await;
        let (status, body) = inspect(
            &app,
            &officer,
            json!({"post": "GTM-ELCARMEN", "direction": "entry", "travellers": [{"surnames": "López"}]}),
        )
        .await;
        assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{body}");
        let (status, body) = inspect(
            &app,
            &officer,
            json!({"post": "XX-NOWHERE", "direction": "entry", "travellers": [{"surnames": "López"}]}),
        )
        .await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid_field")), "{body}");
        let (status, body) = inspect(&app, &officer, json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [{"surnames": "López", "birth_date": "1990-02-30"}]})).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["message"].as_str().unwrap().contains("travellers[0].birth_date"), "{body}");
        let (status, body) =
            inspect(&app, &officer, json!({"post": "GTM-TECUNUMAN", "direction": "sideways", "travellers": []})).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid_field")), "{body}");
        let (status, body) =
            inspect(&app, &officer, json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": []})).await;
        assert_eq!(status, 422, "{body}");
        let (_, posts) = json(app.get("/api/posts").bearer_auth(&officer).send().await.unwrap()).await;
        assert_eq!(posts.as_array().unwrap().len(), 2);
        assert_eq!(app.store.crossing_count().await.unwrap(), 0, "nothing stored for refused input");
    }
}

/// A supervisor bound to Tecún Umán once walked crossing ids and read every
/// post's travellers through the timeline. Now another post's crossing is
/// refused, and a timeline holds only the asking post's crossings; the
/// views that span every post (intelligence, the referral queue, the case
/// export) refuse post-bound users whatever their role.
#[tokio::test]
async fn post_bound_users_read_only_their_posts_travellers() {
    for app in spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        let other = app.user("oficial.carmen", Role::Officer, Some("GTM-ELCARMEN")).await;
        let other = app.token(&other).await;
        let mut ids = Vec::new();
        for (token, post) in [(&officer, "GTM-TECUNUMAN"), (&other, "GTM-ELCARMEN")] {
            let (status, body) =
                inspect(&app, token, json!({"post": post, "direction": "entry", "travellers": [{"mrz": MEX_MRZ}]}))
                    .await;
            assert_eq!(status, 201, "{body}");
            ids.push(body["travellers"][0]["crossing_id"].as_str().unwrap().to_string());
        }
        let timeline = |id: &str, token: &str| app.get(&format!("/api/crossings/{id}/timeline")).bearer_auth(token);
        expect_error(timeline(&ids[1], &supervisor).send().await.unwrap(), 403, "forbidden").await;
        let (status, tl) = json(timeline(&ids[0], &supervisor).send().await.unwrap()).await;
        assert_eq!(status, 200, "{tl}");
        let got: Vec<&str> = tl.as_array().unwrap().iter().map(|c| c["crossing_id"].as_str().unwrap()).collect();
        assert_eq!(got, [ids[0].as_str()], "the same document crossed at El Carmen too, unseen here");
        // A country-wide analyst sees both.
        let analyst = app.user("analista", Role::Analyst, None).await;
        let analyst = app.token(&analyst).await;
        let (_, tl) = json(timeline(&ids[0], &analyst).send().await.unwrap()).await;
        assert_eq!(tl.as_array().unwrap().len(), 2);

        let bound_analyst = app.user("analista.tecun", Role::Analyst, Some("GTM-TECUNUMAN")).await;
        let bound_analyst = app.token(&bound_analyst).await;
        let bound_protection = app.user("proteccion.tecun", Role::Protection, Some("GTM-TECUNUMAN")).await;
        let bound_protection = app.token(&bound_protection).await;
        for (path, token) in [
            ("/api/intel/persons", &bound_analyst),
            ("/api/intel/rings", &bound_analyst),
            ("/api/intel/export?format=ftm", &bound_analyst),
            ("/api/referrals", &bound_protection),
            ("/api/cases/export", &bound_protection),
        ] {
            expect_error(app.get(path).bearer_auth(token).send().await.unwrap(), 403, "forbidden").await;
        }
        assert_eq!(app.get("/api/intel/persons").bearer_auth(&analyst).send().await.unwrap().status(), 200);
    }
}

/// One NUL once answered 500 at a PostgreSQL centre and stopped the post's
/// synchronisation for ever; control characters are refused at the edge,
/// naming the field, for the booth's API as for every importer.
#[tokio::test]
async fn control_characters_are_refused_naming_the_field() {
    for app in spawn_apps().await {
        let (_, officer, _) = country(&app).await;
        for (traveller, field) in [
            (json!({"given_names": "Ana\u{0}", "surnames": "López"}), "travellers[0].given_names"),
            (json!({"given_names": "Ana", "surnames": "López\u{1b}[2J"}), "travellers[0].surnames"),
            (json!({"given_names": "Ana", "surnames": "López", "address": "\u{202e}x"}), "travellers[0].address"),
        ] {
            let (status, body) = inspect(
                &app,
                &officer,
                json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [traveller]}),
            )
            .await;
            assert_eq!((status, body["code"].as_str()), (422, Some("invalid_field")), "{body}");
            assert!(body["message"].as_str().unwrap().contains(field), "{body}");
        }
        let (status, body) = inspect(
            &app,
            &officer,
            json!({"post": "GTM-TECUNUMAN", "direction": "entry", "vehicle": "P-123\u{0}", "travellers": [{"surnames": "López"}]}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(app.store.crossing_count().await.unwrap(), 0);
    }
}

/// Issue 17: a hit carries the alert's notice, and each traveller's earlier
/// crossings within the officer's reach come back with the answer, an
/// entry after an entry named as an indicator; the crossings shown are in
/// the audit entry.
#[tokio::test]
async fn an_answer_carries_the_notice_and_the_travel_history() {
    for app in spawn_apps().await {
        let (_, officer, _) = country(&app).await;
        let wanted = json!({"given_names": "José Luis", "surnames": "Hernández Villalobos", "birth_date": "1980-05-17",
                            "document_number": "G7788990", "issuing_state": "MEX"});
        let (status, first) =
            inspect(&app, &officer, json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [wanted]}))
                .await;
        assert_eq!(status, 201, "{first}");
        let t = &first["travellers"][0];
        assert_eq!(t["hits"][0]["notice"]["reason"], "Notificación roja: trata de personas");
        assert_eq!(t["hits"][0]["notice"]["authority"], "INTERPOL");
        assert_eq!(t["hits"][0]["notice"]["issued"], "2025-11-02");
        assert!(t.get("travel_history").is_none(), "nothing earlier: {t}");
        let first_id = t["crossing_id"].as_str().unwrap().to_string();

        // The same document enters again: the earlier entry is shown and
        // named; an exit afterwards is not flagged.
        let (_, second) =
            inspect(&app, &officer, json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [wanted]}))
                .await;
        let t = &second["travellers"][0];
        assert_eq!(t["travel_history"][0]["crossing_id"], first_id.as_str());
        assert_eq!(t["travel_history"][0]["direction"], "entry");
        assert_eq!(t["travel_history"][0]["entry_without_exit"], true);
        assert!(t["flags"].as_array().unwrap().iter().any(|f| f["code"] == "entry_without_exit"), "{t}");
        let second_id = t["crossing_id"].as_str().unwrap().to_string();
        let (_, third) =
            inspect(&app, &officer, json!({"post": "GTM-TECUNUMAN", "direction": "exit", "travellers": [wanted]}))
                .await;
        let t = &third["travellers"][0];
        assert_eq!(t["travel_history"].as_array().unwrap().len(), 2);
        assert!(!t["flags"].as_array().unwrap().iter().any(|f| f["code"] == "entry_without_exit"), "{t}");
        let audit = app.store.audit_entries(Some(100)).await.unwrap();
        let shown = audit
            .iter()
            .find(|e| e.action == "inspection_recorded" && e.subject == t["crossing_id"].as_str().unwrap())
            .unwrap();
        assert!(shown.detail.contains(&first_id) && shown.detail.contains(&second_id), "{}", shown.detail);

        // An officer of another post does not see these crossings.
        let other = app.user("oficial.carmen", Role::Officer, Some("GTM-ELCARMEN")).await;
        let other = app.token(&other).await;
        let (_, elsewhere) =
            inspect(&app, &other, json!({"post": "GTM-ELCARMEN", "direction": "entry", "travellers": [wanted]})).await;
        assert!(elsewhere["travellers"][0].get("travel_history").is_none(), "{elsewhere}");
    }
}

/// Issue 17: the supervisors' queue through the API, on both backends:
/// severity first, filters, pages, the booth's decision and the traveller.
#[tokio::test]
async fn the_hit_queue_sorts_filters_and_pages() {
    for app in spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        let stolen = json!({"given_names": "Carlos", "surnames": "Pérez", "birth_date": "1975-03-03",
                            "document_number": "A1234567", "issuing_state": "GTM"});
        let wanted =
            json!({"given_names": "José Luis", "surnames": "Hernández Villalobos", "birth_date": "1980-05-17"});
        for t in [stolen, wanted] {
            let (status, body) =
                inspect(&app, &officer, json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [t]}))
                    .await;
            assert_eq!(status, 201, "{body}");
        }
        let wanted_crossing = {
            let (_, q) =
                json(app.get("/api/hits/queue?list=interpol-red").bearer_auth(&supervisor).send().await.unwrap()).await;
            q["rows"][0]["crossing_id"].as_str().unwrap().to_string()
        };
        let r = app
            .client
            .post(app.url(&format!("/api/crossings/{wanted_crossing}/decision")))
            .bearer_auth(&officer)
            .json(&json!({"decision": "secondary_inspection", "reason": "alerta roja"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let queue = |path: &str| {
            let (app, sup) = (&app, supervisor.clone());
            let path = path.to_string();
            async move { json(app.get(&path).bearer_auth(&sup).send().await.unwrap()).await }
        };
        let lists = |q: &Value| -> Vec<String> {
            q["rows"].as_array().unwrap().iter().map(|r| r["list_name"].as_str().unwrap().to_string()).collect()
        };
        let (status, q) = queue("/api/hits/queue").await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(lists(&q), ["interpol-red", "sltd"], "the wanted person first");
        assert_eq!((q["total"].as_u64(), q["page"].as_u64(), q["pages"].as_u64()), (Some(2), Some(1), Some(1)));
        let top = &q["rows"][0];
        assert_eq!(top["severity"], 3);
        assert_eq!(top["traveller"], "Hernández Villalobos, José Luis");
        assert!(top["listed_as"].as_str().unwrap().contains("Hernández Villalobos"), "{top}");
        assert_eq!(top["booth_decision"], "secondary_inspection");
        assert_eq!(top["notice"]["reason"], "Notificación roja: trata de personas");
        assert!(top["waiting_seconds"].as_i64().unwrap() >= 0);
        assert_eq!(q["rows"][1]["severity"], 2);
        assert_eq!(q["rows"][1]["booth_decision"], Value::Null);

        let (_, q) = queue("/api/hits/queue?order=oldest").await;
        assert_eq!(lists(&q), ["sltd", "interpol-red"]);
        let (_, q) = queue("/api/hits/queue?per_page=1&page=2").await;
        assert_eq!((lists(&q), q["pages"].as_u64(), q["total"].as_u64()), (vec!["sltd".to_string()], Some(2), Some(2)));
        let (_, q) = queue("/api/hits/queue?list=sltd").await;
        assert_eq!(lists(&q), ["sltd"]);
        // A post-bound supervisor asking for another post still sees theirs.
        let (_, q) = queue("/api/hits/queue?post=GTM-ELCARMEN").await;
        assert_eq!(q["total"], 2);

        // Adjudicated: out of the open queue, in the confirmed one.
        let id = q["rows"][0]["id"].as_i64().unwrap();
        let r = app
            .client
            .post(app.url(&format!("/api/hits/{id}/adjudication")))
            .bearer_auth(&supervisor)
            .json(&json!({"decision": "confirmed", "reason": "misma persona"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let (_, q) = queue("/api/hits/queue?status=confirmed").await;
        assert_eq!((q["total"].as_u64(), q["rows"][0]["id"].as_i64()), (Some(1), Some(id)));
        assert_eq!(q["rows"][0]["waiting_seconds"], Value::Null);
        let (_, q) = queue("/api/hits/queue").await;
        assert_eq!(q["total"], 1);

        // Unknown words are refused, naming the field; the page is bounded.
        let r = app.get("/api/hits/queue?status=pending").bearer_auth(&supervisor).send().await.unwrap();
        expect_error(r, 422, "invalid_field").await;
        let r = app.get("/api/hits/queue?order=random").bearer_auth(&supervisor).send().await.unwrap();
        expect_error(r, 422, "invalid_field").await;
        let (_, q) = queue("/api/hits/queue?status=all&per_page=100000").await;
        assert_eq!(q["per_page"], 100);
    }
}
