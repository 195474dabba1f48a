//! Errors and warnings. Each names where it is — the message's ordinal in
//! the interchange, the segment's position (1-based, counted from the start
//! of the interchange, UNA excluded), its tag, and the element and component
//! — and never the value found there: a value may be a name or a document
//! number.

use std::fmt;

use serde::Serialize;

/// A segment tag: three ASCII letters or digits, upper-cased.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct Tag(pub(crate) [u8; 3]);

impl Tag {
    pub const fn new(t: &[u8; 3]) -> Tag {
        Tag(*t)
    }
    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII alphanumerics.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl From<Tag> for String {
    fn from(t: Tag) -> String {
        t.as_str().to_string()
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in the interchange something was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize)]
pub struct Location {
    /// The message's ordinal in the interchange (1-based), when inside one.
    pub message: Option<u32>,
    /// The segment's position in the interchange (1-based; 0: before any).
    pub segment: u32,
    pub tag: Option<Tag>,
    /// The element's position after the tag (1-based).
    pub element: Option<u16>,
    /// The component's position in its element (1-based).
    pub component: Option<u16>,
}

impl Location {
    fn write(&self, f: &mut fmt::Formatter<'_>, es: bool) -> fmt::Result {
        let (msg, seg, el, comp) = if es {
            ("mensaje", "segmento", "elemento", "componente")
        } else {
            ("message", "segment", "element", "component")
        };
        if let Some(m) = self.message {
            write!(f, "{msg} {m}, ")?;
        }
        write!(f, "{seg} {}", self.segment)?;
        if let Some(t) = self.tag {
            write!(f, " ({t})")?;
        }
        if let Some(e) = self.element {
            write!(f, ", {el} {e}")?;
        }
        if let Some(c) = self.component {
            write!(f, ", {comp} {c}")?;
        }
        Ok(())
    }
}

/// What went wrong. The codes (`code()`) are stable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ErrorKind {
    /// The input is larger than `Limits::max_bytes`.
    TooLarge {
        limit: usize,
    },
    TooManySegments {
        limit: usize,
    },
    TooManyElements {
        limit: usize,
    },
    TooManyComponents {
        limit: usize,
    },
    ValueTooLong {
        limit: usize,
    },
    TooManyMessages {
        limit: usize,
    },
    /// Neither UTF-8 nor, under UNOC/UNOD…, ISO 8859.
    InvalidEncoding,
    /// The UNA service string advice is short or names unusable characters.
    InvalidServiceString,
    /// The input ends inside a segment (no terminator).
    Unterminated,
    /// The release character ends the input.
    DanglingRelease,
    /// A tag that is not three letters or digits.
    InvalidTag,
    /// A segment where the message's structure does not allow it.
    UnexpectedSegment,
    /// A mandatory segment is missing; `expected` names it.
    MissingSegment {
        expected: &'static str,
    },
    /// A mandatory element or component is empty or absent.
    MissingValue {
        what: &'static str,
    },
    /// A value that does not have the form the guide gives; `what` names it.
    InvalidValue {
        what: &'static str,
    },
    /// A message type other than PAXLST or PNRGOV.
    UnsupportedMessage,
    /// An interchange, group or message that is not closed.
    MissingTrailer {
        expected: &'static str,
    },
}

