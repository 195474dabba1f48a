use std::process::ExitCode;

use crate::Global;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// (being written)
    Import {},
}

pub fn run(_cmd: Command, _global: &Global) -> anyhow::Result<ExitCode> {
    anyhow::bail!("not implemented yet")
}
