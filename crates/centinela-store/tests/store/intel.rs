//! Analysts' merge and split decisions: append-only, audited, withdrawn by
//! a new row; the stamp that invalidates cached analyses. On SQLite and
//! (with `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::{raw, stores};
use centinela_domain::{CrossingRecord, Direction, Sex, Timestamp};
use centinela_store::{OverrideKind, StoreError};

fn rec(id: &str, given: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: given.into(),
        surnames: "Pérez".into(),
        sex: Sex::Female,
        ..CrossingRecord::new(id, "GTM-TECUNUMAN", Direction::Entry, Timestamp::parse("2025-03-01T10:00:00Z").unwrap())
    }
}

#[tokio::test]
async fn decisions_are_appended_audited_and_withdrawn() {
    for (store, _dir) in stores().await {
        let s0 = store.intel_stamp().await.unwrap();
        assert_eq!((s0.crossings, s0.last_crossing, s0.last_override), (0, 0, 0));
        store.import_crossings("admin", &[rec("C1", "Ana"), rec("C2", "Ana María"), rec("C3", "Rosa")]).await.unwrap();
        let s1 = store.intel_stamp().await.unwrap();
        assert_eq!(s1.crossings, 3);
        assert_ne!(s1, s0);

        let m = store.add_intel_override("analista", OverrideKind::Merge, "C1", "C2", "misma foto").await.unwrap();
        let s = store.add_intel_override("analista", OverrideKind::Split, "C1", "C3", "").await.unwrap();
        let s2 = store.intel_stamp().await.unwrap();
        assert_ne!(s2, s1);
        assert_eq!(s2.crossings, 3);
        let live = store.intel_overrides().await.unwrap();
        assert_eq!(
            live.iter().map(|o| (o.id, o.kind)).collect::<Vec<_>>(),
            [(m.id, OverrideKind::Merge), (s.id, OverrideKind::Split)]
        );
        assert_eq!(live[0].reason, "misma foto");
        assert_eq!(live[0].actor, "analista");

        assert!(matches!(
            store.add_intel_override("analista", OverrideKind::Merge, "C1", "NOPE", "").await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            store.add_intel_override("analista", OverrideKind::Merge, "C1", "C1", "").await,
            Err(StoreError::Invalid(_))
        ));

        store.withdraw_intel_override("jefa", m.id, "otra persona").await.unwrap();
        assert!(matches!(store.withdraw_intel_override("jefa", m.id, "").await, Err(StoreError::NotFound(_))));
        assert!(matches!(store.withdraw_intel_override("jefa", 9999, "").await, Err(StoreError::NotFound(_))));
        let live = store.intel_overrides().await.unwrap();
        assert_eq!(live.iter().map(|o| o.id).collect::<Vec<_>>(), [s.id]);
        assert_ne!(store.intel_stamp().await.unwrap(), s2);

        let audit = store.audit_entries(None).await.unwrap();
        let actions: Vec<(&str, &str)> = audit.iter().map(|a| (a.action.as_str(), a.subject.as_str())).collect();
        let m_subject = format!("override:{}", m.id);
        let s_subject = format!("override:{}", s.id);
        assert_eq!(
            actions[1..],
            [
                ("intel_merge", m_subject.as_str()),
                ("intel_split", s_subject.as_str()),
                ("intel_withdraw", m_subject.as_str())
            ],
            "{audit:?}"
        );
        // Ids only in the audit detail, no names.
        assert!(audit[1].detail.contains("\"C2\"") && !audit[1].detail.contains("Ana"));
        assert_eq!(store.audit_verify().await.unwrap(), Ok(4));

        assert!(raw(&store, "UPDATE intel_overrides SET reason = 'x'").await.is_err());
        assert!(raw(&store, "DELETE FROM intel_overrides").await.is_err());
        assert_eq!(store.intel_overrides().await.unwrap().len(), 1);

        let got = store.crossings_by_ids(&["C3".into(), "C1".into(), "NOPE".into()]).await.unwrap();
        let mut ids: Vec<&str> = got.iter().map(|c| c.record.crossing_id.as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["C1", "C3"]);
    }
}
