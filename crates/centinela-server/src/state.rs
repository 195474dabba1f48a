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

use crate::auth::AuthUser;
use crate::error::ApiError;
use crate::handlers::inspections::Inspections;
use crate::handlers::intel::IntelCache;

/// How the server runs. [`Default`] is fit for a post on one machine.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Where to listen (only [`crate::serve`] uses it).
    pub addr: SocketAddr,
    /// Mark cookies `Secure` (set when the server is behind HTTPS).
    pub secure_cookies: bool,
    /// How long a session lasts after login.
    pub session_ttl: Duration,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// The window over which failed logins are counted.
    pub login_window: Duration,
    /// Failed logins per username within the window before `rate_limited`.
    pub max_failures_per_user: usize,
    /// Failed logins per client address within the window before
    /// `rate_limited` (higher: a post's booths may share one address).
    pub max_failures_per_ip: usize,
    /// How long a token → user lookup is reused without asking the
    /// database. Disabling a user or logging out elsewhere takes effect on
    /// other server processes within this time (on this one, at once).
    pub auth_cache_ttl: Duration,
    /// A session unused for this long ends (its last use is recorded at
    /// most once a minute). 30 minutes: a booth machine left unattended,
    /// as NIST SP 800-63B asks of sessions at its second assurance level.
    pub idle_timeout: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 8080)),
            secure_cookies: false,
            session_ttl: Duration::from_secs(12 * 3600),
            body_limit: 1 << 20,
            login_window: Duration::from_secs(15 * 60),
            max_failures_per_user: 5,
            max_failures_per_ip: 20,
            auth_cache_ttl: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30 * 60),
        }
    }
}

/// The shared state of the server; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    store: Store,
    /// Where statistics and analyses read (a read replica), if not `store`.
    analytics: Option<Store>,
    inspections: Inspections,
    intel: IntelCache,
    config: ServerConfig,
    sessions: SessionCache,
    limiter: LoginLimiter,
    openapi: Bytes,
}

impl AppState {
    pub fn new(config: ServerConfig, store: Store) -> AppState {
        AppState::with_analytics(config, store, None)
    }

    /// As [`AppState::new`], with statistics (`/api/stats…`, the dashboard,
    /// the regional report) and intelligence analyses reading from
    /// `analytics` — a streaming read replica of `store` opened with
    /// [`Store::connect_read_only`] — instead of `store`.
    pub fn with_analytics(config: ServerConfig, store: Store, analytics: Option<Store>) -> AppState {
        let limiter = LoginLimiter::new(config.login_window);
        let openapi = crate::openapi::document_json();
        let inspections = Inspections::new(&store);
        AppState(Arc::new(Inner {
            store,
            analytics,
            inspections,
            intel: IntelCache::default(),
            config,
            sessions: SessionCache::default(),
            limiter,
            openapi,
        }))
    }

    /// The alert lists in memory and the inspection writer.
    pub fn inspections(&self) -> &Inspections {
        &self.0.inspections
    }

    /// The latest intelligence analysis, recomputed when the data changes.
    pub fn intel(&self) -> &IntelCache {
        &self.0.intel
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The store statistics and analyses read: the read replica when one
    /// was given, else [`AppState::store`]. Only reads go here; their audit
    /// entries go to the primary.
    pub fn analytics(&self) -> &Store {
        self.0.analytics.as_ref().unwrap_or(&self.0.store)
    }

    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    pub(crate) fn sessions(&self) -> &SessionCache {
        &self.0.sessions
    }

    pub(crate) fn limiter(&self) -> &LoginLimiter {
        &self.0.limiter
    }

    pub(crate) fn openapi_json(&self) -> Bytes {
        self.0.openapi.clone()
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
        self.store().audit_append(actor, action, &subject.to_string(), &detail.to_string()).await?;
        Ok(())
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

/// Failed logins per key (a username, a client address) within a sliding
/// window, in memory: a restart forgets them.
pub(crate) struct LoginLimiter {
    window: Duration,
    failures: Mutex<HashMap<LimitKey, VecDeque<Instant>>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum LimitKey {
    /// Lowercased, at most 128 characters (the key must not grow with
    /// what a client sends).
    User(String),
    Ip(IpAddr),
}

impl LimitKey {
    pub(crate) fn user(username: &str) -> LimitKey {
        LimitKey::User(username.chars().take(128).flat_map(char::to_lowercase).collect())
    }
}

/// Above this many keys, keys with no failure in the window are swept.
const LIMITER_SWEEP_AT: usize = 10_000;

impl LoginLimiter {
    fn new(window: Duration) -> LoginLimiter {
        LoginLimiter { window, failures: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds to wait)` when any key has had `max` failures within
    /// the window.
    pub(crate) fn check(&self, keys: &[(&LimitKey, usize)]) -> Result<(), u64> {
        let mut map = lock(&self.failures);
        let mut wait = None::<Duration>;
        for (key, max) in keys {
            let Some(q) = map.get_mut(key) else { continue };
            while q.front().is_some_and(|t| t.elapsed() >= self.window) {
                q.pop_front();
            }
            if q.len() >= *max
                && let Some(oldest) = q.get(q.len() - *max)
            {
                let w = self.window.saturating_sub(oldest.elapsed());
                wait = Some(wait.map_or(w, |x| x.max(w)));
            }
        }
        match wait {
            Some(w) => Err(w.as_secs().max(1) + u64::from(w.subsec_nanos() > 0)),
            None => Ok(()),
        }
    }

    pub(crate) fn record_failure(&self, keys: &[&LimitKey]) {
        let mut map = lock(&self.failures);
        if map.len() >= LIMITER_SWEEP_AT {
            let window = self.window;
            map.retain(|_, q| q.back().is_some_and(|t| t.elapsed() < window));
        }
        let now = Instant::now();
        for key in keys {
            let q = map.entry((*key).clone()).or_default();
            q.push_back(now);
            // Only the newest failures matter; keep the queue bounded.
            while q.len() > 1_000 {
                q.pop_front();
            }
        }
    }

    pub(crate) fn clear(&self, key: &LimitKey) {
        lock(&self.failures).remove(key);
    }

    pub(crate) fn sweep(&self) {
        let window = self.window;
        lock(&self.failures).retain(|_, q| q.back().is_some_and(|t| t.elapsed() < window));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_counts_failures_per_key() {
        let l = LoginLimiter::new(Duration::from_secs(60));
        let ana = LimitKey::user("Ana");
        let ip = LimitKey::Ip(IpAddr::from([127, 0, 0, 1]));
        for _ in 0..3 {
            assert_eq!(l.check(&[(&ana, 3), (&ip, 5)]), Ok(()));
            l.record_failure(&[&ana, &ip]);
        }
        let wait = l.check(&[(&ana, 3), (&ip, 5)]).unwrap_err();
        assert!((59..=60).contains(&wait), "{wait}");
        // The same user in other case is the same key; other users are free.
        assert!(l.check(&[(&LimitKey::user("ANA"), 3)]).is_err());
        assert_eq!(l.check(&[(&LimitKey::user("bob"), 3), (&ip, 5)]), Ok(()));
        l.clear(&ana);
        assert_eq!(l.check(&[(&ana, 3)]), Ok(()));
    }

    #[test]
    fn limiter_window_slides() {
        let l = LoginLimiter::new(Duration::from_millis(50));
        let k = LimitKey::user("x");
        l.record_failure(&[&k]);
        assert!(l.check(&[(&k, 1)]).is_err());
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(l.check(&[(&k, 1)]), Ok(()));
        l.sweep();
        assert!(lock(&l.failures).is_empty());
    }
}
