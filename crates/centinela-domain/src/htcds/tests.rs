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
    assert_eq!(c.record().person.citizenship, ["GTM", "MEX"]);
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

/// The standard's DEPRECATED fields are not exported, and an unknown
/// gender is the standard's `NonSpecifiedUnknown`, never empty.
#[test]
fn export_leaves_deprecated_fields_out_and_names_unknown_gender() {
    let record: CaseRecord = serde_json::from_str(r#"{"person":{"prs_FirstName":"Ana"}}"#).unwrap();
    let rows = vec![ExportCase {
        case_id: 1,
        version: 1,
        opened_at: "2026-01-01T00:00:00Z",
        updated_at: "2026-01-01T00:00:00Z",
        record: &record,
    }];
    let tables = export_rows(&rows);
    let (_, header, data) = &tables[0];
    for d in DEPRECATED {
        assert!(!header.contains(d), "{d} exported");
    }
    let g = header.iter().position(|h| *h == "prs_Gender").unwrap();
    assert_eq!(data[0][g], "NonSpecifiedUnknown");
}

#[test]
fn export_tables_have_rows_as_wide_as_their_headers() {
    let mut r = CaseRecord::default();
    r.perpetrators.push(Perpetrator { role_in_process: vec!["Smuggler".into()], ..Default::default() });
    r.events.push(HistoricEvent { kind: "Transit".into(), latitude: Some(14.6), ..Default::default() });
    r.support_plans.push(SupportPlan { kind: "Legal".into(), ..Default::default() });
    r.comments.push("nota".into());
    r.case.referring_organisation = "Casa del Migrante".into();
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
