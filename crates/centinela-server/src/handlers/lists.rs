//! `GET /api/lists`: the alert lists and their current versions (no
//! personal data: names, kinds, counts).

use axum::extract::State;
pub use centinela_app::lists::ListView;

use crate::auth::CurrentUser;
use crate::error::{ApiError, Json};
use crate::state::AppState;

/// The alert lists with their current versions.
#[utoipa::path(get, path = "/api/lists", tag = "lists", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every alert list", body = [ListView]),
    ))]
pub async fn list(State(app): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<ListView>>, ApiError> {
    Ok(Json(app.app().lists().await?))
}
