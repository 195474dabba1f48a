//! FollowTheMoney JSON lines (`--format ftm`), as OpenSanctions publishes
//! them: one entity per line. `Person` entities become [`AlertEntry`]s;
//! other schemas are skipped and counted.
//!
//! Structural faults (invalid JSON, no `id`, a person without any name) reject
//! the line. Odd *values* inside a valid person — a country code that is no
//! country, a date that is no date — are dropped and counted in
//! [`FtmStats::dropped_values`], because published sanctions data carries
//! such values and one of them must not block a whole list.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

use centinela_domain::text::{MAX_BLOCK_CHARS, MAX_LINE_CHARS};
use centinela_domain::{AlertEntry, BirthDate, CountryCode, DocumentNumber, Notice, Sex, check_block, check_line};
use serde_json::Value;

use crate::ParseError;
use crate::countries::to_alpha3;
use crate::csvfmt::date_part;

/// What a [`FtmReader`] saw besides the persons it yielded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FtmStats {
    /// Non-empty lines read.
    pub lines: u64,
    /// Persons yielded.
    pub persons: u64,
    /// Entities of other schemas, by schema.
    pub skipped: BTreeMap<String, u64>,
    /// Property values dropped as unusable (unknown country, bad date …).
    pub dropped_values: u64,
    /// The lines those values were on (the first [`MAX_DROPPED_LINES`],
    /// each once), so that the source can be corrected.
    pub dropped_lines: Vec<u64>,
}

/// How many lines with dropped values [`FtmStats::dropped_lines`] names.
pub const MAX_DROPPED_LINES: usize = 100;

impl FtmStats {
    fn drop_value(&mut self, line: u64) {
        self.dropped_values += 1;
        if self.dropped_lines.len() < MAX_DROPPED_LINES && self.dropped_lines.last() != Some(&line) {
            self.dropped_lines.push(line);
        }
    }
}

impl FtmStats {
    pub fn skipped_total(&self) -> u64 {
        self.skipped.values().sum()
    }
}

/// Streams the persons of a FollowTheMoney JSON-lines file.
pub struct FtmReader<R: Read> {
    input: BufReader<R>,
    buf: Vec<u8>,
    line: u64,
    done: bool,
    stats: FtmStats,
}

impl<R: Read> FtmReader<R> {
    pub fn new(r: R) -> Self {
        FtmReader {
            input: BufReader::with_capacity(1 << 16, r),
            buf: Vec::new(),
            line: 0,
            done: false,
            stats: FtmStats::default(),
        }
    }

    pub fn stats(&self) -> &FtmStats {
        &self.stats
    }
}

impl<R: Read> Iterator for FtmReader<R> {
    type Item = Result<AlertEntry, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.done {
            self.buf.clear();
            match self.input.read_until(b'\n', &mut self.buf) {
                Ok(0) => self.done = true,
                Err(e) => {
                    self.done = true;
                    return Some(Err(ParseError::new(self.line + 1, ParseError::IO_FIELD, e.to_string())));
                }
                Ok(_) => {
                    self.line += 1;
                    let text = self.buf.trim_ascii();
                    let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
                    if text.is_empty() {
                        continue;
                    }
                    self.stats.lines += 1;
                    match parse_entity(text, self.line, &mut self.stats) {
                        Ok(Some(e)) => {
                            self.stats.persons += 1;
                            return Some(Ok(e));
                        }
                        Ok(None) => continue,
                        Err(e) => return Some(Err(e)),
                    }
                }
            }
        }
        None
    }
}

/// Reads a whole FtM file, stopping at the first rejected line.
pub fn read_ftm<R: Read>(r: R) -> Result<(Vec<AlertEntry>, FtmStats), ParseError> {
    let mut rd = FtmReader::new(r);
    let mut out = Vec::new();
    for e in rd.by_ref() {
        out.push(e?);
    }
    Ok((out, rd.stats))
}

/// One operation of an OpenSanctions delta file (`entities.delta.json`:
/// JSON lines `{"op":"ADD"|"MOD"|"DEL","entity":{…}}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FtmChange {
    /// `ADD` or `MOD` of a person: the entry replaces any of the same id.
    Upsert(Box<AlertEntry>),
    /// `DEL`: the entity of this id leaves the list (whatever its schema).
    Delete(String),
}

