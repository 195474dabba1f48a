//! The account pages (issue 16): changing one's own password
//! (`/contrasena`, where a session whose password an administrator reset
//! is sent before anything else), and the administrator's actions on the
//! Usuarios page — disable, enable, reset a password, change a role or a
//! post, end sessions, approve or reject requests for protection and admin
//! accounts. Each goes through the API's handler, so checks and audit
//! entries are the API's; a refused password is explained in the page's
//! language from the policy's code (`password.<code>`), never echoed.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use centinela_domain::Role;
use serde_json::{Value, json};

use super::{PageCtx, PageResult, field, form_pairs};
use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorCode, Path};
use crate::state::AppState;
use centinela_app::AppError;
use centinela_app::accounts::{ChangeView, Outcome};

/// The raw value of a form field (passwords: not trimmed).
fn raw<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
}

/// Why the policy refuses `password` for `username` with `role`: the
/// catalogue key of the reason (`password.<code>`), if it does.
fn refusal(password: &str, username: &str, role: Role) -> Option<String> {
    centinela_store::check_new_password(password, username, role).err().map(|w| format!("password.{}", w.code()))
}

pub async fn password_form(user: CurrentUser, ctx: PageCtx) -> Response {
    ctx.render("password.html", json!({ "required": user.must_change_password }))
}

/// Changes the user's own password, as `POST /api/session/password` does.
pub async fn change_password(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let (current, new, repeat) = (raw(&pairs, "current"), raw(&pairs, "new"), raw(&pairs, "repeat"));
    let again = |field: &str, key: &str| {
        let mut data = json!({ "required": user.must_change_password });
        data[field] = key.into();
        ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, "password.html", data)
    };
    if new != repeat {
        return again("error_key", "password.mismatch");
    }
    match app.change_own_password(&user, current, new).await.map_err(ApiError::from) {
        Ok(_) => ctx.render("password.html", json!({ "changed": true })),
        Err(e) if e.code == ErrorCode::WeakPassword => {
            let key = if current == new {
                "password.unchanged".to_owned()
            } else {
                refusal(new, &user.username, user.role).unwrap_or_else(|| "error.weak_password".into())
            };
            again("reason_key", &key)
        }
        // A wrong current password ended the session: sign in again.
        Err(e) if e.code == ErrorCode::InvalidCredentials => Redirect::to("/entrar").into_response(),
        Err(e) => ctx.api_error(e),
    }
}

/// The Usuarios page with the users, the pending requests and `extra`.
pub(super) async fn users_page(app: &AppState, user: &CurrentUser, ctx: &PageCtx, extra: Value) -> PageResult {
    let list = app.app().users(user).await.map_err(|e| ctx.api_error(e))?;
    let requests = app.app().account_requests(user).await.map_err(|e| ctx.api_error(e))?;
    let pending: Vec<_> = requests.into_iter().filter(|r| r.status == "pending").collect();
    let posts: Vec<String> =
        app.store().posts().await.map_err(|e| ctx.api_error(e))?.into_iter().map(|p| p.code).collect();
    let mut data = json!({
        "users": list,
        "requests": pending,
        "me": user.id,
        "roles": Role::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "posts": posts,
    });
    if let (Value::Object(d), Value::Object(e)) = (&mut data, extra) {
        d.extend(e);
    }
    Ok(ctx.render("users.html", data))
}

/// The page again after an action: a flash for success, the error's
/// message for a refusal the admin can correct.
async fn after(
    app: &AppState,
    user: &CurrentUser,
    ctx: &PageCtx,
    result: Result<Value, AppError>,
    refused: Option<String>,
) -> PageResult {
    match result.map_err(ApiError::from) {
        Ok(extra) => users_page(app, user, ctx, extra).await,
        Err(e) if e.code == ErrorCode::WeakPassword => {
            let detail_key = refused.unwrap_or_else(|| "error.weak_password".into());
            users_page(app, user, ctx, json!({ "form_error": "password.refused", "reason_key": detail_key })).await
        }
        // Said in full, in the page's language, by its key.
        Err(e) if e.code == ErrorCode::LastAdmin => {
            users_page(app, user, ctx, json!({ "form_error": super::error_key(&e).0 })).await
        }
        Err(e)
            if matches!(
                e.code,
                ErrorCode::InvalidField | ErrorCode::Conflict | ErrorCode::Forbidden | ErrorCode::NotFound
            ) =>
        {
            users_page(app, user, ctx, json!({ "form_error": super::error_key(&e).0, "form_detail": e.message })).await
        }
        Err(e) => Err(ctx.api_error(e)),
    }
}

/// The page's flash for a change done: this server forgets the user's
/// cached sessions at once.
fn done(app: &AppState, change: ChangeView) -> Value {
    app.sessions().remove_user(change.user.id);
    json!({ "done": true, "sessions_ended": change.sessions_ended })
}

/// The page's flash for a change done, or asked of a second administrator.
fn requested_or_done(app: &AppState, outcome: Outcome<ChangeView>) -> Value {
    match outcome {
        Outcome::Done(c) => done(app, c),
        Outcome::Requested(_) => json!({ "requested": true }),
    }
}

pub async fn disable(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(id): Path<i64>) -> PageResult {
    let r = app.app().set_user_disabled(&user, id, true).await.map(|c| done(&app, c));
    after(&app, &user, &ctx, r, None).await
}

pub async fn enable(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(id): Path<i64>) -> PageResult {
    let r = app.app().set_user_disabled(&user, id, false).await.map(|c| done(&app, c));
    after(&app, &user, &ctx, r, None).await
}

pub async fn end_sessions(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(id): Path<i64>,
) -> PageResult {
    let r = app.app().end_user_sessions(&user, id).await.map(|c| done(&app, c));
    after(&app, &user, &ctx, r, None).await
}

pub async fn reset_password(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    let password = raw(&pairs, "password").to_owned();
    let target = app.store().user_by_id(id).await.map_err(|e| ctx.api_error(e))?;
    let refused = target.and_then(|t| refusal(&password, &t.username, t.role));
    let r = app.app().reset_password(&user, id, &password).await.map(|o| requested_or_done(&app, o));
    after(&app, &user, &ctx, r, refused).await
}

pub async fn set_role(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    let Ok(role) = Role::parse(field(&pairs, "role")) else {
        return users_page(&app, &user, &ctx, json!({ "form_error": "error.invalid_field" })).await;
    };
    let r = app.app().set_user_role(&user, id, role).await.map(|o| requested_or_done(&app, o));
    after(&app, &user, &ctx, r, None).await
}

pub async fn set_post(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(id): Path<i64>,
    body: Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    let post = Some(field(&pairs, "post").to_owned()).filter(|p| !p.is_empty());
    let r = app.app().set_user_post(&user, id, post.as_deref()).await.map(|c| done(&app, c));
    after(&app, &user, &ctx, r, None).await
}

pub async fn approve(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(id): Path<i64>) -> PageResult {
    let r = app.app().approve_account_request(&user, id).await.map(|a| {
        app.sessions().remove_user(a.user.id);
        json!({ "approved": true })
    });
    after(&app, &user, &ctx, r, None).await
}

pub async fn reject(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, Path(id): Path<i64>) -> PageResult {
    let r = app.app().reject_account_request(&user, id).await.map(|_| json!({ "rejected": true }));
    after(&app, &user, &ctx, r, None).await
}
