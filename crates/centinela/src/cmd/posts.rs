//! `centinela posts add|list|revoke`: border posts and their sync keys.

use std::process::ExitCode;

use centinela_domain::CountryCode;
use centinela_store::{NewPost, PostKind};

use crate::Global;
use crate::cmd::{Unreadable, open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a border post; prints its synchronisation key (shown once).
    Add {
        /// The post's code, e.g. GTM-TECUNUMAN.
        #[arg(long)]
        code: String,
        /// Its name, e.g. "Tecún Umán".
        #[arg(long)]
        name: String,
        /// The country it belongs to (ISO 3166-1 alpha-3).
        #[arg(long)]
        country: String,
        /// The code of the post across the border.
        #[arg(long, default_value = "")]
        facing: String,
        /// land, air or sea.
        #[arg(long, default_value = "land")]
        kind: String,
    },
    /// List the border posts.
    List,
    /// Revoke a post's sync key: the centre refuses it from then on (what
    /// the post sent before stays).
    Revoke {
        /// The post's code.
        code: String,
    },
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Add { code, name, country, facing, kind } => {
            let country = CountryCode::parse(&country).map_err(|e| Unreadable(format!("--country: {e}")))?;
            let kind = PostKind::parse(&kind).map_err(|e| Unreadable(format!("--kind: {e}")))?;
            runtime()?.block_on(async {
                let store = open_store(global).await?;
                let p = NewPost { code: &code, name: &name, country, facing: &facing, kind };
                let (post, key) = store.add_post("system", &p).await?;
                store.close().await;
                eprintln!("post {} created; its sync key follows (shown once, keep it secret)", post.code);
                println!("{key}");
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Revoke { code } => runtime()?.block_on(async {
            let store = open_store(global).await?;
            store.revoke_post("system", &code).await?;
            store.close().await;
            eprintln!("the sync key of post {code} is revoked");
            Ok(ExitCode::SUCCESS)
        }),
        Command::List => runtime()?.block_on(async {
            let store = open_store(global).await?;
            for p in store.posts().await? {
                println!("{}\t{}\t{}\t{}\t{}", p.code, p.country, p.kind, p.facing, p.name);
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}
