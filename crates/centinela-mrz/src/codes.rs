//! The ICAO code list for issuing states and nationalities (Doc 9303 Part 3,
//! §5): every ISO 3166-1 alpha-3 code, `D` for Germany, and the codes ICAO
//! reserves for organisations, special nationalities and the specimen state.

/// ISO 3166-1 alpha-3 codes of states and territories.
pub const ISO_3166: &[&str] = &[
    "ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ARM", "ASM", "ATA", "ATF", "ATG", "AUS", "AUT",
    "AZE", "BDI", "BEL", "BEN", "BES", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLM", "BLR", "BLZ", "BMU", "BOL",
    "BRA", "BRB", "BRN", "BTN", "BVT", "BWA", "CAF", "CAN", "CCK", "CHE", "CHL", "CHN", "CIV", "CMR", "COD", "COG",
    "COK", "COL", "COM", "CPV", "CRI", "CUB", "CUW", "CXR", "CYM", "CYP", "CZE", "DEU", "DJI", "DMA", "DNK", "DOM",
    "DZA", "ECU", "EGY", "ERI", "ESH", "ESP", "EST", "ETH", "FIN", "FJI", "FLK", "FRA", "FRO", "FSM", "GAB", "GBR",
    "GEO", "GGY", "GHA", "GIB", "GIN", "GLP", "GMB", "GNB", "GNQ", "GRC", "GRD", "GRL", "GTM", "GUF", "GUM", "GUY",
    "HKG", "HMD", "HND", "HRV", "HTI", "HUN", "IDN", "IMN", "IND", "IOT", "IRL", "IRN", "IRQ", "ISL", "ISR", "ITA",
    "JAM", "JEY", "JOR", "JPN", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA", "KOR", "KWT", "LAO", "LBN", "LBR", "LBY",
    "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MAC", "MAF", "MAR", "MCO", "MDA", "MDG", "MDV", "MEX", "MHL",
    "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MNP", "MOZ", "MRT", "MSR", "MTQ", "MUS", "MWI", "MYS", "MYT", "NAM",
    "NCL", "NER", "NFK", "NGA", "NIC", "NIU", "NLD", "NOR", "NPL", "NRU", "NZL", "OMN", "PAK", "PAN", "PCN", "PER",
    "PHL", "PLW", "PNG", "POL", "PRI", "PRK", "PRT", "PRY", "PSE", "PYF", "QAT", "REU", "ROU", "RUS", "RWA", "SAU",
    "SDN", "SEN", "SGP", "SGS", "SHN", "SJM", "SLB", "SLE", "SLV", "SMR", "SOM", "SPM", "SRB", "SSD", "STP", "SUR",
    "SVK", "SVN", "SWE", "SWZ", "SXM", "SYC", "SYR", "TCA", "TCD", "TGO", "THA", "TJK", "TKL", "TKM", "TLS", "TON",
    "TTO", "TUN", "TUR", "TUV", "TWN", "TZA", "UGA", "UKR", "UMI", "URY", "USA", "UZB", "VAT", "VCT", "VEN", "VGB",
    "VIR", "VNM", "VUT", "WLF", "WSM", "YEM", "ZAF", "ZMB", "ZWE",
];

/// Codes Doc 9303 Part 3 adds that denote a state (or the specimen state):
/// Kosovo (`RKS`), Zimbabwe's legacy `ZIM`, and Utopia (`UTO`).
pub const ICAO_STATES: &[&str] = &["RKS", "UTO", "ZIM"];

/// Codes that denote no state: British nationality categories, the EU,
/// United Nations organisations, other international organisations and
/// special nationalities (stateless, refugee, unspecified).
pub const ICAO_SPECIAL: &[&str] = &[
    "EUE", "GBD", "GBN", "GBO", "GBP", "GBS", "UNA", "UNK", "UNO", "XBA", "XCC", "XCO", "XDC", "XEC", "XES", "XIM",
    "XMP", "XOM", "XPO", "XXA", "XXB", "XXC", "XXX",
];

/// What kind of entity a code stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// A state or territory (ISO 3166-1, `D`, `RKS`, `UTO`, `ZIM`).
    State,
    /// An organisation, a British nationality category or a special nationality.
    Special,
}

const fn index(c: &[u8; 3]) -> usize {
    (c[0] - b'A') as usize * 676 + (c[1] - b'A') as usize * 26 + (c[2] - b'A') as usize
}

const fn build(lists: [&[&str]; 2]) -> [u64; 275] {
    let mut bits = [0u64; 275];
    let mut l = 0;
    while l < lists.len() {
        let list = lists[l];
        let mut i = 0;
        while i < list.len() {
            let b = list[i].as_bytes();
            let ix = index(&[b[0], b[1], b[2]]);
            bits[ix / 64] |= 1 << (ix % 64);
            i += 1;
        }
        l += 1;
    }
    bits
}

static STATES: [u64; 275] = build([ISO_3166, ICAO_STATES]);
static SPECIAL: [u64; 275] = build([ICAO_SPECIAL, &[]]);

/// Looks up a three-character MRZ code field (`D<<` for Germany).
/// `None` when the code is not on the ICAO list.
pub fn lookup(field: &[u8]) -> Option<CodeKind> {
    match field {
        b"D<<" => Some(CodeKind::State),
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z', c @ b'A'..=b'Z'] => {
            let ix = index(&[*a, *b, *c]);
            if STATES[ix / 64] >> (ix % 64) & 1 == 1 {
                Some(CodeKind::State)
            } else if SPECIAL[ix / 64] >> (ix % 64) & 1 == 1 {
                Some(CodeKind::Special)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether a code (as printed, e.g. `D`, `MEX`, `XXA`) is on the ICAO list.
pub fn is_known(code: &str) -> bool {
    let b = code.as_bytes();
    match b.len() {
        1 => lookup(&[b[0], b'<', b'<']).is_some(),
        3 => lookup(b).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_complete_and_sorted() {
        assert_eq!(ISO_3166.len(), 249);
        assert!(ISO_3166.windows(2).all(|w| w[0] < w[1]));
        assert!(ICAO_SPECIAL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn lookups() {
        assert_eq!(lookup(b"MEX"), Some(CodeKind::State));
        assert_eq!(lookup(b"UTO"), Some(CodeKind::State));
        assert_eq!(lookup(b"D<<"), Some(CodeKind::State));
        assert_eq!(lookup(b"XXA"), Some(CodeKind::Special));
        assert_eq!(lookup(b"GBD"), Some(CodeKind::Special));
        assert_eq!(lookup(b"ABC"), None);
        assert_eq!(lookup(b"A<<"), None);
        assert_eq!(lookup(b"M3X"), None);
        assert_eq!(lookup(b"ME"), None);
        assert!(is_known("D") && is_known("DEU") && !is_known("DE") && !is_known(""));
    }
}
