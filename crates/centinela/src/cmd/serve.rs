//! `centinela serve`: the HTTP API (`centinela-server`) over the database
//! `--db` names, until Ctrl-C or SIGTERM; requests in flight are finished.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use centinela_server::{ServerConfig, TlsConfig};
use centinela_store::Store;

use crate::Global;
use crate::cmd::Unreadable;

#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The address and port to listen on.
    #[arg(long, env = "CENTINELA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Mark the session cookies Secure (when clients reach the server over
    /// HTTPS through a reverse proxy; with --tls-cert they always are).
    #[arg(long, env = "CENTINELA_SECURE_COOKIES")]
    pub secure_cookies: bool,
    #[command(flatten)]
    pub tls: TlsArgs,
    /// A reverse proxy in front of this server (repeat for several, or a
    /// comma-separated list in the variable): for requests from it, the
    /// client is the address it appended to X-Forwarded-For, so login
    /// limits and the audit count clients, not the proxy.
    #[arg(long = "trusted-proxy", env = "CENTINELA_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Connections open at once from every client together; more are
    /// closed as soon as they are accepted.
    #[arg(long, env = "CENTINELA_MAX_CONNECTIONS", default_value_t = centinela_server::MAX_CONNECTIONS as u64, value_parser = clap::value_parser!(u64).range(16..=1_000_000))]
    pub max_connections: u64,
    /// Connections open at once from one address (a trusted proxy counts
    /// only in the total): one machine cannot hold every connection.
    #[arg(long, env = "CENTINELA_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = centinela_server::MAX_CONNECTIONS_PER_PEER as u64, value_parser = clap::value_parser!(u64).range(4..=1_000_000))]
    pub max_connections_per_address: u64,
    /// How long a login lasts, in hours.
    #[arg(long, env = "CENTINELA_SESSION_HOURS", default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub session_hours: u64,
    /// End a session unused for this many minutes (30 by default: a booth
    /// left unattended; NIST SP 800-63B's limit for its second assurance
    /// level).
    #[arg(long, env = "CENTINELA_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub idle_minutes: u64,
    /// Run the retention purge every this many hours (the first a minute
    /// after start); 0 never.
    #[arg(long, env = "CENTINELA_PURGE_EVERY_HOURS", default_value_t = 24)]
    pub purge_every_hours: u64,
    #[command(flatten)]
    pub retention: crate::cmd::purge::RetentionArgs,
    /// At a border post: synchronise with this centre in the background.
    #[command(flatten)]
    pub centre: crate::cmd::sync::CentreArgs,
    /// Seconds between synchronisation cycles while the centre answers
    /// (failures back off exponentially up to 5 minutes).
    #[arg(long, env = "CENTINELA_SYNC_INTERVAL", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub sync_interval: u64,
    /// Seconds between two looks for connectors whose schedule has come
    /// (0: connectors run only by `centinela connectors run`).
    #[arg(long, env = "CENTINELA_CONNECTOR_CHECK_SECONDS", default_value_t = 60)]
    pub connector_check_seconds: u64,
    /// At the centre: a read-only replica of `--db` (a PostgreSQL streaming
    /// standby) that statistics, the regional report, intelligence analyses
    /// and rule back-tests read from; everything else, and every audit
    /// entry, goes to `--db`.
    #[arg(long, env = "CENTINELA_DB_REPLICA", value_name = "URL")]
    pub db_replica: Option<String>,
    /// How many days a supervisor's clearance of a traveller against a list
    /// entry lasts (a supervisor may ask for fewer).
    #[arg(long, env = "CENTINELA_CLEARANCE_DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub clearance_days: u32,
}

/// HTTPS: the server's certificate and key.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TlsArgs {
    /// Serve HTTPS with this certificate chain (PEM: the server's
    /// certificate first, then any intermediates); needs --tls-key. Cookies
    /// are then Secure and answers carry Strict-Transport-Security.
    #[arg(long, env = "CENTINELA_TLS_CERT", value_name = "PEM")]
    pub tls_cert: Option<PathBuf>,
    /// The private key of --tls-cert (PEM: PKCS#8, RSA or EC), readable by
    /// the service's user only.
    #[arg(long, env = "CENTINELA_TLS_KEY", value_name = "PEM")]
    pub tls_key: Option<PathBuf>,
}

impl TlsArgs {
    /// The TLS configuration when both files are given; a usage error when
    /// only one is or when they cannot be used (naming the file).
    pub fn config(&self) -> anyhow::Result<Option<TlsConfig>> {
        match (&self.tls_cert, &self.tls_key) {
            (Some(cert), Some(key)) => {
                let tls = TlsConfig::from_pem_files(cert, key).map_err(|e| Unreadable(e.to_string()))?;
                crate::cmd::sync::warn_if_world_readable(key, "--tls-key");
                Ok(Some(tls))
            }
            (None, None) => Ok(None),
            _ => Err(Unreadable("--tls-cert and --tls-key go together".into()).into()),
        }
    }
}

impl Args {
    /// The server's configuration from these arguments (reads the TLS
    /// files when given).
    pub fn config(&self) -> anyhow::Result<ServerConfig> {
        Ok(ServerConfig {
            addr: self.addr,
            secure_cookies: self.secure_cookies,
            tls: self.tls.config()?,
            session_ttl: Duration::from_secs(self.session_hours * 3600),
            idle_timeout: Duration::from_secs(self.idle_minutes * 60),
            trusted_proxies: self.trusted_proxies.clone(),
            max_connections: usize::try_from(self.max_connections)?,
            max_connections_per_peer: usize::try_from(self.max_connections_per_address)?,
            ..ServerConfig::default()
        })
    }
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    rt.block_on(async {
        let store = crate::cmd::open_store(global).await?;
        serve(&args, store).await?;
        Ok(ExitCode::SUCCESS)
    })
}

