//! Golden tests of the NHL adapter, run natively: every recorded api-web payload in the shared
//! fixture folder (`recorded`, facts read from the payloads with jq/python), the crate's own
//! hand-made bodies in `testdata/` (`handmade`, checked field by field and against their
//! `.expected.json` goldens; `SCORELINE_BLESS=1` rewrites those), and broken bodies (`broken`).

// Test helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use scoreline_plugin_nhl::Nhl;
use scoreline_plugin_sdk::{
    Adapter, AdapterError, CallContext, DetailResult, Game, GameDetail, GameStatus, GamesResult,
    ScoringPlay,
};
use std::path::{Path, PathBuf};

fn ctx() -> CallContext {
    CallContext::new("nhl", 1_700_000_000)
}

fn testdata(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The shared recorded NHL payloads, or `None` after recording that the running test skips them.
fn recorded_dir() -> Option<PathBuf> {
    scoreline_test_support::shared_fixtures("nhl")
}

fn recorded(name: &str) -> Option<Vec<u8>> {
    let path = recorded_dir()?.join(name);
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display())))
}

fn board(body: &[u8]) -> GamesResult {
    Nhl::parse_schedule(&ctx(), body).unwrap_or_else(|e| panic!("schedule: {e:?}"))
}

fn detail(body: &[u8]) -> GameDetail {
    let DetailResult {
        detail,
        poll_hint_secs,
    } = Nhl::parse_game_detail(&ctx(), "", body).unwrap_or_else(|e| panic!("detail: {e:?}"));
    assert_eq!(poll_hint_secs, None);
    detail
}

fn parse_error<T: std::fmt::Debug>(result: Result<T, AdapterError>) -> String {
    match result {
        Err(AdapterError::Parse(message)) => message,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

fn game<'a>(games: &'a [Game], id: &str) -> &'a Game {
    games
        .iter()
        .find(|g| g.id == id)
        .unwrap_or_else(|| panic!("no game {id}"))
}

fn detail_of<'a>(p: &'a ScoringPlay, key: &str) -> Option<&'a str> {
    p.details
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn assist_ids(p: &ScoringPlay) -> Vec<&str> {
    p.assists.iter().filter_map(|a| a.id.as_deref()).collect()
}

fn assist_names(p: &ScoringPlay) -> Vec<&str> {
    p.assists.iter().map(|a| a.name.as_str()).collect()
}

/// Invariants of every game: ids, two sides, no score or period before the start.
fn game_invariants(g: &Game) {
    assert!(!g.id.is_empty());
    assert_eq!((g.league.as_str(), g.sport.as_str()), ("nhl", "hockey"));
    assert!(!g.home.id.is_empty() && !g.away.id.is_empty(), "{}", g.id);
    assert_ne!(g.home.id, g.away.id, "{}", g.id);
    assert!(
        !g.home.abbreviation.is_empty() && !g.home.name.is_empty(),
        "{}",
        g.id
    );
    assert!(!g.status_detail.is_empty(), "{}", g.id);
    assert!(g.start_time.is_some(), "{}", g.id);
    if matches!(
        g.status,
        GameStatus::Scheduled | GameStatus::Pregame | GameStatus::Postponed
    ) {
        assert_eq!((g.home.score, g.away.score), (None, None), "{}", g.id);
        assert_eq!((g.period, &g.clock), (None, &None), "{}", g.id);
    }
    if g.shootout {
        assert!(g.overtime, "{}: a shootout follows overtime", g.id);
    }
}

