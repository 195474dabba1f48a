//! Unit tests on the ICAO specimens (Doc 9303 Parts 4–7) and on broken zones.

use crate::*;

fn today() -> Date {
    Date::new(2026, 11, 23).unwrap()
}

fn json(text: &str) -> String {
    serde_json::to_string(&parse(text, today()).unwrap()).unwrap()
}

fn doc(text: &str) -> Document {
    parse(text, today()).unwrap()
}

fn codes(d: &Document) -> Vec<&'static str> {
    d.warnings.iter().map(Warning::code).collect()
}

pub(crate) const TD1: &str =
    "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
pub(crate) const TD2: &str = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6";
pub(crate) const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
pub(crate) const MRVA: &str =
    "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL8988901C4XXX4009078F96121096ZE184226B<<<<<<";
pub(crate) const MRVB: &str = "V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nL8988901C4XXX4009078F9612109<<<<<<<<";

/// The contract line of CONTRACTS.md, except `warnings` (the specimen expired in 2012).
const TD3_CONTRACT: &str = r#"{"format":"TD3","document_code":"P","issuing_state":"UTO","surnames":"ERIKSSON","given_names":"ANNA MARIA","document_number":"L898902C3","nationality":"UTO","birth_date":"1974-08-12","sex":"F","expiry_date":"2012-04-15","optional_data":"ZE184226B","checks":{"document_number":true,"birth_date":true,"expiry_date":true,"optional_data":true,"composite":true},"valid":true,"warnings":"#;

