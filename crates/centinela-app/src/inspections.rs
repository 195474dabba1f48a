//! The border post's work: inspecting a travel party (the pipeline of
//! `centinela-inspect`, stored by the group-commit writer before the answer
//! is given), hits and their adjudication, officers' decisions, crossings
//! and a traveller's timeline, border posts, and reloading the alert lists.
//!
//! Users bound to a post see and act on that post's records only;
//! country-wide users see every post. Every read of a person's data and
//! every write is in the audit chain.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};

use centinela_domain::Timestamp;
use centinela_inspect::{History, PartyOutcome, PartyRequest, TravellerOutcome, Watchlists};
use centinela_store::{
    Decision, HistoryReader, HitOrder, HitQuery, HitStatus, InspectionWriter, MAX_HIT_PAGE, NewHit, NewInspection,
    Store, StoreError, StoredCrossing, StoredHit, TravellerKey, Verdict,
};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User, new_id};

/// What inspections need beyond the store: the alert lists in memory, the
/// group-commit writer, the known posts.
pub struct Inspections {
    lists: RwLock<Arc<Watchlists>>,
    /// The version of each list in `lists`, so that every hit names the
    /// version it was screened against.
    versions: RwLock<Arc<HashMap<String, i64>>>,
    posts: RwLock<HashSet<String>>,
    writer: InspectionWriter,
    history: HistoryReader,
}

impl Inspections {
    /// Empty lists; [`Inspections::reload`] fills them. Needs a tokio runtime
    /// (it starts the writer task).
    pub fn new(store: &Store) -> Inspections {
        Inspections {
            lists: RwLock::new(Arc::new(Watchlists::empty())),
            versions: RwLock::new(Arc::new(HashMap::new())),
            posts: RwLock::new(HashSet::new()),
            writer: InspectionWriter::spawn(store.clone()),
            history: HistoryReader::spawn(store.clone()),
        }
    }

    /// Reads every active list and the posts from the store and swaps them
    /// in; inspections under way finish with the lists they started with.
    /// Returns (person entries, reported documents).
    pub async fn reload(&self, store: &Store) -> Result<(usize, usize), AppError> {
        let entries = store.current_entries().await?;
        let stored = store.rules().await?;
        let documents = store.document_indexes().await?;
        let summaries = store.lists().await?;
        let versions: HashMap<String, i64> =
            summaries.iter().filter_map(|l| l.version.map(|v| (l.name.clone(), v))).collect();
        let kinds: Vec<(String, centinela_domain::ListKind)> =
            summaries.into_iter().map(|l| (l.name, l.kind)).collect();
        let built = tokio::task::spawn_blocking(move || {
            let persons = entries
                .into_iter()
                .map(|e| {
                    let list = centinela_inspect::ListRef { name: e.list, kind: e.kind, action: e.action };
                    (list, e.entry)
                })
                .collect();
            let docs = documents
                .into_iter()
                .map(|(name, index)| {
                    let kind =
                        kinds.iter().find(|(n, _)| *n == name).map_or(centinela_domain::ListKind::Documents, |k| k.1);
                    let list = centinela_inspect::ListRef {
                        name: Arc::from(name.as_str()),
                        kind,
                        action: Arc::from(kind.default_action()),
                    };
                    (list, index)
                })
                .collect();
            let rules = crate::rules::in_force(&stored);
            Watchlists::build(persons, docs).with_rules(rules)
        })
        .await
        .map_err(AppError::internal)?;
        let sizes = built.sizes();
        let posts: HashSet<String> = store.posts().await?.into_iter().map(|p| p.code).collect();
        {
            let mut lists = self.lists.write().unwrap_or_else(|e| e.into_inner());
            *self.versions.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(versions);
            *lists = Arc::new(built);
        }
        *self.posts.write().unwrap_or_else(|e| e.into_inner()) = posts;
        Ok(sizes)
    }

    /// The lists in memory with their versions, taken together.
    pub fn lists(&self) -> (Arc<Watchlists>, Arc<HashMap<String, i64>>) {
        let lists = self.lists.read().unwrap_or_else(|e| e.into_inner());
        let versions = self.versions.read().unwrap_or_else(|e| e.into_inner()).clone();
        (lists.clone(), versions)
    }

