//! ESPN's JSON shapes, as typed serde structs naming only the fields the adapter reads.
//!
//! The scoreboard (`events[].competitions[0]`) and the summary (`header.competitions[0]`) share
//! [`Competition`], so one function builds a [`scoreline_plugin_sdk::Game`] from either. Every
//! play-like row (football `scoringPlays` and drive plays, basketball/hockey/baseball `plays`,
//! soccer `keyEvents` and competition `details`) reads into the one [`Play`] struct.
//!
//! Only a few fields are essential and fail the parse when missing: an event's `id` and
//! `competitions`, a competition's `competitors`, the summary's `header.competitions`. Everything
//! else is optional and lenient (see [`crate::de`]).

use scoreline_plugin_sdk::de;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// A scoreboard (or schedule) body.
#[derive(Debug, Deserialize)]
pub struct Board {
    /// The games; `None` when the body is not a scoreboard at all.
    #[serde(default)]
    pub events: Option<Vec<Event>>,
    /// The scoreboard's week (football), used when an event has none.
    #[serde(default, deserialize_with = "de::num")]
    pub week: Option<u32>,
    /// An upstream error document's message.
    #[serde(default, deserialize_with = "de::message")]
    pub message: Option<String>,
    /// An upstream error document's `error` (string or object with `message`).
    #[serde(default, deserialize_with = "de::message")]
    pub error: Option<String>,
}

/// One scoreboard event (a game).
#[derive(Debug, Deserialize)]
pub struct Event {
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    #[serde(default, deserialize_with = "de::text")]
    pub date: Option<String>,
    #[serde(default)]
    pub season: Option<Season>,
    #[serde(default, deserialize_with = "de::num")]
    pub week: Option<u32>,
    pub competitions: Vec<Competition>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub venue: Option<Venue>,
}

/// A season marker (`{"year": 2025, "type": 2, "slug": "regular-season"}`).
#[derive(Debug, Default, Deserialize)]
pub struct Season {
    #[serde(default, deserialize_with = "de::num")]
    pub year: Option<u32>,
    #[serde(default, rename = "type", deserialize_with = "de::num")]
    pub kind: Option<u32>,
    #[serde(default, deserialize_with = "de::text")]
    pub slug: Option<String>,
}

/// A competition: the game proper, with its two sides and its status.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Competition {
    #[serde(default, deserialize_with = "de::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub date: Option<String>,
    #[serde(default)]
    pub venue: Option<Venue>,
    pub competitors: Vec<Competitor>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub situation: Option<Situation>,
    /// Soccer: goals, cards and shootout kicks (`scoringPlay`, `ownGoal`, `penaltyKick`,
    /// `shootout` flags).
    #[serde(default, deserialize_with = "de::list")]
    pub details: Vec<Play>,
}

/// A venue; `fullName` on competitions, `displayName` on some events.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Venue {
    #[serde(default, deserialize_with = "de::text")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub display_name: Option<String>,
}

impl Venue {
    /// The venue's name, if it has one.
    pub fn name(&self) -> Option<&str> {
        self.full_name
            .as_deref()
            .or(self.display_name.as_deref())
            .filter(|s| !s.is_empty())
    }
}

/// One side of a competition.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Competitor {
    #[serde(default, deserialize_with = "de::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub home_away: Option<String>,
    #[serde(default)]
    pub team: Option<Team>,
    #[serde(default, deserialize_with = "de::num")]
    pub score: Option<u32>,
    #[serde(default, deserialize_with = "de::num")]
    pub shootout_score: Option<u32>,
    #[serde(default, deserialize_with = "de::list")]
    pub linescores: Vec<IgnoredAny>,
}

/// A team as ESPN names it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    #[serde(default, deserialize_with = "de::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub abbreviation: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub short_display_name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub location: Option<String>,
}

/// A game status: clock, period and the status type.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// Seconds: remaining in timed sports, elapsed in soccer.
    #[serde(default, deserialize_with = "de::float")]
    pub clock: Option<f64>,
    #[serde(default, deserialize_with = "de::text")]
    pub display_clock: Option<String>,
    #[serde(default, deserialize_with = "de::num")]
    pub period: Option<u32>,
    #[serde(default, rename = "type")]
    pub kind: Option<StatusType>,
}

/// `status.type`: ESPN's status name (`STATUS_IN_PROGRESS`), state (`pre`/`in`/`post`) and texts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusType {
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub detail: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub short_detail: Option<String>,
}

