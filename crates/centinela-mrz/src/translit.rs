//! Transliteration of names into MRZ characters (ICAO Doc 9303 Part 3, §6
//! "Transliterations recommended for use by States") and the reverse view a
//! name matcher needs: which spellings an MRZ name may stand for.
//!
//! The MRZ alphabet is `A–Z`, `0–9` and the filler `<`. Doc 9303 asks issuers
//! to write national characters in the visual zone as they are and to
//! transliterate them in the MRZ: `Ñ → N`, `Ü → UE`, `Ä → AE`, `Ö → OE`,
//! `Å → AA`, `Æ → AE`, `Ø → OE`, `ß → SS`, `Þ → TH`; other diacritics are
//! dropped. Some issuers use the alternative "XX" forms (`NXX`, `UXX`, `AXX`,
//! `OXX`) so that the original letter can be restored; [`from_mrz_variants`]
//! lists every reading a matcher should consider.
//!
//! Punctuation (Doc 9303 Part 3 §4.6): spaces and hyphens become a filler
//! `<`; apostrophes and other punctuation are omitted; a comma separating the
//! primary from the secondary identifier becomes `<<`.

/// Transliterates a name (any case, accents, Latin or Cyrillic script) into
/// MRZ characters. Spaces and hyphens become `<` (runs collapse to one),
/// a comma becomes `<<`, apostrophes and other punctuation vanish, digits are
/// kept, and leading/trailing fillers are trimmed. Characters with no
/// recommended transliteration are dropped.
///
/// ```
/// use centinela_mrz::translit::to_mrz;
/// assert_eq!(to_mrz("Ibáñez Müller"), "IBANEZ<MUELLER");
/// assert_eq!(to_mrz("O'Brien-Smith"), "OBRIEN<SMITH");
/// assert_eq!(to_mrz("Ørsted, Søren"), "OERSTED<<SOEREN");
/// ```
pub fn to_mrz(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    // Pending separator: 0 none, 1 `<`, 2 `<<`.
    let mut pending: u8 = 0;
    for c in name.chars() {
        match c {
            ' ' | '\t' | '-' | '‐' | '‑' | '‒' | '–' | '—' | '<' | '_' | '.' | '/' => {
                pending = pending.max(1);
                continue;
            }
            ',' => {
                pending = 2;
                continue;
            }
            _ => {}
        }
        let mut buf = [0u8; 8];
        let piece = map_char(c, &mut buf);
        if piece.is_empty() {
            continue;
        }
        if !out.is_empty() {
            for _ in 0..pending {
                out.push('<');
            }
        }
        pending = 0;
        out.push_str(piece);
    }
    out
}

