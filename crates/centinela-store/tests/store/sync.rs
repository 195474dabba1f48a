//! Synchronisation at the store: a post (SQLite, as posts are) queues what
//! it makes; a centre (SQLite, and PostgreSQL with `CENTINELA_TEST_PG`)
//! applies pushes once, keeps both sides' adjudications, checks each post's
//! audit chain, refuses what is not the post's; lists flow back as deltas.

use std::collections::{BTreeMap, HashSet};

use crate::common::stores;
use centinela_domain::audit::AuditKey;
use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, ListKind, Role, Sex, Timestamp,
};
use centinela_store::{
    Actor, AuditHead, Backend, Decision, HitKind, ListRows, NewHit, NewInspection, NewPost, NewVersion, PROTOCOL,
    PostKey, PostKind, PushBatch, Store, StoreError, SyncRecord, Verdict,
};

const POST: &str = "GTM-TECUNUMAN";

fn record(id: &str, post: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: "Ana María".into(),
        surnames: "López".into(),
        birth_date: BirthDate::parse_opt("1990-04-05").unwrap(),
        nationality: CountryCode::parse_opt("GTM").unwrap(),
        sex: Sex::Female,
        document_type: "P".into(),
        document_number: Some(DocumentNumber::parse("A123").unwrap()),
        issuing_state: CountryCode::parse_opt("GTM").unwrap(),
        ..CrossingRecord::new(id, post, Direction::Entry, Timestamp::parse("2026-03-01T10:00:00Z").unwrap())
    }
}

fn new_post(code: &str) -> NewPost<'_> {
    NewPost {
        code, name: "Tecún Umán", country: CountryCode::parse("GTM").unwrap(), facing: "", kind: PostKind::Land
    }
}

async fn post_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
    (store, dir)
}

/// An inspection with one hit, its adjudication and a referral decision,
/// made at the post. Returns the crossing id.
async fn work_at_post(post: &Store, id: &str) -> String {
    let officer = match post.user_by_username("oficial").await.unwrap() {
        Some(u) => u.id,
        None => {
            post.create_user("system", "oficial", Role::Officer, Some(POST), "una clave bastante larga")
                .await
                .unwrap()
                .id
        }
    };
    let sup = match post.user_by_username("supervisora").await.unwrap() {
        Some(u) => u.id,
        None => {
            post.create_user("system", "supervisora", Role::Supervisor, Some(POST), "una clave bastante larga")
                .await
                .unwrap()
                .id
        }
    };
    let ins = NewInspection {
        record: record(id, POST),
        relation: String::new(),
        officer_id: officer,
        actor: "oficial".into(),
        suggested: "secondary_inspection".into(),
        result: r#"{"shown":true}"#.into(),
        hits: vec![NewHit {
            kind: HitKind::Person,
            list_name: "buscados".into(),
            list_kind: centinela_domain::ListKind::Wanted,
            entry_id: "W-1".into(),
            score: 0.93,
            action: "secondary_inspection".into(),
            explanation: "[]".into(),
            list_version: Some(3),
        }],
        flags: vec![],
        history_shown: Vec::new(),
    };
    let rec = post.record_inspections(&[vec![ins]]).await.unwrap().pop().unwrap().unwrap();
    let hit = rec[0].hit_ids[0];
    let actor = Actor { user_id: sup, username: "supervisora", role: Role::Supervisor };
    post.adjudicate(actor, hit, Verdict::Confirmed, "misma persona").await.unwrap();
    post.decide(actor, id, Decision::ReferToProtection, "posible víctima").await.unwrap();
    id.to_string()
}

