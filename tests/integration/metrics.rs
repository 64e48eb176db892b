//! `/metrics`: after real polls through the emulator and the ESPN component (one round answered
//! 500, one with a truncated body), the Prometheus text counts the adapter calls, the upstream
//! attempts by status, the events logged and the process's memory; and an InfluxDB sink's
//! points committed, forwarded and pending against a fake server on loopback.
//!
//! The recorder is process-wide and other tests poll in parallel, so the checks compare counts
//! before and after this test's rounds and ask for at least what this test caused.

use crate::daemon::{NY, anchor, emulator_config, rig, staggered, td};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Request, StatusCode, header};
use axum::routing::post;
use scoreline::http::state::AppState;
use scoreline::influx::config::{SinkConfig, SinkSpec};
use scoreline::influx::sink::Sink;
use scoreline_core::clock::SystemClock;
use scoreline_core::influx::line::{FieldValue, Point};
use scoreline_core::influx::schema::Policy;
use scoreline_emulator::Fault;
use scoreline_store::Store;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tower::ServiceExt;

/// The sum of the samples of `name` whose labels include every pair of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (n, rest) = series.split_once('{').unwrap_or((series, "}"));
            if n != name {
                return None;
            }
            let body = rest.strip_suffix('}')?;
            let has = |(k, v): &(&str, &str)| body.split(',').any(|p| p == format!("{k}=\"{v}\""));
            labels.iter().all(has).then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

