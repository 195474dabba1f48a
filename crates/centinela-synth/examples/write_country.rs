//! Writes a synthetic country to a directory and prints what it holds:
//! `cargo run --release -p centinela-synth --example write_country -- DIR [small|full] [SEED]`.
//!
//! Files: `crossings.csv`, one `<list name>.csv` per list, `persons-truth.csv`
//! (`crossing_id,person_id`) and `truth.json`.

use std::fs::File;
use std::io::BufWriter;
use std::time::Instant;

use centinela_synth::{Config, Scale, generate, write_crossings_csv, write_list_csv};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let Some(dir) = args.get(1) else {
        eprintln!("usage: write_country DIR [small|full] [SEED]");
        std::process::exit(2);
    };
    let scale = args.get(2).and_then(|s| Scale::parse(s)).unwrap_or(Scale::Small);
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let t = Instant::now();
    let c = generate(&Config::new(seed, scale));
    let gen_time = t.elapsed();
    std::fs::create_dir_all(dir)?;
    let path = |name: &str| std::path::Path::new(dir).join(name);
    write_crossings_csv(BufWriter::new(File::create(path("crossings.csv"))?), &c.crossings)?;
    for l in &c.lists {
        write_list_csv(BufWriter::new(File::create(path(&format!("{}.csv", l.name)))?), l)?;
    }
    c.truth.write_persons_csv(BufWriter::new(File::create(path("persons-truth.csv"))?))?;
    let truth = serde_json_like(&c.truth);
    std::fs::write(path("truth-summary.txt"), truth)?;
    eprintln!(
        "generated in {:.3} s: {} crossings, {} persons, {} users, lists: {}; rings {}, facilitators {}, victims {}, listed {}, document misuse {}; written in {:.3} s",
        gen_time.as_secs_f64(),
        c.crossings.len(),
        c.truth.persons.len(),
        c.users.len(),
        c.lists
            .iter()
            .map(|l| format!("{} {}", l.name, l.entries.len() + l.documents.len()))
            .collect::<Vec<_>>()
            .join(", "),
        c.truth.rings.len(),
        c.truth.facilitators.len(),
        c.truth.victims.len(),
        c.truth.listed.len(),
        c.truth.document_misuse.len(),
        t.elapsed().as_secs_f64() - gen_time.as_secs_f64(),
    );
    Ok(())
}

/// A readable summary of the planted patterns (no JSON dependency here).
fn serde_json_like(t: &centinela_synth::Truth) -> String {
    let mut s = String::new();
    for r in &t.rings {
        s += &format!(
            "{} {:?} members {:?} moved {} phones {:?} addresses {:?} documents {:?} crossings {}\n",
            r.ring_id,
            r.kind,
            r.person_ids,
            r.moved.len(),
            r.phones,
            r.addresses,
            r.documents,
            r.crossing_ids.len()
        );
    }
    for f in &t.facilitators {
        s += &format!("{f:?}\n");
    }
    for v in &t.victims {
        s += &format!("{v:?}\n");
    }
    for l in &t.listed {
        s += &format!("{l:?}\n");
    }
    for d in &t.document_misuse {
        s += &format!("{d:?}\n");
    }
    s
}
