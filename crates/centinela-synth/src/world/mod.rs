//! The population and its year of crossings: ordinary traffic first, then
//! the planted patterns. Everything is drawn from one seeded [`Rng`] (a
//! separate stream per part), so a seed fixes every byte.

// `*rng.pick(TABLE)` picks a `&'static str` out of a table; without the
// explicit deref, inference looks for a table of `str` (clippy's
// suggestion does not compile).
#![allow(clippy::explicit_auto_deref)]

use centinela_domain::{
    BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, DocumentStatus, Sex, Timestamp,
};

use crate::names::{self, Name, NameStyle};
use crate::places::{self, DocKind, NATIONS, Nation, nation_of};
use crate::posts::{Post, PostKind, weight};
use crate::rng::Rng;
use crate::truth::{
    DocumentMisuse, Facilitator, MisuseKind, PersonKind, PersonTruth, Ring, RingKind, Truth, Victim, VictimKind,
};
use crate::{Config, Scale};

mod finish;
mod ordinary;
mod planted;

pub(crate) use finish::Finished;

pub(crate) const DAY: i64 = 86_400;
/// Days covered.
pub(crate) const YEAR_DAYS: i64 = 365;

/// A travel document a person holds (or borrows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Doc {
    pub kind: DocKind,
    pub number: String,
    pub state: &'static str,
}

#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub name: Name,
    pub female: bool,
    pub birth: BirthDate,
    pub nat: &'static Nation,
    pub docs: Vec<Doc>,
    pub phone: Option<String>,
    pub address: String,
    pub kind: PersonKind,
}

/// One traveller on one leg, with what they show and say.
#[derive(Debug, Clone)]
struct Trav {
    p: u32,
    doc: Doc,
    phone: Option<String>,
    address: Option<String>,
    /// A document that is not theirs (for the truth).
    misuse: Option<(MisuseKind, Option<u32>, bool)>,
}

/// One passage of a post by one party.
#[derive(Debug, Clone)]
struct Leg {
    t: i64,
    post: usize,
    dir: Direction,
    vehicle: String,
    destination: String,
    /// Registered together as one party (a `group_id` when more than one).
    group: bool,
}

/// A record waiting for its id (ids follow time order).
struct Pending {
    t: i64,
    person: u32,
    rec: CrossingRecord,
}

/// Someone to put on an alert list, planted by the traffic generator.
#[derive(Debug, Clone)]
pub(crate) struct ListRequest {
    pub kind: centinela_domain::ListKind,
    pub person: u32,
    pub note: &'static str,
}

/// A document to put on the documents list.
#[derive(Debug, Clone)]
pub(crate) struct ReportedDoc {
    pub doc: Doc,
    pub status: DocumentStatus,
    /// Day (relative to the start; may be negative) it was reported.
    pub day: i64,
}

struct MisuseRec {
    seq: usize,
    person: u32,
    doc: Doc,
    kind: MisuseKind,
    holder: Option<u32>,
    listed: bool,
}

struct RingBuild {
    kind: RingKind,
    members: Vec<u32>,
    moved: Vec<u32>,
    phones: Vec<String>,
    addresses: Vec<String>,
    documents: Vec<String>,
    seqs: Vec<usize>,
}

struct FacBuild {
    person: u32,
    ring: usize,
    companions: Vec<u32>,
    minors: Vec<u32>,
}

struct Flight {
    code: String,
    /// Local minutes after midnight.
    minute: i64,
}

pub(crate) struct World {
    rng: Rng,
    pub nation: &'static Nation,
    pub posts: Vec<Post>,
    /// UTC second of local midnight on the first day.
    t0: i64,
    pub start_day: i64,
    pub people: Vec<Person>,
    pending: Vec<Pending>,
    groups: u32,
    /// Cumulative weights of the days of the year.
    day_cum: Vec<u64>,
    land: Vec<usize>,
    air: Vec<usize>,
    sea: Vec<usize>,
    south: Vec<usize>,
    north: Vec<usize>,
    arrivals: Vec<Vec<Flight>>,
    departures: Vec<Vec<Flight>>,
    pub list_requests: Vec<ListRequest>,
    pub reported_docs: Vec<ReportedDoc>,
    misuse: Vec<MisuseRec>,
    rings: Vec<RingBuild>,
    facs: Vec<FacBuild>,
    victims: Vec<(u32, VictimKind, u32, Option<usize>)>,
}

