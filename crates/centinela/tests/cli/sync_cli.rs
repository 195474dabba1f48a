//! The must-show test of synchronisation, with the real binary on loopback:
//! a centre and two border posts. The posts inspect while the centre is
//! down; the centre comes back and every record arrives exactly once; a
//! `centinela sync` killed with `kill -9` in the middle of a push loses and
//! duplicates nothing; a revoked post key is refused. The centre is SQLite,
//! or PostgreSQL when `CENTINELA_TEST_PG` holds a URL. Over HTTPS: a centre
//! with a certificate from a throwaway private CA, trusted by the posts
//! only when given with `--ca-cert`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::support::free_port;
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
        .env_remove("CENTINELA_POST_KEY_FILE")
        .env_remove("CENTINELA_CA_CERT")
        .env_remove("CENTINELA_TLS_CERT")
        .env_remove("CENTINELA_TLS_KEY")
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
    let centre = crate::support::fresh_db(dir.path(), "centre");
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

/// One record the centre cannot take (a NUL in a name, queued at a post
/// before the edge refused such text) once stopped that post's queue for
/// ever, and its alert lists with it. Now the centre refuses it by name
/// (422, never 500), the post sets it aside — kept, and counted by `sync
/// status` — and everything before and after it arrives, lists included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_the_centre_refuses_is_set_aside_and_the_queue_goes_on() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let centre = crate::support::fresh_db(dir.path(), "centre");
    let list = dir.path().join("buscados.csv");
    std::fs::write(&list, "id,given_names,surnames,birth_date,nationality,sex\nW-1,Juan,Pérez,1980-05-04,GTM,M\n")
        .unwrap();
    let args = ["lists", "import", "--name", "buscados", "--kind", "wanted", "--format", "csv"];
    ok(&cli(&centre, &[&args[..], &[list.to_str().unwrap()]].concat(), None));
    let key = ok(&cli(&centre, &["posts", "add", "--code", A, "--name", A, "--country", "GTM"], None));
    let post = dir.path().join("post.db").to_str().unwrap().to_string();

    let header = "crossing_id,post,direction,crossed_at,given_names,surnames,birth_date,nationality,sex,\
                  document_type,document_number,issuing_state,group_id,vehicle,phone,address,destination\n";
    let import = |ids: std::ops::Range<u32>| {
        let mut csv = String::from(header);
        for i in ids {
            csv.push_str(&format!("OK-{i},{A},entry,2026-03-01T10:00:00Z,Rosa,Díaz {i},1985-02-03,GTM,F,,,,,,,,\n"));
        }
        let file = dir.path().join("ok.csv");
        std::fs::write(&file, csv).unwrap();
        ok(&cli(&post, &["import", "crossings", file.to_str().unwrap()], None));
    };
    import(0..3);
    // What the edge now refuses, written as an older version would have.
    let mut db = sqlx::SqliteConnection::connect(&format!("sqlite://{post}")).await.unwrap();
    sqlx::query(
        "INSERT INTO crossings (crossing_id, post, direction, crossed_at, given_names, surnames, birth_date, \
         nationality, sex, document_type, document_number, issuing_state, group_id, vehicle, phone, address, \
         destination, source, recorded_at) VALUES ('BAD-1', $1, 'entry', '2026-03-01T10:00:00Z', $2, \
         'López', '', '', '', '', '', '', '', '', '', '', '', 'import', '2026-03-01T10:00:00Z')",
    )
    .bind(A)
    .bind("Ana\u{0}")
    .execute(&mut db)
    .await
    .unwrap();
    db.close().await.unwrap();
    import(3..5);

    let port = free_port();
    let mut centre_proc = serve(&centre, port, &[], &dir.path().join("centre.log"));
    wait_up(port).await;
    let mut c = bin();
    c.arg("--db").arg(&post).args(["sync", "--central", &format!("http://127.0.0.1:{port}"), "--batch", "2"]);
    let o = c.env("CENTINELA_POST_KEY", key.trim()).stdin(Stdio::null()).output().unwrap();
    let report: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!(report["set_aside"], 1, "{report}");
    let s = status(&post);
    assert_eq!((s["queued"].as_i64(), s["refused"].as_i64()), (Some(0), Some(1)), "{s}");
    assert_eq!(s["lists"]["buscados"], 1, "the lists still arrive: {s}");
    kill(&mut centre_proc);

    let store = Store::connect(&centre).await.unwrap();
    for i in 0..5 {
        assert!(store.crossing(&format!("OK-{i}")).await.unwrap().is_some(), "OK-{i} before and after the bad one");
    }
    assert!(store.crossing("BAD-1").await.unwrap().is_none());
    store.close().await;
    let post_store = Store::connect(&post).await.unwrap();
    let refused = post_store.sync_refused().await.unwrap();
    assert_eq!(refused.len(), 1);
    assert!(refused[0].3.contains("U+0000"), "the reason names the character: {}", refused[0].3);
    assert!(post_store.crossing("BAD-1").await.unwrap().is_some(), "set aside, not lost");
}

