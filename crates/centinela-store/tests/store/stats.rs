//! The dashboard's aggregates, on SQLite and (with `CENTINELA_TEST_PG`)
//! PostgreSQL.

use crate::common::stores;
use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, Role, Sex, Timestamp};
use centinela_store::{Actor, Decision, HitKind, NewHit, NewInspection, StatsFilter, Verdict};

fn record(id: &str, post: &str, direction: Direction, at: &str) -> CrossingRecord {
    CrossingRecord {
        crossing_id: id.into(),
        post: post.into(),
        direction,
        crossed_at: Timestamp::parse(at).unwrap(),
        given_names: "Ana".into(),
        surnames: "López".into(),
        birth_date: BirthDate::parse_opt("1990-04-05").unwrap(),
        nationality: CountryCode::parse_opt("GTM").unwrap(),
        sex: Sex::Female,
        document_type: "P".into(),
        document_number: None,
        issuing_state: None,
        group_id: String::new(),
        vehicle: String::new(),
        phone: String::new(),
        address: String::new(),
        destination: String::new(),
    }
}

fn inspection(r: CrossingRecord, officer_id: i64, hits: usize) -> NewInspection {
    NewInspection {
        record: r,
        relation: "lead".into(),
        officer_id,
        actor: "user:1".into(),
        suggested: "admit".into(),
        result: "{}".into(),
        hits: (0..hits)
            .map(|i| NewHit {
                kind: HitKind::Person,
                list_name: "buscados".into(),
                list_kind: centinela_domain::ListKind::Wanted,
                entry_id: format!("W-{i}"),
                score: 0.9,
                action: "notify".into(),
                explanation: "[]".into(),
                list_version: Some(1),
            })
            .collect(),
        flags: vec![],
        history_shown: Vec::new(),
    }
}

#[tokio::test]
async fn counts_crossings_hits_verdicts_and_referrals() {
    for (store, _dir) in stores().await {
        assert_eq!(store.crossing_days("").await.unwrap(), None);
        let empty = store.stats(&StatsFilter::default()).await.unwrap();
        assert_eq!(empty.hits.raised, 0);
        assert!(empty.crossings_by_post.is_empty());

        let imported = vec![
            record("I1", "A-1", Direction::Entry, "2026-01-01T10:00:00Z"),
            record("I2", "A-1", Direction::Exit, "2026-01-01T23:59:59Z"),
            record("I3", "B-2", Direction::Entry, "2026-01-02T08:00:00Z"),
        ];
        store.import_crossings("system", &imported).await.unwrap();
        let u = store.create_user("system", "oficial", Role::Officer, None, "una clave bastante larga").await.unwrap();
        let sup =
            store.create_user("system", "super", Role::Supervisor, None, "una clave bastante larga").await.unwrap();
        let party = vec![
            inspection(record("N1", "B-2", Direction::Entry, "2026-01-03T09:00:00Z"), u.id, 3),
            inspection(record("N2", "B-2", Direction::Entry, "2026-01-03T09:00:00Z"), u.id, 0),
        ];
        let mut rec = store.record_inspections(&[party]).await.unwrap();
        let party = rec.pop().unwrap().unwrap();
        let hit_ids = party[0].hit_ids.clone();
        let officer = Actor { user_id: u.id, username: "oficial", role: Role::Officer };
        let supervisor = Actor { user_id: sup.id, username: "super", role: Role::Supervisor };
        store.adjudicate(supervisor, hit_ids[0], Verdict::Confirmed, "misma persona").await.unwrap();
        store.adjudicate(supervisor, hit_ids[1], Verdict::Confirmed, "a primera vista").await.unwrap();
        // A correction: the latest adjudication stands.
        store.adjudicate(supervisor, hit_ids[1], Verdict::Dismissed, "otra fecha").await.unwrap();
        store.decide(officer, "N1", Decision::Admit, "").await.unwrap();
        store.decide(officer, "N1", Decision::SecondaryInspection, "alerta").await.unwrap();
        store.decide(officer, "N2", Decision::ReferToProtection, "T9").await.unwrap();

        assert_eq!(store.crossing_days("").await.unwrap(), Some(("2026-01-01".to_string(), "2026-01-03".to_string())));
        let s = store.stats(&StatsFilter::default()).await.unwrap();
        assert_eq!(s.crossings_by_post, vec![("B-2".to_string(), 3), ("A-1".to_string(), 2)]);
        assert_eq!(
            s.crossings_by_day,
            vec![("2026-01-01".to_string(), 2), ("2026-01-02".to_string(), 1), ("2026-01-03".to_string(), 2)]
        );
        assert_eq!(s.directions_by_day[0], ("2026-01-01".to_string(), 1, 1));
        assert_eq!((s.hits.raised, s.hits.confirmed, s.hits.dismissed, s.hits.open), (3, 1, 1, 1));
        assert_eq!(s.hits_by_day, vec![("2026-01-03".to_string(), 3)]);
        assert_eq!(s.referrals, vec![("protection".to_string(), 1), ("secondary_inspection".to_string(), 1)]);
        assert_eq!(s.decisions, vec![("refer_to_protection".to_string(), 1), ("secondary_inspection".to_string(), 1)]);

        // The filter: a post, a window of days.
        let a = store.stats(&StatsFilter { post: "A-1", ..Default::default() }).await.unwrap();
        assert_eq!(a.crossings_by_post, vec![("A-1".to_string(), 2)]);
        assert_eq!(a.hits.raised, 0);
        let day2 = store.stats(&StatsFilter { from: "2026-01-02", to: "2026-01-03", post: "" }).await.unwrap();
        assert_eq!(day2.crossings_by_day, vec![("2026-01-02".to_string(), 1)]);
        assert_eq!(store.crossing_days("A-1").await.unwrap().unwrap().1, "2026-01-01");
    }
}

