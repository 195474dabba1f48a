//! Intelligence: one analysis of the whole history kept in memory
//! ([`IntelCache`]), recomputed off the async runtime (`spawn_blocking`)
//! when the store's [`IntelStamp`] changes — crossings added (by
//! inspection, import or another process) or a decision recorded or
//! withdrawn. Concurrent callers wait for one computation; inspections
//! never wait for it. Person ids (`R0000001`) are those of the analysis in
//! force: an answer names it (`analysis`), and ids may change when it does.
//!
//! Every answer with personal data is in the audit chain (`intel_*_viewed`,
//! subject the person, ring or list; detail ids and counts).

use std::sync::Arc;
use std::time::Instant;

use centinela_intel::export::Format;
use centinela_intel::graph::LinkKind;
use centinela_intel::view::{IdentityLink, Network};
use centinela_intel::{
    Crossings, DocumentReuse, Facilitator, Override, PersonLink, PersonSummary, Report, Ring, SharedContact,
};
use centinela_store::{IntelStamp, OverrideKind, Store, StoredCrossing, StoredOverride};
use serde::Serialize;
use serde_json::json;

use crate::{App, AppError, Caller, User};

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
    /// The analysis held now, if any, without computing one or waiting for
    /// one being computed (it may be older than the store).
    pub fn peek(&self) -> Option<Analysed> {
        self.latest.try_lock().ok().and_then(|g| g.clone())
    }

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
        // Airline bookings' passengers enter the analysis as records of
        // their own, with their booking's links (issue 23).
        let booked = store.booking_persons(MAX_BOOKING_PERSONS).await?;
        let report = tokio::task::spawn_blocking(move || {
            let mut c = Crossings::default();
            for r in &rows {
                c.push(&r.record);
            }
            drop(rows);
            for b in &booked {
                if let Some((record, links)) = booking_record(b) {
                    let links: Vec<(LinkKind, &str)> = links.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    c.push_linked(&record, &links);
                }
            }
            drop(booked);
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

/// At most this many booking passengers enter one analysis.
pub const MAX_BOOKING_PERSONS: i64 = 1_000_000;

/// A booking passenger as a record for the analysis (`pnr-<id>`, at the
/// flight's destination airport and scheduled arrival), with the links of
/// its booking: the booking itself (carrier and locator), and the keyed
/// digests of its payer, contacts and agency. `None` when its time does
/// not read.
pub fn booking_record(
    b: &centinela_store::BookingPerson,
) -> Option<(centinela_domain::CrossingRecord, Vec<(LinkKind, String)>)> {
    use centinela_domain::{BirthDate, CountryCode, CrossingRecord, Direction, DocumentNumber, Sex, Timestamp};
    let at = match b.at.len() {
        10 => format!("{}T00:00:00Z", b.at),
        16 => format!("{}:00Z", b.at),
        _ => b.at.clone(),
    };
    let record = CrossingRecord {
        crossing_id: format!("pnr-{}", b.id),
        post: b.destination.clone(),
        direction: Direction::Entry,
        crossed_at: Timestamp::parse(&at).ok()?,
        given_names: b.given_names.clone(),
        surnames: b.surnames.clone(),
        birth_date: b.birth_date.as_deref().and_then(BirthDate::parse_lenient),
        nationality: b.nationality.as_deref().and_then(|n| CountryCode::parse(n).ok()),
        sex: b.sex.as_deref().and_then(|s| Sex::parse(s).ok()).unwrap_or(Sex::Unknown),
        document_type: b.document_type.clone().unwrap_or_default(),
        document_number: b.document_number.as_deref().and_then(|d| DocumentNumber::parse(d).ok()),
        // SSR DOCS names no issuer here: a passport is most often its
        // holder's state's, so that the resolver's document key can agree.
        issuing_state: match b.document_type.as_deref() {
            Some("P" | "PP") => b.nationality.as_deref().and_then(|n| CountryCode::parse(n).ok()),
            _ => None,
        },
        group_id: String::new(),
        vehicle: String::new(),
        phone: String::new(),
        address: String::new(),
        destination: String::new(),
    };
    let mut links = vec![(LinkKind::Booking, format!("{}:{}", b.carrier, b.locator))];
    for (kind, key) in &b.keys {
        let kind = match kind.as_str() {
            "payer" => LinkKind::Payer,
            "contact" => LinkKind::Contact,
            "agency" => LinkKind::Agency,
            _ => continue,
        };
        links.push((kind, key.clone()));
    }
    Some((record, links))
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

/// The most rows a list answers.
pub const MAX_ROWS: usize = 1_000;

/// A page of resolved persons.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonsPage {
    pub analysis: AnalysisInfo,
    /// Persons matching, in all.
    pub total: usize,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub persons: Vec<PersonSummary>,
}

/// One resolved person with the evidence of their identity and links.
#[derive(Debug, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonView {
    pub analysis: AnalysisInfo,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub person: PersonSummary,
    /// Why the person's records are one person: each link the resolver (or
    /// an analyst) used, with the terms of its score.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub identity_links: Vec<IdentityLink>,
    /// Whom the person is linked to, strongest first, with the crossings
    /// and shared values that show it.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub links: Vec<PersonLink>,
    /// The facilitator evidence, when the person is flagged.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub facilitator: Option<Facilitator>,
}

/// Which persons to list.
#[derive(Debug, Clone, Default)]
pub struct PersonsFilter {
    /// Only persons one of whose names contains this (accents and case ignored).
    pub q: Option<String>,
    /// Only the person this crossing was assigned to.
    pub crossing: Option<String>,
    pub offset: usize,
    /// At most this many (at most [`MAX_ROWS`]).
    pub limit: usize,
}

/// A network export.
pub struct NetworkExport {
    pub format: Format,
    pub body: Vec<u8>,
}

fn person_of(report: &Report, id: &str) -> Result<u32, AppError> {
    report.person(id).ok_or_else(|| AppError::NotFound("no such person in the current analysis".into()))
}

fn ring_of<'r>(report: &'r Report, id: &str) -> Result<&'r Ring, AppError> {
    report.ring(id).ok_or_else(|| AppError::NotFound("no such ring in the current analysis".into()))
}

