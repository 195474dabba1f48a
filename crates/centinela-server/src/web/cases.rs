//! The protection unit's pages: the referral queue (accept or decline with
//! a reason), the case list, and the case page — the HTCDS 2.0 record in
//! its sections, as a form whose every save is a new version.
//!
//! The form is generated from [`SECTIONS`], one table of HTCDS fields and
//! their kinds; the same table reads the submitted form back into a
//! [`CaseRecord`], which the use case checks ([`Case::parse`]) and
//! stores. Comments are append-only: the form adds one, never edits.
//!
//! [`Case::parse`]: centinela_domain::htcds::Case::parse

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use centinela_domain::htcds::{CaseRecord, picklist as pl};
use serde_json::{Map, Value, json};

use super::{PageCtx, PageResult, field, form_pairs, multi};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use centinela_app::cases::AnswerKind;

/// How a field is entered.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    Text,
    Long,
    Date,
    Bool,
    Number,
    /// Country codes, separated by spaces or commas.
    Codes,
    Pick(&'static [&'static str]),
    Multi(&'static [&'static str]),
}

/// A section of the record: its key in [`CaseRecord`]'s JSON, whether it
/// repeats (perpetrators, events, support plans), and its fields.
pub struct Section {
    pub key: &'static str,
    pub repeated: bool,
    pub fields: &'static [(&'static str, Kind)],
}

use Kind::*;

/// The HTCDS sections and fields the case page shows and edits.
pub const SECTIONS: &[Section] = &[
    Section {
        key: "case",
        repeated: false,
        fields: &[
            ("cas_Status", Pick(pl::CASE_STATUS)),
            ("cas_CaseOwner", Text),
            ("cas_ReasonForCaseClosure", Long),
            ("cas_ReferringOrganisation", Text),
            ("cas_IncomingReferralDate", Date),
            ("cas_ReferringPrimaryCaseWorker", Text),
            ("cas_ReasonForIncomingReferral", Pick(pl::REFERRAL_REASON)),
            ("cas_IncomingReferralDetails", Long),
            ("cas_ReferredOrganisation", Text),
            ("cas_ReferredPrimaryCaseWorker", Text),
            ("cas_ReasonForOutgoingReferral", Pick(pl::REFERRAL_REASON)),
            ("cas_OutgoingReferralDate", Date),
            ("cas_OutgoingReferralDetails", Long),
        ],
    },
    Section {
        key: "person",
        repeated: false,
        fields: &[
            ("prs_Salutation", Text),
            ("prs_FirstName", Text),
            ("prs_MiddleName", Text),
            ("prs_SecondName", Text),
            ("prs_Birthdate", Date),
            ("prs_Gender", Pick(pl::GENDER)),
            ("prs_Deceased", Bool),
            ("prs_MaritalStatus", Pick(pl::MARITAL_STATUS)),
            ("prs_NumberOfChildren", Number),
            ("prs_PrimaryLanguage", Text),
            ("prs_SecondaryLanguage", Text),
            ("prs_HighestLevelOfEducation", Pick(pl::EDUCATION)),
            ("prs_Citizenship", Codes),
            ("prs_IdentityNumber", Text),
            ("prs_Title", Text),
            ("prs_Email", Text),
            ("prs_HomePhone", Text),
            ("prs_MobilePhone", Text),
            ("prs_MailingStreet", Text),
            ("prs_MailingCity", Text),
            ("prs_MailingState", Text),
            ("prs_MailingPostalCode", Text),
            ("prs_MailingCountry", Text),
            ("prs_MailingLatitude", Number),
            ("prs_MailingLongitude", Number),
        ],
    },
    Section {
        key: "victim",
        repeated: false,
        fields: &[
            ("vic_TraffickingStatus", Pick(pl::TRAFFICKING_STATUS)),
            ("vic_TraffickingStatusDecisionMakingOrg", Pick(pl::DECISION_ORG)),
            ("vic_RelationshipToTrafficker", Pick(pl::RELATIONSHIP)),
            ("vic_AgeWhenTrafficked", Number),
            ("vic_MethodOfRecruitment", Multi(pl::METHOD_OF_RECRUITMENT)),
            ("vic_RecruitmentWebsitesAndApps", Multi(pl::WEBSITES)),
            ("vic_LocationOfRecruitment", Text),
            ("vic_MethodsOfControl", Multi(pl::METHODS_OF_CONTROL)),
            ("vic_TypeOfExploitation", Multi(pl::TYPE_OF_EXPLOITATION)),
            ("vic_ForcedLabourIndustry", Pick(pl::FORCED_LABOUR_INDUSTRY)),
            ("vic_TypeOfSexExploitation", Multi(pl::TYPE_OF_SEX_EXPLOITATION)),
            ("vic_LocationOfExploitation", Text),
            ("vic_ExploitationWebsitesAndApps", Multi(pl::WEBSITES)),
        ],
    },
    // The organisations the lookups (referring, referred, places of
    // recruitment and exploitation) name by `id`; a name typed in a lookup
    // becomes one.
    Section {
        key: "organisations",
        repeated: true,
        fields: &[
            ("id", Text),
            ("org_Name", Text),
            ("org_Type", Pick(pl::ORG_TYPE)),
            ("org_Phone", Text),
            ("org_ShippingStreet", Text),
            ("org_ShippingCity", Text),
            ("org_ShippingState", Text),
            ("org_ShippingPostalCode", Text),
            ("org_ShippingCountry", Text),
            ("org_ShippingLatitude", Number),
            ("org_ShippingLongitude", Number),
        ],
    },
    Section {
        key: "perpetrators",
        repeated: true,
        fields: &[
            ("prs_FirstName", Text),
            ("prs_SecondName", Text),
            ("prs_Gender", Pick(pl::GENDER)),
            ("prs_Citizenship", Codes),
            ("per_RoleInProcess", Multi(pl::ROLE_IN_PROCESS)),
            ("per_RoleDetails", Long),
        ],
    },
    Section {
        key: "events",
        repeated: true,
        fields: &[
            ("hte_Type", Pick(pl::EVENT_TYPE)),
            ("hte_Date", Date),
            ("hte_Country", Text),
            ("hte_State", Text),
            ("hte_City", Text),
            ("hte_Street", Text),
            ("hte_PostalCode", Text),
            ("hte_Latitude", Number),
            ("hte_Longitude", Number),
            ("hte_Description", Long),
        ],
    },
    Section {
        key: "support_plans",
        repeated: true,
        fields: &[
            ("spl_Type", Pick(pl::SUPPORT_TYPE)),
            ("spl_Objectives", Long),
            ("spl_ActionPlan", Long),
            ("spl_PlannedEndDate", Date),
            ("spl_ActualEndDate", Date),
        ],
    },
    Section { key: "consent", repeated: false, fields: &[("con_Consent", Bool)] },
];

