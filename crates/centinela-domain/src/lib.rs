//! Domain value types shared by every Centinela crate.
//!
//! Parse, don't validate: each type is built by a `parse` that returns a
//! [`ValueError`]; once a value exists it is valid. This crate does no I/O.

mod alert;
pub mod audit;
mod crossing;
pub mod htcds;
mod role;
mod values;

pub use alert::{AlertEntry, DocumentRecord, DocumentStatus, ListKind};
pub use audit::{
    Anchor, AuditKey, AuditRecord, BreakReason, BrokenLink, ChainVerifier, KeyError, verify_chain, verify_sealed_chain,
};
pub use crossing::{CROSSING_COLUMNS, CrossingRecord, Direction, Timestamp, check_phone};
pub use role::Role;
pub use values::{BirthDate, CountryCode, DocumentNumber, Sex, ValueError};
