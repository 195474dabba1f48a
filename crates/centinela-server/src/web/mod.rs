//! The web interface: server-rendered pages for officers, supervisors,
//! analysts, administrators and auditors, in Spanish (default) and English.
//!
//! # Shape
//! - [`PAGES`] — the one table of pages: method, route, who may open it,
//!   and the API endpoints it acts through. Like the API's table, the router
//!   and the guard are generated from it (deny by default), and a test
//!   checks that no page allows a role the API endpoints it uses refuse.
//! - [`NAV`] — the navigation; a role is offered only the pages it may open.
//! - `pages` — the handlers. They call the use cases of `centinela-app`
//!   (areas not yet moved there still call the API's handlers), so a page
//!   does exactly what the API does, audit entries included.
//! - `i18n` — the catalogues (`web/i18n/{es,en}.txt`); `t("key")` in
//!   templates. `?lang=en` (or `es`) on any page sets the language cookie.
//! - `charts` — SVG charts drawn on the server.
//! - [`report`] — the infographic report (SVG and printable page) from a
//!   k-anonymous release; `centinela stats export` writes the same.
//! - `import` — list imports from the browser as background jobs with
//!   progress.
//!
//! Templates (minijinja, autoescaped) and static files are embedded in the
//! binary: a border post may have no internet.
//!
//! Sessions are the API's cookie sessions. Every unsafe request carries the
//! CSRF token, as a form field `_csrf` or the `X-CSRF-Token` header.

/// What a page answers: the page, or an error page.
type PageResult = Result<axum::response::Response, axum::response::Response>;

mod accounts;
mod admin;
mod again;
mod audit;
mod bookings;
mod booth;
mod cases;
mod charts;
mod connectors;
mod dashboard;
mod flights;
mod i18n;
mod import;
mod intel;
mod lookouts;
mod notifications;
mod pages;
pub mod report;
mod review;
mod rules;
mod threshold;
mod trust;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{Next, from_fn, from_fn_with_state};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, on};
use centinela_domain::Role;
use minijinja::Environment;
use serde_json::{Value, json};

use crate::auth::{AuthUser, CSRF_HEADER, CurrentUser, LoggedUser, SESSION_COOKIE, cookie, csrf_token};
use crate::error::{ApiError, ErrorCode};
use crate::routes::groups::*;
use crate::routes::{ANY_USER, Access, PUBLIC, Verb, roles};
use crate::state::AppState;

pub use i18n::{Lang, phrase};

/// The language cookie (`es` or `en`).
pub const LANG_COOKIE: &str = "centinela_lang";

/// The largest list file accepted through the browser.
pub const IMPORT_LIMIT: usize = 512 << 20;

/// The largest form accepted.
const FORM_LIMIT: usize = 1 << 20;

/// One page (or form target) of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub verb: Verb,
    /// The route template, `{param}` for path parameters.
    pub path: &'static str,
    pub access: Access,
    /// The API endpoints (method, route) whose work the page does: it may
    /// allow no role that they refuse.
    pub uses: &'static [(Verb, &'static str)],
}

fn guarded_page<H, T>(app: &AppState, page: Page, handler: H) -> MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    let r = on(verb_filter(page.verb), handler)
        .route_layer(from_fn_with_state(PageGuard { app: app.clone(), page }, page_guard));
    if page.path == "/listas/importar" { r.layer(DefaultBodyLimit::max(IMPORT_LIMIT)) } else { r }
}

fn verb_filter(v: Verb) -> axum::routing::MethodFilter {
    use axum::routing::MethodFilter;
    match v {
        Verb::Get => MethodFilter::GET,
        Verb::Post => MethodFilter::POST,
        Verb::Put => MethodFilter::PUT,
        Verb::Patch => MethodFilter::PATCH,
        Verb::Delete => MethodFilter::DELETE,
    }
}

macro_rules! pages {
    ($($verb:ident $path:literal $access:expr, [$($uv:ident $up:literal),*] => $handler:path;)*) => {
        /// Every page of the interface and who may open it.
        pub const PAGES: &[Page] = &[$(Page {
            verb: Verb::$verb, path: $path, access: $access, uses: &[$((Verb::$uv, $up)),*],
        }),*];

        fn page_routes(app: &AppState) -> Router<AppState> {
            let router = Router::new();
            $(
                let router = router.route(
                    $path,
                    guarded_page(app, Page { verb: Verb::$verb, path: $path, access: $access, uses: &[$((Verb::$uv, $up)),*] }, $handler),
                );
            )*
            router
        }
    };
}

