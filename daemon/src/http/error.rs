//! [`ApiError`]: how a failed request answers, as JSON `{"error": "..."}` with its status. Every
//! handler, the extractors of `extract.rs`, the router's fallbacks (no route: 404; a method the
//! route does not serve: 405) and the bearer guard answer with it; route modules import it from
//! here.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use scoreline_store::StoreError;
use serde_json::json;

/// A failed request, as JSON `{"error": "..."}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Nothing by that id.
    #[error("{0}")]
    NotFound(String),
    /// A bad query parameter, path segment or body.
    #[error("{0}")]
    BadRequest(String),
    /// A body larger than the route takes.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A route that exists, asked with a method it does not serve.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// Missing or wrong bearer token.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// The request conflicts with what exists.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A blocking task failed.
    #[error("internal: {0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Store(StoreError::Ambiguous { .. }) => StatusCode::CONFLICT,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
