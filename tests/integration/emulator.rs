//! The emulator's server on a real socket: ESPN routes, `Cache-Control`, forced and random faults,
//! the request counter and shutdown. Time is a `ManualClock`; nothing sleeps.

// Test helpers fail the test on any error, like the `#[test]` functions they serve.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use scoreline_core::clock::{Clock, ManualClock};
use scoreline_emulator::EmulatorConfig;
use scoreline_emulator::{Emulator, Fault, Game, StaleRoute, stale_instant, state_at};
use scoreline_plugin_espn::Espn;
use scoreline_plugin_sdk::{Adapter, CallContext, GamesResult};
use std::sync::Arc;
use std::time::Duration;

fn config() -> EmulatorConfig {
    EmulatorConfig {
        updates: None,
        seed: 7,
        game_length: Duration::from_secs(60),
        stagger: Duration::from_secs(10),
        max_age: Duration::from_secs(5),
        error_rate: 0.0,
        timeout_rate: 0.0,
        malformed_rate: 0.0,
        glitch: false,
        drop_game: false,
        stale: false,
    }
}

fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()
}

async fn start(config: EmulatorConfig) -> (Emulator, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(anchor()));
    let emulator = Emulator::start(config, clock.clone()).await.unwrap();
    (emulator, clock)
}

/// The first staggered game of `league` (live 20 s after its kick-off).
fn staggered<'e>(emulator: &'e Emulator, league: &str) -> &'e Game {
    emulator
        .slate()
        .games()
        .iter()
        .filter(|g| g.league.key == league && g.start > anchor())
        .min_by_key(|g| g.start)
        .unwrap()
}

fn board_url(emulator: &Emulator, path: &str) -> String {
    format!(
        "{}apis/site/v2/sports/{path}/scoreboard?dates=20261122",
        emulator.base_url()
    )
}

async fn get(url: &str) -> reqwest::Response {
    reqwest::get(url).await.unwrap()
}

async fn board(emulator: &Emulator, path: &str, league: &str) -> GamesResult {
    let response = get(&board_url(emulator, path)).await;
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    Espn::parse_scoreboard(&CallContext::new(league, 0), &body).unwrap()
}

#[tokio::test]
async fn emulator_scoreboard_round_trip() {
    let (emulator, clock) = start(config()).await;
    assert_eq!(emulator.base_url().host_str(), Some("127.0.0.1"));
    let game = staggered(&emulator, "nfl").clone();
    clock.set(game.at(Duration::from_secs(20)));
    let state = state_at(&game, clock.now());

    let response = get(&board_url(&emulator, "football/nfl")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers();
    assert_eq!(headers["cache-control"], "max-age=5");
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body = response.bytes().await.unwrap();
    let parsed = Espn::parse_scoreboard(&CallContext::new("nfl", 0), &body).unwrap();
    assert_eq!(parsed.games.len(), 2, "the early final and the live game");
    let g = parsed.games.iter().find(|g| g.id == game.id).unwrap();
    assert_eq!(g.home.score, Some(state.home_score));
    assert_eq!(g.away.score, Some(state.away_score));
    assert_eq!(g.home.id, game.home.club.id);

    let summary = format!(
        "{}apis/site/v2/sports/football/nfl/summary?event={}",
        emulator.base_url(),
        game.id
    );
    let response = get(&summary).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["cache-control"], "max-age=5");
    let body = response.bytes().await.unwrap();
    let detail = Espn::parse_game_detail(&CallContext::new("nfl", 0), &game.id, &body)
        .unwrap()
        .detail;
    assert_eq!(detail.scoring_plays.len(), state.events.len());

    // Unknown event, unknown sport, bad dates: ESPN-style error documents.
    let base = emulator.base_url();
    let missing = get(&format!(
        "{base}apis/site/v2/sports/football/nfl/summary?event=1"
    ))
    .await;
    assert_eq!(missing.status(), 404);
    let wrong_league = get(&format!(
        "{base}apis/site/v2/sports/basketball/nba/summary?event={}",
        game.id
    ))
    .await;
    assert_eq!(wrong_league.status(), 404);
    assert_eq!(
        get(&format!("{base}apis/site/v2/sports/curling/x/scoreboard"))
            .await
            .status(),
        404
    );
    let bad = get(&format!(
        "{base}apis/site/v2/sports/football/nfl/scoreboard?dates=2026"
    ))
    .await;
    assert_eq!(bad.status(), 400);
    // Without `dates`, today's US-Eastern board.
    let today = get(&format!(
        "{base}apis/site/v2/sports/football/nfl/scoreboard"
    ))
    .await;
    assert_eq!(today.status(), 200);
    assert_eq!(emulator.requests(), 7);
    emulator.shutdown().await;
}

