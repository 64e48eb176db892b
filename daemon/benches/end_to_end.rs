//! End-to-end latency: a score changes at the upstream (the emulator), the daemon polls it, parses
//! it in the ESPN component, validates, diffs, logs the event, commits the delivery and signs it,
//! and a loopback receiver verifies the signature. The whole daemon runs as `scoreline run` does
//! (`runtime::run`, real clock); only the config is the benchmark's.
//!
//! Reported for every `score.changed` delivery: change → verified (which includes waiting for
//! the next poll), and the part beyond the poll (the start of the first upstream call that could
//! have seen the change → verified). Run: `cargo bench -p scoreline --bench end_to_end`
//! (`SCORELINE_BENCH_RUNS` slates, 2 by default, each about two minutes).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use scoreline::config::Config;
use scoreline::plugin_build;
use scoreline::runtime::{self, RunOptions};
use scoreline_core::clock::SystemClock;
use scoreline_emulator::Slate;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use support::{SECRET, ms, percentile};

const LEAGUES: [&str; 6] = ["nfl", "nba", "nhl", "mlb", "eng.1", "usa.1"];
/// Wall seconds per emulated game.
const GAME_SECS: u64 = 90;
/// Seconds between kick-offs.
const STAGGER_SECS: u64 = 2;
/// The live poll interval under test.
const LIVE_SECS: u64 = 1;

fn config_text(data: &Path, plugins: &Path, url: &str, seed: u64) -> String {
    let mut t = format!(
        r#"data_dir = "{data}"
plugin_dir = "{plugins}"
[http]
enabled = false
[emulator]
enabled = true
seed = {seed}
game_secs = {GAME_SECS}
stagger_secs = {STAGGER_SECS}
# No upstream caching: the interval below is the only wait.
max_age_secs = 0
[upstream]
timeout_ms = 2000
retries = 0
rate_per_sec = 1000
[upstream.cache]
live_secs = 0
pregame_secs = 0
[upstream.overrides]
"site.api.espn.com" = "emulator"
[[webhooks]]
name = "bench"
url = "{url}"
secret = "{SECRET}"
types = ["score.changed"]
allow_private = true
cooldown_secs = 0
daily_limit = 0
"#,
        data = data.display(),
        plugins = plugins.display(),
    );
    for league in LEAGUES {
        t.push_str(&format!(
            "[[leagues]]\nkey = \"{league}\"\nadapter = \"espn\"\ntimezone = \"America/New_York\"\n\
             [leagues.cadence]\nlive_secs = {LIVE_SECS}\npregame_secs = {LIVE_SECS}\nidle_secs = 5\npregame_window_secs = 120\n"
        ));
    }
    t
}

/// One upstream call as the store logged it.
struct Call {
    at_ms: i64,
    done_ms: i64,
    url: String,
}

fn calls(data: &Path) -> Vec<Call> {
    let db = rusqlite::Connection::open(data.join(scoreline_store::DB_FILE)).unwrap();
    let mut q = db
        .prepare(
            "SELECT at, latency_ms, url FROM upstream_calls
             WHERE from_cache = 0 AND status = 200 ORDER BY at",
        )
        .unwrap();
    q.query_map([], |r| {
        let at: i64 = r.get(0)?;
        Ok(Call {
            at_ms: at,
            done_ms: at + r.get::<_, i64>(1)?,
            url: r.get(2)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Latencies of one slate: (change → verified, poll start → verified) per `score.changed`.
async fn one_slate(plugins: &Path, seed: u64) -> (Vec<Duration>, Vec<Duration>) {
    let (rx, url) = support::serve().await;
    let data = tempfile::tempdir().unwrap();
    let text = config_text(data.path(), plugins, &url, seed);
    let config = Config::parse(Path::new("end_to_end.toml"), &text, |_| None).unwrap();
    let before = Utc::now();
    // The last kick-off, plus a game, plus a settle.
    let length = STAGGER_SECS * 8 + 5 + GAME_SECS + 8;
    let stop = tokio::time::sleep(Duration::from_secs(length));
    let mut ready_at = before;
    runtime::run(
        config,
        RunOptions::default(),
        Arc::new(SystemClock),
        stop,
        |_| {
            ready_at = Utc::now();
        },
    )
    .await
    .unwrap();
    assert_eq!(*rx.bad.lock().unwrap(), 0, "every signature verifies");
    let got = rx.got.lock().unwrap().clone();
    assert!(!got.is_empty(), "no score.changed delivered");

    // The emulator anchors its slate at the whole second it started in; game ids depend on the
    // anchor, so the one second whose slate has the delivered games is it.
    let game_of = |a: &support::Arrival| a.body["data"]["game_id"].as_str().unwrap().to_owned();
    let some_game = game_of(got.values().next().unwrap());
    let slate = (before.timestamp()..=ready_at.timestamp())
        .map(|s| {
            Slate::generate(
                seed,
                DateTime::from_timestamp(s, 0).unwrap(),
                Duration::from_secs(GAME_SECS),
                Duration::from_secs(STAGGER_SECS),
            )
        })
        .find(|s| s.game(&some_game).is_some())
        .expect("the emulator's slate");
    let calls = calls(data.path());

    let (mut total, mut beyond) = (Vec::new(), Vec::new());
    for a in got.values() {
        let d = &a.body["data"];
        assert_eq!(a.body["type"], "score.changed");
        let game = slate.game(&game_of(a)).expect("a slate game");
        let (h, w) = (
            d["home_score"].as_u64().unwrap(),
            d["away_score"].as_u64().unwrap(),
        );
        let scored = game
            .events
            .iter()
            .find(|e| u64::from(e.home_after) == h && u64::from(e.away_after) == w)
            .unwrap_or_else(|| panic!("game {} never reads {h}-{w} upstream", game.id));
        let changed = game.start + ChronoDuration::from_std(scored.at).unwrap();
        total.push(
            (a.wall - changed)
                .to_std()
                .expect("delivered after the change"),
        );
        // The first call for this game's board or summary that answered after the change.
        let board = format!("/{}/scoreboard", game.league.key);
        let summary = format!("event={}", game.id);
        let poll = calls
            .iter()
            .find(|c| {
                c.done_ms >= changed.timestamp_millis()
                    && (c.url.contains(&board) || c.url.contains(&summary))
            })
            .expect("a poll after the change");
        beyond.push(Duration::from_millis(
            (a.wall.timestamp_millis() - poll.at_ms).max(0) as u64,
        ));
    }
    (total, beyond)
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let plugins = root.join("target/bench-plugins");
    plugin_build::build(&root, &["scoreline-plugin-espn".to_owned()], &plugins)
        .expect("build the espn component");
    let runs: u64 = std::env::var("SCORELINE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (mut total, mut beyond) = (Vec::new(), Vec::new());
    for seed in 0..runs {
        let (t, b) = rt.block_on(one_slate(&plugins, 7 + seed));
        eprintln!("slate {}: {} score.changed deliveries", 7 + seed, t.len());
        total.extend(t);
        beyond.extend(b);
    }
    total.sort();
    beyond.sort();
    println!(
        "live poll {LIVE_SECS} s, {} score.changed over {runs} slates | change -> verified: p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms | poll start -> verified: p50 {:.1} ms  p99 {:.1} ms  max {:.1} ms",
        total.len(),
        ms(percentile(&total, 0.5)),
        ms(percentile(&total, 0.99)),
        ms(*total.last().unwrap()),
        ms(percentile(&beyond, 0.5)),
        ms(percentile(&beyond, 0.99)),
        ms(*beyond.last().unwrap()),
    );
}
