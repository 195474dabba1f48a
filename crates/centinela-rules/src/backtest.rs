//! Back-testing: what a rule set would have flagged over stored crossings.
//! Each crossing's facts come from its record and its travel party; its
//! history from the crossings before it, in memory, through indices built
//! once (person, document, phone, address, party). Evaluation runs in
//! parallel (rayon).
//!
//! Identity is approximate, as in the data: a "person" is the first
//! folded surname with the birth date (or the first given name when the
//! date is unknown); "unrelated" means sharing no surname. Imported
//! records carry no observations, MRZ checks or travel consents: those
//! facts are unknown, except that no travel consent is recorded (false).

use std::collections::{BTreeMap, HashMap};

use centinela_domain::{CrossingRecord, Sex, Timestamp};
use rayon::prelude::*;
use serde::Serialize;

use crate::facts::{Crossing, Document, Facts, History, HistoryQuery, Party, Traveller};
use crate::{Action, Category, RuleSet};

/// The crossings to test over, in any order, with what became of them.
#[derive(Debug, Clone, Copy, Default)]
pub struct BacktestInput<'a> {
    pub crossings: &'a [CrossingRecord],
    /// Relation to the party's first traveller, per crossing (as stored
    /// for inspections; empty text when unknown). May be empty.
    pub relations: &'a [String],
    /// Whether the crossing had an alert-list hit, per crossing. May be empty.
    pub hits: &'a [bool],
    /// Whether a hit of the crossing was adjudicated as confirmed. May be empty.
    pub confirmed: &'a [bool],
    /// Whether the crossing was referred to protection, per crossing. May be empty.
    pub referred: &'a [bool],
    /// Whether the crossing joined a trafficking case, per crossing. May be empty.
    pub in_case: &'a [bool],
    /// Only crossings at or after `from` and before `to` are evaluated and
    /// counted; earlier ones still count as history.
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
}

/// How many crossings each rule flagged, where and when.
#[derive(Debug, Clone, Default, Serialize)]
pub struct BacktestReport {
    /// Crossings evaluated (inside the window).
    pub crossings: u64,
    /// Crossings at least one rule flagged.
    pub flagged: u64,
    /// Crossings sent to secondary inspection by at least one rule (the
    /// work the rules add).
    pub secondary_inspection: u64,
    /// Crossings referred to protection by at least one rule.
    pub refer_to_protection: u64,
    /// `flagged` / `crossings`.
    pub flagged_share: f64,
    /// Crossings with a confirmed hit, and how many of them were flagged.
    pub confirmed: u64,
    pub confirmed_flagged: u64,
    /// Crossings referred to protection, and how many of them were flagged.
    pub referred: u64,
    pub referred_flagged: u64,
    /// Crossings that joined a trafficking case, and how many of them were flagged.
    pub in_case: u64,
    pub in_case_flagged: u64,
    pub rules: Vec<RuleReport>,
    /// Per post: crossings and flagged crossings.
    pub per_post: BTreeMap<String, Counts>,
    /// Per week (the Monday's date, UTC): crossings and flagged crossings.
    pub per_week: BTreeMap<String, Counts>,
}

#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Counts {
    pub crossings: u64,
    pub flagged: u64,
}

/// One rule's back-test.
#[derive(Debug, Clone, Serialize)]
pub struct RuleReport {
    pub id: String,
    pub category: Category,
    pub action: Action,
    pub enabled: bool,
    pub flagged: u64,
    /// Flagged crossings that had an alert-list hit / a confirmed hit.
    pub with_hits: u64,
    pub confirmed: u64,
    /// Flagged crossings referred to protection / that joined a case.
    pub referred: u64,
    pub in_case: u64,
    pub per_post: BTreeMap<String, u64>,
    pub per_week: BTreeMap<String, u64>,
}

/// Evaluates and counts. See [`evaluate_history`] and [`report`].
pub fn backtest(rules: &RuleSet, input: &BacktestInput<'_>) -> BacktestReport {
    let flags = evaluate_history(rules, input);
    report(rules, input, &flags)
}

const NONE: u32 = u32::MAX;
/// Most earlier crossings one history question looks at (the most recent).
const SCAN: usize = 128;

