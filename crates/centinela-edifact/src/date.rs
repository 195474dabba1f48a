//! Dates and times as EDIFACT writes them (DTM and the service segments).

use std::fmt;

use serde::Serialize;

/// A calendar date (year with century).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// A date with an optional time of day (minutes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DateTime {
    pub date: Date,
    /// Hour and minute, when given.
    pub time: Option<(u8, u8)>,
}

/// How a two-digit year is given its century.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Century {
    /// Not after the reference year (birth dates): the latest century that
    /// does not put the date after it.
    Past,
    /// Around the reference year (travel and document dates): within 50
    /// years before or after it.
    Near,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days && (1..=9999).contains(&year)).then_some(Date { year, month, day })
    }

    /// ISO 8601 `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `CCYYMMDD`.
    pub fn ccyymmdd(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `YYMMDD`.
    pub fn yymmdd(&self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

fn century(yy: u16, reference: u16, rule: Century) -> u16 {
    let base = reference - reference % 100;
    let candidates = [base.saturating_sub(100) + yy, base + yy, base + 100 + yy];
    match rule {
        Century::Past => candidates.into_iter().filter(|y| *y <= reference).max().unwrap_or(base + yy),
        Century::Near => candidates.into_iter().min_by_key(|y| y.abs_diff(reference)).unwrap_or(base + yy),
    }
}

/// Parses a date and optional time by its EDIFACT format code (2379):
/// 101 `YYMMDD`, 102 `CCYYMMDD`, 201 `YYMMDDHHMM`, 203 `CCYYMMDDHHMM`; with
/// no code, by its length. `reference` is the year two-digit years are read
/// against (the interchange's preparation year).
pub fn parse(value: &str, format: Option<&str>, reference: u16, rule: Century) -> Option<DateTime> {
    let expected = match format {
        None => None,
        Some("101") => Some(6),
        Some("102") => Some(8),
        Some("201") => Some(10),
        Some("203") => Some(12),
        Some(_) => return None,
    };
    let len = value.len();
    if expected.is_some_and(|e| e != len) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match len {
        6 | 10 => (century(digits(&value[..2])? as u16, reference, rule), &value[2..]),
        8 | 12 => (digits(&value[..4])? as u16, &value[4..]),
        _ => return None,
    };
    let date = Date::new(year, digits(&rest[..2])? as u8, digits(&rest[2..4])? as u8)?;
    let time = if rest.len() == 8 {
        let (h, m) = (digits(&rest[4..6])? as u8, digits(&rest[6..8])? as u8);
        if h > 23 || m > 59 {
            return None;
        }
        Some((h, m))
    } else {
        None
    };
    Some(DateTime { date, time })
}

/// A time of day `HHMM`.
pub fn parse_time(value: &str) -> Option<(u8, u8)> {
    if value.len() != 4 {
        return None;
    }
    let (h, m) = (digits(&value[..2])? as u8, digits(&value[2..])? as u8);
    (h <= 23 && m <= 59).then_some((h, m))
}

pub fn hhmm((h, m): (u8, u8)) -> String {
    format!("{h:02}{m:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digit_years_take_the_century_the_rule_gives() {
        let d = parse("570121", None, 2026, Century::Past).unwrap();
        assert_eq!(d.date, Date { year: 1957, month: 1, day: 21 });
        let d = parse("260121", Some("101"), 2026, Century::Past).unwrap();
        assert_eq!(d.date.year, 2026);
        let d = parse("270121", Some("101"), 2026, Century::Past).unwrap();
        assert_eq!(d.date.year, 1927);
        let d = parse("350121", None, 2026, Century::Near).unwrap();
        assert_eq!(d.date.year, 2035);
        let d = parse("2612061530", Some("201"), 2026, Century::Near).unwrap();
        assert_eq!((d.date.day, d.time), (6, Some((15, 30))));
    }

    #[test]
    fn impossible_dates_and_mismatched_formats_are_refused() {
        assert!(parse("20250230", None, 2026, Century::Near).is_none());
        assert!(parse("570121", Some("102"), 2026, Century::Past).is_none());
        assert!(parse("2612062460", None, 2026, Century::Near).is_none());
        assert!(parse("57012", None, 2026, Century::Past).is_none());
        assert!(parse("5701２1", None, 2026, Century::Past).is_none());
        assert!(parse("570121", Some("999"), 2026, Century::Past).is_none());
    }
}
