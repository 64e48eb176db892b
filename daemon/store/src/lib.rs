//! The embedded store: one SQLite file, `<data dir>/scoreline.db`, holding each game's latest
//! snapshot, its timeline of state changes, scoring plays, schedules, the upstream call log and
//! rejected snapshots.
//!
//! # Durability
//!
//! The file is in WAL mode with `synchronous=NORMAL`. A transaction is committed once its
//! `record_*` call returns `Ok`; at that point its pages are in the WAL file (written, not yet
//! fsynced). So:
//! - after the process dies in any way (`kill -9`, abort, OOM kill), every committed transaction
//!   survives and the database opens consistent (tested: `committed_rows_survive_kill_9`);
//! - after a power loss or kernel crash the database is still consistent, but the commits made
//!   since the WAL was last fsynced (at a checkpoint) may be lost. `synchronous=FULL` would close that
//!   gap at the cost of an fsync per commit; live scores are re-polled, so NORMAL is the trade.
//!
//! Every `record_*` call is one transaction (`IMMEDIATE` where it reads before writing): all of it
//! is stored or none of it.
//! `busy_timeout` is 5 s, so a second process (the CLI reading while the daemon writes) waits
//! instead of failing; WAL lets readers run beside the one writer. Foreign keys are enforced.
//!
//! # Format
//!
//! Times are `INTEGER` Unix milliseconds, UTC (sub-millisecond precision is dropped). Statuses are
//! the lowercase `GameStatus` names. A **game key** is `(league, adapter, game_id)`: the league key,
//! the adapter's name and the adapter's id for the game. Snapshots are kept whole as JSON
//! (`model::Game` serialised by serde) beside the columns that queries filter on.
//!
//! | table | one row per | key | notes |
//! |---|---|---|---|
//! | `games` | game | game key | latest snapshot: status, start_time, home/away id, abbreviation, name, score, period, clock, clock_seconds, first_seen_at, updated_at, `game_json` |
//! | `timeline` | change of state | `id` (AUTOINCREMENT) | game key, observed_at, status, period, clock, clock_seconds, home/away score; index (game key, observed_at) |
//! | `scoring_plays` | play | game key + sequence | every `ScoringPlay` field, `assists_json`, `details_json`, first_seen_at, updated_at |
//! | `schedules` | game | game key | start_time, home/away id, abbreviation, name, status, `source` (adapter or `ingest`), updated_at; index (league, start_time) |
//! | `upstream_calls` | upstream request | `id` | at, adapter, league, host, url, status (NULL: network error), bytes, latency_ms, error, from_cache; index (at) |
//! | `rejections` | refused snapshot | `id` | at, game key, reason, `snapshot_json`; index (at) |
//! | `breaker_transitions` | breaker state change | `id` | at, host, state, reason; index (host, at), (at) |
//! | `webhook_subscriptions` | subscription | name | source (`api`/`config`), `spec_json` |
//! | `webhook_deliveries` | message to one subscription | `id` | the outbox: webhook_id, body, state, attempts, next_attempt_at (`webhooks.rs`) |
//! | `webhook_attempts` | attempt | `id` | last 100 per subscription: at, ok, status, error |
//! | `webhook_disabled`, `webhook_cursor` | endpoint / one row | name / 1 | disabled endpoints; the event-log position enqueued up to |
//! | `sink_points` | point for the remote sinks | `seq` (AUTOINCREMENT) | policy, measurement, created_at, one line of line protocol (`points.rs`) |
//! | `sink_cursors` | sink | name | last seq done, acked/rejected/dropped counts |
//!
//! Indices for the scorer queries (`scorers.rs`): `scoring_plays (scorer_id)` for a player's
//! history, `games (updated_at)` for the scoring-quality window.
//!
//! The call log, rejections and breaker transitions would grow without bound: `prune.rs`
//! deletes rows past their retention in small batches (`[retention]` in the config; the daemon
//! runs it in the background). `reports.rs` holds the read-only queries of `scoreline monitor`.
//!
//! `Store` itself, opening the file and the shared column helpers are in `db.rs`; the game,
//! timeline, scoring play and schedule calls in `games.rs`; the call log, breaker transitions and
//! rejections in `calls.rs`. This file only declares the modules and re-exports the public types.
//!
//! The schema is `migrations/*.sql`, applied in order and tracked in `PRAGMA user_version`
//! (see `migrations.rs`). A file with a newer version than this binary knows is refused.
//!
//! # Invariants
//!
//! - `games.game_json` is the snapshot last given to `record_game`; its columns are derived from
//!   it in the same statement, and `game_json`'s `id` is the key's `game_id`.
//! - `games.updated_at` is the newest observation: a snapshot observed before it is refused
//!   (`StoreError::OutOfOrder`), so per game the timeline's `observed_at` never decreases.
//! - A timeline row is appended exactly when a game is first recorded or its status, period, home
//!   score or away score differs from the stored snapshot's; a clock-only change updates `games`
//!   and appends nothing. So consecutive timeline rows of a game always differ in state.
//! - Timeline and scoring play rows belong to a game in `games` (foreign key, cascading delete).
//! - A scoring play is upserted by (game key, sequence): a correction replaces the row's fields and
//!   `updated_at` but keeps `first_seen_at`; re-recording an identical play changes nothing.
//! - Migrations are append-only; a released one is never edited (a test pins their digests).
//!
//! The store is synchronous. `Store` is a cheap `Clone` (an `Arc`) and `Send + Sync`; calls are
//! serialised on one connection, so the daemon calls it from `spawn_blocking` or one writer thread.

mod calls;
mod db;
mod error;
mod games;
mod migrations;
mod prune;
mod reports;
mod types;

mod events;
mod points;
mod scorers;
#[cfg(test)]
mod tests;
mod webhooks;

pub use calls::StaleSource;
pub use db::{DB_FILE, Store};
pub use error::StoreError;
pub use points::{Advance, OutboxPoint, SinkStat};
pub use prune::{PruneCutoffs, Pruned};
pub use reports::{CallBucket, FailureGroup, Rejection, RejectionReason};
pub use scorers::{GamePlays, HistoryFilter, HistoryGame, HistoryGameColumns, HistoryRow};
pub use types::{
    BreakerTransition, CallStat, GameFilter, Recorded, StoreHealth, StoredGame, TimelineRow,
    UnconfirmedGame, UpstreamCall,
};
pub use webhooks::{
    AttemptRecord, Delivery, DeliveryCounts, DeliveryState, DisabledEndpoint, NewDelivery,
    SubscriptionRow,
};
