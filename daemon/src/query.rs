//! `scoreline query {timeline,record}`: the Grafana dashboards' game timeline and season record,
//! from the embedded store (no InfluxDB needed). Building and rendering are pure; [`run`] reads.

use scoreline_core::model::{Game, GameStatus, ScoringPlay};
use scoreline_store::{GameFilter, Store, StoreError, TimelineRow};
use serde::Serialize;
use std::fmt::Write as _;

/// `scoreline query ...`
#[derive(Debug, clap::Subcommand)]
pub enum QueryCommand {
    /// A game's state changes and scoring plays, in time order.
    Timeline {
        /// Upstream game id.
        game_id: String,
        /// League key, when the id is in several leagues.
        #[arg(long)]
        league: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A team's wins, losses and ties over final games (abbreviation, id or name).
    Record {
        /// Team abbreviation, id or full name (case does not count).
        team: String,
        /// Only this season.
        #[arg(long)]
        season: Option<String>,
        /// Only this league.
        #[arg(long)]
        league: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// A query failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No game with that id.
    #[error("no game `{0}` in the store")]
    NoGame(String),
    /// JSON output failed.
    #[error("cannot encode json: {0}")]
    Json(#[from] serde_json::Error),
}

/// A game's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    /// The latest snapshot.
    pub game: Game,
    /// State changes, oldest first.
    pub states: Vec<TimelineRow>,
    /// Scoring plays by sequence.
    pub scoring_plays: Vec<ScoringPlay>,
}

/// One final game from a team's side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultRow {
    /// League.
    pub league: String,
    /// Game id.
    pub game_id: String,
    /// Season, when known.
    pub season: Option<String>,
    /// Scheduled start (RFC 3339), when known.
    pub start_time: Option<String>,
    /// `W`, `L` or `T`.
    pub result: char,
    /// The opponent's abbreviation.
    pub opponent: String,
    /// Home game.
    pub home: bool,
    /// The team's score.
    pub team_score: u32,
    /// The opponent's score.
    pub opponent_score: u32,
    /// Decided in overtime, extra time or a shootout.
    pub overtime: bool,
}

/// A team's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// The team as asked.
    pub team: String,
    /// Season filter.
    pub season: Option<String>,
    /// Wins.
    pub wins: u32,
    /// Losses.
    pub losses: u32,
    /// Ties.
    pub ties: u32,
    /// Points for.
    pub points_for: u64,
    /// Points against.
    pub points_against: u64,
    /// The games, oldest first.
    pub games: Vec<ResultRow>,
}

fn is_team(c: &scoreline_core::model::Competitor, team: &str) -> bool {
    [&c.abbreviation, &c.id, &c.name]
        .iter()
        .any(|v| v.eq_ignore_ascii_case(team))
}

/// `team`'s record over the final games of `games` (with both scores), in `season` if given.
/// Pure.
pub fn record(games: &[Game], team: &str, season: Option<&str>) -> Record {
    let mut rows: Vec<(Option<chrono::DateTime<chrono::Utc>>, ResultRow)> = Vec::new();
    for g in games {
        if g.status != GameStatus::Final || season.is_some_and(|s| g.season.as_deref() != Some(s)) {
            continue;
        }
        let (Some(h), Some(a)) = (g.home.score, g.away.score) else {
            continue;
        };
        let (home, us, them, opp) = if is_team(&g.home, team) {
            (true, h, a, &g.away)
        } else if is_team(&g.away, team) {
            (false, a, h, &g.home)
        } else {
            continue;
        };
        let result = match us.cmp(&them) {
            std::cmp::Ordering::Greater => 'W',
            std::cmp::Ordering::Less => 'L',
            std::cmp::Ordering::Equal => 'T',
        };
        rows.push((
            g.start_time,
            ResultRow {
                league: g.league.clone(),
                game_id: g.id.clone(),
                season: g.season.clone(),
                start_time: g.start_time.map(|t| t.to_rfc3339()),
                result,
                opponent: opp.abbreviation.clone(),
                home,
                team_score: us,
                opponent_score: them,
                overtime: g.overtime || g.extra_time || g.shootout,
            },
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.game_id.cmp(&b.1.game_id)));
    let games: Vec<ResultRow> = rows.into_iter().map(|(_, r)| r).collect();
    let count = |c: char| games.iter().filter(|r| r.result == c).count() as u32;
    Record {
        team: team.to_owned(),
        season: season.map(str::to_owned),
        wins: count('W'),
        losses: count('L'),
        ties: count('T'),
        points_for: games.iter().map(|r| u64::from(r.team_score)).sum(),
        points_against: games.iter().map(|r| u64::from(r.opponent_score)).sum(),
        games,
    }
}

fn score(s: Option<u32>) -> String {
    s.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

/// Text form of a [`Timeline`]: states and plays merged in time order. Pure.
pub fn render_timeline(t: &Timeline) -> String {
    let g = &t.game;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} {} {} - {} {} ({})",
        g.league,
        g.id,
        g.home.abbreviation,
        score(g.home.score),
        score(g.away.score),
        g.away.abbreviation,
        g.status
    );
    for r in &t.states {
        let _ = writeln!(
            s,
            "{}  {:<12} period {:<2} {:<8} {:>3} - {:<3}",
            r.observed_at.to_rfc3339(),
            r.status.as_str(),
            r.period.map_or_else(|| "-".to_owned(), |p| p.to_string()),
            r.clock.as_deref().unwrap_or("-"),
            score(r.home_score),
            score(r.away_score)
        );
    }
    if !t.scoring_plays.is_empty() {
        let _ = writeln!(s, "scoring plays:");
    }
    for p in &t.scoring_plays {
        let _ = writeln!(
            s,
            "  #{:<3} period {:<2} {:<8} {:<5} {:<12} {:>3} - {:<3} {}",
            p.sequence,
            p.period.map_or_else(|| "-".to_owned(), |v| v.to_string()),
            p.clock.as_deref().unwrap_or("-"),
            p.team,
            p.kind,
            p.home_score,
            p.away_score,
            p.scorer_name.as_deref().unwrap_or("-")
        );
    }
    s
}

