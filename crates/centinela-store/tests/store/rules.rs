//! Risk rules with versions and their audit entries, on SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::{raw, stores};
use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, Role, Sex, Timestamp};
use centinela_store::{HitKind, NewHit, NewInspection, StoreError, Verdict};

const T2: &str = "rule T2 \"Unaccompanied minor\" { category possible_victim action refer_to_protection \
                  when traveller.minor and party.adults == 0 }";

#[tokio::test]
async fn saving_enabling_and_disabling_append_versions_and_audit() {
    for (store, _dir) in stores().await {
        assert!(store.rules().await.unwrap().is_empty());
        let v1 = store.save_rule("analista", "T2", T2, true).await.unwrap();
        assert_eq!((v1.version, v1.enabled, v1.change.as_str()), (1, true, "saved"));
        // The same text and state again: nothing new.
        assert_eq!(store.save_rule("analista", "T2", T2, true).await.unwrap(), v1);
        let v2 = store.set_rule_enabled("supervisor", "T2", false).await.unwrap();
        assert_eq!((v2.version, v2.enabled, v2.change.as_str(), v2.source.as_str()), (2, false, "disabled", T2));
        assert_eq!(store.set_rule_enabled("supervisor", "T2", false).await.unwrap().version, 2);
        let changed = T2.replace("== 0", "== 0 and traveller.age < 16");
        let v3 = store.save_rule("analista", "T2", &changed, true).await.unwrap();
        assert_eq!(v3.version, 3);
        store.save_rule("analista", "N9", T2, false).await.unwrap();

        let current = store.rules().await.unwrap();
        assert_eq!(current.iter().map(|r| (r.rule_id.as_str(), r.version)).collect::<Vec<_>>(), [("N9", 1), ("T2", 3)]);
        assert_eq!(current[1].source, changed);
        assert_eq!(store.rule_versions("T2").await.unwrap().len(), 3);

        let audit = store.audit_entries(None).await.unwrap();
        let actions: Vec<(&str, &str)> = audit.iter().map(|a| (a.action.as_str(), a.subject.as_str())).collect();
        assert_eq!(
            actions,
            [("rule_saved", "T2"), ("rule_disabled", "T2"), ("rule_saved", "T2"), ("rule_saved", "N9")],
            "{audit:?}"
        );
        assert_eq!(audit[1].actor, "supervisor");
        assert!(audit[1].detail.contains("\"version\":2"));
        assert_eq!(store.audit_verify().await.unwrap(), Ok(4));

        assert!(matches!(store.set_rule_enabled("x", "NOPE", true).await, Err(StoreError::NotFound(_))));
        assert!(matches!(store.save_rule("x", "bad id", T2, true).await, Err(StoreError::Invalid(_))));
        assert!(raw(&store, "UPDATE rules SET enabled = enabled").await.is_err());
        assert!(raw(&store, "DELETE FROM rules").await.is_err());
        assert_eq!(store.rule_versions("T2").await.unwrap().len(), 3);
    }
}

fn record(id: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: "Ana".into(),
        surnames: "López".into(),
        birth_date: BirthDate::parse_opt("1990-04-05").unwrap(),
        nationality: CountryCode::parse_opt("GTM").unwrap(),
        sex: Sex::Female,
        document_type: "P".into(),
        ..CrossingRecord::new(id, "GTM-TECUNUMAN", Direction::Entry, Timestamp::parse("2026-02-01T10:00:00Z").unwrap())
    }
}

#[tokio::test]
async fn crossing_outcomes_follow_the_latest_adjudication() {
    for (store, _dir) in stores().await {
        let off = store
            .create_user("system", "oficial1", Role::Officer, Some("GTM-TECUNUMAN"), "una clave bastante larga")
            .await
            .unwrap();
        let hit = || NewHit {
            kind: HitKind::Person,
            list_name: "wanted".into(),
            list_kind: centinela_domain::ListKind::Wanted,
            entry_id: "W-1".into(),
            score: 0.9,
            action: "secondary_inspection".into(),
            explanation: "[]".into(),
            list_version: None,
        };
        let parties: Vec<Vec<NewInspection>> = ["A", "B", "C"]
            .iter()
            .map(|id| {
                vec![NewInspection {
                    record: record(id),
                    relation: "lead".into(),
                    officer_id: off.id,
                    actor: "oficial1".into(),
                    suggested: "secondary_inspection".into(),
                    result: "{}".into(),
                    hits: if *id == "C" { vec![] } else { vec![hit()] },
                    flags: vec![],
                    history_shown: Vec::new(),
                }]
            })
            .collect();
        let rec: Vec<_> =
            store.record_inspections(&parties).await.unwrap().into_iter().map(|r| r.unwrap().remove(0)).collect();
        let actor = centinela_store::Actor { user_id: off.id, username: "oficial1", role: Role::Officer };
        store.adjudicate(actor, rec[0].hit_ids[0], Verdict::Dismissed, "no").await.unwrap();
        store.adjudicate(actor, rec[0].hit_ids[0], Verdict::Confirmed, "sí, por huellas").await.unwrap();
        store.adjudicate(actor, rec[1].hit_ids[0], Verdict::Confirmed, "sí").await.unwrap();
        store.adjudicate(actor, rec[1].hit_ids[0], Verdict::Dismissed, "corrección").await.unwrap();
        let out = store.crossing_outcomes().await.unwrap();
        let got: Vec<(&str, bool)> = out.iter().map(|o| (o.crossing_id.as_str(), o.confirmed)).collect();
        assert_eq!(got, [("A", true), ("B", false)]);
    }
}
