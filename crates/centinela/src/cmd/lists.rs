//! `centinela lists …`: import alert lists (all or nothing, audited as
//! `cli`: the import use case of `centinela-app`, as the web's), show them,
//! and look documents up.

use std::fs::File;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use centinela_app::lists::{ImportRequest, ListFormat, check_kind_format, check_list_name, parse_list};
use centinela_app::{App, Caller};
use centinela_domain::{DocumentNumber, ListKind};
use centinela_lists::countries;
use centinela_store::DocumentMatch;
use indicatif::ProgressBar;
use serde_json::json;

use crate::Global;
use crate::cmd::{Unreadable, open_store, progress_bar};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import a file as a list's new version. All or nothing: one rejected
    /// row and nothing is imported (the current version stays in force).
    Import(ImportArgs),
    /// Write the persons of a list's version in force as FollowTheMoney
    /// JSON lines (what --format ftm reads back). Audited.
    Export {
        /// The list's name.
        #[arg(long)]
        name: String,
        /// The file to write (standard output without it).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Show the lists with their kind, current version, rows and import time.
    Show {
        /// One JSON object per list instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Look a travel document up in the current documents lists.
    CheckDocument {
        /// The document number (spaces, dashes and `<` are ignored).
        #[arg(long)]
        number: String,
        /// Issuing state (alpha-3 such as MEX; alpha-2 accepted). Without it,
        /// reports of every state count.
        #[arg(long)]
        state: Option<String>,
        /// Print a JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What candidate screening thresholds would cost at a post: over its
    /// stored crossings, alerts per day and the confirmed hits kept or lost.
    Threshold(crate::cmd::threshold::Args),
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The list's name (created on its first import).
    #[arg(long)]
    name: String,
    /// wanted, missing, documents or watch.
    #[arg(long, value_parser = parse_kind)]
    kind: ListKind,
    /// File format.
    #[arg(long, value_enum)]
    format: Format,
    /// Where the list comes from (free text, e.g. "INTERPOL SLTD 2026-11-23").
    #[arg(long)]
    source: Option<String>,
    /// Keep the rows of every earlier version. Without it, the version this
    /// import replaces is kept (border posts that hold it receive the new
    /// one as a delta) and older ones are deleted; their metadata is always
    /// kept.
    #[arg(long)]
    keep_old_versions: bool,
    /// The file to import.
    file: PathBuf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// id,given_names,surnames,birth_date,nationality,sex[,aliases,document_numbers,notes]
    Csv,
    /// FollowTheMoney JSON lines (OpenSanctions); only Person entities.
    Ftm,
    /// document_number,issuing_state,document_type,status,reported_at
    Documents,
    /// An OpenSanctions delta (entities.delta.json: ADD/MOD/DEL lines),
    /// applied to the list's version in force as its next version.
    FtmDelta,
}

impl Format {
    fn list_format(self) -> ListFormat {
        match self {
            Format::Csv => ListFormat::Csv,
            Format::Ftm => ListFormat::Ftm,
            Format::Documents => ListFormat::Documents,
            Format::FtmDelta => ListFormat::FtmDelta,
        }
    }
}

fn parse_kind(s: &str) -> Result<ListKind, String> {
    ListKind::parse(s).map_err(|e| e.to_string())
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::runtime()?;
    rt.block_on(async {
        match cmd {
            Command::Import(args) => import(args, global).await,
            Command::Show { json } => show(global, json).await,
            Command::Export { name, out } => export(global, &name, out.as_deref()).await,
            Command::CheckDocument { number, state, json } => {
                check_document(global, &number, state.as_deref(), json).await
            }
            Command::Threshold(args) => crate::cmd::threshold::run(args, global).await,
        }
    })
}

async fn import(args: ImportArgs, global: &Global) -> anyhow::Result<ExitCode> {
    let shown = args.file.display().to_string();
    let format = args.format.list_format();
    check_list_name(&args.name).map_err(|e| Unreadable(format!("--{e}")))?;
    check_kind_format(args.kind, format).map_err(|e| Unreadable(format!("--kind {}: --{e}", args.kind.as_str())))?;
    let file = File::open(&args.file).map_err(|e| Unreadable(format!("{shown}: cannot open: {e}")))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(len);
    let reader = bar.wrap_read(file);
    let parsed = parse_list(reader, format)
        .map_err(|e| Unreadable(format!("{shown}:{}: field {}: {}", e.line, e.field, e.message)))?;
    bar.finish_and_clear();

    if parsed.rejected_count > 0 {
        for e in &parsed.rejected {
            eprintln!("{shown}:{}: field {}: {}", e.line, e.field, e.message);
        }
        if parsed.rejected_count > parsed.rejected.len() as u64 {
            eprintln!("… and {} more rejected rows", parsed.rejected_count - parsed.rejected.len() as u64);
        }
        println!("read {}, imported 0, rejected {}", parsed.read, parsed.rejected_count);
    }

    let store = open_store(global).await?;
    let app = App::new(store.clone());
    let file_name =
        Path::new(&args.file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(shown.clone());
    let req = ImportRequest {
        name: &args.name,
        kind: args.kind,
        format,
        source: args.source.as_deref(),
        file_name: &file_name,
        keep_old_versions: args.keep_old_versions,
        via: "cli",
    };
    let started = std::time::Instant::now();
    let spinner = if std::io::stderr().is_terminal() && parsed.rejected_count == 0 {
        let s = ProgressBar::new_spinner();
        s.set_message(format!("staging {} rows (the version in force stays until all are in)", parsed.rows.len()));
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s
    } else {
        ProgressBar::hidden()
    };
    let shown_progress = spinner.clone();
    let out = app
        .import_list_delta_paced(Caller::Cli, &req, &parsed, &mut move |p| {
            shown_progress.set_message(format!("staged {} of {} rows", p.rows_staged, p.rows_total));
            Box::pin(async {})
        })
        .await
        .with_context(|| format!("importing {shown}"));
    spinner.finish_and_clear();
    let (out, delta) = out?;
    store.close().await;
    tracing::info!(rows = out.rows_imported, secs = started.elapsed().as_secs_f64(), "list version written");
    let mut line = format!(
        "list {} ({}) version {}: read {}, imported {}, rejected 0",
        args.name,
        args.kind.as_str(),
        out.version,
        parsed.read,
        out.rows_imported
    );
    if let Some((base, d)) = delta {
        line.push_str(&format!(
            ", delta on version {base}: added {}, modified {}, deleted {}, not in the list {}",
            d.added, d.modified, d.deleted, d.absent
        ));
    }
    if parsed.skipped > 0 {
        line.push_str(&format!(", skipped {} ({})", parsed.skipped, parsed.skipped_detail));
    }
    if parsed.dropped_values > 0 {
        line.push_str(&format!(", {} unusable values dropped", parsed.dropped_values));
    }
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}

async fn export(global: &Global, name: &str, out: Option<&Path>) -> anyhow::Result<ExitCode> {
    check_list_name(name).map_err(|e| Unreadable(format!("--{e}")))?;
    let store = open_store(global).await?;
    let res = App::new(store.clone()).export_list_ftm(Caller::Cli, name).await;
    store.close().await;
    let (text, n) = res?;
    match out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())?,
    }
    eprintln!("{n} persons of list {name} written");
    Ok(ExitCode::SUCCESS)
}

async fn show(global: &Global, as_json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(global).await?;
    let lists = store.lists().await?;
    store.close().await;
    if as_json {
        for l in &lists {
            println!(
                "{}",
                json!({
                    "name": l.name, "kind": l.kind.as_str(), "source": l.source, "active": l.active,
                    "version": l.version, "versions": l.versions, "imported_at": l.imported_at,
                    "file_name": l.file_name, "format": l.format, "rows_read": l.rows_read,
                    "rows_imported": l.rows_imported, "rows_rejected": l.rows_rejected,
                    "rows_skipped": l.rows_skipped, "created_at": l.created_at,
                })
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    if lists.is_empty() {
        println!("no lists");
        return Ok(ExitCode::SUCCESS);
    }
    let name_w = lists.iter().map(|l| l.name.chars().count()).max().unwrap_or(4).max(4);
    println!(
        "{:<name_w$}  {:<9}  {:>7}  {:>10}  {:>10}  {:<20}  SOURCE",
        "NAME", "KIND", "VERSION", "ROWS", "READ", "IMPORTED"
    );
    for l in &lists {
        println!(
            "{:<name_w$}  {:<9}  {:>7}  {:>10}  {:>10}  {:<20}  {}{}",
            l.name,
            l.kind.as_str(),
            l.version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
            l.rows_imported,
            l.rows_read,
            l.imported_at.as_deref().unwrap_or("-"),
            l.source,
            if l.active { "" } else { " (inactive)" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn check_document(global: &Global, number: &str, state: Option<&str>, as_json: bool) -> anyhow::Result<ExitCode> {
    let num = DocumentNumber::parse(number).map_err(|e| Unreadable(format!("--number: {e}")))?;
    let state = match state.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(countries::to_alpha3(s).ok_or_else(|| {
            Unreadable(format!("--state: '{s}' is not a country code: expected an alpha-3 code such as MEX"))
        })?),
    };
    let store = open_store(global).await?;
    let m = store.find_documents(&num, state).await?;
    store.close().await;
    let result = if !m.exact.is_empty() {
        "exact"
    } else if !m.possible.is_empty() {
        "possible"
    } else {
        "none"
    };
    if as_json {
        let j = |v: &[DocumentMatch]| -> Vec<serde_json::Value> {
            v.iter()
                .map(|d| {
                    json!({"list": d.list, "number": d.number,
                        "issuing_state": d.issuing_state.map(|s| s.to_string()),
                        "document_type": d.document_type, "status": d.status.as_str(),
                        "reported_at": d.reported_at})
                })
                .collect()
        };
        println!(
            "{}",
            json!({"number": num.as_str(), "result": result, "exact": j(&m.exact), "possible": j(&m.possible)})
        );
        return Ok(ExitCode::SUCCESS);
    }
    match result {
        "exact" => println!("EXACT HIT: {} is reported on a documents list", num),
        "possible" => println!(
            "POSSIBLE HIT: {} differs only by confusable characters (O/0, I/1 …) from a reported document",
            num
        ),
        _ => println!("no hit: {} is not on the current documents lists", num),
    }
    for (label, v) in [("exact", &m.exact), ("possible", &m.possible)] {
        for d in v.iter() {
            println!(
                "  {label}: list {}: {} issued by {} ({}), {}, reported {}",
                d.list,
                d.number,
                d.issuing_state.map(|s| s.to_string()).unwrap_or_else(|| "unknown state".into()),
                if d.document_type.is_empty() { "type unknown" } else { &d.document_type },
                d.status.as_str(),
                if d.reported_at.is_empty() { "-" } else { &d.reported_at }
            );
        }
    }
    if result != "none" {
        println!("A hit is advice: the officer checks the document and the report before acting.");
    }
    Ok(ExitCode::SUCCESS)
}
