//! What an analyst reads about one analysis: a [`Report`] holds the
//! crossings, the [`Analysis`], document reuse and shared contacts, and the
//! indices to answer "who is this person, which records are theirs and why,
//! whom are they linked to and how, and what does the network around them
//! look like" without recomputing anything.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::data::{Crossings, NONE};
use crate::detect::{self, DocumentReuse, SharedContact};
use crate::graph::LinkKind;
use crate::resolve::{Evidence, Override, explain, person_label};
use crate::{Analysis, analyse};

/// Shared values (phone, address, document) given by more persons than this
/// make no link in the network view or the exports (a bus terminal's
/// address, a hotel's phone).
pub const MAX_SHARED: usize = 25;

/// An analysis with its indices.
#[derive(Debug, Clone)]
pub struct Report {
    pub crossings: Crossings,
    pub analysis: Analysis,
    pub documents: Vec<DocumentReuse>,
    pub contacts: Vec<SharedContact>,
    /// Indices into `analysis.graph.shared` of each person.
    shared_of: Vec<Vec<u32>>,
    /// Index into `analysis.facilitators` of each facilitator.
    facilitator_of: HashMap<u32, usize>,
    /// Indices into `analysis.rings` of each ring member.
    rings_of: HashMap<u32, Vec<usize>>,
    /// Identity links (indices into `analysis.resolution.links`) per person.
    links_of: HashMap<u32, Vec<u32>>,
}

/// Who a resolved person is, as their records say.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonSummary {
    pub person_id: String,
    /// The spelling of the name seen most often (folded), and the others.
    pub name: String,
    pub other_names: Vec<String>,
    pub birth_dates: Vec<String>,
    pub nationalities: Vec<String>,
    /// `M`, `F`, `X` as registered.
    pub sexes: Vec<String>,
    /// `STATE:NUMBER` keys of the documents used.
    pub documents: Vec<String>,
    pub crossings: usize,
    pub first_seen: i64,
    pub last_seen: i64,
    /// Facilitator score, when the person is one.
    pub facilitator_score: Option<f64>,
    pub ring_ids: Vec<String>,
}

/// Why two records of one person were joined.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentityLink {
    pub crossing_a: String,
    pub crossing_b: String,
    /// Score in nats; `None` for an analyst's merge.
    pub score: Option<f32>,
    /// `resolver` or `analyst`.
    pub by: &'static str,
    pub evidence: Vec<Evidence>,
}

/// How one person is linked to another in the network, with the crossings
/// that show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PersonLink {
    pub person_id: String,
    pub name: String,
    pub weight: f64,
    /// Occurrences per kind (`party`, `vehicle`, `phone`, `address`, `document`).
    pub kinds: BTreeMap<&'static str, usize>,
    /// Crossings of both persons in the passages together (at most 20).
    pub crossing_ids: Vec<String>,
    /// Shared values (phone, address, document key), at most 5.
    pub shared: Vec<String>,
    pub first: i64,
    pub last: i64,
}

