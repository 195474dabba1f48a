//! What every handler shares: the store, the configuration, the short-lived
//! token cache, the login rate limiter, the OpenAPI document, and the audit
//! helper.

use std::collections::{HashMap, VecDeque};
use std::fmt::Display;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use centinela_store::Store;

use crate::error::ApiError;
use crate::user::AuthUser;
use centinela_app::{App, Inspections, IntelCache};

/// How the server runs. [`Default`] is fit for a post on one machine.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen (only [`crate::serve`] uses it).
    pub addr: SocketAddr,
    /// Mark cookies `Secure` (set when the server is behind HTTPS; always
    /// with [`ServerConfig::tls`]).
    pub secure_cookies: bool,
    /// Serve HTTPS with this certificate and key (cookies are then
    /// `Secure` and every answer carries `Strict-Transport-Security`).
    pub tls: Option<crate::tls::TlsConfig>,
    /// How long a session lasts after login.
    pub session_ttl: Duration,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the client (login
    /// limits and audit entries then count the client's address, not the
    /// proxy's). Empty: the TCP peer is the client.
    pub trusted_proxies: Vec<IpAddr>,
    /// How long a client may take to send a request's headers (from the
    /// connection's start, or the previous answer on a kept-alive
    /// connection): one that trickles them to hold connections open
    /// (slowloris) is cut off.
    pub header_read_timeout: Duration,
    /// The window over which failed logins are counted.
    pub login_window: Duration,
    /// Failed logins for one username from one address within the window
    /// before further attempts must wait (growing delays, never a lock).
    pub max_failures_per_user: usize,
    /// Failed logins per client address (any username) within the window
    /// before further attempts must wait (higher: a post's booths may share
    /// one address).
    pub max_failures_per_ip: usize,
    /// Failed logins for one username from every address within the window
    /// before further attempts must wait (guessing spread over addresses).
    pub max_failures_per_account: usize,
    /// Logins hashed or waiting to be at once; more answer `rate_limited`
    /// at once (each hash holds 19 MiB; the hashing itself runs at most one
    /// per core).
    pub max_concurrent_logins: usize,
    /// How long a token → user lookup is reused without asking the
    /// database. Disabling a user or logging out elsewhere takes effect on
    /// other server processes within this time (on this one, at once).
    pub auth_cache_ttl: Duration,
    /// A session unused for this long ends (its last use is recorded at
    /// most once a minute). 30 minutes: a booth machine left unattended,
    /// as NIST SP 800-63B asks of sessions at its second assurance level.
    pub idle_timeout: Duration,
    /// Connections open at once, from every client together. One past it
    /// is closed as soon as it is accepted (before a byte is read), so that
    /// no flood can take every file descriptor the booths need.
    pub max_connections: usize,
    /// Connections open at once from one address: one machine cannot hold
    /// the connections of every other. A trusted proxy
    /// ([`ServerConfig::trusted_proxies`]) counts only in the total.
    pub max_connections_per_peer: usize,
}

/// [`ServerConfig::max_connections`] by default.
pub const MAX_CONNECTIONS: usize = 2048;
/// [`ServerConfig::max_connections_per_peer`] by default.
pub const MAX_CONNECTIONS_PER_PEER: usize = 256;

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            secure_cookies: false,
            tls: None,
            session_ttl: Duration::from_secs(12 * 3600),
            body_limit: 1 << 20,
            trusted_proxies: Vec::new(),
            header_read_timeout: Duration::from_secs(20),
            login_window: Duration::from_secs(15 * 60),
            max_failures_per_user: 5,
            max_failures_per_ip: 20,
            max_failures_per_account: 100,
            max_concurrent_logins: 32,
            auth_cache_ttl: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30 * 60),
            max_connections: MAX_CONNECTIONS,
            max_connections_per_peer: MAX_CONNECTIONS_PER_PEER,
        }
    }
}

/// The shared state of the server; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    app: App,
    config: ServerConfig,
    sessions: SessionCache,
    limiter: LoginLimiter,
    failures: crate::failures::Failures,
    /// Logins under way (hashing or waiting to): at most
    /// [`ServerConfig::max_concurrent_logins`].
    logins: tokio::sync::Semaphore,
    /// The OpenAPI document, set once by [`crate::router`] (it is made from
    /// the handlers, which sit above this module).
    openapi: std::sync::OnceLock<Bytes>,
    /// Each session's last page answered to a form, for the language switch.
    recent_pages: crate::recent::RecentPages,
}