/// Reads a whole delta file, stopping at the first rejected line. Changes
/// to entities of other schemas are skipped and counted, as in [`read_ftm`].
pub fn read_ftm_delta<R: Read>(r: R) -> Result<(Vec<FtmChange>, FtmStats), ParseError> {
    let mut stats = FtmStats::default();
    let mut out = Vec::new();
    for (i, l) in BufReader::new(r).lines().enumerate() {
        let line = i as u64 + 1;
        let l = l.map_err(|e| ParseError::new(line, ParseError::IO_FIELD, e.to_string()))?;
        let text = l.trim().trim_start_matches('\u{feff}');
        if text.is_empty() {
            continue;
        }
        stats.lines += 1;
        let err = |field: &str, msg: &str| ParseError::new(line, field, msg.to_string());
        let v: Value = serde_json::from_str(text).map_err(|e| err("json", &format!("not a JSON object: {e}")))?;
        let entity = v.get("entity").ok_or_else(|| err("entity", "missing"))?;
        match v.get("op").and_then(Value::as_str) {
            Some("ADD" | "MOD") => {
                let raw = serde_json::to_vec(entity).map_err(|e| err("entity", &e.to_string()))?;
                if let Some(e) = parse_entity(&raw, line, &mut stats)? {
                    stats.persons += 1;
                    out.push(FtmChange::Upsert(Box::new(e)));
                }
            }
            Some("DEL") => match entity.get("id").and_then(Value::as_str).map(str::trim) {
                Some(id) if !id.is_empty() => {
                    check_line(id, MAX_LINE_CHARS).map_err(|e| err("id", &e.to_string()))?;
                    out.push(FtmChange::Delete(id.to_string()));
                }
                _ => return Err(err("id", "missing, empty or not a string")),
            },
            _ => return Err(err("op", "missing or not ADD, MOD or DEL")),
        }
    }
    Ok((out, stats))
}

/// Applies delta changes to a list's entries, in order: an upsert replaces
/// the entry of its id or is added at the end; a delete removes it.
pub fn apply_delta(entries: &mut Vec<AlertEntry>, changes: Vec<FtmChange>) {
    apply_delta_counted(entries, changes);
}

/// What [`apply_delta_counted`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeltaCounts {
    /// Upserts of an id the list did not hold.
    pub added: u64,
    /// Upserts that replaced an entry.
    pub modified: u64,
    /// Deletes that removed an entry.
    pub deleted: u64,
    /// Deletes of an id the list does not hold (an entity of another
    /// schema, which a delta's `DEL` does not name, or one already gone).
    pub absent: u64,
}

/// [`apply_delta`], saying how many entries each kind of change touched.
/// Linear in the entries and changes (an index by id), so that a day's
/// delta applies to a list of hundreds of thousands at once.
pub fn apply_delta_counted(entries: &mut Vec<AlertEntry>, changes: Vec<FtmChange>) -> DeltaCounts {
    let mut counts = DeltaCounts::default();
    let mut slots: Vec<Option<AlertEntry>> = std::mem::take(entries).into_iter().map(Some).collect();
    let mut index: std::collections::HashMap<String, usize> =
        slots.iter().enumerate().filter_map(|(i, e)| Some((e.as_ref()?.id.clone(), i))).collect();
    for c in changes {
        match c {
            FtmChange::Upsert(e) => match index.get(&e.id) {
                Some(&i) => {
                    if slots[i].is_some() {
                        counts.modified += 1;
                    } else {
                        counts.added += 1;
                    }
                    slots[i] = Some(*e);
                }
                None => {
                    counts.added += 1;
                    index.insert(e.id.clone(), slots.len());
                    slots.push(Some(*e));
                }
            },
            FtmChange::Delete(id) => match index.get(&id).and_then(|&i| slots[i].take()) {
                Some(_) => counts.deleted += 1,
                None => counts.absent += 1,
            },
        }
    }
    *entries = slots.into_iter().flatten().collect();
    counts
}

/// Every property [`parse_entity`] reads.
const USED_PROPERTIES: &[&str] = &[
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "title",
    "firstName",
    "secondName",
    "middleName",
    "lastName",
    "fatherName",
    "motherName",
    "nationality",
    "citizenship",
    "birthDate",
    "gender",
    "passportNumber",
    "idNumber",
    "notes",
];

