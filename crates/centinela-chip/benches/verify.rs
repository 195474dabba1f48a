//! Passive Authentication of one passport per algorithm, on one thread:
//! `cargo bench -p centinela-chip --bench verify [-- ITERATIONS]`.
//! The same measurement as `centinela bench chip`; figures in BENCHMARKS.md.

fn main() {
    let iterations = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(2000);
    let rows = centinela_chip::testpki::bench_verify(iterations);
    println!("{}", serde_json::to_string_pretty(&rows).expect("JSON"));
}
