//! Trust anchors for the ePassport chip and the chip's verification:
//! import a CSCA Master List, a CSCA certificate or a CRL as a new version
//! (audited `pki_imported`), list what is held (with a warning for every
//! CRL past its next update), build the trust store Passive Authentication
//! checks against (cached by version), and verify a chip.

use std::sync::Arc;

use centinela_chip::{ChipFiles, TrustFile, TrustStore, Verdict};
use centinela_domain::Role;
use centinela_store::NewAnchor;
use serde::Serialize;

use crate::{App, AppError, Caller};

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// The trust-anchor version this import made.
    pub version: i64,
    /// `master_list`, `csca` or `crl`.
    pub kind: &'static str,
    /// Anchors new to the store, and those already held.
    pub added: usize,
    pub already: usize,
    /// For a Master List: entries that were not certificates with a supported key.
    pub skipped: usize,
    /// For a Master List: whether its signer was issued by a CSCA in it.
    pub signer_issued_by_listed_csca: Option<bool>,
    /// Warnings (a CRL past its next update), Spanish then English.
    pub warnings: Vec<Warning>,
}

/// A warning in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Warning {
    pub code: &'static str,
    pub es: String,
    pub en: String,
}

/// One anchor as `pki list` shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnchorRow {
    pub version: i64,
    pub kind: String,
    pub country: String,
    pub subject: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    pub fingerprint: String,
    /// A CSCA past its not-after date, or a CRL past its next update.
    pub stale: bool,
}

/// The trust anchors held.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PkiListing {
    pub version: i64,
    pub anchors: Vec<AnchorRow>,
    pub warnings: Vec<Warning>,
}

/// The trust store built from the anchors of one version.
#[derive(Default)]
pub struct PkiCache(tokio::sync::Mutex<Option<(i64, Arc<TrustStore>)>>);

fn stale_crl_warning(issuer: &str, next_update: &str) -> Warning {
    Warning {
        code: "crl_stale",
        es: format!(
            "La CRL de {issuer} pasó su próxima actualización ({}): puede faltarle alguna revocación; importe la vigente.",
            dd_mm_yyyy(next_update)
        ),
        en: format!(
            "The CRL of {issuer} is past its next update ({}): it may miss revocations; import the current one.",
            dd_mm_yyyy(next_update)
        ),
    }
}

/// `DD/MM/AAAA` of an RFC 3339 time.
fn dd_mm_yyyy(t: &str) -> String {
    match (t.get(0..4), t.get(5..7), t.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => t.to_owned(),
    }
}

/// A name from a certificate, as text that passes the edge rule: anything
/// the rule refuses becomes `?`.
fn clean(s: &str) -> String {
    const MAX: usize = 512;
    if centinela_domain::text::check_line(s, MAX).is_ok() {
        return s.to_owned();
    }
    s.chars().take(MAX).map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' }).collect()
}

