//! One module per subcommand. Each turns its arguments into library calls and
//! prints results; none holds domain logic.

pub mod audit;
pub mod bench;
pub mod lists;
pub mod mrz;
pub mod screen;
pub mod users;

/// The input could not be read or is unusable as a whole: exit status 2.
/// (An input that was read but on which the command failed exits with 1.)
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreadable(pub String);
