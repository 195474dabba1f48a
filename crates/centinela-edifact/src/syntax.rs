//! The UN/EDIFACT syntax (ISO 9735): service characters, the streaming
//! segment tokenizer, and the writer's escaping.
//!
//! The tokenizer reads one segment at a time into buffers it reuses; values
//! borrow the input unless they hold a released character. Whitespace and
//! line breaks between segments (as carriers send them) are skipped; inside
//! a segment they are data.

use std::borrow::Cow;

use crate::error::{ErrorKind, Location, Tag};
use crate::{Error, Limits};

/// The service characters (UNA).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Delimiters {
    pub component: u8,
    pub element: u8,
    pub decimal: u8,
    pub release: Option<u8>,
    /// The repetition separator (syntax version 4, as in D05B); a space in
    /// the UNA (version 3's "reserved") means none.
    pub repetition: Option<u8>,
    pub terminator: u8,
}

impl Default for Delimiters {
    /// ISO 9735's defaults, `UNA:+.? '`; with no UNA, no repetition
    /// separator is assumed (a `*` is data).
    fn default() -> Self {
        Delimiters {
            component: b':',
            element: b'+',
            decimal: b'.',
            release: Some(b'?'),
            repetition: None,
            terminator: b'\'',
        }
    }
}

impl Delimiters {
    /// The delimiters of syntax version 4 (`UNA:+.?*'`).
    pub fn version4() -> Self {
        Delimiters { repetition: Some(b'*'), ..Delimiters::default() }
    }

    /// Reads a UNA (the 9 bytes `UNA` + six service characters).
    pub fn parse_una(una: &[u8]) -> Option<Delimiters> {
        if una.len() < 9 || !una[..3].eq_ignore_ascii_case(b"UNA") {
            return None;
        }
        let c = &una[3..9];
        if !c.iter().all(|b| b.is_ascii() && !b.is_ascii_alphanumeric() && *b != b'\r' && *b != b'\n') {
            return None;
        }
        let d = Delimiters {
            component: c[0],
            element: c[1],
            decimal: c[2],
            release: (c[3] != b' ').then_some(c[3]),
            repetition: (c[4] != b' ').then_some(c[4]),
            terminator: c[5],
        };
        let mut seps = vec![d.component, d.element, d.terminator];
        seps.extend(d.release);
        seps.extend(d.repetition);
        let n = seps.len();
        seps.sort_unstable();
        seps.dedup();
        if seps.len() != n || seps.contains(&b' ') {
            return None;
        }
        Some(d)
    }

    /// The UNA that announces these delimiters.
    pub fn una(&self) -> String {
        let b = [
            self.component,
            self.element,
            self.decimal,
            self.release.unwrap_or(b' '),
            self.repetition.unwrap_or(b' '),
            self.terminator,
        ];
        format!("UNA{}", String::from_utf8_lossy(&b))
    }

    fn is_special(&self, b: u8) -> bool {
        b == self.component
            || b == self.element
            || b == self.terminator
            || Some(b) == self.release
            || Some(b) == self.repetition
    }

    /// Appends `value` to `out` with every service character released.
    /// Without a release character, service characters cannot be written
    /// and are replaced by a space.
    pub fn escape_into(&self, value: &str, out: &mut String) {
        for ch in value.chars() {
            if ch.is_ascii() && self.is_special(ch as u8) {
                match self.release {
                    Some(r) => {
                        out.push(r as char);
                        out.push(ch);
                    }
                    None => out.push(' '),
                }
            } else {
                out.push(ch);
            }
        }
    }
}

/// One segment as read: its tag, and its values element by element.
#[derive(Debug)]
pub struct Segment<'s, 'a> {
    pub tag: Tag,
    /// 1-based position in the interchange.
    pub position: u32,
    pub lower_case: bool,
    /// Empty trailing elements or components were present.
    pub trailing: bool,
    values: &'s [Cow<'a, str>],
    /// For each element, the end index (exclusive) of its components in
    /// `values`.
    ends: &'s [u32],
}

impl<'a> Segment<'_, 'a> {
    /// Number of elements after the tag.
    pub fn elements(&self) -> usize {
        self.ends.len()
    }

    /// The components of element `e` (1-based); empty if absent.
    pub fn element(&self, e: usize) -> &[Cow<'a, str>] {
        if e == 0 || e > self.ends.len() {
            return &[];
        }
        let start = if e == 1 { 0 } else { self.ends[e - 2] as usize };
        &self.values[start..self.ends[e - 1] as usize]
    }

    /// Component `c` of element `e` (both 1-based), `None` when absent or
    /// empty.
    pub fn get(&self, e: usize, c: usize) -> Option<&str> {
        self.element(e).get(c.wrapping_sub(1)).map(|v| v.as_ref()).filter(|v| !v.is_empty())
    }

    pub fn at(&self, message: Option<u32>, e: Option<usize>, c: Option<usize>) -> Location {
        Location {
            message,
            segment: self.position,
            tag: Some(self.tag),
            element: e.map(|e| e as u16),
            component: c.map(|c| c as u16),
        }
    }
}

