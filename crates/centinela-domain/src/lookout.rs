//! Lookouts (issue 21, part 3): an urgent, targeted alert a supervisor or
//! an analyst issues for a few hours or days — "stop this person, this
//! document, this car, this phone" — that every post in its scope screens
//! against from the moment it is in force until it expires by itself or is
//! cancelled.
//!
//! [`LookoutInput::parse`] turns what a form, the API or the command line
//! gave into a [`LookoutDraft`] with limits on every field; an error names
//! the field, never its value. Plates and phones carry their own matching
//! keys ([`Plate::key`], [`phone_key`]) so that the booth's free-typed plate
//! `p-123 abc` meets the lookout's `P123ABC`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::{BirthDate, CountryCode, DocumentNumber, Timestamp, ValueError, check_line, check_post_code};

/// The longest reason.
pub const MAX_REASON: usize = 500;
/// The longest name field.
pub const MAX_NAME: usize = 120;
/// The most posts a lookout may name, and the most people to notify.
pub const MAX_POSTS: usize = 50;
pub const MAX_NOTIFY: usize = 10;
/// The longest validity window: a lookout is urgent and short; what must
/// last longer belongs on a list.
pub const MAX_VALIDITY_HOURS: i64 = 90 * 24;

/// A vehicle's registration plate as typed, with its matching key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Plate(String);

impl Plate {
    /// Letters, digits, spaces, dashes and dots; 2 to 15 letters and digits.
    /// Kept upper-cased with runs of spaces made one.
    pub fn parse(s: &str) -> Result<Plate, ValueError> {
        let s = s.trim();
        if s.chars().count() > 24 || !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.')) {
            return Err(ValueError::Plate);
        }
        let significant = s.chars().filter(char::is_ascii_alphanumeric).count();
        if !(2..=15).contains(&significant) {
            return Err(ValueError::Plate);
        }
        Ok(Plate(s.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The plate as a lookup key: case, spaces, dashes and dots ignored, O
    /// and 0, I and 1 folded (the characters plates and people confuse).
    pub fn key(&self) -> String {
        plate_key(&self.0)
    }
}

/// [`Plate::key`] of any text, e.g. the free-typed vehicle field of a
/// party (empty when it holds no letter or digit).
pub fn plate_key(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' => '1',
            c => c,
        })
        .collect()
}

impl TryFrom<String> for Plate {
    type Error = ValueError;
    fn try_from(s: String) -> Result<Self, ValueError> {
        Plate::parse(&s)
    }
}

impl From<Plate> for String {
    fn from(p: Plate) -> String {
        p.0
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A telephone number as a lookup key: `+` and digits, everything else
/// (spaces, dashes, dots, brackets) dropped; `None` when what remains is
/// not E.164.
pub fn phone_key(s: &str) -> Option<String> {
    let s = s.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let key = format!("+{digits}");
    (s.starts_with('+') && crate::check_phone(&key).is_ok()).then_some(key)
}

/// Who or what a lookout is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum LookoutSubject {
    Person {
        given_names: String,
        surnames: String,
        #[serde(default)]
        birth_date: Option<BirthDate>,
        #[serde(default)]
        nationality: Option<CountryCode>,
    },
    Document {
        number: DocumentNumber,
        #[serde(default)]
        issuing_state: Option<CountryCode>,
    },
    Vehicle {
        plate: Plate,
        #[serde(default)]
        country: Option<CountryCode>,
    },
    Phone {
        number: String,
    },
}

impl LookoutSubject {
    /// `person`, `document`, `vehicle` or `phone`.
    pub fn kind(&self) -> &'static str {
        match self {
            LookoutSubject::Person { .. } => "person",
            LookoutSubject::Document { .. } => "document",
            LookoutSubject::Vehicle { .. } => "vehicle",
            LookoutSubject::Phone { .. } => "phone",
        }
    }

    /// What the booth shows: the names and birth date, the document, the
    /// plate or the phone.
    pub fn describe(&self) -> String {
        match self {
            LookoutSubject::Person { given_names, surnames, birth_date, nationality } => {
                let mut s = format!("{given_names} {surnames}").trim().to_string();
                if let Some(b) = birth_date {
                    s.push_str(&format!(" ({b})"));
                }
                if let Some(n) = nationality {
                    s.push_str(&format!(" {}", n.as_str()));
                }
                s
            }
            LookoutSubject::Document { number, issuing_state } => match issuing_state {
                Some(st) => format!("{number} {}", st.as_str()),
                None => number.to_string(),
            },
            LookoutSubject::Vehicle { plate, country } => match country {
                Some(c) => format!("{plate} {}", c.as_str()),
                None => plate.to_string(),
            },
            LookoutSubject::Phone { number } => number.clone(),
        }
    }
}

