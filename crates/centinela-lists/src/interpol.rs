//! Interpol's public notices (the JSON of its public notices web service):
//! Red notices (wanted persons) and Yellow notices (missing persons).
//!
//! A listing is read page by page: [`parse_notice_page`] gives each page's
//! notices (`_embedded.notices[]`, each with its `entity_id` and the link to
//! its detail) and the link to the next page (`_links.next.href`). Each
//! notice's detail is read by [`parse_notice`] into an [`AlertEntry`]: the
//! name (`forename`, `name`), `date_of_birth` (`YYYY/MM/DD`, `YYYY/MM` or
//! `YYYY`), `nationalities` (alpha-2), `sex_id`, the birth place and
//! distinguishing marks (the officer's notes), and the notice: the reason
//! shown at the booth is the charge (Red: `arrest_warrants[].charge`) or
//! the circumstances (Yellow: `date_of_event`, `place`), the authority the
//! issuing country (`arrest_warrants[].issuing_country_id`, or the Yellow
//! notice's `country`).
//!
//! Structural faults (not JSON, no `entity_id`, no name) reject the notice;
//! odd values (an unknown country, a date that is no date) are dropped and
//! counted ([`NoticeStats::dropped_values`]), as in the FtM reader. No I/O:
//! the caller fetches the bytes.

use centinela_domain::text::{MAX_BLOCK_CHARS, MAX_LINE_CHARS};
use centinela_domain::{AlertEntry, BirthDate, CountryCode, Notice, Sex, check_block, check_line};
use serde_json::Value;

use crate::ParseError;
use crate::countries::to_alpha3;

/// Which notices a listing holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeColour {
    /// Wanted persons (arrest warrants).
    Red,
    /// Missing persons.
    Yellow,
}

impl NoticeColour {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeColour::Red => "red",
            NoticeColour::Yellow => "yellow",
        }
    }
}

/// The most notices one page may list.
pub const MAX_PAGE_NOTICES: usize = 1_000;

/// One notice of a listing page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeLink {
    /// `2024/12345`.
    pub entity_id: String,
    /// The detail's URL (`_links.self.href`), absolute or relative.
    pub detail: String,
    /// The notice's thumbnail (`_links.thumbnail.href`), when given.
    pub thumbnail: Option<String>,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoticePage {
    pub notices: Vec<NoticeLink>,
    /// The next page's URL (`_links.next.href`); `None` on the last.
    pub next: Option<String>,
    /// The listing's total (`total`), when given.
    pub total: Option<u64>,
}

/// Values dropped while reading notices.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoticeStats {
    pub dropped_values: u64,
}

fn link(v: &Value, name: &str) -> Option<String> {
    v.get("_links")?.get(name)?.get("href")?.as_str().map(str::trim).filter(|s| !s.is_empty()).map(String::from)
}

fn bounded_link(s: Option<String>, line: u64, field: &str) -> Result<Option<String>, ParseError> {
    match s {
        Some(s) => {
            check_line(&s, 2_000).map_err(|e| ParseError::new(line, field, e.to_string()))?;
            Ok(Some(s))
        }
        None => Ok(None),
    }
}

/// Reads one listing page. `page` is the page's number in the pull (for
/// the error's line): a page that is not a listing is an error; a notice
/// without an `entity_id` or a detail link rejects the page.
pub fn parse_notice_page(bytes: &[u8], page: u64) -> Result<NoticePage, ParseError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| ParseError::new(page, "json", format!("not a JSON object: {}", e.classify_label())))?;
    let notices = match v.get("_embedded").and_then(|e| e.get("notices")) {
        Some(Value::Array(a)) => a,
        None => &Vec::new(),
        Some(_) => return Err(ParseError::new(page, "_embedded.notices", "not an array")),
    };
    if notices.len() > MAX_PAGE_NOTICES {
        return Err(ParseError::new(page, "_embedded.notices", format!("more than {MAX_PAGE_NOTICES} notices")));
    }
    let mut out = Vec::with_capacity(notices.len());
    for n in notices {
        let entity_id = entity_id(n, page)?;
        let detail = bounded_link(link(n, "self"), page, "_links.self")?
            .ok_or_else(|| ParseError::new(page, "_links.self", "a notice without its detail link"))?;
        let thumbnail = bounded_link(link(n, "thumbnail"), page, "_links.thumbnail")?;
        out.push(NoticeLink { entity_id, detail, thumbnail });
    }
    let next = bounded_link(link(&v, "next"), page, "_links.next")?;
    let total = v.get("total").and_then(Value::as_u64);
    Ok(NoticePage { notices: out, next, total })
}

