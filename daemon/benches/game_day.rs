//! A simulated game day of 1 000 games: upstream calls made by the schedule-driven cadence
//! against a fixed 10 s poll of every league all day (same 10 s live latency); then the real
//! poll path (loopback HTTP, the ESPN component, validation, the store) ticking 1 000
//! concurrent live games: ticks per second, CPU time and the process's peak RSS.
//!
//! Run: `cargo bench -p scoreline --bench game_day`. Part 2 reads a live event from
//! `../shared/fixtures/espn/` as its template and builds the ESPN component first; its
//! upstream runs in a child process (this binary with `--serve-bodies`), so the RSS measured
//! is the daemon's poll path's alone.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use scoreline::config::{CadenceOverrides, Config, LeagueConfig, Override};
use scoreline::fetch::Fetcher;
use scoreline::plugin_build;
use scoreline::poller::{LeaguePoller, StatusBoard};
use scoreline::sandbox::{Sandbox, SandboxConfig};
use scoreline_core::cadence::{self, Cadence, GameView, Phase};
use scoreline_core::clock::ManualClock;
use scoreline_core::model::GameStatus;
use scoreline_store::Store;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

/// A Saturday in late November as an operator following 56 leagues sees it: (league, games
/// that day, first and last start hour ET, game length in minutes). Off-season and no-game
/// leagues are followed too (a fixed poller polls them all day as well).
const DAY: [(&str, usize, u32, u32, i64); 56] = [
    ("college-football", 135, 12, 22, 210),
    ("mens-college-basketball", 357, 11, 22, 130),
    ("womens-college-basketball", 262, 11, 21, 130),
    ("nba", 9, 19, 22, 150),
    ("nhl", 13, 13, 22, 160),
    ("mens-college-hockey", 24, 14, 21, 160),
    ("womens-college-hockey", 16, 13, 19, 160),
    ("nfl", 0, 0, 0, 200),
    ("mlb", 0, 0, 0, 190),
    ("wnba", 0, 0, 0, 130),
    ("college-baseball", 0, 0, 0, 190),
    ("eng.1", 10, 7, 12, 115),
    ("eng.2", 12, 7, 15, 115),
    ("eng.3", 12, 10, 10, 115),
    ("eng.4", 12, 10, 10, 115),
    ("eng.5", 12, 10, 10, 115),
    ("sco.1", 6, 10, 10, 115),
    ("sco.2", 5, 10, 10, 115),
    ("sco.3", 5, 10, 10, 115),
    ("sco.4", 5, 10, 10, 115),
    ("esp.1", 5, 8, 15, 115),
    ("esp.2", 6, 8, 15, 115),
    ("ger.1", 6, 9, 12, 115),
    ("ger.2", 4, 7, 9, 115),
    ("ger.3", 10, 8, 9, 115),
    ("ita.1", 3, 9, 14, 115),
    ("ita.2", 5, 9, 9, 115),
    ("fra.1", 3, 11, 15, 115),
    ("fra.2", 0, 0, 0, 115),
    ("ned.1", 4, 10, 15, 115),
    ("ned.2", 0, 0, 0, 115),
    ("por.1", 3, 10, 15, 115),
    ("bel.1", 3, 10, 15, 115),
    ("tur.1", 3, 6, 13, 115),
    ("gre.1", 3, 9, 13, 115),
    ("aut.1", 5, 9, 11, 115),
    ("sui.1", 3, 12, 14, 115),
    ("den.1", 3, 8, 12, 115),
    ("nor.1", 0, 0, 0, 115),
    ("swe.1", 0, 0, 0, 115),
    ("irl.1", 0, 0, 0, 115),
    ("mex.1", 2, 19, 22, 115),
    ("bra.1", 5, 14, 21, 115),
    ("arg.1", 5, 15, 21, 115),
    ("usa.1", 1, 20, 20, 115),
    ("jpn.1", 5, 0, 1, 115),
    ("aus.1", 3, 1, 4, 115),
    ("ksa.1", 4, 9, 14, 115),
    ("rsa.1", 4, 9, 12, 115),
    ("egy.1", 4, 8, 12, 115),
    ("ind.1", 3, 7, 9, 115),
    ("chn.1", 0, 0, 0, 115),
    ("uefa.champions", 0, 0, 0, 115),
    ("uefa.europa", 0, 0, 0, 115),
    ("conmebol.libertadores", 0, 0, 0, 115),
    ("fifa.world", 0, 0, 0, 115),
];

