//! Type checking and compilation: each condition becomes a run of nodes in
//! one flat arena (children before parents, indices as `u32`), with every
//! fact name resolved to a [`Field`] and every history call to a
//! [`HistoryQuery`] and a window. Evaluation walks the arena; it never
//! looks a name up.

use crate::RuleError;
use crate::facts::{DEFAULT_DAYS, FIELDS, Field, HistoryQuery, MAX_DAYS, Type};
use crate::hint::closest;
use crate::syntax::{BinOp, Expr, Pos};

/// Most nodes in one rule's condition and reason together.
pub const MAX_NODES: usize = 4_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Node {
    Bool(bool),
    Int(i64),
    /// Index into the string pool.
    Str(u32),
    /// Start and length in the string pool.
    List(u32, u32),
    Field(Field),
    Hist(HistoryQuery, u32),
    Known(u32),
    Not(u32),
    And(u32, u32),
    Or(u32, u32),
    Cmp(Cmp, u32, u32),
    Add(u32, u32),
    Sub(u32, u32),
    In(u32, u32),
}

/// The shared arena of a rule set.
#[derive(Debug, Clone, Default)]
pub(crate) struct Arena {
    pub nodes: Vec<Node>,
    pub strings: Vec<Box<str>>,
}

fn err(pos: Pos, message: impl Into<String>, hint: impl Into<String>) -> RuleError {
    RuleError { line: pos.line, column: pos.column, message: message.into(), hint: hint.into(), rule: None }
}

pub(crate) struct Compiler<'a> {
    pub arena: &'a mut Arena,
    pub start: usize,
}

