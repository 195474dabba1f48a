//! Identity resolution: which crossing records are the same person.
//!
//! 1. **Profiles.** Records that agree on every identifying value after
//!    normalisation (folded name tokens, birth date, sex, nationality,
//!    document) are one profile; a commuter's hundred crossings become a
//!    handful of profiles.
//! 2. **Blocking.** Each profile gets keys: its document (state and the
//!    confusable key of the number, so `O`/`0` slips meet), its birth date
//!    with day and month in either order joined to the phonetic codes of
//!    any two of its first two given names and first two surnames (in any
//!    field), and the phonetic codes of its first given name and first two
//!    surnames. Only profiles sharing a key are compared. The
//!    name-only keys give blocks that grow with the population (every
//!    JOSE GARCIA of ten years of records): in them only profiles without
//!    a full birth date meet the others, up to [`Params::max_name_block`]
//!    (and across the key without the second surname only those that
//!    have none).
//!    Profiles with full dates meet through the date keys, and through
//!    first given name and first surname with two of the three parts of
//!    the date (a slip in the year, month or day) — blocks of a few
//!    namesakes each, so the pair count grows linearly with the records.
//!    A document or date block above [`Params::max_block`] profiles (a
//!    common value) is compared by a sorted neighbourhood.
//! 3. **Scoring.** A sum of log-likelihood terms, like the screener's:
//!    name tokens (compared across the two fields, so swapped given names
//!    and a missing second surname cost little), birth date
//!    ([`centinela_names::dates`]: a day/month swap still counts), document
//!    (the same one, another of the same type, or documents of two states),
//!    sex, nationality, a second given name on one record only — and the
//!    name's frequency: a name thousands of people carry
//!    ([`Crossings::name_frequency`], the commoner of the two names) proves
//!    less, above all with a near birth date or none, since some of its
//!    carriers are bound to be born near each other. [`explain`] lists the
//!    terms; they add up to the score.
//! 4. **Clustering.** Links at or above [`Params::threshold`] are merged
//!    best first (union–find); a merge that would put two clearly different
//!    birth dates, or two different known sexes, in one person is refused,
//!    so one wrong link cannot chain two people together. Analysts'
//!    decisions ([`Override`]) come first: a merge is a link of infinite
//!    weight, a separation forbids a merge.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::time::Instant;

use centinela_domain::Sex;
use centinela_names::dates::{self, DateMatch};
use centinela_names::similarity::token_similarity;
use rayon::prelude::*;
use serde::Serialize;

use crate::Timings;
use crate::data::{Crossings, FastMap, NONE, Name};

/// Tuning of the resolver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Links scoring at least this (nats) are merged.
    pub threshold: f32,
    /// Blocks of a document or a birth date with a name holding more
    /// profiles than this are compared by a sorted neighbourhood, not
    /// pair by pair.
    pub max_block: usize,
    /// A profile without a full birth date meets every profile of its
    /// name-only blocks up to this size; larger ones (a very common name
    /// alone) are not used.
    pub max_name_block: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params { threshold: 9.0, max_block: 400, max_name_block: 1000 }
    }
}

/// An analyst's decision, applied before the automatic links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Override {
    /// These two crossings are the same person.
    Merge { a: String, b: String },
    /// These two crossings are not the same person (nor is anything linked
    /// to one of them linked to the other by the automatic resolver).
    Separate { a: String, b: String },
}

/// One term of a link's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// `surname`, `given name`, `birth date`, `document`, `sex`, `nationality`.
    pub aspect: &'static str,
    /// Log-likelihood ratio in nats.
    pub weight: f32,
    pub detail: String,
}

/// A link the resolver used to put two records in one person.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// Crossing indices (one representative record of each profile).
    pub a: u32,
    pub b: u32,
    /// Score in nats (`f32::INFINITY` for an analyst's merge).
    pub score: f32,
}

/// The resolved persons.
#[derive(Debug, Clone)]
pub struct Resolution {
    /// Person index of each crossing.
    pub person: Vec<u32>,
    /// Number of persons.
    pub persons: usize,
    /// The links that merged profiles, per person.
    pub links: Vec<Link>,
    /// Candidate pairs compared.
    pub compared: usize,
    /// Distinct profiles.
    pub profiles: usize,
    /// `profiles`, `blocking`, `scoring`, `clustering`.
    pub timings: Timings,
}

impl Resolution {
    /// The person id shown to analysts: `R` and seven digits, numbered in
    /// order of each person's first crossing in the input.
    pub fn person_id(&self, crossing: usize) -> String {
        person_label(self.person[crossing])
    }

    /// Crossing indices of every person.
    pub fn members(&self) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); self.persons];
        for (i, &p) in self.person.iter().enumerate() {
            out[p as usize].push(i as u32);
        }
        out
    }
}

/// `R0000001` for person 0.
pub fn person_label(p: u32) -> String {
    format!("R{:07}", p + 1)
}

/// What makes two records one profile: the folded name (an index into
/// the distinct token sequences), birth date, sex, nationality, document
/// and its type.
type ProfileKey = (u32, u32, u8, u32, u32, u32);

fn sex_byte(s: Sex) -> u8 {
    match s {
        Sex::Male => 1,
        Sex::Female => 2,
        Sex::Unspecified => 3,
        _ => 0,
    }
}

/// Groups records into profiles: returns the profile of each record and
/// one representative record per profile.
/// Crossings named by an analyst's decision (`pinned`) are profiles of
/// their own, so that a decision can split two identical records.
fn profiles(c: &Crossings, pinned: &std::collections::HashSet<usize>) -> (Vec<u32>, Vec<u32>) {
    // Raw spellings that fold to the same tokens are one name here.
    let mut folded: FastMap<(&[u32], &[u32]), u32> = FastMap::default();
    let canon: Vec<u32> = c
        .names
        .iter()
        .map(|n| {
            let next = folded.len() as u32;
            *folded.entry((&n.given[..], &n.surnames[..])).or_insert(next)
        })
        .collect();
    drop(folded);
    let mut index: FastMap<ProfileKey, u32> = FastMap::default();
    let mut of = Vec::with_capacity(c.len());
    let mut rep = Vec::new();
    for i in 0..c.len() {
        if !pinned.is_empty() && pinned.contains(&i) {
            of.push(rep.len() as u32);
            rep.push(i as u32);
            continue;
        }
        let key = (
            canon[c.name[i] as usize],
            c.birth[i],
            sex_byte(c.sex[i]),
            c.nationality[i],
            c.document[i],
            c.document_type[i],
        );
        let next = rep.len() as u32;
        let p = *index.entry(key).or_insert_with(|| {
            rep.push(i as u32);
            next
        });
        of.push(p);
    }
    (of, rep)
}

