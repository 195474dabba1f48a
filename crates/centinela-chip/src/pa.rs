//! Passive Authentication (Doc 9303 Part 11 §5.1): the data groups against
//! the SOD's hashes, the SOD's signature against its Document Signer, the
//! Document Signer against a trusted CSCA (valid at signing, not revoked),
//! and DG1 against the MRZ printed on the data page.

use serde::Serialize;

use crate::cert::{Cert, CertSummary, rfc3339};
use crate::crypto::HashAlg;
use crate::lds::{Dg1, Dg2};
use crate::signed::SignatureFailure;
use crate::sod::Sod;
use crate::trust::TrustStore;

/// The files read from the chip (`None`: not delivered).
#[derive(Clone, Copy, Debug, Default)]
pub struct ChipFiles<'a> {
    pub sod: Option<&'a [u8]>,
    pub dg1: Option<&'a [u8]>,
    pub dg2: Option<&'a [u8]>,
    pub dg11: Option<&'a [u8]>,
    pub dg12: Option<&'a [u8]>,
}

/// Why the Document Signer is not trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustFailure {
    /// The SOD carries no certificate for its signer.
    NoDsCertificate,
    /// No trusted CSCA has the DS certificate's issuer name and key.
    UnknownCsca,
    /// A CSCA of that name is trusted, but none of their keys signed the DS certificate.
    DsSignatureInvalid,
    /// The DS certificate was not yet valid when the SOD was signed.
    DsNotYetValid,
    /// The DS certificate had expired when the SOD was signed.
    DsExpired,
    /// The issuing CSCA certificate was not valid when the DS was used.
    CscaExpired,
    /// A CRL from the CSCA lists the DS certificate.
    Revoked,
}

/// Why a data group does not match the SOD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlteredReason {
    /// Its hash differs from the SOD's.
    HashMismatch,
    /// The SOD has no hash for it.
    NotInSod,
}

/// The verdict's outcome: one name, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Every check passed.
    Verified,
    /// No chip files (EF.SOD and DG1) were presented.
    NotPresented,
    /// A file could not be read.
    Malformed { file: String, reason: String },
    /// A data group differs from what was signed.
    ChipDataAltered { group: u8, reason: AlteredReason },
    /// The SOD's signature does not hold.
    SignatureInvalid { reason: SignatureFailure },
    /// The Document Signer does not chain to a trusted, valid, unrevoked CSCA.
    DsNotTrusted { reason: TrustFailure },
    /// DG1 and the printed MRZ differ (a substituted data page).
    ChipPageMismatch { fields: Vec<String> },
}