/// Invariants of a detail: sequences 1..n, each play credited to a side, running scores never
/// fall, points are the rise, shootout attempts numbered 1..n and credited to a side.
fn detail_invariants(d: &GameDetail) {
    game_invariants(&d.game);
    let (mut h, mut a) = (0, 0);
    for (i, p) in d.scoring_plays.iter().enumerate() {
        assert_eq!(p.sequence as usize, i + 1);
        assert_eq!(p.kind, "goal");
        assert!(
            p.home_score >= h && p.away_score >= a,
            "play {}",
            p.sequence
        );
        let rise = if p.team == d.game.home.id {
            p.home_score - h
        } else if p.team == d.game.away.id {
            p.away_score - a
        } else {
            panic!("play {} credited to unknown team {}", p.sequence, p.team)
        };
        assert_eq!(rise, p.points, "play {} points", p.sequence);
        assert!(p.assists.len() <= 2, "play {}", p.sequence);
        assert!(!p.description.is_empty());
        (h, a) = (p.home_score, p.away_score);
    }
    for (i, s) in d.shootout.iter().enumerate() {
        assert_eq!(s.sequence as usize, i + 1);
        assert!(
            s.team == d.game.home.id || s.team == d.game.away.id,
            "attempt {}",
            s.sequence
        );
    }
    if !d.shootout.is_empty() {
        assert!(d.game.shootout, "attempts without the shootout flag");
    }
}

/// The side that won a shootout by its attempts: (home goals, away goals).
fn shootout_goals(d: &GameDetail) -> (usize, usize) {
    let count = |team: &str| {
        d.shootout
            .iter()
            .filter(|s| s.team == team && s.scored)
            .count()
    };
    (count(&d.game.home.id), count(&d.game.away.id))
}

mod recorded {
    use super::*;

