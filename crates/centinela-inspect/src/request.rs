//! What the booth sends: a travel party, each traveller as an MRZ and/or
//! typed fields, their relation to the party's first traveller, a minor's
//! travel consent, and the officer's observations.

use centinela_domain::{BirthDate, CountryCode, Direction, DocumentNumber, Sex, Timestamp, check_line, check_phone};
use serde::Deserialize;

use crate::{DocumentCheck, InputError};

/// The most travellers in one party (a full bus).
pub const MAX_PARTY: usize = 80;

/// One inspection call: a party registered together at one post.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PartyRequest {
    /// The border post's code.
    #[cfg_attr(feature = "openapi", schema(example = "GTM-TECUNUMAN"))]
    pub post: String,
    /// `entry` or `exit`.
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = "^(entry|exit)$", example = "entry"))]
    pub direction: Direction,
    /// Plate, bus or flight identifier.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "P-123ABC"))]
    pub vehicle: Option<String>,
    /// The party's id; one is made up for a party of several without one.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "G-EJEMPLO-1"))]
    pub group_id: Option<String>,
    /// One or more.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, example = json!([{
        "given_names": "ANA", "surnames": "PÉREZ LÓPEZ", "birth_date": "1990-05-17", "nationality": "GTM",
        "sex": "F", "document_type": "P", "document_number": "A1234567", "issuing_state": "GTM"
    }])))]
    pub travellers: Vec<TravellerInput>,
}

/// A traveller as read at the booth. With an `mrz`, typed fields fill what
/// the MRZ lacks (and a contradiction is shown); without, typed fields are
/// all there is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TravellerInput {
    /// The machine-readable zone, lines separated by newlines.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = json!(null)))]
    pub mrz: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "ANA"))]
    pub given_names: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "PÉREZ LÓPEZ"))]
    pub surnames: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "1990-05-17"))]
    pub birth_date: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "GTM"))]
    pub nationality: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "F"))]
    pub sex: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "P"))]
    pub document_type: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "A1234567"))]
    pub document_number: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "GTM"))]
    pub issuing_state: Option<String>,
    /// E.164.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "+50255551234"))]
    pub phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "4a calle 5-10, zona 1, Guatemala"))]
    pub address: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(example = "Tapachula"))]
    pub destination: Option<String>,
    /// Relation to the party's first traveller.
    #[serde(default)]
    pub relation: Option<Relation>,
    /// A minor shows a travel consent or authorisation signed by the
    /// parents or a court.
    #[serde(default)]
    pub travel_consent: bool,
    /// What the officer observed (INDICATORS.md T3, T5–T10).
    #[serde(default)]
    pub observations: Vec<Observation>,
    /// The ePassport chip's files as the reader delivers them, base64:
    /// verified (Passive Authentication) against the trust anchors held and
    /// DG1 against `mrz`.
    #[serde(default)]
    pub chip: Option<ChipInput>,
    /// A live capture of the traveller's face from the booth camera, a
    /// JPEG in base64, taken with the traveller told and the officer's
    /// consent step: stored with the crossing beside the chip's photo.
    #[serde(default)]
    pub capture: Option<String>,
}

/// The files read from a document's chip, each base64 (standard alphabet).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChipInput {
    /// EF.SOD (tag 77).
    pub sod: String,
    /// DG1, the MRZ (tag 61).
    pub dg1: String,
    /// DG2, the face (tag 75).
    #[serde(default)]
    pub dg2: Option<String>,
    #[serde(default)]
    pub dg11: Option<String>,
    #[serde(default)]
    pub dg12: Option<String>,
}

/// How a traveller is related to the party's first traveller (the lead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The first traveller.
    Lead,
    /// A parent of the lead.
    Parent,
    /// A child of the lead.
    Child,
    /// The lead's legal guardian.
    Guardian,
    /// In the lead's legal guardianship.
    Ward,
    Spouse,
    Sibling,
    /// Another relative (aunt, grandparent, cousin …): not a guardian.
    Relative,
    /// Not related.
    None,
    Unknown,
}

