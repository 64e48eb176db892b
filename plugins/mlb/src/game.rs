//! One MLB game (from a schedule row or a live feed) to a Scoreline [`Game`]: status, sides,
//! inning and half, outs, extra innings; and schedule bodies to their games.

use crate::SPORT;
use crate::status;
use crate::wire::{Linescore, Schedule, ScheduleGame, Status, TeamRef};
use scoreline_plugin_sdk::status::StatusMap;
use scoreline_plugin_sdk::{
    AdapterError, Competitor, Game, GameStatus, GamesResult, json, log, parse,
};

/// Innings in a game when upstream does not say.
const INNINGS: u32 = 9;

/// What every MLB game carries, whichever document it came from.
pub struct Parts<'a> {
    /// Game id.
    pub id: &'a str,
    /// Status fields.
    pub status: &'a Status,
    /// Home team.
    pub home: &'a TeamRef,
    /// Away team.
    pub away: &'a TeamRef,
    /// Home runs as upstream reports them.
    pub home_score: Option<u32>,
    /// Away runs.
    pub away_score: Option<u32>,
    /// Scheduled start.
    pub start: Option<&'a str>,
    /// Game type letter.
    pub game_type: Option<&'a str>,
    /// Season.
    pub season: Option<&'a str>,
    /// Ballpark.
    pub venue: Option<&'a str>,
    /// Inning, half, outs.
    pub linescore: Option<&'a Linescore>,
    /// Innings scheduled (the game's own or the linescore's).
    pub scheduled_innings: Option<u32>,
    /// `N`, `Y`, `S`.
    pub double_header: Option<&'a str>,
    /// 1 or 2.
    pub game_number: Option<u32>,
}

/// Parse a schedule body (hydrated or not) into its games, in upstream order, each id once.
pub fn parse_schedule(league: &str, body: &[u8]) -> Result<GamesResult, AdapterError> {
    let schedule: Schedule = json::from_slice_or_message(body)?;
    let mut games: Vec<Game> = Vec::new();
    let mut statuses = status::statuses();
    for row in schedule.dates.iter().flat_map(|d| d.games.iter()) {
        // A game resumed from a suspension is listed on both days; the later row wins.
        let game = from_schedule(league, row, &mut statuses);
        if let Some(old) = games.iter_mut().find(|g| g.id == game.id) {
            log::debug(&format!(
                "game {} listed twice, the later row kept",
                game.id
            ));
            *old = game;
        } else {
            games.push(game);
        }
    }
    Ok(GamesResult {
        games,
        poll_hint_secs: None,
    })
}

fn from_schedule(league: &str, row: &ScheduleGame, statuses: &mut StatusMap) -> Game {
    build(
        league,
        statuses,
        &Parts {
            id: &row.game_pk,
            status: &row.status,
            home: &row.teams.home.team,
            away: &row.teams.away.team,
            home_score: row.teams.home.score,
            away_score: row.teams.away.score,
            start: row.game_date.as_deref(),
            game_type: row.game_type.as_deref(),
            season: row.season.as_deref(),
            venue: row.venue.as_ref().and_then(|v| v.name.as_deref()),
            linescore: row.linescore.as_ref(),
            scheduled_innings: row
                .scheduled_innings
                .or_else(|| row.linescore.as_ref().and_then(|l| l.scheduled_innings)),
            double_header: row.double_header.as_deref(),
            game_number: row.game_number,
        },
    )
}

