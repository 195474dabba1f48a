//! What the generator knows about each nationality: how its names are
//! built, what its documents, telephone numbers, addresses and vehicle
//! plates look like, and where it lies on the migration route north.
//! Formats are plausible, not authoritative.

use crate::names::NameStyle;
use crate::rng::Rng;

/// A country the generator can make travellers of.
#[derive(Debug)]
pub(crate) struct Nation {
    pub code: &'static str,
    pub style: NameStyle,
    /// Telephone country code (E.164, without `+`).
    pub dial: &'static str,
    /// Leading digits of mobile numbers, and the length of a national
    /// number including them.
    pub mobile: (&'static [&'static str], usize),
    pub cities: &'static [&'static str],
    /// Position on the route north (Colombia 0 … United States 7); `None`
    /// for countries off the route.
    pub rank: Option<u8>,
    /// Offset of local time from UTC, in hours (standard time).
    pub utc_offset: i64,
    /// Whether its citizens cross the CA-4 borders (Guatemala, El Salvador,
    /// Honduras, Nicaragua) with an identity card.
    pub ca4: bool,
}

#[allow(clippy::too_many_arguments)]
const fn nation(
    code: &'static str,
    style: NameStyle,
    dial: &'static str,
    mobile: (&'static [&'static str], usize),
    cities: &'static [&'static str],
    rank: Option<u8>,
    utc_offset: i64,
    ca4: bool,
) -> Nation {
    Nation { code, style, dial, mobile, cities, rank, utc_offset, ca4 }
}

use NameStyle::{Anglo, Guatemalan, Haitian, Hispanic};

pub(crate) const NATIONS: &[Nation] = &[
    nation(
        "GTM",
        Guatemalan,
        "502",
        (&["3", "4", "5"], 8),
        &[
            "Ciudad de Guatemala",
            "Quetzaltenango",
            "Mixco",
            "Villa Nueva",
            "Escuintla",
            "Huehuetenango",
            "Cobán",
            "Malacatán",
            "Coatepeque",
            "Chiquimula",
            "Flores, Petén",
            "Puerto Barrios",
        ],
        Some(5),
        -6,
        true,
    ),
    nation(
        "MEX",
        Hispanic,
        "52",
        (&["55", "33", "81", "962", "961", "998"], 10),
        &[
            "Tapachula, Chiapas",
            "Ciudad Hidalgo, Chiapas",
            "Comitán, Chiapas",
            "Tuxtla Gutiérrez, Chiapas",
            "Ciudad de México",
            "Villahermosa, Tabasco",
            "Chetumal, Quintana Roo",
            "Monterrey, Nuevo León",
            "Guadalajara, Jalisco",
        ],
        Some(6),
        -6,
        false,
    ),
    nation(
        "SLV",
        Hispanic,
        "503",
        (&["7", "6"], 8),
        &["San Salvador", "Santa Ana", "San Miguel", "Soyapango", "Sonsonate", "Ahuachapán", "La Unión"],
        Some(4),
        -6,
        true,
    ),
    nation(
        "HND",
        Hispanic,
        "504",
        (&["3", "8", "9"], 8),
        &["Tegucigalpa", "San Pedro Sula", "Choloma", "La Ceiba", "Comayagua", "Copán Ruinas", "Ocotepeque"],
        Some(4),
        -6,
        true,
    ),
    nation(
        "NIC",
        Hispanic,
        "505",
        (&["8", "5", "7"], 8),
        &["Managua", "León", "Chinandega", "Estelí", "Masaya", "Granada", "Somoto"],
        Some(3),
        -6,
        true,
    ),
    nation(
        "CRI",
        Hispanic,
        "506",
        (&["6", "7", "8"], 8),
        &["San José", "Alajuela", "Heredia", "Cartago", "Liberia", "Puntarenas", "Limón"],
        Some(2),
        -6,
        false,
    ),
    nation(
        "PAN",
        Hispanic,
        "507",
        (&["6"], 8),
        &["Ciudad de Panamá", "Colón", "David", "Santiago de Veraguas", "Chitré", "La Chorrera"],
        Some(1),
        -5,
        false,
    ),
    nation(
        "BLZ",
        Anglo,
        "501",
        (&["6"], 7),
        &["Belize City", "Belmopan", "San Ignacio", "Orange Walk", "Corozal", "Benque Viejo del Carmen"],
        Some(5),
        -6,
        false,
    ),
    nation(
        "DOM",
        Hispanic,
        "1",
        (&["809", "829", "849"], 10),
        &["Santo Domingo", "Santiago de los Caballeros", "La Romana", "San Pedro de Macorís", "Dajabón", "Barahona"],
        None,
        -4,
        false,
    ),
    nation(
        "VEN",
        Hispanic,
        "58",
        (&["412", "414", "424", "416"], 10),
        &["Caracas", "Maracaibo", "Valencia", "Barquisimeto", "Maracay", "San Cristóbal"],
        Some(0),
        -4,
        false,
    ),
    nation(
        "CUB",
        Hispanic,
        "53",
        (&["5"], 8),
        &["La Habana", "Santiago de Cuba", "Camagüey", "Holguín", "Santa Clara", "Matanzas"],
        Some(0),
        -5,
        false,
    ),
    nation(
        "HTI",
        Haitian,
        "509",
        (&["3", "4"], 8),
        &["Port-au-Prince", "Cap-Haïtien", "Gonaïves", "Les Cayes", "Jacmel", "Ouanaminthe"],
        Some(0),
        -5,
        false,
    ),
    nation(
        "COL",
        Hispanic,
        "57",
        (&["300", "310", "311", "315", "320"], 10),
        &["Bogotá", "Medellín", "Cali", "Barranquilla", "Cúcuta", "Necoclí"],
        Some(0),
        -5,
        false,
    ),
    nation(
        "ECU",
        Hispanic,
        "593",
        (&["9"], 9),
        &["Quito", "Guayaquil", "Cuenca", "Machala", "Ambato"],
        Some(0),
        -5,
        false,
    ),
    nation("PER", Hispanic, "51", (&["9"], 9), &["Lima", "Arequipa", "Trujillo", "Cusco"], Some(0), -5, false),
    nation(
        "USA",
        Anglo,
        "1",
        (&["213", "305", "713", "212", "404", "312", "832"], 10),
        &["Los Angeles, CA", "Houston, TX", "Miami, FL", "New York, NY", "Atlanta, GA", "Chicago, IL"],
        Some(7),
        -6,
        false,
    ),
    nation(
        "CAN",
        Anglo,
        "1",
        (&["416", "514", "604"], 10),
        &["Toronto, ON", "Montréal, QC", "Vancouver, BC"],
        None,
        -5,
        false,
    ),
    nation(
        "ESP",
        Hispanic,
        "34",
        (&["6"], 9),
        &["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao"],
        None,
        1,
        false,
    ),
];

