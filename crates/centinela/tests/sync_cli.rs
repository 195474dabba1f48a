//! The must-show test of synchronisation, with the real binary on loopback:
//! a centre and two border posts. The posts inspect while the centre is
//! down; the centre comes back and every record arrives exactly once; a
//! `centinela sync` killed with `kill -9` in the middle of a push loses and
//! duplicates nothing; a revoked post key is refused. The centre is SQLite,
//! or PostgreSQL when `CENTINELA_TEST_PG` holds a URL.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use centinela_store::Store;
use serde_json::{Value, json};

const PASSWORD: &str = "clave de prueba larga";
const A: &str = "GTM-TECUNUMAN";
const B: &str = "GTM-ELCARMEN";

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_centinela"));
    c.env_remove("CENTINELA_DB")
        .env_remove("CENTINELA_CENTRAL")
        .env_remove("CENTINELA_POST_KEY")
        .env_remove("CENTINELA_AUDIT_KEY_FILE")
        // A PostgreSQL centre needs an audit key outside the database.
        .env("CENTINELA_AUDIT_KEY", "5e".repeat(32))
        .env("RUST_LOG", "warn");
    c
}

fn cli(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut c = bin();
    c.arg("--db").arg(db).args(args);
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().expect("run centinela");
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "exit {:?}: {}", o.status.code(), String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The centre's database: a fresh PostgreSQL database when asked, else a
/// SQLite file.
async fn centre_db(dir: &Path) -> String {
    match std::env::var("CENTINELA_TEST_PG") {
        Ok(url) if !url.is_empty() => {
            use sqlx::Connection;
            let name = format!("centinela_sync_cli_{}", std::process::id());
            let mut admin = sqlx::PgConnection::connect(&url).await.expect("CENTINELA_TEST_PG: cannot connect");
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}")))
                .execute(&mut admin)
                .await
                .unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
            let (base, _) = url.rsplit_once('/').unwrap();
            format!("{base}/{name}")
        }
        _ => dir.join("centre.db").to_str().unwrap().to_string(),
    }
}

fn serve(db: &str, port: u16, extra: &[&str], log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    bin()
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(extra)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start centinela serve")
}

async fn wait_up(port: u16) {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client.get(format!("http://127.0.0.1:{port}/api/health")).send().await.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no server on port {port}");
}

fn status(db: &str) -> Value {
    serde_json::from_str(&ok(&cli(db, &["sync", "status", "--json"], None))).unwrap()
}

