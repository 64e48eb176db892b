//! Upstream policy rules, pure: the response cache (`cache`) and the per-host circuit breaker
//! (`breaker`). The daemon's fetcher applies them around its HTTP client.

pub mod breaker;
pub mod cache;
