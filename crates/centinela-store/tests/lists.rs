//! Store tests: always against SQLite in a temp dir; also against PostgreSQL
//! when `CENTINELA_TEST_PG` holds a URL (each test gets a fresh database;
//! `scripts/pg-test-server` starts a throwaway server).

mod common;

use centinela_domain::{AlertEntry, CountryCode, DocumentNumber, DocumentRecord, DocumentStatus, ListKind, Sex};
use centinela_store::{ListRows, NewVersion, Store, StoreError};
use common::stores;

fn person(id: &str, given: &str, sur: &str) -> AlertEntry {
    AlertEntry {
        id: id.into(),
        given_names: given.into(),
        surnames: sur.into(),
        aliases: vec![format!("{sur} alias")],
        birth_dates: vec![centinela_domain::BirthDate::parse("1980-03").unwrap()],
        nationalities: vec![CountryCode::parse("MEX").unwrap()],
        sex: Sex::Female,
        document_numbers: vec![DocumentNumber::parse("G123").unwrap()],
        notes: "n".into(),
    }
}

fn doc(n: &str, state: Option<&str>, status: DocumentStatus) -> DocumentRecord {
    DocumentRecord {
        document_number: DocumentNumber::parse(n).unwrap(),
        issuing_state: state.map(|s| CountryCode::parse(s).unwrap()),
        document_type: "P".into(),
        status,
        reported_at: "2024-01-05".into(),
    }
}

fn version<'a>(list: &'a str, kind: ListKind, rows: usize) -> NewVersion<'a> {
    NewVersion {
        list,
        kind,
        source: Some("test"),
        file_name: "f.csv",
        format: "csv",
        rows_read: rows as u64,
        rows_skipped: 0,
        keep_old_versions: false,
    }
}

#[tokio::test]
async fn versions_replace_each_other_atomically() {
    for (store, _dir) in stores().await {
        let v1: Vec<_> = (0..1200).map(|i| person(&format!("A{i}"), "Ana", "Ruiz")).collect();
        let out =
            store.import_version(&version("red", ListKind::Wanted, v1.len()), &ListRows::Entries(v1)).await.unwrap();
        assert_eq!((out.version, out.rows_imported, out.created_list), (1, 1200, true));
        let cur = store.current_entries().await.unwrap();
        let mut ids: Vec<&str> = cur.iter().map(|e| e.entry.id.as_str()).collect();
        ids.dedup();
        assert_eq!(ids.len(), 1200);
        assert_eq!(cur[0].entry, person("A0", "Ana", "Ruiz"));

        let v2 = vec![person("B1", "Luis", "Soto"), person("B2", "Eva", "Paz")];
        let out =
            store.import_version(&version("red", ListKind::Wanted, 2), &ListRows::Entries(v2.clone())).await.unwrap();
        // The replaced version stays until the next import (posts holding
        // it receive version 2 as a delta); nothing is purged yet.
        assert_eq!((out.version, out.rows_imported, out.purged_versions), (2, 2, 0));
        assert_eq!(store.version_row_count("red", 1).await.unwrap(), 1200);
        let cur = store.current_entries().await.unwrap();
        assert_eq!(cur.iter().map(|e| e.entry.clone()).collect::<Vec<_>>(), v2);
        assert_eq!(cur[0].action.as_ref(), ListKind::Wanted.default_action());
        assert_eq!(&*cur[0].list, "red");

        // A version that fails half-way (duplicate ids break the primary
        // key) changes nothing.
        let bad = vec![person("C1", "X", "Y"), person("C1", "X", "Y")];
        assert!(store.import_version(&version("red", ListKind::Wanted, 2), &ListRows::Entries(bad)).await.is_err());
        let lists = store.lists().await.unwrap();
        assert_eq!(lists.len(), 1);
        assert_eq!((lists[0].version, lists[0].versions, lists[0].rows_imported), (Some(2), 2, 2));
        assert_eq!(store.current_entries().await.unwrap().len(), 2);

        // Wrong kind for an existing list, or rows of the wrong sort.
        let err = store
            .import_version(&version("red", ListKind::Missing, 1), &ListRows::Entries(vec![person("D", "a", "b")]))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        let err = store
            .import_version(&version("docs", ListKind::Documents, 1), &ListRows::Entries(vec![]))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)));
        assert_eq!(store.lists().await.unwrap().len(), 1);

        // Keeping old versions.
        let mut nv = version("red", ListKind::Wanted, 1);
        nv.keep_old_versions = true;
        store.import_version(&nv, &ListRows::Entries(vec![person("E1", "a", "b")])).await.unwrap();
        assert_eq!(store.version_row_count("red", 2).await.unwrap(), 2);
        assert_eq!(store.current_entries().await.unwrap().len(), 1);
        // The next ordinary import purges every version but the one it replaces.
        let out = store
            .import_version(&version("red", ListKind::Wanted, 1), &ListRows::Entries(vec![person("F1", "c", "d")]))
            .await
            .unwrap();
        assert_eq!((out.version, out.purged_versions), (4, 2));
        assert_eq!(store.version_row_count("red", 1).await.unwrap(), 0);
        assert_eq!(store.version_row_count("red", 2).await.unwrap(), 0);
        assert_eq!(store.version_row_count("red", 3).await.unwrap(), 1);
        assert_eq!(store.current_entries().await.unwrap().len(), 1);
        store.close().await;
    }
}

