//! The booth: the inspection form (typed fields, the MRZ reader, the
//! party), the result with each traveller's hits and indicators, and the
//! officer's decisions. Everything goes through the inspection use cases of
//! `centinela-app`, as the API does; nothing irreversible happens on one
//! keystroke (Enter never records, admitting a traveller with a concern
//! needs the confirm step and a reason).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use centinela_domain::Direction;
use centinela_inspect::{ChipInput, Observation, PartyRequest, Relation, TravellerInput};
use centinela_store::Decision;
use serde_json::{Value, json};

use super::{PageCtx, PageResult, field, form_pairs, multi};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;
use centinela_app::inspections::InspectionAnswer;
use centinela_inspect::NextStep;

/// The most travellers one booth form holds (a full bus).
const MAX_PARTY: usize = 80;

/// The booth's frame: which posts the user may choose.
async fn booth(app: &AppState, user: &CurrentUser) -> Result<Value, ApiError> {
    let posts: Vec<Value> = match &user.post {
        Some(p) => vec![json!({ "code": p, "name": p })],
        None => app.store().posts().await?.into_iter().map(|p| json!({ "code": p.code, "name": p.name })).collect(),
    };
    // Air posts get the manifest look-up.
    let air: Vec<String> = app
        .app()
        .air_posts()
        .await?
        .into_iter()
        .filter(|code| user.post.as_deref().is_none_or(|mine| mine == code))
        .collect();
    Ok(json!({
        "air_posts": air,
        "posts": posts,
        "relations": RELATIONS.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "observations": OBSERVATIONS.iter().map(|(code, _)| code).collect::<Vec<_>>(),
        "decisions": DECISIONS,
        "stale_lists": app.app().stale_lists().await?,
    }))
}

const RELATIONS: &[Relation] = &[
    Relation::Parent,
    Relation::Child,
    Relation::Guardian,
    Relation::Ward,
    Relation::Spouse,
    Relation::Sibling,
    Relation::Relative,
    Relation::None,
    Relation::Unknown,
];

const OBSERVATIONS: &[(&str, Observation)] = &[
    ("T3", Observation::T3),
    ("T5", Observation::T5),
    ("T6", Observation::T6),
    ("T7", Observation::T7),
    ("T8", Observation::T8),
    ("T9", Observation::T9),
    ("T10", Observation::T10),
];

const DECISIONS: &[&str] = &["admit", "secondary_inspection", "refer_to_protection", "refuse"];

pub async fn inspection_form(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<ManifestQuery>,
) -> PageResult {
    let mut frame = booth(&app, &user).await.map_err(|e| ctx.api_error(e))?;
    frame["booth_ctx"] = booth_context(&[]);
    // At an air post: the arriving passenger's API record by document,
    // its data prefilled so the officer does not retype (issue 23).
    let document = q.documento.trim();
    let post = user.post.clone().unwrap_or_else(|| q.puesto.trim().to_string());
    if !document.is_empty() && !post.is_empty() {
        let issuer = Some(q.emisor.trim()).filter(|s| !s.is_empty());
        frame["booth_ctx"]["post"] = json!(post);
        match app.app().arriving_api_record(&user, &post, document, issuer).await.map_err(|e| ctx.api_error(e))? {
            Some(found) => {
                let p = &found.person;
                frame["form"] = json!({ "travellers": [{
                    "surnames": p.surnames, "given_names": p.given_names,
                    "birth_date": p.birth_date.as_deref().map(super::dmy).unwrap_or_default(),
                    "sex": p.sex.clone().unwrap_or_default(), "nationality": p.nationality.clone().unwrap_or_default(),
                    "document_number": p.document_number.clone().unwrap_or_default(),
                    "issuing_state": p.document_issuer.clone().unwrap_or_default(),
                }], "errors": {} });
                frame["manifest"] = json!({ "flight": found.flight, "booking": p.booking, "origin": found.origin });
            }
            None => frame["manifest_none"] = json!(true),
        }
    }
    Ok(ctx.render("inspection.html", frame))
}

/// `?documento=…&emisor=…` (and `puesto=…` for an officer bound to no
/// post): look the document up in today's arriving manifests.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ManifestQuery {
    #[serde(default)]
    documento: String,
    #[serde(default)]
    emisor: String,
    #[serde(default)]
    puesto: String,
}

