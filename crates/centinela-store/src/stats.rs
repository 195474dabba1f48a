//! Aggregates for the statistics dashboard: crossings by post and by day,
//! hits raised, confirmed and dismissed, referrals by unit; victims
//! identified and assisted, prosecutions and repatriations from the
//! trafficking cases. Counts only — no personal data leaves these queries.
//! The same SQL on both backends (`substr` of the RFC 3339 UTC text gives
//! the day); case records (JSON text) are read whole and counted in Rust
//! by `CaseRecord::outcomes`.

use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::{Store, StoreError, on_pool};

/// Which crossings count: `crossed_at` in `[from, to)` (RFC 3339 UTC text or
/// a `YYYY-MM-DD` day; empty for no bound), at `post` (empty for every post).
#[derive(Debug, Clone, Copy, Default)]
pub struct StatsFilter<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub post: &'a str,
}

/// The dashboard's figures for one filter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// (post code, crossings), most crossings first.
    pub crossings_by_post: Vec<(String, i64)>,
    /// (day `YYYY-MM-DD`, crossings), oldest first; days without crossings
    /// are absent.
    pub crossings_by_day: Vec<(String, i64)>,
    /// (day, entries, exits), oldest first.
    pub directions_by_day: Vec<(String, i64, i64)>,
    /// Hits raised on crossings of the filter.
    pub hits: HitCounts,
    /// (day, hits raised), by the crossing's day, oldest first.
    pub hits_by_day: Vec<(String, i64)>,
    /// (unit, referrals): `secondary_inspection`, `protection`.
    pub referrals: Vec<(String, i64)>,
    /// (decision, crossings whose decision in force is that one).
    pub decisions: Vec<(String, i64)>,
    /// Victims identified, assisted, prosecuted and repatriated.
    pub cases: CaseCounts,
    /// (type of exploitation, identified victims): one HTCDS
    /// `vic_TypeOfExploitation` value, `Multiple`, or `` when none is
    /// recorded; most victims first.
    pub victims_by_exploitation: Vec<(String, i64)>,
}

/// Trafficking cases counted by the derivations of
/// `centinela_domain::htcds::CaseOutcomes` (latest version of each case):
/// identified = possible or actual victim of trafficking; assisted = a
/// support plan recorded; prosecuted = a perpetrator recorded and the
/// status decided by a court or prosecutor; repatriated = referred on for
/// migration or change of location, or a transit back into a country of
/// citizenship after the exploitation. The last three count identified
/// victims only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CaseCounts {
    pub identified: i64,
    pub assisted: i64,
    pub prosecuted: i64,
    pub repatriated: i64,
}

/// One case as the statistics see it: its day and its latest record.
struct CaseFact {
    day: String,
    record: centinela_domain::htcds::CaseRecord,
}

/// Hits by the adjudication in force.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct HitCounts {
    pub raised: i64,
    pub confirmed: i64,
    pub dismissed: i64,
    /// Not yet adjudicated.
    pub open: i64,
}

/// The crossing filter as SQL over alias `c`, binding $1 from, $2 to, $3 post.
const WHERE_CROSSING: &str =
    "($1 = '' OR c.crossed_at >= $1) AND ($2 = '' OR c.crossed_at < $2) AND ($3 = '' OR c.post = $3)";

