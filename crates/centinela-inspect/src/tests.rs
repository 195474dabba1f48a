use std::sync::Arc;

use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, Direction, DocumentNumber, DocumentStatus, HitKind, ListKind, Timestamp,
};
use centinela_lists::DocumentIndex;

use super::*;

const MEX_MRZ: &str = "P<MEXNUNEZ<DE<LA<CRUZ<<MARIA<JOSE<<<<<<<<<<<\nG458210932MEX9203147F3105227<<<<<<<<<<<<<<<6";

fn list(name: &str, kind: ListKind) -> ListRef {
    ListRef { name: Arc::from(name), kind, action: Arc::from(kind.default_action()) }
}

fn lists() -> Watchlists {
    let wanted = AlertEntry {
        id: "W-1".into(),
        given_names: "José Luis".into(),
        surnames: "Hernández Villalobos".into(),
        birth_dates: vec![BirthDate::parse("1980-05-17").unwrap()],
        notice: centinela_domain::Notice {
            reason: "Notificación roja: trata de personas".into(),
            authority: "INTERPOL".into(),
            issued: BirthDate::parse("2025-11-02").ok(),
            ..Default::default()
        },
        ..Default::default()
    };
    let missing = AlertEntry {
        id: "M-7".into(),
        given_names: "Yesenia".into(),
        surnames: "Cux Tzul".into(),
        birth_dates: vec![BirthDate::parse("2011-02-03").unwrap()],
        ..Default::default()
    };
    let mut docs = DocumentIndex::builder();
    docs.push(&DocumentNumber::parse("A1234567").unwrap(), CountryCode::parse("GTM").ok(), DocumentStatus::Stolen);
    Watchlists::build(
        vec![(list("interpol-red", ListKind::Wanted), wanted), (list("desaparecidos", ListKind::Missing), missing)],
        vec![(list("sltd", ListKind::Documents), docs.finish())],
    )
}

fn at() -> Timestamp {
    Timestamp::parse("2026-11-23T10:00:00-06:00").unwrap()
}

fn party(travellers: Vec<TravellerInput>) -> PartyRequest {
    PartyRequest {
        post: "GTM-TECUNUMAN".into(),
        direction: Direction::Entry,
        vehicle: None,
        group_id: None,
        travellers,
    }
}

fn typed(given: &str, surnames: &str, birth: &str) -> TravellerInput {
    TravellerInput {
        given_names: Some(given.into()),
        surnames: Some(surnames.into()),
        birth_date: Some(birth.into()),
        ..Default::default()
    }
}

fn run(req: &PartyRequest) -> PartyOutcome {
    let ids: Vec<String> = (0..req.travellers.len()).map(|i| format!("C{i}")).collect();
    let hist = vec![History::default(); req.travellers.len()];
    inspect(req, &lists(), at(), &ids, &hist, "G-1").unwrap()
}

#[test]
fn a_clean_adult_is_admitted() {
    let out = run(&party(vec![typed("Ana", "López Ruiz", "1990-01-01")]));
    let t = &out.travellers[0];
    assert!(t.hits.is_empty() && t.flags.is_empty(), "{t:?}");
    assert_eq!(t.suggested, NextStep::Admit);
    assert_eq!(out.group_id, "");
    assert_eq!(out.records[0].crossing_id, "C0");
    assert_eq!(out.records[0].crossed_at.to_string(), "2026-11-23T16:00:00Z");
}

#[test]
fn a_wanted_person_spelled_differently_is_a_hit_with_reasons() {
    let out = run(&party(vec![typed("Jose Luis", "Ernandes Billalobos", "1980-05-17")]));
    let t = &out.travellers[0];
    assert_eq!(t.hits.len(), 1, "{t:?}");
    let h = &t.hits[0];
    assert_eq!((h.kind, h.list.as_str(), h.entry_id.as_str()), (HitKind::Person, "interpol-red", "W-1"));
    assert_eq!(h.action, "secondary_inspection_notify_police");
    assert!(h.explanation.iter().any(|r| r.aspect == "birth date"));
    assert_eq!(t.suggested, NextStep::SecondaryInspection);
}

