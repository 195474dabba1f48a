//! Users and the audit chain: always against SQLite in a temp dir; also
//! against PostgreSQL when `CENTINELA_TEST_PG` holds a URL (each test gets a
//! fresh database; `scripts/pg-test-server` starts a throwaway server).

use crate::common::{raw, stores};
use centinela_domain::Role;
use centinela_domain::audit::{Anchor, AnchorMismatch, AuditKey, AuditRecord, BreakReason, BrokenLink, GENESIS};
use centinela_store::{Backend, Store, StoreError};

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
            assert!(matches!(err, StoreError::Internal(_)), "{err}");
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
            assert!(
                matches!(err, StoreError::Invalid(_) | StoreError::Conflict(_) | StoreError::WeakPassword(_)),
                "{err}"
            );
        }
        assert_eq!(store.users().await.unwrap().len(), 2);
        assert_eq!(store.audit_verify().await.unwrap(), Ok(2));

        // A disabled user cannot sign in.
        raw(&store, "UPDATE users SET disabled = (1 = 1) WHERE username = 'root-admin'").await.unwrap();
        assert_eq!(store.verify_password("root-admin", "another long secret").await.unwrap(), None);
    }
}

/// A BLOB literal of `bytes` on the store's backend.
fn blob(store: &Store, bytes: &[u8]) -> String {
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match store.backend() {
        Backend::Sqlite => format!("x'{hex}'"),
        Backend::Postgres => format!("'\\x{hex}'::bytea"),
    }
}

/// Drops every trigger that guards the audit log and its seal, as an
/// attacker holding the database can.
async fn drop_guards(store: &Store) {
    for (t, table) in [
        ("audit_log_no_update", "audit_log"),
        ("audit_log_no_delete", "audit_log"),
        ("audit_seal_no_update", "audit_seal"),
        ("audit_seal_no_delete", "audit_seal"),
    ] {
        let sql = match store.backend() {
            Backend::Sqlite => format!("DROP TRIGGER {t}"),
            Backend::Postgres => format!("DROP TRIGGER {t} ON {table}"),
        };
        raw(store, &sql).await.unwrap();
    }
}

/// Rewrites entry `seq`'s detail and re-hashes it and every later entry
/// with SHA-256, as an attacker without the key can.
async fn rewrite_and_rehash(store: &Store, seq: i64, detail: &str) {
    let entries = store.audit_entries(None).await.unwrap();
    let mut prev = entries.iter().find(|e| e.seq == seq - 1).map_or(GENESIS, |e| e.hash);
    for e in entries.iter().filter(|e| e.seq >= seq) {
        let d = if e.seq == seq { detail } else { e.detail.as_str() };
        let r = AuditRecord::seal(e.seq, &e.at, &e.actor, &e.action, &e.subject, d, prev);
        let sql = format!(
            "UPDATE audit_log SET detail = '{d}', prev_hash = {}, hash = {} WHERE seq = {}",
            blob(store, &r.prev_hash),
            blob(store, &r.hash),
            e.seq
        );
        raw(store, &sql).await.unwrap();
        prev = r.hash;
    }
}

