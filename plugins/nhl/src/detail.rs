//! Game detail: `gamecenter/{id}/play-by-play` (goals with assists and strength, shootout
//! attempts) and `gamecenter/{id}/landing` (`summary.scoring[].goals[]`, `summary.shootout[]`).
//!
//! Invariants: plays are read in `sortOrder`; a goal is a scoring play only when the score it
//! shows rises above the highest seen so far ([`ScoreTracker`]), and its points and the score
//! after come from that rise; shootout attempts (period type `SO`) go only into the shootout list
//! and never touch the running score.

use crate::full_name;
use crate::game;
use crate::status::{self, PeriodType};
use crate::strength::{Situation, Strength};
use crate::wire::{Details, LandingGoal, Play, Summary, WireGame};
use scoreline_plugin_sdk::scoring::{Rise, ScoreTracker};
use scoreline_plugin_sdk::{
    AdapterError, DetailResult, Game, GameDetail, Player, ScoringPlay, ShootoutAttempt, Side, json,
    log,
};
use std::collections::HashMap;

/// Regulation periods when upstream does not say.
const REGULATION: u32 = 3;

/// Parse a play-by-play or landing body.
pub fn parse(league: &str, game_id: &str, body: &[u8]) -> Result<DetailResult, AdapterError> {
    let doc: WireGame = json::from_slice_or_message(body)?;
    if !game_id.is_empty() && doc.id != game_id {
        log::warn(&format!(
            "asked for game {game_id}, body is game {}: parsed as {}",
            doc.id, doc.id
        ));
    }
    let mut c = Collector {
        game: game::build(league, &doc, &mut status::statuses()),
        tracker: ScoreTracker::new(),
        plays: Vec::new(),
        shootout: Vec::new(),
        regulation: doc.reg_periods.filter(|r| *r > 0).unwrap_or(REGULATION),
        playoffs: doc.game_type == Some(3),
    };
    if let Some(plays) = &doc.plays {
        play_by_play(&mut c, &doc, plays);
    } else if let Some(summary) = &doc.summary {
        landing(&mut c, summary);
    }
    let Collector {
        mut game,
        tracker,
        plays,
        shootout,
        ..
    } = c;
    if status::started(game.status) {
        // Trimmed bodies can lack the sides' scores; the goals still tell them.
        let (home, away) = tracker.score();
        game.home.score = game.home.score.or(Some(home));
        game.away.score = game.away.score.or(Some(away));
    }
    Ok(DetailResult {
        detail: GameDetail {
            game,
            scoring_plays: plays,
            shootout,
        },
        poll_hint_secs: None,
    })
}

/// What the detail accumulates while reading plays.
struct Collector {
    game: Game,
    tracker: ScoreTracker,
    plays: Vec<ScoringPlay>,
    shootout: Vec<ShootoutAttempt>,
    regulation: u32,
    playoffs: bool,
}

/// A goal as upstream describes it, before the running score decides what it counts for.
#[derive(Default)]
struct Goal {
    period: Option<u32>,
    clock: Option<String>,
    scorer: Option<Player>,
    scorer_total: Option<u32>,
    assists: Vec<(Player, Option<u32>)>,
    shot_type: Option<String>,
    situation: Option<Situation>,
    /// Upstream's own strength label (`landing`), used without a situation code.
    label: Option<Strength>,
    /// Upstream flagged the goal empty-net (`landing`'s `goalModifier`).
    empty_net: bool,
}

impl Collector {
    fn period_type(&self, number: Option<u32>, text: Option<&str>) -> Option<PeriodType> {
        text.and_then(PeriodType::parse)
            .or_else(|| number.map(|n| PeriodType::infer(n, self.regulation, self.playoffs)))
    }

    fn mark(&mut self, kind: Option<PeriodType>) {
        match kind {
            Some(PeriodType::Shootout) => {
                self.game.shootout = true;
                self.game.overtime = true;
            }
            Some(PeriodType::Overtime) => self.game.overtime = true,
            _ => {}
        }
    }

    fn side_of(&self, team_id: Option<&str>) -> Option<Side> {
        team_id.and_then(|id| self.game.side_of(id))
    }

    fn side_of_abbrev(&self, abbrev: Option<&str>) -> Option<Side> {
        let abbrev = abbrev?;
        if abbrev.eq_ignore_ascii_case(&self.game.home.abbreviation) {
            Some(Side::Home)
        } else if abbrev.eq_ignore_ascii_case(&self.game.away.abbreviation) {
            Some(Side::Away)
        } else {
            None
        }
    }

