//! The MLB Stats API documents as typed serde structs naming only the fields the adapter reads:
//! `/api/v1/schedule` (`dates[].games[]`, optionally hydrated with `linescore` and `team`) and
//! `/api/v1.1/game/{pk}/feed/live` (`metaData`, `gameData`, `liveData`).
//!
//! Essential fields are strict so a body without them fails naming the path: `dates`, `gamePk`,
//! `status`, `teams.{home,away}.team.id` on a schedule; `gameData`, `gameData.status`,
//! `gameData.teams.{home,away}.id` and `liveData` on a feed. Everything else is lenient
//! ([`crate::de`]).

use scoreline_plugin_sdk::de;
use serde::{Deserialize, Deserializer};

/// A schedule body.
#[derive(Debug, Deserialize)]
pub struct Schedule {
    /// One entry per day with games (empty when there are none).
    #[serde(deserialize_with = "de::list")]
    pub dates: Vec<Day>,
}

/// One day of a schedule.
#[derive(Debug, Deserialize)]
pub struct Day {
    /// The day's games.
    #[serde(default, deserialize_with = "de::list")]
    pub games: Vec<ScheduleGame>,
}

/// A game on a schedule.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleGame {
    /// Game id, e.g. `744914`.
    #[serde(deserialize_with = "de::id")]
    pub game_pk: String,
    /// Scheduled start, RFC 3339 UTC.
    #[serde(default, deserialize_with = "de::text")]
    pub game_date: Option<String>,
    /// `R`, `S`, `E`, `F`, `D`, `L`, `W`, `A`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub game_type: Option<String>,
    /// `2024`.
    #[serde(default, deserialize_with = "de::text")]
    pub season: Option<String>,
    /// Where the game stands.
    pub status: Status,
    /// Both sides.
    pub teams: Teams,
    /// The ballpark.
    #[serde(default)]
    pub venue: Option<Venue>,
    /// Inning and outs (`hydrate=linescore`).
    #[serde(default)]
    pub linescore: Option<Linescore>,
    /// 9, or 7 in some doubleheaders.
    #[serde(default, deserialize_with = "de::num")]
    pub scheduled_innings: Option<u32>,
    /// `N`, `Y` (traditional) or `S` (split).
    #[serde(default, deserialize_with = "de::text")]
    pub double_header: Option<String>,
    /// 1 or 2 in a doubleheader.
    #[serde(default, deserialize_with = "de::num")]
    pub game_number: Option<u32>,
}

/// A game's status.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    /// `Preview`, `Live`, `Final`.
    #[serde(default, deserialize_with = "de::text")]
    pub abstract_game_state: Option<String>,
    /// `Scheduled`, `Pre-Game`, `Warmup`, `In Progress`, `Delayed: Rain`, `Final`, `Game Over`,
    /// `Postponed`, `Cancelled`, `Suspended: Rain`, `Completed Early: Rain`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub detailed_state: Option<String>,
    /// One letter: `S`, `P`, `I`, `F`, `O`, `D`, `C`, `T`, `U`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub coded_game_state: Option<String>,
    /// The start time is a placeholder (e.g. the second game of a doubleheader).
    #[serde(default, rename = "startTimeTBD", deserialize_with = "de::flag")]
    pub start_time_tbd: bool,
}

/// Both sides of a schedule game.
#[derive(Debug, Deserialize)]
pub struct Teams {
    /// The home side.
    pub home: ScheduleSide,
    /// The away side.
    pub away: ScheduleSide,
}

/// One side of a schedule game.
#[derive(Debug, Deserialize)]
pub struct ScheduleSide {
    /// The team.
    pub team: TeamRef,
    /// Runs; absent before the first pitch (but 0 on some pre-game rows).
    #[serde(default, deserialize_with = "de::num")]
    pub score: Option<u32>,
}

/// A team: `teams.*.team` on a schedule (abbreviation only with `hydrate=team`),
/// `gameData.teams.*` on a feed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamRef {
    /// Team id, e.g. `141`.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// `Toronto Blue Jays`.
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
    /// `TOR`.
    #[serde(default, deserialize_with = "de::text")]
    pub abbreviation: Option<String>,
}

/// A ballpark.
#[derive(Debug, Deserialize)]
pub struct Venue {
    /// `Rogers Centre`.
    #[serde(default, deserialize_with = "de::text")]
    pub name: Option<String>,
}

/// Inning, half, outs and runs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Linescore {
    /// The current (or last) inning.
    #[serde(default, deserialize_with = "de::num")]
    pub current_inning: Option<u32>,
    /// `5th`.
    #[serde(default, deserialize_with = "de::text")]
    pub current_inning_ordinal: Option<String>,
    /// `Top`, `Middle`, `Bottom`, `End`.
    #[serde(default, deserialize_with = "de::text")]
    pub inning_state: Option<String>,
    /// `Top` or `Bottom`.
    #[serde(default, deserialize_with = "de::text")]
    pub inning_half: Option<String>,
    /// The top half is being played.
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub is_top_inning: Option<bool>,
    /// 9 unless shortened.
    #[serde(default, deserialize_with = "de::num")]
    pub scheduled_innings: Option<u32>,
    /// Outs in the current half.
    #[serde(default, deserialize_with = "de::num")]
    pub outs: Option<u32>,
    /// Runs, hits, errors per side.
    #[serde(default)]
    pub teams: Option<LineTeams>,
}

/// The linescore's totals per side.
#[derive(Debug, Deserialize)]
pub struct LineTeams {
    /// Home totals.
    #[serde(default)]
    pub home: Option<LineSide>,
    /// Away totals.
    #[serde(default)]
    pub away: Option<LineSide>,
}

