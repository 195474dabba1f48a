//! Reading a machine-readable zone: structure and characters ([`Zone::parse`]),
//! then the check digits and field rules ([`Zone::verify`]), then the owned,
//! serialisable [`Document`] ([`Zone::document`]).
//!
//! Parsing and verifying borrow the input and allocate nothing; only
//! [`Zone::document`] builds strings.

use std::fmt;

use serde::Serialize;

use crate::codes::{self, CodeKind};
use crate::date::{Date, PartialDate, days_in_month};

/// The five MRZ formats of Doc 9303.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Format {
    /// ID-1 size card: 3 lines of 30 (Part 5).
    TD1,
    /// ID-2 size card: 2 lines of 36 (Part 6).
    TD2,
    /// Passport book: 2 lines of 44 (Part 4).
    TD3,
    /// Full-size visa: 2 lines of 44 (Part 7).
    #[serde(rename = "MRVA")]
    MrvA,
    /// Small visa: 2 lines of 36 (Part 7).
    #[serde(rename = "MRVB")]
    MrvB,
}

impl Format {
    pub const ALL: [Format; 5] = [Format::TD1, Format::TD2, Format::TD3, Format::MrvA, Format::MrvB];

    /// The name used in the JSON contract: `TD1`, `TD2`, `TD3`, `MRVA`, `MRVB`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::TD1 => "TD1",
            Format::TD2 => "TD2",
            Format::TD3 => "TD3",
            Format::MrvA => "MRVA",
            Format::MrvB => "MRVB",
        }
    }

    pub const fn lines(self) -> usize {
        match self {
            Format::TD1 => 3,
            _ => 2,
        }
    }

    pub const fn line_len(self) -> usize {
        match self {
            Format::TD1 => 30,
            Format::TD2 | Format::MrvB => 36,
            Format::TD3 | Format::MrvA => 44,
        }
    }

    const fn layout(self) -> &'static Layout {
        match self {
            Format::TD1 => &TD1,
            Format::TD2 => &TD2,
            Format::TD3 => &TD3,
            Format::MrvA => &MRVA,
            Format::MrvB => &MRVB,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A position: line index (0-based) and column (0-based).
type Pos = (usize, usize);
/// A range on one line: line, start, end (exclusive).
type Span = (usize, usize, usize);

/// Where each field lies in a format.
pub(crate) struct Layout {
    pub name: Span,
    /// 9 characters, then the check digit.
    pub doc: Pos,
    /// YYMMDD, then the check digit.
    pub birth: Pos,
    pub sex: Pos,
    /// YYMMDD, then the check digit.
    pub expiry: Pos,
    pub nationality: Pos,
    /// Optional data fields (TD1 has two); the first is where a long document
    /// number continues (TD1, TD2).
    pub optional: &'static [Span],
    pub optional_check: Option<Pos>,
    /// The composite check digit and the spans it covers.
    pub composite: Option<(Pos, &'static [Span])>,
    /// Whether a document number longer than 9 may continue in the optional data.
    pub long_number: bool,
}

const TD1: Layout = Layout {
    name: (2, 0, 30),
    doc: (0, 5),
    birth: (1, 0),
    sex: (1, 7),
    expiry: (1, 8),
    nationality: (1, 15),
    optional: &[(0, 15, 30), (1, 18, 29)],
    optional_check: None,
    composite: Some(((1, 29), &[(0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)])),
    long_number: true,
};
const TD2: Layout = Layout {
    name: (0, 5, 36),
    doc: (1, 0),
    birth: (1, 13),
    sex: (1, 20),
    expiry: (1, 21),
    nationality: (1, 10),
    optional: &[(1, 28, 35)],
    optional_check: None,
    composite: Some(((1, 35), &[(1, 0, 10), (1, 13, 20), (1, 21, 35)])),
    long_number: true,
};
const TD3: Layout = Layout {
    name: (0, 5, 44),
    doc: (1, 0),
    birth: (1, 13),
    sex: (1, 20),
    expiry: (1, 21),
    nationality: (1, 10),
    optional: &[(1, 28, 42)],
    optional_check: Some((1, 42)),
    composite: Some(((1, 43), &[(1, 0, 10), (1, 13, 20), (1, 21, 43)])),
    long_number: false,
};
const MRVA: Layout = Layout {
    name: (0, 5, 44),
    doc: (1, 0),
    birth: (1, 13),
    sex: (1, 20),
    expiry: (1, 21),
    nationality: (1, 10),
    optional: &[(1, 28, 44)],
    optional_check: None,
    composite: None,
    long_number: false,
};
const MRVB: Layout = Layout {
    name: (0, 5, 36),
    doc: (1, 0),
    birth: (1, 13),
    sex: (1, 20),
    expiry: (1, 21),
    nationality: (1, 10),
    optional: &[(1, 28, 36)],
    optional_check: None,
    composite: None,
    long_number: false,
};

/// Why a block could not be read as an MRZ at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// No non-blank line.
    Empty,
    /// Not 2 or 3 lines.
    LineCount(usize),
    /// A first line whose length matches no format (2-line zones).
    UnknownLength(usize),
    /// A line of the wrong length for the format.
    LineLength { expected: usize, found: usize },
    /// A lower-case letter (MRZs are upper case).
    LowerCase(char),
    /// A character outside `A–Z`, `0–9`, `<`.
    InvalidChar(char),
    /// A machine-readable zone of another standard (what it looks like):
    /// France's identity card of 1988–2021, a driving licence.
    NotIcao(&'static str),
}

/// A block that is not a readable MRZ. `line` is 1-based within the text
/// given to [`Zone::parse`] (blank lines count); `column` is 1-based, in
/// characters, within that raw line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub kind: ParseErrorKind,
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::Empty => f.write_str("no MRZ lines"),
            ParseErrorKind::LineCount(n) => {
                write!(f, "{n} line(s); an MRZ has 2 lines (TD2, TD3, MRV-A, MRV-B) or 3 (TD1)")
            }
            ParseErrorKind::UnknownLength(n) => {
                write!(f, "line of {n} characters; a 2-line MRZ has lines of 36 (TD2, MRV-B) or 44 (TD3, MRV-A)")
            }
            ParseErrorKind::LineLength { expected, found } => {
                write!(f, "line of {found} characters, expected {expected}")
            }
            ParseErrorKind::LowerCase(c) => write!(f, "lower-case letter {c:?} (MRZ letters are upper case)"),
            ParseErrorKind::InvalidChar(c) => write!(f, "character {c:?} is not an MRZ character (A-Z, 0-9, <)"),
            ParseErrorKind::NotIcao(what) => write!(f, "not an ICAO machine-readable zone: {what}"),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: {}", self.line, self.column, self.kind)
    }
}