    fn team(&self, side: Side) -> &scoreline_plugin_sdk::Competitor {
        match side {
            Side::Home => &self.game.home,
            Side::Away => &self.game.away,
        }
    }

    /// Record a goal credited to `owner` that shows `after` (home, away) as the score after it.
    fn goal(
        &mut self,
        owner: Option<Side>,
        after: (Option<u32>, Option<u32>),
        goal: Goal,
        at: &str,
    ) {
        let rises: Vec<Rise> = match (after, owner) {
            ((None, None), Some(side)) => vec![self.tracker.add(side, 1)],
            ((None, None), None) => {
                log::warn(&format!(
                    "game {}: goal {at} has no team and no score, skipped",
                    self.game.id
                ));
                return;
            }
            ((home, away), _) => {
                let (h, a) = self.tracker.score();
                self.tracker.observe(home.unwrap_or(h), away.unwrap_or(a))
            }
        };
        if rises.is_empty() {
            let show = |v: Option<u32>| v.map_or_else(|| "?".to_owned(), |v| v.to_string());
            log::debug(&format!(
                "game {}: goal {at} shows no new score (home {}, away {}), not counted",
                self.game.id,
                show(after.0),
                show(after.1)
            ));
            return;
        }
        let (period, clock) = (goal.period, goal.clock.clone());
        let mut goal = Some(goal);
        for rise in rises {
            let credited = owner.is_none_or(|side| side == rise.side);
            let this = if credited { goal.take() } else { None };
            if this.is_none() {
                log::warn(&format!(
                    "game {}: goal {at} raised the {} score; no scorer can be named",
                    self.game.id,
                    if rise.side == Side::Home {
                        "home"
                    } else {
                        "away"
                    }
                ));
            }
            let this = this.unwrap_or(Goal {
                period,
                clock: clock.clone(),
                ..Goal::default()
            });
            let play = self.scoring_play(&rise, this);
            self.plays.push(play);
        }
    }

    fn scoring_play(&self, rise: &Rise, goal: Goal) -> ScoringPlay {
        let mut details = Vec::new();
        let (strength, empty_net) = match goal.situation {
            Some(situation) => {
                let (strength, empty) = situation.goal(rise.side);
                (Some(strength), empty || goal.empty_net)
            }
            None => (goal.label, goal.empty_net),
        };
        if let Some(strength) = strength {
            details.push(("strength".to_owned(), strength.as_str().to_owned()));
        }
        if empty_net {
            details.push(("empty_net".to_owned(), "true".to_owned()));
        }
        if let Some(shot) = &goal.shot_type {
            details.push(("shot_type".to_owned(), shot.clone()));
        }
        let description = describe(&goal, strength, empty_net);
        ScoringPlay {
            sequence: u32::try_from(self.plays.len() + 1).unwrap_or(u32::MAX),
            period: goal.period,
            clock: goal.clock,
            team: self.team(rise.side).id.clone(),
            scorer_id: goal.scorer.as_ref().and_then(|p| p.id.clone()),
            scorer_name: goal
                .scorer
                .as_ref()
                .map(|p| p.name.clone())
                .filter(|n| !n.is_empty()),
            assists: goal.assists.into_iter().map(|(p, _)| p).collect(),
            kind: "goal".to_owned(),
            points: rise.points,
            home_score: rise.home_score,
            away_score: rise.away_score,
            description,
            details,
        }
    }

    fn attempt(
        &mut self,
        side: Option<Side>,
        shooter: Option<Player>,
        outcome: &str,
        scored: bool,
        shot: Option<&str>,
    ) {
        let team = side.map(|s| self.team(s).id.clone()).unwrap_or_default();
        let abbrev = side
            .map(|s| self.team(s).abbreviation.clone())
            .unwrap_or_default();
        let name = shooter
            .as_ref()
            .map(|p| p.name.clone())
            .filter(|n| !n.is_empty());
        let mut description = name.clone().unwrap_or_else(|| "Unknown shooter".to_owned());
        if !abbrev.is_empty() {
            description.push_str(&format!(" ({abbrev})"));
        }
        description.push_str(": ");
        description.push_str(outcome);
        if let Some(shot) = shot {
            description.push_str(&format!(", {}", shot_text(shot)));
        }
        self.shootout.push(ShootoutAttempt {
            sequence: u32::try_from(self.shootout.len() + 1).unwrap_or(u32::MAX),
            team,
            player_id: shooter.and_then(|p| p.id),
            player_name: name,
            scored,
            description,
        });
    }
}

