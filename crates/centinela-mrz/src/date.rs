//! A tiny proleptic-Gregorian civil date, enough for MRZ dates: no time
//! zones, no clocks. "Today" always comes from the caller.

use std::fmt;

/// A calendar date (proleptic Gregorian), years 0–9999. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Whether `year` is a Gregorian leap year.
pub const fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in `month` (1–12) of `year`; 0 for a month out of range.
pub const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, or `None` when year (0–9999), month or day is out of range.
    pub const fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if year < 0 || year > 9999 || month == 0 || month > 12 || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    pub const fn year(self) -> i32 {
        self.year
    }

    pub const fn month(self) -> u8 {
        self.month
    }

    pub const fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before). Howard Hinnant's `days_from_civil`.
    pub const fn days_since_epoch(self) -> i64 {
        let y = self.year as i64 - if self.month <= 2 { 1 } else { 0 };
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01 (clamped to 0000-03-01..=9999-12-31).
    /// Howard Hinnant's `civil_from_days`.
    pub const fn from_days_since_epoch(days: i64) -> Date {
        let days = if days < -719_468 {
            -719_468
        } else if days > 2_932_896 {
            2_932_896
        } else {
            days
        };
        let z = days + 719_468;
        let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + if month <= 2 { 1 } else { 0 }) as i32;
        Date { year, month, day }
    }

    /// The UTC date of a Unix timestamp in seconds.
    pub const fn from_unix_seconds(secs: i64) -> Date {
        Date::from_days_since_epoch(secs.div_euclid(86_400))
    }

    /// The same day `years` later (or earlier); 29 February becomes 28 February
    /// in a common year. Saturates at years 0 and 9999.
    pub const fn add_years(self, years: i32) -> Date {
        let year = self.year.saturating_add(years);
        let year = if year < 0 {
            0
        } else if year > 9999 {
            9999
        } else {
            year
        };
        let dim = days_in_month(year, self.month);
        Date { year, month: self.month, day: if self.day > dim { dim } else { self.day } }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A date of which month and day may be unknown (`<<` in an MRZ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    /// Only meaningful when `month` is known.
    pub day: Option<u8>,
}

impl PartialDate {
    pub const fn full(date: Date) -> PartialDate {
        PartialDate { year: date.year, month: Some(date.month), day: Some(date.day) }
    }

    /// The earliest day the date may stand for.
    pub fn earliest(self) -> Date {
        let m = self.month.unwrap_or(1).clamp(1, 12);
        let d = self.day.unwrap_or(1).clamp(1, days_in_month(self.year, m));
        Date { year: self.year, month: m, day: d }
    }

    /// The latest day the date may stand for.
    pub fn latest(self) -> Date {
        let m = self.month.unwrap_or(12).clamp(1, 12);
        let dim = days_in_month(self.year, m);
        let d = self.day.unwrap_or(dim).clamp(1, dim);
        Date { year: self.year, month: m, day: d }
    }
}

impl fmt::Display for PartialDate {
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_round_trip() {
        assert_eq!(Date::from_days_since_epoch(0), Date::new(1970, 1, 1).unwrap());
        assert_eq!(Date::new(2000, 3, 1).unwrap().days_since_epoch(), 11_017);
        assert_eq!(Date::from_days_since_epoch(2_932_896).to_string(), "9999-12-31");
        assert_eq!(Date::from_days_since_epoch(i64::MAX).to_string(), "9999-12-31");
        assert_eq!(Date::from_days_since_epoch(i64::MIN).to_string(), "0000-03-01");
        assert!(Date::new(10_000, 1, 1).is_none());
        for d in (-700_000..800_000).step_by(97) {
            assert_eq!(Date::from_days_since_epoch(d).days_since_epoch(), d);
        }
        assert_eq!(Date::from_unix_seconds(1_795_824_000).to_string(), "2026-11-28");
        assert_eq!(Date::from_unix_seconds(-1).to_string(), "1969-12-31");
    }

    #[test]
    fn validity_and_years() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert!(Date::new(1900, 2, 29).is_none());
        assert!(Date::new(2000, 2, 29).is_some());
        assert!(Date::new(2000, 13, 1).is_none());
        assert_eq!(Date::new(2024, 2, 29).unwrap().add_years(18).to_string(), "2042-02-28");
        let p = PartialDate { year: 1974, month: Some(2), day: None };
        assert_eq!(p.to_string(), "1974-02");
        assert_eq!(p.latest().to_string(), "1974-02-28");
        assert_eq!(PartialDate { year: 1974, month: None, day: None }.earliest().to_string(), "1974-01-01");
    }
}
