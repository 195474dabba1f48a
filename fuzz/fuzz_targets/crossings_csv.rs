#![no_main]
//! Crossing-record CSV reader: any bytes, no panic; every accepted record
//! has an id and a post, and writes back to what it was read as.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = centinela_lists::CrossingReader::new(data) {
        let recs: Vec<_> = rows.flatten().collect();
        for r in &recs {
            assert!(!r.crossing_id.is_empty() && !r.post.is_empty());
        }
        let mut out = Vec::new();
        centinela_lists::write_crossings(&mut out, &recs).unwrap();
        let back: Vec<_> = centinela_lists::CrossingReader::new(out.as_slice()).unwrap().flatten().collect();
        assert_eq!(back.len(), recs.len());
    }
});
