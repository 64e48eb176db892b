//! The request extractors every handler uses in place of axum's, so that a request axum cannot
//! read (a query string or path segment that does not deserialize, a body past its route's limit)
//! answers like every other error: JSON `{"error": "..."}` ([`ApiError`]) instead of axum's
//! `text/plain` rejection. Each wraps the axum extractor of the same name.

use super::error::ApiError;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The query string deserialized as `T`; 400 naming the query string and the field at fault.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(value)) => Ok(Query(value)),
            Err(rejection) => Err(query_error(parts.uri.query().unwrap_or(""), &rejection)),
        }
    }
}

/// The path parameters deserialized as `T`; 400 when a segment does not deserialize.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(rejection) => Err(path_error(parts.uri.path(), &rejection)),
        }
    }
}

/// The whole body as bytes; 413 past the route's `DefaultBodyLimit`.
#[derive(Debug)]
pub struct Body(pub axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        axum::body::Bytes::from_request(request, state)
            .await
            .map(Body)
            .map_err(|rejection| body_error(&rejection))
    }
}

/// axum's rejection text with its first letter lowercased, as our messages are.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A query string that does not deserialize: 400 with the query string and serde's reason.
fn query_error(raw: &str, rejection: &QueryRejection) -> ApiError {
    let text = rejection.body_text();
    let reason = text
        .strip_prefix("Failed to deserialize query string: ")
        .unwrap_or(&text);
    ApiError::BadRequest(format!("query string `{raw}`: {reason}"))
}

/// A path that does not deserialize: 400 with the path and axum's reason; axum's 500s (a route
/// declared with the wrong parameters) stay 500.
fn path_error(raw: &str, rejection: &PathRejection) -> ApiError {
    let text = rejection.body_text();
    let reason = lowercase_first(text.strip_prefix("Invalid URL: ").unwrap_or(&text));
    if rejection.status().is_server_error() {
        ApiError::Internal(format!("path `{raw}`: {reason}"))
    } else {
        ApiError::BadRequest(format!("path `{raw}`: {reason}"))
    }
}

/// A body that could not be read: 413 past the limit, else 400.
fn body_error(rejection: &BytesRejection) -> ApiError {
    let message = lowercase_first(&rejection.body_text());
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge(message)
    } else {
        ApiError::BadRequest(message)
    }
}
