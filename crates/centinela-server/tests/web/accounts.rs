//! The account pages over HTTP (issue 16): a refused password explained
//! in Spanish and never echoed, a reset password that sends its user to
//! `/contrasena` before any other page, the administrator's actions on
//! Usuarios, and a protection account that waits for a second admin.

use centinela_domain::Role;

use crate::helpers::{PASSWORD, WebApp, spawn_country, username};

async fn sign_in(app: &WebApp, user: &str, password: &str) -> reqwest::Client {
    crate::helpers::sign_in(app, user, password).await
}

/// The page's CSRF token (the forms' hidden field).
async fn csrf(c: &reqwest::Client, app: &WebApp, page: &str) -> String {
    let html = c.get(app.url(page)).send().await.unwrap().text().await.unwrap();
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with _csrf") + "name=\"_csrf\" value=\"".len();
    html[at..at + 64].to_owned()
}

async fn post_form(c: &reqwest::Client, app: &WebApp, path: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = c
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

#[tokio::test]
async fn weak_passwords_are_explained_in_spanish_and_resets_force_a_change() {
    let app = spawn_country().await;
    let admin = sign_in(&app, &username(Role::Admin), PASSWORD).await;
    let token = csrf(&admin, &app, "/usuarios").await;

    // A trivial password: refused, saying why in Spanish, not echoed.
    let weak = "passwordpassword";
    let (status, html) = post_form(
        &admin,
        &app,
        "/usuarios",
        &[("_csrf", &token), ("username", "nuevo.oficial"), ("role", "officer"), ("post", ""), ("password", weak)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("La contraseña no se aceptó:") && html.contains("repite caracteres o palabras"), "{html}");
    assert!(!html.contains(weak));
    assert!(app.store.user_by_username("nuevo.oficial").await.unwrap().is_none());

    // A protection account waits for a second administrator.
    let (_, html) = post_form(
        &admin,
        &app,
        "/usuarios",
        &[
            ("_csrf", &token),
            ("username", "nueva.proteccion"),
            ("role", "protection"),
            ("post", ""),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert!(html.contains("otro administrador debe aprobar"), "{html}");
    assert!(html.contains("nueva.proteccion") && html.contains("id=\"requests\""), "{html}");
    assert!(app.store.user_by_username("nueva.proteccion").await.unwrap().is_none());

    // The admin resets the officer's password.
    let officer = app.store.user_by_username(&username(Role::Officer)).await.unwrap().unwrap();
    let temp = "lluvia tarde puente verde";
    let (status, html) = post_form(
        &admin,
        &app,
        &format!("/usuarios/{}/contrasena", officer.id),
        &[("_csrf", &token), ("password", temp)],
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Cambio registrado") && html.contains("debe cambiar la contraseña"), "{html}");

    // The officer signs in with it: every page sends them to /contrasena.
    let off = sign_in(&app, &username(Role::Officer), temp).await;
    for page in ["/", "/inspeccion", "/alertas"] {
        let r = off.get(app.url(page)).send().await.unwrap();
        assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/contrasena"), "{page}");
    }
    let token = csrf(&off, &app, "/contrasena").await;
    let (status, html) = post_form(
        &off,
        &app,
        "/contrasena",
        &[("_csrf", &token), ("current", temp), ("new", "123456789012"), ("repeat", "123456789012")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(html.contains("secuencias como abc o 6543"), "{html}");
    let new = "montaña río azul siete";
    let (status, html) =
        post_form(&off, &app, "/contrasena", &[("_csrf", &token), ("current", temp), ("new", new), ("repeat", new)])
            .await;
    assert_eq!(status, 200);
    assert!(html.contains("Contraseña cambiada"), "{html}");
    assert_eq!(off.get(app.url("/inspeccion")).send().await.unwrap().status(), 200);

    // The admin disables the officer: out at once.
    let admin_token = csrf(&admin, &app, "/usuarios").await;
    let (status, _) =
        post_form(&admin, &app, &format!("/usuarios/{}/deshabilitar", officer.id), &[("_csrf", &admin_token)]).await;
    assert_eq!(status, 200);
    let r = off.get(app.url("/inspeccion")).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["location"].to_str().unwrap()), (303, "/entrar"));
}
