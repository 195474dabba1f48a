//! The planted patterns: smuggling and trafficking rings, escorted minors,
//! wanted travellers and stolen documents, with their truth.

// `*rng.pick(TABLE)`: see the note in `world/mod.rs`.
#![allow(clippy::explicit_auto_deref)]

use super::*;

impl World {
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
}
