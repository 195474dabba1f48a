//! Centinela's HTTP API: an axum server over one [`Store`].
//!
//! # Shape
//! - [`routes`] — the one table of endpoints: method, route, who may call
//!   it, handler. The router and the access guard are generated from it.
//! - [`auth`] — session tokens (bearer header or cookie), CSRF double
//!   submit, the guard (deny by default), [`CurrentUser`].
//! - [`error`] — [`ApiError`]: `{"message","code","type"}` with a stable
//!   [`ErrorCode`]; the [`Json`], [`Path`] and [`Query`] extractors that turn
//!   any malformed input into a 4xx of that shape.
//! - [`AppState`] — the use cases ([`centinela_app::App`]), the
//!   configuration, the session cache and the login limiter.
//! - [`web`] — the web interface: pages outside `/api/`, with their own
//!   role table ([`web::PAGES`]), on the same cookie sessions.
//! - [`openapi`] — the OpenAPI document (`/api/openapi.json`) and the
//!   vendored Swagger UI (`/api/docs`), both offline.
//!
//! # Adding an endpoint
//! 1. Write the use case in `centinela-app` (it checks post binding and
//!    audits: the store inside its write transaction, or `App::audit`
//!    before a read of personal data is answered — ids, codes and counts
//!    only). Then the handler in `handlers/<resource>.rs` with a
//!    `#[utoipa::path]` annotation: take the user as [`CurrentUser`], input
//!    through this crate's [`Json`]/[`Path`]/[`Query`], call `app.app()`,
//!    answer `Result<_, ApiError>`. A web page calls the same use case,
//!    never the handler.
//! 2. Add its line to the `endpoints!` table in `routes.rs`, e.g.
//!    `Post "/api/inspections" roles(&[Role::Officer]) => inspections::create;`
//! 3. List the handler in `paths(...)` of [`openapi::ApiDoc`].
//!
//! The role-matrix test (`tests/api/matrix.rs`) then calls the new endpoint
//! with every role and without login, and checks that the OpenAPI document
//! has it; nothing else needs changing.
//!
//! # Logs
//! One line per request (target `centinela_server::access`): method, route
//! template (never the raw URI), status, latency, user id. No names,
//! document numbers, bodies or query strings.

pub mod auth;
pub mod error;
pub mod failures;
pub mod handlers;
pub mod openapi;
mod recent;
pub mod routes;
pub mod schemas;
mod signin;
mod state;
pub mod tls;
pub mod user;
pub mod web;

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use centinela_store::Store;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use auth::{AuthUser, CurrentUser};
pub use error::{ApiError, ErrorCode, Json, Path, Query};
pub use routes::{ENDPOINTS, Endpoint};
pub use state::{AppState, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_PEER, ServerConfig};
pub use tls::{TlsConfig, TlsError};

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot load the alert lists: {0}")]
    Lists(centinela_app::AppError),
}

/// Binds `cfg.addr`, loads the active alert lists into memory, and serves
/// until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    cfg: ServerConfig,
    store: Store,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let addr = cfg.addr;
    let listener = TcpListener::bind(addr).await.map_err(|source| ServerError::Bind { addr, source })?;
    let state = AppState::new(cfg, store);
    let started = Instant::now();
    let (persons, documents) = state.inspections().reload(state.store()).await.map_err(ServerError::Lists)?;
    tracing::info!(persons, documents, secs = started.elapsed().as_secs_f64(), "alert lists loaded");
    serve_on(listener, state, shutdown).await
}

/// Serves on a bound listener (tests bind `127.0.0.1:0`) until `shutdown`
/// completes: HTTPS when the configuration has [`ServerConfig::tls`], else
/// plain HTTP. Sweeps expired sessions and stale caches every few minutes.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let tls = state.config().tls.clone();
    tracing::info!(addr = %listener.local_addr()?, tls = tls.is_some(), "listening");
    let sweeper = tokio::spawn(sweep(state.clone()));
    let flusher = tokio::spawn(flush_attempts(state.clone()));
    let limits = ConnLimits::new(state.config());
    let result = serve_app(listener, tls, limits, router(state.clone()), shutdown).await;
    sweeper.abort();
    flusher.abort();
    if let Err(e) = state.flush_attempts(true).await {
        tracing::error!(error = %e.message, "cannot audit the last minute's repeated failures");
    }
    tracing::info!("stopped");
    Ok(result?)
}

