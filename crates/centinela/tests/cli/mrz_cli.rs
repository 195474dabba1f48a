//! Black-box tests of `centinela mrz` against the JSON contract.

use std::io::Write;
use std::process::{Command, Output, Stdio};

const TD3: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10\n";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<\n";
const CONTRACT: &str = r#"{"format":"TD3","document_code":"P","issuing_state":"UTO","surnames":"ERIKSSON","given_names":"ANNA MARIA","document_number":"L898902C3","nationality":"UTO","birth_date":"1974-08-12","sex":"F","expiry_date":"2012-04-15","optional_data":"ZE184226B","checks":{"document_number":true,"birth_date":true,"expiry_date":true,"optional_data":true,"composite":true},"valid":true,"warnings":[]}"#;

fn centinela(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_centinela"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run centinela");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout_lines(o: &Output) -> Vec<String> {
    String::from_utf8(o.stdout.clone()).unwrap().lines().map(str::to_string).collect()
}

#[test]
fn specimen_matches_contract_byte_for_byte() {
    // Before the specimen expired, the output is the contract line exactly.
    let o = centinela(&["mrz", "--today", "2010-01-01"], TD3);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout_lines(&o), [CONTRACT]);
    // Today it carries the expiry warning and nothing else changes.
    let o = centinela(&["mrz", "--today", "2026-11-23"], TD3);
    assert_eq!(stdout_lines(&o), [CONTRACT.replace(r#""warnings":[]"#, r#""warnings":["expired"]"#)]);
    // And with the system date, from stdin via `-`.
    let o = centinela(&["mrz", "-"], TD3);
    assert!(stdout_lines(&o)[0].contains(r#""valid":true"#));
}

#[test]
fn blocks_in_order_unreadable_goes_on_with_status_2() {
    let bad_td3 = TD3.replace("L898902C36", "L898902C37");
    let td2_line1 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<";
    let input = format!("\n{TD3}\n  {td2_line1}\n{TD1}\nP<UTO hello\nXYZ\n\n{bad_td3}");
    let o = centinela(&["mrz", "--today", "2026-11-23"], &input);
    assert_eq!(o.status.code(), Some(2));
    let lines = stdout_lines(&o);
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert!(lines[0].starts_with(r#"{"format":"TD3""#));
    // Four lines run together (lines 5-8): too many lines.
    assert_eq!(
        lines[1],
        r#"{"error":"line 8, column 1: 4 line(s); an MRZ has 2 lines (TD2, TD3, MRV-A, MRV-B) or 3 (TD1)","line":5}"#
    );
    assert_eq!(
        lines[2],
        r#"{"error":"line 10, column 6: character ' ' is not an MRZ character (A-Z, 0-9, <)","line":10}"#
    );
    assert!(lines[3].contains(r#""document_number":false"#) && lines[3].contains(r#""valid":false"#));
}

#[test]
fn error_names_line_and_column() {
    let input = format!("{TD1}\n{}", TD3.replace('F', "f"));
    let o = centinela(&["mrz", "--today", "2026-11-23"], &input);
    assert_eq!(o.status.code(), Some(2));
    let lines = stdout_lines(&o);
    assert_eq!(
        lines[1],
        r#"{"error":"line 6, column 21: lower-case letter 'f' (MRZ letters are upper case)","line":5}"#
    );
}

#[test]
fn file_argument_and_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("docs.txt");
    std::fs::write(&p, format!("{TD1}\n{TD3}")).unwrap();
    let o = centinela(&["mrz", p.to_str().unwrap(), "--today", "2026-11-23"], "");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout_lines(&o).len(), 2);
    let o = centinela(&["mrz", dir.path().join("nope").to_str().unwrap()], "");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn generate_is_deterministic_and_valid() {
    let a = centinela(&["mrz", "--generate", "50", "--seed", "7"], "");
    let b = centinela(&["mrz", "--generate", "50", "--seed", "7"], "");
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    let text = String::from_utf8(a.stdout).unwrap();
    let o = centinela(&["mrz", "--today", "2026-11-23"], &text);
    assert_eq!(o.status.code(), Some(0));
    let lines = stdout_lines(&o);
    assert_eq!(lines.len(), 50);
    assert!(lines.iter().all(|l| l.contains(r#""valid":true"#)), "{lines:?}");
    for f in ["TD1", "TD2", "TD3", "MRVA", "MRVB"] {
        assert!(lines.iter().any(|l| l.contains(&format!(r#""format":"{f}""#))));
    }
    // Corrupted: every block still readable, most invalid.
    let c = centinela(&["mrz", "--generate", "100", "--seed", "7", "--corrupt", "1"], "");
    let o = centinela(&["mrz", "--today", "2026-11-23"], &String::from_utf8(c.stdout).unwrap());
    assert_eq!(o.status.code(), Some(0));
    let invalid = stdout_lines(&o).iter().filter(|l| l.contains(r#""valid":false"#)).count();
    // Names (and MRV optional data) have no check digit: some corruptions go unseen.
    assert!(invalid > 40, "{invalid}");
}

#[test]
fn help_mentions_contract() {
    let o = centinela(&["mrz", "--help"], "");
    let help = String::from_utf8(o.stdout).unwrap();
    assert!(help.contains("--generate") && help.contains("blank lines"), "{help}");
}
