//! Properties of normalisation and scoring on arbitrary input.

use centinela_domain::{AlertEntry, BirthDate};
use centinela_names::normalize::{fold, tokenize};
use centinela_names::similarity::similarity;
use centinela_names::{Query, ScreenOptions, Screener, phonetic};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[A-Za-zÁÉÍÓÚÑÜáéíóúñü' -]{0,30}",
        "(de la |del |de los )?[A-Z][a-zñ]{2,10}( [A-Z][a-z]{2,10})?",
    ]
}

proptest! {
    #[test]
    fn fold_is_idempotent_and_ascii(s in name()) {
        let f = fold(&s);
        prop_assert_eq!(fold(&f), f.clone());
        prop_assert!(f.bytes().all(|b| b.is_ascii_uppercase() || b == b' '));
        prop_assert!(!f.starts_with(' ') && !f.ends_with(' ') && !f.contains("  "));
    }

    #[test]
    fn tokens_are_stable_under_folding(s in name()) {
        let a: Vec<String> = tokenize(&s).into_iter().map(|t| t.text).collect();
        let b: Vec<String> = tokenize(&fold(&s)).into_iter().map(|t| t.text).collect();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn phonetic_code_is_deterministic_and_ascii(s in "[A-Z]{0,20}") {
        let c = phonetic::code(&s);
        prop_assert_eq!(phonetic::code(&s), c.clone());
        prop_assert!(c.len() <= 2 * s.len());
        prop_assert!(c.bytes().all(|b| b.is_ascii_uppercase()));
    }

    #[test]
    fn similarity_is_bounded_symmetric_and_reflexive(a in "[A-Z]{1,15}", b in "[A-Z]{1,15}") {
        let s = similarity(&a, &b);
        prop_assert!((0.0..=1.0).contains(&s));
        prop_assert!((s - similarity(&b, &a)).abs() < 1e-6);
        prop_assert_eq!(similarity(&a, &a), 1.0);
    }

    #[test]
    fn screening_never_panics_and_scores_are_probabilities(
        entries in prop::collection::vec((name(), name(), prop::option::of(1900u16..2020)), 1..12),
        given in name(),
        surnames in name(),
        year in prop::option::of(1900u16..2020),
    ) {
        let list: Vec<AlertEntry> = entries
            .iter()
            .enumerate()
            .map(|(i, (g, s, y))| AlertEntry {
                id: format!("E{i}"),
                given_names: g.clone(),
                surnames: s.clone(),
                birth_dates: y.map(|y| BirthDate { year: y, month: Some(3), day: Some(4) }).into_iter().collect(),
                ..Default::default()
            })
            .collect();
        let s = Screener::build(list);
        let q = Query {
            given_names: given,
            surnames,
            birth_date: year.map(|y| BirthDate { year: y, month: None, day: None }),
            ..Default::default()
        };
        let hits = s.screen(&q, &ScreenOptions::candidates(20));
        for h in &hits {
            prop_assert!((0.0..=1.0).contains(&h.score));
            prop_assert!((centinela_names::sigmoid(h.explanation.log_odds()) - h.score).abs() < 1e-9);
        }
        prop_assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    }

    #[test]
    fn an_entry_screened_as_itself_scores_like_its_mirror(g in "[A-Z][a-z]{3,9}", s1 in "[A-Z][a-z]{3,9}", s2 in "[A-Z][a-z]{3,9}") {
        // Symmetry where it should hold: screening A against a list holding
        // B scores as B against a list holding A, when both are full names
        // with the same structure.
        let mk = |g: &str, s: &str| AlertEntry { id: "X".into(), given_names: g.into(), surnames: s.into(), ..Default::default() };
        let a = (g.clone(), format!("{s1} {s2}"));
        let b = (g.clone(), format!("{s1} {s2}a"));
        let sa = Screener::build(vec![mk(&a.0, &a.1)]);
        let sb = Screener::build(vec![mk(&b.0, &b.1)]);
        let score = |s: &Screener, q: &(String, String)| {
            s.screen(&Query::new(&q.0, &q.1), &ScreenOptions::candidates(1)).first().map_or(0.0, |h| h.score)
        };
        prop_assert!((score(&sa, &b) - score(&sb, &a)).abs() < 0.05);
        prop_assert!(score(&sa, &a) >= score(&sa, &b));
    }
}
