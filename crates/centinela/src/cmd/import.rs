//! `centinela import crossings FILE`: crossing records (CONTRACTS.md), all
//! or nothing, idempotent on `crossing_id`.

use std::fs::File;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use centinela_domain::CrossingRecord;
use centinela_lists::{CrossingReader, ParseError};

use crate::Global;
use crate::cmd::{Unreadable, open_store, progress_bar, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import crossing records from a CSV file (all or nothing; a crossing_id
    /// already stored is kept once).
    Crossings {
        /// The CSV file (header: crossing_id,post,direction,crossed_at,…).
        file: PathBuf,
    },
}

/// How many rejected lines are printed one by one.
const SHOWN_ERRORS: usize = 20;

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let Command::Crossings { file } = cmd;
    let shown = file.display().to_string();
    let f = File::open(&file).map_err(|e| Unreadable(format!("{shown}: cannot open: {e}")))?;
    let bar = progress_bar(f.metadata().map(|m| m.len()).unwrap_or(0));
    let whole = |e: ParseError| Unreadable(format!("{shown}:{}: field {}: {}", e.line, e.field, e.message));
    let mut reader = CrossingReader::new(bar.wrap_read(f)).map_err(whole)?;
    let mut rows: Vec<CrossingRecord> = Vec::new();
    let mut rejected: Vec<ParseError> = Vec::new();
    let mut rejected_count = 0u64;
    for res in reader.by_ref() {
        match res {
            Ok(r) => rows.push(r),
            Err(e) if e.field == ParseError::IO_FIELD => return Err(whole(e).into()),
            Err(e) => {
                rejected_count += 1;
                if rejected.len() < SHOWN_ERRORS {
                    rejected.push(e);
                }
            }
        }
    }
    bar.finish_and_clear();
    let repeated = reader.repeated();
    let read = rows.len() as u64 + rejected_count + repeated;
    if let Some(first) = rejected.first() {
        for e in &rejected {
            eprintln!("{shown}:{}: field {}: {}", e.line, e.field, e.message);
        }
        if rejected_count > rejected.len() as u64 {
            eprintln!("… and {} more rejected rows", rejected_count - rejected.len() as u64);
        }
        println!("read {read}, imported 0, rejected {rejected_count}");
        anyhow::bail!(
            "{shown}: {rejected_count} of {read} rows rejected, nothing imported (first: line {}, field {}: {})",
            first.line,
            first.field,
            first.message
        );
    }
    runtime()?.block_on(async {
        let store = open_store(global).await?;
        let out = store.import_crossings("system", &rows).await.with_context(|| format!("importing {shown}"))?;
        store.close().await;
        println!(
            "read {read}, imported {}, already present {}, rejected 0",
            out.inserted,
            out.already_present + repeated
        );
        Ok(ExitCode::SUCCESS)
    })
}