impl std::error::Error for ParseError {}

/// Stable warning codes, in the order they are reported.
///
/// Those marked *malformed* make the document invalid; the others are advice
/// for the officer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Warning {
    /// *Malformed*: the document code does not fit the format.
    MalformedDocumentCode,
    /// *Malformed*: the issuing state is not on the ICAO code list.
    UnknownIssuingState,
    /// *Malformed*: the name field has no primary identifier or has digits.
    MalformedName,
    /// *Malformed*: the document number is empty or its long form is broken.
    MalformedDocumentNumber,
    /// *Malformed*: the nationality is not on the ICAO code list.
    UnknownNationality,
    /// *Malformed*: the birth date is not a date.
    MalformedBirthDate,
    /// *Malformed*: the sex is not `M`, `F`, `X` or `<`.
    MalformedSex,
    /// *Malformed*: the expiry date is not a date.
    MalformedExpiryDate,
    /// The name fills its field to the last character: it may be truncated.
    NameTruncated,
    /// A filler inside the document number, followed by more characters.
    FillerInDocumentNumber,
    /// Letters after a run of 3+ fillers or a second `<<` in the name (OCR noise?).
    LettersAmongFillers,
    /// Day and/or month of birth unknown (`<<`).
    BirthDatePartial,
    /// Birth date unknown altogether.
    BirthDateUnknown,
    /// Birth date after today.
    BirthDateInFuture,
    /// Holder older than 120 years.
    BirthDateImplausible,
    /// Holder under 18 today.
    Under18,
    /// Expiry date left empty.
    ExpiryDateUnknown,
    /// Expiry date before the birth date.
    ExpiryBeforeBirth,
    /// The document has expired (expiry date before today).
    Expired,
    /// Nationality differs from the issuing state (both being states).
    NationalityDiffersFromIssuingState,
    /// A passport in the TD2 format (document code `P` on 36 characters):
    /// Germany's temporary passport. Read as a TD2.
    Td2Passport,
    /// No primary identifier: the name field starts with `<<` (Indian
    /// passports of holders with one name). The name is the secondary one.
    NoPrimaryIdentifier,
    /// A long document number's check digit passes only when it covers the
    /// filler at position 15 (old Belgian identity cards).
    CheckDigitCoversFiller,
}

