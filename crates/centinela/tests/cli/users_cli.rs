//! `centinela users …` for an account's life (issue 16) end to end,
//! against a SQLite database in a temp dir: disable and enable, reset and
//! change a password, role and post changes, ending sessions, the password
//! policy, and every change in the audit chain.

use crate::support::{run, run_with_stdin};
use std::path::Path;
use std::process::Output;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", text(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn users(db: &Path) -> Vec<serde_json::Value> {
    ok(run(db, &["users", "list", "--json"])).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn audit_actions(db: &Path) -> String {
    ok(run(db, &["audit", "show", "--limit", "1000", "--json"]))
}

const PW: &str = "correct horse battery staple";
const ADMIN_PW: &str = "tormenta lejana sobre el volcán 1987 pino";

#[test]
fn the_policy_refuses_trivial_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    for pw in ["aaaaaaaaaaaa", "            ", "123456789012", "passwordpassword"] {
        let o = run_with_stdin(&db, &["users", "add", "--username", "root", "--role", "admin", "--password-stdin"], pw);
        assert_eq!(o.status.code(), Some(2), "{pw:?}: {}", text(&o));
        assert!(text(&o).contains("password refused"), "{}", text(&o));
        assert!(pw.trim().is_empty() || !text(&o).contains(pw), "the password is echoed: {}", text(&o));
    }
    // Too guessable for an admin (score 3 of 4), enough for an officer.
    let o = run_with_stdin(
        &db,
        &["users", "add", "--username", "root", "--role", "admin", "--password-stdin"],
        "Guatemala1987!",
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    ok(run_with_stdin(
        &db,
        &["users", "add", "--username", "ana", "--role", "officer", "--password-stdin"],
        "Guatemala1987!",
    ));
}

#[test]
fn an_account_s_life_from_the_console() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    ok(run_with_stdin(
        &db,
        &["users", "add", "--username", "ana", "--role", "officer", "--post", "P-1", "--password-stdin"],
        PW,
    ));

    let out = ok(run(&db, &["users", "disable", "ana"]));
    assert!(out.contains("disabled"), "{out}");
    assert_eq!(users(&db)[0]["disabled"], true);
    ok(run(&db, &["users", "enable", "ana"]));
    assert_eq!(users(&db)[0]["disabled"], false);

    // A weak temporary password is refused; a good one forces a change.
    let o = run_with_stdin(&db, &["users", "reset-password", "ana", "--password-stdin"], "123456789012");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let temp = "lluvia tarde puente verde";
    ok(run_with_stdin(&db, &["users", "reset-password", "ana", "--password-stdin"], temp));
    assert_eq!(users(&db)[0]["must_change_password"], true);
    let o = run_with_stdin(
        &db,
        &["users", "change-password", "ana", "--password-stdin"],
        &format!("{PW}\nmontaña río azul siete\n"),
    );
    assert_eq!(o.status.code(), Some(2), "the old password no longer works: {}", text(&o));
    ok(run_with_stdin(
        &db,
        &["users", "change-password", "ana", "--password-stdin"],
        &format!("{temp}\nmontaña río azul siete\n"),
    ));
    assert_eq!(users(&db)[0]["must_change_password"], false);

    ok(run(&db, &["users", "set-role", "ana", "supervisor"]));
    assert_eq!(users(&db)[0]["role"], "supervisor");
    ok(run(&db, &["users", "set-post", "ana", "--post", "P-2"]));
    assert_eq!(users(&db)[0]["post"], "P-2");
    ok(run(&db, &["users", "set-post", "ana", "--country-wide"]));
    assert_eq!(users(&db)[0]["post"], serde_json::Value::Null);
    assert_eq!(run(&db, &["users", "set-post", "ana"]).status.code(), Some(2));
    ok(run(&db, &["users", "end-sessions", "ana"]));
    // From the console an elevation is direct, and flagged.
    ok(run(&db, &["users", "set-role", "ana", "protection"]));
    let o = run(&db, &["users", "disable", "nobody"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));

    let log = audit_actions(&db);
    for a in [
        "user_disabled",
        "user_enabled",
        "password_reset",
        "password_change_failed",
        "password_changed",
        "user_role_changed",
        "user_post_changed",
        "user_sessions_ended",
    ] {
        assert!(log.contains(&format!("\"{a}\"")), "{a}: {log}");
    }
    assert!(log.contains(r#"\"approved\":false"#) || log.contains(r#""approved":false"#), "{log}");
    for pw in [PW, temp, "montaña"] {
        assert!(!log.contains(pw), "a password in the audit log");
    }
    ok(run(&db, &["audit", "verify"]));
}

/// Issue 16: the console cannot disable or demote the last active
/// administrator either: exit 3, and the account is unchanged.
#[test]
fn the_last_active_admin_cannot_be_disabled_or_demoted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    ok(run_with_stdin(&db, &["users", "add", "--username", "root", "--role", "admin", "--password-stdin"], ADMIN_PW));
    for args in [&["users", "disable", "root"][..], &["users", "set-role", "root", "auditor"][..]] {
        let o = run(&db, args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", text(&o));
        assert!(text(&o).contains("last active administrator"), "{}", text(&o));
    }
    assert_eq!((users(&db)[0]["role"].as_str(), users(&db)[0]["disabled"].as_bool()), (Some("admin"), Some(false)));
    // With a second admin, the first may go.
    ok(run_with_stdin(&db, &["users", "add", "--username", "eva", "--role", "admin", "--password-stdin"], ADMIN_PW));
    ok(run(&db, &["users", "disable", "root"]));
}