    /// Every recorded file parses, whatever its kind; details keep their invariants.
    #[test]
    fn every_recorded_file_parses() {
        let Some(dir) = recorded_dir() else { return };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no NHL fixtures in {}", dir.display());
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let body = std::fs::read(&path).unwrap();
            if name.starts_with("boxscore") {
                // Box scores (player stat lines) come with contract 0.2.0; the adapter does not
                // call that endpoint yet.
                scoreline_test_support::skip(format!(
                    "{name}: the NHL adapter reads no box scores before contract 0.2.0"
                ));
                continue;
            }
            assert!(
                ["schedule", "landing", "play-by-play"]
                    .iter()
                    .any(|kind| name.starts_with(kind)),
                "{name}: a kind of NHL payload this test does not know: add its checks"
            );
            if name.starts_with("schedule") {
                let games = board(&body).games;
                assert!(!games.is_empty(), "{name}");
                games.iter().for_each(game_invariants);
                // The same body through the scoreboard call gives the same games.
                let again = Nhl::parse_scoreboard(&ctx(), &body).unwrap().games;
                assert_eq!(again, games, "{name}");
            } else {
                let d = detail(&body);
                detail_invariants(&d);
                // A finished or live game's last play is its score (no shootout in these).
                let last = d.scoring_plays.last().expect("goals");
                assert_eq!(
                    (Some(last.home_score), Some(last.away_score)),
                    (d.game.home.score, d.game.away.score),
                    "{name}: last play vs score"
                );
            }
        }
    }

    #[test]
    fn schedule_week_of_2025_10_07() {
        let Some(body) = recorded("schedule-2025-10-07-week-final-and-future.json") else {
            return;
        };
        let games = board(&body).games;
        // gameWeek: 3, 4, 14, 0, 16, 1 and 10 games; 7 finished (OFF), 41 in the future (FUT).
        assert_eq!(games.len(), 48);
        let count = |s: GameStatus| games.iter().filter(|g| g.status == s).count();
        assert_eq!(count(GameStatus::Final), 7);
        assert_eq!(count(GameStatus::Scheduled), 41);
        // Upstream order: the finished games of the first two days come first.
        let order: Vec<&str> = games.iter().take(8).map(|g| g.id.as_str()).collect();
        assert_eq!(
            order,
            [
                "2025020001",
                "2025020002",
                "2025020003",
                "2025020004",
                "2025020005",
                "2025020006",
                "2025020007",
                "2025020008"
            ]
        );
        assert!(games[..7].iter().all(|g| g.status == GameStatus::Final));

        let g = game(&games, "2025020001");
        assert_eq!(
            (
                g.home.id.as_str(),
                g.home.abbreviation.as_str(),
                g.home.name.as_str()
            ),
            ("13", "FLA", "Florida Panthers")
        );
        assert_eq!(
            (
                g.away.id.as_str(),
                g.away.abbreviation.as_str(),
                g.away.name.as_str()
            ),
            ("16", "CHI", "Chicago Blackhawks")
        );
        assert_eq!((g.home.score, g.away.score), (Some(3), Some(2)));
        assert_eq!((g.period, g.overtime, g.shootout), (Some(3), false, false));
        assert_eq!(g.status_detail, "Final");
        assert_eq!(g.start_time, Some(1_759_870_800)); // 2025-10-07T21:00:00Z
        assert_eq!(g.venue.as_deref(), Some("Amerant Bank Arena"));
        assert_eq!(
            (g.season.as_deref(), g.season_type.as_deref()),
            (Some("20252026"), Some("regular"))
        );

        // Two shootouts on 2025-10-08: CGY 4 @ EDM 3 and LAK 6 @ VGK 5 (periodType SO).
        for (id, home, away, hs, aws) in [
            ("2025020006", "EDM", "CGY", 3, 4),
            ("2025020007", "VGK", "LAK", 5, 6),
        ] {
            let g = game(&games, id);
            assert_eq!(
                (g.home.abbreviation.as_str(), g.away.abbreviation.as_str()),
                (home, away)
            );
            assert_eq!((g.home.score, g.away.score), (Some(hs), Some(aws)), "{id}");
            assert_eq!(g.status, GameStatus::Final);
            assert!(g.shootout && g.overtime, "{id}");
            assert_eq!((g.period, g.status_detail.as_str()), (Some(5), "Final/SO"));
        }

        // A future game: periodDescriptor says period 1, but nothing has started.
        let g = game(&games, "2025020048");
        assert_eq!(g.status, GameStatus::Scheduled);
        assert_eq!(
            (g.home.abbreviation.as_str(), g.away.abbreviation.as_str()),
            ("CHI", "UTA")
        );
        assert_eq!((g.home.score, g.period), (None, None));
        assert_eq!(g.start_time, Some(1_760_401_800)); // 2025-10-14T00:30:00Z
        assert_eq!(g.venue.as_deref(), Some("United Center"));
    }

    #[test]
    fn play_by_play_pit_at_min_2025_03_09() {
        let Some(body) = recorded("play-by-play-2024021015-2025-03-09-final.json") else {
            return;
        };
        let d = detail(&body);
        let g = &d.game;
        assert_eq!(g.id, "2024021015");
        assert_eq!(
            (g.status, g.status_detail.as_str()),
            (GameStatus::Final, "Final")
        );
        assert_eq!(
            (g.home.abbreviation.as_str(), g.home.score),
            ("MIN", Some(1))
        );
        assert_eq!(
            (g.away.abbreviation.as_str(), g.away.score),
            ("PIT", Some(3))
        );
        assert_eq!((g.period, g.overtime, g.shootout), (Some(3), false, false));
        assert_eq!(g.start_time, Some(1_741_548_600));
        assert_eq!(g.venue.as_deref(), Some("Xcel Energy Center"));

        // 4 goals (typeDescKey "goal"), no shootout.
        assert_eq!(d.scoring_plays.len(), 4);
        assert!(d.shootout.is_empty());
        let first = &d.scoring_plays[0];
        assert_eq!(
            (first.scorer_id.as_deref(), first.scorer_name.as_deref()),
            (Some("8471215"), Some("Evgeni Malkin"))
        );
        assert_eq!(first.team, "5");
        assert_eq!(
            (first.period, first.clock.as_deref()),
            (Some(2), Some("15:22"))
        );
        assert_eq!(assist_ids(first), ["8471724", "8476891"]);
        assert_eq!(assist_names(first), ["Kris Letang", "Matt Grzelcyk"]);
        // situationCode 1541: five PIT (away) skaters against four: a power-play goal (upstream's
        // highlight calls it "malkin-scores-ppg").
        assert_eq!(detail_of(first, "strength"), Some("power-play"));
        assert_eq!(detail_of(first, "empty_net"), None);
        assert_eq!(
            (first.home_score, first.away_score, first.points),
            (0, 1, 1)
        );

        // Hartman's power-play goal for MIN (1451).
        let third = &d.scoring_plays[2];
        assert_eq!(third.scorer_name.as_deref(), Some("Ryan Hartman"));
        assert_eq!(third.team, "30");
        assert_eq!(detail_of(third, "strength"), Some("power-play"));

        // Crosby's empty-netter at 1560 (MIN goalie pulled): even strength, one assist by the
        // goalie Tristan Jarry; the score after it is the final score.
        let last = &d.scoring_plays[3];
        assert_eq!(
            (last.scorer_id.as_deref(), last.scorer_name.as_deref()),
            (Some("8471675"), Some("Sidney Crosby"))
        );
        assert_eq!(assist_names(last), ["Tristan Jarry"]);
        assert_eq!(detail_of(last, "strength"), Some("even"));
        assert_eq!(detail_of(last, "empty_net"), Some("true"));
        assert_eq!((last.home_score, last.away_score), (1, 3));
    }

    #[test]
    fn play_by_play_fla_at_tbl_playoffs_2025_04_22() {
        let Some(body) = recorded("play-by-play-2024030121-2025-04-22-playoff-final.json") else {
            return;
        };
        let d = detail(&body);
        let g = &d.game;
        assert_eq!(g.season_type.as_deref(), Some("postseason"));
        assert_eq!(
            (g.home.abbreviation.as_str(), g.home.score),
            ("TBL", Some(2))
        );
        assert_eq!(
            (g.away.abbreviation.as_str(), g.away.score),
            ("FLA", Some(6))
        );
        assert_eq!(d.scoring_plays.len(), 8);
        let teams: Vec<&str> = d.scoring_plays.iter().map(|p| p.team.as_str()).collect();
        assert_eq!(teams, ["13", "14", "13", "13", "13", "13", "14", "13"]);

        let first = &d.scoring_plays[0];
        assert_eq!(
            (first.scorer_id.as_deref(), first.scorer_name.as_deref()),
            (Some("8477935"), Some("Sam Bennett"))
        );
        assert_eq!(assist_names(first), ["Mackie Samoskevich"]);
        assert_eq!(
            (first.period, first.clock.as_deref()),
            (Some(1), Some("03:44"))
        );
        assert_eq!(detail_of(first, "strength"), Some("even"));

        // Guentzel (TBL, home) at 1451: power play; Tkachuk's second goal is unassisted.
        assert_eq!(
            d.scoring_plays[1].scorer_name.as_deref(),
            Some("Jake Guentzel")
        );
        assert_eq!(assist_ids(&d.scoring_plays[1]), ["8476453", "8475167"]);
        assert_eq!(
            detail_of(&d.scoring_plays[1], "strength"),
            Some("power-play")
        );
        let tkachuk = &d.scoring_plays[5];
        assert_eq!(tkachuk.scorer_name.as_deref(), Some("Matthew Tkachuk"));
        assert!(tkachuk.assists.is_empty());
        assert!(
            tkachuk.description.contains("unassisted"),
            "{}",
            tkachuk.description
        );

        let last = d.scoring_plays.last().unwrap();
        assert_eq!(last.scorer_name.as_deref(), Some("Nate Schmidt"));
        assert_eq!((last.home_score, last.away_score), (2, 6));
    }

    #[test]
    fn landing_wsh_at_njd_live_2023_11_10() {
        let Some(body) = recorded("landing-2023020206-2023-11-10-crit-live.json") else {
            return;
        };
        let d = detail(&body);
        let g = &d.game;
        // gameState CRIT, period 3, clock 01:02 (62 s).
        assert_eq!(g.status, GameStatus::Live);
        assert_eq!(
            (g.period, g.clock.as_deref(), g.clock_seconds),
            (Some(3), Some("01:02"), Some(62))
        );
        assert_eq!(g.status_detail, "3rd 01:02");
        assert_eq!(
            (g.home.abbreviation.as_str(), g.home.score),
            ("NJD", Some(2))
        );
        assert_eq!(
            (g.away.abbreviation.as_str(), g.away.score),
            ("WSH", Some(4))
        );
        assert_eq!(g.home.name, "New Jersey Devils");

        // summary.scoring: 2 + 1 + 3 goals.
        assert_eq!(d.scoring_plays.len(), 6);
        let first = &d.scoring_plays[0];
        assert_eq!(
            (first.scorer_id.as_deref(), first.scorer_name.as_deref()),
            (Some("8477979"), Some("Nicolas Aube-Kubel"))
        );
        assert_eq!(first.team, "15");
        assert_eq!(assist_ids(first), ["8480873", "8477947"]);
        assert_eq!(assist_names(first), ["Rasmus Sandin", "Sonny Milano"]);
        // Meier's goal for NJD (isHome), the first home goal.
        let meier = &d.scoring_plays[3];
        assert_eq!(
            (meier.team.as_str(), meier.scorer_name.as_deref()),
            ("1", Some("Timo Meier"))
        );
        assert_eq!((meier.home_score, meier.away_score), (1, 3));
        // Kuznetsov's empty-netter: situation 1560, upstream strength "ev", goalModifier empty-net.
        let last = &d.scoring_plays[5];
        assert_eq!(last.scorer_name.as_deref(), Some("Evgeny Kuznetsov"));
        assert_eq!(detail_of(last, "strength"), Some("even"));
        assert_eq!(detail_of(last, "empty_net"), Some("true"));
        assert_eq!((last.home_score, last.away_score), (2, 4));
        assert!(d.shootout.is_empty());
    }
}