#[tokio::test]
async fn a_push_applies_once_and_keeps_both_sides_adjudications() {
    for (centre, _dir) in stores().await {
        let (_, key) = centre.add_post("admin", &new_post(POST)).await.unwrap();
        assert_eq!(centre.post_key(&key).await.unwrap(), PostKey::Valid(POST.into()));
        assert_eq!(centre.post_key("nope").await.unwrap(), PostKey::Unknown);

        let (post, _pdir) = post_store().await;
        work_at_post(&post, "C-1").await;
        let items = post.outbox_pending(1000).await.unwrap();
        let kinds: Vec<&str> = items.iter().map(|i| i.record.kind()).collect();
        for k in ["crossing", "inspection", "hit", "adjudication", "decision", "referral", "audit"] {
            assert!(kinds.contains(&k), "{k} not queued: {kinds:?}");
        }
        // References come after what they refer to.
        let pos = |k: &str| kinds.iter().position(|x| *x == k).unwrap();
        assert!(pos("crossing") < pos("hit") && pos("hit") < pos("adjudication"));
        let status = post.sync_status().await.unwrap();
        assert_eq!((status.queued, status.sent), (items.len() as i64, 0));

        let batch = PushBatch { protocol: PROTOCOL, items: items.clone(), head: None };
        let first = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert_eq!((first.applied, first.duplicates), (items.len() as u64, 0));
        // The acknowledgement was lost: the same batch again changes nothing.
        let again = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert_eq!((again.applied, again.duplicates), (0, items.len() as u64));
        post.sync_ack(again.acked_seq, "http://centre").await.unwrap();
        assert!(post.outbox_pending(10).await.unwrap().is_empty());
        let status = post.sync_status().await.unwrap();
        assert_eq!((status.queued, status.sent), (0, items.len() as i64));

        let c = centre.crossing("C-1").await.unwrap().unwrap();
        assert_eq!(c.source, "sync");
        let hits = centre.hits_of_crossing("C-1").await.unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].origin.as_str(), hits[0].list_version), (POST, Some(3)));
        assert_eq!(hits[0].adjudications.len(), 1);
        assert_eq!(centre.decision("C-1").await.unwrap().unwrap().0, "refer_to_protection");
        let officer = centre.user_by_username(&format!("oficial@{POST}")).await.unwrap().unwrap();
        assert!(officer.disabled);
        assert!(
            centre.verify_password(&format!("oficial@{POST}"), "una clave bastante larga").await.unwrap().is_none()
        );
        let audit_n = items.iter().filter(|i| i.record.kind() == "audit").count() as u64;
        assert_eq!(centre.synced_audit_verify(POST).await.unwrap(), Ok(audit_n));
        assert!(centre.audit_verify().await.unwrap().is_ok());

        // The centre's supervisor judges the same hit later: both stay, in
        // order of time (then origin, for the same second); the later stands.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let boss =
            centre.create_user("system", "jefa", Role::Supervisor, None, "una clave bastante larga").await.unwrap();
        let actor = Actor { user_id: boss.id, username: "jefa", role: Role::Supervisor };
        centre.adjudicate(actor, hits[0].id, Verdict::Dismissed, "homónimo").await.unwrap();
        let hit = centre.hit(hits[0].id).await.unwrap().unwrap();
        let origins: Vec<&str> = hit.adjudications.iter().map(|a| a.origin.as_str()).collect();
        assert_eq!(origins, [POST, ""]);
        assert_eq!(hit.adjudication.unwrap().decision, Verdict::Dismissed);

        // More work at the post goes in the next push only.
        work_at_post(&post, "C-2").await;
        let more = post.outbox_pending(1000).await.unwrap();
        assert!(more.iter().all(|i| i.seq > again.acked_seq));
        let out =
            centre.apply_push(POST, &PushBatch { protocol: PROTOCOL, items: more, head: None }).await.unwrap().unwrap();
        assert_eq!(out.duplicates, 0);
        assert_eq!(centre.crossing_count().await.unwrap(), 2);
        assert!(centre.synced_audit_verify(POST).await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn the_centre_refuses_what_is_not_the_posts_and_revoked_keys() {
    for (centre, _dir) in stores().await {
        let (_, key) = centre.add_post("admin", &new_post(POST)).await.unwrap();
        let (post, _pdir) = post_store().await;
        work_at_post(&post, "C-1").await;
        let items = post.outbox_pending(1000).await.unwrap();

        // Another post may not push this post's crossings.
        let refused =
            centre.apply_push("GTM-OTRO", &PushBatch { protocol: PROTOCOL, items: items.clone(), head: None }).await;
        assert!(refused.unwrap().is_err());

        // A tampered audit entry breaks the chain: the batch is refused whole.
        let mut tampered = items.clone();
        for i in &mut tampered {
            if let SyncRecord::Audit(a) = &mut i.record {
                a.detail = r#"{"tampered":true}"#.into();
                break;
            }
        }
        let r = centre.apply_push(POST, &PushBatch { protocol: PROTOCOL, items: tampered, head: None }).await.unwrap();
        assert!(r.unwrap_err().message.contains("chain"));
        assert_eq!(centre.crossing_count().await.unwrap(), 0);

        // A batch whose adjudication comes before its hit is refused.
        let mut reordered: Vec<_> = items.iter().filter(|i| i.record.kind() != "hit").cloned().collect();
        reordered.retain(|i| i.record.kind() != "audit");
        let r = centre.apply_push(POST, &PushBatch { protocol: PROTOCOL, items: reordered, head: None }).await.unwrap();
        assert!(r.unwrap_err().message.contains("unknown"));

        centre.revoke_post("admin", POST).await.unwrap();
        assert_eq!(centre.post_key(&key).await.unwrap(), PostKey::Revoked(POST.into()));
        assert!(centre.revoke_post("admin", POST).await.is_err());
        assert!(centre.revoke_post("admin", "GTM-NADA").await.is_err());
        assert!(centre.audit_verify().await.unwrap().is_ok());
    }
}

fn person(id: &str, surnames: &str) -> AlertEntry {
    AlertEntry {
        id: id.into(),
        given_names: "Juan".into(),
        surnames: surnames.into(),
        aliases: vec![],
        birth_dates: vec![],
        nationalities: vec![],
        sex: Sex::Male,
        document_numbers: vec![],
        notes: String::new(),
        notice: Default::default(),
    }
}

fn version(keep: bool, n: usize) -> NewVersion<'static> {
    NewVersion {
        list: "buscados",
        kind: ListKind::Wanted,
        source: Some("policía"),
        file_name: "b.csv",
        format: "csv",
        rows_read: n as u64,
        rows_skipped: 0,
        keep_old_versions: keep,
    }
}

