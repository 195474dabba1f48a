//! Centinela's use cases, in one place: what the system does, whoever asks.
//!
//! The server's API handlers, its web pages, the command line and the demo
//! all call [`App`]; none of them calls another. A use case checks what the
//! user may see (role is checked at the edge by the route table, post
//! binding here, by the record), does the work through the store and the
//! domain crates, and writes the audit entry before its answer can be
//! shown: if the entry cannot be written, the use case fails and nothing is
//! shown.
//!
//! Nothing here knows HTTP, HTML or a terminal: answers are plain values
//! (serialisable, with OpenAPI schemas behind the `openapi` feature) and
//! errors are [`AppError`]s that each edge maps to its own form.

use std::fmt::Display;
use std::sync::Arc;

use centinela_domain::Role;
use centinela_store::{Actor, Store};

pub mod accounts;
pub mod audit;
pub mod bookings;
pub mod cases;
pub mod clearances;
pub mod connectors;
mod error;
pub mod faces;
mod heavy;
pub mod inspections;
pub mod intel;
pub mod list_images;
pub mod lists;
pub mod lookouts;
pub mod notifications;
pub mod passengers;
pub mod pki;
pub mod prearrival;
pub mod rules;
pub mod stats;
pub mod sync;
pub mod threshold;

pub use error::AppError;
pub use heavy::HEAVY_QUEUE;
pub use inspections::Inspections;
pub use intel::IntelCache;

/// Who asks: a logged-in user (or the demo acting for one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    /// The user's border post; `None` for country-wide users.
    pub post: Option<String>,
}

impl User {
    /// The audit chain's actor for this user: `user:<id>`.
    pub fn actor(&self) -> String {
        format!("user:{}", self.id)
    }

    /// Whether the user may see records of `post`: their own post, or any
    /// post for country-wide users.
    pub fn covers_post(&self, post: &str) -> bool {
        self.post.as_deref().is_none_or(|p| p == post)
    }

    /// The store's view of this user, for the records it writes.
    pub fn store_actor(&self) -> Actor<'_> {
        Actor { user_id: self.id, username: &self.username, role: self.role }
    }

    /// `Forbidden` unless the user covers `post`.
    pub fn check_post(&self, post: &str) -> Result<(), AppError> {
        if self.covers_post(post) {
            Ok(())
        } else {
            Err(AppError::Forbidden("this record belongs to another border post".into()))
        }
    }
}

/// Who an audit entry names: a user, or the operator at the command line
/// (`cli`: whoever can run commands on the machine holding the database).
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    User(&'a User),
    Cli,
}

impl Caller<'_> {
    pub fn actor(&self) -> String {
        match self {
            Caller::User(u) => u.actor(),
            Caller::Cli => "cli".to_string(),
        }
    }
}

/// The use cases and what they share; cheap to clone.
#[derive(Clone)]
pub struct App(Arc<Inner>);

struct Inner {
    store: Store,
    /// Where statistics and analyses read (a read replica), if not `store`.
    analytics: Option<Store>,
    /// Started at first use: the command line's use cases need no writer.
    inspections: std::sync::OnceLock<Inspections>,
    intel: IntelCache,
    heavy: heavy::HeavyWork,
    /// How long a supervisor's clearance lasts (`--clearance-days`).
    clearance_days: std::sync::atomic::AtomicU32,
    /// Whether clearances are extended here to the documents intelligence
    /// links (not at a post that synchronises: the centre does).
    extends_clearances: std::sync::atomic::AtomicBool,
    /// The analysis (its `computed_at`) the last extension pass used.
    extended_for: std::sync::Mutex<Option<String>>,
    pki: pki::PkiCache,
    /// The biometric matcher plugged in, if any (none by default).
    matcher: std::sync::OnceLock<std::sync::Arc<dyn faces::FaceMatcher>>,
    lookouts: lookouts::LookoutState,
    notify: notifications::NotifyState,
    /// Connector kinds registered besides the built-in ones.
    connectors: connectors::Registry,
    /// The air posts' airport codes, read at most once a minute (every
    /// inspection asks whether its post is an airport).
    airports: prearrival::AirportCache,
}

impl App {
    /// The use cases over `store`. The inspection writer and the history
    /// reader start at the first inspection or reload (in a tokio runtime);
    /// the alert lists are empty until [`App::reload_lists`].
    pub fn new(store: Store) -> App {
        App::with_analytics(store, None)
    }

    /// As [`App::new`], with statistics and intelligence analyses reading
    /// from `analytics` — a streaming read replica of `store` opened with
    /// [`Store::connect_read_only`] — instead of `store`.
    pub fn with_analytics(store: Store, analytics: Option<Store>) -> App {
        App(Arc::new(Inner {
            store,
            analytics,
            inspections: std::sync::OnceLock::new(),
            intel: IntelCache::default(),
            heavy: heavy::HeavyWork::default(),
            clearance_days: std::sync::atomic::AtomicU32::new(clearances::DEFAULT_CLEARANCE_DAYS),
            extends_clearances: std::sync::atomic::AtomicBool::new(true),
            extended_for: std::sync::Mutex::new(None),
            pki: pki::PkiCache::default(),
            matcher: std::sync::OnceLock::new(),
            lookouts: lookouts::LookoutState::default(),
            notify: notifications::NotifyState::default(),
            connectors: connectors::Registry::default(),
            airports: prearrival::AirportCache::default(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    /// The store statistics and analyses read: the read replica when one
    /// was given, else [`App::store`]. Only reads go here; their audit
    /// entries go to the primary.
    pub fn analytics(&self) -> &Store {
        self.0.analytics.as_ref().unwrap_or(&self.0.store)
    }

    /// The alert lists in memory and the inspection writer.
    pub fn inspections(&self) -> &Inspections {
        self.0.inspections.get_or_init(|| Inspections::new(&self.0.store))
    }

    /// The latest intelligence analysis, recomputed when the data changes.
    pub fn intel(&self) -> &IntelCache {
        &self.0.intel
    }

    /// Runs `f` — long, memory-hungry work such as a statistics release —
    /// on a blocking thread, one such job at a time and at most
    /// [`HEAVY_QUEUE`] waiting (more are refused with [`AppError::Busy`]),
    /// so that however many are asked for, one core stays free for
    /// inspections and the request threads never run it.
    pub async fn heavy<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        self.0.heavy.run(f).await
    }

    /// Appends to the audit chain what `caller` did: `action` a snake_case
    /// code, `subject` an id (`user:7`, `crossing:C-1`), `detail` JSON of
    /// codes, counts and ids — never names, dates of birth or document
    /// numbers. Call it before answering: if the entry cannot be written,
    /// the use case fails and the data is not shown.
    pub async fn audit(
        &self,
        caller: Caller<'_>,
        action: &str,
        subject: impl Display,
        detail: serde_json::Value,
    ) -> Result<(), AppError> {
        self.audit_as(&caller.actor(), action, subject, detail).await
    }

    /// [`App::audit`] for an actor named by its audit code (`anonymous`
    /// for failed logins, `system`, a post's `post:CODE`).
    pub async fn audit_as(
        &self,
        actor: &str,
        action: &str,
        subject: impl Display,
        detail: serde_json::Value,
    ) -> Result<(), AppError> {
        self.store().audit_append(actor, action, &subject.to_string(), &detail.to_string()).await?;
        Ok(())
    }
}

/// A new id made here (the post): a UUIDv7, ordered by time and unique
/// across posts, so that records can be synchronised without renaming.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
