//! The in-memory index and the scorer.
//!
//! Build: every name token of every entry is folded, given a Spanish phonetic
//! code and interned; each entry is posted under the phonetic code of each of
//! its tokens, under each code with one letter deleted (symmetric-deletion
//! keys: one typo on either side still shares a key; a deletion that brings
//! two equal letters together writes them once, as a code does) and, for
//! long codes, under their first four letters. Keys held by a large share
//! of the list ("GARCIA", "MARIA" in a list of millions) get a bitset
//! instead of being walked for every query.
//!
//! Query: the posting lists of the query's keys add each key's information
//! (`ln 1/p`) to the entries they hold (a well-attested spelling is looked
//! up as written, without its typo keys; a typo key too crowded to walk
//! finds no entries but still adds to those the other keys found);
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
//! unaligned tokens cost (one side only, or a clash: both sides have one;
//! the listed first surname left out costs more than the second, which
//! short forms drop). When the first given name and first surname both
//! align, what their frequencies counted apart overstate against the pair
//! counted whole in the list costs too.
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

mod build;
mod name;
mod retrieval;
mod scratch;
mod terms;

use build::*;
use name::*;
use scratch::*;
use terms::*;

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
/// Typo-tolerant keys (one letter deleted, prefixes) holding more entries
/// than this among those the walk covers (see `candidates`) are not used.
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
    /// How many entries share internal entry `i`'s first given name and
    /// first surname (by phonetic code; 0 when its primary name lacks
    /// either): the whole name's frequency, see
    /// `Screener::whole_name_overstated`.
    pair_df: Vec<u32>,
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
        Some(f::DATE_YEAR_TYPO | f::DATE_YEAR_DIGIT) => WEIGHTS[f::YEAR_TYPO_EXCESS],
        Some(d) if is_near(d) => WEIGHTS[f::NEAR_DATE_EXCESS],
        _ => 0.0,
    }
}

impl Screener {
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

    /// The entries retrieval hands to the scorer for `q` under `opts`
    /// (input positions, as [`Hit::entry`]), before any is bounded or
    /// scored: a hit can only be one of these. For measuring retrieval
    /// (is the listed person among them?), not for screening.
    pub fn retrieved(&self, q: &Query, opts: &ScreenOptions) -> Vec<u32> {
        let pq = self.prepare_query(q);
        if pq.toks.is_empty() || self.entries.is_empty() {
            return Vec::new();
        }
        SCRATCH.with(|s| {
            let s = &mut s.borrow_mut();
            self.retrieve(&pq, q, opts, s);
            s.cand.iter().map(|&(_, e)| self.orig[e as usize]).collect()
        })
    }

    /// The score of the traveller `q` against the entry at input position
    /// `o`, whether or not retrieval would find it: what [`Screener::screen`]
    /// gives that entry when it is retrieved. For measuring retrieval (would
    /// a missed entry have been a hit?), not for screening.
    pub fn score(&self, q: &Query, o: u32) -> f64 {
        let pq = self.prepare_query(q);
        if pq.toks.is_empty() || o as usize >= self.entries.len() {
            return 0.0;
        }
        let mut pairs = PairCache { query: 0, slots: Vec::new(), cat: Vec::new(), code: Vec::new() };
        pairs.next_query();
        let mut ex = Explanation::default();
        sigmoid(self.explain_entry(&pq, q, self.internal(o), &mut ex, &mut pairs))
    }

    /// Retrieval: fills `s.cand` with the entries to score. Returns the
    /// least log-odds a hit can have.
    fn retrieve(&self, pq: &PreparedQuery, q: &Query, opts: &ScreenOptions, s: &mut Scratch) -> f64 {
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
        need
    }

    fn screen_prepared(&self, pq: &PreparedQuery, q: &Query, opts: &ScreenOptions, s: &mut Scratch) -> Vec<Hit> {
        let need = self.retrieve(pq, q, opts, s);
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

    /// Screens many travellers in parallel; results in query order.
    pub fn screen_many(&self, qs: &[Query], opts: &ScreenOptions) -> Vec<Vec<Hit>> {
        qs.par_iter().map(|q| self.screen(q, opts)).collect()
    }
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
mod tests;