impl Warning {
    pub const ALL: [Warning; 23] = [
        Warning::MalformedDocumentCode,
        Warning::UnknownIssuingState,
        Warning::MalformedName,
        Warning::MalformedDocumentNumber,
        Warning::UnknownNationality,
        Warning::MalformedBirthDate,
        Warning::MalformedSex,
        Warning::MalformedExpiryDate,
        Warning::NameTruncated,
        Warning::FillerInDocumentNumber,
        Warning::LettersAmongFillers,
        Warning::BirthDatePartial,
        Warning::BirthDateUnknown,
        Warning::BirthDateInFuture,
        Warning::BirthDateImplausible,
        Warning::Under18,
        Warning::ExpiryDateUnknown,
        Warning::ExpiryBeforeBirth,
        Warning::Expired,
        Warning::NationalityDiffersFromIssuingState,
        Warning::Td2Passport,
        Warning::NoPrimaryIdentifier,
        Warning::CheckDigitCoversFiller,
    ];

    /// The stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Warning::MalformedDocumentCode => "malformed_document_code",
            Warning::UnknownIssuingState => "unknown_issuing_state",
            Warning::MalformedName => "malformed_name",
            Warning::MalformedDocumentNumber => "malformed_document_number",
            Warning::UnknownNationality => "unknown_nationality",
            Warning::MalformedBirthDate => "malformed_birth_date",
            Warning::MalformedSex => "malformed_sex",
            Warning::MalformedExpiryDate => "malformed_expiry_date",
            Warning::NameTruncated => "name_truncated",
            Warning::FillerInDocumentNumber => "filler_in_document_number",
            Warning::LettersAmongFillers => "letters_among_fillers",
            Warning::BirthDatePartial => "birth_date_partial",
            Warning::BirthDateUnknown => "birth_date_unknown",
            Warning::BirthDateInFuture => "birth_date_in_future",
            Warning::BirthDateImplausible => "birth_date_implausible",
            Warning::Under18 => "under_18",
            Warning::ExpiryDateUnknown => "expiry_date_unknown",
            Warning::ExpiryBeforeBirth => "expiry_before_birth",
            Warning::Expired => "expired",
            Warning::NationalityDiffersFromIssuingState => "nationality_differs_from_issuing_state",
            Warning::Td2Passport => "td2_passport",
            Warning::NoPrimaryIdentifier => "no_primary_identifier",
            Warning::CheckDigitCoversFiller => "check_digit_covers_filler",
        }
    }

    /// Whether this warning makes the document invalid (a malformed field).
    pub const fn is_malformed(self) -> bool {
        (self as u8) <= Warning::MalformedExpiryDate as u8
    }
}

/// A set of warnings (no allocation). Serialises as an array of codes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Warnings(u32);

impl Warnings {
    pub fn insert(&mut self, w: Warning) {
        self.0 |= 1 << w as u8;
    }

    pub fn contains(self, w: Warning) -> bool {
        self.0 & (1 << w as u8) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether any warning marks a malformed field.
    pub fn any_malformed(self) -> bool {
        self.0 & ((1 << (Warning::MalformedExpiryDate as u8 + 1)) - 1) != 0
    }

    pub fn iter(self) -> impl Iterator<Item = Warning> {
        Warning::ALL.into_iter().filter(move |w| self.contains(*w))
    }
}

impl Serialize for Warnings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Warning::code))
    }
}

/// The outcome of each check digit the format has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Checks {
    pub document_number: bool,
    pub birth_date: bool,
    pub expiry_date: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub optional_data: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub composite: Option<bool>,
}

