//! Parsing a real ESPN scoreboard in the WASM component (fresh store, instantiation, body copy
//! and result lifting included) against the same parser compiled natively.
//!
//! Run: `cargo bench -p scoreline --bench adapter_parse`. Reads the largest scoreboard in
//! `../shared/fixtures/espn/` (parsed as recorded, then re-serialised compactly as ESPN serves
//! it); builds the ESPN component first.
#![allow(clippy::expect_used)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use scoreline::plugin_build;
use scoreline::sandbox::{CallContext, Sandbox, SandboxConfig};
use scoreline_plugin_sdk::Adapter as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn largest_scoreboard() -> Option<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/espn");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("scoreboard-"))
        })
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0));
    let path = files.pop()?;
    let body = std::fs::read(&path).ok()?;
    Some((path, body))
}

/// The league key a fixture file name implies: `scoreboard-mlb-...` → `mlb`.
fn league_of(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let rest = name.trim_start_matches("scoreboard-");
    for key in [
        "college-football",
        "mens-college-basketball",
        "womens-college-basketball",
        "nfl",
        "nba",
        "wnba",
        "nhl",
        "mlb",
    ] {
        if rest.starts_with(key) {
            return key.to_owned();
        }
    }
    "fifa.world".to_owned()
}

fn bench(c: &mut Criterion) {
    let Some((path, body)) = largest_scoreboard() else {
        eprintln!("skipping: no ESPN scoreboard in ../shared/fixtures/espn");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = root.join("target/bench-plugins");
    let built = plugin_build::build(&root, &["scoreline-plugin-espn".to_owned()], &out)
        .expect("build espn component");
    let sandbox = Sandbox::new(SandboxConfig::default()).expect("sandbox");
    let adapter = sandbox
        .load_file(&built[0].path)
        .expect("load espn component");
    let league = league_of(&path);
    let now = Utc
        .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
        .single()
        .expect("time");
    let host_ctx = CallContext::new(&league, now);
    let guest_ctx = scoreline_plugin_sdk::CallContext::new(&league, now.timestamp());
    eprintln!("{}: {} bytes, league {league}", path.display(), body.len());

    // The document as recorded, then without its indentation: ESPN serves compact JSON (62%
    // of the file's bytes are indentation, which wasm skips far slower than native code does).
    let compact = serde_json::to_vec(
        &serde_json::from_slice::<serde_json::Value>(&body).expect("the fixture is JSON"),
    )
    .expect("re-serialise");
    eprintln!("compact form: {} bytes", compact.len());
    for (name, input) in [
        ("parse_largest_espn_scoreboard", &body),
        ("parse_largest_espn_scoreboard_compact", &compact),
    ] {
        let native_games = scoreline_plugin_espn::Espn::parse_scoreboard(&guest_ctx, input)
            .expect("native parse")
            .games
            .len();
        let wasm_games = adapter
            .parse_scoreboard(&host_ctx, input)
            .expect("wasm parse")
            .games
            .len();
        assert_eq!(native_games, wasm_games, "{name}");

        let mut group = c.benchmark_group(name);
        group
            .measurement_time(Duration::from_secs(10))
            .sample_size(60);
        group.bench_function("native", |b| {
            b.iter(|| {
                scoreline_plugin_espn::Espn::parse_scoreboard(
                    &guest_ctx,
                    std::hint::black_box(input),
                )
            })
        });
        group.bench_function("wasm", |b| {
            b.iter(|| adapter.parse_scoreboard(&host_ctx, std::hint::black_box(input)))
        });
        group.finish();
    }

    // The leagues' own adapters on their largest game-detail payloads.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures");
    let leagues = [
        "scoreline-plugin-nhl".to_owned(),
        "scoreline-plugin-mlb".to_owned(),
    ];
    let built = plugin_build::build(&root, &leagues, &out).expect("build nhl and mlb components");
    let nhl = sandbox.load_file(&built[0].path).expect("load nhl");
    let mlb = sandbox.load_file(&built[1].path).expect("load mlb");
    for (name, adapter, league, file) in [
        (
            "nhl_play_by_play",
            &nhl,
            "nhl",
            "nhl/play-by-play-2024030121-2025-04-22-playoff-final.json",
        ),
        (
            "mlb_feed_live",
            &mlb,
            "mlb",
            "mlb/feed-live-744914-2024-07-01-final.json",
        ),
    ] {
        let Ok(body) = std::fs::read(fixtures.join(file)) else {
            eprintln!("skipping {name}: {file} not found");
            continue;
        };
        let host_ctx = CallContext::new(league, now);
        let guest_ctx = scoreline_plugin_sdk::CallContext::new(league, now.timestamp());
        eprintln!("{file}: {} bytes", body.len());
        let mut group = c.benchmark_group(name);
        group.measurement_time(Duration::from_secs(5));
        if league == "nhl" {
            group.bench_function("native", |b| {
                b.iter(|| {
                    scoreline_plugin_nhl::Nhl::parse_game_detail(
                        &guest_ctx,
                        "0",
                        std::hint::black_box(&body),
                    )
                })
            });
        } else {
            group.bench_function("native", |b| {
                b.iter(|| {
                    scoreline_plugin_mlb::Mlb::parse_game_detail(
                        &guest_ctx,
                        "0",
                        std::hint::black_box(&body),
                    )
                })
            });
        }
        group.bench_function("wasm", |b| {
            b.iter(|| adapter.parse_game_detail(&host_ctx, "0", std::hint::black_box(&body)))
        });
        group.finish();
    }

    let mut group = c.benchmark_group("sandbox_overhead");
    group.bench_function("empty_call_fresh_store", |b| {
        b.iter(|| {
            adapter.scoreboard_request(
                &host_ctx,
                chrono::NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
