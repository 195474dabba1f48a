//! Referrals to protection and trafficking cases over the API: the
//! indicators travel with the referral, an accepted referral opens a case,
//! versions never overwrite, picklists are checked with stable codes, only
//! the protection unit and explicit shares read a case, every access is
//! audited, and the HTCDS export.

use centinela_domain::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json};
use crate::inspections::{country, inspect};

/// An officer inspects a minor who is on the missing list, travelling with
/// an unrelated adult, and refers her to protection. Returns her crossing.
async fn refer(app: &TestApp, officer: &str) -> String {
    let (status, body) = inspect(
        app,
        officer,
        json!({
            "post": "GTM-TECUNUMAN", "direction": "entry",
            "travellers": [
                {"given_names": "Carlos", "surnames": "Pérez", "birth_date": "1975-03-03"},
                {"given_names": "Yessenia", "surnames": "Cux", "birth_date": "2011-02-03", "relation": "none", "observations": ["T5"]}
            ]
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let crossing = body["travellers"][1]["crossing_id"].as_str().unwrap().to_string();
    let r = app
        .client
        .post(app.url(&format!("/api/crossings/{crossing}/decision")))
        .bearer_auth(officer)
        .json(&json!({"decision": "refer_to_protection", "reason": "menor con adulto sin parentesco"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    crossing
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    json(app.get(path).bearer_auth(token).send().await.unwrap()).await
}

#[tokio::test]
async fn a_referral_becomes_a_case_that_changes_by_versions() {
    for app in crate::helpers::spawn_apps().await {
        let (_, officer, _) = country(&app).await;
        let prot_user = app.user("proteccion", Role::Protection, None).await;
        let prot = app.token(&prot_user).await;
        let analyst_user = app.user("analista", Role::Analyst, None).await;
        let analyst = app.token(&analyst_user).await;
        let crossing = refer(&app, &officer).await;

        // The queue shows the referral with what triggered it.
        let (status, queue) = get(&app, &prot, "/api/referrals").await;
        assert_eq!(status, 200, "{queue}");
        let r = &queue[0];
        assert_eq!(r["crossing_id"], crossing.as_str());
        let codes: Vec<&str> = r["indicator_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert!(codes.contains(&"T1") && codes.contains(&"T5") && codes.contains(&"list:desaparecidos"), "{codes:?}");
        assert_eq!(r["surnames"], "Cux");
        let rid = r["id"].as_i64().unwrap();
        let (status, one) = get(&app, &prot, &format!("/api/referrals/{rid}")).await;
        assert_eq!((status, &one["id"]), (200, &json!(rid)));
        let (status, _) = get(&app, &prot, "/api/referrals/999").await;
        assert_eq!(status, 404);

        // Answering needs a reason; accepting opens a case.
        let answer = |body: Value| {
            app.client.post(app.url(&format!("/api/referrals/{rid}/answer"))).bearer_auth(&prot).json(&body).send()
        };
        expect_error(answer(json!({"answer": "accept", "reason": ""})).await.unwrap(), 422, "invalid_field").await;
        expect_error(answer(json!({"answer": "maybe", "reason": "x"})).await.unwrap(), 422, "invalid_field").await;
        let (status, a) =
            json(answer(json!({"answer": "accept", "reason": "entrevista inicial"})).await.unwrap()).await;
        assert_eq!(status, 201, "{a}");
        let case_id = a["case_id"].as_i64().unwrap();
        expect_error(answer(json!({"answer": "decline", "reason": "x"})).await.unwrap(), 409, "conflict").await;
        let (_, waiting) = get(&app, &prot, "/api/referrals").await;
        assert!(waiting.as_array().unwrap().is_empty());

        let (status, c) = get(&app, &prot, &format!("/api/cases/{case_id}")).await;
        assert_eq!(status, 200, "{c}");
        assert_eq!(c["version"], 1);
        assert_eq!(c["record"]["person"]["prs_FirstName"], "Yessenia");
        assert_eq!(c["record"]["victim"]["vic_TraffickingStatus"], "PossibleVictimOfTrafficking");
        assert_eq!(c["crossings"], json!([crossing]));
        // Referred by the post, an organisation of the record (HTCDS's
        // lookup), and no DEPRECATED field filled or answered.
        let referring = c["record"]["case"]["cas_ReferringOrganisation"].as_str().unwrap();
        let org = &c["record"]["organisations"][0];
        assert_eq!((org["id"].as_str(), &org["org_Type"]), (Some(referring), &json!("ImmigrationService")), "{c}");
        for d in centinela_domain::htcds::DEPRECATED {
            assert!(c["record"]["victim"].get(d).is_none(), "{d} in {c}");
        }

        // A new version: the HTCDS fields, picklists checked.
        let mut record = c["record"].clone();
        record["victim"]["vic_MethodsOfControl"] = json!(["FalsePromises", "WithholdsDocuments"]);
        record["victim"]["vic_TypeOfExploitation"] = json!(["ForcedLabour"]);
        record["perpetrators"] =
            json!([{"prs_FirstName": "Carlos", "per_RoleInProcess": ["TravellingPartner", "Smuggler"]}]);
        record["events"] = json!([{"hte_Type": "Recruitment", "hte_Date": "2025-12-01", "hte_Country": "GTM"}]);
        record["person"]["prs_Citizenship"] = json!(["GT"]);
        record["consent"] = json!({"con_Consent": true});
        let put = |body: Value| {
            app.client.put(app.url(&format!("/api/cases/{case_id}"))).bearer_auth(&prot).json(&body).send()
        };
        let (status, v) = json(put(json!({"base_version": 1, "record": record})).await.unwrap()).await;
        assert_eq!((status, &v["version"]), (200, &json!(2)), "{v}");
        // The same change again from version 1: refused, nothing overwritten.
        expect_error(put(json!({"base_version": 1, "record": record})).await.unwrap(), 409, "stale_version").await;
        let mut bad = record.clone();
        bad["victim"]["vic_MethodsOfControl"] = json!(["Magic"]);
        let body =
            expect_error(put(json!({"base_version": 2, "record": bad})).await.unwrap(), 422, "invalid_picklist_value")
                .await;
        assert!(body["message"].as_str().unwrap().contains("vic_MethodsOfControl"), "{body}");
        let mut bad = record.clone();
        bad["person"]["prs_Nickname"] = json!("x");
        expect_error(put(json!({"base_version": 2, "record": bad})).await.unwrap(), 422, "invalid_field").await;
        let (_, versions) = get(&app, &prot, &format!("/api/cases/{case_id}/versions")).await;
        assert_eq!(versions.as_array().unwrap().len(), 2);
        assert_eq!(versions[0]["record"]["victim"]["vic_MethodsOfControl"], json!([]));

        // Other roles: not found unless shared; a share is read only.
        let (status, _) = get(&app, &analyst, &format!("/api/cases/{case_id}")).await;
        assert_eq!(status, 404);
        let (_, list) = get(&app, &analyst, "/api/cases").await;
        assert!(list.as_array().unwrap().is_empty());
        expect_error(
            app.client
                .put(app.url(&format!("/api/cases/{case_id}")))
                .bearer_auth(&analyst)
                .json(&json!({"base_version": 2, "record": record}))
                .send()
                .await
                .unwrap(),
            403,
            "forbidden",
        )
        .await;
        let r = app
            .client
            .post(app.url(&format!("/api/cases/{case_id}/shares")))
            .bearer_auth(&prot)
            .json(&json!({"user_id": analyst_user.id}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let (status, shared) = get(&app, &analyst, &format!("/api/cases/{case_id}")).await;
        assert_eq!((status, &shared["version"]), (200, &json!(2)));
        let (_, list) = get(&app, &analyst, "/api/cases").await;
        assert_eq!(list.as_array().unwrap().len(), 1);

        // Export: JSON and CSV with HTCDS names.
        let (status, exported) = get(&app, &prot, "/api/cases/export").await;
        assert_eq!(status, 200);
        assert_eq!(exported[0]["record"]["victim"]["vic_MethodsOfControl"][1], "WithholdsDocuments");
        let csv = app.get("/api/cases/export?format=csv").bearer_auth(&prot).send().await.unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        let csv = csv.text().await.unwrap();
        let mut lines = csv.lines();
        let header = lines.next().unwrap();
        assert!(header.starts_with("case_id,version,opened_at,updated_at,prs_Salutation,prs_FirstName"), "{header}");
        assert!(header.contains("vic_MethodsOfControl") && header.ends_with("con_Consent"));
        assert!(lines.next().unwrap().contains("FalsePromises;WithholdsDocuments"));
        assert!(!csv.starts_with('\u{feff}') && csv.ends_with("\r\n"), "{csv:?}");
        // For a spreadsheet: the byte-order mark, then the same file.
        let excel = app.get("/api/cases/export?format=csv&excel=true").bearer_auth(&prot).send().await.unwrap();
        assert_eq!(excel.text().await.unwrap(), format!("\u{feff}{csv}"));
        let perps = app.get("/api/cases/export?format=csv&table=perpetrators").bearer_auth(&prot).send().await.unwrap();
        assert!(perps.text().await.unwrap().contains("TravellingPartner;Smuggler"));
        // Country codes alpha-3 unless alpha-2 is asked for (IOM's survey
        // toolkit), in the CSV and the JSON alike; organisations their own table.
        assert!(csv.lines().nth(1).unwrap().contains(",GTM,"), "{csv}");
        let a2 = app.get("/api/cases/export?format=csv&alpha2=true").bearer_auth(&prot).send().await.unwrap();
        assert!(a2.text().await.unwrap().lines().nth(1).unwrap().contains(",GT,"));
        let (_, a2) = get(&app, &prot, "/api/cases/export?alpha2=true").await;
        assert_eq!(a2[0]["record"]["person"]["prs_Citizenship"], json!(["GT"]));
        assert_eq!(a2[0]["record"]["events"][0]["hte_Country"], "GT");
        let orgs = app.get("/api/cases/export?format=csv&table=organisations").bearer_auth(&prot).send().await.unwrap();
        let orgs = orgs.text().await.unwrap();
        assert!(orgs.starts_with("case_id,organisation_id,org_Name,org_Type,"), "{orgs}");
        assert!(orgs.contains(",ImmigrationService,"), "{orgs}");
        expect_error(
            app.get("/api/cases/export?format=xml").bearer_auth(&prot).send().await.unwrap(),
            400,
            "invalid_query",
        )
        .await;

        // Every access is in the chain.
        let audit = app.audit().await;
        let subject = format!("case:{case_id}");
        let of = |action: &str| audit.iter().filter(|e| e.1 == action).count();
        assert!(of("referrals_viewed") >= 2 && of("referral_viewed") == 1 && of("referral_answered") == 1);
        assert_eq!(of("case_opened"), 1);
        assert_eq!(of("case_updated"), 1);
        assert_eq!(of("case_shared"), 1);
        assert!(
            audit.iter().any(|e| e.1 == "case_viewed" && e.2 == subject && e.0 == format!("user:{}", analyst_user.id))
        );
        assert_eq!(of("case_versions_viewed"), 1);
        assert_eq!(of("cases_exported"), 7);
    }
}

#[tokio::test]
async fn cases_opened_directly_and_declined_referrals() {
    for app in crate::helpers::spawn_apps().await {
        let (_, officer, _) = country(&app).await;
        let prot = app.user("proteccion", Role::Protection, None).await;
        let prot = app.token(&prot).await;
        let crossing = refer(&app, &officer).await;
        let post = |path: &str, body: Value| app.client.post(app.url(path)).bearer_auth(&prot).json(&body).send();

        let (status, c) = json(
            post("/api/cases", json!({"record": {"person": {"prs_FirstName": "Rosa"}}, "crossings": [crossing]}))
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 201, "{c}");
        let case_id = c["id"].as_i64().unwrap();
        expect_error(post("/api/cases", json!({"record": {}, "crossings": ["nope"]})).await.unwrap(), 404, "not_found")
            .await;
        expect_error(
            post("/api/cases", json!({"record": {"case": {"cas_Status": "Open"}}})).await.unwrap(),
            422,
            "invalid_picklist_value",
        )
        .await;

        let (_, queue) = get(&app, &prot, "/api/referrals").await;
        let rid = queue[0]["id"].as_i64().unwrap();
        let path = format!("/api/referrals/{rid}/answer");
        expect_error(
            post(&path, json!({"answer": "decline", "reason": "x", "case_id": case_id})).await.unwrap(),
            422,
            "invalid_field",
        )
        .await;
        let (status, a) =
            json(post(&path, json!({"answer": "decline", "reason": "no hay indicios"})).await.unwrap()).await;
        assert_eq!((status, a["answer"].as_str()), (201, Some("declined")));
        let (_, all) = get(&app, &prot, "/api/referrals?waiting=false").await;
        assert_eq!(all[0]["answer"]["answer"], "declined");
        // Reconsidered: joins the case opened directly.
        let (status, a) = json(
            post(&path, json!({"answer": "accept", "reason": "misma persona", "case_id": case_id})).await.unwrap(),
        )
        .await;
        assert_eq!((status, a["case_id"].as_i64()), (201, Some(case_id)));
        let (_, c) = get(&app, &prot, &format!("/api/cases/{case_id}")).await;
        assert_eq!(c["referrals"], json!([rid]));
    }
}

/// Victims identified are counted from the country's cases, by day and
/// unsuppressed: a post's supervisor once saw them on the dashboard. Now
/// only country-wide users do; the regional release keeps them k-anonymous.
#[tokio::test]
async fn a_posts_users_see_no_victim_counts_on_the_dashboard() {
    for app in crate::helpers::spawn_apps().await {
        let (_, officer, supervisor) = country(&app).await;
        let prot = app.user("proteccion", Role::Protection, None).await;
        let prot = app.token(&prot).await;
        let crossing = refer(&app, &officer).await;
        let body = json!({"record": {"victim": {"vic_TraffickingStatus": "PossibleVictimOfTrafficking"}}, "crossings": [crossing]});
        let r = app.client.post(app.url("/api/cases")).bearer_auth(&prot).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 201);
        let national = app.user("supervisora.nacional", Role::Supervisor, None).await;
        let national = app.token(&national).await;
        let (_, all) = get(&app, &national, "/api/stats").await;
        assert_eq!(all["figures"]["cases"]["identified"], 1, "{all}");
        let (status, bound) = get(&app, &supervisor, "/api/stats").await;
        assert_eq!(status, 200);
        assert_eq!(bound["figures"]["cases"]["identified"], 0, "{bound}");
        assert_eq!(bound["figures"]["victims_by_exploitation"], json!([]), "{bound}");
    }
}
