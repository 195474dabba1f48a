//! Sessions and the server's look-ups: always against SQLite in a temp dir;
//! also against PostgreSQL when `CENTINELA_TEST_PG` holds a URL.

use crate::common::{raw, stores};
use centinela_domain::Role;

#[tokio::test]
async fn sessions_live_expire_and_end() {
    for (store, _dir) in stores().await {
        store.ping().await.unwrap();
        let ana =
            store.create_user("system", "ana", Role::Officer, Some("P-1"), "correct horse battery").await.unwrap();
        let bob = store.create_user("system", "bob", Role::Admin, None, "correct horse battery").await.unwrap();
        let (t1, t2, t3) = ([1u8; 32], [2u8; 32], [3u8; 32]);
        let s1 = store.create_session(ana.id, &t1, 1_000).await.unwrap();
        let s2 = store.create_session(ana.id, &t2, 2_000).await.unwrap();
        store.create_session(bob.id, &t3, 2_000).await.unwrap();
        assert_ne!(s1, s2);

        let found = store.session_user(&t1, 999).await.unwrap().unwrap();
        assert_eq!((found.session_id, found.expires_at), (s1, 1_000));
        assert_eq!(found.user, ana);
        // Expired at its second, and unknown tokens find nothing.
        assert_eq!(store.session_user(&t1, 1_000).await.unwrap(), None);
        assert_eq!(store.session_user(&[9u8; 32], 0).await.unwrap(), None);

        // A disabled user's sessions stop working.
        raw(&store, &format!("UPDATE users SET disabled = TRUE WHERE id = {}", bob.id)).await.unwrap();
        assert_eq!(store.session_user(&t3, 0).await.unwrap(), None);
        assert!(store.user_by_id(bob.id).await.unwrap().unwrap().disabled);

        assert_eq!(store.delete_expired_sessions(1_500).await.unwrap(), 1);
        assert_eq!(store.delete_session(&t2).await.unwrap(), Some(s2));
        assert_eq!(store.delete_session(&t2).await.unwrap(), None);
        assert_eq!(store.delete_user_sessions(bob.id).await.unwrap(), 1);

        assert_eq!(store.user_by_username("ana").await.unwrap(), Some(ana.clone()));
        assert_eq!(store.user_by_username("nobody").await.unwrap(), None);
        assert_eq!(store.user_by_id(ana.id).await.unwrap(), Some(ana));
        assert_eq!(store.user_by_id(-1).await.unwrap(), None);
    }
}

#[tokio::test]
async fn audit_pages_follow_the_chain() {
    for (store, _dir) in stores().await {
        for i in 0..5 {
            store.audit_append("system", "login", &i.to_string(), "{}").await.unwrap();
        }
        let all = store.audit_entries(None).await.unwrap();
        let first = store.audit_page(0, 2).await.unwrap();
        assert_eq!(first.iter().map(|r| r.seq).collect::<Vec<_>>(), [1, 2]);
        let rest = store.audit_page(2, 10).await.unwrap();
        assert_eq!(rest.iter().map(|r| r.seq).collect::<Vec<_>>(), [3, 4, 5]);
        for (row, rec) in first.iter().chain(&rest).zip(&all) {
            assert_eq!(
                (row.seq, &row.actor, &row.action, &row.subject),
                (rec.seq, &rec.actor, &rec.action, &rec.subject)
            );
            assert_eq!(row.hash.len(), 64);
            assert!(row.hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
        assert_eq!(rest[0].prev_hash, first[1].hash);
        assert!(store.audit_page(5, 10).await.unwrap().is_empty());
    }
}
