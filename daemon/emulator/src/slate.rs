//! The emulator's slate (pure, no I/O): a deterministic day of made-up games around an anchor
//! time, and where each game stands at any instant ([`state_at`]).
//!
//! Layout (with `L` = game length, `S` = stagger, `t0` = anchor truncated to the second):
//! - two games already final at `t0` (kick-off `t0 - 2L`): NFL and `eng.1`;
//! - nine games kicking off at `t0 + 5 s + k·S`, `k = 0..9`: NFL, NBA, NHL, MLB, `eng.1`,
//!   `usa.1`, NBA, NHL, MLB;
//! - one game two hours later (`usa.1`), so a league shows pre-game and idle time.
//!
//! A game lasts exactly `L` wall time from kick-off to final. That time is split into the sport's
//! periods and breaks by fixed weights (football and basketball: quarters of 10, breaks after the
//! 1st and 3rd of 1, halftime 2; hockey: periods of 12, breaks of 2; soccer: halves weighted by
//! their minutes including stoppage time, halftime 8; baseball: half-innings of 6 with a break of
//! 1 between halves). The game clock runs through each period in compressed time: it counts down
//! (`15:00` to `0:00`) except in soccer, where it counts up (`1'` to `45'+2'`, `46'` to `90'+4'`).
//!
//! Scoring events are generated up front from the seed, each with its side, points, scorer (from
//! the team's roster), assists, period, clock, running score and ESPN-style text. Regulation never
//! ends level outside soccer (a late score breaks any tie), so there is no overtime; baseball skips
//! the bottom of the 9th when the home side leads. Score at an instant = sum of the events at or
//! before it, so scores only rise and a final equals the sum of all events.

use super::teams::{self, Club, League, Sport};
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use chrono_tz::America::New_York;
use fastrand::Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// Delay from the anchor to the first staggered kick-off.
pub const FIRST_KICKOFF: Duration = Duration::from_secs(5);
/// Delay from the anchor to the late game's kick-off.
pub const LATE_KICKOFF: Duration = Duration::from_secs(2 * 3600);

/// Home or away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The home side.
    Home,
    /// The away side.
    Away,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::Home => Side::Away,
            Side::Away => Side::Home,
        }
    }

    /// ESPN's `homeAway` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Home => "home",
            Side::Away => "away",
        }
    }
}

/// A half-inning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Half {
    /// The away side bats.
    Top,
    /// The home side bats.
    Bottom,
}

impl Half {
    /// The side at bat.
    pub fn batting(self) -> Side {
        match self {
            Half::Top => Side::Away,
            Half::Bottom => Side::Home,
        }
    }

    /// ESPN's `period.type` on baseball plays.
    pub fn as_str(self) -> &'static str {
        match self {
            Half::Top => "Top",
            Half::Bottom => "Bottom",
        }
    }
}

/// A player on a roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Player {
    /// Upstream athlete id.
    pub id: String,
    /// Display name (`Marcus Hale`).
    pub name: String,
    /// Position abbreviation.
    pub position: &'static str,
}

impl Player {
    /// ESPN's short name (`M. Hale`).
    pub fn short_name(&self) -> String {
        match self.name.split_once(' ') {
            Some((first, last)) => {
                let initial: String = first.chars().take(1).collect();
                format!("{initial}. {last}")
            }
            None => self.name.clone(),
        }
    }
}

/// A team in a game: its club and roster.
#[derive(Debug, Clone)]
pub struct Team {
    /// The club.
    pub club: Club,
    /// Players.
    pub roster: Vec<Player>,
}

impl Team {
    /// `City Nickname`.
    pub fn display_name(&self) -> String {
        teams::display_name(&self.club)
    }

    /// Players at `position`.
    pub fn at(&self, position: &str) -> Vec<&Player> {
        self.roster
            .iter()
            .filter(|p| p.position == position)
            .collect()
    }
}

/// What kind of score an event is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreKind {
    /// Football: touchdown on a run, with the kick (7).
    RushingTouchdown,
    /// Football: touchdown on a pass, with the kick (7).
    PassingTouchdown,
    /// Football: field goal (3).
    FieldGoal,
    /// Football: safety (2).
    Safety,
    /// Basketball: one free throw (1).
    FreeThrow,
    /// Basketball: a two (2).
    TwoPointer,
    /// Basketball: a three (3).
    ThreePointer,
    /// Hockey or soccer: a goal.
    Goal,
    /// Soccer: a headed goal.
    HeaderGoal,
    /// Soccer: a penalty.
    PenaltyGoal,
    /// Soccer: an own goal (the scorer plays for the other side).
    OwnGoal,
    /// Baseball: runs on a single.
    Single,
    /// Baseball: runs on a double.
    Double,
    /// Baseball: runs on a triple.
    Triple,
    /// Baseball: a run on a sacrifice fly.
    SacrificeFly,
    /// Baseball: a home run (1 to 4 runs).
    HomeRun,
}

impl ScoreKind {
    /// The kind Scoreline's model names it (what the ESPN adapter should report).
    pub fn scoreline_kind(self) -> &'static str {
        match self {
            ScoreKind::RushingTouchdown | ScoreKind::PassingTouchdown => "touchdown",
            ScoreKind::FieldGoal => "field-goal",
            ScoreKind::Safety => "safety",
            ScoreKind::FreeThrow => "free-throw",
            ScoreKind::TwoPointer => "two-pointer",
            ScoreKind::ThreePointer => "three-pointer",
            ScoreKind::Goal | ScoreKind::HeaderGoal => "goal",
            ScoreKind::PenaltyGoal => "penalty-goal",
            ScoreKind::OwnGoal => "own-goal",
            ScoreKind::Single | ScoreKind::Double | ScoreKind::Triple | ScoreKind::SacrificeFly => {
                "run"
            }
            ScoreKind::HomeRun => "home-run",
        }
    }

    /// ESPN's `type.text` for the play.
    pub fn type_text(self) -> &'static str {
        match self {
            ScoreKind::RushingTouchdown => "Rushing Touchdown",
            ScoreKind::PassingTouchdown => "Passing Touchdown",
            ScoreKind::FieldGoal => "Field Goal Good",
            ScoreKind::Safety => "Safety",
            ScoreKind::FreeThrow => "Free Throw - 1 of 2",
            ScoreKind::TwoPointer => "Jump Shot",
            ScoreKind::ThreePointer => "Three Point Jumper",
            ScoreKind::Goal => "Goal",
            ScoreKind::HeaderGoal => "Goal - Header",
            ScoreKind::PenaltyGoal => "Penalty - Scored",
            ScoreKind::OwnGoal => "Own Goal",
            ScoreKind::Single => "Single",
            ScoreKind::Double => "Double",
            ScoreKind::Triple => "Triple",
            ScoreKind::SacrificeFly => "Sacrifice Fly",
            ScoreKind::HomeRun => "Home Run",
        }
    }
}

/// A hockey goal's strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Five on five.
    Even,
    /// With the man advantage.
    PowerPlay,
    /// A man down.
    ShortHanded,
}

impl Strength {
    /// ESPN's `strength.text` and `strength.abbreviation`.
    pub fn espn(self) -> (&'static str, &'static str) {
        match self {
            Strength::Even => ("Even Strength", "even-strength"),
            Strength::PowerPlay => ("Power Play", "power-play"),
            Strength::ShortHanded => ("Shorthanded", "short-handed"),
        }
    }
}

/// A game clock reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clock {
    /// Seconds as ESPN's `clock` counts them: remaining in the period, or elapsed in soccer.
    pub seconds: u32,
    /// As displayed (`9:44`, `45'+2'`).
    pub display: String,
}

