//! [`WebhookError`]: what a webhook operation (worker, CLI, admin route) can fail with.

use scoreline_store::StoreError;

/// A webhook operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HTTP client could not be built.
    #[error("webhook http client: {0}")]
    Client(String),
    /// No subscription has that name.
    #[error("no webhook subscription named `{0}`")]
    UnknownSubscription(String),
    /// The subscription is not enabled.
    #[error("webhook subscription `{0}` is disabled in the config")]
    NotEnabled(String),
    /// No delivery has that webhook id.
    #[error("no webhook delivery of event `{0}` (was it filtered out, or not yet enqueued?)")]
    NoDeliveries(String),
    /// A stored subscription is invalid.
    #[error("stored webhook subscription `{name}`: {message}")]
    BadStored {
        /// Its name.
        name: String,
        /// What is wrong.
        message: String,
    },
    /// A test message was not accepted.
    #[error("test message to `{name}` failed: {message}")]
    TestFailed {
        /// The subscription.
        name: String,
        /// What happened.
        message: String,
    },
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    /// Output could not be encoded.
    #[error("cannot encode output: {0}")]
    Encode(#[from] serde_json::Error),
}
