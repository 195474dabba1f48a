//! Categories coarsened before publication: days into weeks or months,
//! nationalities outside the region into `other`, ages into bands, unknown
//! values into `unknown`.

use serde::Serialize;

use crate::StatsError;

/// The countries whose nationals are counted one by one: Central America,
/// Mexico and the Dominican Republic (ISO 3166-1 alpha-3). Everyone else is
/// [`OTHER`].
pub const REGION: &[&str] = &["BLZ", "CRI", "DOM", "GTM", "HND", "MEX", "NIC", "PAN", "SLV"];

/// The category of every nationality outside [`REGION`].
pub const OTHER: &str = "other";

/// The category of an empty (unknown) value.
pub const UNKNOWN: &str = "unknown";

/// What happened to identified victims (rows of `outcomes_outcome_period`;
/// one victim counts once under each outcome that applies, so the column
/// totals count outcomes, not victims).
pub const OUTCOMES: &[&str] = &["assisted", "prosecuted", "repatriated"];

/// Age bands: (lowest age, label), ascending. An age is in the last band
/// whose lowest age it reaches. `0-17` are the minors.
pub const AGE_BANDS: &[(u32, &str)] = &[(0, "0-17"), (18, "18-29"), (30, "30-49"), (50, "50+")];

/// The time unit of published tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// ISO 8601 weeks, `2026-W03`.
    Week,
    /// Calendar months, `2026-01`.
    #[default]
    Month,
}

impl Period {
    pub fn parse(s: &str) -> Result<Period, StatsError> {
        match s {
            "week" => Ok(Period::Week),
            "month" => Ok(Period::Month),
            _ => Err(StatsError::BadPeriod(s.to_string())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
        }
    }

    /// The period a day (`YYYY-MM-DD`) falls in; `None` for anything else.
    pub fn of(self, day: &str) -> Option<String> {
        let date: jiff::civil::Date = day.parse().ok()?;
        Some(match self {
            Period::Month => format!("{:04}-{:02}", date.year(), date.month()),
            Period::Week => {
                let w = date.iso_week_date();
                format!("{:04}-W{:02}", w.year(), w.week())
            }
        })
    }
}

/// A nationality as published: itself inside the region, else `other`.
pub fn nationality(code: &str) -> &str {
    if REGION.contains(&code) { code } else { OTHER }
}

/// The band of an age in years.
pub fn age_band(age: u32) -> &'static str {
    AGE_BANDS.iter().rev().find(|(lo, _)| age >= *lo).map_or(AGE_BANDS[0].1, |b| b.1)
}

/// The values an attribute takes whatever the data: published tables list
/// them all, so a row or column that exists tells nothing about the data
/// (a nationality with one traveller is not betrayed by its row). Posts
/// come with the facts; periods from the release's dates.
pub fn domain(dim: &str) -> Vec<String> {
    let v: Vec<&str> = match dim {
        "nationality" => REGION.iter().copied().chain([OTHER]).collect(),
        "age" => AGE_BANDS.iter().map(|b| b.1).chain([UNKNOWN]).collect(),
        "sex" => vec!["F", "M", OTHER],
        "direction" => vec!["entry", "exit"],
        "verdict" => vec!["confirmed", "dismissed", "open"],
        "unit" => vec!["protection", "secondary_inspection"],
        "decision" => vec!["admit", "refer_to_protection", "refuse", "secondary_inspection"],
        "outcome" => OUTCOMES.to_vec(),
        _ => Vec::new(),
    };
    v.into_iter().map(str::to_string).collect()
}

/// Every period from the one holding `from` to the one holding `to`.
pub fn periods(period: Period, from: jiff::civil::Date, to: jiff::civil::Date) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut d = from;
    // At most 50 years of days.
    for _ in 0..18_300 {
        if d > to {
            break;
        }
        let label = period.of(&d.to_string()).unwrap_or_default();
        if out.last() != Some(&label) {
            out.push(label);
        }
        let Ok(next) = d.tomorrow() else { break };
        d = next;
    }
    out
}

/// One attribute's value as published: the attribute's name (the day
/// becomes the `period`) and the coarsened value; `None` drops the row (a
/// day that is no date).
pub fn value(dim: &str, v: &str, period: Period) -> Option<(&'static str, String)> {
    let name = match dim {
        "day" => return period.of(v).map(|p| ("period", p)),
        "nationality" => return Some(("nationality", nationality(v).to_string())),
        "post" => "post",
        "direction" => "direction",
        "sex" => return Some(("sex", if matches!(v, "F" | "M") { v.to_string() } else { OTHER.to_string() })),
        "age" => "age",
        "verdict" => "verdict",
        "unit" => "unit",
        "decision" => "decision",
        "exploitation" => "exploitation",
        "outcome" => "outcome",
        _ => "category",
    };
    Some((name, if v.is_empty() { UNKNOWN.to_string() } else { v.to_string() }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_become_weeks_or_months() {
        assert_eq!(Period::Month.of("2026-01-31").as_deref(), Some("2026-01"));
        assert_eq!(Period::Week.of("2026-01-01").as_deref(), Some("2026-W01"));
        // 1 January 2027 is a Friday: ISO week 53 of 2026.
        assert_eq!(Period::Week.of("2027-01-01").as_deref(), Some("2026-W53"));
        assert_eq!(Period::Month.of("2026-13-01"), None);
        assert!(Period::parse("day").is_err());
    }

    #[test]
    fn nationalities_outside_the_region_are_other_and_ages_banded() {
        assert_eq!(nationality("GTM"), "GTM");
        assert_eq!(nationality("VEN"), OTHER);
        assert_eq!(nationality(""), OTHER);
        assert_eq!(
            [age_band(0), age_band(17), age_band(18), age_band(49), age_band(50)],
            ["0-17", "0-17", "18-29", "30-49", "50+"]
        );
        assert_eq!(value("sex", "", Period::Month), Some(("sex", OTHER.to_string())));
        assert_eq!(value("sex", "X", Period::Month), Some(("sex", OTHER.to_string())));
        assert_eq!(value("age", "", Period::Month), Some(("age", UNKNOWN.to_string())));
        let d = |s: &str| s.parse::<jiff::civil::Date>().unwrap();
        assert_eq!(
            periods(Period::Month, d("2025-11-30"), d("2026-02-01")),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(periods(Period::Week, d("2026-01-01"), d("2026-01-12")), ["2026-W01", "2026-W02", "2026-W03"]);
    }
}
