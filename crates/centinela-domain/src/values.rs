use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a value could not be parsed. `field`-free: the caller knows which
/// field it was parsing and adds file, line and field names around it.
///
/// It never holds the value itself: a bad value is often personal data (a
/// birth date, a document number, a name in the wrong column), and these
/// messages end up in terminals, shell logs, server logs and tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("not a date: expected YYYY, YYYY-MM or YYYY-MM-DD")]
    Date,
    #[error("not a country code: expected an ICAO/ISO 3166-1 alpha-3 code such as MEX")]
    Country,
    #[error("not a sex: expected M, F, X or empty")]
    Sex,
    #[error("not a document number: expected letters and digits")]
    DocumentNumber,
    #[error("not a timestamp: expected RFC 3339 such as 2026-03-01T08:15:00-06:00")]
    Timestamp,
    #[error("not a telephone number: expected E.164 such as +50255551234")]
    Phone,
    #[error("not a vehicle plate: 2 to 15 letters and digits, with spaces, dashes or dots")]
    Plate,
    #[error("not a border post's code: 2 to 40 capital letters, digits or '-'")]
    PostCode,
    #[error("not one of: {expected}")]
    Choice { expected: &'static str },
}

/// A birth date that may be known only in part (`YYYY` or `YYYY-MM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BirthDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl BirthDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (surrounding spaces ignored).
    /// Month and day are checked against the calendar (leap years included).
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        let err = || ValueError::Date;
        let mut parts = t.split('-');
        let year = parts.next().filter(|p| p.len() == 4).ok_or_else(err)?;
        let year: u16 = digits(year).ok_or_else(err)?;
        if year == 0 {
            return Err(err());
        }
        let month = match parts.next() {
            None => None,
            Some(m) if m.len() == 2 => Some(digits::<u8>(m).filter(|m| (1..=12).contains(m)).ok_or_else(err)?),
            Some(_) => return Err(err()),
        };
        let day = match (month, parts.next()) {
            (_, None) => None,
            (Some(m), Some(d)) if d.len() == 2 => {
                Some(digits::<u8>(d).filter(|d| *d >= 1 && *d <= days_in_month(year, m)).ok_or_else(err)?)
            }
            _ => return Err(err()),
        };
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(BirthDate { year, month, day })
    }

    /// Parses an optional field: empty (or only spaces) is `None`.
    pub fn parse_opt(s: &str) -> Result<Option<Self>, ValueError> {
        if s.trim().is_empty() { Ok(None) } else { Self::parse(s).map(Some) }
    }

    /// Reads a birth date as travellers' records carry it, accepting what the
    /// strict [`BirthDate::parse`] rejects but still says something: a day the
    /// month does not have (`1969-02-29`), one-digit parts (`1980-5-7`), and
    /// day and month written the other way round (`1980-17-05`, month > 12).
    /// The result may then not be a calendar date; it is only compared.
    /// `None` for text that is not a date at all.
    pub fn parse_lenient(s: &str) -> Option<BirthDate> {
        let t = s.trim();
        if let Ok(d) = Self::parse(t) {
            return Some(d);
        }
        let mut parts = t.split(['-', '/', '.']);
        let num = |p: Option<&str>, max: usize| -> Option<Option<u16>> {
            match p {
                None => Some(None),
                Some(p) if !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit()) => {
                    p.parse().ok().map(Some)
                }
                _ => None,
            }
        };
        let year = num(parts.next(), 4)?.filter(|y| *y >= 1000)?;
        let month = num(parts.next(), 2)?;
        let day = num(parts.next(), 2)?;
        if parts.next().is_some() || (month.is_none() && day.is_some()) {
            return None;
        }
        let ok = |v: Option<u16>| v.is_none_or(|v| (1..=31).contains(&v));
        if !ok(month) || !ok(day) || (month.unwrap_or(1) > 12 && day.unwrap_or(13) > 12) {
            return None;
        }
        Some(BirthDate { year, month: month.map(|m| m as u8), day: day.map(|d| d as u8) })
    }

    /// A full date.
    pub fn full(year: u16, month: u8, day: u8) -> Result<Self, ValueError> {
        Self::parse(&format!("{year:04}-{month:02}-{day:02}"))
    }

    pub fn is_full(&self) -> bool {
        self.day.is_some()
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

/// Days in a month of the proleptic Gregorian calendar.
pub fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        _ => 0,
    }
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None }
}

/// A country code as ICAO Doc 9303 writes it: three letters (`MEX`), or the
/// one-letter `D` for Germany. Stored upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode([u8; 3]);

impl CountryCode {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s.trim().trim_end_matches('<');
        let ok = matches!(t.len(), 1..=3)
            && t.bytes().all(|b| b.is_ascii_alphabetic())
            && (t.len() == 3 || t.eq_ignore_ascii_case("D"));
        if !ok {
            return Err(ValueError::Country);
        }
        let mut b = [b' '; 3];
        for (i, c) in t.bytes().enumerate() {
            b[i] = c.to_ascii_uppercase();
        }
        Ok(CountryCode(b))
    }

    pub fn parse_opt(s: &str) -> Result<Option<Self>, ValueError> {
        if s.trim().is_empty() { Ok(None) } else { Self::parse(s).map(Some) }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII letters and spaces are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("").trim_end()
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CountryCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Sex as travel documents record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "X")]
    Unspecified,
    #[default]
    #[serde(rename = "")]
    Unknown,
}

