//! `centinela sync`: one push/pull cycle with the centre for the post
//! database `--db` names; `centinela sync status`: what is queued, sent, and
//! the last error.

use std::path::{Path, PathBuf};
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

/// Where the centre is, this post's key, and the CA its certificate is
/// checked against (also `serve`'s).
#[derive(Clone, Default, clap::Args)]
pub struct CentreArgs {
    /// The centre's base URL, e.g. https://centinela.example.gob
    #[arg(long, env = "CENTINELA_CENTRAL")]
    pub central: Option<String>,
    /// A file holding this post's sync key (printed by `centinela posts add`
    /// at the centre); readable by the service's user only.
    #[arg(long, env = "CENTINELA_POST_KEY_FILE", value_name = "FILE")]
    pub post_key_file: Option<PathBuf>,
    /// This post's sync key. On the command line every user of the machine
    /// sees it (ps): prefer --post-key-file or the environment variable.
    #[arg(long, env = "CENTINELA_POST_KEY", hide_env_values = true, value_name = "KEY")]
    pub post_key: Option<String>,
    /// Trust only the certificate authority (or authorities) in this PEM
    /// file for the centre's HTTPS certificate — a private CA of the
    /// deployment — instead of the system's public ones.
    #[arg(long, env = "CENTINELA_CA_CERT", value_name = "PEM")]
    pub ca_cert: Option<PathBuf>,
}

/// The key stays out of `Debug`.
impl std::fmt::Debug for CentreArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentreArgs")
            .field("central", &self.central)
            .field("post_key_file", &self.post_key_file)
            .field("post_key", &self.post_key.as_ref().map(|_| "<secret>"))
            .field("ca_cert", &self.ca_cert)
            .finish()
    }
}

impl CentreArgs {
    /// The client configuration, when the centre and a key are given; a
    /// usage error when only one is, or when a file cannot be used.
    pub fn config(&self) -> anyhow::Result<Option<centinela_sync::Config>> {
        let key = self.key()?;
        let (central, key) = match (&self.central, key) {
            (Some(c), Some(k)) => (c, k),
            (None, None) => {
                if self.ca_cert.is_some() {
                    return Err(Unreadable("--ca-cert goes with --central".into()).into());
                }
                return Ok(None);
            }
            _ => return Err(Unreadable("--central and --post-key-file (or --post-key) go together".into()).into()),
        };
        let plain = central.starts_with("http://");
        if !(plain || central.starts_with("https://")) {
            return Err(Unreadable(format!("--central: '{central}' is not an http:// or https:// URL")).into());
        }
        if plain && !is_loopback(central) {
            eprintln!(
                "warning: --central {central} is plain HTTP: the post key and personal data cross the network \
                 unencrypted; give the centre an https:// URL"
            );
        }
        let mut cfg = centinela_sync::Config::new(central, &key);
        if let Some(ca) = &self.ca_cert {
            cfg = cfg.with_ca_file(ca).map_err(|e| Unreadable(format!("--ca-cert: {e}")))?;
        }
        Ok(Some(cfg))
    }

    /// The post key: from `--post-key-file`, else `--post-key` or
    /// `CENTINELA_POST_KEY` (warning when it was typed on the command line).
    fn key(&self) -> anyhow::Result<Option<String>> {
        let from_env = std::env::var("CENTINELA_POST_KEY").ok();
        match (&self.post_key_file, &self.post_key) {
            (Some(_), Some(_)) => Err(Unreadable(
                "give the post key once: --post-key-file, or --post-key / CENTINELA_POST_KEY, not both".into(),
            )
            .into()),
            (Some(path), None) => read_key_file(path).map(Some),
            (None, Some(key)) => {
                if from_env.as_deref() != Some(key.as_str()) {
                    eprintln!(
                        "warning: --post-key shows the key to every user of this machine (ps); \
                         use --post-key-file FILE or CENTINELA_POST_KEY"
                    );
                }
                Ok(Some(key.clone()))
            }
            (None, None) => Ok(None),
        }
    }
}

/// Reads a post key file (surrounding white space ignored). Errors name the
/// file, never its content.
fn read_key_file(path: &Path) -> anyhow::Result<String> {
    let shown = path.display();
    let bytes = std::fs::read(path).map_err(|e| Unreadable(format!("--post-key-file {shown}: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|_| Unreadable(format!("--post-key-file {shown}: not a text file")))?;
    let key = text.trim();
    if key.is_empty() {
        return Err(Unreadable(format!("--post-key-file {shown} is empty")).into());
    }
    if key.chars().any(char::is_whitespace) {
        return Err(Unreadable(format!("--post-key-file {shown}: expected the key alone on one line")).into());
    }
    warn_if_world_readable(path, "--post-key-file");
    Ok(key.to_string())
}

/// A warning when every user of the machine may read a secret file.
pub fn warn_if_world_readable(path: &Path, flag: &str) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o004 != 0
        {
            eprintln!(
                "warning: {flag} {}: every user of this machine can read it (chmod 600, or 640 with the service's group)",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, flag);
}

/// Whether the URL's host is this machine (plain HTTP is harmless there).
fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
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
                    "give --central URL and --post-key-file FILE (or CENTINELA_CENTRAL and CENTINELA_POST_KEY_FILE / CENTINELA_POST_KEY)".into(),
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
