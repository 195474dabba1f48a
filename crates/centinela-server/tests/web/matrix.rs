//! Every page with every role and without a session, over HTTP: deny by
//! default, the navigation offers only what the role may open, language by
//! `?lang=` and cookie, CSRF on forms, friendly error pages.

use centinela_domain::Role;
use centinela_server::routes::{Access, Verb};
use centinela_server::web::{NAV, PAGES};
use reqwest::redirect::Policy;

use crate::helpers::{PASSWORD, spawn_country, username};

fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

async fn signed_in(app: &crate::helpers::WebApp, role: Role) -> reqwest::Client {
    crate::helpers::sign_in(app, &username(role), PASSWORD).await
}

#[tokio::test]
async fn pages_follow_the_role_table() {
    let app = spawn_country().await;
    let anon = client();
    for page in PAGES.iter().filter(|p| p.verb == Verb::Get && !p.path.contains('{')) {
        let r = anon.get(app.url(page.path)).send().await.unwrap();
        if page.access == Access::Public {
            assert_eq!(r.status(), 200, "{}", page.path);
        } else {
            assert_eq!(r.status(), 303, "{}", page.path);
            assert_eq!(r.headers()["location"], "/entrar");
        }
    }
    for role in Role::ALL {
        let c = signed_in(&app, role).await;
        for page in PAGES.iter().filter(|p| p.verb == Verb::Get && !p.path.contains('{') && p.path != "/") {
            let r = c.get(app.url(page.path)).send().await.unwrap();
            let status = r.status();
            let html = r.headers().get("content-type").is_some_and(|v| v.to_str().unwrap().starts_with("text/html"));
            let body = r.text().await.unwrap().replace("&#x2f;", "/");
            if page.access.allows(role) {
                assert_eq!(status, 200, "{role:?} {}: {body}", page.path);
            } else {
                assert_eq!(status, 403, "{role:?} {}", page.path);
                assert!(body.contains("Su función no permite abrir esta página"), "{body}");
            }
            if status == 200 && page.access != Access::Public && html {
                // The navigation offers exactly the pages the role may open.
                for (path, _) in NAV {
                    let offered = body.contains(&format!("<a href=\"{path}\""));
                    let allowed = PAGES.iter().any(|p| p.verb == Verb::Get && p.path == *path && p.access.allows(role));
                    assert_eq!(offered, allowed, "{role:?} on {}: {path}", page.path);
                }
            }
        }
    }
}

#[tokio::test]
async fn language_csrf_and_errors() {
    let app = spawn_country().await;
    let c = client();
    let es = c.get(app.url("/entrar")).send().await.unwrap().text().await.unwrap();
    assert!(es.contains("<html lang=\"es\">") && es.contains(">Entrar</button>"));
    let r = c.get(app.url("/entrar?lang=en")).send().await.unwrap();
    let cookies: Vec<&str> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cookies.iter().any(|c| c.starts_with("centinela_lang=en")), "{cookies:?}");
    assert!(cookies.iter().any(|c| c.starts_with("centinela_login=") && c.contains("SameSite=Strict")), "{cookies:?}");
    let en = r.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains(">Sign in</button>"));
    // The cookie keeps it.
    let again = c.get(app.url("/entrar")).send().await.unwrap().text().await.unwrap();
    assert!(again.contains("<html lang=\"en\">"));

    // Wrong password: the form again, with a translated message, 401.
    let post_login = |token: String| {
        let body = [("username", "nadie"), ("password", "x"), ("_login", token.as_str())];
        c.post(app.url("/entrar"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(body).unwrap())
            .send()
    };
    let r = post_login(crate::helpers::login_token(&c, &app).await).await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Wrong username or password."));
    // Login CSRF: a form posted from elsewhere carries no token of this
    // browser's (its SameSite cookie is not sent across sites): refused
    // before any password is checked, and nobody is signed in.
    let elsewhere = client();
    let r = elsewhere
        .post(app.url("/entrar"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string([("username", "nadie"), ("password", "x"), ("_login", "0")]).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("no vino de esta página"), "in Spanish, the default");
    let r = post_login("forged".into()).await.unwrap();
    assert_eq!(r.status(), 403, "a token that is not this browser's");

    // A form without the CSRF token is refused, with a page.
    let officer = signed_in(&app, Role::Officer).await;
    let r = officer
        .post(app.url("/inspeccion"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            serde_urlencoded::to_string([
                ("post", app.post.as_str()),
                ("direction", "entry"),
                ("t0.surnames", "PEREZ"),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("El formulario caducó"));

    // Unknown pages and unknown crossings: friendly pages, not JSON.
    let r = officer.get(app.url("/no-existe")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let r = officer.get(app.url("/api/no-existe")).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let sup = signed_in(&app, Role::Supervisor).await;
    let r = sup.get(app.url("/cruces/nada")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("No existe lo que busca."));

    // Static files are embedded and public.
    let r = client().get(app.url("/static/app.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("mrzComplete"));
}
