//! One CSV field as every export writes it (RFC 4180): quoted when it holds
//! `,`, `"`, CR or LF or starts with a byte-order mark, `"` doubled; and
//! defused when a spreadsheet would evaluate it — a field starting with
//! `=`, `+`, `-`, `@`, TAB or CR gets a leading `'`, unless it is a plain
//! number (`-3.5` stays a number). Exports are opened by people, in
//! spreadsheets; what came from outside must never run there.

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
}
