//! `centinela pki import FILE`, `pki list`: the trust anchors of the chip's
//! Passive Authentication (CSCA Master Lists, CSCA certificates, CRLs),
//! through the use cases of `centinela-app`, audited as `cli`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use centinela_app::{App, AppError, Caller};

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import a CSCA Master List (its signature must verify), a CSCA
    /// certificate or a CRL (DER or PEM) as a new trust-anchor version.
    Import {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
    /// The trust anchors held (a CRL past its next update is flagged).
    List {
        /// One JSON object per anchor, then one with the version and warnings.
        #[arg(long)]
        json: bool,
    },
}

/// Unix seconds now.
pub fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    crate::cmd::runtime()?.block_on(async {
        let app = App::new(open_store(global).await?);
        match cmd {
            Command::Import { json, file } => {
                let bytes = std::fs::read(&file)
                    .map_err(|e| Unreadable(format!("{}: {e}", file.display())))?;
                if bytes.len() > centinela_chip::trust::MAX_MASTER_LIST {
                    return Err(Unreadable(format!("{}: larger than 16 MiB", file.display())).into());
                }
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let report = match app.import_trust_file(Caller::Cli, &name, &bytes, now_unix()).await {
                    Err(AppError::Invalid(m)) => return Err(Unreadable(format!("{}: {m}", file.display())).into()),
                    r => r.context("importing trust anchors")?,
                };
                for w in &report.warnings {
                    eprintln!("aviso / warning: {} / {}", w.es, w.en);
                }
                if report.signer_issued_by_listed_csca == Some(false) {
                    eprintln!(
                        "aviso / warning: el firmante de la lista no fue emitido por una CSCA de la lista; \
                         compruebe su origen / the list's signer was not issued by a CSCA in it; check where it came from"
                    );
                }
                if json {
                    println!("{}", serde_json::to_string(&report)?);
                } else {
                    println!(
                        "versión {} ({}): {} nuevos, {} ya presentes, {} omitidos / version {}: {} new, {} already held, {} skipped",
                        report.version,
                        report.kind,
                        report.added,
                        report.already,
                        report.skipped,
                        report.version,
                        report.added,
                        report.already,
                        report.skipped
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::List { json } => {
                let listing = app.pki_list(now_unix()).await?;
                for w in &listing.warnings {
                    eprintln!("aviso / warning: {} / {}", w.es, w.en);
                }
                if json {
                    for a in &listing.anchors {
                        println!("{}", serde_json::to_string(a)?);
                    }
                    println!(
                        "{}",
                        serde_json::json!({ "version": listing.version, "anchors": listing.anchors.len(), "warnings": listing.warnings })
                    );
                } else {
                    println!("versión / version {}", listing.version);
                    for a in &listing.anchors {
                        println!(
                            "{:>4}  {:<4}  {:<3}  {}  {} → {}{}",
                            a.version,
                            a.kind,
                            a.country,
                            a.subject,
                            a.valid_from.get(..10).unwrap_or(""),
                            a.valid_to.as_deref().and_then(|t| t.get(..10)).unwrap_or("—"),
                            if a.stale { "  (vencido / stale)" } else { "" }
                        );
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
