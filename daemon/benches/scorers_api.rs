//! The scorer query routes with a season of games in the store: a full NHL season (1 312 games,
//! about 6 goals each) and a full NBA season (1 230 games, about 90 scoring plays each) of
//! synthetic games and plays in a file-backed store (WAL), then each route through the axum
//! router in-process (handler, store read on a blocking thread, JSON body), as a request from
//! the loopback server would run it minus the socket. Criterion measures the mean; a second pass
//! of 2 000 requests per route, rotating games and players, prints p50 and p99.
//!
//! Run: `cargo bench -p scoreline --bench scorers_api`.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use scoreline::http::state::AppState;
use scoreline_core::model::GameKey;
use scoreline_core::model::{Competitor, Game, GameStatus, ScoringPlay};
use scoreline_store::Store;
use std::collections::BTreeMap;
use std::time::Instant;
use tower::ServiceExt;

const NHL_GAMES: u32 = 1_312;
const NBA_GAMES: u32 = 1_230;
const TEAMS: u32 = 30;
const SAMPLES: usize = 2_000;

/// A season: game `i` of `league` between two of 30 teams, `plays` scoring plays alternating
/// sides in a pattern, scorers among each team's first 10 players (player 0 scores most).
fn seed(store: &Store, league: &str, sport: &str, games: u32, plays_per_game: u32, points: u32) {
    let t0 = Utc.with_ymd_and_hms(2025, 10, 7, 23, 0, 0).unwrap();
    for i in 0..games {
        let (home, away) = (i % TEAMS, (i * 7 + 1) % TEAMS);
        let away = if away == home {
            (away + 1) % TEAMS
        } else {
            away
        };
        let start = t0 + Duration::hours(i64::from(i) * 3);
        let (mut h, mut a) = (0, 0);
        let mut plays = Vec::new();
        for s in 1..=plays_per_game + i % 5 {
            let home_side = (s * 13 + i) % 7 < 4;
            let team = if home_side { home } else { away };
            if home_side {
                h += points;
            } else {
                a += points;
            }
            // Player 0 of a team on about a third of its plays, the rest spread.
            let n = (s * 31 + i * 17) % 30;
            let player = if n < 10 { 0 } else { n % 10 };
            plays.push(ScoringPlay {
                sequence: s,
                period: Some(1 + (s - 1) * 4 / (plays_per_game + 5)),
                clock: None,
                team: format!("{league}-t{team}"),
                scorer_id: Some(format!("{league}-p{team}-{player}")),
                scorer_name: Some(format!("Player {team}-{player}")),
                assists: vec![],
                kind: if sport == "hockey" {
                    "goal"
                } else {
                    "field-goal"
                }
                .into(),
                points,
                home_score: h,
                away_score: a,
                description: format!("play {s} of game {i}"),
                details: BTreeMap::new(),
            });
        }
        let side = |t: u32, score| Competitor {
            id: format!("{league}-t{t}"),
            abbreviation: format!("T{t}"),
            name: format!("Team {t}"),
            score: Some(score),
        };
        let game = Game {
            status_detail: "Final".into(),
            period: Some(3),
            start_time: Some(start),
            season: Some("2025".into()),
            season_type: Some("regular".into()),
            venue: Some("Arena".into()),
            ..Game::new(
                format!("{league}{i:05}"),
                league,
                sport,
                GameStatus::Final,
                side(home, h),
                side(away, a),
            )
        };
        let key = GameKey::new(league, "espn", game.id.as_str());
        let at = start + Duration::hours(3);
        store.record_game(&key, &game, at).expect("record game");
        store
            .record_scoring_plays(&key, &plays, at)
            .expect("record plays");
    }
}

