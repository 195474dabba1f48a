//! From counts by attribute to the published tables of one release.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::coarsen::{self, Period};
use crate::noise::Noise;
use crate::suppress;
use crate::table::{CountTable, PublishedTable};
use crate::{DEFAULT_K, StatsError};

/// Counts of one measure by some attributes, as the store aggregates them:
/// each row is (one value per attribute of `dims`, count). Attributes the
/// tables know: `post`, `day` (`YYYY-MM-DD`), `direction`, `nationality`,
/// `sex`, `age` (a band of [`coarsen::AGE_BANDS`]), `verdict`, `unit`,
/// `decision`, and for the case measures (`victims`, `outcomes`)
/// `exploitation` and `outcome`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct FactSet {
    pub measure: String,
    pub dims: Vec<String>,
    pub rows: Vec<(Vec<String>, u64)>,
    /// Values an attribute takes whatever the data (every border post),
    /// beside those [`coarsen::domain`] knows: tables list them all.
    pub domains: Vec<(String, Vec<String>)>,
}

/// One published table: a measure by two (coarsened) attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableSpec {
    pub name: &'static str,
    pub measure: &'static str,
    pub rows: &'static str,
    pub cols: &'static str,
}

const fn spec(name: &'static str, measure: &'static str, rows: &'static str, cols: &'static str) -> TableSpec {
    TableSpec { name, measure, rows, cols }
}

/// The tables of a release, in order. A table whose measure no fact set
/// holds is left out; the store always hands over the case measures
/// (`victims`, `outcomes`), so a country without cases publishes their
/// tables with every cell hidden, as it does for hits.
pub const TABLES: &[TableSpec] = &[
    spec("crossings_post_period", "crossings", "post", "period"),
    spec("crossings_nationality_period", "crossings", "nationality", "period"),
    spec("crossings_post_direction", "crossings", "post", "direction"),
    spec("crossings_age_sex", "crossings", "age", "sex"),
    spec("hits_verdict_period", "hits", "verdict", "period"),
    spec("referrals_unit_period", "referrals", "unit", "period"),
    spec("decisions_decision_period", "decisions", "decision", "period"),
    spec("victims_exploitation_period", "victims", "exploitation", "period"),
    spec("victims_age_sex", "victims", "age", "sex"),
    spec("outcomes_outcome_period", "outcomes", "outcome", "period"),
];

/// How to publish.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Options {
    /// The smallest count published.
    pub k: u64,
    pub period: Period,
    pub noise: Option<Noise>,
    /// The first and last day the release covers: every period between
    /// them is a column, with or without data. Without them, the periods
    /// from the first to the last with data.
    pub from: Option<jiff::civil::Date>,
    pub to: Option<jiff::civil::Date>,
    /// The most periods (columns) a release may span; more is refused with
    /// [`StatsError::TooManyPeriods`] before any table is built. The work
    /// grows faster than the periods (suppression solves every published
    /// equation at once): [`MAX_PERIODS`] keeps one release within tens of
    /// megabytes.
    pub max_periods: usize,
}

/// The default [`Options::max_periods`]: ten years of months, two years
/// and a quarter of weeks.
pub const MAX_PERIODS: usize = 120;

impl Default for Options {
    fn default() -> Self {
        Options { k: DEFAULT_K, period: Period::Month, noise: None, from: None, to: None, max_periods: MAX_PERIODS }
    }
}

/// The published tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Release {
    pub k: u64,
    pub period: Period,
    pub noise: Option<Noise>,
    pub tables: Vec<PublishedTable>,
}

impl Release {
    pub fn table(&self, name: &str) -> Option<&PublishedTable> {
        self.tables.iter().find(|t| t.name == name)
    }
}

