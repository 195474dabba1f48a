//! The HTCDS export against IOM's official field list
//! (`docs/htcds-2.0-fields.csv`, from `HTCDS Field Standards 2.0.ods`):
//! every exported column an official field in force (or one of the
//! export's own keys), every official field in force exported, every value
//! list the standard's, the DEPRECATED fields nowhere.

use std::collections::{BTreeMap, BTreeSet};

use centinela_domain::htcds::{
    Case, CaseRecord, CountryCodes, ExportCase, HistoricEvent, Organisation, Perpetrator, Table, export_rows,
    export_rows_with, picklist as pl,
};

/// The export's own keys (HTCDS has no identifiers).
const KEYS: &[&str] = &["case_id", "version", "opened_at", "updated_at", "organisation_id"];

struct Field {
    status: String,
    values: Vec<String>,
}

fn official() -> BTreeMap<String, Field> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/htcds-2.0-fields.csv");
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().clone();
    assert_eq!(h.iter().collect::<Vec<_>>(), ["section", "field", "type", "status", "values"]);
    r.records()
        .map(|row| {
            let row = row.unwrap();
            let picklist = row[2].contains("Picklist") && !row[4].starts_with("Use ISO");
            let values = if picklist { row[4].split_whitespace().map(str::to_string).collect() } else { vec![] };
            (row[1].to_string(), Field { status: row[3].to_string(), values })
        })
        .collect()
}

fn full_record() -> CaseRecord {
    let mut r = CaseRecord::default();
    r.person.first_name = "Ana".into();
    r.person.citizenship = vec!["GTM".into(), "D".into()];
    r.person.mailing_country = "MX".into();
    r.person.mailing_latitude = Some(14.63);
    r.person.mailing_longitude = Some(-90.51);
    r.victim.agreement_to_manage_personal_data = true;
    r.victim.vulnerabilities = vec!["Poverty".into()];
    r.victim.details_of_vulnerabilities = "x".into();
    r.victim.location_of_recruitment = "Mercado central".into();
    r.organisations.push(Organisation {
        name: "Puesto Tecún Umán".into(),
        kind: "ImmigrationService".into(),
        shipping_country: "GTM".into(),
        shipping_latitude: Some(14.68),
        ..Organisation::default()
    });
    r.case.referring_organisation = "org-1".into();
    r.case.referred_organisation = "Casa del Migrante".into();
    r.perpetrators.push(Perpetrator { citizenship: vec!["HND".into()], ..Default::default() });
    r.events.push(HistoricEvent { kind: "Transit".into(), country: "SV".into(), ..Default::default() });
    Case::parse(r).unwrap().into_record()
}

#[test]
fn every_exported_column_is_an_official_field_in_force_and_every_field_in_force_is_exported() {
    let official = official();
    assert_eq!(official.len(), 83, "the standard's 83 fields");
    let record = full_record();
    let e = ExportCase { case_id: 1, version: 1, opened_at: "a", updated_at: "b", record: &record };
    let mut exported = BTreeSet::new();
    for (table, header, _) in export_rows(&[e]) {
        for h in header {
            if KEYS.contains(&h) {
                continue;
            }
            let f = official.get(h).unwrap_or_else(|| panic!("{table}.{h} is not an HTCDS 2.0 field"));
            assert_eq!(f.status, "", "{table}.{h} is {}", f.status);
            exported.insert(h);
        }
    }
    let missing: Vec<_> = official
        .iter()
        .filter(|(k, f)| f.status.is_empty() && !exported.contains(k.as_str()))
        .map(|(k, _)| k)
        .collect();
    assert!(missing.is_empty(), "fields in force not exported: {missing:?}");
}

#[test]
fn every_value_list_is_the_standards() {
    let official = official();
    let ours: &[(&str, &[&str])] = &[
        ("org_Type", pl::ORG_TYPE),
        ("prs_Gender", pl::GENDER),
        ("prs_MaritalStatus", pl::MARITAL_STATUS),
        ("prs_HighestLevelOfEducation", pl::EDUCATION),
        ("vic_TraffickingStatus", pl::TRAFFICKING_STATUS),
        ("vic_TraffickingStatusDecisionMakingOrg", pl::DECISION_ORG),
        ("vic_RelationshipToTrafficker", pl::RELATIONSHIP),
        ("vic_RecruitmentWebsitesAndApps", pl::WEBSITES),
        ("vic_ExploitationWebsitesAndApps", pl::WEBSITES),
        ("vic_MethodOfRecruitment", pl::METHOD_OF_RECRUITMENT),
        ("vic_MethodsOfControl", pl::METHODS_OF_CONTROL),
        ("vic_TypeOfExploitation", pl::TYPE_OF_EXPLOITATION),
        ("vic_ForcedLabourIndustry", pl::FORCED_LABOUR_INDUSTRY),
        ("vic_TypeOfSexExploitation", pl::TYPE_OF_SEX_EXPLOITATION),
        ("vic_Vulnerabilities", pl::VULNERABILITIES),
        ("per_RoleInProcess", pl::ROLE_IN_PROCESS),
        ("cas_Status", pl::CASE_STATUS),
        ("cas_ReasonForIncomingReferral", pl::REFERRAL_REASON),
        ("cas_ReasonForOutgoingReferral", pl::REFERRAL_REASON),
        ("hte_Type", pl::EVENT_TYPE),
        ("spl_Type", pl::SUPPORT_TYPE),
    ];
    for (field, values) in ours {
        assert_eq!(official[*field].values, *values, "{field}");
    }
    let with_lists = official.values().filter(|f| !f.values.is_empty()).count();
    assert_eq!(with_lists, ours.len(), "a value list of the standard unchecked");
}

