//! The booth in a real browser (issue 17, "At the booth"): nothing
//! irreversible by one keystroke, the booth's context sticks, typed dates
//! as the region writes them with errors beside their fields, and a party
//! with a hit announced and bannered without raw codes.

use std::time::{Duration, Instant};

use centinela_domain::{BirthDate, Direction, Role};
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::browser::{ENTER, body_text, browser, css, driver, screenshot, sign_in, text_now};
use crate::helpers::{WebApp, listed_mrz, passport_mrz, spawn_country, stolen_document};

/// The direction's "Salida" (exit) radio button.
const EXIT: &str = "input[name=direction][value=exit]";
const ALT: &str = "\u{E00A}";
const NULL: &str = "\u{E000}";

/// The crossing of the first traveller shown in the result.
async fn first_crossing(c: &Client) -> String {
    css(c, "article.traveller-result").await.attr("data-crossing").await.unwrap().unwrap()
}

/// Waits until the result shows another party than `before`.
async fn next_result(c: &Client, before: &str) -> String {
    let start = Instant::now();
    loop {
        if let Ok(e) = c.find(Locator::Css("article.traveller-result")).await
            && let Ok(Some(id)) = e.attr("data-crossing").await
            && id != before
        {
            return id;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no new result");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn decision(app: &WebApp, crossing: &str) -> Option<(String, String)> {
    app.store.decision(crossing).await.unwrap().map(|(d, r, _)| (d, r))
}

/// `POST /api/crossings/{id}/decision` from the page (its session and CSRF
/// token): [status, error code or null].
async fn api_decide(c: &Client, crossing: &str, body: serde_json::Value) -> serde_json::Value {
    c.execute(
        "return fetch('/api/crossings/' + arguments[0] + '/decision', {method: 'POST', credentials: 'same-origin', \
         headers: {'Content-Type': 'application/json', 'X-CSRF-Token': document.querySelector('input[name=_csrf]').value}, \
         body: JSON.stringify(arguments[1])}).then(async r => [r.status, (await r.json()).code || null]);",
        vec![json!(crossing), body],
    )
    .await
    .unwrap()
}

/// A traveller on no list: a name from far away.
fn clean_mrz(number: &str) -> Vec<String> {
    passport_mrz("HALVORSEN", "INGRID SOLVEIG", "NOR", (1979, 4, 12), "F", number, (2034, 6, 30))
}

#[tokio::test]
async fn enter_in_the_reason_of_a_hit_records_nothing_and_admitting_is_confirmed() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let (mrz, _) = listed_mrz(&app.country);
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    c.active_element().await.unwrap().send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    css(&c, "[data-testid=hit]").await;
    let crossing = first_crossing(&c).await;
    let suggested = c.active_element().await.unwrap().attr("value").await.unwrap();

    // Enter in "Motivo" records nothing (it used to record "Admitir").
    let reason = css(&c, "#reason-1").await;
    reason.click().await.unwrap();
    reason.send_keys(&format!(" revisado{ENTER}")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(decision(&app, &crossing).await, None, "Enter in the reason recorded a decision");
    assert!(c.find(Locator::Css("[data-testid=decision]")).await.is_err());
    // The suggested step was the focused default; admitting is not it.
    assert_eq!(suggested.as_deref(), Some("secondary_inspection"));

    // The API refuses to admit a hit without the confirmation and a reason.
    let answer = api_decide(&c, &crossing, json!({"decision": "admit", "reason": "x"})).await;
    assert_eq!(answer, json!([422, "confirmation_required"]));
    let answer = api_decide(&c, &crossing, json!({"decision": "admit", "confirm": true})).await;
    assert_eq!(answer, json!([422, "confirmation_required"]));
    assert_eq!(decision(&app, &crossing).await, None);

    // "Admitir…" (its key, Alt+1 from a text field) opens the confirm step;
    // Enter there records nothing either.
    let confirm = css(&c, "fieldset.confirm-admit").await;
    assert!(!confirm.is_displayed().await.unwrap(), "the confirm step shows before it is asked for");
    c.active_element().await.unwrap().send_keys(&format!("{ALT}1{NULL}")).await.unwrap();
    assert!(confirm.is_displayed().await.unwrap());
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("name").await.unwrap().as_deref(), Some("confirm_reason"));
    focused.send_keys(ENTER).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(decision(&app, &crossing).await, None, "Enter in the confirm step recorded a decision");

    // Confirming without a reason: refused, the error beside the decision.
    css(&c, "button[value=admit_confirmed]").await.click().await.unwrap();
    let err = css(&c, &format!("article[data-crossing='{crossing}'] form.decide [data-testid=decision-error]")).await;
    assert!(err.text().await.unwrap().contains("escriba el motivo"), "{}", err.text().await.unwrap());
    assert_eq!(decision(&app, &crossing).await, None);

    // With a reason: recorded, with it.
    css(&c, "input[name=confirm_reason]").await.send_keys("identidad verificada con la policía").await.unwrap();
    css(&c, "button[value=admit_confirmed]").await.click().await.unwrap();
    css(&c, "[data-testid=decision]").await;
    assert_eq!(
        decision(&app, &crossing).await,
        Some(("admit".to_string(), "identidad verificada con la policía".to_string()))
    );
    c.close().await.unwrap();
}

#[tokio::test]
async fn direction_lane_and_vehicle_stay_across_travellers_and_decisions() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    css(&c, EXIT).await.click().await.unwrap();
    css(&c, "#vehicle").await.send_keys("P-123ABC").await.unwrap();

    // A clean traveller: the scan, then one key (Enter on the focused
    // default, "Admitir").
    let mrz = clean_mrz("NK1234567");
    let scanned = Instant::now();
    css(&c, "#t0-mrz").await.send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    let first = first_crossing(&c).await;
    let shown = scanned.elapsed();
    assert!(css(&c, EXIT).await.is_selected().await.unwrap(), "the direction went back to Entrada");
    assert_eq!(css(&c, "#vehicle").await.prop("value").await.unwrap().as_deref(), Some("P-123ABC"));
    let recorded = text_now(&c, "#recorded").await;
    assert!(recorded.contains("Salida registrada") && recorded.contains("P-123ABC"), "{recorded}");
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("value").await.unwrap().as_deref(), Some("admit"));
    let keyed = Instant::now();
    focused.send_keys(ENTER).await.unwrap();
    css(&c, "[data-testid=decision]").await;
    eprintln!("booth, a clean traveller: result {shown:?} after the scan, admitted {:?} after 1 key", keyed.elapsed());
    assert_eq!(decision(&app, &first).await.map(|d| d.0).as_deref(), Some("admit"));
    assert!(text_now(&c, "#decided").await.contains("Admitir"), "{}", text_now(&c, "body").await);

    // Still Salida and the vehicle after the decision; the focus is back in
    // the MRZ box for the next traveller.
    assert!(css(&c, EXIT).await.is_selected().await.unwrap(), "the direction went back to Entrada");
    assert_eq!(css(&c, "#vehicle").await.prop("value").await.unwrap().as_deref(), Some("P-123ABC"));
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("t0-mrz"));

    // The lane too; the next traveller, admitted with the key shown on the
    // button (1).
    css(&c, "#lane").await.send_keys("3").await.unwrap();
    let mrz = clean_mrz("NK7654321");
    css(&c, "#t0-mrz").await.send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    let second = next_result(&c, &first).await;
    assert!(text_now(&c, "#recorded").await.contains("Salida registrada"));
    assert!(css(&c, EXIT).await.is_selected().await.unwrap());
    c.active_element().await.unwrap().send_keys("1").await.unwrap();
    css(&c, "[data-testid=decision]").await;
    assert_eq!(decision(&app, &second).await.map(|d| d.0).as_deref(), Some("admit"));
    for id in [&first, &second] {
        let stored = app.store.crossing(id).await.unwrap().unwrap();
        assert_eq!((stored.record.direction, stored.record.vehicle.as_str()), (Direction::Exit, "P-123ABC"));
    }
    assert!(css(&c, EXIT).await.is_selected().await.unwrap());
    assert_eq!(css(&c, "#lane").await.prop("value").await.unwrap().as_deref(), Some("3"));
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_date_typed_dd_mm_yyyy_is_accepted_and_an_error_keeps_every_field() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    css(&c, EXIT).await.click().await.unwrap();
    css(&c, "#travellers details summary").await.click().await.unwrap();
    css(&c, "#t0-surnames").await.send_keys("Ochoa Pérez").await.unwrap();
    css(&c, "#t0-given").await.send_keys("Luis Fernando").await.unwrap();
    css(&c, "#t0-birth").await.send_keys("31/02/1985").await.unwrap();
    css(&c, "#t0-sex").await.select_by_value("M").await.unwrap();
    css(&c, "#t0-nat").await.send_keys("GTM").await.unwrap();
    css(&c, "input[name='t0.obs'][value='T5']").await.click().await.unwrap();
    css(&c, "#inspect").await.click().await.unwrap();

    // No such day: nothing lost, the error in Spanish beside the field.
    css(&c, ".field-error, .flash-error").await;
    let value = |sel: &'static str| {
        let c = c.clone();
        async move { css(&c, sel).await.prop("value").await.unwrap().unwrap_or_default() }
    };
    assert_eq!(value("#t0-surnames").await, "Ochoa Pérez");
    assert_eq!(value("#t0-given").await, "Luis Fernando");
    assert_eq!(value("#t0-birth").await, "31/02/1985");
    assert_eq!(value("#t0-sex").await, "M");
    assert_eq!(value("#t0-nat").await, "GTM");
    assert!(css(&c, "input[name='t0.obs'][value='T5']").await.is_selected().await.unwrap());
    assert!(css(&c, EXIT).await.is_selected().await.unwrap());
    let err = css(&c, "#err-t0-birth_date").await.text().await.unwrap();
    assert!(err.contains("DD/MM/AAAA"), "{err}");
    assert_eq!(c.active_element().await.unwrap().attr("id").await.unwrap().as_deref(), Some("t0-birth"));
    screenshot(&c, "inspection-field-error").await;

    // 15/08/1985 as the region writes it: accepted.
    let birth = css(&c, "#t0-birth").await;
    birth.clear().await.unwrap();
    birth.send_keys("15/08/1985").await.unwrap();
    css(&c, "#inspect").await.click().await.unwrap();
    css(&c, "#recorded").await;
    assert!(c.find(Locator::Css(".field-error")).await.is_err());
    let crossing = first_crossing(&c).await;
    let stored = app.store.crossing(&crossing).await.unwrap().unwrap();
    assert_eq!(stored.record.birth_date, Some(BirthDate::parse("1985-08-15").unwrap()));
    assert_eq!(stored.record.surnames, "Ochoa Pérez");

    // The language switch keeps the result (the posted page is drawn again,
    // not posted again), and switches back.
    let recorded = css(&c, "#recorded").await.text().await.unwrap();
    css(&c, "#lang-switch").await.click().await.unwrap();
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("html[lang=en]")).await.unwrap();
    assert_eq!(first_crossing(&c).await, crossing, "the result survives the language switch");
    let english = css(&c, "#recorded").await.text().await.unwrap();
    assert_ne!(english, recorded, "the result is drawn in English");
    assert_eq!(
        app.store
            .crossings_between(None, None, None)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.record.surnames == "Ochoa Pérez")
            .count(),
        1,
        "nothing was recorded twice"
    );
    css(&c, "#lang-switch").await.click().await.unwrap();
    c.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css("html[lang=es]")).await.unwrap();
    assert_eq!(css(&c, "#recorded").await.text().await.unwrap(), recorded);

    // A malformed zone keeps the box's text, with the error beside it.
    let area = css(&c, "#t0-mrz").await;
    area.send_keys("P<GTMOCHOA<PEREZ<<LUIS<FERNANDO").await.unwrap();
    css(&c, "#inspect").await.click().await.unwrap();
    let err = css(&c, "#err-t0-mrz").await.text().await.unwrap();
    assert!(err.contains("zona legible"), "{err}");
    assert_eq!(value("#t0-mrz").await, "P<GTMOCHOA<PEREZ<<LUIS<FERNANDO");
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_party_with_a_flagged_child_is_bannered_and_announced_without_raw_codes() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let (number, state) = stolen_document(&app.country);
    // A girl of eleven on a stolen, expired passport, with an adult of no
    // recorded relation: a document hit, under_18, document_expired, T1.
    let child = passport_mrz("CUX TZUL", "YESENIA", &state, (2015, 5, 5), "F", &number, (2022, 1, 31));
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    css(&c, "#travellers details summary").await.click().await.unwrap();
    css(&c, "#t0-surnames").await.send_keys("Ochoa Pérez").await.unwrap();
    css(&c, "#t0-given").await.send_keys("Luis Fernando").await.unwrap();
    css(&c, "#t0-birth").await.send_keys("1980-03-12").await.unwrap();
    css(&c, "#t0-nat").await.send_keys("GTM").await.unwrap();
    css(&c, "#add-traveller").await.click().await.unwrap();
    css(&c, "#t1-mrz").await.send_keys(&format!("{}{ENTER}{}{ENTER}", child[0], child[1])).await.unwrap();

    // No raw code reaches the page; the document's status in Spanish.
    css(&c, "[data-testid=hit]").await;
    let text = body_text(&c).await;
    assert!(text.contains("En la lista como robado"), "{text}");
    let numbers = format!("Número en la lista: {number} · número presentado: {number}");
    assert!(text.contains(&numbers) && text.contains("coincide exactamente"), "{text}");
    for raw in ["stolen", "document_expired", "under_18", "stolen-lost-documents", "retain_document"] {
        assert!(!text.contains(raw), "{raw} on the page: {text}");
    }
    let codes: Vec<&str> = text
        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
        .filter(|w| w.contains('_') && w.chars().any(|ch| ch.is_ascii_lowercase()))
        .collect();
    assert!(codes.is_empty(), "raw codes on the page: {codes:?}");

    // The party's banner at the top of the result.
    let banner = css(&c, "#party-banner").await.text().await.unwrap();
    assert!(banner.contains("1 de 2 viajeros con alerta en listas"), "{banner}");
    // The adult is not shown clean.
    let lead = css(&c, "article.traveller-result").await;
    assert!(lead.find(Locator::Css(".badge-clean")).await.is_err(), "the adult with a flagged child shows clean");
    assert!(lead.text().await.unwrap().contains("el grupo tiene alertas"));
    assert!(lead.find(Locator::Css("button[data-reveal]")).await.is_ok(), "admitting the adult is not confirmed");
    // The API agrees: the adult's admission needs the confirmation too.
    let adult = lead.attr("data-crossing").await.unwrap().unwrap();
    assert_eq!(api_decide(&c, &adult, json!({"decision": "admit"})).await, json!([422, "confirmation_required"]));
    let confirmed = json!({"decision": "admit", "reason": "padre con permiso notarial", "confirm": true});
    assert_eq!(api_decide(&c, &adult, confirmed).await[0], json!(201));
    // Announced: the live region filled, the title changed.
    let start = Instant::now();
    let announced = loop {
        let t = css(&c, "#announce").await.prop("textContent").await.unwrap().unwrap_or_default();
        if !t.is_empty() || start.elapsed() > Duration::from_secs(5) {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(announced.contains("ALERTA") && announced.contains("1 de 2"), "{announced:?}");
    let live = css(&c, "#announce").await.attr("aria-live").await.unwrap();
    assert_eq!(live.as_deref(), Some("assertive"));
    let title = c.title().await.unwrap();
    assert!(title.starts_with("⚠ ALERTA"), "{title}");
    screenshot(&c, "inspection-party-hit").await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_party_scanned_with_enter_terminated_zones_is_one_party() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    css(&c, "input[name=party_mode]").await.click().await.unwrap();
    // A family of three through a reader that ends every zone with Enter;
    // Enter on the empty box closes the party.
    let family = [
        passport_mrz("HALVORSEN", "INGRID SOLVEIG", "NOR", (1979, 4, 12), "F", "NK1111111", (2034, 6, 30)),
        passport_mrz("HALVORSEN", "BJORN", "NOR", (1977, 9, 2), "M", "NK2222222", (2034, 6, 30)),
        passport_mrz("HALVORSEN", "SIGRID", "NOR", (2016, 1, 20), "F", "NK3333333", (2034, 6, 30)),
    ];
    for (i, z) in family.iter().enumerate() {
        let box_ = c.active_element().await.unwrap();
        assert_eq!(box_.attr("id").await.unwrap(), Some(format!("t{i}-mrz")));
        box_.send_keys(&format!("{}{ENTER}{}{ENTER}", z[0], z[1])).await.unwrap();
    }
    assert!(text_now(&c, "#party-status").await.contains("3 viajeros"), "{}", text_now(&c, "#party-status").await);
    assert!(c.find(Locator::Css("article.traveller-result")).await.is_err(), "a zone was inspected alone");
    c.active_element().await.unwrap().send_keys(ENTER).await.unwrap();

    css(&c, "#party-banner").await;
    let shown = c.find_all(Locator::Css("article.traveller-result")).await.unwrap();
    assert_eq!(shown.len(), 3);
    let mut groups = std::collections::HashSet::new();
    for a in shown {
        let id = a.attr("data-crossing").await.unwrap().unwrap();
        groups.insert(app.store.crossing(&id).await.unwrap().unwrap().record.group_id);
    }
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert!(groups.iter().all(|g| !g.is_empty()));
    // Party mode stays on for the next party.
    assert!(css(&c, "input[name=party_mode]").await.is_selected().await.unwrap());
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_clean_party_is_admitted_with_one_key_and_a_flagged_one_is_not() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    css(&c, "input[name=party_mode]").await.click().await.unwrap();
    for z in [
        passport_mrz("HALVORSEN", "INGRID SOLVEIG", "NOR", (1979, 4, 12), "F", "NK4444444", (2034, 6, 30)),
        passport_mrz("HALVORSEN", "BJORN", "NOR", (1977, 9, 2), "M", "NK5555555", (2034, 6, 30)),
    ] {
        c.active_element().await.unwrap().send_keys(&format!("{}{ENTER}{}{ENTER}", z[0], z[1])).await.unwrap();
    }
    c.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    css(&c, "#party-decide").await;
    let ids: Vec<String> = {
        let mut v = Vec::new();
        for a in c.find_all(Locator::Css("article.traveller-result")).await.unwrap() {
            v.push(a.attr("data-crossing").await.unwrap().unwrap());
        }
        v
    };
    assert_eq!(ids.len(), 2);
    // The party's "Admitir" is the focused default: one key admits both.
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("value").await.unwrap().as_deref(), Some("admit"));
    assert!(focused.find(Locator::XPath("ancestor::form[@id='party-decide']")).await.is_ok());
    focused.send_keys(ENTER).await.unwrap();
    let done = css(&c, "#decided").await.text().await.unwrap();
    assert!(done.contains("Registrado para 2 viajeros"), "{done}");
    for id in &ids {
        assert_eq!(decision(&app, id).await.map(|d| d.0).as_deref(), Some("admit"));
    }
    assert!(c.find(Locator::Css("#party-decide")).await.is_err(), "nobody is left to decide");

    // A party with a minor of unknown relation (T1): the party's admit is
    // the confirm step, and the API refuses it for everyone without it.
    for z in [
        passport_mrz("HALVORSEN", "BJORN", "NOR", (1977, 9, 2), "M", "NK6666666", (2034, 6, 30)),
        passport_mrz("HALVORSEN", "SIGRID", "NOR", (2016, 1, 20), "F", "NK7777777", (2034, 6, 30)),
    ] {
        c.active_element().await.unwrap().send_keys(&format!("{}{ENTER}{}{ENTER}", z[0], z[1])).await.unwrap();
    }
    c.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    let second = next_result(&c, &ids[0]).await;
    assert!(css(&c, "#party-decide button[data-reveal]").await.is_displayed().await.unwrap());
    css(&c, "#party-reason").await.send_keys(format!("todo en orden{ENTER}").as_str()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(decision(&app, &second).await, None, "Enter in the party's reason recorded a decision");
    c.close().await.unwrap();
}