struct Pre {
    t: i64,
    pid: u32,
    doc: u32,
    phone: u32,
    addr: u32,
    group: u32,
    age: Option<i64>,
    female: bool,
    surnames: [u64; 2],
    /// A full birth date (year, month, day).
    full_birth: Option<(u16, u8, u8)>,
}

struct Ctx<'a> {
    input: &'a BacktestInput<'a>,
    pre: Vec<Pre>,
    /// Crossing indices in time order, per person, document, phone,
    /// address, group.
    by_person: Vec<Vec<u32>>,
    by_doc: Vec<Vec<u32>>,
    by_phone: Vec<Vec<u32>>,
    by_addr: Vec<Vec<u32>>,
    by_group: Vec<Vec<u32>>,
    /// The time of a person's first crossing with a hit.
    flagged_since: Vec<i64>,
}

fn fold_word(w: &str) -> String {
    w.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn surname_words(s: &str) -> impl Iterator<Item = String> {
    s.split(|c: char| c.is_whitespace() || c == '-')
        .map(fold_word)
        .filter(|w| w.len() > 2 && !matches!(w.as_str(), "del" | "los" | "las" | "van" | "von"))
}

/// FNV-1a over the parts (with a separator), then a final mix: keys only
/// need to be distinct, not secret.
fn h(parts: &[&str]) -> u64 {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.as_bytes().iter().chain(&[0xff]) {
            x ^= u64::from(b);
            x = x.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^ (x >> 33)
}

/// Keys are already hashed: the map need not hash them again.
#[derive(Default, Clone, Copy)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type KeyMap = HashMap<u64, u32, std::hash::BuildHasherDefault<Prehashed>>;

struct Interner(KeyMap, u32);

impl Interner {
    fn id(&mut self, key: u64, lists: &mut Vec<Vec<u32>>) -> u32 {
        let next = self.1;
        let id = *self.0.entry(key).or_insert(next);
        if id == next {
            self.1 += 1;
            lists.push(Vec::new());
        }
        id
    }
}

fn build<'a>(input: &'a BacktestInput<'a>) -> Ctx<'a> {
    let cs = input.crossings;
    let mut order: Vec<u32> = (0..cs.len() as u32).collect();
    order.sort_by_key(|&i| (cs[i as usize].crossed_at, i));
    let (mut pre, keys): (Vec<Pre>, Vec<[u64; 5]>) = cs
        .par_iter()
        .map(|r| {
            let words: Vec<String> = surname_words(&r.surnames).take(2).collect();
            let mut surnames = [0u64; 2];
            for (k, w) in words.iter().enumerate() {
                surnames[k] = h(&[w]);
            }
            let first = words.first().map(String::as_str).unwrap_or("");
            let birth = r.birth_date.map(|b| b.to_string()).unwrap_or_default();
            let given = r.given_names.split_whitespace().next().map(fold_word).unwrap_or_default();
            let person = if first.is_empty() && given.is_empty() {
                h(&["x", &r.crossing_id])
            } else if !birth.is_empty() {
                h(&["p", first, &birth])
            } else {
                h(&["g", first, &given])
            };
            let doc = r
                .document_number
                .as_ref()
                .map_or(0, |d| h(&["d", d.as_str(), r.issuing_state.as_ref().map_or("", |c| c.as_str())]));
            let phone = if r.phone.is_empty() { 0 } else { h(&["t", &r.phone]) };
            let addr = if r.address.trim().is_empty() { 0 } else { h(&["a", &fold_word(&r.address)]) };
            let group = if r.group_id.is_empty() { 0 } else { h(&["g", &r.group_id]) };
            let pre = Pre {
                t: r.crossed_at.unix_seconds(),
                pid: NONE,
                doc: NONE,
                phone: NONE,
                addr: NONE,
                group: NONE,
                age: r.birth_date.map(|b| i64::from(r.crossed_at.age_of(&b))),
                female: r.sex == Sex::Female,
                surnames,
                full_birth: r
                    .birth_date
                    .filter(|b| b.is_full())
                    .map(|b| (b.year, b.month.unwrap_or(0), b.day.unwrap_or(0))),
            };
            (pre, [person, doc, phone, addr, group])
        })
        .unzip();
    let mut lists: [Vec<Vec<u32>>; 5] = Default::default();
    let mut interners: [Interner; 5] = std::array::from_fn(|_| Interner(KeyMap::default(), 0));
    for &i in &order {
        let k = &keys[i as usize];
        let p = &mut pre[i as usize];
        for (slot, key) in k.iter().enumerate() {
            if slot > 0 && *key == 0 {
                continue;
            }
            let id = interners[slot].id(*key, &mut lists[slot]);
            lists[slot][id as usize].push(i);
            match slot {
                0 => p.pid = id,
                1 => p.doc = id,
                2 => p.phone = id,
                3 => p.addr = id,
                _ => p.group = id,
            }
        }
    }
    let [by_person, by_doc, by_phone, by_addr, by_group] = lists;
    let mut flagged_since = vec![i64::MAX; by_person.len()];
    for (i, p) in pre.iter().enumerate() {
        if input.hits.get(i).copied().unwrap_or(false) {
            let f = &mut flagged_since[p.pid as usize];
            *f = (*f).min(p.t);
        }
    }
    Ctx { input, pre, by_person, by_doc, by_phone, by_addr, by_group, flagged_since }
}

fn shares_surname(a: &Pre, b: &Pre) -> bool {
    a.surnames.iter().any(|&x| x != 0 && b.surnames.contains(&x))
}

/// Related: a shared surname or the same address.
fn related(a: &Pre, b: &Pre) -> bool {
    shares_surname(a, b) || (a.addr != NONE && a.addr == b.addr)
}

impl Ctx<'_> {
    fn list(v: &[Vec<u32>], id: u32) -> &[u32] {
        if id == NONE { &[] } else { v.get(id as usize).map_or(&[], Vec::as_slice) }
    }

    /// The entries of `list` with time in `[t - days, t)` (`inclusive`:
    /// `..= t`), the most recent [`SCAN`] of them.
    fn window<'l>(&self, list: &'l [u32], t: i64, days: u32, inclusive: bool) -> &'l [u32] {
        let tmin = t.saturating_sub(i64::from(days) * 86_400);
        let hi = list.partition_point(|&j| {
            let tj = self.pre[j as usize].t;
            if inclusive { tj <= t } else { tj < t }
        });
        let lo = list[..hi].partition_point(|&j| self.pre[j as usize].t < tmin);
        &list[lo.max(hi.saturating_sub(SCAN))..hi]
    }

    fn vulnerable(&self, me: &Pre, other: &Pre) -> bool {
        let young_woman = other.female && other.age.is_some_and(|a| (18..=24).contains(&a));
        (other.age.is_some_and(|a| a < 18) || young_woman) && !related(me, other)
    }

    /// The members of a group's party at time `t` (a group id is one party).
    fn party_at<'l>(&self, members: &'l [u32], t: i64) -> &'l [u32] {
        let lo = members.partition_point(|&j| self.pre[j as usize].t < t);
        let hi = members.partition_point(|&j| self.pre[j as usize].t <= t);
        &members[lo..hi.min(lo + MAX_PARTY)]
    }

    /// (companions, minors, vulnerable, one-trip) of crossing `i`'s person.
    fn companions(&self, i: usize, days: u32) -> [i64; 4] {
        let me = &self.pre[i];
        let mine = self.window(Self::list(&self.by_person, me.pid), me.t, days, false);
        let mut seen: Vec<(u32, bool, bool)> = Vec::new();
        for &c in mine {
            let members = Self::list(&self.by_group, self.pre[c as usize].group);
            let members = self.party_at(members, self.pre[c as usize].t);
            if members.len() > SMALL_PARTY {
                continue;
            }
            for &m in members {
                let o = &self.pre[m as usize];
                if o.pid == me.pid || seen.iter().any(|s| s.0 == o.pid) {
                    continue;
                }
                seen.push((o.pid, o.age.is_some_and(|a| a < 18), self.vulnerable(me, o)));
            }
        }
        let once = seen
            .iter()
            .filter(|(pid, ..)| {
                let l = Self::list(&self.by_person, *pid);
                l.partition_point(|&j| self.pre[j as usize].t <= me.t) <= 2
            })
            .count();
        [
            seen.len() as i64,
            seen.iter().filter(|s| s.1).count() as i64,
            seen.iter().filter(|s| s.2).count() as i64,
            once as i64,
        ]
    }

    fn vulnerable_of(&self, i: usize, days: u32, at: i64) -> i64 {
        let me = &self.pre[i];
        let mine = self.window(Self::list(&self.by_person, me.pid), at, days, false);
        let mut seen: Vec<u32> = Vec::new();
        for &c in mine {
            let members = self.party_at(Self::list(&self.by_group, self.pre[c as usize].group), self.pre[c as usize].t);
            if members.len() > SMALL_PARTY {
                continue;
            }
            for &m in members {
                let o = &self.pre[m as usize];
                if o.pid != me.pid && !seen.contains(&o.pid) && self.vulnerable(me, o) {
                    seen.push(o.pid);
                }
            }
        }
        seen.len() as i64
    }

    fn unrelated_sharing(&self, i: usize, list: &[u32], days: u32) -> i64 {
        let me = &self.pre[i];
        let mut seen: Vec<u32> = Vec::new();
        for &j in self.window(list, me.t, days, true) {
            let o = &self.pre[j as usize];
            if o.pid != me.pid && !related(me, o) && !seen.contains(&o.pid) {
                seen.push(o.pid);
            }
        }
        seen.len() as i64
    }

    fn count(&self, i: usize, q: HistoryQuery, days: u32) -> Option<i64> {
        let me = &self.pre[i];
        Some(match q {
            HistoryQuery::Crossings => self.window(Self::list(&self.by_person, me.pid), me.t, days, false).len() as i64,
            HistoryQuery::DocumentCrossings => {
                if me.doc == NONE {
                    return None;
                }
                self.window(Self::list(&self.by_doc, me.doc), me.t, days, false).len() as i64
            }
            HistoryQuery::DocumentHolders => {
                if me.doc == NONE {
                    return None;
                }
                let mut seen: Vec<u32> = Vec::new();
                for &j in self.window(Self::list(&self.by_doc, me.doc), me.t, days, false) {
                    let o = &self.pre[j as usize];
                    // Another holder: no shared surname, and a different
                    // birth date when both are known (a day/month swap is
                    // a typing slip, not another person).
                    let births_differ = match (me.full_birth, o.full_birth) {
                        (Some(a), Some(b)) => a != b && (a.0, a.1, a.2) != (b.0, b.2, b.1),
                        _ => true,
                    };
                    let other = births_differ && me.surnames[0] != 0 && o.surnames[0] != 0 && !shares_surname(me, o);
                    if other && o.pid != me.pid && !seen.contains(&o.pid) {
                        seen.push(o.pid);
                    }
                }
                seen.len() as i64
            }
            HistoryQuery::Companions => self.companions(i, days)[0],
            HistoryQuery::MinorCompanions => self.companions(i, days)[1],
            HistoryQuery::VulnerableCompanions => self.companions(i, days)[2],
            HistoryQuery::OnceCompanions => self.companions(i, days)[3],
            HistoryQuery::EscortVulnerableCompanions => {
                let mut best = 0;
                let members = self.party_at(Self::list(&self.by_group, me.group), me.t);
                if members.len() > SMALL_PARTY {
                    return Some(0);
                }
                for &m in members {
                    let o = &self.pre[m as usize];
                    if o.pid != me.pid && o.age.is_some_and(|a| a >= 18) {
                        best = best.max(self.vulnerable_of(m as usize, days, me.t));
                    }
                }
                best
            }
            HistoryQuery::PhoneTravellers => {
                if me.phone == NONE {
                    return None;
                }
                self.unrelated_sharing(i, Self::list(&self.by_phone, me.phone), days)
            }
            HistoryQuery::AddressTravellers => {
                if me.addr == NONE {
                    return None;
                }
                self.unrelated_sharing(i, Self::list(&self.by_addr, me.addr), days)
            }
            HistoryQuery::FlaggedCompanionCrossings => {
                let mine = self.window(Self::list(&self.by_person, me.pid), me.t, days, false);
                mine.iter()
                    .filter(|&&c| {
                        let pc = &self.pre[c as usize];
                        Self::list(&self.by_group, pc.group).iter().take(MAX_PARTY).any(|&m| {
                            let o = &self.pre[m as usize];
                            o.pid != me.pid && self.flagged_since[o.pid as usize] <= pc.t
                        })
                    })
                    .count() as i64
            }
        })
    }
}