fn cadence() -> Cadence {
    Cadence {
        idle: Duration::minutes(60),
        pregame: Duration::seconds(60),
        live: Duration::seconds(10),
        settle: Duration::minutes(30),
        pregame_window: Duration::minutes(10),
    }
}

/// Part 1: step every league's planner through the day and count the requests it plans (one
/// scoreboard per sports day in view, tomorrow's on idle rounds, one detail per settle fetch).
fn calls(day: NaiveDate) {
    let tz: Tz = chrono_tz::America::New_York;
    let from = tz
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let to = from + Duration::days(1);
    let cadence = cadence();
    let mut seed = 0x5eed_u64;
    let mut rand = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n.max(1)
    };
    let (mut planned, mut fixed, mut games_total, mut rounds) = (0u64, 0u64, 0usize, 0u64);
    let mut bound = 0u64;
    let mut live_gaps = Vec::new();
    // Where the calls go: (league, cadence calls, lower-bound calls, live 10 s slots).
    let mut by_league: Vec<(&str, u64, u64, u64)> = Vec::new();
    for (league, n, first, last, minutes) in DAY {
        games_total += n;
        let starts: Vec<DateTime<Utc>> = (0..n)
            .map(|_| {
                // Starts on the quarter hour between the first and last start hour.
                let slots = u64::from((last - first) * 4 + 1);
                let q = rand(slots) as i64;
                from + Duration::hours(i64::from(first)) + Duration::minutes(15 * q)
            })
            .collect();
        let length = Duration::minutes(minutes);
        let (league_bound, live_slots) = lower_bound(from, to, &starts, length);
        bound += league_bound;
        let planned_before = planned;
        let mut settled = vec![false; n];
        let mut now = from;
        let mut last_live_poll: Option<DateTime<Utc>> = None;
        while now < to {
            let views: Vec<GameView> = starts
                .iter()
                .enumerate()
                .map(|(i, s)| GameView {
                    id: i.to_string(),
                    status: if now < *s {
                        GameStatus::Scheduled
                    } else if now < *s + length {
                        GameStatus::Live
                    } else {
                        GameStatus::Final
                    },
                    start: Some(*s),
                    settled: settled[i],
                })
                .collect();
            let d = cadence::plan(&views, now, tz, &cadence);
            planned +=
                d.days.len() as u64 + u64::from(d.phase == Phase::Idle) + d.settle_due.len() as u64;
            for id in &d.settle_due {
                settled[id.parse::<usize>().unwrap()] = true;
            }
            if d.phase == Phase::Live {
                if let Some(p) = last_live_poll {
                    live_gaps.push((now - p).num_seconds());
                }
                last_live_poll = Some(now);
            } else {
                last_live_poll = None;
            }
            rounds += 1;
            now = d.next_at.max(now + Duration::seconds(1));
        }
        fixed += 24 * 360;
        by_league.push((league, planned - planned_before, league_bound, live_slots));
    }
    let worst_live_gap = live_gaps.iter().copied().max().unwrap_or(0);
    println!(
        "part 1: simulated game day {day} (ET), {games_total} games in {} leagues",
        DAY.len()
    );
    println!("  fixed 10 s poll of every league all day: {fixed} scoreboard calls");
    println!(
        "  schedule-driven cadence: {planned} calls in {rounds} rounds ({:.1}% fewer); live rounds every {worst_live_gap} s at most",
        100.0 * (1.0 - planned as f64 / fixed as f64)
    );
    println!(
        "  lower bound at 10 s live latency (one scoreboard every 10 s while any game of the league is live, one an hour otherwise): {bound} calls ({:.1}% fewer than fixed); the cadence spends {:.1}% more than the bound",
        100.0 * (1.0 - bound as f64 / fixed as f64),
        100.0 * (planned as f64 / bound as f64 - 1.0)
    );
    println!(
        "  90% fewer than fixed means at most {} calls: {}",
        fixed / 10,
        if bound <= fixed / 10 {
            "reachable on this slate at 10 s latency"
        } else {
            "not reachable on this slate at 10 s latency by any schedule-driven poller"
        }
    );
    by_league.sort_by_key(|l| std::cmp::Reverse(l.1));
    for (league, cadence_calls, league_bound, live_slots) in by_league.iter().take(6) {
        println!(
            "    {league}: cadence {cadence_calls}, bound {league_bound} ({live_slots} live 10 s slots, {:.1} h live)",
            *live_slots as f64 / 360.0
        );
    }
}

