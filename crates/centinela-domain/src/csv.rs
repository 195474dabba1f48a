//! The one CSV writer of every export (RFC 4180): [`Table`] writes lines
//! ending in CRLF, optionally after a UTF-8 byte-order mark (Excel on
//! Windows reads a file without one as its local code page: `línea`
//! becomes `lÃ­nea`). One field ([`field`]) is quoted when it holds `,`,
//! `"`, CR or LF or starts with a byte-order mark, `"` doubled; and defused
//! when a spreadsheet would evaluate it — a field starting with `=`, `+`,
//! `-`, `@`, TAB or CR gets a leading `'`, unless it is a plain number
//! (`-591737252` and `-3.5` stay numbers). Exports are opened by people, in
//! spreadsheets; what came from outside must never run there.

/// The line end of every CSV export (RFC 4180).
pub const EOL: &str = "\r\n";

/// The UTF-8 byte-order mark a spreadsheet download starts with.
pub const BOM: &str = "\u{feff}";

/// A CSV file being written: a header, then rows, each line ending in
/// [`EOL`], each field as [`field`] writes it.
#[derive(Debug, Clone)]
pub struct Table {
    out: String,
}

impl Table {
    /// A file whose first line is `header`.
    pub fn new<S: AsRef<str>>(header: &[S]) -> Table {
        Table::start(String::new(), header)
    }

    /// A file for a spreadsheet: [`BOM`] first, then as [`Table::new`].
    pub fn for_spreadsheet<S: AsRef<str>>(header: &[S]) -> Table {
        Table::start(BOM.to_owned(), header)
    }

    /// As [`Table::new`], with the byte-order mark when `bom`.
    pub fn with_bom<S: AsRef<str>>(header: &[S], bom: bool) -> Table {
        if bom { Table::for_spreadsheet(header) } else { Table::new(header) }
    }

    fn start<S: AsRef<str>>(out: String, header: &[S]) -> Table {
        let mut t = Table { out };
        t.row(header);
        t
    }

    /// Appends one row.
    pub fn row<S: AsRef<str>>(&mut self, fields: &[S]) {
        self.out.push_str(&line(fields));
        self.out.push_str(EOL);
    }

    /// The file's text.
    pub fn finish(self) -> String {
        self.out
    }
}

/// `s` as one CSV field, defused and quoted as needed.
pub fn field(s: &str) -> String {
    let guarded;
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(s) {
        guarded = format!("'{s}");
        guarded.as_str()
    } else {
        s
    };
    // A leading byte-order mark would be taken for the file's own.
    if s.contains([',', '"', '\r', '\n']) || s.starts_with('\u{feff}') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Fields joined into one line (no line end).
pub fn line<S: AsRef<str>>(fields: &[S]) -> String {
    fields.iter().map(|f| field(f.as_ref())).collect::<Vec<_>>().join(",")
}

fn is_number(s: &str) -> bool {
    s.parse::<f64>().is_ok_and(f64::is_finite)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_numbers_kept() {
        assert_eq!(field("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assert_eq!(
            line(&["-591737252", "-3.5", "+502", "@x", "-x", "GTM-TECUNUMAN"]),
            "-591737252,-3.5,+502,'@x,'-x,GTM-TECUNUMAN"
        );
        assert_eq!(field("a,b"), "\"a,b\"");
    }

    #[test]
    fn tables_end_lines_in_crlf_and_spreadsheet_files_start_with_a_bom() {
        let mut t = Table::new(&["a", "b"]);
        t.row(&["línea", "x\ny"]);
        assert_eq!(t.finish(), "a,b\r\nlínea,\"x\ny\"\r\n");
        let t = Table::for_spreadsheet(&["a"]).finish();
        assert!(t.starts_with('\u{feff}') && t.ends_with("a\r\n"), "{t:?}");
        assert!(!Table::with_bom(&["a"], false).finish().starts_with('\u{feff}'));
    }
}
