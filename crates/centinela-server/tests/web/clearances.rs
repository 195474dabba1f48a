//! A supervisor's clearance in a real browser: the officer's scan raises a
//! hit; the supervisor dismisses it and clears the pair on the hits page;
//! the same traveller scanned again shows "cleared on D by X: reason"
//! instead of the alert.

use centinela_domain::Role;
use fantoccini::Locator;

use crate::browser::{ENTER, body_text, browser, css, driver, screenshot, sign_in, sign_out};
use crate::helpers::{listed_mrz, spawn_country, username};

#[tokio::test]
async fn a_supervisor_dismisses_and_clears_and_the_booth_shows_it_cleared() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let (mrz, _) = listed_mrz(&app.country);
    let c = browser(&d).await;

    sign_in(&c, &app, Role::Officer).await;
    css(&c, "#t0-mrz").await.send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    css(&c, "[data-testid=hit]").await;
    let before = c.find_all(Locator::Css("[data-testid=hit]")).await.unwrap().len();
    assert!(c.find(Locator::Css("[data-testid=cleared]")).await.is_err());
    sign_out(&c).await;

    sign_in(&c, &app, Role::Supervisor).await;
    c.goto(&app.url("/alertas")).await.unwrap();
    let row = css(&c, "tr.hit-row").await;
    let hit_id = row.attr("data-hit").await.unwrap().unwrap();
    let reason = "viajero diario: otra fecha de nacimiento";
    css(&c, &format!("#reason-{hit_id}")).await.send_keys(reason).await.unwrap();
    css(&c, &format!("tr[data-hit='{hit_id}'] button[value=dismissed_cleared]")).await.click().await.unwrap();
    let flash = css(&c, ".flash-info").await.text().await.unwrap();
    assert!(flash.contains("despejada"), "{flash}");
    let stored = app.store.hit(hit_id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.adjudication.unwrap().decision.as_str(), "dismissed");
    sign_out(&c).await;

    // The same traveller again, leaving this time (a second entry in a row
    // would be an indicator of its own): the cleared pair is shown, not
    // alerted.
    sign_in(&c, &app, Role::Officer).await;
    css(&c, "#dir-exit").await.click().await.unwrap();
    css(&c, "#t0-mrz").await.send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    let cleared = css(&c, "[data-testid=cleared]").await.text().await.unwrap();
    let today = centinela_domain::Timestamp::now().date();
    let (y, rest) = today.split_once('-').unwrap();
    let (m, dd) = rest.split_once('-').unwrap();
    let expected = format!("Despejada el {dd}/{m}/{y} por {}: {reason}", username(Role::Supervisor));
    assert!(cleared.contains(&expected), "{cleared}");
    let after = c.find_all(Locator::Css("[data-testid=hit]")).await.unwrap().len();
    assert_eq!(after, before - 1);
    if after == 0 {
        // No longer an alerted traveller.
        assert!(c.find(Locator::Css("article.traveller-result.has-hit")).await.is_err());
        let text = body_text(&c).await;
        assert!(text.contains("SIN ALERTAS") && !text.contains("Coincidencias en listas de alerta"), "{text}");
    }
    screenshot(&c, "inspection-cleared").await;
    c.close().await.unwrap();
}
