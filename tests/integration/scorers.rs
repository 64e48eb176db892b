//! Scorer queries over real payloads: every shared ESPN summary with scoring plays, and the NHL
//! and MLB payloads, parsed by the built components in the sandbox, stored, then asked through
//! the HTTP router (`/scorers`, `/first-scorer`, `/scored`, `/scoring-history`). The expected
//! scorers are read from the raw JSON here with serde_json, not by the adapters' code. Then the
//! `scoreline scorers` / `scoreline player` commands on a store on disk, and the quality checks
//! in `/health` and `monitor failures`.

use crate::util;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{DateTime, TimeZone, Utc};
use scoreline::http::state::AppState;
use scoreline::sandbox::{Adapter, CallContext};
use scoreline_core::model::GameDetail;
use scoreline_core::model::GameKey;
use scoreline_store::Store;
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;
use tower::ServiceExt;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn component(name: &str) -> &'static Adapter {
    static ADAPTERS: OnceLock<
        std::sync::Mutex<std::collections::BTreeMap<String, &'static Adapter>>,
    > = OnceLock::new();
    let map = ADAPTERS.get_or_init(Default::default);
    let mut map = map.lock().unwrap();
    map.entry(name.to_owned()).or_insert_with(|| {
        let path = util::component(&format!("scoreline-plugin-{name}"));
        Box::leak(Box::new(util::load(&path)))
    })
}

/// Parse `body` as a game detail with adapter `adapter` for `league` and store it.
fn store_detail(store: &Store, adapter: &str, league: &str, body: &[u8]) -> GameDetail {
    let detail = component(adapter)
        .parse_game_detail(&CallContext::new(league, now()), "0", body)
        .unwrap_or_else(|e| panic!("{adapter}/{league}: {e}"));
    let key = GameKey::new(league, adapter, detail.game.id.as_str());
    store.record_game(&key, &detail.game, now()).unwrap();
    store
        .record_scoring_plays(&key, &detail.scoring_plays, now())
        .unwrap();
    detail
}

fn app(store: &Store) -> axum::Router {
    scoreline::http::app(AppState::new(store.clone()))
}

async fn get(app: &axum::Router, uri: &str) -> Value {
    let response = app
        .clone()
        .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{uri}");
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn json(dir: &Path, name: &str) -> Value {
    serde_json::from_slice(&util::fixture(dir, name)).unwrap()
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => panic!("not an id: {other}"),
    }
}

/// What the payload says a play is: scorer id (if the payload names one by id), scorer text to
/// find the name in (football), team id, home and away score after.
#[derive(Debug, Clone, PartialEq)]
struct Expected {
    scorer_id: Option<String>,
    text: Option<String>,
    team: String,
    home: u64,
    away: u64,
}

/// ESPN rows with a running score (`plays[]` of basketball and hockey): a row is a scoring
/// play where its team's score rises above that side's highest so far.
fn running_rows(rows: &[&Value], home_id: &str) -> (Vec<Expected>, usize) {
    let (mut hi_h, mut hi_a, mut rises) = (0, 0, 0);
    let mut out = Vec::new();
    for r in rows {
        let (h, a) = (
            r["homeScore"].as_u64().unwrap(),
            r["awayScore"].as_u64().unwrap(),
        );
        let team = s(&r["team"]["id"]);
        let home_rose = h > hi_h;
        let away_rose = a > hi_a;
        rises += usize::from(home_rose) + usize::from(away_rose);
        hi_h = hi_h.max(h);
        hi_a = hi_a.max(a);
        let mine = if team == home_id {
            home_rose
        } else {
            away_rose
        };
        if mine {
            out.push(Expected {
                scorer_id: r["participants"][0]["athlete"]["id"]
                    .as_str()
                    .map(str::to_owned),
                text: None,
                team,
                home: h,
                away: a,
            });
        }
    }
    (out, rises)
}

