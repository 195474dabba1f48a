//! PAXLST messages written for these tests from the WCO/IATA/ICAO API
//! guidelines' segment tables (D02B and D05B): names, places and numbers are
//! invented.

use centinela_edifact::paxlst::{ListKind, PersonRole};
use centinela_edifact::{Date, ErrorKind, Message, Paxlst, WarningKind, parse, write};

const D02B: &str = "UNA:+.? '
UNB+UNOA:4+CMAIR:ZZ+GTMIGM:ZZ+261206:1405+000000417++PAXLST'
UNG+PAXLST+CENTRAL AIR+GTMIGM+261206:1405+417+UN+D:02B'
UNH+PAX001+PAXLST:D:02B:UN:IATA+CM0421/261206/1530+01:F'
BGM+745'
NAD+MS+++CENTRAL AIR OPS'
COM+507 555 0101:TE+507 555 0102:FX'
TDT+20+CM421+++CM'
LOC+125+PTY'
DTM+189:2612061530:201'
LOC+87+GUA'
DTM+232:2612061705:201'
NAD+FL+++OKAFOR:CHINEDU:EMEKA+12 ACACIA ROAD+LAGOS++100001+NGA'
ATT+2++M'
DTM+329:880314'
LOC+178+PTY'
LOC+179+GUA'
NAT+2+NGA'
RFF+AVF:QX7Z2P'
RFF+SEA:23C'
DOC+P:110:111+A07712345'
DTM+36:300101'
LOC+91+NGA'
NAD+FL+++GARCI?'A LOPEZ:MARIA JOSE'
ATT+2++F'
DTM+329:020709'
NAT+2+GTM'
DOC+P+G1234567'
DTM+36:281231'
LOC+91+GTM'
CNT+42:2'
UNT+29+PAX001'
UNE+1+417'
UNZ+1+000000417'
";

fn one(input: &str) -> Paxlst {
    let i = parse(input.as_bytes(), 2026).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(i.messages.len(), 1);
    match i.messages.into_iter().next().unwrap() {
        Message::Paxlst(p) => p,
        m => panic!("not PAXLST: {m:?}"),
    }
}

#[test]
fn a_d02b_passenger_list_reads_whole() {
    let i = parse(D02B.as_bytes(), 2026).unwrap();
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    let env = i.envelope.as_ref().unwrap();
    assert_eq!((env.syntax.as_str(), env.syntax_version, env.control_reference.as_str()), ("UNOA", 4, "000000417"));
    assert_eq!(env.prepared.date, Date { year: 2026, month: 12, day: 6 });
    let p = one(D02B);
    assert_eq!(p.kind, ListKind::Passengers);
    assert_eq!(p.header.version, "D");
    assert_eq!(p.header.release, "02B");
    assert_eq!(p.header.part.map(|p| (p.sequence, p.last)), Some((1, true)));
    assert_eq!(p.reporting_party.as_ref().unwrap().fax.as_deref(), Some("507 555 0102"));
    assert_eq!(p.flight.number, "CM421");
    assert_eq!(p.flight.carrier.as_deref(), Some("CM"));
    assert_eq!(p.flight.departure().unwrap().airport, "PTY");
    assert_eq!(p.flight.arrival().unwrap().at.unwrap().time, Some((17, 5)));
    assert_eq!(p.persons.len(), 2);
    let a = &p.persons[0];
    assert_eq!(a.role, PersonRole::Passenger);
    assert_eq!((a.surname.as_str(), a.given_names.join(" ").as_str()), ("OKAFOR", "CHINEDU EMEKA"));
    assert_eq!(a.address.as_ref().unwrap().country.as_deref(), Some("NGA"));
    assert_eq!(a.sex.as_deref(), Some("M"));
    assert_eq!(a.birth_date, Some(Date { year: 1988, month: 3, day: 14 }));
    assert_eq!((a.embarkation.as_deref(), a.debarkation.as_deref()), (Some("PTY"), Some("GUA")));
    assert_eq!((a.booking.as_deref(), a.seat.as_deref()), (Some("QX7Z2P"), Some("23C")));
    assert_eq!(a.documents[0].number, "A07712345");
    assert_eq!(a.documents[0].expiry, Some(Date { year: 2030, month: 1, day: 1 }));
    assert_eq!(a.documents[0].issuing_state.as_deref(), Some("NGA"));
    let b = &p.persons[1];
    assert_eq!(b.surname, "GARCI'A LOPEZ", "the release character lets a terminator through");
    assert_eq!(b.birth_date, Some(Date { year: 2002, month: 7, day: 9 }));
    assert_eq!(p.total, Some(2));
}

