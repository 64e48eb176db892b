//! The host's normalised sports model: what adapters produce, what the store keeps and what the CLI
//! and HTTP API print. Independent of the WIT bindings (see `sandbox::convert`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Where a game stands. Lowercase in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GameStatus {
    /// Not started.
    Scheduled,
    /// About to start.
    Pregame,
    /// Being played.
    Live,
    /// A break inside the game.
    Intermission,
    /// Held up, expected to continue the same day.
    Delayed,
    /// Finished.
    Final,
    /// Moved to another day.
    Postponed,
    /// Will not be played.
    Cancelled,
    /// Stopped part way, to be resumed.
    Suspended,
}

impl GameStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [GameStatus; 9] = [
        GameStatus::Scheduled,
        GameStatus::Pregame,
        GameStatus::Live,
        GameStatus::Intermission,
        GameStatus::Delayed,
        GameStatus::Final,
        GameStatus::Postponed,
        GameStatus::Cancelled,
        GameStatus::Suspended,
    ];

    /// Lowercase name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            GameStatus::Scheduled => "scheduled",
            GameStatus::Pregame => "pregame",
            GameStatus::Live => "live",
            GameStatus::Intermission => "intermission",
            GameStatus::Delayed => "delayed",
            GameStatus::Final => "final",
            GameStatus::Postponed => "postponed",
            GameStatus::Cancelled => "cancelled",
            GameStatus::Suspended => "suspended",
        }
    }
}

impl fmt::Display for GameStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for GameStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        GameStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| format!("unknown game status `{s}`"))
    }
}

/// One side of a game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Competitor {
    /// Upstream team id.
    pub id: String,
    /// Short code, e.g. `DAL`.
    pub abbreviation: String,
    /// Display name.
    pub name: String,
    /// Score; none before the game has one.
    pub score: Option<u32>,
}

/// A normalised game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Game {
    /// Upstream game id.
    pub id: String,
    /// League key.
    pub league: String,
    /// Sport, lowercase.
    pub sport: String,
    /// Where the game stands.
    pub status: GameStatus,
    /// Upstream's short status text.
    pub status_detail: String,
    /// Current or last period.
    pub period: Option<u32>,
    /// Displayed clock.
    pub clock: Option<String>,
    /// Clock in seconds as upstream counts it.
    pub clock_seconds: Option<u32>,
    /// Scheduled start (RFC 3339, UTC).
    pub start_time: Option<DateTime<Utc>>,
    /// Season label.
    pub season: Option<String>,
    /// Season type (`preseason`, `regular`, `postseason`).
    pub season_type: Option<String>,
    /// Week number.
    pub week: Option<u32>,
    /// Venue name.
    pub venue: Option<String>,
    /// Went past regulation.
    pub overtime: bool,
    /// Soccer extra time.
    pub extra_time: bool,
    /// Decided by a shootout.
    pub shootout: bool,
    /// Home side.
    pub home: Competitor,
    /// Away side.
    pub away: Competitor,
    /// Sport-specific extras.
    pub details: BTreeMap<String, String>,
}

impl Game {
    /// A game of which only these are known: no status text, period, clock, start time,
    /// season, week, venue, flags or details. Set the rest with struct update syntax
    /// (`Game { period: Some(2), ..Game::new(...) }`).
    pub fn new(
        id: impl Into<String>,
        league: impl Into<String>,
        sport: impl Into<String>,
        status: GameStatus,
        home: Competitor,
        away: Competitor,
    ) -> Game {
        Game {
            id: id.into(),
            league: league.into(),
            sport: sport.into(),
            status,
            status_detail: String::new(),
            period: None,
            clock: None,
            clock_seconds: None,
            start_time: None,
            season: None,
            season_type: None,
            week: None,
            venue: None,
            overtime: false,
            extra_time: false,
            shootout: false,
            home,
            away,
            details: BTreeMap::new(),
        }
    }
}

/// A player named on a play.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Player {
    /// Upstream player id.
    pub id: Option<String>,
    /// Display name.
    pub name: String,
}

/// A play that changed the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoringPlay {
    /// 1-based order among the game's scoring plays.
    pub sequence: u32,
    /// Period.
    pub period: Option<u32>,
    /// Displayed clock.
    pub clock: Option<String>,
    /// Upstream id of the side whose score rose.
    pub team: String,
    /// Scorer's upstream id.
    pub scorer_id: Option<String>,
    /// Scorer's name.
    pub scorer_name: Option<String>,
    /// Assisting players.
    pub assists: Vec<Player>,
    /// Kind, e.g. `touchdown`, `goal`, `home-run`.
    pub kind: String,
    /// Points added.
    pub points: u32,
    /// Home score after the play.
    pub home_score: u32,
    /// Away score after the play.
    pub away_score: u32,
    /// Upstream text.
    pub description: String,
    /// Sport-specific extras.
    pub details: BTreeMap<String, String>,
}

