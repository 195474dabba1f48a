//! `centinela cases export` and `centinela purge` on the demo country: the
//! demo holds referrals and cases for planted victims (the same for a
//! seed), the export writes the HTCDS tables, and the purge never removes
//! what an open case holds.

use std::process::{Command, Output};

fn centinela(db: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CENTINELA_DB")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_demo_has_cases_they_export_and_the_purge_spares_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    ok(&centinela(&db, &["demo", "--scale", "small", "--seed", "7", "--no-serve"]));

    // The export: JSON and one CSV per HTCDS table.
    let out = dir.path().join("htcds");
    ok(&centinela(&db, &["cases", "export", "--out", out.to_str().unwrap()]));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cases.json")).unwrap()).unwrap();
    let cases = json.as_array().unwrap();
    assert!(cases.len() >= 5, "{} cases", cases.len());
    assert!(cases.iter().any(|c| c["record"]["victim"]["vic_TraffickingStatus"] == "ActualVictimOfTrafficking"));
    assert!(cases.iter().any(|c| c["record"]["case"]["cas_Status"] == "Closed"));
    let csv = std::fs::read_to_string(out.join("cases.csv")).unwrap();
    let mut r = csv::ReaderBuilder::new().from_reader(csv.as_bytes());
    let header = r.headers().unwrap().clone();
    assert_eq!(&header[5], "prs_FirstName");
    assert!(header.iter().any(|h| h == "vic_MethodsOfControl"));
    assert_eq!(r.records().count(), cases.len());
    for t in ["organisations", "perpetrators", "events", "support_plans", "comments"] {
        assert!(out.join(format!("{t}.csv")).exists(), "{t}");
    }
    // Every case referred from a post names its referring organisation,
    // one of the record's; no DEPRECATED field goes out.
    for c in cases {
        let r = &c["record"];
        let referring = r["case"]["cas_ReferringOrganisation"].as_str().unwrap_or("");
        if !referring.is_empty() {
            let orgs = r["organisations"].as_array().unwrap();
            assert!(orgs.iter().any(|o| o["id"] == referring), "{r}");
        }
        for d in centinela_domain::htcds::DEPRECATED {
            assert!(r["victim"].get(d).is_none(), "{d}");
        }
    }
    // Alpha-2 country codes on request (--alpha2), alpha-3 by default.
    let citizenship = header.iter().position(|h| h == "prs_Citizenship").unwrap();
    let codes: Vec<String> = csv::ReaderBuilder::new()
        .from_reader(csv.as_bytes())
        .records()
        .map(|r| r.unwrap()[citizenship].to_string())
        .filter(|c| !c.is_empty())
        .collect();
    assert!(!codes.is_empty() && codes.iter().all(|c| c.split(';').all(|c| c.len() == 3)), "{codes:?}");
    let a2 = dir.path().join("alpha2");
    ok(&centinela(&db, &["cases", "export", "--alpha2", "--out", a2.to_str().unwrap()]));
    let a2csv = std::fs::read_to_string(a2.join("cases.csv")).unwrap();
    let a2codes: Vec<String> = csv::ReaderBuilder::new()
        .from_reader(a2csv.as_bytes())
        .records()
        .map(|r| r.unwrap()[citizenship].to_string())
        .filter(|c| !c.is_empty())
        .collect();
    assert_eq!(a2codes.len(), codes.len());
    assert!(a2codes.iter().all(|c| c.split(';').all(|c| c.len() == 2)), "{a2codes:?}");
    // CRLF line ends (RFC 4180); with --excel, a byte-order mark first.
    assert!(csv.ends_with("\r\n") && !csv.replace("\r\n", "").contains('\n'), "{csv:?}");
    let excel = dir.path().join("excel");
    ok(&centinela(&db, &["cases", "export", "--excel", "--out", excel.to_str().unwrap()]));
    assert_eq!(std::fs::read_to_string(excel.join("cases.csv")).unwrap(), format!("\u{feff}{csv}"));
    // The same country, the same cases.
    let db2 = dir.path().join("again.db");
    ok(&centinela(&db2, &["demo", "--scale", "small", "--seed", "7", "--no-serve"]));
    let out2 = dir.path().join("htcds2");
    ok(&centinela(&db2, &["cases", "export", "--out", out2.to_str().unwrap()]));
    let strip = |v: &serde_json::Value| v.as_array().unwrap().iter().map(|c| c["record"].clone()).collect::<Vec<_>>();
    let json2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("cases.json")).unwrap()).unwrap();
    assert_eq!(strip(&json), strip(&json2));

    // A dry run removes nothing; a purge with no retention at all removes
    // every crossing except those the open cases hold.
    let dry: serde_json::Value =
        serde_json::from_str(&ok(&centinela(&db, &["purge", "--dry-run", "--keep-crossings-days", "0"]))).unwrap();
    assert!(dry["crossings"].as_u64().unwrap() > 1000);
    assert!(dry["kept_for_cases"].as_u64().unwrap() > 0);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let before = rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        store.crossing_count().await.unwrap()
    });
    let done: serde_json::Value = serde_json::from_str(&ok(&centinela(
        &db,
        &["purge", "--keep-crossings-days", "0", "--keep-inspections-days", "0", "--keep-hits-days", "0"],
    )))
    .unwrap();
    assert_eq!(done["crossings"], dry["crossings"]);
    rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        let left = store.crossing_count().await.unwrap();
        assert_eq!(left as u64, before as u64 - done["crossings"].as_u64().unwrap());
        for c in store.cases(None, 1000).await.unwrap() {
            for x in store.case(c.id).await.unwrap().unwrap().crossings {
                assert!(store.crossing(&x).await.unwrap().is_some(), "case {} lost crossing {x}", c.id);
            }
        }
        let actions: Vec<String> = store.audit_entries(None).await.unwrap().into_iter().map(|e| e.action).collect();
        assert!(actions.contains(&"purge".to_string()) && actions.contains(&"purge_dry_run".to_string()));
        assert!(actions.contains(&"cases_exported".to_string()));
        assert!(store.audit_verify().await.unwrap().is_ok());
    });
}