impl Checks {
    pub fn all_pass(&self) -> bool {
        self.document_number
            && self.birth_date
            && self.expiry_date
            && self.optional_data.unwrap_or(true)
            && self.composite.unwrap_or(true)
    }
}

/// Check digits and warnings of a zone, computed without allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub checks: Checks,
    pub warnings: Warnings,
    /// Every check passes and every field is well formed.
    pub valid: bool,
}

/// A read and verified MRZ, as the `centinela mrz` JSON contract prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    pub format: Format,
    /// `P`, `I`, `ID`, `V`, … (fillers removed).
    pub document_code: String,
    pub issuing_state: String,
    /// Primary identifier, parts separated by single spaces.
    pub surnames: String,
    /// Secondary identifier, parts separated by single spaces.
    pub given_names: String,
    /// Fillers removed; a long TD1/TD2 number includes its continuation.
    pub document_number: String,
    pub nationality: String,
    /// `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or empty (unknown or malformed).
    pub birth_date: String,
    /// `M`, `F`, `X` or empty.
    pub sex: String,
    /// `YYYY-MM-DD` or empty (unknown or malformed).
    pub expiry_date: String,
    /// Items separated by single spaces where the issuer separated them
    /// with fillers; TD1 joins its two optional fields with a space.
    pub optional_data: String,
    pub checks: Checks,
    pub valid: bool,
    pub warnings: Warnings,
}

/// The ICAO 9303 check digit (weights 7, 3, 1; `<` and anything else 0,
/// `A`–`Z` 10–35) of the concatenation of `parts`, as a number 0–9.
pub fn check_digit_of(parts: &[&[u8]]) -> u8 {
    let mut sum = 0u32;
    let mut w = 0usize;
    for part in parts {
        for &c in *part {
            sum += VALUE[c as usize] as u32 * WEIGHT[w] as u32;
            w = if w == 2 { 0 } else { w + 1 };
        }
    }
    (sum % 10) as u8
}

const WEIGHT: [u8; 3] = [7, 3, 1];

/// Character values for check digits: `0`–`9` 0–9, `A`–`Z` 10–35, anything else 0.
static VALUE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

/// Bytes allowed in an MRZ: `A`–`Z`, `0`–`9`, `<`.
static MRZ_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'<';
        i += 1;
    }
    t
};

/// The check digit of one field, as a number 0–9.
pub fn check_digit(data: &[u8]) -> u8 {
    check_digit_of(&[data])
}

/// A zone whose structure and characters are sound: 2 or 3 lines of the
/// right length, all of `A–Z0–9<`. Borrows the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone<'a> {
    format: Format,
    lines: [&'a [u8]; 3],
}

/// How a birth date field reads.
enum BirthField {
    Unknown,
    Malformed,
    /// Two-digit year, month and day if known.
    Known(u8, Option<u8>, Option<u8>),
}

fn two_digits(b: &[u8]) -> Option<u8> {
    match b {
        [a @ b'0'..=b'9', c @ b'0'..=b'9'] => Some((a - b'0') * 10 + (c - b'0')),
        _ => None,
    }
}

fn read_birth(f: &[u8]) -> BirthField {
    if f.iter().all(|&c| c == b'<') {
        return BirthField::Unknown;
    }
    let Some(yy) = two_digits(&f[0..2]) else { return BirthField::Malformed };
    let month = match &f[2..4] {
        b"<<" => None,
        m => match two_digits(m) {
            Some(m @ 1..=12) => Some(m),
            _ => return BirthField::Malformed,
        },
    };
    let day = match &f[4..6] {
        b"<<" => None,
        d => match two_digits(d) {
            Some(d @ 1..=31) => Some(d),
            _ => return BirthField::Malformed,
        },
    };
    BirthField::Known(yy, month, day.filter(|_| month.is_some()))
}

/// Resolves a two-digit birth year: the latest century in which the
/// (earliest possible) date is neither after `today` nor after the
/// document's `expiry` (a holder is born before the document is issued).
fn resolve_birth(yy: u8, month: Option<u8>, day: Option<u8>, today: Date, expiry: Option<Date>) -> PartialDate {
    let base = today.year().div_euclid(100) * 100 + yy as i32;
    let p = PartialDate { year: base, month, day };
    let after = |p: &PartialDate| p.earliest() > today || expiry.is_some_and(|e| p.earliest() > e);
    if after(&p) { PartialDate { year: base - 100, month, day } } else { p }
}

