//! `centinela audit …`: verify the tamper-evident audit chain, print its
//! anchor, and show its latest entries. The chain is
//! `centinela_domain::audit`; storage `centinela-store`; the sealing key
//! `cmd::audit_key`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use centinela_domain::audit::{Anchor, hex};
use serde_json::json;

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Recompute every entry's hash, seal (with the audit key) and link.
    /// Exit 0 when the chain is intact; exit 1 naming the first broken
    /// entry otherwise, or what is wrong against the anchor.
    Verify {
        /// An anchor printed earlier by `audit anchor` and kept elsewhere:
        /// the chain must still reach its entry with its hash (entries
        /// removed from the end are detected).
        #[arg(long, value_name = "FILE")]
        anchor: Option<PathBuf>,
    },
    /// Print the chain's head — `{"seq":N,"hash":"…"}` — to keep elsewhere
    /// (another machine, paper) for `audit verify --anchor`.
    Anchor,
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
            Command::Verify { anchor } => verify(global, anchor.as_deref()).await,
            Command::Anchor => anchor(global).await,
            Command::Show { limit, json } => show(global, limit, json).await,
        }
    })
}

/// Reads an anchor file: `{"seq":N,"hash":"<64 hex digits>"}`.
fn read_anchor(path: &Path) -> Result<Anchor, Unreadable> {
    let bad = |why: String| Unreadable(format!("anchor {}: {why}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
    let seq = v["seq"].as_i64().filter(|s| *s >= 0).ok_or_else(|| bad("no \"seq\" (a whole number ≥ 0)".into()))?;
    let digits = v["hash"].as_str().unwrap_or_default();
    let mut hash = [0u8; 32];
    let ok = digits.len() == 64
        && hash
            .iter_mut()
            .enumerate()
            .all(|(i, b)| u8::from_str_radix(digits.get(2 * i..2 * i + 2).unwrap_or("zz"), 16).map(|x| *b = x).is_ok());
    if !ok {
        return Err(bad("no \"hash\" (64 hexadecimal digits)".into()));
    }
    Ok(Anchor { seq, hash })
}

async fn verify(global: &Global, anchor: Option<&Path>) -> anyhow::Result<ExitCode> {
    let anchor = anchor.map(read_anchor).transpose()?;
    let store = open_store(global).await?;
    let result = store.audit_verify_report().await.context("reading the audit log")?;
    let against = match &anchor {
        Some(a) => Some(store.audit_check_anchor(a).await.context("reading the audit log")?),
        None => None,
    };
    let seal = store.audit_seal().await.context("reading the audit log")?;
    store.close().await;
    let v = match result {
        Ok(v) => v,
        Err(broken) => {
            println!("audit chain BROKEN at entry {}: {}", broken.seq, broken.reason);
            println!("{}", seal_line(seal.map(|s| s.start_seq)));
            return Ok(ExitCode::from(1));
        }
    };
    if let Some(Err(mismatch)) = against {
        println!("audit chain BROKEN against the anchor: {mismatch}");
        return Ok(ExitCode::from(1));
    }
    println!("audit chain intact: {} entries", v.entries);
    println!("{}", seal_line(v.sealed_from));
    if let Some(a) = anchor {
        println!("anchor holds: entry {} has the anchored hash", a.seq);
    }
    Ok(ExitCode::SUCCESS)
}

/// Where the seal starts: entries before it are only hash-chained.
fn seal_line(sealed_from: Option<i64>) -> String {
    match sealed_from {
        Some(1) => "sealed from entry 1: every entry carries the audit key's MAC".to_string(),
        Some(from) => format!(
            "sealed from entry {from}: entries 1 to {} were written before the audit key existed and are only \
             hash-chained",
            from - 1
        ),
        None => "not sealed: every entry is only hash-chained".to_string(),
    }
}

async fn anchor(global: &Global) -> anyhow::Result<ExitCode> {
    let store = open_store(global).await?;
    let (seq, hash) = store.audit_head().await.context("reading the audit log")?;
    store.close().await;
    println!("{}", json!({ "seq": seq, "hash": hex(&hash) }));
    Ok(ExitCode::SUCCESS)
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
