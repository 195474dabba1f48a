//! Crossing-record CSV (`centinela import crossings`, CONTRACTS.md): the
//! header names the columns, in any order; `crossing_id`, `post`,
//! `direction` and `crossed_at` are required, the others optional (empty
//! when absent). Values are checked strictly: these are records to keep.

use std::collections::HashSet;
use std::io::{Read, Write};

use centinela_domain::{
    BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Sex, Timestamp, check_phone, check_post_code,
};

use crate::ParseError;
use crate::csvfmt::{CsvRows, Row};

/// Every column of the contract, in its order.
pub use centinela_domain::CROSSING_COLUMNS;

/// The columns a crossings file must have.
pub const CROSSING_REQUIRED: [&str; 4] = ["crossing_id", "post", "direction", "crossed_at"];

/// Streams the records of a crossings CSV, one `Result` per data row. A
/// `crossing_id` repeated within the file is kept once, as the contract
/// says for repeated imports: [`CrossingReader::repeated`] counts them.
pub struct CrossingReader<R: Read> {
    rows: CsvRows<R>,
    idx: [Option<usize>; 17],
    seen: HashSet<String>,
    repeated: u64,
}

impl<R: Read> CrossingReader<R> {
    /// Reads and checks the header.
    pub fn new(r: R) -> Result<Self, ParseError> {
        let rows = CsvRows::new(r, &CROSSING_REQUIRED)?;
        let mut idx = [None; 17];
        for (i, name) in CROSSING_COLUMNS.iter().enumerate() {
            idx[i] = rows.cols.index(name);
        }
        Ok(CrossingReader { rows, idx, seen: HashSet::new(), repeated: 0 })
    }

    /// Rows skipped so far because their `crossing_id` came earlier in the file.
    pub fn repeated(&self) -> u64 {
        self.repeated
    }
}

impl<R: Read> Iterator for CrossingReader<R> {
    type Item = Result<CrossingRecord, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let idx = self.idx;
            let r = self.rows.next_row(|_, row| parse_row(&idx, row))?;
            match r {
                Ok(rec) if !self.seen.insert(rec.crossing_id.clone()) => self.repeated += 1,
                other => return Some(other),
            }
        }
    }
}

fn parse_row(idx: &[Option<usize>; 17], row: &Row<'_>) -> Result<CrossingRecord, ParseError> {
    let get = |i: usize| row.get(idx[i], CROSSING_COLUMNS[i]);
    let err = |i: usize, m: String| row.err(CROSSING_COLUMNS[i], m);
    let crossing_id = get(0)?;
    if crossing_id.is_empty() {
        return Err(err(0, "empty: every crossing needs an id".into()));
    }
    if crossing_id.chars().count() > 100 {
        return Err(err(0, "longer than 100 characters".into()));
    }
    let post = get(1)?;
    if post.is_empty() {
        return Err(err(1, "empty: the border post's code is needed".into()));
    }
    check_post_code(post).map_err(|e| err(1, e.to_string()))?;
    let country = |i: usize| CountryCode::parse_opt(get(i)?).map_err(|e| err(i, e.to_string()));
    let number = get(10)?;
    let phone = get(14)?;
    if !phone.is_empty() {
        check_phone(phone).map_err(|e| err(14, e.to_string()))?;
    }
    Ok(CrossingRecord {
        crossing_id: crossing_id.to_string(),
        post: post.to_string(),
        direction: Direction::parse(get(2)?).map_err(|e| err(2, e.to_string()))?,
        crossed_at: Timestamp::parse(get(3)?).map_err(|e| err(3, e.to_string()))?,
        given_names: get(4)?.to_string(),
        surnames: get(5)?.to_string(),
        birth_date: BirthDate::parse_opt(get(6)?).map_err(|e| err(6, e.to_string()))?,
        nationality: country(7)?,
        sex: Sex::parse(get(8)?).map_err(|e| err(8, e.to_string()))?,
        document_type: get(9)?.to_string(),
        document_number: if number.is_empty() {
            None
        } else {
            Some(DocumentNumber::parse(number).map_err(|e| err(10, e.to_string()))?)
        },
        issuing_state: country(11)?,
        group_id: get(12)?.to_string(),
        vehicle: get(13)?.to_string(),
        phone: phone.to_string(),
        address: get(15)?.to_string(),
        destination: get(16)?.to_string(),
    })
}

