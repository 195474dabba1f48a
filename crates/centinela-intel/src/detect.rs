//! Detection over the resolved persons and their graph: facilitators,
//! rings, document reuse and shared contact points. Each finding is a
//! reason for an analyst to look, with the evidence; none decides.
//!
//! **Facilitators** (INDICATORS N2, N4, N5, T1). For each person, their
//! passages in a travel party are grouped into journeys (passages less than
//! [`JOURNEY_GAP`] apart). A *one-time companion* is a party companion who
//! crosses at most four times in all and only within one journey with this
//! person. The score adds, with the weights in [`FacilitatorWeights`]:
//! journeys with a one-time companion (N5), one-time companions, minors
//! among the companions who share no surname with the person (T1/N2),
//! companions who gave a phone or address that a companion of another
//! journey gave too (N1: the ring's contact points), and parties shared
//! with other likely facilitators (N4). Fewer than [`MIN_JOURNEYS`] such
//! journeys: not reported. Families (same companions every time), tours
//! and escorts (one journey), commuters and drivers (no party, or public
//! transport) score nothing. The reported score is `S / (S + 10)`.
//!
//! **Rings.** Likely facilitators linked by party co-travel, by shared
//! contact points among the people they moved, or by the same lent
//! document, are joined (connected components of links of weight at least
//! [`RING_LINK`]); anyone who crossed in a party with two or more of a
//! ring's facilitators (N4: an organiser) joins the ring.
//!
//! **Document reuse** (N3/T4): one document number used by persons the
//! resolver keeps apart. **Shared contacts** (N1): one phone or address
//! given by [`MIN_CONTACT_PERSONS`] or more persons of different families.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::data::{Crossings, NONE};
use crate::graph::{Graph, LinkKind};
use crate::resolve::{Resolution, person_label};

/// Passages further apart than this start a new journey (seconds).
pub const JOURNEY_GAP: i64 = 7 * 86_400;
/// Journeys with a one-time companion needed to be reported.
pub const MIN_JOURNEYS: usize = 3;
/// Link weight joining two facilitators into one ring.
pub const RING_LINK: f64 = 1.0;
/// Persons of different families sharing a phone or address (N1).
pub const MIN_CONTACT_PERSONS: usize = 3;

/// Weights of the facilitator score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FacilitatorWeights {
    pub journey: f64,
    pub one_time: f64,
    pub minor: f64,
    pub shared_contact: f64,
    pub with_facilitator: f64,
}

impl Default for FacilitatorWeights {
    fn default() -> Self {
        FacilitatorWeights { journey: 1.0, one_time: 0.25, minor: 1.0, shared_contact: 0.3, with_facilitator: 0.5 }
    }
}

/// A likely facilitator (the `centinela intel facilitators` line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Facilitator {
    pub person_id: String,
    /// In [0, 1).
    pub score: f64,
    pub crossings: usize,
    pub distinct_companions: usize,
    pub minor_companions: usize,
    pub crossing_ids: Vec<String>,
    pub evidence: Vec<String>,
    #[serde(skip)]
    pub person: u32,
}

/// A likely ring (the `centinela intel rings` line).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ring {
    pub ring_id: String,
    pub person_ids: Vec<String>,
    pub score: f64,
    pub evidence: Vec<String>,
    #[serde(skip)]
    pub persons: Vec<u32>,
}

/// One document used by several persons (N3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentReuse {
    /// `STATE:NUMBER` (the confusable key of the number).
    pub document: String,
    pub person_ids: Vec<String>,
    pub crossing_ids: Vec<String>,
    pub evidence: Vec<String>,
}

/// One phone or address given by unrelated persons (N1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SharedContact {
    /// `phone` or `address`.
    pub kind: &'static str,
    pub value: String,
    pub person_ids: Vec<String>,
    pub evidence: Vec<String>,
}

