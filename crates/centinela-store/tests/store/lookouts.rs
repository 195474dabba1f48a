//! Lookouts at the store, on SQLite and (with `CENTINELA_TEST_PG`)
//! PostgreSQL: issued, changed and cancelled with a revision each, audited
//! without the subject; listed live or all; the centre's copy replaces a
//! post's only when newer (a cancellation missed offline arrives); hits
//! stored once and audited.

use crate::common::stores;
use centinela_domain::{LookoutAction, LookoutInput, LookoutScope, Role, Timestamp};
use centinela_store::{Actor, LookoutChange, LookoutHitFilter, NewLookoutHit, StoreError};

fn at(s: &str) -> Timestamp {
    Timestamp::parse(s).unwrap()
}

fn vehicle(hours: i64) -> centinela_domain::LookoutDraft {
    LookoutInput {
        kind: "vehicle".into(),
        plate: Some("P-123 ABC".into()),
        reason: "Secuestro: vehículo usado".into(),
        action: "secondary_inspection".into(),
        valid_hours: Some(hours),
        ..LookoutInput::default()
    }
    .parse(at("2026-03-01T09:00:00Z"))
    .unwrap()
}

const SUP: Actor<'static> = Actor { user_id: 1, username: "sup1", role: Role::Supervisor };

#[tokio::test]
async fn issued_changed_cancelled_each_a_revision_audited_without_the_subject() {
    for (store, _dir) in stores().await {
        let now = at("2026-03-01T09:00:00Z");
        let l = store.issue_lookout(SUP, "L-1", &vehicle(24), now).await.unwrap();
        assert_eq!((l.revision, l.origin.as_str(), l.issued_by.as_str()), (1, "", "sup1"));
        assert!(l.in_force(now));
        assert_eq!(l.state(at("2026-03-02T09:00:00Z")), "expired");
        assert_eq!(store.lookouts(false, 100, now).await.unwrap().len(), 1);
        assert!(store.lookouts(false, 100, at("2026-03-02T10:00:00Z")).await.unwrap().is_empty());

        let change = LookoutChange {
            action: Some(LookoutAction::DetainPerLaw),
            valid_until: Some(at("2026-03-03T09:00:00Z")),
            ..LookoutChange::default()
        };
        let c = store.change_lookout(SUP, "L-1", &change, now).await.unwrap();
        assert_eq!((c.revision, c.action), (2, LookoutAction::DetainPerLaw));
        let none = store.change_lookout(SUP, "L-1", &LookoutChange::default(), now).await;
        assert!(matches!(none, Err(StoreError::Invalid(_))), "{none:?}");
        let past = LookoutChange { valid_until: Some(at("2026-02-01T00:00:00Z")), ..LookoutChange::default() };
        assert!(matches!(store.change_lookout(SUP, "L-1", &past, now).await, Err(StoreError::Invalid(_))));

        assert!(matches!(store.cancel_lookout(SUP, "L-1", " ", now).await, Err(StoreError::Invalid(_))));
        let x = store.cancel_lookout(SUP, "L-1", "Hallado", now).await.unwrap();
        assert_eq!((x.revision, x.state(now)), (3, "cancelled"));
        assert_eq!(store.lookouts_stamp().await.unwrap(), 3, "the stamp grows with every write");
        assert!(matches!(store.cancel_lookout(SUP, "L-1", "otra vez", now).await, Err(StoreError::Conflict(_))));
        assert!(matches!(store.change_lookout(SUP, "L-1", &change, now).await, Err(StoreError::Conflict(_))));
        assert!(matches!(store.cancel_lookout(SUP, "NOPE", "x", now).await, Err(StoreError::NotFound(_))));
        assert!(store.lookouts(false, 100, now).await.unwrap().is_empty());
        assert_eq!(store.lookouts(true, 100, now).await.unwrap().len(), 1);

        let audit = store.audit_entries(None).await.unwrap();
        let actions: Vec<&str> =
            audit.iter().filter(|a| a.subject == "lookout:L-1").map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["lookout_issued", "lookout_changed", "lookout_cancelled"]);
        assert!(audit.iter().all(|a| !a.detail.contains("123")), "the plate is never in the audit detail");
        assert_eq!(store.audit_verify().await.unwrap(), Ok(audit.len() as u64));
    }
}

