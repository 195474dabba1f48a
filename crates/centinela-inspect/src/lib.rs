//! The inspection pipeline, from the booth's input to what the officer sees.
//!
//! For each traveller of a travel party: read and verify the MRZ (or take the
//! typed fields) → look the document up on every stolen/lost documents list →
//! screen the name against every person list → apply the built-in risk
//! indicators (the rules crate plugs in here later) → suggest a next step.
//! The party is inspected as a whole: a minor's companions and their
//! relation decide indicators T1 and T2.
//!
//! Architecture invariant: nothing here decides. Every hit and flag is shown
//! with its reason, the suggestion is one of admit / secondary inspection /
//! refer to protection (never "refuse"), and a person adjudicates.
//!
//! The crate does no I/O: the caller supplies the lists ([`Watchlists`]),
//! the time, the crossing ids and what history knows of the document
//! ([`History`]).

mod indicators;
pub mod lookouts;
mod request;
mod rules;
mod watchlists;

use centinela_domain::{
    BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, HitKind, ListKind, Sex, Timestamp,
};
use centinela_names::{Query, ScreenOptions};
use serde::Serialize;

pub use indicators::{Flag, FlagKind};
pub use lookouts::{Lookout, LookoutHit, LookoutIndex};
pub use request::{ChipInput, Observation, PartyRequest, Relation, TravellerInput};
pub use watchlists::{ListRef, Watchlists};

/// What the officer is advised to do next. Advice only. Ordered by how much
/// attention it asks for (a party's step is its travellers' greatest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    Admit,
    SecondaryInspection,
    ReferToProtection,
}

impl NextStep {
    pub fn as_str(&self) -> &'static str {
        match self {
            NextStep::Admit => "admit",
            NextStep::SecondaryInspection => "secondary_inspection",
            NextStep::ReferToProtection => "refer_to_protection",
        }
    }
}

/// Why the input cannot be inspected; `field` names the place, e.g.
/// `travellers[1].birth_date`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InputError {
    pub field: String,
    pub message: String,
}

/// What history knows of a traveller's document: the holders it was
/// registered with before (names and birth dates as registered), and the
/// traveller's latest crossings within the asking officer's reach (same
/// document, or same names and full birth date), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub holders: Vec<(String, String, Option<BirthDate>)>,
    pub crossings: Vec<PastCrossing>,
    /// The chip's Passive Authentication outcome, when a chip was presented
    /// (`verified`, `chip_data_altered`, `signature_invalid`,
    /// `ds_not_trusted`, `chip_page_mismatch`, `malformed`): the rules'
    /// `document.chip` facts.
    pub chip: Option<ChipFacts>,
}

/// What the rules see of the chip.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChipFacts {
    pub outcome: String,
    pub failed: bool,
}

/// The most earlier crossings an inspection shows per traveller.
pub const TRAVEL_HISTORY_SHOWN: usize = 5;

/// One earlier crossing of the traveller, as the booth shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastCrossing {
    pub crossing_id: String,
    pub post: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "entry"))]
    pub direction: Direction,
    /// RFC 3339, UTC.
    pub crossed_at: String,
    /// An entry followed by another entry, with no exit recorded between
    /// them (as far as the officer's reach shows). Set by the inspection.
    pub entry_without_exit: bool,
}

/// The document as read, and what its checks found.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentCheck {
    /// `mrz` when read from a machine-readable zone, else `typed`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub source: &'static str,
    pub document_type: String,
    pub document_number: String,
    pub issuing_state: String,
    pub expiry_date: String,
    /// The MRZ's check digits and fields all pass (`None` for typed input).
    pub mrz_valid: Option<bool>,
    /// Stable codes of the MRZ's warnings and failed checks
    /// (`check_digit_document_number`, `expired`, …).
    pub problems: Vec<String>,
    /// Typed fields that contradict the MRZ.
    pub typed_differs: Vec<String>,
}

/// What the issuing authority says of a listed person's alert (the list
/// entry's [`centinela_domain::Notice`]), as the officer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertNotice {
    /// Why the person is listed ("Notificación roja: trata de personas").
    pub reason: String,
    /// What the authority asks the officer to do, in its words.
    pub action: String,
    pub authority: String,
    /// When the alert was issued: `AAAA-MM-DD`, `AAAA-MM`, `AAAA` or empty.
    pub issued: String,
}

