//! `POST /admin/reload`: the HTTP face of [`super::Reloader::reload`], kept apart from the
//! reloader so the reload logic does not depend on the HTTP state that holds a reloader.

use super::{ReloadError, ReloadPlan};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;

/// `POST /admin/reload`: 200 with the [`ReloadPlan`] applied; 400 with the reason when the file
/// is refused (nothing changed); 409 when the daemon has no config file or is shutting down.
pub async fn route(State(state): State<AppState>) -> Result<Json<ReloadPlan>, ApiError> {
    let reloader = state.reloader.ok_or_else(|| {
        ApiError::NotFound("config reload is not available in this process".into())
    })?;
    // On its own task: a client hanging up must not cancel a reload half-applied.
    let outcome = tokio::spawn(async move { reloader.reload().await })
        .await
        .map_err(|e| ApiError::Internal(format!("reload task failed: {e}")))?;
    match outcome {
        Ok(plan) => Ok(Json(plan)),
        Err(e @ (ReloadError::NoFile | ReloadError::ShuttingDown)) => {
            Err(ApiError::Conflict(e.to_string()))
        }
        Err(e) if e.is_refusal() => Err(ApiError::BadRequest(e.to_string())),
        Err(e) => Err(ApiError::Internal(e.to_string())),
    }
}
