//! Property tests: generate → write → parse → the same values; arbitrary
//! bytes never panic a parser.

use centinela_domain::{AlertEntry, BirthDate, CountryCode, DocumentNumber, DocumentRecord, DocumentStatus, Sex};
use centinela_lists::{
    CsvListReader, DocumentIndex, DocumentsReader, FtmReader, QueryReader, person_to_ftm, read_csv_list,
    read_documents, read_ftm, write_csv_list, write_documents,
};
use proptest::prelude::*;

fn name() -> impl Strategy<Value = String> {
    // Letters with accents, inner spaces and CSV-hostile characters (quotes,
    // commas), but no `;` (the multi-value separator) and no outer spaces.
    "[A-Za-zÁÉÍÓÚáéíóúÑñÜü'\",.-]{1,8}( [A-Za-zÁÉÍÓÚáéíóúñ'\",-]{1,8}){0,2}"
}

fn birth_date() -> impl Strategy<Value = BirthDate> {
    (1900u16..2025, 1u8..=12, 1u8..=28, 0usize..3).prop_map(|(y, m, d, parts)| match parts {
        0 => BirthDate { year: y, month: None, day: None },
        1 => BirthDate { year: y, month: Some(m), day: None },
        _ => BirthDate { year: y, month: Some(m), day: Some(d) },
    })
}

fn country() -> impl Strategy<Value = CountryCode> {
    prop::sample::select(vec!["MEX", "GTM", "HND", "SLV", "USA", "DEU", "UTO", "D", "COL", "ESP"])
        .prop_map(|c| CountryCode::parse(c).unwrap())
}

fn doc_number() -> impl Strategy<Value = DocumentNumber> {
    "[A-Z0-9]{1,12}".prop_map(|s| DocumentNumber::parse(&s).unwrap())
}

fn sex() -> impl Strategy<Value = Sex> {
    prop::sample::select(vec![Sex::Male, Sex::Female, Sex::Unspecified, Sex::Unknown])
}

