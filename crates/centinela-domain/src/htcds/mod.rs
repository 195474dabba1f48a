//! Trafficking case records aligned with IOM's Human Trafficking Case Data
//! Standard 2.0 (HTCDS; field names and value lists CC BY 4.0, IOM).
//!
//! [`CaseRecord`] is the record as sent and stored (JSON keys are the HTCDS
//! field names, grouped by section); [`Case::parse`] checks every picklist,
//! date, number and length and is the only way to a [`Case`], which the
//! store accepts. [`export_rows`] flattens cases into the tables of the
//! HTCDS-compatible CSV export, and [`csv_line`] quotes one row.
//!
//! No I/O.

use serde::{Deserialize, Serialize};

use crate::CountryCode;

/// Why a case record is refused: always names the HTCDS field. The
/// message never repeats the value (a case holds a victim's data, and
/// messages reach logs and audit details); `value` keeps it, bounded, for
/// the form that shows it back to whoever typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("{field}: not one of the HTCDS values ({expected})")]
    Picklist { field: &'static str, value: String, expected: String },
    #[error("{field}: not a date (YYYY-MM-DD)")]
    Date { field: &'static str, value: String },
    #[error("{field}: not a code ({expected})")]
    Code { field: &'static str, value: String, expected: &'static str },
    #[error("{field}: out of range ({expected})")]
    Range { field: &'static str, value: String, expected: &'static str },
    #[error("{field}: longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field}: more than {max} entries")]
    TooMany { field: &'static str, max: usize },
    #[error("{field}: a value appears twice")]
    Repeated { field: &'static str, value: String },
}

impl CaseError {
    /// The HTCDS field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            CaseError::Picklist { field, .. }
            | CaseError::Date { field, .. }
            | CaseError::Code { field, .. }
            | CaseError::Range { field, .. }
            | CaseError::TooLong { field, .. }
            | CaseError::TooMany { field, .. }
            | CaseError::Repeated { field, .. } => field,
        }
    }

    /// A stable code for the kind of fault (the API's `code` family).
    pub fn code(&self) -> &'static str {
        match self {
            CaseError::Picklist { .. } => "invalid_picklist_value",
            _ => "invalid_field",
        }
    }
}

/// The HTCDS value lists (picklists and multiselect picklists).
pub mod diff;
pub mod picklist;

mod export;
mod outcomes;
#[cfg(test)]
mod tests;

pub use export::{CountryCodes, DEPRECATED, ExportCase, Table, csv_line, export_rows, export_rows_with};
pub use outcomes::{CaseOutcomes, MULTIPLE_EXPLOITATION};

/// HTCDS section "Person".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Person {
    #[serde(rename = "prs_Salutation")]
    pub salutation: String,
    #[serde(rename = "prs_FirstName")]
    pub first_name: String,
    #[serde(rename = "prs_MiddleName")]
    pub middle_name: String,
    #[serde(rename = "prs_SecondName")]
    pub second_name: String,
    #[serde(rename = "prs_Birthdate")]
    pub birthdate: String,
    #[serde(rename = "prs_Gender")]
    pub gender: String,
    #[serde(rename = "prs_Deceased")]
    pub deceased: bool,
    #[serde(rename = "prs_MaritalStatus")]
    pub marital_status: String,
    #[serde(rename = "prs_NumberOfChildren")]
    pub number_of_children: Option<u32>,
    #[serde(rename = "prs_PrimaryLanguage")]
    pub primary_language: String,
    #[serde(rename = "prs_SecondaryLanguage")]
    pub secondary_language: String,
    #[serde(rename = "prs_HighestLevelOfEducation")]
    pub highest_level_of_education: String,
    #[serde(rename = "prs_Citizenship")]
    pub citizenship: Vec<String>,
    #[serde(rename = "prs_IdentityNumber")]
    pub identity_number: String,
    #[serde(rename = "prs_Title")]
    pub title: String,
    #[serde(rename = "prs_Email")]
    pub email: String,
    #[serde(rename = "prs_HomePhone")]
    pub home_phone: String,
    #[serde(rename = "prs_MobilePhone")]
    pub mobile_phone: String,
    #[serde(rename = "prs_MailingCity")]
    pub mailing_city: String,
    #[serde(rename = "prs_MailingCountry")]
    pub mailing_country: String,
    #[serde(rename = "prs_MailingState")]
    pub mailing_state: String,
    #[serde(rename = "prs_MailingStreet")]
    pub mailing_street: String,
    #[serde(rename = "prs_MailingPostalCode")]
    pub mailing_postal_code: String,
    #[serde(rename = "prs_MailingLongitude")]
    pub mailing_longitude: Option<f64>,
    #[serde(rename = "prs_MailingLatitude")]
    pub mailing_latitude: Option<f64>,
}