#[test]
fn a_d05b_crew_list_without_una_in_lower_case_with_wrong_counts_reads_with_named_warnings() {
    let input = "UNB+UNOA:4+CMAIR+GTMIGM+20261206:0900+88'\r\n\
        unh+1+PAXLST:D:05B:UN:IATA+CM0421+02:C'\r\n\
        BGM+250+C'\r\n\
        TDT+20+CM421'\r\n\
        LOC+125+PTY'\r\n\
        DTM+189:202612061530:203'\r\n\
        NAD+FM+++RIOS:ANA+'\r\n\
        DOC+P:110:111+PA9981'\r\n\
        DTM+36:20310505:102'\r\n\
        CNT+41:7'\r\n\
        UNT+99+1'\r\n\
        UNZ+3+88'\r\n";
    let i = parse(input.as_bytes(), 2026).unwrap();
    let kinds: Vec<WarningKind> = i.warnings.iter().map(|w| w.kind).collect();
    for k in [
        WarningKind::MissingUna,
        WarningKind::LowerCaseTag,
        WarningKind::TrailingSeparator,
        WarningKind::SegmentCountMismatch,
        WarningKind::MessageCountMismatch,
    ] {
        assert!(kinds.contains(&k), "{k:?} missing from {kinds:?}");
    }
    // A part of a multipart list: its CNT is the whole list's, not checked.
    assert!(!kinds.contains(&WarningKind::PersonCountMismatch));
    let Message::Paxlst(p) = &i.messages[0] else { panic!() };
    assert_eq!(p.kind, ListKind::Crew);
    assert_eq!(p.header.part.map(|p| (p.sequence, p.last)), Some((2, false)));
    assert!(p.persons[0].role.is_crew());
    assert_eq!(p.persons[0].documents[0].expiry, Some(Date { year: 2031, month: 5, day: 5 }));
    let w = i.warnings.iter().find(|w| w.kind == WarningKind::SegmentCountMismatch).unwrap();
    assert_eq!((w.at.message, w.at.segment, w.at.tag.unwrap().as_str()), (Some(1), 11, "UNT"));
}

#[test]
fn errors_name_message_segment_element_and_component_never_the_value() {
    let bad = D02B.replace("DTM+329:880314'", "DTM+329:88XX14'");
    let e = parse(bad.as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidValue { what: "date" });
    assert_eq!((e.at.message, e.at.segment, e.at.element, e.at.component), (Some(1), 14, Some(1), Some(2)));
    assert_eq!(e.at.tag.unwrap().as_str(), "DTM");
    let text = format!("{e} {}", e.es());
    assert!(!text.contains("88XX14"), "{text}");
    assert_eq!(e.to_string(), "message 1, segment 14 (DTM), element 1, component 2: invalid date");
    assert_eq!(e.es(), "mensaje 1, segmento 14 (DTM), elemento 1, componente 2: no válido: date");

    let no_surname = D02B.replace("NAD+FL+++OKAFOR:CHINEDU:EMEKA", "NAD+FL+++:CHINEDU:EMEKA");
    let e = parse(no_surname.as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingValue { what: "surname" });
    assert_eq!((e.at.segment, e.at.element), (12, Some(4)));
}

