//! Webhooks end to end: events put straight into the store's log, the outbox worker, and a
//! receiver on 127.0.0.1:0 that checks every signature with its own implementation of the
//! Standard Webhooks spec (HMAC-SHA256 built here from SHA-256, not the daemon's signing code).

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeZone, Utc};
use scoreline::http::app;
use scoreline::http::state::AppState;
use scoreline::webhooks::WorkerOptions;
use scoreline::webhooks::worker::{active_subscriptions, plan};
use scoreline_core::clock::SystemClock;
use scoreline_core::events::{Event, EventType};
use scoreline_core::webhooks::policy::{FailureRule, Quotas};
use scoreline_core::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
use scoreline_store::{DeliveryCounts, DeliveryState, Store};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tower::ServiceExt;

const SECRET: &str = "whsec_c2NvcmVsaW5lLXRlc3Qtd2ViaG9vay1zZWNyZXQ=";

// ---------------------------------------------------------------------------------------------
// The independent verifier, from the spec: the signed content is `{id}.{timestamp}.{body}`, the
// key is the base64 part of the `whsec_` secret, the signature HMAC-SHA256 in base64, prefixed
// `v1,`; the header may carry several space-separated signatures; the timestamp must be recent.

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // RFC 2104 with a 64-byte block.
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// `Ok(())` when the headers carry a valid signature of `body` made within 5 minutes of `now`.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8], now: i64) -> Result<(), String> {
    let get = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| format!("missing {name}"))
    };
    let id = get("webhook-id")?;
    let ts = get("webhook-timestamp")?;
    let sigs = get("webhook-signature")?;
    let ts_num: i64 = ts.parse().map_err(|_| format!("bad timestamp {ts}"))?;
    if (now - ts_num).abs() > 300 {
        return Err(format!("timestamp {ts} too far from {now}"));
    }
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").ok_or("secret prefix")?)
        .map_err(|e| e.to_string())?;
    let mut content = format!("{id}.{ts}.").into_bytes();
    content.extend_from_slice(body);
    let expected = STANDARD.encode(hmac_sha256(&key, &content));
    for sig in sigs.split(' ') {
        if let Some(("v1", value)) = sig.split_once(',')
            && value.len() == expected.len()
            && value
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        {
            return Ok(());
        }
    }
    Err(format!("no valid signature in `{sigs}`"))
}

