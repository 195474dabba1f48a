//! `/api/intel/…`: persons with their evidence, a person's crossings and
//! links, facilitators, rings and their networks, documents, contacts,
//! exports, and the analysts' decisions — on the synthetic country, with
//! every read audited and the cached analysis following new data.

use centinela_domain::Role;
use centinela_synth::{Config, Scale, generate};
use serde_json::{Value, json};

use crate::helpers::{expect_error, json, spawn_apps};

#[tokio::test]
async fn analysts_read_the_networks_with_evidence_and_decide() {
    let country = generate(&Config::new(1, Scale::Small));
    for app in spawn_apps().await {
        app.store.import_crossings("admin", &country.crossings).await.unwrap();
        let analyst = app.user("analista", Role::Analyst, None).await;
        let token = app.token(&analyst).await;
        let get = |path: String| {
            let req = app.get(&path).bearer_auth(&token);
            async move { json(req.send().await.unwrap()).await }
        };

        let (s, facs) = get("/api/intel/facilitators?top=5".into()).await;
        assert_eq!(s, 200, "{facs}");
        let facs = facs.as_array().unwrap().clone();
        assert!(!facs.is_empty());
        for k in
            ["person_id", "score", "crossings", "distinct_companions", "minor_companions", "crossing_ids", "evidence"]
        {
            assert!(facs[0].get(k).is_some(), "{k} missing in {}", facs[0]);
        }
        assert!(!facs[0]["evidence"].as_array().unwrap().is_empty());

        let (s, rings) = get("/api/intel/rings".into()).await;
        assert_eq!(s, 200);
        let ring = rings[0].clone();
        let ring_id = ring["ring_id"].as_str().unwrap();
        let (s, net) = get(format!("/api/intel/rings/{ring_id}/network?max=60")).await;
        assert_eq!(s, 200, "{net}");
        let nodes = net["nodes"].as_array().unwrap();
        assert!(nodes.len() >= ring["person_ids"].as_array().unwrap().len() && nodes.len() <= 60);
        assert!(!net["edges"].as_array().unwrap().is_empty());
        assert!(nodes.iter().any(|n| n["role"] == "facilitator"));

        // A facilitator's page: summary, identity evidence, links, crossings.
        let pid = facs[0]["person_id"].as_str().unwrap();
        let (s, p) = get(format!("/api/intel/persons/{pid}")).await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(p["person"]["person_id"], pid);
        assert!(p["facilitator"]["evidence"].as_array().is_some_and(|e| !e.is_empty()));
        assert!(p["links"].as_array().unwrap().iter().any(|l| l["kinds"]["party"].as_u64() > Some(0)));
        assert!(p["analysis"]["crossings"].as_u64() == Some(country.crossings.len() as u64));
        let (s, cs) = get(format!("/api/intel/persons/{pid}/crossings")).await;
        assert_eq!(s, 200);
        assert_eq!(cs.as_array().unwrap().len(), facs[0]["crossings"].as_u64().unwrap() as usize);
        let (s, net) = get(format!("/api/intel/persons/{pid}/network")).await;
        assert_eq!(s, 200);
        assert!(net["nodes"].as_array().unwrap().iter().any(|n| n["id"] == pid && n["seed"] == true));

        // Persons: someone whose records were joined shows the evidence.
        let (s, page) = get("/api/intel/persons?limit=20".into()).await;
        assert_eq!(s, 200);
        assert!(page["total"].as_u64().unwrap() > 100);
        let mut joined = None;
        for q in page["persons"].as_array().unwrap() {
            let (_, v) = get(format!("/api/intel/persons/{}", q["person_id"].as_str().unwrap())).await;
            if let Some(l) = v["identity_links"].as_array().and_then(|l| l.first()) {
                joined = Some(l.clone());
                break;
            }
        }
        let joined = joined.expect("a person joined from differing records");
        assert_eq!(joined["by"], "resolver");
        assert!(
            joined["evidence"].as_array().unwrap().iter().any(|e| e["aspect"].is_string() && e["weight"].is_number())
        );
        let first = cs[0]["crossing_id"].as_str().unwrap();
        let (_, found) = get(format!("/api/intel/persons?crossing={first}")).await;
        assert_eq!(found["persons"][0]["person_id"], pid);

        let (s, docs) = get("/api/intel/documents".into()).await;
        assert_eq!(s, 200);
        assert!(docs.as_array().unwrap().iter().all(|d| !d["evidence"].as_array().unwrap().is_empty()));
        let (s, contacts) = get("/api/intel/contacts".into()).await;
        assert_eq!(s, 200);
        assert!(contacts.is_array());

        // Exports.
        let r = app
            .get(&format!("/api/intel/export?format=graphml&ring={ring_id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/graphml+xml");
        let xml = r.text().await.unwrap();
        assert!(xml.starts_with("<?xml") && xml.contains("<edge "), "{xml}");
        let r = app.get("/api/intel/export?format=ftm").bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let ftm = r.text().await.unwrap();
        let lines: Vec<Value> = ftm.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert!(lines.iter().any(|l| l["schema"] == "Associate"));
        expect_error(
            app.get("/api/intel/export?format=dot").bearer_auth(&token).send().await.unwrap(),
            400,
            "invalid_query",
        )
        .await;
        expect_error(
            app.get("/api/intel/export?format=ftm&ring=K999").bearer_auth(&token).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
        expect_error(
            app.get("/api/intel/persons/R9999999").bearer_auth(&token).send().await.unwrap(),
            404,
            "not_found",
        )
        .await;
        expect_error(app.get("/api/intel/persons/nobody").bearer_auth(&token).send().await.unwrap(), 404, "not_found")
            .await;

        // Decisions: split the facilitator's first two crossings, applied at once.
        let second = cs[1]["crossing_id"].as_str().unwrap();
        let decide = |body: Value| {
            app.request(reqwest::Method::POST, "/api/intel/decisions").bearer_auth(&token).json(&body).send()
        };
        let (s, d) = json(
            decide(json!({"kind": "split", "crossing_a": first, "crossing_b": second, "reason": "fotos distintas"}))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(s, 201, "{d}");
        let (_, a) = get(format!("/api/intel/persons?crossing={first}")).await;
        let (_, b) = get(format!("/api/intel/persons?crossing={second}")).await;
        assert_ne!(a["persons"][0]["person_id"], b["persons"][0]["person_id"]);
        assert_eq!(a["analysis"]["decisions"], 1);
        let (s, list) = get("/api/intel/decisions".into()).await;
        assert_eq!((s, list.as_array().unwrap().len()), (200, 1));
        expect_error(
            decide(json!({"kind": "merge", "crossing_a": first, "crossing_b": "NOPE"})).await.unwrap(),
            404,
            "not_found",
        )
        .await;
        expect_error(
            // A crossing with itself is a bad request, whatever is stored.
            decide(json!({"kind": "merge", "crossing_a": first, "crossing_b": first})).await.unwrap(),
            422,
            "invalid_field",
        )
        .await;
        let (s, _) =
            json(decide(json!({"kind": "join", "crossing_a": first, "crossing_b": second})).await.unwrap()).await;
        assert_eq!(s, 422, "an unknown kind is an invalid field");
        let id = d["id"].as_i64().unwrap();
        let r = app
            .request(reqwest::Method::POST, &format!("/api/intel/decisions/{id}/withdraw"))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let (_, a) = get(format!("/api/intel/persons?crossing={first}")).await;
        let (_, b) = get(format!("/api/intel/persons?crossing={second}")).await;
        assert_eq!(a["persons"][0]["person_id"], b["persons"][0]["person_id"]);

        // Every read of personal data and every decision is in the audit chain.
        let audit = app.audit().await;
        let actions: Vec<&str> = audit.iter().map(|a| a.1.as_str()).collect();
        for a in [
            "intel_facilitators_viewed",
            "intel_rings_viewed",
            "intel_network_viewed",
            "intel_person_viewed",
            "intel_person_crossings_viewed",
            "intel_persons_viewed",
            "intel_documents_viewed",
            "intel_contacts_viewed",
            "intel_exported",
            "intel_split",
            "intel_withdraw",
        ] {
            assert!(actions.contains(&a), "{a} not audited: {actions:?}");
        }
        assert!(audit.iter().any(|a| a.1 == "intel_person_viewed" && a.2 == format!("person:{pid}")));
    }
}

#[tokio::test]
async fn other_roles_are_refused() {
    for app in spawn_apps().await {
        for role in [Role::Officer, Role::Supervisor, Role::Protection, Role::Admin, Role::Auditor] {
            let u = app.user(&format!("u-{role}"), role, None).await;
            let token = app.token(&u).await;
            let r = app.get("/api/intel/facilitators").bearer_auth(&token).send().await.unwrap();
            expect_error(r, 403, "forbidden").await;
        }
    }
}
