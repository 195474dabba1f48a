//! `centinela purge`: removes what has outlived its retention period
//! (`centinela_store::Retention`), never anything a case holds; audited.
//! `serve` runs the same purge on a schedule.

use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use centinela_store::{PurgeReport, Retention, Store};

use crate::Global;
use crate::cmd::{open_store, runtime};

/// How long each kind of record is kept, in days (flags or environment).
#[derive(Debug, Clone, clap::Args)]
pub struct RetentionArgs {
    /// Days crossings are kept (with their decisions and referrals).
    #[arg(long, env = "CENTINELA_KEEP_CROSSINGS_DAYS", default_value_t = Retention::default().crossings_days)]
    pub keep_crossings_days: u32,
    /// Days the full result an inspection showed is kept.
    #[arg(long, env = "CENTINELA_KEEP_INSPECTIONS_DAYS", default_value_t = Retention::default().inspections_days)]
    pub keep_inspections_days: u32,
    /// Days alert-list hits and their adjudications are kept.
    #[arg(long, env = "CENTINELA_KEEP_HITS_DAYS", default_value_t = Retention::default().hits_days)]
    pub keep_hits_days: u32,
    /// Days expired login sessions are kept.
    #[arg(long, env = "CENTINELA_KEEP_SESSIONS_DAYS", default_value_t = Retention::default().sessions_days)]
    pub keep_sessions_days: u32,
    /// Days a closed trafficking case is kept after its last change.
    #[arg(long, env = "CENTINELA_KEEP_CLOSED_CASES_DAYS", default_value_t = Retention::default().closed_cases_days)]
    pub keep_closed_cases_days: u32,
    /// Days after which a PNR's names, contacts, payment and document
    /// numbers are masked (six months, as the EU PNR directive).
    #[arg(long, env = "CENTINELA_PNR_MASK_DAYS", default_value_t = Retention::default().pnr_mask_days)]
    pub pnr_mask_days: u32,
    /// Days a PNR is kept at all.
    #[arg(long, env = "CENTINELA_KEEP_PNR_DAYS", default_value_t = Retention::default().pnr_days)]
    pub keep_pnr_days: u32,
    /// Days an API passenger list is kept after its flight left.
    #[arg(long, env = "CENTINELA_KEEP_API_DAYS", default_value_t = Retention::default().api_days)]
    pub keep_api_days: u32,
}

impl Default for RetentionArgs {
    fn default() -> Self {
        let r = Retention::default();
        RetentionArgs {
            keep_crossings_days: r.crossings_days,
            keep_inspections_days: r.inspections_days,
            keep_hits_days: r.hits_days,
            keep_sessions_days: r.sessions_days,
            keep_closed_cases_days: r.closed_cases_days,
            pnr_mask_days: r.pnr_mask_days,
            keep_pnr_days: r.pnr_days,
            keep_api_days: r.api_days,
        }
    }
}

impl RetentionArgs {
    pub fn retention(&self) -> Retention {
        Retention {
            crossings_days: self.keep_crossings_days,
            inspections_days: self.keep_inspections_days,
            hits_days: self.keep_hits_days,
            sessions_days: self.keep_sessions_days,
            closed_cases_days: self.keep_closed_cases_days,
            pnr_mask_days: self.pnr_mask_days,
            pnr_days: self.keep_pnr_days,
            api_days: self.keep_api_days,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Count what would be removed, remove nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub retention: RetentionArgs,
}

/// Now, in Unix seconds.
pub fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// One purge as `actor`; its report (counts only: no personal data).
pub async fn purge(store: &Store, actor: &str, retention: &Retention, dry_run: bool) -> anyhow::Result<PurgeReport> {
    Ok(store.purge(actor, retention, now_unix(), dry_run).await?)
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    let report = rt.block_on(async {
        let store = open_store(global).await?;
        let r = purge(&store, "cli", &args.retention.retention(), args.dry_run).await;
        store.close().await;
        r
    })?;
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}
