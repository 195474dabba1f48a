//! `centinela screen`: screen travellers against an alert list, in bulk.
//!
//! Reads LIST.csv and QUERIES.csv (formats in CONTRACTS.md), builds the
//! name-screening index, screens every query on all cores and writes
//! `qid,list_id,score` rows in query order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use centinela_domain::AlertEntry;
use centinela_domain::csv::{EOL, field as csv_field};
use centinela_lists::{CsvListReader, Dates, ParseError, QueryReader};
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
    /// Add the score model's features of each row (what `bench/fit_screen.py`
    /// fits the weights on), one column each, named as in the model.
    #[arg(long, conflicts_with = "explain")]
    pub features: bool,
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
        write!(w, "qid,list_id,score,explanation{EOL}")?;
    } else if args.features {
        write!(w, "qid,list_id,score,{}{EOL}", centinela_names::FEATURES.join(","))?;
    } else {
        write!(w, "qid,list_id,score{EOL}")?;
    }
    for ((qid, q), hits) in queries.iter().zip(&results) {
        for h in hits {
            let id = &screener.entry(h.entry).id;
            write!(w, "{},{},{:.4}", csv_field(qid), csv_field(id), h.score)?;
            if args.explain {
                write!(w, ",{}", csv_field(&h.explanation.to_string()))?;
            }
            if args.features {
                for v in screener.features(q, h.entry) {
                    write!(w, ",{v:.6}")?;
                }
            }
            w.write_all(EOL.as_bytes())?;
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

/// Reads a whole CSV through one of `centinela-lists`' readers. Any error
/// makes the input unusable as a whole (exit 2) and names file, line and field.
fn read_all<T, I>(path: &Path, open: impl FnOnce(File) -> Result<I, ParseError>) -> anyhow::Result<Vec<T>>
where
    I: Iterator<Item = Result<T, ParseError>>,
{
    let shown = path.display();
    let file = File::open(path).map_err(|e| Unreadable(format!("{shown}: cannot read: {e}")))?;
    let at = |e: ParseError| Unreadable(format!("{shown}:{}: field {}: {}", e.line, e.field, e.message));
    let rows = open(file).map_err(at)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(|e| at(e).into())
}

/// Birth dates are read leniently on both sides: records from the field
/// carry impossible dates (`1969-02-29`) and day and month swapped, and those
/// are still evidence. Text that is no date at all is an error.
pub(crate) fn read_list(path: &Path) -> anyhow::Result<Vec<AlertEntry>> {
    read_all(path, |f| Ok(CsvListReader::new(f)?.dates(Dates::Lenient)))
}

pub(crate) fn read_queries(path: &Path) -> anyhow::Result<Vec<(String, Query)>> {
    let records = read_all(path, |f| Ok(QueryReader::new(f)?.dates(Dates::Lenient)))?;
    Ok(records
        .into_iter()
        .map(|r| {
            let q = Query {
                given_names: r.given_names,
                surnames: r.surnames,
                birth_date: r.birth_date,
                nationality: r.nationalities.first().copied(),
                sex: r.sex,
                document_number: r.document_number,
            };
            (r.qid, q)
        })
        .collect())
}
