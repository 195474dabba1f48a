//! The inspection pipeline's way to the database: the group-commit
//! [`InspectionWriter`] and the batching [`HistoryReader`].
//!
//! Each is one task with a connection of its own that serves every request
//! waiting at that moment in one batch. Two choices here come from
//! measurements on the load benchmark (`bench/serve.sh`, BENCHMARKS.md):
//!
//! - **Each task runs on a thread of its own** (a single-threaded runtime),
//!   not on the server's runtime. A batch is a few round trips to the
//!   database connection's thread, and on the server's runtime every round
//!   trip waited in the run queue behind request handlers doing name
//!   screening: the writer's fixed cost per batch fell from ~2.2 to ~1.4 ms
//!   when it had its own thread.
//! - **On SQLite a batch is four round trips** (begin, one read, one
//!   statement list that writes every table, commit) instead of one per
//!   table and chunk. Rows go to SQLite as one JSON array per table read by
//!   `jsonb_each`, so each statement is prepared once whatever the batch's
//!   size (`jsonb_each`, not `json_each`: its rows come as binary JSON, so
//!   reading each column does not re-parse the row's text — the write took
//!   half the time); hit ids are given here (the batch holds the write lock), so the
//!   audit entries, which name them, are sealed before anything is written.
//!   PostgreSQL (the centre, where inspections are rare) keeps the portable
//!   multi-row statements.
//! - **SQLite's log is checkpointed in two steps**: a checkpointer beside
//!   the writer copies the log into the database while the writer goes on,
//!   then the writer, between two batches, copies what it added meanwhile.
//!   With the checkpointer alone the log never became whole in the database
//!   under sustained load, so SQLite never started it again: it grew by
//!   ~50 MB/s, every frame extending the file (the kernel zeroing new
//!   blocks was a tenth of the server's CPU).

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