/// The nation with the code (an unknown code falls back to Guatemala, so
/// that a misconfigured country still generates something sensible).
pub(crate) fn nation_of(code: &str) -> &'static Nation {
    NATIONS.iter().find(|n| n.code == code).unwrap_or(&NATIONS[0])
}

/// A mobile number in E.164 (`+50255512345`).
pub(crate) fn phone(rng: &mut Rng, n: &Nation) -> String {
    let lead = rng.pick(n.mobile.0);
    let mut s = String::with_capacity(16);
    s.push('+');
    s.push_str(n.dial);
    s.push_str(lead);
    // Never a leading zero after the area code, so numbers look real.
    s.push((b'1' + rng.below(9) as u8) as char);
    s.push_str(&rng.digits(n.mobile.1 - lead.len() - 1));
    s
}

/// The two kinds of document a traveller shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocKind {
    Passport,
    IdCard,
}

impl DocKind {
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Passport => "P",
            DocKind::IdCard => "ID",
        }
    }
}

/// A document number in the shape the issuing state uses (letters and
/// digits only; separators are not kept, as the domain normalises them
/// away anyway).
pub(crate) fn document_number(rng: &mut Rng, state: &str, kind: DocKind) -> String {
    let d = |rng: &mut Rng, n| rng.digits(n);
    match (state, kind) {
        ("GTM", DocKind::Passport) => format!("{}{}", rng.pick(&["G", "Q"]), d(rng, 8)),
        // DPI: the CUI, 4 + 5 + 4 digits, the last four the municipality.
        ("GTM", DocKind::IdCard) => {
            format!("{}{}{:02}{:02}", rng.range(1000, 9999), d(rng, 5), rng.range(1, 22), rng.range(1, 30))
        }
        ("MEX", DocKind::Passport) => format!("{}{}", rng.pick(&["G", "N", "E"]), d(rng, 8)),
        // INE voter key: 6 letters, birth date, sex, state and a check part.
        ("MEX", DocKind::IdCard) => {
            format!("{}{}{}{}", rng.chars(b"BCDFGHJKLMNPRSTVXZ", 6), d(rng, 6), rng.range(1, 32), rng.pick(&["H", "M"]))
                + &d(rng, 3)
        }
        ("SLV", DocKind::Passport) => format!("A{}", d(rng, 8)),
        ("SLV", DocKind::IdCard) => format!("0{}", d(rng, 8)),
        ("HND", DocKind::Passport) => format!("{}{}", rng.pick(&["E", "F", "G"]), d(rng, 7)),
        ("HND", DocKind::IdCard) => format!("{:04}{}{}", rng.range(101, 1810), rng.range(1950, 2008), d(rng, 5)),
        ("NIC", DocKind::Passport) => format!("C{}", d(rng, 8)),
        ("NIC", DocKind::IdCard) => {
            format!("{:03}{}{}", rng.range(1, 609), d(rng, 10), rng.chars(b"ABCDEFGHJKLMNPQRSTUVWXY", 1))
        }
        ("CRI", DocKind::Passport) => format!("{}", rng.range(100_000_000, 999_999_999)),
        ("CRI", DocKind::IdCard) => format!("{}0{}", rng.range(1, 7), d(rng, 8)),
        ("PAN", DocKind::Passport) => format!("PA{}", d(rng, 7)),
        ("PAN", DocKind::IdCard) => format!("{}{}{}", rng.range(1, 9), rng.range(100, 999), d(rng, 4)),
        ("BLZ", _) => format!("P{}", d(rng, 6)),
        ("DOM", DocKind::Passport) => format!("{}{}", rng.pick(&["RD", "SC"]), d(rng, 7)),
        ("DOM", DocKind::IdCard) => format!("{:03}{}", rng.range(1, 402), d(rng, 8)),
        ("VEN", DocKind::Passport) => format!("{}", rng.range(100_000_000, 199_999_999)),
        ("VEN", DocKind::IdCard) => format!("V{}", rng.range(5_000_000, 32_000_000)),
        ("CUB", DocKind::Passport) => format!("{}{}", rng.pick(&["K", "L", "J"]), d(rng, 6)),
        ("CUB", DocKind::IdCard) => d(rng, 11),
        ("HTI", _) => format!("{}{}", rng.pick(&["RD", "PP", "RA"]), d(rng, 7)),
        ("COL", DocKind::Passport) => format!("{}{}", rng.pick(&["AV", "AS", "PE"]), d(rng, 6)),
        ("COL", DocKind::IdCard) => format!("{}", rng.range(10_000_000, 1_199_999_999)),
        ("ECU", DocKind::Passport) => format!("A{}", d(rng, 7)),
        ("ECU", DocKind::IdCard) => format!("{:02}{}", rng.range(1, 24), d(rng, 8)),
        ("USA", _) => format!("{}{}", rng.pick(&["5", "6", "A"]), d(rng, 8)),
        ("CAN", _) => format!("{}{}", rng.chars(b"ABGHJKLMNPRW", 2), d(rng, 6)),
        ("ESP", DocKind::Passport) => format!("{}{}", rng.chars(b"ABCDEFGHJKLMNPRSTUVWXYZ", 3), d(rng, 6)),
        ("ESP", DocKind::IdCard) => format!("{}{}", d(rng, 8), rng.chars(b"TRWAGMYFPDXBNJZSQVHLCKE", 1)),
        (_, _) => format!("X{}", d(rng, 8)),
    }
}

