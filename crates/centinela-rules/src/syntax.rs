//! The rule language's syntax: tokens, the parser (recursive descent with
//! a depth limit, so no input overflows the stack) and a printer whose
//! output parses back to the same rules.
//!
//! ```text
//! file     := rule*
//! rule     := "rule" ID STRING "{" item* "}"
//! item     := "category" WORD | "action" WORD | "weight" NUMBER
//!           | "version" INT | "author" STRING | "source" STRING
//!           | "enabled" ("true" | "false") | "when" expr | "reason" STRING
//! expr     := and ("or" and)*
//! and      := not ("and" not)*
//! not      := "not" not | cmp
//! cmp      := sum (("<" | "<=" | ">" | ">=" | "==" | "!=" | "in") sum)?
//! sum      := atom (("+" | "-") atom)*
//! atom     := INT | STRING | "true" | "false" | "[" (STRING ("," STRING)*)? "]"
//!           | path | path "(" (WORD ":" INT ("," WORD ":" INT)*)? ")"
//!           | "known" "(" expr ")" | "(" expr ")"
//! path     := WORD ("." WORD)*
//! ```
//! `#` starts a comment to the end of the line. A reason may quote facts
//! between braces: `"minor aged {traveller.age}"`.

use std::fmt;

use crate::RuleError;

/// A place in the source: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// Deepest nesting of an expression the parser accepts.
pub const MAX_DEPTH: usize = 48;
/// Most values and facts in one condition (bounds its size and depth).
pub const MAX_PARTS: usize = 1_000;
/// Longest source text accepted, in bytes.
pub const MAX_SOURCE: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Word(String),
    Str(String),
    Int(i64),
    Dec(f64),
    Sym(&'static str),
    Eof,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Word(w) => write!(f, "'{w}'"),
            Tok::Str(_) => write!(f, "a string"),
            Tok::Int(i) => write!(f, "the number {i}"),
            Tok::Dec(d) => write!(f, "the number {d}"),
            Tok::Sym(s) => write!(f, "'{s}'"),
            Tok::Eof => write!(f, "the end of the text"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: Pos,
}

const SYMS: [&str; 16] = ["<=", ">=", "==", "!=", "<", ">", "(", ")", "[", "]", "{", "}", ".", ",", ":", "+"];

fn err(pos: Pos, message: impl Into<String>, hint: impl Into<String>) -> RuleError {
    RuleError { line: pos.line, column: pos.column, message: message.into(), hint: hint.into(), rule: None }
}

/// Splits `src` into tokens, `start` being the position of its first
/// character (reasons are lexed again from inside their string).
pub(crate) fn lex(src: &str, start: Pos) -> Result<Vec<Token>, RuleError> {
    let mut out = Vec::new();
    let chars: Vec<char> = src.chars().collect();
    let (mut line, mut col) = (start.line, start.column);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, column: col };
        if c == '\n' {
            line += 1;
            col = 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            col += 1;
            i += 1;
            continue;
        }
        if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let s = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            col += (i - s) as u32;
            out.push(Token { tok: Tok::Word(chars[s..i].iter().collect()), pos });
            continue;
        }
        if c.is_ascii_digit() {
            let s = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let dec = i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit();
            if dec {
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = chars[s..i].iter().collect();
            col += (i - s) as u32;
            let tok =
                if dec {
                    Tok::Dec(text.parse().map_err(|_| err(pos, "a number out of range", "write a smaller number"))?)
                } else {
                    Tok::Int(text.parse().map_err(|_| {
                        err(pos, "a whole number out of range", "numbers are at most 9223372036854775807")
                    })?)
                };
            out.push(Token { tok, pos });
            continue;
        }
        if c == '"' {
            let mut s = String::new();
            i += 1;
            col += 1;
            loop {
                match chars.get(i) {
                    None | Some('\n') => {
                        return Err(err(pos, "this string is not closed", "end it with \" on the same line"));
                    }
                    Some('"') => {
                        i += 1;
                        col += 1;
                        break;
                    }
                    Some('\\') => {
                        match chars.get(i + 1) {
                            Some('"') => s.push('"'),
                            Some('\\') => s.push('\\'),
                            _ => {
                                let p = Pos { line, column: col };
                                return Err(err(
                                    p,
                                    "unknown escape in a string",
                                    "write \\\" for a quote, \\\\ for \\",
                                ));
                            }
                        }
                        i += 2;
                        col += 2;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                        col += 1;
                    }
                }
            }
            out.push(Token { tok: Tok::Str(s), pos });
            continue;
        }
        if c == '-' {
            out.push(Token { tok: Tok::Sym("-"), pos });
            i += 1;
            col += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 2)].iter().collect();
        if let Some(sym) = SYMS.iter().find(|s| rest.starts_with(**s)) {
            out.push(Token { tok: Tok::Sym(sym), pos });
            i += sym.len();
            col += sym.len() as u32;
            continue;
        }
        let hint = match c {
            '=' => "compare with ==",
            '&' => "write and",
            '|' => "write or",
            '!' => "write not, or != to compare",
            '\'' => "strings are between double quotes",
            _ => "rules use letters, digits, quotes and < <= > >= == != + - ( ) [ ] { } . , :",
        };
        return Err(err(pos, format!("unexpected character '{c}'"), hint));
    }
    out.push(Token { tok: Tok::Eof, pos: Pos { line, column: col } });
    Ok(out)
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Or,
    And,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    In,
    Add,
    Sub,
}

