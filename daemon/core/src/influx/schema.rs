//! The InfluxDB schema (pure): which points a stored game, scoring play or event becomes.
//!
//! | measurement | policy | tags | fields | timestamp |
//! |---|---|---|---|---|
//! | `game_state` | live | league, sport, game_id, home, away, season | home_score, away_score, period, clock_seconds, status, clock | observation |
//! | `games` | live | as `game_state` | home_score, away_score, status, winner, home_name, away_name | scheduled start (upserted) |
//! | `scoring_plays` | live | league, game_id, team, kind | sequence, points, scorer, scorer_id, is_first, home_score, away_score, period, clock, description | detection + sequence ns |
//! | `events` | live | league, type, game_id | id, catch_up, payload (JSON) | event time + log seq ns |
//! | `game_results` | aggregates | league, sport, season, home, away | game_id, home_score, away_score, winner, loser, margin, overtime, extra_time, shootout, home_name, away_name | scheduled start |
//!
//! Tags are low-cardinality identifiers only (no clock, player, score or free text). `home`,
//! `away`, `team` and `winner` are team abbreviations. Times are whole milliseconds (what the
//! store keeps) written in nanoseconds; where two points of one series could share a millisecond
//! (several plays or events detected in one poll) the sequence number is added as nanoseconds,
//! so no point overwrites another, and a re-written point (a correction) lands on the same
//! timestamp and replaces the old one.

use super::line::{FieldValue, Point};
use crate::events::Event;
use crate::model::{Game, GameStatus, ScoringPlay};
use chrono::{DateTime, Utc};

/// Which retention policy (v1) or bucket (v2) a point goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Raw data, short retention: `game_state`, `games`, `scoring_plays`, `events`.
    Live,
    /// One point per final game, long retention: `game_results`.
    Aggregates,
}

impl Policy {
    /// Both policies.
    pub const ALL: [Policy; 2] = [Policy::Live, Policy::Aggregates];

    /// Lowercase name, as stored and as the config's `role`.
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Live => "live",
            Policy::Aggregates => "aggregates",
        }
    }

    /// The policy named `s`.
    pub fn parse(s: &str) -> Option<Policy> {
        Policy::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Measurement names.
pub mod measurement {
    /// A game's state at each change.
    pub const GAME_STATE: &str = "game_state";
    /// The latest state of each game, at its scheduled start.
    pub const GAMES: &str = "games";
    /// Scoring plays.
    pub const SCORING_PLAYS: &str = "scoring_plays";
    /// The event log.
    pub const EVENTS: &str = "events";
    /// One point per final game.
    pub const GAME_RESULTS: &str = "game_results";
}

/// Nanoseconds of a millisecond-precision time (the store's precision).
pub fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis().saturating_mul(1_000_000)
}

/// Nanoseconds plus a sub-millisecond offset that keeps points of one series apart.
fn nanos_with(t: DateTime<Utc>, offset: i64) -> i64 {
    nanos(t).saturating_add(offset.rem_euclid(1_000_000))
}

fn game_tags(p: Point, g: &Game) -> Point {
    p.tag("league", &g.league)
        .tag("sport", &g.sport)
        .tag("game_id", &g.id)
        .tag("home", &g.home.abbreviation)
        .tag("away", &g.away.abbreviation)
        .tag("season", g.season.as_deref().unwrap_or(""))
}

/// `game_state`: the game as observed at `observed_at` (written for each timeline row).
pub fn game_state(g: &Game, observed_at: DateTime<Utc>) -> Point {
    game_tags(Point::new(measurement::GAME_STATE, nanos(observed_at)), g)
        .int_opt("home_score", g.home.score.map(i64::from))
        .int_opt("away_score", g.away.score.map(i64::from))
        .int_opt("period", g.period.map(i64::from))
        .int_opt("clock_seconds", g.clock_seconds.map(i64::from))
        .field("status", FieldValue::Str(g.status.as_str().to_string()))
        .str_opt("clock", g.clock.as_deref())
}

/// `home`, `away` or `tie` for a final game with both scores; none otherwise.
pub fn winner_side(g: &Game) -> Option<&'static str> {
    if g.status != GameStatus::Final {
        return None;
    }
    let (h, a) = (g.home.score?, g.away.score?);
    Some(match h.cmp(&a) {
        std::cmp::Ordering::Greater => "home",
        std::cmp::Ordering::Less => "away",
        std::cmp::Ordering::Equal => "tie",
    })
}

