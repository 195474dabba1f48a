//! The table of endpoints: every route, its handler, and who may call it.
//!
//! [`ENDPOINTS`] and the router are generated from the one `endpoints!`
//! table below, so a route cannot exist without an access rule, and the
//! role-matrix test (`tests/api/matrix.rs`) walks every entry.
//!
//! To add an endpoint, add one line:
//!
//! ```text
//!     Post "/api/inspections" roles(&[Role::Officer, Role::Supervisor]) => inspections::create;
//! ```
//!
//! then give the handler a `#[utoipa::path]` and list it in
//! [`crate::openapi::ApiDoc`] (a test fails when an endpoint is missing from
//! the OpenAPI document). Path parameters are written `{name}` as in axum.

use axum::Router;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};
use centinela_domain::Role;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::{CSRF_COOKIE, LoggedUser, Via, credentials, csrf_ok, request_address};
use crate::error::{ApiError, ErrorCode};
use crate::failures::Attempt;
use crate::handlers::{
    accounts, audit, bookings, cases, clearances, docs, flights, health, inspections, intel, lists, lookouts,
    passengers, pki, rules, session, stats, threshold, users,
};
use crate::state::AppState;
use crate::user::CurrentUser;
use groups::*;

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::Post => "POST",
            Verb::Put => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
        }
    }

    /// Whether the method changes state (and so needs CSRF proof from
    /// cookie sessions).
    pub fn is_unsafe(self) -> bool {
        !matches!(self, Verb::Get)
    }

    fn filter(self) -> MethodFilter {
        match self {
            Verb::Get => MethodFilter::GET,
            Verb::Post => MethodFilter::POST,
            Verb::Put => MethodFilter::PUT,
            Verb::Patch => MethodFilter::PATCH,
            Verb::Delete => MethodFilter::DELETE,
        }
    }
}

/// Who may call an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without logging in. Only for endpoints without personal data.
    Public,
    /// Logged-in users with one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub verb: Verb,
    /// The route template, `{param}` for path parameters.
    pub path: &'static str,
    pub access: Access,
}

/// Anyone.
pub const PUBLIC: Access = Access::Public;
/// Any logged-in user.
pub const ANY_USER: Access = Access::Roles(&Role::ALL);

/// Logged-in users with these roles.
pub const fn roles(roles: &'static [Role]) -> Access {
    Access::Roles(roles)
}

fn guarded<H, T>(app: &AppState, endpoint: Endpoint, handler: H) -> MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    let r = on(endpoint.verb.filter(), handler)
        .route_layer(from_fn_with_state(Guard { app: app.clone(), endpoint }, guard));
    // A CSCA Master List (ICAO's holds hundreds of certificates) is larger
    // than the API's usual body limit.
    if endpoint.verb == Verb::Post && endpoint.path == "/api/pki" {
        r.layer(axum::extract::DefaultBodyLimit::max(pki::IMPORT_BODY_LIMIT))
    } else {
        r
    }
}

macro_rules! endpoints {
    ($($verb:ident $path:literal $access:expr => $handler:path;)*) => {
        /// Every endpoint of the API and who may call it: the one table the
        /// guard, the router and the role-matrix test read.
        pub const ENDPOINTS: &[Endpoint] = &[$(Endpoint { verb: Verb::$verb, path: $path, access: $access }),*];

        /// The API's routes, each behind its guard.
        pub(crate) fn api_routes(app: &AppState) -> Router<AppState> {
            let router = Router::new();
            $(
                let router = router.route(
                    $path,
                    guarded(app, Endpoint { verb: Verb::$verb, path: $path, access: $access }, $handler),
                );
            )*
            router
        }
    };
}

