//! DG1 on arbitrary input: no panic, and what reads is an MRZ of 2 or 3
//! lines that the MRZ reader takes.
#![no_main]

use centinela_chip::Dg1;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg1) = Dg1::parse(data) {
        assert!(matches!(dg1.lines.len(), 2 | 3));
        let _ = dg1.zone();
        let again = centinela_chip::lds::encode_dg1(&dg1.text());
        assert_eq!(Dg1::parse(&again).unwrap(), dg1);
    }
});