/// The fewest scoreboard calls a poller that sees every live change within 10 s can make for
/// one league: a call in every 10 s slot in which any of its games is live, and otherwise one
/// call an hour after the last. Returns (calls, live slots).
fn lower_bound(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    starts: &[DateTime<Utc>],
    length: Duration,
) -> (u64, u64) {
    let (mut calls, mut live_slots) = (0u64, 0u64);
    let mut last_call: Option<DateTime<Utc>> = None;
    let mut now = from;
    while now < to {
        let live = starts.iter().any(|s| *s <= now && now < *s + length);
        let idle_due = last_call.is_none_or(|t| now - t >= Duration::hours(1));
        if live || idle_due {
            calls += 1;
            last_call = Some(now);
        }
        live_slots += u64::from(live);
        now += Duration::seconds(10);
    }
    (calls, live_slots)
}

/// /proc/self: (user+system CPU seconds, peak RSS in KiB).
fn usage() -> (f64, u64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 (1-based), 11 and 12 after the command name.
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0);
    (cpu, hwm)
}

/// The ten leagues of part 2 and their scoreboard paths.
const LEAGUES: [(&str, &str); 10] = [
    ("nfl", "football"),
    ("college-football", "football"),
    ("nba", "basketball"),
    ("wnba", "basketball"),
    ("nhl", "hockey"),
    ("mlb", "baseball"),
    ("mens-college-basketball", "basketball"),
    ("womens-college-basketball", "basketball"),
    ("usa.1", "soccer"),
    ("eng.1", "soccer"),
];

fn scoreboard_path(league: &str, sport: &str) -> String {
    format!("/apis/site/v2/sports/{sport}/{league}/scoreboard")
}

type Bodies = Arc<RwLock<HashMap<String, axum::body::Bytes>>>;