endpoints! {
    Get    "/api/health"        PUBLIC                                               => health::health;
    Get    "/api/openapi.json"  PUBLIC                                               => docs::openapi_json;
    Post   "/api/session"       PUBLIC                                               => session::login;
    Get    "/api/session"       ANY_USER                                             => session::whoami;
    Delete "/api/session"       ANY_USER                                             => session::logout;
    Post   "/api/session/password" ANY_USER                                          => accounts::change_password;
    Get    "/api/users"         roles(ADMINS)                                => users::list;
    Post   "/api/users"         roles(ADMINS)                                => users::create;
    Get    "/api/users/{id}"    roles(ADMINS)                                => users::get;
    Post   "/api/users/{id}/disable" roles(ADMINS)                           => accounts::disable;
    Post   "/api/users/{id}/enable" roles(ADMINS)                            => accounts::enable;
    Post   "/api/users/{id}/password" roles(ADMINS)                          => accounts::reset_password;
    Put    "/api/users/{id}/role" roles(ADMINS)                              => accounts::set_role;
    Put    "/api/users/{id}/post" roles(ADMINS)                              => accounts::set_post;
    Delete "/api/users/{id}/sessions" roles(ADMINS)                          => accounts::end_sessions;
    Get    "/api/users/requests" roles(ADMINS)                               => accounts::requests;
    Post   "/api/users/requests/{id}/approve" roles(ADMINS)                  => accounts::approve;
    Post   "/api/users/requests/{id}/reject" roles(ADMINS)                   => accounts::reject;
    Get    "/api/audit"         roles(AUDITORS)                              => audit::page;
    Get    "/api/audit/verify"  roles(VERIFIERS)                 => audit::verify;
    Get    "/api/lists"         roles(LIST_READERS) => lists::list;
    Post   "/api/passengers/messages" roles(ADMINS)                         => passengers::import;
    Get    "/api/flights"       roles(SUPERVISORS)                                   => flights::list;
    Get    "/api/flights/{id}"  roles(SUPERVISORS)                                   => flights::get;
    Post   "/api/flights/hits/{id}/adjudication" roles(SUPERVISORS)          => flights::adjudicate;
    Post   "/api/lists/reload"  roles(ADMINS)                                => inspections::reload;
    Post   "/api/lists/threshold" roles(LIST_READERS)                        => threshold::backtest;
    Get    "/api/posts"         ANY_USER                                             => inspections::posts;
    Get    "/api/posts/{code}/api-record" roles(INSPECTORS)                          => bookings::api_record;
    Post   "/api/inspections"   roles(INSPECTORS)                                    => inspections::create;
    Get    "/api/hits"          roles(INSPECTORS)                                    => inspections::hits;
    Get    "/api/hits/queue"    roles(INSPECTORS)                                    => inspections::hit_queue;
    Post   "/api/hits/{id}/adjudication" roles(SUPERVISORS)                  => inspections::adjudicate;
    Get    "/api/hits/{id}/thumbnail" roles(INSPECTORS)                          => inspections::thumbnail;
    Post   "/api/hits/{id}/clearance" roles(SUPERVISORS)                     => clearances::clear;
    Get    "/api/clearances"    roles(SUPERVISORS)                                   => clearances::list;
    Post   "/api/clearances/{uid}/revoke" roles(SUPERVISORS)                 => clearances::revoke;
    Get    "/api/lookouts"      roles(LOOKOUT_ISSUERS)                               => lookouts::list;
    Post   "/api/lookouts"      roles(LOOKOUT_ISSUERS)                               => lookouts::issue;
    Get    "/api/lookouts/hits" roles(LOOKOUT_ISSUERS)                               => lookouts::hits;
    Get    "/api/lookouts/hits/stream" roles(LOOKOUT_ISSUERS)                        => lookouts::stream;
    Get    "/api/lookouts/{uid}" roles(LOOKOUT_ISSUERS)                              => lookouts::get;
    Patch  "/api/lookouts/{uid}" roles(LOOKOUT_ISSUERS)                              => lookouts::change;
    Post   "/api/lookouts/{uid}/cancel" roles(LOOKOUT_ISSUERS)                       => lookouts::cancel;
    Get    "/api/crossings/{id}" roles(READERS)                                      => inspections::crossing;
    Post   "/api/crossings/{id}/decision" roles(INSPECTORS)                          => inspections::decide;
    Get    "/api/crossings/{id}/timeline" roles(TIMELINE) => inspections::timeline;
    Get    "/api/crossings/{id}/images/{kind}" roles(READERS)                        => pki::image;
    Get    "/api/pki"           roles(PKI_READERS)                                   => pki::list;
    Post   "/api/pki"           roles(ADMINS)                                        => pki::import;
    Get    "/api/referrals"     roles(PROTECTION)                                    => cases::referrals;
    Get    "/api/referrals/{id}" roles(PROTECTION)                                   => cases::referral;
    Post   "/api/referrals/{id}/answer" roles(PROTECTION)                            => cases::answer;
    Get    "/api/cases"         ANY_USER                                             => cases::cases;
    Post   "/api/cases"         roles(PROTECTION)                                    => cases::create;
    Get    "/api/cases/export"  roles(PROTECTION)                                    => cases::export;
    Get    "/api/cases/{id}"    ANY_USER                                             => cases::case;
    Put    "/api/cases/{id}"    roles(PROTECTION)                                    => cases::update;
    Get    "/api/cases/{id}/versions" ANY_USER                                       => cases::versions;
    Post   "/api/cases/{id}/shares" roles(PROTECTION)                                => cases::share;
    Get    "/api/stats"          roles(STATS)                                        => stats::get;
    Get    "/api/stats/csv"      roles(STATS)                                        => stats::csv;
    Get    "/api/stats/regional" roles(STATS)                                        => stats::regional;
    Get    "/api/rules"         roles(RULE_READERS)                                  => rules::list;
    Post   "/api/rules"         roles(ANALYSTS)                              => rules::save;
    Post   "/api/rules/check"   roles(RULE_WRITERS)                                  => rules::check;
    Post   "/api/rules/backtest" roles(RULE_WRITERS)                                 => rules::backtest;
    Get    "/api/rules/{id}/versions" roles(RULE_READERS)                            => rules::versions;
    Post   "/api/rules/{id}/enable" roles(RULE_WRITERS)                              => rules::enable;
    Post   "/api/rules/{id}/disable" roles(RULE_WRITERS)                             => rules::disable;
    Get    "/api/intel/persons" roles(ANALYSTS)                                      => intel::persons;
    Get    "/api/intel/persons/{id}" roles(ANALYSTS)                                 => intel::person;
    Get    "/api/intel/persons/{id}/crossings" roles(ANALYSTS)                       => intel::person_crossings;
    Get    "/api/intel/persons/{id}/network" roles(ANALYSTS)                         => intel::person_network;
    Get    "/api/intel/facilitators" roles(ANALYSTS)                                 => intel::facilitators;
    Get    "/api/intel/rings"   roles(ANALYSTS)                                      => intel::rings;
    Get    "/api/intel/rings/{id}/network" roles(ANALYSTS)                           => intel::ring_network;
    Get    "/api/intel/documents" roles(ANALYSTS)                                    => intel::documents;
    Get    "/api/intel/contacts" roles(ANALYSTS)                                     => intel::contacts;
    Get    "/api/intel/export"  roles(ANALYSTS)                                      => intel::export;
    Get    "/api/intel/decisions" roles(ANALYSTS)                                    => intel::decisions;
    Post   "/api/intel/decisions" roles(ANALYSTS)                                    => intel::decide;
    Post   "/api/intel/decisions/{id}/withdraw" roles(ANALYSTS)                      => intel::withdraw;
    Get    "/api/intel/faces"   roles(ANALYSTS)                                      => pki::faces;
    Get    "/api/intel/bookings" roles(ANALYSTS)                                     => bookings::search;
    Get    "/api/intel/bookings/{carrier}/{locator}" roles(ANALYSTS)                 => bookings::links;
    Post   "/api/intel/booking-versions/{id}/unmask" roles(ANALYSTS)                 => bookings::unmask;
}