/// One shootout attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShootoutAttempt {
    /// 1-based order.
    pub sequence: u32,
    /// Shooter's team id.
    pub team: String,
    /// Shooter's id.
    pub player_id: Option<String>,
    /// Shooter's name.
    pub player_name: Option<String>,
    /// It scored.
    pub scored: bool,
    /// Upstream text.
    pub description: String,
}

/// Games parsed from a scoreboard or schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GamesResult {
    /// The games.
    pub games: Vec<Game>,
    /// Upstream's poll hint in seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub poll_hint_secs: Option<u32>,
}

/// A game with its scoring plays and shootout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GameDetail {
    /// The game.
    pub game: Game,
    /// Scoring plays in order.
    pub scoring_plays: Vec<ScoringPlay>,
    /// Shootout attempts in order.
    pub shootout: Vec<ShootoutAttempt>,
    /// Upstream's poll hint in seconds.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub poll_hint_secs: Option<u32>,
}

/// Suggested poll intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    /// No game today.
    pub idle_secs: u32,
    /// A game within 30 minutes.
    pub pregame_secs: u32,
    /// A game live.
    pub live_secs: u32,
    /// Settle fetch delay after the last final.
    pub settle_secs: u32,
}

/// What an adapter says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdapterInfo {
    /// Name, e.g. `espn`.
    pub name: String,
    /// Version.
    pub version: String,
    /// League keys and patterns served.
    pub leagues: Vec<String>,
    /// Hosts its requests may go to.
    pub hosts: Vec<String>,
    /// Suggested cadence.
    pub cadence: Cadence,
}

/// An upstream GET an adapter planned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedRequest {
    /// Absolute URL.
    pub url: String,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
}

/// Does `pattern` (where `*` matches any run of characters other than `.`) match `key`?
pub fn league_matches(pattern: &str, key: &str) -> bool {
    fn go(p: &[u8], k: &[u8]) -> bool {
        match p.split_first() {
            None => k.is_empty(),
            Some((b'*', rest)) => {
                // `*` matches a non-empty run without dots (`*.*` must not match `nfl`).
                (1..=k.len())
                    .take_while(|&n| k.get(n - 1).is_some_and(|&c| c != b'.'))
                    .any(|n| go(rest, k.get(n..).unwrap_or_default()))
            }
            Some((c, rest)) => k
                .split_first()
                .is_some_and(|(d, krest)| c == d && go(rest, krest)),
        }
    }
    go(pattern.as_bytes(), key.as_bytes())
}

/// What identifies a game in the store: the league key, the adapter that reported it and the
/// adapter's game id. The same upstream id under two adapters is two games.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GameKey {
    /// League key, e.g. `nfl`, `eng.1`.
    pub league: String,
    /// Adapter name, e.g. `espn`.
    pub adapter: String,
    /// The adapter's game id (`model::Game::id`).
    pub game_id: String,
}

impl GameKey {
    /// A key from its three parts.
    pub fn new(
        league: impl Into<String>,
        adapter: impl Into<String>,
        game_id: impl Into<String>,
    ) -> Self {
        GameKey {
            league: league.into(),
            adapter: adapter.into(),
            game_id: game_id.into(),
        }
    }
}

impl fmt::Display for GameKey {
    /// `league/adapter/game_id`, as in error messages and logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.league, self.adapter, self.game_id)
    }
}

/// A team as a schedule names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamRef {
    /// Upstream team id.
    pub id: String,
    /// Short code.
    pub abbreviation: String,
    /// Display name.
    pub name: String,
}

/// A game as the schedule has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledGame {
    /// The game key.
    pub key: GameKey,
    /// Scheduled start.
    pub start_time: DateTime<Utc>,
    /// Home side.
    pub home: TeamRef,
    /// Away side.
    pub away: TeamRef,
    /// Status when the schedule was last recorded.
    pub status: GameStatus,
    /// Who reported it: an adapter name or `ingest`.
    pub source: String,
    /// When it was last recorded.
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn league_patterns() {
        assert!(league_matches("nfl", "nfl"));
        assert!(!league_matches("nfl", "nba"));
        assert!(league_matches("*.*", "eng.1"));
        assert!(league_matches("*.*", "uefa.champions"));
        assert!(!league_matches("*.*", "nfl"));
        assert!(!league_matches("*.*", "a.b.c"));
        assert!(!league_matches("*.*", ".1"));
        assert!(league_matches("usa.*", "usa.1"));
        assert!(!league_matches("usa.*", "eng.1"));
    }

    #[test]
    fn status_round_trip() {
        for st in GameStatus::ALL {
            assert_eq!(st.as_str().parse::<GameStatus>(), Ok(st));
            assert_eq!(
                serde_json::to_value(st).ok(),
                Some(serde_json::Value::from(st.as_str()))
            );
        }
        assert!("over".parse::<GameStatus>().is_err());
    }
}
