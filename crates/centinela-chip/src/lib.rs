//! The ePassport chip: the LDS files, the Document Security Object and
//! Passive Authentication (ICAO Doc 9303 Parts 10, 11 and 12). No I/O: every
//! function takes bytes and, where the answer depends on it, the time.

pub mod cert;
pub mod crypto;
pub mod lds;
pub mod pa;
pub mod signed;
pub mod sod;
#[cfg(feature = "test-pki")]
pub mod testpki;
pub mod tlv;
pub mod trust;

pub use cert::{Cert, CertSummary, Crl};
pub use lds::{Details, Dg1, Dg2, EfCom, Face, ImageFormat};
pub use pa::{ChipFiles, Outcome, PageCheck, TrustFailure, Verdict, verify};
pub use signed::SignatureFailure;
pub use sod::Sod;
pub use trust::{MasterList, TrustFile, TrustStore, parse_trust_file};

/// Why a chip file could not be read. Names the file and what is wrong,
/// never a value from it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{file}: larger than {max} bytes")]
    TooLarge { file: &'static str, max: usize },
    #[error("{file}: {error}")]
    Tlv { file: &'static str, error: tlv::TlvError },
    #[error("{file}: malformed DER ({what})")]
    Der { file: &'static str, what: &'static str },
    #[error("{file}: {what}")]
    Invalid { file: &'static str, what: &'static str },
}

impl ParseError {
    pub fn file(&self) -> &'static str {
        match self {
            ParseError::TooLarge { file, .. }
            | ParseError::Tlv { file, .. }
            | ParseError::Der { file, .. }
            | ParseError::Invalid { file, .. } => file,
        }
    }
}

/// Encodes one BER-TLV (definite length, the shortest form).
pub fn tlv_encode(tag: u32, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 8);
    if tag > 0xFFFF {
        out.push((tag >> 16) as u8);
    }
    if tag > 0xFF {
        out.push((tag >> 8) as u8);
    }
    out.push(tag as u8);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
    out
}
