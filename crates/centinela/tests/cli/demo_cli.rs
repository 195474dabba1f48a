//! `centinela demo --scale small --no-serve`: builds the country once, its
//! passwords random (not from the seed) and written once to the passwords
//! file (mode 0600) that `demo --users` prints again; the same seed serves
//! the database as it is, another seed is refused unless `--force`; quiet
//! output (no INFO lines, no colour codes when stderr is not a terminal).

use std::path::Path;
use std::process::Command;

struct Run {
    ok: bool,
    code: Option<i32>,
    out: String,
    err: String,
}

fn centinela(db: &Path, args: &[&str]) -> Run {
    let o = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CENTINELA_DB")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    Run {
        ok: o.status.success(),
        code: o.status.code(),
        out: String::from_utf8_lossy(&o.stdout).into_owned(),
        err: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn demo(db: &Path, seed: &str, extra: &[&str]) -> Run {
    let mut args = vec!["demo", "--scale", "small", "--seed", seed, "--no-serve"];
    args.extend_from_slice(extra);
    centinela(db, &args)
}

/// The password on the line of `username` in a listing of users.
fn password_of(listing: &str, username: &str) -> String {
    let line = listing
        .lines()
        .find(|l| l.split_whitespace().next() == Some(username))
        .unwrap_or_else(|| panic!("no line for {username} in\n{listing}"));
    line.split_whitespace().last().unwrap().to_string()
}

fn passwords_file(db: &Path) -> std::path::PathBuf {
    db.with_file_name(format!("{}.demo-users", db.file_name().unwrap().to_str().unwrap()))
}

fn verifies(db: &Path, username: &str, password: &str) -> bool {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        let ok = store.verify_password(username, password).await.unwrap().is_some();
        store.close().await;
        ok
    })
}

#[test]
fn builds_once_and_prints_working_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let first = demo(&db, "7", &[]);
    assert!(first.ok, "{}", first.err);
    assert!(first.err.contains("demo country built"), "{}", first.err);
    // Quiet: no log line under warn, no colour codes in a file.
    assert!(!first.err.contains(" INFO "), "{}", first.err);
    assert!(!first.err.contains('\u{1b}'), "colour codes in\n{}", first.err);
    let password = password_of(&first.out, "admin");
    assert!(password.starts_with("demo-"));
    for role in ["auditor", "analyst", "protection", "supervisor", "officer"] {
        assert!(first.out.lines().any(|l| l.split_whitespace().nth(1) == Some(role)), "no {role} in\n{}", first.out);
    }
    let file = passwords_file(&db);
    assert!(first.out.contains(&*file.file_name().unwrap().to_string_lossy()), "the file is named\n{}", first.out);
    assert!(first.out.contains("centinela demo --users"), "{}", first.out);

    // The same seed again: the country is served as it is, with the same
    // (working) passwords.
    let again = demo(&db, "7", &[]);
    assert!(again.ok && again.err.contains("already holds this country"), "{}", again.err);
    assert_eq!(again.out, first.out, "the same credentials on a second run");

    // Every demo user is in the file, whose passwords open the database.
    let users = centinela(&db, &["demo", "--users"]);
    assert!(users.ok, "{}", users.err);
    let listed: Vec<&str> = users.out.lines().skip(1).collect();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let stored = rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        let u = store.users().await.unwrap();
        store.close().await;
        u
    });
    assert_eq!(listed.len(), stored.len(), "{}", users.out);
    assert_eq!(password_of(&users.out, "admin"), password);
    assert!(verifies(&db, "admin", &password));
    let officer = stored.iter().rev().find(|u| u.role == centinela_domain::Role::Officer).unwrap();
    assert!(verifies(&db, &officer.username, &password_of(&users.out, &officer.username)));

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
        assert!(store.crossing_count().await.unwrap() > 1000);
        assert_eq!(store.lists().await.unwrap().len(), 4);
        assert!(store.audit_verify().await.unwrap().is_ok());
        // The day at the booths went through the inspection pipeline: the
        // listed travellers among them left hits for supervisors, each
        // traced to the list version it was screened against.
        let open = store.hits(true, None, 10_000).await.unwrap();
        assert!(!open.is_empty(), "no open hits after the demo's booth day\n{}", first.err);
        assert!(open.iter().all(|h| h.list_version.is_some()));
        assert!(store.inspection_result(&open[0].crossing_id).await.unwrap().is_some());
        // The protection unit opens with referrals made by officers waiting.
        let waiting = store.referrals(true, 100).await.unwrap();
        assert!(!waiting.is_empty(), "no referral waiting for protection after the demo");
        // The hits carry the alert's notice from the lists (reason, issuer).
        let person = open.iter().find(|h| h.kind == centinela_domain::HitKind::Person).expect("a person hit");
        let shown = store.inspection_result(&person.crossing_id).await.unwrap().unwrap();
        assert!(shown["hits"].as_array().unwrap().iter().any(|h| h["notice"]["reason"].is_string()), "{shown}");
    });
}

