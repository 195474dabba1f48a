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

/// Edit costs in tenths, so that the distance runs on small integers.
const SUB_PHONETIC: u8 = 3;
const SUB_PHONETIC_WEAK: u8 = 4;
const SUB_VISUAL: u8 = 5;
const TRANSPOSE: u16 = 6;

const fn idx(c: u8) -> usize {
    if c.is_ascii_uppercase() { (c - b'A') as usize } else { 26 }
}

const fn build_sub() -> [[u8; 27]; 27] {
    let mut t = [[10u8; 27]; 27];
    let mut i = 0;
    while i < 27 {
        t[i][i] = 0;
        i += 1;
    }
    // (pair, cost): Spanish phonetic equivalences, then OCR / visual confusions.
    let pairs: [(u8, u8, u8); 19] = [
        (b'B', b'V', SUB_PHONETIC),
        (b'S', b'Z', SUB_PHONETIC),
        (b'C', b'S', SUB_PHONETIC),
        (b'C', b'Z', SUB_PHONETIC),
        (b'C', b'K', SUB_PHONETIC),
        (b'K', b'Q', SUB_PHONETIC),
        (b'C', b'Q', SUB_PHONETIC),
        (b'I', b'Y', SUB_PHONETIC_WEAK),
        (b'G', b'J', SUB_PHONETIC_WEAK),
        (b'J', b'X', SUB_PHONETIC_WEAK),
        (b'S', b'X', SUB_PHONETIC_WEAK),
        (b'L', b'Y', SUB_PHONETIC_WEAK),
        (b'I', b'L', SUB_VISUAL),
        (b'O', b'Q', SUB_VISUAL),
        (b'U', b'V', SUB_VISUAL),
        (b'M', b'N', SUB_VISUAL),
        (b'E', b'F', SUB_VISUAL),
        (b'C', b'G', SUB_VISUAL),
        (b'O', b'D', SUB_VISUAL),
    ];
    let mut k = 0;
    while k < pairs.len() {
        let (x, y, c) = pairs[k];
        t[idx(x)][idx(y)] = c;
        t[idx(y)][idx(x)] = c;
        k += 1;
    }
    t
}

static SUB: [[u8; 27]; 27] = build_sub();

/// Cost (tenths) of inserting or deleting `c` after `prev` (0 at the start).
#[inline]
fn indel_cost(prev: u8, c: u8) -> u16 {
    match (prev, c) {
        // silent H
        (_, b'H') => 3,
        // ICAO Ü→UE, Ä→AE, Ö→OE against accent-stripped spellings
        (b'U' | b'A' | b'O', b'E') => 3,
        _ => 10,
    }
}

const MAXLEN: usize = 40;

/// Similarities below this are not told apart (they do not align).
pub const FLOOR: f32 = 0.7;

/// Weighted Damerau–Levenshtein (optimal string alignment) distance, on
/// three rolling rows (no allocation). Substitutions cost 0.3 between
/// letters Spanish pronounces alike, 0.5 between letters OCR confuses, 1
/// otherwise; inserting a silent H or the E of an ICAO UE/AE/OE costs 0.3;
/// an adjacent transposition 0.6.
pub fn weighted_distance(a: &[u8], b: &[u8]) -> f32 {
    bounded_distance(a, b, f32::INFINITY)
}

