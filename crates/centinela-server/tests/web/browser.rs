//! End to end in a real browser: Debian's chromium (headless) through
//! chromedriver, driven by fantoccini, against the server on 127.0.0.1.
//!
//! Without /usr/bin/chromedriver (`apt-get install chromium
//! chromium-driver`) these tests fail when `CI` is set (to anything but
//! `false` or `0`) and are skipped with a message otherwise; `scripts/test`
//! reports them skipped in its table. With `CENTINELA_SCREENSHOTS=1` they write the main
//! screens to `docs/screenshots/*.png`.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use centinela_domain::Role;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::{PASSWORD, WebApp, listed_mrz, spawn_country, username};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(crate) const ENTER: &str = "\u{E007}";

/// chromedriver on a free port, stopped when dropped.
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this is a CI run (`CI` set to anything but empty, `false` or `0`).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// `None` (skip) when chromedriver is missing outside CI; panics in CI,
/// where a skipped browser test would hide a failure. (Without Chromium,
/// opening a session fails: the test fails, never skips.)
pub(crate) fn driver() -> Option<Driver> {
    if !std::path::Path::new(CHROMEDRIVER).exists() {
        let msg = format!(
            "{CHROMEDRIVER} is missing: install Debian's chromium and chromium-driver \
             (apt-get install -y chromium chromium-driver) to run the browser tests"
        );
        if in_ci() {
            panic!("{msg}");
        }
        eprintln!("skipped: {msg}");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot start chromedriver");
    let d = Driver { child, port };
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Some(d)
}

pub(crate) async fn browser(d: &Driver) -> Client {
    browser_with(d, &[]).await
}

/// [`browser`] with more Chromium switches (the booth camera's tests give
/// `--use-fake-device-for-media-stream --use-fake-ui-for-media-stream`).
pub(crate) async fn browser_with(d: &Driver, extra: &[&str]) -> Client {
    let mut caps = serde_json::Map::new();
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1366,768",
        "--lang=es",
        "--disable-gpu",
        "--hide-scrollbars",
    ];
    args.extend_from_slice(extra);
    let mut opts = json!({ "args": args });
    if std::path::Path::new("/usr/bin/chromium").exists() {
        opts["binary"] = json!("/usr/bin/chromium");
    }
    caps.insert("goog:chromeOptions".into(), opts);
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", d.port))
        .await
        .expect("cannot open a chromium session");
    c.set_window_size(1366, 768).await.unwrap();
    c
}

