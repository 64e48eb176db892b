//! The diff engine: the events between two accepted snapshots of one game. Pure: snapshots and
//! the time come in, events go out; no I/O, no clock.
//!
//! Rules (`docs/events.md` is the operator's version):
//! - `previous` none is the first sight of the game: what the snapshot implies (scheduled,
//!   started, the current period, delayed, postponed, final, the known plays) is emitted once,
//!   every event marked `catch_up`. A score already on the board is not a `score.changed`.
//! - Scores are compared between the two snapshots only: a multi-score jump is one
//!   `score.changed` with both deltas; leadership is judged on the two scores alone.
//! - Plays are compared by identity (sequence, team, scorer, score after): a play that is new is
//!   a `scoring.play`, one that disappeared (or whose sequence now carries another play) is a
//!   `score.corrected`. Plays are only compared when `next` knows them.
//! - Each id is the sha256 hex of `league/adapter/game_id|type|discriminator`, the
//!   discriminator naming the fact (period number, score after, leader, play identity), so the
//!   same fact seen again has the same id and a different fact never shares one.

use super::{Event, EventType};
use crate::model::GameKey;
use crate::model::{Game, GameStatus, ScoringPlay};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// One game as the diff sees it: the accepted snapshot and the scoring plays known for it.
#[derive(Debug, Clone, Copy)]
pub struct Snapshot<'a> {
    /// The game's key.
    pub key: &'a GameKey,
    /// The accepted snapshot.
    pub game: &'a Game,
    /// The scoring plays known, by sequence; none when no game detail has been parsed yet.
    pub plays: Option<&'a [ScoringPlay]>,
    /// The (home, away) score when the game was first seen. Plays learnt only later whose score
    /// after is within it happened before the daemon watched: they are `catch_up`.
    pub first_seen: (u32, u32),
}

