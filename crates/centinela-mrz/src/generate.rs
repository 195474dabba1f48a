//! Writing a correct MRZ from its fields: for tests, demonstration data and
//! to print the corrected zone of a document whose check digits failed.

use std::fmt;

use crate::date::{Date, PartialDate};
use crate::translit::to_mrz;
use crate::zone::{Format, check_digit, check_digit_of};

/// The fields of a document, as a person would write them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub format: Format,
    /// One or two letters: `P`, `PM`, `I`, `ID`, `AC`, `V`, … (a missing
    /// second letter becomes `<`).
    pub document_code: String,
    /// `UTO`, `MEX`, `D`, …
    pub issuing_state: String,
    /// Primary identifier, any script that [`to_mrz`] transliterates.
    pub surnames: String,
    /// Secondary identifier.
    pub given_names: String,
    /// Up to 9 characters; TD1 and TD2 take longer numbers (Doc 9303 Parts 5, 6).
    pub document_number: String,
    pub nationality: String,
    /// `None`: unknown (all fillers).
    pub birth_date: Option<PartialDate>,
    /// `M`, `F`, `X` or empty.
    pub sex: String,
    /// `None`: left empty (all fillers).
    pub expiry_date: Option<Date>,
    /// Optional data (TD1: the line-1 field, after a long document number).
    pub optional_data: String,
    /// TD1 only: the line-2 optional field.
    pub optional_data_2: String,
}

/// Why fields cannot be written as an MRZ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenerateError {
    /// A field has characters outside `A–Z0–9` (after upper-casing).
    InvalidChars(&'static str),
    /// A field is too long for the format.
    TooLong(&'static str),
    /// A field is empty or has the wrong shape.
    Invalid(&'static str),
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::InvalidChars(field) => write!(f, "{field}: characters outside A-Z, 0-9"),
            GenerateError::TooLong(field) => write!(f, "{field}: too long for the format"),
            GenerateError::Invalid(field) => write!(f, "{field}: invalid"),
        }
    }
}

impl std::error::Error for GenerateError {}

fn field(value: &str, len: usize, name: &'static str) -> Result<String, GenerateError> {
    let v = value.trim().to_ascii_uppercase();
    if !v.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'<') {
        return Err(GenerateError::InvalidChars(name));
    }
    if v.len() > len {
        return Err(GenerateError::TooLong(name));
    }
    Ok(pad(v, len))
}

fn pad(mut s: String, len: usize) -> String {
    while s.len() < len {
        s.push('<');
    }
    s
}

/// The name field: primary `<<` secondary, transliterated, cut to `len`.
pub fn name_field(surnames: &str, given_names: &str, len: usize) -> String {
    let primary = to_mrz(surnames).replace("<<", "<");
    let secondary = to_mrz(given_names).replace("<<", "<");
    let mut s = primary;
    if !secondary.is_empty() {
        s.push_str("<<");
        s.push_str(&secondary);
    }
    s.truncate(len);
    pad(s, len)
}

fn yymmdd(year: i32, month: Option<u8>, day: Option<u8>) -> String {
    let yy = year.rem_euclid(100);
    let mm = month.map(|m| format!("{m:02}")).unwrap_or_else(|| "<<".into());
    let dd = match (month, day) {
        (Some(_), Some(d)) => format!("{d:02}"),
        _ => "<<".into(),
    };
    format!("{yy:02}{mm}{dd}")
}

fn with_check(s: &str) -> String {
    format!("{s}{}", check_digit(s.as_bytes()))
}

/// Writes the MRZ lines of `f`, with every check digit computed.
pub fn generate(f: &Fields) -> Result<Vec<String>, GenerateError> {
    let len = f.format.line_len();
    let code = f.document_code.trim().to_ascii_uppercase();
    let code_ok = match code.as_bytes() {
        [a] => a.is_ascii_uppercase(),
        [a, b] => a.is_ascii_uppercase() && (b.is_ascii_uppercase() || *b == b'<'),
        _ => false,
    };
    if !code_ok {
        return Err(GenerateError::Invalid("document_code"));
    }
    let code = pad(code, 2);
    let state = field(&f.issuing_state, 3, "issuing_state")?;
    let nat = field(&f.nationality, 3, "nationality")?;
    let birth = match f.birth_date {
        Some(b) => yymmdd(b.year, b.month, b.day),
        None => "<<<<<<".into(),
    };
    let expiry = match f.expiry_date {
        Some(d) => yymmdd(d.year(), Some(d.month()), Some(d.day())),
        None => "<<<<<<".into(),
    };
    let sex = match f.sex.trim() {
        "" => "<",
        s @ ("M" | "F" | "X") => s,
        _ => return Err(GenerateError::Invalid("sex")),
    };
    let number = f.document_number.trim().to_ascii_uppercase();
    if number.is_empty() || !number.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()) {
        return Err(GenerateError::InvalidChars("document_number"));
    }
    // The 9-character field + check digit, and the continuation of a long number.
    let (doc, overflow) = if number.len() <= 9 {
        (with_check(&pad(number.clone(), 9)), String::new())
    } else if matches!(f.format, Format::TD1 | Format::TD2) {
        let cd = check_digit(number.as_bytes());
        (format!("{}<", &number[..9]), format!("{}{cd}<", &number[9..]))
    } else {
        return Err(GenerateError::TooLong("document_number"));
    };
    let optional = format!("{overflow}{}", f.optional_data.trim().to_ascii_uppercase());
    let birth = with_check(&birth);
    let expiry = with_check(&expiry);

    let lines = match f.format {
        Format::TD1 => {
            let opt1 = field(optional.trim_end_matches('<'), 15, "optional_data")?;
            let opt2 = field(&f.optional_data_2, 11, "optional_data_2")?;
            let l1 = format!("{code}{state}{doc}{opt1}");
            let l2 = format!("{birth}{sex}{expiry}{nat}{opt2}");
            let comp =
                check_digit_of(&[&l1.as_bytes()[5..30], &l2.as_bytes()[0..7], &l2.as_bytes()[8..15], opt2.as_bytes()]);
            vec![l1, format!("{l2}{comp}"), name_field(&f.surnames, &f.given_names, 30)]
        }
        Format::TD2 | Format::TD3 => {
            let l1 = format!("{code}{state}{}", name_field(&f.surnames, &f.given_names, len - 5));
            let mut opt = if f.format == Format::TD2 {
                field(optional.trim_end_matches('<'), 7, "optional_data")?
            } else {
                field(&optional, 14, "optional_data")?
            };
            if f.format == Format::TD3 {
                let cd =
                    if opt.bytes().all(|c| c == b'<') { '<' } else { (b'0' + check_digit(opt.as_bytes())) as char };
                opt.push(cd);
            }
            let body = format!("{doc}{nat}{birth}{sex}{expiry}{opt}");
            let b = body.as_bytes();
            let comp = check_digit_of(&[&b[0..10], &b[13..20], &b[21..]]);
            vec![l1, format!("{body}{comp}")]
        }
        Format::MrvA | Format::MrvB => {
            if !overflow.is_empty() {
                return Err(GenerateError::TooLong("document_number"));
            }
            let l1 = format!("{code}{state}{}", name_field(&f.surnames, &f.given_names, len - 5));
            let opt = field(&optional, len - 28, "optional_data")?;
            vec![l1, format!("{doc}{nat}{birth}{sex}{expiry}{opt}")]
        }
    };
    Ok(lines)
}