/// A throwaway certificate authority, and a server certificate it signed
/// for `localhost` and 127.0.0.1, as PEM files in a directory.
struct Pki {
    ca: PathBuf,
    ca_pem: String,
    cert: PathBuf,
    key: PathBuf,
}

fn throwaway_pki(dir: &Path, name: &str) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca.distinguished_name.push(DnType::CommonName, format!("{name} CA"));
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let pki = Pki {
        ca: dir.join(format!("{name}-ca.pem")),
        ca_pem: ca.pem(),
        cert: dir.join(format!("{name}-cert.pem")),
        key: dir.join(format!("{name}-key.pem")),
    };
    std::fs::write(&pki.ca, &pki.ca_pem).unwrap();
    std::fs::write(&pki.cert, cert.pem()).unwrap();
    secret_file(&pki.key, &key.serialize_pem());
    pki
}

/// Writes a file only its owner may read.
fn secret_file(path: &Path, content: &str) {
    std::fs::write(path, content).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

fn https_client(ca_pem: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(ca_pem.as_bytes()).unwrap()])
        .build()
        .unwrap()
}

async fn wait_up_tls(port: u16, ca_pem: &str) {
    let client = https_client(ca_pem);
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client.get(format!("https://localhost:{port}/api/health")).send().await.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no HTTPS server on port {port}");
}

fn import_crossings(db: &str, dir: &Path, post: &str, prefix: &str, n: usize) -> Vec<String> {
    let mut csv = String::from(
        "crossing_id,post,direction,crossed_at,given_names,surnames,birth_date,nationality,sex,document_type,\
         document_number,issuing_state,group_id,vehicle,phone,address,destination\n",
    );
    let ids: Vec<String> = (0..n).map(|i| format!("{prefix}-{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        csv.push_str(&format!(
            "{id},{post},entry,2026-03-02T10:00:00Z,Rosa,Díaz {prefix} {i},1985-02-03,GTM,F,P,T{i:07},GTM,,,,,\n"
        ));
    }
    let file = dir.join(format!("{prefix}.csv"));
    std::fs::write(&file, csv).unwrap();
    ok(&cli(db, &["import", "crossings", file.to_str().unwrap()], None));
    ids
}

