//! Remembered clearances (issue 19): a supervisor who dismisses a person hit
//! as "not this person" may clear the pair — this traveller's document
//! against this list entry as it stands — so that the daily commuter who
//! shares a listed person's name is not stopped every morning.
//!
//! Only supervisors clear and revoke, each for hits and clearances of the
//! posts they cover. A clearance lapses when the entry's content changes,
//! when it expires (the deployment's `--clearance-days`, 365 by default;
//! a supervisor may ask for fewer) or when revoked. Making, revoking and
//! listing are audited by the store or here; each use at the booth by
//! [`App::inspect`] (`clearance_used`).

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::Ordering;

use centinela_domain::{Role, Timestamp};
use centinela_store::{
    Actor, Clearance, ClearanceFilter, ClearancePair, MAX_CLEARANCE_DAYS, MAX_CLEARANCE_DOCUMENTS,
    NewClearanceDocument, OverrideKind, StoreError, Verdict,
};
use serde::Serialize;
use serde_json::json;

use crate::intel::{Analysed, AnalysisInfo};
use crate::{App, AppError, Caller, User, new_id};

/// How long a clearance lasts unless the deployment says otherwise.
pub const DEFAULT_CLEARANCE_DAYS: u32 = 365;

/// A person holding more documents than this is not extended to: a merge
/// of namesakes, or a traveller who changes documents often — in both
/// cases a supervisor's to look at, not the machine's.
pub const MAX_DOCUMENTS_PER_PERSON: usize = MAX_CLEARANCE_DOCUMENTS + 1;

/// The most clearances in force one extension pass reads.
pub const MAX_EXTENSION_PASS: u32 = 100_000;

/// Another document a clearance covers, as shown.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoveredDocumentView {
    pub uid: String,
    pub document_number: String,
    pub issuing_state: String,
    /// The resolved person (`R0000001`) of the analysis that linked it.
    pub person: String,
    /// Why, as codes (`same_person same_name same_birth_date same_state used_after`).
    pub evidence: String,
    pub added_by: String,
    pub added_at: String,
}

/// What one extension pass did.
#[derive(Debug, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionReport {
    /// Clearances in force looked at.
    pub clearances: usize,
    /// Documents added to them.
    pub extended: usize,
    /// Clearances (or documents) left as they were, by reason code.
    pub skipped: BTreeMap<String, usize>,
    /// The analysis used.
    pub analysis: Option<AnalysisInfo>,
}

/// A clearance as shown: who cleared which traveller against which entry,
/// until when, and whether it is still in force.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClearanceView {
    pub uid: String,
    pub document_number: String,
    pub issuing_state: String,
    pub list_name: String,
    pub entry_id: String,
    pub list_version: i64,
    pub reason: String,
    pub cleared_by: String,
    pub cleared_role: String,
    pub post: String,
    pub cleared_at: String,
    pub expires_at: String,
    /// Where it was made: empty here, else a post's code or `central`.
    pub origin: String,
    /// `in_force`, `expired` or `revoked` (a changed list entry is found
    /// at the booth: the clearance then simply does not apply).
    pub status: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
    /// The other documents of the same traveller it covers, as
    /// intelligence linked them (the centre adds them).
    pub documents: Vec<CoveredDocumentView>,
}

impl ClearanceView {
    fn new(c: Clearance, now: Timestamp) -> ClearanceView {
        let status = if c.revocation.is_some() {
            "revoked"
        } else if c.expired(now) {
            "expired"
        } else {
            "in_force"
        };
        ClearanceView {
            status: status.to_string(),
            revoked_at: c.revocation.as_ref().map(|r| r.at.clone()),
            revoked_by: c.revocation.as_ref().map(|r| r.revoked_by.clone()),
            revoke_reason: c.revocation.as_ref().map(|r| r.reason.clone()),
            uid: c.uid,
            document_number: c.document_number,
            issuing_state: c.issuing_state,
            list_name: c.list_name,
            entry_id: c.entry_id,
            list_version: c.list_version,
            reason: c.reason,
            cleared_by: c.cleared_by,
            cleared_role: c.cleared_role.as_str().to_string(),
            post: c.post,
            cleared_at: c.cleared_at,
            expires_at: c.expires_at,
            origin: c.origin,
            documents: c
                .documents
                .into_iter()
                .map(|d| CoveredDocumentView {
                    uid: d.uid,
                    document_number: d.document_number,
                    issuing_state: d.issuing_state,
                    person: d.person,
                    evidence: d.evidence,
                    added_by: d.added_by,
                    added_at: d.added_at,
                })
                .collect(),
        }
    }
}

