//! The whole analysis on a crossings CSV, in process, with the time of
//! each phase and the resolver's counts; with `--truth`, B-cubed and
//! pairwise figures against the synthetic country's `truth_persons.csv`.
//! For tuning at scale without the binary (`bench/intel.sh` measures the
//! binary):
//!
//! ```text
//! cargo run --release -p centinela-intel --example intel_scale -- \
//!     --crossings bench-out/intel/stack4/crossings.csv [--truth bench-out/intel/stack4/truth_persons.csv]
//! ```

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::time::Instant;

use centinela_intel::{Crossings, analyse, eval};
use centinela_lists::CrossingReader;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut crossings = None;
    let mut truth = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--crossings" => crossings = args.next(),
            "--truth" => truth = args.next(),
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
    }
    println!("{out}");
    Ok(())
}