fn parse_entity(text: &[u8], line: u64, stats: &mut FtmStats) -> Result<Option<AlertEntry>, ParseError> {
    let err = |field: &str, msg: String| ParseError::new(line, field, msg);
    let v: Value = serde_json::from_slice(text).map_err(|e| err("json", format!("not a JSON object: {e}")))?;
    let obj = v.as_object().ok_or_else(|| err("json", "not a JSON object".into()))?;
    let schema = match obj.get("schema") {
        Some(Value::String(s)) => s.as_str(),
        _ => return Err(err("schema", "missing or not a string".into())),
    };
    if schema != "Person" {
        *stats.skipped.entry(schema.to_string()).or_default() += 1;
        return Ok(None);
    }
    let id = match obj.get("id") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => return Err(err("id", "missing, empty or not a string".into())),
    };
    let props = match obj.get("properties") {
        Some(Value::Object(p)) => p,
        None => return Err(err("properties", "missing".into())),
        Some(_) => return Err(err("properties", "not an object".into())),
    };
    // The properties read below are checked as text; others are ignored
    // (long notes and summaries may hold anything).
    for name in USED_PROPERTIES {
        let values = match props.get(*name) {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            Some(Value::String(s)) => vec![s.as_str()],
            _ => Vec::new(),
        };
        for v in values {
            let checked =
                if *name == "notes" { check_block(v, MAX_BLOCK_CHARS) } else { check_line(v, MAX_LINE_CHARS) };
            checked.map_err(|e| err(name, e.to_string()))?;
        }
    }
    check_line(&id, MAX_LINE_CHARS).map_err(|e| err("id", e.to_string()))?;
    let get = |name: &str| -> Vec<&str> {
        match props.get(name) {
            Some(Value::Array(a)) => {
                a.iter().filter_map(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).collect()
            }
            Some(Value::String(s)) if !s.trim().is_empty() => vec![s.trim()],
            _ => Vec::new(),
        }
    };

    let mut nationalities: Vec<CountryCode> = Vec::new();
    for c in get("nationality").into_iter().chain(get("citizenship")) {
        match to_alpha3(c) {
            Some(code) if !nationalities.contains(&code) => nationalities.push(code),
            Some(_) => {}
            None => stats.drop_value(line),
        }
    }

    let names = get("name");
    // The name is assembled in one script: that of the first given or last
    // name; each part once (a patronymic given as both `middleName` and
    // `fatherName` is one part); honorifics (`Herr`, `Dr.`) left out of the
    // given names (a surname is kept as written: "Mr" may be one).
    let script = get("firstName").first().or(get("lastName").first()).map(|s| latin(s));
    let in_script = |s: &&str| script.is_none_or(|l| latin(s) == l);
    let mut used: Vec<String> = Vec::new();
    let mut first_of = |keys: &[&str], given: bool| -> String {
        let mut parts = Vec::new();
        for k in keys {
            if let Some(v) = get(k).into_iter().find(in_script) {
                let v = if given { strip_honorifics(v) } else { v.trim() };
                if !v.is_empty() && !used.contains(&squash(v)) {
                    used.push(squash(v));
                    parts.push(v);
                }
            }
        }
        parts.join(" ")
    };
    let mut given_names = first_of(&["firstName", "secondName", "middleName"], true);
    let mut surnames = first_of(&["lastName"], false);
    if surnames.is_empty() {
        surnames = first_of(&["fatherName", "motherName"], false);
    }
    // Given and last names in another script make one alias, as written.
    let other_script = script.and_then(|l| {
        let given = get("firstName").into_iter().find(|v| latin(v) != l);
        let last = get("lastName").into_iter().find(|v| latin(v) != l);
        (given.is_some() || last.is_some())
            .then(|| squash_keep(&format!("{} {}", given.unwrap_or(""), last.unwrap_or(""))))
    });
    let mut alias_pool: Vec<&str> = Vec::new();
    if given_names.is_empty() && surnames.is_empty() {
        if let Some((first, rest)) = names.split_first() {
            (given_names, surnames) = split_name(first, &nationalities);
            alias_pool.extend(rest);
        }
    } else {
        alias_pool.extend(&names);
    }
    // Every other name the source gives, in whatever script: screening
    // compares aliases as written (and transliterates them itself).
    alias_pool.extend(get("alias"));
    alias_pool.extend(get("weakAlias"));
    alias_pool.extend(get("previousName"));
    if let Some(o) = other_script.as_deref() {
        alias_pool.push(o);
    }
    let primary = squash(&format!("{given_names} {surnames}"));
    let primary_rev = squash(&format!("{surnames} {given_names}"));
    let mut aliases: Vec<String> = Vec::new();
    let mut seen = vec![primary, primary_rev];
    for a in alias_pool {
        let key = squash(a);
        if !seen.contains(&key) {
            seen.push(key);
            aliases.push(a.to_string());
        }
    }
    if given_names.is_empty() && surnames.is_empty() && aliases.is_empty() {
        return Err(err("name", "a person without any name (name, firstName, lastName, alias)".into()));
    }

    let mut birth_dates: Vec<BirthDate> = Vec::new();
    for d in get("birthDate") {
        match date_part(d) {
            Some(bd) if !birth_dates.contains(&bd) => birth_dates.push(bd),
            Some(_) => {}
            None => stats.drop_value(line),
        }
    }
    let sex = match get("gender").first() {
        None => Sex::Unknown,
        Some(g) => Sex::parse(g).unwrap_or_else(|_| {
            stats.drop_value(line);
            Sex::Unknown
        }),
    };
    let mut document_numbers: Vec<DocumentNumber> = Vec::new();
    // `passportNumber` holds travel documents. `idNumber` is any national
    // identifier (OpenSanctions puts tax and company numbers there), so it
    // is taken only in Centinela's former `STATE:NUMBER` export form.
    let legacy = get("idNumber").into_iter().filter_map(|n| {
        let (state, number) = n.split_once(':')?;
        to_alpha3(state).map(|_| number.trim())
    });
    for n in get("passportNumber").into_iter().chain(legacy) {
        match DocumentNumber::parse(n) {
            Ok(d) if !document_numbers.contains(&d) => document_numbers.push(d),
            Ok(_) => {}
            Err(_) => stats.drop_value(line),
        }
    }
    let notes = get("notes").join(" ");
    let notice = notice_of(props, line, stats)?;
    Ok(Some(AlertEntry {
        id,
        given_names,
        surnames,
        aliases,
        birth_dates,
        nationalities,
        sex,
        document_numbers,
        notes,
        notice,
    }))
}