/// HTCDS section "Organization": an organisation a case refers to (the
/// lookups `cas_ReferringOrganisation`, `cas_ReferredOrganisation`,
/// `vic_LocationOfRecruitment`, `vic_LocationOfExploitation` hold its
/// `id`). HTCDS has no identifier field; `id` is the record's own key
/// (`org-1`, `org-2` … given by [`Case::parse`] when empty), written in the
/// export as `organisation_id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Organisation {
    pub id: String,
    #[serde(rename = "org_Name")]
    pub name: String,
    #[serde(rename = "org_Type")]
    pub kind: String,
    #[serde(rename = "org_Phone")]
    pub phone: String,
    #[serde(rename = "org_ShippingStreet")]
    pub shipping_street: String,
    #[serde(rename = "org_ShippingCity")]
    pub shipping_city: String,
    #[serde(rename = "org_ShippingState")]
    pub shipping_state: String,
    #[serde(rename = "org_ShippingPostalCode")]
    pub shipping_postal_code: String,
    #[serde(rename = "org_ShippingCountry")]
    pub shipping_country: String,
    #[serde(rename = "org_ShippingLatitude")]
    pub shipping_latitude: Option<f64>,
    #[serde(rename = "org_ShippingLongitude")]
    pub shipping_longitude: Option<f64>,
}

/// HTCDS section "Person – Victim Context". The three fields the standard
/// marks DEPRECATED are read (older stored versions hold them) but never
/// written: not stored again, not in the API's answers, not exported.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VictimContext {
    #[serde(rename = "vic_AgreementToManagePersonalData", skip_serializing)]
    pub agreement_to_manage_personal_data: bool,
    #[serde(rename = "vic_TraffickingStatus")]
    pub trafficking_status: String,
    #[serde(rename = "vic_TraffickingStatusDecisionMakingOrg")]
    pub trafficking_status_decision_making_org: String,
    #[serde(rename = "vic_RelationshipToTrafficker")]
    pub relationship_to_trafficker: String,
    #[serde(rename = "vic_AgeWhenTrafficked")]
    pub age_when_trafficked: Option<u32>,
    #[serde(rename = "vic_RecruitmentWebsitesAndApps")]
    pub recruitment_websites_and_apps: Vec<String>,
    #[serde(rename = "vic_MethodOfRecruitment")]
    pub method_of_recruitment: Vec<String>,
    #[serde(rename = "vic_LocationOfRecruitment")]
    pub location_of_recruitment: String,
    #[serde(rename = "vic_MethodsOfControl")]
    pub methods_of_control: Vec<String>,
    #[serde(rename = "vic_TypeOfExploitation")]
    pub type_of_exploitation: Vec<String>,
    #[serde(rename = "vic_ForcedLabourIndustry")]
    pub forced_labour_industry: String,
    #[serde(rename = "vic_TypeOfSexExploitation")]
    pub type_of_sex_exploitation: Vec<String>,
    #[serde(rename = "vic_LocationOfExploitation")]
    pub location_of_exploitation: String,
    #[serde(rename = "vic_ExploitationWebsitesAndApps")]
    pub exploitation_websites_and_apps: Vec<String>,
    #[serde(rename = "vic_Vulnerabilities", skip_serializing)]
    pub vulnerabilities: Vec<String>,
    #[serde(rename = "vic_DetailsOfVulnerabilities", skip_serializing)]
    pub details_of_vulnerabilities: String,
}