/// Check the API's answers for the stored game against the expected plays. `exact`: the API's
/// plays are exactly the expected ones; otherwise (ESPN football and running-score feeds) every
/// expected play is among them in order and `total` is the API's play count.
async fn check_game(
    app: &axum::Router,
    name: &str,
    game_id: &str,
    league: &str,
    expected: &[Expected],
    total: usize,
) {
    let scorers = get(
        app,
        &format!("/api/v1/games/{game_id}/scorers?league={league}"),
    )
    .await;
    assert_eq!(scorers["game_id"], game_id, "{name}");
    let plays = scorers["scoring_plays"].as_array().unwrap();
    assert_eq!(plays.len(), total, "{name}: play count");
    // Sequences 1..n, exactly one first scorer, on sequence 1.
    for (i, p) in plays.iter().enumerate() {
        assert_eq!(p["sequence"], i + 1, "{name}");
        assert_eq!(p["is_first_scorer"], i == 0, "{name}: play {}", i + 1);
        for field in [
            "period",
            "clock",
            "team",
            "scorer_id",
            "scorer_name",
            "assists",
            "kind",
            "points",
            "home_score",
            "away_score",
            "description",
            "details",
        ] {
            assert!(
                p.get(field).is_some(),
                "{name}: play {} lacks {field}",
                i + 1
            );
        }
    }
    // The API's plays that correspond to payload rows, in order.
    let matched: Vec<&Value> = plays
        .iter()
        .filter(|p| p["details"]["late"] != "true")
        .filter(|p| expected.iter().any(|e| same(e, p)))
        .collect();
    assert_eq!(
        matched.len(),
        expected.len(),
        "{name}: {expected:#?}\nvs {plays:#?}"
    );
    for (e, p) in expected.iter().zip(&matched) {
        assert!(same(e, p), "{name}: {e:?} vs {p}");
    }
    // The first scorer: the payload's first row.
    let first = get(
        app,
        &format!("/api/v1/games/{game_id}/first-scorer?league={league}"),
    )
    .await;
    let fs = &first["first_scorer"];
    assert!(
        same(&expected[0], fs),
        "{name}: first scorer {fs} vs {:?}",
        expected[0]
    );
    assert_eq!(fs["sequence"], 1, "{name}");
    assert_eq!(fs["is_first_scorer"], true, "{name}");
    let (h, a) = (
        fs["home_score"].as_u64().unwrap(),
        fs["away_score"].as_u64().unwrap(),
    );
    assert_eq!(
        h + a,
        fs["points"].as_u64().unwrap(),
        "{name}: first play scores from 0-0"
    );
    // "Did the first scorer score first?" by id, where the payload names one.
    if let Some(id) = &expected[0].scorer_id {
        let answer = get(
            app,
            &format!("/api/v1/games/{game_id}/players/{id}/scored?league={league}"),
        )
        .await;
        assert_eq!(answer["scored"], "yes", "{name}: {answer}");
        assert_eq!(answer["first"], "yes", "{name}: {answer}");
        let history = get(
            app,
            &format!("/api/v1/players/{id}/scoring-history?plays=true"),
        )
        .await;
        let want = expected
            .iter()
            .filter(|e| e.scorer_id.as_deref() == Some(id))
            .count();
        let credited = plays
            .iter()
            .filter(|p| p["scorer_id"].as_str() == Some(id))
            .count();
        assert!(credited >= want, "{name}");
        assert_eq!(history["plays"], credited, "{name}: {history}");
        assert_eq!(history["games"], 1, "{name}: {history}");
        assert_eq!(history["first_scorer_games"], 1, "{name}: {history}");
        assert_eq!(history["history"][0]["game_id"], game_id, "{name}");
        assert_eq!(history["history"][0]["first_scorer"], true, "{name}");
        assert_eq!(history["history"][0]["plays"], credited, "{name}");
        // The game's columns, named as documented, on both the per-game and the per-play rows.
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&history["history"][0]),
            [
                "adapter",
                "away",
                "first_scorer",
                "game_id",
                "game_state",
                "home",
                "league",
                "plays",
                "points",
                "season",
                "sequences",
                "start_time"
            ],
            "{name}"
        );
        let play_keys = keys(&history["scoring_plays"][0]);
        for k in [
            "adapter",
            "away",
            "game_id",
            "game_state",
            "home",
            "league",
            "season",
            "start_time",
        ] {
            assert!(
                play_keys.iter().any(|p| p == k),
                "{name}: no `{k}` in {play_keys:?}"
            );
        }
        assert_eq!(
            history["scoring_plays"].as_array().unwrap().len(),
            credited,
            "{name}"
        );
        assert_eq!(history["scoring_plays"][0]["game_id"], game_id, "{name}");
        assert_eq!(
            history["scoring_plays"][0]["is_first_scorer"], true,
            "{name}"
        );
    }
}

