//! Administration: the alert lists (and reloading them), users, border
//! posts.

use axum::body::Bytes;
use axum::extract::State;
use centinela_app::Caller;
use centinela_domain::{CountryCode, Role};
use centinela_store::{NewPost, PostKind};
use serde_json::{Value, json};

use super::{PageCtx, PageResult, field, form_pairs};
use crate::auth::CurrentUser;
use crate::error::ApiError;
use crate::state::AppState;
use centinela_app::accounts::Outcome;

pub async fn lists(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    lists_page(&app, &user, &ctx, json!({})).await
}

/// The Listas page, with `extra` (a flash, a form's error) merged in; an
/// administrator also sees the connectors.
pub(crate) async fn lists_page(app: &AppState, user: &CurrentUser, ctx: &PageCtx, extra: Value) -> PageResult {
    let lists = app.app().lists().await.map_err(|e| ctx.api_error(e))?;
    let admin = user.role == Role::Admin;
    let connectors = if admin { app.app().connectors().await.map_err(|e| ctx.api_error(e))? } else { Vec::new() };
    let notifications =
        if admin { app.app().notification_targets().await.map_err(|e| ctx.api_error(e))? } else { Vec::new() };
    let mut frame = json!({
        "lists": lists,
        "can_import": admin,
        "kinds": ["wanted", "missing", "documents", "watch"],
        "formats": ["csv", "ftm", "documents"],
        "connectors": connectors,
        "notifications": notifications,
        "notification_roles": ["supervisor", "analyst", "protection"],
        "connector_kinds": centinela_app::connectors::BUILTIN_KINDS.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
    });
    if let (Some(f), Some(e)) = (frame.as_object_mut(), extra.as_object()) {
        f.extend(e.clone());
    }
    Ok(ctx.render("lists.html", frame))
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

pub async fn users(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx) -> PageResult {
    super::accounts::users_page(&app, &user, &ctx, json!({})).await
}

/// Creates a user (a protection or admin account becomes a request for a
/// second administrator).
pub async fn create_user(State(app): State<AppState>, user: CurrentUser, ctx: PageCtx, body: Bytes) -> PageResult {
    use super::accounts::users_page;
    let pairs = form_pairs(&body);
    let Ok(role) = Role::parse(field(&pairs, "role")) else {
        return users_page(&app, &user, &ctx, json!({ "form_error": "error.invalid_field" })).await;
    };
    let post = Some(field(&pairs, "post").to_string()).filter(|p| !p.is_empty());
    let username = field(&pairs, "username");
    let password = pairs.iter().find(|(k, _)| k == "password").map_or("", |(_, v)| v.as_str());
    let refused =
        centinela_store::check_new_password(password, username, role).err().map(|w| format!("password.{}", w.code()));
    match app.app().create_user(&user, username, role, post.as_deref(), password).await.map_err(ApiError::from) {
        Ok(Outcome::Done(_)) => users_page(&app, &user, &ctx, json!({ "created": true })).await,
        Ok(Outcome::Requested(_)) => users_page(&app, &user, &ctx, json!({ "requested": true })).await,
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

/// The zones offered for a post (the region's; any other IANA name may be
/// typed).
const ZONES: &[&str] = &[
    "America/Guatemala",
    "America/Mexico_City",
    "America/Cancun",
    "America/Tijuana",
    "America/El_Salvador",
    "America/Tegucigalpa",
    "America/Managua",
    "America/Costa_Rica",
    "America/Panama",
    "America/Santo_Domingo",
    "America/Belize",
    "America/Bogota",
    "UTC",
];

async fn posts_page(app: &AppState, ctx: &PageCtx, extra: Value) -> PageResult {
    let list = app.app().posts().await.map_err(|e| ctx.api_error(e))?;
    let airports = app.app().post_airports().await.map_err(|e| ctx.api_error(e))?;
    let mut data = json!({ "posts": list, "kinds": ["land", "air", "sea"], "zones": ZONES, "airports": airports });
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
    match app.app().add_post(Caller::User(&user), &np).await {
        Ok((post, key)) => posts_page(&app, &ctx, json!({ "created": post.code, "sync_key": key })).await,
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

/// Sets a post's time zone (audited by the store); its users see every
/// date and time in it from their next page.
pub async fn set_zone(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(code): axum::extract::Path<String>,
    body: Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    let set = app.app().set_post_time_zone(&user, &code, field(&pairs, "time_zone")).await;
    post_setting_answer(&app, &ctx, set, json!({ "zone_set": code })).await
}

/// The Puestos page after a post's setting was changed: `done` on success,
/// the form's error (translated) for an invalid value.
async fn post_setting_answer(
    app: &AppState,
    ctx: &PageCtx,
    set: Result<(), centinela_app::AppError>,
    done: Value,
) -> PageResult {
    match set {
        Ok(()) => posts_page(app, ctx, done).await,
        Err(e) => {
            let e = ApiError::from(e);
            if matches!(e.code, crate::ErrorCode::InvalidField) {
                let detail = super::i18n::phrase(ctx.lang, &e.message);
                posts_page(app, ctx, json!({ "form_error": "error.invalid_field", "form_detail": detail })).await
            } else {
                Err(ctx.api_error(e))
            }
        }
    }
}

/// Sets an air post's IATA airport code (audited by the store): the
/// flights of that airport are screened for the post from the next import.
pub async fn set_iata(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    axum::extract::Path(code): axum::extract::Path<String>,
    body: Bytes,
) -> PageResult {
    let pairs = form_pairs(&body);
    let set = app.app().set_post_iata(&user, &code, field(&pairs, "iata")).await;
    post_setting_answer(&app, &ctx, set, json!({ "iata_set": code })).await
}
