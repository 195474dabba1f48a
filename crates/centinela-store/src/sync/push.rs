//! The centre applies a post's push, in one transaction and three steps:
//!
//! 1. **Read** what the centre holds that the batch's new records refer to
//!    ([`Held`]: the crossings they name, hits and adjudications of earlier
//!    pushes, the audit entries the batch continues, the clearances its
//!    revocations name) — a few statements for the whole batch.
//! 2. **Check** every record against it, in the post's order
//!    ([`Held::check`], pure): a record the centre cannot take refuses the
//!    whole batch before anything is written.
//! 3. **Write** table by table, each by its own writer — crossings before
//!    what refers to them —, many rows per statement where nothing later in
//!    the batch needs their ids one by one (crossings, inspections,
//!    decisions, audit entries, the received uids). Within a table rows keep
//!    the post's order, so ids, and with them the arrival order of decisions
//!    and adjudications, are those of applying the records one by one.
//!
//! The writers are generated once per backend (`writers!`), as the rest of
//! the store writes SQL that both dialects share.

use super::*;

impl Store {
    /// Applies a post's batch in one transaction; records already received
    /// are skipped. A record the centre cannot take (a reference it does not
    /// know, a broken audit link) refuses the whole batch. See the module's
    /// documentation for the steps.
    pub async fn apply_push(&self, post: &str, batch: &PushBatch) -> Result<Result<PushOutcome, Refused>, StoreError> {
        if let Err(r) = batch.check(post) {
            return Ok(Err(r));
        }
        match &self.pool {
            crate::Pool::Sqlite(p) => sqlite::apply(self, p, post, batch).await,
            crate::Pool::Postgres(p) => postgres::apply(self, p, post, batch).await,
        }
    }
}

/// What the centre holds that a batch's new records refer to, read before
/// anything is written.
#[derive(Debug, Default)]
struct Held {
    /// Crossings by id: the post they belong to and their row (`None` for a
    /// crossing of this batch until it is written).
    crossing: HashMap<String, (String, Option<i64>)>,
    /// Hits and adjudications of earlier pushes that adjudications name:
    /// uid → (kind, row).
    received: HashMap<String, (String, i64)>,
    /// Hashes of this post's audit entries already received, by seq: those
    /// just before each of the batch's entries.
    audit: HashMap<i64, [u8; 32]>,
    /// The clearances held here among those the batch's revocations name.
    clearances: HashSet<String>,
}

/// What the check found in a batch's new records.
struct Checked<'b> {
    /// Each new record's kind, by uid.
    kinds: HashMap<&'b str, &'static str>,
    /// The audit entries with their links decoded, in order.
    audit_rows: Vec<(&'b AuditItem, [u8; 32], [u8; 32])>,
}

