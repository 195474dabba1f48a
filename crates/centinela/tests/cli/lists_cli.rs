//! `centinela lists …` end to end, against a database in a temp dir.

use crate::support::run;
use std::path::Path;
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn show_json(db: &Path) -> Vec<serde_json::Value> {
    let o = run(db, &["lists", "show", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

const V1: &str = "id,given_names,surnames,birth_date,nationality,sex,aliases\n\
                  W1,Juan Carlos,Pérez López,1980-03,MEX,M,El Güero\n\
                  W2,Ana,Ruiz,1975,GTM;SLV,F,\n\
                  W3,Luis,Soto,,,,\n";

#[test]
fn import_reimport_and_malformed_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let f1 = dir.path().join("red-v1.csv");
    std::fs::write(&f1, V1).unwrap();
    let o = run(
        &db,
        &[
            "lists",
            "import",
            "--name",
            "red",
            "--kind",
            "wanted",
            "--format",
            "csv",
            "--source",
            "test",
            f1.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The import is in the audit chain, as the operator at the command line
    // (the web's import writes the same entry as its user).
    let a = run(&db, &["audit", "show", "--json"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let audited: Vec<serde_json::Value> = stdout(&a).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let imported: Vec<_> = audited.iter().filter(|e| e["action"] == "list_imported").collect();
    assert_eq!(imported.len(), 1, "{audited:?}");
    assert_eq!(imported[0]["actor"], "cli");
    assert_eq!(imported[0]["subject"], "list:red");
    assert!(stdout(&o).contains("version 1: read 3, imported 3, rejected 0"), "{}", stdout(&o));

    // A new version replaces the first.
    let f2 = dir.path().join("red-v2.csv");
    std::fs::write(
        &f2,
        "surnames,id,given_names,birth_date,nationality,sex,extra\nSoto,W9,Luis,,,,x\nPaz,W10,Eva,,,,y\n",
    )
    .unwrap();
    let o =
        run(&db, &["lists", "import", "--name", "red", "--kind", "wanted", "--format", "csv", f2.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("version 2: read 2, imported 2"), "{}", stdout(&o));

    // A malformed file: two bad rows, both reported with file, line, field;
    // exit 1; version 2 stays in force untouched.
    let bad = dir.path().join("red-bad.csv");
    std::fs::write(&bad, format!("{V1}W4,Eva,Paz,1980-13-01,MEX,F,\nW5,Eva,Paz,,MEX,Q,\n")).unwrap();
    let o =
        run(&db, &["lists", "import", "--name", "red", "--kind", "wanted", "--format", "csv", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("red-bad.csv:5: field birth_date"), "{err}");
    assert!(err.contains("red-bad.csv:6: field sex"), "{err}");
    assert!(stdout(&o).contains("read 5, imported 0, rejected 2"), "{}", stdout(&o));
    let lists = show_json(&db);
    assert_eq!(lists.len(), 1);
    assert_eq!(lists[0]["version"], 2);
    assert_eq!(lists[0]["versions"], 2);
    assert_eq!(lists[0]["rows_imported"], 2);
    assert_eq!(lists[0]["source"], "test");
    assert_eq!(lists[0]["file_name"], "red-v2.csv");

    // Unusable header or missing file: exit 2.
    let hdr = dir.path().join("hdr.csv");
    std::fs::write(&hdr, "id,name\n1,x\n").unwrap();
    let o =
        run(&db, &["lists", "import", "--name", "red", "--kind", "wanted", "--format", "csv", hdr.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("hdr.csv:1: field header"), "{}", stderr(&o));
    let o =
        run(&db, &["lists", "import", "--name", "red", "--kind", "wanted", "--format", "csv", "/nonexistent/x.csv"]);
    assert_eq!(o.status.code(), Some(2));

    // A kind that contradicts the stored list: exit 1, nothing changed.
    let o =
        run(&db, &["lists", "import", "--name", "red", "--kind", "missing", "--format", "csv", f1.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(show_json(&db)[0]["version"], 2);

    // The table.
    let o = run(&db, &["lists", "show"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("red") && stdout(&o).contains("wanted"), "{}", stdout(&o));
}

#[test]
fn ftm_import_skips_other_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let f = dir.path().join("os.json");
    std::fs::write(
        &f,
        r#"{"id":"NK-1","schema":"Person","properties":{"name":["Joaquín Guzmán Loera"],"nationality":["mx"],"birthDate":["1957-04-04"],"gender":["male"]}}
{"id":"c-1","schema":"Company","properties":{"name":["ACME SA de CV"]}}
{"id":"c-2","schema":"Company","properties":{"name":["Beta"]}}
{"id":"NK-2","schema":"Person","properties":{"firstName":["Ana"],"lastName":["Ruiz"],"nationality":["gt"]}}
{"id":"v-1","schema":"Vessel","properties":{"name":["Mar"]}}
"#,
    )
    .unwrap();
    let o = run(&db, &["lists", "import", "--name", "os", "--kind", "watch", "--format", "ftm", f.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("read 5, imported 2, rejected 0, skipped 3 (Company 2, Vessel 1)"), "{out}");
    let lists = show_json(&db);
    assert_eq!((lists[0]["rows_imported"].as_i64(), lists[0]["rows_skipped"].as_i64()), (Some(2), Some(3)));

    // A broken line rejects the file.
    std::fs::write(&f, "{\"id\":\"x\",\"schema\":\"Person\",\"properties\":{\"name\":[\"A B\"]}}\n{broken\n").unwrap();
    let o = run(&db, &["lists", "import", "--name", "os", "--kind", "watch", "--format", "ftm", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("os.json:2: field json"), "{}", stderr(&o));
    assert_eq!(show_json(&db)[0]["version"], 1);
}

/// OpenSanctions' delta file (`entities.delta.json`) applied to the list's
/// version in force as its next version, all or nothing.
#[test]
fn an_ftm_delta_makes_the_next_version() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let full = dir.path().join("entities.ftm.json");
    let delta = dir.path().join("entities.delta.json");
    let import = |file: &Path, format: &str| {
        run(&db, &["lists", "import", "--name", "os", "--kind", "watch", "--format", format, file.to_str().unwrap()])
    };
    // No version in force yet: nothing to apply a delta to.
    std::fs::write(&delta, "{\"op\":\"DEL\",\"entity\":{\"id\":\"NK-1\"}}\n").unwrap();
    let o = import(&delta, "ftm-delta");
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stderr(&o).contains("no version in force"), "{}", stderr(&o));
    std::fs::write(
        &full,
        r#"{"id":"NK-1","schema":"Person","properties":{"name":["Joaquín Guzmán Loera"],"nationality":["mx"]}}
{"id":"NK-2","schema":"Person","properties":{"firstName":["Ana"],"lastName":["Ruiz"]}}
{"id":"NK-3","schema":"Person","properties":{"name":["Luis Coj"]}}
"#,
    )
    .unwrap();
    assert!(import(&full, "ftm").status.success());
    std::fs::write(
        &delta,
        r#"{"op":"MOD","entity":{"id":"NK-2","schema":"Person","properties":{"firstName":["Ana"],"lastName":["Ruiz Soto"],"previousName":["Ana Ruiz"]}}}
{"op":"DEL","entity":{"id":"NK-1"}}
{"op":"ADD","entity":{"id":"NK-4","schema":"Person","properties":{"name":["Мария Иванова"],"alias":["Mariya Ivanova"]}}}
{"op":"ADD","entity":{"id":"c-1","schema":"Company","properties":{"name":["ACME SA"]}}}
{"op":"DEL","entity":{"id":"c-1"}}
"#,
    )
    .unwrap();
    let o = import(&delta, "ftm-delta");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("version 2: read 5, imported 3, rejected 0, delta on version 1: added 1, modified 1, deleted 1, not in the list 1, skipped 1 (Company 1)"),
        "{out}"
    );
    let lists = show_json(&db);
    assert_eq!((lists[0]["version"].as_i64(), lists[0]["format"].as_str()), (Some(2), Some("ftm-delta")));
    // A broken line refuses the whole delta: version 2 stays in force.
    std::fs::write(&delta, "{\"op\":\"DEL\",\"entity\":{\"id\":\"NK-2\"}}\n{\"op\":\"UPSERT\",\"entity\":{}}\n")
        .unwrap();
    let o = import(&delta, "ftm-delta");
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("entities.delta.json:2: field op"), "{}", stderr(&o));
    assert_eq!(
        (show_json(&db)[0]["version"].as_i64(), show_json(&db)[0]["rows_imported"].as_i64()),
        (Some(2), Some(3))
    );
    // The version in force exported as FtM: the delta's persons, aliases
    // in their scripts; what `--format ftm` reads back as it was.
    let out = dir.path().join("os.ftm.json");
    let o = run(&db, &["lists", "export", "--name", "os", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let persons: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let ids: Vec<&str> = persons.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["NK-2", "NK-3", "NK-4"]);
    assert_eq!(persons[0]["properties"]["lastName"], serde_json::json!(["Ruiz Soto"]));
    assert_eq!(persons[0]["properties"]["alias"], serde_json::json!(["Ana Ruiz"]));
    assert_eq!(persons[2]["properties"]["name"], serde_json::json!(["Мария Иванова"]));
    assert_eq!(persons[2]["properties"]["alias"], serde_json::json!(["Mariya Ivanova"]));
    let again = dir.path().join("again.db");
    let o =
        run(&again, &["lists", "import", "--name", "os", "--kind", "watch", "--format", "ftm", out.to_str().unwrap()]);
    assert!(stdout(&o).contains("read 3, imported 3, rejected 0") && !stdout(&o).contains("dropped"), "{}", stdout(&o));
    let o = run(&db, &["lists", "export", "--name", "nope"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn documents_and_check_document() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let f = dir.path().join("sltd.csv");
    std::fs::write(
        &f,
        "document_number,issuing_state,document_type,status,reported_at\n\
         G1234567,MEX,P,stolen,2024-01-05\nAB-10O,GTM,P,lost,2024-02-01T10:00:00Z\nX1,,ID,revoked,\n",
    )
    .unwrap();
    let o = run(
        &db,
        &["lists", "import", "--name", "sltd", "--kind", "documents", "--format", "documents", f.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));

    let check = |args: &[&str]| -> serde_json::Value {
        let mut a = vec!["lists", "check-document", "--json"];
        a.extend_from_slice(args);
        let o = run(&db, &a);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str(stdout(&o).trim()).unwrap()
    };
    let r = check(&["--number", "G1234567", "--state", "MEX"]);
    assert_eq!(r["result"], "exact");
    assert_eq!(r["exact"][0]["status"], "stolen");
    assert_eq!(check(&["--number", "G1234567", "--state", "gt"])["result"], "none");
    let r = check(&["--number", "G12345G7"]);
    assert_eq!(r["result"], "possible");
    assert_eq!(r["possible"][0]["number"], "G1234567");
    assert_eq!(check(&["--number", "ab 10o"])["result"], "exact");
    assert_eq!(check(&["--number", "A8I00", "--state", "GTM"])["result"], "possible");
    assert_eq!(check(&["--number", "X1", "--state", "SLV"])["result"], "exact");
    assert_eq!(check(&["--number", "Q999"])["result"], "none");

    let o = run(&db, &["lists", "check-document", "--number", "G1234567"]);
    assert!(stdout(&o).contains("EXACT HIT"), "{}", stdout(&o));
    let o = run(&db, &["lists", "check-document", "--number", "ñ!"]);
    assert_eq!(o.status.code(), Some(2));

    // Persons cannot go into a documents list: a usage error.
    let p = dir.path().join("p.csv");
    std::fs::write(&p, V1).unwrap();
    let o =
        run(&db, &["lists", "import", "--name", "sltd", "--kind", "documents", "--format", "csv", p.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 16: a bad row of an alert list is named by file, line and field,
/// never by its values (a person's name, birth date or document number).
#[test]
fn a_bad_list_row_is_named_without_its_values() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("l.db");
    let header = "id,given_names,surnames,birth_date,nationality,sex,aliases,document_numbers\n";
    for (field, row) in [
        ("birth_date", "W2,Xochitl,Quetzalcoatl,Xóchitl Quetzalcóatl,MEX,F,,\n"),
        ("nationality", "W2,Xochitl,Quetzalcoatl,1980,Xóchitl Quetzalcóatl,F,,\n"),
        ("sex", "W2,Xochitl,Quetzalcoatl,1980,MEX,Xóchitl Quetzalcóatl,,\n"),
        ("document_numbers", "W2,Xochitl,Quetzalcoatl,1980,MEX,F,,Xóchitl Quetzalcóatl\n"),
        ("id", "W1,Xochitl,Quetzalcoatl,1980,MEX,F,,\n"),
    ] {
        let bad = dir.path().join("roja.csv");
        std::fs::write(&bad, format!("{header}W1,Ana,Ruiz,1975,GTM,F,,\n{row}")).unwrap();
        let o = run(
            &db,
            &["lists", "import", "--name", "roja", "--kind", "wanted", "--format", "csv", bad.to_str().unwrap()],
        );
        assert_eq!(o.status.code(), Some(1), "{field}: {}", stderr(&o));
        let (out, err) = (stdout(&o), stderr(&o));
        assert!(err.contains(&format!("roja.csv:3: field {field}")), "{field}: {err}");
        for s in [&out, &err] {
            assert!(!s.contains("chitl") && !s.contains("Quetzalc"), "{field}: the value is echoed: {s}");
        }
    }
    // The documents format too.
    let bad = dir.path().join("docs.csv");
    std::fs::write(
        &bad,
        "document_number,issuing_state,document_type,status,reported_at\nXóchitl Quetzalcóatl,MEX,P,stolen,2024-01-01\n",
    )
    .unwrap();
    let o = run(
        &db,
        &["lists", "import", "--name", "sltd", "--kind", "documents", "--format", "documents", bad.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("docs.csv:2: field document_number"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("chitl"), "{}", stderr(&o));
}