#[tokio::test]
async fn a_post_takes_the_centres_copy_only_when_newer_and_never_edits_it() {
    let now = at("2026-03-01T09:00:00Z");
    let mut all = stores().await.into_iter();
    let (centre, _d1) = all.next().unwrap();
    for (post, _d2) in stores().await {
        let issued = centre.issue_lookout(SUP, "L-2", &vehicle(24), now).await.unwrap();
        let sent = centre.lookouts_for_posts(now).await.unwrap();
        assert_eq!(sent, vec![issued.clone()]);
        assert_eq!(post.apply_lookouts(&sent).await.unwrap(), 1);
        assert_eq!(post.lookouts_stamp().await.unwrap(), 0, "the centre's lookouts are not the post's own");
        assert_eq!(post.apply_lookouts(&sent).await.unwrap(), 0, "the same revision again changes nothing");
        let held = post.lookout("L-2").await.unwrap().unwrap();
        assert_eq!((held.origin.as_str(), held.revision), ("central", 1));
        let refused = post.cancel_lookout(SUP, "L-2", "no", now).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");

        // Cancelled at the centre while the post was away: the next pull
        // carries the cancelled row, and an older copy never comes back.
        let cancelled = centre.cancel_lookout(SUP, "L-2", "Hallado", now).await.unwrap();
        assert_eq!(post.apply_lookouts(&centre.lookouts_for_posts(now).await.unwrap()).await.unwrap(), 1);
        assert_eq!(post.lookout("L-2").await.unwrap().unwrap().cancelled_at, cancelled.cancelled_at);
        assert_eq!(post.apply_lookouts(&sent).await.unwrap(), 0);
        assert!(!post.lookout("L-2").await.unwrap().unwrap().in_force(now));
        assert!(post.audit_entries(None).await.unwrap().iter().any(|a| a.action == "lookouts_pulled"));
        // Past its window it is no longer sent.
        assert!(centre.lookouts_for_posts(at("2026-03-05T00:00:00Z")).await.unwrap().is_empty());
        // The next round uses a fresh centre lookout uid.
        crate::common::raw(&centre, "DELETE FROM lookouts").await.unwrap();
    }
}

#[tokio::test]
async fn hits_are_stored_once_and_audited() {
    for (store, _dir) in stores().await {
        let now = at("2026-03-01T09:00:00Z");
        let l = store.issue_lookout(SUP, "L-3", &vehicle(24), now).await.unwrap();
        let hit = NewLookoutHit {
            lookout_uid: l.uid.clone(),
            crossing_id: "C-1".into(),
            post: "GTM-TECUNUMAN".into(),
            kind: "vehicle".into(),
            score: 1.0,
        };
        let stored = store.record_lookout_hits("officer1", std::slice::from_ref(&hit), now).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!((stored[0].reason.as_str(), stored[0].action.as_str()), (l.reason.as_str(), "secondary_inspection"));
        assert_eq!(stored[0].issued_by, "sup1");
        assert!(store.record_lookout_hits("officer1", &[hit], now).await.unwrap().is_empty());
        let filter = LookoutHitFilter { post: Some("GTM-TECUNUMAN".into()), limit: 10, ..LookoutHitFilter::default() };
        assert_eq!(store.lookout_hits(&filter).await.unwrap().len(), 1);
        let later = LookoutHitFilter { after_id: stored[0].id, limit: 10, ..LookoutHitFilter::default() };
        assert!(store.lookout_hits(&later).await.unwrap().is_empty());
        let other = LookoutHitFilter { post: Some("OTHER".into()), limit: 10, ..LookoutHitFilter::default() };
        assert!(store.lookout_hits(&other).await.unwrap().is_empty());
        let audit = store.audit_entries(None).await.unwrap();
        let hits: Vec<_> = audit.iter().filter(|a| a.action == "lookout_hit").collect();
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].actor.as_str(), hits[0].subject.as_str()), ("officer1", "lookout:L-3"));
        assert!(matches!(l.scope, LookoutScope::All));
    }
}

