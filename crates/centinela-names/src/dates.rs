//! Birth-date evidence: how far two (possibly partial) birth dates agree,
//! as a log-likelihood ratio (nats) for "same person" against "different
//! person".
//!
//! The weights follow `ln(m/u)`: `m` is how often a same-person pair shows
//! that agreement level (data-entry and OCR errors make exact agreement
//! ~70–80%, swapped day/month or a year off by one a few percent each), `u`
//! how often two different people do (≈ 1/(365·60) for an exact date over a
//! 60-year span, 1/60 for the same year). A clear disagreement is strong
//! evidence against: relatives and namesakes share names, not birth dates.

use centinela_domain::BirthDate;

/// How a query's birth date compares with a list entry's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateMatch {
    /// One side has no birth date.
    Missing,
    /// The same full date.
    Exact,
    /// Agree on everything both sides know (one is `YYYY` or `YYYY-MM`).
    Consistent,
    /// Day and month swapped.
    DayMonthSwapped,
    /// Year one off (or one digit / transposed digits), day and month equal.
    YearTypo,
    /// Same year, month and day differ in one digit / by one.
    DayOrMonthTypo,
    /// Same year and month, another day (often "day unknown → 01").
    SameYearMonth,
    /// Only the year agrees.
    SameYear,
    /// Near miss on a partial date (year one off).
    Close,
    /// Clearly different dates.
    Different,
}

impl DateMatch {
    /// Log-likelihood ratio in nats.
    pub fn weight(&self, q_parts: u8) -> f64 {
        match self {
            DateMatch::Missing => 0.0,
            DateMatch::Exact => 9.0,
            DateMatch::Consistent => {
                if q_parts >= 2 {
                    5.0
                } else {
                    3.0
                }
            }
            DateMatch::DayMonthSwapped => 6.5,
            DateMatch::YearTypo => 6.0,
            DateMatch::DayOrMonthTypo => 4.0,
            DateMatch::SameYearMonth => 3.0,
            DateMatch::SameYear => -8.0,
            DateMatch::Close => -3.0,
            DateMatch::Different => DATE_CLASH,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            DateMatch::Missing => "not compared (missing)",
            DateMatch::Exact => "same date",
            DateMatch::Consistent => "consistent (partial date)",
            DateMatch::DayMonthSwapped => "day and month swapped",
            DateMatch::YearTypo => "year off by one / mistyped",
            DateMatch::DayOrMonthTypo => "day or month mistyped",
            DateMatch::SameYearMonth => "same year and month, other day",
            DateMatch::SameYear => "same year only",
            DateMatch::Close => "year off by one (partial date)",
            DateMatch::Different => "different date",
        }
    }
}

/// Weight of a clear birth-date disagreement (nats).
pub const DATE_CLASH: f64 = -12.0;

fn one_digit_apart(a: u16, b: u16) -> bool {
    let digits = |x: u16| [x / 1000 % 10, x / 100 % 10, x / 10 % 10, x % 10];
    let (a, b) = (digits(a), digits(b));
    let mut diff = [0usize; 4];
    let mut n = 0;
    for i in 0..4 {
        if a[i] != b[i] {
            diff[n] = i;
            n += 1;
        }
    }
    n == 1 || (n == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] && a[diff[1]] == b[diff[0]])
}

/// Compares two birth dates.
pub fn compare(q: &BirthDate, e: &BirthDate) -> DateMatch {
    match (q.month, q.day, e.month, e.day) {
        (Some(qm), Some(qd), Some(em), Some(ed)) => {
            if q.year == e.year {
                if qm == em && qd == ed {
                    DateMatch::Exact
                } else if qm == ed && qd == em {
                    DateMatch::DayMonthSwapped
                } else if qm == em {
                    if one_digit_apart(qd as u16, ed as u16) || qd.abs_diff(ed) == 1 {
                        DateMatch::DayOrMonthTypo
                    } else {
                        DateMatch::SameYearMonth
                    }
                } else if qd == ed && (one_digit_apart(qm as u16, em as u16) || qm.abs_diff(em) == 1) {
                    DateMatch::DayOrMonthTypo
                } else {
                    DateMatch::SameYear
                }
            } else if qm == em && qd == ed && (q.year.abs_diff(e.year) == 1 || one_digit_apart(q.year, e.year)) {
                DateMatch::YearTypo
            } else if qm == ed && qd == em && q.year.abs_diff(e.year) == 1 {
                DateMatch::SameYear
            } else {
                DateMatch::Different
            }
        }
        _ => {
            // At least one side is partial: compare what both know.
            let months = match (q.month, e.month) {
                (Some(a), Some(b)) => Some(a == b),
                _ => None,
            };
            if q.year == e.year {
                match months {
                    Some(false) => DateMatch::SameYear,
                    _ => DateMatch::Consistent,
                }
            } else if q.year.abs_diff(e.year) == 1 && months != Some(false) {
                DateMatch::Close
            } else {
                DateMatch::Different
            }
        }
    }
}

