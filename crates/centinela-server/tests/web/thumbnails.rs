//! The notice's photo on the booth's hit card (issue 21), page-side: a hit
//! on a list entry that carries an image shows it, with its alt text, from
//! the audited endpoint; a hit on an entry without one shows none.

use std::time::{Duration, Instant};

use centinela_domain::Role;
use centinela_store::NewListImage;

use crate::browser::{ENTER, browser, css, driver};
use crate::helpers::{PASSWORD, WebApp, listed_mrz, sign_in, spawn_country, username};

/// A 1×1 PNG, which a browser draws.
const PNG_1X1: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

async fn booth(c: &reqwest::Client, app: &WebApp, mrz: &[String]) -> String {
    let html = c.get(app.url("/inspeccion")).send().await.unwrap().text().await.unwrap();
    let at = html.find("name=\"_csrf\" value=\"").expect("a form with _csrf") + "name=\"_csrf\" value=\"".len();
    let token = html[at..at + 64].to_owned();
    let mrz = mrz.join("\n");
    let fields = [("_csrf", token.as_str()), ("post", app.post.as_str()), ("direction", "entry"), ("t0.mrz", &mrz)];
    let r = c
        .post(app.url("/inspeccion"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(fields).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.text().await.unwrap()
}

#[tokio::test]
async fn the_hit_card_shows_the_notices_photo() {
    let app = spawn_country().await;
    let officer = sign_in(&app, &username(Role::Officer), PASSWORD).await;
    let (mrz, list) = listed_mrz(&app.country);
    let html = booth(&officer, &app, &mrz).await;
    assert!(html.contains("data-testid=\"hit\""), "a hit");
    assert!(!html.contains("hit-thumbnail"), "no image yet");

    let hit =
        app.store.hits(false, Some(&app.post), 100).await.unwrap().into_iter().find(|h| h.list_name == list).unwrap();
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.resize(600, 3);
    app.store.write_list_images(&list, &[NewListImage { entry_id: &hit.entry_id, bytes: &jpeg }], &[]).await.unwrap();
    let html = booth(&officer, &app, &mrz).await;
    let at = html.find("data-testid=\"hit-thumbnail\"").expect("the notice's photo on the hit card");
    let img = &html[html[..at].rfind('<').unwrap()..];
    let img = &img[..img.find('>').unwrap()];
    assert!(img.contains("alt=\"Foto de la persona según la notificación de la lista"), "{img}");
    let src = img.split("src=\"").nth(1).unwrap().split('"').next().unwrap();
    assert!(src.starts_with("/api/hits/") && src.ends_with("/thumbnail"), "{src}");
    assert!(html.contains("Foto de la notificación"), "its caption");
    // The page's image, fetched as the browser does (its session).
    let r = officer.get(app.url(src)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap().to_vec(), jpeg);
    let audit = app.store.audit_entries(None).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "list_image_viewed").count(), 1);
}

#[tokio::test]
async fn the_booth_draws_the_notices_photo_in_the_browser() {
    use base64::Engine;
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let (mrz, list) = listed_mrz(&app.country);
    let png = base64::engine::general_purpose::STANDARD.decode(PNG_1X1).unwrap();
    let entries = &app.country.lists.iter().find(|l| l.name == list).unwrap().entries;
    let put: Vec<NewListImage<'_>> = entries.iter().map(|e| NewListImage { entry_id: &e.id, bytes: &png }).collect();
    app.store.write_list_images(&list, &put, &[]).await.unwrap();
    let c = browser(&d).await;
    crate::browser::sign_in(&c, &app, Role::Officer).await;
    c.active_element().await.unwrap().send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    let img = css(&c, "[data-testid=hit-thumbnail]").await;
    let alt = img.attr("alt").await.unwrap().unwrap_or_default();
    assert!(alt.starts_with("Foto de la persona"), "{alt}");
    let start = Instant::now();
    loop {
        let w = c
            .execute("const i = document.querySelector('[data-testid=hit-thumbnail]'); return i.complete ? i.naturalWidth : -1;", vec![])
            .await
            .unwrap();
        if w == 1 {
            break;
        }
        assert!(w != 0, "the image did not load");
        assert!(start.elapsed() < Duration::from_secs(10), "the image never loaded");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let audit = app.store.audit_entries(None).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "list_image_viewed").count(), 1, "the browser's read, audited");
}
