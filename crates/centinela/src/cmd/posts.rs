//! `centinela posts add|list|revoke|rotate-key`: border posts and their sync
//! keys.

use std::process::ExitCode;

use centinela_domain::CountryCode;
use centinela_store::{NewPost, PostKind};

use crate::Global;
use crate::cmd::{Unreadable, open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Create a border post, or add again one whose key was revoked;
    /// prints its (new) synchronisation key (shown once).
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
    /// Give a post a new sync key, printed once; the old key stops working
    /// at once (put the new one on the post). Audited.
    RotateKey {
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
                let was_revoked = store.post_infos().await?.iter().any(|x| x.code == code && x.revoked);
                let (post, key) = store.add_post("system", &p).await?;
                store.close().await;
                let what = if was_revoked { "added again (its old key stays revoked)" } else { "created" };
                eprintln!("post {} {what}; its sync key follows (shown once, keep it secret)", post.code);
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
        Command::RotateKey { code } => runtime()?.block_on(async {
            let store = open_store(global).await?;
            let key = store.rotate_post_key("system", &code).await?;
            store.close().await;
            eprintln!("post {code} has a new sync key (shown once, keep it secret); the old one no longer works");
            println!("{key}");
            Ok(ExitCode::SUCCESS)
        }),
        Command::List => runtime()?.block_on(async {
            let store = open_store(global).await?;
            let infos = store.post_infos().await?;
            for p in store.posts().await? {
                let info = infos.iter().find(|i| i.code == p.code);
                let mut line = format!("{}\t{}\t{}\t{}\t{}", p.code, p.country, p.kind, p.facing, p.name);
                if info.is_some_and(|i| i.revoked) {
                    line.push_str("\trevoked");
                }
                if let Some(at) = info.and_then(|i| i.audit_rewound_at.as_deref()) {
                    line.push_str(&format!("\tAUDIT CHAIN WENT BACKWARDS at {at}"));
                }
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }),
    }
}
