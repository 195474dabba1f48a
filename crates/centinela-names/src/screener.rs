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
//! Speed: entries are numbered in birth-date order, so each posting list is
//! also sorted by date. At a threshold, a query with a birth date walks only
//! the parts of the lists whose dates could still make a hit (a clearly
//! different date outweighs everything else an entry can add, see
//! [`Screener::screen`]), and a candidate whose score bound (its exact
//! birth-date, nationality, sex and document terms plus its name's upper
//! bound) is below the threshold is not scored. Those terms and the bound
//! come from a 16-byte record per entry (`Fact`), not from the
//! [`AlertEntry`], which is read only for entries the record cannot describe
//! and for the explanation of a hit. Per-query buffers live in a
//! thread-local scratch, and token similarities are computed once per query.
//!
//! Score: a logistic regression whose features are the evidence
//! (`model.rs`: the features, the fitted weights and how they were fitted).
//! Name tokens are aligned one to one (in any order and field; a field
//! crossing costs a little); an aligned pair contributes the information
//! (`ln 1/p`, `p` the token's frequency in the loaded list) of the listed
//! token, scaled by how close the spelling is and weighted by field;
//! unaligned tokens cost (one side only, or a clash: both sides have one).
//! The name's net evidence, its tokens less the chance term in `ln N`, is
//! capped at [`NAME_CAP`]: families and namesakes share whole names, so no
//! name alone is proof. How many entries could carry the name by chance
//! (`ln N` less the matched information) costs on its own and makes a near
//! birth date weaker. Birth date, nationality, sex and document number add
//! their own terms; the score is the logistic of the sum, and every term is
//! an item of the explanation.

use std::cell::RefCell;
use std::collections::HashMap;

use centinela_domain::{AlertEntry, BirthDate, CountryCode, DocumentNumber, Sex};
use rayon::prelude::*;

use crate::dates::{self, DateMatch};
use crate::explain::{Aspect, Explanation};
use crate::model::{CHANCE_MAX, Features, NAME_CAP, NF, WEIGHTS, f};
use crate::normalize::{NameToken, tokenize};
use crate::phonetic;
use crate::similarity::{TokenMatch, token_similarity};

/// The alert threshold that ships: a hit is raised when its score (the
/// estimated probability that the traveller is the listed person) is at
/// least this.
pub const DEFAULT_THRESHOLD: f64 = 0.25;

/// Bias of the logistic (nats): the fitted weight of [`model::f::BIAS`].
pub const BIAS: f64 = WEIGHTS[f::BIAS];
/// Evidence of an initial agreeing with a name, at most (before its weight).
const INITIAL: f64 = 1.5;
/// Tokens less similar than this do not align.
const MIN_SIM: f32 = crate::similarity::FLOOR;
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
/// Spacing of the sampled postings (see `post_skip`).
const SKIP: usize = 32;

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

/// What the scorer needs of an internal entry besides its name tokens, in
/// one cache line's quarter: the candidate bound and the birth-date,
/// nationality and sex terms of most entries then cost one memory access,
/// not a walk to the [`AlertEntry`] and its vectors. An entry whose terms
/// the record cannot give (several birth dates or nationalities, document
/// numbers) says so in `flags`, and is read when the query needs it.
#[derive(Debug, Clone, Copy)]
#[repr(C, align(16))]
struct Fact {
    /// Upper bound of the raw name evidence: the information of the
    /// entry's tokens, summed, for its richest name record.
    name_ub: f32,
    /// The first birth date, [`dates::pack`]ed (0: none).
    date0: u32,
    /// The nationality's number in `nat_id`, [`NAT_NONE`] when none is listed.
    nat: u16,
    sex: Sex,
    /// [`READ_DATES`], [`READ_NATS`], [`HAS_DOCS`].
    flags: u8,
}

/// [`Fact::flags`]: several birth dates, or one [`dates::pack`] does not keep.
const READ_DATES: u8 = 1;
/// [`Fact::flags`]: several nationalities.
const READ_NATS: u8 = 2;
/// [`Fact::flags`]: document numbers are listed.
const HAS_DOCS: u8 = 4;
/// [`Fact::nat`] of an entry without nationality.
const NAT_NONE: u16 = u16::MAX;
/// The nationality number of a query whose nationality no entry lists.
const NAT_UNLISTED: u16 = u16::MAX - 1;

/// The evidence of birth date, nationality, sex and document number of one
/// entry for one query; `None`: not compared (a side lacks it).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Terms {
    date: f64,
    /// The birth-date feature that applied ([`f::DATE_EXACT`] …), if any.
    date_feat: Option<usize>,
    nat: Option<f64>,
    sex: Option<f64>,
    doc: Option<f64>,
}

impl Terms {
    /// `logit` plus the terms, added one by one in this order (the scores
    /// depend on it to the last bit).
    #[inline]
    fn add_to(&self, mut logit: f64) -> f64 {
        logit += self.date;
        for w in [self.nat, self.sex, self.doc].into_iter().flatten() {
            logit += w;
        }
        logit
    }
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
    /// Entries are numbered internally in birth-date order (see
    /// [`Screener::build`]); `orig[i]` is the position in the input list of
    /// internal entry `i`, the number callers see in [`Hit::entry`].
    orig: Vec<u32>,
    slot_off: Vec<u32>,
    slots: Vec<Slot>,
    /// The compact scoring record of each internal entry (see [`Fact`]).
    facts: Vec<Fact>,
    /// Distinct [`dates::index_key`]s of the dated entries, ascending, and
    /// the first internal entry of each (plus the end): the entries with a
    /// key in `date_keys[i]..date_keys[j]` are `date_start[i]..date_start[j]`.
    /// Entries `0..undated` have no key (no date, several, or one the index
    /// cannot file).
    date_keys: Vec<u32>,
    date_start: Vec<u32>,
    undated: u32,
    /// `year_first[y - first_year]`: the index in `date_keys` of the first
    /// key of year `y` or later, for the years of the list and the one
    /// after; a key is then looked for among its year's keys only.
    year_first: Vec<u32>,
    first_year: u32,
    key_map: HashMap<Box<[u8]>, u32>,
    post_off: Vec<u32>,
    post: Vec<u32>,
    /// Every [`SKIP`]-th posting (`post[0]`, `post[SKIP]` …): a walk over
    /// a posting list jumps to the next entry range by reading these, not
    /// the postings in between.
    post_skip: Vec<u32>,
    key_info: Vec<f32>,
    code_df: Vec<u32>,
    key_bits: Vec<u32>,
    bitsets: Vec<Box<[u64]>>,
    /// The number of each nationality the list holds, and the weight of
    /// agreeing on it (`nat_w[id]`).
    nat_id: HashMap<CountryCode, u16>,
    nat_w: Vec<f64>,
    /// The largest nationality agreement weight.
    nat_max: f64,
    ln_n: f64,
    common_limit: usize,
    /// (hash of a listed document number's [`DocumentNumber::confusable_key`],
    /// internal entry), sorted: the entries a query's document number can
    /// agree with, found without walking the name keys. Hash collisions
    /// only add candidates; scoring decides.
    doc_keys: Vec<(u64, u32)>,
}

