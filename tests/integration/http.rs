//! The HTTP API over a seeded store: the router in-process (`tower::ServiceExt::oneshot`, no
//! socket) for every route, status code and filter, then once over loopback with graceful shutdown;
//! and the module layout that keeps the route modules from importing the router.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use scoreline::http::state::{AdapterSummary, AppState};
use scoreline::poller::{LeagueStatus, StatusBoard};
use scoreline_core::cadence::Phase;
use scoreline_core::model::GameKey;
use scoreline_core::model::{Competitor, Game, GameStatus};
use scoreline_store::Store;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const TOKEN: &str = "s3cret-admin-token";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()
}

fn game(id: &str, league: &str, sport: &str, status: GameStatus, home: u32, away: u32) -> Game {
    let side = |abbr: &str, score| Competitor {
        id: format!("{id}-{abbr}"),
        abbreviation: abbr.to_owned(),
        name: format!("{abbr} club"),
        score: Some(score),
    };
    Game {
        status_detail: status.to_string(),
        period: Some(2),
        clock: Some("7:30".into()),
        clock_seconds: Some(450),
        start_time: Some(t0()),
        season: Some("2026".into()),
        season_type: Some("regular".into()),
        ..Game::new(
            id,
            league,
            sport,
            status,
            side("HOM", home),
            side("AWY", away),
        )
    }
}

/// A store with two NFL games (one live with two timeline rows, one final) and a live NBA game;
/// a status board with one league; the admin token set.
fn state() -> AppState {
    let store = Store::open_in_memory().unwrap();
    let record = |league: &str, g: &Game, at: DateTime<Utc>| {
        store
            .record_game(&GameKey::new(league, "espn", g.id.as_str()), g, at)
            .unwrap();
    };
    record(
        "nfl",
        &game("101", "nfl", "football", GameStatus::Live, 0, 0),
        t0(),
    );
    record(
        "nfl",
        &game("101", "nfl", "football", GameStatus::Live, 7, 3),
        t0() + TimeDelta::seconds(60),
    );
    record(
        "nfl",
        &game("102", "nfl", "football", GameStatus::Final, 24, 17),
        t0(),
    );
    record(
        "nba",
        &game("201", "nba", "basketball", GameStatus::Live, 55, 61),
        t0(),
    );
    let status = StatusBoard::default();
    status.write().unwrap().insert(
        "nfl".into(),
        LeagueStatus {
            league: "nfl".into(),
            adapter: "espn".into(),
            phase: Phase::Live,
            last_poll: Some(t0()),
            next_poll: t0() + TimeDelta::seconds(10),
            games: 2,
            last_error: None,
            rounds: 3,
            rejected: 0,
        },
    );
    AppState {
        status,
        adapters: Arc::new(vec![AdapterSummary {
            name: "espn".into(),
            version: "0.1.0".into(),
            sha256: "ab".repeat(32),
            leagues: vec!["nfl".into(), "nba".into()],
        }]),
        admin_token: Some(Arc::from(TOKEN)),
        ..AppState::new(store)
    }
}

/// One request through the router, no socket: status and JSON body.
async fn call(app: &axum::Router, uri: &str, auth: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::builder().uri(uri);
    if let Some(a) = auth {
        request = request.header(header::AUTHORIZATION, a);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|e| panic!("{uri}: body is not JSON ({e}): {bytes:?}"));
    (status, body)
}

