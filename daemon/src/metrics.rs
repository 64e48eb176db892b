//! Prometheus metrics: the process-wide recorder (the `metrics` facade with
//! `metrics-exporter-prometheus`), every metric's name and help text, and the `/metrics` text.
//!
//! Call sites record through the helpers below, so names and labels live in one place. Before
//! [`install`] (CLI commands, unit tests) they go nowhere, at the cost of a no-op call.

use metrics::{
    Unit, counter, describe_counter, describe_gauge, describe_histogram, gauge, histogram,
};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use scoreline_core::upstream::breaker::BreakerState;
use std::sync::OnceLock;
use std::time::Duration;

/// Adapter calls, by adapter, call and outcome (`ok` or a [`crate::sandbox::CallError`] kind).
pub const ADAPTER_CALLS: &str = "scoreline_adapter_calls_total";
/// Adapter call latency, by adapter and call (slot wait excluded).
pub const ADAPTER_CALL_SECONDS: &str = "scoreline_adapter_call_seconds";
/// Upstream attempts, by host and status (an HTTP code, `error` without an answer, or `cache`).
pub const UPSTREAM_CALLS: &str = "scoreline_upstream_calls_total";
/// Upstream attempt latency by host (cache hits excluded).
pub const UPSTREAM_CALL_SECONDS: &str = "scoreline_upstream_call_seconds";
/// Response bodies that waited for a place under `[upstream] max_bodies_in_flight`.
pub const UPSTREAM_BODY_WAITS: &str = "scoreline_upstream_body_waits_total";
/// Circuit-breaker state by host: 0 closed, 1 half-open, 2 open.
pub const BREAKER_STATE: &str = "scoreline_upstream_breaker_state";
/// Snapshots the validator held back, by league (the reason is free text: see `monitor failures`).
pub const SNAPSHOTS_REJECTED: &str = "scoreline_snapshots_rejected_total";
/// Snapshots dropped as stale copies (behind the accepted one), by league.
pub const STALE_SNAPSHOTS: &str = "scoreline_stale_snapshots_total";
/// Scoreboards identical to the body parsed last for their URL (not parsed again), by league.
pub const UNCHANGED_BODIES: &str = "scoreline_unchanged_bodies_total";
/// Events logged, by league and type.
pub const EVENTS: &str = "scoreline_events_total";
/// Webhook attempts, by subscription and outcome (`delivered`, `retry`, `failed`).
pub const WEBHOOK_ATTEMPTS: &str = "scoreline_webhook_attempts_total";
/// Webhook endpoints disabled (410 Gone or a high failure rate), by subscription.
pub const WEBHOOK_DISABLED: &str = "scoreline_webhook_endpoints_disabled_total";
/// Adapter versions swapped in, refused or rolled back, by adapter and result.
pub const ADAPTER_SWAPS: &str = "scoreline_adapter_swaps_total";
/// Config reloads (`SIGHUP`, `POST /admin/reload`), by result (`applied`, `refused`, `failed`).
pub const CONFIG_RELOADS: &str = "scoreline_config_reloads_total";
/// Points appended to the point outbox since the sink started, by sink (each sink forwards every
/// point, so every sink counts each one).
pub const SINK_POINTS_COMMITTED: &str = "scoreline_sink_points_committed_total";
/// Points the sink's server acknowledged, by sink.
pub const SINK_POINTS_FORWARDED: &str = "scoreline_sink_points_forwarded_total";
/// Points the sink's server refused (a 4xx other than 413/429, or beyond its retention) and that
/// were skipped, by sink.
pub const SINK_POINTS_REJECTED: &str = "scoreline_sink_points_rejected_total";
/// Points dropped by the sink's backlog limit, by sink.
pub const SINK_POINTS_DROPPED: &str = "scoreline_sink_points_dropped_total";
/// Points in the outbox after the sink's cursor, by sink (read from the store, so right after a
/// restart too).
pub const SINK_POINTS_PENDING: &str = "scoreline_sink_points_pending";
/// The process's resident memory, read at each scrape.
pub const RESIDENT_MEMORY: &str = "process_resident_memory_bytes";

