//! The built ESPN component, run in the sandbox on every recorded ESPN payload in
//! `../shared/fixtures/espn/`: real values read from the payloads, and the same answer as the
//! parser compiled natively (whose finer golden checks live in `plugins/espn/tests/`).

use crate::util;
use chrono::{TimeZone, Utc};
use scoreline::sandbox::{Adapter, CallContext};
use scoreline_core::model::GamesResult;
use scoreline_plugin_sdk::Adapter as _;
use std::sync::OnceLock;

fn adapter() -> &'static Adapter {
    static ADAPTER: OnceLock<Adapter> = OnceLock::new();
    ADAPTER.get_or_init(|| util::load(&util::espn()))
}

fn ctx(league: &str) -> CallContext {
    CallContext::new(
        league,
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap(),
    )
}

fn native_ctx(league: &str) -> scoreline_plugin_sdk::CallContext {
    scoreline_plugin_sdk::CallContext::new(league, ctx(league).now.timestamp())
}

/// The league a fixture's file name implies.
fn league_of(name: &str) -> &'static str {
    const KEYS: [(&str, &str); 8] = [
        ("college-football", "college-football"),
        ("nfl", "nfl"),
        ("nba", "nba"),
        ("nhl", "nhl"),
        ("mlb", "mlb"),
        ("soccer-fifa-world", "fifa.world"),
        ("soccer-usa1", "usa.1"),
        ("wnba", "wnba"),
    ];
    let rest = name
        .trim_start_matches("scoreboard-")
        .trim_start_matches("summary-");
    KEYS.iter()
        .find(|(prefix, _)| rest.starts_with(prefix))
        .map(|(_, k)| *k)
        .unwrap_or_else(|| panic!("{name}: no league"))
}

/// Scoreboard facts: file → (league, number of games).
fn board_facts(name: &str) -> Option<(&'static str, usize)> {
    Some(match name {
        "scoreboard-college-football-2022-09-17-mixed-live-halftime.json" => {
            ("college-football", 25)
        }
        "scoreboard-mlb-2022-09-17-mixed-live.json" => ("mlb", 17),
        "scoreboard-mlb-2025-09-02-finals-one-live.json" => ("mlb", 14),
        "scoreboard-nba-2026-03-01-scheduled.json" => ("nba", 11),
        "scoreboard-nfl-2022-wk1-sun-mixed-live.json" => ("nfl", 16),
        "scoreboard-nfl-2025-wk1-all-scheduled.json" => ("nfl", 16),
        "scoreboard-nhl-2022-09-25-preseason-mixed-live.json" => ("nhl", 10),
        "scoreboard-soccer-fifa-world-2026-07-01-scheduled.json" => ("fifa.world", 3),
        "scoreboard-soccer-fifa-world-2026-07-11-live-extra-time.json" => ("fifa.world", 32),
        "scoreboard-soccer-usa1-mls-2022-09-17-mixed-live.json" => ("usa.1", 11),
        _ => return None,
    })
}

