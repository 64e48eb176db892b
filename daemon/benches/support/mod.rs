//! What the webhook benchmarks share: a loopback receiver that checks every Standard Webhooks
//! signature independently of the daemon's signer, and percentiles.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The benchmarks' signing secret (public; benchmarks only).
pub const SECRET: &str = "whsec_c2NvcmVsaW5lLWJlbmNoLXdlYmhvb2stc2VjcmV0";

/// One verified delivery, first arrival only.
#[derive(Debug, Clone)]
pub struct Arrival {
    /// When the handler ran (monotonic).
    pub at: Instant,
    /// When the handler ran (wall clock, comparable with the daemon's times).
    pub wall: DateTime<Utc>,
    /// The body, parsed.
    pub body: serde_json::Value,
}

/// What the receiver has seen: verified deliveries by `webhook-id`, and the count that failed
/// verification.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<HashMap<String, Arrival>>>,
    pub bad: Arc<Mutex<usize>>,
}

impl Receiver {
    /// Verified deliveries so far.
    pub fn len(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    /// Wait until `n` deliveries have arrived (2 minutes at most).
    pub async fn wait_for(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.len() < n {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {n} deliveries"
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// `v1,` + base64 HMAC-SHA256 of `id.timestamp.body` under the secret's decoded key, written
/// here from the spec rather than taken from the daemon.
pub fn expected_signature(id: &str, ts: &str, body: &[u8]) -> String {
    let key = STANDARD.decode(&SECRET["whsec_".len()..]).unwrap();
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{ts}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

async fn receive(State(rx): State<Receiver>, h: HeaderMap, body: Bytes) -> StatusCode {
    let at = Instant::now();
    let wall = Utc::now();
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (id, ts, sig) = (
        get("webhook-id"),
        get("webhook-timestamp"),
        get("webhook-signature"),
    );
    let expected = expected_signature(id, ts, &body);
    if sig.split(' ').any(|s| s == expected) {
        let body = serde_json::from_slice(&body).unwrap_or_default();
        rx.got
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_insert(Arrival { at, wall, body });
    } else {
        *rx.bad.lock().unwrap() += 1;
    }
    StatusCode::NO_CONTENT
}

/// Serve a receiver on `127.0.0.1:0`; returns it and its URL.
pub async fn serve() -> (Receiver, String) {
    let rx = Receiver::default();
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (rx, url)
}

/// The `p` quantile (0.0 to 1.0) of `sorted`, nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