/// Which clearances to list.
#[derive(Debug, Clone, Default)]
pub struct ClearancesQuery {
    /// Only this post's (users bound to a post always see only theirs).
    pub post: Option<String>,
    /// Also revoked and expired ones.
    pub all: bool,
    /// At most this many, newest first (at most 1000).
    pub limit: u32,
}

/// A clearance used at the booth: for which traveller of the party, and
/// through which of its documents (`extension`: the uid of the covered
/// document, `None` the one it was made on).
#[derive(Debug, Clone)]
pub(crate) struct ClearanceUse {
    pub traveller: usize,
    pub uid: String,
    pub extension: Option<String>,
}

fn supervisor_only(user: &User) -> Result<(), AppError> {
    if user.role == Role::Supervisor {
        Ok(())
    } else {
        Err(AppError::Forbidden("only a supervisor clears or revokes a clearance".into()))
    }
}

impl App {
    /// The longest a clearance lasts here (`--clearance-days`).
    pub fn clearance_days(&self) -> u32 {
        self.0.clearance_days.load(Ordering::Relaxed)
    }

    /// Sets how long clearances last from now on (1 to 3650 days).
    pub fn set_clearance_days(&self, days: u32) -> Result<(), AppError> {
        if days == 0 || days > MAX_CLEARANCE_DAYS {
            return Err(AppError::Invalid(format!("clearance_days: from 1 to {MAX_CLEARANCE_DAYS}")));
        }
        self.0.clearance_days.store(days, Ordering::Relaxed);
        Ok(())
    }

    /// A supervisor clears the pair of a hit already dismissed: its
    /// traveller's document against its list entry as screened, for `days`
    /// (at most, and by default, the deployment's `--clearance-days`).
    pub async fn clear_hit(
        &self,
        user: &User,
        hit_id: i64,
        reason: &str,
        days: Option<u32>,
    ) -> Result<ClearanceView, AppError> {
        supervisor_only(user)?;
        let hit = self.store().hit(hit_id).await?.ok_or_else(|| AppError::NotFound(format!("no hit {hit_id}")))?;
        user.check_post(&hit.post)?;
        let max = self.clearance_days();
        let days = days.unwrap_or(max);
        if days == 0 || days > max {
            return Err(AppError::Invalid(format!("days: from 1 to {max}")));
        }
        let now = Timestamp::now();
        let c = self.store().clear_hit(user.store_actor(), &new_id(), hit_id, reason, days, now).await?;
        tracing::info!(user = user.id, hit = hit_id, days, "hit cleared");
        // The other documents intelligence links to this traveller, where an
        // analysis is at hand (the centre's cache; never computed on the
        // supervisor's request): a post without one clears the document
        // alone, and the centre extends it when it analyses.
        if self.extends_clearances()
            && let Some(a) = self.intel().peek()
        {
            let uid = c.uid.clone();
            let report = self.extend_with(&user.username, &a, vec![c], now).await?;
            tracing::info!(hit = hit_id, extended = report.extended, "clearance extended at clearing");
            let c =
                self.store().clearance(&uid).await?.ok_or_else(|| AppError::NotFound("no such clearance".into()))?;
            return Ok(ClearanceView::new(c, now));
        }
        Ok(ClearanceView::new(c, now))
    }

