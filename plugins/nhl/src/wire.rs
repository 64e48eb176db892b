//! The api-web.nhle.com documents as typed serde structs naming only the fields the adapter reads.
//!
//! One game shape serves every endpoint: `schedule/{date}` (`gameWeek[].games[]`), `score/{date}`
//! (top-level `games[]`), `gamecenter/{id}/play-by-play` and `gamecenter/{id}/landing` (the game
//! is the document itself, with `plays[]` + `rosterSpots[]` or `summary.scoring[]`). Essential
//! fields (`id`, `gameState`, `homeTeam.id`, `awayTeam.id`) are strict so that a body without them
//! fails naming the path; everything else is lenient ([`crate::de`]).

use scoreline_plugin_sdk::de;
use serde::Deserialize;

/// A schedule or score body: games per day (`schedule`), or at the top level (`score`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Board {
    /// `schedule/{date}`: seven days, each with its games. `score/{date}` also has `gameWeek`,
    /// but its days carry only counts.
    #[serde(default)]
    pub game_week: Option<Vec<Day>>,
    /// `score/{date}`: the day's games.
    #[serde(default)]
    pub games: Option<Vec<WireGame>>,
}

/// One day of a schedule week.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Day {
    /// The day's games; absent in `score/{date}`'s week summary.
    #[serde(default, deserialize_with = "de::list")]
    pub games: Vec<WireGame>,
}

/// A game as every endpoint sends it (the detail endpoints add plays, rosters and a summary).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WireGame {
    /// Game id, e.g. `2024021015`.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// Season, e.g. `20242025`.
    #[serde(default, deserialize_with = "de::text")]
    pub season: Option<String>,
    /// 1 preseason, 2 regular season, 3 playoffs, 4 all-star, others for special events.
    #[serde(default, deserialize_with = "de::num")]
    pub game_type: Option<u32>,
    /// Scheduled start, RFC 3339 UTC.
    #[serde(default, rename = "startTimeUTC", deserialize_with = "de::text")]
    pub start_time_utc: Option<String>,
    /// `FUT`, `PRE`, `LIVE`, `CRIT`, `FINAL`, `OFF` (and rarely `PPD`, `SUSP`, `CNCL`).
    pub game_state: String,
    /// `OK`, `PPD`, `SUSP`, `CNCL`, `TBD`.
    #[serde(default, deserialize_with = "de::text")]
    pub game_schedule_state: Option<String>,
    /// Venue name (`venue.default`).
    #[serde(default, deserialize_with = "de::localized")]
    pub venue: Option<String>,
    /// The home side.
    pub home_team: Team,
    /// The away side.
    pub away_team: Team,
    /// Current period (`score/{date}` only; the others use `periodDescriptor`).
    #[serde(default, deserialize_with = "de::num")]
    pub period: Option<u32>,
    /// Current (or last) period and its type.
    #[serde(default)]
    pub period_descriptor: Option<PeriodDescriptor>,
    /// Regulation periods (3).
    #[serde(default, deserialize_with = "de::num")]
    pub reg_periods: Option<u32>,
    /// Game clock; present on live and finished games.
    #[serde(default)]
    pub clock: Option<Clock>,
    /// How a finished game ended.
    #[serde(default)]
    pub game_outcome: Option<Outcome>,
    /// Play-by-play events (`play-by-play` only); `None` when absent.
    #[serde(default)]
    pub plays: Option<Vec<Play>>,
    /// Players dressed, for resolving ids on plays (`play-by-play` only).
    #[serde(default, deserialize_with = "de::list")]
    pub roster_spots: Vec<RosterSpot>,
    /// Goals and shootout by period (`landing`; `play-by-play` sends an empty object).
    #[serde(default)]
    pub summary: Option<Summary>,
}

