//! The centre applies a post's push: the records checked against what the
//! centre holds, then written table by table in one transaction.

use super::*;

impl Store {
    /// Applies a post's batch in one transaction; records already received
    /// are skipped. A record the centre cannot take (a reference it does not
    /// know, a broken audit link) refuses the whole batch.
    ///
    /// Every record is checked first, in the post's order, against what the
    /// centre holds (read in a few statements for the whole batch); then the
    /// rows are written table by table — crossings before what refers to
    /// them —, many rows per statement where nothing later in the batch
    /// needs their ids one by one (crossings, inspections, decisions, audit
    /// entries, the received uids). Within a table rows keep the post's
    /// order, so ids, and with them the arrival order of decisions and
    /// adjudications, are those of applying the records one by one.
    pub async fn apply_push(&self, post: &str, batch: &PushBatch) -> Result<Result<PushOutcome, Refused>, StoreError> {
        if let Err(r) = batch.check(post) {
            return Ok(Err(r));
        }
        let now = now_rfc3339();
        let backend = self.backend();
        let acked_seq = batch.items.last().map_or(0, |i| i.seq);
        on_pool!(self, p => {
            let mut tx = p.begin_with(begin_write(backend)).await?;
            if backend == Backend::Postgres {
                // One writer per post at a time: two pushes of the same post
                // (a retry racing its predecessor) apply in turn.
                sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))").bind(post).execute(&mut *tx).await?;
            }
            let uids: Vec<&str> = batch.items.iter().map(|i| i.uid.as_str()).collect();
            let mut have: HashSet<String> = HashSet::new();
            for chunk in uids.chunks(CHUNK) {
                let sql = format!("SELECT uid FROM sync_received WHERE uid IN ({})", list_params(backend, 1, chunk.len()));
                let mut q = sqlx::query_scalar::<_, String>(AssertSqlSafe(sql));
                for u in chunk {
                    q = q.bind(*u);
                }
                have.extend(q.fetch_all(&mut *tx).await?);
            }
            // What is new (a uid twice in one batch counts once).
            let mut fresh: Vec<&OutboxItem> = Vec::with_capacity(batch.items.len());
            for item in &batch.items {
                if have.insert(item.uid.clone()) {
                    fresh.push(item);
                }
            }
            let duplicates = (batch.items.len() - fresh.len()) as u64;

            // The crossings the batch refers to that the centre holds: whose
            // they are and their ids.
            let mut wanted: Vec<&str> = fresh.iter().filter_map(|i| i.record.crossing_id()).collect();
            wanted.sort_unstable();
            wanted.dedup();
            let mut crossing: HashMap<String, (String, Option<i64>)> = HashMap::new();
            for chunk in wanted.chunks(CHUNK) {
                let sql =
                    format!(
                    "SELECT crossing_id, post, id FROM crossings WHERE crossing_id IN ({})",
                    list_params(backend, 1, chunk.len())
                );
                let mut q = sqlx::query_as::<_, (String, String, i64)>(AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(*id);
                }
                for (id, at, row) in q.fetch_all(&mut *tx).await? {
                    crossing.insert(id, (at, Some(row)));
                }
            }
            // Hits and adjudications of earlier pushes that adjudications
            // refer to.
            let mut refs_wanted: Vec<&str> = Vec::new();
            for i in &fresh {
                if let SyncRecord::Adjudication(a) = &i.record {
                    refs_wanted.push(&a.hit);
                    refs_wanted.extend(a.corrects.as_deref());
                }
            }
            refs_wanted.sort_unstable();
            refs_wanted.dedup();
            let mut received: HashMap<String, (String, i64)> = HashMap::new();
            for chunk in refs_wanted.chunks(CHUNK) {
                let sql = format!(
                    "SELECT uid, kind, ref FROM sync_received WHERE post = {} AND uid IN ({})",
                    list_params(backend, 1, 1),
                    list_params(backend, 2, chunk.len())
                );
                let mut q = sqlx::query_as::<_, (String, String, i64)>(AssertSqlSafe(sql)).bind(post);
                for u in chunk {
                    q = q.bind(*u);
                }
                for (uid, kind, r) in q.fetch_all(&mut *tx).await? {
                    received.insert(uid, (kind, r));
                }
            }

            // 1. Check every record, in order.
            let mut kinds: HashMap<&str, &'static str> = HashMap::new();
            let mut audit_rows: Vec<(&AuditItem, [u8; 32], [u8; 32])> = Vec::new();
            let mut last_audit: Option<(i64, [u8; 32])> = None;
            for item in &fresh {
                let refuse = |message: String| Refused { seq: item.seq, kind: item.record.kind(), message };
                match &item.record {
                    SyncRecord::Crossing(c) => match crossing.get(&c.record.crossing_id) {
                        Some((at, _)) if at != post => {
                            return Ok(Err(refuse(format!("crossing '{}' is another post's", c.record.crossing_id))));
                        }
                        Some(_) => {}
                        None => {
                            crossing.insert(c.record.crossing_id.clone(), (post.to_string(), None));
                        }
                    },
                    SyncRecord::Adjudication(a) => {
                        let is_hit = kinds.get(a.hit.as_str()) == Some(&"hit")
                            || received.get(&a.hit).is_some_and(|(k, _)| k == "hit");
                        if !is_hit {
                            return Ok(Err(refuse(format!("hit {} is unknown here", a.hit))));
                        }
                    }
                    SyncRecord::Clearance(_) => {}
                    SyncRecord::ClearanceRevocation(r) => {
                        let in_batch = fresh.iter().any(|i| matches!(&i.record, SyncRecord::Clearance(c) if c.uid == r.clearance));
                        let known: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM clearances WHERE uid = $1")
                            .bind(&r.clearance)
                            .fetch_one(&mut *tx)
                            .await?;
                        if !in_batch && known == 0 {
                            return Ok(Err(refuse(format!("clearance {} is unknown here", r.clearance))));
                        }
                    }
                    SyncRecord::Audit(a) => {
                        let prev_hash = hex32(&a.prev_hash).map_err(StoreError::Conflict)?;
                        let hash = hex32(&a.hash).map_err(StoreError::Conflict)?;
                        let expected_prev: Option<[u8; 32]> = match last_audit {
                            _ if a.seq == 1 => Some(GENESIS),
                            Some((seq, h)) if seq == a.seq - 1 => Some(h),
                            _ => {
                                let h: Option<Vec<u8>> =
                                    sqlx::query_scalar("SELECT hash FROM sync_audit WHERE post = $1 AND seq = $2")
                                        .bind(post)
                                        .bind(a.seq - 1)
                                        .fetch_optional(&mut *tx)
                                        .await?;
                                h.and_then(|h| <[u8; 32]>::try_from(h.as_slice()).ok())
                            }
                        };
                        let Some(expected_prev) = expected_prev else {
                            return Ok(Err(refuse(format!("audit entry {} arrives before entry {}", a.seq, a.seq - 1))));
                        };
                        let sealed =
                            AuditRecord::seal(a.seq, &a.at, &a.actor, &a.action, &a.subject, &a.detail, expected_prev);
                        if prev_hash != expected_prev || (!a.sealed && sealed.hash != hash) {
                            return Ok(Err(refuse(format!("audit entry {} does not continue the post's chain", a.seq))));
                        }
                        last_audit = Some((a.seq, hash));
                        audit_rows.push((a, prev_hash, hash));
                    }
                    other => {
                        let id = other.crossing_id().unwrap_or_default();
                        match crossing.get(id) {
                            Some((at, _)) if at == post => {}
                            Some(_) => return Ok(Err(refuse(format!("crossing '{id}' is another post's")))),
                            None => return Ok(Err(refuse(format!("crossing '{id}' is unknown here")))),
                        }
                    }
                }
                kinds.insert(&item.uid, item.record.kind());
            }

            // 2. Write, table by table. `rows`: the row each uid became.
            let mut rows: HashMap<&str, i64> = HashMap::with_capacity(fresh.len());
            let mut users: HashMap<String, i64> = HashMap::new();
            let of_kind = |k: &'static str| fresh.iter().copied().filter(move |i| i.record.kind() == k);

            let crossings: Vec<(&OutboxItem, &CrossingItem)> = of_kind("crossing")
                .filter_map(|i| match &i.record {
                    SyncRecord::Crossing(c) => Some((i, c.as_ref())),
                    _ => None,
                })
                .collect();
            let mut officers = Vec::with_capacity(crossings.len());
            for (_, c) in &crossings {
                officers.push(match &c.officer {
                    Some(u) => Some(shadow_user!(tx, users, post, u, &now).await?),
                    None => None,
                });
            }
            for (chunk, officers) in crossings.chunks(CHUNK).zip(officers.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO crossings ({}) VALUES {} ON CONFLICT (crossing_id) DO NOTHING RETURNING crossing_id, id",
                    crate::crossings::CROSSING_COLS,
                    crate::multirow::values(backend, chunk.len(), crate::crossings::CROSSING_NCOLS)
                );
                let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                for ((_, c), officer) in chunk.iter().zip(officers) {
                    for v in crate::crossings::record_texts(&c.record) {
                        q = q.bind(v);
                    }
                    q = q.bind(&c.relation).bind("sync").bind(*officer).bind(&c.corrects).bind(&c.recorded_at);
                }
                for (id, row) in q.fetch_all(&mut *tx).await? {
                    if let Some(entry) = crossing.get_mut(&id) {
                        entry.1 = Some(row);
                    }
                }
            }
            for (item, c) in &crossings {
                let row = crossing.get(&c.record.crossing_id).and_then(|(_, r)| *r).ok_or_else(|| {
                    StoreError::Corrupt(format!("crossing '{}' was neither stored nor found", c.record.crossing_id))
                })?;
                rows.insert(&item.uid, row);
            }

