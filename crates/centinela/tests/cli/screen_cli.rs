//! `centinela screen` end to end on a small hand-made list.

use std::path::Path;
use std::process::Command;

const LIST: &str = "\
id,given_names,surnames,birth_date,nationality,sex,aliases,document_numbers
W1,José Luis,Hernández Villalobos,1980-05-17,MEX,M,,G1234567
W2,María de los Ángeles,Muñoz de la Cruz,1992-11-03,GTM,F,\"Ángeles Cruz, la Güera\",
W3,Juan Carlos,García López,1969-08-08,MEX,M,,
W4,Guadalupe,Ibáñez Zúñiga,1975,HND,F,,
W5,Ana,Pérez,,MEX,F,,
";

const QUERIES: &str = "\
qid,given_names,surnames,birth_date,nationality,sex
Q1,JOSE LUIS,HERNANDEZ VILLALOBOS,1980-05-17,MEX,M
Q2,Maria de los Angeles,Munoz Delacruz,1992-03-11,GTM,F
Q3,Juan Carlos,Garcia Lopez,1990-03-21,MEX,M
Q4,GUADALUPE,IBANXXEZ ZUNXXIGA,1975-01-30,HND,F
Q5,Pedro,Ramírez,1985-01-01,NIC,M
";

fn run(dir: &Path, extra: &[&str]) -> std::process::Output {
    let list = dir.join("list.csv");
    let queries = dir.join("queries.csv");
    std::fs::write(&list, LIST).unwrap();
    std::fs::write(&queries, QUERIES).unwrap();
    Command::new(env!("CARGO_BIN_EXE_centinela"))
        .args(["screen", "--list"])
        .arg(&list)
        .arg("--queries")
        .arg(&queries)
        .args(extra)
        .output()
        .unwrap()
}

fn rows(out: &str) -> Vec<Vec<String>> {
    out.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

#[test]
fn alerts_in_query_order() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("qid,list_id,score\r\n") && text.ends_with("\r\n"), "{text:?}");
    let r = rows(&text);
    let pairs: Vec<(&str, &str)> = r.iter().map(|r| (r[0].as_str(), r[1].as_str())).collect();
    assert_eq!(pairs, [("Q1", "W1"), ("Q2", "W2"), ("Q4", "W4")], "{text}");
    for row in &r {
        let s: f64 = row[2].parse().unwrap();
        assert!((0.5..=1.0).contains(&s));
        assert_eq!(row[2].split('.').nth(1).map(str::len), Some(4), "4 decimals: {}", row[2]);
    }
}

#[test]
fn candidates_and_out_file() {
    let dir = tempfile::tempdir().unwrap();
    let hits = dir.path().join("hits.csv");
    let out = run(dir.path(), &["--candidates", "2", "--out", hits.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&hits).unwrap();
    let r = rows(&text);
    // every query that shares anything with the list gets up to 2 rows, in query order
    let qids: Vec<&str> = r.iter().map(|r| r[0].as_str()).collect();
    let mut sorted = qids.clone();
    sorted.sort();
    assert_eq!(qids, sorted);
    for q in ["Q1", "Q2", "Q3", "Q4", "Q5"] {
        assert!(qids.iter().filter(|x| **x == q).count() <= 2);
    }
    assert_eq!(r.iter().find(|r| r[0] == "Q1").map(|r| r[1].as_str()), Some("W1"));
    // the rejected common name is still the best candidate of Q3
    assert_eq!(r.iter().find(|r| r[0] == "Q3").map(|r| r[1].as_str()), Some("W3"));
}

#[test]
fn explain_column() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--explain"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("qid,list_id,score,explanation\r\n"));
    assert!(text.contains("birth date: same date"), "{text}");
}

#[test]
fn unreadable_input_exits_2_naming_file_line_field() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    let queries = dir.path().join("queries.csv");
    std::fs::write(&list, LIST).unwrap();
    std::fs::write(&queries, "qid,given_names,surnames,birth_date,nationality,sex\nQ1,Ana,Pérez,1969-02-29,MEX,F\nQ2,Ana,Pérez,1980-13-13,MEX,F\n")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .args(["screen", "--list"])
        .arg(&list)
        .arg("--queries")
        .arg(&queries)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("queries.csv:3") && err.contains("birth_date"), "{err}");

    std::fs::write(&queries, "qid,given_names\nQ1,Ana\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .args(["screen", "--list"])
        .arg(&list)
        .arg("--queries")
        .arg(&queries)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing column"));

    let out = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .args(["screen", "--list", "/nonexistent/list.csv", "--queries"])
        .arg(&queries)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/list.csv"));
}