/// Polls until `f` holds for the post's sync status, or fails naming it.
async fn until(db: &str, what: &str, f: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let s = status(db);
        if f(&s) {
            return s;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {s}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn login(port: u16, username: &str) -> String {
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/session"))
        .json(&json!({"username": username, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

async fn call(port: u16, token: &str, path: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}{path}"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap()
}

fn kill(child: &mut Child) {
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
}

/// A TCP proxy to `target` that forwards everything until the `kill_at`-th
/// chunk of answer from the centre: that one it holds back, and kills the
/// client process (`kill -9`), so the centre has done work whose answer the
/// client never sees.
async fn kill_proxy(target: u16, kill_at: usize, pid: Arc<AtomicU32>) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let answers = Arc::new(AtomicUsize::new(0));
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let Ok(server) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else { continue };
            let (mut cr, mut cw) = client.into_split();
            let (mut sr, mut sw) = server.into_split();
            tokio::spawn(async move { tokio::io::copy(&mut cr, &mut sw).await });
            let (answers, pid) = (answers.clone(), pid.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                loop {
                    let n = match sr.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => n,
                    };
                    if answers.fetch_add(1, Ordering::SeqCst) + 1 == kill_at {
                        let pid = pid.load(Ordering::SeqCst).to_string();
                        let _ = Command::new("kill").args(["-9", &pid]).status();
                        break;
                    }
                    if cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    port
}

struct Post {
    code: &'static str,
    db: String,
    key: String,
    port: u16,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_work_offline_and_every_record_arrives_once() {
    let dir = tempfile::tempdir().unwrap();
    let centre = centre_db(dir.path()).await;
    let list = dir.path().join("buscados.csv");
    std::fs::write(
        &list,
        "id,given_names,surnames,birth_date,nationality,sex\nW-1,Juan Carlos,Pérez Gómez,1980-05-04,GTM,M\n",
    )
    .unwrap();
    ok(&cli(
        &centre,
        &["lists", "import", "--name", "buscados", "--kind", "wanted", "--format", "csv", list.to_str().unwrap()],
        None,
    ));

    let mut posts = Vec::new();
    for code in [A, B] {
        let key = ok(&cli(&centre, &["posts", "add", "--code", code, "--name", code, "--country", "GTM"], None));
        let db = dir.path().join(format!("{code}.db")).to_str().unwrap().to_string();
        for (user, role) in [("oficial", "officer"), ("supervisora", "supervisor")] {
            ok(&cli(
                &db,
                &["users", "add", "--username", user, "--role", role, "--post", code, "--password-stdin"],
                Some(PASSWORD),
            ));
        }
        posts.push(Post { code, db, key: key.trim().to_string(), port: free_port() });
    }

    // The centre, and the posts synchronising with it every second.
    let centre_port = free_port();
    let central = format!("http://127.0.0.1:{centre_port}");
    let mut centre_proc = serve(&centre, centre_port, &[], &dir.path().join("centre.log"));
    wait_up(centre_port).await;
    let mut post_procs = Vec::new();
    for p in &posts {
        let extra = ["--central", central.as_str(), "--post-key", p.key.as_str(), "--sync-interval", "1"];
        post_procs.push(serve(&p.db, p.port, &extra, &dir.path().join(format!("{}.log", p.code))));
        wait_up(p.port).await;
    }
    for p in &posts {
        until(&p.db, "the list at the post", |s| s["lists"]["buscados"] == 1 && s["last_error"].is_null()).await;
    }
    // Give the servers a moment to reload the lists and posts they pulled.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The centre goes down; the posts go on inspecting.
    kill(&mut centre_proc);
    let mut crossings = Vec::new();
    for p in &posts {
        let officer = login(p.port, "oficial").await;
        for i in 0..4 {
            let traveller = if i == 0 {
                json!({"given_names": "Juan Carlos", "surnames": "Perez Gomez", "birth_date": "1980-05-04", "nationality": "GTM", "sex": "M"})
            } else {
                json!({"given_names": "Ana", "surnames": format!("López {i}"), "birth_date": "1991-01-01"})
            };
            let v = call(
                p.port,
                &officer,
                "/api/inspections",
                json!({"post": p.code, "direction": "entry", "travellers": [traveller]}),
            )
            .await;
            let t = &v["travellers"][0];
            crossings.push((p.code, t["crossing_id"].as_str().unwrap().to_string()));
            if i == 0 {
                let hit = t["hit_ids"][0].as_i64().expect("the wanted person is a hit");
                let sup = login(p.port, "supervisora").await;
                call(
                    p.port,
                    &sup,
                    &format!("/api/hits/{hit}/adjudication"),
                    json!({"decision": "confirmed", "reason": "misma persona"}),
                )
                .await;
                let id = t["crossing_id"].as_str().unwrap();
                call(
                    p.port,
                    &officer,
                    &format!("/api/crossings/{id}/decision"),
                    json!({"decision": "secondary_inspection", "reason": "alerta"}),
                )
                .await;
            }
        }
    }
    for p in &posts {
        let s = until(&p.db, "a failed attempt", |s| s["last_error"].is_string()).await;
        assert!(s["queued"].as_i64().unwrap() > 0, "{s}");
    }

    // The centre comes back; the posts catch up by themselves.
    let mut centre_proc = serve(&centre, centre_port, &[], &dir.path().join("centre2.log"));
    wait_up(centre_port).await;
    for p in &posts {
        until(&p.db, "the queue to drain", |s| s["queued"] == 0 && s["last_error"].is_null()).await;
    }

    // The centre's list changes (a wanted person added): the posts pull the
    // change as a delta from version 1, screen against version 2, and the
    // hit made at the post says which version it came from.
    std::fs::write(
        &list,
        "id,given_names,surnames,birth_date,nationality,sex\nW-1,Juan Carlos,Pérez Gómez,1980-05-04,GTM,M\n\
         W-2,María Fernanda,Ruiz Soto,1975-02-02,GTM,F\n",
    )
    .unwrap();
    // (Version 1's rows are kept at the centre: a delta is computed from them.)
    let args = ["lists", "import", "--name", "buscados", "--kind", "wanted", "--format", "csv"];
    ok(&cli(&centre, &[&args[..], &[list.to_str().unwrap()]].concat(), None));
    for p in &posts {
        until(&p.db, "list version 2 at the post", |s| s["lists"]["buscados"] == 2 && s["last_error"].is_null()).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let a = &posts[0];
    let officer = login(a.port, "oficial").await;
    let traveller = json!({"given_names": "Maria Fernanda", "surnames": "Ruiz Soto", "birth_date": "1975-02-02",
        "nationality": "GTM", "sex": "F"});
    let v = call(
        a.port,
        &officer,
        "/api/inspections",
        json!({"post": a.code, "direction": "entry", "travellers": [traveller]}),
    )
    .await;
    let t = &v["travellers"][0];
    assert!(t["hit_ids"][0].is_i64(), "the person added in version 2 is a hit at the post: {v}");
    crossings.push((a.code, t["crossing_id"].as_str().unwrap().to_string()));
    until(&a.db, "the new hit to reach the centre", |s| s["queued"] == 0 && s["last_error"].is_null()).await;
    for proc in &mut post_procs {
        kill(proc);
    }

    let store = Store::connect(&centre).await.unwrap();
    for (code, id) in &crossings {
        let c = store.crossing(id).await.unwrap().unwrap_or_else(|| panic!("crossing {id} of {code} missing"));
        assert_eq!((c.record.post.as_str(), c.source.as_str()), (*code, "sync"));
    }
    for p in &posts {
        let hits: Vec<_> = store.hits(false, Some(p.code), 100).await.unwrap();
        let versions: Vec<(&str, Option<i64>)> = hits.iter().map(|h| (h.entry_id.as_str(), h.list_version)).collect();
        let expected: &[(&str, Option<i64>)] =
            if p.code == A { &[("W-2", Some(2)), ("W-1", Some(1))] } else { &[("W-1", Some(1))] };
        assert_eq!(versions, expected, "{}: each hit with the list version it was screened against", p.code);
        let w1 = hits.iter().find(|h| h.entry_id == "W-1").unwrap();
        assert_eq!(w1.origin, p.code);
        assert_eq!(w1.adjudications.len(), 1);
        assert_eq!(store.decision(&w1.crossing_id).await.unwrap().unwrap().0, "secondary_inspection");
        let sent = status(&p.db)["sent"].as_i64().unwrap();
        let received: i64 = store.received_counts(p.code).await.unwrap().values().sum();
        assert_eq!(received, sent, "{}: every queued record exactly once", p.code);
        assert!(store.synced_audit_verify(p.code).await.unwrap().is_ok());
    }
    assert_eq!(store.crossing_count().await.unwrap() as usize, crossings.len());
    assert!(store.audit_verify().await.unwrap().is_ok());
    // Version 2 went to each post as a change from version 1, not whole.
    let pulls: Vec<Value> = store
        .audit_entries(None)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.action == "sync_lists_pulled")
        .map(|r| serde_json::from_str::<Value>(&r.detail).unwrap()["lists"][0].clone())
        .collect();
    for want in [
        json!({"list": "buscados", "from": null, "version": 1, "full": true, "added": 1, "removed": 0}),
        json!({"list": "buscados", "from": 1, "version": 2, "full": false, "added": 1, "removed": 0}),
    ] {
        assert_eq!(pulls.iter().filter(|p| **p == want).count(), 2, "{want} once per post: {pulls:?}");
    }

    // kill -9 in the middle of a push: post B queues 3000 crossings and its
    // `centinela sync` dies after some batches are acknowledged.
    let b = &posts[1];
    let mut csv = String::from(
        "crossing_id,post,direction,crossed_at,given_names,surnames,birth_date,nationality,sex,document_type,\
         document_number,issuing_state,group_id,vehicle,phone,address,destination\n",
    );
    for i in 0..3000 {
        csv.push_str(&format!(
            "PAPEL-{i},{B},entry,2026-03-0{}T10:00:00Z,Rosa,Díaz {i},1985-02-03,GTM,F,P,G{i:07},GTM,,,,,\n",
            1 + i % 7
        ));
    }
    let file = dir.path().join("papel.csv");
    std::fs::write(&file, csv).unwrap();
    ok(&cli(&b.db, &["import", "crossings", file.to_str().unwrap()], None));
    // The push goes through a proxy that, once the centre has answered two
    // batches, holds back its third answer and kills the pusher: the centre
    // has applied a batch the post never heard about.
    let pid = Arc::new(AtomicU32::new(0));
    let proxy = kill_proxy(centre_port, 3, pid.clone()).await;
    let mut pusher = bin()
        .arg("--db")
        .arg(&b.db)
        .args(["sync", "--central", &format!("http://127.0.0.1:{proxy}"), "--post-key", &b.key, "--batch", "25"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    pid.store(pusher.id(), Ordering::SeqCst);
    let killed = pusher.wait().unwrap();
    assert!(!killed.success(), "the pusher was not killed: {killed:?}");
    let mid = status(&b.db);
    assert!(mid["queued"].as_i64().unwrap() > 0, "killed too late: {mid}");
    let o = cli(&b.db, &["sync", "--central", &central, "--post-key", &b.key], None);
    let report: Value = serde_json::from_str(&ok(&o)).unwrap();
    eprintln!("after kill -9 at {mid}: the resumed push {report}");
    assert_eq!(report["duplicates"], 25, "the batch applied but not acknowledged is sent again, and ignored");
    let s = status(&b.db);
    assert_eq!(s["queued"], 0);
    let received: i64 = store.received_counts(B).await.unwrap().values().sum();
    assert_eq!(received, s["sent"].as_i64().unwrap(), "after kill -9: every record exactly once ({report})");
    let crossings_b: i64 =
        store.crossings_between(None, None, None).await.unwrap().iter().filter(|c| c.record.post == B).count() as i64;
    assert_eq!(crossings_b, 4 + 3000);
    assert!(store.synced_audit_verify(B).await.unwrap().is_ok());
    assert!(store.audit_verify().await.unwrap().is_ok());

    // A revoked key is refused, and the post says so.
    ok(&cli(&centre, &["posts", "revoke", B], None));
    let o = cli(&b.db, &["sync", "--central", &central, "--post-key", &b.key], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("revoked"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(status(&b.db)["last_error"].as_str().unwrap().contains("revoked"));
    // Post A is unaffected.
    let a = &posts[0];
    ok(&cli(&a.db, &["sync", "--central", &central, "--post-key", &a.key], None));

    store.close().await;
    kill(&mut centre_proc);
}