/// Decodes the input: UTF-8, or ISO 8859-1 when it is not UTF-8 and the UNB
/// names a Latin character set (UNOC/UNOD/UNOE/UNOF, which carriers use for
/// accented names).
pub fn decode(input: &[u8]) -> Result<Cow<'_, str>, ErrorKind> {
    match std::str::from_utf8(input) {
        Ok(s) => Ok(Cow::Borrowed(s)),
        Err(_) => {
            let head = &input[..input.len().min(64)];
            let latin = head.windows(4).any(|w| matches!(w, b"UNOC" | b"UNOD" | b"UNOE" | b"UNOF"));
            if latin {
                Ok(Cow::Owned(input.iter().map(|&b| b as char).collect()))
            } else {
                Err(ErrorKind::InvalidEncoding)
            }
        }
    }
}

/// The streaming tokenizer.
pub struct Tokenizer<'a> {
    input: &'a str,
    pos: usize,
    delims: Delimiters,
    limits: Limits,
    segments: u32,
    /// The service characters (separators, terminator, release) as a table:
    /// the value scan looks each byte up once.
    special: [bool; 256],
    values: Vec<Cow<'a, str>>,
    ends: Vec<u32>,
    /// A UNA was present.
    pub had_una: bool,
}

impl<'a> Tokenizer<'a> {
    pub fn new(input: &'a str, limits: Limits) -> Result<Tokenizer<'a>, Error> {
        if input.len() > limits.max_bytes {
            return Err(Error::new(Location::default(), ErrorKind::TooLarge { limit: limits.max_bytes }));
        }
        let start = input.len() - input.trim_start().len();
        let rest = &input.as_bytes()[start..];
        let (delims, pos, had_una) = if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"UNA") {
            let d = Delimiters::parse_una(rest)
                .ok_or_else(|| Error::new(Location::default(), ErrorKind::InvalidServiceString))?;
            (d, start + 9, true)
        } else {
            (Delimiters::default(), start, false)
        };
        let mut special = [false; 256];
        for b in [delims.component, delims.element, delims.terminator]
            .into_iter()
            .chain(delims.release)
            .chain(delims.repetition)
        {
            special[b as usize] = true;
        }
        Ok(Tokenizer {
            input,
            pos,
            delims,
            limits,
            segments: 0,
            special,
            values: Vec::with_capacity(32),
            ends: Vec::with_capacity(16),
            had_una,
        })
    }

    pub fn delimiters(&self) -> Delimiters {
        self.delims
    }

    /// Segments read so far.
    pub fn position(&self) -> u32 {
        self.segments
    }

