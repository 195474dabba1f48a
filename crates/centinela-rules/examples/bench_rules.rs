//! Benchmarks of BENCHMARKS.md "Risk rules" (numbers, not timed tests):
//!
//! ```text
//! cargo run --release -p centinela-rules --example bench_rules -- inspect
//! cargo run --release -p centinela-rules --example bench_rules -- backtest [N]
//! cargo run --release -p centinela-rules --example bench_rules -- demo
//! ```
//! `inspect`: 100 rules (the catalogue and 85 variants) per inspection.
//! `backtest`: the same 100 rules over N crossings (default 1,000,000:
//! synthetic years of `centinela_synth` `Scale::Full`, seeds 1, 2 …, ids
//! made unique). `demo`: the catalogue on the demo country (seed 1, full):
//! recall of the planted victims and facilitators, and the share of
//! travellers sent to secondary inspection.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use centinela_rules::backtest::{BacktestInput, evaluate_history, report};
use centinela_rules::{
    Action, CATALOGUE, Crossing, Document, Facts, History, HistoryQuery, Party, RuleSet, RuleSource, Traveller,
};
use centinela_synth::{Config, Scale, generate};

/// The catalogue plus 85 variants of the kinds of rules analysts write
/// (thresholds, windows, nationalities, posts, hours).
fn hundred_rules() -> String {
    let mut text = CATALOGUE.to_string();
    let windows = [7, 30, 90, 365];
    for k in 0..85 {
        let w = windows[k % windows.len()];
        let when = match k % 8 {
            0 => format!("history.crossings(days: {w}) >= {} and party.minors > 0", 4 + k % 5),
            1 => format!("traveller.nationality in [\"HND\", \"SLV\", \"NIC\"] and traveller.age < {}", 16 + k % 5),
            2 => format!("crossing.post == \"GTM-POST{k}\" and crossing.hour >= 22 or crossing.hour < {}", k % 5),
            3 => format!("history.phone_travellers(days: {w}) >= {}", 2 + k % 4),
            4 => format!("traveller.minor and party.size >= {} and not party.has_guardian", 3 + k % 3),
            5 => format!("history.companions(days: {w}) >= {} and traveller.age >= 18", 5 + k % 7),
            6 => format!(
                "document.issuing_state != traveller.nationality and history.document_crossings(days: {w}) > {}",
                k % 3
            ),
            _ => format!(
                "traveller.sex == \"F\" and traveller.age <= 24 and party.adults == 1 and history.crossings(days: {w}) == 0"
            ),
        };
        text.push_str(&format!(
            "\nrule V{k} \"variant {k}\" {{ category smuggling action secondary_inspection weight 0.1 when {when} reason \"variant {k}\" }}\n"
        ));
    }
    text
}

/// This process's CPU time (user + system) in seconds, from /proc (Linux;
/// 0 elsewhere): on a shared machine, wall time says little.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<f64> = after.split_whitespace().filter_map(|x| x.parse().ok()).collect();
    // Fields 14 and 15 of the line; after the name, 12 and 13 (0-based, state skipped).
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}

struct Fixed;

impl History for Fixed {
    fn count(&self, q: HistoryQuery, days: u32) -> Option<i64> {
        Some((q as i64 + 1) * i64::from(days) / 90)
    }
}

fn inspect() {
    let text = hundred_rules();
    let t = Instant::now();
    let set = RuleSet::compile(&[RuleSource { origin: "bench", text: &text }]).expect("the bench rules compile");
    let compile = t.elapsed();
    assert_eq!(set.len(), 100);
    let obs = ["T5"];
    let problems: [&str; 0] = [];
    let facts: Vec<Facts<'_>> = (0..64)
        .map(|i| Facts {
            traveller: Traveller {
                age: Some(8 + i * 3 % 50),
                sex: if i % 2 == 0 { "F" } else { "M" },
                nationality: ["HND", "GTM", "SLV", "MEX"][i as usize % 4],
                relation: "lead",
                travel_consent: Some(i % 3 == 0),
                observations: Some(if i % 5 == 0 { &obs[..] } else { &[] }),
            },
            document: Document {
                kind: "P",
                issuing_state: "HND",
                expired: Some(false),
                days_to_expiry: Some(400),
                mrz_valid: Some(true),
                problems: Some(&problems),
                typed_differs: Some(false),
                chip: "verified",
            },
            crossing: Crossing { post: "GTM-TECUNUMAN", direction: "entry", transport: "land", ..Crossing::default() }
                .at(centinela_domain::Timestamp::from_unix_seconds(1_740_000_000 + i * 3_000).unwrap()),
            party: Party {
                size: Some(1 + i % 4),
                adults: Some(i % 3),
                minors: Some(i % 2),
                has_guardian: Some(i % 4 != 1),
                is_lead: Some(true),
            },
            booking: Default::default(),
            history: &Fixed,
        })
        .collect();
    let n = 200_000usize;
    let mut fired = 0usize;
    let t = Instant::now();
    for k in 0..n {
        fired += set.evaluate(&facts[k % facts.len()]).len();
    }
    let el = t.elapsed();
    let mut scratch = Vec::new();
    let t = Instant::now();
    for k in 0..n {
        set.matching(&facts[k % facts.len()], &mut scratch);
        fired += scratch.len();
    }
    let el2 = t.elapsed();
    println!(
        "{{\"rules\":100,\"compile_us\":{:.1},\"inspections\":{n},\"evaluate_us_per_inspection\":{:.3},\"matching_us_per_inspection\":{:.3},\"firings_per_inspection\":{:.2}}}",
        compile.as_secs_f64() * 1e6,
        el.as_secs_f64() * 1e6 / n as f64,
        el2.as_secs_f64() * 1e6 / n as f64,
        fired as f64 / (2 * n) as f64
    );
}

