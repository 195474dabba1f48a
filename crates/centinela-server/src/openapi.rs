//! The OpenAPI document: handlers' `#[utoipa::path]` annotations, the two
//! ways to authenticate, and each operation's allowed roles taken from
//! [`crate::routes::ENDPOINTS`] (so the document cannot disagree with the
//! guard), with the 401 and 403 answers every guarded operation gives
//! (handlers document those only when they say more).

use axum::body::Bytes;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, PathItem, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::error::{ErrorBody, ErrorCode, ErrorType};
use crate::handlers::{
    accounts, audit, bookings, cases, clearances, docs, flights, health, inspections, intel, lists, lookouts,
    passengers, pki, rules, session, stats, sync, threshold, users,
};
use crate::routes::{Access, ENDPOINTS, Verb};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Centinela API",
        description = "Border management: travel documents, alert-list screening, inspections. \
            Errors answer `{\"message\",\"code\",\"type\"}` with a stable `code`. \
            Log in with `POST /api/session`; send the token as `Authorization: Bearer …`, \
            or use the session cookie with the `X-CSRF-Token` header on unsafe methods."
    ),
    paths(
        health::health,
        docs::openapi_json,
        session::login,
        session::whoami,
        session::logout,
        accounts::change_password,
        users::list,
        users::create,
        users::get,
        accounts::disable,
        accounts::enable,
        accounts::reset_password,
        accounts::set_role,
        accounts::set_post,
        accounts::end_sessions,
        accounts::requests,
        accounts::approve,
        accounts::reject,
        audit::page,
        audit::verify,
        lists::list,
        passengers::import,
        flights::list,
        flights::get,
        flights::adjudicate,
        threshold::backtest,
        inspections::reload,
        inspections::posts,
        inspections::create,
        inspections::hits,
        inspections::hit_queue,
        inspections::adjudicate,
        inspections::thumbnail,
        inspections::crossing,
        inspections::decide,
        inspections::timeline,
        clearances::clear,
        clearances::list,
        clearances::revoke,
        lookouts::issue,
        lookouts::list,
        lookouts::get,
        lookouts::change,
        lookouts::cancel,
        lookouts::hits,
        lookouts::stream,
        cases::referrals,
        cases::referral,
        cases::answer,
        cases::cases,
        cases::create,
        cases::export,
        cases::case,
        cases::update,
        cases::versions,
        cases::share,
        stats::get,
        stats::csv,
        stats::regional,
        rules::list,
        rules::save,
        rules::check,
        rules::backtest,
        rules::versions,
        rules::enable,
        rules::disable,
        sync::push,
        sync::pull,
        sync::pull_lookouts,
        intel::persons,
        intel::person,
        intel::person_crossings,
        intel::person_network,
        intel::facilitators,
        intel::rings,
        intel::ring_network,
        intel::documents,
        intel::contacts,
        intel::export,
        intel::decisions,
        intel::decide,
        intel::withdraw,
        bookings::search,
        bookings::links,
        bookings::unmask,
        bookings::api_record,
        pki::list,
        pki::import,
        pki::image,
        pki::faces,
    ),
    components(schemas(ErrorBody, ErrorCode, ErrorType)),
    modifiers(&Security),
    tags(
        (name = "system", description = "Health and documentation"),
        (name = "session", description = "Log in and out"),
        (name = "users", description = "User accounts (admin)"),
        (name = "audit", description = "The tamper-evident audit chain"),
        (name = "lists", description = "Alert lists"),
        (name = "pki", description = "The ePassport chip's trust anchors: CSCA Master Lists, CSCA certificates, CRLs"),
        (name = "passengers", description = "Air passenger data: API lists (PAXLST) and PNRs (PNRGOV) from carriers"),
        (name = "inspections", description = "Inspections at the booth, hits and their adjudication, crossings"),
        (name = "rules", description = "Risk rules: the catalogue in force, versions, checking, back-testing, enabling"),
        (name = "cases", description = "Referrals to protection and trafficking cases (HTCDS 2.0)"),
        (name = "stats", description = "Statistics: the dashboard's figures and the k-anonymous regional release"),
        (name = "lookouts", description = "Lookouts: urgent alerts on a person, document, vehicle or phone, and their hits"),
        (name = "sync", description = "Border posts synchronising with the centre (post key as bearer)"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The web interface's session; unsafe methods also need the X-CSRF-Token header",
            ))),
        );
    }
}

fn operation(item: &mut PathItem, verb: Verb) -> Option<&mut utoipa::openapi::path::Operation> {
    match verb {
        Verb::Get => item.get.as_mut(),
        Verb::Post => item.post.as_mut(),
        Verb::Put => item.put.as_mut(),
        Verb::Patch => item.patch.as_mut(),
        Verb::Delete => item.delete.as_mut(),
    }
}

