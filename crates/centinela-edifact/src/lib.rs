//! UN/EDIFACT air passenger data: PAXLST (Advance Passenger Information,
//! per the WCO/IATA/ICAO API guidelines, directories D02B and D05B) and
//! PNRGOV (IATA's push of Passenger Name Records to states). No I/O.
//!
//! [`parse`] reads an interchange — the UNA service string advice (or its
//! defaults), UNB/UNZ, optional UNG/UNE groups, and one or more UNH…UNT
//! messages — segment by segment through [`syntax::Tokenizer`], and hands
//! each message's segments to its typed reader ([`paxlst`], [`pnrgov`]).
//! It is strict about structure (a segment where the guide allows none is an
//! error) and lenient where carriers commonly deviate: each such deviation
//! is a named [`Warning`]. Every error names the message, the segment's
//! position and tag, and the element and component — never the value. Input
//! is bounded by [`Limits`].
//!
//! [`write`] writes an interchange back (the demo generates messages with
//! it, and the tests round-trip every field the readers keep).

pub mod date;
mod error;
pub mod paxlst;
pub mod pnrgov;
pub mod syntax;
mod write;

use serde::Serialize;

pub use date::{Date, DateTime};
pub use error::{Error, ErrorKind, Location, Tag, Warning, WarningKind};
pub use paxlst::Paxlst;
pub use pnrgov::Pnrgov;
pub use write::write;

use date::Century;
use syntax::{Segment, Tokenizer};

/// Bounds on what one interchange may hold.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    pub max_segments: usize,
    pub max_elements: usize,
    pub max_components: usize,
    pub max_value_chars: usize,
    pub max_messages: usize,
}

impl Default for Limits {
    /// 8 MiB, 200,000 segments (a 900-seat aircraft's list is under
    /// 20,000), 99 elements of 99 components (ISO 9735's own ceilings), 512
    /// characters a value (the longest the directories define), 10,000
    /// messages.
    fn default() -> Self {
        Limits {
            max_bytes: 8 << 20,
            max_segments: 200_000,
            max_elements: 99,
            max_components: 99,
            max_value_chars: 512,
            max_messages: 10_000,
        }
    }
}

/// What the caller supplies: the bounds, and the year that two-digit years
/// are read against when the interchange gives no preparation date.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub limits: Limits,
    pub year: u16,
}

impl Options {
    pub fn new(year: u16) -> Options {
        Options { limits: Limits::default(), year }
    }
}

/// UNH: the message header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Header {
    /// Message reference number (0062).
    pub reference: String,
    /// Message type version and release (`D`:`02B`, `11`:`1` …).
    pub version: String,
    pub release: String,
    pub agency: String,
    pub association: Option<String>,
    /// Common access reference (0068): carriers put the flight and date here.
    pub common_access: Option<String>,
    /// Multipart messages (S010): the part's number and whether it is the last.
    pub part: Option<Part>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Part {
    pub sequence: u16,
    pub last: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "UPPERCASE")]
pub enum Message {
    Paxlst(Paxlst),
    Pnrgov(Pnrgov),
}

impl Message {
    pub fn header(&self) -> &Header {
        match self {
            Message::Paxlst(m) => &m.header,
            Message::Pnrgov(m) => &m.header,
        }
    }
}

/// UNB: the interchange header (absent when a carrier sends bare messages).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// Syntax identifier (`UNOA`, `UNOC` …) and version.
    pub syntax: String,
    pub syntax_version: u8,
    pub sender: String,
    pub recipient: String,
    pub prepared: DateTime,
    pub control_reference: String,
    /// UNG: the functional group's application sender and recipient, if any.
    pub group: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interchange {
    pub envelope: Option<Envelope>,
    pub messages: Vec<Message>,
    pub warnings: Vec<Warning>,
}

/// Parses an interchange with the default limits.
pub fn parse(input: &[u8], year: u16) -> Result<Interchange, Error> {
    parse_with(input, &Options::new(year))
}

/// What a typed reader needs while it reads one message.
pub(crate) struct Ctx<'w> {
    pub message: u32,
    pub year: u16,
    pub warnings: &'w mut Warnings,
}

