//! Centinela's one storage layer: embedded SQLite (the default, a file path)
//! or PostgreSQL (a `postgres://` URL), with migrations embedded in the
//! binary (`migrations/sqlite`, `migrations/postgres`).
//!
//! [`Store::connect`] opens either and runs the migrations. Domain crates do
//! no I/O; they hand parsed values to this crate.

mod audit;
mod cases;
mod clearances;
mod conn;
mod connectors;
mod crossings;
mod images;
mod intel;
mod list_images;
mod lists;
mod lookouts;
mod multirow;
mod notifications;
mod passengers;
mod password;
mod pki;
mod pnr;
mod prearrival;
mod retention;
mod rules;
mod sessions;
mod stats;
mod sync;
mod threshold;
mod time;
mod users;
mod writer;

use std::str::FromStr;
use std::time::Duration;

use sqlx::ConnectOptions;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use audit::{AuditEntry, AuditSeal, Verified};
pub use cases::{Answer, CaseSummary, CaseVersion, Referral, ReferralAnswer, StoredCase};
pub use clearances::{
    Clearance, ClearanceDocument, ClearanceFilter, ClearancePair, MAX_CLEARANCE_DAYS, MAX_CLEARANCE_DOCUMENTS,
    MAX_CLEARANCE_REASON, NewClearanceDocument, Revocation,
};
pub use connectors::{ConnectorRow, ConnectorRun, NewConnector};
pub use crossings::{
    Actor, Adjudication, CrossingsImport, Decision, HitKind, HitOrder, HitPage, HitQuery, HitStatus, Holder,
    MAX_HIT_PAGE, MAX_RECENT, NewHit, NewInspection, NewPost, Post, PostKind, QueuedHit, RecentCrossing,
    RecordedInspection, ReferralUnit, StoredCrossing, StoredHit, TravellerKey, Verdict, check_post_code,
};
pub use images::{DocumentFaces, MAX_IMAGE_BYTES, StoredImage};
pub use intel::{IntelStamp, MAX_REASON_CHARS, OverrideKind, StoredOverride};
pub use list_images::{
    ListImage, ListImageDelta, ListImagesInstalled, ListImagesWritten, MAX_LIST_IMAGE_BYTES,
    MAX_LIST_IMAGE_BYTES_PULLED, MAX_LIST_IMAGES_PULLED, NewListImage, SyncedListImage, image_mime,
};
pub use lists::{
    BetweenChunks, DocumentMatch, DocumentMatches, ImportOutcome, ListRows, ListSummary, NewVersion, StagingProgress,
    StoredEntry,
};
pub use lookouts::{
    LookoutChange, LookoutHitFilter, LookoutsAnswer, LookoutsPull, MAX_LOOKOUTS, NewLookoutHit, StoredLookout,
    StoredLookoutHit,
};
pub use notifications::{MAX_NOTIFICATION_TARGETS, NewNotificationTarget, NotificationTarget};
pub use passengers::{
    ApiPerson, BookingPassenger, MAX_PASSENGER_MESSAGES, NewBooking, NewFlight, NewPassengerMessage, PassengerImport,
    StoredBooking, StoredFlight,
};
pub use pki::{
    MAX_ANCHORS_PER_IMPORT, MAX_ANCHORS_PULLED, NewAnchor, PkiAnchorItem, PkiDelta, PkiImport, PkiInstalled,
    PkiVersionItem, StoredAnchor,
};
pub use pnr::{ArrivingPerson, BookingPerson, LinkedBooking, MAX_LINKED_BOOKINGS, MaskedPassenger, MaskedValues};
pub use prearrival::{
    AirPost, MAX_FLIGHTS_LISTED, MAX_PREARRIVAL_HITS, NewPrearrivalHit, PostFlight, PrearrivalAdjudication,
    StoredPrearrivalHit, check_iata, known_airport,
};
pub use retention::{PurgeReport, Retention};
pub use rules::{BacktestData, CrossingFollowUp, CrossingOutcome, StoredRule, check_rule_id};
pub use sessions::{AuditRow, AuditSearch, SessionUser};
pub use stats::{CaseCounts, HitCounts, Stats, StatsFilter};
pub use sync::{
    AdjudicationItem, AuditHead, AuditItem, ClearanceDelta, ClearanceDocumentItem, ClearanceItem, CrossingItem,
    DecisionItem, HitItem, InspectionItem, ListDelta, ListFreshness, MAX_BATCH_ITEMS, MAX_CLEARANCES_PULLED,
    OutboxItem, PROTOCOL, PostInfo, PostKey, PullAnswer, PullRequest, PushBatch, PushOutcome, ReferralItem, Refused,
    RevocationItem, SyncRecord, SyncStatus, UserRef,
};
pub use threshold::ConfirmedHit;
pub use time::now_rfc3339;
pub(crate) use time::unix_now;

