//! Parsers of alert-list files — outside input — and the in-memory document
//! lookup index. No database and no I/O beyond the `Read` handed in: each
//! parser yields domain values or a [`ParseError`] naming the line and field.
//!
//! - [`CsvListReader`] / [`read_csv_list`]: `--format csv` alert lists.
//! - [`QueryReader`] / [`read_query_csv`]: screening queries files.
//! - [`FtmReader`] / [`read_ftm`]: `--format ftm` (FollowTheMoney JSON lines).
//! - [`DocumentsReader`] / [`read_documents`]: `--format documents`.
//! - [`CrossingReader`] / [`write_crossings`]: crossing records (`import crossings`).
//! - [`DocumentIndex`]: stolen/lost document lookups, exact and through
//!   confusable characters.

pub mod countries;
mod crossings;
mod csvfmt;
mod docindex;
mod error;
mod ftm;

pub use crossings::{CROSSING_COLUMNS, CROSSING_REQUIRED, CrossingReader, write_crossings};
pub use csvfmt::{
    CsvListReader, DOCUMENTS_REQUIRED, Dates, DocumentsReader, LIST_OPTIONAL, LIST_REQUIRED, QUERY_REQUIRED,
    QueryReader, QueryRecord, read_csv_list, read_documents, read_query_csv, write_csv_list, write_documents,
};
pub use docindex::{DocumentHit, DocumentIndex, DocumentIndexBuilder, DocumentLookup};
pub use error::ParseError;
pub use ftm::{
    DeltaCounts, FtmChange, FtmReader, FtmStats, apply_delta, apply_delta_counted, is_honorific, person_to_ftm,
    read_ftm, read_ftm_delta, split_name,
};
