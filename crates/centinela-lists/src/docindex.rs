//! In-memory lookup of reported (stolen, lost, revoked) travel documents.
//!
//! Layout: two sorted arrays of `u64` words, one keyed on the normalised
//! document number and one on its [`DocumentNumber::confusable_key`]. Each
//! word packs the key's 64-bit SipHash (less its top `k` bits) in its high
//! bits and a 17-bit payload — the issuing state (3 × 5 bits) and the status
//! (2 bits) — in its low bits. A directory of `2^k + 1` offsets, indexed by
//! the top `k` hash bits, narrows each lookup to one bucket of a few words,
//! searched by binary search. With `k ≥ 17` every one of the 64 hash bits
//! takes part in the comparison, so a number that is not on the list is
//! reported as a hit only if its 64-bit hash equals that of one of the `n`
//! numbers that are: a chance of `n / 2^64` per lookup (5·10⁻¹³ for ten
//! million records — once in 10¹² lookups). A hit is advice to an officer,
//! who sees the stored record before acting; the store keeps the numbers.
//!
//! Cost: 8 bytes per record per key plus 4 bytes per directory slot, where
//! `k` is chosen so that there are about 4–8 records per slot: ≈ 17 bytes
//! per record for both keys.

use std::hash::Hasher;

use centinela_domain::{CountryCode, DocumentNumber, DocumentStatus};

const PAYLOAD_BITS: u32 = 17;
const PAYLOAD_MASK: u64 = (1 << PAYLOAD_BITS) - 1;

/// One reported document that a lookup found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentHit {
    /// The issuing state of the reported document, when the list gave one.
    pub issuing_state: Option<CountryCode>,
    pub status: DocumentStatus,
}

/// What a lookup found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentLookup {
    /// Reported documents with exactly this number (and state, if given).
    pub exact: Vec<DocumentHit>,
    /// Reported documents whose number differs only by confusable characters
    /// (O/0, I/1, S/5 …): a possible match for an officer to check.
    pub possible: Vec<DocumentHit>,
}

impl DocumentLookup {
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty() && self.possible.is_empty()
    }
}

/// Builds a [`DocumentIndex`]: push records, then [`finish`](Self::finish).
/// Holds 16 bytes per record per key until then.
#[derive(Debug, Default)]
pub struct DocumentIndexBuilder {
    exact: Vec<u128>,
    confusable: Vec<u128>,
}

impl DocumentIndexBuilder {
    pub fn with_capacity(n: usize) -> Self {
        DocumentIndexBuilder { exact: Vec::with_capacity(n), confusable: Vec::with_capacity(n) }
    }

    pub fn push(&mut self, number: &DocumentNumber, state: Option<CountryCode>, status: DocumentStatus) {
        self.push_normalised(number.as_str(), &number.confusable_key(), state, status);
    }

    /// For callers that hold the normalised number and its confusable key
    /// already (the store keeps both).
    pub fn push_normalised(
        &mut self,
        number: &str,
        confusable_key: &str,
        state: Option<CountryCode>,
        status: DocumentStatus,
    ) {
        let payload = u128::from(pack(state, status));
        self.exact.push(u128::from(hash(number.as_bytes())) << PAYLOAD_BITS | payload);
        self.confusable.push(u128::from(hash(confusable_key.as_bytes())) << PAYLOAD_BITS | payload);
    }