/// Lower-case hex digits of `bytes` (hashes and keys in text).
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
pub use password::{
    MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, MIN_SCORE, MIN_SCORE_PRIVILEGED, WeakPassword, Weakness,
    check_new_password, min_score,
};
pub use users::{AccountChange, AccountRequest, RequestKind, RequestStatus, User, check_username, needs_approval};
pub use writer::{HOLDERS_LIMIT, HistoryReader, InspectionWriter};

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {target}: {source}")]
    Connect { target: String, source: sqlx::Error },
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    /// The record asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A value the store refuses whatever is stored (a username, a post
    /// code, a reason missing): the message names the field, never a
    /// personal value.
    #[error("{0}")]
    Invalid(String),
    /// The request contradicts what is stored (a taken username, a request
    /// no longer pending, a list of another kind).
    #[error("{0}")]
    Conflict(String),
    /// A part of the store that is not running (the inspection writer, the
    /// history reader): try again later.
    #[error("{0}")]
    Unavailable(String),
    /// A fault of the system (no randomness, a hash that cannot be made, an
    /// audit entry the code itself malformed): logged, never shown in detail.
    #[error("internal: {0}")]
    Internal(String),
    /// A write based on a version that is no longer the latest (a case
    /// changed by someone else since it was read).
    #[error("{0}")]
    Stale(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The audit log is sealed (from the entry given) and this process has
    /// no audit key: an entry it appended would break the chain.
    #[error(
        "the audit log is sealed from entry {0} and no audit key is configured (--audit-key-file, \
         CENTINELA_AUDIT_KEY_FILE or CENTINELA_AUDIT_KEY)"
    )]
    AuditKeyMissing(i64),
    /// The audit key given is not the one the log is sealed with.
    #[error("the audit log is sealed with another audit key than the one configured")]
    WrongAuditKey,
    /// The current password given to change it is wrong.
    #[error("the current password is wrong")]
    WrongPassword,
    /// The actor may not do this (e.g. approve their own request).
    #[error("{0}")]
    NotAllowed(String),
    /// The change would leave no active administrator: nobody could then
    /// manage accounts (disable, reset, approve) but from the console.
    #[error(
        "the last active administrator cannot be disabled or given another role: make another user an \
         administrator first"
    )]
    LastAdmin,
    /// A new password the policy refuses (see [`check_new_password`]).
    #[error("password refused: {0}")]
    WeakPassword(#[from] WeakPassword),
}

/// Which database a [`Store`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool to the project's database, migrated.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// Seals audit entries when set (see [`Store::with_audit_key`]).
    audit_key: Option<std::sync::Arc<centinela_domain::audit::AuditKey>>,
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs the same code on whichever pool the store holds. The body sees the
/// pool as `$p`; `sqlx::query` infers the database from it.
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:expr) => {
        match &$store.pool {
            $crate::Pool::Sqlite($p) => $body,
            $crate::Pool::Postgres($p) => $body,
        }
    };
}
pub(crate) use on_pool;

fn is_postgres(target: &str) -> bool {
    target.starts_with("postgres://") || target.starts_with("postgresql://")
}

/// A PostgreSQL URL's options, without statement logs.
fn pg_options(target: &str, shown: &str) -> Result<PgConnectOptions, StoreError> {
    Ok(PgConnectOptions::from_str(target)
        .map_err(|source| StoreError::Connect { target: shown.to_string(), source })?
        .disable_statement_logging())
}

/// A SQLite file path (or `sqlite:` URL)'s options, without statement logs.
fn sqlite_options(target: &str, shown: &str) -> Result<SqliteConnectOptions, StoreError> {
    let opts = if target.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(target)
            .map_err(|source| StoreError::Connect { target: shown.to_string(), source })?
    } else {
        SqliteConnectOptions::new().filename(target)
    };
    Ok(opts.disable_statement_logging())
}