    /// Whether clearances are extended here to the documents intelligence
    /// links (the centre or a standalone installation; not a post that
    /// synchronises with a centre: the centre extends, and posts pull).
    pub fn extends_clearances(&self) -> bool {
        self.0.extends_clearances.load(Ordering::Relaxed)
    }

    /// Turns the extension of clearances off at a synchronising post.
    pub fn set_extends_clearances(&self, on: bool) {
        self.0.extends_clearances.store(on, Ordering::Relaxed);
    }

    /// Extends every clearance in force to the other documents the current
    /// analysis (computed if the data changed) links to its traveller: the
    /// centre's pass after intelligence resolves new documents, run by
    /// `centinela clearances extend` and after each new analysis. Each
    /// document added is audited (`clearance_extended`) and reaches every
    /// post on its next pull.
    pub async fn extend_clearances(&self, caller: Caller<'_>) -> Result<ExtensionReport, AppError> {
        if let Caller::User(u) = caller {
            supervisor_only(u)?;
            if u.post.is_some() {
                return Err(AppError::Forbidden("clearances are extended country-wide".into()));
            }
        }
        if !self.extends_clearances() {
            return Err(AppError::Invalid(
                "clearances: a synchronising post does not extend clearances; the centre does".into(),
            ));
        }
        // The analysis without the pass `App::analysis` starts: this one is it.
        let a = self.intel().current(self.analytics()).await?;
        *self.0.extended_for.lock().unwrap_or_else(|e| e.into_inner()) = Some(a.info.computed_at.clone());
        let now = Timestamp::now();
        let list = self.store().clearances_in_force(now, MAX_EXTENSION_PASS).await?;
        let actor = match caller {
            Caller::User(u) => u.username.clone(),
            Caller::Cli => "cli".to_string(),
        };
        self.extend_with(&actor, &a, list, now).await
    }

    /// After a new analysis: the extension pass as `system`, once per
    /// analysis, off the caller's path.
    pub(crate) fn extend_after_analysis(&self, a: &Analysed) {
        if !self.extends_clearances() {
            return;
        }
        {
            let mut last = self.0.extended_for.lock().unwrap_or_else(|e| e.into_inner());
            if last.as_deref() == Some(a.info.computed_at.as_str()) {
                return;
            }
            *last = Some(a.info.computed_at.clone());
        }
        let (app, a) = (self.clone(), a.clone());
        tokio::spawn(async move {
            let now = Timestamp::now();
            let run = async {
                let list = app.store().clearances_in_force(now, MAX_EXTENSION_PASS).await?;
                if list.is_empty() {
                    return Ok(ExtensionReport::default());
                }
                app.extend_with("system", &a, list, now).await
            };
            match run.await {
                Ok(r) if r.extended > 0 => tracing::info!(extended = r.extended, "clearances extended"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "clearance extension failed"),
            }
        });
    }

