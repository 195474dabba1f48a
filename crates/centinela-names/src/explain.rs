//! Explanations an officer can read: which parts of the record matched, how,
//! and how much each contributed to the score.

use std::fmt;

/// The part of a record a piece of evidence is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aspect {
    GivenName,
    Surname,
    /// A name token matched across fields (given name ↔ surname) or from an alias.
    Name,
    BirthDate,
    Nationality,
    Sex,
    DocumentNumber,
    /// The base rate: how likely any one list entry is to be the traveller
    /// before looking at the evidence, and the saturation of name evidence.
    Prior,
}

impl Aspect {
    pub fn as_str(&self) -> &'static str {
        match self {
            Aspect::GivenName => "given name",
            Aspect::Surname => "surname",
            Aspect::Name => "name",
            Aspect::BirthDate => "birth date",
            Aspect::Nationality => "nationality",
            Aspect::Sex => "sex",
            Aspect::DocumentNumber => "document number",
            Aspect::Prior => "prior",
        }
    }
}

/// One piece of evidence: a contribution to the score's log-odds (nats;
/// positive for "same person").
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub aspect: Aspect,
    /// What was compared and how it agreed, e.g. `GONSALEZ ~ GONZÁLEZ (sounds alike)`.
    pub how: String,
    pub contribution: f64,
}

/// Why a hit scored what it did. The contributions add up to the log-odds
/// whose logistic is the score.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Explanation {
    pub items: Vec<Evidence>,
}

impl Explanation {
    /// Sum of the contributions (the log-odds of the score).
    pub fn log_odds(&self) -> f64 {
        self.items.iter().map(|e| e.contribution).sum()
    }

    pub(crate) fn push(&mut self, aspect: Aspect, how: String, contribution: f64) {
        self.items.push(Evidence { aspect, how, contribution });
    }
}

impl fmt::Display for Explanation {
    /// One line: `surname GARCIA = GARCIA (exact) +3.5; birth date: same date +9.0; …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for e in self.items.iter().filter(|e| e.aspect != Aspect::Prior) {
            if !first {
                f.write_str("; ")?;
            }
            first = false;
            write!(f, "{}: {} {:+.1}", e.aspect.as_str(), e.how, e.contribution)?;
        }
        Ok(())
    }
}
