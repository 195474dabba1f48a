//! Trust anchors: CSCA certificates (one by one or in an ICAO CSCA Master
//! List) and CRLs, and the store Passive Authentication looks them up in.

use der::Decode;
use serde::Serialize;

use crate::ParseError;
use crate::cert::{Cert, Crl};
use crate::crypto::oid;
use crate::signed::{self, SignatureFailure};
use crate::tlv;

/// The largest Master List accepted (ICAO's holds a few hundred CSCAs, 1–2 MB).
pub const MAX_MASTER_LIST: usize = 16 * 1024 * 1024;
/// At most this many certificates in one Master List.
pub const MAX_MASTER_LIST_CERTS: usize = 20_000;

/// An ICAO CSCA Master List (Doc 9303 Part 12 §9), read and its signature checked.
#[derive(Clone, Debug)]
pub struct MasterList {
    pub cscas: Vec<Cert>,
    /// Entries that are not certificates this reader understands (counted, not kept).
    pub skipped: usize,
    pub signer: Option<Cert>,
    /// The Master List's own signature with its signer's certificate.
    pub signature: Result<(), SignatureFailure>,
    /// Whether the signer's certificate was issued by a CSCA in the list.
    pub signer_issued_by_listed_csca: bool,
}

impl MasterList {
    pub fn parse(bytes: &[u8]) -> Result<MasterList, ParseError> {
        const FILE: &str = "master list";
        if bytes.len() > MAX_MASTER_LIST {
            return Err(ParseError::TooLarge { file: FILE, max: MAX_MASTER_LIST });
        }
        let signed = signed::parse(bytes, FILE)?;
        if signed.content_type != oid::CSCA_MASTER_LIST {
            return Err(ParseError::Invalid { file: FILE, what: "content is not a CSCA Master List" });
        }
        // CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }
        // Read by hand: many published lists are not in DER's SET order,
        // which the `der` crate's SET OF refuses, and one certificate this
        // reader cannot parse should be skipped and counted, not fail the list.
        let tlv_err = |e| ParseError::Tlv { file: FILE, error: e };
        let seq = tlv::read_only(&signed.content, 0x30).map_err(tlv_err)?;
        let (version, rest) = tlv::read_tag(seq.value, 0x02).map_err(tlv_err)?;
        if version.value != [0] {
            return Err(ParseError::Invalid { file: FILE, what: "a Master List version other than 0" });
        }
        let set = tlv::read_only(rest, 0x31).map_err(tlv_err)?;
        let mut cscas: Vec<Cert> = Vec::new();
        let mut skipped = 0;
        for item in tlv::iter(set.value) {
            let item = item.map_err(tlv_err)?;
            if cscas.len() + skipped == MAX_MASTER_LIST_CERTS {
                return Err(ParseError::Invalid { file: FILE, what: "more than 20000 certificates" });
            }
            match Cert::from_der(item.raw, FILE) {
                Ok(c) if c.key.is_ok() => {
                    if !cscas.iter().any(|k| k.der == c.der) {
                        cscas.push(c);
                    }
                }
                _ => skipped += 1,
            }
        }
        let signer = signed.signer_cert().cloned();
        let signature = match &signer {
            Some(s) => signed.verify_with(s),
            None => Err(SignatureFailure::NoSignerCertificate),
        };
        let signer_issued_by_listed_csca =
            signer.as_ref().is_some_and(|s| cscas.iter().any(|c| s.named_issuer(c) && s.verify_issued_by(c).is_ok()));
        Ok(MasterList { cscas, skipped, signer, signature, signer_issued_by_listed_csca })
    }
}

/// A trust file of any kind Centinela imports.
#[derive(Clone, Debug)]
pub enum TrustFile {
    Csca(Cert),
    Crl(Crl),
    MasterList(MasterList),
}

