//! Identity resolution against the synthetic country's ground truth, in
//! process (no database): `cargo run --release -p centinela-intel --example
//! intel_eval -- [--seed N] [--scale small|full] [--errors K]`. Prints a JSON
//! line of pairwise and B-cubed figures; `--errors K` also prints K wrongly
//! merged and K wrongly split records with the score terms, for tuning.

use std::collections::HashMap;
use std::time::Instant;

use centinela_intel::{Crossings, Params, eval, explain, resolve};
use centinela_synth::{Config, Scale, generate};

fn main() {
    let mut seed = 1u64;
    let mut scale = Scale::Full;
    let mut errors = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            "--scale" => scale = args.next().and_then(|s| Scale::parse(&s)).expect("--scale small|full"),
            "--errors" => errors = args.next().and_then(|s| s.parse().ok()).expect("--errors K"),
            _ => panic!("unknown argument {a}"),
        }
    }
    let country = generate(&Config::new(seed, scale));
    let truth: Vec<&str> = country.crossings.iter().map(|c| country.truth.person_of(&c.crossing_id).unwrap()).collect();
    let t0 = Instant::now();
    let c = Crossings::build(&country.crossings);
    let t1 = Instant::now();
    let r = resolve(&c, &Params::default(), &[]);
    let t2 = Instant::now();
    let a = eval::agreement(&r.person, &truth);
    println!(
        "{}",
        serde_json::json!({
            "seed": seed, "scale": scale.as_str(), "crossings": c.len(), "persons": r.persons,
            "true_persons": truth.iter().collect::<std::collections::HashSet<_>>().len(),
            "profiles": r.profiles, "compared": r.compared,
            "build_s": (t1 - t0).as_secs_f64(), "resolve_s": (t2 - t1).as_secs_f64(),
            "pairwise": a.pairwise, "bcubed": a.bcubed, "adjusted_rand": a.adjusted_rand,
        })
    );
    let an = centinela_intel::analyse(&c, &[]);
    let t3 = Instant::now();
    let facs: std::collections::HashSet<&str> =
        country.truth.facilitators.iter().map(|f| f.person_id.as_str()).collect();
    // A predicted person is the true person behind most of its crossings.
    let majority = |crossings: &[String]| -> String {
        let mut n: HashMap<&str, usize> = HashMap::new();
        for x in crossings {
            *n.entry(country.truth.person_of(x).unwrap_or("")).or_insert(0) += 1;
        }
        n.into_iter().max_by_key(|(k, v)| (*v, std::cmp::Reverse(*k))).map(|x| x.0.to_string()).unwrap_or_default()
    };
    let top: Vec<String> = an.facilitators.iter().map(|f| majority(&f.crossing_ids)).collect();
    let p_at = |k: usize| {
        top.iter().take(k).filter(|p| facs.contains(p.as_str())).count() as f64 / k.min(top.len()).max(1) as f64
    };
    let found: std::collections::HashSet<&String> = top.iter().filter(|p| facs.contains(p.as_str())).collect();
    println!(
        "{}",
        serde_json::json!({
            "analyse_s": (t3 - t2).as_secs_f64(), "facilitators_reported": top.len(), "true_facilitators": facs.len(),
            "precision_at_10": p_at(10), "precision_at_20": p_at(20), "precision_at_all": p_at(top.len()),
            "recall": found.len() as f64 / facs.len().max(1) as f64, "rings": an.rings.len(),
            "true_rings": country.truth.rings.len(),
        })
    );
    if errors == 0 {
        return;
    }
    for (k, f) in an.facilitators.iter().enumerate().take(errors) {
        println!("FAC {k} {} {:.3} true={} {:?}", f.person_id, f.score, top[k], f.evidence);
    }
    let kind: HashMap<&str, _> = country.truth.persons.iter().map(|p| (p.person_id.as_str(), p.kind)).collect();
    // Wrong merges: a predicted person holding several true persons.
    let mut by_pred: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, &p) in r.person.iter().enumerate() {
        by_pred.entry(p).or_default().push(i);
    }
    let mut shown = 0;
    let mut preds: Vec<_> = by_pred.values().collect();
    preds.sort();
    for m in preds {
        let first = m[0];
        if let Some(&j) = m.iter().find(|&&j| truth[j] != truth[first]) {
            println!(
                "MERGED {} [{}|{:?}] with {} [{}|{:?}] score {:.1} {:?}",
                c.ids[first],
                c.name_text(first),
                kind[truth[first]],
                c.ids[j],
                c.name_text(j),
                kind[truth[j]],
                centinela_intel::score(&c, first, j),
                explain(&c, first, j)
            );
            shown += 1;
            if shown >= errors {
                break;
            }
        }
    }
    let mut by_true: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, &t) in truth.iter().enumerate() {
        by_true.entry(t).or_default().push(i);
    }
    let mut trues: Vec<_> = by_true.values().collect();
    trues.sort();
    shown = 0;
    for m in trues {
        let first = m[0];
        if let Some(&j) = m.iter().find(|&&j| r.person[j] != r.person[first]) {
            println!(
                "SPLIT {} [{} {:?} {}] / {} [{} {:?} {}] {:?} score {:.1} {:?}",
                c.ids[first],
                c.name_text(first),
                c.birth_date(first),
                c.strings.get(c.document[first]),
                c.ids[j],
                c.name_text(j),
                c.birth_date(j),
                c.strings.get(c.document[j]),
                kind[truth[first]],
                centinela_intel::score(&c, first, j),
                explain(&c, first, j)
            );
            shown += 1;
            if shown >= errors {
                break;
            }
        }
    }
}