fn h(parts: &[u64], bytes: &[&[u8]]) -> u64 {
    let mut s = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut s);
    bytes.hash(&mut s);
    s.finish()
}

/// The low bit of a blocking key: a key every pair of whose profiles is
/// compared ([`EXACT`]: document, birth date with a name token), or a
/// name-only key ([`NAME`]), whose blocks grow with the population.
const EXACT: u64 = 0;
const NAME: u64 = 1;
/// A name-only key without the second surname (the low two bits).
const NAME_SHORT: u64 = 3;

/// The blocking keys of a record.
fn keys(c: &Crossings, i: usize, out: &mut Vec<u64>) {
    out.clear();
    let exact = |k: u64| (k & !3) | EXACT;
    let name = |k: u64| (k & !3) | NAME;
    if c.document[i] != NONE {
        out.push(exact(h(&[1, u64::from(c.document[i])], &[])));
    }
    let n = &c.names[c.name[i] as usize];
    let code = |t: u32| -> &[u8] { &c.token(t).code };
    let birth = dates::unpack(c.birth[i]);
    if let Some(b) = birth {
        let (m, d) = (b.month.unwrap_or(0), b.day.unwrap_or(0));
        let (lo, hi) = (m.min(d), m.max(d));
        let bn = (u64::from(b.year) << 16) | (u64::from(lo) << 8) | u64::from(hi);
        // Two of the first two given names and first two surnames, in any
        // field and order (swapped fields, a dropped or mistyped token
        // still meet); a one-token name by its token.
        let ts: Vec<&[u8]> = n.given.iter().take(2).chain(n.surnames.iter().take(2)).map(|&t| code(t)).collect();
        if ts.len() == 1 {
            out.push(exact(h(&[2, bn], &[ts[0]])));
        }
        for (x, a) in ts.iter().enumerate() {
            for b in &ts[x + 1..] {
                out.push(exact(h(&[7, bn], &[a.min(b), a.max(b)])));
            }
        }
    }
    if let (Some(&g), Some(&s)) = (n.given.first(), n.surnames.first()) {
        let s2: &[u8] = n.surnames.get(1).map_or(&[], |&t| code(t));
        match birth {
            Some(b) if b.is_full() => {
                // A slip in one part of the date: first given name and first
                // surname with the two other parts (day and month in either
                // order). Blocks hold the namesakes born that day of any
                // year, that month or that day of one year: a few each.
                let (y, m, d) = (u64::from(b.year), u64::from(b.month.unwrap_or(0)), u64::from(b.day.unwrap_or(0)));
                let (g, s) = (code(g), code(s));
                out.push(exact(h(&[5, m.min(d), m.max(d)], &[g, s])));
                out.push(exact(h(&[6, y, m], &[g, s])));
                out.push(exact(h(&[6, y, d], &[g, s])));
            }
            _ => {}
        }
        // Name alone: the blocks of common names grow with the population;
        // only the profiles without a full date are compared across them.
        out.push(name(h(&[3], &[code(g), code(s), s2])));
        // With the second surname dropped the two-surname key cannot meet:
        // a key on first given name and first surname alone too, which
        // only profiles without a second surname look across.
        out.push((h(&[4], &[code(g), code(s)]) & !3) | NAME_SHORT);
    }
    out.sort_unstable();
    out.dedup();
}

/// A packed birth date with year, month and day.
fn full_date(b: u32) -> bool {
    b != 0 && b & 0x1F != 0 && (b >> 5) & 0x1F != 0
}

/// The pairs of one name-only block (profiles `m`): each profile without
/// a full birth date against every other, in blocks of up to
/// `max_name_block` profiles. Two profiles with full dates met already on
/// the date keys (same date, or a slip in one part of it); elsewhere a
/// common name alone is no reason to compare them.
fn name_block_pairs(
    c: &Crossings,
    rep: &[u32],
    m: &[u32],
    short: bool,
    max_name_block: usize,
    acc: &mut Vec<(u32, u32)>,
) {
    if m.len() > max_name_block {
        return;
    }
    let one_surname = |p: u32| c.names[c.name[rep[p as usize] as usize] as usize].surnames.len() < 2;
    for &p in m {
        if !full_date(c.birth[rep[p as usize] as usize]) && (!short || one_surname(p)) {
            for &q in m {
                if p != q {
                    acc.push((p.min(q), p.max(q)));
                }
            }
        }
    }
}

/// The pairs of a document or date block larger than [`Params::max_block`]
/// (a lent passport, a popular birthday among namesakes): a sorted
/// neighbourhood instead of every pair — the block in order of first
/// surname, first given name and birth date, each profile against the
/// next [`WINDOW`].
fn large_block_pairs(c: &Crossings, rep: &[u32], m: &[u32], acc: &mut Vec<(u32, u32)>) {
    let text = |p: u32, surname: bool| -> &[u8] {
        let n = &c.names[c.name[rep[p as usize] as usize] as usize];
        let t = if surname { n.surnames.first() } else { n.given.first() };
        t.map_or(&[], |&t| &c.token(t).text)
    };
    let mut order = m.to_vec();
    order.sort_unstable_by(|&a, &b| {
        (text(a, true), text(a, false), c.birth[rep[a as usize] as usize], a).cmp(&(
            text(b, true),
            text(b, false),
            c.birth[rep[b as usize] as usize],
            b,
        ))
    });
    for (x, &p) in order.iter().enumerate() {
        for &q in order.iter().skip(x + 1).take(WINDOW) {
            acc.push((p.min(q), p.max(q)));
        }
    }
}

