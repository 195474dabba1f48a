//! The tamper-evident audit chain: who did what to which record, each entry
//! sealed with the hash of the one before it.
//!
//! `hash = SHA-256(prev_hash || canonical(entry))`, where the first entry's
//! `prev_hash` is [`GENESIS`] (all zeros) and `canonical` is an unambiguous,
//! length-prefixed byte encoding of the entry's fields (see
//! [`AuditRecord::canonical`]). Changing any stored byte of an entry breaks
//! its own hash; rewriting an entry and its hash breaks the next entry's
//! link. Removing entries from the end is not visible from the chain alone:
//! an outside copy of the last hash (its "head") guards against that.
//!
//! Entries never hold personal data: `subject` is an id and `detail` JSON
//! of counts, codes and ids. Pure computation; no I/O.

use std::fmt;

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// Tags the encoding so a later format cannot be confused with this one.
const DOMAIN_TAG: &[u8] = b"centinela-audit-v1";

/// One entry of the audit chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// 1 for the first entry, then 2, 3 … without gaps.
    pub seq: i64,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// A username, or `system`.
    pub actor: String,
    /// A stable snake_case code such as `login`, `user_created`.
    pub action: String,
    /// What was touched: an id, never personal data.
    pub subject: String,
    /// JSON text without personal data.
    pub detail: String,
    pub prev_hash: [u8; 32],
    pub hash: [u8; 32],
}

impl AuditRecord {
    /// Builds the entry that follows `prev_hash`, with its hash computed.
    pub fn seal(
        seq: i64,
        at: impl Into<String>,
        actor: impl Into<String>,
        action: impl Into<String>,
        subject: impl Into<String>,
        detail: impl Into<String>,
        prev_hash: [u8; 32],
    ) -> AuditRecord {
        let mut r = AuditRecord {
            seq,
            at: at.into(),
            actor: actor.into(),
            action: action.into(),
            subject: subject.into(),
            detail: detail.into(),
            prev_hash,
            hash: [0; 32],
        };
        r.hash = r.compute_hash();
        r
    }

    /// The canonical encoding of the entry's content (not its hashes): the
    /// tag `centinela-audit-v1`, then `seq` as 8 bytes big-endian, then
    /// `at`, `actor`, `action`, `subject`, `detail`, each as its UTF-8 length
    /// (8 bytes big-endian) followed by its bytes.
    pub fn canonical(&self) -> Vec<u8> {
        let fields = [&self.at, &self.actor, &self.action, &self.subject, &self.detail];
        let len = DOMAIN_TAG.len() + 8 + fields.iter().map(|f| 8 + f.len()).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(DOMAIN_TAG);
        out.extend_from_slice(&self.seq.to_be_bytes());
        for f in fields {
            out.extend_from_slice(&(f.len() as u64).to_be_bytes());
            out.extend_from_slice(f.as_bytes());
        }
        out
    }

    /// `SHA-256(prev_hash || canonical())`: what `hash` must be.
    pub fn compute_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.prev_hash);
        h.update(self.canonical());
        h.finalize().into()
    }
}

/// Lower-case hex of a hash, for display.
pub fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// What is wrong with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BreakReason {
    /// The sequence number is not the one after the previous entry's.
    Sequence { expected: i64 },
    /// `prev_hash` is not the previous entry's hash (or, for the first
    /// entry, not the genesis hash): an entry before it was changed,
    /// removed or inserted.
    Link,
    /// `hash` does not match the entry's content: the entry was changed.
    Hash,
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakReason::Sequence { expected } => write!(f, "sequence number out of order (expected {expected})"),
            BreakReason::Link => {
                f.write_str("prev_hash does not match the previous entry's hash (an earlier entry was altered, removed or inserted)")
            }
            BreakReason::Hash => f.write_str("hash does not match the entry's content (the entry was altered)"),
        }
    }
}

/// The first entry at which the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {seq}: {reason}")]
pub struct BrokenLink {
    pub seq: i64,
    pub reason: BreakReason,
}

/// Checks a chain one entry at a time, for callers that stream it.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    prev_hash: [u8; 32],
    next_seq: i64,
    count: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    pub fn new() -> ChainVerifier {
        ChainVerifier { prev_hash: GENESIS, next_seq: 1, count: 0 }
    }

    /// Checks the next entry: its sequence number, its link to the previous
    /// entry, then its own hash.
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), BrokenLink> {
        let broken = |reason| Err(BrokenLink { seq: r.seq, reason });
        if r.seq != self.next_seq {
            return broken(BreakReason::Sequence { expected: self.next_seq });
        }
        if r.prev_hash != self.prev_hash {
            return broken(BreakReason::Link);
        }
        if r.compute_hash() != r.hash {
            return broken(BreakReason::Hash);
        }
        self.prev_hash = r.hash;
        self.next_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// Entries checked so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The last good entry's hash (the genesis hash before any).
    pub fn head(&self) -> [u8; 32] {
        self.prev_hash
    }
}

