//! `centinela lists threshold`: what a screening threshold would cost at a
//! border post — the back-test of `centinela_app::threshold` over the
//! post's stored crossings, against the lists in the database. Audited
//! (counts only).

use std::process::ExitCode;

use centinela_app::{App, Caller};

use crate::Global;
use crate::cmd::open_store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The border post whose crossings are screened again.
    #[arg(long)]
    pub post: String,
    /// First day counted (YYYY-MM-DD, UTC); by default 29 days before --to.
    #[arg(long)]
    pub from: Option<String>,
    /// Last day counted (YYYY-MM-DD, UTC, inclusive); by default today.
    #[arg(long)]
    pub to: Option<String>,
    /// Candidate thresholds, comma-separated (by default 0.1 to 0.9).
    #[arg(long, value_delimiter = ',')]
    pub thresholds: Vec<f64>,
    /// JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(a: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let store = open_store(global).await?;
    let app = App::new(store.clone());
    let answer =
        app.threshold_backtest(Caller::Cli, &a.post, a.from.as_deref(), a.to.as_deref(), &a.thresholds).await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else {
        println!(
            "{} {}..{} ({} days): {} crossings, {} confirmed person hits ({} no longer listed)",
            answer.post,
            answer.from,
            answer.to,
            answer.days,
            answer.crossings,
            answer.confirmed,
            answer.confirmed_unlisted
        );
        println!("threshold\talerts/day\talerted\thits\tconfirmed_kept\tconfirmed_lost");
        for r in &answer.rows {
            let mark = if r.threshold == answer.shipped { " (shipped)" } else { "" };
            println!(
                "{}{mark}\t{}\t{}\t{}\t{}\t{}",
                r.threshold, r.alerts_per_day, r.alerted, r.hits, r.confirmed_kept, r.confirmed_lost
            );
        }
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
