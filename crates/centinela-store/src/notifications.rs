//! After-hours notification targets (migration 0025): a webhook or an
//! e-mail told of the lookout hits at a post. The store keeps the
//! configuration and each target's last outcome; the sending is the app's
//! (`centinela-app`'s `notifications`), the audit the app's too.

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError, now_rfc3339, on_pool};

/// The most notification targets an installation keeps.
pub const MAX_NOTIFICATION_TARGETS: i64 = 200;

/// A notification target as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationTarget {
    pub id: i64,
    /// The post whose hits it is told of ('' every post).
    pub post: String,
    /// The role it stands for (`supervisor`, `analyst`, `protection` …).
    pub role: String,
    /// `webhook` or `email`.
    pub kind: String,
    /// The webhook's URL, or the e-mail's recipient.
    pub address: String,
    /// E-mail: the SMTP relay's URL.
    pub relay: String,
    /// E-mail: the sender's address.
    pub sender: String,
    /// Where the secret is read (`file:/path`), never the secret.
    pub secret: String,
    pub enabled: bool,
    pub created_by: String,
    pub created_at: String,
    pub last_sent_at: Option<String>,
    pub last_error: String,
}

/// A target to add (checked by the caller).
#[derive(Debug, Clone)]
pub struct NewNotificationTarget<'a> {
    pub post: &'a str,
    pub role: &'a str,
    pub kind: &'a str,
    pub address: &'a str,
    pub relay: &'a str,
    pub sender: &'a str,
    pub secret: &'a str,
    pub created_by: &'a str,
}

const COLUMNS: &str = "id, post, role, kind, address, relay, sender, secret, enabled, created_by, created_at, \
    last_sent_at, last_error";

fn row_of<R: Row>(r: &R) -> Result<NotificationTarget, sqlx::Error>
where
    usize: sqlx::ColumnIndex<R>,
    for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> i64: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
    for<'a> bool: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
{
    Ok(NotificationTarget {
        id: r.try_get(0)?,
        post: r.try_get(1)?,
        role: r.try_get(2)?,
        kind: r.try_get(3)?,
        address: r.try_get(4)?,
        relay: r.try_get(5)?,
        sender: r.try_get(6)?,
        secret: r.try_get(7)?,
        enabled: r.try_get(8)?,
        created_by: r.try_get(9)?,
        created_at: r.try_get(10)?,
        last_sent_at: r.try_get(11)?,
        last_error: r.try_get(12)?,
    })
}

impl Store {
    /// Adds a target; `Conflict` past [`MAX_NOTIFICATION_TARGETS`].
    pub async fn add_notification_target(
        &self,
        t: &NewNotificationTarget<'_>,
    ) -> Result<NotificationTarget, StoreError> {
        let now = now_rfc3339();
        let sql = sqlx::AssertSqlSafe(format!(
            "INSERT INTO notification_targets (post, role, kind, address, relay, sender, secret, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
        ));
        on_pool!(self, p => {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notification_targets").fetch_one(p).await?;
            if n >= MAX_NOTIFICATION_TARGETS {
                return Err(StoreError::Conflict(format!("at most {MAX_NOTIFICATION_TARGETS} notification targets")));
            }
            let row = sqlx::query(sql)
                .bind(t.post)
                .bind(t.role)
                .bind(t.kind)
                .bind(t.address)
                .bind(t.relay)
                .bind(t.sender)
                .bind(t.secret)
                .bind(t.created_by)
                .bind(&now)
                .fetch_one(p)
                .await?;
            Ok(row_of(&row)?)
        })
    }

    /// Every target, by id.
    pub async fn notification_targets(&self) -> Result<Vec<NotificationTarget>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM notification_targets ORDER BY id"));
        on_pool!(self, p => {
            let rows = sqlx::query(sql).fetch_all(p).await?;
            Ok(rows.iter().map(row_of).collect::<Result<_, _>>()?)
        })
    }

    /// The enabled targets told of a hit at `post`.
    pub async fn notification_targets_for(&self, post: &str) -> Result<Vec<NotificationTarget>, StoreError> {
        Ok(self
            .notification_targets()
            .await?
            .into_iter()
            .filter(|t| t.enabled && (t.post.is_empty() || t.post == post))
            .collect())
    }

    /// Enables or disables a target; `NotFound` when there is none.
    pub async fn set_notification_target_enabled(&self, id: i64, enabled: bool) -> Result<(), StoreError> {
        let n = on_pool!(self, p => sqlx::query("UPDATE notification_targets SET enabled = $1 WHERE id = $2")
            .bind(enabled).bind(id).execute(p).await?.rows_affected());
        if n == 0 { Err(StoreError::NotFound(format!("notification target {id}"))) } else { Ok(()) }
    }

    /// Removes a target; `NotFound` when there is none.
    pub async fn remove_notification_target(&self, id: i64) -> Result<(), StoreError> {
        let n = on_pool!(self, p => sqlx::query("DELETE FROM notification_targets WHERE id = $1")
            .bind(id).execute(p).await?.rows_affected());
        if n == 0 { Err(StoreError::NotFound(format!("notification target {id}"))) } else { Ok(()) }
    }

    /// Records a sending's outcome (`error` empty: sent).
    pub async fn record_notification(&self, id: i64, at: &str, error: &str) -> Result<(), StoreError> {
        on_pool!(self, p => {
            sqlx::query(
                "UPDATE notification_targets SET last_error = $1, \
                 last_sent_at = CASE WHEN $1 = '' THEN $2 ELSE last_sent_at END WHERE id = $3",
            )
            .bind(error)
            .bind(at)
            .bind(id)
            .execute(p)
            .await?;
        });
        Ok(())
    }
}