/// One pre-generated score.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringEvent {
    /// 1-based order in the game.
    pub sequence: u32,
    /// The side credited with the points.
    pub side: Side,
    /// Points added.
    pub points: u32,
    /// Wall time from kick-off.
    pub at: Duration,
    /// Period (quarter, half, period, inning).
    pub period: u32,
    /// Baseball: which half-inning.
    pub half: Option<Half>,
    /// Game clock at the score (none in baseball).
    pub clock: Option<Clock>,
    /// Kind.
    pub kind: ScoreKind,
    /// The player credited (the batter in baseball; for an own goal, the opponent who put it in).
    pub scorer: Player,
    /// Assisting players.
    pub assists: Vec<Player>,
    /// Football: the passer; baseball: the runners who scored.
    pub others: Vec<Player>,
    /// Hockey: strength.
    pub strength: Option<Strength>,
    /// Home score after the event.
    pub home_after: u32,
    /// Away score after the event.
    pub away_after: u32,
    /// ESPN-style play text.
    pub text: String,
    /// ESPN-style short text.
    pub short_text: String,
}

/// A break inside a game.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakKind {
    /// Between quarters or periods.
    EndOfPeriod,
    /// Halftime.
    Halftime,
    /// Baseball: between the top and bottom of an inning.
    MiddleInning,
    /// Baseball: between innings.
    EndInning,
}

/// What happens during a segment of a game's timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Play in `period` (and `half`, in baseball).
    Play {
        /// Period.
        period: u32,
        /// Baseball half.
        half: Option<Half>,
    },
    /// A break after (or, in baseball's middle of an inning, inside) `period`.
    Break {
        /// Period.
        period: u32,
        /// Kind.
        kind: BreakKind,
    },
}

/// A span of a game's timeline, as wall time from kick-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Start (inclusive).
    pub start: Duration,
    /// End (exclusive).
    pub end: Duration,
    /// What happens.
    pub kind: SegmentKind,
}

/// One game of the slate.
#[derive(Debug, Clone)]
pub struct Game {
    /// Upstream event id.
    pub id: String,
    /// League.
    pub league: League,
    /// Kick-off.
    pub start: DateTime<Utc>,
    /// Wall time from kick-off to final.
    pub length: Duration,
    /// Home side.
    pub home: Team,
    /// Away side.
    pub away: Team,
    /// Season year.
    pub season: i32,
    /// Football week.
    pub week: Option<u32>,
    /// Soccer stoppage minutes per half.
    pub stoppage: [u32; 2],
    /// The timeline, in order, covering `0..length`.
    pub segments: Vec<Segment>,
    /// Scoring events in order.
    pub events: Vec<ScoringEvent>,
}

impl Game {
    /// The team on `side`.
    pub fn team(&self, side: Side) -> &Team {
        match side {
            Side::Home => &self.home,
            Side::Away => &self.away,
        }
    }

    /// The side whose team id is `id`.
    pub fn side_of(&self, id: &str) -> Option<Side> {
        if self.home.club.id == id {
            Some(Side::Home)
        } else if self.away.club.id == id {
            Some(Side::Away)
        } else {
            None
        }
    }

    /// Final score (home, away): the sum of every event.
    pub fn final_score(&self) -> (u32, u32) {
        sum(&self.events)
    }

    /// Final moment (kick-off plus length).
    pub fn end(&self) -> DateTime<Utc> {
        shift(self.start, self.length.as_millis())
    }

    /// The instant `offset` after kick-off.
    pub fn at(&self, offset: Duration) -> DateTime<Utc> {
        shift(self.start, offset.as_millis())
    }

    /// `Away Team at Home Team`.
    pub fn name(&self) -> String {
        format!(
            "{} at {}",
            self.away.display_name(),
            self.home.display_name()
        )
    }

    /// `AWY @ HOM`.
    pub fn short_name(&self) -> String {
        format!(
            "{} @ {}",
            self.away.club.abbreviation, self.home.club.abbreviation
        )
    }
}

/// The day's games.
#[derive(Debug, Clone)]
pub struct Slate {
    anchor: DateTime<Utc>,
    games: Vec<Game>,
}

impl Slate {
    /// The anchor time (whole seconds).
    pub fn anchor(&self) -> DateTime<Utc> {
        self.anchor
    }

    /// Every game, in slate order.
    pub fn games(&self) -> &[Game] {
        &self.games
    }

    /// The game with id `id`.
    pub fn game(&self, id: &str) -> Option<&Game> {
        self.games.iter().find(|g| g.id == id)
    }

    /// Generate the slate for `seed` around `anchor`.
    pub fn generate(
        seed: u64,
        anchor: DateTime<Utc>,
        game_length: Duration,
        stagger: Duration,
    ) -> Slate {
        let anchor = whole_second(anchor);
        let length = game_length.max(Duration::from_secs(1));
        let year = anchor.with_timezone(&New_York).year();
        let block = mix(seed, anchor.timestamp().unsigned_abs()) % 5_000_000;
        let mut names = Names::new(seed);
        let mut pairs: BTreeMap<&'static str, Vec<Club>> = BTreeMap::new();
        let mut games = Vec::with_capacity(PLAN.len());
        for (index, (league, slot)) in PLAN.iter().enumerate() {
            let start = match slot {
                Slot::Final => shift(anchor, -2 * length.as_millis() as i128),
                Slot::Staggered(k) => shift(
                    anchor,
                    FIRST_KICKOFF.as_millis() as i128
                        + i128::from(*k) * stagger.as_millis() as i128,
                ),
                Slot::Late => shift(anchor, LATE_KICKOFF.as_millis() as i128),
            };
            let clubs = pairs.entry(league.key).or_insert_with(|| {
                let mut rng = Rng::with_seed(mix(seed, hash_str(league.key)));
                let mut clubs = teams::clubs(league).to_vec();
                rng.shuffle(&mut clubs);
                clubs
            });
            // Two clubs per game, taken in turn; a pool never runs dry with six clubs a league.
            let (Some(home), Some(away)) = (clubs.pop(), clubs.pop()) else {
                continue;
            };
            let home = names.team(home, league.sport);
            let away = names.team(away, league.sport);
            let id = (401_000_000 + block * 16 + index as u64).to_string();
            let week = (league.sport == Sport::Football).then_some(1 + (seed % 18) as u32);
            let mut rng = Rng::with_seed(mix(seed, 1_000 + index as u64));
            games.push(build_game(
                &mut rng,
                GameSpec {
                    id,
                    league: *league,
                    start,
                    length,
                    home,
                    away,
                    season: year,
                    week,
                },
            ));
        }
        Slate { anchor, games }
    }
}

/// Where a game's kick-off sits relative to the anchor.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// `t0 - 2L`: final at the anchor.
    Final,
    /// `t0 + 5 s + k·S`.
    Staggered(u32),
    /// `t0 + 2 h`.
    Late,
}

const PLAN: [(League, Slot); 12] = [
    (teams::NFL, Slot::Final),
    (teams::ENG1, Slot::Final),
    (teams::NFL, Slot::Staggered(0)),
    (teams::NBA, Slot::Staggered(1)),
    (teams::NHL, Slot::Staggered(2)),
    (teams::MLB, Slot::Staggered(3)),
    (teams::ENG1, Slot::Staggered(4)),
    (teams::USA1, Slot::Staggered(5)),
    (teams::NBA, Slot::Staggered(6)),
    (teams::NHL, Slot::Staggered(7)),
    (teams::MLB, Slot::Staggered(8)),
    (teams::USA1, Slot::Late),
];

/// Unique player names and ids across the slate.
struct Names {
    rng: Rng,
    used: BTreeSet<String>,
    next_id: u64,
}

impl Names {
    fn new(seed: u64) -> Self {
        Names {
            rng: Rng::with_seed(mix(seed, 77)),
            used: BTreeSet::new(),
            next_id: 4_100_000 + (seed % 1_000) * 1_000,
        }
    }

    fn team(&mut self, club: Club, sport: Sport) -> Team {
        let roster = teams::positions(sport)
            .iter()
            .map(|position| {
                let name = self.fresh_name();
                self.next_id += 1;
                Player {
                    id: self.next_id.to_string(),
                    name,
                    position,
                }
            })
            .collect();
        Team { club, roster }
    }

    fn fresh_name(&mut self) -> String {
        loop {
            let first = pick(&mut self.rng, teams::FIRST_NAMES)
                .copied()
                .unwrap_or("Sam");
            let last = pick(&mut self.rng, teams::LAST_NAMES)
                .copied()
                .unwrap_or("Doe");
            let name = format!("{first} {last}");
            // The pools hold thousands of pairs; a slate needs about a hundred.
            if self.used.insert(name.clone()) || self.used.len() > 4_000 {
                return name;
            }
        }
    }
}

