//! Upstream policy rules, pure: the response cache (`cache`), the per-host circuit breaker
//! (`breaker`), when a body was made (`origin`) and when a board changes (`phase`). The daemon's
//! fetcher and pollers apply them around the HTTP client.

pub mod breaker;
pub mod cache;
pub mod origin;
pub mod phase;
