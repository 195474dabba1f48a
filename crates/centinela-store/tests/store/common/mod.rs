//! Shared by the store's test binaries: a fresh store per backend, SQLite
//! always (in a temp dir), PostgreSQL when `CENTINELA_TEST_PG` holds a URL
//! (each call gets a new database; `scripts/pg-test-server` starts a server).

use std::sync::atomic::{AtomicU32, Ordering};

use centinela_store::{Backend, Store};

/// A fresh store per backend available: SQLite always, PostgreSQL if asked.
pub async fn stores() -> Vec<(Store, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let mut out = vec![(Store::connect(path.to_str().unwrap()).await.unwrap(), Some(dir))];
    match std::env::var("CENTINELA_TEST_PG") {
        Ok(url) if !url.is_empty() => out.push((fresh_pg(&url).await, None)),
        _ => {
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| eprintln!("CENTINELA_TEST_PG not set: PostgreSQL store tests skipped"));
        }
    }
    out
}

async fn fresh_pg(url: &str) -> Store {
    use sqlx::Connection;
    static N: AtomicU32 = AtomicU32::new(0);
    let name =
        format!("centinela_{}_{}_{}", env!("CARGO_CRATE_NAME"), std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let mut admin = sqlx::PgConnection::connect(url).await.expect("CENTINELA_TEST_PG: cannot connect");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name}"))).execute(&mut admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let store = Store::connect(&format!("{base}/{name}")).await.unwrap();
    assert_eq!(store.backend(), Backend::Postgres);
    store
}

/// Runs SQL on the store's database directly, past the store's API: to
/// tamper as an attacker with database access would, or to check what a
/// trigger refuses.
#[allow(dead_code)]
pub async fn raw(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match store.backend() {
        Backend::Sqlite => sqlx::raw_sql(sql).execute(store.sqlite().unwrap()).await.map(drop),
        Backend::Postgres => sqlx::raw_sql(sql).execute(store.postgres().unwrap()).await.map(drop),
    }
}