    /// Extends `list` with what analysis `a` links, as `actor`.
    async fn extend_with(
        &self,
        actor: &str,
        a: &Analysed,
        list: Vec<Clearance>,
        now: Timestamp,
    ) -> Result<ExtensionReport, AppError> {
        use extend::{DocumentUse, crossings_by_key, documents_to_cover, key_of, keys_of_crossings, persons_of_keys};
        let mut out = ExtensionReport { clearances: list.len(), analysis: Some(a.info.clone()), ..Default::default() };
        let mut skip = |why: &str| *out.skipped.entry(why.to_string()).or_insert(0) += 1;
        let keys: Vec<Option<String>> = list.iter().map(|c| key_of(&c.document_number, &c.issuing_state)).collect();
        let wanted: HashSet<String> = keys.iter().flatten().cloned().collect();
        // An analyst's split decision sets two crossings apart: the
        // documents they carry are never added to a clearance.
        let splits: Vec<(String, String)> = self
            .store()
            .intel_overrides()
            .await?
            .into_iter()
            .filter(|o| o.kind == OverrideKind::Split)
            .map(|o| (o.crossing_a, o.crossing_b))
            .collect();
        let report = a.report.clone();
        let (persons, split) = tokio::task::spawn_blocking(move || {
            let named: HashSet<String> = splits.iter().flat_map(|(a, b)| [a.clone(), b.clone()]).collect();
            let split: HashSet<String> = keys_of_crossings(&report, &named).into_values().collect();
            (persons_of_keys(&report, &wanted), split)
        })
        .await
        .map_err(AppError::internal)?;
        let reused: HashSet<&str> = a.report.documents.iter().map(|d| d.document.as_str()).collect();
        for (c, key) in list.into_iter().zip(keys) {
            if c.documents.len() >= MAX_CLEARANCE_DOCUMENTS {
                skip("cap_reached");
                continue;
            }
            let Some(key) = key else {
                skip("not_in_analysis");
                continue;
            };
            let person = match persons.get(&key) {
                None => {
                    skip("not_in_analysis");
                    continue;
                }
                Some(ps) if ps.len() > 1 => {
                    skip("document_shared");
                    continue;
                }
                Some(ps) => ps.iter().next().copied().unwrap_or_default(),
            };
            let Some(by_key) = crossings_by_key(&a.report, person) else {
                skip("too_many_crossings");
                continue;
            };
            if by_key.len() < 2 {
                skip("one_document");
                continue;
            }
            let ids: Vec<String> = by_key.values().flatten().cloned().collect();
            let rows = self.analytics().crossings_by_ids(&ids).await?;
            let rows: std::collections::HashMap<&str, &centinela_domain::CrossingRecord> =
                rows.iter().map(|r| (r.record.crossing_id.as_str(), &r.record)).collect();
            let mut uses = Vec::new();
            for (k, ids) in &by_key {
                let records: Vec<_> = ids.iter().filter_map(|id| rows.get(id.as_str())).collect();
                let Some(first) = records.first() else { continue };
                let Some(number) = &first.document_number else { continue };
                uses.push(DocumentUse {
                    document_number: number.as_str().to_string(),
                    issuing_state: first.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
                    key: k.clone(),
                    births: records
                        .iter()
                        .map(|r| r.birth_date.as_ref().map(|b| b.to_string()).unwrap_or_default())
                        .collect(),
                    names: records.iter().map(|r| extend::name_key(&r.given_names, &r.surnames)).collect(),
                    first: records.iter().map(|r| r.crossed_at.unix_seconds()).min().unwrap_or(0),
                    last: records.iter().map(|r| r.crossed_at.unix_seconds()).max().unwrap_or(0),
                    reused: reused.contains(k.as_str()),
                });
            }
            let found = match documents_to_cover(&key, &uses, &split) {
                Ok(found) => found,
                Err(why) => {
                    skip(why);
                    continue;
                }
            };
            let label = centinela_intel::resolve::person_label(person);
            let mut held = c.documents.len();
            for (u, evidence) in found {
                if c.covers(&u.document_number, &u.issuing_state).is_some() {
                    continue;
                }
                if held >= MAX_CLEARANCE_DOCUMENTS {
                    skip("cap_reached");
                    break;
                }
                let d = NewClearanceDocument {
                    uid: &new_id(),
                    clearance_uid: &c.uid,
                    document_number: &u.document_number,
                    issuing_state: &u.issuing_state,
                    person: &label,
                    evidence: &evidence,
                };
                match self.store().extend_clearance(actor, &d, now).await {
                    Ok(_) => {
                        held += 1;
                        out.extended += 1;
                    }
                    Err(StoreError::Conflict(_)) => skip("conflict"),
                    Err(e) => return Err(e.into()),
                }
            }
        }
        Ok(out)
    }

