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