impl AppState {
    /// The user changes their own password (the use case), and this
    /// server's session cache follows: the user's other sessions are
    /// forgotten, and this one too when the current password was wrong
    /// (the use case ended it).
    pub(crate) async fn change_own_password(
        &self,
        user: &AuthUser,
        current: &str,
        new: &str,
    ) -> Result<centinela_app::accounts::ChangeView, centinela_app::AppError> {
        let changed = self.app().change_own_password(user, user.session_id, &user.token_hash, current, new).await;
        match &changed {
            Ok(c) => self.sessions().remove_user(c.user.id),
            Err(centinela_app::AppError::Store(centinela_store::StoreError::WrongPassword)) => {
                self.sessions().remove(&user.token_hash)
            }
            Err(_) => {}
        }
        changed
    }

    pub fn new(config: ServerConfig, store: Store) -> AppState {
        AppState::with_analytics(config, store, None)
    }

    /// As [`AppState::new`], with statistics (`/api/stats…`, the dashboard,
    /// the regional report) and intelligence analyses reading from
    /// `analytics` — a streaming read replica of `store` opened with
    /// [`Store::connect_read_only`] — instead of `store`.
    pub fn with_analytics(mut config: ServerConfig, store: Store, analytics: Option<Store>) -> AppState {
        config.secure_cookies |= config.tls.is_some();
        let limiter = LoginLimiter::new(config.login_window);
        let logins = tokio::sync::Semaphore::new(config.max_concurrent_logins.max(1));
        AppState(Arc::new(Inner {
            logins,
            app: App::with_analytics(store, analytics),
            config,
            sessions: SessionCache::default(),
            limiter,
            failures: crate::failures::Failures::default(),
            openapi: std::sync::OnceLock::new(),
            recent_pages: crate::recent::RecentPages::default(),
        }))
    }

    /// The use cases: what every handler and page calls.
    pub fn app(&self) -> &App {
        &self.0.app
    }

    /// The alert lists in memory and the inspection writer.
    pub fn inspections(&self) -> &Inspections {
        self.0.app.inspections()
    }

    /// The latest intelligence analysis, recomputed when the data changes.
    pub fn intel(&self) -> &IntelCache {
        self.0.app.intel()
    }

    pub fn store(&self) -> &Store {
        self.0.app.store()
    }

    /// The store statistics and analyses read (see [`App::analytics`]).
    pub fn analytics(&self) -> &Store {
        self.0.app.analytics()
    }

    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    pub(crate) fn recent_pages(&self) -> &crate::recent::RecentPages {
        &self.0.recent_pages
    }

    pub(crate) fn sessions(&self) -> &SessionCache {
        &self.0.sessions
    }

    pub(crate) fn limiter(&self) -> &LoginLimiter {
        &self.0.limiter
    }

    pub(crate) fn failures(&self) -> &crate::failures::Failures {
        &self.0.failures
    }

    /// A place among the logins under way, or `None` when all are taken.
    pub(crate) fn login_slot(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        self.0.logins.try_acquire().ok()
    }

    pub(crate) fn openapi_json(&self) -> Bytes {
        self.0.openapi.get().cloned().unwrap_or_default()
    }

    pub(crate) fn set_openapi(&self, document: Bytes) {
        // A second router over the same state keeps the first document: the
        // same bytes.
        let _ = self.0.openapi.set(document);
    }

    /// Appends to the audit chain what `user` did: `action` a snake_case
    /// code, `subject` an id (`user:7`, `crossing:C-1`), `detail` JSON of
    /// codes, counts and ids — never names, dates of birth or document
    /// numbers. Call it before answering: if the entry cannot be written,
    /// the request fails (`internal`) and the data is not shown.
    pub async fn audit(
        &self,
        user: &AuthUser,
        action: &str,
        subject: impl Display,
        detail: serde_json::Value,
    ) -> Result<(), ApiError> {
        self.audit_as(&user.actor(), action, subject, detail).await
    }

    /// [`AppState::audit`] for an actor that is not a logged-in user
    /// (`anonymous` for failed logins, `system`).
    pub async fn audit_as(
        &self,
        actor: &str,
        action: &str,
        subject: impl Display,
        detail: serde_json::Value,
    ) -> Result<(), ApiError> {
        Ok(self.0.app.audit_as(actor, action, subject, detail).await?)
    }
}

/// Now in Unix seconds.
pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Token hash → user, kept for [`ServerConfig::auth_cache_ttl`], so a
/// request costs a hash and a map lookup rather than a database query.
#[derive(Default)]
pub(crate) struct SessionCache {
    map: Mutex<HashMap<[u8; 32], Cached>>,
}

