//! The one rule for text that comes from outside — API bodies, web forms,
//! imported files, records pushed by a post: no control characters (NUL
//! among them: PostgreSQL refuses it in text, and one such record once
//! stopped a post's synchronisation for ever), no bidirectional-override
//! characters (they make a name display as another), and a bounded length.
//! Checked where the text enters; stored text has passed it.

use std::fmt;

/// The longest one-line field accepted anywhere (names, addresses, codes),
/// in characters. Fields with a tighter bound of their own check it too.
pub const MAX_LINE_CHARS: usize = 1_000;

/// The longest free text accepted (reasons, notes), in characters.
pub const MAX_BLOCK_CHARS: usize = 20_000;

/// Why a text was refused. Never holds the text itself (it may be personal
/// data); the position is a character index, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextError {
    /// A control or bidirectional-override character at this position.
    Forbidden { position: usize, code_point: u32 },
    /// Longer than the bound.
    TooLong { chars: usize, max: usize },
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Forbidden { position, code_point } => {
                write!(f, "character {position} (U+{code_point:04X}) is a control character, not text")
            }
            TextError::TooLong { chars, max } => write!(f, "{chars} characters; at most {max}"),
        }
    }
}

impl std::error::Error for TextError {}

/// Whether `c` is never text: a C0/C1 control (NUL, ESC …, DEL) or a
/// bidirectional embedding, override or isolate.
fn forbidden(c: char, block: bool) -> bool {
    if block && matches!(c, '\n' | '\r' | '\t') {
        return false;
    }
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn check(s: &str, max: usize, block: bool) -> Result<(), TextError> {
    for (i, c) in s.chars().enumerate() {
        if forbidden(c, block) {
            return Err(TextError::Forbidden { position: i + 1, code_point: u32::from(c) });
        }
        if i + 1 > max {
            return Err(TextError::TooLong { chars: s.chars().count(), max });
        }
    }
    Ok(())
}

/// A one-line field: no control characters at all, at most `max`
/// characters ([`MAX_LINE_CHARS`] when in doubt).
pub fn check_line(s: &str, max: usize) -> Result<(), TextError> {
    check(s, max, false)
}

/// Free text: line breaks and tabs allowed, other controls not, at most
/// `max` characters ([`MAX_BLOCK_CHARS`] when in doubt).
pub fn check_block(s: &str, max: usize) -> Result<(), TextError> {
    check(s, max, true)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn names_pass_controls_do_not() {
        for ok in ["José Ñúñez de la Peña", "O'BRIEN-MÜLLER", "", "李小龍"] {
            assert_eq!(check_line(ok, MAX_LINE_CHARS), Ok(()), "{ok}");
        }
        assert_eq!(check_line("Ana\0", 100), Err(TextError::Forbidden { position: 4, code_point: 0 }));
        assert!(check_line("a\nb", 100).is_err());
        assert!(check_block("a\r\n\tb", 100).is_ok());
        assert!(check_block("a\u{1b}[31m", 100).is_err());
        assert!(check_line("\u{202E}ANA", 100).is_err());
        assert!(check_line("\u{85}", 100).is_err());
        assert_eq!(check_line("ñññ", 2), Err(TextError::TooLong { chars: 3, max: 2 }));
        assert!(!TextError::Forbidden { position: 1, code_point: 0 }.to_string().contains('\0'));
    }

    proptest! {
        #[test]
        fn a_refused_text_holds_a_control_or_is_too_long(s in "\\PC{0,40}|[\\x00-\\x1f]{1,3}", max in 0usize..50) {
            match check_line(&s, max) {
                Ok(()) => prop_assert!(s.chars().count() <= max && !s.chars().any(|c| c.is_control())),
                Err(TextError::TooLong { chars, .. }) => prop_assert!(chars > max),
                Err(TextError::Forbidden { position, code_point }) => {
                    prop_assert_eq!(s.chars().nth(position - 1).map(u32::from), Some(code_point));
                }
            }
        }
    }
}
