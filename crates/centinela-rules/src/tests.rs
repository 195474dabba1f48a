use super::*;

fn compile(text: &str) -> Result<RuleSet, Vec<RuleError>> {
    RuleSet::compile(&[RuleSource { origin: "test", text }])
}

fn rule(when: &str) -> String {
    format!(
        "rule R1 \"Test\" {{\n  category smuggling\n  action secondary_inspection\n  weight 0.5\n  when {when}\n}}\n"
    )
}

fn one_error(text: &str) -> RuleError {
    let e = compile(text).expect_err("an error");
    assert_eq!(e.len(), 1, "{e:?}");
    e.into_iter().next().unwrap()
}

struct Hist(i64);

impl History for Hist {
    fn count(&self, q: HistoryQuery, days: u32) -> Option<i64> {
        match q {
            HistoryQuery::Crossings => Some(self.0 * i64::from(days) / 30),
            HistoryQuery::PhoneTravellers => None,
            _ => Some(0),
        }
    }
}

fn minor_alone() -> Facts<'static> {
    Facts {
        traveller: Traveller { age: Some(12), sex: "F", nationality: "HND", ..Traveller::default() },
        party: Party { size: Some(1), adults: Some(0), minors: Some(1), ..Party::default() },
        ..Facts::default()
    }
}

#[test]
fn the_catalogue_compiles_with_every_indicator() {
    let set = RuleSet::builtin();
    let ids: Vec<&str> = set.rules().map(|m| m.id.as_str()).collect();
    let want: Vec<String> = (1..=10)
        .map(|i| format!("T{i}"))
        .chain((1..=5).map(|i| format!("N{i}")))
        .chain(std::iter::once("D1".to_owned()))
        .chain((1..=4).map(|i| format!("A{i}")))
        .collect();
    assert_eq!(ids, want);
    for m in set.rules() {
        assert!(!m.source.is_empty() && m.enabled && m.version == 1, "{}", m.id);
        assert!(m.text.starts_with("rule ") && m.text.ends_with('}'), "{}", m.text);
    }
}

#[test]
fn rule_text_compiles_alone() {
    // Each rule's text, as stored, is a rules file of its own.
    for m in RuleSet::builtin().rules() {
        let one = compile(&m.text).unwrap();
        assert_eq!(one.rules().next().unwrap().id, m.id);
    }
}

#[test]
fn evaluates_with_reasons() {
    let set = RuleSet::builtin();
    let facts = minor_alone();
    let f = set.evaluate(&facts);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].rule_id, "T2");
    assert_eq!(f[0].category, Category::PossibleVictim);
    assert_eq!(f[0].action, Action::ReferToProtection);
    assert_eq!(f[0].reason, "minor aged 12 travelling without an adult");
}

#[test]
fn observations_fire_their_rules() {
    let set = RuleSet::builtin();
    let obs = ["T3", "T9"];
    let facts = Facts {
        traveller: Traveller { age: Some(30), observations: Some(&obs), ..Traveller::default() },
        ..Facts::default()
    };
    let ids: Vec<String> = set.evaluate(&facts).into_iter().map(|f| f.rule_id).collect();
    assert_eq!(ids, ["T3", "T9"]);
}

#[test]
fn t1_needs_every_part() {
    let set = RuleSet::builtin();
    let mut facts = Facts {
        traveller: Traveller { age: Some(9), travel_consent: Some(false), ..Traveller::default() },
        party: Party { size: Some(2), adults: Some(1), minors: Some(1), has_guardian: Some(false), is_lead: None },
        ..Facts::default()
    };
    assert_eq!(set.evaluate(&facts)[0].rule_id, "T1");
    facts.traveller.travel_consent = Some(true);
    assert!(set.evaluate(&facts).is_empty());
    facts.traveller.travel_consent = None; // unknown: no firing
    assert!(set.evaluate(&facts).is_empty());
}

#[test]
fn three_valued_logic() {
    let h = Hist(3);
    let facts = Facts { history: &h, ..Facts::default() };
    let fires = |when: &str| !compile(&rule(when)).unwrap().evaluate(&facts).is_empty();
    // Unknown age: neither the comparison nor its negation fires.
    assert!(!fires("traveller.age < 18"));
    assert!(!fires("not (traveller.age < 18)"));
    assert!(fires("not known(traveller.age)"));
    assert!(fires("true or traveller.age < 18"));
    assert!(!fires("false and traveller.age < 18"));
    assert!(!fires("history.phone_travellers(days: 30) >= 0"));
    assert!(fires("history.crossings(days: 30) == 3"));
    assert!(fires("history.crossings(days: 60) - history.crossings() == 6 - 36"));
    assert!(fires("history.crossings() == 36"), "default window 365 days");
    assert!(!fires("crossing.post == \"GTM-TECUNUMAN\""));
}