    pub fn len(&self) -> usize {
        self.exact.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    pub fn finish(self) -> DocumentIndex {
        let n = self.exact.len();
        // About 4–8 records per directory slot; 2^10 to 2^27 slots.
        let k = (usize::BITS - n.max(1).leading_zeros()).saturating_sub(3).clamp(10, 27);
        DocumentIndex { exact: Table::new(self.exact, k), confusable: Table::new(self.confusable, k), len: n }
    }
}

/// A sorted word table with its bucket directory.
#[derive(Debug, Clone)]
struct Table {
    k: u32,
    /// `dir[b]..dir[b + 1]`: the words of bucket `b` (the top `k` hash bits).
    dir: Vec<u32>,
    /// Per record: the hash shifted left by `k` (its top `k` bits are the
    /// bucket), low 17 bits replaced by the payload; sorted within buckets.
    words: Vec<u64>,
}

impl Table {
    fn new(mut recs: Vec<u128>, k: u32) -> Table {
        // No dedup: both tables count every record, so that the exact hits
        // can be taken out of the confusable ones one for one.
        recs.sort_unstable();
        let mut dir = vec![0u32; (1usize << k) + 1];
        let mut words = Vec::with_capacity(recs.len());
        for r in &recs {
            let h = (r >> PAYLOAD_BITS) as u64;
            let payload = (*r as u64) & PAYLOAD_MASK;
            dir[(h >> (64 - k)) as usize + 1] += 1;
            words.push(((h << k) & !PAYLOAD_MASK) | payload);
        }
        for i in 1..dir.len() {
            dir[i] += dir[i - 1];
        }
        Table { k, dir, words }
    }

    fn find(&self, h: u64, mut f: impl FnMut(u64)) {
        let b = (h >> (64 - self.k)) as usize;
        let bucket = &self.words[self.dir[b] as usize..self.dir[b + 1] as usize];
        let target = (h << self.k) & !PAYLOAD_MASK;
        let start = bucket.partition_point(|w| w & !PAYLOAD_MASK < target);
        for w in &bucket[start..] {
            if w & !PAYLOAD_MASK != target {
                break;
            }
            f(w & PAYLOAD_MASK);
        }
    }

    fn bytes(&self) -> usize {
        self.dir.len() * 4 + self.words.len() * 8
    }
}

/// Reported documents, looked up by number and issuing state.
#[derive(Debug, Clone)]
pub struct DocumentIndex {
    exact: Table,
    confusable: Table,
    len: usize,
}

impl DocumentIndex {
    pub fn builder() -> DocumentIndexBuilder {
        DocumentIndexBuilder::default()
    }

    /// Records pushed (including duplicates).
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.exact.bytes() + self.confusable.bytes()
    }

    /// Looks a number up. With `state`, only reports of that issuing state
    /// (or of no stated issuing state) count; without, every state.
    pub fn lookup(&self, number: &DocumentNumber, state: Option<CountryCode>) -> DocumentLookup {
        self.lookup_keys(number.as_str(), &number.confusable_key(), state)
    }

    /// [`lookup`](Self::lookup) for a number already normalised.
    pub fn lookup_keys(&self, number: &str, confusable_key: &str, state: Option<CountryCode>) -> DocumentLookup {
        let want = state.map(|s| pack(Some(s), DocumentStatus::Stolen) >> 2);
        let keep = |p: u64| match want {
            None => true,
            Some(w) => (p >> 2) == w || (p >> 2) == 0,
        };
        let mut exact: Vec<u64> = Vec::new();
        self.exact.find(hash(number.as_bytes()), |p| {
            if keep(p) {
                exact.push(p)
            }
        });
        let mut possible: Vec<u64> = Vec::new();
        let mut unmatched = exact.clone();
        self.confusable.find(hash(confusable_key.as_bytes()), |p| {
            if keep(p) {
                // Every exact hit is a confusable hit too: take those out.
                if let Some(i) = unmatched.iter().position(|&e| e == p) {
                    unmatched.swap_remove(i);
                } else {
                    possible.push(p)
                }
            }
        });
        exact.sort_unstable();
        exact.dedup();
        possible.sort_unstable();
        possible.dedup();
        DocumentLookup {
            exact: exact.into_iter().map(unpack).collect(),
            possible: possible.into_iter().map(unpack).collect(),
        }
    }
}

fn hash(b: &[u8]) -> u64 {
    // SipHash-1-3 with fixed keys: well mixed; the index lives only in
    // memory, so stability across Rust releases does not matter.
    let mut h = std::hash::DefaultHasher::new();
    h.write(b);
    h.finish()
}