    pub fn has_post(&self, code: &str) -> bool {
        self.posts.read().unwrap_or_else(|e| e.into_inner()).contains(code)
    }
}

/// One traveller as inspected and stored, with the ids of the hits raised
/// (to adjudicate them).
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedTraveller {
    #[serde(flatten)]
    pub outcome: TravellerOutcome,
    pub hit_ids: Vec<i64>,
}

/// The answer to an inspection: what the officer sees, already stored.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionAnswer {
    /// The travel party's id (empty for a traveller alone).
    pub group_id: String,
    /// The most cautious suggestion of the party: advice, never a decision.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "admit"))]
    pub suggested: centinela_inspect::NextStep,
    pub travellers: Vec<RecordedTraveller>,
}

/// A hit as a supervisor reviews it.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HitView {
    pub id: i64,
    pub crossing_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "person"))]
    pub kind: centinela_domain::HitKind,
    pub list_name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "wanted"))]
    pub list_kind: centinela_domain::ListKind,
    pub entry_id: String,
    pub score: f64,
    pub action: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub explanation: serde_json::Value,
    pub created_at: String,
    pub post: String,
    pub crossed_at: String,
    /// The version of the list the traveller was screened against.
    pub list_version: Option<i64>,
    /// Where the hit was raised: empty here, else the border post's code
    /// (it came by synchronisation).
    pub origin: String,
    /// The adjudication in force; absent while the hit is open.
    pub adjudication: Option<AdjudicationView>,
    /// Every adjudication, wherever made (a post and the centre may both
    /// judge a hit), in order by time then origin: the last stands.
    pub adjudications: Vec<AdjudicationView>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjudicationView {
    pub id: i64,
    /// `confirmed` or `dismissed`.
    pub decision: String,
    pub reason: String,
    pub user_id: i64,
    /// The adjudication this one replaces.
    pub corrects: Option<i64>,
    pub at: String,
    /// Where it was made: empty here, else the border post's code.
    pub origin: String,
}

impl From<centinela_store::Adjudication> for AdjudicationView {
    fn from(a: centinela_store::Adjudication) -> Self {
        AdjudicationView {
            id: a.id,
            decision: a.decision.as_str().to_string(),
            reason: a.reason,
            user_id: a.user_id,
            corrects: a.corrects,
            at: a.at,
            origin: a.origin,
        }
    }
}

impl From<StoredHit> for HitView {
    fn from(h: StoredHit) -> Self {
        HitView {
            id: h.id,
            crossing_id: h.crossing_id,
            kind: h.kind,
            list_name: h.list_name,
            list_kind: h.list_kind,
            entry_id: h.entry_id,
            score: h.score,
            action: h.action,
            explanation: h.explanation,
            created_at: h.created_at,
            post: h.post,
            crossed_at: h.crossed_at,
            list_version: h.list_version,
            origin: h.origin,
            adjudication: h.adjudication.map(Into::into),
            adjudications: h.adjudications.into_iter().map(Into::into).collect(),
        }
    }
}

/// A crossing with what its inspection showed, its hits and the decision
/// in force.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CrossingView {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub crossing: StoredCrossing,
    /// What the officer was shown, as stored (absent for imported records).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub inspection: Option<serde_json::Value>,
    pub hits: Vec<HitView>,
    pub decision: Option<DecisionView>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionView {
    pub decision: String,
    pub reason: String,
    pub at: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostView {
    pub code: String,
    pub name: String,
    pub country: String,
    pub facing: String,
    /// `land`, `air` or `sea`.
    pub kind: String,
    /// Its IANA time zone (`America/Guatemala`), in which its users see
    /// every date and time; empty: the centre's.
    pub time_zone: String,
}

/// Which hits to list.
#[derive(Debug, Clone, Default)]
pub struct HitsFilter {
    /// Only hits not yet adjudicated.
    pub open: bool,
    /// Only hits at this post (users bound to a post always see only theirs).
    pub post: Option<String>,
    /// At most this many, newest first (at most 1000).
    pub limit: u32,
}

/// Which page of the supervisors' queue: the hits by the adjudication in
/// force, at a post, on a list, in an order.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub status: HitStatus,
    /// Only hits at this post (users bound to a post always see only theirs).
    pub post: Option<String>,
    /// Only hits on this list (its name).
    pub list: Option<String>,
    pub order: HitOrder,
    /// 1 for the first page.
    pub page: u32,
    /// Hits per page: [`QUEUE_PAGE`] when 0, at most
    /// [`centinela_store::MAX_HIT_PAGE`].
    pub per_page: u32,
}