/// The most entries of a repeated section the form holds (one blank more
/// than stored, to add one).
const MAX_ROWS: usize = 50;

/// One field as the template draws it.
fn field_view(name: String, key: &str, kind: Kind, value: &Value) -> Value {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    let (kind_name, options): (&str, &[&str]) = match kind {
        Text => ("text", &[]),
        Long => ("long", &[]),
        Date => ("date", &[]),
        Bool => ("bool", &[]),
        Number => ("number", &[]),
        Codes => ("codes", &[]),
        Pick(o) => ("pick", o),
        Multi(o) => ("multi", o),
    };
    let chosen: Vec<String> = value.as_array().map(|a| a.iter().map(text).collect()).unwrap_or_default();
    let shown = match kind {
        Codes => chosen.join(" "),
        Bool => String::new(),
        Date => super::dmy(&text(value)),
        _ => text(value),
    };
    json!({
        "name": name,
        "key": key,
        "kind": kind_name,
        "value": shown,
        "checked": value.as_bool().unwrap_or(false),
        "chosen": chosen,
        "options": options,
    })
}

/// The sections of `record` as the template draws them.
fn sections_view(record: &CaseRecord) -> Value {
    let rec = serde_json::to_value(record).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for s in SECTIONS {
        let entries: Vec<Value> = if s.repeated {
            let stored = rec[s.key].as_array().cloned().unwrap_or_default();
            let n = (stored.len() + 1).min(MAX_ROWS);
            (0..n)
                .map(|i| {
                    let entry = stored.get(i).cloned().unwrap_or(Value::Null);
                    let fields: Vec<Value> = s
                        .fields
                        .iter()
                        .map(|(k, kind)| field_view(format!("{}.{i}.{k}", s.key), k, *kind, &entry[*k]))
                        .collect();
                    json!({ "index": i, "new": i >= stored.len(), "fields": fields })
                })
                .collect()
        } else {
            let fields: Vec<Value> = s
                .fields
                .iter()
                .map(|(k, kind)| field_view(format!("{}.{k}", s.key), k, *kind, &rec[s.key][*k]))
                .collect();
            vec![json!({ "index": 0, "new": false, "fields": fields })]
        };
        out.push(json!({ "key": s.key, "repeated": s.repeated, "entries": entries }));
    }
    Value::Array(out)
}

