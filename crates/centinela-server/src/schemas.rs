//! The names the API accepts for the domain's enumerations, as the document
//! shows them (an `enum` of strings, so that a client — or a generator of
//! test calls — knows the values; a plain string would be refused nearly
//! always). Only the document uses these types; the handlers parse the
//! domain's own, and a test checks that both accept the same names.

use utoipa::ToSchema;

/// A role.
#[derive(serde::Serialize, ToSchema)]
#[schema(example = "officer")]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum RoleName {
    Officer,
    Supervisor,
    Analyst,
    Protection,
    Admin,
    Auditor,
}

/// A decision at the booth.
#[derive(serde::Serialize, ToSchema)]
#[schema(example = "secondary_inspection")]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum DecisionName {
    Admit,
    SecondaryInspection,
    ReferToProtection,
    Refuse,
}

/// A supervisor's verdict on a hit.
#[derive(serde::Serialize, ToSchema)]
#[schema(example = "dismissed")]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum VerdictName {
    Confirmed,
    Dismissed,
}

/// An analyst's correction of the identity resolution.
#[derive(serde::Serialize, ToSchema)]
#[schema(example = "merge")]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
pub enum OverrideKindName {
    Merge,
    Split,
}
