//! The auditors' pages: the audit log newest first with filters (user,
//! action, dates, subject), paging, a CSV export, and the chain's
//! verification — all through `centinela_app::audit`.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use centinela_app::audit::AuditFilter;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{PageCtx, PageResult, day_start, i18n, parse_typed_date};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;

/// Entries on one page of the log.
const PAGE: u32 = 100;

/// The log's filters as the page's form sends them (Spanish names, like
/// the routes).
#[derive(Debug, Default, Deserialize)]
pub struct AuditQuery {
    #[serde(default)]
    usuario: String,
    #[serde(default)]
    accion: String,
    #[serde(default)]
    sujeto: String,
    #[serde(default)]
    desde: String,
    #[serde(default)]
    hasta: String,
    #[serde(default)]
    antes: Option<i64>,
}

impl AuditQuery {
    /// The filter, the dates read in the viewer's zone (`hasta` included
    /// whole); the name of the field whose date does not parse otherwise.
    fn filter(&self, zone: &str) -> Result<AuditFilter, &'static str> {
        let date = |s: &str, field: &'static str, next: bool| -> Result<Option<jiff::Timestamp>, &'static str> {
            if s.trim().is_empty() {
                return Ok(None);
            }
            let d = parse_typed_date(s).ok_or(field)?;
            let d = if next { d.tomorrow().map_err(|_| field)? } else { d };
            day_start(d, zone).map(Some).ok_or(field)
        };
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
        Ok(AuditFilter {
            user: some(&self.usuario),
            action: some(&self.accion),
            subject: some(&self.sujeto),
            from: date(&self.desde, "desde", false)?,
            to: date(&self.hasta, "hasta", true)?,
        })
    }

    /// The filters as a query string (for paging and the export), without
    /// the page.
    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("usuario", self.usuario.trim()),
            ("accion", self.accion.trim()),
            ("sujeto", self.sujeto.trim()),
            ("desde", self.desde.trim()),
            ("hasta", self.hasta.trim()),
        ])
        .unwrap_or_default()
    }
}

/// An entry's detail (JSON of codes, counts and ids) as label–value pairs
/// in the page's language: each key's label from the catalogue, codes
/// translated where the catalogue knows them.
fn readable_detail(ctx: &PageCtx, detail: &str) -> Vec<Value> {
    let Ok(Value::Object(map)) = serde_json::from_str::<Value>(detail) else {
        return if detail.trim().is_empty() || detail == "{}" { vec![] } else { vec![json!({ "value": detail })] };
    };
    let code = |s: &str| -> String {
        for prefix in
            ["audit.value.", "audit.action.", "decision.", "flag.", "role.", "verdict.", "post_kind.", "error."]
        {
            let t = i18n::tr_or(ctx.lang, &format!("{prefix}{s}"), "");
            if !t.is_empty() {
                return t.to_string();
            }
        }
        s.to_string()
    };
    let value = |v: &Value| -> String {
        match v {
            Value::Null => "—".to_string(),
            Value::Bool(b) => ctx.t(if *b { "audit.yes" } else { "audit.no" }).to_string(),
            Value::Number(n) => n.as_i64().map_or_else(|| n.to_string(), super::thousands),
            Value::String(s) if s.parse::<jiff::Timestamp>().is_ok() => super::local_time(s, &ctx.zone),
            Value::String(s) => code(&super::dmy(s)),
            Value::Array(a) => a
                .iter()
                .map(|x| match x {
                    Value::String(s) => code(&super::dmy(s)),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(_) => v.to_string(),
        }
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| json!({ "label": i18n::tr_or(ctx.lang, &format!("audit.field.{k}"), k), "value": value(v) }))
        .collect()
}

/// What an entry is about, as people read it: `crossing:ID` as the
/// translated kind and the id; a code alone (`audit_log`) translated.
fn subject_label(ctx: &PageCtx, subject: &str) -> String {
    match subject.split_once(':') {
        Some((kind, id)) if kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {
            format!("{} {id}", i18n::tr_or(ctx.lang, &format!("audit.subject.{kind}"), kind))
        }
        _ => i18n::tr_or(ctx.lang, &format!("audit.subject.{subject}"), subject).to_string(),
    }
}

/// Who did it, as people read it: the username, or the translated kind of
/// actor (`system`, `cli`, `anonymous`, a post).
fn actor_label(ctx: &PageCtx, actor: &str, name: Option<&str>) -> String {
    if let Some(n) = name {
        return n.to_string();
    }
    if let Some(post) = actor.strip_prefix("post:") {
        return format!("{} {post}", ctx.t("audit.actor_post"));
    }
    i18n::tr_or(ctx.lang, &format!("audit.actor.{actor}"), actor).to_string()
}

pub async fn audit(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> PageResult {
    log_page(&app, &user, &ctx, &q, None).await
}

async fn log_page(
    app: &AppState,
    user: &CurrentUser,
    ctx: &PageCtx,
    q: &AuditQuery,
    verification: Option<Value>,
) -> PageResult {
    let filter = match q.filter(&ctx.zone) {
        Ok(f) => f,
        Err(field) => {
            return Ok(render(ctx, q, json!({ "entries": [] }), verification, Some(field)));
        }
    };
    let page = app.app().audit_log(user, &filter, q.antes, PAGE).await.map_err(|e| ctx.api_error(ApiError::from(e)))?;
    let entries: Vec<Value> = page
        .entries
        .iter()
        .map(|e| {
            json!({
                "seq": e.seq, "at": e.at, "actor": e.actor,
                "who": actor_label(ctx, &e.actor, e.actor_name.as_deref()),
                "action": e.action,
                "action_label": i18n::tr_or(ctx.lang, &format!("audit.action.{}", e.action), &e.action),
                "subject": e.subject, "subject_label": subject_label(ctx, &e.subject),
                "detail": readable_detail(ctx, &e.detail), "hash": e.hash,
            })
        })
        .collect();
    let data = json!({ "entries": entries, "next_before": page.next_before });
    Ok(render(ctx, q, data, verification, None))
}

fn render(
    ctx: &PageCtx,
    q: &AuditQuery,
    page: Value,
    verification: Option<Value>,
    bad_field: Option<&str>,
) -> axum::response::Response {
    let actions: Vec<Value> = ACTIONS
        .iter()
        .map(|a| json!({ "code": a, "label": i18n::tr_or(ctx.lang, &format!("audit.action.{a}"), a) }))
        .collect();
    ctx.render_status(
        if bad_field.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK },
        "audit.html",
        json!({
            "page": page, "verification": verification, "actions": actions, "bad_field": bad_field,
            "q": { "usuario": q.usuario, "accion": q.accion, "sujeto": q.sujeto, "desde": q.desde, "hasta": q.hasta },
            "query": q.query(), "paged": q.antes.is_some(),
        }),
    )
}

/// The filtered log as CSV (at most `centinela_app::audit::MAX_EXPORT`
/// entries, newest first; audited `audit_exported`).
pub async fn export(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> PageResult {
    let filter = match q.filter(&ctx.zone) {
        Ok(f) => f,
        Err(field) => return Err(render(&ctx, &q, json!({ "entries": [] }), None, Some(field))),
    };
    let export = app.app().audit_export(&user, &filter).await.map_err(|e| ctx.api_error(ApiError::from(e)))?;
    let mut resp = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"auditoria.csv\""),
        ],
        export.csv,
    )
        .into_response();
    if export.truncated {
        resp.headers_mut().insert("x-truncated", axum::http::HeaderValue::from_static("true"));
    }
    Ok(resp)
}