/// Live situation (baseball outs; football down and distance, unused).
#[derive(Debug, Deserialize)]
pub struct Situation {
    #[serde(default, deserialize_with = "de::num")]
    pub outs: Option<u32>,
}

/// A game summary body (`.../summary?event=ID`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    #[serde(default)]
    pub header: Option<Header>,
    /// Football's scoring plays (absent before the game).
    #[serde(default)]
    pub scoring_plays: Option<Vec<Play>>,
    /// Play by play: basketball, hockey, baseball (pitch by pitch).
    #[serde(default, deserialize_with = "de::list")]
    pub plays: Vec<Play>,
    /// Football drives, each with its plays.
    #[serde(default)]
    pub drives: Option<Drives>,
    /// Soccer key events (goals, cards, shootout kicks).
    #[serde(default)]
    pub key_events: Option<Vec<Play>>,
    #[serde(default)]
    pub boxscore: Option<Boxscore>,
    #[serde(default, deserialize_with = "de::list")]
    pub rosters: Vec<Roster>,
    #[serde(default)]
    pub game_info: Option<GameInfo>,
    #[serde(default, deserialize_with = "de::message")]
    pub message: Option<String>,
    #[serde(default, deserialize_with = "de::message")]
    pub error: Option<String>,
}

/// The summary's `header`: the game's id, season and its competition.
#[derive(Debug, Deserialize)]
pub struct Header {
    #[serde(default, deserialize_with = "de::text")]
    pub id: Option<String>,
    #[serde(default)]
    pub season: Option<Season>,
    #[serde(default, deserialize_with = "de::num")]
    pub week: Option<u32>,
    pub competitions: Vec<Competition>,
}

/// `gameInfo`: the venue.
#[derive(Debug, Deserialize)]
pub struct GameInfo {
    #[serde(default)]
    pub venue: Option<Venue>,
}

/// Football drives.
#[derive(Debug, Deserialize)]
pub struct Drives {
    #[serde(default, deserialize_with = "de::list")]
    pub previous: Vec<Drive>,
    #[serde(default)]
    pub current: Option<Drive>,
}

/// One drive and its plays.
#[derive(Debug, Deserialize)]
pub struct Drive {
    #[serde(default, deserialize_with = "de::list")]
    pub plays: Vec<Play>,
}

/// The boxscore, read only for player names.
#[derive(Debug, Deserialize)]
pub struct Boxscore {
    #[serde(default, deserialize_with = "de::list")]
    pub players: Vec<BoxTeam>,
}

/// One team's player statistics.
#[derive(Debug, Deserialize)]
pub struct BoxTeam {
    #[serde(default, deserialize_with = "de::list")]
    pub statistics: Vec<BoxGroup>,
}

/// One statistics group and its athletes.
#[derive(Debug, Deserialize)]
pub struct BoxGroup {
    #[serde(default, deserialize_with = "de::list")]
    pub athletes: Vec<AthleteEntry>,
}

/// A soccer roster.
#[derive(Debug, Deserialize)]
pub struct Roster {
    #[serde(default, deserialize_with = "de::list")]
    pub roster: Vec<AthleteEntry>,
}

/// `{"athlete": {...}}`, as boxscores, rosters and play participants wrap a player.
#[derive(Debug, Deserialize)]
pub struct AthleteEntry {
    #[serde(default)]
    pub athlete: Option<Athlete>,
}

/// A player.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Athlete {
    #[serde(default, deserialize_with = "de::text")]
    pub id: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub display_name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub short_name: Option<String>,
    #[serde(default)]
    pub team: Option<TeamRef>,
}

impl Athlete {
    /// The player's display name, if any.
    pub fn name(&self) -> Option<&str> {
        self.display_name
            .as_deref()
            .or(self.full_name.as_deref())
            .or(self.short_name.as_deref())
            .filter(|s| !s.is_empty())
    }
}

/// A team reference on a play (`{"id": "6"}`).
#[derive(Debug, Deserialize)]
pub struct TeamRef {
    #[serde(default, deserialize_with = "de::text")]
    pub id: Option<String>,
}

/// A play participant: the athlete and, in baseball, their role (`batter`, `pitcher`, ...).
#[derive(Debug, Deserialize)]
pub struct Participant {
    #[serde(default)]
    pub athlete: Option<Athlete>,
    #[serde(default, rename = "type", deserialize_with = "de::text")]
    pub role: Option<String>,
}