impl ErrorKind {
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::TooLarge { .. } => "too_large",
            ErrorKind::TooManySegments { .. } => "too_many_segments",
            ErrorKind::TooManyElements { .. } => "too_many_elements",
            ErrorKind::TooManyComponents { .. } => "too_many_components",
            ErrorKind::ValueTooLong { .. } => "value_too_long",
            ErrorKind::TooManyMessages { .. } => "too_many_messages",
            ErrorKind::InvalidEncoding => "invalid_encoding",
            ErrorKind::InvalidServiceString => "invalid_service_string",
            ErrorKind::Unterminated => "unterminated",
            ErrorKind::DanglingRelease => "dangling_release",
            ErrorKind::InvalidTag => "invalid_tag",
            ErrorKind::UnexpectedSegment => "unexpected_segment",
            ErrorKind::MissingSegment { .. } => "missing_segment",
            ErrorKind::MissingValue { .. } => "missing_value",
            ErrorKind::InvalidValue { .. } => "invalid_value",
            ErrorKind::UnsupportedMessage => "unsupported_message",
            ErrorKind::MissingTrailer { .. } => "missing_trailer",
        }
    }

    fn describe(&self, f: &mut fmt::Formatter<'_>, es: bool) -> fmt::Result {
        match (self, es) {
            (ErrorKind::TooLarge { limit }, false) => write!(f, "larger than {limit} bytes"),
            (ErrorKind::TooLarge { limit }, true) => write!(f, "más de {limit} bytes"),
            (ErrorKind::TooManySegments { limit }, false) => write!(f, "more than {limit} segments"),
            (ErrorKind::TooManySegments { limit }, true) => write!(f, "más de {limit} segmentos"),
            (ErrorKind::TooManyElements { limit }, false) => write!(f, "more than {limit} elements in a segment"),
            (ErrorKind::TooManyElements { limit }, true) => write!(f, "más de {limit} elementos en un segmento"),
            (ErrorKind::TooManyComponents { limit }, false) => write!(f, "more than {limit} components in an element"),
            (ErrorKind::TooManyComponents { limit }, true) => write!(f, "más de {limit} componentes en un elemento"),
            (ErrorKind::ValueTooLong { limit }, false) => write!(f, "a value longer than {limit} characters"),
            (ErrorKind::ValueTooLong { limit }, true) => write!(f, "un valor de más de {limit} caracteres"),
            (ErrorKind::TooManyMessages { limit }, false) => write!(f, "more than {limit} messages"),
            (ErrorKind::TooManyMessages { limit }, true) => write!(f, "más de {limit} mensajes"),
            (ErrorKind::InvalidEncoding, false) => write!(f, "not UTF-8 nor the ISO 8859 its UNB names"),
            (ErrorKind::InvalidEncoding, true) => write!(f, "no es UTF-8 ni el ISO 8859 que indica su UNB"),
            (ErrorKind::InvalidServiceString, false) => write!(f, "unusable UNA service string advice"),
            (ErrorKind::InvalidServiceString, true) => write!(f, "aviso de caracteres de servicio UNA inutilizable"),
            (ErrorKind::Unterminated, false) => write!(f, "the input ends inside a segment"),
            (ErrorKind::Unterminated, true) => write!(f, "la entrada termina dentro de un segmento"),
            (ErrorKind::DanglingRelease, false) => write!(f, "the release character ends the input"),
            (ErrorKind::DanglingRelease, true) => write!(f, "el carácter de escape termina la entrada"),
            (ErrorKind::InvalidTag, false) => write!(f, "not a segment tag"),
            (ErrorKind::InvalidTag, true) => write!(f, "no es una etiqueta de segmento"),
            (ErrorKind::UnexpectedSegment, false) => write!(f, "segment not allowed here"),
            (ErrorKind::UnexpectedSegment, true) => write!(f, "segmento no permitido aquí"),
            (ErrorKind::MissingSegment { expected }, false) => write!(f, "missing segment {expected}"),
            (ErrorKind::MissingSegment { expected }, true) => write!(f, "falta el segmento {expected}"),
            (ErrorKind::MissingValue { what }, false) => write!(f, "missing {what}"),
            (ErrorKind::MissingValue { what }, true) => write!(f, "falta: {what}"),
            (ErrorKind::InvalidValue { what }, false) => write!(f, "invalid {what}"),
            (ErrorKind::InvalidValue { what }, true) => write!(f, "no válido: {what}"),
            (ErrorKind::UnsupportedMessage, false) => write!(f, "neither PAXLST nor PNRGOV"),
            (ErrorKind::UnsupportedMessage, true) => write!(f, "no es PAXLST ni PNRGOV"),
            (ErrorKind::MissingTrailer { expected }, false) => write!(f, "not closed: missing {expected}"),
            (ErrorKind::MissingTrailer { expected }, true) => write!(f, "sin cerrar: falta {expected}"),
        }
    }
}