impl Held {
    /// Checks every new record, in the post's order, against what the
    /// centre holds and what came before it in the batch. A crossing of the
    /// batch is added to [`Held::crossing`] (with no row yet).
    fn check<'b>(&mut self, post: &str, fresh: &[&'b OutboxItem]) -> Result<Checked<'b>, Refused> {
        let mut kinds: HashMap<&'b str, &'static str> = HashMap::new();
        let mut audit_rows = Vec::new();
        let mut last_audit: Option<(i64, [u8; 32])> = None;
        for item in fresh {
            let refuse = |message: String| Refused { seq: item.seq, kind: item.record.kind(), message };
            match &item.record {
                SyncRecord::Crossing(c) => match self.crossing.get(&c.record.crossing_id) {
                    Some((at, _)) if at != post => {
                        return Err(refuse(format!("crossing '{}' is another post's", c.record.crossing_id)));
                    }
                    Some(_) => {}
                    None => {
                        self.crossing.insert(c.record.crossing_id.clone(), (post.to_string(), None));
                    }
                },
                SyncRecord::Adjudication(a) => {
                    let is_hit = kinds.get(a.hit.as_str()) == Some(&"hit")
                        || self.received.get(&a.hit).is_some_and(|(k, _)| k == "hit");
                    if !is_hit {
                        return Err(refuse(format!("hit {} is unknown here", a.hit)));
                    }
                }
                SyncRecord::Clearance(_) => {}
                SyncRecord::ClearanceRevocation(r) => {
                    let in_batch =
                        fresh.iter().any(|i| matches!(&i.record, SyncRecord::Clearance(c) if c.uid == r.clearance));
                    if !in_batch && !self.clearances.contains(&r.clearance) {
                        return Err(refuse(format!("clearance {} is unknown here", r.clearance)));
                    }
                }
                SyncRecord::Audit(a) => {
                    // The batch's check already read both hashes.
                    let prev_hash = hex32(&a.prev_hash).map_err(refuse)?;
                    let hash = hex32(&a.hash).map_err(refuse)?;
                    let expected_prev = match last_audit {
                        _ if a.seq == 1 => Some(GENESIS),
                        Some((seq, h)) if seq == a.seq - 1 => Some(h),
                        _ => self.audit.get(&(a.seq - 1)).copied(),
                    };
                    let Some(expected_prev) = expected_prev else {
                        return Err(refuse(format!("audit entry {} arrives before entry {}", a.seq, a.seq - 1)));
                    };
                    let sealed =
                        AuditRecord::seal(a.seq, &a.at, &a.actor, &a.action, &a.subject, &a.detail, expected_prev);
                    if prev_hash != expected_prev || (!a.sealed && sealed.hash != hash) {
                        return Err(refuse(format!("audit entry {} does not continue the post's chain", a.seq)));
                    }
                    last_audit = Some((a.seq, hash));
                    audit_rows.push((a, prev_hash, hash));
                }
                other => {
                    let id = other.crossing_id().unwrap_or_default();
                    match self.crossing.get(id) {
                        Some((at, _)) if at == post => {}
                        Some(_) => return Err(refuse(format!("crossing '{id}' is another post's"))),
                        None => return Err(refuse(format!("crossing '{id}' is unknown here"))),
                    }
                }
            }
            kinds.insert(&item.uid, item.record.kind());
        }
        Ok(Checked { kinds, audit_rows })
    }
}

/// The new records of one kind, in the batch's order, with their payload.
fn of_kind<'b, T>(
    fresh: &[&'b OutboxItem],
    pick: impl Fn(&'b SyncRecord) -> Option<&'b T>,
) -> Vec<(&'b OutboxItem, &'b T)> {
    fresh.iter().filter_map(|i| pick(&i.record).map(|r| (*i, r))).collect()
}

/// What every writer shares: the pushing post, the time of the push, the
/// centre users standing for the post's users (by name) and the row each
/// new record became (by uid).
struct Push<'b> {
    backend: Backend,
    post: &'b str,
    now: String,
    users: HashMap<String, i64>,
    rows: HashMap<&'b str, i64>,
}

