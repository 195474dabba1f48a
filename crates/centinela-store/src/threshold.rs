//! What a threshold back-test reads (issue 19, part 5): one post's stored
//! crossings over a window, and the person hits supervisors confirmed
//! there, so that the screening threshold's cost (alerts per day) and
//! benefit (confirmed hits kept) can be weighed for candidate thresholds.

use sqlx::AssertSqlSafe;

use crate::crossings::{CROSSING_COLS, crossing_from};
use crate::{Store, StoreError, StoredCrossing, on_pool};

/// A person hit whose adjudication in force is `confirmed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmedHit {
    pub crossing_id: String,
    pub list_name: String,
    pub entry_id: String,
}

impl Store {
    /// The crossings registered at `post` with `crossed_at` in `[from, to)`
    /// (RFC 3339 text, either bound optional), oldest first, at most
    /// `limit`.
    pub async fn post_crossings_between(
        &self,
        post: &str,
        from: Option<&str>,
        to: Option<&str>,
        limit: u64,
    ) -> Result<Vec<StoredCrossing>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let sql = AssertSqlSafe(format!(
            "SELECT {CROSSING_COLS} FROM crossings WHERE post = $1 AND crossed_at >= $2 AND crossed_at < $3 \
             ORDER BY crossed_at, crossing_id LIMIT $4"
        ));
        on_pool!(self, p => {
            let rows = sqlx::query(sql)
                .bind(post)
                .bind(from.unwrap_or(""))
                .bind(to.unwrap_or("\u{10FFFF}"))
                .bind(limit)
                .fetch_all(p)
                .await?;
            rows.iter().map(crossing_from).collect()
        })
    }

    /// The person hits at `post` over `[from, to)` whose adjudication in
    /// force (the latest by time, then origin) is `confirmed`.
    pub async fn confirmed_person_hits(
        &self,
        post: &str,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Vec<ConfirmedHit>, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT h.crossing_id, h.list_name, h.entry_id FROM hits h \
                 JOIN crossings c ON c.crossing_id = h.crossing_id \
                 WHERE c.post = $1 AND c.crossed_at >= $2 AND c.crossed_at < $3 AND h.kind = 'person' \
                 AND (SELECT a.decision FROM adjudications a WHERE a.hit_id = h.id \
                      ORDER BY a.at DESC, a.origin DESC, a.id DESC LIMIT 1) = 'confirmed' \
                 ORDER BY h.id",
            )
            .bind(post)
            .bind(from.unwrap_or(""))
            .bind(to.unwrap_or("\u{10FFFF}"))
            .fetch_all(p)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(crossing_id, list_name, entry_id)| ConfirmedHit { crossing_id, list_name, entry_id })
            .collect())
    }
}
