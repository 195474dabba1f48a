//! The centre's synchronisation endpoints: a post key as bearer (never a
//! user session), revocation, pushes applied once, refusals as 422, pulls of
//! posts and lists.

use centinela_domain::{CountryCode, CrossingRecord, Direction, Role, Sex, Timestamp};
use centinela_server::ServerConfig;
use centinela_store::{NewPost, PostKind, Store};
use serde_json::json;

use crate::helpers::{PASSWORD, expect_error, fresh_pg_url, json, spawn_apps, spawn_with_analytics};

#[tokio::test]
async fn posts_authenticate_with_their_key_and_a_revoked_key_is_refused() {
    for app in spawn_apps().await {
        let p = NewPost {
            code: "GTM-TECUNUMAN",
            name: "Tecún Umán",
            country: CountryCode::parse("GTM").unwrap(),
            facing: "",
            kind: PostKind::Land,
        };
        let (_, key) = app.store.add_post("system", &p).await.unwrap();
        let admin = app.user("admin1", Role::Admin, None).await;
        let session = app.token(&admin).await;
        let pull = json!({"protocol": 1, "lists": {}});
        let push = json!({"protocol": 1, "items": []});
        for path in ["/api/sync/pull", "/api/sync/push"] {
            let body = if path.ends_with("pull") { &pull } else { &push };
            let r = app.client.post(app.url(path)).json(body).send().await.unwrap();
            expect_error(r, 401, "unauthenticated").await;
            // A user's session is no post key.
            let r = app.client.post(app.url(path)).bearer_auth(&session).json(body).send().await.unwrap();
            expect_error(r, 401, "unauthenticated").await;
            let r = app.client.post(app.url(path)).bearer_auth(&key).json(body).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
        }
        let (status, answer) =
            json(app.client.post(app.url("/api/sync/pull")).bearer_auth(&key).json(&pull).send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(answer["posts"][0]["code"], "GTM-TECUNUMAN");

        // A record that is not the post's is refused with the field named.
        let bad = json!({"protocol": 1, "items": [{"seq": 1, "uid": "0123456789abcdef0123456789abcdef",
            "record": {"kind": "decision", "data": {"crossing_id": "X", "decision": "admit", "reason": "",
            "user": {"username": "oficial", "role": "officer"}, "at": "2026-01-01T00:00:00Z"}}}]});
        let r = app.client.post(app.url("/api/sync/push")).bearer_auth(&key).json(&bad).send().await.unwrap();
        let body = expect_error(r, 422, "invalid_field").await;
        assert!(body["message"].as_str().unwrap().contains("unknown"), "{body}");
        // Malformed input is a 4xx, never a 500.
        let r = app
            .client
            .post(app.url("/api/sync/push"))
            .bearer_auth(&key)
            .json(&json!({"items": 3}))
            .send()
            .await
            .unwrap();
        expect_error(r, 422, "invalid_field").await;
        let r = app
            .client
            .post(app.url("/api/sync/pull"))
            .bearer_auth(&key)
            .json(&json!({"protocol": 9, "lists": {}}))
            .send()
            .await
            .unwrap();
        expect_error(r, 422, "invalid_field").await;

        app.store.revoke_post("admin1", "GTM-TECUNUMAN").await.unwrap();
        let r = app.client.post(app.url("/api/sync/pull")).bearer_auth(&key).json(&pull).send().await.unwrap();
        expect_error(r, 403, "post_revoked").await;
        let r = app.client.post(app.url("/api/sync/push")).bearer_auth(&key).json(&push).send().await.unwrap();
        expect_error(r, 403, "post_revoked").await;
        assert!(app.store.audit_verify().await.unwrap().is_ok());
    }
}

fn crossing(id: &str, post: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: "Ana".into(),
        surnames: "López".into(),
        nationality: CountryCode::parse_opt("GTM").unwrap(),
        sex: Sex::Female,
        document_type: "P".into(),
        ..CrossingRecord::new(id, post, Direction::Entry, Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
    }
}

/// At the centre, statistics read from the read replica (`serve
/// --db-replica`): the replica's figures, not the primary's; the replica's
/// pool refuses writes; the audit entry of the read goes to the primary.
/// Without a replica, the primary answers.
#[tokio::test]
async fn statistics_read_from_the_replica_when_there_is_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let mut targets = vec![(path("primary.db"), path("replica.db"))];
    if let Ok(url) = std::env::var("CENTINELA_TEST_PG")
        && !url.is_empty()
    {
        targets.push((fresh_pg_url(&url).await, fresh_pg_url(&url).await));
    }
    for (primary_url, replica_url) in targets {
        let primary = Store::connect(&primary_url).await.unwrap();
        // What the replica holds, written through a store of its own (as
        // replication would): two crossings the primary does not have.
        let writer = Store::connect(&replica_url).await.unwrap();
        writer.import_crossings("system", &[crossing("R-1", "GTM-X"), crossing("R-2", "GTM-X")]).await.unwrap();
        let replica = Store::connect_read_only(&replica_url).await.unwrap();
        assert!(
            replica.create_user("system", "intrusa", Role::Admin, None, PASSWORD).await.is_err(),
            "the replica's pool is read-only"
        );
        assert_eq!(replica.crossing_count().await.unwrap(), 2);

        let app = spawn_with_analytics(primary.clone(), Some(replica), ServerConfig::default(), None).await;
        let analyst = app.user("analista", Role::Analyst, None).await;
        let token = app.token(&analyst).await;
        let (status, body) = json(app.get("/api/stats").bearer_auth(&token).send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["figures"]["crossings_by_post"], json!([["GTM-X", 2]]), "{}", app.backend());
        let (status, _) = json(app.get("/api/stats/regional").bearer_auth(&token).send().await.unwrap()).await;
        assert_eq!(status, 200);
        let actions: Vec<String> = app.audit().await.into_iter().map(|(_, action, ..)| action).collect();
        assert!(actions.iter().any(|a| a == "stats_viewed"), "{actions:?}");
        let at_replica: Vec<String> = writer.audit_entries(None).await.unwrap().into_iter().map(|r| r.action).collect();
        assert!(!at_replica.iter().any(|a| a == "stats_viewed"), "{at_replica:?}");
        drop(app);

        // No replica: the primary's figures (it holds no crossings).
        let app = spawn_with_analytics(primary, None, ServerConfig::default(), None).await;
        let (status, body) = json(app.get("/api/stats").bearer_auth(&token).send().await.unwrap()).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["figures"]["crossings_by_post"], json!([]));
        writer.close().await;
    }
    // A database without Centinela's schema is no replica.
    let empty = path("empty.db");
    std::fs::File::create(&empty).unwrap();
    let err = Store::connect_read_only(&empty).await.unwrap_err().to_string();
    assert!(err.contains("schema"), "{err}");
}
