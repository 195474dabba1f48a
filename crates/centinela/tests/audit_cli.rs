//! `centinela users …` and `centinela audit …` end to end, against a SQLite
//! database in a temp dir; tampering goes straight to the file with sqlx.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run_with_stdin(db: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CENTINELA_DB")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run centinela");
    // A command that refuses its arguments exits without reading stdin: the
    // pipe may then be closed before we write, which is no failure here.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => panic!("writing stdin: {e}"),
        _ => {}
    }
    child.wait_with_output().unwrap()
}

fn run(db: &Path, args: &[&str]) -> Output {
    run_with_stdin(db, args, "")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn add_user(db: &Path, name: &str, role: &str, post: Option<&str>, password: &str) -> Output {
    let mut args = vec!["users", "add", "--username", name, "--role", role, "--password-stdin"];
    if let Some(p) = post {
        args.extend(["--post", p]);
    }
    run_with_stdin(db, &args, password)
}

/// Runs SQL on the database file directly, as someone with access to the
/// file (not through the store) would.
fn tamper(db: &Path, sql: &[&str]) {
    use sqlx::Connection;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite:{}", db.display())).await.unwrap();
        for s in sql {
            sqlx::raw_sql(sqlx::AssertSqlSafe(s.to_string())).execute(&mut conn).await.unwrap();
        }
        conn.close().await.unwrap();
    });
}

#[test]
fn users_add_list_and_an_intact_then_tampered_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");

    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("audit chain intact: 0 entries"), "{}", stdout(&o));

    let o = add_user(&db, "ana.ruiz", "officer", Some("MXTIJ1"), "correct horse battery staple\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("created user 1") && out.contains("role officer") && out.contains("post MXTIJ1"), "{out}");
    assert!(!out.contains("horse") && !stderr(&o).contains("horse"));
    let o = add_user(&db, "jefe", "admin", None, "another long passphrase");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("created user 2: jefe, role admin, country-wide"), "{}", stdout(&o));

    let o = run(&db, &["users", "list"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("ana.ruiz") && out.contains("officer") && out.contains("MXTIJ1") && out.contains("jefe"));
    let o = run(&db, &["users", "list", "--json"]);
    let rows: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["role"], "officer");
    assert_eq!(rows[1]["post"], serde_json::Value::Null);
    assert!(rows.iter().all(|r| r.get("password_hash").is_none()));

    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("audit chain intact: 2 entries"), "{}", stdout(&o));

    let o = run(&db, &["audit", "show", "--json"]);
    let entries: Vec<serde_json::Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(entries.len(), 2);
    assert_eq!((entries[0]["seq"].as_i64(), entries[0]["action"].as_str()), (Some(1), Some("user_created")));
    assert_eq!(entries[1]["prev_hash"], entries[0]["hash"]);
    let o = run(&db, &["audit", "show", "--limit", "1"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("user_created") && out.lines().count() == 2, "{out}");

    // The database refuses the change; a person with the file drops the trigger first.
    tamper(
        &db,
        &["DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET detail = '{\"role\":\"admin\"}' WHERE seq = 1"],
    );
    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("entry 1:") && out.contains("hash does not match"), "{out}");
}

#[test]
fn bad_passwords_and_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    for (pw, why) in [("", "no password"), ("short\n", "too short"), ("elevenchars", "at least 12")] {
        let o = add_user(&db, "ana", "officer", None, pw);
        assert_eq!(o.status.code(), Some(2), "{pw:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(why), "{pw:?}: {}", stderr(&o));
    }
    let o = add_user(&db, "ana", "root", None, "long enough password");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("officer, supervisor"), "{}", stderr(&o));
    let o = run_with_stdin(&db, &["users", "add", "--username", "ana", "--role", "officer"], "long enough password");
    assert_eq!(o.status.code(), Some(2), "--password-stdin is required");
    let o = add_user(&db, "two words", "officer", None, "long enough password");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));

    // A second user with the same name is refused (exit 1) and leaves no audit entry.
    assert!(add_user(&db, "ana", "officer", None, "long enough password").status.success());
    let o = add_user(&db, "ana", "analyst", None, "long enough password");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert!(stdout(&run(&db, &["audit", "verify"])).contains("intact: 1 entries"));
}

#[test]
fn a_wrong_password_fails_and_the_right_one_passes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    assert!(add_user(&db, "eva", "auditor", None, "the right passphrase\n").status.success());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        let user = store.verify_password("eva", "the right passphrase").await.unwrap().expect("right password");
        assert_eq!(user.role, centinela_domain::Role::Auditor);
        assert_eq!(store.verify_password("eva", "the wrong passphrase").await.unwrap(), None);
        assert_eq!(store.verify_password("eva", "the right passphrase\n").await.unwrap(), None);
        assert_eq!(store.verify_password("nobody", "the right passphrase").await.unwrap(), None);
        store.close().await;
    });
}
