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
    let bytes = std::fs::read(out.path().join("espn.wasm")).unwrap();
    use sha2::Digest;
    assert_eq!(espn["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
}

#[test]
fn games_and_monitor_stats_read_the_store_with_no_daemon() {
    use chrono::{TimeZone, Utc};
    use scoreline::model::{Competitor, Game, GameStatus};
    use scoreline::store::{GameKey, Store, UpstreamCall};

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
                id: id.into(),
                league: league.into(),
                sport: "football".into(),
                status,
                status_detail: String::new(),
                period: Some(2),
                clock: None,
                clock_seconds: None,
                start_time: Some(Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()),
                season: None,
                season_type: None,
                week: None,
                venue: None,
                overtime: false,
                extra_time: false,
                shootout: false,
                home: side("HOM", h),
                away: side("AWY", a),
                details: Default::default(),
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
