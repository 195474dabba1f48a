//! The password policy: what a new password must be, for creating a user,
//! a user's own change and an administrator's reset alike.
//!
//! A password has at least [`MIN_PASSWORD_CHARS`] characters, at most
//! [`MAX_PASSWORD_BYTES`] bytes (the login looks at no more), and is hard
//! to guess as zxcvbn (Dropbox's estimator, with its dictionaries of
//! common passwords, words, names, keyboard patterns, sequences, repeats
//! and dates) measures it, told the username too: a score of at least
//! [`MIN_SCORE`] of 4 — about 10^10 guesses — and [`MIN_SCORE_PRIVILEGED`]
//! for the roles that can read or grant the most (admin, protection).
//!
//! A refusal ([`WeakPassword`]) says why with a stable code
//! ([`WeakPassword::code`], which the web interface translates) and an
//! English message; it never holds the password.

use centinela_domain::Role;
use zxcvbn::feedback::Warning;
use zxcvbn::matching::patterns::MatchPattern;

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest password accepted, in bytes: the login refuses longer ones.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// The least zxcvbn score (0–4) of a new password.
pub const MIN_SCORE: u8 = 3;
/// The least zxcvbn score of an administrator's or protection officer's
/// password: their accounts grant accounts, or read trafficking cases.
pub const MIN_SCORE_PRIVILEGED: u8 = 4;

/// Why a password was refused. Never holds the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the password is too short: {chars} characters, at least {min} needed")]
    TooShort { chars: usize, min: usize },
    #[error("the password is too long: at most {max} bytes")]
    TooLong { max: usize },
    #[error("the password has a control character (a line break, a tab …)")]
    ControlCharacter,
    #[error("the new password is the same as the current one")]
    Unchanged,
    #[error("the password is too easy to guess (strength {score} of 4, at least {min} needed): {}", .why.message())]
    Guessable { score: u8, min: u8, why: Weakness },
}

/// What makes a password easy to guess (zxcvbn's warning, or that it holds
/// the username).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    ContainsUsername,
    CommonPassword,
    SimilarToCommon,
    KeyboardPattern,
    Repeats,
    Sequence,
    Dates,
    SingleWord,
    Names,
    /// zxcvbn found no single pattern; it is just too few guesses.
    TooPredictable,
}

impl Weakness {
    /// A stable snake_case code (the web interface's catalogue key is
    /// `password.<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Weakness::ContainsUsername => "contains_username",
            Weakness::CommonPassword => "common_password",
            Weakness::SimilarToCommon => "similar_to_common",
            Weakness::KeyboardPattern => "keyboard_pattern",
            Weakness::Repeats => "repeats",
            Weakness::Sequence => "sequence",
            Weakness::Dates => "dates",
            Weakness::SingleWord => "single_word",
            Weakness::Names => "names",
            Weakness::TooPredictable => "too_predictable",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Weakness::ContainsUsername => "it contains the username",
            Weakness::CommonPassword => "it is a commonly used password",
            Weakness::SimilarToCommon => "it is similar to a commonly used password",
            Weakness::KeyboardPattern => "keyboard patterns are easy to guess",
            Weakness::Repeats => "repeated characters or words are easy to guess",
            Weakness::Sequence => "sequences like abc or 6543 are easy to guess",
            Weakness::Dates => "dates and years are easy to guess",
            Weakness::SingleWord => "a word by itself is easy to guess",
            Weakness::Names => "names and surnames are easy to guess",
            Weakness::TooPredictable => "use a few uncommon words, or more random characters",
        }
    }

    fn of(w: Warning) -> Weakness {
        match w {
            Warning::StraightRowsOfKeysAreEasyToGuess | Warning::ShortKeyboardPatternsAreEasyToGuess => {
                Weakness::KeyboardPattern
            }
            Warning::RepeatsLikeAaaAreEasyToGuess | Warning::RepeatsLikeAbcAbcAreOnlySlightlyHarderToGuess => {
                Weakness::Repeats
            }
            Warning::ThisIsATop10Password | Warning::ThisIsATop100Password | Warning::ThisIsACommonPassword => {
                Weakness::CommonPassword
            }
            Warning::ThisIsSimilarToACommonlyUsedPassword => Weakness::SimilarToCommon,
            Warning::SequencesLikeAbcAreEasyToGuess => Weakness::Sequence,
            Warning::RecentYearsAreEasyToGuess | Warning::DatesAreOftenEasyToGuess => Weakness::Dates,
            Warning::AWordByItselfIsEasyToGuess => Weakness::SingleWord,
            Warning::NamesAndSurnamesByThemselvesAreEasyToGuess | Warning::CommonNamesAndSurnamesAreEasyToGuess => {
                Weakness::Names
            }
        }
    }
}

