//! Webhooks per the Standard Webhooks spec: subscriptions (config and admin API), signing, the
//! durable outbox worker that tails the event log, and the `scoreline webhooks` commands.
//!
//! The pure rules (subscriptions, signing, policy, public addresses) are
//! `scoreline_core::webhooks`. Here, the I/O: `sender.rs` (HTTP), `resolve.rs` (DNS checks),
//! `worker.rs` (the background task), `admin.rs` (HTTP handlers), `commands.rs` (CLI). The
//! outbox's tables and invariants are in the store's `webhooks.rs`.

pub mod admin;
pub mod commands;
pub mod resolve;
pub mod sender;
pub mod worker;

pub use worker::{ConfigSubscriptions, WorkerOptions, start};

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
