//! `centinela sync`: one push/pull cycle with the centre for the post
//! database `--db` names; `centinela sync status`: what is queued, sent, and
//! the last error.

use std::process::ExitCode;

use crate::Global;
use crate::cmd::{Unreadable, open_store, runtime};

#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub centre: CentreArgs,
    /// Records per push.
    #[arg(long, env = "CENTINELA_SYNC_BATCH", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..=5000))]
    pub batch: u64,
}

/// Where the centre is and this post's key (also `serve`'s).
#[derive(Debug, Clone, clap::Args)]
pub struct CentreArgs {
    /// The centre's base URL, e.g. https://centinela.example.gob
    #[arg(long, env = "CENTINELA_CENTRAL")]
    pub central: Option<String>,
    /// This post's sync key (printed by `centinela posts add` at the centre).
    #[arg(long, env = "CENTINELA_POST_KEY", hide_env_values = true)]
    pub post_key: Option<String>,
}

impl CentreArgs {
    /// The client configuration, when both are given; a usage error when
    /// only one is.
    pub fn config(&self) -> anyhow::Result<Option<centinela_sync::Config>> {
        match (&self.central, &self.post_key) {
            (Some(c), Some(k)) => {
                if !(c.starts_with("http://") || c.starts_with("https://")) {
                    return Err(Unreadable(format!("--central: '{c}' is not an http:// or https:// URL")).into());
                }
                Ok(Some(centinela_sync::Config::new(c, k)))
            }
            (None, None) => Ok(None),
            _ => Err(Unreadable("--central and --post-key go together".into()).into()),
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// What is queued for the centre, what was sent, the last error, and
    /// the list versions held.
    Status {
        /// Print one JSON object instead of lines.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(Command::Status { json }) => runtime()?.block_on(async {
            let store = open_store(global).await?;
            let s = store.sync_status().await?;
            store.close().await;
            if json {
                println!("{}", serde_json::to_string(&s)?);
            } else {
                let or_never = |v: &Option<String>| v.clone().unwrap_or_else(|| "never".into());
                println!("queued\t{}", s.queued);
                println!("sent\t{}", s.sent);
                println!("refused\t{}", s.refused);
                println!("central\t{}", s.central.clone().unwrap_or_else(|| "-".into()));
                println!("last_attempt\t{}", or_never(&s.last_attempt_at));
                println!("last_success\t{}", or_never(&s.last_success_at));
                println!("last_error\t{}", s.last_error.clone().unwrap_or_else(|| "-".into()));
                for (name, version) in &s.lists {
                    println!("list\t{name}\t{version}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }),
        None => {
            let Some(mut cfg) = args.centre.config()? else {
                return Err(Unreadable(
                    "give --central URL and --post-key KEY (or CENTINELA_CENTRAL and CENTINELA_POST_KEY)".into(),
                )
                .into());
            };
            cfg.batch = args.batch as usize;
            runtime()?.block_on(async {
                let store = open_store(global).await?;
                let result = centinela_sync::cycle(&store, &cfg).await;
                let status = store.sync_status().await?;
                store.close().await;
                match result {
                    Ok(r) => {
                        eprintln!(
                            "synchronised: {} records pushed in {} batches ({} new at the centre, {} it had), {} lists updated, {} posts learnt",
                            r.pushed,
                            r.batches,
                            r.applied,
                            r.duplicates,
                            r.lists_updated.len(),
                            r.posts_added
                        );
                        println!("{}", serde_json::to_string(&r)?);
                        Ok(if status.queued == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
                    }
                    Err(e) => {
                        eprintln!("error: {e}");
                        eprintln!("{} records still queued", status.queued);
                        Ok(ExitCode::from(1))
                    }
                }
            })
        }
    }
}