/// Profiles ahead that a sorted neighbourhood compares with.
const WINDOW: usize = 8;

/// Candidate profile pairs `(a, b)`, `a < b`, sorted and distinct.
fn candidates(c: &Crossings, rep: &[u32], params: &Params) -> Vec<(u32, u32)> {
    let mut kv: Vec<(u64, u32)> = rep
        .par_iter()
        .enumerate()
        .fold(Vec::new, |mut acc, (p, &i)| {
            let mut ks = Vec::new();
            keys(c, i as usize, &mut ks);
            acc.extend(ks.into_iter().map(|k| (k, p as u32)));
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    kv.par_sort_unstable();
    let mut runs = Vec::new();
    let mut s = 0;
    while s < kv.len() {
        let mut e = s + 1;
        while e < kv.len() && kv[e].0 == kv[s].0 {
            e += 1;
        }
        if e - s >= 2 {
            runs.push((s, e));
        }
        s = e;
    }
    let mut pairs: Vec<(u32, u32)> = runs
        .par_iter()
        .fold(Vec::new, |mut acc, &(s, e)| {
            let m = || kv[s..e].iter().map(|x| x.1).collect::<Vec<u32>>();
            if kv[s].0 & 1 == NAME {
                name_block_pairs(c, rep, &m(), kv[s].0 & 3 == NAME_SHORT, params.max_name_block, &mut acc);
            } else if e - s > params.max_block {
                large_block_pairs(c, rep, &m(), &mut acc);
            } else {
                for x in s..e {
                    for y in x + 1..e {
                        let (a, b) = (kv[x].1, kv[y].1);
                        acc.push((a.min(b), a.max(b)));
                    }
                }
            }
            acc
        })
        .reduce(Vec::new, |mut a, mut b| {
            a.append(&mut b);
            a
        });
    drop(kv);
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Score contribution of one aligned token pair of similarity `s`.
fn tok(s: f32, agree: f32, clash: f32) -> f32 {
    if s >= 0.7 { agree * (2.0 * s - 1.0) } else { clash }
}

const W_SURNAME1: f32 = 4.5;
const W_SURNAME2: f32 = 3.5;
const W_GIVEN1: f32 = 3.5;
const W_GIVEN2: f32 = 2.0;
const CLASH_SURNAME1: f32 = -7.0;
const CLASH_SURNAME2: f32 = -4.0;
const CLASH_GIVEN1: f32 = -6.0;
const CLASH_GIVEN2: f32 = -3.0;
const FIELDS_SWAPPED: f32 = -1.0;
const W_DOCUMENT: f32 = 7.0;
const OTHER_DOCUMENT: f32 = -2.0;
const CLASH_SEX: f32 = -5.0;
const CLASH_NATIONALITY: f32 = -4.0;
/// Documents issued by two states (the nationalities not known to
/// differ): the person would hold two nationalities, as rare as two
/// declared nationalities ([`CLASH_NATIONALITY`]), and not added to it.
const CLASH_STATE: f32 = CLASH_NATIONALITY;
/// A second given name on one record and none on the other: records of
/// one person drop a given name now and then (a document with room for
/// one, an officer typing the first); namesakes differ in it far more
/// often. `ln(m/u)` with m = 0.168 (links between records of one person,
/// seeds 1–4) and u = 0.61 (links between two people, the same sets).
const GIVEN_ONE_SIDE: f32 = -1.3;
/// The name-frequency term ([`name_frequency_term`]): people carrying a
/// name below which it costs nothing, and the cost per nat above it with
/// equal birth dates and with any other. Chosen on four stacked synthetic
/// countries (seeds 1–4, 1.09 M crossings) and checked on four others
/// (seeds 5–8); see BENCHMARKS.md, "Intelligence".
const NAME_FREQ_N0: f32 = 5.0;
const NAME_FREQ_EXACT: f32 = 1.0;
const NAME_FREQ_NEAR: f32 = 3.0;

/// Token similarities already computed (key: the two token ids, smaller
/// first), for one worker of the resolver: the same pairs of spellings
/// come back in many candidate pairs.
type Memo = FastMap<u64, f32>;
/// Entries after which a memo starts afresh (bounded memory).
const MEMO_MAX: usize = 1 << 20;

/// Where the terms of a score go (for [`explain`]), and the worker's memo.
struct Sink<'a> {
    out: Option<&'a mut Vec<Evidence>>,
    memo: Option<&'a mut Memo>,
}

impl Sink<'_> {
    fn quiet() -> Sink<'static> {
        Sink { out: None, memo: None }
    }

    fn add(&mut self, aspect: &'static str, weight: f32, detail: impl FnOnce() -> String) -> f32 {
        if let Some(v) = self.out.as_deref_mut() {
            v.push(Evidence { aspect, weight, detail: detail() });
        }
        weight
    }
}

fn sim(c: &Crossings, a: u32, b: u32, memo: &mut Option<&mut Memo>) -> f32 {
    if a == b {
        return 1.0;
    }
    let compute = || {
        let (ta, tb) = (c.token(a), c.token(b));
        token_similarity(&ta.text, &ta.code, &tb.text, &tb.code).0
    };
    let Some(m) = memo.as_deref_mut() else { return compute() };
    let key = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
    if let Some(&v) = m.get(&key) {
        return v;
    }
    if m.len() >= MEMO_MAX {
        m.clear();
    }
    let v = compute();
    m.insert(key, v);
    v
}

/// Best similarity of token `t` with any of `others`, and which.
fn best(c: &Crossings, t: u32, others: &[u32], memo: &mut Option<&mut Memo>) -> (f32, u32) {
    let mut out = (0.0, t);
    for &o in others {
        let s = sim(c, t, o, memo);
        if s > out.0 {
            out = (s, o);
        }
    }
    out
}