impl BinOp {
    pub fn as_str(&self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::In => "in",
            BinOp::Add => "+",
            BinOp::Sub => "-",
        }
    }

    fn level(&self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Add | BinOp::Sub => 5,
            _ => 4,
        }
    }
}

/// An expression as written, each part with its position.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Int(i64, Pos),
    Str(String, Pos),
    Bool(bool, Pos),
    List(Vec<String>, Pos),
    Path(Vec<String>, Pos),
    Call(Vec<String>, Vec<(String, i64)>, Pos),
    Known(Box<Expr>, Pos),
    Not(Box<Expr>, Pos),
    Bin(BinOp, Box<Expr>, Box<Expr>, Pos),
}

impl Expr {
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Int(_, p)
            | Expr::Str(_, p)
            | Expr::Bool(_, p)
            | Expr::List(_, p)
            | Expr::Path(_, p)
            | Expr::Call(_, _, p)
            | Expr::Known(_, p)
            | Expr::Not(_, p)
            | Expr::Bin(_, _, _, p) => *p,
        }
    }

    fn level(&self) -> u8 {
        match self {
            Expr::Bin(op, ..) => op.level(),
            Expr::Not(..) => 3,
            _ => 9,
        }
    }
}

pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl fmt::Display for Expr {
    /// Prints with just the parentheses the grammar needs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Int(i, _) => write!(f, "{i}"),
            Expr::Str(s, _) => f.write_str(&quote(s)),
            Expr::Bool(b, _) => write!(f, "{b}"),
            Expr::List(v, _) => {
                f.write_str("[")?;
                for (i, s) in v.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&quote(s))?;
                }
                f.write_str("]")
            }
            Expr::Path(p, _) => f.write_str(&p.join(".")),
            Expr::Call(p, args, _) => {
                write!(f, "{}(", p.join("."))?;
                for (i, (k, v)) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                f.write_str(")")
            }
            Expr::Known(e, _) => write!(f, "known({e})"),
            Expr::Not(e, _) => {
                if e.level() < 3 {
                    write!(f, "not ({e})")
                } else {
                    write!(f, "not {e}")
                }
            }
            Expr::Bin(op, a, b, _) => {
                let l = op.level();
                // Comparisons do not chain: both sides bind tighter.
                let (la, lb) = if l == 4 { (l + 1, l + 1) } else { (l, l + 1) };
                if a.level() < la {
                    write!(f, "({a})")?
                } else {
                    write!(f, "{a}")?
                }
                write!(f, " {} ", op.as_str())?;
                if b.level() < lb { write!(f, "({b})") } else { write!(f, "{b}") }
            }
        }
    }
}

/// A rule as written: metadata, condition and reason template.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleAst {
    pub id: String,
    pub name: String,
    pub pos: Pos,
    /// Each metadata item with its value's position.
    pub items: Vec<(String, ItemValue, Pos)>,
    /// The source text of the rule, from `rule` to its `}`.
    pub text: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemValue {
    Word(String),
    Str(String),
    Number(f64),
    Int(i64),
    Bool(bool),
    Expr(Expr),
}

