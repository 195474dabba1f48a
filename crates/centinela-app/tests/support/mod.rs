//! What the app's tests share: a fresh store per backend (SQLite always,
//! PostgreSQL when `CENTINELA_TEST_PG` names a server) and a tiny HTTP
//! server on 127.0.0.1 serving fixtures the test changes between pulls.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use centinela_store::{Backend, Store};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut out = vec![(Store::connect(path.to_str().unwrap()).await.unwrap(), Some(dir))];
    if let Ok(url) = std::env::var("CENTINELA_TEST_PG")
        && !url.is_empty()
    {
        out.push((fresh_pg(&url).await, None));
    }
    out
}

async fn fresh_pg(url: &str) -> Store {
    use sqlx::Connection;
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!("centinela_app_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let mut admin = sqlx::PgConnection::connect(url).await.expect("CENTINELA_TEST_PG: cannot connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let store = Store::connect(&format!("{base}/{name}")).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    store
}

/// One fixture: status, body, ETag (a request whose If-None-Match equals
/// it is answered 304).
#[derive(Debug, Clone)]
pub struct Fixture {
    pub status: u16,
    pub body: Vec<u8>,
    pub etag: Option<String>,
}

impl Fixture {
    pub fn ok(body: impl Into<Vec<u8>>) -> Fixture {
        Fixture { status: 200, body: body.into(), etag: None }
    }
    pub fn tagged(body: impl Into<Vec<u8>>, etag: &str) -> Fixture {
        Fixture { status: 200, body: body.into(), etag: Some(format!("\"{etag}\"")) }
    }
    pub fn error(status: u16) -> Fixture {
        Fixture { status, body: b"{}".to_vec(), etag: None }
    }
}

/// What the server was asked, for the tests' checks.
#[derive(Debug, Default)]
pub struct Seen {
    pub requests: u64,
    pub not_modified: u64,
    /// Requests per path (query included).
    pub paths: HashMap<String, u64>,
}

#[derive(Clone)]
pub struct FixtureServer {
    pub base: String,
    pub routes: Arc<Mutex<HashMap<String, Fixture>>>,
    pub seen: Arc<Mutex<Seen>>,
}

impl FixtureServer {
    pub async fn start() -> FixtureServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let routes: Arc<Mutex<HashMap<String, Fixture>>> = Arc::default();
        let seen: Arc<Mutex<Seen>> = Arc::default();
        let (r, s) = (routes.clone(), seen.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else { return };
                let (r, s) = (r.clone(), s.clone());
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&buf).to_string();
                    let mut lines = head.lines();
                    let path = lines.next().unwrap_or("").split(' ').nth(1).unwrap_or("/").to_string();
                    let inm = lines
                        .filter_map(|l| l.split_once(':'))
                        .find(|(k, _)| k.eq_ignore_ascii_case("if-none-match"))
                        .map(|(_, v)| v.trim().to_string());
                    let fixture = r.lock().unwrap().get(&path).cloned();
                    let (status, body, etag) = match fixture {
                        None => (404, b"not found".to_vec(), None),
                        Some(f) if f.etag.is_some() && f.etag == inm => (304, Vec::new(), f.etag),
                        Some(f) => (f.status, f.body, f.etag),
                    };
                    {
                        let mut s = s.lock().unwrap();
                        s.requests += 1;
                        if status == 304 {
                            s.not_modified += 1;
                        }
                        *s.paths.entry(path).or_default() += 1;
                    }
                    let mut out =
                        format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
                    if let Some(e) = etag {
                        out.push_str(&format!("ETag: {e}\r\n"));
                    }
                    out.push_str("\r\n");
                    let mut bytes = out.into_bytes();
                    bytes.extend_from_slice(&body);
                    let _ = sock.write_all(&bytes).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        FixtureServer { base, routes, seen }
    }

    pub fn set(&self, path: &str, f: Fixture) {
        self.routes.lock().unwrap().insert(path.to_string(), f);
    }

    pub fn remove(&self, path: &str) {
        self.routes.lock().unwrap().remove(path);
    }

    pub fn requests(&self) -> u64 {
        self.seen.lock().unwrap().requests
    }

    pub fn not_modified(&self) -> u64 {
        self.seen.lock().unwrap().not_modified
    }
}