impl Ctx<'_> {
    pub fn err(&self, seg: &Segment<'_, '_>, e: Option<usize>, c: Option<usize>, kind: ErrorKind) -> Error {
        Error::new(seg.at(Some(self.message), e, c), kind)
    }
    pub fn warn(&mut self, seg: &Segment<'_, '_>, kind: WarningKind) {
        self.warnings.push(seg.at(Some(self.message), None, None), kind);
    }
    /// A mandatory value.
    pub fn need<'s>(&self, seg: &'s Segment<'_, '_>, e: usize, c: usize, what: &'static str) -> Result<&'s str, Error> {
        seg.get(e, c).ok_or_else(|| self.err(seg, Some(e), Some(c), ErrorKind::MissingValue { what }))
    }
    pub fn opt(&self, seg: &Segment<'_, '_>, e: usize, c: usize) -> Option<String> {
        seg.get(e, c).map(str::to_string)
    }
    pub fn date(
        &self,
        seg: &Segment<'_, '_>,
        e: usize,
        c: usize,
        format: Option<&str>,
        rule: Century,
    ) -> Result<DateTime, Error> {
        let v = self.need(seg, e, c, "date")?;
        date::parse(v, format, self.year, rule)
            .ok_or_else(|| self.err(seg, Some(e), Some(c), ErrorKind::InvalidValue { what: "date" }))
    }
    pub fn number(&self, seg: &Segment<'_, '_>, e: usize, c: usize, what: &'static str) -> Result<u32, Error> {
        let v = self.need(seg, e, c, what)?;
        number(v).ok_or_else(|| self.err(seg, Some(e), Some(c), ErrorKind::InvalidValue { what }))
    }
}

fn number(v: &str) -> Option<u32> {
    (v.len() <= 9 && !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit())).then(|| v.parse().ok()).flatten()
}

/// Warnings, each kind kept once per message (its first place).
#[derive(Default)]
pub(crate) struct Warnings {
    list: Vec<Warning>,
}

impl Warnings {
    pub fn push(&mut self, at: Location, kind: WarningKind) {
        if !self.list.iter().any(|w| w.kind == kind && w.at.message == at.message) && self.list.len() < 1000 {
            self.list.push(Warning { at, kind });
        }
    }
}

enum Reader {
    Paxlst(paxlst::Reader),
    Pnrgov(pnrgov::Reader),
}

struct Open {
    ordinal: u32,
    reader: Reader,
    header: Header,
    started_at: u32,
}

