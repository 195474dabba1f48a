//! Login sessions of the HTTP server, and the few look-ups the server needs
//! around them (a user by id or name, a page of the audit log, a ping).
//!
//! A session is a random bearer token held by the client; only its SHA-256
//! is stored (`sessions.token_hash`), so a copy of the database lets no one
//! log in. Expiry is Unix seconds, checked on every lookup; a disabled
//! user's sessions stop working at once. `last_seen_at` is the last use the
//! server recorded, for its idle timeout.

use sqlx::Row;

use crate::users::{USER_COLUMNS, user_from};
use crate::{Store, StoreError, User, hex, now_rfc3339, on_pool, unix_now};

/// A live session and the user it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionUser {
    pub session_id: i64,
    /// Unix seconds (UTC).
    pub expires_at: i64,
    /// Unix seconds of the last use the server recorded (at most once a
    /// minute: [`Store::touch_session`]).
    pub last_seen_at: i64,
    pub user: User,
}

/// One audit entry as stored, for display (hashes as lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Which audit entries to read, newest first: each filter narrows; `None`
/// (or empty) lets everything through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditSearch {
    /// The actor exactly (`user:7`, `cli`, `system`, `post:GTM-X`).
    pub actor: Option<String>,
    /// Another name of the same actor (the username a user's adjudications
    /// and decisions are recorded under).
    pub actor_alias: Option<String>,
    /// The action code exactly.
    pub action: Option<String>,
    /// The subject, or the start of it (`crossing:` for every crossing).
    pub subject: Option<String>,
    /// Entries at or after this RFC 3339 UTC time.
    pub from: Option<String>,
    /// Entries before this RFC 3339 UTC time.
    pub to: Option<String>,
    /// Entries before this sequence number (the next page).
    pub before: Option<i64>,
}

