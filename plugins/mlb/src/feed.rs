//! Game detail from `/api/v1.1/game/{pk}/feed/live`: the game from `gameData` and
//! `liveData.linescore`, scoring plays from `liveData.plays.scoringPlays` (indices into
//! `allPlays`), the poll hint from `metaData.wait`.
//!
//! Invariants: indices are read in game order, each once, and bounds-checked (trimmed feeds
//! exist: an index past `allPlays` is logged and skipped). A play counts only when the score it
//! shows rises above the highest seen so far ([`ScoreTracker`]); that rise decides the side, the
//! points and the score after. The scorer is the batter (`matchup.batter`), named only when his
//! side (the batting side of `about.halfInning`) is the one that rose.

use crate::game::{self, Parts};
use crate::status;
use crate::wire::{AtBat, Feed};
use scoreline_plugin_sdk::scoring::{Rise, ScoreTracker};
use scoreline_plugin_sdk::{AdapterError, DetailResult, GameDetail, ScoringPlay, Side, json, log};

/// Parse a live feed body.
pub fn parse(league: &str, game_id: &str, body: &[u8]) -> Result<DetailResult, AdapterError> {
    let feed: Feed = json::from_slice_or_message(body)?;
    let gd = &feed.game_data;
    let info = gd.game.as_ref();
    let id = feed
        .game_pk
        .as_deref()
        .or_else(|| info.and_then(|g| g.pk.as_deref()))
        .unwrap_or(game_id);
    if !game_id.is_empty() && id != game_id {
        log::warn(&format!(
            "asked for game {game_id}, body is game {id}: parsed as {id}"
        ));
    }
    let line = feed.live_data.linescore.as_ref();
    let runs = |home: bool| {
        line.and_then(|l| l.teams.as_ref())
            .and_then(|t| {
                if home {
                    t.home.as_ref()
                } else {
                    t.away.as_ref()
                }
            })
            .and_then(|s| s.runs)
    };
    let mut game = game::build(
        league,
        &mut status::statuses(),
        &Parts {
            id,
            status: &gd.status,
            home: &gd.teams.home,
            away: &gd.teams.away,
            home_score: runs(true),
            away_score: runs(false),
            start: gd.datetime.as_ref().and_then(|d| d.date_time.as_deref()),
            game_type: info.and_then(|g| g.game_type.as_deref()),
            season: info.and_then(|g| g.season.as_deref()),
            venue: gd.venue.as_ref().and_then(|v| v.name.as_deref()),
            linescore: line,
            scheduled_innings: line.and_then(|l| l.scheduled_innings),
            double_header: info.and_then(|g| g.double_header.as_deref()),
            game_number: info.and_then(|g| g.game_number),
        },
    );

    let mut tracker = ScoreTracker::new();
    let mut plays: Vec<ScoringPlay> = Vec::new();
    if let Some(p) = &feed.live_data.plays {
        let mut indices: Vec<u32> = p.scoring_plays.iter().filter_map(|i| i.0).collect();
        if p.scoring_plays.len() != indices.len() {
            log::warn(&format!(
                "game {id}: a scoringPlays entry is not an index, skipped"
            ));
        }
        indices.sort_unstable();
        indices.dedup();
        for index in indices {
            let Some(at_bat) = usize::try_from(index).ok().and_then(|i| p.all_plays.get(i)) else {
                log::warn(&format!(
                    "game {id}: scoringPlays index {index} is past allPlays ({} plays), skipped",
                    p.all_plays.len()
                ));
                continue;
            };
            for (rise, credited) in rises(&mut tracker, at_bat, id, index) {
                plays.push(scoring_play(&game, plays.len(), &rise, at_bat, credited));
            }
        }
    }
    if status::started(
        game.status,
        gd.status.abstract_game_state.as_deref().unwrap_or(""),
    ) {
        // Trimmed feeds can lack the linescore; the plays still tell the score.
        let (home, away) = tracker.score();
        game.home.score = game.home.score.or(Some(home));
        game.away.score = game.away.score.or(Some(away));
    }
    Ok(DetailResult {
        detail: GameDetail {
            game,
            scoring_plays: plays,
            shootout: Vec::new(),
        },
        poll_hint_secs: feed.meta_data.and_then(|m| m.wait),
    })
}

