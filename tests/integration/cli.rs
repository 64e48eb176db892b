//! The `scoreline` binary end to end: stdout carries only the result, logs go to stderr, errors
//! exit non-zero, and a hostile component never takes the process down.

use crate::util;

#[test]
fn exec_on_hostile_guests_fails_cleanly() {
    let hostile = util::hostile();
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), b"{}").unwrap();
    let body = body.path().to_str().unwrap();
    for (league, needle) in [
        ("loop", "CPU deadline"),
        ("bomb", "memory limit"),
        ("trap", "trapped"),
        ("huge", "returned too much"),
    ] {
        let out = util::scoreline(&[
            "plugin",
            "exec",
            hostile.to_str().unwrap(),
            "scoreboard",
            "--league",
            league,
            "--body",
            body,
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "league {league}: a clean error exit, not a crash"
        );
        assert!(out.stdout.is_empty(), "league {league}: nothing on stdout");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(needle),
            "league {league}: stderr lacks {needle:?}: {stderr}"
        );
    }
    let out = util::scoreline(&[
        "plugin",
        "exec",
        hostile.to_str().unwrap(),
        "scoreboard",
        "--league",
        "good",
        "--body",
        body,
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    assert_eq!(v["games"][0]["id"], "1");
    assert_eq!(v["games"][0]["status"], "scheduled");
}

#[test]
fn plugin_build_discovers_every_adapter_and_list_reports_them() {
    let out = tempfile::tempdir().unwrap();
    let build = util::scoreline(&["plugin", "build", "--out", out.path().to_str().unwrap()]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    // stdout lists one component path per adapter crate under plugins/.
    let stdout = String::from_utf8(build.stdout).unwrap();
    let mut built: Vec<String> = stdout
        .lines()
        .map(|l| {
            std::path::Path::new(l)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    built.sort();
    let mut expected: Vec<String> = std::fs::read_dir(util::root().join("plugins"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| format!("{}.wasm", e.file_name().to_string_lossy()))
        .collect();
    expected.sort();
    assert_eq!(built, expected);

    let config = out.path().join("scoreline.toml");
    std::fs::write(
        &config,
        format!("plugin_dir = {:?}\n", out.path().to_str().unwrap()),
    )
    .unwrap();
    let list = util::scoreline(&[
        "--config",
        config.to_str().unwrap(),
        "plugin",
        "list",
        "--json",
    ]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).expect("stdout is JSON only");
    let adapters = v["adapters"].as_array().unwrap();
    assert_eq!(adapters.len(), expected.len());
    let espn = adapters
        .iter()
        .find(|a| a["name"] == "espn")
        .expect("espn listed");
    assert_eq!(espn["hosts"], serde_json::json!(["site.api.espn.com"]));
    let leagues: Vec<&str> = espn["leagues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    for key in [
        "nfl",
        "nba",
        "wnba",
        "nhl",
        "mlb",
        "college-football",
        "mens-college-basketball",
        "womens-college-basketball",
        "*.*",
    ] {
        assert!(
            leagues.contains(&key),
            "espn does not declare {key}: {leagues:?}"
        );
    }
    // Soccer codes of every depth ESPN uses are served through the patterns.
    for code in ["eng.1", "uefa.europa.conf", "usa.ncaa.m.1"] {
        assert!(
            leagues
                .iter()
                .any(|p| scoreline_core::model::league_matches(p, code)),
            "espn does not serve {code}: {leagues:?}"
        );
    }
    let bytes = std::fs::read(out.path().join("espn.wasm")).unwrap();
    use sha2::Digest;
    assert_eq!(espn["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
}

#[test]
fn games_and_monitor_stats_read_the_store_with_no_daemon() {
    use chrono::{TimeZone, Utc};
    use scoreline_core::model::GameKey;
    use scoreline_core::model::{Competitor, Game, GameStatus};
    use scoreline_store::{Store, UpstreamCall};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let at = Utc::now();
    {
        let store = Store::open(&data).unwrap();
        let side = |id: &str, score| Competitor {
            id: id.into(),
            abbreviation: id.into(),
            name: id.into(),
            score: Some(score),
        };
        for (id, league, status, h, a) in [
            ("1", "nfl", GameStatus::Live, 7, 3),
            ("2", "nfl", GameStatus::Final, 21, 24),
            ("3", "nba", GameStatus::Live, 50, 48),
        ] {
            let game = Game {
                period: Some(2),
                start_time: Some(Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()),
                ..Game::new(
                    id,
                    league,
                    "football",
                    status,
                    side("HOM", h),
                    side("AWY", a),
                )
            };
            store
                .record_game(&GameKey::new(league, "espn", id), &game, at)
                .unwrap();
        }
        for (status, error) in [
            (Some(200), None),
            (Some(500), Some("upstream answered 500".to_owned())),
            (None, Some("timed out".to_owned())),
        ] {
            let call = UpstreamCall {
                at,
                adapter: "espn".into(),
                league: "nfl".into(),
                host: "site.api.espn.com".into(),
                url: "https://site.api.espn.com/x".into(),
                status,
                bytes: 100,
                latency_ms: 5,
                error,
                from_cache: false,
                attempt: 1,
            };
            store.record_call(&call).unwrap();
        }
    }
    let config = dir.path().join("scoreline.toml");
    std::fs::write(
        &config,
        format!("data_dir = {:?}\n", data.to_str().unwrap()),
    )
    .unwrap();
    let config = config.to_str().unwrap();

    let out = util::scoreline(&[
        "--config", config, "games", "--league", "nfl", "--status", "live", "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    let games = v["games"].as_array().unwrap();
    assert_eq!(games.len(), 1);
    assert_eq!(
        (games[0]["id"].as_str(), games[0]["status"].as_str()),
        (Some("1"), Some("live"))
    );
    assert_eq!(
        (
            games[0]["home"]["score"].as_u64(),
            games[0]["away"]["score"].as_u64()
        ),
        (Some(7), Some(3))
    );

    let out = util::scoreline(&["--config", config, "monitor", "stats", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    let upstream = v["upstream"].as_array().unwrap();
    assert_eq!(upstream.len(), 1);
    assert_eq!(upstream[0]["host"], "site.api.espn.com");
    assert_eq!(
        (
            upstream[0]["calls"].as_u64(),
            upstream[0]["errors"].as_u64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(v["rejected_snapshots"], 0);

    let out = util::scoreline(&["--config", config, "games", "--status", "over"]);
    assert_eq!(out.status.code(), Some(2), "clap refuses an unknown status");
}

/// `monitor stats` and `monitor failures` over a seeded store, at a fixed `--now`: every number
/// below is worked out by hand from the rows seeded.
#[test]
fn monitor_stats_and_failures_report_exact_numbers() {
    use chrono::{DateTime, Utc};
    use scoreline_core::model::GameKey;
    use scoreline_core::model::{Competitor, Game, GameStatus};
    use scoreline_core::upstream::breaker::BreakerState;
    use scoreline_store::{BreakerTransition, StaleSource, Store, UpstreamCall};
    use serde_json::json;

    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let store = Store::open(&data).unwrap();
        // (at, host, league, status, error, from cache, attempt, bytes, latency ms)
        type Row<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<u16>,
            Option<&'a str>,
            bool,
            u32,
            u64,
            u64,
        );
        let espn = "site.api.espn.com";
        let mlb = "statsapi.mlb.com";
        let e500 = Some("upstream answered 500");
        let e503 = Some("upstream answered 503");
        let rows: [Row; 11] = [
            // Before both windows.
            (
                "2026-11-20T11:59:59Z",
                espn,
                "nfl",
                Some(500),
                e500,
                false,
                1,
                20,
                300,
            ),
            // 2026-11-21 (UTC): a success, a 500 and its successful retry.
            (
                "2026-11-21T18:00:00Z",
                espn,
                "nfl",
                Some(200),
                None,
                false,
                1,
                1000,
                100,
            ),
            (
                "2026-11-21T18:00:05Z",
                espn,
                "nfl",
                Some(500),
                e500,
                false,
                1,
                20,
                300,
            ),
            (
                "2026-11-21T18:00:06Z",
                espn,
                "nfl",
                Some(200),
                None,
                false,
                2,
                1000,
                200,
            ),
            // 2026-11-22 (UTC): a cache hit, a success and a timeout.
            (
                "2026-11-22T01:00:00Z",
                espn,
                "nfl",
                Some(200),
                None,
                true,
                1,
                1000,
                0,
            ),
            (
                "2026-11-22T01:00:00Z",
                espn,
                "nba",
                Some(200),
                None,
                false,
                1,
                500,
                50,
            ),
            (
                "2026-11-22T03:00:00Z",
                espn,
                "nba",
                None,
                Some("timed out"),
                false,
                1,
                0,
                10_000,
            ),
            // MLB answering 503 to a first try and two retries.
            (
                "2026-11-22T10:00:00Z",
                mlb,
                "mlb",
                Some(503),
                e503,
                false,
                1,
                30,
                20,
            ),
            (
                "2026-11-22T10:00:01Z",
                mlb,
                "mlb",
                Some(503),
                e503,
                false,
                2,
                30,
                20,
            ),
            (
                "2026-11-22T10:00:03Z",
                mlb,
                "mlb",
                Some(503),
                e503,
                false,
                3,
                30,
                20,
            ),
            // At `--now` exactly: outside the half-open window.
            (
                "2026-11-22T12:00:00Z",
                espn,
                "nfl",
                Some(200),
                None,
                false,
                1,
                1000,
                100,
            ),
        ];
        for (i, (when, host, league, status, error, from_cache, attempt, bytes, latency_ms)) in
            rows.into_iter().enumerate()
        {
            store
                .record_call(&UpstreamCall {
                    at: at(when),
                    adapter: if host == mlb { "mlb" } else { "espn" }.into(),
                    league: league.into(),
                    host: host.into(),
                    url: format!("https://{host}/{i}"),
                    status,
                    bytes,
                    latency_ms,
                    error: error.map(str::to_owned),
                    from_cache,
                    attempt,
                })
                .unwrap();
        }
        for (when, host, state, reason) in [
            (
                "2026-11-19T00:00:00Z",
                espn,
                BreakerState::Open,
                "5 failures in a row",
            ),
            (
                "2026-11-19T00:01:00Z",
                espn,
                BreakerState::HalfOpen,
                "cool-down over",
            ),
            (
                "2026-11-19T00:02:00Z",
                espn,
                BreakerState::Closed,
                "trial request succeeded",
            ),
            (
                "2026-11-22T10:00:04Z",
                mlb,
                BreakerState::Open,
                "3 failures in a row",
            ),
        ] {
            store
                .record_breaker(&BreakerTransition {
                    at: at(when),
                    host: host.into(),
                    state,
                    reason: reason.into(),
                })
                .unwrap();
        }
        let side = |id: &str| Competitor {
            id: id.into(),
            abbreviation: id.into(),
            name: id.into(),
            score: Some(0),
        };
        for (when, league, id, reason) in [
            ("2026-11-10T00:00:00Z", "nfl", "400", "score went backwards"),
            ("2026-11-21T20:00:00Z", "nba", "501", "final game went live"),
            ("2026-11-22T02:00:00Z", "nfl", "401", "score went backwards"),
            ("2026-11-22T04:00:00Z", "nfl", "402", "score went backwards"),
        ] {
            let game = Game {
                period: Some(1),
                ..Game::new(
                    id,
                    league,
                    "football",
                    GameStatus::Live,
                    side("HOM"),
                    side("AWY"),
                )
            };
            store
                .record_rejection(&GameKey::new(league, "espn", id), reason, &game, at(when))
                .unwrap();
        }
        // Two stale copies in the window, one before it.
        for (when, source) in [
            ("2026-11-10T00:00:00Z", StaleSource::Scoreboard),
            ("2026-11-22T05:00:00Z", StaleSource::Scoreboard),
            ("2026-11-22T05:00:10Z", StaleSource::Detail),
        ] {
            store
                .record_stale(
                    &GameKey::new("nhl", "espn", "77"),
                    source,
                    "period 1 is behind period 2",
                    at(when),
                )
                .unwrap();
        }
    }
    // One configured league that made no call: the fixed poller would have polled it too.
    let config = dir.path().join("scoreline.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n[[leagues]]\nkey = \"nhl\"\nadapter = \"espn\"\n",
            data.to_str().unwrap()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let now = "2026-11-22T12:00:00Z";
    let run_json = |args: &[&str]| -> serde_json::Value {
        let mut all = vec!["--config", config, "monitor"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--now", now, "--json"]);
        let out = util::scoreline(&all);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("stdout is JSON only")
    };

    // ---- stats, UTC days ----
    let v = run_json(&["stats", "--hours", "48"]);
    assert_eq!(v["since"], "2026-11-20T12:00:00Z");
    assert_eq!(v["until"], "2026-11-22T12:00:00Z");
    assert_eq!(v["timezone"], "UTC");
    let days: Vec<serde_json::Value> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            json!([
                d["day"],
                d["host"],
                d["league"],
                d["calls"],
                d["errors"],
                d["retries"],
                d["cache_hits"],
                d["cache_hit_rate"],
                d["upstream_requests"],
                d["bytes"],
                d["mean_latency_ms"],
                d["max_latency_ms"]
            ])
        })
        .collect();
    assert_eq!(
        days,
        [
            json!([
                "2026-11-21",
                "site.api.espn.com",
                "nfl",
                3,
                1,
                1,
                0,
                0.0,
                3,
                2020,
                200.0,
                300
            ]),
            json!([
                "2026-11-22",
                "site.api.espn.com",
                "nba",
                2,
                1,
                0,
                0,
                0.0,
                2,
                500,
                5025.0,
                10000
            ]),
            json!([
                "2026-11-22",
                "site.api.espn.com",
                "nfl",
                1,
                0,
                0,
                1,
                1.0,
                0,
                0,
                null,
                null
            ]),
            json!([
                "2026-11-22",
                "statsapi.mlb.com",
                "mlb",
                3,
                3,
                2,
                0,
                0.0,
                3,
                90,
                20.0,
                20
            ]),
        ]
    );
    assert_eq!(
        v["totals"],
        json!({"calls": 9, "errors": 5, "retries": 3, "cache_hits": 1, "cache_hit_rate": 0.1111,
               "upstream_requests": 8, "bytes": 2610, "mean_latency_ms": 1338.75,
               "max_latency_ms": 10000})
    );
    let upstream: Vec<(String, u64)> = v["upstream"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                format!(
                    "{}/{}",
                    r["host"].as_str().unwrap(),
                    r["league"].as_str().unwrap()
                ),
                r["calls"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        upstream,
        [
            ("site.api.espn.com/nba".to_owned(), 2),
            ("site.api.espn.com/nfl".to_owned(), 4),
            ("statsapi.mlb.com/mlb".to_owned(), 3),
        ]
    );
    let hosts = v["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 2);
    assert_eq!(
        (
            &hosts[0]["host"],
            &hosts[0]["calls"],
            &hosts[0]["cache_hit_rate"]
        ),
        (&json!("site.api.espn.com"), &json!(6), &json!(0.1667))
    );
    assert_eq!(
        hosts[0]["breaker"],
        json!({"at": "2026-11-19T00:02:00Z", "host": "site.api.espn.com", "state": "closed",
               "reason": "trial request succeeded"})
    );
    assert_eq!(hosts[1]["host"], "statsapi.mlb.com");
    assert_eq!(hosts[1]["breaker"]["state"], "open");
    assert_eq!(hosts[1]["breaker"]["at"], "2026-11-22T10:00:04Z");
    // mlb, nba, nfl seen, nhl configured: 4 leagues polled every 10 s for 48 h.
    assert_eq!(
        v["fixed_interval"],
        json!({
            "interval_secs": 10,
            "leagues": ["mlb", "nba", "nfl", "nhl"],
            "polls_per_league": 17280,
            "estimated_calls": 69120,
            "actual_calls": 8,
            "saved_percent": 99.99,
            "days": [
                {"day": "2026-11-20", "estimated_calls": 17280, "actual_calls": 0,
                 "saved_percent": 100.0},
                {"day": "2026-11-21", "estimated_calls": 34560, "actual_calls": 3,
                 "saved_percent": 99.99},
                {"day": "2026-11-22", "estimated_calls": 17280, "actual_calls": 5,
                 "saved_percent": 99.97},
            ]
        })
    );
    assert_eq!(v["rejected_snapshots"], 3);
    assert_eq!(v["stale_snapshots"], 2);
    assert_eq!(v["warnings"], json!([]));
    // A window longer than the default 14 days of call log says so.
    let v = run_json(&["stats", "--hours", "400"]);
    assert_eq!(
        v["warnings"],
        json!([
            "the window (400 h) is longer than the call log is kept ([retention] \
                upstream_calls = 2w): older calls were deleted, so counts are low and saved % \
                is high"
        ])
    );

    // ---- stats, New York days, a 60 s fixed poller ----
    let v = run_json(&[
        "stats",
        "--hours",
        "48",
        "--timezone",
        "America/New_York",
        "--fixed-interval",
        "60",
    ]);
    let days: Vec<(String, String, u64)> = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_owned(),
                d["league"].as_str().unwrap().to_owned(),
                d["calls"].as_u64().unwrap(),
            )
        })
        .collect();
    let day = |d: &str, l: &str, n| (d.to_owned(), l.to_owned(), n);
    // Everything before 05:00 UTC on the 22nd is still the 21st in New York.
    assert_eq!(
        days,
        [
            day("2026-11-21", "nba", 2),
            day("2026-11-21", "nfl", 4),
            day("2026-11-22", "mlb", 3)
        ]
    );
    let fixed: Vec<(String, u64, u64)> = v["fixed_interval"]["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap().to_owned(),
                d["estimated_calls"].as_u64().unwrap(),
                d["actual_calls"].as_u64().unwrap(),
            )
        })
        .collect();
    // 07:00-24:00, all day, 00:00-07:00 New York time; one poll a minute, 4 leagues.
    assert_eq!(
        fixed,
        [
            ("2026-11-20".to_owned(), 17 * 60 * 4, 0),
            ("2026-11-21".to_owned(), 24 * 60 * 4, 5),
            ("2026-11-22".to_owned(), 7 * 60 * 4, 3)
        ]
    );
    assert_eq!(v["fixed_interval"]["estimated_calls"], 48 * 60 * 4);
    assert_eq!(v["fixed_interval"]["saved_percent"], 99.93);

    // ---- failures, the last day ----
    let v = run_json(&["failures"]);
    assert_eq!(
        (&v["since"], &v["until"]),
        (&json!("2026-11-21T12:00:00Z"), &json!(now))
    );
    assert_eq!(
        v["upstream"],
        json!({"total": 5, "groups": [
            {"host": "statsapi.mlb.com", "league": "mlb", "status": 503,
             "error": "upstream answered 503", "count": 3,
             "first_at": "2026-11-22T10:00:00Z", "last_at": "2026-11-22T10:00:03Z"},
            {"host": "site.api.espn.com", "league": "nba", "status": null, "error": "timed out",
             "count": 1, "first_at": "2026-11-22T03:00:00Z", "last_at": "2026-11-22T03:00:00Z"},
            {"host": "site.api.espn.com", "league": "nfl", "status": 500,
             "error": "upstream answered 500", "count": 1,
             "first_at": "2026-11-21T18:00:05Z", "last_at": "2026-11-21T18:00:05Z"},
        ]})
    );
    assert_eq!(
        v["rejections"],
        json!({"total": 3,
        "reasons": [
            {"reason": "score went backwards", "count": 2,
             "first_at": "2026-11-22T02:00:00Z", "last_at": "2026-11-22T04:00:00Z"},
            {"reason": "final game went live", "count": 1,
             "first_at": "2026-11-21T20:00:00Z", "last_at": "2026-11-21T20:00:00Z"},
        ],
        "latest": [
            {"at": "2026-11-22T04:00:00Z",
             "key": {"league": "nfl", "adapter": "espn", "game_id": "402"},
             "reason": "score went backwards"},
            {"at": "2026-11-22T02:00:00Z",
             "key": {"league": "nfl", "adapter": "espn", "game_id": "401"},
             "reason": "score went backwards"},
            {"at": "2026-11-21T20:00:00Z",
             "key": {"league": "nba", "adapter": "espn", "game_id": "501"},
             "reason": "final game went live"},
        ]})
    );
    assert_eq!(
        v["breakers_opened"],
        json!([{"at": "2026-11-22T10:00:04Z", "host": "statsapi.mlb.com", "state": "open",
                "reason": "3 failures in a row"}])
    );

    // ---- failures, a week: the older 500, the espn breaker and nothing from the 10th ----
    let v = run_json(&["failures", "--days", "7"]);
    assert_eq!(v["upstream"]["total"], 6);
    assert_eq!(v["upstream"]["groups"][1]["league"], "nfl");
    assert_eq!(v["upstream"]["groups"][1]["count"], 2);
    assert_eq!(
        v["upstream"]["groups"][1]["first_at"],
        "2026-11-20T11:59:59Z"
    );
    assert_eq!(v["rejections"]["total"], 3);
    let opened: Vec<&str> = v["breakers_opened"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["host"].as_str().unwrap())
        .collect();
    assert_eq!(opened, ["site.api.espn.com", "statsapi.mlb.com"]);

    // ---- the text forms carry the same numbers ----
    let text = |args: &[&str]| {
        let mut all = vec!["--config", config, "monitor"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--now", now]);
        let out = util::scoreline(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let stats = text(&["stats", "--hours", "48"]);
    let lines: Vec<&str> = stats.lines().collect();
    assert_eq!(
        lines[0],
        "upstream calls 2026-11-20T12:00:00Z to 2026-11-22T12:00:00Z (48 h), days in UTC"
    );
    for expected in [
        "2026-11-22  statsapi.mlb.com       mlb                 3      3       2      0   0.0%         90     20.0      20",
        "2026-11-22  site.api.espn.com      nfl                 1      0       0      1 100.0%          0        -       -",
        "total                                                  9      5       3      1  11.1%       2610   1338.8   10000",
        "statsapi.mlb.com            3      3       2      0   0.0%         90     20.0      20  open since 2026-11-22T10:00:04Z (3 failures in a row)",
        "fixed-interval poller: every 10 s, all day, 4 league(s) (mlb, nba, nfl, nhl): 17280 polls each",
        "2026-11-21       34560          3    99.99%",
        "total            69120          8    99.99%",
        "rejected snapshots: 3",
        "stale snapshots: 2",
    ] {
        assert!(
            lines.contains(&expected),
            "no line {expected:?} in:\n{stats}"
        );
    }
    let failures = text(&["failures"]);
    for expected in [
        "upstream failures: 5",
        "     3  statsapi.mlb.com       mlb               503  2026-11-22T10:00:00Z  2026-11-22T10:00:03Z  upstream answered 503",
        "     1  site.api.espn.com      nba                 -  2026-11-22T03:00:00Z  2026-11-22T03:00:00Z  timed out",
        "rejected snapshots: 3",
        "     2  2026-11-22T02:00:00Z  2026-11-22T04:00:00Z  score went backwards",
        "  2026-11-22T04:00:00Z  nfl/espn/402  score went backwards",
        "breakers opened: 1",
        "  2026-11-22T10:00:04Z  statsapi.mlb.com  3 failures in a row",
    ] {
        assert!(
            failures.lines().any(|l| l == expected),
            "no line {expected:?} in:\n{failures}"
        );
    }

    // Bad arguments are refused by the parser, naming the value.
    let out = util::scoreline(&[
        "--config",
        config,
        "monitor",
        "stats",
        "--timezone",
        "Mars/Olympus",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Mars/Olympus"));
    let out = util::scoreline(&[
        "--config",
        config,
        "monitor",
        "stats",
        "--fixed-interval",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// `scoreline run` prunes in the background: rows past their retention are gone after a short
/// run, newer ones stay, each host's latest breaker state stays, and the pass is logged.
#[test]
fn run_prunes_rows_past_their_retention() {
    use chrono::{Duration, Utc};
    use scoreline_core::model::GameKey;
    use scoreline_core::model::{Competitor, Game, GameStatus};
    use scoreline_core::upstream::breaker::BreakerState;
    use scoreline_store::{BreakerTransition, Store, UpstreamCall};

    util::espn();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let now = Utc::now();
    {
        let store = Store::open(&data).unwrap();
        for (name, age) in [("old", Duration::days(20)), ("recent", Duration::hours(1))] {
            store
                .record_call(&UpstreamCall {
                    at: now - age,
                    adapter: "espn".into(),
                    league: "nfl".into(),
                    host: "old.example".into(),
                    url: format!("https://old.example/{name}"),
                    status: Some(200),
                    bytes: 1,
                    latency_ms: 1,
                    error: None,
                    from_cache: false,
                    attempt: 1,
                })
                .unwrap();
        }
        let side = |id: &str| Competitor {
            id: id.into(),
            abbreviation: id.into(),
            name: id.into(),
            score: Some(0),
        };
        let game = Game::new(
            "9",
            "nfl",
            "football",
            GameStatus::Live,
            side("H"),
            side("A"),
        );
        let key = GameKey::new("nfl", "old", "9");
        for (reason, age) in [("old", Duration::days(40)), ("recent", Duration::days(1))] {
            store
                .record_rejection(&key, reason, &game, now - age)
                .unwrap();
        }
        for (state, age) in [
            (BreakerState::Open, Duration::days(40)),
            (BreakerState::Closed, Duration::days(35)),
        ] {
            store
                .record_breaker(&BreakerTransition {
                    at: now - age,
                    host: "old.example".into(),
                    state,
                    reason: "r".into(),
                })
                .unwrap();
        }
    }
    let config = dir.path().join("scoreline.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nplugin_dir = {:?}\n[http]\nenabled = false\n\
             [emulator]\nenabled = true\n\
             [upstream.overrides]\n\"site.api.espn.com\" = \"emulator\"\n\
             [[leagues]]\nkey = \"nfl\"\nadapter = \"espn\"\n",
            data.to_str().unwrap(),
            util::plugin_dir().to_str().unwrap(),
        ),
    )
    .unwrap();
    let out = util::scoreline(&[
        "--config",
        config.to_str().unwrap(),
        "run",
        "--duration",
        "3",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("housekeeping deleted rows past their retention"))
        .unwrap_or_else(|| panic!("no housekeeping line in:\n{stderr}"));
    for field in [
        "upstream_calls=1",
        "rejections=1",
        "breaker_transitions=1",
        "games=0",
        "interrupted=false",
    ] {
        assert!(line.contains(field), "{field} not in {line}");
    }

    let conn = rusqlite::Connection::open(data.join(scoreline_store::DB_FILE)).unwrap();
    let strings = |sql: &str| -> Vec<String> {
        conn.prepare(sql)
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        strings("SELECT url FROM upstream_calls WHERE host = 'old.example'"),
        ["https://old.example/recent"]
    );
    assert_eq!(strings("SELECT reason FROM rejections"), ["recent"]);
    assert_eq!(
        strings("SELECT state FROM breaker_transitions WHERE host = 'old.example'"),
        ["closed"]
    );
}