/// `games`: the latest state of a game, at its scheduled start (`observed_at` when unknown).
pub fn games(g: &Game, observed_at: DateTime<Utc>) -> Point {
    let at = g.start_time.unwrap_or(observed_at);
    let winner = match winner_side(g) {
        Some("home") => Some(g.home.abbreviation.as_str()),
        Some("away") => Some(g.away.abbreviation.as_str()),
        Some(_) => Some("tie"),
        None => None,
    };
    game_tags(Point::new(measurement::GAMES, nanos(at)), g)
        .int_opt("home_score", g.home.score.map(i64::from))
        .int_opt("away_score", g.away.score.map(i64::from))
        .field("status", FieldValue::Str(g.status.as_str().to_string()))
        .str_opt("winner", winner)
        .field("home_name", FieldValue::Str(g.home.name.clone()))
        .field("away_name", FieldValue::Str(g.away.name.clone()))
}

/// `game_results`: one point per final game with both scores; none for any other game.
pub fn game_result(g: &Game, observed_at: DateTime<Utc>) -> Option<Point> {
    let side = winner_side(g)?;
    let (h, a) = (i64::from(g.home.score?), i64::from(g.away.score?));
    let (winner, loser) = match side {
        "home" => (g.home.abbreviation.as_str(), g.away.abbreviation.as_str()),
        "away" => (g.away.abbreviation.as_str(), g.home.abbreviation.as_str()),
        _ => ("tie", "tie"),
    };
    let at = g.start_time.unwrap_or(observed_at);
    Some(
        Point::new(measurement::GAME_RESULTS, nanos(at))
            .tag("league", &g.league)
            .tag("sport", &g.sport)
            .tag("season", g.season.as_deref().unwrap_or(""))
            .tag("home", &g.home.abbreviation)
            .tag("away", &g.away.abbreviation)
            .field("game_id", FieldValue::Str(g.id.clone()))
            .field("home_score", FieldValue::Int(h))
            .field("away_score", FieldValue::Int(a))
            .field("winner", FieldValue::Str(winner.to_string()))
            .field("loser", FieldValue::Str(loser.to_string()))
            .field("margin", FieldValue::Int((h - a).abs()))
            .field("overtime", FieldValue::Bool(g.overtime))
            .field("extra_time", FieldValue::Bool(g.extra_time))
            .field("shootout", FieldValue::Bool(g.shootout))
            .field("home_name", FieldValue::Str(g.home.name.clone()))
            .field("away_name", FieldValue::Str(g.away.name.clone())),
    )
}

/// `scoring_plays`: a play of game `league`/`game_id`, first detected at `first_seen_at`.
pub fn scoring_play(
    league: &str,
    game_id: &str,
    p: &ScoringPlay,
    is_first: bool,
    first_seen_at: DateTime<Utc>,
) -> Point {
    Point::new(
        measurement::SCORING_PLAYS,
        nanos_with(first_seen_at, i64::from(p.sequence)),
    )
    .tag("league", league)
    .tag("game_id", game_id)
    .tag("team", &p.team)
    .tag("kind", &p.kind)
    .field("sequence", FieldValue::Int(i64::from(p.sequence)))
    .field("points", FieldValue::Int(i64::from(p.points)))
    .str_opt("scorer", p.scorer_name.as_deref())
    .str_opt("scorer_id", p.scorer_id.as_deref())
    .field("is_first", FieldValue::Bool(is_first))
    .field("home_score", FieldValue::Int(i64::from(p.home_score)))
    .field("away_score", FieldValue::Int(i64::from(p.away_score)))
    .int_opt("period", p.period.map(i64::from))
    .str_opt("clock", p.clock.as_deref())
    .field("description", FieldValue::Str(p.description.clone()))
}