pages! {
    Get  "/static/{file}"           PUBLIC, []                                            => pages::asset;
    Get  "/entrar"                  PUBLIC, []                                            => pages::login_form;
    Post "/entrar"                  PUBLIC, [Post "/api/session"]                         => pages::login;
    Post "/salir"                   ANY_USER, [Delete "/api/session"]                     => pages::logout;
    Get  "/"                        ANY_USER, []                                          => pages::home;
    Get  "/de-nuevo/{token}"        ANY_USER, []                                          => again::again;
    Get  "/inspeccion"              roles(INSPECTORS), [Post "/api/inspections", Get "/api/posts/{code}/api-record"] => booth::inspection_form;
    Post "/inspeccion"              roles(INSPECTORS), [Post "/api/inspections", Get "/api/crossings/{id}", Get "/api/crossings/{id}/images/{kind}", Get "/api/hits/{id}/thumbnail"] => booth::inspect;
    Post "/inspeccion/decision"     roles(INSPECTORS), [Post "/api/crossings/{id}/decision", Get "/api/crossings/{id}", Get "/api/hits/{id}/thumbnail"] => booth::decide;
    Get  "/alertas"                 roles(INSPECTORS), [Get "/api/hits/queue"]            => review::hits;
    Post "/alertas/{id}"            roles(SUPERVISORS), [Post "/api/hits/{id}/adjudication", Post "/api/hits/{id}/clearance"] => review::adjudicate;
    Get  "/vuelos"                  roles(SUPERVISORS), [Get "/api/flights"]              => flights::flights;
    Get  "/vuelos/{id}"             roles(SUPERVISORS), [Get "/api/flights/{id}"]         => flights::flight;
    Post "/vuelos/alertas/{id}"     roles(SUPERVISORS), [Post "/api/flights/hits/{id}/adjudication"] => flights::adjudicate;
    Get  "/busquedas"               roles(LOOKOUT_ISSUERS), [Get "/api/lookouts", Get "/api/lookouts/hits"] => lookouts::lookouts;
    Post "/busquedas"               roles(LOOKOUT_ISSUERS), [Post "/api/lookouts", Get "/api/lookouts", Get "/api/lookouts/hits"] => lookouts::issue;
    Post "/busquedas/{uid}/cancelar" roles(LOOKOUT_ISSUERS), [Post "/api/lookouts/{uid}/cancel", Get "/api/lookouts", Get "/api/lookouts/hits"] => lookouts::cancel;
    Get  "/cruces/{id}"             roles(TIMELINE), [Get "/api/crossings/{id}", Get "/api/crossings/{id}/timeline"] => review::timeline;
    Get  "/listas"                  roles(LIST_READERS), [Get "/api/lists"]               => admin::lists;
    Post "/listas/umbral"           roles(LIST_READERS), [Get "/api/lists", Post "/api/lists/threshold"] => threshold::backtest;
    Post "/listas/importar"         roles(ADMINS), [Post "/api/lists/reload"]     => import::start;
    Get  "/listas/importar/{job}"   roles(ADMINS), [Post "/api/lists/reload"]     => import::progress;
    Post "/listas/recargar"         roles(ADMINS), [Post "/api/lists/reload"]     => admin::reload;
    Post "/listas/conectores"       roles(ADMINS), [Post "/api/lists/reload"]     => connectors::add;
    Post "/listas/conectores/{name}/ejecutar" roles(ADMINS), [Post "/api/lists/reload"] => connectors::run;
    Post "/listas/conectores/{name}/desactivar" roles(ADMINS), [Post "/api/lists/reload"] => connectors::disable;
    Post "/listas/conectores/{name}/activar" roles(ADMINS), [Post "/api/lists/reload"] => connectors::enable;
    Post "/listas/avisos"           roles(ADMINS), [Post "/api/lists/reload"]     => notifications::add;
    Post "/listas/avisos/{id}/probar" roles(ADMINS), [Post "/api/lists/reload"]   => notifications::test;
    Post "/listas/avisos/{id}/desactivar" roles(ADMINS), [Post "/api/lists/reload"] => notifications::disable;
    Post "/listas/avisos/{id}/activar" roles(ADMINS), [Post "/api/lists/reload"]  => notifications::enable;
    Post "/listas/avisos/{id}/eliminar" roles(ADMINS), [Post "/api/lists/reload"] => notifications::remove;
    Get  "/derivaciones"            roles(PROTECTION), [Get "/api/referrals", Get "/api/cases"] => cases::referrals;
    Post "/derivaciones/{id}"       roles(PROTECTION), [Post "/api/referrals/{id}/answer"] => cases::answer;
    Get  "/casos"                   roles(PROTECTION), [Get "/api/cases"]                 => cases::list;
    Get  "/casos/{id}"              roles(PROTECTION), [Get "/api/cases/{id}", Get "/api/cases/{id}/versions"] => cases::show;
    Post "/casos/{id}"              roles(PROTECTION), [Put "/api/cases/{id}", Get "/api/cases/{id}", Get "/api/cases/{id}/versions"] => cases::save;
    Get  "/estadisticas"            roles(STATS), [Get "/api/stats", Get "/api/stats/csv"] => dashboard::stats;
    Get  "/informe"                 roles(STATS), [Get "/api/stats/regional"]             => dashboard::report;
    Get  "/contrasena"              ANY_USER, []                                          => accounts::password_form;
    Post "/contrasena"              ANY_USER, [Post "/api/session/password"]              => accounts::change_password;
    Get  "/usuarios"                roles(ADMINS), [Get "/api/users", Get "/api/users/requests"] => admin::users;
    Post "/usuarios"                roles(ADMINS), [Post "/api/users", Get "/api/users", Get "/api/users/requests"] => admin::create_user;
    Post "/usuarios/{id}/deshabilitar" roles(ADMINS), [Post "/api/users/{id}/disable", Get "/api/users"] => accounts::disable;
    Post "/usuarios/{id}/habilitar" roles(ADMINS), [Post "/api/users/{id}/enable", Get "/api/users"] => accounts::enable;
    Post "/usuarios/{id}/contrasena" roles(ADMINS), [Post "/api/users/{id}/password", Get "/api/users"] => accounts::reset_password;
    Post "/usuarios/{id}/funcion"   roles(ADMINS), [Put "/api/users/{id}/role", Get "/api/users"] => accounts::set_role;
    Post "/usuarios/{id}/puesto"    roles(ADMINS), [Put "/api/users/{id}/post", Get "/api/users"] => accounts::set_post;
    Post "/usuarios/{id}/sesiones"  roles(ADMINS), [Delete "/api/users/{id}/sessions", Get "/api/users"] => accounts::end_sessions;
    Post "/usuarios/solicitudes/{id}/aprobar" roles(ADMINS), [Post "/api/users/requests/{id}/approve", Get "/api/users/requests"] => accounts::approve;
    Post "/usuarios/solicitudes/{id}/rechazar" roles(ADMINS), [Post "/api/users/requests/{id}/reject", Get "/api/users/requests"] => accounts::reject;
    Get  "/puestos"                 roles(ADMINS), [Get "/api/posts"]             => admin::posts;
    Get  "/confianza"               roles(PKI_READERS), [Get "/api/pki"]         => trust::anchors;
    Post "/puestos"                 roles(ADMINS), [Post "/api/lists/reload"]     => admin::create_post;
    Post "/puestos/{code}/zona"     roles(ADMINS), [Post "/api/lists/reload"]     => admin::set_zone;
    Post "/puestos/{code}/aeropuerto" roles(ADMINS), [Post "/api/lists/reload"]   => admin::set_iata;
    Get  "/reglas"                  roles(RULE_READERS), [Get "/api/rules"]               => rules::rules;
    Post "/reglas/probar"           roles(RULE_WRITERS), [Get "/api/rules", Post "/api/rules/check", Post "/api/rules/backtest"] => rules::rules_backtest;
    Post "/reglas/guardar"          roles(ANALYSTS), [Get "/api/rules", Post "/api/rules/check", Post "/api/rules"] => rules::rules_save;
    Post "/reglas/{id}/activar"     roles(RULE_WRITERS), [Get "/api/rules", Post "/api/rules/{id}/enable"] => rules::rules_enable;
    Post "/reglas/{id}/desactivar"  roles(RULE_WRITERS), [Get "/api/rules", Post "/api/rules/{id}/disable"] => rules::rules_disable;
    Get  "/auditoria"               roles(AUDITORS), [Get "/api/audit"]           => audit::audit;
    Get  "/auditoria/verificar"     roles(AUDITORS), [Get "/api/audit/verify", Get "/api/audit"] => audit::audit_verify;
    Get  "/auditoria/exportar"      roles(AUDITORS), [Get "/api/audit"]           => audit::export;
    Get  "/redes"                   roles(ANALYSTS), [Get "/api/intel/facilitators", Get "/api/intel/rings", Get "/api/intel/persons", Get "/api/intel/faces"] => intel::overview;
    Get  "/redes/anillos/{id}"      roles(ANALYSTS), [Get "/api/intel/rings", Get "/api/intel/rings/{id}/network"] => intel::ring;
    Get  "/redes/personas/{id}"     roles(ANALYSTS), [Get "/api/intel/persons/{id}", Get "/api/intel/persons/{id}/crossings", Get "/api/intel/persons/{id}/network"] => intel::person;
    Post "/redes/decisiones"        roles(ANALYSTS), [Post "/api/intel/decisions", Get "/api/intel/persons"] => intel::decide;
    Get  "/redes/reservas"          roles(ANALYSTS), [Get "/api/intel/bookings"]          => bookings::search;
    Get  "/redes/reservas/{carrier}/{locator}" roles(ANALYSTS), [Get "/api/intel/bookings/{carrier}/{locator}"] => bookings::show;
    Post "/redes/reservas/{carrier}/{locator}/desenmascarar" roles(ANALYSTS), [Get "/api/intel/bookings/{carrier}/{locator}", Post "/api/intel/booking-versions/{id}/unmask"] => bookings::unmask;
}