impl Relation {
    pub fn as_str(&self) -> &'static str {
        match self {
            Relation::Lead => "lead",
            Relation::Parent => "parent",
            Relation::Child => "child",
            Relation::Guardian => "guardian",
            Relation::Ward => "ward",
            Relation::Spouse => "spouse",
            Relation::Sibling => "sibling",
            Relation::Relative => "relative",
            Relation::None => "none",
            Relation::Unknown => "unknown",
        }
    }
}

/// An officer's observation at the booth (INDICATORS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Observation {
    /// Someone else holds the traveller's document.
    T3,
    /// Someone speaks for the traveller; scripted or inconsistent answers.
    T5,
    /// An escort watches but stays apart.
    T6,
    /// Ticket bought at the last minute by someone else, cash, one way.
    T7,
    /// Job offer abroad through an agent; a recruitment fee or debt.
    T8,
    /// Signs of fear, injuries, sedation; unsuitable clothing.
    T9,
    /// A group leader holds the documents or cash.
    T10,
}

/// A traveller's fields after reading: typed values parsed, MRZ applied.
#[derive(Debug, Clone)]
pub(crate) struct Read {
    pub given_names: String,
    pub surnames: String,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub sex: Sex,
    pub document_number: Option<DocumentNumber>,
    pub issuing_state: Option<CountryCode>,
    pub document: DocumentCheck,
}

fn field_err(i: usize, field: &str, message: impl ToString) -> InputError {
    InputError { field: format!("travellers[{i}].{field}"), message: message.to_string() }
}

fn text(v: &Option<String>) -> String {
    v.as_deref().map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

/// Longest free-text field accepted, in characters.
pub(crate) const MAX_TEXT: usize = 200;

/// Parses one traveller's input; the MRZ is verified on the date of `at`.
pub(crate) fn read_traveller(i: usize, t: &TravellerInput, at: Timestamp) -> Result<Read, InputError> {
    for (name, v) in [
        ("given_names", &t.given_names),
        ("surnames", &t.surnames),
        ("address", &t.address),
        ("destination", &t.destination),
        ("document_type", &t.document_type),
        ("birth_date", &t.birth_date),
        ("nationality", &t.nationality),
        ("sex", &t.sex),
        ("document_number", &t.document_number),
        ("issuing_state", &t.issuing_state),
        ("phone", &t.phone),
    ] {
        if let Some(v) = v {
            check_line(v, MAX_TEXT).map_err(|e| field_err(i, name, e))?;
        }
    }
    let typed_birth =
        BirthDate::parse_opt(t.birth_date.as_deref().unwrap_or("")).map_err(|e| field_err(i, "birth_date", e))?;
    let typed_nat =
        CountryCode::parse_opt(t.nationality.as_deref().unwrap_or("")).map_err(|e| field_err(i, "nationality", e))?;
    let typed_state = CountryCode::parse_opt(t.issuing_state.as_deref().unwrap_or(""))
        .map_err(|e| field_err(i, "issuing_state", e))?;
    let typed_sex = Sex::parse(t.sex.as_deref().unwrap_or("")).map_err(|e| field_err(i, "sex", e))?;
    let typed_number = match t.document_number.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(n) => Some(DocumentNumber::parse(n).map_err(|e| field_err(i, "document_number", e))?),
    };
    if let Some(p) = t.phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        check_phone(p).map_err(|e| field_err(i, "phone", e))?;
    }
    let mut read = Read {
        given_names: text(&t.given_names),
        surnames: text(&t.surnames),
        birth_date: typed_birth,
        nationality: typed_nat,
        sex: typed_sex,
        document_number: typed_number,
        issuing_state: typed_state,
        document: DocumentCheck {
            source: "typed",
            document_type: text(&t.document_type),
            document_number: String::new(),
            issuing_state: String::new(),
            expiry_date: String::new(),
            mrz_valid: None,
            problems: Vec::new(),
            typed_differs: Vec::new(),
        },
    };
    if let Some(mrz) = t.mrz.as_deref().filter(|m| !m.trim().is_empty()) {
        apply_mrz(i, mrz, at, &mut read)?;
    }
    read.document.document_number = read.document_number.as_ref().map(|d| d.as_str().to_string()).unwrap_or_default();
    read.document.issuing_state = read.issuing_state.map(|c| c.as_str().to_string()).unwrap_or_default();
    Ok(read)
}