/// Runs `f` over the report on a blocking thread.
async fn off_runtime<T: Send + 'static>(
    report: &Arc<Report>,
    f: impl FnOnce(&Report) -> T + Send + 'static,
) -> Result<T, AppError> {
    let r = report.clone();
    tokio::task::spawn_blocking(move || f(&r)).await.map_err(AppError::internal)
}

impl App {
    /// The analysis of what the store (or its replica) holds now.
    pub async fn analysis(&self) -> Result<Analysed, AppError> {
        let a = self.intel().current(self.analytics()).await?;
        // Documents intelligence newly links to cleared travellers.
        self.extend_after_analysis(&a);
        Ok(a)
    }

    /// Resolved persons (most crossings first), each with the names, dates,
    /// documents and facilitator score their records give.
    pub async fn intel_persons(&self, user: &User, f: PersonsFilter) -> Result<PersonsPage, AppError> {
        let a = self.analysis().await?;
        let limit = f.limit.min(MAX_ROWS);
        let (total, persons) = off_runtime(&a.report, move |r| {
            let needle = f.q.as_deref().map(centinela_intel::data::fold_key).filter(|s| !s.is_empty());
            let mut ids: Vec<u32> = match f.crossing.as_deref() {
                Some(c) => r.person_of_crossing(c).into_iter().collect(),
                None => (0..r.persons() as u32).collect(),
            };
            if let Some(n) = &needle {
                ids.retain(|&p| {
                    r.crossings_of(p).iter().any(|&i| r.crossings.name_text(i as usize).contains(n.as_str()))
                });
            }
            ids.sort_by_key(|&p| (std::cmp::Reverse(r.crossings_of(p).len()), p));
            let total = ids.len();
            let page: Vec<PersonSummary> = ids.into_iter().skip(f.offset).take(limit).map(|p| r.summary(p)).collect();
            (total, page)
        })
        .await?;
        let ids: Vec<&str> = persons.iter().map(|p| p.person_id.as_str()).collect();
        self.audit(
            Caller::User(user),
            "intel_persons_viewed",
            "intel:persons",
            json!({ "returned": ids.len(), "person_ids": ids }),
        )
        .await?;
        Ok(PersonsPage { analysis: a.info, total, persons })
    }

