//! `centinela clearances list|extend|revoke`: supervisors' remembered clearances
//! of a traveller against a list entry (made on the hits page or with
//! `POST /api/hits/{id}/clearance`). Listing is audited (clearances name
//! documents); revoking is audited and synchronised like a supervisor's.

use std::process::ExitCode;

use centinela_app::clearances::ClearancesQuery;
use centinela_app::{App, Caller};

use crate::Global;
use crate::cmd::{open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Clearances, newest first, one per line (tab-separated): id, status,
    /// post, list, entry, document, issuing state, cleared at, by, expires,
    /// reason. In force only unless --all.
    List {
        /// Only this post's clearances.
        #[arg(long)]
        post: Option<String>,
        /// Also revoked and expired clearances.
        #[arg(long)]
        all: bool,
        /// At most this many (at most 1000).
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// JSON instead of lines.
        #[arg(long)]
        json: bool,
    },
    /// Extend the clearances in force to the other documents intelligence
    /// links to each cleared traveller (a renewed passport), with the
    /// current analysis (computed now if the data changed). Run it at the
    /// centre (or a standalone installation): posts pull what it adds.
    Extend {
        /// JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Revoke a clearance (the next inspection of the pair alerts again).
    Revoke {
        /// The clearance's id (first column of `list`).
        uid: String,
        /// Why: required.
        #[arg(long)]
        reason: String,
    },
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    rt.block_on(async {
        let store = open_store(global).await?;
        let app = App::new(store.clone());
        let out = match cmd {
            Command::List { post, all, limit, json } => {
                let found = app.clearances(Caller::Cli, ClearancesQuery { post, all, limit }).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&found)?);
                } else {
                    for c in &found {
                        println!(
                            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                            c.uid,
                            c.status,
                            c.post,
                            c.list_name,
                            c.entry_id,
                            c.document_number,
                            c.issuing_state,
                            c.cleared_at,
                            c.cleared_by,
                            c.expires_at,
                            c.reason.replace(['\t', '\n'], " ")
                        );
                    }
                    eprintln!("{} clearance(s)", found.len());
                }
                ExitCode::SUCCESS
            }
            Command::Extend { json } => {
                let r = app.extend_clearances(Caller::Cli).await?;
                if json {
                    println!("{}", serde_json::to_string_pretty(&r)?);
                } else {
                    println!(
                        "{} documento(s) añadido(s) / document(s) added, {} despeje(s) / clearance(s)",
                        r.extended, r.clearances
                    );
                    for (why, n) in &r.skipped {
                        println!("  {why}\t{n}");
                    }
                }
                ExitCode::SUCCESS
            }
            Command::Revoke { uid, reason } => {
                let c = app.revoke_clearance(Caller::Cli, &uid, &reason).await?;
                println!("revocada / revoked: {} ({} {})", c.uid, c.list_name, c.entry_id);
                ExitCode::SUCCESS
            }
        };
        store.close().await;
        anyhow::Ok(out)
    })
}