/// HTCDS section "Person – Perpetrator Context", with the person's names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Perpetrator {
    #[serde(rename = "prs_FirstName")]
    pub first_name: String,
    #[serde(rename = "prs_SecondName")]
    pub second_name: String,
    #[serde(rename = "prs_Gender")]
    pub gender: String,
    #[serde(rename = "prs_Citizenship")]
    pub citizenship: Vec<String>,
    #[serde(rename = "per_RoleInProcess")]
    pub role_in_process: Vec<String>,
    #[serde(rename = "per_RoleDetails")]
    pub role_details: String,
}

/// HTCDS sections "Case" and "Referral Details".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseDetails {
    #[serde(rename = "cas_Status")]
    pub status: String,
    #[serde(rename = "cas_ReasonForCaseClosure")]
    pub reason_for_case_closure: String,
    #[serde(rename = "cas_CaseOwner")]
    pub case_owner: String,
    #[serde(rename = "cas_ReferringOrganisation")]
    pub referring_organisation: String,
    #[serde(rename = "cas_IncomingReferralDate")]
    pub incoming_referral_date: String,
    #[serde(rename = "cas_ReferringPrimaryCaseWorker")]
    pub referring_primary_case_worker: String,
    #[serde(rename = "cas_ReasonForIncomingReferral")]
    pub reason_for_incoming_referral: String,
    #[serde(rename = "cas_IncomingReferralDetails")]
    pub incoming_referral_details: String,
    #[serde(rename = "cas_ReferredOrganisation")]
    pub referred_organisation: String,
    #[serde(rename = "cas_ReferredPrimaryCaseWorker")]
    pub referred_primary_case_worker: String,
    #[serde(rename = "cas_ReasonForOutgoingReferral")]
    pub reason_for_outgoing_referral: String,
    #[serde(rename = "cas_OutgoingReferralDate")]
    pub outgoing_referral_date: String,
    #[serde(rename = "cas_OutgoingReferralDetails")]
    pub outgoing_referral_details: String,
}

/// HTCDS section "Historic Trafficking Events".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HistoricEvent {
    #[serde(rename = "hte_Type")]
    pub kind: String,
    #[serde(rename = "hte_Date")]
    pub date: String,
    #[serde(rename = "hte_Country")]
    pub country: String,
    #[serde(rename = "hte_State")]
    pub state: String,
    #[serde(rename = "hte_City")]
    pub city: String,
    #[serde(rename = "hte_Street")]
    pub street: String,
    #[serde(rename = "hte_PostalCode")]
    pub postal_code: String,
    #[serde(rename = "hte_Latitude")]
    pub latitude: Option<f64>,
    #[serde(rename = "hte_Longitude")]
    pub longitude: Option<f64>,
    #[serde(rename = "hte_Description")]
    pub description: String,
}

/// HTCDS section "Support Plan".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupportPlan {
    #[serde(rename = "spl_Type")]
    pub kind: String,
    #[serde(rename = "spl_Objectives")]
    pub objectives: String,
    #[serde(rename = "spl_ActionPlan")]
    pub action_plan: String,
    #[serde(rename = "spl_PlannedEndDate")]
    pub planned_end_date: String,
    #[serde(rename = "spl_ActualEndDate")]
    pub actual_end_date: String,
}

/// HTCDS section "Consent".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Consent {
    #[serde(rename = "con_Consent")]
    pub consent: bool,
}

/// A trafficking case as sent and stored: the HTCDS sections.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseRecord {
    pub person: Person,
    /// The organisations the record's lookups refer to.
    pub organisations: Vec<Organisation>,
    pub victim: VictimContext,
    pub perpetrators: Vec<Perpetrator>,
    pub case: CaseDetails,
    pub consent: Consent,
    pub events: Vec<HistoricEvent>,
    pub support_plans: Vec<SupportPlan>,
    /// `cco_CaseComment`, oldest first.
    pub comments: Vec<String>,
}

/// The most entries in a repeated section or a multiselect.
pub const MAX_ENTRIES: usize = 50;
/// The longest short text.
pub const MAX_TEXT: usize = 500;
/// The longest long text.
pub const MAX_LONG_TEXT: usize = 10_000;

