//! Writes a synthetic country's crossings and ground truth for the
//! intelligence benchmark (`bench/intel.sh`).
//!
//! ```text
//! cargo run --release -p centinela-intel --example intel_synth -- \
//!     --seeds 1[,2,…] --scale full|small --out DIR
//! ```
//! Writes `DIR/crossings.csv` (`CONTRACTS.md` layout), `DIR/truth_persons.csv`
//! (`crossing_id,person_id`) and `DIR/truth.json` (facilitators, rings,
//! document misuse). With several seeds, each country's ids (crossings,
//! persons, travel parties, rings) are prefixed `s<seed>-` so the countries
//! stack into one bigger data set.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use centinela_synth::{Config, Scale, generate, write_crossings_csv};
use rayon::prelude::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut seeds = vec![1u64];
    let mut scale = Scale::Full;
    let mut out = PathBuf::from("bench-out/intel");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seeds" => {
                seeds = args.next().ok_or("--seeds N[,N…]")?.split(',').map(str::parse).collect::<Result<_, _>>()?
            }
            "--scale" => scale = Scale::parse(&args.next().ok_or("--scale small|full")?).ok_or("small|full")?,
            "--out" => out = PathBuf::from(args.next().ok_or("--out DIR")?),
            _ => return Err(format!("unknown argument {a}").into()),
        }
    }
    std::fs::create_dir_all(&out)?;
    let prefix = seeds.len() > 1;
    let mut csv = BufWriter::new(File::create(out.join("crossings.csv"))?);
    let mut truth_csv = BufWriter::new(File::create(out.join("truth_persons.csv"))?);
    writeln!(truth_csv, "crossing_id,person_id")?;
    let mut facilitators = Vec::new();
    let mut rings = Vec::new();
    let mut misuse = Vec::new();
    let mut first = true;
    // Countries are generated in parallel, a few at a time (each is a
    // year of records in memory), and written in seed order.
    let at_once = rayon::current_num_threads().max(1);
    let countries = seeds.chunks(at_once).flat_map(|chunk| {
        let made: Vec<_> = chunk.par_iter().map(|&seed| (seed, generate(&Config::new(seed, scale)))).collect();
        made
    });
    for (seed, country) in countries {
        let p = |s: &str| if prefix { format!("s{seed}-{s}") } else { s.to_string() };
        let mut crossings = country.crossings;
        if prefix {
            for c in &mut crossings {
                c.crossing_id = p(&c.crossing_id);
                if !c.group_id.is_empty() {
                    c.group_id = p(&c.group_id);
                }
            }
        }
        let mut buf = Vec::new();
        write_crossings_csv(&mut buf, &crossings)?;
        let body = if first { &buf[..] } else { &buf[buf.iter().position(|&b| b == b'\n').map_or(0, |i| i + 1)..] };
        csv.write_all(body)?;
        first = false;
        for (c, person) in &country.truth.person_of_crossing {
            writeln!(truth_csv, "{},{}", p(c), p(person))?;
        }
        for f in &country.truth.facilitators {
            facilitators.push(serde_json::json!({
                "person_id": p(&f.person_id), "ring_id": p(&f.ring_id), "crossings": f.crossings,
                "distinct_companions": f.distinct_companions, "minor_companions": f.minor_companions,
            }));
        }
        for r in &country.truth.rings {
            rings.push(serde_json::json!({
                "ring_id": p(&r.ring_id), "kind": r.kind,
                "person_ids": r.person_ids.iter().map(|x| p(x)).collect::<Vec<_>>(),
                "moved": r.moved.iter().map(|x| p(x)).collect::<Vec<_>>(),
                "phones": r.phones, "addresses": r.addresses, "documents": r.documents,
            }));
        }
        for m in &country.truth.document_misuse {
            misuse.push(serde_json::json!({
                "crossing_id": p(&m.crossing_id), "person_id": p(&m.person_id),
                "document_number": m.document_number, "kind": m.kind,
                "holder_id": m.holder_id.as_deref().map(p),
            }));
        }
        eprintln!("seed {seed}: {} crossings", crossings.len());
    }
    csv.flush()?;
    truth_csv.flush()?;
    let truth = serde_json::json!({ "facilitators": facilitators, "rings": rings, "document_misuse": misuse });
    std::fs::write(out.join("truth.json"), serde_json::to_vec(&truth)?)?;
    Ok(())
}