            // Inspections: one per crossing; one already here stands.
            let inspections: Vec<(&OutboxItem, &InspectionItem)> = of_kind("inspection")
                .filter_map(|i| match &i.record {
                    SyncRecord::Inspection(x) => Some((i, x)),
                    _ => None,
                })
                .collect();
            let mut officers = Vec::with_capacity(inspections.len());
            for (_, x) in &inspections {
                officers.push(shadow_user!(tx, users, post, &x.officer, &now).await?);
            }
            let mut inspection_row: HashMap<String, i64> = HashMap::new();
            for (chunk, officers) in inspections.chunks(CHUNK).zip(officers.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO inspections (crossing_id, officer_id, suggested, result, at, origin) VALUES {} \
                     ON CONFLICT (crossing_id) DO NOTHING RETURNING crossing_id, id",
                    crate::multirow::values(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                for ((_, x), officer) in chunk.iter().zip(officers) {
                    q = q.bind(&x.crossing_id).bind(*officer).bind(&x.suggested).bind(&x.result).bind(&x.at).bind(post);
                }
                inspection_row.extend(q.fetch_all(&mut *tx).await?);
                let missing: Vec<&str> = chunk
                    .iter()
                    .map(|(_, x)| x.crossing_id.as_str())
                    .filter(|id| !inspection_row.contains_key(*id))
                    .collect();
                if !missing.is_empty() {
                    let sql =
                        format!(
                            "SELECT crossing_id, id FROM inspections WHERE crossing_id IN ({})",
                            list_params(backend, 1, missing.len())
                        );
                    let mut q = sqlx::query_as::<_, (String, i64)>(AssertSqlSafe(sql));
                    for id in missing {
                        q = q.bind(id);
                    }
                    inspection_row.extend(q.fetch_all(&mut *tx).await?);
                }
            }
            for (item, x) in &inspections {
                let row = inspection_row.get(&x.crossing_id).copied().ok_or_else(|| {
                    StoreError::Corrupt(format!("the inspection of '{}' was neither stored nor found", x.crossing_id))
                })?;
                rows.insert(&item.uid, row);
            }

            // Hits, then adjudications, one by one: an adjudication needs its
            // hit's id, a correction the id of the adjudication it corrects.
            for item in of_kind("hit") {
                let SyncRecord::Hit(h) = &item.record else { continue };
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
                .bind(post)
                .fetch_one(&mut *tx)
                .await?;
                rows.insert(&item.uid, row);
            }
            for item in of_kind("adjudication") {
                let SyncRecord::Adjudication(a) = &item.record else { continue };
                let find = |uid: &str, kind: &str| {
                    rows.get(uid)
                        .copied()
                        .filter(|_| kinds.get(uid) == Some(&kind))
                        .or_else(|| received.get(uid).filter(|(k, _)| k == kind).map(|(_, r)| *r))
                };
                let hit = find(&a.hit, "hit")
                    .ok_or_else(|| StoreError::Corrupt(format!("hit {} was checked but not stored", a.hit)))?;
                let corrects = a.corrects.as_deref().and_then(|c| find(c, "adjudication"));
                let user = shadow_user!(tx, users, post, &a.user, &now).await?;
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
                .bind(post)
                .fetch_one(&mut *tx)
                .await?;
                rows.insert(&item.uid, row);
            }

            // Decisions, many per statement: their ids come back in the
            // order given (rows are numbered as they are inserted).
            let decisions: Vec<(&OutboxItem, &DecisionItem)> = of_kind("decision")
                .filter_map(|i| match &i.record {
                    SyncRecord::Decision(d) => Some((i, d)),
                    _ => None,
                })
                .collect();
            let mut deciders = Vec::with_capacity(decisions.len());
            for (_, d) in &decisions {
                deciders.push(shadow_user!(tx, users, post, &d.user, &now).await?);
            }
            for (chunk, deciders) in decisions.chunks(CHUNK).zip(deciders.chunks(CHUNK)) {
                let sql = format!(
                    "INSERT INTO decisions (crossing_id, decision, reason, user_id, at, origin) VALUES {} RETURNING id",
                    crate::multirow::values(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query_scalar::<_, i64>(AssertSqlSafe(sql));
                for ((_, d), user) in chunk.iter().zip(deciders) {
                    q = q.bind(&d.crossing_id).bind(d.decision.as_str()).bind(&d.reason).bind(*user).bind(&d.at).bind(post);
                }
                let mut ids = q.fetch_all(&mut *tx).await?;
                ids.sort_unstable();
                if ids.len() != chunk.len() {
                    return Err(StoreError::Corrupt(format!("{} decisions stored of {}", ids.len(), chunk.len())));
                }
                for ((item, _), row) in chunk.iter().zip(ids) {
                    rows.insert(&item.uid, row);
                }
            }

            for item in of_kind("referral") {
                let SyncRecord::Referral(r) = &item.record else { continue };
                let user = shadow_user!(tx, users, post, &r.user, &now).await?;
                let row: i64 = sqlx::query_scalar(
                    "INSERT INTO referrals (crossing_id, unit, reason, user_id, at, origin, indicators) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(&r.crossing_id)
                .bind(r.unit.as_str())
                .bind(&r.reason)
                .bind(user)
                .bind(&r.at)
                .bind(post)
                .bind(&r.indicators)
                .fetch_one(&mut *tx)
                .await?;
                rows.insert(&item.uid, row);
            }

            // Clearances, then their revocations (a revocation may follow
            // its clearance in the same batch). One already here stands: the
            // row it is stays the one the uid names.
            for item in of_kind("clearance") {
                let SyncRecord::Clearance(c) = &item.record else { continue };
                let by = format!("{}@{post}", c.user.username);
                let row = insert_clearance!(tx, c, &by, post).await?;
                rows.insert(&item.uid, row);
            }
            for item in of_kind("clearance_revocation") {
                let SyncRecord::ClearanceRevocation(r) = &item.record else { continue };
                let by = format!("{}@{post}", r.user.username);
                let row = insert_revocation!(tx, r, &by, post).await?;
                rows.insert(&item.uid, row);
            }
            let lookout_hits = write_lookout_hits!(tx, self, post, of_kind("lookout_hit"), rows).await?;

            for chunk in audit_rows.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO sync_audit (post, seq, at, actor, action, subject, detail, prev_hash, hash, sealed) \
                     VALUES {}",
                    crate::multirow::values(backend, chunk.len(), 10)
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for (a, prev_hash, hash) in chunk {
                    q = q
                        .bind(post)
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
                q.execute(&mut *tx).await?;
            }
            for (item, (a, _, _)) in of_kind("audit").zip(&audit_rows) {
                rows.insert(&item.uid, a.seq);
            }

            for chunk in fresh.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO sync_received (uid, post, kind, ref, post_seq, received_at) VALUES {}",
                    crate::multirow::values(backend, chunk.len(), 6)
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for item in chunk {
                    let row = rows.get(item.uid.as_str()).copied().ok_or_else(|| {
                        StoreError::Corrupt(format!("record {} ({}) was not stored", item.seq, item.record.kind()))
                    })?;
                    q = q.bind(&item.uid).bind(post).bind(item.record.kind()).bind(row).bind(item.seq).bind(&now);
                }
                q.execute(&mut *tx).await?;
            }
            let applied = fresh.len() as u64;
            // The post's head against the anchor kept and the entries
            // received (after this batch's, which may reach it).
            let mut audit_rewound = false;
            if let Some(h) = &batch.head {
                let hash = hex32(&h.hash).map_err(StoreError::Conflict)?;
                let kept: Option<(i64, Vec<u8>)> =
                    sqlx::query_as("SELECT seq, hash FROM post_anchors WHERE post = $1")
                        .bind(post)
                        .fetch_optional(&mut *tx)
                        .await?;
                let received: Option<Vec<u8>> =
                    sqlx::query_scalar("SELECT hash FROM sync_audit WHERE post = $1 AND seq = $2")
                        .bind(post)
                        .bind(h.seq)
                        .fetch_optional(&mut *tx)
                        .await?;
                let behind = kept.as_ref().is_some_and(|(s, k)| *s > h.seq || (*s == h.seq && k.as_slice() != hash));
                let other = received.is_some_and(|r| r.as_slice() != hash);
                if behind || other {
                    audit_rewound = true;
                    sqlx::query(
                        "INSERT INTO post_anchors (post, seq, hash, at, rewound_at, rewound_seq) \
                         VALUES ($1, $2, $3, $4, $4, $2) ON CONFLICT (post) DO UPDATE \
                         SET rewound_at = excluded.rewound_at, rewound_seq = excluded.rewound_seq",
                    )
                    .bind(post)
                    .bind(h.seq)
                    .bind(&hash[..])
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                    let detail = serde_json::json!({
                        "anchor_seq": kept.as_ref().map(|k| k.0),
                        "head_seq": h.seq,
                        "other_hash": other,
                    })
                    .to_string();
                    append_in_tx!(tx, self, format!("post:{post}"), "post_audit_rewound", post, &detail).await?;
                    tracing::warn!(post, anchor = kept.as_ref().map(|k| k.0), head = h.seq, "a post's audit chain went backwards");
                } else {
                    sqlx::query(
                        "INSERT INTO post_anchors (post, seq, hash, at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (post) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at",
                    )
                    .bind(post)
                    .bind(h.seq)
                    .bind(&hash[..])
                    .bind(&now)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let detail = serde_json::json!({
                "applied": applied,
                "duplicates": duplicates,
                "first_seq": batch.items.first().map(|i| i.seq),
                "last_seq": acked_seq,
                "head_seq": batch.head.as_ref().map(|h| h.seq),
            })
            .to_string();
            append_in_tx!(tx, self, format!("post:{post}"), "sync_push_applied", post, &detail).await?;
            tx.commit().await?;
            Ok(Ok(PushOutcome { applied, duplicates, acked_seq, audit_rewound, lookout_hits }))
        })
    }
}