#[tokio::test]
async fn facts_for_publication_count_by_attribute_and_age_band() {
    for (store, _dir) in stores().await {
        let mut young = record("Y1", "A-1", Direction::Entry, "2026-03-01T10:00:00Z");
        young.birth_date = BirthDate::parse_opt("2010-03-02").unwrap();
        let mut year_only = record("Y2", "A-1", Direction::Exit, "2026-03-01T11:00:00Z");
        year_only.birth_date = BirthDate::parse_opt("1976").unwrap();
        let mut unknown = record("Y3", "A-1", Direction::Exit, "2026-03-02T11:00:00Z");
        unknown.birth_date = None;
        unknown.nationality = None;
        unknown.sex = Sex::Unknown;
        let imported = vec![young, year_only, unknown, record("Y4", "A-1", Direction::Entry, "2026-03-02T12:00:00Z")];
        store.import_crossings("system", &imported).await.unwrap();
        let facts = store.stat_facts(&StatsFilter::default()).await.unwrap();
        let measures: Vec<&str> = facts.iter().map(|f| f.measure.as_str()).collect();
        assert_eq!(
            measures,
            ["crossings", "crossings", "hits", "referrals", "decisions", "victims", "victims", "outcomes"]
        );
        assert!(facts[5..].iter().all(|f| f.rows.is_empty()), "no cases, no case counts");
        let mut by_nat = facts[0].rows.clone();
        by_nat.sort();
        assert_eq!(by_nat[0], (vec!["A-1".into(), "2026-03-01".into(), "entry".into(), "GTM".into()], 1));
        assert_eq!(facts[0].rows.iter().map(|r| r.1).sum::<u64>(), 4);
        let mut ages = facts[1].rows.clone();
        ages.sort();
        // 15 the day before the birthday; 50 from a year-only birth date;
        // 35 on the day after a birthday; no birth date: no band.
        assert_eq!(
            ages,
            vec![
                (vec!["2026-03-01".into(), "F".into(), "0-17".into()], 1),
                (vec!["2026-03-01".into(), "F".into(), "50+".into()], 1),
                (vec!["2026-03-02".into(), "".into(), "".into()], 1),
                (vec!["2026-03-02".into(), "F".into(), "30-49".into()], 1),
            ]
        );
        assert!(facts[2].rows.is_empty());
        let release =
            centinela_stats::publish(&facts, &centinela_stats::Options { k: 1, ..Default::default() }).unwrap();
        let t = release.table("crossings_age_sex").unwrap();
        assert_eq!(t.total(), Some(4));
    }
}