/// The status a case takes when `cas_Status` is empty.
pub const DEFAULT_STATUS: &str = "Active";

/// A case record whose every field has been checked; built only by
/// [`Case::parse`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Case(CaseRecord);

impl Case {
    /// Checks every field of `r`: picklist values (each once in a
    /// multiselect), dates, country and language codes, numbers, lengths.
    /// Trims text; an empty `cas_Status` becomes `Active`.
    pub fn parse(mut r: CaseRecord) -> Result<Case, CaseError> {
        use picklist as pl;
        let p = &mut r.person;
        for (field, v, max) in [
            ("prs_Salutation", &mut p.salutation, MAX_TEXT),
            ("prs_FirstName", &mut p.first_name, MAX_TEXT),
            ("prs_MiddleName", &mut p.middle_name, MAX_TEXT),
            ("prs_SecondName", &mut p.second_name, MAX_TEXT),
            ("prs_IdentityNumber", &mut p.identity_number, MAX_TEXT),
            ("prs_Title", &mut p.title, MAX_TEXT),
            ("prs_Email", &mut p.email, MAX_TEXT),
            ("prs_HomePhone", &mut p.home_phone, MAX_TEXT),
            ("prs_MobilePhone", &mut p.mobile_phone, MAX_TEXT),
            ("prs_MailingCity", &mut p.mailing_city, MAX_TEXT),
            ("prs_MailingState", &mut p.mailing_state, MAX_TEXT),
            ("prs_MailingStreet", &mut p.mailing_street, MAX_TEXT),
            ("prs_MailingPostalCode", &mut p.mailing_postal_code, MAX_TEXT),
        ] {
            text(field, v, max)?;
        }
        date("prs_Birthdate", &mut p.birthdate)?;
        one("prs_Gender", &mut p.gender, pl::GENDER)?;
        one("prs_MaritalStatus", &mut p.marital_status, pl::MARITAL_STATUS)?;
        one("prs_HighestLevelOfEducation", &mut p.highest_level_of_education, pl::EDUCATION)?;
        language("prs_PrimaryLanguage", &mut p.primary_language)?;
        language("prs_SecondaryLanguage", &mut p.secondary_language)?;
        countries("prs_Citizenship", &mut p.citizenship)?;
        if !p.mailing_country.trim().is_empty() {
            let mut one = vec![std::mem::take(&mut p.mailing_country)];
            countries("prs_MailingCountry", &mut one)?;
            p.mailing_country = one.remove(0);
        }
        range("prs_NumberOfChildren", p.number_of_children, 0, 60)?;
        coordinate("prs_MailingLatitude", p.mailing_latitude, 90.0)?;
        coordinate("prs_MailingLongitude", p.mailing_longitude, 180.0)?;

        organisations(&mut r.organisations)?;

        let v = &mut r.victim;
        one("vic_TraffickingStatus", &mut v.trafficking_status, pl::TRAFFICKING_STATUS)?;
        one("vic_TraffickingStatusDecisionMakingOrg", &mut v.trafficking_status_decision_making_org, pl::DECISION_ORG)?;
        one("vic_RelationshipToTrafficker", &mut v.relationship_to_trafficker, pl::RELATIONSHIP)?;
        range("vic_AgeWhenTrafficked", v.age_when_trafficked, 0, 120)?;
        many("vic_RecruitmentWebsitesAndApps", &mut v.recruitment_websites_and_apps, pl::WEBSITES)?;
        many("vic_MethodOfRecruitment", &mut v.method_of_recruitment, pl::METHOD_OF_RECRUITMENT)?;
        text("vic_LocationOfRecruitment", &mut v.location_of_recruitment, MAX_TEXT)?;
        many("vic_MethodsOfControl", &mut v.methods_of_control, pl::METHODS_OF_CONTROL)?;
        many("vic_TypeOfExploitation", &mut v.type_of_exploitation, pl::TYPE_OF_EXPLOITATION)?;
        one("vic_ForcedLabourIndustry", &mut v.forced_labour_industry, pl::FORCED_LABOUR_INDUSTRY)?;
        many("vic_TypeOfSexExploitation", &mut v.type_of_sex_exploitation, pl::TYPE_OF_SEX_EXPLOITATION)?;
        text("vic_LocationOfExploitation", &mut v.location_of_exploitation, MAX_TEXT)?;
        many("vic_ExploitationWebsitesAndApps", &mut v.exploitation_websites_and_apps, pl::WEBSITES)?;
        // DEPRECATED in HTCDS 2.0: never kept (see `DEPRECATED`).
        v.agreement_to_manage_personal_data = false;
        v.vulnerabilities.clear();
        v.details_of_vulnerabilities.clear();
        lookup("vic_LocationOfRecruitment", &mut v.location_of_recruitment, &mut r.organisations)?;
        lookup("vic_LocationOfExploitation", &mut v.location_of_exploitation, &mut r.organisations)?;

        count("perpetrators", r.perpetrators.len())?;
        for x in &mut r.perpetrators {
            text("prs_FirstName", &mut x.first_name, MAX_TEXT)?;
            text("prs_SecondName", &mut x.second_name, MAX_TEXT)?;
            one("prs_Gender", &mut x.gender, pl::GENDER)?;
            countries("prs_Citizenship", &mut x.citizenship)?;
            many("per_RoleInProcess", &mut x.role_in_process, pl::ROLE_IN_PROCESS)?;
            text("per_RoleDetails", &mut x.role_details, MAX_LONG_TEXT)?;
        }

        let c = &mut r.case;
        if c.status.trim().is_empty() {
            c.status = DEFAULT_STATUS.to_string();
        }
        one("cas_Status", &mut c.status, pl::CASE_STATUS)?;
        one("cas_ReasonForIncomingReferral", &mut c.reason_for_incoming_referral, pl::REFERRAL_REASON)?;
        one("cas_ReasonForOutgoingReferral", &mut c.reason_for_outgoing_referral, pl::REFERRAL_REASON)?;
        date("cas_IncomingReferralDate", &mut c.incoming_referral_date)?;
        date("cas_OutgoingReferralDate", &mut c.outgoing_referral_date)?;
        for (field, v, max) in [
            ("cas_ReasonForCaseClosure", &mut c.reason_for_case_closure, MAX_LONG_TEXT),
            ("cas_CaseOwner", &mut c.case_owner, MAX_TEXT),
            ("cas_ReferringOrganisation", &mut c.referring_organisation, MAX_TEXT),
            ("cas_ReferringPrimaryCaseWorker", &mut c.referring_primary_case_worker, MAX_TEXT),
            ("cas_IncomingReferralDetails", &mut c.incoming_referral_details, MAX_LONG_TEXT),
            ("cas_ReferredOrganisation", &mut c.referred_organisation, MAX_TEXT),
            ("cas_ReferredPrimaryCaseWorker", &mut c.referred_primary_case_worker, MAX_TEXT),
            ("cas_OutgoingReferralDetails", &mut c.outgoing_referral_details, MAX_LONG_TEXT),
        ] {
            text(field, v, max)?;
        }
        lookup("cas_ReferringOrganisation", &mut c.referring_organisation, &mut r.organisations)?;
        lookup("cas_ReferredOrganisation", &mut c.referred_organisation, &mut r.organisations)?;

        count("events", r.events.len())?;
        for e in &mut r.events {
            one("hte_Type", &mut e.kind, pl::EVENT_TYPE)?;
            date("hte_Date", &mut e.date)?;
            if !e.country.trim().is_empty() {
                let mut v = vec![std::mem::take(&mut e.country)];
                countries("hte_Country", &mut v)?;
                e.country = v.remove(0);
            }
            for (field, v) in [
                ("hte_State", &mut e.state),
                ("hte_City", &mut e.city),
                ("hte_Street", &mut e.street),
                ("hte_PostalCode", &mut e.postal_code),
            ] {
                text(field, v, MAX_TEXT)?;
            }
            text("hte_Description", &mut e.description, MAX_LONG_TEXT)?;
            coordinate("hte_Latitude", e.latitude, 90.0)?;
            coordinate("hte_Longitude", e.longitude, 180.0)?;
        }

        count("support_plans", r.support_plans.len())?;
        for s in &mut r.support_plans {
            one("spl_Type", &mut s.kind, pl::SUPPORT_TYPE)?;
            text("spl_Objectives", &mut s.objectives, MAX_LONG_TEXT)?;
            text("spl_ActionPlan", &mut s.action_plan, MAX_LONG_TEXT)?;
            date("spl_PlannedEndDate", &mut s.planned_end_date)?;
            date("spl_ActualEndDate", &mut s.actual_end_date)?;
        }

        if r.comments.len() > 10 * MAX_ENTRIES {
            return Err(CaseError::TooMany { field: "cco_CaseComment", max: 10 * MAX_ENTRIES });
        }
        for c in &mut r.comments {
            text("cco_CaseComment", c, MAX_LONG_TEXT)?;
        }
        r.comments.retain(|c| !c.is_empty());
        Ok(Case(r))
    }