/// [`weighted_distance`], giving up (returning a value above `max`) as soon
/// as every path costs more than `max`.
pub fn bounded_distance(a: &[u8], b: &[u8], max: f32) -> f32 {
    let a = &a[..a.len().min(MAXLEN)];
    let b = &b[..b.len().min(MAXLEN)];
    let m = b.len();
    let max10 = if max.is_finite() { (max * 10.0).floor().max(0.0) as u16 } else { u16::MAX };
    // Every insertion or deletion costs at least 0.3, and only they change
    // the length.
    let gap = 3 * a.len().abs_diff(m) as u16;
    if gap > max10 {
        return (gap as f32 / 10.0).max(max + 0.1);
    }
    let mut ib = [0u16; MAXLEN + 1];
    let mut bx = [26usize; MAXLEN + 1];
    for j in 1..=m {
        ib[j] = indel_cost(if j >= 2 { b[j - 2] } else { 0 }, b[j - 1]);
        bx[j] = idx(b[j - 1]);
    }
    let mut rows = [[0u16; MAXLEN + 1]; 3];
    let [r2, r1, r0] = &mut rows;
    // Rows i-2, i-1 and i; rotated by their references, not their contents.
    let (mut r2, mut r1, mut r0) = (r2, r1, r0);
    for j in 1..=m {
        r1[j] = r1[j - 1] + ib[j];
    }
    for i in 1..=a.len() {
        let ca = a[i - 1];
        let sub_row = &SUB[idx(ca)];
        let del = indel_cost(if i >= 2 { a[i - 2] } else { 0 }, ca);
        r0[0] = r1[0] + del;
        let mut lo = r0[0];
        for j in 1..=m {
            let mut v = (r1[j - 1] + sub_row[bx[j]] as u16).min(r1[j] + del).min(r0[j - 1] + ib[j]);
            if i > 1 && j > 1 && ca == b[j - 2] && a[i - 2] == b[j - 1] && ca != b[j - 1] {
                v = v.min(r2[j - 2] + TRANSPOSE);
            }
            r0[j] = v;
            lo = lo.min(v);
        }
        // A transposition may jump from row i-1 over row i: stop only when
        // both rows are past the bound.
        if lo > max10 && r1[..=m].iter().all(|&x| x > max10) {
            return (lo as f32 / 10.0).max(max + 0.1);
        }
        (r2, r1, r0) = (r1, r0, r2);
    }
    r1[m] as f32 / 10.0
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
    // Only similarities of at least FLOOR matter: bound the distances.
    let maxc = ca.len().max(cb.len()).max(1) as f32;
    let dc = bounded_distance(ca, cb, (0.97 - FLOOR) * maxc + 1e-3);
    let s_code = 1.0 - dc / maxc - 0.03;
    let need = s_code.max(FLOOR);
    let d = bounded_distance(a, b, (1.0 - need) * maxl + 1e-3);
    let s_text = 1.0 - d / maxl;
    let s = s_text.max(s_code);
    // Below the floor the bounded distances are not exact: report no match.
    let s = if s < FLOOR { 0.0 } else { s };
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
    use proptest::prelude::*;

    #[test]
    fn weighted_costs() {
        assert_eq!(weighted_distance(b"PEREZ", b"PEREZ"), 0.0);
        assert!((weighted_distance(b"BARGAS", b"VARGAS") - 0.3).abs() < 1e-6);
        assert!((weighted_distance(b"GARCIA", b"GRACIA") - 0.6).abs() < 1e-6);
        assert!((weighted_distance(b"HUGO", b"UGO") - 0.3).abs() < 1e-6);
        assert!((weighted_distance(b"LOPEZ", b"LOPEX") - 1.0).abs() < 1e-6);
        assert!((weighted_distance(b"", b"ABC") - 3.0).abs() < 1e-6);
        assert!((weighted_distance(b"MUELLER", b"MULLER") - 0.3).abs() < 1e-6);
        assert!(bounded_distance(b"ABCDEFGH", b"ZYXWVUTS", 2.0) > 2.0);
        assert!((bounded_distance(b"GARCIA", b"GRACIA", 1.0) - 0.6).abs() < 1e-6);
    }

    /// Latin-American-ish spellings: common letters, the silent H, doubled
    /// letters and the confusable pairs, short and long.
    fn spelling() -> impl Strategy<Value = String> {
        proptest::string::string_regex(
            "[AEIOUBVSZCKQGJXLYHRNMTDPF]{0,14}|(GONZ|HERN|ANDEZ|RODR|IGUEZ|MUE|LL|RR|QU|CH|H|Y|X|Z|S|C){0,6}",
        )
        .expect("a valid pattern")
    }

    /// A spelling and another a few edits away (silent H and E inserted,
    /// letters deleted, changed, swapped), or an unrelated one.
    fn pair() -> impl Strategy<Value = (String, String)> {
        let edit = (0u8..5, any::<prop::sample::Index>(), prop::sample::select(b"HEAVSZYOQ".to_vec()));
        prop_oneof![
            (spelling(), spelling()),
            (spelling(), prop::collection::vec(edit, 0..6)).prop_map(|(a, edits)| {
                let mut b = a.clone().into_bytes();
                for (op, at, c) in edits {
                    let i = at.index(b.len() + 1);
                    match op {
                        0 | 1 => b.insert(i, if op == 0 { b'H' } else { c }),
                        2 if i < b.len() => drop(b.remove(i)),
                        3 if i < b.len() => b[i] = c,
                        4 if i + 1 < b.len() => b.swap(i, i + 1),
                        _ => {}
                    }
                }
                (a, String::from_utf8(b).expect("ASCII"))
            }),
        ]
    }

    proptest! {
        /// The bounded distance is the distance whenever that is at most
        /// the bound, and above the bound otherwise.
        #[test]
        fn bounded_is_exact_within_the_bound((a, b) in pair(), tenths in 0u16..40) {
            // Halfway between two tenths: no rounding question at the bound.
            let max = tenths as f32 / 10.0 + 0.05;
            let d = weighted_distance(a.as_bytes(), b.as_bytes());
            let bd = bounded_distance(a.as_bytes(), b.as_bytes(), max);
            if d <= max {
                prop_assert_eq!(bd.to_bits(), d.to_bits());
            } else {
                prop_assert!(bd > max, "{} {} max {} d {} bounded {}", a, b, max, d, bd);
            }
        }
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
