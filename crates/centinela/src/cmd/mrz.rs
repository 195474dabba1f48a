//! `centinela mrz`: read and verify machine-readable zones, one JSON object
//! per document (contract in CONTRACTS.md), or generate random ones.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use centinela_mrz::{Date, Fields, Format, PartialDate, Zone, codes, generate};

use crate::cmd::Unreadable;

/// Read and verify ICAO 9303 machine-readable zones (TD1, TD2, TD3, MRV-A, MRV-B).
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// File of MRZ blocks; standard input when absent or `-`.
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Verify against this date (YYYY-MM-DD) instead of today's UTC date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Print N random MRZ blocks (TD1, TD2, TD3, MRV-A, MRV-B in turn) instead of reading.
    #[arg(long, value_name = "N", conflicts_with = "file")]
    pub generate: Option<u64>,
    /// Seed of --generate.
    #[arg(long, value_name = "S", default_value_t = 1, requires = "generate")]
    pub seed: u64,
    /// With --generate: probability in [0,1] that a block gets one character
    /// replaced by another MRZ character (it stays readable, and mostly fails a check).
    #[arg(long, value_name = "P", default_value_t = 0.0, requires = "generate")]
    pub corrupt: f64,
}

const AFTER_HELP: &str = "\
Input: documents separated by one or more blank lines, each its 2 or 3 MRZ lines (surrounding \
whitespace ignored). Output: one JSON object per document, one per line, in input order: the \
fields, every check digit, `valid`, and `warnings` (stable codes such as expired, under_18, \
name_truncated, nationality_differs_from_issuing_state, unknown_nationality). An unreadable block \
prints {\"error\":\"...\",\"line\":N} (N: its first line) and reading goes on; the exit status is then 2.

With --generate N, prints N random MRZ blocks of all five formats instead (deterministic for a \
given --seed), for tests and benchmarks.";

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let result = match args.generate {
        Some(n) => {
            if !(0.0..=1.0).contains(&args.corrupt) {
                return Err(Unreadable("--corrupt must be in [0,1]".into()).into());
            }
            write_generated(&mut out, n, args.seed, args.corrupt).map(|()| ExitCode::SUCCESS)
        }
        None => {
            let today = match &args.today {
                Some(s) => parse_date(s).ok_or_else(|| Unreadable(format!("--today {s:?}: expected YYYY-MM-DD")))?,
                None => system_today(),
            };
            let text = read_input(args.file.as_ref())?;
            verify_blocks(&mut out, &text, today)
        }
    };
    match result.and_then(|code| out.flush().map(|()| code).map_err(Into::into)) {
        Err(e) if e.downcast_ref::<io::Error>().is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe) => {
            Ok(ExitCode::SUCCESS)
        }
        r => r,
    }
}

fn system_today() -> Date {
    let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    Date::from_unix_seconds(secs)
}

fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let y = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let d = it.next()?.parse().ok()?;
    Date::new(y, m, d)
}

fn read_input(file: Option<&PathBuf>) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    match file {
        Some(p) if p.as_os_str() != "-" => {
            File::open(p)
                .and_then(|mut f| f.read_to_end(&mut bytes))
                .map_err(|e| Unreadable(format!("cannot read {}: {e}", p.display())))?;
        }
        _ => {
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|e| Unreadable(format!("cannot read standard input: {e}")))?;
        }
    }
    // Bytes that are not UTF-8 become U+FFFD and are reported as bad characters.
    Ok(match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// Verifies every block of `text`; exit status 2 when any block is unreadable.
fn verify_blocks(out: &mut impl Write, text: &str, today: Date) -> anyhow::Result<ExitCode> {
    let mut unreadable = 0usize;
    let mut block: Vec<&str> = Vec::with_capacity(3);
    let mut start = 0usize;
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((i, line)) = lines.next() {
        let blank = line.trim().is_empty();
        if !blank {
            if block.is_empty() {
                start = i + 1;
            }
            block.push(line);
        }
        let last = lines.peek().is_none();
        if (blank || last) && !block.is_empty() {
            match Zone::from_lines(&block) {
                Ok(zone) => serde_json::to_writer(&mut *out, &zone.document(today))?,
                Err(e) => {
                    unreadable += 1;
                    let msg = format!("line {}, column {}: {}", start + e.line - 1, e.column, e.kind);
                    serde_json::to_writer(&mut *out, &serde_json::json!({"error": msg, "line": start}))?;
                }
            }
            out.write_all(b"\n")?;
            block.clear();
        }
    }
    if unreadable > 0 {
        tracing::warn!(unreadable, "some blocks could not be read as MRZs");
        Ok(ExitCode::from(2))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// SplitMix64: a tiny deterministic PRNG, good enough for test data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }

    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len() as u64) as usize]
    }

    fn alnum(&mut self, len: usize) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        (0..len).map(|_| A[self.below(A.len() as u64) as usize] as char).collect()
    }
}

