//! Webhook outbox benchmark: the latency from an event committed to the log to a verified
//! delivery at a loopback receiver (p50/p99 over 1 000 events, one at a time), and events per
//! second through the outbox (1 000 events committed at once). `cargo bench -p scoreline --bench
//! webhooks`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use hmac::{Hmac, Mac};
use scoreline::clock::SystemClock;
use scoreline::events::{Event, EventType};
use scoreline::store::Store;
use scoreline::webhooks::{Source, Subscription, SubscriptionSpec, WorkerOptions};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

const SECRET: &str = "whsec_c2NvcmVsaW5lLWJlbmNoLXdlYmhvb2stc2VjcmV0";
const EVENTS: usize = 1_000;

#[derive(Clone, Default)]
struct Rx {
    got: Arc<Mutex<HashMap<String, Instant>>>,
    bad: Arc<Mutex<usize>>,
}

async fn receive(State(rx): State<Rx>, h: HeaderMap, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (id, ts, sig) = (
        get("webhook-id"),
        get("webhook-timestamp"),
        get("webhook-signature"),
    );
    let key = STANDARD.decode(&SECRET[6..]).unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(&body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    if sig.split(' ').any(|s| s == expected) {
        rx.got.lock().unwrap().entry(id.to_owned()).or_insert(at);
    } else {
        *rx.bad.lock().unwrap() += 1;
    }
    StatusCode::NO_CONTENT
}

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

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn wait_for(rx: &Rx, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while rx.got.lock().unwrap().len() < n {
        assert!(Instant::now() < deadline, "timed out");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

async fn run(poll: Duration) {
    let rx = Rx::default();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

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
        wait_for(&rx, i + 1).await;
        tokio::time::sleep(Duration::from_millis(1 + (i % 7) as u64)).await;
    }
    let got = rx.got.lock().unwrap().clone();
    let mut lat: Vec<Duration> = committed
        .iter()
        .map(|(id, at)| got[id].saturating_duration_since(*at))
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
    wait_for(&rx, EVENTS).await;
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