    /// One resolved person: summary, identity links with their evidence,
    /// links to others.
    pub async fn intel_person(&self, user: &User, id: &str) -> Result<PersonView, AppError> {
        let a = self.analysis().await?;
        let p = person_of(&a.report, id)?;
        let (person, identity_links, links, facilitator) = off_runtime(&a.report, move |r| {
            let facilitator = r.analysis.facilitators.iter().find(|f| f.person == p).cloned();
            (r.summary(p), r.identity_links(p), r.links(p), facilitator)
        })
        .await?;
        self.audit(
            Caller::User(user),
            "intel_person_viewed",
            format!("person:{id}"),
            json!({ "crossings": person.crossings, "links": links.len() }),
        )
        .await?;
        Ok(PersonView { analysis: a.info, person, identity_links, links, facilitator })
    }

    /// A resolved person's crossings as stored, oldest first.
    pub async fn intel_person_crossings(&self, user: &User, id: &str) -> Result<Vec<StoredCrossing>, AppError> {
        let a = self.analysis().await?;
        let p = person_of(&a.report, id)?;
        let rows = self.analytics().crossings_by_ids(&a.report.crossing_ids(p)).await?;
        let detail = json!({ "crossings": rows.len() });
        self.audit(Caller::User(user), "intel_person_crossings_viewed", format!("person:{id}"), detail).await?;
        Ok(rows)
    }

    /// The network around `seeds` (at most `max` nodes, 150 by default, at
    /// most 500), audited under `subject`.
    async fn network(
        &self,
        user: &User,
        report: &Arc<Report>,
        seeds: Vec<u32>,
        max: Option<usize>,
        subject: String,
    ) -> Result<Network, AppError> {
        let net = off_runtime(report, move |r| r.network(&seeds, max.unwrap_or(150).clamp(1, 500))).await?;
        self.audit(Caller::User(user), "intel_network_viewed", subject, json!({ "nodes": net.nodes.len() })).await?;
        Ok(net)
    }

    /// The network around one person: their links and the links among those shown.
    pub async fn intel_person_network(&self, user: &User, id: &str, max: Option<usize>) -> Result<Network, AppError> {
        let a = self.analysis().await?;
        let p = person_of(&a.report, id)?;
        self.network(user, &a.report, vec![p], max, format!("person:{id}")).await
    }

    /// The network of one ring: its members, their direct links, and the
    /// links among everyone shown.
    pub async fn intel_ring_network(&self, user: &User, id: &str, max: Option<usize>) -> Result<Network, AppError> {
        let a = self.analysis().await?;
        let seeds = ring_of(&a.report, id)?.persons.clone();
        self.network(user, &a.report, seeds, max, format!("ring:{id}")).await
    }

    /// Likely facilitators, best first (the `top` best, at most
    /// [`MAX_ROWS`]), each with its evidence (N2, N4, N5, T1).
    pub async fn intel_facilitators(&self, user: &User, top: usize) -> Result<Vec<Facilitator>, AppError> {
        let a = self.analysis().await?;
        let list: Vec<Facilitator> = a.report.analysis.facilitators.iter().take(top.min(MAX_ROWS)).cloned().collect();
        let ids: Vec<&str> = list.iter().map(|f| f.person_id.as_str()).collect();
        self.audit(Caller::User(user), "intel_facilitators_viewed", "intel:facilitators", json!({ "person_ids": ids }))
            .await?;
        Ok(list)
    }