/// The role groups both tables (the API's here, the pages' in `web`) name:
/// one definition each.
pub mod groups {
    use centinela_domain::Role;

    /// Who works the booth and secondary inspection.
    pub const INSPECTORS: &[Role] = &[Role::Officer, Role::Supervisor];
    /// Who adjudicates hits.
    pub const SUPERVISORS: &[Role] = &[Role::Supervisor];
    /// Who may read a crossing's record.
    pub const READERS: &[Role] = &[Role::Officer, Role::Supervisor, Role::Analyst, Role::Protection];
    /// Who reads a traveller's timeline (the analysts read persons instead,
    /// the protection unit for its referrals).
    pub const TIMELINE: &[Role] = &[Role::Supervisor, Role::Analyst, Role::Protection];
    /// Who reads the alert lists.
    pub const LIST_READERS: &[Role] = &[Role::Admin, Role::Analyst, Role::Supervisor];
    /// Users, posts, list imports, retention.
    pub const ADMINS: &[Role] = &[Role::Admin];
    /// Who reads the audit log.
    pub const AUDITORS: &[Role] = &[Role::Auditor];
    /// Who verifies the audit chain.
    pub const VERIFIERS: &[Role] = &[Role::Auditor, Role::Admin];
    /// The intelligence unit: resolved persons, networks, exports and the
    /// merge/split decisions are the analysts' alone (PRODUCT.md: the
    /// analyst "resolves identities across records; studies co-travel
    /// networks"); a supervisor or protection officer reads one
    /// traveller's timeline instead.
    pub const ANALYSTS: &[Role] = &[Role::Analyst];
    /// The protection unit: referrals and trafficking cases. (Reading a
    /// case is open to any role at the route, but the use case answers only
    /// the protection unit and the users the case is shared with.)
    pub const PROTECTION: &[Role] = &[Role::Protection];
    /// Who reads the chip's trust anchors (public certificates and CRLs):
    /// administrators, who import them, and auditors.
    pub const PKI_READERS: &[Role] = &[Role::Admin, Role::Auditor];
    /// Who reads the statistics (counts only).
    pub const STATS: &[Role] = &[Role::Supervisor, Role::Analyst, Role::Admin];
    /// Who reads the risk rules (no personal data): the intelligence unit,
    /// administrators, supervisors (who adjudicate what the rules raise)
    /// and auditors (what was in force). Never officers.
    pub const RULE_READERS: &[Role] = &[Role::Analyst, Role::Admin, Role::Supervisor, Role::Auditor];
    /// Who checks, back-tests, enables and disables rules (saving a text is
    /// the analysts' alone: [`ANALYSTS`]).
    pub const RULE_WRITERS: &[Role] = &[Role::Analyst, Role::Admin];
    /// Who issues, changes, cancels and follows lookouts (issue 21).
    pub const LOOKOUT_ISSUERS: &[Role] = &[Role::Supervisor, Role::Analyst];
}

