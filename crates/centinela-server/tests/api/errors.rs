//! Whatever a client sends, the answer is a 4xx with the error JSON, never
//! a 500 or a dropped connection.

use centinela_domain::Role;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{PASSWORD, expect_error, spawn_apps};

#[tokio::test]
async fn malformed_input_answers_json_errors() {
    for app in spawn_apps().await {
        let root = app.user("root", Role::Admin, None).await;
        let token = app.token(&root).await;
        let post = |path: &str| app.request(Method::POST, path).bearer_auth(&token);

        let syntax =
            post("/api/users").header("content-type", "application/json").body("{\"username\": ").send().await.unwrap();
        let syntax = expect_error(syntax, 400, "invalid_json").await;
        let not_json =
            post("/api/session").header("content-type", "application/json").body("username=a").send().await.unwrap();
        expect_error(not_json, 400, "invalid_json").await;

        let types = post("/api/users")
            .json(&json!({"username": 5, "role": "admin", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let types = expect_error(types, 422, "invalid_field").await;
        let role = post("/api/users")
            .json(&json!({"username": "x", "role": "root", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        expect_error(role, 422, "invalid_field").await;
        let missing = post("/api/session").json(&json!({"username": "x"})).send().await.unwrap();
        expect_error(missing, 422, "invalid_field").await;
        let short = post("/api/users")
            .json(&json!({"username": "x", "role": "officer", "password": "short"}))
            .send()
            .await
            .unwrap();
        // The password policy's own code (issue 16), a 422 like the others.
        expect_error(short, 422, "weak_password").await;
        let bad_name = post("/api/users")
            .json(&json!({"username": "a b", "role": "officer", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        expect_error(bad_name, 422, "invalid_field").await;
        let bad_post = post("/api/users")
            .json(&json!({"username": "ab", "role": "officer", "post": "no/post", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        expect_error(bad_post, 422, "invalid_field").await;
        let extra = post("/api/users")
            .json(&json!({"username": "ab", "role": "officer", "password": PASSWORD, "admin": true}))
            .send()
            .await
            .unwrap();
        expect_error(extra, 422, "invalid_field").await;

        let no_type = post("/api/session").body("{}").send().await.unwrap();
        let no_type = expect_error(no_type, 415, "invalid_content_type").await;
        let text = post("/api/session").header("content-type", "text/plain").body("{}").send().await.unwrap();
        expect_error(text, 415, "invalid_content_type").await;

        let huge = format!("{{\"username\":\"{}\",\"password\":\"x\"}}", "a".repeat(2 << 20));
        let huge = post("/api/session").header("content-type", "application/json").body(huge).send().await.unwrap();
        let huge = expect_error(huge, 413, "payload_too_large").await;

        let path =
            expect_error(app.get("/api/users/abc").bearer_auth(&token).send().await.unwrap(), 400, "invalid_path")
                .await;
        let big = app.get("/api/users/99999999999999999999999").bearer_auth(&token).send().await.unwrap();
        expect_error(big, 400, "invalid_path").await;
        let none =
            expect_error(app.get("/api/users/424242").bearer_auth(&token).send().await.unwrap(), 404, "not_found")
                .await;
        let audit_token = app.token(&app.user("aud", Role::Auditor, None).await).await;
        let query = app.get("/api/audit?limit=many").bearer_auth(&audit_token).send().await.unwrap();
        let query = expect_error(query, 400, "invalid_query").await;
        let route = expect_error(app.get("/api/nothing/here").send().await.unwrap(), 404, "not_found").await;
        // Outside /api/ is the web interface: "/" leads to its sign-in page.
        assert_eq!(app.get("/").send().await.unwrap().url().path(), "/entrar");
        let method =
            expect_error(app.request(Method::PUT, "/api/health").send().await.unwrap(), 405, "method_not_allowed")
                .await;

        insta::allow_duplicates! {
            insta::assert_json_snapshot!(
                "malformed_input",
                json!({ "syntax": syntax, "types": types, "no_type": no_type, "huge": huge, "path": path,
                        "none": none, "query": query, "route": route, "method": method })
            );
        }
    }
}

#[tokio::test]
async fn unauthenticated_before_malformed() {
    // Without a login, nothing about the input is looked at.
    for app in spawn_apps().await {
        let r = app
            .request(Method::POST, "/api/users")
            .header("content-type", "application/json")
            .body("{")
            .send()
            .await
            .unwrap();
        expect_error(r, 401, "unauthenticated").await;
        expect_error(app.get("/api/users/abc").send().await.unwrap(), 401, "unauthenticated").await;
    }
}
