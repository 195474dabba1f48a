//! `centinela screen` for simple CSV (no quoted fields, as
//! `shared/eval/namegen.py` and `streamgen.py` write), built without the
//! rest of the workspace: for fitting the score's weights quickly
//! (`bench/fit_screen.py --bin` accepts this example as well as the
//! `centinela` binary). Same arguments:
//!
//! `cargo run --release -p centinela-names --example screen_csv -- screen
//! --list LIST.csv --queries QUERIES.csv [--candidates K] [--features]
//! [--threshold T] --out HITS.csv`
//!
//! With `--retrieved`, it writes instead every entry retrieval hands to the
//! scorer for each query (`qid,list_id`, under the same `--threshold` or
//! `--candidates`): whether the listed person was among them measures
//! retrieval apart from the score. With `--pairs TRUTH.csv` (`qid,list_id`
//! rows), it writes the score of each query against the entry named beside
//! it, retrieved or not (`qid,list_id,score`).

use std::io::{BufWriter, Write};

use centinela_domain::{AlertEntry, BirthDate, CountryCode, Sex};
use centinela_names::{DEFAULT_THRESHOLD, FEATURES, Query, ScreenOptions, Screener};

fn rows(path: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let list = arg(&args, "--list").expect("--list");
    let queries = arg(&args, "--queries").expect("--queries");
    let out = arg(&args, "--out").expect("--out");
    let features = args.iter().any(|a| a == "--features");
    let opts = match arg(&args, "--candidates") {
        Some(k) => ScreenOptions::candidates(k.parse().expect("--candidates K")),
        None => ScreenOptions {
            threshold: arg(&args, "--threshold").map_or(DEFAULT_THRESHOLD, |t| t.parse().expect("--threshold T")),
            top_k: None,
        },
    };
    let field = |r: &[String], i: usize| r.get(i).cloned().unwrap_or_default();
    let entries: Vec<AlertEntry> = rows(&list)
        .into_iter()
        .map(|r| AlertEntry {
            id: field(&r, 0),
            given_names: field(&r, 1),
            surnames: field(&r, 2),
            birth_dates: BirthDate::parse_lenient(&field(&r, 3)).into_iter().collect(),
            nationalities: CountryCode::parse_opt(&field(&r, 4)).ok().flatten().into_iter().collect(),
            sex: Sex::parse(&field(&r, 5)).unwrap_or_default(),
            ..Default::default()
        })
        .collect();
    let qs: Vec<(String, Query)> = rows(&queries)
        .into_iter()
        .map(|r| {
            let q = Query {
                given_names: field(&r, 1),
                surnames: field(&r, 2),
                birth_date: BirthDate::parse_lenient(&field(&r, 3)),
                nationality: CountryCode::parse_opt(&field(&r, 4)).ok().flatten(),
                sex: Sex::parse(&field(&r, 5)).unwrap_or_default(),
                document_number: None,
            };
            (field(&r, 0), q)
        })
        .collect();
    let s = Screener::build(entries);
    if let Some(pairs) = arg(&args, "--pairs") {
        let pos: std::collections::HashMap<&str, u32> =
            (0..s.len() as u32).map(|i| (s.entry(i).id.as_str(), i)).collect();
        let by_qid: std::collections::HashMap<&str, &Query> = qs.iter().map(|(id, q)| (id.as_str(), q)).collect();
        let mut w = BufWriter::new(std::fs::File::create(&out).unwrap_or_else(|e| panic!("{out}: {e}")));
        writeln!(w, "qid,list_id,score").unwrap();
        for r in rows(&pairs) {
            let (qid, lid) = (field(&r, 0), field(&r, 1));
            if let (Some(q), Some(&o)) = (by_qid.get(qid.as_str()), pos.get(lid.as_str())) {
                writeln!(w, "{qid},{lid},{:.4}", s.score(q, o)).unwrap();
            }
        }
        w.flush().unwrap();
        return;
    }
    if args.iter().any(|a| a == "--retrieved") {
        use rayon::prelude::*;
        let found: Vec<Vec<u32>> = qs.par_iter().map(|(_, q)| s.retrieved(q, &opts)).collect();
        let mut w = BufWriter::new(std::fs::File::create(&out).unwrap_or_else(|e| panic!("{out}: {e}")));
        writeln!(w, "qid,list_id").unwrap();
        for ((qid, _), es) in qs.iter().zip(&found) {
            for &e in es {
                writeln!(w, "{qid},{}", s.entry(e).id).unwrap();
            }
        }
        w.flush().unwrap();
        return;
    }
    let only: Vec<Query> = qs.iter().map(|(_, q)| q.clone()).collect();
    let results = s.screen_many(&only, &opts);
    let mut w = BufWriter::new(std::fs::File::create(&out).unwrap_or_else(|e| panic!("{out}: {e}")));
    if features {
        writeln!(w, "qid,list_id,score,{}", FEATURES.join(",")).unwrap();
    } else {
        writeln!(w, "qid,list_id,score").unwrap();
    }
    for ((qid, q), hits) in qs.iter().zip(&results) {
        for h in hits {
            write!(w, "{qid},{},{:.4}", s.entry(h.entry).id, h.score).unwrap();
            if features {
                for v in s.features(q, h.entry) {
                    write!(w, ",{v:.6}").unwrap();
                }
            }
            writeln!(w).unwrap();
        }
    }
    w.flush().unwrap();
}
