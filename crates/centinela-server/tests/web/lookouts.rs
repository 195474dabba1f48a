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

/// Two servers: a centre and a post (its own database, watching the
/// centre's lookouts). A lookout issued at the centre's Búsquedas page hits
/// at the post's booth, the post's supervisor hears of it live, and after
/// the post's push the issuer at the centre sees the hit on Búsquedas.
#[tokio::test]
async fn a_lookout_issued_at_the_centre_hits_at_a_posts_booth() {
    let Some(d) = driver() else { return };
    let centre = spawn_country().await;
    let (post, key, watcher) = crate::helpers::spawn_post(&centre).await;

    let supervisor = browser(&d).await;
    sign_in(&supervisor, &post, Role::Supervisor).await;
    supervisor.goto(&post.url("/alertas")).await.unwrap();
    css(&supervisor, "[data-testid=live-lookouts]").await;

    let analyst = browser(&d).await;
    sign_in(&analyst, &centre, Role::Analyst).await;
    analyst.goto(&centre.url("/busquedas")).await.unwrap();
    css(&analyst, "#l-kind").await.select_by_value("vehicle").await.unwrap();
    css(&analyst, "#l-action").await.select_by_value("secondary_inspection").await.unwrap();
    css(&analyst, "#l-plate").await.send_keys("C-913 RTX").await.unwrap();
    css(&analyst, "#l-reason").await.send_keys("Camión buscado por la fiscalía").await.unwrap();
    css(&analyst, "[data-testid=lookout-form] button[type=submit]").await.click().await.unwrap();
    let flash = css(&analyst, ".flash-info").await.text().await.unwrap();
    assert!(flash.contains("Alerta de búsqueda emitida"), "{flash}");

    // In force at the post within seconds (the long poll), at its booth.
    let officer = browser(&d).await;
    sign_in(&officer, &post, Role::Officer).await;
    let start = std::time::Instant::now();
    loop {
        officer.goto(&post.url("/inspeccion")).await.unwrap();
        css(&officer, "#vehicle").await.send_keys("c913rtx").await.unwrap();
        css(&officer, "#travellers details summary").await.click().await.unwrap();
        css(&officer, "#t0-surnames").await.send_keys("Ramírez Solís").await.unwrap();
        css(&officer, "#t0-given").await.send_keys("Mario").await.unwrap();
        css(&officer, "#t0-birth").await.send_keys("11/07/1979").await.unwrap();
        css(&officer, "#inspect").await.click().await.unwrap();
        css(&officer, "main").await;
        if let Ok(hit) = officer.find(Locator::Css("[data-testid=lookout-hit]")).await {
            let hit = hit.text().await.unwrap();
            assert!(hit.contains("Camión buscado por la fiscalía"), "{hit}");
            break;
        }
        assert!(start.elapsed().as_secs() < 10, "the lookout is not in force at the post");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let start = std::time::Instant::now();
    loop {
        let banner = text_now(&supervisor, "[data-testid=lookout-live-banner]").await;
        if banner.contains("Camión buscado por la fiscalía") {
            break;
        }
        assert!(start.elapsed().as_secs() < 10, "no live banner at the post: {banner:?}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    screenshot(&supervisor, "post-hits-live-lookout").await;

    // The post pushes: the issuer at the centre sees where it hit.
    let cfg = centinela_sync::Config::new(&centre.url(""), &key);
    centinela_sync::cycle(&post.store, &cfg).await.unwrap();
    analyst.goto(&centre.url("/busquedas")).await.unwrap();
    let hits = css(&analyst, "[data-testid=lookout-hits] tbody").await.text().await.unwrap();
    assert!(hits.contains(&centre.post), "the hit at the post is listed at the centre: {hits}");
    watcher.abort();
    for c in [analyst, supervisor, officer] {
        c.close().await.unwrap();
    }
}
