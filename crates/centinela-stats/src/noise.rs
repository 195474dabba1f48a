//! Calibrated noise for repeated releases: the two-sided geometric
//! mechanism (Ghosh, Roughgarden and Sundararajan 2009), the discrete
//! Laplace. Each person adds one to one cell of a table, so adding noise
//! with `P(z) ∝ exp(−ε|z|)` to every inner cell makes each table
//! ε-differentially private; the totals are sums of the noisy cells, so a
//! table stays consistent. The noise of a cell is a function of the seed,
//! the table and the cell's labels: releasing the same period again with
//! the same seed gives the same figures, so repeating a release does not
//! let anyone average the noise away.

use serde::Serialize;

use crate::StatsError;
use crate::table::CountTable;

/// The noise's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Noise {
    pub epsilon: f64,
    pub seed: u64,
}

impl Noise {
    pub fn new(epsilon: f64, seed: u64) -> Result<Noise, StatsError> {
        if epsilon.is_finite() && epsilon > 0.0 {
            Ok(Noise { epsilon, seed })
        } else {
            Err(StatsError::BadEpsilon(epsilon))
        }
    }

    /// Adds noise to every inner cell of `t` (counts stay at least 0).
    pub fn apply(&self, t: &mut CountTable) {
        let w = t.cols.len();
        for r in 0..t.rows.len() {
            for c in 0..w {
                let tag = hash(&[&t.name, &t.rows[r], &t.cols[c]]);
                let z = self.sample(&mut SplitMix(self.seed ^ tag));
                let v = &mut t.cells[r * w + c];
                *v = (*v as i64 + z).max(0) as u64;
            }
        }
    }

    /// One draw: the difference of two geometric variables with success
    /// probability 1 − e^−ε.
    fn sample(&self, rng: &mut SplitMix) -> i64 {
        let alpha = (-self.epsilon).exp();
        let mut geometric = || {
            // Inverse CDF: floor(ln U / ln α), U in (0, 1].
            let u = ((rng.next() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
            (u.ln() / alpha.ln()).floor().min(1e9) as i64
        };
        geometric() - geometric()
    }
}

/// SplitMix64, as in `centinela-synth`: fixed forever for a seed.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// FNV-1a over length-prefixed parts.
fn hash(parts: &[&str]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for p in parts {
        for b in (p.len() as u64).to_le_bytes().iter().chain(p.as_bytes()) {
            h = (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(v: u64) -> CountTable {
        CountTable {
            name: "t".into(),
            measure: "m".into(),
            row_dim: "r".into(),
            col_dim: "c".into(),
            rows: (0..20).map(|i| i.to_string()).collect(),
            cols: (0..50).map(|i| i.to_string()).collect(),
            cells: vec![v; 1000],
        }
    }

    #[test]
    fn noise_is_reproducible_centred_and_scaled_by_epsilon() {
        let n = Noise::new(0.5, 7).unwrap();
        let (mut a, mut b) = (table(1000), table(1000));
        n.apply(&mut a);
        n.apply(&mut b);
        assert_eq!(a, b);
        let mean = a.cells.iter().map(|&v| v as f64 - 1000.0).sum::<f64>() / 1000.0;
        // Variance 2α/(1−α)² ≈ 7.6 for ε = 0.5: the mean of 1000 draws is within ±0.5.
        assert!(mean.abs() < 0.5, "{mean}");
        let var = a.cells.iter().map(|&v| (v as f64 - 1000.0).powi(2)).sum::<f64>() / 1000.0;
        assert!((5.0..11.0).contains(&var), "{var}");
        let mut c = table(1000);
        Noise::new(0.5, 8).unwrap().apply(&mut c);
        assert_ne!(a, c);
        assert!(Noise::new(0.0, 1).is_err() && Noise::new(f64::NAN, 1).is_err());
    }
}
