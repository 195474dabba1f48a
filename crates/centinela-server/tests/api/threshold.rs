//! The threshold what-if over the API: a post's stored crossings screened
//! again for candidate thresholds; alerts fall as the threshold rises, a
//! confirmed hit is kept at the shipped threshold; roles, posts and inputs
//! are checked; the run is audited.

use centinela_domain::Role;
use serde_json::json;

use crate::helpers::{expect_error, json, spawn_apps};
use crate::inspections::{country, inspect};

#[tokio::test]
async fn candidate_thresholds_weigh_alerts_per_day_against_confirmed_hits() {
    for app in spawn_apps().await {
        let (admin, officer, supervisor) = country(&app).await;
        let listed = json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [
            {"given_names": "José Luis", "surnames": "Hernández Villalobos", "birth_date": "1980-05-17"}]});
        let (_, body) = inspect(&app, &officer, listed).await;
        let hit = body["travellers"][0]["hit_ids"][0].as_i64().unwrap();
        let adj = json!({"decision": "confirmed", "reason": "misma persona"});
        let r = app.client.post(app.url(&format!("/api/hits/{hit}/adjudication"))).bearer_auth(&supervisor).json(&adj);
        assert_eq!(r.send().await.unwrap().status(), 201);
        for (g, s) in [("Ana", "Pérez"), ("José", "Hernández"), ("Luis", "Villalobos")] {
            let t = json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [{"given_names": g, "surnames": s}]});
            assert_eq!(inspect(&app, &officer, t).await.0, 201);
        }

        let ask = |token: &str, body: serde_json::Value| {
            app.client.post(app.url("/api/lists/threshold")).bearer_auth(token.to_string()).json(&body).send()
        };
        let body = json!({"post": "GTM-TECUNUMAN", "thresholds": [0.9, 0.25, 0.05]});
        let (status, a) = json(ask(&supervisor, body.clone()).await.unwrap()).await;
        assert_eq!(status, 200, "{a}");
        assert_eq!(
            (a["crossings"].as_u64(), a["confirmed"].as_u64(), a["days"].as_i64()),
            (Some(4), Some(1), Some(30))
        );
        assert_eq!(a["shipped"], 0.25);
        let rows = a["rows"].as_array().unwrap();
        let t: Vec<f64> = rows.iter().map(|r| r["threshold"].as_f64().unwrap()).collect();
        assert_eq!(t, vec![0.05, 0.25, 0.9]);
        let alerted: Vec<u64> = rows.iter().map(|r| r["alerted"].as_u64().unwrap()).collect();
        assert!(alerted.windows(2).all(|w| w[0] >= w[1]), "{alerted:?}");
        assert!(alerted[1] >= 1);
        for r in rows {
            assert_eq!(r["confirmed_kept"].as_u64().unwrap() + r["confirmed_lost"].as_u64().unwrap(), 1, "{r}");
        }
        assert_eq!(rows[1]["confirmed_kept"], 1);
        assert_eq!(rows[0]["alerts_per_day"].as_f64().unwrap(), (alerted[0] as f64 / 30.0 * 100.0).round() / 100.0);

        // Country-wide administrators may ask about any post; another
        // post's supervisor and officers may not; inputs are bounded.
        assert_eq!(ask(&admin, body.clone()).await.unwrap().status(), 200);
        expect_error(ask(&officer, body.clone()).await.unwrap(), 403, "forbidden").await;
        let other = app.user("sup-carmen", Role::Supervisor, Some("GTM-ELCARMEN")).await;
        let other = app.token(&other).await;
        expect_error(ask(&other, body).await.unwrap(), 403, "forbidden").await;
        for bad in [
            json!({"post": "GTM-TECUNUMAN", "thresholds": [0]}),
            json!({"post": "GTM-TECUNUMAN", "thresholds": [1.5]}),
            json!({"post": "GTM-TECUNUMAN", "from": "2020-01-01", "to": "2026-01-01"}),
            json!({"post": "GTM-TECUNUMAN", "from": "01/02/2026"}),
            json!({"post": "GTM-TECUNUMAN", "from": "2026-02-01", "to": "2026-01-01"}),
        ] {
            expect_error(ask(&supervisor, bad).await.unwrap(), 422, "invalid_field").await;
        }
        assert!(app.audit().await.iter().any(|a| a.1 == "threshold_backtested" && a.2 == "post:GTM-TECUNUMAN"));
    }
}
