//! One module per subcommand. Each turns its arguments into library calls and
//! prints results; none holds domain logic.

pub mod alert_burden;
pub mod audit;
pub mod audit_key;
pub mod bench;
pub mod cases;
pub mod chip;
pub mod clearances;
pub mod connectors;
pub mod demo;
pub mod import;
pub mod intel;
pub mod lists;
pub mod lookouts;
pub mod migrate;
pub mod mrz;
pub mod notifications;
pub mod passengers;
pub mod pki;
pub mod posts;
pub mod purge;
pub mod rules;
pub mod screen;
pub mod serve;
pub mod stats;
pub mod sync;
pub mod threshold;
pub mod users;

/// The input could not be read or is unusable as a whole: exit status 2.
/// (An input that was read but on which the command failed exits with 1;
/// an account change that would leave no active administrator, with 3.)
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);

/// Opens (and migrates) the database the global `--db` names, sealing its
/// audit log with the audit key (see [`audit_key`]).
pub async fn open_store(global: &crate::Global) -> anyhow::Result<centinela_store::Store> {
    use anyhow::Context;
    let store = centinela_store::Store::connect(&global.db)
        .await
        .with_context(|| format!("opening database {}", centinela_store::redact(&global.db)))?;
    let key = audit_key::resolve(&global.db, global.audit_key_file.as_deref(), &store).await?;
    store.with_audit_key(key).await.context("sealing the audit log")
}

/// A progress bar over `len` bytes read, drawn only on a terminal.
pub fn progress_bar(len: u64) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} reading {bytes}/{total_bytes} [{bar:30}] {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// A current-thread tokio runtime for one command.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    use anyhow::Context;
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")
}
