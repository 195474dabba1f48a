//! The ePassport chip at the booth: `POST /api/inspections` with the chip's
//! files (base64) beside the MRZ; a verified chip, an altered one, and a
//! chip whose DG1 differs from the page.

use base64::Engine;
use centinela_app::Caller;
use centinela_chip::testpki::{Alg, Passport};
use serde_json::json;

use crate::helpers::spawn_apps;
use crate::inspections::{country, inspect};

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

#[tokio::test]
async fn the_chip_is_verified_at_the_booth() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let p = Passport::issue(Alg::P256, now);
    for app in spawn_apps().await {
        let (_, officer, _) = country(&app).await;
        app.state.app().import_trust_file(Caller::Cli, "csca.der", &p.csca, now).await.unwrap();
        let chip = json!({"sod": b64(&p.sod), "dg1": b64(&p.dg1), "dg2": b64(&p.dg2)});
        let body = |mrz: &str, chip: serde_json::Value| json!({"post": "GTM-TECUNUMAN", "direction": "entry", "travellers": [{"mrz": mrz, "chip": chip}]});
        let (status, a) = inspect(&app, &officer, body(&p.mrz, chip.clone())).await;
        assert_eq!(status, 201, "{a}");
        let t = &a["travellers"][0];
        assert_eq!(t["chip"]["outcome"], "verified", "{t}");
        assert_eq!(t["chip"]["failed"], false);
        assert_eq!(t["chip"]["verdict"]["page"]["status"], "match");
        assert!(!t["flags"].as_array().unwrap().iter().any(|f| f["code"] == "chip_failed"));
        // Stored with the crossing, as the officer saw it.
        let id = t["crossing_id"].as_str().unwrap();
        let (_, c) =
            crate::helpers::json(app.get(&format!("/api/crossings/{id}")).bearer_auth(&officer).send().await.unwrap())
                .await;
        assert_eq!(c["inspection"]["chip"]["outcome"], "verified", "{c}");

        // One changed byte of DG2: altered, flagged, secondary inspection.
        let mut dg2 = p.dg2.clone();
        let n = dg2.len() - 5;
        dg2[n] ^= 0x40;
        let altered = json!({"sod": b64(&p.sod), "dg1": b64(&p.dg1), "dg2": b64(&dg2)});
        let (status, a) = inspect(&app, &officer, body(&p.mrz, altered)).await;
        assert_eq!(status, 201, "{a}");
        let t = &a["travellers"][0];
        assert_eq!(t["chip"]["outcome"], "chip_data_altered");
        assert_eq!(t["chip"]["verdict"]["group"], 2);
        // The built-in indicator D1 says it (once: no second, built-in flag).
        let flags = t["flags"].as_array().unwrap();
        assert!(flags.iter().any(|f| f["code"] == "D1" && f["kind"] == "document_fraud"), "{t}");
        assert!(!flags.iter().any(|f| f["code"] == "chip_failed"), "{t}");
        assert_eq!(t["suggested"], "secondary_inspection");
        assert_eq!(a["suggested"], "secondary_inspection");

        // The page's MRZ is not the chip's: a substituted data page.
        let page = p.mrz.replace("ANNA", "ANNE");
        let (_, a) = inspect(&app, &officer, body(&page, chip.clone())).await;
        let t = &a["travellers"][0];
        assert_eq!(t["chip"]["outcome"], "chip_page_mismatch", "{t}");
        let d1 = t["flags"].as_array().unwrap().iter().find(|f| f["code"] == "D1").expect("D1");
        assert!(d1["reason"].as_str().unwrap().contains("chip_page_mismatch"), "{d1}");
        // The chip's data, for the officer to set beside the page's.
        assert_eq!(t["chip"]["data"]["given_names"], "ANNA MARIA", "{t}");
        assert_eq!(t["given_names"], "ANNE MARIA", "{t}");

        // Not base64: 422 naming the field.
        let bad = json!({"sod": "***", "dg1": b64(&p.dg1)});
        let (status, e) = inspect(&app, &officer, body(&p.mrz, bad)).await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("travellers[0].chip.sod"), "{e}");
    }
}

/// A JPEG-looking capture, as the booth's canvas sends it (a data URL).
fn capture(seed: u8) -> String {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0];
    j.extend((0..500u32).map(|i| (i as u8).wrapping_mul(7).wrapping_add(seed)));
    j.extend([0xFF, 0xD9]);
    format!("data:image/jpeg;base64,{}", b64(&j))
}