impl WeakPassword {
    /// A stable snake_case code: `too_short`, `too_long`,
    /// `control_character`, or the [`Weakness`] code of a guessable one.
    pub fn code(&self) -> &'static str {
        match self {
            WeakPassword::TooShort { .. } => "too_short",
            WeakPassword::TooLong { .. } => "too_long",
            WeakPassword::ControlCharacter => "control_character",
            WeakPassword::Unchanged => "unchanged",
            WeakPassword::Guessable { why, .. } => why.code(),
        }
    }
}

/// The least score a password of a user with `role` needs.
pub fn min_score(role: Role) -> u8 {
    if matches!(role, Role::Admin | Role::Protection) { MIN_SCORE_PRIVILEGED } else { MIN_SCORE }
}

/// Checks a new password of the user `username` with `role` against the
/// policy (see the module's documentation).
pub fn check_new_password(password: &str, username: &str, role: Role) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(WeakPassword::TooShort { chars, min: MIN_PASSWORD_CHARS });
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(WeakPassword::TooLong { max: MAX_PASSWORD_BYTES });
    }
    if password.chars().any(char::is_control) {
        return Err(WeakPassword::ControlCharacter);
    }
    // The username and its parts (`ana.perez` → ana, perez).
    let mut inputs: Vec<&str> = vec![username];
    inputs.extend(username.split(['.', '_', '-', '@']).filter(|p| p.chars().count() >= 3 && *p != username));
    let entropy = zxcvbn::zxcvbn(password, &inputs);
    let score = u8::from(entropy.score());
    let min = min_score(role);
    if score >= min {
        return Ok(());
    }
    let lowered: Vec<String> = inputs.iter().map(|s| s.to_lowercase()).collect();
    let holds_username = entropy.sequence().iter().any(|m| match &m.pattern {
        MatchPattern::Dictionary(d) => lowered.contains(&d.matched_word),
        _ => false,
    });
    let why = if holds_username {
        Weakness::ContainsUsername
    } else {
        entropy.feedback().and_then(|f| f.warning()).map_or(Weakness::TooPredictable, Weakness::of)
    };
    Err(WeakPassword::Guessable { score, min, why })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_the_trivial_passwords_of_issue_16() {
        for (pw, code) in [
            ("aaaaaaaaaaaa", "repeats"),
            ("            ", "repeats"),
            ("123456789012", "sequence"),
            ("passwordpassword", "repeats"),
            ("qwertyuiopasdf", "similar_to_common"),
            ("ab1x", "too_short"),
            ("ana.perez.2024!", "contains_username"),
            ("two\nlines here too", "control_character"),
        ] {
            let err = check_new_password(pw, "ana.perez", Role::Admin).unwrap_err();
            assert_eq!(err.code(), code, "{pw:?}: {err}");
            assert!(!err.to_string().contains(pw.trim()) || pw.trim().is_empty(), "{err}");
        }
        assert_eq!(check_new_password(&"x".repeat(2000), "u", Role::Officer).unwrap_err().code(), "too_long");
    }

    #[test]
    fn accepts_passphrases_and_random_strings() {
        for pw in ["correct horse battery staple", "demo-hT4kqzW9pLm2", "lluvia tarde puente verde"] {
            check_new_password(pw, "ana.perez", Role::Admin).unwrap();
        }
    }

    #[test]
    fn privileged_roles_need_more() {
        // Score 3, not 4: enough for an officer, not for an administrator
        // or a protection officer.
        let pw = "Guatemala1987!";
        check_new_password(pw, "x", Role::Officer).unwrap();
        check_new_password(pw, "x", Role::Analyst).unwrap();
        for role in [Role::Admin, Role::Protection] {
            let err = check_new_password(pw, "x", role).unwrap_err();
            assert!(matches!(err, WeakPassword::Guessable { score: 3, min: 4, .. }), "{err:?}");
        }
        assert_eq!(min_score(Role::Admin), 4);
        assert_eq!(min_score(Role::Protection), 4);
        assert_eq!(min_score(Role::Officer), 3);
    }
}