/// A value of a version's change as the page shows it: a list's codes in
/// the page's language, a date as DD/MM/AAAA.
fn value_shown(lang: super::i18n::Lang, section: &str, key: &str, value: &str) -> String {
    let kind = SECTIONS.iter().find(|s| s.key == section).and_then(|s| s.fields.iter().find(|(k, _)| *k == key));
    match kind.map(|(_, k)| *k) {
        Some(Pick(_) | Multi(_)) => value
            .split(", ")
            .map(|code| super::i18n::tr_or(lang, &format!("htcds.v.{code}"), code))
            .collect::<Vec<_>>()
            .join(", "),
        Some(Date) => super::dmy(value),
        Some(Bool) if value == "true" => super::i18n::tr(lang, "audit.yes").to_owned(),
        _ => value.to_owned(),
    }
}

/// Reads one field of the form into JSON, or names the field at fault.
fn read_field(m: &std::collections::HashMap<&str, Vec<&str>>, name: &str, kind: Kind) -> Result<Value, String> {
    let first = m.get(name).and_then(|v| v.first()).map_or("", |s| s.trim());
    Ok(match kind {
        // A date typed as the region writes it (DD/MM/AAAA) is stored ISO.
        Date => json!(super::parse_typed_date(first).map_or_else(|| first.to_string(), |d| d.to_string())),
        Text | Long | Pick(_) => json!(first),
        Bool => json!(!first.is_empty()),
        Number if first.is_empty() => Value::Null,
        Number => {
            let n: f64 = first.replace(',', ".").parse().map_err(|_| name.to_string())?;
            if n.fract() == 0.0 && n >= 0.0 && n < f64::from(u32::MAX) { json!(n as u64) } else { json!(n) }
        }
        Codes => json!(first.split([' ', ',', ';']).filter(|s| !s.is_empty()).collect::<Vec<_>>()),
        Multi(_) => {
            json!(m.get(name).cloned().unwrap_or_default().into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>())
        }
    })
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Reads the case form into a record: the sections of [`SECTIONS`],
/// blank entries of repeated sections left out, the stored comments kept
/// and the new one (`new_comment`) added.
pub fn record_from_form(pairs: &[(String, String)], comments: &[String]) -> Result<CaseRecord, String> {
    let m = multi(pairs);
    let mut rec = Map::new();
    for s in SECTIONS {
        if s.repeated {
            let mut entries = Vec::new();
            for i in 0..MAX_ROWS {
                let mut e = Map::new();
                for (k, kind) in s.fields {
                    e.insert((*k).to_string(), read_field(&m, &format!("{}.{i}.{k}", s.key), *kind)?);
                }
                if e.values().any(|v| !is_blank(v)) {
                    entries.push(Value::Object(e));
                }
            }
            rec.insert(s.key.to_string(), Value::Array(entries));
        } else {
            let mut e = Map::new();
            for (k, kind) in s.fields {
                e.insert((*k).to_string(), read_field(&m, &format!("{}.{k}", s.key), *kind)?);
            }
            rec.insert(s.key.to_string(), Value::Object(e));
        }
    }
    let mut all: Vec<String> = comments.to_vec();
    let new = field(pairs, "new_comment");
    if !new.is_empty() {
        all.push(new.to_string());
    }
    rec.insert("comments".into(), json!(all));
    serde_json::from_value(Value::Object(rec)).map_err(|e| e.to_string())
}

#[derive(Debug, serde::Deserialize)]
pub struct QueuePage {
    #[serde(default)]
    todas: Option<String>,
    #[serde(default)]
    hecho: Option<i64>,
}

/// The referral queue: waiting referrals (or all), with what triggered each.
pub async fn referrals(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Query(q): axum::extract::Query<QueuePage>,
) -> PageResult {
    let waiting = q.todas.is_none();
    let list = app.app().referrals(&user, waiting, 200).await.map_err(|e| ctx.api_error(e))?;
    let open = app.app().cases(&user, 200).await.map_err(|e| ctx.api_error(e))?;
    let open: Vec<_> = open.into_iter().filter(|c| matches!(c.status.as_str(), "Active" | "FollowUp")).collect();
    Ok(ctx.render(
        "referrals.html",
        json!({ "referrals": list, "waiting": waiting, "done": q.hecho, "open_cases": open }),
    ))
}

/// Accepts or declines a referral; an acceptance
/// goes to its case.
pub async fn answer(
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
    let answer = match field(&pairs, "answer") {
        "accept" => AnswerKind::Accept,
        "decline" => AnswerKind::Decline,
        _ => return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_field", None)),
    };
    let case_id = match field(&pairs, "case_id") {
        "" => None,
        s => Some(
            s.parse::<i64>().map_err(|_| ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_field", None))?,
        ),
    };
    let case_id = if answer == AnswerKind::Accept { case_id } else { None };
    match app.app().answer_referral(&user, id, answer, field(&pairs, "reason"), case_id).await.map_err(ApiError::from) {
        Ok(a) => match a.case_id {
            Some(c) => Ok(Redirect::to(&format!("/casos/{c}?abierto=1")).into_response()),
            None => Ok(Redirect::to(&format!("/derivaciones?hecho={id}")).into_response()),
        },
        Err(e) if e.code == ErrorCode::InvalidField => {
            Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "referral.needs_reason", None))
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// The case list.
pub async fn list(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    let list = app.app().cases(&user, 1000).await.map_err(|e| ctx.api_error(e))?;
    Ok(ctx.render("cases.html", json!({ "cases": list })))
}

#[derive(Debug, serde::Deserialize)]
pub struct CasePage {
    #[serde(default)]
    abierto: Option<String>,
    #[serde(default)]
    guardado: Option<i64>,
}

async fn case_page(
    app: &AppState,
    user: &CurrentUser,
    ctx: &PageCtx,
    id: i64,
    status: StatusCode,
    extra: Value,
) -> PageResult {
    let c = app.app().case(user, id).await.map_err(|e| ctx.api_error(e))?;
    let mut history = app.app().case_history(user, id).await.map_err(|e| ctx.api_error(e))?;
    for v in &mut history.versions {
        for c in &mut v.changes {
            c.before = value_shown(ctx.lang, &c.section, &c.key, &c.before);
            c.after = value_shown(ctx.lang, &c.section, &c.key, &c.after);
        }
    }
    let record = match extra.get("draft") {
        Some(d) => serde_json::from_value::<CaseRecord>(d.clone()).unwrap_or_else(|_| c.record.clone()),
        None => c.record.clone(),
    };
    let mut data = json!({
        "case": c,
        "sections": sections_view(&record),
        "history": history,
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e.into_iter().filter(|(k, _)| k != "draft"));
    }
    Ok(ctx.render_status(status, "case.html", data))
}

/// A case: its HTCDS sections as a form, the crossings it holds, its
/// versions.
pub async fn show(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<CasePage>,
) -> PageResult {
    let Ok(id) = id.parse::<i64>() else {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error.not_found", None));
    };
    let extra = json!({ "opened": q.abierto.is_some(), "saved": q.guardado });
    case_page(&app, &user, &ctx, id, StatusCode::OK, extra).await
}

/// Saves the form as a new version, as `PUT /api/cases/{id}` does. A refused value shows the form again with the field named and
/// what was typed kept; a stale base shows the case as it now stands.
pub async fn save(
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
    let Ok(base_version) = field(&pairs, "base_version").parse::<i64>() else {
        return Err(ctx.error(StatusCode::UNPROCESSABLE_ENTITY, "error.invalid_field", None));
    };
    let current = app.app().case(&user, id).await.map_err(|e| ctx.api_error(e))?;
    let bad = |detail: String, draft: Option<&CaseRecord>| json!({ "form_error": "error.invalid_field", "form_detail": detail, "draft": draft });
    let record = match record_from_form(&pairs, &current.record.comments) {
        Ok(r) => r,
        Err(detail) => {
            return case_page(&app, &user, &ctx, id, StatusCode::UNPROCESSABLE_ENTITY, bad(detail, None)).await;
        }
    };
    match app.app().update_case(&user, id, base_version, record.clone()).await.map_err(ApiError::from) {
        Ok(w) => {
            // Back to the section whose button was pressed.
            let section = field(&pairs, "section");
            let anchor = if section == "comments" || SECTIONS.iter().any(|s| s.key == section) {
                format!("#section-{section}")
            } else {
                String::new()
            };
            Ok(Redirect::to(&format!("/casos/{id}?guardado={}{anchor}", w.version)).into_response())
        }
        Err(e) if matches!(e.code, ErrorCode::InvalidField | ErrorCode::InvalidPicklistValue) => {
            case_page(
                &app,
                &user,
                &ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                bad(e.message.to_string(), Some(&record)),
            )
            .await
        }
        Err(e) if e.code == ErrorCode::StaleVersion => {
            let extra = json!({ "form_error": "error.stale_version" });
            case_page(&app, &user, &ctx, id, StatusCode::CONFLICT, extra).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// Reads back a form `record_from_form` would write: used by the tests.
#[cfg(test)]
pub fn form_of(record: &CaseRecord) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in sections_view(record).as_array().into_iter().flatten() {
        for e in s["entries"].as_array().into_iter().flatten() {
            for f in e["fields"].as_array().into_iter().flatten() {
                let name = f["name"].as_str().unwrap_or("").to_string();
                match f["kind"].as_str() {
                    Some("multi") => {
                        for c in f["chosen"].as_array().into_iter().flatten() {
                            out.push((name.clone(), c.as_str().unwrap_or("").to_string()));
                        }
                    }
                    Some("bool") => {
                        if f["checked"].as_bool() == Some(true) {
                            out.push((name, "on".into()));
                        }
                    }
                    _ => out.push((name, f["value"].as_str().unwrap_or("").to_string())),
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use centinela_domain::htcds::{Case, HistoricEvent, Perpetrator};

    use super::*;

    #[test]
    fn the_form_reads_back_the_record_it_shows() {
        let mut r = CaseRecord::default();
        r.person.first_name = "Yessenia".into();
        r.person.citizenship = vec!["GTM".into(), "MEX".into()];
        r.person.number_of_children = Some(2);
        r.person.mailing_latitude = Some(14.6);
        r.case.referring_organisation = "Puesto Tecún Umán".into();
        r.victim.methods_of_control = vec!["DebtBondage".into(), "WithholdsDocuments".into()];
        r.perpetrators.push(Perpetrator {
            first_name: "Carlos".into(),
            role_in_process: vec!["Smuggler".into()],
            ..Default::default()
        });
        r.events.push(HistoricEvent {
            kind: "Transit".into(),
            date: "2026-01-02".into(),
            latitude: Some(14.5),
            ..Default::default()
        });
        r.consent.consent = true;
        r.comments = vec!["primera".into()];
        let r = Case::parse(r).unwrap().into_record();
        let mut form = form_of(&r);
        form.push(("new_comment".into(), "segunda".into()));
        let back = record_from_form(&form, &r.comments).unwrap();
        let back = Case::parse(back).unwrap().into_record();
        let mut want = r.clone();
        want.comments.push("segunda".into());
        assert_eq!(back, want);
        // A number that is not one names its field.
        form.push(("person.prs_NumberOfChildren".into(), "x".into()));
        let pos = form.iter().position(|(k, _)| k == "person.prs_NumberOfChildren").unwrap();
        form.remove(pos);
        assert_eq!(record_from_form(&form, &[]).unwrap_err(), "person.prs_NumberOfChildren");
    }
}