/// Summary facts: (league, scoring plays, the first play's team and scorer name).
type SummaryFacts = (&'static str, usize, Option<(&'static str, &'static str)>);

fn summary_facts(name: &str) -> Option<SummaryFacts> {
    Some(match name {
        "summary-nfl-2023-10-29-final.json" => ("nfl", 13, Some(("6", "Jake Ferguson"))),
        "summary-nfl-2025-09-21-pregame.json" => ("nfl", 0, None),
        "summary-college-football-2024-09-14-final.json" => {
            ("college-football", 9, Some(("201", "Jackson Arnold")))
        }
        "summary-college-football-2025-09-27-in-progress.json" => {
            ("college-football", 2, Some(("68", "Latrell Caples")))
        }
        "summary-nba-2024-01-08-final.json" => ("nba", 133, Some(("11", "Myles Turner"))),
        "summary-nhl-2023-11-18-final.json" => ("nhl", 7, Some(("29", "Johnny Gaudreau"))),
        "summary-soccer-fifa-world-2026-group-final.json" => {
            ("fifa.world", 2, Some(("203", "Julián Quiñones")))
        }
        _ => return None,
    })
}

/// The fields both runs must agree on, one line per game. A macro because the component's answer
/// (host model) and the native one (SDK types) are different types with the same field names;
/// `$start` maps a game to its start as Unix seconds.
macro_rules! game_keys {
    ($games:expr, $start:expr) => {
        $games
            .iter()
            .map(|g| {
                format!(
                    "{} {} {}:{:?} {}:{:?} p{:?} {:?} {:?} ot{} et{} so{}",
                    g.id,
                    g.status.as_str(),
                    g.home.abbreviation,
                    g.home.score,
                    g.away.abbreviation,
                    g.away.score,
                    g.period,
                    g.clock,
                    $start(g),
                    g.overtime,
                    g.extra_time,
                    g.shootout
                )
            })
            .collect::<Vec<String>>()
    };
}

/// The same for scoring plays.
macro_rules! play_keys {
    ($plays:expr) => {
        $plays
            .iter()
            .map(|p| {
                format!(
                    "{} {} {:?} {:?} +{} {}-{} {}",
                    p.sequence,
                    p.team,
                    p.scorer_id,
                    p.scorer_name,
                    p.points,
                    p.home_score,
                    p.away_score,
                    p.kind
                )
            })
            .collect::<Vec<String>>()
    };
}

#[test]
fn component_parses_every_recorded_espn_payload() {
    let Some(dir) = util::shared_fixtures("espn") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 17,
        "expected the 17 shared ESPN payloads, found {}",
        names.len()
    );
    for name in &names {
        let body = util::fixture(&dir, name);
        let league = league_of(name);
        if name.starts_with("scoreboard-") {
            let (want_league, count) =
                board_facts(name).unwrap_or_else(|| panic!("{name}: add its facts"));
            assert_eq!(league, want_league, "{name}");
            let r = adapter()
                .parse_scoreboard(&ctx(league), &body)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(r.games.len(), count, "{name}: games");
            for g in &r.games {
                assert_eq!(g.league, league, "{name}");
                assert!(
                    !g.home.id.is_empty() && !g.away.id.is_empty() && g.home.id != g.away.id,
                    "{name} {}",
                    g.id
                );
            }
            let native =
                scoreline_plugin_espn::Espn::parse_scoreboard(&native_ctx(league), &body).unwrap();
            assert_eq!(
                game_keys!(r.games, |g: &scoreline_core::model::Game| g
                    .start_time
                    .map(|t| t.timestamp())),
                game_keys!(native.games, |g: &scoreline_plugin_sdk::Game| g.start_time),
                "{name}: component and native disagree"
            );
        } else {
            let (want_league, count, first) =
                summary_facts(name).unwrap_or_else(|| panic!("{name}: add its facts"));
            assert_eq!(league, want_league, "{name}");
            let d = adapter()
                .parse_game_detail(&ctx(league), "0", &body)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(d.scoring_plays.len(), count, "{name}: scoring plays");
            match (first, d.scoring_plays.first()) {
                (Some((team, scorer)), Some(p)) => {
                    assert_eq!(p.team, team, "{name}: first scoring team");
                    assert_eq!(
                        p.scorer_name.as_deref(),
                        Some(scorer),
                        "{name}: first scorer"
                    );
                    assert_eq!(p.sequence, 1);
                }
                (None, None) => {}
                (want, got) => panic!("{name}: first play {want:?} vs {got:?}"),
            }
            if let Some(last) = d.scoring_plays.last() {
                // The score after the last play is the game's score.
                assert_eq!(
                    (Some(last.home_score), Some(last.away_score)),
                    (d.game.home.score, d.game.away.score),
                    "{name}"
                );
            }
            let native =
                scoreline_plugin_espn::Espn::parse_game_detail(&native_ctx(league), "0", &body)
                    .unwrap()
                    .detail;
            assert_eq!(
                play_keys!(d.scoring_plays),
                play_keys!(native.scoring_plays),
                "{name}: component and native disagree"
            );
            assert_eq!(d.shootout.len(), native.shootout.len(), "{name}");
        }
    }
}

#[test]
fn component_reads_real_games_right() {
    let Some(dir) = util::shared_fixtures("espn") else {
        return;
    };
    let find = |r: &GamesResult, home: &str, away: &str| {
        r.games
            .iter()
            .find(|g| g.home.abbreviation == home && g.away.abbreviation == away)
            .cloned()
            .unwrap_or_else(|| panic!("{home} v {away} not found"))
    };
    let body = util::fixture(&dir, "scoreboard-nhl-2022-09-25-preseason-mixed-live.json");
    let r = adapter().parse_scoreboard(&ctx("nhl"), &body).unwrap();
    let g = find(&r, "PIT", "CBJ");
    assert_eq!(
        (g.home.score, g.away.score, g.period),
        (Some(3), Some(2), Some(4))
    );
    assert_eq!(g.status.as_str(), "final");
    assert!(g.overtime);

    let body = util::fixture(
        &dir,
        "scoreboard-soccer-fifa-world-2026-07-11-live-extra-time.json",
    );
    let r = adapter()
        .parse_scoreboard(&ctx("fifa.world"), &body)
        .unwrap();
    let g = find(&r, "GER", "PAR");
    assert_eq!((g.home.score, g.away.score), (Some(1), Some(1)));
    assert_eq!(g.status.as_str(), "final");
    assert!(g.extra_time && g.shootout);
    assert_eq!(r.games.iter().filter(|g| g.shootout).count(), 4);
    assert_eq!(
        r.games
            .iter()
            .filter(|g| g.status.as_str() == "live")
            .count(),
        1
    );

    let body = util::fixture(&dir, "scoreboard-nfl-2022-wk1-sun-mixed-live.json");
    let r = adapter().parse_scoreboard(&ctx("nfl"), &body).unwrap();
    let g = find(&r, "ATL", "NO");
    assert_eq!(
        (g.home.score, g.away.score, g.clock_seconds),
        (Some(26), Some(24), Some(48))
    );
    let live = r
        .games
        .iter()
        .filter(|g| g.status.as_str() == "live")
        .count();
    assert_eq!(live, 8);

    let body = util::fixture(&dir, "summary-nfl-2023-10-29-final.json");
    let d = adapter()
        .parse_game_detail(&ctx("nfl"), "401547505", &body)
        .unwrap();
    assert_eq!(
        (
            d.game.home.abbreviation.as_str(),
            d.game.away.abbreviation.as_str()
        ),
        ("DAL", "LAR")
    );
    assert_eq!((d.game.home.score, d.game.away.score), (Some(43), Some(20)));
    assert_eq!(d.scoring_plays[0].scorer_id.as_deref(), Some("4242355"));
}