struct GameSpec {
    id: String,
    league: League,
    start: DateTime<Utc>,
    length: Duration,
    home: Team,
    away: Team,
    season: i32,
    week: Option<u32>,
}

/// An event before it is placed on the timeline.
#[derive(Debug, Clone)]
struct Raw {
    /// Index among the game's play segments.
    play: usize,
    /// Position inside that segment, in ten-thousandths.
    frac: u64,
    side: Side,
    points: u32,
    kind: ScoreKind,
    scorer: Player,
    assists: Vec<Player>,
    others: Vec<Player>,
    strength: Option<Strength>,
    /// Yards, feet or a shot-type index, for the text.
    measure: u32,
}

fn build_game(rng: &mut Rng, spec: GameSpec) -> Game {
    let sport = spec.league.sport;
    let stoppage = if sport == Sport::Soccer {
        [rng.u32(1..=4), rng.u32(2..=7)]
    } else {
        [0, 0]
    };
    let (raw, bottom_ninth) = match sport {
        Sport::Football => (football(rng, &spec.home, &spec.away), false),
        Sport::Basketball => (basketball(rng, &spec.home, &spec.away), false),
        Sport::Hockey => (hockey(rng, &spec.home, &spec.away), false),
        Sport::Baseball => baseball(rng, &spec.home, &spec.away),
        Sport::Soccer => (soccer(rng, &spec.home, &spec.away), false),
    };
    let segments = timeline(sport, spec.length, stoppage, bottom_ninth);
    let plays: Vec<&Segment> = segments
        .iter()
        .filter(|s| matches!(s.kind, SegmentKind::Play { .. }))
        .collect();
    let mut placed: Vec<(Duration, Raw)> = raw
        .into_iter()
        .filter_map(|r| {
            let seg = plays.get(r.play)?;
            let len = seg.end.saturating_sub(seg.start).as_millis();
            let at = seg.start + Duration::from_millis((len * u128::from(r.frac) / 10_000) as u64);
            (at < seg.end).then_some((at, r))
        })
        .collect();
    placed.sort_by_key(|(at, _)| *at);

    let mut game = Game {
        id: spec.id,
        league: spec.league,
        start: spec.start,
        length: spec.length,
        home: spec.home,
        away: spec.away,
        season: spec.season,
        week: spec.week,
        stoppage,
        segments,
        events: Vec::new(),
    };
    let (mut home, mut away) = (0u32, 0u32);
    let mut tally: BTreeMap<String, u32> = BTreeMap::new();
    for (at, r) in placed {
        let Some(seg) = segment_at(&game.segments, at) else {
            continue;
        };
        let SegmentKind::Play { period, half } = seg.kind else {
            continue;
        };
        match r.side {
            Side::Home => home += r.points,
            Side::Away => away += r.points,
        }
        let clock = play_clock(sport, seg, at, &game.stoppage);
        let (text, short_text) = describe(&game, &r, (home, away), &mut tally);
        game.events.push(ScoringEvent {
            sequence: u32::try_from(game.events.len() + 1).unwrap_or(u32::MAX),
            side: r.side,
            points: r.points,
            at,
            period,
            half,
            clock,
            kind: r.kind,
            scorer: r.scorer,
            assists: r.assists,
            others: r.others,
            strength: r.strength,
            home_after: home,
            away_after: away,
            text,
            short_text,
        });
    }
    game
}

/// The segments of a game of `sport` lasting `length`.
fn timeline(
    sport: Sport,
    length: Duration,
    stoppage: [u32; 2],
    bottom_ninth: bool,
) -> Vec<Segment> {
    let play = |period, half| SegmentKind::Play { period, half };
    let pause = |period, kind| SegmentKind::Break { period, kind };
    let mut parts: Vec<(SegmentKind, u64)> = Vec::new();
    match sport {
        Sport::Football | Sport::Basketball => {
            for q in 1..=4 {
                parts.push((play(q, None), 10));
                match q {
                    1 | 3 => parts.push((pause(q, BreakKind::EndOfPeriod), 1)),
                    2 => parts.push((pause(q, BreakKind::Halftime), 2)),
                    _ => {}
                }
            }
        }
        Sport::Hockey => {
            for p in 1..=3 {
                parts.push((play(p, None), 12));
                if p < 3 {
                    parts.push((pause(p, BreakKind::EndOfPeriod), 2));
                }
            }
        }
        Sport::Soccer => {
            parts.push((play(1, None), u64::from(45 + stoppage[0])));
            parts.push((pause(1, BreakKind::Halftime), 8));
            parts.push((play(2, None), u64::from(45 + stoppage[1])));
        }
        Sport::Baseball => {
            for inning in 1..=9 {
                parts.push((play(inning, Some(Half::Top)), 6));
                if inning == 9 && !bottom_ninth {
                    break;
                }
                parts.push((pause(inning, BreakKind::MiddleInning), 1));
                parts.push((play(inning, Some(Half::Bottom)), 6));
                if inning < 9 {
                    parts.push((pause(inning, BreakKind::EndInning), 1));
                }
            }
        }
    }
    let total_w: u128 = parts
        .iter()
        .map(|(_, w)| u128::from(*w))
        .sum::<u128>()
        .max(1);
    let total_ms = length.as_millis();
    let mut cum = 0u128;
    parts
        .into_iter()
        .map(|(kind, w)| {
            let start = total_ms * cum / total_w;
            cum += u128::from(w);
            let end = total_ms * cum / total_w;
            Segment {
                start: Duration::from_millis(start as u64),
                end: Duration::from_millis(end as u64),
                kind,
            }
        })
        .collect()
}

fn segment_at(segments: &[Segment], at: Duration) -> Option<&Segment> {
    segments.iter().find(|s| s.start <= at && at < s.end)
}

/// The clock at `at` inside play segment `seg`.
fn play_clock(sport: Sport, seg: &Segment, at: Duration, stoppage: &[u32; 2]) -> Option<Clock> {
    let len = seg.end.saturating_sub(seg.start).as_millis().max(1);
    let into = at.saturating_sub(seg.start).as_millis().min(len);
    let SegmentKind::Play { period, .. } = seg.kind else {
        return None;
    };
    if let Some(period_secs) = sport.period_secs() {
        let gone = (into * u128::from(period_secs) / len) as u32;
        let left = period_secs.saturating_sub(gone);
        return Some(Clock {
            seconds: left,
            display: format!("{}:{:02}", left / 60, left % 60),
        });
    }
    if sport == Sport::Soccer {
        let extra = if period == 1 {
            stoppage[0]
        } else {
            stoppage[1]
        };
        let half_secs = (45 + extra) * 60;
        let gone = (into * u128::from(half_secs) / len) as u32;
        let base = if period == 1 { 0 } else { 45 };
        return Some(Clock {
            seconds: base * 60 + gone,
            display: minute_display(base, gone / 60 + 1),
        });
    }
    None
}

/// A soccer minute: `base + minute`, stoppage past 45 shown as `45'+2'`.
fn minute_display(base: u32, minute: u32) -> String {
    if minute > 45 {
        format!("{}'+{}'", base + 45, minute - 45)
    } else {
        format!("{}'", base + minute)
    }
}

// ---------------------------------------------------------------------------------------------
// Scoring generation, per sport.

