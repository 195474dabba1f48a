//! Importing an alert list, the same from the command line and the web:
//! parse the whole file (all or nothing), write the new version, audit it.
//! A server then reloads its screening index ([`App::reload_lists`]).

use std::io::Read;

use centinela_domain::ListKind;
use centinela_lists::{CsvListReader, DeltaCounts, DocumentsReader, FtmChange, FtmReader, ParseError};
use centinela_store::{BetweenChunks, ImportOutcome, ListRows, ListSummary, NewVersion};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller};

/// A list file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    /// `id,given_names,surnames,birth_date,nationality,sex[,…]`.
    Csv,
    /// FollowTheMoney JSON lines (persons; other schemas are skipped).
    Ftm,
    /// Stolen and lost travel documents.
    Documents,
    /// An OpenSanctions delta file (`entities.delta.json`: JSON lines of
    /// `{"op": "ADD"|"MOD"|"DEL", "entity": {…}}`), applied to the list's
    /// version in force to make its next one.
    FtmDelta,
}

impl ListFormat {
    pub const ALL: [ListFormat; 4] = [ListFormat::Csv, ListFormat::Ftm, ListFormat::Documents, ListFormat::FtmDelta];

    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::Csv => "csv",
            ListFormat::Ftm => "ftm",
            ListFormat::Documents => "documents",
            ListFormat::FtmDelta => "ftm-delta",
        }
    }

    pub fn parse(s: &str) -> Option<ListFormat> {
        ListFormat::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// How many rejected rows a parse keeps to show (all are counted).
pub const SHOWN_REJECTIONS: usize = 20;

/// What parsing a whole list file gave.
#[derive(Debug)]
pub struct ParsedList {
    pub rows: ListRows,
    /// Data rows read (every non-empty line, for FtM).
    pub read: u64,
    /// Rows read but not meant for a list of persons (FtM entities of
    /// other schemas), and how many of each schema.
    pub skipped: u64,
    pub skipped_detail: String,
    /// Values dropped as unusable (FtM).
    pub dropped_values: u64,
    /// The first [`SHOWN_REJECTIONS`] rejected rows (line, field, why).
    pub rejected: Vec<ParseError>,
    pub rejected_count: u64,
    /// A delta's changes, in order ([`ListFormat::FtmDelta`]; `rows` is
    /// then empty until [`App::import_list`] applies them).
    pub changes: Vec<FtmChange>,
}

/// Parses the whole file before anything is written, collecting rejected
/// rows. `Err` when the file cannot be read at all (its header, its bytes).
pub fn parse_list(r: impl Read, format: ListFormat) -> Result<ParsedList, ParseError> {
    let mut rejected = Vec::new();
    let mut rejected_count = 0u64;
    let mut read = 0u64;
    let mut take = |res: Result<(), ParseError>| -> Result<(), ParseError> {
        read += 1;
        if let Err(e) = res {
            if e.field == ParseError::IO_FIELD {
                return Err(e);
            }
            rejected_count += 1;
            if rejected.len() < SHOWN_REJECTIONS {
                rejected.push(e);
            }
        }
        Ok(())
    };
    let mut changes = Vec::new();
    let (rows, skipped, skipped_detail, dropped_values) = match format {
        ListFormat::Csv => {
            let mut out = Vec::new();
            for res in CsvListReader::new(r)? {
                take(res.map(|e| out.push(e)))?;
            }
            (ListRows::Entries(out), 0, String::new(), 0)
        }
        ListFormat::Documents => {
            let mut out = Vec::new();
            for res in DocumentsReader::new(r)? {
                take(res.map(|d| out.push(d)))?;
            }
            (ListRows::Documents(out), 0, String::new(), 0)
        }
        ListFormat::Ftm => {
            let mut out = Vec::new();
            let mut rd = FtmReader::new(r);
            for res in rd.by_ref() {
                take(res.map(|e| out.push(e)))?;
            }
            let stats = rd.stats();
            let detail = stats.skipped.iter().map(|(s, n)| format!("{s} {n}")).collect::<Vec<_>>().join(", ");
            (ListRows::Entries(out), stats.skipped_total(), detail, stats.dropped_values)
        }
        ListFormat::FtmDelta => match centinela_lists::read_ftm_delta(r) {
            Ok((c, stats)) => {
                // Every line is one change, applied or skipped.
                read += c.len() as u64;
                changes = c;
                let detail = stats.skipped.iter().map(|(s, n)| format!("{s} {n}")).collect::<Vec<_>>().join(", ");
                (ListRows::Entries(Vec::new()), stats.skipped_total(), detail, stats.dropped_values)
            }
            // The reader stops at the first rejected line: the delta is
            // refused whole.
            Err(e) if e.field == ParseError::IO_FIELD => return Err(e),
            Err(e) => {
                read += e.line;
                rejected_count = 1;
                rejected.push(e);
                (ListRows::Entries(Vec::new()), 0, String::new(), 0)
            }
        },
    };
    // FtM: every non-empty line was read, persons or not.
    let read = read + skipped;
    Ok(ParsedList { rows, read, skipped, skipped_detail, dropped_values, rejected, rejected_count, changes })
}

/// An alert list and its current version (no personal data: names,
/// kinds, counts).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListView {
    pub name: String,
    /// `wanted`, `missing`, `documents` or `watch`.
    pub kind: &'static str,
    pub source: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub versions: i64,
    /// The version in force; absent before a first successful import.
    pub version: Option<i64>,
    pub imported_at: Option<String>,
    pub format: Option<String>,
    pub rows_imported: i64,
    pub rows_rejected: i64,
    /// When the list was last confirmed against its source (an import, a
    /// connector's pull that found it unchanged).
    pub refreshed_at: Option<String>,
    /// How old the list may grow before posts are warned; absent: no
    /// expectation.
    pub max_age_hours: Option<i64>,
    /// Older than its expected age: posts are warned.
    pub stale: bool,
}

