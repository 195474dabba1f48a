//! `centinela cases export`: every trafficking case in the HTCDS 2.0
//! shapes — `cases.json` (each case with its sections) and one CSV per
//! table with the standard's column names (`cases.csv`, `organisations.csv`,
//! `perpetrators.csv`, `events.csv`, `support_plans.csv`, `comments.csv`).
//! Audited.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use centinela_app::{App, Caller};
use centinela_domain::htcds::CountryCodes;

use crate::Global;
use crate::cmd::{open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write every case, as it stands, in the HTCDS 2.0 shapes into a
    /// folder: cases.json and cases.csv, organisations.csv,
    /// perpetrators.csv, events.csv, support_plans.csv, comments.csv
    /// (joined by case_id, organisations also by organisation_id;
    /// multiselect values separated by ';').
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
    /// Country codes in ISO 3166 alpha-2 (GT), as IOM's survey toolkit
    /// lists them, instead of alpha-3 (GTM), as the standard's text says.
    #[arg(long)]
    pub alpha2: bool,
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Export(a) => export(global, &a),
    }
}

fn export(global: &Global, a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    let export = rt.block_on(async {
        let store = open_store(global).await?;
        let detail = serde_json::json!({ "out": a.out.display().to_string(), "alpha2": a.alpha2 });
        let codes = if a.alpha2 { CountryCodes::Alpha2 } else { CountryCodes::Alpha3 };
        let export = App::new(store.clone()).export_cases(Caller::Cli, detail).await?.with_country_codes(codes);
        store.close().await;
        anyhow::Ok(export)
    })?;
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let write = |name: &str, body: &str| -> anyhow::Result<()> {
        let p = a.out.join(name);
        std::fs::write(&p, body).with_context(|| format!("writing {}", p.display()))
    };
    write("cases.json", &format!("{}\n", export.json(true)?))?;
    for (name, csv) in export.csv_tables(a.excel) {
        write(&format!("{name}.csv"), &csv)?;
    }
    eprintln!("wrote {} cases to {}", export.len(), a.out.display());
    Ok(ExitCode::SUCCESS)
}