#[tokio::test]
async fn lists_reach_posts_as_deltas_under_the_centres_version() {
    for (centre, _dir) in stores().await {
        let (post, _pdir) = post_store().await;
        let v1 = vec![person("A", "Pérez"), person("B", "Gómez")];
        centre.import_version(&version(true, 2), &ListRows::Entries(v1)).await.unwrap();
        centre.import_version(&version(true, 2), &ListRows::Entries(vec![person("A", "Pérez")])).await.unwrap();
        // A post with nothing gets version 2 whole.
        let deltas = centre.list_deltas(&BTreeMap::new()).await.unwrap();
        assert_eq!(deltas.len(), 1);
        assert!(deltas[0].full);
        assert_eq!(deltas[0].version, 2);
        post.apply_list_delta(&deltas[0]).await.unwrap();
        assert_eq!(post.held_list_versions().await.unwrap().get("buscados"), Some(&2));
        assert!(centre.list_deltas(&post.held_list_versions().await.unwrap()).await.unwrap().is_empty());

        // Version 3: A changed, C added. The post gets only the change.
        let v3 = vec![person("A", "Pérez Ruiz"), person("C", "Díaz")];
        centre.import_version(&version(true, 2), &ListRows::Entries(v3.clone())).await.unwrap();
        let deltas = centre.list_deltas(&post.held_list_versions().await.unwrap()).await.unwrap();
        let d = &deltas[0];
        assert!(!d.full);
        assert_eq!((d.from_version, d.version), (Some(2), 3));
        assert_eq!(d.entries_removed, ["A"]);
        assert_eq!(d.entries_added.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["A", "C"]);
        post.apply_list_delta(d).await.unwrap();
        match post.version_rows("buscados", 3).await.unwrap() {
            Some((_, ListRows::Entries(rows))) => assert_eq!(rows, v3),
            other => panic!("{other:?}"),
        }
        // The same delta again is refused (the post holds 3 now).
        assert!(post.apply_list_delta(d).await.is_err());

        // An ordinary import keeps the version it replaces: a post holding
        // it still gets a delta.
        centre.import_version(&version(false, 1), &ListRows::Entries(vec![person("D", "Ruiz")])).await.unwrap();
        let mut old = BTreeMap::new();
        old.insert("buscados".to_string(), 3);
        let deltas = centre.list_deltas(&old).await.unwrap();
        assert!(!deltas[0].full);
        assert_eq!((deltas[0].from_version, deltas[0].version), (Some(3), 4));
        // When the centre no longer keeps the post's version, it sends the whole list.
        centre.import_version(&version(false, 1), &ListRows::Entries(vec![person("E", "Soto")])).await.unwrap();
        let deltas = centre.list_deltas(&old).await.unwrap();
        assert!(deltas[0].full);
        post.apply_list_delta(&deltas[0]).await.unwrap();
        assert_eq!(post.held_list_versions().await.unwrap().get("buscados"), Some(&5));

        // Posts learn the centre's posts (without keys).
        centre.add_post("admin", &new_post(POST)).await.unwrap();
        let infos = centre.post_infos().await.unwrap();
        assert_eq!(post.merge_posts(&infos).await.unwrap(), 1);
        assert_eq!(post.merge_posts(&infos).await.unwrap(), 0);
        assert_eq!(post.post_key(&"0".repeat(64)).await.unwrap(), PostKey::Unknown);
    }
}

