//! Exports of the network for the analysts' other tools.
//!
//! - [`write_ftm`]: FollowTheMoney JSON lines — one `Person` entity per
//!   resolved person (id `centinela-R0000001`, names, birth dates,
//!   nationalities as FtM's lower-case alpha-2 codes, gender, document
//!   numbers as `passportNumber`), one `Identification` per document
//!   (`holder`, `number`, `country`), then one relationship
//!   entity per pair of linked persons: `Associate` (`person`, `associate`,
//!   `relationship`) when they crossed together (travel party, vehicle),
//!   `UnknownLink` (`subject`, `object`, `role`) when they only share a
//!   phone, address or document. Both carry `summary` (the link's kinds and
//!   counts), `startDate`/`endDate` and, in `recordId`, the crossings.
//! - [`write_graphml`]: GraphML for Gephi, i2 and Maltego: a node per
//!   person (`label`, `person_id`, `role`, `crossings`, `facilitator_score`,
//!   `rings`), an undirected edge per linked pair (`weight`, `kinds`).
//!
//! Scope: the persons given (a ring, a person's neighbourhood, or
//! [`Report::linked_persons`]) and the links among them.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::{self, Write};

use centinela_domain::Timestamp;
use serde_json::{Value, json};

use crate::resolve::person_label;
use crate::view::{PersonLink, Report, parse_person_label};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Ftm,
    Graphml,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "ftm" => Some(Format::Ftm),
            "graphml" => Some(Format::Graphml),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ftm => "ftm",
            Format::Graphml => "graphml",
        }
    }

    /// The media type of the export.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Ftm => "application/x-ndjson",
            Format::Graphml => "application/graphml+xml",
        }
    }
}

/// Writes `persons` and their links in `format`.
pub fn write(report: &Report, persons: &[u32], format: Format, w: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Ftm => write_ftm(report, persons, w),
        Format::Graphml => write_graphml(report, persons, w),
    }
}

fn date(t: i64) -> String {
    Timestamp::from_unix_seconds(t).map(|t| t.date()).unwrap_or_default()
}

/// Each pair of linked persons once (`a < b`), with the link seen from `a`.
fn pairs(report: &Report, persons: &[u32]) -> Vec<(u32, u32, PersonLink)> {
    let set: BTreeSet<u32> = persons.iter().copied().collect();
    let mut out = Vec::new();
    for &a in &set {
        for l in report.links(a) {
            if let Some(b) = parse_person_label(&l.person_id)
                && a < b
                && set.contains(&b)
            {
                out.push((a, b, l));
            }
        }
    }
    out
}

fn summary_of(l: &PersonLink) -> String {
    l.kinds.iter().map(|(k, n)| format!("{k}: {n}")).collect::<Vec<_>>().join(", ")
}

/// A country as FtM writes it (lower-case ISO alpha-2), from Centinela's
/// alpha-3 or ICAO code; `None` for codes without a state (`UTO`, `XXA`).
fn ftm_country(code: &str) -> Option<String> {
    let c = centinela_domain::CountryCode::parse(code).ok()?;
    centinela_domain::countries::alpha3_to_alpha2(&c).map(str::to_ascii_lowercase)
}

/// A person's documents (`STATE:NUMBER` keys) as (state, number).
fn documents(keys: &[String]) -> impl Iterator<Item = (&str, &str)> {
    keys.iter().map(|k| k.split_once(':').unwrap_or(("", k.as_str())))
}

fn entity_id(p: u32) -> String {
    format!("centinela-{}", person_label(p))
}