impl QueueFilter {
    /// The status named as the API names it: `open`, `confirmed`,
    /// `dismissed` or `all`.
    pub fn status_named(name: &str) -> Result<HitStatus, AppError> {
        match name {
            "open" => Ok(HitStatus::Open),
            "confirmed" => Ok(HitStatus::Confirmed),
            "dismissed" => Ok(HitStatus::Dismissed),
            "all" => Ok(HitStatus::All),
            _ => Err(AppError::Invalid("status: one of open, confirmed, dismissed, all".into())),
        }
    }

    /// The order named as the API names it: `severity`, `oldest` or
    /// `newest`.
    pub fn order_named(name: &str) -> Result<HitOrder, AppError> {
        match name {
            "severity" => Ok(HitOrder::Severity),
            "oldest" => Ok(HitOrder::Oldest),
            "newest" => Ok(HitOrder::Newest),
            _ => Err(AppError::Invalid("order: one of severity, oldest, newest".into())),
        }
    }
}

/// The queue's page size unless asked otherwise: a tablet's screenful or two.
pub const QUEUE_PAGE: u32 = 25;

/// A hit as the supervisors' queue shows it: who crossed, who is listed,
/// how severe, what the booth decided and how long it has waited.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueRow {
    #[serde(flatten)]
    pub hit: HitView,
    /// The traveller as registered: surnames, given names.
    pub traveller: String,
    /// The listed person (names, birth dates) or the document's status, as
    /// the inspection showed it; empty when its result is not here.
    pub listed_as: String,
    /// The alert's reason, action, issuer and date, when the list gave any.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub notice: Option<serde_json::Value>,
    /// The officer's decision in force at the booth.
    pub booth_decision: Option<String>,
    /// 3 high, 2 medium, 1 low ([`centinela_domain::ListKind::severity`]).
    pub severity: u8,
    /// How long an open hit has waited, in seconds.
    pub waiting_seconds: Option<i64>,
}

/// One page of the supervisors' queue.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HitQueue {
    pub rows: Vec<QueueRow>,
    /// Hits matching the filter, on every page.
    pub total: u64,
    pub page: u32,
    pub pages: u32,
    pub per_page: u32,
}

/// The longest reason an adjudication or a decision may give.
pub const MAX_REASON: usize = 2000;

