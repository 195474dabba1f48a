//! Alert lists: versioned, all-or-nothing imports; loading the current rows
//! for screening and for the document index; document look-ups.
//!
//! An import writes the new version *staged* (`list_versions.staged`,
//! migration 0014) in transactions of 1,000 rows on a connection of its
//! own, so the booths' inspection writer takes the write lock between two
//! of them; one short transaction then makes it current and marks the
//! versions it replaces purged, whose rows are deleted 2,000 per
//! transaction after. Nothing reads a staged version (every reader goes
//! through `current_version_id`); one left by a failed or killed import is
//! removed at the list's next import or when `serve` starts
//! (`clean_unfinished_imports`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use centinela_domain::{AlertEntry, CountryCode, DocumentNumber, DocumentRecord, DocumentStatus, ListKind};
use centinela_lists::{DocumentIndex, DocumentIndexBuilder};
use futures_util::TryStreamExt;
use sqlx::postgres::PgConnection;
use sqlx::sqlite::{SqliteConnection, SqlitePool};
use sqlx::{AssertSqlSafe, Connection, Row};

use crate::conn::{OwnConn, on_own};
use crate::{Backend, Store, StoreError, now_rfc3339, on_pool};

/// What is being imported as a list's new version.
#[derive(Debug, Clone)]
pub struct NewVersion<'a> {
    /// The list's name (unique); the list is created on its first import.
    pub list: &'a str,
    pub kind: ListKind,
    /// Where the list comes from; `None` keeps what is stored.
    pub source: Option<&'a str>,
    /// The file the rows were read from (its name, not its content).
    pub file_name: &'a str,
    /// `csv`, `ftm` or `documents`.
    pub format: &'a str,
    /// Data rows read from the file (lines, for FtM).
    pub rows_read: u64,
    /// Rows read but not meant for this list (FtM entities of other schemas).
    pub rows_skipped: u64,
    /// Keep the rows of earlier versions (their metadata is always kept).
    pub keep_old_versions: bool,
}

/// The rows of a new version: persons or documents, by the list's kind.
#[derive(Debug, Clone)]
pub enum ListRows {
    Entries(Vec<AlertEntry>),
    Documents(Vec<DocumentRecord>),
}

impl ListRows {
    pub fn len(&self) -> usize {
        match self {
            ListRows::Entries(v) => v.len(),
            ListRows::Documents(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The result of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub list_id: i64,
    pub version_id: i64,
    /// 1 for a list's first import, then 2, 3 …
    pub version: i64,
    pub rows_imported: u64,
    pub created_list: bool,
    /// Earlier versions whose rows were deleted.
    pub purged_versions: u64,
}

/// A list with its current version, as `lists show` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSummary {
    pub name: String,
    pub kind: ListKind,
    pub source: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Versions imported so far.
    pub versions: i64,
    /// The current version (none before a first successful import).
    pub version: Option<i64>,
    pub imported_at: Option<String>,
    pub file_name: Option<String>,
    pub format: Option<String>,
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_rejected: i64,
    pub rows_skipped: i64,
    /// When the list was last confirmed against its source: its last
    /// import, or a connector's pull that found it unchanged.
    pub refreshed_at: Option<String>,
    /// How old the list may grow before posts are warned (`None`: no
    /// expectation).
    pub max_age_hours: Option<i64>,
}

/// A person on the current version of an active list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub list: Arc<str>,
    pub kind: ListKind,
    /// What an officer is asked to do on a confirmed hit.
    pub action: Arc<str>,
    pub entry: AlertEntry,
}

/// A reported document found by [`Store::find_documents`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentMatch {
    pub list: String,
    /// The normalised number as reported.
    pub number: String,
    pub issuing_state: Option<CountryCode>,
    pub document_type: String,
    pub status: DocumentStatus,
    pub reported_at: String,
}

/// Exact matches and matches through confusable characters (O/0, I/1 …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentMatches {
    pub exact: Vec<DocumentMatch>,
    pub possible: Vec<DocumentMatch>,
}

/// How far a staged import has come: handed to the caller of
/// [`Store::import_version_paced`] after each of its transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StagingProgress {
    /// The version being staged.
    pub version: i64,
    /// Rows written so far (in staged, invisible form).
    pub rows_staged: u64,
    pub rows_total: u64,
}

/// What [`Store::import_version_paced`] awaits between two staging
/// transactions.
pub type BetweenChunks = dyn FnMut(StagingProgress) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send;

/// Rows written per staging transaction. Each transaction holds SQLite's
/// one write lock for a few milliseconds, so an inspection arriving
/// meanwhile waits for at most one of them (BENCHMARKS.md, "A list import
/// beside the booths"). Small in debug builds, so that tests cross chunks.
const STAGE_CHUNK: usize = if cfg!(debug_assertions) { 64 } else { 1_000 };

/// Rows deleted per transaction when old or abandoned versions are purged.
const PURGE_CHUNK: i64 = if cfg!(debug_assertions) { 64 } else { 2_000 };

impl Store {
    /// Imports `rows` as the list's new version, all or nothing for its
    /// readers: the version and its rows are written as *staged* in many
    /// short transactions (inspections go on between them; nobody reads a
    /// staged version), then one short transaction makes it current and
    /// marks the versions it replaces purged, whose rows are deleted after
    /// in short transactions too. On any error, or if the process dies,
    /// the version in force stays; what was staged is removed then, or at
    /// the list's next import, or when a server starts
    /// ([`Store::clean_unfinished_imports`]).
    pub async fn import_version(&self, v: &NewVersion<'_>, rows: &ListRows) -> Result<ImportOutcome, StoreError> {
        self.write_version(v, rows, None, &mut |_| Box::pin(async {})).await
    }

