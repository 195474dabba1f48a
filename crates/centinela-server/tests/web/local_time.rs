//! Local time and layout in a real browser (issue 17): each post's users
//! see every time as DD/MM/AAAA HH:MM in the post's zone (never ISO UTC);
//! an administrator changes a post's zone and its pages follow; the centre
//! sees its own zone; on a phone no page scrolls sideways.

use std::time::Duration;

use centinela_domain::Role;
use fantoccini::{Client, Locator};

use crate::browser::{ENTER, body_text, browser, css, driver, sign_in, sign_out};
use crate::helpers::{WebApp, listed_mrz, spawn_country};

/// The time shown on the first row of the hits queue.
async fn first_hit_time(c: &Client, app: &WebApp) -> String {
    c.goto(&app.url("/alertas")).await.unwrap();
    css(c, "[data-testid=hit-time]").await.text().await.unwrap()
}

/// Whether `shown` (`DD/MM/AAAA HH:MM`) is `now` in `zone`, give or take
/// two minutes.
fn is_now_in(shown: &str, zone: &str) -> bool {
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let Ok(dt) = jiff::civil::DateTime::strptime("%d/%m/%Y %H:%M", shown.trim()) else { return false };
    let Ok(at) = dt.to_zoned(tz) else { return false };
    (jiff::Timestamp::now().as_second() - at.timestamp().as_second()).abs() <= 120
}

fn has_iso_instant(text: &str) -> bool {
    let b = text.as_bytes();
    b.windows(11).any(|w| w[..4].iter().all(u8::is_ascii_digit) && w[4] == b'-' && w[7] == b'-' && w[10] == b'T')
}

#[tokio::test]
async fn times_follow_the_posts_zone_and_the_centre_sees_its_own() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let zone = app.store.post_time_zone(&app.post).await.unwrap();
    assert!(zone.starts_with("America/"), "the demo's post has its country's zone: {zone}");
    let c = browser(&d).await;

    // An officer at the post scans a listed traveller.
    sign_in(&c, &app, Role::Officer).await;
    let (mrz, _) = listed_mrz(&app.country);
    c.active_element().await.unwrap().send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    css(&c, "[data-testid=hit]").await;
    let shown = first_hit_time(&c, &app).await;
    assert!(is_now_in(&shown, &zone), "{shown} is not now in {zone}");
    assert_eq!(css(&c, "#time-zone").await.attr("data-zone").await.unwrap().as_deref(), Some(zone.as_str()));
    assert!(!has_iso_instant(&body_text(&c).await), "an ISO instant on the page");
    sign_out(&c).await;

    // The administrator moves the post to another zone, from the page.
    sign_in(&c, &app, Role::Admin).await;
    c.goto(&app.url("/puestos")).await.unwrap();
    let input = css(&c, &format!("#tz-{}", app.post)).await;
    input.clear().await.unwrap();
    input.send_keys("Asia/Tokyo").await.unwrap();
    input.send_keys(ENTER).await.unwrap();
    css(&c, ".flash-info").await;
    assert_eq!(app.store.post_time_zone(&app.post).await.unwrap(), "Asia/Tokyo");
    // A zone that does not exist is refused beside the form, nothing changed.
    let input = css(&c, &format!("#tz-{}", app.post)).await;
    input.clear().await.unwrap();
    input.send_keys("Mars/Olympus").await.unwrap();
    input.send_keys(ENTER).await.unwrap();
    css(&c, ".flash-error").await;
    assert!(body_text(&c).await.contains("no es una zona IANA conocida"));
    assert_eq!(app.store.post_time_zone(&app.post).await.unwrap(), "Asia/Tokyo");
    sign_out(&c).await;

    sign_in(&c, &app, Role::Officer).await;
    let shown = first_hit_time(&c, &app).await;
    assert!(is_now_in(&shown, "Asia/Tokyo"), "{shown} is not now in Tokyo");

    // The centre (a supervisor bound to no post would be one; the analyst
    // is) sees the server's zone, said at the foot of the page.
    sign_out(&c).await;
    sign_in(&c, &app, Role::Analyst).await;
    c.goto(&app.url("/reglas")).await.unwrap();
    let centre = css(&c, "#time-zone").await.attr("data-zone").await.unwrap().unwrap();
    assert!(jiff::tz::TimeZone::get(&centre).is_ok(), "{centre}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn no_page_scrolls_sideways_on_a_phone() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    c.set_window_size(390, 844).await.unwrap();
    for (role, pages) in [
        (Role::Officer, &["/inspeccion", "/alertas"][..]),
        (Role::Admin, &["/listas", "/reglas", "/usuarios", "/puestos", "/estadisticas"][..]),
        (Role::Auditor, &["/auditoria"][..]),
        (Role::Protection, &["/derivaciones", "/casos"][..]),
        (Role::Analyst, &["/redes"][..]),
    ] {
        sign_in(&c, &app, role).await;
        for page in pages {
            c.goto(&app.url(page)).await.unwrap();
            css(&c, "main").await;
            tokio::time::sleep(Duration::from_millis(200)).await;
            let wide: serde_json::Value = c
                .execute("return [document.documentElement.scrollWidth, document.documentElement.clientWidth];", vec![])
                .await
                .unwrap();
            let (scroll, client) = (wide[0].as_i64().unwrap(), wide[1].as_i64().unwrap());
            assert!(scroll <= client + 1, "{role:?} {page}: {scroll} px wide in a {client} px window");
        }
        assert!(c.find(Locator::Css("#signout")).await.is_ok());
        sign_out(&c).await;
    }
    c.close().await.unwrap();
}
