//! Parsers of alert-list files — outside input — and the in-memory document
//! lookup index. No database and no I/O beyond the `Read` handed in: each
//! parser yields domain values or a [`ParseError`] naming the line and field.
//!
//! - [`CsvListReader`] / [`read_csv_list`]: `--format csv` alert lists.
//! - [`QueryReader`] / [`read_query_csv`]: screening queries files.
//! - [`DocumentsReader`] / [`read_documents`]: `--format documents`.

pub mod countries;
mod csvfmt;
mod error;

pub use csvfmt::{
    CsvListReader, DOCUMENTS_REQUIRED, DocumentsReader, LIST_OPTIONAL, LIST_REQUIRED, QUERY_REQUIRED, QueryReader,
    QueryRecord, read_csv_list, read_documents, read_query_csv, write_csv_list, write_documents,
};
pub use error::ParseError;
