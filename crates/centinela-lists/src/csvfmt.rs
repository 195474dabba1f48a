//! CSV readers: alert lists (`--format csv`), screening queries and document
//! lists (`--format documents`). Header columns are found by name, in any
//! order; unknown columns are ignored.

use std::collections::HashMap;
use std::io::{Read, Write};

use centinela_domain::text::MAX_LINE_CHARS;
use centinela_domain::{
    AlertEntry, BirthDate, CountryCode, DocumentNumber, DocumentRecord, DocumentStatus, Notice, Sex, check_line,
};

use crate::ParseError;

/// The columns an alert-list CSV must have.
pub const LIST_REQUIRED: [&str; 6] = ["id", "given_names", "surnames", "birth_date", "nationality", "sex"];
/// Optional alert-list columns: the alert's reason, action, issuing
/// authority and date of issue ([`Notice`]) are shown to the officer on a
/// hit.
pub const LIST_OPTIONAL: [&str; 7] =
    ["aliases", "document_numbers", "notes", "alert_reason", "alert_action", "alert_authority", "alert_issued"];
/// The columns a queries CSV must have.
pub const QUERY_REQUIRED: [&str; 6] = ["qid", "given_names", "surnames", "birth_date", "nationality", "sex"];
/// The columns a documents CSV must have (`reported_at` may be left out).
pub const DOCUMENTS_REQUIRED: [&str; 4] = ["document_number", "issuing_state", "document_type", "status"];

/// How birth dates are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dates {
    /// Calendar dates only (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`): what an alert
    /// list stored as the authority's record must hold.
    #[default]
    Strict,
    /// Also what travellers' records carry and still says something: a day
    /// the month lacks, one-digit parts, day and month swapped
    /// ([`BirthDate::parse_lenient`]). For screening, where a record is
    /// evidence to compare, not a record to keep.
    Lenient,
}

impl Dates {
    fn parse(self, row: &Row<'_>, s: &str) -> Result<BirthDate, ParseError> {
        BirthDate::parse(s)
            .or_else(|e| match self {
                Dates::Lenient => BirthDate::parse_lenient(s).ok_or(e),
                Dates::Strict => Err(e),
            })
            .map_err(|e| row.err("birth_date", e.to_string()))
    }
}

/// Column positions resolved from a header row.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    names: Vec<String>,
}

impl Columns {
    fn from_header(header: &csv::ByteRecord, required: &[&str]) -> Result<Self, ParseError> {
        let mut names = Vec::with_capacity(header.len());
        for (i, raw) in header.iter().enumerate() {
            let raw = if i == 0 { raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw) } else { raw };
            let name = std::str::from_utf8(raw)
                .map_err(|_| ParseError::new(1, "header", format!("column {} is not valid UTF-8", i + 1)))?;
            let name = name.trim().to_ascii_lowercase();
            if !name.is_empty() && names.contains(&name) {
                return Err(ParseError::new(1, "header", format!("column '{name}' appears twice")));
            }
            names.push(name);
        }
        let missing: Vec<&str> = required.iter().copied().filter(|r| !names.iter().any(|n| n == r)).collect();
        if !missing.is_empty() {
            return Err(ParseError::new(
                1,
                "header",
                format!("missing column(s) {}; expected a header with {}", missing.join(", "), required.join(",")),
            ));
        }
        Ok(Columns { names })
    }

    pub(crate) fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }
}

fn csv_reader<R: Read>(r: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(r)
}

/// A row of a CSV file with its line number, giving fields by column index.
pub(crate) struct Row<'a> {
    line: u64,
    record: &'a csv::ByteRecord,
}

impl Row<'_> {
    pub(crate) fn get(&self, idx: Option<usize>, name: &str) -> Result<&str, ParseError> {
        match idx.and_then(|i| self.record.get(i)) {
            None => Ok(""),
            Some(b) => {
                let s = std::str::from_utf8(b).map_err(|_| ParseError::new(self.line, name, "not valid UTF-8"))?;
                check_line(s, MAX_LINE_CHARS).map_err(|e| ParseError::new(self.line, name, e.to_string()))?;
                Ok(s)
            }
        }
    }

    pub(crate) fn err(&self, field: &str, message: impl Into<String>) -> ParseError {
        ParseError::new(self.line, field, message)
    }
}