    pub fn record(&self) -> &CaseRecord {
        &self.0
    }

    pub fn into_record(self) -> CaseRecord {
        self.0
    }

    /// `cas_Status`: one of [`picklist::CASE_STATUS`].
    pub fn status(&self) -> &str {
        &self.0.case.status
    }

    /// Whether the case is open (`Active` or `FollowUp`): what it holds is
    /// kept from the retention purge.
    pub fn is_open(&self) -> bool {
        is_open_status(self.status())
    }
}

/// What a referral from a border post brings to the case it opens.
#[derive(Debug, Clone, PartialEq)]
pub struct ReferralFacts<'a> {
    pub crossing: &'a crate::CrossingRecord,
    /// The post's name or code: the referring organisation's `org_Name`.
    pub post: &'a str,
    /// `YYYY-MM-DD` of the referral.
    pub referred_on: &'a str,
    /// The officer's reason.
    pub reason: &'a str,
    /// The indicator codes that triggered it (`T1`, `T3`, list hits …).
    pub indicators: &'a [String],
    /// `cas_CaseOwner`: the protection officer who accepts.
    pub owner: &'a str,
}

/// The first version of a case opened from a referral: the person as
/// registered at the crossing, a possible victim, `Active`, referred by
/// the post (an `ImmigrationService` organisation) with the officer's
/// reason and the indicators.
pub fn opening_record(f: &ReferralFacts<'_>) -> Case {
    let c = f.crossing;
    let mut r = CaseRecord::default();
    r.person.first_name = c.given_names.chars().take(MAX_TEXT).collect();
    r.person.second_name = c.surnames.chars().take(MAX_TEXT).collect();
    r.person.birthdate = c.birth_date.filter(|b| b.is_full()).map(|b| b.to_string()).unwrap_or_default();
    r.person.gender = match c.sex {
        crate::Sex::Female => "Feminine",
        crate::Sex::Male => "Masculine",
        _ => "",
    }
    .to_string();
    r.person.citizenship = c.nationality.iter().map(|n| n.as_str().to_string()).collect();
    r.person.identity_number = c.document_number.as_ref().map(|d| d.as_str().to_string()).unwrap_or_default();
    r.victim.trafficking_status = "PossibleVictimOfTrafficking".to_string();
    r.case.status = DEFAULT_STATUS.to_string();
    r.case.case_owner = f.owner.chars().take(MAX_TEXT).collect();
    // The referring post, an organisation of the immigration service.
    r.organisations.push(Organisation {
        id: "org-1".to_string(),
        name: f.post.chars().take(MAX_TEXT).collect(),
        kind: "ImmigrationService".to_string(),
        ..Organisation::default()
    });
    r.case.referring_organisation = "org-1".to_string();
    r.case.incoming_referral_date = f.referred_on.chars().take(10).collect();
    r.case.reason_for_incoming_referral = "Other".to_string();
    let mut details = f.reason.trim().to_string();
    if !f.indicators.is_empty() {
        if !details.is_empty() {
            details.push_str(" — ");
        }
        details.push_str(&f.indicators.join(", "));
    }
    r.case.incoming_referral_details = details.chars().take(MAX_LONG_TEXT).collect();
    // Every value above is valid by construction; if one is not (a
    // malformed date), it is left out rather than failing the referral.
    Case::parse(r.clone()).unwrap_or_else(|_| {
        r.case.incoming_referral_date.clear();
        r.person.birthdate.clear();
        r.person.citizenship.clear();
        Case::parse(r).unwrap_or_else(|_| {
            Case(CaseRecord {
                case: CaseDetails { status: DEFAULT_STATUS.to_string(), ..CaseDetails::default() },
                ..CaseRecord::default()
            })
        })
    })
}