use serde::Serialize;
use sqlx::{AssertSqlSafe, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::audit::{AuditEntry, append_many_in_tx, begin_write};
use crate::conn::OwnConn;
use crate::crossings::{
    CROSSING_COLS, CrossingRow, HIT_CHUNK, Holder, INSPECTION_CHUNK, NewHit, NewInspection, RecordedInspection,
    insert_crossings_in_tx, record_texts,
};
use crate::{Backend, Store, StoreError, hex, now_rfc3339};

/// What a batch gives back: per party its records, or why it was refused.
type Outcomes = Vec<Result<Vec<RecordedInspection>, StoreError>>;

/// A handle to the group-commit writer of inspections: cheap to clone; the
/// writer ends when every handle is dropped.
#[derive(Debug, Clone)]
pub struct InspectionWriter {
    tx: mpsc::Sender<Job>,
}

type Reply = Result<Vec<RecordedInspection>, Arc<StoreError>>;

#[derive(Debug)]
struct Job {
    party: Vec<NewInspection>,
    reply: oneshot::Sender<Reply>,
}

/// The most parties written in one transaction.
const MAX_BATCH: usize = 512;

/// The least time between two checkpoints of the SQLite log by the writer's
/// checkpointer.
const CHECKPOINT_INTERVAL: std::time::Duration = std::time::Duration::from_millis(500);

/// At most this many checkpoint passes in a row (each copies what the
/// writer added during the last), and a pass finding fewer new frames than
/// [`SHORT_TAIL`] is the last.
const CHECKPOINT_PASSES: usize = 4;
const SHORT_TAIL: u64 = 256;

/// Runs `task` on a new thread with a single-threaded runtime of its own
/// (see the module's notes); the thread ends with the task. On PostgreSQL
/// the runtime has an I/O driver (a connection opened there needs it); on
/// SQLite it has none, since sqlx talks to SQLite through a thread of its
/// own, and a runtime without one is woken by a futex instead of an
/// eventfd and epoll (back to back at 64 connections: 2–3 % more
/// inspections/s).
fn spawn_on_own_thread(name: &str, backend: Backend, task: impl Future<Output = ()> + Send + 'static) {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_time();
    if backend == Backend::Postgres {
        builder.enable_io();
    }
    let runtime = builder.build();
    match runtime {
        Ok(rt) => {
            let spawned = std::thread::Builder::new().name(name.to_string()).spawn(move || rt.block_on(task));
            if let Err(e) = spawned {
                panic!("cannot start the {name} thread: {e}");
            }
        }
        Err(e) => panic!("cannot start the {name} runtime: {e}"),
    }
}

impl InspectionWriter {
    /// Starts the writer on a thread of its own; the SQLite checkpointer
    /// runs on the current tokio runtime.
    pub fn spawn(store: Store) -> InspectionWriter {
        let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
        let checkpoints = Arc::new(tokio::sync::Notify::new());
        let tail_due = Arc::new(AtomicBool::new(false));
        if store.backend() == Backend::Sqlite {
            let (store, checkpoints, tail_due) = (store.clone(), checkpoints.clone(), tail_due.clone());
            tokio::spawn(async move {
                // At most one checkpoint per interval, after commits; the
                // writer goes on meanwhile (a passive checkpoint takes no
                // write lock), and copies the frames it added meanwhile
                // afterwards (see the writer below).
                loop {
                    checkpoints.notified().await;
                    // Passes until one finds the log little longer than the
                    // last did: what is left for the writer is then short.
                    let mut last: Option<u64> = None;
                    for _ in 0..CHECKPOINT_PASSES {
                        match store.checkpoint().await {
                            Ok(log) => {
                                let short = last.is_some_and(|l| log.saturating_sub(l) < SHORT_TAIL);
                                last = Some(log);
                                if short {
                                    break;
                                }
                            }
                            Err(e) => {
                                tracing::warn!(error = %e, "checkpoint failed; will retry");
                                last = None;
                                break;
                            }
                        }
                    }
                    if last.is_some() {
                        tail_due.store(true, Ordering::Release);
                    }
                    tokio::time::sleep(CHECKPOINT_INTERVAL).await;
                }
            });
        }
        spawn_on_own_thread("centinela-writer", store.backend(), async move {
            let mut jobs: Vec<Job> = Vec::with_capacity(MAX_BATCH);
            let mut conn: Option<OwnConn> = None;
            while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
                let parties: Vec<Vec<NewInspection>> = jobs.iter_mut().map(|j| std::mem::take(&mut j.party)).collect();
                let started = std::time::Instant::now();
                let written = match conn.as_mut() {
                    Some(c) => store.record_inspections_on(c, &parties).await,
                    None => match store.writer_connection().await {
                        Ok(c) => store.record_inspections_on(conn.insert(c), &parties).await,
                        Err(e) => Err(e),
                    },
                };
                if written.is_err() {
                    // A fresh connection for the next batch, in case this
                    // one broke (the failed transaction was rolled back).
                    conn = None;
                } else {
                    tracing::debug!(
                        parties = parties.len(),
                        ms = started.elapsed().as_secs_f64() * 1e3,
                        "batch committed"
                    );
                    checkpoints.notify_one();
                }
                match written {
                    Ok(outcomes) => {
                        for (job, outcome) in jobs.drain(..).zip(outcomes) {
                            let _ = job.reply.send(outcome.map_err(Arc::new));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, parties = jobs.len(), "inspection batch not written");
                        let e = Arc::new(e);
                        for job in jobs.drain(..) {
                            let _ = job.reply.send(Err(e.clone()));
                        }
                    }
                }
                // The checkpointer never catches up with a writer that
                // commits every few milliseconds, so under sustained load the
                // log would grow without end (600 MB in 12 s on the
                // benchmark), every frame extending the file. After each of
                // its rounds the writer copies the few frames it added
                // meanwhile, between its own transactions: the log is then
                // whole in the database, and SQLite starts it again from
                // the beginning at the next write (overwriting, not
                // extending, the file).
                if let Some(OwnConn::Sqlite(c)) = conn.as_mut()
                    && tail_due.swap(false, Ordering::Acquire)
                {
                    let started = std::time::Instant::now();
                    match crate::passive_checkpoint(&mut *c).await {
                        Ok((log, copied)) => tracing::debug!(
                            log,
                            copied,
                            ms = started.elapsed().as_secs_f64() * 1e3,
                            "log copied by the writer"
                        ),
                        Err(e) => tracing::warn!(error = %e, "checkpoint failed; will retry"),
                    }
                }
            }
        });
        InspectionWriter { tx }
    }

    /// Stores one travel party's inspections and returns once they are
    /// committed (durable), or with the reason they are not.
    pub async fn record(&self, party: Vec<NewInspection>) -> Result<Vec<RecordedInspection>, Arc<StoreError>> {
        let (reply, rx) = oneshot::channel();
        let closed = || Arc::new(StoreError::Unavailable("the inspection writer has stopped".into()));
        self.tx.send(Job { party, reply }).await.map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }
}

