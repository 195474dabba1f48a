//! `centinela connectors add|list|run|enable|disable`: alert lists pulled
//! from their sources (Interpol notices, the UN consolidated list,
//! OpenSanctions, national lists), through the use cases of
//! `centinela-app`, audited as `cli`. `serve` runs the enabled ones on
//! their schedule.

use std::process::ExitCode;

use centinela_app::connectors::{AddConnector, BUILTIN_KINDS, Outcome};
use centinela_app::{App, AppError, Caller};
use centinela_domain::ListKind;

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a connector: its kind, the source's URL (or the directory a
    /// ministry drops files into), the list it feeds.
    Add {
        name: String,
        /// interpol-red, interpol-yellow, un-sc, opensanctions, national-csv, national-dir.
        #[arg(long)]
        kind: String,
        /// The source: an http(s) URL, or an absolute directory path for national-dir.
        #[arg(long)]
        url: String,
        /// The list it feeds (created at its first pull).
        #[arg(long)]
        list: String,
        /// wanted, missing, documents or watch (default: Red wanted,
        /// Yellow missing, the others watch).
        #[arg(long)]
        list_kind: Option<String>,
        /// Minutes between pulls.
        #[arg(long, default_value_t = 60)]
        every_minutes: i64,
        /// Hours after which posts are warned that the list is stale.
        #[arg(long, default_value_t = 24)]
        max_age_hours: i64,
        /// Where the secret is read at each pull: env:VARIABLE or
        /// file:/path (never the secret itself).
        #[arg(long, default_value = "")]
        credential: String,
    },
    /// The connectors, with their last run.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Pull now (exit 1 when the pull failed: the version in force stays).
    Run {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Stop running a connector on schedule.
    Disable { name: String },
    /// Run a disabled connector on schedule again.
    Enable { name: String },
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    crate::cmd::runtime()?.block_on(async {
        let app = App::new(open_store(global).await?);
        match cmd {
            Command::Add { name, kind, url, list, list_kind, every_minutes, max_age_hours, credential } => {
                let list_kind = match list_kind.as_deref().map(ListKind::parse).transpose() {
                    Ok(k) => k,
                    Err(e) => return Err(Unreadable(format!("--list-kind: {e}")).into()),
                };
                let req = AddConnector {
                    name: &name,
                    kind: &kind,
                    base_url: &url,
                    list: &list,
                    list_kind,
                    schedule_minutes: Some(every_minutes),
                    max_age_hours: Some(max_age_hours),
                    credential: &credential,
                };
                match app.add_connector(Caller::Cli, &req).await {
                    Err(AppError::Invalid(m)) => Err(Unreadable(m).into()),
                    Err(e) => Err(e.into()),
                    Ok(c) => {
                        println!(
                            "conector {} añadido: alimenta {} cada {} min / connector {} added: feeds {} every {} min",
                            c.name, c.list, c.schedule_minutes, c.name, c.list, c.schedule_minutes
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                }
            }
            Command::List { json } => {
                let all = app.connectors().await?;
                if json {
                    for c in &all {
                        println!("{}", serde_json::to_string(c)?);
                    }
                } else if all.is_empty() {
                    let kinds: Vec<&str> = BUILTIN_KINDS.iter().map(|(k, _)| *k).collect();
                    println!("ningún conector / no connectors (kinds: {})", kinds.join(", "));
                } else {
                    println!("name\tkind\tlist\tevery_min\tenabled\tlast_run\toutcome\tmessage");
                    for c in &all {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            c.name,
                            c.kind,
                            c.list,
                            c.schedule_minutes,
                            c.enabled,
                            c.last_run_at.as_deref().unwrap_or("-"),
                            c.last_outcome.as_deref().unwrap_or("-"),
                            c.last_message
                        );
                    }
                }
                Ok(ExitCode::SUCCESS)
            }
            Command::Run { name, json } => {
                let r = app.run_connector(Caller::Cli, &name).await?;
                if json {
                    println!("{}", serde_json::to_string(&r)?);
                } else if r.outcome == Outcome::Failed {
                    eprintln!("falló / failed: {}", r.message);
                } else {
                    println!(
                        "{}: {} (+{} ~{} -{}), versión / version {}, {} filas / rows, {} peticiones / requests, {} ms",
                        r.connector,
                        r.outcome.as_str(),
                        r.diff.added,
                        r.diff.changed,
                        r.diff.withdrawn,
                        r.version.map(|v| v.to_string()).unwrap_or_else(|| "-".into()),
                        r.rows,
                        r.requests,
                        r.millis
                    );
                    if r.images_stored + r.images_removed > 0 {
                        println!(
                            "fotos / photos: {} nuevas / new, {} retiradas / taken away",
                            r.images_stored, r.images_removed
                        );
                    }
                }
                if !json {
                    for w in &r.warnings {
                        eprintln!("aviso / warning: {}: {}", w.code, w.detail);
                    }
                }
                Ok(if r.outcome == Outcome::Failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
            }
            Command::Disable { name } => {
                app.set_connector_enabled(Caller::Cli, &name, false).await?;
                println!("conector {name} desactivado / connector {name} disabled");
                Ok(ExitCode::SUCCESS)
            }
            Command::Enable { name } => {
                app.set_connector_enabled(Caller::Cli, &name, true).await?;
                println!("conector {name} activado / connector {name} enabled");
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