/// A hit on an alert list, with the list's requested action and an
/// explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AlertHit {
    /// `person` (name screening) or `document` (stolen/lost lookup).
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "person"))]
    pub kind: HitKind,
    pub list: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub list_kind: ListKind,
    /// The list entry's id, or the reported document's number.
    pub entry_id: String,
    /// For persons, the calibrated probability; for documents 1.0 (exact)
    /// or 0.5 (differs only by confusable characters).
    pub score: f64,
    pub action: String,
    /// The person as the list has them (names, birth dates), or the
    /// document's status.
    pub listed_as: String,
    /// The alert's reason, action, issuer and date, when the list gives any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<AlertNotice>,
    pub explanation: Vec<Reason>,
    /// The list entry's content hash (persons only), to tell whether a
    /// supervisor's clearance still applies. Not shown.
    #[serde(skip)]
    pub entry_hash: Option<String>,
}

/// A supervisor's standing clearance of a traveller against a list entry:
/// "cleared on D by X: reason".
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClearanceNote {
    pub uid: String,
    /// When it was made (RFC 3339).
    pub cleared_at: String,
    pub cleared_by: String,
    pub reason: String,
    pub expires_at: String,
    /// The document the clearance was made on (number and issuing state):
    /// the traveller's own, or another of theirs when it reached this one
    /// through intelligence's identity resolution.
    pub made_on_document: String,
    pub made_on_state: String,
    /// The resolved person that linked this document to the cleared one
    /// (`R0000001`), when the clearance was extended to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_person: Option<String>,
}

/// A hit a supervisor's clearance answers: shown, never alerting.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClearedHit {
    pub hit: AlertHit,
    pub clearance: ClearanceNote,
}

/// One line of an explanation: what was compared, and its weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub aspect: String,
    pub how: String,
    pub weight: f64,
}

/// What one traveller's inspection showed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TravellerOutcome {
    pub crossing_id: String,
    pub given_names: String,
    pub surnames: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub birth_date: Option<BirthDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub nationality: Option<CountryCode>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub sex: Sex,
    /// Age in years on the day of the crossing, when the birth year is known.
    pub age: Option<i32>,
    pub relation: Relation,
    pub document: DocumentCheck,
    pub hits: Vec<AlertHit>,
    /// Hits of the lookouts in force at the post (shown apart from list
    /// hits, with the lookout's reason and action).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lookouts: Vec<LookoutHit>,
    /// Hits a supervisor has cleared for this traveller: they do not
    /// alert and do not count in the suggestion.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cleared: Vec<ClearedHit>,
    pub flags: Vec<Flag>,
    pub suggested: NextStep,
    /// The traveller's latest earlier crossings within the officer's reach,
    /// newest first (at most [`TRAVEL_HISTORY_SHOWN`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub travel_history: Vec<PastCrossing>,
    /// The chip's verdict, when the chip was presented (set by the caller,
    /// which holds the trust anchors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chip: Option<ChipResult>,
    /// The faces stored with the crossing (the chip's photo, the booth's
    /// capture), set by the caller after the crossing is recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub faces: Option<Faces>,
}

/// The faces stored with a crossing, each read through
/// `GET /api/crossings/{id}/images/{kind}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Faces {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chip: Option<FaceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<FaceRef>,
    /// The biometric matcher's score of the capture against the chip's
    /// photo, when a matcher is configured (none is by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
}

/// One stored face.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FaceRef {
    /// `image/jpeg` or `image/jp2` (JPEG 2000, which browsers may not show).
    pub mime: String,
    /// SHA-256 of the image, hex.
    pub sha256: String,
}

/// The chip's DG1 as read, for the officer to set beside the page's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChipData {
    pub document_code: String,
    pub issuing_state: String,
    pub surnames: String,
    pub given_names: String,
    pub document_number: String,
    pub nationality: String,
    pub birth_date: String,
    pub sex: String,
    pub expiry_date: String,
}

