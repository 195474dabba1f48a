//! Connectors: alert lists pulled from their sources on a schedule
//! (issue 21). A [`Connector`] fetches and parses; [`App::run_connector`]
//! does the rest the same for every kind: the list's version in force is
//! read, the pull's rows are compared with it ([`Diff`]: added, changed,
//! withdrawn), and a pull that changes anything is written as the list's
//! new version through the list-import machinery (staged, all or nothing:
//! a failed pull keeps the version in force, and says so). Every pull is
//! audited (`connector_pull`), and the list's freshness is set
//! (`refreshed_at`, its expected age).
//!
//! The parsers are pure and live in `centinela-lists`; the fetching is
//! here, through the polite [`Http`] client. The built-in kinds are in
//! `builtin`; a country adds its own (a bridge to its National Central
//! Bureau's I-24/7 services, say) with [`App::register_connector`] — see
//! `docs/CONNECTORS.md`.

mod builtin;
mod http;

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use centinela_domain::{AlertEntry, DocumentRecord, ListKind};
use centinela_store::{ConnectorRow, ConnectorRun, ListRows, NewConnector, NewListImage, NewVersion, StoreError};
use reqwest::Url;
use serde::Serialize;
use serde_json::json;

pub use builtin::{BUILTIN_KINDS, InterpolNotices, NationalDirectory, NationalHttps, OpenSanctions, UnConsolidated};
pub use http::{Fetched, Http, Limits, Validators};

use crate::lists::check_list_name;
use crate::{App, AppError, Caller};

/// Why a pull failed. Messages name URLs' paths, statuses, records'
/// positions and fields — never a listed person's data.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConnectorError {
    /// The connector's configuration cannot work (a bad URL, a credential
    /// that cannot be read).
    #[error("configuration: {0}")]
    Config(String),
    /// The source did not answer, or answered an error, after the retries.
    #[error("fetch: {0}")]
    Fetch(String),
    /// The source answered a client error (404, 410 …): not retried.
    #[error("fetch: {path}: HTTP {status}")]
    Status { path: String, status: u16 },
    /// The source answered something that is not its format.
    #[error("source: {0}")]
    Source(String),
    /// A record the parser refused (all or nothing: the pull is refused).
    #[error("record {line}, field {field}: {message}")]
    Record { line: u64, field: String, message: String },
    /// A bound was passed (bytes, records, pages).
    #[error("limit: {0}")]
    Limit(String),
}

impl From<centinela_lists::ParseError> for ConnectorError {
    fn from(e: centinela_lists::ParseError) -> Self {
        ConnectorError::Record { line: e.line, field: e.field, message: e.message }
    }
}

/// What a connector is given for one pull.
pub struct PullContext<'a> {
    pub spec: &'a ConnectorRow,
    pub kind: ListKind,
    /// The source's URL (`base_url` parsed; a `file://` URL for a directory).
    pub base: Url,
    pub http: &'a Http,
    /// What the connector kept from its last successful pull.
    pub state: serde_json::Value,
    /// The rows of the version in force (`None` before a first import).
    pub current: Option<&'a ListRows>,
    /// Runs CPU-heavy parsing off the async threads (the heavy-work pool).
    pub app: &'a App,
    /// Where the notices' thumbnails fetched go (stored by the run after
    /// the version, never by the connector).
    pub images: &'a Thumbnails,
    /// The entries of the list that hold an image now.
    pub images_held: &'a HashSet<String>,
}

/// At most this many warnings are kept per pull (the rest are counted).
const MAX_WARNINGS: usize = 20;

/// The notices' thumbnails a pull brought and what it noticed on the way:
/// a connector collects, [`App::run_connector_as`] stores them with the
/// list (JPEG or PNG, checked by their first bytes) once the pull
/// succeeded.
#[derive(Debug, Default)]
pub struct Thumbnails(std::sync::Mutex<ThumbnailsInner>);