fn parts(d: &BirthDate) -> u8 {
    1 + d.month.is_some() as u8 + d.day.is_some() as u8
}

/// The best agreement between a query date and any of an entry's dates,
/// with its weight.
pub fn evidence(q: Option<&BirthDate>, entry: &[BirthDate]) -> (DateMatch, f64) {
    let Some(q) = q else { return (DateMatch::Missing, 0.0) };
    let mut best = (DateMatch::Missing, f64::NEG_INFINITY);
    for e in entry {
        let m = compare(q, e);
        let w = m.weight(parts(q).min(parts(e)));
        if w > best.1 {
            best = (m, w);
        }
    }
    if best.1 == f64::NEG_INFINITY { (DateMatch::Missing, 0.0) } else { best }
}

/// A birth date packed in a `u32` (0 = none), for the index's pre-ranking.
pub fn pack(d: Option<&BirthDate>) -> u32 {
    match d {
        None => 0,
        Some(d) => {
            ((d.year as u32) << 10) | (((d.month.unwrap_or(0) & 31) as u32) << 5) | (d.day.unwrap_or(0) & 31) as u32
        }
    }
}

/// Unpacks [`pack`].
pub fn unpack(p: u32) -> Option<BirthDate> {
    if p == 0 {
        return None;
    }
    let m = ((p >> 5) & 0x1F) as u8;
    let d = (p & 0x1F) as u8;
    Some(BirthDate { year: (p >> 10) as u16, month: (m != 0).then_some(m), day: (d != 0).then_some(d) })
}

/// The [`pack`]ed key of a date the index can file by date: a year of at
/// most four digits, a month 1–12 and a day 1–31 where present (no day
/// without a month). Other dates (possible only for entries built by hand)
/// have no key and are filed with the undated entries, which every query
/// looks at.
pub(crate) fn index_key(d: &BirthDate) -> Option<u32> {
    let month_ok = d.month.is_none_or(|m| (1..=12).contains(&m));
    let day_ok = match (d.month, d.day) {
        (_, None) => true,
        (Some(_), Some(x)) => (1..=31).contains(&x),
        (None, Some(_)) => false,
    };
    ((1..=9999).contains(&d.year) && month_ok && day_ok).then(|| pack(Some(d)))
}

