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

mod error;
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

pub use error::StoreError;
pub use points::{Advance, OutboxPoint, SinkStat};
pub use prune::{PruneCutoffs, Pruned};
pub use reports::{CallBucket, FailureGroup, Rejection, RejectionReason};
pub use scorers::{GamePlays, HistoryFilter, HistoryGame, HistoryGameColumns, HistoryRow};
pub use types::{
    BreakerTransition, CallStat, GameFilter, Recorded, StoreHealth, StoredGame, TimelineRow,
    UpstreamCall,
};
pub use webhooks::{
    AttemptRecord, Delivery, DeliveryCounts, DeliveryState, DisabledEndpoint, NewDelivery,
    SubscriptionRow,
};

use chrono::{DateTime, SecondsFormat, Utc};
use error::SqlContext;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use scoreline_core::influx::schema::{self, Policy};
use scoreline_core::model::{self, GameStatus};
use scoreline_core::model::{GameKey, ScheduledGame, TeamRef};
use scoreline_core::upstream::breaker::BreakerState;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "scoreline.db";

/// How long a call waits for another process's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Prepared statements kept per connection (the store uses about twenty).
const STATEMENT_CACHE: usize = 64;

/// The WAL file is truncated back to this size after a checkpoint.
const JOURNAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// The embedded store. Clone it freely: clones share one connection.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Connection>,
    /// The database file; none in memory.
    path: Option<PathBuf>,
    /// The newest event `seq` committed through this handle, so readers of the log (the webhook
    /// worker, live streams) wake on a commit instead of polling.
    events_committed: tokio::sync::watch::Sender<i64>,
    /// Whether `record_*` calls append points to the sink outbox (`points.rs`).
    points: AtomicBool,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Open (creating if needed) `dir/scoreline.db`, creating `dir` too, and migrate it to this
    /// binary's schema.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path).map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Store::setup(conn, &path, Some(path.clone()), migrations::MIGRATIONS)
    }

    /// A store that lives in memory only (tests, `--dry-run`).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|source| StoreError::Open {
            path: path.clone(),
            source,
        })?;
        Store::setup(conn, &path, None, migrations::MIGRATIONS)
    }

    /// The schema version this binary writes (its newest migration).
    pub fn schema_version() -> u32 {
        migrations::latest_version()
    }

    /// Configure the connection, then migrate it with `migrations`.
    fn setup(
        mut conn: Connection,
        path: &Path,
        file: Option<PathBuf>,
        migrations: &[migrations::Migration],
    ) -> Result<Store, StoreError> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        if file.is_some() {
            let mode: String = conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
                .map_err(open_err)?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(StoreError::JournalMode {
                    path: path.to_path_buf(),
                    mode,
                });
            }
            conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT)
                .map_err(open_err)?;
        }
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(open_err)?;
        migrations::migrate(&mut conn, path, migrations)?;
        Ok(Store {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                path: file,
                events_committed: tokio::sync::watch::Sender::new(0),
                points: AtomicBool::new(false),
            }),
        })
    }

    /// The connection. A panic while it was held cannot have left a transaction half done (a
    /// dropped `Transaction` rolls back), so a poisoned lock is taken over.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.inner
            .conn
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Upsert the latest snapshot of `key` and append a timeline row when its state changed (see
    /// [`Recorded::state_changed`]). One transaction. Refuses a snapshot whose id is not the key's
    /// game id, and one observed before the stored snapshot.
    pub fn record_game(
        &self,
        key: &GameKey,
        game: &model::Game,
        observed_at: DateTime<Utc>,
    ) -> Result<Recorded, StoreError> {
        const OP: &str = "record_game";
        if game.id != key.game_id {
            return Err(StoreError::KeyMismatch {
                key: key.to_string(),
                found: game.id.clone(),
            });
        }
        let json = encode("game snapshot", key, game)?;
        let at = observed_at.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let stored: Option<StoredState> = tx
            .prepare_cached(
                "SELECT updated_at, status, period, home_score, away_score, game_json
                 FROM games WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
            )
            .op(OP)?
            .query_row(params![key.league, key.adapter, key.game_id], |r| {
                Ok(StoredState {
                    updated_at: r.get(0)?,
                    status: r.get(1)?,
                    period: r.get(2)?,
                    home_score: r.get(3)?,
                    away_score: r.get(4)?,
                    json: r.get(5)?,
                })
            })
            .optional()
            .op(OP)?;
        let (previous, state_changed) = match stored {
            None => (None, true),
            Some(s) => {
                if at < s.updated_at {
                    return Err(StoreError::OutOfOrder {
                        key: key.to_string(),
                        observed_at: rfc3339(observed_at),
                        stored_at: from_millis(s.updated_at, "games.updated_at", key)
                            .map_or_else(|_| s.updated_at.to_string(), rfc3339),
                    });
                }
                let changed = s.status != game.status.as_str()
                    || s.period != game.period
                    || s.home_score != game.home.score
                    || s.away_score != game.away.score;
                (Some(decode_game(&s.json, key)?), changed)
            }
        };
        tx.prepare_cached(
            "INSERT INTO games (league, adapter, game_id, status, start_time,
                 home_id, home_abbreviation, home_name, home_score,
                 away_id, away_abbreviation, away_name, away_score,
                 period, clock, clock_seconds, first_seen_at, updated_at, game_json, season)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?17, ?18, ?19)
             ON CONFLICT (league, adapter, game_id) DO UPDATE SET
                 status = excluded.status, start_time = excluded.start_time,
                 home_id = excluded.home_id, home_abbreviation = excluded.home_abbreviation,
                 home_name = excluded.home_name, home_score = excluded.home_score,
                 away_id = excluded.away_id, away_abbreviation = excluded.away_abbreviation,
                 away_name = excluded.away_name, away_score = excluded.away_score,
                 period = excluded.period, clock = excluded.clock,
                 clock_seconds = excluded.clock_seconds, updated_at = excluded.updated_at,
                 game_json = excluded.game_json, season = excluded.season",
        )
        .op(OP)?
        .execute(params![
            key.league,
            key.adapter,
            key.game_id,
            game.status.as_str(),
            game.start_time.map(|t| t.timestamp_millis()),
            game.home.id,
            game.home.abbreviation,
            game.home.name,
            game.home.score,
            game.away.id,
            game.away.abbreviation,
            game.away.name,
            game.away.score,
            game.period,
            game.clock,
            game.clock_seconds,
            at,
            json,
            game.season,
        ])
        .op(OP)?;
        if state_changed {
            tx.prepare_cached(
                "INSERT INTO timeline (league, adapter, game_id, observed_at, status, period,
                     clock, clock_seconds, home_score, away_score)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .op(OP)?
            .execute(params![
                key.league,
                key.adapter,
                key.game_id,
                at,
                game.status.as_str(),
                game.period,
                game.clock,
                game.clock_seconds,
                game.home.score,
                game.away.score,
            ])
            .op(OP)?;
            let mut pts = vec![
                (Policy::Live, schema::game_state(game, observed_at)),
                (Policy::Live, schema::games(game, observed_at)),
            ];
            if let Some(r) = schema::game_result(game, observed_at) {
                pts.push((Policy::Aggregates, r));
            }
            points::append(self, &tx, &key.to_string(), &pts, at)?;
        }
        tx.commit().op(OP)?;
        Ok(Recorded {
            new_game: previous.is_none(),
            state_changed,
            previous,
        })
    }

    /// Upsert `plays` of a game already recorded with [`Store::record_game`]. Returns how many
    /// rows were inserted or changed (an identical re-recorded play counts 0). One transaction.
    pub fn record_scoring_plays(
        &self,
        key: &GameKey,
        plays: &[model::ScoringPlay],
        observed_at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        const OP: &str = "record_scoring_plays";
        let at = observed_at.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let known = tx
            .prepare_cached(
                "SELECT 1 FROM games WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
            )
            .op(OP)?
            .exists(params![key.league, key.adapter, key.game_id])
            .op(OP)?;
        if !known {
            return Err(StoreError::UnknownGame {
                key: key.to_string(),
            });
        }
        let mut changed = 0;
        let mut changed_plays: Vec<(&model::ScoringPlay, i64)> = Vec::new();
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO scoring_plays (league, adapter, game_id, sequence, period, clock,
                         team, scorer_id, scorer_name, assists_json, kind, points, home_score,
                         away_score, description, details_json, first_seen_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                         ?16, ?17, ?17)
                     ON CONFLICT (league, adapter, game_id, sequence) DO UPDATE SET
                         period = excluded.period, clock = excluded.clock, team = excluded.team,
                         scorer_id = excluded.scorer_id, scorer_name = excluded.scorer_name,
                         assists_json = excluded.assists_json, kind = excluded.kind,
                         points = excluded.points, home_score = excluded.home_score,
                         away_score = excluded.away_score, description = excluded.description,
                         details_json = excluded.details_json, updated_at = excluded.updated_at
                     WHERE scoring_plays.period IS NOT excluded.period
                         OR scoring_plays.clock IS NOT excluded.clock
                         OR scoring_plays.team IS NOT excluded.team
                         OR scoring_plays.scorer_id IS NOT excluded.scorer_id
                         OR scoring_plays.scorer_name IS NOT excluded.scorer_name
                         OR scoring_plays.assists_json IS NOT excluded.assists_json
                         OR scoring_plays.kind IS NOT excluded.kind
                         OR scoring_plays.points IS NOT excluded.points
                         OR scoring_plays.home_score IS NOT excluded.home_score
                         OR scoring_plays.away_score IS NOT excluded.away_score
                         OR scoring_plays.description IS NOT excluded.description
                         OR scoring_plays.details_json IS NOT excluded.details_json
                     RETURNING first_seen_at",
                )
                .op(OP)?;
            for p in plays {
                let assists = encode("scoring play assists", key, &p.assists)?;
                let details = encode("scoring play details", key, &p.details)?;
                let first_seen: Option<i64> = upsert
                    .query_row(
                        params![
                            key.league,
                            key.adapter,
                            key.game_id,
                            p.sequence,
                            p.period,
                            p.clock,
                            p.team,
                            p.scorer_id,
                            p.scorer_name,
                            assists,
                            p.kind,
                            p.points,
                            p.home_score,
                            p.away_score,
                            p.description,
                            details,
                            at,
                        ],
                        |r| r.get(0),
                    )
                    .optional()
                    .op(OP)?;
                if let Some(first_seen) = first_seen {
                    changed += 1;
                    changed_plays.push((p, first_seen));
                }
            }
        }
        if !changed_plays.is_empty() && self.point_outbox_enabled() {
            let first: Option<u32> = tx
                .prepare_cached(
                    "SELECT MIN(sequence) FROM scoring_plays
                     WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
                )
                .op(OP)?
                .query_row(params![key.league, key.adapter, key.game_id], |r| r.get(0))
                .op(OP)?;
            let pts: Vec<(Policy, scoreline_core::influx::line::Point)> = changed_plays
                .iter()
                .map(|(p, first_seen)| {
                    let seen = DateTime::from_timestamp_millis(*first_seen).unwrap_or(observed_at);
                    (
                        Policy::Live,
                        schema::scoring_play(
                            &key.league,
                            &key.game_id,
                            p,
                            first == Some(p.sequence),
                            seen,
                        ),
                    )
                })
                .collect();
            points::append(self, &tx, &key.to_string(), &pts, at)?;
        }
        tx.commit().op(OP)?;
        Ok(changed)
    }

    /// Upsert the schedule rows of `games` for `league` as reported by `adapter` (the game key's
    /// adapter) and recorded from `source` (the adapter's name, or `ingest` for a file). One
    /// transaction.
    pub fn record_schedule(
        &self,
        league: &str,
        adapter: &str,
        games: &[model::Game],
        source: &str,
        observed_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "record_schedule";
        let at = observed_at.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO schedules (league, adapter, game_id, start_time,
                         home_id, home_abbreviation, home_name,
                         away_id, away_abbreviation, away_name, status, source, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (league, adapter, game_id) DO UPDATE SET
                         start_time = excluded.start_time,
                         home_id = excluded.home_id,
                         home_abbreviation = excluded.home_abbreviation,
                         home_name = excluded.home_name, away_id = excluded.away_id,
                         away_abbreviation = excluded.away_abbreviation,
                         away_name = excluded.away_name, status = excluded.status,
                         source = excluded.source, updated_at = excluded.updated_at",
                )
                .op(OP)?;
            for g in games {
                upsert
                    .execute(params![
                        league,
                        adapter,
                        g.id,
                        g.start_time.map(|t| t.timestamp_millis()),
                        g.home.id,
                        g.home.abbreviation,
                        g.home.name,
                        g.away.id,
                        g.away.abbreviation,
                        g.away.name,
                        g.status.as_str(),
                        source,
                        at,
                    ])
                    .op(OP)?;
            }
        }
        tx.commit().op(OP)
    }

    /// Append one upstream call to the call log.
    pub fn record_call(&self, call: &UpstreamCall) -> Result<(), StoreError> {
        const OP: &str = "record_call";
        let bytes = to_i64(call.bytes, "bytes")?;
        let latency = to_i64(call.latency_ms, "latency_ms")?;
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO upstream_calls (at, adapter, league, host, url, status, bytes,
                 latency_ms, error, from_cache, attempt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .op(OP)?
        .execute(params![
            call.at.timestamp_millis(),
            call.adapter,
            call.league,
            call.host,
            call.url,
            call.status,
            bytes,
            latency,
            call.error,
            call.from_cache,
            call.attempt.max(1),
        ])
        .op(OP)?;
        Ok(())
    }

    /// Append a circuit-breaker state change.
    pub fn record_breaker(&self, t: &BreakerTransition) -> Result<(), StoreError> {
        const OP: &str = "record_breaker";
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO breaker_transitions (at, host, state, reason) VALUES (?1, ?2, ?3, ?4)",
        )
        .op(OP)?
        .execute(params![
            t.at.timestamp_millis(),
            t.host,
            t.state.as_str(),
            t.reason
        ])
        .op(OP)?;
        Ok(())
    }

    /// The latest breaker transition of every host that has one, sorted by host.
    pub fn breaker_states(&self) -> Result<Vec<BreakerTransition>, StoreError> {
        const OP: &str = "breaker_states";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT b.at, b.host, b.state, b.reason FROM breaker_transitions b
                 WHERE b.id = (SELECT MAX(id) FROM breaker_transitions WHERE host = b.host)
                 ORDER BY b.host",
            )
            .op(OP)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(at, host, state, reason)| {
                let corrupt = |message: String| StoreError::Corrupt {
                    what: "breaker_transitions",
                    key: host.clone(),
                    message,
                };
                let state = BreakerState::parse(&state)
                    .ok_or_else(|| corrupt(format!("unknown state `{state}`")))?;
                let at = DateTime::from_timestamp_millis(at)
                    .ok_or_else(|| corrupt(format!("time {at} ms is out of range")))?;
                Ok(BreakerTransition {
                    at,
                    host,
                    state,
                    reason,
                })
            })
            .collect()
    }

    /// Keep a snapshot the validator refused, with the reason.
    pub fn record_rejection(
        &self,
        key: &GameKey,
        reason: &str,
        snapshot: &model::Game,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "record_rejection";
        let json = encode("rejected snapshot", key, snapshot)?;
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO rejections (at, league, adapter, game_id, reason, snapshot_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .op(OP)?
        .execute(params![
            at.timestamp_millis(),
            key.league,
            key.adapter,
            key.game_id,
            reason,
            json,
        ])
        .op(OP)?;
        Ok(())
    }

    /// The latest snapshot of `key`.
    pub fn latest(&self, key: &GameKey) -> Result<Option<model::Game>, StoreError> {
        const OP: &str = "latest";
        let conn = self.conn();
        let json: Option<String> = conn
            .prepare_cached(
                "SELECT game_json FROM games WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
            )
            .op(OP)?
            .query_row(params![key.league, key.adapter, key.game_id], |r| r.get(0))
            .optional()
            .op(OP)?;
        json.map(|j| decode_game(&j, key)).transpose()
    }

    /// The latest snapshot of every game of `league` (any adapter), by start time: what the
    /// daemon diffs against after a restart.
    pub fn latest_for_league(
        &self,
        league: &str,
    ) -> Result<Vec<(GameKey, model::Game)>, StoreError> {
        const OP: &str = "latest_for_league";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT league, adapter, game_id, updated_at, game_json FROM games
                 WHERE league = ?1
                 ORDER BY start_time IS NULL, start_time, adapter, game_id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![league], RawGame::from_row)
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|raw| raw.decode().map(|s| (s.key, s.game)))
            .collect()
    }

    /// Games matching `filter`, by start time (games without one last), then by key.
    pub fn games(&self, filter: &GameFilter) -> Result<Vec<StoredGame>, StoreError> {
        const OP: &str = "games";
        let mut sql = String::from(
            "SELECT league, adapter, game_id, updated_at, game_json FROM games WHERE 1 = 1",
        );
        let mut args: Vec<&dyn ToSql> = Vec::new();
        if let Some(league) = &filter.league {
            args.push(league);
            sql.push_str(&format!(" AND league = ?{}", args.len()));
        }
        let status = filter.status.map(GameStatus::as_str);
        if let Some(status) = &status {
            args.push(status);
            sql.push_str(&format!(" AND status = ?{}", args.len()));
        }
        // A negative LIMIT means none.
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        args.push(&limit);
        sql.push_str(&format!(
            " ORDER BY start_time IS NULL, start_time, league, adapter, game_id LIMIT ?{}",
            args.len()
        ));
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).op(OP)?;
        let rows = stmt
            .query_map(args.as_slice(), RawGame::from_row)
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter().map(RawGame::decode).collect()
    }

    /// The game with upstream id `game_id`, in `league` if given. More than one match (the same
    /// id in two leagues, or from two adapters) is `StoreError::Ambiguous`.
    pub fn game(
        &self,
        game_id: &str,
        league: Option<&str>,
    ) -> Result<Option<StoredGame>, StoreError> {
        const OP: &str = "game";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT league, adapter, game_id, updated_at, game_json FROM games
                 WHERE game_id = ?1 AND (?2 IS NULL OR league = ?2)
                 ORDER BY league, adapter",
            )
            .op(OP)?;
        let mut rows = stmt
            .query_map(params![game_id, league], RawGame::from_row)
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        if rows.len() > 1 {
            return Err(StoreError::Ambiguous {
                game_id: game_id.to_owned(),
                keys: rows.iter().map(|r| r.key.to_string()).collect(),
            });
        }
        rows.pop().map(RawGame::decode).transpose()
    }

    /// Every state change of `key`, oldest first.
    pub fn timeline(&self, key: &GameKey) -> Result<Vec<TimelineRow>, StoreError> {
        const OP: &str = "timeline";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, observed_at, status, period, clock, clock_seconds, home_score,
                     away_score
                 FROM timeline WHERE league = ?1 AND adapter = ?2 AND game_id = ?3
                 ORDER BY observed_at, id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![key.league, key.adapter, key.game_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(
                |(
                    id,
                    observed_at,
                    status,
                    period,
                    clock,
                    clock_seconds,
                    home_score,
                    away_score,
                )| {
                    Ok(TimelineRow {
                        id,
                        observed_at: from_millis(observed_at, "timeline.observed_at", key)?,
                        status: parse_status(&status, "timeline.status", key)?,
                        period,
                        clock,
                        clock_seconds,
                        home_score,
                        away_score,
                    })
                },
            )
            .collect()
    }

    /// The scoring plays of `key`, by sequence.
    pub fn scoring_plays(&self, key: &GameKey) -> Result<Vec<model::ScoringPlay>, StoreError> {
        const OP: &str = "scoring_plays";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT sequence, period, clock, team, scorer_id, scorer_name, kind, points,
                     home_score, away_score, description, assists_json, details_json
                 FROM scoring_plays WHERE league = ?1 AND adapter = ?2 AND game_id = ?3
                 ORDER BY sequence",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![key.league, key.adapter, key.game_id], |r| {
                Ok((
                    model::ScoringPlay {
                        sequence: r.get(0)?,
                        period: r.get(1)?,
                        clock: r.get(2)?,
                        team: r.get(3)?,
                        scorer_id: r.get(4)?,
                        scorer_name: r.get(5)?,
                        assists: Vec::new(),
                        kind: r.get(6)?,
                        points: r.get(7)?,
                        home_score: r.get(8)?,
                        away_score: r.get(9)?,
                        description: r.get(10)?,
                        details: Default::default(),
                    },
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                ))
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(play, assists, details)| {
                Ok(model::ScoringPlay {
                    assists: decode(&assists, "scoring_plays.assists_json", key)?,
                    details: decode(&details, "scoring_plays.details_json", key)?,
                    ..play
                })
            })
            .collect()
    }

    /// The schedule of `league` with a start in `[from, to)`, by start time.
    pub fn schedule(
        &self,
        league: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ScheduledGame>, StoreError> {
        const OP: &str = "schedule";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT league, adapter, game_id, start_time,
                     home_id, home_abbreviation, home_name,
                     away_id, away_abbreviation, away_name, status, source, updated_at
                 FROM schedules WHERE league = ?1 AND start_time >= ?2 AND start_time < ?3
                 ORDER BY start_time, adapter, game_id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(
                params![league, from.timestamp_millis(), to.timestamp_millis()],
                |r| {
                    Ok((
                        types::game_key_from_row(r, 0)?,
                        r.get::<_, i64>(3)?,
                        TeamRef {
                            id: r.get(4)?,
                            abbreviation: r.get(5)?,
                            name: r.get(6)?,
                        },
                        TeamRef {
                            id: r.get(7)?,
                            abbreviation: r.get(8)?,
                            name: r.get(9)?,
                        },
                        r.get::<_, String>(10)?,
                        r.get::<_, String>(11)?,
                        r.get::<_, i64>(12)?,
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(key, start, home, away, status, source, updated)| {
                Ok(ScheduledGame {
                    start_time: from_millis(start, "schedules.start_time", &key)?,
                    status: parse_status(&status, "schedules.status", &key)?,
                    updated_at: from_millis(updated, "schedules.updated_at", &key)?,
                    key,
                    home,
                    away,
                    source,
                })
            })
            .collect()
    }

    /// Every team the store has seen in `league` under `adapter`, on either side of a game or a
    /// schedule row, once per id: the newest naming wins (a snapshot over a schedule row, then
    /// the latest update). Sorted by id. What `schedule ingest` maps names onto.
    pub fn teams(&self, league: &str, adapter: &str) -> Result<Vec<TeamRef>, StoreError> {
        const OP: &str = "teams";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, abbreviation, name FROM (
                     SELECT home_id AS id, home_abbreviation AS abbreviation, home_name AS name,
                         1 AS rank, updated_at FROM games WHERE league = ?1 AND adapter = ?2
                     UNION ALL
                     SELECT away_id, away_abbreviation, away_name, 1, updated_at
                         FROM games WHERE league = ?1 AND adapter = ?2
                     UNION ALL
                     SELECT home_id, home_abbreviation, home_name, 0, updated_at
                         FROM schedules WHERE league = ?1 AND adapter = ?2
                     UNION ALL
                     SELECT away_id, away_abbreviation, away_name, 0, updated_at
                         FROM schedules WHERE league = ?1 AND adapter = ?2)
                 WHERE id <> ''
                 ORDER BY id, rank DESC, updated_at DESC, abbreviation, name",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![league, adapter], |r| {
                Ok(TeamRef {
                    id: r.get(0)?,
                    abbreviation: r.get(1)?,
                    name: r.get(2)?,
                })
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        let mut teams: Vec<TeamRef> = Vec::new();
        for t in rows {
            if teams.last().is_none_or(|last| last.id != t.id) {
                teams.push(t);
            }
        }
        Ok(teams)
    }

    /// Upstream calls since `since`, per host and league (sorted by both).
    pub fn call_stats(&self, since: DateTime<Utc>) -> Result<Vec<CallStat>, StoreError> {
        const OP: &str = "call_stats";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT host, league, COUNT(*),
                     SUM(CASE WHEN status >= 400 OR error IS NOT NULL THEN 1 ELSE 0 END),
                     SUM(from_cache), SUM(bytes), AVG(latency_ms), MAX(latency_ms)
                 FROM upstream_calls WHERE at >= ?1
                 GROUP BY host, league ORDER BY host, league",
            )
            .op(OP)?;
        // Counts and sums are of non-negative columns (CHECK constraints), so never negative.
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        stmt.query_map(params![since.timestamp_millis()], |r| {
            Ok(CallStat {
                host: r.get(0)?,
                league: r.get(1)?,
                calls: count(r.get(2)?),
                errors: count(r.get(3)?),
                from_cache: count(r.get(4)?),
                bytes: count(r.get(5)?),
                mean_latency_ms: r.get(6)?,
                max_latency_ms: count(r.get(7)?),
            })
        })
        .op(OP)?
        .collect::<Result<Vec<_>, _>>()
        .op(OP)
    }

    /// How many snapshots were rejected since `since`.
    pub fn rejection_count(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        const OP: &str = "rejection_count";
        let conn = self.conn();
        let n: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM rejections WHERE at >= ?1")
            .op(OP)?
            .query_row(params![since.timestamp_millis()], |r| r.get(0))
            .op(OP)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Copy the WAL into the database file and truncate it (on shutdown, so the next start and
    /// any reader find one compact file). Committed data is durable with or without it.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        const OP: &str = "checkpoint";
        let conn = self.conn();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .op(OP)
    }

    /// File, schema version, row counts and size.
    pub fn health(&self) -> Result<StoreHealth, StoreError> {
        const OP: &str = "health";
        let conn = self.conn();
        let int = |sql: &str| -> Result<u64, StoreError> {
            let v: i64 = conn.query_row(sql, [], |r| r.get(0)).op(OP)?;
            Ok(u64::try_from(v).unwrap_or(0))
        };
        let schema_version = int("PRAGMA user_version")?;
        let pages = int("PRAGMA page_count")?;
        let page_size = int("PRAGMA page_size")?;
        let games = int("SELECT COUNT(*) FROM games")?;
        let timeline_rows = int("SELECT COUNT(*) FROM timeline")?;
        let wal_bytes = self.inner.path.as_ref().map_or(0, |p| {
            let mut wal = p.clone().into_os_string();
            wal.push("-wal");
            std::fs::metadata(wal).map_or(0, |m| m.len())
        });
        Ok(StoreHealth {
            path: self.inner.path.clone(),
            schema_version: u32::try_from(schema_version).unwrap_or(u32::MAX),
            games,
            timeline_rows,
            size_bytes: pages.saturating_mul(page_size),
            wal_bytes,
        })
    }
}

/// The stored state of a game, as `record_game` compares it.
struct StoredState {
    updated_at: i64,
    status: String,
    period: Option<u32>,
    home_score: Option<u32>,
    away_score: Option<u32>,
    json: String,
}

/// A `games` row as read, before its JSON and time are decoded.
struct RawGame {
    key: GameKey,
    updated_at: i64,
    json: String,
}

impl RawGame {
    /// Read `league, adapter, game_id, updated_at, game_json`.
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawGame> {
        Ok(RawGame {
            key: types::game_key_from_row(r, 0)?,
            updated_at: r.get(3)?,
            json: r.get(4)?,
        })
    }

    fn decode(self) -> Result<StoredGame, StoreError> {
        Ok(StoredGame {
            game: decode_game(&self.json, &self.key)?,
            updated_at: from_millis(self.updated_at, "games.updated_at", &self.key)?,
            key: self.key,
        })
    }
}

/// Serialise `value` for a JSON column.
fn encode<T: serde::Serialize + ?Sized>(
    what: &'static str,
    key: &GameKey,
    value: &T,
) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|source| StoreError::Encode {
        what,
        key: key.to_string(),
        source,
    })
}

/// Read a JSON column.
fn decode<T: serde::de::DeserializeOwned>(
    json: &str,
    what: &'static str,
    key: &GameKey,
) -> Result<T, StoreError> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt {
        what,
        key: key.to_string(),
        message: e.to_string(),
    })
}

fn decode_game(json: &str, key: &GameKey) -> Result<model::Game, StoreError> {
    decode(json, "games.game_json", key)
}

/// A stored millisecond time.
fn from_millis(ms: i64, what: &'static str, key: &GameKey) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt {
        what,
        key: key.to_string(),
        message: format!("time {ms} ms is out of range"),
    })
}

/// A stored status name.
fn parse_status(s: &str, what: &'static str, key: &GameKey) -> Result<GameStatus, StoreError> {
    s.parse().map_err(|message| StoreError::Corrupt {
        what,
        key: key.to_string(),
        message,
    })
}

/// An unsigned count as SQLite's signed integer.
fn to_i64(value: u64, field: &'static str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { field, value })
}

/// RFC 3339 with milliseconds, for messages.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
