//! Scoreline: a live sports data daemon whose sport adapters run as sandboxed WebAssembly
//! components. This crate is the host, the I/O that wires the rest: sandbox, fetcher, pollers,
//! sinks, HTTP and CLI. The pure rules are `scoreline-core`, the SQLite store `scoreline-store`,
//! the offline upstream `scoreline-emulator`. `ARCHITECTURE.md` has the map.

pub mod backfill;
pub mod blocking;
pub mod cli;
pub mod config;
pub mod events;
pub mod fetch;
pub mod housekeeping;
pub mod http;
pub mod influx;
pub mod memory;
pub mod metrics;
pub mod monitor;
pub mod plugin_build;
pub mod plugin_kit;
pub mod poller;
pub mod query;
pub mod registry;
pub mod reload;
pub mod runtime;
pub mod sandbox;
pub mod schedule_ingest;
pub mod scorers;
pub mod swap;
pub mod webhooks;