trait Classify {
    fn classify_label(&self) -> &'static str;
}

impl Classify for serde_json::Error {
    /// The kind of JSON error, never the text around it (a name).
    fn classify_label(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "unreadable",
            serde_json::error::Category::Syntax => "syntax error",
            serde_json::error::Category::Data => "unexpected value",
            serde_json::error::Category::Eof => "cut short",
        }
    }
}

fn entity_id(n: &Value, line: u64) -> Result<String, ParseError> {
    let id = n
        .get("entity_id")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ParseError::new(line, "entity_id", "missing, empty or not a string"))?;
    check_line(id, 64).map_err(|e| ParseError::new(line, "entity_id", e.to_string()))?;
    Ok(id.to_string())
}

/// Interpol's dates: `YYYY/MM/DD`, `YYYY/MM` or `YYYY` (ISO dashes too).
pub fn interpol_date(s: &str) -> Option<BirthDate> {
    let t = s.trim();
    if t.len() > 10 {
        return None;
    }
    BirthDate::parse(&t.replace('/', "-")).ok()
}

/// The date as pages show it: DD/MM/AAAA, MM/AAAA or AAAA.
fn shown_date(d: &BirthDate) -> String {
    match (d.month, d.day) {
        (Some(m), Some(day)) => format!("{day:02}/{m:02}/{:04}", d.year),
        (Some(m), None) => format!("{m:02}/{:04}", d.year),
        _ => format!("{:04}", d.year),
    }
}

fn text(v: &Value, name: &str, line: u64, max: usize) -> Result<String, ParseError> {
    match v.get(name) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => {
            let s = s.trim();
            check_block(s, max).map_err(|e| ParseError::new(line, name, e.to_string()))?;
            Ok(s.split_whitespace().collect::<Vec<_>>().join(" "))
        }
        Some(_) => Err(ParseError::new(line, name, "not a string")),
    }
}

fn country(v: Option<&Value>, stats: &mut NoticeStats) -> Option<CountryCode> {
    let s = v?.as_str()?.trim();
    if s.is_empty() {
        return None;
    }
    let c = to_alpha3(s);
    if c.is_none() {
        stats.dropped_values += 1;
    }
    c
}

/// Cuts a text to `max` characters (a notice's reason, authority).
fn cut(s: String, max: usize) -> String {
    if s.chars().count() <= max { s } else { s.chars().take(max).collect() }
}