/// (year, month, day) of days since 1970-01-01 (H. Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn birth_on_day(day: i64) -> BirthDate {
    let (y, m, d) = civil_from_days(day);
    BirthDate { year: y.clamp(1, 9999) as u16, month: Some(m), day: Some(d) }
}

impl World {
    pub fn new(cfg: &Config, posts: Vec<Post>) -> World {
        let rng = Rng::new(cfg.seed);
        let nation = nation_of(cfg.country.as_str());
        let start_day = cfg.start.unix_seconds().div_euclid(DAY);
        let t0 = start_day * DAY - nation.utc_offset * 3600;
        let idx = |k: PostKind| posts.iter().enumerate().filter(|(_, p)| p.kind == k).map(|(i, _)| i).collect();
        let land: Vec<usize> = idx(PostKind::Land);
        let air: Vec<usize> = idx(PostKind::Air);
        let sea: Vec<usize> = idx(PostKind::Sea);
        let rank_of =
            |c: &CountryCode| nation_of(c.as_str()).rank.filter(|_| NATIONS.iter().any(|n| n.code == c.as_str()));
        let own = nation.rank;
        let mut south: Vec<usize> = Vec::new();
        let mut north: Vec<usize> = Vec::new();
        for &i in &land {
            let Some(f) = posts[i].facing.as_ref() else { continue };
            match (own, rank_of(f)) {
                (Some(o), Some(r)) if r < o => south.push(i),
                (Some(o), Some(r)) if r > o => north.push(i),
                (None, _) => south.push(i),
                _ => {}
            }
        }
        if south.is_empty() {
            south = if air.is_empty() { land.clone() } else { air.clone() };
        }
        if north.is_empty() {
            north = if air.is_empty() { land.clone() } else { air.clone() };
        }
        // Seasons: December and Holy Week busiest, February and September
        // quietest.
        const MONTH: [u32; 12] = [9, 7, 10, 9, 7, 7, 9, 8, 6, 7, 8, 12];
        let day_cum = (0..YEAR_DAYS)
            .scan(0u64, |acc, d| {
                *acc += u64::from(MONTH[civil_from_days(start_day + d).1 as usize - 1]);
                Some(*acc)
            })
            .collect();
        let mut w = World {
            rng,
            nation,
            posts,
            t0,
            start_day,
            people: Vec::new(),
            pending: Vec::new(),
            groups: 0,
            day_cum,
            land,
            air,
            sea,
            south,
            north,
            arrivals: Vec::new(),
            departures: Vec::new(),
            list_requests: Vec::new(),
            reported_docs: Vec::new(),
            misuse: Vec::new(),
            rings: Vec::new(),
            facs: Vec::new(),
            victims: Vec::new(),
        };
        w.flights();
        w
    }

    fn flights(&mut self) {
        let mut rng = self.rng.fork(1);
        for p in 0..self.posts.len() {
            let mut arr = Vec::new();
            let mut dep = Vec::new();
            if self.posts[p].kind == PostKind::Air {
                let n = 6 + weight(&self.posts[p].code) as usize * 2;
                for (i, list) in [&mut arr, &mut dep].into_iter().enumerate() {
                    for _ in 0..n {
                        let airline = rng.weighted(places::AIRLINES);
                        let num = rng.range(100, 2999) * 2 + i as u64;
                        // Arrivals from 06:00 to 23:00, departures 05:30 to 22:30.
                        let minute = rng.range(330, 1380) as i64;
                        list.push(Flight { code: format!("{airline}{num}"), minute });
                    }
                }
            }
            self.arrivals.push(arr);
            self.departures.push(dep);
        }
    }

    fn scale_count(&self, scale: Scale, full: usize, small: usize) -> usize {
        match scale {
            Scale::Full => full,
            Scale::Small => small,
        }
    }

    // ----- people -------------------------------------------------------

    /// Age-appropriate birth date: `age` whole years on the first day.
    fn birth_for_age(rng: &mut Rng, start_day: i64, age: u32) -> BirthDate {
        let days = start_day - i64::from(age) * 365 - i64::from(age / 4) - rng.range(1, 364) as i64;
        birth_on_day(days)
    }

    fn adult_age(rng: &mut Rng) -> u32 {
        match rng.below(10) {
            0..=3 => rng.range(18, 32) as u32,
            4..=7 => rng.range(33, 50) as u32,
            _ => rng.range(51, 78) as u32,
        }
    }