/// Whether a `cas_Status` value means the case is open.
pub fn is_open_status(status: &str) -> bool {
    matches!(status, "Active" | "FollowUp")
}

fn text(field: &'static str, v: &mut String, max: usize) -> Result<(), CaseError> {
    let t = v.trim();
    if t.chars().count() > max {
        return Err(CaseError::TooLong { field, max });
    }
    if t.len() != v.len() {
        *v = t.to_string();
    }
    Ok(())
}

fn count(field: &'static str, n: usize) -> Result<(), CaseError> {
    if n > MAX_ENTRIES { Err(CaseError::TooMany { field, max: MAX_ENTRIES }) } else { Ok(()) }
}

fn shown(v: &str) -> String {
    v.chars().take(60).collect()
}

fn one(field: &'static str, v: &mut String, values: &[&str]) -> Result<(), CaseError> {
    let t = v.trim();
    if t.is_empty() {
        v.clear();
        return Ok(());
    }
    match values.iter().find(|x| **x == t) {
        Some(x) => {
            *v = (*x).to_string();
            Ok(())
        }
        None => Err(CaseError::Picklist { field, value: shown(t), expected: values.join(", ") }),
    }
}

fn many(field: &'static str, vs: &mut Vec<String>, values: &[&str]) -> Result<(), CaseError> {
    count(field, vs.len())?;
    for v in vs.iter_mut() {
        one(field, v, values)?;
    }
    vs.retain(|v| !v.is_empty());
    for (i, v) in vs.iter().enumerate() {
        if vs[..i].contains(v) {
            return Err(CaseError::Repeated { field, value: v.clone() });
        }
    }
    Ok(())
}

