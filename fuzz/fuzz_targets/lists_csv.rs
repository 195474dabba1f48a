#![no_main]
//! Alert-list and queries CSV readers: any bytes, no panic; every accepted
//! entry has an id and a name.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = centinela_lists::CsvListReader::new(data) {
        for e in rows.flatten() {
            assert!(!e.id.is_empty());
            assert!(!(e.given_names.is_empty() && e.surnames.is_empty() && e.aliases.is_empty()));
        }
    }
    if let Ok(rows) = centinela_lists::QueryReader::new(data) {
        rows.for_each(drop);
    }
});