/// The digit of each kind in an outbox uid (migration 0008).
fn kind_digit(kind: &str) -> &'static str {
    match kind {
        "crossing" => "1",
        "inspection" => "2",
        "hit" => "3",
        "adjudication" => "4",
        "decision" => "5",
        "referral" => "6",
        "audit" => "7",
        "lookout_hit" => "a",
        other => panic!("unknown kind {other}"),
    }
}

fn lower_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[tokio::test]
async fn outbox_ids_carry_the_instance_and_sort_in_insertion_order() {
    let (firsts, seconds) = (stores().await, stores().await);
    for ((post, _dir), (other, _odir)) in firsts.into_iter().zip(seconds) {
        let instance = post.sync_instance().await.unwrap();
        assert!(lower_hex(&instance, 32), "{instance}");
        // Two fresh databases draw different instances.
        assert_ne!(instance, other.sync_instance().await.unwrap());

        let ids = ["C-1", "C-2", "C-3", "C-4", "C-5", "C-6"];
        for id in ids {
            work_at_post(&post, id).await;
        }
        let items = post.outbox_pending(1000).await.unwrap();
        let mut by_kind: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for item in &items {
            let kind = item.record.kind();
            let parts: Vec<&str> = item.uid.split('-').collect();
            assert_eq!(parts.len(), 4, "{}", item.uid);
            assert_eq!(parts[0], instance, "{}", item.uid);
            assert_eq!(parts[1], kind_digit(kind), "{}", item.uid);
            assert!(lower_hex(parts[2], 16), "{}", item.uid);
            assert!(lower_hex(parts[3], 12), "{}", item.uid);
            if let SyncRecord::Audit(a) = &item.record {
                assert_eq!(parts[2], format!("{:016x}", a.seq));
            }
            by_kind.entry(kind).or_default().push(&item.uid);
        }
        for k in ["crossing", "inspection", "hit", "adjudication", "decision", "referral"] {
            assert_eq!(by_kind.get(k).map(Vec::len), Some(ids.len()), "{k}: {by_kind:?}");
        }
        // Within a kind, queue order (= insertion order) is uid order, past
        // a carry of the hex digits too (audit seq 15 -> 16).
        assert!(by_kind["audit"].len() > 16, "{by_kind:?}");
        for (kind, uids) in &by_kind {
            assert!(uids.windows(2).all(|w| w[0] < w[1]), "{kind}: {uids:?}");
        }

        // A database restored from a copy keeps its instance and numbers
        // records again from where the copy stood: the same record
        // numbers must still make new uids, or the centre would take the
        // new records for ones it has and drop them. `other` plays the
        // restored copy: same instance, same first records.
        let set = format!("UPDATE sync_state SET instance = '{instance}' WHERE id = 1");
        match other.backend() {
            Backend::Sqlite => sqlx::raw_sql(sqlx::AssertSqlSafe(set)).execute(other.sqlite().unwrap()).await.map(drop),
            Backend::Postgres => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(set)).execute(other.postgres().unwrap()).await.map(drop)
            }
        }
        .unwrap();
        work_at_post(&other, "C-1b").await;
        let again = other.outbox_pending(1000).await.unwrap();
        let head = |uid: &str| uid.rsplit_once('-').map(|(h, _)| h.to_string()).unwrap();
        let mine: HashSet<&str> = items.iter().map(|i| i.uid.as_str()).collect();
        let shared = again.iter().filter(|i| items.iter().any(|j| head(&j.uid) == head(&i.uid))).count();
        assert!(shared > 0, "the copy numbers its records as the original did");
        assert!(again.iter().all(|i| !mine.contains(i.uid.as_str())), "a restored copy made a uid again");
    }
}

