//! The UN Security Council's consolidated sanctions list (its XML:
//! `CONSOLIDATED_LIST/INDIVIDUALS/INDIVIDUAL`). Each individual becomes an
//! [`AlertEntry`]: `FIRST_NAME` the given name, `SECOND_NAME` to
//! `FOURTH_NAME` the surnames, `REFERENCE_NUMBER` the id (`DATAID` when
//! absent), nationalities and documents' countries by their English name,
//! dates of birth as dates (`DATE`), years (`YEAR`) or ranges
//! (`FROM_YEAR`–`TO_YEAR`: each year, up to [`MAX_RANGE_YEARS`]), passports
//! and national identity documents, and the notice (the sanctions regime
//! as reason, the Security Council as authority, `LISTED_ON` as issued).
//!
//! Aliases come with a quality. `Good` and `a.k.a.` aliases are screened.
//! `Low` aliases are weak (the list's own words: too vague to identify
//! anyone alone): one of two words or more is screened like the others —
//! a missed listed person costs more than a second look, and the score
//! already weighs how common a name is —, a one-word `Low` alias (`Abu
//! Ali`-like nicknames written as one token) is not screened, only kept in
//! the entry's notes for the officer, and counted in
//! [`UnStats::weak_aliases_kept_as_notes`].
//!
//! `ENTITIES` (organisations) are skipped and counted. A structural fault
//! (no name, no id, text with control characters) rejects the individual;
//! odd values are dropped and counted. No I/O.

use centinela_domain::text::{MAX_BLOCK_CHARS, MAX_LINE_CHARS};
use centinela_domain::{AlertEntry, BirthDate, CountryCode, DocumentNumber, Notice, Sex, check_block, check_line};
use roxmltree::{Document, Node, ParsingOptions};

use crate::ParseError;
use crate::country_names::country_by_name;

/// The widest `FROM_YEAR`–`TO_YEAR` range read as birth years.
pub const MAX_RANGE_YEARS: u16 = 10;
/// The largest document read (the list is a few MiB).
pub const MAX_UN_BYTES: usize = 64 << 20;
/// The most individuals read.
pub const MAX_UN_INDIVIDUALS: usize = 100_000;

/// What reading the list saw besides the persons.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnStats {
    pub individuals: u64,
    /// `ENTITY` records (organisations), not persons.
    pub entities_skipped: u64,
    pub dropped_values: u64,
    pub weak_aliases_kept_as_notes: u64,
}

fn child<'a>(n: Node<'a, 'a>, name: &str) -> Option<Node<'a, 'a>> {
    n.children().find(|c| c.has_tag_name(name))
}

fn children<'a>(n: Node<'a, 'a>, name: &'a str) -> impl Iterator<Item = Node<'a, 'a>> + 'a {
    n.children().filter(move |c| c.has_tag_name(name))
}

fn text_of<'a>(n: Option<Node<'a, 'a>>) -> &'a str {
    n.and_then(|n| n.text()).map(str::trim).unwrap_or("")
}