/// Route prefixes whose answers span every border post: the intelligence
/// unit's analyses (persons, networks and exports are built from every
/// post's crossings) and the protection unit's referral queue. A user
/// bound to a post is refused them (`forbidden`) whatever the role: these
/// units work country-wide and need country-wide accounts. Endpoints that
/// answer one record check its post in the handler instead.
pub const COUNTRY_WIDE: &[&str] = &["/api/intel/", "/api/referrals", "/api/cases/export"];

/// Whether the route template `path` is only for users bound to no post.
pub fn is_country_wide(path: &str) -> bool {
    COUNTRY_WIDE.iter().any(|p| path.starts_with(p))
}

/// The endpoint with this method and route template.
pub fn endpoint(verb: Verb, path: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.verb == verb && e.path == path)
}

/// Routes served outside the table: the Swagger UI's static files (public,
/// no data). Listed so tests can check they need no login.
pub const STATIC_ROUTES: &[&str] = &["/api/docs", "/api/docs/"];

/// Routes for border posts, outside the table: authenticated by a post key
/// (`handlers::sync::PostAuth`), never by a user session.
pub const POST_KEY_ROUTES: &[(Verb, &str)] =
    &[(Verb::Post, "/api/sync/push"), (Verb::Post, "/api/sync/pull"), (Verb::Post, "/api/sync/lookouts")];