/// Writes records as a crossings CSV with every column of the contract.
pub fn write_crossings<W: Write>(w: W, records: &[CrossingRecord]) -> std::io::Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(CROSSING_COLUMNS)?;
    for r in records {
        let opt = |c: Option<&CountryCode>| c.map(|c| c.as_str().to_string()).unwrap_or_default();
        wr.write_record([
            r.crossing_id.as_str(),
            &r.post,
            r.direction.as_str(),
            &r.crossed_at.to_string(),
            &r.given_names,
            &r.surnames,
            &r.birth_date.map(|b| b.to_string()).unwrap_or_default(),
            &opt(r.nationality.as_ref()),
            r.sex.as_str(),
            &r.document_type,
            r.document_number.as_ref().map(|d| d.as_str()).unwrap_or(""),
            &opt(r.issuing_state.as_ref()),
            &r.group_id,
            &r.vehicle,
            &r.phone,
            &r.address,
            &r.destination,
        ])?;
    }
    wr.flush()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    const HEADER: &str = "crossing_id,post,direction,crossed_at,given_names,surnames,birth_date,nationality,sex,document_type,document_number,issuing_state,group_id,vehicle,phone,address,destination\n";

    fn read(s: &str) -> Result<Vec<CrossingRecord>, ParseError> {
        CrossingReader::new(s.as_bytes())?.collect()
    }

    #[test]
    fn reads_the_contract_format() {
        let csv = format!(
            "{HEADER}C1,GTM-TECUNUMAN,entry,2026-03-01T08:15:00-06:00,María José,Núñez de la Cruz,1992-03,MEX,F,P,G45821093,MEX,G7,P-123ABC,+5215512345678,\"Calle 5, zona 1\",Tapachula\n\
             C2,GTM-TECUNUMAN,exit,2026-03-02T08:15:00Z,,,,,,,,,,,,,\n\
             C1,GTM-TECUNUMAN,entry,2026-03-01T08:15:00-06:00,María José,Núñez de la Cruz,1992-03,MEX,F,P,G45821093,MEX,G7,P-123ABC,,,\n"
        );
        let mut r = CrossingReader::new(csv.as_bytes()).unwrap();
        let recs: Vec<CrossingRecord> = r.by_ref().collect::<Result<_, _>>().unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(r.repeated(), 1);
        assert_eq!(recs[0].crossed_at.to_string(), "2026-03-01T14:15:00Z");
        assert_eq!(recs[0].address, "Calle 5, zona 1");
        assert_eq!(recs[0].birth_date.unwrap().to_string(), "1992-03");
        assert_eq!(recs[1].direction, Direction::Exit);
        assert!(recs[1].document_number.is_none());
        let mut out = Vec::new();
        write_crossings(&mut out, &recs).unwrap();
        assert_eq!(read(std::str::from_utf8(&out).unwrap()).unwrap(), recs);
    }

    #[test]
    fn minimal_header_is_enough() {
        let recs = read("crossed_at,direction,post,crossing_id\n2026-03-01T08:15:00Z,entry,PA,1\n").unwrap();
        assert_eq!(recs[0].crossing_id, "1");
    }

    #[test]
    fn errors_name_line_and_field() {
        let e = read(&format!(
            "{HEADER}C1,PA,entry,2026-03-01T08:15:00Z,,,,,,,,,,,,,\nC2,PA,entrada,2026-03-01T08:15:00Z,,,,,,,,,,,,,\n"
        ))
        .unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (3, "direction"));
        let e = read(&format!("{HEADER}C1,PA,entry,2026-03-01,,,,,,,,,,,,,\n")).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "crossed_at"));
        let e = read(&format!("{HEADER}C1,PA,entry,2026-03-01T08:15:00Z,,,,,,,,,,,5555,,\n")).unwrap_err();
        assert_eq!(e.field, "phone");
        let e = read(&format!("{HEADER}C1,PA,entry,2026-03-01T08:15:00Z,,,1990-02-30,,,,,,,,,,\n")).unwrap_err();
        assert_eq!(e.field, "birth_date");
        let e = read(&format!("{HEADER},PA,entry,2026-03-01T08:15:00Z,,,,,,,,,,,,,\n")).unwrap_err();
        assert_eq!(e.field, "crossing_id");
        let e = read("crossing_id,post\n").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (1, "header"));
    }

    #[test]
    fn control_characters_formulas_and_huge_fields_are_refused_at_the_edge() {
        // A NUL in a name once stopped a post's synchronisation for ever.
        let e = read(&format!("{HEADER}C1,PA,entry,2026-03-01T08:15:00Z,Ana\0,,,,,,,,,,,,\n")).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "given_names"));
        assert!(e.message.contains("U+0000"), "{}", e.message);
        // A post is a code, never a spreadsheet formula.
        let e = read(&format!("{HEADER}C1,\"=HYPERLINK(\"\"http://x\"\")\",entry,2026-03-01T08:15:00Z,,,,,,,,,,,,,\n"))
            .unwrap_err();
        assert_eq!(e.field, "post");
        let big = "A".repeat(10 * 1024 * 1024);
        let e = read(&format!("{HEADER}C1,PA,entry,2026-03-01T08:15:00Z,,,,,,,,,,,,{big},\n")).unwrap_err();
        assert_eq!(e.field, "address");
        assert!(e.message.len() < 100, "the message must not echo the field");
    }

    fn arb_record() -> impl Strategy<Value = CrossingRecord> {
        (
            "[A-Za-z0-9-]{1,20}",
            "[A-Z]{3}-[A-Z]{2,10}",
            any::<bool>(),
            0i64..2_000_000_000,
            "[\\p{L} ,\"'-]{0,30}",
            "[\\p{L} ,\"'-]{0,30}",
            prop::option::of((1900u16..2030, 1u8..=12, 1u8..=28)),
            prop::option::of("[A-Z0-9]{1,12}"),
            "[a-z0-9 ]{0,20}",
        )
            .prop_map(|(id, post, entry, secs, given, sur, birth, number, free)| CrossingRecord {
                crossing_id: id,
                post,
                direction: if entry { Direction::Entry } else { Direction::Exit },
                crossed_at: Timestamp::from_unix_seconds(secs).unwrap(),
                given_names: given.trim().to_string(),
                surnames: sur.trim().to_string(),
                birth_date: birth.map(|(y, m, d)| BirthDate::full(y, m, d).unwrap()),
                nationality: CountryCode::parse_opt("GTM").unwrap(),
                sex: Sex::Female,
                document_type: "P".into(),
                document_number: number.map(|n| DocumentNumber::parse(&n).unwrap()),
                issuing_state: None,
                group_id: free.trim().to_string(),
                vehicle: String::new(),
                phone: "+50255551234".into(),
                address: free.trim().to_string(),
                destination: String::new(),
            })
    }

    proptest! {
        /// write → read gives the same records.
        #[test]
        fn round_trips(recs in prop::collection::vec(arb_record(), 0..20)) {
            let mut seen = HashSet::new();
            let recs: Vec<CrossingRecord> = recs.into_iter().filter(|r| seen.insert(r.crossing_id.clone())).collect();
            let mut out = Vec::new();
            write_crossings(&mut out, &recs).unwrap();
            prop_assert_eq!(CrossingReader::new(out.as_slice()).unwrap().collect::<Result<Vec<_>, _>>().unwrap(), recs);
        }

        /// Arbitrary bytes give records or errors, never a panic.
        #[test]
        fn never_panics(body in prop::collection::vec(any::<u8>(), 0..400)) {
            let mut input = HEADER.as_bytes().to_vec();
            input.extend(body);
            if let Ok(r) = CrossingReader::new(input.as_slice()) {
                for rec in r { let _ = rec; }
            }
        }
    }
}
