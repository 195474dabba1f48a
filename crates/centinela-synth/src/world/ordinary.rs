//! Ordinary traffic: commuters, truckers, families, tours, buses, air and
//! sea travellers, migrants and one-off trips.

// `*rng.pick(TABLE)`: see the note in `world/mod.rs`.
#![allow(clippy::explicit_auto_deref)]

use super::*;

impl World {
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
    pub(super) fn make_family(&mut self, r: &mut Rng, nat: &'static Nation, kind: PersonKind) -> Vec<u32> {
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
    pub(super) fn leg_time(
        &self,
        r: &mut Rng,
        post: usize,
        dir: Direction,
        day: i64,
        vehicle: Option<String>,
    ) -> (i64, String) {
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
}
