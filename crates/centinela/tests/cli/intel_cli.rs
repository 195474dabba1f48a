//! `centinela intel persons | facilitators | rings`, end to end on a small
//! synthetic country imported with `centinela import crossings`.

use std::collections::{HashMap, HashSet};

use centinela_synth::{Config, Scale, generate, write_crossings_csv};

use crate::support::{fresh_db, run, text};

#[test]
fn intel_commands_follow_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let csv = dir.path().join("crossings.csv");
    let country = generate(&Config::new(3, Scale::Small));
    write_crossings_csv(std::fs::File::create(&csv).unwrap(), &country.crossings).unwrap();
    let o = run(&db, &["import", "crossings", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    // persons: every stored crossing exactly once, to one person.
    let out = dir.path().join("persons.csv");
    let o = run(&db, &["intel", "persons", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let body = std::fs::read_to_string(&out).unwrap();
    let mut lines = body.lines();
    assert_eq!(lines.next(), Some("crossing_id,person_id"));
    let mut person_of = HashMap::new();
    for l in lines {
        let (c, p) = l.split_once(',').unwrap();
        assert!(person_of.insert(c.to_string(), p.to_string()).is_none(), "{c} twice");
    }
    assert_eq!(person_of.len(), country.crossings.len());
    // Close to the truth: pairwise precision and recall over the small set.
    let truth: Vec<&str> = country.crossings.iter().map(|c| country.truth.person_of(&c.crossing_id).unwrap()).collect();
    let ours: Vec<&str> = country.crossings.iter().map(|c| person_of[&c.crossing_id].as_str()).collect();
    let a = centinela_intel::eval::agreement(&ours, &truth);
    assert!(a.bcubed.precision > 0.97 && a.bcubed.recall > 0.97, "{a:?}");
    // Same from the CSV directly, no database; the same persons.
    let o = run(&db, &["intel", "persons", "--crossings", csv.to_str().unwrap(), "--timings"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), country.crossings.len() + 1);
    assert_eq!(text(&o.stdout), body);
    // --timings: one line with every phase of the resolver.
    let err = text(&o.stderr);
    for phase in ["timings: load", "profiles", "blocking", "scoring", "clustering", "total"] {
        assert!(err.contains(phase), "{phase} missing: {err}");
    }
    // A bad row deep in the file (past the first batch the reading thread
    // hands over) is named by its line, exit status 2.
    let bad = dir.path().join("bad.csv");
    let mut rows: Vec<String> = std::fs::read_to_string(&csv).unwrap().lines().map(String::from).collect();
    assert!(rows.len() > 5000, "{} rows", rows.len());
    rows[5000] = rows[5000].replacen(",entry,", ",sideways,", 1).replacen(",exit,", ",sideways,", 1);
    std::fs::write(&bad, rows.join("\n")).unwrap();
    let o = run(&db, &["intel", "persons", "--crossings", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains(":5001: field direction"), "{}", text(&o.stderr));

    // facilitators: JSON lines, best first, with the contract's keys.
    let o = run(&db, &["intel", "facilitators", "--top", "5"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let facs: Vec<serde_json::Value> = text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!facs.is_empty() && facs.len() <= 5);
    for k in ["person_id", "score", "crossings", "distinct_companions", "minor_companions", "crossing_ids", "evidence"]
    {
        assert!(facs[0].get(k).is_some(), "missing {k}: {}", facs[0]);
    }
    let scores: Vec<f64> = facs.iter().map(|f| f["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
    // The best one is a planted facilitator.
    let planted: HashSet<&str> = country.truth.facilitators.iter().map(|f| f.person_id.as_str()).collect();
    let first_crossing = facs[0]["crossing_ids"][0].as_str().unwrap();
    assert!(planted.contains(country.truth.person_of(first_crossing).unwrap()));
    assert_eq!(facs[0]["person_id"].as_str().unwrap(), person_of[first_crossing]);

    // rings: JSON lines with ids, persons, score and evidence.
    let o = run(&db, &["intel", "rings"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let rings: Vec<serde_json::Value> = text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!rings.is_empty());
    for k in ["ring_id", "person_ids", "score", "evidence"] {
        assert!(rings[0].get(k).is_some(), "missing {k}: {}", rings[0]);
    }

    // An unreadable crossings file is exit status 2.
    let o = run(&db, &["intel", "persons", "--crossings", "/nonexistent.csv"]);
    assert_eq!(o.status.code(), Some(2));

    // Issue 16: these reads of the stored crossings were not audited. Now
    // each is (actor `cli`, counts only); reads of a CSV are not the
    // database's records and are not.
    let o = run(&db, &["audit", "show", "--json", "--limit", "10"]);
    let log: Vec<serde_json::Value> = text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let reads: Vec<(&str, &str)> = log
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("intel_"))
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reads,
        [("cli", "intel_persons_viewed"), ("cli", "intel_facilitators_viewed"), ("cli", "intel_rings_viewed")]
    );
    assert!(
        log.iter()
            .any(|e| e["action"] == "intel_facilitators_viewed"
                && e["detail"].as_str().unwrap().contains("\"returned\":"))
    );
}

/// The person of each crossing, from `intel persons`.
fn persons(db: &str) -> HashMap<String, String> {
    let o = run(db, &["intel", "persons"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
        .lines()
        .skip(1)
        .map(|l| {
            let (c, p) = l.rsplit_once(',').unwrap();
            (c.to_string(), p.to_string())
        })
        .collect()
}

#[test]
fn analysts_decisions_are_kept_applied_and_exports_follow() {
    // On PostgreSQL too when CENTINELA_TEST_PG is set: the commands open
    // their pool and query it in one runtime.
    let dir = tempfile::tempdir().unwrap();
    let db = fresh_db(dir.path(), "intel_cli");
    let csv = dir.path().join("crossings.csv");
    let country = generate(&Config::new(5, Scale::Small));
    write_crossings_csv(std::fs::File::create(&csv).unwrap(), &country.crossings).unwrap();
    let o = run(&db, &["import", "crossings", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    let before = persons(&db);
    // Two records of one person (the resolver's), and two of different persons.
    let mut by_person: HashMap<&str, Vec<&str>> = HashMap::new();
    for (c, p) in &before {
        by_person.entry(p.as_str()).or_default().push(c.as_str());
    }
    let same = by_person.values().find(|v| v.len() >= 2).unwrap();
    let (s1, s2) = (same[0].to_string(), same[1].to_string());
    let (d1, d2) = {
        let mut it = by_person.values().filter(|v| v.len() == 1);
        (it.next().unwrap()[0].to_string(), it.next().unwrap()[0].to_string())
    };
    assert_ne!(before[&d1], before[&d2]);

    let o = run(&db, &["intel", "split", &s1, &s2, "--reason", "distinta foto", "--actor", "analista"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let split: serde_json::Value = serde_json::from_str(text(&o.stdout).trim()).unwrap();
    let o = run(&db, &["intel", "merge", &d1, &d2, "--actor", "analista"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let after = persons(&db);
    assert_ne!(after[&s1], after[&s2], "the split is applied");
    assert_eq!(after[&d1], after[&d2], "the merge is applied");

    let o = run(&db, &["intel", "decisions"]);
    assert_eq!(text(&o.stdout).lines().count(), 2);
    let o = run(&db, &["intel", "withdraw", &split["id"].to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(persons(&db)[&s1], persons(&db)[&s2], "withdrawn: the resolver decides again");
    assert_eq!(run(&db, &["intel", "withdraw", &split["id"].to_string()]).status.code(), Some(1));
    assert_eq!(run(&db, &["intel", "merge", &d1, "NOPE"]).status.code(), Some(1));

    // Every decision is in the audit chain.
    let o = run(&db, &["audit", "show"]);
    let log = text(&o.stdout);
    for action in ["intel_split", "intel_merge", "intel_withdraw"] {
        assert!(log.contains(action), "{action} missing: {log}");
    }

    // Exports: the first ring as GraphML (well-formed XML) and FtM.
    let out = dir.path().join("ring.graphml");
    let o = run(&db, &["intel", "export", "--format", "graphml", "--ring", "K001", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let xml = std::fs::read_to_string(&out).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert!(doc.descendants().filter(|n| n.has_tag_name("node")).count() >= 2);
    assert!(doc.descendants().any(|n| n.has_tag_name("edge")));
    let o = run(&db, &["intel", "export", "--format", "ftm"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let lines: Vec<serde_json::Value> = text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|l| l["schema"] == "Person"));
    assert!(lines.iter().any(|l| l["schema"] == "Associate"));
    assert_eq!(run(&db, &["intel", "export", "--format", "ftm", "--ring", "K999"]).status.code(), Some(1));
    assert_eq!(run(&db, &["intel", "export", "--format", "dot"]).status.code(), Some(2));

    // Issue 16: exports and reading the decisions were not audited.
    let o = run(&db, &["audit", "show", "--json", "--limit", "1000"]);
    let log: Vec<serde_json::Value> = text(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let count = |action: &str| log.iter().filter(|e| e["action"] == action && e["actor"] == "cli").count();
    assert_eq!((count("intel_exported"), count("intel_decisions_viewed")), (2, 1));
    let graphml = log.iter().find(|e| e["action"] == "intel_exported").unwrap();
    let detail: serde_json::Value = serde_json::from_str(graphml["detail"].as_str().unwrap()).unwrap();
    assert_eq!((detail["format"].as_str(), detail["ring"].as_str()), (Some("graphml"), Some("K001")));
}