/// A user and when the database said so.
type Cached = (Arc<AuthUser>, Instant);

/// Above this many cached sessions, stale ones are swept on insert.
const CACHE_SWEEP_AT: usize = 10_000;

impl SessionCache {
    pub(crate) fn get(&self, token_hash: &[u8; 32], ttl: Duration, now: i64) -> Option<Arc<AuthUser>> {
        let map = lock(&self.map);
        let (user, at) = map.get(token_hash)?;
        (at.elapsed() < ttl && user.session_expires_at > now).then(|| user.clone())
    }

    pub(crate) fn insert(&self, user: Arc<AuthUser>, ttl: Duration) {
        let mut map = lock(&self.map);
        if map.len() >= CACHE_SWEEP_AT {
            map.retain(|_, (_, at)| at.elapsed() < ttl);
        }
        map.insert(user.token_hash, (user, Instant::now()));
    }

    pub(crate) fn remove(&self, token_hash: &[u8; 32]) {
        lock(&self.map).remove(token_hash);
    }

    /// Forgets every cached session of a user (disabled, role or password
    /// changed, sessions ended): their next request asks the database.
    pub(crate) fn remove_user(&self, user_id: i64) {
        lock(&self.map).retain(|_, (u, _)| u.id != user_id);
    }

    pub(crate) fn sweep(&self, ttl: Duration) {
        lock(&self.map).retain(|_, (_, at)| at.elapsed() < ttl);
    }
}

/// Failed logins per key within a sliding window, in memory (a restart
/// forgets them). An attempt is counted when it *starts*, before its
/// password is hashed, so a burst of concurrent guesses is held to the same
/// limit as guesses one after another; a success takes its own count back.
/// Past a key's limit nothing is locked: each further attempt must wait
/// twice as long as the one before (1 s, 2 s, 4 s … at most the window)
/// after the key's last failure. The keys are the username *at* an address
/// (the tight limit: the owner logging in from elsewhere is not held up by
/// someone guessing), the address (any username) and the username from
/// every address (a loose limit against guessing spread over addresses).
pub(crate) struct LoginLimiter {
    window: Duration,
    failures: Mutex<HashMap<LimitKey, VecDeque<Instant>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum LimitKey {
    /// Lowercased, at most 128 characters (the key must not grow with
    /// what a client sends), from any address.
    User(String),
    /// A username (as in `User`) from one address.
    UserAt(String, Option<IpAddr>),
    Ip(IpAddr),
}

impl LimitKey {
    fn folded(username: &str) -> String {
        username.chars().take(128).flat_map(char::to_lowercase).collect()
    }

    pub(crate) fn user(username: &str) -> LimitKey {
        LimitKey::User(LimitKey::folded(username))
    }

    pub(crate) fn user_at(username: &str, ip: Option<IpAddr>) -> LimitKey {
        LimitKey::UserAt(LimitKey::folded(username), ip)
    }
}

/// Above this many keys, keys with no failure in the window are swept.
const LIMITER_SWEEP_AT: usize = 10_000;

/// The wait before the next attempt once `n` failures are within the
/// window and `max` are free: 1 s doubled for every failure past the
/// limit, at most `window`.
fn backoff(n: usize, max: usize, window: Duration) -> Duration {
    let past = u32::try_from(n.saturating_sub(max)).unwrap_or(u32::MAX).min(20);
    Duration::from_secs(1u64 << past).min(window)
}

impl LoginLimiter {
    fn new(window: Duration) -> LoginLimiter {
        LoginLimiter { window, failures: Mutex::new(HashMap::new()) }
    }