mod handmade {
    use super::*;

    /// Compare a result with its golden file (`SCORELINE_BLESS=1` rewrites it).
    fn golden(name: &str, value: &impl serde::Serialize) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata")
            .join(name.replace(".json", ".expected.json"));
        let actual = serde_json::to_string_pretty(value).unwrap() + "\n";
        if std::env::var_os("SCORELINE_BLESS").is_some() {
            std::fs::write(&path, &actual).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with SCORELINE_BLESS=1)", path.display()));
        assert!(
            expected == actual,
            "{} differs from the parse; run with SCORELINE_BLESS=1 and review the diff",
            path.display()
        );
    }

    #[test]
    fn score_endpoint() {
        // Hand-made in the shape of `score/{date}`: top-level games[], a gameWeek of counts only,
        // `period` beside `periodDescriptor`, team `name.default` holding the common name.
        let result = Nhl::parse_scoreboard(&ctx(), &testdata("score-2023-11-10.json")).unwrap();
        golden("score-2023-11-10.json", &result);
        let games = &result.games;
        assert_eq!(games.len(), 8);
        games.iter().for_each(game_invariants);

        let g = game(games, "2023020206");
        assert_eq!(
            (g.status, g.period, g.clock.as_deref()),
            (GameStatus::Live, Some(3), Some("01:02"))
        );
        assert_eq!(
            (g.home.name.as_str(), g.away.name.as_str()),
            ("Devils", "Capitals")
        );
        assert_eq!((g.home.score, g.away.score), (Some(2), Some(4)));

        // In intermission: the running clock is the break's, not the game's.
        let g = game(games, "2023020207");
        assert_eq!(g.status, GameStatus::Intermission);
        assert_eq!(
            (g.period, g.clock.as_deref(), g.clock_seconds),
            (Some(2), None, None)
        );
        assert_eq!(g.status_detail, "2nd Intermission");

        let g = game(games, "2023020208");
        assert_eq!(
            (g.status, g.overtime, g.shootout),
            (GameStatus::Final, true, false)
        );
        assert_eq!((g.status_detail.as_str(), g.period), ("Final/OT", Some(4)));

        let g = game(games, "2023020209");
        assert_eq!(
            (g.overtime, g.shootout, g.status_detail.as_str()),
            (true, true, "Final/SO")
        );

        // Playoffs: period 5 is the second overtime, never a shootout.
        let g = game(games, "2023030111");
        assert_eq!(
            (g.status, g.overtime, g.shootout),
            (GameStatus::Live, true, false)
        );
        assert_eq!(g.status_detail, "2OT 12:00");
        assert_eq!(g.season_type.as_deref(), Some("postseason"));

        // Pregame with upstream's 0-0: no score yet.
        let g = game(games, "2023020210");
        assert_eq!(
            (g.status, g.home.score, g.period),
            (GameStatus::Pregame, None, None)
        );

        let g = game(games, "2023020211");
        assert_eq!(
            (g.status, g.status_detail.as_str()),
            (GameStatus::Postponed, "Postponed")
        );
        assert_eq!(game(games, "2023020212").status, GameStatus::Scheduled);
    }

    #[test]
    fn play_by_play_with_shootout() {
        let body = testdata("play-by-play-shootout.json");
        let result = Nhl::parse_game_detail(&ctx(), "2099020999", &body).unwrap();
        golden("play-by-play-shootout.json", &result);
        let d = &result.detail;
        detail_invariants(d);
        assert_eq!((d.game.overtime, d.game.shootout), (true, true));
        assert_eq!(d.game.status_detail, "Final/SO");
        // Upstream's final score includes the shootout winner's extra goal...
        assert_eq!((d.game.home.score, d.game.away.score), (Some(3), Some(2)));

        // ...but the scoring plays are the four goals in sortOrder (the list has the second before
        // the first); the repeated goal after review is not counted; shootout goals never are.
        let scorers: Vec<&str> = d
            .scoring_plays
            .iter()
            .filter_map(|p| p.scorer_name.as_deref())
            .collect();
        assert_eq!(
            scorers,
            ["Away Winger", "Home Winger", "Away Sniper", "Home Centre"]
        );
        let last = d.scoring_plays.last().unwrap();
        assert_eq!((last.home_score, last.away_score), (2, 2));

        let pp = &d.scoring_plays[1];
        assert_eq!(detail_of(pp, "strength"), Some("power-play"));
        // An assist not on the roster keeps its id with an empty name.
        assert_eq!(assist_ids(pp), ["9000003", "9999999"]);
        assert_eq!(assist_names(pp), ["Home Defender", ""]);
        let penalty_shot = &d.scoring_plays[2];
        assert_eq!(detail_of(penalty_shot, "strength"), Some("penalty-shot"));
        assert_eq!(penalty_shot.period, Some(2));

        // Six attempts in order; EDM (home) wins 2-1.
        assert_eq!(d.shootout.len(), 6);
        let scored: Vec<bool> = d.shootout.iter().map(|s| s.scored).collect();
        assert_eq!(scored, [false, true, true, false, false, true]);
        assert_eq!(shootout_goals(d), (2, 1));
        let first = &d.shootout[0];
        assert_eq!(
            (
                first.team.as_str(),
                first.player_id.as_deref(),
                first.player_name.as_deref()
            ),
            ("20", Some("9000102"), Some("Away Winger"))
        );
        assert_eq!(first.description, "Away Winger (CGY): saved, wrist shot");
        assert_eq!(
            d.shootout[4].description,
            "Away Defender (CGY): failed attempt"
        );
        assert_eq!(d.shootout[5].player_name.as_deref(), Some("Home Sniper"));
    }

    #[test]
    fn landing_with_shootout() {
        let body = testdata("landing-shootout.json");
        let result = Nhl::parse_game_detail(&ctx(), "2099020998", &body).unwrap();
        golden("landing-shootout.json", &result);
        let d = &result.detail;
        detail_invariants(d);
        assert_eq!((d.game.overtime, d.game.shootout), (true, true));
        assert_eq!(d.scoring_plays.len(), 2);
        assert_eq!(
            detail_of(&d.scoring_plays[0], "strength"),
            Some("power-play")
        );
        // No situation code, no isHome: side from teamAbbrev, strength from upstream's "sh".
        let sh = &d.scoring_plays[1];
        assert_eq!(
            (sh.team.as_str(), sh.scorer_name.as_deref()),
            ("25", Some("Star Killer"))
        );
        assert_eq!(detail_of(sh, "strength"), Some("short-handed"));
        assert_eq!((sh.home_score, sh.away_score), (1, 1));
        // DAL (away) wins the shootout 1-0; names come as strings or as localized objects.
        assert_eq!(d.shootout.len(), 6);
        assert_eq!(shootout_goals(d), (0, 1));
        assert_eq!(d.shootout[0].player_name.as_deref(), Some("Star Shooter"));
        assert_eq!(d.shootout[1].player_name.as_deref(), Some("Jet Forward"));
        assert_eq!(
            d.shootout[3].description,
            "Jet Sniper (WPG): missed, wrist shot"
        );
        assert_eq!((d.game.home.score, d.game.away.score), (Some(1), Some(2)));
    }

    #[test]
    fn unknown_game_state_is_logged_and_mapped() {
        let body = br#"{"games":[
            {"id":1,"gameState":"NEWTHING","homeTeam":{"id":1,"abbrev":"A","score":2},"awayTeam":{"id":2,"abbrev":"B","score":1}},
            {"id":2,"gameState":"NEWTHING","homeTeam":{"id":3,"abbrev":"C"},"awayTeam":{"id":4,"abbrev":"D"}},
            {"id":3,"gameState":"NEWTHING","gameOutcome":{"lastPeriodType":"OT"},"homeTeam":{"id":5,"score":1},"awayTeam":{"id":6,"score":2}}]}"#;
        let games = board(body).games;
        let statuses: Vec<GameStatus> = games.iter().map(|g| g.status).collect();
        assert_eq!(
            statuses,
            [GameStatus::Live, GameStatus::Scheduled, GameStatus::Final]
        );
        assert_eq!(games[2].status_detail, "Final/OT");
        assert!(games[2].overtime);
        // No names at all: the abbreviation, else empty.
        assert_eq!(games[0].home.name, "A");
        assert_eq!(games[2].home.name, "");
    }
}

