//! Retention: how long each kind of record is kept, and the purge.
//!
//! The records are append-only by trigger; the purge is the one controlled
//! exception. Inside its own transaction it inserts a row into
//! `purge_permits` (the triggers let DELETE through only while such a row
//! exists), deletes what has outlived its period, removes the permit and
//! commits together with one `purge` audit entry that counts what went. No
//! other transaction ever sees a permit: it is never committed. UPDATE
//! stays refused, and the audit log is never purged.
//!
//! What a case holds is never purged while the case exists: the crossings
//! linked to it, and every crossing of the same traveller (same document,
//! or same names and full birth date — the timeline's rule), with their
//! inspections, hits, decisions and referrals. A closed case is purged
//! when it has been closed longer than its period: its versions, links and
//! shares go; its header (id, opener, date: no personal data) stays so
//! that the referral answers pointing to it stay whole.
//!
//! A dry run does the same deletes, counts them, and rolls back.

use serde::Serialize;

use crate::audit::{append_in_tx, begin_write};
use crate::time::rfc3339;
use crate::{Store, StoreError, on_pool};

/// Days each kind of record is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Crossings (with their decisions and referrals), by `crossed_at`.
    pub crossings_days: u32,
    /// What an inspection showed (the full result JSON), by its time.
    pub inspections_days: u32,
    /// Alert-list hits and their adjudications, by when raised.
    pub hits_days: u32,
    /// Login sessions, after they expire.
    pub sessions_days: u32,
    /// Closed trafficking cases, after their last change.
    pub closed_cases_days: u32,
    /// PNR versions are depersonalised (names, contacts, payment, document
    /// numbers masked; see the store's `pnr.rs`) this long after receipt.
    pub pnr_mask_days: u32,
    /// PNR versions are deleted this long after receipt.
    pub pnr_days: u32,
    /// API passenger lists (with the links of crossings to them and the
    /// record of what was screened) are deleted this long after their
    /// flight's day of departure.
    pub api_days: u32,
}

impl Default for Retention {
    /// Five years of crossings and hits, two of full inspection results,
    /// thirty days of expired sessions, ten years of closed cases
    /// (prosecutions are long).
    fn default() -> Self {
        Retention {
            crossings_days: 5 * 365,
            inspections_days: 2 * 365,
            hits_days: 5 * 365,
            sessions_days: 30,
            closed_cases_days: 10 * 365,
            // The EU PNR directive's periods (2016/681, article 12).
            pnr_mask_days: 183,
            pnr_days: 5 * 365,
            // As long as a PNR stays unmasked: the list serves the arrival
            // and the first months of analysis.
            api_days: 183,
        }
    }
}

/// What a purge removed (or, dry, would remove), per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PurgeReport {
    pub dry_run: bool,
    /// The time the periods were counted back from.
    pub now: String,
    pub crossings: u64,
    pub inspections: u64,
    pub hits: u64,
    /// Lookout hits (with their crossing, or past the hits' period).
    pub lookout_hits: u64,
    pub adjudications: u64,
    pub decisions: u64,
    pub referrals: u64,
    pub referral_answers: u64,
    pub closed_cases: u64,
    pub case_versions: u64,
    pub sessions: u64,
    /// Faces stored with purged crossings (chip photos, booth captures).
    pub images: u64,
    /// Crossings past their period kept because a case holds them.
    pub kept_for_cases: u64,
    /// PNR versions depersonalised, and deleted.
    pub pnr_masked: u64,
    pub pnr_deleted: u64,
    /// Passengers and crew of flights' API lists (PAXLST) deleted: kept
    /// for the arrival, no longer than a PNR stays unmasked.
    pub api_persons: u64,
    /// Pre-arrival hits deleted (with their adjudications), past the
    /// hits' period like a booth's.
    pub prearrival_hits: u64,
}

