//! Lookouts at the booth (issue 21, part 3): the lookouts held, indexed the
//! way the lists are — persons in a name screener of their own (the same
//! scoring as the lists), documents by their confusable key, plates by
//! [`centinela_domain::plate_key`], phones as E.164 — and screened against
//! each traveller of a party after the lists. A lookout hit is shown apart
//! from list hits, with the lookout's reason and requested action, and
//! raises the suggestion like a hit; it never decides.

use std::collections::HashMap;

use centinela_domain::{
    AlertEntry, CountryCode, LookoutAction, LookoutScope, LookoutSubject, Timestamp, phone_key, plate_key,
};
use centinela_names::{Query, ScreenOptions, Screener};
use serde::Serialize;

use crate::{NextStep, PartyOutcome, Reason};

/// One lookout as the booth needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookout {
    pub uid: String,
    pub subject: LookoutSubject,
    pub reason: String,
    pub action: LookoutAction,
    pub scope: LookoutScope,
    pub valid_from: Timestamp,
    pub valid_until: Timestamp,
}

impl Lookout {
    fn applies(&self, post: &str, country: Option<CountryCode>, at: Timestamp) -> bool {
        self.valid_from <= at && at < self.valid_until && self.scope.covers(post, country)
    }
}

/// A lookout's hit of a traveller, shown at the booth apart from list hits.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LookoutHit {
    pub lookout_uid: String,
    /// `person`, `document`, `vehicle` or `phone`.
    pub kind: String,
    /// For persons the screening score; 1.0 for an exact document, plate or
    /// phone, 0.5 for a number or plate that differs only by characters
    /// easily confused.
    pub score: f64,
    pub reason: String,
    /// `secondary_inspection`, `refer_to_protection`, `notify`,
    /// `detain_per_law`.
    pub action: String,
    /// The lookout's subject as issued.
    pub listed_as: String,
    /// When it expires (RFC 3339).
    pub valid_until: String,
    pub explanation: Vec<Reason>,
}

/// The lookouts held, indexed for screening. Cheap to build (a lookout set
/// is small); rebuilt whenever one is issued, changed, cancelled or pulled.
pub struct LookoutIndex {
    lookouts: Vec<Lookout>,
    screener: Screener,
    /// The lookout of each screener entry.
    persons: Vec<usize>,
    documents: HashMap<String, Vec<usize>>,
    plates: HashMap<String, Vec<usize>>,
    phones: HashMap<String, Vec<usize>>,
}

