//! Referrals to protection, their answers, trafficking cases (versions,
//! shares) and the retention purge, on SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL.

use crate::common::{raw, stores};
use centinela_domain::htcds::{Case, CaseRecord};
use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Role, Sex, Timestamp};
use centinela_store::{Actor, Answer, Decision, NewInspection, Retention, Store, StoreError, Verdict};

fn record(id: &str, given: &str, doc: &str, at: &str) -> CrossingRecord {
    CrossingRecord {
        given_names: given.into(),
        surnames: "Pérez López".into(),
        birth_date: BirthDate::parse_opt("2009-04-05").unwrap(),
        nationality: CountryCode::parse_opt("HND").unwrap(),
        sex: Sex::Female,
        document_type: "P".into(),
        document_number: (!doc.is_empty()).then(|| DocumentNumber::parse(doc).unwrap()),
        issuing_state: CountryCode::parse_opt("HND").unwrap(),
        ..CrossingRecord::new(id, "GTM-TECUNUMAN", Direction::Entry, Timestamp::parse(at).unwrap())
    }
}

struct People {
    officer: i64,
    protection: i64,
    analyst: i64,
}

async fn people(store: &Store) -> People {
    let pw = "una clave bastante larga";
    let officer = store.create_user("system", "oficial", Role::Officer, None, pw).await.unwrap().id;
    let protection = store.create_user("system", "proteccion", Role::Protection, None, pw).await.unwrap().id;
    let analyst = store.create_user("system", "analista", Role::Analyst, None, pw).await.unwrap().id;
    People { officer, protection, analyst }
}

fn act(id: i64, name: &str, role: Role) -> Actor<'_> {
    Actor { user_id: id, username: name, role }
}

async fn inspected(store: &Store, officer: i64, r: CrossingRecord) {
    let result = serde_json::json!({
        "crossing_id": r.crossing_id,
        "flags": [{ "code": "T1", "kind": "possible_victim", "reason": "minor without a parent", "action": "refer_to_protection" }],
        "hits": [{ "kind": "person", "list": "desaparecidos", "list_kind": "missing", "entry_id": "M-7", "score": 0.93,
                   "action": "refer_to_protection", "explanation": [] }],
    });
    let ins = NewInspection {
        record: r,
        relation: String::new(),
        officer_id: officer,
        actor: "oficial".into(),
        suggested: "refer_to_protection".into(),
        result: result.to_string(),
        hits: Vec::new(),
        flags: vec!["T1".into()],
        history_shown: Vec::new(),
    };
    store.record_inspections(&[vec![ins]]).await.unwrap().remove(0).unwrap();
}

#[tokio::test]
async fn a_referral_keeps_its_indicators_and_an_accepted_one_opens_a_case() {
    for (store, _dir) in stores().await {
        let p = people(&store).await;
        inspected(&store, p.officer, record("R1", "Ana", "H100", "2026-03-01T10:00:00Z")).await;
        let officer = act(p.officer, "user:1", Role::Officer);
        store.decide(officer, "R1", Decision::ReferToProtection, "viaja sola con un adulto ajeno").await.unwrap();
        // A referral to secondary inspection is not in the protection queue.
        store.decide(officer, "R1", Decision::SecondaryInspection, "documento dudoso").await.unwrap();

        let queue = store.referrals(true, 100).await.unwrap();
        assert_eq!(queue.len(), 1);
        let r = &queue[0];
        assert_eq!(r.crossing_id, "R1");
        assert_eq!(r.indicator_codes(), ["T1", "list:desaparecidos"]);
        assert_eq!(r.indicators["hits"][0]["entry_id"], "M-7");
        assert!(r.answer.is_none());

        let prot = act(p.protection, "user:2", Role::Protection);
        assert!(matches!(
            store.answer_referral(prot, "proteccion", r.id, Answer::Decline, "  ").await,
            Err(StoreError::Invalid(_))
        ));
        let declined = store
            .answer_referral(prot, "proteccion", r.id, Answer::Decline, "sin indicios tras entrevista")
            .await
            .unwrap();
        assert_eq!((declined.answer.as_str(), declined.case_id), ("declined", None));
        assert!(store.referrals(true, 100).await.unwrap().is_empty());
        // Reconsidered: accepted, which opens a case from the crossing.
        let accepted =
            store.answer_referral(prot, "proteccion", r.id, Answer::Accept(None), "nueva información").await.unwrap();
        let case_id = accepted.case_id.unwrap();
        assert!(matches!(
            store.answer_referral(prot, "proteccion", r.id, Answer::Accept(None), "otra vez").await,
            Err(StoreError::Conflict(_))
        ));
        let answers = store.referral_answers(r.id).await.unwrap();
        assert_eq!(answers.iter().map(|a| a.answer.as_str()).collect::<Vec<_>>(), ["declined", "accepted"]);

        let c = store.case(case_id).await.unwrap().unwrap();
        assert_eq!((c.version, c.status.as_str()), (1, "Active"));
        assert_eq!(c.crossings, ["R1"]);
        assert_eq!(c.referrals, [r.id]);
        assert_eq!(c.record.person.first_name, "Ana");
        assert_eq!(c.record.person.second_name, "Pérez López");
        assert_eq!(c.record.person.birthdate, "2009-04-05");
        assert_eq!(c.record.person.gender, "Feminine");
        assert_eq!(c.record.person.citizenship, ["HND"]);
        assert_eq!(c.record.victim.trafficking_status, "PossibleVictimOfTrafficking");
        assert_eq!(c.record.case.incoming_referral_date, r.at[..10]);
        assert!(c.record.case.incoming_referral_details.contains("T1"), "{:?}", c.record.case);

        // A second referral of the same traveller joins the open case.
        inspected(&store, p.officer, record("R2", "Ana", "H100", "2026-04-01T10:00:00Z")).await;
        store.decide(officer, "R2", Decision::ReferToProtection, "otra vez con el mismo adulto").await.unwrap();
        let r2 = store.referrals(true, 10).await.unwrap().remove(0);
        assert!(matches!(
            store.answer_referral(prot, "proteccion", r2.id, Answer::Accept(Some(9999)), "x").await,
            Err(StoreError::NotFound(_))
        ));
        store.answer_referral(prot, "proteccion", r2.id, Answer::Accept(Some(case_id)), "misma víctima").await.unwrap();
        assert_eq!(store.case(case_id).await.unwrap().unwrap().crossings, ["R1", "R2"]);

        let actions: Vec<String> = store.audit_entries(None).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions.iter().filter(|a| *a == "referral_answered").count(), 3);
        assert_eq!(actions.iter().filter(|a| *a == "case_opened").count(), 1);
        assert!(store.audit_verify().await.unwrap().is_ok());

        // Append-only.
        assert!(raw(&store, "UPDATE case_versions SET status = 'Closed'").await.is_err());
        assert!(raw(&store, "DELETE FROM case_versions").await.is_err());
        assert!(raw(&store, "DELETE FROM referral_answers").await.is_err());
        assert!(raw(&store, "UPDATE referrals SET indicators = '{}'").await.is_err());
    }
}