fn ids(body: &Value) -> Vec<&str> {
    body["games"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn http_routes_in_process() {
    let app = scoreline::http::app(state());

    let (code, health) = call(&app, "/health", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["store"]["ok"], true);
    assert_eq!(health["store"]["detail"]["games"], 3);
    assert_eq!(health["store"]["detail"]["timeline_rows"], 4);
    assert_eq!(
        health["store"]["detail"]["schema_version"],
        Store::schema_version()
    );
    let leagues = health["scheduler"]["leagues"].as_array().unwrap();
    assert_eq!(leagues.len(), 1);
    assert_eq!(leagues[0]["league"], "nfl");
    assert_eq!(leagues[0]["phase"], "live");
    assert_eq!(health["scheduler"]["leagues_with_errors"], 0);
    assert_eq!(health["adapters"][0]["name"], "espn");

    // Filters.
    let (code, all) = call(&app, "/api/v1/games", None).await;
    assert_eq!(code, StatusCode::OK);
    let mut every = ids(&all);
    every.sort_unstable();
    assert_eq!(every, ["101", "102", "201"]);
    let (code, live_nfl) = call(&app, "/api/v1/games?league=nfl&status=live", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(ids(&live_nfl), ["101"]);
    assert_eq!(live_nfl["games"][0]["home"]["score"], 7);
    assert_eq!(live_nfl["games"][0]["away"]["score"], 3);
    let (_, finals) = call(&app, "/api/v1/games?status=final", None).await;
    assert_eq!(ids(&finals), ["102"]);
    let (_, nba) = call(&app, "/api/v1/games?league=nba", None).await;
    assert_eq!(ids(&nba), ["201"]);
    let (_, none) = call(&app, "/api/v1/games?league=nhl", None).await;
    assert!(ids(&none).is_empty());
    let (_, one) = call(&app, "/api/v1/games?limit=1", None).await;
    assert_eq!(ids(&one).len(), 1);

    // One game with its timeline.
    let (code, detail) = call(&app, "/api/v1/games/101", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(detail["game"]["id"], "101");
    assert_eq!(detail["game"]["status"], "live");
    assert_eq!(detail["adapter"], "espn");
    let timeline = detail["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2);
    assert_eq!(
        (&timeline[0]["home_score"], &timeline[0]["away_score"]),
        (&Value::from(0), &Value::from(0))
    );
    assert_eq!(
        (&timeline[1]["home_score"], &timeline[1]["away_score"]),
        (&Value::from(7), &Value::from(3))
    );
    assert_eq!(detail["scoring_plays"], Value::Array(Vec::new()));
    let (code, scoped) = call(&app, "/api/v1/games/201?league=nba", None).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(scoped["game"]["home"]["score"], 55);

    // Errors are JSON too.
    let (code, missing) = call(&app, "/api/v1/games/999", None).await;
    assert_eq!(code, StatusCode::NOT_FOUND);
    assert!(missing["error"].as_str().unwrap().contains("999"));
    let (code, wrong_league) = call(&app, "/api/v1/games/101?league=nba", None).await;
    assert_eq!(code, StatusCode::NOT_FOUND, "{wrong_league}");
    let (code, bad) = call(&app, "/api/v1/games?status=playing", None).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert!(bad["error"].as_str().unwrap().contains("playing"));

    // Admin: the bearer token, and nothing else, opens it.
    let (code, denied) = call(&app, "/admin/status", None).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    assert!(denied["error"].as_str().unwrap().contains("token"));
    for wrong in [
        "Bearer nope",
        TOKEN,
        "Basic czNjcmV0",
        "Bearer s3cret-admin-tokeN",
    ] {
        let (code, _) = call(&app, "/admin/status", Some(wrong)).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED, "{wrong}");
    }
    let (code, admin) = call(&app, "/admin/status", Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(admin["leagues"][0]["league"], "nfl");
    assert_eq!(admin["leagues"][0]["rounds"], 3);
    assert_eq!(admin["adapters"][0]["sha256"], "ab".repeat(32));
}

#[tokio::test]
async fn admin_routes_are_closed_without_a_configured_token() {
    let app = scoreline::http::app(AppState {
        admin_token: None,
        ..state()
    });
    let (code, _) = call(&app, "/admin/status", Some("Bearer ")).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
    let (code, _) = call(&app, "/admin/status", Some(&format!("Bearer {TOKEN}"))).await;
    assert_eq!(code, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_serves_over_loopback_and_shuts_down() {
    let (listener, addr) = scoreline::http::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    assert!(addr.ip().is_loopback());
    assert_ne!(addr.port(), 0);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(scoreline::http::serve(listener, state(), async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::new();
    let health = client
        .get(format!("http://{addr}/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        health.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let health: Value = serde_json::from_slice(&health.bytes().await.unwrap()).unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["store"]["detail"]["games"], 3);
    let games = client
        .get(format!("http://{addr}/api/v1/games?league=nfl"))
        .send()
        .await
        .unwrap();
    assert_eq!(games.status(), 200);
    let games: Value = serde_json::from_slice(&games.bytes().await.unwrap()).unwrap();
    let mut nfl = ids(&games);
    nfl.sort_unstable();
    assert_eq!(nfl, ["101", "102"]);
    drop(client);

    stop.send(()).unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops on the shutdown future");
    ended.unwrap().unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "nothing listens after shutdown"
    );
}

/// `/health` lists each configured sink with its pending points.
#[tokio::test]
async fn health_shows_pending_points_per_sink() {
    let base = state();
    let store = Store::open_in_memory().unwrap();
    store.enable_point_outbox(true);
    let g = game("s1", "nhl", "hockey", GameStatus::Live, 1, 0);
    store
        .record_game(&GameKey::new("nhl", "espn", "s1"), &g, t0())
        .unwrap();
    let app = scoreline::http::app(AppState {
        store,
        sinks: Arc::new(vec!["influx".to_owned()]),
        ..base
    });
    let (code, body) = call(&app, "/health", None).await;
    assert_eq!(code, StatusCode::OK);
    let sink = &body["sinks"][0];
    assert_eq!(sink["sink"], "influx");
    // One timeline row: a game_state and a games point.
    assert_eq!(sink["pending"], 2);
    assert_eq!(sink["acked"], 0);
    assert_eq!(
        sink["oldest_pending_at"],
        Value::String(t0().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    );
}

/// The file a `crate::a::b::item` path names: the longest prefix of its segments that is a module
/// file under `src` (`a/b.rs` or `a/b/mod.rs`), if any.
fn module_file(src: &Path, path: &str) -> Option<PathBuf> {
    let segments: Vec<&str> = path.split("::").collect();
    (1..=segments.len()).rev().find_map(|n| {
        let base = src.join(segments[..n].join("/"));
        [base.with_extension("rs"), base.join("mod.rs")]
            .into_iter()
            .find(|f| f.is_file())
    })
}

/// Every `crate::...` path in `text`, without the `crate::`.
fn crate_paths(text: &str) -> Vec<&str> {
    text.match_indices("crate::")
        .map(|(i, _)| {
            let rest = &text[i + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            rest[..end].trim_end_matches(':')
        })
        .collect()
}

/// No file the router (`http.rs`) names imports the router back: route modules take the state,
/// the error type and the extractors from `http/state.rs`, `http/error.rs` and `http/extract.rs`,
/// so there is no import cycle between the HTTP module and the routes it mounts.
#[test]
fn route_modules_import_the_http_state_not_the_router() {
    let src = crate::util::root().join("daemon/src");
    let router = std::fs::read_to_string(src.join("http.rs")).unwrap();
    let named: BTreeSet<_> = crate_paths(&router)
        .into_iter()
        .filter_map(|p| module_file(&src, p))
        .collect();
    for route_module in [
        "scorers/routes.rs",
        "events/stream.rs",
        "webhooks/admin.rs",
        "swap/routes.rs",
        "reload/route.rs",
        "schedule_ingest.rs",
    ] {
        assert!(named.contains(&src.join(route_module)), "{route_module}");
    }
    for file in &named {
        let text = std::fs::read_to_string(file).unwrap();
        for path in crate_paths(&text) {
            if path == "http" || path.starts_with("http::") {
                // `crate::http::state::...` is a file of its own; `crate::http::app` is the router.
                let submodule = path.split("::").nth(1).unwrap_or_default();
                assert!(
                    !submodule.is_empty()
                        && src.join("http").join(format!("{submodule}.rs")).is_file(),
                    "{} imports `crate::{path}`, which the router imports back",
                    file.display()
                );
            }
        }
    }
}
