//! A small deterministic pseudo-random generator (SplitMix64).

/// SplitMix64 (Steele, Lea and Flood 2014): 64 bits of state, one addition
/// and three xor-shift-multiply steps per output. Fast, and good enough for
/// synthetic data and benchmark inputs; **not** for anything secret.
///
/// The stream is fixed forever: `Rng::new(seed)` yields the same numbers on
/// every platform and in every version, so generated data is reproducible
/// from its seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose state starts at `seed`.
    pub const fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`next() % n`: the bias, below `n / 2^64`, does
    /// not matter here). `n` must not be 0.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// An index into a slice of length `len` (not 0).
    pub fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A uniform float in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.index(v.len())]
    }

    /// One element of a non-empty slice of `(item, weight)` pairs, with
    /// probability proportional to its weight.
    pub fn weighted<'a, T>(&mut self, v: &'a [(T, u32)]) -> &'a T {
        let total: u64 = v.iter().map(|(_, w)| u64::from(*w)).sum();
        let mut x = self.below(total.max(1));
        for (item, w) in v {
            if x < u64::from(*w) {
                return item;
            }
            x -= u64::from(*w);
        }
        &v[v.len() - 1].0
    }

    /// A generator for an independent stream, derived from this one's
    /// current state and a tag, so that adding draws to one part of a
    /// generator does not shift the numbers another part sees.
    pub fn fork(&self, tag: u64) -> Rng {
        let mut r = Rng(self.0 ^ tag.wrapping_mul(0xD1B5_4A32_D192_ED03));
        Rng(r.next())
    }

    /// `len` characters drawn from `alphabet` (ASCII).
    pub fn chars(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len).map(|_| alphabet[self.index(alphabet.len())] as char).collect()
    }

    /// `len` decimal digits (the first may be 0).
    pub fn digits(&mut self, len: usize) -> String {
        self.chars(b"0123456789", len)
    }

    /// Shuffles a slice in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.index(i + 1);
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn splitmix64_reference_values() {
        // First outputs of SplitMix64 seeded with 0 (the reference
        // implementation by Vigna).
        let mut r = Rng::new(0);
        assert_eq!(r.next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(r.next(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn helpers_stay_in_range() {
        let mut r = Rng::new(7);
        for _ in 0..1000 {
            assert!(r.range(3, 5) >= 3 && r.range(3, 5) <= 5);
            let u = r.unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(*r.weighted(&[("a", 0), ("b", 1)]), "b");
        let mut v: Vec<u32> = (0..10).collect();
        r.shuffle(&mut v);
        v.sort();
        assert_eq!(v, (0..10).collect::<Vec<_>>());
        assert_ne!(r.fork(1).next(), r.fork(2).next());
    }
}