/// Maps one character to its MRZ transliteration (possibly empty).
fn map_char(c: char, buf: &mut [u8; 8]) -> &str {
    if c.is_ascii_alphanumeric() {
        let u = c.to_ascii_uppercase();
        return u.encode_utf8(buf);
    }
    let s: &'static str =
        match c {
            // Latin-1 and Latin Extended-A, per Doc 9303 Part 3 §6 table A.
            'À' | 'Á' | 'Â' | 'Ã' | 'à' | 'á' | 'â' | 'ã' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => "A",
            'Ä' | 'ä' => "AE",
            'Å' | 'å' => "AA",
            'Æ' | 'æ' => "AE",
            'Ç' | 'ç' | 'Ć' | 'ć' | 'Ĉ' | 'ĉ' | 'Ċ' | 'ċ' | 'Č' | 'č' => "C",
            'Ð' | 'ð' | 'Ď' | 'ď' | 'Đ' | 'đ' => "D",
            'È' | 'É' | 'Ê' | 'Ë' | 'è' | 'é' | 'ê' | 'ë' | 'Ē' | 'ē' | 'Ĕ' | 'ĕ' | 'Ė' | 'ė' | 'Ę' | 'ę' | 'Ě'
            | 'ě' => "E",
            'Ĝ' | 'ĝ' | 'Ğ' | 'ğ' | 'Ġ' | 'ġ' | 'Ģ' | 'ģ' => "G",
            'Ĥ' | 'ĥ' | 'Ħ' | 'ħ' => "H",
            'Ì' | 'Í' | 'Î' | 'Ï' | 'ì' | 'í' | 'î' | 'ï' | 'Ĩ' | 'ĩ' | 'Ī' | 'ī' | 'Ĭ' | 'ĭ' | 'Į' | 'į' | 'İ'
            | 'ı' => "I",
            'Ĳ' | 'ĳ' => "IJ",
            'Ĵ' | 'ĵ' => "J",
            'Ķ' | 'ķ' | 'ĸ' => "K",
            'Ĺ' | 'ĺ' | 'Ļ' | 'ļ' | 'Ľ' | 'ľ' | 'Ŀ' | 'ŀ' | 'Ł' | 'ł' => "L",
            'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ņ' | 'ņ' | 'Ň' | 'ň' | 'ŉ' | 'Ŋ' | 'ŋ' => "N",
            'Ò' | 'Ó' | 'Ô' | 'Õ' | 'ò' | 'ó' | 'ô' | 'õ' | 'Ō' | 'ō' | 'Ŏ' | 'ŏ' | 'Ő' | 'ő' => "O",
            'Ö' | 'ö' | 'Ø' | 'ø' | 'Œ' | 'œ' => "OE",
            'Ŕ' | 'ŕ' | 'Ŗ' | 'ŗ' | 'Ř' | 'ř' => "R",
            'Ś' | 'ś' | 'Ŝ' | 'ŝ' | 'Ş' | 'ş' | 'Š' | 'š' | 'Ș' | 'ș' => "S",
            'ß' | 'ẞ' => "SS",
            'Ţ' | 'ţ' | 'Ť' | 'ť' | 'Ŧ' | 'ŧ' | 'Ț' | 'ț' => "T",
            'Þ' | 'þ' => "TH",
            'Ù' | 'Ú' | 'Û' | 'ù' | 'ú' | 'û' | 'Ũ' | 'ũ' | 'Ū' | 'ū' | 'Ŭ' | 'ŭ' | 'Ů' | 'ů' | 'Ű' | 'ű' | 'Ų'
            | 'ų' => "U",
            'Ü' | 'ü' => "UE",
            'Ŵ' | 'ŵ' => "W",
            'Ý' | 'ý' | 'ÿ' | 'Ÿ' | 'Ŷ' | 'ŷ' => "Y",
            'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => "Z",
            // Cyrillic, per Doc 9303 Part 3 §6 table B.
            'А' | 'а' => "A",
            'Б' | 'б' => "B",
            'В' | 'в' => "V",
            'Г' | 'г' | 'Ґ' | 'ґ' | 'Ѓ' | 'ѓ' => "G",
            'Д' | 'д' => "D",
            'Е' | 'е' | 'Ё' | 'ё' | 'Э' | 'э' => "E",
            'Ђ' | 'ђ' => "D",
            'Є' | 'є' => "IE",
            'Ж' | 'ж' => "ZH",
            'З' | 'з' => "Z",
            'Ѕ' | 'ѕ' => "DZ",
            'И' | 'и' | 'Й' | 'й' | 'І' | 'і' | 'Ї' | 'ї' => "I",
            'Ј' | 'ј' => "J",
            'К' | 'к' | 'Ќ' | 'ќ' => "K",
            'Л' | 'л' => "L",
            'Љ' | 'љ' => "LJ",
            'М' | 'м' => "M",
            'Н' | 'н' => "N",
            'Њ' | 'њ' => "NJ",
            'О' | 'о' => "O",
            'П' | 'п' => "P",
            'Р' | 'р' => "R",
            'С' | 'с' => "S",
            'Т' | 'т' => "T",
            'Ћ' | 'ћ' => "C",
            'У' | 'у' | 'Ў' | 'ў' => "U",
            'Ф' | 'ф' => "F",
            'Х' | 'х' => "KH",
            'Ц' | 'ц' => "TS",
            'Ч' | 'ч' => "CH",
            'Џ' | 'џ' => "DZ",
            'Ш' | 'ш' => "SH",
            'Щ' | 'щ' => "SHCH",
            'Ъ' | 'ъ' => "IE",
            'Ы' | 'ы' => "Y",
            'Ю' | 'ю' => "IU",
            'Я' | 'я' => "IA",
            // Soft sign, apostrophes, other punctuation and unknown scripts: omitted.
            _ => "",
        };
    s
}

