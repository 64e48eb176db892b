//! The values the store takes and returns: game keys, query filters and result rows. JSON field
//! names are snake_case, times RFC 3339 UTC.

use chrono::{DateTime, Utc};
use scoreline_core::model::{self, GameKey, GameStatus};
use scoreline_core::upstream::breaker::BreakerState;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// Read a [`GameKey`] (`league, adapter, game_id`) from a store row, starting at column `at`.
pub(crate) fn game_key_from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<GameKey> {
    Ok(GameKey {
        league: r.get(at)?,
        adapter: r.get(at + 1)?,
        game_id: r.get(at + 2)?,
    })
}

/// What [`Store::record_game`](super::Store::record_game) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The store had no snapshot of this game before.
    pub new_game: bool,
    /// A timeline row was appended: the game is new, or its status, period, home score or away
    /// score differs from the previous snapshot. A clock change alone does not count.
    pub state_changed: bool,
    /// The snapshot this one replaced.
    pub previous: Option<model::Game>,
}

/// Which games [`Store::games`](super::Store::games) returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GameFilter {
    /// Only this league.
    pub league: Option<String>,
    /// Only games in this status.
    pub status: Option<GameStatus>,
    /// At most this many (the earliest by start time); none means all.
    pub limit: Option<usize>,
}

/// A game's latest snapshot with its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredGame {
    /// The game key.
    pub key: GameKey,
    /// The latest snapshot.
    pub game: model::Game,
    /// When it was observed.
    pub updated_at: DateTime<Utc>,
}

/// A game upstream stopped listing while it was in play, which its detail did not settle: its
/// last known state and since when it is unconfirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnconfirmedGame {
    /// The game key.
    pub key: GameKey,
    /// The last snapshot stored.
    pub game: model::Game,
    /// When that snapshot was observed.
    pub updated_at: DateTime<Utc>,
    /// When the game was marked unconfirmed.
    pub unconfirmed_since: DateTime<Utc>,
}

/// One change of a game's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineRow {
    /// Row id: increasing in insertion order, never reused (a forwarder's cursor).
    pub id: i64,
    /// When the new state was observed.
    pub observed_at: DateTime<Utc>,
    /// Status.
    pub status: GameStatus,
    /// Period.
    pub period: Option<u32>,
    /// Displayed clock at that moment.
    pub clock: Option<String>,
    /// Clock in seconds at that moment.
    pub clock_seconds: Option<u32>,
    /// Home score.
    pub home_score: Option<u32>,
    /// Away score.
    pub away_score: Option<u32>,
}

/// One upstream request the host made (or answered from its cache).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpstreamCall {
    /// When the request started.
    pub at: DateTime<Utc>,
    /// Adapter that planned it.
    pub adapter: String,
    /// League it was for.
    pub league: String,
    /// Host requested.
    pub host: String,
    /// Full URL.
    pub url: String,
    /// HTTP status; none for a network error.
    pub status: Option<u16>,
    /// Body bytes received.
    pub bytes: u64,
    /// Time to the full body, milliseconds.
    pub latency_ms: u64,
    /// What went wrong, if anything did.
    pub error: Option<String>,
    /// Answered from the host's cache without a request.
    pub from_cache: bool,
    /// Which attempt this was: 1 for the first try, more for a retry.
    pub attempt: u32,
}

/// One circuit-breaker state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakerTransition {
    /// When.
    pub at: DateTime<Utc>,
    /// The upstream host.
    pub host: String,
    /// The state entered.
    pub state: BreakerState,
    /// Why.
    pub reason: String,
}

/// Upstream calls of one host for one league since some time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallStat {
    /// Host.
    pub host: String,
    /// League.
    pub league: String,
    /// Calls made.
    pub calls: u64,
    /// Calls with status >= 400 or an error.
    pub errors: u64,
    /// Calls answered from the cache.
    pub from_cache: u64,
    /// Body bytes received in all.
    pub bytes: u64,
    /// Mean latency, milliseconds.
    pub mean_latency_ms: f64,
    /// Largest latency, milliseconds.
    pub max_latency_ms: u64,
}

/// The store's vital signs, for `/health` and `scoreline monitor`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreHealth {
    /// The database file; none for an in-memory store.
    pub path: Option<PathBuf>,
    /// `PRAGMA user_version`.
    pub schema_version: u32,
    /// Games with a snapshot.
    pub games: u64,
    /// Timeline rows.
    pub timeline_rows: u64,
    /// Size of the database (pages in use times page size, including pages still in the WAL).
    pub size_bytes: u64,
    /// Size of the WAL file on disk (0 in memory or after a truncating checkpoint).
    pub wal_bytes: u64,
}
