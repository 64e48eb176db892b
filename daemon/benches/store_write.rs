//! Write throughput of the embedded store on a real file (WAL, `synchronous=NORMAL`): the poll
//! that only moves the clock, the poll that changes the score (plus a timeline row), a game
//! detail's scoring plays, and one call log row. Each iteration is one transaction.
//!
//! Run: `cargo bench -p scoreline --bench store_write`.
//!
//! Measured on the 2-core dev machine while other builds ran (load average about 5), so an upper
//! bound: record_game clock only 83 µs (12 k/s), record_game with a score change and timeline row
//! 140 µs (7 k/s), 10 scoring plays with one corrected 59 µs, record_call 38 µs (26 k/s). A live
//! slate of 100 games polled every 10 s needs about 10 record_game/s.
#![allow(clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scoreline_core::model::GameKey;
use scoreline_core::model::{Competitor, Game, GameStatus, ScoringPlay};
use scoreline_store::{Store, UpstreamCall};
use std::collections::BTreeMap;

/// Games written round-robin, like one busy slate.
const GAMES: u32 = 100;

fn game(id: u32, home: u32, clock_seconds: u32) -> Game {
    let team = |id: &str, abbr: &str| Competitor {
        id: id.into(),
        abbreviation: abbr.into(),
        name: format!("{abbr} Team"),
        score: Some(0),
    };
    let mut g = Game {
        status_detail: "1st".into(),
        period: Some(1),
        clock: Some(format!("{}:{:02}", clock_seconds / 60, clock_seconds % 60)),
        clock_seconds: Some(clock_seconds),
        start_time: Utc.timestamp_opt(1_760_000_000, 0).single(),
        season: Some("2025".into()),
        season_type: Some("regular".into()),
        venue: Some("Arena".into()),
        ..Game::new(
            id.to_string(),
            "nhl",
            "hockey",
            GameStatus::Live,
            team("1", "DAL"),
            team("2", "COL"),
        )
    };
    g.home.score = Some(home);
    g
}

fn play(sequence: u32) -> ScoringPlay {
    ScoringPlay {
        sequence,
        period: Some(1),
        clock: Some("12:34".into()),
        team: "1".into(),
        scorer_id: Some("p-1".into()),
        scorer_name: Some("Scorer".into()),
        assists: Vec::new(),
        kind: "goal".into(),
        points: 1,
        home_score: sequence,
        away_score: 0,
        description: "Scorer scores".into(),
        details: BTreeMap::new(),
    }
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open store");
    let keys: Vec<GameKey> = (0..GAMES)
        .map(|i| GameKey::new("nhl", "espn", i.to_string()))
        .collect();
    let t0: DateTime<Utc> = Utc.timestamp_opt(1_760_000_000, 0).single().expect("time");
    let mut tick: i64 = 0;
    let mut next = move || {
        tick += 1;
        (tick, t0 + Duration::milliseconds(tick))
    };

    let mut group = c.benchmark_group("store");
    group.throughput(Throughput::Elements(1));
    group.bench_function("record_game clock only", |b| {
        b.iter(|| {
            let (n, at) = next();
            let i = (n % i64::from(GAMES)) as u32;
            let g = game(i, 0, (n % 1200) as u32);
            store
                .record_game(&keys[i as usize], &g, at)
                .expect("record");
        })
    });
    group.bench_function("record_game score change", |b| {
        b.iter(|| {
            let (n, at) = next();
            let i = (n % i64::from(GAMES)) as u32;
            let g = game(i, n as u32, 600);
            store
                .record_game(&keys[i as usize], &g, at)
                .expect("record");
        })
    });
    let plays: Vec<ScoringPlay> = (1..=10).map(play).collect();
    group.bench_function("record_scoring_plays 10, 1 new", |b| {
        b.iter(|| {
            let (n, at) = next();
            let i = (n % i64::from(GAMES)) as usize;
            let mut p = plays.clone();
            p[9].description = format!("correction {n}");
            store
                .record_scoring_plays(&keys[i], &p, at)
                .expect("record");
        })
    });
    group.bench_function("record_call", |b| {
        b.iter(|| {
            let (_, at) = next();
            store
                .record_call(&UpstreamCall {
                    at,
                    adapter: "espn".into(),
                    league: "nhl".into(),
                    host: "site.api.espn.com".into(),
                    url: "https://site.api.espn.com/apis/site/v2/sports/hockey/nhl/scoreboard"
                        .into(),
                    status: Some(200),
                    bytes: 48_000,
                    latency_ms: 120,
                    error: None,
                    attempt: 1,
                    from_cache: false,
                })
                .expect("record");
        })
    });
    group.finish();
    let health = store.health().expect("health");
    eprintln!(
        "store after the run: {} games, {} timeline rows, {} bytes, wal {} bytes",
        health.games, health.timeline_rows, health.size_bytes, health.wal_bytes
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