/// Compares two names field by field; with `bag` (fields swapped, where
/// the order within a field is unreliable too) surnames are matched in any
/// order, as given names always are.
fn fields(c: &Crossings, ga: &[u32], sa: &[u32], gb: &[u32], sb: &[u32], bag: bool, sink: &mut Sink) -> f32 {
    let mut total = 0.0;
    let txt = |t: u32| c.token_text(t).to_string();
    if let (Some(&a0), Some(&b0)) = (sa.first(), sb.first()) {
        let (s1, b0) = if bag { best(c, a0, sb, &mut sink.memo) } else { (sim(c, a0, b0, &mut sink.memo), b0) };
        total += sink.add("surname", tok(s1, W_SURNAME1, CLASH_SURNAME1), || {
            format!("first surnames {} / {} ({s1:.2})", txt(a0), txt(b0))
        });
        if let (Some(&a1), Some(&b1)) = (sa.get(1), sb.get(1)) {
            let (s2, b1) = if bag { best(c, a1, sb, &mut sink.memo) } else { (sim(c, a1, b1, &mut sink.memo), b1) };
            total += sink.add("surname", tok(s2, W_SURNAME2, CLASH_SURNAME2), || {
                format!("second surnames {} / {} ({s2:.2})", txt(a1), txt(b1))
            });
        }
    }
    if let (Some(&a0), Some(&b0)) = (ga.first(), gb.first()) {
        let (fa, ma) = best(c, a0, gb, &mut sink.memo);
        let (fb, mb) = best(c, b0, ga, &mut sink.memo);
        let (g1, x, y) = if fa >= fb { (fa, a0, ma) } else { (fb, mb, b0) };
        total += sink.add("given name", tok(g1, W_GIVEN1, CLASH_GIVEN1), || {
            format!("given names {} / {} ({g1:.2})", txt(x), txt(y))
        });
        if let (Some(&a1), Some(&b1)) = (ga.get(1), gb.get(1)) {
            let (sa1, _) = best(c, a1, gb, &mut sink.memo);
            let (sb1, _) = best(c, b1, ga, &mut sink.memo);
            let g2 = sa1.min(sb1);
            total += sink.add("given name", tok(g2, W_GIVEN2, CLASH_GIVEN2), || {
                format!("second given names {} / {} ({g2:.2})", txt(a1), txt(b1))
            });
        } else if ga.len() != gb.len() {
            total += sink.add("given name", GIVEN_ONE_SIDE, || {
                let all = |v: &[u32]| v.iter().map(|&t| c.token_text(t)).collect::<Vec<_>>().join(" ");
                format!("given names {} / {}: a given name on one record only", all(ga), all(gb))
            });
        }
    }
    total
}

fn names_llr(c: &Crossings, a: &Name, b: &Name, sink: &mut Sink) -> f32 {
    let mut quiet = Sink { out: None, memo: sink.memo.as_deref_mut() };
    let direct = fields(c, &a.given, &a.surnames, &b.given, &b.surnames, false, &mut quiet);
    let swapped = fields(c, &a.given, &a.surnames, &b.surnames, &b.given, true, &mut quiet) + FIELDS_SWAPPED;
    if sink.out.is_none() {
        return direct.max(swapped);
    }
    if direct >= swapped {
        fields(c, &a.given, &a.surnames, &b.given, &b.surnames, false, sink)
    } else {
        sink.add("name", FIELDS_SWAPPED, || "given names and surnames written in each other's field".into())
            + fields(c, &a.given, &a.surnames, &b.surnames, &b.given, true, sink)
    }
}

fn score_with(c: &Crossings, i: usize, j: usize, exact: bool, sink: &mut Sink) -> f32 {
    let mut total = 0.0;
    if let (Some(a), Some(b)) = (dates::unpack(c.birth[i]), dates::unpack(c.birth[j])) {
        let m = dates::compare(&a, &b);
        let parts = |d: &centinela_domain::BirthDate| 1 + d.month.is_some() as u8 + d.day.is_some() as u8;
        let w = birth_weight(m, parts(&a).min(parts(&b)));
        total += sink.add("birth date", w, || format!("{a} / {b}: {}", m.as_str()));
    }
    let (da, db) = (c.document[i], c.document[j]);
    if da != NONE && db != NONE {
        if da == db {
            total += sink.add("document", W_DOCUMENT, || format!("same document {}", c.strings.get(da)));
        } else if c.document_type[i] == c.document_type[j] && same_state(c, da, db) {
            total += sink.add("document", OTHER_DOCUMENT, || {
                format!("another document of the same type: {} / {}", c.strings.get(da), c.strings.get(db))
            });
        }
    }
    let (xa, xb) = (sex_byte(c.sex[i]), sex_byte(c.sex[j]));
    if xa != 0 && xb != 0 && xa != xb {
        total += sink.add("sex", CLASH_SEX, || format!("{} / {}", c.sex[i].as_str(), c.sex[j].as_str()));
    }
    let (na, nb) = (c.nationality[i], c.nationality[j]);
    if na != NONE && nb != NONE && na != nb {
        total +=
            sink.add("nationality", CLASH_NATIONALITY, || format!("{} / {}", c.strings.get(na), c.strings.get(nb)));
    } else if da != NONE && db != NONE && two_states(c, da, db) {
        // One event with the nationality clash (a dual national shows the
        // other state's document and declares that nationality): counted
        // once, whichever the records show.
        total += sink.add("document", CLASH_STATE, || {
            format!("documents of two states: {} / {}", c.strings.get(da), c.strings.get(db))
        });
    }
    let (a, b) = (&c.names[c.name[i] as usize], &c.names[c.name[j] as usize]);
    if !exact && total + NAME_MAX < FAST_FLOOR {
        // Names cannot lift the pair to any line in use: an upper bound.
        return total + NAME_MAX;
    }
    let name = names_llr(c, a, b, sink);
    total + name + name_frequency_term(c, i, j, name, sink)
}

