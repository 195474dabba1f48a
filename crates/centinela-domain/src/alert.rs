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

    /// How urgent a hit on a list of this kind is in the supervisors'
    /// queue: 3 (high) for wanted and missing persons — someone dangerous,
    /// or someone in danger, is at the booth now — 2 for reported
    /// documents, 1 for watch lists.
    pub fn severity(&self) -> u8 {
        match self {
            ListKind::Wanted | ListKind::Missing => 3,
            ListKind::Documents => 2,
            ListKind::Watch => 1,
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
    /// What the issuing authority says of the alert (reason, action,
    /// authority, date), shown to the officer on a hit.
    #[serde(default, skip_serializing_if = "Notice::is_empty")]
    pub notice: Notice,
}

/// What an alert says beyond who is listed, as the issuing authority words
/// it: why the person is listed ("Notificación roja: trata de personas"),
/// what an officer is asked to do, who issued it and when. Every part is
/// optional; lists that give none leave the list kind's default action.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Notice {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub action: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub authority: String,
    /// When the alert was issued (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<BirthDate>,
}

impl Notice {
    /// The longest reason, action or authority a list may give (characters).
    pub const MAX_TEXT: usize = 500;

    pub fn is_empty(&self) -> bool {
        self.reason.is_empty() && self.action.is_empty() && self.authority.is_empty() && self.issued.is_none()
    }
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
