//! The HTCDS-compatible export: cases flattened into CSV tables.

use serde::Serialize;

use super::CaseRecord;
use crate::CountryCode;

/// How the export writes ISO 3166 country codes (`prs_Citizenship`,
/// `prs_MailingCountry`, `org_ShippingCountry`, `hte_Country`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CountryCodes {
    /// Three letters (`GTM`): the default, as the standard's text says
    /// ("ISO 3166 country codes, two-letter country codes optional").
    /// ICAO's own codes are written as ISO's (`D` as `DEU`).
    #[default]
    Alpha3,
    /// Two letters (`GT`), as IOM's survey toolkit (XLSForm) lists them.
    /// A code with no state behind it (`XXA` stateless, `UNO` …) stays
    /// as it is.
    Alpha2,
}

impl CountryCodes {
    /// One stored code (alpha-3, or ICAO's `D`, `GBD` …) as the export
    /// writes it.
    pub fn write(self, code: &str) -> String {
        let Ok(c) = CountryCode::parse(code) else { return code.to_string() };
        let a2 = crate::countries::alpha3_to_alpha2(&c);
        match (self, a2) {
            (CountryCodes::Alpha2, Some(a2)) => a2.to_string(),
            (CountryCodes::Alpha3, Some(a2)) => crate::countries::alpha2_to_alpha3(a2)
                .map_or_else(|| c.as_str().to_string(), |a3| a3.as_str().to_string()),
            (_, None) => c.as_str().to_string(),
        }
    }
}

impl CaseRecord {
    /// The record with every country code written as `codes` says (the
    /// JSON export's form).
    pub fn with_country_codes(&self, codes: CountryCodes) -> CaseRecord {
        let mut r = self.clone();
        let one = |v: &mut String| {
            if !v.is_empty() {
                *v = codes.write(v);
            }
        };
        r.person.citizenship.iter_mut().for_each(one);
        one(&mut r.person.mailing_country);
        r.perpetrators.iter_mut().flat_map(|p| p.citizenship.iter_mut()).for_each(one);
        r.organisations.iter_mut().for_each(|o| one(&mut o.shipping_country));
        r.events.iter_mut().for_each(|e| one(&mut e.country));
        r
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
/// `organisations` (keyed by `case_id` and `organisation_id`, which the
/// cases' lookups hold), `perpetrators`, `events`, `support_plans`,
/// `comments` keyed by `case_id`. Country codes in alpha-3.
pub fn export_rows(cases: &[ExportCase<'_>]) -> Vec<Table> {
    export_rows_with(cases, CountryCodes::Alpha3)
}

/// [`export_rows`] with country codes written as `codes` says.
pub fn export_rows_with(cases: &[ExportCase<'_>], codes: CountryCodes) -> Vec<Table> {
    let join = |v: &[String]| v.join(";");
    let country = |v: &str| if v.is_empty() { String::new() } else { codes.write(v) };
    let countries = |v: &[String]| v.iter().map(|c| codes.write(c)).collect::<Vec<_>>().join(";");
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
        "prs_MailingLatitude",
        "prs_MailingLongitude",
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
    let mut orgs = Vec::new();
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
            gender(&p.gender),
            flag(p.deceased),
            p.marital_status.clone(),
            num(p.number_of_children),
            p.primary_language.clone(),
            p.secondary_language.clone(),
            p.highest_level_of_education.clone(),
            countries(&p.citizenship),
            p.identity_number.clone(),
            p.title.clone(),
            p.email.clone(),
            p.home_phone.clone(),
            p.mobile_phone.clone(),
            p.mailing_city.clone(),
            country(&p.mailing_country),
            p.mailing_state.clone(),
            p.mailing_street.clone(),
            p.mailing_postal_code.clone(),
            coord(p.mailing_latitude),
            coord(p.mailing_longitude),
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
        for x in &e.record.organisations {
            orgs.push(vec![
                id.clone(),
                x.id.clone(),
                x.name.clone(),
                x.kind.clone(),
                x.phone.clone(),
                x.shipping_street.clone(),
                x.shipping_city.clone(),
                x.shipping_state.clone(),
                x.shipping_postal_code.clone(),
                country(&x.shipping_country),
                coord(x.shipping_latitude),
                coord(x.shipping_longitude),
            ]);
        }
        for x in &e.record.perpetrators {
            perps.push(vec![
                id.clone(),
                x.first_name.clone(),
                x.second_name.clone(),
                gender(&x.gender),
                countries(&x.citizenship),
                join(&x.role_in_process),
                x.role_details.clone(),
            ]);
        }
        for x in &e.record.events {
            events.push(vec![
                id.clone(),
                x.kind.clone(),
                x.date.clone(),
                country(&x.country),
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
            "organisations",
            vec![
                "case_id",
                "organisation_id",
                "org_Name",
                "org_Type",
                "org_Phone",
                "org_ShippingStreet",
                "org_ShippingCity",
                "org_ShippingState",
                "org_ShippingPostalCode",
                "org_ShippingCountry",
                "org_ShippingLatitude",
                "org_ShippingLongitude",
            ],
            orgs,
        ),
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

/// A gender as HTCDS writes it: unknown is `NonSpecifiedUnknown`, not
/// empty.
fn gender(g: &str) -> String {
    if g.is_empty() { "NonSpecifiedUnknown".to_owned() } else { g.to_owned() }
}

/// HTCDS 2.0 fields marked DEPRECATED: kept in stored records (older
/// versions hold them) but never exported.
pub const DEPRECATED: &[&str] =
    &["vic_AgreementToManagePersonalData", "vic_Vulnerabilities", "vic_DetailsOfVulnerabilities"];

/// One CSV line (no line end), each field as [`crate::csv::field`] writes
/// it: quoted as needed, spreadsheet formulas defused.
pub fn csv_line<S: AsRef<str>>(fields: &[S]) -> String {
    crate::csv::line(fields)
}
