//! The year closed: records sorted by time and given ids, and the truth
//! built from what was planted.

use super::*;

/// What the world made: the crossing records in time order, the truth
/// behind them, the population, and what the alert lists are to hold.
pub(crate) struct Finished {
    pub crossings: Vec<CrossingRecord>,
    pub truth: Truth,
    pub people: Vec<Person>,
    pub list_requests: Vec<ListRequest>,
    pub reported_docs: Vec<ReportedDoc>,
    /// The first day of the year, in days since 1970-01-01.
    pub start_day: i64,
}

impl World {
    /// Sorts the records by time, gives them ids, and builds the truth.
    pub fn finish(mut self) -> Finished {
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
        Finished {
            crossings,
            truth,
            people: self.people,
            list_requests: self.list_requests,
            reported_docs: self.reported_docs,
            start_day: self.start_day,
        }
    }
}
