//! Trust anchors for the ePassport chip (migration 0018): CSCA certificates
//! and CRLs, each import a version with its audit entry (`pki_imported`,
//! subject `pki_version:N`, detail the kind, counts and the file's SHA-256)
//! in the same transaction. An anchor already held (same DER) is counted,
//! not stored again. The store keeps bytes and a few columns to list them;
//! reading them is `centinela-chip`'s work.

use sqlx::Row;

use crate::audit::{append_in_tx, begin_write};
use crate::{Store, StoreError, now_rfc3339, on_pool};

/// At most this many anchors in one import (an ICAO Master List holds a
/// few hundred).
pub const MAX_ANCHORS_PER_IMPORT: usize = 20_000;

/// An anchor to store.
#[derive(Debug, Clone)]
pub struct NewAnchor<'a> {
    /// `csca` or `crl`.
    pub kind: &'a str,
    pub fingerprint: &'a str,
    pub country: &'a str,
    pub subject: &'a str,
    pub valid_from: &'a str,
    pub valid_to: Option<&'a str>,
    pub der: &'a [u8],
}

/// A stored anchor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredAnchor {
    pub version: i64,
    pub kind: String,
    pub fingerprint: String,
    pub country: String,
    pub subject: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    #[serde(skip)]
    pub der: Vec<u8>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PkiImport {
    pub version: i64,
    pub added: usize,
    pub already: usize,
}

impl Store {
    /// Stores `anchors` as a new trust-anchor version from a file of
    /// `kind` (`master_list`, `csca`, `crl`), audited, all in one transaction.
    pub async fn import_trust_anchors(
        &self,
        actor: &str,
        kind: &str,
        file_name: &str,
        file_sha256: &str,
        anchors: &[NewAnchor<'_>],
    ) -> Result<PkiImport, StoreError> {
        if !matches!(kind, "master_list" | "csca" | "crl") {
            return Err(StoreError::Invalid(format!("trust file kind '{kind}'")));
        }
        if anchors.len() > MAX_ANCHORS_PER_IMPORT {
            return Err(StoreError::Invalid(format!("more than {MAX_ANCHORS_PER_IMPORT} trust anchors in one import")));
        }
        if let Some(a) = anchors.iter().find(|a| !matches!(a.kind, "csca" | "crl")) {
            return Err(StoreError::Invalid(format!("trust anchor kind '{}'", a.kind)));
        }
        let backend = self.backend();
        let now = now_rfc3339();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            let version: i64 = sqlx::query_scalar(
                "INSERT INTO pki_versions (kind, file_name, file_sha256, actor, imported_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(kind)
            .bind(file_name)
            .bind(file_sha256)
            .bind(actor)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            let mut added = 0usize;
            for a in anchors {
                let n = sqlx::query(
                    "INSERT INTO pki_anchors (version_id, kind, fingerprint, country, subject, valid_from, valid_to, der) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (fingerprint) DO NOTHING",
                )
                .bind(version)
                .bind(a.kind)
                .bind(a.fingerprint)
                .bind(a.country)
                .bind(a.subject)
                .bind(a.valid_from)
                .bind(a.valid_to)
                .bind(a.der)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                added += n as usize;
            }
            let already = anchors.len() - added;
            let detail = serde_json::json!({
                "kind": kind,
                "added": added,
                "already": already,
                "file_sha256": file_sha256,
            })
            .to_string();
            append_in_tx!(tx, self, actor, "pki_imported", format!("pki_version:{version}"), &detail).await?;
            tx.commit().await?;
            Ok(PkiImport { version, added, already })
        })
    }

