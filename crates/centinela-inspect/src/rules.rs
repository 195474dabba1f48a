//! The risk rules at the booth: each traveller's facts handed to the rule
//! set in force (`centinela-rules`), and the firings turned into flags.
//! A rule with the id of a built-in check (T1, T2, T4, the observations)
//! replaces that check, so a flag is never raised twice.

use centinela_domain::Timestamp;
use centinela_rules::{Action, Category, Facts, HistoryQuery, RuleSet};

use crate::indicators::{Flag, FlagKind};
use crate::request::{PartyRequest, Read, Relation, TravellerInput};
use crate::{History, NextStep};

/// What history the booth knows when the rules ask: the document's other
/// holders; every other question is unknown (the intelligence crate and
/// back-tests answer them from the whole record).
struct BoothHistory<'a> {
    read: &'a Read,
    history: Option<&'a History>,
}

impl centinela_rules::History for BoothHistory<'_> {
    fn count(&self, query: HistoryQuery, _days: u32) -> Option<i64> {
        match query {
            HistoryQuery::DocumentHolders => {
                self.history.map(|h| crate::indicators::other_holders(self.read, h) as i64)
            }
            _ => None,
        }
    }
}

/// One traveller's place in the party, as the rules see it.
pub(crate) struct PartyView<'a> {
    pub req: &'a PartyRequest,
    pub ages: &'a [Option<i32>],
    pub index: usize,
}

/// The firings of `rules` for one traveller, as flags.
pub(crate) fn flags(
    rules: &RuleSet,
    party: &PartyView<'_>,
    read: &Read,
    history: Option<&History>,
    at: Timestamp,
) -> Vec<Flag> {
    let i = party.index;
    let input: &TravellerInput = &party.req.travellers[i];
    let relation = input.relation.unwrap_or(if i == 0 { Relation::Lead } else { Relation::Unknown });
    let observations: Vec<String> = input.observations.iter().map(|o| format!("{o:?}")).collect();
    let observations: Vec<&str> = observations.iter().map(String::as_str).collect();
    let problems: Vec<&str> = read.document.problems.iter().map(String::as_str).collect();
    let nationality = read.nationality.map(|c| c.as_str().to_string()).unwrap_or_default();
    let days_to_expiry = Timestamp::parse(&format!("{}T00:00:00Z", read.document.expiry_date))
        .ok()
        .map(|e| (e.unix_seconds() - at.unix_seconds()).div_euclid(86_400));
    let adults = party.ages.iter().filter(|a| a.is_some_and(|a| a >= 18)).count() as i64;
    let minors = party.ages.iter().filter(|a| a.is_some_and(|a| a < 18)).count() as i64;
    let hist = BoothHistory { read, history };
    let facts = Facts {
        traveller: centinela_rules::Traveller {
            age: party.ages[i].map(i64::from),
            sex: read.sex.as_str(),
            nationality: &nationality,
            relation: relation.as_str(),
            travel_consent: Some(input.travel_consent),
            observations: Some(&observations),
        },
        document: centinela_rules::Document {
            kind: &read.document.document_type,
            issuing_state: &read.document.issuing_state,
            expired: days_to_expiry.map(|d| d < 0),
            days_to_expiry,
            mrz_valid: read.document.mrz_valid,
            problems: Some(&problems),
            typed_differs: Some(!read.document.typed_differs.is_empty()),
            chip: history.and_then(|h| h.chip.as_ref()).map_or("", |c| c.outcome.as_str()),
        },
        crossing: centinela_rules::Crossing {
            post: party.req.post.trim(),
            direction: party.req.direction.as_str(),
            vehicle: party.req.vehicle.as_deref().unwrap_or(""),
            destination: input.destination.as_deref().unwrap_or(""),
            ..Default::default()
        }
        .at(at),
        party: centinela_rules::Party {
            size: Some(party.ages.len() as i64),
            adults: Some(adults),
            minors: Some(minors),
            has_guardian: crate::indicators::has_guardian(&party.req.travellers, party.ages, i),
            is_lead: Some(i == 0),
        },
        booking: Default::default(),
        history: &hist,
    };
    rules
        .evaluate(&facts)
        .into_iter()
        .map(|f| Flag {
            code: f.rule_id,
            kind: match f.category {
                Category::PossibleVictim => FlagKind::PossibleVictim,
                Category::Smuggling => FlagKind::Smuggling,
                Category::DocumentFraud => FlagKind::DocumentFraud,
                Category::Network => FlagKind::Network,
            },
            reason: f.reason,
            action: match f.action {
                Action::SecondaryInspection => NextStep::SecondaryInspection,
                Action::ReferToProtection => NextStep::ReferToProtection,
            },
        })
        .collect()
}

/// Built-in flags whose code a rule of `rules` governs are dropped, whether
/// that rule is enabled (it fired or not, on its own terms) or disabled (a
/// disabled indicator never fires): the rules catalogue decides.
pub(crate) fn merge(rules: &RuleSet, builtin: Vec<Flag>, fired: Vec<Flag>) -> Vec<Flag> {
    let mut out: Vec<Flag> = builtin.into_iter().filter(|f| !rules.rules().any(|r| r.id == f.code)).collect();
    out.extend(fired);
    out
}
