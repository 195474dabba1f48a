//! `spawn_apps()`: one running server per backend, with a fresh database.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};

use centinela_domain::Role;
use centinela_server::routes::Verb;
use centinela_server::{AppState, ServerConfig};
use centinela_store::{Backend, Store, User};
use reqwest::{Client, Method, RequestBuilder, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub store: Store,
    /// The server's state (to write the aggregated failures at once).
    pub state: AppState,
    /// Without a cookie store: bearer requests.
    pub client: Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _dir: Option<tempfile::TempDir>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A running server per backend available: SQLite always, PostgreSQL when
/// `CENTINELA_TEST_PG` is set.
pub async fn spawn_apps() -> Vec<TestApp> {
    spawn_apps_with(ServerConfig::default()).await
}

pub async fn spawn_apps_with(cfg: ServerConfig) -> Vec<TestApp> {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(dir.path().join("t.db").to_str().unwrap()).await.unwrap();
    let mut out = vec![spawn(store, cfg.clone(), Some(dir)).await];
    match std::env::var("CENTINELA_TEST_PG") {
        Ok(url) if !url.is_empty() => out.push(spawn(fresh_pg(&url).await, cfg, None).await),
        _ => {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| eprintln!("CENTINELA_TEST_PG not set: PostgreSQL API tests skipped"));
        }
    }
    out
}

async fn spawn(store: Store, cfg: ServerConfig, dir: Option<tempfile::TempDir>) -> TestApp {
    spawn_with_analytics(store, None, cfg, dir).await
}

/// A running server over `store`, statistics and analyses reading from
/// `analytics` (a read replica) when given.
pub async fn spawn_with_analytics(
    store: Store,
    analytics: Option<Store>,
    cfg: ServerConfig,
    dir: Option<tempfile::TempDir>,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::with_analytics(cfg, store.clone(), analytics);
    let served = state.clone();
    tokio::spawn(async move {
        centinela_server::serve_on(listener, served, async {
            let _ = stopped.await;
        })
        .await
        .unwrap();
    });
    TestApp { addr, store, state, client: Client::new(), stop: Some(stop), _dir: dir }
}

async fn fresh_pg(url: &str) -> Store {
    let store = Store::connect(&fresh_pg_url(url).await).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    store
}

/// The URL of a new, empty database on the server `url` names.
pub async fn fresh_pg_url(url: &str) -> String {
    use sqlx::Connection;
    static N: AtomicU32 = AtomicU32::new(0);
    let name = format!("centinela_api_{}_{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let mut admin = sqlx::PgConnection::connect(url).await.expect("CENTINELA_TEST_PG: cannot connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    format!("{base}/{name}")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn backend(&self) -> &'static str {
        match self.store.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// A client that keeps cookies, as a browser does.
    pub fn browser(&self) -> Client {
        Client::builder().cookie_store(true).build().unwrap()
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.request(Method::GET, path)
    }

    /// Creates a user with [`PASSWORD`] (through the store: argon2 once).
    pub async fn user(&self, username: &str, role: Role, post: Option<&str>) -> User {
        self.store.create_user("system", username, role, post, PASSWORD).await.unwrap()
    }

    /// A fresh session token for `user`, made in the store directly (no
    /// argon2 per token: the matrix test needs many).
    pub async fn token(&self, user: &User) -> String {
        static N: AtomicU32 = AtomicU32::new(0);
        let seed = format!("{}-{}-{}", user.id, std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let token: String = Sha256::digest(seed.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
        let hash: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        self.store.create_session(user.id, &hash, i64::MAX / 2).await.unwrap();
        token
    }

    /// `POST /api/session`.
    pub async fn login(&self, client: &Client, username: &str, password: &str) -> Response {
        client
            .post(self.url("/api/session"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap()
    }

    /// Every audit entry's (actor, action, subject, detail).
    pub async fn audit(&self) -> Vec<(String, String, String, Value)> {
        self.store
            .audit_entries(None)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.actor, r.action, r.subject, serde_json::from_str(&r.detail).unwrap()))
            .collect()
    }

    /// Runs one statement directly on the database, as an operator would.
    pub async fn raw(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        match self.store.backend() {
            Backend::Sqlite => sqlx::raw_sql(sql).execute(self.store.sqlite().unwrap()).await.map(drop),
            Backend::Postgres => sqlx::raw_sql(sql).execute(self.store.postgres().unwrap()).await.map(drop),
        }
        .unwrap();
    }
}

pub fn method(verb: Verb) -> Method {
    match verb {
        Verb::Get => Method::GET,
        Verb::Post => Method::POST,
        Verb::Put => Method::PUT,
        Verb::Patch => Method::PATCH,
        Verb::Delete => Method::DELETE,
    }
}

/// The status and the JSON body of an answer.
pub async fn json(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    // A live stream never ends: its status is the answer.
    let ct = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.starts_with("text/event-stream") {
        return (status, Value::Null);
    }
    let text = r.text().await.unwrap();
    let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
    (status, body)
}

/// Asserts an error answer's shape and code; returns the body.
pub async fn expect_error(r: Response, status: u16, code: &str) -> Value {
    let ct = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let (s, body) = json(r).await;
    assert_eq!((s, body["code"].as_str()), (status, Some(code)), "{body}");
    assert_eq!(ct.as_deref(), Some("application/json"));
    let obj = body.as_object().unwrap();
    assert_eq!(obj.len(), 3, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["type"].as_str().is_some(), "{body}");
    body
}