/// The events from `previous` to `next`, in a fixed order (lifecycle, periods, score, lead,
/// plays, delay, end of period, final), each stamped `now`.
pub fn diff(
    previous: Option<&Snapshot<'_>>,
    next: &Snapshot<'_>,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let mut out = Emitter {
        next,
        now,
        catch_up: previous.is_none(),
        events: Vec::new(),
    };
    let n = next.game;
    let p = previous.map(|s| s.game);
    let (nh, na) = scores(n);

    // Lifecycle before play.
    if matches!(n.status, GameStatus::Scheduled | GameStatus::Pregame)
        && p.is_none_or(|p| {
            p.start_time != n.start_time
                || matches!(p.status, GameStatus::Postponed | GameStatus::Cancelled)
        })
    {
        out.push(
            EventType::GameScheduled,
            &time_or_dash(n.start_time),
            json!({
                "start_time": n.start_time,
                "status": n.status,
                "venue": n.venue,
                "home": team(n, Side::Home),
                "away": team(n, Side::Away),
            }),
        );
    }
    if matches!(n.status, GameStatus::Postponed | GameStatus::Cancelled)
        && p.is_none_or(|p| p.status != n.status)
    {
        out.push(
            EventType::GamePostponed,
            &format!("{}|{}", n.status, time_or_dash(n.start_time)),
            json!({
                "status": n.status,
                "status_detail": n.status_detail,
                "start_time": n.start_time,
            }),
        );
    }
    if started(n) && p.is_none_or(|p| !started(p)) {
        out.push(
            EventType::GameStarted,
            "",
            json!({
                "start_time": n.start_time,
                "status": n.status,
                "period": n.period,
                "home": team(n, Side::Home),
                "away": team(n, Side::Away),
                "home_score": nh,
                "away_score": na,
            }),
        );
    }

    // Periods: every period begun or finished since the previous snapshot.
    let np = n.period.filter(|_| started(n));
    let ended_now = matches!(n.status, GameStatus::Intermission | GameStatus::Final);
    let mut end_current = false;
    match (p, np) {
        (None, Some(np)) => match n.status {
            GameStatus::Intermission => end_current = true,
            GameStatus::Final => {}
            _ => out.period(EventType::PeriodStarted, np),
        },
        (Some(p), Some(np)) => {
            let pp = p.period.filter(|_| started(p)).unwrap_or(0);
            let p_ended =
                pp == 0 || matches!(p.status, GameStatus::Intermission | GameStatus::Final);
            if np > pp {
                if !p_ended {
                    out.period(EventType::PeriodEnded, pp);
                }
                for k in pp + 1..np {
                    out.period(EventType::PeriodStarted, k);
                    out.period(EventType::PeriodEnded, k);
                }
                out.period(EventType::PeriodStarted, np);
                end_current = ended_now;
            } else if np == pp {
                end_current = ended_now && !p_ended;
            }
        }
        _ => {}
    }

    // Score.
    if let Some(p) = p {
        let (ph, pa) = scores(p);
        let deltas = json!({
            "home_score": nh,
            "away_score": na,
            "previous_home_score": ph,
            "previous_away_score": pa,
            "home_delta": i64::from(nh) - i64::from(ph),
            "away_delta": i64::from(na) - i64::from(pa),
        });
        if nh < ph || na < pa {
            let mut data = deltas;
            data["reason"] = json!("score_decreased");
            out.push(
                EventType::ScoreCorrected,
                &format!("score|{ph}-{pa}>{nh}-{na}"),
                data,
            );
        } else if (nh, na) != (ph, pa) {
            let mut data = deltas;
            data["period"] = json!(n.period);
            data["clock"] = json!(n.clock);
            let explaining: Vec<Value> = next
                .plays
                .unwrap_or_default()
                .iter()
                .filter(|pl| {
                    pl.home_score <= nh
                        && pl.away_score <= na
                        && (pl.home_score > ph || pl.away_score > pa)
                })
                .map(|pl| play_json(n, pl))
                .collect();
            data["plays"] = Value::Array(explaining);
            out.push(EventType::ScoreChanged, &format!("{nh}-{na}"), data);
            let (was, is) = (leader(ph, pa), leader(nh, na));
            if was != is {
                match is {
                    Some(side) => out.push(
                        EventType::LeadChanged,
                        &format!("{}|{nh}-{na}", side_team(n, side).id),
                        json!({
                            "leader": side_team(n, side).id,
                            "leader_side": side.as_str(),
                            "previous_leader": was.map(|s| side_team(n, s).id.clone()),
                            "home_score": nh,
                            "away_score": na,
                        }),
                    ),
                    None => out.push(
                        EventType::GameTied,
                        &format!("{nh}-{na}"),
                        json!({
                            "previous_leader": was.map(|s| side_team(n, s).id.clone()),
                            "home_score": nh,
                            "away_score": na,
                        }),
                    ),
                }
            }
        }
    }

    // Plays, when the new snapshot knows them.
    if let Some(plays) = next.plays {
        let before = previous.and_then(|s| s.plays);
        let known = |pl: &ScoringPlay| {
            before.is_some_and(|b| b.iter().any(|o| identity(o) == identity(pl)))
        };
        if let Some(before) = before {
            for gone in before
                .iter()
                .filter(|o| !plays.iter().any(|pl| identity(pl) == identity(o)))
            {
                out.push(
                    EventType::ScoreCorrected,
                    &format!("play|{}", identity(gone)),
                    json!({
                        "reason": "play_removed",
                        "play": play_json(n, gone),
                        "home_score": nh,
                        "away_score": na,
                    }),
                );
            }
        }
        // Learnt only now, the plays a previous snapshot without plays already scored (within
        // the score first seen) happened before the daemon watched.
        let late = previous.is_some_and(|s| s.plays.is_none());
        let caught_up = |pl: &ScoringPlay| {
            previous.is_none()
                || (late
                    && pl.home_score <= next.first_seen.0
                    && pl.away_score <= next.first_seen.1)
        };
        for pl in plays.iter().filter(|pl| !known(pl)) {
            out.push_flagged(
                EventType::ScoringPlay,
                &identity(pl),
                play_json(n, pl),
                caught_up(pl),
            );
        }
        if let Some(first) = first_play(plays).filter(|f| !known(f)) {
            let mut data = play_json(n, first);
            data["scorer_role"] = json!(if n.sport == "baseball" {
                "batter"
            } else {
                "scorer"
            });
            out.push_flagged(
                EventType::ScoringFirst,
                &format!(
                    "{}|{}|{}-{}",
                    first.team,
                    scorer(first),
                    first.home_score,
                    first.away_score
                ),
                data,
                caught_up(first),
            );
        }
    }

    // Play stopped.
    if matches!(n.status, GameStatus::Delayed | GameStatus::Suspended)
        && p.is_none_or(|p| p.status != n.status)
    {
        out.push(
            EventType::GameDelayed,
            &format!("{}|{}|{nh}-{na}", n.status, opt(n.period)),
            json!({
                "status": n.status,
                "status_detail": n.status_detail,
                "period": n.period,
                "home_score": nh,
                "away_score": na,
            }),
        );
    }
    if end_current && let Some(np) = np {
        out.period(EventType::PeriodEnded, np);
    }
    if n.status == GameStatus::Final
        && p.is_none_or(|p| p.status != GameStatus::Final || scores(p) != (nh, na))
    {
        let (hs, as_) = (shootout(n, "home_shootout"), shootout(n, "away_shootout"));
        let winner = leader(nh, na).or(match (hs, as_) {
            (Some(h), Some(a)) => leader(h, a),
            _ => None,
        });
        let mut disc = format!("{nh}-{na}");
        if let (Some(h), Some(a)) = (hs, as_) {
            disc.push_str(&format!("|so {h}-{a}"));
        }
        out.push(
            EventType::GameFinal,
            &disc,
            json!({
                "winner": winner.map(|s| side_team(n, s).id.clone()),
                "winner_side": winner.map(Side::as_str),
                "home_score": nh,
                "away_score": na,
                "home_shootout": hs,
                "away_shootout": as_,
                "overtime": n.overtime,
                "extra_time": n.extra_time,
                "shootout": n.shootout,
                "period": n.period,
                "status_detail": n.status_detail,
            }),
        );
    }
    out.events
}

