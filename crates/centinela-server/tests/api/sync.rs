//! The centre's synchronisation endpoints: a post key as bearer (never a
//! user session), revocation, pushes applied once, refusals as 422, pulls of
//! posts and lists.

use centinela_domain::{CountryCode, Role};
use centinela_store::{NewPost, PostKind};
use serde_json::json;

use crate::helpers::{expect_error, json, spawn_apps};

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