fn football(rng: &mut Rng, home: &Team, away: &Team) -> Vec<Raw> {
    let mut out = Vec::new();
    for side in [Side::Home, Side::Away] {
        let team = team_of(side, home, away);
        for _ in 0..rng.u32(2..=6) {
            let play = rng.usize(0..4);
            let frac = rng.u64(100..9_900);
            let roll = rng.u32(0..100);
            let raw = if roll < 60 {
                let passing = rng.bool();
                let (kind, scorer, others) = if passing {
                    let receivers: Vec<&Player> = team
                        .roster
                        .iter()
                        .filter(|p| matches!(p.position, "WR" | "TE"))
                        .collect();
                    let Some(receiver) = pick(rng, &receivers) else {
                        continue;
                    };
                    let qb = team.at("QB").into_iter().cloned().collect();
                    (ScoreKind::PassingTouchdown, (*receiver).clone(), qb)
                } else {
                    let rushers = team.at("RB");
                    let Some(rusher) = pick(rng, &rushers) else {
                        continue;
                    };
                    (ScoreKind::RushingTouchdown, (*rusher).clone(), Vec::new())
                };
                let measure = if passing {
                    rng.u32(3..=65)
                } else {
                    rng.u32(1..=45)
                };
                raw(play, frac, side, 7, kind, scorer, measure).with_others(others)
            } else if roll < 95 {
                let Some(kicker) = team.at("K").first().map(|p| (*p).clone()) else {
                    continue;
                };
                raw(
                    play,
                    frac,
                    side,
                    3,
                    ScoreKind::FieldGoal,
                    kicker,
                    rng.u32(22..=55),
                )
            } else {
                let defenders: Vec<&Player> = team
                    .roster
                    .iter()
                    .filter(|p| matches!(p.position, "LB" | "DE"))
                    .collect();
                let Some(d) = pick(rng, &defenders) else {
                    continue;
                };
                raw(play, frac, side, 2, ScoreKind::Safety, (*d).clone(), 0)
            };
            out.push(raw);
        }
    }
    if level(&out) {
        let side = if rng.bool() { Side::Home } else { Side::Away };
        if let Some(kicker) = team_of(side, home, away).at("K").first() {
            out.push(raw(
                3,
                9_900,
                side,
                3,
                ScoreKind::FieldGoal,
                (*kicker).clone(),
                41,
            ));
        }
    }
    out
}

fn basketball(rng: &mut Rng, home: &Team, away: &Team) -> Vec<Raw> {
    let mut out = Vec::new();
    for side in [Side::Home, Side::Away] {
        let team = team_of(side, home, away);
        for _ in 0..rng.u32(38..=50) {
            let Some(scorer) = pick(rng, &team.roster) else {
                continue;
            };
            let roll = rng.u32(0..100);
            let (kind, points) = if roll < 14 {
                (ScoreKind::FreeThrow, 1)
            } else if roll < 44 {
                (ScoreKind::ThreePointer, 3)
            } else {
                (ScoreKind::TwoPointer, 2)
            };
            let mut r = raw(
                rng.usize(0..4),
                rng.u64(50..9_950),
                side,
                points,
                kind,
                scorer.clone(),
                rng.u32(0..3),
            );
            if kind != ScoreKind::FreeThrow && rng.u32(0..100) < 55 {
                let mates: Vec<&Player> =
                    team.roster.iter().filter(|p| p.id != scorer.id).collect();
                if let Some(a) = pick(rng, &mates) {
                    r.assists.push((*a).clone());
                }
            }
            out.push(r);
        }
    }
    if level(&out) {
        let side = if rng.bool() { Side::Home } else { Side::Away };
        if let Some(p) = team_of(side, home, away).roster.first() {
            out.push(raw(3, 9_900, side, 1, ScoreKind::FreeThrow, p.clone(), 0));
        }
    }
    out
}

fn hockey(rng: &mut Rng, home: &Team, away: &Team) -> Vec<Raw> {
    let mut out = Vec::new();
    for side in [Side::Home, Side::Away] {
        let team = team_of(side, home, away);
        let goals = weighted(rng, &[8, 20, 28, 24, 13, 7]);
        for _ in 0..goals {
            let (play, frac) = (rng.usize(0..3), rng.u64(100..9_900));
            if let Some(r) = hockey_goal(rng, team, side, play, frac) {
                out.push(r);
            }
        }
    }
    if level(&out) {
        let side = if rng.bool() { Side::Home } else { Side::Away };
        if let Some(r) = hockey_goal(rng, team_of(side, home, away), side, 2, 9_900) {
            out.push(r);
        }
    }
    out
}

fn hockey_goal(rng: &mut Rng, team: &Team, side: Side, play: usize, frac: u64) -> Option<Raw> {
    let skaters: Vec<&Player> = team.roster.iter().filter(|p| p.position != "G").collect();
    let weights: Vec<u32> = skaters
        .iter()
        .map(|p| if p.position == "D" { 1 } else { 3 })
        .collect();
    let scorer = (*skaters.get(weighted(rng, &weights))?).clone();
    let mut r = raw(play, frac, side, 1, ScoreKind::Goal, scorer, rng.u32(0..6));
    let assists = weighted(rng, &[10, 30, 60]);
    let mut mates: Vec<&Player> = skaters
        .into_iter()
        .filter(|p| p.id != r.scorer.id)
        .collect();
    rng.shuffle(&mut mates);
    r.assists = mates.into_iter().take(assists).cloned().collect();
    r.strength = Some(match rng.u32(0..100) {
        0..80 => Strength::Even,
        80..95 => Strength::PowerPlay,
        _ => Strength::ShortHanded,
    });
    Some(r)
}

/// Baseball: returns the events and whether the bottom of the 9th is played.
fn baseball(rng: &mut Rng, home: &Team, away: &Team) -> (Vec<Raw>, bool) {
    let mut out = Vec::new();
    for half_index in 0..17usize {
        let side = if half_index % 2 == 0 {
            Side::Away
        } else {
            Side::Home
        };
        let team = team_of(side, home, away);
        if rng.u32(0..100) >= 27 {
            continue;
        }
        let at_bats = if rng.u32(0..100) < 20 { 2 } else { 1 };
        let mut fracs: Vec<u64> = (0..at_bats).map(|_| rng.u64(500..9_500)).collect();
        fracs.sort_unstable();
        for frac in fracs {
            if let Some(r) = at_bat(rng, team, side, half_index, frac, None) {
                out.push(r);
            }
        }
    }
    let (h, a) = raw_sum(&out);
    if h > a {
        return (out, false);
    }
    // Bottom of the 9th: the home side walks off (always when level, sometimes when behind).
    let deficit = a - h;
    let walk_off = deficit == 0 || (deficit < 4 && rng.u32(0..100) < 35);
    if walk_off {
        let runs = if deficit == 0 {
            rng.u32(1..=2)
        } else {
            deficit + 1
        };
        let frac = rng.u64(8_000..9_800);
        if let Some(r) = at_bat(rng, home, Side::Home, 17, frac, Some(runs)) {
            out.push(r);
        }
    }
    (out, true)
}

/// One scoring at-bat; `runs` forces the number of runs.
fn at_bat(
    rng: &mut Rng,
    team: &Team,
    side: Side,
    half_index: usize,
    frac: u64,
    runs: Option<u32>,
) -> Option<Raw> {
    let batters: Vec<&Player> = team.roster.iter().filter(|p| p.position != "SP").collect();
    let batter = (*pick(rng, &batters)?).clone();
    let (kind, runs) = match runs {
        Some(4) => (ScoreKind::HomeRun, 4),
        Some(n) => {
            let kind = [ScoreKind::Single, ScoreKind::Double, ScoreKind::HomeRun]
                .get(rng.usize(0..3))
                .copied()
                .unwrap_or(ScoreKind::Single);
            (kind, n)
        }
        None => match rng.u32(0..100) {
            0..30 => (
                ScoreKind::HomeRun,
                1 + weighted(rng, &[55, 25, 12, 8]) as u32,
            ),
            30..60 => (ScoreKind::Single, 1 + weighted(rng, &[70, 30]) as u32),
            60..85 => (ScoreKind::Double, 1 + weighted(rng, &[55, 30, 15]) as u32),
            85..90 => (ScoreKind::Triple, 1 + weighted(rng, &[50, 35, 15]) as u32),
            _ => (ScoreKind::SacrificeFly, 1),
        },
    };
    // Runners who scored: everyone but a home-run hitter, who scores himself.
    let runner_count = if kind == ScoreKind::HomeRun {
        runs - 1
    } else {
        runs
    };
    let mut mates: Vec<&Player> = batters.into_iter().filter(|p| p.id != batter.id).collect();
    rng.shuffle(&mut mates);
    let runners: Vec<Player> = mates
        .into_iter()
        .take(runner_count as usize)
        .cloned()
        .collect();
    let measure = match kind {
        ScoreKind::HomeRun => rng.u32(355..=460),
        _ => rng.u32(0..7),
    };
    Some(raw(half_index, frac, side, runs, kind, batter, measure).with_others(runners))
}

