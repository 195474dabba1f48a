//! List imports from the browser: the page sends the file as the request
//! body; a background task runs the import use case (parse all or nothing,
//! write the new version, audit — as `centinela lists import`) and reloads
//! the screening index. The page polls the job's progress.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use centinela_app::lists::{ImportRequest, ListFormat, check_kind_format, check_list_name, parse_list};
use centinela_app::{AppError, Caller};
use centinela_domain::ListKind;
use centinela_store::StoreError;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::PageCtx;
use super::i18n::{tr, tr_or};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// The import jobs of this process, by id.
#[derive(Default)]
pub struct Jobs(Mutex<HashMap<String, Arc<Job>>>);

/// Finished jobs kept for their pages to read.
const KEEP_JOBS: usize = 32;

pub struct Job {
    owner: i64,
    total: u64,
    read: Arc<AtomicU64>,
    state: Mutex<JobState>,
}

#[derive(Debug, Clone, Serialize)]
struct JobState {
    /// `parsing`, `writing`, `reloading`, `done`, `failed`.
    phase: &'static str,
    /// A catalogue key for failures.
    error: Option<&'static str>,
    /// Where the file is wrong (line and field), for failures.
    detail: Option<String>,
    rows: u64,
    rejected: u64,
    version: Option<i64>,
}

impl Job {
    fn set(&self, f: impl FnOnce(&mut JobState)) {
        f(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
    }

    fn get(&self) -> JobState {
        self.state.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    name: String,
    kind: String,
    format: String,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    file_name: Option<String>,
}

/// Counts the bytes read, for the progress bar.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Starts an import of the request body as list `name`'s new version.
/// Answers the job's id (JSON) at once.
pub async fn start(
    State(app): State<AppState>,
    Extension(jobs): Extension<Arc<Jobs>>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<ImportQuery>,
    body: Bytes,
) -> Response {
    let bad = |key: &str| (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(json!({ "message": ctx.t(key) })));
    let Ok(kind) = ListKind::parse(&q.kind) else { return bad("import.bad_kind").into_response() };
    let name = q.name.trim().to_string();
    if check_list_name(&name).is_err() {
        return bad("import.bad_name").into_response();
    }
    let Some(format) = ListFormat::parse(&q.format) else { return bad("import.bad_format").into_response() };
    if check_kind_format(kind, format).is_err() {
        return bad("import.kind_format").into_response();
    }
    if body.is_empty() {
        return bad("import.empty").into_response();
    }
    let id = uuid::Uuid::now_v7().to_string();
    let job = Arc::new(Job {
        owner: user.id,
        total: body.len() as u64,
        read: Arc::new(AtomicU64::new(0)),
        state: Mutex::new(JobState {
            phase: "parsing",
            error: None,
            detail: None,
            rows: 0,
            rejected: 0,
            version: None,
        }),
    });
    {
        let mut map = jobs.0.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= KEEP_JOBS {
            map.retain(|_, j| !matches!(j.get().phase, "done" | "failed"));
        }
        map.insert(id.clone(), job.clone());
    }
    let file_name: String =
        q.file_name.unwrap_or_default().chars().filter(|c| !c.is_control()).take(200).collect::<String>();
    let source = q.source.map(|s| s.trim().chars().take(200).collect::<String>()).filter(|s| !s.is_empty());
    tracing::info!(user = user.id, bytes = body.len(), format = format.as_str(), "list import started from the web");
    tokio::spawn(run(app, user, job, body, ImportSpec { name, kind, format, source, file_name }));
    (StatusCode::ACCEPTED, axum::Json(json!({ "job": id }))).into_response()
}

struct ImportSpec {
    name: String,
    kind: ListKind,
    format: ListFormat,
    source: Option<String>,
    file_name: String,
}

async fn run(app: AppState, user: CurrentUser, job: Arc<Job>, body: Bytes, spec: ImportSpec) {
    let read = job.read.clone();
    let format = spec.format;
    let parsed = tokio::task::spawn_blocking(move || parse_list(Counting { inner: body.as_ref(), read }, format)).await;
    let parsed = match parsed {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            job.set(|s| {
                s.phase = "failed";
                s.error = Some("import.unreadable");
                s.detail = Some(format!("{}: {}", e.line, e.field));
            });
            return;
        }
        Err(_) => {
            job.set(|s| {
                s.phase = "failed";
                s.error = Some("error.internal");
            });
            return;
        }
    };
    if let Some(e) = parsed.rejected.first() {
        // All or nothing: one rejected row and the version in force stays.
        tracing::info!(user = user.id, rejected = parsed.rejected_count, "list import rejected");
        job.set(|s| {
            s.phase = "failed";
            s.error = Some("import.rejected");
            s.rejected = parsed.rejected_count;
            s.detail = Some(format!("{}: {}", e.line, e.field));
        });
        return;
    }
    job.set(|s| s.phase = "writing");
    let req = ImportRequest {
        name: &spec.name,
        kind: spec.kind,
        format,
        source: spec.source.as_deref(),
        file_name: &spec.file_name,
        keep_old_versions: false,
        via: "web",
    };
    let outcome = match app.app().import_list(Caller::User(&user), &req, &parsed).await {
        Ok(o) => o,
        Err(e) => {
            let conflict = matches!(e, AppError::Store(StoreError::Conflict(_)));
            tracing::warn!(user = user.id, conflict, "list import failed");
            job.set(|s| {
                s.phase = "failed";
                s.error = Some(if conflict { "import.conflict" } else { "error.internal" });
                s.detail = conflict.then(|| e.to_string());
            });
            return;
        }
    };
    job.set(|s| {
        s.phase = "reloading";
        s.rows = outcome.rows_imported;
        s.version = Some(outcome.version);
    });
    let reloaded = app.app().reload_lists(Some(Caller::User(&user))).await;
    job.set(|s| {
        if reloaded.is_ok() {
            s.phase = "done";
        } else {
            s.phase = "failed";
            s.error = Some("import.reload_failed");
        }
    });
}

/// A job's progress, for the page's poll: phase, fraction read, counts and
/// a translated sentence.
pub async fn progress(
    Extension(jobs): Extension<Arc<Jobs>>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Response {
    let job = jobs.0.lock().unwrap_or_else(PoisonError::into_inner).get(&id).cloned();
    let Some(job) = job.filter(|j| j.owner == user.id) else {
        return (StatusCode::NOT_FOUND, axum::Json(json!({ "message": ctx.t("error.not_found") }))).into_response();
    };
    let s = job.get();
    let fraction = match s.phase {
        "parsing" => 0.8 * job.read.load(Ordering::Relaxed) as f64 / job.total.max(1) as f64,
        "writing" => 0.85,
        "reloading" => 0.95,
        _ => 1.0,
    };
    let mut message = tr(ctx.lang, &format!("import.phase.{}", s.phase)).to_string();
    if s.phase == "done" {
        message =
            message.replace("{rows}", &s.rows.to_string()).replace("{version}", &s.version.unwrap_or(0).to_string());
    }
    if let Some(key) = s.error {
        message = format!("{} {}", message, tr_or(ctx.lang, key, key).replace("{n}", &s.rejected.to_string()));
        if let Some(d) = &s.detail {
            message = format!("{message} ({d})");
        }
    }
    axum::Json(json!({
        "phase": s.phase,
        "fraction": fraction,
        "finished": matches!(s.phase, "done" | "failed"),
        "failed": s.phase == "failed",
        "message": message,
    }))
    .into_response()
}
