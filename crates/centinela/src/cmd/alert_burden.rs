//! `centinela bench clearances`: what supervisors' remembered clearances do
//! to the alert burden on the demo country (issue 19, part 4).
//!
//! Every crossing of the synthetic year is inspected as the booth does
//! (`centinela_inspect::inspect`, one traveller typed as the record holds
//! it, against the country's lists). Over the first eleven months, each
//! person hit whose traveller is not the listed person (the generator's
//! truth: what a supervisor dismisses as "not this person") is cleared —
//! traveller's document against the entry and its content hash, as the
//! store binds it, lasting the default 365 days. Over the last month the
//! alerts are counted without and with those clearances applied
//! (`centinela_inspect::apply_clearances`, the booth's own step), with the
//! true hits a clearance would have hidden (none is expected: a clearance
//! binds a document, and listed persons travel on their own).
//!
//! Prints one JSON object; measures only (figures go to BENCHMARKS.md).

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use centinela_domain::{CrossingRecord, HitKind, ListKind, Timestamp};
use centinela_inspect::{
    ClearanceNote, History, ListRef, PartyOutcome, PartyRequest, TravellerInput, Watchlists, apply_clearances,
};
use centinela_lists::DocumentIndex;
use serde_json::json;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The demo country's seed (as `centinela demo --seed`, 1 by default).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// `small` or `full` (the demo's year, about 250,000 crossings).
    #[arg(long, default_value = "full")]
    pub scale: String,
    /// How long a clearance lasts (the server's `--clearance-days`).
    #[arg(long, default_value_t = 365)]
    pub clearance_days: u32,
    /// Threads inspecting.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Also the threshold what-if over the last month
    /// (`centinela_app::threshold::backtest_rows`, the back-test of
    /// `centinela lists threshold`), with the generator's truth standing in
    /// for supervisors' confirmations: every crossing of a listed person
    /// against its entry. Comma-separated; none: skipped.
    #[arg(long, value_delimiter = ',')]
    pub thresholds: Vec<f64>,
    /// Also let each clearance follow the person: the first eleven months
    /// analysed by intelligence (as the centre would, no analysts'
    /// decisions), each clearance extended to the documents
    /// `centinela_app::clearances::extend` admits, counted against the
    /// generator's truth (extensions to another person), and the last month
    /// counted with the extended clearances too.
    #[arg(long)]
    pub follow_person: bool,
}

/// A traveller and a list entry, as a clearance binds them.
type Pair = (String, String, String, String);

struct Seen {
    /// Person hits: (list, entry id, entry hash, the traveller is that person).
    persons: Vec<(String, String, String, bool)>,
    documents: usize,
}

fn typed(c: &CrossingRecord) -> TravellerInput {
    let text = |s: &str| (!s.is_empty()).then(|| s.to_string());
    TravellerInput {
        given_names: text(&c.given_names),
        surnames: text(&c.surnames),
        birth_date: c.birth_date.map(|b| b.to_string()),
        nationality: c.nationality.map(|n| n.as_str().to_string()),
        sex: text(c.sex.as_str()),
        document_type: text(&c.document_type),
        document_number: c.document_number.as_ref().map(|d| d.as_str().to_string()),
        issuing_state: c.issuing_state.map(|s| s.as_str().to_string()),
        ..TravellerInput::default()
    }
}

fn pair_of(c: &CrossingRecord, list: &str, entry: &str) -> Option<Pair> {
    let number = c.document_number.as_ref()?.as_str().to_string();
    let state = c.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default();
    Some((number, state, list.to_string(), entry.to_string()))
}

fn inspect_one(lists: &Watchlists, c: &CrossingRecord) -> Option<PartyOutcome> {
    let req = PartyRequest {
        post: c.post.clone(),
        direction: c.direction,
        vehicle: None,
        group_id: None,
        travellers: vec![typed(c)],
    };
    centinela_inspect::inspect(
        &req,
        lists,
        c.crossed_at,
        std::slice::from_ref(&c.crossing_id),
        &[History::default()],
        "",
    )
    .ok()
}

