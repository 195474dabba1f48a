//! `centinela passengers import` end to end: one file with an API list and
//! a PNR push is stored and audited; a file with an error is refused whole,
//! naming the file, message and segment and no value. On SQLite and (with
//! `CENTINELA_TEST_PG`) PostgreSQL.

use crate::support::{fresh_db, run, text};

/// Written for this test from the API and PNRGOV guides' segment tables.
const FILE: &str = "UNA:+.? '
UNB+UNOC:4+CM+GTMUIP+20261206:1405+77'
UNH+1+PAXLST:D:05B:UN:IATA+CM0421'
BGM+745'
TDT+20+CM0421+++CM'
LOC+125+PTY'
DTM+189:202612061530:203'
LOC+87+GUA'
DTM+232:202612061705:203'
NAD+FL+++OKAFOR:CHINEDU'
ATT+2++M'
DTM+329:19880314:102'
NAT+2+NGA'
RFF+AVF:QX7Z2P'
DOC+P:110:111+A07712345'
DTM+36:20300101:102'
CNT+42:1'
UNT+16+1'
UNH+2+PNRGOV:11:1:IA'
MSG+:22'
TVL+061226:1530:061226:1705+PTY+GUA+CM+421'
SRC'
RCI+CM:QX7Z2P::011126:2210'
IFT+4:28+CTCM 5076000111'
FOP+CA'
TIF+OKAFOR+CHINEDU:ADT:1'
UNT+9+2'
UNZ+2+77'
";

fn dbs(dir: &std::path::Path) -> Vec<String> {
    let mut v = vec![dir.join("pax.db").to_str().unwrap().to_string()];
    if std::env::var("CENTINELA_TEST_PG").is_ok_and(|u| !u.is_empty()) {
        v.push(fresh_db(dir, "pax"));
    }
    v
}

#[test]
fn a_file_of_messages_is_stored_whole_or_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("cm421.edi");
    std::fs::write(&good, FILE).unwrap();
    let bad = dir.path().join("bad.edi");
    std::fs::write(&bad, FILE.replace("DTM+36:20300101:102'", "DTM+36:2030XX01:102'")).unwrap();
    for db in dbs(dir.path()) {
        let o = run(&db, &["passengers", "import", "--json", good.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!((r["paxlst"].as_u64(), r["pnrgov"].as_u64()), (Some(1), Some(1)));
        assert_eq!((r["flights"].as_u64(), r["persons"].as_u64(), r["bookings"].as_u64()), (Some(1), Some(1), Some(1)));
        assert_eq!(r["warnings"].as_array().unwrap().len(), 0, "{r}");

        let o = run(&db, &["passengers", "import", bad.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2));
        let err = text(&o.stderr);
        assert!(err.contains("bad.edi: message 1, segment 15 (DTM), element 1, component 2"), "{err}");
        assert!(err.contains("mensaje 1, segmento 15"), "{err}");
        assert!(!err.contains("2030XX01"), "{err}");

        // Without UNA and with a wrong count: stored, with named warnings.
        let lax = dir.path().join("lax.edi");
        std::fs::write(&lax, FILE.replace("UNA:+.? '\n", "").replace("UNT+9+2'", "UNT+10+2'")).unwrap();
        let o = run(&db, &["passengers", "import", lax.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        let err = text(&o.stderr);
        assert!(err.contains("lax.edi: mensaje 2, segmento 26 (UNT)"), "{err}");
        assert!(err.contains("UNT's segment count differs"), "{err}");

        let o = run(&db, &["audit", "show", "--json"]);
        let out = text(&o.stdout);
        let imports: Vec<&str> = out.lines().filter(|l| l.contains("passengers_imported")).collect();
        assert_eq!(imports.len(), 2, "{out}");
        assert!(imports[0].contains("file:cm421.edi") && !out.contains("OKAFOR"));
    }
}

/// The import screens its flight before returning: a listed passenger is a
/// pre-arrival hit for the air post of the arrival airport (GUA), audited
/// with counts only; the same file again screens nobody anew.
#[test]
fn an_import_screens_its_flight_for_the_air_post() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cm421.edi");
    std::fs::write(&file, FILE).unwrap();
    let list = dir.path().join("red.csv");
    std::fs::write(
        &list,
        "id,given_names,surnames,birth_date,nationality,sex,aliases\nR-7,Chinedu,Okafor,1988-03-14,NGA,M,\n",
    )
    .unwrap();
    for db in dbs(dir.path()) {
        let add = ["posts", "add", "--code", "GTM-GUA", "--name", "La Aurora", "--country", "GTM", "--kind", "air"];
        assert!(run(&db, &add).status.success());
        let o = run(
            &db,
            &["lists", "import", "--name", "red", "--kind", "wanted", "--format", "csv", list.to_str().unwrap()],
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        for _ in 0..2 {
            let o = run(&db, &["passengers", "import", file.to_str().unwrap()]);
            assert!(o.status.success(), "{}", text(&o.stderr));
        }
        let o = run(&db, &["audit", "show", "--json"]);
        let out = text(&o.stdout);
        let screened: Vec<serde_json::Value> = out
            .lines()
            .filter(|l| l.contains("prearrival_screened"))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(screened.len(), 1, "the second import found nothing changed: {out}");
        let detail = screened[0]["detail"].to_string();
        assert!(detail.contains("\\\"screened\\\":1") || detail.contains("\"screened\":1"), "{detail}");
        assert!(detail.contains("\\\"hits\\\":1") || detail.contains("\"hits\":1"), "{detail}");
        assert!(!out.contains("OKAFOR"));
    }
}

/// `centinela purge --pnr-mask-days 0` masks the PNR just imported (its
/// names leave the booking) and `--keep-pnr-days 0` deletes it; a dry run
/// counts and changes nothing; audited with counts only.
#[test]
fn the_purge_masks_then_deletes_pnrs_after_their_periods() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("cm421.edi");
    std::fs::write(&good, FILE).unwrap();
    for db in dbs(dir.path()) {
        let o = run(&db, &["passengers", "import", good.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o.stderr));
        // Periods are counted back from now, to the second.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let purge = |extra: &[&str]| {
            let mut args = vec!["purge"];
            args.extend_from_slice(extra);
            let o = run(&db, &args);
            assert!(o.status.success(), "{}", text(&o.stderr));
            serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
        };
        let r = purge(&["--dry-run", "--pnr-mask-days", "0"]);
        assert_eq!((r["pnr_masked"].as_u64(), r["pnr_deleted"].as_u64()), (Some(1), Some(0)));
        let r = purge(&["--pnr-mask-days", "0"]);
        assert_eq!(r["pnr_masked"].as_u64(), Some(1));
        assert_eq!(purge(&["--pnr-mask-days", "0"])["pnr_masked"].as_u64(), Some(0), "masked once");
        let r = purge(&["--pnr-mask-days", "0", "--keep-pnr-days", "0"]);
        assert_eq!(r["pnr_deleted"].as_u64(), Some(1));
        let o = run(&db, &["audit", "show", "--json"]);
        let out = text(&o.stdout);
        assert_eq!(out.lines().filter(|l| l.contains("pnr_depersonalised")).count(), 2, "{out}");
        assert!(!out.lines().filter(|l| l.contains("pnr_depersonalised")).any(|l| l.contains("OKAFOR")));
    }
}