/// Part 2's upstream, run in a child process (`game_day --serve-bodies`) so the bench's own
/// memory (ten 1.2 MiB bodies, re-rendered every tick) is not in the daemon's RSS: serves the
/// ten scoreboards, `POST /tick` changes about a tenth of the scores and re-renders them, `GET
/// /peak` answers this process's peak RSS in KiB. Prints `port body-bytes` on stdout when ready
/// and exits when its stdin closes.
/// `changing`: the share of the ten boards that change on each tick (1.0: all; 0.1: one in
/// ten, the others answer the same bytes again).
pub fn serve_bodies(day: NaiveDate, changing: f64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let fixture = root.join("../shared/fixtures/espn/scoreboard-nfl-2022-wk1-sun-mixed-live.json");
    let Ok(raw) = std::fs::read(&fixture) else {
        eprintln!("skipping part 2: {} not found", fixture.display());
        return;
    };
    let board: serde_json::Value = serde_json::from_slice(&raw).unwrap();
    let template = board["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["status"]["type"]["state"] == "in")
        .expect("a live event")
        .clone();
    let start = Utc.from_utc_datetime(&day.and_hms_opt(18, 0, 0).unwrap());
    // The template serialised once with placeholders; a body is string concatenation.
    let mut t = template;
    t["id"] = "@ID@".into();
    t["date"] = (start - Duration::minutes(30))
        .format("%Y-%m-%dT%H:%MZ")
        .to_string()
        .into();
    t["competitions"][0]["id"] = "@ID@".into();
    for comp in t["competitions"][0]["competitors"].as_array_mut().unwrap() {
        comp["score"] = if comp["homeAway"] == "home" {
            "@H@"
        } else {
            "@A@"
        }
        .into();
    }
    let pieces: Vec<String> = serde_json::to_string(&t)
        .unwrap()
        .split("@ID@")
        .map(str::to_owned)
        .collect();
    let render = move |league: &str, scores: &[(u32, u32)]| -> axum::body::Bytes {
        let mut out = String::from("{\"events\":[");
        for (i, (h, a)) in scores.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let id = format!("{}{:03}", 900_000 + league.len(), i);
            let event = pieces
                .join(&id)
                .replace("@H@", &h.to_string())
                .replace("@A@", &a.to_string());
            out.push_str(&event);
        }
        out.push_str("]}");
        axum::body::Bytes::from(out.into_bytes())
    };
    let bodies: Bodies = Arc::default();
    // scores[league][game] = (home, away)
    let scores = Arc::new(std::sync::Mutex::new(vec![
        vec![(0u32, 0u32); 100];
        LEAGUES.len()
    ]));
    let rng = Arc::new(std::sync::Mutex::new(7u64));
    let per_tick = ((changing * LEAGUES.len() as f64).round() as usize).clamp(1, LEAGUES.len());
    let tick_count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let rerender = {
        let (bodies, scores, rng) = (bodies.clone(), scores.clone(), rng.clone());
        move |advance: bool| {
            let mut scores = scores.lock().unwrap();
            let mut fastrand = rng.lock().unwrap();
            let tick =
                tick_count.fetch_add(usize::from(advance), std::sync::atomic::Ordering::Relaxed);
            for (li, (league, sport)) in LEAGUES.iter().enumerate() {
                // This tick's changing boards: `per_tick` of them, in turn.
                let changes = (li + LEAGUES.len() - (tick * per_tick) % LEAGUES.len())
                    % LEAGUES.len()
                    < per_tick;
                if advance && !changes {
                    continue;
                }
                if advance {
                    for g in scores[li].iter_mut() {
                        *fastrand = fastrand.wrapping_mul(6364136223846793005).wrapping_add(1);
                        if (*fastrand >> 33).is_multiple_of(10) {
                            g.0 += 1;
                        }
                    }
                }
                let body = render(league, &scores[li]);
                bodies
                    .write()
                    .unwrap()
                    .insert(scoreboard_path(league, sport), body);
            }
        }
    };
    rerender(false);
    let size = bodies
        .read()
        .unwrap()
        .values()
        .next()
        .map_or(0, |b| b.len());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let served = bodies.clone();
        let app = axum::Router::new()
            .route(
                "/tick",
                axum::routing::post(move || {
                    let rerender = rerender.clone();
                    async move {
                        tokio::task::spawn_blocking(move || rerender(true))
                            .await
                            .unwrap();
                        axum::http::StatusCode::NO_CONTENT
                    }
                }),
            )
            .route(
                "/peak",
                axum::routing::get(|| async { usage().1.to_string() }),
            )
            .fallback(move |uri: axum::http::Uri| {
                let served = served.clone();
                async move {
                    let body = served.read().unwrap().get(uri.path()).cloned();
                    match body {
                        Some(b) => (axum::http::StatusCode::OK, b),
                        None => (axum::http::StatusCode::NOT_FOUND, axum::body::Bytes::new()),
                    }
                }
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        println!("{port} {size}");
        std::thread::spawn(|| {
            // The parent closes stdin when it is done (or dies): stop serving.
            let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
            std::process::exit(0);
        });
        axum::serve(listener, app).await.unwrap();
    });
}