/// The booth's context, which stays until the officer changes it: post,
/// direction, lane, vehicle and party mode. Every booth form carries it and every booth
/// page echoes it back, so it holds across travellers and decisions without
/// JavaScript. The lane is the booth's own (not recorded).
fn booth_context(pairs: &[(String, String)]) -> Value {
    let short = |name: &str| field(pairs, name).chars().take(60).collect::<String>();
    let direction = if field(pairs, "direction") == "exit" { "exit" } else { "entry" };
    json!({
        "post": short("post"), "direction": direction, "lane": short("lane"), "vehicle": short("vehicle"),
        "party_mode": field(pairs, "party_mode") == "1",
    })
}

/// The typed fields of a traveller of the booth's form.
const TRAVELLER_FIELDS: &[&str] = &[
    "mrz",
    "surnames",
    "given_names",
    "birth_date",
    "sex",
    "nationality",
    "document_number",
    "issuing_state",
    "relation",
    "consent",
    "chip_sod",
    "chip_dg1",
    "chip_dg2",
    "capture",
];

/// The travellers of the booth's form as typed (`t<i>.<field>`, `t<i>.obs`
/// repeated), blank ones left out: what an error page gives back, and what
/// [`party_from_form`] reads.
fn form_travellers(pairs: &[(String, String)]) -> Vec<Value> {
    let m = multi(pairs);
    let mut out = Vec::new();
    for i in 0..MAX_PARTY {
        let get = |f: &str| m.get(format!("t{i}.{f}").as_str()).and_then(|v| v.first()).map_or("", |s| s.trim());
        let blank =
            ["mrz", "given_names", "surnames", "document_number", "birth_date"].iter().all(|f| get(f).is_empty());
        if blank {
            continue;
        }
        let mut v = serde_json::Map::new();
        for f in TRAVELLER_FIELDS {
            v.insert((*f).into(), json!(get(f)));
        }
        v.insert("obs".into(), json!(m.get(format!("t{i}.obs").as_str()).cloned().unwrap_or_default()));
        out.push(Value::Object(v));
    }
    out
}

/// A date as the region types it — `DD/MM/AAAA` (or with `-` or `.`, day
/// and month of one digit) or `MM/AAAA` — in ISO form; anything else as it
/// is (ISO passes through, and the parser names what is wrong).
pub(crate) fn iso_date(s: &str) -> String {
    let t = s.trim();
    let num = |p: &str, max: usize| !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = t.split(['/', '.', '-']).collect();
    match parts.as_slice() {
        [d, m, y] if num(d, 2) && num(m, 2) && y.len() == 4 && num(y, 4) => format!("{y}-{m:0>2}-{d:0>2}"),
        [m, y] if num(m, 2) && y.len() == 4 && num(y, 4) => format!("{y}-{m:0>2}"),
        _ => t.to_string(),
    }
}

