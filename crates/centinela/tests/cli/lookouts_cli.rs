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

/// A webhook receiver on 127.0.0.1 answering 200 to `n` requests (in a
/// thread); its URL.
fn receiver(n: usize) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for sock in listener.incoming().take(n) {
            let Ok(sock) = sock else { return };
            let mut r = BufReader::new(sock);
            let mut len = 0;
            loop {
                let mut line = String::new();
                if r.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = r.read_exact(&mut body);
            let _ = r.get_mut().write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n");
        }
    });
    url
}

#[test]
fn notifications_are_configured_from_the_command_line_with_secrets_in_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path(), "notifications");
    assert!(run(&db, &["migrate"]).status.success());
    let key = dir.path().join("hook.key");
    std::fs::write(&key, "clave de firma\n").unwrap();
    let key = key.to_str().unwrap();
    let url = receiver(1);

    let o = run(&db, &["notifications", "add-webhook", "--url", "http://hooks.example.org/x", "--secret-file", key]);
    assert_eq!(o.status.code(), Some(2), "plain http away from this machine: {}", text(&o.stderr));
    assert!(text(&o.stderr).contains("https"), "{}", text(&o.stderr));
    let o = run(&db, &["notifications", "add-webhook", "--url", &url, "--secret-file", "/no/such/file"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    let o = run(&db, &["notifications", "add-webhook", "--url", &url, "--secret-file", key, "--post", "GTM-TECUNUMAN"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(
        &db,
        &[
            "notifications",
            "add-email",
            "--to",
            "guardia@example.org",
            "--from",
            "centinela@example.org",
            "--relay",
            "smtps://mail.example.org",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));

    let o = run(&db, &["notifications", "list", "--json"]);
    let lines: Vec<serde_json::Value> = text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["secret"], format!("file:{key}"), "where the key is read, never the key");
    assert!(!text(&o.stdout).contains("clave de firma"));
    let id = lines[0]["id"].as_i64().unwrap().to_string();

    let o = run(&db, &["notifications", "test", &id]);
    assert!(o.status.success(), "{} {}", text(&o.stdout), text(&o.stderr));
    let o = run(&db, &["notifications", "disable", &id]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&db, &["notifications", "remove", &id]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&db, &["notifications", "remove", &id]);
    assert!(!o.status.success(), "removed twice");
    let o = run(&db, &["audit", "show", "--limit", "50"]);
    let audit = text(&o.stdout);
    for action in
        ["notification_target_added", "lookout_hit_sent", "notification_target_disabled", "notification_target_removed"]
    {
        assert!(audit.contains(action), "{action} not audited: {audit}");
    }
}
