//! The built-in risk indicators the pipeline applies before the rules
//! engine exists (INDICATORS.md): T1 and T2 from the party, T3 and T5–T10
//! from the officer's observations, T4 from the document's history, and
//! document problems from the MRZ. Each flag is a reason to look closer,
//! never a decision.

use centinela_domain::Timestamp;
use serde::Serialize;

use crate::request::{Observation, Read, Relation, TravellerInput};
use crate::{DocumentCheck, History, NextStep};

/// What a flag points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlagKind {
    PossibleVictim,
    Smuggling,
    DocumentFraud,
    /// A pattern across travellers (INDICATORS.md N1–N5).
    Network,
    Document,
    /// The traveller's own crossings (an entry with no exit since).
    TravelHistory,
}

/// A risk indicator raised for a traveller.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flag {
    /// The indicator's id (`T1` … `T10`), or a document code such as
    /// `document_invalid`, `document_expired`, `document_specimen`.
    pub code: String,
    pub kind: FlagKind,
    /// Why, in a sentence an officer reads (English; the interface
    /// translates by `code`).
    pub reason: String,
    /// What the flag suggests: secondary inspection, or referral to
    /// protection for a possible victim. Advice only.
    pub action: NextStep,
}

fn flag(code: &str, kind: FlagKind, reason: impl Into<String>) -> Flag {
    let action =
        if kind == FlagKind::PossibleVictim { NextStep::ReferToProtection } else { NextStep::SecondaryInspection };
    Flag { code: code.into(), kind, reason: reason.into(), action }
}

/// The indicator for an entry when the traveller's previous crossing within
/// reach was an entry too (no exit recorded since `previous`).
pub(crate) fn entry_without_exit(previous: &crate::PastCrossing) -> Flag {
    flag(
        "entry_without_exit",
        FlagKind::TravelHistory,
        format!("entered before ({}) with no exit recorded since", previous.crossed_at.get(..10).unwrap_or("")),
    )
}

/// Whether minor `i` travels with an adult recorded as parent or guardian
/// (`None` for adults and travellers of unknown age).
pub(crate) fn has_guardian(travellers: &[TravellerInput], ages: &[Option<i32>], i: usize) -> Option<bool> {
    let rel = |j: usize| travellers[j].relation.unwrap_or(if j == 0 { Relation::Lead } else { Relation::Unknown });
    if ages[i].is_none_or(|a| a >= 18) {
        return None;
    }
    Some((0..travellers.len()).any(|a| ages[a].is_some_and(|x| x >= 18) && guards(rel(a), rel(i))))
}

/// How many registered holders of the document are someone else.
pub(crate) fn other_holders(read: &Read, history: &History) -> usize {
    history.holders.iter().filter(|(g, s, b)| another_holder(read, g, s, *b)).count()
}

/// Adults (18 and over) are guardians of a minor when the relation says
/// so: the lead's parent/guardian/spouse when the minor is the lead's
/// child or ward, or the lead itself; or the minor is the lead and the
/// adult its parent or guardian.
fn guards(adult_rel: Relation, minor_rel: Relation) -> bool {
    use Relation::*;
    matches!((adult_rel, minor_rel), (Lead, Child | Ward) | (Spouse, Child) | (Parent | Guardian, Lead))
}

/// T1 (minor with adults none of whom is a parent or guardian, and no
/// travel consent) and T2 (minor with no adult at all), per traveller.
pub(crate) fn party_flags(travellers: &[TravellerInput], ages: &[Option<i32>]) -> Vec<Vec<Flag>> {
    let rel = |i: usize| travellers[i].relation.unwrap_or(if i == 0 { Relation::Lead } else { Relation::Unknown });
    let adults: Vec<usize> = (0..travellers.len()).filter(|&i| ages[i].is_some_and(|a| a >= 18)).collect();
    let mut out = vec![Vec::new(); travellers.len()];
    for (i, age) in ages.iter().enumerate() {
        let Some(age) = *age else { continue };
        if age >= 18 {
            continue;
        }
        if adults.is_empty() {
            out[i].push(flag("T2", FlagKind::PossibleVictim, format!("minor aged {age} travelling without an adult")));
            continue;
        }
        let guarded = adults.iter().any(|&a| guards(rel(a), rel(i)));
        if !guarded && !travellers[i].travel_consent {
            out[i].push(flag(
                "T1",
                FlagKind::PossibleVictim,
                format!(
                    "minor aged {age} with adults none of whom is recorded as parent or guardian, and no travel consent"
                ),
            ));
        }
    }
    out
}