impl Store {
    /// At most `limit` audit entries matching `q`, newest first. The
    /// subject matches by its start; the times compare as stored (RFC 3339
    /// UTC with seconds). Only the filters given go into the statement, so
    /// the indexes by actor and by action serve them.
    pub async fn audit_search(&self, q: &AuditSearch, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
        let some = |s: &Option<String>| s.as_deref().filter(|s| !s.is_empty()).map(str::to_owned);
        // (condition with `?` for its values, the values): fixed text, the
        // values bound.
        let mut conds: Vec<(&str, Vec<String>)> = Vec::new();
        match (some(&q.actor), some(&q.actor_alias)) {
            (Some(a), Some(b)) => conds.push(("actor IN (?, ?)", vec![a, b])),
            (Some(a), None) | (None, Some(a)) => conds.push(("actor = ?", vec![a])),
            (None, None) => {}
        }
        if let Some(a) = some(&q.action) {
            conds.push(("action = ?", vec![a]));
        }
        if let Some(s) = some(&q.subject) {
            conds.push(("substr(subject, 1, length(?)) = ?", vec![s.clone(), s]));
        }
        if let Some(f) = some(&q.from) {
            conds.push(("at >= ?", vec![f]));
        }
        if let Some(t) = some(&q.to) {
            conds.push(("at < ?", vec![t]));
        }
        let mut n = 0;
        let mut sql =
            String::from("SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log WHERE seq < ");
        let mut next = |sql: &mut String| {
            n += 1;
            sql.push_str(&format!("${n}"));
        };
        next(&mut sql);
        for (cond, _) in &conds {
            sql.push_str(" AND ");
            for (i, part) in cond.split('?').enumerate() {
                if i > 0 {
                    next(&mut sql);
                }
                sql.push_str(part);
            }
        }
        sql.push_str(" ORDER BY seq DESC LIMIT ");
        next(&mut sql);
        let values: Vec<String> = conds.into_iter().flat_map(|(_, v)| v).collect();
        let before = q.before.unwrap_or(i64::MAX);
        on_pool!(self, p => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(before);
            for v in &values {
                query = query.bind(v.as_str());
            }
            let rows = query.bind(i64::from(limit)).fetch_all(p).await?;
            rows.iter().map(audit_row).collect()
        })
    }

    /// Stores a new session for `user_id` under the SHA-256 of its token;
    /// returns the session's id.
    pub async fn create_session(
        &self,
        user_id: i64,
        token_hash: &[u8; 32],
        expires_at: i64,
    ) -> Result<i64, StoreError> {
        let now = now_rfc3339();
        let seen = unix_now();
        on_pool!(self, p => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(&token_hash[..])
            .bind(user_id)
            .bind(&now)
            .bind(expires_at)
            .bind(seen)
            .fetch_one(p)
            .await?;
            Ok(id)
        })
    }

    /// The session whose token hashes to `token_hash`, if it has not
    /// expired at `now` (Unix seconds) and its user is not disabled.
    pub async fn session_user(&self, token_hash: &[u8; 32], now: i64) -> Result<Option<SessionUser>, StoreError> {
        let sql = "SELECT s.id AS session_id, s.expires_at, s.last_seen_at, u.id, u.username, u.role, u.post_code, \
                   u.created_at, u.disabled, u.must_change_password FROM sessions s JOIN users u ON u.id = s.user_id \
                   WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = FALSE";
        on_pool!(self, p => {
            match sqlx::query(sql).bind(&token_hash[..]).bind(now).fetch_optional(p).await? {
                None => Ok(None),
                Some(row) => Ok(Some(SessionUser {
                    session_id: row.try_get("session_id")?,
                    expires_at: row.try_get("expires_at")?,
                    last_seen_at: row.try_get("last_seen_at")?,
                    user: user_from(&row)?,
                })),
            }
        })
    }

    /// Ends the session whose token hashes to `token_hash`: its id, if
    /// there was one.
    pub async fn delete_session(&self, token_hash: &[u8; 32]) -> Result<Option<i64>, StoreError> {
        on_pool!(self, p => {
            let id: Option<i64> = sqlx::query_scalar("DELETE FROM sessions WHERE token_hash = $1 RETURNING id")
                .bind(&token_hash[..])
                .fetch_optional(p)
                .await?;
            Ok(id)
        })
    }

    /// Records that a session was used at `now` (Unix seconds). The server
    /// calls it at most once a minute per session.
    pub async fn touch_session(&self, session_id: i64, now: i64) -> Result<(), StoreError> {
        on_pool!(self, p => {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1")
                .bind(now)
                .bind(session_id)
                .execute(p)
                .await?;
            Ok(())
        })
    }

    /// Removes the sessions unused since before `cutoff` (Unix seconds):
    /// the idle ones; how many.
    pub async fn delete_idle_sessions(&self, cutoff: i64) -> Result<u64, StoreError> {
        on_pool!(self, p => {
            let r = sqlx::query("DELETE FROM sessions WHERE last_seen_at < $1").bind(cutoff).execute(p).await?;
            Ok(r.rows_affected())
        })
    }

    /// Ends every session of a user; how many there were.
    pub async fn delete_user_sessions(&self, user_id: i64) -> Result<u64, StoreError> {
        on_pool!(self, p => {
            let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(p).await?;
            Ok(r.rows_affected())
        })
    }

    /// Removes the sessions expired at `now` (Unix seconds); how many.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64, StoreError> {
        on_pool!(self, p => {
            let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(p).await?;
            Ok(r.rows_affected())
        })
    }

    /// The user with this id, disabled or not.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
        on_pool!(self, p => {
            match sqlx::query(sql).bind(id).fetch_optional(p).await? {
                Some(row) => Ok(Some(user_from(&row)?)),
                None => Ok(None),
            }
        })
    }

    /// The user with this username, disabled or not.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"));
        on_pool!(self, p => {
            match sqlx::query(sql).bind(username).fetch_optional(p).await? {
                Some(row) => Ok(Some(user_from(&row)?)),
                None => Ok(None),
            }
        })
    }

    /// Up to `limit` audit entries with `seq > after`, in sequence order, as
    /// stored (not verified: `audit_verify` does that).
    pub async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
        let sql = "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log \
                   WHERE seq > $1 ORDER BY seq LIMIT $2";
        on_pool!(self, p => {
            let rows = sqlx::query(sql).bind(after).bind(i64::from(limit)).fetch_all(p).await?;
            rows.iter().map(audit_row).collect()
        })
    }

    /// One round trip to the database: `Ok` when it answers.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(self, p => {
            let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(p).await?;
            debug_assert_eq!(one, 1);
            Ok(())
        })
    }
}

fn audit_row<R: Row>(row: &R) -> Result<AuditRow, StoreError>
where
    for<'r> &'r str: sqlx::ColumnIndex<R>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(AuditRow {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        subject: row.try_get("subject")?,
        detail: row.try_get("detail")?,
        prev_hash: hex(&row.try_get::<Vec<u8>, _>("prev_hash")?),
        hash: hex(&row.try_get::<Vec<u8>, _>("hash")?),
    })
}
