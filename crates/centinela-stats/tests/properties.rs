//! Property tests: whatever the counts, no published cell is below k, every
//! published cell is the true count, and an attacker who solves every
//! published equation of every table together recovers no suppressed cell.
//!
//! The attacker here is written independently of the library's: it asks,
//! for each suppressed cell, whether adding "this cell is known" raises the
//! rank of the system of published equations (rank over the prime field
//! 1 000 000 007; the coefficients are 0 and ±1).

use std::collections::HashMap;

use centinela_stats::{FactSet, Noise, Options, Period, PublishedTable, publish};
use proptest::prelude::*;

const Q: i64 = 1_000_000_007;

fn rank(mut m: Vec<Vec<i64>>) -> usize {
    let cols = m.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..cols {
        let Some(p) = (r..m.len()).find(|&i| m[i][c] != 0) else { continue };
        m.swap(r, p);
        let inv = pow(m[r][c], Q - 2);
        let pivot: Vec<i64> = m[r].iter().map(|&x| x * inv % Q).collect();
        for row in m.iter_mut().skip(r + 1) {
            let f = row[c];
            if f != 0 {
                for (x, y) in row.iter_mut().zip(&pivot) {
                    *x = ((*x - f * y) % Q + Q) % Q;
                }
            }
        }
        m[r] = pivot;
        r += 1;
    }
    r
}

fn pow(mut b: i64, mut e: i64) -> i64 {
    let mut acc = 1;
    b %= Q;
    while e > 0 {
        if e & 1 == 1 {
            acc = acc * b % Q;
        }
        b = b * b % Q;
        e >>= 1;
    }
    acc
}

/// The suppressed cells (table, row, column) that the published tables
/// determine. Totals with the same measure, attribute and label are one
/// unknown (an attacker reads the labels).
fn recoverable(tables: &[&PublishedTable]) -> Vec<(String, usize, usize)> {
    let mut var: HashMap<(usize, usize, usize), usize> = HashMap::new();
    let mut shared: HashMap<(String, String, String), usize> = HashMap::new();
    let mut names = Vec::new();
    for (t, p) in tables.iter().enumerate() {
        let (h, w) = (p.rows.len() + 1, p.cols.len() + 1);
        for r in 0..h {
            for c in 0..w {
                if p.get(r, c).is_some() {
                    continue;
                }
                let key = match (r == h - 1, c == w - 1) {
                    (false, false) => None,
                    (false, true) => Some((p.measure.clone(), p.row_dim.clone(), p.rows[r].clone())),
                    (true, false) => Some((p.measure.clone(), p.col_dim.clone(), p.cols[c].clone())),
                    (true, true) => Some((p.measure.clone(), String::new(), String::new())),
                };
                let id = match key {
                    Some(k) => *shared.entry(k).or_insert_with(|| {
                        names.push((p.name.clone(), r, c));
                        names.len() - 1
                    }),
                    None => {
                        names.push((p.name.clone(), r, c));
                        names.len() - 1
                    }
                };
                var.insert((t, r, c), id);
            }
        }
    }
    let n = names.len();
    let mut eqs: Vec<Vec<i64>> = Vec::new();
    for (t, p) in tables.iter().enumerate() {
        let (h, w) = (p.rows.len() + 1, p.cols.len() + 1);
        let lines = (0..h)
            .map(|r| ((0..w - 1).map(|c| (r, c)).collect::<Vec<_>>(), (r, w - 1)))
            .chain((0..w).map(|c| ((0..h - 1).map(|r| (r, c)).collect(), (h - 1, c))));
        for (cells, total) in lines {
            let mut eq = vec![0i64; n];
            for (r, c) in cells {
                if let Some(&v) = var.get(&(t, r, c)) {
                    eq[v] = (eq[v] + 1) % Q;
                }
            }
            if let Some(&v) = var.get(&(t, total.0, total.1)) {
                eq[v] = (eq[v] + Q - 1) % Q;
            }
            if eq.iter().any(|&x| x != 0) {
                eqs.push(eq);
            }
        }
    }
    let base = rank(eqs.clone());
    (0..n)
        .filter(|&u| {
            let mut with = eqs.clone();
            let mut e = vec![0i64; n];
            e[u] = 1;
            with.push(e);
            rank(with) == base
        })
        .map(|u| names[u].clone())
        .collect()
}

/// Counts of crossings by post, day and nationality: small, often tiny.
fn facts() -> impl Strategy<Value = FactSet> {
    let cell = prop_oneof![3 => 0u64..4, 3 => 0u64..15, 2 => 0u64..60];
    (1usize..5, 1usize..4, 1usize..4).prop_flat_map(move |(posts, months, nats)| {
        proptest::collection::vec(cell.clone(), posts * months * nats).prop_map(move |counts| {
            let mut rows = Vec::new();
            let nat = ["GTM", "HND", "VEN"];
            for p in 0..posts {
                for m in 0..months {
                    for (x, n) in nat.iter().enumerate().take(nats) {
                        let c = counts[(p * months + m) * nats + x];
                        if c > 0 {
                            let day = format!("2026-{:02}-15", m + 1);
                            let dir = if (p + m) % 2 == 0 { "entry" } else { "exit" };
                            rows.push((vec![format!("P{p}"), day, dir.to_string(), n.to_string()], c));
                        }
                    }
                }
            }
            FactSet {
                measure: "crossings".into(),
                dims: vec!["post".into(), "day".into(), "direction".into(), "nationality".into()],
                rows,
                domains: vec![("post".into(), (0..posts).map(|p| format!("P{p}")).collect())],
            }
        })
    })
}