/// The document with every operation's allowed roles written into its
/// description (`x-roles` too).
pub fn document() -> Document {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    name_operations(&mut doc);
    for e in ENDPOINTS {
        let Some(op) = doc.paths.paths.get_mut(e.path).and_then(|item| operation(item, e.verb)) else {
            continue;
        };
        let who = match e.access {
            Access::Public => "Access: public (no login).".to_owned(),
            Access::Roles(roles) => {
                format!("Access: roles {}.", roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "))
            }
        };
        op.description = Some(match op.description.take() {
            Some(d) if !d.is_empty() => format!("{d}\n\n{who}"),
            _ => who,
        });
        let roles = match e.access {
            Access::Public => serde_json::Value::Array(vec![]),
            Access::Roles(roles) => roles.iter().map(|r| serde_json::Value::from(r.as_str())).collect(),
        };
        op.extensions.get_or_insert_with(Default::default).insert("x-roles".to_owned(), roles);
        if let Access::Roles(roles) = e.access {
            // Every guarded operation answers these; an operation documents
            // its own 401 or 403 only when it has more to say.
            let allowed = roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ");
            let responses = &mut op.responses.responses;
            responses.entry("401".to_owned()).or_insert_with(|| error_response("Not logged in (`unauthenticated`)"));
            responses
                .entry("403".to_owned())
                .or_insert_with(|| error_response(&format!("Role not allowed (`forbidden`): only {allowed}")));
        }
    }
    doc
}

/// Gives every operation the id `{tag}_{handler}` (`cases_create`,
/// `users_create`): handlers in different areas share names (`create`,
/// `list`, `get`), and an OpenAPI document needs each id once.
fn name_operations(doc: &mut Document) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in ops.into_iter().flatten() {
            let tag = op.tags.as_ref().and_then(|t| t.first()).cloned();
            if let (Some(tag), Some(id)) = (tag, op.operation_id.as_mut())
                && !id.starts_with(&format!("{tag}_"))
            {
                *id = format!("{tag}_{id}");
            }
        }
    }
}

/// A response with the API's error body.
fn error_response(description: &str) -> RefOr<Response> {
    let body = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
    ResponseBuilder::new().description(description).content("application/json", body).into()
}

/// [`document`] as JSON, built once at start-up.
pub(crate) fn document_json() -> Bytes {
    // Serialising a document of plain data cannot fail; an empty object
    // would make the OpenAPI test fail loudly rather than the server.
    Bytes::from(serde_json::to_vec(&document()).unwrap_or_else(|_| b"{}".to_vec()))
}

/// The names the API accepts for the domain's enumerations (in
/// [`crate::schemas`], below the handlers that name them).
pub use crate::schemas as names;

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// The values the document lists for `name`.
    fn listed(name: &str) -> Vec<String> {
        let doc = serde_json::to_value(super::document()).unwrap();
        let values = doc["components"]["schemas"][name]["enum"].as_array().unwrap_or_else(|| panic!("{name}: {doc}"));
        values.iter().map(|v| v.as_str().unwrap().to_owned()).collect()
    }

    /// Every operation has an `operationId` of its own (code generators
    /// name methods after them), and every success answer says what its
    /// body is.
    #[test]
    fn operation_ids_are_unique_and_successes_have_schemas() {
        let doc = serde_json::to_value(super::document()).unwrap();
        let mut seen = std::collections::BTreeMap::new();
        let mut missing = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (verb, op) in item.as_object().unwrap() {
                let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{verb} {path}: no operationId"));
                if let Some(other) = seen.insert(id.to_owned(), format!("{verb} {path}")) {
                    panic!("operationId {id} used by {other} and {verb} {path}");
                }
                for (status, resp) in op["responses"].as_object().unwrap() {
                    if !status.starts_with('2') || status == "204" {
                        continue;
                    }
                    let content = resp["content"].as_object();
                    let typed = content.is_some_and(|c| !c.is_empty() && c.values().all(|m| m.get("schema").is_some()));
                    if !typed {
                        missing.push(format!("{verb} {path} {status}"));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "success answers without a schema: {missing:?}");
        assert!(seen.len() > 50, "{}", seen.len());
    }

    /// Every name the document lists parses as the domain's type, and as
    /// many as it has.
    #[test]
    fn documented_names_are_the_domains() {
        fn check<T: serde::de::DeserializeOwned>(name: &str, count: usize) {
            let values = listed(name);
            assert_eq!(values.len(), count, "{name}: {values:?}");
            for v in values {
                serde_json::from_value::<T>(Value::String(v.clone())).unwrap_or_else(|e| panic!("{name} {v}: {e}"));
            }
        }
        check::<centinela_domain::Role>("RoleName", centinela_domain::Role::ALL.len());
        check::<centinela_store::Decision>("DecisionName", 4);
        check::<centinela_store::Verdict>("VerdictName", 2);
        check::<centinela_store::OverrideKind>("OverrideKindName", 2);
    }
}
