//! Accuracy of a clustering against a ground truth: pairwise and B-cubed
//! precision, recall and F1, and the adjusted Rand index.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(precision: f64, recall: f64) -> Prf {
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        Prf { precision, recall, f1 }
    }
}

/// Pairwise and B-cubed agreement of `predicted` with `truth` (one label
/// per item each), and the adjusted Rand index.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Agreement {
    pub items: usize,
    pub pairwise: Prf,
    pub bcubed: Prf,
    pub adjusted_rand: f64,
}

fn pairs(n: u64) -> f64 {
    (n * n.saturating_sub(1) / 2) as f64
}

/// Compares two labellings of the same items.
pub fn agreement<A: Eq + Hash, B: Eq + Hash>(predicted: &[A], truth: &[B]) -> Agreement {
    assert_eq!(predicted.len(), truth.len(), "one label per item on both sides");
    let n = predicted.len();
    let mut ids_p: HashMap<&A, u32> = HashMap::new();
    let mut ids_t: HashMap<&B, u32> = HashMap::new();
    let p: Vec<u32> = predicted
        .iter()
        .map(|x| {
            let k = ids_p.len() as u32;
            *ids_p.entry(x).or_insert(k)
        })
        .collect();
    let t: Vec<u32> = truth
        .iter()
        .map(|x| {
            let k = ids_t.len() as u32;
            *ids_t.entry(x).or_insert(k)
        })
        .collect();
    let mut size_p = vec![0u64; ids_p.len()];
    let mut size_t = vec![0u64; ids_t.len()];
    let mut joint: HashMap<(u32, u32), u64> = HashMap::new();
    for i in 0..n {
        size_p[p[i] as usize] += 1;
        size_t[t[i] as usize] += 1;
        *joint.entry((p[i], t[i])).or_insert(0) += 1;
    }
    let tp: f64 = joint.values().map(|&x| pairs(x)).sum();
    let pp: f64 = size_p.iter().map(|&x| pairs(x)).sum();
    let tt: f64 = size_t.iter().map(|&x| pairs(x)).sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 1.0 };
    let pairwise = Prf::new(ratio(tp, pp), ratio(tp, tt));
    // B-cubed: per item, |C ∩ T| / |C| and |C ∩ T| / |T|, averaged.
    let (mut bp, mut br) = (0.0, 0.0);
    for (&(a, b), &x) in &joint {
        let x = x as f64;
        bp += x * x / size_p[a as usize] as f64;
        br += x * x / size_t[b as usize] as f64;
    }
    let bcubed = if n == 0 { Prf::new(1.0, 1.0) } else { Prf::new(bp / n as f64, br / n as f64) };
    let total = pairs(n as u64);
    let expected = if total > 0.0 { pp * tt / total } else { 0.0 };
    let max = (pp + tt) / 2.0;
    let adjusted_rand = if (max - expected).abs() < f64::EPSILON { 1.0 } else { (tp - expected) / (max - expected) };
    Agreement { items: n, pairwise, bcubed, adjusted_rand }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_split() {
        let t = [1, 1, 2, 2, 3];
        let a = agreement(&["a", "a", "b", "b", "c"], &t);
        assert_eq!(a.pairwise.f1, 1.0);
        assert_eq!(a.bcubed.f1, 1.0);
        assert!((a.adjusted_rand - 1.0).abs() < 1e-9);
        let a = agreement(&["a", "x", "b", "b", "c"], &t);
        assert_eq!(a.pairwise.precision, 1.0);
        assert_eq!(a.pairwise.recall, 0.5);
        assert!((a.bcubed.recall - 0.8).abs() < 1e-9);
        assert_eq!(a.bcubed.precision, 1.0);
    }
}
