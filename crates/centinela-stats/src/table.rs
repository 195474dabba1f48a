//! Two-way count tables before and after publication.

use serde::Serialize;

/// Counts of one measure by two attributes: `cells[r * cols.len() + c]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountTable {
    /// The table's file name without extension, e.g. `crossings_post_period`.
    pub name: String,
    /// What is counted (`crossings`, `hits` …); tables of the same measure
    /// share totals by a shared attribute.
    pub measure: String,
    pub row_dim: String,
    pub col_dim: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<u64>,
}

impl CountTable {
    /// The table extended with its totals: `(rows + 1) × (cols + 1)`, the
    /// last column the row totals, the last row the column totals, the last
    /// cell the grand total.
    pub fn extended(&self) -> Vec<u64> {
        let (h, w) = (self.rows.len(), self.cols.len());
        let mut e = vec![0u64; (h + 1) * (w + 1)];
        for r in 0..h {
            for c in 0..w {
                let v = self.cells[r * w + c];
                e[r * (w + 1) + c] = v;
                e[r * (w + 1) + w] += v;
                e[h * (w + 1) + c] += v;
                e[h * (w + 1) + w] += v;
            }
        }
        e
    }
}

/// A table as published: every count at least `k`, or `None` (suppressed).
/// `cells` is the extended grid of [`CountTable::extended`], row-major,
/// `(rows + 1) × (cols + 1)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedTable {
    pub name: String,
    pub measure: String,
    pub row_dim: String,
    pub col_dim: String,
    pub rows: Vec<String>,
    pub cols: Vec<String>,
    pub cells: Vec<Option<u64>>,
}

/// The label of the totals row and column.
pub const TOTAL: &str = "total";

impl PublishedTable {
    fn width(&self) -> usize {
        self.cols.len() + 1
    }

    /// The cell at row `r`, column `c` (`r == rows.len()` is the totals row,
    /// `c == cols.len()` the totals column).
    pub fn get(&self, r: usize, c: usize) -> Option<u64> {
        self.cells[r * self.width() + c]
    }

    pub fn row_total(&self, r: usize) -> Option<u64> {
        self.get(r, self.cols.len())
    }

    pub fn col_total(&self, c: usize) -> Option<u64> {
        self.get(self.rows.len(), c)
    }

    pub fn total(&self) -> Option<u64> {
        self.get(self.rows.len(), self.cols.len())
    }

    /// (row label, row total) for every row, in order.
    pub fn row_totals(&self) -> Vec<(String, Option<u64>)> {
        self.rows.iter().enumerate().map(|(r, l)| (l.clone(), self.row_total(r))).collect()
    }

    /// (column label, column total) for every column, in order.
    pub fn col_totals(&self) -> Vec<(String, Option<u64>)> {
        self.cols.iter().enumerate().map(|(c, l)| (l.clone(), self.col_total(c))).collect()
    }

    /// How many cells (totals included) are suppressed.
    pub fn suppressed(&self) -> usize {
        self.cells.iter().filter(|c| c.is_none()).count()
    }

    /// The table as CSV (the one CSV writer: CRLF, formulas defused): a
    /// header `row_dim,col1,…,total`, one line per row ending in its total,
    /// a last `total` line; a suppressed cell is empty.
    pub fn to_csv(&self) -> String {
        let header: Vec<&str> =
            std::iter::once(self.row_dim.as_str()).chain(self.cols.iter().map(String::as_str)).chain([TOTAL]).collect();
        let mut t = centinela_domain::csv::Table::new(&header);
        for r in 0..=self.rows.len() {
            let mut line = vec![self.rows.get(r).map_or(TOTAL, String::as_str).to_owned()];
            line.extend((0..=self.cols.len()).map(|c| self.get(r, c).map(|v| v.to_string()).unwrap_or_default()));
            t.row(&line);
        }
        t.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extended_adds_totals_and_csv_leaves_suppressed_cells_empty() {
        let t = CountTable {
            name: "t".into(),
            measure: "m".into(),
            row_dim: "post".into(),
            col_dim: "period".into(),
            rows: vec!["A".into(), "B,C".into()],
            cols: vec!["2026-01".into()],
            cells: vec![3, 20],
        };
        assert_eq!(t.extended(), vec![3, 3, 20, 20, 23, 23]);
        let p = PublishedTable {
            name: t.name,
            measure: t.measure,
            row_dim: t.row_dim,
            col_dim: t.col_dim,
            rows: t.rows,
            cols: t.cols,
            cells: vec![None, None, Some(20), Some(20), Some(23), Some(23)],
        };
        assert_eq!(p.to_csv(), "post,2026-01,total\r\nA,,\r\n\"B,C\",20,20\r\ntotal,23,23\r\n");
        assert_eq!(p.suppressed(), 2);
    }
}
