//! `centinela intel persons | facilitators | rings | documents | contacts`:
//! identity resolution and network analysis over the stored crossings
//! (`CONTRACTS.md`, "Intelligence outputs"), with the analysts' merge and
//! split decisions in force applied. `--crossings FILE` reads a crossings
//! CSV instead of the database (for benchmarks on sets too big to import
//! first; no decisions applied). `intel merge | split | withdraw |
//! decisions` keep those decisions (audited); `intel export` writes the
//! network as FollowTheMoney JSON lines or GraphML.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use centinela_domain::CrossingRecord;
use centinela_intel::export::Format;
use centinela_intel::{Analysis, Crossings, Override, Report, Timings, analyse};
use centinela_lists::{CrossingReader, ParseError};
use centinela_store::{OverrideKind, StoreError};

use crate::Global;
use crate::cmd::{Unreadable, open_store, runtime};

#[derive(Debug, clap::Args)]
pub struct Source {
    /// Read crossings from this CSV (the `import crossings` layout) instead of the database.
    #[arg(long, global = true, value_name = "FILE")]
    crossings: Option<PathBuf>,
    /// Print the wall time of each phase (load, resolution, graph, detectors) to standard error.
    #[arg(long, global = true)]
    timings: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Resolve identities: CSV `crossing_id,person_id` for every crossing.
    Persons {
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
    /// Likely facilitators (N2, N4, N5, T1), best first, as JSON lines.
    Facilitators {
        /// Only the K best.
        #[arg(long, value_name = "K")]
        top: Option<usize>,
        #[command(flatten)]
        source: Source,
    },
    /// Likely rings (communities of facilitators), best first, as JSON lines.
    Rings {
        #[command(flatten)]
        source: Source,
    },
    /// Documents used by more than one resolved person (N3), as JSON lines.
    Documents {
        #[command(flatten)]
        source: Source,
    },
    /// Phones and addresses given by unrelated persons (N1), as JSON lines.
    Contacts {
        #[command(flatten)]
        source: Source,
    },
    /// Record that two crossings are the same person (applied on every analysis; audited).
    Merge {
        crossing_a: String,
        crossing_b: String,
        /// Why, for the record.
        #[arg(long, default_value = "")]
        reason: String,
        /// Who decides, for the audit log.
        #[arg(long, default_value = "system")]
        actor: String,
    },
    /// Record that two crossings are not the same person (applied on every analysis; audited).
    Split {
        crossing_a: String,
        crossing_b: String,
        /// Why, for the record.
        #[arg(long, default_value = "")]
        reason: String,
        /// Who decides, for the audit log.
        #[arg(long, default_value = "system")]
        actor: String,
    },
    /// Withdraw a merge or split decision by its id (a new record; audited).
    Withdraw {
        id: i64,
        #[arg(long, default_value = "")]
        reason: String,
        #[arg(long, default_value = "system")]
        actor: String,
    },
    /// The merge and split decisions in force, as JSON lines.
    Decisions,
    /// The network (persons with links, or one ring) as FollowTheMoney JSON lines or GraphML.
    Export {
        /// `ftm` (FollowTheMoney JSON lines) or `graphml` (Gephi, i2, Maltego).
        #[arg(long, value_parser = ["ftm", "graphml"])]
        format: String,
        /// Only this ring's members (e.g. `K001`) and the links among them.
        #[arg(long, value_name = "RING_ID")]
        ring: Option<String>,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        source: Source,
    },
}

/// Reads of the stored crossings' intelligence are audited like the API's
/// (actor `cli`, ids and counts only), before anything is written out; a
/// CSV source is the caller's own file, not the database's records.
fn audit_read(source: &Source, global: &Global, action: &str, detail: serde_json::Value) -> anyhow::Result<()> {
    if source.crossings.is_some() {
        return Ok(());
    }
    runtime()?.block_on(async {
        let store = open_store(global).await?;
        store.audit_append("cli", action, "intel", &detail.to_string()).await.context("writing the audit entry")?;
        store.close().await;
        Ok(())
    })
}

fn decide(
    global: &Global,
    kind: OverrideKind,
    a: &str,
    b: &str,
    reason: &str,
    actor: &str,
) -> anyhow::Result<ExitCode> {
    let rt = runtime()?;
    let store = rt.block_on(open_store(global))?;
    match rt.block_on(store.add_intel_override(actor, kind, a, b, reason)) {
        Ok(o) => {
            println!("{}", serde_json::to_string(&o)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e @ (StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Invalid(_))) => {
            eprintln!("error: {e}");
            Ok(ExitCode::from(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// Records per batch handed from the parsing thread to the interning one.
const BATCH: usize = 4096;

/// The crossings and the analysts' decisions in force, as the resolver
/// takes them: from the database in one connection (none for a CSV
/// source).
fn load(source: &Source, global: &Global) -> anyhow::Result<(Crossings, Vec<Override>)> {
    let mut c = Crossings::default();
    let mut decisions = Vec::new();
    match &source.crossings {
        Some(path) => {
            let shown = path.display().to_string();
            let f = File::open(path).map_err(|e| Unreadable(format!("{shown}: cannot open: {e}")))?;
            let whole = |e: ParseError| Unreadable(format!("{shown}:{}: field {}: {}", e.line, e.field, e.message));
            let reader = CrossingReader::new(std::io::BufReader::with_capacity(1 << 20, f)).map_err(whole)?;
            // Reading and checking the CSV on one thread, interning on this
            // one: the two halves of the load overlap on two cores.
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<CrossingRecord>, ParseError>>(8);
            std::thread::scope(|s| -> anyhow::Result<()> {
                s.spawn(move || {
                    let mut batch = Vec::with_capacity(BATCH);
                    for r in reader {
                        match r {
                            Ok(rec) => {
                                batch.push(rec);
                                if batch.len() == BATCH {
                                    let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                                    if tx.send(Ok(full)).is_err() {
                                        return; // the other side stopped at an error
                                    }
                                }
                            }
                            Err(e) => {
                                let _ = tx.send(Err(e));
                                return;
                            }
                        }
                    }
                    let _ = tx.send(Ok(batch));
                });
                for batch in rx {
                    for r in &batch.map_err(whole)? {
                        c.push(r);
                    }
                }
                Ok(())
            })?;
        }
        None => {
            // One runtime for the pool and its queries: a pool made in one
            // runtime cannot be used from another (PostgreSQL's connections
            // belong to it).
            let rows;
            (rows, decisions) = runtime()?.block_on(async {
                let store = open_store(global).await?;
                let rows = store.crossings_between(None, None, None).await.context("reading crossings")?;
                let decisions =
                    centinela_app::intel::overrides(&store).await.context("reading the analysts' decisions")?;
                store.close().await;
                anyhow::Ok((rows, decisions))
            })?;
            for r in &rows {
                c.push(&r.record);
            }
        }
    }
    c.shrink();
    Ok((c, decisions))
}

/// With `--timings`: one line on standard error.
fn print_timings(source: &Source, load: Duration, phases: &Timings, total: Duration) {
    if source.timings {
        eprintln!("timings: load {:.2} s, {}; total {:.2} s", load.as_secs_f64(), phases.line(), total.as_secs_f64());
    }
}

fn run_analysis(source: &Source, global: &Global) -> anyhow::Result<(Crossings, Analysis)> {
    let t0 = Instant::now();
    let (c, decisions) = load(source, global)?;
    let t1 = Instant::now();
    let a = analyse(&c, &decisions);
    tracing::info!(
        crossings = c.len(),
        persons = a.resolution.persons,
        compared = a.resolution.compared,
        load_s = (t1 - t0).as_secs_f64(),
        analyse_s = t1.elapsed().as_secs_f64(),
        "intel: analysed"
    );
    print_timings(source, t1 - t0, &a.timings, t0.elapsed());
    Ok((c, a))
}

/// Prints items as JSON lines on standard output.
macro_rules! json_lines {
    ($items:expr) => {{
        let mut out = BufWriter::new(std::io::stdout().lock());
        for x in $items {
            serde_json::to_writer(&mut out, x)?;
            out.write_all(b"\n")?;
        }
        out.flush()?;
    }};
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Persons { out, source } => {
            let t0 = Instant::now();
            let (c, decisions) = load(&source, global)?;
            let t1 = Instant::now();
            let r = centinela_intel::resolve(&c, &centinela_intel::Params::default(), &decisions);
            tracing::info!(
                crossings = c.len(),
                persons = r.persons,
                compared = r.compared,
                seconds = t0.elapsed().as_secs_f64(),
                "intel: resolved"
            );
            print_timings(&source, t1 - t0, &r.timings, t0.elapsed());
            let detail = serde_json::json!({ "crossings": c.len(), "persons": r.persons });
            audit_read(&source, global, "intel_persons_viewed", detail)?;
            let w: Box<dyn Write> = match &out {
                Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut w = BufWriter::with_capacity(1 << 20, w);
            let eol = centinela_domain::csv::EOL;
            write!(w, "crossing_id,person_id{eol}")?;
            for i in 0..c.len() {
                let line = centinela_domain::csv::line(&[&c.ids[i][..], &r.person_id(i).to_string()]);
                write!(w, "{line}{eol}")?;
            }
            w.flush()?;
        }
        Command::Facilitators { top, source } => {
            let (_, a) = run_analysis(&source, global)?;
            let n = top.unwrap_or(usize::MAX).min(a.facilitators.len());
            audit_read(&source, global, "intel_facilitators_viewed", serde_json::json!({ "returned": n }))?;
            json_lines!(&a.facilitators[..n]);
        }
        Command::Rings { source } => {
            let (_, a) = run_analysis(&source, global)?;
            audit_read(&source, global, "intel_rings_viewed", serde_json::json!({ "returned": a.rings.len() }))?;
            json_lines!(&a.rings);
        }
        Command::Documents { source } => {
            let (c, a) = run_analysis(&source, global)?;
            let reuse = centinela_intel::detect::document_reuse(&c, &a.resolution, &a.graph);
            audit_read(&source, global, "intel_documents_viewed", serde_json::json!({ "returned": reuse.len() }))?;
            json_lines!(&reuse);
        }
        Command::Contacts { source } => {
            let (c, a) = run_analysis(&source, global)?;
            let shared = centinela_intel::detect::shared_contacts(&c, &a.graph);
            audit_read(&source, global, "intel_contacts_viewed", serde_json::json!({ "returned": shared.len() }))?;
            json_lines!(&shared);
        }
        Command::Merge { crossing_a, crossing_b, reason, actor } => {
            return decide(global, OverrideKind::Merge, &crossing_a, &crossing_b, &reason, &actor);
        }
        Command::Split { crossing_a, crossing_b, reason, actor } => {
            return decide(global, OverrideKind::Split, &crossing_a, &crossing_b, &reason, &actor);
        }
        Command::Withdraw { id, reason, actor } => {
            let rt = runtime()?;
            let store = rt.block_on(open_store(global))?;
            match rt.block_on(store.withdraw_intel_override(&actor, id, &reason)) {
                Ok(()) => {}
                Err(e @ (StoreError::NotFound(_) | StoreError::Conflict(_) | StoreError::Invalid(_))) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(1));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Decisions => {
            let decisions = runtime()?.block_on(async {
                let store = open_store(global).await?;
                anyhow::Ok(centinela_app::App::new(store).intel_decisions(centinela_app::Caller::Cli).await?)
            })?;
            json_lines!(&decisions);
        }
        Command::Export { format, ring, out, source } => {
            let format = Format::parse(&format).ok_or_else(|| Unreadable(format!("unknown format {format}")))?;
            let t0 = Instant::now();
            let (c, decisions) = load(&source, global)?;
            let report = Report::build(c, &decisions);
            let persons = match &ring {
                Some(id) => match report.ring(id) {
                    Some(r) => r.persons.clone(),
                    None => {
                        eprintln!("error: no ring {id} (see `centinela intel rings`)");
                        return Ok(ExitCode::from(1));
                    }
                },
                None => report.linked_persons(),
            };
            let detail = serde_json::json!({ "format": format.as_str(), "ring": ring, "persons": persons.len() });
            audit_read(&source, global, "intel_exported", detail)?;
            let w: Box<dyn Write> = match &out {
                Some(p) => Box::new(File::create(p).with_context(|| format!("creating {}", p.display()))?),
                None => Box::new(std::io::stdout().lock()),
            };
            let mut w = BufWriter::with_capacity(1 << 20, w);
            centinela_intel::export::write(&report, &persons, format, &mut w)?;
            w.flush()?;
            tracing::info!(persons = persons.len(), seconds = t0.elapsed().as_secs_f64(), "intel: exported");
        }
    }
    Ok(ExitCode::SUCCESS)
}
