#![no_main]
//! Interpol public notices: a listing page and a notice's detail, any
//! bytes, no panic; a notice read has an id and a name.

use centinela_lists::{NoticeColour, NoticeStats, parse_notice, parse_notice_page};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = parse_notice_page(data, 1) {
        assert!(p.notices.iter().all(|n| !n.entity_id.is_empty() && !n.detail.is_empty()));
    }
    let mut st = NoticeStats::default();
    for colour in [NoticeColour::Red, NoticeColour::Yellow] {
        if let Ok(e) = parse_notice(data, colour, 1, &mut st) {
            assert!(!e.id.is_empty());
            assert!(!(e.given_names.is_empty() && e.surnames.is_empty()));
        }
    }
});