/// The alert's notice from the first of the person's nested `sanctions`
/// (OpenSanctions' nested export: `Sanction` entities with `reason`,
/// `provisions` (the measure asked for), `authority` and `startDate`) that
/// says any of it. Text with control characters rejects the line; a text
/// longer than [`Notice::MAX_TEXT`] or a date that is no date is dropped
/// and counted.
fn notice_of(props: &serde_json::Map<String, Value>, line: u64, stats: &mut FtmStats) -> Result<Notice, ParseError> {
    let Some(Value::Array(sanctions)) = props.get("sanctions") else { return Ok(Notice::default()) };
    for s in sanctions.iter().take(100) {
        let Some(Value::Object(p)) = s.get("properties") else { continue };
        let mut text = |name: &str, field: &str| -> Result<String, ParseError> {
            let values: Vec<&str> = match p.get(name) {
                Some(Value::Array(a)) => {
                    a.iter().filter_map(Value::as_str).map(str::trim).filter(|v| !v.is_empty()).collect()
                }
                Some(Value::String(v)) if !v.trim().is_empty() => vec![v.trim()],
                _ => Vec::new(),
            };
            for v in &values {
                check_line(v, MAX_LINE_CHARS).map_err(|e| ParseError::new(line, field, e.to_string()))?;
            }
            let joined = values.join("; ");
            if joined.chars().count() > Notice::MAX_TEXT {
                stats.dropped_values += 1;
                return Ok(String::new());
            }
            Ok(joined)
        };
        let reason = text("reason", "sanctions.reason")?;
        let action = text("provisions", "sanctions.provisions")?;
        let authority = text("authority", "sanctions.authority")?;
        let start = text("startDate", "sanctions.startDate")?;
        let issued = start.split("; ").find_map(date_part);
        if issued.is_none() && !start.is_empty() {
            stats.dropped_values += 1;
        }
        let notice = Notice { reason, action, authority, issued };
        if !notice.is_empty() {
            return Ok(notice);
        }
    }
    Ok(Notice::default())
}

/// Whether a name is written in the Latin script (every letter below
/// U+0250); other names are Cyrillic, Arabic, Chinese …
fn latin(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).all(|c| (c as u32) < 0x250)
}