impl ListView {
    /// Whether a list refreshed at `refreshed_at` (RFC 3339) with this
    /// expected age is stale at `now_unix`. A list with an expected age and
    /// no refresh time is stale.
    pub fn is_stale(refreshed_at: Option<&str>, max_age_hours: Option<i64>, now_unix: i64) -> bool {
        let Some(hours) = max_age_hours else { return false };
        match refreshed_at.and_then(|t| t.parse::<jiff::Timestamp>().ok()) {
            Some(t) => t.as_second().saturating_add(hours.saturating_mul(3600)) < now_unix,
            None => true,
        }
    }
}

impl From<ListSummary> for ListView {
    fn from(s: ListSummary) -> Self {
        ListView {
            name: s.name,
            kind: s.kind.as_str(),
            source: s.source,
            active: s.active,
            created_at: s.created_at,
            updated_at: s.updated_at,
            versions: s.versions,
            version: s.version,
            imported_at: s.imported_at,
            format: s.format,
            rows_imported: s.rows_imported,
            rows_rejected: s.rows_rejected,
            stale: ListView::is_stale(s.refreshed_at.as_deref(), s.max_age_hours, jiff::Timestamp::now().as_second()),
            refreshed_at: s.refreshed_at,
            max_age_hours: s.max_age_hours,
        }
    }
}

/// What to import and where from.
#[derive(Debug, Clone)]
pub struct ImportRequest<'a> {
    /// The list's name: 1–64 of `A-Z a-z 0-9 - _ .` (created on its first
    /// import).
    pub name: &'a str,
    pub kind: ListKind,
    pub format: ListFormat,
    /// Where the list comes from; `None` keeps what is stored.
    pub source: Option<&'a str>,
    /// The file's name (not its content).
    pub file_name: &'a str,
    /// Keep the rows of earlier versions.
    pub keep_old_versions: bool,
    /// `cli` or `web`, for the audit entry.
    pub via: &'static str,
}

/// The list-name rule: what a name may hold, so that it is safe in paths,
/// CSV cells and audit subjects.
pub fn check_list_name(name: &str) -> Result<(), AppError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok { Ok(()) } else { Err(AppError::Invalid("name: 1 to 64 letters (A-Z, a-z), digits, '-', '_' or '.'".into())) }
}

/// A documents list takes the documents format; a list of persons, CSV,
/// FtM or an FtM delta.
pub fn check_kind_format(kind: ListKind, format: ListFormat) -> Result<(), AppError> {
    if (kind == ListKind::Documents) == (format == ListFormat::Documents) {
        Ok(())
    } else {
        Err(AppError::Invalid(format!(
            "format: a {} list takes {}, not {}",
            kind.as_str(),
            if kind == ListKind::Documents { "documents" } else { "csv, ftm or ftm-delta" },
            format.as_str()
        )))
    }
}

impl App {
    /// The alert lists with their current versions.
    pub async fn lists(&self) -> Result<Vec<ListView>, AppError> {
        Ok(self.store().lists().await?.into_iter().map(ListView::from).collect())
    }

    /// The active lists older than their expected age (for the booth's and
    /// the supervisor's warning and `/api/health`).
    pub async fn stale_lists(&self) -> Result<Vec<ListView>, AppError> {
        Ok(self.lists().await?.into_iter().filter(|l| l.stale && l.active).collect())
    }

    /// Writes a parsed list as the list's new version and audits it
    /// (`list_imported`). All or nothing: a file with any rejected row is
    /// refused and the version in force stays. The caller then reloads
    /// the screening index where one is served ([`App::reload_lists`]).
    pub async fn import_list(
        &self,
        caller: Caller<'_>,
        req: &ImportRequest<'_>,
        parsed: &ParsedList,
    ) -> Result<ImportOutcome, AppError> {
        self.import_list_paced(caller, req, parsed, &mut |_| Box::pin(async {})).await
    }

    /// [`App::import_list`], awaiting `between` after each staging
    /// transaction (progress for a long import).
    pub async fn import_list_paced(
        &self,
        caller: Caller<'_>,
        req: &ImportRequest<'_>,
        parsed: &ParsedList,
        between: &mut BetweenChunks,
    ) -> Result<ImportOutcome, AppError> {
        Ok(self.import_list_delta_paced(caller, req, parsed, between).await?.0)
    }