#[test]
fn a_missing_child_with_an_unrelated_adult_goes_to_protection() {
    let mut adult = typed("Carlos", "Pérez", "1975-03-03");
    adult.relation = Some(Relation::Lead);
    let mut child = typed("Yessenia", "Cux", "2011-02-03");
    child.relation = Some(Relation::None);
    let out = run(&party(vec![adult, child]));
    assert_eq!(out.group_id, "G-1");
    let c = &out.travellers[1];
    assert_eq!(c.age, Some(15));
    assert!(c.hits.iter().any(|h| h.list_kind == ListKind::Missing), "{c:?}");
    assert!(c.flags.iter().any(|f| f.code == "T1"));
    assert_eq!(c.suggested, NextStep::ReferToProtection);
    assert_eq!(out.suggested, NextStep::ReferToProtection);
    assert_eq!(out.records[1].group_id, "G-1");
}

#[test]
fn a_child_with_a_parent_or_consent_raises_no_t1() {
    let parent = typed("Carlos", "Pérez", "1975-03-03");
    let mut child = typed("Lucía", "Pérez Gómez", "2015-06-06");
    child.relation = Some(Relation::Child);
    let out = run(&party(vec![parent.clone(), child.clone()]));
    assert!(out.travellers[1].flags.is_empty(), "{:?}", out.travellers[1]);
    child.relation = Some(Relation::Relative);
    assert!(run(&party(vec![parent.clone(), child.clone()])).travellers[1].flags.iter().any(|f| f.code == "T1"));
    child.travel_consent = true;
    assert!(run(&party(vec![parent, child])).travellers[1].flags.is_empty());
}

#[test]
fn a_minor_alone_is_t2() {
    let out = run(&party(vec![typed("Lucía", "Pérez Gómez", "2015-06-06")]));
    assert_eq!(out.travellers[0].flags[0].code, "T2");
    assert_eq!(out.suggested, NextStep::ReferToProtection);
}

#[test]
fn a_stolen_document_and_a_confusable_one_are_hits() {
    let mut t = typed("Ana", "López", "1990-01-01");
    t.document_number = Some("A1234567".into());
    t.issuing_state = Some("GTM".into());
    let out = run(&party(vec![t.clone()]));
    let h = &out.travellers[0].hits[0];
    assert_eq!((h.kind, h.score, h.listed_as.as_str()), (HitKind::Document, 1.0, "stolen"));
    t.document_number = Some("A12345G7".into());
    let out = run(&party(vec![t]));
    assert_eq!(out.travellers[0].hits[0].score, 0.5);
}

#[test]
fn the_mrz_is_read_and_checked() {
    let t =
        TravellerInput { mrz: Some(MEX_MRZ.into()), given_names: Some("María José".into()), ..Default::default() };
    let out = run(&party(vec![t]));
    let t = &out.travellers[0];
    assert_eq!(t.document.source, "mrz");
    assert_eq!(t.document.mrz_valid, Some(true));
    assert_eq!(t.given_names, "María José", "the typed spelling with accents is kept");
    assert_eq!(t.surnames, "NUNEZ DE LA CRUZ");
    assert_eq!(t.birth_date, Some(BirthDate::parse("1992-03-14").unwrap()));
    assert_eq!(t.document.document_number, "G45821093");
    assert_eq!(t.suggested, NextStep::Admit);
}

#[test]
fn a_bad_check_digit_and_contradicting_typed_fields_are_flagged() {
    let bad = MEX_MRZ.replace("G458210932", "G458210933");
    let t = TravellerInput { mrz: Some(bad), surnames: Some("Gómez".into()), ..Default::default() };
    let out = run(&party(vec![t]));
    let codes: Vec<&str> = out.travellers[0].flags.iter().map(|f| f.code.as_str()).collect();
    assert!(codes.contains(&"document_invalid") && codes.contains(&"typed_differs_from_mrz"), "{codes:?}");
    assert_eq!(out.suggested, NextStep::SecondaryInspection);
}

