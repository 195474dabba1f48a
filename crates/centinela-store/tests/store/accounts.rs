//! The account lifecycle (issue 16): disable and enable, password change
//! and reset, role and post changes, ending sessions, the second
//! administrator's approval, the password policy and idle sessions — each
//! audited in its own transaction. SQLite always; PostgreSQL too when
//! `CENTINELA_TEST_PG` holds a URL.

use crate::common::stores;
use centinela_domain::Role;
use centinela_store::{RequestKind, RequestStatus, Store, StoreError};

const PW: &str = "correct horse battery staple";

/// The (actor, action, subject, detail) of the audit chain's last entry.
async fn last_audit(store: &Store) -> (String, String, String, serde_json::Value) {
    let e = store.audit_entries(None).await.unwrap().pop().unwrap();
    (e.actor, e.action, e.subject, serde_json::from_str(&e.detail).unwrap())
}

async fn actions(store: &Store) -> Vec<String> {
    store.audit_entries(None).await.unwrap().into_iter().map(|e| e.action).collect()
}

#[tokio::test]
async fn the_policy_refuses_trivial_passwords_everywhere() {
    for (store, _dir) in stores().await {
        for pw in ["aaaaaaaaaaaa", "            ", "123456789012", "passwordpassword"] {
            let err = store.create_user("system", "root", Role::Admin, None, pw).await.unwrap_err();
            assert!(matches!(err, StoreError::WeakPassword(_)), "{pw:?}: {err}");
            assert!(!err.to_string().contains(pw.trim()) || pw.trim().is_empty(), "{err}");
        }
        // The username is one of zxcvbn's inputs.
        let err = store.create_user("system", "ana.perez", Role::Admin, None, "ana.perez.2024!").await.unwrap_err();
        assert!(matches!(err, StoreError::WeakPassword(w) if w.code() == "contains_username"), "{err}");
        let ana = store.create_user("system", "ana", Role::Officer, None, PW).await.unwrap();
        let err = store.reset_password("user:1", ana.id, "123456789012").await.unwrap_err();
        assert!(matches!(err, StoreError::WeakPassword(_)), "{err}");
        let err = store.change_password(ana.id, PW, "qwertyuiopasdf", None).await.unwrap_err();
        assert!(matches!(err, StoreError::WeakPassword(_)), "{err}");
        let err = store.change_password(ana.id, PW, PW, None).await.unwrap_err();
        assert!(matches!(err, StoreError::WeakPassword(w) if w.code() == "unchanged"), "{err}");
        let err = store.request_account("user:1", "eva", Role::Protection, None, "passwordpassword").await.unwrap_err();
        assert!(matches!(err, StoreError::WeakPassword(_)), "{err}");
    }
}

#[tokio::test]
async fn disabling_ends_every_session_and_the_login() {
    for (store, _dir) in stores().await {
        let ana = store.create_user("system", "ana", Role::Officer, Some("P-1"), PW).await.unwrap();
        store.create_session(ana.id, &[1; 32], i64::MAX / 2).await.unwrap();
        store.create_session(ana.id, &[2; 32], i64::MAX / 2).await.unwrap();
        let change = store.set_user_disabled("user:9", ana.id, true).await.unwrap();
        assert!(change.user.disabled);
        assert_eq!(change.sessions_ended, 2);
        assert_eq!(store.session_user(&[1; 32], 0).await.unwrap(), None);
        assert_eq!(store.verify_password("ana", PW).await.unwrap(), None);
        let (actor, action, subject, detail) = last_audit(&store).await;
        assert_eq!((actor.as_str(), action.as_str(), subject.as_str()), ("user:9", "user_disabled", "user:1"));
        assert_eq!(detail["sessions_ended"], 2);

        let change = store.set_user_disabled("user:9", ana.id, false).await.unwrap();
        assert!(!change.user.disabled);
        assert!(store.verify_password("ana", PW).await.unwrap().is_some());
        assert_eq!(last_audit(&store).await.1, "user_enabled");
        assert!(matches!(store.set_user_disabled("user:9", 999, true).await, Err(StoreError::NotFound(_))));
    }
}

