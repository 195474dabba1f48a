//! The writer: service characters of syntax version 4 (`UNA:+.?*'`), one
//! segment a line (a line break after each terminator, as carriers send
//! them), every service character in a value released, trailing empty
//! elements and components left out.

use crate::syntax::Delimiters;
use crate::{DateTime, Header, Interchange, Message, date};

pub(crate) struct Writer {
    pub out: String,
    d: Delimiters,
    /// Segments since UNH, UNH included.
    in_message: u32,
}

impl Writer {
    fn new() -> Writer {
        Writer { out: String::with_capacity(4096), d: Delimiters::version4(), in_message: 0 }
    }

    /// Writes a segment; `elements` are lists of components.
    pub fn seg(&mut self, tag: &str, elements: &[&[&str]]) {
        self.out.push_str(tag);
        let last = elements.iter().rposition(|e| e.iter().any(|c| !c.is_empty()));
        if let Some(last) = last {
            for e in &elements[..=last] {
                self.out.push(self.d.element as char);
                let n = e.iter().rposition(|c| !c.is_empty()).map_or(0, |i| i + 1);
                for (i, c) in e[..n].iter().enumerate() {
                    if i > 0 {
                        self.out.push(self.d.component as char);
                    }
                    self.d.escape_into(c, &mut self.out);
                }
            }
        }
        self.out.push(self.d.terminator as char);
        self.out.push('\n');
        self.in_message += 1;
    }

    /// DTM with format 102 (`CCYYMMDD`) or 203 (`CCYYMMDDHHMM`).
    pub fn dtm(&mut self, qualifier: &str, at: &DateTime) {
        let (v, f) = match at.time {
            Some(t) => (format!("{}{}", at.date.ccyymmdd(), date::hhmm(t)), "203"),
            None => (at.date.ccyymmdd(), "102"),
        };
        self.seg("DTM", &[&[qualifier, &v, f]]);
    }

    pub fn unh(&mut self, h: &Header, kind: &str) {
        self.in_message = 0;
        let part = h.part.map(|p| (format!("{:02}", p.sequence), if p.last { "F" } else { "C" }));
        let (seq, fl) = part.as_ref().map_or(("", ""), |(s, f)| (s.as_str(), *f));
        self.seg(
            "UNH",
            &[
                &[&h.reference],
                &[kind, &h.version, &h.release, &h.agency, h.association.as_deref().unwrap_or("")],
                &[h.common_access.as_deref().unwrap_or("")],
                &[seq, fl],
            ],
        );
    }

    pub fn unt(&mut self, h: &Header) {
        let n = (self.in_message + 1).to_string();
        self.seg("UNT", &[&[&n], &[&h.reference]]);
    }
}

/// Writes an interchange: UNA, UNB (and UNG), its messages, UNE, UNZ. With
/// no envelope, UNA and the bare messages.
pub fn write(i: &Interchange) -> String {
    let mut w = Writer::new();
    w.out.push_str(&w.d.una());
    w.out.push('\n');
    if let Some(e) = &i.envelope {
        let d = &e.prepared;
        // Always with the century (ISO 9735 version 4's form; readers of
        // version 3 take it too), so no year is ever re-guessed.
        let day = d.date.ccyymmdd();
        let time = d.time.map(date::hhmm).unwrap_or_default();
        let version = e.syntax_version.to_string();
        w.seg("UNB", &[&[&e.syntax, &version], &[&e.sender], &[&e.recipient], &[&day, &time], &[&e.control_reference]]);
        if let Some((s, r)) = &e.group {
            let kind = match i.messages.first() {
                Some(Message::Pnrgov(_)) => "PNRGOV",
                _ => "PAXLST",
            };
            w.seg("UNG", &[&[kind], &[s], &[r], &[&day, &time], &["1"], &["UN"]]);
        }
    }
    for m in &i.messages {
        match m {
            Message::Paxlst(p) => crate::paxlst::write(p, &mut w),
            Message::Pnrgov(p) => crate::pnrgov::write(p, &mut w),
        }
    }
    if let Some(e) = &i.envelope {
        let n = i.messages.len().to_string();
        if e.group.is_some() {
            w.seg("UNE", &[&[&n], &["1"]]);
        }
        w.seg("UNZ", &[&[&n], &[&e.control_reference]]);
    }
    w.out
}