/// What Passive Authentication of the chip said, for the officer: its
/// outcome code (`verified`, `chip_data_altered`, `signature_invalid`,
/// `ds_not_trusted`, `chip_page_mismatch`, `malformed`), the message in
/// both languages and the whole verdict (`centinela chip verify`'s JSON).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChipResult {
    pub outcome: String,
    pub failed: bool,
    pub message_es: String,
    pub message_en: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub verdict: serde_json::Value,
    /// DG1 as the chip holds it, when it could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ChipData>,
}

/// What the inspection of a travel party showed, traveller by traveller,
/// and the records to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartyOutcome {
    pub group_id: String,
    pub travellers: Vec<TravellerOutcome>,
    /// The most cautious of the travellers' suggestions.
    pub suggested: NextStep,
    #[serde(skip)]
    pub records: Vec<CrossingRecord>,
}

/// Inspects a travel party at `post` at time `at`. `crossing_ids` and
/// `history` have one element per traveller; `group_id` is used when the
/// party has more than one traveller and the request gave none.
pub fn inspect(
    req: &PartyRequest,
    lists: &Watchlists,
    at: Timestamp,
    crossing_ids: &[String],
    history: &[History],
    group_id: &str,
) -> Result<PartyOutcome, InputError> {
    if req.travellers.is_empty() {
        return Err(InputError { field: "travellers".into(), message: "at least one traveller is needed".into() });
    }
    if req.travellers.len() > request::MAX_PARTY {
        return Err(InputError {
            field: "travellers".into(),
            message: format!("at most {} travellers in one party", request::MAX_PARTY),
        });
    }
    for (field, v) in [("vehicle", &req.vehicle), ("group_id", &req.group_id)] {
        if let Some(v) = v {
            centinela_domain::check_line(v, request::MAX_TEXT)
                .map_err(|e| InputError { field: field.into(), message: e.to_string() })?;
        }
    }
    assert_eq!(crossing_ids.len(), req.travellers.len(), "one crossing id per traveller");
    let group_id = match (&req.group_id, req.travellers.len()) {
        (Some(g), _) if !g.trim().is_empty() => g.trim().to_string(),
        (_, 1) => String::new(),
        _ => group_id.to_string(),
    };
    let mut read = Vec::with_capacity(req.travellers.len());
    for (i, t) in req.travellers.iter().enumerate() {
        read.push(request::read_traveller(i, t, at)?);
    }
    let ages: Vec<Option<i32>> = read.iter().map(|r| r.birth_date.map(|b| at.age_of(&b))).collect();
    let party_flags = indicators::party_flags(&req.travellers, &ages);
    let mut travellers = Vec::with_capacity(read.len());
    let mut records = Vec::with_capacity(read.len());
    for (i, r) in read.into_iter().enumerate() {
        let input = &req.travellers[i];
        let number = r.document_number.clone();
        let mut hits = document_hits(lists, number.as_ref(), r.issuing_state);
        hits.extend(person_hits(lists, &r));
        let mut builtin = party_flags[i].clone();
        builtin.extend(indicators::traveller_flags(input, &r, &r.document, history.get(i), at));
        let travel_history = history.get(i).map(|h| travel_history(req.direction, &h.crossings)).unwrap_or_default();
        if let Some(previous) = travel_history.first().filter(|c| c.entry_without_exit) {
            builtin.push(indicators::entry_without_exit(previous));
        }
        let view = rules::PartyView { req, ages: &ages, index: i };
        let fired = rules::flags(lists.rules(), &view, &r, history.get(i), at);
        let flags = rules::merge(lists.rules(), builtin, fired);
        let suggested = suggest(&hits, &flags, &r.document);
        let record = CrossingRecord {
            crossing_id: crossing_ids[i].clone(),
            post: req.post.trim().to_string(),
            direction: req.direction,
            crossed_at: at,
            given_names: r.given_names.clone(),
            surnames: r.surnames.clone(),
            birth_date: r.birth_date,
            nationality: r.nationality,
            sex: r.sex,
            document_type: r.document.document_type.clone(),
            document_number: number,
            issuing_state: r.issuing_state,
            group_id: group_id.clone(),
            vehicle: req.vehicle.clone().unwrap_or_default(),
            phone: input.phone.clone().unwrap_or_default(),
            address: input.address.clone().unwrap_or_default(),
            destination: input.destination.clone().unwrap_or_default(),
        };
        records.push(record);
        travellers.push(TravellerOutcome {
            crossing_id: crossing_ids[i].clone(),
            given_names: r.given_names,
            surnames: r.surnames,
            birth_date: r.birth_date,
            nationality: r.nationality,
            sex: r.sex,
            age: ages[i],
            relation: input.relation.unwrap_or(if i == 0 { Relation::Lead } else { Relation::Unknown }),
            document: r.document,
            hits,
            lookouts: Vec::new(),
            cleared: Vec::new(),
            flags,
            suggested,
            travel_history,
            chip: None,
            faces: None,
        });
    }
    let suggested = travellers.iter().map(|t| t.suggested).max().unwrap_or(NextStep::Admit);
    Ok(PartyOutcome { group_id, travellers, suggested, records })
}