/// Issue 16: the passwords cannot be recomputed from the public source and
/// the seed — two builds of the same seed get different ones — and the file
/// holding them is readable by its owner only.
#[test]
fn passwords_are_random_per_build_and_their_file_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.db"), dir.path().join("b.db"));
    let (ra, rb) = (demo(&a, "7", &[]), demo(&b, "7", &[]));
    assert!(ra.ok && rb.ok, "{}\n{}", ra.err, rb.err);
    for user in ["admin", "auditor", "proteccion", "analista"] {
        assert_ne!(password_of(&ra.out, user), password_of(&rb.out, user), "{user}");
    }
    assert!(!verifies(&b, "admin", &password_of(&ra.out, "admin")));
    #[cfg(unix)]
    for db in [&a, &b] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(passwords_file(db)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{}", passwords_file(db).display());
    }
}

/// Another seed on a database that holds a country is refused (exit 1, the
/// database untouched); `--force` deletes it and builds the new one, whose
/// printed passwords work and the old ones no longer.
#[test]
fn another_country_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let first = demo(&db, "7", &[]);
    assert!(first.ok, "{}", first.err);
    let old = password_of(&first.out, "admin");

    let refused = demo(&db, "8", &[]);
    assert_eq!(refused.code, Some(1), "{}\n{}", refused.out, refused.err);
    assert!(refused.err.contains("--force") && refused.err.contains("otro país"), "{}", refused.err);
    assert!(refused.out.is_empty(), "no passwords printed for a refused build:\n{}", refused.out);
    assert!(verifies(&db, "admin", &old));
    // A smaller or larger country of the same seed is another country too.
    let scale = centinela(&db, &["demo", "--scale", "full", "--seed", "7", "--no-serve"]);
    assert_eq!(scale.code, Some(1), "{}", scale.err);

    let forced = demo(&db, "8", &["--force"]);
    assert!(forced.ok, "{}", forced.err);
    assert!(forced.err.contains("demo country built"), "{}", forced.err);
    let new = password_of(&forced.out, "admin");
    assert!(verifies(&db, "admin", &new));
    assert!(!verifies(&db, "admin", &old));
    let again = demo(&db, "8", &[]);
    assert!(again.ok && again.out == forced.out, "{}", again.err);
}

#[test]
fn users_without_a_demo_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let r = centinela(&dir.path().join("none.db"), &["demo", "--users"]);
    assert_eq!(r.code, Some(1));
    assert!(r.err.contains("construya la demo primero"), "{}", r.err);
}

/// The start-up line names the web interface's address (`/`, which
/// answers), not the API's; Ctrl-C (SIGINT) stops the demo.
#[test]
fn the_start_up_line_names_the_interface() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    assert!(demo(&db, "7", &[]).ok);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(&db)
        .args(["demo", "--scale", "small", "--seed", "7", "--addr", &format!("127.0.0.1:{port}")])
        .env_remove("CENTINELA_DB")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let line = lines.by_ref().map(|l| l.unwrap()).find(|l| l.contains("http://")).expect("a start-up line");
    assert!(line.contains(&format!("http://127.0.0.1:{port}/ ")), "{line}");
    assert!(!line.contains(&format!("127.0.0.1:{port}/api/ ")), "{line}");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let status = rt.block_on(async {
        let url = format!("http://127.0.0.1:{port}/");
        for _ in 0..100 {
            if let Ok(r) = reqwest::get(&url).await {
                return r.status();
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{url} never answered");
    });
    assert!(status.is_success() || status.is_redirection(), "{status}");
    // Ctrl-C stops it.
    let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    let started = std::time::Instant::now();
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            assert!(s.success(), "{s}");
            break;
        }
        assert!(started.elapsed().as_secs() < 30, "the demo did not stop on SIGINT");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