fn soccer(rng: &mut Rng, home: &Team, away: &Team) -> Vec<Raw> {
    let mut out = Vec::new();
    for side in [Side::Home, Side::Away] {
        let team = team_of(side, home, away);
        let opponents = team_of(side.other(), home, away);
        for _ in 0..weighted(rng, &[25, 35, 25, 10, 5]) {
            let play = rng.usize(0..2);
            let frac = rng.u64(50..9_950);
            let roll = rng.u32(0..100);
            let kind = match roll {
                0..70 => ScoreKind::Goal,
                70..83 => ScoreKind::HeaderGoal,
                83..93 => ScoreKind::PenaltyGoal,
                _ => ScoreKind::OwnGoal,
            };
            let (scorer_team, weights): (&Team, fn(&str) -> u32) = if kind == ScoreKind::OwnGoal {
                (opponents, |pos| match pos {
                    "D" => 4,
                    "M" => 1,
                    _ => 0,
                })
            } else {
                (team, |pos| match pos {
                    "F" => 5,
                    "M" => 3,
                    "D" => 1,
                    _ => 0,
                })
            };
            let w: Vec<u32> = scorer_team
                .roster
                .iter()
                .map(|p| weights(p.position))
                .collect();
            let Some(scorer) = scorer_team.roster.get(weighted(rng, &w)).cloned() else {
                continue;
            };
            let mut r = raw(play, frac, side, 1, kind, scorer, rng.u32(0..4));
            if matches!(kind, ScoreKind::Goal | ScoreKind::HeaderGoal) && rng.u32(0..100) < 60 {
                let mates: Vec<&Player> = team
                    .roster
                    .iter()
                    .filter(|p| p.id != r.scorer.id && p.position != "G")
                    .collect();
                if let Some(a) = pick(rng, &mates) {
                    r.assists.push((*a).clone());
                }
            }
            out.push(r);
        }
    }
    out
}

fn raw(
    play: usize,
    frac: u64,
    side: Side,
    points: u32,
    kind: ScoreKind,
    scorer: Player,
    measure: u32,
) -> Raw {
    Raw {
        play,
        frac,
        side,
        points,
        kind,
        scorer,
        assists: Vec::new(),
        others: Vec::new(),
        strength: None,
        measure,
    }
}

impl Raw {
    fn with_others(mut self, others: Vec<Player>) -> Raw {
        self.others = others;
        self
    }
}

fn team_of<'t>(side: Side, home: &'t Team, away: &'t Team) -> &'t Team {
    match side {
        Side::Home => home,
        Side::Away => away,
    }
}

fn raw_sum(raw: &[Raw]) -> (u32, u32) {
    raw.iter().fold((0, 0), |(h, a), r| match r.side {
        Side::Home => (h + r.points, a),
        Side::Away => (h, a + r.points),
    })
}

fn level(raw: &[Raw]) -> bool {
    let (h, a) = raw_sum(raw);
    h == a
}

// ---------------------------------------------------------------------------------------------
// Play text, in ESPN's phrasing per sport.

const FIELDS: [&str; 7] = [
    "left",
    "left center",
    "center",
    "right center",
    "right",
    "shallow left",
    "deep right",
];
const SHOTS: [&str; 6] = [
    "Wrist Shot",
    "Snap Shot",
    "Slap Shot",
    "Backhand",
    "Tip-In",
    "Deflected",
];

fn describe(
    game: &Game,
    r: &Raw,
    (home, away): (u32, u32),
    tally: &mut BTreeMap<String, u32>,
) -> (String, String) {
    let team = game.team(r.side);
    let s = &r.scorer.name;
    let kicker = team
        .at("K")
        .first()
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let names =
        |players: &[Player]| -> Vec<String> { players.iter().map(|p| p.name.clone()).collect() };
    match r.kind {
        ScoreKind::RushingTouchdown => (
            format!("{s} {} Yd Run ({kicker} Kick)", r.measure),
            format!("{s} {} Yd TD Run", r.measure),
        ),
        ScoreKind::PassingTouchdown => {
            let qb = r.others.first().map(|p| p.name.as_str()).unwrap_or("");
            (
                format!("{s} {} Yd pass from {qb} ({kicker} Kick)", r.measure),
                format!("{s} {} Yd TD Reception", r.measure),
            )
        }
        ScoreKind::FieldGoal => (
            format!("{s} {} Yd Field Goal", r.measure),
            format!("{s} {} Yd FG", r.measure),
        ),
        ScoreKind::Safety => (format!("{s} Safety"), format!("{s} Safety")),
        ScoreKind::FreeThrow => {
            let t = format!("{s} makes free throw 1 of 2");
            (t.clone(), t)
        }
        ScoreKind::TwoPointer | ScoreKind::ThreePointer => {
            let shot = if r.kind == ScoreKind::ThreePointer {
                format!("{}-foot three point jumper", 23 + r.measure * 2)
            } else {
                match r.measure {
                    0 => "driving layup".to_owned(),
                    1 => "two point dunk".to_owned(),
                    _ => "14-foot pullup jump shot".to_owned(),
                }
            };
            let main = format!("{s} makes {shot}");
            let text = match r.assists.first() {
                Some(a) => format!("{main} ({} assists)", a.name),
                None => main.clone(),
            };
            (text, main)
        }
        ScoreKind::Goal if game.league.sport == Sport::Hockey => {
            let goals = bump(tally, &format!("g{}", r.scorer.id));
            let shot = SHOTS
                .get(r.measure as usize)
                .copied()
                .unwrap_or("Wrist Shot");
            let assists: Vec<String> = r
                .assists
                .iter()
                .map(|a| format!("{} ({})", a.name, bump(tally, &format!("a{}", a.id))))
                .collect();
            let tail = if assists.is_empty() {
                "Unassisted".to_owned()
            } else {
                format!("assists: {}", assists.join(", "))
            };
            (
                format!("{s} Goal ({goals}) {shot}, {tail}"),
                format!("{s} Goal ({goals})"),
            )
        }
        ScoreKind::Goal | ScoreKind::HeaderGoal | ScoreKind::PenaltyGoal | ScoreKind::OwnGoal => {
            let score = format!(
                "{} {home}, {} {away}.",
                game.home.display_name(),
                game.away.display_name()
            );
            let own = team.display_name();
            let corner = [
                "bottom left corner",
                "bottom right corner",
                "top left corner",
                "top right corner",
            ]
            .get(r.measure as usize)
            .copied()
            .unwrap_or("centre of the goal");
            let assisted = match r.assists.first() {
                Some(a) => format!(" Assisted by {}.", a.name),
                None => String::new(),
            };
            let text = match r.kind {
                ScoreKind::HeaderGoal => format!(
                    "Goal! {score} {s} ({own}) header from the centre of the box to the {corner}.{assisted}"
                ),
                ScoreKind::PenaltyGoal => format!(
                    "Goal! {score} {s} ({own}) converts the penalty with a right footed shot to the {corner}."
                ),
                ScoreKind::OwnGoal => format!(
                    "Own Goal by {s}, {}.  {score}",
                    game.team(r.side.other()).display_name()
                ),
                _ => format!(
                    "Goal! {score} {s} ({own}) right footed shot from the centre of the box to the {corner}.{assisted}"
                ),
            };
            let short = if r.kind == ScoreKind::OwnGoal {
                format!("{s} Own Goal")
            } else {
                format!("{s} Goal")
            };
            (text, short)
        }
        ScoreKind::Single
        | ScoreKind::Double
        | ScoreKind::Triple
        | ScoreKind::SacrificeFly
        | ScoreKind::HomeRun => {
            let field = FIELDS.get(r.measure as usize).copied().unwrap_or("center");
            let verb = match r.kind {
                ScoreKind::Single => format!("singled to {field}"),
                ScoreKind::Double => format!("doubled to {field}"),
                ScoreKind::Triple => format!("tripled to {field}"),
                ScoreKind::SacrificeFly => format!("hit a sacrifice fly to {field}"),
                _ => {
                    let to = FIELDS
                        .get((r.measure % 5) as usize)
                        .copied()
                        .unwrap_or("center");
                    format!("homered to {to} ({} feet)", r.measure)
                }
            };
            let scored: Vec<String> = names(&r.others)
                .into_iter()
                .map(|n| format!(", {n} scored"))
                .collect();
            (
                format!("{s} {verb}{}.", scored.concat()),
                format!("{s} {verb}"),
            )
        }
    }
}