#[tokio::test]
async fn counts_victims_identified_assisted_prosecuted_and_repatriated() {
    use centinela_domain::htcds::{Case, CaseRecord, HistoricEvent, Perpetrator, SupportPlan};
    for (store, _dir) in stores().await {
        store
            .import_crossings("system", &[record("C1", "A-1", Direction::Entry, "2026-01-05T10:00:00Z")])
            .await
            .unwrap();
        let p = store
            .create_user("system", "proteccion", Role::Protection, None, "una clave bastante larga")
            .await
            .unwrap();
        let prot = Actor { user_id: p.id, username: "proteccion", role: Role::Protection };
        let base = |day: &str| {
            let mut r = CaseRecord::default();
            r.victim.trafficking_status = "PossibleVictimOfTrafficking".into();
            r.case.incoming_referral_date = day.into();
            r.person.gender = "Feminine".into();
            r.person.birthdate = "2010-01-01".into();
            r
        };
        // 1: identified and assisted, sexual exploitation, at post A-1.
        let mut a = base("2026-01-05");
        a.victim.type_of_exploitation = vec!["SexualExploitation".into()];
        a.support_plans.push(SupportPlan { kind: "Health".into(), ..Default::default() });
        let id_a = store.create_case(prot, &Case::parse(a).unwrap(), &["C1"]).await.unwrap();
        // 2: prosecuted and repatriated (back home after the exploitation).
        let mut b = base("2026-02-10");
        b.victim.trafficking_status = "ActualVictimOfTrafficking".into();
        b.victim.trafficking_status_decision_making_org = "CourtOrProsecution".into();
        b.victim.type_of_exploitation = vec!["ForcedLabour".into(), "ForcedBegging".into()];
        b.perpetrators.push(Perpetrator { role_in_process: vec!["Exploiter".into()], ..Default::default() });
        b.person.citizenship = vec!["HND".into()];
        b.person.gender = "Masculine".into();
        b.events.push(HistoricEvent { kind: "Exploitation".into(), date: "2026-01-20".into(), ..Default::default() });
        b.events.push(HistoricEvent {
            kind: "Transit".into(),
            date: "2026-02-01".into(),
            country: "HND".into(),
            ..Default::default()
        });
        store.create_case(prot, &Case::parse(b).unwrap(), &[]).await.unwrap();
        // 3: not a victim — counts for nothing.
        let mut c = base("2026-01-06");
        c.victim.trafficking_status = "NotAVictimOfTrafficking".into();
        c.support_plans.push(SupportPlan { kind: "Legal".into(), ..Default::default() });
        store.create_case(prot, &Case::parse(c).unwrap(), &[]).await.unwrap();

        let s = store.stats(&StatsFilter::default()).await.unwrap();
        assert_eq!(s.cases, centinela_store::CaseCounts { identified: 2, assisted: 1, prosecuted: 1, repatriated: 1 });
        assert_eq!(s.victims_by_exploitation, [("Multiple".to_string(), 1), ("SexualExploitation".to_string(), 1)]);
        // The period bounds the case's day; a post keeps its cases only.
        let jan = store.stats(&StatsFilter { from: "2026-01-01", to: "2026-02-01", post: "" }).await.unwrap();
        assert_eq!((jan.cases.identified, jan.cases.assisted, jan.cases.prosecuted), (1, 1, 0));
        let at_a = store.stats(&StatsFilter { post: "A-1", ..StatsFilter::default() }).await.unwrap();
        assert_eq!(at_a.cases.identified, 1);
        let at_b = store.stats(&StatsFilter { post: "B-2", ..StatsFilter::default() }).await.unwrap();
        assert_eq!(at_b.cases, centinela_store::CaseCounts::default());

        // A new version counts, the old one no more: case 1 loses its plan.
        let mut a2 = store.case(id_a).await.unwrap().unwrap();
        a2.record.support_plans.clear();
        store.update_case(prot, id_a, a2.version, &Case::parse(a2.record).unwrap()).await.unwrap();
        assert_eq!(store.stats(&StatsFilter::default()).await.unwrap().cases.assisted, 0);

        let facts = store.stat_facts(&StatsFilter::default()).await.unwrap();
        let case_sets: Vec<_> = facts.iter().filter(|f| f.measure != "crossings" && f.dims[0] == "day").collect();
        let victims = case_sets.iter().find(|f| f.dims == ["day", "exploitation"]).unwrap();
        let mut rows = victims.rows.clone();
        rows.sort();
        assert_eq!(
            rows,
            [
                (vec!["2026-01-05".to_string(), "SexualExploitation".to_string()], 1),
                (vec!["2026-02-10".to_string(), "Multiple".to_string()], 1)
            ]
        );
        let people = case_sets.iter().find(|f| f.dims == ["day", "sex", "age"]).unwrap();
        let mut rows = people.rows.clone();
        rows.sort();
        assert_eq!(
            rows,
            [
                (vec!["2026-01-05".to_string(), "F".to_string(), "0-17".to_string()], 1),
                (vec!["2026-02-10".to_string(), "M".to_string(), "0-17".to_string()], 1)
            ]
        );
        let outcomes = case_sets.iter().find(|f| f.measure == "outcomes").unwrap();
        let mut rows = outcomes.rows.clone();
        rows.sort();
        assert_eq!(
            rows,
            [
                (vec!["2026-02-10".to_string(), "prosecuted".to_string()], 1),
                (vec!["2026-02-10".to_string(), "repatriated".to_string()], 1)
            ]
        );
    }
}