/// Reads the MRZ into `read`: its fields win; typed fields fill what it
/// lacks, and a typed value that contradicts it is listed.
fn apply_mrz(i: usize, mrz: &str, at: Timestamp, read: &mut Read) -> Result<(), InputError> {
    let (y, m, d) = at.civil_date();
    let today = centinela_mrz::Date::new(y, m, d).ok_or_else(|| field_err(i, "mrz", "the date is out of range"))?;
    let doc = centinela_mrz::parse(mrz.trim(), today).map_err(|e| field_err(i, "mrz", e))?;
    let mut differs = Vec::new();
    let mut problems: Vec<String> = doc.warnings.iter().map(|w| w.code().to_string()).collect();
    // ICAO's specimen state: a sample document, never a real traveller's.
    if doc.issuing_state == "UTO" || doc.nationality == "UTO" {
        problems.push("specimen".to_string());
    }
    for (ok, code) in [
        (doc.checks.document_number, "check_digit_document_number"),
        (doc.checks.birth_date, "check_digit_birth_date"),
        (doc.checks.expiry_date, "check_digit_expiry_date"),
        (doc.checks.optional_data.unwrap_or(true), "check_digit_optional_data"),
        (doc.checks.composite.unwrap_or(true), "check_digit_composite"),
    ] {
        if !ok {
            problems.push(code.to_string());
        }
    }
    let mut take_text = |name: &'static str, from_mrz: &str, typed: &mut String| {
        if from_mrz.is_empty() {
            return;
        }
        if !typed.is_empty() && !same_name(from_mrz, typed) {
            differs.push(name.to_string());
        }
        // Keep the typed spelling (accents, Ñ) when it agrees with the MRZ.
        if typed.is_empty() || !same_name(from_mrz, typed) {
            *typed = from_mrz.to_string();
        }
    };
    take_text("given_names", &doc.given_names, &mut read.given_names);
    take_text("surnames", &doc.surnames, &mut read.surnames);
    if let Ok(Some(b)) = BirthDate::parse_opt(&doc.birth_date) {
        if read.birth_date.is_some_and(|t| t != b) {
            differs.push("birth_date".into());
        }
        read.birth_date = Some(b);
    }
    if let Ok(Some(c)) = CountryCode::parse_opt(&doc.nationality) {
        if read.nationality.is_some_and(|t| t != c) {
            differs.push("nationality".into());
        }
        read.nationality = Some(c);
    }
    if let Ok(Some(c)) = CountryCode::parse_opt(&doc.issuing_state) {
        if read.issuing_state.is_some_and(|t| t != c) {
            differs.push("issuing_state".into());
        }
        read.issuing_state = Some(c);
    }
    if let Ok(s) = Sex::parse(&doc.sex)
        && s != Sex::Unknown
    {
        if read.sex != Sex::Unknown && read.sex != s {
            differs.push("sex".into());
        }
        read.sex = s;
    }
    if let Ok(n) = DocumentNumber::parse(&doc.document_number) {
        if read.document_number.as_ref().is_some_and(|t| *t != n) {
            differs.push("document_number".into());
        }
        read.document_number = Some(n);
    }
    read.document.source = "mrz";
    read.document.document_type = doc.document_code.clone();
    read.document.expiry_date = doc.expiry_date.clone();
    read.document.mrz_valid = Some(doc.valid);
    read.document.problems = problems;
    read.document.typed_differs = differs;
    Ok(())
}

/// The same name once folded to MRZ letters (accents, Ñ, case, spaces and
/// punctuation aside).
fn same_name(mrz: &str, typed: &str) -> bool {
    let key = |s: &str| -> String {
        centinela_mrz::translit::to_mrz(s).chars().filter(|c| c.is_ascii_alphabetic()).collect()
    };
    key(mrz) == key(typed)
}
