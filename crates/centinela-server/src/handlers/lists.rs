//! `GET /api/lists`: the alert lists and their current versions (no
//! personal data: names, kinds, counts).

use axum::extract::State;
use centinela_store::ListSummary;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct ListView {
    pub name: String,
    /// `wanted`, `missing`, `documents` or `watch`.
    pub kind: &'static str,
    pub source: String,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub versions: i64,
    /// The version in force; absent before a first successful import.
    pub version: Option<i64>,
    pub imported_at: Option<String>,
    pub format: Option<String>,
    pub rows_imported: i64,
    pub rows_rejected: i64,
}

impl From<ListSummary> for ListView {
    fn from(s: ListSummary) -> Self {
        ListView {
            name: s.name,
            kind: s.kind.as_str(),
            source: s.source,
            active: s.active,
            created_at: s.created_at,
            updated_at: s.updated_at,
            versions: s.versions,
            version: s.version,
            imported_at: s.imported_at,
            format: s.format,
            rows_imported: s.rows_imported,
            rows_rejected: s.rows_rejected,
        }
    }
}

/// The alert lists with their current versions.
#[utoipa::path(get, path = "/api/lists", tag = "lists", security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Every alert list", body = [ListView]),
        (status = 401, description = "Not logged in", body = ErrorBody),
        (status = 403, description = "Role not allowed", body = ErrorBody),
    ))]
pub async fn list(State(app): State<AppState>, _user: CurrentUser) -> Result<Json<Vec<ListView>>, ApiError> {
    let lists = app.store().lists().await?;
    Ok(Json(lists.into_iter().map(ListView::from).collect()))
}