/// The traveller's earlier crossings (newest first), at most
/// [`TRAVEL_HISTORY_SHOWN`], each entry marked when the next crossing —
/// the later one, or for the latest this crossing in `direction` — is an
/// entry too: the person came in twice with no exit recorded between.
fn travel_history(direction: Direction, crossings: &[PastCrossing]) -> Vec<PastCrossing> {
    let mut out: Vec<PastCrossing> = crossings.iter().take(TRAVEL_HISTORY_SHOWN).cloned().collect();
    let mut next = direction;
    for c in &mut out {
        c.entry_without_exit = c.direction == Direction::Entry && next == Direction::Entry;
        next = c.direction;
    }
    out
}

/// Who each traveller is, as the pipeline will read them (MRZ first, typed
/// fields otherwise), so that the caller can fetch each one's [`History`]
/// before calling [`inspect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The document presented (number, issuing state or empty), if any.
    pub document: Option<(String, String)>,
    pub given_names: String,
    pub surnames: String,
    /// Only a full birth date identifies.
    pub birth_date: Option<BirthDate>,
}

/// Each traveller's [`Identity`], in order.
pub fn identities_of(req: &PartyRequest, at: Timestamp) -> Result<Vec<Identity>, InputError> {
    req.travellers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let r = request::read_traveller(i, t, at)?;
            Ok(Identity {
                document: r.document_number.map(|n| {
                    (n.as_str().to_string(), r.issuing_state.map(|c| c.as_str().to_string()).unwrap_or_default())
                }),
                given_names: r.given_names,
                surnames: r.surnames,
                birth_date: r.birth_date.filter(BirthDate::is_full),
            })
        })
        .collect()
}

/// Moves the person hits that `cleared` answers (given the traveller's
/// index and the hit) out of the alerts, into [`TravellerOutcome::cleared`],
/// and suggests again without them. Returns how many were moved.
pub fn apply_clearances(
    outcome: &mut PartyOutcome,
    mut cleared: impl FnMut(usize, &AlertHit) -> Option<ClearanceNote>,
) -> usize {
    let mut moved = 0;
    for (i, t) in outcome.travellers.iter_mut().enumerate() {
        let mut kept = Vec::with_capacity(t.hits.len());
        for hit in std::mem::take(&mut t.hits) {
            let note = if hit.kind == HitKind::Person { cleared(i, &hit) } else { None };
            match note {
                Some(clearance) => {
                    t.cleared.push(ClearedHit { hit, clearance });
                    moved += 1;
                }
                None => kept.push(hit),
            }
        }
        t.hits = kept;
        t.suggested = suggest(&t.hits, &t.flags, &t.document);
    }
    outcome.suggested = outcome.travellers.iter().map(|t| t.suggested).max().unwrap_or(NextStep::Admit);
    moved
}

/// The document (number, issuing state) each traveller presents, as the
/// pipeline will read it (MRZ first, typed fields otherwise), so that the
/// caller can fetch its [`History`] before calling [`inspect`].
pub fn documents_of(req: &PartyRequest, at: Timestamp) -> Result<Vec<Option<(String, String)>>, InputError> {
    req.travellers
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let r = request::read_traveller(i, t, at)?;
            Ok(r.document_number
                .map(|n| (n.as_str().to_string(), r.issuing_state.map(|c| c.as_str().to_string()).unwrap_or_default())))
        })
        .collect()
}