    /// [`Store::import_version`], awaiting `between` after each staging
    /// transaction (none is open then): progress for a long import, or a
    /// pause.
    pub async fn import_version_paced(
        &self,
        v: &NewVersion<'_>,
        rows: &ListRows,
        between: &mut BetweenChunks,
    ) -> Result<ImportOutcome, StoreError> {
        self.write_version(v, rows, None, between).await
    }

    /// [`Store::import_version`] with the version number given (a post
    /// installing the centre's version keeps the centre's number, so that
    /// every hit traces to the list version it was screened against).
    /// Refuses a number not above the list's highest.
    pub(crate) async fn write_version(
        &self,
        v: &NewVersion<'_>,
        rows: &ListRows,
        forced: Option<i64>,
        between: &mut BetweenChunks,
    ) -> Result<ImportOutcome, StoreError> {
        match (v.kind, rows) {
            (ListKind::Documents, ListRows::Documents(_)) => {}
            (ListKind::Documents, ListRows::Entries(_)) => {
                return Err(StoreError::Conflict(
                    "a documents list takes document rows (--format documents), not persons".into(),
                ));
            }
            (k, ListRows::Documents(_)) => {
                return Err(StoreError::Conflict(format!(
                    "a {} list takes persons (--format csv or ftm), not documents",
                    k.as_str()
                )));
            }
            _ => {}
        }
        let backend = self.backend();
        // A connection of its own: staged rows need not reach the disk at
        // each commit (if lost, the version is never switched to and is
        // removed); the switch is made durable (see `switch`).
        let mut conn = self.own_connection("PRAGMA synchronous = NORMAL").await?;
        on_own!(&mut conn, c => {
            // Leftovers first: a version of this list staged by an import
            // that died, and rows of purged versions not yet deleted.
            c.drop_staged(backend, Some(v.list)).await?;
            c.delete_purged_rows(backend).await?;
            let staged = c.stage(backend, v, rows.len(), forced).await?;
            let result = async {
                let action = v.kind.default_action();
                let mut done = 0usize;
                match rows {
                    ListRows::Entries(e) => {
                        // In key order: appends to the (version_id, entry_id) B-tree.
                        let mut sorted: Vec<&AlertEntry> = e.iter().collect();
                        sorted.sort_unstable_by(|a, b| a.id.cmp(&b.id));
                        for chunk in sorted.chunks(STAGE_CHUNK) {
                            let held = std::time::Instant::now();
                            c.stage_entries(backend, staged.version_id, action, chunk).await?;
                            let_writers_in(backend, held.elapsed()).await;
                            done += chunk.len();
                            between(StagingProgress { version: staged.version, rows_staged: done as u64, rows_total: rows.len() as u64 }).await;
                        }
                    }
                    ListRows::Documents(d) => {
                        for chunk in d.chunks(STAGE_CHUNK) {
                            let held = std::time::Instant::now();
                            c.stage_documents(backend, staged.version_id, chunk).await?;
                            let_writers_in(backend, held.elapsed()).await;
                            done += chunk.len();
                            between(StagingProgress { version: staged.version, rows_staged: done as u64, rows_total: rows.len() as u64 }).await;
                        }
                    }
                }
                c.switch(backend, v, &staged).await
            }
            .await;
            match result {
                Ok(purged_versions) => {
                    // The replaced versions' rows, now unread, in short
                    // transactions; what is left (an error, a crash) goes
                    // at the next import or start.
                    if let Err(e) = c.delete_purged_rows(backend).await {
                        tracing::warn!(error = %e, list = v.list, "rows of purged list versions left for later");
                    }
                    Ok(ImportOutcome {
                        list_id: staged.list_id,
                        version_id: staged.version_id,
                        version: staged.version,
                        rows_imported: rows.len() as u64,
                        created_list: staged.created_list,
                        purged_versions,
                    })
                }
                Err(e) => {
                    if let Err(e2) = c.drop_staged_version(backend, staged.version_id).await {
                        tracing::warn!(error = %e2, list = v.list, "a failed import's staged rows left for later");
                    }
                    Err(e)
                }
            }
        })
    }

    /// Removes what unfinished imports left: versions staged but never made
    /// current (their import failed or its process died), with their rows,
    /// and the rows of purged versions. Run when a server starts; an import
    /// running at that moment in another process fails (the version in
    /// force stays) and can be run again.
    pub async fn clean_unfinished_imports(&self) -> Result<(), StoreError> {
        let backend = self.backend();
        let mut conn = self.own_connection("PRAGMA synchronous = NORMAL").await?;
        on_own!(&mut conn, c => {
            c.drop_staged(backend, None).await?;
            c.delete_purged_rows(backend).await
        })
    }