/// Part 2: ten leagues of 100 live games each behind a loopback server (a child process);
/// every tick moves the clock 10 s, has the server change about a tenth of the scores, and
/// polls every league concurrently. This process runs only the daemon's poll path, so its RSS
/// is the daemon's.
/// `changing`: the share of boards the body server changes each tick (see [`serve_bodies`]).
pub fn ticks(day: NaiveDate, changing: f64) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = root.join("target/bench-plugins");
    let built = plugin_build::build(&root, &["scoreline-plugin-espn".to_owned()], &out)
        .expect("build espn component");
    let (_, rss0) = usage();

    let mut server = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--serve-bodies")
        .arg(format!("--changing={changing}"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the body server");
    let mut ready = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(server.stdout.take().unwrap()),
        &mut ready,
    )
    .unwrap();
    let Some((port, size)) = ready.trim().split_once(' ') else {
        let _ = server.wait();
        return;
    };
    let (port, size): (u16, usize) = (port.parse().unwrap(), size.parse().unwrap());
    let base = format!("http://127.0.0.1:{port}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let server_peak = rt.block_on(async move {
        let start = Utc.from_utc_datetime(&day.and_hms_opt(18, 0, 0).unwrap());
        let mut upstream = Config::parse(
            Path::new("bench.toml"),
            "[upstream]\nrate_per_sec = 10000\nretries = 0\n[upstream.cache]\nlive_secs = 0\n",
            |_| None,
        )
        .unwrap()
        .upstream;
        upstream.overrides.insert(
            "site.api.espn.com".into(),
            Override::Url(url::Url::parse(&base).unwrap()),
        );
        if let Some(n) = std::env::var("SCORELINE_BENCH_BODIES").ok().and_then(|v| v.parse().ok()) {
            upstream.max_bodies_in_flight = n;
        }
        let bodies_in_flight = upstream.max_bodies_in_flight;
        let clock = Arc::new(ManualClock::new(start));
        let fetcher = Fetcher::new(upstream, None, clock.clone()).unwrap();
        // As the daemon runs: the compiled artifact comes from the cache after the first start
        // (a cold compile costs tens of MiB of compiler memory once).
        let mut config = SandboxConfig {
            cache_dir: Some(root.join("target/bench-plugins/.cache")),
            ..SandboxConfig::default()
        };
        if let Some(n) = std::env::var("SCORELINE_BENCH_CALLS").ok().and_then(|v| v.parse().ok()) {
            config.max_concurrent_calls = n;
        }
        let sandbox_slots = config.max_concurrent_calls;
        let sandbox = Sandbox::new(config).unwrap();
        let adapter = sandbox.load_file(&built[0].path).unwrap();
        let rss_loaded = usage().1;
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).unwrap();
        let status = StatusBoard::default();
        let mut pollers: Vec<LeaguePoller> = LEAGUES
            .iter()
            .map(|(l, _)| {
                let league = LeagueConfig {
                    key: (*l).to_owned(),
                    adapter: "espn".into(),
                    timezone: chrono_tz::America::New_York,
                    options: Vec::new(),
                    teams: Vec::new(),
                    cadence: CadenceOverrides {
                        idle: Some(std::time::Duration::from_secs(3600)),
                        pregame: Some(std::time::Duration::from_secs(60)),
                        live: Some(std::time::Duration::from_secs(10)),
                        settle: Some(std::time::Duration::from_secs(1800)),
                        pregame_window: std::time::Duration::from_secs(600),
                    },
                };
                LeaguePoller::new(league, adapter.clone(), fetcher.clone(), store.clone(), status.clone(), start).unwrap()
            })
            .collect();
        // Warm-up round: every game is new.
        for p in &mut pollers {
            p.poll(start).await;
        }
        let (cpu1, rss1) = usage();
        let control = reqwest::Client::new();
        let n_ticks = 60;
        let (mut accepted, mut errors, mut unchanged) = (0usize, 0usize, 0usize);
        let mut polling = std::time::Duration::ZERO;
        for tick in 1..=n_ticks {
            control.post(format!("{base}/tick")).send().await.unwrap().error_for_status().unwrap();
            let now = start + Duration::seconds(10 * tick);
            clock.set(now);
            let wall = std::time::Instant::now();
            let mut set = tokio::task::JoinSet::new();
            for mut p in pollers.drain(..) {
                set.spawn(async move {
                    let r = p.poll(now).await;
                    (p, r)
                });
            }
            while let Some(done) = set.join_next().await {
                let (p, r) = done.unwrap();
                accepted += r.accepted;
                errors += r.errors;
                unchanged += r.unchanged;
                pollers.push(p);
            }
            polling += wall.elapsed();
        }
        let secs = polling.as_secs_f64();
        let (cpu2, rss) = usage();
        let mib = |kib: u64| kib as f64 / 1024.0;
        println!("part 2: {} leagues x 100 live games, {n_ticks} ticks (10 s of game time each); bodies served by a child process; {:.0}% of the boards change each tick", LEAGUES.len(), changing * 100.0);
        println!("  {:.1} ticks/s ({:.0} ms a tick polling all leagues concurrently); {accepted} snapshots accepted, {unchanged} boards unchanged (not parsed), {errors} step errors (game details: none served)", n_ticks as f64 / secs, 1000.0 * secs / n_ticks as f64);
        println!("  CPU {:.2} s for {n_ticks} ticks = {:.0} ms CPU per tick of 1 000 games (the daemon's poll path only)", cpu2 - cpu1, 1000.0 * (cpu2 - cpu1) / n_ticks as f64);
        println!("  body size {} KiB a league; adapter calls at once: {sandbox_slots}; bodies held at once (fetched, not yet parsed): {bodies_in_flight}", size / 1024);
        println!("  daemon process RSS: {:.1} MiB before the runtime, {:.1} MiB after sandbox and adapter load, {:.1} MiB peak after the first round (1 000 new games)", mib(rss0), mib(rss_loaded), mib(rss1));
        println!("  daemon process peak RSS {:.1} MiB ({:.1} MiB of it above the loaded engine and component: the poll path)", mib(rss), mib(rss.saturating_sub(rss_loaded)));
        let peak = control.get(format!("{base}/peak")).send().await.unwrap().text().await.unwrap();
        peak.trim().parse::<u64>().unwrap_or(0)
    });
    drop(server.stdin.take());
    let _ = server.wait();
    println!(
        "  body server (the bench's own, not counted above): peak RSS {:.1} MiB",
        server_peak as f64 / 1024.0
    );
}

fn main() {
    // `cargo bench` passes `--bench`; part 2 starts this binary again with `--serve-bodies`.
    let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    if std::env::args().any(|a| a == "--serve-bodies") {
        serve_bodies(day, changing_arg());
        return;
    }
    // As the `scoreline` binary does first thing (the body server above is not measured).
    let tuning = scoreline::memory::tune_allocator();
    println!("allocator settings: {tuning:?}");
    calls(day);
    ticks(day, 1.0);
}

/// `--changing=X` on the body server's command line (1.0 when absent).
pub fn changing_arg() -> f64 {
    std::env::args()
        .find_map(|a| a.strip_prefix("--changing=").and_then(|v| v.parse().ok()))
        .unwrap_or(1.0)
}