fn surnames_of(c: &Crossings, crossings: &[u32]) -> HashSet<u32> {
    crossings.iter().flat_map(|&i| c.names[c.name[i as usize] as usize].surnames.iter().copied()).collect()
}

struct Features {
    person: u32,
    journeys_new: usize,
    companions: BTreeSet<u32>,
    one_time: BTreeSet<u32>,
    minors: BTreeSet<u32>,
    contact_companions: BTreeSet<u32>,
    contacts: BTreeSet<(LinkKind, u32)>,
    party_crossings: Vec<u32>,
    span_days: i64,
}

fn features(c: &Crossings, r: &Resolution, g: &Graph, p: u32) -> Option<Features> {
    let mine: Vec<u32> =
        g.passages_of[p as usize].iter().copied().filter(|&k| g.passages[k as usize].kind == LinkKind::Party).collect();
    if mine.len() < MIN_JOURNEYS {
        return None;
    }
    // Each passage: its time and the companions.
    let mut items: Vec<(i64, u32)> = mine
        .iter()
        .map(|&k| {
            let t = g.passages[k as usize].crossings.iter().map(|&i| c.time[i as usize]).min().unwrap_or(0);
            (t, k)
        })
        .collect();
    items.sort_unstable();
    let mut journeys: Vec<Vec<u32>> = Vec::new();
    let mut last = i64::MIN;
    for &(t, k) in &items {
        if journeys.is_empty() || t - last > JOURNEY_GAP {
            journeys.push(Vec::new());
        }
        journeys.last_mut().expect("pushed").push(k);
        last = t;
    }
    let own_surnames = surnames_of(c, &g.crossings_of[p as usize]);
    let mut companions = BTreeSet::new();
    let mut journeys_of: HashMap<u32, BTreeSet<usize>> = HashMap::new();
    let mut party_crossings = Vec::new();
    let mut minors = BTreeSet::new();
    for (j, ks) in journeys.iter().enumerate() {
        for &k in ks {
            for &i in &g.passages[k as usize].crossings {
                let q = r.person[i as usize];
                if q == p {
                    party_crossings.push(i);
                    continue;
                }
                companions.insert(q);
                journeys_of.entry(q).or_default().insert(j);
                if c.age_at(i as usize).is_some_and(|a| a < 18) {
                    let theirs = surnames_of(c, &[i]);
                    if theirs.is_disjoint(&own_surnames) {
                        minors.insert(q);
                    }
                }
            }
        }
    }
    let one_time: BTreeSet<u32> = companions
        .iter()
        .copied()
        .filter(|&q| journeys_of[&q].len() == 1 && g.crossings_of[q as usize].len() <= 4)
        .collect();
    let mut journeys_new = 0;
    let mut contact_journeys: HashMap<(LinkKind, u32), BTreeSet<usize>> = HashMap::new();
    for (j, ks) in journeys.iter().enumerate() {
        let mut new = false;
        for &k in ks {
            for &i in &g.passages[k as usize].crossings {
                let q = r.person[i as usize];
                if q != p && one_time.contains(&q) {
                    new = true;
                    for (kind, v) in
                        [(LinkKind::Phone, c.phone[i as usize]), (LinkKind::Address, c.address[i as usize])]
                    {
                        if v != NONE {
                            contact_journeys.entry((kind, v)).or_default().insert(j);
                        }
                    }
                }
            }
        }
        journeys_new += usize::from(new);
    }
    // Contact points given by one-time companions of two or more journeys.
    let contacts: BTreeSet<(LinkKind, u32)> =
        contact_journeys.into_iter().filter(|(_, js)| js.len() >= 2).map(|(k, _)| k).collect();
    let mut contact_companions = BTreeSet::new();
    for ks in &journeys {
        for &k in ks {
            for &i in &g.passages[k as usize].crossings {
                let q = r.person[i as usize];
                let i = i as usize;
                if q != p
                    && (contacts.contains(&(LinkKind::Phone, c.phone[i]))
                        || contacts.contains(&(LinkKind::Address, c.address[i])))
                {
                    contact_companions.insert(q);
                }
            }
        }
    }
    let times: Vec<i64> = items.iter().map(|x| x.0).collect();
    let span_days = (times.last().unwrap_or(&0) - times.first().unwrap_or(&0)) / 86_400;
    party_crossings.sort_unstable();
    Some(Features {
        person: p,
        journeys_new,
        companions,
        one_time,
        minors,
        contact_companions,
        contacts,
        party_crossings,
        span_days,
    })
}

