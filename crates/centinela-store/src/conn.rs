//! Connections taken out of the pool for long-lived tasks (the inspection
//! writer, the history reader, a list import), and running the same code
//! on whichever backend one holds.

use crate::{Store, StoreError};

/// A connection taken out of the pool for one long-lived task: the
/// inspection writer, the history reader.
pub(crate) enum OwnConn {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

/// Runs the same code on whichever connection a [`OwnConn`] holds.
macro_rules! on_own {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            OwnConn::Sqlite($c) => $body,
            OwnConn::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_own;

impl Store {
    /// A connection of its own for a writer that stores many batches: its
    /// page cache stays warm between batches, and on SQLite it does not
    /// checkpoint the log inside its commits ([`Store::checkpoint`] does,
    /// off the writer's path).
    pub(crate) async fn writer_connection(&self) -> Result<OwnConn, StoreError> {
        self.own_connection("PRAGMA wal_autocheckpoint = 0").await
    }

    /// A connection taken out of the pool for one long-lived task, with a
    /// SQLite pragma run on it first.
    pub(crate) async fn own_connection(&self, sqlite_pragma: &'static str) -> Result<OwnConn, StoreError> {
        Ok(match &self.pool {
            crate::Pool::Sqlite(p) => {
                let mut c = p.acquire().await?.detach();
                sqlx::query(sqlite_pragma).execute(&mut c).await?;
                OwnConn::Sqlite(c)
            }
            crate::Pool::Postgres(p) => OwnConn::Postgres(p.acquire().await?.detach()),
        })
    }
}