/// The retention purge removes lookout hits with their crossing and, like
/// any hit, after the hits' period; a recent hit stays.
#[tokio::test]
async fn lookout_hits_are_purged_with_the_hits_period() {
    for (store, _dir) in stores().await {
        let l = store.issue_lookout(SUP, "L-4", &vehicle(24), at("2026-03-01T09:00:00Z")).await.unwrap();
        let hit = |crossing: &str| NewLookoutHit {
            lookout_uid: l.uid.clone(),
            crossing_id: crossing.into(),
            post: "GTM-TECUNUMAN".into(),
            kind: "vehicle".into(),
            score: 1.0,
        };
        store.record_lookout_hits("officer1", &[hit("C-OLD")], at("2026-03-01T09:00:00Z")).await.unwrap();
        store.record_lookout_hits("officer1", &[hit("C-NEW")], at("2026-03-20T09:00:00Z")).await.unwrap();
        let now = at("2026-03-21T09:00:00Z").unix_seconds() as u64;
        let retention = centinela_store::Retention { hits_days: 10, ..Default::default() };
        let dry = store.purge("system", &retention, now, true).await.unwrap();
        assert_eq!(dry.lookout_hits, 1, "{dry:?}");
        let all = LookoutHitFilter { limit: 10, ..LookoutHitFilter::default() };
        assert_eq!(store.lookout_hits(&all).await.unwrap().len(), 2, "a dry run removes nothing");
        let rep = store.purge("system", &retention, now, false).await.unwrap();
        assert_eq!(rep.lookout_hits, 1, "{rep:?}");
        let left = store.lookout_hits(&all).await.unwrap();
        assert_eq!(left.iter().map(|h| h.crossing_id.as_str()).collect::<Vec<_>>(), ["C-NEW"]);
        let audit = store.audit_entries(None).await.unwrap();
        assert!(audit.iter().any(|a| a.action == "purge" && a.detail.contains("\"lookout_hits\":1")));
    }
}

/// Notification targets: added, listed, chosen by post (and every post),
/// disabled, their outcome recorded, removed.
#[tokio::test]
async fn notification_targets_are_kept_per_post() {
    use centinela_store::NewNotificationTarget;
    for (store, _dir) in stores().await {
        let t = |post: &'static str, address: &'static str| NewNotificationTarget {
            post,
            role: "supervisor",
            kind: "webhook",
            address,
            relay: "",
            sender: "",
            secret: "file:/etc/centinela/hook.key",
            created_by: "cli",
        };
        let a = store.add_notification_target(&t("GTM-TECUNUMAN", "https://a.example.org/h")).await.unwrap();
        let b = store.add_notification_target(&t("", "https://b.example.org/h")).await.unwrap();
        store.add_notification_target(&t("GTM-OTRO", "https://c.example.org/h")).await.unwrap();
        assert!(a.enabled && a.last_sent_at.is_none());
        let ids = |v: Vec<centinela_store::NotificationTarget>| v.into_iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids(store.notification_targets_for("GTM-TECUNUMAN").await.unwrap()), [a.id, b.id]);
        store.set_notification_target_enabled(a.id, false).await.unwrap();
        assert_eq!(ids(store.notification_targets_for("GTM-TECUNUMAN").await.unwrap()), [b.id]);
        store.record_notification(b.id, "2026-03-01T09:00:00Z", "").await.unwrap();
        store.record_notification(b.id, "2026-03-01T10:00:00Z", "webhook answered 503").await.unwrap();
        let b2 = store.notification_targets().await.unwrap().into_iter().find(|t| t.id == b.id).unwrap();
        assert_eq!(
            (b2.last_sent_at.as_deref(), b2.last_error.as_str()),
            (Some("2026-03-01T09:00:00Z"), "webhook answered 503")
        );
        store.remove_notification_target(a.id).await.unwrap();
        assert!(matches!(store.remove_notification_target(a.id).await, Err(StoreError::NotFound(_))));
        assert!(matches!(store.set_notification_target_enabled(a.id, true).await, Err(StoreError::NotFound(_))));
        assert_eq!(store.notification_targets().await.unwrap().len(), 2);
    }
}