impl App {
    /// Inspects a party for `user` and stores it: checks the post, fetches
    /// each document's history, runs the pipeline, and waits for the group
    /// commit (whose transaction writes the audit entries).
    pub async fn inspect(&self, user: &User, req: &PartyRequest) -> Result<InspectionAnswer, AppError> {
        let ins = self.inspections();
        let post = req.post.trim().to_string();
        if !ins.has_post(&post) {
            return Err(AppError::Invalid(format!(
                "post: no border post '{}'",
                post.chars().take(40).collect::<String>()
            )));
        }
        user.check_post(&post)?;
        let at = Timestamp::now();
        let who = centinela_inspect::identities_of(req, at).map_err(|e| AppError::Invalid(e.to_string()))?;
        // Each document's earlier holders, in one batched read for the party.
        let asked: Vec<(String, String)> = who.iter().filter_map(|w| w.document.clone()).collect();
        let mut found = ins.history.holders(asked).await.map_err(|e| store_error(&e))?.into_iter();
        let mut history: Vec<History> = Vec::with_capacity(who.len());
        for w in &who {
            let holders = match w.document {
                Some(_) => found.next().unwrap_or_default(),
                None => Vec::new(),
            };
            let crossings = self.recent_crossings(user, w).await?;
            history.push(History { holders, crossings, ..Default::default() });
        }
        let ids: Vec<String> = (0..req.travellers.len()).map(|_| new_id()).collect();
        let group = new_id();
        let (lists, versions) = ins.lists();
        let (chips, chip_photos): (Vec<_>, Vec<_>) = self
            .chip_results(req, u64::try_from(at.unix_seconds()).unwrap_or(0))
            .await?
            .into_iter()
            .map(|c| match c {
                Some(c) => (Some(c.result), c.photo),
                None => (None, None),
            })
            .unzip();
        // The rules see the chip's verdict (`document.chip`, INDICATORS D1).
        for (h, c) in history.iter_mut().zip(&chips) {
            h.chip = c.as_ref().map(|c| centinela_inspect::ChipFacts { outcome: c.outcome.clone(), failed: c.failed });
        }
        let faces = self.faces_of(req, chip_photos)?;
        let mut outcome: PartyOutcome = centinela_inspect::inspect(req, &lists, at, &ids, &history, &group)
            .map_err(|e| AppError::Invalid(e.to_string()))?;
        // A failed chip is document fraud until a person says otherwise:
        // a flag, and at least a secondary inspection.
        for (t, chip) in outcome.travellers.iter_mut().zip(chips) {
            // The built-in check stands even where D1 is disabled; where
            // D1 fired it already says so.
            if let Some(c) = chip.as_ref().filter(|c| c.failed && !t.flags.iter().any(|f| f.code == "D1")) {
                t.flags.push(crate::pki::chip_flag(c));
                t.suggested = t.suggested.max(centinela_inspect::NextStep::SecondaryInspection);
            }
            t.chip = chip;
        }
        outcome.suggested = outcome.travellers.iter().map(|t| t.suggested).max().unwrap_or(outcome.suggested);
        // Supervisors' clearances in force: those hits neither alert nor
        // count in the suggestion (and are not stored as hits).
        let cleared = self.apply_clearances(&mut outcome, at).await?;
        // Lookouts in force at this post: shown apart, raising the step.
        self.screen_lookouts(&mut outcome, &post, at).await?;
        let mut party = Vec::with_capacity(outcome.travellers.len());
        // Entries at an air post are linked to their API records (issue 23).
        let api_links: Vec<(String, Option<String>, Option<String>)> = outcome
            .travellers
            .iter()
            .zip(&outcome.records)
            .filter(|(_, r)| r.direction == centinela_domain::Direction::Entry)
            .map(|(t, r)| {
                let number = r.document_number.as_ref().map(|d| d.as_str().to_string());
                (t.crossing_id.clone(), number, r.issuing_state.as_ref().map(|c| c.as_str().to_string()))
            })
            .collect();
        for (t, record) in outcome.travellers.iter().zip(outcome.records) {
            let result = serde_json::to_string(t).map_err(AppError::internal)?;
            party.push(NewInspection {
                record,
                relation: t.relation.as_str().to_string(),
                officer_id: user.id,
                actor: user.actor(),
                suggested: t.suggested.as_str().to_string(),
                result,
                hits: t
                    .hits
                    .iter()
                    .map(|h| NewHit {
                        kind: h.kind,
                        list_name: h.list.clone(),
                        list_kind: h.list_kind,
                        entry_id: h.entry_id.clone(),
                        score: h.score,
                        action: h.action.clone(),
                        explanation: serde_json::to_string(&h.explanation).unwrap_or_else(|_| "[]".into()),
                        list_version: versions.get(&h.list).copied(),
                    })
                    .collect(),
                flags: t.flags.iter().map(|f| f.code.clone()).collect(),
                history_shown: t.travel_history.iter().map(|c| c.crossing_id.clone()).collect(),
            });
        }
        let recorded = ins.writer.record(party).await.map_err(|e| store_error(&e))?;
        tracing::info!(
            user = user.id,
            travellers = recorded.len(),
            hits = recorded.iter().map(|r| r.hit_ids.len()).sum::<usize>(),
            suggested = outcome.suggested.as_str(),
            cleared = cleared.len(),
            "inspection recorded"
        );
        // The faces seen with each crossing: the chip's photo and the
        // booth's capture, stored with it (audited).
        for (t, f) in outcome.travellers.iter_mut().zip(faces) {
            t.faces = self.store_faces(user, &t.crossing_id, f).await?;
        }
        self.record_lookout_hits(user, &outcome.travellers, &post, at).await?;
        self.link_api_records(user, &post, &api_links).await?;
        for u in &cleared {
            let crossing = outcome.travellers.get(u.traveller).map(|t| t.crossing_id.clone()).unwrap_or_default();
            // Which document the clearance was used through: the one it was
            // made on, or one the centre extended it to (by its uid).
            let made_on = if u.extension.is_some() { "linked_document" } else { "cleared_document" };
            self.audit(
                Caller::User(user),
                "clearance_used",
                format!("clearance:{}", u.uid),
                json!({ "crossing": crossing, "post": post, "document": made_on, "extension": u.extension }),
            )
            .await?;
        }
        let travellers = outcome
            .travellers
            .into_iter()
            .zip(recorded)
            .map(|(outcome, r)| RecordedTraveller { outcome, hit_ids: r.hit_ids })
            .collect();
        Ok(InspectionAnswer { group_id: outcome.group_id, suggested: outcome.suggested, travellers })
    }