/// Serves `app` on `listener`, over TLS when `tls` is given, with the peer
/// address as `ConnectInfo<SocketAddr>`, until `shutdown` completes; then
/// finishes the requests in flight.
async fn serve_app(
    listener: TcpListener,
    tls: Option<TlsConfig>,
    limits: ConnLimits,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    match tls {
        None => connections(listener, limits, app, shutdown).await,
        Some(tls) => connections(tls::TlsListener::new(listener, &tls), limits, app, shutdown).await,
    }
}

/// How many connections may be open at once, in all and from one address,
/// and how long a client may take to send a request's headers.
struct ConnLimits {
    header_timeout: std::time::Duration,
    total: usize,
    per_peer: usize,
    proxies: Vec<std::net::IpAddr>,
    /// Connections open now, in all and by address.
    open: std::sync::Arc<std::sync::Mutex<(usize, HashMap<std::net::IpAddr, usize>)>>,
}

impl ConnLimits {
    fn new(config: &ServerConfig) -> Self {
        ConnLimits {
            header_timeout: config.header_read_timeout,
            total: config.max_connections.min(fd_budget()).max(1),
            per_peer: config.max_connections_per_peer.max(1),
            proxies: config.trusted_proxies.clone(),
            open: Default::default(),
        }
    }

    /// A slot for a connection from `peer`, or `None` when it would pass a
    /// limit. The slot is given back when dropped.
    fn admit(&self, peer: std::net::IpAddr) -> Option<ConnSlot> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        let proxy = self.proxies.contains(&peer);
        let from_peer = open.1.get(&peer).copied().unwrap_or(0);
        if open.0 >= self.total || (!proxy && from_peer >= self.per_peer) {
            return None;
        }
        open.0 += 1;
        *open.1.entry(peer).or_insert(0) += 1;
        Some(ConnSlot { open: self.open.clone(), peer })
    }
}

/// Counts a connection closed at a limit, and says so in the log at most
/// once a minute (with how many since).
fn refused_connection() {
    use std::sync::atomic::{AtomicU64, Ordering};
    static REFUSED: AtomicU64 = AtomicU64::new(0);
    static LAST_SAID: AtomicU64 = AtomicU64::new(0);
    let n = REFUSED.fetch_add(1, Ordering::Relaxed) + 1;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let last = LAST_SAID.load(Ordering::Relaxed);
    if now >= last + 60 && LAST_SAID.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
        tracing::warn!(refused = n, "connections over the limits closed (in all since start)");
    }
}

/// One admitted connection; dropping it frees its place.
struct ConnSlot {
    open: std::sync::Arc<std::sync::Mutex<(usize, HashMap<std::net::IpAddr, usize>)>>,
    peer: std::net::IpAddr,
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.peer) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.peer);
            }
        }
    }
}

/// The connections this process can hold: its open-file limit (raised to
/// the hard limit first) less a margin for the database, the log and the
/// listener.
fn fd_budget() -> usize {
    #[cfg(unix)]
    {
        let mut lim = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: getrlimit/setrlimit only read and write the struct given.
        unsafe {
            if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
                return usize::MAX;
            }
            if lim.rlim_cur < lim.rlim_max {
                let raised = libc::rlimit { rlim_cur: lim.rlim_max, rlim_max: lim.rlim_max };
                if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                    lim = raised;
                }
            }
        }
        usize::try_from(lim.rlim_cur).unwrap_or(usize::MAX).saturating_sub(256)
    }
    #[cfg(not(unix))]
    {
        usize::MAX
    }
}

/// The connection loop: each accepted connection served by hyper's HTTP/1
/// server with a header-read timeout ([`ServerConfig::header_read_timeout`];
/// axum::serve has none), the peer
/// address put in every request; on `shutdown`, no new connections, and
/// those open finish their requests in flight.
async fn connections<L>(
    mut listener: L,
    limits: ConnLimits,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()>
where
    L: axum::serve::Listener<Addr = SocketAddr>,
{
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt;

    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let Some(slot) = limits.admit(peer.ip()) else {
            // Closed before a byte is read: no handler, no log line per
            // connection (a flood would fill the log); counted instead.
            refused_connection();
            drop(io);
            continue;
        };
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .serve_connection(TokioIo::new(io), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM: pass it to [`serve`].
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: shutting down"),
        () = term => tracing::info!("SIGTERM: shutting down"),
    }
}

/// Writes the repeated failures of each minute once it is over.
async fn flush_attempts(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(5));
    loop {
        tick.tick().await;
        if let Err(e) = state.flush_attempts(false).await {
            tracing::warn!(error = %e.message, "cannot audit repeated failures; will retry");
        }
    }
}