/// Does API play `p` show expected play `e`?
fn same(e: &Expected, p: &Value) -> bool {
    let id_ok = match &e.scorer_id {
        Some(id) => p["scorer_id"].as_str() == Some(id),
        None => true,
    };
    let text_ok = match &e.text {
        // Football names the scorer only in the text: the name's last word must be in it.
        Some(text) => p["scorer_name"]
            .as_str()
            .and_then(|n| n.split_whitespace().last())
            .is_some_and(|last| text.contains(last)),
        None => true,
    };
    id_ok
        && text_ok
        && p["team"].as_str() == Some(e.team.as_str())
        && p["home_score"].as_u64() == Some(e.home)
        && p["away_score"].as_u64() == Some(e.away)
}

fn espn_league(name: &str) -> &'static str {
    [
        ("summary-college-football", "college-football"),
        ("summary-nfl", "nfl"),
        ("summary-nba", "nba"),
        ("summary-nhl", "nhl"),
        ("summary-mlb", "mlb"),
        ("summary-soccer-fifa-world", "fifa.world"),
        ("summary-soccer-usa1", "usa.1"),
        ("summary-wnba", "wnba"),
    ]
    .iter()
    .find(|(p, _)| name.starts_with(p))
    .map(|(_, l)| *l)
    .unwrap_or_else(|| panic!("{name}: which league?"))
}