fn backtest(n: usize) {
    let t = Instant::now();
    let mut crossings = Vec::with_capacity(n + 300_000);
    let mut seed = 1;
    while crossings.len() < n {
        let c = generate(&Config::new(seed, Scale::Full));
        for mut r in c.crossings {
            r.crossing_id = format!("{seed}-{}", r.crossing_id);
            if !r.group_id.is_empty() {
                r.group_id = format!("{seed}-{}", r.group_id);
            }
            crossings.push(r);
        }
        seed += 1;
    }
    crossings.truncate(n);
    let generated = t.elapsed();
    let text = hundred_rules();
    let set = RuleSet::compile(&[RuleSource { origin: "bench", text: &text }]).expect("the bench rules compile");
    let input = BacktestInput { crossings: &crossings, ..BacktestInput::default() };
    let (t, cpu) = (Instant::now(), cpu_seconds());
    let flags = evaluate_history(&set, &input);
    let eval = t.elapsed();
    let eval_cpu = cpu_seconds() - cpu;
    let t = Instant::now();
    let rep = report(&set, &input, &flags);
    let agg = t.elapsed();
    println!(
        "{{\"crossings\":{},\"rules\":{},\"threads\":{},\"generate_s\":{:.1},\"evaluate_s\":{:.2},\"evaluate_cpu_s\":{:.2},\"report_s\":{:.2},\"flagged\":{},\"flagged_share\":{:.4}}}",
        crossings.len(),
        set.len(),
        rayon::current_num_threads(),
        generated.as_secs_f64(),
        eval.as_secs_f64(),
        eval_cpu,
        agg.as_secs_f64(),
        rep.flagged,
        rep.flagged_share
    );
}

fn demo() {
    let c = generate(&Config::new(1, Scale::Full));
    let set = RuleSet::builtin();
    let input = BacktestInput { crossings: &c.crossings, ..BacktestInput::default() };
    let t = Instant::now();
    let flags = evaluate_history(&set, &input);
    let el = t.elapsed();
    let rep = report(&set, &input, &flags);
    let metas: Vec<_> = set.rules().collect();
    let mut flagged_persons: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut secondary_persons = HashSet::new();
    let mut persons = HashSet::new();
    for (r, f) in c.crossings.iter().zip(&flags) {
        let Some(pid) = c.truth.person_of(&r.crossing_id) else { continue };
        persons.insert(pid);
        for &k in f {
            flagged_persons.entry(pid).or_default().insert(metas[k as usize].id.as_str());
            if metas[k as usize].action == Action::SecondaryInspection {
                secondary_persons.insert(pid);
            }
        }
    }
    let recall = |ids: &[&str]| -> (usize, usize) {
        (ids.iter().filter(|p| flagged_persons.contains_key(*p)).count(), ids.len())
    };
    let victims: Vec<&str> = c.truth.victims.iter().map(|v| v.person_id.as_str()).collect();
    let facs: Vec<&str> = c.truth.facilitators.iter().map(|f| f.person_id.as_str()).collect();
    let (vf, vn) = recall(&victims);
    let (ff, fnn) = recall(&facs);
    let mut by_kind: Vec<(String, usize, usize)> = Vec::new();
    for v in &c.truth.victims {
        let k = format!("{:?}", v.kind);
        let hit = flagged_persons.contains_key(v.person_id.as_str());
        match by_kind.iter_mut().find(|x| x.0 == k) {
            Some(x) => {
                x.1 += usize::from(hit);
                x.2 += 1;
            }
            None => by_kind.push((k, usize::from(hit), 1)),
        }
    }
    println!(
        "demo country: seed 1, full: {} crossings, {} persons; catalogue ({} rules) evaluated in {:.2} s",
        rep.crossings,
        persons.len(),
        set.len(),
        el.as_secs_f64()
    );
    println!("victims flagged (any rule, any of their crossings): {vf}/{vn} = {:.1}%", 100.0 * vf as f64 / vn as f64);
    for (k, a, b) in &by_kind {
        println!("  {k}: {a}/{b}");
    }
    println!("facilitators flagged: {ff}/{fnn} = {:.1}%", 100.0 * ff as f64 / fnn as f64);
    println!(
        "crossings flagged: {} ({:.2}%); sent to secondary inspection: {} ({:.2}%); referred to protection: {} ({:.2}%)",
        rep.flagged,
        100.0 * rep.flagged_share,
        rep.secondary_inspection,
        100.0 * rep.secondary_inspection as f64 / rep.crossings as f64,
        rep.refer_to_protection,
        100.0 * rep.refer_to_protection as f64 / rep.crossings as f64
    );
    println!(
        "persons sent to secondary inspection at least once: {} of {} ({:.2}%)",
        secondary_persons.len(),
        persons.len(),
        100.0 * secondary_persons.len() as f64 / persons.len() as f64
    );
    for r in &rep.rules {
        println!("  {:>3}: {:>6} crossings", r.id, r.flagged);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("inspect") => inspect(),
        Some("backtest") => backtest(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000)),
        Some("demo") => demo(),
        _ => eprintln!("usage: bench_rules inspect | backtest [N] | demo"),
    }
}