/// Largest party looked at.
const MAX_PARTY: usize = 80;
/// Companions count only from parties this small: a coach tour or a
/// cruise group is not a set of companions (N2, N5).
const SMALL_PARTY: usize = 8;

/// One crossing's history, answering from the indices, each question
/// (and window) computed once.
struct View<'c> {
    ctx: &'c Ctx<'c>,
    i: usize,
    cache: std::cell::RefCell<Cache>,
}

/// Answers asked so far: (question, window, answer), and how many.
type Cache = ([(HistoryQuery, u32, Option<i64>); CACHE], usize);

const CACHE: usize = 32;

impl History for View<'_> {
    fn count(&self, q: HistoryQuery, days: u32) -> Option<i64> {
        {
            let (items, n) = &*self.cache.borrow();
            if let Some(c) = items[..*n].iter().find(|c| c.0 == q && c.1 == days) {
                return c.2;
            }
        }
        let v = self.ctx.count(self.i, q, days);
        let (items, n) = &mut *self.cache.borrow_mut();
        if *n < CACHE {
            items[*n] = (q, days, v);
            *n += 1;
        }
        v
    }
}

/// The party facts of crossing `i`.
fn party(ctx: &Ctx<'_>, i: usize) -> (Party, &'static str) {
    let me = &ctx.pre[i];
    let rel = |j: usize| ctx.input.relations.get(j).map(String::as_str).unwrap_or("");
    let alone = [i as u32];
    // The party is the group's crossings at this crossing's time.
    let members: &[u32] =
        if me.group == NONE { &alone } else { ctx.party_at(Ctx::list(&ctx.by_group, me.group), me.t) };
    let adult = |j: u32| ctx.pre[j as usize].age.is_some_and(|a| a >= 18);
    let minor = |j: u32| ctx.pre[j as usize].age.is_some_and(|a| a < 18);
    let adults = members.iter().filter(|&&j| adult(j)).count() as i64;
    let minors = members.iter().filter(|&&j| minor(j)).count() as i64;
    let with_relations = members.iter().any(|&j| !rel(j as usize).is_empty());
    let lead = members.first().copied() == Some(i as u32);
    let has_guardian = if with_relations {
        let me_rel = rel(i);
        members.iter().any(|&j| {
            j as usize != i
                && adult(j)
                && matches!(
                    (rel(j as usize), me_rel),
                    ("lead", "child" | "ward") | ("spouse", "child") | ("parent" | "guardian", "lead")
                )
        })
    } else {
        // Without relations: an adult of the party shares a surname
        // (children carry their parents' surnames in the region).
        members.iter().any(|&j| j as usize != i && adult(j) && related(me, &ctx.pre[j as usize]))
    };
    let party = Party {
        size: Some(members.len() as i64),
        adults: Some(adults),
        minors: Some(minors),
        has_guardian: Some(has_guardian),
        is_lead: Some(if with_relations { rel(i) == "lead" } else { lead }),
    };
    (party, if with_relations { "relations" } else { "surnames" })
}

