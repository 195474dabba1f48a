//! A crossing record: one traveller passing one border post, entry or exit,
//! as `CONTRACTS.md` gives its columns (`centinela import crossings`, the
//! inspection pipeline and the synthetic country all produce these).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{BirthDate, CountryCode, DocumentNumber, Sex, ValueError};

/// The columns of the crossing-records CSV (`CONTRACTS.md`), in order.
pub const CROSSING_COLUMNS: [&str; 17] = [
    "crossing_id",
    "post",
    "direction",
    "crossed_at",
    "given_names",
    "surnames",
    "birth_date",
    "nationality",
    "sex",
    "document_type",
    "document_number",
    "issuing_state",
    "group_id",
    "vehicle",
    "phone",
    "address",
    "destination",
];

/// Entry into or exit from the country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Entry,
    Exit,
}

impl Direction {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "entry" => Ok(Direction::Entry),
            "exit" => Ok(Direction::Exit),
            _ => Err(ValueError::Choice { expected: "entry, exit" }),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Entry => "entry",
            Direction::Exit => "exit",
        }
    }
}

/// An instant, parsed from RFC 3339 (any offset) and kept in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timestamp(jiff::Timestamp);

impl Timestamp {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        s.trim().parse::<jiff::Timestamp>().map(Timestamp).map_err(|_| ValueError::Timestamp)
    }

    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn unix_seconds(&self) -> i64 {
        self.0.as_second()
    }

    pub fn from_unix_seconds(secs: i64) -> Result<Self, ValueError> {
        jiff::Timestamp::from_second(secs).map(Timestamp).map_err(|_| ValueError::Timestamp)
    }

    /// The UTC calendar date (`YYYY-MM-DD`).
    pub fn date(&self) -> String {
        self.0.strftime("%Y-%m-%d").to_string()
    }

    /// The UTC calendar date as (year, month, day).
    pub fn civil_date(&self) -> (i32, u8, u8) {
        let d = self.0.to_zoned(jiff::tz::TimeZone::UTC).date();
        (i32::from(d.year()), d.month() as u8, d.day() as u8)
    }

    /// The current time (the one clock read in the domain crate; pipelines
    /// take the time as a parameter).
    pub fn now() -> Timestamp {
        Timestamp(jiff::Timestamp::now())
    }

    /// Age in whole years on this instant's UTC date of someone born on
    /// `birth` (a partial date counts from its earliest possible day).
    pub fn age_of(&self, birth: &BirthDate) -> i32 {
        let (y, m, day) = self.civil_date();
        let (bm, bd) = (birth.month.unwrap_or(1), birth.day.unwrap_or(1));
        let mut age = y - i32::from(birth.year);
        if (m, day) < (bm, bd) {
            age -= 1;
        }
        age
    }
}

impl fmt::Display for Timestamp {
    /// RFC 3339 in UTC with seconds: `2026-11-23T12:30:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%dT%H:%M:%SZ"))
    }
}

impl TryFrom<String> for Timestamp {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Timestamp::parse(&s)
    }
}

impl From<Timestamp> for String {
    fn from(t: Timestamp) -> String {
        t.to_string()
    }
}

/// One crossing as registered at a post. Free-text fields are empty when
/// unknown; `group_id` ties the travellers of one travel party together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossingRecord {
    /// Unique across the country; importing the same id twice keeps one.
    pub crossing_id: String,
    /// The border post's code (`GTM-TECUNUMAN`).
    pub post: String,
    pub direction: Direction,
    pub crossed_at: Timestamp,
    pub given_names: String,
    pub surnames: String,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub sex: Sex,
    /// `P`, `ID`, `V` … as read from the document; empty if none.
    pub document_type: String,
    pub document_number: Option<DocumentNumber>,
    pub issuing_state: Option<CountryCode>,
    pub group_id: String,
    /// Plate, bus or flight identifier.
    pub vehicle: String,
    /// E.164 (`+50255551234`).
    pub phone: String,
    pub address: String,
    pub destination: String,
}

impl CrossingRecord {
    /// A crossing known only by its id, post, direction and time: every
    /// other field empty (unknown), to be filled as the record is read.
    pub fn new(
        crossing_id: impl Into<String>,
        post: impl Into<String>,
        direction: Direction,
        crossed_at: Timestamp,
    ) -> Self {
        CrossingRecord {
            crossing_id: crossing_id.into(),
            post: post.into(),
            direction,
            crossed_at,
            given_names: String::new(),
            surnames: String::new(),
            birth_date: None,
            nationality: None,
            sex: Sex::default(),
            document_type: String::new(),
            document_number: None,
            issuing_state: None,
            group_id: String::new(),
            vehicle: String::new(),
            phone: String::new(),
            address: String::new(),
            destination: String::new(),
        }
    }
}

/// Checks a border post's code: 2 to 40 ASCII capitals, digits and `-`
/// (`GTM-TECUNUMAN`). Nothing else is a post, so no code can carry a
/// spreadsheet formula or a control character into a file or report.
pub fn check_post_code(code: &str) -> Result<(), ValueError> {
    let ok = (2..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
    if ok { Ok(()) } else { Err(ValueError::PostCode) }
}

/// Checks an E.164 telephone number: `+`, then 8 to 15 digits, the first
/// not zero.
pub fn check_phone(s: &str) -> Result<(), ValueError> {
    let digits = s.strip_prefix('+').unwrap_or("");
    let ok = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && !digits.starts_with('0');
    if ok { Ok(()) } else { Err(ValueError::Phone) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_normalise_to_utc() {
        let t = Timestamp::parse("2026-03-01T08:15:00-06:00").unwrap();
        assert_eq!(t.to_string(), "2026-03-01T14:15:00Z");
        assert_eq!(t.date(), "2026-03-01");
        assert!(Timestamp::parse("2026-03-01").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
        let back = Timestamp::from_unix_seconds(t.unix_seconds()).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn ages_count_birthdays() {
        let t = Timestamp::parse("2026-03-01T00:00:00Z").unwrap();
        assert_eq!(t.age_of(&BirthDate::parse("2008-03-01").unwrap()), 18);
        assert_eq!(t.age_of(&BirthDate::parse("2008-03-02").unwrap()), 17);
        assert_eq!(t.age_of(&BirthDate::parse("2008").unwrap()), 18);
    }

    #[test]
    fn post_codes_are_capitals_digits_and_dashes() {
        assert!(check_post_code("GTM-TECUNUMAN").is_ok());
        for bad in ["=HYPERLINK(\"http://x\")", "G", "gtm-x", "GTM X", "GTM\0", &"A".repeat(41)] {
            assert!(check_post_code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones_are_e164() {
        assert!(check_phone("+50255551234").is_ok());
        assert!(check_phone("50255551234").is_err());
        assert!(check_phone("+0123456789").is_err());
        assert!(check_phone("+502 5555").is_err());
    }

    #[test]
    fn directions() {
        assert_eq!(Direction::parse("Entry").unwrap(), Direction::Entry);
        assert!(Direction::parse("in").is_err());
    }
}
