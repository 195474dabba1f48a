//! Logging in and out: bearer tokens, cookies, CSRF, rate limits.

use centinela_domain::Role;
use reqwest::header::{AUTHORIZATION, SET_COOKIE};
use serde_json::json;

use crate::helpers::{PASSWORD, expect_error, json, spawn_apps};

#[tokio::test]
async fn login_gives_a_bearer_token_and_cookies() {
    for app in spawn_apps().await {
        let ana = app.user("ana", Role::Officer, Some("MX-TIJ")).await;
        let r = app.login(&app.client, "ana", PASSWORD).await;
        assert_eq!(r.status(), 200);
        let cookies: Vec<String> =
            r.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        let (_, body) = json(r).await;
        let token = body["token"].as_str().unwrap().to_owned();
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| b.is_ascii_hexdigit()));
        let csrf = body["csrf_token"].as_str().unwrap();

        let session = cookies.iter().find(|c| c.starts_with("centinela_session=")).unwrap();
        assert!(session.starts_with(&format!("centinela_session={token};")), "{session}");
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(session.contains(attr), "{session}");
        }
        assert!(!session.contains("Secure"), "{session}");
        let csrf_cookie = cookies.iter().find(|c| c.starts_with("centinela_csrf=")).unwrap();
        assert!(csrf_cookie.starts_with(&format!("centinela_csrf={csrf};")));
        assert!(!csrf_cookie.contains("HttpOnly"), "the page's script must read it: {csrf_cookie}");

        // The token works as a bearer token.
        let (status, me) = json(app.get("/api/session").bearer_auth(&token).send().await.unwrap()).await;
        assert_eq!(status, 200);
        assert_eq!(
            (me["id"].as_i64(), &me["username"], &me["role"], &me["post"]),
            (Some(ana.id), &json!("ana"), &json!("officer"), &json!("MX-TIJ"))
        );
        assert_eq!(me["csrf_token"], csrf);

        // A stored token is only its hash.
        let hashed = app.store.session_user(&sha(&token), 0).await.unwrap();
        assert_eq!(hashed.map(|s| s.user.id), Some(ana.id));
    }
}

fn sha(token: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(token.as_bytes()).into()
}

