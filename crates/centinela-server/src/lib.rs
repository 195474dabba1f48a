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
pub use state::{AppState, ServerConfig};
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
    let header_timeout = state.config().header_read_timeout;
    let result = serve_app(listener, tls, header_timeout, router(state.clone()), shutdown).await;
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
    header_timeout: std::time::Duration,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    match tls {
        None => connections(listener, header_timeout, app, shutdown).await,
        Some(tls) => connections(tls::TlsListener::new(listener, &tls), header_timeout, app, shutdown).await,
    }
}

/// The connection loop: each accepted connection served by hyper's HTTP/1
/// server with a header-read timeout ([`ServerConfig::header_read_timeout`];
/// axum::serve has none), the peer
/// address put in every request; on `shutdown`, no new connections, and
/// those open finish their requests in flight.
async fn connections<L>(
    mut listener: L,
    header_timeout: std::time::Duration,
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
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: axum::http::Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            app.clone().oneshot(req)
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(io), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
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
        tokio::spawn(serve_app(listener, Some(tls), Duration::from_secs(20), app, std::future::pending()));
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
        tokio::spawn(serve_app(listener, None, Duration::from_millis(500), app, std::future::pending()));
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

    #[test]
    fn secure_cookies_when_configured() {
        let [session, csrf] = auth::session_cookies(&"a".repeat(64), 60, true);
        assert!(session.to_str().unwrap().ends_with("; Secure"));
        assert!(csrf.to_str().unwrap().ends_with("; Secure"));
        let [session, _] = auth::expired_cookies(false);
        assert!(!session.to_str().unwrap().contains("Secure"));
    }
}