fn date(field: &'static str, v: &mut String) -> Result<(), CaseError> {
    let t = v.trim();
    if t.is_empty() {
        v.clear();
        return Ok(());
    }
    let ok = t.len() == 10 && t.parse::<jiff::civil::Date>().is_ok();
    if !ok {
        return Err(CaseError::Date { field, value: shown(t) });
    }
    *v = t.to_string();
    Ok(())
}

/// ISO 3166: an alpha-3 code (as everywhere in Centinela, and kept so) or
/// a known alpha-2 code (kept as its alpha-3 code; the export writes
/// either, see [`CountryCodes`]).
fn countries(field: &'static str, vs: &mut [String]) -> Result<(), CaseError> {
    count(field, vs.len())?;
    for v in vs.iter_mut() {
        let t = v.trim().to_ascii_uppercase();
        let code = if t.len() == 2 { crate::countries::alpha2_to_alpha3(&t) } else { CountryCode::parse(&t).ok() };
        let Some(code) = code else {
            return Err(CaseError::Code { field, value: shown(v), expected: "ISO 3166 alpha-3 or alpha-2" });
        };
        *v = code.as_str().to_string();
    }
    for (i, v) in vs.iter().enumerate() {
        if vs[..i].contains(v) {
            return Err(CaseError::Repeated { field, value: v.clone() });
        }
    }
    Ok(())
}

/// The longest organisation id.
pub const MAX_ORGANISATION_ID: usize = 40;

