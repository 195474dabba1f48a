//! The co-travel graph and shared-attribute links between resolved persons.
//!
//! Two persons travelled together when their crossings were registered in
//! one travel party (same `group_id`), or — weaker — passed the same post in
//! the same vehicle within [`VEHICLE_WINDOW`] seconds (a vehicle carrying
//! more than [`MAX_VEHICLE_PARTY`] persons at once is a coach, ferry or
//! flight: no link). Shared-attribute links join persons who gave the same
//! phone or address or used the same document. Every link keeps its
//! crossings, so it is dated and can be shown.

use serde::Serialize;

use crate::data::{Crossings, FastMap, NONE};
use crate::resolve::Resolution;

/// Seconds within which one vehicle at one post is one passage.
pub const VEHICLE_WINDOW: i64 = 15 * 60;
/// Above this many persons a vehicle passage is public transport.
pub const MAX_VEHICLE_PARTY: usize = 12;

/// How two persons are linked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// Registered in one travel party.
    Party,
    /// Same vehicle, same post, within minutes.
    Vehicle,
    /// Gave the same phone.
    Phone,
    /// Gave the same address.
    Address,
    /// Crossed on the same document.
    Document,
    /// On the same airline booking (PNR).
    Booking,
    /// Bookings paid with the same card or account.
    Payer,
    /// Bookings giving the same phone or e-mail.
    Contact,
    /// Bookings made by the same travel agency.
    Agency,
}

impl LinkKind {
    /// Weight of one occurrence of the link.
    pub fn weight(&self) -> f64 {
        match self {
            LinkKind::Party => 1.0,
            LinkKind::Vehicle => 0.3,
            LinkKind::Phone => 0.5,
            LinkKind::Address => 0.3,
            LinkKind::Document => 1.0,
            LinkKind::Booking => 1.0,
            LinkKind::Payer => 0.8,
            LinkKind::Contact => 0.5,
            // An agency books for thousands: weak, and left out of the
            // edges where shared by many (`edges`' `max_shared`).
            LinkKind::Agency => 0.1,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            LinkKind::Party => "party",
            LinkKind::Vehicle => "vehicle",
            LinkKind::Phone => "phone",
            LinkKind::Address => "address",
            LinkKind::Document => "document",
            LinkKind::Booking => "booking",
            LinkKind::Payer => "payer",
            LinkKind::Contact => "contact",
            LinkKind::Agency => "agency",
        }
    }
}

/// One passage together: the crossings of a party or of a vehicle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    pub kind: LinkKind,
    /// Crossing indices, at least two persons among them.
    pub crossings: Vec<u32>,
}

/// The graph over resolved persons.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Every passage together, parties first then vehicles.
    pub passages: Vec<Passage>,
    /// Passages (indices into `passages`) of each person.
    pub passages_of: Vec<Vec<u32>>,
    /// Persons by shared value: `(kind, interned value)` → persons, for
    /// phones, addresses and documents used by more than one person.
    pub shared: Vec<(LinkKind, u32, Vec<u32>)>,
    /// Crossings of each person, in time order.
    pub crossings_of: Vec<Vec<u32>>,
}

impl Graph {
    pub fn build(c: &Crossings, r: &Resolution) -> Graph {
        let mut crossings_of = vec![Vec::new(); r.persons];
        for (i, &p) in r.person.iter().enumerate() {
            crossings_of[p as usize].push(i as u32);
        }
        for v in &mut crossings_of {
            v.sort_by_key(|&i| (c.time[i as usize], i));
        }
        let mut passages = Vec::new();
        let mut by_group: FastMap<u32, Vec<u32>> = FastMap::default();
        for i in 0..c.len() {
            if c.group[i] != NONE {
                by_group.entry(c.group[i]).or_default().push(i as u32);
            }
        }
        let mut groups: Vec<Vec<u32>> = by_group.into_values().filter(|v| distinct_persons(r, v) >= 2).collect();
        groups.sort();
        passages.extend(groups.into_iter().map(|crossings| Passage { kind: LinkKind::Party, crossings }));
        // Vehicles: sort by (post, vehicle, time), cut where the gap exceeds the window.
        let mut veh: Vec<u32> = (0..c.len() as u32).filter(|&i| c.vehicle[i as usize] != NONE).collect();
        veh.sort_by_key(|&i| (c.post[i as usize], c.vehicle[i as usize], c.time[i as usize], i));
        let mut s = 0;
        while s < veh.len() {
            let (a, key) = (veh[s] as usize, (c.post[veh[s] as usize], c.vehicle[veh[s] as usize]));
            let mut e = s + 1;
            let mut last = c.time[a];
            while e < veh.len() {
                let b = veh[e] as usize;
                if (c.post[b], c.vehicle[b]) != key || c.time[b] - last > VEHICLE_WINDOW {
                    break;
                }
                last = c.time[b];
                e += 1;
            }
            let run = &veh[s..e];
            let n = distinct_persons(r, run);
            // Only passengers not already linked as one party.
            if (2..=MAX_VEHICLE_PARTY).contains(&n) {
                let first_group = c.group[run[0] as usize];
                let one_party = first_group != NONE && run.iter().all(|&i| c.group[i as usize] == first_group);
                if !one_party {
                    passages.push(Passage { kind: LinkKind::Vehicle, crossings: run.to_vec() });
                }
            }
            s = e;
        }
        let mut passages_of = vec![Vec::new(); r.persons];
        for (k, p) in passages.iter().enumerate() {
            let mut ps: Vec<u32> = p.crossings.iter().map(|&i| r.person[i as usize]).collect();
            ps.sort_unstable();
            ps.dedup();
            for q in ps {
                passages_of[q as usize].push(k as u32);
            }
        }
        let mut shared = Vec::new();
        for (kind, col) in
            [(LinkKind::Phone, &c.phone), (LinkKind::Address, &c.address), (LinkKind::Document, &c.document)]
        {
            let mut by: FastMap<u32, Vec<u32>> = FastMap::default();
            for (i, &v) in col.iter().enumerate() {
                if v != NONE {
                    by.entry(v).or_default().push(r.person[i]);
                }
            }
            let mut vals: Vec<(u32, Vec<u32>)> = by
                .into_iter()
                .filter_map(|(v, mut ps)| {
                    ps.sort_unstable();
                    ps.dedup();
                    (ps.len() >= 2).then_some((v, ps))
                })
                .collect();
            vals.sort();
            shared.extend(vals.into_iter().map(|(v, ps)| (kind, v, ps)));
        }
        // Booking links (air passenger data): same booking, payer, contact
        // or agency, by the keys the records carry.
        let mut by: std::collections::BTreeMap<(LinkKind, u32), Vec<u32>> = std::collections::BTreeMap::new();
        for &(i, kind, v) in &c.links {
            by.entry((kind, v)).or_default().push(r.person[i as usize]);
        }
        for ((kind, v), mut ps) in by {
            ps.sort_unstable();
            ps.dedup();
            if ps.len() >= 2 {
                shared.push((kind, v, ps));
            }
        }
        Graph { passages, passages_of, shared, crossings_of }
    }

