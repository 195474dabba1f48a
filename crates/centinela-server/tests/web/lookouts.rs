//! A lookout in a real browser: an analyst issues one on a plate on the
//! lookouts page; the post's duty supervisor has the hits page open; the
//! officer types a traveller arriving in that vehicle (plate written
//! otherwise) and the booth shows the lookout with its reason and action;
//! the supervisor's page shows the live banner without a reload.

use centinela_domain::Role;
use fantoccini::Locator;

use crate::browser::{browser, css, driver, screenshot, sign_in, text_now};
use crate::helpers::spawn_country;

#[tokio::test]
async fn a_lookout_issued_hits_at_the_booth_and_the_supervisor_hears_live() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;

    let analyst = browser(&d).await;
    sign_in(&analyst, &app, Role::Analyst).await;
    analyst.goto(&app.url("/busquedas")).await.unwrap();
    css(&analyst, "#l-kind").await.select_by_value("vehicle").await.unwrap();
    css(&analyst, "#l-action").await.select_by_value("secondary_inspection").await.unwrap();
    css(&analyst, "#l-plate").await.send_keys("P-482 KQZ").await.unwrap();
    css(&analyst, "#l-reason").await.send_keys("Camioneta vista en un secuestro").await.unwrap();
    css(&analyst, "[data-testid=lookout-form] button[type=submit]").await.click().await.unwrap();
    let flash = css(&analyst, ".flash-info").await.text().await.unwrap();
    assert!(flash.contains("Alerta de búsqueda emitida"), "{flash}");
    let row = css(&analyst, "[data-testid=lookouts] tbody tr[data-lookout]").await.text().await.unwrap();
    assert!(row.contains("vigente") && row.contains("P-482 KQZ"), "{row}");

    let supervisor = browser(&d).await;
    sign_in(&supervisor, &app, Role::Supervisor).await;
    supervisor.goto(&app.url("/alertas")).await.unwrap();
    css(&supervisor, "[data-testid=live-lookouts]").await;

    let officer = browser(&d).await;
    sign_in(&officer, &app, Role::Officer).await;
    css(&officer, "#vehicle").await.send_keys("p482-kqz").await.unwrap();
    css(&officer, "#travellers details summary").await.click().await.unwrap();
    css(&officer, "#t0-surnames").await.send_keys("Ochoa Pérez").await.unwrap();
    css(&officer, "#t0-given").await.send_keys("Luis Fernando").await.unwrap();
    css(&officer, "#t0-birth").await.send_keys("03/02/1985").await.unwrap();
    css(&officer, "#inspect").await.click().await.unwrap();
    let hit = css(&officer, "[data-testid=lookout-hit]").await.text().await.unwrap();
    assert!(hit.contains("Camioneta vista en un secuestro"), "{hit}");
    assert!(hit.contains("inspección secundaria"), "{hit}");
    assert!(officer.find(Locator::Css("[data-testid=banner-lookout]")).await.is_ok());
    screenshot(&officer, "inspection-lookout").await;

    // The supervisor's page, untouched, shows it.
    let start = std::time::Instant::now();
    loop {
        let banner = text_now(&supervisor, "[data-testid=lookout-live-banner]").await;
        if banner.contains("Camioneta vista en un secuestro") {
            assert!(banner.contains(&app.post), "{banner}");
            break;
        }
        assert!(start.elapsed().as_secs() < 10, "no live banner: {banner:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    screenshot(&supervisor, "hits-live-lookout").await;
    for c in [analyst, supervisor, officer] {
        c.close().await.unwrap();
    }
}