/// Coarsens, crosses, optionally adds noise, and suppresses: the tables of
/// [`TABLES`] fit to publish.
pub fn publish(facts: &[FactSet], opts: &Options) -> Result<Release, StatsError> {
    if opts.k == 0 {
        return Err(StatsError::BadK(opts.k));
    }
    let coarse: Vec<Coarse> = facts.iter().map(|f| coarsen_set(f, opts.period)).collect();
    // Without dates, the periods run from the first to the last with data
    // in any fact set, so every table has the same columns.
    let mut seen: Vec<&String> = Vec::new();
    for (_, names, rows, _) in &coarse {
        if let Some(i) = names.iter().position(|n| *n == "period") {
            seen.extend(rows.keys().map(|k| &k[i]));
        }
    }
    let span = seen.iter().min().zip(seen.iter().max()).map(|(a, b)| ((*a).clone(), (*b).clone()));
    let first = opts.from.or_else(|| span.as_ref().and_then(|s| first_day(&s.0)));
    let last = opts.to.or_else(|| span.as_ref().and_then(|s| last_day(&s.1, opts.period)));
    if let (Some(f), Some(t)) = (first, last) {
        let periods = period_count(opts.period, f, t);
        if periods > opts.max_periods as u64 {
            return Err(StatsError::TooManyPeriods { periods, max: opts.max_periods });
        }
    }
    let mut tables = Vec::new();
    for s in TABLES {
        let Some(t) = cross(s, &coarse, opts, span.as_ref()) else { continue };
        // A table without rows or columns would still tell its total is 0.
        if !t.rows.is_empty() && !t.cols.is_empty() {
            tables.push(t);
        }
    }
    if let Some(n) = opts.noise {
        for t in &mut tables {
            n.apply(t);
        }
    }
    let sup = suppress::protect(&tables, opts.k);
    let tables = tables
        .into_iter()
        .zip(sup)
        .map(|(t, s)| {
            let cells = t.extended().into_iter().zip(s).map(|(v, hidden)| (!hidden).then_some(v)).collect();
            PublishedTable {
                name: t.name,
                measure: t.measure,
                row_dim: t.row_dim,
                col_dim: t.col_dim,
                rows: t.rows,
                cols: t.cols,
                cells,
            }
        })
        .collect();
    Ok(Release { k: opts.k, period: opts.period, noise: opts.noise, tables })
}

/// A fact set coarsened: measure, attribute names, counts, known values.
type Coarse = (String, Vec<&'static str>, BTreeMap<Vec<String>, u64>, Vec<(&'static str, Vec<String>)>);

fn coarsen_set(f: &FactSet, period: Period) -> Coarse {
    let mut names = Vec::new();
    let mut out: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    for d in &f.dims {
        names.push(coarsen::value(d, "", period).map_or("period", |v| v.0));
    }
    'rows: for (values, n) in &f.rows {
        let mut key = Vec::with_capacity(values.len());
        for (d, v) in f.dims.iter().zip(values) {
            match coarsen::value(d, v, period) {
                Some((_, v)) => key.push(v),
                None => continue 'rows,
            }
        }
        *out.entry(key).or_default() += n;
    }
    let domains = f
        .domains
        .iter()
        .map(|(d, values)| {
            let name = coarsen::value(d, "", period).map_or("period", |v| v.0);
            let values = values.iter().filter_map(|v| coarsen::value(d, v, period).map(|x| x.1)).collect();
            (name, values)
        })
        .collect();
    (f.measure.clone(), names, out, domains)
}