/// Reads one notice's detail. `line` is the notice's position in the pull
/// (1-based), for the error.
pub fn parse_notice(
    bytes: &[u8],
    colour: NoticeColour,
    line: u64,
    stats: &mut NoticeStats,
) -> Result<AlertEntry, ParseError> {
    let v: Value = serde_json::from_slice(bytes)
        .map_err(|e| ParseError::new(line, "json", format!("not a JSON object: {}", e.classify_label())))?;
    if !v.is_object() {
        return Err(ParseError::new(line, "json", "not a JSON object"));
    }
    let id = entity_id(&v, line)?;
    let given_names = text(&v, "forename", line, MAX_LINE_CHARS)?;
    let surnames = text(&v, "name", line, MAX_LINE_CHARS)?;
    if given_names.is_empty() && surnames.is_empty() {
        return Err(ParseError::new(line, "name", "a notice without any name (forename, name)"));
    }
    let mut birth_dates = Vec::new();
    match v.get("date_of_birth").and_then(Value::as_str).map(str::trim) {
        None | Some("") => {}
        Some(d) => match interpol_date(d) {
            Some(d) => birth_dates.push(d),
            None => stats.dropped_values += 1,
        },
    }
    let mut nationalities: Vec<CountryCode> = Vec::new();
    if let Some(Value::Array(a)) = v.get("nationalities") {
        for n in a.iter().take(20) {
            if let Some(c) = country(Some(n), stats)
                && !nationalities.contains(&c)
            {
                nationalities.push(c);
            }
        }
    }
    let sex = match v.get("sex_id").and_then(Value::as_str) {
        None => Sex::Unknown,
        Some("U") => Sex::Unknown,
        Some(s) => Sex::parse(s).unwrap_or_else(|_| {
            stats.dropped_values += 1;
            Sex::Unknown
        }),
    };
    let mut notes = Vec::new();
    let marks = text(&v, "distinguishing_marks", line, MAX_BLOCK_CHARS)?;
    if !marks.is_empty() {
        notes.push(format!("Señas particulares / distinguishing marks: {marks}"));
    }
    let place = text(&v, "place_of_birth", line, MAX_LINE_CHARS)?;
    let birth_country = country(v.get("country_of_birth_id"), stats);
    if !place.is_empty() || birth_country.is_some() {
        let c = birth_country.map(|c| format!(" ({})", c.as_str())).unwrap_or_default();
        notes.push(format!("Lugar de nacimiento / place of birth: {place}{c}").replace(":  (", ": ("));
    }
    let notice = match colour {
        NoticeColour::Red => {
            let mut charges = Vec::new();
            let mut issuers: Vec<CountryCode> = Vec::new();
            if let Some(Value::Array(ws)) = v.get("arrest_warrants") {
                for w in ws.iter().take(50) {
                    let charge = text(w, "charge", line, MAX_BLOCK_CHARS)?;
                    let charge =
                        if charge.is_empty() { text(w, "charge_translation", line, MAX_BLOCK_CHARS)? } else { charge };
                    if !charge.is_empty() && !charges.contains(&charge) {
                        charges.push(charge);
                    }
                    if let Some(c) = country(w.get("issuing_country_id"), stats)
                        && !issuers.contains(&c)
                    {
                        issuers.push(c);
                    }
                }
            }
            let reason = if charges.is_empty() {
                "Notificación roja / Red notice".to_string()
            } else {
                format!("Notificación roja / Red notice: {}", charges.join("; "))
            };
            Notice {
                reason: cut(reason, Notice::MAX_TEXT),
                action: String::new(),
                authority: cut(issuers.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "), Notice::MAX_TEXT),
                issued: None,
            }
        }
        NoticeColour::Yellow => {
            let when = match v.get("date_of_event").and_then(Value::as_str).map(str::trim) {
                None | Some("") => None,
                Some(d) => {
                    let d = interpol_date(d);
                    if d.is_none() {
                        stats.dropped_values += 1;
                    }
                    d
                }
            };
            let at = text(&v, "place", line, MAX_LINE_CHARS)?;
            let mut reason = "Notificación amarilla / Yellow notice: desaparecida / missing".to_string();
            if let Some(d) = &when {
                reason.push_str(&format!(" {}", shown_date(d)));
            }
            if !at.is_empty() {
                reason.push_str(&format!(", {at}"));
            }
            let authority = country(v.get("country"), stats).map(|c| c.as_str().to_string()).unwrap_or_default();
            Notice { reason: cut(reason, Notice::MAX_TEXT), action: String::new(), authority, issued: None }
        }
    };
    Ok(AlertEntry {
        id,
        given_names,
        surnames,
        aliases: Vec::new(),
        birth_dates,
        nationalities,
        sex,
        document_numbers: Vec::new(),
        notes: notes.join("\n"),
        notice,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const PAGE: &str = r#"{"total": 2, "query": {"page": 1, "resultPerPage": 2},
      "_embedded": {"notices": [
        {"entity_id": "2024/1001", "forename": "JUAN", "name": "PEREZ",
         "_links": {"self": {"href": "https://ws-public.interpol.int/notices/v1/red/2024-1001"},
                    "thumbnail": {"href": "https://ws-public.interpol.int/notices/v1/red/2024-1001/images/1"}}},
        {"entity_id": "2024/1002", "_links": {"self": {"href": "/notices/v1/red/2024-1002"}}}]},
      "_links": {"self": {"href": "x"}, "next": {"href": "/notices/v1/red?page=2"}}}"#;

    #[test]
    fn a_page_lists_its_notices_and_the_next() {
        let p = parse_notice_page(PAGE.as_bytes(), 1).unwrap();
        assert_eq!(p.notices.len(), 2);
        assert_eq!(p.notices[0].entity_id, "2024/1001");
        assert!(p.notices[0].thumbnail.is_some());
        assert_eq!(p.notices[1].detail, "/notices/v1/red/2024-1002");
        assert_eq!(p.next.as_deref(), Some("/notices/v1/red?page=2"));
        assert_eq!(p.total, Some(2));
        let last = parse_notice_page(br#"{"_embedded":{"notices":[]},"_links":{}}"#, 3).unwrap();
        assert!(last.notices.is_empty() && last.next.is_none());
        let e = parse_notice_page(br#"{"_embedded":{"notices":[{"_links":{}}]}}"#, 4).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (4, "entity_id"));
    }

    #[test]
    fn a_red_notice_becomes_an_entry_with_its_charge() {
        let d = r#"{"entity_id":"2024/1001","forename":"JUAN  CARLOS","name":"PEREZ LOPEZ",
          "date_of_birth":"1980/05/12","nationalities":["MX","GT","ZZ"],"sex_id":"M",
          "country_of_birth_id":"MX","place_of_birth":"CHIHUAHUA","distinguishing_marks":"Scar, left cheek",
          "arrest_warrants":[{"charge":"Trafficking in persons","issuing_country_id":"GT"},
                             {"charge":"Trafficking in persons","issuing_country_id":"SV"}]}"#;
        let mut st = NoticeStats::default();
        let e = parse_notice(d.as_bytes(), NoticeColour::Red, 7, &mut st).unwrap();
        assert_eq!((e.given_names.as_str(), e.surnames.as_str()), ("JUAN CARLOS", "PEREZ LOPEZ"));
        assert_eq!(e.birth_dates, vec![BirthDate::parse("1980-05-12").unwrap()]);
        assert_eq!(e.nationalities.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["MEX", "GTM"]);
        assert_eq!(e.sex, Sex::Male);
        assert_eq!(e.notice.reason, "Notificación roja / Red notice: Trafficking in persons");
        assert_eq!(e.notice.authority, "GTM, SLV");
        assert!(e.notes.contains("Scar, left cheek") && e.notes.contains("CHIHUAHUA (MEX)"));
        assert_eq!(st.dropped_values, 1, "ZZ is no country");
    }

    #[test]
    fn a_yellow_notice_says_its_circumstances_and_partial_dates_hold() {
        let d = r#"{"entity_id":"2025/77","forename":"MARIA","name":"LOPEZ","date_of_birth":"2011/03",
          "sex_id":"F","date_of_event":"2025/01/30","place":"Tecún Umán","country":"GT"}"#;
        let mut st = NoticeStats::default();
        let e = parse_notice(d.as_bytes(), NoticeColour::Yellow, 1, &mut st).unwrap();
        assert_eq!(e.birth_dates[0], BirthDate { year: 2011, month: Some(3), day: None });
        assert_eq!(
            e.notice.reason,
            "Notificación amarilla / Yellow notice: desaparecida / missing 30/01/2025, Tecún Umán"
        );
        assert_eq!(e.notice.authority, "GTM");
        assert_eq!(interpol_date("1975"), Some(BirthDate { year: 1975, month: None, day: None }));
        assert_eq!(interpol_date("1975/13/01"), None);
    }

    #[test]
    fn malformed_notices_are_rejected_by_field() {
        let mut st = NoticeStats::default();
        for (d, field) in [
            (r#"{"forename":"A"}"#, "entity_id"),
            (r#"{"entity_id":"1"}"#, "name"),
            (r#"{"entity_id":"1","name":["A"]}"#, "name"),
            (r#"{"entity_id":"1","name":"A\u0007"}"#, "name"),
            ("[1,2", "json"),
        ] {
            let e = parse_notice(d.as_bytes(), NoticeColour::Red, 3, &mut st).unwrap_err();
            assert_eq!((e.line, e.field.as_str()), (3, field), "{d}");
        }
    }

    proptest! {
        #[test]
        fn notices_and_pages_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut st = NoticeStats::default();
            let _ = parse_notice(&bytes, NoticeColour::Red, 1, &mut st);
            let _ = parse_notice(&bytes, NoticeColour::Yellow, 1, &mut st);
            let _ = parse_notice_page(&bytes, 1);
        }

        #[test]
        fn any_named_notice_is_read(id in "[0-9]{4}/[0-9]{1,6}", name in "[A-Z]{1,12}( [A-Z]{1,12})?",
                                    y in 1900u16..2025, m in 1u8..13, d in 1u8..29) {
            let json = serde_json::json!({"entity_id": id, "name": name, "date_of_birth": format!("{y}/{m:02}/{d:02}")});
            let mut st = NoticeStats::default();
            let e = parse_notice(json.to_string().as_bytes(), NoticeColour::Red, 1, &mut st).unwrap();
            prop_assert_eq!(e.id, id);
            prop_assert_eq!(e.birth_dates, vec![BirthDate { year: y, month: Some(m), day: Some(d) }]);
        }
    }
}
