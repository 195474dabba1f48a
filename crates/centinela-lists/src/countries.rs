//! ISO 3166-1 country codes: alpha-2 → alpha-3.
//!
//! OpenSanctions writes countries as lower-case alpha-2 codes (`mx`, `gt`);
//! Centinela stores ICAO/ISO alpha-3 codes (`MEX`, `GTM`). Alpha-3 codes (and
//! ICAO's own, such as `D` or `UTO`) pass through unchanged.

use centinela_domain::CountryCode;
pub use centinela_domain::countries::{ISO3166, alpha2_to_alpha3};

/// Codes that are not ISO 3166-1 alpha-2 but appear in FollowTheMoney data:
/// user-assigned and former states (ISO 3166-3), mapped to the alpha-3 code
/// ICAO documents carry for them.
const EXTRA: [(&str, &str); 9] = [
    ("xk", "RKS"),   // Kosovo (ICAO)
    ("uk", "GBR"),   // common misspelling of gb
    ("suhh", "SUN"), // Soviet Union
    ("csxx", "SCG"), // Serbia and Montenegro
    ("yucs", "YUG"), // Yugoslavia
    ("ddde", "DDR"), // German Democratic Republic
    ("ddr", "DDR"),
    ("cshh", "CSK"), // Czechoslovakia
    ("an", "ANT"),   // Netherlands Antilles
];

/// A country as Centinela stores it, from an alpha-2, alpha-3 or ICAO code
/// (surrounding spaces ignored). `None` when it is none of these.
pub fn to_alpha3(code: &str) -> Option<CountryCode> {
    let t = code.trim();
    if let Some((_, a3)) = EXTRA.iter().find(|(k, _)| k.eq_ignore_ascii_case(t)) {
        return CountryCode::parse(a3).ok();
    }
    if t.len() == 2 {
        return alpha2_to_alpha3(t);
    }
    CountryCode::parse(t).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_unique() {
        assert!(ISO3166.windows(2).all(|w| w[0].0 < w[1].0));
        let mut a3: Vec<_> = ISO3166.iter().map(|(_, b)| *b).collect();
        a3.sort();
        a3.dedup();
        assert_eq!(a3.len(), 249);
    }

    #[test]
    fn maps() {
        assert_eq!(to_alpha3("mx").unwrap().as_str(), "MEX");
        assert_eq!(to_alpha3("GT").unwrap().as_str(), "GTM");
        assert_eq!(to_alpha3("de").unwrap().as_str(), "DEU");
        assert_eq!(to_alpha3("MEX").unwrap().as_str(), "MEX");
        assert_eq!(to_alpha3("D").unwrap().as_str(), "D");
        assert_eq!(to_alpha3("xk").unwrap().as_str(), "RKS");
        assert_eq!(to_alpha3("suhh").unwrap().as_str(), "SUN");
        assert!(to_alpha3("zz").is_none());
        assert!(to_alpha3("m1").is_none());
        assert!(to_alpha3("").is_none());
    }
}
