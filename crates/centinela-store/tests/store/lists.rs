//! Store tests: always against SQLite in a temp dir; also against PostgreSQL
//! when `CENTINELA_TEST_PG` holds a URL (each test gets a fresh database;
//! `scripts/pg-test-server` starts a throwaway server).

use crate::common::stores;
use centinela_domain::{
    AlertEntry, CountryCode, CrossingRecord, Direction, DocumentNumber, DocumentRecord, DocumentStatus, ListKind, Role,
    Sex, Timestamp,
};
use centinela_store::{
    Backend, ImportOutcome, InspectionWriter, ListRows, NewInspection, NewVersion, StagingProgress, Store, StoreError,
};
use tokio::sync::oneshot;

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
        notice: Default::default(),
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
async fn large_document_versions_replace_each_other() {
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
        // Possible match through O/0.
        assert_eq!(store.find_documents(&n("K2NOOOOO7"), None).await.unwrap().possible.len(), 1);
        // Version 1 is kept for posts' deltas, but only version 2 is looked up.
        assert_eq!(store.version_row_count("big", 1).await.unwrap(), 100_000);
        assert_eq!(store.document_index().await.unwrap().len(), 100_000);
        store.close().await;
    }
}

/// Starts importing `rows` as the next version of `list` and parks the
/// import after its first staging transaction: the progress then, a sender
/// that lets it go on, and the import's task.
async fn paused_import(
    store: &Store,
    list: &'static str,
    rows: Vec<AlertEntry>,
) -> (StagingProgress, oneshot::Sender<()>, tokio::task::JoinHandle<Result<ImportOutcome, StoreError>>) {
    let (paused_tx, paused_rx) = oneshot::channel::<StagingProgress>();
    let (go_tx, go_rx) = oneshot::channel::<()>();
    let store = store.clone();
    let task = tokio::spawn(async move {
        let mut pause = Some((paused_tx, go_rx));
        let nv = version(list, ListKind::Wanted, rows.len());
        store
            .import_version_paced(&nv, &ListRows::Entries(rows), &mut move |p| {
                let first = pause.take();
                Box::pin(async move {
                    if let Some((paused, go)) = first {
                        paused.send(p).unwrap();
                        // Dropped (the test ends the import): stay parked.
                        if go.await.is_err() {
                            std::future::pending::<()>().await;
                        }
                    }
                })
            })
            .await
    });
    (paused_rx.await.unwrap(), go_tx, task)
}

fn crossing(id: &str) -> NewInspection {
    NewInspection {
        record: CrossingRecord {
            given_names: "Ana".into(),
            surnames: "López".into(),
            sex: Sex::Female,
            ..CrossingRecord::new(
                id,
                "GTM-TECUNUMAN",
                Direction::Entry,
                Timestamp::parse("2026-02-01T10:00:00Z").unwrap(),
            )
        },
        relation: "lead".into(),
        officer_id: 0,
        actor: "oficial1".into(),
        suggested: "admit".into(),
        result: "{}".into(),
        hits: Vec::new(),
        flags: Vec::new(),
        history_shown: Vec::new(),
    }
}

fn people(prefix: &str, n: usize) -> Vec<AlertEntry> {
    (0..n).map(|i| person(&format!("{prefix}{i:05}"), "Ana", "Ruiz")).collect()
}

/// Rows stored for versions that are not (or no longer) anybody's to read:
/// staged ones, and their count.
async fn staged_versions(store: &Store) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM list_versions WHERE staged";
    match store.backend() {
        Backend::Sqlite => sqlx::query_scalar(SQL).fetch_one(store.sqlite().unwrap()).await.unwrap(),
        Backend::Postgres => sqlx::query_scalar(SQL).fetch_one(store.postgres().unwrap()).await.unwrap(),
    }
}

async fn stored_entries(store: &Store) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM list_entries";
    match store.backend() {
        Backend::Sqlite => sqlx::query_scalar(SQL).fetch_one(store.sqlite().unwrap()).await.unwrap(),
        Backend::Postgres => sqlx::query_scalar(SQL).fetch_one(store.postgres().unwrap()).await.unwrap(),
    }
}