/// Latency buckets (seconds) for adapter and upstream calls: 1 ms to 10 s.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Install the Prometheus recorder as the process's `metrics` recorder, once; later calls return
/// the same handle. `None` when another recorder was installed first (logged).
pub fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = match PrometheusBuilder::new().set_buckets(&BUCKETS) {
                Ok(builder) => builder.build_recorder(),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: bad histogram buckets; /metrics is off");
                    return None;
                }
            };
            let handle = recorder.handle();
            if let Err(e) = metrics::set_global_recorder(recorder) {
                tracing::warn!(error = %e, "metrics: another recorder is installed; /metrics is off");
                return None;
            }
            describe();
            Some(handle)
        })
        .as_ref()
}

fn describe() {
    describe_counter!(ADAPTER_CALLS, "Adapter calls by adapter, call and outcome.");
    describe_histogram!(ADAPTER_CALL_SECONDS, Unit::Seconds, "Adapter call latency.");
    describe_counter!(
        UPSTREAM_CALLS,
        "Upstream attempts by host and status (code, error or cache)."
    );
    describe_histogram!(
        UPSTREAM_CALL_SECONDS,
        Unit::Seconds,
        "Upstream attempt latency (cache hits excluded)."
    );
    describe_counter!(
        UPSTREAM_BODY_WAITS,
        "Response bodies that waited for a place under [upstream] max_bodies_in_flight."
    );
    describe_gauge!(
        BREAKER_STATE,
        "Circuit breaker per host: 0 closed, 1 half-open, 2 open."
    );
    describe_counter!(
        SNAPSHOTS_REJECTED,
        "Snapshots held back by validation, by league."
    );
    describe_counter!(
        STALE_SNAPSHOTS,
        "Snapshots dropped as stale copies of an older state, by league."
    );
    describe_counter!(
        UNCHANGED_BODIES,
        "Scoreboards identical to the last one parsed for their URL, not parsed again, by league."
    );
    describe_counter!(EVENTS, "Events logged, by league and type.");
    describe_counter!(
        WEBHOOK_ATTEMPTS,
        "Webhook attempts by subscription and outcome."
    );
    describe_counter!(
        CONFIG_RELOADS,
        "Config reloads by result (applied, refused, failed)."
    );
    describe_counter!(
        WEBHOOK_DISABLED,
        "Webhook endpoints disabled, by subscription."
    );
    describe_counter!(
        ADAPTER_SWAPS,
        "Adapter versions swapped in, refused or rolled back."
    );
    describe_counter!(
        SINK_POINTS_COMMITTED,
        "Points appended to the outbox since the sink started, by sink."
    );
    describe_counter!(
        SINK_POINTS_FORWARDED,
        "Points the sink's server acknowledged, by sink."
    );
    describe_counter!(
        SINK_POINTS_REJECTED,
        "Points the sink's server refused and that were skipped, by sink."
    );
    describe_counter!(
        SINK_POINTS_DROPPED,
        "Points dropped by the sink's backlog limit, by sink."
    );
    describe_gauge!(
        SINK_POINTS_PENDING,
        "Points in the outbox the sink has not forwarded yet, by sink."
    );
    describe_gauge!(
        RESIDENT_MEMORY,
        Unit::Bytes,
        "Resident set size of the daemon."
    );
}

/// The Prometheus text exposition of every metric, with the resident memory read now; `None`
/// when the recorder is not installed.
pub fn render() -> Option<String> {
    let handle = HANDLE.get()?.as_ref()?;
    if let Some(rss) = resident_bytes() {
        gauge!(RESIDENT_MEMORY).set(rss as f64);
    }
    Some(handle.render())
}

/// Resident memory from `/proc/self/statm` (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // Every Linux target this daemon ships for uses 4 KiB pages.
    Some(pages * 4096)
}

/// One adapter call ended with `outcome` after `took`.
pub fn adapter_call(adapter: &str, call: &'static str, outcome: &'static str, took: Duration) {
    counter!(ADAPTER_CALLS, "adapter" => adapter.to_owned(), "call" => call, "outcome" => outcome)
        .increment(1);
    histogram!(ADAPTER_CALL_SECONDS, "adapter" => adapter.to_owned(), "call" => call)
        .record(took.as_secs_f64());
}