/// A parse error: what and where, never the value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct Error {
    #[serde(flatten)]
    pub at: Location,
    #[serde(flatten)]
    pub kind: ErrorKind,
}

impl Error {
    pub(crate) fn new(at: Location, kind: ErrorKind) -> Error {
        Error { at, kind }
    }
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
    /// The error in Spanish (Display is English).
    pub fn es(&self) -> String {
        struct Es<'a>(&'a Error);
        impl fmt::Display for Es<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.at.write(f, true)?;
                f.write_str(": ")?;
                self.0.kind.describe(f, true)
            }
        }
        Es(self).to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.at.write(f, false)?;
        f.write_str(": ")?;
        self.kind.describe(f, false)
    }
}

/// A deviation carriers commonly make, accepted and named.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// No UNA: the default service characters were assumed.
    MissingUna,
    /// No UNB/UNZ envelope around the messages.
    MissingEnvelope,
    /// A segment tag in lower case.
    LowerCaseTag,
    /// Empty trailing elements or components (`DTM+329:570121+'`).
    TrailingSeparator,
    /// UNT's segment count differs from the segments counted.
    SegmentCountMismatch,
    /// UNZ's (or UNE's) message count differs from the messages counted.
    MessageCountMismatch,
    /// A trailer's reference differs from its header's.
    ReferenceMismatch,
    /// CNT's total differs from the persons listed (single-part lists).
    PersonCountMismatch,
    /// A segment this reader does not know, skipped.
    UnknownSegment,
    /// A value of a known segment this reader does not model, skipped
    /// (e.g. an unknown NAD party qualifier).
    UnknownQualifier,
}

impl WarningKind {
    pub fn code(self) -> &'static str {
        match self {
            WarningKind::MissingUna => "missing_una",
            WarningKind::MissingEnvelope => "missing_envelope",
            WarningKind::LowerCaseTag => "lower_case_tag",
            WarningKind::TrailingSeparator => "trailing_separator",
            WarningKind::SegmentCountMismatch => "segment_count_mismatch",
            WarningKind::MessageCountMismatch => "message_count_mismatch",
            WarningKind::ReferenceMismatch => "reference_mismatch",
            WarningKind::PersonCountMismatch => "person_count_mismatch",
            WarningKind::UnknownSegment => "unknown_segment",
            WarningKind::UnknownQualifier => "unknown_qualifier",
        }
    }
    /// English, then Spanish.
    pub fn describe(self) -> (&'static str, &'static str) {
        match self {
            WarningKind::MissingUna => (
                "no UNA: default service characters assumed",
                "sin UNA: se asumen los caracteres de servicio por defecto",
            ),
            WarningKind::MissingEnvelope => ("no UNB/UNZ envelope", "sin sobre UNB/UNZ"),
            WarningKind::LowerCaseTag => ("segment tag in lower case", "etiqueta de segmento en minúsculas"),
            WarningKind::TrailingSeparator => {
                ("trailing empty elements or components", "elementos o componentes vacíos al final")
            }
            WarningKind::SegmentCountMismatch => (
                "UNT's segment count differs from the segments sent",
                "el número de segmentos de UNT no coincide con los enviados",
            ),
            WarningKind::MessageCountMismatch => (
                "the trailer's message count differs from the messages sent",
                "el número de mensajes del cierre no coincide con los enviados",
            ),
            WarningKind::ReferenceMismatch => (
                "the trailer's reference differs from its header's",
                "la referencia del cierre no coincide con la de su cabecera",
            ),
            WarningKind::PersonCountMismatch => {
                ("CNT's total differs from the persons listed", "el total de CNT no coincide con las personas enviadas")
            }
            WarningKind::UnknownSegment => ("unknown segment skipped", "segmento desconocido omitido"),
            WarningKind::UnknownQualifier => ("unknown qualifier skipped", "calificador desconocido omitido"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    #[serde(flatten)]
    pub at: Location,
    pub kind: WarningKind,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.at.write(f, false)?;
        write!(f, ": {}", self.kind.describe().0)
    }
}