fn in_window(input: &BacktestInput<'_>, r: &CrossingRecord) -> bool {
    input.from.is_none_or(|f| r.crossed_at >= f) && input.to.is_none_or(|t| r.crossed_at < t)
}

/// For every crossing (in input order), the indices of the rules that
/// fire; empty outside the window.
pub fn evaluate_history(rules: &RuleSet, input: &BacktestInput<'_>) -> Vec<Vec<u32>> {
    let t0 = std::time::Instant::now();
    let ctx = build(input);
    if std::env::var_os("CENTINELA_RULES_TIMING").is_some() {
        eprintln!("backtest: indices built in {:.2} s", t0.elapsed().as_secs_f64());
    }
    let cs = input.crossings;
    (0..cs.len())
        .into_par_iter()
        .map_init(Vec::new, |scratch, i| {
            let r = &cs[i];
            if !in_window(input, r) {
                return Vec::new();
            }
            let (party, _) = party(&ctx, i);
            let view =
                View { ctx: &ctx, i, cache: std::cell::RefCell::new(([(HistoryQuery::Crossings, 0, None); CACHE], 0)) };
            let facts = Facts {
                traveller: Traveller {
                    age: ctx.pre[i].age,
                    sex: r.sex.as_str(),
                    nationality: r.nationality.as_ref().map_or("", |c| c.as_str()),
                    relation: input.relations.get(i).map_or("", String::as_str),
                    travel_consent: Some(false),
                    observations: None,
                },
                document: Document {
                    kind: &r.document_type,
                    issuing_state: r.issuing_state.as_ref().map_or("", |c| c.as_str()),
                    ..Document::default()
                },
                crossing: Crossing {
                    post: &r.post,
                    direction: r.direction.as_str(),
                    vehicle: &r.vehicle,
                    destination: &r.destination,
                    ..Crossing::default()
                }
                .at(r.crossed_at),
                party,
                // Crossing records carry no passenger data.
                booking: Default::default(),
                history: &view,
            };
            rules.matching(&facts, scratch);
            scratch.clone()
        })
        .collect()
}

