//! `scoreline monitor upcoming`, pure: from a league's stored games and schedule rows, the games
//! that start in a window, each with the cadence phase it puts its league in now and when polling
//! steps up for it (the start of its pre-game window). Adapter-reported games come first-hand;
//! an ingested game is listed only while no reported game matches it (see
//! [`ingest::Fixture::same_game`]). Time and rows come in, rows to print go out.

use crate::cadence::{self, Cadence, GameView, Phase};
use crate::ingest::{self, Fixture};
use crate::model::{Game, GameStatus};
use crate::model::{GameKey, ScheduledGame, TeamRef};
use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeSet;

/// One game starting in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpcomingGame {
    /// Game id (the adapter's, or `ingest-...`).
    pub game_id: String,
    /// Adapter of the game key.
    pub adapter: String,
    /// Who reported it: the adapter's name, or `ingest` for a schedule file.
    pub source: String,
    /// Scheduled start, UTC.
    pub start: DateTime<Utc>,
    /// Scheduled start in the league's zone, `YYYY-MM-DD HH:MM ZONE`.
    pub local_start: String,
    /// Home team.
    pub home: TeamRef,
    /// Away team.
    pub away: TeamRef,
    /// Status last stored.
    pub status: GameStatus,
    /// The phase this game puts its league in now.
    pub phase: Phase,
    /// When its pre-game window opens and polling steps up; none for a game that will not be
    /// played (postponed, cancelled) or is already under way.
    pub steps_up_at: Option<DateTime<Utc>>,
}

/// One league's upcoming games, in start order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeagueUpcoming {
    /// League key.
    pub league: String,
    /// IANA zone of its sports day.
    pub timezone: String,
    /// How long before a start polling steps up, seconds.
    pub pregame_window_secs: i64,
    /// The games.
    pub games: Vec<UpcomingGame>,
}

/// What the view needs to know of a league.
#[derive(Debug, Clone, Copy)]
pub struct LeagueView<'a> {
    /// League key.
    pub league: &'a str,
    /// Zone of its sports day.
    pub timezone: Tz,
    /// Its pre-game window.
    pub pregame_window: Duration,
}

