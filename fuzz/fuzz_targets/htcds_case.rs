#![no_main]
//! HTCDS case records as the API receives them (JSON): any bytes, no
//! panic; a record `Case::parse` accepts parses again to itself, and every
//! CSV line of its export reads back with as many fields as its header.

use centinela_domain::htcds::{Case, CaseRecord, ExportCase, csv_line, export_rows};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = serde_json::from_slice::<CaseRecord>(data) else { return };
    let Ok(case) = Case::parse(record) else { return };
    assert_eq!(Case::parse(case.record().clone()).as_ref(), Ok(&case));
    let e = ExportCase { case_id: 1, version: 1, opened_at: "", updated_at: "", record: case.record() };
    for (_, header, rows) in export_rows(&[e]) {
        for row in rows {
            let line = csv_line(&row);
            let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
            let rec = r.records().next().expect("a record").expect("parses");
            assert_eq!(rec.len(), header.len());
        }
    }
});
