//! ISO 3166-1 country codes: alpha-2 → alpha-3.
//!
//! OpenSanctions writes countries as lower-case alpha-2 codes (`mx`, `gt`);
//! Centinela stores ICAO/ISO alpha-3 codes (`MEX`, `GTM`). Alpha-3 codes (and
//! ICAO's own, such as `D` or `UTO`) pass through unchanged.

use centinela_domain::CountryCode;

/// Every officially assigned ISO 3166-1 code, sorted by alpha-2.
pub const ISO3166: [([u8; 2], [u8; 3]); 249] = [
    (*b"AD", *b"AND"),
    (*b"AE", *b"ARE"),
    (*b"AF", *b"AFG"),
    (*b"AG", *b"ATG"),
    (*b"AI", *b"AIA"),
    (*b"AL", *b"ALB"),
    (*b"AM", *b"ARM"),
    (*b"AO", *b"AGO"),
    (*b"AQ", *b"ATA"),
    (*b"AR", *b"ARG"),
    (*b"AS", *b"ASM"),
    (*b"AT", *b"AUT"),
    (*b"AU", *b"AUS"),
    (*b"AW", *b"ABW"),
    (*b"AX", *b"ALA"),
    (*b"AZ", *b"AZE"),
    (*b"BA", *b"BIH"),
    (*b"BB", *b"BRB"),
    (*b"BD", *b"BGD"),
    (*b"BE", *b"BEL"),
    (*b"BF", *b"BFA"),
    (*b"BG", *b"BGR"),
    (*b"BH", *b"BHR"),
    (*b"BI", *b"BDI"),
    (*b"BJ", *b"BEN"),
    (*b"BL", *b"BLM"),
    (*b"BM", *b"BMU"),
    (*b"BN", *b"BRN"),
    (*b"BO", *b"BOL"),
    (*b"BQ", *b"BES"),
    (*b"BR", *b"BRA"),
    (*b"BS", *b"BHS"),
    (*b"BT", *b"BTN"),
    (*b"BV", *b"BVT"),
    (*b"BW", *b"BWA"),
    (*b"BY", *b"BLR"),
    (*b"BZ", *b"BLZ"),
    (*b"CA", *b"CAN"),
    (*b"CC", *b"CCK"),
    (*b"CD", *b"COD"),
    (*b"CF", *b"CAF"),
    (*b"CG", *b"COG"),
    (*b"CH", *b"CHE"),
    (*b"CI", *b"CIV"),
    (*b"CK", *b"COK"),
    (*b"CL", *b"CHL"),
    (*b"CM", *b"CMR"),
    (*b"CN", *b"CHN"),
    (*b"CO", *b"COL"),
    (*b"CR", *b"CRI"),
    (*b"CU", *b"CUB"),
    (*b"CV", *b"CPV"),
    (*b"CW", *b"CUW"),
    (*b"CX", *b"CXR"),
    (*b"CY", *b"CYP"),
    (*b"CZ", *b"CZE"),
    (*b"DE", *b"DEU"),
    (*b"DJ", *b"DJI"),
    (*b"DK", *b"DNK"),
    (*b"DM", *b"DMA"),
    (*b"DO", *b"DOM"),
    (*b"DZ", *b"DZA"),
    (*b"EC", *b"ECU"),
    (*b"EE", *b"EST"),
    (*b"EG", *b"EGY"),
    (*b"EH", *b"ESH"),
    (*b"ER", *b"ERI"),
    (*b"ES", *b"ESP"),
    (*b"ET", *b"ETH"),
    (*b"FI", *b"FIN"),
    (*b"FJ", *b"FJI"),
    (*b"FK", *b"FLK"),
    (*b"FM", *b"FSM"),
    (*b"FO", *b"FRO"),
    (*b"FR", *b"FRA"),
    (*b"GA", *b"GAB"),
    (*b"GB", *b"GBR"),
    (*b"GD", *b"GRD"),
    (*b"GE", *b"GEO"),
    (*b"GF", *b"GUF"),
    (*b"GG", *b"GGY"),
    (*b"GH", *b"GHA"),
    (*b"GI", *b"GIB"),
    (*b"GL", *b"GRL"),
    (*b"GM", *b"GMB"),
    (*b"GN", *b"GIN"),
    (*b"GP", *b"GLP"),
    (*b"GQ", *b"GNQ"),
    (*b"GR", *b"GRC"),
    (*b"GS", *b"SGS"),
    (*b"GT", *b"GTM"),
    (*b"GU", *b"GUM"),
    (*b"GW", *b"GNB"),
    (*b"GY", *b"GUY"),
    (*b"HK", *b"HKG"),
    (*b"HM", *b"HMD"),
    (*b"HN", *b"HND"),
    (*b"HR", *b"HRV"),
    (*b"HT", *b"HTI"),
    (*b"HU", *b"HUN"),
    (*b"ID", *b"IDN"),
    (*b"IE", *b"IRL"),
    (*b"IL", *b"ISR"),
    (*b"IM", *b"IMN"),
    (*b"IN", *b"IND"),
    (*b"IO", *b"IOT"),
    (*b"IQ", *b"IRQ"),
    (*b"IR", *b"IRN"),
    (*b"IS", *b"ISL"),
    (*b"IT", *b"ITA"),
    (*b"JE", *b"JEY"),
    (*b"JM", *b"JAM"),
    (*b"JO", *b"JOR"),
    (*b"JP", *b"JPN"),
    (*b"KE", *b"KEN"),
    (*b"KG", *b"KGZ"),
    (*b"KH", *b"KHM"),
    (*b"KI", *b"KIR"),
    (*b"KM", *b"COM"),
    (*b"KN", *b"KNA"),
    (*b"KP", *b"PRK"),
    (*b"KR", *b"KOR"),
    (*b"KW", *b"KWT"),
    (*b"KY", *b"CYM"),
    (*b"KZ", *b"KAZ"),
    (*b"LA", *b"LAO"),
    (*b"LB", *b"LBN"),
    (*b"LC", *b"LCA"),
    (*b"LI", *b"LIE"),
    (*b"LK", *b"LKA"),
    (*b"LR", *b"LBR"),
    (*b"LS", *b"LSO"),
    (*b"LT", *b"LTU"),
    (*b"LU", *b"LUX"),
    (*b"LV", *b"LVA"),
    (*b"LY", *b"LBY"),
    (*b"MA", *b"MAR"),
    (*b"MC", *b"MCO"),
    (*b"MD", *b"MDA"),
    (*b"ME", *b"MNE"),
    (*b"MF", *b"MAF"),
    (*b"MG", *b"MDG"),
    (*b"MH", *b"MHL"),
    (*b"MK", *b"MKD"),
    (*b"ML", *b"MLI"),
    (*b"MM", *b"MMR"),
    (*b"MN", *b"MNG"),
    (*b"MO", *b"MAC"),
    (*b"MP", *b"MNP"),
    (*b"MQ", *b"MTQ"),
    (*b"MR", *b"MRT"),
    (*b"MS", *b"MSR"),
    (*b"MT", *b"MLT"),
    (*b"MU", *b"MUS"),
    (*b"MV", *b"MDV"),
    (*b"MW", *b"MWI"),
    (*b"MX", *b"MEX"),
    (*b"MY", *b"MYS"),
    (*b"MZ", *b"MOZ"),
    (*b"NA", *b"NAM"),
    (*b"NC", *b"NCL"),
    (*b"NE", *b"NER"),
    (*b"NF", *b"NFK"),
    (*b"NG", *b"NGA"),
    (*b"NI", *b"NIC"),
    (*b"NL", *b"NLD"),
    (*b"NO", *b"NOR"),
    (*b"NP", *b"NPL"),
    (*b"NR", *b"NRU"),
    (*b"NU", *b"NIU"),
    (*b"NZ", *b"NZL"),
    (*b"OM", *b"OMN"),
    (*b"PA", *b"PAN"),
    (*b"PE", *b"PER"),
    (*b"PF", *b"PYF"),
    (*b"PG", *b"PNG"),
    (*b"PH", *b"PHL"),
    (*b"PK", *b"PAK"),
    (*b"PL", *b"POL"),
    (*b"PM", *b"SPM"),
    (*b"PN", *b"PCN"),
    (*b"PR", *b"PRI"),
    (*b"PS", *b"PSE"),
    (*b"PT", *b"PRT"),
    (*b"PW", *b"PLW"),
    (*b"PY", *b"PRY"),
    (*b"QA", *b"QAT"),
    (*b"RE", *b"REU"),
    (*b"RO", *b"ROU"),
    (*b"RS", *b"SRB"),
    (*b"RU", *b"RUS"),
    (*b"RW", *b"RWA"),
    (*b"SA", *b"SAU"),
    (*b"SB", *b"SLB"),
    (*b"SC", *b"SYC"),
    (*b"SD", *b"SDN"),
    (*b"SE", *b"SWE"),
    (*b"SG", *b"SGP"),
    (*b"SH", *b"SHN"),
    (*b"SI", *b"SVN"),
    (*b"SJ", *b"SJM"),
    (*b"SK", *b"SVK"),
    (*b"SL", *b"SLE"),
    (*b"SM", *b"SMR"),
    (*b"SN", *b"SEN"),
    (*b"SO", *b"SOM"),
    (*b"SR", *b"SUR"),
    (*b"SS", *b"SSD"),
    (*b"ST", *b"STP"),
    (*b"SV", *b"SLV"),
    (*b"SX", *b"SXM"),
    (*b"SY", *b"SYR"),
    (*b"SZ", *b"SWZ"),
    (*b"TC", *b"TCA"),
    (*b"TD", *b"TCD"),
    (*b"TF", *b"ATF"),
    (*b"TG", *b"TGO"),
    (*b"TH", *b"THA"),
    (*b"TJ", *b"TJK"),
    (*b"TK", *b"TKL"),
    (*b"TL", *b"TLS"),
    (*b"TM", *b"TKM"),
    (*b"TN", *b"TUN"),
    (*b"TO", *b"TON"),
    (*b"TR", *b"TUR"),
    (*b"TT", *b"TTO"),
    (*b"TV", *b"TUV"),
    (*b"TW", *b"TWN"),
    (*b"TZ", *b"TZA"),
    (*b"UA", *b"UKR"),
    (*b"UG", *b"UGA"),
    (*b"UM", *b"UMI"),
    (*b"US", *b"USA"),
    (*b"UY", *b"URY"),
    (*b"UZ", *b"UZB"),
    (*b"VA", *b"VAT"),
    (*b"VC", *b"VCT"),
    (*b"VE", *b"VEN"),
    (*b"VG", *b"VGB"),
    (*b"VI", *b"VIR"),
    (*b"VN", *b"VNM"),
    (*b"VU", *b"VUT"),
    (*b"WF", *b"WLF"),
    (*b"WS", *b"WSM"),
    (*b"YE", *b"YEM"),
    (*b"YT", *b"MYT"),
    (*b"ZA", *b"ZAF"),
    (*b"ZM", *b"ZMB"),
    (*b"ZW", *b"ZWE"),
];

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

/// The alpha-3 code of an alpha-2 code (any case).
pub fn alpha2_to_alpha3(code: &str) -> Option<CountryCode> {
    let b = code.as_bytes();
    if b.len() != 2 {
        return None;
    }
    let key = [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()];
    let i = ISO3166.binary_search_by(|(a2, _)| a2.cmp(&key)).ok()?;
    CountryCode::parse(std::str::from_utf8(&ISO3166[i].1).ok()?).ok()
}

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