/// The spellings an MRZ name may stand for, for a name matcher.
///
/// Input is a name as it appears in an MRZ (or already transliterated), with
/// `<` or spaces between parts. Output: distinct upper-case readings with
/// parts separated by single spaces, the plain reading first (XX forms
/// resolved to their base letter, e.g. `NXX → N`), then alternatives:
/// `NXX ↔ Ñ / N`, `UXX ↔ Ü / UE / U`, `AXX ↔ Ä / AE / A` (and `Å / AA`),
/// `OXX ↔ Ö / OE / O` (and `Ø`), `UE → Ü / U`, `AE → Ä / A`, `OE → Ö / O`,
/// `AA → Å / A`, `SS → ß`. At most `limit` readings are returned
/// (combinations are explored left to right, most likely first).
///
/// ```
/// use centinela_mrz::translit::from_mrz_variants;
/// let v = from_mrz_variants("IBANXXEZ", 8);
/// assert_eq!(v[0], "IBANEZ");
/// assert!(v.contains(&"IBAÑEZ".to_string()));
/// let v = from_mrz_variants("MUELLER", 8);
/// assert!(v.contains(&"MULLER".to_string()) && v.contains(&"MÜLLER".to_string()));
/// ```
pub fn from_mrz_variants(mrz_name: &str, limit: usize) -> Vec<String> {
    let segs = segments(mrz_name);
    let mut out: Vec<String> = Vec::new();
    if limit == 0 {
        return out;
    }
    // Odometer over the choices of every segment; index 0 everywhere = plain reading.
    let mut idx = vec![0usize; segs.len()];
    let mut s = String::new();
    loop {
        s.clear();
        for (seg, &i) in segs.iter().zip(&idx) {
            s.push_str(seg[i]);
        }
        let t = s.trim().to_string();
        if !out.contains(&t) {
            out.push(t);
            if out.len() >= limit {
                break;
            }
        }
        // Advance the odometer (leftmost first).
        let mut k = 0;
        loop {
            if k == idx.len() {
                return out;
            }
            idx[k] += 1;
            if idx[k] < segs[k].len() {
                break;
            }
            idx[k] = 0;
            k += 1;
        }
    }
    out
}