/// Issue 16: a 600,000-row import held the one write lock for its whole
/// transaction, and an inspection at the booth waited 19 s. Now the rows
/// are staged in short transactions: with the import parked between two of
/// them, an inspection commits, and readers still see the version in force.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inspection_commits_while_an_import_is_staging() {
    for (store, _dir) in stores().await {
        let off = store
            .create_user("system", "oficial1", Role::Officer, Some("GTM-TECUNUMAN"), "una clave bastante larga")
            .await
            .unwrap()
            .id;
        let v1 = people("A", 3);
        store.import_version(&version("red", ListKind::Wanted, 3), &ListRows::Entries(v1.clone())).await.unwrap();
        let writer = InspectionWriter::spawn(store.clone());

        let (progress, go, import) = paused_import(&store, "red", people("B", 500)).await;
        assert_eq!(progress.version, 2);
        assert!(progress.rows_staged > 0 && progress.rows_staged < progress.rows_total, "{progress:?}");
        // Rows of version 2 are in the database, in no reader's sight.
        assert!(stored_entries(&store).await > 3);
        let lists = store.lists().await.unwrap();
        assert_eq!((lists[0].version, lists[0].versions, lists[0].rows_imported), (Some(1), 1, 3));
        let current: Vec<AlertEntry> = store.current_entries().await.unwrap().into_iter().map(|e| e.entry).collect();
        assert_eq!(current, v1);
        assert!(store.version_rows("red", 2).await.unwrap().is_none());

        // The booth is not held up: the inspection is committed (with its
        // audit entry) while the import waits in the middle of staging.
        let mut ins = crossing("C-DURING-IMPORT");
        ins.officer_id = off;
        writer.record(vec![ins]).await.unwrap();
        assert!(store.crossing("C-DURING-IMPORT").await.unwrap().is_some());

        go.send(()).unwrap();
        let out = import.await.unwrap().unwrap();
        assert_eq!((out.version, out.rows_imported, out.created_list), (2, 500, false));
        assert_eq!(store.current_entries().await.unwrap().len(), 500);
        assert_eq!(staged_versions(&store).await, 0);
        assert_eq!(store.audit_verify().await.unwrap().map(|n| n > 0), Ok(true));
        store.close().await;
    }
}

/// An import that dies half-way (its task dropped between two staging
/// transactions, as a killed process leaves it) changes nothing anybody
/// reads; what it staged goes at the list's next import, or when a server
/// starts ([`Store::clean_unfinished_imports`]).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_that_dies_leaves_the_version_in_force() {
    for (store, _dir) in stores().await {
        let v1 = people("A", 3);
        store.import_version(&version("red", ListKind::Wanted, 3), &ListRows::Entries(v1.clone())).await.unwrap();

        // Killed while staging version 2 of "red", and the first version of
        // a new list "azul".
        for list in ["red", "azul"] {
            let (_, go, import) = paused_import(&store, list, people("B", 300)).await;
            import.abort();
            assert!(import.await.unwrap_err().is_cancelled());
            drop(go);
        }
        assert_eq!(staged_versions(&store).await, 2);
        let lists = store.lists().await.unwrap();
        assert_eq!(lists.len(), 1, "a list whose first import died is shown: {lists:?}");
        assert_eq!((lists[0].name.as_str(), lists[0].version, lists[0].versions), ("red", Some(1), 1));
        let current: Vec<AlertEntry> = store.current_entries().await.unwrap().into_iter().map(|e| e.entry).collect();
        assert_eq!(current, v1);

        // The list's next import removes its leftover and takes the number
        // the dead one had.
        let out = store
            .import_version(&version("red", ListKind::Wanted, 2), &ListRows::Entries(people("C", 2)))
            .await
            .unwrap();
        assert_eq!((out.version, out.rows_imported), (2, 2));
        assert_eq!(store.version_row_count("red", 2).await.unwrap(), 2);
        assert_eq!(staged_versions(&store).await, 1);

        // A server's start removes the rest (the new list's, with the list).
        store.clean_unfinished_imports().await.unwrap();
        assert_eq!(staged_versions(&store).await, 0);
        assert_eq!(stored_entries(&store).await, 3 + 2);
        let out = store
            .import_version(&version("azul", ListKind::Wanted, 1), &ListRows::Entries(people("D", 1)))
            .await
            .unwrap();
        assert_eq!((out.version, out.created_list), (1, true));

        // A failure in the middle of staging (the last id twice: refused in
        // a late staging transaction, after others committed) leaves
        // nothing behind either.
        let mut bad = people("E", 200);
        bad.push(person("E00199", "X", "Y"));
        assert!(store.import_version(&version("red", ListKind::Wanted, 201), &ListRows::Entries(bad)).await.is_err());
        assert_eq!(staged_versions(&store).await, 0);
        assert_eq!(store.lists().await.unwrap().iter().find(|l| l.name == "red").unwrap().version, Some(2));
        store.close().await;
    }
}