/// Reads the whole consolidated list. `Err` names the individual (its
/// position, 1-based, as `line`) and the element at fault.
pub fn read_un_list(xml: &[u8]) -> Result<(Vec<AlertEntry>, UnStats), ParseError> {
    if xml.len() > MAX_UN_BYTES {
        return Err(ParseError::new(0, "xml", "larger than 64 MiB"));
    }
    let text = std::str::from_utf8(xml).map_err(|_| ParseError::new(0, "xml", "not UTF-8"))?;
    let opts = ParsingOptions { allow_dtd: false, nodes_limit: 20_000_000, ..ParsingOptions::default() };
    let doc = Document::parse_with_options(text, opts)
        .map_err(|e| ParseError::new(e.pos().row as u64, "xml", "not well-formed XML"))?;
    let root = doc.root_element();
    if !root.has_tag_name("CONSOLIDATED_LIST") {
        return Err(ParseError::new(0, "CONSOLIDATED_LIST", "not the UN consolidated list"));
    }
    let mut stats = UnStats::default();
    if let Some(ents) = child(root, "ENTITIES") {
        stats.entities_skipped = children(ents, "ENTITY").count() as u64;
    }
    let mut out = Vec::new();
    let Some(inds) = child(root, "INDIVIDUALS") else { return Ok((out, stats)) };
    for (i, ind) in children(inds, "INDIVIDUAL").enumerate() {
        let line = i as u64 + 1;
        if i >= MAX_UN_INDIVIDUALS {
            return Err(ParseError::new(line, "INDIVIDUAL", format!("more than {MAX_UN_INDIVIDUALS} individuals")));
        }
        out.push(individual(ind, line, &mut stats)?);
        stats.individuals += 1;
    }
    Ok((out, stats))
}

