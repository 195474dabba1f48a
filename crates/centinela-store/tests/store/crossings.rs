//! Posts, crossings, inspections, hits, adjudications and decisions, on
//! SQLite and (with `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::{raw, stores};
use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Role, Sex, Timestamp};
use centinela_store::{
    Actor, Decision, HistoryReader, HitKind, InspectionWriter, NewHit, NewInspection, NewPost, PostKind, Store,
    StoreError, Verdict,
};

fn record(id: &str, surnames: &str, doc: &str, at: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: "Ana María".into(),
        surnames: surnames.into(),
        birth_date: BirthDate::parse_opt("1990-04-05").unwrap(),
        nationality: CountryCode::parse_opt("GTM").unwrap(),
        sex: Sex::Female,
        document_type: "P".into(),
        document_number: (!doc.is_empty()).then(|| DocumentNumber::parse(doc).unwrap()),
        issuing_state: CountryCode::parse_opt("GTM").unwrap(),
        vehicle: "P-123ABC".into(),
        phone: "+50255551234".into(),
        destination: "Tapachula".into(),
        ..CrossingRecord::new(id, "GTM-TECUNUMAN", Direction::Entry, Timestamp::parse(at).unwrap())
    }
}

async fn officer(store: &Store) -> i64 {
    store
        .create_user("system", "oficial1", Role::Officer, Some("GTM-TECUNUMAN"), "una clave bastante larga")
        .await
        .unwrap()
        .id
}

fn inspection(r: CrossingRecord, officer_id: i64, hits: usize) -> NewInspection {
    NewInspection {
        record: r,
        relation: "lead".into(),
        officer_id,
        actor: "oficial1".into(),
        suggested: if hits > 0 { "secondary_inspection" } else { "admit" }.into(),
        result: r#"{"shown":true}"#.into(),
        hits: (0..hits)
            .map(|i| NewHit {
                kind: HitKind::Person,
                list_name: "interpol-red".into(),
                list_kind: centinela_domain::ListKind::Wanted,
                entry_id: format!("W-{i}"),
                score: 0.9,
                action: "secondary_inspection_notify_police".into(),
                explanation: r#"[{"aspect":"surname","how":"exact","weight":3.0}]"#.into(),
                list_version: Some(1),
            })
            .collect(),
        flags: vec!["T1".into()],
        history_shown: Vec::new(),
    }
}

#[tokio::test]
async fn posts_have_unique_codes_and_a_secret_key() {
    for (store, _dir) in stores().await {
        let p = NewPost {
            code: "GTM-TECUNUMAN",
            name: "Tecún Umán",
            country: CountryCode::parse("GTM").unwrap(),
            facing: "MEX-CDHIDALGO",
            kind: PostKind::Land,
        };
        let (post, key) = store.add_post("admin", &p).await.unwrap();
        assert_eq!(post.code, "GTM-TECUNUMAN");
        assert_eq!(key.len(), 64);
        assert_eq!(store.post_by_key(&key).await.unwrap().as_deref(), Some("GTM-TECUNUMAN"));
        assert_eq!(store.post_by_key("nope").await.unwrap(), None);
        assert!(matches!(store.add_post("admin", &p).await, Err(StoreError::Conflict(_))));
        let bad = NewPost { code: "gtm tecun", ..p };
        assert!(store.add_post("admin", &bad).await.is_err());
        assert_eq!(store.posts().await.unwrap().len(), 1);
        assert_eq!(store.audit_verify().await.unwrap(), Ok(1));

        // A new post takes its country's time zone; an administrator sets
        // another (audited), or none; a name of another shape is refused.
        assert_eq!(post.time_zone, "America/Guatemala");
        assert_eq!(store.post_time_zone("GTM-TECUNUMAN").await.unwrap(), "America/Guatemala");
        store.set_post_time_zone("admin", "GTM-TECUNUMAN", "America/Mexico_City").await.unwrap();
        assert_eq!(store.posts().await.unwrap()[0].time_zone, "America/Mexico_City");
        store.set_post_time_zone("admin", "GTM-TECUNUMAN", "").await.unwrap();
        assert_eq!(store.post_time_zone("GTM-TECUNUMAN").await.unwrap(), "");
        let bad = store.set_post_time_zone("admin", "GTM-TECUNUMAN", "../etc/passwd").await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))), "{bad:?}");
        let none = store.set_post_time_zone("admin", "NOPE", "UTC").await;
        assert!(matches!(none, Err(StoreError::NotFound(_))), "{none:?}");
        assert_eq!(store.post_time_zone("NOPE").await.unwrap(), "");
        assert_eq!(store.audit_verify().await.unwrap(), Ok(3));
        let other = NewPost { code: "XXX-NOWHERE", country: CountryCode::parse("NOR").unwrap(), ..p };
        assert_eq!(store.add_post("admin", &other).await.unwrap().0.time_zone, "");
    }
}