    /// Every list with its current version, by name.
    pub async fn lists(&self) -> Result<Vec<ListSummary>, StoreError> {
        const SQL: &str = "SELECT l.name, l.kind, l.source, l.active, l.created_at, l.updated_at, \
             (SELECT COUNT(*) FROM list_versions x WHERE x.list_id = l.id AND NOT x.staged), \
             v.version, v.imported_at, v.file_name, v.format, v.rows_read, v.rows_imported, v.rows_rejected, \
             v.rows_skipped, l.refreshed_at, l.max_age_hours \
             FROM alert_lists l LEFT JOIN list_versions v ON v.id = l.current_version_id \
             WHERE l.current_version_id IS NOT NULL ORDER BY l.name";
        on_pool!(self, p => {
            let rows = sqlx::query(SQL).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let kind: String = r.try_get(1)?;
                out.push(ListSummary {
                    name: r.try_get(0)?,
                    kind: parse_kind(&kind)?,
                    source: r.try_get(2)?,
                    active: r.try_get(3)?,
                    created_at: r.try_get(4)?,
                    updated_at: r.try_get(5)?,
                    versions: r.try_get(6)?,
                    version: r.try_get(7)?,
                    imported_at: r.try_get(8)?,
                    file_name: r.try_get(9)?,
                    format: r.try_get(10)?,
                    rows_read: r.try_get::<Option<i64>, _>(11)?.unwrap_or(0),
                    rows_imported: r.try_get::<Option<i64>, _>(12)?.unwrap_or(0),
                    rows_rejected: r.try_get::<Option<i64>, _>(13)?.unwrap_or(0),
                    rows_skipped: r.try_get::<Option<i64>, _>(14)?.unwrap_or(0),
                    refreshed_at: r.try_get(15)?,
                    max_age_hours: r.try_get(16)?,
                });
            }
            Ok(out)
        })
    }

    /// The persons of the current version of every active list (the input
    /// of the screening index), list by list.
    pub async fn current_entries(&self) -> Result<Vec<StoredEntry>, StoreError> {
        const SQL: &str = "SELECT l.name, l.kind, e.action, e.data FROM alert_lists l \
             JOIN list_entries e ON e.version_id = l.current_version_id \
             WHERE l.active ORDER BY l.name, e.entry_id";
        if let Some(p) = self.sqlite() {
            return sqlite_current_entries(p).await;
        }
        on_pool!(self, p => {
            let mut out = Vec::new();
            let mut rows = sqlx::query(SQL).fetch(p);
            let mut last: Option<(Arc<str>, Arc<str>, ListKind)> = None;
            while let Some(r) = rows.try_next().await? {
                let name: &str = r.try_get(0)?;
                let action: &str = r.try_get(2)?;
                let (list, action, kind) = match &last {
                    Some((l, a, k)) if &**l == name && &**a == action => (l.clone(), a.clone(), *k),
                    _ => {
                        let kind = parse_kind(r.try_get(1)?)?;
                        let t = (Arc::<str>::from(name), Arc::<str>::from(action), kind);
                        last = Some(t.clone());
                        t
                    }
                };
                let data: &str = r.try_get(3)?;
                let entry: AlertEntry =
                    serde_json::from_str(data).map_err(|e| StoreError::Corrupt(format!("list entry of {list}: {e}")))?;
                out.push(StoredEntry { list, kind, action, entry });
            }
            Ok(out)
        })
    }

    /// Builds the in-memory document index from the current version of
    /// every active documents list.
    pub async fn document_index(&self) -> Result<DocumentIndex, StoreError> {
        self.document_index_of("").await
    }

    /// One document index per active documents list, with the list's name
    /// (so that a hit can say which list reported the document).
    pub async fn document_indexes(&self) -> Result<Vec<(String, DocumentIndex)>, StoreError> {
        let names: Vec<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT name FROM alert_lists WHERE active AND kind = 'documents' AND current_version_id IS NOT NULL \
             ORDER BY name",
        ).fetch_all(p).await?);
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let index = self.document_index_of(&name).await?;
            out.push((name, index));
        }
        Ok(out)
    }

    /// The documents of one active list (`""`: of every active list).
    async fn document_index_of(&self, list: &str) -> Result<DocumentIndex, StoreError> {
        const SQL: &str = "SELECT d.number, d.confusable_key, d.issuing_state, d.status FROM alert_lists l \
             JOIN documents d ON d.version_id = l.current_version_id WHERE l.active AND ($1 = '' OR l.name = $1)";
        let n: i64 = on_pool!(self, p => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(v.rows_imported), 0) AS BIGINT) FROM alert_lists l \
             JOIN list_versions v ON v.id = l.current_version_id WHERE l.active AND l.kind = 'documents' \
             AND ($1 = '' OR l.name = $1)",
        ).bind(list).fetch_one(p).await?);
        let mut b = DocumentIndexBuilder::with_capacity(n.max(0) as usize);
        if let Some(p) = self.sqlite() {
            sqlite_document_index(p, list, &mut b).await?;
            return Ok(b.finish());
        }
        on_pool!(self, p => {
            let mut rows = sqlx::query(SQL).bind(list).fetch(p);
            while let Some(r) = rows.try_next().await? {
                let state = parse_state(r.try_get(2)?)?;
                let status = parse_status(r.try_get(3)?)?;
                b.push_normalised(r.try_get(0)?, r.try_get(1)?, state, status);
            }
        });
        Ok(b.finish())
    }

    /// Looks a document up in the current version of every active documents
    /// list: exact matches on the normalised number, and possible matches
    /// through confusable characters. With `state`, reports of other issuing
    /// states are left out (reports without a state are kept).
    pub async fn find_documents(
        &self,
        number: &DocumentNumber,
        state: Option<CountryCode>,
    ) -> Result<DocumentMatches, StoreError> {
        const SQL: &str = "SELECT l.name, d.number, d.issuing_state, d.document_type, d.status, d.reported_at \
             FROM documents d JOIN alert_lists l ON l.current_version_id = d.version_id \
             WHERE l.active AND d.confusable_key = $1 \
             AND ($2 = '' OR d.issuing_state = $2 OR d.issuing_state = '') \
             ORDER BY l.name, d.number, d.issuing_state";
        let state_s = state.map(|s| s.as_str().to_string()).unwrap_or_default();
        let mut out = DocumentMatches::default();
        on_pool!(self, p => {
            let rows = sqlx::query(SQL).bind(number.confusable_key()).bind(&state_s).fetch_all(p).await?;
            for r in rows {
                let m = DocumentMatch {
                    list: r.try_get(0)?,
                    number: r.try_get(1)?,
                    issuing_state: parse_state(r.try_get(2)?)?,
                    document_type: r.try_get(3)?,
                    status: parse_status(r.try_get(4)?)?,
                    reported_at: r.try_get(5)?,
                };
                if m.number == number.as_str() { out.exact.push(m) } else { out.possible.push(m) }
            }
        });
        Ok(out)
    }

    /// The rows of one version of a list, or `None` when the version is
    /// unknown or its rows were purged.
    pub async fn version_rows(&self, list: &str, version: i64) -> Result<Option<(ListKind, ListRows)>, StoreError> {
        let found: Option<(i64, String, Option<String>)> = on_pool!(self, p => sqlx::query_as(
            "SELECT v.id, l.kind, v.purged_at FROM list_versions v JOIN alert_lists l ON l.id = v.list_id \
             WHERE l.name = $1 AND v.version = $2 AND NOT v.staged",
        ).bind(list).bind(version).fetch_optional(p).await?);
        let Some((version_id, kind, None)) = found else {
            return Ok(None);
        };
        let kind = parse_kind(&kind)?;
        if kind == ListKind::Documents {
            let rows: Vec<(String, String, String, String, String)> = on_pool!(self, p => sqlx::query_as(
                "SELECT number, issuing_state, document_type, status, reported_at FROM documents \
                 WHERE version_id = $1",
            ).bind(version_id).fetch_all(p).await?);
            let mut out = Vec::with_capacity(rows.len());
            for (number, state, document_type, status, reported_at) in rows {
                out.push(DocumentRecord {
                    document_number: DocumentNumber::parse(&number)
                        .map_err(|e| StoreError::Corrupt(format!("documents.number: {e}")))?,
                    issuing_state: parse_state(&state)?,
                    document_type,
                    status: parse_status(&status)?,
                    reported_at,
                });
            }
            return Ok(Some((kind, ListRows::Documents(out))));
        }
        let rows: Vec<String> = on_pool!(self, p => sqlx::query_scalar(
            "SELECT data FROM list_entries WHERE version_id = $1 ORDER BY entry_id",
        ).bind(version_id).fetch_all(p).await?);
        let mut out = Vec::with_capacity(rows.len());
        for data in rows {
            out.push(
                serde_json::from_str::<AlertEntry>(&data)
                    .map_err(|e| StoreError::Corrupt(format!("list entry of {list}: {e}")))?,
            );
        }
        Ok(Some((kind, ListRows::Entries(out))))
    }

    /// Rows stored for one version (entries or documents), for checks.
    pub async fn version_row_count(&self, list: &str, version: i64) -> Result<i64, StoreError> {
        const SQL: &str = "SELECT (SELECT COUNT(*) FROM list_entries e WHERE e.version_id = v.id) + \
             (SELECT COUNT(*) FROM documents d WHERE d.version_id = v.id) \
             FROM list_versions v JOIN alert_lists l ON l.id = v.list_id WHERE l.name = $1 AND v.version = $2";
        on_pool!(self, p => {
            let n: Option<i64> = sqlx::query_scalar(SQL).bind(list).bind(version).fetch_optional(p).await?;
            Ok(n.unwrap_or(0))
        })
    }
}

