//! `centinela users …` and `centinela audit …` end to end, against a SQLite
//! database in a temp dir; tampering goes straight to the file with sqlx.

use crate::support::{run, run_with_stdin};
use std::path::Path;
use std::process::{Command, Output};

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
    assert!(out.contains("entry 1:") && out.contains("seal (HMAC) does not match"), "{out}");
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

/// Rewrites entry `seq`'s detail in the file and re-hashes it and every
/// later entry with SHA-256 — what anyone holding the database (but not the
/// key) can do.
fn rewrite_and_rehash(db: &Path, seq: i64, detail: &str) {
    use centinela_domain::audit::{AuditRecord, GENESIS};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = rt.block_on(centinela_store::Store::connect(db.to_str().unwrap())).unwrap();
    let entries = rt.block_on(store.audit_entries(None)).unwrap();
    rt.block_on(store.close());
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut sql = vec!["DROP TRIGGER IF EXISTS audit_log_no_update".to_string()];
    let mut prev = entries.iter().find(|e| e.seq == seq - 1).map_or(GENESIS, |e| e.hash);
    for e in entries.iter().filter(|e| e.seq >= seq) {
        let d = if e.seq == seq { detail } else { e.detail.as_str() };
        let r = AuditRecord::seal(e.seq, &e.at, &e.actor, &e.action, &e.subject, d, prev);
        sql.push(format!(
            "UPDATE audit_log SET detail = '{d}', prev_hash = x'{}', hash = x'{}' WHERE seq = {}",
            hex(&r.prev_hash),
            hex(&r.hash),
            e.seq
        ));
        prev = r.hash;
    }
    let sql: Vec<&str> = sql.iter().map(String::as_str).collect();
    tamper(db, &sql);
}

/// Issue 16: rewriting an entry and recomputing every later hash verified
/// as intact. Now the log is sealed with a key outside the database — here
/// the key file created beside it at first start, mode 0600.
#[test]
fn a_rewritten_and_rehashed_entry_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    for name in ["ana", "eva", "rita"] {
        let o = add_user(&db, name, "officer", None, "long enough password");
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let key_file = dir.path().join("c.db.audit-key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).expect("key file beside the database").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("intact: 3 entries"), "{}", stdout(&o));
    assert!(stdout(&o).contains("sealed from entry 1: every entry carries the audit key's MAC"), "{}", stdout(&o));

    rewrite_and_rehash(&db, 2, r#"{"role":"admin"}"#);
    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("BROKEN at entry 2: seal (HMAC) does not match"), "{}", stdout(&o));

    // Another key (here from the environment) is named as such and
    // appends nothing.
    let other = "ab".repeat(32);
    let o = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .args(["--db", db.to_str().unwrap(), "audit", "verify"])
        .env("CENTINELA_AUDIT_KEY", &other)
        .env_remove("CENTINELA_AUDIT_KEY_FILE")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("another audit key"), "{}", stderr(&o));

    // The key file gone: a sealed log is not given a new key.
    std::fs::remove_file(&key_file).unwrap();
    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("key file") && stderr(&o).contains("missing"), "{}", stderr(&o));
    assert!(!key_file.exists());
}

/// Issue 16: deleting the last entries verified as intact. An anchor kept
/// elsewhere shows it.
#[test]
fn an_anchor_detects_entries_removed_from_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    for name in ["ana", "eva", "rita", "lola"] {
        assert!(add_user(&db, name, "officer", None, "long enough password").status.success());
    }
    let o = run(&db, &["audit", "anchor"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let anchor: serde_json::Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(anchor["seq"], 4);
    assert_eq!(anchor["hash"].as_str().unwrap().len(), 64);
    let file = dir.path().join("anchor.json");
    std::fs::write(&file, stdout(&o)).unwrap();
    let f = file.to_str().unwrap();

    assert!(add_user(&db, "mara", "officer", None, "long enough password").status.success());
    let o = run(&db, &["audit", "verify", "--anchor", f]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("anchor holds"), "{}", stdout(&o));

    tamper(&db, &["DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log WHERE seq >= 3"]);
    // The chain alone still verifies …
    assert_eq!(run(&db, &["audit", "verify"]).status.code(), Some(0));
    // … the anchor does not.
    let o = run(&db, &["audit", "verify", "--anchor", f]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("ends at entry 2, before the anchor's entry 4"), "{}", stdout(&o));

    // An unreadable anchor is a usage error.
    std::fs::write(&file, "{\"seq\":1}").unwrap();
    assert_eq!(run(&db, &["audit", "verify", "--anchor", f]).status.code(), Some(2));
}

/// Issue 16: post keys could not be rotated, and `posts add` after
/// `posts revoke` said "already exists".
#[test]
fn post_keys_rotate_and_a_revoked_post_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let add = ["posts", "add", "--code", "GTM-TECUNUMAN", "--name", "Tecún Umán", "--country", "GTM"];
    let o = run(&db, &add);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let first = stdout(&o).trim().to_string();
    let o = run(&db, &["posts", "rotate-key", "GTM-TECUNUMAN"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let second = stdout(&o).trim().to_string();
    assert_eq!(second.len(), 64);
    assert_ne!(first, second);
    assert_eq!(run(&db, &["posts", "rotate-key", "GTM-NADA"]).status.code(), Some(1));
    assert!(run(&db, &["posts", "revoke", "GTM-TECUNUMAN"]).status.success());
    let o = run(&db, &["posts", "list"]);
    assert!(stdout(&o).contains("\trevoked"), "{}", stdout(&o));
    let o = run(&db, &add);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("added again"), "{}", stderr(&o));
    assert_ne!(stdout(&o).trim(), second);
    assert!(!stdout(&run(&db, &["posts", "list"])).contains("revoked"));
    let o = run(&db, &["audit", "show", "--json"]);
    let actions: Vec<String> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["action"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(actions, ["post_created", "post_key_rotated", "post_key_revoked", "post_readded"]);
    assert!(!stdout(&o).contains(&second) && !stdout(&o).contains(&first));
}

/// Issue 16: `audit verify` said nothing of where the seal starts; the
/// entries written before the audit key existed are only hash-chained, and
/// it now says so — intact or broken.
#[test]
fn verify_says_where_the_seal_starts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    // A log written by a version without audit keys: two hashed entries.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        for i in 0..2 {
            store.audit_append("system", "user_created", &format!("user:{i}"), "{}").await.unwrap();
        }
        store.close().await;
    });
    // The first command with a key seals from the next entry (3, its
    // `audit_sealed` entry).
    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("intact: 3 entries"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("sealed from entry 3: entries 1 to 2 were written before the audit key existed"),
        "{}",
        stdout(&o)
    );
    rewrite_and_rehash(&db, 3, r#"{"hashed_until":1}"#);
    let o = run(&db, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("BROKEN at entry 3"), "{}", stdout(&o));
    assert!(stdout(&o).contains("sealed from entry 3"), "{}", stdout(&o));
}
