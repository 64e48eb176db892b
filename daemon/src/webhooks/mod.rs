//! Webhooks per the Standard Webhooks spec: subscriptions (config and admin API), signing, the
//! durable outbox worker that tails the event log, and the `scoreline webhooks` commands.
//!
//! The pure rules (subscriptions, signing, policy, public addresses) are
//! `scoreline_core::webhooks`. Here, the I/O: `sender.rs` (HTTP), `resolve.rs` (DNS checks),
//! `worker.rs` (the background task), `admin.rs` (HTTP handlers), `commands.rs` (CLI). The
//! outbox's tables and invariants are in the store's `webhooks.rs`.

pub mod admin;
pub mod commands;
pub mod error;
pub mod resolve;
pub mod sender;
pub mod worker;

pub use error::WebhookError;
pub use worker::{ConfigSubscriptions, WorkerOptions, start};
