//! Statistics fit for publication: count tables that a regional coalition
//! may receive without learning about any one person.
//!
//! The storage layer hands over [`FactSet`]s — counts by a few attributes
//! (post, day, direction, nationality …), one set per measure (crossings,
//! hits, referrals; cases add theirs). [`publish`] then
//!
//! 1. coarsens categories ([`coarsen`]): days become weeks or months,
//!    nationalities outside the region become `other`, ages are bands;
//! 2. crosses them into the two-way tables of [`TABLES`], each with its
//!    row totals, column totals and grand total;
//! 3. optionally adds calibrated noise ([`Noise`]: two-sided geometric, a
//!    seed and an epsilon) for repeated releases;
//! 4. suppresses ([`suppress`]): every count below `k` (default
//!    [`DEFAULT_K`] = 11, as the Counter Trafficking Data Collaborative
//!    uses), then complementary cells until no suppressed cell can be
//!    recovered by solving the published rows, columns and totals of every
//!    table together — totals shared between tables (the same measure by
//!    the same attribute) are suppressed alike.
//!
//! No I/O: tables go out as values, CSV text and JSON.

pub mod coarsen;
mod noise;
mod release;
pub mod suppress;
mod table;

pub use coarsen::Period;
pub use noise::Noise;
pub use release::{FactSet, MAX_PERIODS, Options, Release, TABLES, TableSpec, publish};
pub use table::{CountTable, PublishedTable};

/// The smallest count published unless the caller says otherwise.
pub const DEFAULT_K: u64 = 11;

/// Why options are unusable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StatsError {
    #[error("k must be at least 1 (got {0})")]
    BadK(u64),
    #[error("epsilon must be a positive finite number (got {0})")]
    BadEpsilon(f64),
    #[error("unknown period '{0}': expected week or month")]
    BadPeriod(String),
    #[error("the release would span {periods} periods, at most {max} are published at once: shorten the dates")]
    TooManyPeriods { periods: u64, max: usize },
}
