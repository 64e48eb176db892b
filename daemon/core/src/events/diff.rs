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
//!
//! One `rule_*` function per event type, each documented with its row of the events table (`docs/events.md`)
//! (when, data, discriminator); `diff` calls them in the order their events come out.

use super::{Event, EventType};
use crate::model::{Competitor, Game, GameKey, GameStatus, ScoringPlay};
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
/// corrections, plays, delay, end of period, final), each stamped `now`. The order is part of
/// the contract: consumers and the tests rely on it.
pub fn diff(
    previous: Option<&Snapshot<'_>>,
    next: &Snapshot<'_>,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let mut d = Diff {
        previous,
        next,
        now,
        events: Vec::new(),
    };
    rule_scheduled(&mut d);
    rule_postponed(&mut d);
    rule_started(&mut d);
    rule_period(&mut d);
    rule_score(&mut d);
    rule_lead(&mut d);
    rule_tie(&mut d);
    // A score that went down has no `score.changed`, `lead.changed` or `game.tied`: its
    // correction comes right after the periods, and removed plays before the new ones.
    rule_correction(&mut d);
    rule_play(&mut d);
    rule_first(&mut d);
    rule_delay(&mut d);
    rule_period_end(&mut d);
    rule_final(&mut d);
    d.events
}

/// `game.scheduled`: seen before its start; its start time moved; back from postponed. Data
/// `start_time`, `status`, `venue`, `home`, `away` (`{id, abbreviation, name}`); discriminator
/// the start time (RFC 3339, `-` if none).
fn rule_scheduled(d: &mut Diff<'_, '_>) {
    let n = d.game();
    let not_started = matches!(n.status, GameStatus::Scheduled | GameStatus::Pregame);
    let moved_or_back = d.since(|p| p.start_time != n.start_time || CALLED_OFF.contains(&p.status));
    if !not_started || !moved_or_back {
        return;
    }
    d.push(
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

/// `game.postponed`: the game became postponed or cancelled (`status` says which). Data
/// `status`, `status_detail`, `start_time`; discriminator status + start time.
fn rule_postponed(d: &mut Diff<'_, '_>) {
    let n = d.game();
    if !d.became(&CALLED_OFF) {
        return;
    }
    d.push(
        EventType::GamePostponed,
        &format!("{}|{}", n.status, time_or_dash(n.start_time)),
        json!({
            "status": n.status,
            "status_detail": n.status_detail,
            "start_time": n.start_time,
        }),
    );
}

/// `game.started`: first seen under way or over, or going from not started to started. Data
/// `start_time`, `status`, `period`, `home`, `away`, `home_score`, `away_score`; no
/// discriminator (once per game).
fn rule_started(d: &mut Diff<'_, '_>) {
    let n = d.game();
    if !started(n) || !d.since(|p| !started(p)) {
        return;
    }
    let (h, a) = scores(n);
    d.push(
        EventType::GameStarted,
        "",
        json!({
            "start_time": n.start_time,
            "status": n.status,
            "period": n.period,
            "home": team(n, Side::Home),
            "away": team(n, Side::Away),
            "home_score": h,
            "away_score": a,
        }),
    );
}

/// `period.started`: each period begun since the last snapshot (a jump from 1 to 3 also starts
/// and ends 2), with the `period.ended` of each period left on the way. Data `period`,
/// `home_score`, `away_score`; discriminator the period number. First seen, only a period in
/// play is started (a break is only ended, by `rule_period_end`; a final is neither).
fn rule_period(d: &mut Diff<'_, '_>) {
    let Some(now) = current_period(d.game()) else {
        return;
    };
    let Some(p) = d.prev_game() else {
        if !in_break(d.game()) {
            d.period(EventType::PeriodStarted, now);
        }
        return;
    };
    let was = current_period(p).unwrap_or(0);
    if now <= was {
        return;
    }
    if open_period(p).is_some() {
        d.period(EventType::PeriodEnded, was);
    }
    for k in was + 1..now {
        d.period(EventType::PeriodStarted, k);
        d.period(EventType::PeriodEnded, k);
    }
    d.period(EventType::PeriodStarted, now);
}

/// `score.changed`: either score went up (neither down). Data `home_score`, `away_score`,
/// `previous_home_score`, `previous_away_score`, `home_delta`, `away_delta`, `period`, `clock`,
/// `plays` (the known plays that explain it, else `[]`); discriminator the score after, `H-A`.
fn rule_score(d: &mut Diff<'_, '_>) {
    let Some(((ph, pa), (nh, na))) = d.score_rose() else {
        return;
    };
    let n = d.game();
    let mut data = score_fields((ph, pa), (nh, na));
    data["period"] = json!(n.period);
    data["clock"] = json!(n.clock);
    let explaining: Vec<Value> = d
        .next
        .plays
        .unwrap_or_default()
        .iter()
        .filter(|pl| {
            pl.home_score <= nh && pl.away_score <= na && (pl.home_score > ph || pl.away_score > pa)
        })
        .map(|pl| play_json(n, pl))
        .collect();
    data["plays"] = Value::Array(explaining);
    d.push(EventType::ScoreChanged, &format!("{nh}-{na}"), data);
}

/// `lead.changed`: after a score change, another side leads (including from a tie). Data
/// `leader` (team id), `leader_side`, `previous_leader` (id or null), `home_score`,
/// `away_score`; discriminator leader id + score after.
fn rule_lead(d: &mut Diff<'_, '_>) {
    let Some((before, (nh, na))) = d.score_rose() else {
        return;
    };
    let (was, is) = (leader(before.0, before.1), leader(nh, na));
    let Some(side) = is.filter(|&s| was != Some(s)) else {
        return;
    };
    let n = d.game();
    let id = &side_team(n, side).id;
    d.push(
        EventType::LeadChanged,
        &format!("{id}|{nh}-{na}"),
        json!({
            "leader": id,
            "leader_side": side.as_str(),
            "previous_leader": was.map(|s| &side_team(n, s).id),
            "home_score": nh,
            "away_score": na,
        }),
    );
}

/// `game.tied`: after a score change, a side led and now none does. Data `previous_leader`,
/// `home_score`, `away_score`; discriminator the score after.
fn rule_tie(d: &mut Diff<'_, '_>) {
    let Some((before, (nh, na))) = d.score_rose() else {
        return;
    };
    let Some(was) = leader(before.0, before.1).filter(|_| leader(nh, na).is_none()) else {
        return;
    };
    d.push(
        EventType::GameTied,
        &format!("{nh}-{na}"),
        json!({
            "previous_leader": side_team(d.game(), was).id,
            "home_score": nh,
            "away_score": na,
        }),
    );
}

/// `score.corrected`: a confirmed score went down (`reason: "score_decreased"`, the same score
/// fields with negative deltas), or a known play disappeared or its sequence now carries
/// another play (`reason: "play_removed"`, `play`, `home_score`, `away_score`); discriminator
/// `score|PH-PA>H-A`, or `play|` + the play's identity.
fn rule_correction(d: &mut Diff<'_, '_>) {
    let n = d.game();
    let (nh, na) = scores(n);
    if let Some((ph, pa)) = d.prev_game().map(scores)
        && (nh < ph || na < pa)
    {
        let mut data = score_fields((ph, pa), (nh, na));
        data["reason"] = json!("score_decreased");
        d.push(
            EventType::ScoreCorrected,
            &format!("score|{ph}-{pa}>{nh}-{na}"),
            data,
        );
    }
    let (Some(plays), Some(before)) = (d.next.plays, d.plays_before()) else {
        return;
    };
    for gone in before.iter().filter(|o| !contains(plays, o)) {
        d.push(
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

/// `scoring.play`: a play not known before (identity: sequence, team, scorer, score after).
/// Data `sequence`, `team`, `side`, `scorer_id`, `scorer_name`, `kind`, `points`, `period`,
/// `clock`, `home_score`, `away_score` (after the play), `description`; discriminator the
/// identity `seq|team|scorer|H-A`.
fn rule_play(d: &mut Diff<'_, '_>) {
    let Some(plays) = d.next.plays else {
        return;
    };
    for pl in plays {
        if !d.is_new(pl) {
            continue;
        }
        let catch_up = d.play_catch_up(pl);
        d.push_flagged(
            EventType::ScoringPlay,
            &identity(pl),
            play_json(d.game(), pl),
            catch_up,
        );
    }
}

/// `scoring.first`: the game's first play (lowest sequence, scoring from 0-0) is new. Data the
/// play's fields plus `scorer_role`: `batter` in baseball (the batter credited with the first
/// run), else `scorer`; discriminator team + scorer + score after.
fn rule_first(d: &mut Diff<'_, '_>) {
    let Some(first) = d.next.plays.and_then(first_play).filter(|f| d.is_new(f)) else {
        return;
    };
    let n = d.game();
    let mut data = play_json(n, first);
    data["scorer_role"] = json!(if n.sport == "baseball" {
        "batter"
    } else {
        "scorer"
    });
    let catch_up = d.play_catch_up(first);
    d.push_flagged(
        EventType::ScoringFirst,
        &format!(
            "{}|{}|{}-{}",
            first.team,
            scorer(first),
            first.home_score,
            first.away_score
        ),
        data,
        catch_up,
    );
}

/// `game.delayed`: the game became delayed or suspended (a delay with no period yet is a late
/// start). Data `status`, `status_detail`, `period`, `home_score`, `away_score`;
/// discriminator status + period + score.
fn rule_delay(d: &mut Diff<'_, '_>) {
    if !d.became(&[GameStatus::Delayed, GameStatus::Suspended]) {
        return;
    }
    let n = d.game();
    let (h, a) = scores(n);
    d.push(
        EventType::GameDelayed,
        &format!("{}|{}|{h}-{a}", n.status, opt(n.period)),
        json!({
            "status": n.status,
            "status_detail": n.status_detail,
            "period": n.period,
            "home_score": h,
            "away_score": a,
        }),
    );
}

/// `period.ended`: each period left, a break (intermission, half time) or the final. This rule
/// ends the current period when the game is now in a break or over (`rule_period` ends those
/// left on the way). Data `period`, `home_score`, `away_score`; discriminator the period number.
/// First seen, a break ends its period and a final ends none.
fn rule_period_end(d: &mut Diff<'_, '_>) {
    let n = d.game();
    let Some(now) = current_period(n).filter(|_| in_break(n)) else {
        return;
    };
    let ends = match d.prev_game() {
        None => n.status == GameStatus::Intermission,
        Some(p) => now > current_period(p).unwrap_or(0) || open_period(p) == Some(now),
    };
    if ends {
        d.period(EventType::PeriodEnded, now);
    }
}

/// `game.final`: the game became final, or a final's score was corrected. Data `winner` (team
/// id, null for a draw), `winner_side`, `home_score`, `away_score`, `home_shootout`,
/// `away_shootout` (soccer, else null), `overtime`, `extra_time`, `shootout`, `period`,
/// `status_detail`; discriminator the final score `H-A` (plus the shootout score).
fn rule_final(d: &mut Diff<'_, '_>) {
    let n = d.game();
    let (h, a) = scores(n);
    if n.status != GameStatus::Final
        || !d.since(|p| p.status != GameStatus::Final || scores(p) != (h, a))
    {
        return;
    }
    let (hs, as_) = (shootout(n, "home_shootout"), shootout(n, "away_shootout"));
    let shootout_score = hs.zip(as_);
    let winner = leader(h, a).or(shootout_score.and_then(|(x, y)| leader(x, y)));
    let mut disc = format!("{h}-{a}");
    if let Some((x, y)) = shootout_score {
        disc.push_str(&format!("|so {x}-{y}"));
    }
    d.push(
        EventType::GameFinal,
        &disc,
        json!({
            "winner": winner.map(|s| &side_team(n, s).id),
            "winner_side": winner.map(Side::as_str),
            "home_score": h,
            "away_score": a,
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

/// The id of an event: sha256 hex of `league/adapter/game_id|type|discriminator`.
pub fn event_id(key: &GameKey, kind: EventType, discriminator: &str) -> String {
    let mut h = Sha256::new();
    h.update(format!("{key}|{}|{discriminator}", kind.as_str()).as_bytes());
    hex::encode(h.finalize())
}

/// One diff under way: the two snapshots, the time, and the events emitted so far. The key is
/// `next.key`.
struct Diff<'s, 'a> {
    previous: Option<&'s Snapshot<'a>>,
    next: &'s Snapshot<'a>,
    now: DateTime<Utc>,
    events: Vec<Event>,
}

impl<'a> Diff<'_, 'a> {
    /// The new snapshot's game.
    fn game(&self) -> &'a Game {
        self.next.game
    }

    /// The previous snapshot's game; none at first sight.
    fn prev_game(&self) -> Option<&'a Game> {
        self.previous.map(|s| s.game)
    }

    /// First sight, or `test` holds of the previous game: what a "became" rule asks.
    fn since(&self, test: impl FnOnce(&Game) -> bool) -> bool {
        self.prev_game().is_none_or(test)
    }

    /// The game is now in one of `statuses`, and was not in that one before.
    fn became(&self, statuses: &[GameStatus]) -> bool {
        let status = self.game().status;
        statuses.contains(&status) && self.since(|p| p.status != status)
    }

    /// The (previous, next) scores when either went up and neither down.
    fn score_rose(&self) -> Option<((u32, u32), (u32, u32))> {
        let (nh, na) = scores(self.game());
        let (ph, pa) = scores(self.prev_game()?);
        (nh >= ph && na >= pa && (nh, na) != (ph, pa)).then_some(((ph, pa), (nh, na)))
    }

    /// The plays the previous snapshot knew; none at first sight or before any game detail.
    fn plays_before(&self) -> Option<&'a [ScoringPlay]> {
        self.previous.and_then(|s| s.plays)
    }

    /// `pl` was not among the plays known before.
    fn is_new(&self, pl: &ScoringPlay) -> bool {
        !self.plays_before().is_some_and(|b| contains(b, pl))
    }

    /// A new play is `catch_up` at first sight, or when the plays are learnt only now (the
    /// previous snapshot had none) and it scored within the score first seen: it happened
    /// before the daemon watched.
    fn play_catch_up(&self, pl: &ScoringPlay) -> bool {
        let late = self.previous.is_some_and(|s| s.plays.is_none());
        let (fh, fa) = self.next.first_seen;
        self.previous.is_none() || (late && pl.home_score <= fh && pl.away_score <= fa)
    }

    /// Emits an event, `catch_up` at first sight.
    fn push(&mut self, kind: EventType, discriminator: &str, data: Value) {
        self.push_flagged(kind, discriminator, data, self.previous.is_none());
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

    /// A `period.started` or `period.ended` of `period`, at the new score.
    fn period(&mut self, kind: EventType, period: u32) {
        let (h, a) = scores(self.game());
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

fn side_team(g: &Game, side: Side) -> &Competitor {
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

/// Postponed or cancelled: the game is off (for now).
const CALLED_OFF: [GameStatus; 2] = [GameStatus::Postponed, GameStatus::Cancelled];

/// The period under way or last played; none before the game started.
fn current_period(g: &Game) -> Option<u32> {
    g.period.filter(|_| started(g))
}

/// Between periods: in a break or over.
fn in_break(g: &Game) -> bool {
    matches!(g.status, GameStatus::Intermission | GameStatus::Final)
}

/// The period being played, not yet ended: none before the first, in a break or when over.
fn open_period(g: &Game) -> Option<u32> {
    current_period(g).filter(|&k| k > 0 && !in_break(g))
}

/// The score fields of `score.changed` and of a `score_decreased` correction.
fn score_fields((ph, pa): (u32, u32), (nh, na): (u32, u32)) -> Value {
    json!({
        "home_score": nh,
        "away_score": na,
        "previous_home_score": ph,
        "previous_away_score": pa,
        "home_delta": i64::from(nh) - i64::from(ph),
        "away_delta": i64::from(na) - i64::from(pa),
    })
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

/// `plays` holds a play of `pl`'s identity.
fn contains(plays: &[ScoringPlay], pl: &ScoringPlay) -> bool {
    plays.iter().any(|o| identity(o) == identity(pl))
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
