//! A test PKI: keys, CSCA and Document Signer certificates, CRLs, EF.SODs
//! and Master Lists made on the spot, so the tests, the benchmark and the
//! demo need no real passport. Behind the `test-pki` feature.
//!
//! DER written by hand here: the TBS parts of certificates and CRLs are our
//! own `der`-derived structures, because `x509-cert` 0.3 keeps its fields
//! private without its `builder` feature, and that builder cannot make the
//! wrong certificates (expired, misnamed, mis-signed) the failure tests need.
//! The CMS parts use `cms`'s public types.

use std::str::FromStr;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{Any, BitString, OctetString, SetOfVec, UtcTime};
use der::{Decode, Encode, Sequence};
use sha2::{Digest, Sha512};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::attr::Attribute;
use x509_cert::name::Name;
use x509_cert::time::Time;

use crate::crypto::{HashAlg, oid};
use crate::lds::{ImageFormat, encode_dg1, encode_dg2};

/// The key and signature kinds the test PKI makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    RsaPkcs1,
    RsaPss,
    P256,
    BrainpoolP256,
    P384,
}

impl Alg {
    pub const ALL: [Alg; 5] = [Alg::RsaPkcs1, Alg::RsaPss, Alg::P256, Alg::BrainpoolP256, Alg::P384];
}

enum Inner {
    Rsa(rsa::PrivateKey),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Bp256(ecdsa::SigningKey<bp256::BrainpoolP256r1>),
}

/// A signing key of the test PKI.
pub struct Key {
    pub alg: Alg,
    inner: Inner,
}

/// A deterministic generator (SHA-512 in counter mode) for RSA key
/// generation: the same seed, the same key, so failures reproduce.
struct SeedRng {
    seed: Vec<u8>,
    counter: u64,
    buf: Vec<u8>,
}

impl SeedRng {
    fn new(seed: &[u8]) -> SeedRng {
        SeedRng { seed: seed.to_vec(), counter: 0, buf: Vec::new() }
    }
    fn fill(&mut self, dst: &mut [u8]) {
        for b in dst {
            if self.buf.is_empty() {
                let mut h = Sha512::new();
                h.update(&self.seed);
                h.update(self.counter.to_be_bytes());
                self.counter += 1;
                self.buf = h.finalize().to_vec();
            }
            *b = self.buf.pop().unwrap_or(0);
        }
    }
}

impl rsa::rand_core::TryRng for SeedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.fill(dst);
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for SeedRng {}

fn ec_key<T>(seed: &[u8], len: usize, make: impl Fn(&[u8]) -> Option<T>) -> T {
    let mut rng = SeedRng::new(seed);
    loop {
        let mut b = vec![0u8; len];
        rng.fill(&mut b);
        if let Some(k) = make(&b) {
            return k;
        }
    }
}

impl Key {
    /// A key for `alg`, the same for the same `seed` (RSA keys are 2048 bits).
    pub fn generate(alg: Alg, seed: &[u8]) -> Key {
        let inner = match alg {
            Alg::RsaPkcs1 | Alg::RsaPss => {
                let mut rng = SeedRng::new(seed);
                Inner::Rsa(rsa::PrivateKey::new(&mut rng, 2048).expect("RSA key generation"))
            }
            Alg::P256 => Inner::P256(ec_key(seed, 32, |b| p256::ecdsa::SigningKey::from_slice(b).ok())),
            Alg::P384 => Inner::P384(ec_key(seed, 48, |b| p384::ecdsa::SigningKey::from_slice(b).ok())),
            Alg::BrainpoolP256 => {
                Inner::Bp256(ec_key(seed, 32, |b| ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(b).ok()))
            }
        };
        Key { alg, inner }
    }

