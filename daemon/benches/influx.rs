//! InfluxDB output: line protocol encoding (points per second, criterion), and end-to-end write
//! throughput of an `influxdb_v1` sink draining the store's point outbox into a real `influxd`
//! (Debian's 1.6.7 on a free loopback port) against `curl` posting the same pre-encoded gzip
//! batches over one keep-alive connection (points per second, median of alternating rounds).
//!
//! Run: `cargo bench -p scoreline --bench influx`. Without `influxd` on the PATH the write part
//! says so and only encoding is measured. Numbers: `docs/benchmarks.md`.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group};
use scoreline::influx::config::SinkSpec;
use scoreline::influx::sink::Sink;
use scoreline_core::clock::SystemClock;
use scoreline_core::influx::line::{Point, encode_into};
use scoreline_core::influx::schema::{self, Policy};
use scoreline_core::model::{Competitor, Game, GameStatus, ScoringPlay};
use scoreline_store::Store;
use std::collections::BTreeMap;
use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Points in the end-to-end run (TOOLCHAIN.md's reference figure is 100 000 in 0.19 s).
const POINTS: usize = 100_000;
/// Lines per request, as the sink's default.
const BATCH: usize = 5_000;
/// Alternating rounds of each writer.
const ROUNDS: usize = 5;

fn game(i: usize, observed: usize) -> Game {
    let team = |id: &str, abbr: &str, score: u32| Competitor {
        id: id.into(),
        abbreviation: abbr.into(),
        name: format!("{abbr} Team"),
        score: Some(score),
    };
    Game {
        status_detail: "2nd".into(),
        period: Some(2),
        clock: Some(format!("{}:{:02}", observed % 15, observed % 60)),
        clock_seconds: Some((observed % 900) as u32),
        start_time: Utc.timestamp_opt(1_795_000_000, 0).single(),
        season: Some("2026".into()),
        week: Some(12),
        ..Game::new(
            format!("4015{i:05}"),
            ["nfl", "nba", "nhl", "mlb"][i % 4],
            "football",
            GameStatus::Live,
            team("1", "KC", (observed / 7) as u32),
            team("2", "BUF", (observed / 9) as u32),
        )
    }
}

/// `n` points like a busy slate's: game_state mostly, some scoring plays.
fn points(n: usize) -> Vec<(Policy, Point)> {
    let base = Utc::now() - chrono::Duration::days(1);
    (0..n)
        .map(|k| {
            let (g, obs) = (k % 100, k / 100);
            let at = base + chrono::Duration::milliseconds(k as i64);
            if k % 10 == 9 {
                let p = ScoringPlay {
                    sequence: obs as u32,
                    period: Some(2),
                    clock: Some("4:12".into()),
                    team: "KC".into(),
                    scorer_id: Some("3139477".into()),
                    scorer_name: Some("Patrick Mahomes".into()),
                    assists: vec![],
                    kind: "touchdown".into(),
                    points: 7,
                    home_score: 14,
                    away_score: 10,
                    description: "Mahomes 5 yd run, Butker kick".into(),
                    details: BTreeMap::new(),
                };
                let gm = game(g, obs);
                (
                    Policy::Live,
                    schema::scoring_play(&gm.league, &gm.id, &p, false, at),
                )
            } else {
                (Policy::Live, schema::game_state(&game(g, obs), at))
            }
        })
        .collect()
}

fn encoding(c: &mut Criterion) {
    let pts: Vec<Point> = points(10_000).into_iter().map(|(_, p)| p).collect();
    let mut group = c.benchmark_group("influx_encode");
    group.throughput(Throughput::Elements(pts.len() as u64));
    group.bench_function("10k points to line protocol", |b| {
        let mut out = Vec::with_capacity(4 << 20);
        b.iter(|| {
            out.clear();
            for p in &pts {
                encode_into(p, &mut out).unwrap();
            }
            out.len()
        })
    });
    group.finish();
}

criterion_group!(benches, encoding);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn influxd() -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("influxd"))
            .find(|p| p.is_file())
    })
}

fn ping(port: u16) -> bool {
    Command::new("curl")
        .args(["-s", "-o", "/dev/null", "-w", "%{http_code}"])
        .arg(format!("http://127.0.0.1:{port}/ping"))
        .output()
        .map(|o| o.stdout == b"204")
        .unwrap_or(false)
}

fn gzip(body: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(body).unwrap();
    e.finish().unwrap()
}

