//! Evaluation over the compiled arena: Kleene three-valued logic, checked
//! arithmetic (an overflow is unknown), no allocation, no panic.

use crate::check::{Arena, Cmp, Node};
use crate::facts::{Facts, V};

/// Evaluates node `n`. Recursion depth is bounded by the parser's limits.
pub(crate) fn eval<'x>(a: &'x Arena, n: u32, f: &'x Facts<'_>) -> V<'x> {
    let Some(node) = a.nodes.get(n as usize) else { return V::U };
    match *node {
        Node::Bool(b) => V::B(b),
        Node::Int(i) => V::I(i),
        Node::Str(s) => a.strings.get(s as usize).map_or(V::U, |s| V::S(s)),
        Node::List(s, l) => V::Lit(s, l),
        Node::Field(field) => f.get(field),
        Node::Hist(q, days) => f.history.count(q, days).map_or(V::U, V::I),
        Node::Known(x) => V::B(eval(a, x, f) != V::U),
        Node::Not(x) => match eval(a, x, f) {
            V::B(b) => V::B(!b),
            _ => V::U,
        },
        Node::And(x, y) => match eval(a, x, f) {
            V::B(false) => V::B(false),
            l => match (l, eval(a, y, f)) {
                (_, V::B(false)) => V::B(false),
                (V::B(true), V::B(true)) => V::B(true),
                _ => V::U,
            },
        },
        Node::Or(x, y) => match eval(a, x, f) {
            V::B(true) => V::B(true),
            l => match (l, eval(a, y, f)) {
                (_, V::B(true)) => V::B(true),
                (V::B(false), V::B(false)) => V::B(false),
                _ => V::U,
            },
        },
        Node::Add(x, y) | Node::Sub(x, y) => match (eval(a, x, f), eval(a, y, f)) {
            (V::I(l), V::I(r)) => {
                let v = if matches!(node, Node::Add(..)) { l.checked_add(r) } else { l.checked_sub(r) };
                v.map_or(V::U, V::I)
            }
            _ => V::U,
        },
        Node::Cmp(op, x, y) => {
            let (l, r) = (eval(a, x, f), eval(a, y, f));
            let ord = match (l, r) {
                (V::I(l), V::I(r)) => l.cmp(&r),
                (V::S(l), V::S(r)) => l.cmp(r),
                (V::B(l), V::B(r)) => l.cmp(&r),
                _ => return V::U,
            };
            V::B(match op {
                Cmp::Lt => ord.is_lt(),
                Cmp::Le => ord.is_le(),
                Cmp::Gt => ord.is_gt(),
                Cmp::Ge => ord.is_ge(),
                Cmp::Eq => ord.is_eq(),
                Cmp::Ne => ord.is_ne(),
            })
        }
        Node::In(x, y) => {
            let V::S(needle) = eval(a, x, f) else { return V::U };
            match eval(a, y, f) {
                V::L(items) => V::B(items.contains(&needle)),
                V::Lit(s, l) => {
                    let items = a.strings.get(s as usize..(s as usize).saturating_add(l as usize)).unwrap_or(&[]);
                    V::B(items.iter().any(|i| &**i == needle))
                }
                _ => V::U,
            }
        }
    }
}

/// Writes a value for a reason: numbers, text, yes/no, lists joined by
/// commas, `unknown`.
pub(crate) fn write_value(out: &mut String, a: &Arena, v: V<'_>) {
    use std::fmt::Write;
    match v {
        V::U => out.push_str("unknown"),
        V::B(b) => out.push_str(if b { "yes" } else { "no" }),
        V::I(i) => {
            let _ = write!(out, "{i}");
        }
        V::S(s) => out.push_str(s),
        V::L(items) => out.push_str(&items.join(", ")),
        V::Lit(s, l) => {
            let items = a.strings.get(s as usize..(s as usize).saturating_add(l as usize)).unwrap_or(&[]);
            for (i, x) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(x);
            }
        }
    }
}
