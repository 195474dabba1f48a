//! A page answered to a form (an inspection's result, a back-test, an
//! import's report) shown again in the other language. The language switch
//! of a page is a link (`?lang=en`); after a form post there is no page to
//! link to, and following the switch to the form's address lost the result.
//! So the frame keeps the last posted page of each session — its template
//! and data, which hold codes, not translated text — for a few minutes, and
//! the switch of such a page points at `/de-nuevo/{token}`, which draws it
//! again in the language asked for. Nothing is posted again (an inspection
//! is never recorded twice), only the session that saw the page can see it
//! again, and it goes when the session changes or the time is up.

use axum::extract::{Path, State};

use super::{PageCtx, PageResult};
use crate::auth::CurrentUser;
use crate::state::AppState;

/// `GET /de-nuevo/{token}`: the session's last posted page, drawn again.
pub async fn again(
    State(app): State<AppState>,
    user: CurrentUser,
    ctx: PageCtx,
    Path(token): Path<String>,
) -> PageResult {
    match app.recent_pages().find(user.session_id, &token) {
        Some((template, data)) => Ok(ctx.render(&template, data)),
        None => Err(ctx.error(axum::http::StatusCode::NOT_FOUND, "error.page_gone", None)),
    }
}
