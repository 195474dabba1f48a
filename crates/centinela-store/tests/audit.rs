//! Users and the audit chain: always against SQLite in a temp dir; also
//! against PostgreSQL when `CENTINELA_TEST_PG` holds a URL (each test gets a
//! fresh database; `scripts/pg-test-server` starts a throwaway server).

mod common;

use centinela_domain::Role;
use centinela_domain::audit::{BreakReason, BrokenLink, GENESIS};
use centinela_store::{Backend, Store, StoreError};
use common::stores;

/// Runs one statement as an attacker with direct database access would.
async fn raw(store: &Store, sql: &str) -> Result<(), sqlx::Error> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    match store.backend() {
        Backend::Sqlite => sqlx::raw_sql(sql).execute(store.sqlite().unwrap()).await.map(drop),
        Backend::Postgres => sqlx::raw_sql(sql).execute(store.postgres().unwrap()).await.map(drop),
    }
}

#[tokio::test]
async fn appends_chain_and_verify() {
    for (store, _dir) in stores().await {
        assert_eq!(store.audit_verify().await.unwrap(), Ok(0));
        assert_eq!(store.audit_head().await.unwrap(), (0, GENESIS));
        let a = store.audit_append("system", "list_imported", "list:3", r#"{"version":2,"rows":10}"#).await.unwrap();
        let b = store.audit_append("ana", "person_viewed", "entry:W1", "{}").await.unwrap();
        assert_eq!((a.seq, a.prev_hash), (1, GENESIS));
        assert_eq!((b.seq, b.prev_hash), (2, a.hash));
        assert_eq!(store.audit_verify().await.unwrap(), Ok(2));
        assert_eq!(store.audit_head().await.unwrap(), (2, b.hash));
        assert_eq!(store.audit_entries(None).await.unwrap(), vec![a.clone(), b.clone()]);
        assert_eq!(store.audit_entries(Some(1)).await.unwrap(), vec![b]);

        // Entries that break the log's rules are refused and leave no trace.
        for (actor, action, detail) in [("", "login", "{}"), ("ana", "Login", "{}"), ("ana", "login", "not json")] {
            let err = store.audit_append(actor, action, "1", detail).await.unwrap_err();
            assert!(matches!(err, StoreError::Conflict(_)), "{err}");
        }
        assert_eq!(store.audit_verify().await.unwrap(), Ok(2));
    }
}

#[tokio::test]
async fn concurrent_appends_stay_one_chain() {
    for (store, _dir) in stores().await {
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let s = store.clone();
                tokio::spawn(async move { s.audit_append("system", "login", &i.to_string(), "{}").await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        assert_eq!(store.audit_verify().await.unwrap(), Ok(24), "{:?}", store.backend());
    }
}

#[tokio::test]
async fn the_database_refuses_changes_and_tampering_is_found() {
    for (store, _dir) in stores().await {
        for i in 0..4 {
            store.audit_append("system", "login", &i.to_string(), "{}").await.unwrap();
        }
        let err = raw(&store, "UPDATE audit_log SET detail = '{\"x\":1}' WHERE seq = 2").await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        let err = raw(&store, "DELETE FROM audit_log WHERE seq = 4").await.unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
        assert_eq!(store.audit_verify().await.unwrap(), Ok(4));

        // An attacker who drops the trigger first.
        let drop = match store.backend() {
            Backend::Sqlite => "DROP TRIGGER audit_log_no_update",
            Backend::Postgres => "DROP TRIGGER audit_log_no_update ON audit_log",
        };
        raw(&store, drop).await.unwrap();
        raw(&store, "UPDATE audit_log SET detail = '{\"x\":1}' WHERE seq = 2").await.unwrap();
        assert_eq!(store.audit_verify().await.unwrap(), Err(BrokenLink { seq: 2, reason: BreakReason::Hash }));
        assert!(matches!(store.audit_entries(None).await, Ok(v) if v.len() == 4));

        // A hash of the wrong length is a broken entry, not a crash.
        raw(&store, "UPDATE audit_log SET detail = '{}' WHERE seq = 2").await.unwrap();
        assert_eq!(store.audit_verify().await.unwrap(), Ok(4));
        let short = match store.backend() {
            Backend::Sqlite => "UPDATE audit_log SET hash = x'00' WHERE seq = 3",
            Backend::Postgres => "UPDATE audit_log SET hash = '\\x00'::bytea WHERE seq = 3",
        };
        raw(&store, short).await.unwrap();
        assert_eq!(store.audit_verify().await.unwrap(), Err(BrokenLink { seq: 3, reason: BreakReason::Hash }));
    }
}

#[tokio::test]
async fn users_passwords_and_their_audit_entries() {
    for (store, _dir) in stores().await {
        let u = store
            .create_user("system", "ana.ruiz", Role::Officer, Some("MXTIJ1"), "correct horse battery")
            .await
            .unwrap();
        assert_eq!(
            (u.username.as_str(), u.role, u.post.as_deref(), u.disabled),
            ("ana.ruiz", Role::Officer, Some("MXTIJ1"), false)
        );
        let admin = store.create_user("system", "root-admin", Role::Admin, None, "another long secret").await.unwrap();

        assert_eq!(store.verify_password("ana.ruiz", "correct horse battery").await.unwrap(), Some(u.clone()));
        assert_eq!(store.verify_password("ana.ruiz", "correct horse batterY").await.unwrap(), None);
        assert_eq!(store.verify_password("nobody", "correct horse battery").await.unwrap(), None);
        assert_eq!(store.users().await.unwrap(), vec![u.clone(), admin.clone()]);

        // The password is stored as an argon2id PHC string, never as given.
        let phc: String = match store.backend() {
            Backend::Sqlite => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(u.id)
                .fetch_one(store.sqlite().unwrap())
                .await
                .unwrap(),
            Backend::Postgres => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                .bind(u.id)
                .fetch_one(store.postgres().unwrap())
                .await
                .unwrap(),
        };
        assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
        assert!(!phc.contains("horse"));

        // Each creation is one audit entry naming the id, not the person.
        let log = store.audit_entries(None).await.unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!((log[0].action.as_str(), log[0].subject.as_str()), ("user_created", u.id.to_string().as_str()));
        assert_eq!(log[0].detail, r#"{"post":"MXTIJ1","role":"officer"}"#);
        assert!(log.iter().all(|e| !e.detail.contains("ana") && !e.subject.contains("ana")));
        // An admin made without a second admin's approval is flagged.
        assert_eq!(log[1].detail, r#"{"approved":false,"post":null,"privileged":true,"role":"admin"}"#);

        // Refusals change nothing: no user, no audit entry.
        for (name, pw) in [
            ("ana.ruiz", "long enough password"),
            ("bad name", "long enough password"),
            ("system", "long enough password"),
            ("eva", "short"),
        ] {
            let err = store.create_user("system", name, Role::Analyst, None, pw).await.unwrap_err();
            assert!(matches!(err, StoreError::Conflict(_) | StoreError::WeakPassword(_)), "{err}");
        }
        assert_eq!(store.users().await.unwrap().len(), 2);
        assert_eq!(store.audit_verify().await.unwrap(), Ok(2));

        // A disabled user cannot sign in.
        raw(&store, "UPDATE users SET disabled = (1 = 1) WHERE username = 'root-admin'").await.unwrap();
        assert_eq!(store.verify_password("root-admin", "another long secret").await.unwrap(), None);
    }
}