    /// A traveller's latest crossings within `user`'s reach (their post's
    /// for a user bound to one), newest first: the booth's travel history.
    /// The inspection's audit entry names the crossings shown.
    async fn recent_crossings(
        &self,
        user: &User,
        who: &centinela_inspect::Identity,
    ) -> Result<Vec<centinela_inspect::PastCrossing>, AppError> {
        let birth = who.birth_date.map(|d| d.to_string()).unwrap_or_default();
        let key = TravellerKey {
            document: who.document.as_ref().map(|(n, s)| (n.as_str(), s.as_str())),
            given_names: &who.given_names,
            surnames: &who.surnames,
            birth_date: &birth,
        };
        let shown = centinela_inspect::TRAVEL_HISTORY_SHOWN as u32;
        let found = self.store().recent_crossings(key, user.post.as_deref(), shown).await?;
        Ok(found
            .into_iter()
            .map(|c| centinela_inspect::PastCrossing {
                crossing_id: c.crossing_id,
                post: c.post,
                direction: c.direction,
                crossed_at: c.crossed_at,
                entry_without_exit: false,
            })
            .collect())
    }

    /// Hits, newest first; a user bound to a post sees only that post's.
    pub async fn hits(&self, user: &User, filter: HitsFilter) -> Result<Vec<HitView>, AppError> {
        let post = user.post.clone().or(filter.post);
        let limit = u64::from(filter.limit.min(1000));
        let hits = self.store().hits(filter.open, post.as_deref(), limit).await?;
        self.audit(Caller::User(user), "hits_viewed", "hits", json!({ "count": hits.len(), "post": post })).await?;
        Ok(hits.into_iter().map(HitView::from).collect())
    }

    /// A page of the supervisors' queue (see [`QueueFilter`]); a user bound
    /// to a post sees only that post's hits. Audited like [`App::hits`].
    pub async fn hit_queue(&self, user: &User, filter: QueueFilter) -> Result<HitQueue, AppError> {
        let post = user.post.clone().or(filter.post);
        let per_page = if filter.per_page == 0 { QUEUE_PAGE } else { filter.per_page.min(MAX_HIT_PAGE) };
        let page = filter.page.max(1);
        let query = HitQuery {
            status: filter.status,
            post: post.as_deref(),
            list: filter.list.as_deref(),
            order: filter.order,
            offset: u64::from(page - 1) * u64::from(per_page),
            limit: per_page,
        };
        let found = self.store().hit_queue(&query).await?;
        let now = Timestamp::now().unix_seconds();
        let rows: Vec<QueueRow> = found
            .hits
            .into_iter()
            .map(|q| {
                let shown = q.inspection.as_ref().and_then(|r| {
                    r["hits"].as_array()?.iter().find(|h| {
                        h["list"].as_str() == Some(q.hit.list_name.as_str())
                            && h["entry_id"].as_str() == Some(q.hit.entry_id.as_str())
                    })
                });
                let listed_as = shown.and_then(|h| h["listed_as"].as_str()).unwrap_or_default().to_string();
                let notice = shown.and_then(|h| h.get("notice")).filter(|n| n.is_object()).cloned();
                let severity = q.hit.list_kind.severity();
                let waiting_seconds = match &q.hit.adjudication {
                    None => Timestamp::parse(&q.hit.created_at).ok().map(|t| (now - t.unix_seconds()).max(0)),
                    Some(_) => None,
                };
                QueueRow {
                    traveller: format!("{}, {}", q.surnames, q.given_names),
                    listed_as,
                    notice,
                    booth_decision: q.decision,
                    severity,
                    waiting_seconds,
                    hit: HitView::from(q.hit),
                }
            })
            .collect();
        self.audit(
            Caller::User(user),
            "hits_viewed",
            "hits",
            json!({ "count": rows.len(), "post": post, "list": filter.list, "page": page }),
        )
        .await?;
        let pages = u32::try_from(found.total.div_ceil(u64::from(per_page))).unwrap_or(u32::MAX).max(1);
        Ok(HitQueue { rows, total: found.total, page, pages, per_page })
    }