fn bump(tally: &mut BTreeMap<String, u32>, key: &str) -> u32 {
    let n = tally.entry(key.to_owned()).or_insert(0);
    *n += 1;
    *n
}

// ---------------------------------------------------------------------------------------------
// State at an instant.

/// ESPN's coarse state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Not started.
    Pre,
    /// Under way (including breaks).
    In,
    /// Over.
    Post,
}

impl Phase {
    /// ESPN's `status.type.state`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::In => "in",
            Phase::Post => "post",
        }
    }
}

/// ESPN's status name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `STATUS_SCHEDULED`.
    Scheduled,
    /// `STATUS_IN_PROGRESS`.
    InProgress,
    /// `STATUS_END_PERIOD`.
    EndPeriod,
    /// `STATUS_HALFTIME`.
    Halftime,
    /// `STATUS_FINAL`.
    Final,
    /// `STATUS_FIRST_HALF` (soccer).
    FirstHalf,
    /// `STATUS_SECOND_HALF` (soccer).
    SecondHalf,
    /// `STATUS_FULL_TIME` (soccer).
    FullTime,
}

impl Status {
    /// `status.type.name`.
    pub fn name(self) -> &'static str {
        match self {
            Status::Scheduled => "STATUS_SCHEDULED",
            Status::InProgress => "STATUS_IN_PROGRESS",
            Status::EndPeriod => "STATUS_END_PERIOD",
            Status::Halftime => "STATUS_HALFTIME",
            Status::Final => "STATUS_FINAL",
            Status::FirstHalf => "STATUS_FIRST_HALF",
            Status::SecondHalf => "STATUS_SECOND_HALF",
            Status::FullTime => "STATUS_FULL_TIME",
        }
    }

    /// `status.type.id`.
    pub fn id(self) -> &'static str {
        match self {
            Status::Scheduled => "1",
            Status::InProgress => "2",
            Status::EndPeriod => "22",
            Status::Halftime => "23",
            Status::Final => "3",
            Status::FirstHalf => "25",
            Status::SecondHalf => "26",
            Status::FullTime => "28",
        }
    }

    /// `status.type.description`.
    pub fn description(self) -> &'static str {
        match self {
            Status::Scheduled => "Scheduled",
            Status::InProgress => "In Progress",
            Status::EndPeriod => "End of Period",
            Status::Halftime => "Halftime",
            Status::Final => "Final",
            Status::FirstHalf => "First Half",
            Status::SecondHalf => "Second Half",
            Status::FullTime => "Full Time",
        }
    }
}

/// Where a game stands at an instant.
#[derive(Debug, Clone, PartialEq)]
pub struct GameState<'g> {
    /// Pre, in or post.
    pub phase: Phase,
    /// ESPN status name.
    pub status: Status,
    /// Current or last period; 0 before kick-off.
    pub period: u32,
    /// Baseball: the half-inning being played or just finished.
    pub half: Option<Half>,
    /// The break being taken, if any.
    pub break_kind: Option<BreakKind>,
    /// The game clock (`0:00` / `0'` when it does not run).
    pub clock: Clock,
    /// `status.type.detail`.
    pub detail: String,
    /// `status.type.shortDetail`.
    pub short_detail: String,
    /// Home score.
    pub home_score: u32,
    /// Away score.
    pub away_score: u32,
    /// Scoring events so far.
    pub events: &'g [ScoringEvent],
    /// Wall time since kick-off (capped at the game length); none before kick-off.
    pub elapsed: Option<Duration>,
}

impl GameState<'_> {
    /// The score of `side`.
    pub fn score(&self, side: Side) -> u32 {
        match side {
            Side::Home => self.home_score,
            Side::Away => self.away_score,
        }
    }

    /// Points of `side` per period started so far (per inning the side has batted in).
    pub fn linescores(&self, game: &Game, side: Side) -> Vec<u32> {
        let Some(elapsed) = self.elapsed else {
            return Vec::new();
        };
        let mut periods: Vec<u32> = Vec::new();
        for seg in &game.segments {
            if seg.start > elapsed {
                break;
            }
            if let SegmentKind::Play { period, half } = seg.kind {
                let batting = half.is_none_or(|h| h.batting() == side);
                if batting && !periods.contains(&period) {
                    periods.push(period);
                }
            }
        }
        periods
            .into_iter()
            .map(|p| {
                self.events
                    .iter()
                    .filter(|e| e.period == p && e.side == side)
                    .map(|e| e.points)
                    .sum()
            })
            .collect()
    }
}

/// Where `game` stands at `now`.
pub fn state_at(game: &Game, now: DateTime<Utc>) -> GameState<'_> {
    let sport = game.league.sport;
    let idle = idle_clock(sport);
    let Ok(elapsed) = (now - game.start).to_std() else {
        let (detail, short_detail) = start_texts(game.start);
        return GameState {
            phase: Phase::Pre,
            status: Status::Scheduled,
            period: 0,
            half: None,
            break_kind: None,
            clock: idle,
            detail,
            short_detail,
            home_score: 0,
            away_score: 0,
            events: &[],
            elapsed: None,
        };
    };
    if elapsed >= game.length {
        let (home_score, away_score) = game.final_score();
        let last = game.segments.iter().rev().find_map(|s| match s.kind {
            SegmentKind::Play { period, half } => Some((period, half)),
            SegmentKind::Break { .. } => None,
        });
        let (period, half) = last.unwrap_or((sport.periods(), None));
        let (status, clock, text) = if sport == Sport::Soccer {
            let clock = Clock {
                seconds: 5400,
                display: format!("90'+{}'", game.stoppage[1]),
            };
            (Status::FullTime, clock, "FT")
        } else {
            (Status::Final, idle, "Final")
        };
        return GameState {
            phase: Phase::Post,
            status,
            period,
            half,
            break_kind: None,
            clock,
            detail: text.to_owned(),
            short_detail: text.to_owned(),
            home_score,
            away_score,
            events: &game.events,
            elapsed: Some(game.length),
        };
    }
    let done = game.events.partition_point(|e| e.at <= elapsed);
    let events = game.events.get(..done).unwrap_or(&[]);
    let (home_score, away_score) = sum(events);
    let mut state = GameState {
        phase: Phase::In,
        status: Status::InProgress,
        period: 1,
        half: None,
        break_kind: None,
        clock: idle.clone(),
        detail: String::new(),
        short_detail: String::new(),
        home_score,
        away_score,
        events,
        elapsed: Some(elapsed),
    };
    let Some(seg) = segment_at(&game.segments, elapsed) else {
        return state;
    };
    match seg.kind {
        SegmentKind::Play { period, half } => {
            state.period = period;
            state.half = half;
            state.clock = play_clock(sport, seg, elapsed, &game.stoppage).unwrap_or(idle);
            match sport {
                Sport::Soccer => {
                    state.status = if period == 1 {
                        Status::FirstHalf
                    } else {
                        Status::SecondHalf
                    };
                    // ESPN's soccer clock counts whole minutes.
                    let minute = state.clock.seconds / 60 + 1;
                    let base = if period == 1 { 0 } else { 45 };
                    state.clock.seconds = (base + (minute - base).min(45)) * 60;
                    state.detail = state.clock.display.clone();
                    state.short_detail = state.clock.display.clone();
                }
                Sport::Baseball => {
                    let (long, short) = match half {
                        Some(Half::Bottom) => ("Bottom", "Bot"),
                        _ => ("Top", "Top"),
                    };
                    state.detail = format!("{long} {}", ordinal(period));
                    state.short_detail = format!("{short} {}", ordinal(period));
                }
                _ => {
                    let c = &state.clock.display;
                    state.detail = format!("{c} - {} {}", ordinal(period), sport.period_word());
                    state.short_detail = format!("{c} - {}", ordinal(period));
                }
            }
        }
        SegmentKind::Break { period, kind } => {
            state.period = period;
            state.break_kind = Some(kind);
            let (status, detail, short) = match kind {
                BreakKind::EndOfPeriod => (
                    Status::EndPeriod,
                    format!("End of {} {}", ordinal(period), sport.period_word()),
                    format!("End of {}", ordinal(period)),
                ),
                BreakKind::Halftime if sport == Sport::Soccer => {
                    state.clock = Clock {
                        seconds: 2700,
                        display: format!("45'+{}'", game.stoppage[0]),
                    };
                    (Status::Halftime, "HT".to_owned(), "HT".to_owned())
                }
                BreakKind::Halftime => (
                    Status::Halftime,
                    "Halftime".to_owned(),
                    "Halftime".to_owned(),
                ),
                BreakKind::MiddleInning => {
                    state.half = Some(Half::Top);
                    (
                        Status::InProgress,
                        format!("Middle {}", ordinal(period)),
                        format!("Mid {}", ordinal(period)),
                    )
                }
                BreakKind::EndInning => {
                    state.half = Some(Half::Bottom);
                    (
                        Status::InProgress,
                        format!("End {}", ordinal(period)),
                        format!("End {}", ordinal(period)),
                    )
                }
            };
            state.status = status;
            state.detail = detail;
            state.short_detail = short;
        }
    }
    state
}

