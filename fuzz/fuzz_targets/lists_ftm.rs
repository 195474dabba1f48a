#![no_main]
//! FollowTheMoney JSON-lines reader: any bytes, no panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut rd = centinela_lists::FtmReader::new(data);
    for e in rd.by_ref().flatten() {
        assert!(!e.id.is_empty());
    }
    let s = rd.stats();
    assert!(s.persons + s.skipped_total() <= s.lines);
});