impl Compiler<'_> {
    fn push(&mut self, n: Node, pos: Pos) -> Result<u32, RuleError> {
        if self.arena.nodes.len() - self.start >= MAX_NODES {
            return Err(err(pos, "the rule is too long", format!("a rule has at most {MAX_NODES} parts; split it")));
        }
        self.arena.nodes.push(n);
        Ok((self.arena.nodes.len() - 1) as u32)
    }

    fn string(&mut self, s: &str) -> u32 {
        self.arena.strings.push(s.into());
        (self.arena.strings.len() - 1) as u32
    }

    /// Compiles `e`, returning its node and type.
    pub fn expr(&mut self, e: &Expr) -> Result<(u32, Type), RuleError> {
        match e {
            Expr::Int(i, p) => Ok((self.push(Node::Int(*i), *p)?, Type::Int)),
            Expr::Bool(b, p) => Ok((self.push(Node::Bool(*b), *p)?, Type::Bool)),
            Expr::Str(s, p) => {
                let i = self.string(s);
                Ok((self.push(Node::Str(i), *p)?, Type::Str))
            }
            Expr::List(v, p) => {
                let start = self.arena.strings.len() as u32;
                for s in v {
                    self.string(s);
                }
                Ok((self.push(Node::List(start, v.len() as u32), *p)?, Type::List))
            }
            Expr::Path(path, p) => {
                let name = path.join(".");
                if let Some((_, f, t, _)) = FIELDS.iter().find(|(n, ..)| *n == name) {
                    return Ok((self.push(Node::Field(*f), *p)?, *t));
                }
                if path.first().is_some_and(|h| h == "history") {
                    return self.history(path, &[], *p);
                }
                let names = FIELDS.iter().map(|(n, ..)| *n);
                let hint = match closest(&name, names) {
                    Some(c) => format!("did you mean {c}?"),
                    None => {
                        let head = path.first().map(String::as_str).unwrap_or("");
                        let same: Vec<&str> =
                            FIELDS.iter().map(|(n, ..)| *n).filter(|n| n.split('.').next() == Some(head)).collect();
                        if same.is_empty() {
                            "facts start with traveller., document., crossing., party. or history.".to_string()
                        } else {
                            format!("known: {}", same.join(", "))
                        }
                    }
                };
                Err(err(*p, format!("unknown fact '{name}'"), hint))
            }
            Expr::Call(path, args, p) => {
                if path.first().is_some_and(|h| h == "history") {
                    self.history(path, args, *p)
                } else {
                    Err(err(
                        *p,
                        format!("'{}' takes no arguments", path.join(".")),
                        "only history.… questions take (days: N)",
                    ))
                }
            }
            Expr::Known(inner, p) => {
                let (a, _) = self.expr(inner)?;
                Ok((self.push(Node::Known(a), *p)?, Type::Bool))
            }
            Expr::Not(inner, p) => {
                let (a, t) = self.expr(inner)?;
                want(t, Type::Bool, inner.pos(), "not applies to a condition")?;
                Ok((self.push(Node::Not(a), *p)?, Type::Bool))
            }
            Expr::Bin(op @ (BinOp::And | BinOp::Or | BinOp::Add | BinOp::Sub), ..) => self.chain(e, *op),
            Expr::Bin(op, l, r, p) => {
                let (a, ta) = self.expr(l)?;
                let (b, tb) = self.expr(r)?;
                let node = match op {
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        want(ta, Type::Int, l.pos(), "< <= > >= compare numbers")?;
                        want(tb, Type::Int, r.pos(), "< <= > >= compare numbers")?;
                        let c = match op {
                            BinOp::Lt => Cmp::Lt,
                            BinOp::Le => Cmp::Le,
                            BinOp::Gt => Cmp::Gt,
                            _ => Cmp::Ge,
                        };
                        Node::Cmp(c, a, b)
                    }
                    BinOp::Eq | BinOp::Ne => {
                        if ta == Type::List || tb == Type::List {
                            let q = if ta == Type::List { l.pos() } else { r.pos() };
                            return Err(err(
                                q,
                                "lists are not compared with == or !=",
                                "ask whether an item is in it: \"T3\" in traveller.observations",
                            ));
                        }
                        if ta != tb {
                            return Err(err(
                                r.pos(),
                                format!("cannot compare {} with {}", ta.name(), tb.name()),
                                match (ta, tb) {
                                    (Type::Str, Type::Int) | (Type::Int, Type::Str) => {
                                        "text is quoted, numbers are not: crossing.post == \"GTM-TECUNUMAN\""
                                    }
                                    _ => "both sides of == must be of the same kind",
                                },
                            ));
                        }
                        Node::Cmp(if *op == BinOp::Eq { Cmp::Eq } else { Cmp::Ne }, a, b)
                    }
                    BinOp::And | BinOp::Or | BinOp::Add | BinOp::Sub => unreachable_chain(),
                    BinOp::In => {
                        want(
                            ta,
                            Type::Str,
                            l.pos(),
                            "in asks whether text is in a list: traveller.nationality in [\"HND\", \"SLV\"]",
                        )?;
                        want(
                            tb,
                            Type::List,
                            r.pos(),
                            "in asks whether text is in a list: traveller.nationality in [\"HND\", \"SLV\"]",
                        )?;
                        Node::In(a, b)
                    }
                };
                Ok((self.push(node, *p)?, Type::Bool))
            }
        }
    }

    /// A chain `a and b and c …` (or `or`, or `+`/`-`) compiled without
    /// recursing down its left spine; `and`/`or` chains become balanced
    /// trees, so evaluation stays shallow however long the chain.
    fn chain(&mut self, e: &Expr, op: BinOp) -> Result<(u32, Type), RuleError> {
        let arith = matches!(op, BinOp::Add | BinOp::Sub);
        let same = |o: BinOp| if arith { matches!(o, BinOp::Add | BinOp::Sub) } else { o == op };
        let mut spine: Vec<(BinOp, &Expr, Pos)> = Vec::new();
        let mut cur = e;
        while let Expr::Bin(o, l, r, p) = cur {
            if !same(*o) {
                break;
            }
            spine.push((*o, r, *p));
            cur = l;
        }
        spine.reverse();
        let (want_t, hint) = if arith {
            (Type::Int, "arithmetic is on numbers".to_string())
        } else {
            (Type::Bool, format!("both sides of {} are conditions, e.g. traveller.age < 18", op.as_str()))
        };
        let (first, t) = self.expr(cur)?;
        want(t, want_t, cur.pos(), &hint)?;
        let mut ids = vec![first];
        for (o, r, p) in &spine {
            let (n, t) = self.expr(r)?;
            want(t, want_t, r.pos(), &hint)?;
            if arith {
                let acc = ids[0];
                ids[0] = self.push(if *o == BinOp::Add { Node::Add(acc, n) } else { Node::Sub(acc, n) }, *p)?;
            } else {
                ids.push(n);
            }
        }
        if !arith {
            // Kleene and/or give the same value in any order: the cheap
            // operands (no history question) go first, so that they
            // decide without asking the history when they can.
            ids.sort_by_cached_key(|&n| self.cost(n, 0));
        }
        let pos = e.pos();
        Ok((self.balance(&ids, op, pos)?, want_t))
    }

    /// How many history questions node `n` may ask.
    fn cost(&self, n: u32, depth: usize) -> u32 {
        if depth > 4 * crate::syntax::MAX_DEPTH {
            return 1;
        }
        let c = |x: u32| self.cost(x, depth + 1);
        match self.arena.nodes.get(n as usize) {
            Some(Node::Hist(..)) => 1,
            Some(Node::Known(x) | Node::Not(x)) => c(*x),
            Some(
                Node::And(x, y)
                | Node::Or(x, y)
                | Node::Cmp(_, x, y)
                | Node::Add(x, y)
                | Node::Sub(x, y)
                | Node::In(x, y),
            ) => c(*x).saturating_add(c(*y)),
            _ => 0,
        }
    }

    fn balance(&mut self, ids: &[u32], op: BinOp, pos: Pos) -> Result<u32, RuleError> {
        if ids.len() <= 1 {
            return Ok(ids.first().copied().unwrap_or(0));
        }
        let (l, r) = ids.split_at(ids.len() / 2);
        let (a, b) = (self.balance(l, op, pos)?, self.balance(r, op, pos)?);
        self.push(if op == BinOp::And { Node::And(a, b) } else { Node::Or(a, b) }, pos)
    }

    fn history(&mut self, path: &[String], args: &[(String, i64)], p: Pos) -> Result<(u32, Type), RuleError> {
        let all = || HistoryQuery::ALL.iter().map(|q| q.name()).collect::<Vec<_>>().join(", ");
        let name = path.get(1).map(String::as_str).unwrap_or("");
        let q = match (path.len(), HistoryQuery::ALL.iter().find(|q| q.name() == name)) {
            (2, Some(q)) => *q,
            _ => {
                let hint = match closest(name, HistoryQuery::ALL.iter().map(|q| q.name())) {
                    Some(c) => format!("did you mean history.{c}(days: 30)?"),
                    None => format!("history questions: {}", all()),
                };
                return Err(err(p, format!("unknown history question '{}'", path.join(".")), hint));
            }
        };
        let mut days = DEFAULT_DAYS;
        for (k, v) in args {
            if k != "days" {
                return Err(err(p, format!("unknown argument '{k}'"), "history questions take days: N"));
            }
            if !(1..=i64::from(MAX_DAYS)).contains(v) {
                return Err(err(p, format!("days: {v} is out of range"), format!("a window is 1 to {MAX_DAYS} days")));
            }
            days = *v as u32;
        }
        Ok((self.push(Node::Hist(q, days), p)?, Type::Int))
    }
}

fn want(got: Type, want: Type, pos: Pos, hint: &str) -> Result<(), RuleError> {
    if got == want { Ok(()) } else { Err(err(pos, format!("expected {}, found {}", want.name(), got.name()), hint)) }
}

/// `and`, `or`, `+` and `-` are compiled by `Compiler::chain`; this arm is
/// never taken, and yields a harmless constant rather than a panic.
fn unreachable_chain() -> Node {
    Node::Bool(false)
}
