//! Multi-row statements: `INSERT … VALUES (…), (…), …` with numbered
//! parameters, for the writers that store many rows per transaction.
//!
//! Every statement sent to SQLite through sqlx is a round trip to the
//! connection's worker thread, so one statement per row costs two thread
//! switches per row; one statement per chunk of rows does not. Chunks have
//! power-of-two sizes so that a handful of distinct statement texts stay in
//! sqlx's prepared-statement cache instead of one new text per batch size.

use std::ops::Range;

use crate::Backend;

/// `($1, …, $cols), ($cols+1, …), …` for `rows` rows of `cols` parameters
/// each; on SQLite `(?, …)`: SQLite finds a numbered parameter's name by a
/// linear search, so binding thousands of `$n` costs their square, while
/// anonymous `?` bind by position.
pub(crate) fn values(backend: Backend, rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            sql.push(',');
        }
        sql.push('(');
        for c in 0..cols {
            if c > 0 {
                sql.push(',');
            }
            match backend {
                Backend::Sqlite => sql.push('?'),
                Backend::Postgres => {
                    sql.push('$');
                    sql.push_str(&(r * cols + c + 1).to_string());
                }
            }
        }
        sql.push(')');
    }
    sql
}

/// Splits `0..len` into consecutive ranges whose lengths are powers of two,
/// none longer than `max` (itself rounded down to a power of two), largest
/// first.
pub(crate) fn chunks(len: usize, max: usize) -> impl Iterator<Item = Range<usize>> {
    let cap = if max == 0 { 1 } else { 1 << max.ilog2() };
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= len {
            return None;
        }
        let rest = len - start;
        let n = cap.min(1 << rest.ilog2());
        let r = start..start + n;
        start += n;
        Some(r)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn values_numbers_parameters_row_by_row() {
        assert_eq!(values(Backend::Postgres, 2, 3), "($1,$2,$3),($4,$5,$6)");
        assert_eq!(values(Backend::Postgres, 1, 1), "($1)");
        assert_eq!(values(Backend::Sqlite, 2, 2), "(?,?),(?,?)");
    }

    proptest! {
        #[test]
        fn chunks_cover_the_range_with_powers_of_two(len in 0usize..5000, max in 0usize..1000) {
            let got: Vec<Range<usize>> = chunks(len, max).collect();
            let mut next = 0;
            for r in &got {
                prop_assert_eq!(r.start, next);
                let n = r.len();
                prop_assert!(n.is_power_of_two());
                prop_assert!(n <= max.max(1));
                next = r.end;
            }
            prop_assert_eq!(next, len);
            // At most one chunk of each size below the cap.
            let cap = got.first().map_or(0, |r| r.len());
            let small: Vec<usize> = got.iter().map(|r| r.len()).filter(|&n| n < cap).collect();
            let mut dedup = small.clone();
            dedup.dedup();
            prop_assert_eq!(small, dedup);
        }
    }
}