/// ICAO's specimen state (`UTO`) on a real traveller's document: the
/// zone reads and its checks pass, and the officer is told.
#[test]
fn a_specimen_document_is_flagged() {
    let t = TravellerInput { mrz: Some(MEX_MRZ.replace("MEX", "UTO")), ..Default::default() };
    let out = run(&party(vec![t]));
    let t = &out.travellers[0];
    assert_eq!(t.document.mrz_valid, Some(true));
    assert!(t.document.problems.iter().any(|p| p == "specimen"), "{:?}", t.document.problems);
    assert!(t.flags.iter().any(|f| f.code == "document_specimen"), "{:?}", t.flags);
    assert_eq!(out.suggested, NextStep::SecondaryInspection);
    let plain = run(&party(vec![TravellerInput { mrz: Some(MEX_MRZ.into()), ..Default::default() }]));
    assert!(plain.travellers[0].flags.iter().all(|f| f.code != "document_specimen"));
}

#[test]
fn a_document_seen_with_another_holder_is_t4() {
    let mut t = typed("Ana", "López Ruiz", "1990-01-01");
    t.document_number = Some("X999".into());
    let req = party(vec![t]);
    let hist = vec![History {
        holders: vec![("Marta".into(), "Sánchez".into(), BirthDate::parse("1985-02-02").ok())],
        ..Default::default()
    }];
    let out = inspect(&req, &lists(), at(), &["C0".into()], &hist, "").unwrap();
    assert_eq!(out.travellers[0].flags[0].code, "T4");
    let same = vec![History { holders: vec![("Ana".into(), "LOPEZ".into(), None)], ..Default::default() }];
    let out = inspect(&req, &lists(), at(), &["C0".into()], &same, "").unwrap();
    assert!(out.travellers[0].flags.is_empty());
}

#[test]
fn documents_are_known_before_inspection() {
    let mut t = typed("Ana", "López", "1990-01-01");
    t.document_number = Some("x-99 9".into());
    t.issuing_state = Some("GTM".into());
    let m = TravellerInput { mrz: Some(MEX_MRZ.into()), ..Default::default() };
    let docs = documents_of(&party(vec![t, m, typed("A", "B", "")]), at()).unwrap();
    assert_eq!(docs, [Some(("X999".into(), "GTM".into())), Some(("G45821093".into(), "MEX".into())), None]);
}

#[test]
fn observations_become_flags_once() {
    let mut t = typed("Ana", "López", "1990-01-01");
    t.observations = vec![Observation::T9, Observation::T9, Observation::T7];
    let out = run(&party(vec![t]));
    let mut codes: Vec<&str> = out.travellers[0].flags.iter().map(|f| f.code.as_str()).collect();
    codes.sort();
    assert_eq!(codes, ["T7", "T9"], "each once, though both the built-in check and the catalogue know them");
    assert_eq!(out.suggested, NextStep::ReferToProtection);
}

/// The catalogue with one rule stored disabled, as an administrator leaves it.
fn with_disabled(id: &str) -> Watchlists {
    let builtin = centinela_rules::RuleSet::builtin();
    let text = builtin.rules().find(|m| m.id == id).unwrap().text.clone();
    let (rules, skipped) = centinela_rules::in_force([centinela_rules::StoredRuleRef {
        rule_id: id,
        version: 2,
        source: &text,
        enabled: false,
    }]);
    assert!(skipped.is_empty());
    lists().with_rules(rules)
}