/// Reads a CSCA certificate, a CRL or a Master List, DER or PEM.
pub fn parse_trust_file(bytes: &[u8]) -> Result<TrustFile, ParseError> {
    const FILE: &str = "trust file";
    if bytes.len() > MAX_MASTER_LIST {
        return Err(ParseError::TooLarge { file: FILE, max: MAX_MASTER_LIST });
    }
    let pem;
    let der: &[u8] = if bytes.starts_with(b"-----BEGIN") {
        let (label, data) =
            der::pem::decode_vec(bytes).map_err(|_| ParseError::Invalid { file: FILE, what: "unreadable PEM" })?;
        if !matches!(label, "CERTIFICATE" | "X509 CRL" | "CMS" | "PKCS7") {
            return Err(ParseError::Invalid {
                file: FILE,
                what: "a PEM label other than CERTIFICATE, X509 CRL or CMS",
            });
        }
        pem = data;
        &pem
    } else {
        bytes
    };
    if let Ok(ci) = cms::content_info::ContentInfo::from_der(der)
        && ci.content_type == oid::SIGNED_DATA
    {
        return MasterList::parse(der).map(TrustFile::MasterList);
    }
    if x509_cert::Certificate::from_der(der).is_ok() {
        let c = Cert::from_der(der, FILE)?;
        return Ok(TrustFile::Csca(c));
    }
    if x509_cert::crl::CertificateList::<x509_cert::certificate::Rfc5280>::from_der(der).is_ok() {
        return Crl::from_der(der, FILE).map(TrustFile::Crl);
    }
    Err(ParseError::Der { file: FILE, what: "neither a certificate, a CRL nor a CSCA Master List" })
}

/// The trust anchors Passive Authentication checks against.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    cscas: Vec<Cert>,
    crls: Vec<Crl>,
}

/// A CRL whose next update has passed: it may miss revocations since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StaleCrl {
    pub issuer: String,
    pub next_update: String,
}

impl TrustStore {
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Adds a CSCA certificate (once: the same DER twice is kept once).
    pub fn add_csca(&mut self, c: Cert) {
        if !self.cscas.iter().any(|k| k.der == c.der) {
            self.cscas.push(c);
        }
    }

    /// Adds a CRL. It counts only if a trusted CSCA signed it.
    pub fn add_crl(&mut self, c: Crl) {
        if !self.crls.iter().any(|k| k.der == c.der) {
            self.crls.push(c);
        }
    }

    /// Adds whatever a trust file holds (a Master List's CSCAs, not its signer).
    pub fn add(&mut self, f: TrustFile) {
        match f {
            TrustFile::Csca(c) => self.add_csca(c),
            TrustFile::Crl(c) => self.add_crl(c),
            TrustFile::MasterList(ml) => ml.cscas.into_iter().for_each(|c| self.add_csca(c)),
        }
    }

    pub fn cscas(&self) -> &[Cert] {
        &self.cscas
    }

    pub fn crls(&self) -> &[Crl] {
        &self.crls
    }

    /// The CSCAs whose name (and key id) could have issued `c`.
    pub fn issuers_of<'a>(&'a self, c: &'a Cert) -> impl Iterator<Item = &'a Cert> {
        self.cscas.iter().filter(move |k| c.named_issuer(k))
    }

    /// The CRLs signed by `csca`.
    pub fn crls_of<'a>(&'a self, csca: &'a Cert) -> impl Iterator<Item = &'a Crl> {
        self.crls.iter().filter(move |l| l.issuer_der == csca.subject_der && l.verify_issued_by(csca).is_ok())
    }

    /// The CRLs past their next update at `now`.
    pub fn stale_crls(&self, now: u64) -> Vec<StaleCrl> {
        self.crls
            .iter()
            .filter_map(|l| {
                let next = l.next_update?;
                (next < now).then(|| StaleCrl { issuer: l.issuer_text(), next_update: crate::cert::rfc3339(next) })
            })
            .collect()
    }
}
