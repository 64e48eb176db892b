//! InfluxDB output: `[[sinks]]` config (`config`); the v1/v2 HTTP APIs (`api`); the forwarder
//! that drains the store's point outbox into each sink (`sink`). The line protocol encoder and
//! the schema of what the daemon writes are pure, in `scoreline_core::influx`.
//!
//! Client choice: we speak InfluxDB's HTTP write API with `reqwest` (already the daemon's HTTP
//! client: rustls, one keep-alive pool) and encode with InfluxData's `influxdb-line-protocol`
//! builder. The `influxdb2` crate would bring a second HTTP stack (reqwest 0.11 / hyper 0.14,
//! about 130 crates) and the `influxdb` crate cannot name a retention policy on writes.

pub mod api;
pub mod config;
pub mod sink;
