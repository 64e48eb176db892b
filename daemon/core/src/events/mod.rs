//! Events: what the daemon announces when a game changes. This module owns the event model
//! shared by the diff engine (which produces events), the event log in the store (which keeps
//! them, append-only, once per id) and the consumers that read the log in order (webhooks, the
//! live stream).

pub mod diff;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The kinds of event, named as the API and webhooks spell them (`game.started`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EventType {
    /// A game appeared in the schedule.
    #[serde(rename = "game.scheduled")]
    GameScheduled,
    /// A game went live.
    #[serde(rename = "game.started")]
    GameStarted,
    /// A period (quarter, half, inning, ...) began.
    #[serde(rename = "period.started")]
    PeriodStarted,
    /// A period ended.
    #[serde(rename = "period.ended")]
    PeriodEnded,
    /// The score went up (one event even when several scores landed between two polls).
    #[serde(rename = "score.changed")]
    ScoreChanged,
    /// A confirmed score went down or a scoring play was overturned.
    #[serde(rename = "score.corrected")]
    ScoreCorrected,
    /// The leader changed.
    #[serde(rename = "lead.changed")]
    LeadChanged,
    /// The game became tied.
    #[serde(rename = "game.tied")]
    GameTied,
    /// A scoring play, with its scorer.
    #[serde(rename = "scoring.play")]
    ScoringPlay,
    /// The game's first scorer.
    #[serde(rename = "scoring.first")]
    ScoringFirst,
    /// Play was delayed.
    #[serde(rename = "game.delayed")]
    GameDelayed,
    /// The game was postponed.
    #[serde(rename = "game.postponed")]
    GamePostponed,
    /// The game ended.
    #[serde(rename = "game.final")]
    GameFinal,
}

impl EventType {
    /// Every type, in lifecycle order.
    pub const ALL: [EventType; 13] = [
        EventType::GameScheduled,
        EventType::GameStarted,
        EventType::PeriodStarted,
        EventType::PeriodEnded,
        EventType::ScoreChanged,
        EventType::ScoreCorrected,
        EventType::LeadChanged,
        EventType::GameTied,
        EventType::ScoringPlay,
        EventType::ScoringFirst,
        EventType::GameDelayed,
        EventType::GamePostponed,
        EventType::GameFinal,
    ];

    /// The wire name, e.g. `score.changed`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::GameScheduled => "game.scheduled",
            EventType::GameStarted => "game.started",
            EventType::PeriodStarted => "period.started",
            EventType::PeriodEnded => "period.ended",
            EventType::ScoreChanged => "score.changed",
            EventType::ScoreCorrected => "score.corrected",
            EventType::LeadChanged => "lead.changed",
            EventType::GameTied => "game.tied",
            EventType::ScoringPlay => "scoring.play",
            EventType::ScoringFirst => "scoring.first",
            EventType::GameDelayed => "game.delayed",
            EventType::GamePostponed => "game.postponed",
            EventType::GameFinal => "game.final",
        }
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for EventType {
    type Err = String;

    fn from_str(s: &str) -> Result<EventType, String> {
        EventType::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
                format!("unknown event type `{s}` (one of {})", names.join(", "))
            })
    }
}

/// One event. `id` derives from content (game key, type, sequence and the score after it), so
/// the same change seen again (a re-poll, a restart, a replay) has the same id and the log keeps
/// it once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Content-derived id, stable across re-polls, restarts and replays.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// Upstream game id.
    pub game_id: String,
    /// League key.
    pub league: String,
    /// Adapter that reported the game.
    pub adapter: String,
    /// When the daemon saw it (the poll's `now`).
    pub time: DateTime<Utc>,
    /// Implied by the first sight of a game (after a restart or a late start), not seen happen.
    pub catch_up: bool,
    /// Ids and abbreviations of both teams, for subscription filters.
    pub teams: Vec<String>,
    /// Type-specific payload (scores, deltas, scorer, winner, ...).
    pub data: serde_json::Value,
}

/// An event as the log keeps it: its position in the log and the event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoggedEvent {
    /// Position in the log: strictly increasing, never reused (consumers keep it as a cursor).
    pub seq: i64,
    /// The event.
    pub event: Event,
}

/// Which events to read from the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Only this game id.
    pub game_id: Option<String>,
    /// Only this league.
    pub league: Option<String>,
    /// Only these types (empty: all).
    pub types: Vec<EventType>,
    /// Only events at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only events after this log position.
    pub after_seq: Option<i64>,
    /// At most this many, oldest first.
    pub limit: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip() {
        for t in EventType::ALL {
            assert_eq!(t.as_str().parse::<EventType>(), Ok(t));
            assert_eq!(
                serde_json::to_string(&t).unwrap_or_default(),
                format!("\"{}\"", t.as_str())
            );
        }
        assert!("score.changd".parse::<EventType>().is_err());
    }
}