/// Hash of a document number's confusable key (the only form in which a
/// listed number can add evidence: exact numbers share it too).
fn doc_hash(d: &DocumentNumber) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(d.confusable_key())
}

/// The name evidence of one name record against a query.
#[derive(Debug, Clone, Copy, Default)]
struct NameEv {
    /// The matched tokens, weighted (nats; costs of crossing fields included).
    tokens: f64,
    /// The unmatched tokens, weighted (nats, not positive).
    penalty: f64,
    /// The information of the matched tokens before their weights (nats).
    info: f64,
}

/// The largest weight of a matched token's information.
const MAX_TOKEN_WEIGHT: f64 = max4(WEIGHTS[f::GIVEN], WEIGHTS[f::SURNAME], WEIGHTS[f::OTHER], WEIGHTS[f::INITIAL]);

const fn max4(a: f64, b: f64, c: f64, d: f64) -> f64 {
    let ab = if a > b { a } else { b };
    let cd = if c > d { c } else { d };
    if ab > cd { ab } else { cd }
}

/// The weight of a name's rarity (how much rarer than chance it is) for
/// a birth-date feature: an equal date, a near one, none compared.
#[inline]
fn date_excess_weight(date_feat: Option<usize>) -> f64 {
    match date_feat {
        None => WEIGHTS[f::NO_DATE_EXCESS],
        Some(f::DATE_EXACT) => WEIGHTS[f::EXACT_DATE_EXCESS],
        Some(d) if is_near(d) => WEIGHTS[f::NEAR_DATE_EXCESS],
        _ => 0.0,
    }
}

/// Per-thread working memory of a query, kept between queries so that
/// screening allocates (almost) nothing but its answer.
struct Scratch {
    /// Shared-key weight of every entry (0 when untouched; reset after use).
    acc: Vec<f32>,
    touched: Vec<u32>,
    cand: Vec<(f32, u32)>,
    keys: Vec<(u32, f32)>,
    common: Vec<(u32, f32)>,
    key_ranges: Vec<(u32, u32)>,
    ranges: Vec<(u32, u32)>,
    scored: Vec<(f64, u32)>,
    /// Internal entries listing a number that agrees with the query's.
    doc_cand: Vec<u32>,
    pairs: PairCache,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const {
        RefCell::new(Scratch {
            acc: Vec::new(),
            touched: Vec::new(),
            cand: Vec::new(),
            keys: Vec::new(),
            common: Vec::new(),
            key_ranges: Vec::new(),
            ranges: Vec::new(),
            scored: Vec::new(),
            doc_cand: Vec::new(),
            pairs: PairCache { query: 0, slots: Vec::new(), cat: Vec::new(), code: Vec::new() },
        })
    };
}

/// Similarities of the current query's tokens to listed tokens: the
/// candidates of one query are mostly namesakes holding the same tokens, so
/// each pair is compared once per query. Open addressing; a slot belongs to
/// the current query when its `query` stamp is the cache's.
struct PairCache {
    query: u32,
    slots: Vec<PairSlot>,
    /// Room for two names written together and their phonetic code.
    cat: Vec<u8>,
    code: Vec<u8>,
}

#[derive(Clone, Copy)]
struct PairSlot {
    query: u32,
    qi: u32,
    tok: u32,
    joined: u32,
    sim: f32,
    kind: TokenMatch,
}

const PAIR_SLOTS: usize = 1024;
const PAIR_PROBES: usize = 8;

impl PairCache {
    /// Forgets the previous query's pairs.
    fn next_query(&mut self) {
        if self.slots.is_empty() {
            let empty = PairSlot { query: 0, qi: 0, tok: 0, joined: 0, sim: 0.0, kind: TokenMatch::Exact };
            self.slots = vec![empty; PAIR_SLOTS];
        }
        self.query = self.query.wrapping_add(1);
        if self.query == 0 {
            self.slots.iter_mut().for_each(|s| s.query = 0);
            self.query = 1;
        }
    }

    /// The cached similarity of query token `qi` and a listed token, or
    /// `compute`'s (remembered if there is room).
    #[inline]
    fn get(
        &mut self,
        qi: u32,
        tok: u32,
        joined: u32,
        compute: impl FnOnce() -> (f32, TokenMatch),
    ) -> (f32, TokenMatch) {
        let h =
            (tok.wrapping_mul(0x9E37_79B1) ^ joined.wrapping_mul(0x85EB_CA77) ^ qi.wrapping_mul(0xC2B2_AE3D)) as usize;
        for p in 0..PAIR_PROBES {
            let slot = &mut self.slots[(h + p) % PAIR_SLOTS];
            if slot.query != self.query {
                let (sim, kind) = compute();
                *slot = PairSlot { query: self.query, qi, tok, joined, sim, kind };
                return (sim, kind);
            }
            if slot.qi == qi && slot.tok == tok && slot.joined == joined {
                return (slot.sim, slot.kind);
            }
        }
        compute()
    }
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
    /// The nationality's number in `nat_id` ([`NAT_UNLISTED`] if no entry
    /// lists it).
    nat: Option<u16>,
}

