//! The synthetic country: determinism, well-formed records and lists, and
//! planted patterns that really are in the data.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Instant;

use centinela_domain::{
    BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, DocumentStatus, ListKind, Role, Sex, Timestamp,
    check_phone,
};
use centinela_synth::{
    CROSSINGS_HEADER, Config, Country, MisuseKind, PersonKind, RingKind, Scale, VictimKind, generate,
    write_crossings_csv, write_list_csv,
};
use proptest::prelude::*;

fn small(seed: u64) -> Country {
    generate(&Config::new(seed, Scale::Small))
}

fn crossings_csv(c: &Country) -> Vec<u8> {
    let mut out = Vec::new();
    write_crossings_csv(&mut out, &c.crossings).unwrap();
    out
}

fn all_csv(c: &Country) -> Vec<u8> {
    let mut out = crossings_csv(c);
    for l in &c.lists {
        write_list_csv(&mut out, l).unwrap();
    }
    c.truth.write_persons_csv(&mut out).unwrap();
    out
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let a = all_csv(&small(7));
    let b = all_csv(&small(7));
    assert!(a == b, "same seed, different output");
    assert_eq!(small(7), small(7));
    let c = all_csv(&small(8));
    assert!(a != c, "different seeds, same output");
}

/// Reads the CSV back field by field with the domain's parsers.
fn read_back(csv_bytes: &[u8]) -> Vec<CrossingRecord> {
    let mut rdr = csv::Reader::from_reader(csv_bytes);
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header, CROSSINGS_HEADER);
    let opt = |s: &str| if s.is_empty() { None } else { Some(s.to_string()) };
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let f = |i: usize| r.get(i).unwrap();
            assert!(!f(0).is_empty() && !f(1).is_empty());
            if !f(14).is_empty() {
                check_phone(f(14)).unwrap_or_else(|e| panic!("{}: {e}", f(0)));
            }
            assert!(!f(4).is_empty() || !f(5).is_empty(), "{}: no name", f(0));
            CrossingRecord {
                given_names: f(4).to_string(),
                surnames: f(5).to_string(),
                birth_date: BirthDate::parse_opt(f(6)).unwrap(),
                nationality: CountryCode::parse_opt(f(7)).unwrap(),
                sex: Sex::parse(f(8)).unwrap(),
                document_type: f(9).to_string(),
                document_number: opt(f(10)).map(|d| DocumentNumber::parse(&d).unwrap()),
                issuing_state: CountryCode::parse_opt(f(11)).unwrap(),
                group_id: f(12).to_string(),
                vehicle: f(13).to_string(),
                phone: f(14).to_string(),
                address: f(15).to_string(),
                destination: f(16).to_string(),
                ..CrossingRecord::new(
                    f(0).to_string(),
                    f(1).to_string(),
                    Direction::parse(f(2)).unwrap(),
                    Timestamp::parse(f(3)).unwrap(),
                )
            }
        })
        .collect()
}

#[test]
fn every_record_parses_and_round_trips() {
    for seed in [1, 2] {
        let c = small(seed);
        assert!((2_000..20_000).contains(&c.crossings.len()), "{}", c.crossings.len());
        let back = read_back(&crossings_csv(&c));
        assert_eq!(back, c.crossings);
        let posts: BTreeSet<&str> = c.posts.iter().map(|p| p.code.as_str()).collect();
        let mut ids = BTreeSet::new();
        let mut last = None;
        for r in &c.crossings {
            assert!(posts.contains(r.post.as_str()), "{}", r.post);
            assert!(ids.insert(r.crossing_id.clone()), "duplicate {}", r.crossing_id);
            assert!(last <= Some(r.crossed_at), "not in time order at {}", r.crossing_id);
            last = Some(r.crossed_at);
            assert!(matches!(r.document_type.as_str(), "P" | "ID"));
            assert!(r.document_number.is_some() && r.issuing_state.is_some());
            assert!(c.truth.person_of(&r.crossing_id).is_some());
        }
        let first = c.crossings[0].crossed_at.unix_seconds();
        let span = c.crossings.last().unwrap().crossed_at.unix_seconds() - first;
        assert!(span > 300 * 86_400 && span <= 366 * 86_400, "{span}");
        assert!(first >= c.config.start.unix_seconds());
    }
}