    /// The key's SubjectPublicKeyInfo.
    pub fn spki(&self) -> SubjectPublicKeyInfoOwned {
        let ec = |curve: ObjectIdentifier, point: &[u8]| SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: oid::EC_PUBLIC_KEY,
                parameters: Some(Any::encode_from(&curve).expect("OID")),
            },
            subject_public_key: BitString::from_bytes(point).expect("point"),
        };
        match &self.inner {
            Inner::Rsa(k) => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                let der = k.to_public_key().to_pkcs1_der().expect("RSA public key");
                SubjectPublicKeyInfoOwned {
                    algorithm: AlgorithmIdentifierOwned { oid: oid::RSA, parameters: crate::crypto::null_params() },
                    subject_public_key: BitString::from_bytes(der.as_bytes()).expect("key"),
                }
            }
            Inner::P256(k) => ec(oid::P256, &k.verifying_key().to_sec1_bytes()),
            Inner::P384(k) => ec(oid::P384, &k.verifying_key().to_sec1_bytes()),
            Inner::Bp256(k) => ec(oid::BRAINPOOL_P256R1, &k.verifying_key().to_sec1_bytes()),
        }
    }

    /// The signature algorithm this key signs with, over SHA-256 (P-384: SHA-384).
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        let plain = |o| AlgorithmIdentifierOwned { oid: o, parameters: None };
        match self.alg {
            Alg::RsaPkcs1 => {
                AlgorithmIdentifierOwned { oid: oid::SHA256_RSA, parameters: crate::crypto::null_params() }
            }
            Alg::RsaPss => {
                let sha = AlgorithmIdentifierOwned { oid: oid::SHA256, parameters: None };
                let params = crate::crypto::PssParams {
                    hash: Some(sha.clone()),
                    mgf: Some(AlgorithmIdentifierOwned {
                        oid: oid::MGF1,
                        parameters: Some(Any::encode_from(&sha).expect("alg")),
                    }),
                    salt_len: Some(32),
                    trailer: None,
                };
                AlgorithmIdentifierOwned {
                    oid: oid::RSA_PSS,
                    parameters: Some(Any::encode_from(&params).expect("PSS params")),
                }
            }
            Alg::P256 | Alg::BrainpoolP256 => plain(oid::ECDSA_SHA256),
            Alg::P384 => plain(oid::ECDSA_SHA384),
        }
    }

    pub fn hash(&self) -> HashAlg {
        match self.alg {
            Alg::P384 => HashAlg::Sha384,
            _ => HashAlg::Sha256,
        }
    }

    /// Signs `message` (hashed with [`Key::hash`]).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        use ecdsa::signature::hazmat::PrehashSigner;
        let h = self.hash().digest(message);
        match &self.inner {
            Inner::Rsa(k) => match self.alg {
                Alg::RsaPss => {
                    let mut rng = SeedRng::new(&h);
                    k.sign_with_rng(&mut rng, rsa::Pss::<sha2::Sha256>::new_with_salt(32), &h).expect("PSS")
                }
                _ => k.sign(rsa::Pkcs1v15Sign::new::<sha2::Sha256>(), &h).expect("PKCS#1"),
            },
            Inner::P256(k) => {
                let s: p256::ecdsa::Signature = k.sign_prehash(&h).expect("ECDSA");
                s.to_der().as_bytes().to_vec()
            }
            Inner::P384(k) => {
                let s: p384::ecdsa::Signature = k.sign_prehash(&h).expect("ECDSA");
                s.to_der().as_bytes().to_vec()
            }
            Inner::Bp256(k) => {
                let s: ecdsa::Signature<bp256::BrainpoolP256r1> = k.sign_prehash(&h).expect("ECDSA");
                s.to_der().as_bytes().to_vec()
            }
        }
    }
}

fn time(secs: u64) -> Time {
    Time::UtcTime(UtcTime::from_unix_duration(std::time::Duration::from_secs(secs)).expect("time in range"))
}

#[derive(Sequence)]
struct Validity {
    not_before: Time,
    not_after: Time,
}

#[derive(Sequence)]
struct Tbs {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial: u64,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    validity: Validity,
    subject: Name,
    spki: SubjectPublicKeyInfoOwned,
}

#[derive(Sequence)]
struct SignedDer {
    tbs: Any,
    alg: AlgorithmIdentifierOwned,
    sig: BitString,
}