#[tokio::test]
async fn imports_are_idempotent_on_crossing_id() {
    for (store, _dir) in stores().await {
        let rows: Vec<CrossingRecord> =
            (0..1200).map(|i| record(&format!("X{i}"), "López", "A1", "2026-01-01T10:00:00Z")).collect();
        let first = store.import_crossings("admin", &rows).await.unwrap();
        assert_eq!((first.read, first.inserted, first.already_present), (1200, 1200, 0));
        let mut again = rows[..10].to_vec();
        again.push(record("NEW", "López", "", "2026-01-02T10:00:00-06:00"));
        again.push(record("NEW", "López", "", "2026-01-02T10:00:00-06:00"));
        let second = store.import_crossings("admin", &again).await.unwrap();
        assert_eq!((second.inserted, second.already_present), (1, 11));
        assert_eq!(store.crossing_count().await.unwrap(), 1201);
        let back = store.crossing("NEW").await.unwrap().unwrap();
        assert_eq!(back.record, again[10]);
        assert_eq!(back.record.crossed_at.to_string(), "2026-01-02T16:00:00Z");
        assert_eq!(back.source, "import");
        assert_eq!(store.audit_verify().await.unwrap(), Ok(2));
    }
}

#[tokio::test]
async fn crossings_are_append_only() {
    for (store, _dir) in stores().await {
        store.import_crossings("admin", &[record("X1", "López", "A1", "2026-01-01T10:00:00Z")]).await.unwrap();
        assert!(raw(&store, "UPDATE crossings SET surnames = 'X'").await.is_err());
        assert!(raw(&store, "DELETE FROM crossings").await.is_err());
        assert_eq!(store.crossing("X1").await.unwrap().unwrap().record.surnames, "López");
    }
}

#[tokio::test]
async fn inspections_store_hits_and_audit_in_one_batch() {
    for (store, _dir) in stores().await {
        let off = officer(&store).await;
        let parties = vec![
            vec![inspection(record("I1", "López", "A1", "2026-02-01T10:00:00Z"), off, 2)],
            vec![
                inspection(record("I2", "Cux", "", "2026-02-01T10:05:00Z"), off, 0),
                inspection(record("I3", "Cux", "", "2026-02-01T10:05:00Z"), off, 1),
            ],
            // Repeats I1: refused alone.
            vec![inspection(record("I1", "López", "A1", "2026-02-01T10:00:00Z"), off, 0)],
        ];
        let out = store.record_inspections(&parties).await.unwrap();
        let first = out[0].as_ref().unwrap();
        assert_eq!(first[0].crossing_id, "I1");
        assert_eq!(first[0].hit_ids.len(), 2);
        assert_eq!(out[1].as_ref().unwrap().len(), 2);
        assert!(matches!(out[2], Err(StoreError::Conflict(_))));
        assert_eq!(store.crossing_count().await.unwrap(), 3);
        assert_eq!(store.inspection_result("I2").await.unwrap().unwrap()["shown"], true);
        assert_eq!(store.crossing("I3").await.unwrap().unwrap().officer_id, Some(off));
        // user_created + 3 inspections
        assert_eq!(store.audit_verify().await.unwrap(), Ok(4));
        let open = store.hits(true, None, 100).await.unwrap();
        assert_eq!(open.len(), 3);
        assert_eq!(open[0].crossing_id, "I3", "newest first");
        assert_eq!(store.hits_of_crossing("I1").await.unwrap().len(), 2);
        assert_eq!(store.hits(true, Some("MEX-X"), 100).await.unwrap().len(), 0);
    }
}