impl Store {
    /// Writes a batch of travel parties (each a list of inspections) in one
    /// transaction: each party's crossings, inspections, hits and one audit
    /// entry per traveller. A party whose `crossing_id` is already stored
    /// (or repeats one earlier in the batch) is refused alone with
    /// [`StoreError::Conflict`]; a database failure fails the whole batch.
    pub async fn record_inspections(&self, parties: &[Vec<NewInspection>]) -> Result<Outcomes, StoreError> {
        let mut conn = self.writer_connection().await?;
        self.record_inspections_on(&mut conn, parties).await
    }

    /// [`Store::record_inspections`] on the writer's own connection.
    pub(crate) async fn record_inspections_on(
        &self,
        conn: &mut OwnConn,
        parties: &[Vec<NewInspection>],
    ) -> Result<Outcomes, StoreError> {
        let now = now_rfc3339();
        match conn {
            OwnConn::Sqlite(c) => record_batch_sqlite(self, c, parties, &now).await,
            OwnConn::Postgres(c) => record_batch_postgres(self, c, parties, &now).await,
        }
    }
}

/// The parties that can be written, given the crossing ids already stored:
/// a party is refused alone if any of its ids is stored or repeats one of
/// an earlier party of the batch. Returns each party's outcome (accepted
/// ones still empty) and the accepted inspections in order.
fn accept(parties: &[Vec<NewInspection>], mut existing: HashSet<String>) -> (Outcomes, Vec<&NewInspection>) {
    let mut outcomes = Vec::with_capacity(parties.len());
    let mut accepted = Vec::new();
    for party in parties {
        if let Some(i) = party.iter().find(|i| existing.contains(&i.record.crossing_id)) {
            outcomes
                .push(Err(StoreError::Conflict(format!("crossing '{}' is already recorded", i.record.crossing_id))));
            continue;
        }
        existing.extend(party.iter().map(|i| i.record.crossing_id.clone()));
        accepted.extend(party.iter());
        outcomes.push(Ok(Vec::new()));
    }
    (outcomes, accepted)
}

/// Each accepted inspection's record (with its hits' ids, `hit_ids` in the
/// same order) and its audit entry.
fn recorded_and_audit(
    accepted: &[&NewInspection],
    hit_ids: Vec<Vec<i64>>,
) -> (Vec<RecordedInspection>, Vec<AuditEntry>) {
    let mut recorded = Vec::with_capacity(accepted.len());
    let mut audit = Vec::with_capacity(accepted.len());
    for (i, ids) in accepted.iter().zip(hit_ids) {
        audit.push(AuditEntry {
            actor: i.actor.clone(),
            action: "inspection_recorded".into(),
            subject: i.record.crossing_id.clone(),
            detail: serde_json::json!({
                "post": i.record.post,
                "hits": ids,
                "flags": i.flags,
                "suggested": i.suggested,
                "history_shown": i.history_shown,
            })
            .to_string(),
        });
        recorded.push(RecordedInspection { crossing_id: i.record.crossing_id.clone(), hit_ids: ids });
    }
    (recorded, audit)
}

/// Hands each accepted party its records, in order.
fn hand_out(parties: &[Vec<NewInspection>], mut outcomes: Outcomes, recorded: Vec<RecordedInspection>) -> Outcomes {
    let mut recorded = recorded.into_iter();
    for (party, outcome) in parties.iter().zip(outcomes.iter_mut()) {
        if let Ok(v) = outcome {
            v.extend(recorded.by_ref().take(party.len()));
        }
    }
    outcomes
}

/// A value in a row handed to SQLite's `jsonb_each`.
#[derive(Serialize)]
#[serde(untagged)]
enum Cell<'a> {
    Text(&'a str),
    Int(Option<i64>),
    Real(f64),
}

/// `value->>0, value->>1, …` for `n` columns of a `jsonb_each` row.
fn json_columns(n: usize) -> String {
    (0..n).map(|k| format!("value->>{k}")).collect::<Vec<_>>().join(", ")
}

/// The batch's one read: which of the crossing ids (a JSON array) are
/// stored, the highest hit id ever given, the audit chain's head and where its seal begins. "Ever":
/// once retention has purged the newest hits their ids are free again in
/// the table, but the synchronisation outbox still names them (a number
/// given twice would be refused there and fail the batch).
const SQLITE_READ: &str = "SELECT \
    (SELECT json_group_array(crossing_id) FROM crossings WHERE crossing_id IN (SELECT value FROM json_each(?1))), \
    max((SELECT coalesce(max(id), 0) FROM hits), \
        (SELECT coalesce(max(ref), 0) FROM sync_outbox WHERE kind = 'hit')), \
    (SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1), \
    (SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), \
    (SELECT start_seq FROM audit_seal)";