impl fmt::Display for RuleAst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "rule {} {} {{", self.id, quote(&self.name))?;
        for (k, v, _) in &self.items {
            match v {
                ItemValue::Word(w) => writeln!(f, "  {k} {w}")?,
                ItemValue::Str(s) => writeln!(f, "  {k} {}", quote(s))?,
                ItemValue::Number(n) => writeln!(f, "  {k} {n:?}")?,
                ItemValue::Int(n) => writeln!(f, "  {k} {n}")?,
                ItemValue::Bool(b) => writeln!(f, "  {k} {b}")?,
                ItemValue::Expr(e) => writeln!(f, "  {k} {e}")?,
            }
        }
        writeln!(f, "}}")
    }
}

pub(crate) struct Parser<'t> {
    toks: &'t [Token],
    i: usize,
    depth: usize,
    /// Parts parsed so far (bounds the tree's size and depth).
    nodes: usize,
}

const KEYWORDS: [&str; 7] = ["and", "or", "not", "in", "true", "false", "known"];

impl<'t> Parser<'t> {
    pub fn new(toks: &'t [Token]) -> Parser<'t> {
        Parser { toks, i: 0, depth: 0, nodes: 0 }
    }

    fn peek(&self) -> &Token {
        &self.toks[self.i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.peek().tok, Tok::Sym(x) if *x == s)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(x) if x == w)
    }

    fn expect_sym(&mut self, s: &str, hint: &str) -> Result<Pos, RuleError> {
        let t = self.next();
        match t.tok {
            Tok::Sym(x) if x == s => Ok(t.pos),
            other => Err(err(t.pos, format!("expected '{s}', found {other}"), hint)),
        }
    }

    pub fn at_end(&self) -> bool {
        self.peek().tok == Tok::Eof
    }