/// One side of a game.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    /// Team id, e.g. `5`.
    #[serde(deserialize_with = "de::id")]
    pub id: String,
    /// Three-letter code, e.g. `PIT`.
    #[serde(default, deserialize_with = "de::text")]
    pub abbrev: Option<String>,
    /// `score/{date}` names a team by its common name here (`Bruins`).
    #[serde(default, deserialize_with = "de::localized")]
    pub name: Option<String>,
    /// `Penguins`.
    #[serde(default, deserialize_with = "de::localized")]
    pub common_name: Option<String>,
    /// `Pittsburgh`.
    #[serde(default, deserialize_with = "de::localized")]
    pub place_name: Option<String>,
    /// Goals; absent before the start.
    #[serde(default, deserialize_with = "de::num")]
    pub score: Option<u32>,
}

/// A period: its number and type.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodDescriptor {
    /// 1, 2, 3, then 4+ for overtime (and 5 for a regular-season shootout).
    #[serde(default, deserialize_with = "de::num")]
    pub number: Option<u32>,
    /// `REG`, `OT` or `SO`.
    #[serde(default, deserialize_with = "de::text")]
    pub period_type: Option<String>,
}

/// The game clock.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clock {
    /// `MM:SS` remaining in the period.
    #[serde(default, deserialize_with = "de::text")]
    pub time_remaining: Option<String>,
    /// The same in seconds.
    #[serde(default, deserialize_with = "de::num")]
    pub seconds_remaining: Option<u32>,
    /// Between periods.
    #[serde(default, deserialize_with = "de::flag")]
    pub in_intermission: bool,
}

/// How a finished game ended.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Outcome {
    /// `REG`, `OT` or `SO`.
    #[serde(default, deserialize_with = "de::text")]
    pub last_period_type: Option<String>,
    /// Overtime periods played (playoffs).
    #[serde(default, deserialize_with = "de::num")]
    pub ot_periods: Option<u32>,
}

/// One play-by-play event.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Play {
    /// `goal`, `shot-on-goal`, `missed-shot`, `failed-shot-attempt`, `faceoff`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub type_desc_key: Option<String>,
    /// Game order (event ids are not in order).
    #[serde(default, deserialize_with = "de::num")]
    pub sort_order: Option<u32>,
    /// The period the event happened in.
    #[serde(default)]
    pub period_descriptor: Option<PeriodDescriptor>,
    /// Elapsed time in the period, `MM:SS`.
    #[serde(default, deserialize_with = "de::text")]
    pub time_in_period: Option<String>,
    /// Four digits: away goalie in net, away skaters, home skaters, home goalie in net.
    #[serde(default, deserialize_with = "de::text")]
    pub situation_code: Option<String>,
    /// Who and what.
    #[serde(default)]
    pub details: Option<Details>,
}

/// The `details` of a play (only the members goals and shots carry).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    /// The team credited with the event (the scoring team on a goal).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub event_owner_team_id: Option<String>,
    /// Goal scorer.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub scoring_player_id: Option<String>,
    /// The scorer's season goal total after the goal.
    #[serde(default, deserialize_with = "de::num")]
    pub scoring_player_total: Option<u32>,
    /// Primary assist.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub assist1_player_id: Option<String>,
    /// Season assist total of the primary assist.
    #[serde(default, deserialize_with = "de::num")]
    pub assist1_player_total: Option<u32>,
    /// Secondary assist.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub assist2_player_id: Option<String>,
    /// Season assist total of the secondary assist.
    #[serde(default, deserialize_with = "de::num")]
    pub assist2_player_total: Option<u32>,
    /// Shooter on shots and missed shots (shootout attempts that did not score).
    #[serde(default, deserialize_with = "de::opt_id")]
    pub shooting_player_id: Option<String>,
    /// `wrist`, `slap`, `snap`, `backhand`, `tip-in`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub shot_type: Option<String>,
    /// Home score after the goal.
    #[serde(default, deserialize_with = "de::num")]
    pub home_score: Option<u32>,
    /// Away score after the goal.
    #[serde(default, deserialize_with = "de::num")]
    pub away_score: Option<u32>,
}

/// A dressed player.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RosterSpot {
    /// Player id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub player_id: Option<String>,
    /// `firstName.default`.
    #[serde(default, deserialize_with = "de::localized")]
    pub first_name: Option<String>,
    /// `lastName.default`.
    #[serde(default, deserialize_with = "de::localized")]
    pub last_name: Option<String>,
}

