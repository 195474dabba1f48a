//! Each role's daily work in a real browser (issue 17): a hit the officer
//! can act on (the alert's reason, action, issuer and date), the
//! traveller's earlier crossings at the booth with an entry without exit
//! named, each role landing on its own work, and the supervisors' queue
//! (names, severity, the booth's decision, waiting time, filters, paging,
//! Confirm/Dismiss on screen on a tablet).

use std::time::{Duration, Instant};

use centinela_domain::{Role, Timestamp};
use centinela_store::{HitKind, NewHit, NewInspection};
use fantoccini::{Client, Locator};

use crate::browser::{ENTER, body_text, browser, css, driver, screenshot, sign_in, sign_out};
use crate::helpers::{WebApp, listed_mrz, passport_mrz, spawn_country, stolen_document, username};

/// Scans a zone at the booth (the reader ends each line with Enter) and
/// waits for a result other than the one shown before.
async fn scan(c: &Client, mrz: &[String]) -> String {
    let before = match c.find(Locator::Css("article.traveller-result")).await {
        Ok(e) => e.attr("data-crossing").await.unwrap().unwrap_or_default(),
        Err(_) => String::new(),
    };
    let field = css(c, "#t0-mrz").await;
    field.click().await.unwrap();
    field.send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    let start = Instant::now();
    loop {
        if let Ok(e) = c.find(Locator::Css("article.traveller-result")).await
            && let Ok(Some(id)) = e.attr("data-crossing").await
            && id != before
        {
            return id;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no result");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the page's address holds `part` (a link or form followed).
async fn wait_url(c: &Client, part: &str) {
    let start = Instant::now();
    while !c.current_url().await.unwrap().as_str().contains(part) {
        assert!(start.elapsed() < Duration::from_secs(10), "never reached {part}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    css(c, "[data-testid=who]").await;
}

/// Records the focused default decision with its key (Enter) and waits
/// for it to be shown.
async fn decide_default(c: &Client) {
    c.active_element().await.unwrap().send_keys(ENTER).await.unwrap();
    css(c, "[data-testid=decision], #decided").await;
}

#[tokio::test]
async fn a_hit_shows_the_alerts_reason_action_issuer_and_date() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let (mrz, list) = listed_mrz(&app.country);
    // The entry listed_mrz reads: the first wanted entry with a full birth
    // date, a nationality and a sex.
    let entry = app
        .country
        .lists
        .iter()
        .find(|l| l.name == list)
        .unwrap()
        .entries
        .iter()
        .find(|e| {
            e.birth_dates.first().is_some_and(|b| b.day.is_some())
                && !e.nationalities.is_empty()
                && e.sex != centinela_domain::Sex::Unknown
        })
        .unwrap()
        .clone();
    let notice = &entry.notice;
    assert!(!notice.reason.is_empty() && !notice.authority.is_empty() && notice.issued.is_some());
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    scan(&c, &mrz).await;

    // The full-width banner names the alert's reason and the action.
    let banner = css(&c, "[data-testid=banner-alert]").await.text().await.unwrap();
    assert!(banner.contains(&notice.reason) && banner.contains(&notice.action), "{banner}");
    // The hit: reason, action, issuer and the date as DD/MM/AAAA.
    let shown = css(&c, "[data-testid=hit] [data-testid=hit-notice]").await.text().await.unwrap();
    let issued = notice.issued.unwrap();
    let dmy = format!("{:02}/{:02}/{:04}", issued.day.unwrap(), issued.month.unwrap(), issued.year);
    for part in ["Motivo de la alerta", notice.reason.as_str(), notice.action.as_str(), notice.authority.as_str()] {
        assert!(shown.contains(part), "{part} missing from {shown}");
    }
    assert!(shown.contains(&dmy), "{dmy} missing from {shown}");
    // Announced too: the live region carries the reason.
    let start = Instant::now();
    loop {
        let live = css(&c, "#announce").await.text().await.unwrap_or_default();
        if live.contains(&notice.reason) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "live region: {live}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    decide_default(&c).await;
    sign_out(&c).await;

    // The supervisor sees the same on the queue.
    sign_in(&c, &app, Role::Supervisor).await;
    let row = css(&c, "tr.hit-row").await.text().await.unwrap();
    assert!(row.contains(&notice.reason) && row.contains(&notice.authority) && row.contains(&dmy), "{row}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn the_booth_shows_earlier_crossings_and_names_an_entry_without_exit() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let mrz = passport_mrz("HALVORSEN", "INGRID SOLVEIG", "NOR", (1979, 4, 12), "F", "NX4418203", (2034, 6, 30));
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;

    // First time here: nothing earlier, nothing flagged; admitted.
    let first = scan(&c, &mrz).await;
    css(&c, "[data-testid=travel-history-none]").await;
    assert!(c.find(Locator::Css("[data-testid=travel-history]")).await.is_err());
    decide_default(&c).await;

    // The same passport enters again with no exit between: the earlier
    // entry is listed with its date and post, and the indicator is named.
    let second = scan(&c, &mrz).await;
    let table = css(&c, "[data-testid=travel-history]").await.text().await.unwrap();
    let today = Timestamp::now().date();
    let today_dmy = format!("{}/{}/{}", &today[8..10], &today[5..7], &today[..4]);
    assert!(table.contains("Entrada") && table.contains(&app.post) && table.contains(&today_dmy), "{table}");
    assert!(table.contains("entrada sin salida registrada"), "{table}");
    css(&c, "[data-testid=no-exit]").await;
    let flags = css(&c, "article.traveller-result ul.flags").await.text().await.unwrap();
    assert!(flags.contains("Historial de viajes") && flags.contains("entrada sin salida"), "{flags}");
    assert!(!body_text(&c).await.contains("entry_without_exit"), "a raw code reached the page");
    screenshot(&c, "inspection-history").await;
    // The crossings shown are in the inspection's audit entry.
    let audit = app.store.audit_entries(Some(50)).await.unwrap();
    let entry = audit
        .iter()
        .find(|e| e.action == "inspection_recorded" && e.subject == second)
        .expect("the second inspection's audit entry");
    assert!(entry.detail.contains(&first), "{}", entry.detail);

    // Leaving: an exit after an entry is not flagged; the earlier entries
    // are still shown.
    css(&c, "input[name=direction][value=exit]").await.click().await.unwrap();
    scan(&c, &mrz).await;
    css(&c, "[data-testid=travel-history]").await;
    assert!(c.find(Locator::Css("article.traveller-result ul.flags")).await.is_err(), "an exit was flagged");
    c.close().await.unwrap();
}

#[tokio::test]
async fn each_role_lands_on_its_work() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    let expected = [
        (Role::Officer, "/inspeccion"),
        (Role::Supervisor, "/alertas"),
        (Role::Analyst, "/redes"),
        (Role::Protection, "/derivaciones"),
        (Role::Auditor, "/auditoria"),
        (Role::Admin, "/usuarios"),
    ];
    for (role, path) in expected {
        sign_in(&c, &app, role).await;
        assert_eq!(c.current_url().await.unwrap().path(), path, "{role:?} after signing in");
        // And again from "/" (the logo, a bookmark).
        c.goto(&app.url("/")).await.unwrap();
        css(&c, "[data-testid=who]").await;
        assert_eq!(c.current_url().await.unwrap().path(), path, "{role:?} on /");
        sign_out(&c).await;
    }
    c.close().await.unwrap();
}

/// `n` open hits on the watch list at the post, recorded as the booth would
/// (older first), for paging.
async fn many_watch_hits(app: &WebApp, n: usize) {
    let officer = app.store.users().await.unwrap().into_iter().find(|u| u.username == username(Role::Officer)).unwrap();
    let template = app.country.crossings.iter().find(|c| c.document_number.is_some()).unwrap();
    let parties: Vec<Vec<NewInspection>> = (0..n)
        .map(|i| {
            let mut record = template.clone();
            record.crossing_id = format!("QUEUE-{i:03}");
            record.post = app.post.clone();
            record.surnames = format!("COLA{i:03}");
            vec![NewInspection {
                record,
                relation: "lead".into(),
                officer_id: officer.id,
                actor: format!("user:{}", officer.id),
                suggested: "secondary_inspection".into(),
                result: "{}".into(),
                hits: vec![NewHit {
                    kind: HitKind::Person,
                    list_name: "national-watch".into(),
                    list_kind: centinela_domain::ListKind::Watch,
                    entry_id: format!("W-{i}"),
                    score: 0.5,
                    action: "secondary_inspection".into(),
                    explanation: "[]".into(),
                    list_version: Some(1),
                }],
                flags: Vec::new(),
                history_shown: Vec::new(),
            }]
        })
        .collect();
    for r in app.store.record_inspections(&parties).await.unwrap() {
        r.unwrap();
    }
}

#[tokio::test]
async fn the_supervisors_queue_sorts_filters_pages_and_fits_a_tablet() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    many_watch_hits(&app, 30).await;
    let c = browser(&d).await;

    // At the booth: a stolen passport (a documents hit), then a wanted
    // person, whom the officer sends to secondary inspection.
    sign_in(&c, &app, Role::Officer).await;
    let (number, state) = stolen_document(&app.country);
    let stolen = passport_mrz("QUISPE", "ROSA", &state, (1987, 3, 9), "F", &number, (2033, 1, 1));
    scan(&c, &stolen).await;
    css(&c, "[data-testid=hit]").await;
    let (mrz, wanted_list) = listed_mrz(&app.country);
    let wanted = scan(&c, &mrz).await;
    css(&c, "[data-testid=hit]").await;
    decide_default(&c).await;
    let wanted_name = css(&c, "article.traveller-result h3").await.text().await.unwrap();
    sign_out(&c).await;

    // The supervisor lands on the queue, most severe first: the wanted
    // person (high) with the traveller's and the listed names, the booth's
    // decision and how long it has waited.
    c.set_window_size(1024, 768).await.unwrap();
    sign_in(&c, &app, Role::Supervisor).await;
    let total = app.store.hits(true, Some(&app.post), 1000).await.unwrap().len();
    assert!(total > 30 && total <= 50, "{total}");
    let count = css(&c, "[data-testid=queue-count]").await.text().await.unwrap();
    assert!(count.contains(&format!("{total} alertas")) && count.contains("Página 1 de 2"), "{count}");
    let rows = c.find_all(Locator::Css("tr.hit-row")).await.unwrap();
    assert_eq!(rows.len(), 25, "a page is 25 hits");
    let mut severities: Vec<String> = Vec::new();
    for r in &rows {
        severities.push(r.attr("data-severity").await.unwrap().unwrap());
    }
    assert_eq!(severities[0], "3", "{severities:?}");
    assert!(severities.contains(&"2".to_string()), "the stolen document's hit (medium) on the first page");
    assert!(severities.windows(2).all(|w| w[0] >= w[1]), "most severe first: {severities:?}");
    let first = rows[0].text().await.unwrap();
    let listed = css(&c, "tr.hit-row [data-testid=listed-as]").await.text().await.unwrap();
    assert!(first.contains(wanted_name.trim()) && !listed.is_empty(), "{first}");
    assert!(first.contains("Alta") && first.contains("Espera:") && first.contains("min"), "{first}");
    let booth = css(&c, "tr.hit-row [data-testid=booth-decision]").await.text().await.unwrap();
    assert!(booth.contains("Inspección secundaria"), "{booth}");

    // On a tablet (1024 px) every Confirm and Dismiss is on screen, without
    // scrolling sideways.
    let off: serde_json::Value = c
        .execute(
            "const w = document.documentElement.clientWidth; \
             return [...document.querySelectorAll('form.adjudicate button')] \
               .filter(b => { const r = b.getBoundingClientRect(); return r.left < 0 || r.right > w; }).length \
               + (document.documentElement.scrollWidth > w ? 1000 : 0);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(off, serde_json::json!(0), "buttons off screen (1000 = the page scrolls sideways)");
    screenshot(&c, "hits-queue-tablet").await;

    // The next page, with the filters kept.
    css(&c, "#q-next").await.click().await.unwrap();
    wait_url(&c, "pagina=2").await;
    let count = css(&c, "[data-testid=queue-count]").await.text().await.unwrap();
    assert!(count.contains("Página 2 de 2"), "{count}");
    assert_eq!(c.find_all(Locator::Css("tr.hit-row")).await.unwrap().len(), total - 25);

    // Filter by list: only the wanted list's hit.
    css(&c, "#q-list").await.select_by_value(&wanted_list).await.unwrap();
    css(&c, "#q-apply").await.click().await.unwrap();
    wait_url(&c, "lista=").await;
    let on_list =
        app.store.hits_of_crossing(&wanted).await.unwrap().iter().filter(|h| h.list_name == wanted_list).count();
    let count = css(&c, "[data-testid=queue-count]").await.text().await.unwrap();
    let expected = if on_list == 1 { "1 alerta".to_string() } else { format!("{on_list} alertas") };
    assert!(count.starts_with(&expected), "{count}");
    // The list named in words (its source), not by its identifier.
    let source = &app.country.lists.iter().find(|l| l.name == wanted_list).unwrap().source;
    let row = css(&c, "tr.hit-row").await.text().await.unwrap();
    assert!(row.contains(source.as_str()) && !row.contains(&wanted_list), "{row}");
    assert!(c.find(Locator::Css("#q-next")).await.is_err(), "one page");
    // Waiting longest first: the watch hits recorded before the booth's.
    c.goto(&app.url("/alertas?orden=antiguedad")).await.unwrap();
    let oldest = css(&c, "tr.hit-row [data-testid=traveller]").await.text().await.unwrap();
    assert!(oldest.starts_with("COLA000"), "{oldest}");

    // Dismiss one on the tablet: the queue shrinks; the dismissed filter
    // shows it.
    let row = css(&c, "tr.hit-row").await;
    let id = row.attr("data-hit").await.unwrap().unwrap();
    css(&c, &format!("#reason-{id}")).await.send_keys("otra persona: fecha distinta").await.unwrap();
    css(&c, &format!("tr[data-hit='{id}'] button[value=dismissed]")).await.click().await.unwrap();
    wait_url(&c, "hecho=").await;
    css(&c, ".flash-info").await;
    let count = css(&c, "[data-testid=queue-count]").await.text().await.unwrap();
    assert!(count.contains(&format!("{} alertas", total - 1)), "{count}");
    c.goto(&app.url("/alertas?estado=descartadas")).await.unwrap();
    assert_eq!(c.find_all(Locator::Css("tr.hit-row")).await.unwrap().len(), 1);
    assert!(body_text(&c).await.contains("Descartada"));
    c.close().await.unwrap();
}

/// Whether the page played the hit sound (it marks the body when it does),
/// once its script has run.
async fn sound(c: &Client, expected: bool) {
    let start = Instant::now();
    loop {
        let ran: serde_json::Value = c.execute("return document.readyState === 'complete';", vec![]).await.unwrap();
        let played: serde_json::Value =
            c.execute("return document.body.dataset.hitSound || null;", vec![]).await.unwrap();
        if ran == serde_json::json!(true) && (played == serde_json::json!("played")) == expected {
            if !expected {
                // Give a late sound the time to show that it played.
                tokio::time::sleep(Duration::from_millis(300)).await;
                let again: serde_json::Value =
                    c.execute("return document.body.dataset.hitSound || null;", vec![]).await.unwrap();
                assert_eq!(again, serde_json::Value::Null, "a sound played");
            }
            return;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "sound played: {played}, expected {expected}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_hit_sounds_only_when_the_officer_turned_the_sound_on() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let (mrz, _) = listed_mrz(&app.country);
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Officer).await;
    // Off by default: a hit is silent.
    assert!(!css(&c, "#hit-sound").await.is_selected().await.unwrap());
    scan(&c, &mrz).await;
    css(&c, "[data-testid=hit]").await;
    sound(&c, false).await;
    // Turned on, kept by the browser across pages: the next hit sounds, a
    // clean traveller does not.
    css(&c, "#hit-sound").await.click().await.unwrap();
    scan(&c, &mrz).await;
    css(&c, "[data-testid=hit]").await;
    assert!(css(&c, "#hit-sound").await.is_selected().await.unwrap(), "the setting was not kept");
    sound(&c, true).await;
    let clean = passport_mrz("HALVORSEN", "INGRID SOLVEIG", "NOR", (1979, 4, 12), "F", "NX4418203", (2034, 6, 30));
    scan(&c, &clean).await;
    sound(&c, false).await;
    c.close().await.unwrap();
}