pub fn run(a: Args) -> anyhow::Result<ExitCode> {
    let scale = centinela_synth::Scale::parse(&a.scale)
        .ok_or_else(|| crate::cmd::Unreadable(format!("--scale: '{}' is not small or full", a.scale)))?;
    let started = Instant::now();
    let country = centinela_synth::generate(&centinela_synth::Config::new(a.seed, scale));
    let generated = started.elapsed();
    let mut persons = Vec::new();
    let mut documents = Vec::new();
    for l in &country.lists {
        let list = ListRef { name: Arc::from(l.name.as_str()), kind: l.kind, action: Arc::from(l.action.as_str()) };
        if l.kind == ListKind::Documents {
            let mut b = DocumentIndex::builder();
            for d in &l.documents {
                b.push(&d.document_number, d.issuing_state, d.status);
            }
            documents.push((list, b.finish()));
        } else {
            persons.extend(l.entries.iter().map(|e| (list.clone(), e.clone())));
        }
    }
    let lists = Watchlists::build(persons, documents);
    let listed: HashSet<(&str, &str, &str)> =
        country.truth.listed.iter().map(|l| (l.person_id.as_str(), l.list.as_str(), l.entry_id.as_str())).collect();
    let crossings = &country.crossings;
    let (first, last) = match (crossings.first(), crossings.last()) {
        (Some(f), Some(l)) => (f.crossed_at.unix_seconds(), l.crossed_at.unix_seconds()),
        _ => anyhow::bail!("the country has no crossings"),
    };
    // The last twelfth of the year: its last month.
    let cut = last - (last - first) / 12;

    // Inspect everything once, on `threads` threads.
    let t0 = Instant::now();
    let threads = a.threads.max(1);
    let chunk = crossings.len().div_ceil(threads);
    let seen: Vec<Seen> = std::thread::scope(|s| {
        let handles: Vec<_> = crossings
            .chunks(chunk.max(1))
            .map(|part| {
                let (lists, listed, truth) = (&lists, &listed, &country.truth);
                s.spawn(move || {
                    part.iter()
                        .map(|c| {
                            let person = truth.person_of(&c.crossing_id).unwrap_or("");
                            let out = inspect_one(lists, c);
                            let hits = out.as_ref().map(|o| o.travellers[0].hits.as_slice()).unwrap_or(&[]);
                            Seen {
                                persons: hits
                                    .iter()
                                    .filter(|h| h.kind == HitKind::Person)
                                    .map(|h| {
                                        let is = listed.contains(&(person, h.list.as_str(), h.entry_id.as_str()));
                                        (
                                            h.list.clone(),
                                            h.entry_id.clone(),
                                            h.entry_hash.clone().unwrap_or_default(),
                                            is,
                                        )
                                    })
                                    .collect(),
                                documents: hits.iter().filter(|h| h.kind == HitKind::Document).count(),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("an inspecting thread panicked")).collect()
    });
    let inspected = t0.elapsed();

    // Eleven months of supervisors' dismissals, cleared (first dismissal of
    // a pair makes the clearance; it lasts `clearance_days`).
    let mut cleared: HashMap<Pair, (String, i64)> = HashMap::new();
    let (mut early, mut dismissed, mut undocumented) = (0usize, 0usize, 0usize);
    for (c, s) in crossings.iter().zip(&seen) {
        let at = c.crossed_at.unix_seconds();
        if at >= cut {
            continue;
        }
        early += 1;
        for (list, entry, hash, is) in &s.persons {
            if *is {
                continue;
            }
            dismissed += 1;
            match pair_of(c, list, entry) {
                Some(p) => {
                    cleared.entry(p).or_insert_with(|| (hash.clone(), at));
                }
                None => undocumented += 1,
            }
        }
    }

    // Clearances following the person: the documents each cleared
    // document's person holds, as the centre's pass adds them.
    let t1 = Instant::now();
    let follow = a.follow_person.then(|| follow_person(crossings, cut, &cleared, &country.truth));
    let followed = t1.elapsed();
    let linked: HashMap<(String, String), Vec<(String, String)>> =
        follow.as_ref().map(|f| f.linked.clone()).unwrap_or_default();

    // The last month, without and with the clearances.
    let expires = i64::from(a.clearance_days) * 86_400;
    let (mut month, mut alerted_without, mut alerted_with) = (0usize, 0usize, 0usize);
    let (mut hits_without, mut hits_with, mut true_kept, mut true_hidden, mut used) = (0, 0, 0, 0, 0);
    let (mut alerted_followed, mut used_linked, mut true_hidden_linked) = (0usize, 0usize, 0usize);
    for (c, s) in crossings.iter().zip(&seen) {
        let at = c.crossed_at.unix_seconds();
        if at < cut {
            continue;
        }
        month += 1;
        let total = s.persons.len() + s.documents;
        hits_without += total;
        alerted_without += usize::from(total > 0);
        if s.persons.is_empty() {
            hits_with += s.documents;
            alerted_with += usize::from(s.documents > 0);
            alerted_followed += usize::from(s.documents > 0);
            continue;
        }
        // The booth's own step, on the booth's own outcome.
        let Some(mut out) = inspect_one(&lists, c) else { continue };
        let moved = apply_clearances(&mut out, |_, h| {
            let p = pair_of(c, &h.list, &h.entry_id)?;
            let (hash, made) = cleared.get(&p)?;
            (h.entry_hash.as_deref() == Some(hash.as_str()) && at < made + expires).then(|| ClearanceNote {
                uid: String::new(),
                cleared_at: Timestamp::from_unix_seconds(*made).map(|t| t.to_string()).unwrap_or_default(),
                cleared_by: "supervisor".into(),
                reason: "not this person".into(),
                expires_at: String::new(),
                made_on_document: String::new(),
                made_on_state: String::new(),
                linked_person: None,
            })
        });
        used += moved;
        let t = &out.travellers[0];
        hits_with += t.hits.len();
        alerted_with += usize::from(!t.hits.is_empty());
        let person = country.truth.person_of(&c.crossing_id).unwrap_or("");
        for h in &t.hits {
            true_kept += usize::from(listed.contains(&(person, h.list.as_str(), h.entry_id.as_str())));
        }
        for ch in &t.cleared {
            true_hidden += usize::from(listed.contains(&(person, ch.hit.list.as_str(), ch.hit.entry_id.as_str())));
        }
        // The same, with clearances also reaching this document through
        // the documents linked to it.
        if follow.is_some() {
            let own = c.document_number.as_ref().map(|d| d.as_str().to_string()).unwrap_or_default();
            let state = c.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default();
            let others = linked.get(&(own, state)).cloned().unwrap_or_default();
            let mut more = out.clone();
            let moved = apply_clearances(&mut more, |_, h| {
                others.iter().find_map(|(n, st)| {
                    let (hash, made) = cleared.get(&(n.clone(), st.clone(), h.list.clone(), h.entry_id.clone()))?;
                    (h.entry_hash.as_deref() == Some(hash.as_str()) && at < made + expires).then(|| ClearanceNote {
                        uid: String::new(),
                        cleared_at: String::new(),
                        cleared_by: "supervisor".into(),
                        reason: "not this person".into(),
                        expires_at: String::new(),
                        made_on_document: n.clone(),
                        made_on_state: st.clone(),
                        linked_person: Some(String::new()),
                    })
                })
            });
            used_linked += moved;
            let t = &more.travellers[0];
            alerted_followed += usize::from(!t.hits.is_empty());
            for ch in t.cleared.iter().filter(|ch| ch.clearance.linked_person.is_some()) {
                true_hidden_linked +=
                    usize::from(listed.contains(&(person, ch.hit.list.as_str(), ch.hit.entry_id.as_str())));
            }
        }
    }
    let threshold = if a.thresholds.is_empty() {
        serde_json::Value::Null
    } else {
        let candidates = centinela_app::threshold::candidates(&a.thresholds).map_err(|e| anyhow::anyhow!("{e}"))?;
        let month_records: Vec<&CrossingRecord> =
            crossings.iter().filter(|c| c.crossed_at.unix_seconds() >= cut).collect();
        let by_person: HashMap<&str, Vec<&centinela_synth::Listing>> =
            country.truth.listed.iter().fold(HashMap::new(), |mut m, l| {
                m.entry(l.person_id.as_str()).or_default().push(l);
                m
            });
        let confirmed: Vec<centinela_store::ConfirmedHit> = month_records
            .iter()
            .flat_map(|c| {
                let person = country.truth.person_of(&c.crossing_id).unwrap_or("");
                by_person.get(person).into_iter().flatten().map(|l| centinela_store::ConfirmedHit {
                    crossing_id: c.crossing_id.clone(),
                    list_name: l.list.clone(),
                    entry_id: l.entry_id.clone(),
                })
            })
            .collect();
        let days = ((last - cut) as f64 / 86_400.0).round() as i64;
        let (rows, unlisted) =
            centinela_app::threshold::backtest_rows(&lists, &month_records, &confirmed, &candidates, days);
        json!({ "days": days, "listed_crossings": confirmed.len(), "unlisted": unlisted, "rows": rows })
    };
    let per_1000 = |n: usize| if month == 0 { 0.0 } else { (n as f64 * 1000.0 / month as f64 * 100.0).round() / 100.0 };
    let out = json!({
        "seed": a.seed,
        "scale": a.scale,
        "crossings": crossings.len(),
        "first_eleven_months": { "crossings": early, "person_hits_dismissed": dismissed,
            "dismissed_without_document": undocumented, "clearances": cleared.len() },
        "last_month": {
            "crossings": month,
            "without_clearances": { "travellers_alerted": alerted_without, "hits": hits_without,
                "alerted_per_1000": per_1000(alerted_without), "hits_per_1000": per_1000(hits_without) },
            "with_clearances": { "travellers_alerted": alerted_with, "hits": hits_with,
                "alerted_per_1000": per_1000(alerted_with), "hits_per_1000": per_1000(hits_with),
                "clearances_used": used, "true_hits_kept": true_kept, "true_hits_hidden": true_hidden },
        },
        "threshold_last_month": threshold,
        "following_the_person": follow.as_ref().map(|f| json!({
            "cleared_documents": f.documents,
            "extended_clearances": f.extended_documents,
            "documents_added": f.added,
            "added_to_another_person": f.wrong,
            "skipped": f.skipped,
            "last_month": { "travellers_alerted": alerted_followed, "alerted_per_1000": per_1000(alerted_followed),
                "clearances_used_through_a_linked_document": used_linked,
                "true_hits_hidden_through_a_linked_document": true_hidden_linked },
        })),
        "seconds": { "generate": generated.as_secs_f64(), "inspect": inspected.as_secs_f64(),
            "follow_person": followed.as_secs_f64() },
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

/// What following the person did over the first eleven months.
struct Followed {
    /// Cleared (number, state) → the other documents its clearances cover.
    linked: HashMap<(String, String), Vec<(String, String)>>,
    /// Distinct cleared documents, and those extended.
    documents: usize,
    extended_documents: usize,
    /// Documents added, and those of another person (the generator's truth).
    added: usize,
    wrong: usize,
    skipped: std::collections::BTreeMap<&'static str, usize>,
}

/// The centre's extension pass (`centinela_app::clearances::extend`) over
/// an analysis of the crossings before `cut`, for every cleared document.
fn follow_person(
    crossings: &[CrossingRecord],
    cut: i64,
    cleared: &HashMap<Pair, (String, i64)>,
    truth: &centinela_synth::Truth,
) -> Followed {
    use centinela_app::clearances::MAX_DOCUMENTS_PER_PERSON;
    use centinela_app::clearances::extend::{
        DocumentUse, crossings_by_key, documents_to_cover, key_of, name_key, persons_of_keys,
    };
    let before: Vec<&CrossingRecord> = crossings.iter().filter(|c| c.crossed_at.unix_seconds() < cut).collect();
    let report = centinela_intel::Report::build(centinela_intel::Crossings::build(before.iter().copied()), &[]);
    let by_id: HashMap<&str, &CrossingRecord> = before.iter().map(|c| (c.crossing_id.as_str(), *c)).collect();
    let reused: HashSet<&str> = report.documents.iter().map(|d| d.document.as_str()).collect();
    let docs: HashSet<(String, String)> = cleared.keys().map(|(n, s, _, _)| (n.clone(), s.clone())).collect();
    let keys: HashMap<(String, String), String> =
        docs.iter().filter_map(|(n, s)| Some(((n.clone(), s.clone()), key_of(n, s)?))).collect();
    let persons = persons_of_keys(&report, &keys.values().cloned().collect());
    let mut f = Followed {
        linked: HashMap::new(),
        documents: docs.len(),
        extended_documents: 0,
        added: 0,
        wrong: 0,
        skipped: Default::default(),
    };
    let none = HashSet::new();
    for (doc, key) in &keys {
        let Some(ps) = persons.get(key) else {
            *f.skipped.entry("not_in_analysis").or_insert(0) += 1;
            continue;
        };
        if ps.len() > 1 {
            *f.skipped.entry("document_shared").or_insert(0) += 1;
            continue;
        }
        let person = *ps.iter().next().expect("one person");
        let Some(by_key) = crossings_by_key(&report, person) else {
            *f.skipped.entry("too_many_crossings").or_insert(0) += 1;
            continue;
        };
        if by_key.len() < 2 {
            continue;
        }
        let uses: Vec<DocumentUse> = by_key
            .iter()
            .filter_map(|(k, ids)| {
                let records: Vec<&CrossingRecord> =
                    ids.iter().filter_map(|id| by_id.get(id.as_str()).copied()).collect();
                let first = records.first()?;
                Some(DocumentUse {
                    document_number: first.document_number.as_ref()?.as_str().to_string(),
                    issuing_state: first.issuing_state.map(|s| s.as_str().to_string()).unwrap_or_default(),
                    key: k.clone(),
                    births: records.iter().map(|r| r.birth_date.map(|b| b.to_string()).unwrap_or_default()).collect(),
                    names: records.iter().map(|r| name_key(&r.given_names, &r.surnames)).collect(),
                    first: records.iter().map(|r| r.crossed_at.unix_seconds()).min().unwrap_or(0),
                    last: records.iter().map(|r| r.crossed_at.unix_seconds()).max().unwrap_or(0),
                    reused: reused.contains(k.as_str()),
                })
            })
            .collect();
        let found = match documents_to_cover(key, &uses, &none) {
            Ok(found) => found,
            Err(why) => {
                *f.skipped.entry(why).or_insert(0) += 1;
                continue;
            }
        };
        let found: Vec<_> = found.into_iter().take(MAX_DOCUMENTS_PER_PERSON - 1).collect();
        if found.is_empty() {
            continue;
        }
        f.extended_documents += 1;
        let whose = |k: &str| by_key.get(k).and_then(|ids| ids.first()).and_then(|id| truth.person_of(id));
        let cleared_person = whose(key);
        for (u, _) in found {
            f.added += 1;
            f.wrong += usize::from(whose(&u.key) != cleared_person);
            f.linked.entry((u.document_number.clone(), u.issuing_state.clone())).or_default().push(doc.clone());
        }
    }
    f
}
