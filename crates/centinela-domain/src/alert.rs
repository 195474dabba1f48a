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

impl AlertEntry {
    /// A digest of everything the entry says (SHA-256, 64 hex digits): the
    /// same entry in another list version hashes the same; any change to a
    /// name, alias, date, nationality, sex, document or note changes it. A
    /// supervisor's clearance is bound to it (it lapses when the entry
    /// changes).
    pub fn content_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        // Each field length-prefixed, each list counted, so that no two
        // different entries feed the same bytes.
        let mut field = |s: &str| {
            h.update((s.len() as u64).to_le_bytes());
            h.update(s.as_bytes());
        };
        field(&self.id);
        field(&self.given_names);
        field(&self.surnames);
        field(&self.aliases.len().to_string());
        for a in &self.aliases {
            field(a);
        }
        field(&self.birth_dates.len().to_string());
        for d in &self.birth_dates {
            field(&d.to_string());
        }
        field(&self.nationalities.len().to_string());
        for c in &self.nationalities {
            field(c.as_str());
        }
        field(self.sex.as_str());
        field(&self.document_numbers.len().to_string());
        for n in &self.document_numbers {
            field(n.as_str());
        }
        field(&self.notes);
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
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

#[cfg(test)]
mod content_hash_tests {
    use super::*;

    #[test]
    fn content_hash_changes_with_any_field_and_only_then() {
        let e = AlertEntry {
            id: "E1".into(),
            given_names: "JOSE".into(),
            surnames: "HERNANDEZ".into(),
            aliases: vec!["PEPE HERNANDEZ".into()],
            ..AlertEntry::default()
        };
        let h = e.content_hash();
        assert_eq!(h.len(), 64);
        assert_eq!(h, e.clone().content_hash());
        let mut other = e.clone();
        other.notes = "x".into();
        assert_ne!(h, other.content_hash());
        let mut moved = e.clone();
        moved.given_names = "JOSEHERNANDEZ".into();
        moved.surnames = String::new();
        assert_ne!(h, moved.content_hash());
        let mut alias = e.clone();
        alias.aliases.clear();
        assert_ne!(h, alias.content_hash());
    }
}
