#![no_main]
//! Rule language: any text, no panic; a rule set that compiles evaluates
//! on empty facts without panicking, and each rule's stored text compiles
//! again on its own.

use centinela_rules::{Facts, RuleSet, RuleSource};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = centinela_rules::parse_expr(text);
    if let Ok(set) = RuleSet::compile(&[RuleSource { origin: "fuzz", text }]) {
        let _ = set.evaluate(&Facts::default());
        for m in set.rules() {
            assert!(RuleSet::compile(&[RuleSource { origin: "again", text: &m.text }]).is_ok(), "{}", m.text);
        }
    }
});