fn uniq<T: PartialEq>(v: Vec<T>) -> Vec<T> {
    let mut out = Vec::new();
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

fn entry() -> impl Strategy<Value = AlertEntry> {
    (
        "[A-Za-z0-9:_-]{1,12}",
        prop::option::of(name()),
        prop::option::of(name()),
        prop::collection::vec(name(), 0..3),
        prop::collection::vec(birth_date(), 0..3),
        prop::collection::vec(country(), 0..3),
        sex(),
        prop::collection::vec(doc_number(), 0..3),
        prop::option::of(name()),
    )
        .prop_filter("a name", |t| t.1.is_some() || t.2.is_some() || !t.3.is_empty())
        .prop_map(|(id, g, s, aliases, bd, nat, sex, docs, notes)| {
            let given_names = g.unwrap_or_default();
            let surnames = s.unwrap_or_default();
            let full = [format!("{given_names} {surnames}"), format!("{surnames} {given_names}")]
                .map(|n| n.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase());
            let aliases = uniq(aliases.into_iter().map(|a| a.to_lowercase()).collect())
                .into_iter()
                .filter(|a| !full.contains(a))
                .collect();
            AlertEntry {
                id,
                given_names,
                surnames,
                aliases,
                birth_dates: uniq(bd),
                nationalities: uniq(nat),
                sex,
                document_numbers: uniq(docs),
                notes: notes.unwrap_or_default(),
                notice: Default::default(),
            }
        })
}

fn entries() -> impl Strategy<Value = Vec<AlertEntry>> {
    prop::collection::vec(entry(), 0..20).prop_map(|mut v| {
        for (i, e) in v.iter_mut().enumerate() {
            e.id = format!("{}-{i}", e.id);
        }
        v
    })
}

fn document() -> impl Strategy<Value = DocumentRecord> {
    (
        doc_number(),
        prop::option::of(country()),
        "[A-Za-z ]{0,8}",
        prop::sample::select(vec![
            DocumentStatus::Stolen,
            DocumentStatus::Lost,
            DocumentStatus::StolenBlank,
            DocumentStatus::Revoked,
        ]),
        prop::sample::select(vec!["", "2024-01-05", "2024-01-05T10:00:00Z", "1999-12-31T23:59:59+02:00"]),
    )
        .prop_map(|(n, s, t, st, r)| DocumentRecord {
            document_number: n,
            issuing_state: s,
            document_type: t.trim().to_string(),
            status: st,
            reported_at: r.to_string(),
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn csv_list_round_trip(v in entries()) {
        let mut buf = Vec::new();
        write_csv_list(&mut buf, &v).unwrap();
        let back = read_csv_list(&buf[..]).unwrap();
        prop_assert_eq!(back, v);
    }

    /// The FtM reader leaves honorifics out of given names ("Herr Dr.
    /// Cornelius"), so the round trip holds for given names that do not
    /// start with one.
    #[test]
    fn ftm_round_trip(v in entries().prop_filter("no leading honorific", |v| v.iter().all(|e| {
        e.given_names.split_whitespace().next().is_none_or(|w| !centinela_lists::is_honorific(w))
    }))) {
        let text: String = v.iter().map(|e| person_to_ftm(e) + "\n").collect();
        let (back, stats) = read_ftm(text.as_bytes()).unwrap();
        prop_assert_eq!(stats.dropped_values, 0);
        // FtM's countries are ISO alpha-2: ICAO's own codes (`D`) come back
        // as the state's ISO code (`DEU`).
        let iso = |c: &CountryCode| {
            centinela_domain::countries::alpha3_to_alpha2(c)
                .and_then(centinela_domain::countries::alpha2_to_alpha3)
                .unwrap_or(*c)
        };
        let want: Vec<AlertEntry> = v
            .into_iter()
            .map(|mut e| {
                e.nationalities = uniq(e.nationalities.iter().map(iso).collect());
                e
            })
            .collect();
        prop_assert_eq!(back, want);
    }

    #[test]
    fn documents_round_trip(v in prop::collection::vec(document(), 0..20)) {
        let mut buf = Vec::new();
        write_documents(&mut buf, &v).unwrap();
        prop_assert_eq!(read_documents(&buf[..]).unwrap(), v);
    }

    #[test]
    fn index_finds_every_document(v in prop::collection::vec(document(), 1..50)) {
        let mut b = DocumentIndex::builder();
        for d in &v {
            b.push(&d.document_number, d.issuing_state, d.status);
        }
        let idx = b.finish();
        for d in &v {
            let r = idx.lookup(&d.document_number, d.issuing_state);
            prop_assert!(r.exact.iter().any(|h| h.status == d.status && h.issuing_state == d.issuing_state));
        }
    }

    #[test]
    fn parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Ok(r) = CsvListReader::new(&bytes[..]) { r.for_each(drop) }
        if let Ok(r) = QueryReader::new(&bytes[..]) { r.for_each(drop) }
        if let Ok(r) = DocumentsReader::new(&bytes[..]) { r.for_each(drop) }
        FtmReader::new(&bytes[..]).for_each(drop);
    }

    #[test]
    fn parsers_never_panic_on_near_valid(tail in "\\PC{0,200}") {
        let csv = format!("id,given_names,surnames,birth_date,nationality,sex,aliases\n{tail}");
        CsvListReader::new(csv.as_bytes()).unwrap().for_each(drop);
        let docs = format!("document_number,issuing_state,document_type,status,reported_at\n{tail}");
        DocumentsReader::new(docs.as_bytes()).unwrap().for_each(drop);
        let ftm = format!("{{\"id\":\"x\",\"schema\":\"Person\",\"properties\":{{{tail}");
        FtmReader::new(ftm.as_bytes()).for_each(drop);
    }
}