/// Whether the nationality has an identity card that it may travel on
/// somewhere in the region (so records may show it).
pub(crate) fn has_id_card(n: &Nation) -> bool {
    !matches!(n.code, "USA" | "CAN" | "BLZ" | "HTI")
}

const STREETS: &[&str] = &[
    "Calle Real",
    "Avenida Central",
    "Calle del Comercio",
    "Avenida Las Américas",
    "Calle Principal",
    "Barrio El Centro",
    "Colonia San José",
    "Colonia La Esperanza",
    "Avenida Reforma",
    "Calle Los Pinos",
    "Residencial Las Flores",
    "Barrio San Antonio",
];

/// A home address in the nation's style.
pub(crate) fn address(rng: &mut Rng, n: &Nation) -> String {
    let city = rng.pick(n.cities);
    match n.code {
        "GTM" => format!(
            "{} Calle {}-{}, Zona {}, {}",
            rng.range(1, 20),
            rng.range(1, 40),
            rng.range(10, 99),
            rng.range(1, 18),
            city
        ),
        "CRI" => format!(
            "{} metros al {} de {}, {}",
            rng.range(1, 6) * 100,
            rng.pick(&["norte", "sur", "este", "oeste"]),
            rng.pick(&["la iglesia católica", "la escuela", "el parque central", "la plaza de deportes"]),
            city
        ),
        "USA" | "CAN" | "BLZ" => format!(
            "{} {} {}, {}",
            rng.range(10, 9999),
            rng.pick(&["Oak", "Maple", "Main", "Pine", "Cedar", "Elm", "Church"]),
            rng.pick(&["St", "Ave", "Rd", "Dr"]),
            city
        ),
        "HTI" => {
            format!("{} Rue {}, {}", rng.range(1, 120), rng.pick(&["Capois", "Pavée", "Lamarre", "du Centre"]), city)
        }
        _ => format!("{} #{}, {}", rng.pick(STREETS), rng.range(1, 999), city),
    }
}