/// The JSON export (and the API's answers, and what is stored) hold no
/// DEPRECATED field, and every key is an official field, a section or
/// the organisation's id.
#[test]
fn json_holds_no_deprecated_field() {
    let official = official();
    let record = full_record();
    let json = serde_json::to_value(&record).unwrap();
    fn keys(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    out.push(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    keys(&json, &mut all);
    let sections = [
        "person",
        "organisations",
        "victim",
        "perpetrators",
        "case",
        "consent",
        "events",
        "support_plans",
        "comments",
        "id",
    ];
    for k in all {
        if sections.contains(&k.as_str()) {
            continue;
        }
        let f = official.get(&k).unwrap_or_else(|| panic!("{k} is not an HTCDS 2.0 field"));
        assert_eq!(f.status, "", "{k} is {}", f.status);
    }
    // Older stored versions that hold them still read.
    let old: CaseRecord = serde_json::from_str(
        r#"{"victim":{"vic_Vulnerabilities":["Poverty"],"vic_AgreementToManagePersonalData":true}}"#,
    )
    .unwrap();
    assert_eq!(old.victim.vulnerabilities, ["Poverty"]);
    assert!(Case::parse(old).unwrap().record().victim.vulnerabilities.is_empty());
}

/// Lookups to an organisation are references to one of the record's
/// organisations; a name becomes one.
#[test]
fn lookups_refer_to_organisations() {
    let r = full_record();
    assert_eq!(r.case.referring_organisation, "org-1");
    let referred = r.organisations.iter().find(|o| o.id == r.case.referred_organisation).unwrap();
    assert_eq!(referred.name, "Casa del Migrante");
    let place = r.organisations.iter().find(|o| o.id == r.victim.location_of_recruitment).unwrap();
    assert_eq!(place.name, "Mercado central");
    assert_eq!(r.organisations.len(), 3);
    // Parsing again changes nothing.
    assert_eq!(Case::parse(r.clone()).unwrap().record(), &r);
    // A name already in the record is that organisation.
    let mut again = r.clone();
    again.case.referred_organisation = "Puesto Tecún Umán".into();
    assert_eq!(Case::parse(again).unwrap().record().case.referred_organisation, "org-1");
    // An id naming none is refused.
    let mut bad = r.clone();
    bad.case.referred_organisation = "org-9".into();
    assert_eq!(Case::parse(bad).unwrap_err().field(), "cas_ReferredOrganisation");
    let mut twice = r.clone();
    twice.organisations[1].id = "org-1".into();
    assert_eq!(Case::parse(twice).unwrap_err().field(), "organisation_id");
    let mut kind = r;
    kind.organisations[0].kind = "Embassy".into();
    assert_eq!(Case::parse(kind).unwrap_err().field(), "org_Type");
}

/// Countries: stored alpha-3 (an alpha-2 input converted, an unknown one
/// refused), exported alpha-3 by default (ICAO's `D` as `DEU`) or alpha-2.
#[test]
fn country_codes_alpha3_by_default_alpha2_on_request() {
    let r = full_record();
    assert_eq!(r.person.mailing_country, "MEX");
    assert_eq!(r.events[0].country, "SLV");
    let e = ExportCase { case_id: 1, version: 1, opened_at: "a", updated_at: "b", record: &r };
    let col = |tables: &[Table], t: &str, c: &str| {
        let (_, h, rows) = tables.iter().find(|x| x.0 == t).unwrap();
        rows[0][h.iter().position(|x| *x == c).unwrap()].clone()
    };
    let a3 = export_rows(std::slice::from_ref(&e));
    assert_eq!(col(&a3, "cases", "prs_Citizenship"), "GTM;DEU");
    assert_eq!(col(&a3, "cases", "prs_MailingCountry"), "MEX");
    assert_eq!(col(&a3, "organisations", "org_ShippingCountry"), "GTM");
    let a2 = export_rows_with(std::slice::from_ref(&e), CountryCodes::Alpha2);
    assert_eq!(col(&a2, "cases", "prs_Citizenship"), "GT;DE");
    assert_eq!(col(&a2, "cases", "prs_MailingCountry"), "MX");
    assert_eq!(col(&a2, "perpetrators", "prs_Citizenship"), "HN");
    assert_eq!(col(&a2, "events", "hte_Country"), "SV");
    assert_eq!(col(&a2, "organisations", "org_ShippingCountry"), "GT");
    let json = r.with_country_codes(CountryCodes::Alpha2);
    assert_eq!(json.person.citizenship, ["GT", "DE"]);
    let mut bad = r;
    bad.person.citizenship = vec!["ZZ".into()];
    assert_eq!(Case::parse(bad).unwrap_err().field(), "prs_Citizenship");
}
