//! `centinela chip verify`: Passive Authentication of an ePassport chip's
//! files (as a reader writes them) against trust anchors from a directory
//! or the database; the verdict as JSON (`docs/CONTRACTS.md`). Exit 0 when
//! verified, 1 for any other outcome, 2 for a file that cannot be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use centinela_chip::{ChipFiles, Outcome, TrustStore};

use crate::Global;
use crate::cmd::{Unreadable, open_store};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Verify a chip: data group hashes, the SOD's signature, the Document
    /// Signer up to a trusted CSCA, and DG1 against the printed MRZ.
    Verify(VerifyArgs),
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// EF.SOD as read from the chip.
    #[arg(long, value_name = "FILE")]
    sod: PathBuf,
    /// DG1 (the MRZ).
    #[arg(long, value_name = "FILE")]
    dg1: PathBuf,
    /// DG2 (the face).
    #[arg(long, value_name = "FILE")]
    dg2: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    dg11: Option<PathBuf>,
    #[arg(long, value_name = "FILE")]
    dg12: Option<PathBuf>,
    /// The MRZ printed on the data page (a text file, one line per MRZ line),
    /// compared with DG1.
    #[arg(long, value_name = "FILE")]
    mrz: Option<PathBuf>,
    /// A directory of trust files (Master Lists, CSCA certificates, CRLs;
    /// DER or PEM). Without it, the anchors imported into the database.
    #[arg(long, value_name = "DIR")]
    trust: Option<PathBuf>,
    /// Verify as of this time (RFC 3339) instead of now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
}

fn read(path: &Path, max: usize) -> anyhow::Result<Vec<u8>> {
    let meta = std::fs::metadata(path).map_err(|e| Unreadable(format!("{}: {e}", path.display())))?;
    if meta.len() > max as u64 {
        return Err(Unreadable(format!("{}: larger than {max} bytes", path.display())).into());
    }
    Ok(std::fs::read(path).map_err(|e| Unreadable(format!("{}: {e}", path.display())))?)
}

/// The trust files of `dir`, every one of which must read.
fn trust_from_dir(dir: &Path) -> anyhow::Result<TrustStore> {
    let mut trust = TrustStore::new();
    let entries = std::fs::read_dir(dir).map_err(|e| Unreadable(format!("{}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect();
    paths.sort();
    if paths.len() > 10_000 {
        return Err(Unreadable(format!("{}: more than 10000 files", dir.display())).into());
    }
    for p in paths {
        let bytes = read(&p, centinela_chip::trust::MAX_MASTER_LIST)?;
        let file = centinela_chip::parse_trust_file(&bytes).map_err(|e| Unreadable(format!("{}: {e}", p.display())))?;
        if let centinela_chip::TrustFile::MasterList(ml) = &file
            && ml.signature.is_err()
        {
            return Err(Unreadable(format!("{}: the Master List's signature does not verify", p.display())).into());
        }
        trust.add(file);
    }
    Ok(trust)
}

pub fn run(cmd: Command, global: &Global) -> anyhow::Result<ExitCode> {
    let Command::Verify(a) = cmd;
    let now = match &a.at {
        Some(t) => {
            let ts: jiff::Timestamp = t.parse().map_err(|_| Unreadable("--at: not an RFC 3339 time".into()))?;
            u64::try_from(ts.as_second()).map_err(|_| Unreadable("--at: before 1970".into()))?
        }
        None => crate::cmd::pki::now_unix(),
    };
    let sod = read(&a.sod, centinela_chip::sod::MAX_SOD)?;
    let dg1 = read(&a.dg1, centinela_chip::lds::MAX_DG1)?;
    let dg2 = a.dg2.as_deref().map(|p| read(p, centinela_chip::lds::MAX_DG2)).transpose()?;
    let dg11 = a.dg11.as_deref().map(|p| read(p, centinela_chip::lds::MAX_SMALL_FILE)).transpose()?;
    let dg12 = a.dg12.as_deref().map(|p| read(p, centinela_chip::lds::MAX_SMALL_FILE)).transpose()?;
    let mrz = a.mrz.as_deref().map(|p| read(p, 1024).map(|b| String::from_utf8_lossy(&b).into_owned())).transpose()?;
    let trust = match &a.trust {
        Some(dir) => std::sync::Arc::new(trust_from_dir(dir)?),
        None => crate::cmd::runtime()?.block_on(async {
            let app = centinela_app::App::new(open_store(global).await?);
            anyhow::Ok(app.trust_store().await?)
        })?,
    };
    let files = ChipFiles {
        sod: Some(&sod),
        dg1: Some(&dg1),
        dg2: dg2.as_deref(),
        dg11: dg11.as_deref(),
        dg12: dg12.as_deref(),
    };
    let verdict = centinela_chip::verify(&files, &trust, mrz.as_deref(), now);
    println!("{}", serde_json::to_string_pretty(&verdict)?);
    Ok(if verdict.outcome == Outcome::Verified { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