#[tokio::test]
async fn documents_lookups() {
    for (store, _dir) in stores().await {
        let mut docs = vec![
            doc("G1234567", Some("MEX"), DocumentStatus::Stolen),
            doc("AB10O", Some("GTM"), DocumentStatus::Lost),
            doc("X1", None, DocumentStatus::Revoked),
        ];
        docs.extend((0..2500).map(|i| doc(&format!("N{i:06}"), Some("SLV"), DocumentStatus::StolenBlank)));
        let mut nv = version("sltd", ListKind::Documents, docs.len());
        nv.format = "documents";
        store.import_version(&nv, &ListRows::Documents(docs)).await.unwrap();

        let n = |s: &str| DocumentNumber::parse(s).unwrap();
        let mex = Some(CountryCode::parse("MEX").unwrap());
        let m = store.find_documents(&n("G1234567"), mex).await.unwrap();
        assert_eq!((m.exact.len(), m.possible.len()), (1, 0));
        assert_eq!(m.exact[0].status, DocumentStatus::Stolen);
        assert_eq!(m.exact[0].list, "sltd");
        assert!(
            store
                .find_documents(&n("G1234567"), Some(CountryCode::parse("GTM").unwrap()))
                .await
                .unwrap()
                .exact
                .is_empty()
        );
        let m = store.find_documents(&n("G12345G7"), None).await.unwrap();
        assert_eq!((m.exact.len(), m.possible.len()), (0, 1));
        assert_eq!(m.possible[0].number, "G1234567");
        assert_eq!(store.find_documents(&n("X1"), mex).await.unwrap().exact.len(), 1);
        assert_eq!(store.find_documents(&n("N002499"), None).await.unwrap().exact.len(), 1);

        let idx = store.document_index().await.unwrap();
        assert_eq!(idx.len(), 2503);
        assert_eq!(idx.lookup(&n("G1234567"), mex).exact.len(), 1);
        assert_eq!(idx.lookup(&n("A8I00"), None).possible.len(), 1);
        assert!(idx.lookup(&n("N002500"), None).is_empty());
        let per_list = store.document_indexes().await.unwrap();
        assert_eq!(per_list.len(), 1);
        assert_eq!((per_list[0].0.as_str(), per_list[0].1.len()), ("sltd", 2503));

        // A new version replaces the reports; the index follows.
        store.import_version(&nv, &ListRows::Documents(vec![doc("Z9", None, DocumentStatus::Lost)])).await.unwrap();
        assert!(store.find_documents(&n("G1234567"), None).await.unwrap().exact.is_empty());
        assert_eq!(store.document_index().await.unwrap().len(), 1);
        let lists = store.lists().await.unwrap();
        assert_eq!((lists[0].kind, lists[0].version, lists[0].rows_imported), (ListKind::Documents, Some(2), 1));
        store.close().await;
    }
}

#[tokio::test]
async fn reopening_keeps_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let store = Store::connect(path.to_str().unwrap()).await.unwrap();
    store
        .import_version(&version("w", ListKind::Watch, 1), &ListRows::Entries(vec![person("1", "a", "b")]))
        .await
        .unwrap();
    store.close().await;
    let store = Store::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    assert_eq!(store.current_entries().await.unwrap().len(), 1);
}

#[tokio::test]
async fn large_document_versions_rebuild_the_index() {
    for (store, _dir) in stores().await {
        let mk = |k: usize| -> Vec<DocumentRecord> {
            (0..100_000).map(|i| doc(&format!("K{k}N{i:06}"), Some("HND"), DocumentStatus::Lost)).collect()
        };
        let mut nv = version("big", ListKind::Documents, 100_000);
        nv.format = "documents";
        store.import_version(&nv, &ListRows::Documents(mk(1))).await.unwrap();
        store.import_version(&nv, &ListRows::Documents(mk(2))).await.unwrap();
        let n = |s: &str| DocumentNumber::parse(s).unwrap();
        assert!(store.find_documents(&n("K1N000007"), None).await.unwrap().exact.is_empty());
        let m = store.find_documents(&n("K2N000007"), None).await.unwrap();
        assert_eq!(m.exact.len(), 1);
        // Possible match through O/0 after the rebuild.
        assert_eq!(store.find_documents(&n("K2NOOOOO7"), None).await.unwrap().possible.len(), 1);
        // Version 1 is kept for posts' deltas, but only version 2 is looked up.
        assert_eq!(store.version_row_count("big", 1).await.unwrap(), 100_000);
        assert_eq!(store.document_index().await.unwrap().len(), 100_000);
        store.close().await;
    }
}