/// The navigation: (page, catalogue key). Each item is shown only to roles
/// its page allows.
pub const NAV: &[(&str, &str)] = &[
    ("/inspeccion", "nav.inspection"),
    ("/alertas", "nav.hits"),
    ("/vuelos", "nav.flights"),
    ("/busquedas", "nav.lookouts"),
    ("/derivaciones", "nav.referrals"),
    ("/casos", "nav.cases"),
    ("/listas", "nav.lists"),
    ("/reglas", "nav.rules"),
    ("/redes", "nav.intel"),
    ("/estadisticas", "nav.stats"),
    ("/usuarios", "nav.users"),
    ("/puestos", "nav.posts"),
    ("/confianza", "nav.pki"),
    ("/auditoria", "nav.audit"),
];

/// Where each role's daily work is: the page `/` (and so signing in) leads
/// to. A role not listed, or whose page it may not open, lands on the
/// first page of its navigation.
pub const LANDING: &[(Role, &str)] = &[
    (Role::Officer, "/inspeccion"),
    (Role::Supervisor, "/alertas"),
    (Role::Analyst, "/redes"),
    (Role::Protection, "/derivaciones"),
    (Role::Auditor, "/auditoria"),
    (Role::Admin, "/usuarios"),
];

/// The page `role` lands on, if it has one.
pub fn landing(role: Role) -> Option<&'static str> {
    LANDING
        .iter()
        .find(|(r, path)| *r == role && may_open(role, path))
        .map(|(_, path)| *path)
        .or_else(|| nav_for(role).next().map(|(path, _)| *path))
}