async fn sweep(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(300));
    loop {
        tick.tick().await;
        state.sessions().sweep(state.config().auth_cache_ttl);
        state.limiter().sweep();
        match state.store().delete_expired_sessions(state::unix_now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "expired sessions removed"),
            Err(e) => tracing::warn!(error = %e, "cannot remove expired sessions"),
        }
        let idle = i64::try_from(state.config().idle_timeout.as_secs()).unwrap_or(i64::MAX);
        match state.store().delete_idle_sessions(state::unix_now().saturating_sub(idle)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, "idle sessions removed"),
            Err(e) => tracing::warn!(error = %e, "cannot remove idle sessions"),
        }
    }
}

/// The whole application: the endpoint table, the Swagger UI, JSON answers
/// for unknown routes and methods, the body limit, panic recovery, security
/// headers (with HTTPS, `Strict-Transport-Security` too) and the request
/// log.
pub fn router(state: AppState) -> Router {
    state.set_openapi(openapi::document_json());
    let https = state.config().tls.is_some();
    let swagger =
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").config(utoipa_swagger_ui::Config::from("/api/openapi.json"));
    let app = routes::api_routes(&state)
        .merge(routes::post_key_routes())
        .merge(web::routes(&state))
        .merge(swagger)
        .fallback(fallback)
        .method_not_allowed_fallback(|| async {
            ApiError::new(ErrorCode::MethodNotAllowed, "this route does not take that method")
        })
        .layer(DefaultBodyLimit::max(state.config().body_limit))
        .layer(CatchPanicLayer::custom(panic_answer))
        .layer(middleware::from_fn(access_log))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .with_state(state);
    if https { app.layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, HSTS)) } else { app }
}

/// Browsers that once reached the server over HTTPS refuse plain HTTP to it
/// for a year. Subdomains are not included: they may be other services.
const HSTS: HeaderValue = HeaderValue::from_static("max-age=31536000");

/// Unknown routes: the error JSON under `/api/`, a page elsewhere.
async fn fallback(axum::extract::State(app): axum::extract::State<AppState>, req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        ApiError::not_found("no such route").into_response()
    } else {
        let (parts, _) = req.into_parts();
        web::not_found_page(&app, &parts).await
    }
}

/// The last resort: a handler panicked. The panic's message may hold
/// anything, so it is not logged.
fn panic_answer(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a handler panicked");
    ApiError::new(ErrorCode::Internal, "internal error; the server log has the details").into_response()
}

async fn access_log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    let resp = next.run(req).await;
    let user = resp.extensions().get::<auth::LoggedUser>().map(|u| u.0);
    tracing::info!(
        target: "centinela_server::access",
        method = %method,
        route = route.as_deref().unwrap_or("<unmatched>"),
        status = resp.status().as_u16(),
        latency_us = u64::try_from(start.elapsed().as_micros()).unwrap_or(u64::MAX),
        user,
        "request"
    );
    resp
}

#[cfg(test)]
mod layers;
#[cfg(test)]
mod tests {
    use axum::routing::get;

    use super::*;