/// Honorifics and titles that sources put in given names.
const HONORIFICS: &[&str] = &[
    "herr", "frau", "dr", "dr.", "prof", "prof.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "sr", "sr.", "sra", "sra.",
    "don", "doña", "sheikh", "haji", "hajji", "mme", "mme.", "m.", "lic.", "ing.",
];

/// Whether `word` is an honorific or title the reader leaves out of given
/// names (`Herr`, `Dr.`, `Don` …), in any case.
pub fn is_honorific(word: &str) -> bool {
    HONORIFICS.contains(&word.to_lowercase().as_str())
}

/// `s` without leading honorifics (`Herr Dr. Cornelius` → `Cornelius`);
/// a name that is nothing but honorifics is kept whole.
fn strip_honorifics(s: &str) -> &str {
    let mut rest = s.trim();
    loop {
        let Some((word, tail)) = rest.split_once(char::is_whitespace) else { return rest };
        if is_honorific(word) && !tail.trim().is_empty() {
            rest = tail.trim_start();
        } else {
            return rest;
        }
    }
}

/// Lower case with single spaces, to compare names.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Countries whose people usually carry two surnames (paternal, maternal).
const TWO_SURNAMES: [&str; 20] = [
    "MEX", "GTM", "HND", "SLV", "NIC", "CRI", "PAN", "COL", "VEN", "ECU", "PER", "BOL", "CHL", "ARG", "URY", "PRY",
    "CUB", "DOM", "ESP", "PRI",
];

/// Splits a full name into given names and surnames when the source gives
/// only the whole: `SURNAME, Given` by the comma; otherwise words written
/// wholly in capitals among mixed-case ones are surnames (the police habit);
/// otherwise the last word is the surname, or the last two for three or more
/// words of a person from a country where people carry two surnames.
pub fn split_name(full: &str, nationalities: &[CountryCode]) -> (String, String) {
    if let Some((sur, given)) = full.split_once(',') {
        let (sur, given) = (squash_keep(sur), squash_keep(given));
        if !sur.is_empty() && !given.is_empty() {
            return (given, sur);
        }
    }
    let words: Vec<&str> = full.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    let is_caps =
        |w: &str| w.chars().any(char::is_alphabetic) && !w.chars().any(char::is_lowercase) && w.chars().count() > 1;
    let caps = words.iter().filter(|w| is_caps(w)).count();
    if caps > 0 && caps < words.len() {
        let given: Vec<&str> = words.iter().copied().filter(|w| !is_caps(w)).collect();
        let sur: Vec<&str> = words.iter().copied().filter(|w| is_caps(w)).collect();
        return (given.join(" "), sur.join(" "));
    }
    match words.len() {
        0 => (String::new(), String::new()),
        1 => (String::new(), words[0].to_string()),
        n => {
            let two = n >= 3 && nationalities.iter().any(|c| TWO_SURNAMES.contains(&c.as_str()));
            let cut = if two { n - 2 } else { n - 1 };
            (words[..cut].join(" "), words[cut..].join(" "))
        }
    }
}