/// What the officer is asked to do on a hit. Advice: a person decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LookoutAction {
    SecondaryInspection,
    ReferToProtection,
    Notify,
    /// Detain as national law provides (the officer applies the law; the
    /// system only suggests a secondary inspection).
    DetainPerLaw,
}

impl LookoutAction {
    pub const ALL: [LookoutAction; 4] = [
        LookoutAction::SecondaryInspection,
        LookoutAction::ReferToProtection,
        LookoutAction::Notify,
        LookoutAction::DetainPerLaw,
    ];

    pub fn parse(s: &str) -> Result<LookoutAction, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "secondary_inspection" => Ok(LookoutAction::SecondaryInspection),
            "refer_to_protection" => Ok(LookoutAction::ReferToProtection),
            "notify" => Ok(LookoutAction::Notify),
            "detain_per_law" => Ok(LookoutAction::DetainPerLaw),
            _ => Err(ValueError::Choice {
                expected: "secondary_inspection, refer_to_protection, notify, detain_per_law",
            }),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            LookoutAction::SecondaryInspection => "secondary_inspection",
            LookoutAction::ReferToProtection => "refer_to_protection",
            LookoutAction::Notify => "notify",
            LookoutAction::DetainPerLaw => "detain_per_law",
        }
    }
}

/// Where a lookout is in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", rename_all = "lowercase")]
pub enum LookoutScope {
    /// Every post.
    All,
    /// The posts of one country.
    Country { country: CountryCode },
    /// These posts (codes).
    Posts { posts: Vec<String> },
}

impl LookoutScope {
    /// Whether a post (its code and country) is in scope.
    pub fn covers(&self, post: &str, country: Option<CountryCode>) -> bool {
        match self {
            LookoutScope::All => true,
            LookoutScope::Country { country: c } => country == Some(*c),
            LookoutScope::Posts { posts } => posts.iter().any(|p| p == post),
        }
    }
}

/// A lookout as issued, before it has an id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LookoutDraft {
    pub subject: LookoutSubject,
    pub reason: String,
    pub action: LookoutAction,
    pub valid_from: Timestamp,
    pub valid_until: Timestamp,
    pub scope: LookoutScope,
    /// User names told of each hit besides the issuer.
    pub notify: Vec<String>,
}

/// A lookout's fields as text, from a form, JSON or the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LookoutInput {
    /// `person`, `document`, `vehicle` or `phone`.
    pub kind: String,
    #[serde(default)]
    pub given_names: Option<String>,
    #[serde(default)]
    pub surnames: Option<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub nationality: Option<String>,
    #[serde(default)]
    pub document_number: Option<String>,
    #[serde(default)]
    pub issuing_state: Option<String>,
    #[serde(default)]
    pub plate: Option<String>,
    /// The plate's country.
    #[serde(default)]
    pub country: Option<String>,
    /// E.164.
    #[serde(default)]
    pub phone: Option<String>,
    pub reason: String,
    /// `secondary_inspection`, `refer_to_protection`, `notify` or
    /// `detain_per_law`.
    pub action: String,
    /// RFC 3339; now when absent.
    #[serde(default)]
    pub valid_from: Option<String>,
    /// RFC 3339, or hours from `valid_from` in `valid_hours`.
    #[serde(default)]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub valid_hours: Option<i64>,
    /// Post codes; empty with no `scope_country` means every post.
    #[serde(default)]
    pub scope_posts: Vec<String>,
    #[serde(default)]
    pub scope_country: Option<String>,
    #[serde(default)]
    pub notify: Vec<String>,
}

/// Why a lookout cannot be issued: the field and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct LookoutError {
    pub field: &'static str,
    pub message: String,
}

