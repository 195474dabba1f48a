//! Digests, public keys and signature checks over the RustCrypto crates.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode, asn1::Any};
use serde::Serialize;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

pub mod oid {
    use const_oid::ObjectIdentifier as O;
    pub const SHA1: O = O::new_unwrap("1.3.14.3.2.26");
    pub const SHA224: O = O::new_unwrap("2.16.840.1.101.3.4.2.4");
    pub const SHA256: O = O::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA384: O = O::new_unwrap("2.16.840.1.101.3.4.2.2");
    pub const SHA512: O = O::new_unwrap("2.16.840.1.101.3.4.2.3");
    pub const RSA: O = O::new_unwrap("1.2.840.113549.1.1.1");
    pub const SHA1_RSA: O = O::new_unwrap("1.2.840.113549.1.1.5");
    pub const RSA_PSS: O = O::new_unwrap("1.2.840.113549.1.1.10");
    pub const SHA256_RSA: O = O::new_unwrap("1.2.840.113549.1.1.11");
    pub const SHA384_RSA: O = O::new_unwrap("1.2.840.113549.1.1.12");
    pub const SHA512_RSA: O = O::new_unwrap("1.2.840.113549.1.1.13");
    pub const SHA224_RSA: O = O::new_unwrap("1.2.840.113549.1.1.14");
    pub const MGF1: O = O::new_unwrap("1.2.840.113549.1.1.8");
    pub const EC_PUBLIC_KEY: O = O::new_unwrap("1.2.840.10045.2.1");
    pub const ECDSA_SHA1: O = O::new_unwrap("1.2.840.10045.4.1");
    pub const ECDSA_SHA224: O = O::new_unwrap("1.2.840.10045.4.3.1");
    pub const ECDSA_SHA256: O = O::new_unwrap("1.2.840.10045.4.3.2");
    pub const ECDSA_SHA384: O = O::new_unwrap("1.2.840.10045.4.3.3");
    pub const ECDSA_SHA512: O = O::new_unwrap("1.2.840.10045.4.3.4");
    pub const P256: O = O::new_unwrap("1.2.840.10045.3.1.7");
    pub const P384: O = O::new_unwrap("1.3.132.0.34");
    pub const P521: O = O::new_unwrap("1.3.132.0.35");
    pub const BRAINPOOL_P256R1: O = O::new_unwrap("1.3.36.3.3.2.8.1.1.7");
    pub const BRAINPOOL_P384R1: O = O::new_unwrap("1.3.36.3.3.2.8.1.1.11");
    pub const SIGNED_DATA: O = O::new_unwrap("1.2.840.113549.1.7.2");
    pub const CONTENT_TYPE: O = O::new_unwrap("1.2.840.113549.1.9.3");
    pub const MESSAGE_DIGEST: O = O::new_unwrap("1.2.840.113549.1.9.4");
    pub const SIGNING_TIME: O = O::new_unwrap("1.2.840.113549.1.9.5");
    pub const LDS_SECURITY_OBJECT: O = O::new_unwrap("2.23.136.1.1.1");
    pub const CSCA_MASTER_LIST: O = O::new_unwrap("2.23.136.1.1.2");
}

/// A hash algorithm Doc 9303 allows for the SOD and its signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HashAlg {
    #[serde(rename = "SHA-1")]
    Sha1,
    #[serde(rename = "SHA-224")]
    Sha224,
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-384")]
    Sha384,
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl HashAlg {
    pub fn from_oid(o: &ObjectIdentifier) -> Option<HashAlg> {
        Some(match *o {
            oid::SHA1 => HashAlg::Sha1,
            oid::SHA224 => HashAlg::Sha224,
            oid::SHA256 => HashAlg::Sha256,
            oid::SHA384 => HashAlg::Sha384,
            oid::SHA512 => HashAlg::Sha512,
            _ => return None,
        })
    }

    pub fn oid(self) -> ObjectIdentifier {
        match self {
            HashAlg::Sha1 => oid::SHA1,
            HashAlg::Sha224 => oid::SHA224,
            HashAlg::Sha256 => oid::SHA256,
            HashAlg::Sha384 => oid::SHA384,
            HashAlg::Sha512 => oid::SHA512,
        }
    }

    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            HashAlg::Sha1 => Sha1::digest(data).to_vec(),
            HashAlg::Sha224 => Sha224::digest(data).to_vec(),
            HashAlg::Sha256 => Sha256::digest(data).to_vec(),
            HashAlg::Sha384 => Sha384::digest(data).to_vec(),
            HashAlg::Sha512 => Sha512::digest(data).to_vec(),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha224 => "SHA-224",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
        }
    }
}

/// A signature scheme with its digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigAlg {
    RsaPkcs1(HashAlg),
    RsaPss { hash: HashAlg, salt_len: usize },
    Ecdsa(HashAlg),
}

impl SigAlg {
    pub fn hash(self) -> HashAlg {
        match self {
            SigAlg::RsaPkcs1(h) | SigAlg::Ecdsa(h) | SigAlg::RsaPss { hash: h, .. } => h,
        }
    }

