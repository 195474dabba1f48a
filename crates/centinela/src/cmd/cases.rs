//! `centinela cases export`: every trafficking case in the HTCDS 2.0
//! shapes — `cases.json` (each case with its sections) and one CSV per
//! table with the standard's column names (`cases.csv`, `perpetrators.csv`,
//! `events.csv`, `support_plans.csv`, `comments.csv`). Audited.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use centinela_domain::htcds::{self, ExportCase};

use crate::Global;
use crate::cmd::{open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write every case, as it stands, in the HTCDS 2.0 shapes into a
    /// folder: cases.json and cases.csv, perpetrators.csv, events.csv,
    /// support_plans.csv, comments.csv (joined by case_id; multiselect
    /// values separated by ';').
    Export(ExportArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The folder to write (created if missing; files in it are replaced).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Export(a) => export(global, &a),
    }
}

fn export(global: &Global, a: &ExportArgs) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    let cases = rt.block_on(async {
        let store = open_store(global).await?;
        let cases = store.all_cases().await?;
        let detail = serde_json::json!({ "cases": cases.len(), "out": a.out.display().to_string() });
        store.audit_append("cli", "cases_exported", "cases", &detail.to_string()).await?;
        store.close().await;
        anyhow::Ok(cases)
    })?;
    let rows: Vec<ExportCase<'_>> = cases
        .iter()
        .map(|c| ExportCase {
            case_id: c.id,
            version: c.version,
            opened_at: &c.opened_at,
            updated_at: &c.updated_at,
            record: &c.record,
        })
        .collect();
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let write = |name: &str, body: &str| -> anyhow::Result<()> {
        let p = a.out.join(name);
        std::fs::write(&p, body).with_context(|| format!("writing {}", p.display()))
    };
    write("cases.json", &format!("{}\n", serde_json::to_string_pretty(&rows)?))?;
    for (name, header, data) in htcds::export_rows(&rows) {
        let mut out = htcds::csv_line(&header);
        out.push_str("\r\n");
        for r in &data {
            out.push_str(&htcds::csv_line(r));
            out.push_str("\r\n");
        }
        write(&format!("{name}.csv"), &out)?;
    }
    eprintln!("wrote {} cases to {}", rows.len(), a.out.display());
    Ok(ExitCode::SUCCESS)
}
