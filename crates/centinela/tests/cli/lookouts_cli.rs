//! `centinela lookouts issue|list|cancel|hits` on SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL: a lookout issued from the command line
//! is listed in force, a refused field names the field (exit 1), cancelling
//! needs a reason and happens once, and every step is audited.

use crate::support::{fresh_db, run, text};

#[test]
fn lookouts_are_issued_listed_and_cancelled_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path(), "lookouts");
    let o = run(&db, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    let o = run(&db, &["lookouts", "issue", "--kind", "vehicle", "--plate", "P/1", "--reason", "x"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("plate"), "{}", text(&o.stderr));

    let o = run(
        &db,
        &[
            "lookouts",
            "issue",
            "--kind",
            "vehicle",
            "--plate",
            "p-123 abc",
            "--reason",
            "Vehículo de un secuestro",
            "--hours",
            "12",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let uid = text(&o.stdout).trim().to_string();
    assert_eq!(uid.len(), 36, "{uid}");

    let o = run(&db, &["lookouts", "list"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let line: Vec<&str> = out.lines().next().unwrap().split('\t').collect();
    assert_eq!(&line[..5], &[uid.as_str(), "in_force", "vehicle", "P-123 ABC", "secondary_inspection"]);
    assert_eq!(line[6], "cli");
    assert_eq!(line[7], "Vehículo de un secuestro");

    let o = run(&db, &["lookouts", "cancel", &uid]);
    assert!(!o.status.success(), "a reason is required");
    let o = run(&db, &["lookouts", "cancel", &uid, "--reason", "Recuperado"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&db, &["lookouts", "cancel", &uid, "--reason", "otra vez"]);
    assert!(!o.status.success(), "cancelled twice");

    let o = run(&db, &["lookouts", "list"]);
    assert!(text(&o.stdout).trim().is_empty(), "{}", text(&o.stdout));
    let o = run(&db, &["lookouts", "list", "--all", "--json"]);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all[0]["state"], "cancelled");
    assert_eq!(all[0]["cancel_reason"], "Recuperado");
    let o = run(&db, &["lookouts", "hits"]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    let o = run(&db, &["audit", "show"]);
    let shown = text(&o.stdout);
    for action in ["lookout_issued", "lookout_cancelled", "lookouts_listed", "lookout_hits_listed"] {
        assert!(shown.contains(action), "{action}: {shown}");
    }
    assert!(!shown.contains("123 ABC"), "no plate in the audit");
}
