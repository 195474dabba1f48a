//! Property tests: generate → parse gives back the same fields in every
//! format, and no input whatever makes the reader panic.

use centinela_mrz::{Date, Fields, Format, PartialDate, Zone, codes, generate, parse};
use proptest::prelude::*;

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn word() -> impl Strategy<Value = String> {
    "[A-Z]{1,8}"
}

fn code() -> impl Strategy<Value = String> {
    let all: Vec<&'static str> =
        codes::ISO_3166.iter().chain(codes::ICAO_STATES).chain(codes::ICAO_SPECIAL).copied().chain(["D"]).collect();
    proptest::sample::select(all).prop_map(str::to_string)
}

fn fields() -> impl Strategy<Value = (Fields, String)> {
    (
        proptest::sample::select(Format::ALL.to_vec()),
        "[A-Z<]",
        (code(), code()),
        (prop::collection::vec(word(), 1..3), prop::collection::vec(word(), 0..3)),
        (any::<bool>(), "[A-Z0-9]{1,9}", "[A-Z0-9]{10,13}"),
        (1927i32..=2025, 1u8..=12, 1u8..=28, 0u8..4),
        (2000i32..=2099, 1u8..=12, 1u8..=31),
        proptest::sample::select(vec!["M", "F", "X", ""]),
        ("[A-Z0-9]{0,16}", "[A-Z0-9]{0,11}"),
    )
        .prop_filter_map(
            "does not fit",
            |(
                format,
                second,
                (state, nat),
                (sur, given),
                (long, short_no, long_no),
                (by, bm, bd, partial),
                (ey, em, ed),
                sex,
                (opt, opt2),
            )| {
                let first = match format {
                    Format::TD3 => "P",
                    Format::TD1 | Format::TD2 => ["I", "A", "C"][bd as usize % 3],
                    Format::MrvA | Format::MrvB => "V",
                };
                if second == "V" && matches!(format, Format::TD1 | Format::TD2) {
                    return None;
                }
                let long = long && matches!(format, Format::TD1 | Format::TD2);
                let number = if long { long_no } else { short_no };
                let room = match format {
                    Format::TD1 => 15 - if long { number.len() - 9 + 2 } else { 0 },
                    Format::TD2 => (7usize).checked_sub(if long { number.len() - 9 + 2 } else { 0 })?,
                    Format::TD3 => 14,
                    Format::MrvA => 16,
                    Format::MrvB => 8,
                };
                if long && format == Format::TD2 && number.len() - 9 + 1 > 7 {
                    return None;
                }
                let opt: String = opt.chars().take(room).collect();
                let opt2 = if format == Format::TD1 { opt2 } else { String::new() };
                let surnames = sur.join(" ");
                let given_names = given.join(" ");
                let name_len = surnames.len() + if given_names.is_empty() { 0 } else { 2 + given_names.len() };
                let field_len = match format {
                    Format::TD1 => 30,
                    Format::TD2 | Format::MrvB => 31,
                    Format::TD3 | Format::MrvA => 39,
                };
                if name_len > field_len {
                    return None;
                }
                let birth = match partial {
                    0 => PartialDate { year: by, month: None, day: None },
                    1 => PartialDate { year: by, month: Some(bm), day: None },
                    _ => PartialDate { year: by, month: Some(bm), day: Some(bd) },
                };
                let expiry = Date::new(ey, em, ed.min(centinela_mrz::date::days_in_month(ey, em)))?;
                // A holder is born before the document expires (the reader
                // chooses the birth century by it).
                if birth.earliest() > expiry {
                    return None;
                }
                let expected_opt = match (opt.is_empty(), opt2.is_empty()) {
                    (false, false) => format!("{opt} {opt2}"),
                    _ => format!("{opt}{opt2}"),
                };
                let f = Fields {
                    format,
                    document_code: format!("{first}{second}"),
                    issuing_state: state,
                    surnames,
                    given_names,
                    document_number: number,
                    nationality: nat,
                    birth_date: Some(birth),
                    sex: sex.to_string(),
                    expiry_date: Some(expiry),
                    optional_data: opt,
                    optional_data_2: opt2,
                };
                Some((f, expected_opt))
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generate_then_parse_gives_the_same_fields((f, opt) in fields()) {
        let lines = generate(&f).unwrap();
        for l in &lines {
            prop_assert_eq!(l.len(), f.format.line_len());
        }
        let d = parse(&lines.join("\n"), today()).unwrap();
        prop_assert!(d.valid, "{:?} {:?}", lines, d);
        prop_assert!(d.checks.all_pass());
        prop_assert_eq!(d.format, f.format);
        prop_assert_eq!(&d.document_code, f.document_code.trim_end_matches('<'));
        prop_assert_eq!(&d.issuing_state, &f.issuing_state);
        prop_assert_eq!(&d.nationality, &f.nationality);
        prop_assert_eq!(&d.surnames, &f.surnames);
        prop_assert_eq!(&d.given_names, &f.given_names);
        prop_assert_eq!(&d.document_number, &f.document_number);
        prop_assert_eq!(&d.birth_date, &f.birth_date.unwrap().to_string());
        prop_assert_eq!(&d.expiry_date, &f.expiry_date.unwrap().to_string());
        prop_assert_eq!(&d.sex, &f.sex);
        prop_assert_eq!(&d.optional_data, &opt);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,200}", y in 0i32..=9999, m in 1u8..=12, d in 1u8..=28) {
        let today = Date::new(y, m, d).unwrap();
        let _ = parse(&s, today);
    }

    #[test]
    fn mrz_shaped_noise_never_panics(
        lines in prop::collection::vec(
            prop_oneof![
                "[A-Z0-9<]{30}", "[A-Z0-9<]{36}", "[A-Z0-9<]{44}", "[A-Z0-9< a-z\t]{0,50}",
                "[PIACV][A-Z<][A-Z<]{3}[A-Z0-9<]{39}", "[0-9<]{44}", "[0-9<]{36}", "[0-9<]{30}",
            ],
            0..5,
        ),
        y in 0i32..=9999,
    ) {
        let today = Date::new(y, 6, 15).unwrap();
        let text = lines.join("\n");
        if let Ok(z) = Zone::parse(&text) {
            let v = z.verify(today);
            let doc = z.document(today);
            prop_assert_eq!(v.valid, doc.valid);
            prop_assert_eq!(v.checks, doc.checks);
        }
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let _ = Zone::from_lines(&refs).map(|z| z.document(today));
    }
}
