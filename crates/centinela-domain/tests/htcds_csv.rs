//! The HTCDS CSV export is outside-facing: every line `csv_line` writes
//! reads back, through a standard CSV reader, as the same fields (bar the
//! formula guard's leading `'`).

use centinela_domain::htcds::csv_line;
use proptest::prelude::*;

fn unguarded(written: &str, original: &str) -> bool {
    written == original || written.strip_prefix('\'') == Some(original)
}

proptest! {
    #[test]
    fn lines_read_back(fields in prop::collection::vec(".{0,20}", 2..8)) {
        let line = csv_line(&fields);
        let mut r = csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes());
        let rec = r.records().next().expect("one record").expect("parses");
        prop_assert_eq!(rec.len(), fields.len());
        for (got, want) in rec.iter().zip(&fields) {
            prop_assert!(unguarded(got, want), "{:?} vs {:?}", got, want);
            prop_assert!(!got.starts_with(['=', '+', '@']) || got.parse::<f64>().is_ok(), "formula left: {:?}", got);
        }
    }
}
