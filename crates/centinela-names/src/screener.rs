//! The in-memory index and the scorer.
//!
//! Build: every name token of every entry is folded, given a Spanish phonetic
//! code and interned; each entry is posted under the phonetic code of each of
//! its tokens, under each code with one letter deleted (symmetric-deletion
//! keys: one typo on either side still shares a key) and, for long codes,
//! under their first four letters. Keys held by a large share of the list
//! ("GARCIA", "MARIA" in a list of millions) get a bitset instead of being
//! walked for every query.
//!
//! Query: the posting lists of the query's keys add each key's information
//! (`ln 1/p`) to the entries they hold (a well-attested spelling is looked
//! up as written, without its typo keys; crowded typo keys are skipped);
//! common keys only add to entries already found, to those holding both of
//! the two rarest common keys, or, when too few were found, to the rarest
//! common key's entries; the birth date is added; the best few dozen
//! candidates are scored in full.
//!
//! Score: a naive-Bayes log-likelihood ratio. Name tokens are aligned one to
//! one (in any order and field; a field crossing costs a little); an aligned
//! pair contributes the information of the listed token scaled by how close
//! the spelling is; unaligned tokens cost a little (omitted) or more
//! (conflicting). The name's total, less the prior `ln N` of picking one
//! entry among `N`, saturates at [`NAME_CAP`]: families and namesakes share
//! whole names, so no name alone is proof. Birth date, nationality, sex and
//! document number add their own ratios; the score is the logistic of the
//! sum plus a bias.

use std::cell::RefCell;
use std::collections::HashMap;

use centinela_domain::{AlertEntry, BirthDate, CountryCode, DocumentNumber, Sex};
use rayon::prelude::*;

use crate::dates;
use crate::explain::{Aspect, Explanation};
use crate::normalize::{NameToken, tokenize};
use crate::phonetic;
use crate::similarity::{TokenMatch, token_similarity};

/// The alert threshold that ships: a hit is raised when its score (the
/// estimated probability that the traveller is the listed person) is at
/// least this.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Saturation of name evidence beyond the prior (nats).
pub const NAME_CAP: f64 = 8.0;
/// Bias of the logistic (nats).
pub const BIAS: f64 = -2.0;
/// Cost of a listed surname facing a different one in the query (a
/// different family), and of a listed given name facing a different one.
const CONFLICT_SURNAME: f64 = -4.5;
const CONFLICT_GIVEN: f64 = -3.5;
/// Cost of a name token present on one side only (dropped second surname,
/// middle name left out).
const MISSING: f64 = -0.7;
/// Cost of a token matched across fields (given name ↔ surname).
const CROSS_FIELD: f64 = -0.5;
/// Evidence of an initial agreeing with a name.
const INITIAL: f64 = 1.5;
/// Tokens less similar than this do not align.
const MIN_SIM: f32 = crate::similarity::FLOOR;
/// Sex: agreeing / disagreeing.
const SEX_AGREE: f64 = 0.6;
const SEX_CLASH: f64 = -3.0;
/// Nationality disagreeing (dual nationals, place of birth recorded instead).
const NAT_CLASH: f64 = -1.5;
/// Document number: equal, equal up to OCR confusions, different.
const DOC_EXACT: f64 = 10.0;
const DOC_CONFUSABLE: f64 = 8.0;
const DOC_CLASH: f64 = -0.5;
/// Pseudo-counts for token frequencies: a token's probability is estimated
/// as `(df + A·P0) / (N + A)`, so that small lists still treat a name seen
/// once as fairly rare rather than as a certainty.
const PSEUDO_A: f64 = 1000.0;
const PSEUDO_P0: f64 = 2e-4;
/// Least similarity of a word to two names written together.
const JOINED_MIN_SIM: f32 = 0.85;
/// Entries scored in full per query (the best by shared keys and date).
const CANDIDATES: usize = 32;
/// A query token whose phonetic code this many entries hold (or 1 in 100,000
/// of the list, if more) is looked up as written, without typo keys.
const WELL_ATTESTED: usize = 5;
/// Typo-tolerant keys (one letter deleted, prefixes) held by more entries
/// than this are not used.
const TYPO_LIST_LIMIT: usize = 2000;
/// Entries whose shared-key weight is below this fraction of the best
/// entry's are not candidates.
const KEEP_FRACTION: f32 = 0.35;
/// Most name tokens considered on each side.
const MAX_TOKENS: usize = 10;
const NONE: u32 = u32::MAX;

