//! The whole role × endpoint matrix, read from the one table
//! (`centinela_server::ENDPOINTS`): a new endpoint is tested here as soon
//! as it is in the table.
//!
//! For every endpoint: without a login, 401 `unauthenticated` unless the
//! endpoint is public; with each role, 403 `forbidden` when the table does
//! not name the role, and otherwise anything but 401/403 (the request has
//! no body, so a 4xx about the input is fine: the guard let it through).

use centinela_domain::Role;
use centinela_server::ENDPOINTS;
use centinela_server::routes::Access;

use crate::helpers::{expect_error, json, method, spawn_apps};

/// A route template with every `{param}` replaced by `1`.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        out.push('1');
        rest = &rest[close..];
    }
    out.push_str(rest);
    out
}

#[test]
fn concrete_paths() {
    assert_eq!(concrete("/api/users/{id}"), "/api/users/1");
    assert_eq!(concrete("/api/a/{x}/b/{y}"), "/api/a/1/b/1");
    assert_eq!(concrete("/api/health"), "/api/health");
}

#[tokio::test]
async fn every_role_on_every_endpoint() {
    for app in spawn_apps().await {
        // User 1, whom `/api/users/1/…` disables, re-roles and logs out: not
        // one of the users asking.
        let target = app.user("matrix-target", Role::Officer, None).await;
        assert_eq!(target.id, 1);
        let mut users = Vec::new();
        for role in Role::ALL {
            users.push((role, app.user(&format!("matrix-{role}"), role, None).await));
        }
        let mut checked = 0;
        for e in ENDPOINTS {
            let path = concrete(e.path);
            let what = format!("{} {} ({})", e.verb.as_str(), e.path, app.backend());

            let anonymous = app.request(method(e.verb), &path).send().await.unwrap();
            match e.access {
                Access::Public => assert!(
                    !matches!(anonymous.status().as_u16(), 401 | 403 | 500..),
                    "{what} without login: {}",
                    anonymous.status()
                ),
                Access::Roles(_) => {
                    expect_error(anonymous, 401, "unauthenticated").await;
                }
            }

            for (role, user) in &users {
                // A fresh session per call: some endpoints end it.
                let token = app.token(user).await;
                let r = app.request(method(e.verb), &path).bearer_auth(&token).send().await.unwrap();
                if e.access.allows(*role) {
                    let (status, body) = json(r).await;
                    assert!(!matches!(status, 401 | 403 | 500..), "{what} as {role}: {status} {body}");
                } else {
                    let body = expect_error(r, 403, "forbidden").await;
                    assert_eq!(body["type"], "auth", "{what} as {role}");
                }
                checked += 1;
            }
        }
        assert_eq!(checked, ENDPOINTS.len() * Role::ALL.len());
    }
}

/// The third axis: post binding. A user bound to a border post, of every
/// role an endpoint allows, is refused (403 `forbidden`) by every endpoint
/// whose answer spans every post (`routes::is_country_wide`), and let
/// through by the others (which check each record's post themselves: see
/// `inspections::post_bound_users_read_only_their_posts_travellers`).
#[tokio::test]
async fn post_bound_users_on_every_endpoint() {
    for app in spawn_apps().await {
        let mut users = Vec::new();
        for role in Role::ALL {
            users.push((role, app.user(&format!("bound-{role}"), role, Some("GTM-TECUNUMAN")).await));
        }
        let mut refused = 0;
        for e in ENDPOINTS {
            let path = concrete(e.path);
            let country_wide = centinela_server::routes::is_country_wide(e.path);
            for (role, user) in users.iter().filter(|(r, _)| e.access != Access::Public && e.access.allows(*r)) {
                let what = format!("{} {} as {role} of a post ({})", e.verb.as_str(), e.path, app.backend());
                let token = app.token(user).await;
                let r = app.request(method(e.verb), &path).bearer_auth(&token).send().await.unwrap();
                if country_wide {
                    expect_error(r, 403, "forbidden").await;
                    refused += 1;
                } else {
                    let (status, body) = json(r).await;
                    assert!(!matches!(status, 401 | 403 | 500..), "{what}: {status} {body}");
                }
            }
        }
        assert!(refused >= 13, "every intelligence view, the referral queue and the case export: {refused}");
    }
}

#[tokio::test]
async fn static_routes_need_no_login_and_hold_no_data() {
    let app = spawn_apps().await.remove(0);
    for path in centinela_server::routes::STATIC_ROUTES {
        assert_eq!(app.get(path).send().await.unwrap().status(), 200, "{path}");
    }
}

/// A session whose password an administrator reset may only read who it
/// is, log out and change the password: every other endpoint answers 403
/// `password_change_required`, for every role.
#[tokio::test]
async fn a_reset_password_blocks_every_other_endpoint() {
    use centinela_server::routes::PASSWORD_CHANGE_ROUTES;
    let app = spawn_apps().await.remove(0);
    for role in Role::ALL {
        let user = app.user(&format!("reset-{role}"), role, None).await;
        app.raw(&format!("UPDATE users SET must_change_password = (1 = 1) WHERE id = {}", user.id)).await;
        for e in ENDPOINTS {
            let Access::Roles(_) = e.access else { continue };
            let token = app.token(&user).await;
            let r = app.request(method(e.verb), &concrete(e.path)).bearer_auth(&token).send().await.unwrap();
            let what = format!("{} {} as {role}", e.verb.as_str(), e.path);
            if PASSWORD_CHANGE_ROUTES.contains(&(e.verb, e.path)) {
                let (status, body) = json(r).await;
                assert!(!matches!(status, 401 | 403 | 500..), "{what}: {status} {body}");
            } else {
                let body = expect_error(r, 403, "password_change_required").await;
                assert_eq!(body["type"], "auth", "{what}");
            }
        }
    }
}
