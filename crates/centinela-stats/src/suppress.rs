//! Primary and complementary cell suppression over linked tables.
//!
//! A table is published with its row totals, column totals and grand
//! total: an `(h × w)` *extended grid* whose last column and last row are
//! the totals. Every line of that grid (each row, each column, the totals
//! row and column) is a linear equation an attacker can write: the cells
//! sum to the line's total. Flip the sign of the totals and every line
//! sums to zero, so the suppressed cells are the edges of a bipartite graph
//! (line nodes: rows and columns) and the values an attacker cannot pin
//! down are exactly the edges that lie on a cycle. A suppressed cell that
//! is a *bridge* of that graph — in particular one alone in its row or
//! column — is recoverable by solving the published equations.
//!
//! [`protect_table`] suppresses every cell below `k` (primary), then adds
//! complementary suppressions, always the cheapest cell (inner cells before
//! totals, small counts before large ones), until
//! - no line holds exactly one suppressed cell,
//! - the suppressed cells of a line add up to at least `k`, unless the
//!   whole line is suppressed (so the published totals never tell that the
//!   cells hidden in a line are all small), and
//! - no suppressed cell is a bridge.
//!
//! Tables of one measure that share an attribute publish the same totals
//! (crossings by post × month and by post × direction both give crossings
//! per post). [`protect`] suppresses such shared totals alike in every
//! table, and then runs the attacker, [`determined`] — Gaussian elimination
//! over all published equations of all tables at once, shared totals being
//! one unknown — and suppresses more wherever a cell is still determined,
//! until none is.

use std::collections::HashMap;

use crate::table::CountTable;

/// One extended grid: `values[r * w + c]`, `h` rows and `w` columns, the
/// last row and column being the totals.
#[derive(Debug, Clone, Copy)]
pub struct Grid<'a> {
    pub values: &'a [u64],
    pub h: usize,
    pub w: usize,
}

impl Grid<'_> {
    /// Inner cells first, then the row and column totals, the grand total last.
    fn rank(&self, i: usize) -> u8 {
        let (r, c) = (i / self.w, i % self.w);
        u8::from(r == self.h - 1) + u8::from(c == self.w - 1)
    }

    /// The cheapest cell of `cells` not yet suppressed.
    fn cheapest(&self, cells: impl Iterator<Item = usize>, sup: &[bool]) -> Option<usize> {
        cells.filter(|&i| !sup[i]).min_by_key(|&i| (self.rank(i), self.values[i], i))
    }

    fn row(&self, r: usize) -> impl Iterator<Item = usize> + use<> {
        let w = self.w;
        (0..w).map(move |c| r * w + c)
    }

    fn col(&self, c: usize) -> impl Iterator<Item = usize> + use<> {
        let w = self.w;
        (0..self.h).map(move |r| r * w + c)
    }
}

/// Suppresses the cells of one table: `sup` comes in with the cells already
/// suppressed (e.g. totals another table suppresses) and goes out with the
/// primary and complementary suppressions added. Never unsuppresses.
pub fn protect_table(g: Grid<'_>, k: u64, sup: &mut [bool]) {
    debug_assert_eq!(g.values.len(), g.h * g.w);
    for (i, &v) in g.values.iter().enumerate() {
        if v < k {
            sup[i] = true;
        }
    }
    loop {
        if let Some(i) = weak_line(g, k, sup) {
            sup[i] = true;
            continue;
        }
        let Some((r, c)) = bridges(g, sup).into_iter().next() else { return };
        match close_cycle(g, sup, r, c) {
            Some(i) => sup[i] = true,
            None => return,
        }
    }
}

/// The cell to suppress next for a line that holds one suppressed cell, or
/// suppressed cells adding up to less than `k` while some are published.
fn weak_line(g: Grid<'_>, k: u64, sup: &[bool]) -> Option<usize> {
    let lines = (0..g.h).map(|r| g.row(r).collect::<Vec<_>>()).chain((0..g.w).map(|c| g.col(c).collect()));
    for line in lines {
        let hidden: Vec<usize> = line.iter().copied().filter(|&i| sup[i]).collect();
        if hidden.is_empty() || hidden.len() == line.len() {
            continue;
        }
        let sum: u64 = hidden.iter().map(|&i| g.values[i]).sum();
        if hidden.len() == 1 || sum < k {
            return g.cheapest(line.into_iter(), sup);
        }
    }
    None
}