/// The push's steps for one backend's transaction type.
macro_rules! writers {
    ($db:ty) => {
        use super::*;

        type Tx<'t> = sqlx::Transaction<'t, $db>;

        /// The whole push: see the module's documentation.
        pub(super) async fn apply(
            store: &Store,
            pool: &sqlx::Pool<$db>,
            post: &str,
            batch: &PushBatch,
        ) -> Result<Result<PushOutcome, Refused>, StoreError> {
            let backend = store.backend();
            let acked_seq = batch.items.last().map_or(0, |i| i.seq);
            let mut tx = pool.begin_with(begin_write(backend)).await?;
            if backend == Backend::Postgres {
                // One writer per post at a time: two pushes of the same post
                // (a retry racing its predecessor) apply in turn.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(post).execute(&mut *tx).await?;
            }
            let fresh = fresh(&mut tx, backend, batch).await?;
            let duplicates = (batch.items.len() - fresh.len()) as u64;
            let mut held = held(&mut tx, backend, post, &fresh).await?;
            let checked = match held.check(post, &fresh) {
                Ok(c) => c,
                Err(r) => return Ok(Err(r)),
            };
            let mut push = Push { backend, post, now: now_rfc3339(), users: HashMap::new(), rows: HashMap::new() };
            crossings(&mut tx, &mut push, &fresh, &mut held).await?;
            inspections(&mut tx, &mut push, &fresh).await?;
            hits(&mut tx, &mut push, &fresh).await?;
            adjudications(&mut tx, &mut push, &fresh, &checked, &held).await?;
            decisions(&mut tx, &mut push, &fresh).await?;
            referrals(&mut tx, &mut push, &fresh).await?;
            clearances(&mut tx, &mut push, &fresh).await?;
            let lookout_hits = lookout_hits(&mut tx, store, &mut push, &fresh).await?;
            audit_entries(&mut tx, &mut push, &fresh, &checked).await?;
            received(&mut tx, &push, &fresh).await?;
            let applied = fresh.len() as u64;
            let audit_rewound = match &batch.head {
                Some(h) => anchor(&mut tx, store, &push, h).await?,
                None => false,
            };
            let detail = serde_json::json!({
                "applied": applied,
                "duplicates": duplicates,
                "first_seq": batch.items.first().map(|i| i.seq),
                "last_seq": acked_seq,
                "head_seq": batch.head.as_ref().map(|h| h.seq),
            })
            .to_string();
            append_in_tx!(tx, store, format!("post:{post}"), "sync_push_applied", post, &detail).await?;
            tx.commit().await?;
            Ok(Ok(PushOutcome { applied, duplicates, acked_seq, audit_rewound, lookout_hits }))
        }

        /// The batch's records the centre has not received yet (a uid twice
        /// in one batch counts once).
        async fn fresh<'b>(
            tx: &mut Tx<'_>,
            backend: Backend,
            batch: &'b PushBatch,
        ) -> Result<Vec<&'b OutboxItem>, StoreError> {
            let uids: Vec<&str> = batch.items.iter().map(|i| i.uid.as_str()).collect();
            let mut have: HashSet<String> = HashSet::new();
            for chunk in uids.chunks(CHUNK) {
                let sql = format!("SELECT uid FROM sync_received WHERE uid IN ({})", list_params(backend, 1, chunk.len()));
                let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
                for u in chunk {
                    q = q.bind(*u);
                }
                have.extend(q.fetch_all(&mut **tx).await?);
            }
            Ok(batch.items.iter().filter(|i| have.insert(i.uid.clone())).collect())
        }

        /// What the centre holds that the new records refer to.
        async fn held(tx: &mut Tx<'_>, backend: Backend, post: &str, fresh: &[&OutboxItem]) -> Result<Held, StoreError> {
            let mut held = Held::default();
            let mut wanted: Vec<&str> = fresh.iter().filter_map(|i| i.record.crossing_id()).collect();
            wanted.sort_unstable();
            wanted.dedup();
            for chunk in wanted.chunks(CHUNK) {
                let sql = format!(
                    "SELECT crossing_id, post, id FROM crossings WHERE crossing_id IN ({})",
                    list_params(backend, 1, chunk.len())
                );
                let mut q = sqlx::query_as::<_, (String, String, i64)>(AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(*id);
                }
                for (id, at, row) in q.fetch_all(&mut **tx).await? {
                    held.crossing.insert(id, (at, Some(row)));
                }
            }
            let mut refs: Vec<&str> = Vec::new();
            let mut audit_before: Vec<i64> = Vec::new();
            let mut revoked: Vec<&str> = Vec::new();
            for i in fresh {
                match &i.record {
                    SyncRecord::Adjudication(a) => {
                        refs.push(&a.hit);
                        refs.extend(a.corrects.as_deref());
                    }
                    SyncRecord::Audit(a) if a.seq > 1 => audit_before.push(a.seq - 1),
                    SyncRecord::ClearanceRevocation(r) => revoked.push(&r.clearance),
                    _ => {}
                }
            }
            refs.sort_unstable();
            refs.dedup();
            for chunk in refs.chunks(CHUNK) {
                let sql = format!(
                    "SELECT uid, kind, ref FROM sync_received WHERE post = {} AND uid IN ({})",
                    list_params(backend, 1, 1),
                    list_params(backend, 2, chunk.len())
                );
                let mut q = sqlx::query_as::<_, (String, String, i64)>(AssertSqlSafe(sql)).bind(post);
                for u in chunk {
                    q = q.bind(*u);
                }
                for (uid, kind, r) in q.fetch_all(&mut **tx).await? {
                    held.received.insert(uid, (kind, r));
                }
            }
            for chunk in audit_before.chunks(CHUNK) {
                let sql = format!(
                    "SELECT seq, hash FROM sync_audit WHERE post = {} AND seq IN ({})",
                    list_params(backend, 1, 1),
                    list_params(backend, 2, chunk.len())
                );
                let mut q = sqlx::query_as::<_, (i64, Vec<u8>)>(AssertSqlSafe(sql)).bind(post);
                for seq in chunk {
                    q = q.bind(*seq);
                }
                for (seq, hash) in q.fetch_all(&mut **tx).await? {
                    if let Ok(h) = <[u8; 32]>::try_from(hash.as_slice()) {
                        held.audit.insert(seq, h);
                    }
                }
            }
            revoked.sort_unstable();
            revoked.dedup();
            for chunk in revoked.chunks(CHUNK) {
                let sql = format!("SELECT uid FROM clearances WHERE uid IN ({})", list_params(backend, 1, chunk.len()));
                let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
                for uid in chunk {
                    q = q.bind(*uid);
                }
                held.clearances.extend(q.fetch_all(&mut **tx).await?);
            }
            Ok(held)
        }

        /// Crossings, many per statement; one already here stands.
        async fn crossings<'b>(
            tx: &mut Tx<'_>,
            push: &mut Push<'b>,
            fresh: &[&'b OutboxItem],
            held: &mut Held,
        ) -> Result<(), StoreError> {
            let crossings = of_kind(fresh, |r| match r {
                SyncRecord::Crossing(c) => Some(c.as_ref()),
                _ => None,
            });
            let mut officers = Vec::with_capacity(crossings.len());
            for (_, c) in &crossings {
                officers.push(match &c.officer {
                    Some(u) => Some(shadow_user!((*tx), push.users, push.post, u, &push.now).await?),
                    None => None,
                });
            }
            for (chunk, officers) in crossings.chunks(CHUNK).zip(officers.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO crossings ({}) VALUES {} ON CONFLICT (crossing_id) DO NOTHING RETURNING crossing_id, id",
                    crate::crossings::CROSSING_COLS,
                    crate::multirow::values(push.backend, chunk.len(), crate::crossings::CROSSING_NCOLS)
                );
                let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                for ((_, c), officer) in chunk.iter().zip(officers) {
                    for v in crate::crossings::record_texts(&c.record) {
                        q = q.bind(v);
                    }
                    q = q.bind(&c.relation).bind("sync").bind(*officer).bind(&c.corrects).bind(&c.recorded_at);
                }
                for (id, row) in q.fetch_all(&mut **tx).await? {
                    if let Some(entry) = held.crossing.get_mut(&id) {
                        entry.1 = Some(row);
                    }
                }
            }
            for (item, c) in &crossings {
                let row = held.crossing.get(&c.record.crossing_id).and_then(|(_, r)| *r).ok_or_else(|| {
                    StoreError::Corrupt(format!("crossing '{}' was neither stored nor found", c.record.crossing_id))
                })?;
                push.rows.insert(&item.uid, row);
            }
            Ok(())
        }

        /// Inspections: one per crossing; one already here stands.
        async fn inspections<'b>(tx: &mut Tx<'_>, push: &mut Push<'b>, fresh: &[&'b OutboxItem]) -> Result<(), StoreError> {
            let inspections = of_kind(fresh, |r| match r {
                SyncRecord::Inspection(x) => Some(x),
                _ => None,
            });
            let mut officers = Vec::with_capacity(inspections.len());
            for (_, x) in &inspections {
                officers.push(shadow_user!((*tx), push.users, push.post, &x.officer, &push.now).await?);
            }
            let mut inspection_row: HashMap<String, i64> = HashMap::new();
            for (chunk, officers) in inspections.chunks(CHUNK).zip(officers.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO inspections (crossing_id, officer_id, suggested, result, at, origin) VALUES {} \
                     ON CONFLICT (crossing_id) DO NOTHING RETURNING crossing_id, id",
                    crate::multirow::values(push.backend, chunk.len(), 6)
                );
                let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                for ((_, x), officer) in chunk.iter().zip(officers) {
                    q = q
                        .bind(&x.crossing_id)
                        .bind(*officer)
                        .bind(&x.suggested)
                        .bind(&x.result)
                        .bind(&x.at)
                        .bind(push.post);
                }
                inspection_row.extend(q.fetch_all(&mut **tx).await?);
                let missing: Vec<&str> = chunk
                    .iter()
                    .map(|(_, x)| x.crossing_id.as_str())
                    .filter(|id| !inspection_row.contains_key(*id))
                    .collect();
                if !missing.is_empty() {
                    let sql = format!(
                        "SELECT crossing_id, id FROM inspections WHERE crossing_id IN ({})",
                        list_params(push.backend, 1, missing.len())
                    );
                    let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                    for id in missing {
                        q = q.bind(id);
                    }
                    inspection_row.extend(q.fetch_all(&mut **tx).await?);
                }
            }
            for (item, x) in &inspections {
                let row = inspection_row.get(&x.crossing_id).copied().ok_or_else(|| {
                    StoreError::Corrupt(format!("the inspection of '{}' was neither stored nor found", x.crossing_id))
                })?;
                push.rows.insert(&item.uid, row);
            }
            Ok(())
        }

        /// Hits, one by one: an adjudication needs its hit's id.
        async fn hits<'b>(tx: &mut Tx<'_>, push: &mut Push<'b>, fresh: &[&'b OutboxItem]) -> Result<(), StoreError> {
            for (item, h) in of_kind(fresh, |r| match r {
                SyncRecord::Hit(h) => Some(h),
                _ => None,
            }) {
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO hits (crossing_id, kind, list_name, list_kind, entry_id, score, action, \
                     explanation, created_at, list_version, origin) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(&h.crossing_id)
                .bind(h.kind.as_str())
                .bind(&h.list_name)
                .bind(&h.list_kind)
                .bind(&h.entry_id)
                .bind(h.score)
                .bind(&h.action)
                .bind(&h.explanation)
                .bind(&h.created_at)
                .bind(h.list_version)
                .bind(push.post)
                .fetch_one(&mut **tx)
                .await?;
                push.rows.insert(&item.uid, row);
            }
            Ok(())
        }

        /// Adjudications, one by one: a correction needs the id of the
        /// adjudication it corrects, which may be of this batch.
        async fn adjudications<'b>(
            tx: &mut Tx<'_>,
            push: &mut Push<'b>,
            fresh: &[&'b OutboxItem],
            checked: &Checked<'b>,
            held: &Held,
        ) -> Result<(), StoreError> {
            for (item, a) in of_kind(fresh, |r| match r {
                SyncRecord::Adjudication(a) => Some(a),
                _ => None,
            }) {
                let find = |uid: &str, kind: &str| {
                    push.rows
                        .get(uid)
                        .copied()
                        .filter(|_| checked.kinds.get(uid) == Some(&kind))
                        .or_else(|| held.received.get(uid).filter(|(k, _)| k == kind).map(|(_, r)| *r))
                };
                let hit = find(&a.hit, "hit")
                    .ok_or_else(|| StoreError::Corrupt(format!("hit {} was checked but not stored", a.hit)))?;
                let corrects = a.corrects.as_deref().and_then(|c| find(c, "adjudication"));
                let user = shadow_user!((*tx), push.users, push.post, &a.user, &push.now).await?;
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO adjudications (hit_id, decision, reason, user_id, corrects, at, origin) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(hit)
                .bind(a.decision.as_str())
                .bind(&a.reason)
                .bind(user)
                .bind(corrects)
                .bind(&a.at)
                .bind(push.post)
                .fetch_one(&mut **tx)
                .await?;
                push.rows.insert(&item.uid, row);
            }
            Ok(())
        }

        /// Decisions, many per statement: their ids come back in the order
        /// given (rows are numbered as they are inserted).
        async fn decisions<'b>(tx: &mut Tx<'_>, push: &mut Push<'b>, fresh: &[&'b OutboxItem]) -> Result<(), StoreError> {
            let decisions = of_kind(fresh, |r| match r {
                SyncRecord::Decision(d) => Some(d),
                _ => None,
            });
            let mut deciders = Vec::with_capacity(decisions.len());
            for (_, d) in &decisions {
                deciders.push(shadow_user!((*tx), push.users, push.post, &d.user, &push.now).await?);
            }
            for (chunk, deciders) in decisions.chunks(CHUNK).zip(deciders.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO decisions (crossing_id, decision, reason, user_id, at, origin) VALUES {} RETURNING id",
                    crate::multirow::values(push.backend, chunk.len(), 6)
                );
                let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
                for ((_, d), user) in chunk.iter().zip(deciders) {
                    q = q
                        .bind(&d.crossing_id)
                        .bind(d.decision.as_str())
                        .bind(&d.reason)
                        .bind(*user)
                        .bind(&d.at)
                        .bind(push.post);
                }
                let mut ids = q.fetch_all(&mut **tx).await?;
                ids.sort_unstable();
                if ids.len() != chunk.len() {
                    return Err(StoreError::Corrupt(format!("{} decisions stored of {}", ids.len(), chunk.len())));
                }
                for ((item, _), row) in chunk.iter().zip(ids) {
                    push.rows.insert(&item.uid, row);
                }
            }
            Ok(())
        }

        /// Referrals to the protection units, one by one.
        async fn referrals<'b>(tx: &mut Tx<'_>, push: &mut Push<'b>, fresh: &[&'b OutboxItem]) -> Result<(), StoreError> {
            for (item, r) in of_kind(fresh, |r| match r {
                SyncRecord::Referral(r) => Some(r),
                _ => None,
            }) {
                let user = shadow_user!((*tx), push.users, push.post, &r.user, &push.now).await?;
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO referrals (crossing_id, unit, reason, user_id, at, origin, indicators) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&r.crossing_id)
                .bind(r.unit.as_str())
                .bind(&r.reason)
                .bind(user)
                .bind(&r.at)
                .bind(push.post)
                .bind(&r.indicators)
                .fetch_one(&mut **tx)
                .await?;
                push.rows.insert(&item.uid, row);
            }
            Ok(())
        }

        /// Clearances, then their revocations (a revocation may follow its
        /// clearance in the same batch). One already here stands: the row it
        /// is stays the one the uid names.
        async fn clearances<'b>(tx: &mut Tx<'_>, push: &mut Push<'b>, fresh: &[&'b OutboxItem]) -> Result<(), StoreError> {
            let post = push.post;
            for (item, c) in of_kind(fresh, |r| match r {
                SyncRecord::Clearance(c) => Some(c),
                _ => None,
            }) {
                let by = format!("{}@{post}", c.user.username);
                let row = insert_clearance!((*tx), c, &by, post).await?;
                push.rows.insert(&item.uid, row);
            }
            for (item, r) in of_kind(fresh, |r| match r {
                SyncRecord::ClearanceRevocation(r) => Some(r),
                _ => None,
            }) {
                let by = format!("{}@{post}", r.user.username);
                let row = insert_revocation!((*tx), r, &by, post).await?;
                push.rows.insert(&item.uid, row);
            }
            Ok(())
        }

        /// Lookout hits of the post (`origin` = the post), each new one
        /// audited `lookout_hit` as the post's (`post:CODE`); a hit already
        /// here (the same lookout and crossing) stands. The ids of the hits
        /// stored now, so that the centre tells the lookouts' issuers.
        async fn lookout_hits<'b>(
            tx: &mut Tx<'_>,
            store: &Store,
            push: &mut Push<'b>,
            fresh: &[&'b OutboxItem],
        ) -> Result<Vec<i64>, StoreError> {
            let post = push.post;
            let mut stored: Vec<i64> = Vec::new();
            for (item, h) in of_kind(fresh, |r| match r {
                SyncRecord::LookoutHit(h) => Some(h),
                _ => None,
            }) {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO lookout_hits (lookout_uid, crossing_id, post, kind, score, at, origin) \
                     VALUES ($1, $2, $3, $4, $5, $6, $3) ON CONFLICT (lookout_uid, crossing_id) DO NOTHING RETURNING id",
                )
                .bind(&h.lookout_uid)
                .bind(&h.crossing_id)
                .bind(post)
                .bind(&h.kind)
                .bind(h.score)
                .bind(&h.at)
                .fetch_optional(&mut **tx)
                .await?;
                let row = match id {
                    Some(id) => {
                        let detail = serde_json::json!({
                            "crossing": h.crossing_id, "post": post, "kind": h.kind, "hit": id,
                        })
                        .to_string();
                        let subject = format!("lookout:{}", h.lookout_uid);
                        append_in_tx!((*tx), store, format!("post:{post}"), "lookout_hit", subject, &detail).await?;
                        stored.push(id);
                        id
                    }
                    None => {
                        sqlx::query_scalar("SELECT id FROM lookout_hits WHERE lookout_uid = $1 AND crossing_id = $2")
                            .bind(&h.lookout_uid)
                            .bind(&h.crossing_id)
                            .fetch_one(&mut **tx)
                            .await?
                    }
                };
                push.rows.insert(&item.uid, row);
            }
            Ok(stored)
        }

        /// The post's audit entries as it sealed them, many per statement.
        async fn audit_entries<'b>(
            tx: &mut Tx<'_>,
            push: &mut Push<'b>,
            fresh: &[&'b OutboxItem],
            checked: &Checked<'b>,
        ) -> Result<(), StoreError> {
            for chunk in checked.audit_rows.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO sync_audit (post, seq, at, actor, action, subject, detail, prev_hash, hash, sealed) \
                     VALUES {}",
                    crate::multirow::values(push.backend, chunk.len(), 10)
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for (a, prev_hash, hash) in chunk {
                    q = q
                        .bind(push.post)
                        .bind(a.seq)
                        .bind(&a.at)
                        .bind(&a.actor)
                        .bind(&a.action)
                        .bind(&a.subject)
                        .bind(&a.detail)
                        .bind(&prev_hash[..])
                        .bind(&hash[..])
                        .bind(i64::from(a.sealed));
                }
                q.execute(&mut **tx).await?;
            }
            let audits = fresh.iter().filter(|i| matches!(i.record, SyncRecord::Audit(_)));
            for (item, (a, _, _)) in audits.zip(&checked.audit_rows) {
                push.rows.insert(&item.uid, a.seq);
            }
            Ok(())
        }

        /// Every new record's uid with the row it became: what makes a
        /// second push of the same records change nothing.
        async fn received(tx: &mut Tx<'_>, push: &Push<'_>, fresh: &[&OutboxItem]) -> Result<(), StoreError> {
            for chunk in fresh.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO sync_received (uid, post, kind, ref, post_seq, received_at) VALUES {}",
                    crate::multirow::values(push.backend, chunk.len(), 6)
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for item in chunk {
                    let row = push.rows.get(item.uid.as_str()).copied().ok_or_else(|| {
                        StoreError::Corrupt(format!("record {} ({}) was not stored", item.seq, item.record.kind()))
                    })?;
                    q = q
                        .bind(&item.uid)
                        .bind(push.post)
                        .bind(item.record.kind())
                        .bind(row)
                        .bind(item.seq)
                        .bind(&push.now);
                }
                q.execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// The post's audit head against the anchor kept and the entries
        /// received (after this batch's, which may reach it): whether the
        /// post's chain went backwards (then audited and logged).
        async fn anchor(tx: &mut Tx<'_>, store: &Store, push: &Push<'_>, h: &AuditHead) -> Result<bool, StoreError> {
            let (post, now) = (push.post, &push.now);
            let hash = hex32(&h.hash).map_err(StoreError::Conflict)?;
            let kept: Option<(i64, Vec<u8>)> = sqlx::query_as("SELECT seq, hash FROM post_anchors WHERE post = $1")
                .bind(post)
                .fetch_optional(&mut **tx)
                .await?;
            let received: Option<Vec<u8>> =
                sqlx::query_scalar("SELECT hash FROM sync_audit WHERE post = $1 AND seq = $2")
                    .bind(post)
                    .bind(h.seq)
                    .fetch_optional(&mut **tx)
                    .await?;
            let behind = kept.as_ref().is_some_and(|(s, k)| *s > h.seq || (*s == h.seq && k.as_slice() != hash));
            let other = received.is_some_and(|r| r.as_slice() != hash);
            if !(behind || other) {
                sqlx::query(
                    "INSERT INTO post_anchors (post, seq, hash, at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (post) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
                )
                .bind(post)
                .bind(h.seq)
                .bind(&hash[..])
                .bind(now)
                .execute(&mut **tx)
                .await?;
                return Ok(false);
            }
            sqlx::query(
                "INSERT INTO post_anchors (post, seq, hash, at, rewound_at, rewound_seq) \
                 VALUES ($1, $2, $3, $4, $4, $2) ON CONFLICT (post) DO UPDATE \
                 SET rewound_at = excluded.rewound_at, rewound_seq = excluded.rewound_seq",
            )
            .bind(post)
            .bind(h.seq)
            .bind(&hash[..])
            .bind(now)
            .execute(&mut **tx)
            .await?;
            let detail = serde_json::json!({
                "anchor_seq": kept.as_ref().map(|k| k.0),
                "head_seq": h.seq,
                "other_hash": other,
            })
            .to_string();
            append_in_tx!((*tx), store, format!("post:{post}"), "post_audit_rewound", post, &detail).await?;
            tracing::warn!(post, anchor = kept.as_ref().map(|k| k.0), head = h.seq, "a post's audit chain went backwards");
            Ok(true)
        }
    };
}