/// Text form of a [`Record`]. Pure.
pub fn render_record(r: &Record) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}{}: {}-{}-{} (W-L-T), {} for, {} against",
        r.team,
        r.season
            .as_deref()
            .map(|x| format!(" season {x}"))
            .unwrap_or_default(),
        r.wins,
        r.losses,
        r.ties,
        r.points_for,
        r.points_against
    );
    for g in &r.games {
        let _ = writeln!(
            s,
            "{}  {:<8} {:<12} {} {} {:<5} {:>3} - {:<3}{}",
            g.start_time.as_deref().unwrap_or("-"),
            g.league,
            g.game_id,
            g.result,
            if g.home { "vs" } else { "at" },
            g.opponent,
            g.team_score,
            g.opponent_score,
            if g.overtime { " (OT)" } else { "" }
        );
    }
    s
}

/// Run a query against the store and return what to print.
pub fn run(store: &Store, cmd: &QueryCommand) -> Result<String, QueryError> {
    match cmd {
        QueryCommand::Timeline {
            game_id,
            league,
            json,
        } => {
            let stored = store
                .game(game_id, league.as_deref())?
                .ok_or_else(|| QueryError::NoGame(game_id.clone()))?;
            let t = Timeline {
                states: store.timeline(&stored.key)?,
                scoring_plays: store.scoring_plays(&stored.key)?,
                game: stored.game,
            };
            Ok(if *json {
                serde_json::to_string_pretty(&t)? + "\n"
            } else {
                render_timeline(&t)
            })
        }
        QueryCommand::Record {
            team,
            season,
            league,
            json,
        } => {
            let games: Vec<Game> = store
                .games(&GameFilter {
                    league: league.clone(),
                    status: Some(GameStatus::Final),
                    limit: None,
                })?
                .into_iter()
                .map(|g| g.game)
                .collect();
            let r = record(&games, team, season.as_deref());
            Ok(if *json {
                serde_json::to_string_pretty(&r)? + "\n"
            } else {
                render_record(&r)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use scoreline_core::model::Competitor;

    fn game(id: &str, home: (&str, u32), away: (&str, u32), season: &str, day: u32) -> Game {
        let c = |abbr: &str, score: u32| Competitor {
            id: format!("id-{abbr}"),
            abbreviation: abbr.into(),
            name: format!("{abbr} Club"),
            score: Some(score),
        };
        Game {
            status_detail: "Final".into(),
            period: Some(3),
            start_time: chrono::Utc
                .with_ymd_and_hms(2026, 11, day, 0, 0, 0)
                .single(),
            season: Some(season.into()),
            overtime: id == "g3",
            ..Game::new(
                id,
                "nhl",
                "hockey",
                GameStatus::Final,
                c(home.0, home.1),
                c(away.0, away.1),
            )
        }
    }

    #[test]
    fn record_counts_from_the_teams_side() {
        let mut live = game("g5", ("DAL", 1), ("COL", 0), "2026", 5);
        live.status = GameStatus::Live;
        let games = vec![
            game("g2", ("COL", 2), ("DAL", 5), "2026", 2),
            game("g1", ("DAL", 3), ("COL", 1), "2026", 1),
            game("g3", ("DAL", 2), ("STL", 3), "2026", 3),
            game("g4", ("MIN", 4), ("DAL", 4), "2026", 4),
            game("g0", ("DAL", 9), ("STL", 0), "2025", 1),
            live,
        ];
        let r = record(&games, "dal", Some("2026"));
        assert_eq!((r.wins, r.losses, r.ties), (2, 1, 1));
        assert_eq!((r.points_for, r.points_against), (14, 10));
        let order: Vec<(&str, char, bool)> = r
            .games
            .iter()
            .map(|g| (g.game_id.as_str(), g.result, g.home))
            .collect();
        assert_eq!(
            order,
            [
                ("g1", 'W', true),
                ("g2", 'W', false),
                ("g3", 'L', true),
                ("g4", 'T', false)
            ]
        );
        assert!(r.games[2].overtime);
        let all = record(&games, "DAL Club", None);
        assert_eq!((all.wins, all.losses, all.ties), (3, 1, 1));
        assert_eq!(
            render_record(&r).lines().next().unwrap(),
            "dal season 2026: 2-1-1 (W-L-T), 14 for, 10 against"
        );
    }
}
