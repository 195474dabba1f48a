//! Single-query latency on one thread: `cargo run --release -p centinela-names
//! --example latency -- LIST.csv QUERIES.csv` (simple CSV without quoted
//! fields, as `shared/eval/namegen.py` writes). Prints build time and the
//! p50/p90/p99/max of per-query time; then, at the shipped threshold, the
//! bulk rate on `THREADS` threads (default 2; each takes every N-th query,
//! as `centinela bench screen` does) and the peak resident memory. Each
//! phase also prints the CPU time the process spent in it (user + system,
//! all threads): on a shared machine the steadiest figure to compare two
//! builds by.

use std::time::Instant;

use centinela_domain::{AlertEntry, BirthDate, CountryCode, Sex};
use centinela_names::{Query, ScreenOptions, Screener};

fn rows(path: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).expect("read");
    text.lines().skip(1).map(|l| l.split(',').map(str::to_string).collect()).collect()
}

/// CPU seconds (user + system, all threads) this process has used.
fn cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // utime and stime are fields 14 and 15 of the line, in clock ticks (100 per second).
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (list, queries) = (&args[1], &args[2]);
    let entries: Vec<AlertEntry> = rows(list)
        .into_iter()
        .map(|r| AlertEntry {
            id: r[0].clone(),
            given_names: r[1].clone(),
            surnames: r[2].clone(),
            birth_dates: BirthDate::parse_opt(&r[3]).ok().flatten().into_iter().collect(),
            nationalities: CountryCode::parse_opt(&r[4]).ok().flatten().into_iter().collect(),
            sex: Sex::parse(&r[5]).unwrap_or_default(),
            ..Default::default()
        })
        .collect();
    let n = entries.len();
    let (t, c) = (Instant::now(), cpu_s());
    let s = Screener::build(entries);
    println!("build: {n} entries in {:.2}s, cpu {:.2}s", t.elapsed().as_secs_f64(), cpu_s() - c);
    let qs: Vec<Query> = rows(queries)
        .into_iter()
        .map(|r| Query {
            given_names: r[1].clone(),
            surnames: r[2].clone(),
            birth_date: centinela_domain::BirthDate::parse_lenient(&r[3]),
            nationality: CountryCode::parse_opt(&r[4]).ok().flatten(),
            sex: Sex::parse(&r[5]).unwrap_or_default(),
            document_number: None,
        })
        .collect();
    for (name, opts) in [("alerts", ScreenOptions::default()), ("candidates 10", ScreenOptions::candidates(10))] {
        let c = cpu_s();
        let mut lat: Vec<f64> = Vec::with_capacity(qs.len());
        let mut hits = 0;
        let mut slow: Vec<(f64, usize)> = Vec::new();
        for (i, q) in qs.iter().enumerate() {
            let t = Instant::now();
            hits += s.screen(q, &opts).len();
            let ms = t.elapsed().as_secs_f64() * 1e3;
            lat.push(ms);
            slow.push((ms, i));
        }
        if std::env::var_os("SLOW").is_some() {
            slow.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (ms, i) in slow.iter().take(8) {
                println!("  slow {ms:.2} ms: {} | {}", qs[*i].given_names, qs[*i].surnames);
            }
        }
        let cpu = cpu_s() - c;
        lat.sort_by(f64::total_cmp);
        let p = |x: f64| lat[((lat.len() as f64 * x) as usize).min(lat.len() - 1)];
        println!(
            "{name}: {} queries, {hits} hits; ms p50 {:.3} p90 {:.3} p99 {:.3} max {:.3}; mean {:.3}; cpu {:.1} µs/query",
            lat.len(),
            p(0.5),
            p(0.9),
            p(0.99),
            lat[lat.len() - 1],
            lat.iter().sum::<f64>() / lat.len() as f64,
            cpu * 1e6 / lat.len() as f64
        );
    }
    let threads: usize = std::env::var("THREADS").ok().and_then(|t| t.parse().ok()).unwrap_or(2).max(1);
    let opts = ScreenOptions::default();
    let (t, c) = (Instant::now(), cpu_s());
    let alerts: usize = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|i| {
                let (s, qs, opts) = (&s, &qs, &opts);
                sc.spawn(move || qs.iter().skip(i).step_by(threads).map(|q| s.screen(q, opts).len()).sum::<usize>())
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("bulk thread")).sum()
    });
    let (secs, cpu) = (t.elapsed().as_secs_f64(), cpu_s() - c);
    println!(
        "bulk: {} queries on {threads} threads in {secs:.2}s, {:.0} queries/s, {alerts} hits; cpu {:.1} µs/query",
        qs.len(),
        qs.len() as f64 / secs,
        cpu * 1e6 / qs.len() as f64
    );
    let hwm = std::fs::read_to_string("/proc/self/status").ok().and_then(|st| {
        st.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.split_whitespace().nth(1).unwrap_or("").to_string())
    });
    println!("peak RSS: {} kB", hwm.unwrap_or_else(|| "?".into()));
}
