//! `centinela audit …`: verify the tamper-evident audit chain and show its
//! latest entries. The chain is `centinela_domain::audit`; storage
//! `centinela-store`.

use std::process::ExitCode;

use anyhow::Context;
use centinela_domain::audit::hex;
use serde_json::json;

use crate::Global;
use crate::cmd::open_store;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Recompute every entry's hash and link. Exit 0 when the chain is
    /// intact; exit 1 naming the first broken entry otherwise.
    Verify,
    /// Show the latest entries, oldest first (as stored, not verified).
    Show {
        /// How many of the latest entries.
        #[arg(long, default_value_t = 50)]
        limit: u64,
        /// One JSON object per entry instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = crate::cmd::runtime()?;
    rt.block_on(async {
        match cmd {
            Command::Verify => verify(global).await,
            Command::Show { limit, json } => show(global, limit, json).await,
        }
    })
}

async fn verify(global: &Global) -> anyhow::Result<ExitCode> {
    let store = open_store(global).await?;
    let result = store.audit_verify().await.context("reading the audit log")?;
    store.close().await;
    match result {
        Ok(n) => {
            println!("audit chain intact: {n} entries");
            Ok(ExitCode::SUCCESS)
        }
        Err(broken) => {
            println!("audit chain BROKEN at entry {}: {}", broken.seq, broken.reason);
            Ok(ExitCode::from(1))
        }
    }
}

async fn show(global: &Global, limit: u64, json: bool) -> anyhow::Result<ExitCode> {
    let store = open_store(global).await?;
    let entries = store.audit_entries(Some(limit)).await.context("reading the audit log")?;
    store.close().await;
    if json {
        for e in &entries {
            let line = json!({
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "detail": e.detail,
                "prev_hash": hex(&e.prev_hash),
                "hash": hex(&e.hash),
            });
            println!("{line}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    if entries.is_empty() {
        println!("the audit log is empty");
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:>6}  {:<20}  {:<16}  {:<16}  {:<12}  {:<16}  detail",
        "seq", "at", "actor", "action", "subject", "hash"
    );
    for e in &entries {
        println!(
            "{:>6}  {:<20}  {:<16}  {:<16}  {:<12}  {:<16}  {}",
            e.seq,
            e.at,
            e.actor,
            e.action,
            e.subject,
            &hex(&e.hash)[..16],
            e.detail
        );
    }
    Ok(ExitCode::SUCCESS)
}
