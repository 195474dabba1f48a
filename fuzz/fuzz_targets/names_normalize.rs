//! Name normalisation and screening on arbitrary input: no panic, folding is
//! idempotent and yields only `A`–`Z` and single spaces, scores are
//! probabilities.
#![no_main]

use centinela_domain::AlertEntry;
use centinela_names::normalize::{fold, tokenize};
use centinela_names::{Query, ScreenOptions, Screener};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let f = fold(&text);
    assert_eq!(fold(&f), f);
    assert!(f.bytes().all(|b| b.is_ascii_uppercase() || b == b' '));
    let _ = tokenize(&text);
    let mid = text.char_indices().nth(text.chars().count() / 2).map_or(0, |(i, _)| i);
    let (a, b) = text.split_at(mid);
    let entry = AlertEntry { id: "F".into(), given_names: a.into(), surnames: b.into(), ..Default::default() };
    let s = Screener::build(vec![entry]);
    for h in s.screen(&Query::new(b, a), &ScreenOptions::candidates(3)) {
        assert!((0.0..=1.0).contains(&h.score));
    }
});