/// `events`: one logged event at log position `seq`.
pub fn event(e: &Event, seq: i64) -> Point {
    let payload = e.data.to_string();
    Point::new(measurement::EVENTS, nanos_with(e.time, seq))
        .tag("league", &e.league)
        .tag("type", e.kind.as_str())
        .tag("game_id", &e.game_id)
        .field("id", FieldValue::Str(e.id.clone()))
        .field("catch_up", FieldValue::Bool(e.catch_up))
        .field("payload", FieldValue::Str(payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::influx::line::encode;
    use crate::model::Competitor;
    use chrono::TimeZone;

    fn game(status: GameStatus, home: Option<u32>, away: Option<u32>) -> Game {
        Game {
            period: Some(4),
            clock: Some("2:00".into()),
            clock_seconds: Some(120),
            start_time: Some(Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()),
            season: Some("2026".into()),
            week: Some(12),
            overtime: true,
            ..Game::new(
                "401547417",
                "nfl",
                "football",
                status,
                Competitor {
                    id: "1".into(),
                    abbreviation: "KC".into(),
                    name: "Kansas City Chiefs".into(),
                    score: home,
                },
                Competitor {
                    id: "2".into(),
                    abbreviation: "BUF".into(),
                    name: "Buffalo Bills".into(),
                    score: away,
                },
            )
        }
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 21, 5, 0).unwrap()
    }

    #[test]
    fn game_state_line() {
        let g = game(GameStatus::Live, Some(24), Some(27));
        assert_eq!(
            encode(&game_state(&g, at())).unwrap(),
            "game_state,away=BUF,game_id=401547417,home=KC,league=nfl,season=2026,sport=football \
             home_score=24i,away_score=27i,period=4i,clock_seconds=120i,status=\"live\",clock=\"2:00\" \
             1795381500000000000"
        );
    }

    #[test]
    fn games_line_is_at_the_start_and_names_the_winner() {
        let g = game(GameStatus::Final, Some(30), Some(27));
        assert_eq!(
            encode(&games(&g, at())).unwrap(),
            "games,away=BUF,game_id=401547417,home=KC,league=nfl,season=2026,sport=football \
             home_score=30i,away_score=27i,status=\"final\",winner=\"KC\",\
             home_name=\"Kansas City Chiefs\",away_name=\"Buffalo Bills\" 1795370400000000000"
        );
    }

    #[test]
    fn game_result_only_for_final_games() {
        assert_eq!(
            game_result(&game(GameStatus::Live, Some(1), Some(0)), at()),
            None
        );
        assert_eq!(
            game_result(&game(GameStatus::Final, None, Some(0)), at()),
            None
        );
        let r = game_result(&game(GameStatus::Final, Some(27), Some(30)), at()).unwrap();
        assert_eq!(
            encode(&r).unwrap(),
            "game_results,away=BUF,home=KC,league=nfl,season=2026,sport=football \
             game_id=\"401547417\",home_score=27i,away_score=30i,winner=\"BUF\",loser=\"KC\",\
             margin=3i,overtime=true,extra_time=false,shootout=false,\
             home_name=\"Kansas City Chiefs\",away_name=\"Buffalo Bills\" 1795370400000000000"
        );
        let tie = game_result(&game(GameStatus::Final, Some(3), Some(3)), at()).unwrap();
        assert!(
            encode(&tie)
                .unwrap()
                .contains("winner=\"tie\",loser=\"tie\",margin=0i")
        );
    }

    #[test]
    fn scoring_play_line_keeps_players_out_of_tags() {
        let p = ScoringPlay {
            sequence: 3,
            period: Some(2),
            clock: Some("4:12".into()),
            team: "KC".into(),
            scorer_id: Some("3139477".into()),
            scorer_name: Some("Patrick Mahomes".into()),
            assists: vec![],
            kind: "touchdown".into(),
            points: 7,
            home_score: 14,
            away_score: 10,
            description: "Mahomes 5 yd run, Butker kick".into(),
            details: Default::default(),
        };
        assert_eq!(
            encode(&scoring_play("nfl", "401547417", &p, false, at())).unwrap(),
            "scoring_plays,game_id=401547417,kind=touchdown,league=nfl,team=KC \
             sequence=3i,points=7i,scorer=\"Patrick Mahomes\",scorer_id=\"3139477\",\
             is_first=false,home_score=14i,away_score=10i,period=2i,clock=\"4:12\",\
             description=\"Mahomes 5 yd run, Butker kick\" 1795381500000000003"
        );
    }
}
