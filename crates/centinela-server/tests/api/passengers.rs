//! `POST /api/passengers/messages`: a carrier's gateway sends raw EDIFACT;
//! administrators only; stored and audited; an unreadable body is refused
//! whole, naming where and no value; the body is bounded.

use centinela_domain::Role;
use reqwest::Method;

use crate::helpers::{expect_error, json, spawn_apps};

/// Written for this test from the API guide's segment tables.
const LIST: &str = "UNA:+.? '
UNB+UNOC:4+CM+GTMUIP+20261206:1405+78'
UNH+1+PAXLST:D:05B:UN:IATA'
BGM+745'
TDT+20+CM421+++CM'
LOC+125+PTY'
DTM+189:202612061530:203'
LOC+87+GUA'
NAD+FL+++RIOS:ANA'
DOC+P:110:111+G1234567'
NAD+FL+++RIOS:LUIS'
CNT+42:2'
UNT+11+1'
UNZ+1+78'
";

#[tokio::test]
async fn a_gateway_posts_raw_edifact() {
    for app in spawn_apps().await {
        let admin = app.user("pasarela", Role::Admin, None).await;
        let admin = app.token(&admin).await;
        let officer = app.user("oficial", Role::Officer, Some("GTM-TECUNUMAN")).await;
        let officer = app.token(&officer).await;
        let post = |token: &str, body: String| {
            app.request(Method::POST, "/api/passengers/messages")
                .bearer_auth(token)
                .header("content-type", "application/edifact")
                .body(body)
                .send()
        };
        let (status, r) = json(post(&admin, LIST.to_string()).await.unwrap()).await;
        assert_eq!(status, 201, "{r}");
        assert_eq!((r["paxlst"].as_u64(), r["persons"].as_u64(), r["flights"].as_u64()), (Some(1), Some(2), Some(1)));
        let audit = app.audit().await;
        let (actor, _, _, detail) = audit.iter().find(|(_, a, _, _)| a == "passengers_imported").unwrap();
        assert!(actor.starts_with("user:"));
        assert_eq!((detail["source"].as_str(), detail["persons"].as_u64()), (Some("api"), Some(2)));

        expect_error(post(&officer, LIST.to_string()).await.unwrap(), 403, "forbidden").await;
        let bad = LIST.replace("NAD+FL+++RIOS:LUIS'", "NAD+FL+++:LUIS'");
        let e = expect_error(post(&admin, bad).await.unwrap(), 422, "invalid_field").await;
        let m = e["message"].as_str().unwrap();
        assert!(m.contains("message 1, segment 10 (NAD), element 4, component 1: missing surname"), "{m}");
        assert!(!m.contains("LUIS"), "{m}");
        let huge = format!("{LIST}{}", " ".repeat(2 << 20));
        expect_error(post(&admin, huge).await.unwrap(), 413, "payload_too_large").await;
        // Nothing more was stored.
        let n = app.audit().await.iter().filter(|(_, a, _, _)| a == "passengers_imported").count();
        assert_eq!(n, 1);
    }
}