#[test]
fn travel_parties_share_post_time_and_direction() {
    let c = small(3);
    let mut groups: BTreeMap<&str, Vec<&CrossingRecord>> = BTreeMap::new();
    for r in c.crossings.iter().filter(|r| !r.group_id.is_empty()) {
        groups.entry(&r.group_id).or_default().push(r);
    }
    assert!(groups.len() > 50);
    for (g, rs) in &groups {
        assert!(rs.len() >= 2, "{g} has one member");
        for r in rs {
            assert_eq!((&r.post, r.crossed_at, r.direction), (&rs[0].post, rs[0].crossed_at, rs[0].direction), "{g}");
        }
        let persons: BTreeSet<&str> = rs.iter().map(|r| c.truth.person_of(&r.crossing_id).unwrap()).collect();
        assert_eq!(persons.len(), rs.len(), "{g}: a person twice in one party");
    }
}

#[test]
fn planted_facilitators_cross_often_with_different_companions() {
    for seed in [1, 4] {
        let c = small(seed);
        let person = |id: &str| c.truth.person_of(id).unwrap().to_string();
        let mut by_group: HashMap<&str, Vec<String>> = HashMap::new();
        let mut trips_of: HashMap<String, BTreeSet<&str>> = HashMap::new();
        for r in &c.crossings {
            if !r.group_id.is_empty() {
                by_group.entry(&r.group_id).or_default().push(person(&r.crossing_id));
            }
            trips_of.entry(person(&r.crossing_id)).or_default().insert(&r.crossing_id);
        }
        let smuggling: BTreeSet<&str> =
            c.truth.rings.iter().filter(|r| r.kind == RingKind::Smuggling).map(|r| r.ring_id.as_str()).collect();
        assert!(smuggling.len() >= 3);
        let mut checked = 0;
        for f in c.truth.facilitators.iter().filter(|f| smuggling.contains(f.ring_id.as_str())) {
            let mine: Vec<&CrossingRecord> =
                c.crossings.iter().filter(|r| c.truth.person_of(&r.crossing_id) == Some(&f.person_id)).collect();
            assert_eq!(mine.len(), f.crossings);
            // 8 or more trips: out alone, in with the group, out with the
            // group, back alone.
            assert!(mine.len() >= 32, "{} crosses {} times", f.person_id, mine.len());
            let mut companions = BTreeSet::new();
            for r in mine.iter().filter(|r| !r.group_id.is_empty()) {
                companions.extend(by_group[r.group_id.as_str()].iter().filter(|p| **p != f.person_id).cloned());
            }
            assert_eq!(companions.len(), f.distinct_companions);
            assert!(companions.len() >= 16, "{}: {} companions", f.person_id, companions.len());
            // N5: most companions cross on one trip only (in and out).
            let once = companions.iter().filter(|p| trips_of[*p].len() <= 2).count();
            assert!(once * 10 >= companions.len() * 8, "{once} of {}", companions.len());
            checked += 1;
        }
        assert!(checked >= 6);
    }
}