#[tokio::test]
async fn the_centre_takes_random_and_ordered_ids_in_one_push() {
    for (centre, _dir) in stores().await {
        centre.add_post("admin", &new_post(POST)).await.unwrap();
        let (post, _pdir) = post_store().await;
        work_at_post(&post, "C-1").await;
        // What was queued before migration 0008 keeps its random uid: give
        // the first record's rows (crossing, inspection, hit, ...) such uids,
        // as an upgraded post has them.
        let p = post.sqlite().unwrap();
        sqlx::query("UPDATE sync_outbox SET uid = lower(hex(randomblob(16)))").execute(p).await.unwrap();
        work_at_post(&post, "C-2").await;
        let items = post.outbox_pending(1000).await.unwrap();
        let (random, ordered): (Vec<_>, Vec<_>) = items.iter().partition(|i| i.uid.len() == 32);
        assert!(!random.is_empty() && !ordered.is_empty());
        assert!(ordered.iter().all(|i| i.uid.len() == 64));

        let batch = PushBatch { protocol: PROTOCOL, items: items.clone(), head: None };
        let out = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert_eq!((out.applied, out.duplicates), (items.len() as u64, 0));
        let again = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert_eq!((again.applied, again.duplicates), (0, items.len() as u64));
        for id in ["C-1", "C-2"] {
            let hits = centre.hits_of_crossing(id).await.unwrap();
            assert_eq!((hits.len(), hits[0].adjudications.len()), (1, 1), "{id}");
        }
        assert!(centre.synced_audit_verify(POST).await.unwrap().is_ok());
    }
}

/// Migration numbers need not land in order (0008 came after 0010): a
/// read-only store wants every migration of this binary applied, not only
/// the highest number.
#[tokio::test]
async fn a_replica_missing_an_earlier_migration_is_refused() {
    let (store, dir) = post_store().await;
    let path = dir.path().join("post.db");
    let path = path.to_str().unwrap();
    assert!(Store::connect_read_only(path).await.is_ok());
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 8").execute(store.sqlite().unwrap()).await.unwrap();
    store.close().await;
    let err = Store::connect_read_only(path).await.unwrap_err().to_string();
    assert!(err.contains("0008"), "{err}");
}

/// A post made before migration 0008 (its outbox triggers and sync_state as
/// 0007 left them, 0010 already applied): reopened, 0008 applies, what was
/// queued keeps its random uid and what comes next is queued ordered.
#[tokio::test]
async fn migration_0008_upgrades_a_post_with_a_queue() {
    let (post, dir) = post_store().await;
    let p = post.sqlite().unwrap();
    let kinds = [
        ("crossings", "crossing", "id", "WHEN NEW.source <> 'sync'"),
        ("inspections", "inspection", "id", "WHEN NEW.origin = ''"),
        ("hits", "hit", "id", "WHEN NEW.origin = ''"),
        ("adjudications", "adjudication", "id", "WHEN NEW.origin = ''"),
        ("decisions", "decision", "id", "WHEN NEW.origin = ''"),
        ("referrals", "referral", "id", "WHEN NEW.origin = ''"),
        ("audit_log", "audit", "seq", ""),
    ];
    let mut undo = String::from("BEGIN;");
    for (table, kind, col, when) in kinds {
        undo += &format!(
            "DROP TRIGGER {table}_outbox; CREATE TRIGGER {table}_outbox AFTER INSERT ON {table} {when} BEGIN \
             INSERT INTO sync_outbox (uid, kind, ref) VALUES (lower(hex(randomblob(16))), '{kind}', NEW.{col}); END;"
        );
    }
    // Migrations 0017's and 0025's triggers read the instance too: gone
    // with it (this post is older than all three; they stay applied and are
    // not re-run).
    undo += "DROP TRIGGER clearances_outbox; DROP TRIGGER clearance_revocations_outbox; \
             DROP TRIGGER lookout_hits_outbox;";
    undo += "ALTER TABLE sync_state DROP COLUMN instance; DELETE FROM _sqlx_migrations WHERE version = 8; COMMIT;";
    sqlx::raw_sql(sqlx::AssertSqlSafe(undo)).execute(p).await.unwrap();
    work_at_post(&post, "C-1").await;
    let before = post.outbox_pending(1000).await.unwrap();
    assert!(before.iter().all(|i| i.uid.len() == 32), "{before:?}");
    post.close().await;

    let post = Store::connect(dir.path().join("post.db").to_str().unwrap()).await.unwrap();
    let instance = post.sync_instance().await.unwrap();
    assert_eq!(instance.len(), 32);
    work_at_post(&post, "C-2").await;
    let after = post.outbox_pending(1000).await.unwrap();
    assert_eq!(after[..before.len()], before[..]);
    let new = &after[before.len()..];
    assert!(new.iter().any(|i| i.record.kind() == "crossing"));
    assert!(new.iter().all(|i| i.uid.starts_with(&format!("{instance}-"))), "{new:?}");
}