/// A new version of `adapter` was `swapped`, `refused` or a `rollback` happened.
pub fn adapter_swap(adapter: &str, result: &'static str) {
    counter!(ADAPTER_SWAPS, "adapter" => adapter.to_owned(), "result" => result).increment(1);
}

/// A config reload ended with `result` (`applied`, `refused` or `failed`).
pub fn config_reload(result: &'static str) {
    counter!(CONFIG_RELOADS, "result" => result).increment(1);
}

/// One upstream attempt to `host`: its status (`None`: no answer), latency, and whether the cache
/// answered it.
pub fn upstream_attempt(host: &str, status: Option<u16>, from_cache: bool, took: Duration) {
    let status = match (from_cache, status) {
        (true, _) => "cache".to_owned(),
        (false, Some(code)) => code.to_string(),
        (false, None) => "error".to_owned(),
    };
    counter!(UPSTREAM_CALLS, "host" => host.to_owned(), "status" => status).increment(1);
    if !from_cache {
        histogram!(UPSTREAM_CALL_SECONDS, "host" => host.to_owned()).record(took.as_secs_f64());
    }
}

/// A response body had to wait for a place under `[upstream] max_bodies_in_flight`.
pub fn upstream_body_waited() {
    counter!(UPSTREAM_BODY_WAITS).increment(1);
}

/// `host`'s breaker is now in `state`.
pub fn breaker_state(host: &str, state: BreakerState) {
    let value = match state {
        BreakerState::Closed => 0.0,
        BreakerState::HalfOpen => 1.0,
        BreakerState::Open => 2.0,
    };
    gauge!(BREAKER_STATE, "host" => host.to_owned()).set(value);
}

/// A snapshot of `league` was held back.
pub fn snapshot_rejected(league: &str) {
    counter!(SNAPSHOTS_REJECTED, "league" => league.to_owned()).increment(1);
}

/// A snapshot of `league` was dropped as a stale copy.
pub fn snapshot_stale(league: &str) {
    counter!(STALE_SNAPSHOTS, "league" => league.to_owned()).increment(1);
}

/// A scoreboard of `league` was the body parsed last time (not parsed again).
pub fn body_unchanged(league: &str) {
    counter!(UNCHANGED_BODIES, "league" => league.to_owned()).increment(1);
}

/// An event of `kind` was logged for `league`.
pub fn event_logged(league: &str, kind: &'static str) {
    counter!(EVENTS, "league" => league.to_owned(), "type" => kind).increment(1);
}

/// A webhook attempt for `subscription` ended with `outcome`.
pub fn webhook_attempt(subscription: &str, outcome: &'static str) {
    counter!(WEBHOOK_ATTEMPTS, "subscription" => subscription.to_owned(), "outcome" => outcome)
        .increment(1);
}

/// `subscription`'s endpoint was disabled.
pub fn webhook_disabled(subscription: &str) {
    counter!(WEBHOOK_DISABLED, "subscription" => subscription.to_owned()).increment(1);
}

/// `n` more points were appended to the outbox that `sink` forwards.
pub fn sink_points_committed(sink: &str, n: u64) {
    counter!(SINK_POINTS_COMMITTED, "sink" => sink.to_owned()).increment(n);
}

/// `sink`'s cursor moved past points `forwarded` (acknowledged), `rejected` and `dropped`.
pub fn sink_points_done(sink: &str, forwarded: u64, rejected: u64, dropped: u64) {
    counter!(SINK_POINTS_FORWARDED, "sink" => sink.to_owned()).increment(forwarded);
    counter!(SINK_POINTS_REJECTED, "sink" => sink.to_owned()).increment(rejected);
    counter!(SINK_POINTS_DROPPED, "sink" => sink.to_owned()).increment(dropped);
}

/// `sink` has `n` points pending.
pub fn sink_points_pending(sink: &str, n: u64) {
    gauge!(SINK_POINTS_PENDING, "sink" => sink.to_owned()).set(n as f64);
}