fn bad(field: &'static str, e: impl fmt::Display) -> LookoutError {
    LookoutError { field, message: e.to_string() }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn country(field: &'static str, v: &Option<String>) -> Result<Option<CountryCode>, LookoutError> {
    given(v).map(|s| CountryCode::parse(s).map_err(|e| bad(field, e))).transpose()
}

fn name(field: &'static str, v: &Option<String>) -> Result<String, LookoutError> {
    let s = given(v).unwrap_or("");
    check_line(s, MAX_NAME).map_err(|e| bad(field, e))?;
    Ok(s.split_whitespace().collect::<Vec<_>>().join(" "))
}

impl LookoutInput {
    /// The lookout this input describes, issued at `now`.
    pub fn parse(&self, now: Timestamp) -> Result<LookoutDraft, LookoutError> {
        let subject = match self.kind.trim().to_ascii_lowercase().as_str() {
            "person" => {
                let given_names = name("given_names", &self.given_names)?;
                let surnames = name("surnames", &self.surnames)?;
                if surnames.is_empty() {
                    return Err(bad("surnames", "a person lookout needs at least a surname"));
                }
                let birth_date = given(&self.birth_date)
                    .map(|s| BirthDate::parse(s).map_err(|e| bad("birth_date", e)))
                    .transpose()?;
                LookoutSubject::Person {
                    given_names,
                    surnames,
                    birth_date,
                    nationality: country("nationality", &self.nationality)?,
                }
            }
            "document" => {
                let n = given(&self.document_number).ok_or_else(|| bad("document_number", "required"))?;
                LookoutSubject::Document {
                    number: DocumentNumber::parse(n).map_err(|e| bad("document_number", e))?,
                    issuing_state: country("issuing_state", &self.issuing_state)?,
                }
            }
            "vehicle" => {
                let p = given(&self.plate).ok_or_else(|| bad("plate", "required"))?;
                LookoutSubject::Vehicle {
                    plate: Plate::parse(p).map_err(|e| bad("plate", e))?,
                    country: country("country", &self.country)?,
                }
            }
            "phone" => {
                let p = given(&self.phone).ok_or_else(|| bad("phone", "required"))?;
                if p.chars().count() > 32 {
                    return Err(bad("phone", ValueError::Phone));
                }
                LookoutSubject::Phone { number: phone_key(p).ok_or_else(|| bad("phone", ValueError::Phone))? }
            }
            _ => return Err(bad("kind", ValueError::Choice { expected: "person, document, vehicle, phone" })),
        };
        let reason = self.reason.trim().to_string();
        if reason.is_empty() {
            return Err(bad("reason", "required"));
        }
        check_line(&reason, MAX_REASON).map_err(|e| bad("reason", e))?;
        let action = LookoutAction::parse(&self.action).map_err(|e| bad("action", e))?;
        let valid_from = match given(&self.valid_from) {
            Some(s) => Timestamp::parse(s).map_err(|e| bad("valid_from", e))?,
            None => now,
        };
        let valid_until = match (given(&self.valid_until), self.valid_hours) {
            (Some(_), Some(_)) => return Err(bad("valid_until", "give valid_until or valid_hours, not both")),
            (Some(s), None) => Timestamp::parse(s).map_err(|e| bad("valid_until", e))?,
            (None, Some(h)) if (1..=MAX_VALIDITY_HOURS).contains(&h) => {
                Timestamp::from_unix_seconds(valid_from.unix_seconds() + h * 3600).map_err(|e| bad("valid_hours", e))?
            }
            (None, Some(_)) => {
                return Err(bad("valid_hours", format!("from 1 to {MAX_VALIDITY_HOURS} hours")));
            }
            (None, None) => return Err(bad("valid_until", "required (or valid_hours)")),
        };
        check_window(valid_from, valid_until, now)?;
        let scope = match (given(&self.scope_country), self.scope_posts.is_empty()) {
            (Some(_), false) => return Err(bad("scope_posts", "give posts or a country, not both")),
            (Some(_), true) => {
                LookoutScope::Country { country: country("scope_country", &self.scope_country)?.unwrap() }
            }
            (None, false) => {
                if self.scope_posts.len() > MAX_POSTS {
                    return Err(bad("scope_posts", format!("at most {MAX_POSTS} posts")));
                }
                let mut posts = Vec::with_capacity(self.scope_posts.len());
                for p in &self.scope_posts {
                    let p = p.trim();
                    check_post_code(p).map_err(|e| bad("scope_posts", e))?;
                    if !posts.iter().any(|q: &String| q == p) {
                        posts.push(p.to_string());
                    }
                }
                LookoutScope::Posts { posts }
            }
            (None, true) => LookoutScope::All,
        };
        let notify = parse_notify(&self.notify)?;
        Ok(LookoutDraft { subject, reason, action, valid_from, valid_until, scope, notify })
    }
}

/// The user names told of a lookout's hits: at most [`MAX_NOTIFY`], each
/// letters, digits and `. _ - @` (at most 64).
pub fn parse_notify(names: &[String]) -> Result<Vec<String>, LookoutError> {
    if names.len() > MAX_NOTIFY {
        return Err(bad("notify", format!("at most {MAX_NOTIFY} people")));
    }
    let mut notify = Vec::with_capacity(names.len());
    for u in names {
        let u = u.trim();
        if u.is_empty() || u.len() > 64 || !u.chars().all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c)) {
            return Err(bad("notify", "user names: letters, digits and . _ - @, at most 64"));
        }
        if !notify.iter().any(|n: &String| n == u) {
            notify.push(u.to_string());
        }
    }
    Ok(notify)
}

