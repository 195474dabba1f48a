//! The pages' handlers. Each does its work through the use cases of
//! `centinela-app` (or, for areas not yet moved there, the API's handlers),
//! so a page checks, stores and audits exactly as the API does; pages only
//! read forms and render templates.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use centinela_domain::{CountryCode, Direction, Role};
use centinela_inspect::{Observation, PartyRequest, Relation, TravellerInput};
use centinela_store::{Decision, NewPost, PostKind, Verdict};
use jiff::ToSpan;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{PageCtx, charts, field, form_pairs, may_open, multi};
use centinela_app::Caller;
use centinela_app::stats::release_options;

use crate::routes::groups::RULE_WRITERS;

use crate::auth::{ClientIp, CurrentUser};
use crate::error::{ApiError, Json, Query};
use crate::handlers::audit;
use crate::handlers::audit::PageQuery;
use crate::handlers::inspections::{HitsFilter, InspectionAnswer};
use crate::handlers::session::{self, LoginRequest};
use crate::handlers::users::{self, NewUser};
use crate::state::AppState;

type PageResult = Result<Response, Response>;

/// The most travellers one booth form holds (a full bus).
const MAX_PARTY: usize = 80;

/// The embedded static files.
pub async fn asset(axum::extract::Path(file): axum::extract::Path<String>, ctx: PageCtx) -> Response {
    let (mime, body): (&str, &'static [u8]) = match file.as_str() {
        "style.css" => ("text/css; charset=utf-8", include_bytes!("../../web/static/style.css")),
        "app.js" => ("text/javascript; charset=utf-8", include_bytes!("../../web/static/app.js")),
        "favicon.svg" => ("image/svg+xml", include_bytes!("../../web/static/favicon.svg")),
        "informe.css" => ("text/css; charset=utf-8", super::report::CSS.as_bytes()),
        "network.js" => ("text/javascript; charset=utf-8", include_bytes!("../../web/static/network.js")),
        // cytoscape.js 3.34.4 (MIT, vendored: web/static/vendor/README).
        "cytoscape.min.js" => {
            ("text/javascript; charset=utf-8", include_bytes!("../../web/static/vendor/cytoscape.min.js"))
        }
        "cytoscape.LICENSE" => {
            ("text/plain; charset=utf-8", include_bytes!("../../web/static/vendor/cytoscape.LICENSE"))
        }
        _ => return super::not_found(ctx.lang),
    };
    ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "public, max-age=3600")], body).into_response()
}

/// The cookie that ties a sign-in form to the browser that asked for it.
const LOGIN_COOKIE: &str = "centinela_login";

/// The sign-in page, with a fresh form token: the same random value in the
/// form and in a `SameSite=Strict` cookie, so another site cannot post its
/// own credentials through the victim's browser (login CSRF: the officer
/// would then work, unknowingly, in the attacker's account).
pub async fn login_form(State(app): State<AppState>, ctx: PageCtx) -> Response {
    login_page(&app, &ctx, StatusCode::OK, json!({}))
}

fn login_page(app: &AppState, ctx: &PageCtx, status: StatusCode, mut data: Value) -> Response {
    let Ok(token) = crate::auth::new_token() else {
        return ctx.error(StatusCode::INTERNAL_SERVER_ERROR, "error.internal", None);
    };
    data["login_token"] = json!(token);
    let mut resp = ctx.render_status(status, "login.html", data);
    let secure = if app.config().secure_cookies { "; Secure" } else { "" };
    let cookie = format!("{LOGIN_COOKIE}={token}; Path=/entrar; HttpOnly; SameSite=Strict; Max-Age=3600{secure}");
    if let Ok(v) = header::HeaderValue::from_str(&cookie) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The form's token (see [`login_form`]).
    #[serde(default, rename = "_login")]
    login_token: String,
}

