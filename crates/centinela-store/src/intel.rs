//! Analysts' identity-resolution decisions (migration 0010): a merge ("these
//! two crossings are one person") or a split ("these two crossings are not
//! one person"), append-only, each with its audit entry (`intel_merge`,
//! `intel_split`, `intel_withdraw`; subject `override:ID`; detail the
//! crossing ids) in the same transaction. Withdrawing a decision is a new
//! row. [`Store::intel_stamp`] tells a cache whether anything an analysis
//! reads has changed.

use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Store, StoreError, now_rfc3339, on_pool};

/// Merge or split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OverrideKind {
    /// The two crossings are the same person.
    Merge,
    /// The two crossings are not the same person.
    Split,
}

impl OverrideKind {
    pub fn as_str(self) -> &'static str {
        match self {
            OverrideKind::Merge => "merge",
            OverrideKind::Split => "split",
        }
    }
}

/// An analyst's decision in force.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredOverride {
    pub id: i64,
    pub kind: OverrideKind,
    pub crossing_a: String,
    pub crossing_b: String,
    pub reason: String,
    /// Who made it (username).
    pub actor: String,
    pub created_at: String,
}

/// The longest reason kept.
pub const MAX_REASON_CHARS: usize = 2_000;

/// What an analysis depends on: crossings (count and newest row) and the
/// analysts' decisions (newest row). Equal stamps, equal inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct IntelStamp {
    pub crossings: i64,
    pub last_crossing: i64,
    pub last_override: i64,
    /// The latest booking version and how many are kept (air passenger
    /// data enters the analysis; masking and deletion change the count).
    pub last_booking: i64,
    pub bookings: i64,
}

impl Store {
    /// Records an analyst's merge or split of two stored crossings (both
    /// must exist: [`StoreError::NotFound`]; the same crossing twice, or an
    /// over-long reason: [`StoreError::Conflict`]) with its audit entry.
    pub async fn add_intel_override(
        &self,
        actor: &str,
        kind: OverrideKind,
        crossing_a: &str,
        crossing_b: &str,
        reason: &str,
    ) -> Result<StoredOverride, StoreError> {
        if crossing_a == crossing_b {
            return Err(StoreError::Invalid("a decision needs two different crossings".into()));
        }
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(StoreError::Invalid(format!("the reason is longer than {MAX_REASON_CHARS} characters")));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            for id in [crossing_a, crossing_b] {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM crossings WHERE crossing_id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("crossing {id}")));
                }
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO intel_overrides (kind, crossing_a, crossing_b, reason, withdraws, actor, created_at) \
                 VALUES ($1, $2, $3, $4, NULL, $5, $6) RETURNING id",
            )
            .bind(kind.as_str())
            .bind(crossing_a)
            .bind(crossing_b)
            .bind(reason)
            .bind(actor)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let detail = serde_json::json!({ "crossing_a": crossing_a, "crossing_b": crossing_b }).to_string();
            append_in_tx!(tx, self, actor, format!("intel_{}", kind.as_str()), format!("override:{id}"), &detail)
                .await?;
            tx.commit().await?;
            Ok(StoredOverride {
                id,
                kind,
                crossing_a: crossing_a.to_string(),
                crossing_b: crossing_b.to_string(),
                reason: reason.to_string(),
                actor: actor.to_string(),
                created_at: now,
            })
        })
    }

    /// Withdraws a decision in force (a new row), with its audit entry.
    /// [`StoreError::NotFound`] when no decision in force has this id.
    pub async fn withdraw_intel_override(&self, actor: &str, id: i64, reason: &str) -> Result<(), StoreError> {
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(StoreError::Invalid(format!("the reason is longer than {MAX_REASON_CHARS} characters")));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let live: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM intel_overrides o WHERE o.id = $1 AND o.kind <> 'withdraw' \
                 AND NOT EXISTS (SELECT 1 FROM intel_overrides w WHERE w.withdraws = o.id)",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if live == 0 {
                return Err(StoreError::NotFound(format!("decision {id}")));
            }
            sqlx::query(
                "INSERT INTO intel_overrides (kind, crossing_a, crossing_b, reason, withdraws, actor, created_at) \
                 VALUES ('withdraw', '', '', $1, $2, $3, $4)",
            )
            .bind(reason)
            .bind(id)
            .bind(actor)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
            append_in_tx!(tx, self, actor, "intel_withdraw", format!("override:{id}"), "{}").await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The decisions in force (not withdrawn), oldest first.
    pub async fn intel_overrides(&self) -> Result<Vec<StoredOverride>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT id, kind, crossing_a, crossing_b, reason, actor, created_at FROM intel_overrides o \
                 WHERE o.kind <> 'withdraw' \
                 AND NOT EXISTS (SELECT 1 FROM intel_overrides w WHERE w.withdraws = o.id) ORDER BY o.id",
            )
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|row| {
                    let kind: String = row.try_get("kind")?;
                    let kind = match kind.as_str() {
                        "merge" => OverrideKind::Merge,
                        "split" => OverrideKind::Split,
                        other => return Err(StoreError::Corrupt(format!("intel_overrides.kind '{other}'"))),
                    };
                    Ok(StoredOverride {
                        id: row.try_get("id")?,
                        kind,
                        crossing_a: row.try_get("crossing_a")?,
                        crossing_b: row.try_get("crossing_b")?,
                        reason: row.try_get("reason")?,
                        actor: row.try_get("actor")?,
                        created_at: row.try_get("created_at")?,
                    })
                })
                .collect()
        })
    }

    /// What an analysis depends on, in three cheap aggregates.
    pub async fn intel_stamp(&self) -> Result<IntelStamp, StoreError> {
        on_pool!(self, p => {
            let (crossings, last_crossing): (i64, Option<i64>) =
                sqlx::query_as("SELECT COUNT(*), MAX(id) FROM crossings").fetch_one(p).await?;
            let last_override: Option<i64> =
                sqlx::query_scalar("SELECT MAX(id) FROM intel_overrides").fetch_one(p).await?;
            let (bookings, last_booking): (i64, Option<i64>) =
                sqlx::query_as("SELECT COUNT(*) - COUNT(masked_at), MAX(id) FROM bookings").fetch_one(p).await?;
            Ok(IntelStamp {
                last_booking: last_booking.unwrap_or(0),
                bookings,
                crossings,
                last_crossing: last_crossing.unwrap_or(0),
                last_override: last_override.unwrap_or(0),
            })
        })
    }
}

impl Store {
    /// The stored crossings with these ids (unknown ids skipped), oldest
    /// first.
    pub async fn crossings_by_ids(&self, ids: &[String]) -> Result<Vec<crate::StoredCrossing>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT {} FROM crossings WHERE crossing_id IN {}",
                crate::crossings::CROSSING_COLS,
                crate::multirow::values(self.backend(), 1, chunk.len())
            ));
            on_pool!(self, p => {
                let mut q = sqlx::query(sql);
                for id in chunk {
                    q = q.bind(id);
                }
                for row in q.fetch_all(p).await? {
                    out.push(crate::crossings::crossing_from(&row)?);
                }
            });
        }
        out.sort_by(|a, b| {
            (a.record.crossed_at.unix_seconds(), &a.record.crossing_id)
                .cmp(&(b.record.crossed_at.unix_seconds(), &b.record.crossing_id))
        });
        Ok(out)
    }
}