/// Reads a full YYMMDD expiry date (20YY). `Err(())` when malformed, `Ok(None)` when all fillers.
#[allow(clippy::result_unit_err)]
fn read_expiry(f: &[u8]) -> Result<Option<Date>, ()> {
    if f.iter().all(|&c| c == b'<') {
        return Ok(None);
    }
    let (Some(yy), Some(m), Some(d)) = (two_digits(&f[0..2]), two_digits(&f[2..4]), two_digits(&f[4..6])) else {
        return Err(());
    };
    Date::new(2000 + yy as i32, m, d).map(Some).ok_or(())
}

impl<'a> Zone<'a> {
    /// Reads a block of 2 or 3 MRZ lines separated by `\n` (or `\r\n`).
    /// Surrounding whitespace on each line and blank lines are ignored;
    /// anything else that is not an MRZ gives a [`ParseError`] naming the line
    /// and column.
    pub fn parse(text: &'a str) -> Result<Zone<'a>, ParseError> {
        let mut found: [(&'a str, usize, usize); 3] = [("", 0, 0); 3];
        let mut n = 0usize;
        for (i, raw) in text.split('\n').enumerate() {
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            if n == 3 {
                return Err(ParseError { line: i + 1, column: 1, kind: ParseErrorKind::LineCount(n + 1) });
            }
            let lead = raw.len() - raw.trim_start().len();
            let col0 = raw[..lead].chars().count();
            found[n] = (trimmed, i + 1, col0);
            n += 1;
        }
        Self::from_found(&found[..n])
    }

    /// Reads already separated lines (surrounding whitespace ignored).
    pub fn from_lines(lines: &[&'a str]) -> Result<Zone<'a>, ParseError> {
        if lines.len() > 3 {
            return Err(ParseError { line: 4, column: 1, kind: ParseErrorKind::LineCount(lines.len()) });
        }
        let mut found: [(&'a str, usize, usize); 3] = [("", 0, 0); 3];
        for (i, raw) in lines.iter().enumerate() {
            let lead = raw.len() - raw.trim_start().len();
            found[i] = (raw.trim(), i + 1, raw[..lead].chars().count());
        }
        Self::from_found(&found[..lines.len()])
    }

    fn from_found(found: &[(&'a str, usize, usize)]) -> Result<Zone<'a>, ParseError> {
        let Some(&(first, first_line, first_col)) = found.first() else {
            return Err(ParseError { line: 1, column: 1, kind: ParseErrorKind::Empty });
        };
        if let Some(what) = other_standard(found) {
            return Err(ParseError { line: first_line, column: first_col + 1, kind: ParseErrorKind::NotIcao(what) });
        }
        let format = match found.len() {
            3 => Format::TD1,
            2 => {
                // Report bad characters before a length that may result from them.
                check_chars(first, first_line, first_col, usize::MAX)?;
                let v = first.as_bytes().first() == Some(&b'V');
                match first.len() {
                    36 if v => Format::MrvB,
                    36 => Format::TD2,
                    44 if v => Format::MrvA,
                    44 => Format::TD3,
                    len => {
                        return Err(ParseError {
                            line: first_line,
                            column: first_col + len.min(44) + 1,
                            kind: ParseErrorKind::UnknownLength(len),
                        });
                    }
                }
            }
            n => {
                return Err(ParseError { line: first_line, column: first_col + 1, kind: ParseErrorKind::LineCount(n) });
            }
        };
        let expected = format.line_len();
        let mut lines: [&'a [u8]; 3] = [b""; 3];
        for (i, &(s, line, col)) in found.iter().enumerate() {
            // The first line of a 2-line zone was checked above.
            if i > 0 || found.len() == 3 {
                check_chars(s, line, col, expected)?;
            }
            if s.len() != expected {
                return Err(ParseError {
                    line,
                    column: col + s.len().min(expected) + 1,
                    kind: ParseErrorKind::LineLength { expected, found: s.chars().count() },
                });
            }
            lines[i] = s.as_bytes();
        }
        Ok(Zone { format, lines })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The lines, each of the format's length.
    pub fn lines(&self) -> &[&'a [u8]] {
        &self.lines[..self.format.lines()]
    }

    fn span(&self, (l, s, e): Span) -> &'a [u8] {
        &self.lines[l][s..e]
    }

    fn at(&self, (l, c): Pos, len: usize) -> &'a [u8] {
        &self.lines[l][c..c + len]
    }

    fn byte(&self, (l, c): Pos) -> u8 {
        self.lines[l][c]
    }

    /// The document number's parts: the 9-character field, the continuation
    /// in the optional data (long numbers), the check digit character, and
    /// what is left of the first optional-data field. `None` for a long
    /// number whose continuation is missing.
    #[allow(clippy::type_complexity)]
    fn doc_number_parts(&self) -> Option<(&'a [u8], &'a [u8], u8, &'a [u8])> {
        let lay = self.format.layout();
        let main = self.at(lay.doc, 9);
        let cd = self.byte((lay.doc.0, lay.doc.1 + 9));
        let opt = self.span(lay.optional[0]);
        if lay.long_number && cd == b'<' {
            // Doc 9303 Parts 5 and 6: the number continues at the start of
            // the optional data, followed by its check digit and a filler.
            let end = opt.iter().position(|&c| c == b'<').unwrap_or(opt.len());
            if end == 0 {
                return None;
            }
            return Some((main, &opt[..end - 1], opt[end - 1], &opt[end..]));
        }
        Some((main, b"", cd, opt))
    }

    /// Computes every check digit and field rule. `today` decides the birth
    /// century, expiry and age warnings. Allocates nothing.
    pub fn verify(&self, today: Date) -> Verification {
        self.verify_full(today).0
    }

    fn verify_full(&self, today: Date) -> (Verification, Option<PartialDate>, Option<Date>) {
        let lay = self.format.layout();
        let mut w = Warnings::default();
        let ok = |data: &[&[u8]], c: u8| c == b'0' + check_digit_of(data);

        // Document code.
        let code = self.at((0, 0), 2);
        let first_ok = match self.format {
            Format::TD3 => code[0] == b'P',
            Format::TD1 => matches!(code[0], b'I' | b'A' | b'C') && code[1] != b'V',
            Format::TD2 if code[0] == b'P' => {
                w.insert(Warning::Td2Passport);
                true
            }
            Format::TD2 => matches!(code[0], b'I' | b'A' | b'C') && code[1] != b'V',
            Format::MrvA | Format::MrvB => code[0] == b'V',
        };
        if !first_ok || !(code[1].is_ascii_uppercase() || code[1] == b'<') {
            w.insert(Warning::MalformedDocumentCode);
        }

        // Codes.
        let state = codes::lookup(self.at((0, 2), 3));
        let nat = codes::lookup(self.at(lay.nationality, 3));
        if state.is_none() {
            w.insert(Warning::UnknownIssuingState);
        }
        if nat.is_none() {
            w.insert(Warning::UnknownNationality);
        }
        if state == Some(CodeKind::State)
            && nat == Some(CodeKind::State)
            && self.at((0, 2), 3) != self.at(lay.nationality, 3)
        {
            w.insert(Warning::NationalityDiffersFromIssuingState);
        }

        // Name.
        let name = self.span(lay.name);
        let no_primary = name.starts_with(b"<<") && name.iter().any(|&c| c != b'<');
        if no_primary {
            w.insert(Warning::NoPrimaryIdentifier);
        }
        if (name[0] == b'<' && !no_primary) || name.iter().any(|c| c.is_ascii_digit()) {
            w.insert(Warning::MalformedName);
        }
        if name[name.len() - 1] != b'<' {
            w.insert(Warning::NameTruncated);
        }
        // The first `<<` separates the identifiers; a longer run, or a second
        // `<<`, followed by more letters is suspicious (a filler read as a letter?).
        let mut run = 0;
        let mut separated = false;
        for &c in name {
            if c == b'<' {
                run += 1;
            } else {
                if run >= 3 || (run == 2 && separated) {
                    w.insert(Warning::LettersAmongFillers);
                }
                separated |= run >= 2;
                run = 0;
            }
        }

        // Document number.
        let doc_ok = match self.doc_number_parts() {
            Some((main, over, cd, _)) => {
                if main[0] == b'<' || (!over.is_empty() && main.contains(&b'<')) {
                    w.insert(Warning::MalformedDocumentNumber);
                } else if let Some(p) = main.iter().position(|&c| c == b'<')
                    && main[p..].iter().any(|&c| c != b'<')
                {
                    w.insert(Warning::FillerInDocumentNumber);
                }
                if ok(&[main, over], cd) {
                    true
                } else if !over.is_empty() && ok(&[main, b"<", over], cd) {
                    w.insert(Warning::CheckDigitCoversFiller);
                    true
                } else {
                    false
                }
            }
            None => {
                w.insert(Warning::MalformedDocumentNumber);
                false
            }
        };

        // Birth date.
        let bf = self.at(lay.birth, 6);
        let birth_ok = ok(&[bf], self.byte((lay.birth.0, lay.birth.1 + 6)));
        let birth = match read_birth(bf) {
            BirthField::Unknown => {
                w.insert(Warning::BirthDateUnknown);
                None
            }
            BirthField::Malformed => {
                w.insert(Warning::MalformedBirthDate);
                None
            }
            BirthField::Known(yy, m, d) => {
                let p = resolve_birth(yy, m, d, today, read_expiry(self.at(lay.expiry, 6)).ok().flatten());
                if let (Some(m), Some(d)) = (p.month, p.day)
                    && d > days_in_month(p.year, m)
                {
                    w.insert(Warning::MalformedBirthDate);
                    None
                } else {
                    if p.day.is_none() {
                        w.insert(Warning::BirthDatePartial);
                    }
                    if p.earliest() > today {
                        w.insert(Warning::BirthDateInFuture);
                    } else if p.latest() < today.add_years(-120) {
                        w.insert(Warning::BirthDateImplausible);
                    }
                    if p.latest() > today.add_years(-18) && p.earliest() <= today {
                        w.insert(Warning::Under18);
                    }
                    Some(p)
                }
            }
        };

        // Sex.
        if !matches!(self.byte(lay.sex), b'M' | b'F' | b'X' | b'<') {
            w.insert(Warning::MalformedSex);
        }

        // Expiry date.
        let ef = self.at(lay.expiry, 6);
        let expiry_ok = ok(&[ef], self.byte((lay.expiry.0, lay.expiry.1 + 6)));
        let expiry = match read_expiry(ef) {
            Ok(Some(d)) => {
                if d < today {
                    w.insert(Warning::Expired);
                }
                if let Some(b) = birth
                    && d < b.earliest()
                {
                    w.insert(Warning::ExpiryBeforeBirth);
                }
                Some(d)
            }
            Ok(None) => {
                w.insert(Warning::ExpiryDateUnknown);
                None
            }
            Err(()) => {
                w.insert(Warning::MalformedExpiryDate);
                None
            }
        };

        // Optional data (TD3) and composite.
        let optional_ok = lay.optional_check.map(|p| {
            let data = self.span(lay.optional[0]);
            let c = self.byte(p);
            if data.iter().all(|&x| x == b'<') { c == b'<' || c == b'0' } else { ok(&[data], c) }
        });
        let composite_ok = lay.composite.map(|(p, spans)| {
            let mut parts: [&[u8]; 4] = [b""; 4];
            for (slot, &s) in parts.iter_mut().zip(spans) {
                *slot = self.span(s);
            }
            ok(&parts[..spans.len()], self.byte(p))
        });

        let checks = Checks {
            document_number: doc_ok,
            birth_date: birth_ok,
            expiry_date: expiry_ok,
            optional_data: optional_ok,
            composite: composite_ok,
        };
        let valid = checks.all_pass() && !w.any_malformed();
        (Verification { checks, warnings: w, valid }, birth, expiry)
    }

    /// Verifies the zone and builds the owned [`Document`].
    pub fn document(&self, today: Date) -> Document {
        let (v, birth, expiry) = self.verify_full(today);
        let lay = self.format.layout();
        let (surnames, given_names) = split_name(self.span(lay.name));
        let (number, rest) = match self.doc_number_parts() {
            Some((main, over, _, rest)) => {
                let mut s = strip_fillers(main);
                s.push_str(&strip_fillers(over));
                (s, rest)
            }
            None => (strip_fillers(self.at(lay.doc, 9)), self.span(lay.optional[0])),
        };
        let mut optional_data = name_parts(rest);
        for &span in &lay.optional[1..] {
            let more = name_parts(self.span(span));
            if !more.is_empty() {
                if !optional_data.is_empty() {
                    optional_data.push(' ');
                }
                optional_data.push_str(&more);
            }
        }
        let sex = match self.byte(lay.sex) {
            c @ (b'M' | b'F' | b'X') => (c as char).to_string(),
            _ => String::new(),
        };
        Document {
            format: self.format,
            document_code: strip_fillers(self.at((0, 0), 2)),
            issuing_state: strip_fillers(self.at((0, 2), 3)),
            surnames,
            given_names,
            document_number: number,
            nationality: strip_fillers(self.at(lay.nationality, 3)),
            birth_date: birth.map(|b| b.to_string()).unwrap_or_default(),
            sex,
            expiry_date: expiry.map(|d| d.to_string()).unwrap_or_default(),
            optional_data,
            checks: v.checks,
            valid: v.valid,
            warnings: v.warnings,
        }
    }
}

/// What a block is when it is a machine-readable zone of another standard
/// that would otherwise be taken for a broken ICAO one.
fn other_standard(found: &[(&str, usize, usize)]) -> Option<&'static str> {
    match found {
        // ISO/IEC 18013 (EU driving licences): one line of 30 starting `D`
        // and a digit or filler.
        [(l, ..)] if l.len() == 30 && matches!(l.as_bytes()[..2], [b'D', b'0'..=b'9' | b'<']) => {
            Some("a driving licence (ISO/IEC 18013: one line of 30 characters)")
        }
        // France's identity card of 1988–2021: 2 lines of 36 like a TD2,
        // but the given names stand where a TD2 has the birth date.
        [(l1, ..), (l2, ..)]
            if l1.len() == 36
                && l2.len() == 36
                && l1.starts_with("IDFRA")
                && l2.as_bytes()[13..19].iter().any(u8::is_ascii_uppercase) =>
        {
            Some("a French national identity card (1988–2021 format: 2 lines of 36, not a TD2)")
        }
        _ => None,
    }
}

fn check_chars(s: &str, line: usize, col0: usize, max: usize) -> Result<(), ParseError> {
    let b = s.as_bytes();
    let n = b.len().min(max);
    let Some(i) = b[..n].iter().position(|&c| !MRZ_BYTE[c as usize]) else { return Ok(()) };
    // Everything before `i` is ASCII, so `i` is a character boundary and the column.
    let c = s[i..].chars().next().unwrap_or('\u{FFFD}');
    let kind = if c.is_ascii_lowercase() { ParseErrorKind::LowerCase(c) } else { ParseErrorKind::InvalidChar(c) };
    let column = col0 + i + 1;
    Err(ParseError { line, column, kind })
}

/// Removes every filler (the field is pure `A–Z0–9<`).
fn strip_fillers(b: &[u8]) -> String {
    b.iter().filter(|&&c| c != b'<').map(|&c| c as char).collect()
}

/// Joins the `<`-separated parts of a name with single spaces.
fn name_parts(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len());
    for part in b.split(|&c| c == b'<').filter(|p| !p.is_empty()) {
        if !s.is_empty() {
            s.push(' ');
        }
        s.extend(part.iter().map(|&c| c as char));
    }
    s
}

/// Splits a name field into primary and secondary identifiers.
fn split_name(field: &[u8]) -> (String, String) {
    match field.windows(2).position(|w| w == b"<<") {
        Some(p) => (name_parts(&field[..p]), name_parts(&field[p + 2..])),
        None => (name_parts(field), String::new()),
    }
}

/// Reads and verifies one MRZ block (see [`Zone::parse`]).
pub fn parse(text: &str, today: Date) -> Result<Document, ParseError> {
    Zone::parse(text).map(|z| z.document(today))
}