/// Serves `store` as `args` say until Ctrl-C or SIGTERM, then closes the
/// database (for commands that prepare a database and then serve it).
pub async fn serve(args: &Args, store: Store) -> anyhow::Result<()> {
    let sync = args.centre.config()?;
    let cfg = args.config()?;
    let scheme = if cfg.tls.is_some() { "https" } else { "http" };
    let listener =
        tokio::net::TcpListener::bind(cfg.addr).await.with_context(|| format!("cannot listen on {}", cfg.addr))?;
    let analytics = match &args.db_replica {
        Some(url) => Some(
            Store::connect_read_only(url)
                .await
                .with_context(|| format!("opening the read replica {}", centinela_store::redact(url)))?,
        ),
        None => None,
    };
    if let Some(url) = &args.db_replica {
        eprintln!("statistics and analyses read from {}", centinela_store::redact(url));
    }
    let state = centinela_server::AppState::with_analytics(cfg, store.clone(), analytics.clone());
    state.app().set_clearance_days(args.clearance_days)?;
    // A synchronising post leaves extending clearances to the documents
    // intelligence links to the centre, and pulls what it adds.
    state.app().set_extends_clearances(sync.is_none());
    let (persons, documents) = state.inspections().reload(&store).await.context("loading the alert lists")?;
    tracing::info!(persons, documents, "alert lists loaded");
    // What an import that died left (never read), in short transactions
    // beside the booths' inspections.
    let cleaning = {
        let store = store.clone();
        tokio::spawn(async move {
            if let Err(e) = store.clean_unfinished_imports().await {
                tracing::warn!(error = %e, "cannot remove what unfinished list imports left; next start will");
            }
        })
    };
    // Lookouts: in force at this post as soon as the centre issues them
    // (a long poll beside the cycle below).
    let watching = sync.clone().map(|sync| {
        let state = state.clone();
        tokio::spawn(centinela_sync::watch_lookouts(store.clone(), sync, Duration::from_secs(60), move || {
            let state = state.clone();
            async move {
                match state.app().reload_lookouts().await {
                    Ok(n) => tracing::info!(lookouts = n, "lookouts in force after pull"),
                    Err(e) => tracing::error!(error = %e, "cannot reload the lookouts after pull"),
                }
            }
        }))
    });
    let syncing = sync.map(|sync| {
        eprintln!("synchronising with {} every {} s", sync.central, args.sync_interval);
        let state = state.clone();
        let interval = Duration::from_secs(args.sync_interval);
        tokio::spawn(centinela_sync::background(store.clone(), sync, interval, Duration::from_secs(300), move || {
            let state = state.clone();
            async move {
                match state.inspections().reload(state.store()).await {
                    Ok((persons, documents)) => tracing::info!(persons, documents, "alert lists reloaded after sync"),
                    Err(e) => tracing::error!(error = %e, "cannot reload the alert lists after sync"),
                }
            }
        }))
    });
    eprintln!(
        "sirviendo / serving {scheme}://{}/ (la API / the API: /api/, docs: /api/docs/); Ctrl-C o SIGTERM la detiene / stops",
        args.addr
    );
    let purger = (args.purge_every_hours > 0).then(|| {
        let (store, retention) = (store.clone(), args.retention.retention());
        let every = Duration::from_secs(args.purge_every_hours.saturating_mul(3600));
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(60)).await;
            loop {
                match crate::cmd::purge::purge(&store, "system", &retention, false).await {
                    Ok(r) => tracing::info!(
                        crossings = r.crossings,
                        inspections = r.inspections,
                        hits = r.hits,
                        closed_cases = r.closed_cases,
                        sessions = r.sessions,
                        kept_for_cases = r.kept_for_cases,
                        "retention purge"
                    ),
                    Err(e) => tracing::error!(error = %e, "retention purge failed"),
                }
                tokio::time::sleep(every).await;
            }
        })
    });
    // Connectors on their schedule, one pull at a time: parsing runs on the
    // heavy-work pool and a new version is staged in short transactions,
    // so inspections go on meanwhile.
    let connecting = (args.connector_check_seconds > 0).then(|| {
        let state = state.clone();
        let every = Duration::from_secs(args.connector_check_seconds);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(5)).await;
            loop {
                let now = jiff::Timestamp::now().as_second();
                match state.app().run_due_connectors(now).await {
                    Ok(runs) if runs.iter().any(|r| r.outcome == centinela_app::connectors::Outcome::Imported) => {
                        match state.app().reload_lists(None).await {
                            Ok((persons, documents)) => {
                                tracing::info!(persons, documents, "alert lists reloaded after a connector pull")
                            }
                            Err(e) => {
                                tracing::error!(error = %e, "cannot reload the alert lists after a connector pull")
                            }
                        }
                    }
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "connectors could not run"),
                }
                tokio::time::sleep(every).await;
            }
        })
    });
    let result = centinela_server::serve_on(listener, state, centinela_server::shutdown_signal()).await;
    if let Some(task) = syncing {
        task.abort();
    }
    if let Some(task) = watching {
        task.abort();
    }
    if let Some(p) = purger {
        p.abort();
    }
    if let Some(c) = connecting {
        c.abort();
    }
    cleaning.abort();
    store.close().await;
    if let Some(a) = analytics {
        a.close().await;
    }
    result.with_context(|| format!("serving {}", scheme.to_uppercase()))
}