/// The suppressed cells (row, column) that are bridges of the line graph.
pub fn bridges(g: Grid<'_>, sup: &[bool]) -> Vec<(usize, usize)> {
    let n = g.h + g.w;
    let mut adj: Vec<Vec<usize>> = vec![Vec::new(); n];
    for r in 0..g.h {
        for c in 0..g.w {
            if sup[r * g.w + c] {
                adj[r].push(g.h + c);
                adj[g.h + c].push(r);
            }
        }
    }
    // Tarjan's bridge finding, iteratively. The graph is simple (one cell
    // per row-column pair), so skipping the parent node is enough.
    let mut order = vec![usize::MAX; n];
    let mut low = vec![0usize; n];
    let mut out = Vec::new();
    let mut next = 0;
    for root in 0..n {
        if order[root] != usize::MAX || adj[root].is_empty() {
            continue;
        }
        let mut stack: Vec<(usize, usize, usize)> = vec![(root, usize::MAX, 0)];
        order[root] = next;
        low[root] = next;
        next += 1;
        while let Some(&mut (v, parent, ref mut idx)) = stack.last_mut() {
            if *idx < adj[v].len() {
                let u = adj[v][*idx];
                *idx += 1;
                if u == parent {
                    continue;
                }
                if order[u] == usize::MAX {
                    order[u] = next;
                    low[u] = next;
                    next += 1;
                    stack.push((u, v, 0));
                } else {
                    low[v] = low[v].min(order[u]);
                }
            } else {
                stack.pop();
                if parent != usize::MAX {
                    low[parent] = low[parent].min(low[v]);
                    if low[v] > order[parent] {
                        let (a, b) = (parent.min(v), parent.max(v));
                        out.push((a, b - g.h));
                    }
                }
            }
        }
    }
    out.sort_unstable();
    out
}

/// The cheapest cell whose suppression puts the bridge (r, c) on a cycle:
/// one joining the bridge's two sides.
fn close_cycle(g: Grid<'_>, sup: &[bool], r: usize, c: usize) -> Option<usize> {
    let n = g.h + g.w;
    // The side of the row: nodes reachable from row r without the bridge.
    let mut side = vec![0u8; n];
    let mut todo = vec![r];
    side[r] = 1;
    while let Some(v) = todo.pop() {
        let next: Vec<usize> = if v < g.h {
            (0..g.w).filter(|&cc| sup[v * g.w + cc] && !(v == r && cc == c)).map(|cc| g.h + cc).collect()
        } else {
            let cc = v - g.h;
            (0..g.h).filter(|&rr| sup[rr * g.w + cc] && !(rr == r && cc == c)).collect()
        };
        for u in next {
            if side[u] == 0 {
                side[u] = 1;
                todo.push(u);
            }
        }
    }
    let mut todo = vec![g.h + c];
    side[g.h + c] = 2;
    while let Some(v) = todo.pop() {
        let next: Vec<usize> = if v < g.h {
            (0..g.w).filter(|&cc| sup[v * g.w + cc]).map(|cc| g.h + cc).collect()
        } else {
            let cc = v - g.h;
            (0..g.h).filter(|&rr| sup[rr * g.w + cc] && !(rr == r && cc == c)).collect()
        };
        for u in next {
            if side[u] == 0 {
                side[u] = 2;
                todo.push(u);
            }
        }
    }
    let joins = (0..g.h * g.w).filter(|&i| {
        let (a, b) = (side[i / g.w], side[g.h + i % g.w]);
        a != 0 && b != 0 && a != b
    });
    g.cheapest(joins, sup).or_else(|| g.cheapest(g.row(r).chain(g.col(c)), sup))
}

/// What identifies a total shared between tables: the measure, the
/// attribute and its value (the grand total: empty attribute).
type TotalKey = (String, String, String);

fn total_key(t: &CountTable, i: usize) -> Option<TotalKey> {
    let (h, w) = (t.rows.len() + 1, t.cols.len() + 1);
    let (r, c) = (i / w, i % w);
    match (r == h - 1, c == w - 1) {
        (false, false) => None,
        (false, true) => Some((t.measure.clone(), t.row_dim.clone(), t.rows[r].clone())),
        (true, false) => Some((t.measure.clone(), t.col_dim.clone(), t.cols[c].clone())),
        (true, true) => Some((t.measure.clone(), String::new(), String::new())),
    }
}