#[test]
fn strings_lists_and_arithmetic() {
    let facts = Facts {
        traveller: Traveller { age: Some(40), nationality: "SLV", ..Traveller::default() },
        crossing: Crossing { post: "GTM-TECUNUMAN", ..Crossing::default() },
        ..Facts::default()
    };
    let fires = |when: &str| !compile(&rule(when)).unwrap().evaluate(&facts).is_empty();
    assert!(fires("traveller.nationality in [\"HND\", \"SLV\"]"));
    assert!(!fires("traveller.nationality in []"));
    assert!(fires("crossing.post == \"GTM-TECUNUMAN\" and traveller.age + 1 > 40"));
    assert!(fires("traveller.nationality != \"GTM\""));
    assert!(!fires("traveller.age + 9223372036854775807 > 0"), "overflow is unknown");
}

#[test]
fn reasons_quote_facts() {
    let text = "rule X \"x\" {\n category network\n action secondary_inspection\n when true\n reason \"age {traveller.age}, post {crossing.post}, {traveller.age < 18}\"\n}";
    let set = compile(text).unwrap();
    let facts = minor_alone();
    assert_eq!(set.evaluate(&facts)[0].reason, "age 12, post unknown, yes");
}

#[test]
fn disabled_rules_never_fire() {
    let text = rule("true").replace("weight 0.5", "weight 0.5\n  enabled false");
    let set = compile(&text).unwrap();
    assert!(set.evaluate(&Facts::default()).is_empty());
    assert!(!set.rules().next().unwrap().enabled);
}

#[test]
fn parse_errors_have_positions_and_hints() {
    let e = one_error(&rule("traveller.age = 18"));
    assert_eq!((e.line, e.column), (5, 22));
    assert!(e.message.contains("unexpected character '='"), "{e}");
    assert_eq!(e.hint, "compare with ==");

    let e = one_error(&rule("traveller.age < 18 and"));
    assert_eq!(e.line, 6, "{e}");
    assert!(e.message.contains("expected a fact or a value"), "{e}");

    let e = one_error(&rule("1 < 2 < 3"));
    assert!(e.message.contains("do not chain"), "{e}");

    let e = one_error("rule A \"a\" {\n  categori smuggling\n}");
    assert_eq!((e.line, e.column), (2, 3));
    assert!(e.hint.contains("did you mean 'category'"), "{e}");

    let e = one_error("rule A \"unclosed {\n}");
    assert!(e.message.contains("not closed"), "{e}");
}

#[test]
fn type_errors_have_positions_and_hints() {
    let e = one_error(&rule("traveller.agee < 18"));
    assert_eq!((e.line, e.column), (5, 8));
    assert_eq!(e.message, "unknown fact 'traveller.agee'");
    assert_eq!(e.hint, "did you mean traveller.age?");
    assert_eq!(e.rule.as_deref(), Some("R1"));

    let e = one_error(&rule("traveller.age < \"18\""));
    assert_eq!((e.line, e.column), (5, 24));
    assert_eq!(e.message, "expected a number, found text");

    let e = one_error(&rule("crossing.post == 18"));
    assert!(e.message.contains("cannot compare text with a number"), "{e}");

    let e = one_error(&rule("traveller.age"));
    assert!(e.message.contains("the condition is a number"), "{e}");

    let e = one_error(&rule("history.crossing(days: 30) > 1"));
    assert!(e.hint.contains("history.crossings"), "{e}");

    let e = one_error(&rule("history.crossings(days: 0) > 1"));
    assert!(e.message.contains("out of range"), "{e}");

    let e = one_error(&rule("traveller.observations == \"T3\""));
    assert!(e.hint.contains("in traveller.observations"), "{e}");

    let e = one_error(&rule("true").replace("category smuggling", "category fraud"));
    assert!(e.message.contains("unknown category"), "{e}");

    let e = one_error(&rule("true").replace("secondary_inspection", "refuse"));
    assert!(e.hint.contains("never refuses"), "{e}");
}

#[test]
fn every_broken_rule_is_reported() {
    let text = format!(
        "{}{}{}",
        rule("traveller.agee < 1"),
        rule("true").replace("R1", "R2"),
        rule("x.y").replace("R1", "R3")
    );
    let e = compile(&text).unwrap_err();
    assert_eq!(e.iter().map(|e| e.rule.as_deref().unwrap()).collect::<Vec<_>>(), ["R1", "R3"]);
    let e = compile(&format!("{}{}", rule("true"), rule("true"))).unwrap_err();
    assert!(e[0].message.contains("defined twice"));
}

#[test]
fn deep_or_long_conditions_are_refused_not_overflowed() {
    let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(one_error(&rule(&deep)).message.contains("nested too deeply"));
    let nots = format!("{}true", "not ".repeat(10_000));
    assert!(one_error(&rule(&nots)).message.contains("nested too deeply"));
    let long = vec!["true"; 5_000].join(" and ");
    assert!(one_error(&rule(&long)).message.contains("too long"));
    let ok = vec!["traveller.age > 1"; 400].join(" or ");
    assert!(compile(&rule(&ok)).is_ok());
}