/// Rows per round trip when SQLite loads in bulk: sqlx hands every row from
/// its SQLite worker thread to the caller one by one (microseconds each), so
/// bulk loads fetch thousands of rows packed into one text value instead.
/// (Small in debug builds, so that tests cross page boundaries.)
const SQLITE_LOAD_CHUNK: i64 = if cfg!(debug_assertions) { 500 } else { 20_000 };

/// The document index from SQLite: rowid ranges of the documents table,
/// each packed into one `number key state status` text per line.
async fn sqlite_document_index(p: &SqlitePool, list: &str, b: &mut DocumentIndexBuilder) -> Result<(), StoreError> {
    let versions: Vec<i64> = sqlx::query_scalar(
        "SELECT current_version_id FROM alert_lists \
         WHERE active AND kind = 'documents' AND current_version_id IS NOT NULL AND ($1 = '' OR name = $1)",
    )
    .bind(list)
    .fetch_all(p)
    .await?;
    if versions.is_empty() {
        return Ok(());
    }
    let (lo, hi): (Option<i64>, Option<i64>) =
        sqlx::query_as("SELECT MIN(rowid), MAX(rowid) FROM documents").fetch_one(p).await?;
    let (Some(lo), Some(hi)) = (lo, hi) else { return Ok(()) };
    let list = versions.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",");
    // Only integers from the database go into the IN list.
    let sql = format!(
        "SELECT group_concat(number || ' ' || confusable_key || ' ' || issuing_state || ' ' || status, char(10)) \
         FROM documents WHERE rowid >= $1 AND rowid < $2 AND version_id IN ({list})"
    );
    let mut start = lo;
    while start <= hi {
        let packed: Option<String> = sqlx::query_scalar(AssertSqlSafe(sql.as_str()))
            .bind(start)
            .bind(start + SQLITE_LOAD_CHUNK)
            .fetch_one(p)
            .await?;
        for line in packed.as_deref().unwrap_or("").lines() {
            let mut f = line.split(' ');
            let (Some(num), Some(key), Some(state), Some(status)) = (f.next(), f.next(), f.next(), f.next()) else {
                return Err(StoreError::Corrupt(format!("document row '{line}'")));
            };
            b.push_normalised(num, key, parse_state(state)?, parse_status(status)?);
        }
        start += SQLITE_LOAD_CHUNK;
    }
    Ok(())
}

