//! Each country's time zone (IANA), for the border posts set up without
//! one: the region's countries each keep one zone at their borders.

/// The IANA time zone of `country` (ISO alpha-3) at its borders, when the
/// country keeps one (Mexico: its southern border's, America/Mexico_City).
pub fn country_time_zone(country: &str) -> Option<&'static str> {
    Some(match country {
        "GTM" => "America/Guatemala",
        "MEX" => "America/Mexico_City",
        "SLV" => "America/El_Salvador",
        "HND" => "America/Tegucigalpa",
        "NIC" => "America/Managua",
        "CRI" => "America/Costa_Rica",
        "PAN" => "America/Panama",
        "DOM" => "America/Santo_Domingo",
        "BLZ" => "America/Belize",
        "COL" => "America/Bogota",
        _ => return None,
    })
}

/// Whether `s` has the shape of an IANA zone name (`America/Guatemala`,
/// `UTC`): 1 to 64 ASCII letters, digits, `/`, `_`, `-`, `+`. Whether the
/// zone exists is for whoever holds the time zone database.
pub fn is_zone_name(s: &str) -> bool {
    (1..=64).contains(&s.len())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'))
        && !s.starts_with('/')
        && !s.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones() {
        assert_eq!(country_time_zone("GTM"), Some("America/Guatemala"));
        assert_eq!(country_time_zone("XXX"), None);
        assert!(is_zone_name("America/Guatemala") && is_zone_name("UTC"));
        assert!(
            !is_zone_name("") && !is_zone_name("/etc/passwd") && !is_zone_name("a b") && !is_zone_name(&"a".repeat(65))
        );
    }
}