#[test]
fn td3_specimen_matches_contract() {
    let j = json(TD3);
    assert_eq!(j, format!(r#"{TD3_CONTRACT}["expired"]}}"#));
    // Before it expired, the line is the contract's to the byte.
    let d = parse(TD3, Date::new(2010, 1, 1).unwrap()).unwrap();
    assert_eq!(serde_json::to_string(&d).unwrap(), format!("{TD3_CONTRACT}[]}}"));
}

#[test]
fn td1_specimen() {
    let j = json(TD1);
    assert_eq!(
        j,
        r#"{"format":"TD1","document_code":"I","issuing_state":"UTO","surnames":"ERIKSSON","given_names":"ANNA MARIA","document_number":"D23145890","nationality":"UTO","birth_date":"1974-08-12","sex":"F","expiry_date":"2012-04-15","optional_data":"","checks":{"document_number":true,"birth_date":true,"expiry_date":true,"composite":true},"valid":true,"warnings":["expired"]}"#
    );
}

#[test]
fn td2_specimen() {
    let j = json(TD2);
    assert_eq!(
        j,
        r#"{"format":"TD2","document_code":"I","issuing_state":"UTO","surnames":"ERIKSSON","given_names":"ANNA MARIA","document_number":"D23145890","nationality":"UTO","birth_date":"1974-08-12","sex":"F","expiry_date":"2012-04-15","optional_data":"","checks":{"document_number":true,"birth_date":true,"expiry_date":true,"composite":true},"valid":true,"warnings":["expired"]}"#
    );
}

#[test]
fn mrva_specimen() {
    let j = json(MRVA);
    assert_eq!(
        j,
        r#"{"format":"MRVA","document_code":"V","issuing_state":"UTO","surnames":"ERIKSSON","given_names":"ANNA MARIA","document_number":"L8988901C","nationality":"XXX","birth_date":"1940-09-07","sex":"F","expiry_date":"2096-12-10","optional_data":"6ZE184226B","checks":{"document_number":true,"birth_date":true,"expiry_date":true},"valid":true,"warnings":[]}"#
    );
}

#[test]
fn mrvb_specimen() {
    let d = doc(MRVB);
    assert_eq!(d.format, Format::MrvB);
    assert!(d.valid, "{d:?}");
    assert_eq!(d.document_number, "L8988901C");
    assert_eq!(d.optional_data, "");
    assert_eq!(d.checks.composite, None);
    assert_eq!(d.checks.optional_data, None);
}

#[test]
fn check_digits() {
    assert_eq!(check_digit(b"L898902C3"), 6);
    assert_eq!(check_digit(b"740812"), 2);
    assert_eq!(check_digit(b"120415"), 9);
    assert_eq!(check_digit(b"ZE184226B<<<<<"), 1);
    assert_eq!(check_digit(b"<<<<"), 0);
    assert_eq!(check_digit(b""), 0);
}

#[test]
fn bad_check_digits_are_read_but_invalid() {
    let bad = TD3.replace("L898902C36", "L898902C37");
    let d = doc(&bad);
    assert!(!d.valid);
    assert!(!d.checks.document_number);
    assert!(!d.checks.composite.unwrap());
    assert!(d.checks.birth_date && d.checks.expiry_date);
}

#[test]
fn td3_empty_optional_data_filler_or_zero() {
    for cd in ["<", "0"] {
        let f = Fields {
            format: Format::TD3,
            document_code: "P".into(),
            issuing_state: "UTO".into(),
            surnames: "ERIKSSON".into(),
            given_names: "ANNA MARIA".into(),
            document_number: "L898902C3".into(),
            nationality: "UTO".into(),
            birth_date: Some(PartialDate { year: 1974, month: Some(8), day: Some(12) }),
            sex: "F".into(),
            expiry_date: Date::new(2032, 4, 15),
            optional_data: String::new(),
            optional_data_2: String::new(),
        };
        let mut lines = generate(&f).unwrap();
        // Rewrite the optional-data check digit and the composite.
        let mut l2 = lines[1][..42].to_string();
        l2.push_str(cd);
        let b = l2.as_bytes();
        let comp = check_digit_of(&[&b[0..10], &b[13..20], &b[21..43]]);
        l2.push((b'0' + comp) as char);
        lines[1] = l2;
        let d = doc(&lines.join("\n"));
        assert_eq!(d.checks.optional_data, Some(true), "{cd}");
        assert!(d.valid, "{cd}: {d:?}");
        assert!(d.warnings.is_empty(), "{:?}", codes(&d));
    }
}

#[test]
fn long_document_numbers_td1_td2() {
    // Doc 9303 Part 5 style: 12-character number, `<` in the check digit position.
    let l1 = format!("I<UTOD23145890<123{}<", check_digit(b"D23145890123"));
    let l1 = format!("{l1}{}", "<".repeat(30 - l1.len()));
    let l2a = format!("7408122F320415{}UTO<<<<<<<<<<<", check_digit(b"320415"));
    let comp = check_digit_of(&[
        &l1.as_bytes()[5..30],
        &l2a.as_bytes()[0..7],
        &l2a.as_bytes()[8..15],
        &l2a.as_bytes()[18..29],
    ]);
    let text = format!("{l1}\n{l2a}{comp}\nERIKSSON<<ANNA<MARIA<<<<<<<<<<");
    let d = doc(&text);
    assert_eq!(d.document_number, "D23145890123");
    assert_eq!(d.optional_data, "");
    assert!(d.valid, "{d:?}");

    let f = Fields {
        format: Format::TD2,
        document_code: "I".into(),
        issuing_state: "UTO".into(),
        surnames: "ERIKSSON".into(),
        given_names: "ANNA MARIA".into(),
        document_number: "D2314589012".into(),
        nationality: "UTO".into(),
        birth_date: Some(PartialDate { year: 1974, month: Some(8), day: Some(12) }),
        sex: "F".into(),
        expiry_date: Date::new(2032, 4, 15),
        optional_data: "AB".into(),
        optional_data_2: String::new(),
    };
    let lines = generate(&f).unwrap();
    assert_eq!(&lines[1][..10], "D23145890<");
    let d = doc(&lines.join("\n"));
    assert_eq!(d.document_number, "D2314589012");
    assert_eq!(d.optional_data, "AB");
    assert!(d.valid, "{d:?}");
    // Continuation missing: malformed.
    let broken = lines[1].replacen(&lines[1][28..35], "<<<<<<<", 1);
    let d = doc(&format!("{}\n{broken}", lines[0]));
    assert!(!d.valid);
    assert!(codes(&d).contains(&"malformed_document_number"));
}

#[test]
fn warnings_for_officers() {
    let base = Fields {
        format: Format::TD3,
        document_code: "P".into(),
        issuing_state: "MEX".into(),
        surnames: "PÉREZ NÚÑEZ".into(),
        given_names: "JOSÉ".into(),
        document_number: "G12345678".into(),
        nationality: "GTM".into(),
        birth_date: Some(PartialDate { year: 2015, month: None, day: None }),
        sex: "M".into(),
        expiry_date: Date::new(2030, 1, 1),
        optional_data: String::new(),
        optional_data_2: String::new(),
    };
    let d = doc(&generate(&base).unwrap().join("\n"));
    assert!(d.valid, "{d:?}");
    assert_eq!(d.surnames, "PEREZ NUNEZ");
    assert_eq!(d.birth_date, "2015");
    assert_eq!(codes(&d), ["birth_date_partial", "under_18", "nationality_differs_from_issuing_state"]);

    let long = Fields { surnames: "A".repeat(50), nationality: "MEX".into(), ..base.clone() };
    let d = doc(&generate(&long).unwrap().join("\n"));
    assert!(codes(&d).contains(&"name_truncated"));

    let unknown = Fields { nationality: "ABC".into(), ..base.clone() };
    let d = doc(&generate(&unknown).unwrap().join("\n"));
    assert!(!d.valid);
    assert!(codes(&d).contains(&"unknown_nationality"));
    assert!(!codes(&d).contains(&"nationality_differs_from_issuing_state"));
    assert!(d.checks.all_pass());
}

#[test]
fn future_and_filler_warnings() {
    // Birth 26-12-01 with today 2026-11-23 resolves to 1926 (not the future);
    // a month 13 is malformed.
    let t = TD3.replace("7408122", &format!("261201{}", check_digit(b"261201")));
    let d = doc(&t);
    assert_eq!(d.birth_date, "1926-12-01");
    let t = TD3.replace("7408122", &format!("741308{}", check_digit(b"741308")));
    let d = doc(&t);
    assert!(codes(&d).contains(&"malformed_birth_date"));
    assert_eq!(d.birth_date, "");
    // Filler inside the number, letters among fillers in the name.
    let t = TD3
        .replace("L898902C36", &format!("L89<902C3{}", check_digit(b"L89<902C3")))
        .replace("MARIA<<<<<<<<", "MARIA<<<<K<<<");
    let d = doc(&t);
    assert!(codes(&d).contains(&"filler_in_document_number"));
    assert!(codes(&d).contains(&"letters_among_fillers"));
    assert_eq!(d.given_names, "ANNA MARIA K");
    let d = doc(&TD3.replace("MARIA<<<<<<<<", "MARIA<<K<<<<<"));
    assert_eq!(codes(&d), ["letters_among_fillers", "expired"]);
    assert!(d.valid);
    let d = doc(&TD3.replace("ERIKSSON<<ANNA<MARIA<", "ERIKSSON<<<ANNA<MARIA"));
    assert_eq!(codes(&d), ["letters_among_fillers", "expired"]);
}

#[test]
fn unreadable_blocks() {
    let e = parse("", today()).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::Empty);
    let e = parse(&TD3.replace('F', "f"), today()).unwrap_err();
    assert_eq!((e.line, e.column), (2, 21));
    assert_eq!(e.kind, ParseErrorKind::LowerCase('f'));
    let e = parse(&TD3.replace("ZE18", "ZE 18"), today()).unwrap_err();
    assert_eq!((e.line, e.column, e.kind.clone()), (2, 31, ParseErrorKind::InvalidChar(' ')));
    assert_eq!(e.to_string(), "line 2, column 31: character ' ' is not an MRZ character (A-Z, 0-9, <)");
    let e = parse(&TD3[..80], today()).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::LineLength { expected: 44, found: 35 });
    let e = parse("P<UTO", today()).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::LineCount(1));
    let e = parse(&format!("{TD1}\n{TD1}"), today()).unwrap_err();
    assert_eq!(e.line, 4);
    let e = parse("ABC\nDEF", today()).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::UnknownLength(3));
    // Surrounding whitespace and CRLF are fine.
    let padded = format!("\n  {}  \r\n\t{}\r\n\n", &TD3[..44], &TD3[45..]);
    assert!(parse(&padded, today()).unwrap().valid);
    let e = parse(&format!("  {}\n  {}é", &TD3[..44], &TD3[45..]), today()).unwrap_err();
    assert_eq!((e.line, e.column), (2, 47));
}

