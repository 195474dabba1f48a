//! Connectors on the Listas page (issue 21): an administrator adds a
//! directory connector, pulls it now (a new version in force), disables
//! it; a stale list is then warned of at the booth and on the hits queue.

use centinela_domain::Role;

use crate::helpers::{PASSWORD, WebApp, sign_in, spawn_country, username};

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
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn an_administrator_runs_a_connector_and_stale_lists_are_warned_of() {
    let app = spawn_country().await;
    let admin = sign_in(&app, &username(Role::Admin), PASSWORD).await;
    let token = csrf(&admin, &app, "/listas").await;
    let drop = tempfile::tempdir().unwrap();
    std::fs::write(
        drop.path().join("lista.csv"),
        "id,given_names,surnames,birth_date,nationality,sex\nN1,Ana,Pérez,1980-05-12,GTM,F\n",
    )
    .unwrap();
    let dir = drop.path().to_str().unwrap();
    let (status, html) = post_form(
        &admin,
        &app,
        "/listas/conectores",
        &[
            ("_csrf", &token),
            ("name", "ministerio"),
            ("kind", "national-dir"),
            ("url", "ftp://x"),
            ("list", "vigilancia"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("Revise el campo") && html.contains("base_url"), "{html}");
    let (_, html) = post_form(
        &admin,
        &app,
        "/listas/conectores",
        &[
            ("_csrf", &token),
            ("name", "ministerio"),
            ("kind", "national-dir"),
            ("url", dir),
            ("list", "vigilancia"),
            ("list_kind", ""),
            ("every_minutes", "15"),
            ("max_age_hours", "1"),
            ("credential", ""),
        ],
    )
    .await;
    assert!(html.contains("Conector añadido.") && html.contains("Lista nacional en una carpeta"), "{html}");
    let (status, html) = post_form(&admin, &app, "/listas/conectores/ministerio/ejecutar", &[("_csrf", &token)]).await;
    assert_eq!(status, 200);
    assert!(html.contains("Nueva versión en vigor: altas 1"), "{html}");
    assert_eq!(app.store.lists().await.unwrap().iter().find(|l| l.name == "vigilancia").unwrap().version, Some(1));
    let (_, html) = post_form(&admin, &app, "/listas/conectores/ministerio/desactivar", &[("_csrf", &token)]).await;
    assert!(html.contains("desactivado"), "{html}");
    assert!(!app.store.connector("ministerio").await.unwrap().unwrap().enabled);

    // Stale: refreshed long ago, expected every hour.
    app.store.mark_list_refreshed("vigilancia", Some("2026-01-01T00:00:00Z"), Some(1)).await.unwrap();
    let officer = sign_in(&app, &username(Role::Officer), PASSWORD).await;
    let booth = officer.get(app.url("/inspeccion")).send().await.unwrap().text().await.unwrap();
    assert!(booth.contains("Listas desactualizadas: vigilancia") && booth.contains("se espera cada 1 h"), "{booth}");
    let sup = sign_in(&app, &username(Role::Supervisor), PASSWORD).await;
    let queue = sup.get(app.url("/alertas?lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(queue.contains("Stale lists") && queue.contains("expected every 1 h"), "{queue}");
}

/// A webhook receiver on 127.0.0.1 answering 204 to every request.
async fn receiver() -> String {
    use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let mut r = BufReader::new(sock);
            let mut len = 0;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).await.unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body).await;
            let _ = r.get_mut().write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n").await;
        }
    });
    url
}

#[tokio::test]
async fn an_administrator_configures_and_tests_an_after_hours_notification() {
    let app = spawn_country().await;
    let admin = sign_in(&app, &username(Role::Admin), PASSWORD).await;
    let token = csrf(&admin, &app, "/listas").await;
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("hook.key");
    std::fs::write(&key, "clave\n").unwrap();
    let secret = format!("file:{}", key.display());
    let url = receiver().await;
    let form = |address: &str| {
        let fields = [
            ("_csrf", token.as_str()),
            ("kind", "webhook"),
            ("post", ""),
            ("role", "supervisor"),
            ("address", address),
            ("secret", secret.as_str()),
        ];
        serde_urlencoded::to_string(fields).unwrap()
    };
    let send = |body: String| {
        let admin = admin.clone();
        let url = app.url("/listas/avisos");
        async move {
            let r = admin
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let (status, html) = send(form("http://hooks.example.org/x")).await;
    assert_eq!(status, 200);
    assert!(html.contains("Revise el campo") && html.contains("address"), "{html}");
    let (_, html) = send(form(&url)).await;
    let host = url.trim_start_matches("http://").split('/').next().unwrap();
    assert!(html.contains("Aviso añadido.") && html.contains(host), "{html}");
    assert!(!html.contains("clave\n"), "the key is never shown");
    let id = app.store.notification_targets().await.unwrap()[0].id;
    let (_, html) = post_form(&admin, &app, &format!("/listas/avisos/{id}/probar"), &[("_csrf", &token)]).await;
    assert!(html.contains("Mensaje de prueba enviado."), "{html}");
    let (_, html) = post_form(&admin, &app, &format!("/listas/avisos/{id}/desactivar"), &[("_csrf", &token)]).await;
    assert!(html.contains("desactivado"), "{html}");
    assert!(!app.store.notification_targets().await.unwrap()[0].enabled);
    // Removing takes a second, explicit step: without it nothing goes.
    let (_, html) = post_form(&admin, &app, &format!("/listas/avisos/{id}/eliminar"), &[("_csrf", &token)]).await;
    assert!(html.contains("No se puede deshacer"), "{html}");
    assert_eq!(app.store.notification_targets().await.unwrap().len(), 1);
    let confirm = [("_csrf", token.as_str()), ("confirm", "1")];
    let (_, _) = post_form(&admin, &app, &format!("/listas/avisos/{id}/eliminar"), &confirm).await;
    assert!(app.store.notification_targets().await.unwrap().is_empty());
    // Another role never reaches the form.
    let officer = sign_in(&app, &username(Role::Officer), PASSWORD).await;
    let (status, _) = post_form(&officer, &app, "/listas/avisos", &[("_csrf", "x")]).await;
    assert!(status == 403 || status == 404, "{status}");
}