#[tokio::test]
async fn a_case_changes_by_new_versions_and_never_silently() {
    for (store, _dir) in stores().await {
        let p = people(&store).await;
        let prot = act(p.protection, "user:2", Role::Protection);
        let mut rec = CaseRecord::default();
        rec.person.first_name = "Lucía".into();
        let id = store.create_case(prot, &Case::parse(rec.clone()).unwrap(), &[]).await.unwrap();
        assert!(matches!(
            store.create_case(prot, &Case::parse(rec.clone()).unwrap(), &["no-such"]).await,
            Err(StoreError::NotFound(_))
        ));

        rec.victim.methods_of_control = vec!["DebtBondage".into(), "WithholdsDocuments".into()];
        let v2 = store.update_case(prot, id, 1, &Case::parse(rec.clone()).unwrap()).await.unwrap();
        assert_eq!(v2, 2);
        // Someone still holding version 1 cannot overwrite version 2.
        rec.case.status = "Closed".into();
        assert!(matches!(
            store.update_case(prot, id, 1, &Case::parse(rec.clone()).unwrap()).await,
            Err(StoreError::Stale(_))
        ));
        assert!(matches!(
            store.update_case(prot, 4242, 1, &Case::parse(rec.clone()).unwrap()).await,
            Err(StoreError::NotFound(_))
        ));
        store.update_case(prot, id, 2, &Case::parse(rec.clone()).unwrap()).await.unwrap();
        let versions = store.case_versions(id).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.status.as_str()).collect::<Vec<_>>(), ["Active", "Active", "Closed"]);
        assert!(versions[0].record.victim.methods_of_control.is_empty());
        assert_eq!(versions[1].record.victim.methods_of_control, ["DebtBondage", "WithholdsDocuments"]);

        // Shares: only the latest row per user counts.
        assert!(!store.case_shared_with(id, p.analyst).await.unwrap());
        assert!(store.cases(Some(p.analyst), 100).await.unwrap().is_empty());
        store.share_case(prot, id, p.analyst, true).await.unwrap();
        assert!(store.case_shared_with(id, p.analyst).await.unwrap());
        assert_eq!(store.cases(Some(p.analyst), 100).await.unwrap().len(), 1);
        assert_eq!(store.case(id).await.unwrap().unwrap().shared_with, [p.analyst]);
        store.share_case(prot, id, p.analyst, false).await.unwrap();
        assert!(!store.case_shared_with(id, p.analyst).await.unwrap());
        assert!(store.case(id).await.unwrap().unwrap().shared_with.is_empty());
        assert!(matches!(store.share_case(prot, id, 999, true).await, Err(StoreError::NotFound(_))));

        let all = store.cases(None, 100).await.unwrap();
        assert_eq!((all[0].id, all[0].version, all[0].status.as_str()), (id, 3, "Closed"));
        assert_eq!(all[0].first_name, "Lucía");
        assert_eq!(store.all_cases().await.unwrap().len(), 1);
        assert!(store.audit_verify().await.unwrap().is_ok());
    }
}