#[test]
fn shared_phones_reused_documents_and_victims_are_in_the_records() {
    let c = small(5);
    let person = |id: &str| c.truth.person_of(id).unwrap();
    for ring in c.truth.rings.iter().filter(|r| r.kind == RingKind::Smuggling) {
        // N1: a ring phone given by several unrelated travellers.
        let users: BTreeSet<&str> =
            c.crossings.iter().filter(|r| ring.phones.contains(&r.phone)).map(|r| person(&r.crossing_id)).collect();
        assert!(users.len() >= 5, "{}: phone used by {}", ring.ring_id, users.len());
    }
    for m in &c.truth.document_misuse {
        let r = c.crossings.iter().find(|r| r.crossing_id == m.crossing_id).unwrap();
        assert_eq!(person(&r.crossing_id), m.person_id);
        assert_eq!(r.issuing_state.unwrap(), m.issuing_state);
        assert_ne!(m.holder_id.as_deref(), Some(m.person_id.as_str()));
        if m.kind == MisuseKind::Stolen {
            let docs = &c.lists.iter().find(|l| l.kind == ListKind::Documents).unwrap().documents;
            let listed = docs.iter().any(|d| d.document_number.as_str() == m.document_number);
            assert!(listed && m.listed, "{} not listed", m.document_number);
        }
    }
    // N3: a lent document number seen with several persons.
    let mut holders: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for r in &c.crossings {
        holders.entry(r.document_number.as_ref().unwrap().as_str()).or_default().insert(person(&r.crossing_id));
    }
    let reused = c
        .truth
        .rings
        .iter()
        .flat_map(|r| &r.documents)
        .filter(|d| holders.get(d.as_str()).is_some_and(|h| h.len() >= 2));
    assert!(reused.count() >= 1);
    // T1: minors with an adult who is no parent, at the same crossing.
    let ages: HashMap<&str, _> = c.truth.persons.iter().map(|p| (p.person_id.as_str(), p)).collect();
    let mut minors = 0;
    for v in &c.truth.victims {
        let p = ages[v.person_id.as_str()];
        let escort = ages[v.escort_id.as_str()];
        if v.kind != VictimKind::Trafficked {
            assert_eq!(p.kind, PersonKind::Victim);
            let r = c.crossings.iter().find(|r| person(&r.crossing_id) == v.person_id).unwrap();
            assert!(r.crossed_at.age_of(&p.birth_date) < 18, "{} is no minor", v.person_id);
            minors += 1;
        }
        assert_ne!(p.surnames, escort.surnames);
    }
    assert!(minors >= 5);
}

#[test]
fn the_same_person_is_written_differently() {
    let c = small(1);
    let mut spellings: HashMap<&str, BTreeSet<(String, String)>> = HashMap::new();
    let mut docs: HashMap<&str, BTreeSet<String>> = HashMap::new();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for r in &c.crossings {
        let p = c.truth.person_of(&r.crossing_id).unwrap();
        *count.entry(p).or_default() += 1;
        spellings.entry(p).or_default().insert((r.given_names.clone(), r.surnames.clone()));
        docs.entry(p).or_default().insert(r.document_type.clone());
    }
    let frequent: Vec<_> = spellings.iter().filter(|(p, _)| count[*p] >= 10).collect();
    assert!(frequent.len() > 10);
    let varied = frequent.iter().filter(|(_, s)| s.len() >= 3).count();
    assert!(varied * 2 > frequent.len(), "{varied} of {}", frequent.len());
    assert!(docs.values().filter(|d| d.len() == 2).count() >= 5, "nobody shows two kinds of document");
    let text: String = c.crossings.iter().map(|r| format!("{} {} ", r.given_names, r.surnames)).collect();
    for needle in ["Ñ", "ñ", "á", "de la ", "del ", "GARCIA"] {
        assert!(text.contains(needle), "no {needle}");
    }
}

#[test]
fn round_trips_pair_up() {
    let c = small(2);
    let entries = c.crossings.iter().filter(|r| r.direction == Direction::Entry).count();
    let exits = c.crossings.len() - entries;
    let ratio = entries as f64 / exits as f64;
    assert!((0.8..1.25).contains(&ratio), "{entries} entries, {exits} exits");
    let air = c.crossings.iter().filter(|r| r.post == "GTM-GUA").collect::<Vec<_>>();
    assert!(!air.is_empty() && air.iter().all(|r| !r.vehicle.is_empty()), "flights carry their number");
}

