//! `centinela stats export` on the small demo country: every cell of every
//! CSV table is empty (suppressed) or a count of at least K, the totals
//! that are published add up, and bad arguments exit 2.

use std::path::Path;
use std::process::Command;

fn centinela(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_centinela"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("CENTINELA_DB")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

/// Every numeric cell of `dir`'s CSV files (header row and label column
/// left out), per file: rows of cells, `None` when empty.
fn tables(dir: &Path) -> Vec<(String, Vec<Vec<Option<u64>>>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("csv") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        assert!(header.ends_with(",total"), "{header}");
        let width = header.split(',').count();
        let mut rows = Vec::new();
        for line in lines {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), width, "{}: {line}", p.display());
            rows.push(
                fields[1..]
                    .iter()
                    .map(|f| if f.is_empty() { None } else { Some(f.parse::<u64>().expect("a count")) })
                    .collect(),
            );
        }
        assert!(rows.last().is_some_and(|_| text.lines().last().unwrap().starts_with("total,")));
        out.push((p.file_name().unwrap().to_string_lossy().into_owned(), rows));
    }
    out.sort();
    out
}

#[test]
fn exports_the_demo_country_with_every_count_at_least_k() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let o = centinela(&db, &["demo", "--scale", "small", "--no-serve"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for k in [11u64, 25] {
        let out = dir.path().join(format!("k{k}"));
        let o = centinela(&db, &["stats", "export", "--out", out.to_str().unwrap(), "--k", &k.to_string()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let t = tables(&out);
        let names: Vec<&str> = t.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(
            names,
            [
                "crossings_age_sex.csv",
                "crossings_nationality_period.csv",
                "crossings_post_direction.csv",
                "crossings_post_period.csv",
                "decisions_decision_period.csv",
                "hits_verdict_period.csv",
                "outcomes_outcome_period.csv",
                "referrals_unit_period.csv",
                "victims_age_sex.csv",
                "victims_exploitation_period.csv",
            ]
        );
        let (mut published, mut hidden) = (0, 0);
        for (name, rows) in &t {
            for row in rows {
                for cell in row {
                    match cell {
                        Some(v) => {
                            assert!(*v >= k, "{name}: {v} < {k}");
                            published += 1;
                        }
                        None => hidden += 1,
                    }
                }
                // A row whose cells are all published adds up to its total.
                if let Some(cells) = row[..row.len() - 1].iter().copied().collect::<Option<Vec<u64>>>()
                    && let Some(total) = row[row.len() - 1]
                {
                    assert_eq!(cells.iter().sum::<u64>(), total, "{name}");
                }
            }
        }
        assert!(published > 100 && hidden > 0, "{published} published, {hidden} hidden");
        // The country's crossings are published in full, the same in every table.
        let totals: Vec<Option<u64>> =
            t.iter().filter(|x| x.0.starts_with("crossings_")).map(|x| *x.1.last().unwrap().last().unwrap()).collect();
        assert!(totals.iter().all(|x| *x == totals[0] && x.is_some_and(|n| n > 1000)), "{totals:?}");
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["k"], k);
        assert_eq!(manifest["country"], "GTM");
        // The report, in both languages, drawn from the same tables.
        for lang in ["es", "en"] {
            let svg = std::fs::read_to_string(out.join(format!("informe-{lang}.svg"))).unwrap();
            assert!(svg.starts_with("<svg") && svg.contains(&format!(">{}<", totals[0].unwrap())));
            let html = std::fs::read_to_string(out.join(format!("informe-{lang}.html"))).unwrap();
            assert!(html.contains(&format!("<html lang=\"{lang}\"")) && html.contains("<svg"));
        }
    }

    // A period: only its months are columns.
    let out = dir.path().join("q1");
    let o = centinela(
        &db,
        &["stats", "export", "--out", out.to_str().unwrap(), "--from", "2025-01-01", "--to", "2025-03-31"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let header = std::fs::read_to_string(out.join("crossings_post_period.csv")).unwrap();
    assert!(header.starts_with("post,2025-01,2025-02,2025-03,total\r\n"), "{header:?}");
    // For a spreadsheet: the same file after a byte-order mark.
    let excel = dir.path().join("q1-excel");
    let args =
        ["stats", "export", "--excel", "--out", excel.to_str().unwrap(), "--from", "2025-01-01", "--to", "2025-03-31"];
    assert!(centinela(&db, &args).status.success());
    let bom = std::fs::read_to_string(excel.join("crossings_post_period.csv")).unwrap();
    assert_eq!(bom, format!("\u{feff}{header}"));

    // Noise: still nothing below k, and the same seed gives the same release.
    let (a, b) = (dir.path().join("n1"), dir.path().join("n2"));
    for p in [&a, &b] {
        let o = centinela(&db, &["stats", "export", "--out", p.to_str().unwrap(), "--epsilon", "0.5", "--seed", "9"]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(tables(&a), tables(&b));
    assert!(tables(&a).iter().flat_map(|x| x.1.iter().flatten().flatten()).all(|&v| v >= 11));

    for bad in [&["--k", "0"][..], &["--from", "2025-13-01"], &["--period", "day"], &["--epsilon", "-1"]] {
        let mut args = vec!["stats", "export", "--out", dir.path().join("bad").to_str().unwrap().to_string().leak()];
        args.extend_from_slice(bad);
        let o = centinela(&db, &args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
}
