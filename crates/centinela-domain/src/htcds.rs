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

/// Why a case record is refused: always names the HTCDS field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("{field}: '{value}' is not one of the HTCDS values ({expected})")]
    Picklist { field: &'static str, value: String, expected: String },
    #[error("{field}: '{value}' is not a date (YYYY-MM-DD)")]
    Date { field: &'static str, value: String },
    #[error("{field}: '{value}' is not a code ({expected})")]
    Code { field: &'static str, value: String, expected: &'static str },
    #[error("{field}: {value} is out of range ({expected})")]
    Range { field: &'static str, value: String, expected: &'static str },
    #[error("{field}: longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("{field}: more than {max} entries")]
    TooMany { field: &'static str, max: usize },
    #[error("{field}: '{value}' appears twice")]
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
pub mod picklist {
    pub const ORG_TYPE: &[&str] = &[
        "NGO",
        "LawEnforcement",
        "HealthServiceOrganisation",
        "CentralGovernmentOrganisation",
        "LocalGovernmentOrganisation",
        "ImmigrationService",
        "LegalService",
        "CorporateBusiness",
        "SchoolOrCollege",
    ];
    pub const GENDER: &[&str] = &[
        "Feminine",
        "Masculine",
        "TransgenderFeminine",
        "TransgenderMasculine",
        "NonConforming",
        "NonSpecifiedUnknown",
    ];
    pub const MARITAL_STATUS: &[&str] =
        &["Single", "Married", "Widowed", "Divorced", "Separated", "RegisteredPartnership"];
    pub const EDUCATION: &[&str] = &[
        "EarlyChildhoodEducation",
        "PrimaryEducation",
        "LowerSecondaryEducation",
        "UpperSecondaryEducation",
        "PostSecondaryNonTertiaryEducation",
        "ShortCycleTertiaryEducation",
        "BachelorsOrEquivalentLevel",
        "MastersOrEquivalentLevel",
        "DoctoralOrEquivalentLevel",
    ];
    pub const TRAFFICKING_STATUS: &[&str] =
        &["PossibleVictimOfTrafficking", "ActualVictimOfTrafficking", "NotAVictimOfTrafficking"];
    pub const DECISION_ORG: &[&str] =
        &["Police", "NGO", "CourtOrProsecution", "NonPoliceGovernmentalOrganization", "Other"];
    pub const RELATIONSHIP: &[&str] = &["Familial", "Acquainted", "Unaquainted"];
    pub const WEBSITES: &[&str] = &[
        "Facebook",
        "Instagram",
        "WhatsApp",
        "Telegram",
        "FacebookMessenger",
        "Viber",
        "SnapChat",
        "Line",
        "4Sale",
        "WeChat",
        "QQ",
        "QZone",
        "TikTok",
        "Twitter",
        "Other",
    ];
    pub const METHOD_OF_RECRUITMENT: &[&str] = &[
        "AtAPlaceOfBusiness",
        "AtAnEducationalInstitution",
        "AtWork",
        "ThroughOnlineSocialNetworks",
        "ThroughAnOnlineAdvertisement",
        "ThroughATelevisionAdvert",
        "ThroughANewspaperAdvert",
        "ThroughFamilyOrFamilyEvents",
        "ThroughFriendsOrSocialEvents",
        "Other",
    ];
    pub const METHODS_OF_CONTROL: &[&str] = &[
        "PhysicalThreats",
        "ThreatsLawEnforcement",
        "ThreatensChildrenFamily",
        "DebtBondage",
        "FalsePromises",
        "PhysicalAbuse",
        "SexualAbuse",
        "TakesEarnings",
        "RestrictsFinancialAccess",
        "RestrictsMedicalCare",
        "WithholdsNecessities",
        "PsychologicalAbuse",
        "PsychoactiveSubstance",
        "ExcessiveWorkingHours",
        "WithholdsDocuments",
        "Other",
    ];
    pub const TYPE_OF_EXPLOITATION: &[&str] = &[
        "ForcedLabour",
        "SexualExploitation",
        "ChildLabour",
        "ForcedMarriage",
        "Servitude",
        "ForcedMilitaryByNonStateActors",
        "OrganRemoval",
        "ForcedBegging",
        "ForcedAdoption",
        "Surrogacy",
        "Other",
    ];
    pub const FORCED_LABOUR_INDUSTRY: &[&str] = &[
        "A_AgricultureForestryAndFishing",
        "B_MiningAndQuarrying",
        "C_Manufacturing",
        "D_ElectricityGasSteamAndAirConditioningSupply",
        "E_WaterSupplySewerageWasteManagement",
        "F_Construction",
        "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
        "H_TransportationAndStorage",
        "I_AccommodationAndFoodServiceActivities",
        "J_InformationAndCommunication",
        "K_FinancialAndInsuranceActivities",
        "L_RealEstateActivities",
        "M_ProfessionalScientificAndTechnicalActivities",
        "N_AdministrativeAndSupportServiceActivities",
        "O_PublicAdministrationAndDefence",
        "P_Education",
        "Q_HumanHealthAndSocialWorkActivities",
        "R_ArtsEntertainmentAndRecreation",
        "S_OtherServiceActivities",
        "T_ActivitiesOfHouseholdsAsEmployers",
        "U_ActivitiesOfExtraterritorialOrganizations",
    ];
    pub const TYPE_OF_SEX_EXPLOITATION: &[&str] =
        &["Prostitution", "Pornography", "RemoteInteractiveServices", "PrivateSexualServices"];
    pub const VULNERABILITIES: &[&str] = &[
        "Addiction",
        "SocialGroup",
        "Discrimination",
        "Poverty",
        "DisabilityAndPhysicalHealth",
        "MentalHealth",
        "Migration",
        "Homelessness",
        "AbuseSocialMedia",
        "AbusePhysical",
        "Education",
        "WorkEnvironment",
    ];
    pub const ROLE_IN_PROCESS: &[&str] = &[
        "TravellingPartner",
        "Transporter",
        "RecruiterOrIntermediary",
        "BrokerTravelAgent",
        "TransferredIndividual",
        "HarbouredIndividual",
        "SoldIndividual",
        "BoughtIndividual",
        "ReceivedIndividual",
        "ControlledIndividual",
        "Smuggler",
        "Abuser",
        "Kidnapper",
        "Exploiter",
        "Other",
    ];
    pub const CASE_STATUS: &[&str] = &["Active", "FollowUp", "Closed", "ClosedReferred"];
    pub const REFERRAL_REASON: &[&str] = &["AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other"];
    pub const EVENT_TYPE: &[&str] = &["Recruitment", "Transit", "Exploitation"];
    pub const SUPPORT_TYPE: &[&str] = &[
        "Education",
        "Financial",
        "Health",
        "LabourExploitationRehabilitation",
        "Legal",
        "Livelihood",
        "RightsBasedTraining",
        "SexualExploitationRehabilitation",
        "SocialCare",
    ];
}

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
}

/// HTCDS section "Person – Victim Context".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VictimContext {
    #[serde(rename = "vic_AgreementToManagePersonalData")]
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
    #[serde(rename = "vic_Vulnerabilities")]
    pub vulnerabilities: Vec<String>,
    #[serde(rename = "vic_DetailsOfVulnerabilities")]
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
        many("vic_Vulnerabilities", &mut v.vulnerabilities, pl::VULNERABILITIES)?;
        text("vic_DetailsOfVulnerabilities", &mut v.details_of_vulnerabilities, MAX_LONG_TEXT)?;

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
    /// The post's name or code, for `cas_ReferringOrganisation`.
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
/// the immigration service with the officer's reason and the indicators.
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
    r.victim.vulnerabilities = vec!["Migration".to_string()];
    r.case.status = DEFAULT_STATUS.to_string();
    r.case.case_owner = f.owner.chars().take(MAX_TEXT).collect();
    r.case.referring_organisation = format!("ImmigrationService {}", f.post).chars().take(MAX_TEXT).collect();
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

/// ISO 3166: an alpha-3 code (as everywhere in Centinela) or alpha-2.
fn countries(field: &'static str, vs: &mut [String]) -> Result<(), CaseError> {
    count(field, vs.len())?;
    for v in vs.iter_mut() {
        let t = v.trim().to_ascii_uppercase();
        let ok = (t.len() == 2 && t.bytes().all(|b| b.is_ascii_uppercase())) || CountryCode::parse(&t).is_ok();
        if !ok {
            return Err(CaseError::Code { field, value: shown(v), expected: "ISO 3166 alpha-3 or alpha-2" });
        }
        *v = t;
    }
    for (i, v) in vs.iter().enumerate() {
        if vs[..i].contains(v) {
            return Err(CaseError::Repeated { field, value: v.clone() });
        }
    }
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

/// One stored case as exported: its id, version, when it was opened and
/// last changed, the crossings it holds, and the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportCase<'a> {
    pub case_id: i64,
    pub version: i64,
    pub opened_at: &'a str,
    pub updated_at: &'a str,
    pub record: &'a CaseRecord,
}

/// The tables of the CSV export: (file stem, header, rows). Multiselect
/// values are joined with `;` (HTCDS picklist values hold none).
pub type Table = (&'static str, Vec<&'static str>, Vec<Vec<String>>);

/// Flattens cases into the HTCDS-compatible CSV tables: `cases` (Person,
/// Victim Context, Case, Referral Details, Consent: one row per case), and
/// `perpetrators`, `events`, `support_plans`, `comments` keyed by `case_id`.
pub fn export_rows(cases: &[ExportCase<'_>]) -> Vec<Table> {
    let join = |v: &[String]| v.join(";");
    let num = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    let coord = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
    let case_header = vec![
        "case_id",
        "version",
        "opened_at",
        "updated_at",
        "prs_Salutation",
        "prs_FirstName",
        "prs_MiddleName",
        "prs_SecondName",
        "prs_Birthdate",
        "prs_Gender",
        "prs_Deceased",
        "prs_MaritalStatus",
        "prs_NumberOfChildren",
        "prs_PrimaryLanguage",
        "prs_SecondaryLanguage",
        "prs_HighestLevelOfEducation",
        "prs_Citizenship",
        "prs_IdentityNumber",
        "prs_Title",
        "prs_Email",
        "prs_HomePhone",
        "prs_MobilePhone",
        "prs_MailingCity",
        "prs_MailingCountry",
        "prs_MailingState",
        "prs_MailingStreet",
        "prs_MailingPostalCode",
        "vic_AgreementToManagePersonalData",
        "vic_TraffickingStatus",
        "vic_TraffickingStatusDecisionMakingOrg",
        "vic_RelationshipToTrafficker",
        "vic_AgeWhenTrafficked",
        "vic_RecruitmentWebsitesAndApps",
        "vic_MethodOfRecruitment",
        "vic_LocationOfRecruitment",
        "vic_MethodsOfControl",
        "vic_TypeOfExploitation",
        "vic_ForcedLabourIndustry",
        "vic_TypeOfSexExploitation",
        "vic_LocationOfExploitation",
        "vic_ExploitationWebsitesAndApps",
        "vic_Vulnerabilities",
        "vic_DetailsOfVulnerabilities",
        "cas_Status",
        "cas_ReasonForCaseClosure",
        "cas_CaseOwner",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
        "cas_ReferringPrimaryCaseWorker",
        "cas_ReasonForIncomingReferral",
        "cas_IncomingReferralDetails",
        "cas_ReferredOrganisation",
        "cas_ReferredPrimaryCaseWorker",
        "cas_ReasonForOutgoingReferral",
        "cas_OutgoingReferralDate",
        "cas_OutgoingReferralDetails",
        "con_Consent",
    ];
    let mut case_rows = Vec::with_capacity(cases.len());
    let mut perps = Vec::new();
    let mut events = Vec::new();
    let mut plans = Vec::new();
    let mut comments = Vec::new();
    for e in cases {
        let (p, v, c) = (&e.record.person, &e.record.victim, &e.record.case);
        let id = e.case_id.to_string();
        case_rows.push(vec![
            id.clone(),
            e.version.to_string(),
            e.opened_at.to_string(),
            e.updated_at.to_string(),
            p.salutation.clone(),
            p.first_name.clone(),
            p.middle_name.clone(),
            p.second_name.clone(),
            p.birthdate.clone(),
            p.gender.clone(),
            flag(p.deceased),
            p.marital_status.clone(),
            num(p.number_of_children),
            p.primary_language.clone(),
            p.secondary_language.clone(),
            p.highest_level_of_education.clone(),
            join(&p.citizenship),
            p.identity_number.clone(),
            p.title.clone(),
            p.email.clone(),
            p.home_phone.clone(),
            p.mobile_phone.clone(),
            p.mailing_city.clone(),
            p.mailing_country.clone(),
            p.mailing_state.clone(),
            p.mailing_street.clone(),
            p.mailing_postal_code.clone(),
            flag(v.agreement_to_manage_personal_data),
            v.trafficking_status.clone(),
            v.trafficking_status_decision_making_org.clone(),
            v.relationship_to_trafficker.clone(),
            num(v.age_when_trafficked),
            join(&v.recruitment_websites_and_apps),
            join(&v.method_of_recruitment),
            v.location_of_recruitment.clone(),
            join(&v.methods_of_control),
            join(&v.type_of_exploitation),
            v.forced_labour_industry.clone(),
            join(&v.type_of_sex_exploitation),
            v.location_of_exploitation.clone(),
            join(&v.exploitation_websites_and_apps),
            join(&v.vulnerabilities),
            v.details_of_vulnerabilities.clone(),
            c.status.clone(),
            c.reason_for_case_closure.clone(),
            c.case_owner.clone(),
            c.referring_organisation.clone(),
            c.incoming_referral_date.clone(),
            c.referring_primary_case_worker.clone(),
            c.reason_for_incoming_referral.clone(),
            c.incoming_referral_details.clone(),
            c.referred_organisation.clone(),
            c.referred_primary_case_worker.clone(),
            c.reason_for_outgoing_referral.clone(),
            c.outgoing_referral_date.clone(),
            c.outgoing_referral_details.clone(),
            flag(e.record.consent.consent),
        ]);
        for x in &e.record.perpetrators {
            perps.push(vec![
                id.clone(),
                x.first_name.clone(),
                x.second_name.clone(),
                x.gender.clone(),
                join(&x.citizenship),
                join(&x.role_in_process),
                x.role_details.clone(),
            ]);
        }
        for x in &e.record.events {
            events.push(vec![
                id.clone(),
                x.kind.clone(),
                x.date.clone(),
                x.country.clone(),
                x.state.clone(),
                x.city.clone(),
                x.street.clone(),
                x.postal_code.clone(),
                coord(x.latitude),
                coord(x.longitude),
                x.description.clone(),
            ]);
        }
        for x in &e.record.support_plans {
            plans.push(vec![
                id.clone(),
                x.kind.clone(),
                x.objectives.clone(),
                x.action_plan.clone(),
                x.planned_end_date.clone(),
                x.actual_end_date.clone(),
            ]);
        }
        for x in &e.record.comments {
            comments.push(vec![id.clone(), x.clone()]);
        }
    }
    vec![
        ("cases", case_header, case_rows),
        (
            "perpetrators",
            vec![
                "case_id",
                "prs_FirstName",
                "prs_SecondName",
                "prs_Gender",
                "prs_Citizenship",
                "per_RoleInProcess",
                "per_RoleDetails",
            ],
            perps,
        ),
        (
            "events",
            vec![
                "case_id",
                "hte_Type",
                "hte_Date",
                "hte_Country",
                "hte_State",
                "hte_City",
                "hte_Street",
                "hte_PostalCode",
                "hte_Latitude",
                "hte_Longitude",
                "hte_Description",
            ],
            events,
        ),
        (
            "support_plans",
            vec!["case_id", "spl_Type", "spl_Objectives", "spl_ActionPlan", "spl_PlannedEndDate", "spl_ActualEndDate"],
            plans,
        ),
        ("comments", vec!["case_id", "cco_CaseComment"], comments),
    ]
}

/// One CSV line (no line end), each field as [`crate::csv::field`] writes
/// it: quoted as needed, spreadsheet formulas defused.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    crate::csv::line(fields)
}

/// What a case counts for in the statistics: HTCDS 2.0 has no fields named
/// "identified", "assisted", "prosecuted" or "repatriated", so they are
/// derived from the latest version of the record:
///
/// - **identified**: `vic_TraffickingStatus` is `PossibleVictimOfTrafficking`
///   or `ActualVictimOfTrafficking`. The other three count identified
///   victims only.
/// - **assisted**: at least one support plan (`spl_Type`) is recorded.
/// - **prosecuted**: at least one perpetrator is recorded and the trafficking
///   status was decided by a court or prosecutor
///   (`vic_TraffickingStatusDecisionMakingOrg` = `CourtOrProsecution`).
/// - **repatriated**: the case was referred on because the person moved
///   (`cas_ReasonForOutgoingReferral` = `MigrationOrChangeOfLocation`), or a
///   `Transit` historic event into a country of the person's citizenship is
///   dated on or after the latest `Exploitation` event (the way home).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CaseOutcomes {
    pub identified: bool,
    pub assisted: bool,
    pub prosecuted: bool,
    pub repatriated: bool,
}

/// The type of exploitation a victim is counted under: the one type
/// recorded, `Multiple` for several, empty for none.
pub const MULTIPLE_EXPLOITATION: &str = "Multiple";

impl CaseRecord {
    /// The derivations of [`CaseOutcomes`].
    pub fn outcomes(&self) -> CaseOutcomes {
        let v = &self.victim;
        let identified =
            matches!(v.trafficking_status.as_str(), "PossibleVictimOfTrafficking" | "ActualVictimOfTrafficking");
        if !identified {
            return CaseOutcomes::default();
        }
        let prosecuted =
            !self.perpetrators.is_empty() && v.trafficking_status_decision_making_org == "CourtOrProsecution";
        let last_exploitation = self.events.iter().filter(|e| e.kind == "Exploitation").map(|e| e.date.as_str()).max();
        let home = |e: &HistoricEvent| {
            e.kind == "Transit"
                && !e.country.is_empty()
                && self.person.citizenship.contains(&e.country)
                && last_exploitation.is_some_and(|x| !e.date.is_empty() && e.date.as_str() >= x)
        };
        let repatriated =
            self.case.reason_for_outgoing_referral == "MigrationOrChangeOfLocation" || self.events.iter().any(home);
        CaseOutcomes { identified, assisted: !self.support_plans.is_empty(), prosecuted, repatriated }
    }

    /// The type of exploitation the victim is counted under (see
    /// [`MULTIPLE_EXPLOITATION`]).
    pub fn exploitation(&self) -> &str {
        match self.victim.type_of_exploitation.as_slice() {
            [] => "",
            [one] => one,
            _ => MULTIPLE_EXPLOITATION,
        }
    }

    /// `F`, `M` or empty, from `prs_Gender`.
    pub fn sex(&self) -> &'static str {
        match self.person.gender.as_str() {
            "Feminine" | "TransgenderFeminine" => "F",
            "Masculine" | "TransgenderMasculine" => "M",
            _ => "",
        }
    }

    /// The victim's age in whole years: `vic_AgeWhenTrafficked`, else from
    /// `prs_Birthdate` on `day` (`YYYY-MM-DD`); `None` when neither is known.
    pub fn age_on(&self, day: &str) -> Option<u32> {
        if let Some(a) = self.victim.age_when_trafficked {
            return Some(a);
        }
        let b = self.person.birthdate.as_str();
        let (by, dy): (i32, i32) = (b.get(..4)?.parse().ok()?, day.get(..4)?.parse().ok()?);
        let before = day.get(5..10)? < b.get(5..10)?;
        u32::try_from(dy - by - i32::from(before)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_follow_the_documented_derivations() {
        let mut r = CaseRecord::default();
        assert_eq!(r.outcomes(), CaseOutcomes::default());
        r.support_plans.push(SupportPlan { kind: "Health".into(), ..Default::default() });
        // Not a victim: nothing counts, a support plan neither.
        r.victim.trafficking_status = "NotAVictimOfTrafficking".into();
        assert_eq!(r.outcomes(), CaseOutcomes::default());
        r.victim.trafficking_status = "PossibleVictimOfTrafficking".into();
        let o = r.outcomes();
        assert!(o.identified && o.assisted && !o.prosecuted && !o.repatriated);
        r.victim.trafficking_status_decision_making_org = "CourtOrProsecution".into();
        assert!(!r.outcomes().prosecuted, "no perpetrator recorded");
        r.perpetrators.push(Perpetrator::default());
        assert!(r.outcomes().prosecuted);
        r.person.citizenship = vec!["HND".into()];
        r.events.push(HistoricEvent {
            kind: "Transit".into(),
            date: "2025-03-01".into(),
            country: "HND".into(),
            ..Default::default()
        });
        assert!(!r.outcomes().repatriated, "a transit without exploitation before it is no return");
        r.events.push(HistoricEvent { kind: "Exploitation".into(), date: "2025-04-01".into(), ..Default::default() });
        assert!(!r.outcomes().repatriated, "the transit came before the exploitation");
        r.events[0].date = "2025-06-01".into();
        assert!(r.outcomes().repatriated);
        r.events[0].country = "GTM".into();
        assert!(!r.outcomes().repatriated);
        r.case.reason_for_outgoing_referral = "MigrationOrChangeOfLocation".into();
        assert!(r.outcomes().repatriated);
        assert_eq!(r.exploitation(), "");
        r.victim.type_of_exploitation = vec!["ForcedLabour".into()];
        assert_eq!(r.exploitation(), "ForcedLabour");
        r.victim.type_of_exploitation.push("ForcedBegging".into());
        assert_eq!(r.exploitation(), MULTIPLE_EXPLOITATION);
        r.person.gender = "TransgenderFeminine".into();
        assert_eq!(r.sex(), "F");
        r.person.birthdate = "2008-06-15".into();
        assert_eq!((r.age_on("2026-06-14"), r.age_on("2026-06-15"), r.age_on("")), (Some(17), Some(18), None));
        r.victim.age_when_trafficked = Some(16);
        assert_eq!(r.age_on("2026-06-15"), Some(16));
    }

    #[test]
    fn picklists_are_checked_by_field() {
        let mut r = CaseRecord::default();
        r.victim.methods_of_control = vec!["DebtBondage".into(), "Magic".into()];
        let e = Case::parse(r).unwrap_err();
        assert_eq!(e.field(), "vic_MethodsOfControl");
        assert_eq!(e.code(), "invalid_picklist_value");
        assert!(e.to_string().contains("WithholdsDocuments"), "{e}");

        let mut r = CaseRecord::default();
        r.victim.type_of_exploitation = vec!["ForcedLabour".into(), "ForcedLabour".into()];
        assert_eq!(Case::parse(r).unwrap_err().field(), "vic_TypeOfExploitation");

        let mut r = CaseRecord::default();
        r.case.status = "Open".into();
        assert_eq!(Case::parse(r).unwrap_err().field(), "cas_Status");

        let mut r = CaseRecord::default();
        r.events.push(HistoricEvent { kind: "Recruitment".into(), date: "2025-02-30".into(), ..Default::default() });
        assert!(matches!(Case::parse(r).unwrap_err(), CaseError::Date { field: "hte_Date", .. }));

        let mut r = CaseRecord::default();
        r.person.citizenship = vec!["GTM".into(), "xx1".into()];
        assert!(matches!(Case::parse(r).unwrap_err(), CaseError::Code { field: "prs_Citizenship", .. }));

        let mut r = CaseRecord::default();
        r.victim.age_when_trafficked = Some(400);
        assert!(matches!(Case::parse(r).unwrap_err(), CaseError::Range { .. }));
    }

    #[test]
    fn a_valid_record_is_normalised() {
        let mut r = CaseRecord::default();
        r.person.first_name = "  María ".into();
        r.person.citizenship = vec!["gtm".into(), "MX".into()];
        r.person.primary_language = "SPA".into();
        r.victim.trafficking_status = " PossibleVictimOfTrafficking".into();
        r.comments = vec!["".into(), "primera entrevista".into()];
        let c = Case::parse(r).unwrap();
        assert_eq!(c.record().person.first_name, "María");
        assert_eq!(c.record().person.citizenship, ["GTM", "MX"]);
        assert_eq!(c.record().person.primary_language, "spa");
        assert_eq!(c.status(), "Active");
        assert!(c.is_open());
        assert_eq!(c.record().comments, ["primera entrevista"]);
        // Parsing again changes nothing.
        assert_eq!(Case::parse(c.record().clone()).unwrap(), c);
    }

    #[test]
    fn every_picklist_value_is_accepted_and_serialised_by_its_htcds_name() {
        for v in picklist::METHODS_OF_CONTROL {
            let mut r = CaseRecord::default();
            r.victim.methods_of_control = vec![(*v).to_string()];
            let c = Case::parse(r).unwrap();
            let json = serde_json::to_string(&c).unwrap();
            assert!(json.contains(&format!("\"vic_MethodsOfControl\":[\"{v}\"]")), "{json}");
        }
        let back: CaseRecord = serde_json::from_str(r#"{"case":{"cas_Status":"Closed"}}"#).unwrap();
        assert_eq!(back.case.status, "Closed");
        assert!(serde_json::from_str::<CaseRecord>(r#"{"person":{"prs_Nickname":"x"}}"#).is_err());
    }

    #[test]
    fn csv_quotes_and_guards_formulas() {
        assert_eq!(csv_line(&["a", "b,c", "say \"hi\"", "x\ny"]), "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"");
        assert_eq!(csv_line(&["=HYPERLINK(1)", "-3.5", "+502"]), "'=HYPERLINK(1),-3.5,+502");
        assert_eq!(csv_line(&["@x", "-x"]), "'@x,'-x");
    }

    #[test]
    fn export_tables_have_rows_as_wide_as_their_headers() {
        let mut r = CaseRecord::default();
        r.perpetrators.push(Perpetrator { role_in_process: vec!["Smuggler".into()], ..Default::default() });
        r.events.push(HistoricEvent { kind: "Transit".into(), latitude: Some(14.6), ..Default::default() });
        r.support_plans.push(SupportPlan { kind: "Legal".into(), ..Default::default() });
        r.comments.push("nota".into());
        let c = Case::parse(r).unwrap();
        let e = ExportCase { case_id: 7, version: 2, opened_at: "a", updated_at: "b", record: c.record() };
        for (name, header, rows) in export_rows(&[e]) {
            assert_eq!(rows.len(), 1, "{name}");
            assert_eq!(header[0], "case_id");
            for row in rows {
                assert_eq!(row.len(), header.len(), "{name}");
                assert_eq!(row[0], "7");
            }
        }
    }
}