/// FollowTheMoney JSON lines: persons, then relationships.
pub fn write_ftm(report: &Report, persons: &[u32], w: &mut dyn Write) -> io::Result<()> {
    let set: BTreeSet<u32> = persons.iter().copied().collect();
    for &p in &set {
        let s = report.summary(p);
        let c = &report.crossings;
        let mut first = BTreeSet::new();
        let mut last = BTreeSet::new();
        for &i in report.crossings_of(p) {
            let n = &c.names[c.name[i as usize] as usize];
            let join = |ts: &[u32]| ts.iter().map(|&t| c.token_text(t)).collect::<Vec<_>>().join(" ");
            if !n.given.is_empty() {
                first.insert(join(&n.given));
            }
            if !n.surnames.is_empty() {
                last.insert(join(&n.surnames));
            }
        }
        let gender: Vec<&str> = s
            .sexes
            .iter()
            .map(|x| match x.as_str() {
                "M" => "male",
                "F" => "female",
                _ => "other",
            })
            .collect();
        let mut names = vec![s.name.clone()];
        names.extend(s.other_names.iter().cloned());
        names.retain(|n| !n.is_empty());
        let mut props = serde_json::Map::new();
        let mut put = |k: &str, v: Vec<String>| {
            if !v.is_empty() {
                props.insert(k.into(), Value::Array(v.into_iter().map(Value::String).collect()));
            }
        };
        put("name", names);
        put("firstName", first.into_iter().collect());
        put("lastName", last.into_iter().collect());
        put("birthDate", s.birth_dates.clone());
        put("nationality", s.nationalities.iter().filter_map(|c| ftm_country(c)).collect());
        put("gender", gender.into_iter().map(String::from).collect());
        put("passportNumber", documents(&s.documents).map(|(_, n)| n.to_owned()).collect());
        let mut notes = vec![format!("{} crossings, {} to {}", s.crossings, date(s.first_seen), date(s.last_seen))];
        if let Some(score) = s.facilitator_score {
            notes.push(format!("likely facilitator (score {score:.2})"));
        }
        if !s.ring_ids.is_empty() {
            notes.push(format!("ring {}", s.ring_ids.join(", ")));
        }
        put("notes", notes);
        let line = json!({ "id": entity_id(p), "schema": "Person", "properties": props });
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    for &p in &set {
        for (state, number) in documents(&report.summary(p).documents) {
            let mut props = serde_json::Map::new();
            props.insert("holder".into(), json!([entity_id(p)]));
            props.insert("number".into(), json!([number]));
            props.insert("type".into(), json!(["travel document"]));
            if let Some(c) = ftm_country(state) {
                props.insert("country".into(), json!([c]));
            }
            let id = format!("centinela-{}-doc-{state}-{number}", person_label(p));
            serde_json::to_writer(&mut *w, &json!({ "id": id, "schema": "Identification", "properties": props }))?;
            w.write_all(b"\n")?;
        }
    }
    for (a, b, l) in pairs(report, persons) {
        let together = l.kinds.contains_key("party") || l.kinds.contains_key("vehicle");
        let (schema, from, to, role) = if together {
            ("Associate", "person", "associate", "relationship")
        } else {
            ("UnknownLink", "subject", "object", "role")
        };
        let kinds: Vec<&str> = l.kinds.keys().copied().collect();
        let mut props = serde_json::Map::new();
        props.insert(from.into(), json!([entity_id(a)]));
        props.insert(to.into(), json!([entity_id(b)]));
        props.insert(role.into(), json!([format!("centinela: {}", kinds.join(", "))]));
        props.insert("summary".into(), json!([summary_of(&l)]));
        props.insert("startDate".into(), json!([date(l.first)]));
        props.insert("endDate".into(), json!([date(l.last)]));
        if !l.crossing_ids.is_empty() {
            props.insert("recordId".into(), json!(l.crossing_ids));
        }
        if !l.shared.is_empty() {
            props.insert("description".into(), json!([l.shared.join("; ")]));
        }
        let line = json!({
            "id": format!("centinela-{}-{}", person_label(a), person_label(b)),
            "schema": schema,
            "properties": props,
        });
        serde_json::to_writer(&mut *w, &line)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

/// `s` fit for XML text and attribute values: `& < > " '` as entities, tab,
/// line feed and carriage return as character references (so that a parser's
/// line-end and attribute normalisation gives them back unchanged),
/// characters XML 1.0 does not allow (other control characters, U+FFFE,
/// U+FFFF) dropped.
pub fn xml_escape(s: &str) -> Cow<'_, str> {
    let needs = |c: char| matches!(c, '&' | '<' | '>' | '"' | '\'' | '\t' | '\n' | '\r') || !xml_char(c);
    if !s.chars().any(needs) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            c if xml_char(c) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// Whether XML 1.0 allows `c` in a document.
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// GraphML: persons as nodes, links as undirected weighted edges.
pub fn write_graphml(report: &Report, persons: &[u32], w: &mut dyn Write) -> io::Result<()> {
    let set: BTreeSet<u32> = persons.iter().copied().collect();
    w.write_all(
        b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n\
  <key id=\"label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n\
  <key id=\"person_id\" for=\"node\" attr.name=\"person_id\" attr.type=\"string\"/>\n\
  <key id=\"role\" for=\"node\" attr.name=\"role\" attr.type=\"string\"/>\n\
  <key id=\"crossings\" for=\"node\" attr.name=\"crossings\" attr.type=\"int\"/>\n\
  <key id=\"facilitator_score\" for=\"node\" attr.name=\"facilitator_score\" attr.type=\"double\"/>\n\
  <key id=\"rings\" for=\"node\" attr.name=\"rings\" attr.type=\"string\"/>\n\
  <key id=\"documents\" for=\"node\" attr.name=\"documents\" attr.type=\"string\"/>\n\
  <key id=\"weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n\
  <key id=\"kinds\" for=\"edge\" attr.name=\"kinds\" attr.type=\"string\"/>\n\
  <key id=\"first\" for=\"edge\" attr.name=\"first\" attr.type=\"string\"/>\n\
  <key id=\"last\" for=\"edge\" attr.name=\"last\" attr.type=\"string\"/>\n\
  <graph id=\"centinela\" edgedefault=\"undirected\">\n",
    )?;
    for &p in &set {
        let s = report.summary(p);
        let role = if s.facilitator_score.is_some() { "facilitator" } else { "person" };
        writeln!(w, "    <node id=\"{}\">", s.person_id)?;
        writeln!(w, "      <data key=\"label\">{}</data>", xml_escape(&s.name))?;
        writeln!(w, "      <data key=\"person_id\">{}</data>", s.person_id)?;
        writeln!(w, "      <data key=\"role\">{role}</data>")?;
        writeln!(w, "      <data key=\"crossings\">{}</data>", s.crossings)?;
        if let Some(score) = s.facilitator_score {
            writeln!(w, "      <data key=\"facilitator_score\">{score:.4}</data>")?;
        }
        if !s.ring_ids.is_empty() {
            writeln!(w, "      <data key=\"rings\">{}</data>", xml_escape(&s.ring_ids.join(" ")))?;
        }
        if !s.documents.is_empty() {
            writeln!(w, "      <data key=\"documents\">{}</data>", xml_escape(&s.documents.join(" ")))?;
        }
        writeln!(w, "    </node>")?;
    }
    for (k, (a, b, l)) in pairs(report, persons).into_iter().enumerate() {
        writeln!(w, "    <edge id=\"e{k}\" source=\"{}\" target=\"{}\">", person_label(a), person_label(b))?;
        writeln!(w, "      <data key=\"weight\">{:.3}</data>", l.weight)?;
        writeln!(w, "      <data key=\"kinds\">{}</data>", xml_escape(&summary_of(&l)))?;
        writeln!(w, "      <data key=\"first\">{}</data>", date(l.first))?;
        writeln!(w, "      <data key=\"last\">{}</data>", date(l.last))?;
        writeln!(w, "    </edge>")?;
    }
    w.write_all(b"  </graph>\n</graphml>\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Crossings;
    use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Sex};
    use proptest::prelude::*;

    fn rec(id: &str, given: &str, surnames: &str, group: &str, phone: &str) -> CrossingRecord {
        CrossingRecord {
            given_names: given.into(),
            surnames: surnames.into(),
            birth_date: BirthDate::parse_opt("1990-01-02").unwrap(),
            nationality: CountryCode::parse("GTM").ok(),
            sex: Sex::Female,
            document_type: "P".into(),
            document_number: DocumentNumber::parse(&format!("X{id}")).ok(),
            issuing_state: CountryCode::parse("GTM").ok(),
            group_id: group.into(),
            phone: phone.into(),
            ..CrossingRecord::new(
                id,
                "GTM-TECUNUMAN",
                Direction::Entry,
                Timestamp::parse("2025-03-01T10:00:00Z").unwrap(),
            )
        }
    }

    /// Names that need escaping, in a party and sharing a phone.
    fn report() -> Report {
        let recs = vec![
            rec("1", "Ana <b>", "O'Brien & Hijos", "G1", "+50255550001"),
            rec("2", "Rosa \"la\"", "Pérez", "G1", "+50255550001"),
            rec("3", "Luis", "Coj", "", "+50255550001"),
        ];
        Report::build(Crossings::build(&recs), &[])
    }

    #[test]
    fn graphml_is_well_formed_xml_with_every_person_and_link() {
        let r = report();
        let mut out = Vec::new();
        write_graphml(&r, &r.linked_persons(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let nodes: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("node")).collect();
        let edges: Vec<_> = doc.descendants().filter(|n| n.has_tag_name("edge")).collect();
        assert_eq!(nodes.len(), 3);
        assert_eq!(edges.len(), 3, "{text}");
        // The escaped names read back as written (folded upper case by the resolver).
        let labels: Vec<&str> = doc
            .descendants()
            .filter(|n| n.has_tag_name("data") && n.attribute("key") == Some("label"))
            .filter_map(|n| n.text())
            .collect();
        assert!(labels.iter().any(|l| l.contains("ANA")), "{labels:?}");
    }

    #[test]
    fn ftm_has_persons_then_relationships() {
        let r = report();
        let mut out = Vec::new();
        write_ftm(&r, &r.linked_persons(), &mut out).unwrap();
        let lines: Vec<Value> =
            String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let schemas: Vec<&str> = lines.iter().map(|l| l["schema"].as_str().unwrap()).collect();
        assert_eq!(schemas[..3], ["Person", "Person", "Person"]);
        assert_eq!(schemas[schemas.len() - 3..], ["Associate", "UnknownLink", "UnknownLink"]);
        assert_eq!(lines[0]["id"], "centinela-R0000001");
        // FtM's forms: a number a consumer can match, lower-case alpha-2
        // countries, the issuing state on the document's own entity.
        assert_eq!(lines[0]["properties"]["passportNumber"][0], "X1");
        assert!(lines[0]["properties"].get("idNumber").is_none());
        assert_eq!(lines[0]["properties"]["nationality"][0], "gt");
        let doc = lines.iter().find(|l| l["schema"] == "Identification").unwrap();
        assert_eq!(doc["properties"]["holder"][0], "centinela-R0000001");
        assert_eq!((&doc["properties"]["number"][0], &doc["properties"]["country"][0]), (&json!("X1"), &json!("gt")));
        let rel = &lines[schemas.len() - 3..];
        assert_eq!(rel[0]["properties"]["person"][0], "centinela-R0000001");
        assert_eq!(rel[0]["properties"]["associate"][0], "centinela-R0000002");
        assert!(rel[0]["properties"]["summary"][0].as_str().unwrap().contains("party: 1"));
        assert_eq!(rel[1]["properties"]["subject"][0], "centinela-R0000001");
        assert!(rel[1]["properties"]["description"][0].as_str().unwrap().contains("+50255550001"));
    }

    /// What Centinela exports, its own FtM importer reads back whole:
    /// every person with its names, nationality and document numbers.
    #[test]
    fn ftm_export_reimports_without_losing_documents() {
        let r = report();
        let mut out = Vec::new();
        write_ftm(&r, &r.linked_persons(), &mut out).unwrap();
        let (back, stats) = centinela_lists::read_ftm(&out[..]).unwrap();
        assert_eq!(back.len(), 3);
        assert_eq!(stats.dropped_values, 0, "{stats:?}");
        for e in &back {
            assert_eq!(e.document_numbers.len(), 1, "{e:?}");
            assert_eq!(e.nationalities.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["GTM"]);
        }
    }

    #[test]
    fn escaping_examples() {
        assert_eq!(xml_escape("a&b<c>\"d'"), "a&amp;b&lt;c&gt;&quot;d&apos;");
        assert_eq!(xml_escape("plain Ñ"), "plain Ñ");
        assert_eq!(xml_escape("bell\u{7}\u{FFFE}x\r\n"), "bellx&#xD;&#xA;");
    }

    proptest! {
        #[test]
        fn escaped_text_parses_back_as_the_allowed_characters(s in "\\PC*|[\\x00-\\x7f]*|.*") {
            let escaped = xml_escape(&s);
            let doc = format!("<a b=\"{escaped}\" c='{escaped}'>{escaped}</a>");
            let parsed = roxmltree::Document::parse(&doc).map_err(|e| TestCaseError::fail(format!("{e}: {doc:?}")))?;
            let kept: String = s.chars().filter(|&c| xml_char(c)).collect();
            let root = parsed.root_element();
            prop_assert_eq!(root.text().unwrap_or(""), kept.as_str());
            prop_assert_eq!(root.attribute("b").unwrap_or(""), kept.as_str());
            prop_assert_eq!(root.attribute("c").unwrap_or(""), kept.as_str());
        }
    }
}
