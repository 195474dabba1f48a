#![no_main]
//! The UN Security Council consolidated list (XML): any bytes, no panic;
//! every individual read has an id and some name.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((entries, stats)) = centinela_lists::read_un_list(data) {
        assert_eq!(entries.len() as u64, stats.individuals);
        for e in &entries {
            assert!(!e.id.is_empty());
            assert!(!(e.given_names.is_empty() && e.surnames.is_empty() && e.aliases.is_empty()));
        }
    }
});