/// Signs in through `POST /api/session` and passes its cookies on.
pub async fn login(
    State(app): State<AppState>,
    ip: ClientIp,
    ctx: PageCtx,
    headers: axum::http::HeaderMap,
    axum::Form(f): axum::Form<LoginForm>,
) -> Response {
    let username = f.username.trim().to_owned();
    let expected = crate::auth::cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !super::same(expected, &f.login_token) {
        tracing::info!("sign-in form without its token: refused");
        return login_page(
            &app,
            &ctx,
            StatusCode::FORBIDDEN,
            json!({ "error_key": "login.expired", "username": username }),
        );
    }
    let attempt = Json(LoginRequest { username: username.clone(), password: f.password });
    match session::login(State(app.clone()), ip, attempt).await {
        Ok(api) => {
            let mut resp = Redirect::to("/").into_response();
            for c in api.headers().get_all(header::SET_COOKIE) {
                resp.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            resp
        }
        Err(e) => {
            let key = match e.code {
                crate::ErrorCode::RateLimited => "login.rate_limited",
                crate::ErrorCode::InvalidCredentials => "login.invalid",
                _ => "error.internal",
            };
            login_page(
                &app,
                &ctx,
                e.code.status(),
                json!({ "error_key": key, "username": username, "retry_after": e.retry_after }),
            )
        }
    }
}

pub async fn logout(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> Response {
    match session::logout(State(app), user).await {
        Ok(api) => {
            let mut resp = Redirect::to("/entrar").into_response();
            for c in api.headers().get_all(header::SET_COOKIE) {
                resp.headers_mut().append(header::SET_COOKIE, c.clone());
            }
            resp
        }
        Err(e) => ctx.api_error(e),
    }
}

/// The role's first page; a short page for roles without one.
pub async fn home(user: CurrentUser, ctx: PageCtx) -> Response {
    if let Some((path, _)) = super::nav_for(user.role).next() {
        return Redirect::to(path).into_response();
    }
    ctx.render("home.html", json!({ "can_timeline": may_open(user.role, "/cruces/{id}") }))
}

/// The booth's frame: which posts the user may choose.
async fn booth(app: &AppState, user: &CurrentUser) -> Result<Value, ApiError> {
    let posts: Vec<Value> = match &user.post {
        Some(p) => vec![json!({ "code": p, "name": p })],
        None => app.store().posts().await?.into_iter().map(|p| json!({ "code": p.code, "name": p.name })).collect(),
    };
    Ok(json!({
        "posts": posts,
        "relations": RELATIONS.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "observations": OBSERVATIONS.iter().map(|(code, _)| code).collect::<Vec<_>>(),
        "decisions": DECISIONS,
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

pub async fn inspection_form(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    let mut frame = booth(&app, &user).await.map_err(|e| ctx.api_error(e))?;
    frame["booth_ctx"] = booth_context(&[]);
    Ok(ctx.render("inspection.html", frame))
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
    let count = |t: &Value, k: &str| t[k].as_array().map_or(0, Vec::len);
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
/// view, with each decision in force. Reads go through the API handler, so
/// each is audited.
async fn stored_view(app: &AppState, user: &CurrentUser, ids: &[&str]) -> Result<Value, ApiError> {
    let mut travellers = Vec::new();
    let mut suggested = "admit";
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
        let s = v["suggested"].as_str().unwrap_or("admit");
        let rank = |s: &str| ["admit", "secondary_inspection", "refer_to_protection"].iter().position(|x| *x == s);
        if rank(s) > rank(suggested) {
            suggested = ["admit", "secondary_inspection", "refer_to_protection"][rank(s).unwrap_or(0)];
        }
        travellers.push(v);
    }
    let all_decided = travellers.iter().all(|t| !t["decision"].is_null());
    let mut view = json!({
        "suggested": suggested, "travellers": travellers, "party": ids.join(" "), "all_decided": all_decided,
        "recorded": recorded,
    });
    party_summary(&mut view);
    Ok(view)
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
            frame["list_sources"] = list_sources(&app).await.map_err(|e| ctx.api_error(e))?;
            Ok(ctx.render_status(StatusCode::CREATED, "inspection.html", frame))
        }
        Err(e) if e.code == crate::ErrorCode::InvalidField => Ok(refused(frame, None, Some(&e.message))),
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// Records an officer's decision through the API handler and shows the
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
    frame["list_sources"] = list_sources(&app).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render_status(status, "inspection.html", frame))
}

#[derive(Debug, Deserialize)]
pub struct HitsPage {
    #[serde(default)]
    todas: Option<String>,
    #[serde(default)]
    hecho: Option<String>,
}

/// The hits queue: open hits (or all), newest first.
pub async fn hits(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<HitsPage>,
) -> PageResult {
    let open = q.todas.is_none();
    let hits =
        app.app().hits(&user, HitsFilter { open, post: None, limit: 200 }).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render(
        "hits.html",
        json!({
            "hits": hits,
            "open": open,
            "done": q.hecho,
            "can_adjudicate": user.role == Role::Supervisor,
            "can_timeline": may_open(user.role, "/cruces/{id}"),
        }),
    ))
}

/// A supervisor confirms or dismisses a hit, with a reason.
pub async fn adjudicate(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: Bytes,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error.not_found", None));
    };
    let pairs = form_pairs(&body);
    let Ok(decision) = serde_json::from_value::<Verdict>(json!(field(&pairs, "decision"))) else {
        return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_field", None));
    };
    match app.app().adjudicate(&user, id, decision, field(&pairs, "reason")).await.map_err(ApiError::from) {
        Ok(_) => Ok(Redirect::to(&format!("/alertas?hecho={id}")).into_response()),
        Err(e) if e.code == crate::ErrorCode::InvalidField => {
            Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "adjudication.needs_reason", None))
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// A crossing, what its inspection showed, and the traveller's timeline.
pub async fn timeline(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    let c = app.app().crossing(&user, &id).await.map_err(|e| ctx.api_error(e))?;
    let tl = app.app().timeline(&user, &id).await.map_err(|e| ctx.api_error(e))?;
    let posts: std::collections::BTreeSet<&str> = tl.iter().map(|c| c.record.post.as_str()).collect();
    Ok(ctx.render("timeline.html", json!({ "id": id, "crossing": c, "timeline": tl, "posts": posts.len() })))
}

pub async fn lists(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    let lists = app.app().lists().await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render(
        "lists.html",
        json!({
            "lists": lists,
            "can_import": user.role == Role::Admin,
            "kinds": ["wanted", "missing", "documents", "watch"],
            "formats": ["csv", "ftm", "documents"],
        }),
    ))
}

/// Reloads the screening index (`POST /api/lists/reload`'s handler).
pub async fn reload(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    let (person_entries, documents) =
        app.app().reload_lists(Some(Caller::User(&user))).await.map_err(|e| ctx.api_error(e))?;
    let r = json!({ "person_entries": person_entries, "documents": documents });
    let lists = app.app().lists().await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render(
        "lists.html",
        json!({
            "lists": lists, "can_import": true, "reloaded": r,
            "kinds": ["wanted", "missing", "documents", "watch"],
            "formats": ["csv", "ftm", "documents"],
        }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct StatsQuery {
    #[serde(default)]
    desde: Option<String>,
    #[serde(default)]
    hasta: Option<String>,
    #[serde(default)]
    puesto: Option<String>,
}

/// The dashboard: counts only. Users bound to a post see their post.
pub async fn stats(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<StatsQuery>,
) -> PageResult {
    let post = user.post.clone().or(q.puesto.filter(|p| !p.is_empty())).unwrap_or_default();
    let fail = |e: ApiError| ctx.api_error(e);
    let days = app.analytics().crossing_days(&post).await.map_err(|e| fail(e.into()))?;
    let parse = |s: &Option<String>| s.as_deref().and_then(|d| d.parse::<jiff::civil::Date>().ok());
    let last = parse(&q.hasta).or_else(|| days.as_ref().and_then(|d| d.1.parse().ok()));
    let first = parse(&q.desde).or_else(|| last.map(|l| l.saturating_sub(29.days())));
    let (first, last) = match (first, last) {
        (Some(f), Some(l)) if f > l => (Some(l), Some(f)),
        (Some(f), Some(l)) => (Some(f), Some(l)),
        _ => (None, None),
    };
    let figures = app.app().figures(&user, first, last, Some(&post)).await.map_err(|e| ctx.api_error(e))?;
    let (s, from, to) = (figures.stats, figures.from, figures.to);
    let posts: Vec<Value> = if user.post.is_some() {
        Vec::new()
    } else {
        app.store().posts().await.map_err(|e| fail(e.into()))?.into_iter().map(|p| json!(p.code)).collect()
    };
    let l = ctx.lang;
    let t = |k: &str| super::i18n::tr(l, k);
    let hits = [
        (t("stats.raised").to_string(), s.hits.raised),
        (t("stats.confirmed").to_string(), s.hits.confirmed),
        (t("stats.dismissed").to_string(), s.hits.dismissed),
        (t("stats.open").to_string(), s.hits.open),
    ];
    let referrals: Vec<(String, i64)> =
        s.referrals.iter().map(|(u, n)| (super::i18n::tr_or(l, &format!("unit.{u}"), u).to_string(), *n)).collect();
    let decisions: Vec<(String, i64)> =
        s.decisions.iter().map(|(d, n)| (super::i18n::tr_or(l, &format!("decision.{d}"), d).to_string(), *n)).collect();
    let victims = [
        (t("stats.identified").to_string(), s.cases.identified),
        (t("stats.assisted").to_string(), s.cases.assisted),
        (t("stats.prosecuted").to_string(), s.cases.prosecuted),
        (t("stats.repatriated").to_string(), s.cases.repatriated),
    ];
    let exploitation: Vec<(String, i64)> = s
        .victims_by_exploitation
        .iter()
        .map(|(k, n)| {
            let key = match k.as_str() {
                "" => "report.unknown".to_string(),
                "Multiple" => "stats.exploitation_multiple".to_string(),
                _ => format!("htcds.v.{k}"),
            };
            (super::i18n::tr_or(l, &key, k).to_string(), *n)
        })
        .collect();
    let total: i64 = s.crossings_by_post.iter().map(|x| x.1).sum();
    let query = serde_urlencoded::to_string([("from", &from), ("to", &to), ("post", &post)]).unwrap_or_default();
    let report_query = serde_urlencoded::to_string([("desde", &from), ("hasta", &to), ("lang", &l.code().to_string())])
        .unwrap_or_default();
    Ok(ctx.render(
        "stats.html",
        json!({
            "query": query, "report_query": report_query, "can_report": true,
            "from": from, "to": to, "post": post, "posts": posts, "bound": user.post.is_some(),
            "total": total, "stats": s,
            "chart_posts": charts::hbars(t("stats.by_post"), &s.crossings_by_post, "c-crossings"),
            "chart_days": charts::columns(t("stats.by_day"), &s.directions_by_day, [t("direction.entry"), t("direction.exit")]),
            "chart_hits": charts::hbars(t("stats.hits"), &hits, "c-hits"),
            "chart_hits_days": charts::columns(
                t("stats.hits_by_day"),
                &s.hits_by_day.iter().map(|(d, n)| (d.clone(), *n, 0)).collect::<Vec<_>>(),
                [t("stats.raised"), ""],
            ),
            "chart_referrals": charts::hbars(t("stats.referrals"), &referrals, "c-referrals"),
            "chart_decisions": charts::hbars(t("stats.decisions"), &decisions, "c-decisions"),
            "chart_victims": charts::hbars(t("stats.victims"), &victims, "c-victims"),
            "chart_exploitation": charts::hbars(t("stats.by_exploitation"), &exploitation, "c-exploitation"),
        }),
    ))
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    #[serde(default)]
    desde: Option<String>,
    #[serde(default)]
    hasta: Option<String>,
    #[serde(default)]
    k: Option<u64>,
    #[serde(default)]
    periodo: Option<String>,
}

/// The regional report (infographic and tables) of the country for a
/// period, from the k-anonymous release (as `GET /api/stats/regional`).
pub async fn report(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<ReportQuery>,
) -> PageResult {
    let opts = release_options(q.desde.as_deref(), q.hasta.as_deref(), q.k, q.periodo.as_deref())
        .map_err(|e| ctx.api_error(e))?;
    let r = app
        .app()
        .regional_release(Caller::User(&user), opts, "stats_regional_viewed", json!({}))
        .await
        .map_err(|e| ctx.api_error(e))?;
    let meta = super::report::ReportMeta { country: &r.country, from: &r.from, to: &r.to };
    let body = super::report::body(&r.release, &meta, ctx.lang);
    Ok(ctx.render("report.html", json!({ "report": body, "country": r.country })))
}

pub async fn users(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    super::accounts::users_page(&app, &user, &ctx, json!({})).await
}

/// Creates a user through `POST /api/users`'s handler (a protection or
/// admin account becomes a request for a second administrator).
pub async fn create_user(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    use super::accounts::users_page;
    let pairs = form_pairs(&body);
    let Ok(role) = Role::parse(field(&pairs, "role")) else {
        return users_page(&app, &user, &ctx, json!({ "form_error": "error.invalid_field" })).await;
    };
    let post = Some(field(&pairs, "post").to_string()).filter(|p| !p.is_empty());
    let req = NewUser {
        username: field(&pairs, "username").to_string(),
        role,
        post,
        password: pairs.iter().find(|(k, _)| k == "password").map(|(_, v)| v.clone()).unwrap_or_default(),
    };
    let refused = centinela_store::check_new_password(&req.password, &req.username, req.role)
        .err()
        .map(|w| format!("password.{}", w.code()));
    match users::create(State(app.clone()), user.clone(), Json(req)).await {
        Ok(users::Created::User(_)) => users_page(&app, &user, &ctx, json!({ "created": true })).await,
        Ok(users::Created::Request(_)) => users_page(&app, &user, &ctx, json!({ "requested": true })).await,
        Err(e) if e.code == crate::ErrorCode::WeakPassword => {
            let reason = refused.unwrap_or_else(|| "error.weak_password".into());
            users_page(&app, &user, &ctx, json!({ "form_error": "password.refused", "reason_key": reason })).await
        }
        Err(e) if matches!(e.code, crate::ErrorCode::InvalidField | crate::ErrorCode::Conflict) => {
            users_page(&app, &user, &ctx, json!({ "form_error": super::error_key(&e).0, "form_detail": e.message }))
                .await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

pub async fn posts(State(app): State<AppState>, _user: CurrentUser, ctx: PageCtx) -> PageResult {
    posts_page(&app, &ctx, json!({})).await
}

async fn posts_page(app: &AppState, ctx: &PageCtx, extra: Value) -> PageResult {
    let list = app.app().posts().await.map_err(|e| ctx.api_error(e))?;
    let mut data = json!({ "posts": list, "kinds": ["land", "air", "sea"] });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    Ok(ctx.render("posts.html", data))
}

/// Creates a border post (audited by the store in the same transaction),
/// shows its synchronisation key once, and reloads the known posts.
pub async fn create_post(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let bad = |detail: &str| json!({ "form_error": "error.invalid_field", "form_detail": detail });
    let Ok(country) = CountryCode::parse(field(&pairs, "country")) else {
        return posts_page(&app, &ctx, bad("country")).await;
    };
    let Ok(kind) = PostKind::parse(field(&pairs, "kind")) else {
        return posts_page(&app, &ctx, bad("kind")).await;
    };
    let code = field(&pairs, "code").to_ascii_uppercase();
    let np = NewPost { code: &code, name: field(&pairs, "name"), country, facing: field(&pairs, "facing"), kind };
    match app.store().add_post(&user.actor(), &np).await {
        Ok((post, key)) => {
            tracing::info!(user = user.id, post = %post.code, "post created");
            app.inspections().reload(app.store()).await.map_err(|e| ctx.api_error(e))?;
            posts_page(&app, &ctx, json!({ "created": post.code, "sync_key": key })).await
        }
        Err(e) => {
            let e = ApiError::from(e);
            if matches!(e.code, crate::ErrorCode::InvalidField | crate::ErrorCode::Conflict) {
                posts_page(&app, &ctx, json!({ "form_error": "error.conflict", "form_detail": e.message })).await
            } else {
                Err(ctx.api_error(e))
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    despues: Option<i64>,
}

pub async fn audit(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> PageResult {
    let after = q.despues.unwrap_or(0).max(0);
    let Json(page) = audit::page(State(app), user, Query(PageQuery { after: Some(after), limit: Some(100) }))
        .await
        .map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("audit.html", json!({ "page": page, "after": after })))
}

pub async fn audit_verify(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    let Json(v) = audit::verify(State(app.clone()), user.clone()).await.map_err(|e| ctx.api_error(e))?;
    let Json(page) = audit::page(State(app), user, Query(PageQuery { after: Some(0), limit: Some(100) }))
        .await
        .map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("audit.html", json!({ "page": page, "after": 0, "verification": v })))
}

/// The rules page: the catalogue in force, and for analysts and
/// administrators the editor (live errors through `POST /api/rules/check`)
/// and, after a back-test, its results. `extra` adds to the template's data.
async fn rules_page(app: &AppState, user: &CurrentUser, ctx: &PageCtx, status: StatusCode, extra: Value) -> PageResult {
    let rules = app.app().rules().await.map_err(|e| ctx.api_error(e))?;
    let mut data = json!({
        "rules": rules,
        "can_check": RULE_WRITERS.contains(&user.role),
        "can_toggle": RULE_WRITERS.contains(&user.role),
        "can_save": user.role == Role::Analyst,
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    Ok(ctx.render_status(status, "rules.html", data))
}

pub async fn rules(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    rules_page(&app, &user, &ctx, StatusCode::OK, json!({})).await
}

/// The editor's text with its errors, when it has some (the page shows
/// them at their line and column and refuses to save).
async fn rule_errors(app: &AppState, text: &str) -> Result<Vec<Value>, ApiError> {
    let check = app.app().check_rules(text).await?;
    Ok(check.errors.iter().map(|e| json!(e)).collect())
}

pub async fn rules_backtest(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let text = pairs.iter().find(|(k, _)| k == "text").map(|(_, v)| v.replace("\r\n", "\n")).unwrap_or_default();
    let (from, to) = (field(&pairs, "desde").to_string(), field(&pairs, "hasta").to_string());
    let keep = json!({ "text": text, "from": from, "to": to });
    let errors = rule_errors(&app, &text).await.map_err(|e| ctx.api_error(e))?;
    if !errors.is_empty() {
        let extra = json!({ "text": text, "from": from, "to": to, "errors": errors });
        return rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    }
    let asked = |s: &str| Some(s.to_string()).filter(|s| !s.is_empty());
    let (from_asked, to_asked) = (asked(&from), asked(&to));
    match app.app().backtest(&user, &text, from_asked.as_deref(), to_asked.as_deref()).await.map_err(ApiError::from) {
        Ok(bt) => {
            let l = ctx.lang;
            let t = |k: &str| super::i18n::tr(l, k);
            let weeks: Vec<(String, i64, i64)> = bt
                .report
                .per_week
                .iter()
                .map(|(w, c)| (w.clone(), i64::try_from(c.flagged).unwrap_or(i64::MAX), 0))
                .collect();
            let chart = charts::columns(t("rules.bt_by_week"), &weeks, [t("rules.bt_flagged"), ""]);
            let extra = json!({
                "text": text, "from": from, "to": to, "bt": bt,
                "bt_seconds": format!("{:.2} s", bt.seconds), "chart_weeks": chart,
            });
            rules_page(&app, &user, &ctx, StatusCode::OK, extra).await
        }
        Err(e) if matches!(e.code, crate::ErrorCode::InvalidField | crate::ErrorCode::InvalidRule) => {
            let mut extra = keep;
            extra["form_error"] = json!(super::error_key(&e).0);
            extra["form_detail"] = json!(e.message);
            rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

pub async fn rules_save(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    let pairs = form_pairs(&body);
    let text = pairs.iter().find(|(k, _)| k == "text").map(|(_, v)| v.replace("\r\n", "\n")).unwrap_or_default();
    let (from, to) = (field(&pairs, "desde").to_string(), field(&pairs, "hasta").to_string());
    let errors = rule_errors(&app, &text).await.map_err(|e| ctx.api_error(e))?;
    if !errors.is_empty() {
        let extra = json!({ "text": text, "from": from, "to": to, "errors": errors });
        return rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await;
    }
    match app.app().save_rules(&user, &text, None).await.map_err(ApiError::from) {
        Ok(saved) => {
            let what: Vec<String> = saved.iter().map(|v| format!("{} v{}", v.rule_id, v.version)).collect();
            let extra = json!({ "text": text, "from": from, "to": to, "saved": what.join(", ") });
            rules_page(&app, &user, &ctx, StatusCode::OK, extra).await
        }
        Err(e) if matches!(e.code, crate::ErrorCode::InvalidField | crate::ErrorCode::InvalidRule) => {
            let extra = json!({
                "text": text, "from": from, "to": to,
                "form_error": super::error_key(&e).0, "form_detail": e.message,
            });
            rules_page(&app, &user, &ctx, StatusCode::UNPROCESSABLE_ENTITY, extra).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

async fn rules_toggle(app: AppState, user: CurrentUser, ctx: PageCtx, id: String, enable: bool) -> PageResult {
    let v = app.app().toggle_rule(&user, &id, enable).await.map_err(|e| ctx.api_error(e))?;
    let key = if v.enabled { "rules.now_enabled" } else { "rules.now_disabled" };
    let extra = json!({ "changed": key, "changed_id": format!("{} v{}", v.rule_id, v.version) });
    rules_page(&app, &user, &ctx, StatusCode::OK, extra).await
}

pub async fn rules_enable(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    rules_toggle(app, user, ctx, id, true).await
}

pub async fn rules_disable(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> PageResult {
    rules_toggle(app, user, ctx, id, false).await
}