#[test]
fn printer_output_parses_back() {
    let e = parse_expr("not (a.b < 1 or c.d) and e.f in [\"x\", \"y\\\"\"] or h.i(days: 3) - (1 + 2) >= 4").unwrap();
    let printed = e.to_string();
    assert_eq!(printed, "not (a.b < 1 or c.d) and e.f in [\"x\", \"y\\\"\"] or h.i(days: 3) - (1 + 2) >= 4");
    assert_eq!(parse_expr(&printed).unwrap().to_string(), printed);
}

#[test]
fn overlay_replaces_by_id() {
    let base = RuleSet::builtin();
    let mine = compile(&rule("true").replace("R1", "T2").replace("weight 0.5", "weight 0.5\n  enabled false")).unwrap();
    let extra = compile(&rule("true")).unwrap();
    let set = base.overlay(&mine).overlay(&extra);
    assert_eq!(set.len(), 21);
    let t2 = set.rules().find(|m| m.id == "T2").unwrap();
    assert!(!t2.enabled);
    assert_eq!(set.rules().last().unwrap().id, "R1");
}

#[test]
fn weeks_start_on_monday() {
    let t = centinela_domain::Timestamp::parse("2025-01-01T10:00:00Z").unwrap();
    assert_eq!(backtest::week_of(t), "2024-12-30");
    let t = centinela_domain::Timestamp::parse("2025-03-09T23:59:59Z").unwrap();
    assert_eq!(backtest::week_of(t), "2025-03-03");
    let c = Crossing::default().at(t);
    assert_eq!((c.hour, c.weekday), (Some(23), Some(7)));
}

#[test]
fn the_chip_is_a_fact_and_d1_fires_on_a_failed_or_substituted_chip() {
    let set = RuleSet::builtin();
    let fired = |chip: &str| {
        let f = Facts { document: crate::Document { chip, ..Default::default() }, ..Facts::default() };
        set.evaluate(&f).into_iter().any(|x| x.rule_id == "D1")
    };
    assert!(!fired(""), "no chip read: unknown, D1 does not fire");
    assert!(!fired("verified"));
    assert!(fired("chip_data_altered"));
    assert!(fired("ds_not_trusted"));
    assert!(fired("chip_page_mismatch"));
    let d1 = set.evaluate(&Facts {
        document: crate::Document { chip: "signature_invalid", ..Default::default() },
        ..Facts::default()
    });
    let d1 = d1.iter().find(|x| x.rule_id == "D1").unwrap();
    assert!(d1.reason.contains("signature_invalid"), "{}", d1.reason);
    // The page mismatch on its own, for analysts' rules.
    let only = compile(&rule("document.chip_page_mismatch")).unwrap();
    let f = |chip| Facts { document: crate::Document { chip, ..Default::default() }, ..Facts::default() };
    assert_eq!(only.evaluate(&f("chip_page_mismatch")).len(), 1);
    assert!(only.evaluate(&f("chip_data_altered")).is_empty());
}

#[test]
fn passenger_data_facts_fire_the_air_indicators() {
    let set = RuleSet::builtin();
    let ids = |f: &Facts<'_>| -> Vec<String> { set.evaluate(f).into_iter().map(|x| x.rule_id).collect() };
    // Unknown everywhere but before a flight: nothing fires.
    assert!(ids(&Facts::default()).is_empty());
    let transit = ["PTY"];
    let mut f = Facts {
        traveller: Traveller { age: Some(30), ..Traveller::default() },
        booking: Booking {
            origin: "BOG",
            destination: "CUN",
            transit: Some(&transit),
            days_before_departure: Some(2),
            one_way: Some(true),
            cash: Some(true),
            group_size: Some(1),
            shared_payer: Some(3),
            shared_contact: Some(1),
            ..Booking::default()
        },
        ..Facts::default()
    };
    assert_eq!(ids(&f), ["A1", "A3"]);
    let r = set.evaluate(&f);
    assert!(r[0].reason.contains("3 passengers"), "{}", r[0].reason);
    f.booking.days_before_departure = Some(10);
    f.booking.shared_contact = Some(2);
    assert_eq!(ids(&f), ["A1", "A2"]);
    f.booking.shared_payer = None;
    f.booking.shared_contact = None;
    f.traveller.age = Some(12);
    f.booking.minor_without_guardian = Some(true);
    assert_eq!(ids(&f), ["A4"]);
    // The new facts are checked like the others.
    let fires = |when: &str| !compile(&rule(when)).unwrap().evaluate(&f).is_empty();
    assert!(fires("\"PTY\" in booking.transit and booking.origin == \"BOG\""));
    assert!(!fires("booking.agency == \"X\""), "unknown agency");
    assert!(compile(&rule("booking.grup_size > 2")).is_err());
}