impl Outcome {
    /// The stable code (`verified`, `chip_data_altered`, …).
    pub fn code(&self) -> &'static str {
        match self {
            Outcome::Verified => "verified",
            Outcome::NotPresented => "not_presented",
            Outcome::Malformed { .. } => "malformed",
            Outcome::ChipDataAltered { .. } => "chip_data_altered",
            Outcome::SignatureInvalid { .. } => "signature_invalid",
            Outcome::DsNotTrusted { .. } => "ds_not_trusted",
            Outcome::ChipPageMismatch { .. } => "chip_page_mismatch",
        }
    }

    /// A red finding: the chip was presented and something failed.
    pub fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Verified | Outcome::NotPresented)
    }

    /// The officer's message, Spanish first.
    pub fn message_es(&self) -> String {
        match self {
            Outcome::Verified => "Chip verificado: datos firmados por el país emisor.".into(),
            Outcome::NotPresented => "No se presentó el chip.".into(),
            Outcome::Malformed { file, .. } => format!("Chip ilegible: {file} mal formado."),
            Outcome::ChipDataAltered { group, reason } => match reason {
                AlteredReason::HashMismatch => {
                    format!("Datos del chip alterados: DG{group} no coincide con lo firmado.")
                }
                AlteredReason::NotInSod => {
                    format!("Datos del chip alterados: DG{group} no figura en lo firmado.")
                }
            },
            Outcome::SignatureInvalid { reason } => format!(
                "Firma del chip inválida ({}).",
                match reason {
                    SignatureFailure::NoSignerCertificate => "falta el certificado del firmante",
                    SignatureFailure::UnsupportedAlgorithm => "algoritmo no admitido",
                    SignatureFailure::BadSignedAttributes => "atributos firmados incorrectos",
                    SignatureFailure::DigestMismatch => "el resumen no coincide",
                    SignatureFailure::Mismatch => "la firma no verifica",
                }
            ),
            Outcome::DsNotTrusted { reason } => format!(
                "Firmante del documento no confiable: {}.",
                match reason {
                    TrustFailure::NoDsCertificate => "el chip no trae su certificado",
                    TrustFailure::UnknownCsca => "CSCA desconocida",
                    TrustFailure::DsSignatureInvalid => "la CSCA no firmó este certificado",
                    TrustFailure::DsNotYetValid => "certificado aún no válido al firmar",
                    TrustFailure::DsExpired => "certificado vencido al firmar",
                    TrustFailure::CscaExpired => "CSCA vencida al firmar",
                    TrustFailure::Revoked => "certificado revocado",
                }
            ),
            Outcome::ChipPageMismatch { fields } => {
                format!("El chip y la página de datos no coinciden ({}): posible página sustituida.", fields.join(", "))
            }
        }
    }

    /// The officer's message in English.
    pub fn message_en(&self) -> String {
        match self {
            Outcome::Verified => "Chip verified: data signed by the issuing state.".into(),
            Outcome::NotPresented => "The chip was not presented.".into(),
            Outcome::Malformed { file, .. } => format!("Chip unreadable: malformed {file}."),
            Outcome::ChipDataAltered { group, reason } => match reason {
                AlteredReason::HashMismatch => {
                    format!("Chip data altered: DG{group} differs from what was signed.")
                }
                AlteredReason::NotInSod => {
                    format!("Chip data altered: DG{group} is not among the signed groups.")
                }
            },
            Outcome::SignatureInvalid { reason } => format!(
                "Chip signature invalid ({}).",
                match reason {
                    SignatureFailure::NoSignerCertificate => "signer certificate missing",
                    SignatureFailure::UnsupportedAlgorithm => "unsupported algorithm",
                    SignatureFailure::BadSignedAttributes => "bad signed attributes",
                    SignatureFailure::DigestMismatch => "digest mismatch",
                    SignatureFailure::Mismatch => "the signature does not verify",
                }
            ),
            Outcome::DsNotTrusted { reason } => format!(
                "Document Signer not trusted: {}.",
                match reason {
                    TrustFailure::NoDsCertificate => "the chip carries no DS certificate",
                    TrustFailure::UnknownCsca => "unknown CSCA",
                    TrustFailure::DsSignatureInvalid => "the CSCA did not sign this certificate",
                    TrustFailure::DsNotYetValid => "certificate not yet valid at signing",
                    TrustFailure::DsExpired => "certificate expired at signing",
                    TrustFailure::CscaExpired => "CSCA expired at signing",
                    TrustFailure::Revoked => "certificate revoked",
                }
            ),
            Outcome::ChipPageMismatch { fields } => {
                format!("Chip and data page disagree ({}): possible substituted page.", fields.join(", "))
            }
        }
    }
}

/// How one presented data group compares with the SOD.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCheck {
    pub group: u8,
    /// `match`, `hash_mismatch`, `not_in_sod`.
    pub status: &'static str,
}

/// DG1 against the printed MRZ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum PageCheck {
    NotCompared,
    Match,
    Mismatch { fields: Vec<String> },
}

/// The whole answer of Passive Authentication, as `centinela chip verify`
/// prints it (`docs/CONTRACTS.md`).
#[derive(Debug, Clone, Serialize)]
pub struct Verdict {
    #[serde(flatten)]
    pub outcome: Outcome,
    pub message_es: String,
    pub message_en: String,
    pub hash_algorithm: Option<HashAlg>,
    pub signature_algorithm: Option<String>,
    pub sod_groups: Vec<u8>,
    pub data_groups: Vec<GroupCheck>,
    pub document_signer: Option<CertSummary>,
    pub csca: Option<CertSummary>,
    pub signing_time: Option<String>,
    pub page: PageCheck,
    /// The CRLs consulted that were past their next update.
    pub stale_crls: usize,
    /// DG2's faces (format and size; the images are not in the verdict).
    pub faces: Vec<crate::lds::Face>,
    /// DG1 as read (for "the chip's data next to the page's").
    #[serde(skip)]
    pub dg1: Option<Dg1>,
    #[serde(skip)]
    pub dg2: Option<Dg2>,
}

