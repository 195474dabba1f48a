//! Identity resolution: which crossing records are the same person.
//!
//! 1. **Profiles.** Records that agree on every identifying value after
//!    normalisation (folded name tokens, birth date, sex, nationality,
//!    document) are one profile; a commuter's hundred crossings become a
//!    handful of profiles.
//! 2. **Blocking.** Each profile gets keys: its document (state and the
//!    confusable key of the number, so `O`/`0` slips meet), its birth date
//!    with day and month in either order joined to the phonetic code of
//!    each name token, and the phonetic codes of its first given name and
//!    first two surnames. Only profiles sharing a key are compared; a key
//!    shared by more than [`Params::max_block`] profiles is a common value
//!    and is not used.
//! 3. **Scoring.** A sum of log-likelihood terms, like the screener's:
//!    name tokens (compared across the two fields, so swapped given names
//!    and a missing second surname cost little), birth date
//!    ([`centinela_names::dates`]: a day/month swap still counts), document,
//!    sex, nationality. [`explain`] lists the terms; they add up to the
//!    score.
//! 4. **Clustering.** Links at or above [`Params::threshold`] are merged
//!    best first (union–find); a merge that would put two clearly different
//!    birth dates, or two different known sexes, in one person is refused,
//!    so one wrong link cannot chain two people together. Analysts'
//!    decisions ([`Override`]) come first: a merge is a link of infinite
//!    weight, a separation forbids a merge.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use centinela_domain::Sex;
use centinela_names::dates::{self, DateMatch};
use centinela_names::similarity::token_similarity;
use rayon::prelude::*;
use serde::Serialize;

use crate::data::{Crossings, NONE, Name};

/// Tuning of the resolver.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Links scoring at least this (nats) are merged.
    pub threshold: f32,
    /// Blocks with more profiles than this are skipped.
    pub max_block: usize,
}

