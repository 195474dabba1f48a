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
        assert!(t["flags"].as_array().unwrap().iter().any(|f| f["code"] == "chip_failed"));
        assert_eq!(t["suggested"], "secondary_inspection");
        assert_eq!(a["suggested"], "secondary_inspection");

        // The page's MRZ is not the chip's: a substituted data page.
        let page = p.mrz.replace("ANNA", "ANNE");
        let (_, a) = inspect(&app, &officer, body(&page, chip.clone())).await;
        let t = &a["travellers"][0];
        assert_eq!(t["chip"]["outcome"], "chip_page_mismatch", "{t}");
        assert!(t["flags"].as_array().unwrap().iter().any(|f| f["code"] == "chip_page_mismatch"));

        // Not base64: 422 naming the field.
        let bad = json!({"sod": "***", "dg1": b64(&p.dg1)});
        let (status, e) = inspect(&app, &officer, body(&p.mrz, bad)).await;
        assert_eq!(status, 422, "{e}");
        assert!(e.to_string().contains("travellers[0].chip.sod"), "{e}");
    }
}