fn squash_keep(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One person as a FollowTheMoney JSON line (for tests, fixtures and
/// exports): names as firstName/lastName, countries as given.
pub fn person_to_ftm(e: &AlertEntry) -> String {
    let mut props = serde_json::Map::new();
    let mut put = |k: &str, vals: Vec<String>| {
        if !vals.is_empty() {
            props.insert(k.to_string(), Value::Array(vals.into_iter().map(Value::String).collect()));
        }
    };
    let full = format!("{} {}", e.given_names, e.surnames).trim().to_string();
    put("name", if full.is_empty() { Vec::new() } else { vec![full] });
    put("firstName", if e.given_names.is_empty() { Vec::new() } else { vec![e.given_names.clone()] });
    put("lastName", if e.surnames.is_empty() { Vec::new() } else { vec![e.surnames.clone()] });
    put("alias", e.aliases.clone());
    put("birthDate", e.birth_dates.iter().map(|d| d.to_string()).collect());
    // FtM's country type: lower-case alpha-2 (a code with no state
    // behind it, such as XXA, as Centinela keeps it: the reader takes both).
    put(
        "nationality",
        e.nationalities
            .iter()
            .map(|c| {
                centinela_domain::countries::alpha3_to_alpha2(c)
                    .map_or_else(|| c.as_str().to_string(), str::to_ascii_lowercase)
            })
            .collect(),
    );
    let gender = match e.sex {
        Sex::Male => vec!["male".to_string()],
        Sex::Female => vec!["female".to_string()],
        Sex::Unspecified => vec!["other".to_string()],
        Sex::Unknown => Vec::new(),
    };
    put("gender", gender);
    put("passportNumber", e.document_numbers.iter().map(|d| d.to_string()).collect());
    put("notes", if e.notes.is_empty() { Vec::new() } else { vec![e.notes.clone()] });
    if !e.notice.is_empty() {
        let n = &e.notice;
        let mut sp = serde_json::Map::new();
        for (k, v) in [
            ("reason", n.reason.clone()),
            ("provisions", n.action.clone()),
            ("authority", n.authority.clone()),
            ("startDate", n.issued.map(|d| d.to_string()).unwrap_or_default()),
        ] {
            if !v.is_empty() {
                sp.insert(k.into(), Value::Array(vec![Value::String(v)]));
            }
        }
        let sanction = serde_json::json!({"id": format!("{}-sanction", e.id), "schema": "Sanction", "properties": sp});
        props.insert("sanctions".into(), Value::Array(vec![sanction]));
    }
    serde_json::json!({"id": e.id, "schema": "Person", "properties": props}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FTM: &str = r#"{"id":"NK-1","schema":"Person","properties":{"name":["Joaquín Guzmán Loera","El Chapo Guzman"],"alias":["El Chapo"],"birthDate":["1957-04-04"],"nationality":["mx"],"gender":["male"],"passportNumber":["G 123"]}}
{"id":"c-1","schema":"Company","properties":{"name":["ACME"]}}

{"id":"NK-2","schema":"Person","properties":{"firstName":["Ana"],"lastName":["Ruiz"],"name":["Ana Ruiz","RUIZ Ana Maria"],"birthDate":["1980","1980-05-01T00:00:00"],"nationality":["gt","zz","GTM"],"gender":["female"]}}
{"id":"v-1","schema":"Vessel","properties":{}}
"#;

    /// Names in one script, each part once, without honorifics; the
    /// other names reach screening as aliases; a value dropped names its
    /// line; `idNumber` is a document only in Centinela's old form.
    #[test]
    fn names_aliases_and_documents_as_screening_needs_them() {
        let ftm = r#"{"id":"a","schema":"Person","properties":{"firstName":["Mariya","Мария"],"middleName":["Aleksandrovna"],"fatherName":["Aleksandrovna","Александровна"],"lastName":["Ivanova","Иванова"],"weakAlias":["Masha"],"previousName":["Mariya Petrova"],"idNumber":["7707083893"],"passportNumber":["721234567"]}}
{"id":"b","schema":"Person","properties":{"firstName":["Herr Dr. Cornelius"],"lastName":["Gurlitt"],"nationality":["de","zz"],"idNumber":["GTM:8181325701608"]}}
"#;
        let (v, stats) = read_ftm(ftm.as_bytes()).unwrap();
        assert_eq!((v[0].given_names.as_str(), v[0].surnames.as_str()), ("Mariya Aleksandrovna", "Ivanova"));
        for a in ["Masha", "Mariya Petrova", "Мария Иванова"] {
            assert!(v[0].aliases.iter().any(|x| x == a), "{a}: {:?}", v[0].aliases);
        }
        let docs: Vec<String> = v[0].document_numbers.iter().map(|d| d.to_string()).collect();
        assert_eq!(docs, ["721234567"], "a tax number is no travel document");
        assert_eq!(v[1].given_names, "Cornelius");
        assert_eq!(v[1].document_numbers.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["8181325701608"]);
        assert_eq!((stats.dropped_values, stats.dropped_lines.clone()), (1, vec![2]));
    }

    /// OpenSanctions' delta files, in the shape its documentation gives:
    /// additions, modifications and deletions applied in order.
    #[test]
    fn delta_files_update_a_list() {
        let (mut list, _) = read_ftm(FTM.as_bytes()).unwrap();
        let delta = r#"{"op":"MOD","entity":{"id":"NK-2","schema":"Person","properties":{"firstName":["Ana"],"lastName":["Ruiz Soto"]}}}
{"op":"DEL","entity":{"id":"NK-1"}}
{"op":"ADD","entity":{"id":"NK-3","schema":"Person","properties":{"name":["Luis Coj"]}}}
{"op":"ADD","entity":{"id":"c-2","schema":"Company","properties":{"name":["ACME"]}}}
"#;
        let (changes, stats) = read_ftm_delta(delta.as_bytes()).unwrap();
        assert_eq!((changes.len(), stats.skipped_total()), (3, 1));
        apply_delta(&mut list, changes);
        let ids: Vec<&str> = list.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["NK-2", "NK-3"]);
        assert_eq!(list[0].surnames, "Ruiz Soto");
        let e = read_ftm_delta(r#"{"op":"UPSERT","entity":{"id":"x"}}"#.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (1, "op"));
    }

    #[test]
    fn reads_persons_and_skips_other_schemas() {
        let (v, stats) = read_ftm(FTM.as_bytes()).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(stats.skipped_total(), 2);
        assert_eq!(stats.skipped["Company"], 1);
        assert_eq!(stats.dropped_values, 1);
        let a = &v[0];
        assert_eq!((a.given_names.as_str(), a.surnames.as_str()), ("Joaquín", "Guzmán Loera"));
        assert_eq!(a.aliases, ["El Chapo Guzman", "El Chapo"]);
        assert_eq!(a.nationalities[0].as_str(), "MEX");
        assert_eq!(a.sex, Sex::Male);
        assert_eq!(a.document_numbers[0].as_str(), "G123");
        let b = &v[1];
        assert_eq!((b.given_names.as_str(), b.surnames.as_str()), ("Ana", "Ruiz"));
        assert_eq!(b.aliases, ["RUIZ Ana Maria"]);
        assert_eq!(b.birth_dates.len(), 2);
        assert_eq!(b.birth_dates[1].to_string(), "1980-05-01");
        assert_eq!(b.nationalities.len(), 1);
    }

    #[test]
    fn reads_the_notice_of_nested_sanctions() {
        let line = r#"{"id":"R-1","schema":"Person","properties":{"name":["Ana Ruiz"],"sanctions":[{"id":"s0","schema":"Sanction","properties":{"program":["x"]}},{"id":"s1","schema":"Sanction","properties":{"reason":["Notificación roja: trata de personas"],"provisions":["Detener"],"authority":["INTERPOL"],"startDate":["2025-11-02"]}}]}}"#;
        let (v, stats) = read_ftm(line.as_bytes()).unwrap();
        let n = &v[0].notice;
        assert_eq!(
            (n.reason.as_str(), n.action.as_str(), n.authority.as_str()),
            ("Notificación roja: trata de personas", "Detener", "INTERPOL")
        );
        assert_eq!(n.issued.map(|d| d.to_string()).as_deref(), Some("2025-11-02"));
        assert_eq!(stats.dropped_values, 0);
        // Written back, read again: the same notice.
        let (again, _) = read_ftm(person_to_ftm(&v[0]).as_bytes()).unwrap();
        assert_eq!(again[0].notice, *n);
        let bad = r#"{"id":"R-2","schema":"Person","properties":{"name":["Ana Ruiz"],"sanctions":[{"properties":{"reason":["a\u0007b"]}}]}}"#;
        assert_eq!(read_ftm(bad.as_bytes()).unwrap_err().field, "sanctions.reason");
    }

    #[test]
    fn rejects_with_line_and_field() {
        let bad = "{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{\"name\":[\"X Y\"]}}\n\n{\"schema\":\"Person\",\"properties\":{}}\n";
        let e = read_ftm(bad.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (3, "id"));
        let e = read_ftm(&b"{nope\n"[..]).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (1, "json"));
        let e = read_ftm(&b"{\"id\":\"a\",\"schema\":\"Person\",\"properties\":{}}"[..]).unwrap_err();
        assert_eq!(e.field, "name");
    }

    #[test]
    fn splits_names() {
        let mex = [CountryCode::parse("MEX").unwrap()];
        assert_eq!(split_name("Anna Maria Eriksson", &[]), ("Anna Maria".into(), "Eriksson".into()));
        assert_eq!(split_name("Juan Pérez López", &mex), ("Juan".into(), "Pérez López".into()));
        assert_eq!(split_name("PÉREZ LÓPEZ, Juan", &[]), ("Juan".into(), "PÉREZ LÓPEZ".into()));
        assert_eq!(split_name("Juan PÉREZ LÓPEZ", &[]), ("Juan".into(), "PÉREZ LÓPEZ".into()));
        assert_eq!(split_name("Madonna", &[]), ("".into(), "Madonna".into()));
    }
}