    /// Every trust anchor held, oldest first.
    pub async fn trust_anchors(&self) -> Result<Vec<StoredAnchor>, StoreError> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT version_id, kind, fingerprint, country, subject, valid_from, valid_to, der \
                 FROM pki_anchors ORDER BY id",
            )
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(StoredAnchor {
                        version: r.try_get("version_id")?,
                        kind: r.try_get("kind")?,
                        fingerprint: r.try_get("fingerprint")?,
                        country: r.try_get("country")?,
                        subject: r.try_get("subject")?,
                        valid_from: r.try_get("valid_from")?,
                        valid_to: r.try_get("valid_to")?,
                        der: r.try_get("der")?,
                    })
                })
                .collect()
        })
    }

    /// The latest trust-anchor version (0: none imported).
    pub async fn pki_version(&self) -> Result<i64, StoreError> {
        on_pool!(self, p => {
            let v: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM pki_versions").fetch_one(p).await?;
            Ok(v.unwrap_or(0))
        })
    }
}

/// The most trust anchors one pull answer carries (versions are whole: the
/// first version after the post's mark always goes, however large).
pub const MAX_ANCHORS_PULLED: usize = 5_000;

/// One trust-anchor version as it travels to a post: its anchors' DER in hex.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PkiVersionItem {
    /// The centre's version number.
    pub version: i64,
    /// `master_list`, `csca` or `crl`.
    pub kind: String,
    pub file_name: String,
    pub file_sha256: String,
    pub imported_at: String,
    pub anchors: Vec<PkiAnchorItem>,
}

/// One anchor in a [`PkiVersionItem`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PkiAnchorItem {
    pub kind: String,
    pub fingerprint: String,
    pub country: String,
    pub subject: String,
    pub valid_from: String,
    pub valid_to: Option<String>,
    /// The DER, hex.
    pub der: String,
}

/// The trust-anchor versions a post has not installed yet, and how far
/// they go (the post asks after `to` next time).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PkiDelta {
    pub versions: Vec<PkiVersionItem>,
    pub to: i64,
}

/// What a post installed from a [`PkiDelta`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct PkiInstalled {
    pub versions: u64,
    pub added: u64,
    /// Anchors refused (kind unknown, DER not hex or not matching its fingerprint).
    pub skipped: u64,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