/// A validity window ends after it starts and after `now`, and lasts at
/// most [`MAX_VALIDITY_HOURS`].
pub fn check_window(from: Timestamp, until: Timestamp, now: Timestamp) -> Result<(), LookoutError> {
    if until <= from {
        return Err(bad("valid_until", "must be after valid_from"));
    }
    if until <= now {
        return Err(bad("valid_until", "must be in the future"));
    }
    if until.unix_seconds() - from.unix_seconds() > MAX_VALIDITY_HOURS * 3600 {
        return Err(bad("valid_until", format!("at most {MAX_VALIDITY_HOURS} hours after valid_from")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp::parse("2026-03-01T09:00:00Z").unwrap()
    }

    fn input(kind: &str) -> LookoutInput {
        LookoutInput {
            kind: kind.into(),
            reason: "Menor desaparecida".into(),
            action: "refer_to_protection".into(),
            valid_hours: Some(24),
            ..LookoutInput::default()
        }
    }

    #[test]
    fn plates_fold_case_separators_and_confusables() {
        let a = Plate::parse("p-123 abc").unwrap();
        assert_eq!(a.as_str(), "P-123 ABC");
        assert_eq!(a.key(), "P123ABC");
        assert_eq!(Plate::parse("PO1-23I").unwrap().key(), plate_key("p0 1.231"));
        assert_ne!(plate_key("P123ABC"), plate_key("P123ABD"));
        assert!(Plate::parse("A").is_err());
        assert!(Plate::parse("P/123").is_err());
        assert!(Plate::parse(&"A".repeat(16)).is_err());
    }

    #[test]
    fn phones_keep_plus_and_digits() {
        assert_eq!(phone_key("+502 5555-1234").as_deref(), Some("+50255551234"));
        assert_eq!(phone_key("(502) 5555 1234"), None);
        assert_eq!(phone_key("+12"), None);
    }

    #[test]
    fn each_subject_parses_and_errors_name_the_field_not_the_value() {
        let mut p = input("person");
        p.given_names = Some("Ana  María".into());
        p.surnames = Some("López".into());
        p.birth_date = Some("2012-04-03".into());
        let d = p.parse(now()).unwrap();
        assert_eq!(d.subject.kind(), "person");
        assert_eq!(d.valid_until.unix_seconds() - d.valid_from.unix_seconds(), 24 * 3600);
        assert_eq!(d.scope, LookoutScope::All);

        let mut v = input("vehicle");
        v.plate = Some("p 123-abc".into());
        v.scope_posts = vec!["GTM-TECUNUMAN".into(), "GTM-TECUNUMAN".into()];
        let d = v.parse(now()).unwrap();
        assert_eq!(d.scope, LookoutScope::Posts { posts: vec!["GTM-TECUNUMAN".into()] });

        let mut doc = input("document");
        doc.document_number = Some("X<secret>".into());
        let e = doc.parse(now()).unwrap_err();
        assert_eq!(e.field, "document_number");
        assert!(!e.to_string().contains("secret"));

        let mut ph = input("phone");
        ph.phone = Some("+502 5555 1234".into());
        assert_eq!(ph.parse(now()).unwrap().subject, LookoutSubject::Phone { number: "+50255551234".into() });
    }

    #[test]
    fn windows_are_bounded() {
        let mut v = input("vehicle");
        v.plate = Some("P123ABC".into());
        v.valid_hours = Some(MAX_VALIDITY_HOURS + 1);
        assert_eq!(v.parse(now()).unwrap_err().field, "valid_hours");
        v.valid_hours = None;
        v.valid_until = Some("2026-02-28T00:00:00Z".into());
        assert_eq!(v.parse(now()).unwrap_err().field, "valid_until");
        v.valid_until = None;
        assert_eq!(v.parse(now()).unwrap_err().field, "valid_until");
        v.valid_hours = Some(2);
        v.reason = "a\u{202E}b".into();
        assert_eq!(v.parse(now()).unwrap_err().field, "reason");
    }

    #[test]
    fn scope_covers() {
        let gtm = CountryCode::parse("GTM").unwrap();
        assert!(LookoutScope::All.covers("X1", None));
        assert!(LookoutScope::Country { country: gtm }.covers("X1", Some(gtm)));
        assert!(!LookoutScope::Country { country: gtm }.covers("X1", None));
        assert!(LookoutScope::Posts { posts: vec!["X1".into()] }.covers("X1", None));
        assert!(!LookoutScope::Posts { posts: vec!["X1".into()] }.covers("X2", None));
    }
}