impl Store {
    /// The first and last day with crossings (`YYYY-MM-DD`), at `post` when
    /// given; `None` without crossings.
    pub async fn crossing_days(&self, post: &str) -> Result<Option<(String, String)>, StoreError> {
        let row: (Option<String>, Option<String>) = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT substr(min(crossed_at), 1, 10), substr(max(crossed_at), 1, 10) FROM crossings c \
                 WHERE ($1 = '' OR c.post = $1)",
            )
            .bind(post)
            .fetch_one(p)
            .await?
        });
        Ok(row.0.zip(row.1))
    }

    /// Every figure of the dashboard for `f`.
    pub async fn stats(&self, f: &StatsFilter<'_>) -> Result<Stats, StoreError> {
        let by_post = self
            .pairs(
                &format!("SELECT c.post, count(*) FROM crossings c WHERE {WHERE_CROSSING} GROUP BY c.post ORDER BY count(*) DESC, c.post"),
                f,
            )
            .await?;
        let by_day = self
            .pairs(
                &format!(
                    "SELECT substr(c.crossed_at, 1, 10) AS d, count(*) FROM crossings c WHERE {WHERE_CROSSING} \
                     GROUP BY substr(c.crossed_at, 1, 10) ORDER BY d"
                ),
                f,
            )
            .await?;
        let sql = AssertSqlSafe(format!(
            "SELECT substr(c.crossed_at, 1, 10) AS d, \
             sum(CASE WHEN c.direction = 'entry' THEN 1 ELSE 0 END), \
             sum(CASE WHEN c.direction = 'exit' THEN 1 ELSE 0 END) \
             FROM crossings c WHERE {WHERE_CROSSING} GROUP BY substr(c.crossed_at, 1, 10) ORDER BY d"
        ));
        let directions: Vec<(String, i64, i64)> = on_pool!(self, p => {
            sqlx::query_as(sql).bind(f.from).bind(f.to).bind(f.post).fetch_all(p).await?
        });
        let hits_by_day = self
            .pairs(
                &format!(
                    "SELECT substr(c.crossed_at, 1, 10) AS d, count(*) FROM hits h \
                     JOIN crossings c ON c.crossing_id = h.crossing_id WHERE {WHERE_CROSSING} \
                     GROUP BY substr(c.crossed_at, 1, 10) ORDER BY d"
                ),
                f,
            )
            .await?;
        // The adjudication in force is the latest one of each hit.
        let verdicts = self
            .pairs(
                &format!(
                    "SELECT COALESCE(a.decision, 'open'), count(*) FROM hits h \
                     JOIN crossings c ON c.crossing_id = h.crossing_id \
                     LEFT JOIN adjudications a ON a.hit_id = h.id \
                       AND a.id = (SELECT max(b.id) FROM adjudications b WHERE b.hit_id = h.id) \
                     WHERE {WHERE_CROSSING} GROUP BY COALESCE(a.decision, 'open')"
                ),
                f,
            )
            .await?;
        let mut hits = HitCounts::default();
        for (verdict, n) in verdicts {
            hits.raised += n;
            match verdict.as_str() {
                "confirmed" => hits.confirmed += n,
                "dismissed" => hits.dismissed += n,
                _ => hits.open += n,
            }
        }
        let referrals = self
            .pairs(
                &format!(
                    "SELECT r.unit, count(*) FROM referrals r JOIN crossings c ON c.crossing_id = r.crossing_id \
                     WHERE {WHERE_CROSSING} GROUP BY r.unit ORDER BY r.unit"
                ),
                f,
            )
            .await?;
        let decisions = self
            .pairs(
                &format!(
                    "SELECT d.decision, count(*) FROM decisions d JOIN crossings c ON c.crossing_id = d.crossing_id \
                     WHERE {WHERE_CROSSING} \
                     AND d.id = (SELECT max(e.id) FROM decisions e WHERE e.crossing_id = d.crossing_id) \
                     GROUP BY d.decision ORDER BY d.decision"
                ),
                f,
            )
            .await?;
        let mut cases = CaseCounts::default();
        let mut by_exploitation: std::collections::BTreeMap<String, i64> = Default::default();
        for c in self.case_facts(f).await? {
            let o = c.record.outcomes();
            if !o.identified {
                continue;
            }
            cases.identified += 1;
            cases.assisted += i64::from(o.assisted);
            cases.prosecuted += i64::from(o.prosecuted);
            cases.repatriated += i64::from(o.repatriated);
            *by_exploitation.entry(c.record.exploitation().to_string()).or_default() += 1;
        }
        let mut victims_by_exploitation: Vec<(String, i64)> = by_exploitation.into_iter().collect();
        victims_by_exploitation.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(Stats {
            cases,
            victims_by_exploitation,
            crossings_by_post: by_post,
            crossings_by_day: by_day,
            directions_by_day: directions,
            hits,
            hits_by_day,
            referrals,
            decisions,
        })
    }

    /// Every case within the filter with its latest record. A case's day is
    /// its `cas_IncomingReferralDate` (the day the victim was referred,
    /// i.e. identified at the border), else the day it was opened; `from`
    /// and `to` bound that day; with a post, only cases holding a crossing
    /// at that post count.
    async fn case_facts(&self, f: &StatsFilter<'_>) -> Result<Vec<CaseFact>, StoreError> {
        let rows: Vec<(String, String)> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT k.opened_at, v.record FROM cases k JOIN case_versions v ON v.case_id = k.id \
                 AND v.version = (SELECT max(w.version) FROM case_versions w WHERE w.case_id = k.id) \
                 WHERE ($1 = '' OR EXISTS (SELECT 1 FROM case_crossings cc \
                   JOIN crossings c ON c.crossing_id = cc.crossing_id WHERE cc.case_id = k.id AND c.post = $1)) \
                 ORDER BY k.id",
            )
            .bind(f.post)
            .fetch_all(p)
            .await?
        });
        let mut out = Vec::with_capacity(rows.len());
        for (opened_at, record) in rows {
            let record = crate::cases::record_from(&record)?;
            let referred = record.case.incoming_referral_date.as_str();
            let day = if referred.len() == 10 { referred.to_string() } else { opened_at.chars().take(10).collect() };
            // The day sorts before every time of itself, and a `YYYY-MM-DD`
            // bound compares like one.
            let within = (f.from.is_empty() || day.as_str() >= f.from.get(..10).unwrap_or(f.from))
                && (f.to.is_empty() || *day < *f.to);
            if within {
                out.push(CaseFact { day, record });
            }
        }
        Ok(out)
    }

    /// Runs a `SELECT text, count` with the filter bound as $1, $2, $3.
    async fn pairs(&self, sql: &str, f: &StatsFilter<'_>) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = AssertSqlSafe(sql.to_string());
        Ok(on_pool!(self, p => {
            sqlx::query_as(sql).bind(f.from).bind(f.to).bind(f.post).fetch_all(p).await?
        }))
    }
}