impl App {
    /// Imports a trust file (DER or PEM): a CSCA Master List whose own
    /// signature must verify, a CSCA certificate, or a CRL. Administrators
    /// and the command line only. `now` is Unix seconds.
    pub async fn import_trust_file(
        &self,
        caller: Caller<'_>,
        file_name: &str,
        bytes: &[u8],
        now: u64,
    ) -> Result<ImportReport, AppError> {
        if let Caller::User(u) = caller
            && u.role != Role::Admin
        {
            return Err(AppError::Forbidden("only administrators import trust anchors".into()));
        }
        let file_name = clean(file_name.rsplit(['/', '\\']).next().unwrap_or(file_name));
        let file = centinela_chip::parse_trust_file(bytes).map_err(|e| AppError::Invalid(format!("file: {e}")))?;
        let sha = hex(&centinela_chip::crypto::HashAlg::Sha256.digest(bytes));
        struct Row {
            kind: &'static str,
            fingerprint: String,
            country: String,
            subject: String,
            from: String,
            to: Option<String>,
            der: Vec<u8>,
        }
        let cert_row = |c: &centinela_chip::Cert| Row {
            kind: "csca",
            fingerprint: c.fingerprint(),
            country: clean(&c.country()),
            subject: clean(&c.summary().subject),
            from: centinela_chip::cert::rfc3339(c.not_before),
            to: Some(centinela_chip::cert::rfc3339(c.not_after)),
            der: c.der.clone(),
        };
        let mut warnings = Vec::new();
        let (kind, rows, skipped, signer_ok) = match &file {
            TrustFile::MasterList(ml) => {
                if ml.signature.is_err() {
                    return Err(AppError::Invalid(
                        "file: the Master List's signature does not verify with its signer's certificate".into(),
                    ));
                }
                let rows: Vec<Row> = ml.cscas.iter().map(cert_row).collect();
                ("master_list", rows, ml.skipped, Some(ml.signer_issued_by_listed_csca))
            }
            TrustFile::Csca(c) => {
                if c.key.is_err() {
                    return Err(AppError::Invalid("file: the certificate's key is of an unsupported kind".into()));
                }
                ("csca", vec![cert_row(c)], 0, None)
            }
            TrustFile::Crl(l) => {
                let next = l.next_update.map(centinela_chip::cert::rfc3339);
                if let (Some(n), Some(text)) = (l.next_update, &next)
                    && n < now
                {
                    warnings.push(stale_crl_warning(&clean(&l.issuer_text()), text));
                }
                let row = Row {
                    kind: "crl",
                    fingerprint: l.fingerprint(),
                    country: clean(&l.country()),
                    subject: clean(&l.issuer_text()),
                    from: centinela_chip::cert::rfc3339(l.this_update),
                    to: next,
                    der: l.der.clone(),
                };
                ("crl", vec![row], 0, None)
            }
        };
        let anchors: Vec<NewAnchor<'_>> = rows
            .iter()
            .map(|r| NewAnchor {
                kind: r.kind,
                fingerprint: &r.fingerprint,
                country: &r.country,
                subject: &r.subject,
                valid_from: &r.from,
                valid_to: r.to.as_deref(),
                der: &r.der,
            })
            .collect();
        let done = self.store().import_trust_anchors(&caller.actor(), kind, &file_name, &sha, &anchors).await?;
        Ok(ImportReport {
            version: done.version,
            kind,
            added: done.added,
            already: done.already,
            skipped,
            signer_issued_by_listed_csca: signer_ok,
            warnings,
        })
    }

    /// The anchors held, with warnings for CRLs past their next update at `now`.
    pub async fn pki_list(&self, now: u64) -> Result<PkiListing, AppError> {
        let version = self.store().pki_version().await?;
        let stored = self.store().trust_anchors().await?;
        let now_text = centinela_chip::cert::rfc3339(now);
        let warnings = self.pki_warnings(now).await?;
        let anchors = stored
            .into_iter()
            .map(|a| {
                let stale = a.valid_to.as_deref().is_some_and(|t| t < now_text.as_str());
                AnchorRow {
                    version: a.version,
                    kind: a.kind,
                    country: a.country,
                    subject: a.subject,
                    valid_from: a.valid_from,
                    valid_to: a.valid_to,
                    fingerprint: a.fingerprint,
                    stale,
                }
            })
            .collect();
        Ok(PkiListing { version, anchors, warnings })
    }

    /// A warning for every CRL issuer whose latest CRL is past its next
    /// update at `now` (a CRL superseded by a newer one is not warned
    /// about): the booth may miss a revocation. Shown by `pki list`, the
    /// trust-anchor page and `/api/health`.
    pub async fn pki_warnings(&self, now: u64) -> Result<Vec<Warning>, AppError> {
        let now_text = centinela_chip::cert::rfc3339(now);
        Ok(self
            .store()
            .stale_crls(&now_text)
            .await?
            .into_iter()
            .map(|(issuer, next)| stale_crl_warning(&issuer, &next))
            .collect())
    }

    /// The trust store of the anchors held, rebuilt when a new version is imported.
    pub async fn trust_store(&self) -> Result<Arc<TrustStore>, AppError> {
        let version = self.store().pki_version().await?;
        let mut cache = self.0.pki.0.lock().await;
        if let Some((v, t)) = cache.as_ref()
            && *v == version
        {
            return Ok(t.clone());
        }
        let mut trust = TrustStore::new();
        for a in self.store().trust_anchors().await? {
            // Each was read when imported; one that no longer reads is skipped.
            match a.kind.as_str() {
                "csca" => {
                    if let Ok(c) = centinela_chip::Cert::from_der(&a.der, "CSCA") {
                        trust.add_csca(c);
                    }
                }
                _ => {
                    if let Ok(c) = centinela_chip::Crl::from_der(&a.der, "CRL") {
                        trust.add_crl(c);
                    }
                }
            }
        }
        let trust = Arc::new(trust);
        *cache = Some((version, trust.clone()));
        Ok(trust)
    }