fn sign_der(tbs: &[u8], key: &Key) -> Vec<u8> {
    SignedDer {
        tbs: Any::from_der(tbs).expect("tbs"),
        alg: key.signature_algorithm(),
        sig: BitString::from_bytes(&key.sign(tbs)).expect("sig"),
    }
    .to_der()
    .expect("signed DER")
}

/// A name from its RFC 4514 string (`CN=CSCA,O=Utopia,C=UT`).
pub fn name(s: &str) -> Name {
    Name::from_str(s).expect("RFC 4514 name")
}

/// What a certificate says.
#[derive(Debug, Clone)]
pub struct CertSpec {
    pub subject: String,
    pub serial: u64,
    pub not_before: u64,
    pub not_after: u64,
}

/// A certificate for `subject_key`, signed by `issuer_key` under `issuer`'s name.
pub fn certificate(spec: &CertSpec, subject_key: &Key, issuer: &str, issuer_key: &Key) -> Vec<u8> {
    let tbs = Tbs {
        version: 2,
        serial: spec.serial,
        signature: issuer_key.signature_algorithm(),
        issuer: name(issuer),
        validity: Validity { not_before: time(spec.not_before), not_after: time(spec.not_after) },
        subject: name(&spec.subject),
        spki: subject_key.spki(),
    }
    .to_der()
    .expect("TBS");
    sign_der(&tbs, issuer_key)
}

#[derive(Sequence)]
struct Revoked {
    serial: u64,
    date: Time,
}

#[derive(Sequence)]
struct TbsCrl {
    version: u8,
    signature: AlgorithmIdentifierOwned,
    issuer: Name,
    this_update: Time,
    next_update: Time,
    #[asn1(optional = "true")]
    revoked: Option<Vec<Revoked>>,
}

/// A CRL of `issuer` listing `revoked` serials.
pub fn crl(issuer: &str, issuer_key: &Key, this_update: u64, next_update: u64, revoked: &[u64]) -> Vec<u8> {
    let tbs = TbsCrl {
        version: 1,
        signature: issuer_key.signature_algorithm(),
        issuer: name(issuer),
        this_update: time(this_update),
        next_update: time(next_update),
        revoked: (!revoked.is_empty())
            .then(|| revoked.iter().map(|&s| Revoked { serial: s, date: time(this_update) }).collect()),
    }
    .to_der()
    .expect("TBS CRL");
    sign_der(&tbs, issuer_key)
}

fn attr(o: ObjectIdentifier, v: Any) -> Attribute {
    let mut values = SetOfVec::new();
    values.insert(v).expect("attribute value");
    Attribute { oid: o, values }
}

/// A CMS SignedData over `content` of `content_type`, signed by `key`
/// whose certificate is `cert` (put inside when `include_cert`).
pub fn signed_data(
    content_type: ObjectIdentifier,
    content: &[u8],
    cert: &[u8],
    key: &Key,
    signing_time: Option<u64>,
    include_cert: bool,
) -> Vec<u8> {
    let certificate = x509_cert::Certificate::from_der(cert).expect("certificate");
    let hash = key.hash();
    let digest_alg = AlgorithmIdentifierOwned { oid: hash.oid(), parameters: None };
    let mut attrs = SetOfVec::new();
    attrs.insert(attr(oid::CONTENT_TYPE, Any::encode_from(&content_type).expect("oid"))).expect("attr");
    attrs
        .insert(attr(
            oid::MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new(hash.digest(content)).expect("digest")).expect("os"),
        ))
        .expect("attr");
    if let Some(t) = signing_time {
        attrs.insert(attr(oid::SIGNING_TIME, Any::encode_from(&time(t)).expect("time"))).expect("attr");
    }
    let signature = key.sign(&attrs.to_der().expect("attrs"));
    let tbs = certificate.tbs_certificate();
    let si = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: key.signature_algorithm(),
        signature: OctetString::new(signature).expect("signature"),
        unsigned_attrs: None,
    };
    let mut digests = SetOfVec::new();
    digests.insert(digest_alg).expect("digest alg");
    let mut certs = SetOfVec::new();
    if include_cert {
        certs.insert(CertificateChoices::Certificate(certificate)).expect("cert");
    }
    let mut sis = SetOfVec::new();
    sis.insert(si).expect("signer info");
    let sd = SignedData {
        version: CmsVersion::V3,
        digest_algorithms: digests,
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: content_type,
            econtent: Some(Any::encode_from(&OctetString::new(content.to_vec()).expect("content")).expect("any")),
        },
        certificates: include_cert.then_some(CertificateSet(certs)),
        crls: None,
        signer_infos: SignerInfos(sis),
    };
    ContentInfo { content_type: oid::SIGNED_DATA, content: Any::encode_from(&sd).expect("signed data") }
        .to_der()
        .expect("content info")
}