    /// The next segment, `None` at the end of the input.
    pub fn next_segment(&mut self) -> Option<Result<Segment<'_, 'a>, Error>> {
        let bytes = self.input.as_bytes();
        while self.pos < bytes.len() && matches!(bytes[self.pos], b' ' | b'\r' | b'\n' | b'\t') {
            self.pos += 1;
        }
        if self.pos >= bytes.len() {
            return None;
        }
        self.segments += 1;
        let position = self.segments;
        let here = |tag: Option<Tag>, e: usize, c: usize| Location {
            message: None,
            segment: position,
            tag,
            element: (e > 0).then_some(e as u16),
            component: (c > 0).then_some(c as u16),
        };
        if self.segments as usize > self.limits.max_segments {
            return Some(Err(Error::new(
                here(None, 0, 0),
                ErrorKind::TooManySegments { limit: self.limits.max_segments },
            )));
        }
        let d = self.delims;
        // The tag: three alphanumerics, then an element separator or the terminator.
        let t = &bytes[self.pos..];
        let alphanumeric = t.len() >= 3 && t[..3].iter().all(u8::is_ascii_alphanumeric);
        if !alphanumeric || (t.len() > 3 && t[3] != d.element && t[3] != d.terminator) {
            return Some(Err(Error::new(here(None, 0, 0), ErrorKind::InvalidTag)));
        }
        let lower_case = t[..3].iter().any(u8::is_ascii_lowercase);
        let tag = Tag([t[0].to_ascii_uppercase(), t[1].to_ascii_uppercase(), t[2].to_ascii_uppercase()]);
        self.pos += 3;
        self.values.clear();
        self.ends.clear();
        if t.len() == 3 {
            return Some(Err(Error::new(here(Some(tag), 0, 0), ErrorKind::Unterminated)));
        }
        if bytes[self.pos] == d.terminator {
            self.pos += 1;
            return Some(Ok(Segment { tag, position, lower_case, trailing: false, values: &[], ends: &[] }));
        }
        // Now at an element separator.
        let mut element = 0usize;
        let mut component = 0usize;
        let mut value_start;
        let mut owned: Option<String> = None;
        loop {
            // bytes[self.pos] is an element, component or repetition separator.
            if bytes[self.pos] == d.element {
                if element > 0 {
                    self.ends.push(self.values.len() as u32);
                }
                element += 1;
                component = 1;
                if element > self.limits.max_elements {
                    return Some(Err(Error::new(
                        here(Some(tag), element, 0),
                        ErrorKind::TooManyElements { limit: self.limits.max_elements },
                    )));
                }
            } else {
                component += 1;
                if component > self.limits.max_components {
                    return Some(Err(Error::new(
                        here(Some(tag), element, component),
                        ErrorKind::TooManyComponents { limit: self.limits.max_components },
                    )));
                }
            }
            self.pos += 1;
            value_start = self.pos;
            // Scan the value.
            let end_sep;
            loop {
                // Skip ordinary bytes.
                while self.pos < bytes.len() && !self.special[bytes[self.pos] as usize] {
                    self.pos += 1;
                }
                let Some(&b) = bytes.get(self.pos) else {
                    return Some(Err(Error::new(here(Some(tag), element, component), ErrorKind::Unterminated)));
                };
                if Some(b) == d.release {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.input[value_start..self.pos]);
                    self.pos += 1;
                    let Some(ch) = self.input[self.pos..].chars().next() else {
                        return Some(Err(Error::new(here(Some(tag), element, component), ErrorKind::DanglingRelease)));
                    };
                    s.push(ch);
                    self.pos += ch.len_utf8();
                    value_start = self.pos;
                    continue;
                }
                if b == d.component || b == d.element || b == d.terminator || Some(b) == d.repetition {
                    end_sep = b;
                    break;
                }
                self.pos += 1;
            }
            let v: Cow<'a, str> = match owned.take() {
                Some(mut s) => {
                    s.push_str(&self.input[value_start..self.pos]);
                    Cow::Owned(s)
                }
                None => Cow::Borrowed(&self.input[value_start..self.pos]),
            };
            if v.len() > self.limits.max_value_chars && v.chars().count() > self.limits.max_value_chars {
                return Some(Err(Error::new(
                    here(Some(tag), element, component),
                    ErrorKind::ValueTooLong { limit: self.limits.max_value_chars },
                )));
            }
            self.values.push(v);
            if end_sep == d.terminator {
                self.pos += 1;
                self.ends.push(self.values.len() as u32);
                break;
            }
            if Some(end_sep) == d.repetition {
                // Further repetitions of the element: the typed readers take
                // the first occurrence, so the rest is skipped (still bounded
                // by the input's size).
                loop {
                    let Some(&b) = bytes.get(self.pos) else {
                        return Some(Err(Error::new(here(Some(tag), element, component), ErrorKind::Unterminated)));
                    };
                    if Some(b) == d.release {
                        self.pos += 1;
                        match self.input[self.pos..].chars().next() {
                            Some(ch) => self.pos += ch.len_utf8(),
                            None => {
                                return Some(Err(Error::new(
                                    here(Some(tag), element, component),
                                    ErrorKind::DanglingRelease,
                                )));
                            }
                        }
                        continue;
                    }
                    if b == d.element {
                        break;
                    }
                    if b == d.terminator {
                        self.pos += 1;
                        self.ends.push(self.values.len() as u32);
                        let trailing = self.values.last().is_some_and(|v| v.is_empty());
                        return Some(Ok(Segment {
                            tag,
                            position,
                            lower_case,
                            trailing,
                            values: &self.values,
                            ends: &self.ends,
                        }));
                    }
                    self.pos += 1;
                }
            }
            // Otherwise a component or element separator follows.
        }
        // Trailing empties: the last element empty, or the last component
        // of the last element empty.
        let trailing = self.values.last().is_some_and(|v| v.is_empty());
        Some(Ok(Segment { tag, position, lower_case, trailing, values: &self.values, ends: &self.ends }))
    }
}