/// Suppresses every table so that no count below `k` is published and no
/// suppressed cell can be recovered from what all of them publish. Returns,
/// per table, which cells of its extended grid are suppressed.
pub fn protect(tables: &[CountTable], k: u64) -> Vec<Vec<bool>> {
    let grids: Vec<Vec<u64>> = tables.iter().map(CountTable::extended).collect();
    let shape = |t: &CountTable| (t.rows.len() + 1, t.cols.len() + 1);
    let mut sup: Vec<Vec<bool>> = grids.iter().map(|g| vec![false; g.len()]).collect();
    loop {
        // Shared totals alike everywhere, until no table adds one.
        loop {
            for (t, table) in tables.iter().enumerate() {
                let (h, w) = shape(table);
                protect_table(Grid { values: &grids[t], h, w }, k, &mut sup[t]);
            }
            let mut hidden: HashMap<TotalKey, u64> = HashMap::new();
            for (t, table) in tables.iter().enumerate() {
                for (i, &s) in sup[t].iter().enumerate() {
                    if s && let Some(key) = total_key(table, i) {
                        hidden.insert(key, grids[t][i]);
                    }
                }
            }
            let mut changed = false;
            for (t, table) in tables.iter().enumerate() {
                for i in 0..sup[t].len() {
                    if !sup[t][i]
                        && let Some(key) = total_key(table, i)
                        && hidden.get(&key) == Some(&grids[t][i])
                    {
                        sup[t][i] = true;
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let found = determined(tables, &grids, &sup);
        let Some(&(t, i)) = found.first() else { return sup };
        let (h, w) = shape(&tables[t]);
        let g = Grid { values: &grids[t], h, w };
        let (r, c) = (i / w, i % w);
        let pick = g.cheapest(g.row(r).chain(g.col(c)), &sup[t]).or_else(|| g.cheapest(0..h * w, &sup[t]));
        match pick {
            Some(j) => sup[t][j] = true,
            None => {
                // The whole table is hidden and still a cell is pinned by
                // others' totals: hide more of the tables of its measure.
                let other =
                    tables.iter().enumerate().filter(|(u, o)| *u != t && o.measure == tables[t].measure).find_map(
                        |(u, o)| {
                            let (h, w) = shape(o);
                            Grid { values: &grids[u], h, w }.cheapest(0..h * w, &sup[u]).map(|j| (u, j))
                        },
                    );
                match other {
                    Some((u, j)) => sup[u][j] = true,
                    None => return sup,
                }
            }
        }
    }
}

/// The attacker: every suppressed cell, (table, index in the extended
/// grid), whose value follows from the published cells of all `tables`
/// (extended grids `grids`) by linear algebra. Shared totals of equal
/// value are one unknown. Gaussian elimination modulo the prime 2^61 − 1:
/// the equations' coefficients are 0 and ±1 and the systems small, so the
/// rank is the rank over the rationals.
pub fn determined(tables: &[CountTable], grids: &[Vec<u64>], sup: &[Vec<bool>]) -> Vec<(usize, usize)> {
    // Unknowns.
    let mut var_of: Vec<Vec<usize>> = Vec::with_capacity(tables.len());
    let mut shared: HashMap<(TotalKey, u64), usize> = HashMap::new();
    let mut owners: Vec<(usize, usize)> = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        let mut v = vec![usize::MAX; sup[t].len()];
        for (i, &s) in sup[t].iter().enumerate() {
            if !s {
                continue;
            }
            v[i] = match total_key(table, i) {
                Some(key) => *shared.entry((key, grids[t][i])).or_insert_with(|| {
                    owners.push((t, i));
                    owners.len() - 1
                }),
                None => {
                    owners.push((t, i));
                    owners.len() - 1
                }
            };
        }
        var_of.push(v);
    }
    let n = owners.len();
    if n == 0 {
        return Vec::new();
    }
    // Equations: every line of every grid, totals with the minus sign.
    let mut rows: Vec<Vec<u64>> = Vec::new();
    for (t, table) in tables.iter().enumerate() {
        let (h, w) = (table.rows.len() + 1, table.cols.len() + 1);
        let mut line = |cells: Vec<usize>, total: usize| {
            let mut eq = vec![0u64; n];
            let mut any = false;
            for i in cells {
                if var_of[t][i] != usize::MAX {
                    eq[var_of[t][i]] = add(eq[var_of[t][i]], 1);
                    any = true;
                }
            }
            if var_of[t][total] != usize::MAX {
                eq[var_of[t][total]] = add(eq[var_of[t][total]], P - 1);
                any = true;
            }
            if any {
                rows.push(eq);
            }
        };
        for r in 0..h {
            line((0..w - 1).map(|c| r * w + c).collect(), r * w + w - 1);
        }
        for c in 0..w {
            line((0..h - 1).map(|r| r * w + c).collect(), (h - 1) * w + c);
        }
    }
    let pivots = rref(&mut rows, n);
    let mut out = Vec::new();
    for (row, &col) in pivots.iter().enumerate() {
        if rows[row].iter().enumerate().all(|(j, &x)| j == col || x == 0) {
            let (t, i) = owners[col];
            // Every cell that shares the unknown is determined.
            for (u, vars) in var_of.iter().enumerate() {
                for (j, &v) in vars.iter().enumerate() {
                    if v == col {
                        out.push((u, j));
                    }
                }
            }
            debug_assert!(out.contains(&(t, i)));
        }
    }
    out.sort_unstable();
    out
}

/// The Mersenne prime 2^61 − 1.
const P: u64 = (1 << 61) - 1;

fn add(a: u64, b: u64) -> u64 {
    let s = a + b;
    if s >= P { s - P } else { s }
}

fn mul(a: u64, b: u64) -> u64 {
    ((u128::from(a) * u128::from(b)) % u128::from(P)) as u64
}

fn inv(a: u64) -> u64 {
    // Fermat: a^(P-2).
    let (mut base, mut e, mut acc) = (a, P - 2, 1u64);
    while e > 0 {
        if e & 1 == 1 {
            acc = mul(acc, base);
        }
        base = mul(base, base);
        e >>= 1;
    }
    acc
}

/// Reduced row echelon form in place; returns the pivot column of each of
/// the first `pivots.len()` rows.
fn rref(rows: &mut [Vec<u64>], n: usize) -> Vec<usize> {
    let mut pivots = Vec::new();
    let mut r = 0;
    for col in 0..n {
        let Some(p) = (r..rows.len()).find(|&i| rows[i][col] != 0) else { continue };
        rows.swap(r, p);
        let f = inv(rows[r][col]);
        for x in rows[r].iter_mut() {
            *x = mul(*x, f);
        }
        let pivot_row = rows[r].clone();
        for (i, row) in rows.iter_mut().enumerate() {
            if i != r && row[col] != 0 {
                let f = row[col];
                for (x, &y) in row.iter_mut().zip(&pivot_row) {
                    if y != 0 {
                        *x = add(*x, P - mul(f, y));
                    }
                }
            }
        }
        pivots.push(col);
        r += 1;
        if r == rows.len() {
            break;
        }
    }
    pivots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str, measure: &str, dims: (&str, &str), rows: &[&str], cols: &[&str], cells: &[u64]) -> CountTable {
        CountTable {
            name: name.into(),
            measure: measure.into(),
            row_dim: dims.0.into(),
            col_dim: dims.1.into(),
            rows: rows.iter().map(|s| s.to_string()).collect(),
            cols: cols.iter().map(|s| s.to_string()).collect(),
            cells: cells.to_vec(),
        }
    }

    #[test]
    fn a_lone_small_cell_takes_a_partner_in_its_row_and_column() {
        let t = table("t", "m", ("a", "b"), &["x", "y", "z"], &["1", "2", "3"], &[5, 40, 50, 30, 60, 70, 45, 80, 90]);
        let sup = protect(std::slice::from_ref(&t), 11);
        let s = &sup[0];
        // 4 × 4 extended grid; the 5 is hidden and so are three partners
        // closing a cycle: the cheapest, 30 (below it) and 40 (beside it),
        // and 60 at their crossing.
        let hidden: Vec<usize> = (0..16).filter(|&i| s[i]).collect();
        assert_eq!(hidden, vec![0, 1, 4, 5]);
        let grids = vec![t.extended()];
        assert!(determined(std::slice::from_ref(&t), &grids, &sup).is_empty());
    }

    #[test]
    fn the_attacker_solves_a_lone_suppression() {
        let t = table("t", "m", ("a", "b"), &["x", "y"], &["1", "2"], &[5, 40, 30, 60]);
        let grids = vec![t.extended()];
        let mut sup = vec![vec![false; 9]];
        sup[0][0] = true;
        assert_eq!(determined(std::slice::from_ref(&t), &grids, &sup), vec![(0, 0)]);
        sup[0][1] = true;
        sup[0][3] = true;
        sup[0][4] = true;
        assert!(determined(std::slice::from_ref(&t), &grids, &sup).is_empty());
    }

    #[test]
    fn bridges_are_found() {
        // Two 2×2 cycles joined by one cell: that cell is a bridge.
        let v = vec![0u64; 16];
        let g = Grid { values: &v, h: 4, w: 4 };
        let mut sup = vec![false; 16];
        for i in [0, 1, 4, 5, 10, 11, 14, 15, 6] {
            sup[i] = true;
        }
        assert_eq!(bridges(g, &sup), vec![(1, 2)]);
    }

    #[test]
    fn shared_totals_are_suppressed_alike() {
        // Post A has 8 crossings: hidden as a total in both tables.
        let a = table("a", "crossings", ("post", "period"), &["A", "B", "C"], &["1", "2"], &[4, 4, 30, 30, 40, 40]);
        let b = table(
            "b",
            "crossings",
            ("post", "direction"),
            &["A", "B", "C"],
            &["entry", "exit"],
            &[5, 3, 31, 29, 42, 38],
        );
        let tables = [a, b];
        let sup = protect(&tables, 11);
        assert!(sup[0][2] && sup[1][2]);
        let grids: Vec<Vec<u64>> = tables.iter().map(CountTable::extended).collect();
        assert!(determined(&tables, &grids, &sup).is_empty());
    }
}