/// Reads the header and then hands every data row to `f`.
pub(crate) struct CsvRows<R: Read> {
    rdr: csv::Reader<R>,
    pub(crate) cols: Columns,
    record: csv::ByteRecord,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    pub(crate) fn new(r: R, required: &[&str]) -> Result<Self, ParseError> {
        let mut rdr = csv_reader(r);
        let mut header = csv::ByteRecord::new();
        match rdr.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => return Err(ParseError::new(1, "header", "the file is empty: expected a header row")),
            Err(e) => return Err(csv_error(e)),
        }
        let cols = Columns::from_header(&header, required)?;
        Ok(CsvRows { rdr, cols, record: csv::ByteRecord::new(), done: false })
    }

    /// The next row, or `None` at the end. After an I/O error, ends.
    pub(crate) fn next_row<T>(
        &mut self,
        f: impl FnOnce(&Columns, &Row<'_>) -> Result<T, ParseError>,
    ) -> Option<Result<T, ParseError>> {
        if self.done {
            return None;
        }
        match self.rdr.read_byte_record(&mut self.record) {
            Ok(false) => {
                self.done = true;
                None
            }
            Err(e) => {
                let e = csv_error(e);
                if e.field == ParseError::IO_FIELD {
                    self.done = true;
                }
                Some(Err(e))
            }
            Ok(true) => {
                let line = self.record.position().map(|p| p.line()).unwrap_or(0);
                let row = Row { line, record: &self.record };
                if self.record.len() != self.cols.names.len() {
                    return Some(Err(row.err(
                        "row",
                        format!(
                            "expected {} fields as in the header, found {}",
                            self.cols.names.len(),
                            self.record.len()
                        ),
                    )));
                }
                Some(f(&self.cols, &row))
            }
        }
    }
}

fn csv_error(e: csv::Error) -> ParseError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::Io(io) => ParseError::new(line, ParseError::IO_FIELD, io.to_string()),
        _ => ParseError::new(line, "row", e.to_string()),
    }
}

/// Splits a `;`-separated cell into its trimmed, non-empty parts.
pub(crate) fn split_multi(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|p| !p.is_empty())
}

/// Streams the entries of an alert-list CSV (`--format csv`), one
/// `Result` per data row, so that a caller can count and report every
/// rejected line. Ids must be non-empty and unique within the file.
pub struct CsvListReader<R: Read> {
    rows: CsvRows<R>,
    idx: [Option<usize>; 13],
    /// Each id read so far, with its line.
    seen: HashMap<String, u64>,
    dates: Dates,
}

impl<R: Read> CsvListReader<R> {
    /// Reads and checks the header.
    pub fn new(r: R) -> Result<Self, ParseError> {
        let rows = CsvRows::new(r, &LIST_REQUIRED)?;
        let mut idx = [None; 13];
        for (i, name) in LIST_REQUIRED.iter().chain(LIST_OPTIONAL.iter()).enumerate() {
            idx[i] = rows.cols.index(name);
        }
        Ok(CsvListReader { rows, idx, seen: HashMap::new(), dates: Dates::Strict })
    }

    /// Reads birth dates as the given policy says (strict by default).
    pub fn dates(mut self, dates: Dates) -> Self {
        self.dates = dates;
        self
    }
}

impl<R: Read> Iterator for CsvListReader<R> {
    type Item = Result<AlertEntry, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (idx, dates) = (self.idx, self.dates);
        let seen = &mut self.seen;
        self.rows.next_row(|_, row| {
            let entry = parse_list_row(&idx, dates, row)?;
            if let Some(first) = seen.insert(entry.id.clone(), row.line) {
                return Err(row.err("id", format!("the same id as line {first}: every entry needs its own")));
            }
            Ok(entry)
        })
    }
}

