//! ICAO Doc 9303 machine-readable zones: read, verify, generate.
//!
//! * [`Zone::parse`] checks structure and characters (an unreadable block is
//!   a [`ParseError`] naming line and column) and borrows the input.
//! * [`Zone::verify`] computes every check digit and field rule without
//!   allocating; [`Zone::document`] (or [`parse`]) builds the owned,
//!   serialisable [`Document`] of the `centinela mrz` JSON contract.
//! * [`generate()`] writes a correct zone from [`Fields`].
//! * [`translit`] transliterates names into MRZ characters and back into the
//!   spellings a name matcher should consider.
//!
//! "Today" is always a parameter, so results are deterministic. std and
//! serde only; no I/O.

pub mod codes;
pub mod date;
pub mod generate;
pub mod translit;
mod zone;

pub use date::{Date, PartialDate};
pub use generate::{Fields, GenerateError, generate};
pub use zone::{
    Checks, Document, Format, ParseError, ParseErrorKind, Verification, Warning, Warnings, Zone, check_digit,
    check_digit_of, parse,
};

#[cfg(test)]
mod tests;
