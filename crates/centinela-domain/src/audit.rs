//! The tamper-evident audit chain: who did what to which record, each entry
//! sealed with the hash of the one before it.
//!
//! Two kinds of entry share one chain:
//! - *hashed* (the format before the seal): `hash = SHA-256(prev_hash ||
//!   canonical(entry))`, tag `centinela-audit-v1`. Anyone holding the
//!   database can rewrite such an entry and recompute every later hash.
//! - *sealed*: `hash = HMAC-SHA256(key, prev_hash || canonical(entry))`, tag
//!   `centinela-audit-v2`, with an [`AuditKey`] kept outside the database.
//!   Without the key no entry can be rewritten and re-sealed unnoticed.
//!
//! A log starts sealing at one sequence number (the store records it) and
//! every entry from there on is sealed; the first sealed entry's MAC covers
//! the last hashed entry's hash, so the hashed prefix is protected too.
//! The first entry's `prev_hash` is [`GENESIS`] (all zeros); `canonical` is
//! an unambiguous, length-prefixed byte encoding of the entry's fields (see
//! [`AuditRecord::canonical`]). Removing entries from the end is not visible
//! from the chain alone: an outside copy of its head (an anchor: sequence
//! number and hash) guards against that ([`Anchor`]).
//!
//! Entries never hold personal data: `subject` is an id and `detail` JSON
//! of counts, codes and ids. Pure computation; no I/O.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: [u8; 32] = [0; 32];

/// Tags the encoding so a later format cannot be confused with this one.
const DOMAIN_TAG: &[u8] = b"centinela-audit-v1";

/// Tags the sealed encoding.
const SEALED_TAG: &[u8] = b"centinela-audit-v2";

/// What the key's id is the MAC of.
const KEY_ID_TAG: &[u8] = b"centinela-audit-key-id";

/// The secret that seals the chain: 32 bytes, written as 64 hexadecimal
/// digits. Kept outside the database (a file or the environment), never
/// logged: `Debug` shows only its id.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey([u8; 32]);

/// Why a text is not an audit key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("an audit key is 64 hexadecimal digits (32 bytes); this one has {0} characters")]
    Length(usize),
    #[error("an audit key is hexadecimal digits only")]
    NotHex,
}

impl AuditKey {
    /// A key from its 32 bytes (the caller draws them at random).
    pub fn from_bytes(bytes: [u8; 32]) -> AuditKey {
        AuditKey(bytes)
    }

    /// A key from its text: 64 hexadecimal digits, surrounding whitespace
    /// (a file's final newline) ignored.
    pub fn parse(text: &str) -> Result<AuditKey, KeyError> {
        let t = text.trim();
        if t.len() != 64 {
            return Err(KeyError::Length(t.chars().count()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in t.as_bytes().chunks(2).enumerate() {
            let digit = |b: u8| char::from(b).to_digit(16).ok_or(KeyError::NotHex);
            out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).map_err(|_| KeyError::NotHex)?;
        }
        Ok(AuditKey(out))
    }

    /// The key's text (for writing a new key file).
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// A public fingerprint of the key, `HMAC-SHA256(key,
    /// "centinela-audit-key-id")`: stored beside the chain so that a wrong
    /// key is named as such. It reveals nothing of the key.
    pub fn id(&self) -> [u8; 32] {
        let mut m = self.mac();
        m.update(KEY_ID_TAG);
        m.finalize().into_bytes().into()
    }

    /// `HMAC-SHA256(key, label || 0 || value)`: a keyed, non-reversible
    /// digest for another use of the same secret (the PNR link keys), the
    /// label keeping each use apart from the chain's MACs.
    pub fn keyed_digest(&self, label: &[u8], value: &[u8]) -> [u8; 32] {
        let mut m = self.mac();
        m.update(label);
        m.update(&[0]);
        m.update(value);
        m.finalize().into_bytes().into()
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length: this never fails.
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuditKey(id {}…)", &hex(&self.id())[..12])
    }
}

/// The head of a chain kept elsewhere: truncation below it, or another
/// entry at its sequence number, is detected ([`check_anchor`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: [u8; 32],
}

/// How a chain disagrees with an anchor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnchorMismatch {
    #[error("the chain ends at entry {head}, before the anchor's entry {anchor}: entries were removed from the end")]
    Shorter { head: i64, anchor: i64 },
    #[error("entry {seq} has another hash than the anchor's: the chain was rewritten")]
    OtherHash { seq: i64 },
}