/// The post's head as a push sends it.
async fn head_of(post: &Store) -> Option<AuditHead> {
    let (seq, hash) = post.audit_head().await.unwrap();
    Some(AuditHead { seq, hash: hash.iter().map(|b| format!("{b:02x}")).collect() })
}

/// Issue 16: the centre keeps every post's latest anchor from its pushes
/// and flags (and audits) a post whose audit chain went backwards — the
/// last entries deleted at the post, which the post's chain alone cannot
/// show. Sealed entries (a MAC the centre cannot recompute) are taken on
/// their links.
#[tokio::test]
async fn the_centre_keeps_posts_anchors_and_flags_a_chain_gone_backwards() {
    for (centre, _dir) in stores().await {
        centre.add_post("admin", &new_post(POST)).await.unwrap();
        let (post, _pdir) = post_store().await;
        let post = post.with_audit_key(AuditKey::from_bytes([9; 32])).await.unwrap();
        work_at_post(&post, "C-1").await;
        let items = post.outbox_pending(1000).await.unwrap();
        assert!(items.iter().any(|i| matches!(&i.record, SyncRecord::Audit(a) if a.sealed)));
        let batch = PushBatch { protocol: PROTOCOL, items, head: head_of(&post).await };
        let out = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert!(!out.audit_rewound);
        assert!(centre.synced_audit_verify(POST).await.unwrap().is_ok());
        post.sync_ack(out.acked_seq, "http://centre").await.unwrap();
        let info = centre.post_infos().await.unwrap().into_iter().find(|p| p.code == POST).unwrap();
        assert_eq!(info.audit_rewound_at, None);

        // The post's last audit entries deleted (triggers dropped first).
        let sqlite = post.sqlite().unwrap();
        let (head, _) = post.audit_head().await.unwrap();
        for sql in
            ["DROP TRIGGER audit_log_no_delete".to_string(), format!("DELETE FROM audit_log WHERE seq > {}", head - 2)]
        {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(sqlite).await.unwrap();
        }
        assert!(post.audit_verify().await.unwrap().is_ok());
        let batch = PushBatch { protocol: PROTOCOL, items: vec![], head: head_of(&post).await };
        let out = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert!(out.audit_rewound, "{:?}", centre.backend());
        let info = centre.post_infos().await.unwrap().into_iter().find(|p| p.code == POST).unwrap();
        assert!(info.audit_rewound_at.is_some());
        let log = centre.audit_entries(Some(2)).await.unwrap();
        assert_eq!(log[0].action, "post_audit_rewound");
        assert!(log[0].detail.contains(&format!("\"head_seq\":{}", head - 2)), "{}", log[0].detail);
        assert!(centre.audit_verify().await.unwrap().is_ok());
    }
}