impl Sex {
    /// `M`, `F`, `X` (any case); empty or `<` is unknown. FollowTheMoney's
    /// `male`/`female`/`other` are accepted too.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "m" | "male" => Ok(Sex::Male),
            "f" | "female" => Ok(Sex::Female),
            "x" | "other" => Ok(Sex::Unspecified),
            "" | "<" => Ok(Sex::Unknown),
            _ => Err(ValueError::Sex),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unspecified => "X",
            Sex::Unknown => "",
        }
    }
}

/// A travel document number, normalised: upper case, without spaces,
/// dashes, dots or slashes, and without MRZ fillers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DocumentNumber(String);

impl DocumentNumber {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let mut out = String::with_capacity(s.len());
        for c in s.chars() {
            match c {
                ' ' | '-' | '.' | '/' | '<' | '\t' => {}
                c if c.is_ascii_alphanumeric() => out.push(c.to_ascii_uppercase()),
                _ => return Err(ValueError::DocumentNumber),
            }
        }
        if out.is_empty() || out.len() > 40 {
            return Err(ValueError::DocumentNumber);
        }
        Ok(DocumentNumber(out))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with the characters OCR and people confuse folded to one
    /// form (O→0, I→1, L→1, S→5, B→8, Z→2), for lookups that tolerate them.
    pub fn confusable_key(&self) -> String {
        self.0
            .chars()
            .map(|c| match c {
                'O' | 'Q' | 'D' => '0',
                'I' | 'L' => '1',
                'S' => '5',
                'B' => '8',
                'Z' => '2',
                'G' => '6',
                c => c,
            })
            .collect()
    }
}

impl fmt::Display for DocumentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Issue 16: a refused value is often personal data; the message
    /// says what was expected, never what was given.
    #[test]
    fn errors_never_repeat_the_value() {
        let v = "Xóchitl Quetzalcóatl";
        let errors = [
            BirthDate::parse(v).unwrap_err(),
            CountryCode::parse(v).unwrap_err(),
            Sex::parse(v).unwrap_err(),
            DocumentNumber::parse(v).unwrap_err(),
            crate::Timestamp::parse(v).unwrap_err(),
            crate::check_phone(v).unwrap_err(),
            crate::check_post_code(v).unwrap_err(),
            crate::Direction::parse(v).unwrap_err(),
        ];
        for e in errors {
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("chitl") && !shown.contains("Quetzalc"), "{shown}");
        }
    }

    #[test]
    fn partial_dates() {
        assert_eq!(BirthDate::parse("1980").unwrap(), BirthDate { year: 1980, month: None, day: None });
        assert_eq!(BirthDate::parse("1980-02").unwrap().to_string(), "1980-02");
        assert_eq!(BirthDate::parse("2000-02-29").unwrap().to_string(), "2000-02-29");
        for bad in ["1900-02-29", "1980-13", "1980-00-10", "80", "1980-1-1", "1980-01-01-01", "abcd", "1980-04-31", ""]
        {
            assert!(BirthDate::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(BirthDate::parse_opt("  ").unwrap(), None);
    }

    #[test]
    fn lenient_dates() {
        let raw = |y, m, d| BirthDate { year: y, month: m, day: d };
        assert_eq!(BirthDate::parse_lenient("1969-02-29"), Some(raw(1969, Some(2), Some(29))));
        assert_eq!(BirthDate::parse_lenient("1980-17-05"), Some(raw(1980, Some(17), Some(5))));
        assert_eq!(BirthDate::parse_lenient("1980-5-7"), Some(raw(1980, Some(5), Some(7))));
        assert_eq!(BirthDate::parse_lenient(" 1980 "), Some(raw(1980, None, None)));
        for bad in ["", "abc", "80-01-01", "1980-13-13", "1980-00-01", "1980-01-32", "1980--01", "1980-01-01-01"] {
            assert_eq!(BirthDate::parse_lenient(bad), None, "{bad}");
        }
    }

    #[test]
    fn countries() {
        assert_eq!(CountryCode::parse("mex").unwrap().as_str(), "MEX");
        assert_eq!(CountryCode::parse("D<<").unwrap().as_str(), "D");
        assert!(CountryCode::parse("MX").is_err());
        assert!(CountryCode::parse("ME1").is_err());
    }

    #[test]
    fn document_numbers() {
        let d = DocumentNumber::parse("g-123 456.7").unwrap();
        assert_eq!(d.as_str(), "G1234567");
        assert_eq!(DocumentNumber::parse("OI5B").unwrap().confusable_key(), "0158");
        assert!(DocumentNumber::parse("ñ12").is_err());
        assert!(DocumentNumber::parse("--").is_err());
    }

    proptest! {
        #[test]
        fn date_round_trip(y in 1u16..=9999, m in 1u8..=12, d in 1u8..=31, parts in 0usize..3) {
            let text = match parts {
                0 => format!("{y:04}"),
                1 => format!("{y:04}-{m:02}"),
                _ => format!("{y:04}-{m:02}-{d:02}"),
            };
            match BirthDate::parse(&text) {
                Ok(v) => prop_assert_eq!(v.to_string(), text),
                Err(_) => prop_assert!(parts == 2 && d > days_in_month(y, m)),
            }
        }

        #[test]
        fn date_parse_never_panics(s in "\\PC{0,12}") {
            let _ = BirthDate::parse(&s);
        }
    }
}