    /// Likely rings (communities of facilitators), best first, with evidence.
    pub async fn intel_rings(&self, user: &User) -> Result<Vec<Ring>, AppError> {
        let a = self.analysis().await?;
        let list = a.report.analysis.rings.clone();
        let ids: Vec<&str> = list.iter().map(|r| r.ring_id.as_str()).collect();
        self.audit(Caller::User(user), "intel_rings_viewed", "intel:rings", json!({ "ring_ids": ids })).await?;
        Ok(list)
    }

    /// Documents used by more than one resolved person (N3), with evidence.
    pub async fn intel_documents(&self, user: &User) -> Result<Vec<DocumentReuse>, AppError> {
        let a = self.analysis().await?;
        let list: Vec<DocumentReuse> = a.report.documents.iter().take(MAX_ROWS).cloned().collect();
        self.audit(Caller::User(user), "intel_documents_viewed", "intel:documents", json!({ "returned": list.len() }))
            .await?;
        Ok(list)
    }

    /// Phones and addresses given by unrelated persons (N1), with evidence.
    pub async fn intel_contacts(&self, user: &User) -> Result<Vec<SharedContact>, AppError> {
        let a = self.analysis().await?;
        let list: Vec<SharedContact> = a.report.contacts.iter().take(MAX_ROWS).cloned().collect();
        self.audit(Caller::User(user), "intel_contacts_viewed", "intel:contacts", json!({ "returned": list.len() }))
            .await?;
        Ok(list)
    }

    /// The network (every person with a link, or one ring's members) as
    /// FollowTheMoney JSON lines or GraphML.
    pub async fn intel_export(
        &self,
        user: &User,
        format: Format,
        ring: Option<&str>,
    ) -> Result<NetworkExport, AppError> {
        let a = self.analysis().await?;
        let persons = match ring {
            Some(id) => ring_of(&a.report, id)?.persons.clone(),
            None => a.report.linked_persons(),
        };
        let n = persons.len();
        let body = off_runtime(&a.report, move |r| {
            let mut out = Vec::new();
            centinela_intel::export::write(r, &persons, format, &mut out).map(|()| out)
        })
        .await?
        .map_err(AppError::internal)?;
        let subject = ring.map_or("intel:network".to_string(), |r| format!("ring:{r}"));
        let detail = json!({ "format": format.as_str(), "persons": n });
        self.audit(Caller::User(user), "intel_exported", subject, detail).await?;
        Ok(NetworkExport { format, body })
    }

    /// The merge and split decisions in force, oldest first. They name
    /// crossings (and so travellers) and why they are one person: who read
    /// them is in the chain, by ids only.
    pub async fn intel_decisions(&self, caller: Caller<'_>) -> Result<Vec<StoredOverride>, AppError> {
        let decisions = self.store().intel_overrides().await?;
        let ids: Vec<i64> = decisions.iter().map(|d| d.id).collect();
        let detail = json!({ "returned": ids.len(), "override_ids": ids });
        self.audit(caller, "intel_decisions_viewed", "intel:decisions", detail).await?;
        Ok(decisions)
    }

    /// Records a merge or split of two crossings (applied on every analysis
    /// from now on; audited by the store).
    pub async fn intel_decide(
        &self,
        caller: Caller<'_>,
        kind: OverrideKind,
        crossing_a: &str,
        crossing_b: &str,
        reason: &str,
    ) -> Result<StoredOverride, AppError> {
        let actor = caller.actor();
        Ok(self.store().add_intel_override(&actor, kind, crossing_a.trim(), crossing_b.trim(), reason.trim()).await?)
    }

    /// Withdraws a decision (a new record; audited by the store).
    pub async fn intel_withdraw(&self, caller: Caller<'_>, id: i64, reason: &str) -> Result<(), AppError> {
        Ok(self.store().withdraw_intel_override(&caller.actor(), id, reason.trim()).await?)
    }
}