#[tokio::test]
async fn the_chip_photo_and_the_capture_are_kept_with_the_crossing_and_read_by_its_readers() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let p = Passport::issue(Alg::P256, now);
    for app in spawn_apps().await {
        let (_, officer, _) = country(&app).await;
        let elsewhere = app.user("oficial2", centinela_domain::Role::Officer, Some("GTM-ELCARMEN")).await;
        let elsewhere = app.token(&elsewhere).await;
        let auditor = app.user("auditora", centinela_domain::Role::Auditor, None).await;
        let auditor = app.token(&auditor).await;
        let analyst = app.user("analista", centinela_domain::Role::Analyst, None).await;
        let analyst = app.token(&analyst).await;
        app.state.app().import_trust_file(Caller::Cli, "csca.der", &p.csca, now).await.unwrap();
        let chip = json!({"sod": b64(&p.sod), "dg1": b64(&p.dg1), "dg2": b64(&p.dg2)});
        let body = json!({"post": "GTM-TECUNUMAN", "direction": "entry",
                          "travellers": [{"mrz": p.mrz, "chip": chip, "capture": capture(1)}]});
        let (status, a) = inspect(&app, &officer, body).await;
        assert_eq!(status, 201, "{a}");
        let t = &a["travellers"][0];
        assert_eq!(t["chip"]["outcome"], "verified");
        assert_eq!(t["faces"]["chip"]["mime"], "image/jpeg", "{t}");
        assert_eq!(t["faces"]["capture"]["mime"], "image/jpeg", "{t}");
        assert!(t["faces"].get("score").is_none(), "no matcher by default");
        let id = t["crossing_id"].as_str().unwrap();

        let url = |kind: &str| format!("/api/crossings/{id}/images/{kind}");
        let r = app.get(&url("chip")).bearer_auth(&officer).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "image/jpeg");
        assert_eq!(r.headers()["cache-control"], "no-store");
        let face = centinela_chip::Dg2::parse(&p.dg2).unwrap().faces.remove(0).image;
        assert_eq!(r.bytes().await.unwrap().as_ref(), &face[..], "the chip's photo as DG2 holds it");
        let r = app.get(&url("capture")).bearer_auth(&analyst).send().await.unwrap();
        assert_eq!(r.status(), 200);
        // Another post's officer, a role that does not read crossings, a kind that is not one.
        assert_eq!(app.get(&url("chip")).bearer_auth(&elsewhere).send().await.unwrap().status(), 403);
        assert_eq!(app.get(&url("chip")).bearer_auth(&auditor).send().await.unwrap().status(), 403);
        assert_eq!(app.get(&url("selfie")).bearer_auth(&officer).send().await.unwrap().status(), 422);
        let audit = app.audit().await;
        assert_eq!(audit.iter().filter(|e| e.1 == "crossing_image_stored").count(), 2);
        assert_eq!(audit.iter().filter(|e| e.1 == "crossing_image_viewed").count(), 2);

        // Not a JPEG, not base64: 422 naming the field; nothing stored.
        let bad = json!({"post": "GTM-TECUNUMAN", "direction": "entry",
                         "travellers": [{"mrz": p.mrz, "capture": b64(b"GIF89a....")}]});
        let (status, e) = inspect(&app, &officer, bad).await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("travellers[0].capture"), "{e}");

        // Another face at the booth alone links nothing (every capture
        // differs byte for byte) ...
        let body = json!({"post": "GTM-TECUNUMAN", "direction": "exit",
                          "travellers": [{"mrz": p.mrz, "capture": capture(2)}]});
        let (status, _) = inspect(&app, &officer, body).await;
        assert_eq!(status, 201);
        let (_, docs) =
            crate::helpers::json(app.get("/api/intel/faces").bearer_auth(&analyst).send().await.unwrap()).await;
        assert!(docs.as_array().unwrap().is_empty(), "{docs}");
        // ... a chip with another photo for the same number does (its
        // photo is kept although the chip fails).
        let mut dg2 = p.dg2.clone();
        let n = dg2.len() - 5;
        dg2[n] ^= 0x40;
        let forged = json!({"sod": b64(&p.sod), "dg1": b64(&p.dg1), "dg2": b64(&dg2)});
        let body = json!({"post": "GTM-TECUNUMAN", "direction": "entry",
                          "travellers": [{"mrz": p.mrz, "chip": forged, "capture": capture(3)}]});
        let (status, a) = inspect(&app, &officer, body).await;
        assert_eq!(status, 201);
        assert_eq!(a["travellers"][0]["chip"]["outcome"], "chip_data_altered");
        let (status, docs) =
            crate::helpers::json(app.get("/api/intel/faces").bearer_auth(&analyst).send().await.unwrap()).await;
        assert_eq!(status, 200, "{docs}");
        assert_eq!(docs.as_array().unwrap().len(), 1, "{docs}");
        assert_eq!((docs[0]["faces"].as_i64(), docs[0]["chip_faces"].as_i64()), (Some(5), Some(2)), "{docs}");
        assert_eq!(app.get("/api/intel/faces").bearer_auth(&officer).send().await.unwrap().status(), 403);
        assert!(app.audit().await.iter().any(|e| e.1 == "document_faces_viewed"));
    }
}