fn truth(f: &FactSet, t: &PublishedTable) -> Vec<u64> {
    let ri = match t.row_dim.as_str() {
        "post" => 0,
        "nationality" => 3,
        _ => unreachable!(),
    };
    let ci = match t.col_dim.as_str() {
        "period" => 1,
        "direction" => 2,
        _ => unreachable!(),
    };
    let w = t.cols.len() + 1;
    let mut e = vec![0u64; (t.rows.len() + 1) * w];
    for (key, n) in &f.rows {
        let rv = if ri == 3 && key[3] == "VEN" { "other".to_string() } else { key[ri].clone() };
        let cv = if ci == 1 { key[1][..7].to_string() } else { key[ci].clone() };
        let r = t.rows.iter().position(|x| *x == rv).unwrap();
        let c = t.cols.iter().position(|x| *x == cv).unwrap();
        for (rr, cc) in [(r, c), (r, w - 1), (t.rows.len(), c), (t.rows.len(), w - 1)] {
            e[rr * w + cc] += n;
        }
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_cell_below_k_and_no_suppressed_cell_recoverable(f in facts(), k in 1u64..16) {
        let r = publish(std::slice::from_ref(&f), &Options { k, period: Period::Month, ..Options::default() }).unwrap();
        for t in &r.tables {
            let real = truth(&f, t);
            for (i, cell) in t.cells.iter().enumerate() {
                if let Some(v) = cell {
                    prop_assert!(*v >= k, "{} publishes {v} < {k}\n{}", t.name, t.to_csv());
                    prop_assert_eq!(*v, real[i]);
                }
            }
            let alone = recoverable(&[t]);
            prop_assert!(alone.is_empty(), "{:?} recoverable from\n{}", alone, t.to_csv());
        }
        let all: Vec<&PublishedTable> = r.tables.iter().collect();
        let joint = recoverable(&all);
        prop_assert!(joint.is_empty(), "{:?} recoverable from all of\n{}", joint,
            r.tables.iter().map(|t| t.to_csv()).collect::<Vec<_>>().join("\n"));
    }

    #[test]
    fn noisy_releases_still_publish_nothing_below_k(f in facts(), k in 1u64..16, seed in any::<u64>()) {
        let noise = Some(Noise::new(1.0, seed).unwrap());
        let r = publish(std::slice::from_ref(&f), &Options { k, period: Period::Week, noise, ..Options::default() }).unwrap();
        for t in &r.tables {
            prop_assert!(t.cells.iter().flatten().all(|&v| v >= k), "{}", t.to_csv());
            let w = t.cols.len() + 1;
            // Published totals are the sums of the (noisy) cells they total
            // when all of those are published.
            for row in 0..t.rows.len() {
                let cells: Option<Vec<u64>> = (0..t.cols.len()).map(|c| t.get(row, c)).collect();
                if let (Some(cells), Some(total)) = (cells, t.get(row, w - 1)) {
                    prop_assert_eq!(cells.iter().sum::<u64>(), total);
                }
            }
        }
    }
}

/// A table of `h × w` counts as published with `hidden` inner cells
/// (row, column) suppressed and every total published.
fn published(h: usize, w: usize, hidden: &[(usize, usize)]) -> PublishedTable {
    let mut cells = vec![Some(100u64); (h + 1) * (w + 1)];
    for &(r, c) in hidden {
        cells[r * (w + 1) + c] = None;
    }
    PublishedTable {
        name: "t".into(),
        measure: "m".into(),
        row_dim: "r".into(),
        col_dim: "c".into(),
        rows: (0..h).map(|i| i.to_string()).collect(),
        cols: (0..w).map(|i| i.to_string()).collect(),
        cells,
    }
}

#[test]
fn the_attacker_recovers_lone_cells_and_bridges() {
    assert_eq!(recoverable(&[&published(2, 2, &[(0, 0)])]), vec![("t".to_string(), 0, 0)]);
    assert!(recoverable(&[&published(2, 2, &[(0, 0), (0, 1), (1, 0), (1, 1)])]).is_empty());
    // Two 2 × 2 cycles joined by (1, 2): every line holds two or more
    // hidden cells, yet the joining cell is determined.
    let bridge = [(0, 0), (0, 1), (1, 0), (1, 1), (2, 2), (2, 3), (3, 2), (3, 3), (1, 2)];
    assert_eq!(recoverable(&[&published(4, 4, &bridge)]), vec![("t".to_string(), 1, 2)]);
}

/// One larger table, mostly large counts with a few small ones.
fn one_table() -> impl Strategy<Value = centinela_stats::CountTable> {
    let cell = prop_oneof![6 => 11u64..300, 1 => 0u64..11];
    (1usize..8, 1usize..8).prop_flat_map(move |(h, w)| {
        proptest::collection::vec(cell.clone(), h * w).prop_map(move |cells| centinela_stats::CountTable {
            name: "t".into(),
            measure: "m".into(),
            row_dim: "r".into(),
            col_dim: "c".into(),
            rows: (0..h).map(|i| i.to_string()).collect(),
            cols: (0..w).map(|i| i.to_string()).collect(),
            cells,
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_single_table_hides_every_small_cell_unrecoverably(t in one_table(), k in 1u64..16) {
        let sup = centinela_stats::suppress::protect(std::slice::from_ref(&t), k);
        let cells = t.extended().into_iter().zip(&sup[0]).map(|(v, &s)| (!s).then_some(v)).collect();
        let p = PublishedTable {
            name: t.name.clone(), measure: t.measure.clone(), row_dim: t.row_dim.clone(), col_dim: t.col_dim.clone(),
            rows: t.rows.clone(), cols: t.cols.clone(), cells,
        };
        prop_assert!(p.cells.iter().flatten().all(|&v| v >= k));
        let found = recoverable(&[&p]);
        prop_assert!(found.is_empty(), "{:?} recoverable from\n{}", found, p.to_csv());
    }
}