/// The Scoreline game for an MLB game.
pub fn build(league: &str, statuses: &mut StatusMap, p: &Parts<'_>) -> Game {
    let abstract_state = p.status.abstract_game_state.as_deref().unwrap_or("");
    let detailed = p.status.detailed_state.as_deref().unwrap_or("");
    let coded = p.status.coded_game_state.as_deref().unwrap_or("");
    let status = match status::map(abstract_state, detailed, coded) {
        Some(status) => status,
        // None of the three is known: the fallback, and the three in the (once-only) warning.
        None => statuses.map(
            &format!("{abstract_state} / {detailed} / {coded}"),
            |_| None,
            p.home_score.is_some() || p.away_score.is_some(),
            false,
        ),
    };
    let started = status::started(status, abstract_state);

    let mut game = Game::new(p.id, league, SPORT, status);
    game.season = p.season.map(str::to_owned);
    game.season_type = p.game_type.map(status::season_type);
    game.start_time = p.start.and_then(parse::timestamp);
    game.venue = p.venue.map(str::to_owned);
    game.home = competitor(p.home, p.home_score, started);
    game.away = competitor(p.away, p.away_score, started);

    let line = p.linescore;
    let inning = line.and_then(|l| l.current_inning).filter(|n| *n > 0);
    let scheduled = p.scheduled_innings.filter(|n| *n > 0).unwrap_or(INNINGS);
    if started {
        game.period = inning;
        game.overtime = inning.is_some_and(|n| n > scheduled);
    }
    let in_progress = matches!(
        status,
        GameStatus::Live | GameStatus::Delayed | GameStatus::Suspended
    );
    if started
        && in_progress
        && let Some(line) = line
    {
        let half = line
            .inning_half
            .as_deref()
            .map(str::to_ascii_lowercase)
            .filter(|h| h == "top" || h == "bottom")
            .or_else(|| {
                line.is_top_inning
                    .map(|top| if top { "top" } else { "bottom" }.to_owned())
            });
        if let Some(half) = half {
            game.details.push(("inning_half".to_owned(), half));
        }
        if let Some(state) = &line.inning_state {
            game.details
                .push(("inning_state".to_owned(), state.to_ascii_lowercase()));
        }
        if let Some(outs) = line.outs {
            game.details.push(("outs".to_owned(), outs.to_string()));
        }
    }
    if p.status.start_time_tbd && !started {
        game.details
            .push(("start_time_tbd".to_owned(), "true".to_owned()));
    }
    if matches!(p.double_header, Some("Y" | "S"))
        && let Some(n) = p.game_number
    {
        game.details.push(("game_number".to_owned(), n.to_string()));
    }

    let inning_text = line.and_then(|l| {
        status::inning_text(
            l.inning_state.as_deref(),
            l.current_inning_ordinal.as_deref(),
            inning,
        )
    });
    game.status_detail = match status {
        GameStatus::Live => match inning_text {
            Some(text) if detailed.is_empty() || detailed.eq_ignore_ascii_case("in progress") => {
                text
            }
            _ if !detailed.is_empty() => detailed.to_owned(),
            _ => "In Progress".to_owned(),
        },
        GameStatus::Final
            if detailed.is_empty()
                || detailed.eq_ignore_ascii_case("final")
                || detailed.eq_ignore_ascii_case("game over") =>
        {
            match inning {
                Some(n) if game.overtime => format!("Final/{n}"),
                _ => "Final".to_owned(),
            }
        }
        other if detailed.is_empty() => title(other),
        _ => detailed.to_owned(),
    };
    game
}

fn title(status: GameStatus) -> String {
    match status {
        GameStatus::Scheduled => "Scheduled",
        GameStatus::Pregame => "Pre-Game",
        GameStatus::Live => "In Progress",
        GameStatus::Intermission => "Intermission",
        GameStatus::Delayed => "Delayed",
        GameStatus::Final => "Final",
        GameStatus::Postponed => "Postponed",
        GameStatus::Cancelled => "Cancelled",
        GameStatus::Suspended => "Suspended",
    }
    .to_owned()
}

/// A side; the score only once the game has started (pre-game rows carry 0-0).
fn competitor(team: &TeamRef, score: Option<u32>, started: bool) -> Competitor {
    Competitor {
        id: team.id.clone(),
        abbreviation: team.abbreviation.clone().unwrap_or_default(),
        name: team
            .name
            .clone()
            .or_else(|| team.abbreviation.clone())
            .unwrap_or_default(),
        score: if started { score } else { None },
    }
}
