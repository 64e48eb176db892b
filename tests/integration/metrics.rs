//! `/metrics`: after real polls through the emulator and the ESPN component (one round answered
//! 500, one with a truncated body), the Prometheus text counts the adapter calls, the upstream
//! attempts by status, the events logged and the process's memory.
//!
//! The recorder is process-wide and other tests poll in parallel, so the checks compare counts
//! before and after this test's rounds and ask for at least what this test caused.

use crate::daemon::{NY, anchor, emulator_config, rig, staggered, td};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use scoreline::emulator::Fault;
use scoreline::http::AppState;
use scoreline::store::Store;
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
