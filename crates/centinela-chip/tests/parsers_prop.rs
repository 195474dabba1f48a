//! The parsers of chip files never panic, and what they write they read back.

use centinela_chip::lds::{Dg1, Dg2, ImageFormat, encode_dg1, encode_dg2};
use centinela_chip::{Details, EfCom, MasterList, Sod, parse_trust_file, tlv};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = Sod::parse(&bytes);
        let _ = Dg1::parse(&bytes);
        let _ = Dg2::parse(&bytes);
        let _ = EfCom::parse(&bytes);
        let _ = Details::parse(&bytes, 11);
        let _ = MasterList::parse(&bytes);
        let _ = parse_trust_file(&bytes);
        for t in tlv::iter(&bytes) { let _ = t; }
    }

    #[test]
    fn tlv_round_trips(tag in prop_oneof![Just(0x61u32), Just(0x5F1F), Just(0x7F61), Just(0x75)],
                       value in proptest::collection::vec(any::<u8>(), 0..1_000)) {
        let enc = centinela_chip::tlv_encode(tag, &value);
        let t = tlv::read_only(&enc, tag).unwrap();
        prop_assert_eq!(t.value, &value[..]);
        // Every proper prefix is refused as truncated.
        let cut = enc.len() / 2;
        prop_assert!(tlv::read_only(&enc[..cut], tag).is_err());
    }

    #[test]
    fn dg2_round_trips(w in any::<u16>(), h in any::<u16>(),
                       body in proptest::collection::vec(any::<u8>(), 0..3000), jp2 in any::<bool>()) {
        let (format, mut image) = if jp2 {
            (ImageFormat::Jpeg2000, vec![0, 0, 0, 0x0C, b'j', b'P', b' ', b' '])
        } else {
            (ImageFormat::Jpeg, vec![0xFF, 0xD8, 0xFF])
        };
        image.extend(body);
        let dg2 = Dg2::parse(&encode_dg2(format, w, h, &image)).unwrap();
        prop_assert_eq!(dg2.faces.len(), 1);
        prop_assert_eq!(dg2.faces[0].format, format);
        prop_assert_eq!((dg2.faces[0].width, dg2.faces[0].height), (w, h));
        prop_assert_eq!(&dg2.faces[0].image, &image);
    }

    #[test]
    fn dg1_reads_what_the_mrz_generator_writes(doc in "[A-Z0-9]{9}", surname in "[A-Z]{2,12}") {
        let f = centinela_mrz::Fields {
            format: centinela_mrz::Format::TD3,
            document_code: "P".into(),
            issuing_state: "UTO".into(),
            surnames: surname.clone(),
            given_names: "ANNA".into(),
            document_number: doc,
            nationality: "UTO".into(),
            birth_date: None,
            sex: "F".into(),
            expiry_date: centinela_mrz::Date::new(2032, 4, 15),
            optional_data: String::new(),
            optional_data_2: String::new(),
        };
        let lines = centinela_mrz::generate(&f).unwrap();
        let dg1 = Dg1::parse(&encode_dg1(&lines.join("\n"))).unwrap();
        prop_assert_eq!(dg1.lines, lines);
    }
}