    pub fn name(self) -> String {
        match self {
            SigAlg::RsaPkcs1(h) => format!("RSA PKCS#1 v1.5 {}", h.name()),
            SigAlg::RsaPss { hash, .. } => format!("RSASSA-PSS {}", hash.name()),
            SigAlg::Ecdsa(h) => format!("ECDSA {}", h.name()),
        }
    }

    /// The scheme an AlgorithmIdentifier names. `digest` is the digest the
    /// signer named apart, for `rsaEncryption`, which names none.
    pub fn from_algorithm(alg: &AlgorithmIdentifierOwned, digest: Option<HashAlg>) -> Result<SigAlg, CryptoError> {
        Ok(match alg.oid {
            oid::RSA => SigAlg::RsaPkcs1(digest.ok_or(CryptoError::UnsupportedAlgorithm)?),
            oid::SHA1_RSA => SigAlg::RsaPkcs1(HashAlg::Sha1),
            oid::SHA224_RSA => SigAlg::RsaPkcs1(HashAlg::Sha224),
            oid::SHA256_RSA => SigAlg::RsaPkcs1(HashAlg::Sha256),
            oid::SHA384_RSA => SigAlg::RsaPkcs1(HashAlg::Sha384),
            oid::SHA512_RSA => SigAlg::RsaPkcs1(HashAlg::Sha512),
            oid::ECDSA_SHA1 => SigAlg::Ecdsa(HashAlg::Sha1),
            oid::ECDSA_SHA224 => SigAlg::Ecdsa(HashAlg::Sha224),
            oid::ECDSA_SHA256 => SigAlg::Ecdsa(HashAlg::Sha256),
            oid::ECDSA_SHA384 => SigAlg::Ecdsa(HashAlg::Sha384),
            oid::ECDSA_SHA512 => SigAlg::Ecdsa(HashAlg::Sha512),
            oid::RSA_PSS => {
                let params = alg.parameters.as_ref().ok_or(CryptoError::UnsupportedAlgorithm)?;
                let p = PssParams::from_der(&params.to_der().map_err(|_| CryptoError::Malformed)?)
                    .map_err(|_| CryptoError::Malformed)?;
                let hash = match &p.hash {
                    None => HashAlg::Sha1,
                    Some(h) => HashAlg::from_oid(&h.oid).ok_or(CryptoError::UnsupportedAlgorithm)?,
                };
                // MGF1 with the signature's own digest is all Doc 9303 uses.
                if let Some(mgf) = &p.mgf {
                    let inner = mgf
                        .parameters
                        .as_ref()
                        .and_then(|a| AlgorithmIdentifierOwned::from_der(&a.to_der().ok()?).ok());
                    let mgf_hash = inner.and_then(|a| HashAlg::from_oid(&a.oid));
                    if mgf.oid != oid::MGF1 || mgf_hash != Some(hash) {
                        return Err(CryptoError::UnsupportedAlgorithm);
                    }
                } else if hash != HashAlg::Sha1 {
                    return Err(CryptoError::UnsupportedAlgorithm);
                }
                let salt_len = p.salt_len.unwrap_or(20);
                if salt_len > 512 {
                    return Err(CryptoError::Malformed);
                }
                SigAlg::RsaPss { hash, salt_len: salt_len as usize }
            }
            _ => return Err(CryptoError::UnsupportedAlgorithm),
        })
    }
}

/// RSASSA-PSS-params (RFC 4055).
#[derive(Clone, Debug, Eq, PartialEq, der::Sequence)]
pub struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    pub mgf: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    pub salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    pub trailer: Option<u32>,
}

/// Why a key or a signature could not be checked, or did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("unsupported algorithm or curve")]
    UnsupportedAlgorithm,
    #[error("malformed key, parameters or signature")]
    Malformed,
    #[error("the signature does not verify")]
    BadSignature,
    #[error("the key does not fit the signature algorithm")]
    KeyMismatch,
}