/// Issue 16: an entry rewritten and every later hash recomputed verified
/// as intact. Sealed with a key outside the database, it is named.
#[tokio::test]
async fn a_sealed_log_detects_rewriting_and_rehashing() {
    for (store, _dir) in stores().await {
        // Before the seal: the attack goes unnoticed (the hole).
        for i in 0..3 {
            store.audit_append("system", "login", &i.to_string(), "{}").await.unwrap();
        }
        drop_guards(&store).await;
        rewrite_and_rehash(&store, 2, r#"{"x":1}"#).await;
        assert_eq!(store.audit_verify().await.unwrap(), Ok(3));

        // The upgrade: the hashed entries stay, the seal begins after them.
        let key = AuditKey::from_bytes([7; 32]);
        let store = store.with_audit_key(key.clone()).await.unwrap();
        let seal = store.audit_seal().await.unwrap().unwrap();
        assert_eq!((seal.start_seq, seal.key_id), (4, key.id()));
        let sealed = store.audit_entries(None).await.unwrap().pop().unwrap();
        assert_eq!(
            (sealed.seq, sealed.action.as_str(), sealed.detail.as_str()),
            (4, "audit_sealed", r#"{"hashed_until":3}"#)
        );
        for i in 0..3 {
            store.audit_append("ana", "person_viewed", &i.to_string(), "{}").await.unwrap();
        }
        let v = store.audit_verify_report().await.unwrap().unwrap();
        assert_eq!((v.entries, v.sealed_from, v.unchecked), (7, Some(4), 0));
        // Attaching the key again changes nothing.
        let store = store.with_audit_key(key.clone()).await.unwrap();
        assert_eq!(store.audit_verify().await.unwrap(), Ok(7));

        // The attack again, on a sealed entry …
        rewrite_and_rehash(&store, 6, r#"{"x":2}"#).await;
        assert_eq!(store.audit_verify().await.unwrap(), Err(BrokenLink { seq: 6, reason: BreakReason::Seal }));
    }
}

#[tokio::test]
async fn the_hashed_prefix_is_protected_and_unsealing_is_detected() {
    for (store, _dir) in stores().await {
        for i in 0..3 {
            store.audit_append("system", "login", &i.to_string(), "{}").await.unwrap();
        }
        let store = store.with_audit_key(AuditKey::from_bytes([1; 32])).await.unwrap();
        store.audit_append("ana", "person_viewed", "1", "{}").await.unwrap();
        assert_eq!(store.audit_verify().await.unwrap(), Ok(5));
        drop_guards(&store).await;
        // An entry before the seal rewritten: the first sealed entry's MAC
        // covers the hashed chain before it.
        rewrite_and_rehash(&store, 2, r#"{"x":1}"#).await;
        assert_eq!(store.audit_verify().await.unwrap().unwrap_err().seq, 4);
        // Every entry turned into a hashed one and the seal's record
        // removed: the key says the chain must end sealed.
        raw(&store, "DELETE FROM audit_seal").await.unwrap();
        assert_eq!(
            store.audit_verify().await.unwrap(),
            Err(BrokenLink { seq: 5, reason: BreakReason::Unsealed { from: None } })
        );
    }
}

#[tokio::test]
async fn a_sealed_log_needs_its_key() {
    for (store, _dir) in stores().await {
        // An empty log is sealed from its first entry, without an entry.
        let key = AuditKey::from_bytes([2; 32]);
        let keyed = store.clone().with_audit_key(key.clone()).await.unwrap();
        assert_eq!(keyed.audit_seal().await.unwrap().unwrap().start_seq, 1);
        keyed.audit_append("system", "login", "1", "{}").await.unwrap();
        // A process without the key cannot append (it would break the
        // chain), and verifies the links only.
        let err = store.audit_append("system", "login", "2", "{}").await.unwrap_err();
        assert!(matches!(err, StoreError::AuditKeyMissing(1)), "{err}");
        let v = store.audit_verify_report().await.unwrap().unwrap();
        assert_eq!((v.entries, v.unchecked), (1, 1));
        // Another key is refused, and named by the verifier.
        let other = AuditKey::from_bytes([3; 32]);
        assert!(matches!(store.clone().with_audit_key(other.clone()).await, Err(StoreError::WrongAuditKey)));
        assert_eq!(keyed.audit_verify().await.unwrap(), Ok(1));
    }
}

/// Issue 16: deleting the last entries still verified. The chain alone
/// cannot tell; an anchor kept elsewhere can.
#[tokio::test]
async fn an_anchor_detects_truncation() {
    for (store, _dir) in stores().await {
        let store = store.with_audit_key(AuditKey::from_bytes([4; 32])).await.unwrap();
        for i in 0..6 {
            store.audit_append("system", "login", &i.to_string(), "{}").await.unwrap();
        }
        let (seq, hash) = store.audit_head().await.unwrap();
        let anchor = Anchor { seq, hash };
        assert_eq!(store.audit_check_anchor(&anchor).await.unwrap(), Ok(()));
        drop_guards(&store).await;
        raw(&store, "DELETE FROM audit_log WHERE seq > 4").await.unwrap();
        assert_eq!(store.audit_verify().await.unwrap(), Ok(4));
        assert_eq!(
            store.audit_check_anchor(&anchor).await.unwrap(),
            Err(AnchorMismatch::Shorter { head: 4, anchor: 6 })
        );
        // Cut and grown again to the same length: another hash.
        raw(&store, "DELETE FROM sync_outbox WHERE kind = 'audit' AND ref > 4").await.unwrap();
        store.audit_append("system", "login", "x", "{}").await.unwrap();
        store.audit_append("system", "login", "y", "{}").await.unwrap();
        assert_eq!(store.audit_check_anchor(&anchor).await.unwrap(), Err(AnchorMismatch::OtherHash { seq: 6 }));
    }
}

/// The auditor's reads: newest first, each filter narrowing (actor, action,
/// subject by its start, a time window), pages by `before`.
#[tokio::test]
async fn searches_newest_first_with_filters() {
    use centinela_store::AuditSearch;
    for (store, _dir) in stores().await {
        for (actor, action, subject) in [
            ("user:1", "crossing_viewed", "crossing:A"),
            ("user:2", "crossing_viewed", "crossing:B"),
            ("user:1", "case_viewed", "case:7"),
            ("system", "list_imported", "list:3"),
            ("user:1", "crossing_viewed", "crossingX"),
            ("ana", "crossing_decided", "crossing:A"),
        ] {
            store.audit_append(actor, action, subject, "{}").await.unwrap();
        }
        let seqs = |rows: Vec<centinela_store::AuditRow>| rows.into_iter().map(|r| r.seq).collect::<Vec<_>>();
        let all = AuditSearch::default();
        assert_eq!(seqs(store.audit_search(&all, 10).await.unwrap()), [6, 5, 4, 3, 2, 1]);
        assert_eq!(seqs(store.audit_search(&all, 2).await.unwrap()), [6, 5]);
        let next = AuditSearch { before: Some(4), ..all.clone() };
        assert_eq!(seqs(store.audit_search(&next, 2).await.unwrap()), [3, 2]);
        let by_user = AuditSearch { actor: Some("user:1".into()), ..all.clone() };
        assert_eq!(seqs(store.audit_search(&by_user, 10).await.unwrap()), [5, 3, 1]);
        let aliased = AuditSearch { actor_alias: Some("ana".into()), ..by_user.clone() };
        assert_eq!(seqs(store.audit_search(&aliased, 10).await.unwrap()), [6, 5, 3, 1]);
        let by_action = AuditSearch { action: Some("crossing_viewed".into()), ..by_user.clone() };
        assert_eq!(seqs(store.audit_search(&by_action, 10).await.unwrap()), [5, 1]);
        let by_subject = AuditSearch { subject: Some("crossing:".into()), ..all.clone() };
        assert_eq!(seqs(store.audit_search(&by_subject, 10).await.unwrap()), [6, 2, 1]);
        let empty = AuditSearch { actor: Some(String::new()), subject: Some(String::new()), ..all.clone() };
        assert_eq!(store.audit_search(&empty, 10).await.unwrap().len(), 6, "empty filters let everything through");
        let future = AuditSearch { from: Some("2999-01-01T00:00:00Z".into()), ..all.clone() };
        assert!(store.audit_search(&future, 10).await.unwrap().is_empty());
        let past = AuditSearch { to: Some("2000-01-01T00:00:00Z".into()), ..all.clone() };
        assert!(store.audit_search(&past, 10).await.unwrap().is_empty());
        let now =
            AuditSearch { from: Some("2000-01-01T00:00:00Z".into()), to: Some("2999-01-01T00:00:00Z".into()), ..all };
        assert_eq!(store.audit_search(&now, 10).await.unwrap().len(), 6);
    }
}
