//! `centinela screen`: screen travellers against an alert list, in bulk.
//!
//! Reads LIST.csv and QUERIES.csv (formats in CONTRACTS.md), builds the
//! name-screening index, screens every query on all cores and writes
//! `qid,list_id,score` rows in query order.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use centinela_domain::{AlertEntry, BirthDate, CountryCode, DocumentNumber, Sex};
use centinela_names::{DEFAULT_THRESHOLD, Query, ScreenOptions, Screener};

use crate::cmd::Unreadable;

/// Screen travellers against an alert list.
///
/// Without --candidates, writes one row per alert raised at the shipped
/// threshold; with --candidates K, the K best candidates of every query
/// whatever their score.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The alert list: CSV with header id,given_names,surnames,birth_date,nationality,sex
    /// (optional columns aliases and document_numbers, `;`-separated).
    #[arg(long, value_name = "LIST.csv")]
    pub list: PathBuf,
    /// The travellers: CSV with header qid,given_names,surnames,birth_date,nationality,sex
    /// (optional column document_number).
    #[arg(long, value_name = "QUERIES.csv")]
    pub queries: PathBuf,
    /// Where to write the hits (qid,list_id,score); stdout when absent.
    #[arg(long, value_name = "HITS.csv")]
    pub out: Option<PathBuf>,
    /// Write the K best candidates of each query, whatever their score.
    #[arg(long, value_name = "K")]
    pub candidates: Option<usize>,
    /// Alert threshold in [0,1] (default: the shipped threshold).
    #[arg(long, value_name = "T", conflicts_with = "candidates")]
    pub threshold: Option<f64>,
    /// Add an `explanation` column saying why each row scored what it did.
    #[arg(long)]
    pub explain: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let t0 = Instant::now();
    let list = read_list(&args.list)?;
    let queries = read_queries(&args.queries)?;
    let t_read = t0.elapsed();
    let t1 = Instant::now();
    let n_entries = list.len();
    let screener = Screener::build(list);
    let t_build = t1.elapsed();
    let opts = match args.candidates {
        Some(k) => ScreenOptions::candidates(k),
        None => {
            let threshold = args.threshold.unwrap_or(DEFAULT_THRESHOLD);
            if !(0.0..=1.0).contains(&threshold) {
                return Err(Unreadable(format!("--threshold {threshold}: expected a number in [0, 1]")).into());
            }
            ScreenOptions { threshold, top_k: None }
        }
    };
    let t2 = Instant::now();
    let qs: Vec<Query> = queries.iter().map(|(_, q)| q.clone()).collect();
    let results = screener.screen_many(&qs, &opts);
    let t_screen = t2.elapsed();

    let sink: Box<dyn Write> = match &args.out {
        Some(p) => Box::new(File::create(p).with_context(|| format!("cannot create {}", p.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = BufWriter::with_capacity(1 << 16, sink);
    let mut rows = 0usize;
    if args.explain {
        writeln!(w, "qid,list_id,score,explanation")?;
    } else {
        writeln!(w, "qid,list_id,score")?;
    }
    for ((qid, _), hits) in queries.iter().zip(&results) {
        for h in hits {
            let id = &screener.entry(h.entry).id;
            write!(w, "{},{},{:.4}", csv_field(qid), csv_field(id), h.score)?;
            if args.explain {
                write!(w, ",{}", csv_field(&h.explanation.to_string()))?;
            }
            writeln!(w)?;
            rows += 1;
        }
    }
    w.flush()?;
    eprintln!(
        "screened {} queries against {} entries: {} rows; read {:.2}s, index {:.2}s, screen {:.2}s ({:.0} queries/s)",
        queries.len(),
        n_entries,
        rows,
        t_read.as_secs_f64(),
        t_build.as_secs_f64(),
        t_screen.as_secs_f64(),
        queries.len() as f64 / t_screen.as_secs_f64().max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// A CSV file parsed into records, each with the line it starts on.
struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<Record>,
}

impl Table {
    fn read(path: &Path, required: &[&str]) -> anyhow::Result<Table> {
        let mut text = String::new();
        File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(|e| Unreadable(format!("{}: cannot read: {e}", path.display())))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut records =
            parse_csv(text).map_err(|(line, msg)| Unreadable(format!("{}:{line}: {msg}", path.display())))?;
        if records.is_empty() {
            return Err(Unreadable(format!("{}:1: field header: the file is empty", path.display())).into());
        }
        let (_, header) = records.remove(0);
        let header: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
        let missing: Vec<&str> = required.iter().copied().filter(|r| !header.iter().any(|h| h == r)).collect();
        if !missing.is_empty() {
            return Err(Unreadable(format!(
                "{}:1: field header: missing column(s) {}; expected {}",
                path.display(),
                missing.join(", "),
                required.join(",")
            ))
            .into());
        }
        for (line, r) in &records {
            if r.len() != header.len() {
                return Err(Unreadable(format!(
                    "{}:{line}: field row: expected {} fields as in the header, found {}",
                    path.display(),
                    header.len(),
                    r.len()
                ))
                .into());
            }
        }
        Ok(Table { path: path.to_path_buf(), header, rows: records })
    }

    fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    fn err(&self, line: usize, field: &str, msg: impl std::fmt::Display) -> anyhow::Error {
        Unreadable(format!("{}:{line}: field {field}: {msg}", self.path.display())).into()
    }
}

/// A CSV record with the line it starts on.
type Record = (usize, Vec<String>);

/// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line
/// breaks. Blank lines are skipped. Returns records with their first line.
fn parse_csv(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut out = Vec::new();
    let mut line = 1usize;
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let start = line;
        let mut rec = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut was_quoted = false;
        loop {
            let Some(c) = chars.next() else {
                if quoted {
                    return Err((start, "a quoted field is not closed".into()));
                }
                break;
            };
            if quoted {
                match c {
                    '"' if chars.peek() == Some(&'"') => {
                        chars.next();
                        field.push('"');
                    }
                    '"' => quoted = false,
                    '\n' => {
                        line += 1;
                        field.push(c);
                    }
                    _ => field.push(c),
                }
                continue;
            }
            match c {
                '"' if field.trim().is_empty() && !was_quoted => {
                    field.clear();
                    quoted = true;
                    was_quoted = true;
                }
                ',' => {
                    rec.push(std::mem::take(&mut field));
                    was_quoted = false;
                }
                '\r' => {}
                '\n' => {
                    line += 1;
                    break;
                }
                _ => field.push(c),
            }
        }
        rec.push(field);
        if rec.len() == 1 && rec[0].trim().is_empty() {
            continue;
        }
        out.push((start, rec));
    }
    Ok(out)
}

/// A birth date, read leniently: records from the field carry impossible
/// dates (`1969-02-29`) and day and month the other way round; those are
/// still evidence. Text that is no date at all is an error.
fn birth_date(t: &Table, line: usize, s: &str) -> anyhow::Result<BirthDate> {
    match BirthDate::parse(s) {
        Ok(d) => Ok(d),
        Err(e) => centinela_names::dates::parse_lenient(s).ok_or_else(|| t.err(line, "birth_date", e)),
    }
}

fn split_multi(s: &str) -> impl Iterator<Item = &str> {
    s.split(';').map(str::trim).filter(|p| !p.is_empty())
}

fn read_list(path: &Path) -> anyhow::Result<Vec<AlertEntry>> {
    let t = Table::read(path, &["id", "given_names", "surnames", "birth_date", "nationality", "sex"])?;
    let c = |n: &str| t.col(n);
    let (ci, cg, cs, cb, cn, cx) =
        (c("id"), c("given_names"), c("surnames"), c("birth_date"), c("nationality"), c("sex"));
    let (ca, cd) = (c("aliases"), c("document_numbers"));
    let get = |r: &Vec<String>, i: Option<usize>| i.map(|i| r[i].trim().to_string()).unwrap_or_default();
    let mut out = Vec::with_capacity(t.rows.len());
    let mut seen = std::collections::HashSet::new();
    for (line, r) in &t.rows {
        let id = get(r, ci);
        if id.is_empty() {
            return Err(t.err(*line, "id", "empty: every entry needs an id"));
        }
        if !seen.insert(id.clone()) {
            return Err(t.err(*line, "id", format!("id '{id}' appears more than once")));
        }
        let birth_dates =
            split_multi(&get(r, cb)).map(|d| birth_date(&t, *line, d)).collect::<anyhow::Result<Vec<_>>>()?;
        let nationalities = split_multi(&get(r, cn))
            .map(|d| CountryCode::parse(d).map_err(|e| t.err(*line, "nationality", e)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let sex = Sex::parse(&get(r, cx)).map_err(|e| t.err(*line, "sex", e))?;
        let document_numbers = split_multi(&get(r, cd))
            .map(|d| DocumentNumber::parse(d).map_err(|e| t.err(*line, "document_numbers", e)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        out.push(AlertEntry {
            id,
            given_names: get(r, cg),
            surnames: get(r, cs),
            aliases: split_multi(&get(r, ca)).map(str::to_string).collect(),
            birth_dates,
            nationalities,
            sex,
            document_numbers,
            notes: String::new(),
        });
    }
    Ok(out)
}

fn read_queries(path: &Path) -> anyhow::Result<Vec<(String, Query)>> {
    let t = Table::read(path, &["qid", "given_names", "surnames", "birth_date", "nationality", "sex"])?;
    let c = |n: &str| t.col(n);
    let (ci, cg, cs, cb, cn, cx) =
        (c("qid"), c("given_names"), c("surnames"), c("birth_date"), c("nationality"), c("sex"));
    let cd = c("document_number");
    let get = |r: &Vec<String>, i: Option<usize>| i.map(|i| r[i].trim().to_string()).unwrap_or_default();
    let mut out = Vec::with_capacity(t.rows.len());
    for (line, r) in &t.rows {
        let qid = get(r, ci);
        if qid.is_empty() {
            return Err(t.err(*line, "qid", "empty: every query needs a qid"));
        }
        let q = Query {
            given_names: get(r, cg),
            surnames: get(r, cs),
            birth_date: {
                let d = get(r, cb);
                if d.is_empty() { None } else { Some(birth_date(&t, *line, &d)?) }
            },
            nationality: CountryCode::parse_opt(&get(r, cn)).map_err(|e| t.err(*line, "nationality", e))?,
            sex: Sex::parse(&get(r, cx)).map_err(|e| t.err(*line, "sex", e))?,
            document_number: {
                let d = get(r, cd);
                if d.is_empty() {
                    None
                } else {
                    Some(DocumentNumber::parse(&d).map_err(|e| t.err(*line, "document_number", e))?)
                }
            },
        };
        out.push((qid, q));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn csv_records() {
        let r = parse_csv("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"multi\nline\",z\r\n").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[1], (2, vec!["x, y".to_string(), "say \"hi\"".to_string()]));
        assert_eq!(r[2], (4, vec!["multi\nline".to_string(), "z".to_string()]));
        assert!(parse_csv("a\n\"open").is_err());
    }
}