/// Every value a table lists for attribute `name`: the built-in domain,
/// the fact set's, the periods of the release, and those in the data.
fn labels(
    name: &str,
    c: &Coarse,
    seen: impl Iterator<Item = String>,
    opts: &Options,
    span: Option<&(String, String)>,
) -> Vec<String> {
    let mut out: Vec<String> = coarsen::domain(name);
    for (d, values) in &c.3 {
        if *d == name {
            out.extend(values.iter().cloned());
        }
    }
    out.extend(seen);
    if name == "period" {
        let first = opts.from.map(|d| opts.period.of(&d.to_string()).unwrap_or_default());
        let last = opts.to.map(|d| opts.period.of(&d.to_string()).unwrap_or_default());
        out.sort();
        let lo = first.or_else(|| span.map(|s| s.0.clone())).or_else(|| out.first().cloned());
        let hi = last.or_else(|| span.map(|s| s.1.clone())).or_else(|| out.last().cloned());
        if let (Some(lo), Some(hi)) = (lo, hi) {
            let from = opts.from.or_else(|| first_day(&lo));
            let to = opts.to.or_else(|| last_day(&hi, opts.period));
            if let (Some(f), Some(t)) = (from, to) {
                out.extend(coarsen::periods(opts.period, f, t));
            }
            out.retain(|p| *p >= lo && *p <= hi);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// How many periods run from the one holding `from` to the one holding
/// `to` (0 when `to` is before `from`), counted without listing them.
fn period_count(period: Period, from: jiff::civil::Date, to: jiff::civil::Date) -> u64 {
    if to < from {
        return 0;
    }
    let n = match period {
        Period::Month => {
            (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month()) - i64::from(from.month()) + 1
        }
        Period::Week => {
            let monday = |d: jiff::civil::Date| {
                let w = d.iso_week_date();
                jiff::civil::ISOWeekDate::new(w.year(), w.week(), jiff::civil::Weekday::Monday).map(|w| w.date())
            };
            match (monday(from), monday(to)) {
                (Ok(a), Ok(b)) => a.until(b).map_or(0, |s| i64::from(s.get_days())) / 7 + 1,
                _ => 0,
            }
        }
    };
    u64::try_from(n).unwrap_or(0)
}

/// The first day of a period label (`2026-01`, `2026-W03`).
fn first_day(label: &str) -> Option<jiff::civil::Date> {
    if let Some((y, w)) = label.split_once("-W") {
        let w = jiff::civil::ISOWeekDate::new(y.parse().ok()?, w.parse().ok()?, jiff::civil::Weekday::Monday).ok()?;
        return Some(w.date());
    }
    format!("{label}-01").parse().ok()
}

/// The last day of a period label.
fn last_day(label: &str, period: Period) -> Option<jiff::civil::Date> {
    let first = first_day(label)?;
    match period {
        Period::Week => first.checked_add(jiff::Span::new().days(6)).ok(),
        Period::Month => Some(first.last_of_month()),
    }
}

/// The table of `s` from the first fact set of its measure that has both
/// attributes.
fn cross(s: &TableSpec, coarse: &[Coarse], opts: &Options, span: Option<&(String, String)>) -> Option<CountTable> {
    let set =
        coarse.iter().find(|(m, names, _, _)| m == s.measure && names.contains(&s.rows) && names.contains(&s.cols))?;
    let (_, names, rows, _) = set;
    let ri = names.iter().position(|n| *n == s.rows)?;
    let ci = names.iter().position(|n| *n == s.cols)?;
    let mut sums: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for (key, n) in rows {
        *sums.entry((&key[ri], &key[ci])).or_default() += n;
    }
    let row_labels = labels(s.rows, set, sums.keys().map(|k| k.0.to_string()), opts, span);
    let col_labels = labels(s.cols, set, sums.keys().map(|k| k.1.to_string()), opts, span);
    let mut cells = vec![0u64; row_labels.len() * col_labels.len()];
    for ((r, c), n) in &sums {
        let (Ok(r), Ok(c)) =
            (row_labels.binary_search_by(|x| x.as_str().cmp(r)), col_labels.binary_search_by(|x| x.as_str().cmp(c)))
        else {
            continue;
        };
        cells[r * col_labels.len() + c] += n;
    }
    Some(CountTable {
        name: s.name.to_string(),
        measure: s.measure.to_string(),
        row_dim: s.rows.to_string(),
        col_dim: s.cols.to_string(),
        rows: row_labels,
        cols: col_labels,
        cells,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crossings() -> FactSet {
        let mut rows = Vec::new();
        for (post, n) in [("PA", 40u64), ("PB", 25), ("PC", 3)] {
            for (day, m) in [("2026-01-05", 1u64), ("2026-02-10", 2)] {
                for (nat, f) in [("GTM", 2u64), ("VEN", 1), ("", 1)] {
                    rows.push((
                        vec![post.to_string(), day.to_string(), "entry".to_string(), nat.to_string()],
                        n * m * f / 2,
                    ));
                }
            }
        }
        FactSet {
            measure: "crossings".into(),
            dims: vec!["post".into(), "day".into(), "direction".into(), "nationality".into()],
            rows,
            domains: vec![("post".into(), vec!["PD".into()])],
        }
    }

    #[test]
    fn a_release_over_too_many_periods_is_refused_before_any_work() {
        let day = |s: &str| Some(s.parse::<jiff::civil::Date>().unwrap());
        // 0001-01-01 to 9999-12-31 by week once took 22 GB and the post's
        // machine with it; now it is refused at once.
        let all =
            Options { period: Period::Week, from: day("0001-01-01"), to: day("9999-12-31"), ..Options::default() };
        let started = std::time::Instant::now();
        match publish(&[crossings()], &all) {
            Err(StatsError::TooManyPeriods { periods, max }) => assert!(periods > 500_000 && max == MAX_PERIODS),
            other => panic!("{other:?}"),
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // Exactly at the bound it publishes; one more period is refused.
        let ten_years = Options { from: day("2016-01-01"), to: day("2025-12-31"), ..Options::default() };
        assert_eq!(period_count(Period::Month, ten_years.from.unwrap(), ten_years.to.unwrap()), 120);
        assert!(publish(&[crossings()], &ten_years).is_ok());
        let more = Options { to: day("2026-01-01"), ..ten_years };
        assert!(matches!(publish(&[crossings()], &more), Err(StatsError::TooManyPeriods { periods: 121, .. })));
        // Weeks: ISO weeks from the one holding `from` to the one holding `to`.
        assert_eq!(period_count(Period::Week, day("2026-01-04").unwrap(), day("2026-01-05").unwrap()), 2);
        assert_eq!(period_count(Period::Week, day("2026-01-05").unwrap(), day("2026-01-11").unwrap()), 1);
        assert_eq!(period_count(Period::Week, day("2026-01-11").unwrap(), day("2026-01-05").unwrap()), 0);
    }

    #[test]
    fn publishes_coarsened_tables_with_nothing_below_k() {
        let r = publish(&[crossings()], &Options::default()).unwrap();
        let names: Vec<&str> = r.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["crossings_post_period", "crossings_nationality_period", "crossings_post_direction"]);
        // A measure without any count still has its table, over the
        // crossings' periods, every cell hidden.
        let hits = FactSet { measure: "hits".into(), dims: vec!["day".into(), "verdict".into()], ..FactSet::default() };
        let r2 = publish(&[crossings(), hits], &Options::default()).unwrap();
        let h = r2.table("hits_verdict_period").unwrap();
        assert_eq!((h.rows.len(), h.cols.len(), h.suppressed()), (3, 2, 12));
        let nat = r.table("crossings_nationality_period").unwrap();
        // Every nationality of the region has its row, with or without data.
        assert_eq!(nat.rows, ["BLZ", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV", "other"]);
        assert_eq!(nat.cols, ["2026-01", "2026-02"]);
        for t in &r.tables {
            assert!(t.cells.iter().flatten().all(|&v| v >= 11), "{}", t.to_csv());
        }
        let post = r.table("crossings_post_period").unwrap();
        // Post PC's 5 in January is hidden, and so is a partner in its row
        // (its February 12) and in its column (PB's January), with PB's
        // February closing the cycle; every total stays published.
        // Post PD, known but without crossings, has its row: all hidden, its
        // 0 total too, with PC's total as its partner in the totals column.
        assert_eq!(
            post.to_csv(),
            "post,2026-01,2026-02,total\r\nPA,80,160,240\r\nPB,,,149\r\nPC,,,\r\nPD,,,\r\ntotal,134,272,406\r\n"
        );
        assert!(publish(&[crossings()], &Options { k: 0, ..Options::default() }).is_err());
    }
}