#[tokio::test]
async fn a_reset_forces_a_change_and_the_change_needs_the_current_password() {
    for (store, _dir) in stores().await {
        let ana = store.create_user("system", "ana", Role::Officer, None, PW).await.unwrap();
        store.create_session(ana.id, &[1; 32], i64::MAX / 2).await.unwrap();
        let temp = "lluvia tarde puente verde";
        let change = store.reset_password("user:9", ana.id, temp).await.unwrap();
        assert!(change.user.must_change_password);
        assert_eq!(change.sessions_ended, 1);
        assert_eq!(last_audit(&store).await.1, "password_reset");
        assert_eq!(store.verify_password("ana", PW).await.unwrap(), None);
        let user = store.verify_password("ana", temp).await.unwrap().unwrap();
        assert!(user.must_change_password);

        // The user changes it: the current password is needed.
        let s1 = store.create_session(ana.id, &[2; 32], i64::MAX / 2).await.unwrap();
        store.create_session(ana.id, &[3; 32], i64::MAX / 2).await.unwrap();
        let err = store.change_password(ana.id, "wrong wrong wrong", "montaña río azul siete", Some(s1)).await;
        assert!(matches!(err, Err(StoreError::WrongPassword)), "{err:?}");
        assert_eq!(last_audit(&store).await.1, "password_change_failed");
        let change = store.change_password(ana.id, temp, "montaña río azul siete", Some(s1)).await.unwrap();
        assert!(!change.user.must_change_password);
        assert_eq!(change.sessions_ended, 1, "the other session ends, the asking one stays");
        assert!(store.session_user(&[2; 32], 0).await.unwrap().is_some());
        assert_eq!(store.session_user(&[3; 32], 0).await.unwrap(), None);
        let (actor, action, _, _) = last_audit(&store).await;
        assert_eq!((actor.as_str(), action.as_str()), ("user:1", "password_changed"));
        assert!(!store.verify_password("ana", "montaña río azul siete").await.unwrap().unwrap().must_change_password);
        // Nothing in the audit chain holds a password.
        for e in store.audit_entries(None).await.unwrap() {
            for pw in [PW, temp, "montaña río azul siete", "wrong wrong wrong"] {
                assert!(!e.detail.contains(pw) && !e.subject.contains(pw));
            }
        }
    }
}

#[tokio::test]
async fn role_post_and_sessions_changes_are_audited_and_end_sessions() {
    for (store, _dir) in stores().await {
        let ana = store.create_user("system", "ana", Role::Officer, Some("P-1"), PW).await.unwrap();
        store.create_session(ana.id, &[1; 32], i64::MAX / 2).await.unwrap();
        let c = store.set_user_role("user:9", ana.id, Role::Supervisor).await.unwrap();
        assert_eq!((c.user.role, c.sessions_ended), (Role::Supervisor, 1));
        let (_, action, _, detail) = last_audit(&store).await;
        assert_eq!(action, "user_role_changed");
        assert_eq!((detail["from"].as_str(), detail["to"].as_str()), (Some("officer"), Some("supervisor")));
        assert!(detail.get("privileged").is_none());

        store.create_session(ana.id, &[2; 32], i64::MAX / 2).await.unwrap();
        let c = store.set_user_post("user:9", ana.id, Some("P-2")).await.unwrap();
        assert_eq!((c.user.post.as_deref(), c.sessions_ended), (Some("P-2"), 1));
        assert_eq!(last_audit(&store).await.3["from"], "P-1");
        let c = store.set_user_post("user:9", ana.id, None).await.unwrap();
        assert_eq!(c.user.post, None);

        store.create_session(ana.id, &[3; 32], i64::MAX / 2).await.unwrap();
        store.create_session(ana.id, &[4; 32], i64::MAX / 2).await.unwrap();
        let c = store.end_user_sessions("user:9", ana.id).await.unwrap();
        assert_eq!(c.sessions_ended, 2);
        assert_eq!(last_audit(&store).await.1, "user_sessions_ended");

        // The console's direct elevation is flagged.
        store.set_user_role("system", ana.id, Role::Protection).await.unwrap();
        let detail = last_audit(&store).await.3;
        assert_eq!((detail["privileged"].as_bool(), detail["approved"].as_bool()), (Some(true), Some(false)));
        let root = store.create_user("system", "root", Role::Admin, None, PW).await.unwrap();
        let detail = last_audit(&store).await.3;
        assert_eq!((detail["privileged"].as_bool(), detail["approved"].as_bool()), (Some(true), Some(false)));
        assert_eq!(root.role, Role::Admin);
    }
}