/// The age band of a crossing's traveller at the crossing, as SQL over
/// alias `c`: whole years from the birth date (a year-only birth date
/// counts from 1 January), banded by `centinela_stats::coarsen::AGE_BANDS`;
/// `''` without a birth date.
fn age_band_sql() -> String {
    let age = "(CAST(substr(c.crossed_at, 1, 4) AS INTEGER) - CAST(substr(c.birth_date, 1, 4) AS INTEGER) \
               - CASE WHEN length(c.birth_date) >= 7 AND substr(c.crossed_at, 6, 5) < substr(c.birth_date, 6, 5) \
               THEN 1 ELSE 0 END)";
    let mut s = String::from("CASE WHEN length(c.birth_date) < 4 THEN ''");
    for (lo, label) in centinela_stats::coarsen::AGE_BANDS.iter().rev() {
        s.push_str(&format!(" WHEN {age} >= {lo} THEN '{label}'"));
    }
    s.push_str(&format!(" ELSE '{}' END", centinela_stats::coarsen::AGE_BANDS[0].1));
    s
}

impl Store {
    /// Counts by attribute for publication (`centinela_stats::publish`):
    /// crossings by post, day, direction and nationality; crossings by day,
    /// sex and age band; hits by post, day and the verdict in force;
    /// referrals by post, day and unit; decisions in force by post, day and
    /// decision — all by the crossing's day, within the filter; identified
    /// victims by day and type of exploitation, and by day, sex and age
    /// band; outcomes (`assisted`, `prosecuted`, `repatriated`, see
    /// [`CaseCounts`]) by day — by the case's day (see `case_facts`). Every
    /// post is in the `post` domain, with or without crossings. Counts
    /// only.
    pub async fn stat_facts(&self, f: &StatsFilter<'_>) -> Result<Vec<centinela_stats::FactSet>, StoreError> {
        let posts: Vec<String> = if f.post.is_empty() {
            on_pool!(self, p => sqlx::query_scalar("SELECT code FROM posts ORDER BY code").fetch_all(p).await?)
        } else {
            vec![f.post.to_string()]
        };
        let domains = vec![("post".to_string(), posts)];
        let day = "substr(c.crossed_at, 1, 10)";
        let queries: [(&str, &[&str], String); 5] = [
            (
                "crossings",
                &["post", "day", "direction", "nationality"],
                format!(
                    "SELECT c.post, {day}, c.direction, c.nationality, count(*) FROM crossings c \
                     WHERE {WHERE_CROSSING} GROUP BY c.post, {day}, c.direction, c.nationality"
                ),
            ),
            (
                "crossings",
                &["day", "sex", "age"],
                format!(
                    "SELECT d, sex, band, count(*) FROM (SELECT {day} AS d, c.sex AS sex, {band} AS band \
                     FROM crossings c WHERE {WHERE_CROSSING}) x GROUP BY d, sex, band",
                    band = age_band_sql()
                ),
            ),
            (
                "hits",
                &["post", "day", "verdict"],
                format!(
                    "SELECT c.post, {day}, COALESCE(a.decision, 'open'), count(*) FROM hits h \
                     JOIN crossings c ON c.crossing_id = h.crossing_id \
                     LEFT JOIN adjudications a ON a.hit_id = h.id \
                       AND a.id = (SELECT max(b.id) FROM adjudications b WHERE b.hit_id = h.id) \
                     WHERE {WHERE_CROSSING} GROUP BY c.post, {day}, COALESCE(a.decision, 'open')"
                ),
            ),
            (
                "referrals",
                &["post", "day", "unit"],
                format!(
                    "SELECT c.post, {day}, r.unit, count(*) FROM referrals r \
                     JOIN crossings c ON c.crossing_id = r.crossing_id \
                     WHERE {WHERE_CROSSING} GROUP BY c.post, {day}, r.unit"
                ),
            ),
            (
                "decisions",
                &["post", "day", "decision"],
                format!(
                    "SELECT c.post, {day}, d.decision, count(*) FROM decisions d \
                     JOIN crossings c ON c.crossing_id = d.crossing_id WHERE {WHERE_CROSSING} \
                     AND d.id = (SELECT max(e.id) FROM decisions e WHERE e.crossing_id = d.crossing_id) \
                     GROUP BY c.post, {day}, d.decision"
                ),
            ),
        ];
        let mut out = Vec::new();
        for (measure, dims, sql) in queries {
            let sql = AssertSqlSafe(sql);
            let rows: Vec<Vec<String>> = if dims.len() == 4 {
                let r: Vec<(String, String, String, String, i64)> = on_pool!(self, p => {
                    sqlx::query_as(sql).bind(f.from).bind(f.to).bind(f.post).fetch_all(p).await?
                });
                r.into_iter().map(|(a, b, c, d, n)| vec![a, b, c, d, n.to_string()]).collect()
            } else {
                let r: Vec<(String, String, String, i64)> = on_pool!(self, p => {
                    sqlx::query_as(sql).bind(f.from).bind(f.to).bind(f.post).fetch_all(p).await?
                });
                r.into_iter().map(|(a, b, c, n)| vec![a, b, c, n.to_string()]).collect()
            };
            let rows = rows
                .into_iter()
                .map(|mut v| {
                    let n = v.pop().and_then(|n| n.parse().ok()).unwrap_or(0);
                    (v, n)
                })
                .collect();
            out.push(centinela_stats::FactSet {
                measure: measure.to_string(),
                dims: dims.iter().map(|d| d.to_string()).collect(),
                rows,
                domains: domains.clone(),
            });
        }
        out.extend(self.case_fact_sets(f).await?);
        Ok(out)
    }