pub async fn audit_verify(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<AuditQuery>,
) -> PageResult {
    let v = app.app().audit_verify(&user).await.map_err(|e| ctx.api_error(ApiError::from(e)))?;
    let reason = v.reason.as_deref().map(|r| i18n::phrase(ctx.lang, r));
    let verification = json!({
        "intact": v.intact, "entries": v.entries, "broken_seq": v.broken_seq, "reason": reason,
        "sealed_from": v.sealed_from,
    });
    log_page(&app, &user, &ctx, &q, Some(verification)).await
}

/// The actions the filter offers (the codes the system writes).
const ACTIONS: &[&str] = &[
    "access_denied",
    "account_request_approved",
    "account_request_created",
    "account_request_rejected",
    "account_requests_viewed",
    "all_decided",
    "audit_exported",
    "audit_sealed",
    "audit_verified",
    "audit_viewed",
    "case_opened",
    "case_shared",
    "case_updated",
    "case_versions_viewed",
    "case_viewed",
    "cases_exported",
    "cases_viewed",
    "crossing_decided",
    "crossing_viewed",
    "crossings_imported",
    "hit_adjudicated",
    "hits_viewed",
    "inspection_recorded",
    "intel_merge",
    "intel_split",
    "intel_withdraw",
    "intel_contacts_viewed",
    "intel_decisions_viewed",
    "intel_documents_viewed",
    "intel_exported",
    "intel_facilitators_viewed",
    "intel_network_viewed",
    "intel_person_crossings_viewed",
    "intel_person_viewed",
    "intel_persons_viewed",
    "intel_rings_viewed",
    "list_exported",
    "list_imported",
    "lists_reloaded",
    "login",
    "login_failed",
    "logout",
    "password_change_failed",
    "password_changed",
    "password_reset",
    "post_created",
    "post_key_revoked",
    "post_key_rotated",
    "post_audit_rewound",
    "post_readded",
    "post_revoked",
    "post_time_zone_changed",
    "purge",
    "purge_dry_run",
    "referral_answered",
    "referral_viewed",
    "referrals_viewed",
    "rule_disabled",
    "rule_enabled",
    "rule_saved",
    "rules_backtested",
    "session_idle_expired",
    "sessions_ended",
    "stats_exported",
    "stats_regional_viewed",
    "stats_viewed",
    "sync_lists_pulled",
    "sync_push_applied",
    "timeline_viewed",
    "user_created",
    "user_disabled",
    "user_enabled",
    "user_post_changed",
    "user_role_changed",
    "user_sessions_ended",
    "user_viewed",
    "users_viewed",
];