/// Verifies a whole chain in sequence order: the number of entries when it
/// is intact, else the first broken entry.
pub fn verify_chain<'a, I>(entries: I) -> Result<u64, BrokenLink>
where
    I: IntoIterator<Item = &'a AuditRecord>,
{
    let mut v = ChainVerifier::new();
    for r in entries {
        v.push(r)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn chain(details: &[&str]) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for (i, d) in details.iter().enumerate() {
            let prev = out.last().map_or(GENESIS, |r| r.hash);
            out.push(AuditRecord::seal(i as i64 + 1, "2026-11-23T14:00:00Z", "admin", "user_created", "7", *d, prev));
        }
        out
    }

    #[test]
    fn empty_and_intact_chains_verify() {
        assert_eq!(verify_chain(&[]), Ok(0));
        let c = chain(&["{}", "{\"role\":\"officer\"}", ""]);
        assert_eq!(verify_chain(&c), Ok(3));
        assert_eq!(c[0].prev_hash, GENESIS);
        assert_eq!(c[1].prev_hash, c[0].hash);
    }

    #[test]
    fn known_answer() {
        // Pins the encoding: changing it silently would break every stored chain.
        let r = AuditRecord::seal(1, "2026-11-23T14:00:00Z", "system", "login", "1", "{}", GENESIS);
        let mut expected = b"centinela-audit-v1".to_vec();
        expected.extend_from_slice(&1i64.to_be_bytes());
        for f in ["2026-11-23T14:00:00Z", "system", "login", "1", "{}"] {
            expected.extend_from_slice(&(f.len() as u64).to_be_bytes());
            expected.extend_from_slice(f.as_bytes());
        }
        assert_eq!(r.canonical(), expected);
        let mut h = Sha256::new();
        h.update([0u8; 32]);
        h.update(&expected);
        let want: [u8; 32] = h.finalize().into();
        assert_eq!(r.hash, want);
        assert_eq!(hex(&r.hash).len(), 64);
    }

    #[test]
    fn encoding_is_unambiguous() {
        // Moving a byte between adjacent fields changes the hash.
        let a = AuditRecord::seal(1, "t", "ab", "c", "s", "{}", GENESIS);
        let b = AuditRecord::seal(1, "t", "a", "bc", "s", "{}", GENESIS);
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn names_the_first_broken_entry() {
        let mut c = chain(&["{}", "{}", "{}", "{}"]);
        c[2].detail = "{\"x\":1}".into();
        assert_eq!(verify_chain(&c), Err(BrokenLink { seq: 3, reason: BreakReason::Hash }));

        // Re-sealing the altered entry moves the break to the next link.
        let prev = c[1].hash;
        c[2] = AuditRecord::seal(3, &c[2].at, &c[2].actor, &c[2].action, &c[2].subject, "{\"x\":1}", prev);
        assert_eq!(verify_chain(&c), Err(BrokenLink { seq: 4, reason: BreakReason::Link }));

        // A removed entry is a sequence gap.
        let mut c = chain(&["{}", "{}", "{}"]);
        c.remove(1);
        assert_eq!(verify_chain(&c), Err(BrokenLink { seq: 3, reason: BreakReason::Sequence { expected: 2 } }));

        // A chain that does not start at genesis.
        let c = chain(&["{}", "{}"]);
        let mut tail = vec![c[1].clone()];
        tail[0].seq = 1;
        assert_eq!(verify_chain(&tail).unwrap_err().reason, BreakReason::Link);
        let msg = BrokenLink { seq: 9, reason: BreakReason::Hash }.to_string();
        assert!(msg.starts_with("audit entry 9: hash does not match"), "{msg}");
    }

    /// Flips one byte of one field of `r`: field 0 seq, 1..=5 the text
    /// fields, 6 prev_hash, 7 hash. Returns false when the change is a no-op.
    fn corrupt(r: &mut AuditRecord, field: usize, pos: usize, xor: u8) -> bool {
        let flip_text = |s: &mut String| {
            if s.is_empty() {
                s.push(char::from(xor & 0x7f | 1));
                return true;
            }
            let mut bytes = s.clone().into_bytes();
            let i = pos % bytes.len();
            bytes[i] ^= xor;
            let new = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            let changed = new != *s;
            *s = new;
            changed
        };
        match field {
            0 => {
                let mut b = r.seq.to_be_bytes();
                b[pos % 8] ^= xor;
                r.seq = i64::from_be_bytes(b);
                true
            }
            1 => flip_text(&mut r.at),
            2 => flip_text(&mut r.actor),
            3 => flip_text(&mut r.action),
            4 => flip_text(&mut r.subject),
            5 => flip_text(&mut r.detail),
            6 => {
                r.prev_hash[pos % 32] ^= xor;
                true
            }
            _ => {
                r.hash[pos % 32] ^= xor;
                true
            }
        }
    }

    fn any_chain() -> impl Strategy<Value = Vec<AuditRecord>> {
        let entry = ("[0-9TZ:-]{0,25}", "[a-z]{0,12}|system", "[a-z_]{1,20}", "[0-9a-f-]{0,36}", "\\PC{0,40}");
        proptest::collection::vec(entry, 1..12).prop_map(|entries| {
            let mut out: Vec<AuditRecord> = Vec::new();
            for (i, (at, actor, action, subject, detail)) in entries.into_iter().enumerate() {
                let prev = out.last().map_or(GENESIS, |r| r.hash);
                out.push(AuditRecord::seal(i as i64 + 1, at, actor, action, subject, detail, prev));
            }
            out
        })
    }

    proptest! {
        #[test]
        fn any_chain_verifies(c in any_chain()) {
            prop_assert_eq!(verify_chain(&c), Ok(c.len() as u64));
        }

        #[test]
        fn any_single_byte_change_is_detected(
            mut c in any_chain(),
            which in any::<prop::sample::Index>(),
            field in 0usize..8,
            pos in any::<usize>(),
            xor in 1u8..=255,
        ) {
            let i = which.index(c.len());
            prop_assume!(corrupt(&mut c[i], field, pos, xor));
            let err = verify_chain(&c).unwrap_err();
            let at = c[i].seq;
            let next = c.get(i + 1).map(|r| r.seq);
            prop_assert!(err.seq == at || Some(err.seq) == next, "broken at {} after changing entry {}", err.seq, i);
        }
    }
}