fn idle_clock(sport: Sport) -> Clock {
    Clock {
        seconds: 0,
        display: if sport == Sport::Soccer { "0'" } else { "0:00" }.to_owned(),
    }
}

/// `Sat, September 17th at 10:00 PM EDT` and `9/17 - 10:00 PM EDT`, in US Eastern time.
fn start_texts(start: DateTime<Utc>) -> (String, String) {
    let et = start.with_timezone(&New_York);
    let time = et.format("%-I:%M %p %Z");
    (
        format!(
            "{}, {} {} at {time}",
            et.format("%a"),
            et.format("%B"),
            ordinal(et.day())
        ),
        format!("{}/{} - {time}", et.month(), et.day()),
    )
}

/// `1st`, `2nd`, `3rd`, `4th`, `11th`, `21st`.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// (home, away) points of `events`.
pub fn sum(events: &[ScoringEvent]) -> (u32, u32) {
    events.iter().fold((0, 0), |(h, a), e| match e.side {
        Side::Home => (h + e.points, a),
        Side::Away => (h, a + e.points),
    })
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

fn whole_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

fn shift(t: DateTime<Utc>, ms: impl TryInto<i64>) -> DateTime<Utc> {
    ms.try_into()
        .ok()
        .and_then(TimeDelta::try_milliseconds)
        .and_then(|d| t.checked_add_signed(d))
        .unwrap_or(t)
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> Option<&'a T> {
    if items.is_empty() {
        None
    } else {
        items.get(rng.usize(..items.len()))
    }
}

/// An index drawn with the given weights (0 when they sum to 0).
fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut roll = rng.u32(..total);
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    0
}

