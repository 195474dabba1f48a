//! `centinela rules list|check|backtest|save|enable|disable`: risk rules.
//! The rules in force are the built-in catalogue (INDICATORS.md) with the
//! stored rules over it: a stored rule replaces the built-in one with its
//! id, and a stored rule may be disabled.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use centinela_app::App;
use centinela_app::rules::backtest_input;
use centinela_domain::Timestamp;
use centinela_rules::{RuleSet, RuleSource, backtest};

use crate::Global;
use crate::cmd::{Unreadable, open_store, runtime};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The rules in force, one per line: id, category, action, weight,
    /// enabled or disabled, version, origin (builtin or stored), name.
    List,
    /// Parse and type-check a rules file; on error print FILE:LINE:COLUMN: message and exit 1.
    Check {
        /// The rules file.
        file: String,
    },
    /// What the rules of FILE would have flagged over the stored crossings (JSON).
    Backtest {
        /// The rules file.
        file: String,
        /// First day counted (YYYY-MM-DD, UTC); earlier crossings still count as history.
        #[arg(long)]
        from: Option<String>,
        /// Last day counted (YYYY-MM-DD, UTC, inclusive).
        #[arg(long)]
        to: Option<String>,
    },
    /// Check the rules of FILE and store each as a new version (audited).
    Save {
        file: String,
        /// Store them disabled.
        #[arg(long)]
        disabled: bool,
        /// Who is saving, for the audit log.
        #[arg(long, default_value = "system")]
        actor: String,
    },
    /// Enable a stored rule (a new version, audited).
    Enable {
        id: String,
        #[arg(long, default_value = "system")]
        actor: String,
    },
    /// Disable a rule (a new version, audited); a built-in rule is stored first.
    Disable {
        id: String,
        #[arg(long, default_value = "system")]
        actor: String,
    },
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::List => list(global),
        Command::Check { file } => {
            let (text, set) = compile_file(&file)?;
            drop(text);
            println!("{file}: {} rules, no errors", set.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Backtest { file, from, to } => backtest_file(global, &file, from.as_deref(), to.as_deref()),
        Command::Save { file, disabled, actor } => save(global, &file, !disabled, &actor),
        Command::Enable { id, actor } => set_enabled(global, &id, true, &actor),
        Command::Disable { id, actor } => set_enabled(global, &id, false, &actor),
    }
}

/// Reads and compiles a rules file; every error is printed on stdout as
/// `FILE:LINE:COLUMN: message (hint)` and the command fails (exit 1).
fn compile_file(file: &str) -> anyhow::Result<(String, RuleSet)> {
    let text = std::fs::read_to_string(file).map_err(|e| Unreadable(format!("cannot read {file}: {e}")))?;
    match RuleSet::compile(&[RuleSource { origin: file, text: &text }]) {
        Ok(set) => Ok((text, set)),
        Err(errors) => {
            for e in &errors {
                println!("{file}:{e}");
            }
            anyhow::bail!("{file}: {} error(s)", errors.len())
        }
    }
}

fn list(global: &Global) -> anyhow::Result<ExitCode> {
    let set = runtime()?.block_on(async {
        let store = open_store(global).await?;
        let (_, set) = App::new(store).rules_in_force().await.context("reading the stored rules")?;
        anyhow::Ok(set)
    })?;
    for (i, m) in set.rules().enumerate() {
        println!(
            "{}\t{}\t{}\t{}\t{}\tv{}\t{}\t{}",
            m.id,
            m.category.as_str(),
            m.action.as_str(),
            m.weight,
            if m.enabled { "enabled" } else { "disabled" },
            m.version,
            set.origin(i),
            m.name
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn day(s: &str, flag: &str) -> anyhow::Result<Timestamp> {
    Ok(Timestamp::parse(&format!("{}T00:00:00Z", s.trim()))
        .map_err(|_| Unreadable(format!("{flag}: '{s}' is not a date (YYYY-MM-DD)")))?)
}

fn backtest_file(global: &Global, file: &str, from: Option<&str>, to: Option<&str>) -> anyhow::Result<ExitCode> {
    let from = from.map(|s| day(s, "--from")).transpose()?;
    let to = to
        .map(|s| day(s, "--to").and_then(|t| Ok(Timestamp::from_unix_seconds(t.unix_seconds() + 86_400)?)))
        .transpose()?;
    let (_, set) = compile_file(file)?;
    let data = runtime()?.block_on(async {
        let store = open_store(global).await?;
        let to_text = to.map(|t| t.to_string());
        store.backtest_data(to_text.as_deref()).await.context("reading crossings, hits, referrals and cases")
    })?;
    let started = Instant::now();
    let input = backtest_input(&data, from, to);
    let report = backtest(&set, &input);
    tracing::info!(crossings = report.crossings, seconds = started.elapsed().as_secs_f64(), "back-test done");
    let out = serde_json::json!({
        "file": file,
        "from": from.map(|t| t.date()),
        "to": to.map(|t| t.date()),
        "to_exclusive": true,
        "rules_count": set.len(),
        "report": report,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

fn save(global: &Global, file: &str, enabled: bool, actor: &str) -> anyhow::Result<ExitCode> {
    let (_, set) = compile_file(file)?;
    runtime()?.block_on(async {
        let store = open_store(global).await?;
        for m in set.rules() {
            let v = store.save_rule(actor, &m.id, &m.text, enabled && m.enabled).await?;
            println!("{}\tv{}\t{}", v.rule_id, v.version, if v.enabled { "enabled" } else { "disabled" });
        }
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn set_enabled(global: &Global, id: &str, enabled: bool, actor: &str) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open_store(global).await?;
        let v = App::new(store).set_rule_enabled(actor, id, enabled).await?;
        println!("{}\tv{}\t{}", v.rule_id, v.version, if v.enabled { "enabled" } else { "disabled" });
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
