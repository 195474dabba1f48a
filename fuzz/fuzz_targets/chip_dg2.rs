//! DG2 (and DG11, EF.COM, which share its TLV reader) on arbitrary input: no
//! panic; a face read has an image that starts as its declared type says.
#![no_main]

use centinela_chip::{Details, Dg2, EfCom, ImageFormat};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dg2) = Dg2::parse(data) {
        for f in &dg2.faces {
            match f.format {
                ImageFormat::Jpeg => assert!(f.image.starts_with(&[0xFF, 0xD8, 0xFF])),
                ImageFormat::Jpeg2000 => assert!(f.image.len() >= 4),
            }
        }
    }
    let _ = Details::parse(data, 11);
    let _ = EfCom::parse(data);
});