/// A verification key: RSA or an ECDSA point on a supported curve.
#[derive(Clone, Debug)]
pub enum PublicKey {
    Rsa(rsa::PublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    BrainpoolP256(ecdsa::VerifyingKey<bp256::BrainpoolP256r1>),
    BrainpoolP384(ecdsa::VerifyingKey<bp384::BrainpoolP384r1>),
}

/// The largest RSA modulus accepted (bits): the `rsa` crate's own bound;
/// CSCA keys go up to 4096 today.
pub const MAX_RSA_BITS: usize = 4096;

impl PublicKey {
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<PublicKey, CryptoError> {
        let bits = spki.subject_public_key.as_bytes().ok_or(CryptoError::Malformed)?;
        match spki.algorithm.oid {
            oid::RSA | oid::RSA_PSS => {
                use rsa::pkcs1::DecodeRsaPublicKey;
                if bits.len() > MAX_RSA_BITS / 8 + 64 {
                    return Err(CryptoError::UnsupportedAlgorithm);
                }
                let key = rsa::PublicKey::from_pkcs1_der(bits).map_err(|_| CryptoError::Malformed)?;
                Ok(PublicKey::Rsa(key))
            }
            oid::EC_PUBLIC_KEY => {
                let curve = spki.algorithm.parameters.as_ref().ok_or(CryptoError::Malformed)?;
                // Explicit curve parameters (a SEQUENCE) are not read: only named curves.
                let curve: ObjectIdentifier = curve.decode_as().map_err(|_| CryptoError::UnsupportedAlgorithm)?;
                let m = |_| CryptoError::Malformed;
                Ok(match curve {
                    oid::P256 => PublicKey::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(bits).map_err(m)?),
                    oid::P384 => PublicKey::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(bits).map_err(m)?),
                    oid::P521 => PublicKey::P521(p521::ecdsa::VerifyingKey::from_sec1_bytes(bits).map_err(m)?),
                    oid::BRAINPOOL_P256R1 => {
                        PublicKey::BrainpoolP256(ecdsa::VerifyingKey::from_sec1_bytes(bits).map_err(m)?)
                    }
                    oid::BRAINPOOL_P384R1 => {
                        PublicKey::BrainpoolP384(ecdsa::VerifyingKey::from_sec1_bytes(bits).map_err(m)?)
                    }
                    _ => return Err(CryptoError::UnsupportedAlgorithm),
                })
            }
            _ => Err(CryptoError::UnsupportedAlgorithm),
        }
    }

    /// The key's kind, for the verdict.
    pub fn kind(&self) -> &'static str {
        match self {
            PublicKey::Rsa(_) => "RSA",
            PublicKey::P256(_) => "ECDSA P-256",
            PublicKey::P384(_) => "ECDSA P-384",
            PublicKey::P521(_) => "ECDSA P-521",
            PublicKey::BrainpoolP256(_) => "ECDSA brainpoolP256r1",
            PublicKey::BrainpoolP384(_) => "ECDSA brainpoolP384r1",
        }
    }

    /// Checks `signature` over `message` with `alg`.
    pub fn verify(&self, alg: SigAlg, message: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        let hash = alg.hash().digest(message);
        self.verify_prehash(alg, &hash, signature)
    }

    /// Checks `signature` over a message whose digest under `alg` is `hash`.
    pub fn verify_prehash(&self, alg: SigAlg, hash: &[u8], signature: &[u8]) -> Result<(), CryptoError> {
        use ecdsa::signature::hazmat::PrehashVerifier;
        macro_rules! ec {
            ($key:expr, $curve:ty) => {{
                let SigAlg::Ecdsa(_) = alg else {
                    return Err(CryptoError::KeyMismatch);
                };
                let sig = ecdsa::Signature::<$curve>::from_der(signature).map_err(|_| CryptoError::Malformed)?;
                $key.verify_prehash(hash, &sig).map_err(|_| CryptoError::BadSignature)
            }};
        }
        match self {
            PublicKey::Rsa(key) => {
                let r = match alg {
                    SigAlg::RsaPkcs1(h) => match h {
                        HashAlg::Sha1 => key.verify(rsa::Pkcs1v15Sign::new::<Sha1>(), hash, signature),
                        HashAlg::Sha224 => key.verify(rsa::Pkcs1v15Sign::new::<Sha224>(), hash, signature),
                        HashAlg::Sha256 => key.verify(rsa::Pkcs1v15Sign::new::<Sha256>(), hash, signature),
                        HashAlg::Sha384 => key.verify(rsa::Pkcs1v15Sign::new::<Sha384>(), hash, signature),
                        HashAlg::Sha512 => key.verify(rsa::Pkcs1v15Sign::new::<Sha512>(), hash, signature),
                    },
                    SigAlg::RsaPss { hash: h, salt_len } => match h {
                        HashAlg::Sha1 => key.verify(rsa::Pss::<Sha1>::new_with_salt(salt_len), hash, signature),
                        HashAlg::Sha224 => key.verify(rsa::Pss::<Sha224>::new_with_salt(salt_len), hash, signature),
                        HashAlg::Sha256 => key.verify(rsa::Pss::<Sha256>::new_with_salt(salt_len), hash, signature),
                        HashAlg::Sha384 => key.verify(rsa::Pss::<Sha384>::new_with_salt(salt_len), hash, signature),
                        HashAlg::Sha512 => key.verify(rsa::Pss::<Sha512>::new_with_salt(salt_len), hash, signature),
                    },
                    SigAlg::Ecdsa(_) => return Err(CryptoError::KeyMismatch),
                };
                r.map_err(|_| CryptoError::BadSignature)
            }
            PublicKey::P256(k) => ec!(k, p256::NistP256),
            PublicKey::P384(k) => ec!(k, p384::NistP384),
            PublicKey::P521(k) => ec!(k, p521::NistP521),
            PublicKey::BrainpoolP256(k) => ec!(k, bp256::BrainpoolP256r1),
            PublicKey::BrainpoolP384(k) => ec!(k, bp384::BrainpoolP384r1),
        }
    }
}

/// The parameters of an AlgorithmIdentifier as `Any`, for callers that build one.
pub fn null_params() -> Option<Any> {
    Some(Any::from(der::asn1::Null))
}
