//! Throughput of reading and verifying MRZs on one core:
//! `cargo bench -p centinela-mrz --bench parse`.
//!
//! Pre-generates documents of all five formats (a quarter of them with one
//! character corrupted), then times `Zone::from_lines` + `Zone::verify`
//! (allocation-free) and `Zone::document` (owned strings) over them.
//! Prints `key=value` lines that bench/mrz.sh reads.

use std::hint::black_box;
use std::time::{Duration, Instant};

use centinela_mrz::{Date, Fields, Format, PartialDate, Zone, codes, generate};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn alnum(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| A[self.below(36) as usize] as char).collect()
    }
}

fn documents(n: usize) -> Vec<Vec<String>> {
    let mut rng = Rng(42);
    let names = ["ERIKSSON", "GARCIA LOPEZ", "MUELLER", "NGUYEN", "DE LA CRUZ", "OSTERGAARD"];
    let given = ["ANNA MARIA", "JOSE", "LUIS ALBERTO", "", "WEI"];
    (0..n)
        .map(|i| {
            let format = Format::ALL[i % 5];
            let code = match format {
                Format::TD3 => "P",
                Format::TD1 | Format::TD2 => "ID",
                _ => "V",
            };
            let state = codes::ISO_3166[rng.below(codes::ISO_3166.len() as u64) as usize];
            let opt_len = rng.below(8) as usize;
            let f = Fields {
                format,
                document_code: code.into(),
                issuing_state: state.into(),
                surnames: names[rng.below(6) as usize].into(),
                given_names: given[rng.below(5) as usize].into(),
                document_number: rng.alnum(9),
                nationality: state.into(),
                birth_date: Some(PartialDate {
                    year: 1940 + rng.below(80) as i32,
                    month: Some(1 + rng.below(12) as u8),
                    day: Some(1 + rng.below(28) as u8),
                }),
                sex: ["M", "F"][rng.below(2) as usize].into(),
                expiry_date: Date::new(2020 + rng.below(15) as i32, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8),
                optional_data: rng.alnum(opt_len),
                optional_data_2: String::new(),
            };
            let mut lines = generate(&f).expect("generate");
            if rng.below(4) == 0 {
                let l = rng.below(lines.len() as u64) as usize;
                let mut b = std::mem::take(&mut lines[l]).into_bytes();
                let c = rng.below(b.len() as u64) as usize;
                b[c] = if b[c] == b'7' { b'1' } else { b'7' };
                lines[l] = String::from_utf8(b).expect("ascii");
            }
            lines
        })
        .collect()
}

/// CPU time of this thread in nanoseconds (Linux `schedstat`), so that the
/// figure is per core even on a busy machine; `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

/// Runs `f` over all documents until `min` has passed; returns documents per
/// second of CPU time (wall time where CPU time is unavailable) and per
/// second of wall time.
fn time(docs: &[Vec<&str>], min: Duration, mut f: impl FnMut(&[&str]) -> bool) -> (f64, f64) {
    let start = Instant::now();
    let cpu0 = thread_cpu_ns();
    let mut n = 0usize;
    let mut valid = 0usize;
    while start.elapsed() < min {
        for d in docs {
            valid += f(black_box(d)) as usize;
        }
        n += docs.len();
    }
    black_box(valid);
    let wall = start.elapsed().as_secs_f64();
    let cpu = match (cpu0, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e9,
        _ => wall,
    };
    (n as f64 / cpu, n as f64 / wall)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick" || a == "--test");
    let min = if quick { Duration::from_millis(100) } else { Duration::from_secs(3) };
    let owned = documents(100_000);
    let docs: Vec<Vec<&str>> = owned.iter().map(|d| d.iter().map(String::as_str).collect()).collect();
    let today = Date::new(2026, 11, 23).expect("date");

    // Warm up.
    let _ = time(&docs, min / 10, |d| Zone::from_lines(d).is_ok_and(|z| z.verify(today).valid));
    let valid = docs.iter().filter(|d| Zone::from_lines(d).is_ok_and(|z| z.verify(today).valid)).count();
    let (verify_cpu, verify_wall) = time(&docs, min, |d| Zone::from_lines(d).is_ok_and(|z| z.verify(today).valid));
    let (doc_cpu, doc_wall) = time(&docs, min, |d| Zone::from_lines(d).is_ok_and(|z| z.document(today).valid));
    println!("documents={}", docs.len());
    println!("valid_fraction={:.3}", valid as f64 / docs.len() as f64);
    println!("parse_verify_per_cpu_sec={verify_cpu:.0}");
    println!("parse_verify_per_wall_sec={verify_wall:.0}");
    println!("parse_document_per_cpu_sec={doc_cpu:.0}");
    println!("parse_document_per_wall_sec={doc_wall:.0}");
}