/// Synchronisation over HTTPS with a private CA: refused without
/// `--ca-cert` (and with another CA) with a certificate error; with it,
/// `centinela sync` and a serving post deliver their records. The key goes
/// in a file and never shows in an error or a log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_over_tls_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let pki = throwaway_pki(dir.path(), "centinela");
    let stranger = throwaway_pki(dir.path(), "other");
    let centre = crate::support::fresh_db(dir.path(), "centre");
    let key =
        ok(&cli(&centre, &["posts", "add", "--code", A, "--name", A, "--country", "GTM"], None)).trim().to_string();
    let key_file = dir.path().join("post.key");
    secret_file(&key_file, &format!("{key}\n"));
    let key_file = key_file.to_str().unwrap();
    let post = dir.path().join("post.db").to_str().unwrap().to_string();
    let mut ids = import_crossings(&post, dir.path(), A, "TLS1", 5);

    let port = free_port();
    let tls = ["--tls-cert", pki.cert.to_str().unwrap(), "--tls-key", pki.key.to_str().unwrap()];
    let mut centre_proc = serve(&centre, port, &tls, &dir.path().join("centre.log"));
    wait_up_tls(port, &pki.ca_pem).await;
    let central = format!("https://localhost:{port}");

    let queued = status(&post)["queued"].as_i64().unwrap();
    assert!(queued > 5, "the crossings and the import's audit entry are queued");
    // The system's CAs do not know the private one; nor does another CA.
    for ca in [None, Some(stranger.ca.to_str().unwrap())] {
        let mut args = vec!["sync", "--central", &central, "--post-key-file", key_file];
        args.extend(ca.map(|c| ["--ca-cert", c]).into_iter().flatten());
        let o = cli(&post, &args, None);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{ca:?}: {err}");
        assert!(err.contains("TLS certificate is not trusted (signed by an unknown certificate authority)"), "{err}");
        assert!(!err.contains(&key), "the key in an error: {err}");
        let s = status(&post);
        assert_eq!(s["queued"], queued, "{s}");
        assert!(s["last_error"].as_str().unwrap().contains("certificate is not trusted"), "{s}");
    }

    // Trusting the private CA, the records arrive.
    let ca = pki.ca.to_str().unwrap();
    let o = cli(&post, &["sync", "--central", &central, "--post-key-file", key_file, "--ca-cert", ca], None);
    let report: Value = serde_json::from_str(&ok(&o)).unwrap();
    assert_eq!((report["pushed"].as_i64(), report["applied"].as_i64()), (Some(queued), Some(queued)), "{report}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("warning") && !err.contains(&key), "{err}");
    assert_eq!(status(&post)["queued"], 0);

    // A serving post synchronises over HTTPS in the background.
    ids.extend(import_crossings(&post, dir.path(), A, "TLS2", 3));
    let post_port = free_port();
    let post_log = dir.path().join("post.log");
    let extra = ["--central", &central, "--post-key-file", key_file, "--ca-cert", ca, "--sync-interval", "1"];
    let mut post_proc = serve(&post, post_port, &extra, &post_log);
    wait_up(post_port).await;
    until(&post, "the serving post's queue to drain", |s| s["queued"] == 0 && s["last_error"].is_null()).await;
    kill(&mut post_proc);
    kill(&mut centre_proc);

    let store = Store::connect(&centre).await.unwrap();
    for id in &ids {
        let c = store.crossing(id).await.unwrap().unwrap_or_else(|| panic!("crossing {id} missing at the centre"));
        assert_eq!((c.record.post.as_str(), c.source.as_str()), (A, "sync"));
    }
    assert_eq!(store.received_counts(A).await.unwrap().values().sum::<i64>(), status(&post)["sent"].as_i64().unwrap());
    store.close().await;
    for log in [post_log, dir.path().join("centre.log")] {
        assert!(!std::fs::read_to_string(&log).unwrap().contains(&key), "the key in {}", log.display());
    }
}

/// With `--tls-cert`, every answer carries Strict-Transport-Security and
/// the session cookies are Secure without `--secure-cookies`; the same
/// server on plain HTTP sends neither.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_answers_with_hsts_and_secure_cookies() {
    let dir = tempfile::tempdir().unwrap();
    let pki = throwaway_pki(dir.path(), "centinela");
    let db = dir.path().join("centre.db").to_str().unwrap().to_string();
    ok(&cli(&db, &["users", "add", "--username", "admin", "--role", "admin", "--password-stdin"], Some(PASSWORD)));
    let login = json!({"username": "admin", "password": PASSWORD});

    let port = free_port();
    let tls = ["--tls-cert", pki.cert.to_str().unwrap(), "--tls-key", pki.key.to_str().unwrap()];
    let mut server = serve(&db, port, &tls, &dir.path().join("https.log"));
    wait_up_tls(port, &pki.ca_pem).await;
    let client = https_client(&pki.ca_pem);
    let base = format!("https://localhost:{port}");
    for r in [
        client.get(format!("{base}/api/health")).send().await.unwrap(),
        client.get(format!("{base}/api/no-such-route")).send().await.unwrap(),
        client.get(format!("{base}/entrar")).send().await.unwrap(),
    ] {
        let hsts = r.headers().get("strict-transport-security").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(hsts.as_deref(), Some("max-age=31536000"), "{}", r.url());
    }
    let r = client.post(format!("{base}/api/session")).json(&login).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("strict-transport-security"));
    let cookies: Vec<&str> = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap()).collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies.iter().all(|c| c.ends_with("; Secure")), "{cookies:?}");
    kill(&mut server);

    let port = free_port();
    let mut server = serve(&db, port, &[], &dir.path().join("http.log"));
    wait_up(port).await;
    let r =
        reqwest::Client::new().post(format!("http://127.0.0.1:{port}/api/session")).json(&login).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.headers().contains_key("strict-transport-security"));
    assert!(r.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().contains("Secure")));
    kill(&mut server);
}

