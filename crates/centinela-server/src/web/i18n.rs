//! The catalogues: one `key = text` file per language, embedded. Spanish is
//! the default; a test checks that both have the same keys and that every
//! key a template or handler uses exists.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Es,
    En,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Es, Lang::En];

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "es" => Some(Lang::Es),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Es => Lang::En,
            Lang::En => Lang::Es,
        }
    }

    pub(crate) fn source(self) -> &'static str {
        match self {
            Lang::Es => include_str!("../../web/i18n/es.txt"),
            Lang::En => include_str!("../../web/i18n/en.txt"),
        }
    }
}

/// Parses a catalogue: `key = text` per line; `#` comments and blank lines
/// ignored.
pub(crate) fn parse(src: &'static str) -> HashMap<&'static str, &'static str> {
    src.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" = ").map(|(k, v)| (k.trim(), v.trim())))
        .collect()
}

fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static ES: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    match lang {
        Lang::Es => ES.get_or_init(|| parse(Lang::Es.source())),
        Lang::En => EN.get_or_init(|| parse(Lang::En.source())),
    }
}

/// The text of `key`; the key itself when missing (a test keeps that from
/// happening).
pub fn tr(lang: Lang, key: &str) -> &'static str {
    match catalogue(lang).get(key) {
        Some(v) => v,
        None => {
            tracing::warn!(key, "missing translation");
            catalogue(lang).get("error.missing_text").copied().unwrap_or("?")
        }
    }
}

/// The text of `key`, or `fallback` when the catalogue has none.
pub fn tr_or<'a>(lang: Lang, key: &str, fallback: &'a str) -> &'a str {
    catalogue(lang).get(key).copied().unwrap_or(fallback)
}

/// Whether the catalogue has `key`.
#[cfg(test)]
pub fn has(lang: Lang, key: &str) -> bool {
    catalogue(lang).contains_key(key)
}

/// One phrase of text other crates write in English (the screener's "why
/// it matches", the analyses' evidence, the rule checker's messages): the
/// English pattern, `{}` for each value it carries, and the pattern of
/// `lang` with the values in the same order.
struct Phrase {
    english: regex::Regex,
    target: &'static str,
}

/// The phrases of `lang`: every `phrase.*` key, its English text (the
/// English catalogue) made a pattern, longest first so that a sentence is
/// translated before the words in it.
fn phrases(lang: Lang) -> &'static [Phrase] {
    static ES: OnceLock<Vec<Phrase>> = OnceLock::new();
    static EN: OnceLock<Vec<Phrase>> = OnceLock::new();
    let build = |lang: Lang| {
        let en = catalogue(Lang::En);
        let mut keys: Vec<(&str, &str)> =
            en.iter().filter(|(k, _)| k.starts_with("phrase.")).map(|(k, v)| (*k, *v)).collect();
        keys.sort_by_key(|(k, v)| (std::cmp::Reverse(v.replace("{}", "").len()), *k));
        keys.into_iter()
            .filter_map(|(key, english)| {
                let target = catalogue(lang).get(key).copied()?;
                let pieces: Vec<String> = english.split("{}").map(regex::escape).collect();
                let last = pieces.len() - 1;
                let mut re = String::new();
                if english.starts_with(|c: char| c.is_alphanumeric()) {
                    re.push_str(r"\b");
                }
                for (i, p) in pieces.iter().enumerate() {
                    re.push_str(p);
                    if i < last {
                        // A value runs to the next piece of the phrase; the
                        // last one, when it ends the phrase, to the end.
                        re.push_str(if i + 1 == last && pieces[last].is_empty() { "(.+)" } else { "(.+?)" });
                    }
                }
                if english.ends_with(|c: char| c.is_alphanumeric()) {
                    re.push_str(r"\b");
                }
                match regex::Regex::new(&re) {
                    Ok(english) => Some(Phrase { english, target }),
                    Err(e) => {
                        tracing::error!(key, error = %e, "a phrase does not make a pattern");
                        None
                    }
                }
            })
            .collect::<Vec<_>>()
    };
    match lang {
        Lang::Es => ES.get_or_init(|| build(Lang::Es)),
        Lang::En => EN.get_or_init(|| build(Lang::En)),
    }
}

/// `text` as written by another crate in English, in `lang`: each known
/// phrase replaced by its translation, the values it carries kept (and
/// translated in turn: a link kind inside a sentence). Text with no known
/// phrase stays as it is.
pub fn phrase(lang: Lang, text: &str) -> String {
    translate(lang, text, 2)
}

fn translate(lang: Lang, text: &str, depth: u8) -> String {
    if lang == Lang::En || text.is_empty() {
        return text.to_string();
    }
    let mut out = text.to_string();
    for p in phrases(lang) {
        if !p.english.is_match(&out) {
            continue;
        }
        out =
            p.english
                .replace_all(&out, |c: &regex::Captures| {
                    let mut values = c.iter().skip(1).flatten().map(|m| {
                        if depth > 0 { translate(lang, m.as_str(), depth - 1) } else { m.as_str().to_string() }
                    });
                    let mut s = String::new();
                    let mut parts = p.target.split("{}").peekable();
                    while let Some(part) = parts.next() {
                        s.push_str(part);
                        if parts.peek().is_some() {
                            s.push_str(&values.next().unwrap_or_default());
                        }
                    }
                    s
                })
                .into_owned();
    }
    out
}

/// How many phrases of `lang` made a pattern.
#[cfg(test)]
pub fn phrase_count(lang: Lang) -> usize {
    phrases(lang).len()
}