#[tokio::test]
async fn an_inspection_reads_back_exactly_as_written() {
    for (store, _dir) in stores().await {
        let off = officer(&store).await;
        // Quotes, a backslash, accents and Ñ: every field goes to the
        // database as text inside a batch and must come back unchanged.
        let mut i = inspection(record("Q1", "O'Brien \"Ñandú\" \\ Peña", "N1", "2026-02-01T10:00:00Z"), off, 2);
        i.record.address = "Calle 5 \"B\", Ñuñoa \\ 'Los Ángeles'".into();
        i.relation = "child".into();
        i.result = r#"{"shown":true,"nota":"comillas \" y barra \\","n":0.1}"#.into();
        i.hits[1].score = 0.123_456_789_012_345_68;
        i.hits[1].kind = HitKind::Document;
        i.hits[1].list_version = None;
        let out = store.record_inspections(&[vec![i.clone()]]).await.unwrap();
        let ids = out[0].as_ref().unwrap()[0].hit_ids.clone();
        let back = store.crossing("Q1").await.unwrap().unwrap();
        assert_eq!(back.record, i.record);
        assert_eq!((back.relation.as_str(), back.source.as_str()), ("child", "inspection"));
        assert_eq!((back.officer_id, back.corrects.as_deref()), (Some(off), None));
        let result = store.inspection_result("Q1").await.unwrap().unwrap();
        assert_eq!(result, serde_json::from_str::<serde_json::Value>(&i.result).unwrap());
        let hits = store.hits_of_crossing("Q1").await.unwrap();
        assert_eq!(hits.iter().map(|h| h.id).collect::<Vec<_>>(), ids);
        for (h, want) in hits.iter().zip(&i.hits) {
            assert_eq!(h.kind, want.kind);
            assert_eq!((h.list_name.as_str(), h.list_kind), (want.list_name.as_str(), want.list_kind));
            assert_eq!((h.entry_id.as_str(), h.action.as_str()), (want.entry_id.as_str(), want.action.as_str()));
            assert_eq!(h.score.to_bits(), want.score.to_bits(), "score kept to the bit");
            assert_eq!(h.list_version, want.list_version);
            assert_eq!(h.explanation, serde_json::from_str::<serde_json::Value>(&want.explanation).unwrap());
        }
        assert_eq!(store.audit_verify().await.unwrap(), Ok(2));
    }
}

#[tokio::test]
async fn a_large_batch_gives_every_hit_its_own_id() {
    for (store, _dir) in stores().await {
        let off = officer(&store).await;
        // 700 parties (more than one chunk of each statement), 0 to 3 hits
        // each, one a duplicate hit (same list and entry twice).
        let parties: Vec<Vec<NewInspection>> = (0..700)
            .map(|i| {
                let mut ins = inspection(record(&format!("B{i}"), "López", "", "2026-02-01T10:00:00Z"), off, i % 4);
                if i % 7 == 0 {
                    let again = ins.hits.first().cloned();
                    ins.hits.extend(again);
                }
                vec![ins]
            })
            .collect();
        let out = store.record_inspections(&parties).await.unwrap();
        let mut seen = std::collections::HashSet::new();
        for (party, got) in parties.iter().zip(out) {
            let got = got.unwrap();
            assert_eq!(got[0].crossing_id, party[0].record.crossing_id);
            assert_eq!(got[0].hit_ids.len(), party[0].hits.len());
            for (id, asked) in got[0].hit_ids.iter().zip(&party[0].hits) {
                assert!(seen.insert(*id), "hit id {id} given twice");
                let stored = store.hit(*id).await.unwrap().unwrap();
                assert_eq!(
                    (stored.crossing_id.as_str(), stored.entry_id.as_str()),
                    (got[0].crossing_id.as_str(), asked.entry_id.as_str())
                );
            }
        }
        assert_eq!(store.crossing_count().await.unwrap(), 700);
        assert_eq!(store.audit_verify().await.unwrap(), Ok(701));
    }
}

