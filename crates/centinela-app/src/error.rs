//! The one error of the use cases. The server maps each variant to an API
//! error code; the CLI prints it.

use centinela_store::StoreError;

/// Why a use case did not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field of the request is not accepted; the message names it
    /// (`field: why`) and never repeats a personal value.
    #[error("{0}")]
    Invalid(String),
    /// A value outside one of the standard's lists (an HTCDS picklist); the
    /// message names the field.
    #[error("{0}")]
    InvalidPicklist(String),
    /// A rule text that does not parse or type-check: the first error as
    /// `LINE:COLUMN: message (hint)`.
    #[error("{0}")]
    InvalidRule(String),
    /// No such record (or none this user may know of).
    #[error("{0}")]
    NotFound(String),
    /// The user may not do this, or the record belongs to another post.
    #[error("{0}")]
    Forbidden(String),
    /// Admitting a traveller with an open hit or a risk indicator needs the
    /// officer's confirmation and a reason.
    #[error("{0}")]
    ConfirmationRequired(String),
    /// Long work is already running and queued: try again shortly.
    #[error("the server is busy with other long work; try again shortly")]
    Busy,
    /// What the store said.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A fault of the system (a task that panicked, an answer that cannot
    /// be serialised): logged by whoever shows it, never shown in detail.
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    pub(crate) fn internal(e: impl std::fmt::Display) -> AppError {
        AppError::Internal(e.to_string())
    }
}
