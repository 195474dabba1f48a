//! `centinela pki import|list` and `centinela chip verify` end to end, over a
//! test PKI made here: on SQLite and (with `CENTINELA_TEST_PG`) PostgreSQL.

use crate::support::{fresh_db, run, text};
use centinela_chip::testpki::{self, Alg, CertSpec, DAY, Key, Passport};

const NOW: u64 = 1_780_000_000;

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

fn dbs(dir: &std::path::Path) -> Vec<String> {
    let mut v = vec![dir.join("chip.db").to_str().unwrap().to_string()];
    if std::env::var("CENTINELA_TEST_PG").is_ok_and(|u| !u.is_empty()) {
        v.push(fresh_db(dir, "chip"));
    }
    v
}

#[test]
fn import_anchors_then_verify_a_chip() {
    let dir = tempfile::tempdir().unwrap();
    // Issued around the real "now": `pki import` judges CRLs by the clock.
    let t = now();
    let p = Passport::issue(Alg::P256, t);
    let q = Passport::issue(Alg::BrainpoolP256, t);
    let w = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.to_str().unwrap().to_string()
    };
    let sod = w("EF.SOD", &p.sod);
    let dg1 = w("DG1", &p.dg1);
    let dg2 = w("DG2", &p.dg2);
    let mrz = w("page.mrz", p.mrz.as_bytes());
    let signer_key = Key::generate(Alg::P256, b"ml signer");
    let spec = CertSpec {
        subject: "CN=Master List Signer,O=Utopia,C=UT".into(),
        serial: 500,
        not_before: t - DAY,
        not_after: t + DAY,
    };
    let signer = testpki::certificate(&spec, &signer_key, &p.csca_name, &p.csca_key);
    let ml = w("icao.ml", &testpki::master_list(&[&q.csca, &p.csca], &signer, &signer_key));
    let csca = w("csca.der", &q.csca);
    let stale_crl = w("stale.crl", &testpki::crl(&p.csca_name, &p.csca_key, t - 10 * DAY, t - DAY, &[]));
    let junk = w("junk.bin", b"\x30\x03\x02\x01\x00");

    for db in dbs(dir.path()) {
        // Nothing trusted yet: the DS is not trusted (exit 1, named).
        let o = run(&db, &["chip", "verify", "--sod", &sod, "--dg1", &dg1]);
        assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["outcome"], "ds_not_trusted");
        assert_eq!(v["reason"], "unknown_csca");

        let o = run(&db, &["pki", "import", "--json", &ml]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(
            (r["version"].as_i64(), r["added"].as_u64(), r["kind"].as_str()),
            (Some(1), Some(2), Some("master_list"))
        );
        assert_eq!(r["signer_issued_by_listed_csca"], true);
        // The same CSCA again is counted, not stored twice.
        let o = run(&db, &["pki", "import", &csca]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stdout).contains("0 nuevos, 1 ya presentes"), "{}", text(&o.stdout));
        // A CRL past its next update is imported with a warning.
        let o = run(&db, &["pki", "import", &stale_crl]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        assert!(text(&o.stderr).contains("próxima actualización"), "{}", text(&o.stderr));
        // Not a trust file: exit 2, nothing stored.
        let o = run(&db, &["pki", "import", &junk]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));

        let o = run(&db, &["pki", "list", "--json"]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let lines: Vec<serde_json::Value> = text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert_eq!(lines[3]["version"], 3);
        assert_eq!(lines.iter().filter(|l| l["stale"] == true).count(), 1);
        assert!(text(&o.stderr).contains("CRL"));

        // Every import is audited as the command line.
        let a = run(&db, &["audit", "show", "--json"]);
        assert!(a.status.success(), "{}", text(&a.stderr));
        let imports =
            text(&a.stdout).lines().filter(|l| l.contains("\"pki_imported\"") && l.contains("\"cli\"")).count();
        assert_eq!(imports, 3);

        let o = run(&db, &["chip", "verify", "--sod", &sod, "--dg1", &dg1, "--dg2", &dg2, "--mrz", &mrz]);
        assert!(o.status.success(), "{}{}", text(&o.stdout), text(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["outcome"], "verified");
        assert_eq!(v["page"]["status"], "match");
        assert_eq!(v["data_groups"].as_array().unwrap().len(), 2);
    }

    // A changed DG2 byte with trust from a directory, no database.
    let trust = dir.path().join("trust");
    std::fs::create_dir(&trust).unwrap();
    std::fs::write(trust.join("csca.der"), &p.csca).unwrap();
    let mut bad = p.dg2.clone();
    let n = bad.len() - 4;
    bad[n] ^= 1;
    let bad = w("DG2.bad", &bad);
    let o = run(
        dir.path().join("unused.db"),
        &["chip", "verify", "--sod", &sod, "--dg1", &dg1, "--dg2", &bad, "--trust", trust.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outcome"], "chip_data_altered");
    assert_eq!(v["group"], 2);
    assert!(!dir.path().join("unused.db").exists());
    // As of a fixed time, a passport issued then verifies too.
    let old = Passport::issue(Alg::RsaPss, NOW);
    let sod2 = w("EF.SOD.2", &old.sod);
    let dg12 = w("DG1.2", &old.dg1);
    std::fs::write(trust.join("csca2.der"), &old.csca).unwrap();
    let o = run(
        dir.path().join("unused.db"),
        &[
            "chip",
            "verify",
            "--sod",
            &sod2,
            "--dg1",
            &dg12,
            "--trust",
            trust.to_str().unwrap(),
            "--at",
            "2026-05-28T12:00:00Z",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stdout));
    // A truncated SOD: malformed, named.
    let cut = w("EF.SOD.cut", &p.sod[..100]);
    let o = run(
        dir.path().join("unused.db"),
        &["chip", "verify", "--sod", &cut, "--dg1", &dg1, "--trust", trust.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["outcome"], "malformed");
    assert_eq!(v["file"], "EF.SOD");
}
