//! `centinela stats export`: the regional release — CSV tables in which
//! every published count is at least K or suppressed (an empty cell), a
//! manifest, and the infographic report in Spanish and English, all from
//! the same k-anonymous tables (crate `centinela-stats`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use centinela_app::{App, Caller};
use centinela_server::web::Lang;
use centinela_server::web::report::{self, ReportMeta};
use centinela_stats::{DEFAULT_K, Noise, Options, Period};

use crate::Global;
use crate::cmd::{Unreadable, open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the regional release into a folder: one CSV per table (every
    /// count ≥ K or an empty cell), manifest.json, and the report
    /// (informe-es.html, informe-en.html, informe-es.svg, informe-en.svg).
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The folder to write (created if missing; files in it are replaced).
    #[arg(long)]
    pub out: PathBuf,
    /// Start each CSV file with a UTF-8 byte-order mark, for spreadsheets
    /// (Excel on Windows needs it to read accents).
    #[arg(long)]
    pub excel: bool,
    /// First day counted (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day counted (YYYY-MM-DD, UTC, inclusive).
    #[arg(long)]
    pub to: Option<String>,
    /// The smallest count published; smaller ones, and the cells that would
    /// let anyone recover them, are suppressed.
    #[arg(long, default_value_t = DEFAULT_K)]
    pub k: u64,
    /// The time unit of the tables: month or week.
    #[arg(long, default_value = "month")]
    pub period: String,
    /// Add two-sided geometric noise with this epsilon before suppression
    /// (for repeated releases; smaller is noisier).
    #[arg(long)]
    pub epsilon: Option<f64>,
    /// The noise's seed: the same seed gives the same noise.
    #[arg(long, default_value_t = 0, requires = "epsilon")]
    pub seed: u64,
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Export(a) => export(global, &a),
    }
}

fn date(flag: &str, s: &Option<String>) -> anyhow::Result<Option<jiff::civil::Date>> {
    match s {
        None => Ok(None),
        Some(s) => s
            .parse::<jiff::civil::Date>()
            .map(Some)
            .map_err(|_| Unreadable(format!("{flag}: '{s}' is not a date (YYYY-MM-DD)")).into()),
    }
}

fn export(global: &Global, a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let from = date("--from", &a.from)?;
    let to = date("--to", &a.to)?;
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(Unreadable(format!("--from {f} is after --to {t}")).into());
    }
    if a.k == 0 {
        return Err(Unreadable("--k: must be at least 1".into()).into());
    }
    let period = Period::parse(&a.period).map_err(|e| Unreadable(format!("--period: {e}")))?;
    let noise = match a.epsilon {
        Some(e) => Some(Noise::new(e, a.seed).map_err(|e| Unreadable(format!("--epsilon: {e}")))?),
        None => None,
    };
    let opts = Options { k: a.k, period, noise, from, to, ..Options::default() };
    let rt = runtime()?;
    let (release, country) = rt.block_on(async {
        let store = open_store(global).await?;
        let detail = serde_json::json!({ "noise": noise, "out": a.out.display().to_string() });
        let r = App::new(store.clone()).regional_release(Caller::Cli, opts, "stats_exported", detail).await?;
        store.close().await;
        anyhow::Ok((r.release, r.country))
    })?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let write = |name: &str, body: &str| -> anyhow::Result<()> {
        let p: PathBuf = Path::new(&a.out).join(name);
        std::fs::write(&p, body).with_context(|| format!("writing {}", p.display()))
    };
    let mut manifest = Vec::new();
    for t in &release.tables {
        let bom = if a.excel { centinela_domain::csv::BOM } else { "" };
        write(&format!("{}.csv", t.name), &format!("{bom}{}", t.to_csv()))?;
        manifest.push(serde_json::json!({
            "file": format!("{}.csv", t.name), "measure": t.measure, "rows": t.row_dim, "columns": t.col_dim,
            "suppressed_cells": t.suppressed(), "cells": t.cells.len(),
        }));
    }
    let m = serde_json::json!({
        "country": country,
        "from": from.map(|d| d.to_string()), "to": to.map(|d| d.to_string()),
        "k": release.k, "period": release.period, "noise": release.noise,
        "suppressed": "empty cell", "totals": "last row and last column",
        "tables": manifest,
    });
    write("manifest.json", &format!("{}\n", serde_json::to_string_pretty(&m)?))?;
    let (f, t) = (from.map(|d| d.to_string()).unwrap_or_default(), to.map(|d| d.to_string()).unwrap_or_default());
    let meta = ReportMeta { country: &country, from: &f, to: &t };
    for lang in Lang::ALL {
        write(&format!("informe-{}.svg", lang.code()), &report::svg(&release, &meta, lang))?;
        write(&format!("informe-{}.html", lang.code()), &report::html(&release, &meta, lang, true))?;
    }
    eprintln!(
        "wrote {} tables to {} (k = {}, {} cells suppressed)",
        release.tables.len(),
        a.out.display(),
        release.k,
        release.tables.iter().map(|t| t.suppressed()).sum::<usize>()
    );
    Ok(ExitCode::SUCCESS)
}