impl Verdict {
    fn new(outcome: Outcome) -> Verdict {
        Verdict {
            message_es: outcome.message_es(),
            message_en: outcome.message_en(),
            outcome,
            hash_algorithm: None,
            signature_algorithm: None,
            sod_groups: Vec::new(),
            data_groups: Vec::new(),
            document_signer: None,
            csca: None,
            signing_time: None,
            page: PageCheck::NotCompared,
            stale_crls: 0,
            faces: Vec::new(),
            dg1: None,
            dg2: None,
        }
    }

    fn set(&mut self, outcome: Outcome) {
        self.message_es = outcome.message_es();
        self.message_en = outcome.message_en();
        self.outcome = outcome;
    }
}

fn malformed(e: crate::ParseError) -> Outcome {
    Outcome::Malformed { file: e.file().to_owned(), reason: e.to_string() }
}

/// The MRZ fields where `a` and `b` differ, by name.
fn differing_fields(chip: &Dg1, page: &str) -> Result<Vec<String>, ()> {
    let lines: Vec<&str> = page.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let zone = centinela_mrz::Zone::from_lines(&lines).map_err(|_| ())?;
    let flat_page: String = lines.concat();
    let flat_chip: String = chip.lines.concat();
    if flat_page == flat_chip {
        return Ok(Vec::new());
    }
    // Dates do not matter to a field comparison: any fixed day will do.
    let today = centinela_mrz::Date::new(2000, 1, 1).ok_or(())?;
    let p = zone.document(today);
    let c = chip.zone().document(today);
    let mut fields = Vec::new();
    let mut cmp = |name: &str, a: &str, b: &str| {
        if a != b {
            fields.push(name.to_owned());
        }
    };
    cmp("format", &format!("{:?}", p.format), &format!("{:?}", c.format));
    cmp("document_code", &p.document_code, &c.document_code);
    cmp("issuing_state", &p.issuing_state, &c.issuing_state);
    cmp("surnames", &p.surnames, &c.surnames);
    cmp("given_names", &p.given_names, &c.given_names);
    cmp("document_number", &p.document_number, &c.document_number);
    cmp("nationality", &p.nationality, &c.nationality);
    cmp("birth_date", &p.birth_date, &c.birth_date);
    cmp("sex", &p.sex, &c.sex);
    cmp("expiry_date", &p.expiry_date, &c.expiry_date);
    cmp("optional_data", &p.optional_data, &c.optional_data);
    if fields.is_empty() {
        // Same fields, other characters (check digits, fillers).
        fields.push("check_digits".to_owned());
    }
    Ok(fields)
}