/// Splits an MRZ name into segments, each with its alternative readings.
fn segments(mrz_name: &str) -> Vec<&'static [&'static str]> {
    const XX_N: &[&str] = &["N", "Ñ"];
    const XX_U: &[&str] = &["U", "Ü", "UE"];
    const XX_A: &[&str] = &["A", "Ä", "AE", "Å", "AA"];
    const XX_O: &[&str] = &["O", "Ö", "OE", "Ø"];
    const UE: &[&str] = &["UE", "Ü", "U"];
    const AE: &[&str] = &["AE", "Ä", "Æ", "A"];
    const OE: &[&str] = &["OE", "Ö", "Ø", "O"];
    const AA: &[&str] = &["AA", "Å", "A"];
    const SS: &[&str] = &["SS", "ß"];
    const TH: &[&str] = &["TH", "Þ"];
    const SPACE: &[&str] = &[" "];
    const LETTERS: [&[&str]; 36] = [
        &["A"],
        &["B"],
        &["C"],
        &["D"],
        &["E"],
        &["F"],
        &["G"],
        &["H"],
        &["I"],
        &["J"],
        &["K"],
        &["L"],
        &["M"],
        &["N"],
        &["O"],
        &["P"],
        &["Q"],
        &["R"],
        &["S"],
        &["T"],
        &["U"],
        &["V"],
        &["W"],
        &["X"],
        &["Y"],
        &["Z"],
        &["0"],
        &["1"],
        &["2"],
        &["3"],
        &["4"],
        &["5"],
        &["6"],
        &["7"],
        &["8"],
        &["9"],
    ];
    let b: Vec<u8> = to_mrz(mrz_name).into_bytes();
    let mut segs: Vec<&'static [&'static str]> = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        let xx = next == Some(b'X') && b.get(i + 2) == Some(&b'X');
        let (seg, len): (&'static [&'static str], usize) = match (c, next) {
            (b'N', _) if xx => (XX_N, 3),
            (b'U', _) if xx => (XX_U, 3),
            (b'A', _) if xx => (XX_A, 3),
            (b'O', _) if xx => (XX_O, 3),
            (b'U', Some(b'E')) => (UE, 2),
            (b'A', Some(b'E')) => (AE, 2),
            (b'O', Some(b'E')) => (OE, 2),
            (b'A', Some(b'A')) => (AA, 2),
            (b'S', Some(b'S')) => (SS, 2),
            (b'T', Some(b'H')) => (TH, 2),
            (b'<', _) => (SPACE, 1),
            (b'A'..=b'Z', _) => (LETTERS[(c - b'A') as usize], 1),
            (b'0'..=b'9', _) => (LETTERS[26 + (c - b'0') as usize], 1),
            _ => (SPACE, 1),
        };
        // Collapse runs of separators.
        if !(seg == SPACE && segs.last() == Some(&SPACE)) {
            segs.push(seg);
        }
        i += len;
    }
    segs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc9303_latin_examples() {
        assert_eq!(to_mrz("Ñ"), "N");
        assert_eq!(to_mrz("Ü"), "UE");
        assert_eq!(to_mrz("Ä"), "AE");
        assert_eq!(to_mrz("Ö"), "OE");
        assert_eq!(to_mrz("Å"), "AA");
        assert_eq!(to_mrz("Æ"), "AE");
        assert_eq!(to_mrz("Ø"), "OE");
        assert_eq!(to_mrz("ß"), "SS");
        assert_eq!(to_mrz("Þ"), "TH");
        assert_eq!(to_mrz("José María Pérez-Núñez"), "JOSE<MARIA<PEREZ<NUNEZ");
        assert_eq!(to_mrz("  anna   maria  "), "ANNA<MARIA");
        assert_eq!(to_mrz("D'Artagnan"), "DARTAGNAN");
        assert_eq!(to_mrz("Eriksson, Anna María"), "ERIKSSON<<ANNA<MARIA");
        assert_eq!(to_mrz("Горбачёв"), "GORBACHEV");
        assert_eq!(to_mrz("Щукин"), "SHCHUKIN");
        assert_eq!(to_mrz(""), "");
        assert_eq!(to_mrz("---"), "");
        assert_eq!(to_mrz("李"), "");
    }

    #[test]
    fn output_alphabet() {
        for s in ["Ǆ ǅ ﬁ 𝔄 ü\u{308}", "a\u{301}b", "Ⅻ", "<<<A<<"] {
            assert!(to_mrz(s).bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<'), "{s}");
        }
    }

    #[test]
    fn variants() {
        let v = from_mrz_variants("MUXXLLER<<HANS", 10);
        assert_eq!(v[0], "MULLER HANS");
        assert!(v.contains(&"MÜLLER HANS".to_string()));
        assert!(v.contains(&"MUELLER HANS".to_string()));
        let v = from_mrz_variants("NUNXXEZ", 10);
        assert_eq!(v, vec!["NUNEZ".to_string(), "NUÑEZ".to_string()]);
        assert_eq!(from_mrz_variants("SMITH", 1), vec!["SMITH".to_string()]);
        assert!(from_mrz_variants("SMITH", 0).is_empty());
        assert_eq!(from_mrz_variants("AEAEAEAEAEAEAEAEAEAEAEAEAEAE", 5).len(), 5);
    }
}