    /// Weighted edges between persons `(a, b, weight)`, `a < b`: each
    /// passage together and each shared value adds its kind's weight.
    /// Values shared by more than `max_shared` persons (a bus terminal's
    /// address, a hotel's phone) are left out.
    pub fn edges(&self, r: &Resolution, max_shared: usize) -> Vec<(u32, u32, f64)> {
        let mut w: FastMap<(u32, u32), f64> = FastMap::default();
        let mut add = |ps: &[u32], weight: f64| {
            for (x, &a) in ps.iter().enumerate() {
                for &b in &ps[x + 1..] {
                    *w.entry((a.min(b), a.max(b))).or_insert(0.0) += weight;
                }
            }
        };
        for p in &self.passages {
            let mut ps: Vec<u32> = p.crossings.iter().map(|&i| r.person[i as usize]).collect();
            ps.sort_unstable();
            ps.dedup();
            add(&ps, p.kind.weight());
        }
        for (kind, _, ps) in &self.shared {
            if ps.len() <= max_shared {
                add(ps, kind.weight());
            }
        }
        let mut out: Vec<(u32, u32, f64)> = w.into_iter().map(|((a, b), x)| (a, b, x)).collect();
        out.sort_by_key(|x| (x.0, x.1));
        out
    }
}

fn distinct_persons(r: &Resolution, crossings: &[u32]) -> usize {
    let mut ps: Vec<u32> = crossings.iter().map(|&i| r.person[i as usize]).collect();
    ps.sort_unstable();
    ps.dedup();
    ps.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{Params, resolve};
    use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Sex, Timestamp};

    fn rec(id: &str, given: &str, surnames: &str, birth: &str, doc: &str, post: &str) -> CrossingRecord {
        CrossingRecord {
            crossing_id: id.into(),
            post: post.into(),
            direction: Direction::Entry,
            crossed_at: Timestamp::parse("2026-03-01T10:00:00Z").unwrap(),
            given_names: given.into(),
            surnames: surnames.into(),
            birth_date: BirthDate::parse_opt(birth).unwrap(),
            nationality: CountryCode::parse("ECU").ok(),
            sex: Sex::Male,
            document_type: "P".into(),
            document_number: DocumentNumber::parse(doc).ok(),
            issuing_state: CountryCode::parse("ECU").ok(),
            group_id: String::new(),
            vehicle: String::new(),
            phone: String::new(),
            address: String::new(),
            destination: String::new(),
        }
    }

    /// Three unrelated passengers booked by one payer and contact; one of
    /// them crosses later at a land post and is one person with their
    /// booking record; an agency alone shared by two is a weak link.
    #[test]
    fn booking_links_join_persons_and_a_booked_passenger_is_one_person_with_their_crossing() {
        let mut c = Crossings::default();
        let pay = [(LinkKind::Payer, "p1"), (LinkKind::Contact, "c1"), (LinkKind::Agency, "a1")];
        c.push_linked(&rec("pnr-1", "JUAN CARLOS", "QUISPE MAMANI", "1991-04-05", "EC1111", "GUA"), &pay);
        c.push_linked(&rec("pnr-2", "WEI", "CHEN", "1988-11-30", "EC2222", "GUA"), &pay);
        c.push_linked(&rec("pnr-3", "AMINATA", "DIALLO", "1995-07-14", "EC3333", "GUA"), &pay[..1]);
        c.push(&rec("x-1", "JUAN CARLOS", "QUISPE MAMANI", "1991-04-05", "EC1111", "GTM-TECUNUMAN"));
        let r = resolve(&c, &Params::default(), &[]);
        assert_eq!(r.person[0], r.person[3], "the booked passenger and the land crossing are one person");
        let g = Graph::build(&c, &r);
        let kinds: Vec<(LinkKind, usize)> = g.shared.iter().map(|(k, _, ps)| (*k, ps.len())).collect();
        assert_eq!(kinds, vec![(LinkKind::Payer, 3), (LinkKind::Contact, 2), (LinkKind::Agency, 2)]);
        let edges = g.edges(&r, 50);
        let (a, b) = (r.person[3].min(r.person[1]), r.person[3].max(r.person[1]));
        let w = edges.iter().find(|e| (e.0, e.1) == (a, b)).map(|e| e.2).unwrap();
        assert!((w - (0.8 + 0.5 + 0.1)).abs() < 1e-9, "{w}");
    }
}