/// The page with this method and route template.
pub fn page(verb: Verb, path: &str) -> Option<&'static Page> {
    PAGES.iter().find(|p| p.verb == verb && p.path == path)
}

/// Whether `role` may open the GET page `path`.
pub fn may_open(role: Role, path: &str) -> bool {
    page(Verb::Get, path).is_some_and(|p| p.access.allows(role))
}

/// The navigation items `role` may open.
pub fn nav_for(role: Role) -> impl Iterator<Item = &'static (&'static str, &'static str)> {
    NAV.iter().filter(move |(path, _)| may_open(role, path))
}

/// The pages, the static files and the language cookie.
pub(crate) fn routes(app: &AppState) -> Router<AppState> {
    page_routes(app).layer(axum::Extension(Arc::new(import::Jobs::default()))).layer(from_fn(lang_cookie)).layer(
        tower_http::set_header::SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                 form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ),
    )
}

/// The friendly page for a route that does not exist (outside `/api/`).
pub(crate) fn not_found(lang: Lang) -> Response {
    error_page(lang, StatusCode::NOT_FOUND, "error.not_found", None)
}

/// The friendly page for a route that does not exist, in the frame of a
/// signed-in user (header, navigation, sign-out) when the request carries a
/// live session.
pub(crate) async fn not_found_page(app: &AppState, parts: &Parts) -> Response {
    let lang = lang_of(parts);
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else { return not_found(lang) };
    match app.authenticate(token).await {
        Ok(Some(user)) if !user.must_change_password => {
            let zone = viewer_zone(app, user.post.as_deref()).await;
            let csrf = csrf_token(token);
            let ctx = PageCtx { lang, path: "/".into(), user: Some(user), csrf: Some(csrf), zone: zone.0, keep: None };
            ctx.error(StatusCode::NOT_FOUND, "error.not_found", None)
        }
        _ => not_found(lang),
    }
}