/// Half-open ranges of [`index_key`]s outside which no entry date can
/// compare with `q` as anything but [`DateMatch::Different`]: a cover of
/// the dates [`compare`] does not call different, derived case by case from
/// it (and checked against it exhaustively in the tests). Appended to `out`,
/// unsorted, possibly overlapping and empty.
///
/// - `q` partial (`YYYY`, `YYYY-MM`): the years `q.year` − 1 to + 1 (same
///   year: consistent or same year; one off: close or different).
/// - `q` full: all of `q.year` (every outcome in the same year is
///   evidence); in the two adjacent years the same day and month (year
///   typo), day and month swapped (same year), the year alone and the same
///   year-month (close); in the years one digit apart (1980 / 1989 / 1908)
///   the same day and month (year typo).
pub(crate) fn compatible_keys(q: &BirthDate, out: &mut Vec<(u32, u32)>) {
    let key = |y: u32, m: u32, d: u32| (y << 10) | ((m & 31) << 5) | (d & 31);
    let point = |k: u32| (k, k + 1);
    let y = q.year as u32;
    match (q.month, q.day) {
        (Some(m), Some(d)) => {
            let (m, d) = (m as u32, d as u32);
            out.push((key(y, 0, 0), key(y + 1, 0, 0)));
            for y2 in [y.wrapping_sub(1), y + 1] {
                if y2 > 9999 {
                    continue;
                }
                out.extend([key(y2, 0, 0), key(y2, m, 0), key(y2, m, d), key(y2, d, m)].map(point));
            }
            let digits = [y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10];
            let from = |dg: [u32; 4]| dg[0] * 1000 + dg[1] * 100 + dg[2] * 10 + dg[3];
            let mut typo = |y2: u32| {
                if y2.abs_diff(y) > 1 && one_digit_apart(q.year, y2 as u16) {
                    out.push(point(key(y2, m, d)));
                }
            };
            for p in 0..4 {
                for v in 0..10 {
                    let mut dg = digits;
                    dg[p] = v;
                    typo(from(dg));
                }
                if p < 3 {
                    let mut dg = digits;
                    dg.swap(p, p + 1);
                    typo(from(dg));
                }
            }
        }
        _ => out.push((key(y.saturating_sub(1), 0, 0), key(y + 2, 0, 0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> BirthDate {
        BirthDate::parse(s).unwrap()
    }

    #[test]
    fn levels() {
        assert_eq!(compare(&d("1980-05-17"), &d("1980-05-17")), DateMatch::Exact);
        assert_eq!(compare(&d("1980-05-07"), &d("1980-07-05")), DateMatch::DayMonthSwapped);
        assert_eq!(compare(&d("1981-05-17"), &d("1980-05-17")), DateMatch::YearTypo);
        assert_eq!(compare(&d("1989-05-17"), &d("1980-05-17")), DateMatch::YearTypo);
        assert_eq!(compare(&d("1908-05-17"), &d("1980-05-17")), DateMatch::YearTypo);
        assert_eq!(compare(&d("1980-05-01"), &d("1980-05-17")), DateMatch::SameYearMonth);
        assert_eq!(compare(&d("1980-05-18"), &d("1980-05-17")), DateMatch::DayOrMonthTypo);
        assert_eq!(compare(&d("1980-11-02"), &d("1980-05-17")), DateMatch::SameYear);
        assert_eq!(compare(&d("1975-11-02"), &d("1980-05-17")), DateMatch::Different);
        assert_eq!(compare(&d("1980"), &d("1980-05-17")), DateMatch::Consistent);
        assert_eq!(compare(&d("1980-05"), &d("1980-05-17")), DateMatch::Consistent);
        assert_eq!(compare(&d("1980-06"), &d("1980-05-17")), DateMatch::SameYear);
        assert_eq!(compare(&d("1981"), &d("1980-05-17")), DateMatch::Close);
        assert_eq!(compare(&d("1990"), &d("1980-05-17")), DateMatch::Different);
    }

    #[test]
    fn evidence_takes_best_and_missing_is_neutral() {
        let e = [d("1970-01-01"), d("1980-05-17")];
        assert_eq!(evidence(Some(&d("1980-05-17")), &e).0, DateMatch::Exact);
        assert_eq!(evidence(None, &e), (DateMatch::Missing, 0.0));
        assert_eq!(evidence(Some(&d("1980-05-17")), &[]), (DateMatch::Missing, 0.0));
        assert!(evidence(Some(&d("1990-02-03")), &e).1 < -5.0);
        assert!(DateMatch::Exact.weight(3) > DateMatch::Consistent.weight(2));
    }

    #[test]
    fn swapped_lenient_dates_compare_as_swapped() {
        let swapped = BirthDate::parse_lenient("1980-17-05").unwrap();
        assert_eq!(compare(&swapped, &d("1980-05-17")), DateMatch::DayMonthSwapped);
        assert_eq!(unpack(pack(Some(&swapped))), Some(swapped));
    }

    #[test]
    fn packing() {
        for s in ["1980-05-17", "1980-05", "1980"] {
            assert_eq!(unpack(pack(Some(&d(s)))), Some(d(s)));
        }
        assert_eq!(unpack(pack(None)), None);
    }

    /// Every listed date that `compare` does not call different lies in a
    /// range of `compatible_keys` (the index relies on it to skip the rest).
    #[test]
    fn compatible_keys_cover_every_non_different_date() {
        let mut listed = Vec::new();
        for y in 1890..=2030u16 {
            listed.push(BirthDate { year: y, month: None, day: None });
            for m in 1..=12u8 {
                listed.push(BirthDate { year: y, month: Some(m), day: None });
                for d in 1..=31u8 {
                    listed.push(BirthDate { year: y, month: Some(m), day: Some(d) });
                }
            }
        }
        let queries = [
            "1980-05-17",
            "1980-05-07",
            "1980-12-31",
            "1999-01-01",
            "2000-02-29",
            "1909-10-10",
            "1980",
            "1980-05",
            "2000",
            "1980-17-05",
            "1990-31-12",
        ];
        let mut ranges = Vec::new();
        for qs in queries {
            let q = BirthDate::parse_lenient(qs).unwrap();
            ranges.clear();
            compatible_keys(&q, &mut ranges);
            for e in &listed {
                let k = index_key(e).unwrap();
                let covered = ranges.iter().any(|&(lo, hi)| lo <= k && k < hi);
                if compare(&q, e) != DateMatch::Different {
                    assert!(covered, "{qs} vs {e}: {:?} not covered", compare(&q, e));
                }
            }
            let n = listed.iter().filter(|e| compare(&q, e) != DateMatch::Different).count();
            let in_ranges = listed
                .iter()
                .filter(|e| ranges.iter().any(|&(lo, hi)| (lo..hi).contains(&index_key(e).unwrap())))
                .count();
            assert!(in_ranges < 2 * n + 800, "{qs}: cover of {in_ranges} for {n} dates");
        }
        assert_eq!(index_key(&BirthDate { year: 1980, month: Some(13), day: None }), None);
        assert_eq!(index_key(&BirthDate { year: 1980, month: None, day: Some(3) }), None);
    }
}