#[test]
fn lists_are_well_formed_and_hold_the_planted() {
    let c = small(6);
    let kinds: Vec<ListKind> = c.lists.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, ListKind::ALL);
    for l in &c.lists {
        let mut out = Vec::new();
        write_list_csv(&mut out, l).unwrap();
        let mut rdr = csv::Reader::from_reader(out.as_slice());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
        let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
        if l.kind == ListKind::Documents {
            assert_eq!(header, ["document_number", "issuing_state", "document_type", "status", "reported_at"]);
            assert!(rows.len() >= 500);
            for r in &rows {
                DocumentNumber::parse(&r[0]).unwrap();
                CountryCode::parse(&r[1]).unwrap();
                DocumentStatus::parse(&r[3]).unwrap();
                BirthDate::parse(&r[4][..10]).unwrap();
            }
        } else {
            assert_eq!(&header[..6], ["id", "given_names", "surnames", "birth_date", "nationality", "sex"]);
            assert!(rows.len() >= 200);
            let ids: BTreeSet<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
            assert_eq!(ids.len(), rows.len());
            for r in &rows {
                for d in r[3].split(';').filter(|s| !s.is_empty()) {
                    BirthDate::parse(d).unwrap();
                }
                for n in r[4].split(';').filter(|s| !s.is_empty()) {
                    CountryCode::parse(n).unwrap();
                }
                Sex::parse(&r[5]).unwrap();
                for d in r[7].split(';').filter(|s| !s.is_empty()) {
                    DocumentNumber::parse(d).unwrap();
                }
            }
        }
    }
    assert!(c.truth.listed.len() >= 10);
    for kind in [ListKind::Wanted, ListKind::Missing, ListKind::Watch] {
        assert!(c.truth.listed.iter().any(|l| l.kind == kind), "nobody planted on {kind:?}");
    }
    let persons: HashMap<&str, _> = c.truth.persons.iter().map(|p| (p.person_id.as_str(), p)).collect();
    for l in &c.truth.listed {
        let list = c.lists.iter().find(|x| x.name == l.list).unwrap();
        let e = list.entries.iter().find(|e| e.id == l.entry_id).unwrap();
        assert_eq!((&e.given_names, &e.surnames), (&l.given_names, &l.surnames));
        let p = persons[l.person_id.as_str()];
        assert_ne!((&p.given_names, &p.surnames), (&e.given_names, &e.surnames), "no spelling variant");
    }
}

#[test]
fn users_cover_every_role_and_post() {
    let c = small(1);
    for role in Role::ALL {
        assert!(c.users.iter().any(|u| u.role == role), "{role}");
    }
    for p in &c.posts {
        assert!(c.users.iter().any(|u| u.role == Role::Officer && u.post.as_deref() == Some(&p.code)));
    }
    let names: BTreeSet<&str> = c.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names.len(), c.users.len());
    assert!(c.users.iter().all(|u| u.username.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '.')));
}

#[test]
fn small_scale_is_fast() {
    let t = Instant::now();
    let c = small(9);
    let mut sink = Vec::new();
    write_crossings_csv(&mut sink, &c.crossings).unwrap();
    let limit = if cfg!(debug_assertions) { 10.0 } else { 1.0 };
    assert!(t.elapsed().as_secs_f64() < limit, "{:?}", t.elapsed());
}

#[test]
fn other_countries_and_countries_without_posts() {
    for code in ["MEX", "DOM", "CRI", "PAN", "HND"] {
        let mut cfg = Config::new(1, Scale::Small);
        cfg.country = CountryCode::parse(code).unwrap();
        let c = generate(&cfg);
        assert!(c.crossings.len() > 1_000, "{code}: {}", c.crossings.len());
        assert!(c.crossings.iter().all(|r| r.post.starts_with(code)));
        assert_eq!(read_back(&crossings_csv(&c)), c.crossings);
    }
    let mut cfg = Config::new(1, Scale::Small);
    cfg.country = CountryCode::parse("USA").unwrap();
    let c = generate(&cfg);
    assert!(c.crossings.is_empty() && c.posts.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn generate_never_panics(seed in any::<u64>(), day in 0i64..20_000) {
        let mut cfg = Config::new(seed, Scale::Small);
        cfg.start = Timestamp::from_unix_seconds(day * 86_400 + 3_600).unwrap();
        let c = generate(&cfg);
        prop_assert!(!c.crossings.is_empty());
        prop_assert_eq!(c.truth.person_of_crossing.len(), c.crossings.len());
    }
}
