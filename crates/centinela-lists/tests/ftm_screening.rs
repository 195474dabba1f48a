//! An OpenSanctions person as screening sees it: the other names
//! (`alias`, `weakAlias`, `previousName`, names in another script) are
//! aliases that a traveller's name finds, each script as written (a
//! Cyrillic name found by the Latin letters of a passport's MRZ), and a
//! tax number (`idNumber`) is no travel document.

use centinela_domain::{BirthDate, DocumentNumber};
use centinela_lists::{apply_delta, read_ftm, read_ftm_delta};
use centinela_names::{Query, ScreenOptions, Screener};

const LIST: &str = r#"{"id":"os-1","schema":"Person","properties":{"firstName":["Mariya","Мария"],"lastName":["Ivanova","Иванова"],"weakAlias":["Masha Kuznetsova"],"previousName":["Mariya Petrova"],"birthDate":["1979-02-11"],"nationality":["ru"],"idNumber":["7707083893"]}}
{"id":"os-2","schema":"Person","properties":{"name":["Александр Григорьевич Лукашенко"],"alias":["Aliaksandr Lukashenka"],"birthDate":["1954-08-30"]}}
{"id":"os-3","schema":"Person","properties":{"name":["Ana Lucía Ruiz Soto"],"birthDate":["1990-01-01"],"nationality":["gt"]}}
"#;

fn query(given: &str, surnames: &str, born: &str) -> Query {
    Query { birth_date: Some(BirthDate::parse(born).unwrap()), ..Query::new(given, surnames) }
}

fn hits(s: &Screener, q: &Query) -> Vec<String> {
    s.screen(q, &ScreenOptions::default()).iter().map(|h| s.entry(h.entry).id.clone()).collect()
}

#[test]
fn every_other_name_is_an_alias_screening_finds() {
    let (entries, stats) = read_ftm(LIST.as_bytes()).unwrap();
    assert_eq!(stats.dropped_values, 0);
    let cyrillic = entries[0].aliases.iter().find(|a| a.contains('М')).expect("the Cyrillic name kept");
    assert_eq!(cyrillic, "Мария Иванова", "one script per alias, as written");
    // The name in its own script is the primary name; the Latin alias an alias.
    assert_eq!((entries[1].given_names.as_str(), entries[1].surnames.as_str()), ("Александр Григорьевич", "Лукашенко"));
    assert_eq!(entries[1].aliases, ["Aliaksandr Lukashenka"]);
    let s = Screener::build(entries);
    // The primary name, a weak alias, a previous name.
    assert_eq!(hits(&s, &query("MARIYA", "IVANOVA", "1979-02-11")), ["os-1"]);
    assert_eq!(hits(&s, &query("MASHA", "KUZNETSOVA", "1979-02-11")), ["os-1"]);
    assert_eq!(hits(&s, &query("MARIYA", "PETROVA", "1979-02-11")), ["os-1"]);
    // The Cyrillic name through its Latin letters (ICAO transliteration).
    assert_eq!(hits(&s, &query("ALEKSANDR GRIGOREVICH", "LUKASHENKO", "1954-08-30")), ["os-2"]);
    assert_eq!(hits(&s, &query("ALIAKSANDR", "LUKASHENKA", "1954-08-30")), ["os-2"]);
    // Nobody else.
    assert!(hits(&s, &query("PEDRO", "RAMIREZ", "1985-01-01")).is_empty());
}

#[test]
fn a_tax_number_is_no_travel_document() {
    let (entries, _) = read_ftm(LIST.as_bytes()).unwrap();
    assert!(entries[0].document_numbers.is_empty(), "{:?}", entries[0].document_numbers);
    let s = Screener::build(entries);
    // A stranger whose passport number is the entry's tax number: no hit.
    let q = Query {
        document_number: Some(DocumentNumber::parse("7707083893").unwrap()),
        ..query("PEDRO", "RAMIREZ", "1985-01-01")
    };
    assert!(hits(&s, &q).is_empty());
}

/// A delta's new aliases reach screening too.
#[test]
fn a_deltas_aliases_reach_screening() {
    let (mut entries, _) = read_ftm(LIST.as_bytes()).unwrap();
    let delta = r#"{"op":"MOD","entity":{"id":"os-3","schema":"Person","properties":{"name":["Ana Lucía Ruiz Soto"],"alias":["La Güera"],"previousName":["Ana Lucía Coj"],"birthDate":["1990-01-01"]}}}
{"op":"DEL","entity":{"id":"os-2"}}
"#;
    let (changes, _) = read_ftm_delta(delta.as_bytes()).unwrap();
    apply_delta(&mut entries, changes);
    let s = Screener::build(entries);
    assert_eq!(hits(&s, &query("ANA LUCIA", "COJ", "1990-01-01")), ["os-3"]);
    assert!(hits(&s, &query("ALEKSANDR GRIGOREVICH", "LUKASHENKO", "1954-08-30")).is_empty());
}
