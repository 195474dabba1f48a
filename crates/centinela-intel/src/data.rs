//! The crossings in a compact, column-wise form: every free-text value
//! interned once, every name tokenised and coded once per distinct spelling.
//! Ten million crossings fit in a few GiB this way.

use std::collections::HashMap;
use std::fmt::Write as _;

use centinela_domain::{BirthDate, CrossingRecord, Sex, Timestamp};
use centinela_names::{dates, normalize, phonetic};

/// No value (empty text).
pub const NONE: u32 = 0;

/// A hash map with a fast, fixed-seed hasher (the keys are our own
/// strings and numbers; a fixed seed keeps runs reproducible).
pub(crate) type FastMap<K, V> = HashMap<K, V, foldhash::fast::FixedState>;

/// Interned strings: id 0 is the empty string.
#[derive(Debug, Clone)]
pub struct Interner {
    map: FastMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner { map: FastMap::default(), strings: vec!["".into()] }
    }
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if s.is_empty() {
            return NONE;
        }
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(s.into());
        self.map.insert(s.into(), i);
        i
    }

    pub fn get(&self, i: u32) -> &str {
        &self.strings[i as usize]
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.len() <= 1
    }
}

/// A name token: folded text and its Spanish phonetic code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: Box<[u8]>,
    pub code: Box<[u8]>,
}

/// A distinct spelling of a name, tokenised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Name {
    /// Token ids ([`Crossings::token`]) of the given names, in order.
    pub given: Vec<u32>,
    /// Token ids of the surnames, in order.
    pub surnames: Vec<u32>,
}

/// The crossings, column-wise. Index `i` is the `i`-th crossing given to
/// [`Crossings::build`].
#[derive(Debug, Clone, Default)]
pub struct Crossings {
    pub ids: Vec<Box<str>>,
    pub time: Vec<i64>,
    pub post: Vec<u32>,
    pub entry: Vec<bool>,
    pub vehicle: Vec<u32>,
    pub group: Vec<u32>,
    pub phone: Vec<u32>,
    pub address: Vec<u32>,
    /// Issuing state and the confusable key of the document number
    /// (`GTM:123O` and `GTM:1230` are one key), interned.
    pub document: Vec<u32>,
    /// `P`, `ID` … interned.
    pub document_type: Vec<u32>,
    /// [`dates::pack`]ed birth date, 0 when unknown.
    pub birth: Vec<u32>,
    pub sex: Vec<Sex>,
    /// Nationality, interned (0 unknown).
    pub nationality: Vec<u32>,
    /// Index into [`Crossings::names`].
    pub name: Vec<u32>,
    /// Extra links of some records (a booking's passengers: same booking,
    /// payer, contact, agency): (record index, kind, interned key).
    pub links: Vec<(u32, crate::graph::LinkKind, u32)>,
    pub names: Vec<Name>,
    pub tokens: Vec<Token>,
    pub strings: Interner,
    /// `len(given):given surnames` as written → index into `names`.
    name_index: FastMap<Box<str>, u32>,
    token_index: FastMap<Box<str>, u32>,
    /// Raw values as written (with a one-byte column tag) → their folded,
    /// interned key: most records repeat a value seen before, and folding
    /// (transliteration) is the costly part.
    raw: FastMap<Box<str>, u32>,
    /// Reused buffer for look-up keys.
    buf: String,
    /// How many people carry each name (see [`Crossings::name_frequency`]),
    /// computed on first use.
    name_freq: std::sync::OnceLock<Vec<u32>>,
}

