//! Risk profiles: a small rule language an analyst writes over the facts
//! of one inspection, compiled once and evaluated for every traveller; the
//! built-in catalogue of `INDICATORS.md`; and back-testing a rule set over
//! stored crossings. No I/O.
//!
//! ```text
//! rule T2 "Unaccompanied minor" {
//!   category possible_victim
//!   action refer_to_protection
//!   weight 0.9
//!   source "UNODC indicators for children; Frontex VEGA handbook"
//!   when traveller.minor and party.adults == 0
//!   reason "minor aged {traveller.age} travelling without an adult"
//! }
//! ```
//!
//! The grammar is in [`syntax`]; the facts in [`facts`]. Conditions use
//! three-valued logic: a fact the caller does not know is unknown, `and`
//! and `or` follow Kleene (`false and unknown` is false, `true or unknown`
//! true), and a rule fires only when its condition is true. A rule never
//! decides: a firing suggests a next step and says why.
//!
//! Entry point for the pipeline: [`RuleSet::compile`] (or
//! [`RuleSet::builtin`]) once, then [`RuleSet::evaluate`] per traveller.

pub mod backtest;
mod check;
mod eval;
pub mod facts;
mod hint;
pub mod syntax;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use backtest::{BacktestInput, BacktestReport, RuleReport, backtest};
pub use facts::{
    Booking, Crossing, DEFAULT_DAYS, Document, FIELDS, Facts, Field, History, HistoryQuery, MAX_DAYS, NoHistory, Party,
    Traveller, Type,
};
pub use syntax::{Expr, Pos, RuleAst, parse_expr, parse_file};

use check::{Arena, Compiler};
use syntax::ItemValue;

/// The built-in catalogue's source text (one rule per row of
/// `INDICATORS.md`).
pub const CATALOGUE: &str = include_str!("catalogue.rules");

/// A parse or type error: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub struct RuleError {
    pub line: u32,
    pub column: u32,
    pub message: String,
    /// A suggestion for the analyst (may be empty).
    pub hint: String,
    /// The rule's id, when the error is inside a rule that has one.
    pub rule: Option<String>,
}

impl fmt::Display for RuleError {
    /// `LINE:COLUMN: message (hint)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)?;
        if !self.hint.is_empty() {
            write!(f, " ({})", self.hint)?;
        }
        Ok(())
    }
}

/// What a rule points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Smuggling,
    PossibleVictim,
    DocumentFraud,
    Network,
}

impl Category {
    pub const ALL: [Category; 4] =
        [Category::Smuggling, Category::PossibleVictim, Category::DocumentFraud, Category::Network];

    pub fn as_str(&self) -> &'static str {
        match self {
            Category::Smuggling => "smuggling",
            Category::PossibleVictim => "possible_victim",
            Category::DocumentFraud => "document_fraud",
            Category::Network => "network",
        }
    }
}

/// The next step a rule suggests (never "refuse": a person decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    SecondaryInspection,
    ReferToProtection,
}

impl Action {
    pub fn as_str(&self) -> &'static str {
        match self {
            Action::SecondaryInspection => "secondary_inspection",
            Action::ReferToProtection => "refer_to_protection",
        }
    }
}

/// A rule's metadata.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleMeta {
    /// Letters, digits and `_` (`T1`, `N5`, `gt_night_buses`).
    pub id: String,
    pub name: String,
    pub category: Category,
    /// 0 to 100; the pipeline may add the weights of a traveller's firings.
    pub weight: f64,
    pub action: Action,
    /// Where the indicator comes from, or why the analyst wrote it.
    pub source: String,
    pub version: i64,
    pub author: String,
    pub enabled: bool,
    /// The rule's text as written, from `rule` to its closing brace.
    pub text: String,
}

/// Rules text and where it comes from (a file name, `builtin`, a database
/// row), for error messages.
#[derive(Debug, Clone, Copy)]
pub struct RuleSource<'a> {
    pub origin: &'a str,
    pub text: &'a str,
}