    /// Passive Authentication of a chip against the anchors held, with the
    /// printed MRZ when there is one (under 2 ms of CPU: run in place, not
    /// on the heavy-work pool). Not audited here: the inspection that
    /// carries the chip is.
    pub async fn verify_chip(
        &self,
        files: &ChipFiles<'_>,
        printed_mrz: Option<&str>,
        now: u64,
    ) -> Result<Verdict, AppError> {
        let trust = self.trust_store().await?;
        Ok(centinela_chip::verify(files, &trust, printed_mrz, now))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The largest base64 text accepted for one chip file (2 MiB of DG2 and
/// its encoding; the request's own size limit is usually lower).
const MAX_CHIP_B64: usize = 3 * 1024 * 1024;

fn decode_chip_file(i: usize, name: &str, text: &str) -> Result<Vec<u8>, AppError> {
    use base64::Engine;
    if text.len() > MAX_CHIP_B64 {
        return Err(AppError::Invalid(format!("travellers[{i}].chip.{name}: too long")));
    }
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| AppError::Invalid(format!("travellers[{i}].chip.{name}: not base64")))
}

impl App {
    /// Passive Authentication of every traveller's chip in `req` (`None`
    /// where no chip was presented), DG1 against the traveller's MRZ.
    pub(crate) async fn chip_results(
        &self,
        req: &centinela_inspect::PartyRequest,
        now: u64,
    ) -> Result<Vec<Option<ChipRead>>, AppError> {
        let mut out = Vec::with_capacity(req.travellers.len());
        for (i, t) in req.travellers.iter().enumerate() {
            let Some(chip) = &t.chip else {
                out.push(None);
                continue;
            };
            let sod = decode_chip_file(i, "sod", &chip.sod)?;
            let dg1 = decode_chip_file(i, "dg1", &chip.dg1)?;
            let opt = |name, v: &Option<String>| v.as_deref().map(|s| decode_chip_file(i, name, s)).transpose();
            let dg2 = opt("dg2", &chip.dg2)?;
            let dg11 = opt("dg11", &chip.dg11)?;
            let dg12 = opt("dg12", &chip.dg12)?;
            let files = ChipFiles {
                sod: Some(&sod),
                dg1: Some(&dg1),
                dg2: dg2.as_deref(),
                dg11: dg11.as_deref(),
                dg12: dg12.as_deref(),
            };
            let v = self.verify_chip(&files, t.mrz.as_deref(), now).await?;
            let data = v.dg1.as_ref().map(|d| chip_data(d, now));
            // The chip's photo is kept whatever the verdict: a forged
            // chip's face is evidence too.
            let photo = v
                .dg2
                .as_ref()
                .and_then(|d| d.faces.first())
                .map(|f| crate::faces::Photo { mime: f.format.mime(), bytes: f.image.clone() });
            out.push(Some(ChipRead {
                result: centinela_inspect::ChipResult {
                    outcome: v.outcome.code().to_owned(),
                    failed: v.outcome.is_failure(),
                    message_es: v.message_es.clone(),
                    message_en: v.message_en.clone(),
                    verdict: serde_json::to_value(&v).map_err(AppError::internal)?,
                    data,
                },
                photo,
            }));
        }
        Ok(out)
    }
}

/// A chip read at the booth: the verdict for the officer and the chip's photo.
pub(crate) struct ChipRead {
    pub result: centinela_inspect::ChipResult,
    pub photo: Option<crate::faces::Photo>,
}

/// DG1's fields, as the MRZ reader reads them (dates as of `now`).
fn chip_data(dg1: &centinela_chip::Dg1, now: u64) -> centinela_inspect::ChipData {
    let day = jiff::Timestamp::from_second(i64::try_from(now).unwrap_or(0))
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .unwrap_or_default();
    let today = centinela_mrz::Date::new(i32::from(day.year()), day.month() as u8, day.day() as u8)
        .or(centinela_mrz::Date::new(2000, 1, 1))
        .unwrap_or_else(|| unreachable!("2000-01-01 is a date"));
    let d = dg1.zone().document(today);
    centinela_inspect::ChipData {
        document_code: d.document_code,
        issuing_state: d.issuing_state,
        surnames: d.surnames,
        given_names: d.given_names,
        document_number: d.document_number,
        nationality: d.nationality,
        birth_date: d.birth_date,
        sex: d.sex,
        expiry_date: d.expiry_date,
    }
}

/// The flag a failed chip raises: document fraud, secondary inspection.
pub(crate) fn chip_flag(r: &centinela_inspect::ChipResult) -> centinela_inspect::Flag {
    centinela_inspect::Flag {
        code: if r.outcome == "chip_page_mismatch" { "chip_page_mismatch" } else { "chip_failed" }.to_owned(),
        kind: centinela_inspect::FlagKind::DocumentFraud,
        reason: r.message_en.clone(),
        action: centinela_inspect::NextStep::SecondaryInspection,
    }
}