/// The LDS Security Object over `groups` with `hash`.
pub fn lds_security_object(hash: HashAlg, groups: &[(u8, &[u8])]) -> Vec<u8> {
    crate::sod::LdsSecurityObject {
        version: 0,
        hash_algorithm: AlgorithmIdentifierOwned { oid: hash.oid(), parameters: None },
        data_group_hash_values: groups
            .iter()
            .map(|(n, b)| crate::sod::DataGroupHash {
                data_group_number: *n,
                data_group_hash_value: OctetString::new(hash.digest(b)).expect("hash"),
            })
            .collect(),
        lds_version_info: None,
    }
    .to_der()
    .expect("LDS security object")
}

/// EF.SOD: `77` around the SignedData over the LDS Security Object.
pub fn sod(lso: &[u8], ds_cert: &[u8], ds_key: &Key, signing_time: Option<u64>) -> Vec<u8> {
    let sd = signed_data(oid::LDS_SECURITY_OBJECT, lso, ds_cert, ds_key, signing_time, true);
    crate::tlv_encode(0x77, &sd)
}

/// A CSCA Master List of `cscas`, signed by `signer_key` (certificate `signer_cert`).
pub fn master_list(cscas: &[&[u8]], signer_cert: &[u8], signer_key: &Key) -> Vec<u8> {
    let mut set = Vec::new();
    for c in cscas {
        set.extend_from_slice(c);
    }
    let mut body = crate::tlv_encode(0x02, &[0]);
    body.extend(crate::tlv_encode(0x31, &set));
    let content = crate::tlv_encode(0x30, &body);
    signed_data(oid::CSCA_MASTER_LIST, &content, signer_cert, signer_key, None, true)
}

/// A synthetic JPEG-looking image (SOI, an APP0 segment, filler, EOI).
pub fn face_jpeg(seed: u8) -> Vec<u8> {
    let mut j = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0];
    j.extend((0..2000u32).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)));
    j.extend([0xFF, 0xD9]);
    j
}

/// The TD3 MRZ of the test passports.
pub const TEST_MRZ: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";

/// A whole test passport and the PKI that issued it.
pub struct Passport {
    pub csca_name: String,
    pub csca_key: Key,
    pub csca: Vec<u8>,
    pub ds_key: Key,
    pub ds: Vec<u8>,
    pub ds_serial: u64,
    pub mrz: String,
    pub dg1: Vec<u8>,
    pub dg2: Vec<u8>,
    pub sod: Vec<u8>,
    pub signing_time: u64,
}

/// Seconds in a day.
pub const DAY: u64 = 86_400;

impl Passport {
    /// A passport signed with `alg` at `now` − 30 days: CSCA valid ten years
    /// around it, DS valid a year around it, DG1 and DG2 hashed in the SOD.
    pub fn issue(alg: Alg, now: u64) -> Passport {
        let seed = format!("{alg:?}");
        Passport::issue_with(
            Key::generate(alg, format!("csca-{seed}").as_bytes()),
            Key::generate(alg, format!("ds-{seed}").as_bytes()),
            now,
        )
    }