impl Default for Params {
    fn default() -> Self {
        Params { threshold: 9.0, max_block: 400 }
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

/// What makes two records one profile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ProfileKey {
    given: Vec<u32>,
    surnames: Vec<u32>,
    birth: u32,
    sex: u8,
    nationality: u32,
    document: u32,
    document_type: u32,
}

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
    let mut index: HashMap<ProfileKey, u32> = HashMap::new();
    let mut of = Vec::with_capacity(c.len());
    let mut rep = Vec::new();
    for i in 0..c.len() {
        if pinned.contains(&i) {
            of.push(rep.len() as u32);
            rep.push(i as u32);
            continue;
        }
        let n = &c.names[c.name[i] as usize];
        let key = ProfileKey {
            given: n.given.clone(),
            surnames: n.surnames.clone(),
            birth: c.birth[i],
            sex: sex_byte(c.sex[i]),
            nationality: c.nationality[i],
            document: c.document[i],
            document_type: c.document_type[i],
        };
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

/// The blocking keys of a record.
fn keys(c: &Crossings, i: usize, out: &mut Vec<u64>) {
    out.clear();
    if c.document[i] != NONE {
        out.push(h(&[1, u64::from(c.document[i])], &[]));
    }
    let n = &c.names[c.name[i] as usize];
    let code = |t: u32| -> &[u8] { &c.token(t).code };
    if let Some(b) = dates::unpack(c.birth[i]) {
        let (m, d) = (b.month.unwrap_or(0), b.day.unwrap_or(0));
        let (lo, hi) = (m.min(d), m.max(d));
        let bn = (u64::from(b.year) << 16) | (u64::from(lo) << 8) | u64::from(hi);
        for &t in n.given.iter().take(2).chain(n.surnames.iter().take(2)) {
            out.push(h(&[2, bn], &[code(t)]));
        }
    }
    if let (Some(&g), Some(&s)) = (n.given.first(), n.surnames.first()) {
        let s2: &[u8] = n.surnames.get(1).map_or(&[], |&t| code(t));
        out.push(h(&[3], &[code(g), code(s), s2]));
        // With the second surname dropped the two-surname key cannot meet:
        // a key on first given name and first surname alone too.
        out.push(h(&[4], &[code(g), code(s)]));
    }
    out.sort_unstable();
    out.dedup();
}

/// Candidate profile pairs `(a, b)`, `a < b`, sorted and distinct.
fn candidates(c: &Crossings, rep: &[u32], max_block: usize) -> Vec<(u32, u32)> {
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
        if e - s >= 2 && e - s <= max_block {
            runs.push((s, e));
        }
        s = e;
    }
    let mut pairs: Vec<(u32, u32)> = runs
        .par_iter()
        .fold(Vec::new, |mut acc, &(s, e)| {
            for x in s..e {
                for y in x + 1..e {
                    let (a, b) = (kv[x].1, kv[y].1);
                    acc.push((a.min(b), a.max(b)));
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

struct Sink<'a>(Option<&'a mut Vec<Evidence>>);

impl Sink<'_> {
    fn add(&mut self, aspect: &'static str, weight: f32, detail: impl FnOnce() -> String) -> f32 {
        if let Some(v) = self.0.as_deref_mut() {
            v.push(Evidence { aspect, weight, detail: detail() });
        }
        weight
    }
}

fn sim(c: &Crossings, a: u32, b: u32) -> f32 {
    if a == b {
        return 1.0;
    }
    let (ta, tb) = (c.token(a), c.token(b));
    token_similarity(&ta.text, &ta.code, &tb.text, &tb.code).0
}

/// Best similarity of token `t` with any of `others`, and which.
fn best(c: &Crossings, t: u32, others: &[u32]) -> (f32, u32) {
    others.iter().map(|&o| (sim(c, t, o), o)).fold((0.0, t), |a, b| if b.0 > a.0 { b } else { a })
}

/// Compares two names field by field; with `bag` (fields swapped, where
/// the order within a field is unreliable too) surnames are matched in any
/// order, as given names always are.
fn fields(c: &Crossings, ga: &[u32], sa: &[u32], gb: &[u32], sb: &[u32], bag: bool, sink: &mut Sink) -> f32 {
    let mut total = 0.0;
    let txt = |t: u32| c.token_text(t).to_string();
    if let (Some(&a0), Some(&b0)) = (sa.first(), sb.first()) {
        let (s1, b0) = if bag { best(c, a0, sb) } else { (sim(c, a0, b0), b0) };
        total += sink.add("surname", tok(s1, W_SURNAME1, CLASH_SURNAME1), || {
            format!("first surnames {} / {} ({s1:.2})", txt(a0), txt(b0))
        });
        if let (Some(&a1), Some(&b1)) = (sa.get(1), sb.get(1)) {
            let (s2, b1) = if bag { best(c, a1, sb) } else { (sim(c, a1, b1), b1) };
            total += sink.add("surname", tok(s2, W_SURNAME2, CLASH_SURNAME2), || {
                format!("second surnames {} / {} ({s2:.2})", txt(a1), txt(b1))
            });
        }
    }
    if let (Some(&a0), Some(&b0)) = (ga.first(), gb.first()) {
        let (fa, ma) = best(c, a0, gb);
        let (fb, mb) = best(c, b0, ga);
        let (g1, x, y) = if fa >= fb { (fa, a0, ma) } else { (fb, mb, b0) };
        total += sink.add("given name", tok(g1, W_GIVEN1, CLASH_GIVEN1), || {
            format!("given names {} / {} ({g1:.2})", txt(x), txt(y))
        });
        if let (Some(&a1), Some(&b1)) = (ga.get(1), gb.get(1)) {
            let (sa1, _) = best(c, a1, gb);
            let (sb1, _) = best(c, b1, ga);
            let g2 = sa1.min(sb1);
            total += sink.add("given name", tok(g2, W_GIVEN2, CLASH_GIVEN2), || {
                format!("second given names {} / {} ({g2:.2})", txt(a1), txt(b1))
            });
        }
    }
    total
}

fn names_llr(c: &Crossings, a: &Name, b: &Name, sink: &mut Sink) -> f32 {
    let direct = fields(c, &a.given, &a.surnames, &b.given, &b.surnames, false, &mut Sink(None));
    let swapped = fields(c, &a.given, &a.surnames, &b.surnames, &b.given, true, &mut Sink(None)) + FIELDS_SWAPPED;
    if sink.0.is_none() {
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
    }
    let (a, b) = (&c.names[c.name[i] as usize], &c.names[c.name[j] as usize]);
    if !exact && total + NAME_MAX < FAST_FLOOR {
        // Names cannot lift the pair to any line in use: an upper bound.
        return total + NAME_MAX;
    }
    total + names_llr(c, a, b, sink)
}

/// The most the name terms can add.
const NAME_MAX: f32 = W_SURNAME1 + W_SURNAME2 + W_GIVEN1 + W_GIVEN2;
/// Below this no line in use (link threshold, [`HEAD_FLOOR`]) matters.
const FAST_FLOOR: f32 = 0.0;

/// [`score`], or an upper bound of it when that bound is below
/// [`FAST_FLOOR`] (for the resolver's hot loop).
fn score_fast(c: &Crossings, i: usize, j: usize) -> f32 {
    score_with(c, i, j, false, &mut Sink(None))
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

fn same_state(c: &Crossings, a: u32, b: u32) -> bool {
    let st = |x: u32| c.strings.get(x).split(':').next().unwrap_or("");
    st(a) == st(b)
}

/// Score (nats) that crossings `i` and `j` are the same person.
pub fn score(c: &Crossings, i: usize, j: usize) -> f32 {
    score_with(c, i, j, true, &mut Sink(None))
}

/// The terms of [`score`]; their weights add up to it.
pub fn explain(c: &Crossings, i: usize, j: usize) -> Vec<Evidence> {
    let mut v = Vec::new();
    score_with(c, i, j, true, &mut Sink(Some(&mut v)));
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
            hb.iter().any(|&y| score_fast(c, rep[x as usize] as usize, rep[y as usize] as usize) >= HEAD_FLOOR)
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
    let pairs = candidates(c, &rep, params.max_block);
    let compared = pairs.len();
    let mut links: Vec<(u32, u32, f32)> = pairs
        .par_iter()
        .filter_map(|&(a, b)| {
            let s = score_fast(c, rep[a as usize] as usize, rep[b as usize] as usize);
            (s >= params.threshold).then_some((a, b, s))
        })
        .collect();
    drop(pairs);
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
    Resolution { person, persons: next as usize, links: merged, compared, profiles: n }
}

#[cfg(test)]
mod tests {
    use super::*;
    use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Timestamp};

    fn rec(id: &str, given: &str, surnames: &str, birth: &str, doc: &str, doc_type: &str) -> CrossingRecord {
        CrossingRecord {
            crossing_id: id.into(),
            post: "GTM-TECUNUMAN".into(),
            direction: Direction::Entry,
            crossed_at: Timestamp::parse("2025-03-01T10:00:00Z").unwrap(),
            given_names: given.into(),
            surnames: surnames.into(),
            birth_date: BirthDate::parse_opt(birth).unwrap(),
            nationality: CountryCode::parse("GTM").ok(),
            sex: Sex::Male,
            document_type: doc_type.into(),
            document_number: DocumentNumber::parse(doc).ok(),
            issuing_state: CountryCode::parse("GTM").ok(),
            group_id: String::new(),
            vehicle: String::new(),
            phone: String::new(),
            address: String::new(),
            destination: String::new(),
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
                crossing_id: String::new(),
                post: "P".into(),
                direction: Direction::Entry,
                crossed_at: Timestamp::parse("2025-03-01T10:00:00Z").unwrap(),
                given_names: g,
                surnames: s,
                birth_date: b.map(|(y, m, d)| BirthDate::full(y, m, d).unwrap()),
                nationality: CountryCode::parse("GTM").ok(),
                sex: [Sex::Male, Sex::Female, Sex::Unspecified, Sex::Unknown][sex as usize],
                document_type: "P".into(),
                document_number: doc.and_then(|d| DocumentNumber::parse(&d).ok()),
                issuing_state: None,
                group_id: group,
                vehicle: String::new(),
                phone: String::new(),
                address: String::new(),
                destination: String::new(),
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
