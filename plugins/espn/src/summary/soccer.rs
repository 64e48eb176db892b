//! Soccer: goals from `keyEvents[]`, else from `header.competitions[0].details[]`.
//!
//! Neither carries a running score, so goals are counted one by one. Own goals: ESPN's
//! `team.id` on an own-goal row is the side credited with the goal (the one that benefits), and
//! the player named plays for the other side (verified on the fixtures' scoreboard `details`:
//! AUS-EGY 1-1 and ARG-CPV 3-2 only add up that way). When the player's own team is given, the
//! goal goes to the other side. If the goals then do not add up to the game's score but would
//! with every own goal on the other side, they are moved and a warning logged.
//!
//! Shootout kicks (`shootout: true` or period 5) go only into the shootout list.

use super::{Collector, Names, Scored};
use crate::wire::{Competition, Play, Summary};
use scoreline_plugin_sdk::{Side, log};

/// Read the goals and shootout kicks of a soccer summary.
pub fn collect(doc: &Summary, competition: &Competition, c: &mut Collector<'_>, names: &Names) {
    let key_events = doc.key_events.as_deref().unwrap_or(&[]);
    let rows = if key_events.iter().any(|r| is_goal(r) || is_shootout(r)) {
        key_events
    } else {
        &competition.details
    };

    let mut goals: Vec<(&Play, Side)> = Vec::new();
    for row in rows {
        if is_shootout(row) {
            if is_attempt(row) {
                let shooter = row.athletes().first().map(|a| names.player(a));
                let scored = row.scoring_play
                    || row.type_slug().contains("scored")
                    || row.type_text().to_lowercase().contains("scored");
                let team = row.team_id().unwrap_or("").to_owned();
                c.attempt(&team, shooter, scored, row.text());
            }
            continue;
        }
        if !is_goal(row) {
            continue;
        }
        match credited(row, c) {
            Some(side) => goals.push((row, side)),
            None => log::warn(&format!(
                "game {}: goal at {} credited to unknown team `{}`; skipped",
                c.game().id,
                row.clock().unwrap_or_default(),
                row.team_id().unwrap_or("")
            )),
        }
    }
    reconcile_own_goals(&mut goals, c);

    for (row, side) in goals {
        let own_goal = is_own_goal(row);
        let penalty = !own_goal && is_penalty(row);
        let athletes = row.athletes();
        let scorer = athletes.first().copied();
        let text = row.text();
        let assists = if !own_goal && (text.is_empty() || text.to_lowercase().contains("assist")) {
            athletes.iter().skip(1).map(|a| names.player(a)).collect()
        } else {
            Vec::new()
        };
        let mut details = Vec::new();
        if penalty {
            details.push(("penalty".to_owned(), "true".to_owned()));
        }
        if own_goal {
            details.push(("own_goal".to_owned(), "true".to_owned()));
        }
        if !row.type_text().is_empty() {
            details.push(("event".to_owned(), row.type_text().to_owned()));
        }
        let kind = if own_goal {
            "own-goal"
        } else if penalty {
            "penalty-goal"
        } else {
            "goal"
        };
        let points = row.score_value.filter(|v| *v > 0).unwrap_or(1);
        let rise = c.add(side, points);
        c.push(
            &rise,
            Scored {
                assists,
                details,
                ..Scored::by(row, scorer, names, kind)
            },
        );
    }
}

fn is_shootout(row: &Play) -> bool {
    row.shootout || row.period() == Some(5)
}

/// A shootout row that is a kick (not a marker such as the shootout's start).
fn is_attempt(row: &Play) -> bool {
    row.scoring_play
        || !row.athletes().is_empty()
        || row.type_slug().contains("penalty")
        || row.type_text().to_lowercase().contains("penalty")
}

fn is_own_goal(row: &Play) -> bool {
    row.own_goal
        || row.type_slug() == "own-goal"
        || row.type_text().eq_ignore_ascii_case("own goal")
}

fn is_penalty(row: &Play) -> bool {
    row.penalty_kick
        || row.type_slug().starts_with("penalty")
        || row.type_text().to_lowercase().starts_with("penalty")
}

fn is_goal(row: &Play) -> bool {
    let slug = row.type_slug();
    row.scoring_play || slug.starts_with("goal") || slug == "penalty---scored" || is_own_goal(row)
}

fn other(side: Side) -> Side {
    match side {
        Side::Home => Side::Away,
        Side::Away => Side::Home,
    }
}

/// The side credited with a goal: for an own goal, the side other than the scorer's own team
/// when that is given; otherwise `team.id`.
fn credited(row: &Play, c: &Collector<'_>) -> Option<Side> {
    let game = c.game();
    if is_own_goal(row) {
        let scorer_team = row
            .athletes()
            .first()
            .and_then(|a| a.team.as_ref())
            .and_then(|t| t.id.as_deref())
            .and_then(|id| game.side_of(id));
        if let Some(side) = scorer_team {
            return Some(other(side));
        }
    }
    row.team_id().and_then(|id| game.side_of(id))
}

/// When the goals do not add up to the game's score but would with every own goal credited to
/// the other side, move them (and log it).
fn reconcile_own_goals(goals: &mut [(&Play, Side)], c: &Collector<'_>) {
    let game = c.game();
    let (Some(home), Some(away)) = (game.home.score, game.away.score) else {
        return;
    };
    let tally = |goals: &[(&Play, Side)], flip: bool| {
        goals.iter().fold((0u32, 0u32), |(h, a), (row, side)| {
            let side = if flip && is_own_goal(row) {
                other(*side)
            } else {
                *side
            };
            let points = row.score_value.filter(|v| *v > 0).unwrap_or(1);
            match side {
                Side::Home => (h.saturating_add(points), a),
                Side::Away => (h, a.saturating_add(points)),
            }
        })
    };
    if tally(goals, false) == (home, away) || tally(goals, true) != (home, away) {
        return;
    }
    log::warn(&format!(
        "game {}: own goals credited to the other side so the goals add up to {home}-{away}",
        game.id
    ));
    for (row, side) in goals.iter_mut() {
        if is_own_goal(row) {
            *side = other(*side);
        }
    }
}