/// The id of an event: sha256 hex of `league/adapter/game_id|type|discriminator`.
pub fn event_id(key: &GameKey, kind: EventType, discriminator: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("{key}|{}|{discriminator}", kind.as_str()).as_bytes());
    hex::encode(h.finalize())
}

struct Emitter<'s, 'a> {
    next: &'s Snapshot<'a>,
    now: DateTime<Utc>,
    catch_up: bool,
    events: Vec<Event>,
}

impl Emitter<'_, '_> {
    fn push(&mut self, kind: EventType, discriminator: &str, data: Value) {
        self.push_flagged(kind, discriminator, data, self.catch_up);
    }

    fn push_flagged(&mut self, kind: EventType, discriminator: &str, data: Value, catch_up: bool) {
        let (key, g) = (self.next.key, self.next.game);
        self.events.push(Event {
            id: event_id(key, kind, discriminator),
            kind,
            game_id: key.game_id.clone(),
            league: key.league.clone(),
            adapter: key.adapter.clone(),
            time: self.now,
            catch_up,
            teams: vec![
                g.home.id.clone(),
                g.home.abbreviation.clone(),
                g.away.id.clone(),
                g.away.abbreviation.clone(),
            ],
            data,
        });
    }

    fn period(&mut self, kind: EventType, period: u32) {
        let (h, a) = scores(self.next.game);
        self.push(
            kind,
            &period.to_string(),
            json!({ "period": period, "home_score": h, "away_score": a }),
        );
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Home,
    Away,
}

impl Side {
    fn as_str(self) -> &'static str {
        match self {
            Side::Home => "home",
            Side::Away => "away",
        }
    }
}

fn side_team(g: &Game, side: Side) -> &crate::model::Competitor {
    match side {
        Side::Home => &g.home,
        Side::Away => &g.away,
    }
}

fn team(g: &Game, side: Side) -> Value {
    let t = side_team(g, side);
    json!({ "id": t.id, "abbreviation": t.abbreviation, "name": t.name })
}

fn leader(home: u32, away: u32) -> Option<Side> {
    match home.cmp(&away) {
        std::cmp::Ordering::Greater => Some(Side::Home),
        std::cmp::Ordering::Less => Some(Side::Away),
        std::cmp::Ordering::Equal => None,
    }
}

fn scores(g: &Game) -> (u32, u32) {
    (g.home.score.unwrap_or(0), g.away.score.unwrap_or(0))
}

/// Under way or over: play has begun. A delay with no period yet is a late start, not a start.
fn started(g: &Game) -> bool {
    match g.status {
        GameStatus::Live | GameStatus::Intermission | GameStatus::Final | GameStatus::Suspended => {
            true
        }
        GameStatus::Delayed => g.period.is_some_and(|p| p > 0),
        GameStatus::Scheduled
        | GameStatus::Pregame
        | GameStatus::Postponed
        | GameStatus::Cancelled => false,
    }
}

fn shootout(g: &Game, key: &str) -> Option<u32> {
    g.details.get(key).and_then(|v| v.parse().ok())
}

fn time_or_dash(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(|| "-".to_owned(), |t| t.to_rfc3339())
}

fn opt(v: Option<u32>) -> String {
    v.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn scorer(pl: &ScoringPlay) -> &str {
    pl.scorer_id
        .as_deref()
        .or(pl.scorer_name.as_deref())
        .unwrap_or("")
}

/// What makes a play the same play: its sequence, team, scorer and the score after it. A
/// sequence reused for another play after a correction is another identity.
fn identity(pl: &ScoringPlay) -> String {
    format!(
        "{}|{}|{}|{}-{}",
        pl.sequence,
        pl.team,
        scorer(pl),
        pl.home_score,
        pl.away_score
    )
}

/// The game's first scoring play: the lowest sequence, if it scored from 0-0 (one rule with
/// the scorer queries' `is_first_scorer`).
fn first_play(plays: &[ScoringPlay]) -> Option<&ScoringPlay> {
    crate::scorers::first_play(plays)
}

fn play_json(g: &Game, pl: &ScoringPlay) -> Value {
    let side = if pl.team == g.home.id {
        Some("home")
    } else if pl.team == g.away.id {
        Some("away")
    } else {
        None
    };
    json!({
        "sequence": pl.sequence,
        "team": pl.team,
        "side": side,
        "scorer_id": pl.scorer_id,
        "scorer_name": pl.scorer_name,
        "kind": pl.kind,
        "points": pl.points,
        "period": pl.period,
        "clock": pl.clock,
        "home_score": pl.home_score,
        "away_score": pl.away_score,
        "description": pl.description,
    })
}

#[cfg(test)]
mod tests;
