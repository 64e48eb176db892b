//! Scoreline: a live sports data daemon whose sport adapters run as sandboxed WebAssembly
//! components. This crate is the host: sandbox, plugin registry, embedded store, CLI
//! (and, as it grows, the scheduler, events and sinks). `ARCHITECTURE.md` has the map.

pub mod backfill;
pub mod blocking;
pub mod cli;
pub mod clock;
pub mod config;
pub mod emulator;
pub mod events;
pub mod fetch;
pub mod housekeeping;
pub mod http;
pub mod influx;
pub mod ingest;
pub mod metrics;
pub mod model;
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
pub mod scheduler;
pub mod scorers;
pub mod store;
pub mod swap;
pub mod upcoming;
pub mod validate;
pub mod webhooks;