/// `landing`'s summary (the play-by-play's is empty).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Goals grouped by period.
    #[serde(default)]
    pub scoring: Option<Vec<PeriodScoring>>,
    /// Shootout attempts in order.
    #[serde(default, deserialize_with = "de::list")]
    pub shootout: Vec<LandingAttempt>,
}

/// One period's goals on `landing`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PeriodScoring {
    /// The period.
    #[serde(default)]
    pub period_descriptor: Option<PeriodDescriptor>,
    /// Its goals in order.
    #[serde(default, deserialize_with = "de::list")]
    pub goals: Vec<LandingGoal>,
}

/// A goal on `landing`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LandingGoal {
    /// As on play-by-play.
    #[serde(default, deserialize_with = "de::text")]
    pub situation_code: Option<String>,
    /// `ev`, `pp`, `sh` (upstream's own label).
    #[serde(default, deserialize_with = "de::text")]
    pub strength: Option<String>,
    /// Scorer id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub player_id: Option<String>,
    /// Scorer's first name.
    #[serde(default, deserialize_with = "de::localized")]
    pub first_name: Option<String>,
    /// Scorer's last name.
    #[serde(default, deserialize_with = "de::localized")]
    pub last_name: Option<String>,
    /// Short name such as `N. Aube-Kubel`.
    #[serde(default, deserialize_with = "de::localized")]
    pub name: Option<String>,
    /// Scoring team's code.
    #[serde(default, deserialize_with = "de::localized")]
    pub team_abbrev: Option<String>,
    /// The home side scored.
    #[serde(default)]
    pub is_home: Option<bool>,
    /// Season goal total after the goal.
    #[serde(default, deserialize_with = "de::num")]
    pub goals_to_date: Option<u32>,
    /// Home score after the goal.
    #[serde(default, deserialize_with = "de::num")]
    pub home_score: Option<u32>,
    /// Away score after the goal.
    #[serde(default, deserialize_with = "de::num")]
    pub away_score: Option<u32>,
    /// Elapsed time in the period.
    #[serde(default, deserialize_with = "de::text")]
    pub time_in_period: Option<String>,
    /// Shot type.
    #[serde(default, deserialize_with = "de::text")]
    pub shot_type: Option<String>,
    /// `none`, `empty-net`, `penalty-shot`, `own-goal`.
    #[serde(default, deserialize_with = "de::text")]
    pub goal_modifier: Option<String>,
    /// Assists in order.
    #[serde(default, deserialize_with = "de::list")]
    pub assists: Vec<LandingAssist>,
}

/// An assist on `landing`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LandingAssist {
    /// Player id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub player_id: Option<String>,
    /// First name.
    #[serde(default, deserialize_with = "de::localized")]
    pub first_name: Option<String>,
    /// Last name.
    #[serde(default, deserialize_with = "de::localized")]
    pub last_name: Option<String>,
    /// Short name.
    #[serde(default, deserialize_with = "de::localized")]
    pub name: Option<String>,
    /// Season assist total after this one.
    #[serde(default, deserialize_with = "de::num")]
    pub assists_to_date: Option<u32>,
}

/// A shootout attempt on `landing`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LandingAttempt {
    /// 1-based order.
    #[serde(default, deserialize_with = "de::num")]
    pub sequence: Option<u32>,
    /// Shooter id.
    #[serde(default, deserialize_with = "de::opt_id")]
    pub player_id: Option<String>,
    /// Shooter's team code.
    #[serde(default, deserialize_with = "de::localized")]
    pub team_abbrev: Option<String>,
    /// Shooter's first name.
    #[serde(default, deserialize_with = "de::localized")]
    pub first_name: Option<String>,
    /// Shooter's last name.
    #[serde(default, deserialize_with = "de::localized")]
    pub last_name: Option<String>,
    /// `goal`, `save`, `miss`, ...
    #[serde(default, deserialize_with = "de::text")]
    pub result: Option<String>,
    /// Shot type.
    #[serde(default, deserialize_with = "de::text")]
    pub shot_type: Option<String>,
}
