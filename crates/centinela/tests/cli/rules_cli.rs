//! `centinela rules list|check|backtest|save|enable|disable`, end to end.

use crate::support::{run, text};

const HEADER: &str = "crossing_id,post,direction,crossed_at,given_names,surnames,birth_date,nationality,sex,\
document_type,document_number,issuing_state,group_id,vehicle,phone,address,destination\n";

const ALONE: &str = "rule alone \"Minor alone\" {\n  category possible_victim\n  action refer_to_protection\n  \
weight 0.9\n  when traveller.minor and party.adults == 0\n  reason \"minor aged {traveller.age} alone\"\n}\n";

#[test]
fn list_shows_the_catalogue_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let o = run(&db, &["rules", "list"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let ids: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9", "T10", "N1", "N2", "N3", "N4", "N5", "D1", "A1",
            "A2", "A3", "A4"
        ]
    );
    assert!(out.lines().next().unwrap().starts_with("T1\tpossible_victim\trefer_to_protection\t"), "{out}");
}

#[test]
fn check_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let good = dir.path().join("good.rules");
    std::fs::write(&good, ALONE).unwrap();
    let o = run(&db, &["rules", "check", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));

    let bad = dir.path().join("bad.rules");
    std::fs::write(&bad, ALONE.replace("party.adults == 0", "party.adultz == 0")).unwrap();
    let o = run(&db, &["rules", "check", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    let want = format!("{}:5:28: unknown fact 'party.adultz' (did you mean party.adults?)", bad.display());
    assert_eq!(out.trim(), want);

    let o = run(&db, &["rules", "check", dir.path().join("missing.rules").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn backtest_counts_flags_per_rule_post_and_week() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let csv = dir.path().join("c.csv");
    std::fs::write(
        &csv,
        format!(
            "{HEADER}C1,GTM-TECUNUMAN,entry,2026-03-02T08:15:00Z,Ana,Núñez,2015-01-01,MEX,F,P,G1,MEX,,,,,Tapachula\n\
             C2,GTM-TECUNUMAN,entry,2026-03-02T09:15:00Z,Luis,Pérez,1980-01-01,MEX,M,P,G2,MEX,,,,,Tapachula\n\
             C3,GTM-ELCARMEN,exit,2026-03-10T09:15:00Z,Eva,Cux,2014-05-01,GTM,F,P,G3,GTM,,,,,Tapachula\n\
             C4,GTM-ELCARMEN,exit,2026-04-10T09:15:00Z,Eva,Cux,2014-05-01,GTM,F,P,G3,GTM,,,,,Tapachula\n"
        ),
    )
    .unwrap();
    let o = run(&db, &["import", "crossings", csv.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let rules = dir.path().join("r.rules");
    std::fs::write(&rules, ALONE).unwrap();
    let o = run(&db, &["rules", "backtest", rules.to_str().unwrap(), "--from", "2026-03-01", "--to", "2026-03-31"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let r = &v["report"];
    assert_eq!(r["crossings"], 3);
    assert_eq!(r["flagged"], 2);
    assert_eq!(r["refer_to_protection"], 2);
    let rule = &r["rules"][0];
    assert_eq!(rule["id"], "alone");
    assert_eq!(rule["flagged"], 2);
    assert_eq!(rule["per_post"]["GTM-TECUNUMAN"], 1);
    assert_eq!(rule["per_post"]["GTM-ELCARMEN"], 1);
    assert_eq!(rule["per_week"]["2026-03-02"], 1);
    assert_eq!(rule["per_week"]["2026-03-09"], 1);
}

#[test]
fn save_disable_and_enable_are_versions_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let rules = dir.path().join("r.rules");
    std::fs::write(&rules, ALONE).unwrap();
    let o = run(&db, &["rules", "save", rules.to_str().unwrap(), "--actor", "analista"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), "alone\tv1\tenabled");
    let o = run(&db, &["rules", "disable", "T2"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), "T2\tv1\tdisabled");
    let o = run(&db, &["rules", "list"]);
    let out = text(&o.stdout);
    assert!(out.lines().any(|l| l.starts_with("T2\t") && l.contains("\tdisabled\t")), "{out}");
    assert!(out.lines().any(|l| l.starts_with("alone\t") && l.contains("stored v1")), "{out}");
    let o = run(&db, &["rules", "enable", "T2"]);
    assert_eq!(text(&o.stdout).trim(), "T2\tv2\tenabled");
    let o = run(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
}