mod broken {
    use super::*;

    fn all_recorded() -> Vec<(String, Vec<u8>)> {
        let Some(dir) = recorded_dir() else {
            return Vec::new();
        };
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        files.sort();
        for name in [
            "play-by-play-shootout.json",
            "landing-shootout.json",
            "score-2023-11-10.json",
        ] {
            files.push((name.to_owned(), testdata(name)));
        }
        files
    }

    fn parse_any(name: &str, body: &[u8]) -> Result<usize, AdapterError> {
        if name.starts_with("schedule") || name.starts_with("score") {
            Nhl::parse_scoreboard(&ctx(), body).map(|r| r.games.len())
        } else {
            Nhl::parse_game_detail(&ctx(), "", body).map(|r| r.detail.scoring_plays.len())
        }
    }

    /// Every body cut anywhere is a parse error, never a panic: at half, and at 37 other places.
    #[test]
    fn truncated_bodies_are_parse_errors() {
        for (name, body) in all_recorded() {
            let message = parse_error(parse_any(&name, &body[..body.len() / 2]));
            assert!(message.contains("EOF"), "{name}: {message}");
            for i in 1..38 {
                let cut = body.len() * i / 38;
                parse_error(parse_any(&name, &body[..cut]));
            }
            parse_error(parse_any(&name, &body[..body.len() - 2]));
        }
    }