/// A rule that fired for a traveller: which, what it points at, what it
/// suggests and why, in a sentence an officer reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Firing {
    pub rule_id: String,
    pub name: String,
    pub category: Category,
    pub weight: f64,
    pub action: Action,
    pub reason: String,
}

#[derive(Debug, Clone)]
enum Part {
    Text(String),
    Value(u32),
}

#[derive(Debug, Clone)]
struct Compiled {
    meta: RuleMeta,
    origin: String,
    root: u32,
    reason: Vec<Part>,
}

/// A compiled rule set. Cheap to share (`Sync`); evaluation allocates
/// nothing unless a rule fires.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Compiled>,
    arena: Arena,
}

/// Most rules in one set.
pub const MAX_RULES: usize = 10_000;

fn meta_err(pos: Pos, message: impl Into<String>, hint: impl Into<String>) -> RuleError {
    RuleError { line: pos.line, column: pos.column, message: message.into(), hint: hint.into(), rule: None }
}

impl RuleSet {
    /// Parses, type-checks and compiles every source. Every error of every
    /// rule is returned (each with its line, column and hint); a rule id
    /// defined twice is an error. Disabled rules are compiled (and so
    /// checked) but never fire.
    pub fn compile(sources: &[RuleSource<'_>]) -> Result<RuleSet, Vec<RuleError>> {
        let mut set = RuleSet::default();
        let mut errors = Vec::new();
        for src in sources {
            match parse_file(src.text) {
                Ok(asts) => {
                    for ast in asts {
                        if let Err(e) = set.add(&ast, src.origin) {
                            errors.push(RuleError { rule: Some(ast.id.clone()), ..e });
                        }
                    }
                }
                Err(es) => errors.extend(es),
            }
        }
        if set.rules.len() > MAX_RULES {
            errors.push(meta_err(Pos { line: 1, column: 1 }, format!("more than {MAX_RULES} rules"), "split the set"));
        }
        if errors.is_empty() { Ok(set) } else { Err(errors) }
    }

    /// The built-in catalogue (`INDICATORS.md` T1 … T10, N1 … N5).
    pub fn builtin() -> RuleSet {
        RuleSet::compile(&[RuleSource { origin: "builtin", text: CATALOGUE }])
            .unwrap_or_else(|e| panic!("the built-in catalogue does not compile: {e:?}"))
    }

    /// Adds one parsed rule (see [`RuleSet::compile`]).
    pub fn add(&mut self, ast: &RuleAst, origin: &str) -> Result<(), RuleError> {
        if !ast.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || ast.id.len() > 64 {
            return Err(meta_err(ast.pos, "a rule id is 1 to 64 letters, digits or _", "e.g. T1 or night_buses"));
        }
        if self.rules.iter().any(|r| r.meta.id == ast.id) {
            return Err(meta_err(ast.pos, format!("rule {} is defined twice", ast.id), "give each rule its own id"));
        }
        let mut meta = RuleMeta {
            id: ast.id.clone(),
            name: ast.name.clone(),
            category: Category::Smuggling,
            weight: 1.0,
            action: Action::SecondaryInspection,
            source: String::new(),
            version: 1,
            author: String::new(),
            enabled: true,
            text: ast.text.clone(),
        };
        let (mut category, mut action, mut when, mut reason) = (None, None, None, None);
        let mut seen: Vec<&str> = Vec::new();
        for (key, value, pos) in &ast.items {
            if seen.contains(&key.as_str()) {
                return Err(meta_err(*pos, format!("'{key}' is given twice"), "keep one"));
            }
            seen.push(key);
            match (key.as_str(), value) {
                ("category", ItemValue::Word(w)) => {
                    category = Some(Category::ALL.into_iter().find(|c| c.as_str() == w).ok_or_else(|| {
                        meta_err(
                            *pos,
                            format!("unknown category '{w}'"),
                            "one of smuggling, possible_victim, document_fraud, network",
                        )
                    })?)
                }
                ("action", ItemValue::Word(w)) => {
                    action = Some(
                        [Action::SecondaryInspection, Action::ReferToProtection]
                            .into_iter()
                            .find(|a| a.as_str() == w)
                            .ok_or_else(|| {
                                meta_err(
                                    *pos,
                                    format!("unknown action '{w}'"),
                                    "one of secondary_inspection, refer_to_protection (a rule never refuses)",
                                )
                            })?,
                    )
                }
                ("weight", ItemValue::Number(n)) => {
                    if !(0.0..=100.0).contains(n) {
                        return Err(meta_err(*pos, "a weight is between 0 and 100", "e.g. weight 0.5"));
                    }
                    meta.weight = *n;
                }
                ("version", ItemValue::Int(v)) => meta.version = *v,
                ("author", ItemValue::Str(s)) => meta.author = s.clone(),
                ("source", ItemValue::Str(s)) => meta.source = s.clone(),
                ("enabled", ItemValue::Bool(b)) => meta.enabled = *b,
                ("when", ItemValue::Expr(e)) => when = Some((e, *pos)),
                ("reason", ItemValue::Str(s)) => reason = Some((s, *pos)),
                _ => return Err(meta_err(*pos, format!("a bad value for '{key}'"), "see the rule language")),
            }
        }
        meta.category = category.ok_or_else(|| {
            meta_err(
                ast.pos,
                "the rule has no category",
                "add: category smuggling | possible_victim | document_fraud | network",
            )
        })?;
        meta.action = action.ok_or_else(|| {
            meta_err(ast.pos, "the rule has no action", "add: action secondary_inspection | refer_to_protection")
        })?;
        let Some((when, _)) = when else {
            return Err(meta_err(ast.pos, "the rule has no condition", "add: when <condition>"));
        };
        let mark = (self.arena.nodes.len(), self.arena.strings.len());
        let compiled = (|| {
            let mut c = Compiler { start: self.arena.nodes.len(), arena: &mut self.arena };
            let (root, t) = c.expr(when)?;
            if t != Type::Bool {
                return Err(meta_err(
                    when.pos(),
                    format!("the condition is {}, not true/false", t.name()),
                    "compare it: e.g. history.crossings(days: 30) >= 6",
                ));
            }
            let parts = match reason {
                None => vec![Part::Text(meta.name.clone())],
                Some((text, pos)) => template(&mut c, text, pos)?,
            };
            Ok((root, parts))
        })();
        match compiled {
            Ok((root, reason)) => {
                self.rules.push(Compiled { meta, origin: origin.to_string(), root, reason });
                Ok(())
            }
            Err(e) => {
                self.arena.nodes.truncate(mark.0);
                self.arena.strings.truncate(mark.1);
                Err(e)
            }
        }
    }

    /// The rules, in the order they were given.
    pub fn rules(&self) -> impl Iterator<Item = &RuleMeta> {
        self.rules.iter().map(|r| &r.meta)
    }

    /// Where rule `i` came from (the `origin` it was compiled with).
    pub fn origin(&self, i: usize) -> &str {
        self.rules.get(i).map_or("", |r| r.origin.as_str())
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// A copy in which `other`'s rules replace those with the same id and
    /// its new ids are added (stored rules over the built-in catalogue).
    pub fn overlay(&self, other: &RuleSet) -> RuleSet {
        let mut out = RuleSet::default();
        let texts = |s: &RuleSet| -> Vec<(String, String)> {
            s.rules.iter().map(|r| (r.meta.text.clone(), r.origin.clone())).collect()
        };
        let mine = texts(self);
        let theirs = texts(other);
        for (i, (text, origin)) in mine.iter().enumerate() {
            let id = &self.rules[i].meta.id;
            let (text, origin) = match other.rules.iter().position(|r| &r.meta.id == id) {
                Some(j) => (&theirs[j].0, &theirs[j].1),
                None => (text, origin),
            };
            out.add_text(text, origin);
        }
        for (j, (text, origin)) in theirs.iter().enumerate() {
            if !self.rules.iter().any(|r| r.meta.id == other.rules[j].meta.id) {
                out.add_text(text, origin);
            }
        }
        out
    }

    fn add_text(&mut self, text: &str, origin: &str) {
        if let Ok(asts) = parse_file(text) {
            for a in asts {
                let _ = self.add(&a, origin);
            }
        }
    }

    /// Evaluates every enabled rule for one traveller; the firings in rule
    /// order. Total: no panic and time linear in the rules' size (plus the
    /// caller's history answers, each asked at most once per rule).
    pub fn evaluate(&self, facts: &Facts<'_>) -> Vec<Firing> {
        let mut out = Vec::new();
        for r in &self.rules {
            if r.meta.enabled && eval::eval(&self.arena, r.root, facts) == facts::V::B(true) {
                out.push(Firing {
                    rule_id: r.meta.id.clone(),
                    name: r.meta.name.clone(),
                    category: r.meta.category,
                    weight: r.meta.weight,
                    action: r.meta.action,
                    reason: self.render(&r.reason, facts),
                });
            }
        }
        out
    }

    /// The indices of the enabled rules that fire, into `out` (cleared
    /// first): [`RuleSet::evaluate`] without the reasons, for bulk work.
    pub fn matching(&self, facts: &Facts<'_>, out: &mut Vec<u32>) {
        out.clear();
        for (i, r) in self.rules.iter().enumerate() {
            if r.meta.enabled && eval::eval(&self.arena, r.root, facts) == facts::V::B(true) {
                out.push(i as u32);
            }
        }
    }

    fn render(&self, parts: &[Part], facts: &Facts<'_>) -> String {
        let mut s = String::new();
        for p in parts {
            match p {
                Part::Text(t) => s.push_str(t),
                Part::Value(n) => eval::write_value(&mut s, &self.arena, eval::eval(&self.arena, *n, facts)),
            }
        }
        s
    }
}

/// Compiles a reason: text with `{expression}` parts.
fn template(c: &mut Compiler<'_>, text: &str, pos: Pos) -> Result<Vec<Part>, RuleError> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '{' {
            lit.push(chars[i]);
            i += 1;
            continue;
        }
        let Some(end) = chars[i..].iter().position(|&c| c == '}') else {
            let p = Pos { line: pos.line, column: pos.column + 1 + i as u32 };
            return Err(meta_err(p, "a { in the reason is not closed", "quote a fact as {traveller.age}"));
        };
        let inner: String = chars[i + 1..i + end].iter().collect();
        let at = Pos { line: pos.line, column: pos.column + 2 + i as u32 };
        let toks = syntax::lex(&inner, at)?;
        let mut p = syntax::Parser::new(&toks);
        let e = p.expr()?;
        if !p.at_end() {
            return Err(meta_err(at, "one fact or expression between { and }", "e.g. {traveller.age}"));
        }
        let (n, _) = c.expr(&e)?;
        if !lit.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut lit)));
        }
        parts.push(Part::Value(n));
        i += end + 1;
    }
    if !lit.is_empty() {
        parts.push(Part::Text(lit));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests;

/// A stored rule as [`in_force`] takes it: its id, the store's version,
/// its text, and whether the store has it enabled.
#[derive(Debug, Clone, Copy)]
pub struct StoredRuleRef<'a> {
    pub rule_id: &'a str,
    pub version: i64,
    pub source: &'a str,
    pub enabled: bool,
}

/// The rules in force: the built-in catalogue with the stored rules over
/// it (a stored rule replaces the built-in one with its id; the store's
/// enabled flag wins over the text's). Stored rules that no longer parse
/// or compile are skipped and their ids returned, for the caller to log.
pub fn in_force<'a>(stored: impl IntoIterator<Item = StoredRuleRef<'a>>) -> (RuleSet, Vec<String>) {
    let mut set = RuleSet::default();
    let mut skipped = Vec::new();
    for r in stored {
        let Ok(asts) = parse_file(r.source) else {
            skipped.push(r.rule_id.to_string());
            continue;
        };
        for mut ast in asts {
            ast.items.retain(|(k, ..)| k != "enabled");
            ast.items.push(("enabled".into(), syntax::ItemValue::Bool(r.enabled), Default::default()));
            ast.text = ast.to_string();
            if set.add(&ast, &format!("stored v{}", r.version)).is_err() {
                skipped.push(r.rule_id.to_string());
            }
        }
    }
    (RuleSet::builtin().overlay(&set), skipped)
}