#[tokio::test]
async fn emulator_forced_status_and_malformed_apply_once() {
    let (emulator, _clock) = start(config()).await;
    let url = board_url(&emulator, "hockey/nhl");
    emulator.force(Fault::Status(500));
    emulator.force(Fault::Malformed);
    emulator.force(Fault::Status(503));

    let first = get(&url).await;
    assert_eq!(first.status(), 500);
    assert_eq!(first.headers()["cache-control"], "max-age=5");
    let second = get(&url).await;
    assert_eq!(second.status(), 200);
    let body = second.bytes().await.unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
    assert!(Espn::parse_scoreboard(&CallContext::new("nhl", 0), &body).is_err());
    assert_eq!(get(&url).await.status(), 503);
    let fine = get(&url).await;
    assert_eq!(fine.status(), 200);
    assert!(serde_json::from_slice::<serde_json::Value>(&fine.bytes().await.unwrap()).is_ok());
    assert_eq!(emulator.requests(), 4);
    emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_hang_outlasts_the_client_and_ends_at_shutdown() {
    let (emulator, _clock) = start(config()).await;
    let url = board_url(&emulator, "baseball/mlb");
    emulator.force(Fault::Hang);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client.get(&url).send().await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    // The next request is served normally.
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);

    // A hang with no client timeout is released by shutdown.
    emulator.force(Fault::Hang);
    let patient = tokio::spawn(async move { reqwest::get(url).await });
    let arrived = tokio::time::timeout(Duration::from_secs(10), async {
        while emulator.requests() < 3 {
            tokio::task::yield_now().await;
        }
    });
    assert!(
        arrived.await.is_ok(),
        "the hanging request never reached the server"
    );
    emulator.shutdown().await;
    let released = patient.await.unwrap();
    assert!(released.is_err() || released.is_ok_and(|r| r.status() == 503));
}

#[tokio::test]
async fn emulator_forced_glitch_and_drop_hit_the_next_matching_response() {
    let (emulator, clock) = start(config()).await;
    let game = staggered(&emulator, "nba").clone();
    clock.set(game.at(Duration::from_secs(30)));
    let state = state_at(&game, clock.now());
    assert!(state.home_score > 0 && state.away_score > 0);
    let real = (Some(state.home_score), Some(state.away_score));
    let score = |r: &GamesResult| {
        r.games
            .iter()
            .find(|g| g.id == game.id)
            .map(|g| (g.home.score, g.away.score))
    };

    // A glitch for a game of another league waits for a board that carries it.
    let hockey = staggered(&emulator, "nhl").id.clone();
    emulator.force(Fault::Glitch {
        game_id: hockey.clone(),
    });
    emulator.force(Fault::Glitch {
        game_id: game.id.clone(),
    });
    let glitched = board(&emulator, "basketball/nba", "nba").await;
    assert_eq!(score(&glitched), Some((Some(0), Some(0))));
    assert_eq!(
        score(&board(&emulator, "basketball/nba", "nba").await),
        Some(real)
    );
    let nhl = board(&emulator, "hockey/nhl", "nhl").await;
    let h = nhl.games.iter().find(|g| g.id == hockey).unwrap();
    assert_eq!((h.home.score, h.away.score), (Some(0), Some(0)));

    emulator.force(Fault::Drop {
        game_id: game.id.clone(),
    });
    let dropped = board(&emulator, "basketball/nba", "nba").await;
    assert_eq!(score(&dropped), None);
    assert_eq!(dropped.games.len(), 1, "the other NBA game is still there");
    assert_eq!(
        score(&board(&emulator, "basketball/nba", "nba").await),
        Some(real)
    );

    // A glitch also hits a summary.
    emulator.force(Fault::Glitch {
        game_id: game.id.clone(),
    });
    let url = format!(
        "{}apis/site/v2/sports/basketball/nba/summary?event={}",
        emulator.base_url(),
        game.id
    );
    let body = get(&url).await.bytes().await.unwrap();
    let d = Espn::parse_game_detail(&CallContext::new("nba", 0), &game.id, &body)
        .unwrap()
        .detail;
    assert_eq!((d.game.home.score, d.game.away.score), (Some(0), Some(0)));
    let body = get(&url).await.bytes().await.unwrap();
    let d = Espn::parse_game_detail(&CallContext::new("nba", 0), &game.id, &body)
        .unwrap()
        .detail;
    assert_eq!((d.game.home.score, d.game.away.score), real);
    assert_eq!(emulator.requests(), 7);
    emulator.shutdown().await;
}