    /// A new person of the nation; `surnames` forces a family's surnames.
    fn person_with(
        &mut self,
        rng: &mut Rng,
        nat: &'static Nation,
        female: bool,
        age: u32,
        name: Option<Name>,
        kind: PersonKind,
    ) -> u32 {
        let name = name.unwrap_or_else(|| names::person_name(rng, nat.style, female));
        let birth = Self::birth_for_age(rng, self.start_day, age);
        let mut docs = Vec::new();
        let id_card = places::has_id_card(nat) && age >= 18;
        if id_card {
            docs.push(Doc {
                kind: DocKind::IdCard,
                number: places::document_number(rng, nat.code, DocKind::IdCard),
                state: nat.code,
            });
        }
        // Citizens of the CA-4 may cross its borders on their identity card;
        // everyone else needs a passport.
        let passport_p = if !id_card || !nat.ca4 { 1.0 } else { 0.45 };
        if docs.is_empty() || rng.chance(passport_p) {
            docs.push(Doc {
                kind: DocKind::Passport,
                number: places::document_number(rng, nat.code, DocKind::Passport),
                state: nat.code,
            });
        }
        let phone = (age >= 16 && rng.chance(0.88)).then(|| places::phone(rng, nat));
        let address = places::address(rng, nat);
        self.people.push(Person { name, female, birth, nat, docs, phone, address, kind });
        (self.people.len() - 1) as u32
    }

    fn person(&mut self, rng: &mut Rng, nat: &'static Nation, kind: PersonKind) -> u32 {
        let female = rng.chance(0.5);
        let age = Self::adult_age(rng);
        self.person_with(rng, nat, female, age, None, kind)
    }

    // ----- nationalities ------------------------------------------------

