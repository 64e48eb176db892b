//! A simulated game day of 1 000 games: upstream calls made by the schedule-driven cadence
//! against a fixed 10 s poll of every league all day (same 10 s live latency); then the real
//! poll path (loopback HTTP, the ESPN component, validation, the store) ticking 1 000
//! concurrent live games: ticks per second, CPU time and the process's peak RSS.
//!
//! Run: `cargo bench -p scoreline --bench game_day`. Part 2 reads a live event from
//! `../shared/fixtures/espn/` as its template and builds the ESPN component first.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use scoreline::clock::ManualClock;
use scoreline::config::{CadenceOverrides, Config, LeagueConfig, Override};
use scoreline::fetch::Fetcher;
use scoreline::model::GameStatus;
use scoreline::plugin_build;
use scoreline::poller::{LeaguePoller, StatusBoard};
use scoreline::sandbox::{Sandbox, SandboxConfig};
use scoreline::scheduler::cadence::{self, Cadence, GameView, Phase};
use scoreline::store::Store;
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
    let mut live_gaps = Vec::new();
    for (_, n, first, last, minutes) in DAY {
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

type Bodies = Arc<RwLock<HashMap<String, Arc<Vec<u8>>>>>;

/// Part 2: ten leagues of 100 live games each behind a loopback server; every tick moves the
/// clock 10 s, changes about a tenth of the scores and polls every league concurrently.
fn ticks(day: NaiveDate) {
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
    let out = root.join("target/bench-plugins");
    let built = plugin_build::build(&root, &["scoreline-plugin-espn".to_owned()], &out)
        .expect("build espn component");
    let (_, rss0) = usage();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let leagues = ["nfl", "college-football", "nba", "wnba", "nhl", "mlb",
            "mens-college-basketball", "womens-college-basketball", "usa.1", "eng.1"];
        let start = Utc.from_utc_datetime(&day.and_hms_opt(18, 0, 0).unwrap());
        let bodies: Bodies = Arc::default();
        // scores[league][game] = (home, away)
        let mut scores: Vec<Vec<(u32, u32)>> = vec![vec![(0, 0); 100]; leagues.len()];
        // The template serialised once with placeholders; a body is string concatenation, so
        // the bench's own memory stays near one body per league.
        let mut t = template.clone();
        t["id"] = "@ID@".into();
        t["date"] = (start - Duration::minutes(30))
            .format("%Y-%m-%dT%H:%MZ")
            .to_string()
            .into();
        t["competitions"][0]["id"] = "@ID@".into();
        for comp in t["competitions"][0]["competitors"].as_array_mut().unwrap() {
            comp["score"] = if comp["homeAway"] == "home" { "@H@" } else { "@A@" }.into();
        }
        let pieces: Vec<String> = serde_json::to_string(&t)
            .unwrap()
            .split("@ID@")
            .map(str::to_owned)
            .collect();
        let render = |league: &str, scores: &[(u32, u32)]| -> Vec<u8> {
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
            out.into_bytes()
        };
        let paths: Vec<String> = leagues
            .iter()
            .map(|l| {
                let sport = match *l {
                    "nfl" | "college-football" => "football",
                    "nba" | "wnba" | "mens-college-basketball" | "womens-college-basketball" => "basketball",
                    "nhl" => "hockey",
                    "mlb" => "baseball",
                    _ => "soccer",
                };
                format!("/apis/site/v2/sports/{sport}/{l}/scoreboard")
            })
            .collect();
        for (i, l) in leagues.iter().enumerate() {
            bodies.write().unwrap().insert(paths[i].clone(), Arc::new(render(l, &scores[i])));
        }
        let served = bodies.clone();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let served = served.clone();
            async move {
                let body = served.read().unwrap().get(uri.path()).cloned();
                match body {
                    Some(b) => (axum::http::StatusCode::OK, (*b).clone()),
                    None => (axum::http::StatusCode::NOT_FOUND, Vec::new()),
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });

        let mut upstream = Config::parse(
            Path::new("bench.toml"),
            "[upstream]\nrate_per_sec = 10000\nretries = 0\n[upstream.cache]\nlive_secs = 0\n",
            |_| None,
        )
        .unwrap()
        .upstream;
        upstream.overrides.insert(
            "site.api.espn.com".into(),
            Override::Url(url::Url::parse(&format!("http://{addr}")).unwrap()),
        );
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
        eprintln!("  rss after sandbox and adapter load: {:.1} MiB", usage().1 as f64 / 1024.0);
        let data = tempfile::tempdir().unwrap();
        let store = Store::open(data.path()).unwrap();
        let status = StatusBoard::default();
        let mut pollers: Vec<LeaguePoller> = leagues
            .iter()
            .map(|l| {
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
        eprintln!("  rss after the first round (1 000 new games): {:.1} MiB", rss1 as f64 / 1024.0);
        let wall = std::time::Instant::now();
        let n_ticks = 60;
        let (mut accepted, mut errors) = (0usize, 0usize);
        let mut fastrand = 7u64;
        for tick in 1..=n_ticks {
            for (li, l) in leagues.iter().enumerate() {
                for g in scores[li].iter_mut() {
                    fastrand = fastrand.wrapping_mul(6364136223846793005).wrapping_add(1);
                    if (fastrand >> 33).is_multiple_of(10) {
                        g.0 += 1;
                    }
                }
                bodies.write().unwrap().insert(paths[li].clone(), Arc::new(render(l, &scores[li])));
            }
            let now = start + Duration::seconds(10 * tick);
            clock.set(now);
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
                pollers.push(p);
            }
        }
        let secs = wall.elapsed().as_secs_f64();
        let (cpu2, rss) = usage();
        println!("part 2: {} leagues x 100 live games, {n_ticks} ticks (10 s of game time each)", leagues.len());
        println!("  {:.1} ticks/s ({:.0} ms a tick, all leagues concurrently); {accepted} snapshots accepted, {errors} step errors (game details: none served)", n_ticks as f64 / secs, 1000.0 * secs / n_ticks as f64);
        println!("  CPU {:.2} s for {n_ticks} ticks = {:.0} ms CPU per tick of 1 000 games (includes rendering the bodies)", cpu2 - cpu1, 1000.0 * (cpu2 - cpu1) / n_ticks as f64);
        println!("  body size {} KiB a league; adapter calls at once: {}", bodies.read().unwrap().values().next().map_or(0, |b| b.len() / 1024), sandbox_slots);
        println!("  peak RSS {:.1} MiB (before the runtime: {:.1} MiB)", rss as f64 / 1024.0, rss0 as f64 / 1024.0);
    });
}

fn main() {
    // `cargo bench` passes `--bench`; any other argument is ignored.
    let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    calls(day);
    ticks(day);
}