/// How much less a name proves when many people carry it: `−β·ln(n / N0)`
/// (nats, never positive), `n` the people carrying the commoner of the two
/// names ([`Crossings::name_frequency`]), for pairs whose names agree
/// (`name` > 0) and no shared document (which names one person whatever
/// the name). β is [`NAME_FREQ_EXACT`] when the birth dates are equal
/// (namesakes then coincide on the day as well) and [`NAME_FREQ_NEAR`]
/// otherwise: a near date or none proves little for a name thousands of
/// people share, since some of them are bound to be born near each
/// other. The count is the commoner of the two names': a mistyped or
/// shortened common name still agrees with all who carry it.
fn name_frequency_term(c: &Crossings, i: usize, j: usize, name: f32, sink: &mut Sink) -> f32 {
    if name <= 0.0 || (c.document[i] != NONE && c.document[i] == c.document[j]) {
        return 0.0;
    }
    // The commoner of the two: a dropped second surname or a mistyped
    // common name agrees with everyone who carries that common name.
    let n = c.name_frequency(i).max(c.name_frequency(j));
    let excess = (n as f32 / NAME_FREQ_N0).ln();
    if excess <= 0.0 {
        return 0.0;
    }
    let exact = c.birth[i] != 0 && c.birth[i] == c.birth[j];
    let beta = if exact { NAME_FREQ_EXACT } else { NAME_FREQ_NEAR };
    sink.add("name", -beta * excess, || format!("a name {n} people carry"))
}

/// The most the name terms can add.
const NAME_MAX: f32 = W_SURNAME1 + W_SURNAME2 + W_GIVEN1 + W_GIVEN2;
/// Below this no line in use (link threshold, [`HEAD_FLOOR`]) matters.
const FAST_FLOOR: f32 = 0.0;

/// [`score`], or an upper bound of it when that bound is below
/// [`FAST_FLOOR`] (for the resolver's hot loop).
fn score_fast(c: &Crossings, i: usize, j: usize, memo: Option<&mut Memo>) -> f32 {
    score_with(c, i, j, false, &mut Sink { out: None, memo })
}

/// Birth-date evidence for linking records of a whole population. The
/// screener's weights ([`DateMatch::weight`]) answer "is this traveller
/// that listed person?"; across a year of records far more pairs share a
/// name by chance, so near misses count for little here, and a day and
/// month swapped (a common keying slip) stays strong.
fn birth_weight(m: DateMatch, parts: u8) -> f32 {
    match m {
        DateMatch::YearTypo => 2.0,
        DateMatch::DayOrMonthTypo => 1.5,
        DateMatch::SameYearMonth => -2.0,
        other => other.weight(parts) as f32,
    }
}

/// Two documents issued by two known states.
fn two_states(c: &Crossings, a: u32, b: u32) -> bool {
    let st = |x: u32| c.strings.get(x).split(':').next().unwrap_or("");
    let (x, y) = (st(a), st(b));
    !x.is_empty() && !y.is_empty() && x != y
}

fn same_state(c: &Crossings, a: u32, b: u32) -> bool {
    let st = |x: u32| c.strings.get(x).split(':').next().unwrap_or("");
    st(a) == st(b)
}

/// Score (nats) that crossings `i` and `j` are the same person.
pub fn score(c: &Crossings, i: usize, j: usize) -> f32 {
    score_with(c, i, j, true, &mut Sink::quiet())
}

/// The terms of [`score`]; their weights add up to it.
pub fn explain(c: &Crossings, i: usize, j: usize) -> Vec<Evidence> {
    let mut v = Vec::new();
    score_with(c, i, j, true, &mut Sink { out: Some(&mut v), memo: None });
    v
}

struct Clusters {
    parent: Vec<u32>,
    /// Distinct full birth dates (packed) and known sexes of each root.
    births: Vec<Vec<u32>>,
    sexes: Vec<u8>,
    /// Profiles a root must never be merged with.
    apart: Vec<Vec<u32>>,
    /// Up to [`HEADS`] member profiles of each root: a merge needs one
    /// pair of heads that does not contradict ([`HEAD_FLOOR`]).
    heads: Vec<Vec<u32>>,
}

const HEADS: usize = 3;
const HEAD_FLOOR: f32 = 0.0;

impl Clusters {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn heads_disagree(&self, c: &Crossings, rep: &[u32], ra: u32, rb: u32) -> bool {
        let (ha, hb) = (&self.heads[ra as usize], &self.heads[rb as usize]);
        if ha.len() == 1 && hb.len() == 1 {
            return false; // the link itself is that pair
        }
        !ha.iter().any(|&x| {
            hb.iter().any(|&y| score_fast(c, rep[x as usize] as usize, rep[y as usize] as usize, None) >= HEAD_FLOOR)
        })
    }

    fn conflict(&mut self, ra: u32, rb: u32) -> bool {
        let (sa, sb) = (self.sexes[ra as usize], self.sexes[rb as usize]);
        if sa != 0 && sb != 0 && sa != sb {
            return true;
        }
        let (ba, bb) = (&self.births[ra as usize], &self.births[rb as usize]);
        if !ba.is_empty() && !bb.is_empty() {
            let any_ok = ba.iter().any(|&x| {
                bb.iter().any(|&y| match (dates::unpack(x), dates::unpack(y)) {
                    (Some(p), Some(q)) => !matches!(dates::compare(&p, &q), DateMatch::Different | DateMatch::SameYear),
                    _ => true,
                })
            });
            if !any_ok {
                return true;
            }
        }
        let apart_a = self.apart[ra as usize].clone();
        for x in apart_a {
            if self.find(x) == rb {
                return true;
            }
        }
        false
    }

    fn union(&mut self, ra: u32, rb: u32) {
        let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[gone as usize] = keep;
        let b = std::mem::take(&mut self.births[gone as usize]);
        for x in b {
            if !self.births[keep as usize].contains(&x) && self.births[keep as usize].len() < 6 {
                self.births[keep as usize].push(x);
            }
        }
        if self.sexes[keep as usize] == 0 {
            self.sexes[keep as usize] = self.sexes[gone as usize];
        }
        let ap = std::mem::take(&mut self.apart[gone as usize]);
        self.apart[keep as usize].extend(ap);
        let h = std::mem::take(&mut self.heads[gone as usize]);
        for x in h {
            if self.heads[keep as usize].len() < HEADS {
                self.heads[keep as usize].push(x);
            }
        }
    }
}