fn document_hits(lists: &Watchlists, number: Option<&DocumentNumber>, state: Option<CountryCode>) -> Vec<AlertHit> {
    let Some(number) = number else { return Vec::new() };
    let mut out = Vec::new();
    for (list, index) in lists.documents() {
        let found = index.lookup(number, state);
        let mut push = |hit: &centinela_lists::DocumentHit, exact: bool| {
            let how = if exact {
                "same number and issuing state".to_string()
            } else {
                "number differs only by characters easily confused (O/0, I/1, S/5, B/8)".to_string()
            };
            out.push(AlertHit {
                kind: HitKind::Document,
                list: list.name.to_string(),
                list_kind: list.kind,
                entry_id: number.as_str().to_string(),
                score: if exact { 1.0 } else { 0.5 },
                action: list.action.to_string(),
                listed_as: hit.status.as_str().to_string(),
                notice: None,
                explanation: vec![Reason { aspect: "document number".into(), how, weight: 0.0 }],
                entry_hash: None,
            });
        };
        for h in &found.exact {
            push(h, true);
        }
        for h in &found.possible {
            push(h, false);
        }
    }
    out
}

fn person_hits(lists: &Watchlists, r: &request::Read) -> Vec<AlertHit> {
    if r.given_names.is_empty() && r.surnames.is_empty() {
        return Vec::new();
    }
    let q = Query {
        given_names: r.given_names.clone(),
        surnames: r.surnames.clone(),
        birth_date: r.birth_date,
        nationality: r.nationality,
        sex: r.sex,
        document_number: r.document_number.clone(),
    };
    let opts = ScreenOptions { top_k: Some(10), ..ScreenOptions::default() };
    lists
        .screener()
        .screen(&q, &opts)
        .into_iter()
        .map(|h| {
            let entry = lists.screener().entry(h.entry);
            let list = lists.list_of(h.entry);
            let births: Vec<String> = entry.birth_dates.iter().map(|d| d.to_string()).collect();
            let mut listed_as = format!("{} {}", entry.given_names, entry.surnames).trim().to_string();
            if !births.is_empty() {
                listed_as.push_str(&format!(" ({})", births.join(", ")));
            }
            AlertHit {
                kind: HitKind::Person,
                list: list.name.to_string(),
                list_kind: list.kind,
                entry_id: entry.id.clone(),
                score: (h.score * 1000.0).round() / 1000.0,
                action: list.action.to_string(),
                listed_as,
                notice: (!entry.notice.is_empty()).then(|| AlertNotice {
                    reason: entry.notice.reason.clone(),
                    action: entry.notice.action.clone(),
                    authority: entry.notice.authority.clone(),
                    issued: entry.notice.issued.map(|d| d.to_string()).unwrap_or_default(),
                }),
                explanation: h
                    .explanation
                    .items
                    .iter()
                    .filter(|e| e.aspect != centinela_names::Aspect::Prior)
                    .map(|e| Reason {
                        aspect: e.aspect.as_str().to_string(),
                        how: e.how.clone(),
                        weight: (e.contribution * 100.0).round() / 100.0,
                    })
                    .collect(),
                entry_hash: Some(entry.content_hash()),
            }
        })
        .collect()
}

/// The suggestion: protection when a missing-persons hit or a flag asks
/// for it (possible victims); secondary inspection for any other hit, flag
/// or document problem; otherwise admit.
fn suggest(hits: &[AlertHit], flags: &[Flag], doc: &DocumentCheck) -> NextStep {
    let from_hits = hits.iter().map(|h| {
        if h.list_kind == ListKind::Missing { NextStep::ReferToProtection } else { NextStep::SecondaryInspection }
    });
    let from_flags = flags.iter().map(|f| f.action);
    let from_doc = (doc.mrz_valid == Some(false)).then_some(NextStep::SecondaryInspection);
    from_hits.chain(from_flags).chain(from_doc).max().unwrap_or(NextStep::Admit)
}

#[cfg(test)]
mod tests;
