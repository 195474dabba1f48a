//! Connectors' configuration and their last run (migration 0020), and the
//! lists' freshness (`alert_lists.refreshed_at`, `max_age_hours`). What a
//! connector does is the app's (`centinela_app::connectors`); the store
//! keeps what it is told. A credential is stored as where to read it
//! (`env:NAME`, `file:/path`), never as the secret.

use sqlx::Row;

use crate::{Store, StoreError, now_rfc3339, on_pool};

/// A connector to add.
#[derive(Debug, Clone)]
pub struct NewConnector<'a> {
    /// 1–64 of `A-Z a-z 0-9 - _ .`, unique.
    pub name: &'a str,
    /// `interpol-red`, `interpol-yellow`, `un-sc`, `opensanctions`,
    /// `national-csv`, `national-dir`, or a kind a country registered.
    pub kind: &'a str,
    /// The source's URL, or the directory for `national-dir`.
    pub base_url: &'a str,
    pub list_name: &'a str,
    /// `wanted`, `missing`, `documents` or `watch`.
    pub list_kind: &'a str,
    pub schedule_minutes: i64,
    pub max_age_hours: i64,
    /// `env:NAME`, `file:/path` or empty.
    pub credential: &'a str,
}

/// A connector as stored, with its last run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectorRow {
    pub name: String,
    pub kind: String,
    pub base_url: String,
    pub list_name: String,
    pub list_kind: String,
    pub schedule_minutes: i64,
    pub max_age_hours: i64,
    pub credential: String,
    pub enabled: bool,
    /// The connector's own JSON between runs (ETag, Last-Modified …).
    pub state: String,
    pub last_run_at: Option<String>,
    /// `imported`, `unchanged`, `not_modified` or `failed`.
    pub last_outcome: Option<String>,
    pub last_message: String,
    pub last_success_at: Option<String>,
    pub created_at: String,
}

/// What a run left, for [`Store::record_connector_run`].
#[derive(Debug, Clone)]
pub struct ConnectorRun<'a> {
    pub at: &'a str,
    pub outcome: &'a str,
    /// Counts and codes only: never a name or a number from the list.
    pub message: &'a str,
    /// The new state; `None` keeps the stored one (a failed run).
    pub state: Option<&'a str>,
}

const COLUMNS: &str = "name, kind, base_url, list_name, list_kind, schedule_minutes, max_age_hours, credential, \
     enabled, state, last_run_at, last_outcome, last_message, last_success_at, created_at";

fn row_of<R: Row>(r: &R) -> Result<ConnectorRow, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ConnectorRow {
        name: r.try_get(0)?,
        kind: r.try_get(1)?,
        base_url: r.try_get(2)?,
        list_name: r.try_get(3)?,
        list_kind: r.try_get(4)?,
        schedule_minutes: r.try_get(5)?,
        max_age_hours: r.try_get(6)?,
        credential: r.try_get(7)?,
        enabled: r.try_get(8)?,
        state: r.try_get(9)?,
        last_run_at: r.try_get(10)?,
        last_outcome: r.try_get(11)?,
        last_message: r.try_get(12)?,
        last_success_at: r.try_get(13)?,
        created_at: r.try_get(14)?,
    })
}

impl Store {
    /// Adds a connector; `Conflict` when its name is taken.
    pub async fn add_connector(&self, c: &NewConnector<'_>) -> Result<ConnectorRow, StoreError> {
        if self.connector(c.name).await?.is_some() {
            return Err(StoreError::Conflict(format!("a connector named '{}' exists", c.name)));
        }
        let now = now_rfc3339();
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO connectors (name, kind, base_url, list_name, list_kind, schedule_minutes, \
                 max_age_hours, credential, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(c.name)
            .bind(c.kind)
            .bind(c.base_url)
            .bind(c.list_name)
            .bind(c.list_kind)
            .bind(c.schedule_minutes)
            .bind(c.max_age_hours)
            .bind(c.credential)
            .bind(&now)
            .execute(p)
            .await?;
        });
        self.connector(c.name).await?.ok_or_else(|| StoreError::Internal("a connector added is not found".into()))
    }

    /// Every connector, by name.
    pub async fn connectors(&self) -> Result<Vec<ConnectorRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM connectors ORDER BY name"));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).fetch_all(p).await?;
            Ok(rows.iter().map(row_of).collect::<Result<_, _>>()?)
        })
    }

    pub async fn connector(&self, name: &str) -> Result<Option<ConnectorRow>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM connectors WHERE name = $1"));
        on_pool!(self, p => {
            let row = sqlx::query(sql).bind(name).fetch_optional(p).await?;
            Ok(row.as_ref().map(row_of).transpose()?)
        })
    }

    /// Enables or disables a connector; `NotFound` when there is none of
    /// this name.
    pub async fn set_connector_enabled(&self, name: &str, enabled: bool) -> Result<(), StoreError> {
        let now = now_rfc3339();
        let n = on_pool!(self, p => sqlx::query("UPDATE connectors SET enabled = $1, updated_at = $2 WHERE name = $3")
            .bind(enabled).bind(&now).bind(name).execute(p).await?.rows_affected());
        if n == 0 { Err(StoreError::NotFound(format!("connector '{name}'"))) } else { Ok(()) }
    }

    /// Records a run's outcome (and, unless it failed, its new state and
    /// success time).
    pub async fn record_connector_run(&self, name: &str, run: &ConnectorRun<'_>) -> Result<(), StoreError> {
        let ok = run.outcome != "failed";
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE connectors SET last_run_at = $1, last_outcome = $2, last_message = $3, \
                 state = COALESCE($4, state), last_success_at = CASE WHEN $5 THEN $1 ELSE last_success_at END \
                 WHERE name = $6",
            )
            .bind(run.at)
            .bind(run.outcome)
            .bind(run.message)
            .bind(run.state)
            .bind(ok)
            .bind(name)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Marks a list confirmed against its source at `at` (a pull that found
    /// it unchanged), and sets its expected age when given. Nothing when
    /// the list does not exist yet.
    pub async fn mark_list_refreshed(
        &self,
        list: &str,
        at: Option<&str>,
        max_age_hours: Option<i64>,
    ) -> Result<(), StoreError> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE alert_lists SET refreshed_at = COALESCE($1, refreshed_at), \
                 max_age_hours = COALESCE($2, max_age_hours) WHERE name = $3",
            )
            .bind(at)
            .bind(max_age_hours)
            .bind(list)
            .execute(p)
            .await?;
        });
        Ok(())
    }
}
