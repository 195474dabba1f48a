//! Sign-in and sign-out (through the session use of the API's handlers),
//! the role's home page, and the embedded static files.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{PageCtx, may_open};
use crate::auth::{ClientIp, CurrentUser};
use crate::state::AppState;

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

/// Signs in as `POST /api/session` does, setting its cookies.
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
    match crate::signin::sign_in(&app, ip.0, &username, &f.password).await {
        Ok(signed_in) => (signed_in.cookies, Redirect::to("/")).into_response(),
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
    match crate::signin::sign_out(&app, &user).await {
        Ok(cookies) => (cookies, Redirect::to("/entrar")).into_response(),
        Err(e) => ctx.api_error(e),
    }
}

/// The role's own work ([`super::landing`]); a short page for roles
/// without one.
pub async fn home(user: CurrentUser, ctx: PageCtx) -> Response {
    if let Some(path) = super::landing(user.role) {
        return Redirect::to(path).into_response();
    }
    ctx.render("home.html", json!({ "can_timeline": may_open(user.role, "/cruces/{id}") }))
}
