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

    pub fn ordinary(&mut self, scale: Scale) {
        let mut r = self.rng.fork(10);
        let n = self.scale_count(scale, 1200, 24);
        for _ in 0..n {
            self.commuter(&mut r);
        }
        let mut r = self.rng.fork(11);
        for _ in 0..self.scale_count(scale, 500, 10) {
            self.trucker(&mut r);
        }
        let mut r = self.rng.fork(12);
        for _ in 0..self.scale_count(scale, 3000, 60) {
            self.family(&mut r);
        }
        let mut r = self.rng.fork(13);
        for _ in 0..self.scale_count(scale, 400, 8) {
            self.tour(&mut r);
        }
        let mut r = self.rng.fork(14);
        for _ in 0..self.scale_count(scale, 900, 18) {
            self.bus_run(&mut r);
        }
        let mut r = self.rng.fork(15);
        for _ in 0..self.scale_count(scale, 14_000, 280) {
            self.air_traveller(&mut r);
        }
        let mut r = self.rng.fork(16);
        for _ in 0..self.scale_count(scale, 40, 1) {
            self.cruise(&mut r);
        }
        let mut r = self.rng.fork(17);
        for _ in 0..self.scale_count(scale, 4500, 90) {
            self.migrant(&mut r);
        }
        let mut r = self.rng.fork(18);
        for _ in 0..self.scale_count(scale, 8000, 160) {
            self.one_off(&mut r);
        }
    }

    fn commuter(&mut self, r: &mut Rng) {
        let Some(post) = self.pick_post(r, &self.land.clone()) else { return };
        let Some(f) = self.posts[post].facing else { return };
        let nat = if r.chance(0.5) { self.nation } else { nation_of(f.as_str()) };
        let p = self.person(r, nat, PersonKind::Commuter);
        let trips = if r.chance(0.3) { r.range(40, 90) } else { r.range(6, 35) };
        let car = r.chance(0.2).then(|| places::plate(r, nat, false));
        let (d1, d2) = self.outbound(nat);
        let dest_out = self.destination(r, d1, post, nat);
        for (day, _) in self.trips(r, trips, 0, 0) {
            let tr = self.trav(r, p, PostKind::Land);
            let t1 = self.at(day, r.range(6 * 60, 9 * 60 + 30) as i64);
            let t2 = self.at(day, r.range(15 * 60, 19 * 60) as i64);
            let v = car.clone().unwrap_or_default();
            let dest = if r.chance(0.8) { dest_out.clone() } else { self.destination(r, d1, post, nat) };
            let l1 = self.leg(t1, post, d1, v.clone(), dest, false);
            let back = self.destination(r, d2, post, nat);
            let l2 = self.leg(t2, post, d2, v, back, false);
            self.emit(r, &l1, std::slice::from_ref(&tr));
            self.emit(r, &l2, &[tr]);
        }
    }

    fn trucker(&mut self, r: &mut Rng) {
        let nat = self.nationality(r, 0.4, 0.35, &["SLV", "HND", "NIC", "CRI", "PAN", "MEX", "GTM"]);
        let female = r.chance(0.03);
        let age = r.range(24, 62) as u32;
        let p = self.person_with(r, nat, female, age, None, PersonKind::TruckDriver);
        let plate = places::plate(r, nat, true);
        let trips = r.range(6, 36);
        let land = self.land.clone();
        let (d1, d2) = self.outbound(nat);
        for (day, back) in self.trips(r, trips, 1, 4) {
            let (Some(a), Some(b)) = (self.pick_post(r, &land), self.pick_post(r, &land)) else { return };
            let tr = self.trav(r, p, PostKind::Land);
            let t1 = self.at(day, r.range(5 * 60, 12 * 60) as i64);
            let t2 = self.at(back, r.range(13 * 60, 22 * 60) as i64);
            let dest1 = self.destination(r, d1, a, nat);
            let dest2 = self.destination(r, d2, b, nat);
            let l1 = self.leg(t1, a, d1, plate.clone(), dest1, false);
            let l2 = self.leg(t2, b, d2, plate.clone(), dest2, false);
            self.emit(r, &l1, std::slice::from_ref(&tr));
            self.emit(r, &l2, &[tr]);
        }
    }

    /// Parents and their children: children carry the father's first
    /// surname and the mother's first surname.
    fn make_family(&mut self, r: &mut Rng, nat: &'static Nation, kind: PersonKind) -> Vec<u32> {
        let style = nat.style;
        let father = names::person_name(r, style, false);
        let mut mother = names::person_name(r, style, true);
        let hispanic = matches!(style, NameStyle::Hispanic | NameStyle::Guatemalan);
        if hispanic && r.chance(0.25) {
            // A married woman's `de` + husband's surname, as Guatemalan and
            // Salvadoran documents may carry it.
            mother.surnames.push(format!("de {}", father.surnames[0]));
        }
        let kids = match r.below(10) {
            0..=1 => 0,
            2..=4 => 1,
            5..=7 => 2,
            8 => 3,
            _ => 4,
        };
        let both = kids == 0 || r.chance(0.7);
        let pa = r.range(24, 50) as u32;
        let ma = pa.saturating_sub(r.range(0, 5) as u32).max(20);
        let mut out = Vec::new();
        let fa_name = father.clone();
        if both || r.chance(0.3) {
            out.push(self.person_with(r, nat, false, pa, Some(father), kind));
        }
        if both || out.is_empty() {
            out.push(self.person_with(r, nat, true, ma, Some(mother.clone()), kind));
        }
        for _ in 0..kids {
            let female = r.chance(0.5);
            let age = r.range(0, (ma - 17).min(17) as u64) as u32;
            let given = names::given(r, style, female);
            let surnames = if hispanic {
                vec![fa_name.surnames[0].clone(), mother.surnames[0].clone()]
            } else {
                vec![fa_name.surnames[0].clone()]
            };
            let k = self.person_with(r, nat, female, age, Some(Name { given, surnames }), kind);
            // Children share the family's address; they have no phone.
            let home = self.people[out[0] as usize].address.clone();
            self.people[k as usize].address = home;
            self.people[k as usize].phone = None;
            out.push(k);
        }
        if out.len() > 1 {
            let home = self.people[out[0] as usize].address.clone();
            let phone = self.people[out[0] as usize].phone.clone();
            for &m in &out[1..] {
                self.people[m as usize].address = home.clone();
                if self.people[m as usize].phone.is_some() && r.chance(0.3) {
                    self.people[m as usize].phone = phone.clone();
                }
            }
        }
        out
    }

    fn family(&mut self, r: &mut Rng) {
        let nat = self.nationality(r, 0.4, 0.3, &["SLV", "HND", "NIC", "CRI", "MEX", "USA", "DOM", "PAN"]);
        let fam = self.make_family(r, nat, PersonKind::Family);
        let trips = *r.weighted(&[(1, 6), (2, 3), (3, 1)]);
        for (day, back) in self.trips(r, trips, 2, 21) {
            let by_air = !self.air.is_empty() && r.chance(0.3);
            let kind = if by_air { PostKind::Air } else { PostKind::Land };
            let pool = if by_air { self.air.clone() } else { self.land.clone() };
            let (Some(a), Some(b)) = (self.pick_post(r, &pool), self.pick_post(r, &pool)) else { return };
            let b = if r.chance(0.7) { a } else { b };
            let (d1, d2) = self.outbound(nat);
            let car = (!by_air && r.chance(0.6)).then(|| places::plate(r, nat, false));
            let travs: Vec<Trav> = fam.iter().map(|&p| self.trav(r, p, kind)).collect();
            let (t1, v1) = self.leg_time(r, a, d1, day, car.clone());
            let (t2, v2) = self.leg_time(r, b, d2, back, car);
            let dest1 = self.destination(r, d1, a, nat);
            let dest2 = self.destination(r, d2, b, nat);
            let l1 = self.leg(t1, a, d1, v1, dest1, true);
            let l2 = self.leg(t2, b, d2, v2, dest2, true);
            self.emit(r, &l1, &travs);
            self.emit(r, &l2, &travs);
        }
    }

    /// A time and vehicle for a leg at a post: a flight at airports, the
    /// given vehicle (or none) at land posts.
    fn leg_time(&self, r: &mut Rng, post: usize, dir: Direction, day: i64, vehicle: Option<String>) -> (i64, String) {
        match self.posts[post].kind {
            PostKind::Air => {
                let list = if dir == Direction::Entry { &self.arrivals[post] } else { &self.departures[post] };
                let f = r.pick(list);
                let m = if dir == Direction::Entry {
                    f.minute + r.range(15, 60) as i64
                } else {
                    f.minute - r.range(60, 150) as i64
                };
                (self.at(day, m), f.code.clone())
            }
            PostKind::Sea => (self.at(day, r.range(7 * 60, 18 * 60) as i64), vehicle.unwrap_or_default()),
            PostKind::Land => (self.at(day, Self::land_minute(r)), vehicle.unwrap_or_default()),
        }
    }

    fn tour(&mut self, r: &mut Rng) {
        let land = self.land.clone();
        let (Some(a), Some(b)) = (self.pick_post(r, &land), self.pick_post(r, &land)) else { return };
        let size = r.range(12, 40);
        let home = *r.weighted(&[("USA", 4), ("CAN", 2), ("ESP", 2), ("MEX", 2), ("SLV", 1), ("CRI", 1), ("COL", 1)]);
        let mut ps = Vec::new();
        for _ in 0..size {
            let nat = if r.chance(0.85) { nation_of(home) } else { nation_of(rng_code(r)) };
            ps.push(self.person(r, nat, PersonKind::TourGroup));
        }
        let bus = format!(
            "Turismo {} {}",
            r.pick(&["Maya", "Centroamérica", "Quetzal", "Sol"]),
            places::plate(r, self.nation, true)
        );
        let day = self.pick_day(r);
        let travs: Vec<Trav> = ps.iter().map(|&p| self.trav(r, p, PostKind::Land)).collect();
        let t1 = self.at(day, r.range(8 * 60, 16 * 60) as i64);
        let t2 = self.at(day + r.range(3, 10) as i64, r.range(8 * 60, 16 * 60) as i64);
        let nat = self.people[ps[0] as usize].nat;
        let (d1, d2) = self.outbound(nat);
        let dest1 = self.destination(r, d1, a, nat);
        let dest2 = self.destination(r, d2, b, nat);
        let l1 = self.leg(t1, a, d1, bus.clone(), dest1, true);
        let l2 = self.leg(t2, b, d2, bus, dest2, true);
        self.emit(r, &l1, &travs);
        self.emit(r, &l2, &travs);
    }

    fn bus_run(&mut self, r: &mut Rng) {
        let (south, north) = (self.south.clone(), self.north.clone());
        let (Some(a), Some(b)) = (self.pick_post(r, &south), self.pick_post(r, &north)) else { return };
        if self.posts[a].kind != PostKind::Land || self.posts[b].kind != PostKind::Land {
            return;
        }
        // Northbound or southbound: swap ends half the time.
        let (a, b) = if r.chance(0.5) { (a, b) } else { (b, a) };
        let bus = format!("{} {}", r.pick(places::BUS_LINES), r.range(100, 999));
        let day = self.pick_day(r);
        let t1 = self.at(day, r.range(4 * 60, 14 * 60) as i64);
        let t2 = t1 + r.range(5 * 3600, 9 * 3600) as i64;
        for _ in 0..r.range(8, 32) {
            let nat = self.nationality(r, 0.25, 0.35, &["SLV", "HND", "NIC", "CRI", "PAN", "MEX", "COL", "USA"]);
            let p = self.person(r, nat, PersonKind::BusPassenger);
            let tr = self.trav(r, p, PostKind::Land);
            let jitter = r.range(0, 40 * 60) as i64;
            let through = nat.code != self.nation.code && r.chance(0.7);
            let dest = if through { self.across(r, b) } else { self.near_city(r, a) };
            let l1 = self.leg(t1 + jitter, a, Direction::Entry, bus.clone(), dest, false);
            if nat.code == self.nation.code {
                // A national coming home on the bus.
                let dest = rng_city(r, self.nation);
                self.emit(r, &Leg { destination: dest, ..l1 }, &[tr]);
                continue;
            }
            self.emit(r, &l1, std::slice::from_ref(&tr));
            if through {
                let dest = self.across(r, b);
                let l2 = self.leg(t2 + jitter, b, Direction::Exit, bus.clone(), dest, false);
                self.emit(r, &l2, &[tr]);
            }
        }
    }

    fn air_traveller(&mut self, r: &mut Rng) {
        let air = self.air.clone();
        let Some(a) = self.pick_post(r, &air) else { return };
        let nat = self.nationality(
            r,
            0.2,
            0.1,
            &["USA", "USA", "USA", "CAN", "ESP", "MEX", "COL", "PER", "CRI", "PAN", "DOM"],
        );
        let p = self.person(r, nat, PersonKind::AirTraveller);
        let trips = *r.weighted(&[(1, 80), (2, 12), (4, 5), (8, 3)]);
        let (d1, d2) = self.outbound(nat);
        for (day, back) in self.trips(r, trips, 2, 20) {
            let b = if r.chance(0.85) { a } else { self.pick_post(r, &air).unwrap_or(a) };
            let tr = self.trav(r, p, PostKind::Air);
            let (t1, f1) = self.leg_time(r, a, d1, day, None);
            let back = back.max(day + 1);
            let (t2, f2) = self.leg_time(r, b, d2, back, None);
            let dest1 = self.destination(r, d1, a, nat);
            let dest2 = self.destination(r, d2, b, nat);
            let l1 = self.leg(t1, a, d1, f1, dest1, false);
            let l2 = self.leg(t2, b, d2, f2, dest2, false);
            self.emit(r, &l1, std::slice::from_ref(&tr));
            self.emit(r, &l2, &[tr]);
        }
    }

    fn cruise(&mut self, r: &mut Rng) {
        let sea = self.sea.clone();
        let Some(port) = self.pick_post(r, &sea) else { return };
        let ship = format!("MS {}", r.pick(&["Caribbean Star", "Pacific Dawn", "Ocean Voyager", "Island Spirit"]));
        let day = self.pick_day(r);
        let n = r.range(120, 380);
        for _ in 0..n {
            let nat = nation_of(*r.weighted(&[("USA", 8), ("CAN", 3), ("ESP", 1), ("MEX", 1)]));
            let p = self.person(r, nat, PersonKind::CruisePassenger);
            let tr = self.trav(r, p, PostKind::Sea);
            let t1 = self.at(day, r.range(7 * 60, 9 * 60 + 30) as i64);
            let t2 = self.at(day, r.range(15 * 60, 17 * 60 + 30) as i64);
            let dest = rng_city(r, self.nation);
            let l1 = self.leg(t1, port, Direction::Entry, ship.clone(), dest, false);
            let l2 = self.leg(t2, port, Direction::Exit, ship.clone(), String::new(), false);
            self.emit(r, &l1, std::slice::from_ref(&tr));
            self.emit(r, &l2, &[tr]);
        }
    }

    fn migrant(&mut self, r: &mut Rng) {
        let nats = self.transit_nations();
        let nat = nats[r.index(nats.len())];
        let party = if r.chance(0.3) {
            self.make_family(r, nat, PersonKind::Migrant)
        } else {
            vec![self.person(r, nat, PersonKind::Migrant)]
        };
        let (south, north) = (self.south.clone(), self.north.clone());
        let (Some(a), Some(b)) = (self.pick_post(r, &south), self.pick_post(r, &north)) else { return };
        let day = self.pick_day(r);
        let travs: Vec<Trav> = party.iter().map(|&p| self.trav(r, p, self.posts[a].kind)).collect();
        let (t1, v1) = self.leg_time(r, a, Direction::Entry, day, None);
        let dest = self.across(r, b);
        let l1 = self.leg(t1, a, Direction::Entry, v1, dest.clone(), true);
        self.emit(r, &l1, &travs);
        if r.chance(0.8) {
            let onward = day + r.range(1, 8) as i64;
            let (t2, v2) = self.leg_time(r, b, Direction::Exit, onward, None);
            let l2 = self.leg(t2, b, Direction::Exit, v2, dest, true);
            self.emit(r, &l2, &travs);
        }
    }

    fn one_off(&mut self, r: &mut Rng) {
        let land = self.land.clone();
        let Some(a) = self.pick_post(r, &land) else { return };
        let nat = self.nationality(r, 0.55, 0.35, &["SLV", "HND", "NIC", "CRI", "PAN", "MEX"]);
        let p = self.person(r, nat, PersonKind::OneOff);
        let tr = self.trav(r, p, PostKind::Land);
        let (d1, d2) = self.outbound(nat);
        let day = self.pick_day(r);
        let t1 = self.at(day, Self::land_minute(r));
        let dest1 = self.destination(r, d1, a, nat);
        let l1 = self.leg(t1, a, d1, String::new(), dest1, false);
        self.emit(r, &l1, std::slice::from_ref(&tr));
        if r.chance(0.7) {
            let t2 = self.at(day + r.range(0, 10) as i64, Self::land_minute(r)).max(t1 + 3600);
            let dest2 = self.destination(r, d2, a, nat);
            let l2 = self.leg(t2, a, d2, String::new(), dest2, false);
            self.emit(r, &l2, &[tr]);
        }
    }

    // ----- planted patterns ---------------------------------------------

    pub fn planted(&mut self, scale: Scale) {
        let mut r = self.rng.fork(20);
        for _ in 0..self.scale_count(scale, 12, 3) {
            self.smuggling_ring(&mut r, scale);
        }
        let mut r = self.rng.fork(21);
        for _ in 0..self.scale_count(scale, 5, 2) {
            self.trafficking_ring(&mut r);
        }
        let mut r = self.rng.fork(22);
        for _ in 0..self.scale_count(scale, 40, 5) {
            self.escorted_minor(&mut r);
        }
        let mut r = self.rng.fork(23);
        for _ in 0..self.scale_count(scale, 40, 6) {
            self.wanted_traveller(&mut r);
        }
        let mut r = self.rng.fork(24);
        for _ in 0..self.scale_count(scale, 60, 8) {
            self.stolen_document(&mut r);
        }
    }

    fn smuggling_ring(&mut self, r: &mut Rng, scale: Scale) {
        let ring = self.rings.len();
        let own = self.nation;
        let leader = {
            let age = r.range(35, 60) as u32;
            self.person_with(r, own, false, age, None, PersonKind::RingLeader)
        };
        self.list_requests.push(ListRequest {
            kind: centinela_domain::ListKind::Watch,
            person: leader,
            note: "Vigilancia: presunto organizador de red de tráfico ilícito de migrantes",
        });
        let phones: Vec<String> = (0..2).map(|_| places::phone(r, own)).collect();
        let north_town = self.north.first().map(|&i| self.posts[i].name.clone()).unwrap_or_default();
        let addresses: Vec<String> = (0..2)
            .map(|_| {
                let a = places::address(r, own);
                if north_town.is_empty() || r.chance(0.5) {
                    a
                } else {
                    format!("{}, {}", a.rsplit_once(", ").map_or(a.as_str(), |x| x.0), north_town)
                }
            })
            .collect();
        // Passports the ring lends out, of nationalities it moves.
        let nats = self.transit_nations();
        let documents: Vec<Doc> = (0..2)
            .map(|_| {
                let n = nats[r.index(nats.len())];
                Doc {
                    kind: DocKind::Passport,
                    number: places::document_number(r, n.code, DocKind::Passport),
                    state: n.code,
                }
            })
            .collect();
        let blank_listed = r.chance(0.5);
        if blank_listed {
            self.reported_docs.push(ReportedDoc {
                doc: documents[0].clone(),
                status: DocumentStatus::StolenBlank,
                day: -(r.range(30, 700) as i64),
            });
        }
        let van = places::plate(r, own, false);
        self.rings.push(RingBuild {
            kind: RingKind::Smuggling,
            members: vec![leader],
            moved: Vec::new(),
            phones: phones.clone(),
            addresses: addresses.clone(),
            documents: documents.iter().map(|d| d.number.clone()).collect(),
            seqs: Vec::new(),
        });
        let n_fac = r.range(2, 3);
        let mut leader_trips = r.range(3, 6);
        for _ in 0..n_fac {
            let fnat = if r.chance(0.7) { own } else { nats[r.index(nats.len())] };
            let age = r.range(22, 50) as u32;
            let fac = self.person_with(r, fnat, false, age, None, PersonKind::Facilitator);
            self.rings[ring].members.push(fac);
            if r.chance(0.3) {
                self.list_requests.push(ListRequest {
                    kind: centinela_domain::ListKind::Wanted,
                    person: fac,
                    note: "Orden de captura: tráfico ilícito de migrantes",
                });
            }
            let fi = self.facs.len();
            self.facs.push(FacBuild { person: fac, ring, companions: Vec::new(), minors: Vec::new() });
            let trips = match scale {
                Scale::Full => r.range(8, 20),
                Scale::Small => r.range(8, 12),
            };
            // Spread the trips over the year, a few weeks apart.
            let gap = (YEAR_DAYS - 20) / trips as i64;
            for k in 0..trips as i64 {
                let day = 5 + k * gap + r.below(gap.max(1) as u64 / 2) as i64;
                let (Some(a), Some(b)) =
                    (self.pick_post(r, &self.south.clone()), self.pick_post(r, &self.north.clone()))
                else {
                    return;
                };
                // The migrants of this trip: strangers to each other and to
                // the facilitator, sometimes with unrelated minors.
                let mut moved = Vec::new();
                let mut minors = Vec::new();
                for _ in 0..r.range(2, 6) {
                    let n = nats[r.index(nats.len())];
                    let minor = r.chance(0.18);
                    let female = r.chance(if minor { 0.5 } else { 0.35 });
                    let age = if minor { r.range(9, 16) as u32 } else { r.range(18, 40) as u32 };
                    let m = self.person_with(r, n, female, age, None, PersonKind::SmuggledMigrant);
                    if minor {
                        self.people[m as usize].kind = PersonKind::Victim;
                        self.victims.push((m, VictimKind::SmuggledMinor, fac, Some(ring)));
                        minors.push(m);
                    }
                    moved.push(m);
                }
                let with_leader = leader_trips > 0 && r.chance(0.4);
                let mut party = vec![self.trav(r, fac, PostKind::Land)];
                if with_leader {
                    leader_trips -= 1;
                    party.push(self.trav(r, leader, PostKind::Land));
                }
                for &m in &moved {
                    let mut tr = self.trav(r, m, PostKind::Land);
                    if r.chance(0.7) {
                        tr.phone = Some(phones[r.index(phones.len())].clone());
                    }
                    if r.chance(0.5) {
                        tr.address = Some(addresses[r.index(addresses.len())].clone());
                    }
                    if r.chance(0.15) {
                        let d = documents[r.index(documents.len())].clone();
                        let listed = blank_listed && d == documents[0];
                        tr.doc = d;
                        tr.misuse = Some((MisuseKind::Reused, None, listed));
                    }
                    party.push(tr);
                }
                // Pick-up: the facilitator leaves alone the day before.
                let t0 = self.at(day - 1, Self::land_minute(r));
                let fac_alone = vec![party[0].clone()];
                let dest = self.across(r, a);
                let l0 = self.leg(t0, a, Direction::Exit, String::new(), dest, false);
                let s0 = self.emit(r, &l0, &fac_alone);
                let t1 = self.at(day, Self::land_minute(r));
                let dest = self.posts[b].name.clone();
                let l1 = self.leg(t1, a, Direction::Entry, van.clone(), dest, true);
                let s1 = self.emit(r, &l1, &party);
                let day2 = day + r.range(1, 3) as i64;
                let t2 = self.at(day2, Self::land_minute(r));
                let dest = self.across(r, b);
                let l2 = self.leg(t2, b, Direction::Exit, van.clone(), dest, true);
                let s2 = self.emit(r, &l2, &party);
                let t3 = self.at(day2 + r.range(1, 2) as i64, Self::land_minute(r));
                let dest = rng_city(r, own);
                let l3 = self.leg(t3, b, Direction::Entry, String::new(), dest, false);
                let s3 = self.emit(r, &l3, &fac_alone);
                let fb = &mut self.facs[fi];
                fb.companions.extend(party[1..].iter().map(|t| t.p));
                fb.minors.extend(minors.iter().copied());
                let rb = &mut self.rings[ring];
                rb.moved.extend(moved.iter().copied());
                rb.seqs.extend(s0.iter().chain(&s1).chain(&s2).chain(&s3).copied());
            }
        }
    }

    fn trafficking_ring(&mut self, r: &mut Rng) {
        let ring = self.rings.len();
        let own = self.nation;
        let neigh = self.neighbours();
        let source: Vec<&'static Nation> = {
            let mut v = self.transit_nations();
            v.extend(neigh.iter().copied());
            v.retain(|n| n.code != own.code);
            if v.is_empty() { vec![own] } else { v }
        };
        let phone = places::phone(r, own);
        let venue = format!(
            "{} {}, {}",
            r.pick(&["Bar", "Cantina", "Hotel", "Comedor", "Night Club"]),
            r.pick(&["El Paraíso", "La Bendición", "Las Palmeras", "El Oasis", "La Cabaña"]),
            r.pick(own.cities)
        );
        self.rings.push(RingBuild {
            kind: RingKind::Trafficking,
            members: Vec::new(),
            moved: Vec::new(),
            phones: vec![phone.clone()],
            addresses: vec![venue.clone()],
            documents: Vec::new(),
            seqs: Vec::new(),
        });
        for _ in 0..r.range(1, 2) {
            let tnat = if r.chance(0.5) { own } else { source[r.index(source.len())] };
            let age = r.range(25, 52) as u32;
            let tk = self.person_with(r, tnat, false, age, None, PersonKind::Trafficker);
            self.rings[ring].members.push(tk);
            let fi = self.facs.len();
            self.facs.push(FacBuild { person: tk, ring, companions: Vec::new(), minors: Vec::new() });
            let trips = r.range(5, 10) as i64;
            let gap = (YEAR_DAYS - 20) / trips;
            for k in 0..trips {
                let day = 5 + k * gap + r.below(gap as u64 / 2) as i64;
                let Some(a) = self.pick_post(r, &self.south.clone()) else { return };
                let vnat = source[r.index(source.len())];
                let mut party = vec![self.trav(r, tk, self.posts[a].kind)];
                let mut moved = Vec::new();
                let mut minors = Vec::new();
                for _ in 0..r.range(1, 3) {
                    let minor = r.chance(0.45);
                    let age = if minor { r.range(13, 16) } else { r.range(18, 23) } as u32;
                    let v = self.person_with(r, vnat, true, age, None, PersonKind::Victim);
                    self.victims.push((v, VictimKind::Trafficked, tk, Some(ring)));
                    if r.chance(0.45) {
                        self.list_requests.push(ListRequest {
                            kind: centinela_domain::ListKind::Missing,
                            person: v,
                            note: if minor {
                                "Alerta Alba-Keneth: niña desaparecida"
                            } else {
                                "Alerta Isabel-Claudina: mujer desaparecida"
                            },
                        });
                    }
                    let mut tr = self.trav(r, v, self.posts[a].kind);
                    tr.phone = Some(phone.clone());
                    if minor {
                        minors.push(v);
                    }
                    moved.push(v);
                    party.push(tr);
                }
                let t0 = self.at(day - 2, Self::land_minute(r));
                let dest = self.across(r, a);
                let l0 = self.leg(t0, a, Direction::Exit, String::new(), dest, false);
                let s0 = self.emit(r, &l0, &party[..1]);
                let car = places::plate(r, tnat, false);
                let (t1, v1) = self.leg_time(r, a, Direction::Entry, day, Some(car));
                let l1 = self.leg(t1, a, Direction::Entry, v1, venue.clone(), true);
                let s1 = self.emit(r, &l1, &party);
                let fb = &mut self.facs[fi];
                fb.companions.extend(moved.iter().copied());
                fb.minors.extend(minors.iter().copied());
                let rb = &mut self.rings[ring];
                rb.moved.extend(moved.iter().copied());
                rb.seqs.extend(s0.iter().chain(&s1).copied());
            }
        }
    }

    /// A minor crossing with one adult who is not a parent (T1).
    fn escorted_minor(&mut self, r: &mut Rng) {
        let nats = self.transit_nations();
        let nat = if r.chance(0.5) { self.nation } else { nats[r.index(nats.len())] };
        let adult = self.person(r, nat, PersonKind::Escort);
        let female = r.chance(0.6);
        let age = r.range(4, 16) as u32;
        let kid = self.person_with(r, nat, female, age, None, PersonKind::Victim);
        self.people[kid as usize].phone = None;
        self.victims.push((kid, VictimKind::MinorWithNonRelative, adult, None));
        let land = self.land.clone();
        let Some(a) = self.pick_post(r, &land) else { return };
        let travs = vec![self.trav(r, adult, PostKind::Land), self.trav(r, kid, PostKind::Land)];
        let day = self.pick_day(r).clamp(1, YEAR_DAYS - 2);
        let t = self.at(day, Self::land_minute(r));
        let dest = self.near_city(r, a);
        let l = self.leg(t, a, Direction::Entry, String::new(), dest, true);
        self.emit(r, &l, &travs);
    }

    fn wanted_traveller(&mut self, r: &mut Rng) {
        let nat = self.nationality(r, 0.5, 0.3, &["SLV", "HND", "MEX", "COL", "VEN", "DOM"]);
        let female = r.chance(0.15);
        let age = r.range(20, 55) as u32;
        let p = self.person_with(r, nat, female, age, None, PersonKind::Wanted);
        self.list_requests.push(ListRequest {
            kind: centinela_domain::ListKind::Wanted,
            person: p,
            note: *r.pick(&[
                "Notificación roja: homicidio",
                "Orden de captura: extorsión",
                "Orden de captura: narcotráfico",
                "Notificación roja: asociación ilícita",
                "Orden de captura: robo agravado",
            ]),
        });
        let land = self.land.clone();
        let (d1, d2) = self.outbound(nat);
        let n = r.range(1, 3);
        for (day, back) in self.trips(r, n, 1, 15) {
            let Some(a) = self.pick_post(r, &land) else { return };
            let tr = self.trav(r, p, PostKind::Land);
            let t1 = self.at(day, Self::land_minute(r));
            let dest = self.destination(r, d1, a, nat);
            let l1 = self.leg(t1, a, d1, String::new(), dest, false);
            self.emit(r, &l1, std::slice::from_ref(&tr));
            if r.chance(0.6) && back > day {
                let t2 = self.at(back, Self::land_minute(r));
                let dest = self.destination(r, d2, a, nat);
                let l2 = self.leg(t2, a, d2, String::new(), dest, false);
                self.emit(r, &l2, &[tr]);
            }
        }
    }

    /// Someone crosses on another person's stolen passport; in half the
    /// cases the holder crossed on it earlier in the year (so the number is
    /// seen with two holders, T4).
    fn stolen_document(&mut self, r: &mut Rng) {
        let nat = self.nationality(r, 0.3, 0.4, &["SLV", "HND", "NIC", "COL", "VEN", "ECU"]);
        let female = r.chance(0.4);
        let age = r.range(20, 50) as u32;
        let holder = self.person_with(r, nat, female, age, None, PersonKind::AirTraveller);
        let doc = self.people[holder as usize].docs.iter().find(|d| d.kind == DocKind::Passport).cloned();
        let Some(doc) = doc else { return };
        let impostor_age = (age as i64 + r.range(0, 8) as i64 - 4).max(18) as u32;
        let impostor = self.person_with(r, nat, female, impostor_age, None, PersonKind::Impostor);
        let land = self.land.clone();
        let mut theft_day = r.range(60, 300) as i64;
        if r.chance(0.5) {
            let Some(a) = self.pick_post(r, &land) else { return };
            let day = r.range(1, (theft_day - 10) as u64) as i64;
            let mut tr = self.trav(r, holder, PostKind::Land);
            tr.doc = doc.clone();
            let (d1, _) = self.outbound(nat);
            let dest = self.destination(r, d1, a, nat);
            let l = self.leg(self.at(day, Self::land_minute(r)), a, d1, String::new(), dest, false);
            self.emit(r, &l, &[tr]);
        } else {
            theft_day = -(r.range(10, 400) as i64);
        }
        let status = if r.chance(0.7) { DocumentStatus::Stolen } else { DocumentStatus::Lost };
        self.reported_docs.push(ReportedDoc { doc: doc.clone(), status, day: theft_day + r.range(1, 20) as i64 });
        let (d1, d2) = self.outbound(nation_of(doc.state));
        let (d1, d2) = if nat.code == self.nation.code { (d2, d1) } else { (d1, d2) };
        let Some(a) = self.pick_post(r, &land) else { return };
        let day = (theft_day.max(0) + r.range(25, 60) as i64).min(YEAR_DAYS - 3);
        let mut tr = self.trav(r, impostor, PostKind::Land);
        tr.doc = doc;
        tr.misuse = Some((MisuseKind::Stolen, Some(holder), true));
        let dest = self.destination(r, d1, a, nat);
        let l = self.leg(self.at(day, Self::land_minute(r)), a, d1, String::new(), dest, false);
        self.emit(r, &l, std::slice::from_ref(&tr));
        if r.chance(0.5) {
            let dest = self.destination(r, d2, a, nat);
            let l =
                self.leg(self.at(day + r.range(1, 2) as i64, Self::land_minute(r)), a, d2, String::new(), dest, false);
            self.emit(r, &l, &[tr]);
        }
    }

    // ----- finishing ------------------------------------------------------

    pub fn person_id(i: u32) -> String {
        format!("P{:07}", i + 1)
    }

    /// Sorts the records by time, gives them ids, and builds the truth.
    pub fn finish(mut self) -> (Vec<CrossingRecord>, Truth, Vec<Person>, Vec<ListRequest>, Vec<ReportedDoc>, i64) {
        let mut order: Vec<usize> = (0..self.pending.len()).collect();
        order.sort_by_key(|&i| (self.pending[i].t, i));
        let mut id_of_seq = vec![String::new(); self.pending.len()];
        let prefix = self.nation.code;
        let mut pending: Vec<Option<Pending>> = std::mem::take(&mut self.pending).into_iter().map(Some).collect();
        let mut crossings = Vec::with_capacity(pending.len());
        let mut truth = Truth::default();
        let mut crossed = vec![0u32; self.people.len()];
        for (n, &i) in order.iter().enumerate() {
            let Some(mut p) = pending[i].take() else { continue };
            let id = format!("{prefix}-C{:07}", n + 1);
            p.rec.crossing_id = id.clone();
            id_of_seq[i] = id.clone();
            truth.person_of_crossing.insert(id, Self::person_id(p.person));
            crossed[p.person as usize] += 1;
            crossings.push(p.rec);
        }
        for (i, p) in self.people.iter().enumerate() {
            if crossed[i] == 0 {
                continue;
            }
            truth.persons.push(PersonTruth {
                person_id: Self::person_id(i as u32),
                given_names: p.name.given_text(),
                surnames: p.name.surnames_text(),
                birth_date: p.birth,
                nationality: CountryCode::parse(p.nat.code).expect("nation codes are valid"),
                sex: if p.female { Sex::Female } else { Sex::Male },
                kind: p.kind,
            });
        }
        let ids = |v: &[u32]| v.iter().map(|&p| Self::person_id(p)).collect::<Vec<_>>();
        for (k, rb) in self.rings.iter().enumerate() {
            let mut cids: Vec<String> = rb.seqs.iter().map(|&s| id_of_seq[s].clone()).collect();
            cids.sort();
            cids.dedup();
            truth.rings.push(Ring {
                ring_id: ring_id(k),
                kind: rb.kind,
                person_ids: ids(&rb.members),
                moved: ids(&rb.moved),
                phones: rb.phones.clone(),
                addresses: rb.addresses.clone(),
                documents: rb.documents.clone(),
                crossing_ids: cids,
            });
        }
        for fb in &self.facs {
            let mut comp = fb.companions.clone();
            comp.sort();
            comp.dedup();
            let mut minors = fb.minors.clone();
            minors.sort();
            minors.dedup();
            let n = crossed[fb.person as usize] as usize;
            truth.facilitators.push(Facilitator {
                person_id: Self::person_id(fb.person),
                ring_id: ring_id(fb.ring),
                crossings: n,
                distinct_companions: comp.len(),
                minor_companions: minors.len(),
            });
        }
        for &(p, kind, escort, ring) in &self.victims {
            if crossed[p as usize] > 0 {
                truth.victims.push(Victim {
                    person_id: Self::person_id(p),
                    kind,
                    escort_id: Self::person_id(escort),
                    ring_id: ring.map(ring_id),
                });
            }
        }
        let listed_docs: Vec<&Doc> = self.reported_docs.iter().map(|d| &d.doc).collect();
        for m in &self.misuse {
            let listed = m.listed || listed_docs.contains(&&m.doc);
            truth.document_misuse.push(DocumentMisuse {
                crossing_id: id_of_seq[m.seq].clone(),
                person_id: Self::person_id(m.person),
                document_number: m.doc.number.clone(),
                issuing_state: CountryCode::parse(m.doc.state).expect("nation codes are valid"),
                kind: m.kind,
                holder_id: m.holder.map(Self::person_id),
                listed,
            });
        }
        truth.document_misuse.sort_by(|a, b| a.crossing_id.cmp(&b.crossing_id));
        (crossings, truth, self.people, self.list_requests, self.reported_docs, self.start_day)
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