#[derive(Debug, Default)]
struct ThumbnailsInner {
    put: Vec<(String, Vec<u8>)>,
    removed: Vec<String>,
    warnings: Vec<PullWarning>,
    more_warnings: u64,
    bytes: usize,
}

impl Thumbnails {
    fn inner(&self) -> std::sync::MutexGuard<'_, ThumbnailsInner> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// An entry's image, as fetched (checked when stored).
    pub fn put(&self, entry_id: &str, bytes: Vec<u8>) {
        let mut i = self.inner();
        i.bytes += bytes.len();
        i.put.push((entry_id.to_string(), bytes));
    }

    /// The source has no (usable) image for the entry any more.
    pub fn remove(&self, entry_id: &str) {
        self.inner().removed.push(entry_id.to_string());
    }

    /// A named warning of the pull: not a failure. Paths and counts only,
    /// never a listed person's data.
    pub fn warn(&self, code: &'static str, detail: impl std::fmt::Display) {
        let mut i = self.inner();
        if i.warnings.len() < MAX_WARNINGS {
            i.warnings.push(PullWarning { code: code.to_string(), detail: detail.to_string() });
        } else {
            i.more_warnings += 1;
        }
    }

    /// The bytes of the images collected so far.
    pub fn bytes(&self) -> usize {
        self.inner().bytes
    }

    fn take(&self) -> ThumbnailsInner {
        std::mem::take(&mut *self.inner())
    }
}

/// What a pull brought.
#[derive(Debug)]
pub enum Pull {
    /// The source says nothing changed (a 304, the same file).
    NotModified { state: serde_json::Value },
    /// The list as the source has it now (whole, not a delta).
    Rows {
        rows: ListRows,
        /// The format recorded with the version (`interpol`, `un-xml`, `ftm` …).
        format: &'static str,
        /// Records read, and those not meant for this list (other schemas).
        read: u64,
        skipped: u64,
        /// Odd values dropped (unknown countries, dates that are no dates).
        dropped_values: u64,
        state: serde_json::Value,
    },
}

/// A boxed future, for [`Connector::pull`] (object-safe).
pub type PullFuture<'a> = Pin<Box<dyn Future<Output = Result<Pull, ConnectorError>> + Send + 'a>>;

/// Fetch and parse one source. Implementations fetch only through
/// `ctx.http` (rate limit, retries, conditional requests, bounded bodies)
/// and parse with pure readers; they write nothing.
pub trait Connector: Send + Sync {
    fn pull<'a>(&'a self, ctx: &'a PullContext<'a>) -> PullFuture<'a>;
}

/// Makes a connector of a kind from its stored configuration.
pub type ConnectorFactory = fn(&ConnectorRow) -> Result<Box<dyn Connector>, ConnectorError>;

/// Connector kinds a country registered besides the built-in ones.
#[derive(Default)]
pub(crate) struct Registry(std::sync::RwLock<HashMap<String, ConnectorFactory>>);

/// Added, changed and withdrawn records between the version in force and
/// a pull (by entry id; documents by number and issuing state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Diff {
    pub added: u64,
    pub changed: u64,
    pub withdrawn: u64,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.withdrawn == 0
    }

    /// `new` against `old` (`None`: everything is added).
    pub fn between(old: Option<&ListRows>, new: &ListRows) -> Diff {
        fn by_key<'a, T, K: std::hash::Hash + Eq>(
            old: &'a [T],
            new: &'a [T],
            key: impl Fn(&T) -> K,
            same: impl Fn(&T, &T) -> bool,
        ) -> Diff {
            let before: HashMap<K, &T> = old.iter().map(|r| (key(r), r)).collect();
            let mut d = Diff::default();
            let mut seen = 0u64;
            for r in new {
                match before.get(&key(r)) {
                    None => d.added += 1,
                    Some(o) => {
                        seen += 1;
                        if !same(o, r) {
                            d.changed += 1;
                        }
                    }
                }
            }
            d.withdrawn = (before.len() as u64).saturating_sub(seen);
            d
        }
        let entry_key = |e: &AlertEntry| e.id.clone();
        let doc_key = |d: &DocumentRecord| (d.document_number.clone(), d.issuing_state);
        match (old, new) {
            (Some(ListRows::Entries(o)), ListRows::Entries(n)) => by_key(o, n, entry_key, |a, b| a == b),
            (Some(ListRows::Documents(o)), ListRows::Documents(n)) => by_key(o, n, doc_key, |a, b| a == b),
            (_, n) => Diff { added: n.len() as u64, ..Diff::default() },
        }
    }
}

