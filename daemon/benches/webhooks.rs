//! Webhook outbox benchmark: the latency from an event committed to the log to a verified
//! delivery at a loopback receiver (p50/p99 over 1 000 events, one at a time), and events per
//! second through the outbox (1 000 events committed at once). `cargo bench -p scoreline --bench
//! webhooks`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use chrono::Utc;
use scoreline::webhooks::WorkerOptions;
use scoreline_core::clock::SystemClock;
use scoreline_core::events::{Event, EventType};
use scoreline_core::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
use scoreline_store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{SECRET, percentile};
use tokio::sync::watch;

const EVENTS: usize = 1_000;

fn event(run: &str, i: usize) -> Event {
    Event {
        id: format!("{run}-{i}"),
        kind: EventType::ScoreChanged,
        game_id: format!("g{}", i % 1_000),
        league: "nhl".into(),
        adapter: "espn".into(),
        time: Utc::now(),
        catch_up: false,
        teams: vec!["1".into(), "BOS".into(), "2".into(), "NYR".into()],
        data: serde_json::json!({ "home": { "score": 2, "delta": 1 }, "away": { "score": 1, "delta": 0 } }),
    }
}

async fn run(poll: Duration) {
    let (rx, url) = support::serve().await;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let sub = Subscription::from_spec(
        SubscriptionSpec {
            name: "bench".into(),
            url,
            secret: SECRET.into(),
            types: vec![],
            leagues: vec![],
            teams: vec![],
            catch_up: false,
            cooldown_secs: 0,
            daily_limit: 0,
            daily_limit_bypass: true,
            allow_private: true,
            enabled: true,
        },
        Source::Config,
    )
    .unwrap();
    let (stop, stop_rx) = watch::channel(false);
    let worker = tokio::spawn(
        scoreline::webhooks::start(
            store.clone(),
            vec![sub],
            Arc::new(SystemClock),
            WorkerOptions {
                poll_interval: poll,
                ..WorkerOptions::default()
            },
            stop_rx,
        )
        .unwrap(),
    );

    // Latency: one event at a time, each waited for, with a pause so the worker is idle (the
    // worst case for polling) when the next one is committed.
    let mut committed = HashMap::new();
    for i in 0..EVENTS {
        let e = event("lat", i);
        let s = store.clone();
        let id = e.id.clone();
        tokio::task::spawn_blocking(move || s.record_events(&[e]).unwrap())
            .await
            .unwrap();
        committed.insert(id, Instant::now());
        rx.wait_for(i + 1).await;
        tokio::time::sleep(Duration::from_millis(1 + (i % 7) as u64)).await;
    }
    let got = rx.got.lock().unwrap().clone();
    let mut lat: Vec<Duration> = committed
        .iter()
        .map(|(id, at)| got[id].at.saturating_duration_since(*at))
        .collect();
    lat.sort();

    // Throughput: 1 000 events committed in one transaction, until all are delivered.
    rx.got.lock().unwrap().clear();
    let batch: Vec<Event> = (0..EVENTS).map(|i| event("tput", i)).collect();
    let start = Instant::now();
    let s = store.clone();
    tokio::task::spawn_blocking(move || s.record_events(&batch).unwrap())
        .await
        .unwrap();
    rx.wait_for(EVENTS).await;
    let elapsed = start.elapsed();

    stop.send(true).unwrap();
    worker.await.unwrap();
    assert_eq!(*rx.bad.lock().unwrap(), 0, "every signature verified");
    println!(
        "poll {:>4} ms | latency commit -> verified delivery over {EVENTS}: p50 {:>6.2} ms  p99 {:>6.2} ms  max {:>6.2} ms | throughput {EVENTS} events in {:>6.1} ms = {:>6.0} events/s",
        poll.as_millis(),
        percentile(&lat, 0.50).as_secs_f64() * 1e3,
        percentile(&lat, 0.99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3,
        elapsed.as_secs_f64() * 1e3,
        EVENTS as f64 / elapsed.as_secs_f64(),
    );
}

fn main() {
    // `cargo test --benches` runs bench targets with `--bench` absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for poll in [100, 10] {
            run(Duration::from_millis(poll)).await;
        }
    });
}