#[tokio::test]
async fn privileged_accounts_need_a_second_admin() {
    for (store, _dir) in stores().await {
        let a1 = store.create_user("system", "admin1", Role::Admin, None, PW).await.unwrap();
        let a2 = store.create_user("system", "admin2", Role::Admin, None, PW).await.unwrap();
        let (x1, x2) = (format!("user:{}", a1.id), format!("user:{}", a2.id));

        let req = store.request_account(&x1, "eva", Role::Protection, None, PW).await.unwrap();
        assert_eq!((req.kind, req.status), (RequestKind::Create, RequestStatus::Pending));
        assert_eq!(store.user_by_username("eva").await.unwrap(), None, "no account before the approval");
        assert_eq!(last_audit(&store).await.1, "account_request_created");
        // The same request twice, and the asker's own approval, are refused.
        assert!(matches!(
            store.request_account(&x1, "eva", Role::Protection, None, PW).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(store.approve_account_request(&x1, req.id).await, Err(StoreError::NotAllowed(_))));
        assert_eq!(store.account_requests(true).await.unwrap().len(), 1);

        let (done, eva) = store.approve_account_request(&x2, req.id).await.unwrap();
        assert_eq!((done.status, done.decided_by.as_deref()), (RequestStatus::Approved, Some(x2.as_str())));
        assert_eq!((eva.role, done.user_id), (Role::Protection, Some(eva.id)));
        assert!(store.verify_password("eva", PW).await.unwrap().is_some(), "the asker's initial password");
        let all = actions(&store).await;
        assert_eq!(all[all.len() - 2..], ["user_created".to_string(), "account_request_approved".to_string()]);
        let created = store.audit_entries(None).await.unwrap().into_iter().rev().nth(1).unwrap();
        let detail: serde_json::Value = serde_json::from_str(&created.detail).unwrap();
        assert_eq!((created.actor.as_str(), detail["requested_by"].as_str()), (x2.as_str(), Some(x1.as_str())));
        assert_eq!(detail["privileged"], true);
        assert!(matches!(store.approve_account_request(&x2, req.id).await, Err(StoreError::Conflict(_))));

        // Elevating an officer: pending until another admin approves; the
        // user raised cannot approve it either.
        let ivan = store.create_user("system", "ivan", Role::Officer, None, PW).await.unwrap();
        store.create_session(ivan.id, &[7; 32], i64::MAX / 2).await.unwrap();
        let req = store.request_role(&x2, ivan.id, Role::Admin).await.unwrap();
        assert_eq!(store.user_by_id(ivan.id).await.unwrap().unwrap().role, Role::Officer);
        let (_, ivan2) = store.approve_account_request(&x1, req.id).await.unwrap();
        assert_eq!(ivan2.role, Role::Admin);
        assert_eq!(store.session_user(&[7; 32], 0).await.unwrap(), None, "the old role's session ended");

        // A rejected request creates nothing.
        let req = store.request_account(&x1, "zoe", Role::Admin, None, PW).await.unwrap();
        let rejected = store.reject_account_request(&x2, req.id).await.unwrap();
        assert_eq!(rejected.status, RequestStatus::Rejected);
        assert_eq!(store.user_by_username("zoe").await.unwrap(), None);
        assert_eq!(last_audit(&store).await.1, "account_request_rejected");
        assert!(matches!(store.approve_account_request(&x2, req.id).await, Err(StoreError::Conflict(_))));
        assert!(store.account_requests(true).await.unwrap().is_empty());
        assert_eq!(store.account_requests(false).await.unwrap().len(), 3);

        // Resetting a protection officer's password waits too: the old one
        // works until another admin approves; then the temporary one, to
        // be changed at once.
        let temp = "lluvia tarde puente verde";
        let req = store.request_reset(&x1, eva.id, temp).await.unwrap();
        assert_eq!(req.kind, RequestKind::Reset);
        assert!(store.verify_password("eva", PW).await.unwrap().is_some());
        assert!(matches!(store.approve_account_request(&x1, req.id).await, Err(StoreError::NotAllowed(_))));
        let (_, eva2) = store.approve_account_request(&x2, req.id).await.unwrap();
        assert!(eva2.must_change_password);
        assert_eq!(store.verify_password("eva", PW).await.unwrap(), None);
        assert!(store.verify_password("eva", temp).await.unwrap().is_some());
        let reset = store.audit_entries(None).await.unwrap().into_iter().rev().nth(1).unwrap();
        assert_eq!(reset.action, "password_reset");
        let detail: serde_json::Value = serde_json::from_str(&reset.detail).unwrap();
        assert_eq!((detail["privileged"].as_bool(), detail["requested_by"].as_str()), (Some(true), Some(x1.as_str())));
    }
}

#[tokio::test]
async fn sessions_record_their_last_use() {
    for (store, _dir) in stores().await {
        let ana = store.create_user("system", "ana", Role::Officer, None, PW).await.unwrap();
        let id = store.create_session(ana.id, &[1; 32], i64::MAX / 2).await.unwrap();
        let s = store.session_user(&[1; 32], 0).await.unwrap().unwrap();
        assert!(s.last_seen_at > 1_700_000_000, "{}", s.last_seen_at);
        store.touch_session(id, s.last_seen_at + 120).await.unwrap();
        // Never backwards.
        store.touch_session(id, s.last_seen_at).await.unwrap();
        assert_eq!(store.session_user(&[1; 32], 0).await.unwrap().unwrap().last_seen_at, s.last_seen_at + 120);
        assert_eq!(store.delete_idle_sessions(s.last_seen_at + 120).await.unwrap(), 0);
        assert_eq!(store.delete_idle_sessions(s.last_seen_at + 121).await.unwrap(), 1);
    }
}

/// Two administrators approving the same request at once: it is carried
/// out exactly once (the other gets a conflict and changes nothing).
#[tokio::test]
async fn a_request_is_approved_once() {
    for (store, _dir) in stores().await {
        let a1 = store.create_user("system", "admin1", Role::Admin, None, PW).await.unwrap();
        let a2 = store.create_user("system", "admin2", Role::Admin, None, PW).await.unwrap();
        let a3 = store.create_user("system", "admin3", Role::Admin, None, PW).await.unwrap();
        let (x1, x2, x3) = (format!("user:{}", a1.id), format!("user:{}", a2.id), format!("user:{}", a3.id));
        for kind in ["create", "role"] {
            let req = if kind == "create" {
                store.request_account(&x1, "eva", Role::Protection, None, PW).await.unwrap()
            } else {
                let ivan = store.create_user("system", "ivan", Role::Officer, None, PW).await.unwrap();
                store.request_role(&x1, ivan.id, Role::Admin).await.unwrap()
            };
            let (r2, r3) =
                tokio::join!(store.approve_account_request(&x2, req.id), store.approve_account_request(&x3, req.id));
            assert!(r2.is_ok() != r3.is_ok(), "{kind}: {r2:?} {r3:?}");
            let approved = store.audit_entries(None).await.unwrap().into_iter().filter(|e| {
                e.action == "account_request_approved" && e.subject == format!("account_request:{}", req.id)
            });
            assert_eq!(approved.count(), 1, "{kind}");
            let done = if kind == "create" { "user_created" } else { "user_role_changed" };
            let carried_out = store
                .audit_entries(None)
                .await
                .unwrap()
                .into_iter()
                .filter(|e| e.action == done && e.detail.contains(&format!("\"request\":{}", req.id)))
                .count();
            assert_eq!(carried_out, 1, "{kind}: carried out once");
        }
        assert_eq!(store.audit_verify().await.unwrap().map(|_| ()), Ok(()));
    }
}

/// Issue 16: nobody could manage accounts any more (disable, reset,
/// approve) if the last active administrator were disabled or demoted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_last_active_admin_stays() {
    for (store, _dir) in stores().await {
        let root = store.create_user("system", "root", Role::Admin, None, PW).await.unwrap();
        let eva = store.create_user("system", "eva", Role::Admin, None, PW).await.unwrap();
        let ana = store.create_user("system", "ana", Role::Officer, None, PW).await.unwrap();
        store.set_user_disabled("cli", eva.id, true).await.unwrap();
        let before = actions(&store).await.len();
        // root is the only active admin now (eva is disabled).
        assert!(matches!(store.set_user_disabled("cli", root.id, true).await, Err(StoreError::LastAdmin)));
        assert!(matches!(store.set_user_role("cli", root.id, Role::Auditor).await, Err(StoreError::LastAdmin)));
        assert_eq!(actions(&store).await.len(), before, "a refused change is not recorded as done");
        let root_now = store.user_by_id(root.id).await.unwrap().unwrap();
        assert_eq!((root_now.role, root_now.disabled), (Role::Admin, false));
        // What leaves an admin is allowed: other users, other changes.
        store.set_user_disabled("cli", ana.id, true).await.unwrap();
        store.set_user_role("cli", root.id, Role::Admin).await.unwrap();
        store.end_user_sessions("cli", root.id).await.unwrap();

        // Two admins disabling each other at once: one wins, the other is
        // refused (the check and the change are one serialised step).
        store.set_user_disabled("cli", eva.id, false).await.unwrap();
        let (by_eva, by_root) = (format!("user:{}", eva.id), format!("user:{}", root.id));
        let (a, b) = tokio::join!(
            store.set_user_disabled(&by_eva, root.id, true),
            store.set_user_disabled(&by_root, eva.id, true),
        );
        let refused = [&a, &b].iter().filter(|r| matches!(r, Err(StoreError::LastAdmin))).count();
        assert_eq!((refused, [&a, &b].iter().filter(|r| r.is_ok()).count()), (1, 1), "{a:?} {b:?}");
        let active = store.users().await.unwrap().into_iter().filter(|u| u.role == Role::Admin && !u.disabled).count();
        assert_eq!(active, 1);
        store.close().await;
    }
}
