#![no_main]
//! Documents CSV reader and the document index: any bytes, no panic; every
//! accepted document is found again by its own number.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = centinela_lists::DocumentsReader::new(data) else { return };
    let docs: Vec<_> = rows.flatten().collect();
    let mut b = centinela_lists::DocumentIndex::builder();
    for d in &docs {
        b.push(&d.document_number, d.issuing_state, d.status);
    }
    let idx = b.finish();
    for d in &docs {
        assert!(!idx.lookup(&d.document_number, d.issuing_state).exact.is_empty());
    }
});