const DAY: u64 = 86_400;

fn unix(ts: &str) -> u64 {
    Timestamp::parse(ts).unwrap().unix_seconds() as u64
}

#[tokio::test]
async fn the_purge_removes_what_is_old_and_never_what_an_open_case_holds() {
    for (store, _dir) in stores().await {
        let p = people(&store).await;
        let officer = act(p.officer, "user:1", Role::Officer);
        let prot = act(p.protection, "user:2", Role::Protection);
        // Old crossings: one of a victim with an open case (and an older
        // crossing of hers, same document), one unrelated with a hit that
        // was adjudicated and a declined referral, one recent.
        inspected(&store, p.officer, record("V1", "Ana", "H100", "2019-03-01T10:00:00Z")).await;
        store.import_crossings("system", &[record("V0", "Ana", "H100", "2018-03-01T10:00:00Z")]).await.unwrap();
        inspected(&store, p.officer, record("U1", "Berta", "H200", "2019-03-01T10:00:00Z")).await;
        store.import_crossings("system", &[record("N1", "Carla", "H300", "2026-03-01T10:00:00Z")]).await.unwrap();
        store.decide(officer, "V1", Decision::ReferToProtection, "T1").await.unwrap();
        store.decide(officer, "U1", Decision::ReferToProtection, "T1").await.unwrap();
        let queue = store.referrals(true, 10).await.unwrap();
        let (ru, rv) = (&queue[0], &queue[1]);
        assert_eq!((ru.crossing_id.as_str(), rv.crossing_id.as_str()), ("U1", "V1"));
        let case_id = store
            .answer_referral(prot, "proteccion", rv.id, Answer::Accept(None), "víctima")
            .await
            .unwrap()
            .case_id
            .unwrap();
        store.answer_referral(prot, "proteccion", ru.id, Answer::Decline, "no").await.unwrap();
        raw(&store, "INSERT INTO hits (crossing_id, kind, list_name, list_kind, entry_id, score, action, explanation, created_at) \
                     VALUES ('U1', 'person', 'l', 'wanted', 'W1', 0.9, 'a', '[]', '2019-03-01T10:00:00Z')").await.unwrap();
        let hit = store.hits(true, None, 10).await.unwrap().remove(0);
        let sup = store.create_user("system", "sup", Role::Supervisor, None, "una clave bastante larga").await.unwrap();
        store
            .adjudicate(act(sup.id, "user:9", Role::Supervisor), hit.id, Verdict::Dismissed, "otra persona")
            .await
            .unwrap();

        let now = unix("2026-06-01T00:00:00Z");
        let before = store.crossing_count().await.unwrap();
        let dry = store.purge("system", &Retention::default(), now, true).await.unwrap();
        assert!(dry.dry_run);
        assert_eq!((dry.crossings, dry.kept_for_cases, dry.referrals, dry.hits, dry.adjudications), (1, 2, 1, 1, 1));
        assert_eq!(store.crossing_count().await.unwrap(), before, "a dry run removes nothing");

        let rep = store.purge("system", &Retention::default(), now, false).await.unwrap();
        assert_eq!(rep.crossings, 1);
        assert_eq!(rep.referral_answers, 1);
        assert_eq!(rep.inspections, 1);
        assert!(store.crossing("U1").await.unwrap().is_none());
        for id in ["V0", "V1", "N1"] {
            assert!(store.crossing(id).await.unwrap().is_some(), "{id} kept");
        }
        assert!(store.inspection_result("V1").await.unwrap().is_some(), "an open case's inspection is kept");
        // Nothing left to do: a second run removes nothing.
        let again = store.purge("system", &Retention::default(), now, false).await.unwrap();
        assert_eq!((again.crossings, again.inspections, again.hits), (0, 0, 0));
        // The permit never outlives the purge.
        assert!(raw(&store, "DELETE FROM crossings WHERE crossing_id = 'N1'").await.is_err());

        // Closed long ago: the case goes, then the crossings it held.
        let mut rec = store.case(case_id).await.unwrap().unwrap().record;
        rec.case.status = "Closed".into();
        store.update_case(prot, case_id, 1, &Case::parse(rec).unwrap()).await.unwrap();
        let later = now + 11 * 365 * DAY;
        let rep = store.purge("system", &Retention::default(), later, false).await.unwrap();
        assert_eq!((rep.closed_cases, rep.case_versions), (1, 2));
        assert!(store.case(case_id).await.unwrap().is_none());
        assert!(store.cases(None, 10).await.unwrap().is_empty());
        assert!(store.crossing("V1").await.unwrap().is_none());
        assert!(store.crossing("V0").await.unwrap().is_none());
        assert!(store.crossing("N1").await.unwrap().is_none());

        let actions: Vec<String> = store.audit_entries(None).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions.iter().filter(|a| *a == "purge").count(), 3);
        assert_eq!(actions.iter().filter(|a| *a == "purge_dry_run").count(), 1);
        assert!(store.audit_verify().await.unwrap().is_ok());
    }
}
