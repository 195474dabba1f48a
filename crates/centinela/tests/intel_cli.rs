//! `centinela intel persons | facilitators | rings`, end to end on a small
//! synthetic country imported with `centinela import crossings`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::{Command, Output};

use centinela_synth::{Config, Scale, generate, write_crossings_csv};

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CENTINELA_DB")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run centinela")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

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
    // Same from the CSV directly, no database.
    let o = run(&db, &["intel", "persons", "--crossings", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).lines().count(), country.crossings.len() + 1);

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
}
