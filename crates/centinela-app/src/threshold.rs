//! What-if for the screening threshold (issue 19, part 5): a back-test over
//! one border post's stored crossings. Each crossing's names are screened
//! again against the alert lists in force (as the booth does, down to the
//! lowest candidate threshold); for each candidate threshold the answer
//! counts the travellers a name hit would alert per day, and of the person
//! hits supervisors confirmed there, how many that threshold keeps and how
//! many it loses. As the rule back-tests: bounded, run where it cannot
//! starve inspections, audited with counts only.

use std::collections::{HashMap, HashSet};

use centinela_domain::{CrossingRecord, Timestamp};
use centinela_inspect::Watchlists;
use centinela_names::{DEFAULT_THRESHOLD, Query, ScreenOptions};
use serde::Serialize;
use serde_json::json;

use centinela_store::ConfirmedHit;

use crate::{App, AppError, Caller};

/// The thresholds tried when none are given.
pub const DEFAULT_CANDIDATES: &[f64] = &[0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/// The most candidates in one back-test.
pub const MAX_CANDIDATES: usize = 20;
/// The longest window, in days.
pub const MAX_DAYS: i64 = 400;
/// The most crossings re-screened in one back-test (a busy post's year).
pub const MAX_CROSSINGS: u64 = 1_000_000;

/// One candidate threshold's cost and benefit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdRow {
    pub threshold: f64,
    /// Travellers with at least one name hit at this threshold.
    pub alerted: u64,
    pub alerts_per_day: f64,
    /// Name hits (a traveller may match several entries).
    pub hits: u64,
    /// Confirmed person hits this threshold still raises.
    pub confirmed_kept: u64,
    /// Confirmed person hits it no longer raises.
    pub confirmed_lost: u64,
}

/// A threshold back-test's answer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThresholdAnswer {
    pub post: String,
    /// The window counted (`YYYY-MM-DD`, inclusive).
    pub from: String,
    pub to: String,
    pub days: i64,
    /// Crossings registered at the post in the window, screened again.
    pub crossings: u64,
    /// The threshold the booth uses.
    pub shipped: f64,
    /// Confirmed person hits at the post in the window.
    pub confirmed: u64,
    /// Confirmed hits whose entry is no longer on any list in force (lost
    /// at every threshold; not counted in the rows).
    pub confirmed_unlisted: u64,
    pub rows: Vec<ThresholdRow>,
    pub seconds: f64,
}

fn day(s: &str, field: &str) -> Result<Timestamp, AppError> {
    Timestamp::parse(&format!("{}T00:00:00Z", s.trim()))
        .map_err(|_| AppError::Invalid(format!("{field}: a date as YYYY-MM-DD")))
}

/// Checks and sorts the candidates (each in (0, 1], at most
/// [`MAX_CANDIDATES`]); the defaults when none are given.
pub fn candidates(asked: &[f64]) -> Result<Vec<f64>, AppError> {
    if asked.len() > MAX_CANDIDATES {
        return Err(AppError::Invalid(format!("thresholds: at most {MAX_CANDIDATES}")));
    }
    let mut out: Vec<f64> = if asked.is_empty() { DEFAULT_CANDIDATES.to_vec() } else { asked.to_vec() };
    if out.iter().any(|t| !t.is_finite() || *t <= 0.0 || *t > 1.0) {
        return Err(AppError::Invalid("thresholds: each above 0 and at most 1".into()));
    }
    out.sort_by(f64::total_cmp);
    out.dedup();
    Ok(out)
}

impl App {
    /// The threshold back-test over `post`'s crossings from `from` to `to`
    /// (`YYYY-MM-DD`, inclusive; by default the last 30 days), against the
    /// alert lists in memory (reloaded first when none are). A user must
    /// cover the post.
    pub async fn threshold_backtest(
        &self,
        caller: Caller<'_>,
        post: &str,
        from: Option<&str>,
        to: Option<&str>,
        thresholds: &[f64],
    ) -> Result<ThresholdAnswer, AppError> {
        let post = post.trim().to_string();
        centinela_domain::check_post_code(&post).map_err(|e| AppError::Invalid(format!("post: {e}")))?;
        if let Caller::User(u) = caller {
            u.check_post(&post)?;
        }
        let candidates = candidates(thresholds)?;
        let today = Timestamp::now().date();
        let to_day = day(to.filter(|s| !s.trim().is_empty()).unwrap_or(&today), "to")?;
        let from_day = match from.filter(|s| !s.trim().is_empty()) {
            Some(f) => day(f, "from")?,
            None => Timestamp::from_unix_seconds(to_day.unix_seconds() - 29 * 86_400)
                .map_err(|_| AppError::Invalid("to: out of range".into()))?,
        };
        if from_day > to_day {
            return Err(AppError::Invalid("from: after to".into()));
        }
        let days = (to_day.unix_seconds() - from_day.unix_seconds()) / 86_400 + 1;
        if days > MAX_DAYS {
            return Err(AppError::Invalid(format!("to: at most {MAX_DAYS} days from `from`")));
        }
        let to_excl = Timestamp::from_unix_seconds(to_day.unix_seconds() + 86_400)
            .map_err(|_| AppError::Invalid("to: out of range".into()))?
            .to_string();
        let from_s = from_day.to_string();
        let store = self.analytics();
        let crossings = store.post_crossings_between(&post, Some(&from_s), Some(&to_excl), MAX_CROSSINGS + 1).await?;
        if crossings.len() as u64 > MAX_CROSSINGS {
            return Err(AppError::Invalid(format!(
                "from: more than {MAX_CROSSINGS} crossings; ask for a shorter window"
            )));
        }
        let confirmed = store.confirmed_person_hits(&post, Some(&from_s), Some(&to_excl)).await?;
        let (mut lists, _) = self.inspections().lists();
        if lists.sizes() == (0, 0) {
            self.reload_lists(None).await?;
            lists = self.inspections().lists().0;
        }
        let n_crossings = crossings.len() as u64;
        let (rows, confirmed_unlisted, seconds) = self
            .heavy(move || {
                let started = std::time::Instant::now();
                let records: Vec<&CrossingRecord> = crossings.iter().map(|c| &c.record).collect();
                let (rows, unlisted) = backtest_rows(&lists, &records, &confirmed, &candidates, days);
                (rows, unlisted, started.elapsed().as_secs_f64())
            })
            .await?;
        let answer = ThresholdAnswer {
            post: post.clone(),
            from: from_day.date(),
            to: to_day.date(),
            days,
            crossings: n_crossings,
            shipped: DEFAULT_THRESHOLD,
            confirmed: rows.first().map_or(0, |r| r.confirmed_kept + r.confirmed_lost) + confirmed_unlisted,
            confirmed_unlisted,
            rows,
            seconds,
        };
        self.audit(
            caller,
            "threshold_backtested",
            format!("post:{post}"),
            json!({ "from": answer.from, "to": answer.to, "crossings": answer.crossings,
                    "thresholds": answer.rows.iter().map(|r| r.threshold).collect::<Vec<_>>() }),
        )
        .await?;
        Ok(answer)
    }
}