mod sqlite {
    writers!(sqlx::Sqlite);
}

mod postgres {
    writers!(sqlx::Postgres);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn audit(seq: i64, prev: [u8; 32]) -> (AuditItem, [u8; 32]) {
        let sealed = AuditRecord::seal(seq, "2026-01-01T00:00:00Z", "cli", "x", "s", "{}", prev);
        let a = AuditItem {
            seq,
            at: "2026-01-01T00:00:00Z".into(),
            actor: "cli".into(),
            action: "x".into(),
            subject: "s".into(),
            detail: "{}".into(),
            prev_hash: hex(&prev),
            hash: hex(&sealed.hash),
            sealed: false,
        };
        (a, sealed.hash)
    }

    fn item(seq: i64, record: SyncRecord) -> OutboxItem {
        OutboxItem { seq, uid: format!("{seq:032x}"), record }
    }

    #[test]
    fn an_audit_entry_continues_the_batch_or_what_the_centre_holds() {
        let (a1, h1) = audit(1, GENESIS);
        let (a2, h2) = audit(2, h1);
        let (a3, _) = audit(3, h2);
        // 1 and 2 in the batch, in order: taken.
        let batch = [item(1, SyncRecord::Audit(a1)), item(2, SyncRecord::Audit(a2.clone()))];
        let fresh: Vec<&OutboxItem> = batch.iter().collect();
        let checked = Held::default().check("P", &fresh).map_err(|r| r.message).unwrap();
        assert_eq!(checked.audit_rows.len(), 2);
        // 3 alone: taken only when the centre holds 2.
        let batch = [item(3, SyncRecord::Audit(a3))];
        let fresh: Vec<&OutboxItem> = batch.iter().collect();
        let refused = Held::default().check("P", &fresh).err().expect("refused");
        assert!(refused.message.contains("arrives before entry 2"), "{}", refused.message);
        let mut held = Held::default();
        held.audit.insert(2, h2);
        assert!(held.check("P", &fresh).is_ok());
        // 2 after another 1: the link is broken.
        let mut held = Held::default();
        held.audit.insert(1, [7; 32]);
        let batch = [item(2, SyncRecord::Audit(a2))];
        let fresh: Vec<&OutboxItem> = batch.iter().collect();
        let refused = held.check("P", &fresh).err().expect("refused");
        assert!(refused.message.contains("does not continue"), "{}", refused.message);
    }
}
