//! Name screening for border alert lists, built for Latin American names.
//!
//! - [`normalize`]: Unicode folding, ICAO transliteration artefacts (`NXX`),
//!   OCR digit confusions, punctuation, particles (de, del, de la …).
//! - [`phonetic`]: a Spanish phonetic code (b/v, s/z/c, ll/y, h, j/g, qu/k, x).
//! - [`similarity`]: token similarity weighted by the kind of confusion.
//! - [`dates`]: birth-date evidence for exact, partial and mistyped dates.
//! - [`Screener`]: the in-memory index and the calibrated scorer, with an
//!   [`Explanation`] for every hit.
//!
//! ```
//! use centinela_domain::{AlertEntry, BirthDate};
//! use centinela_names::{Query, ScreenOptions, Screener};
//!
//! let entry = AlertEntry {
//!     id: "L1".into(),
//!     given_names: "José Luis".into(),
//!     surnames: "Hernández Villalobos".into(),
//!     birth_dates: vec![BirthDate::parse("1980-05-17").unwrap()],
//!     ..Default::default()
//! };
//! let screener = Screener::build(vec![entry]);
//! let mut q = Query::new("JOSE", "ERNANDES BILLALOBOS");
//! q.birth_date = Some(BirthDate::parse("1980-05-17").unwrap());
//! let hits = screener.screen(&q, &ScreenOptions::default());
//! assert_eq!(hits.len(), 1);
//! println!("{:.3} {}", hits[0].score, hits[0].explanation);
//! ```
//!
//! The crate does no I/O.

pub mod dates;
mod explain;
mod model;
pub mod normalize;
pub mod phonetic;
mod screener;
pub mod similarity;

pub use explain::{Aspect, Evidence, Explanation};
pub use model::{FEATURES, Features, NAME_CAP, NF, WEIGHTS};
pub use screener::{BIAS, DEFAULT_THRESHOLD, Hit, Query, ScreenOptions, Screener, sigmoid};