    /// A supervisor confirms or dismisses a hit, with a reason. A later
    /// adjudication corrects an earlier one, which stays on record.
    pub async fn adjudicate(
        &self,
        user: &User,
        id: i64,
        decision: Verdict,
        reason: &str,
    ) -> Result<AdjudicationView, AppError> {
        let hit = self.store().hit(id).await?.ok_or_else(|| AppError::NotFound(format!("no hit {id}")))?;
        user.check_post(&hit.post)?;
        if reason.trim().is_empty() {
            return Err(AppError::Invalid("reason: an adjudication needs a reason".into()));
        }
        check_reason(reason)?;
        Ok(self.store().adjudicate(user.store_actor(), id, decision, reason).await?.into())
    }

    pub(crate) async fn visible_crossing(&self, user: &User, id: &str) -> Result<StoredCrossing, AppError> {
        let c = self.store().crossing(id).await?.ok_or_else(|| AppError::NotFound("no such crossing".into()))?;
        user.check_post(&c.record.post)?;
        Ok(c)
    }

    /// One crossing, with its inspection, hits and decision.
    pub async fn crossing(&self, user: &User, id: &str) -> Result<CrossingView, AppError> {
        let c = self.visible_crossing(user, id).await?;
        let inspection = self.store().inspection_result(id).await?;
        let hits = self.store().hits_of_crossing(id).await?.into_iter().map(HitView::from).collect();
        let decision =
            self.store().decision(id).await?.map(|(decision, reason, at)| DecisionView { decision, reason, at });
        self.audit(Caller::User(user), "crossing_viewed", format!("crossing:{id}"), json!({})).await?;
        Ok(CrossingView { crossing: c, inspection, hits, decision })
    }

    /// Every crossing of the same traveller (same document, or same names
    /// and birth date as registered), oldest first. A user bound to a post
    /// asks only about that post's crossings and sees only that post's.
    pub async fn timeline(&self, user: &User, id: &str) -> Result<Vec<StoredCrossing>, AppError> {
        self.visible_crossing(user, id).await?;
        let mut tl = self.store().timeline(id).await?;
        tl.retain(|c| user.covers_post(&c.record.post));
        self.audit(Caller::User(user), "timeline_viewed", format!("crossing:{id}"), json!({ "crossings": tl.len() }))
            .await?;
        Ok(tl)
    }

    /// Why admitting this crossing needs the officer's confirmation and a
    /// reason: hits not dismissed by a supervisor, and risk indicators, its
    /// own or those of another traveller of its party (an adult travelling
    /// with a flagged child is not admitted by one click). Counts, no
    /// personal data: (hits, indicators).
    pub async fn admit_concerns(&self, crossing: &StoredCrossing) -> Result<(usize, usize), AppError> {
        let id = crossing.record.crossing_id.as_str();
        let mut ids = vec![id.to_string()];
        let group = crossing.record.group_id.as_str();
        if !group.is_empty() {
            let party = self.store().party(group).await?;
            // Imported records may share a group of any size; a booth's
            // party is at most a bus.
            ids.extend(party.into_iter().map(|c| c.record.crossing_id).filter(|c| c != id).take(100));
        }
        let (mut hits, mut flags) = (0, 0);
        for c in &ids {
            hits += self
                .store()
                .hits_of_crossing(c)
                .await?
                .iter()
                .filter(|h| h.adjudication.as_ref().is_none_or(|a| a.decision != Verdict::Dismissed))
                .count();
            let result = self.store().inspection_result(c).await?;
            let len = |k: &str| result.as_ref().and_then(|r| r.get(k).and_then(|f| f.as_array()).map(Vec::len));
            flags += len("flags").unwrap_or(0);
            // A lookout hit is an open hit until the party is decided.
            hits += len("lookouts").unwrap_or(0);
        }
        Ok((hits, flags))
    }