    fn neighbours(&self) -> Vec<&'static Nation> {
        let mut v: Vec<&'static Nation> = Vec::new();
        for p in &self.posts {
            if let Some(f) = &p.facing {
                let n = nation_of(f.as_str());
                if n.code == f.as_str() && !v.iter().any(|x| x.code == n.code) {
                    v.push(n);
                }
            }
        }
        v
    }

    /// Own country with probability `own`, a neighbour with `nb`, else one
    /// of `others`.
    fn nationality(&self, rng: &mut Rng, own: f64, nb: f64, others: &[&str]) -> &'static Nation {
        let x = rng.unit();
        let neigh = self.neighbours();
        if x < own {
            self.nation
        } else if x < own + nb && !neigh.is_empty() {
            neigh[rng.index(neigh.len())]
        } else {
            let o: Vec<&str> = others.iter().copied().filter(|c| *c != self.nation.code).collect();
            if o.is_empty() { self.nation } else { nation_of(*rng.pick(&o)) }
        }
    }

    /// Nations whose people transit this country northwards.
    fn transit_nations(&self) -> Vec<&'static Nation> {
        let own = self.nation.rank.unwrap_or(8);
        let v: Vec<&'static Nation> = NATIONS
            .iter()
            .filter(|n| n.code != self.nation.code && n.rank.is_some_and(|r| r < own) && n.code != "BLZ")
            .collect();
        if v.is_empty() { vec![nation_of("HTI")] } else { v }
    }

    // ----- time and places ------------------------------------------------

    /// A day of the year, busier seasons more often.
    fn pick_day(&self, rng: &mut Rng) -> i64 {
        let total = *self.day_cum.last().unwrap_or(&1);
        let x = rng.below(total);
        self.day_cum.partition_point(|&c| c <= x).min(YEAR_DAYS as usize - 1) as i64
    }

    /// `n` trips that do not overlap: sorted distinct start days, each with
    /// a return day `min_len..=max_len` days later but before the next
    /// start (so a trip may be cut short).
    fn trips(&self, rng: &mut Rng, n: u64, min_len: u64, max_len: u64) -> Vec<(i64, i64)> {
        let mut days: Vec<i64> = Vec::with_capacity(n as usize);
        for _ in 0..n * 3 {
            if days.len() as u64 == n {
                break;
            }
            let d = self.pick_day(rng);
            if !days.contains(&d) {
                days.push(d);
            }
        }
        days.sort_unstable();
        let mut out = Vec::with_capacity(days.len());
        for (i, &d) in days.iter().enumerate() {
            let mut back = d + rng.range(min_len, max_len) as i64;
            if let Some(&next) = days.get(i + 1) {
                back = back.min(next - 1).max(d);
            }
            out.push((d, back));
        }
        out
    }

    /// UTC seconds of a local day and minute.
    fn at(&self, day: i64, minute: i64) -> i64 {
        self.t0 + day * DAY + minute * 60
    }

    /// A local minute at a land post: 06:00–21:00, busiest mid-morning.
    fn land_minute(rng: &mut Rng) -> i64 {
        let h = *rng.weighted(&[
            (6, 4),
            (7, 8),
            (8, 10),
            (9, 10),
            (10, 10),
            (11, 9),
            (12, 8),
            (13, 7),
            (14, 7),
            (15, 7),
            (16, 6),
            (17, 5),
            (18, 3),
            (19, 2),
            (20, 1),
        ]);
        h * 60 + rng.below(60) as i64
    }

    fn pick_post(&self, rng: &mut Rng, among: &[usize]) -> Option<usize> {
        if among.is_empty() {
            return None;
        }
        let v: Vec<(usize, u32)> = among.iter().map(|&i| (i, weight(&self.posts[i].code))).collect();
        Some(*rng.weighted(&v))
    }

    fn near_city(&self, rng: &mut Rng, post: usize) -> String {
        let p = &self.posts[post];
        if p.kind == PostKind::Land && rng.chance(0.5) {
            p.name.clone()
        } else {
            rng.pick(self.nation.cities).to_string()
        }
    }

    fn across(&self, rng: &mut Rng, post: usize) -> String {
        let p = &self.posts[post];
        match &p.facing {
            Some(f) if rng.chance(0.6) && !p.facing_name.is_empty() => format!("{}, {}", p.facing_name, f),
            Some(f) => {
                let n = nation_of(f.as_str());
                format!("{}, {}", rng.pick(n.cities), n.code)
            }
            None => {
                let n = &NATIONS[rng.index(NATIONS.len())];
                format!("{}, {}", rng.pick(n.cities), n.code)
            }
        }
    }

    // ----- recording ------------------------------------------------------

    fn trav(&self, rng: &mut Rng, p: u32, post_kind: PostKind) -> Trav {
        let person = &self.people[p as usize];
        let ca4_here = self.nation.ca4 && person.nat.ca4;
        let id = person.docs.iter().find(|d| d.kind == DocKind::IdCard);
        let pass = person.docs.iter().find(|d| d.kind == DocKind::Passport);
        let doc = match (id, pass) {
            (Some(i), Some(_)) if ca4_here && post_kind == PostKind::Land && rng.chance(0.75) => i,
            (Some(i), Some(_)) if ca4_here && rng.chance(0.25) => i,
            (Some(i), None) => i,
            (_, Some(p)) => p,
            (None, None) => unreachable!("every person holds a document"),
        }
        .clone();
        Trav { p, doc, phone: person.phone.clone(), address: Some(person.address.clone()), misuse: None }
    }

    fn group_id(&mut self) -> String {
        self.groups += 1;
        format!("{}-G{:06}", self.nation.code, self.groups)
    }

    /// Records a leg for every traveller; returns the records' sequence
    /// numbers (`None` for a leg outside the year).
    fn emit(&mut self, rng: &mut Rng, leg: &Leg, travs: &[Trav]) -> Vec<usize> {
        let end = self.t0 + YEAR_DAYS * DAY;
        if leg.t < self.t0 || leg.t >= end || travs.is_empty() {
            return Vec::new();
        }
        let group = if leg.group && travs.len() > 1 { self.group_id() } else { String::new() };
        let crossed_at = Timestamp::from_unix_seconds(leg.t).expect("times within the year are valid");
        let mut out = Vec::with_capacity(travs.len());
        for tr in travs {
            let rec = self.render(rng, tr, leg, crossed_at, &group);
            if let Some((kind, holder, listed)) = tr.misuse {
                self.misuse.push(MisuseRec {
                    seq: self.pending.len(),
                    person: tr.p,
                    doc: tr.doc.clone(),
                    kind,
                    holder,
                    listed,
                });
            }
            out.push(self.pending.len());
            self.pending.push(Pending { t: leg.t, person: tr.p, rec });
        }
        out
    }

    /// A crossing record as an officer would key or scan it: the person's
    /// real data with record-level noise.
    fn render(&self, rng: &mut Rng, tr: &Trav, leg: &Leg, crossed_at: Timestamp, group: &str) -> CrossingRecord {
        let p = &self.people[tr.p as usize];
        let (given_names, surnames) = render_name(rng, &p.name, tr.doc.kind);
        let birth_date = match rng.below(200) {
            0 | 1 => None,
            2 => match (p.birth.month, p.birth.day) {
                (Some(m), Some(d)) if d <= 12 && d != m => Some(BirthDate { month: Some(d), day: Some(m), ..p.birth }),
                _ => Some(p.birth),
            },
            _ => Some(p.birth),
        };
        let nationality = if rng.chance(0.01) { None } else { CountryCode::parse(p.nat.code).ok() };
        let mut number = tr.doc.number.clone();
        if rng.chance(0.004) {
            // A keying slip between look-alike characters.
            number = number.replacen('0', "O", 1).replacen('1', "I", 1);
        }
        let sex = if rng.chance(0.005) {
            Sex::Unknown
        } else if p.female {
            Sex::Female
        } else {
            Sex::Male
        };
        CrossingRecord {
            crossing_id: String::new(),
            post: self.posts[leg.post].code.clone(),
            direction: leg.dir,
            crossed_at,
            given_names,
            surnames,
            birth_date,
            nationality,
            sex,
            document_type: tr.doc.kind.code().to_string(),
            document_number: DocumentNumber::parse(&number).ok(),
            issuing_state: CountryCode::parse(tr.doc.state).ok(),
            group_id: group.to_string(),
            vehicle: leg.vehicle.clone(),
            phone: tr.phone.clone().filter(|_| rng.chance(0.75)).unwrap_or_default(),
            address: tr.address.clone().filter(|_| rng.chance(0.85)).unwrap_or_default(),
            destination: leg.destination.clone(),
        }
    }

    fn leg(&self, t: i64, post: usize, dir: Direction, vehicle: String, destination: String, group: bool) -> Leg {
        Leg { t, post, dir, vehicle, destination, group }
    }

    /// Direction of the first leg of a round trip by someone of `nat`:
    /// nationals leave and come back, foreigners come and leave.
    fn outbound(&self, nat: &Nation) -> (Direction, Direction) {
        if nat.code == self.nation.code {
            (Direction::Exit, Direction::Entry)
        } else {
            (Direction::Entry, Direction::Exit)
        }
    }

    fn destination(&self, rng: &mut Rng, dir: Direction, post: usize, home: &Nation) -> String {
        match dir {
            Direction::Entry if home.code == self.nation.code => rng.pick(self.nation.cities).to_string(),
            Direction::Entry => self.near_city(rng, post),
            Direction::Exit => {
                if self.posts[post].facing.is_some() {
                    self.across(rng, post)
                } else if home.code != self.nation.code {
                    format!("{}, {}", rng.pick(home.cities), home.code)
                } else {
                    self.across(rng, post)
                }
            }
        }
    }

    // ----- ordinary traffic ---------------------------------------------

    pub fn person_id(i: u32) -> String {
        format!("P{:07}", i + 1)
    }
}

