//! PNRGOV messages written for these tests from IATA's PNRGOV implementation
//! guide's segment descriptions: locators, names and numbers are invented.

use centinela_edifact::{Date, DateTime, ErrorKind, Message, Pnrgov, WarningKind, parse, write};

const PUSH: &str = "UNA:+.?*'
UNB+IATA:1+CM+GTMUIP+261205:1530+PNR0001'
UNH+1+PNRGOV:11:1:IA+CM0421/061226/1530'
MSG+:22'
ORG+CM:PTY'
TVL+061226:1530:061226:1705+PTY+GUA+CM+421'
EQN+2'
SRC'
RCI+CM:QX7Z2P::011126:2210+1A:8KLM3Q'
SPL+QX7Z9R'
DAT+700:011126:2210'
ORG+1A:PTY+12345675+++PA'
ADD++700:CALLE 50?+ 12:PANAMA::0801:PA'
IFT+4:28+CTCM 5076000111'
IFT+4:28+CTCE VIAJES?:NORTE@EXAMPLE.INVALID'
FOP+CA'
TIF+OKAFOR+CHINEDU:ADT:1'
TKT+2302412345678:T:1'
SSR+DOCS:HK:1:CM::::::/P/NGA/A07712345/NGA/14MAR88/M/01JAN30/OKAFOR/CHINEDU'
TIF+EZE+NGOZI:ADT:2'
TKT+2302412345679:T:1'
MON+B:650.00:USD'
TVL+061226:1530:061226:1705+PTY+GUA+CM+421:Y'
RPI+2+HK'
SSD+23C+1'
SSD+23D+2'
TBD++2:46:700+1+CM:0230123456:2'
TVL+071226:0800:071226:0910+GUA+MEX+CM+144:Y'
SRC'
RCI+CM:B4N6TT::201126:0915'
FOP+CC:::VI:XXXXXXXXXXXX4444:0928'
TIF+RIOS+ANA:ADT:1'
TVL+061226:1530:061226:1705+PTY+GUA+CM+421:C'
UNT+32+1'
UNZ+1+PNR0001'
";

fn one(input: &str) -> Pnrgov {
    let i = parse(input.as_bytes(), 2026).unwrap_or_else(|e| panic!("{e}"));
    match i.messages.into_iter().next().unwrap() {
        Message::Pnrgov(p) => p,
        m => panic!("not PNRGOV: {m:?}"),
    }
}

#[test]
fn a_push_for_one_flight_reads_every_field_the_issue_lists() {
    let i = parse(PUSH.as_bytes(), 2026).unwrap();
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    let m = one(PUSH);
    assert_eq!(m.function, "22");
    assert_eq!(m.sender, Some(("CM".into(), Some("PTY".into()))));
    let f = m.flight.as_ref().unwrap();
    assert_eq!((f.from.as_str(), f.to.as_str(), f.carrier.as_str(), f.flight.as_str()), ("PTY", "GUA", "CM", "421"));
    assert_eq!(f.departure, Some(DateTime { date: Date { year: 2026, month: 12, day: 6 }, time: Some((15, 30)) }));
    assert_eq!(m.stated_count, Some(2));
    assert_eq!(m.records.len(), 2);
    let r = &m.records[0];
    assert_eq!((r.carrier.as_str(), r.locator.as_str()), ("CM", "QX7Z2P"));
    assert_eq!(r.created.unwrap().date, Date { year: 2026, month: 11, day: 1 });
    assert_eq!(r.other_locators, vec![("1A".to_string(), "8KLM3Q".to_string())]);
    assert_eq!(r.split, vec!["QX7Z9R".to_string()]);
    let agent = r.agent.as_ref().unwrap();
    assert_eq!((agent.agency.as_deref(), agent.country.as_deref()), (Some("12345675"), Some("PA")));
    assert_eq!(r.addresses[0].street.as_deref(), Some("CALLE 50+ 12"));
    assert_eq!(r.contacts, vec!["CTCM 5076000111".to_string(), "CTCE VIAJES:NORTE@EXAMPLE.INVALID".to_string()]);
    assert!(r.payments[0].is_cash());
    assert_eq!(r.passengers.len(), 2);
    let p = &r.passengers[0];
    assert_eq!(
        (p.surname.as_str(), p.given_names.as_deref(), p.reference.as_deref()),
        ("OKAFOR", Some("CHINEDU"), Some("1"))
    );
    assert_eq!(p.tickets[0].number, "2302412345678");
    let d = &p.documents[0];
    assert_eq!((d.kind.as_str(), d.number.as_str(), d.nationality.as_deref()), ("P", "A07712345", Some("NGA")));
    assert_eq!(d.birth_date, Some(Date { year: 1988, month: 3, day: 14 }));
    assert_eq!(d.expiry, Some(Date { year: 2030, month: 1, day: 1 }));
    assert_eq!(r.itinerary.len(), 2);
    assert_eq!(r.itinerary[1].to, "MEX");
    assert_eq!(r.seats.iter().map(|s| (s.leg, s.seat.as_str())).collect::<Vec<_>>(), vec![(0, "23C"), (0, "23D")]);
    let b = &r.baggage[0];
    assert_eq!((b.pieces, b.weight, b.unit.as_deref()), (2, Some(46), Some("700")));
    assert_eq!(b.tags, Some(("CM".into(), "0230123456".into(), 2)));
    assert_eq!(m.records[1].payments[0].account.as_deref(), Some("XXXXXXXXXXXX4444"));
}