/// Checks an anchor against the hash the chain holds at the anchor's
/// sequence number (`None` when the chain is shorter; `head` its last
/// sequence number). The empty chain's anchor (0, genesis) always holds.
pub fn check_anchor(anchor: &Anchor, head: i64, hash_at: Option<[u8; 32]>) -> Result<(), AnchorMismatch> {
    if anchor.seq <= 0 {
        return Ok(());
    }
    match hash_at {
        None => Err(AnchorMismatch::Shorter { head, anchor: anchor.seq }),
        Some(h) if h != anchor.hash => Err(AnchorMismatch::OtherHash { seq: anchor.seq }),
        Some(_) => Ok(()),
    }
}

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

    /// Builds the entry that follows `prev_hash`, sealed with `key`.
    #[allow(clippy::too_many_arguments)]
    pub fn seal_keyed(
        seq: i64,
        at: impl Into<String>,
        actor: impl Into<String>,
        action: impl Into<String>,
        subject: impl Into<String>,
        detail: impl Into<String>,
        prev_hash: [u8; 32],
        key: &AuditKey,
    ) -> AuditRecord {
        let mut r = AuditRecord::seal(seq, at, actor, action, subject, detail, prev_hash);
        r.hash = r.compute_seal(key);
        r
    }

    /// The canonical encoding of the entry's content (not its hashes): the
    /// tag `centinela-audit-v1`, then `seq` as 8 bytes big-endian, then
    /// `at`, `actor`, `action`, `subject`, `detail`, each as its UTF-8 length
    /// (8 bytes big-endian) followed by its bytes. A sealed entry's encoding
    /// is the same with the tag `centinela-audit-v2`.
    pub fn canonical(&self) -> Vec<u8> {
        self.encode(DOMAIN_TAG)
    }

    fn encode(&self, tag: &[u8]) -> Vec<u8> {
        let fields = [&self.at, &self.actor, &self.action, &self.subject, &self.detail];
        let len = tag.len() + 8 + fields.iter().map(|f| 8 + f.len()).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(tag);
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

    /// `HMAC-SHA256(key, prev_hash || canonical-v2)`: what a sealed entry's
    /// `hash` must be.
    pub fn compute_seal(&self, key: &AuditKey) -> [u8; 32] {
        let mut m = key.mac();
        m.update(&self.prev_hash);
        m.update(&self.encode(SEALED_TAG));
        m.finalize().into_bytes().into()
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
    /// A sealed entry's MAC does not match its content: the entry was
    /// changed (and its hash recomputed without the key).
    Seal,
    /// The chain should end in a sealed entry (a key is configured) but
    /// does not: the record of where the seal begins was removed, or the
    /// sealed entries were replaced by hashed ones. `from`: where the
    /// store says the seal begins, if it says so.
    Unsealed { from: Option<i64> },
    /// The log was sealed with another key than the one given.
    WrongKey,
}

impl fmt::Display for BreakReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BreakReason::Sequence { expected } => write!(f, "sequence number out of order (expected {expected})"),
            BreakReason::Link => {
                f.write_str("prev_hash does not match the previous entry's hash (an earlier entry was altered, removed or inserted)")
            }
            BreakReason::Hash => f.write_str("hash does not match the entry's content (the entry was altered)"),
            BreakReason::Seal => f.write_str(
                "seal (HMAC) does not match the entry's content (the entry was altered and its hashes recomputed)",
            ),
            BreakReason::Unsealed { from: Some(from) } => write!(
                f,
                "the chain ends before its seal begins at entry {from} (sealed entries were removed or replaced)"
            ),
            BreakReason::Unsealed { from: None } => f.write_str(
                "the chain is not sealed although an audit key is configured (the seal's record was removed)",
            ),
            BreakReason::WrongKey => f.write_str("the log was sealed with another audit key than the one given"),
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
    /// The first sealed entry's sequence number, if the log is sealed.
    sealed_from: Option<i64>,
    key: Option<AuditKey>,
    /// Sealed entries whose MAC could not be checked (no key).
    unchecked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier::new()
    }
}

impl ChainVerifier {
    /// A verifier for a chain of hashed entries only (no seal).
    pub fn new() -> ChainVerifier {
        ChainVerifier::sealed(None, None)
    }

