//! `centinela`: the one binary. Parses the command line and hands each
//! subcommand to its module under `cmd/`; the work is done in library crates.

use std::process::ExitCode;

use centinela_store::StoreError;
use clap::{Parser, Subcommand};

mod cmd;

/// Centinela — sistema de gestión de fronteras / border management information system.
///
/// Reads and verifies travel documents, screens travellers against alert
/// lists, records crossings and turns them into intelligence.
#[derive(Debug, Parser)]
#[command(name = "centinela", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes, before or after its name.
#[derive(Debug, Clone, clap::Args)]
pub struct Global {
    /// Database: a file path (embedded SQLite) or a postgres:// URL.
    #[arg(long, global = true, env = "CENTINELA_DB", default_value = "centinela.db")]
    pub db: String,
    /// The file holding the audit log's sealing key (64 hex digits; keep it
    /// outside the database). Else CENTINELA_AUDIT_KEY; else, for SQLite,
    /// `<db>.audit-key` (created at first start).
    #[arg(long, global = true, env = "CENTINELA_AUDIT_KEY_FILE", value_name = "FILE")]
    pub audit_key_file: Option<std::path::PathBuf>,
    /// More log lines on stderr: -v for info, -vv for debug (RUST_LOG, when
    /// set, decides instead). By default warnings only for `demo`.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read and verify ICAO 9303 machine-readable zones (TD1, TD2, TD3, MRV-A, MRV-B).
    Mrz(cmd::mrz::Args),
    /// The ePassport chip: Passive Authentication of its files (JSON verdict).
    #[command(subcommand)]
    Chip(cmd::chip::Command),
    /// Trust anchors for the chip: import CSCA Master Lists, CSCA certificates and CRLs; list them.
    #[command(subcommand)]
    Pki(cmd::pki::Command),
    /// Air passenger data: import API lists (PAXLST) and PNRs (PNRGOV) in UN/EDIFACT.
    #[command(subcommand)]
    Passengers(cmd::passengers::Command),
    /// Screen travellers against an alert list, in bulk.
    Screen(cmd::screen::Args),
    /// Manage alert lists: import, list, look up documents.
    #[command(subcommand)]
    Lists(cmd::lists::Command),
    /// Manage users: add (password on standard input), list.
    #[command(subcommand)]
    Users(cmd::users::Command),
    /// The tamper-evident audit log: verify the chain, show entries.
    #[command(subcommand)]
    Audit(cmd::audit::Command),
    /// Build the synthetic demo country into the database, print the demo
    /// users' credentials, and serve it.
    Demo(cmd::demo::Args),
    /// Import records from files: crossings.
    #[command(subcommand)]
    Import(cmd::import::Command),
    /// Border posts: add (prints the post's sync key), list, revoke a key.
    #[command(subcommand)]
    Posts(cmd::posts::Command),
    /// Create or upgrade the database schema (every command also does).
    Migrate,
    /// Trafficking cases: export them in the HTCDS 2.0 shapes (JSON, CSV).
    #[command(subcommand)]
    Cases(cmd::cases::Command),
    /// Supervisors' clearances of a traveller against a list entry: list,
    /// revoke (audited).
    #[command(subcommand)]
    Clearances(cmd::clearances::Command),
    /// Lookouts: urgent alerts on a person, document, vehicle or phone —
    /// issue, list, cancel, hits (audited).
    #[command(subcommand)]
    Lookouts(cmd::lookouts::Command),
    /// Connectors pulling alert lists from their sources (Interpol, UN,
    /// OpenSanctions, national lists): add, list, run, enable, disable.
    #[command(subcommand)]
    Connectors(cmd::connectors::Command),
    /// After-hours notifications of lookout hits (HTTPS webhook, e-mail),
    /// per post and role: add-webhook, add-email, list, enable, disable,
    /// remove, test.
    #[command(subcommand)]
    Notifications(cmd::notifications::Command),
    /// Remove what has outlived its retention period (never what a case
    /// holds); audited. `--dry-run` only counts.
    Purge(cmd::purge::Args),
    /// Serve the HTTP API and its docs (/api/docs) until Ctrl-C or SIGTERM.
    Serve(cmd::serve::Args),
    /// Intelligence: resolved persons, facilitators, rings, reused documents, shared contacts.
    #[command(subcommand)]
    Intel(cmd::intel::Command),
    /// Risk rules: list those in force, check a file, back-test it over the stored crossings.
    #[command(subcommand)]
    Rules(cmd::rules::Command),
    /// Statistics: the regional export (k-anonymous CSV tables and the report).
    #[command(subcommand)]
    Stats(cmd::stats::Command),
    /// Synchronise this border post with the centre (one push/pull cycle), or
    /// `sync status`: what is queued, sent, and the last error.
    Sync(cmd::sync::Args),
    /// Measuring harnesses for the benchmark scripts (JSON on stdout).
    #[command(subcommand)]
    Bench(cmd::bench::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let default_filter = match cli.global.verbose {
        0 if matches!(cli.command, Command::Demo(_)) => "warn",
        0 => "warn,centinela=info",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter.into()),
        )
        .init();
    let result = match cli.command {
        Command::Mrz(args) => cmd::mrz::run(args),
        Command::Chip(c) => cmd::chip::run(c, &cli.global),
        Command::Pki(c) => cmd::pki::run(c, &cli.global),
        Command::Connectors(c) => cmd::connectors::run(c, &cli.global),
        Command::Notifications(c) => cmd::notifications::run(c, &cli.global),
        Command::Passengers(c) => cmd::passengers::run(c, &cli.global),
        Command::Screen(args) => cmd::screen::run(args),
        Command::Lists(c) => cmd::lists::run(c, &cli.global),
        Command::Users(c) => cmd::users::run(c, &cli.global),
        Command::Audit(c) => cmd::audit::run(c, &cli.global),
        Command::Demo(args) => cmd::demo::run(args, &cli.global),
        Command::Import(c) => cmd::import::run(c, &cli.global),
        Command::Posts(c) => cmd::posts::run(c, &cli.global),
        Command::Migrate => cmd::migrate::run(&cli.global),
        Command::Serve(args) => cmd::serve::run(args, &cli.global),
        Command::Intel(c) => cmd::intel::run(c, &cli.global),
        Command::Bench(c) => cmd::bench::run(c, &cli.global),
        Command::Sync(args) => cmd::sync::run(args, &cli.global),
        Command::Rules(c) => cmd::rules::run(c, &cli.global),
        Command::Stats(c) => cmd::stats::run(c, &cli.global),
        Command::Cases(c) => cmd::cases::run(c, &cli.global),
        Command::Clearances(c) => cmd::clearances::run(c, &cli.global),
        Command::Lookouts(c) => cmd::lookouts::run(c, &cli.global),
        Command::Purge(a) => cmd::purge::run(a, &cli.global),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            let last_admin =
                |e: &(dyn std::error::Error + 'static)| matches!(e.downcast_ref(), Some(StoreError::LastAdmin));
            if err.chain().any(|e| e.is::<cmd::Unreadable>()) {
                ExitCode::from(2)
            } else if err.chain().any(last_admin) {
                // A change refused because no administrator would be left.
                ExitCode::from(3)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