#[test]
fn errors_name_their_place() {
    let e = parse(PUSH.replace("SRC'\nRCI+CM:B4N6TT::201126:0915'\n", "SRC'\n").as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingSegment { expected: "RCI" });
    assert_eq!((e.at.message, e.at.tag.unwrap().as_str()), (Some(1), "FOP"));
    let e = parse(PUSH.replace("/14MAR88/", "/14XYZ88/").as_bytes(), 2026).unwrap_err();
    assert_eq!(
        (e.kind.clone(), e.at.element, e.at.component),
        (ErrorKind::InvalidValue { what: "date" }, Some(1), Some(10))
    );
    assert!(!e.to_string().contains("XYZ"));
    let e = parse(PUSH.replace("MSG+:22'\n", "").as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::MissingSegment { expected: "MSG" });
    let e = parse(PUSH.replace("SSD+23C+1'", "TKT+1:T'").as_bytes(), 2026).unwrap_err();
    assert_eq!(e.kind, ErrorKind::UnexpectedSegment);
}

#[test]
fn unknown_segments_and_wrong_counts_are_warnings() {
    let text =
        PUSH.replace("EQN+2'", "EQN+3'").replace("RPI+2+HK'", "RPI+2+HK'\nZZZ+1'").replace("UNT+32+1", "UNT+33+2");
    let i = parse(text.as_bytes(), 2026).unwrap();
    let kinds: Vec<WarningKind> = i.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(
        kinds,
        vec![WarningKind::UnknownSegment, WarningKind::ReferenceMismatch, WarningKind::PersonCountMismatch]
    );
}

#[test]
fn several_messages_in_one_file_read_in_order() {
    let second = PUSH.replacen("UNH+1+", "UNH+2+", 1).replace("UNT+32+1", "UNT+32+2");
    let body = |s: &str| s[s.find("UNH").unwrap()..s.find("UNZ").unwrap()].to_string();
    let text = format!("{}{}{}UNZ+2+PNR0001'", &PUSH[..PUSH.find("UNH").unwrap()], body(PUSH), body(&second));
    let i = parse(text.as_bytes(), 2026).unwrap();
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    let refs: Vec<&str> = i.messages.iter().map(|m| m.header().reference.as_str()).collect();
    assert_eq!(refs, vec!["1", "2"]);
}

#[test]
fn written_pushes_read_back_equal() {
    let i = parse(PUSH.as_bytes(), 2026).unwrap();
    let text = write(&i);
    let again = parse(text.as_bytes(), 2026).unwrap();
    assert_eq!(again.messages, i.messages);
    assert!(again.warnings.is_empty(), "{:?}\n{text}", again.warnings);
}