#[tokio::test]
async fn bad_unknown_and_disabled_logins_are_refused_alike() {
    for app in spawn_apps().await {
        let bob = app.user("bob", Role::Analyst, None).await;
        let wrong =
            expect_error(app.login(&app.client, "bob", "not the password").await, 401, "invalid_credentials").await;
        let unknown = expect_error(app.login(&app.client, "nobody", PASSWORD).await, 401, "invalid_credentials").await;
        assert_eq!(wrong, unknown, "the answer must not tell which usernames exist");
        insta::allow_duplicates! { insta::assert_json_snapshot!(wrong, @r#"
        {
          "code": "invalid_credentials",
          "message": "wrong username or password",
          "type": "auth"
        }
        "#); }

        app.raw(&format!("UPDATE users SET disabled = TRUE WHERE id = {}", bob.id)).await;
        expect_error(app.login(&app.client, "bob", PASSWORD).await, 401, "invalid_credentials").await;
        let reasons: Vec<_> =
            app.audit().await.into_iter().filter(|e| e.1 == "login_failed").map(|e| e.3["reason"].clone()).collect();
        assert_eq!(reasons, [json!("bad_password"), json!("unknown_user"), json!("disabled")]);
    }
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions() {
    // Without the token cache the database is asked on every request (with
    // it, at most auth_cache_ttl later).
    let cfg = centinela_server::ServerConfig { auth_cache_ttl: std::time::Duration::ZERO, ..Default::default() };
    for app in crate::helpers::spawn_apps_with(cfg).await {
        let bob = app.user("bob", Role::Analyst, None).await;
        let token = app.token(&bob).await;
        assert_eq!(app.get("/api/session").bearer_auth(&token).send().await.unwrap().status(), 200);
        app.raw(&format!("UPDATE users SET disabled = TRUE WHERE id = {}", bob.id)).await;
        expect_error(app.get("/api/session").bearer_auth(&token).send().await.unwrap(), 401, "unauthenticated").await;
    }
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_username() {
    for app in spawn_apps().await {
        app.user("carla", Role::Officer, None).await;
        app.user("dario", Role::Officer, None).await;
        for _ in 0..5 {
            expect_error(app.login(&app.client, "carla", "guess guess guess").await, 401, "invalid_credentials").await;
        }
        // Even the right password is refused now, with a time to wait.
        let r = app.login(&app.client, "Carla", PASSWORD).await;
        let wait: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{wait}");
        expect_error(r, 429, "rate_limited").await;
        expect_error(app.login(&app.client, "carla", PASSWORD).await, 429, "rate_limited").await;
        // Other users are not locked out.
        assert_eq!(app.login(&app.client, "dario", PASSWORD).await.status(), 200);
        // Audited per account, address and minute: the first at once, the
        // repeat counted when the minute is over (here: at once).
        app.state.flush_attempts(true).await.unwrap();
        let limited: u64 = app
            .audit()
            .await
            .into_iter()
            .filter(|e| e.3["reason"] == "rate_limited")
            .map(|e| e.3["count"].as_u64().unwrap())
            .sum();
        assert_eq!(limited, 2);
    }
}

#[tokio::test]
async fn failed_logins_are_rate_limited_per_address() {
    let cfg = centinela_server::ServerConfig { max_failures_per_ip: 3, ..Default::default() };
    for app in crate::helpers::spawn_apps_with(cfg).await {
        app.user("eva", Role::Officer, None).await;
        for name in ["x1", "x2", "x3"] {
            expect_error(app.login(&app.client, name, PASSWORD).await, 401, "invalid_credentials").await;
        }
        expect_error(app.login(&app.client, "eva", PASSWORD).await, 429, "rate_limited").await;
    }
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_header_for_writes() {
    for app in spawn_apps().await {
        app.user("root", Role::Admin, None).await;
        let browser = app.browser();
        let (status, body) = json(app.login(&browser, "root", PASSWORD).await).await;
        assert_eq!(status, 200);
        let csrf = body["csrf_token"].as_str().unwrap().to_owned();

        // Reads work with the cookie alone.
        assert_eq!(browser.get(app.url("/api/users")).send().await.unwrap().status(), 200);
        let (_, me) = json(browser.get(app.url("/api/session")).send().await.unwrap()).await;
        assert_eq!(me["csrf_token"], csrf);

        let new_user = json!({"username": "fran", "role": "officer", "password": PASSWORD});
        let r = browser.post(app.url("/api/users")).json(&new_user).send().await.unwrap();
        expect_error(r, 403, "csrf_failed").await;
        let r = browser
            .post(app.url("/api/users"))
            .header("x-csrf-token", "0".repeat(64))
            .json(&new_user)
            .send()
            .await
            .unwrap();
        expect_error(r, 403, "csrf_failed").await;
        assert!(app.store.user_by_username("fran").await.unwrap().is_none());
        let r = browser.post(app.url("/api/users")).header("x-csrf-token", &csrf).json(&new_user).send().await.unwrap();
        assert_eq!(r.status(), 201);

        // Logging out is a write too.
        expect_error(browser.delete(app.url("/api/session")).send().await.unwrap(), 403, "csrf_failed").await;
        let r = browser.delete(app.url("/api/session")).header("x-csrf-token", &csrf).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let cleared: Vec<_> = r.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
        assert!(cleared.iter().all(|c| c.contains("Max-Age=0")) && cleared.len() == 2, "{cleared:?}");
        expect_error(browser.get(app.url("/api/session")).send().await.unwrap(), 401, "unauthenticated").await;
    }
}

#[tokio::test]
async fn bearer_requests_need_no_csrf_header() {
    for app in spawn_apps().await {
        let root = app.user("root", Role::Admin, None).await;
        let token = app.token(&root).await;
        let new_user = json!({"username": "gil", "role": "auditor", "password": PASSWORD});
        let r = app.client.post(app.url("/api/users")).bearer_auth(&token).json(&new_user).send().await.unwrap();
        let (status, body) = json(r).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!((&body["username"], &body["role"], &body["post"]), (&json!("gil"), &json!("auditor"), &json!(null)));
        // Taken usernames conflict.
        let r = app.client.post(app.url("/api/users")).bearer_auth(&token).json(&new_user).send().await.unwrap();
        expect_error(r, 409, "conflict").await;
    }
}

#[tokio::test]
async fn logout_ends_the_token() {
    for app in spawn_apps().await {
        app.user("hugo", Role::Supervisor, None).await;
        let (_, body) = json(app.login(&app.client, "hugo", PASSWORD).await).await;
        let token = body["token"].as_str().unwrap();
        assert_eq!(app.get("/api/session").bearer_auth(token).send().await.unwrap().status(), 200);
        let r = app.client.delete(app.url("/api/session")).bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 204);
        expect_error(app.get("/api/session").bearer_auth(token).send().await.unwrap(), 401, "unauthenticated").await;
        assert_eq!(app.store.session_user(&sha(token), 0).await.unwrap(), None);
    }
}

#[tokio::test]
async fn bad_credentials_are_unauthenticated() {
    for app in spawn_apps().await {
        let ivan = app.user("ivan", Role::Admin, None).await;
        let token = app.token(&ivan).await;
        for auth in [
            format!("Basic {token}"),
            "Bearer".into(),
            "Bearer nothex".into(),
            format!("Bearer {}", "a".repeat(64)),
            format!("Bearer {}", token.to_uppercase()),
        ] {
            let r = app.get("/api/users").header(AUTHORIZATION, auth.clone()).send().await.unwrap();
            expect_error(r, 401, "unauthenticated").await;
        }
        // An expired session is no session.
        let hash = sha(&"b".repeat(64));
        app.store.create_session(ivan.id, &hash, 1).await.unwrap();
        expect_error(app.get("/api/users").bearer_auth("b".repeat(64)).send().await.unwrap(), 401, "unauthenticated")
            .await;
        // A bad Authorization header does not fall back to the cookie.
        let r = app
            .get("/api/users")
            .header(AUTHORIZATION, "Basic x")
            .header("cookie", format!("centinela_session={token}"))
            .send()
            .await
            .unwrap();
        expect_error(r, 401, "unauthenticated").await;
    }
}

/// A burst of concurrent guesses once all reached the password check (the
/// failures were counted after hashing). Attempts now count when they
/// start: of 60 guesses sent at once, exactly five are checked. Meanwhile
/// the owner, logging in from another address, is not held up.
#[tokio::test]
async fn a_burst_of_guesses_is_held_to_the_limit_and_the_owner_still_gets_in() {
    for app in spawn_apps().await {
        app.user("carla", Role::Admin, None).await;
        let guesses = (0..60).map(|i| {
            let (client, url) = (app.client.clone(), app.url("/api/session"));
            tokio::spawn(async move {
                let body = json!({"username": "carla", "password": format!("guess number {i} guess")});
                client.post(url).json(&body).send().await.unwrap().status().as_u16()
            })
        });
        let mut statuses = Vec::new();
        for g in guesses.collect::<Vec<_>>() {
            statuses.push(g.await.unwrap());
        }
        let checked = statuses.iter().filter(|s| **s == 401).count();
        let limited = statuses.iter().filter(|s| **s == 429).count();
        assert_eq!((checked, limited), (5, 55), "{statuses:?}");
        // The same user from 127.0.0.2: the guesses above were not hers.
        let elsewhere =
            reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
        assert_eq!(app.login(&elsewhere, "carla", PASSWORD).await.status(), 200);
    }
}

/// A username no account can have (a NUL, 10 kB) once answered 500 at a
/// PostgreSQL centre; it is a failed login like any other.
#[tokio::test]
async fn impossible_usernames_are_failed_logins() {
    for app in spawn_apps().await {
        app.user("dora", Role::Officer, None).await;
        for name in ["dora\u{0}", &"x".repeat(10_000), "dora\u{202e}"] {
            expect_error(app.login(&app.client, name, PASSWORD).await, 401, "invalid_credentials").await;
        }
    }
}

/// Logins beyond the server's bound answer at once instead of queueing
/// (each holds 19 MiB while it hashes); none fails otherwise.
#[tokio::test]
async fn logins_beyond_the_bound_are_refused_at_once() {
    let cfg =
        centinela_server::ServerConfig { max_concurrent_logins: 2, max_failures_per_ip: 10_000, ..Default::default() };
    for app in crate::helpers::spawn_apps_with(cfg).await {
        let tries = (0..40).map(|i| {
            let (client, url) = (app.client.clone(), app.url("/api/session"));
            tokio::spawn(async move {
                let body = json!({"username": format!("nadie{i}"), "password": "una clave cualquiera"});
                let r = client.post(url).json(&body).send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            })
        });
        let mut answers = Vec::new();
        for t in tries.collect::<Vec<_>>() {
            answers.push(t.await.unwrap());
        }
        assert!(answers.iter().all(|(s, _)| *s == 401 || *s == 429), "{answers:?}");
        assert!(answers.iter().any(|(s, b)| *s == 429 && b.contains("at once")), "{answers:?}");
    }
}

/// `GET /api/stats/regional?from=0001-01-01&to=9999-12-31&period=week`
/// once took 22 GB and the post's machine with it. Now a release spanning
/// more periods than the bound is refused at once, naming the bound; one
/// within it is answered.
#[tokio::test]
async fn a_regional_release_over_millennia_is_refused_at_once() {
    for app in spawn_apps().await {
        let sup = app.user("sup", Role::Supervisor, None).await;
        let sup = app.token(&sup).await;
        let started = std::time::Instant::now();
        for q in ["from=0001-01-01&to=9999-12-31&period=week", "from=2000-01-01&to=2026-12-31"] {
            let r = app.get(&format!("/api/stats/regional?{q}")).bearer_auth(&sup).send().await.unwrap();
            let (status, body) = json(r).await;
            assert_eq!((status, body["code"].as_str()), (422, Some("invalid_field")), "{body}");
            assert!(body["message"].as_str().unwrap().contains("at most 120"), "{body}");
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let r = app.get("/api/stats/regional?from=2026-01-01&to=2026-12-31").bearer_auth(&sup).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
}

/// Behind the documented reverse proxy every login came from one address,
/// so twenty failures by one guesser slowed down every user of the centre.
/// With the proxy trusted, the address it appended to X-Forwarded-For is
/// the client's, and only the guesser waits.
#[tokio::test]
async fn behind_a_trusted_proxy_one_guesser_does_not_hold_up_the_others() {
    for trusted in [false, true] {
        let cfg = centinela_server::ServerConfig {
            trusted_proxies: if trusted { vec![std::net::IpAddr::from([127, 0, 0, 1])] } else { vec![] },
            ..Default::default()
        };
        for app in crate::helpers::spawn_apps_with(cfg).await {
            app.user("lidia", Role::Officer, None).await;
            let login = |from: &'static str, username: String, password: &'static str| {
                app.client
                    .post(app.url("/api/session"))
                    .header("x-forwarded-for", from)
                    .json(&json!({ "username": username, "password": password }))
                    .send()
            };
            for i in 0..20 {
                let r = login("198.51.100.1", format!("nadie{i}"), "una clave cualquiera").await.unwrap();
                assert_eq!(r.status(), 401);
            }
            let r = login("198.51.100.2", "lidia".into(), PASSWORD).await.unwrap();
            assert_eq!(r.status().as_u16(), if trusted { 200 } else { 429 }, "trusted proxy: {trusted}");
        }
    }
}