/// Resolves every crossing to a person.
pub fn resolve(c: &Crossings, params: &Params, overrides: &[Override]) -> Resolution {
    let mut timings = Timings::default();
    let mut t = Instant::now();
    let index: HashMap<&str, usize> =
        if overrides.is_empty() { HashMap::new() } else { c.ids.iter().enumerate().map(|(i, s)| (&**s, i)).collect() };
    let pinned: std::collections::HashSet<usize> = overrides
        .iter()
        .flat_map(|o| match o {
            Override::Merge { a, b } | Override::Separate { a, b } => [a, b],
        })
        .filter_map(|id| index.get(id.as_str()).copied())
        .collect();
    let (of, rep) = profiles(c, &pinned);
    timings.lap("profiles", &mut t);
    let pairs = candidates(c, &rep, params);
    timings.lap("blocking", &mut t);
    let compared = pairs.len();
    let mut links: Vec<(u32, u32, f32)> = pairs
        .par_iter()
        .map_init(Memo::default, |memo, &(a, b)| {
            let s = score_fast(c, rep[a as usize] as usize, rep[b as usize] as usize, Some(memo));
            (s >= params.threshold).then_some((a, b, s))
        })
        .flatten()
        .collect();
    drop(pairs);
    timings.lap("scoring", &mut t);
    let n = rep.len();
    let mut cl = Clusters {
        parent: (0..n as u32).collect(),
        births: rep
            .iter()
            .map(|&i| {
                let b = c.birth[i as usize];
                match dates::unpack(b) {
                    Some(d) if d.is_full() => vec![b],
                    _ => Vec::new(),
                }
            })
            .collect(),
        // `Other` never conflicts.
        sexes: rep
            .iter()
            .map(|&i| match sex_byte(c.sex[i as usize]) {
                3 => 0,
                s => s,
            })
            .collect(),
        apart: vec![Vec::new(); n],
        heads: (0..n as u32).map(|p| vec![p]).collect(),
    };
    let mut merged = Vec::new();
    for o in overrides {
        if let Override::Separate { a, b } = o
            && let (Some(&x), Some(&y)) = (index.get(a.as_str()), index.get(b.as_str()))
        {
            let (px, py) = (of[x], of[y]);
            cl.apart[px as usize].push(py);
            cl.apart[py as usize].push(px);
        }
    }
    for o in overrides {
        if let Override::Merge { a, b } = o
            && let (Some(&x), Some(&y)) = (index.get(a.as_str()), index.get(b.as_str()))
        {
            let (ra, rb) = (cl.find(of[x]), cl.find(of[y]));
            if ra != rb {
                cl.union(ra, rb);
                merged.push(Link { a: x as u32, b: y as u32, score: f32::INFINITY });
            }
        }
    }
    links.par_sort_unstable_by(|x, y| y.2.total_cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    for (a, b, s) in links {
        let (ra, rb) = (cl.find(a), cl.find(b));
        if ra == rb || cl.conflict(ra, rb) || cl.conflict(rb, ra) || cl.heads_disagree(c, &rep, ra, rb) {
            continue;
        }
        cl.union(ra, rb);
        merged.push(Link { a: rep[a as usize], b: rep[b as usize], score: s });
    }
    // Number persons in order of their first crossing.
    let mut label = vec![u32::MAX; n];
    let mut next = 0u32;
    let mut person = Vec::with_capacity(c.len());
    for &p in &of {
        let r = cl.find(p) as usize;
        if label[r] == u32::MAX {
            label[r] = next;
            next += 1;
        }
        person.push(label[r]);
    }
    timings.lap("clustering", &mut t);
    Resolution { person, persons: next as usize, links: merged, compared, profiles: n, timings }
}

#[cfg(test)]
mod tests {
    use super::*;
    use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Timestamp};

    fn rec(id: &str, given: &str, surnames: &str, birth: &str, doc: &str, doc_type: &str) -> CrossingRecord {
        CrossingRecord {
            given_names: given.into(),
            surnames: surnames.into(),
            birth_date: BirthDate::parse_opt(birth).unwrap(),
            nationality: CountryCode::parse("GTM").ok(),
            sex: Sex::Male,
            document_type: doc_type.into(),
            document_number: DocumentNumber::parse(doc).ok(),
            issuing_state: CountryCode::parse("GTM").ok(),
            ..CrossingRecord::new(
                id,
                "GTM-TECUNUMAN",
                Direction::Entry,
                Timestamp::parse("2025-03-01T10:00:00Z").unwrap(),
            )
        }
    }

    #[test]
    fn record_noise_resolves_to_one_person() {
        let recs = vec![
            rec("1", "José Luis", "Hernández Villalobos", "1980-05-17", "2345678901234", "ID"),
            rec("2", "JOSE LUIS", "HERNANDEZ VILLALOBOS", "1980-05-17", "A1234567", "P"),
            rec("3", "Luis José", "Hernandez", "1980-05-17", "2345678901234", "ID"),
            rec("4", "Jose Luis", "Hernandes Villalobos", "1980-17-05".replace("17-05", "05-17").as_str(), "", ""),
            rec("5", "José Luis", "Hernández Villalobos", "", "A1234567", "P"),
            rec("6", "JOSE LUIS", "HERNANDEZ VILLALOBOS", "1980-05-17", "A123456I", "P"),
            // Another man with the same name, born another day.
            rec("7", "José Luis", "Hernández Villalobos", "1991-02-03", "9999999999999", "ID"),
            // An impostor on the first one's passport.
            rec("8", "Mario", "Coj Tzul", "1983-01-09", "A1234567", "P"),
        ];
        let c = Crossings::build(&recs);
        let r = resolve(&c, &Params::default(), &[]);
        let p = &r.person;
        for i in 1..6 {
            assert_eq!(p[i], p[0], "record {} {:?}", i + 1, explain(&c, 0, i));
        }
        assert_ne!(p[6], p[0]);
        assert_ne!(p[7], p[0]);
        assert_eq!(r.persons, 3);
        let total: f32 = explain(&c, 0, 1).iter().map(|e| e.weight).sum();
        assert!((total - score(&c, 0, 1)).abs() < 1e-4);
    }

    #[test]
    fn a_name_thousands_carry_proves_less_than_a_rare_one() {
        let mut recs = namesakes(1500);
        // N0 (1940-01-01) with the year mistyped, and a rare name likewise.
        recs.push(rec("year", "José", "García López", "1950-01-01", "", ""));
        recs.push(rec("r1", "Xochiquetzal", "Tzoc Cumez", "1940-01-01", "", ""));
        recs.push(rec("r2", "Xochiquetzal", "Tzoc Cumez", "1950-01-01", "", ""));
        let c = Crossings::build(&recs);
        assert_eq!(c.name_frequency(0), 1501);
        assert_eq!(c.name_frequency(1501), 2);
        let (common, rare) = (score(&c, 0, 1500), score(&c, 1501, 1502));
        let line = Params::default().threshold;
        assert!(rare >= line, "{rare} {:?}", explain(&c, 1501, 1502));
        assert!(common < line, "{common} {:?}", explain(&c, 0, 1500));
        let terms = explain(&c, 0, 1500);
        assert!(terms.iter().any(|e| e.aspect == "name" && e.weight < 0.0), "{terms:?}");
        let total: f32 = terms.iter().map(|e| e.weight).sum();
        assert!((total - common).abs() < 1e-4);
        assert!(!explain(&c, 1501, 1502).iter().any(|e| e.aspect == "name"));
    }

    #[test]
    fn a_shortened_common_name_proves_as_little_as_the_common_name() {
        let mut recs = namesakes(1500);
        // N0 (José García López, 1940-01-01) with the year mistyped and
        // the second surname dropped: its spelling is rare (one record),
        // the name it agrees on is carried by 1,500 people.
        recs.push(rec("short", "José", "García", "1950-01-01", "", ""));
        let c = Crossings::build(&recs);
        assert_eq!(c.name_frequency(1500), 1);
        let terms = explain(&c, 0, 1500);
        assert!(terms.iter().any(|e| e.aspect == "name" && e.detail.contains("1500 people")), "{terms:?}");
        assert!(score(&c, 0, 1500) < Params::default().threshold, "{terms:?}");
    }

    #[test]
    fn documents_of_two_states_and_a_lone_given_name_count_against() {
        let mut recs = vec![
            rec("1", "Rigoberto Juan", "López Pérez", "1988-12-15", "2345678901234", "ID"),
            rec("2", "Juan", "López Pérez", "1988-12-15", "A7654321", "P"),
        ];
        recs[1].issuing_state = CountryCode::parse("HND").ok();
        let c = Crossings::build(&recs);
        let terms = explain(&c, 0, 1);
        let find = |aspect: &str, what: &str| {
            terms.iter().find(|e| e.aspect == aspect && e.detail.contains(what)).map(|e| e.weight)
        };
        assert_eq!(find("document", "two states"), Some(CLASH_STATE), "{terms:?}");
        assert_eq!(
            find("given name", "RIGOBERTO JUAN / JUAN: a given name on one record only"),
            Some(GIVEN_ONE_SIDE),
            "{terms:?}"
        );
        let total: f32 = terms.iter().map(|e| e.weight).sum();
        assert!((total - score(&c, 0, 1)).abs() < 1e-4);
        // Declared nationalities that differ too are the same event: one term.
        recs[1].nationality = CountryCode::parse("HND").ok();
        let c = Crossings::build(&recs);
        let terms = explain(&c, 0, 1);
        assert!(terms.iter().any(|e| e.aspect == "nationality"), "{terms:?}");
        assert!(!terms.iter().any(|e| e.detail.contains("two states")), "{terms:?}");
        // A document without its issuing state proves nothing either way.
        recs[1].nationality = CountryCode::parse("GTM").ok();
        recs[1].issuing_state = None;
        let c = Crossings::build(&recs);
        assert!(!explain(&c, 0, 1).iter().any(|e| e.detail.contains("two states")));
    }

    /// `n` (at most 1,680) namesakes born on distinct days, a few on each
    /// day of the year: `k` → year 1940 + k % 60, day (7919 k) % 336 of a
    /// year of 28-day months.
    fn namesakes(n: usize) -> Vec<CrossingRecord> {
        (0..n)
            .map(|k| {
                let day = (k * 7919) % 336;
                let b = format!("{}-{:02}-{:02}", 1940 + k % 60, 1 + day / 28, 1 + day % 28);
                rec(&format!("N{k}"), "José", "García López", &b, "", "")
            })
            .collect()
    }

    fn pairs_of(recs: &[CrossingRecord]) -> (Vec<u32>, Vec<(u32, u32)>) {
        let c = Crossings::build(recs);
        let (of, rep) = profiles(&c, &Default::default());
        (of, candidates(&c, &rep, &Params::default()))
    }

    #[test]
    fn common_names_give_linear_blocks_that_still_find_date_slips() {
        let mut recs = namesakes(1500);
        // N0 (1940-01-01) again with the year mistyped.
        recs.push(rec("year", "José", "García López", "1950-01-01", "", ""));
        // N5 (1945-11-04) with the day mistyped.
        recs.push(rec("day", "José", "García López", "1945-11-07", "", ""));
        let (of, pairs) = pairs_of(&recs);
        let has = |a: usize, b: usize| {
            let (x, y) = (of[a].min(of[b]), of[a].max(of[b]));
            pairs.binary_search(&(x, y)).is_ok()
        };
        assert!(has(0, 1500), "year slip not compared");
        assert!(has(5, 1501), "day slip not compared");
        // All pairs would be 1.1 million.
        assert!(pairs.len() < 20 * recs.len(), "{} pairs", pairs.len());
        // 1,500 people carry the name, so a date one digit off is no proof
        // on its own (see `a_name_thousands_carry_proves_less_than_a_rare_one`):
        // the slips stay apart, and resolve to their person with the same
        // passport.
        let c = Crossings::build(&recs);
        let r = resolve(&c, &Params::default(), &[]);
        assert_ne!(r.person[1500], r.person[0], "{:?}", explain(&c, 0, 1500));
        assert_ne!(r.person[1501], r.person[5], "{:?}", explain(&c, 5, 1501));
        recs.push(rec("doc", "José", "García López", "1940-01-01", "A1234567", "P"));
        recs.push(rec("doc-year", "José", "García López", "1950-01-01", "A1234567", "P"));
        let c = Crossings::build(&recs);
        let r = resolve(&c, &Params::default(), &[]);
        assert_eq!(r.person[1503], r.person[1502], "{:?}", explain(&c, 1502, 1503));
        assert_eq!(r.person[1502], r.person[0], "{:?}", explain(&c, 0, 1502));
    }

    #[test]
    fn undated_records_meet_their_whole_name_block_up_to_the_cap() {
        let mut recs = namesakes(500);
        recs.push(rec("undated", "José", "García López", "", "", ""));
        let (of, pairs) = pairs_of(&recs);
        let met = pairs.iter().filter(|&&(a, b)| a == of[500] || b == of[500]).count();
        assert_eq!(met, 500);
        let mut recs = namesakes(1500);
        recs.push(rec("undated", "José", "García López", "", "", ""));
        let params = Params { max_name_block: 1000, ..Params::default() };
        let c = Crossings::build(&recs);
        let (of, rep) = profiles(&c, &Default::default());
        let pairs = candidates(&c, &rep, &params);
        assert!(!pairs.iter().any(|&(a, b)| a == of[1500] || b == of[1500]));
    }

    #[test]
    fn a_document_shared_by_hundreds_is_compared_by_neighbourhood() {
        // 450 profiles on one document (a test value at a kiosk, a lent
        // passport): all pairs would be 101,025.
        let mut recs: Vec<CrossingRecord> = (0..450)
            .map(|k| {
                let b = format!("{}-{:02}-{:02}", 1950 + k % 50, 1 + k % 12, 1 + k % 28);
                rec(&format!("D{k}"), &format!("Nombre{k}"), &format!("Apellido{k}"), &b, "A1234567", "P")
            })
            .collect();
        recs.push(rec("again", "Nombre7", "Apellido7", "", "A1234567", "P"));
        let (of, pairs) = pairs_of(&recs);
        assert!(pairs.len() <= recs.len() * WINDOW, "{} pairs", pairs.len());
        assert!(pairs.binary_search(&(of[7].min(of[450]), of[7].max(of[450]))).is_ok());
    }

    #[test]
    fn analysts_overrides_win() {
        let recs = vec![
            rec("1", "Ana", "Pérez", "1990-01-02", "", ""),
            rec("2", "Ana", "Pérez", "1990-01-02", "", ""),
            rec("3", "Rosa", "Coj", "1970-01-01", "", ""),
        ];
        let c = Crossings::build(&recs);
        let r = resolve(&c, &Params::default(), &[]);
        assert_eq!(r.person[0], r.person[1]);
        let sep = [Override::Separate { a: "1".into(), b: "2".into() }];
        let r = resolve(&c, &Params::default(), &sep);
        assert_ne!(r.person[0], r.person[1]);
        let merge = [Override::Merge { a: "1".into(), b: "3".into() }];
        let r = resolve(&c, &Params::default(), &merge);
        assert_eq!(r.person[0], r.person[2]);
        assert_eq!(r.persons, 1);
    }
}

