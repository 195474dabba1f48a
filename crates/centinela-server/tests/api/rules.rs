//! Risk rules through the API: checking with line and column, saving
//! (versions, audit), enabling and disabling, back-testing over stored
//! crossings with what became of them.

use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, Role, Sex, Timestamp};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_error, json, spawn_apps};

const GOOD: &str = r#"rule R_HND "Hondurans at night" {
  category smuggling
  action secondary_inspection
  weight 0.5
  source "test"
  when traveller.nationality == "HND" and crossing.hour >= 20
}
"#;

/// The same rule with an unknown fact on line 6.
const BAD: &str = r#"rule R_HND "Hondurans at night" {
  category smuggling
  action secondary_inspection
  weight 0.5
  source "test"
  when traveller.nationalty == "HND"
}
"#;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

fn crossing(id: &str, post: &str, at: &str, nationality: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: format!("Persona {id}"),
        surnames: format!("Apellido{id}"),
        birth_date: Some(BirthDate::parse("1990-01-01").unwrap()),
        nationality: Some(CountryCode::parse(nationality).unwrap()),
        sex: Sex::Female,
        ..CrossingRecord::new(id, post, Direction::Entry, Timestamp::parse(at).unwrap())
    }
}

#[tokio::test]
async fn check_reports_line_and_column_and_save_refuses_errors() {
    for app in spawn_apps().await {
        let analyst = app.user("ana", Role::Analyst, None).await;
        let token = app.token(&analyst).await;

        let (s, body) = json(post(&app, &token, "/api/rules/check", json!({ "text": BAD })).await).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!(body["ok"], false);
        let e = &body["errors"][0];
        assert_eq!((e["line"].as_u64(), e["column"].as_u64()), (Some(6), Some(8)), "{body}");
        assert!(e["message"].as_str().unwrap().contains("nationalty"), "{body}");
        assert!(!e["hint"].as_str().unwrap().is_empty(), "{body}");

        let (s, body) = json(post(&app, &token, "/api/rules/check", json!({ "text": GOOD })).await).await;
        assert_eq!((s, &body["ok"]), (200, &json!(true)), "{body}");
        assert_eq!(body["rules"][0]["id"], "R_HND");
        assert_eq!(body["rules"][0]["exists"], false);
        let (_, body) = json(post(&app, &token, "/api/rules/check", json!({ "text": "  " })).await).await;
        assert_eq!(body["ok"], false, "an empty text defines no rule");

        // Any text at all: an answer, never a 500.
        for text in ["rule", "rule X \"y\" {", "}}}}", "rule X \"y\" { when ((((((((((1 }", "\u{0}\u{ffff}"] {
            let (s, body) = json(post(&app, &token, "/api/rules/check", json!({ "text": text })).await).await;
            assert_eq!((s, &body["ok"]), (200, &json!(false)), "{text:?}: {body}");
        }
        let long = "x".repeat(70_000);
        expect_error(post(&app, &token, "/api/rules/check", json!({ "text": long })).await, 422, "invalid_field").await;

        let r = post(&app, &token, "/api/rules", json!({ "text": BAD })).await;
        let body = expect_error(r, 422, "invalid_rule").await;
        assert!(body["message"].as_str().unwrap().starts_with("6:8:"), "{body}");
        expect_error(post(&app, &token, "/api/rules/backtest", json!({ "text": BAD })).await, 422, "invalid_rule")
            .await;
        assert!(app.store.rules().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn save_enable_disable_with_versions_and_audit() {
    for app in spawn_apps().await {
        let analyst = app.user("ana", Role::Analyst, None).await;
        let admin = app.user("root", Role::Admin, None).await;
        let (ta, tadmin) = (app.token(&analyst).await, app.token(&admin).await);

        let (s, body) = json(post(&app, &ta, "/api/rules", json!({ "text": GOOD })).await).await;
        assert_eq!(s, 201, "{body}");
        assert_eq!((body[0]["rule_id"].as_str(), body[0]["version"].as_i64()), (Some("R_HND"), Some(1)));
        assert_eq!(body[0]["enabled"], false, "a new rule is saved disabled");

        let (_, rules) = json(app.get("/api/rules").bearer_auth(&ta).send().await.unwrap()).await;
        let mine = rules.as_array().unwrap().iter().find(|r| r["id"] == "R_HND").unwrap().clone();
        assert_eq!((mine["origin"].as_str(), mine["author"].as_str()), (Some("stored"), Some("ana")));
        assert_eq!((mine["enabled"].as_bool(), mine["category"].as_str()), (Some(false), Some("smuggling")));
        let t1 = rules.as_array().unwrap().iter().find(|r| r["id"] == "T1").unwrap();
        assert_eq!((t1["origin"].as_str(), t1["enabled"].as_bool()), (Some("builtin"), Some(true)));
        assert!(!t1["source"].as_str().unwrap().is_empty());

        // The administrator enables it; the analyst disables a built-in rule.
        let (s, v) = json(post(&app, &tadmin, "/api/rules/R_HND/enable", json!({})).await).await;
        assert_eq!((s, v["version"].as_i64(), v["enabled"].as_bool()), (200, Some(2), Some(true)), "{v}");
        let (s, v) = json(post(&app, &ta, "/api/rules/T2/disable", json!({})).await).await;
        assert_eq!((s, v["version"].as_i64(), v["enabled"].as_bool()), (200, Some(1), Some(false)), "{v}");
        expect_error(post(&app, &ta, "/api/rules/NOPE/enable", json!({})).await, 404, "not_found").await;

        // A new version of an enabled rule keeps it enabled.
        let changed = GOOD.replace("0.5", "0.7");
        let (_, body) = json(post(&app, &ta, "/api/rules", json!({ "text": changed })).await).await;
        assert_eq!((body[0]["version"].as_i64(), body[0]["enabled"].as_bool()), (Some(3), Some(true)), "{body}");

        let (s, versions) = json(app.get("/api/rules/R_HND/versions").bearer_auth(&ta).send().await.unwrap()).await;
        assert_eq!(s, 200);
        let changes: Vec<_> = versions.as_array().unwrap().iter().map(|v| v["change"].as_str().unwrap()).collect();
        assert_eq!(changes, ["saved", "enabled", "saved"]);
        let (_, versions) = json(app.get("/api/rules/T5/versions").bearer_auth(&ta).send().await.unwrap()).await;
        assert_eq!(versions, json!([]), "a built-in rule never changed has no stored version");
        expect_error(app.get("/api/rules/NOPE/versions").bearer_auth(&ta).send().await.unwrap(), 404, "not_found")
            .await;

        let audit: Vec<_> = app.audit().await.into_iter().filter(|a| a.1.starts_with("rule_")).collect();
        let seen: Vec<_> = audit.iter().map(|a| (a.0.as_str(), a.1.as_str(), a.2.as_str())).collect();
        assert_eq!(
            seen,
            [
                ("ana", "rule_saved", "R_HND"),
                ("root", "rule_enabled", "R_HND"),
                ("ana", "rule_saved", "T2"),
                ("ana", "rule_saved", "R_HND"),
            ]
        );

        // Officers never; supervisors and auditors read; only analysts save.
        let officer = app.user("olga", Role::Officer, None).await;
        let to = app.token(&officer).await;
        expect_error(app.get("/api/rules").bearer_auth(&to).send().await.unwrap(), 403, "forbidden").await;
        expect_error(post(&app, &tadmin, "/api/rules", json!({ "text": GOOD })).await, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn backtest_counts_per_post_week_and_follow_ups() {
    for app in spawn_apps().await {
        let analyst = app.user("ana", Role::Analyst, None).await;
        let token = app.token(&analyst).await;
        // Monday 2026-03-02 and Monday 2026-03-09; night crossings by
        // Hondurans at two posts, one by day, one Guatemalan at night.
        let rows = [
            crossing("C1", "GTM-A", "2026-03-02T21:00:00Z", "HND"),
            crossing("C2", "GTM-A", "2026-03-03T22:00:00Z", "HND"),
            crossing("C3", "GTM-B", "2026-03-10T23:00:00Z", "HND"),
            crossing("C4", "GTM-B", "2026-03-10T10:00:00Z", "HND"),
            crossing("C5", "GTM-A", "2026-03-11T21:30:00Z", "GTM"),
        ];
        app.store.import_crossings("system", &rows).await.unwrap();
        app.raw(&format!(
            "INSERT INTO referrals (crossing_id, unit, reason, user_id, at) VALUES \
             ('C3', 'protection', 'test', {id}, '2026-03-10T23:30:00Z'), \
             ('C5', 'secondary_inspection', 'test', {id}, '2026-03-11T21:40:00Z')",
            id = analyst.id
        ))
        .await;

        let (s, bt) = json(post(&app, &token, "/api/rules/backtest", json!({ "text": GOOD })).await).await;
        assert_eq!(s, 200, "{bt}");
        let r = &bt["report"];
        assert_eq!((r["crossings"].as_u64(), r["flagged"].as_u64()), (Some(5), Some(3)), "{bt}");
        assert_eq!(r["per_post"]["GTM-A"], json!({ "crossings": 3, "flagged": 2 }));
        assert_eq!(r["per_post"]["GTM-B"], json!({ "crossings": 2, "flagged": 1 }));
        assert_eq!(r["per_week"]["2026-03-02"], json!({ "crossings": 2, "flagged": 2 }));
        assert_eq!(r["per_week"]["2026-03-09"], json!({ "crossings": 3, "flagged": 1 }));
        assert_eq!((r["referred"].as_u64(), r["referred_flagged"].as_u64()), (Some(1), Some(1)), "{bt}");
        assert_eq!(r["secondary_inspection"], 3);
        assert_eq!(bt["rule_ids"], json!(["R_HND"]));
        // No built-in rule sends these (no minors, no history): all added work.
        assert_eq!((bt["in_force_secondary"].as_u64(), bt["added_secondary"].as_u64()), (Some(0), Some(3)), "{bt}");

        // A window: only the second week counts (the first is history).
        let body = json!({ "text": GOOD, "from": "2026-03-09", "to": "2026-03-10" });
        let (s, bt) = json(post(&app, &token, "/api/rules/backtest", body).await).await;
        assert_eq!(s, 200, "{bt}");
        assert_eq!((bt["report"]["crossings"].as_u64(), bt["report"]["flagged"].as_u64()), (Some(2), Some(1)), "{bt}");
        assert_eq!((bt["from"].as_str(), bt["to"].as_str()), (Some("2026-03-09"), Some("2026-03-10")));

        for bad in [
            json!({ "text": GOOD, "from": "yesterday" }),
            json!({ "text": GOOD, "from": "2026-03-10", "to": "2026-03-01" }),
        ] {
            expect_error(post(&app, &token, "/api/rules/backtest", bad).await, 422, "invalid_field").await;
        }
        let audit = app.audit().await;
        let bts: Vec<_> = audit.iter().filter(|a| a.1 == "rules_backtested").collect();
        assert_eq!(bts.len(), 2);
        assert_eq!(bts[0].3["flagged"], 3);
    }
}
