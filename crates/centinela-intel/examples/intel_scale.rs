//! The whole analysis on a crossings CSV, in process, with the time of
//! each phase and the resolver's counts; with `--truth`, B-cubed and
//! pairwise figures against the synthetic country's `truth_persons.csv`.
//! For tuning at scale without the binary (`bench/intel.sh` measures the
//! binary):
//!
//! ```text
//! cargo run --release -p centinela-intel --example intel_scale -- \
//!     --crossings bench-out/intel/stack4/crossings.csv [--truth bench-out/intel/stack4/truth_persons.csv] \
//!     [--false-links false.jsonl [--all-links]]
//! ```
//!
//! `--false-links FILE` (with `--truth`) writes one JSON line per link
//! the resolver used between records of two different true persons: the
//! two records' names, dates and documents, the score and its terms (what
//! to read before changing a weight); with `--all-links`, every link, the
//! true ones too (`"same": true`). Synthetic data only: these are the
//! generator's invented people.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

use centinela_intel::{Crossings, analyse, eval};
use centinela_lists::CrossingReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut crossings = None;
    let mut truth = None;
    let mut false_links = None;
    let mut all_links = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--crossings" => crossings = args.next(),
            "--truth" => truth = args.next(),
            "--false-links" => false_links = args.next(),
            "--all-links" => all_links = true,
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    let path = crossings.ok_or("--crossings FILE")?;
    let t0 = Instant::now();
    let mut c = Crossings::default();
    for r in CrossingReader::new(BufReader::with_capacity(1 << 20, File::open(&path)?))? {
        c.push(&r?);
    }
    c.shrink();
    let load = t0.elapsed();
    let a = analyse(&c, &[]);
    let r = &a.resolution;
    let mut out = serde_json::json!({
        "crossings": c.len(), "profiles": r.profiles, "compared": r.compared, "links": r.links.len(),
        "persons": r.persons, "facilitators": a.facilitators.len(), "rings": a.rings.len(),
        "load_s": load.as_secs_f64(), "timings": a.timings.line(),
    });
    if let Some(t) = truth {
        let index: HashMap<&str, usize> = c.ids.iter().enumerate().map(|(i, s)| (&**s, i)).collect();
        let mut truth = vec![String::new(); c.len()];
        for line in BufReader::new(File::open(t)?).lines().skip(1) {
            let line = line?;
            let (id, person) = line.split_once(',').ok_or("truth: crossing_id,person_id")?;
            if let Some(&i) = index.get(id) {
                truth[i] = person.to_string();
            }
        }
        let ag = eval::agreement(&r.person, &truth);
        out["bcubed"] = serde_json::to_value(ag.bcubed)?;
        out["pairwise"] = serde_json::to_value(ag.pairwise)?;
        if let Some(path) = false_links {
            let mut w = std::io::BufWriter::new(File::create(path)?);
            let mut wrong = 0usize;
            for l in r.links.iter().filter(|l| l.score.is_finite()) {
                let (a, b) = (l.a as usize, l.b as usize);
                let same = truth[a] == truth[b];
                if same && !all_links {
                    continue;
                }
                wrong += usize::from(!same);
                let rec = |i: usize| {
                    let n = &c.names[c.name[i] as usize];
                    let t = |v: &[u32]| v.iter().map(|&x| c.token_text(x)).collect::<Vec<_>>().join(" ");
                    serde_json::json!({
                        "id": &*c.ids[i], "given": t(&n.given), "surnames": t(&n.surnames),
                        "birth": centinela_names::dates::unpack(c.birth[i]).map(|d| d.to_string()),
                        "document": (c.document[i] != centinela_intel::data::NONE).then(|| c.strings.get(c.document[i]).to_string()),
                        "name_frequency": c.name_frequency(i),
                    })
                };
                let terms: Vec<_> = centinela_intel::explain(&c, a, b)
                    .into_iter()
                    .map(|e| serde_json::json!([e.aspect, e.weight, e.detail]))
                    .collect();
                writeln!(
                    w,
                    "{}",
                    serde_json::json!({ "same": same, "score": l.score, "a": rec(a), "b": rec(b), "terms": terms })
                )?;
            }
            out["false_links"] = wrong.into();
        }
    }
    println!("{out}");
    Ok(())
}