    /// Starts an attempt: `Err(seconds to wait)` when any key is past its
    /// limit and its last failure is more recent than its backoff; else
    /// the attempt is counted against every key (as a failure until
    /// [`LoginLimiter::succeeded`] takes it back) and `Ok(when)`. Check and
    /// count happen under one lock, so concurrent attempts cannot all pass.
    pub(crate) fn begin(&self, keys: &[(&LimitKey, usize)]) -> Result<Instant, u64> {
        let mut map = lock(&self.failures);
        if map.len() >= LIMITER_SWEEP_AT {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| t.elapsed() < window));
        }
        let mut wait = Duration::ZERO;
        for (key, max) in keys {
            let Some(q) = map.get_mut(key) else { continue };
            while q.front().is_some_and(|t| t.elapsed() >= self.window) {
                q.pop_front();
            }
            if q.len() >= *max
                && let Some(last) = q.back()
            {
                wait = wait.max(backoff(q.len(), *max, self.window).saturating_sub(last.elapsed()));
            }
        }
        if !wait.is_zero() {
            return Err((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1));
        }
        let now = Instant::now();
        for (key, _) in keys {
            let q = map.entry((*key).clone()).or_default();
            q.push_back(now);
            // Only the newest failures matter; keep the queue bounded.
            while q.len() > 1_000 {
                q.pop_front();
            }
        }
        Ok(now)
    }

    /// A successful attempt started at `at`: its count is taken back from
    /// every key, and the username's failures at that address forgotten.
    pub(crate) fn succeeded(&self, keys: &[(&LimitKey, usize)], at: Instant) {
        let mut map = lock(&self.failures);
        for (key, _) in keys {
            if let LimitKey::UserAt(..) = key {
                map.remove(*key);
            } else if let Some(q) = map.get_mut(*key)
                && let Some(i) = q.iter().rposition(|t| *t == at)
            {
                q.remove(i);
            }
        }
    }

    pub(crate) fn sweep(&self) {
        let window = self.window;
        lock(&self.failures).retain(|_, q| q.back().is_some_and(|t| t.elapsed() < window));
    }
}

impl AppState {
    /// Audits a failed or denied attempt, aggregated (see the module).
    pub async fn audit_attempt(&self, attempt: crate::failures::Attempt) -> Result<(), ApiError> {
        let now = unix_now();
        let entries = self.failures().count(attempt, now, &centinela_store::now_rfc3339());
        self.write_attempts(&entries).await
    }

    /// Writes the repeats of the minutes that have ended (every minute's
    /// with `all`, at shutdown and in tests).
    pub async fn flush_attempts(&self, all: bool) -> Result<(), ApiError> {
        let entries = self.failures().drain(unix_now(), all);
        self.write_attempts(&entries).await
    }

    async fn write_attempts(&self, entries: &[centinela_store::AuditEntry]) -> Result<(), ApiError> {
        for e in entries {
            self.store().audit_append(&e.actor, &e.action, &e.subject, &e.detail).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_counts_attempts_per_key_before_they_end() {
        let l = LoginLimiter::new(Duration::from_secs(60));
        let ip = Some(IpAddr::from([127, 0, 0, 1]));
        let ana = LimitKey::user_at("Ana", ip);
        for _ in 0..3 {
            // Started, never finished: still counted.
            assert!(l.begin(&[(&ana, 3)]).is_ok());
        }
        let wait = l.begin(&[(&ana, 3)]).unwrap_err();
        assert_eq!(wait, 1);
        // The same user in other case is the same key; other users and the
        // same user from elsewhere are free.
        assert!(l.begin(&[(&LimitKey::user_at("ANA", ip), 3)]).is_err());
        assert!(l.begin(&[(&LimitKey::user_at("bob", ip), 3)]).is_ok());
        assert!(l.begin(&[(&LimitKey::user_at("ana", None), 3)]).is_ok());
    }

    #[test]
    fn limiter_backs_off_doubling_and_success_takes_its_count_back() {
        let l = LoginLimiter::new(Duration::from_secs(3600));
        let k = LimitKey::user_at("x", None);
        let ip = LimitKey::Ip(IpAddr::from([10, 0, 0, 1]));
        let keys = [(&k, 1), (&ip, 2)];
        let first = l.begin(&keys).unwrap();
        l.succeeded(&keys, first);
        assert!(lock(&l.failures).get(&ip).unwrap().is_empty());
        l.begin(&keys).unwrap();
        assert_eq!(l.begin(&keys), Err(1));
        // Past the limit by n, the wait is 2^n seconds after the last failure.
        lock(&l.failures).get_mut(&k).unwrap().extend([Instant::now(), Instant::now()]);
        assert_eq!(l.begin(&[(&k, 1)]), Err(4));
        assert_eq!(backoff(40, 1, Duration::from_secs(900)), Duration::from_secs(900));
    }

    #[test]
    fn limiter_window_slides() {
        let l = LoginLimiter::new(Duration::from_millis(50));
        let k = LimitKey::user("x");
        l.begin(&[(&k, 1)]).unwrap();
        assert!(l.begin(&[(&k, 1)]).is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert!(l.begin(&[(&k, 1)]).is_ok());
        std::thread::sleep(Duration::from_millis(60));
        l.sweep();
        assert!(lock(&l.failures).is_empty());
    }
}