/// The Monday (UTC) of the week of `t`, as `YYYY-MM-DD`.
pub fn week_of(t: Timestamp) -> String {
    let days = t.unix_seconds().div_euclid(86_400);
    let monday = days - (days + 3).rem_euclid(7);
    let (y, m, d) = civil_from_days(monday);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Counts `flags` (from [`evaluate_history`]) per rule, post and week.
pub fn report(rules: &RuleSet, input: &BacktestInput<'_>, flags: &[Vec<u32>]) -> BacktestReport {
    let metas: Vec<_> = rules.rules().collect();
    let mut rep = BacktestReport {
        rules: metas
            .iter()
            .map(|m| RuleReport {
                id: m.id.clone(),
                category: m.category,
                action: m.action,
                enabled: m.enabled,
                flagged: 0,
                with_hits: 0,
                confirmed: 0,
                referred: 0,
                in_case: 0,
                per_post: BTreeMap::new(),
                per_week: BTreeMap::new(),
            })
            .collect(),
        ..BacktestReport::default()
    };
    let mut week_cache: HashMap<i64, String> = HashMap::new();
    for (i, r) in input.crossings.iter().enumerate() {
        if !in_window(input, r) {
            continue;
        }
        let day = r.crossed_at.unix_seconds().div_euclid(86_400);
        let week = week_cache.entry(day).or_insert_with(|| week_of(r.crossed_at)).clone();
        let f = flags.get(i).map_or(&[][..], Vec::as_slice);
        let hit = input.hits.get(i).copied().unwrap_or(false);
        let confirmed = input.confirmed.get(i).copied().unwrap_or(false);
        let referred = input.referred.get(i).copied().unwrap_or(false);
        let in_case = input.in_case.get(i).copied().unwrap_or(false);
        rep.crossings += 1;
        rep.confirmed += u64::from(confirmed);
        rep.referred += u64::from(referred);
        rep.in_case += u64::from(in_case);
        let post = rep.per_post.entry(r.post.clone()).or_default();
        post.crossings += 1;
        post.flagged += u64::from(!f.is_empty());
        let wk = rep.per_week.entry(week.clone()).or_default();
        wk.crossings += 1;
        wk.flagged += u64::from(!f.is_empty());
        if f.is_empty() {
            continue;
        }
        rep.flagged += 1;
        rep.confirmed_flagged += u64::from(confirmed);
        rep.referred_flagged += u64::from(referred);
        rep.in_case_flagged += u64::from(in_case);
        let action = |a: Action| f.iter().any(|&k| metas.get(k as usize).is_some_and(|m| m.action == a));
        rep.secondary_inspection += u64::from(action(Action::SecondaryInspection));
        rep.refer_to_protection += u64::from(action(Action::ReferToProtection));
        for &k in f {
            let Some(rr) = rep.rules.get_mut(k as usize) else { continue };
            rr.flagged += 1;
            rr.with_hits += u64::from(hit);
            rr.confirmed += u64::from(confirmed);
            rr.referred += u64::from(referred);
            rr.in_case += u64::from(in_case);
            *rr.per_post.entry(r.post.clone()).or_default() += 1;
            *rr.per_week.entry(week.clone()).or_default() += 1;
        }
    }
    rep.flagged_share = if rep.crossings == 0 { 0.0 } else { rep.flagged as f64 / rep.crossings as f64 };
    rep
}
