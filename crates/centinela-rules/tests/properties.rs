//! Property tests: parsing never panics, printing parses back to the same
//! text, evaluation of any rule that compiles never panics on any facts.

use centinela_rules::{
    Facts, History, HistoryQuery, Party, RuleSet, RuleSource, Traveller, parse_expr, parse_file,
    syntax::{BinOp, Expr, Pos},
};
use proptest::prelude::*;

fn p() -> Pos {
    Pos::default()
}

const FACTS: [&str; 8] = [
    "traveller.age",
    "traveller.minor",
    "traveller.nationality",
    "traveller.observations",
    "party.adults",
    "party.has_guardian",
    "crossing.post",
    "document.problems",
];

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0i64..1000).prop_map(|i| Expr::Int(i, p())),
        "[a-zA-Z0-9 \"\\\\{}]{0,8}".prop_map(|s| Expr::Str(s, p())),
        any::<bool>().prop_map(|b| Expr::Bool(b, p())),
        prop::collection::vec("[A-Z]{1,3}", 0..3).prop_map(|v| Expr::List(v, p())),
        prop::sample::select(&FACTS[..]).prop_map(|f| Expr::Path(f.split('.').map(str::to_string).collect(), p())),
        (prop::sample::select(&HistoryQuery::ALL[..]), 1i64..400).prop_map(|(q, d)| Expr::Call(
            vec!["history".into(), q.name().into()],
            vec![("days".into(), d)],
            p()
        )),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 40, 3, |inner| {
        let ops = prop::sample::select(vec![
            BinOp::Or,
            BinOp::And,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::In,
            BinOp::Add,
            BinOp::Sub,
        ]);
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e), p())),
            inner.clone().prop_map(|e| Expr::Known(Box::new(e), p())),
            (ops, inner.clone(), inner).prop_map(|(op, a, b)| Expr::Bin(op, Box::new(a), Box::new(b), p())),
        ]
    })
}

struct AnyHistory(Vec<Option<i64>>);

impl History for AnyHistory {
    fn count(&self, q: HistoryQuery, days: u32) -> Option<i64> {
        self.0[(q as usize + days as usize) % self.0.len()]
    }
}

fn rule(when: &str) -> String {
    format!(
        "rule P \"p\" {{ category network action secondary_inspection weight 1 when {when} reason \"{{traveller.age}} {{crossing.post}}\" }}"
    )
}

proptest! {
    #[test]
    fn parsing_any_text_never_panics(s in "\\PC{0,200}") {
        let _ = parse_file(&s);
        let _ = parse_expr(&s);
        let _ = RuleSet::compile(&[RuleSource { origin: "p", text: &s }]);
    }

    #[test]
    fn parsing_token_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "rule", "R", "\"n\"", "{", "}", "when", "category", "network", "action", "secondary_inspection",
        "weight", "0.5", "reason", "\"{traveller.age}\"", "and", "or", "not", "(", ")", "[", "]", "<", "==",
        "in", "traveller.age", "history.crossings", "(days: 30)", "18", ",", ":", ".", "-", "+", "known",
        "#", "\n", "\"", "true",
    ]), 0..60)) {
        let s = parts.join(" ");
        let _ = RuleSet::compile(&[RuleSource { origin: "p", text: &s }]);
    }

    #[test]
    fn printed_expressions_parse_back(e in expr()) {
        let printed = e.to_string();
        let back = parse_expr(&printed).map_err(|err| TestCaseError::fail(format!("{printed}: {err}")))?;
        prop_assert_eq!(back.to_string(), printed);
    }

    #[test]
    fn evaluation_is_total(
        e in expr(),
        age in prop::option::of(-5i64..200),
        adults in prop::option::of(0i64..100),
        guardian in prop::option::of(any::<bool>()),
        post in "[A-Z-]{0,12}",
        hist in prop::collection::vec(prop::option::of(any::<i64>()), 1..8),
    ) {
        let text = rule(&e.to_string());
        if let Ok(set) = RuleSet::compile(&[RuleSource { origin: "p", text: &text }]) {
            let h = AnyHistory(hist);
            let obs = ["T3", "T10"];
            let facts = Facts {
                traveller: Traveller { age, observations: Some(&obs), nationality: "HND", ..Traveller::default() },
                party: Party { adults, has_guardian: guardian, ..Party::default() },
                crossing: centinela_rules::Crossing { post: &post, ..Default::default() },
                history: &h,
                ..Facts::default()
            };
            let _ = set.evaluate(&facts);
        }
    }
}

#[test]
fn a_whole_rule_prints_and_parses_back() {
    let rules = parse_file(centinela_rules::CATALOGUE).unwrap();
    for r in &rules {
        let printed = r.to_string();
        let back = parse_file(&printed).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].to_string(), printed);
    }
}
