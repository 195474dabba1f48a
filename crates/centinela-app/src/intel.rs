//! Intelligence: one analysis of the whole history kept in memory
//! ([`IntelCache`]), recomputed off the async runtime (`spawn_blocking`)
//! when the store's [`IntelStamp`] changes — crossings added (by
//! inspection, import or another process) or a decision recorded or
//! withdrawn. Concurrent callers wait for one computation; inspections
//! never wait for it.

use std::sync::Arc;
use std::time::Instant;

use centinela_intel::{Crossings, Override, Report};
use centinela_store::{IntelStamp, OverrideKind, Store, StoredOverride};
use serde::Serialize;

use crate::AppError;

/// The latest analysis and what it was computed from.
#[derive(Default)]
pub struct IntelCache {
    latest: tokio::sync::Mutex<Option<Analysed>>,
}

#[derive(Clone)]
pub struct Analysed {
    pub stamp: IntelStamp,
    pub report: Arc<Report>,
    pub info: AnalysisInfo,
}

/// Which analysis an answer comes from.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalysisInfo {
    /// Crossings analysed.
    pub crossings: usize,
    /// Resolved persons.
    pub persons: usize,
    /// Analysts' decisions applied.
    pub decisions: usize,
    /// When it was computed (RFC 3339) and how long it took.
    pub computed_at: String,
    pub seconds: f64,
}

impl IntelCache {
    /// The analysis of what `store` holds now: the cached one when the
    /// stamp is unchanged, else a new one computed on a blocking thread.
    pub async fn current(&self, store: &Store) -> Result<Analysed, AppError> {
        let mut guard = self.latest.lock().await;
        let stamp = store.intel_stamp().await?;
        if let Some(a) = guard.as_ref()
            && a.stamp == stamp
        {
            return Ok(a.clone());
        }
        let t0 = Instant::now();
        let rows = store.crossings_between(None, None, None).await?;
        let decisions = overrides(store).await?;
        let n_decisions = decisions.len();
        let report = tokio::task::spawn_blocking(move || {
            let mut c = Crossings::default();
            for r in &rows {
                c.push(&r.record);
            }
            drop(rows);
            c.shrink();
            Report::build(c, &decisions)
        })
        .await
        .map_err(AppError::internal)?;
        let info = AnalysisInfo {
            crossings: report.crossings.len(),
            persons: report.persons(),
            decisions: n_decisions,
            computed_at: centinela_store::now_rfc3339(),
            seconds: t0.elapsed().as_secs_f64(),
        };
        tracing::info!(crossings = info.crossings, persons = info.persons, seconds = info.seconds, "intel: analysed");
        let a = Analysed { stamp, report: Arc::new(report), info };
        *guard = Some(a.clone());
        Ok(a)
    }
}

/// The analysts' stored merge and split decisions, as the resolver takes them.
pub async fn overrides(store: &Store) -> Result<Vec<Override>, AppError> {
    Ok(store.intel_overrides().await?.into_iter().map(to_override).collect())
}

/// A stored decision as the resolver takes it.
pub fn to_override(o: StoredOverride) -> Override {
    match o.kind {
        OverrideKind::Merge => Override::Merge { a: o.crossing_a, b: o.crossing_b },
        OverrideKind::Split => Override::Separate { a: o.crossing_a, b: o.crossing_b },
    }
}