impl LookoutIndex {
    pub fn build(lookouts: Vec<Lookout>) -> LookoutIndex {
        let mut entries = Vec::new();
        let mut persons = Vec::new();
        let mut documents: HashMap<String, Vec<usize>> = HashMap::new();
        let mut plates: HashMap<String, Vec<usize>> = HashMap::new();
        let mut phones: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, l) in lookouts.iter().enumerate() {
            match &l.subject {
                LookoutSubject::Person { given_names, surnames, birth_date, nationality } => {
                    entries.push(AlertEntry {
                        id: l.uid.clone(),
                        given_names: given_names.clone(),
                        surnames: surnames.clone(),
                        birth_dates: birth_date.iter().copied().collect(),
                        nationalities: nationality.iter().copied().collect(),
                        ..AlertEntry::default()
                    });
                    persons.push(i);
                }
                LookoutSubject::Document { number, .. } => {
                    documents.entry(number.confusable_key()).or_default().push(i)
                }
                LookoutSubject::Vehicle { plate, .. } => plates.entry(plate.key()).or_default().push(i),
                LookoutSubject::Phone { number } => phones.entry(number.clone()).or_default().push(i),
            }
        }
        LookoutIndex { lookouts, screener: Screener::build(entries), persons, documents, plates, phones }
    }

    pub fn empty() -> LookoutIndex {
        LookoutIndex::build(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.lookouts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lookouts.is_empty()
    }

    /// Screens each traveller of `outcome` (inspected at `post`, of
    /// `country`, at `at`) against the lookouts in force there: fills each
    /// traveller's `lookouts` and raises its suggestion (and the party's).
    pub fn screen(&self, outcome: &mut PartyOutcome, post: &str, country: Option<CountryCode>, at: Timestamp) {
        if self.lookouts.is_empty() {
            return;
        }
        for (t, record) in outcome.travellers.iter_mut().zip(&outcome.records) {
            let mut hits = Vec::new();
            let mut push = |i: usize, score: f64, explanation: Vec<Reason>| {
                let l = &self.lookouts[i];
                if l.applies(post, country, at) && !hits.iter().any(|h: &LookoutHit| h.lookout_uid == l.uid) {
                    hits.push(LookoutHit {
                        lookout_uid: l.uid.clone(),
                        kind: l.subject.kind().to_string(),
                        score,
                        reason: l.reason.clone(),
                        action: l.action.as_str().to_string(),
                        listed_as: l.subject.describe(),
                        valid_until: l.valid_until.to_string(),
                        explanation,
                    });
                }
            };
            if let Some(number) = &record.document_number {
                for &i in self.documents.get(&number.confusable_key()).into_iter().flatten() {
                    let LookoutSubject::Document { number: n, issuing_state } = &self.lookouts[i].subject else {
                        continue;
                    };
                    if issuing_state.is_some()
                        && record.issuing_state.is_some()
                        && *issuing_state != record.issuing_state
                    {
                        continue;
                    }
                    let exact = n == number;
                    let how = if exact {
                        "same document number"
                    } else {
                        "number differs only by characters easily confused (O/0, I/1, S/5, B/8)"
                    };
                    push(i, if exact { 1.0 } else { 0.5 }, vec![reason("document number", how)]);
                }
            }
            let plate = plate_key(&record.vehicle);
            if !plate.is_empty() {
                for &i in self.plates.get(&plate).into_iter().flatten() {
                    let LookoutSubject::Vehicle { plate: p, .. } = &self.lookouts[i].subject else { continue };
                    let exact = plain(p.as_str()) == plain(&record.vehicle);
                    let how =
                        if exact { "same plate" } else { "plate differs only by case, spaces, dashes or O/0, I/1" };
                    push(i, if exact { 1.0 } else { 0.5 }, vec![reason("vehicle plate", how)]);
                }
            }
            if let Some(phone) = phone_key(&record.phone) {
                for &i in self.phones.get(&phone).into_iter().flatten() {
                    push(i, 1.0, vec![reason("phone", "same telephone number")]);
                }
            }
            let named = !t.given_names.is_empty() || !t.surnames.is_empty();
            if !self.persons.is_empty() && named {
                let q = Query {
                    given_names: t.given_names.clone(),
                    surnames: t.surnames.clone(),
                    birth_date: t.birth_date,
                    nationality: t.nationality,
                    sex: t.sex,
                    document_number: record.document_number.clone(),
                };
                for h in self.screener.screen(&q, &ScreenOptions { top_k: Some(10), ..ScreenOptions::default() }) {
                    let explanation = h
                        .explanation
                        .items
                        .iter()
                        .filter(|e| e.aspect != centinela_names::Aspect::Prior)
                        .map(|e| Reason {
                            aspect: e.aspect.as_str().to_string(),
                            how: e.how.clone(),
                            weight: (e.contribution * 100.0).round() / 100.0,
                        })
                        .collect();
                    push(self.persons[h.entry as usize], (h.score * 1000.0).round() / 1000.0, explanation);
                }
            }
            for h in &hits {
                let step = match LookoutAction::parse(&h.action) {
                    Ok(LookoutAction::ReferToProtection) => NextStep::ReferToProtection,
                    _ => NextStep::SecondaryInspection,
                };
                t.suggested = t.suggested.max(step);
            }
            t.lookouts = hits;
        }
        outcome.suggested = outcome.travellers.iter().map(|t| t.suggested).max().unwrap_or(outcome.suggested);
    }
}

