//! ICAO Doc 9303 machine-readable zones: parse, verify, generate.
//! std and serde only; no I/O.

pub mod translit;