/// The request URIs of each route, rotating over games and players.
fn routes() -> Vec<(&'static str, Vec<String>)> {
    let nhl = |i: u32| format!("nhl{:05}", (i * 37) % NHL_GAMES);
    let nba = |i: u32| format!("nba{:05}", (i * 37) % NBA_GAMES);
    let n = SAMPLES as u32;
    vec![
        (
            "GET /api/v1/games/{id}/scorers (NBA, ~90 plays)",
            (0..n)
                .map(|i| format!("/api/v1/games/{}/scorers", nba(i)))
                .collect(),
        ),
        (
            "GET /api/v1/games/{id}/scorers (NHL, ~6 plays)",
            (0..n)
                .map(|i| format!("/api/v1/games/{}/scorers", nhl(i)))
                .collect(),
        ),
        (
            "GET /api/v1/games/{id}/first-scorer (NBA)",
            (0..n)
                .map(|i| format!("/api/v1/games/{}/first-scorer", nba(i)))
                .collect(),
        ),
        (
            "GET /api/v1/games/{id}/players/{pid}/scored (NBA)",
            (0..n)
                .map(|i| {
                    format!(
                        "/api/v1/games/{}/players/nba-p{}-0/scored",
                        nba(i),
                        i % TEAMS
                    )
                })
                .collect(),
        ),
        (
            "GET /api/v1/players/{id}/scoring-history (NHL top scorer, season)",
            (0..n)
                .map(|i| {
                    format!(
                        "/api/v1/players/nhl-p{}-0/scoring-history?season=2025",
                        i % TEAMS
                    )
                })
                .collect(),
        ),
        (
            "GET /api/v1/players/{id}/scoring-history?plays=true (NHL top scorer)",
            (0..n)
                .map(|i| {
                    format!(
                        "/api/v1/players/nhl-p{}-0/scoring-history?season=2025&plays=true",
                        i % TEAMS
                    )
                })
                .collect(),
        ),
        (
            "GET /api/v1/players/{id}/scoring-history (NBA top scorer, season)",
            (0..n)
                .map(|i| {
                    format!(
                        "/api/v1/players/nba-p{}-0/scoring-history?season=2025",
                        i % TEAMS
                    )
                })
                .collect(),
        ),
    ]
}

async fn call(app: &axum::Router, uri: &str) -> usize {
    let response = app
        .clone()
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    axum::body::to_bytes(response.into_body(), 1 << 26)
        .await
        .unwrap()
        .len()
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let seeded = Instant::now();
    seed(&store, "nhl", "hockey", NHL_GAMES, 4, 1);
    seed(&store, "nba", "basketball", NBA_GAMES, 88, 2);
    let health = store.health().expect("health");
    println!(
        "seeded {} games, {} MB, in {:.1} s",
        health.games,
        health.size_bytes / 1_000_000,
        seeded.elapsed().as_secs_f64()
    );
    let app = scoreline::http::app(AppState::new(store.clone()));
    // Where the time of the biggest answer goes: the store read, the JSON value, the bytes.
    let t = Instant::now();
    let games = store
        .scoring_history_games("nba-p3-0", &scoreline_store::HistoryFilter::default())
        .expect("history games");
    println!(
        "NBA top scorer history by game, {} games: store read {:.2} ms",
        games.len(),
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let rows = store
        .scoring_history("nba-p3-0", &scoreline_store::HistoryFilter::default())
        .expect("history");
    let read = t.elapsed();
    let t = Instant::now();
    let history = scoreline::scorers::query::history_body("nba-p3-0", None, &[], Some(&rows));
    let built = t.elapsed();
    let t = Instant::now();
    let body = serde_json::to_vec(&history).expect("encode");
    println!(
        "NBA top scorer history with plays, {} plays: store read {:.2} ms, body rows {:.2} ms, serialise {:.2} ms ({} bytes)",
        rows.len(),
        read.as_secs_f64() * 1e3,
        built.as_secs_f64() * 1e3,
        t.elapsed().as_secs_f64() * 1e3,
        body.len()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let routes = routes();

    // Percentiles: every request timed on its own, after a warm-up pass.
    println!(
        "{:<68} {:>9} {:>9} {:>9} {:>9}",
        "route", "p50 ms", "p99 ms", "max ms", "bytes"
    );
    for (name, uris) in &routes {
        let (mut times, mut bytes) = (Vec::with_capacity(uris.len()), 0);
        rt.block_on(async {
            for uri in uris.iter().take(200) {
                call(&app, uri).await;
            }
            for uri in uris {
                let t = Instant::now();
                bytes = call(&app, uri).await;
                times.push(t.elapsed());
            }
        });
        times.sort_unstable();
        let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        println!(
            "{name:<68} {:>9.3} {:>9.3} {:>9.3} {bytes:>9}",
            ms(pct(0.50)),
            ms(pct(0.99)),
            ms(times[times.len() - 1]),
        );
    }

    let mut group = c.benchmark_group("scorers_api");
    for (name, uris) in &routes {
        let mut i = 0;
        group.bench_function(*name, |b| {
            b.iter(|| {
                i = (i + 1) % uris.len();
                rt.block_on(call(&app, &uris[i]))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