    /// Records the officer's decision on a crossing (the latest stands). A
    /// referral decision also records the referral. Admitting a traveller
    /// with an open hit or a risk indicator (theirs or their party's) needs
    /// `confirm` and a reason.
    pub async fn decide(
        &self,
        user: &User,
        id: &str,
        decision: Decision,
        reason: &str,
        confirm: bool,
    ) -> Result<DecisionView, AppError> {
        let crossing = self.visible_crossing(user, id).await?;
        if decision != Decision::Admit && reason.trim().is_empty() {
            return Err(AppError::Invalid("reason: needed for any decision but admit".into()));
        }
        check_reason(reason)?;
        if decision == Decision::Admit && (!confirm || reason.trim().is_empty()) {
            let (hits, flags) = self.admit_concerns(&crossing).await?;
            if hits + flags > 0 {
                return Err(AppError::ConfirmationRequired(format!(
                    "confirm: admitting a traveller whose party has {hits} open hit(s) and {flags} risk \
                     indicator(s) needs confirm: true and a reason"
                )));
            }
        }
        self.store().decide(user.store_actor(), id, decision, reason).await?;
        let (decision, reason, at) = self
            .store()
            .decision(id)
            .await?
            .ok_or_else(|| AppError::Internal("the decision just written is missing".into()))?;
        Ok(DecisionView { decision, reason, at })
    }

    /// The border posts (no personal data).
    pub async fn posts(&self) -> Result<Vec<PostView>, AppError> {
        let posts = self.store().posts().await?;
        Ok(posts
            .into_iter()
            .map(|p| PostView {
                code: p.code,
                name: p.name,
                country: p.country,
                facing: p.facing,
                kind: p.kind,
                time_zone: p.time_zone,
            })
            .collect())
    }

    /// Creates a border post (audited by the store in the same
    /// transaction) and returns it with its synchronisation key, shown
    /// once; a running screening index learns of it at once.
    pub async fn add_post(
        &self,
        caller: Caller<'_>,
        post: &centinela_store::NewPost<'_>,
    ) -> Result<(centinela_store::Post, String), AppError> {
        let (post, key) = self.store().add_post(&caller.actor(), post).await?;
        tracing::info!(actor = %caller.actor(), post = %post.code, "post created");
        self.forget_airports();
        if let Some(inspections) = self.0.inspections.get() {
            inspections.reload(self.store()).await?;
        }
        Ok((post, key))
    }

    /// Sets post `code`'s time zone: an IANA name the time zone database
    /// knows, or empty for the centre's. Audited by the store
    /// (`post_time_zone_changed`).
    pub async fn set_post_time_zone(&self, user: &User, code: &str, zone: &str) -> Result<(), AppError> {
        let zone = zone.trim();
        if !zone.is_empty() && (!centinela_domain::is_zone_name(zone) || jiff::tz::TimeZone::get(zone).is_err()) {
            return Err(AppError::Invalid("time_zone: not a known IANA time zone (e.g. America/Guatemala)".into()));
        }
        Ok(self.store().set_post_time_zone(&user.actor(), code, zone).await?)
    }

    /// Re-reads the active alert lists and rules into the screening index;
    /// audited when a user asked. Returns (person entries, reported
    /// documents).
    pub async fn reload_lists(&self, caller: Option<Caller<'_>>) -> Result<(usize, usize), AppError> {
        let (persons, documents) = self.inspections().reload(self.store()).await?;
        if let Some(caller) = caller {
            self.audit(caller, "lists_reloaded", "lists", json!({ "persons": persons, "documents": documents }))
                .await?;
        }
        Ok((persons, documents))
    }
}

pub(crate) fn check_reason(reason: &str) -> Result<(), AppError> {
    if reason.chars().count() > MAX_REASON {
        return Err(AppError::Invalid(format!("reason: at most {MAX_REASON} characters")));
    }
    Ok(())
}

/// The writer's and reader's shared errors, as their own.
fn store_error(e: &StoreError) -> AppError {
    match e {
        StoreError::Conflict(m) => AppError::Store(StoreError::Conflict(m.clone())),
        StoreError::Unavailable(m) => AppError::Store(StoreError::Unavailable(m.clone())),
        other => AppError::Internal(other.to_string()),
    }
}
