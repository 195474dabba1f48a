//! Trust files (CSCA Master List, certificate, CRL; DER or PEM) on arbitrary
//! input: no panic, and a Master List read holds only certificates with a key.
#![no_main]

use centinela_chip::{TrustFile, parse_trust_file};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(TrustFile::MasterList(ml)) = parse_trust_file(data) {
        assert!(ml.cscas.iter().all(|c| c.key.is_ok()));
    }
});