#[test]
fn century_resolution() {
    let at = |y, m, d| Date::new(y, m, d).unwrap();
    // (A document valid until 2036: the specimen's 2012 expiry would put
    // a birth in 2026 after it.)
    let t = TD3
        .replace("7408122", &format!("261123{}", check_digit(b"261123")))
        .replace("1204159", &format!("361123{}", check_digit(b"361123")));
    assert_eq!(parse(&t, at(2026, 11, 23)).unwrap().birth_date, "2026-11-23");
    assert_eq!(parse(&t, at(2026, 11, 22)).unwrap().birth_date, "1926-11-23");
    // Two-digit years resolve within the last 100 years: never future, never over 120.
    assert!(!codes(&parse(&t, at(2026, 11, 22)).unwrap()).contains(&"birth_date_in_future"));
    assert_eq!(parse(TD3, at(2026, 1, 1)).unwrap().expiry_date, "2012-04-15");
}

#[test]
fn empty_lines_given_separately() {
    let e = Zone::from_lines(&["", "  "]).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::UnknownLength(0));
    let e = Zone::from_lines(&["", "", ""]).unwrap_err();
    assert_eq!(e.kind, ParseErrorKind::LineLength { expected: 30, found: 0 });
}

/// Optional data keeps the issuer's separation: `<` between items becomes
/// a space, as in names (`010195<112X` is a date and a personal number,
/// not `010195112X`).
#[test]
fn optional_data_keeps_its_items_apart() {
    let d = doc("P<ISLSIGURDSSON<<JON<<<<<<<<<<<<<<<<<<<<<<<<\nA1234567<6ISL1203152M0901015010195<112X<<<94");
    assert_eq!(d.optional_data, "010195 112X");
    assert!(d.checks.all_pass(), "{d:?}");
}

