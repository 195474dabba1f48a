//! Name normalisation: Unicode folding, ICAO transliteration artefacts, OCR
//! digit confusions, punctuation, and Spanish/Portuguese particles.
//!
//! Every name is reduced to upper-case ASCII letters `A`–`Z` split into
//! tokens. Particles (`de`, `del`, `de la`, `de los` …) are not tokens of
//! their own: they are kept beside the token they introduce, so that
//! "de la Cruz", "Cruz" and "Delacruz" can all be compared.

use std::borrow::Cow;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Transliterates a name to upper-case Latin letters, digits and spaces, the
/// way an ICAO 9303 MRZ writes it (Ñ→N, Ü→UE, ß→SS, Ø→OE …, Cyrillic per
/// Doc 9303 Part 3): [`centinela_mrz::translit::to_mrz`] after NFKC (so that
/// full-width and decomposed letters are seen), with fillers as spaces.
pub fn transliterate(s: &str) -> String {
    // Most names are already in NFKC (the quick check says so without
    // building a copy).
    let composed: Cow<str> =
        if is_nfkc_quick(s.chars()) == IsNormalized::Yes { Cow::Borrowed(s) } else { Cow::Owned(s.nfkc().collect()) };
    centinela_mrz::translit::to_mrz(&composed).replace('<', " ")
}

/// Folds a name to upper-case `A`–`Z` words separated by single spaces.
/// Digits are OCR confusions of letters (0→O, 1→I, 5→S, 8→B, 2→Z, 6→G);
/// the ICAO `XX` marker of `NXX`/`UXX`/`AXX`/`OXX` is dropped (no Spanish
/// or Portuguese name has a double X). Idempotent.
pub fn fold(s: &str) -> String {
    let t = transliterate(s);
    let mut out = String::with_capacity(t.len());
    for word in t.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        let mut w: String = word
            .chars()
            .map(|c| match c {
                '0' => 'O',
                '1' => 'I',
                '2' => 'Z',
                '3' => 'E',
                '4' => 'A',
                '5' => 'S',
                '6' => 'G',
                '7' => 'T',
                '8' => 'B',
                '9' => 'G',
                c => c,
            })
            .collect();
        while let Some(i) = w.find("XX") {
            w.replace_range(i..i + 2, "");
        }
        if w.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w);
    }
    out
}

/// One name token after normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameToken {
    /// The token, upper-case `A`–`Z`.
    pub text: String,
    /// The particles that stood before it, joined (`DELA` for "de la"),
    /// empty when none.
    pub particle: String,
}

impl NameToken {
    /// The particle and the token written as one word (`DELACRUZ`), if the
    /// token had a particle.
    pub fn joined(&self) -> Option<String> {
        if self.particle.is_empty() { None } else { Some(format!("{}{}", self.particle, self.text)) }
    }
}

fn is_lead_particle(w: &str) -> bool {
    matches!(w, "DE" | "DEL" | "DA" | "DAS" | "DO" | "DOS" | "DI" | "DU" | "VAN" | "VON" | "DER" | "DEN" | "DELLA")
}

fn is_follow_particle(w: &str) -> bool {
    matches!(w, "LA" | "LAS" | "LOS" | "LO" | "LE" | "LES" | "DER" | "DEN" | "DE")
}

/// Splits a name into tokens, attaching particles to the token they
/// introduce and dropping the conjunction `y` between two names
/// ("Ortega y Gasset"). A particle with nothing after it stays a token.
pub fn tokenize(s: &str) -> Vec<NameToken> {
    let folded = fold(s);
    let words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::with_capacity(words.len());
    let mut pending = String::new();
    for (i, w) in words.iter().enumerate() {
        let has_next = i + 1 < words.len();
        if has_next && (is_lead_particle(w) || (!pending.is_empty() && is_follow_particle(w))) {
            pending.push_str(w);
            continue;
        }
        if *w == "Y" && has_next && i > 0 && pending.is_empty() {
            continue;
        }
        out.push(NameToken { text: (*w).to_string(), particle: std::mem::take(&mut pending) });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        assert_eq!(fold("  José-María  Ñúñez "), "JOSE MARIA NUNEZ");
        assert_eq!(fold("MUNXXOZ"), "MUNOZ");
        assert_eq!(fold("BRUXXN"), "BRUN");
        assert_eq!(fold("O'Brien"), "OBRIEN");
        assert_eq!(fold("GARC1A L0PEZ"), "GARCIA LOPEZ");
        assert_eq!(fold("5ANCHEZ 8ARRIOS"), "SANCHEZ BARRIOS");
        assert_eq!(fold("Straße Øster Æbel Müller"), "STRASSE OESTER AEBEL MUELLER");
        assert_eq!(fold("HERNANDEZ<<JUAN<CARLOS"), "HERNANDEZ JUAN CARLOS");
        assert_eq!(fold("Иван"), "IVAN");
        assert_eq!(fold("李"), "");
        assert_eq!(fold("ＪＵＡＮ"), "JUAN");
    }

    #[test]
    fn particles() {
        let t = tokenize("de la Cruz");
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].text, "CRUZ");
        assert_eq!(t[0].joined().as_deref(), Some("DELACRUZ"));
        let t = tokenize("Ortega y Gasset");
        assert_eq!(t.iter().map(|t| t.text.as_str()).collect::<Vec<_>>(), ["ORTEGA", "GASSET"]);
        let t = tokenize("María de los Ángeles");
        assert_eq!(t[1].text, "ANGELES");
        assert_eq!(t[1].particle, "DELOS");
        let t = tokenize("Pérez del Valle");
        assert_eq!(t[1].particle, "DEL");
        // a particle with nothing after it is a name
        assert_eq!(tokenize("De").len(), 1);
        assert_eq!(tokenize("Y").len(), 1);
    }
}