/// Read `plays[]` in `sortOrder`: goals outside the shootout score; shootout events are attempts.
fn play_by_play(c: &mut Collector, doc: &WireGame, plays: &[Play]) {
    let roster: HashMap<&str, String> = doc
        .roster_spots
        .iter()
        .filter_map(|r| {
            let id = r.player_id.as_deref()?;
            Some((
                id,
                full_name(r.first_name.as_deref(), r.last_name.as_deref())?,
            ))
        })
        .collect();
    let player = |id: Option<&String>| -> Option<Player> {
        let id = id?;
        let name = roster.get(id.as_str()).cloned().unwrap_or_default();
        Some(Player {
            id: Some(id.clone()),
            name,
        })
    };

    // Game order is `sortOrder` (event ids are not in order); a play without one keeps its place
    // after the previous play.
    let none = Details::default();
    for (order, p) in in_order(plays, |p| p.sort_order) {
        let kind = p.type_desc_key.as_deref().unwrap_or("");
        let number = p.period_descriptor.as_ref().and_then(|d| d.number);
        let ptype = c.period_type(
            number,
            p.period_descriptor
                .as_ref()
                .and_then(|d| d.period_type.as_deref()),
        );
        c.mark(ptype);
        let d = p.details.as_ref().unwrap_or(&none);
        let situation = p.situation_code.as_deref().and_then(Situation::parse);
        if ptype == Some(PeriodType::Shootout) {
            let outcome = match kind {
                "goal" => "goal",
                "shot-on-goal" => "saved",
                "missed-shot" => "missed",
                "failed-shot-attempt" => "failed attempt",
                _ => continue,
            };
            let scored = kind == "goal";
            let shooter_id = if scored {
                d.scoring_player_id
                    .as_ref()
                    .or(d.shooting_player_id.as_ref())
            } else {
                d.shooting_player_id
                    .as_ref()
                    .or(d.scoring_player_id.as_ref())
            };
            // The shooter's side: the event owner, else the side with the lone skater.
            let side = c
                .side_of(d.event_owner_team_id.as_deref())
                .or(match situation {
                    Some(s) if s.away_skaters == 1 && s.home_skaters == 0 => Some(Side::Away),
                    Some(s) if s.home_skaters == 1 && s.away_skaters == 0 => Some(Side::Home),
                    _ => None,
                });
            c.attempt(
                side,
                player(shooter_id),
                outcome,
                scored,
                d.shot_type.as_deref(),
            );
            continue;
        }
        if kind != "goal" {
            continue;
        }
        let owner = c.side_of(d.event_owner_team_id.as_deref());
        if owner.is_none() {
            log::warn(&format!(
                "game {}: goal at sortOrder {order} credited to unknown team {:?}",
                c.game.id, d.event_owner_team_id
            ));
        }
        let assists = [
            (&d.assist1_player_id, d.assist1_player_total),
            (&d.assist2_player_id, d.assist2_player_total),
        ]
        .into_iter()
        .filter_map(|(id, total)| Some((player(id.as_ref())?, total)))
        .collect();
        let goal = Goal {
            period: number,
            clock: p.time_in_period.clone(),
            scorer: player(d.scoring_player_id.as_ref()),
            scorer_total: d.scoring_player_total,
            assists,
            shot_type: d.shot_type.clone(),
            situation,
            label: None,
            empty_net: false,
        };
        c.goal(
            owner,
            (d.home_score, d.away_score),
            goal,
            &format!("at sortOrder {order}"),
        );
    }
}