    /// Removing an essential field names it in the error.
    #[test]
    fn missing_essential_fields_are_named() {
        let Some(body) = recorded("play-by-play-2024021015-2025-03-09-final.json") else {
            return;
        };
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        for (field, expect) in [
            ("gameState", "gameState"),
            ("homeTeam", "homeTeam"),
            ("id", "`id`"),
        ] {
            let mut broken = doc.clone();
            broken.as_object_mut().unwrap().remove(field);
            let message = parse_error(Nhl::parse_game_detail(
                &ctx(),
                "2024021015",
                &serde_json::to_vec(&broken).unwrap(),
            ));
            assert!(message.contains(expect), "{field}: {message}");
        }
        let mut broken = doc.clone();
        broken["awayTeam"].as_object_mut().unwrap().remove("id");
        let message = parse_error(Nhl::parse_game_detail(
            &ctx(),
            "",
            &serde_json::to_vec(&broken).unwrap(),
        ));
        assert!(
            message.contains("awayTeam") && message.contains("id"),
            "{message}"
        );

        let Some(body) = recorded("schedule-2025-10-07-week-final-and-future.json") else {
            return;
        };
        let mut doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        doc["gameWeek"][2]["games"][3]
            .as_object_mut()
            .unwrap()
            .remove("gameState");
        let message = parse_error(Nhl::parse_schedule(
            &ctx(),
            &serde_json::to_vec(&doc).unwrap(),
        ));
        assert!(
            message.contains("gameWeek[2].games[3]") && message.contains("gameState"),
            "{message}"
        );
    }

