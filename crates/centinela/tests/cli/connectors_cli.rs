//! `centinela connectors add|list|run|disable|enable` on SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL: a national list dropped in a directory
//! is pulled as a list version, then found unchanged; a broken file fails
//! (exit 1) and the version in force stays; a bad configuration exits 2.

use crate::support::{fresh_db, run, text};

#[test]
fn a_directory_connector_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path(), "connectors");
    let drop = dir.path().join("ministerio");
    std::fs::create_dir(&drop).unwrap();
    std::fs::write(
        drop.join("2026-12-01.csv"),
        "id,given_names,surnames,birth_date,nationality,sex\nN1,Ana,Pérez,1980-05-12,GTM,F\nN2,Luis,Soto,1975,SLV,M\n",
    )
    .unwrap();
    let d = drop.to_str().unwrap();
    let out =
        run(&db, &["connectors", "add", "nacional", "--kind", "national-dir", "--url", d, "--list", "vigilancia"]);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let bad = run(
        &db,
        &[
            "connectors",
            "add",
            "x",
            "--kind",
            "un-sc",
            "--url",
            "https://example.org/",
            "--list",
            "l",
            "--credential",
            "the-secret-itself",
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("credential"), "{}", text(&bad.stderr));

    let out = run(&db, &["connectors", "run", "nacional", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (r["outcome"].as_str(), r["diff"]["added"].as_u64(), r["version"].as_i64()),
        (Some("imported"), Some(2), Some(1))
    );

    let out = run(&db, &["connectors", "run", "nacional"]);
    assert!(text(&out.stdout).contains("not_modified"), "{}", text(&out.stdout));

    std::fs::write(drop.join("2026-12-02.csv"), "id,given_names\nN1\n").unwrap();
    let f = std::fs::File::options().write(true).open(drop.join("2026-12-02.csv")).unwrap();
    f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5)).unwrap();
    let out = run(&db, &["connectors", "run", "nacional"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("the version in force stays (1)"), "{}", text(&out.stderr));

    let out = run(&db, &["connectors", "disable", "nacional"]);
    assert!(out.status.success());
    let out = run(&db, &["connectors", "list", "--json"]);
    let c: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((c["enabled"].as_bool(), c["last_outcome"].as_str()), (Some(false), Some("failed")));
    let out = run(&db, &["lists", "show"]);
    assert!(text(&out.stdout).contains("vigilancia"), "{}", text(&out.stdout));
    let out = run(&db, &["audit", "show"]);
    let audit = text(&out.stdout);
    assert_eq!(audit.matches("connector_pull").count(), 3, "{audit}");
}
