//! One api-web game (from any endpoint) to a Scoreline [`Game`]: sides, status, period, clock,
//! overtime and shootout flags; and the schedule / score bodies to their games.

use crate::SPORT;
use crate::status::{self, PeriodType};
use crate::wire::{Board, Team, WireGame};
use scoreline_plugin_sdk::status::StatusMap;
use scoreline_plugin_sdk::{
    AdapterError, Competitor, Game, GameStatus, GamesResult, json, log, parse,
};

/// Regulation periods when upstream does not say.
const REGULATION: u32 = 3;

/// Parse a `schedule/{date}` or `score/{date}` body: games of `gameWeek[].games[]` and of the
/// top-level `games[]`, in upstream order, each id once.
pub fn parse_board(league: &str, body: &[u8]) -> Result<GamesResult, AdapterError> {
    let board: Board = json::from_slice_or_message(body)?;
    if board.game_week.is_none() && board.games.is_none() {
        return Err(AdapterError::parse(
            "missing field `gameWeek` (schedule) or `games` (score): not an NHL schedule or score body",
        ));
    }
    let mut games: Vec<Game> = Vec::new();
    let mut statuses = status::statuses();
    let days = board.game_week.into_iter().flatten().flat_map(|d| d.games);
    for wire in board.games.into_iter().flatten().chain(days) {
        if games.iter().any(|g| g.id == wire.id) {
            log::debug(&format!("game {} listed twice, kept once", wire.id));
            continue;
        }
        games.push(build(league, &wire, &mut statuses));
    }
    Ok(GamesResult {
        games,
        poll_hint_secs: None,
    })
}

/// The Scoreline game for an api-web game.
pub fn build(league: &str, w: &WireGame, statuses: &mut StatusMap) -> Game {
    let in_intermission = w.clock.as_ref().is_some_and(|c| c.in_intermission);
    let has_score = w.home_team.score.is_some() || w.away_team.score.is_some();
    let finished = w.game_outcome.is_some();
    let status = statuses.map(
        &w.game_state,
        |state| status::map(state, w.game_schedule_state.as_deref(), in_intermission),
        has_score || finished,
        finished,
    );
    let started = status::started(status);
    let playoffs = w.game_type == Some(3);
    let regulation = w.reg_periods.filter(|r| *r > 0).unwrap_or(REGULATION);

    let mut game = Game::new(&w.id, league, SPORT, status);
    game.season = w.season.clone();
    game.season_type = w.game_type.map(season_type);
    game.start_time = w.start_time_utc.as_deref().and_then(parse::timestamp);
    game.venue = w.venue.clone();
    game.home = competitor(&w.home_team, started);
    game.away = competitor(&w.away_team, started);

    let descriptor = w.period_descriptor.clone().unwrap_or_default();
    let number = descriptor.number.or(w.period).filter(|n| *n > 0);
    let kind = descriptor
        .period_type
        .as_deref()
        .and_then(PeriodType::parse)
        .or_else(|| number.map(|n| PeriodType::infer(n, regulation, playoffs)));
    let last = w
        .game_outcome
        .as_ref()
        .and_then(|o| o.last_period_type.as_deref())
        .and_then(PeriodType::parse);

    if started {
        game.period = number;
        let reached = |t: PeriodType| kind == Some(t) || last == Some(t);
        game.shootout = reached(PeriodType::Shootout);
        game.overtime = game.shootout || reached(PeriodType::Overtime);
        if let Some(kind) = kind {
            game.details
                .push(("period_type".to_owned(), kind.code().to_owned()));
        }
    }
    if status == GameStatus::Live
        && let Some(clock) = &w.clock
    {
        game.clock = clock.time_remaining.clone();
        game.clock_seconds = clock.seconds_remaining.or_else(|| {
            clock
                .time_remaining
                .as_deref()
                .and_then(parse::clock_seconds)
        });
    }

    let label =
        |n: u32| status::period_label(n, kind.unwrap_or(PeriodType::Regulation), regulation);
    game.status_detail = match status {
        GameStatus::Scheduled => "Scheduled".to_owned(),
        GameStatus::Pregame => "Pregame".to_owned(),
        GameStatus::Live => match (number, &game.clock) {
            (Some(n), _) if kind == Some(PeriodType::Shootout) => label(n),
            (Some(n), Some(clock)) => format!("{} {clock}", label(n)),
            (Some(n), None) => label(n),
            (None, _) => "In Progress".to_owned(),
        },
        GameStatus::Intermission => match number {
            Some(n) => format!("{} Intermission", label(n)),
            None => "Intermission".to_owned(),
        },
        GameStatus::Final => {
            let last = last.or(kind);
            let ot_periods = w
                .game_outcome
                .as_ref()
                .and_then(|o| o.ot_periods)
                .or_else(|| number.map(|n| n.saturating_sub(regulation)))
                .unwrap_or(0);
            status::final_text(last, ot_periods)
        }
        GameStatus::Postponed => "Postponed".to_owned(),
        GameStatus::Cancelled => "Cancelled".to_owned(),
        GameStatus::Suspended => "Suspended".to_owned(),
        GameStatus::Delayed => "Delayed".to_owned(),
    };
    game
}

/// `gameType` as a season type label.
fn season_type(game_type: u32) -> String {
    match game_type {
        1 => "preseason".to_owned(),
        2 => "regular".to_owned(),
        3 => "postseason".to_owned(),
        4 => "all-star".to_owned(),
        other => other.to_string(),
    }
}

/// A side. The display name is `placeName` + `commonName` (`Pittsburgh Penguins`) when both are
/// present, else `name` (`score/{date}` sends only the common name there), else whatever exists.
fn competitor(team: &Team, started: bool) -> Competitor {
    let name = match (&team.place_name, &team.common_name) {
        (Some(place), Some(common)) => format!("{place} {common}"),
        _ => team
            .name
            .clone()
            .or_else(|| team.common_name.clone())
            .or_else(|| team.place_name.clone())
            .or_else(|| team.abbrev.clone())
            .unwrap_or_default(),
    };
    Competitor {
        id: team.id.clone(),
        abbreviation: team.abbrev.clone().unwrap_or_default(),
        name,
        // Upstream sends 0-0 on some games that have not started; a score means nothing yet.
        score: if started { team.score } else { None },
    }
}
