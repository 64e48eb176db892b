//! The operator's adapter routes under `/admin/plugins` (behind the bearer token): list the
//! adapters, upload a new version, reload one from its file, roll back, disable and enable.
//! Every swap runs on a blocking thread; a refused version answers 400 with the reason.

use super::{SwapError, SwapOutcome, Swapper};
use crate::http::error::ApiError;
use crate::http::extract::{Body, Path, Query};
use crate::http::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

/// Largest component an upload may carry.
pub const MAX_UPLOAD_BYTES: usize = 64 << 20;

fn swapper(state: &AppState) -> Result<Swapper, ApiError> {
    state
        .plugins
        .clone()
        .ok_or_else(|| ApiError::NotFound("hot swap is not available in this process".into()))
}

fn api_error(e: SwapError) -> ApiError {
    match e {
        SwapError::Unknown(_) => ApiError::NotFound(e.to_string()),
        SwapError::NoPrevious(_) => ApiError::Conflict(e.to_string()),
        SwapError::Load { .. } | SwapError::Invalid { .. } => ApiError::BadRequest(e.to_string()),
        SwapError::Write { .. } => ApiError::Internal(e.to_string()),
    }
}

async fn blocking<T: Send + 'static>(
    swapper: Swapper,
    f: impl FnOnce(&Swapper) -> Result<T, SwapError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(move || f(&swapper))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(api_error)
}

fn outcome(name: &str, o: SwapOutcome) -> Response {
    let plugin = json!({ "name": name, "outcome": o });
    Json(plugin).into_response()
}

/// `GET /admin/plugins`: `{"plugins": [...]}`.
pub async fn list(State(state): State<AppState>) -> Result<Response, ApiError> {
    let s = swapper(&state)?;
    Ok(Json(json!({ "plugins": s.list() })).into_response())
}

/// `?name=` of an upload.
#[derive(Debug, Deserialize)]
pub struct UploadQuery {
    name: String,
}

/// `POST /admin/plugins?name=NAME` with the component's bytes as the body.
pub async fn upload(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let s = swapper(&state)?;
    if body.is_empty() {
        return Err(ApiError::BadRequest(
            "the body must be the component's bytes".into(),
        ));
    }
    let name = q.name.clone();
    let o = blocking(s, move |s| s.upload(&name, &body)).await?;
    Ok(outcome(&q.name, o))
}

/// `POST /admin/plugins/{name}/reload`: load `<plugin_dir>/<name>.wasm` again.
pub async fn reload(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let s = swapper(&state)?;
    let n = name.clone();
    let o = blocking(s, move |s| s.reload(&n)).await?;
    Ok(outcome(&name, o))
}

/// `POST /admin/plugins/{name}/rollback`.
pub async fn rollback(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let s = swapper(&state)?;
    let n = name.clone();
    let o = blocking(s, move |s| s.rollback(&n)).await?;
    Ok(outcome(&name, o))
}

/// `POST /admin/plugins/{name}/disable`.
pub async fn disable(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let s = swapper(&state)?;
    s.set_enabled(&name, false).map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /admin/plugins/{name}/enable`.
pub async fn enable(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, ApiError> {
    let s = swapper(&state)?;
    s.set_enabled(&name, true).map_err(api_error)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