#[tokio::test]
async fn emulator_stale_copies_serve_an_older_body_then_the_current_one() {
    let (emulator, clock) = start(config()).await;
    let game = staggered(&emulator, "nba").clone();
    clock.set(game.at(Duration::from_secs(40)));
    let now = clock.now();
    let copy_of = stale_instant(&game, now).unwrap();
    let (old, cur) = (state_at(&game, copy_of), state_at(&game, now));
    assert!(old.home_score + old.away_score < cur.home_score + cur.away_score);
    let seen = |parsed: &GamesResult| {
        let g = parsed.games.iter().find(|g| g.id == game.id).unwrap();
        (g.home.score, g.away.score, g.period, g.clock.clone())
    };
    let older = (
        Some(old.home_score),
        Some(old.away_score),
        Some(old.period),
        Some(old.clock.display.clone()),
    );
    let current = (
        Some(cur.home_score),
        Some(cur.away_score),
        Some(cur.period),
        Some(cur.clock.display.clone()),
    );
    emulator.force(Fault::Stale {
        game_id: game.id.clone(),
        requests: 2,
    });
    for _ in 0..2 {
        assert_eq!(
            seen(&board(&emulator, "basketball/nba", "nba").await),
            older
        );
    }
    assert_eq!(
        seen(&board(&emulator, "basketball/nba", "nba").await),
        current
    );

    // The summary too, for three requests; the scoreboard stays current meanwhile.
    emulator.force(Fault::Stale {
        game_id: game.id.clone(),
        requests: 3,
    });
    let url = format!(
        "{}apis/site/v2/sports/basketball/nba/summary?event={}",
        emulator.base_url(),
        game.id
    );
    let detail = |body: &[u8]| {
        let d = Espn::parse_game_detail(&CallContext::new("nba", 0), &game.id, body)
            .unwrap()
            .detail;
        (d.game.home.score, d.game.away.score, d.scoring_plays.len())
    };
    let older = (Some(old.home_score), Some(old.away_score), old.events.len());
    for _ in 0..3 {
        assert_eq!(detail(&get(&url).await.bytes().await.unwrap()), older);
    }
    let current = (Some(cur.home_score), Some(cur.away_score), cur.events.len());
    assert_eq!(detail(&get(&url).await.bytes().await.unwrap()), current);

    let served = emulator.stale_copies();
    let routes: Vec<(StaleRoute, u32, u32)> = served
        .iter()
        .map(|s| (s.route, s.request, s.requests))
        .collect();
    assert_eq!(
        routes,
        [
            (StaleRoute::Scoreboard, 1, 2),
            (StaleRoute::Scoreboard, 2, 2),
            (StaleRoute::Summary, 1, 3),
            (StaleRoute::Summary, 2, 3),
            (StaleRoute::Summary, 3, 3),
        ]
    );
    assert!(served.iter().all(|s| s.game_id == game.id
        && s.copy_of == copy_of
        && (s.home_score, s.away_score) == (old.home_score, old.away_score)));
    emulator.shutdown().await;
}

#[tokio::test]
async fn emulator_random_faults_follow_the_configuration() {
    let (emulator, _clock) = start(EmulatorConfig {
        error_rate: 1.0,
        ..config()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(
            get(&board_url(&emulator, "soccer/eng.1")).await.status(),
            500
        );
    }
    emulator.shutdown().await;

    let (emulator, clock) = start(EmulatorConfig {
        malformed_rate: 1.0,
        ..config()
    })
    .await;
    clock.set(anchor());
    let body = get(&board_url(&emulator, "soccer/eng.1"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(serde_json::from_slice::<serde_json::Value>(&body).is_err());
    emulator.shutdown().await;

    // Glitch and drop: each live, scored game reads 0-0 at most once; one game is dropped once.
    let (emulator, clock) = start(EmulatorConfig {
        glitch: true,
        drop_game: true,
        ..config()
    })
    .await;
    let games: Vec<Game> = emulator
        .slate()
        .games()
        .iter()
        .filter(|g| g.league.key == "nba")
        .cloned()
        .collect();
    let second = games.iter().map(|g| g.start).max().unwrap();
    clock.set(second + chrono::TimeDelta::seconds(20));
    let now = clock.now();
    let mut zeroes = std::collections::BTreeMap::<String, u32>::new();
    let mut missing = 0;
    for _ in 0..40 {
        let parsed = board(&emulator, "basketball/nba", "nba").await;
        for g in &games {
            let state = state_at(g, now);
            match parsed.games.iter().find(|p| p.id == g.id) {
                None => missing += 1,
                Some(p) if p.home.score == Some(0) && p.away.score == Some(0) => {
                    assert!(state.home_score + state.away_score > 0);
                    *zeroes.entry(g.id.clone()).or_default() += 1;
                }
                Some(p) => {
                    assert_eq!(p.home.score, Some(state.home_score));
                }
            }
        }
    }
    assert_eq!(missing, 1, "one game dropped from one board");
    let live: Vec<&Game> = games
        .iter()
        .filter(|g| state_at(g, now).phase == scoreline_emulator::slate::Phase::In)
        .collect();
    assert!(!live.is_empty());
    for g in &live {
        assert_eq!(zeroes.get(&g.id), Some(&1), "{} glitched once", g.id);
    }
    assert_eq!(emulator.requests(), 40);
    emulator.shutdown().await;
}