/// The birth century is the latest that puts birth before expiry and not
/// in the future: an Icelander born in 1912 whose passport expired in 2009
/// was not born in 2012.
#[test]
fn birth_century_is_before_expiry() {
    let d = doc("P<ISLSIGURDSSON<<JON<<<<<<<<<<<<<<<<<<<<<<<<\nA1234567<6ISL1203152M0901015010195<112X<<<94");
    assert_eq!(d.birth_date, "1912-03-15");
    assert_eq!(d.expiry_date, "2009-01-01");
    assert!(!codes(&d).contains(&"expiry_before_birth"), "{:?}", codes(&d));
    // A child's passport keeps the latest century.
    let t = TD3.replace("7408122", &format!("200101{}", check_digit(b"200101")));
    let t = t.replace("1204159", &format!("300101{}", check_digit(b"300101")));
    assert_eq!(parse(&t, today()).unwrap().birth_date, "2020-01-01");
}

/// Real documents that break the letter of Doc 9303 are read, valid, with
/// a named warning.
#[test]
fn real_documents_outside_the_letter_are_read_with_a_warning() {
    // Germany's temporary passport: a TD2 with document code P.
    let d = doc("P<D<<MUSTERMANN<<ERIKA<<<<<<<<<<<<<<\nC01X00T478D<<6408125F3108310<<<<<<<2");
    assert_eq!((d.format, d.surnames.as_str(), d.given_names.as_str()), (Format::TD2, "MUSTERMANN", "ERIKA"));
    assert!(d.valid, "{d:?}");
    assert_eq!(codes(&d), ["td2_passport"]);
    // India: no primary identifier, the whole name is the secondary one.
    let d = doc("P<IND<<PRIYA<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<<\nJ8369854<4IND8604150F3002267<<<<<<<<<<<<<<<4");
    assert_eq!((d.surnames.as_str(), d.given_names.as_str()), ("", "PRIYA"));
    assert!(d.valid, "{d:?}");
    assert_eq!(codes(&d), ["no_primary_identifier"]);
    // Old Belgian cards: the long number's check digit covers the filler
    // at position 15.
    let d = doc("IDBEL590330101<0853<<<<<<<<<<<\n8501019M2701013BEL<<<<<<<<<<<6\nDUPONT<<JEAN<<<<<<<<<<<<<<<<<<");
    assert_eq!(d.document_number, "590330101085");
    assert!(d.valid && d.checks.document_number, "{d:?}");
    assert_eq!(codes(&d), ["check_digit_covers_filler"]);
    // A name that is all fillers is still malformed.
    let d = doc(&TD3.replace("ERIKSSON<<ANNA<MARIA", "<<<<<<<<<<<<<<<<<<<<"));
    assert!(codes(&d).contains(&"malformed_name"));
}

/// What is not an ICAO zone at all says so, instead of a failing TD2.
#[test]
fn other_machine_readable_zones_are_named() {
    let cni = "IDFRABERTHIER<<<<<<<<<<<<<<<<<750123\n8806923102858CORINNE<<<<<<<6512068F6";
    let e = parse(cni, today()).unwrap_err();
    assert!(matches!(e.kind, ParseErrorKind::NotIcao(_)), "{e:?}");
    assert!(e.to_string().contains("not an ICAO machine-readable zone"), "{e}");
    assert!(e.to_string().contains("French national identity card"), "{e}");
    let e = parse("D1NLD15094962111659VW87ZV3DB67", today()).unwrap_err();
    assert!(e.to_string().contains("not an ICAO machine-readable zone") && e.to_string().contains("driving licence"));
    // An ICAO TD2 identity card still reads.
    assert!(doc(TD2).checks.all_pass());
}