impl Store {
    /// Opens `target`: a `postgres://` or `postgresql://` URL, or else a
    /// SQLite file path (optionally `sqlite:`-prefixed), created if missing,
    /// in WAL mode. Runs the embedded migrations.
    pub async fn connect(target: &str) -> Result<Store, StoreError> {
        let shown = redact(target);
        let pool = if is_postgres(target) {
            // Bulk imports are slow statements by design: no statement logs.
            let opts = pg_options(target, &shown)?;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(opts)
                .await
                .map_err(|source| StoreError::Connect { target: shown.clone(), source })?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Pool::Postgres(pool)
        } else {
            let opts = sqlite_options(target, &shown)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before it is acknowledged (the inspection
                // writer batches commits, so this costs one sync per batch).
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory");
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(opts)
                .await
                .map_err(|source| StoreError::Connect { target: shown.clone(), source })?;
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Pool::Sqlite(pool)
        };
        Ok(Store { pool, audit_key: None })
    }

    /// Copies SQLite's write-ahead log into the database file as far as no
    /// reader still needs it (a passive checkpoint: writers go on); nothing
    /// on PostgreSQL. Returns the frames the log held (0 on PostgreSQL).
    pub async fn checkpoint(&self) -> Result<u64, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => Ok(passive_checkpoint(p).await?.0),
            Pool::Postgres(_) => Ok(0),
        }
    }

    /// Opens `target` for reading only, e.g. a PostgreSQL streaming replica
    /// for statistics and analyses: nothing is migrated (a replica follows
    /// its primary), every transaction is read-only (PostgreSQL
    /// `default_transaction_read_only`, SQLite `mode=ro`), and the schema
    /// must already be this binary's (else [`StoreError::Conflict`]).
    pub async fn connect_read_only(target: &str) -> Result<Store, StoreError> {
        let shown = redact(target);
        let pool = if is_postgres(target) {
            let opts = pg_options(target, &shown)?.options([("default_transaction_read_only", "on")]);
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(15))
                .connect_with(opts)
                .await
                .map_err(|source| StoreError::Connect { target: shown.clone(), source })?;
            Pool::Postgres(pool)
        } else {
            let opts = sqlite_options(target, &shown)?
                .read_only(true)
                .busy_timeout(Duration::from_secs(30))
                .pragma("cache_size", "-65536");
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(opts)
                .await
                .map_err(|source| StoreError::Connect { target: shown.clone(), source })?;
            Pool::Sqlite(pool)
        };
        let store = Store { pool, audit_key: None };
        // Every embedded migration, not just the highest: numbers need not
        // land in order (0008 came after 0010).
        let needs: Vec<i64> = match store.backend() {
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").migrations.iter().map(|m| m.version).collect(),
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").migrations.iter().map(|m| m.version).collect(),
        };
        let has: Vec<i64> = on_pool!(store, p => {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
                .fetch_all(p)
                .await
                .map_err(|e| StoreError::Conflict(format!("{shown} holds no Centinela schema: {e}")))?
        });
        let missing: Vec<String> = needs.iter().filter(|v| !has.contains(v)).map(|v| format!("{v:04}")).collect();
        if !missing.is_empty() {
            return Err(StoreError::Conflict(format!(
                "{shown} lacks schema migration {} that this binary needs: migrate the primary and let the replica \
                 catch up",
                missing.join(", ")
            )));
        }
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// The SQLite pool, for crates that add their own queries.
    pub fn sqlite(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for crates that add their own queries.
    pub fn postgres(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }

    /// Closes every connection (SQLite checkpoints its WAL).
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

/// A database target fit for messages: a URL's password is hidden.
pub fn redact(target: &str) -> String {
    if let Some((scheme, rest)) = target.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
    {
        let user = cred.split(':').next().unwrap_or("");
        return format!("{scheme}://{user}:***@{host}");
    }
    target.to_string()
}

/// One passive checkpoint of SQLite's log on `conn` (a pool or a
/// connection): the frames the log held and the frames now copied into the
/// database.
pub(crate) async fn passive_checkpoint<'c>(conn: impl sqlx::SqliteExecutor<'c>) -> Result<(u64, u64), StoreError> {
    let (_busy, log, copied): (i64, i64, i64) =
        sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(conn).await?;
    Ok((log.max(0) as u64, copied.max(0) as u64))
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(super::redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(super::redact("centinela.db"), "centinela.db");
    }
}