#[test]
fn a_disabled_indicator_never_fires() {
    let codes = |out: &PartyOutcome, i: usize| -> Vec<String> {
        out.travellers[i].flags.iter().map(|f| f.code.clone()).collect()
    };
    let ids = |n: usize| -> Vec<String> { (0..n).map(|i| format!("C{i}")).collect() };
    // T1: a child with an unrelated adult; T2: a child alone.
    let mut adult = typed("Carlos", "Pérez", "1975-03-03");
    adult.relation = Some(Relation::Lead);
    let mut child = typed("Lucía", "Ramos", "2015-06-06");
    child.relation = Some(Relation::None);
    let pair = party(vec![adult, child.clone()]);
    let alone = party(vec![child]);
    let h2 = vec![History::default(); 2];
    let h1 = vec![History::default()];
    assert!(codes(&inspect(&pair, &lists(), at(), &ids(2), &h2, "G").unwrap(), 1).contains(&"T1".into()));
    assert!(!codes(&inspect(&pair, &with_disabled("T1"), at(), &ids(2), &h2, "G").unwrap(), 1).contains(&"T1".into()));
    assert!(codes(&inspect(&alone, &lists(), at(), &ids(1), &h1, "").unwrap(), 0).contains(&"T2".into()));
    assert!(!codes(&inspect(&alone, &with_disabled("T2"), at(), &ids(1), &h1, "").unwrap(), 0).contains(&"T2".into()));
    // T4: the document seen with another holder.
    let mut t = typed("Ana", "López Ruiz", "1990-01-01");
    t.document_number = Some("X999".into());
    let seen = party(vec![t]);
    let other = vec![History {
        holders: vec![("Marta".into(), "Sánchez".into(), BirthDate::parse("1985-02-02").ok())],
        ..Default::default()
    }];
    assert!(codes(&inspect(&seen, &lists(), at(), &ids(1), &other, "").unwrap(), 0).contains(&"T4".into()));
    assert!(
        !codes(&inspect(&seen, &with_disabled("T4"), at(), &ids(1), &other, "").unwrap(), 0).contains(&"T4".into())
    );
    // T3, T5–T10: the officer's observations.
    for (o, id) in [
        (Observation::T3, "T3"),
        (Observation::T5, "T5"),
        (Observation::T6, "T6"),
        (Observation::T7, "T7"),
        (Observation::T8, "T8"),
        (Observation::T9, "T9"),
        (Observation::T10, "T10"),
    ] {
        let mut t = typed("Ana", "López", "1990-01-01");
        t.observations = vec![o];
        let req = party(vec![t]);
        assert!(codes(&inspect(&req, &lists(), at(), &ids(1), &h1, "").unwrap(), 0).contains(&id.into()), "{id}");
        let out = inspect(&req, &with_disabled(id), at(), &ids(1), &h1, "").unwrap();
        assert!(!codes(&out, 0).contains(&id.into()), "{id} disabled still fired");
    }
}

#[test]
fn an_analysts_rule_fires_with_its_reason_and_action() {
    let text = r#"
rule young_entry "Young traveller entering" {
  category possible_victim
  action refer_to_protection
  weight 1
  source "test"
  version 1
  author "test"
  when traveller.age < 25 and crossing.direction == "entry"
  reason "aged {traveller.age}"
}
"#;
    let rules = centinela_rules::RuleSet::compile(&[centinela_rules::RuleSource { origin: "t.rules", text }]).unwrap();
    let lists = lists().with_rules(rules);
    let req = party(vec![typed("Ana", "López", "2004-01-01"), typed("Luis", "Ruiz", "1980-01-01")]);
    let out =
        inspect(&req, &lists, at(), &["A".into(), "B".into()], &[History::default(), History::default()], "G").unwrap();
    let f = &out.travellers[0].flags[0];
    assert_eq!((f.code.as_str(), f.reason.as_str(), f.action), ("young_entry", "aged 22", NextStep::ReferToProtection));
    assert!(out.travellers[1].flags.is_empty());
    assert_eq!(out.suggested, NextStep::ReferToProtection);
}