/// Passive Authentication of `files` against `trust` at Unix time `now`,
/// with the printed MRZ read at the booth when there is one. Never panics;
/// every failure is an [`Outcome`] with its reason. When several checks
/// fail, the outcome is the first in this order: unreadable, data altered,
/// signature invalid, DS not trusted, chip and page disagree.
pub fn verify(files: &ChipFiles<'_>, trust: &TrustStore, printed_mrz: Option<&str>, now: u64) -> Verdict {
    let (Some(sod_bytes), Some(dg1_bytes)) = (files.sod, files.dg1) else {
        return Verdict::new(Outcome::NotPresented);
    };
    let mut v = Verdict::new(Outcome::Verified);
    let sod = match Sod::parse(sod_bytes) {
        Ok(s) => s,
        Err(e) => return Verdict::new(malformed(e)),
    };
    v.hash_algorithm = Some(sod.hash_alg);
    v.sod_groups = sod.groups();
    v.signature_algorithm = sod.signed.signer.alg.ok().map(|a| a.name());
    v.signing_time = sod.signed.signer.signing_time.map(rfc3339);
    let dg1 = match Dg1::parse(dg1_bytes) {
        Ok(d) => d,
        Err(e) => {
            v.set(malformed(e));
            return v;
        }
    };
    let mut presented: Vec<(u8, &[u8])> = vec![(1, dg1_bytes)];
    if let Some(b) = files.dg2 {
        match Dg2::parse(b) {
            Ok(d) => {
                v.faces = d.faces.iter().map(|f| crate::lds::Face { image: Vec::new(), ..f.clone() }).collect();
                v.dg2 = Some(d);
            }
            Err(e) => {
                v.set(malformed(e));
                return v;
            }
        }
        presented.push((2, b));
    }
    for (n, b) in [(11u8, files.dg11), (12, files.dg12)] {
        if let Some(b) = b {
            if let Err(e) = crate::lds::Details::parse(b, n) {
                v.set(malformed(e));
                return v;
            }
            presented.push((n, b));
        }
    }
    v.dg1 = Some(dg1);

    // 1. Every presented data group against the SOD.
    let mut altered = None;
    for (n, bytes) in &presented {
        let status = match sod.hash_of(*n) {
            None => {
                altered.get_or_insert((*n, AlteredReason::NotInSod));
                "not_in_sod"
            }
            Some(h) if sod.hash_alg.digest(bytes) == h => "match",
            Some(_) => {
                altered.get_or_insert((*n, AlteredReason::HashMismatch));
                "hash_mismatch"
            }
        };
        v.data_groups.push(GroupCheck { group: *n, status });
    }

    // 2. The SOD's signature with the DS certificate inside it.
    let ds = sod.signed.signer_cert();
    v.document_signer = ds.map(Cert::summary);
    let signature = match ds {
        Some(ds) => sod.signed.verify_with(ds),
        None => Err(SignatureFailure::NoSignerCertificate),
    };

    // 3. The DS certificate up to a trusted CSCA, valid at signing, not revoked.
    let at = sod.signed.signer.signing_time.unwrap_or(now);
    let chain = match ds {
        None => Err(TrustFailure::NoDsCertificate),
        Some(ds) => check_chain(ds, trust, at, now, &mut v),
    };

    // 4. DG1 against the printed page.
    if let (Some(page), Some(dg1)) = (printed_mrz, &v.dg1) {
        v.page = match differing_fields(dg1, page) {
            Ok(f) if f.is_empty() => PageCheck::Match,
            Ok(fields) => PageCheck::Mismatch { fields },
            Err(()) => PageCheck::Mismatch { fields: vec!["unreadable_page_mrz".to_owned()] },
        };
    }

    let outcome = if let Some((group, reason)) = altered {
        Outcome::ChipDataAltered { group, reason }
    } else if let Err(reason) = signature {
        Outcome::SignatureInvalid { reason }
    } else if let Err(reason) = chain {
        Outcome::DsNotTrusted { reason }
    } else if let PageCheck::Mismatch { fields } = &v.page {
        Outcome::ChipPageMismatch { fields: fields.clone() }
    } else {
        Outcome::Verified
    };
    v.set(outcome);
    v
}

fn check_chain(ds: &Cert, trust: &TrustStore, at: u64, now: u64, v: &mut Verdict) -> Result<(), TrustFailure> {
    let mut named = false;
    let mut issuer = None;
    for csca in trust.issuers_of(ds) {
        named = true;
        if ds.verify_issued_by(csca).is_ok() {
            issuer = Some(csca);
            break;
        }
    }
    let csca = match (named, issuer) {
        (false, _) => return Err(TrustFailure::UnknownCsca),
        (true, None) => return Err(TrustFailure::DsSignatureInvalid),
        (true, Some(c)) => c,
    };
    v.csca = Some(csca.summary());
    for crl in trust.crls_of(csca) {
        if crl.next_update.is_some_and(|n| n < now) {
            v.stale_crls += 1;
        }
        if crl.revoked.contains(&ds.serial) {
            return Err(TrustFailure::Revoked);
        }
    }
    if at < ds.not_before {
        return Err(TrustFailure::DsNotYetValid);
    }
    if at > ds.not_after {
        return Err(TrustFailure::DsExpired);
    }
    if !csca.valid_at(at) {
        return Err(TrustFailure::CscaExpired);
    }
    Ok(())
}