/// The key and TLS files are checked before anything starts, each error
/// naming the file and never quoting a key; `--post-key` on the command
/// line still works (the contract) but warns, and a key file every user can
/// read is pointed out.
#[test]
fn key_and_tls_files_are_checked_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("post.db").to_str().unwrap().to_string();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let central = "https://127.0.0.1:9";
    let usage = |args: &[&str], want: &str| {
        let o = cli(&db, args, None);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        err
    };
    usage(&["sync", "--central", central, "--post-key-file", &path("missing.key")], "missing.key");
    secret_file(&dir.path().join("empty.key"), "\n");
    usage(&["sync", "--central", central, "--post-key-file", &path("empty.key")], "empty.key is empty");
    let secret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    secret_file(&dir.path().join("two.key"), &format!("{secret} {secret}\n"));
    let err = usage(&["sync", "--central", central, "--post-key-file", &path("two.key")], "two.key");
    assert!(!err.contains(secret), "{err}");
    secret_file(&dir.path().join("good.key"), secret);
    usage(
        &["sync", "--central", central, "--post-key-file", &path("good.key"), "--post-key", secret],
        "give the post key once",
    );
    std::fs::write(dir.path().join("junk.pem"), "not a certificate\n").unwrap();
    usage(
        &["sync", "--central", central, "--post-key-file", &path("good.key"), "--ca-cert", &path("junk.pem")],
        "junk.pem: no PEM certificate",
    );
    usage(&["serve", "--tls-cert", &path("nocert.pem"), "--tls-key", &path("good.key")], "nocert.pem");
    usage(&["serve", "--tls-cert", &path("junk.pem")], "--tls-cert and --tls-key go together");
    let pki = throwaway_pki(dir.path(), "centinela");
    let err =
        usage(&["serve", "--tls-cert", pki.cert.to_str().unwrap(), "--tls-key", &path("junk.pem")], "the TLS key file");
    assert!(err.contains("junk.pem holds no PEM private key"), "{err}");
    // A key that is not the certificate's.
    let other = throwaway_pki(dir.path(), "other");
    usage(
        &["serve", "--tls-cert", pki.cert.to_str().unwrap(), "--tls-key", other.key.to_str().unwrap()],
        "cannot be used together",
    );

    // Nothing answers on port 9: the cycle fails (exit 1), after the
    // warnings about how the key was given.
    let o = cli(&db, &["sync", "--central", central, "--post-key", secret], None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("warning: --post-key shows the key to every user"), "{err}");
    assert!(!err.contains(secret), "{err}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path().join("good.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let o = cli(&db, &["sync", "--central", central, "--post-key-file", &path("good.key")], None);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("good.key: every user of this machine can read it"), "{err}");
        assert!(!err.contains("--post-key shows"), "{err}");
    }
    // Plain HTTP beyond this machine is pointed out too (before the bad CA
    // file stops the command: no connection is tried).
    let err = usage(
        &[
            "sync",
            "--central",
            "http://192.0.2.1:9",
            "--post-key-file",
            &path("good.key"),
            "--ca-cert",
            &path("junk.pem"),
        ],
        "junk.pem",
    );
    assert!(err.contains("is plain HTTP"), "{err}");
}