    /// Dismisses a hit as not this person and clears the pair, in that
    /// order (the web page's "dismiss and clear"). A hit already dismissed
    /// is not adjudicated again.
    pub async fn dismiss_and_clear(
        &self,
        user: &User,
        hit_id: i64,
        reason: &str,
        days: Option<u32>,
    ) -> Result<ClearanceView, AppError> {
        supervisor_only(user)?;
        let hit = self.store().hit(hit_id).await?.ok_or_else(|| AppError::NotFound(format!("no hit {hit_id}")))?;
        user.check_post(&hit.post)?;
        if hit.kind != centinela_domain::HitKind::Person {
            return Err(AppError::Invalid(
                "hit: only a name-screening hit can be cleared (a reported document stays reported)".into(),
            ));
        }
        // What the clearance needs, checked before the dismissal is
        // recorded: a dismissal that cannot be remembered is the supervisor's
        // to make with the plain "dismiss".
        let crossing = self.store().crossing(&hit.crossing_id).await?;
        if crossing.is_none_or(|c| c.record.document_number.is_none()) {
            return Err(AppError::Invalid(
                "hit: the traveller presented no document, and a clearance is bound to one".into(),
            ));
        }
        if hit.adjudication.as_ref().is_none_or(|a| a.decision != Verdict::Dismissed) {
            self.adjudicate(user, hit_id, Verdict::Dismissed, reason).await?;
        }
        self.clear_hit(user, hit_id, reason, days).await
    }

    /// Clearances, newest first (in force only unless `q.all`); a user bound
    /// to a post sees only that post's. Audited (they name documents).
    pub async fn clearances(&self, caller: Caller<'_>, q: ClearancesQuery) -> Result<Vec<ClearanceView>, AppError> {
        let post = match caller {
            Caller::User(u) => u.post.clone().or(q.post),
            Caller::Cli => q.post,
        };
        let now = Timestamp::now();
        let filter = ClearanceFilter { post: post.clone(), all: q.all, limit: q.limit.clamp(1, 1000) };
        let found = self.store().clearances(&filter, now).await?;
        self.audit(caller, "clearances_viewed", "clearances", json!({ "count": found.len(), "post": post })).await?;
        Ok(found.into_iter().map(|c| ClearanceView::new(c, now)).collect())
    }

    /// Revokes a clearance: a supervisor covering its post, or the operator
    /// at the command line.
    pub async fn revoke_clearance(
        &self,
        caller: Caller<'_>,
        uid: &str,
        reason: &str,
    ) -> Result<ClearanceView, AppError> {
        let uid = uid.trim();
        if uid.is_empty() || uid.len() > 64 || !uid.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
            return Err(AppError::Invalid("uid: not a clearance id".into()));
        }
        let c = self.store().clearance(uid).await?.ok_or_else(|| AppError::NotFound("no such clearance".into()))?;
        let cli = Actor { user_id: 0, username: "cli", role: Role::Admin };
        let actor = match caller {
            Caller::User(u) => {
                supervisor_only(u)?;
                u.check_post(&c.post)?;
                u.store_actor()
            }
            Caller::Cli => cli,
        };
        let revoked = self.store().revoke_clearance(actor, uid, &new_id(), reason).await?;
        Ok(ClearanceView::new(revoked, Timestamp::now()))
    }

    /// The clearances in force for this inspection's person hits, applied:
    /// cleared hits leave the alerts and the suggestion — a clearance made
    /// on the traveller's document, or extended to it. Returns the uses,
    /// per traveller (for the audit).
    pub(crate) async fn apply_clearances(
        &self,
        outcome: &mut centinela_inspect::PartyOutcome,
        at: Timestamp,
    ) -> Result<Vec<ClearanceUse>, AppError> {
        let mut pairs = Vec::new();
        for (t, r) in outcome.travellers.iter().zip(&outcome.records) {
            let Some(number) = &r.document_number else { continue };
            for h in t.hits.iter().filter(|h| h.kind == centinela_domain::HitKind::Person) {
                pairs.push(ClearancePair {
                    document_number: number.as_str().to_string(),
                    issuing_state: r.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
                    list_name: h.list.clone(),
                    entry_id: h.entry_id.clone(),
                });
            }
        }
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let found = self.store().clearances_of(&pairs).await?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<(String, String)> = outcome
            .records
            .iter()
            .map(|r| {
                (
                    r.document_number.as_ref().map(|n| n.as_str().to_string()).unwrap_or_default(),
                    r.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
                )
            })
            .collect();
        let mut used = Vec::new();
        centinela_inspect::apply_clearances(outcome, |i, hit| {
            let (number, state) = &records[i];
            let hash = hit.entry_hash.as_deref()?;
            let (c, via) = found.iter().find_map(|c| {
                let via = c.covers(number, state)?;
                (c.list_name == hit.list && c.entry_id == hit.entry_id && c.in_force(at, hash)).then_some((c, via))
            })?;
            used.push(ClearanceUse { traveller: i, uid: c.uid.clone(), extension: via.map(|d| d.uid.clone()) });
            Some(centinela_inspect::ClearanceNote {
                uid: c.uid.clone(),
                cleared_at: c.cleared_at.clone(),
                cleared_by: c.cleared_by.clone(),
                reason: c.reason.clone(),
                expires_at: c.expires_at.clone(),
                made_on_document: c.document_number.clone(),
                made_on_state: c.issuing_state.clone(),
                linked_person: via.map(|d| d.person.clone()),
            })
        });
        Ok(used)
    }
}