    /// [`App::import_list_paced`], also saying, for a delta
    /// ([`ListFormat::FtmDelta`]), the version it was applied to and what
    /// it changed.
    pub async fn import_list_delta_paced(
        &self,
        caller: Caller<'_>,
        req: &ImportRequest<'_>,
        parsed: &ParsedList,
        between: &mut BetweenChunks,
    ) -> Result<(ImportOutcome, Option<(i64, DeltaCounts)>), AppError> {
        check_list_name(req.name)?;
        check_kind_format(req.kind, req.format)?;
        if let Some(first) = parsed.rejected.first() {
            return Err(AppError::Invalid(format!(
                "{} of {} rows rejected, nothing imported (first: line {}, field {}: {})",
                parsed.rejected_count, parsed.read, first.line, first.field, first.message
            )));
        }
        let nv = NewVersion {
            list: req.name,
            kind: req.kind,
            source: req.source,
            file_name: req.file_name,
            format: req.format.as_str(),
            rows_read: parsed.read,
            rows_skipped: parsed.skipped,
            keep_old_versions: req.keep_old_versions,
        };
        let mut detail = json!({ "format": req.format.as_str(), "via": req.via });
        let (outcome, delta) = if req.format == ListFormat::FtmDelta {
            let (rows, base, counts) = self.apply_list_delta(req, &parsed.changes).await?;
            detail["base_version"] = json!(base);
            detail["added"] = json!(counts.added);
            detail["modified"] = json!(counts.modified);
            detail["deleted"] = json!(counts.deleted);
            detail["absent"] = json!(counts.absent);
            (self.store().import_version_paced(&nv, &rows, between).await?, Some((base, counts)))
        } else {
            (self.store().import_version_paced(&nv, &parsed.rows, between).await?, None)
        };
        detail["version"] = json!(outcome.version);
        detail["rows"] = json!(outcome.rows_imported);
        self.audit(caller, "list_imported", format!("list:{}", req.name), detail).await?;
        Ok((outcome, delta))
    }

    /// The persons of a list's version in force as FollowTheMoney JSON
    /// lines (one `Person` per line, what `--format ftm` reads back: names,
    /// aliases, birth dates, nationalities as FtM's alpha-2, gender,
    /// `passportNumber`, notes, the notice as a nested `Sanction`), and how
    /// many. Audited as `list_exported` (a list holds personal data).
    pub async fn export_list_ftm(&self, caller: Caller<'_>, name: &str) -> Result<(String, usize), AppError> {
        check_list_name(name)?;
        let lists = self.store().lists().await?;
        let Some(version) = lists.iter().find(|l| l.name == name).and_then(|l| l.version) else {
            return Err(AppError::NotFound(format!("list {name}: no such list or no version in force")));
        };
        let entries = match self.store().version_rows(name, version).await? {
            Some((_, ListRows::Entries(e))) => e,
            Some((_, ListRows::Documents(_))) => {
                return Err(AppError::Invalid(format!("name: {name} is a documents list, not a list of persons")));
            }
            None => return Err(AppError::NotFound(format!("list {name}: the rows of version {version} are purged"))),
        };
        let mut out = String::new();
        for e in &entries {
            out.push_str(&centinela_lists::person_to_ftm(e));
            out.push('\n');
        }
        self.audit(
            caller,
            "list_exported",
            format!("list:{name}"),
            json!({ "version": version, "rows": entries.len(), "format": "ftm" }),
        )
        .await?;
        Ok((out, entries.len()))
    }

    /// A delta's changes applied to the entries of the list's version in
    /// force: the new version's rows, the version they were applied to,
    /// and what changed. A list with no version yet, of another kind, or
    /// whose version in force was purged takes no delta.
    pub async fn apply_list_delta(
        &self,
        req: &ImportRequest<'_>,
        changes: &[FtmChange],
    ) -> Result<(ListRows, i64, DeltaCounts), AppError> {
        let lists = self.store().lists().await?;
        let current = lists.iter().find(|l| l.name == req.name);
        let Some((list, Some(base))) = current.map(|l| (l, l.version)) else {
            return Err(AppError::Invalid(format!(
                "ftm-delta: the list {} has no version in force to apply a delta to; import the full list first",
                req.name
            )));
        };
        if list.kind != req.kind {
            return Err(AppError::Invalid(format!(
                "kind: the list {} is a {} list, not {}",
                req.name,
                list.kind.as_str(),
                req.kind.as_str()
            )));
        }
        let Some((_, ListRows::Entries(mut entries))) = self.store().version_rows(req.name, base).await? else {
            return Err(AppError::Invalid(format!(
                "ftm-delta: the rows of version {base} of {} are no longer kept; import the full list",
                req.name
            )));
        };
        let counts = centinela_lists::apply_delta_counted(&mut entries, changes.to_vec());
        Ok((ListRows::Entries(entries), base, counts))
    }
}
