//! EF.SOD (BER-TLV around CMS SignedData around the LDS Security Object) on
//! arbitrary input: no panic; what reads has a hash of the right length for
//! each group, and Passive Authentication over it names an outcome.
#![no_main]

use centinela_chip::{ChipFiles, Sod, TrustStore, verify};
use libfuzzer_sys::fuzz_target;

const DG1: &[u8] = b"\x61\x5B\x5F\x1F\x58P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";

fuzz_target!(|data: &[u8]| {
    if let Ok(sod) = Sod::parse(data) {
        let len = sod.hash_alg.digest(b"").len();
        assert!(sod.hashes.iter().all(|(g, h)| (1..=16).contains(g) && h.len() == len));
    }
    let files = ChipFiles {
        sod: Some(data),
        dg1: Some(DG1),
        ..Default::default()
    };
    let v = verify(&files, &TrustStore::new(), None, 1_780_000_000);
    assert!(v.outcome.is_failure());
});