async fn scrape(state: AppState) -> String {
    let response = scoreline::http::app(state)
        .oneshot(Request::get("/metrics").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_what_the_pollers_did() {
    assert!(
        scoreline::metrics::install().is_some(),
        "recorder installed"
    );
    let store = Store::open_in_memory().unwrap();
    let mut rig = rig(
        "nhl",
        NY,
        anchor(),
        emulator_config(600, 3600),
        2_000,
        store,
    )
    .await;
    let state = AppState {
        status: rig.status.clone(),
        ..AppState::new(rig.store.clone())
    };
    let game = staggered(&rig.emulator, "nhl", 0);
    let before = scrape(state.clone()).await;

    let t = game.start + td(100);
    assert_eq!(rig.poll(t).await.accepted, 2);
    rig.emulator.force(Fault::Status(500));
    assert_eq!(rig.poll(t + td(10)).await.errors, 1);
    rig.emulator.force(Fault::Malformed);
    assert_eq!(rig.poll(t + td(20)).await.errors, 1);
    let after = scrape(state).await;
    let grew = |name: &str, labels: &[(&str, &str)]| {
        sample(&after, name, labels) - sample(&before, name, labels)
    };

    let espn_board = [("adapter", "espn"), ("call", "parse-scoreboard")];
    assert!(
        grew(
            "scoreline_adapter_calls_total",
            &[espn_board[0], espn_board[1], ("outcome", "ok")]
        ) >= 1.0
    );
    // The truncated body fails the adapter's parse.
    assert!(
        grew(
            "scoreline_adapter_calls_total",
            &[espn_board[0], espn_board[1], ("outcome", "parse")]
        ) >= 1.0
    );
    // Every call is timed: the histogram's count moves with the calls.
    assert!(grew("scoreline_adapter_call_seconds_count", &espn_board) >= 2.0);
    let host = ("host", "site.api.espn.com");
    assert!(grew("scoreline_upstream_calls_total", &[host, ("status", "500")]) >= 1.0);
    // Three rounds with a board and a detail call each, of which one board answered 500.
    assert!(grew("scoreline_upstream_calls_total", &[host, ("status", "200")]) >= 3.0);
    assert!(grew("scoreline_upstream_call_seconds_count", &[host]) >= 4.0);
    assert!(
        grew(
            "scoreline_events_total",
            &[("league", "nhl"), ("type", "game.started")]
        ) >= 1.0
    );
    assert!(sample(&after, "process_resident_memory_bytes", &[]) > f64::from(1u32 << 20));
    assert!(after.contains("# HELP scoreline_adapter_calls_total"));
    assert!(after.contains("# TYPE scoreline_adapter_call_seconds histogram"));
    rig.emulator.shutdown().await;
}

/// A fake InfluxDB 1.x: `/query` answers every setup statement; `/write` answers 500 until
/// `accept` is set, then keeps the lines.
#[derive(Default)]
struct FakeInflux {
    accept: AtomicBool,
    lines: Mutex<Vec<String>>,
}

async fn fake_write(State(fake): State<Arc<FakeInflux>>, body: Bytes) -> StatusCode {
    if !fake.accept.load(Ordering::SeqCst) {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let mut text = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut text)
        .unwrap();
    fake.lines
        .lock()
        .unwrap()
        .extend(text.lines().map(str::to_owned));
    StatusCode::NO_CONTENT
}

fn points(from: i64, n: i64) -> Vec<(Policy, Point)> {
    (from..from + n)
        .map(|i| {
            (
                Policy::Live,
                Point::new("game_state", 1_000 + i)
                    .tag("game_id", "m")
                    .field("n", FieldValue::Int(i)),
            )
        })
        .collect()
}

async fn until(state: &AppState, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let text = scrape(state.clone()).await;
        if done(&text) {
            return text;
        }
        assert!(std::time::Instant::now() < deadline, "{what}:\n{text}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The sink series: a backlog left by an earlier run shows as pending while the server refuses
/// writes, and is pending still for the next sink over the same store (a restart); once the
/// server accepts, forwarded counts exactly the points it received, committed exactly the points
/// appended while the sink ran, and pending drops to 0.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sink_metrics_count_committed_forwarded_and_pending_points() {
    const SINK: &str = "metrics-test-sink";
    assert!(scoreline::metrics::install().is_some());
    let fake = Arc::new(FakeInflux::default());
    let app = Router::new()
        .route(
            "/query",
            post(|| async { r#"{"results":[{"statement_id":0}]}"# }),
        )
        .route("/write", post(fake_write))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move { axum::serve(listener, app).await });

    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).unwrap();
    store
        .append_points(&points(0, 40), chrono::Utc::now())
        .unwrap();
    let cfg: SinkConfig = toml::from_str::<SinkSpec>(&format!(
        "name = \"{SINK}\"\nkind = \"influxdb_v1\"\nurl = \"http://{addr}\"\ndatabase = \"d\"\n\
         flush_interval_ms = 20\nshutdown_timeout_secs = 1\n\
         [[retention_policies]]\nname = \"live\"\nrole = \"live\"\nduration = \"730d\"\n\
         [[retention_policies]]\nname = \"aggregates\"\nrole = \"aggregates\"\nduration = \"0\"\n"
    ))
    .unwrap()
    .validate()
    .unwrap();
    let state = AppState::new(store.clone());
    let series = |text: &str, name: &str| sample(text, name, &[("sink", SINK)]);
    let before = scrape(state.clone()).await;
    let sink = |store: &Store| {
        Sink::new(
            cfg.clone(),
            store.clone(),
            Arc::new(SystemClock),
            vec![SINK.to_owned()],
        )
        .unwrap()
    };

    // The server refuses every write; told to stop at once, the sink gives up after its
    // one-second drain, the 40 points still pending.
    let (_stop, stopped) = watch::channel(true);
    sink(&store).run(stopped).await;
    let refused = scrape(state.clone()).await;
    assert_eq!(series(&refused, "scoreline_sink_points_pending"), 40.0);
    assert_eq!(
        series(&refused, "scoreline_sink_points_forwarded_total"),
        series(&before, "scoreline_sink_points_forwarded_total")
    );
    assert!(fake.lines.lock().unwrap().is_empty());

    // The next sink over the same store: the backlog is pending from its start.
    fake.accept.store(true, Ordering::SeqCst);
    let (stop, running) = watch::channel(false);
    let task = tokio::spawn(sink(&store).run(running));
    let forwarded = |text: &str| {
        series(text, "scoreline_sink_points_forwarded_total")
            - series(&before, "scoreline_sink_points_forwarded_total")
    };
    until(&state, "the backlog forwarded", |t| forwarded(t) == 40.0).await;
    let head_before = series(
        &scrape(state.clone()).await,
        "scoreline_sink_points_committed_total",
    );
    store
        .append_points(&points(40, 25), chrono::Utc::now())
        .unwrap();
    let after = until(&state, "the new points forwarded", |t| {
        forwarded(t) == 65.0 && series(t, "scoreline_sink_points_pending") == 0.0
    })
    .await;
    assert_eq!(
        series(&after, "scoreline_sink_points_committed_total") - head_before,
        25.0
    );
    assert_eq!(fake.lines.lock().unwrap().len(), 65);
    assert_eq!(
        series(&after, "scoreline_sink_points_rejected_total")
            - series(&before, "scoreline_sink_points_rejected_total"),
        0.0
    );
    assert_eq!(
        series(&after, "scoreline_sink_points_dropped_total")
            - series(&before, "scoreline_sink_points_dropped_total"),
        0.0
    );
    let stats = store.sink_stats(&[SINK.to_owned()]).unwrap();
    assert_eq!((stats[0].pending, stats[0].acked), (0, 65));
    assert!(after.contains("# HELP scoreline_sink_points_pending"));
    assert!(after.contains("# TYPE scoreline_sink_points_forwarded_total counter"));

    stop.send(true).unwrap();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .unwrap()
        .unwrap();
    server.abort();
}