    /// The case measures of [`Store::stat_facts`].
    async fn case_fact_sets(&self, f: &StatsFilter<'_>) -> Result<Vec<centinela_stats::FactSet>, StoreError> {
        use std::collections::BTreeMap;
        let mut by_type: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        let mut by_person: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        let mut outcomes: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for c in self.case_facts(f).await? {
            let o = c.record.outcomes();
            if !o.identified {
                continue;
            }
            *by_type.entry(vec![c.day.clone(), c.record.exploitation().to_string()]).or_default() += 1;
            let band = c.record.age_on(&c.day).map_or("", centinela_stats::coarsen::age_band);
            *by_person.entry(vec![c.day.clone(), c.record.sex().to_string(), band.to_string()]).or_default() += 1;
            for (name, yes) in [("assisted", o.assisted), ("prosecuted", o.prosecuted), ("repatriated", o.repatriated)]
            {
                if yes {
                    *outcomes.entry(vec![c.day.clone(), name.to_string()]).or_default() += 1;
                }
            }
        }
        let types: Vec<String> = centinela_domain::htcds::picklist::TYPE_OF_EXPLOITATION
            .iter()
            .chain([&centinela_domain::htcds::MULTIPLE_EXPLOITATION])
            .map(|s| s.to_string())
            .collect();
        let set = |measure: &str, dims: &[&str], rows: BTreeMap<Vec<String>, u64>, domains| centinela_stats::FactSet {
            measure: measure.to_string(),
            dims: dims.iter().map(|d| d.to_string()).collect(),
            rows: rows.into_iter().collect(),
            domains,
        };
        Ok(vec![
            set("victims", &["day", "exploitation"], by_type, vec![("exploitation".to_string(), types)]),
            set("victims", &["day", "sex", "age"], by_person, Vec::new()),
            set("outcomes", &["day", "outcome"], outcomes, Vec::new()),
        ])
    }
}
