//! The ePassport chip at the booth, in Chromium: an officer gives a
//! test-PKI passport's chip files (EF.SOD, DG1, DG2) beside the MRZ, takes
//! a live photo with the booth camera (Chromium's fake camera, its
//! permission prompt answered by `--use-fake-ui-for-media-stream` as the
//! officer's click would), and sees the chip's verdict, its data beside
//! the page's and the two photos side by side — both images loaded from
//! the crossing's record, whose reads are audited.

use std::time::{Duration, Instant};

use base64::Engine;
use centinela_app::{App, Caller};
use centinela_chip::ImageFormat;
use centinela_chip::testpki::{self, Alg, Passport};
use centinela_domain::Role;
use fantoccini::Client;
use serde_json::json;

use crate::browser::{browser_with, css, driver, screenshot, sign_in};
use crate::helpers::spawn_country;

/// A real JPEG made by the browser's own encoder (a face-like drawing), so
/// that the chip's photo is one Chromium can show.
async fn browser_jpeg(c: &Client) -> Vec<u8> {
    let url = c
        .execute(
            "const k = document.createElement('canvas'); k.width = 120; k.height = 160; \
             const g = k.getContext('2d'); g.fillStyle = '#d9c2a6'; g.fillRect(0, 0, 120, 160); \
             g.fillStyle = '#6b4f3a'; g.beginPath(); g.arc(60, 70, 40, 0, 7); g.fill(); \
             return k.toDataURL('image/jpeg', 0.9);",
            vec![],
        )
        .await
        .unwrap();
    let url = url.as_str().unwrap();
    base64::engine::general_purpose::STANDARD.decode(&url[url.find(',').unwrap() + 1..]).unwrap()
}

/// Waits until `script` (returning a boolean) is true.
async fn until(c: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if c.execute(script, vec![]).await.unwrap().as_bool() == Some(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn the_booth_verifies_the_chip_and_shows_its_photo_beside_a_live_capture() {
    let Some(d) = driver() else { return };
    let app = spawn_country().await;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let p = Passport::issue(Alg::P256, now);
    App::new(app.store.clone()).import_trust_file(Caller::Cli, "csca.der", &p.csca, now).await.unwrap();

    let c = browser_with(&d, &["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]).await;
    sign_in(&c, &app, Role::Officer).await;
    c.goto(&app.url("/inspeccion")).await.unwrap();
    css(&c, "#inspection-form").await;

    // The passport's chip, its photo a JPEG the browser can show, signed by the test DS.
    let jpeg = browser_jpeg(&c).await;
    let dg2 = centinela_chip::lds::encode_dg2(ImageFormat::Jpeg, 120, 160, &jpeg);
    let lso = testpki::lds_security_object(p.ds_key.hash(), &[(1, &p.dg1), (2, &dg2)]);
    let sod = testpki::sod(&lso, &p.ds, &p.ds_key, Some(p.signing_time));
    let dir = tempfile::tempdir().unwrap();
    let files = [("sod", &sod), ("dg1", &p.dg1), ("dg2", &dg2)];
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }

    c.execute("document.getElementById('t0-mrz').value = arguments[0];", vec![json!(p.mrz)]).await.unwrap();
    css(&c, "details.chip-files summary").await.click().await.unwrap();
    for (name, _) in files {
        let path = dir.path().join(name);
        css(&c, &format!("#t0-chipfile-{name}")).await.send_keys(path.to_str().unwrap()).await.unwrap();
    }
    until(
        &c,
        "return ['sod','dg1','dg2'].every(f => document.getElementById('t0-chip-' + f).value.length > 0);",
        "the chip files read into the form",
    )
    .await;

    // The camera: off until the officer confirms the traveller was told.
    css(&c, "details.capture summary").await.click().await.unwrap();
    assert_eq!(css(&c, "#t0-capture-start").await.attr("disabled").await.unwrap().as_deref(), Some("true"));
    css(&c, "#t0-capture-consent").await.click().await.unwrap();
    css(&c, "#t0-capture-start").await.click().await.unwrap();
    until(
        &c,
        "const v = document.getElementById('t0-capture-video'); return !v.hidden && v.videoWidth > 0;",
        "the camera",
    )
    .await;
    // The fake camera's first frames may be blank: let it run a moment.
    tokio::time::sleep(Duration::from_millis(800)).await;
    css(&c, "#t0-capture-take").await.click().await.unwrap();
    until(
        &c,
        "return document.getElementById('t0-capture').value.startsWith('data:image/jpeg;base64,');",
        "the capture",
    )
    .await;
    // Taken: the camera is off again.
    let live =
        c.execute("return document.getElementById('t0-capture-video').srcObject !== null;", vec![]).await.unwrap();
    assert_eq!(live, json!(false), "the camera stops after the photo");

    css(&c, "#inspect").await.click().await.unwrap();
    let chip = css(&c, "[data-testid=chip]").await;
    assert_eq!(chip.attr("data-outcome").await.unwrap().as_deref(), Some("verified"));
    let table = css(&c, "[data-testid=chip-vs-page]").await.text().await.unwrap();
    assert!(table.contains("ERIKSSON") && table.contains("12/08/1974"), "{table}");
    assert!(c.find_all(fantoccini::Locator::Css("[data-testid=chip-differs]")).await.unwrap().is_empty());

    // Both photos side by side, both loaded from the crossing's record.
    css(&c, "[data-testid=faces]").await;
    until(
        &c,
        "const i = [...document.querySelectorAll('[data-testid=faces] img.face')]; \
         return i.length === 2 && i.every(x => x.complete && x.naturalWidth > 0);",
        "the chip's photo and the capture to show",
    )
    .await;
    let sizes = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=faces] img.face')].map(x => [x.naturalWidth, x.naturalHeight]);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sizes[0], json!([120, 160]), "the chip's photo as DG2 holds it: {sizes}");
    assert_eq!(sizes[1], json!([640, 480]), "the fake camera's frame: {sizes}");
    c.execute("document.querySelector('[data-testid=chip]').scrollIntoView({block: 'start'})", vec![]).await.unwrap();
    screenshot(&c, "booth-chip-faces").await;

    // Stored with the crossing (the capture as the browser encoded it), each read audited.
    let id = css(&c, "article.traveller-result").await.attr("data-crossing").await.unwrap().unwrap();
    let chip_photo = app.store.crossing_image(&id, "chip").await.unwrap().unwrap();
    assert_eq!(chip_photo.bytes, jpeg);
    let capture = app.store.crossing_image(&id, "capture").await.unwrap().unwrap();
    assert_eq!(&capture.bytes[..3], &[0xFF, 0xD8, 0xFF]);
    let audit = app.store.audit_entries(None).await.unwrap();
    let subject = format!("crossing:{id}");
    assert_eq!(audit.iter().filter(|e| e.action == "crossing_image_stored" && e.subject == subject).count(), 2);
    assert!(audit.iter().filter(|e| e.action == "crossing_image_viewed" && e.subject == subject).count() >= 2);
    c.close().await.unwrap();
}