#[test]
fn bad_input_names_the_field() {
    let mut t = typed("Ana", "López", "1990-13-01");
    let e = inspect(&party(vec![t.clone()]), &lists(), at(), &["C0".into()], &[History::default()], "").unwrap_err();
    assert_eq!(e.field, "travellers[0].birth_date");
    t.birth_date = None;
    t.phone = Some("5555".into());
    let e = inspect(&party(vec![t.clone()]), &lists(), at(), &["C0".into()], &[History::default()], "").unwrap_err();
    assert_eq!(e.field, "travellers[0].phone");
    t.phone = None;
    t.mrz = Some("P<UTO".into());
    let e = inspect(&party(vec![t]), &lists(), at(), &["C0".into()], &[History::default()], "").unwrap_err();
    assert_eq!(e.field, "travellers[0].mrz");
    let e = inspect(&party(vec![]), &lists(), at(), &[], &[], "").unwrap_err();
    assert_eq!(e.field, "travellers");
}

#[test]
fn requests_deserialize_strictly() {
    let ok: PartyRequest = serde_json::from_str(
        r#"{"post":"GTM-TECUNUMAN","direction":"exit","travellers":[{"surnames":"López","relation":"lead","observations":["T3"]}]}"#,
    )
    .unwrap();
    assert_eq!(ok.travellers[0].observations, [Observation::T3]);
    assert!(
        serde_json::from_str::<PartyRequest>(r#"{"post":"X","direction":"exit","travellers":[],"extra":1}"#).is_err()
    );
}

mod props {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever the booth sends, the pipeline answers or names a field; it never panics.
        #[test]
        fn never_panics(given in ".{0,30}", surnames in ".{0,30}", birth in ".{0,12}", mrz in "[A-Z0-9<\n]{0,100}",
                        number in "[A-Z0-9 -]{0,12}", minor in any::<bool>()) {
            let t = TravellerInput {
                given_names: Some(given), surnames: Some(surnames), birth_date: Some(birth),
                mrz: Some(mrz), document_number: Some(number), ..Default::default()
            };
            let mut travellers = vec![t];
            if minor { travellers.push(typed("Niña", "X", "2020-01-01")); }
            let req = party(travellers);
            let ids: Vec<String> = (0..req.travellers.len()).map(|i| i.to_string()).collect();
            let hist = vec![History::default(); req.travellers.len()];
            let _ = inspect(&req, &lists(), at(), &ids, &hist, "G");
        }
    }
}

#[test]
fn a_hit_carries_the_alerts_notice() {
    let out = run(&party(vec![typed("José Luis", "Hernández Villalobos", "1980-05-17")]));
    let h = &out.travellers[0].hits[0];
    let n = h.notice.as_ref().expect("the wanted entry's notice");
    assert_eq!(
        (n.reason.as_str(), n.authority.as_str(), n.issued.as_str(), n.action.as_str()),
        ("Notificación roja: trata de personas", "INTERPOL", "2025-11-02", "")
    );
    let out = run(&party(vec![typed("Yesenia", "Cux Tzul", "2011-02-03")]));
    assert!(out.travellers[0].hits[0].notice.is_none(), "an entry without a notice has none");
}

fn past(id: &str, direction: Direction, at: &str) -> PastCrossing {
    PastCrossing {
        crossing_id: id.into(),
        post: "GTM-TECUNUMAN".into(),
        direction,
        crossed_at: at.into(),
        entry_without_exit: false,
    }
}