/// SplitMix64 of two words: a well-spread seed for a sub-generator.
fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn hash_str(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const LENGTH: Duration = Duration::from_secs(60);
    const STAGGER: Duration = Duration::from_secs(10);

    fn anchor() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()
    }

    fn slate() -> Slate {
        Slate::generate(7, anchor(), LENGTH, STAGGER)
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// The staggered game of `league` kicking off first.
    fn live_game<'s>(slate: &'s Slate, league: &str) -> &'s Game {
        slate
            .games()
            .iter()
            .filter(|g| g.league.key == league && g.start > slate.anchor())
            .min_by_key(|g| g.start)
            .unwrap()
    }

    #[test]
    fn emulator_slate_is_deterministic_for_a_seed() {
        let a = format!("{:?}", slate());
        assert_eq!(a, format!("{:?}", slate()));
        let other = Slate::generate(8, anchor(), LENGTH, STAGGER);
        assert_ne!(a, format!("{other:?}"));
        // Sub-second parts of the anchor do not matter.
        let later = anchor() + TimeDelta::milliseconds(400);
        assert_eq!(
            a,
            format!("{:?}", Slate::generate(7, later, LENGTH, STAGGER))
        );
    }

    #[test]
    fn emulator_slate_layout() {
        let slate = slate();
        let t0 = anchor();
        assert_eq!(slate.games().len(), 12);
        for key in ["nfl", "nba", "nhl", "mlb", "eng.1", "usa.1"] {
            assert!(slate.games().iter().any(|g| g.league.key == key), "{key}");
        }
        let ids: BTreeSet<&str> = slate.games().iter().map(|g| g.id.as_str()).collect();
        assert_eq!(ids.len(), 12, "ids are unique");
        let phase = |g: &Game, t| state_at(g, t).phase;
        let finals: Vec<&Game> = slate
            .games()
            .iter()
            .filter(|g| phase(g, t0) == Phase::Post)
            .collect();
        assert_eq!(finals.len(), 2);
        for g in &finals {
            assert_eq!(g.start, t0 - TimeDelta::seconds(120));
        }
        let mut staggered: Vec<&Game> = slate
            .games()
            .iter()
            .filter(|g| g.start > t0 && g.start < t0 + TimeDelta::hours(1))
            .collect();
        staggered.sort_by_key(|g| g.start);
        assert_eq!(staggered.len(), 9);
        for (k, g) in staggered.iter().enumerate() {
            assert_eq!(
                g.start,
                t0 + TimeDelta::seconds(5 + 10 * k as i64),
                "{}",
                g.id
            );
        }
        // A newcomer sees games go live within a minute.
        let live = slate
            .games()
            .iter()
            .filter(|g| phase(g, t0 + TimeDelta::seconds(60)) == Phase::In)
            .count();
        assert!(live >= 5, "{live} live a minute in");
        let late: Vec<&Game> = slate
            .games()
            .iter()
            .filter(|g| g.start == t0 + TimeDelta::hours(2))
            .collect();
        assert_eq!(late.len(), 1);
        assert_eq!(phase(late[0], t0 + TimeDelta::minutes(10)), Phase::Pre);
        let all_done = t0 + TimeDelta::seconds(5 + 80 + 60);
        for g in &staggered {
            assert_eq!(phase(g, all_done), Phase::Post, "{}", g.id);
        }
    }

    #[test]
    fn emulator_football_walks_through_quarters_and_breaks() {
        let slate = slate();
        let g = live_game(&slate, "nfl");
        let at = |offset: Duration| state_at(g, g.at(offset));
        let before = state_at(g, g.start - TimeDelta::milliseconds(1));
        assert_eq!(
            (before.phase, before.status),
            (Phase::Pre, Status::Scheduled)
        );
        assert_eq!((before.home_score, before.away_score), (0, 0));
        assert_eq!(before.detail, "Sun, November 22nd at 1:00 PM EST");
        assert_eq!(before.short_detail, "11/22 - 1:00 PM EST");

        let kick = at(ms(0));
        assert_eq!(
            (kick.phase, kick.status, kick.period),
            (Phase::In, Status::InProgress, 1)
        );
        assert_eq!(kick.clock.display, "15:00");
        assert_eq!(kick.detail, "15:00 - 1st Quarter");
        assert_eq!(kick.short_detail, "15:00 - 1st");
        // 60 s over 44 weight units: Q1 ends at 10/44, halftime is 21/44..23/44, Q4 starts at 34/44.
        let q1_mid = at(ms(6_818));
        assert_eq!(q1_mid.clock.display, "7:30");
        assert_eq!(at(ms(13_635)).status, Status::InProgress);
        let end_q1 = at(ms(13_636));
        assert_eq!((end_q1.status, end_q1.period), (Status::EndPeriod, 1));
        assert_eq!(end_q1.short_detail, "End of 1st");
        assert_eq!(end_q1.detail, "End of 1st Quarter");
        assert_eq!(
            (at(ms(15_000)).status, at(ms(15_000)).period),
            (Status::InProgress, 2)
        );
        assert_eq!(at(ms(15_000)).clock.display, "15:00");
        let half = at(ms(28_637));
        assert_eq!(
            (half.status, half.period, half.detail.as_str()),
            (Status::Halftime, 2, "Halftime")
        );
        assert_eq!(at(ms(31_364)).period, 3);
        assert_eq!(at(ms(45_000)).status, Status::EndPeriod);
        assert_eq!(
            (at(ms(46_364)).status, at(ms(46_364)).period),
            (Status::InProgress, 4)
        );
        assert_eq!(at(ms(59_999)).status, Status::InProgress);
        let fin = at(LENGTH);
        assert_eq!(
            (fin.phase, fin.status, fin.period),
            (Phase::Post, Status::Final, 4)
        );
        assert_eq!(fin.detail, "Final");
        assert_eq!((fin.home_score, fin.away_score), g.final_score());
    }

    /// The distinct (status, short detail) steps a game goes through, sampled every 5 ms.
    fn walk(g: &Game) -> Vec<Status> {
        let mut out: Vec<Status> = vec![state_at(g, g.start - TimeDelta::seconds(1)).status];
        let mut period = 0;
        let mut t = 0;
        while t <= g.length.as_millis() as u64 + 5 {
            let s = state_at(g, g.at(ms(t)));
            assert!(s.period >= period, "{}: period went back at {t} ms", g.id);
            period = s.period;
            if out.last() != Some(&s.status) {
                out.push(s.status);
            }
            t += 5;
        }
        out
    }

    #[test]
    fn emulator_every_sport_walks_scheduled_live_break_live_final() {
        use Status::*;
        let slate = slate();
        let quarters = vec![
            Scheduled, InProgress, EndPeriod, InProgress, Halftime, InProgress, EndPeriod,
            InProgress, Final,
        ];
        assert_eq!(walk(live_game(&slate, "nfl")), quarters);
        assert_eq!(walk(live_game(&slate, "nba")), quarters);
        assert_eq!(
            walk(live_game(&slate, "nhl")),
            vec![
                Scheduled, InProgress, EndPeriod, InProgress, EndPeriod, InProgress, Final
            ]
        );
        for league in ["eng.1", "usa.1"] {
            assert_eq!(
                walk(live_game(&slate, league)),
                vec![Scheduled, FirstHalf, Halftime, SecondHalf, FullTime]
            );
        }
        assert_eq!(
            walk(live_game(&slate, "mlb")),
            vec![Scheduled, InProgress, Final]
        );
    }

    #[test]
    fn emulator_baseball_halves_and_soccer_minutes() {
        let slate = slate();
        let g = live_game(&slate, "mlb");
        let mut details: Vec<String> = Vec::new();
        for seg in &g.segments {
            let s = state_at(g, g.at(seg.start));
            details.push(s.short_detail.clone());
            assert_eq!(s.phase, Phase::In);
        }
        assert_eq!(
            details.get(..6).unwrap(),
            [
                "Top 1st", "Mid 1st", "Bot 1st", "End 1st", "Top 2nd", "Mid 2nd"
            ]
        );
        assert_eq!(
            details.last().map(String::as_str),
            Some(if g.segments.len() == 35 {
                "Bot 9th"
            } else {
                "Top 9th"
            })
        );

        let g = live_game(&slate, "eng.1");
        let first = g.segments[0];
        let s = state_at(g, g.at(first.start));
        assert_eq!(
            (s.status, s.clock.display.as_str(), s.clock.seconds),
            (Status::FirstHalf, "1'", 60)
        );
        let s = state_at(g, g.at(first.end - ms(1)));
        assert_eq!(s.clock.display, format!("45'+{}'", g.stoppage[0]));
        assert_eq!(s.clock.seconds, 2700);
        let second = g.segments[2];
        let s = state_at(g, g.at(second.start));
        assert_eq!(
            (s.status, s.period, s.clock.display.as_str()),
            (Status::SecondHalf, 2, "46'")
        );
        let s = state_at(g, g.end());
        assert_eq!((s.status, s.detail.as_str()), (Status::FullTime, "FT"));
        assert_eq!(s.clock.display, format!("90'+{}'", g.stoppage[1]));
    }

    #[test]
    fn emulator_scores_rise_and_equal_the_events_so_far() {
        let slate = slate();
        for g in slate.games() {
            let mut last = (0, 0);
            let mut t = 0;
            let mut seen = 0;
            while t <= g.length.as_millis() as u64 {
                let s = state_at(g, g.at(ms(t)));
                let score = (s.home_score, s.away_score);
                assert!(
                    score.0 >= last.0 && score.1 >= last.1,
                    "{}: score fell at {t} ms",
                    g.id
                );
                assert_eq!(score, sum(s.events), "{} at {t} ms", g.id);
                assert!(s.events.len() >= seen);
                seen = s.events.len();
                assert!(s.events.iter().all(|e| e.at <= ms(t)));
                assert!(g.events.get(seen).is_none_or(|e| e.at > ms(t)));
                last = score;
                t += 7;
            }
            let fin = state_at(g, g.end());
            assert_eq!((fin.home_score, fin.away_score), g.final_score());
            assert_eq!(fin.events.len(), g.events.len());
            assert!(last.0 <= fin.home_score && last.1 <= fin.away_score);
        }
    }

    #[test]
    fn emulator_events_are_sport_shaped_and_consistent() {
        let slate = slate();
        for g in slate.games() {
            let sport = g.league.sport;
            let (mut h, mut a) = (0, 0);
            for (i, e) in g.events.iter().enumerate() {
                assert_eq!(e.sequence as usize, i + 1);
                match e.side {
                    Side::Home => h += e.points,
                    Side::Away => a += e.points,
                }
                assert_eq!(
                    (e.home_after, e.away_after),
                    (h, a),
                    "{} #{}",
                    g.id,
                    e.sequence
                );
                let allowed: &[u32] = match sport {
                    Sport::Football => &[2, 3, 7],
                    Sport::Basketball => &[1, 2, 3],
                    Sport::Hockey | Sport::Soccer => &[1],
                    Sport::Baseball => &[1, 2, 3, 4],
                };
                assert!(allowed.contains(&e.points), "{} {:?}", g.id, e);
                // The scorer is on the credited side's roster, except an own goal's.
                let owner = if e.kind == ScoreKind::OwnGoal {
                    e.side.other()
                } else {
                    e.side
                };
                assert!(g.team(owner).roster.contains(&e.scorer), "{} {:?}", g.id, e);
                // The event sits inside a play segment of its period.
                let seg = segment_at(&g.segments, e.at).unwrap();
                assert_eq!(
                    seg.kind,
                    SegmentKind::Play {
                        period: e.period,
                        half: e.half
                    }
                );
                match sport {
                    Sport::Baseball => assert!(e.clock.is_none() && e.half.is_some()),
                    _ => assert!(e.clock.is_some()),
                }
                assert!(!e.text.is_empty());
            }
            let (home, away) = g.final_score();
            if sport != Sport::Soccer {
                assert_ne!(home, away, "{} ends level", g.id);
            }
            if sport == Sport::Baseball && g.segments.len() == 33 {
                assert!(
                    home > away,
                    "{}: bottom of the 9th skipped but home trails",
                    g.id
                );
            }
        }
        let basketball = live_game(&slate, "nba");
        assert!(basketball.events.len() > 60, "basketball scores often");
    }

    #[test]
    fn emulator_timelines_cover_the_game() {
        for seed in 0..20 {
            let slate = Slate::generate(seed, anchor(), Duration::from_secs(1), Duration::ZERO);
            for g in slate.games() {
                assert_eq!(g.segments.first().map(|s| s.start), Some(Duration::ZERO));
                assert_eq!(g.segments.last().map(|s| s.end), Some(g.length));
                for pair in g.segments.windows(2) {
                    assert_eq!(pair[0].end, pair[1].start);
                    assert!(pair[0].start < pair[0].end, "{} seed {seed}", g.id);
                }
            }
        }
    }

    #[test]
    fn emulator_ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 9, 11, 12, 13, 21, 22].map(ordinal).to_vec();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "9th", "11th", "12th", "13th", "21st", "22nd"
            ]
        );
    }
}