/// Likely facilitators, best first.
pub fn facilitators(c: &Crossings, r: &Resolution, g: &Graph, w: &FacilitatorWeights) -> Vec<Facilitator> {
    let feats: Vec<Features> =
        (0..r.persons as u32).filter_map(|p| features(c, r, g, p)).filter(|f| f.journeys_new >= MIN_JOURNEYS).collect();
    let flagged: HashSet<u32> = feats.iter().map(|f| f.person).collect();
    let mut out = Vec::new();
    for f in &feats {
        // N4: parties shared with other likely facilitators.
        let mut with: BTreeMap<u32, usize> = BTreeMap::new();
        for &k in &g.passages_of[f.person as usize] {
            let p = &g.passages[k as usize];
            if p.kind != LinkKind::Party {
                continue;
            }
            let mut qs: Vec<u32> = p.crossings.iter().map(|&i| r.person[i as usize]).collect();
            qs.sort_unstable();
            qs.dedup();
            for q in qs {
                if q != f.person && flagged.contains(&q) {
                    *with.entry(q).or_insert(0) += 1;
                }
            }
        }
        let n4: usize = with.values().sum();
        let s = w.journey * f.journeys_new as f64
            + w.one_time * f.one_time.len() as f64
            + w.minor * f.minors.len() as f64
            + w.shared_contact * f.contact_companions.len() as f64
            + w.with_facilitator * n4 as f64;
        let mut evidence = vec![format!(
            "N5: {} journeys over {} days with companions who cross only once with them; {} one-time companions of {} in all",
            f.journeys_new,
            f.span_days,
            f.one_time.len(),
            f.companions.len()
        )];
        if !f.minors.is_empty() {
            evidence.push(format!(
                "T1/N2: {} minor companions sharing no surname with them ({})",
                f.minors.len(),
                f.minors.iter().take(8).map(|&q| person_label(q)).collect::<Vec<_>>().join(", ")
            ));
        }
        if !f.contacts.is_empty() {
            let vals: Vec<String> =
                f.contacts.iter().take(4).map(|(k, v)| format!("{} {}", k.as_str(), c.strings.get(*v))).collect();
            evidence.push(format!(
                "N1: {} companions on different journeys gave the same contact ({})",
                f.contact_companions.len(),
                vals.join("; ")
            ));
        }
        if n4 > 0 {
            evidence.push(format!(
                "N4: {n4} parties with other likely facilitators ({})",
                with.keys().take(6).map(|&q| person_label(q)).collect::<Vec<_>>().join(", ")
            ));
        }
        let all = &g.crossings_of[f.person as usize];
        out.push(Facilitator {
            person_id: person_label(f.person),
            score: s / (s + 10.0),
            crossings: all.len(),
            distinct_companions: f.companions.len(),
            minor_companions: f.minors.len(),
            crossing_ids: all.iter().map(|&i| c.ids[i as usize].to_string()).collect(),
            evidence,
            person: f.person,
        });
        let _ = &f.party_crossings;
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
    out
}

/// Likely rings among the facilitators, best first.
pub fn rings(c: &Crossings, r: &Resolution, g: &Graph, facs: &[Facilitator]) -> Vec<Ring> {
    let idx: HashMap<u32, usize> = facs.iter().enumerate().map(|(k, f)| (f.person, k)).collect();
    let n = facs.len();
    // Links between facilitators: parties together, and contact points or
    // documents shared by the people each travelled with.
    let mut link: BTreeMap<(usize, usize), (f64, BTreeSet<String>)> = BTreeMap::new();
    let mut add = |a: usize, b: usize, w: f64, why: String| {
        if a == b {
            return;
        }
        let e = link.entry((a.min(b), a.max(b))).or_insert((0.0, BTreeSet::new()));
        e.0 += w;
        if e.1.len() < 6 {
            e.1.insert(why);
        }
    };
    for p in &g.passages {
        if p.kind != LinkKind::Party {
            continue;
        }
        let mut fs: Vec<usize> = p.crossings.iter().filter_map(|&i| idx.get(&r.person[i as usize]).copied()).collect();
        fs.sort_unstable();
        fs.dedup();
        for (x, &a) in fs.iter().enumerate() {
            for &b in &fs[x + 1..] {
                add(a, b, 1.0, "crossed in one party".into());
            }
        }
    }
    // Which facilitators' companions gave each value.
    let mut users: HashMap<(LinkKind, u32), BTreeSet<usize>> = HashMap::new();
    for (k, f) in facs.iter().enumerate() {
        for &pk in &g.passages_of[f.person as usize] {
            let p = &g.passages[pk as usize];
            if p.kind != LinkKind::Party {
                continue;
            }
            for &i in &p.crossings {
                let i = i as usize;
                if r.person[i] == f.person {
                    continue;
                }
                for (kind, v) in [
                    (LinkKind::Phone, c.phone[i]),
                    (LinkKind::Address, c.address[i]),
                    (LinkKind::Document, c.document[i]),
                ] {
                    if v != NONE {
                        users.entry((kind, v)).or_default().insert(k);
                    }
                }
            }
        }
    }
    let mut shared: Vec<_> = users.into_iter().filter(|(_, fs)| fs.len() >= 2 && fs.len() <= 8).collect();
    shared.sort();
    for ((kind, v), fs) in shared {
        let fs: Vec<usize> = fs.into_iter().collect();
        for (x, &a) in fs.iter().enumerate() {
            for &b in &fs[x + 1..] {
                add(
                    a,
                    b,
                    kind.weight() * 2.0,
                    format!("their companions gave the same {} {}", kind.as_str(), c.strings.get(v)),
                );
            }
        }
    }
    // Connected components over strong links.
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for (&(a, b), (w, _)) in &link {
        if *w >= RING_LINK {
            let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
            if ra != rb {
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut comps: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for k in 0..n {
        let root = find(&mut parent, k);
        comps.entry(root).or_default().push(k);
    }
    let mut out = Vec::new();
    for members in comps.values() {
        if members.len() < 2 {
            continue;
        }
        let set: HashSet<usize> = members.iter().copied().collect();
        let mut persons: BTreeSet<u32> = members.iter().map(|&k| facs[k].person).collect();
        // Organisers: crossed in parties with two or more of the ring's
        // facilitators, on two or more journeys (people moved make one).
        let mut with: HashMap<u32, (BTreeSet<u32>, BTreeSet<i64>)> = HashMap::new();
        for &k in members {
            for &pk in &g.passages_of[facs[k].person as usize] {
                let p = &g.passages[pk as usize];
                if p.kind != LinkKind::Party {
                    continue;
                }
                let week = c.time[p.crossings[0] as usize] / JOURNEY_GAP;
                for &i in &p.crossings {
                    let q = r.person[i as usize];
                    if q != facs[k].person {
                        let e = with.entry(q).or_default();
                        e.0.insert(facs[k].person);
                        e.1.insert(week);
                    }
                }
            }
        }
        let mut organisers: Vec<u32> =
            with.into_iter().filter(|(_, (fs, weeks))| fs.len() >= 2 && weeks.len() >= 2).map(|(q, _)| q).collect();
        organisers.sort_unstable();
        organisers.retain(|q| !persons.contains(q));
        persons.extend(organisers.iter().copied());
        let mut score = 0.0;
        let mut why: BTreeSet<String> = BTreeSet::new();
        for (&(a, b), (w, reasons)) in &link {
            if set.contains(&a) && set.contains(&b) {
                score += w;
                for x in reasons {
                    if why.len() < 10 {
                        why.insert(format!("{} – {}: {x}", facs[a].person_id, facs[b].person_id));
                    }
                }
            }
        }
        let mut evidence = vec![format!(
            "{} likely facilitators linked by co-travel and shared contact points (link weight {score:.1})",
            members.len()
        )];
        if !organisers.is_empty() {
            evidence.push(format!(
                "N4: crossed in parties with two or more of them: {}",
                organisers.iter().map(|&q| person_label(q)).collect::<Vec<_>>().join(", ")
            ));
        }
        evidence.extend(why);
        let fac_score: f64 = members.iter().map(|&k| facs[k].score).sum::<f64>() / members.len() as f64;
        out.push(Ring {
            ring_id: String::new(),
            person_ids: persons.iter().map(|&q| person_label(q)).collect(),
            score: (score / (score + 5.0)) * fac_score,
            evidence,
            persons: persons.into_iter().collect(),
        });
    }
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.persons.cmp(&b.persons)));
    for (k, ring) in out.iter_mut().enumerate() {
        ring.ring_id = format!("K{:03}", k + 1);
    }
    out
}

/// Documents used by more than one resolved person (N3/T4).
pub fn document_reuse(c: &Crossings, r: &Resolution, g: &Graph) -> Vec<DocumentReuse> {
    let mut out = Vec::new();
    for (kind, v, persons) in &g.shared {
        if *kind != LinkKind::Document {
            continue;
        }
        let crossings: Vec<u32> = (0..c.len() as u32).filter(|&i| c.document[i as usize] == *v).collect();
        let evidence = persons
            .iter()
            .map(|&p| {
                let mine: Vec<u32> = crossings.iter().copied().filter(|&i| r.person[i as usize] == p).collect();
                format!("{} crossed {} times on it as {}", person_label(p), mine.len(), c.name_text(mine[0] as usize))
            })
            .collect();
        out.push(DocumentReuse {
            document: c.strings.get(*v).to_string(),
            person_ids: persons.iter().map(|&p| person_label(p)).collect(),
            crossing_ids: crossings.iter().map(|&i| c.ids[i as usize].to_string()).collect(),
            evidence,
        });
    }
    out.sort_by(|a, b| b.person_ids.len().cmp(&a.person_ids.len()).then(a.document.cmp(&b.document)));
    out
}

/// Phones and addresses given by unrelated persons (N1).
pub fn shared_contacts(c: &Crossings, g: &Graph) -> Vec<SharedContact> {
    let mut out = Vec::new();
    for (kind, v, persons) in &g.shared {
        // Documents are reuse (N3); a booking and an agency are not
        // contact points of a person.
        if matches!(kind, LinkKind::Document | LinkKind::Booking | LinkKind::Agency)
            || persons.len() < MIN_CONTACT_PERSONS
        {
            continue;
        }
        // Families share a home and a phone: count distinct first surnames.
        let families: BTreeSet<u32> = persons
            .iter()
            .filter_map(|&p| {
                let i = *g.crossings_of[p as usize].first()? as usize;
                c.names[c.name[i] as usize].surnames.first().copied()
            })
            .collect();
        if families.len() < MIN_CONTACT_PERSONS {
            continue;
        }
        out.push(SharedContact {
            kind: kind.as_str(),
            value: c.strings.get(*v).to_string(),
            person_ids: persons.iter().map(|&p| person_label(p)).collect(),
            evidence: vec![format!("N1: given by {} persons of {} different families", persons.len(), families.len())],
        });
    }
    out.sort_by(|a, b| b.person_ids.len().cmp(&a.person_ids.len()).then(a.value.cmp(&b.value)));
    out
}