/// One side's totals.
#[derive(Debug, Deserialize)]
pub struct LineSide {
    /// Runs.
    #[serde(default, deserialize_with = "de::num")]
    pub runs: Option<u32>,
}

/// A `feed/live` body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Feed {
    /// Game id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub game_pk: Option<String>,
    /// Upstream's poll hint.
    #[serde(default)]
    pub meta_data: Option<Meta>,
    /// What the game is.
    pub game_data: GameData,
    /// What happened in it.
    pub live_data: LiveData,
}

/// `metaData`.
#[derive(Debug, Deserialize)]
pub struct Meta {
    /// Seconds to wait before the next poll.
    #[serde(default, deserialize_with = "de::num")]
    pub wait: Option<u32>,
}

/// `gameData`.
#[derive(Debug, Deserialize)]
pub struct GameData {
    /// Ids and types.
    #[serde(default)]
    pub game: Option<GameInfo>,
    /// Start time.
    #[serde(default)]
    pub datetime: Option<DateTime>,
    /// Where the game stands.
    pub status: Status,
    /// Both teams.
    pub teams: FeedTeams,
    /// The ballpark.
    #[serde(default)]
    pub venue: Option<Venue>,
}

/// `gameData.game`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GameInfo {
    /// Game id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub pk: Option<String>,
    /// Game type letter.
    #[serde(default, rename = "type", deserialize_with = "de::text")]
    pub game_type: Option<String>,
    /// Season.
    #[serde(default, deserialize_with = "de::text")]
    pub season: Option<String>,
    /// `N`, `Y`, `S`.
    #[serde(default, deserialize_with = "de::text")]
    pub double_header: Option<String>,
    /// 1 or 2.
    #[serde(default, deserialize_with = "de::num")]
    pub game_number: Option<u32>,
}

/// `gameData.datetime`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DateTime {
    /// Scheduled start, RFC 3339 UTC.
    #[serde(default, deserialize_with = "de::text")]
    pub date_time: Option<String>,
}

/// `gameData.teams`.
#[derive(Debug, Deserialize)]
pub struct FeedTeams {
    /// The home team.
    pub home: TeamRef,
    /// The away team.
    pub away: TeamRef,
}

/// `liveData`.
#[derive(Debug, Deserialize)]
pub struct LiveData {
    /// Every at-bat and which of them scored.
    #[serde(default)]
    pub plays: Option<Plays>,
    /// Inning, outs and runs.
    #[serde(default)]
    pub linescore: Option<Linescore>,
}

/// `liveData.plays`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plays {
    /// Every plate appearance in game order.
    #[serde(default, deserialize_with = "de::list")]
    pub all_plays: Vec<AtBat>,
    /// Indices into `allPlays` of the plays that scored.
    #[serde(default, deserialize_with = "de::list")]
    pub scoring_plays: Vec<Index>,
}

/// An index into `allPlays`; `None` when it is not a whole number.
#[derive(Debug, Clone, Copy)]
pub struct Index(pub Option<u32>);

impl<'de> Deserialize<'de> for Index {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de::num(d).map(Index)
    }
}

/// One plate appearance.
#[derive(Debug, Deserialize)]
pub struct AtBat {
    /// What it ended in.
    #[serde(default)]
    pub result: Option<PlayResult>,
    /// When.
    #[serde(default)]
    pub about: Option<About>,
    /// Who.
    #[serde(default)]
    pub matchup: Option<Matchup>,
    /// Runner movements during it.
    #[serde(default, deserialize_with = "de::list")]
    pub runners: Vec<Runner>,
}

/// `result` of a plate appearance.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlayResult {
    /// `Home Run`, `Single`, `Sac Fly`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub event: Option<String>,
    /// `home_run`, `single`, `sac_fly`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub event_type: Option<String>,
    /// `Jeremy Peña homers (6) on a fly ball to left field.`
    #[serde(default, deserialize_with = "de::text")]
    pub description: Option<String>,
    /// Runs batted in.
    #[serde(default, deserialize_with = "de::num")]
    pub rbi: Option<u32>,
    /// Away score after the play.
    #[serde(default, deserialize_with = "de::num")]
    pub away_score: Option<u32>,
    /// Home score after the play.
    #[serde(default, deserialize_with = "de::num")]
    pub home_score: Option<u32>,
}

/// `about` of a plate appearance.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    /// `top` or `bottom`.
    #[serde(default, deserialize_with = "de::text")]
    pub half_inning: Option<String>,
    /// The top half.
    #[serde(default, deserialize_with = "de::opt_flag")]
    pub is_top_inning: Option<bool>,
    /// Inning number.
    #[serde(default, deserialize_with = "de::num")]
    pub inning: Option<u32>,
}

/// `matchup` of a plate appearance.
#[derive(Debug, Deserialize)]
pub struct Matchup {
    /// The batter.
    #[serde(default)]
    pub batter: Option<Person>,
}

/// A player.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Person {
    /// Player id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub id: Option<String>,
    /// `Jeremy Peña`.
    #[serde(default, deserialize_with = "de::text")]
    pub full_name: Option<String>,
}

/// A runner's movement.
#[derive(Debug, Deserialize)]
pub struct Runner {
    /// Where the runner went.
    #[serde(default)]
    pub movement: Option<Movement>,
    /// Who.
    #[serde(default)]
    pub details: Option<RunnerDetails>,
}

/// `movement` of a runner.
#[derive(Debug, Deserialize)]
pub struct Movement {
    /// `1B`, `2B`, `3B`, `score`; null when out.
    #[serde(default, deserialize_with = "de::text")]
    pub end: Option<String>,
}

/// `details` of a runner.
#[derive(Debug, Deserialize)]
pub struct RunnerDetails {
    /// The runner.
    #[serde(default)]
    pub runner: Option<Person>,
}
