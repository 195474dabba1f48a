//! `centinela passengers import FILE`: API passenger and crew lists
//! (PAXLST) and PNR pushes (PNRGOV) in UN/EDIFACT, one or many messages a
//! file, all or nothing, through `centinela-app`, audited as `cli`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use centinela_app::passengers::{MAX_INPUT_BYTES, Source};
use centinela_app::{App, AppError, Caller};

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Import a file of EDIFACT messages (PAXLST, PNRGOV): every message is
    /// read first; an error names the file, message, segment and element,
    /// and nothing is stored.
    Import {
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        file: PathBuf,
    },
}

/// This year (UTC): the reader takes two-digit years against it when an
/// interchange gives no date of its own.
fn this_year() -> u16 {
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    u16::try_from(now.year()).unwrap_or(2000)
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    crate::cmd::runtime()?.block_on(async {
        let app = App::new(open_store(global).await?);
        match cmd {
            Command::Import { json, file } => {
                let meta = std::fs::metadata(&file).map_err(|e| Unreadable(format!("{}: {e}", file.display())))?;
                if meta.len() > MAX_INPUT_BYTES as u64 {
                    return Err(Unreadable(format!(
                        "{}: más de {MAX_INPUT_BYTES} bytes / larger than {MAX_INPUT_BYTES} bytes",
                        file.display()
                    ))
                    .into());
                }
                let bytes = std::fs::read(&file).map_err(|e| Unreadable(format!("{}: {e}", file.display())))?;
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let report =
                    match app.import_passenger_messages(Caller::Cli, Source::File(&name), &bytes, this_year()).await {
                        Err(AppError::Invalid(m)) => return Err(Unreadable(m).into()),
                        r => r.context("importing passenger data")?,
                    };
                for w in &report.warnings {
                    let at = match w.message {
                        Some(m) => format!("{name}: mensaje {m}, segmento {}", w.segment),
                        None => format!("{name}: segmento {}", w.segment),
                    };
                    let tag = w.tag.as_deref().map(|t| format!(" ({t})")).unwrap_or_default();
                    eprintln!("aviso / warning: {at}{tag}: {} / {}", w.es, w.en);
                }
                if json {
                    println!("{}", serde_json::to_string(&report)?);
                } else {
                    println!(
                        "PAXLST: {}, PNRGOV: {}; vuelos: {}, personas: {}, reservas: {} / flights: {}, persons: {}, bookings: {}",
                        report.paxlst,
                        report.pnrgov,
                        report.flights,
                        report.persons,
                        report.bookings,
                        report.flights,
                        report.persons,
                        report.bookings
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