/// Issue 16: post keys could not be rotated, and after `posts revoke`,
/// `posts add` for the same code said "already exists".
#[tokio::test]
async fn post_keys_rotate_and_a_revoked_post_is_added_again() {
    for (centre, _dir) in stores().await {
        let (_, old) = centre.add_post("admin", &new_post(POST)).await.unwrap();
        let new = centre.rotate_post_key("admin", POST).await.unwrap();
        assert_ne!(old, new);
        assert_eq!(centre.post_key(&old).await.unwrap(), PostKey::Unknown);
        assert_eq!(centre.post_key(&new).await.unwrap(), PostKey::Valid(POST.into()));
        assert!(matches!(centre.rotate_post_key("admin", "GTM-NADA").await, Err(StoreError::NotFound(_))));

        centre.revoke_post("admin", POST).await.unwrap();
        assert_eq!(centre.post_key(&new).await.unwrap(), PostKey::Revoked(POST.into()));
        assert!(matches!(centre.rotate_post_key("admin", POST).await, Err(StoreError::Conflict(_))));
        let (post, again) = centre.add_post("admin", &new_post(POST)).await.unwrap();
        assert_eq!(post.code, POST);
        assert_eq!(centre.post_key(&again).await.unwrap(), PostKey::Valid(POST.into()));
        assert_eq!(centre.post_key(&new).await.unwrap(), PostKey::Unknown);
        assert_eq!(centre.posts().await.unwrap().len(), 1);
        // A post in force is still not added twice.
        assert!(matches!(centre.add_post("admin", &new_post(POST)).await, Err(StoreError::Conflict(_))));
        let actions: Vec<String> = centre.audit_entries(Some(4)).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["post_created", "post_key_rotated", "post_key_revoked", "post_readded"]);
        assert!(centre.audit_verify().await.unwrap().is_ok());
    }
}

/// The inspection writer (both backends' batch paths) seals its audit
/// entries with the store's key, and refuses to write without it once the
/// log is sealed.
#[tokio::test]
async fn the_inspection_writer_seals_with_the_key() {
    for (store, _dir) in stores().await {
        let keyed = store.clone().with_audit_key(AuditKey::from_bytes([6; 32])).await.unwrap();
        work_at_post(&keyed, "C-7").await;
        let v = keyed.audit_verify_report().await.unwrap().unwrap();
        assert_eq!((v.sealed_from, v.unchecked), (Some(1), 0), "{:?}", store.backend());
        assert!(v.entries >= 4);
        // Without the key: the links hold, the seals are not checked …
        assert_eq!(store.audit_verify_report().await.unwrap().unwrap().unchecked, v.entries);
        // … and nothing can be appended: not by the writer …
        let officer = store.user_by_username("oficial").await.unwrap().unwrap().id;
        let ins = NewInspection {
            record: record("C-8", POST),
            relation: String::new(),
            officer_id: officer,
            actor: "oficial".into(),
            suggested: "admit".into(),
            result: "{}".into(),
            hits: vec![],
            flags: vec![],
            history_shown: Vec::new(),
        };
        let err = store.record_inspections(&[vec![ins]]).await;
        assert!(matches!(err, Err(StoreError::AuditKeyMissing(1))), "{err:?}");
        assert!(store.crossing("C-8").await.unwrap().is_none());
        // … nor by any other write.
        let e = store.decide(
            Actor { user_id: 1, username: "oficial", role: Role::Supervisor },
            "C-7",
            Decision::Admit,
            "revisado",
        );
        assert!(matches!(e.await, Err(StoreError::AuditKeyMissing(1))));
    }
}