/// A traveller to screen.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub given_names: String,
    pub surnames: String,
    pub birth_date: Option<BirthDate>,
    pub nationality: Option<CountryCode>,
    pub sex: Sex,
    pub document_number: Option<DocumentNumber>,
}

impl Query {
    pub fn new(given_names: &str, surnames: &str) -> Self {
        Query { given_names: given_names.to_string(), surnames: surnames.to_string(), ..Default::default() }
    }
}

/// How many hits to return.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScreenOptions {
    /// Only hits scoring at least this are returned.
    pub threshold: f64,
    /// At most this many hits (the best ones).
    pub top_k: Option<usize>,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions { threshold: DEFAULT_THRESHOLD, top_k: None }
    }
}

impl ScreenOptions {
    /// The `k` best candidates whatever their score.
    pub fn candidates(k: usize) -> Self {
        ScreenOptions { threshold: 0.0, top_k: Some(k) }
    }
}

/// One list entry that may be the traveller.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Index of the entry (see [`Screener::entry`]).
    pub entry: u32,
    /// Estimated probability in [0, 1] that the traveller is this entry.
    pub score: f64,
    pub explanation: Explanation,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Given,
    Surname,
    Any,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    tok: u32,
    joined: u32,
    name: u16,
    field: Field,
}

/// The screening index over one alert list.
pub struct Screener {
    entries: Vec<AlertEntry>,
    tok_map: HashMap<Box<str>, u32>,
    tok_text: Vec<u8>,
    tok_text_off: Vec<u32>,
    tok_code: Vec<u8>,
    tok_code_off: Vec<u32>,
    tok_info: Vec<f32>,
    slot_off: Vec<u32>,
    slots: Vec<Slot>,
    date0: Vec<u32>,
    key_map: HashMap<Box<[u8]>, u32>,
    post_off: Vec<u32>,
    post: Vec<u32>,
    key_info: Vec<f32>,
    code_df: Vec<u32>,
    key_bits: Vec<u32>,
    bitsets: Vec<Box<[u64]>>,
    nat_info: HashMap<CountryCode, f64>,
    nat_unknown_info: f64,
    ln_n: f64,
    common_limit: usize,
}

struct Scratch {
    acc: Vec<f32>,
    touched: Vec<u32>,
    cand: Vec<(f32, u32)>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch { acc: Vec::new(), touched: Vec::new(), cand: Vec::new() }) };
}

/// Index keys of a phonetic code, with their weight in the pre-ranking:
/// the code itself; for codes of four letters or more, each code with one
/// letter deleted (so that one typo, insertion, deletion or transposition on
/// either side still shares a key: the symmetric-deletion scheme); for long
/// codes, the first four letters (truncated names).
fn keys_of(code: &[u8], mut f: impl FnMut(&[u8], f32)) {
    let mut buf = [0u8; 40];
    let n = code.len().min(39);
    let code = &code[..n];
    buf[1..=n].copy_from_slice(code);
    f(&buf[1..=n], 1.0);
    if n >= 4 {
        for i in 0..n {
            if i > 0 && code[i] == code[i - 1] {
                continue;
            }
            buf[1..=i].copy_from_slice(&code[..i]);
            buf[i + 1..n].copy_from_slice(&code[i + 1..]);
            f(&buf[1..n], 0.25);
        }
    }
    if n >= 6 {
        buf[0] = b'<';
        buf[1..5].copy_from_slice(&code[..4]);
        f(&buf[..5], 0.3);
    }
}

struct Prepared {
    names: Vec<(u16, Field, NameToken)>,
}

fn prepare(e: &AlertEntry) -> Prepared {
    let mut names = Vec::new();
    for t in tokenize(&e.given_names).into_iter().take(MAX_TOKENS) {
        names.push((0, Field::Given, t));
    }
    for t in tokenize(&e.surnames).into_iter().take(MAX_TOKENS) {
        names.push((0, Field::Surname, t));
    }
    let primary: Vec<String> = names.iter().map(|n| n.2.text.clone()).collect();
    let mut k = 1u16;
    for alias in &e.aliases {
        let toks = tokenize(alias);
        let mut texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
        texts.sort_unstable();
        let mut p: Vec<&str> = primary.iter().map(|s| s.as_str()).collect();
        p.sort_unstable();
        if toks.is_empty() || texts == p || k == u16::MAX {
            continue;
        }
        for t in toks.into_iter().take(MAX_TOKENS) {
            names.push((k, Field::Any, t));
        }
        k += 1;
    }
    Prepared { names }
}

/// A query token, prepared.
struct QTok {
    text: Vec<u8>,
    code: Vec<u8>,
    joined: Option<(Vec<u8>, Vec<u8>)>,
    field: Field,
    tok: u32,
}

