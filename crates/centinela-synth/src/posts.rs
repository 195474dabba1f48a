//! The real border crossing points of the region (`data/border-posts.csv`,
//! the project's own table), embedded in the crate.

use centinela_domain::CountryCode;
use serde::{Deserialize, Serialize};

/// The table, as shipped: `code,name,country,facing,facing_name,kind`.
pub const BORDER_POSTS_CSV: &str = include_str!("../data/border-posts.csv");

/// What a post is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    Land,
    Air,
    Sea,
}

/// One border crossing point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// `GTM-TECUNUMAN`: the country and a name without spaces or accents.
    pub code: String,
    /// As locals write it (`Tecún Umán`).
    pub name: String,
    pub country: CountryCode,
    /// The neighbouring country across a land or river border; `None` for
    /// airports and seaports.
    pub facing: Option<CountryCode>,
    /// The post on the other side, if any (`Ciudad Hidalgo`).
    pub facing_name: String,
    pub kind: PostKind,
}

#[derive(Deserialize)]
struct Row {
    code: String,
    name: String,
    country: String,
    facing: String,
    facing_name: String,
    kind: String,
}

/// Every post of the embedded table, in its order.
pub fn all_posts() -> Vec<Post> {
    let mut rdr = csv::Reader::from_reader(BORDER_POSTS_CSV.as_bytes());
    rdr.deserialize::<Row>()
        .map(|r| {
            // The table ships with the crate and a test reads all of it, so
            // a bad row is a bug of ours, not input.
            let r = r.expect("data/border-posts.csv is well formed");
            Post {
                country: CountryCode::parse(&r.country).expect("post country"),
                facing: CountryCode::parse_opt(&r.facing).expect("post facing country"),
                kind: match r.kind.as_str() {
                    "air" => PostKind::Air,
                    "sea" => PostKind::Sea,
                    _ => PostKind::Land,
                },
                code: r.code,
                name: r.name,
                facing_name: r.facing_name,
            }
        })
        .collect()
}

/// The posts of one country, in table order.
pub fn posts_of(country: CountryCode) -> Vec<Post> {
    all_posts().into_iter().filter(|p| p.country == country).collect()
}

/// How busy a post is relative to others of its kind (a guess from public
/// descriptions of the crossings; 3 when we know nothing better).
pub(crate) fn weight(code: &str) -> u32 {
    match code {
        "GTM-TECUNUMAN" | "MEX-CDHIDALGO" | "MEX-TIJUANA" | "GTM-GUA" | "MEX-AICM" | "MEX-CUN" | "PAN-PTY" => 10,
        "GTM-PEDRODEALVARADO"
        | "SLV-LAHACHADURA"
        | "MEX-CDJUAREZ"
        | "MEX-NUEVOLAREDO"
        | "NIC-PENASBLANCAS"
        | "CRI-PENASBLANCAS"
        | "CRI-PASOCANOAS"
        | "PAN-PASOCANOAS"
        | "DOM-DAJABON"
        | "DOM-SDQ"
        | "DOM-PUJ" => 7,
        "GTM-LAMESILLA" | "GTM-AGUACALIENTE" | "GTM-ELCARMEN" | "MEX-TALISMAN" | "SLV-ELAMATILLO"
        | "HND-ELAMATILLO" | "HND-AGUACALIENTE" | "SLV-SAL" | "CRI-SJO" | "HND-SAP" => 5,
        "GTM-ELCEIBO" | "GTM-CORINTO" | "GTM-ELFLORIDO" | "PAN-PUERTOOBALDIA" | "CRI-LASTABLILLAS" => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses_and_codes_are_unique() {
        let all = all_posts();
        assert!(all.len() >= 50);
        let mut codes: Vec<&str> = all.iter().map(|p| p.code.as_str()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        let gtm = posts_of(CountryCode::parse("GTM").unwrap());
        assert!(gtm.iter().any(|p| p.code == "GTM-TECUNUMAN" && p.kind == PostKind::Land));
        assert!(gtm.iter().any(|p| p.kind == PostKind::Air));
        assert!(all.iter().all(|p| p.code.starts_with(p.country.as_str())));
    }
}