#[test]
fn the_verifier_matches_the_spec_example_and_rejects_tampering() {
    // The Standard Webhooks reference vector.
    let mut h = HeaderMap::new();
    h.insert(
        "webhook-id",
        "msg_p5jXN8AQM9LWM0D4loKWxJek".parse().unwrap(),
    );
    h.insert("webhook-timestamp", "1614265330".parse().unwrap());
    h.insert(
        "webhook-signature",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
            .parse()
            .unwrap(),
    );
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    assert_eq!(
        verify(secret, &h, br#"{"test": 2432232314}"#, 1_614_265_330),
        Ok(())
    );
    assert!(verify(secret, &h, br#"{"test": 2432232315}"#, 1_614_265_330).is_err());
    assert!(verify(secret, &h, br#"{"test": 2432232314}"#, 1_614_266_000).is_err());
}

// ---------------------------------------------------------------------------------------------
// The receiver.

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Ok,
    Status(u16),
    Hang,
}

#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: i64,
    body: Value,
    verified: Result<(), String>,
    answered: u16,
}

#[derive(Clone, Default)]
struct Receiver {
    mode: Arc<Mutex<Option<Mode>>>,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = Some(mode);
    }
    fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
    /// Ids answered 2xx, in arrival order.
    fn delivered(&self) -> Vec<String> {
        self.got()
            .into_iter()
            .filter(|r| r.answered == 200)
            .map(|r| r.id)
            .collect()
    }
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let mode = r.mode.lock().unwrap().unwrap_or(Mode::Ok);
    if mode == Mode::Hang {
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
    let answered = match mode {
        Mode::Status(s) => s,
        _ => 200,
    };
    let now = Utc::now().timestamp();
    r.got.lock().unwrap().push(Received {
        id: headers
            .get("webhook-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        timestamp: headers
            .get("webhook-timestamp")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or_default(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        verified: verify(SECRET, &headers, &body, now),
        answered,
    });
    StatusCode::from_u16(answered).unwrap().into_response()
}

/// A receiver on 127.0.0.1:0; returns it and its URL.
async fn receiver() -> (Receiver, String) {
    let r = Receiver::default();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (r, format!("http://{addr}/hook"))
}

// ---------------------------------------------------------------------------------------------
// Helpers.

fn t(secs: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap() + chrono::Duration::seconds(secs)
}

fn event(id: &str, kind: EventType, game: &str, secs: i64) -> Event {
    Event {
        id: id.into(),
        kind,
        game_id: game.into(),
        league: "nhl".into(),
        adapter: "espn".into(),
        time: t(secs),
        catch_up: false,
        teams: vec!["1".into(), "BOS".into(), "2".into(), "NYR".into()],
        data: serde_json::json!({ "home_score": 1, "away_score": 0 }),
    }
}

/// Sort key of the first test's ids, in the order the events happened.
fn t_of(id: &str) -> usize {
    ["ev-start", "ev-score", "ev-final"]
        .iter()
        .position(|x| *x == id)
        .unwrap_or(usize::MAX)
}

fn spec(name: &str, url: &str) -> SubscriptionSpec {
    SubscriptionSpec {
        name: name.into(),
        url: url.into(),
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
    }
}

fn sub(spec: SubscriptionSpec) -> Subscription {
    Subscription::from_spec(spec, Source::Config).unwrap()
}

/// Fast retries and polling, for tests.
fn fast() -> WorkerOptions {
    WorkerOptions {
        retry_schedule: [50, 100, 150, 200, 300, 500]
            .map(Duration::from_millis)
            .to_vec(),
        poll_interval: Duration::from_millis(10),
        timeout: Duration::from_secs(2),
        max_in_flight: 8,
        batch: 100,
        failure_rule: FailureRule::default(),
        shutdown_grace: Duration::from_millis(200),
    }
}

struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        self.stop.send(true).unwrap();
        tokio::time::timeout(Duration::from_secs(10), self.task)
            .await
            .expect("worker stops on shutdown")
            .unwrap();
    }
}

fn start(store: &Store, subs: Vec<Subscription>, options: WorkerOptions) -> Running {
    let (tx, rx) = watch::channel(false);
    let fut = scoreline::webhooks::start(store.clone(), subs, Arc::new(SystemClock), options, rx)
        .unwrap();
    Running {
        stop: tx,
        task: tokio::spawn(fut),
    }
}

/// Wait (at most 10 s) until `f` holds.
async fn until(what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !f() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn counts(store: &Store, name: &str) -> DeliveryCounts {
    store
        .webhook_delivery_counts()
        .unwrap()
        .get(name)
        .copied()
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Tests.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_are_signed_and_verify_independently() {
    let (r, url) = receiver().await;
    let store = Store::open_in_memory().unwrap();
    let events = vec![
        event("ev-start", EventType::GameStarted, "g1", 0),
        event("ev-score", EventType::ScoreChanged, "g1", 60),
        event("ev-final", EventType::GameFinal, "g1", 3_600),
    ];
    store.record_events(&events).unwrap();
    let w = start(&store, vec![sub(spec("rx", &url))], fast());
    until("3 deliveries", || r.delivered().len() == 3).await;
    w.stop().await;
    // Messages to one endpoint go out concurrently: arrival order is not guaranteed.
    let mut got = r.got();
    got.sort_by_key(|g| t_of(&g.id));
    assert_eq!(
        got.iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["ev-start", "ev-score", "ev-final"]
    );
    for g in &got {
        assert_eq!(g.verified, Ok(()), "{}", g.id);
        assert!((Utc::now().timestamp() - g.timestamp).abs() < 60);
    }
    assert_eq!(
        got[1].body,
        serde_json::json!({
            "type": "score.changed",
            "timestamp": "2026-11-22T12:01:00Z",
            "data": {
                "event_id": "ev-score", "game_id": "g1", "league": "nhl", "adapter": "espn",
                "catch_up": false, "teams": ["1", "BOS", "2", "NYR"],
                "home_score": 1, "away_score": 0
            }
        })
    );
    assert_eq!(
        counts(&store, "rx"),
        DeliveryCounts {
            pending: 0,
            delivered: 3,
            failed: 0
        }
    );
    assert_eq!(store.webhook_cursor().unwrap(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_wakes_the_worker_without_waiting_for_its_poll() {
    let (r, url) = receiver().await;
    let store = Store::open_in_memory().unwrap();
    // A poll interval far beyond the test's 10 s wait: only the commit's wake-up can deliver.
    let options = WorkerOptions {
        poll_interval: Duration::from_secs(3_600),
        ..fast()
    };
    let w = start(&store, vec![sub(spec("rx", &url))], options);
    for (n, id) in ["ev-a", "ev-b"].into_iter().enumerate() {
        // Let the worker finish its look at the log (at start, or after recording the last
        // delivery) and go to sleep for its interval.
        tokio::time::sleep(Duration::from_millis(200)).await;
        store
            .record_events(&[event(id, EventType::ScoreChanged, "g1", 60 * n as i64)])
            .unwrap();
        until(id, || counts(&store, "rx").delivered == n as u64 + 1).await;
    }
    w.stop().await;
    assert_eq!(r.delivered(), ["ev-a", "ev-b"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_receiver_down_for_a_while_gets_every_event_once_back() {
    let (r, url) = receiver().await;
    r.set(Mode::Status(503));
    let store = Store::open_in_memory().unwrap();
    let w = start(&store, vec![sub(spec("rx", &url))], fast());
    // Events keep coming while the receiver is down.
    let mut ids = Vec::new();
    for i in 0..20 {
        let id = format!("ev-{i:02}");
        store
            .record_events(&[event(&id, EventType::ScoreChanged, &format!("g{i}"), i)])
            .unwrap();
        ids.push(id);
        tokio::time::sleep(Duration::from_millis(15)).await;
    }
    until("every delivery failed at least once", || {
        let got = r.got();
        ids.iter().all(|id| got.iter().any(|g| &g.id == id))
    })
    .await;
    r.set(Mode::Ok);
    until("all 20 delivered", || counts(&store, "rx").delivered == 20).await;
    w.stop().await;
    let mut delivered = r.delivered();
    delivered.sort();
    assert_eq!(delivered, ids, "each event delivered exactly once");
    let got = r.got();
    let failed = got.iter().filter(|g| g.answered == 503).count();
    assert!(failed >= 20, "every event was refused first ({failed})");
    // Every attempt of an event carried the same id and a valid signature.
    assert!(got.iter().all(|g| g.verified.is_ok()));
    assert_eq!(
        counts(&store, "rx"),
        DeliveryCounts {
            pending: 0,
            delivered: 20,
            failed: 0
        }
    );
    for id in &ids {
        let rows = store.webhook_deliveries_of(id).unwrap();
        assert_eq!(rows.len(), 1, "{id}: one delivery row");
        assert_eq!(rows[0].state, DeliveryState::Delivered);
        assert!(rows[0].attempts >= 2, "{id}: retried");
    }
    assert!(store.disabled_webhooks().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gone_disables_the_endpoint() {
    let (r, url) = receiver().await;
    r.set(Mode::Status(410));
    let store = Store::open_in_memory().unwrap();
    let w = start(&store, vec![sub(spec("rx", &url))], fast());
    store
        .record_events(&[event("ev-1", EventType::ScoreChanged, "g1", 0)])
        .unwrap();
    until("endpoint disabled", || {
        !store.disabled_webhooks().unwrap().is_empty()
    })
    .await;
    // Later events are not enqueued for a disabled endpoint.
    store
        .record_events(&[
            event("ev-2", EventType::ScoreChanged, "g1", 10),
            event("ev-3", EventType::GameFinal, "g1", 20),
        ])
        .unwrap();
    until("cursor past ev-3", || store.webhook_cursor().unwrap() == 3).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    w.stop().await;
    let d = store.disabled_webhooks().unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].name.as_str(), d[0].reason.as_str()),
        ("rx", "endpoint answered 410 Gone")
    );
    assert_eq!(
        r.got().iter().map(|g| g.id.as_str()).collect::<Vec<_>>(),
        ["ev-1"]
    );
    assert_eq!(
        counts(&store, "rx"),
        DeliveryCounts {
            pending: 0,
            delivered: 0,
            failed: 1
        }
    );
    let row = &store.webhook_deliveries_of("ev-1").unwrap()[0];
    assert_eq!((row.attempts, row.last_status), (1, Some(410)));

    // Enabled again (`scoreline webhooks enable`), it receives the events logged from then on.
    r.set(Mode::Ok);
    assert!(store.enable_webhook("rx").unwrap());
    assert!(!store.enable_webhook("rx").unwrap());
    let w = start(&store, vec![sub(spec("rx", &url))], fast());
    store
        .record_events(&[event("ev-4", EventType::ScoreChanged, "g1", 30)])
        .unwrap();
    until("ev-4 delivered", || r.delivered() == ["ev-4"]).await;
    w.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cooldown_and_daily_limit_hold_with_the_bypass() {
    let (r, url) = receiver().await;
    let store = Store::open_in_memory().unwrap();
    let s = SubscriptionSpec {
        cooldown_secs: 60,
        daily_limit: 3,
        ..spec("rx", &url)
    };
    let events = vec![
        event("a-score-g1", EventType::ScoreChanged, "g1", 0), // sent (1 of 3)
        event("b-score-g1", EventType::ScoreChanged, "g1", 30), // cooldown: same game and type
        event("c-lead-g1", EventType::LeadChanged, "g1", 31),  // sent (2 of 3)
        event("d-score-g2", EventType::ScoreChanged, "g2", 32), // sent (3 of 3)
        event("e-lead-g2", EventType::LeadChanged, "g2", 33),  // daily limit reached
        event("f-first-g2", EventType::ScoringFirst, "g2", 34), // bypasses the limit
        event("g-score-g1", EventType::ScoreChanged, "g1", 90), // cooldown over; limit reached
        event("h-final-g1", EventType::GameFinal, "g1", 100),  // bypasses the limit
        // The next UTC day: a new count.
        event("i-score-g3", EventType::ScoreChanged, "g3", 86_400),
    ];
    store.record_events(&events).unwrap();
    let w = start(&store, vec![sub(s)], fast());
    until("cursor at the end", || store.webhook_cursor().unwrap() == 9).await;
    until("6 delivered", || counts(&store, "rx").delivered == 6).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    w.stop().await;
    let mut got = r.delivered();
    got.sort();
    assert_eq!(
        got,
        [
            "a-score-g1",
            "c-lead-g1",
            "d-score-g2",
            "f-first-g2",
            "h-final-g1",
            "i-score-g3"
        ]
    );
    assert_eq!(counts(&store, "rx").pending, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_target_is_refused() {
    let (r, url) = receiver().await;
    // A literal private address is refused when the subscription is validated.
    let literal = SubscriptionSpec {
        allow_private: false,
        ..spec("rx", &url)
    };
    let e = Subscription::from_spec(literal, Source::Api).unwrap_err();
    assert_eq!(e.field, "url");
    // A name that resolves to loopback is refused when it is sent to.
    let by_name = SubscriptionSpec {
        allow_private: false,
        ..spec("rx", &url.replace("127.0.0.1", "localhost"))
    };
    let store = Store::open_in_memory().unwrap();
    store
        .record_events(&[event("ev-1", EventType::GameFinal, "g1", 0)])
        .unwrap();
    let w = start(&store, vec![sub(by_name)], fast());
    until("delivery failed", || counts(&store, "rx").failed == 1).await;
    w.stop().await;
    assert!(r.got().is_empty(), "nothing reached the receiver");
    let row = &store.webhook_deliveries_of("ev-1").unwrap()[0];
    assert_eq!(
        (row.state, row.attempts, row.last_status),
        (DeliveryState::Failed, 1, None)
    );
    let error = row.last_error.clone().unwrap_or_default();
    assert!(
        error.starts_with("refused: `localhost` resolves to ") && error.contains("loopback"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_commit_and_send_resends_with_the_same_webhook_id() {
    let (r, url) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let subs = vec![sub(spec("rx", &url))];
    let events = vec![
        event("ev-1", EventType::ScoreChanged, "g1", 0),
        event("ev-2", EventType::GameFinal, "g1", 10),
    ];
    {
        // The first process: commits the deliveries and the cursor exactly as the worker does,
        // then dies before sending anything.
        let store = Store::open(dir.path()).unwrap();
        let logged = store.record_events(&events).unwrap();
        let active = active_subscriptions(&store, &subs).unwrap();
        let rows = plan(&active, &logged, &mut Quotas::default());
        store.enqueue_webhooks(&rows, 2, Utc::now()).unwrap();
    }
    // The second process: same file, a new worker.
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(counts(&store, "rx").pending, 2);
    let w = start(&store, subs.clone(), fast());
    until("2 delivered", || counts(&store, "rx").delivered == 2).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    w.stop().await;
    let mut first = r.delivered();
    first.sort();
    assert_eq!(first, ["ev-1", "ev-2"], "sent once each, ids kept");
    assert!(r.got().iter().all(|g| g.verified.is_ok()));

    // A crash during the attempt: the receiver hangs, the worker is stopped without waiting,
    // and the next worker sends the same message again.
    r.set(Mode::Hang);
    store
        .record_events(&[event("ev-3", EventType::ScoreChanged, "g2", 20)])
        .unwrap();
    let w = start(
        &store,
        subs.clone(),
        WorkerOptions {
            shutdown_grace: Duration::ZERO,
            ..fast()
        },
    );
    until("ev-3 enqueued", || counts(&store, "rx").pending == 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    w.stop().await;
    assert_eq!(
        counts(&store, "rx").pending,
        1,
        "still pending after the crash"
    );
    r.set(Mode::Ok);
    let w = start(&store, subs, fast());
    until("ev-3 delivered", || counts(&store, "rx").delivered == 3).await;
    w.stop().await;
    let mut all = r.delivered();
    all.sort();
    assert_eq!(all, ["ev-1", "ev-2", "ev-3"]);
    let rows = store.webhook_deliveries_of("ev-3").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, DeliveryState::Delivered);
}

// ---------------------------------------------------------------------------------------------
// The admin API, and a subscription added through it receiving events.

const TOKEN: &str = "t0ken";

async fn call(app: &Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    let body = match body {
        Some(v) => {
            req = req.header(header::CONTENT_TYPE, "application/json");
            Body::from(v.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_api_adds_lists_and_deletes_subscriptions() {
    let (r, url) = receiver().await;
    let store = Store::open_in_memory().unwrap();
    let app = app(AppState {
        admin_token: Some(Arc::from(TOKEN)),
        ..AppState::new(store.clone())
    });
    // A config subscription (disabled, so it sends nothing) mirrored by the worker at start.
    let from_config = sub(SubscriptionSpec {
        enabled: false,
        ..spec("from-config", "https://hooks.example.com/in")
    });
    let w = start(&store, vec![from_config], fast());

    let unauthorized = app
        .clone()
        .oneshot(
            Request::builder()
                .uri("/admin/webhooks")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);

    let new = serde_json::to_value(SubscriptionSpec {
        types: vec!["game.final".into()],
        ..spec("api-rx", &url)
    })
    .unwrap();
    let (s, v) = call(&app, "POST", "/admin/webhooks", Some(new.clone())).await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["webhook"]["secret"], "whsec_(redacted)");
    assert_eq!(v["webhook"]["types"], serde_json::json!(["game.final"]));
    let (s, v) = call(&app, "POST", "/admin/webhooks", Some(new)).await;
    assert_eq!(
        (s, v["error"].as_str().unwrap()),
        (
            StatusCode::CONFLICT,
            "a webhook subscription named `api-rx` exists"
        )
    );
    let private = serde_json::to_value(SubscriptionSpec {
        allow_private: false,
        ..spec("p", &url)
    })
    .unwrap();
    let (s, v) = call(&app, "POST", "/admin/webhooks", Some(private)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        v["error"]
            .as_str()
            .unwrap()
            .starts_with("`url` `http://127.0.0.1:")
    );
    let (s, v) = call(
        &app,
        "POST",
        "/admin/webhooks",
        Some(serde_json::json!({ "name": "x", "url": url, "secret": SECRET, "typo": 1 })),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(v["error"].as_str().unwrap().contains("typo"), "{v}");

    // The worker picks the new subscription up: only the game.final goes out.
    store
        .record_events(&[
            event("ev-1", EventType::ScoreChanged, "g1", 0),
            event("ev-2", EventType::GameFinal, "g1", 10),
        ])
        .unwrap();
    until("ev-2 delivered", || r.delivered() == ["ev-2"]).await;
    // The receiver answers before the worker records the attempt: wait for the record too.
    until("ev-2 recorded as delivered", || {
        counts(&store, "api-rx").delivered == 1
    })
    .await;

    let (s, v) = call(&app, "GET", "/admin/webhooks", None).await;
    assert_eq!(s, StatusCode::OK);
    let listed: Vec<(String, String, String, u64)> = v["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_owned(),
                w["source"].as_str().unwrap().to_owned(),
                w["state"].as_str().unwrap().to_owned(),
                w["delivered"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("api-rx".into(), "api".into(), "active".into(), 1),
            ("from-config".into(), "config".into(), "disabled".into(), 0)
        ]
    );
    assert!(v.to_string().find(SECRET).is_none(), "no secret listed");

    let (s, _) = call(&app, "DELETE", "/admin/webhooks/from-config", None).await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = call(&app, "DELETE", "/admin/webhooks/api-rx", None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = call(&app, "DELETE", "/admin/webhooks/api-rx", None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    w.stop().await;
    let names: Vec<String> = store
        .webhook_subscriptions()
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(names, ["from-config"]);
}

// ---------------------------------------------------------------------------------------------
// The CLI: list, test, replay against a data dir and a loopback receiver.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_lists_tests_and_replays() {
    let (r, url) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hooks.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"{}\"\n[http]\nenabled = false\n\n[[webhooks]]\nname = \"rx\"\nurl = \"{url}\"\nsecret = \"{SECRET}\"\nallow_private = true\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let subs = scoreline::config::Config::load(Some(&config))
        .unwrap()
        .webhooks;
    {
        let store = Store::open(&dir.path().join("data")).unwrap();
        store
            .record_events(&[event("ev-1", EventType::GameFinal, "g1", 0)])
            .unwrap();
        let w = start(&store, subs.clone(), fast());
        until("ev-1 delivered", || counts(&store, "rx").delivered == 1).await;
        w.stop().await;
    }
    let cfg = config.to_str().unwrap().to_owned();
    let run = move |args: &[&str]| {
        let mut all = vec!["--config", cfg.as_str()];
        all.extend_from_slice(args);
        let args: Vec<String> = all.into_iter().map(String::from).collect();
        async move {
            tokio::task::spawn_blocking(move || {
                let refs: Vec<&str> = args.iter().map(String::as_str).collect();
                crate::util::scoreline(&refs)
            })
            .await
            .unwrap()
        }
    };
    let out = run(&["webhooks", "list", "--json"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let w = &v["webhooks"][0];
    assert_eq!(
        (
            w["name"].as_str(),
            w["source"].as_str(),
            w["state"].as_str(),
            w["pending"].as_u64(),
            w["delivered"].as_u64(),
            w["failed"].as_u64()
        ),
        (
            Some("rx"),
            Some("config"),
            Some("active"),
            Some(0),
            Some(1),
            Some(0)
        )
    );

    let out = run(&["webhooks", "test", "rx"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        text.starts_with("sent test message test_rx_") && text.ends_with("answered 200\n"),
        "{text}"
    );
    let test = r.got().last().cloned().unwrap();
    assert_eq!(test.verified, Ok(()));
    assert_eq!(test.body["type"], "webhook.test");

    let out = run(&["webhooks", "replay", "ev-1"]).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "enqueued delivery 2 of ev-1 (game.final) to `rx`\n"
    );
    let out = run(&["webhooks", "replay", "nope"]).await;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no webhook delivery of event `nope`"));

    // The daemon's worker sends the replayed delivery with the same webhook-id.
    let store = Store::open(&dir.path().join("data")).unwrap();
    let w = start(&store, subs, fast());
    until("replay delivered", || counts(&store, "rx").delivered == 2).await;
    w.stop().await;
    assert_eq!(r.delivered(), ["ev-1", &test.id, "ev-1"]);
}