    #[test]
    fn other_documents() {
        let message = parse_error(Nhl::parse_schedule(
            &ctx(),
            br#"{"nextStartDate":"2025-10-14"}"#,
        ));
        assert!(message.contains("gameWeek"), "{message}");
        for body in [
            &b""[..],
            b"[]",
            b"null",
            b"<html>502 Bad Gateway</html>",
            b"{\"games\": 7}",
        ] {
            parse_error(Nhl::parse_scoreboard(&ctx(), body));
            parse_error(Nhl::parse_game_detail(&ctx(), "1", body));
        }
        let err =
            Nhl::parse_game_detail(&ctx(), "1", br#"{"message":"Game not found"}"#).unwrap_err();
        assert_eq!(err, AdapterError::UpstreamMessage("Game not found".into()));
        // A detail body with neither plays nor a summary is a game without goals.
        let d = detail(br#"{"id":7,"gameState":"FUT","homeTeam":{"id":1},"awayTeam":{"id":2}}"#);
        assert!(d.scoring_plays.is_empty() && d.shootout.is_empty());
        // Another league is not served.
        let err = Nhl::parse_scoreboard(&CallContext::new("mlb", 0), b"{}").unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(_)));
    }
}

mod sample {
    use super::*;
    use scoreline_plugin_sdk::Date;