/// The batting side: `about.halfInning` (`top` is the away side), else `about.isTopInning`.
fn batting_side(at_bat: &AtBat) -> Option<Side> {
    let about = at_bat.about.as_ref()?;
    match about
        .half_inning
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("top") => Some(Side::Away),
        Some("bottom") => Some(Side::Home),
        _ => about
            .is_top_inning
            .map(|top| if top { Side::Away } else { Side::Home }),
    }
}

/// The rises a scoring play shows, each with whether its batter is credited (his side rose).
fn rises(tracker: &mut ScoreTracker, at_bat: &AtBat, id: &str, index: u32) -> Vec<(Rise, bool)> {
    let batting = batting_side(at_bat);
    let result = at_bat.result.as_ref();
    let (home, away) = (
        result.and_then(|r| r.home_score),
        result.and_then(|r| r.away_score),
    );
    let found = if home.is_none() && away.is_none() {
        // A trimmed play without the score after it: the runners who crossed the plate, else
        // the runs batted in, else one run, for the batting side.
        let Some(side) = batting else {
            log::warn(&format!(
                "game {id}: scoring play {index} has no score and no half inning, skipped"
            ));
            return Vec::new();
        };
        let crossed = at_bat
            .runners
            .iter()
            .filter(|r| r.movement.as_ref().and_then(|m| m.end.as_deref()) == Some("score"))
            .count();
        let runs = u32::try_from(crossed)
            .ok()
            .filter(|n| *n > 0)
            .or(result.and_then(|r| r.rbi).filter(|n| *n > 0))
            .unwrap_or(1);
        vec![tracker.add(side, runs)]
    } else {
        let (h, a) = tracker.score();
        tracker.observe(home.unwrap_or(h), away.unwrap_or(a))
    };
    if found.is_empty() {
        log::debug(&format!(
            "game {id}: scoring play {index} shows no new score, not counted"
        ));
    }
    found
        .into_iter()
        .map(|rise| {
            let credited = batting.is_none_or(|side| side == rise.side);
            if !credited {
                log::warn(&format!(
                    "game {id}: scoring play {index} raised the fielding side's score; no batter credited"
                ));
            }
            (rise, credited)
        })
        .collect()
}

fn scoring_play(
    game: &scoreline_plugin_sdk::Game,
    count: usize,
    rise: &Rise,
    at_bat: &AtBat,
    credited: bool,
) -> ScoringPlay {
    let team = match rise.side {
        Side::Home => game.home.id.clone(),
        Side::Away => game.away.id.clone(),
    };
    let result = at_bat.result.as_ref();
    let about = at_bat.about.as_ref();
    let batter = at_bat
        .matchup
        .as_ref()
        .and_then(|m| m.batter.as_ref())
        .filter(|_| credited);
    let event = result.and_then(|r| r.event.clone());
    let home_run = result.and_then(|r| r.event_type.as_deref()) == Some("home_run")
        || event
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("home run"));
    let mut details = Vec::new();
    if credited {
        if let Some(rbi) = result.and_then(|r| r.rbi) {
            details.push(("rbi".to_owned(), rbi.to_string()));
        }
        if let Some(event) = &event {
            details.push(("event".to_owned(), event.clone()));
        }
        let scored: Vec<&str> = at_bat
            .runners
            .iter()
            .filter(|r| r.movement.as_ref().and_then(|m| m.end.as_deref()) == Some("score"))
            .filter_map(|r| r.details.as_ref()?.runner.as_ref()?.full_name.as_deref())
            .collect();
        if !scored.is_empty() {
            details.push(("runs_scored_by".to_owned(), scored.join(", ")));
        }
    }
    if let Some(half) = batting_side(at_bat) {
        let half = if half == Side::Away { "top" } else { "bottom" };
        details.push(("inning_half".to_owned(), half.to_owned()));
    }
    ScoringPlay {
        sequence: u32::try_from(count + 1).unwrap_or(u32::MAX),
        period: about.and_then(|a| a.inning),
        clock: None,
        team,
        scorer_id: batter.and_then(|b| b.id.clone()),
        scorer_name: batter.and_then(|b| b.full_name.clone()),
        assists: Vec::new(),
        kind: if home_run && credited {
            "home-run"
        } else {
            "run"
        }
        .to_owned(),
        points: rise.points,
        home_score: rise.home_score,
        away_score: rise.away_score,
        description: result
            .and_then(|r| r.description.clone())
            .or(event)
            .unwrap_or_else(|| "Run scores".to_owned()),
        details,
    }
}
