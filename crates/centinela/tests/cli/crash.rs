//! The crash test: `kill -9` the server while inspections pour in; after a
//! restart every acknowledged crossing is there, none twice, and the audit
//! chain verifies.

use crate::support::{free_port, run, run_with_stdin};
use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "clave de prueba larga";

async fn start(db: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(db)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env_remove("CENTINELA_DB")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if client.get(format!("http://127.0.0.1:{port}/api/health")).send().await.is_ok_and(|r| r.status() == 200) {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not come up on port {port}");
}

async fn login(port: u16) -> String {
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/session"))
        .json(&serde_json::json!({"username": "oficial", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_dash_nine_loses_no_acknowledged_crossing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    assert!(
        run(&db, &["posts", "add", "--code", "GTM-TECUNUMAN", "--name", "Tecún Umán", "--country", "GTM"])
            .status
            .success()
    );
    let o = run_with_stdin(
        &db,
        &["users", "add", "--username", "oficial", "--role", "officer", "--post", "GTM-TECUNUMAN", "--password-stdin"],
        PASSWORD,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let port = free_port();
    let mut server = start(&db, port).await;
    let token = login(port).await;
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut clients = Vec::new();
    for w in 0..8 {
        let (acked, token) = (acked.clone(), token.clone());
        clients.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            for i in 0.. {
                let body = serde_json::json!({
                    "post": "GTM-TECUNUMAN", "direction": "entry",
                    "travellers": [{"given_names": "Ana", "surnames": format!("López {w} {i}"), "birth_date": "1990-01-01"}]
                });
                let r = client
                    .post(format!("http://127.0.0.1:{port}/api/inspections"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                let Ok(r) = r else { break };
                if r.status() != 201 {
                    break;
                }
                let Ok(v) = r.json::<serde_json::Value>().await else { break };
                acked.lock().unwrap().push(v["travellers"][0]["crossing_id"].as_str().unwrap().to_string());
            }
        }));
    }
    // Let the load run (long enough for the writer's background checkpoints
    // to run meanwhile), then kill the server without warning.
    let started = Instant::now();
    let deadline = started + Duration::from_secs(30);
    while (acked.lock().unwrap().len() < 300 || started.elapsed() < Duration::from_millis(1500))
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    server.kill().unwrap(); // SIGKILL
    server.wait().unwrap();
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 100, "too few inspections before the kill: {}", acked.len());

    // Restart: every acknowledged crossing is there, each once.
    let mut server = start(&db, port).await;
    let store = centinela_store::Store::connect(db.to_str().unwrap()).await.unwrap();
    for id in &acked {
        assert!(store.crossing(id).await.unwrap().is_some(), "acknowledged crossing {id} lost");
    }
    let unique: HashSet<&String> = acked.iter().collect();
    assert_eq!(unique.len(), acked.len(), "a crossing acknowledged twice");
    let stored = store.crossing_count().await.unwrap() as usize;
    assert!(stored >= acked.len(), "{stored} stored < {} acknowledged", acked.len());
    store.close().await;
    // The server still works after the restart.
    let token = login(port).await;
    let r = reqwest::Client::new()
        .post(format!("http://127.0.0.1:{port}/api/inspections"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"post": "GTM-TECUNUMAN", "direction": "exit", "travellers": [{"surnames": "Ruiz"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    server.kill().unwrap();
    server.wait().unwrap();
    let o = run(&db, &["audit", "verify"]);
    assert!(o.status.success(), "audit chain broken after the crash: {}", String::from_utf8_lossy(&o.stdout));
}

/// The peak resident memory of a process, in KiB (Linux).
fn peak_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// 150 concurrent logins with made-up usernames, from 150 addresses (so no
/// per-address limit applies), once took the server from 24 MB to 3.9 GB
/// (each attempt hashes with 19 MiB, all at once). Now hashing runs one per
/// core and logins beyond a bound are answered at once: the peak stays a
/// small multiple of one hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_logins_does_not_exhaust_memory() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("flood.db");
    assert!(run(&db, &["migrate"]).status.success());
    let port = free_port();
    let mut server = start(&db, port).await;
    let before = peak_kib(server.id());
    let mut tries = Vec::new();
    for i in 0..150u8 {
        tries.push(tokio::spawn(async move {
            let client =
                reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 1, i])).build().unwrap();
            let body = serde_json::json!({"username": format!("nadie{i}"), "password": "una clave cualquiera larga"});
            let r = client.post(format!("http://127.0.0.1:{port}/api/session")).json(&body).send().await.unwrap();
            r.status().as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let peak = peak_kib(server.id());
    let _ = server.kill();
    let _ = server.wait();
    assert!(statuses.iter().all(|s| *s == 401 || *s == 429), "{statuses:?}");
    // One argon2 hash holds 19 MiB, and the server hashes one per core: the
    // flood may cost that much and little more (it cost 257 MiB on 2 cores
    // with hashing on tokio's blocking pool).
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get) as u64;
    assert!(peak < before + (cores * 22 + 48) * 1024, "peak {peak} KiB from {before} KiB");
    eprintln!("login flood: peak {} MiB (from {} MiB)", peak / 1024, before / 1024);
}