    async fn boom() -> &'static str {
        panic!("secret detail")
    }

    /// The last resort: a panicking handler answers 500 with the error
    /// JSON, and the server goes on serving.
    #[tokio::test]
    async fn panics_become_internal_errors() {
        let app: Router = Router::new()
            .route("/boom", get(boom))
            .route("/ok", get(|| async { "ok" }))
            .layer(CatchPanicLayer::custom(panic_answer));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let client = reqwest::Client::new();
        let r = client.get(format!("http://{addr}/boom")).send().await.unwrap();
        assert_eq!(r.status(), 500);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!((body["code"].as_str(), body["type"].as_str()), (Some("internal"), Some("internal")));
        assert!(!body.to_string().contains("secret"));
        assert_eq!(client.get(format!("http://{addr}/ok")).send().await.unwrap().status(), 200);
    }

    /// A throwaway certificate authority and a certificate it signed for
    /// `localhost` and 127.0.0.1: (CA PEM, server TLS configuration).
    fn throwaway_pki() -> (String, TlsConfig) {
        use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        let cert = params.signed_by(&key, &ca).unwrap();
        let key = rustls_pki_types::PrivateKeyDer::try_from(key.serialize_der()).unwrap();
        (ca.pem(), TlsConfig::new(vec![cert.der().clone()], key).unwrap())
    }

    /// Over TLS the handlers still see the peer's address, and a client that
    /// connects and never starts its handshake holds up nobody.
    #[tokio::test]
    async fn https_with_the_peer_address_beside_a_silent_client() {
        use axum::extract::ConnectInfo;
        let (ca, tls) = throwaway_pki();
        let app: Router = Router::new()
            .route("/peer", get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.ip().to_string() }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(serve_app(
            listener,
            Some(tls),
            ConnLimits::new(&ServerConfig::default()),
            app,
            std::future::pending(),
        ));
        let _silent = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let client = reqwest::Client::builder()
            .tls_certs_only([reqwest::Certificate::from_pem(ca.as_bytes()).unwrap()])
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        for host in ["localhost", "127.0.0.1"] {
            let r = client.get(format!("https://{host}:{port}/peer")).send().await.unwrap();
            assert_eq!(r.status(), 200);
            assert_eq!(r.text().await.unwrap(), "127.0.0.1");
        }
        // Plain HTTP to the HTTPS port gets no answer.
        assert!(client.get(format!("http://127.0.0.1:{port}/peer")).send().await.is_err());
    }

    /// A client that trickles its headers (slowloris) once held a connection
    /// for ever; it is now cut off after the header-read timeout, over
    /// plain HTTP as over TLS, while others are served meanwhile.
    #[tokio::test]
    async fn a_client_trickling_its_headers_is_cut_off() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let app: Router = Router::new().route("/x", get(|| async { "ok" }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let limits = ConnLimits::new(&ServerConfig {
            header_read_timeout: Duration::from_millis(500),
            ..ServerConfig::default()
        });
        tokio::spawn(serve_app(listener, None, limits, app, std::future::pending()));
        let mut slow = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        slow.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\n").await.unwrap();
        let started = std::time::Instant::now();
        let answer = reqwest::get(format!("http://127.0.0.1:{port}/x")).await.unwrap();
        assert_eq!(answer.text().await.unwrap(), "ok");
        for _ in 0..20 {
            // A header line every 100 ms: never idle, never done.
            if slow.write_all(b"X-A: b\r\n").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "the connection is still open after {:?}", started.elapsed());
        assert!(started.elapsed() < Duration::from_secs(4), "{:?}", started.elapsed());
    }

    /// One machine opening connections without end gets at most its share:
    /// the one past the limit is closed at once, the others still work,
    /// and a place freed is a place again.
    #[tokio::test]
    async fn connections_past_the_limit_from_one_address_are_closed() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let app: Router = Router::new().route("/x", get(|| async { "ok" }));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let limits = ConnLimits::new(&ServerConfig { max_connections_per_peer: 3, ..ServerConfig::default() });
        tokio::spawn(serve_app(listener, None, limits, app, std::future::pending()));
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap());
        }
        // Let the server accept all three before the fourth.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let mut extra = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let _ = extra.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n").await;
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), extra.read_to_end(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "the fourth connection was served: {read:?}");
        // The three held ones are served.
        let first = &mut held[0];
        first.write_all(b"GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").await.unwrap();
        let mut answer = String::new();
        first.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
        // That one closed: its place is free for a new client.
        drop(held.remove(0));
        let mut served = false;
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/x")).await {
                served = r.text().await.is_ok_and(|t| t == "ok");
                if served {
                    break;
                }
            }
        }
        assert!(served, "a freed place was not given again");
    }

    #[test]
    fn the_total_limit_counts_every_address_and_a_proxy_only_there() {
        let proxy: std::net::IpAddr = "10.0.0.1".parse().unwrap();
        let limits = ConnLimits::new(&ServerConfig {
            max_connections: 4,
            max_connections_per_peer: 1,
            trusted_proxies: vec![proxy],
            ..ServerConfig::default()
        });
        let a: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let slot = limits.admit(a).expect("first from a");
        assert!(limits.admit(a).is_none(), "second from a");
        let via_proxy: Vec<_> =
            (0..3).map(|_| limits.admit(proxy).expect("the proxy counts only in the total")).collect();
        assert!(limits.admit(proxy).is_none(), "the total is reached");
        drop(slot);
        assert!(limits.admit("10.0.0.3".parse().unwrap()).is_some(), "a freed place");
        drop(via_proxy);
    }

    #[test]
    fn secure_cookies_when_configured() {
        let [session, csrf] = auth::session_cookies(&"a".repeat(64), 60, true);
        assert!(session.to_str().unwrap().ends_with("; Secure"));
        assert!(csrf.to_str().unwrap().ends_with("; Secure"));
        let [session, _] = auth::expired_cookies(false);
        assert!(!session.to_str().unwrap().contains("Secure"));
    }
}
