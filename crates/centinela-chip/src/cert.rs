//! X.509 certificates and CRLs as Passive Authentication needs them: the
//! raw signed bytes kept as they came, the key parsed once.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use serde::Serialize;
use x509_cert::Certificate;
use x509_cert::crl::CertificateList;

use crate::ParseError;
use crate::crypto::{CryptoError, PublicKey, SigAlg};
use crate::tlv;

const SKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.14");
const AKI: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.35");
const COUNTRY: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.6");

/// The largest certificate or CRL accepted on its own.
pub const MAX_CERT: usize = 64 * 1024;
/// The largest CRL accepted (a CSCA's CRL lists few DS certificates).
pub const MAX_CRL: usize = 4 * 1024 * 1024;

/// The first element (the signed part) of a SIGNED{…} SEQUENCE, as written.
fn signed_part(der: &[u8], file: &'static str) -> Result<Vec<u8>, ParseError> {
    let outer = tlv::read_only(der, 0x30).map_err(|e| ParseError::Tlv { file, error: e })?;
    let (first, _) = tlv::read(outer.value).map_err(|e| ParseError::Tlv { file, error: e })?;
    Ok(first.raw.to_vec())
}

pub(crate) fn unix(t: &x509_cert::time::Time) -> u64 {
    t.to_unix_duration().as_secs()
}

/// A certificate, read.
#[derive(Clone, Debug)]
pub struct Cert {
    pub cert: Certificate,
    /// The certificate's DER, as received.
    pub der: Vec<u8>,
    tbs: Vec<u8>,
    pub key: Result<PublicKey, CryptoError>,
    pub subject_der: Vec<u8>,
    pub issuer_der: Vec<u8>,
    pub ski: Option<Vec<u8>>,
    pub aki: Option<Vec<u8>>,
    pub not_before: u64,
    pub not_after: u64,
    pub serial: Vec<u8>,
}

/// What the verdict and `pki list` show of a certificate (no personal data:
/// these are the issuing authority's names).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertSummary {
    pub subject: String,
    pub issuer: String,
    pub country: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub key: String,
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// `YYYY-MM-DDTHH:MM:SSZ` of a Unix time.
pub fn rfc3339(secs: u64) -> String {
    match der::DateTime::from_unix_duration(std::time::Duration::from_secs(secs)) {
        Ok(d) => format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            d.year(),
            d.month(),
            d.day(),
            d.hour(),
            d.minutes(),
            d.seconds()
        ),
        Err(_) => String::new(),
    }
}

fn country_of(name: &x509_cert::name::Name) -> String {
    for atv in name.iter() {
        {
            if atv.oid == COUNTRY
                && let Ok(s) = atv.value.decode_as::<der::asn1::PrintableStringRef<'_>>()
            {
                return s.as_str().to_owned();
            }
        }
    }
    String::new()
}

impl Cert {
    pub fn from_der(der: &[u8], file: &'static str) -> Result<Cert, ParseError> {
        if der.len() > MAX_CERT {
            return Err(ParseError::TooLarge { file, max: MAX_CERT });
        }
        let cert =
            Certificate::from_der(der).map_err(|_| ParseError::Der { file, what: "not an X.509 certificate" })?;
        let tbs = signed_part(der, file)?;
        let t = cert.tbs_certificate();
        let key = PublicKey::from_spki(t.subject_public_key_info());
        let enc = |n: &x509_cert::name::Name| n.to_der().unwrap_or_default();
        let mut ski = None;
        let mut aki = None;
        for ext in t.extensions().map(|e| e.as_slice()).unwrap_or(&[]) {
            if ext.extn_id == SKI {
                ski = der::asn1::OctetString::from_der(ext.extn_value.as_bytes()).ok().map(|o| o.as_bytes().to_vec());
            } else if ext.extn_id == AKI {
                aki = x509_cert::ext::pkix::AuthorityKeyIdentifier::from_der(ext.extn_value.as_bytes())
                    .ok()
                    .and_then(|a| a.key_identifier.map(|k| k.as_bytes().to_vec()));
            }
        }
        Ok(Cert {
            tbs,
            key,
            subject_der: enc(t.subject()),
            issuer_der: enc(t.issuer()),
            ski,
            aki,
            not_before: unix(&t.validity().not_before),
            not_after: unix(&t.validity().not_after),
            serial: t.serial_number().as_bytes().to_vec(),
            der: der.to_vec(),
            cert,
        })
    }