/// The current entries from SQLite, list by list, in pages of
/// [`SQLITE_LOAD_CHUNK`] `action TAB json` lines (compact JSON never holds a
/// raw tab or newline).
async fn sqlite_current_entries(p: &SqlitePool) -> Result<Vec<StoredEntry>, StoreError> {
    let lists: Vec<(String, String, i64)> = sqlx::query_as(
        "SELECT name, kind, current_version_id FROM alert_lists \
         WHERE active AND current_version_id IS NOT NULL ORDER BY name",
    )
    .fetch_all(p)
    .await?;
    let mut out = Vec::new();
    for (name, kind, version_id) in lists {
        let list: Arc<str> = name.into();
        let kind = parse_kind(&kind)?;
        let mut last_action: Option<Arc<str>> = None;
        let mut after = String::new();
        loop {
            let page: Vec<(String, String)> = sqlx::query_as(
                "SELECT entry_id, action FROM list_entries WHERE version_id = $1 AND entry_id > $2 \
                 ORDER BY entry_id LIMIT 1 OFFSET $3",
            )
            .bind(version_id)
            .bind(&after)
            .bind(SQLITE_LOAD_CHUNK - 1)
            .fetch_all(p)
            .await?;
            let upto = page.first().map(|(id, _)| id.clone());
            let data: Option<String> = sqlx::query_scalar(
                "SELECT group_concat(action || char(9) || data, char(10)) FROM (SELECT data, action \
                 FROM list_entries WHERE version_id = $1 AND entry_id > $2 AND ($3 IS NULL OR entry_id <= $3) \
                 ORDER BY entry_id)",
            )
            .bind(version_id)
            .bind(&after)
            .bind(upto.as_deref())
            .fetch_one(p)
            .await?;
            let Some(data) = data else { break };
            for line in data.lines() {
                let (action, json) =
                    line.split_once('\t').ok_or_else(|| StoreError::Corrupt(format!("list entry of {list}")))?;
                let action = match &last_action {
                    Some(a) if **a == *action => a.clone(),
                    _ => {
                        let a: Arc<str> = action.into();
                        last_action = Some(a.clone());
                        a
                    }
                };
                let entry: AlertEntry = serde_json::from_str(json)
                    .map_err(|e| StoreError::Corrupt(format!("list entry of {list}: {e}")))?;
                out.push(StoredEntry { list: list.clone(), kind, action, entry });
            }
            match upto {
                Some(u) => after = u,
                None => break,
            }
        }
    }
    Ok(out)
}

