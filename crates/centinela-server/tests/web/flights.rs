//! Pre-arrival screening in a real browser: a carrier's API list for a
//! flight landing at the air post (GTM-GUA) carries a listed person; the
//! post's supervisor finds the hit on the "Vuelos" page, opens the flight's
//! manifest and dismisses it with a reason.

use centinela_domain::Role;
use fantoccini::Locator;

use crate::browser::{browser, css, driver, screenshot, sign_out};
use crate::helpers::{PASSWORD, WebApp, spawn_country, username};

/// Upper-case ASCII, as carriers send names.
fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' | 'Á' | 'à' | 'ä' => 'A',
            'é' | 'É' | 'è' | 'ë' => 'E',
            'í' | 'Í' | 'ï' => 'I',
            'ó' | 'Ó' | 'ö' => 'O',
            'ú' | 'Ú' | 'ü' | 'Ü' => 'U',
            'ñ' | 'Ñ' => 'N',
            c if c.is_ascii_alphabetic() || c == ' ' => c.to_ascii_uppercase(),
            _ => ' ',
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A PAXLST written for this test: flight CM421 PTY → GUA departing in
/// three hours, the first listed person of the wanted list and one other
/// passenger.
fn manifest(app: &WebApp) -> (String, String) {
    let list = app.country.lists.iter().find(|l| l.kind == centinela_domain::ListKind::Wanted).unwrap();
    let e = list
        .entries
        .iter()
        .find(|e| e.birth_dates.first().is_some_and(|b| b.day.is_some()) && !e.nationalities.is_empty())
        .unwrap();
    let b = e.birth_dates[0];
    let at = (jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC) + jiff::Span::new().hours(3))
        .strftime("%Y%m%d%H%M")
        .to_string();
    let surnames = ascii(&e.surnames);
    let body = format!(
        "UNA:+.? '\
UNB+UNOC:4+CM+GTMUIP+20261206:1405+91'\
UNH+1+PAXLST:D:05B:UN:IATA'\
BGM+745'\
TDT+20+CM421+++CM'\
LOC+125+PTY'\
DTM+189:{at}:203'\
LOC+87+GUA'\
NAD+FL+++{surnames}:{given}'\
DTM+329:{y:02}{m:02}{d:02}'\
NAT+2+{nat}'\
DOC+P:110:111+K4821937'\
NAD+FL+++ZZYZX QUORN:PLOVA'\
DOC+P:110:111+K1111111'\
CNT+42:2'\
UNT+14+1'\
UNZ+1+91'",
        given = ascii(&e.given_names),
        y = b.year % 100,
        m = b.month.unwrap_or(1),
        d = b.day.unwrap_or(1),
        nat = e.nationalities[0].as_str(),
    );
    (body, surnames)
}

#[tokio::test]
async fn the_air_posts_supervisor_sees_a_listed_passenger_before_landing_and_dismisses_the_hit() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    app.store.create_user("system", "web.sup.gua", Role::Supervisor, Some("GTM-GUA"), PASSWORD).await.unwrap();
    let (body, surnames) = manifest(&app);
    // The carrier's gateway signs in as an administrator and posts the list.
    let http = reqwest::Client::new();
    let login = serde_json::json!({ "username": username(Role::Admin), "password": PASSWORD });
    let s: serde_json::Value =
        http.post(app.url("/api/session")).json(&login).send().await.unwrap().json().await.unwrap();
    let token = s["token"].as_str().unwrap().to_string();
    let r = http
        .post(app.url("/api/passengers/messages"))
        .bearer_auth(&token)
        .header("content-type", "application/edifact")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());

    let c = browser(&d).await;
    c.goto(&app.url("/entrar")).await.unwrap();
    css(&c, "#username").await.send_keys("web.sup.gua").await.unwrap();
    css(&c, "#password").await.send_keys(PASSWORD).await.unwrap();
    css(&c, "#signin").await.click().await.unwrap();
    css(&c, "[data-testid=who]").await;
    css(&c, "a[href='/vuelos']").await.click().await.unwrap();
    // The screening runs in the background: reload until the hit is counted.
    let mut counted = false;
    for _ in 0..50 {
        if let Ok(e) = c.find(Locator::Css("[data-testid=flight-hits] .badge-hit")).await {
            counted = e.text().await.unwrap_or_default().contains("1 abiertas");
            if counted {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        c.refresh().await.unwrap();
    }
    assert!(counted, "the flight shows its open hit");
    screenshot(&c, "flights").await;
    css(&c, "table[data-testid=flights] a").await.click().await.unwrap();
    let hit = css(&c, "[data-testid=prearrival-hit]").await;
    let id = hit.attr("data-hit").await.unwrap().unwrap();
    let names = css(&c, "tr.hit-row [data-testid=person-name]").await.text().await.unwrap();
    assert!(names.contains(&surnames), "{names}");
    let reason = css(&c, "[data-testid=hit-reason]").await.text().await.unwrap();
    assert!(!reason.is_empty());
    css(&c, &format!("#reason-{id}")).await.send_keys("otra persona: fecha de nacimiento distinta").await.unwrap();
    css(&c, &format!("[data-hit='{id}'] button[value=dismissed]")).await.click().await.unwrap();
    let flash = css(&c, ".flash-info").await.text().await.unwrap();
    assert!(flash.contains("Resolución registrada"), "{flash}");
    let decision = css(&c, "[data-testid=hit-decision]").await.text().await.unwrap();
    assert_eq!(decision, "Descartada");
    let stored = app.store.prearrival_hit(id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.adjudication.unwrap().decision, "dismissed");
    screenshot(&c, "flight-manifest").await;
    sign_out(&c).await;
    c.close().await.unwrap();
}
