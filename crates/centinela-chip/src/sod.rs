//! EF.SOD: the Document Security Object (Doc 9303 Part 10 §4.6.2, Part 11
//! §5.1): a CMS SignedData over the LDS Security Object, which holds one
//! hash per data group.

use der::Sequence;
use der::asn1::{OctetString, PrintableString};
use spki::AlgorithmIdentifierOwned;

use crate::ParseError;
use crate::crypto::{HashAlg, oid};
use crate::signed::{self, Signed};
use crate::tlv;

/// The largest EF.SOD accepted (one with a DS certificate is 2–6 kB).
pub const MAX_SOD: usize = 64 * 1024;

/// LDSSecurityObject ::= SEQUENCE { version, hashAlgorithm,
/// dataGroupHashValues, ldsVersionInfo OPTIONAL }
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct LdsSecurityObject {
    pub version: u8,
    pub hash_algorithm: AlgorithmIdentifierOwned,
    pub data_group_hash_values: Vec<DataGroupHash>,
    #[asn1(optional = "true")]
    pub lds_version_info: Option<LdsVersionInfo>,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct DataGroupHash {
    pub data_group_number: u8,
    pub data_group_hash_value: OctetString,
}

#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct LdsVersionInfo {
    pub lds_version: PrintableString,
    pub unicode_version: PrintableString,
}

/// EF.SOD, read (not yet verified).
#[derive(Clone, Debug)]
pub struct Sod {
    pub hash_alg: HashAlg,
    /// (data group, hash) in the SOD's order.
    pub hashes: Vec<(u8, Vec<u8>)>,
    pub lds_version: Option<String>,
    pub signed: Signed,
}

impl Sod {
    pub fn parse(bytes: &[u8]) -> Result<Sod, ParseError> {
        const FILE: &str = "EF.SOD";
        if bytes.len() > MAX_SOD {
            return Err(ParseError::TooLarge { file: FILE, max: MAX_SOD });
        }
        let outer = tlv::read_only(bytes, 0x77).map_err(|e| ParseError::Tlv { file: FILE, error: e })?;
        let signed = signed::parse(outer.value, FILE)?;
        if signed.content_type != oid::LDS_SECURITY_OBJECT {
            return Err(ParseError::Invalid { file: FILE, what: "content is not an LDS Security Object" });
        }
        use der::Decode;
        let lso = LdsSecurityObject::from_der(&signed.content)
            .map_err(|_| ParseError::Der { file: FILE, what: "LDS Security Object" })?;
        let hash_alg = HashAlg::from_oid(&lso.hash_algorithm.oid)
            .ok_or(ParseError::Invalid { file: FILE, what: "unsupported hash algorithm" })?;
        let expected_len = hash_alg.digest(b"").len();
        let mut hashes = Vec::with_capacity(lso.data_group_hash_values.len());
        for h in &lso.data_group_hash_values {
            let n = h.data_group_number;
            if !(1..=16).contains(&n) {
                return Err(ParseError::Invalid { file: FILE, what: "a data group number outside 1-16" });
            }
            if hashes.iter().any(|(g, _)| *g == n) {
                return Err(ParseError::Invalid { file: FILE, what: "a data group hashed twice" });
            }
            let v = h.data_group_hash_value.as_bytes();
            if v.len() != expected_len {
                return Err(ParseError::Invalid { file: FILE, what: "a hash of the wrong length for its algorithm" });
            }
            hashes.push((n, v.to_vec()));
        }
        Ok(Sod {
            hash_alg,
            hashes,
            lds_version: lso
                .lds_version_info
                .map(|v| format!("{}/{}", v.lds_version.as_str(), v.unicode_version.as_str())),
            signed,
        })
    }

    /// The SOD's hash of data group `n`.
    pub fn hash_of(&self, n: u8) -> Option<&[u8]> {
        self.hashes.iter().find(|(g, _)| *g == n).map(|(_, h)| h.as_slice())
    }

    pub fn groups(&self) -> Vec<u8> {
        self.hashes.iter().map(|(g, _)| *g).collect()
    }
}
