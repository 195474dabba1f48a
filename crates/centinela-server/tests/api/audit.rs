//! The audit chain records every login, every write and every read of
//! personal data — by user id, never by name.

use centinela_domain::Role;
use serde_json::json;

use crate::helpers::{PASSWORD, json, spawn_apps};

#[tokio::test]
async fn logins_are_audited_without_names_or_passwords() {
    for app in spawn_apps().await {
        let ana = app.user("ana.secreta", Role::Officer, Some("MX-TIJ")).await;
        app.login(&app.client, "ana.secreta", "wrong password!").await;
        app.login(&app.client, "intruso.desconocido", "wrong password!").await;
        let (_, body) = json(app.login(&app.client, "ana.secreta", PASSWORD).await).await;
        let token = body["token"].as_str().unwrap();
        app.client.delete(app.url("/api/session")).bearer_auth(token).send().await.unwrap();

        let entries = app.audit().await;
        let who = format!("user:{}", ana.id);
        let tail: Vec<_> = entries[1..].iter().map(|(a, b, c, _)| (a.as_str(), b.as_str(), c.as_str())).collect();
        assert_eq!(tail[0], ("anonymous", "login_failed", who.as_str()));
        assert_eq!(tail[1], ("anonymous", "login_failed", "unknown"));
        assert_eq!((tail[2].0, tail[2].1), (who.as_str(), "login"));
        assert!(tail[2].2.starts_with("session:"));
        assert_eq!((tail[3].0, tail[3].1, tail[3].2), (who.as_str(), "logout", tail[2].2));
        assert_eq!(entries[3].3["role"], "officer");

        let all = serde_json::to_string(&entries).unwrap();
        for secret in ["ana.secreta", "intruso", "wrong password", PASSWORD, token] {
            assert!(!all.contains(secret), "{secret} is in the audit chain: {all}");
        }
        assert_eq!(app.store.audit_verify().await.unwrap(), Ok(entries.len() as u64));
    }
}

#[tokio::test]
async fn reads_and_writes_are_audited() {
    for app in spawn_apps().await {
        let root = app.user("root", Role::Admin, None).await;
        let aud = app.user("aud", Role::Auditor, None).await;
        let (root_t, aud_t) = (app.token(&root).await, app.token(&aud).await);
        let before = app.audit().await.len();

        assert_eq!(app.get("/api/users").bearer_auth(&root_t).send().await.unwrap().status(), 200);
        assert_eq!(app.get(&format!("/api/users/{}", aud.id)).bearer_auth(&root_t).send().await.unwrap().status(), 200);
        let r = app
            .client
            .post(app.url("/api/users"))
            .bearer_auth(&root_t)
            .json(&json!({"username": "nuevo", "role": "officer", "post": "GT-TEC", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let (_, created) = json(r).await;
        let (status, page) = json(app.get("/api/audit?limit=2").bearer_auth(&aud_t).send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(page["entries"].as_array().unwrap().len(), 2);
        assert_eq!(page["next_after"], 2);
        let (_, verified) = json(app.get("/api/audit/verify").bearer_auth(&aud_t).send().await.unwrap()).await;
        assert_eq!(verified["intact"], true);

        let entries = app.audit().await;
        let new: Vec<_> =
            entries[before..].iter().map(|(a, b, c, d)| (a.as_str(), b.as_str(), c.as_str(), d.clone())).collect();
        let (r, a) = (format!("user:{}", root.id), format!("user:{}", aud.id));
        assert_eq!(
            new,
            [
                (r.as_str(), "users_viewed", "users", json!({"count": 2})),
                (r.as_str(), "user_viewed", format!("user:{}", aud.id).as_str(), json!({})),
                (
                    r.as_str(),
                    "user_created",
                    created["id"].to_string().as_str(),
                    json!({"role": "officer", "post": "GT-TEC"})
                ),
                (a.as_str(), "audit_viewed", "audit_log", json!({"after": 0, "count": 2})),
                (
                    a.as_str(),
                    "audit_verified",
                    "audit_log",
                    json!({"intact": true, "entries": entries.len() - 1, "broken_seq": null})
                ),
            ]
        );
        assert!(!serde_json::to_string(&entries).unwrap().contains("nuevo"));

        // The whole chain reads back page by page.
        let mut after = 0;
        let mut seen = 0;
        loop {
            let (_, page) =
                json(app.get(&format!("/api/audit?after={after}&limit=3")).bearer_auth(&aud_t).send().await.unwrap())
                    .await;
            let got = page["entries"].as_array().unwrap();
            for e in got {
                assert_eq!(e["seq"], after + 1);
                after += 1;
                seen += 1;
                assert_eq!(e["hash"].as_str().unwrap().len(), 64);
            }
            if page["next_after"].is_null() {
                break;
            }
        }
        assert!(seen >= entries.len());
    }
}