impl Crossings {
    /// Builds the columns from records, in the order given.
    pub fn build<'a>(records: impl IntoIterator<Item = &'a CrossingRecord>) -> Crossings {
        let mut c = Crossings::default();
        for r in records {
            c.push(r);
        }
        c
    }

    /// Appends one record (for streaming input).
    pub fn push(&mut self, r: &CrossingRecord) {
        self.ids.push(r.crossing_id.as_str().into());
        self.time.push(r.crossed_at.unix_seconds());
        self.entry.push(r.direction == centinela_domain::Direction::Entry);
        let post = self.strings.intern(&r.post);
        self.post.push(post);
        let vehicle = self.folded(b'v', &r.vehicle, fold_key);
        self.vehicle.push(vehicle);
        let group = self.strings.intern(r.group_id.trim());
        self.group.push(group);
        let phone = self.folded(b'p', &r.phone, phone_key);
        self.phone.push(phone);
        let address = self.folded(b'a', &r.address, fold_key);
        self.address.push(address);
        let doc = match &r.document_number {
            Some(d) => {
                let state = r.issuing_state.as_ref().map(|c| c.as_str()).unwrap_or("");
                self.buf.clear();
                let _ = write!(self.buf, "{state}:{}", d.as_str());
                let raw = std::mem::take(&mut self.buf);
                let id = self.folded(b'd', &raw, |_| format!("{state}:{}", d.confusable_key()));
                self.buf = raw;
                id
            }
            None => NONE,
        };
        self.document.push(doc);
        let dt = self.folded(b't', &r.document_type, |s| s.trim().to_ascii_uppercase());
        self.document_type.push(dt);
        self.birth.push(dates::pack(r.birth_date.as_ref()));
        self.sex.push(r.sex);
        let nat = match &r.nationality {
            Some(n) => self.strings.intern(n.as_str()),
            None => NONE,
        };
        self.nationality.push(nat);
        let name = self.name_id(&r.given_names, &r.surnames);
        self.name.push(name);
    }

    /// Appends one record with links of its own (a booking passenger as a
    /// record: the booking's keys, each `(kind, key)`).
    pub fn push_linked(&mut self, r: &CrossingRecord, links: &[(crate::graph::LinkKind, &str)]) {
        let i = self.ids.len() as u32;
        self.push(r);
        for (kind, key) in links {
            let v = self.strings.intern(key);
            if v != NONE {
                self.links.push((i, *kind, v));
            }
        }
    }

    /// The interned `fold(raw)`, folding each distinct raw value once.
    fn folded(&mut self, tag: u8, raw: &str, fold: impl FnOnce(&str) -> String) -> u32 {
        if raw.is_empty() {
            return NONE;
        }
        let mut key = std::mem::take(&mut self.buf);
        key.clear();
        key.push(tag as char);
        key.push_str(raw);
        let id = match self.raw.get(key.as_str()) {
            Some(&i) => i,
            None => {
                let i = self.strings.intern(&fold(raw));
                self.raw.insert(key.as_str().into(), i);
                i
            }
        };
        self.buf = key;
        id
    }

    fn name_id(&mut self, given: &str, surnames: &str) -> u32 {
        let mut key = std::mem::take(&mut self.buf);
        key.clear();
        // Length-prefixed, so no two (given, surnames) pairs share a key.
        let _ = write!(key, "{}:{given}{surnames}", given.len());
        if let Some(&i) = self.name_index.get(key.as_str()) {
            self.buf = key;
            return i;
        }
        let g = self.tokens_of(given);
        let s = self.tokens_of(surnames);
        // One folded spelling may come from many raw spellings: share it.
        let i = self.names.len() as u32;
        self.names.push(Name { given: g, surnames: s });
        self.name_index.insert(key.as_str().into(), i);
        self.buf = key;
        i
    }

    fn tokens_of(&mut self, s: &str) -> Vec<u32> {
        let mut out = Vec::new();
        for t in normalize::tokenize(s) {
            // "de la Cruz" and "Cruz" compare as CRUZ; the particle is kept
            // only for display.
            let text = t.text;
            let id = match self.token_index.get(text.as_str()) {
                Some(&i) => i,
                None => {
                    let i = self.tokens.len() as u32;
                    let code = phonetic::code(&text);
                    self.tokens.push(Token { text: text.as_bytes().into(), code: code.as_bytes().into() });
                    self.token_index.insert(text.as_str().into(), i);
                    i
                }
            };
            out.push(id);
        }
        out
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn token(&self, i: u32) -> &Token {
        &self.tokens[i as usize]
    }

    pub fn token_text(&self, i: u32) -> &str {
        std::str::from_utf8(&self.tokens[i as usize].text).unwrap_or("")
    }

    pub fn birth_date(&self, i: usize) -> Option<BirthDate> {
        dates::unpack(self.birth[i])
    }

    /// Age in whole years at crossing `i`, when the birth date is known.
    pub fn age_at(&self, i: usize) -> Option<i32> {
        let b = self.birth_date(i)?;
        let t = Timestamp::from_unix_seconds(self.time[i]).ok()?;
        Some(t.age_of(&b))
    }

    /// The name of crossing `i` as `GIVEN SURNAMES` (folded).
    pub fn name_text(&self, i: usize) -> String {
        let n = &self.names[self.name[i] as usize];
        n.given.iter().chain(&n.surnames).map(|&t| self.token_text(t)).collect::<Vec<_>>().join(" ")
    }

    /// How many people of these crossings carry the name of crossing `i`:
    /// the distinct birth dates (an unknown one counting once) among the
    /// records whose first given name, first surname and second surname
    /// sound the same (their phonetic codes). A commuter's hundred
    /// crossings count once; a JOSE GARCIA LOPEZ of a whole country counts
    /// in thousands. Computed for every name on first use, in parallel.
    pub fn name_frequency(&self, i: usize) -> u32 {
        let freq = self.name_freq.get_or_init(|| self.name_frequencies());
        freq.get(self.name[i] as usize).copied().unwrap_or(1).max(1)
    }

    /// [`Crossings::name_frequency`] of every distinct name.
    fn name_frequencies(&self) -> Vec<u32> {
        use rayon::prelude::*;
        use std::hash::BuildHasher;
        let hasher = foldhash::fast::FixedState::with_seed(0x6e61_6d65);
        let key_of = |n: &Name| {
            let code = |t: Option<&u32>| t.map_or(&[][..], |&t| &self.tokens[t as usize].code[..]);
            hasher.hash_one((code(n.given.first()), code(n.surnames.first()), code(n.surnames.get(1))))
        };
        let name_key: Vec<u64> = self.names.par_iter().map(key_of).collect();
        let mut seen: Vec<(u64, u32)> =
            self.name.par_iter().zip(self.birth.par_iter()).map(|(&n, &b)| (name_key[n as usize], b)).collect();
        seen.par_sort_unstable();
        seen.dedup();
        // Distinct birth dates per key: the runs of the sorted list.
        let mut count: Vec<(u64, u32)> = Vec::new();
        for &(k, _) in &seen {
            match count.last_mut() {
                Some((last, c)) if *last == k => *c += 1,
                _ => count.push((k, 1)),
            }
        }
        drop(seen);
        name_key.par_iter().map(|k| count.binary_search_by_key(k, |&(x, _)| x).map_or(1, |i| count[i].1)).collect()
    }

    /// Frees the lookup tables only needed while pushing.
    pub fn shrink(&mut self) {
        self.name_index = FastMap::default();
        self.token_index = FastMap::default();
        self.raw = FastMap::default();
        self.buf = String::new();
    }
}

/// Upper-case letters and digits only: `p-123 abc` and `P123ABC` are one
/// plate, `Calle 5, Zona 1` and `CALLE 5 ZONA 1` one address.
pub fn fold_key(s: &str) -> String {
    let f = normalize::transliterate(s);
    let mut out = String::with_capacity(f.len());
    for w in f.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Digits of a phone number with its `+`.
pub fn phone_key(s: &str) -> String {
    let d: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
    if d.len() < 6 { String::new() } else { format!("+{d}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold() {
        assert_eq!(fold_key("  Calle 5, zona 1 "), "CALLE 5 ZONA 1");
        assert_eq!(fold_key("Ñuñoa"), "NUNOA");
        assert_eq!(phone_key("+502 5555-1234"), "+50255551234");
        assert_eq!(phone_key("12"), "");
    }
}