    pub fn expr(&mut self) -> Result<Expr, RuleError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let p = self.peek().pos;
            return Err(err(p, "the condition is nested too deeply", "split it into several rules"));
        }
        let r = self.or();
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Expr, RuleError> {
        let mut a = self.and()?;
        while self.is_word("or") {
            let p = self.next().pos;
            let b = self.and()?;
            a = Expr::Bin(BinOp::Or, Box::new(a), Box::new(b), p);
        }
        Ok(a)
    }

    fn and(&mut self) -> Result<Expr, RuleError> {
        let mut a = self.not()?;
        while self.is_word("and") {
            let p = self.next().pos;
            let b = self.not()?;
            a = Expr::Bin(BinOp::And, Box::new(a), Box::new(b), p);
        }
        Ok(a)
    }

    fn not(&mut self) -> Result<Expr, RuleError> {
        if self.is_word("not") {
            let p = self.next().pos;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(err(p, "the condition is nested too deeply", "split it into several rules"));
            }
            let e = self.not();
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e?), p));
        }
        self.cmp()
    }

    fn cmp(&mut self) -> Result<Expr, RuleError> {
        let a = self.sum()?;
        let op = match &self.peek().tok {
            Tok::Sym("<") => BinOp::Lt,
            Tok::Sym("<=") => BinOp::Le,
            Tok::Sym(">") => BinOp::Gt,
            Tok::Sym(">=") => BinOp::Ge,
            Tok::Sym("==") => BinOp::Eq,
            Tok::Sym("!=") => BinOp::Ne,
            Tok::Word(w) if w == "in" => BinOp::In,
            _ => return Ok(a),
        };
        let p = self.next().pos;
        let b = self.sum()?;
        if matches!(&self.peek().tok, Tok::Sym("<" | "<=" | ">" | ">=" | "==" | "!=")) {
            let q = self.peek().pos;
            return Err(err(q, "comparisons do not chain", "join two comparisons with and"));
        }
        Ok(Expr::Bin(op, Box::new(a), Box::new(b), p))
    }

    fn sum(&mut self) -> Result<Expr, RuleError> {
        let mut a = self.atom()?;
        loop {
            let op = match self.peek().tok {
                Tok::Sym("+") => BinOp::Add,
                Tok::Sym("-") => BinOp::Sub,
                _ => return Ok(a),
            };
            let p = self.next().pos;
            let b = self.atom()?;
            a = Expr::Bin(op, Box::new(a), Box::new(b), p);
        }
    }

    fn atom(&mut self) -> Result<Expr, RuleError> {
        let t = self.next();
        let p = t.pos;
        self.nodes += 1;
        if self.nodes > MAX_PARTS {
            return Err(err(
                p,
                "the condition is too long",
                format!("a condition has at most {MAX_PARTS} parts; split the rule"),
            ));
        }
        match t.tok {
            Tok::Int(i) => Ok(Expr::Int(i, p)),
            Tok::Dec(_) => Err(err(p, "only whole numbers are compared in conditions", "write 18, not 18.0")),
            Tok::Str(s) => Ok(Expr::Str(s, p)),
            Tok::Sym("(") => {
                let e = self.expr()?;
                self.expect_sym(")", "close the parenthesis")?;
                Ok(e)
            }
            Tok::Sym("[") => {
                let mut v = Vec::new();
                if !self.is_sym("]") {
                    loop {
                        let t = self.next();
                        match t.tok {
                            Tok::Str(s) => v.push(s),
                            other => {
                                return Err(err(
                                    t.pos,
                                    format!("expected a string in the list, found {other}"),
                                    "lists hold strings: [\"HND\", \"SLV\"]",
                                ));
                            }
                        }
                        if self.is_sym(",") {
                            self.next();
                            continue;
                        }
                        break;
                    }
                }
                self.expect_sym("]", "close the list with ]")?;
                Ok(Expr::List(v, p))
            }
            Tok::Word(w) if w == "true" || w == "false" => Ok(Expr::Bool(w == "true", p)),
            Tok::Word(w) if w == "known" => {
                self.expect_sym("(", "known(…) takes a fact in parentheses")?;
                let e = self.expr()?;
                self.expect_sym(")", "close the parenthesis")?;
                Ok(Expr::Known(Box::new(e), p))
            }
            Tok::Word(w) if KEYWORDS.contains(&w.as_str()) => Err(err(
                p,
                format!("expected a fact or a value, found '{w}'"),
                "a condition reads like: traveller.age < 18 and party.adults == 0",
            )),
            Tok::Word(w) => {
                let mut path = vec![w];
                while self.is_sym(".") {
                    self.next();
                    let t = self.next();
                    match t.tok {
                        Tok::Word(w) => path.push(w),
                        other => {
                            return Err(err(
                                t.pos,
                                format!("expected a name after '.', found {other}"),
                                "e.g. traveller.age",
                            ));
                        }
                    }
                }
                if !self.is_sym("(") {
                    return Ok(Expr::Path(path, p));
                }
                self.next();
                let mut args = Vec::new();
                while !self.is_sym(")") {
                    let t = self.next();
                    let Tok::Word(k) = t.tok else {
                        return Err(err(
                            t.pos,
                            format!("expected an argument name, found {}", t.tok),
                            "arguments are named: history.crossings(days: 30)",
                        ));
                    };
                    self.expect_sym(":", "arguments are named: history.crossings(days: 30)")?;
                    let t = self.next();
                    let Tok::Int(v) = t.tok else {
                        return Err(err(t.pos, format!("expected a whole number, found {}", t.tok), "e.g. days: 30"));
                    };
                    args.push((k, v));
                    if self.is_sym(",") {
                        self.next();
                    } else if !self.is_sym(")") {
                        let q = self.peek().pos;
                        return Err(err(q, "expected ',' or ')'", "arguments are separated by commas"));
                    }
                }
                self.next();
                Ok(Expr::Call(path, args, p))
            }
            other => Err(err(
                p,
                format!("expected a fact or a value, found {other}"),
                "a condition reads like: traveller.age < 18 and party.adults == 0",
            )),
        }
    }
}

const ITEMS: [&str; 9] = ["category", "action", "weight", "version", "author", "source", "enabled", "when", "reason"];

/// Parses a rules file into rules as written (no type check). Errors are
/// collected rule by rule: a broken rule does not hide the next one.
pub fn parse_file(src: &str) -> Result<Vec<RuleAst>, Vec<RuleError>> {
    if src.len() > MAX_SOURCE {
        return Err(vec![err(
            Pos { line: 1, column: 1 },
            "the rules text is longer than 1 MiB",
            "split it into files",
        )]);
    }
    let toks = lex(src, Pos { line: 1, column: 1 }).map_err(|e| vec![e])?;
    let lines: Vec<&str> = src.split('\n').collect();
    let mut p = Parser::new(&toks);
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    while !p.at_end() {
        match rule(&mut p) {
            Ok(mut r) => {
                r.text = slice(&lines, r.pos, p.toks[p.i.saturating_sub(1)].pos);
                rules.push(r);
            }
            Err(e) => {
                errors.push(e);
                // Resume at the next `rule` that starts a line's first token.
                p.next();
                while !p.at_end() && !p.is_word("rule") {
                    p.next();
                }
            }
        }
    }
    if errors.is_empty() { Ok(rules) } else { Err(errors) }
}