    /// Whether `issuer`'s key signed this certificate.
    pub fn verify_issued_by(&self, issuer: &Cert) -> Result<(), CryptoError> {
        let key = issuer.key.as_ref().map_err(|e| *e)?;
        let alg = SigAlg::from_algorithm(self.cert.signature_algorithm(), None)?;
        let sig = self.cert.signature().as_bytes().ok_or(CryptoError::Malformed)?;
        key.verify(alg, &self.tbs, sig)
    }

    /// Whether `issuer` could have issued this certificate by name and key id.
    pub fn named_issuer(&self, issuer: &Cert) -> bool {
        self.issuer_der == issuer.subject_der
            && match (&self.aki, &issuer.ski) {
                (Some(a), Some(s)) => a == s,
                _ => true,
            }
    }

    pub fn valid_at(&self, t: u64) -> bool {
        self.not_before <= t && t <= self.not_after
    }

    pub fn country(&self) -> String {
        country_of(self.cert.tbs_certificate().subject())
    }

    pub fn summary(&self) -> CertSummary {
        let t = self.cert.tbs_certificate();
        CertSummary {
            subject: t.subject().to_string(),
            issuer: t.issuer().to_string(),
            country: self.country(),
            serial: hex(&self.serial),
            not_before: rfc3339(self.not_before),
            not_after: rfc3339(self.not_after),
            key: match &self.key {
                Ok(k) => k.kind().to_owned(),
                Err(_) => "unsupported".to_owned(),
            },
        }
    }

    /// The SHA-256 of the certificate's DER, lowercase hex: its identity in the store.
    pub fn fingerprint(&self) -> String {
        hex(&crate::crypto::HashAlg::Sha256.digest(&self.der)).to_lowercase()
    }
}

/// A certificate revocation list, read.
#[derive(Clone, Debug)]
pub struct Crl {
    pub der: Vec<u8>,
    tbs: Vec<u8>,
    list: CertificateList,
    pub issuer_der: Vec<u8>,
    pub this_update: u64,
    pub next_update: Option<u64>,
    pub revoked: Vec<Vec<u8>>,
}

/// At most this many revoked serials in one CRL.
const MAX_REVOKED: usize = 200_000;

impl Crl {
    pub fn from_der(der: &[u8], file: &'static str) -> Result<Crl, ParseError> {
        if der.len() > MAX_CRL {
            return Err(ParseError::TooLarge { file, max: MAX_CRL });
        }
        let list = CertificateList::from_der(der).map_err(|_| ParseError::Der { file, what: "not an X.509 CRL" })?;
        let tbs = signed_part(der, file)?;
        let revoked: Vec<Vec<u8>> = list
            .tbs_cert_list
            .revoked_certificates
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|r| r.serial_number.as_bytes().to_vec())
            .collect();
        if revoked.len() > MAX_REVOKED {
            return Err(ParseError::Invalid { file, what: "more than 200000 revoked certificates" });
        }
        Ok(Crl {
            issuer_der: list.tbs_cert_list.issuer.to_der().unwrap_or_default(),
            this_update: unix(&list.tbs_cert_list.this_update),
            next_update: list.tbs_cert_list.next_update.as_ref().map(unix),
            revoked,
            tbs,
            der: der.to_vec(),
            list,
        })
    }

    /// Whether `issuer`'s key signed this CRL.
    pub fn verify_issued_by(&self, issuer: &Cert) -> Result<(), CryptoError> {
        let key = issuer.key.as_ref().map_err(|e| *e)?;
        let alg = SigAlg::from_algorithm(&self.list.signature_algorithm, None)?;
        let sig = self.list.signature.as_bytes().ok_or(CryptoError::Malformed)?;
        key.verify(alg, &self.tbs, sig)
    }

    pub fn issuer_text(&self) -> String {
        self.list.tbs_cert_list.issuer.to_string()
    }

    pub fn country(&self) -> String {
        country_of(&self.list.tbs_cert_list.issuer)
    }

    /// The SHA-256 of the CRL's DER, lowercase hex.
    pub fn fingerprint(&self) -> String {
        hex(&crate::crypto::HashAlg::Sha256.digest(&self.der)).to_lowercase()
    }
}
