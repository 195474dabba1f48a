//! Trust anchors for the chip (migration 0018): an import is a version with
//! its audit entry, an anchor is held once, and both tables are
//! append-only. On SQLite and (with `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::stores;
use centinela_store::{Backend, NewAnchor, Store, StoreError};

async fn raw(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match store.backend() {
        Backend::Sqlite => sqlx::raw_sql(sql).execute(store.sqlite().unwrap()).await.map(drop),
        Backend::Postgres => sqlx::raw_sql(sql).execute(store.postgres().unwrap()).await.map(drop),
    }
}

fn anchor<'a>(kind: &'a str, fp: &'a str, der: &'a [u8]) -> NewAnchor<'a> {
    NewAnchor {
        kind,
        fingerprint: fp,
        country: "UT",
        subject: "CN=CSCA,C=UT",
        valid_from: "2026-01-01T00:00:00Z",
        valid_to: Some("2031-01-01T00:00:00Z"),
        der,
    }
}

#[tokio::test]
async fn anchors_are_versioned_held_once_audited_and_append_only() {
    for (store, _dir) in stores().await {
        assert_eq!(store.pki_version().await.unwrap(), 0);
        let a = [anchor("csca", "aa", b"\x30\x00"), anchor("csca", "bb", b"\x30\x01")];
        let r = store.import_trust_anchors("cli", "master_list", "icao.ml", "ff", &a).await.unwrap();
        assert_eq!((r.version, r.added, r.already), (1, 2, 0));
        let b = [anchor("csca", "bb", b"\x30\x01"), anchor("crl", "cc", b"\x30\x02")];
        let r = store.import_trust_anchors("cli", "crl", "x.crl", "ee", &b).await.unwrap();
        assert_eq!((r.version, r.added, r.already), (2, 1, 1));
        let held = store.trust_anchors().await.unwrap();
        assert_eq!(
            held.iter().map(|a| (a.version, a.fingerprint.as_str())).collect::<Vec<_>>(),
            [(1, "aa"), (1, "bb"), (2, "cc")]
        );
        assert_eq!(held[2].der, b"\x30\x02");
        assert_eq!(store.pki_version().await.unwrap(), 2);
        let audit = store.audit_entries(None).await.unwrap();
        assert_eq!(audit.iter().filter(|e| e.action == "pki_imported").count(), 2);
        // Refused before any write.
        let bad = store.import_trust_anchors("cli", "zip", "x", "00", &[]).await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))));
        assert_eq!(store.pki_version().await.unwrap(), 2);
        for sql in ["UPDATE pki_anchors SET country = 'XX'", "DELETE FROM pki_anchors", "DELETE FROM pki_versions"] {
            assert!(raw(&store, sql).await.is_err(), "{sql}");
        }
    }
}
