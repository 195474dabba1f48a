//! An analyst opens the demo country's planted booking from Redes (issue
//! 23): its passengers, and the other bookings the same payer and contact
//! made; once masked, the values are shown masked until the analyst
//! unmasks one version with a reason. In Debian's chromium.

use std::time::Duration;

use centinela_domain::Role;
use centinela_store::Retention;
use fantoccini::Locator;

use crate::browser::{ENTER, body_text, browser, css, driver, screenshot, sign_in};
use crate::helpers::spawn_country;

#[tokio::test]
async fn analyst_opens_the_planted_booking_from_redes_and_unmasks_it_with_a_reason() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let planted = app.air.planted.clone();
    assert!(planted.bookings.len() >= 3, "{planted:?}");
    let (carrier, locator) = planted.bookings[0].clone();
    let crosser = app.country.crossings.iter().find(|c| Some(&c.crossing_id) == planted.land_crossing.as_ref());
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Analyst).await;
    css(&c, "a[href='/redes']").await.click().await.unwrap();
    let find = c
        .wait()
        .at_most(Duration::from_secs(60))
        .for_element(Locator::Css("#booking-find input[name=localizador]"))
        .await
        .expect("Redes never showed");
    find.send_keys(&format!("{locator}{ENTER}")).await.unwrap();
    let shown = css(&c, "[data-testid=locator]").await.text().await.unwrap();
    assert_eq!(shown, format!("{carrier} {locator}"));
    let linked = css(&c, "#linked").await.text().await.unwrap();
    for (_, other) in &planted.bookings[1..] {
        assert!(linked.contains(other.as_str()), "{other} not in {linked}");
    }
    assert!(linked.contains("mismo pagador") && linked.contains("mismo contacto de reserva"), "{linked}");
    let text = body_text(&c).await;
    if let Some(x) = crosser {
        assert!(text.contains(&x.surnames), "the passenger's names are shown before masking");
    }
    screenshot(&c, "booking").await;

    // Past its period the booking is masked; its links stay.
    let later = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 5;
    let zero = Retention { pnr_mask_days: 0, ..Retention::default() };
    assert!(app.store.purge("system", &zero, later, false).await.unwrap().pnr_masked > 0);
    c.refresh().await.unwrap();
    css(&c, "[data-testid=masked]").await;
    let text = body_text(&c).await;
    assert!(text.contains("enmascarado"), "{text}");
    if let Some(x) = crosser {
        assert!(!text.contains(&x.surnames), "masked names stay masked");
    }
    assert!(css(&c, "#linked").await.text().await.unwrap().contains(planted.bookings[1].1.as_str()));
    // Unmasking one version, with a reason, shows the values here.
    css(&c, ".unmask-form input[name=reason]").await.send_keys("Investigación de la red de la tarjeta").await.unwrap();
    css(&c, ".unmask-form button").await.click().await.unwrap();
    css(&c, "[data-testid=unmasked]").await;
    let text = body_text(&c).await;
    if let Some(x) = crosser {
        assert!(text.contains(&x.surnames), "unmasked names are shown: {text}");
    }
    assert!(text.contains(&planted.card), "{text}");
    let audit = app.store.audit_entries(None).await.unwrap();
    let e = audit.iter().find(|e| e.action == "pnr_unmasked").expect("the unmasking is audited");
    assert!(e.detail.contains("Investigación de la red de la tarjeta"));

    // In English.
    c.goto(&app.url(&format!("/redes/reservas/{carrier}/{locator}?lang=en"))).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("Other linked bookings") && text.contains("same payer"), "{text}");
    c.close().await.unwrap();
}

/// At the air post's booth, the officer finds a passenger of a flight
/// arriving today by document: the page says which flight and booking and
/// prefills the form; a land post's booth has no such look-up.
#[tokio::test]
async fn the_air_posts_booth_prefills_a_passenger_from_todays_manifest() {
    use centinela_store::{ApiPerson, NewFlight, NewPassengerMessage};
    let app = spawn_country().await;
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get("America/Guatemala").unwrap()).date();
    let msg = NewPassengerMessage {
        kind: "PAXLST",
        flight: Some(NewFlight {
            carrier: "CM".into(),
            number: "CM421".into(),
            origin: "PTY".into(),
            destination: "GUA".into(),
            departure_date: today.to_string(),
            arrives_at: Some(format!("{today}T11:05")),
            ..NewFlight::default()
        }),
        reference: "1".into(),
        part: 1,
        persons: vec![ApiPerson {
            role: "passenger".into(),
            surnames: "OKAFOR".into(),
            given_names: "CHINEDU".into(),
            birth_date: Some("1988-03-14".into()),
            nationality: Some("NGA".into()),
            document_type: Some("P".into()),
            document_number: Some("A07712345".into()),
            document_issuer: Some("NGA".into()),
            booking: Some("QX7Z2P".into()),
            ..ApiPerson::default()
        }],
        ..NewPassengerMessage::default()
    };
    app.store.import_passenger_messages("cli", "api", "aa", &[msg]).await.unwrap();
    app.store
        .create_user("system", "oficial.aurora", Role::Officer, Some("GTM-GUA"), crate::helpers::PASSWORD)
        .await
        .unwrap();
    let c = crate::helpers::sign_in(&app, "oficial.aurora", crate::helpers::PASSWORD).await;
    let page = c.get(app.url("/inspeccion")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"manifest-form\""), "an air post's booth looks manifests up");
    let page = c.get(app.url("/inspeccion?documento=A07712345&emisor=NGA")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("En el manifiesto del vuelo CM421, reserva QX7Z2P"), "{page}");
    assert!(page.contains("value=\"OKAFOR\"") && page.contains("value=\"A07712345\""), "prefilled");
    assert!(page.contains("14&#x2f;03&#x2f;1988") || page.contains("14/03/1988"), "prefilled as DD/MM/AAAA");
    let page = c.get(app.url("/inspeccion?documento=B999&emisor=NGA")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"manifest-none\""));
    let audit = app.store.audit_entries(None).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "api_record_viewed").count(), 1);
    // The land post's officer has no look-up.
    let land = crate::helpers::sign_in(&app, &crate::helpers::username(Role::Officer), crate::helpers::PASSWORD).await;
    let page = land.get(app.url("/inspeccion")).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("id=\"manifest-form\""), "{}", app.post);
}