fn line_text(n: Node<'_, '_>, name: &str, line: u64) -> Result<String, ParseError> {
    let t = text_of(child(n, name));
    check_line(t, MAX_LINE_CHARS).map_err(|e| ParseError::new(line, name, e.to_string()))?;
    Ok(t.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn individual(ind: Node<'_, '_>, line: u64, stats: &mut UnStats) -> Result<AlertEntry, ParseError> {
    let mut id = line_text(ind, "REFERENCE_NUMBER", line)?;
    if id.is_empty() {
        id = line_text(ind, "DATAID", line)?;
    }
    if id.is_empty() {
        return Err(ParseError::new(line, "REFERENCE_NUMBER", "an individual without REFERENCE_NUMBER or DATAID"));
    }
    let given_names = line_text(ind, "FIRST_NAME", line)?;
    let mut rest = Vec::new();
    for part in ["SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"] {
        let t = line_text(ind, part, line)?;
        if !t.is_empty() {
            rest.push(t);
        }
    }
    let surnames = rest.join(" ");
    let mut aliases: Vec<String> = Vec::new();
    let mut weak_notes: Vec<String> = Vec::new();
    for a in children(ind, "INDIVIDUAL_ALIAS").take(200) {
        let name = line_text(a, "ALIAS_NAME", line)?;
        if name.is_empty() {
            continue;
        }
        let low = text_of(child(a, "QUALITY")).eq_ignore_ascii_case("low");
        if low && name.split_whitespace().count() < 2 {
            stats.weak_aliases_kept_as_notes += 1;
            weak_notes.push(name);
        } else if !aliases.contains(&name) {
            aliases.push(name);
        }
    }
    let original = line_text(ind, "NAME_ORIGINAL_SCRIPT", line)?;
    if !original.is_empty() && !aliases.contains(&original) {
        aliases.push(original);
    }
    if given_names.is_empty() && surnames.is_empty() && aliases.is_empty() {
        return Err(ParseError::new(line, "FIRST_NAME", "an individual without any name"));
    }
    let mut birth_dates: Vec<BirthDate> = Vec::new();
    let mut push_date = |d: BirthDate| {
        if !birth_dates.contains(&d) {
            birth_dates.push(d);
        }
    };
    for d in children(ind, "INDIVIDUAL_DATE_OF_BIRTH").take(50) {
        let date = text_of(child(d, "DATE"));
        let year = text_of(child(d, "YEAR"));
        let (from, to) = (text_of(child(d, "FROM_YEAR")), text_of(child(d, "TO_YEAR")));
        if !date.is_empty() {
            let end = date.find(['T', ' ']).unwrap_or(date.len());
            match BirthDate::parse(&date[..end]) {
                Ok(b) => push_date(b),
                Err(_) => stats.dropped_values += 1,
            }
        } else if !year.is_empty() {
            match BirthDate::parse(year) {
                Ok(b) if b.month.is_none() => push_date(b),
                _ => stats.dropped_values += 1,
            }
        } else if !from.is_empty() || !to.is_empty() {
            match (from.parse::<u16>(), to.parse::<u16>()) {
                (Ok(f), Ok(t)) if (1000..=9999).contains(&f) && f <= t && t - f < MAX_RANGE_YEARS && t <= 9999 => {
                    for y in f..=t {
                        push_date(BirthDate { year: y, month: None, day: None });
                    }
                }
                _ => stats.dropped_values += 1,
            }
        }
    }
    let mut nationalities: Vec<CountryCode> = Vec::new();
    if let Some(n) = child(ind, "NATIONALITY") {
        for v in children(n, "VALUE").take(20) {
            let t = text_of(Some(v));
            if t.is_empty() {
                continue;
            }
            match country_by_name(t) {
                Some(c) if !nationalities.contains(&c) => nationalities.push(c),
                Some(_) => {}
                None => stats.dropped_values += 1,
            }
        }
    }
    let mut document_numbers: Vec<DocumentNumber> = Vec::new();
    for d in children(ind, "INDIVIDUAL_DOCUMENT").take(50) {
        let kind = text_of(child(d, "TYPE_OF_DOCUMENT")).to_ascii_lowercase();
        if !(kind.contains("passport") || kind.contains("identi")) {
            continue;
        }
        let number = text_of(child(d, "NUMBER"));
        if number.is_empty() {
            continue;
        }
        match DocumentNumber::parse(number) {
            Ok(n) if !document_numbers.contains(&n) => document_numbers.push(n),
            Ok(_) => {}
            Err(_) => stats.dropped_values += 1,
        }
    }
    let regime = line_text(ind, "UN_LIST_TYPE", line)?;
    let listed_on = text_of(child(ind, "LISTED_ON"));
    let issued = if listed_on.is_empty() {
        None
    } else {
        let end = listed_on.find(['T', ' ']).unwrap_or(listed_on.len());
        let d = BirthDate::parse(&listed_on[..end]).ok();
        if d.is_none() {
            stats.dropped_values += 1;
        }
        d
    };
    let reason = if regime.is_empty() {
        "Sanciones del Consejo de Seguridad de la ONU / UN Security Council sanctions".to_string()
    } else {
        format!("Sanciones del Consejo de Seguridad de la ONU / UN Security Council sanctions: {regime}")
    };
    let comments = text_of(child(ind, "COMMENTS1"));
    check_block(comments, MAX_BLOCK_CHARS).map_err(|e| ParseError::new(line, "COMMENTS1", e.to_string()))?;
    let mut notes = Vec::new();
    if !weak_notes.is_empty() {
        notes.push(format!("Alias de baja calidad / low-quality aliases: {}", weak_notes.join("; ")));
    }
    if !comments.is_empty() {
        notes.push(comments.to_string());
    }
    let mut notes = notes.join("\n");
    if notes.chars().count() > MAX_BLOCK_CHARS {
        notes = notes.chars().take(MAX_BLOCK_CHARS).collect();
    }
    Ok(AlertEntry {
        id,
        given_names,
        surnames,
        aliases,
        birth_dates,
        nationalities,
        sex: Sex::Unknown,
        document_numbers,
        notes,
        notice: Notice {
            reason: reason.chars().take(Notice::MAX_TEXT).collect(),
            action: String::new(),
            authority: "Consejo de Seguridad de la ONU / UN Security Council".into(),
            issued,
        },
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    pub(crate) const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-12-01T00:00:00">
 <INDIVIDUALS>
  <INDIVIDUAL>
   <DATAID>6908001</DATAID><VERSIONNUM>1</VERSIONNUM>
   <FIRST_NAME>AHMAD</FIRST_NAME><SECOND_NAME>KARIM</SECOND_NAME><THIRD_NAME>HASSAN</THIRD_NAME>
   <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER>
   <LISTED_ON>2011-05-03</LISTED_ON>
   <COMMENTS1>Reportedly deceased.</COMMENTS1>
   <NATIONALITY><VALUE>Iran (Islamic Republic of)</VALUE><VALUE>Atlantis</VALUE></NATIONALITY>
   <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Ahmad Karim Hasan</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Karim</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Karimi</ALIAS_NAME></INDIVIDUAL_ALIAS>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1961-01-01</DATE></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1963</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1964</FROM_YEAR><TO_YEAR>1965</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
   <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>K-123 456</NUMBER><ISSUING_COUNTRY>Iraq</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
   <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Driving licence</TYPE_OF_DOCUMENT><NUMBER>999</NUMBER></INDIVIDUAL_DOCUMENT>
  </INDIVIDUAL>
 </INDIVIDUALS>
 <ENTITIES><ENTITY><DATAID>1</DATAID><FIRST_NAME>SOME FRONT</FIRST_NAME></ENTITY></ENTITIES>
</CONSOLIDATED_LIST>"#;

    #[test]
    fn an_individual_becomes_an_entry() {
        let (v, st) = read_un_list(SAMPLE.as_bytes()).unwrap();
        assert_eq!(v.len(), 1);
        let e = &v[0];
        assert_eq!(e.id, "QDi.901");
        assert_eq!((e.given_names.as_str(), e.surnames.as_str()), ("AHMAD", "KARIM HASSAN"));
        assert_eq!(e.aliases, vec!["Ahmad Karim Hasan".to_string(), "Abu Karim".to_string()]);
        assert!(e.notes.contains("Karimi"), "a one-word low-quality alias kept as a note");
        let years: Vec<_> = e.birth_dates.iter().map(|d| (d.year, d.month.is_some())).collect();
        assert_eq!(years, vec![(1961, true), (1963, false), (1964, false), (1965, false)]);
        assert_eq!(e.nationalities.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["IRN"]);
        assert_eq!(e.document_numbers.iter().map(|d| d.as_str()).collect::<Vec<_>>(), ["K123456"]);
        assert!(e.notice.reason.ends_with("Al-Qaida"));
        assert_eq!(e.notice.issued, Some(BirthDate::parse("2011-05-03").unwrap()));
        assert_eq!(
            st,
            UnStats { individuals: 1, entities_skipped: 1, dropped_values: 1, weak_aliases_kept_as_notes: 1 }
        );
    }

    #[test]
    fn faults_name_the_individual_and_element() {
        let no_name = "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
        let e = read_un_list(no_name.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (1, "FIRST_NAME"));
        let no_id = "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
        assert_eq!(read_un_list(no_id.as_bytes()).unwrap_err().field, "REFERENCE_NUMBER");
        assert_eq!(read_un_list(b"<other/>").unwrap_err().field, "CONSOLIDATED_LIST");
        assert_eq!(read_un_list(b"<a>").unwrap_err().field, "xml");
        let dtd = "<!DOCTYPE x [<!ENTITY a \"aaaa\">]><CONSOLIDATED_LIST/>";
        assert_eq!(read_un_list(dtd.as_bytes()).unwrap_err().field, "xml");
        let wide = "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>A</FIRST_NAME>\
            <INDIVIDUAL_DATE_OF_BIRTH><FROM_YEAR>1900</FROM_YEAR><TO_YEAR>1990</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>\
            </INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
        let (v, st) = read_un_list(wide.as_bytes()).unwrap();
        assert!(v[0].birth_dates.is_empty());
        assert_eq!(st.dropped_values, 1);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_un_list(&bytes);
        }

        #[test]
        fn mutated_sample_never_panics(at in 0usize..SAMPLE.len(), cut in 0usize..40) {
            let s = SAMPLE.as_bytes();
            let mut v = s[..at].to_vec();
            v.extend_from_slice(&s[(at + cut).min(s.len())..]);
            let _ = read_un_list(&v);
        }
    }
}