#[tokio::test]
async fn the_history_reader_answers_each_party_in_order() {
    for (store, _dir) in stores().await {
        let mut a = record("H1", "López", "A1", "2026-02-01T10:00:00Z");
        a.given_names = "ANA".into();
        let mut b = record("H2", "Pérez", "A1", "2026-02-02T10:00:00Z");
        b.given_names = "EVA".into();
        let c = record("H3", "Cux", "B2", "2026-02-02T10:00:00Z");
        store.import_crossings("admin", &[a, b, c]).await.unwrap();
        let reader = HistoryReader::spawn(store.clone());
        let doc = |n: &str, s: &str| (n.to_string(), s.to_string());
        let (one, two) = tokio::join!(
            reader.holders(vec![doc("A1", "GTM"), doc("ZZ", "GTM")]),
            reader.holders(vec![doc("B2", "GTM"), doc("A1", "MEX"), doc("A1", "GTM")]),
        );
        let (one, two) = (one.unwrap(), two.unwrap());
        let names = |h: &Vec<centinela_store::Holder>| {
            let mut v: Vec<String> = h.iter().map(|(g, s, _)| format!("{g} {s}")).collect();
            v.sort();
            v
        };
        assert_eq!(names(&one[0]), ["ANA López", "EVA Pérez"]);
        assert!(one[1].is_empty());
        assert_eq!(two[0].len(), 1);
        assert!(two[1].is_empty(), "another issuing state is another document");
        assert_eq!(names(&two[2]), names(&one[0]));
        assert!(reader.holders(Vec::new()).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn adjudications_and_decisions_append_and_the_latest_stands() {
    for (store, _dir) in stores().await {
        let off = officer(&store).await;
        let sup =
            store.create_user("system", "sup1", Role::Supervisor, None, "otra clave bastante larga").await.unwrap();
        store
            .record_inspections(&[vec![inspection(record("I1", "López", "A1", "2026-02-01T10:00:00Z"), off, 1)]])
            .await
            .unwrap();
        let hit = store.hits(true, None, 10).await.unwrap().remove(0);
        let actor = Actor { user_id: sup.id, username: "sup1", role: Role::Supervisor };
        assert!(matches!(store.adjudicate(actor, hit.id, Verdict::Dismissed, "  ").await, Err(StoreError::Invalid(_))));
        assert!(matches!(store.adjudicate(actor, 9999, Verdict::Dismissed, "x").await, Err(StoreError::NotFound(_))));
        let a = store.adjudicate(actor, hit.id, Verdict::Dismissed, "otra fecha de nacimiento").await.unwrap();
        let b = store.adjudicate(actor, hit.id, Verdict::Confirmed, "confirmado por huellas").await.unwrap();
        assert_eq!(b.corrects, Some(a.id));
        assert_eq!(store.hit(hit.id).await.unwrap().unwrap().adjudication.unwrap().decision, Verdict::Confirmed);
        assert!(store.hits(true, None, 10).await.unwrap().is_empty());
        assert_eq!(store.adjudications(hit.id).await.unwrap().len(), 2);

        store.decide(actor, "I1", Decision::Admit, "").await.unwrap();
        store.decide(actor, "I1", Decision::ReferToProtection, "posible víctima").await.unwrap();
        assert_eq!(store.decision("I1").await.unwrap().unwrap().0, "refer_to_protection");
        assert!(matches!(store.decide(actor, "nope", Decision::Admit, "").await, Err(StoreError::NotFound(_))));
        assert!(raw(&store, "DELETE FROM adjudications").await.is_err());
        assert!(store.audit_verify().await.unwrap().is_ok());
    }
}

#[tokio::test]
async fn timeline_and_party() {
    for (store, _dir) in stores().await {
        let mut rows = vec![
            record("T1", "López", "A1", "2026-01-01T10:00:00Z"),
            record("T2", "López", "A1", "2026-03-01T10:00:00Z"),
            // Another document, same names and birth date.
            record("T3", "López", "B2", "2026-02-01T10:00:00Z"),
            // Someone else.
            record("T4", "Cux", "C3", "2026-02-01T10:00:00Z"),
        ];
        rows[3].birth_date = BirthDate::parse_opt("1970-01-01").unwrap();
        rows[0].group_id = "G1".into();
        rows[3].group_id = "G1".into();
        store.import_crossings("admin", &rows).await.unwrap();
        let tl: Vec<String> = store.timeline("T2").await.unwrap().into_iter().map(|c| c.record.crossing_id).collect();
        assert_eq!(tl, ["T1", "T3", "T2"]);
        assert!(store.timeline("nope").await.unwrap().is_empty());
        let holders = store.document_holders("A1", "GTM", 10).await.unwrap();
        assert_eq!(holders.len(), 1, "two crossings, one holder");
        assert_eq!(holders[0].1, "López");
        assert!(store.document_holders("A1", "MEX", 10).await.unwrap().is_empty());
        let party: Vec<String> = store.party("G1").await.unwrap().into_iter().map(|c| c.record.crossing_id).collect();
        assert_eq!(party, ["T1", "T4"]);
        let feb = store.crossings_between(Some("2026-02-01"), Some("2026-03-01"), None).await.unwrap();
        assert_eq!(feb.len(), 2);
    }
}

#[tokio::test]
async fn the_writer_commits_concurrent_parties() {
    for (store, _dir) in stores().await {
        let off = officer(&store).await;
        let writer = InspectionWriter::spawn(store.clone());
        let mut tasks = Vec::new();
        for i in 0..200 {
            let w = writer.clone();
            let r = record(&format!("W{i}"), "López", "", "2026-02-01T10:00:00Z");
            tasks.push(tokio::spawn(async move { w.record(vec![inspection(r, off, i % 2)]).await }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let dup = writer.record(vec![inspection(record("W0", "X", "", "2026-02-01T10:00:00Z"), off, 0)]).await;
        assert!(dup.is_err());
        assert_eq!(store.crossing_count().await.unwrap(), 200);
        assert_eq!(store.audit_verify().await.unwrap(), Ok(201));
    }
}

/// Salt-1 of a SQLite write-ahead log's header: SQLite changes it each time
/// it starts the log again from the beginning.
fn wal_salt(db: &std::path::Path) -> Option<[u8; 4]> {
    let bytes = std::fs::read(db.with_extension("db-wal")).ok()?;
    bytes.get(16..20).map(|s| s.try_into().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_sustained_load_the_log_starts_again() {
    // Writers that never pause, and readers beside them: the checkpointer
    // alone never catches up, the log would only grow.
    let (store, dir) = stores().await.swap_remove(0);
    let db = dir.as_ref().unwrap().path().join("t.db");
    let off = officer(&store).await;
    let writer = InspectionWriter::spawn(store.clone());
    writer.record(vec![inspection(record("L0", "López", "", "2026-02-01T10:00:00Z"), off, 0)]).await.unwrap();
    let first = wal_salt(&db).expect("a log after the first commit");
    // Load until the log starts again (at most 10 s: it never did in 3 s
    // without the writer's copy).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (w, store, stop) = (writer.clone(), store.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = record(&format!("L{t}-{n}"), "López", "A1", "2026-02-01T10:00:00Z");
                w.record(vec![inspection(r, off, (n % 2) as usize)]).await.unwrap();
                store.document_holders("A1", "GTM", 10).await.unwrap();
                n += 1;
            }
            n
        }));
    }
    let mut restarted = false;
    while !restarted && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        restarted = wal_salt(&db).is_some_and(|s| s != first);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut written: u64 = 1;
    for t in tasks {
        written += t.await.unwrap();
    }
    assert!(restarted, "the log never started again in 10 s of load ({written} inspections)");
    assert_eq!(store.crossing_count().await.unwrap(), written as i64);
    assert_eq!(store.audit_verify().await.unwrap(), Ok(written + 1));
}

#[tokio::test]
async fn a_purged_hit_id_is_never_given_again() {
    // A post whose every hit has outlived its period: the next hit must not
    // take the number of one the synchronisation outbox already names (on
    // SQLite the highest id is free again once its row is gone).
    for (store, _dir) in stores().await {
        let off = officer(&store).await;
        let writer = InspectionWriter::spawn(store.clone());
        let r = record("P1", "López", "", "2026-02-01T10:00:00Z");
        let first = writer.record(vec![inspection(r, off, 1)]).await.unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let retention = centinela_store::Retention { hits_days: 1, ..Default::default() };
        let rep = store.purge("system", &retention, now + 2 * 86_400, false).await.unwrap();
        assert_eq!(rep.hits, 1, "{rep:?}");
        let r = record("P2", "López", "", "2026-02-02T10:00:00Z");
        let second = writer.record(vec![inspection(r, off, 1)]).await.expect("an inspection with a hit after a purge");
        assert!(second[0].hit_ids[0] > first[0].hit_ids[0], "{first:?} then {second:?}");
    }
}

#[tokio::test]
async fn recent_crossings_find_the_traveller_by_document_or_by_name_and_birth_date() {
    use centinela_store::TravellerKey;
    for (store, _dir) in stores().await {
        let mut rows = vec![
            record("R1", "López", "A1", "2026-01-01T10:00:00Z"),
            record("R2", "López", "A1", "2026-02-01T10:00:00Z"),
            // Another document, the same names and birth date.
            record("R3", "López", "B2", "2026-03-01T10:00:00Z"),
            // Someone else.
            record("R4", "Mora", "C3", "2026-04-01T10:00:00Z"),
        ];
        rows[1].direction = Direction::Exit;
        let mut elsewhere = record("R5", "López", "A1", "2026-05-01T10:00:00Z");
        elsewhere.post = "GTM-PEDROALVARADO".into();
        rows.push(elsewhere);
        store.import_crossings("admin", &rows).await.unwrap();
        let ids = |v: Vec<centinela_store::RecentCrossing>| v.into_iter().map(|c| c.crossing_id).collect::<Vec<_>>();
        let by_doc = TravellerKey { document: Some(("A1", "GTM")), ..Default::default() };
        assert_eq!(ids(store.recent_crossings(by_doc, None, 10).await.unwrap()), ["R5", "R2", "R1"]);
        let at_post = store.recent_crossings(by_doc, Some("GTM-TECUNUMAN"), 10).await.unwrap();
        assert_eq!(at_post[0].direction, Direction::Exit);
        assert_eq!(ids(at_post), ["R2", "R1"], "a post's reach is its own crossings");
        assert_eq!(ids(store.recent_crossings(by_doc, None, 2).await.unwrap()), ["R5", "R2"]);
        let both = TravellerKey {
            document: Some(("A1", "GTM")),
            given_names: "Ana María",
            surnames: "López",
            birth_date: "1990-04-05",
        };
        assert_eq!(ids(store.recent_crossings(both, Some("GTM-TECUNUMAN"), 10).await.unwrap()), ["R3", "R2", "R1"]);
        // Names without a full birth date identify no one; the wrong state
        // is another document.
        let names = TravellerKey { given_names: "Ana María", surnames: "López", ..Default::default() };
        assert!(store.recent_crossings(names, None, 10).await.unwrap().is_empty());
        let other_state = TravellerKey { document: Some(("A1", "MEX")), ..Default::default() };
        assert!(store.recent_crossings(other_state, None, 10).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn the_hit_queue_sorts_filters_and_pages() {
    use centinela_store::{HitOrder, HitQuery, HitStatus};
    for (store, _dir) in stores().await {
        let off = officer(&store).await;
        let sup =
            store.create_user("system", "sup1", Role::Supervisor, None, "otra clave bastante larga").await.unwrap();
        // Q1: a watch-list hit (low), Q2: a wanted hit (high, lower score),
        // Q3: a wanted hit (high, higher score), at another post.
        let mut watch = inspection(record("Q1", "Mora", "", "2026-02-01T10:00:00Z"), off, 1);
        watch.hits[0].list_name = "vigilancia".into();
        watch.hits[0].list_kind = centinela_domain::ListKind::Watch;
        watch.hits[0].score = 0.99;
        let mut low = inspection(record("Q2", "López", "", "2026-02-01T10:01:00Z"), off, 1);
        low.hits[0].score = 0.4;
        let mut other = record("Q3", "Cux", "", "2026-02-01T10:02:00Z");
        other.post = "GTM-PEDROALVARADO".into();
        let other = inspection(other, off, 1);
        for i in [watch, low, other] {
            store.record_inspections(&[vec![i]]).await.unwrap();
        }
        let ids = |p: centinela_store::HitPage| p.hits.into_iter().map(|q| q.hit.crossing_id).collect::<Vec<_>>();
        let q = HitQuery { limit: 10, ..Default::default() };
        let page = store.hit_queue(&q).await.unwrap();
        assert_eq!(page.total, 3);
        assert_eq!((page.hits[0].surnames.as_str(), page.hits[0].given_names.as_str()), ("Cux", "Ana María"));
        assert_eq!(page.hits[0].inspection.as_ref().unwrap()["shown"], true);
        assert_eq!(ids(page), ["Q3", "Q2", "Q1"], "by severity, then score");
        let oldest = store.hit_queue(&HitQuery { order: HitOrder::Oldest, ..q }).await.unwrap();
        assert_eq!(ids(oldest), ["Q1", "Q2", "Q3"]);
        let newest = store.hit_queue(&HitQuery { order: HitOrder::Newest, ..q }).await.unwrap();
        assert_eq!(ids(newest), ["Q3", "Q2", "Q1"]);
        let at_post = store.hit_queue(&HitQuery { post: Some("GTM-TECUNUMAN"), ..q }).await.unwrap();
        assert_eq!(ids(at_post), ["Q2", "Q1"]);
        let on_list = store.hit_queue(&HitQuery { list: Some("vigilancia"), ..q }).await.unwrap();
        assert_eq!(ids(on_list), ["Q1"]);
        // Paging: a page of one, the second; the total is every match.
        let second = store.hit_queue(&HitQuery { limit: 1, offset: 1, ..q }).await.unwrap();
        assert_eq!(second.total, 3);
        assert_eq!(ids(second), ["Q2"]);
        // A page is never larger than MAX_HIT_PAGE.
        let huge = store.hit_queue(&HitQuery { limit: u32::MAX, ..q }).await.unwrap();
        assert_eq!(huge.hits.len(), 3);

        // The booth's decision in force, and the status filter by the
        // adjudication in force.
        let actor = Actor { user_id: sup.id, username: "sup1", role: Role::Supervisor };
        store.decide(actor, "Q2", Decision::Admit, "").await.unwrap();
        store.decide(actor, "Q2", Decision::SecondaryInspection, "revisar").await.unwrap();
        let q2 = store.hits_of_crossing("Q2").await.unwrap().remove(0).id;
        let q3 = store.hits_of_crossing("Q3").await.unwrap().remove(0).id;
        store.adjudicate(actor, q2, Verdict::Confirmed, "misma persona").await.unwrap();
        store.adjudicate(actor, q3, Verdict::Confirmed, "misma persona").await.unwrap();
        store.adjudicate(actor, q3, Verdict::Dismissed, "otra persona").await.unwrap();
        let open = store.hit_queue(&q).await.unwrap();
        assert_eq!(ids(open), ["Q1"]);
        let all = store.hit_queue(&HitQuery { status: HitStatus::All, ..q }).await.unwrap();
        let q2_row = all.hits.iter().find(|h| h.hit.crossing_id == "Q2").unwrap();
        assert_eq!(q2_row.decision.as_deref(), Some("secondary_inspection"));
        assert_eq!(q2_row.hit.adjudication.as_ref().unwrap().decision, Verdict::Confirmed);
        let confirmed = store.hit_queue(&HitQuery { status: HitStatus::Confirmed, ..q }).await.unwrap();
        assert_eq!(ids(confirmed), ["Q2"]);
        let dismissed = store.hit_queue(&HitQuery { status: HitStatus::Dismissed, ..q }).await.unwrap();
        assert_eq!(ids(dismissed), ["Q3"], "the latest adjudication stands");
    }
}
