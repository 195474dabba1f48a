#![no_main]
//! The centre's push parser: any bytes, no panic; a batch that parses is
//! checked without panic, and one that passes the check serialises back to
//! a batch that passes it too.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = serde_json::from_slice::<centinela_store::PushBatch>(data)
        && batch.check("GTM-TECUNUMAN").is_ok()
    {
        let text = serde_json::to_vec(&batch).unwrap();
        let back: centinela_store::PushBatch = serde_json::from_slice(&text).unwrap();
        assert!(back.check("GTM-TECUNUMAN").is_ok());
    }
});