/// The language a request asks for: `?lang=`, else the cookie, else Spanish.
fn lang_of(parts: &Parts) -> Lang {
    query_lang(parts.uri.query())
        .or_else(|| cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or(Lang::Es)
}

fn query_lang(query: Option<&str>) -> Option<Lang> {
    query?.split('&').find_map(|kv| kv.strip_prefix("lang=")).and_then(Lang::parse)
}

/// `?lang=en` on any page: remember it in a cookie.
async fn lang_cookie(req: Request, next: Next) -> Response {
    let asked = query_lang(req.uri().query());
    let mut resp = next.run(req).await;
    if let Some(lang) = asked {
        let c = format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code());
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// The CSRF token of the request's session, for forms.
#[derive(Debug, Clone)]
struct WebCsrf(String);

#[derive(Clone)]
struct PageGuard {
    app: AppState,
    page: Page,
}

/// Deny by default: a public page passes; any other needs a live cookie
/// session (else: to the sign-in page), the CSRF token on unsafe requests,
/// and a role the page's entry names (else: a page saying so). A 401, 403
/// or 404 answer of such a page is audited as `access_denied`, as the API's
/// guard does ([`crate::failures`]).
async fn page_guard(State(g): State<PageGuard>, req: Request, next: Next) -> Response {
    let Access::Roles(allowed) = g.page.access else {
        return next.run(req).await;
    };
    let address = crate::auth::request_address(req.extensions(), req.headers(), &g.app);
    let resp = guarded(&g, allowed, req, next).await;
    let status = resp.status().as_u16();
    if matches!(status, 401 | 403 | 404) {
        let actor =
            resp.extensions().get::<LoggedUser>().map_or_else(|| "anonymous".to_string(), |u| format!("user:{}", u.0));
        let what = format!("{} {}", g.page.verb.as_str(), g.page.path);
        let attempt = crate::failures::Attempt::new(actor, "access_denied", what, address, json!({ "status": status }));
        if let Err(e) = g.app.audit_attempt(attempt).await {
            tracing::error!(error = %e.message, route = g.page.path, "cannot audit a denied page");
        }
    }
    resp
}

async fn guarded(g: &PageGuard, allowed: &[Role], req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = lang_of(&parts);
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
        return Redirect::to("/entrar").into_response();
    };
    let user = match g.app.authenticate(&token).await {
        Ok(Some(u)) => u,
        Ok(None) => return Redirect::to("/entrar").into_response(),
        Err(e) => return api_error_page(lang, e),
    };
    let expected = csrf_token(&token);
    let mut body = body;
    if g.page.verb.is_unsafe() {
        let by_header =
            parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).is_some_and(|v| same(v, &expected));
        if !by_header {
            let Ok(bytes) = to_bytes(body, FORM_LIMIT).await else {
                return error_page(lang, StatusCode::PAYLOAD_TOO_LARGE, "error.payload_too_large", None);
            };
            if !form_field(&bytes, "_csrf").is_some_and(|v| same(v, &expected)) {
                tracing::info!(user = user.id, route = g.page.path, "web CSRF token missing or wrong");
                let mut resp = error_page(lang, StatusCode::FORBIDDEN, "error.csrf_failed", None);
                resp.extensions_mut().insert(LoggedUser(user.id));
                return resp;
            }
            body = Body::from(bytes);
        }
    }
    let id = user.id;
    if user.must_change_password && !matches!(g.page.path, "/contrasena" | "/salir") {
        let mut resp = Redirect::to("/contrasena").into_response();
        resp.extensions_mut().insert(LoggedUser(id));
        return resp;
    }
    let country_wide = g.page.uses.iter().any(|(_, path)| crate::routes::is_country_wide(path));
    if !allowed.contains(&user.role) || (country_wide && user.post.is_some()) {
        let zone = viewer_zone(&g.app, user.post.as_deref()).await;
        let ctx = PageCtx { lang, path: "/".into(), user: Some(user), csrf: Some(expected), zone: zone.0, keep: None };
        let mut resp = ctx.error(StatusCode::FORBIDDEN, "error.forbidden", None);
        resp.extensions_mut().insert(LoggedUser(id));
        return resp;
    }
    let zone = viewer_zone(&g.app, user.post.as_deref()).await;
    parts.extensions.insert(CurrentUser(user));
    parts.extensions.insert(WebCsrf(expected));
    parts.extensions.insert(zone);
    let mut resp = next.run(Request::from_parts(parts, body)).await;
    resp.extensions_mut().insert(LoggedUser(id));
    resp
}

/// Constant-time equality.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A field of an urlencoded form whose value needs no decoding (hex).
fn form_field<'a>(body: &'a [u8], name: &str) -> Option<&'a str> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .find_map(|kv| kv.split_once('=').filter(|(k, _)| *k == name))
        .map(|x| x.1)
}

/// The zone a signed-in user's pages show times in (its IANA name): their
/// post's, or the centre's for a user bound to none.
#[derive(Debug, Clone)]
pub(crate) struct ViewerZone(pub String);

/// The zone of a user of `post`: the post's time zone when it has one the
/// time zone database knows, else the centre's.
async fn viewer_zone(app: &AppState, post: Option<&str>) -> ViewerZone {
    if let Some(post) = post {
        match app.store().post_time_zone(post).await {
            Ok(z) if !z.is_empty() && jiff::tz::TimeZone::get(&z).is_ok() => return ViewerZone(z),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot read a post's time zone"),
        }
    }
    ViewerZone(centre_zone_name())
}

/// The centre's zone: the server's own (`TZ`, else the system's), UTC when
/// it has no IANA name.
pub(crate) fn centre_zone_name() -> String {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| jiff::tz::TimeZone::system().iana_name().unwrap_or("UTC").to_string()).clone()
}

fn zone_named(name: &str) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// An instant as the region writes it, in `zone`: `DD/MM/AAAA HH:MM`
/// (RFC 3339 in; a date alone as `DD/MM/AAAA`); other text as it is.
pub(crate) fn local_time(s: &str, zone: &str) -> String {
    match s.parse::<jiff::Timestamp>() {
        Ok(t) => t.to_zoned(zone_named(zone)).strftime("%d/%m/%Y %H:%M").to_string(),
        Err(_) => dmy(s),
    }
}