    /// A verifier for a chain sealed from entry `sealed_from` on (`None`:
    /// never sealed). With `key`, every sealed entry's MAC is checked and
    /// [`ChainVerifier::finish`] requires the chain to end sealed; without
    /// it, sealed entries are checked for sequence and link only
    /// ([`ChainVerifier::unchecked`] counts them).
    pub fn sealed(sealed_from: Option<i64>, key: Option<AuditKey>) -> ChainVerifier {
        ChainVerifier { prev_hash: GENESIS, next_seq: 1, count: 0, sealed_from, key, unchecked: 0 }
    }

    /// Checks the next entry: its sequence number, its link to the previous
    /// entry, then its own hash (or seal).
    pub fn push(&mut self, r: &AuditRecord) -> Result<(), BrokenLink> {
        let broken = |reason| Err(BrokenLink { seq: r.seq, reason });
        if r.seq != self.next_seq {
            return broken(BreakReason::Sequence { expected: self.next_seq });
        }
        if r.prev_hash != self.prev_hash {
            return broken(BreakReason::Link);
        }
        if self.sealed_from.is_some_and(|from| r.seq >= from) {
            match &self.key {
                Some(key) if r.compute_seal(key) != r.hash => return broken(BreakReason::Seal),
                Some(_) => {}
                None => self.unchecked += 1,
            }
        } else if r.compute_hash() != r.hash {
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

    /// Sealed entries whose MAC was not checked, for want of the key.
    pub fn unchecked(&self) -> u64 {
        self.unchecked
    }

    /// After the last entry: with a key, a non-empty chain must end at or
    /// after the seal's first entry — otherwise the sealed entries were cut
    /// off or replaced by hashed ones. The number of entries when all holds.
    pub fn finish(&self) -> Result<u64, BrokenLink> {
        let last = self.next_seq - 1;
        if self.key.is_some() && self.count > 0 && self.sealed_from.is_none_or(|from| last < from) {
            return Err(BrokenLink { seq: last, reason: BreakReason::Unsealed { from: self.sealed_from } });
        }
        Ok(self.count)
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
    verify_sealed_chain(entries, None, None)
}

/// Verifies a whole chain sealed from entry `sealed_from` on with `key`
/// (see [`ChainVerifier::sealed`]).
pub fn verify_sealed_chain<'a, I>(
    entries: I,
    sealed_from: Option<i64>,
    key: Option<&AuditKey>,
) -> Result<u64, BrokenLink>
where
    I: IntoIterator<Item = &'a AuditRecord>,
{
    let mut v = ChainVerifier::sealed(sealed_from, key.cloned());
    for r in entries {
        v.push(r)?;
    }
    v.finish()
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

    fn key(b: u8) -> AuditKey {
        AuditKey::from_bytes([b; 32])
    }

    /// `n` hashed entries, then sealed ones up to `total`.
    fn upgraded_chain(n: usize, total: usize, k: &AuditKey) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for i in 0..total {
            let prev = out.last().map_or(GENESIS, |r| r.hash);
            let seq = i as i64 + 1;
            let detail = format!("{{\"n\":{i}}}");
            out.push(if i < n {
                AuditRecord::seal(seq, "2026-11-23T14:00:00Z", "admin", "login", "1", detail, prev)
            } else {
                AuditRecord::seal_keyed(seq, "2026-11-23T14:00:00Z", "admin", "login", "1", detail, prev, k)
            });
        }
        out
    }

    /// Re-hashes every entry from `from` (an index) on, as an attacker
    /// holding the database but not the key can.
    fn rehash_from(c: &mut [AuditRecord], from: usize) {
        for i in from..c.len() {
            let prev = if i == 0 { GENESIS } else { c[i - 1].hash };
            let r = &c[i];
            c[i] = AuditRecord::seal(r.seq, &r.at, &r.actor, &r.action, &r.subject, &r.detail, prev);
        }
    }

    #[test]
    fn keys_parse_and_hide() {
        let k = AuditKey::parse(&format!("{}\n", "ab".repeat(32))).unwrap();
        assert_eq!(k.to_hex(), "ab".repeat(32));
        assert_eq!(AuditKey::parse("abc"), Err(KeyError::Length(3)));
        assert_eq!(AuditKey::parse(&"zz".repeat(32)), Err(KeyError::NotHex));
        assert!(!format!("{k:?}").contains("abab"));
        assert_ne!(k.id(), key(1).id());
    }

    /// The attack of issue 16: rewrite an entry and recompute every later
    /// hash. The hashed chain cannot tell; the sealed one names the entry.
    #[test]
    fn rewriting_and_rehashing_a_sealed_chain_is_detected() {
        let k = key(7);
        let mut c = upgraded_chain(0, 5, &k);
        assert_eq!(verify_sealed_chain(&c, Some(1), Some(&k)), Ok(5));
        // Before the seal, the attack went unnoticed:
        let mut old = upgraded_chain(5, 5, &k);
        old[2].detail = "{\"n\":99}".into();
        rehash_from(&mut old, 2);
        assert_eq!(verify_chain(&old), Ok(5));
        // Sealed, it is named:
        c[2].detail = "{\"n\":99}".into();
        rehash_from(&mut c, 2);
        assert_eq!(verify_sealed_chain(&c, Some(1), Some(&k)), Err(BrokenLink { seq: 3, reason: BreakReason::Seal }));
        // Re-sealing with a made-up key does not help either.
        let mut c = upgraded_chain(0, 5, &k);
        let other = key(8);
        for i in 2..5 {
            let prev = c[i - 1].hash;
            let r = &c[i];
            c[i] = AuditRecord::seal_keyed(r.seq, &r.at, &r.actor, &r.action, &r.subject, "{}", prev, &other);
        }
        assert_eq!(verify_sealed_chain(&c, Some(1), Some(&k)).unwrap_err().seq, 3);
    }

    #[test]
    fn an_upgraded_chain_keeps_its_hashed_prefix_and_protects_it() {
        let k = key(3);
        let c = upgraded_chain(3, 6, &k);
        assert_eq!(verify_sealed_chain(&c, Some(4), Some(&k)), Ok(6));
        // Without the key: sequence and links only, the MACs uncounted.
        let mut v = ChainVerifier::sealed(Some(4), None);
        for r in &c {
            v.push(r).unwrap();
        }
        assert_eq!((v.finish(), v.unchecked()), (Ok(6), 3));
        // Rewriting the hashed prefix breaks the first sealed entry's MAC.
        let mut bad = c.clone();
        bad[1].detail = "{}".into();
        rehash_from(&mut bad[..3], 1);
        let prev = bad[2].hash;
        bad[3].prev_hash = prev;
        assert_eq!(verify_sealed_chain(&bad, Some(4), Some(&k)), Err(BrokenLink { seq: 4, reason: BreakReason::Seal }));
    }

    /// Turning the sealed entries back into hashed ones (and dropping or
    /// moving the record of where the seal begins) is detected with a key.
    #[test]
    fn unsealing_is_detected() {
        let k = key(5);
        let mut c = upgraded_chain(2, 5, &k);
        c[4].detail = "{}".into();
        rehash_from(&mut c, 2);
        assert_eq!(verify_chain(&c), Ok(5));
        // The seal's record removed:
        assert_eq!(
            verify_sealed_chain(&c, None, Some(&k)),
            Err(BrokenLink { seq: 5, reason: BreakReason::Unsealed { from: None } })
        );
        // … or moved past the end:
        assert_eq!(
            verify_sealed_chain(&c, Some(6), Some(&k)).unwrap_err().reason,
            BreakReason::Unsealed { from: Some(6) }
        );
        // … or left where it was:
        assert_eq!(verify_sealed_chain(&c, Some(3), Some(&k)).unwrap_err().reason, BreakReason::Seal);
        // An empty log needs no seal.
        assert_eq!(verify_sealed_chain(&[], None, Some(&k)), Ok(0));
    }

    /// Truncation: the chain alone cannot tell; an anchor can.
    #[test]
    fn anchors_detect_truncation_and_rewriting() {
        let k = key(9);
        let c = upgraded_chain(0, 6, &k);
        let anchor = Anchor { seq: 6, hash: c[5].hash };
        let cut = &c[..4];
        assert_eq!(verify_sealed_chain(cut, Some(1), Some(&k)), Ok(4));
        assert_eq!(check_anchor(&anchor, 4, None), Err(AnchorMismatch::Shorter { head: 4, anchor: 6 }));
        assert_eq!(check_anchor(&anchor, 6, Some(c[5].hash)), Ok(()));
        assert_eq!(check_anchor(&anchor, 7, Some(c[4].hash)), Err(AnchorMismatch::OtherHash { seq: 6 }));
        assert_eq!(check_anchor(&Anchor { seq: 0, hash: GENESIS }, 0, None), Ok(()));
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