fn parse_list_row(idx: &[Option<usize>; 13], dates: Dates, row: &Row<'_>) -> Result<AlertEntry, ParseError> {
    let [i_id, i_given, i_sur, i_birth, i_nat, i_sex, i_alias, i_docs, i_notes, i_reason, i_action, i_auth, i_issued] =
        *idx;
    let id = row.get(i_id, "id")?;
    if id.is_empty() {
        return Err(row.err("id", "empty: every entry needs an id"));
    }
    let given_names = row.get(i_given, "given_names")?;
    let surnames = row.get(i_sur, "surnames")?;
    let aliases: Vec<String> = split_multi(row.get(i_alias, "aliases")?).map(str::to_string).collect();
    if given_names.is_empty() && surnames.is_empty() && aliases.is_empty() {
        return Err(row.err("given_names", "no name: given_names, surnames and aliases are all empty"));
    }
    let birth_dates =
        split_multi(row.get(i_birth, "birth_date")?).map(|d| dates.parse(row, d)).collect::<Result<Vec<_>, _>>()?;
    let nationalities = parse_countries(row, row.get(i_nat, "nationality")?, "nationality")?;
    let sex = Sex::parse(row.get(i_sex, "sex")?).map_err(|e| row.err("sex", e.to_string()))?;
    let document_numbers = split_multi(row.get(i_docs, "document_numbers")?)
        .map(|d| DocumentNumber::parse(d).map_err(|e| row.err("document_numbers", e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AlertEntry {
        id: id.to_string(),
        given_names: given_names.to_string(),
        surnames: surnames.to_string(),
        aliases,
        birth_dates,
        nationalities,
        sex,
        document_numbers,
        notes: row.get(i_notes, "notes")?.to_string(),
        notice: Notice {
            reason: notice_text(row, i_reason, "alert_reason")?,
            action: notice_text(row, i_action, "alert_action")?,
            authority: notice_text(row, i_auth, "alert_authority")?,
            issued: BirthDate::parse_opt(row.get(i_issued, "alert_issued")?)
                .map_err(|e| row.err("alert_issued", e.to_string()))?,
        },
    })
}

/// A notice's text cell: at most [`Notice::MAX_TEXT`] characters.
fn notice_text(row: &Row<'_>, idx: Option<usize>, field: &str) -> Result<String, ParseError> {
    let s = row.get(idx, field)?;
    if s.chars().count() > Notice::MAX_TEXT {
        return Err(row.err(field, format!("longer than {} characters", Notice::MAX_TEXT)));
    }
    Ok(s.to_string())
}

/// `;`-separated alpha-3 codes; ISO alpha-2 codes are accepted and mapped.
fn parse_countries(row: &Row<'_>, cell: &str, field: &str) -> Result<Vec<CountryCode>, ParseError> {
    let mut out: Vec<CountryCode> = Vec::new();
    for c in split_multi(cell) {
        let code = crate::countries::to_alpha3(c).ok_or_else(|| {
            row.err(field, "not a country code: expected an ICAO/ISO 3166-1 alpha-3 code such as MEX")
        })?;
        if !out.contains(&code) {
            out.push(code);
        }
    }
    Ok(out)
}

/// Reads a whole alert-list CSV, stopping at the first rejected row.
pub fn read_csv_list<R: Read>(r: R) -> Result<Vec<AlertEntry>, ParseError> {
    CsvListReader::new(r)?.collect()
}

/// Writes entries as an alert-list CSV with every column this crate reads.
/// Multi-valued cells are joined with `;` (so an alias must not hold one).
pub fn write_csv_list<W: Write>(w: W, entries: &[AlertEntry]) -> std::io::Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(LIST_REQUIRED.iter().chain(LIST_OPTIONAL.iter()))?;
    for e in entries {
        wr.write_record([
            e.id.as_str(),
            &e.given_names,
            &e.surnames,
            &join(e.birth_dates.iter()),
            &join(e.nationalities.iter()),
            e.sex.as_str(),
            &e.aliases.join(";"),
            &join(e.document_numbers.iter()),
            &e.notes,
            &e.notice.reason,
            &e.notice.action,
            &e.notice.authority,
            &e.notice.issued.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    wr.flush()
}

fn join<T: std::fmt::Display>(it: impl Iterator<Item = T>) -> String {
    it.map(|v| v.to_string()).collect::<Vec<_>>().join(";")
}

/// One traveller of a screening queries file
/// (`qid,given_names,surnames,birth_date,nationality,sex`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryRecord {
    /// The line where the record starts.
    pub line: u64,
    pub qid: String,
    pub given_names: String,
    pub surnames: String,
    pub birth_date: Option<BirthDate>,
    pub nationalities: Vec<CountryCode>,
    pub sex: Sex,
    /// From the optional `document_number` column.
    pub document_number: Option<DocumentNumber>,
}

/// Streams a queries CSV, one `Result` per row.
pub struct QueryReader<R: Read> {
    rows: CsvRows<R>,
    idx: [Option<usize>; 7],
    dates: Dates,
}

impl<R: Read> QueryReader<R> {
    pub fn new(r: R) -> Result<Self, ParseError> {
        let rows = CsvRows::new(r, &QUERY_REQUIRED)?;
        let mut idx = [None; 7];
        for (i, name) in QUERY_REQUIRED.iter().chain(["document_number"].iter()).enumerate() {
            idx[i] = rows.cols.index(name);
        }
        Ok(QueryReader { rows, idx, dates: Dates::Strict })
    }

    /// Reads birth dates as the given policy says (strict by default).
    pub fn dates(mut self, dates: Dates) -> Self {
        self.dates = dates;
        self
    }
}

impl<R: Read> Iterator for QueryReader<R> {
    type Item = Result<QueryRecord, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let [i_qid, i_given, i_sur, i_birth, i_nat, i_sex, i_doc] = self.idx;
        let dates = self.dates;
        self.rows.next_row(|_, row| {
            let qid = row.get(i_qid, "qid")?;
            if qid.is_empty() {
                return Err(row.err("qid", "empty: every query needs a qid"));
            }
            Ok(QueryRecord {
                line: row.line,
                qid: qid.to_string(),
                given_names: row.get(i_given, "given_names")?.to_string(),
                surnames: row.get(i_sur, "surnames")?.to_string(),
                birth_date: match row.get(i_birth, "birth_date")? {
                    "" => None,
                    d => Some(dates.parse(row, d)?),
                },
                nationalities: parse_countries(row, row.get(i_nat, "nationality")?, "nationality")?,
                sex: Sex::parse(row.get(i_sex, "sex")?).map_err(|e| row.err("sex", e.to_string()))?,
                document_number: match row.get(i_doc, "document_number")? {
                    "" => None,
                    d => Some(DocumentNumber::parse(d).map_err(|e| row.err("document_number", e.to_string()))?),
                },
            })
        })
    }
}

/// Reads a whole queries CSV, stopping at the first rejected row.
pub fn read_query_csv<R: Read>(r: R) -> Result<Vec<QueryRecord>, ParseError> {
    QueryReader::new(r)?.collect()
}

/// Streams a documents CSV
/// (`document_number,issuing_state,document_type,status,reported_at`).
pub struct DocumentsReader<R: Read> {
    rows: CsvRows<R>,
    idx: [Option<usize>; 5],
}

impl<R: Read> DocumentsReader<R> {
    pub fn new(r: R) -> Result<Self, ParseError> {
        let rows = CsvRows::new(r, &DOCUMENTS_REQUIRED)?;
        let mut idx = [None; 5];
        for (i, name) in DOCUMENTS_REQUIRED.iter().chain(["reported_at"].iter()).enumerate() {
            idx[i] = rows.cols.index(name);
        }
        Ok(DocumentsReader { rows, idx })
    }
}

impl<R: Read> Iterator for DocumentsReader<R> {
    type Item = Result<DocumentRecord, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        let [i_num, i_state, i_type, i_status, i_rep] = self.idx;
        self.rows.next_row(|_, row| {
            let number = row.get(i_num, "document_number")?;
            let document_number =
                DocumentNumber::parse(number).map_err(|e| row.err("document_number", e.to_string()))?;
            let state = row.get(i_state, "issuing_state")?;
            let issuing_state = if state.is_empty() {
                None
            } else {
                Some(crate::countries::to_alpha3(state).ok_or_else(|| {
                    row.err("issuing_state", "not a country code: expected an alpha-3 code such as MEX")
                })?)
            };
            let status =
                DocumentStatus::parse(row.get(i_status, "status")?).map_err(|e| row.err("status", e.to_string()))?;
            let reported_at = row.get(i_rep, "reported_at")?;
            if !reported_at.is_empty() && !is_timestamp(reported_at) {
                return Err(row.err("reported_at", "not a date: expected YYYY-MM-DD or an RFC 3339 timestamp"));
            }
            Ok(DocumentRecord {
                document_number,
                issuing_state,
                document_type: row.get(i_type, "document_type")?.to_string(),
                status,
                reported_at: reported_at.to_string(),
            })
        })
    }
}

/// Reads a whole documents CSV, stopping at the first rejected row.
pub fn read_documents<R: Read>(r: R) -> Result<Vec<DocumentRecord>, ParseError> {
    DocumentsReader::new(r)?.collect()
}

/// Writes document records as a documents CSV.
pub fn write_documents<W: Write>(w: W, docs: &[DocumentRecord]) -> std::io::Result<()> {
    let mut wr = csv::Writer::from_writer(w);
    wr.write_record(["document_number", "issuing_state", "document_type", "status", "reported_at"])?;
    for d in docs {
        wr.write_record([
            d.document_number.as_str(),
            d.issuing_state.as_ref().map(|c| c.as_str()).unwrap_or(""),
            &d.document_type,
            d.status.as_str(),
            &d.reported_at,
        ])?;
    }
    wr.flush()
}

/// A full date, or a timestamp whose first ten characters are one
/// (`2024-03-01`, `2024-03-01T10:00:00Z`, `2024-03-01 10:00`).
pub(crate) fn is_timestamp(s: &str) -> bool {
    date_part(s).is_some_and(|d| d.is_full())
}

/// The date at the start of a date or timestamp, full or partial.
pub(crate) fn date_part(s: &str) -> Option<BirthDate> {
    let s = s.trim();
    let end = s.find(['T', 't', ' ']).unwrap_or(s.len());
    BirthDate::parse(&s[..end]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_dates_only_when_asked() {
        let list = "id,given_names,surnames,birth_date,nationality,sex\nL1,Ana,Pérez,1969-02-29,MEX,F\n";
        let err = read_csv_list(list.as_bytes()).unwrap_err();
        assert_eq!((err.line, err.field.as_str()), (2, "birth_date"));
        let e = CsvListReader::new(list.as_bytes()).unwrap().dates(Dates::Lenient).next().unwrap().unwrap();
        assert_eq!((e.birth_dates[0].month, e.birth_dates[0].day), (Some(2), Some(29)));

        let q = "qid,given_names,surnames,birth_date,nationality,sex,document_number\n\
                 Q1,Ana,Pérez,1980-17-05,MEX,F,g-123 45\nQ2,Ana,Pérez,soon,MEX,F,\n";
        let mut rows = QueryReader::new(q.as_bytes()).unwrap().dates(Dates::Lenient);
        let r = rows.next().unwrap().unwrap();
        assert_eq!(r.birth_date.map(|d| (d.month, d.day)), Some((Some(17), Some(5))));
        assert_eq!(r.document_number.unwrap().as_str(), "G12345");
        let err = rows.next().unwrap().unwrap_err();
        assert_eq!((err.line, err.field.as_str()), (3, "birth_date"));
    }

    #[test]
    fn reads_the_alerts_notice() {
        let list = "id,given_names,surnames,birth_date,nationality,sex,alert_reason,alert_action,alert_authority,alert_issued\n\
                    W1,Ana,Pérez,1980,MEX,F,Notificación roja: trata de personas,Detener y avisar a INTERPOL,INTERPOL Guatemala,2026-03-15\n\
                    W2,Luis,Mora,,,M,,,,\n";
        let v = read_csv_list(list.as_bytes()).unwrap();
        assert_eq!(v[0].notice.reason, "Notificación roja: trata de personas");
        assert_eq!(v[0].notice.action, "Detener y avisar a INTERPOL");
        assert_eq!(v[0].notice.authority, "INTERPOL Guatemala");
        assert_eq!(v[0].notice.issued.map(|d| d.to_string()).as_deref(), Some("2026-03-15"));
        assert!(v[1].notice.is_empty());
        let mut out = Vec::new();
        write_csv_list(&mut out, &v).unwrap();
        assert_eq!(read_csv_list(out.as_slice()).unwrap(), v);

        let bad = "id,given_names,surnames,birth_date,nationality,sex,alert_issued\nW1,Ana,Pérez,,,F,15/03/2026\n";
        let e = read_csv_list(bad.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "alert_issued"));
        let long = format!(
            "id,given_names,surnames,birth_date,nationality,sex,alert_reason\nW1,Ana,Pérez,,,F,{}\n",
            "x".repeat(501)
        );
        let e = read_csv_list(long.as_bytes()).unwrap_err();
        assert_eq!(e.field, "alert_reason");
    }

    const LIST: &str = "\
notes,id,surnames,given_names,birth_date,nationality,sex,aliases,document_numbers,extra
wanted for fraud,W1,Pérez López,Juan Carlos,1980-03,MEX;gt,M,Juan Perez; JC Lopez,G123-456,x
,W2,,Ana,,,F,,,y
";

    #[test]
    fn reads_list_any_column_order() {
        let v = read_csv_list(LIST.as_bytes()).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].id, "W1");
        assert_eq!(v[0].given_names, "Juan Carlos");
        assert_eq!(v[0].surnames, "Pérez López");
        assert_eq!(v[0].birth_dates[0].to_string(), "1980-03");
        assert_eq!(v[0].nationalities.iter().map(|c| c.as_str()).collect::<Vec<_>>(), ["MEX", "GTM"]);
        assert_eq!(v[0].sex, Sex::Male);
        assert_eq!(v[0].aliases, ["Juan Perez", "JC Lopez"]);
        assert_eq!(v[0].document_numbers[0].as_str(), "G123456");
        assert_eq!(v[0].notes, "wanted for fraud");
        assert_eq!(v[1].sex, Sex::Female);
        assert!(v[1].birth_dates.is_empty());
    }

    #[test]
    fn errors_name_line_and_field() {
        let bad = "id,given_names,surnames,birth_date,nationality,sex\nA,x,y,1980,MEX,M\nB,x,y,1980-13,MEX,M\n";
        let e = read_csv_list(bad.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (3, "birth_date"));
        let bad = "id,given_names,surnames,birth_date,nationality\n";
        let e = read_csv_list(bad.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (1, "header"));
        assert!(e.message.contains("sex"));
        let dup = "id,given_names,surnames,birth_date,nationality,sex\nA,x,y,,,\nA,z,y,,,\n";
        let e = read_csv_list(dup.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (3, "id"));
        let short = "id,given_names,surnames,birth_date,nationality,sex\nA,x,y\n";
        let e = read_csv_list(short.as_bytes()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "row"));
        let e = read_csv_list(&b"id,given_names,surnames,birth_date,nationality,sex\nA,\xff,y,,,\n"[..]).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "given_names"));
        let e = read_csv_list(&b""[..]).unwrap_err();
        assert_eq!(e.field, "header");
    }

    #[test]
    fn counts_every_rejected_row() {
        let f = "id,given_names,surnames,birth_date,nationality,sex\nA,x,y,,,\nB,x,y,,XX1,\nC,x,y,,,Q\nD,x,y,,,\n";
        let results: Vec<_> = CsvListReader::new(f.as_bytes()).unwrap().collect();
        let lines: Vec<u64> = results.iter().filter_map(|r| r.as_ref().err().map(|e| e.line)).collect();
        assert_eq!(results.len(), 4);
        assert_eq!(lines, [3, 4]);
    }

    #[test]
    fn queries_and_documents() {
        let q = "qid,given_names,surnames,birth_date,nationality,sex\nq1,Ana,Ruiz,1990-01-02,SLV,F\n";
        let v = read_query_csv(q.as_bytes()).unwrap();
        assert_eq!(v[0].qid, "q1");
        assert_eq!(v[0].birth_date.unwrap().to_string(), "1990-01-02");
        let d = "document_number,issuing_state,document_type,status,reported_at\n\
                 G12 345,MEX,P,stolen,2024-01-05T10:00:00Z\nX9,,ID,lost,\nZ1,GTM,P,found,\n";
        let r: Vec<_> = DocumentsReader::new(d.as_bytes()).unwrap().collect();
        let a = r[0].as_ref().unwrap();
        assert_eq!(a.document_number.as_str(), "G12345");
        assert_eq!(a.status, DocumentStatus::Stolen);
        assert_eq!(r[1].as_ref().unwrap().issuing_state, None);
        assert_eq!(r[2].as_ref().unwrap_err().field, "status");
    }
}