/// The games of `view.league` starting in `[now, until)`: reported `snapshots`, adapter `schedule`
/// rows without a snapshot, and ingested schedule rows no reported game matches.
pub fn league_upcoming(
    view: LeagueView<'_>,
    snapshots: &[(GameKey, Game)],
    schedule: &[ScheduledGame],
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> LeagueUpcoming {
    let in_window = |t: DateTime<Utc>| t >= now && t < until;
    let mut games = Vec::new();
    for (key, g) in snapshots {
        if let Some(start) = g.start_time.filter(|t| in_window(*t)) {
            let side = |c: &crate::model::Competitor| TeamRef {
                id: c.id.clone(),
                abbreviation: c.abbreviation.clone(),
                name: c.name.clone(),
            };
            games.push(entry(
                view,
                key,
                key.adapter.clone(),
                start,
                side(&g.home),
                side(&g.away),
                g.status,
                now,
            ));
        }
    }
    let reported_keys: BTreeSet<&GameKey> = snapshots.iter().map(|(k, _)| k).collect();
    let (ingested, adapter_rows): (Vec<&ScheduledGame>, Vec<&ScheduledGame>) =
        schedule.iter().partition(|s| s.source == ingest::SOURCE);
    for s in &adapter_rows {
        if !reported_keys.contains(&s.key) && in_window(s.start_time) {
            games.push(scheduled_entry(view, s, now));
        }
    }
    let reported: Vec<Fixture<'_>> = snapshots
        .iter()
        .map(|(_, g)| Fixture::of_game(g))
        .chain(adapter_rows.iter().map(|s| Fixture::of_scheduled(s)))
        .collect();
    for s in ingested {
        let f = Fixture::of_scheduled(s);
        if in_window(s.start_time) && !reported.iter().any(|r| f.same_game(r)) {
            games.push(scheduled_entry(view, s, now));
        }
    }
    games.sort_by(|a, b| (a.start, &a.game_id).cmp(&(b.start, &b.game_id)));
    LeagueUpcoming {
        league: view.league.to_owned(),
        timezone: view.timezone.name().to_owned(),
        pregame_window_secs: view.pregame_window.num_seconds(),
        games,
    }
}

fn scheduled_entry(view: LeagueView<'_>, s: &ScheduledGame, now: DateTime<Utc>) -> UpcomingGame {
    entry(
        view,
        &s.key,
        s.source.clone(),
        s.start_time,
        s.home.clone(),
        s.away.clone(),
        s.status,
        now,
    )
}

#[allow(clippy::too_many_arguments)]
fn entry(
    view: LeagueView<'_>,
    key: &GameKey,
    source: String,
    start: DateTime<Utc>,
    home: TeamRef,
    away: TeamRef,
    status: GameStatus,
    now: DateTime<Utc>,
) -> UpcomingGame {
    // Only the window matters for the phase; the intervals do not change it.
    let c = Cadence {
        idle: Duration::hours(1),
        pregame: Duration::minutes(1),
        live: Duration::seconds(10),
        settle: Duration::hours(4),
        pregame_window: view.pregame_window,
    };
    let game = GameView {
        id: key.game_id.clone(),
        status,
        start: Some(start),
        settled: false,
    };
    let phase = cadence::plan(&[game], now, view.timezone, &c).phase;
    let steps_up_at = matches!(status, GameStatus::Scheduled | GameStatus::Pregame)
        .then(|| start - view.pregame_window);
    UpcomingGame {
        game_id: key.game_id.clone(),
        adapter: key.adapter.clone(),
        source,
        start,
        local_start: start
            .with_timezone(&view.timezone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string(),
        home,
        away,
        status,
        phase,
        steps_up_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::IngestedGame;
    use chrono::TimeZone;

    fn team(id: &str, abbreviation: &str) -> TeamRef {
        TeamRef {
            id: id.into(),
            abbreviation: abbreviation.into(),
            name: format!("Team {abbreviation}"),
        }
    }

    fn game(id: &str, home: TeamRef, away: TeamRef, start: DateTime<Utc>) -> Game {
        IngestedGame {
            id: id.into(),
            at: ingest::RowRef::Line(2),
            start,
            home,
            away,
            venue: None,
        }
        .to_game("nhl")
    }

    fn row(id: &str, source: &str, g: &Game) -> ScheduledGame {
        ScheduledGame {
            key: GameKey::new("nhl", "espn", id),
            start_time: g.start_time.unwrap(),
            home: team(&g.home.id, &g.home.abbreviation),
            away: team(&g.away.id, &g.away.abbreviation),
            status: g.status,
            source: source.into(),
            updated_at: g.start_time.unwrap(),
        }
    }

    #[test]
    fn reported_and_unmatched_ingested_games_in_start_order_with_their_phase() {
        let now = Utc.with_ymd_and_hms(2026, 1, 10, 23, 0, 0).unwrap(); // 18:00 Eastern
        let h = |hours: i64| now + Duration::hours(hours);
        let (mtl, tor, bos, nyr) = (
            team("10", "MTL"),
            team("21", "TOR"),
            team("1", "BOS"),
            team("13", "NYR"),
        );
        // Reported by the adapter, starting in 20 minutes: pre-game already.
        let soon = game("401", mtl.clone(), tor.clone(), now + Duration::minutes(20));
        // Ingested, starting in 3 h; the adapter has not reported it.
        let ingested = game("ingest-20260110-1-13", nyr.clone(), bos.clone(), h(3));
        // Ingested too, but the adapter reported it (1 h off): listed once, as reported.
        let dup_ingested = game(
            "ingest-20260110-21-10",
            mtl.clone(),
            tor.clone(),
            now + Duration::minutes(80),
        );
        // An adapter schedule row with no snapshot, tomorrow; and one past the window.
        let sched_only = game("402", tor.clone(), bos.clone(), h(28));
        let too_late = game("403", bos.clone(), tor.clone(), h(49));
        // Started an hour ago: not upcoming.
        let started = game("400", bos, nyr, h(-1));
        let snapshots = vec![
            (GameKey::new("nhl", "espn", "400"), started),
            (GameKey::new("nhl", "espn", "401"), soon.clone()),
        ];
        let schedule = vec![
            row("401", "espn", &soon),
            row(&ingested.id, ingest::SOURCE, &ingested),
            row(&dup_ingested.id, ingest::SOURCE, &dup_ingested),
            row("402", "espn", &sched_only),
            row("403", "espn", &too_late),
        ];
        let view = LeagueView {
            league: "nhl",
            timezone: chrono_tz::America::New_York,
            pregame_window: Duration::minutes(30),
        };
        let got = league_upcoming(view, &snapshots, &schedule, now, h(48));
        assert_eq!(
            (got.timezone.as_str(), got.pregame_window_secs),
            ("America/New_York", 1800)
        );
        type Row<'a> = (&'a str, &'a str, &'a str, Phase, Option<DateTime<Utc>>);
        let rows: Vec<Row<'_>> = got
            .games
            .iter()
            .map(|g| {
                (
                    g.game_id.as_str(),
                    g.source.as_str(),
                    g.local_start.as_str(),
                    g.phase,
                    g.steps_up_at,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                (
                    "401",
                    "espn",
                    "2026-01-10 18:20 EST",
                    Phase::Pregame,
                    Some(now - Duration::minutes(10))
                ),
                (
                    "ingest-20260110-1-13",
                    "ingest",
                    "2026-01-10 21:00 EST",
                    Phase::Idle,
                    Some(h(3) - Duration::minutes(30))
                ),
                (
                    "402",
                    "espn",
                    "2026-01-11 22:00 EST",
                    Phase::Idle,
                    Some(h(28) - Duration::minutes(30))
                ),
            ]
        );
        assert_eq!(got.games[1].home.abbreviation, "NYR");
    }
}