/// A plate's letters and digits, upper-cased, nothing folded.
fn plain(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

fn reason(aspect: &str, how: &str) -> Reason {
    Reason { aspect: aspect.into(), how: how.into(), weight: 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PartyRequest, TravellerInput, Watchlists, inspect};
    use centinela_domain::{Direction, LookoutInput};

    const POST: &str = "GTM-TECUNUMAN";

    fn now() -> Timestamp {
        Timestamp::parse("2026-03-01T09:00:00Z").unwrap()
    }

    fn lookout(uid: &str, input: LookoutInput) -> Lookout {
        let input = LookoutInput {
            reason: "Menor desaparecida".into(),
            action: "refer_to_protection".into(),
            valid_hours: Some(24),
            ..input
        };
        let d = input.parse(Timestamp::parse("2026-03-01T08:00:00Z").unwrap()).unwrap();
        Lookout {
            uid: uid.into(),
            subject: d.subject,
            reason: d.reason,
            action: d.action,
            scope: d.scope,
            valid_from: d.valid_from,
            valid_until: d.valid_until,
        }
    }

    fn party(vehicle: &str, phone: &str) -> PartyOutcome {
        let req = PartyRequest {
            post: POST.into(),
            direction: Direction::Entry,
            vehicle: Some(vehicle.into()),
            group_id: None,
            travellers: vec![
                TravellerInput {
                    given_names: Some("Ana María".into()),
                    surnames: Some("López Pérez".into()),
                    birth_date: Some("1990-04-03".into()),
                    nationality: Some("GTM".into()),
                    document_number: Some("A0123456".into()),
                    issuing_state: Some("GTM".into()),
                    ..TravellerInput::default()
                },
                TravellerInput {
                    given_names: Some("Pedro".into()),
                    surnames: Some("Ramírez".into()),
                    phone: Some(phone.into()),
                    ..TravellerInput::default()
                },
            ],
        };
        let ids = vec!["C-1".to_string(), "C-2".to_string()];
        inspect(&req, &Watchlists::empty(), now(), &ids, &[], "G-1").unwrap()
    }

    fn kinds(o: &PartyOutcome) -> Vec<Vec<(String, f64)>> {
        o.travellers.iter().map(|t| t.lookouts.iter().map(|h| (h.lookout_uid.clone(), h.score)).collect()).collect()
    }

    #[test]
    fn each_subject_hits_its_traveller_and_raises_the_suggestion() {
        let index = LookoutIndex::build(vec![
            lookout(
                "P",
                LookoutInput {
                    kind: "person".into(),
                    given_names: Some("ANA MARIA".into()),
                    surnames: Some("LOPEZ PEREZ".into()),
                    birth_date: Some("1990-04-03".into()),
                    ..LookoutInput::default()
                },
            ),
            lookout(
                "D",
                LookoutInput {
                    kind: "document".into(),
                    document_number: Some("AO123456".into()),
                    ..LookoutInput::default()
                },
            ),
            lookout(
                "V",
                LookoutInput { kind: "vehicle".into(), plate: Some("P-123 ABC".into()), ..LookoutInput::default() },
            ),
            lookout(
                "T",
                LookoutInput { kind: "phone".into(), phone: Some("+502 5555 1234".into()), ..LookoutInput::default() },
            ),
            lookout(
                "N",
                LookoutInput { kind: "vehicle".into(), plate: Some("P-999 ZZZ".into()), ..LookoutInput::default() },
            ),
        ]);
        let mut o = party("p 123-abc", "+50255551234");
        assert_eq!(o.suggested, NextStep::Admit);
        index.screen(&mut o, POST, None, now());
        let k = kinds(&o);
        let uids: Vec<Vec<&str>> = k.iter().map(|t| t.iter().map(|(u, _)| u.as_str()).collect()).collect();
        assert!(uids[0].contains(&"P") && uids[0].contains(&"D") && uids[0].contains(&"V"), "{k:?}");
        assert!(uids[1].contains(&"T") && uids[1].contains(&"V") && !uids[1].contains(&"P"), "{k:?}");
        assert!(!uids.concat().contains(&"N"));
        let doc = o.travellers[0].lookouts.iter().find(|h| h.lookout_uid == "D").unwrap();
        assert_eq!(doc.score, 0.5, "AO123456 meets A0123456 through the confusable key");
        let person = o.travellers[0].lookouts.iter().find(|h| h.lookout_uid == "P").unwrap();
        assert!(person.score >= centinela_names::DEFAULT_THRESHOLD, "{person:?}");
        assert_eq!((person.reason.as_str(), person.action.as_str()), ("Menor desaparecida", "refer_to_protection"));
        assert_eq!(o.travellers[0].suggested, NextStep::ReferToProtection);
        assert_eq!(o.suggested, NextStep::ReferToProtection);
    }

    #[test]
    fn only_in_force_and_in_scope() {
        let mut v = lookout(
            "V",
            LookoutInput {
                kind: "vehicle".into(),
                plate: Some("P123ABC".into()),
                scope_posts: vec!["OTHER-POST".into()],
                ..LookoutInput::default()
            },
        );
        let index = LookoutIndex::build(vec![v.clone()]);
        let mut o = party("P123ABC", "+50255551234");
        index.screen(&mut o, POST, None, now());
        assert!(o.travellers.iter().all(|t| t.lookouts.is_empty()));
        v.scope = LookoutScope::Country { country: CountryCode::parse("GTM").unwrap() };
        let index = LookoutIndex::build(vec![v.clone()]);
        index.screen(&mut o, POST, CountryCode::parse_opt("GTM").unwrap(), now());
        assert_eq!(o.travellers[0].lookouts.len(), 1);
        let mut o = party("P123ABC", "+50255551234");
        let later = Timestamp::parse("2026-03-02T08:00:00Z").unwrap();
        index.screen(&mut o, POST, CountryCode::parse_opt("GTM").unwrap(), later);
        assert!(o.travellers.iter().all(|t| t.lookouts.is_empty()), "expired by itself");
        assert_eq!(o.suggested, NextStep::Admit);
    }
}