fn ring_id(k: usize) -> String {
    format!("R{:02}", k + 1)
}

fn rng_code(r: &mut Rng) -> &'static str {
    NATIONS[r.index(NATIONS.len())].code
}

fn rng_city(r: &mut Rng, n: &Nation) -> String {
    r.pick(n.cities).to_string()
}

/// Writes a person's name as one record shows it: scanned from an MRZ
/// (upper case, no accents) or keyed by hand (accents sometimes lost,
/// typos, second names and surnames dropped, given names swapped).
pub(crate) fn render_name(rng: &mut Rng, name: &Name, doc: DocKind) -> (String, String) {
    let scanned = rng.chance(if doc == DocKind::Passport { 0.45 } else { 0.25 });
    let mut given: Vec<&str> = name.given.clone();
    let mut surnames: Vec<&str> = name.surnames.iter().map(String::as_str).collect();
    if given.len() > 1 {
        if rng.chance(0.06) {
            given.truncate(1);
        } else if rng.chance(0.03) {
            given.swap(0, 1);
        }
    }
    if surnames.len() > 1 && rng.chance(0.09) {
        surnames.pop();
    }
    let mut g = given.join(" ");
    let mut s = surnames.join(" ");
    if scanned {
        return (names::mrz_style(&g), names::mrz_style(&s));
    }
    match rng.below(100) {
        0..=3 => g = names::typo(rng, &g),
        4..=7 => s = names::typo(rng, &s),
        _ => {}
    }
    if rng.chance(0.2) {
        g = names::fold_ascii(&g);
        s = names::fold_ascii(&s);
    }
    if rng.chance(0.08) {
        g = g.to_uppercase();
        s = s.to_uppercase();
    }
    if rng.chance(0.005) {
        std::mem::swap(&mut g, &mut s);
    }
    (g, s)
}