impl Screener {
    /// Builds the index (in parallel).
    ///
    /// Entries are numbered internally in the order of their birth date
    /// ([`dates::index_key`]; entries without one first), so that every
    /// posting list is sorted by birth date as well as by entry, and the
    /// entries born on a day, in a month or in a year are one contiguous
    /// range of numbers. A query then walks only the parts of a posting list
    /// whose dates can still make a hit (see [`Screener::screen`]).
    pub fn build(entries: Vec<AlertEntry>) -> Screener {
        let date_key: Vec<u32> = entries
            .iter()
            .map(|e| match e.birth_dates.as_slice() {
                [d] => dates::index_key(d).unwrap_or(0),
                _ => 0,
            })
            .collect();
        let mut orig: Vec<u32> = (0..entries.len() as u32).collect();
        orig.sort_by_key(|&i| (date_key[i as usize], i));
        let mut date_keys = Vec::new();
        let mut date_start = Vec::new();
        let mut undated = 0u32;
        for (i, &o) in orig.iter().enumerate() {
            match date_key[o as usize] {
                0 => undated += 1,
                k if date_keys.last() != Some(&k) => {
                    date_keys.push(k);
                    date_start.push(i as u32);
                }
                _ => {}
            }
        }
        date_start.push(entries.len() as u32);
        drop(date_key);
        let first_year = date_keys.first().map_or(0, |k| k >> 10);
        let last_year = date_keys.last().map_or(0, |k| k >> 10);
        let year_first: Vec<u32> =
            (first_year..=last_year + 1).map(|y| date_keys.partition_point(|&k| k >> 10 < y) as u32).collect();
        let prepared: Vec<Prepared> = orig.par_iter().map(|&o| prepare(&entries[o as usize])).collect();
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
        // Name evidence never exceeds the information of the listed tokens
        // it aligns (each aligned pair gives at most its listed token's
        // information, every other term is a cost): summed over a record,
        // in f64 as the scorer sums, and rounded up to f32.
        let name_ub = (0..entries.len()).map(|e| {
            let rec = &slots[slot_off[e] as usize..slot_off[e + 1] as usize];
            let mut best = 0f64;
            for r in rec.chunk_by(|a, b| a.name == b.name) {
                best = best.max(r.iter().map(|s| tok_info[s.tok as usize] as f64).sum::<f64>());
            }
            (best * (1.0 + 1e-6) + 1e-6) as f32
        });
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
        let mut nats: Vec<(CountryCode, usize)> = nat_count.into_iter().collect();
        nats.sort_unstable();
        assert!(nats.len() < NAT_UNLISTED as usize, "more nationalities than country codes");
        let nat_id: HashMap<CountryCode, u16> = nats.iter().enumerate().map(|(i, &(c, _))| (c, i as u16)).collect();
        let nat_w: Vec<f64> = nats.iter().map(|&(_, c)| nat_p(c)).collect();
        // The most a nationality can add: agreeing on a listed one, or
        // disagreeing.
        let nat_max = nat_w.iter().fold(WEIGHTS[f::NAT_CLASH], |m, &w| m.max(WEIGHTS[f::NAT_AGREE] * w));
        let facts = orig
            .iter()
            .zip(name_ub)
            .map(|(&o, name_ub)| {
                let e = &entries[o as usize];
                let date0 = dates::pack(e.birth_dates.first());
                let exact = |d: &BirthDate| dates::unpack(dates::pack(Some(d))) == Some(*d);
                let mut flags = 0;
                if e.birth_dates.len() > 1 || !e.birth_dates.iter().all(exact) {
                    flags |= READ_DATES;
                }
                if e.nationalities.len() > 1 {
                    flags |= READ_NATS;
                }
                if !e.document_numbers.is_empty() {
                    flags |= HAS_DOCS;
                }
                let nat = e.nationalities.first().map_or(NAT_NONE, |c| nat_id[c]);
                Fact { name_ub, date0, nat, sex: e.sex, flags }
            })
            .collect();
        let mut doc_keys: Vec<(u64, u32)> = orig
            .iter()
            .enumerate()
            .flat_map(|(e, &o)| entries[o as usize].document_numbers.iter().map(move |d| (doc_hash(d), e as u32)))
            .collect();
        doc_keys.sort_unstable();
        doc_keys.dedup();
        Screener {
            doc_keys,
            ln_n: n.max(1.0).ln(),
            nat_max,
            orig,
            facts,
            date_keys,
            date_start,
            undated,
            year_first,
            first_year,
            entries,
            tok_map,
            tok_text,
            tok_text_off,
            tok_code,
            tok_code_off,
            tok_info,
            slot_off,
            slots,
            key_map,
            post_skip: post.iter().step_by(SKIP).copied().collect(),
            post_off,
            post,
            key_info,
            code_df,
            key_bits,
            bitsets,
            nat_id,
            nat_w,
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

    /// The weight of agreeing on nationality number `id`.
    #[inline]
    fn nat_agree(&self, id: u16) -> f64 {
        WEIGHTS[f::NAT_AGREE] * self.nat_w[id as usize]
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
        let nat = q.nationality.map(|n| self.nat_id.get(&n).copied().unwrap_or(NAT_UNLISTED));
        PreparedQuery { toks, date: q.birth_date, date_packed: dates::pack(q.birth_date.as_ref()), nat }
    }

    /// Screens one traveller: the hits, best first.
    ///
    /// Two shortcuts skip entries that provably cannot reach the threshold
    /// (both are exact: they never change the hits, see the bounds below):
    ///
    /// - **Birth date.** A clearly different birth date costs
    ///   [`dates::DATE_CLASH`] (−12 nats). Everything else an entry can add
    ///   is bounded: the name at most [`NAME_CAP`] (its evidence saturates
    ///   below the cap), nationality at most the largest nationality weight
    ///   (≤ 3), sex [`SEX_AGREE`]. When [`BIAS`] plus those maxima plus the
    ///   clash is below the threshold's log-odds (−2 + 8 + 3 + 0.6 − 12 =
    ///   −2.4 < 0 at the shipped 0.5), no entry whose every birth date
    ///   differs clearly from the traveller's can be a hit — unless it lists
    ///   the traveller's document number (up to [`DOC_EXACT`]): those entries
    ///   come from an exact look-up of the number (`doc_keys`), and the
    ///   other candidates are only looked for among the entries whose date
    ///   can still agree ([`dates::compatible_keys`]: the same year, and a
    ///   few days and months in the neighbouring and one-digit-apart years)
    ///   plus the undated ones — a few per cent of a list whose birth years
    ///   span decades.
    /// - **Name.** Before scoring a candidate in full, its score is bounded
    ///   by its exact date, nationality, sex and document terms plus the
    ///   saturated upper bound of its name evidence (the information of all
    ///   its tokens, see `name_ub`); a candidate whose bound is below the
    ///   threshold is not scored.
    ///
    /// With no threshold (`threshold` 0, as for [`ScreenOptions::candidates`])
    /// neither applies and every candidate is scored.
    pub fn screen(&self, q: &Query, opts: &ScreenOptions) -> Vec<Hit> {
        let pq = self.prepare_query(q);
        if pq.toks.is_empty() || self.entries.is_empty() {
            return Vec::new();
        }
        SCRATCH.with(|s| self.screen_prepared(&pq, q, opts, &mut s.borrow_mut()))
    }

    fn screen_prepared(&self, pq: &PreparedQuery, q: &Query, opts: &ScreenOptions, s: &mut Scratch) -> Vec<Hit> {
        let m = opts.top_k.map_or(CANDIDATES, |k| (2 * k).max(CANDIDATES));
        // Least log-odds a hit can have, less a margin for rounding.
        let need = log_odds(opts.threshold) - 1e-6;
        self.date_ranges(pq, q, need, s);
        self.candidates(pq, m, s);
        // Entries listing the traveller's document number are candidates
        // whatever their name or birth date: the date pruning above left
        // them to this exact look-up.
        s.doc_cand.clear();
        if let Some(d) = &q.document_number {
            let h = doc_hash(d);
            let from = self.doc_keys.partition_point(|&(k, _)| k < h);
            s.doc_cand.extend(self.doc_keys[from..].iter().take_while(|&&(k, _)| k == h).map(|&(_, e)| e));
            for &e in &s.doc_cand {
                if !s.cand.iter().any(|&(_, c)| c == e) {
                    s.cand.push((0.0, e));
                }
            }
        }
        let Scratch { cand, scored, pairs, .. } = s;
        pairs.next_query();
        scored.clear();
        for &(_, e) in cand.iter() {
            // The entry's exact birth-date, nationality, sex and document
            // terms, added as the score adds them: with the name's upper
            // bound in place of its evidence, an upper bound of the score
            // (the sum rounds monotonically in each term).
            let terms = self.terms(pq, q, e);
            if need > f64::NEG_INFINITY && terms.add_to(self.name_logit_bound(e, terms.date_feat)) < need {
                continue;
            }
            let (_, _, x) = self.name_raw(pq, e, terms.date_feat, pairs);
            scored.push((terms.add_to(x), self.orig[e as usize]));
        }
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut hits = Vec::new();
        for &(logit, o) in scored.iter() {
            let score = sigmoid(logit);
            if score < opts.threshold || opts.top_k.is_some_and(|k| hits.len() >= k) {
                break;
            }
            let mut ex = Explanation::default();
            let e = self.internal(o);
            self.explain_entry(pq, q, e, &mut ex, pairs);
            hits.push(Hit { entry: o, score, explanation: ex });
        }
        hits
    }

    /// The internal number of the entry at input position `o` (only for the
    /// few hits: a search of the date range it was filed in).
    fn internal(&self, o: u32) -> u32 {
        let entry = &self.entries[o as usize];
        let key = match entry.birth_dates.as_slice() {
            [d] => dates::index_key(d).unwrap_or(0),
            _ => 0,
        };
        let (lo, hi) = if key == 0 { (0, self.undated) } else { self.key_range(key, key + 1) };
        let part = &self.orig[lo as usize..hi as usize];
        lo + part.partition_point(|&x| x < o) as u32
    }

    /// Internal entries with a date key in `klo..khi`.
    fn key_range(&self, klo: u32, khi: u32) -> (u32, u32) {
        (self.date_start[self.key_index(klo)], self.date_start[self.key_index(khi)])
    }

    /// The index in `date_keys` of the first key at least `key`.
    fn key_index(&self, key: u32) -> usize {
        let Some(y) = (key >> 10).checked_sub(self.first_year) else { return 0 };
        let Some(&a) = self.year_first.get(y as usize) else { return self.date_keys.len() };
        let b = self.year_first.get(y as usize + 1).map_or(self.date_keys.len(), |&b| b as usize);
        a as usize + self.date_keys[a as usize..b].partition_point(|&k| k < key)
    }

    /// The internal entry ranges, ascending and disjoint, among which the
    /// hits for `q` must be (see [`Screener::screen`]): all entries unless
    /// the birth-date bound applies.
    fn date_ranges(&self, pq: &PreparedQuery, q: &Query, need: f64, s: &mut Scratch) {
        let Scratch { key_ranges: keys, ranges: out, .. } = s;
        out.clear();
        let n = self.entries.len() as u32;
        let sane = |d: &BirthDate| {
            (1..=9999).contains(&d.year)
                && d.month.is_none_or(|m| (1..=31).contains(&m))
                && d.day.is_none_or(|x| (1..=31).contains(&x))
        };
        let nat_bound = if q.nationality.is_some() { self.nat_max.max(0.0) } else { 0.0 };
        // Entries a document number agrees with are found apart (see
        // `screen_prepared`), so it does not widen the walk.
        let best_with_clash = BIAS + NAME_CAP + WEIGHTS[f::DATE_DIFFERENT] + nat_bound + WEIGHTS[f::SEX_AGREE].max(0.0);
        let Some(d) = pq.date.as_ref().filter(|d| sane(d) && best_with_clash < need) else {
            out.push((0, n));
            return;
        };
        keys.clear();
        dates::compatible_keys(d, keys);
        out.push((0, self.undated));
        for &(klo, khi) in keys.iter() {
            let r = self.key_range(klo, khi);
            if r.0 < r.1 {
                out.push(r);
            }
        }
        out.sort_unstable();
        let mut w = 0;
        for i in 0..out.len() {
            if w > 0 && out[i].0 <= out[w - 1].1 {
                out[w - 1].1 = out[w - 1].1.max(out[i].1);
            } else {
                out[w] = out[i];
                w += 1;
            }
        }
        out.truncate(w);
    }

    /// Calls `f` on the entries of key `k`'s posting list that lie in one
    /// of the ascending, disjoint `ranges`. The list is sorted; between two
    /// ranges the walk skips by the sampled postings, then reads at most
    /// [`SKIP`] postings to find the start of the next range: sequential
    /// reads, where a binary search per range would miss the cache at each
    /// step.
    #[inline]
    fn for_each_in(&self, k: u32, ranges: &[(u32, u32)], mut f: impl FnMut(u32)) {
        let (post, skip) = (&self.post, &self.post_skip);
        let mut i = self.post_off[k as usize] as usize;
        let end = self.post_off[k as usize + 1] as usize;
        for &(lo, hi) in ranges {
            // Every posting up to a sample below `lo` is below `lo`.
            let mut s = i / SKIP + 1;
            while s * SKIP < end && skip[s] < lo {
                i = s * SKIP;
                s += 1;
            }
            while i < end && post[i] < lo {
                i += 1;
            }
            while i < end && post[i] < hi {
                f(post[i]);
                i += 1;
            }
            if i >= end {
                break;
            }
        }
    }

    /// The birth-date term of the pre-ranking of internal entry `e`, also an
    /// upper bound of its birth-date evidence: the best agreement of any of
    /// its dates, weighed as full dates (a partial date's consistency
    /// weighs at most that). 0 when either side has no date.
    #[inline]
    fn date_bound(&self, q: Option<&BirthDate>, e: u32) -> f64 {
        let Some(q) = q else { return 0.0 };
        let f = &self.facts[e as usize];
        if f.flags & READ_DATES != 0 {
            // Several dates, or one the record does not hold: read them.
            let all = &self.entries[self.orig[e as usize] as usize].birth_dates;
            all.iter().map(|d| date_weight_bound(dates::compare(q, d))).reduce(f64::max).unwrap_or(0.0)
        } else {
            dates::unpack(f.date0).map_or(0.0, |d| date_weight_bound(dates::compare(q, &d)))
        }
    }

    /// Screens many travellers in parallel; results in query order.
    pub fn screen_many(&self, qs: &[Query], opts: &ScreenOptions) -> Vec<Vec<Hit>> {
        qs.par_iter().map(|q| self.screen(q, opts)).collect()
    }

    /// The `m` most promising entries (internal numbers) by shared keys and
    /// birth date, among the entries in `ranges`.
    fn candidates(&self, pq: &PreparedQuery, m: usize, s: &mut Scratch) {
        let Scratch { acc, touched, cand, keys, common, ranges, .. } = s;
        // The query's keys with their weights, deduplicated.
        keys.clear();
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
        {
            if acc.len() < self.entries.len() {
                acc.resize(self.entries.len(), 0.0);
            }
            touched.clear();
            common.clear();
            for &(k, w) in keys.iter() {
                if (self.post_off[k as usize + 1] - self.post_off[k as usize]) as usize > self.common_limit {
                    common.push((k, w));
                    continue;
                }
                self.for_each_in(k, ranges, |e| {
                    let a = &mut acc[e as usize];
                    if *a == 0.0 {
                        touched.push(e);
                    }
                    *a += w;
                });
            }
            if !common.is_empty() {
                common.sort_by_key(|&(k, _)| self.post_off[k as usize + 1] - self.post_off[k as usize]);
                if common.len() >= 2 {
                    // Entries holding both of the two rarest common keys are
                    // candidates even when no rarer key found them (a typo in
                    // the one rare name of "Andrés Rodríguez Pérez").
                    let b1 = &self.bitsets[self.key_bits[common[0].0 as usize] as usize];
                    let b2 = &self.bitsets[self.key_bits[common[1].0 as usize] as usize];
                    for &(lo, hi) in ranges.iter() {
                        let (lo, hi) = (lo as usize, hi as usize);
                        for i in lo / 64..hi.div_ceil(64) {
                            // The bits of word i inside lo..hi.
                            let from = lo.saturating_sub(i * 64);
                            let to = (hi - i * 64).min(64);
                            let mask = (u64::MAX >> (64 - (to - from))) << from;
                            let mut both = b1[i] & b2[i] & mask;
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
                }
                let mut rest = &common[..];
                if touched.len() < 64 {
                    // Too little found by rarer keys: walk the rarest common list.
                    let (k, w) = common[0];
                    self.for_each_in(k, ranges, |e| {
                        let a = &mut acc[e as usize];
                        if *a == 0.0 {
                            touched.push(e);
                        }
                        *a += w;
                    });
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
                v += self.date_bound(qd.as_ref(), e) as f32;
                cand.push((v, e));
            }
            if cand.len() > m {
                cand.select_nth_unstable_by(m, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                cand.truncate(m);
            }
        }
    }

    /// The name evidence of internal entry `e`: that of its name record
    /// (primary name or an alias) worth most with the entry's birth-date
    /// feature `date_feat`, the record's number, and what it is worth
    /// ([`Screener::name_logit`]).
    fn name_raw(
        &self,
        pq: &PreparedQuery,
        e: u32,
        date_feat: Option<usize>,
        pairs: &mut PairCache,
    ) -> (NameEv, u16, f64) {
        let slots = &self.slots[self.slot_off[e as usize] as usize..self.slot_off[e as usize + 1] as usize];
        let mut best: Option<(NameEv, u16, f64)> = None;
        for rec in slots.chunk_by(|a, b| a.name == b.name) {
            let ev = self.name_evidence(pq, rec, None, pairs, None);
            let x = self.name_logit(&ev, date_feat);
            if best.is_none_or(|b| x > b.2) {
                best = Some((ev, rec[0].name, x));
            }
        }
        best.unwrap_or_else(|| {
            let ev = NameEv::default();
            (ev, 0, self.name_logit(&ev, date_feat))
        })
    }

    /// How many entries of the list could carry a name by chance, in nats:
    /// `ln N` less the information of the matched tokens, in
    /// `0..=CHANCE_MAX`.
    #[inline]
    fn chance(&self, info: f64) -> f64 {
        (self.ln_n - info).clamp(0.0, CHANCE_MAX)
    }

    /// How much rarer a name with `info` nats of matched information is
    /// than chance: `info − ln N`, in `−CHANCE_MAX..=NAME_CAP`.
    #[inline]
    fn excess(&self, info: f64) -> f64 {
        (info - self.ln_n).clamp(-CHANCE_MAX, NAME_CAP)
    }

    /// The log-odds before the birth-date, nationality, sex and document
    /// terms: the bias, the name's net evidence (its tokens plus the `ln N`
    /// term, capped at [`NAME_CAP`]), its unmatched tokens, and the chance
    /// terms (a name many entries could share; how much rarer than chance
    /// the name is, weighed by the birth-date agreement `date_feat`). Added in this order (the scores depend on it to
    /// the last bit).
    #[inline]
    fn name_logit(&self, ev: &NameEv, date_feat: Option<usize>) -> f64 {
        let mut x = BIAS;
        x += (ev.tokens + WEIGHTS[f::LN_N] * self.ln_n).min(NAME_CAP);
        x += ev.penalty;
        x += WEIGHTS[f::NAME_CHANCE] * self.chance(ev.info);
        x += date_excess_weight(date_feat) * self.excess(ev.info);
        x
    }

    /// An upper bound of [`Screener::name_logit`] for internal entry `e`
    /// with birth-date feature `date_feat`, from its record's name bound:
    /// every matched token is worth at most its information times the
    /// largest token weight, the unmatched tokens cost, and the chance
    /// terms grow with the matched information (the signs of the weights
    /// make it so: a unit test checks the shipped ones).
    #[inline]
    fn name_logit_bound(&self, e: u32, date_feat: Option<usize>) -> f64 {
        let ub = self.facts[e as usize].name_ub as f64;
        BIAS + (MAX_TOKEN_WEIGHT * ub + WEIGHTS[f::LN_N] * self.ln_n).min(NAME_CAP)
            + WEIGHTS[f::NAME_CHANCE] * self.chance(ub)
            + date_excess_weight(date_feat) * self.excess(ub)
            + 1e-9
    }

    /// Explains the score of internal entry `e`; returns its log-odds.
    fn explain_entry(&self, pq: &PreparedQuery, q: &Query, e: u32, ex: &mut Explanation, pairs: &mut PairCache) -> f64 {
        let entry = &self.entries[self.orig[e as usize] as usize];
        let terms = self.entry_terms(pq, q, entry);
        let (ev, name, x) = self.name_raw(pq, e, terms.date_feat, pairs);
        let slots = &self.slots[self.slot_off[e as usize] as usize..self.slot_off[e as usize + 1] as usize];
        let rec: Vec<Slot> = slots.iter().copied().filter(|s| s.name == name).collect();
        self.name_evidence(pq, &rec, Some(ex), pairs, None);
        let net = (ev.tokens + WEIGHTS[f::LN_N] * self.ln_n).min(NAME_CAP);
        let capped = if ev.tokens + WEIGHTS[f::LN_N] * self.ln_n > NAME_CAP { ", capped" } else { "" };
        ex.push(Aspect::Prior, format!("one of {} entries{capped}", self.entries.len()), BIAS + net - ev.tokens);
        // About how many entries could carry the name by chance.
        let carriers = (self.ln_n - ev.info).clamp(-CHANCE_MAX, CHANCE_MAX).exp();
        let carriers = if carriers >= 10.0 {
            format!("{carriers:.0}")
        } else if carriers >= 0.01 {
            format!("{carriers:.2}")
        } else {
            "< 0.01".to_string()
        };
        let w = WEIGHTS[f::NAME_CHANCE] * self.chance(ev.info);
        if w != 0.0 {
            ex.push(Aspect::Name, format!("about {carriers} entries could carry this name by chance"), w);
        }
        let w = date_excess_weight(terms.date_feat) * self.excess(ev.info);
        if w != 0.0 {
            let date = match terms.date_feat {
                Some(f::DATE_EXACT) => "the same birth date",
                Some(_) => "a near birth date",
                None => "no birth date compared",
            };
            ex.push(Aspect::Name, format!("{date}, for a name about {carriers} entries could carry"), w);
        }
        self.explain_terms(pq, q, entry, &terms, ex);
        terms.add_to(x)
    }

    /// The features of the traveller `q` against the entry at input
    /// position `o` (see [`crate::model::FEATURES`]): what the score
    /// weighs, before the weights. For fitting the weights
    /// (`centinela screen --features`).
    pub fn features(&self, q: &Query, o: u32) -> Features {
        let mut fs = [0.0; NF];
        let pq = self.prepare_query(q);
        let e = self.internal(o);
        let entry = &self.entries[o as usize];
        let terms = self.entry_terms(&pq, q, entry);
        let mut pairs = PairCache { query: 0, slots: Vec::new(), cat: Vec::new(), code: Vec::new() };
        pairs.next_query();
        let (ev, name, _) = self.name_raw(&pq, e, terms.date_feat, &mut pairs);
        let slots = &self.slots[self.slot_off[e as usize] as usize..self.slot_off[e as usize + 1] as usize];
        let rec: Vec<Slot> = slots.iter().copied().filter(|s| s.name == name).collect();
        self.name_evidence(&pq, &rec, None, &mut pairs, Some(&mut fs));
        fs[f::BIAS] = 1.0;
        fs[f::LN_N] = self.ln_n;
        fs[f::NAME_CHANCE] = self.chance(ev.info);
        let excess = self.excess(ev.info);
        match terms.date_feat {
            None => fs[f::NO_DATE_EXCESS] = excess,
            Some(d) => {
                fs[d] = 1.0;
                if d == f::DATE_EXACT {
                    fs[f::EXACT_DATE_EXCESS] = excess;
                } else if is_near(d) {
                    fs[f::NEAR_DATE_EXCESS] = excess;
                }
            }
        }
        if let (Some(n), Some(id)) = (q.nationality, pq.nat)
            && !entry.nationalities.is_empty()
        {
            if entry.nationalities.contains(&n) {
                fs[f::NAT_AGREE] = self.nat_w[id as usize];
            } else {
                fs[f::NAT_CLASH] = 1.0;
            }
        }
        if sex_term(q.sex, entry.sex).is_some() {
            fs[if q.sex == entry.sex { f::SEX_AGREE } else { f::SEX_CLASH }] = 1.0;
        }
        fs
    }

    /// The birth-date, nationality, sex and document terms of internal
    /// entry `e`: from its [`Fact`], reading the entry only when the record
    /// cannot tell and the query has what to compare.
    #[inline]
    fn terms(&self, pq: &PreparedQuery, q: &Query, e: u32) -> Terms {
        let f = &self.facts[e as usize];
        if (f.flags & READ_DATES != 0 && pq.date.is_some())
            || (f.flags & READ_NATS != 0 && pq.nat.is_some())
            || (f.flags & HAS_DOCS != 0 && q.document_number.is_some())
        {
            return self.entry_terms(pq, q, &self.entries[self.orig[e as usize] as usize]);
        }
        let (_, date_feat, date) = match (pq.date.as_ref(), dates::unpack(f.date0)) {
            (Some(qd), Some(d)) => date_evidence(Some(qd), std::slice::from_ref(&d)),
            _ => (DateMatch::Missing, None, 0.0),
        };
        let nat = match pq.nat {
            Some(n) if f.nat != NAT_NONE => Some(if n == f.nat { self.nat_agree(n) } else { WEIGHTS[f::NAT_CLASH] }),
            _ => None,
        };
        Terms { date, date_feat, nat, sex: sex_term(q.sex, f.sex), doc: None }
    }

    /// [`Screener::terms`] read from the entry itself.
    fn entry_terms(&self, pq: &PreparedQuery, q: &Query, entry: &AlertEntry) -> Terms {
        let (_, date_feat, date) = date_evidence(pq.date.as_ref(), &entry.birth_dates);
        let nat = match (q.nationality, pq.nat) {
            (Some(n), Some(id)) if !entry.nationalities.is_empty() => {
                // A nationality an entry lists has a number.
                Some(if entry.nationalities.contains(&n) { self.nat_agree(id) } else { WEIGHTS[f::NAT_CLASH] })
            }
            _ => None,
        };
        let doc = match &q.document_number {
            Some(d) if !entry.document_numbers.is_empty() => Some(doc_agreement(&entry.document_numbers, d).0),
            _ => None,
        };
        Terms { date, date_feat, nat, sex: sex_term(q.sex, entry.sex), doc }
    }

    /// Explains `terms` (of `entry`, see [`Screener::entry_terms`]).
    fn explain_terms(&self, pq: &PreparedQuery, q: &Query, entry: &AlertEntry, terms: &Terms, ex: &mut Explanation) {
        let (dm, _, _) = date_evidence(pq.date.as_ref(), &entry.birth_dates);
        let shown = match (pq.date, entry.birth_dates.first()) {
            (Some(a), Some(b)) if dm != dates::DateMatch::Missing => format!(" ({a} vs {b})"),
            _ => String::new(),
        };
        ex.push(Aspect::BirthDate, format!("{}{shown}", dm.as_str()), terms.date);
        if let (Some(n), Some(w)) = (q.nationality, terms.nat) {
            let how = if entry.nationalities.contains(&n) {
                format!("{n} = {n}")
            } else {
                format!("{n} not in {}", join(&entry.nationalities))
            };
            ex.push(Aspect::Nationality, how, w);
        }
        if let Some(w) = terms.sex {
            let how = if q.sex == entry.sex { "same" } else { "differs" };
            ex.push(Aspect::Sex, format!("{how} ({} vs {})", q.sex.as_str(), entry.sex.as_str()), w);
        }
        if let (Some(d), Some(w)) = (&q.document_number, terms.doc) {
            let how = match doc_agreement(&entry.document_numbers, d).1 {
                DocAgreement::Exact => format!("{d} = {d}"),
                DocAgreement::Confusable => format!("{d} ~ listed number (OCR confusion)"),
                DocAgreement::Clash => format!("{d} not listed"),
            };
            ex.push(Aspect::DocumentNumber, how, w);
        }
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
    /// written as one word; marks them and adds their evidence to `ev`.
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
        pairs: &mut PairCache,
        ev: &mut NameEv,
        mut feats: Option<&mut Features>,
    ) {
        let (cat, code) = (&mut pairs.cat, &mut pairs.code);
        let value = |info: f64, sim: f32| info * ((sim as f64 - 0.5) / 0.5).clamp(0.0, 1.0);
        // A word present as such on both sides aligns with itself, never
        // inside names written together.
        let mut twin_q = [false; MAX_TOKENS];
        let mut twin_e = [false; 2 * MAX_TOKENS];
        for (i, qt) in pq.toks.iter().take(nq).enumerate() {
            if qt.tok == NONE {
                continue;
            }
            for (j, s) in rec.iter().take(ne).enumerate() {
                if s.tok == qt.tok {
                    twin_q[i] = true;
                    twin_e[j] = true;
                }
            }
        }
        // A query word for two listed names.
        for i in 0..nq {
            let qt = &pq.toks[i];
            if qt.tok != NONE || qt.text.len() < 6 || ne < 2 {
                continue;
            }
            for j in 0..ne - 1 {
                if used_e[j] || used_e[j + 1] || twin_e[j] || twin_e[j + 1] || rec[j].field != rec[j + 1].field {
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
                phonetic::code_into(cat, code);
                let (sim, _) = token_similarity(&qt.text, &qt.code, cat, code);
                if sim >= JOINED_MIN_SIM {
                    let raw = value(self.info(rec[j].tok) + self.info(rec[j + 1].tok), sim);
                    let v = WEIGHTS[f::OTHER] * raw;
                    used_q[i] = true;
                    used_e[j] = true;
                    used_e[j + 1] = true;
                    ev.tokens += v;
                    ev.info += raw;
                    if let Some(fs) = feats.as_deref_mut() {
                        fs[f::OTHER] += raw;
                    }
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
            if used_e[j] || twin_e[j] || et.len() < 6 || nq < 2 {
                continue;
            }
            for i in 0..nq - 1 {
                let (qa, qb) = (&pq.toks[i], &pq.toks[i + 1]);
                if used_q[i] || used_q[i + 1] || twin_q[i] || twin_q[i + 1] || qa.field != qb.field {
                    continue;
                }
                if (qa.text.len() + qb.text.len()).abs_diff(et.len()) > 2 {
                    continue;
                }
                cat.clear();
                cat.extend_from_slice(&qa.text);
                cat.extend_from_slice(&qb.text);
                code.clear();
                phonetic::code_into(cat, code);
                let (sim, _) = token_similarity(cat, code, et, self.code(rec[j].tok));
                if sim >= JOINED_MIN_SIM {
                    let raw = value(self.info(rec[j].tok), sim);
                    let v = WEIGHTS[f::OTHER] * raw;
                    used_q[i] = true;
                    used_q[i + 1] = true;
                    used_e[j] = true;
                    ev.tokens += v;
                    ev.info += raw;
                    if let Some(fs) = feats.as_deref_mut() {
                        fs[f::OTHER] += raw;
                    }
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
    }

    /// Name evidence of one name record, by one-to-one alignment: each
    /// query token with at most one listed token, the pairs worth most
    /// first. With `feats`, also adds the record's name features.
    fn name_evidence(
        &self,
        pq: &PreparedQuery,
        rec: &[Slot],
        mut ex: Option<&mut Explanation>,
        pairs: &mut PairCache,
        mut feats: Option<&mut Features>,
    ) -> NameEv {
        let nq = pq.toks.len().min(MAX_TOKENS);
        let ne = rec.len().min(2 * MAX_TOKENS);
        let mut w = [[f64::NEG_INFINITY; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut raw = [[0f64; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut cat = [[0u8; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut how = [[TokenMatch::Exact; 2 * MAX_TOKENS]; MAX_TOKENS];
        let mut ev = NameEv::default();
        // Names written together ("CARREROMANZANARES" for "Carrero
        // Manzanares"), on either side, align first.
        let mut joined_q = [false; MAX_TOKENS];
        let mut joined_e = [false; 2 * MAX_TOKENS];
        self.joined_names(
            pq,
            rec,
            nq,
            ne,
            &mut joined_q,
            &mut joined_e,
            ex.as_deref_mut(),
            pairs,
            &mut ev,
            feats.as_deref_mut(),
        );
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
                let (sim, kind) = pairs.get(i as u32, s.tok, s.joined, || self.pair(qt, s));
                if sim < MIN_SIM {
                    continue;
                }
                let info = self.info(s.tok);
                let cross = s.field != Field::Any && s.field != qt.field;
                let (v, c) = if kind == TokenMatch::Initial {
                    (info.min(INITIAL), f::INITIAL)
                } else {
                    let c = match (s.field, cross) {
                        (Field::Given, false) => f::GIVEN,
                        (Field::Surname, false) => f::SURNAME,
                        _ => f::OTHER,
                    };
                    (info * ((sim as f64 - 0.5) / 0.5).clamp(0.0, 1.0), c)
                };
                w[i][j] = WEIGHTS[c] * v + if cross { WEIGHTS[f::CROSS_FIELD] } else { 0.0 };
                raw[i][j] = v;
                cat[i][j] = c as u8;
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
            ev.tokens += v;
            ev.info += raw[i][j];
            let s = &rec[j];
            let qt = &pq.toks[i];
            let cross = s.field != Field::Any && s.field != qt.field;
            if let Some(fs) = feats.as_deref_mut() {
                fs[cat[i][j] as usize] += raw[i][j];
                if cross {
                    fs[f::CROSS_FIELD] += 1.0;
                }
            }
            if let Some(ex) = ex.as_deref_mut() {
                let aspect = match (qt.field, s.field) {
                    (Field::Given, Field::Given) => Aspect::GivenName,
                    (Field::Surname, Field::Surname) => Aspect::Surname,
                    _ => Aspect::Name,
                };
                let cross = if cross { ", other field" } else { "" };
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
        let giv_conf = conflicts - sur_conf;
        let counts = [
            (f::CONFLICT_SURNAME, sur_conf),
            (f::CONFLICT_GIVEN, giv_conf),
            (f::EXTRA_TRAVELLER, uq - conflicts),
            (f::EXTRA_LISTED_GIVEN, ue - ue_sur - giv_conf),
            (f::EXTRA_LISTED_SURNAME, ue_sur - sur_conf),
        ];
        for (c, n) in counts {
            ev.penalty += WEIGHTS[c] * n as f64;
            if let Some(fs) = feats.as_deref_mut() {
                fs[c] += n as f64;
            }
        }
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
            ex.push(Aspect::Name, how, ev.penalty);
        }
        ev
    }
}

/// How a traveller's document number agrees with an entry's listed ones.
enum DocAgreement {
    Exact,
    Confusable,
    Clash,
}

/// The document term (nats) of `listed` numbers for the traveller's `d`,
/// and how they agree.
fn doc_agreement(listed: &[DocumentNumber], d: &DocumentNumber) -> (f64, DocAgreement) {
    if listed.contains(d) {
        (DOC_EXACT, DocAgreement::Exact)
    } else if listed.iter().any(|x| x.confusable_key() == d.confusable_key()) {
        (DOC_CONFUSABLE, DocAgreement::Confusable)
    } else {
        (DOC_CLASH, DocAgreement::Clash)
    }
}

/// The sex term: agreeing or not when both are known.
#[inline]
fn sex_term(q: Sex, e: Sex) -> Option<f64> {
    let known = |s: Sex| matches!(s, Sex::Male | Sex::Female);
    (known(q) && known(e)).then(|| if q == e { WEIGHTS[f::SEX_AGREE] } else { WEIGHTS[f::SEX_CLASH] })
}

/// The birth-date feature of a comparison; `parts` is the fewer parts
/// (year, month, day) of the two dates.
fn date_feature(m: DateMatch, parts: u8) -> Option<usize> {
    Some(match m {
        DateMatch::Missing => return None,
        DateMatch::Exact => f::DATE_EXACT,
        DateMatch::Consistent if parts >= 2 => f::DATE_CONSISTENT_YM,
        DateMatch::Consistent => f::DATE_CONSISTENT_Y,
        DateMatch::DayMonthSwapped => f::DATE_SWAPPED,
        DateMatch::YearTypo => f::DATE_YEAR_TYPO,
        DateMatch::DayOrMonthTypo => f::DATE_DAY_MONTH_TYPO,
        DateMatch::SameYearMonth => f::DATE_SAME_YEAR_MONTH,
        DateMatch::SameYear => f::DATE_SAME_YEAR,
        DateMatch::Close => f::DATE_CLOSE,
        DateMatch::Different => f::DATE_DIFFERENT,
    })
}

/// Whether a birth-date feature is a near (not equal, not clearly
/// different) agreement: the kind namesakes produce by chance.
fn is_near(feat: usize) -> bool {
    matches!(
        feat,
        f::DATE_CONSISTENT_YM
            | f::DATE_CONSISTENT_Y
            | f::DATE_SWAPPED
            | f::DATE_YEAR_TYPO
            | f::DATE_DAY_MONTH_TYPO
            | f::DATE_SAME_YEAR_MONTH
            | f::DATE_CLOSE
    )
}

fn date_parts(d: &BirthDate) -> u8 {
    1 + d.month.is_some() as u8 + d.day.is_some() as u8
}

/// The best agreement of a traveller's birth date with any of an entry's,
/// under the model: how they agree, the feature and its weight.
fn date_evidence(q: Option<&BirthDate>, entry: &[BirthDate]) -> (DateMatch, Option<usize>, f64) {
    let Some(q) = q else { return (DateMatch::Missing, None, 0.0) };
    let mut best = (DateMatch::Missing, None, f64::NEG_INFINITY);
    for e in entry {
        let m = dates::compare(q, e);
        let feat = date_feature(m, date_parts(q).min(date_parts(e)));
        let w = feat.map_or(0.0, |i| WEIGHTS[i]);
        if w > best.2 {
            best = (m, feat, w);
        }
    }
    if best.2 == f64::NEG_INFINITY { (DateMatch::Missing, None, 0.0) } else { best }
}

/// An upper bound of the weight of a comparison whatever the dates' parts.
fn date_weight_bound(m: DateMatch) -> f64 {
    match m {
        DateMatch::Consistent => WEIGHTS[f::DATE_CONSISTENT_YM].max(WEIGHTS[f::DATE_CONSISTENT_Y]),
        _ => date_feature(m, 3).map_or(0.0, |i| WEIGHTS[i]),
    }
}

fn join(v: &[CountryCode]) -> String {
    v.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("/")
}

/// The logistic function.
pub fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The log-odds of a probability threshold: −∞ for 0 (or less, or NaN),
/// +∞ for 1 or more.
fn log_odds(t: f64) -> f64 {
    if t.is_nan() || t <= 0.0 {
        f64::NEG_INFINITY
    } else if t >= 1.0 {
        f64::INFINITY
    } else {
        (t / (1.0 - t)).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date() -> impl Strategy<Value = BirthDate> {
        // Mostly calendar dates, some partial, some no calendar allows
        // (entries built by hand): month or day 0 or past 31, year 0.
        (0u16..2100, prop::option::of(0u8..40), prop::option::of(0u8..40)).prop_map(|(year, month, day)| BirthDate {
            year,
            month,
            day,
        })
    }

    fn country() -> impl Strategy<Value = CountryCode> {
        prop::sample::select(vec!["MEX", "GTM", "HND", "SLV", "DOM"]).prop_map(|c| CountryCode::parse(c).unwrap())
    }

    fn sex() -> impl Strategy<Value = Sex> {
        prop::sample::select(vec![Sex::Male, Sex::Female, Sex::Unspecified, Sex::Unknown])
    }

    fn doc() -> impl Strategy<Value = DocumentNumber> {
        "[A-Z0-9OIL]{1,4}".prop_map(|s| DocumentNumber::parse(&s).unwrap())
    }

    fn name() -> impl Strategy<Value = String> {
        let words = ["Ana", "María", "José", "Pérez", "Peres", "Hernández", "Ernandes", "de la Cruz", "Delacruz", "J"];
        prop::collection::vec(prop::sample::select(words.to_vec()), 0..4).prop_map(|w| w.join(" "))
    }

    fn entry() -> impl Strategy<Value = AlertEntry> {
        (
            (name(), name(), prop::collection::vec(name(), 0..2)),
            prop::collection::vec(date(), 0..3),
            prop::collection::vec(country(), 0..3),
            sex(),
            prop::collection::vec(doc(), 0..2),
        )
            .prop_map(
                |((given_names, surnames, aliases), birth_dates, nationalities, sex, document_numbers)| AlertEntry {
                    id: String::new(),
                    given_names,
                    surnames,
                    aliases,
                    birth_dates,
                    nationalities,
                    sex,
                    document_numbers,
                    ..Default::default()
                },
            )
    }

    fn query() -> impl Strategy<Value = Query> {
        (
            (name(), name()),
            prop::option::of(date()),
            prop::option::of(prop_oneof![country(), Just(CountryCode::parse("CRI").unwrap())]),
            sex(),
            prop::option::of(doc()),
        )
            .prop_map(|((given_names, surnames), birth_date, nationality, sex, document_number)| Query {
                given_names,
                surnames,
                birth_date,
                nationality,
                sex,
                document_number,
            })
    }

    fn bits(t: Terms) -> (u64, Option<u64>, Option<u64>, Option<u64>) {
        (t.date.to_bits(), t.nat.map(f64::to_bits), t.sex.map(f64::to_bits), t.doc.map(f64::to_bits))
    }

    proptest! {
        /// The compact records give every entry the terms its full record
        /// gives, to the bit, and a birth-date bound at least its date term.
        #[test]
        fn facts_give_the_entry_terms(entries in prop::collection::vec(entry(), 1..12), qs in prop::collection::vec(query(), 1..6)) {
            let s = Screener::build(entries);
            for q in &qs {
                let pq = s.prepare_query(q);
                for e in 0..s.len() as u32 {
                    let entry = &s.entries[s.orig[e as usize] as usize];
                    let want = s.entry_terms(&pq, q, entry);
                    prop_assert_eq!(bits(s.terms(&pq, q, e)), bits(want));
                    prop_assert!(s.date_bound(pq.date.as_ref(), e) >= want.date);
                }
            }
        }

        /// The bound a candidate is skipped by is at least its score, and
        /// the score is the one its explanation adds up to.
        #[test]
        fn the_candidate_bound_bounds_the_score(entries in prop::collection::vec(entry(), 1..12), qs in prop::collection::vec(query(), 1..6)) {
            let s = Screener::build(entries);
            let mut pairs = PairCache { query: 0, slots: Vec::new(), cat: Vec::new(), code: Vec::new() };
            for q in &qs {
                let pq = s.prepare_query(q);
                pairs.next_query();
                for e in 0..s.len() as u32 {
                    let terms = s.terms(&pq, q, e);
                    let bound = terms.add_to(s.name_logit_bound(e, terms.date_feat));
                    let (_, _, x) = s.name_raw(&pq, e, terms.date_feat, &mut pairs);
                    let logit = terms.add_to(x);
                    prop_assert!(bound >= logit, "bound {} < score {}", bound, logit);
                    let mut ex = Explanation::default();
                    prop_assert_eq!(s.explain_entry(&pq, q, e, &mut ex, &mut pairs).to_bits(), logit.to_bits());
                }
            }
        }
    }
}
