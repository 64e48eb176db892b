//! Scoreline's pure core: the normalised model, the diff of two snapshots into events, snapshot
//! validation, the cadence planner, the scorer rules, schedule-file parsing, InfluxDB line
//! protocol and schema, webhook signing and delivery policy, and the upstream cache and breaker
//! rules. Nothing here does I/O: every function takes its inputs, and the time, as parameters,
//! and the crate's dependency tree holds no async runtime, HTTP, SQLite or WebAssembly crate.

pub mod age;
pub mod cadence;
pub mod clock;
pub mod events;
pub mod influx;
pub mod ingest;
pub mod model;
pub mod presence;
pub mod scorers;
pub mod upcoming;
pub mod upstream;
pub mod validate;
pub mod webhooks;
