//! Schedules end to end: `schedule ingest` through the real binary (all or nothing, idempotent,
//! zones), an ingested game driving a real poller's cadence, `backfill` of past days through the
//! real MLB component against a loopback server replaying recorded payloads, and
//! `monitor upcoming` reading the store with no daemon running.

use crate::util;
use axum::Router;
use axum::extract::{Path as UrlPath, Query};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use chrono::{DateTime, Duration, TimeZone, Utc};
use scoreline::config::{CadenceOverrides, Config, LeagueConfig};
use scoreline::fetch::Fetcher;
use scoreline::poller::{LeaguePoller, StatusBoard};
use scoreline_core::cadence::Phase;
use scoreline_core::clock::ManualClock;
use scoreline_core::model::{Competitor, Game, GameStatus};
use scoreline_core::model::{GameKey, ScheduledGame};
use scoreline_emulator::Emulator;
use scoreline_emulator::EmulatorConfig;
use scoreline_store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A temporary config: data and plugin dirs inside it, one `nhl` league on `espn` with aliases.
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new(extra: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("scoreline.toml");
        std::fs::write(
            &config,
            format!(
                "data_dir = {:?}\nplugin_dir = {:?}\n{extra}",
                dir.path().join("data").to_str().unwrap(),
                dir.path().join("plugins").to_str().unwrap(),
            ),
        )
        .unwrap();
        Setup { dir, config }
    }

    fn nhl() -> Setup {
        Setup::new(
            "[[leagues]]\nkey = \"nhl\"\nadapter = \"espn\"\ntimezone = \"America/New_York\"\n\
             [leagues.teams]\n\"Habs\" = \"MTL\"\n\"Bruins\" = \"bos\"\n\
             \"Utah Mammoth\" = { id = \"129764\", abbreviation = \"UTA\" }\n",
        )
    }

    fn store(&self) -> Store {
        Store::open(&self.dir.path().join("data")).unwrap()
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--config", self.config.to_str().unwrap()];
        all.extend_from_slice(args);
        util::scoreline(&all)
    }
}