#[tokio::test]
async fn espn_summaries_first_scorer_and_scorers_match_the_payload() {
    let Some(dir) = util::shared_fixtures("espn") else {
        return;
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("summary-") && n.ends_with(".json"))
        .collect();
    names.sort();
    let mut checked = Vec::new();
    for name in &names {
        let raw = json(&dir, name);
        let competitors = raw["header"]["competitions"][0]["competitors"]
            .as_array()
            .unwrap();
        let home_id = competitors
            .iter()
            .find(|c| c["homeAway"] == "home")
            .map(|c| s(&c["id"]))
            .unwrap();
        let empty = vec![];
        let scoring_plays = raw["scoringPlays"].as_array().unwrap_or(&empty);
        let plays: Vec<&Value> = raw["plays"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter(|p| p["scoringPlay"] == true)
            .collect();
        let key_events: Vec<&Value> = raw["keyEvents"]
            .as_array()
            .unwrap_or(&empty)
            .iter()
            .filter(|p| p["scoringPlay"] == true)
            .collect();
        let (expected, total): (Vec<Expected>, Option<usize>) = if !scoring_plays.is_empty() {
            // Football: `scoringPlays`, the scorer named in the text.
            let rows = scoring_plays
                .iter()
                .map(|r| Expected {
                    scorer_id: None,
                    text: Some(r["text"].as_str().unwrap().to_owned()),
                    team: s(&r["team"]["id"]),
                    home: r["homeScore"].as_u64().unwrap(),
                    away: r["awayScore"].as_u64().unwrap(),
                })
                .collect();
            (rows, None)
        } else if !plays.is_empty() {
            let (rows, rises) = running_rows(&plays, &home_id);
            (rows, Some(rises))
        } else if !key_events.is_empty() {
            // Soccer: each goal adds one to its team.
            let (mut h, mut a) = (0, 0);
            let rows = key_events
                .iter()
                .map(|r| {
                    let team = s(&r["team"]["id"]);
                    assert!(
                        !r["text"].as_str().unwrap_or("").contains("Own Goal"),
                        "{name}: own goals need the other side"
                    );
                    if team == home_id {
                        h += 1;
                    } else {
                        a += 1;
                    }
                    Expected {
                        scorer_id: Some(s(&r["participants"][0]["athlete"]["id"])),
                        text: None,
                        team,
                        home: h,
                        away: a,
                    }
                })
                .collect::<Vec<_>>();
            let n = rows.len();
            (rows, Some(n))
        } else {
            eprintln!("{name}: no scoring plays in the payload, nothing to compare");
            continue;
        };
        let store = Store::open_in_memory().unwrap();
        let league = espn_league(name);
        let detail = store_detail(&store, "espn", league, &util::fixture(&dir, name));
        // Football: the API adds a play for a conversion ESPN shows only on the next row
        // (`details.late`); all other plays are the payload's rows.
        let total = total.unwrap_or(detail.scoring_plays.len());
        check_game(
            &app(&store),
            name,
            &detail.game.id,
            league,
            &expected,
            total,
        )
        .await;
        checked.push(name.clone());
    }
    assert_eq!(
        checked,
        [
            "summary-college-football-2024-09-14-final.json",
            "summary-college-football-2025-09-27-in-progress.json",
            "summary-nba-2024-01-08-final.json",
            "summary-nfl-2023-10-29-final.json",
            "summary-nhl-2023-11-18-final.json",
            "summary-soccer-fifa-world-2026-group-final.json",
        ]
    );
}

#[tokio::test]
async fn nhl_payloads_first_scorer_and_scorers_match_the_payload() {
    let Some(dir) = util::shared_fixtures("nhl") else {
        return;
    };
    for name in [
        "play-by-play-2024021015-2025-03-09-final.json",
        "play-by-play-2024030121-2025-04-22-playoff-final.json",
    ] {
        let raw = json(&dir, name);
        let mut goals: Vec<&Value> = raw["plays"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["typeDescKey"] == "goal")
            .filter(|p| p["periodDescriptor"]["periodType"] != "SO")
            .collect();
        goals.sort_by_key(|p| p["sortOrder"].as_u64().unwrap());
        let expected: Vec<Expected> = goals
            .iter()
            .map(|g| Expected {
                scorer_id: Some(s(&g["details"]["scoringPlayerId"])),
                text: None,
                team: s(&g["details"]["eventOwnerTeamId"]),
                home: g["details"]["homeScore"].as_u64().unwrap(),
                away: g["details"]["awayScore"].as_u64().unwrap(),
            })
            .collect();
        assert!(!expected.is_empty(), "{name}");
        let store = Store::open_in_memory().unwrap();
        let detail = store_detail(&store, "nhl", "nhl", &util::fixture(&dir, name));
        let n = expected.len();
        check_game(&app(&store), name, &detail.game.id, "nhl", &expected, n).await;
    }
    // The landing body: goals by period with the scorer's id.
    let name = "landing-2023020206-2023-11-10-crit-live.json";
    let raw = json(&dir, name);
    let (home, away) = (s(&raw["homeTeam"]["id"]), s(&raw["awayTeam"]["id"]));
    let expected: Vec<Expected> = raw["summary"]["scoring"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["goals"].as_array().unwrap())
        .map(|g| Expected {
            scorer_id: Some(s(&g["playerId"])),
            text: None,
            team: if g["isHome"] == true {
                home.clone()
            } else {
                away.clone()
            },
            home: g["homeScore"].as_u64().unwrap(),
            away: g["awayScore"].as_u64().unwrap(),
        })
        .collect();
    let store = Store::open_in_memory().unwrap();
    let detail = store_detail(&store, "nhl", "nhl", &util::fixture(&dir, name));
    let app = app(&store);
    let n = expected.len();
    check_game(&app, name, &detail.game.id, "nhl", &expected, n).await;
    // Live (critical): someone who has not scored is `unknown`, never `no`.
    let answer = get(
        &app,
        &format!("/api/v1/games/{}/players/1/scored", detail.game.id),
    )
    .await;
    assert_eq!(
        (&answer["scored"], &answer["first"], &answer["game_state"]),
        (
            &Value::from("unknown"),
            &Value::from("unknown"),
            &Value::from("live")
        ),
        "{answer}"
    );
}

#[tokio::test]
async fn mlb_feed_first_scorer_and_scorers_match_the_payload() {
    let Some(dir) = util::shared_fixtures("mlb") else {
        return;
    };
    let name = "feed-live-744914-2024-07-01-final.json";
    let raw = json(&dir, name);
    let home = s(&raw["gameData"]["teams"]["home"]["id"]);
    let away = s(&raw["gameData"]["teams"]["away"]["id"]);
    let all = raw["liveData"]["plays"]["allPlays"].as_array().unwrap();
    let expected: Vec<Expected> = raw["liveData"]["plays"]["scoringPlays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &all[i.as_u64().unwrap() as usize])
        .map(|p| Expected {
            // The batter credited (`scorer_role: batter` in docs/events.md).
            scorer_id: Some(s(&p["matchup"]["batter"]["id"])),
            text: None,
            team: if p["about"]["halfInning"] == "bottom" {
                home.clone()
            } else {
                away.clone()
            },
            home: p["result"]["homeScore"].as_u64().unwrap(),
            away: p["result"]["awayScore"].as_u64().unwrap(),
        })
        .collect();
    let store = Store::open_in_memory().unwrap();
    let detail = store_detail(&store, "mlb", "mlb", &util::fixture(&dir, name));
    let app = app(&store);
    let n = expected.len();
    check_game(&app, name, &detail.game.id, "mlb", &expected, n).await;
    // Final, and the plays add up to the final score: a non-scorer is a settled `no`.
    let answer = get(
        &app,
        &format!("/api/v1/games/{}/players/1/scored", detail.game.id),
    )
    .await;
    assert_eq!(answer["game_state"], "final", "{answer}");
    assert_eq!(answer["settled"], true, "{answer}");
    assert_eq!(
        (&answer["scored"], &answer["first"]),
        (&Value::from("no"), &Value::from("no"))
    );
    // The second scorer scored, not first.
    let second = expected[1].scorer_id.clone().unwrap();
    let answer = get(
        &app,
        &format!("/api/v1/games/{}/players/{second}/scored", detail.game.id),
    )
    .await;
    assert_eq!(
        (&answer["scored"], &answer["first"]),
        (&Value::from("yes"), &Value::from("no"))
    );
}

/// A synthetic NHL game: `plays` are (sequence, team, scorer, home after, away after).
fn synthetic(
    store: &Store,
    id: &str,
    status: scoreline_core::model::GameStatus,
    plays: &[(u32, &str, Option<&str>, u32, u32)],
    at: DateTime<Utc>,
) {
    use scoreline_core::model::{Competitor, Game, ScoringPlay};
    let last = plays.last().map_or((0, 0), |p| (p.3, p.4));
    let side = |team: &str, score| Competitor {
        id: team.to_owned(),
        abbreviation: team.to_owned(),
        name: team.to_owned(),
        score: Some(score),
    };
    let game = Game {
        status_detail: status.to_string(),
        period: Some(3),
        start_time: Some(at),
        season: Some("2026".into()),
        ..Game::new(
            id,
            "nhl",
            "hockey",
            status,
            side("BOS", last.0),
            side("NYR", last.1),
        )
    };
    let plays: Vec<ScoringPlay> = plays
        .iter()
        .map(
            |&(sequence, team, scorer, home_score, away_score)| ScoringPlay {
                sequence,
                period: Some(sequence.min(3)),
                clock: Some("10:00".into()),
                team: team.to_owned(),
                scorer_id: scorer.map(str::to_owned),
                scorer_name: scorer.map(|s| format!("Player {s}")),
                assists: vec![],
                kind: "goal".into(),
                points: 1,
                home_score,
                away_score,
                description: format!("goal {sequence}"),
                details: Default::default(),
            },
        )
        .collect();
    let key = GameKey::new("nhl", "nhl", id);
    store.record_game(&key, &game, at).unwrap();
    store.record_scoring_plays(&key, &plays, at).unwrap();
}

#[tokio::test]
async fn scorer_commands_and_quality_reports() {
    use scoreline_core::model::GameStatus;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let at = Utc::now() - chrono::TimeDelta::minutes(5);
    {
        let store = Store::open(&data).unwrap();
        // Clean: P9 opens, P7 scores twice.
        synthetic(
            &store,
            "501",
            GameStatus::Final,
            &[
                (1, "NYR", Some("P9"), 0, 1),
                (2, "BOS", Some("P7"), 1, 1),
                (3, "BOS", Some("P7"), 2, 1),
            ],
            at,
        );
        // Broken: play 2 names nobody, then sequence 4 follows 2.
        synthetic(
            &store,
            "502",
            GameStatus::Live,
            &[
                (1, "BOS", Some("P7"), 1, 0),
                (2, "BOS", None, 2, 0),
                (4, "NYR", Some("P9"), 2, 1),
            ],
            at,
        );
        let app = app(&store);
        let health = get(&app, "/health").await;
        let q = &health["scoring_quality"];
        assert_eq!(q["ok"], false, "{q}");
        assert_eq!(
            (&q["games_checked"], &q["games_with_issues"]),
            (&Value::from(2), &Value::from(1))
        );
        let kinds: Vec<(&str, &str, u64)> = q["issues"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| {
                (
                    i["key"]["game_id"].as_str().unwrap(),
                    i["kind"].as_str().unwrap(),
                    i["sequence"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(kinds, [("502", "no_player", 2), ("502", "sequence_gap", 4)]);
        // 502 is live: P1 (no play) is `unknown`, never `no`; P7 opened the scoring.
        let p1 = get(&app, "/api/v1/games/502/players/P1/scored").await;
        assert_eq!(
            (&p1["scored"], &p1["first"]),
            (&Value::from("unknown"), &Value::from("unknown"))
        );
        let p7 = get(&app, "/api/v1/games/502/players/P7/scored").await;
        assert_eq!(
            (&p7["scored"], &p7["first"]),
            (&Value::from("yes"), &Value::from("yes"))
        );
        let p7 = get(&app, "/api/v1/games/501/players/P7/scored").await;
        assert_eq!(
            (&p7["scored"], &p7["first"], &p7["settled"]),
            (&Value::from("yes"), &Value::from("no"), &Value::from(true))
        );
        assert_eq!(p7["sequences"], serde_json::json!([2, 3]));
    }
    let cfg = dir.path().join("scoreline.toml");
    std::fs::write(
        &cfg,
        format!(
            "data_dir = {:?}\nplugin_dir = {:?}\n[http]\nenabled = false\n",
            data.to_str().unwrap(),
            dir.path().join("plugins").to_str().unwrap()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--config", cfg.to_str().unwrap()];
        all.extend_from_slice(args);
        let out = util::scoreline(&all);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let v: Value = serde_json::from_str(&run(&["scorers", "501", "--json"])).unwrap();
    assert_eq!(v["game_id"], "501");
    let plays = v["scoring_plays"].as_array().unwrap();
    let rows: Vec<(u64, &str, bool)> = plays
        .iter()
        .map(|p| {
            (
                p["sequence"].as_u64().unwrap(),
                p["scorer_id"].as_str().unwrap(),
                p["is_first_scorer"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows, [(1, "P9", true), (2, "P7", false), (3, "P7", false)]);
    assert_eq!(plays[0]["scorer_name"], "Player P9");
    assert_eq!(plays[0]["description"], "goal 1");
    let first: Value =
        serde_json::from_str(&run(&["scorers", "501", "--first", "--json"])).unwrap();
    assert_eq!(first["scoring_plays"].as_array().unwrap().len(), 1);
    assert_eq!(first["scoring_plays"][0]["scorer_id"], "P9");
    let text = run(&["scorers", "501"]);
    assert!(
        text.contains("#1 P1 10:00 NYR Player P9 (P9) goal +1 0-1 FIRST"),
        "{text}"
    );
    let player: Value =
        serde_json::from_str(&run(&["player", "P7", "--season", "2026", "--json"])).unwrap();
    assert_eq!(
        (
            &player["plays"],
            &player["games"],
            &player["first_scorer_games"]
        ),
        (&Value::from(3), &Value::from(2), &Value::from(1))
    );
    let games: Vec<(&str, &Value, &Value)> = player["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["game_id"].as_str().unwrap(),
                &h["sequences"],
                &h["first_scorer"],
            )
        })
        .collect();
    assert_eq!(
        games,
        [
            ("501", &serde_json::json!([2, 3]), &Value::from(false)),
            ("502", &serde_json::json!([1]), &Value::from(true)),
        ]
    );
    assert_eq!(player["scoring_plays"].as_array().unwrap().len(), 3);
    let none: Value =
        serde_json::from_str(&run(&["player", "P7", "--season", "2025", "--json"])).unwrap();
    assert_eq!(none["plays"], 0);
    let failures: Value = serde_json::from_str(&run(&["monitor", "failures", "--json"])).unwrap();
    let q = &failures["scoring_quality"];
    assert_eq!(
        (&q["games_checked"], &q["games_with_issues"]),
        (&Value::from(2), &Value::from(1))
    );
    assert_eq!(q["issues"][0]["kind"], "no_player");
    assert_eq!(q["issues"][1]["kind"], "sequence_gap");
    let text = run(&["monitor", "failures"]);
    assert!(
        text.contains("scoring plays: 1 of 2 game(s) with issues"),
        "{text}"
    );
    assert!(text.contains("nhl/nhl/502  no_player"), "{text}");
    let missing = util::scoreline(&["--config", cfg.to_str().unwrap(), "scorers", "999"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no game with id `999`"));
}