fn parse_kind(s: &str) -> Result<ListKind, StoreError> {
    ListKind::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_status(s: &str) -> Result<DocumentStatus, StoreError> {
    DocumentStatus::parse(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn parse_state(s: &str) -> Result<Option<CountryCode>, StoreError> {
    CountryCode::parse_opt(s).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn entry_json(e: &AlertEntry) -> Result<String, sqlx::Error> {
    serde_json::to_string(e).map_err(|err| sqlx::Error::Encode(Box::new(err)))
}

/// After an import's transaction that held SQLite's write lock for
/// `held`, leaves it free about as long. A writer waiting meanwhile (the
/// booths' inspection writer, perhaps in another process) is polling
/// SQLite's busy handler at growing intervals (1, 2, 5, 10, 15 … ms, then
/// every 100 ms); an import that took the lock again at once would find it
/// free nearly every time and starve it (measured: inspections waited up to
/// 1 s during a 600,000-row import). A pause as long as the hold reaches
/// the waiter's next poll, so it waits for about one chunk. PostgreSQL
/// writers do not wait for the import's row inserts: no pause there.
async fn let_writers_in(backend: Backend, held: std::time::Duration) {
    if backend == Backend::Sqlite {
        let pause = held.clamp(std::time::Duration::from_millis(2), std::time::Duration::from_millis(60));
        tokio::time::sleep(pause).await;
    }
}

/// A version just staged by [`StageConn::stage`].
#[derive(Debug, Clone, Copy)]
struct Staged {
    list_id: i64,
    version_id: i64,
    version: i64,
    created_list: bool,
}

/// An import's short transactions, on its own connection: each opens,
/// writes a bounded amount and commits. The same code on both backends
/// (`stage_conn!`); the bulk statements differ ([`BulkRows`]).
trait StageConn {
    /// Creates the list if needed and a staged version of it.
    async fn stage(
        &mut self,
        backend: Backend,
        v: &NewVersion<'_>,
        rows: usize,
        forced: Option<i64>,
    ) -> Result<Staged, StoreError>;
    async fn stage_entries(
        &mut self,
        backend: Backend,
        version_id: i64,
        action: &str,
        rows: &[&AlertEntry],
    ) -> Result<(), StoreError>;
    async fn stage_documents(
        &mut self,
        backend: Backend,
        version_id: i64,
        rows: &[DocumentRecord],
    ) -> Result<(), StoreError>;
    /// Makes the staged version current and marks the versions it
    /// replaces purged (unless they are kept); the number marked.
    async fn switch(&mut self, backend: Backend, v: &NewVersion<'_>, staged: &Staged) -> Result<u64, StoreError>;
    /// Every staged version (of the list named, or of every list), with its
    /// rows.
    async fn drop_staged(&mut self, backend: Backend, list: Option<&str>) -> Result<(), StoreError>;
    /// One staged version with its rows, and its list if it has nothing
    /// else (a first import that did not finish).
    async fn drop_staged_version(&mut self, backend: Backend, version_id: i64) -> Result<(), StoreError>;
    /// The rows of every purged version still holding some.
    async fn delete_purged_rows(&mut self, backend: Backend) -> Result<(), StoreError>;
    /// One version's rows, [`PURGE_CHUNK`] per transaction.
    async fn delete_version_rows(&mut self, backend: Backend, version_id: i64) -> Result<(), StoreError>;
}

macro_rules! stage_conn {
    ($conn:ty) => {
        impl StageConn for $conn {
            async fn stage(
                &mut self,
                backend: Backend,
                v: &NewVersion<'_>,
                rows: usize,
                forced: Option<i64>,
            ) -> Result<Staged, StoreError> {
                let now = now_rfc3339();
                // A write transaction from its first statement: one that
                // reads first cannot wait for another writer on SQLite (it
                // fails at once with "database is locked").
                let mut tx = self.begin_with(crate::audit::begin_write(backend)).await?;
                let existing: Option<(i64, String)> =
                    sqlx::query_as("SELECT id, kind FROM alert_lists WHERE name = $1")
                        .bind(v.list)
                        .fetch_optional(&mut *tx)
                        .await?;
                let (list_id, created_list) = match existing {
                    Some((id, kind)) => {
                        if kind != v.kind.as_str() {
                            return Err(StoreError::Conflict(format!(
                                "list '{}' is a {kind} list; it cannot take a {} version",
                                v.list,
                                v.kind.as_str()
                            )));
                        }
                        (id, false)
                    }
                    None => {
                        let id: i64 = sqlx::query_scalar(
                            "INSERT INTO alert_lists (name, kind, source, created_at, updated_at) \
                             VALUES ($1, $2, $3, $4, $4) RETURNING id",
                        )
                        .bind(v.list)
                        .bind(v.kind.as_str())
                        .bind(v.source.unwrap_or(""))
                        .bind(&now)
                        .fetch_one(&mut *tx)
                        .await?;
                        (id, true)
                    }
                };
                let highest: i64 =
                    sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM list_versions WHERE list_id = $1")
                        .bind(list_id)
                        .fetch_one(&mut *tx)
                        .await?;
                let version = match forced {
                    None => highest + 1,
                    Some(f) if f > highest => f,
                    Some(f) => {
                        return Err(StoreError::Conflict(format!(
                            "list '{}' already has version {highest}; version {f} cannot follow it",
                            v.list
                        )));
                    }
                };
                let version_id: i64 = sqlx::query_scalar(
                    "INSERT INTO list_versions (list_id, version, imported_at, file_name, format, rows_read, \
                     rows_imported, rows_rejected, rows_skipped, staged) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, TRUE) RETURNING id",
                )
                .bind(list_id)
                .bind(version)
                .bind(&now)
                .bind(v.file_name)
                .bind(v.format)
                .bind(v.rows_read as i64)
                .bind(rows as i64)
                .bind(v.rows_skipped as i64)
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(Staged { list_id, version_id, version, created_list })
            }

            async fn stage_entries(
                &mut self,
                backend: Backend,
                version_id: i64,
                action: &str,
                rows: &[&AlertEntry],
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_with(crate::audit::begin_write(backend)).await?;
                BulkRows::insert_entries(&mut *tx, version_id, action, rows).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn stage_documents(
                &mut self,
                backend: Backend,
                version_id: i64,
                rows: &[DocumentRecord],
            ) -> Result<(), StoreError> {
                let mut tx = self.begin_with(crate::audit::begin_write(backend)).await?;
                BulkRows::insert_documents(&mut *tx, version_id, rows).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn switch(
                &mut self,
                backend: Backend,
                v: &NewVersion<'_>,
                staged: &Staged,
            ) -> Result<u64, StoreError> {
                if backend == Backend::Sqlite {
                    // The switch is on disk when the import says it is done.
                    sqlx::query("PRAGMA synchronous = FULL").execute(&mut *self).await?;
                }
                let now = now_rfc3339();
                let mut tx = self.begin_with(crate::audit::begin_write(backend)).await?;
                let still: Option<bool> = sqlx::query_scalar("SELECT staged FROM list_versions WHERE id = $1")
                    .bind(staged.version_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                if still != Some(true) {
                    return Err(StoreError::Conflict(format!(
                        "another import of list '{}' started meanwhile and removed this one; the version in force \
                         is unchanged",
                        v.list
                    )));
                }
                let current: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT v.id, v.version FROM alert_lists l JOIN list_versions v ON v.id = l.current_version_id \
                     WHERE l.id = $1",
                )
                .bind(staged.list_id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((_, c)) = current
                    && c >= staged.version
                {
                    return Err(StoreError::Conflict(format!(
                        "list '{}' is at version {c} since an import that finished meanwhile; version {} cannot \
                         follow it",
                        v.list, staged.version
                    )));
                }
                let mut purged = 0;
                if !v.keep_old_versions {
                    // The version this one replaces stays (until the next
                    // import): border posts that hold it receive this one
                    // as a delta. Its rows go after the commit.
                    purged = sqlx::query(
                        "UPDATE list_versions SET purged_at = $1 WHERE list_id = $2 AND id <> $3 AND id <> $4 \
                         AND purged_at IS NULL AND NOT staged",
                    )
                    .bind(&now)
                    .bind(staged.list_id)
                    .bind(staged.version_id)
                    .bind(current.map(|(id, _)| id).unwrap_or(0))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                sqlx::query("UPDATE list_versions SET staged = FALSE WHERE id = $1")
                    .bind(staged.version_id)
                    .execute(&mut *tx)
                    .await?;
                // The notices' images live while the version in force holds
                // their entry (a withdrawn notice's image goes with it).
                sqlx::query(
                    "DELETE FROM list_images WHERE list_name = $1 AND NOT EXISTS \
                     (SELECT 1 FROM list_entries e WHERE e.version_id = $2 AND e.entry_id = list_images.entry_id)",
                )
                .bind(v.list)
                .bind(staged.version_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE alert_lists SET current_version_id = $1, updated_at = $2, refreshed_at = $2 WHERE id = $3",
                )
                .bind(staged.version_id)
                .bind(&now)
                .bind(staged.list_id)
                .execute(&mut *tx)
                .await?;
                if let (Some(source), false) = (v.source, staged.created_list) {
                    sqlx::query("UPDATE alert_lists SET source = $1 WHERE id = $2")
                        .bind(source)
                        .bind(staged.list_id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(purged)
            }

            async fn drop_staged(&mut self, backend: Backend, list: Option<&str>) -> Result<(), StoreError> {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT v.id FROM list_versions v JOIN alert_lists l ON l.id = v.list_id \
                     WHERE v.staged AND ($1 = '' OR l.name = $1) ORDER BY v.id",
                )
                .bind(list.unwrap_or(""))
                .fetch_all(&mut *self)
                .await?;
                for id in ids {
                    self.drop_staged_version(backend, id).await?;
                }
                Ok(())
            }

            async fn drop_staged_version(&mut self, backend: Backend, version_id: i64) -> Result<(), StoreError> {
                self.delete_version_rows(backend, version_id).await?;
                let mut tx = self.begin_with(crate::audit::begin_write(backend)).await?;
                let list: Option<i64> =
                    sqlx::query_scalar("DELETE FROM list_versions WHERE id = $1 AND staged RETURNING list_id")
                        .bind(version_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if let Some(list) = list {
                    sqlx::query(
                        "DELETE FROM alert_lists WHERE id = $1 AND current_version_id IS NULL \
                         AND NOT EXISTS (SELECT 1 FROM list_versions WHERE list_id = $1)",
                    )
                    .bind(list)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn delete_purged_rows(&mut self, backend: Backend) -> Result<(), StoreError> {
                let ids: Vec<i64> = sqlx::query_scalar(
                    "SELECT v.id FROM list_versions v WHERE v.purged_at IS NOT NULL \
                     AND (EXISTS (SELECT 1 FROM list_entries e WHERE e.version_id = v.id) \
                     OR EXISTS (SELECT 1 FROM documents d WHERE d.version_id = v.id)) ORDER BY v.id",
                )
                .fetch_all(&mut *self)
                .await?;
                for id in ids {
                    self.delete_version_rows(backend, id).await?;
                }
                Ok(())
            }

            async fn delete_version_rows(&mut self, backend: Backend, version_id: i64) -> Result<(), StoreError> {
                loop {
                    let held = std::time::Instant::now();
                    let mut tx = self.begin_with(crate::audit::begin_write(backend)).await?;
                    let n = BulkRows::delete_rows(&mut *tx, version_id, PURGE_CHUNK).await?;
                    tx.commit().await?;
                    if n == 0 {
                        return Ok(());
                    }
                    let_writers_in(backend, held.elapsed()).await;
                }
            }
        }
    };
}

stage_conn!(SqliteConnection);
stage_conn!(PgConnection);

/// Backend-specific bulk statements, inside a staging transaction.
trait BulkRows {
    async fn insert_entries(&mut self, version_id: i64, action: &str, rows: &[&AlertEntry]) -> Result<(), sqlx::Error>;
    async fn insert_documents(&mut self, version_id: i64, rows: &[DocumentRecord]) -> Result<(), sqlx::Error>;
    /// Deletes at most `n` rows of a version (persons, then documents);
    /// the number deleted.
    async fn delete_rows(&mut self, version_id: i64, n: i64) -> Result<u64, sqlx::Error>;
}

/// Up to `n` persons of a version (the same statement on both backends).
const DELETE_ENTRIES: &str = "DELETE FROM list_entries WHERE version_id = $1 AND entry_id IN \
     (SELECT entry_id FROM list_entries WHERE version_id = $1 LIMIT $2)";

/// `INSERT … VALUES (?, …), (?, …) …` for `n` rows of `cols` columns.
fn multi_row_insert(table_cols: &str, cols: usize, n: usize) -> Arc<str> {
    let one = format!("({})", vec!["?"; cols].join(","));
    let mut sql = String::with_capacity(table_cols.len() + n * (one.len() + 1) + 16);
    sql.push_str("INSERT INTO ");
    sql.push_str(table_cols);
    sql.push_str(" VALUES ");
    for i in 0..n {
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&one);
    }
    sql.into()
}

/// SQLite: multi-row INSERTs of a fixed size, so one prepared statement is
/// reused for every full chunk (well under SQLite's 32 766 parameters).
const SQLITE_CHUNK: usize = 500;
const ENTRY_COLS: &str = "list_entries (version_id, entry_id, given_names, surnames, action, data)";
const DOC_COLS: &str =
    "documents (version_id, number, confusable_key, issuing_state, document_type, status, reported_at)";

impl BulkRows for SqliteConnection {
    async fn insert_entries(&mut self, version_id: i64, action: &str, rows: &[&AlertEntry]) -> Result<(), sqlx::Error> {
        let full = multi_row_insert(ENTRY_COLS, 6, SQLITE_CHUNK);
        for chunk in rows.chunks(SQLITE_CHUNK) {
            let sql =
                if chunk.len() == SQLITE_CHUNK { full.clone() } else { multi_row_insert(ENTRY_COLS, 6, chunk.len()) };
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for e in chunk {
                q = q
                    .bind(version_id)
                    .bind(e.id.clone())
                    .bind(e.given_names.clone())
                    .bind(e.surnames.clone())
                    .bind(action.to_string())
                    .bind(entry_json(e)?);
            }
            q.execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn insert_documents(&mut self, version_id: i64, rows: &[DocumentRecord]) -> Result<(), sqlx::Error> {
        let full = multi_row_insert(DOC_COLS, 7, SQLITE_CHUNK);
        for chunk in rows.chunks(SQLITE_CHUNK) {
            let sql =
                if chunk.len() == SQLITE_CHUNK { full.clone() } else { multi_row_insert(DOC_COLS, 7, chunk.len()) };
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for d in chunk {
                q = q
                    .bind(version_id)
                    .bind(d.document_number.as_str().to_string())
                    .bind(d.document_number.confusable_key())
                    .bind(d.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default())
                    .bind(d.document_type.clone())
                    .bind(d.status.as_str())
                    .bind(d.reported_at.clone());
            }
            q.execute(&mut *self).await?;
        }
        Ok(())
    }

    async fn delete_rows(&mut self, version_id: i64, n: i64) -> Result<u64, sqlx::Error> {
        let mut done = sqlx::query(DELETE_ENTRIES).bind(version_id).bind(n).execute(&mut *self).await?.rows_affected();
        if (done as i64) < n {
            done += sqlx::query(
                "DELETE FROM documents WHERE rowid IN (SELECT rowid FROM documents WHERE version_id = $1 LIMIT $2)",
            )
            .bind(version_id)
            .bind(n - done as i64)
            .execute(&mut *self)
            .await?
            .rows_affected();
        }
        Ok(done)
    }
}

/// PostgreSQL: one `INSERT … SELECT FROM UNNEST(arrays)` per chunk — a
/// handful of parameters whatever the number of rows.
const PG_CHUNK: usize = 20_000;

impl BulkRows for PgConnection {
    async fn insert_entries(&mut self, version_id: i64, action: &str, rows: &[&AlertEntry]) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(PG_CHUNK) {
            let ids: Vec<&str> = chunk.iter().map(|e| e.id.as_str()).collect();
            let given: Vec<&str> = chunk.iter().map(|e| e.given_names.as_str()).collect();
            let sur: Vec<&str> = chunk.iter().map(|e| e.surnames.as_str()).collect();
            let data = chunk.iter().map(|e| entry_json(e)).collect::<Result<Vec<String>, _>>()?;
            sqlx::query(
                "INSERT INTO list_entries (version_id, entry_id, given_names, surnames, action, data) \
                 SELECT $1, t.id, t.g, t.s, $5, t.d FROM UNNEST($2::text[], $3::text[], $4::text[], $6::text[]) \
                 AS t(id, g, s, d)",
            )
            .bind(version_id)
            .bind(&ids)
            .bind(&given)
            .bind(&sur)
            .bind(action)
            .bind(&data)
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }

    async fn insert_documents(&mut self, version_id: i64, rows: &[DocumentRecord]) -> Result<(), sqlx::Error> {
        for chunk in rows.chunks(PG_CHUNK) {
            let number: Vec<&str> = chunk.iter().map(|d| d.document_number.as_str()).collect();
            let ckey: Vec<String> = chunk.iter().map(|d| d.document_number.confusable_key()).collect();
            let state: Vec<&str> =
                chunk.iter().map(|d| d.issuing_state.as_ref().map(|s| s.as_str()).unwrap_or("")).collect();
            let dtype: Vec<&str> = chunk.iter().map(|d| d.document_type.as_str()).collect();
            let status: Vec<&str> = chunk.iter().map(|d| d.status.as_str()).collect();
            let reported: Vec<&str> = chunk.iter().map(|d| d.reported_at.as_str()).collect();
            sqlx::query(
                "INSERT INTO documents (version_id, number, confusable_key, issuing_state, document_type, status, \
                 reported_at) SELECT $1, t.* FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
                 $7::text[]) AS t",
            )
            .bind(version_id)
            .bind(&number)
            .bind(&ckey)
            .bind(&state)
            .bind(&dtype)
            .bind(&status)
            .bind(&reported)
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }

    async fn delete_rows(&mut self, version_id: i64, n: i64) -> Result<u64, sqlx::Error> {
        let mut done = sqlx::query(DELETE_ENTRIES).bind(version_id).bind(n).execute(&mut *self).await?.rows_affected();
        if (done as i64) < n {
            done += sqlx::query(
                "DELETE FROM documents WHERE ctid IN (SELECT ctid FROM documents WHERE version_id = $1 LIMIT $2)",
            )
            .bind(version_id)
            .bind(n - done as i64)
            .execute(&mut *self)
            .await?
            .rows_affected();
        }
        Ok(done)
    }
}
