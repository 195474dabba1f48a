//! `POST /api/lists/threshold`: what a screening threshold would cost at a
//! border post — the back-test of [`centinela_app::threshold`] over the
//! post's stored crossings (alerts per day, confirmed hits kept or lost,
//! for candidate thresholds).

use axum::extract::State;
use centinela_app::Caller;
pub use centinela_app::threshold::{ThresholdAnswer, ThresholdRow};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::error::{ApiError, ErrorBody, Json};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdRequest {
    /// The border post whose crossings are screened again.
    #[schema(example = "GTM-TECUNUMAN")]
    pub post: String,
    /// First day counted (`YYYY-MM-DD`); by default 29 days before `to`.
    pub from: Option<String>,
    /// Last day counted (`YYYY-MM-DD`, inclusive); by default today. At
    /// most 400 days in all.
    pub to: Option<String>,
    /// Candidate thresholds, each above 0 and at most 1 (at most 20); by
    /// default 0.1 to 0.9.
    #[serde(default)]
    #[schema(example = json!([0.2, 0.25, 0.3, 0.4]))]
    pub thresholds: Vec<f64>,
}

/// Back-test candidate screening thresholds over a post's stored crossings:
/// for each, the travellers a name hit would alert per day and the
/// supervisors' confirmed hits it keeps or loses. Users bound to a post ask
/// about theirs only. Audited (counts only).
#[utoipa::path(post, path = "/api/lists/threshold", tag = "lists", security(("bearer" = []), ("cookie" = [])),
    request_body = ThresholdRequest,
    responses(
        (status = 200, description = "The candidates' figures", body = ThresholdAnswer),
        (status = 403, description = "Role not allowed, or another post", body = ErrorBody),
        (status = 422, description = "A bad post, date, window or threshold (`invalid_field`)", body = ErrorBody),
        (status = 503, description = "Other long work is running (`busy`)", body = ErrorBody),
    ))]
pub async fn backtest(
    State(app): State<AppState>,
    user: CurrentUser,
    Json(req): Json<ThresholdRequest>,
) -> Result<Json<ThresholdAnswer>, ApiError> {
    let a = app
        .app()
        .threshold_backtest(Caller::User(&user), &req.post, req.from.as_deref(), req.to.as_deref(), &req.thresholds)
        .await?;
    Ok(Json(a))
}