/// A date typed as the region writes it (`DD/MM/AAAA`, `D/M/AAAA`, also
/// with `-` or `.`) or as ISO (`AAAA-MM-DD`).
pub(crate) fn parse_typed_date(s: &str) -> Option<jiff::civil::Date> {
    let s = s.trim();
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let [d, m, y] = parts.as_slice() else { return None };
    let num = |p: &str, max: usize| (1..=max).contains(&p.len()).then(|| p.parse::<i16>().ok()).flatten();
    let (d, m, y) = (num(d, 2)?, num(m, 2)?, num(y, 4)?);
    if y < 1000 {
        return None;
    }
    jiff::civil::Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok()
}

/// A typed date as ISO (`AAAA-MM-DD`) when it is one, else as typed (the
/// use case then names the field).
pub(crate) fn typed_iso(s: &str) -> String {
    parse_typed_date(s).map_or_else(|| s.trim().to_string(), |d| d.to_string())
}

/// The instant a typed date starts in `zone` (its midnight), as UTC.
pub(crate) fn day_start(d: jiff::civil::Date, zone: &str) -> Option<jiff::Timestamp> {
    d.to_zoned(zone_named(zone)).ok().map(|z| z.timestamp())
}

/// What every page knows: language, path, user, CSRF token.
pub(crate) struct PageCtx {
    pub lang: Lang,
    /// Where the language switch points (a GET page).
    pub path: String,
    pub user: Option<Arc<AuthUser>>,
    pub csrf: Option<String>,
    /// The IANA name of the zone the page shows times in.
    pub zone: String,
    /// A page answered to a form post is kept for this session, so that the
    /// language switch can show it again ([`again`]).
    pub keep: Option<(AppState, i64)>,
}

impl FromRequestParts<AppState> for PageCtx {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path();
        let path = if parts.method == Method::GET || PAGES.iter().any(|p| p.verb == Verb::Get && p.path == path) {
            path.to_owned()
        } else {
            "/".to_owned()
        };
        let user = parts.extensions.get::<CurrentUser>().map(|u| u.0.clone());
        let keep = (parts.method == Method::POST).then(|| user.as_ref().map(|u| (app.clone(), u.session_id))).flatten();
        Ok(PageCtx {
            lang: lang_of(parts),
            path,
            keep,
            user,
            csrf: parts.extensions.get::<WebCsrf>().map(|c| c.0.clone()),
            zone: parts.extensions.get::<ViewerZone>().map_or_else(centre_zone_name, |z| z.0.clone()),
        })
    }
}

impl PageCtx {
    pub fn t(&self, key: &str) -> &'static str {
        i18n::tr(self.lang, key)
    }

    /// Renders `template` with `data` (a JSON object) and the frame's values.
    pub fn render(&self, template: &str, data: Value) -> Response {
        self.render_status(StatusCode::OK, template, data)
    }

    pub fn render_status(&self, status: StatusCode, template: &str, data: Value) -> Response {
        let mut ctx = serde_json::Map::new();
        ctx.insert("lang".into(), json!(self.lang.code()));
        ctx.insert("other_lang".into(), json!(self.lang.other().code()));
        ctx.insert("path".into(), json!(self.path));
        let kept = match &self.keep {
            Some((app, session)) if !status.is_server_error() => app.recent_pages().keep(*session, template, &data),
            _ => None,
        };
        let switch = match kept {
            Some(token) => format!("/de-nuevo/{token}?lang={}", self.lang.other().code()),
            None => format!("{}?lang={}", self.path, self.lang.other().code()),
        };
        ctx.insert("lang_switch".into(), json!(switch));
        ctx.insert("csrf".into(), json!(self.csrf));
        ctx.insert("time_zone".into(), json!(self.zone));
        if let Some(u) = &self.user {
            ctx.insert("user".into(), json!({ "username": u.username, "role": u.role.as_str(), "post": u.post }));
            let nav: Vec<Value> = nav_for(u.role)
                .map(|(p, key)| json!({ "path": p, "key": key, "current": self.path.starts_with(p) }))
                .collect();
            ctx.insert("nav".into(), Value::Array(nav));
        }
        if let Value::Object(extra) = data {
            ctx.extend(extra);
        }
        match templates().get_template(template).and_then(|t| t.render(minijinja::Value::from_serialize(&ctx))) {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(template, kind = ?e.kind(), line = e.line(), "template failed");
                bare_error(self.lang, StatusCode::INTERNAL_SERVER_ERROR, "error.internal")
            }
        }
    }

    /// A friendly error page in the frame.
    pub fn error(&self, status: StatusCode, key: &str, detail: Option<String>) -> Response {
        self.render_status(status, "error.html", json!({ "message_key": key, "detail": detail }))
    }

    /// The page for an API error: translated by its code; the sign-in page
    /// when the session is gone.
    pub fn api_error(&self, e: impl Into<ApiError>) -> Response {
        let e = e.into();
        if e.code == ErrorCode::Unauthenticated {
            return Redirect::to("/entrar").into_response();
        }
        let (key, detail) = error_key(&e);
        self.error(e.code.status(), key, detail.map(|d| i18n::phrase(self.lang, &d)))
    }
}

