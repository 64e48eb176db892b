//! Scoreline's one integration test binary: a module per area, helpers in `util`.

// Test helpers fail the test by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod architecture;
mod cli;
mod daemon;
mod deploy;
mod emulator;
mod espn;
mod events;
mod http;
mod influx;
mod metrics;
mod openapi;
mod plugin_kit;
mod reload;
mod replay;
mod rhythm;
mod sandbox;
mod schedule;
mod scorers;
mod sse;
mod stale;
mod swap;
mod util;
mod webhooks;