/// Checks the organisations of a record and gives each without an id the
/// next free `org-N`.
fn organisations(orgs: &mut [Organisation]) -> Result<(), CaseError> {
    use picklist as pl;
    count("organisations", orgs.len())?;
    for o in orgs.iter_mut() {
        text("organisation_id", &mut o.id, MAX_ORGANISATION_ID)?;
        if !o.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            return Err(CaseError::Code {
                field: "organisation_id",
                value: shown(&o.id),
                expected: "letters, digits, - and _",
            });
        }
        for (field, v) in [
            ("org_Name", &mut o.name),
            ("org_Phone", &mut o.phone),
            ("org_ShippingStreet", &mut o.shipping_street),
            ("org_ShippingCity", &mut o.shipping_city),
            ("org_ShippingState", &mut o.shipping_state),
            ("org_ShippingPostalCode", &mut o.shipping_postal_code),
        ] {
            text(field, v, MAX_TEXT)?;
        }
        one("org_Type", &mut o.kind, pl::ORG_TYPE)?;
        if !o.shipping_country.trim().is_empty() {
            let mut v = vec![std::mem::take(&mut o.shipping_country)];
            countries("org_ShippingCountry", &mut v)?;
            o.shipping_country = v.remove(0);
        }
        coordinate("org_ShippingLatitude", o.shipping_latitude, 90.0)?;
        coordinate("org_ShippingLongitude", o.shipping_longitude, 180.0)?;
    }
    for i in 0..orgs.len() {
        if orgs[i].id.is_empty() {
            orgs[i].id = next_organisation_id(orgs);
        } else if orgs[..i].iter().any(|o| o.id == orgs[i].id) {
            return Err(CaseError::Repeated { field: "organisation_id", value: orgs[i].id.clone() });
        }
    }
    Ok(())
}

fn next_organisation_id(orgs: &[Organisation]) -> String {
    let n = orgs.iter().filter_map(|o| o.id.strip_prefix("org-")?.parse::<u32>().ok()).max().unwrap_or(0);
    format!("org-{}", n + 1)
}

/// A lookup to an organisation: empty, or the id of one of the record's
/// organisations. A name (what older versions and a typed form hold) is
/// the organisation of that name, added to the record when it has none;
/// an `org-N` naming none is refused.
fn lookup(field: &'static str, v: &mut String, orgs: &mut Vec<Organisation>) -> Result<(), CaseError> {
    text(field, v, MAX_TEXT)?;
    if v.is_empty() || orgs.iter().any(|o| o.id == *v) {
        return Ok(());
    }
    if let Some(o) = orgs.iter().find(|o| o.name == *v) {
        *v = o.id.clone();
        return Ok(());
    }
    if v.strip_prefix("org-").is_some_and(|n| n.parse::<u32>().is_ok()) {
        return Err(CaseError::Code { field, value: shown(v), expected: "an organisation of the record" });
    }
    count("organisations", orgs.len() + 1)?;
    let id = next_organisation_id(orgs);
    orgs.push(Organisation { id: id.clone(), name: std::mem::take(v), ..Organisation::default() });
    *v = id;
    Ok(())
}

/// ISO 639: two or three lower-case letters (`spa`, `es`, `quc`).
fn language(field: &'static str, v: &mut String) -> Result<(), CaseError> {
    let t = v.trim().to_ascii_lowercase();
    if t.is_empty() {
        v.clear();
        return Ok(());
    }
    if !(2..=3).contains(&t.len()) || !t.bytes().all(|b| b.is_ascii_lowercase()) {
        return Err(CaseError::Code { field, value: shown(v), expected: "ISO 639-2 (three letters) or 639-1" });
    }
    *v = t;
    Ok(())
}

fn range(field: &'static str, v: Option<u32>, lo: u32, hi: u32) -> Result<(), CaseError> {
    match v {
        Some(n) if n < lo || n > hi => Err(CaseError::Range { field, value: n.to_string(), expected: "0 to 120" }),
        _ => Ok(()),
    }
}

fn coordinate(field: &'static str, v: Option<f64>, max: f64) -> Result<(), CaseError> {
    match v {
        Some(x) if !x.is_finite() || x.abs() > max => {
            Err(CaseError::Range { field, value: x.to_string(), expected: "degrees within ±90 / ±180" })
        }
        _ => Ok(()),
    }
}