/// A lookout hit at a post travels to the centre on the push: stored there
/// once (as the post's, audited as `post:CODE` without the subject), with
/// the lookout's issuer, and not queued again at the centre; a hit whose
/// crossing the centre does not hold is refused by name.
#[tokio::test]
async fn a_posts_lookout_hit_reaches_the_centre_once_and_is_audited_there() {
    use centinela_domain::LookoutInput;
    use centinela_store::NewLookoutHit;
    let now = Timestamp::parse("2026-03-01T09:00:00Z").unwrap();
    let sup = Actor { user_id: 1, username: "sup1", role: Role::Supervisor };
    let draft = LookoutInput {
        kind: "vehicle".into(),
        plate: Some("P-123 ABC".into()),
        reason: "Secuestro: vehículo usado".into(),
        action: "secondary_inspection".into(),
        valid_hours: Some(24),
        ..LookoutInput::default()
    }
    .parse(now)
    .unwrap();
    for (centre, _dir) in stores().await {
        centre.add_post("admin", &new_post(POST)).await.unwrap();
        let issued = centre.issue_lookout(sup, "L-9", &draft, now).await.unwrap();
        let (post, _pdir) = post_store().await;
        post.apply_lookouts(&centre.lookouts_for_posts(now).await.unwrap()).await.unwrap();
        work_at_post(&post, "C-9").await;
        let hit = |crossing: &str| NewLookoutHit {
            lookout_uid: issued.uid.clone(),
            crossing_id: crossing.into(),
            post: POST.into(),
            kind: "vehicle".into(),
            score: 1.0,
        };
        post.record_lookout_hits("oficial", &[hit("C-9")], now).await.unwrap();
        let items = post.outbox_pending(1000).await.unwrap();
        let queued: Vec<_> = items.iter().filter(|i| matches!(i.record, SyncRecord::LookoutHit(_))).collect();
        assert_eq!(queued.len(), 1, "the hit is queued at the post");
        assert!(queued[0].uid.contains("-a-"), "{}", queued[0].uid);

        let batch = PushBatch { protocol: PROTOCOL, items: items.clone(), head: None };
        let out = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert_eq!(out.lookout_hits.len(), 1);
        let again = centre.apply_push(POST, &batch).await.unwrap().unwrap();
        assert!(again.lookout_hits.is_empty(), "a batch pushed again tells no one twice");
        let at_centre = centre.lookout_hits_by_id(&out.lookout_hits).await.unwrap();
        assert_eq!(at_centre.len(), 1);
        let h = &at_centre[0];
        assert_eq!((h.post.as_str(), h.crossing_id.as_str(), h.issued_by.as_str()), (POST, "C-9", "sup1"));
        assert_eq!(h.reason, issued.reason);
        let audit = centre.audit_entries(None).await.unwrap();
        let hits: Vec<_> = audit.iter().filter(|a| a.action == "lookout_hit").collect();
        assert_eq!(hits.len(), 1);
        assert_eq!((hits[0].actor.as_str(), hits[0].subject.as_str()), ("post:GTM-TECUNUMAN", "lookout:L-9"));
        assert!(!hits[0].detail.contains("123"), "no plate in the audit");
        let at_centre_queue = centre.outbox_pending(1000).await.unwrap();
        assert!(!at_centre_queue.iter().any(|i| matches!(i.record, SyncRecord::LookoutHit(_))), "not queued again");

        // A hit on a crossing the centre does not hold is refused by name.
        post.sync_ack(out.acked_seq, "http://centre").await.unwrap();
        post.record_lookout_hits("oficial", &[hit("C-404")], now).await.unwrap();
        let stray: Vec<_> = post
            .outbox_pending(1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|i| matches!(i.record, SyncRecord::LookoutHit(_)))
            .collect();
        let refused = centre
            .apply_push(POST, &PushBatch { protocol: PROTOCOL, items: stray, head: None })
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(refused.kind, "lookout_hit");
    }
}

/// A post's list is as fresh as the centre's: the centre's last refresh
/// from the source (and the list's expected age) travels with the pull,
/// even when the list itself did not change.
#[tokio::test]
async fn a_posts_list_freshness_follows_the_centres_refresh() {
    for (centre, _dir) in stores().await {
        let (post, _pdir) = post_store().await;
        centre.import_version(&version(true, 2), &ListRows::Entries(vec![person("A", "Pérez")])).await.unwrap();
        post.apply_list_delta(&centre.list_deltas(&BTreeMap::new()).await.unwrap()[0]).await.unwrap();
        // The centre's connector confirms the list against its source
        // later, unchanged: no delta, but a new refresh time.
        crate::common::raw(
            &centre,
            "UPDATE alert_lists SET refreshed_at = '2031-01-02T03:04:05Z', max_age_hours = 24 WHERE name = 'buscados'",
        )
        .await
        .unwrap();
        let held = post.held_list_versions().await.unwrap();
        assert!(centre.list_deltas(&held).await.unwrap().is_empty());
        let names = held.keys().map(String::as_str).collect();
        let fresh = centre.list_freshness(&names).await.unwrap();
        assert_eq!(fresh.len(), 1);
        assert_eq!(fresh[0].refreshed_at.as_deref(), Some("2031-01-02T03:04:05Z"));
        assert_eq!(post.apply_list_freshness(&fresh).await.unwrap(), 1);
        let at_post = post.lists().await.unwrap().into_iter().find(|l| l.name == "buscados").unwrap();
        assert_eq!(at_post.refreshed_at.as_deref(), Some("2031-01-02T03:04:05Z"));
        assert_eq!(at_post.max_age_hours, Some(24));
        // A list the post does not hold is not named; a bad time is skipped.
        assert!(centre.list_freshness(&HashSet::from(["otra"])).await.unwrap().is_empty());
        let mut bad = fresh.clone();
        bad[0].refreshed_at = Some("ayer".into());
        assert_eq!(post.apply_list_freshness(&bad).await.unwrap(), 0);
    }
}