/// Something a pull noticed that did not fail it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullWarning {
    /// `thumbnail_not_image`, `thumbnail_too_large`, `thumbnail_missing`
    /// (404, 410), `thumbnail_failed`, `thumbnail_link` (another host),
    /// `thumbnail_budget` (left for the next pull), `more_warnings`.
    pub code: String,
    /// Where: a URL's path, a count (never a listed person's data).
    pub detail: String,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Outcome {
    /// A new version is in force.
    Imported,
    /// The source answered the same records: the version in force stays,
    /// confirmed fresh.
    Unchanged,
    /// The source said nothing changed (304, the same file).
    NotModified,
    /// The pull failed: the version in force stays.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Imported => "imported",
            Outcome::Unchanged => "unchanged",
            Outcome::NotModified => "not_modified",
            Outcome::Failed => "failed",
        }
    }
}

/// What one run did (no personal data).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunReport {
    pub connector: String,
    pub list: String,
    pub outcome: Outcome,
    pub diff: Diff,
    /// The version in force after the run (`None`: the list has none yet).
    pub version: Option<i64>,
    pub rows: u64,
    pub dropped_values: u64,
    pub requests: u64,
    pub millis: u64,
    /// Why it failed (and that the version in force stays), or empty.
    pub message: String,
    /// Notices' thumbnails stored (new or changed) and taken away.
    pub images_stored: u64,
    pub images_removed: u64,
    /// Named warnings that did not fail the pull (at most 20, then
    /// `more_warnings` with the count left out).
    pub warnings: Vec<PullWarning>,
}

/// A connector as shown (the credential only as where it is read).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectorView {
    pub name: String,
    pub kind: String,
    pub base_url: String,
    pub list: String,
    pub list_kind: String,
    pub schedule_minutes: i64,
    pub max_age_hours: i64,
    /// `env:NAME`, `file:/path` or empty.
    pub credential: String,
    pub enabled: bool,
    pub last_run_at: Option<String>,
    pub last_outcome: Option<String>,
    pub last_message: String,
    pub last_success_at: Option<String>,
}

impl From<ConnectorRow> for ConnectorView {
    fn from(r: ConnectorRow) -> Self {
        ConnectorView {
            name: r.name,
            kind: r.kind,
            base_url: r.base_url,
            list: r.list_name,
            list_kind: r.list_kind,
            schedule_minutes: r.schedule_minutes,
            max_age_hours: r.max_age_hours,
            credential: r.credential,
            enabled: r.enabled,
            last_run_at: r.last_run_at,
            last_outcome: r.last_outcome,
            last_message: r.last_message,
            last_success_at: r.last_success_at,
        }
    }
}

/// A connector to add, as typed.
#[derive(Debug, Clone)]
pub struct AddConnector<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub base_url: &'a str,
    pub list: &'a str,
    /// `None`: the kind's usual list kind (Red: wanted, Yellow: missing …).
    pub list_kind: Option<ListKind>,
    /// `None`: 60 minutes.
    pub schedule_minutes: Option<i64>,
    /// `None`: 24 hours.
    pub max_age_hours: Option<i64>,
    /// `env:NAME` or `file:/path` (never the secret itself), or empty.
    pub credential: &'a str,
}

/// The longest base URL or credential reference accepted.
const MAX_URL: usize = 2_000;