/// A network to draw: persons and the weighted links among them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Network {
    pub nodes: Vec<NetworkNode>,
    pub edges: Vec<NetworkEdge>,
    /// Neighbours left out to keep the drawing readable.
    pub truncated: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkNode {
    pub id: String,
    pub label: String,
    /// `facilitator`, `minor` (under 18 at a crossing) or `person`.
    pub role: &'static str,
    /// One of the persons the view was asked for.
    pub seed: bool,
    pub crossings: usize,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkEdge {
    pub source: String,
    pub target: String,
    pub weight: f64,
    pub kinds: BTreeMap<&'static str, usize>,
}

/// `R0000007` → person 6.
pub fn parse_person_label(s: &str) -> Option<u32> {
    let digits = s.strip_prefix('R')?;
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok()?.checked_sub(1)
}

impl Report {
    /// Analyses `crossings` with the analysts' `overrides` and indexes the result.
    pub fn build(crossings: Crossings, overrides: &[Override]) -> Report {
        let analysis = analyse(&crossings, overrides);
        let documents = detect::document_reuse(&crossings, &analysis.resolution, &analysis.graph);
        let contacts = detect::shared_contacts(&crossings, &analysis.graph);
        let mut shared_of = vec![Vec::new(); analysis.resolution.persons];
        for (k, (_, _, ps)) in analysis.graph.shared.iter().enumerate() {
            for &p in ps {
                shared_of[p as usize].push(k as u32);
            }
        }
        let facilitator_of = analysis.facilitators.iter().enumerate().map(|(k, f)| (f.person, k)).collect();
        let mut rings_of: HashMap<u32, Vec<usize>> = HashMap::new();
        for (k, ring) in analysis.rings.iter().enumerate() {
            for &p in &ring.persons {
                rings_of.entry(p).or_default().push(k);
            }
        }
        let mut links_of: HashMap<u32, Vec<u32>> = HashMap::new();
        for (k, l) in analysis.resolution.links.iter().enumerate() {
            links_of.entry(analysis.resolution.person[l.a as usize]).or_default().push(k as u32);
        }
        Report { crossings, analysis, documents, contacts, shared_of, facilitator_of, rings_of, links_of }
    }

    /// Number of resolved persons.
    pub fn persons(&self) -> usize {
        self.analysis.resolution.persons
    }

    /// The person with this id (`R0000001`), if any.
    pub fn person(&self, id: &str) -> Option<u32> {
        parse_person_label(id).filter(|&p| (p as usize) < self.persons())
    }

    /// The person a crossing was assigned to.
    pub fn person_of_crossing(&self, crossing_id: &str) -> Option<u32> {
        let i = self.crossings.ids.iter().position(|x| &**x == crossing_id)?;
        Some(self.analysis.resolution.person[i])
    }

    /// Crossing indices of a person, in time order.
    pub fn crossings_of(&self, p: u32) -> &[u32] {
        &self.analysis.graph.crossings_of[p as usize]
    }

    /// The crossing ids of a person, in time order.
    pub fn crossing_ids(&self, p: u32) -> Vec<String> {
        self.crossings_of(p).iter().map(|&i| self.crossings.ids[i as usize].to_string()).collect()
    }

    /// The name spelled most often in a person's records.
    pub fn name_of(&self, p: u32) -> String {
        let c = &self.crossings;
        let mut count: HashMap<u32, usize> = HashMap::new();
        for &i in self.crossings_of(p) {
            *count.entry(c.name[i as usize]).or_insert(0) += 1;
        }
        let best = count.into_iter().max_by_key(|&(n, k)| (k, std::cmp::Reverse(n)));
        best.map(|(n, _)| {
            let name = &c.names[n as usize];
            name.given.iter().chain(&name.surnames).map(|&t| c.token_text(t)).collect::<Vec<_>>().join(" ")
        })
        .unwrap_or_default()
    }

    pub fn summary(&self, p: u32) -> PersonSummary {
        let c = &self.crossings;
        let mine = self.crossings_of(p);
        let name = self.name_of(p);
        let mut other_names = BTreeSet::new();
        let mut births = BTreeSet::new();
        let mut nats = BTreeSet::new();
        let mut sexes = BTreeSet::new();
        let mut docs = BTreeSet::new();
        for &i in mine {
            let i = i as usize;
            let n = c.name_text(i);
            if n != name {
                other_names.insert(n);
            }
            if let Some(b) = c.birth_date(i) {
                births.insert(b.to_string());
            }
            if c.nationality[i] != NONE {
                nats.insert(c.strings.get(c.nationality[i]).to_string());
            }
            let s = c.sex[i].as_str();
            if !s.is_empty() {
                sexes.insert(s.to_string());
            }
            if c.document[i] != NONE {
                docs.insert(c.strings.get(c.document[i]).to_string());
            }
        }
        PersonSummary {
            person_id: person_label(p),
            name,
            other_names: other_names.into_iter().collect(),
            birth_dates: births.into_iter().collect(),
            nationalities: nats.into_iter().collect(),
            sexes: sexes.into_iter().collect(),
            documents: docs.into_iter().collect(),
            crossings: mine.len(),
            first_seen: mine.first().map_or(0, |&i| c.time[i as usize]),
            last_seen: mine.last().map_or(0, |&i| c.time[i as usize]),
            facilitator_score: self.facilitator_of.get(&p).map(|&k| self.analysis.facilitators[k].score),
            ring_ids: self
                .rings_of
                .get(&p)
                .map(|ks| ks.iter().map(|&k| self.analysis.rings[k].ring_id.clone()).collect())
                .unwrap_or_default(),
        }
    }

    /// The links that joined a person's records, each with its evidence.
    pub fn identity_links(&self, p: u32) -> Vec<IdentityLink> {
        let c = &self.crossings;
        let Some(ks) = self.links_of.get(&p) else { return Vec::new() };
        ks.iter()
            .map(|&k| {
                let l = self.analysis.resolution.links[k as usize];
                let analyst = l.score.is_infinite();
                IdentityLink {
                    crossing_a: c.ids[l.a as usize].to_string(),
                    crossing_b: c.ids[l.b as usize].to_string(),
                    score: (!analyst).then_some(l.score),
                    by: if analyst { "analyst" } else { "resolver" },
                    evidence: explain(c, l.a as usize, l.b as usize),
                }
            })
            .collect()
    }

    /// A person's links to others, strongest first.
    pub fn links(&self, p: u32) -> Vec<PersonLink> {
        let c = &self.crossings;
        let g = &self.analysis.graph;
        let r = &self.analysis.resolution;
        struct Acc {
            weight: f64,
            kinds: BTreeMap<&'static str, usize>,
            crossings: BTreeSet<u32>,
            shared: BTreeSet<String>,
            first: i64,
            last: i64,
        }
        let mut acc: BTreeMap<u32, Acc> = BTreeMap::new();
        fn touch(acc: &mut BTreeMap<u32, Acc>, q: u32, kind: LinkKind, at: i64) -> &mut Acc {
            let a = acc.entry(q).or_insert(Acc {
                weight: 0.0,
                kinds: BTreeMap::new(),
                crossings: BTreeSet::new(),
                shared: BTreeSet::new(),
                first: i64::MAX,
                last: i64::MIN,
            });
            a.weight += kind.weight();
            *a.kinds.entry(kind.as_str()).or_insert(0) += 1;
            a.first = a.first.min(at);
            a.last = a.last.max(at);
            a
        }
        for &k in &g.passages_of[p as usize] {
            let pass = &g.passages[k as usize];
            let at = pass.crossings.iter().map(|&i| c.time[i as usize]).min().unwrap_or(0);
            let mut others: Vec<u32> =
                pass.crossings.iter().map(|&i| r.person[i as usize]).filter(|&q| q != p).collect();
            others.sort_unstable();
            others.dedup();
            for q in others {
                let a = touch(&mut acc, q, pass.kind, at);
                for &i in &pass.crossings {
                    let who = r.person[i as usize];
                    if (who == p || who == q) && a.crossings.len() < 20 {
                        a.crossings.insert(i);
                    }
                }
            }
        }
        for &k in &self.shared_of[p as usize] {
            let (kind, v, ps) = &g.shared[k as usize];
            if ps.len() > MAX_SHARED {
                continue;
            }
            let at = self.crossings_of(p).first().map_or(0, |&i| c.time[i as usize]);
            for &q in ps.iter().filter(|&&q| q != p) {
                let a = touch(&mut acc, q, *kind, at);
                if a.shared.len() < 5 {
                    a.shared.insert(format!("{} {}", kind.as_str(), c.strings.get(*v)));
                }
            }
        }
        let mut out: Vec<PersonLink> = acc
            .into_iter()
            .map(|(q, a)| PersonLink {
                person_id: person_label(q),
                name: self.name_of(q),
                weight: a.weight,
                kinds: a.kinds,
                crossing_ids: a.crossings.iter().map(|&i| c.ids[i as usize].to_string()).collect(),
                shared: a.shared.into_iter().collect(),
                first: a.first,
                last: a.last,
            })
            .collect();
        out.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.person_id.cmp(&b.person_id)));
        out
    }

    /// Whether a person was under 18 at any of their crossings.
    fn minor(&self, p: u32) -> bool {
        self.crossings_of(p).iter().any(|&i| self.crossings.age_at(i as usize).is_some_and(|a| a < 18))
    }

    /// The network around `seeds`: the seeds, their direct links (strongest
    /// first, at most `max_nodes` persons in all), and every link among the
    /// persons shown.
    pub fn network(&self, seeds: &[u32], max_nodes: usize) -> Network {
        let mut chosen: Vec<u32> = Vec::new();
        let mut seen = BTreeSet::new();
        for &s in seeds {
            if (s as usize) < self.persons() && seen.insert(s) {
                chosen.push(s);
            }
        }
        let mut candidates: BTreeMap<u32, f64> = BTreeMap::new();
        for &s in &chosen {
            for l in self.links(s) {
                if let Some(q) = parse_person_label(&l.person_id)
                    && !seen.contains(&q)
                {
                    *candidates.entry(q).or_insert(0.0) += l.weight;
                }
            }
        }
        let mut cand: Vec<(u32, f64)> = candidates.into_iter().collect();
        cand.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let room = max_nodes.saturating_sub(chosen.len());
        let truncated = cand.len().saturating_sub(room);
        for (q, _) in cand.into_iter().take(room) {
            seen.insert(q);
            chosen.push(q);
        }
        let mut edges = Vec::new();
        for &a in &chosen {
            for l in self.links(a) {
                let Some(b) = parse_person_label(&l.person_id) else { continue };
                if a < b && seen.contains(&b) {
                    edges.push(NetworkEdge {
                        source: person_label(a),
                        target: person_label(b),
                        weight: l.weight,
                        kinds: l.kinds,
                    });
                }
            }
        }
        let seed_set: BTreeSet<u32> = seeds.iter().copied().collect();
        let nodes = chosen
            .iter()
            .map(|&p| {
                let fac = self.facilitator_of.get(&p).map(|&k| self.analysis.facilitators[k].score);
                NetworkNode {
                    id: person_label(p),
                    label: self.name_of(p),
                    role: if fac.is_some() {
                        "facilitator"
                    } else if self.minor(p) {
                        "minor"
                    } else {
                        "person"
                    },
                    seed: seed_set.contains(&p),
                    crossings: self.crossings_of(p).len(),
                    score: fac,
                }
            })
            .collect();
        Network { nodes, edges, truncated }
    }

    /// The persons of a ring, by its id (`K001`).
    pub fn ring(&self, ring_id: &str) -> Option<&crate::Ring> {
        self.analysis.rings.iter().find(|r| r.ring_id == ring_id)
    }

    /// The persons with at least one link in the network (the scope of a
    /// whole export), in id order.
    pub fn linked_persons(&self) -> Vec<u32> {
        let g = &self.analysis.graph;
        (0..self.persons() as u32)
            .filter(|&p| {
                !g.passages_of[p as usize].is_empty()
                    || self.shared_of[p as usize].iter().any(|&k| g.shared[k as usize].2.len() <= MAX_SHARED)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_labels_round_trip() {
        for p in [0u32, 6, 9_999_998] {
            assert_eq!(parse_person_label(&person_label(p)), Some(p));
        }
        for bad in ["", "R", "R0000000", "X0000001", "R-1", "R12a", "R99999999999"] {
            assert_eq!(parse_person_label(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_planted_ring_is_shown_with_its_evidence() {
        let country = centinela_synth::generate(&centinela_synth::Config::default());
        let c = Crossings::build(&country.crossings);
        let rep = Report::build(c, &[]);
        let f = &rep.analysis.facilitators[0];
        let s = rep.summary(f.person);
        assert_eq!(s.person_id, f.person_id);
        assert!(s.facilitator_score.is_some());
        assert_eq!(s.crossings, f.crossings);
        let links = rep.links(f.person);
        assert!(links.iter().any(|l| l.kinds.contains_key("party") && !l.crossing_ids.is_empty()), "{links:?}");
        let ring = &rep.analysis.rings[0];
        let net = rep.network(&ring.persons, 200);
        assert!(net.nodes.len() > ring.persons.len());
        assert!(net.nodes.len() <= 200);
        assert!(net.nodes.iter().filter(|n| n.seed).count() == ring.persons.len());
        assert!(!net.edges.is_empty());
        let ids: BTreeSet<&str> = net.nodes.iter().map(|n| n.id.as_str()).collect();
        assert!(net.edges.iter().all(|e| ids.contains(e.source.as_str()) && ids.contains(e.target.as_str())));
        assert_eq!(rep.ring(&ring.ring_id).map(|r| r.persons.len()), Some(ring.persons.len()));
        let first = rep.crossing_ids(f.person)[0].clone();
        assert_eq!(rep.person_of_crossing(&first), Some(f.person));
    }
}