/// Post the gzip batches in `files` with one curl process (connection reused across `--next`);
/// returns the sum of curl's own per-transfer times (process start-up not counted).
fn curl_round(url: &str, files: &[PathBuf]) -> Duration {
    let mut cmd = Command::new("curl");
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            cmd.arg("--next");
        }
        cmd.args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{time_total}\n",
            "-H",
            "Content-Encoding: gzip",
            "-H",
            "Content-Type: text/plain; charset=utf-8",
            "--data-binary",
        ])
        .arg(format!("@{}", f.display()))
        .arg(url);
    }
    let out = cmd.output().expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut total = 0.0;
    for line in text.lines() {
        let (code, t) = line.split_once(' ').unwrap();
        assert_eq!(code, "204", "curl write failed: {text}");
        total += t.parse::<f64>().unwrap();
    }
    Duration::from_secs_f64(total)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn write_throughput() {
    let Some(bin) = influxd() else {
        println!(
            "influx write throughput: SKIPPED, `influxd` is not installed (apt-get install -y influxdb)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display().to_string();
    let port = free_port();
    std::fs::write(
        dir.path().join("influxdb.conf"),
        format!(
            "reporting-disabled = true\nbind-address = \"127.0.0.1:{}\"\n\
             [meta]\ndir = \"{d}/meta\"\n[data]\ndir = \"{d}/data\"\nwal-dir = \"{d}/wal\"\n\
             query-log-enabled = false\n[http]\nbind-address = \"127.0.0.1:{port}\"\n\
             log-enabled = false\n[monitor]\nstore-enabled = false\n",
            free_port()
        ),
    )
    .unwrap();
    let mut child = Command::new(bin)
        .args(["-config", &format!("{d}/influxdb.conf")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while !ping(port) {
        assert!(Instant::now() < deadline, "influxd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = format!("http://127.0.0.1:{port}");

    // The outbox: POINTS points in a file store, as the daemon would have committed them.
    let store = Store::open(&dir.path().join("store")).unwrap();
    let pts = points(POINTS);
    for chunk in pts.chunks(10_000) {
        store.append_points(chunk, Utc::now()).unwrap();
    }
    // The same points pre-encoded and gzipped, in the sink's batches, for curl.
    let rows = store.sink_points_after(0, POINTS).unwrap();
    assert_eq!(rows.len(), POINTS);
    let mut files = Vec::new();
    for (i, batch) in rows.chunks(BATCH).enumerate() {
        let mut body = Vec::new();
        for r in batch {
            body.extend_from_slice(r.line.as_bytes());
            body.push(b'\n');
        }
        let f = dir.path().join(format!("batch{i}.gz"));
        std::fs::write(&f, gzip(&body)).unwrap();
        files.push(f);
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let spec = |name: &str| -> SinkSpec {
        toml::from_str(&format!(
            "name = \"{name}\"\nkind = \"influxdb_v1\"\nurl = \"{url}\"\ndatabase = \"bench\"\n\
             shutdown_timeout_secs = 600\n\
             [[retention_policies]]\nname = \"live\"\nrole = \"live\"\nduration = \"730d\"\nshard_duration = \"7d\"\n\
             [[retention_policies]]\nname = \"aggregates\"\nrole = \"aggregates\"\nduration = \"1825d\"\n"
        ))
        .unwrap()
    };
    // Set the database up once, and warm influxd with one full write.
    let warm = spec("warm").validate().unwrap();
    let client = reqwest::Client::new();
    rt.block_on(scoreline::influx::api::setup(&client, &warm))
        .unwrap();
    curl_round(
        &format!("{url}/write?db=bench&rp=live&precision=ns"),
        &files,
    );

    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for round in 0..ROUNDS {
        // Ours: a fresh sink (cursor 0) drains the whole outbox; "keep" never advances, so
        // nothing is pruned between rounds. Includes setup, reading the store, encoding the
        // body, gzip, the POSTs and committing the cursor.
        let name = format!("bench{round}");
        let cfg = spec(&name).validate().unwrap();
        let sink = Sink::new(
            cfg,
            store.clone(),
            Arc::new(SystemClock),
            vec![name.clone(), "keep".into()],
        )
        .unwrap();
        let (tx, rx) = tokio::sync::watch::channel(true);
        let t = Instant::now();
        rt.block_on(sink.run(rx));
        let e = t.elapsed();
        drop(tx);
        let stat = store.sink_stats(std::slice::from_ref(&name)).unwrap();
        assert_eq!(stat[0].acked, POINTS as u64, "{stat:?}");
        ours.push(POINTS as f64 / e.as_secs_f64());

        let c = curl_round(
            &format!("{url}/write?db=bench&rp=live&precision=ns"),
            &files,
        );
        theirs.push(POINTS as f64 / c.as_secs_f64());
    }
    let (o, c) = (median(ours.clone()), median(theirs.clone()));
    println!(
        "influx write throughput, {POINTS} points in batches of {BATCH}, {ROUNDS} rounds each:\n  \
         sink (store -> gzip -> POST -> cursor): median {o:.0} points/s (rounds: {})\n  \
         curl (pre-encoded gzip batches, one connection): median {c:.0} points/s (rounds: {})\n  \
         ratio sink/curl: {:.2}",
        ours.iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        theirs
            .iter()
            .map(|v| format!("{v:.0}"))
            .collect::<Vec<_>>()
            .join(", "),
        o / c
    );
    let _ = child.kill();
    let _ = child.wait();
}

fn main() {
    benches();
    write_throughput();
    Criterion::default().configure_from_args().final_summary();
}
