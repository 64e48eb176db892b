//! The daemon's side of events: `scoreline events` (`query`) and the SSE live stream (`stream`).
//! The event model and the diff are `scoreline_core::events`; the log is the store's.

pub mod query;
pub mod stream;
