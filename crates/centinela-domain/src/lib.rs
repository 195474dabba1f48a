//! Domain value types shared by every Centinela crate.
//!
//! Parse, don't validate: each type is built by a `parse` that returns a
//! [`ValueError`]; once a value exists it is valid. This crate does no I/O.

mod alert;
pub mod audit;
pub mod countries;
mod crossing;
pub mod csv;
pub mod htcds;
pub mod lookout;
mod role;
pub mod text;
mod values;
mod zone;

pub use alert::{AlertEntry, DocumentRecord, DocumentStatus, HitKind, ListKind, Notice};
pub use audit::{
    Anchor, AuditKey, AuditRecord, BreakReason, BrokenLink, ChainVerifier, KeyError, verify_chain, verify_sealed_chain,
};
pub use crossing::{CROSSING_COLUMNS, CrossingRecord, Direction, Timestamp, check_phone, check_post_code};
pub use lookout::{
    LookoutAction, LookoutDraft, LookoutError, LookoutInput, LookoutScope, LookoutSubject, Plate, phone_key, plate_key,
};
pub use role::Role;
pub use text::{TextError, check_block, check_line};
pub use values::{BirthDate, CountryCode, DocumentNumber, Sex, ValueError};
pub use zone::{country_time_zone, is_zone_name};