/// Flags from the traveller's own document, history and the officer's
/// observations.
pub(crate) fn traveller_flags(
    input: &TravellerInput,
    read: &Read,
    doc: &DocumentCheck,
    history: Option<&History>,
    _at: Timestamp,
) -> Vec<Flag> {
    let mut out = Vec::new();
    if doc.mrz_valid == Some(false) {
        out.push(flag(
            "document_invalid",
            FlagKind::Document,
            format!("the MRZ fails its checks: {}", doc.problems.join(", ")),
        ));
    }
    if doc.problems.iter().any(|p| p == "specimen") {
        out.push(flag("document_specimen", FlagKind::Document, "a specimen document (ICAO's sample state UTO)"));
    }
    if doc.problems.iter().any(|p| p == "expired") {
        out.push(flag("document_expired", FlagKind::Document, "the document has expired"));
    }
    if !doc.typed_differs.is_empty() {
        out.push(flag(
            "typed_differs_from_mrz",
            FlagKind::Document,
            format!("typed fields differ from the MRZ: {}", doc.typed_differs.join(", ")),
        ));
    }
    if let Some(h) = history {
        let others = other_holders(read, h);
        if others > 0 {
            out.push(flag(
                "T4",
                FlagKind::DocumentFraud,
                format!("this document number was registered before with {others} other holder(s)"),
            ));
        }
    }
    let mut seen = Vec::new();
    for o in &input.observations {
        if seen.contains(o) {
            continue;
        }
        seen.push(*o);
        let (kind, reason) = match o {
            Observation::T3 => (FlagKind::PossibleVictim, "someone else holds the traveller's document"),
            Observation::T5 => {
                (FlagKind::PossibleVictim, "someone speaks for the traveller; scripted or inconsistent answers")
            }
            Observation::T6 => (FlagKind::PossibleVictim, "an escort watches but stays apart"),
            Observation::T7 => {
                (FlagKind::Smuggling, "ticket bought at the last minute by someone else, in cash, one way")
            }
            Observation::T8 => {
                (FlagKind::PossibleVictim, "job offer abroad through an agent; a recruitment fee or debt")
            }
            Observation::T9 => (FlagKind::PossibleVictim, "signs of fear, injuries or sedation; unsuitable clothing"),
            Observation::T10 => (FlagKind::Smuggling, "a group leader holds the documents or cash"),
        };
        out.push(flag(&format!("{o:?}"), kind, reason));
    }
    out
}

/// A registered holder is someone else when both birth dates are known
/// and differ, or when the surnames share no word (after folding accents
/// and case).
fn another_holder(read: &Read, given: &str, surnames: &str, birth: Option<centinela_domain::BirthDate>) -> bool {
    if let (Some(a), Some(b)) = (read.birth_date, birth)
        && a.is_full()
        && b.is_full()
    {
        return a != b;
    }
    let words = |s: &str| -> Vec<String> {
        centinela_names::normalize::fold(s).split_whitespace().filter(|w| w.len() > 2).map(str::to_string).collect()
    };
    let (mine, theirs) = (words(&read.surnames), words(surnames));
    if mine.is_empty() || theirs.is_empty() {
        let (mg, tg) = (words(&read.given_names), words(given));
        return !mg.is_empty() && !tg.is_empty() && !mg.iter().any(|w| tg.contains(w));
    }
    !mine.iter().any(|w| theirs.contains(w))
}