/// Any play-like row: a scoring play, a play-by-play row, a key event or a competition detail.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Play {
    #[serde(default, rename = "type")]
    pub kind: Option<PlayType>,
    #[serde(default, deserialize_with = "de::text")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub short_text: Option<String>,
    #[serde(default, deserialize_with = "de::num")]
    pub home_score: Option<u32>,
    #[serde(default, deserialize_with = "de::num")]
    pub away_score: Option<u32>,
    #[serde(default)]
    pub period: Option<PlayPeriod>,
    #[serde(default)]
    pub clock: Option<PlayClock>,
    #[serde(default, deserialize_with = "de::flag")]
    pub scoring_play: bool,
    #[serde(default, deserialize_with = "de::num")]
    pub score_value: Option<u32>,
    #[serde(default)]
    pub team: Option<TeamRef>,
    #[serde(default, deserialize_with = "de::list")]
    pub participants: Vec<Participant>,
    /// Scoreboard `details` name players here instead of `participants`.
    #[serde(default, deserialize_with = "de::list")]
    pub athletes_involved: Vec<Athlete>,
    #[serde(default)]
    pub strength: Option<Label>,
    #[serde(default, deserialize_with = "de::flag")]
    pub shootout: bool,
    #[serde(default, deserialize_with = "de::flag")]
    pub shootout_play: bool,
    #[serde(default, deserialize_with = "de::flag")]
    pub own_goal: bool,
    #[serde(default, deserialize_with = "de::flag")]
    pub penalty_kick: bool,
    #[serde(default, deserialize_with = "de::flag")]
    pub shooting_play: bool,
    #[serde(default, deserialize_with = "de::text")]
    pub at_bat_id: Option<String>,
    /// Baseball row kind: `P` for a pitch.
    #[serde(default, deserialize_with = "de::text")]
    pub summary_type: Option<String>,
    #[serde(default)]
    pub scoring_type: Option<Label>,
}

impl Play {
    /// The row's text, or empty.
    pub fn text(&self) -> &str {
        self.text
            .as_deref()
            .or(self.short_text.as_deref())
            .unwrap_or("")
    }

    /// `type.text`, or empty.
    pub fn type_text(&self) -> &str {
        self.kind
            .as_ref()
            .and_then(|k| k.text.as_deref())
            .unwrap_or("")
    }

    /// `type.type` (soccer's machine kind such as `goal---header`), or empty.
    pub fn type_slug(&self) -> &str {
        self.kind
            .as_ref()
            .and_then(|k| k.slug.as_deref())
            .unwrap_or("")
    }

    /// `period.number`.
    pub fn period(&self) -> Option<u32> {
        self.period.as_ref().and_then(|p| p.number)
    }

    /// `clock.displayValue`, when not empty.
    pub fn clock(&self) -> Option<String> {
        self.clock
            .as_ref()
            .and_then(|c| c.display_value.clone())
            .filter(|s| !s.is_empty())
    }

    /// `team.id`.
    pub fn team_id(&self) -> Option<&str> {
        self.team.as_ref().and_then(|t| t.id.as_deref())
    }

    /// The players named on the row, in upstream order (`participants`, else `athletesInvolved`).
    pub fn athletes(&self) -> Vec<&Athlete> {
        if self.participants.is_empty() {
            self.athletes_involved.iter().collect()
        } else {
            self.participants
                .iter()
                .filter_map(|p| p.athlete.as_ref())
                .collect()
        }
    }
}

/// `type` of a play: `{"id": "67", "text": "Passing Touchdown", "abbreviation": "TD"}`, soccer
/// adds `"type": "goal---header"`.
#[derive(Debug, Deserialize)]
pub struct PlayType {
    #[serde(default, deserialize_with = "de::text")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub abbreviation: Option<String>,
    #[serde(default, rename = "type", deserialize_with = "de::text")]
    pub slug: Option<String>,
}

/// `period` of a play: its number and, in baseball, the half (`Top`/`Bottom`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlayPeriod {
    #[serde(default, deserialize_with = "de::num")]
    pub number: Option<u32>,
    #[serde(default, rename = "type", deserialize_with = "de::text")]
    pub half: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub display_value: Option<String>,
}

/// `clock` of a play.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlayClock {
    #[serde(default, deserialize_with = "de::text")]
    pub display_value: Option<String>,
}

/// A labelled value such as hockey's `strength` or football's `scoringType`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Label {
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub text: Option<String>,
    #[serde(default, deserialize_with = "de::text")]
    pub abbreviation: Option<String>,
}