#[test]
fn two_entries_in_a_row_are_an_indicator() {
    let req = party(vec![typed("Ana", "López Ruiz", "1990-01-01")]);
    let go = |crossings: Vec<PastCrossing>, direction: Direction| {
        let mut req = req.clone();
        req.direction = direction;
        let hist = vec![History { crossings, ..Default::default() }];
        inspect(&req, &lists(), at(), &["C0".into()], &hist, "").unwrap().travellers.remove(0)
    };
    // Entry now, the last crossing an entry: flagged, and the earlier
    // entry followed by an exit is not.
    let t = go(
        vec![
            past("P3", Direction::Entry, "2026-10-01T10:00:00Z"),
            past("P2", Direction::Exit, "2026-09-01T10:00:00Z"),
            past("P1", Direction::Entry, "2026-08-01T10:00:00Z"),
        ],
        Direction::Entry,
    );
    let codes: Vec<&str> = t.flags.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["entry_without_exit"]);
    assert_eq!(t.flags[0].kind, FlagKind::TravelHistory);
    assert_eq!(t.suggested, NextStep::SecondaryInspection);
    let marked: Vec<bool> = t.travel_history.iter().map(|c| c.entry_without_exit).collect();
    assert_eq!(marked, [true, false, false]);
    // Exit now after an entry: nothing to flag; two entries deeper in the
    // past are marked, not flagged.
    let t = go(
        vec![
            past("P3", Direction::Entry, "2026-10-01T10:00:00Z"),
            past("P2", Direction::Entry, "2026-09-01T10:00:00Z"),
        ],
        Direction::Exit,
    );
    assert!(t.flags.is_empty(), "{:?}", t.flags);
    assert_eq!(t.travel_history.iter().map(|c| c.entry_without_exit).collect::<Vec<_>>(), [false, true]);
    // No history, nothing shown; at most TRAVEL_HISTORY_SHOWN shown.
    assert!(go(Vec::new(), Direction::Entry).travel_history.is_empty());
    let many: Vec<PastCrossing> =
        (0..9).map(|i| past(&format!("P{i}"), Direction::Exit, "2026-01-01T00:00:00Z")).collect();
    assert_eq!(go(many, Direction::Entry).travel_history.len(), TRAVEL_HISTORY_SHOWN);
}

#[test]
fn identities_are_known_before_inspection() {
    let mut t = typed("Ana", "López", "1990-01-01");
    t.document_number = Some("x-99 9".into());
    let ids = identities_of(&party(vec![t, typed("Luis", "Mora", "1990")]), at()).unwrap();
    assert_eq!(ids[0].document, Some(("X999".into(), String::new())));
    assert_eq!(
        (ids[0].given_names.as_str(), ids[0].birth_date.map(|d| d.to_string())),
        ("Ana", Some("1990-01-01".into()))
    );
    assert_eq!(ids[1].birth_date, None, "a partial birth date does not identify");
}

#[test]
fn a_cleared_person_hit_leaves_the_alerts_and_the_suggestion() {
    let req = party(vec![typed("José Luis", "Hernández Villalobos", "1980-05-17")]);
    let mut out = inspect(&req, &lists(), at(), &["C0".into()], &[History::default()], "").unwrap();
    let hit = out.travellers[0].hits.iter().find(|h| h.kind == HitKind::Person).expect("a person hit").clone();
    assert_eq!(out.travellers[0].suggested, NextStep::SecondaryInspection);
    // The hit carries the entry's content hash, to check a clearance against.
    let wanted_hash = lists().screener().entry(0).content_hash();
    assert_eq!(hit.entry_hash.as_deref(), Some(wanted_hash.as_str()));
    let note = ClearanceNote {
        uid: "u1".into(),
        cleared_at: "2026-01-02T00:00:00Z".into(),
        cleared_by: "sup".into(),
        reason: "otra persona".into(),
        expires_at: "2027-01-02T00:00:00Z".into(),
        made_on_document: "P123".into(),
        made_on_state: "GTM".into(),
        linked_person: None,
    };
    // A clearance for another entry changes nothing.
    assert_eq!(apply_clearances(&mut out, |_, h| (h.entry_id == "X").then(|| note.clone())), 0);
    assert_eq!(out.suggested, NextStep::SecondaryInspection);
    let moved = apply_clearances(&mut out, |i, h| (i == 0 && h.entry_id == hit.entry_id).then(|| note.clone()));
    assert_eq!(moved, 1);
    let t = &out.travellers[0];
    assert!(t.hits.iter().all(|h| h.entry_id != hit.entry_id));
    assert_eq!(t.cleared.len(), 1);
    assert_eq!(t.cleared[0].clearance.cleared_by, "sup");
    assert_eq!(t.suggested, NextStep::Admit);
    assert_eq!(out.suggested, NextStep::Admit);
    let shown = serde_json::to_value(t).unwrap();
    assert_eq!(shown["cleared"][0]["clearance"]["reason"], "otra persona");
    assert!(shown["cleared"][0]["hit"].get("entry_hash").is_none());
}