/// Read `landing`'s goals period by period, then its shootout.
fn landing(c: &mut Collector, summary: &Summary) {
    for period in summary.scoring.iter().flatten() {
        let descriptor = period.period_descriptor.clone().unwrap_or_default();
        let ptype = c.period_type(descriptor.number, descriptor.period_type.as_deref());
        c.mark(ptype);
        if ptype == Some(PeriodType::Shootout) {
            // The shootout's goals are in `summary.shootout`; they never change the score.
            continue;
        }
        for (i, g) in period.goals.iter().enumerate() {
            let owner = g
                .is_home
                .map(|home| if home { Side::Home } else { Side::Away })
                .or_else(|| c.side_of_abbrev(g.team_abbrev.as_deref()));
            let goal = landing_goal(g, descriptor.number);
            let at = format!("{} of period {}", i + 1, descriptor.number.unwrap_or(0));
            c.goal(owner, (g.home_score, g.away_score), goal, &at);
        }
    }
    if !summary.shootout.is_empty() {
        c.mark(Some(PeriodType::Shootout));
    }
    for (_, a) in in_order(&summary.shootout, |a| a.sequence) {
        let side = c.side_of_abbrev(a.team_abbrev.as_deref());
        let name = full_name(a.first_name.as_deref(), a.last_name.as_deref()).unwrap_or_default();
        let shooter = a.player_id.clone().map(|id| Player {
            id: Some(id),
            name: name.clone(),
        });
        let result = a.result.as_deref().unwrap_or("").to_ascii_lowercase();
        let scored = result == "goal";
        let outcome = match result.as_str() {
            "goal" => "goal",
            "save" | "saved" | "no-goal" => "saved",
            "miss" | "missed" => "missed",
            "" => "no goal",
            other => other,
        }
        .to_owned();
        c.attempt(side, shooter, &outcome, scored, a.shot_type.as_deref());
    }
}

/// `items` sorted by `key`, each with its key; an item without one takes the previous item's, so
/// it keeps its place after that item (the sort is stable).
fn in_order<T>(items: &[T], key: impl Fn(&T) -> Option<u32>) -> Vec<(u32, &T)> {
    let mut last = 0;
    let mut keyed: Vec<(u32, &T)> = items
        .iter()
        .map(|item| {
            last = key(item).unwrap_or(last);
            (last, item)
        })
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    keyed
}

fn landing_goal(g: &LandingGoal, period: Option<u32>) -> Goal {
    let person = |id: &Option<String>,
                  first: &Option<String>,
                  last: &Option<String>,
                  short: &Option<String>| {
        let name = full_name(first.as_deref(), last.as_deref())
            .or_else(|| short.clone())
            .unwrap_or_default();
        (id.is_some() || !name.is_empty()).then(|| Player {
            id: id.clone(),
            name,
        })
    };
    Goal {
        period,
        clock: g.time_in_period.clone(),
        scorer: person(&g.player_id, &g.first_name, &g.last_name, &g.name),
        scorer_total: g.goals_to_date,
        assists: g
            .assists
            .iter()
            .filter_map(|a| {
                Some((
                    person(&a.player_id, &a.first_name, &a.last_name, &a.name)?,
                    a.assists_to_date,
                ))
            })
            .collect(),
        shot_type: g.shot_type.clone(),
        situation: g.situation_code.as_deref().and_then(Situation::parse),
        label: g.strength.as_deref().and_then(Strength::from_label),
        empty_net: g
            .goal_modifier
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("empty-net")),
    }
}

/// A shot type as text: `wrist` → `wrist shot`, `tip-in` stays.
fn shot_text(shot: &str) -> String {
    match shot {
        "wrist" | "slap" | "snap" => format!("{shot} shot"),
        other => other.to_owned(),
    }
}

/// `Evgeni Malkin (13) wrist shot, assists: Kris Letang (17), Matt Grzelcyk (30)` with the
/// strength when it is not even.
fn describe(goal: &Goal, strength: Option<Strength>, empty_net: bool) -> String {
    let counted = |p: &Player, total: Option<u32>| {
        let name = if p.name.is_empty() {
            p.id.as_deref()
                .map(|id| format!("#{id}"))
                .unwrap_or_default()
        } else {
            p.name.clone()
        };
        match total {
            Some(t) => format!("{name} ({t})"),
            None => name,
        }
    };
    let mut text = match &goal.scorer {
        Some(scorer) => format!("{} goal", counted(scorer, goal.scorer_total)),
        None => "Goal".to_owned(),
    };
    if let Some(shot) = &goal.shot_type {
        text.push_str(&format!(", {}", shot_text(shot)));
    }
    match strength {
        Some(Strength::PowerPlay) => text.push_str(", power play"),
        Some(Strength::ShortHanded) => text.push_str(", short-handed"),
        Some(Strength::PenaltyShot) => text.push_str(", penalty shot"),
        _ => {}
    }
    if empty_net {
        text.push_str(", empty net");
    }
    if goal.scorer.is_some() {
        if goal.assists.is_empty() {
            text.push_str(", unassisted");
        } else {
            let names: Vec<String> = goal.assists.iter().map(|(p, t)| counted(p, *t)).collect();
            text.push_str(&format!(", assists: {}", names.join(", ")));
        }
    }
    text
}