/// A clearance follows the person, not only the document: the other
/// documents intelligence's identity resolution links to a cleared
/// traveller are added to the clearance ([`App::extend_clearances`]), each
/// an audited act (`clearance_extended`) synchronised to every post.
///
/// A resolved person may be two namesakes merged (the resolver's precision
/// is high, not perfect), so a document is added only where the records
/// say "the same traveller with a new document" and nothing says otherwise:
/// the cleared document is used by this person alone; the person's
/// records carry one birth date; the new document's records carry a name
/// the cleared document's did (folded); the person's documents were used one
/// after another, never side by side (a renewed passport succeeds the old
/// one; two namesakes merged use theirs at the same time); the new
/// document is of the same issuing state, used by no other person, and
/// named by no analyst's split decision (a crossing of it set apart from
/// another: the analyst doubted who carries it); and the person holds at most
/// `MAX_CLEARANCE_DOCUMENTS + 1` documents in all.
pub mod extend {
    use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

    use centinela_intel::Report;
    use centinela_intel::data::NONE;

    /// Most crossings of one person read to decide (a commuter's years of
    /// crossings are well under it; more is a merge to look at, not extend).
    pub const MAX_PERSON_CROSSINGS: usize = 5_000;

    /// How one document was used by the person, as the records say.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DocumentUse {
        pub document_number: String,
        pub issuing_state: String,
        /// The resolver's document key (`STATE:` and the confusable key).
        pub key: String,
        /// Birth dates its records carry ('' for a record without one).
        pub births: BTreeSet<String>,
        /// The names its records carry, folded ([`name_key`]).
        pub names: BTreeSet<String>,
        /// First and last crossing (Unix seconds).
        pub first: i64,
        pub last: i64,
        /// Used by another resolved person too (N3).
        pub reused: bool,
    }

    /// Why a person's documents are not added, or a document is not.
    pub type Skip = &'static str;

    /// The documents to add to a clearance made on the document whose key
    /// is `cleared_key`, among the person's `uses`: each with its evidence
    /// codes. `split` holds the keys of the documents an analyst's split
    /// decision names (a crossing of them set apart from another): an
    /// analyst doubted who carries them, so they are never added. `Err`
    /// when none may be, and why (a code).
    pub fn documents_to_cover(
        cleared_key: &str,
        uses: &[DocumentUse],
        split: &HashSet<String>,
    ) -> Result<Vec<(DocumentUse, String)>, Skip> {
        let Some(cleared) = uses.iter().find(|u| u.key == cleared_key) else {
            return Err("not_in_analysis");
        };
        if cleared.reused {
            return Err("document_shared");
        }
        if uses.len() > crate::clearances::MAX_DOCUMENTS_PER_PERSON {
            return Err("too_many_documents");
        }
        let births: BTreeSet<&String> = uses.iter().flat_map(|u| &u.births).collect();
        if births.len() != 1 || births.iter().any(|b| b.is_empty()) {
            return Err("birth_date_unclear");
        }
        // One traveller's documents succeed one another; two people merged
        // use theirs side by side.
        let mut spans: Vec<(i64, i64)> = uses.iter().map(|u| (u.first, u.last)).collect();
        spans.sort_unstable();
        if spans.windows(2).any(|w| w[1].0 <= w[0].1) {
            return Err("documents_used_alongside");
        }
        let mut out = Vec::new();
        for u in uses.iter().filter(|u| u.key != cleared_key) {
            if u.reused || u.issuing_state != cleared.issuing_state || u.issuing_state.is_empty() {
                continue;
            }
            if split.contains(&u.key) {
                continue;
            }
            // A renewed document carries its holder's name as the old one
            // did; a namesake merged has another given name, or one more.
            if u.names.is_disjoint(&cleared.names) {
                continue;
            }
            let order = if u.first > cleared.last { "after" } else { "before" };
            out.push((u.clone(), format!("same_person same_name same_birth_date same_state used_{order}")));
        }
        Ok(out)
    }

    /// The document key of each crossing named in `ids` (those without a
    /// document or not in the analysis left out).
    pub fn keys_of_crossings(report: &Report, ids: &HashSet<String>) -> HashMap<String, String> {
        let c = &report.crossings;
        let mut out = HashMap::new();
        if ids.is_empty() {
            return out;
        }
        for (i, id) in c.ids.iter().enumerate() {
            if c.document[i] != NONE && ids.contains(&**id) {
                out.insert(id.to_string(), c.strings.get(c.document[i]).to_string());
            }
        }
        out
    }

    /// For each document key wanted, the resolved persons whose crossings
    /// carry it.
    pub fn persons_of_keys(report: &Report, keys: &HashSet<String>) -> HashMap<String, BTreeSet<u32>> {
        let c = &report.crossings;
        let mut out: HashMap<String, BTreeSet<u32>> = HashMap::new();
        let mut seen: HashMap<u32, Option<&str>> = HashMap::new();
        for (i, &d) in c.document.iter().enumerate() {
            if d == NONE {
                continue;
            }
            let hit = *seen.entry(d).or_insert_with(|| {
                let k = c.strings.get(d);
                keys.contains(k).then_some(k)
            });
            if let Some(k) = hit {
                out.entry(k.to_string()).or_default().insert(report.analysis.resolution.person[i]);
            }
        }
        out
    }

    /// The person's crossing ids by document key (records without a
    /// document left out), at most [`MAX_PERSON_CROSSINGS`] crossings.
    pub fn crossings_by_key(report: &Report, person: u32) -> Option<BTreeMap<String, Vec<String>>> {
        let mine = report.crossings_of(person);
        if mine.len() > MAX_PERSON_CROSSINGS {
            return None;
        }
        let c = &report.crossings;
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for &i in mine {
            let d = c.document[i as usize];
            if d != NONE {
                out.entry(c.strings.get(d).to_string()).or_default().push(c.ids[i as usize].to_string());
            }
        }
        Some(out)
    }

    /// A record's full name folded as intelligence folds names (case,
    /// accents, spacing), to compare the names two documents carry.
    pub fn name_key(given_names: &str, surnames: &str) -> String {
        centinela_intel::data::fold_key(&format!("{given_names} {surnames}"))
    }

    /// The resolver's key of a document (`STATE:` and the confusable key).
    pub fn key_of(number: &str, state: &str) -> Option<String> {
        let n = centinela_domain::DocumentNumber::parse(number).ok()?;
        Some(format!("{state}:{}", n.confusable_key()))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn use_of(number: &str, state: &str, birth: &str, first: i64, last: i64) -> DocumentUse {
            DocumentUse {
                document_number: number.into(),
                issuing_state: state.into(),
                key: format!("{state}:{number}"),
                births: [birth.to_string()].into(),
                names: [name_key("José Luis", "Hernández Villalobos")].into(),
                first,
                last,
                reused: false,
            }
        }

        fn covered(r: Result<Vec<(DocumentUse, String)>, Skip>) -> Result<Vec<String>, Skip> {
            r.map(|v| v.into_iter().map(|(u, e)| format!("{} {e}", u.document_number)).collect())
        }

        #[test]
        fn a_renewed_passport_is_covered_and_a_doubtful_person_is_not() {
            let none = HashSet::new();
            let old = use_of("G1", "GTM", "1980-05-17", 100, 200);
            let cleared = use_of("G2", "GTM", "1980-05-17", 300, 400);
            let renewed = use_of("G3", "GTM", "1980-05-17", 500, 600);
            let all = [old.clone(), cleared.clone(), renewed.clone()];
            assert_eq!(
                covered(documents_to_cover("GTM:G2", &all, &none)),
                Ok(vec![
                    "G1 same_person same_name same_birth_date same_state used_before".to_string(),
                    "G3 same_person same_name same_birth_date same_state used_after".to_string()
                ])
            );
            // The cleared document must be the person's, and theirs alone.
            assert_eq!(covered(documents_to_cover("GTM:G9", &all, &none)), Err("not_in_analysis"));
            let mut shared = all.clone();
            shared[1].reused = true;
            assert_eq!(covered(documents_to_cover("GTM:G2", &shared, &none)), Err("document_shared"));
            // A document another person uses too, or of another state, is left out.
            let mut other = all.clone();
            other[2].reused = true;
            other[0] = use_of("G1", "HND", "1980-05-17", 100, 200);
            assert_eq!(covered(documents_to_cover("GTM:G2", &other, &none)), Ok(vec![]));
            // Two birth dates, or one unknown: two people, or too little to say.
            let mut dates = all.clone();
            dates[2].births = ["1981-05-17".to_string()].into();
            assert_eq!(covered(documents_to_cover("GTM:G2", &dates, &none)), Err("birth_date_unclear"));
            dates[2].births = [String::new()].into();
            assert_eq!(covered(documents_to_cover("GTM:G2", &dates, &none)), Err("birth_date_unclear"));
            // Another given name, or one more, on the other document: a
            // namesake merged, not a renewal; a spelling of the same is.
            let mut named = all.clone();
            named[2].names = [name_key("Carlos José Luis", "Hernández Villalobos")].into();
            named[0].names = [name_key("JOSE LUIS", "HERNANDEZ VILLALOBOS"), name_key("José", "Hernández")].into();
            assert_eq!(
                covered(documents_to_cover("GTM:G2", &named, &none)),
                Ok(vec!["G1 same_person same_name same_birth_date same_state used_before".to_string()])
            );
            // Documents used side by side: namesakes merged.
            let alongside = [old.clone(), cleared.clone(), use_of("G3", "GTM", "1980-05-17", 350, 600)];
            assert_eq!(covered(documents_to_cover("GTM:G2", &alongside, &none)), Err("documents_used_alongside"));
            // An analyst set a crossing of G3 apart from another: G3 is not
            // covered, G1 still is.
            let split: HashSet<String> = ["GTM:G3".to_string()].into();
            assert_eq!(
                covered(documents_to_cover("GTM:G2", &all, &split)),
                Ok(vec!["G1 same_person same_name same_birth_date same_state used_before".to_string()])
            );
            // A person with more documents than a clearance may cover.
            let many: Vec<DocumentUse> = (0..=crate::clearances::MAX_DOCUMENTS_PER_PERSON as i64)
                .map(|i| use_of(&format!("G{i}"), "GTM", "1980-05-17", i * 10, i * 10 + 5))
                .collect();
            assert_eq!(covered(documents_to_cover("GTM:G0", &many, &none)), Err("too_many_documents"));
        }
    }
}
