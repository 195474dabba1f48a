use serde::{Deserialize, Serialize};

use crate::{BirthDate, CountryCode, DocumentNumber, Sex, ValueError};

/// What an alert list is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListKind {
    /// Wanted persons (red notices, national warrants).
    Wanted,
    /// Missing persons and possible victims (yellow notices).
    Missing,
    /// Stolen, lost and revoked travel documents.
    Documents,
    /// National watch lists.
    Watch,
}

impl ListKind {
    pub const ALL: [ListKind; 4] = [ListKind::Wanted, ListKind::Missing, ListKind::Documents, ListKind::Watch];

    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wanted" => Ok(ListKind::Wanted),
            "missing" => Ok(ListKind::Missing),
            "documents" => Ok(ListKind::Documents),
            "watch" => Ok(ListKind::Watch),
            _ => Err(ValueError::Choice { expected: "wanted, missing, documents, watch" }),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            ListKind::Wanted => "wanted",
            ListKind::Missing => "missing",
            ListKind::Documents => "documents",
            ListKind::Watch => "watch",
        }
    }

    /// The action an officer is asked to take on a confirmed hit, unless the
    /// list says otherwise. It is advice: a person adjudicates every hit.
    pub fn default_action(&self) -> &'static str {
        match self {
            ListKind::Wanted => "secondary_inspection_notify_police",
            ListKind::Missing => "refer_to_protection",
            ListKind::Documents => "retain_document_secondary_inspection",
            ListKind::Watch => "secondary_inspection",
        }
    }
}

/// One person on an alert list.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AlertEntry {
    /// The id the list's source gives the entry (unique within a list).
    pub id: String,
    pub given_names: String,
    pub surnames: String,
    /// Other full names the person is known by.
    pub aliases: Vec<String>,
    pub birth_dates: Vec<BirthDate>,
    pub nationalities: Vec<CountryCode>,
    pub sex: Sex,
    pub document_numbers: Vec<DocumentNumber>,
    pub notes: String,
}

/// Status of a reported travel document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Stolen,
    Lost,
    StolenBlank,
    Revoked,
}

impl DocumentStatus {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "stolen" => Ok(DocumentStatus::Stolen),
            "lost" => Ok(DocumentStatus::Lost),
            "stolen_blank" => Ok(DocumentStatus::StolenBlank),
            "revoked" => Ok(DocumentStatus::Revoked),
            _ => Err(ValueError::Choice { expected: "stolen, lost, stolen_blank, revoked" }),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            DocumentStatus::Stolen => "stolen",
            DocumentStatus::Lost => "lost",
            DocumentStatus::StolenBlank => "stolen_blank",
            DocumentStatus::Revoked => "revoked",
        }
    }
}

/// One reported document on a `documents` list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub document_number: DocumentNumber,
    pub issuing_state: Option<CountryCode>,
    /// Free text as the source gives it (`P`, `ID`, `passport` …).
    pub document_type: String,
    pub status: DocumentStatus,
    /// When it was reported (ISO date or RFC 3339 as given; empty if unknown).
    pub reported_at: String,
}

/// What a hit matched: a listed person (name screening) or a reported
/// document (stolen/lost lookup).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HitKind {
    Person,
    Document,
}

impl HitKind {
    /// `person` or `document`.
    pub fn parse(s: &str) -> Option<HitKind> {
        match s {
            "person" => Some(HitKind::Person),
            "document" => Some(HitKind::Document),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            HitKind::Person => "person",
            HitKind::Document => "document",
        }
    }
}