/// Reads the booth's form: `post`, `direction`, `vehicle`, and the
/// travellers of [`form_travellers`]. An error names the field as the API
/// does (`travellers[1].relation`).
fn party_from_form(pairs: &[(String, String)], typed: &[Value]) -> Result<PartyRequest, String> {
    let direction = Direction::parse(field(pairs, "direction")).map_err(|_| "direction".to_string())?;
    let mut travellers = Vec::new();
    for (i, v) in typed.iter().enumerate() {
        let get = |f: &str| v[f].as_str().map(str::to_string).filter(|s| !s.is_empty());
        let mut t = TravellerInput {
            mrz: get("mrz").map(|s| s.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")),
            given_names: get("given_names"),
            surnames: get("surnames"),
            birth_date: get("birth_date").map(|d| iso_date(&d)),
            nationality: get("nationality"),
            sex: get("sex"),
            document_number: get("document_number"),
            issuing_state: get("issuing_state"),
            travel_consent: get("consent").is_some(),
            ..Default::default()
        };
        // The chip's files (base64, as the reader middleware delivers
        // them) and the live capture (a JPEG data URL from the camera).
        if let (Some(sod), Some(dg1)) = (get("chip_sod"), get("chip_dg1")) {
            t.chip = Some(ChipInput { sod, dg1, dg2: get("chip_dg2"), ..Default::default() });
        }
        t.capture = get("capture");
        if let Some(r) = get("relation").filter(|_| i > 0) {
            t.relation =
                Some(serde_json::from_value::<Relation>(json!(r)).map_err(|_| format!("travellers[{i}].relation"))?);
        }
        for o in v["obs"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            let obs = OBSERVATIONS.iter().find(|(c, _)| *c == o).ok_or_else(|| format!("travellers[{i}].obs"))?.1;
            t.observations.push(obs);
        }
        travellers.push(t);
    }
    let vehicle = Some(field(pairs, "vehicle").to_string()).filter(|v| !v.is_empty());
    Ok(PartyRequest { post: field(pairs, "post").to_string(), direction, vehicle, group_id: None, travellers })
}

/// The form field an input error names (`travellers[1].birth_date: …` is
/// `t1.birth_date`, shown beside that field) and its message's catalogue
/// key; `None` when it names no field of the form.
pub(crate) fn field_error(message: &str) -> Option<(String, String)> {
    const KNOWN: &[&str] = &[
        "mrz",
        "surnames",
        "given_names",
        "birth_date",
        "sex",
        "nationality",
        "document_number",
        "issuing_state",
        "relation",
        "obs",
    ];
    let place = message.split_once(':').map_or(message, |(p, _)| p).trim();
    if place == "post" {
        return Some(("post".into(), "field_error.post".into()));
    }
    let (k, f) = place.strip_prefix("travellers[")?.split_once("].")?;
    let k: usize = k.parse().ok()?;
    let key = if KNOWN.contains(&f) { format!("field_error.{f}") } else { "field_error.generic".into() };
    Some((format!("t{k}.{f}"), key))
}

/// Decisions a page may post: the API's, and `admit_confirmed` — the
/// confirm step's admit, with its own reason.
fn page_decision(pairs: &[(String, String)]) -> (String, bool, String) {
    match field(pairs, "decision") {
        "admit_confirmed" => ("admit".into(), true, field(pairs, "confirm_reason").to_string()),
        d => (d.to_string(), false, field(pairs, "reason").to_string()),
    }
}

/// The party-level view every result shows: how many travellers have hits
/// or indicators, which traveller the default button belongs to (the first
/// undecided with a hit, else with an indicator, else the first undecided;
/// the party's own decision when nobody has anything to look at), and
/// whether admitting needs the confirm step (a hit not dismissed or an
/// indicator in the party, as the API decides).
fn party_summary(view: &mut Value) {
    let Some(travellers) = view["travellers"].as_array_mut() else { return };
    // A lookout hit counts as a hit wherever the page counts hits.
    let count = |t: &Value, k: &str| {
        let n = t[k].as_array().map_or(0, Vec::len);
        if k == "hits" { n + t["lookouts"].as_array().map_or(0, Vec::len) } else { n }
    };
    let total = travellers.len();
    let with_hits = travellers.iter().filter(|t| count(t, "hits") > 0).count();
    let flagged = travellers.iter().filter(|t| count(t, "hits") == 0 && count(t, "flags") > 0).count();
    let undecided = |t: &&Value| t["decision"].is_null();
    let focus = travellers
        .iter()
        .filter(undecided)
        .find(|t| count(t, "hits") > 0)
        .or_else(|| travellers.iter().filter(undecided).find(|t| count(t, "flags") > 0))
        .or_else(|| travellers.iter().find(undecided))
        .map(|t| t["crossing_id"].clone());
    // As the API's `admit_concerns`: hits not dismissed and indicators of
    // anyone in the party.
    let concerns: usize = travellers
        .iter()
        .map(|t| t["open_hits"].as_u64().map_or(count(t, "hits"), |n| n as usize) + count(t, "flags"))
        .sum();
    for t in travellers.iter_mut() {
        t["guarded"] = json!(concerns > 0);
    }
    let undecided = travellers.iter().filter(|t| t["decision"].is_null()).count();
    // A party with nothing to look at is admitted with one key: the party's
    // own "Admitir" is the default.
    let party_default = undecided > 1 && concerns == 0;
    view["banner"] = json!({ "total": total, "hits": with_hits, "flagged": flagged });
    view["focus"] = if party_default { Value::Null } else { focus.unwrap_or(Value::Null) };
    view["undecided"] = json!(undecided);
    view["guarded"] = json!(concerns > 0);
    view["party_default"] = json!(party_default);
}

/// The answer as the template shows it: each traveller's outcome with its
/// hit ids, what was recorded (direction, post, vehicle), and the party's
/// summary.
fn answer_view(a: &InspectionAnswer, req: &PartyRequest) -> Value {
    let travellers: Vec<Value> = a
        .travellers
        .iter()
        .map(|t| {
            let mut v = serde_json::to_value(&t.outcome).unwrap_or(Value::Null);
            v["hit_ids"] = json!(t.hit_ids);
            v
        })
        .collect();
    let party: Vec<&str> = a.travellers.iter().map(|t| t.outcome.crossing_id.as_str()).collect();
    let mut view = json!({
        "suggested": a.suggested.as_str(), "travellers": travellers, "party": party.join(" "),
        "recorded": { "direction": req.direction.as_str(), "post": req.post, "vehicle": req.vehicle },
    });
    party_summary(&mut view);
    view
}

/// A party's result read back from the store (after a decision): the same
/// view, with each decision in force. Reads go through the use case, so each
/// is audited.
async fn stored_view(app: &AppState, user: &CurrentUser, ids: &[&str]) -> Result<Value, ApiError> {
    let mut travellers = Vec::new();
    let mut suggested = NextStep::Admit;
    let mut recorded = Value::Null;
    for id in ids {
        let c = app.app().crossing(user, id).await?;
        let mut v = c.inspection.unwrap_or_else(|| json!({ "crossing_id": id }));
        v["hit_ids"] = json!(c.hits.iter().map(|h| h.id).collect::<Vec<_>>());
        v["open_hits"] =
            json!(c.hits.iter().filter(|h| h.adjudication.as_ref().is_none_or(|a| a.decision != "dismissed")).count());
        v["decision"] = json!(c.decision.map(|d| json!({ "decision": d.decision, "reason": d.reason })));
        if recorded.is_null() {
            let r = &c.crossing.record;
            recorded = json!({ "direction": r.direction.as_str(), "post": r.post, "vehicle": r.vehicle });
        }
        let step = serde_json::from_value::<NextStep>(v["suggested"].clone()).unwrap_or(NextStep::Admit);
        suggested = suggested.max(step);
        travellers.push(v);
    }
    let all_decided = travellers.iter().all(|t| !t["decision"].is_null());
    let mut view = json!({
        "suggested": suggested.as_str(), "travellers": travellers, "party": ids.join(" "), "all_decided": all_decided,
        "recorded": recorded,
    });
    party_summary(&mut view);
    Ok(view)
}

/// Marks each person hit whose list entry carries an image (an Interpol
/// notice's thumbnail) with its hit id, for the hit card's `<img>` (served,
/// checked and audited by `GET /api/hits/{id}/thumbnail`).
async fn mark_thumbnails(app: &AppState, view: &mut Value) -> Result<(), ApiError> {
    let Some(travellers) = view["travellers"].as_array_mut() else { return Ok(()) };
    let mut wanted: Vec<(String, String)> = Vec::new();
    for t in travellers.iter() {
        for h in t["hits"].as_array().into_iter().flatten() {
            if let (Some(l), Some(e)) = (h["list"].as_str(), h["entry_id"].as_str()) {
                wanted.push((l.to_string(), e.to_string()));
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let pairs: Vec<(&str, &str)> = wanted.iter().map(|(l, e)| (l.as_str(), e.as_str())).collect();
    let with = app.app().entries_with_images(&pairs).await?;
    for t in travellers.iter_mut() {
        let ids: Vec<i64> = t["hit_ids"].as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
        let Some(hits) = t["hits"].as_array_mut() else { continue };
        if hits.len() != ids.len() {
            continue;
        }
        for (h, id) in hits.iter_mut().zip(ids) {
            let key = (h["list"].as_str().unwrap_or("").to_string(), h["entry_id"].as_str().unwrap_or("").to_string());
            if h["kind"] != "document" && with.contains(&key) {
                h["thumbnail"] = json!(id);
            }
        }
    }
    Ok(())
}

/// The alert lists' descriptions by name, so that a hit names its list in
/// words rather than by its identifier.
async fn list_sources(app: &AppState) -> Result<Value, ApiError> {
    let lists = app.store().lists().await?;
    Ok(Value::Object(lists.into_iter().filter(|l| !l.source.is_empty()).map(|l| (l.name, json!(l.source))).collect()))
}

/// Inspects the party through `App::inspect` and shows the result. An
/// error is shown beside its field, and everything typed is given back.
pub async fn inspect(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let mut frame = booth(&app, &user).await.map_err(|e| ctx.api_error(e))?;
    frame["booth_ctx"] = booth_context(&pairs);
    let typed = form_travellers(&pairs);
    let refused = |mut frame: Value, general: Option<&str>, message: Option<&str>| {
        let mut errors = serde_json::Map::new();
        match message.and_then(field_error) {
            Some((name, key)) => {
                errors.insert(name, json!(key));
            }
            None => frame["form_error"] = json!(general.unwrap_or("inspection.unreadable")),
        }
        frame["form"] = json!({ "travellers": typed, "errors": errors });
        ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "inspection.html", frame)
    };
    let req = match party_from_form(&pairs, &typed) {
        Ok(r) if r.travellers.is_empty() => return Ok(refused(frame, Some("inspection.empty"), None)),
        Ok(r) => r,
        Err(field) => return Ok(refused(frame, Some("error.invalid_field"), Some(&field))),
    };
    match app.app().inspect(&user, &req).await.map_err(ApiError::from) {
        Ok(answer) => {
            frame["result"] = answer_view(&answer, &req);
            mark_thumbnails(&app, &mut frame["result"]).await.map_err(|e| ctx.api_error(e))?;
            frame["list_sources"] = list_sources(&app).await.map_err(|e| ctx.api_error(e))?;
            Ok(ctx.render_status(StatusCode::CREATED, "inspection.html", frame))
        }
        Err(e) if e.code == crate::ErrorCode::InvalidField => Ok(refused(frame, None, Some(&e.message))),
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// Records an officer's decision through the use case and shows the
/// party again with it; an error is shown beside that traveller's decision,
/// with the reason as typed.
pub async fn decide(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let crossing = field(&pairs, "crossing").to_string();
    let party: Vec<&str> = field(&pairs, "party").split_whitespace().take(MAX_PARTY).collect();
    let party = if party.is_empty() { vec![crossing.as_str()] } else { party };
    let mut frame = booth(&app, &user).await.map_err(|e| ctx.api_error(e))?;
    frame["booth_ctx"] = booth_context(&pairs);
    let (asked, confirm, reason) = page_decision(&pairs);
    // `scope=party`: the same decision for every traveller of the party not
    // yet decided, one API decision each (the first refusal stops it; the
    // API's checks are the party's, so they refuse the first or none).
    let whole_party = field(&pairs, "scope") == "party";
    let mut targets = Vec::new();
    if whole_party {
        for id in &party {
            if app.store().decision(id).await.map_err(|e| ctx.api_error(e))?.is_none() {
                targets.push((*id).to_string());
            }
        }
    } else {
        targets.push(crossing.clone());
    }
    let decision = serde_json::from_value::<Decision>(json!(asked));
    let outcome = match decision {
        Ok(decision) => {
            let mut done = Ok(());
            for id in &targets {
                done = app.app().decide(&user, id, decision, &reason, confirm).await.map(drop).map_err(ApiError::from);
                if done.is_err() {
                    break;
                }
            }
            done
        }
        Err(_) => Err(ApiError::invalid_field("decision")),
    };
    let crossing = if whole_party { "party".to_string() } else { crossing.clone() };
    let status = match outcome {
        Ok(()) => {
            frame["decided"] = json!({ "crossing": crossing, "decision": asked, "count": targets.len() });
            StatusCode::OK
        }
        Err(e) if matches!(e.code, crate::ErrorCode::InvalidField | crate::ErrorCode::ConfirmationRequired) => {
            let key = if e.code == crate::ErrorCode::ConfirmationRequired {
                "decision.needs_confirmation"
            } else {
                "decision.needs_reason"
            };
            frame["decision_error"] = json!({
                "crossing": crossing, "key": key, "confirm": confirm,
                "reason": field(&pairs, "reason"), "confirm_reason": field(&pairs, "confirm_reason"),
            });
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(ctx.api_error(e)),
    };
    frame["result"] = stored_view(&app, &user, &party).await.map_err(|e| ctx.api_error(e))?;
    mark_thumbnails(&app, &mut frame["result"]).await.map_err(|e| ctx.api_error(e))?;
    frame["list_sources"] = list_sources(&app).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render_status(status, "inspection.html", frame))
}
