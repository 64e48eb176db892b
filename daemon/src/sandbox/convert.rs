//! Conversions between the generated WIT types and the host model, with the output checks that
//! keep a misbehaving adapter's answer from reaching the daemon.

use super::bindings::types as wit;
use super::error::CallError;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use scoreline_core::model;

/// Bounds on what one call may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputLimits {
    /// Games in one scoreboard or schedule.
    pub max_games: usize,
    /// Scoring plays (and shootout attempts) in one game detail.
    pub max_plays: usize,
}

pub fn date(d: NaiveDate) -> wit::Date {
    // Month and day always fit a u8; the fallbacks are unreachable for a valid NaiveDate.
    wit::Date {
        year: d.year(),
        month: u8::try_from(d.month()).unwrap_or(1),
        day: u8::try_from(d.day()).unwrap_or(1),
    }
}

pub fn info(i: wit::AdapterInfo) -> model::AdapterInfo {
    model::AdapterInfo {
        name: i.name,
        version: i.version,
        leagues: i.leagues,
        hosts: i.hosts,
        cadence: model::Cadence {
            idle_secs: i.cadence.idle_secs,
            pregame_secs: i.cadence.pregame_secs,
            live_secs: i.cadence.live_secs,
            settle_secs: i.cadence.settle_secs,
        },
    }
}

fn competitor(c: wit::Competitor) -> model::Competitor {
    model::Competitor {
        id: c.id,
        abbreviation: c.abbreviation,
        name: c.name,
        score: c.score,
    }
}

fn status(s: wit::GameStatus) -> model::GameStatus {
    use model::GameStatus as M;
    use wit::GameStatus as W;
    match s {
        W::Scheduled => M::Scheduled,
        W::Pregame => M::Pregame,
        W::Live => M::Live,
        W::Intermission => M::Intermission,
        W::Delayed => M::Delayed,
        W::Final => M::Final,
        W::Postponed => M::Postponed,
        W::Cancelled => M::Cancelled,
        W::Suspended => M::Suspended,
    }
}

pub fn game(g: wit::Game) -> Result<model::Game, CallError> {
    let start_time = match g.start_time {
        None => None,
        Some(ts) => Some(DateTime::<Utc>::from_timestamp(ts, 0).ok_or_else(|| {
            CallError::InvalidOutput(format!("game `{}` has start time {ts} out of range", g.id))
        })?),
    };
    if g.id.is_empty() {
        return Err(CallError::InvalidOutput("a game has an empty id".into()));
    }
    Ok(model::Game {
        id: g.id,
        league: g.league,
        sport: g.sport,
        status: status(g.status),
        status_detail: g.status_detail,
        period: g.period,
        clock: g.clock,
        clock_seconds: g.clock_seconds,
        start_time,
        season: g.season,
        season_type: g.season_type,
        week: g.week,
        venue: g.venue,
        overtime: g.overtime,
        extra_time: g.extra_time,
        shootout: g.shootout,
        home: competitor(g.home),
        away: competitor(g.away),
        details: g.details.into_iter().collect(),
    })
}

pub fn games(r: wit::GamesResult, limits: OutputLimits) -> Result<model::GamesResult, CallError> {
    if r.games.len() > limits.max_games {
        return Err(CallError::OutputTooLarge(format!(
            "{} games (limit {})",
            r.games.len(),
            limits.max_games
        )));
    }
    Ok(model::GamesResult {
        games: r.games.into_iter().map(game).collect::<Result<_, _>>()?,
        poll_hint_secs: r.poll_hint_secs,
    })
}

fn player(p: wit::Player) -> model::Player {
    model::Player {
        id: p.id,
        name: p.name,
    }
}

pub fn detail(r: wit::DetailResult, limits: OutputLimits) -> Result<model::GameDetail, CallError> {
    let d = r.detail;
    let plays = d.scoring_plays.len() + d.shootout.len();
    if plays > limits.max_plays {
        return Err(CallError::OutputTooLarge(format!(
            "{plays} scoring plays and shootout attempts (limit {})",
            limits.max_plays
        )));
    }
    Ok(model::GameDetail {
        game: game(d.game)?,
        scoring_plays: d
            .scoring_plays
            .into_iter()
            .map(|p| model::ScoringPlay {
                sequence: p.sequence,
                period: p.period,
                clock: p.clock,
                team: p.team,
                scorer_id: p.scorer_id,
                scorer_name: p.scorer_name,
                assists: p.assists.into_iter().map(player).collect(),
                kind: p.kind,
                points: p.points,
                home_score: p.home_score,
                away_score: p.away_score,
                description: p.description,
                details: p.details.into_iter().collect(),
            })
            .collect(),
        shootout: d
            .shootout
            .into_iter()
            .map(|s| model::ShootoutAttempt {
                sequence: s.sequence,
                team: s.team,
                player_id: s.player_id,
                player_name: s.player_name,
                scored: s.scored,
                description: s.description,
            })
            .collect(),
        poll_hint_secs: r.poll_hint_secs,
    })
}

pub fn request(r: wit::Request) -> model::PlannedRequest {
    model::PlannedRequest {
        url: r.url,
        headers: r.headers,
    }
}

pub fn adapter_error(e: wit::AdapterError) -> super::error::AdapterFailure {
    use super::error::AdapterFailure as F;
    match e {
        wit::AdapterError::Parse(m) => F::Parse(m),
        wit::AdapterError::Unsupported(m) => F::Unsupported(m),
        wit::AdapterError::UpstreamMessage(m) => F::UpstreamMessage(m),
    }
}