/// State: three letters of 5 bits (A = 1 … Z = 26, 0 = none); status: 2 bits.
fn pack(state: Option<CountryCode>, status: DocumentStatus) -> u64 {
    let mut s: u64 = 0;
    if let Some(c) = state {
        for (i, b) in c.as_str().bytes().take(3).enumerate() {
            if b.is_ascii_alphabetic() {
                s |= u64::from(b.to_ascii_uppercase() - b'A' + 1) << (10 - 5 * i);
            }
        }
    }
    let st = match status {
        DocumentStatus::Stolen => 0,
        DocumentStatus::Lost => 1,
        DocumentStatus::StolenBlank => 2,
        DocumentStatus::Revoked => 3,
    };
    (s << 2) | st
}

fn unpack(p: u64) -> DocumentHit {
    let status = match p & 3 {
        0 => DocumentStatus::Stolen,
        1 => DocumentStatus::Lost,
        2 => DocumentStatus::StolenBlank,
        _ => DocumentStatus::Revoked,
    };
    let s = p >> 2;
    let mut code = [0u8; 3];
    let mut len = 0;
    for i in 0..3 {
        let v = ((s >> (10 - 5 * i)) & 31) as u8;
        if v != 0 {
            code[len] = b'A' + v - 1;
            len += 1;
        }
    }
    let state = std::str::from_utf8(&code[..len]).ok().and_then(|c| CountryCode::parse(c).ok());
    DocumentHit { issuing_state: state, status }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> DocumentNumber {
        DocumentNumber::parse(s).unwrap()
    }
    fn cc(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    #[test]
    fn exact_possible_and_none() {
        let mut b = DocumentIndex::builder();
        b.push(&num("G1234567"), Some(cc("MEX")), DocumentStatus::Stolen);
        b.push(&num("AB10O"), Some(cc("GTM")), DocumentStatus::Lost);
        b.push(&num("X1"), None, DocumentStatus::Revoked);
        b.push(&num("P9"), Some(cc("D")), DocumentStatus::StolenBlank);
        for i in 0..5000 {
            b.push(&num(&format!("N{i:07}")), Some(cc("SLV")), DocumentStatus::Lost);
        }
        let idx = b.finish();
        let r = idx.lookup(&num("G1234567"), Some(cc("MEX")));
        assert_eq!(r.exact, [DocumentHit { issuing_state: Some(cc("MEX")), status: DocumentStatus::Stolen }]);
        assert!(r.possible.is_empty());
        // Other state: nothing; no state given: hit.
        assert!(idx.lookup(&num("G1234567"), Some(cc("GTM"))).is_empty());
        assert_eq!(idx.lookup(&num("g-123 4567"), None).exact.len(), 1);
        // O/0 and I/1 confusions: possible, not exact.
        let r = idx.lookup(&num("G12345G7"), None);
        assert!(r.exact.is_empty());
        assert_eq!(r.possible.len(), 1);
        let r = idx.lookup(&num("A8I00"), Some(cc("GTM")));
        assert_eq!((r.exact.len(), r.possible.len()), (0, 1));
        assert_eq!(r.possible[0].status, DocumentStatus::Lost);
        // A report without a state matches any state.
        assert_eq!(idx.lookup(&num("X1"), Some(cc("MEX"))).exact.len(), 1);
        assert_eq!(idx.lookup(&num("P9"), None).exact[0].issuing_state, Some(cc("D")));
        assert!(idx.lookup(&num("N0005000"), None).is_empty());
        assert_eq!(idx.lookup(&num("N0004999"), None).exact.len(), 1);
        assert!(idx.lookup(&num("ZZZ"), None).is_empty());
    }

    #[test]
    fn both_exact_and_confusable_neighbour() {
        let mut b = DocumentIndex::builder();
        b.push(&num("O123"), Some(cc("MEX")), DocumentStatus::Stolen);
        b.push(&num("0123"), Some(cc("MEX")), DocumentStatus::Stolen);
        b.push(&num("O123"), Some(cc("MEX")), DocumentStatus::Stolen);
        let idx = b.finish();
        let r = idx.lookup(&num("O123"), None);
        assert_eq!((r.exact.len(), r.possible.len()), (1, 1));
        assert!(idx.heap_bytes() > 0);
    }
}