/// The back-test itself: `records` screened again against `lists` (down to
/// the lowest candidate), and for each candidate threshold the travellers
/// alerted (per day over `days`) and the `confirmed` hits kept or lost.
/// Returns the rows (in `candidates` order) and the confirmed hits whose
/// entry is on no list in `lists` (left out of the rows).
pub fn backtest_rows(
    lists: &Watchlists,
    records: &[&CrossingRecord],
    confirmed: &[ConfirmedHit],
    candidates: &[f64],
    days: i64,
) -> (Vec<ThresholdRow>, u64) {
    let floor = candidates.iter().copied().fold(1.0, f64::min);
    let opts = ScreenOptions { threshold: floor, top_k: Some(10) };
    let wanted: HashSet<&str> = confirmed.iter().map(|c| c.crossing_id.as_str()).collect();
    // Per crossing its name hits' scores; for the confirmed crossings, by
    // (crossing, list, entry).
    let mut best: Vec<Vec<f64>> = Vec::with_capacity(records.len());
    let mut by_entry: HashMap<(&str, String, String), f64> = HashMap::new();
    for r in records {
        if r.given_names.is_empty() && r.surnames.is_empty() {
            best.push(Vec::new());
            continue;
        }
        let q = Query {
            given_names: r.given_names.clone(),
            surnames: r.surnames.clone(),
            birth_date: r.birth_date,
            nationality: r.nationality,
            sex: r.sex,
            document_number: r.document_number.clone(),
        };
        let hits = lists.screener().screen(&q, &opts);
        if wanted.contains(r.crossing_id.as_str()) {
            for h in &hits {
                let key = (
                    r.crossing_id.as_str(),
                    lists.list_of(h.entry).name.to_string(),
                    lists.screener().entry(h.entry).id.clone(),
                );
                let s = by_entry.entry(key).or_insert(0.0);
                *s = s.max(h.score);
            }
        }
        best.push(hits.iter().map(|h| h.score).collect());
    }
    let ids: HashSet<&str> = confirmed.iter().map(|c| c.entry_id.as_str()).collect();
    let listed: HashSet<(String, String)> = (0..lists.screener().len() as u32)
        .filter(|i| ids.contains(lists.screener().entry(*i).id.as_str()))
        .map(|i| (lists.list_of(i).name.to_string(), lists.screener().entry(i).id.clone()))
        .collect();
    let on_list: Vec<bool> =
        confirmed.iter().map(|c| listed.contains(&(c.list_name.clone(), c.entry_id.clone()))).collect();
    let scores: Vec<Option<f64>> = confirmed
        .iter()
        .map(|c| by_entry.get(&(c.crossing_id.as_str(), c.list_name.clone(), c.entry_id.clone())).copied())
        .collect();
    let unlisted = on_list.iter().filter(|l| !**l).count() as u64;
    let rows = candidates
        .iter()
        .map(|&t| {
            let alerted = best.iter().filter(|s| s.iter().any(|&x| x >= t)).count() as u64;
            let hits = best.iter().map(|s| s.iter().filter(|&&x| x >= t).count() as u64).sum();
            let (mut kept, mut lost) = (0u64, 0u64);
            for (s, listed) in scores.iter().zip(&on_list) {
                if !listed {
                    continue;
                }
                if s.is_some_and(|s| s >= t) {
                    kept += 1;
                } else {
                    lost += 1;
                }
            }
            ThresholdRow {
                threshold: t,
                alerted,
                alerts_per_day: (alerted as f64 / days.max(1) as f64 * 100.0).round() / 100.0,
                hits,
                confirmed_kept: kept,
                confirmed_lost: lost,
            }
        })
        .collect();
    (rows, unlisted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_bounded_sorted_and_defaulted() {
        assert_eq!(candidates(&[]).unwrap(), DEFAULT_CANDIDATES.to_vec());
        assert_eq!(candidates(&[0.5, 0.2, 0.5]).unwrap(), vec![0.2, 0.5]);
        assert!(candidates(&[0.0]).is_err());
        assert!(candidates(&[1.5]).is_err());
        assert!(candidates(&[f64::NAN]).is_err());
        assert!(candidates(&[0.5; 21]).is_err());
    }
}
