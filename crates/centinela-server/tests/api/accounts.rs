//! The account lifecycle through the API (issue 16): disable and enable,
//! password change and reset (forced change), role and post changes,
//! ending sessions, a second admin's approval for protection and admin
//! accounts, the password policy, and the idle timeout.

use std::time::Duration;

use centinela_domain::Role;
use centinela_server::ServerConfig;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, expect_error, json, spawn_apps, spawn_apps_with};

/// Logs in; the token.
async fn login(app: &TestApp, username: &str, password: &str) -> String {
    let (status, body) = json(app.login(&app.client, username, password).await).await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

async fn call(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> reqwest::Response {
    let mut r = app.request(method, path).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn status(app: &TestApp, method: Method, path: &str, token: &str) -> u16 {
    call(app, method, path, token, None).await.status().as_u16()
}

#[tokio::test]
async fn a_disabled_user_is_out_at_once() {
    for app in spawn_apps().await {
        let admin = app.user("root", Role::Admin, None).await;
        let ana = app.user("ana", Role::Officer, Some("P-1")).await;
        let root = app.token(&admin).await;
        let t = login(&app, "ana", PASSWORD).await;
        // The session is cached now (30 s): disabling must not wait for it.
        assert_eq!(status(&app, Method::GET, "/api/posts", &t).await, 200);

        let (s, body) =
            json(call(&app, Method::POST, &format!("/api/users/{}/disable", ana.id), &root, None).await).await;
        assert_eq!(s, 200, "{body}");
        assert_eq!((body["user"]["disabled"].as_bool(), body["sessions_ended"].as_u64()), (Some(true), Some(1)));
        expect_error(call(&app, Method::GET, "/api/posts", &t, None).await, 401, "unauthenticated").await;
        expect_error(app.login(&app.client, "ana", PASSWORD).await, 401, "invalid_credentials").await;

        let (s, body) =
            json(call(&app, Method::POST, &format!("/api/users/{}/enable", ana.id), &root, None).await).await;
        assert_eq!((s, body["user"]["disabled"].as_bool()), (200, Some(false)));
        login(&app, "ana", PASSWORD).await;

        // No admin disables themself; unknown users are 404.
        expect_error(
            call(&app, Method::POST, &format!("/api/users/{}/disable", admin.id), &root, None).await,
            403,
            "forbidden",
        )
        .await;
        expect_error(call(&app, Method::POST, "/api/users/999/disable", &root, None).await, 404, "not_found").await;

        let audit = app.audit().await;
        let subject = format!("user:{}", ana.id);
        for action in ["user_disabled", "user_enabled"] {
            assert!(
                audit.iter().any(|(a, act, s, _)| a == &format!("user:{}", admin.id) && act == action && s == &subject),
                "{action}"
            );
        }
    }
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_anything_else() {
    for app in spawn_apps().await {
        let admin = app.user("root", Role::Admin, None).await;
        let ana = app.user("ana", Role::Supervisor, None).await;
        let root = app.token(&admin).await;
        let old = login(&app, "ana", PASSWORD).await;
        let temp = "lluvia tarde puente verde";

        let r = call(
            &app,
            Method::POST,
            &format!("/api/users/{}/password", ana.id),
            &root,
            Some(json!({ "password": temp })),
        )
        .await;
        let (s, body) = json(r).await;
        assert_eq!((s, body["user"]["must_change_password"].as_bool()), (200, Some(true)), "{body}");
        expect_error(call(&app, Method::GET, "/api/posts", &old, None).await, 401, "unauthenticated").await;
        expect_error(app.login(&app.client, "ana", PASSWORD).await, 401, "invalid_credentials").await;

        // The login says so, and the session can do nothing else.
        let (s, body) = json(app.login(&app.client, "ana", temp).await).await;
        assert_eq!((s, body["password_change_required"].as_bool()), (200, Some(true)), "{body}");
        let t = body["token"].as_str().unwrap().to_owned();
        for (m, path) in [(Method::GET, "/api/posts"), (Method::GET, "/api/hits"), (Method::GET, "/api/stats")] {
            expect_error(call(&app, m, path, &t, None).await, 403, "password_change_required").await;
        }
        let (s, me) = json(call(&app, Method::GET, "/api/session", &t, None).await).await;
        assert_eq!((s, me["password_change_required"].as_bool()), (200, Some(true)));

        // A weak new password is refused, saying why and not echoing it.
        let weak = "passwordpassword";
        let r = call(
            &app,
            Method::POST,
            "/api/session/password",
            &t,
            Some(json!({ "current_password": temp, "new_password": weak })),
        )
        .await;
        let body = expect_error(r, 422, "weak_password").await;
        assert!(!body["message"].as_str().unwrap().contains(weak), "{body}");
        assert!(body["message"].as_str().unwrap().contains("repeated"), "{body}");

        // A wrong current password ends the session.
        let r = call(
            &app,
            Method::POST,
            "/api/session/password",
            &t,
            Some(json!({ "current_password": "not the password at all", "new_password": "montaña río azul siete" })),
        )
        .await;
        expect_error(r, 401, "invalid_credentials").await;
        expect_error(call(&app, Method::GET, "/api/session", &t, None).await, 401, "unauthenticated").await;

        let t = login(&app, "ana", temp).await;
        let new = "montaña río azul siete";
        let r = call(
            &app,
            Method::POST,
            "/api/session/password",
            &t,
            Some(json!({ "current_password": temp, "new_password": new })),
        )
        .await;
        assert_eq!(r.status(), 204);
        // The same session may now work.
        assert_eq!(status(&app, Method::GET, "/api/posts", &t).await, 200);
        let (s, body) = json(app.login(&app.client, "ana", new).await).await;
        assert_eq!((s, body["password_change_required"].as_bool()), (200, Some(false)));

        let audit = app.audit().await;
        let actions: Vec<&str> = audit.iter().map(|(_, a, _, _)| a.as_str()).collect();
        for a in ["password_reset", "password_change_failed", "password_changed"] {
            assert!(actions.contains(&a), "{a}: {actions:?}");
        }
        for (_, _, subject, detail) in &audit {
            for pw in [temp, new, weak] {
                assert!(!detail.to_string().contains(pw) && !subject.contains(pw));
            }
        }
        // An admin resets no one's password to themself: they change it.
        let r = call(
            &app,
            Method::POST,
            &format!("/api/users/{}/password", admin.id),
            &root,
            Some(json!({ "password": temp })),
        )
        .await;
        expect_error(r, 403, "forbidden").await;
    }
}

#[tokio::test]
async fn weak_passwords_are_refused_on_create() {
    for app in spawn_apps().await {
        let admin = app.user("root", Role::Admin, None).await;
        let root = app.token(&admin).await;
        for pw in ["aaaaaaaaaaaa", "            ", "123456789012", "passwordpassword"] {
            for role in ["officer", "admin"] {
                let r = call(
                    &app,
                    Method::POST,
                    "/api/users",
                    &root,
                    Some(json!({ "username": "nuevo", "role": role, "password": pw })),
                )
                .await;
                let body = expect_error(r, 422, "weak_password").await;
                let msg = body["message"].as_str().unwrap();
                assert!(msg.starts_with("password refused: "), "{msg}");
                assert!(pw.trim().is_empty() || !msg.contains(pw), "{msg}");
            }
        }
        assert!(app.store.user_by_username("nuevo").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn protection_and_admin_accounts_need_a_second_admin() {
    for app in spawn_apps().await {
        let a1 = app.user("admin1", Role::Admin, None).await;
        let a2 = app.user("admin2", Role::Admin, None).await;
        let (t1, t2) = (app.token(&a1).await, app.token(&a2).await);

        let r = call(
            &app,
            Method::POST,
            "/api/users",
            &t1,
            Some(json!({ "username": "eva", "role": "protection", "password": PASSWORD })),
        )
        .await;
        let (s, req) = json(r).await;
        assert_eq!((s, req["status"].as_str(), req["kind"].as_str()), (202, Some("pending"), Some("create")), "{req}");
        let id = req["id"].as_i64().unwrap();
        expect_error(app.login(&app.client, "eva", PASSWORD).await, 401, "invalid_credentials").await;

        let (s, list) = json(call(&app, Method::GET, "/api/users/requests", &t2, None).await).await;
        assert_eq!((s, list.as_array().map(Vec::len)), (200, Some(1)));
        // Not by the admin who asked.
        let approve = format!("/api/users/requests/{id}/approve");
        expect_error(call(&app, Method::POST, &approve, &t1, None).await, 403, "forbidden").await;
        let (s, done) = json(call(&app, Method::POST, &approve, &t2, None).await).await;
        assert_eq!(
            (s, done["request"]["status"].as_str(), done["user"]["role"].as_str()),
            (200, Some("approved"), Some("protection"))
        );
        login(&app, "eva", PASSWORD).await;
        expect_error(call(&app, Method::POST, &approve, &t2, None).await, 409, "conflict").await;

        // Raising an officer: a request too; a lower role is direct.
        let ivan = app.user("ivan", Role::Officer, None).await;
        let role = format!("/api/users/{}/role", ivan.id);
        let (s, req) = json(call(&app, Method::PUT, &role, &t1, Some(json!({ "role": "admin" }))).await).await;
        assert_eq!((s, req["kind"].as_str()), (202, Some("role")), "{req}");
        assert_eq!(app.store.user_by_id(ivan.id).await.unwrap().unwrap().role, Role::Officer);
        let reject = format!("/api/users/requests/{}/reject", req["id"]);
        let (s, rej) = json(call(&app, Method::POST, &reject, &t2, None).await).await;
        assert_eq!((s, rej["status"].as_str()), (200, Some("rejected")));
        assert_eq!(app.store.user_by_id(ivan.id).await.unwrap().unwrap().role, Role::Officer);
        // An admin cannot make themself protection.
        let own = format!("/api/users/{}/role", a1.id);
        expect_error(call(&app, Method::PUT, &own, &t1, Some(json!({ "role": "protection" }))).await, 403, "forbidden")
            .await;

        // Resetting the protection officer's password: a request too.
        let eva = app.store.user_by_username("eva").await.unwrap().unwrap();
        let temp = "lluvia tarde puente verde";
        let reset = format!("/api/users/{}/password", eva.id);
        let (s, req) = json(call(&app, Method::POST, &reset, &t1, Some(json!({ "password": temp }))).await).await;
        assert_eq!((s, req["kind"].as_str()), (202, Some("reset")), "{req}");
        expect_error(app.login(&app.client, "eva", temp).await, 401, "invalid_credentials").await;
        let approve = format!("/api/users/requests/{}/approve", req["id"]);
        let (s, done) = json(call(&app, Method::POST, &approve, &t2, None).await).await;
        assert_eq!((s, done["user"]["must_change_password"].as_bool()), (200, Some(true)), "{done}");
        let (s, body) = json(app.login(&app.client, "eva", temp).await).await;
        assert_eq!((s, body["password_change_required"].as_bool()), (200, Some(true)));

        let audit = app.audit().await;
        let created = audit
            .iter()
            .find(|(_, a, s, _)| {
                a == "user_created" && s != &a1.id.to_string() && s != &a2.id.to_string() && s != &ivan.id.to_string()
            })
            .unwrap();
        assert_eq!(created.0, format!("user:{}", a2.id));
        assert_eq!(
            (created.3["privileged"].as_bool(), created.3["requested_by"].as_str()),
            (Some(true), Some(format!("user:{}", a1.id).as_str()))
        );
        assert!(audit.iter().any(|(_, a, _, _)| a == "account_request_rejected"));
    }
}

#[tokio::test]
async fn role_post_and_session_changes_take_effect_at_once() {
    for app in spawn_apps().await {
        let admin = app.user("root", Role::Admin, None).await;
        let root = app.token(&admin).await;
        let ana = app.user("ana", Role::Officer, Some("P-1")).await;

        let t = login(&app, "ana", PASSWORD).await;
        assert_eq!(status(&app, Method::GET, "/api/hits", &t).await, 200);
        let r =
            call(&app, Method::PUT, &format!("/api/users/{}/role", ana.id), &root, Some(json!({ "role": "auditor" })))
                .await;
        let (s, body) = json(r).await;
        assert_eq!(
            (s, body["user"]["role"].as_str(), body["sessions_ended"].as_u64()),
            (200, Some("auditor"), Some(1))
        );
        expect_error(call(&app, Method::GET, "/api/hits", &t, None).await, 401, "unauthenticated").await;
        let t = login(&app, "ana", PASSWORD).await;
        expect_error(call(&app, Method::GET, "/api/hits", &t, None).await, 403, "forbidden").await;

        let r = call(&app, Method::PUT, &format!("/api/users/{}/post", ana.id), &root, Some(json!({ "post": "P-2" })))
            .await;
        let (s, body) = json(r).await;
        assert_eq!((s, body["user"]["post"].as_str()), (200, Some("P-2")));
        expect_error(call(&app, Method::GET, "/api/session", &t, None).await, 401, "unauthenticated").await;
        let r = call(
            &app,
            Method::PUT,
            &format!("/api/users/{}/post", ana.id),
            &root,
            Some(json!({ "post": "no spaces!" })),
        )
        .await;
        expect_error(r, 422, "invalid_field").await;
        let r =
            call(&app, Method::PUT, &format!("/api/users/{}/post", ana.id), &root, Some(json!({ "post": null }))).await;
        assert_eq!(json(r).await.1["user"]["post"], Value::Null);

        let t1 = login(&app, "ana", PASSWORD).await;
        let t2 = login(&app, "ana", PASSWORD).await;
        assert_eq!(status(&app, Method::GET, "/api/session", &t1).await, 200);
        let (s, body) =
            json(call(&app, Method::DELETE, &format!("/api/users/{}/sessions", ana.id), &root, None).await).await;
        assert_eq!((s, body["sessions_ended"].as_u64()), (200, Some(2)));
        for t in [&t1, &t2] {
            expect_error(call(&app, Method::GET, "/api/session", t, None).await, 401, "unauthenticated").await;
        }
        let actions: Vec<String> = app.audit().await.into_iter().map(|x| x.1).collect();
        for a in ["user_role_changed", "user_post_changed", "user_sessions_ended"] {
            assert!(actions.iter().any(|x| x == a), "{a}");
        }
    }
}

#[tokio::test]
async fn an_idle_session_ends_and_a_used_one_lives() {
    let cfg = ServerConfig { idle_timeout: Duration::from_secs(4), ..ServerConfig::default() };
    for app in spawn_apps_with(cfg).await {
        app.user("ana", Role::Officer, None).await;
        let busy = login(&app, "ana", PASSWORD).await;
        let idle = login(&app, "ana", PASSWORD).await;
        // Used every half second for 6 s (longer than the timeout): alive,
        // though the cache (30 s) answers most requests.
        for _ in 0..12 {
            assert_eq!(status(&app, Method::GET, "/api/session", &busy).await, 200);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        expect_error(call(&app, Method::GET, "/api/session", &idle, None).await, 401, "unauthenticated").await;
        assert_eq!(status(&app, Method::GET, "/api/session", &busy).await, 200);
        let audit = app.audit().await;
        assert_eq!(audit.iter().filter(|(_, a, _, _)| a == "session_idle_expired").count(), 1);
    }
}

/// Issue 16: two administrators disabling each other at once must not
/// leave the country without one: one is disabled, the other refused with
/// `last_admin` (409).
#[tokio::test]
async fn the_last_active_admin_is_never_disabled() {
    for app in spawn_apps().await {
        let root = app.user("root", Role::Admin, None).await;
        let eva = app.user("eva", Role::Admin, None).await;
        let (t_root, t_eva) = (app.token(&root).await, app.token(&eva).await);
        let (to_eva, to_root) = (format!("/api/users/{}/disable", eva.id), format!("/api/users/{}/disable", root.id));
        let (a, b) = tokio::join!(
            call(&app, Method::POST, &to_eva, &t_root, None),
            call(&app, Method::POST, &to_root, &t_eva, None),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort();
        // The loser's own session may already be gone (401) when its
        // request arrives after the winner's change; otherwise it is 409.
        assert!(matches!(statuses, [200, 409] | [200, 401]), "{statuses:?}");
        for r in [a, b] {
            if r.status() == 409 {
                expect_error(r, 409, "last_admin").await;
            }
        }
        let active =
            app.store.users().await.unwrap().into_iter().filter(|u| u.role == Role::Admin && !u.disabled).count();
        assert_eq!(active, 1);
    }
}
