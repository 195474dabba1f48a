//! Document index: build time, bytes per record, lookup latency (p50/p99)
//! for hits, misses and confusable near-misses.
//!
//! `cargo bench -p centinela-lists --bench docindex [-- N]` (N default 10 000 000).

use std::time::Instant;

use centinela_domain::{CountryCode, DocumentNumber, DocumentStatus};

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000_000);
    let states: Vec<CountryCode> = ["MEX", "GTM", "HND", "SLV", "NIC", "COL", "VEN", "USA"]
        .iter()
        .map(|s| CountryCode::parse(s).unwrap())
        .collect();
    let number = |i: usize| format!("P{:08}", (i as u64).wrapping_mul(2_654_435_761) % 1_000_000_000);
    let mut b = centinela_lists::DocumentIndexBuilder::with_capacity(n);
    let t = Instant::now();
    for i in 0..n {
        let num = DocumentNumber::parse(&number(i)).unwrap();
        b.push(&num, Some(states[i % states.len()]), DocumentStatus::Stolen);
    }
    let push_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let idx = b.finish();
    let finish_s = t.elapsed().as_secs_f64();
    let bpr = idx.heap_bytes() as f64 / n as f64;
    println!(
        "records {n}: push (parse + hash) {push_s:.2} s, finish (sort + directory) {finish_s:.2} s, {bpr:.1} bytes/record (both keys)"
    );

    let probes = 200_000usize;
    let mut hits: Vec<(DocumentNumber, CountryCode)> = Vec::with_capacity(probes);
    let mut misses = Vec::with_capacity(probes);
    let mut near = Vec::with_capacity(probes);
    for k in 0..probes {
        let i = (k * 7919) % n;
        let s = number(i);
        hits.push((DocumentNumber::parse(&s).unwrap(), states[i % states.len()]));
        misses.push((DocumentNumber::parse(&format!("Q{}", &s[1..])).unwrap(), states[i % states.len()]));
        // "P" → "F" is no confusion; swap a 0 for O (possible match) or, when
        // the number has no 0, a 1 for I.
        let c = if s[1..].contains('0') { s.replacen('0', "O", 1) } else { s.replacen('1', "I", 1) };
        near.push((DocumentNumber::parse(&c).unwrap(), states[i % states.len()]));
    }
    let mut p50 = Vec::new();
    for (label, set) in [("hit", &hits), ("miss", &misses), ("confusable", &near)] {
        let mut ns: Vec<u64> = Vec::with_capacity(probes);
        let (mut exact, mut possible) = (0usize, 0usize);
        for (d, s) in set.iter() {
            let t = Instant::now();
            let r = idx.lookup(d, Some(*s));
            ns.push(t.elapsed().as_nanos() as u64);
            exact += usize::from(!r.exact.is_empty());
            possible += usize::from(!r.possible.is_empty());
        }
        ns.sort_unstable();
        let p = |q: f64| ns[((ns.len() as f64 * q) as usize).min(ns.len() - 1)];
        p50.push(p(0.50));
        println!(
            "lookup {label:<10}: p50 {} ns, p99 {} ns, mean {} ns ({exact} exact, {possible} possible of {probes})",
            p(0.50),
            p(0.99),
            ns.iter().sum::<u64>() / ns.len() as u64
        );
    }

    drop(idx);

    // Peer: std HashMap<String, Vec<(state, status)>> on the exact number only
    // (no confusable key), the obvious in-memory layout.
    let t = Instant::now();
    let mut map: std::collections::HashMap<String, Vec<(Option<CountryCode>, DocumentStatus)>> =
        std::collections::HashMap::with_capacity(n);
    for i in 0..n {
        let num = DocumentNumber::parse(&number(i)).unwrap();
        map.entry(num.as_str().to_string()).or_default().push((Some(states[i % states.len()]), DocumentStatus::Stolen));
    }
    let build_s = t.elapsed().as_secs_f64();
    // Entry: String (24) + Vec (24) + hashbrown control byte, at the map's
    // capacity; heap: the key (rounded to 16) and one 8-byte tuple (in a
    // 16-byte allocation).
    let bytes = map.capacity() * (24 + 24 + 1) + map.keys().map(|k| k.len().div_ceil(16) * 16 + 16).sum::<usize>();
    let mut ns: Vec<u64> = Vec::with_capacity(probes);
    for (d, s) in hits.iter() {
        let t = Instant::now();
        let r = map.get(d.as_str()).map(|v| v.iter().any(|(st, _)| *st == Some(*s)));
        ns.push(t.elapsed().as_nanos() as u64);
        assert_eq!(r, Some(true));
    }
    ns.sort_unstable();
    println!(
        "peer HashMap<String, Vec<..>> (exact only): build {build_s:.2} s, ~{:.0} bytes/record; hit p50 {} ns, p99 {} ns; \
         index hit p50 = {:.2}x the peer's, memory {:.2}x",
        bytes as f64 / n as f64,
        ns[ns.len() / 2],
        ns[ns.len() * 99 / 100],
        p50[0] as f64 / ns[ns.len() / 2] as f64,
        bpr / (bytes as f64 / n as f64),
    );
}