/// A vehicle plate of the nation (`commercial`: a lorry).
pub(crate) fn plate(rng: &mut Rng, n: &Nation, commercial: bool) -> String {
    const L: &[u8] = b"BCDFGHJKLMNPRSTVWXYZ";
    match n.code {
        "GTM" => format!("{}-{}{}", if commercial { "C" } else { "P" }, rng.digits(3), rng.chars(L, 3)),
        "MEX" => format!("{}-{}-{}", rng.chars(L, 3), rng.digits(3), rng.chars(L, 1)),
        "SLV" => format!("{}{}", if commercial { "C" } else { "P" }, rng.range(100_000, 999_999)),
        "HND" => format!("{}{}{}", rng.chars(b"HP", 1), rng.chars(L, 2), rng.digits(4)),
        "NIC" => format!("{} {}", rng.pick(&["M", "CH", "LE", "ES"]), rng.range(10_000, 99_999)),
        "CRI" => format!("{}{}", if commercial { "C-" } else { "" }, rng.range(100_000, 999_999)),
        "PAN" => format!("{}{}", rng.chars(L, 2), rng.digits(4)),
        _ => format!("{}{}", rng.chars(L, 3), rng.digits(4)),
    }
}

/// Airlines that fly to the region, with their IATA codes.
pub(crate) const AIRLINES: &[(&str, u32)] = &[
    ("CM", 10), // Copa
    ("AV", 10), // Avianca
    ("AA", 7),
    ("UA", 7),
    ("DL", 5),
    ("AM", 5), // Aeroméxico
    ("NK", 4), // Spirit
    ("B6", 3),
    ("IB", 2),
    ("VB", 2), // Viva Aerobus
    ("5U", 3), // TAG
    ("WN", 2),
];

/// Bus companies that run international lines in the region.
pub(crate) const BUS_LINES: &[&str] =
    &["Tica Bus", "Pullman", "Transgalgos", "King Quality", "Platinum", "Hedman Alas"];

#[cfg(test)]
mod tests {
    use super::*;
    use centinela_domain::{DocumentNumber, check_phone};

    #[test]
    fn phones_and_documents_are_well_formed() {
        let mut r = Rng::new(11);
        for n in NATIONS {
            for _ in 0..50 {
                let p = phone(&mut r, n);
                assert!(check_phone(&p).is_ok(), "{p}");
                for k in [DocKind::Passport, DocKind::IdCard] {
                    let d = document_number(&mut r, n.code, k);
                    assert_eq!(DocumentNumber::parse(&d).unwrap().as_str(), d, "{}", n.code);
                }
                let a = address(&mut r, n);
                assert!(!a.contains("  ") && !a.is_empty(), "{a}");
            }
        }
    }
}