/// Parses an interchange.
pub fn parse_with(input: &[u8], options: &Options) -> Result<Interchange, Error> {
    let limits = options.limits;
    if input.len() > limits.max_bytes {
        return Err(Error::new(Location::default(), ErrorKind::TooLarge { limit: limits.max_bytes }));
    }
    let text = syntax::decode(input).map_err(|k| Error::new(Location::default(), k))?;
    let mut tokens = Tokenizer::new(&text, limits)?;
    let mut warnings = Warnings::default();
    if !tokens.had_una {
        warnings.push(Location::default(), WarningKind::MissingUna);
    }
    let mut envelope: Option<Envelope> = None;
    let mut bare = false;
    let mut closed = false;
    let mut group: Option<(String, u32)> = None;
    let mut messages: Vec<Message> = Vec::new();
    let mut open: Option<Open> = None;
    let mut year = options.year;
    while let Some(seg) = tokens.next_segment() {
        let seg = seg.map_err(|mut e| {
            e.at.message = open.as_ref().map(|o| o.ordinal);
            e
        })?;
        let ordinal = open.as_ref().map(|o| o.ordinal);
        let at = |e: Option<usize>, c: Option<usize>| seg.at(ordinal, e, c);
        if seg.lower_case {
            warnings.push(at(None, None), WarningKind::LowerCaseTag);
        }
        if seg.trailing {
            warnings.push(at(None, None), WarningKind::TrailingSeparator);
        }
        if closed {
            return Err(Error::new(at(None, None), ErrorKind::UnexpectedSegment));
        }
        let need = |e: usize, c: usize, what: &'static str| {
            seg.get(e, c).ok_or_else(|| Error::new(at(Some(e), Some(c)), ErrorKind::MissingValue { what }))
        };
        match seg.tag.as_str() {
            "UNB" => {
                if envelope.is_some() || bare || !messages.is_empty() || open.is_some() {
                    return Err(Error::new(at(None, None), ErrorKind::UnexpectedSegment));
                }
                let syntax = need(1, 1, "syntax identifier")?.to_string();
                let syntax_version = need(1, 2, "syntax version")?.parse::<u8>().map_err(|_| {
                    Error::new(at(Some(1), Some(2)), ErrorKind::InvalidValue { what: "syntax version" })
                })?;
                let sender = need(2, 1, "sender")?.to_string();
                let recipient = need(3, 1, "recipient")?.to_string();
                let d = need(4, 1, "preparation date")?;
                let mut prepared = date::parse(d, None, options.year, Century::Near)
                    .filter(|_| d.len() == 6 || d.len() == 8)
                    .ok_or_else(|| {
                        Error::new(at(Some(4), Some(1)), ErrorKind::InvalidValue { what: "preparation date" })
                    })?;
                if let Some(t) = seg.get(4, 2) {
                    prepared.time = Some(date::parse_time(t).ok_or_else(|| {
                        Error::new(at(Some(4), Some(2)), ErrorKind::InvalidValue { what: "preparation time" })
                    })?);
                }
                year = prepared.date.year;
                let control_reference = need(5, 1, "interchange control reference")?.to_string();
                envelope = Some(Envelope {
                    syntax,
                    syntax_version,
                    sender,
                    recipient,
                    prepared,
                    control_reference,
                    group: None,
                });
            }
            "UNG" => {
                let Some(env) = envelope.as_mut() else {
                    return Err(Error::new(at(None, None), ErrorKind::UnexpectedSegment));
                };
                if group.is_some() || open.is_some() {
                    return Err(Error::new(at(None, None), ErrorKind::UnexpectedSegment));
                }
                let sender = need(2, 1, "application sender")?.to_string();
                let recipient = need(3, 1, "application recipient")?.to_string();
                let reference = need(5, 1, "group reference")?.to_string();
                env.group = Some((sender, recipient));
                group = Some((reference, 0));
            }
            "UNE" => {
                let Some((reference, count)) = group.take() else {
                    return Err(Error::new(at(None, None), ErrorKind::UnexpectedSegment));
                };
                if open.is_some() {
                    return Err(Error::new(at(None, None), ErrorKind::MissingTrailer { expected: "UNT" }));
                }
                if number(need(1, 1, "message count")?) != Some(count) {
                    warnings.push(at(Some(1), Some(1)), WarningKind::MessageCountMismatch);
                }
                if seg.get(2, 1) != Some(reference.as_str()) {
                    warnings.push(at(Some(2), Some(1)), WarningKind::ReferenceMismatch);
                }
            }
            "UNH" => {
                if open.is_some() {
                    return Err(Error::new(at(None, None), ErrorKind::MissingTrailer { expected: "UNT" }));
                }
                if envelope.is_none() && !bare {
                    bare = true;
                    warnings.push(at(None, None), WarningKind::MissingEnvelope);
                }
                if messages.len() >= limits.max_messages {
                    return Err(Error::new(at(None, None), ErrorKind::TooManyMessages { limit: limits.max_messages }));
                }
                let ordinal = messages.len() as u32 + 1;
                let at = |e: Option<usize>, c: Option<usize>| seg.at(Some(ordinal), e, c);
                let need = |e: usize, c: usize, what: &'static str| {
                    seg.get(e, c).ok_or_else(|| Error::new(at(Some(e), Some(c)), ErrorKind::MissingValue { what }))
                };
                let reference = need(1, 1, "message reference")?.to_string();
                let kind = need(2, 1, "message type")?;
                let reader = if kind.eq_ignore_ascii_case("PAXLST") {
                    Reader::Paxlst(paxlst::Reader::default())
                } else if kind.eq_ignore_ascii_case("PNRGOV") {
                    Reader::Pnrgov(pnrgov::Reader::default())
                } else {
                    return Err(Error::new(at(Some(2), Some(1)), ErrorKind::UnsupportedMessage));
                };
                let part = match seg.get(4, 1) {
                    None => None,
                    Some(s) => {
                        let sequence = number(s).and_then(|n| u16::try_from(n).ok()).ok_or_else(|| {
                            Error::new(at(Some(4), Some(1)), ErrorKind::InvalidValue { what: "sequence of transfers" })
                        })?;
                        let last = match seg.get(4, 2) {
                            None | Some("F") | Some("f") => true,
                            Some("C") | Some("c") => false,
                            Some(_) => {
                                return Err(Error::new(
                                    at(Some(4), Some(2)),
                                    ErrorKind::InvalidValue { what: "first and last transfer" },
                                ));
                            }
                        };
                        Some(Part { sequence, last })
                    }
                };
                let header = Header {
                    reference,
                    version: need(2, 2, "message version")?.to_string(),
                    release: need(2, 3, "message release")?.to_string(),
                    agency: need(2, 4, "controlling agency")?.to_string(),
                    association: seg.get(2, 5).map(str::to_string),
                    common_access: seg.get(3, 1).map(str::to_string),
                    part,
                };
                open = Some(Open { ordinal, reader, header, started_at: seg.position });
            }
            "UNT" => {
                let Some(o) = open.take() else {
                    return Err(Error::new(at(None, None), ErrorKind::UnexpectedSegment));
                };
                let counted = seg.position - o.started_at + 1;
                let stated = need(1, 1, "segment count")?;
                if number(stated) != Some(counted) {
                    warnings.push(at(Some(1), Some(1)), WarningKind::SegmentCountMismatch);
                }
                if seg.get(2, 1) != Some(o.header.reference.as_str()) {
                    warnings.push(at(Some(2), Some(1)), WarningKind::ReferenceMismatch);
                }
                let mut ctx = Ctx { message: o.ordinal, year, warnings: &mut warnings };
                let message = match o.reader {
                    Reader::Paxlst(r) => Message::Paxlst(r.finish(o.header, &seg, &mut ctx)?),
                    Reader::Pnrgov(r) => Message::Pnrgov(r.finish(o.header, &seg, &mut ctx)?),
                };
                messages.push(message);
                if let Some((_, n)) = group.as_mut() {
                    *n += 1;
                }
            }
            "UNZ" => {
                if envelope.is_none() || group.is_some() {
                    let expected = if group.is_some() { "UNE" } else { "UNB" };
                    let kind = if group.is_some() {
                        ErrorKind::MissingTrailer { expected }
                    } else {
                        ErrorKind::MissingSegment { expected }
                    };
                    return Err(Error::new(at(None, None), kind));
                }
                if open.is_some() {
                    return Err(Error::new(at(None, None), ErrorKind::MissingTrailer { expected: "UNT" }));
                }
                if number(need(1, 1, "message count")?) != Some(messages.len() as u32) {
                    warnings.push(at(Some(1), Some(1)), WarningKind::MessageCountMismatch);
                }
                let reference = envelope.as_ref().map(|e| e.control_reference.as_str());
                if seg.get(2, 1) != reference {
                    warnings.push(at(Some(2), Some(1)), WarningKind::ReferenceMismatch);
                }
                closed = true;
            }
            _ => match open.as_mut() {
                Some(o) => {
                    let mut ctx = Ctx { message: o.ordinal, year, warnings: &mut warnings };
                    match &mut o.reader {
                        Reader::Paxlst(r) => r.segment(&seg, &mut ctx)?,
                        Reader::Pnrgov(r) => r.segment(&seg, &mut ctx)?,
                    }
                }
                None => return Err(Error::new(at(None, None), ErrorKind::UnexpectedSegment)),
            },
        }
    }
    let end = Location { message: open.as_ref().map(|o| o.ordinal), segment: tokens.position(), ..Location::default() };
    if open.is_some() {
        return Err(Error::new(end, ErrorKind::MissingTrailer { expected: "UNT" }));
    }
    if group.is_some() {
        return Err(Error::new(end, ErrorKind::MissingTrailer { expected: "UNE" }));
    }
    if envelope.is_some() && !closed {
        return Err(Error::new(end, ErrorKind::MissingTrailer { expected: "UNZ" }));
    }
    if messages.is_empty() {
        return Err(Error::new(end, ErrorKind::MissingSegment { expected: "UNH" }));
    }
    Ok(Interchange { envelope, messages, warnings: warnings.list })
}