/// Writes the page to docs/screenshots/<name>.png when asked to.
pub(crate) async fn screenshot(c: &Client, name: &str) {
    if std::env::var("CENTINELA_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

pub(crate) async fn css(c: &Client, sel: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(sel))
        .await
        .unwrap_or_else(|e| panic!("no element {sel}: {e}"))
}

pub(crate) async fn sign_in(c: &Client, app: &WebApp, role: Role) {
    c.goto(&app.url("/entrar")).await.unwrap();
    css(c, "#username").await.send_keys(&username(role)).await.unwrap();
    css(c, "#password").await.send_keys(PASSWORD).await.unwrap();
    css(c, "#signin").await.click().await.unwrap();
    css(c, "[data-testid=who]").await;
}

pub(crate) async fn sign_out(c: &Client) {
    css(c, "#signout").await.click().await.unwrap();
    css(c, "#username").await;
}

pub(crate) async fn body_text(c: &Client) -> String {
    css(c, "body").await.text().await.unwrap()
}

/// The text of `sel` now, or "" when the page is between two loads (the
/// element is missing or went stale while it was read): for polling loops on
/// pages that reload themselves.
pub(crate) async fn text_now(c: &Client, sel: &str) -> String {
    match c.find(Locator::Css(sel)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test]
async fn officer_and_supervisor_work_a_hit_in_the_browser() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let (mrz, list) = listed_mrz(&app.country);
    let c = browser(&d).await;

    // Sign in as an officer: the booth, with the MRZ field focused.
    c.goto(&app.url("/entrar")).await.unwrap();
    screenshot(&c, "sign-in").await;
    sign_in(&c, &app, Role::Officer).await;
    assert!(c.current_url().await.unwrap().path().ends_with("/inspeccion"));
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("t0-mrz"));

    // The reader types the zone, line by line, ending with Enter.
    let started = Instant::now();
    focused.send_keys(&format!("{}{ENTER}{}{ENTER}", mrz[0], mrz[1])).await.unwrap();
    let hit = css(&c, "[data-testid=hit]").await;
    let waited = started.elapsed();
    // The list named in words (its source), not by its identifier.
    let text = hit.text().await.unwrap();
    assert_eq!(hit.attr("data-list").await.unwrap().as_deref(), Some(list.as_str()));
    let source = &app.country.lists.iter().find(|l| l.name == list).unwrap().source;
    assert!(text.contains(source.as_str()) && !text.contains(&list), "{text}");
    assert!(body_text(&c).await.contains("ALERTA"));
    assert!(waited < Duration::from_secs(5), "result after {waited:?}");
    screenshot(&c, "inspection-hit").await;

    // Refer to secondary inspection, the suggestion, focused: one key (the
    // reason is prefilled from the hit).
    let focused = c.active_element().await.unwrap();
    assert_eq!(focused.attr("value").await.unwrap().as_deref(), Some("secondary_inspection"));
    let keyed = Instant::now();
    focused.send_keys(ENTER).await.unwrap();
    let decision = css(&c, "[data-testid=decision]").await.text().await.unwrap();
    eprintln!(
        "booth, a traveller with a hit: result {waited:?} after the scan, decision {:?} after 1 key",
        keyed.elapsed()
    );
    assert!(decision.contains("Inspección secundaria"), "{decision}");
    sign_out(&c).await;

    // The supervisor of the post adjudicates it.
    sign_in(&c, &app, Role::Supervisor).await;
    c.goto(&app.url("/alertas")).await.unwrap();
    let row = css(&c, "tr.hit-row").await;
    let hit_id = row.attr("data-hit").await.unwrap().unwrap();
    let timeline = css(&c, "tr.hit-row a[href^='/cruces/']").await.attr("href").await.unwrap().unwrap();
    screenshot(&c, "hits-queue").await;
    css(&c, &format!("#reason-{hit_id}"))
        .await
        .send_keys("misma persona: fecha y nacionalidad coinciden")
        .await
        .unwrap();
    css(&c, &format!("tr[data-hit='{hit_id}'] button[value=confirmed]")).await.click().await.unwrap();
    css(&c, ".flash-info").await;
    assert!(c.find(Locator::Css(&format!("tr[data-hit='{hit_id}']"))).await.is_err(), "the hit is still open");
    let stored = app.store.hit(hit_id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.adjudication.unwrap().decision.as_str(), "confirmed");
    // A correction (as one made elsewhere and synchronised would be): both
    // stay, in order, and the page shows them with the one in force.
    let sup = app.store.users().await.unwrap().into_iter().find(|u| u.role == Role::Supervisor).unwrap();
    let sup_name = format!("user:{}", sup.id);
    let actor = centinela_store::Actor { user_id: sup.id, username: &sup_name, role: Role::Supervisor };
    app.store
        .adjudicate(actor, hit_id.parse().unwrap(), centinela_store::Verdict::Dismissed, "otra fecha de nacimiento")
        .await
        .unwrap();
    c.goto(&app.url("/alertas?todas=1")).await.unwrap();
    css(&c, &format!("tr[data-hit='{hit_id}'] details.adjudications summary")).await.click().await.unwrap();
    let shown = css(&c, &format!("tr[data-hit='{hit_id}'] details.adjudications")).await.text().await.unwrap();
    assert!(shown.contains("(2)") && shown.contains("misma persona") && shown.contains("otra fecha"), "{shown}");
    assert!(shown.contains("vigente"), "{shown}");

    // The traveller's timeline.
    c.goto(&app.url(&timeline)).await.unwrap();
    css(&c, "ol.timeline li.current").await;
    screenshot(&c, "timeline").await;

    // Switch language: the header's link, remembered by a cookie.
    css(&c, "#lang-switch").await.click().await.unwrap();
    css(&c, "html[lang=en]").await;
    assert!(body_text(&c).await.contains("Traveller and timeline"));
    c.goto(&app.url("/alertas?todas=1")).await.unwrap();
    css(&c, "html[lang=en]").await;
    // The correction stands; the history says so in English too.
    let text = body_text(&c).await;
    assert!(text.contains("Dismissed") && text.contains("Adjudications, in order (2)"), "{text}");

    // A page the role may not see: refused, and never offered.
    c.goto(&app.url("/auditoria")).await.unwrap();
    assert!(body_text(&c).await.contains("Your role may not open this page."));
    assert!(c.find(Locator::Css("nav a[href='/auditoria']")).await.is_err());
    css(&c, "#lang-switch").await.click().await.unwrap();
    css(&c, "html[lang=es]").await;
    sign_out(&c).await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn admin_sees_the_dashboard_and_imports_a_list() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Admin).await;

    c.goto(&app.url("/estadisticas")).await.unwrap();
    css(&c, "svg.chart").await;
    assert!(c.find_all(Locator::Css("svg.chart rect")).await.unwrap().len() > 10);
    screenshot(&c, "dashboard").await;

    // Import a list through the browser, with progress, then the index is
    // reloaded and the list shows its version.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nacional.csv");
    std::fs::write(
        &file,
        "id,given_names,surnames,birth_date,nationality,sex\nN-1,Rosa Elena,Quispe Mamani,1987-03-09,GTM,F\n",
    )
    .unwrap();
    c.goto(&app.url("/listas")).await.unwrap();
    css(&c, "#imp-file").await.send_keys(file.to_str().unwrap()).await.unwrap();
    css(&c, "#imp-name").await.send_keys("nacional-prueba").await.unwrap();
    css(&c, "#imp-kind").await.select_by_value("watch").await.unwrap();
    css(&c, "#import-start").await.click().await.unwrap();
    let start = Instant::now();
    loop {
        let status = text_now(&c, "#import-status").await;
        // Done, or already done and the page reloaded with the new list.
        if status.starts_with("Listo") || text_now(&c, "body").await.contains("nacional-prueba") {
            break;
        }
        assert!(!status.starts_with("Falló"), "{status}");
        assert!(start.elapsed() < Duration::from_secs(20), "import still running: {status}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The page reloads itself.
    let start = Instant::now();
    while !text_now(&c, "body").await.contains("nacional-prueba") {
        assert!(start.elapsed() < Duration::from_secs(10));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    screenshot(&c, "lists").await;
    let lists = app.store.lists().await.unwrap();
    assert!(lists.iter().any(|l| l.name == "nacional-prueba" && l.version == Some(1)));
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_referral_from_the_booth_becomes_a_case() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;

    // At the booth: a girl whose answers are scripted (T5) and who shows
    // fear (T9); the officer refers her to protection.
    sign_in(&c, &app, Role::Officer).await;
    // No document at hand: the typed fields.
    css(&c, "#travellers details summary").await.click().await.unwrap();
    css(&c, "#t0-surnames").await.send_keys("Cux Tzul").await.unwrap();
    css(&c, "#t0-given").await.send_keys("Yesenia").await.unwrap();
    css(&c, "#t0-birth").await.send_keys("2011-02-03").await.unwrap();
    css(&c, "#t0-nat").await.send_keys("GTM").await.unwrap();
    css(&c, "input[name='t0.obs'][value='T5']").await.click().await.unwrap();
    css(&c, "input[name='t0.obs'][value='T9']").await.click().await.unwrap();
    css(&c, "#inspect").await.click().await.unwrap();
    css(&c, "form.decide button[value=refer_to_protection]").await.click().await.unwrap();
    let decision = css(&c, "[data-testid=decision]").await.text().await.unwrap();
    assert!(decision.contains("protección"), "{decision}");
    sign_out(&c).await;

    // The protection officer's screen is the referral queue, with the
    // indicators that triggered it.
    sign_in(&c, &app, Role::Protection).await;
    assert!(c.current_url().await.unwrap().path().ends_with("/derivaciones"));
    let row = css(&c, "tr.referral-row").await;
    let id = row.attr("data-referral").await.unwrap().unwrap();
    let text = row.text().await.unwrap();
    assert!(text.contains("Cux Tzul") && text.contains("T5") && text.contains("T9"), "{text}");
    screenshot(&c, "referrals").await;
    css(&c, &format!("#reason-{id}")).await.send_keys("entrevista: oferta de empleo falsa").await.unwrap();
    css(&c, &format!("tr[data-referral='{id}'] button[value=accept]")).await.click().await.unwrap();

    // The case opened from the referral: the person as registered.
    css(&c, ".flash-info").await;
    let path = c.current_url().await.unwrap().path().to_string();
    let case_id: i64 = path.trim_start_matches("/casos/").parse().unwrap();
    assert_eq!(css(&c, "#f-person-prs_SecondName").await.prop("value").await.unwrap().as_deref(), Some("Cux Tzul"));
    // Edit it: methods of control, exploitation, the status, a comment.
    css(&c, "input[name='victim.vic_MethodsOfControl'][value='FalsePromises']").await.click().await.unwrap();
    css(&c, "input[name='victim.vic_MethodsOfControl'][value='WithholdsDocuments']").await.click().await.unwrap();
    css(&c, "input[name='victim.vic_TypeOfExploitation'][value='ForcedLabour']").await.click().await.unwrap();
    css(&c, "#f-case-cas_Status").await.select_by_value("FollowUp").await.unwrap();
    css(&c, "#f-events-0-hte_Type").await.select_by_value("Recruitment").await.unwrap();
    css(&c, "#f-events-0-hte_Country").await.send_keys("GTM").await.unwrap();
    css(&c, "#new-comment").await.send_keys("Derivada a albergue; entrevista con psicóloga.").await.unwrap();
    // The victim section's own button saves the whole form and comes back
    // to that section.
    css(&c, "#save-victim").await.click().await.unwrap();
    // The page opened with a flash of its own: wait for the saved version.
    css(&c, "#version-2").await;
    css(&c, ".flash-info").await;
    let url = c.current_url().await.unwrap();
    assert!(url.query().unwrap_or("").contains("guardado=2"), "{url}");
    assert_eq!(url.fragment(), Some("section-victim"));
    // The version names its writer and what changed, in Spanish; the
    // comment its author.
    let protection = username(Role::Protection);
    assert_eq!(css(&c, "#version-2 .version-user").await.text().await.unwrap(), protection);
    let changes = css(&c, "#version-2 details").await.text().await.unwrap();
    assert!(changes.contains("Seguimiento") && changes.contains("Retiene sus documentos"), "{changes}");
    let comment = css(&c, "ol.comments li").await.text().await.unwrap();
    assert!(comment.contains(&protection) && comment.contains("albergue"), "{comment}");
    let stored = app.store.case(case_id).await.unwrap().unwrap();
    assert_eq!((stored.version, stored.status.as_str()), (2, "FollowUp"));
    assert_eq!(stored.record.victim.methods_of_control, ["FalsePromises", "WithholdsDocuments"]);
    assert_eq!(stored.record.events[0].kind, "Recruitment");
    assert_eq!(stored.record.comments.len(), 1);
    c.goto(&app.url(&format!("/casos/{case_id}"))).await.unwrap();
    css(&c, "#case-status").await;
    screenshot(&c, "case").await;

    // A value outside a list is refused with the field named, nothing lost.
    css(&c, "#f-person-prs_Birthdate").await.clear().await.unwrap();
    css(&c, "#f-person-prs_Birthdate").await.send_keys("2011-02-30").await.unwrap();
    css(&c, "#save-case").await.click().await.unwrap();
    let err = css(&c, ".flash-error").await.text().await.unwrap();
    assert!(err.contains("prs_Birthdate"), "{err}");
    assert_eq!(app.store.case(case_id).await.unwrap().unwrap().version, 2);

    // In the case list.
    c.goto(&app.url("/casos")).await.unwrap();
    let row = css(&c, &format!("tr.case-row[data-case='{case_id}']")).await.text().await.unwrap();
    assert!(row.contains("Cux Tzul") && row.contains("Seguimiento"), "{row}");
    sign_out(&c).await;

    // Any other role: refused, and never offered.
    sign_in(&c, &app, Role::Analyst).await;
    c.goto(&app.url(&format!("/casos/{case_id}"))).await.unwrap();
    assert!(body_text(&c).await.contains("Su función no permite abrir esta página."));
    assert!(c.find(Locator::Css("nav a[href='/casos']")).await.is_err());
    c.goto(&app.url("/derivaciones")).await.unwrap();
    assert!(body_text(&c).await.contains("Su función no permite abrir esta página."));
    sign_out(&c).await;
    c.close().await.unwrap();
}

#[tokio::test]
async fn analyst_filters_the_statistics_downloads_them_and_opens_the_report() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Analyst).await;

    c.goto(&app.url("/estadisticas")).await.unwrap();
    css(&c, "svg.chart").await;
    assert!(c.find_all(Locator::Css("svg.chart")).await.unwrap().len() >= 4);
    let kpi = |c: &Client| {
        let c = c.clone();
        async move { css(&c, ".kpis .kpi").await.text().await.unwrap().replace('\u{202f}', "").parse::<u64>().unwrap() }
    };
    let last_30_days = kpi(&c).await;

    // The period filter: June 2025 (the country's year starts 2025-01-01).
    c.execute(
        "document.getElementById('desde').value = '2025-06-01'; document.getElementById('hasta').value = '2025-06-30';",
        vec![],
    )
    .await
    .unwrap();
    css(&c, ".filters button[type=submit]").await.click().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !c.current_url().await.unwrap().as_str().contains("desde=2025-06-01") {
        assert!(Instant::now() < deadline, "the filter was not submitted");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    css(&c, "svg.chart").await;
    assert_eq!(css(&c, "#desde").await.prop("value").await.unwrap().as_deref(), Some("2025-06-01"));
    let june = kpi(&c).await;
    assert!(june > 0 && june != last_30_days, "{june} crossings in June, {last_30_days} in the last 30 days");
    let rows = c.find_all(Locator::Css(".charts section:first-child table.data tbody tr")).await.unwrap().len();
    assert!(rows > 0 && rows <= 30, "{rows} days in June");

    // The CSV download holds the same period's figures.
    let href = css(&c, "#dl-csv").await.attr("href").await.unwrap().unwrap();
    assert!(href.starts_with("/api/stats/csv?from=2025-06-01&to=2025-06-30"), "{href}");
    let csv = c
        .execute("return fetch(arguments[0], {credentials: 'same-origin'}).then(r => r.text());", vec![json!(href)])
        .await
        .unwrap();
    let csv = csv.as_str().unwrap().to_string();
    // For a spreadsheet (the byte-order mark, which fetch's decoder takes
    // off), RFC 4180 line ends.
    assert!(href.ends_with("&excel=true"), "{href}");
    assert!(csv.starts_with("figure,key,value\r\n"), "{csv}");
    let total: u64 = csv
        .lines()
        .filter(|l| l.starts_with("crossings_by_post,"))
        .map(|l| l.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, june);

    // The regional report of the same period: the infographic and tables,
    // every figure at least 11.
    let report = css(&c, "#report-link").await.attr("href").await.unwrap().unwrap();
    c.goto(&app.url(&report)).await.unwrap();
    css(&c, "svg.report").await;
    let text = body_text(&c).await;
    assert!(text.contains("Informe regional") && text.contains("2025-06-01"), "{text}");
    for cell in c.find_all(Locator::Css("table.data td")).await.unwrap() {
        let t = cell.text().await.unwrap();
        assert!(t == "—" || t.parse::<u64>().unwrap() >= 11, "{t}");
    }
    screenshot(&c, "report").await;
    c.goto(&app.url("/informe?lang=en")).await.unwrap();
    css(&c, "svg.report").await;
    assert!(body_text(&c).await.contains("Regional border movement report"));
    c.close().await.unwrap();
}

#[tokio::test]
async fn analyst_sees_a_planted_ring_network_and_an_officer_is_refused() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    // The planted ring our detector recovers best, as the server will number
    // it (the same crossings in the same order give the same analysis).
    let rows = app.store.crossings_between(None, None, None).await.unwrap();
    let report = centinela_intel::Report::build(centinela_intel::Crossings::build(rows.iter().map(|r| &r.record)), &[]);
    let truth = &app.country.truth;
    let planted: std::collections::HashSet<&str> =
        truth.rings.iter().flat_map(|r| r.person_ids.iter().map(String::as_str)).collect();
    let (ring, hits) = report
        .analysis
        .rings
        .iter()
        .map(|r| {
            let hits = r
                .persons
                .iter()
                .filter(|&&p| {
                    report.crossing_ids(p).iter().any(|c| truth.person_of(c).is_some_and(|t| planted.contains(t)))
                })
                .count();
            (r, hits)
        })
        .max_by_key(|x| x.1)
        .expect("rings detected");
    assert!(hits >= 2, "the best ring holds {hits} planted members");
    let facilitator = ring.person_ids[0].clone();

    let c = browser(&d).await;
    sign_in(&c, &app, Role::Analyst).await;
    css(&c, "a[href='/redes']").await.click().await.unwrap();
    // A slow first analysis answers with a page that refreshes itself.
    c.wait().at_most(Duration::from_secs(60)).for_element(Locator::Css("#rings")).await.expect("Redes never showed");
    let text = body_text(&c).await;
    assert!(text.contains(&ring.ring_id) && text.contains("Posibles facilitadores"), "{text}");
    c.goto(&app.url(&format!("/redes/anillos/{}", ring.ring_id))).await.unwrap();
    let net = css(&c, "#network").await;
    let start = Instant::now();
    let nodes = loop {
        if let Ok(Some(n)) = net.attr("data-nodes").await {
            break n.parse::<usize>().unwrap();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the network was not drawn: {}",
            text_now(&c, "#network-status").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Members first: the ring's members alone, companions on demand.
    assert_eq!(nodes, ring.persons.len(), "the ring's view starts with its members");
    assert!(c.find(Locator::Css("#network canvas")).await.is_ok(), "cytoscape drew no canvas");
    c.execute("document.getElementById('network').scrollIntoView({block: 'end'})", vec![]).await.unwrap();
    screenshot(&c, "network").await;
    let total: usize = net.attr("data-total").await.unwrap().unwrap().parse().unwrap();
    if total > nodes {
        css(&c, "#network-companions").await.click().await.unwrap();
        let shown: usize = net.attr("data-nodes").await.unwrap().unwrap().parse().unwrap();
        assert_eq!(shown, total, "the companions appear on demand");
    }
    // A search marks the person it names.
    css(&c, "#network-search").await.send_keys(&facilitator).await.unwrap();
    let found = net.attr("data-matches").await.unwrap().unwrap_or_default();
    assert_eq!(found, "1", "searching {facilitator} in the network");
    assert!(text_now(&c, "#network-status").await.contains("Encontradas en la red: 1"));

    // A facilitator's page shows the evidence, the links and the timeline.
    c.goto(&app.url(&format!("/redes/personas/{facilitator}"))).await.unwrap();
    let evidence = css(&c, "#facilitator-evidence").await.text().await.unwrap();
    assert!(evidence.contains("N5"), "{evidence}");
    css(&c, "#links").await;
    css(&c, "#split-button").await;
    sign_out(&c).await;

    // An officer has no "Redes" and is refused the page.
    sign_in(&c, &app, Role::Officer).await;
    assert!(c.find(Locator::Css("a[href='/redes']")).await.is_err());
    c.goto(&app.url("/redes")).await.unwrap();
    let text = body_text(&c).await;
    assert!(text.contains("Su función no permite abrir esta página"), "{text}");
    c.close().await.unwrap();
}

#[tokio::test]
async fn analyst_writes_backtests_saves_and_enables_a_rule() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let c = browser(&d).await;
    sign_in(&c, &app, Role::Analyst).await;

    // The catalogue with its sources.
    css(&c, "nav a[href='/reglas']").await.click().await.unwrap();
    css(&c, "#catalogue").await;
    let catalogue = text_now(&c, "#catalogue").await;
    assert!(catalogue.contains("T1") && catalogue.contains("N5") && catalogue.contains("UNODC"), "{catalogue}");

    // A rule with an error: shown at its line and column before saving.
    let bad_line = "  when crossing.hour >= 22 and traveller.edad < 30";
    let text = |when: &str| {
        format!(
            "rule NOCHE \"Cruces de noche\" {{\n  category smuggling\n  action secondary_inspection\n  weight 0.5\n  \
             source \"prueba del navegador\"\n{when}\n}}"
        )
    };
    let area = css(&c, "#rule-text").await;
    area.send_keys(&text(bad_line)).await.unwrap();
    let column = bad_line.find("traveller.edad").unwrap() + 1;
    let want = format!("(6:{column})");
    let start = Instant::now();
    loop {
        let errors = text_now(&c, "#rule-errors").await;
        if errors.contains(&want) {
            assert!(errors.contains("Línea 6, columna"), "{errors}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "no error at {want}: {errors:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!css(&c, "#rule-save").await.is_enabled().await.unwrap(), "save must wait for a text without errors");

    // Fixed: no errors, the buttons come back.
    area.clear().await.unwrap();
    area.send_keys(&text("  when crossing.hour >= 22 and traveller.age < 30")).await.unwrap();
    let start = Instant::now();
    while text_now(&c, "#rule-ok").await.is_empty() {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", text_now(&c, "#rule-check").await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let start = Instant::now();
    while !css(&c, "#rule-backtest").await.is_enabled().await.unwrap() {
        assert!(start.elapsed() < Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Back-test over the country's history: the chart per week and the posts.
    css(&c, "#rule-backtest").await.click().await.unwrap();
    css(&c, "#backtest svg.chart").await;
    let flagged: u64 = text_now(&c, "#bt-flagged").await.trim().replace('\u{202f}', "").parse().unwrap();
    assert!(flagged > 0, "the rule flags night crossings of the synthetic country");
    assert!(!c.find_all(Locator::Css("#bt-posts tbody tr")).await.unwrap().is_empty());
    assert!(c.find_all(Locator::Css("#backtest svg.chart rect")).await.unwrap().len() > 3);
    screenshot(&c, "rules-editor").await;

    // Save (a new rule is stored disabled), then enable it.
    css(&c, "#rule-save").await.click().await.unwrap();
    let start = Instant::now();
    while !text_now(&c, "#editor .flash").await.contains("NOCHE v1") {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", text_now(&c, "body").await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text_now(&c, "#rule-NOCHE .state").await.contains("desactivada"));
    css(&c, "#toggle-NOCHE").await.click().await.unwrap();
    let start = Instant::now();
    while !text_now(&c, "#rule-NOCHE .state").await.contains("activa")
        || text_now(&c, "#rule-NOCHE .state").await.contains("desactivada")
    {
        assert!(start.elapsed() < Duration::from_secs(10), "{}", text_now(&c, "body").await);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stored = app.store.rule_versions("NOCHE").await.unwrap();
    let states: Vec<_> = stored.iter().map(|v| (v.version, v.enabled, v.actor.as_str())).collect();
    assert_eq!(states, [(1, false, "web.analyst"), (2, true, "web.analyst")]);

    // An officer is refused the page and not offered it.
    sign_out(&c).await;
    sign_in(&c, &app, Role::Officer).await;
    assert!(c.find(Locator::Css("nav a[href='/reglas']")).await.is_err());
    c.goto(&app.url("/reglas")).await.unwrap();
    let body = body_text(&c).await;
    assert!(body.contains("Su función no permite abrir esta página"), "{body}");
    assert!(!body.contains("T1"), "{body}");
    c.close().await.unwrap();
}
