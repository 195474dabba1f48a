use std::fmt;

/// Why one line of an input file was rejected. It names the line (1-based,
/// as an editor counts them) and the field; the caller adds the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// 1-based line number where the record starts (0 when unknown).
    pub line: u64,
    /// The column or property at fault (`header`, `row`, `json` for errors
    /// that concern the whole line).
    pub field: String,
    pub message: String,
}

impl ParseError {
    /// The `field` of an error reading the input itself (not its content).
    pub const IO_FIELD: &'static str = "io";

    pub fn new(line: u64, field: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError { line, field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, field {}: {}", self.line, self.field, self.message)
    }
}