impl Store {
    /// At the centre: the trust-anchor versions after `after`, oldest first,
    /// whole, until [`MAX_ANCHORS_PULLED`] anchors are reached (the first
    /// always goes). Trust anchors are public certificates: not audited.
    pub async fn pki_since(&self, after: i64) -> Result<PkiDelta, StoreError> {
        on_pool!(self, p => {
            let versions = sqlx::query(
                "SELECT id, kind, file_name, file_sha256, imported_at FROM pki_versions WHERE id > $1 ORDER BY id LIMIT 1000",
            )
            .bind(after)
            .fetch_all(p)
            .await?;
            let mut out = PkiDelta { versions: Vec::new(), to: after };
            let mut carried = 0usize;
            for v in &versions {
                let id: i64 = v.try_get("id")?;
                let rows = sqlx::query(
                    "SELECT kind, fingerprint, country, subject, valid_from, valid_to, der FROM pki_anchors \
                     WHERE version_id = $1 ORDER BY id",
                )
                .bind(id)
                .fetch_all(p)
                .await?;
                if !out.versions.is_empty() && carried + rows.len() > MAX_ANCHORS_PULLED {
                    break;
                }
                carried += rows.len();
                let anchors = rows
                    .iter()
                    .map(|r| {
                        let der: Vec<u8> = r.try_get("der")?;
                        Ok(PkiAnchorItem {
                            kind: r.try_get("kind")?,
                            fingerprint: r.try_get("fingerprint")?,
                            country: r.try_get("country")?,
                            subject: r.try_get("subject")?,
                            valid_from: r.try_get("valid_from")?,
                            valid_to: r.try_get("valid_to")?,
                            der: crate::hex(&der),
                        })
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                out.versions.push(PkiVersionItem {
                    version: id,
                    kind: v.try_get("kind")?,
                    file_name: v.try_get("file_name")?,
                    file_sha256: v.try_get("file_sha256")?,
                    imported_at: v.try_get("imported_at")?,
                    anchors,
                });
                out.to = id;
            }
            Ok(out)
        })
    }

    /// At a post: the centre's last trust-anchor version installed here.
    pub async fn pki_mark(&self) -> Result<i64, StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_scalar("SELECT pki_pulled FROM sync_state WHERE id = 1").fetch_one(p).await?)
        })
    }

    /// At a post: installs the centre's trust-anchor versions, each as a
    /// local version with its audit entry (`pki_synced`, actor `central`,
    /// detail the centre's version, kind, counts and the file's SHA-256),
    /// and moves the mark, in one transaction. An anchor whose DER does not
    /// match its fingerprint (SHA-256) is skipped and counted.
    pub async fn apply_pki_delta(&self, delta: &PkiDelta) -> Result<PkiInstalled, StoreError> {
        use sha2::Digest;
        let backend = self.backend();
        let now = now_rfc3339();
        let mut done = PkiInstalled::default();
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            for v in delta.versions.iter().take(1000) {
                if !matches!(v.kind.as_str(), "master_list" | "csca" | "crl") || v.anchors.len() > MAX_ANCHORS_PER_IMPORT {
                    done.skipped += v.anchors.len() as u64;
                    continue;
                }
                let file_name: String = v.file_name.chars().take(255).collect();
                let file_sha: String = v.file_sha256.chars().take(64).collect();
                let version: i64 = sqlx::query_scalar(
                    "INSERT INTO pki_versions (kind, file_name, file_sha256, actor, imported_at) \
                     VALUES ($1, $2, $3, 'central', $4) RETURNING id",
                )
                .bind(&v.kind)
                .bind(&file_name)
                .bind(&file_sha)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
                let (mut added, mut already, mut skipped) = (0u64, 0u64, 0u64);
                for a in &v.anchors {
                    let der = match unhex(&a.der) {
                        Some(d) if matches!(a.kind.as_str(), "csca" | "crl")
                            && crate::hex(&sha2::Sha256::digest(&d)) == a.fingerprint => d,
                        _ => {
                            skipped += 1;
                            continue;
                        }
                    };
                    let n = sqlx::query(
                        "INSERT INTO pki_anchors (version_id, kind, fingerprint, country, subject, valid_from, valid_to, der) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (fingerprint) DO NOTHING",
                    )
                    .bind(version)
                    .bind(&a.kind)
                    .bind(&a.fingerprint)
                    .bind(a.country.chars().take(64).collect::<String>())
                    .bind(a.subject.chars().take(512).collect::<String>())
                    .bind(&a.valid_from)
                    .bind(&a.valid_to)
                    .bind(&der)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 1 { added += 1 } else { already += 1 }
                }
                let detail = serde_json::json!({
                    "central_version": v.version,
                    "kind": v.kind,
                    "added": added,
                    "already": already,
                    "skipped": skipped,
                    "file_sha256": file_sha,
                })
                .to_string();
                append_in_tx!(tx, self, "central", "pki_synced", format!("pki_version:{version}"), &detail).await?;
                done.versions += 1;
                done.added += added;
                done.skipped += skipped;
            }
            sqlx::query(
                "UPDATE sync_state SET pki_pulled = CASE WHEN pki_pulled > $1 THEN pki_pulled ELSE $1 END WHERE id = 1",
            )
            .bind(delta.to)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(done)
        })
    }
}

impl Store {
    /// The CRLs held whose issuer has no CRL current at `now` (RFC 3339):
    /// (issuer, the latest next-update), issuer order. A CRL superseded by
    /// a newer one of the same issuer is not stale.
    pub async fn stale_crls(&self, now: &str) -> Result<Vec<(String, String)>, StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query_as(
                "SELECT subject, MAX(valid_to) FROM pki_anchors WHERE kind = 'crl' AND valid_to IS NOT NULL \
                 GROUP BY subject HAVING MAX(valid_to) < $1 ORDER BY subject LIMIT 1000",
            )
            .bind(now)
            .fetch_all(p)
            .await?)
        })
    }
}
