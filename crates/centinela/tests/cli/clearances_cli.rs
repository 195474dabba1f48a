//! `centinela clearances list|extend|revoke` on SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL: a supervisor's clearance made through
//! the store is listed (in force), extended to the traveller's older
//! passport that intelligence links to them (audited), revoked with a
//! reason (audited), then listed only with `--all`; revoking twice fails.

use crate::support::{PG_AUDIT_KEY, fresh_db, run, text};
use centinela_domain::audit::AuditKey;
use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, ListKind, Role, Sex, Timestamp,
};
use centinela_store::{Actor, HitKind, ListRows, NewHit, NewInspection, NewVersion, Store, Verdict};

const UID: &str = "0190a1b2-0000-7000-8000-00000000c1ea";

async fn clearance(db: &str) {
    let key = if db.starts_with("postgres") {
        PG_AUDIT_KEY.to_string()
    } else {
        std::fs::read_to_string(format!("{db}.audit-key")).unwrap()
    };
    let store = Store::connect(db).await.unwrap().with_audit_key(AuditKey::parse(key.trim()).unwrap()).await.unwrap();
    let entry =
        AlertEntry {
            id: "W-1".into(), given_names: "José".into(), surnames: "Hernández".into(), ..Default::default()
        };
    let nv = NewVersion {
        list: "buscados",
        kind: ListKind::Wanted,
        source: None,
        file_name: "b.csv",
        format: "csv",
        rows_read: 1,
        rows_skipped: 0,
        keep_old_versions: true,
    };
    store.import_version(&nv, &ListRows::Entries(vec![entry])).await.unwrap();
    let pw = "una clave bastante larga";
    let officer = store.create_user("system", "oficial", Role::Officer, None, pw).await.unwrap();
    let sup = store.create_user("system", "supervisora", Role::Supervisor, None, pw).await.unwrap();
    let crossing = |id: &str, document: &str, at: &str| CrossingRecord {
        given_names: "José Luis".into(),
        surnames: "Hernández Villalobos".into(),
        birth_date: BirthDate::parse_opt("1980-05-17").unwrap(),
        sex: Sex::Male,
        document_type: "P".into(),
        document_number: Some(DocumentNumber::parse(document).unwrap()),
        issuing_state: CountryCode::parse_opt("GTM").unwrap(),
        ..CrossingRecord::new(id, "GTM-TECUNUMAN", Direction::Entry, Timestamp::parse(at).unwrap())
    };
    // Last year, on the passport since renewed.
    store.import_crossings("system", &[crossing("C-0", "G1111111", "2025-06-01T10:00:00Z")]).await.unwrap();
    let record = crossing("C-1", "G1234567", "2026-03-01T10:00:00Z");
    let hit = NewHit {
        kind: HitKind::Person,
        list_name: "buscados".into(),
        list_kind: centinela_domain::ListKind::Wanted,
        entry_id: "W-1".into(),
        score: 0.6,
        action: "secondary_inspection".into(),
        explanation: "[]".into(),
        list_version: Some(1),
    };
    let ins = NewInspection {
        record,
        relation: String::new(),
        officer_id: officer.id,
        actor: "oficial".into(),
        suggested: "secondary_inspection".into(),
        result: "{}".into(),
        hits: vec![hit],
        flags: vec![],
        history_shown: Vec::new(),
    };
    let hit = store.record_inspections(&[vec![ins]]).await.unwrap().pop().unwrap().unwrap()[0].hit_ids[0];
    let actor = Actor { user_id: sup.id, username: "supervisora", role: Role::Supervisor };
    store.adjudicate(actor, hit, Verdict::Dismissed, "otra persona").await.unwrap();
    store.clear_hit(actor, UID, hit, "viajero diario", 365, Timestamp::now()).await.unwrap();
    store.close().await;
}

#[test]
fn clearances_are_listed_and_revoked_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path(), "clearances");
    let o = run(&db, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(clearance(&db));

    let o = run(&db, &["clearances", "list"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let line: Vec<&str> = out.lines().next().unwrap().split('\t').collect();
    assert_eq!(&line[..7], &[UID, "in_force", "GTM-TECUNUMAN", "buscados", "W-1", "G1234567", "GTM"]);
    assert_eq!(line[10], "viajero diario");

    // The centre's pass: the older passport of the same person is covered.
    let o = run(&db, &["clearances", "extend", "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((r["clearances"].as_u64(), r["extended"].as_u64()), (Some(1), Some(1)), "{r}");
    let o = run(&db, &["clearances", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(listed[0]["documents"][0]["document_number"], "G1111111", "{listed}");
    assert_eq!(listed[0]["documents"][0]["added_by"], "cli");
    let o = run(&db, &["clearances", "extend"]);
    assert!(text(&o.stdout).starts_with("0 documento(s)"), "once only: {}", text(&o.stdout));

    let o = run(&db, &["clearances", "revoke", UID]);
    assert!(!o.status.success(), "a reason is required");
    let o = run(&db, &["clearances", "revoke", UID, "--reason", "nueva información"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&db, &["clearances", "revoke", UID, "--reason", "otra vez"]);
    assert!(!o.status.success(), "revoked twice");

    let o = run(&db, &["clearances", "list"]);
    assert!(text(&o.stdout).trim().is_empty(), "{}", text(&o.stdout));
    let o = run(&db, &["clearances", "list", "--all", "--json"]);
    let all: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(all[0]["status"], "revoked");
    assert_eq!(all[0]["revoke_reason"], "nueva información");
    assert_eq!(all[0]["revoked_by"], "cli");

    let o = run(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(&db, &["audit", "show"]);
    let shown = text(&o.stdout);
    assert!(shown.contains("clearance_revoked") && shown.contains("clearances_viewed"), "{shown}");
    assert!(shown.contains("clearance_extended") && !shown.contains("G1111111"), "{shown}");
}