/// The source text from `from` to `to` (the closing brace), inclusive.
fn slice(lines: &[&str], from: Pos, to: Pos) -> String {
    let mut out = String::new();
    for l in from.line..=to.line {
        let Some(text) = lines.get(l as usize - 1) else { break };
        let chars: Vec<char> = text.chars().collect();
        let a = if l == from.line { from.column as usize - 1 } else { 0 };
        let b = if l == to.line { (to.column as usize).min(chars.len()) } else { chars.len() };
        if l > from.line {
            out.push('\n');
        }
        out.extend(chars.get(a.min(b)..b).unwrap_or(&[]).iter());
    }
    out
}

fn rule(p: &mut Parser<'_>) -> Result<RuleAst, RuleError> {
    let t = p.next();
    let pos = t.pos;
    if t.tok != Tok::Word("rule".into()) {
        return Err(err(
            pos,
            format!("expected 'rule', found {}", t.tok),
            "a file holds rules: rule T1 \"Name\" { … }",
        ));
    }
    let t = p.next();
    let id = match t.tok {
        Tok::Word(w) => w,
        other => {
            return Err(err(t.pos, format!("expected the rule's id, found {other}"), "e.g. rule T1 \"Name\" { … }"));
        }
    };
    let t = p.next();
    let name = match t.tok {
        Tok::Str(s) => s,
        other => {
            return Err(err(
                t.pos,
                format!("expected the rule's name in quotes, found {other}"),
                "e.g. rule T1 \"Name\" { … }",
            ));
        }
    };
    p.expect_sym("{", "the rule's items go between { and }")?;
    let mut items = Vec::new();
    loop {
        let t = p.next();
        let key = match t.tok {
            Tok::Sym("}") => break,
            Tok::Word(w) if ITEMS.contains(&w.as_str()) => w,
            Tok::Word(w) => {
                return Err(err(
                    t.pos,
                    format!("unknown item '{w}'"),
                    match crate::hint::closest(&w, ITEMS.iter().copied()) {
                        Some(c) => format!("did you mean '{c}'? items: {}", ITEMS.join(", ")),
                        None => format!("items: {}", ITEMS.join(", ")),
                    },
                ));
            }
            Tok::Eof => return Err(err(t.pos, "the rule is not closed", "end it with }")),
            other => {
                return Err(err(
                    t.pos,
                    format!("expected an item, found {other}"),
                    format!("items: {}", ITEMS.join(", ")),
                ));
            }
        };
        let vpos = p.peek().pos;
        let value = match key.as_str() {
            "when" => {
                p.nodes = 0;
                ItemValue::Expr(p.expr()?)
            }
            _ => {
                let t = p.next();
                match (key.as_str(), t.tok) {
                    ("category" | "action", Tok::Word(w)) => ItemValue::Word(w),
                    ("author" | "source" | "reason", Tok::Str(s)) => ItemValue::Str(s),
                    ("weight", Tok::Dec(d)) => ItemValue::Number(d),
                    ("weight", Tok::Int(i)) => ItemValue::Number(i as f64),
                    ("version", Tok::Int(i)) => ItemValue::Int(i),
                    ("enabled", Tok::Word(w)) if w == "true" || w == "false" => ItemValue::Bool(w == "true"),
                    (k, other) => {
                        let hint = match k {
                            "category" => "one of smuggling, possible_victim, document_fraud, network",
                            "action" => "one of secondary_inspection, refer_to_protection",
                            "weight" => "a number such as 0.5",
                            "version" => "a whole number",
                            "enabled" => "true or false",
                            _ => "text between double quotes",
                        };
                        return Err(err(t.pos, format!("unexpected {other} after '{k}'"), hint));
                    }
                }
            }
        };
        items.push((key, value, vpos));
    }
    Ok(RuleAst { id, name, pos, items, text: String::new() })
}

/// Parses one condition on its own (the editor checks a condition as it
/// is typed).
pub fn parse_expr(src: &str) -> Result<Expr, RuleError> {
    if src.len() > MAX_SOURCE {
        return Err(err(Pos { line: 1, column: 1 }, "the condition is longer than 1 MiB", "shorten it"));
    }
    let toks = lex(src, Pos { line: 1, column: 1 })?;
    let mut p = Parser::new(&toks);
    let e = p.expr()?;
    if !p.at_end() {
        let t = p.peek();
        return Err(err(t.pos, format!("unexpected {} after the condition", t.tok), "join conditions with and / or"));
    }
    Ok(e)
}