    /// The same with keys already made (RSA keys take a while).
    pub fn issue_with(csca_key: Key, ds_key: Key, now: u64) -> Passport {
        let csca_name = "CN=CSCA Utopia,O=Utopia,C=UT".to_owned();
        let signing_time = now - 30 * DAY;
        let csca = certificate(
            &CertSpec {
                subject: csca_name.clone(),
                serial: 1,
                not_before: now - 5 * 365 * DAY,
                not_after: now + 5 * 365 * DAY,
            },
            &csca_key,
            &csca_name,
            &csca_key,
        );
        let ds_serial = 4242;
        let ds = certificate(
            &CertSpec {
                subject: "CN=DS Utopia 1,O=Utopia,C=UT".to_owned(),
                serial: ds_serial,
                not_before: now - 180 * DAY,
                not_after: now + 180 * DAY,
            },
            &ds_key,
            &csca_name,
            &csca_key,
        );
        let mrz = TEST_MRZ.to_owned();
        let dg1 = encode_dg1(&mrz);
        let dg2 = encode_dg2(ImageFormat::Jpeg, 240, 320, &face_jpeg(7));
        let lso = lds_security_object(ds_key.hash(), &[(1, &dg1), (2, &dg2)]);
        let sod = sod(&lso, &ds, &ds_key, Some(signing_time));
        Passport { csca_name, csca_key, csca, ds_key, ds, ds_serial, mrz, dg1, dg2, sod, signing_time }
    }

    /// A trust store holding this passport's CSCA.
    pub fn trust(&self) -> crate::TrustStore {
        let mut t = crate::TrustStore::new();
        t.add_csca(crate::Cert::from_der(&self.csca, "CSCA").expect("test CSCA"));
        t
    }

    pub fn files(&self) -> crate::ChipFiles<'_> {
        crate::ChipFiles { sod: Some(&self.sod), dg1: Some(&self.dg1), dg2: Some(&self.dg2), ..Default::default() }
    }
}

/// One algorithm's figures from [`bench_verify`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct BenchRow {
    pub algorithm: String,
    pub iterations: usize,
    pub median_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub sod_bytes: usize,
    pub dg2_bytes: usize,
}

/// Times Passive Authentication of one passport per algorithm (DG1 and DG2
/// hashes, the SOD's signature, the DS certificate up to its CSCA among 300
/// others, DG1 against the page), `iterations` times each after 20 to warm
/// up, on the calling thread. What `centinela bench chip` and
/// `cargo bench -p centinela-chip` print.
pub fn bench_verify(iterations: usize) -> Vec<BenchRow> {
    const NOW: u64 = 1_780_000_000;
    let filler_key = Key::generate(Alg::P256, b"filler");
    let fillers: Vec<crate::Cert> = (0..300)
        .map(|i| {
            let n = format!("CN=CSCA {i},O=State {i},C=UT");
            let spec = CertSpec { subject: n.clone(), serial: i, not_before: NOW - DAY, not_after: NOW + DAY };
            let der = certificate(&spec, &filler_key, &n, &filler_key);
            crate::Cert::from_der(&der, "CSCA").expect("filler CSCA")
        })
        .collect();
    let iterations = iterations.max(1);
    Alg::ALL
        .iter()
        .map(|&alg| {
            let p = Passport::issue(alg, NOW);
            let mut trust = crate::TrustStore::new();
            for f in &fillers {
                trust.add_csca(f.clone());
            }
            trust.add_csca(crate::Cert::from_der(&p.csca, "CSCA").expect("CSCA"));
            let files = p.files();
            let mut times = Vec::with_capacity(iterations);
            for i in 0..iterations + 20 {
                let t = std::time::Instant::now();
                let v = crate::verify(&files, &trust, Some(&p.mrz), NOW);
                let e = t.elapsed();
                assert_eq!(v.outcome, crate::Outcome::Verified, "{alg:?}");
                if i >= 20 {
                    times.push(e.as_secs_f64() * 1e3);
                }
            }
            times.sort_by(f64::total_cmp);
            let q = |f: f64| times[((times.len() - 1) as f64 * f) as usize];
            BenchRow {
                algorithm: format!("{alg:?}"),
                iterations,
                median_ms: q(0.5),
                p99_ms: q(0.99),
                max_ms: times[times.len() - 1],
                sod_bytes: p.sod.len(),
                dg2_bytes: p.dg2.len(),
            }
        })
        .collect()
}