struct PreparedQuery {
    toks: Vec<QTok>,
    date: Option<BirthDate>,
    date_packed: u32,
}

impl Screener {
    /// Builds the index (in parallel).
    pub fn build(entries: Vec<AlertEntry>) -> Screener {
        let prepared: Vec<Prepared> = entries.par_iter().map(prepare).collect();
        // Intern tokens (and particle-joined forms).
        let mut tok_map: HashMap<Box<str>, u32> = HashMap::new();
        let mut tok_strings: Vec<String> = Vec::new();
        let mut slot_off = Vec::with_capacity(entries.len() + 1);
        let mut slots = Vec::new();
        let mut intern = |s: &str, tok_strings: &mut Vec<String>| -> u32 {
            if let Some(&id) = tok_map.get(s) {
                return id;
            }
            let id = tok_strings.len() as u32;
            tok_map.insert(s.into(), id);
            tok_strings.push(s.to_string());
            id
        };
        slot_off.push(0u32);
        for p in &prepared {
            for (name, field, t) in &p.names {
                let tok = intern(&t.text, &mut tok_strings);
                let joined = match t.joined() {
                    Some(j) => intern(&j, &mut tok_strings),
                    None => NONE,
                };
                slots.push(Slot { tok, joined, name: *name, field: *field });
            }
            slot_off.push(slots.len() as u32);
        }
        drop(prepared);
        // Token texts and codes.
        let codes: Vec<Vec<u8>> = tok_strings
            .par_iter()
            .map(|s| {
                let mut v = Vec::with_capacity(s.len());
                phonetic::code_into(s.as_bytes(), &mut v);
                v
            })
            .collect();
        let mut tok_text = Vec::new();
        let mut tok_text_off = vec![0u32];
        let mut tok_code = Vec::new();
        let mut tok_code_off = vec![0u32];
        for (s, c) in tok_strings.iter().zip(&codes) {
            tok_text.extend_from_slice(s.as_bytes());
            tok_text_off.push(tok_text.len() as u32);
            tok_code.extend_from_slice(c);
            tok_code_off.push(tok_code.len() as u32);
        }
        drop(tok_strings);
        // Keys of every token.
        let mut key_map: HashMap<Box<[u8]>, u32> = HashMap::new();
        let mut tok_keys: Vec<Vec<u32>> = Vec::with_capacity(codes.len());
        let mut tok_key = Vec::with_capacity(codes.len());
        for c in &codes {
            let mut ks = Vec::with_capacity(c.len() + 2);
            keys_of(c, |k, _| {
                let n = key_map.len() as u32;
                let id = match key_map.get(k) {
                    Some(&id) => id,
                    None => {
                        key_map.insert(k.into(), n);
                        n
                    }
                };
                ks.push(id);
            });
            tok_key.push(ks[0]);
            tok_keys.push(ks);
        }
        drop(codes);
        let nkeys = key_map.len();
        // Postings: every entry under every key of its tokens, once.
        let per_entry: Vec<(Vec<u32>, Vec<u32>)> = (0..entries.len())
            .into_par_iter()
            .map(|e| {
                let mut ks = Vec::new();
                let mut exact = Vec::new();
                for s in &slots[slot_off[e] as usize..slot_off[e + 1] as usize] {
                    ks.extend_from_slice(&tok_keys[s.tok as usize]);
                    exact.push(tok_key[s.tok as usize]);
                    if s.joined != NONE {
                        ks.extend_from_slice(&tok_keys[s.joined as usize]);
                    }
                }
                ks.sort_unstable();
                ks.dedup();
                exact.sort_unstable();
                exact.dedup();
                (ks, exact)
            })
            .collect();
        let mut code_df = vec![0u32; nkeys];
        for (_, exact) in &per_entry {
            for &k in exact {
                code_df[k as usize] += 1;
            }
        }
        let mut counts = vec![0u32; nkeys + 1];
        for (ks, _) in &per_entry {
            for &k in ks {
                counts[k as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let post_off = counts.clone();
        let mut fill = counts;
        let mut post = vec![0u32; *post_off.last().unwrap_or(&0) as usize];
        for (e, (ks, _)) in per_entry.iter().enumerate() {
            for &k in ks {
                post[fill[k as usize] as usize] = e as u32;
                fill[k as usize] += 1;
            }
        }
        drop(per_entry);
        let n = entries.len() as f64;
        let key_info: Vec<f32> = (0..nkeys)
            .map(|k| {
                let df = (post_off[k + 1] - post_off[k]) as f64;
                ((n + PSEUDO_A) / (df + PSEUDO_A * PSEUDO_P0)).ln().max(0.05) as f32
            })
            .collect();
        let tok_info: Vec<f32> = tok_key
            .iter()
            .map(|&k| ((n + PSEUDO_A) / (code_df[k as usize] as f64 + PSEUDO_A * PSEUDO_P0)).ln().max(0.05) as f32)
            .collect();
        let common_limit = (entries.len() / 256).max(4096);
        let mut key_bits = vec![NONE; nkeys];
        let mut bitsets = Vec::new();
        let words = entries.len().div_ceil(64);
        for (k, kb) in key_bits.iter_mut().enumerate() {
            let list = &post[post_off[k] as usize..post_off[k + 1] as usize];
            if list.len() > common_limit {
                let mut b = vec![0u64; words].into_boxed_slice();
                for &e in list {
                    b[e as usize / 64] |= 1 << (e % 64);
                }
                *kb = bitsets.len() as u32;
                bitsets.push(b);
            }
        }
        // Nationality frequencies.
        let mut nat_count: HashMap<CountryCode, usize> = HashMap::new();
        for e in &entries {
            for c in &e.nationalities {
                *nat_count.entry(*c).or_default() += 1;
            }
        }
        let nat_p = |c: usize| (0.9 / ((c as f64 + 1.0) / (n + 20.0))).ln().clamp(0.1, 3.0);
        let nat_info = nat_count.into_iter().map(|(k, c)| (k, nat_p(c))).collect();
        let date0 = entries.iter().map(|e| dates::pack(e.birth_dates.first())).collect();
        Screener {
            ln_n: n.max(1.0).ln(),
            nat_unknown_info: nat_p(0),
            entries,
            tok_map,
            tok_text,
            tok_text_off,
            tok_code,
            tok_code_off,
            tok_info,
            slot_off,
            slots,
            date0,
            key_map,
            post_off,
            post,
            key_info,
            code_df,
            key_bits,
            bitsets,
            nat_info,
            common_limit,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry a hit refers to.
    pub fn entry(&self, i: u32) -> &AlertEntry {
        &self.entries[i as usize]
    }

    fn text(&self, t: u32) -> &[u8] {
        &self.tok_text[self.tok_text_off[t as usize] as usize..self.tok_text_off[t as usize + 1] as usize]
    }

    fn code(&self, t: u32) -> &[u8] {
        &self.tok_code[self.tok_code_off[t as usize] as usize..self.tok_code_off[t as usize + 1] as usize]
    }

    fn info(&self, t: u32) -> f64 {
        self.tok_info[t as usize] as f64
    }

    fn prepare_query(&self, q: &Query) -> PreparedQuery {
        let mut toks = Vec::new();
        for (s, field) in [(&q.given_names, Field::Given), (&q.surnames, Field::Surname)] {
            for t in tokenize(s).into_iter().take(MAX_TOKENS) {
                let text = t.text.as_bytes().to_vec();
                let mut code = Vec::with_capacity(text.len());
                phonetic::code_into(&text, &mut code);
                let joined = t.joined().map(|j| {
                    let mut c = Vec::new();
                    phonetic::code_into(j.as_bytes(), &mut c);
                    (j.into_bytes(), c)
                });
                let tok = self.tok_map.get(t.text.as_str()).copied().unwrap_or(NONE);
                toks.push(QTok { text, code, joined, field, tok });
            }
        }
        PreparedQuery { toks, date: q.birth_date, date_packed: dates::pack(q.birth_date.as_ref()) }
    }

    /// Screens one traveller: the hits, best first.
    pub fn screen(&self, q: &Query, opts: &ScreenOptions) -> Vec<Hit> {
        let pq = self.prepare_query(q);
        if pq.toks.is_empty() || self.entries.is_empty() {
            return Vec::new();
        }
        let m = opts.top_k.map_or(CANDIDATES, |k| (2 * k).max(CANDIDATES));
        let cands = self.candidates(&pq, m);
        let mut scored: Vec<(f64, u32)> = cands.into_iter().map(|e| (self.score_entry(&pq, q, e, None), e)).collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut hits = Vec::new();
        for (logit, e) in scored {
            let score = sigmoid(logit);
            if score < opts.threshold || opts.top_k.is_some_and(|k| hits.len() >= k) {
                break;
            }
            let mut ex = Explanation::default();
            self.score_entry(&pq, q, e, Some(&mut ex));
            hits.push(Hit { entry: e, score, explanation: ex });
        }
        hits
    }

    /// Screens many travellers in parallel; results in query order.
    pub fn screen_many(&self, qs: &[Query], opts: &ScreenOptions) -> Vec<Vec<Hit>> {
        qs.par_iter().map(|q| self.screen(q, opts)).collect()
    }

    /// The `m` most promising entries by shared keys and birth date.
    fn candidates(&self, pq: &PreparedQuery, m: usize) -> Vec<u32> {
        // The query's keys with their weights, deduplicated.
        let mut keys: Vec<(u32, f32)> = Vec::new();
        let mut add = |k: &[u8], w: f32| {
            if let Some(&id) = self.key_map.get(k) {
                let len = (self.post_off[id as usize + 1] - self.post_off[id as usize]) as usize;
                if w < 1.0 && len > TYPO_LIST_LIMIT {
                    // A typo key that many entries share says little and costs much.
                    return;
                }
                let w = w * self.key_info[id as usize] + 1e-3;
                match keys.iter_mut().find(|x| x.0 == id) {
                    Some(x) => x.1 = x.1.max(w),
                    None => keys.push((id, w)),
                }
            }
        };
        for t in &pq.toks {
            if t.text.len() > 1 {
                // A spelling the list knows well is taken as written: its
                // typo-tolerant keys are only needed for unknown spellings.
                let attested = self.key_map.get(t.code.as_slice()).is_some_and(|&k| {
                    self.code_df[k as usize] as usize >= (self.entries.len() / 100_000).max(WELL_ATTESTED)
                });
                if attested {
                    add(&t.code, 1.0);
                } else {
                    keys_of(&t.code, &mut add);
                }
            }
            if let Some((_, c)) = &t.joined {
                keys_of(c, &mut add);
            }
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let Scratch { acc, touched, cand } = &mut *s;
            if acc.len() < self.entries.len() {
                acc.resize(self.entries.len(), 0.0);
            }
            touched.clear();
            let mut common: Vec<(u32, f32)> = Vec::new();
            for &(k, w) in &keys {
                let list = &self.post[self.post_off[k as usize] as usize..self.post_off[k as usize + 1] as usize];
                if list.len() > self.common_limit {
                    common.push((k, w));
                    continue;
                }
                for &e in list {
                    let a = &mut acc[e as usize];
                    if *a == 0.0 {
                        touched.push(e);
                    }
                    *a += w;
                }
            }
            if !common.is_empty() {
                common.sort_by_key(|&(k, _)| self.post_off[k as usize + 1] - self.post_off[k as usize]);
                if common.len() >= 2 {
                    // Entries holding both of the two rarest common keys are
                    // candidates even when no rarer key found them (a typo in
                    // the one rare name of "Andrés Rodríguez Pérez").
                    let b1 = &self.bitsets[self.key_bits[common[0].0 as usize] as usize];
                    let b2 = &self.bitsets[self.key_bits[common[1].0 as usize] as usize];
                    for (i, (x, y)) in b1.iter().zip(b2.iter()).enumerate() {
                        let mut both = x & y;
                        while both != 0 {
                            let e = i * 64 + both.trailing_zeros() as usize;
                            both &= both - 1;
                            if acc[e] == 0.0 {
                                acc[e] = 1e-6;
                                touched.push(e as u32);
                            }
                        }
                    }
                }
                let mut rest = &common[..];
                if touched.len() < 64 {
                    // Too little found by rarer keys: walk the rarest common list.
                    let (k, w) = common[0];
                    for &e in &self.post[self.post_off[k as usize] as usize..self.post_off[k as usize + 1] as usize] {
                        let a = &mut acc[e as usize];
                        if *a == 0.0 {
                            touched.push(e);
                        }
                        *a += w;
                    }
                    rest = &common[1..];
                }
                for &(k, w) in rest {
                    let bits = &self.bitsets[self.key_bits[k as usize] as usize];
                    for &e in touched.iter() {
                        if bits[e as usize / 64] & (1 << (e % 64)) != 0 {
                            acc[e as usize] += w;
                        }
                    }
                }
            }
            cand.clear();
            let qd = dates::unpack(pq.date_packed);
            // Entries sharing much less than the best do are not candidates.
            let best = touched.iter().fold(0f32, |m, &e| m.max(acc[e as usize]));
            let floor = best * KEEP_FRACTION;
            for &e in touched.iter() {
                let mut v = acc[e as usize];
                acc[e as usize] = 0.0;
                if v < floor {
                    continue;
                }
                if let (Some(q), Some(d)) = (qd.as_ref(), dates::unpack(self.date0[e as usize])) {
                    let m = dates::compare(q, &d);
                    v += m.weight(3) as f32;
                }
                cand.push((v, e));
            }
            if cand.len() > m {
                cand.select_nth_unstable_by(m, |a, b| b.0.total_cmp(&a.0));
                cand.truncate(m);
            }
            cand.iter().map(|c| c.1).collect()
        })
    }

    /// Log-odds that the query is entry `e`; fills `ex` when given.
    fn score_entry(&self, pq: &PreparedQuery, q: &Query, e: u32, mut ex: Option<&mut Explanation>) -> f64 {
        let entry = &self.entries[e as usize];
        let slots = &self.slots[self.slot_off[e as usize] as usize..self.slot_off[e as usize + 1] as usize];
        // Best name record (primary name or an alias).
        let mut best = (f64::NEG_INFINITY, 0u16);
        let mut start = 0;
        while start < slots.len() {
            let name = slots[start].name;
            let mut end = start;
            while end < slots.len() && slots[end].name == name {
                end += 1;
            }
            let raw = self.name_evidence(pq, &slots[start..end], None);
            if raw > best.0 {
                best = (raw, name);
            }
            start = end;
        }
        let raw = if best.0.is_finite() { best.0 } else { 0.0 };
        if let Some(ex) = ex.as_deref_mut() {
            let rec: Vec<Slot> = slots.iter().copied().filter(|s| s.name == best.1).collect();
            self.name_evidence(pq, &rec, Some(ex));
        }
        let excess = raw - self.ln_n;
        let eff = if excess > 0.0 { NAME_CAP * (excess / NAME_CAP).tanh() } else { excess };
        let mut logit = BIAS + eff;
        if let Some(ex) = ex.as_deref_mut() {
            ex.push(
                Aspect::Prior,
                format!("one of {} entries; name evidence saturates at {NAME_CAP}", self.entries.len()),
                BIAS + eff - raw,
            );
        }
        // Birth date.
        let (dm, dw) = dates::evidence(pq.date.as_ref(), &entry.birth_dates);
        logit += dw;
        if let Some(ex) = ex.as_deref_mut() {
            let shown = match (pq.date, entry.birth_dates.first()) {
                (Some(a), Some(b)) if dm != dates::DateMatch::Missing => format!(" ({a} vs {b})"),
                _ => String::new(),
            };
            ex.push(Aspect::BirthDate, format!("{}{shown}", dm.as_str()), dw);
        }
        // Nationality.
        if let Some(n) = q.nationality
            && !entry.nationalities.is_empty()
        {
            let (w, how) = if entry.nationalities.contains(&n) {
                (self.nat_info.get(&n).copied().unwrap_or(self.nat_unknown_info), format!("{n} = {n}"))
            } else {
                (NAT_CLASH, format!("{n} not in {}", join(&entry.nationalities)))
            };
            logit += w;
            if let Some(ex) = ex.as_deref_mut() {
                ex.push(Aspect::Nationality, how, w);
            }
        }
        // Sex.
        let known = |s: Sex| matches!(s, Sex::Male | Sex::Female);
        if known(q.sex) && known(entry.sex) {
            let (w, how) = if q.sex == entry.sex { (SEX_AGREE, "same") } else { (SEX_CLASH, "differs") };
            logit += w;
            if let Some(ex) = ex.as_deref_mut() {
                ex.push(Aspect::Sex, format!("{how} ({} vs {})", q.sex.as_str(), entry.sex.as_str()), w);
            }
        }
        // Document number.
        if let Some(d) = &q.document_number
            && !entry.document_numbers.is_empty()
        {
            let (w, how) = if entry.document_numbers.contains(d) {
                (DOC_EXACT, format!("{d} = {d}"))
            } else if entry.document_numbers.iter().any(|x| x.confusable_key() == d.confusable_key()) {
                (DOC_CONFUSABLE, format!("{d} ~ listed number (OCR confusion)"))
            } else {
                (DOC_CLASH, format!("{d} not listed"))
            };
            logit += w;
            if let Some(ex) = ex {
                ex.push(Aspect::DocumentNumber, how, w);
            }
        }
        logit
    }

    /// Similarity of a query token and a listed token (slot).
    fn pair(&self, qt: &QTok, s: &Slot) -> (f32, TokenMatch) {
        if qt.tok == s.tok {
            return (1.0, TokenMatch::Exact);
        }
        let (et, ec) = (self.text(s.tok), self.code(s.tok));
        let mut best = token_similarity(&qt.text, &qt.code, et, ec);
        if best.0 < 1.0 {
            if s.joined != NONE {
                let j = token_similarity(&qt.text, &qt.code, self.text(s.joined), self.code(s.joined));
                if j.0 > best.0 {
                    best = (j.0, TokenMatch::Particle);
                }
            }
            if let Some((jt, jc)) = &qt.joined {
                let j = token_similarity(jt, jc, et, ec);
                if j.0 > best.0 {
                    best = (j.0, TokenMatch::Particle);
                }
            }
        }
        best
    }

    /// Aligns tokens that stand for two adjacent names of the other side
    /// written as one word; marks them and returns their evidence.
    #[allow(clippy::too_many_arguments, clippy::needless_range_loop)]
    fn joined_names(
        &self,
        pq: &PreparedQuery,
        rec: &[Slot],
        nq: usize,
        ne: usize,
        used_q: &mut [bool; MAX_TOKENS],
        used_e: &mut [bool; 2 * MAX_TOKENS],
        mut ex: Option<&mut Explanation>,
    ) -> f64 {
        let mut total = 0.0;
        let mut cat = Vec::new();
        let mut code = Vec::new();
        let value = |info: f64, sim: f32| info * ((sim as f64 - 0.5) / 0.5).clamp(0.0, 1.0);
        // A query word for two listed names.
        for i in 0..nq {
            let qt = &pq.toks[i];
            if qt.tok != NONE || qt.text.len() < 6 || ne < 2 {
                continue;
            }
            for j in 0..ne - 1 {
                if used_e[j] || used_e[j + 1] || rec[j].field != rec[j + 1].field {
                    continue;
                }
                let (a, b) = (self.text(rec[j].tok), self.text(rec[j + 1].tok));
                if (a.len() + b.len()).abs_diff(qt.text.len()) > 2 {
                    continue;
                }
                cat.clear();
                cat.extend_from_slice(a);
                cat.extend_from_slice(b);
                code.clear();
                phonetic::code_into(&cat, &mut code);
                let (sim, _) = token_similarity(&qt.text, &qt.code, &cat, &code);
                if sim >= JOINED_MIN_SIM {
                    let v = value(self.info(rec[j].tok) + self.info(rec[j + 1].tok), sim);
                    used_q[i] = true;
                    used_e[j] = true;
                    used_e[j + 1] = true;
                    total += v;
                    if let Some(ex) = ex.as_deref_mut() {
                        let how = format!(
                            "{} ~ {} {} (names written together)",
                            String::from_utf8_lossy(&qt.text),
                            String::from_utf8_lossy(a),
                            String::from_utf8_lossy(b)
                        );
                        ex.push(Aspect::Name, how, v);
                    }
                    break;
                }
            }
        }
        // A listed word for two query names.
        for j in 0..ne {
            let et = self.text(rec[j].tok);
            if used_e[j] || et.len() < 6 || nq < 2 {
                continue;
            }
            for i in 0..nq - 1 {
                let (qa, qb) = (&pq.toks[i], &pq.toks[i + 1]);
                if used_q[i] || used_q[i + 1] || qa.field != qb.field {
                    continue;
                }
                if (qa.text.len() + qb.text.len()).abs_diff(et.len()) > 2 {
                    continue;
                }
                cat.clear();
                cat.extend_from_slice(&qa.text);
                cat.extend_from_slice(&qb.text);
                code.clear();
                phonetic::code_into(&cat, &mut code);
                let (sim, _) = token_similarity(&cat, &code, et, self.code(rec[j].tok));
                if sim >= JOINED_MIN_SIM {
                    let v = value(self.info(rec[j].tok), sim);
                    used_q[i] = true;
                    used_q[i + 1] = true;
                    used_e[j] = true;
                    total += v;
                    if let Some(ex) = ex.as_deref_mut() {
                        let how = format!(
                            "{} {} ~ {} (names written together)",
                            String::from_utf8_lossy(&qa.text),
                            String::from_utf8_lossy(&qb.text),
                            String::from_utf8_lossy(et)
                        );
                        ex.push(Aspect::Name, how, v);
                    }
                    break;
                }
            }
        }
        total
    }

    /// Name evidence (nats) of one name record, by one-to-one alignment.
    fn name_evidence(&self, pq: &PreparedQuery, rec: &[Slot], mut ex: Option<&mut Explanation>) -> f64 {
        let nq = pq.toks.len().min(MAX_TOKENS);
        let ne = rec.len().min(2 * MAX_TOKENS);
        let mut w = [[f64::NEG_INFINITY; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut how = [[TokenMatch::Exact; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut total = 0.0;
        // Names written together ("CARREROMANZANARES" for "Carrero
        // Manzanares"), on either side, align first.
        let mut joined_q = [false; MAX_TOKENS];
        let mut joined_e = [false; 2 * MAX_TOKENS];
        total += self.joined_names(pq, rec, nq, ne, &mut joined_q, &mut joined_e, ex.as_deref_mut());
        // Identical tokens align with each other: no need to compare them
        // with anything else.
        let mut exact_q = joined_q;
        let mut exact_e = joined_e;
        for (i, qt) in pq.toks.iter().take(nq).enumerate() {
            if qt.tok == NONE || joined_q[i] {
                continue;
            }
            if let Some(j) = (0..ne).find(|&j| !exact_e[j] && rec[j].tok == qt.tok) {
                exact_q[i] = true;
                exact_e[j] = true;
            }
        }
        for (i, qt) in pq.toks.iter().take(nq).enumerate() {
            for (j, s) in rec.iter().take(ne).enumerate() {
                if ((exact_q[i] || exact_e[j]) && qt.tok != s.tok) || joined_q[i] || joined_e[j] {
                    continue;
                }
                let (sim, kind) = self.pair(qt, s);
                if sim < MIN_SIM {
                    continue;
                }
                let info = self.info(s.tok);
                let mut v = if kind == TokenMatch::Initial {
                    info.min(INITIAL)
                } else {
                    info * ((sim as f64 - 0.5) / 0.5).clamp(0.0, 1.0)
                };
                if s.field != Field::Any && s.field != qt.field {
                    v += CROSS_FIELD;
                }
                w[i][j] = v;
                how[i][j] = kind;
            }
        }
        let mut used_q = joined_q;
        let mut used_e = joined_e;
        loop {
            let mut best = (f64::NEG_INFINITY, 0, 0);
            for i in 0..nq {
                if used_q[i] {
                    continue;
                }
                for j in 0..ne {
                    if !used_e[j] && w[i][j] > best.0 {
                        best = (w[i][j], i, j);
                    }
                }
            }
            if !best.0.is_finite() {
                break;
            }
            let (v, i, j) = best;
            used_q[i] = true;
            used_e[j] = true;
            total += v;
            if let Some(ex) = ex.as_deref_mut() {
                let s = &rec[j];
                let qt = &pq.toks[i];
                let aspect = match (qt.field, s.field) {
                    (Field::Given, Field::Given) => Aspect::GivenName,
                    (Field::Surname, Field::Surname) => Aspect::Surname,
                    _ => Aspect::Name,
                };
                let cross = if s.field != Field::Any && s.field != qt.field { ", other field" } else { "" };
                let sign = if how[i][j] == TokenMatch::Exact { "=" } else { "~" };
                ex.push(
                    aspect,
                    format!(
                        "{} {sign} {} ({}{cross})",
                        String::from_utf8_lossy(&qt.text),
                        String::from_utf8_lossy(self.text(s.tok)),
                        how[i][j].as_str()
                    ),
                    v,
                );
            }
        }
        let uq = used_q[..nq].iter().filter(|u| !**u).count();
        let ue = used_e[..ne].iter().filter(|u| !**u).count();
        let conflicts = uq.min(ue);
        // Conflicts are charged first to the listed surnames left unmatched:
        // a different surname is stronger evidence than a different given name.
        let ue_sur = (0..ne).filter(|&j| !used_e[j] && rec[j].field != Field::Given).count();
        let sur_conf = conflicts.min(ue_sur);
        let penalty = sur_conf as f64 * CONFLICT_SURNAME
            + (conflicts - sur_conf) as f64 * CONFLICT_GIVEN
            + (uq.max(ue) - conflicts) as f64 * MISSING;
        if let Some(ex) = ex
            && (uq > 0 || ue > 0)
        {
            let list = |v: Vec<String>| v.join(" ");
            let qs: Vec<String> = (0..nq)
                .filter(|&i| !used_q[i])
                .map(|i| String::from_utf8_lossy(&pq.toks[i].text).into_owned())
                .collect();
            let es: Vec<String> = (0..ne)
                .filter(|&j| !used_e[j])
                .map(|j| String::from_utf8_lossy(self.text(rec[j].tok)).into_owned())
                .collect();
            let how = match (qs.is_empty(), es.is_empty()) {
                (false, false) => format!("unmatched: {} (traveller) vs {} (list)", list(qs), list(es)),
                (false, true) => format!("not on the list entry: {}", list(qs)),
                _ => format!("not given by the traveller: {}", list(es)),
            };
            ex.push(Aspect::Name, how, penalty);
        }
        total + penalty
    }
}

fn join(v: &[CountryCode]) -> String {
    v.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("/")
}

/// The logistic function.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}