const SURNAMES: &[&str] = &[
    "ERIKSSON",
    "GARCÍA",
    "HERNÁNDEZ LÓPEZ",
    "MÜLLER",
    "O'BRIEN",
    "NGUYEN",
    "DE LA CRUZ",
    "ÑÚÑEZ",
    "SMITH-JONES",
    "WOLFESCHLEGELSTEINHAUSENBERGERDORFF",
    "LI",
    "ØSTERGÅRD",
    "ПЕТРОВ",
];
const GIVEN: &[&str] =
    &["ANNA MARIA", "JOSÉ", "LUIS ALBERTO", "FATIMA", "WEI", "JEAN-PIERRE", "MARÍA DE LOS ÁNGELES", "", "ZOË"];

fn random_fields(rng: &mut SplitMix64, format: Format) -> Fields {
    let code = match format {
        Format::TD3 => rng.pick(&["P", "P", "PD", "PO", "PS"]),
        Format::TD1 | Format::TD2 => rng.pick(&["I", "ID", "IP", "A", "AC", "C"]),
        Format::MrvA | Format::MrvB => rng.pick(&["V", "V", "VB", "VT"]),
    };
    let states: Vec<&str> = codes::ISO_3166.iter().chain(codes::ICAO_STATES).copied().collect();
    let state = if rng.chance(0.05) { "D" } else { rng.pick(&states) };
    let nationality = if rng.chance(0.8) { state } else { rng.pick(&states) };
    let long = matches!(format, Format::TD1 | Format::TD2) && rng.chance(0.1);
    let number_len = if long { 10 + rng.below(3) as usize } else { 6 + rng.below(4) as usize };
    let birth_year = 1930 + rng.below(95) as i32;
    let month = 1 + rng.below(12) as u8;
    let day = 1 + rng.below(28) as u8;
    let birth_date = match rng.below(40) {
        0 => None,
        1 => Some(PartialDate { year: birth_year, month: None, day: None }),
        2 => Some(PartialDate { year: birth_year, month: Some(month), day: None }),
        _ => Some(PartialDate { year: birth_year, month: Some(month), day: Some(day) }),
    };
    // Expiry after birth (a document cannot expire before its holder is born).
    let expiry_year = (2015 + rng.below(20) as i32).max(birth_year + 1 + rng.below(10) as i32);
    let expiry_date = Date::new(expiry_year, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8);
    let opt_room = match format {
        Format::TD1 => 15 - if long { number_len - 9 + 2 } else { 0 },
        Format::TD2 => 7 - if long { number_len - 9 + 2 } else { 0 },
        Format::TD3 => 14,
        Format::MrvA => 16,
        Format::MrvB => 8,
    };
    let opt_len = if rng.chance(0.5) { 0 } else { rng.below(opt_room as u64 + 1) as usize };
    Fields {
        format,
        document_code: code.into(),
        issuing_state: state.into(),
        surnames: rng.pick(SURNAMES).into(),
        given_names: rng.pick(GIVEN).into(),
        document_number: rng.alnum(number_len),
        nationality: nationality.into(),
        birth_date,
        sex: rng.pick(&["M", "F", "F", "M", "X", ""]).into(),
        expiry_date,
        optional_data: rng.alnum(opt_len),
        optional_data_2: if format == Format::TD1 && rng.chance(0.3) {
            let len = rng.below(12) as usize;
            rng.alnum(len)
        } else {
            String::new()
        },
    }
}

fn write_generated(out: &mut impl Write, n: u64, seed: u64, corrupt: f64) -> anyhow::Result<()> {
    let mut rng = SplitMix64(seed);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<";
    for i in 0..n {
        let format = Format::ALL[(i % 5) as usize];
        let fields = random_fields(&mut rng, format);
        let mut lines = generate(&fields).context("generating a random MRZ")?;
        if rng.chance(corrupt) {
            let l = rng.below(lines.len() as u64) as usize;
            let mut bytes = std::mem::take(&mut lines[l]).into_bytes();
            let c = rng.below(bytes.len() as u64) as usize;
            let old = ALPHABET.iter().position(|&a| a == bytes[c]).unwrap_or(0);
            bytes[c] = ALPHABET[(old + 1 + rng.below(ALPHABET.len() as u64 - 1) as usize) % ALPHABET.len()];
            lines[l] = String::from_utf8(bytes).context("corrupting")?;
        }
        if i > 0 {
            out.write_all(b"\n")?;
        }
        for line in &lines {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