#[test]
fn structure_is_strict() {
    // A person before the flight.
    let moved = D02B.replace("TDT+20+CM421+++CM'\n", "").replace("CNT+42:2'", "CNT+42:2'\nTDT+20+CM421'");
    let e = parse(moved.as_bytes(), 2026).unwrap_err();
    assert_eq!((e.kind, e.at.tag.unwrap().as_str()), (ErrorKind::UnexpectedSegment, "LOC"));
    let no_flight = D02B.replace(
        "TDT+20+CM421+++CM'\nLOC+125+PTY'\nDTM+189:2612061530:201'\nLOC+87+GUA'\nDTM+232:2612061705:201'\n",
        "",
    );
    let e = parse(no_flight.as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingSegment { expected: "TDT" });
    // No BGM.
    let e = parse(D02B.replace("BGM+745'\n", "").as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingSegment { expected: "BGM" });
    // A message not closed.
    let cut = &D02B[..D02B.find("UNT+").unwrap()];
    let e = parse(cut.as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingTrailer { expected: "UNT" });
    // A segment cut short.
    let e = parse(&D02B.as_bytes()[..D02B.find("CNT").unwrap() + 5], 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unterminated);
    // Another message type.
    let e = parse(D02B.replace("PAXLST:D:02B", "CUSCAR:D:02B").as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnsupportedMessage);
    // Anything after UNZ.
    let e = parse(format!("{D02B}UNH+2+PAXLST:D:02B:UN:IATA'").as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnexpectedSegment);
}

#[test]
fn limits_are_enforced_before_the_work() {
    let mut o = centinela_edifact::Options::new(2026);
    o.limits.max_bytes = 100;
    let e = centinela_edifact::parse_with(D02B.as_bytes(), &o).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge { limit: 100 });
    let mut o = centinela_edifact::Options::new(2026);
    o.limits.max_segments = 10;
    assert_eq!(
        centinela_edifact::parse_with(D02B.as_bytes(), &o).unwrap_err().kind,
        ErrorKind::TooManySegments { limit: 10 }
    );
    let long = D02B.replace("OKAFOR", &"O".repeat(600));
    assert_eq!(parse(long.as_bytes(), 2026).unwrap_err().kind, ErrorKind::ValueTooLong { limit: 512 });
    let many = D02B.replace("BGM+745'", &format!("BGM+745{}'", "+1".repeat(120)));
    assert_eq!(parse(many.as_bytes(), 2026).unwrap_err().kind, ErrorKind::TooManyElements { limit: 99 });
}

#[test]
fn a_latin1_interchange_under_unoc_reads_its_accents() {
    let text = D02B.replace("UNOA", "UNOC").replace("LOPEZ", "LÓPEZ");
    let bytes: Vec<u8> = text.chars().map(|c| c as u32 as u8).collect();
    assert!(std::str::from_utf8(&bytes).is_err());
    let i = parse(&bytes, 2026).unwrap();
    let Message::Paxlst(p) = &i.messages[0] else { panic!() };
    assert_eq!(p.persons[1].surname, "GARCI'A LÓPEZ");
    // Not UTF-8 and no Latin character set named: refused.
    let e = parse(
        &[b"UNB+UNOA:4+A+B+261206:1405+1'UNH+1+PAXLST:D:02B:UN:IATA'BGM+745'NAD+FL+++".as_slice(), &[0xD3, b'\'']]
            .concat(),
        2026,
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidEncoding);
}

#[test]
fn written_lists_read_back_equal() {
    let i = parse(D02B.as_bytes(), 2026).unwrap();
    let again = parse(write(&i).as_bytes(), 2026).unwrap();
    assert_eq!(again.messages, i.messages);
    assert_eq!(again.envelope, i.envelope);
    assert!(again.warnings.is_empty(), "{:?}", again.warnings);
}