#[tokio::test]
async fn trust_anchors_are_imported_listed_warned_about_and_reach_the_posts() {
    use centinela_chip::testpki::{self, DAY};
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let p = Passport::issue(Alg::P256, now);
    let stale = testpki::crl(&p.csca_name, &p.csca_key, now - 10 * DAY, now - DAY, &[]);
    for app in spawn_apps().await {
        let (admin, officer, _) = country(&app).await;
        let post_key = app.store.rotate_post_key("system", "GTM-TECUNUMAN").await.unwrap();
        let import = |token: &str, name: &str, body: Vec<u8>| {
            app.client
                .post(app.url(&format!("/api/pki?file_name={name}")))
                .bearer_auth(token.to_string())
                .header("content-type", "application/octet-stream")
                .body(body)
                .send()
        };
        let (status, r) = crate::helpers::json(import(&admin, "csca.der", p.csca.clone()).await.unwrap()).await;
        assert_eq!(status, 201, "{r}");
        assert_eq!((r["version"].as_i64(), r["kind"].as_str(), r["added"].as_u64()), (Some(1), Some("csca"), Some(1)));
        assert_eq!(import(&officer, "csca.der", p.csca.clone()).await.unwrap().status(), 403);
        let (status, e) = crate::helpers::json(import(&admin, "junk.bin", b"junk".to_vec()).await.unwrap()).await;
        assert_eq!((status, e["code"].as_str()), (422, Some("invalid_field")), "{e}");
        // A Master List may be larger than the API's usual 1 MiB: read, then refused as no trust file.
        let (status, e) = crate::helpers::json(import(&admin, "big.ml", vec![0x30; 3 << 20]).await.unwrap()).await;
        assert_eq!((status, e["code"].as_str()), (422, Some("invalid_field")), "{e}");

        // Healthy, and no warning yet.
        let (_, h) = crate::helpers::json(app.get("/api/health").send().await.unwrap()).await;
        assert!(h.get("warnings").is_none(), "{h}");
        let (status, r) = crate::helpers::json(import(&admin, "old.crl", stale.clone()).await.unwrap()).await;
        assert_eq!(status, 201, "{r}");
        assert_eq!(r["warnings"][0]["code"], "crl_stale");
        let (status, h) = crate::helpers::json(app.get("/api/health").send().await.unwrap()).await;
        assert_eq!((status, h["status"].as_str()), (200, Some("ok")));
        assert_eq!(h["warnings"][0]["code"], "crl_stale", "{h}");
        assert!(h["warnings"][0]["es"].as_str().unwrap().contains("próxima actualización"));

        let (status, l) = crate::helpers::json(app.get("/api/pki").bearer_auth(&admin).send().await.unwrap()).await;
        assert_eq!(status, 200, "{l}");
        assert_eq!(l["version"], 2);
        assert_eq!(l["anchors"].as_array().unwrap().len(), 2);
        assert_eq!(l["warnings"].as_array().unwrap().len(), 1);
        assert_eq!(app.get("/api/pki").bearer_auth(&officer).send().await.unwrap().status(), 403);

        // A post pulls them with its key (audited), and installs them.
        let pull = json!({"protocol": 1, "lists": {}, "pki_after": 0});
        let r = app.client.post(app.url("/api/sync/pull")).bearer_auth(&post_key).json(&pull).send().await.unwrap();
        let (status, answer) = crate::helpers::json(r).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["pki"]["to"], 2, "{answer}");
        assert!(app.audit().await.iter().any(|e| e.1 == "sync_pki_pulled" && e.0 == "post:GTM-TECUNUMAN"));
        let answer: centinela_store::PullAnswer = serde_json::from_value(answer).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let post = centinela_store::Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
        let done = post.apply_pki_delta(&answer.pki).await.unwrap();
        assert_eq!((done.versions, done.added, done.skipped), (2, 2, 0));
        let at_post = centinela_app::App::new(post);
        let listing = at_post.pki_list(now).await.unwrap();
        assert_eq!(listing.anchors.len(), 2);
        assert_eq!(listing.warnings[0].code, "crl_stale", "the post warns too");
        // The post verifies the passport with what it was sent.
        let v = at_post.verify_chip(&p.files(), Some(&p.mrz), now).await.unwrap();
        assert_eq!(v.outcome.code(), "verified");
        // Asked again after its mark: nothing new, no anchors audited.
        let pulled =
            |a: Vec<(String, String, String, serde_json::Value)>| a.iter().filter(|e| e.1 == "sync_pki_pulled").count();
        let before = pulled(app.audit().await);
        let pull = json!({"protocol": 1, "lists": {}, "pki_after": 2});
        let r = app.client.post(app.url("/api/sync/pull")).bearer_auth(&post_key).json(&pull).send().await.unwrap();
        let (_, answer) = crate::helpers::json(r).await;
        assert!(answer["pki"]["versions"].as_array().unwrap().is_empty());
        assert_eq!(pulled(app.audit().await), before);
    }
}
