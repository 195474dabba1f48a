//! Token similarity: an edit distance whose costs follow the kind of
//! confusion (phonetic, OCR/visual, keyboard typo), plus initials, truncation
//! and phonetic-code agreement.

use crate::phonetic;

/// How two name tokens agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenMatch {
    /// Identical after normalisation.
    Exact,
    /// Pronounced alike in Spanish (same phonetic code).
    Phonetic,
    /// Close spelling (typo, OCR, transliteration).
    Spelling,
    /// One is a prefix of the other (truncated MRZ field, concatenated names).
    Prefix,
    /// One is an initial of the other.
    Initial,
    /// Equal once a particle is written together with the name ("Delacruz").
    Particle,
}

impl TokenMatch {
    pub fn as_str(&self) -> &'static str {
        match self {
            TokenMatch::Exact => "exact",
            TokenMatch::Phonetic => "sounds alike",
            TokenMatch::Spelling => "similar spelling",
            TokenMatch::Prefix => "truncated/prefix",
            TokenMatch::Initial => "initial",
            TokenMatch::Particle => "particle joined",
        }
    }
}

/// Cost of substituting `a` by `b` (`a != b`).
#[inline]
fn sub_cost(a: u8, b: u8) -> f32 {
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    match (x, y) {
        // Spanish phonetic equivalences
        (b'B', b'V') | (b'S', b'Z') | (b'C', b'S') | (b'C', b'Z') | (b'C', b'K') | (b'K', b'Q') | (b'C', b'Q') => 0.3,
        (b'I', b'Y') | (b'G', b'J') | (b'J', b'X') | (b'S', b'X') | (b'L', b'Y') => 0.35,
        // OCR / visual confusions among letters
        (b'I', b'L') | (b'O', b'Q') | (b'U', b'V') | (b'M', b'N') | (b'E', b'F') | (b'C', b'G') | (b'O', b'D') => 0.5,
        _ => 1.0,
    }
}

/// Cost of inserting or deleting `c` after `prev` (0 at the start).
#[inline]
fn indel_cost(prev: u8, c: u8) -> f32 {
    match (prev, c) {
        // silent H
        (_, b'H') => 0.3,
        // ICAO Ü→UE, Ä→AE, Ö→OE against accent-stripped spellings
        (b'U' | b'A' | b'O', b'E') => 0.3,
        _ => 1.0,
    }
}

const MAXLEN: usize = 40;

/// Weighted Damerau–Levenshtein (optimal string alignment) distance.
pub fn weighted_distance(a: &[u8], b: &[u8]) -> f32 {
    let a = &a[..a.len().min(MAXLEN)];
    let b = &b[..b.len().min(MAXLEN)];
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut d = [0f32; (MAXLEN + 1) * (MAXLEN + 1)];
    let prev = |s: &[u8], i: usize| if i >= 2 { s[i - 2] } else { 0 };
    for j in 1..=m {
        d[j] = d[j - 1] + indel_cost(prev(b, j), b[j - 1]);
    }
    for i in 1..=n {
        d[i * w] = d[(i - 1) * w] + indel_cost(prev(a, i), a[i - 1]);
        for j in 1..=m {
            let (ca, cb) = (a[i - 1], b[j - 1]);
            let sub = if ca == cb { 0.0 } else { sub_cost(ca, cb) };
            let mut v = (d[(i - 1) * w + j - 1] + sub)
                .min(d[(i - 1) * w + j] + indel_cost(prev(a, i), ca))
                .min(d[i * w + j - 1] + indel_cost(prev(b, j), cb));
            if i > 1 && j > 1 && ca == b[j - 2] && a[i - 2] == cb && ca != cb {
                v = v.min(d[(i - 2) * w + j - 2] + 0.6);
            }
            d[i * w + j] = v;
        }
    }
    d[n * w + m]
}

/// Similarity in [0, 1] of two folded tokens with their phonetic codes.
pub fn token_similarity(a: &[u8], ca: &[u8], b: &[u8], cb: &[u8]) -> (f32, TokenMatch) {
    if a == b {
        return (1.0, TokenMatch::Exact);
    }
    if a.is_empty() || b.is_empty() {
        return (0.0, TokenMatch::Spelling);
    }
    if a.len() == 1 || b.len() == 1 {
        return if a[0] == b[0] { (0.8, TokenMatch::Initial) } else { (0.0, TokenMatch::Initial) };
    }
    if ca == cb && !ca.is_empty() {
        return (0.95, TokenMatch::Phonetic);
    }
    let (la, lb) = (a.len(), b.len());
    let maxl = la.max(lb) as f32;
    let minl = la.min(lb);
    if la.abs_diff(lb) > 4 && minl < 4 {
        return (0.0, TokenMatch::Spelling);
    }
    let (short, long) = if la <= lb { (a, b) } else { (b, a) };
    let prefix = minl >= 4 && long.starts_with(short);
    if la.abs_diff(lb) > 4 {
        return if prefix { (0.86, TokenMatch::Prefix) } else { (0.0, TokenMatch::Spelling) };
    }
    let d = weighted_distance(a, b);
    let s_text = 1.0 - d / maxl;
    let dc = weighted_distance(ca, cb);
    let s_code = 1.0 - dc / (ca.len().max(cb.len()).max(1) as f32) - 0.03;
    let s = s_text.max(s_code).max(0.0);
    if prefix && s < 0.86 {
        return (0.86, TokenMatch::Prefix);
    }
    (s.min(0.94), TokenMatch::Spelling)
}

/// Convenience for tests and callers outside the index: compares two tokens
/// given as folded strings.
pub fn similarity(a: &str, b: &str) -> f32 {
    token_similarity(a.as_bytes(), phonetic::code(a).as_bytes(), b.as_bytes(), phonetic::code(b).as_bytes()).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_costs() {
        assert_eq!(weighted_distance(b"PEREZ", b"PEREZ"), 0.0);
        assert!((weighted_distance(b"BARGAS", b"VARGAS") - 0.3).abs() < 1e-6);
        assert!((weighted_distance(b"GARCIA", b"GRACIA") - 0.6).abs() < 1e-6);
        assert!((weighted_distance(b"HUGO", b"UGO") - 0.3).abs() < 1e-6);
        assert!((weighted_distance(b"LOPEZ", b"LOPEX") - 1.0).abs() < 1e-6);
        assert!((weighted_distance(b"", b"ABC") - 3.0).abs() < 1e-6);
        assert!((weighted_distance(b"MUELLER", b"MULLER") - 0.3).abs() < 1e-6);
    }

    #[test]
    fn kinds() {
        assert_eq!(similarity("GARCIA", "GARCIA"), 1.0);
        assert_eq!(similarity("GONZALEZ", "GONSALES"), 0.95);
        assert!(similarity("MARTINEZ", "MARTINES") >= 0.9);
        assert!(similarity("FERNANDEZ", "FERNADEZ") > 0.85);
        assert!(similarity("RODRIGUEZ", "RODRIGUZE") > 0.85);
        assert_eq!(similarity("J", "JOSE"), 0.8);
        assert_eq!(similarity("J", "MARIA"), 0.0);
        // truncated MRZ name and concatenated surnames
        assert!(similarity("HERNANDEZGONZA", "HERNANDEZ") >= 0.86);
        assert!(similarity("CARVAJALVELASCO", "CARVAJAL") >= 0.86);
        assert!(similarity("LOPEZ", "PEREZ") < 0.7);
        assert!(similarity("ANA", "EVA") < 0.7);
        assert!(similarity("MARIA", "MARIO") < 0.85);
    }
}
