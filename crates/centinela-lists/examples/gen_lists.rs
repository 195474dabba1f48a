//! Writes synthetic alert-list files for benchmarks (deterministic; no real
//! persons): `gen_lists list N FILE` (list CSV) or `gen_lists documents N FILE`.

use std::io::{BufWriter, Write};

use centinela_synth::Rng;

const GIVEN: &[&str] =
    &["Juan", "María", "José", "Ana", "Luis", "Carmen", "Carlos", "Rosa", "Jorge", "Elena", "Pedro", "Lucía"];
const SUR: &[&str] =
    &["García", "Hernández", "López", "Martínez", "Pérez", "Ruiz", "Soto", "Paz", "Castillo", "Morales"];
const NAT: &[&str] = &["MEX", "GTM", "HND", "SLV", "NIC", "COL", "VEN", "USA"];
const STATUS: &[&str] = &["stolen", "lost", "stolen_blank", "revoked"];
const ALNUM: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (kind, n, path) = match args.as_slice() {
        [_, k, n, p] => (k.as_str(), n.parse::<u64>().expect("N"), p.as_str()),
        _ => {
            eprintln!("usage: gen_lists list|documents N FILE");
            std::process::exit(2);
        }
    };
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut r = Rng::new(42);
    match kind {
        "list" => {
            writeln!(w, "id,given_names,surnames,birth_date,nationality,sex,aliases,document_numbers,notes")?;
            for i in 0..n {
                let (g, g2, s1, s2) = (r.pick(GIVEN), r.pick(GIVEN), r.pick(SUR), r.pick(SUR));
                let bd = match r.below(4) {
                    0 => format!("{}", 1940 + r.below(65)),
                    1 => format!("{}-{:02}", 1940 + r.below(65), 1 + r.below(12)),
                    _ => format!("{}-{:02}-{:02}", 1940 + r.below(65), 1 + r.below(12), 1 + r.below(28)),
                };
                let sex = if r.below(2) == 0 { "M" } else { "F" };
                let alias = if r.below(3) == 0 { format!("{g} {s1}") } else { String::new() };
                writeln!(
                    w,
                    "L{i},{g} {g2},{s1} {s2},{bd},{},{sex},{alias},G{:08},",
                    r.pick(NAT),
                    r.below(100_000_000)
                )?;
            }
        }
        "documents" => {
            writeln!(w, "document_number,issuing_state,document_type,status,reported_at")?;
            let mut num = [0u8; 9];
            for _ in 0..n {
                for c in num.iter_mut() {
                    *c = ALNUM[r.below(ALNUM.len() as u64) as usize];
                }
                let num = std::str::from_utf8(&num).unwrap_or("X");
                writeln!(
                    w,
                    "{num},{},P,{},20{:02}-{:02}-{:02}",
                    r.pick(NAT),
                    r.pick(STATUS),
                    10 + r.below(16),
                    1 + r.below(12),
                    1 + r.below(28)
                )?;
            }
        }
        _ => {
            eprintln!("usage: gen_lists list|documents N FILE");
            std::process::exit(2);
        }
    }
    w.flush()
}