    /// `sample.toml` (shared with the README) names this adapter, keys it serves and options
    /// every request accepts.
    #[test]
    fn sample_config_is_served() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample.toml");
        let doc: toml::Table = toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let leagues = doc["leagues"].as_array().unwrap();
        assert!(!leagues.is_empty());
        let info = Nhl::info();
        for league in leagues {
            let key = league["key"].as_str().unwrap();
            assert_eq!(league["adapter"].as_str(), Some(info.name.as_str()));
            assert!(info.leagues.iter().any(|l| l == key), "{key}");
            assert!(
                league["timezone"]
                    .as_str()
                    .is_some_and(|tz| tz.contains('/'))
            );
            let mut ctx = CallContext::new(key, 0);
            if let Some(options) = league.get("options") {
                for (name, value) in options.as_table().unwrap() {
                    ctx = ctx.with_option(name, value.as_str().unwrap());
                }
            }
            let day = Date::new(2025, 10, 7);
            for request in [
                Nhl::scoreboard_request(&ctx, day).unwrap(),
                Nhl::schedule_request(&ctx, day, day).unwrap(),
                Nhl::game_detail_request(&ctx, "2024021015").unwrap(),
            ] {
                let host = request
                    .url
                    .trim_start_matches("https://")
                    .split('/')
                    .next()
                    .unwrap();
                assert!(info.hosts.iter().any(|h| h == host), "{}", request.url);
            }
        }
    }
}
