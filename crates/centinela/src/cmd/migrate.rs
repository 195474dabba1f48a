//! `centinela migrate`: creates or upgrades the database schema (the
//! migrations embedded in the binary; every command runs them too).

use std::process::ExitCode;

use crate::Global;
use crate::cmd::{open_store, runtime};

pub fn run(global: &Global) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open_store(global).await?;
        let backend = store.backend();
        store.close().await;
        println!("database {} is up to date ({backend:?})", centinela_store::redact(&global.db));
        Ok(ExitCode::SUCCESS)
    })
}
