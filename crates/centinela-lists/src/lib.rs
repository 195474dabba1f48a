//! Parsers of alert-list files — outside input — and the in-memory document
//! lookup index. No database and no I/O beyond the `Read` handed in: each
//! parser yields domain values or a [`ParseError`] naming the line and field.
//!
//! - [`CsvListReader`] / [`read_csv_list`]: `--format csv` alert lists.
//! - [`QueryReader`] / [`read_query_csv`]: screening queries files.
//! - [`FtmReader`] / [`read_ftm`]: `--format ftm` (FollowTheMoney JSON lines).
//! - [`DocumentsReader`] / [`read_documents`]: `--format documents`.
//! - [`CrossingReader`] / [`write_crossings`]: crossing records (`import crossings`).
//! - [`parse_notice_page`] / [`parse_notice`]: Interpol's public notices (JSON).
//! - [`read_un_list`]: the UN Security Council consolidated list (XML).
//! - [`DocumentIndex`]: stolen/lost document lookups, exact and through
//!   confusable characters.

pub mod countries;
pub mod country_names;
mod crossings;
mod csvfmt;
mod docindex;
mod error;
mod ftm;
mod interpol;
mod unsc;

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
pub use interpol::{
    MAX_PAGE_NOTICES, NoticeColour, NoticeLink, NoticePage, NoticeStats, interpol_date, parse_notice, parse_notice_page,
};
pub use unsc::{MAX_RANGE_YEARS, MAX_UN_BYTES, MAX_UN_INDIVIDUALS, UnStats, read_un_list};
