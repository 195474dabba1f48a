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