fn check_credential(c: &str) -> Result<(), AppError> {
    let ok = c.is_empty()
        || (c.len() <= 512
            && !c.chars().any(char::is_control)
            && c.strip_prefix("env:")
                .map(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
                .or_else(|| c.strip_prefix("file:").map(|p| p.starts_with('/')))
                .unwrap_or(false));
    if ok {
        Ok(())
    } else {
        Err(AppError::Invalid(
            "credential: env:VARIABLE or file:/absolute/path (where the secret is read, never the secret)".into(),
        ))
    }
}

/// Reads the secret a credential reference names: an environment variable
/// or a file (first line, at most 4 KiB). A value with a space is sent as
/// the whole `Authorization` header (`ApiKey …`, `Basic …`); one without,
/// as a bearer token.
fn read_credential(c: &str) -> Result<Option<String>, ConnectorError> {
    let secret = if c.is_empty() {
        return Ok(None);
    } else if let Some(name) = c.strip_prefix("env:") {
        std::env::var(name)
            .map_err(|_| ConnectorError::Config(format!("credential: environment variable {name} not set")))?
    } else if let Some(path) = c.strip_prefix("file:") {
        let meta = std::fs::metadata(path).map_err(|e| ConnectorError::Config(format!("credential: {path}: {e}")))?;
        if meta.len() > 4096 {
            return Err(ConnectorError::Config(format!("credential: {path}: larger than 4 KiB")));
        }
        std::fs::read_to_string(path).map_err(|e| ConnectorError::Config(format!("credential: {path}: {e}")))?
    } else {
        return Err(ConnectorError::Config("credential: env:VARIABLE or file:/path".into()));
    };
    let secret = secret.lines().next().unwrap_or("").trim().to_string();
    if secret.is_empty() {
        return Err(ConnectorError::Config("credential: empty".into()));
    }
    Ok(Some(if secret.contains(' ') { secret } else { format!("Bearer {secret}") }))
}

/// The base URL as a URL: `http(s)://…`, or for a directory an absolute
/// path (or `file://` URL).
fn base_url(s: &str) -> Result<Url, ConnectorError> {
    if s.starts_with('/') {
        return Url::from_directory_path(s)
            .map_err(|_| ConnectorError::Config("base URL: not a directory path".into()));
    }
    let u = Url::parse(s).map_err(|_| ConnectorError::Config("base URL: not a URL".into()))?;
    if !matches!(u.scheme(), "http" | "https" | "file") {
        return Err(ConnectorError::Config("base URL: http, https or a directory".into()));
    }
    Ok(u)
}

impl App {
    /// Adds a kind of connector (a country's own). Its name must not be a
    /// built-in kind's.
    pub fn register_connector(&self, kind: &str, make: ConnectorFactory) -> Result<(), AppError> {
        if BUILTIN_KINDS.iter().any(|(k, _)| *k == kind) || kind.is_empty() || kind.len() > 40 {
            return Err(AppError::Invalid("kind: a new name of 1 to 40 characters".into()));
        }
        self.connector_registry().0.write().map_err(AppError::internal)?.insert(kind.to_string(), make);
        Ok(())
    }

    fn make_connector(&self, row: &ConnectorRow) -> Result<Box<dyn Connector>, ConnectorError> {
        if let Some((_, make)) = BUILTIN_KINDS.iter().find(|(k, _)| *k == row.kind) {
            return make(row);
        }
        let reg = self.connector_registry().0.read().map_err(|_| ConnectorError::Config("registry".into()))?;
        match reg.get(&row.kind) {
            Some(make) => make(row),
            None => Err(ConnectorError::Config(format!("kind {}: not known to this server", row.kind))),
        }
    }

    fn known_kind(&self, kind: &str) -> bool {
        BUILTIN_KINDS.iter().any(|(k, _)| *k == kind)
            || self.connector_registry().0.read().map(|r| r.contains_key(kind)).unwrap_or(false)
    }

    /// Adds a connector (audited `connector_added`).
    pub async fn add_connector(&self, caller: Caller<'_>, req: &AddConnector<'_>) -> Result<ConnectorView, AppError> {
        check_list_name(req.name)
            .map_err(|_| AppError::Invalid("name: 1 to 64 letters, digits, '-', '_' or '.'".into()))?;
        check_list_name(req.list)
            .map_err(|_| AppError::Invalid("list: 1 to 64 letters, digits, '-', '_' or '.'".into()))?;
        if !self.known_kind(req.kind) {
            let kinds: Vec<&str> = BUILTIN_KINDS.iter().map(|(k, _)| *k).collect();
            return Err(AppError::Invalid(format!("kind: one of {}", kinds.join(", "))));
        }
        if req.base_url.len() > MAX_URL || base_url(req.base_url).is_err() {
            return Err(AppError::Invalid("base_url: an http(s) URL or an absolute directory path".into()));
        }
        check_credential(req.credential)?;
        let list_kind = req.list_kind.unwrap_or(builtin::usual_list_kind(req.kind));
        let persons_only = BUILTIN_KINDS.iter().any(|(k, _)| *k == req.kind) && !req.kind.starts_with("national-");
        if list_kind == ListKind::Documents && persons_only {
            return Err(AppError::Invalid(format!("list_kind: a {} connector feeds a list of persons", req.kind)));
        }
        let schedule = req.schedule_minutes.unwrap_or(60);
        let max_age = req.max_age_hours.unwrap_or(24);
        if !(1..=7 * 24 * 60).contains(&schedule) {
            return Err(AppError::Invalid("schedule_minutes: 1 to 10080".into()));
        }
        if !(1..=24 * 365).contains(&max_age) {
            return Err(AppError::Invalid("max_age_hours: 1 to 8760".into()));
        }
        let row = self
            .store()
            .add_connector(&NewConnector {
                name: req.name,
                kind: req.kind,
                base_url: req.base_url,
                list_name: req.list,
                list_kind: list_kind.as_str(),
                schedule_minutes: schedule,
                max_age_hours: max_age,
                credential: req.credential,
            })
            .await?;
        self.audit(
            caller,
            "connector_added",
            format!("connector:{}", req.name),
            json!({"kind": req.kind, "list": req.list, "schedule_minutes": schedule, "max_age_hours": max_age}),
        )
        .await?;
        Ok(row.into())
    }

    pub async fn connectors(&self) -> Result<Vec<ConnectorView>, AppError> {
        Ok(self.store().connectors().await?.into_iter().map(ConnectorView::from).collect())
    }

    /// Enables or disables a connector (audited); a disabled one is not run
    /// on schedule.
    pub async fn set_connector_enabled(&self, caller: Caller<'_>, name: &str, enabled: bool) -> Result<(), AppError> {
        self.store().set_connector_enabled(name, enabled).await?;
        self.audit(
            caller,
            if enabled { "connector_enabled" } else { "connector_disabled" },
            format!("connector:{name}"),
            json!({}),
        )
        .await
    }

    /// Runs one connector now, with the default [`Limits`].
    pub async fn run_connector(&self, caller: Caller<'_>, name: &str) -> Result<RunReport, AppError> {
        self.run_connector_as(&caller.actor(), name, Limits::default()).await
    }

    /// Runs one connector as `actor` (`cli`, `user:ID`, `system` for the
    /// schedule). A failed pull is an `Ok` report with
    /// [`Outcome::Failed`]: it is recorded and audited like the others,
    /// and the version in force stays. The caller reloads the screening
    /// index after [`Outcome::Imported`] where one is served.
    pub async fn run_connector_as(&self, actor: &str, name: &str, limits: Limits) -> Result<RunReport, AppError> {
        let row =
            self.store().connector(name).await?.ok_or_else(|| AppError::NotFound(format!("connector '{name}'")))?;
        let started = Instant::now();
        let max_records = limits.max_records;
        let kind =
            ListKind::parse(&row.list_kind).map_err(|e| AppError::Internal(format!("connectors.list_kind: {e}")))?;
        let summary = self.store().lists().await?.into_iter().find(|l| l.name == row.list_name);
        let current_version = summary.as_ref().and_then(|s| s.version);
        let current = match current_version {
            Some(v) => self.store().version_rows(&row.list_name, v).await?.map(|(_, rows)| rows),
            None => None,
        };
        let mut report = RunReport {
            connector: row.name.clone(),
            list: row.list_name.clone(),
            outcome: Outcome::Failed,
            diff: Diff::default(),
            version: current_version,
            rows: current.as_ref().map(|r| r.len() as u64).unwrap_or(0),
            dropped_values: 0,
            requests: 0,
            millis: 0,
            message: String::new(),
            images_stored: 0,
            images_removed: 0,
            warnings: Vec::new(),
        };
        let thumbs = Thumbnails::default();
        let images_held = self.store().list_images_held(&row.list_name).await?;
        let pulled = async {
            let base = base_url(&row.base_url)?;
            let auth = read_credential(&row.credential)?;
            let http = Http::new(&base, limits, auth)?;
            let state = serde_json::from_str(&row.state).unwrap_or_else(|_| json!({}));
            let connector = self.make_connector(&row)?;
            let ctx = PullContext {
                spec: &row,
                kind,
                base,
                http: &http,
                state,
                current: current.as_ref(),
                app: self,
                images: &thumbs,
                images_held: &images_held,
            };
            let r = connector.pull(&ctx).await;
            Ok::<_, ConnectorError>((r, http.requests.load(std::sync::atomic::Ordering::Relaxed)))
        }
        .await;
        let (pulled, requests) = match pulled {
            Ok((r, n)) => (r, n),
            Err(e) => (Err(e), 0),
        };
        report.requests = requests;
        let now = centinela_store::now_rfc3339();
        let mut new_state = None;
        let result: Result<(), String> = match pulled {
            Err(e) => Err(e.to_string()),
            Ok(Pull::NotModified { state }) => {
                report.outcome = Outcome::NotModified;
                new_state = Some(state);
                Ok(())
            }
            Ok(Pull::Rows { rows, format, read, skipped, dropped_values, state }) => {
                report.dropped_values = dropped_values;
                report.diff = Diff::between(current.as_ref(), &rows);
                new_state = Some(state);
                if current.is_some() && report.diff.is_empty() {
                    report.outcome = Outcome::Unchanged;
                    Ok(())
                } else if rows.len() > max_records {
                    Err(format!("limit: more than {max_records} records"))
                } else {
                    let nv = NewVersion {
                        list: &row.list_name,
                        kind,
                        source: Some(&row.base_url),
                        file_name: &row.name,
                        format,
                        rows_read: read,
                        rows_skipped: skipped,
                        keep_old_versions: false,
                    };
                    match self.store().import_version(&nv, &rows).await {
                        Ok(outcome) => {
                            report.outcome = Outcome::Imported;
                            report.version = Some(outcome.version);
                            report.rows = outcome.rows_imported;
                            self.audit_as(
                                actor,
                                "list_imported",
                                format!("list:{}", row.list_name),
                                json!({"version": outcome.version, "rows": outcome.rows_imported, "format": format,
                                       "via": "connector", "connector": row.name}),
                            )
                            .await?;
                            Ok(())
                        }
                        Err(StoreError::Conflict(m) | StoreError::Invalid(m)) => Err(m),
                        Err(e) => return Err(e.into()),
                    }
                }
            }
        };
        if let Err(m) = result {
            report.outcome = Outcome::Failed;
            report.message = format!(
                "{m}; la versión en vigor se mantiene / the version in force stays{}",
                current_version.map(|v| format!(" ({v})")).unwrap_or_default()
            );
        } else {
            self.store().mark_list_refreshed(&row.list_name, Some(&now), Some(row.max_age_hours)).await?;
            // The thumbnails, now that the version they belong to is in force.
            let t = thumbs.take();
            report.warnings = t.warnings;
            if t.more_warnings > 0 {
                report.warnings.push(PullWarning { code: "more_warnings".into(), detail: t.more_warnings.to_string() });
            }
            if !t.put.is_empty() || !t.removed.is_empty() {
                let put: Vec<NewListImage<'_>> =
                    t.put.iter().map(|(id, b)| NewListImage { entry_id: id, bytes: b }).collect();
                let removed: Vec<&str> = t.removed.iter().map(String::as_str).collect();
                let w = self.store().write_list_images(&row.list_name, &put, &removed).await?;
                report.images_stored = w.stored;
                report.images_removed = w.removed;
            }
        }
        report.millis = started.elapsed().as_millis() as u64;
        let state_text = new_state.map(|s| s.to_string());
        let summary_msg = match report.outcome {
            Outcome::Failed => report.message.clone(),
            o => format!(
                "{}: +{} ~{} -{} ({} rows){}{}",
                o.as_str(),
                report.diff.added,
                report.diff.changed,
                report.diff.withdrawn,
                report.rows,
                if report.images_stored + report.images_removed > 0 {
                    format!("; images +{} -{}", report.images_stored, report.images_removed)
                } else {
                    String::new()
                },
                if report.warnings.is_empty() {
                    String::new()
                } else {
                    let w: Vec<String> = report.warnings.iter().map(|w| format!("{}: {}", w.code, w.detail)).collect();
                    format!("; {} warnings: {}", w.len(), w.join("; "))
                }
            ),
        };
        self.store()
            .record_connector_run(
                &row.name,
                &ConnectorRun {
                    at: &now,
                    outcome: report.outcome.as_str(),
                    message: &summary_msg,
                    state: state_text.as_deref(),
                },
            )
            .await?;
        self.audit_as(
            actor,
            "connector_pull",
            format!("connector:{}", row.name),
            json!({
                "list": row.list_name, "kind": row.kind, "outcome": report.outcome.as_str(),
                "added": report.diff.added, "changed": report.diff.changed, "withdrawn": report.diff.withdrawn,
                "version": report.version, "requests": report.requests, "millis": report.millis,
                "images_stored": report.images_stored, "images_removed": report.images_removed,
                "warnings": report.warnings.iter().map(|w| w.code.as_str()).collect::<Vec<_>>(),
                "message": if report.outcome == Outcome::Failed { report.message.as_str() } else { "" },
            }),
        )
        .await?;
        if report.outcome == Outcome::Failed {
            tracing::warn!(connector = %row.name, list = %row.list_name, error = %report.message, "connector pull failed");
        } else {
            tracing::info!(connector = %row.name, outcome = report.outcome.as_str(), added = report.diff.added,
                changed = report.diff.changed, withdrawn = report.diff.withdrawn, "connector pull");
        }
        Ok(report)
    }

    /// Runs, one after the other, every enabled connector whose schedule
    /// has come (never run, or its last run `schedule_minutes` ago), as
    /// `system`. Answers the reports; the caller reloads the screening
    /// index when one imported.
    pub async fn run_due_connectors(&self, now_unix: i64) -> Result<Vec<RunReport>, AppError> {
        let mut out = Vec::new();
        for c in self.store().connectors().await? {
            if !c.enabled {
                continue;
            }
            let due = match c.last_run_at.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok()) {
                None => true,
                Some(t) => t.as_second() + c.schedule_minutes * 60 <= now_unix,
            };
            if due {
                out.push(self.run_connector_as("system", &c.name, Limits::default()).await?);
            }
        }
        Ok(out)
    }
}

impl App {
    pub(crate) fn connector_registry(&self) -> &Registry {
        &self.0.connectors
    }
}