/// The catalogue key of an API error, and the detail worth showing (the
/// field named by input errors; never internal details).
fn error_key(e: &ApiError) -> (&'static str, Option<String>) {
    let key = match e.code {
        ErrorCode::InvalidJson | ErrorCode::InvalidField | ErrorCode::InvalidContentType => "error.invalid_field",
        ErrorCode::InvalidPath | ErrorCode::InvalidQuery => "error.invalid_path",
        ErrorCode::PayloadTooLarge => "error.payload_too_large",
        ErrorCode::Unauthenticated => "error.unauthenticated",
        ErrorCode::InvalidCredentials => "error.invalid_credentials",
        ErrorCode::Forbidden | ErrorCode::PostRevoked => "error.forbidden",
        ErrorCode::CsrfFailed => "error.csrf_failed",
        ErrorCode::NotFound => "error.not_found",
        ErrorCode::MethodNotAllowed => "error.not_found",
        ErrorCode::Conflict => "error.conflict",
        ErrorCode::InvalidPicklistValue => "error.invalid_field",
        ErrorCode::InvalidRule => "error.invalid_rule",
        ErrorCode::ConfirmationRequired => "decision.needs_confirmation",
        ErrorCode::StaleVersion => "error.stale_version",
        ErrorCode::RateLimited => "error.rate_limited",
        ErrorCode::WeakPassword => "error.weak_password",
        ErrorCode::PasswordChangeRequired => "error.password_change_required",
        ErrorCode::LastAdmin => "error.last_admin",
        ErrorCode::Unavailable => "error.unavailable",
        ErrorCode::Busy => "error.busy",
        ErrorCode::Internal => "error.internal",
    };
    let detail = matches!(
        e.code,
        ErrorCode::InvalidField
            | ErrorCode::Conflict
            | ErrorCode::InvalidPicklistValue
            | ErrorCode::InvalidRule
            | ErrorCode::StaleVersion
    )
    .then(|| e.message.to_string());
    (key, detail)
}

fn api_error_page(lang: Lang, e: ApiError) -> Response {
    let (key, detail) = error_key(&e);
    error_page(lang, e.code.status(), key, detail.map(|d| i18n::phrase(lang, &d)))
}

/// An error page without a user (no navigation).
fn error_page(lang: Lang, status: StatusCode, key: &str, detail: Option<String>) -> Response {
    PageCtx { lang, path: "/".into(), user: None, csrf: None, zone: centre_zone_name(), keep: None }
        .error(status, key, detail)
}

/// The last resort when a template fails: plain HTML, still translated.
fn bare_error(lang: Lang, status: StatusCode, key: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"{}\"><meta charset=\"utf-8\"><title>Centinela</title><p>{}</p><p><a href=\"/\">{}</a></p></html>",
        lang.code(),
        i18n::tr(lang, key),
        i18n::tr(lang, "error.home")
    );
    (status, Html(body)).into_response()
}

/// The templates, embedded: (name, source).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../web/templates/base.html")),
    ("macros.html", include_str!("../../web/templates/macros.html")),
    ("error.html", include_str!("../../web/templates/error.html")),
    ("login.html", include_str!("../../web/templates/login.html")),
    ("home.html", include_str!("../../web/templates/home.html")),
    ("inspection.html", include_str!("../../web/templates/inspection.html")),
    ("hits.html", include_str!("../../web/templates/hits.html")),
    ("flights.html", include_str!("../../web/templates/flights.html")),
    ("flight.html", include_str!("../../web/templates/flight.html")),
    ("timeline.html", include_str!("../../web/templates/timeline.html")),
    ("referrals.html", include_str!("../../web/templates/referrals.html")),
    ("cases.html", include_str!("../../web/templates/cases.html")),
    ("case.html", include_str!("../../web/templates/case.html")),
    ("lists.html", include_str!("../../web/templates/lists.html")),
    ("stats.html", include_str!("../../web/templates/stats.html")),
    ("report.html", include_str!("../../web/templates/report.html")),
    ("users.html", include_str!("../../web/templates/users.html")),
    ("password.html", include_str!("../../web/templates/password.html")),
    ("posts.html", include_str!("../../web/templates/posts.html")),
    ("pki.html", include_str!("../../web/templates/pki.html")),
    ("lookouts.html", include_str!("../../web/templates/lookouts.html")),
    ("audit.html", include_str!("../../web/templates/audit.html")),
    ("rules.html", include_str!("../../web/templates/rules.html")),
    ("intel.html", include_str!("../../web/templates/intel.html")),
    ("network.html", include_str!("../../web/templates/network.html")),
    ("network_view.html", include_str!("../../web/templates/network_view.html")),
    ("person.html", include_str!("../../web/templates/person.html")),
    ("bookings.html", include_str!("../../web/templates/bookings.html")),
];