fn q(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

impl Store {
    /// Purges what has outlived `retention` at `now_unix` (seconds), as
    /// `actor`; with `dry_run` only counts. Audited either way (`purge` or
    /// `purge_dry_run`, with the counts and periods).
    pub async fn purge(
        &self,
        actor: &str,
        retention: &Retention,
        now_unix: u64,
        dry_run: bool,
    ) -> Result<PurgeReport, StoreError> {
        let cut = |days: u32| rfc3339(now_unix.saturating_sub(u64::from(days) * 86_400));
        let (c_cut, i_cut, h_cut, k_cut, m_cut, a_cut) = (
            cut(retention.crossings_days),
            cut(retention.inspections_days),
            cut(retention.hits_days),
            cut(retention.closed_cases_days),
            cut(retention.pnr_mask_days),
            cut(retention.api_days),
        );
        let s_cut = i64::try_from(now_unix.saturating_sub(u64::from(retention.sessions_days) * 86_400)).unwrap_or(0);
        let now = rfc3339(now_unix);
        let mut rep = PurgeReport { dry_run, now: now.clone(), ..PurgeReport::default() };
        // PNRs first, in a transaction of their own (audited apart).
        (rep.pnr_masked, rep.pnr_deleted) =
            self.depersonalise_pnr(actor, &m_cut, &cut(retention.pnr_days), &now, dry_run).await?;
        let backend = self.backend();
        // Closed cases past their period: latest version closed and older
        // than the cut, and not purged before (it still has versions).
        let closed = "SELECT v.case_id FROM case_versions v WHERE v.status IN ('Closed', 'ClosedReferred') \
                      AND v.at < $1 AND v.version = (SELECT MAX(v2.version) FROM case_versions v2 WHERE v2.case_id = v.case_id)";
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            sqlx::query("INSERT INTO purge_permits (at) VALUES ($1)").bind(&now).execute(&mut *tx).await?;

            // 1. Closed cases: versions, shares and links (the header stays).
            let ids: Vec<i64> = sqlx::query_scalar(closed).bind(&k_cut).fetch_all(&mut *tx).await?;
            rep.closed_cases = ids.len() as u64;
            for id in &ids {
                sqlx::query("DELETE FROM case_shares WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM case_crossings WHERE case_id = $1").bind(id).execute(&mut *tx).await?;
                rep.case_versions += sqlx::query("DELETE FROM case_versions WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            }

            // 2. What the remaining cases hold: their crossings and every
            // crossing of the same traveller, found through the indexes
            // once; then the crossings past their period and not held.
            for t in ["purge_keep", "purge_gone"] {
                sqlx::query(q(format!("CREATE TEMPORARY TABLE IF NOT EXISTS {t} (crossing_id TEXT PRIMARY KEY)")))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(q(format!("DELETE FROM {t}"))).execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO purge_keep (crossing_id) \
                 SELECT cc.crossing_id FROM case_crossings cc \
                 UNION SELECT c.crossing_id FROM case_crossings cc JOIN crossings k ON k.crossing_id = cc.crossing_id \
                   JOIN crossings c ON k.document_number <> '' AND c.document_number = k.document_number \
                   AND c.issuing_state = k.issuing_state \
                 UNION SELECT c.crossing_id FROM case_crossings cc JOIN crossings k ON k.crossing_id = cc.crossing_id \
                   JOIN crossings c ON length(k.birth_date) = 10 AND c.surnames = k.surnames \
                   AND c.given_names = k.given_names AND c.birth_date = k.birth_date",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO purge_gone (crossing_id) SELECT c.crossing_id FROM crossings c WHERE c.crossed_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM purge_keep k WHERE k.crossing_id = c.crossing_id)",
            )
            .bind(&c_cut)
            .execute(&mut *tx)
            .await?;
            rep.kept_for_cases = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM crossings c JOIN purge_keep k ON k.crossing_id = c.crossing_id \
                 WHERE c.crossed_at < $1",
            )
            .bind(&c_cut)
            .fetch_one(&mut *tx)
            .await?
            .try_into()
            .unwrap_or(0);
            let of = "SELECT crossing_id FROM purge_gone";
            rep.adjudications += sqlx::query(q(format!(
                "DELETE FROM adjudications WHERE hit_id IN (SELECT h.id FROM hits h WHERE h.crossing_id IN ({of}))"
            )))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            rep.hits += sqlx::query(q(format!("DELETE FROM hits WHERE crossing_id IN ({of})")))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            rep.inspections += sqlx::query(q(format!("DELETE FROM inspections WHERE crossing_id IN ({of})")))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            rep.decisions += sqlx::query(q(format!("DELETE FROM decisions WHERE crossing_id IN ({of})")))
                .execute(&mut *tx)
                .await?
                .rows_affected();
            rep.referral_answers += sqlx::query(q(format!(
                "DELETE FROM referral_answers WHERE (case_id IS NULL OR NOT EXISTS \
                 (SELECT 1 FROM case_versions v WHERE v.case_id = referral_answers.case_id)) AND referral_id IN \
                 (SELECT r.id FROM referrals r WHERE r.crossing_id IN ({of}))"
            )))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            rep.referrals += sqlx::query(q(format!(
                "DELETE FROM referrals WHERE crossing_id IN ({of}) \
                 AND NOT EXISTS (SELECT 1 FROM referral_answers a WHERE a.referral_id = referrals.id)"
            )))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // The faces seen with a crossing go with it.
            rep.images += sqlx::query(q(format!(
                "DELETE FROM crossing_images WHERE crossing_id IN ({of}) \
                 AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.crossing_id = crossing_images.crossing_id)"
            )))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            rep.crossings += sqlx::query(q(format!(
                "DELETE FROM crossings WHERE crossing_id IN ({of}) \
                 AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.crossing_id = crossings.crossing_id)"
            )))
            .execute(&mut *tx)
            .await?
            .rows_affected();

            // 3. Hits and inspections past their own (shorter) periods.
            let held_hit = "SELECT crossing_id FROM purge_keep";
            rep.adjudications += sqlx::query(q(format!(
                "DELETE FROM adjudications WHERE hit_id IN (SELECT h.id FROM hits h WHERE h.created_at < $1 \
                 AND h.crossing_id NOT IN ({held_hit}))"
            )))
            .bind(&h_cut)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            rep.hits += sqlx::query(q(format!(
                "DELETE FROM hits WHERE created_at < $1 AND crossing_id NOT IN ({held_hit})"
            )))
            .bind(&h_cut)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // Lookout hits go with their crossing, or after the hits'
            // period like any hit (a case's crossings keep theirs).
            rep.lookout_hits += sqlx::query(q(format!(
                "DELETE FROM lookout_hits WHERE crossing_id IN ({of}) \
                 OR (at < $1 AND crossing_id NOT IN ({held_hit}))"
            )))
            .bind(&h_cut)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // Air passenger data, by the day its flight left: pre-arrival
            // hits after the hits' period; API lists (and the links of
            // crossings to them, and the digests of what was screened)
            // after theirs.
            let old_flights = "SELECT f.id FROM flights f WHERE f.departure_date < $1";
            let (h_day, a_day) = (&h_cut[..10], &a_cut[..10]);
            sqlx::query(q(format!(
                "DELETE FROM prearrival_adjudications WHERE hit_id IN \
                 (SELECT h.id FROM prearrival_hits h WHERE h.flight_id IN ({old_flights}))"
            )))
            .bind(h_day)
            .execute(&mut *tx)
            .await?;
            rep.prearrival_hits += sqlx::query(q(format!(
                "DELETE FROM prearrival_hits WHERE flight_id IN ({old_flights})"
            )))
            .bind(h_day)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(q(format!("DELETE FROM prearrival_screened WHERE flight_id IN ({old_flights})")))
                .bind(a_day)
                .execute(&mut *tx)
                .await?;
            sqlx::query(q(format!(
                "DELETE FROM crossing_api_persons WHERE crossing_id IN ({of}) OR api_person_id IN \
                 (SELECT a.id FROM api_persons a WHERE a.flight_id IN ({old_flights}))"
            )))
            .bind(a_day)
            .execute(&mut *tx)
            .await?;
            rep.api_persons += sqlx::query(q(format!(
                "DELETE FROM api_persons WHERE flight_id IN ({old_flights})"
            )))
            .bind(a_day)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            rep.inspections += sqlx::query(q(format!(
                "DELETE FROM inspections WHERE at < $1 AND crossing_id NOT IN ({held_hit})"
            )))
            .bind(&i_cut)
            .execute(&mut *tx)
            .await?
            .rows_affected();

            // 4. Sessions expired long enough ago (not append-only).
            rep.sessions = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(s_cut)
                .execute(&mut *tx)
                .await?
                .rows_affected();

            for t in ["purge_keep", "purge_gone"] {
                sqlx::query(q(format!("DROP TABLE {t}"))).execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM purge_permits").execute(&mut *tx).await?;
            let detail = serde_json::json!({ "retention": retention, "removed": &rep }).to_string();
            if dry_run {
                tx.rollback().await?;
                let mut tx = p.begin_with(begin_write(backend)).await?;
                append_in_tx!(tx, self, actor, "purge_dry_run", "retention", &detail).await?;
                tx.commit().await?;
            } else {
                append_in_tx!(tx, self, actor, "purge", "retention", &detail).await?;
                tx.commit().await?;
            }
            Ok(rep)
        })
    }
}
