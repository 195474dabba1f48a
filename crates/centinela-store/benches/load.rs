//! Loading from a store filled by `centinela lists import`: the screening
//! entries, the in-memory document index, and SQL document look-ups.
//!
//! `cargo bench -p centinela-store --bench load -- DB` (a path or URL).

use std::time::Instant;

use centinela_domain::DocumentNumber;
use centinela_store::Store;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let Some(db) = std::env::args().skip(1).find(|a| !a.starts_with("--")) else {
        eprintln!("usage: cargo bench -p centinela-store --bench load -- DB");
        return;
    };
    let store = Store::connect(&db).await.expect("open the database");

    let t = Instant::now();
    let entries = store.current_entries().await.expect("entries");
    println!("current_entries: {} entries in {:.2} s", entries.len(), t.elapsed().as_secs_f64());
    drop(entries);

    let t = Instant::now();
    let idx = store.document_index().await.expect("index");
    let secs = t.elapsed().as_secs_f64();
    println!(
        "document_index: {} records in {secs:.2} s ({:.0} records/s), {:.1} bytes/record",
        idx.len(),
        idx.len() as f64 / secs,
        idx.heap_bytes() as f64 / idx.len().max(1) as f64
    );

    // SQL look-ups (what `lists check-document` does): random numbers, so
    // mostly misses, through the confusable-key index.
    let mut ns = Vec::new();
    for i in 0..2000u64 {
        let n = DocumentNumber::parse(&format!("Z{:08}", i.wrapping_mul(2_654_435_761) % 100_000_000)).unwrap();
        let t = Instant::now();
        let _ = store.find_documents(&n, None).await.expect("lookup");
        ns.push(t.elapsed().as_nanos() as u64);
    }
    ns.sort_unstable();
    println!("find_documents (SQL): p50 {} µs, p99 {} µs", ns[ns.len() / 2] / 1000, ns[ns.len() * 99 / 100] / 1000);
    store.close().await;
}