fn templates() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        for (name, src) in TEMPLATES {
            if let Err(e) = env.add_template(name, src) {
                tracing::error!(template = name, kind = ?e.kind(), line = e.line(), "template does not parse");
            }
        }
        env.add_function("t", |state: &minijinja::State, key: &str| -> String {
            i18n::tr(lang_in(state), key).to_owned()
        });
        // A code's translation under `prefix`, or the code itself when the
        // catalogue has none (codes added later by other crates).
        env.add_function("tc", |state: &minijinja::State, prefix: &str, code: &str| -> String {
            i18n::tr_or(lang_in(state), &format!("{prefix}{code}"), code).to_owned()
        });
        // The catalogue's text of `key`, or `fallback` (a built-in rule's
        // name, translated while nobody has changed it).
        env.add_function("tor", |state: &minijinja::State, key: &str, fallback: &str| -> String {
            i18n::tr_or(lang_in(state), key, fallback).to_owned()
        });
        // A list as people call it: the catalogue's title of its name (the
        // lists a country is set up with), else the name its importer gave.
        env.add_filter("list_title", |state: &minijinja::State, name: String| -> String {
            i18n::tr_or(lang_in(state), &format!("list_name.{name}"), &name).to_owned()
        });
        // A birth date as stored ({year, month, day}) or already text.
        env.add_filter("bdate", |v: minijinja::Value| -> String {
            if let Some(s) = v.as_str() {
                return s.to_owned();
            }
            let part = |k: &str| v.get_attr(k).ok().and_then(|x| i64::try_from(x).ok());
            match (part("year"), part("month"), part("day")) {
                (Some(y), Some(m), Some(d)) => format!("{d:02}/{m:02}/{y:04}"),
                (Some(y), Some(m), None) => format!("{m:02}/{y:04}"),
                (Some(y), None, _) => format!("{y:04}"),
                _ => String::new(),
            }
        });
        // An ISO date (`AAAA-MM-DD`, or `AAAA-MM`) as the region writes
        // it: `DD/MM/AAAA` (`MM/AAAA`); anything else as it is.
        env.add_filter("dmy", |s: String| -> String { dmy(&s) });
        // Text another crate wrote in English (an explanation, evidence, a
        // rule checker's message) in the page's language, ISO dates in it
        // as the region writes them.
        env.add_filter("tx", |state: &minijinja::State, s: String| -> String {
            i18n::phrase(lang_in(state), &iso_dates_dmy(&s))
        });
        // An RFC 3339 instant in the page's zone: `DD/MM/AAAA HH:MM`.
        env.add_filter("dt", |state: &minijinja::State, v: minijinja::Value| -> String {
            let Some(s) = v.as_str() else { return String::new() };
            let zone = state.lookup("time_zone").and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            local_time(s, &zone)
        });
        // A count with the region's thousands separator (`12 345`; a
        // narrow no-break space, as in both languages' style guides).
        env.add_filter("n", |v: minijinja::Value| -> String {
            match i64::try_from(v.clone()) {
                Ok(i) => thousands(i),
                Err(_) => match f64::try_from(v.clone()) {
                    Ok(f) if f.is_finite() => format!("{f:.1}"),
                    _ => v.to_string(),
                },
            }
        });
        env.add_filter("pct", |v: f64| -> String { format!("{:.0} %", v * 100.0) });
        env.add_filter("num", |v: f64| -> String { format!("{v:+.2}") });
        env
    })
}

/// `v` with its thousands grouped by a narrow no-break space.
pub(crate) fn thousands(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if v < 0 { format!("-{out}") } else { out }
}

/// `AAAA-MM-DD` as `DD/MM/AAAA`, `AAAA-MM` as `MM/AAAA`; other text as it is.
pub(crate) fn dmy(s: &str) -> String {
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    match s.split('-').collect::<Vec<_>>().as_slice() {
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => format!("{d}/{m}/{y}"),
        [y, m] if digits(y, 4) && digits(m, 2) => format!("{m}/{y}"),
        _ => s.to_string(),
    }
}

/// Every ISO date (`AAAA-MM-DD`) inside `s` written `DD/MM/AAAA`.
pub(crate) fn iso_dates_dmy(s: &str) -> String {
    static ISO: OnceLock<regex::Regex> = OnceLock::new();
    let re = ISO.get_or_init(|| regex::Regex::new(r"\b(\d{4})-(\d{2})-(\d{2})\b").expect("a valid pattern"));
    re.replace_all(s, "$3/$2/$1").into_owned()
}

fn lang_in(state: &minijinja::State) -> Lang {
    state.lookup("lang").and_then(|v| v.as_str().and_then(Lang::parse)).unwrap_or(Lang::Es)
}

/// Parses an urlencoded form into its (name, value) pairs, repeated names
/// kept.
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// The first value of `name` in `pairs`, trimmed.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
}

/// Maps of a form: name → values.
pub(crate) fn multi(pairs: &[(String, String)]) -> HashMap<&str, Vec<&str>> {
    let mut m: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, v) in pairs {
        m.entry(k.as_str()).or_default().push(v.as_str());
    }
    m
}

#[cfg(test)]
mod tests;