fn data(name: &str) -> String {
    util::root()
        .join("tests/data/schedule")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

fn competitor(id: &str, abbreviation: &str, name: &str) -> Competitor {
    Competitor {
        id: id.into(),
        abbreviation: abbreviation.into(),
        name: name.into(),
        score: None,
    }
}

/// An ESPN-shaped NHL game between two known teams.
fn nhl_game(id: &str, home: Competitor, away: Competitor, start: DateTime<Utc>) -> Game {
    Game {
        status_detail: "Scheduled".into(),
        start_time: Some(start),
        season: Some("2030".into()),
        season_type: Some("regular".into()),
        ..Game::new(id, "nhl", "hockey", GameStatus::Scheduled, home, away)
    }
}

/// What the espn adapter has reported of the NHL: a game MTL-TOR and a schedule row BOS-NYR.
fn seed_nhl(store: &Store, now: DateTime<Utc>) {
    let mtl = competitor("10", "MTL", "Montreal Canadiens");
    let tor = competitor("21", "TOR", "Toronto Maple Leafs");
    let bos = competitor("1", "BOS", "Boston Bruins");
    let nyr = competitor("13", "NYR", "New York Rangers");
    let played = nhl_game("401559489", mtl, tor, now - Duration::days(3));
    store
        .record_game(&GameKey::new("nhl", "espn", "401559489"), &played, now)
        .unwrap();
    let listed = nhl_game("401559500", bos, nyr, now + Duration::days(300));
    store
        .record_schedule("nhl", "espn", &[played, listed], "espn", now)
        .unwrap();
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// The ingested schedule rows: (id, start, home abbreviation, away abbreviation, adapter).
fn ingested(store: &Store) -> Vec<(String, DateTime<Utc>, String, String, String)> {
    store
        .schedule(
            "nhl",
            at("2000-01-01T00:00:00Z"),
            at("2100-01-01T00:00:00Z"),
        )
        .unwrap()
        .into_iter()
        .filter(|s| s.source == "ingest")
        .map(|s: ScheduledGame| {
            (
                s.key.game_id,
                s.start_time,
                s.home.abbreviation,
                s.away.abbreviation,
                s.key.adapter,
            )
        })
        .collect()
}

/// Every column of every row of `table`, SQL-quoted, in key order: a byte-level picture.
fn dump(dir: &Path, table: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join("data").join("scoreline.db")).unwrap();
    let columns: Vec<String> = conn
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let quoted: Vec<String> = columns.iter().map(|c| format!("quote({c})")).collect();
    let sql = format!(
        "SELECT {} FROM {table} ORDER BY league, adapter, game_id",
        quoted.join(" || '|' || ")
    );
    conn.prepare(&sql)
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn ingest_maps_names_converts_zones_and_is_idempotent() {
    let setup = Setup::nhl();
    seed_nhl(&setup.store(), at("2030-01-01T12:00:00Z"));

    let out = setup.run(&[
        "schedule",
        "ingest",
        &data("nhl-week.csv"),
        "--league",
        "nhl",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.ends_with(
            "ingested 3 game(s) into league `nhl` (adapter `espn`, times in America/New_York)\n"
        ),
        "{stdout}"
    );
    let s = |v: &str| v.to_owned();
    let expected = vec![
        // Alias `Habs` → MTL, full name → TOR; 19:00 EST is midnight UTC.
        (
            s("ingest-20300110-21-10"),
            at("2030-01-11T00:00:00Z"),
            s("MTL"),
            s("TOR"),
            s("espn"),
        ),
        // Padded, lower-case full name (from the store's schedule row) and an abbreviation.
        (
            s("ingest-20300111-13-1"),
            at("2030-01-12T00:30:00Z"),
            s("BOS"),
            s("NYR"),
            s("espn"),
        ),
        // A team the store has never seen, defined in [leagues.teams].
        (
            s("ingest-20300112-10-129764"),
            at("2030-01-13T02:00:00Z"),
            s("UTA"),
            s("MTL"),
            s("espn"),
        ),
    ];
    assert_eq!(ingested(&setup.store()), expected);
    let before = dump(setup.dir.path(), "games");

    // Again: the same rows, no new ones; the adapter's rows and games are untouched.
    let again = setup.run(&[
        "schedule",
        "ingest",
        &data("nhl-week.csv"),
        "--league",
        "nhl",
    ]);
    assert!(again.status.success());
    assert_eq!(ingested(&setup.store()), expected);
    assert_eq!(dump(setup.dir.path(), "games"), before);
    assert_eq!(dump(setup.dir.path(), "schedules").len(), 5);

    // JSON with `{"games": [...]}` and times in Paris: CET on 10 March, CEST from 31 March.
    let json = setup.run(&[
        "schedule",
        "ingest",
        &data("nhl-paris.json"),
        "--league",
        "nhl",
        "--timezone",
        "Europe/Paris",
    ]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let rows = ingested(&setup.store());
    assert_eq!(rows.len(), 5);
    assert!(rows.contains(&(
        s("ingest-20300310-129764-10"),
        at("2030-03-10T11:00:00Z"),
        s("MTL"),
        s("UTA"),
        s("espn")
    )));
    assert!(rows.contains(&(
        s("ingest-20300331-1-21"),
        at("2030-03-31T10:00:00Z"),
        s("TOR"),
        s("BOS"),
        s("espn")
    )));

    // Errors before any row is read: unknown league, zone, extension.
    for (args, needle) in [
        (
            vec!["--league", "nba"],
            "league `nba` is not an enabled league",
        ),
        (
            vec!["--league", "nhl", "--timezone", "Mars/Olympus"],
            "`Mars/Olympus` is not an IANA time zone",
        ),
    ] {
        let file = data("nhl-week.csv");
        let mut all = vec!["schedule", "ingest", file.as_str()];
        all.extend(args);
        let out = setup.run(&all);
        assert_eq!(out.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
    }
    let out = setup.run(&[
        "schedule",
        "ingest",
        &setup.config.to_string_lossy(),
        "--league",
        "nhl",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("is neither .csv nor .json"));
}

#[test]
fn a_schedule_file_with_one_unmapped_team_changes_nothing_and_names_it() {
    let setup = Setup::nhl();
    seed_nhl(&setup.store(), at("2030-01-01T12:00:00Z"));
    let good = setup.run(&[
        "schedule",
        "ingest",
        &data("nhl-week.csv"),
        "--league",
        "nhl",
    ]);
    assert!(good.status.success());
    let schedules = dump(setup.dir.path(), "schedules");
    let games = dump(setup.dir.path(), "games");
    assert_eq!(schedules.len(), 5);
    assert!(
        schedules
            .iter()
            .any(|r| r.contains("'ingest-20300110-21-10'")),
        "{schedules:?}"
    );

    // Row 2 would move the ingested MTL-TOR game to 20:00 and row 4 add a game; row 3 has a team
    // nobody knows. Nothing of it may be written.
    let out = setup.run(&[
        "schedule",
        "ingest",
        &data("nhl-one-unmapped.csv"),
        "--league",
        "nhl",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("schedule not ingested, nothing written: 1 bad row(s)"),
        "{stderr}"
    );
    assert!(stderr.contains("`Quebec Nordiques`: line 3"), "{stderr}");
    assert!(
        stderr.contains("[leagues.teams] of league `nhl`"),
        "{stderr}"
    );
    assert_eq!(dump(setup.dir.path(), "schedules"), schedules);
    assert_eq!(dump(setup.dir.path(), "games"), games);
}

fn nhl_league() -> LeagueConfig {
    let secs = std::time::Duration::from_secs;
    LeagueConfig {
        key: "nhl".to_owned(),
        adapter: "espn".to_owned(),
        timezone: chrono_tz::America::New_York,
        options: Vec::new(),
        cadence: CadenceOverrides {
            idle: Some(secs(600)),
            pregame: Some(secs(60)),
            live: Some(secs(10)),
            settle: Some(secs(900)),
            pregame_window: secs(300),
        },
        teams: Vec::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ingested_game_alone_steps_the_poller_up_around_its_start() {
    // The emulator's slate is around `now`; the ingested game is three days later, on a day
    // upstream reports nothing yet.
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap();
    let start = now + Duration::days(3);
    let clock = Arc::new(ManualClock::new(now));
    let emulator = Emulator::start(
        EmulatorConfig {
            updates: None,
            seed: 7,
            game_length: std::time::Duration::from_secs(60),
            stagger: std::time::Duration::from_secs(10),
            max_age: std::time::Duration::from_secs(5),
            error_rate: 0.0,
            timeout_rate: 0.0,
            malformed_rate: 0.0,
            glitch: false,
            drop_game: false,
            stale: false,
        },
        clock.clone(),
    )
    .await
    .unwrap();
    let upstream = Config::parse(
        Path::new("schedule-test.toml"),
        "[emulator]\nenabled = true\n[upstream]\nretries = 0\nrate_per_sec = 1000\n\
         [upstream.overrides]\n\"site.api.espn.com\" = \"emulator\"\n",
        |_| None,
    )
    .unwrap()
    .upstream;
    let fetcher = Fetcher::new(upstream, Some(emulator.base_url()), clock.clone()).unwrap();
    let store = Store::open_in_memory().unwrap();
    let adapter = util::load(&util::espn());
    let mut poller = LeaguePoller::new(
        nhl_league(),
        adapter,
        fetcher,
        store.clone(),
        StatusBoard::default(),
        now,
    )
    .unwrap();
    assert_eq!(
        poller.decide(start - Duration::minutes(4)).phase,
        Phase::Idle
    );

    // `schedule ingest` writes the game after the poller started: the next idle refresh sees it.
    let game = nhl_game(
        "ingest-20261125-21-10",
        competitor("10", "MTL", "Montreal Canadiens"),
        competitor("21", "TOR", "Toronto Maple Leafs"),
        start,
    );
    store
        .record_schedule("nhl", "espn", &[game], "ingest", now)
        .unwrap();
    poller.poll(now).await;
    let d = poller.decide(start - Duration::minutes(6));
    assert_eq!(
        (d.phase, d.next_at),
        (Phase::Idle, start - Duration::minutes(5))
    );
    let d = poller.decide(start - Duration::minutes(4));
    assert_eq!(d.phase, Phase::Pregame);
    assert_eq!(
        d.days,
        vec![chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()]
    );

    // A round in the window asks upstream for the game's day and comes back in 60 s, not 10 min.
    let before = emulator.requests();
    clock.set(start - Duration::minutes(4));
    let report = poller.poll(start - Duration::minutes(4)).await;
    assert_eq!(report.errors, 0);
    assert_eq!(emulator.requests(), before + 1);
    assert_eq!(poller.next_at(), start - Duration::minutes(3));
    emulator.shutdown().await;
}

/// A loopback Stats API: the recorded 2024-07-01 schedule narrowed to the game whose live feed is
/// recorded too, an empty 2024-06-30 and a failing 2024-07-02.
async fn mlb_upstream(fixtures: &Path) -> (String, tokio::task::JoinHandle<()>) {
    let mut schedule: serde_json::Value =
        serde_json::from_slice(&util::fixture(fixtures, "schedule-2024-07-01-final.json")).unwrap();
    let games = schedule["dates"][0]["games"].as_array_mut().unwrap();
    games.retain(|g| g["gamePk"] == 744914);
    assert_eq!(games.len(), 1);
    schedule["totalGames"] = 1.into();
    let schedule = Arc::new(schedule.to_string());
    let feed = Arc::new(util::fixture(
        fixtures,
        "feed-live-744914-2024-07-01-final.json",
    ));
    let app = Router::new()
        .route(
            "/api/v1/schedule",
            get(move |Query(q): Query<BTreeMap<String, String>>| {
                let schedule = schedule.clone();
                async move {
                    match q.get("date").map(String::as_str) {
                        Some("2024-07-01") => (StatusCode::OK, (*schedule).clone()),
                        Some("2024-06-30") => {
                            (StatusCode::OK, r#"{"totalGames":0,"dates":[]}"#.to_owned())
                        }
                        _ => (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            r#"{"message":"boom"}"#.to_owned(),
                        ),
                    }
                }
            }),
        )
        .route(
            "/api/v1.1/game/{pk}/feed/live",
            get(move |UrlPath(pk): UrlPath<String>| {
                let feed = feed.clone();
                async move {
                    if pk == "744914" {
                        (StatusCode::OK, (*feed).clone()).into_response()
                    } else {
                        StatusCode::NOT_FOUND.into_response()
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backfill_stores_past_days_and_reports_the_failed_one() {
    let Some(fixtures) = util::shared_fixtures("mlb") else {
        return;
    };
    let (url, server) = mlb_upstream(&fixtures).await;
    let setup = Setup::new(&format!(
        "[upstream]\nretries = 0\nrate_per_sec = 1000\ntimeout_ms = 5000\n\
         [upstream.overrides]\n\"statsapi.mlb.com\" = \"{url}\"\n\
         [[leagues]]\nkey = \"mlb\"\nadapter = \"mlb\"\ntimezone = \"America/New_York\"\n"
    ));
    let plugins = setup.dir.path().join("plugins");
    std::fs::create_dir_all(&plugins).unwrap();
    std::fs::copy(
        util::component("scoreline-plugin-mlb"),
        plugins.join("mlb.wasm"),
    )
    .unwrap();

    let run = |from: &'static str, to: &'static str| {
        let config = setup.config.clone();
        tokio::task::spawn_blocking(move || {
            util::scoreline(&[
                "--config",
                config.to_str().unwrap(),
                "backfill",
                "--league",
                "mlb",
                "--from",
                from,
                "--to",
                to,
            ])
        })
    };
    let out = run("2024-06-30", "2024-07-02").await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "2024-06-30  games 0  stored 0  held 0  stale 0  rejected 0  finals 0  details 0  plays 0  ok",
            "2024-07-01  games 1  stored 1  held 0  stale 0  rejected 0  finals 1  details 1  plays 3  ok",
            "2024-07-02  games 0  stored 0  held 0  stale 0  rejected 0  finals 0  details 0  plays 0  \
             FAILED: fetch `https://statsapi.mlb.com/api/v1/schedule?sportId=1&date=2024-07-02&hydrate=linescore,team`: \
             upstream answered 500 after 1 attempt(s)",
        ],
        "{stderr}"
    );
    assert!(
        stderr.contains("backfill: 1 of 3 day(s) failed: 2024-07-02"),
        "{stderr}"
    );

    // The stored final matches the recording: HOU 3 at TOR 1, with its three scoring plays.
    let store = setup.store();
    let key = GameKey::new("mlb", "mlb", "744914");
    let game = store.latest(&key).unwrap().unwrap();
    assert_eq!(game.status, GameStatus::Final);
    assert_eq!(
        (
            game.home.name.as_str(),
            game.home.score,
            game.away.name.as_str(),
            game.away.score
        ),
        ("Toronto Blue Jays", Some(1), "Houston Astros", Some(3))
    );
    let plays = store.scoring_plays(&key).unwrap();
    assert_eq!(plays.len(), 3);
    assert_eq!(
        plays.last().map(|p| (p.home_score, p.away_score)),
        Some((1, 3))
    );
    let schedule = store
        .schedule(
            "mlb",
            at("2024-07-01T00:00:00Z"),
            at("2024-07-03T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        schedule
            .iter()
            .map(|s| (s.key.game_id.as_str(), s.source.as_str()))
            .collect::<Vec<_>>(),
        [("744914", "mlb")]
    );
    let timeline = store.timeline(&key).unwrap();
    assert_eq!(timeline.len(), 1);
    drop(store);

    // Again, the good day only: exit 0, nothing new in the timeline, the same plays.
    let out = run("2024-07-01", "2024-07-01").await.unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = setup.store();
    assert_eq!(store.timeline(&key).unwrap(), timeline);
    assert_eq!(store.scoring_plays(&key).unwrap(), plays);
    server.abort();
}

#[test]
fn monitor_upcoming_lists_reported_and_ingested_games_with_their_phase() {
    let setup = Setup::nhl();
    let store = setup.store();
    // Whole seconds from now, so what the store keeps (milliseconds) compares exactly.
    let now = Utc.timestamp_opt(Utc::now().timestamp(), 0).unwrap();
    let mtl = competitor("10", "MTL", "Montreal Canadiens");
    let tor = competitor("21", "TOR", "Toronto Maple Leafs");
    let bos = competitor("1", "BOS", "Boston Bruins");
    let nyr = competitor("13", "NYR", "New York Rangers");
    // Reported, in 3 minutes (inside the default 30-minute window).
    let soon = nhl_game("401", mtl.clone(), tor.clone(), now + Duration::minutes(3));
    store
        .record_game(&GameKey::new("nhl", "espn", "401"), &soon, now)
        .unwrap();
    store
        .record_schedule("nhl", "espn", &[soon], "espn", now)
        .unwrap();
    // Ingested: one matching the reported game (listed once, as reported), one in 5 hours, one
    // past the 1-day window.
    let ingested = [
        nhl_game("ingest-a", mtl, tor, now + Duration::minutes(60)),
        nhl_game(
            "ingest-b",
            bos.clone(),
            nyr.clone(),
            now + Duration::hours(5),
        ),
        nhl_game("ingest-c", nyr, bos, now + Duration::hours(30)),
    ];
    store
        .record_schedule("nhl", "espn", &ingested, "ingest", now)
        .unwrap();
    drop(store);

    let out = setup.run(&["monitor", "upcoming", "--days", "1", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    let league = &v["leagues"][0];
    assert_eq!(league["league"], "nhl");
    assert_eq!(league["pregame_window_secs"], 1800);
    let games: Vec<(String, String, String, String)> = league["games"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["game_id"].as_str().unwrap().to_owned(),
                g["source"].as_str().unwrap().to_owned(),
                g["phase"].as_str().unwrap().to_owned(),
                g["steps_up_at"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let rfc = |t: DateTime<Utc>| {
        serde_json::to_value(t)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        games,
        [
            (
                "401".to_owned(),
                "espn".to_owned(),
                "pregame".to_owned(),
                rfc(now + Duration::minutes(3) - Duration::minutes(30))
            ),
            (
                "ingest-b".to_owned(),
                "ingest".to_owned(),
                "idle".to_owned(),
                rfc(now + Duration::hours(5) - Duration::minutes(30))
            ),
        ]
    );
    // The table names the same games.
    let text = setup.run(&["monitor", "upcoming", "--days", "1"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("nhl (America/New_York; polling steps up 30 min before a start): 2 game(s)"),
        "{text}"
    );
    assert!(
        text.contains("TOR @ MTL") && text.contains("NYR @ BOS"),
        "{text}"
    );
}

/// `POST /admin/schedule` through the router: one request, status and JSON body.
async fn upload(
    app: &Router,
    query: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let uri = format!("/admin/schedule{query}");
    util::request(app, "POST", &uri, token, content_type, body).await
}

/// The operator API's upload writes exactly what `schedule ingest` writes for the same file and
/// config; a file with unmapped names writes nothing and lists each name with its rows; an
/// unknown league or zone, a missing league, an oversized body and a missing token are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_upload_through_the_admin_api_is_the_cli_path() {
    const TOKEN: &str = "schedule-upload-token";
    let now = at("2030-01-01T12:00:00Z");
    // The CLI's result, in a setup of its own.
    let cli = Setup::nhl();
    seed_nhl(&cli.store(), now);
    let out = cli.run(&[
        "schedule",
        "ingest",
        &data("nhl-week.csv"),
        "--league",
        "nhl",
    ]);
    assert!(out.status.success());
    let by_cli = ingested(&cli.store());
    assert_eq!(by_cli.len(), 3);

    let setup = Setup::nhl();
    let store = setup.store();
    seed_nhl(&store, now);
    let config = Config::load(Some(&setup.config)).unwrap();
    let app = scoreline::http::app(scoreline::http::state::AppState {
        admin_token: Some(Arc::from(TOKEN)),
        leagues: Arc::new(config.leagues.clone()),
        ..scoreline::http::state::AppState::new(store.clone())
    });
    let t = Some(TOKEN);
    let week = std::fs::read(data("nhl-week.csv")).unwrap();

    let (code, body) = upload(&app, "?league=nhl", t, Some("text/csv"), week.clone()).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["games_written"], 3);
    assert_eq!(body["league"], "nhl");
    assert_eq!(body["adapter"], "espn");
    assert_eq!(body["timezone"], "America/New_York");
    assert_eq!(body["games"][0]["id"], "ingest-20300110-21-10");
    assert_eq!(body["games"][0]["start_time"], "2030-01-11T00:00:00Z");
    assert_eq!(body["games"][0]["venue"], "Centre Bell");
    assert_eq!(ingested(&store), by_cli);
    let schedules = dump(setup.dir.path(), "schedules");
    let games = dump(setup.dir.path(), "games");
    assert_eq!(schedules.len(), 5);

    // Two names nobody knows, one of them twice: 422, both listed with their rows, nothing
    // written (row 2 would have moved a game, row 5 added one).
    let unmapped = "date,time,home_team,away_team\n\
                    2030-01-10,20:00,Habs,TOR\n\
                    2030-01-13,19:00,Quebec Nordiques,BOS\n\
                    2030-01-14,19:00,NYR,Hartford Whalers\n\
                    2030-01-15,19:00,NYR,MTL\n\
                    2030-01-16,19:00,quebec  nordiques,TOR\n";
    let (code, body) = upload(
        &app,
        "?league=nhl&format=csv",
        t,
        None,
        unmapped.as_bytes().to_vec(),
    )
    .await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        body["unmapped"],
        serde_json::json!([
            {"name": "Quebec Nordiques", "rows": ["line 3", "line 6"]},
            {"name": "Hartford Whalers", "rows": ["line 4"]},
        ])
    );
    assert_eq!(body["bad_rows"], serde_json::json!([]));
    let message = body["error"].as_str().unwrap();
    assert!(
        message.contains("schedule not ingested, nothing written: 3 bad row(s)"),
        "{message}"
    );
    assert_eq!(dump(setup.dir.path(), "schedules"), schedules);
    assert_eq!(dump(setup.dir.path(), "games"), games);

    // JSON, recognised by its first character, with the zone given.
    let paris = std::fs::read(data("nhl-paris.json")).unwrap();
    let (code, body) = upload(&app, "?league=nhl&timezone=Europe/Paris", t, None, paris).await;
    assert_eq!(code, StatusCode::OK, "{body}");
    assert_eq!(body["games_written"], 2);
    assert_eq!(body["timezone"], "Europe/Paris");
    let rows = ingested(&store);
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().any(|r| r.0 == "ingest-20300331-1-21"
        && r.1 == at("2030-03-31T10:00:00Z")
        && r.2 == "TOR"));

    // Refusals, each naming what is wrong; none writes.
    for (query, status, needle) in [
        (
            "?league=nba",
            StatusCode::NOT_FOUND,
            "league `nba` is not an enabled league",
        ),
        (
            "?league=nhl&timezone=Mars/Olympus",
            StatusCode::BAD_REQUEST,
            "`Mars/Olympus` is not an IANA time zone",
        ),
        (
            "",
            StatusCode::BAD_REQUEST,
            "`league` query parameter is required",
        ),
        (
            "?league=nhl&format=xml",
            StatusCode::BAD_REQUEST,
            "format `xml` is neither",
        ),
    ] {
        let (code, body) = upload(&app, query, t, None, week.clone()).await;
        assert_eq!(code, status, "{query}: {body}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(needle), "{query}: {error}");
    }
    let (code, body) = upload(&app, "?league=nhl", t, None, Vec::new()).await;
    assert_eq!(code, StatusCode::BAD_REQUEST, "{body}");
    let huge = vec![b' '; scoreline::schedule_ingest::MAX_SCHEDULE_BYTES + 1];
    let (code, _) = upload(&app, "?league=nhl", t, None, huge).await;
    assert_eq!(code, StatusCode::PAYLOAD_TOO_LARGE);
    for token in [None, Some("wrong")] {
        let (code, _) = upload(&app, "?league=nhl", token, None, week.clone()).await;
        assert_eq!(code, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(ingested(&store).len(), 5);
    assert_eq!(dump(setup.dir.path(), "schedules").len(), 7);
}
