//! CMS SignedData as ICAO uses it (EF.SOD and the CSCA Master List): one
//! signer, signed attributes, the signer's certificate inside.

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};

use crate::ParseError;
use crate::cert::Cert;
use crate::crypto::{CryptoError, HashAlg, SigAlg, oid};

/// What identifies the signer's certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerId {
    IssuerSerial { issuer_der: Vec<u8>, serial: Vec<u8> },
    KeyId(Vec<u8>),
}

/// The one signer of a SignedData, read.
#[derive(Clone, Debug)]
pub struct Signer {
    pub id: SignerId,
    pub digest: Option<HashAlg>,
    pub alg: Result<SigAlg, CryptoError>,
    /// The signed attributes re-encoded as the SET the signature covers.
    pub signed_attrs: Option<Vec<u8>>,
    pub message_digest: Option<Vec<u8>>,
    pub content_type: Option<ObjectIdentifier>,
    pub signing_time: Option<u64>,
    pub signature: Vec<u8>,
}

/// A SignedData's content, signer and certificates.
#[derive(Clone, Debug)]
pub struct Signed {
    pub content_type: ObjectIdentifier,
    pub content: Vec<u8>,
    pub signer: Signer,
    pub certificates: Vec<Cert>,
}

/// At most this many certificates inside one SignedData.
const MAX_CERTS: usize = 16;

pub fn parse(der: &[u8], file: &'static str) -> Result<Signed, ParseError> {
    let bad = |what| ParseError::Der { file, what };
    let ci = ContentInfo::from_der(der).map_err(|_| bad("not a CMS ContentInfo"))?;
    if ci.content_type != oid::SIGNED_DATA {
        return Err(ParseError::Invalid { file, what: "a CMS content other than SignedData" });
    }
    let sd: SignedData = ci.content.decode_as().map_err(|_| bad("not a CMS SignedData"))?;
    let content =
        sd.encap_content_info.econtent.as_ref().ok_or(ParseError::Invalid { file, what: "no encapsulated content" })?;
    let content: der::asn1::OctetString =
        content.decode_as().map_err(|_| bad("encapsulated content not an OCTET STRING"))?;
    let mut certificates = Vec::new();
    for choice in sd.certificates.iter().flat_map(|c| c.0.iter()) {
        if let cms::cert::CertificateChoices::Certificate(c) = choice {
            if certificates.len() == MAX_CERTS {
                return Err(ParseError::Invalid { file, what: "more than 16 certificates" });
            }
            let der = c.to_der().map_err(|_| bad("a certificate"))?;
            certificates.push(Cert::from_der(&der, file)?);
        }
    }
    let mut signers = sd.signer_infos.0.iter();
    let si = signers.next().ok_or(ParseError::Invalid { file, what: "no signer" })?;
    if signers.next().is_some() {
        return Err(ParseError::Invalid { file, what: "more than one signer" });
    }
    let id = match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber(is) => SignerId::IssuerSerial {
            issuer_der: is.issuer.to_der().map_err(|_| bad("signer issuer"))?,
            serial: is.serial_number.as_bytes().to_vec(),
        },
        SignerIdentifier::SubjectKeyIdentifier(k) => SignerId::KeyId(k.0.as_bytes().to_vec()),
    };
    let digest = HashAlg::from_oid(&si.digest_alg.oid);
    let alg = SigAlg::from_algorithm(&si.signature_algorithm, digest);
    let mut signer = Signer {
        id,
        digest,
        alg,
        signed_attrs: None,
        message_digest: None,
        content_type: None,
        signing_time: None,
        signature: si.signature.as_bytes().to_vec(),
    };
    if let Some(attrs) = &si.signed_attrs {
        signer.signed_attrs = Some(attrs.to_der().map_err(|_| bad("signed attributes"))?);
        for a in attrs.iter() {
            let Some(v) = a.values.iter().next() else {
                continue;
            };
            match a.oid {
                oid::MESSAGE_DIGEST => {
                    let o: der::asn1::OctetString = v.decode_as().map_err(|_| bad("messageDigest"))?;
                    signer.message_digest = Some(o.as_bytes().to_vec());
                }
                oid::CONTENT_TYPE => {
                    signer.content_type = Some(v.decode_as().map_err(|_| bad("contentType"))?);
                }
                oid::SIGNING_TIME => {
                    let t: x509_cert::time::Time = v.decode_as().map_err(|_| bad("signingTime"))?;
                    signer.signing_time = Some(crate::cert::unix(&t));
                }
                _ => {}
            }
        }
    }
    Ok(Signed {
        content_type: sd.encap_content_info.econtent_type,
        content: content.as_bytes().to_vec(),
        signer,
        certificates,
    })
}

/// Why a SignedData's signature does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureFailure {
    /// The signer's certificate is not in the SignedData.
    NoSignerCertificate,
    /// A digest, signature algorithm or key the verifier does not support.
    UnsupportedAlgorithm,
    /// The signed attributes lack the content type or message digest, or
    /// name another content type.
    BadSignedAttributes,
    /// The message digest attribute differs from the content's digest.
    DigestMismatch,
    /// The signature does not verify with the signer's key.
    Mismatch,
}

impl Signed {
    /// The signer's certificate among those inside.
    pub fn signer_cert(&self) -> Option<&Cert> {
        self.certificates.iter().find(|c| match &self.signer.id {
            SignerId::IssuerSerial { issuer_der, serial } => &c.issuer_der == issuer_der && &c.serial == serial,
            SignerId::KeyId(k) => c.ski.as_deref() == Some(k.as_slice()),
        })
    }

    /// Checks the signature with `cert`'s key (RFC 5652 §5.4).
    pub fn verify_with(&self, cert: &Cert) -> Result<(), SignatureFailure> {
        let s = &self.signer;
        let alg = s.alg.map_err(|_| SignatureFailure::UnsupportedAlgorithm)?;
        let key = cert.key.as_ref().map_err(|_| SignatureFailure::UnsupportedAlgorithm)?;
        let digest = s.digest.ok_or(SignatureFailure::UnsupportedAlgorithm)?;
        let result = match &s.signed_attrs {
            Some(attrs) => {
                if s.content_type != Some(self.content_type) {
                    return Err(SignatureFailure::BadSignedAttributes);
                }
                let md = s.message_digest.as_ref().ok_or(SignatureFailure::BadSignedAttributes)?;
                if *md != digest.digest(&self.content) {
                    return Err(SignatureFailure::DigestMismatch);
                }
                key.verify(alg, attrs, &s.signature)
            }
            None => key.verify(alg, &self.content, &s.signature),
        };
        result.map_err(|e| match e {
            CryptoError::BadSignature | CryptoError::Malformed => SignatureFailure::Mismatch,
            CryptoError::UnsupportedAlgorithm | CryptoError::KeyMismatch => SignatureFailure::UnsupportedAlgorithm,
        })
    }
}