/// The batch's one write: four statements, one JSON array of rows each
/// (crossings, inspections, hits with their ids, sealed audit entries).
static SQLITE_WRITE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO crossings ({CROSSING_COLS}) SELECT {} FROM jsonb_each(?); \
         INSERT INTO inspections (crossing_id, officer_id, suggested, result, at) SELECT {} FROM jsonb_each(?); \
         INSERT INTO hits (id, crossing_id, kind, list_name, list_kind, entry_id, score, action, explanation, \
         created_at, list_version) SELECT {} FROM jsonb_each(?); \
         INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash) \
         SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, unhex(value->>6), unhex(value->>7) \
         FROM jsonb_each(?)",
        json_columns(crate::crossings::CROSSING_NCOLS),
        json_columns(5),
        json_columns(11),
    )
});

/// One batch on SQLite in four round trips (see the module's notes).
async fn record_batch_sqlite(
    store: &Store,
    c: &mut sqlx::SqliteConnection,
    parties: &[Vec<NewInspection>],
    now: &str,
) -> Result<Outcomes, StoreError> {
    let mut tx = c.begin_with(begin_write(Backend::Sqlite)).await?;
    let ids: Vec<&str> = parties.iter().flatten().map(|i| i.record.crossing_id.as_str()).collect();
    let (stored, max_hit, head_seq, head_hash, sealed_from): (String, i64, Option<i64>, Option<Vec<u8>>, Option<i64>) =
        sqlx::query_as(SQLITE_READ).bind(to_json(&ids)?).fetch_one(&mut *tx).await?;
    if let (None, Some(from)) = (store.audit_key(), sealed_from) {
        return Err(StoreError::AuditKeyMissing(from));
    }
    let stored: HashSet<String> =
        serde_json::from_str(&stored).map_err(|e| StoreError::Corrupt(format!("stored crossing ids: {e}")))?;
    let (outcomes, accepted) = accept(parties, stored);
    if accepted.is_empty() {
        tx.commit().await?;
        return Ok(outcomes);
    }
    let mut next_hit = max_hit;
    let hit_ids: Vec<Vec<i64>> = accepted
        .iter()
        .map(|i| {
            i.hits
                .iter()
                .map(|_| {
                    next_hit += 1;
                    next_hit
                })
                .collect()
        })
        .collect();
    let hits: Vec<(&NewInspection, &NewHit, i64)> = accepted
        .iter()
        .zip(&hit_ids)
        .flat_map(|(i, ids)| i.hits.iter().zip(ids).map(move |(h, id)| (*i, h, *id)))
        .collect();
    let (recorded, audit) = recorded_and_audit(&accepted, hit_ids);
    let sealed = crate::audit::seal_after(head_seq.zip(head_hash), &audit, now, store.audit_key())?;

    let texts: Vec<[String; 17]> = accepted.iter().map(|i| record_texts(&i.record)).collect();
    let crossings: Vec<Vec<Cell<'_>>> = accepted
        .iter()
        .zip(&texts)
        .map(|(i, t)| {
            let mut row: Vec<Cell<'_>> = t.iter().map(|s| Cell::Text(s)).collect();
            row.extend([
                Cell::Text(&i.relation),
                Cell::Text("inspection"),
                Cell::Int(Some(i.officer_id)),
                Cell::Int(None),
                Cell::Text(now),
            ]);
            row
        })
        .collect();
    let inspections: Vec<[Cell<'_>; 5]> = accepted
        .iter()
        .map(|i| {
            [
                Cell::Text(&i.record.crossing_id),
                Cell::Int(Some(i.officer_id)),
                Cell::Text(&i.suggested),
                Cell::Text(&i.result),
                Cell::Text(now),
            ]
        })
        .collect();
    let hit_rows: Vec<[Cell<'_>; 11]> = hits
        .iter()
        .map(|(i, h, id)| {
            [
                Cell::Int(Some(*id)),
                Cell::Text(&i.record.crossing_id),
                Cell::Text(h.kind.as_str()),
                Cell::Text(&h.list_name),
                Cell::Text(h.list_kind.as_str()),
                Cell::Text(&h.entry_id),
                Cell::Real(h.score),
                Cell::Text(&h.action),
                Cell::Text(&h.explanation),
                Cell::Text(now),
                Cell::Int(h.list_version),
            ]
        })
        .collect();
    let hashes: Vec<(String, String)> = sealed.iter().map(|r| (hex(&r.prev_hash), hex(&r.hash))).collect();
    let audit_rows: Vec<[Cell<'_>; 8]> = sealed
        .iter()
        .zip(&hashes)
        .map(|(r, (prev, hash))| {
            [
                Cell::Int(Some(r.seq)),
                Cell::Text(&r.at),
                Cell::Text(&r.actor),
                Cell::Text(&r.action),
                Cell::Text(&r.subject),
                Cell::Text(&r.detail),
                Cell::Text(prev),
                Cell::Text(hash),
            ]
        })
        .collect();
    let written = sqlx::query(AssertSqlSafe(SQLITE_WRITE.as_str()))
        .bind(to_json(&crossings)?)
        .bind(to_json(&inspections)?)
        .bind(to_json(&hit_rows)?)
        .bind(to_json(&audit_rows)?)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let expected = (2 * accepted.len() + hits.len() + sealed.len()) as u64;
    if written != expected {
        // Not committed: dropping `tx` rolls the batch back.
        return Err(StoreError::Corrupt(format!("an inspection batch wrote {written} rows, not {expected}")));
    }
    tx.commit().await?;
    Ok(hand_out(parties, outcomes, recorded))
}

/// JSON text of rows for `jsonb_each`.
fn to_json<T: Serialize + ?Sized>(rows: &T) -> Result<String, StoreError> {
    serde_json::to_string(rows).map_err(|e| StoreError::Corrupt(format!("batch rows as JSON: {e}")))
}

/// One batch on PostgreSQL: multi-row statements per table and chunk; hit
/// ids come back through `RETURNING` and go back to their hits by
/// (crossing, kind, list, entry).
async fn record_batch_postgres(
    store: &Store,
    c: &mut sqlx::PgConnection,
    parties: &[Vec<NewInspection>],
    now: &str,
) -> Result<Outcomes, StoreError> {
    let backend = Backend::Postgres;
    let mut tx = c.begin_with(begin_write(backend)).await?;
    let ids: Vec<&str> = parties.iter().flatten().map(|i| i.record.crossing_id.as_str()).collect();
    let stored: HashSet<String> = sqlx::query_scalar("SELECT crossing_id FROM crossings WHERE crossing_id = ANY($1)")
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
    let (outcomes, accepted) = accept(parties, stored);
    let rows: Vec<CrossingRow<'_>> =
        accepted.iter().map(|i| (&i.record, i.relation.as_str(), "inspection", Some(i.officer_id), None)).collect();
    insert_crossings_in_tx!(tx, backend, rows, now).await?;
    for range in crate::multirow::chunks(accepted.len(), INSPECTION_CHUNK) {
        let sql = format!(
            "INSERT INTO inspections (crossing_id, officer_id, suggested, result, at) VALUES {}",
            crate::multirow::values(backend, range.len(), 5)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for i in &accepted[range] {
            q = q.bind(&i.record.crossing_id).bind(i.officer_id).bind(&i.suggested).bind(&i.result).bind(now);
        }
        q.execute(&mut *tx).await?;
    }
    // RETURNING gives no order, so each id goes back to its hit by
    // (crossing, kind, list, entry); identical hits of one crossing take
    // their ids in order.
    let hits: Vec<(&str, &NewHit)> =
        accepted.iter().flat_map(|i| i.hits.iter().map(|h| (i.record.crossing_id.as_str(), h))).collect();
    let mut returned: HashMap<(String, String, String, String), VecDeque<i64>> = HashMap::new();
    for range in crate::multirow::chunks(hits.len(), HIT_CHUNK) {
        let sql = format!(
            "INSERT INTO hits (crossing_id, kind, list_name, list_kind, entry_id, score, action, explanation, \
             created_at, list_version) VALUES {} RETURNING id, crossing_id, kind, list_name, entry_id",
            crate::multirow::values(backend, range.len(), 10)
        );
        let mut q = sqlx::query_as::<_, (i64, String, String, String, String)>(AssertSqlSafe(sql));
        for (crossing, h) in &hits[range] {
            q = q
                .bind(*crossing)
                .bind(h.kind.as_str())
                .bind(&h.list_name)
                .bind(h.list_kind.as_str())
                .bind(&h.entry_id)
                .bind(h.score)
                .bind(&h.action)
                .bind(&h.explanation)
                .bind(now)
                .bind(h.list_version);
        }
        for (id, crossing, kind, list, entry) in q.fetch_all(&mut *tx).await? {
            returned.entry((crossing, kind, list, entry)).or_default().push_back(id);
        }
    }
    for ids in returned.values_mut() {
        ids.make_contiguous().sort_unstable();
    }
    let mut hit_ids = Vec::with_capacity(accepted.len());
    for i in &accepted {
        let mut ids = Vec::with_capacity(i.hits.len());
        for h in &i.hits {
            let key =
                (i.record.crossing_id.clone(), h.kind.as_str().to_string(), h.list_name.clone(), h.entry_id.clone());
            let id = returned.get_mut(&key).and_then(VecDeque::pop_front).ok_or_else(|| {
                StoreError::Corrupt(format!("hit of crossing '{}' not returned by its insert", key.0))
            })?;
            ids.push(id);
        }
        hit_ids.push(ids);
    }
    let (recorded, audit) = recorded_and_audit(&accepted, hit_ids);
    append_many_in_tx!(tx, store, &audit).await?;
    tx.commit().await?;
    Ok(hand_out(parties, outcomes, recorded))
}

/// A handle to the batching reader of document histories: the lookups of
/// inspections under way at the same moment share one query, so that a
/// busy booth costs one round trip to the database per batch, not one per
/// traveller. Cheap to clone; the reader ends when every handle is dropped.
#[derive(Debug, Clone)]
pub struct HistoryReader {
    tx: mpsc::Sender<HistoryJob>,
}

type HistoryReply = Result<Vec<Vec<Holder>>, Arc<StoreError>>;

#[derive(Debug)]
struct HistoryJob {
    docs: Vec<(String, String)>,
    reply: oneshot::Sender<HistoryReply>,
}

/// The most distinct holders returned per document.
pub const HOLDERS_LIMIT: u32 = 20;

impl HistoryReader {
    /// Starts the reader on a thread of its own.
    pub fn spawn(store: Store) -> HistoryReader {
        let (tx, mut rx) = mpsc::channel::<HistoryJob>(4 * MAX_BATCH);
        spawn_on_own_thread("centinela-history", store.backend(), async move {
            let mut jobs: Vec<HistoryJob> = Vec::with_capacity(MAX_BATCH);
            // Its own connection with a small page cache: SQLite empties a
            // reader's cache whenever the database changed since its last
            // read, which is before nearly every batch here, and emptying
            // the pool's 64 MiB cache costs more than the read.
            let mut conn: Option<OwnConn> = None;
            while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
                let docs: Vec<(&str, &str)> =
                    jobs.iter().flat_map(|j| j.docs.iter().map(|(n, s)| (n.as_str(), s.as_str()))).collect();
                let read = match conn.as_mut() {
                    Some(c) => store.holders_on(Some(c), &docs, HOLDERS_LIMIT).await,
                    None => match store.own_connection("PRAGMA cache_size = -2048").await {
                        Ok(c) => store.holders_on(Some(conn.insert(c)), &docs, HOLDERS_LIMIT).await,
                        Err(e) => Err(e),
                    },
                };
                if read.is_err() {
                    conn = None;
                }
                match read {
                    Ok(found) => {
                        let mut found = found.into_iter();
                        for job in jobs.drain(..) {
                            let mine: Vec<Vec<Holder>> = found.by_ref().take(job.docs.len()).collect();
                            let _ = job.reply.send(Ok(mine));
                        }
                    }
                    Err(e) => {
                        let e = Arc::new(e);
                        for job in jobs.drain(..) {
                            let _ = job.reply.send(Err(e.clone()));
                        }
                    }
                }
            }
        });
        HistoryReader { tx }
    }

    /// The holders of each document (number, issuing state), in the order
    /// asked, at most [`HOLDERS_LIMIT`] each.
    pub async fn holders(&self, docs: Vec<(String, String)>) -> Result<Vec<Vec<Holder>>, Arc<StoreError>> {
        if docs.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, rx) = oneshot::channel();
        let closed = || Arc::new(StoreError::Unavailable("the history reader has stopped".into()));
        self.tx.send(HistoryJob { docs, reply }).await.map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }
}
