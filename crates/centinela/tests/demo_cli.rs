//! `centinela demo --scale small --no-serve`: builds the country once,
//! prints the same credentials every time, and they log in.

use std::process::Command;

fn demo(db: &std::path::Path) -> (bool, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(db)
        .args(["demo", "--scale", "small", "--seed", "7", "--no-serve"])
        .env_remove("CENTINELA_DB")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn builds_once_and_prints_working_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let (ok, out, err) = demo(&db);
    assert!(ok, "{err}");
    assert!(err.contains("demo country built"), "{err}");
    let admin = out.lines().find(|l| l.trim_start().starts_with("admin ")).expect("the admin's line");
    let password = admin.split_whitespace().last().unwrap().to_string();
    assert!(password.starts_with("demo-"));
    for role in ["auditor", "analyst", "protection", "supervisor", "officer"] {
        assert!(out.lines().any(|l| l.split_whitespace().nth(1) == Some(role)), "no {role} in\n{out}");
    }
    let (ok, again, err) = demo(&db);
    assert!(ok && err.contains("already holds a country"), "{err}");
    assert_eq!(again, out, "the same credentials on a second run");

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        assert!(store.verify_password("admin", &password).await.unwrap().is_some());
        assert!(store.crossing_count().await.unwrap() > 1000);
        assert_eq!(store.lists().await.unwrap().len(), 4);
        assert!(store.audit_verify().await.unwrap().is_ok());
        // The day at the booths went through the inspection pipeline: the
        // listed travellers among them left hits for supervisors, each
        // traced to the list version it was screened against.
        let open = store.hits(true, None, 10_000).await.unwrap();
        assert!(!open.is_empty(), "no open hits after the demo's booth day\n{err}");
        assert!(open.iter().all(|h| h.list_version.is_some()));
        assert!(store.inspection_result(&open[0].crossing_id).await.unwrap().is_some());
    });
}