/// The post-key routes, with their larger body limit for pushes.
pub(crate) fn post_key_routes() -> Router<AppState> {
    use axum::extract::DefaultBodyLimit;
    use axum::routing::post;

    use crate::handlers::sync;
    Router::new()
        .route("/api/sync/push", post(sync::push).layer(DefaultBodyLimit::max(sync::PUSH_BODY_LIMIT)))
        .route("/api/sync/pull", post(sync::pull))
        .route("/api/sync/lookouts", post(sync::pull_lookouts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_no_duplicates() {
        for (i, a) in ENDPOINTS.iter().enumerate() {
            assert!(a.path.starts_with("/api/"), "{}", a.path);
            for b in &ENDPOINTS[i + 1..] {
                assert!(!(a.verb == b.verb && a.path == b.path), "{} {} twice", a.verb.as_str(), a.path);
            }
            if let Access::Roles(r) = a.access {
                assert!(!r.is_empty(), "{} {} allows no role: leave it out instead", a.verb.as_str(), a.path);
            }
        }
    }
}

/// What a session whose password must change may still call: who am I,
/// log out, change the password. Everything else answers
/// `password_change_required`.
pub const PASSWORD_CHANGE_ROUTES: &[(Verb, &str)] =
    &[(Verb::Get, "/api/session"), (Verb::Delete, "/api/session"), (Verb::Post, "/api/session/password")];

/// The answer to any other request of such a session.
pub(crate) fn password_change_required() -> ApiError {
    ApiError::new(
        ErrorCode::PasswordChangeRequired,
        "an administrator set this password: change it first (POST /api/session/password)",
    )
}

/// The state of one endpoint's guard.
#[derive(Clone)]
pub(crate) struct Guard {
    pub(crate) app: AppState,
    pub(crate) endpoint: Endpoint,
}

/// Deny by default: a public endpoint passes; any other needs a live
/// session, CSRF proof when the session came in a cookie and the method is
/// unsafe, and a role the endpoint's table entry names. Every 401, 403 or
/// 404 answer of such an endpoint — the guard's or the handler's (a record
/// the user may not see) — is audited as `access_denied`: the user id (or
/// `anonymous`), the route template, the status and the client address,
/// aggregated per minute ([`crate::failures`]).
pub(crate) async fn guard(State(g): State<Guard>, req: Request, next: Next) -> Response {
    let Access::Roles(roles) = g.endpoint.access else {
        return next.run(req).await;
    };
    let address = request_address(req.extensions(), req.headers(), &g.app);
    let resp = check_access(&g, roles, req, next).await;
    let status = resp.status().as_u16();
    if matches!(status, 401 | 403 | 404) {
        let actor =
            resp.extensions().get::<LoggedUser>().map_or_else(|| "anonymous".to_string(), |u| format!("user:{}", u.0));
        let what = format!("{} {}", g.endpoint.verb.as_str(), g.endpoint.path);
        let attempt = Attempt::new(actor, "access_denied", what, address, serde_json::json!({ "status": status }));
        if let Err(e) = g.app.audit_attempt(attempt).await {
            tracing::error!(error = %e.message, route = g.endpoint.path, "cannot audit a denied request");
        }
    }
    resp
}

async fn check_access(g: &Guard, roles: &[Role], mut req: Request, next: Next) -> Response {
    let (user, csrf_checked) = {
        let Some((token, via)) = credentials(req.headers()) else {
            return ApiError::unauthenticated().into_response();
        };
        let user = match g.app.authenticate(token).await {
            Ok(Some(u)) => u,
            Ok(None) => return ApiError::unauthenticated().into_response(),
            Err(e) => return e.into_response(),
        };
        let checked = via == Via::Bearer || !g.endpoint.verb.is_unsafe() || csrf_ok(req.headers(), token);
        (user, checked)
    };
    if !csrf_checked {
        tracing::info!(user = user.id, route = g.endpoint.path, "CSRF token missing or wrong");
        let mut resp = ApiError::new(
            ErrorCode::CsrfFailed,
            format!("cookie sessions must send the {CSRF_COOKIE} cookie's value in the X-CSRF-Token header"),
        )
        .into_response();
        resp.extensions_mut().insert(LoggedUser(user.id));
        return resp;
    }
    if user.must_change_password && !PASSWORD_CHANGE_ROUTES.contains(&(g.endpoint.verb, g.endpoint.path)) {
        let mut resp = password_change_required().into_response();
        resp.extensions_mut().insert(LoggedUser(user.id));
        return resp;
    }
    if !roles.contains(&user.role) {
        let mut resp = ApiError::forbidden().into_response();
        resp.extensions_mut().insert(LoggedUser(user.id));
        return resp;
    }
    if user.post.is_some() && is_country_wide(g.endpoint.path) {
        let mut resp = ApiError::bound_to_post().into_response();
        resp.extensions_mut().insert(LoggedUser(user.id));
        return resp;
    }
    let id = user.id;
    req.extensions_mut().insert(CurrentUser(user));
    let mut resp = next.run(req).await;
    resp.extensions_mut().insert(LoggedUser(id));
    resp
}