#[cfg(test)]
mod proptests {
    use super::*;
    use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Timestamp};
    use proptest::prelude::*;

    fn record() -> impl Strategy<Value = CrossingRecord> {
        (
            "[A-Za-zÑñáé ]{0,12}",
            "[A-Za-zÑñ ]{0,14}",
            proptest::option::of((1900u16..2030, 1u8..=12, 1u8..=28)),
            proptest::option::of("[A-Z0-9]{1,6}"),
            0u8..4,
            "[A-Z]{0,2}",
        )
            .prop_map(|(g, s, b, doc, sex, group)| CrossingRecord {
                given_names: g,
                surnames: s,
                birth_date: b.map(|(y, m, d)| BirthDate::full(y, m, d).unwrap()),
                nationality: CountryCode::parse("GTM").ok(),
                sex: [Sex::Male, Sex::Female, Sex::Unspecified, Sex::Unknown][sex as usize],
                document_type: "P".into(),
                document_number: doc.and_then(|d| DocumentNumber::parse(&d).ok()),
                group_id: group,
                ..CrossingRecord::new(
                    String::new(),
                    "P",
                    Direction::Entry,
                    Timestamp::parse("2025-03-01T10:00:00Z").unwrap(),
                )
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn every_crossing_gets_exactly_one_person(mut recs in proptest::collection::vec(record(), 0..60), merge in 0usize..60) {
            for (k, r) in recs.iter_mut().enumerate() {
                r.crossing_id = format!("C{k}");
            }
            let c = Crossings::build(&recs);
            let ov = if recs.len() > 1 {
                vec![
                    Override::Merge { a: "C0".into(), b: format!("C{}", merge % recs.len()) },
                    Override::Separate { a: "C1".into(), b: "nonexistent".into() },
                ]
            } else {
                Vec::new()
            };
            let r = resolve(&c, &Params::default(), &ov);
            prop_assert_eq!(r.person.len(), recs.len());
            prop_assert!(r.person.iter().all(|&p| (p as usize) < r.persons));
            let used: std::collections::HashSet<u32> = r.person.iter().copied().collect();
            prop_assert_eq!(used.len(), r.persons);
            let a = crate::analyse(&c, &ov);
            prop_assert_eq!(a.resolution.person.len(), recs.len());
        }
    }
}
