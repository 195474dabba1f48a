//! `centinela import crossings`, `posts add|list` and `migrate`, end to end.

use crate::support::{run, text};

const HEADER: &str = "crossing_id,post,direction,crossed_at,given_names,surnames,birth_date,nationality,sex,\
document_type,document_number,issuing_state,group_id,vehicle,phone,address,destination\n";

#[test]
fn import_is_idempotent_and_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "{HEADER}C1,GTM-TECUNUMAN,entry,2026-03-01T08:15:00-06:00,María José,Núñez de la Cruz,1992-03-14,MEX,F,P,G45821093,MEX,G1,P-1,+5215512345678,,Tapachula\n\
             C2,GTM-TECUNUMAN,entry,2026-03-01T08:15:00-06:00,Ana,Núñez,2015-01-01,MEX,F,P,G45821094,MEX,G1,P-1,,,Tapachula\n"
        ),
    )
    .unwrap();
    let o = run(&db, &["import", "crossings", good.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), "read 2, imported 2, already present 0, rejected 0");
    // Again, plus one new row and one repeated within the file.
    let more = dir.path().join("more.csv");
    let body = std::fs::read_to_string(&good).unwrap();
    std::fs::write(&more, format!("{body}C3,GTM-TECUNUMAN,exit,2026-03-05T08:15:00Z,,,,,,,,,,,,,\nC3,GTM-TECUNUMAN,exit,2026-03-05T08:15:00Z,,,,,,,,,,,,,\n")).unwrap();
    let o = run(&db, &["import", "crossings", more.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout).trim(), "read 4, imported 1, already present 3, rejected 0");

    // A bad row: named by file, line and field; nothing imported.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, format!("{HEADER}C9,GTM-TECUNUMAN,entry,2026-03-01T08:15:00Z,,,,,,,,,,,,,\nC10,GTM-TECUNUMAN,entry,ayer,,,,,,,,,,,,,\n")).unwrap();
    let o = run(&db, &["import", "crossings", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(err.contains("bad.csv:3: field crossed_at"), "{err}");
    let o = run(&db, &["import", "crossings", good.to_str().unwrap()]);
    assert_eq!(text(&o.stdout).trim(), "read 2, imported 0, already present 2, rejected 0");
    // C9 did not land: importing it alone inserts it.
    let c9 = dir.path().join("c9.csv");
    std::fs::write(&c9, format!("{HEADER}C9,GTM-TECUNUMAN,entry,2026-03-01T08:15:00Z,,,,,,,,,,,,,\n")).unwrap();
    assert_eq!(
        text(&run(&db, &["import", "crossings", c9.to_str().unwrap()]).stdout).trim(),
        "read 1, imported 1, already present 0, rejected 0"
    );

    // Unreadable file and unusable header: exit 2.
    assert_eq!(run(&db, &["import", "crossings", "/nonexistent.csv"]).status.code(), Some(2));
    let hdr = dir.path().join("hdr.csv");
    std::fs::write(&hdr, "id,post\n1,X\n").unwrap();
    let o = run(&db, &["import", "crossings", hdr.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("hdr.csv:1: field header"));
    assert!(run(&db, &["audit", "verify"]).status.success());
}

#[test]
fn posts_and_migrate() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let o = run(&db, &["migrate"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = run(
        &db,
        &[
            "posts",
            "add",
            "--code",
            "GTM-TECUNUMAN",
            "--name",
            "Tecún Umán",
            "--country",
            "GTM",
            "--facing",
            "MEX-CDHIDALGO",
        ],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let key = text(&o.stdout);
    assert_eq!(key.trim().len(), 64, "the sync key alone on stdout");
    let o = run(&db, &["posts", "add", "--code", "GTM-TECUNUMAN", "--name", "Otra", "--country", "GTM"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("already exists"));
    assert_eq!(
        run(&db, &["posts", "add", "--code", "X-1", "--name", "X", "--country", "Guatemala"]).status.code(),
        Some(2)
    );
    let o = run(&db, &["posts", "list"]);
    assert!(text(&o.stdout).starts_with("GTM-TECUNUMAN\tGTM\tland\tMEX-CDHIDALGO\tTecún Umán"));
}

/// Issue 16: error messages end up in terminals, shell logs and tickets, so
/// they name file, line and field but never repeat a value — here a row
/// shifted by one column puts a traveller's name where a birth date, a
/// document number and a telephone number belong.
#[test]
fn a_bad_row_is_named_without_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    for (field, row) in [
        (
            "birth_date",
            "C1,GTM-TECUNUMAN,entry,2026-03-01T08:15:00Z,Xochitl,Quetzalcoatl,Xóchitl Quetzalcóatl,MEX,F,,,,,,,,\n",
        ),
        ("document_number", "C1,GTM-TECUNUMAN,entry,2026-03-01T08:15:00Z,,,,MEX,F,P,Xóchitl Quetzalcóatl,,,,,,\n"),
        ("phone", "C1,GTM-TECUNUMAN,entry,2026-03-01T08:15:00Z,,,,,,,,,,,Xóchitl Quetzalcóatl,,\n"),
        ("crossed_at", "C1,GTM-TECUNUMAN,entry,Xóchitl Quetzalcóatl,,,,,,,,,,,,,\n"),
    ] {
        let bad = dir.path().join("turno.csv");
        std::fs::write(&bad, format!("{HEADER}C0,GTM-TECUNUMAN,entry,2026-03-01T08:15:00Z,,,,,,,,,,,,,\n{row}"))
            .unwrap();
        let o = run(&db, &["import", "crossings", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{field}");
        let (out, err) = (text(&o.stdout), text(&o.stderr));
        assert!(err.contains(&format!("turno.csv:3: field {field}")), "{field}: {err}");
        for s in [&out, &err] {
            assert!(!s.contains("chitl") && !s.contains("Quetzalc"), "{field}: the value is echoed: {s}");
        }
    }
}
