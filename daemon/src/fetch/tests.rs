//! The fetcher against loopback servers: headers, overrides, the cache, the breaker and
//! `Retry-After`, with a driven clock.

use super::*;
use chrono::TimeZone;
use scoreline_core::upstream::breaker::BreakerState;

#[test]
fn header_parsing() {
    assert_eq!(
        parse_max_age("max-age=15, public"),
        Some(Duration::from_secs(15))
    );
    assert_eq!(
        parse_max_age("public, s-maxage=9, max-age=\"30\""),
        Some(Duration::from_secs(30))
    );
    assert_eq!(parse_max_age("no-store"), None);
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    assert_eq!(
        parse_retry_after("120", now),
        Some(Duration::from_secs(120))
    );
    assert_eq!(
        parse_retry_after("Sun, 22 Nov 2026 12:00:30 GMT", now),
        Some(Duration::from_secs(30))
    );
    assert_eq!(
        parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", now), None);
}

#[test]
fn overrides_rewrite_scheme_host_and_port_only() {
    let mut config = crate::config::Config::parse(std::path::Path::new("t"), "", |_| None)
        .unwrap()
        .upstream;
    config.overrides.insert(
        "site.api.espn.com".into(),
        Override::Url(url::Url::parse("http://127.0.0.1:9/prefix/").unwrap()),
    );
    config
        .overrides
        .insert("api-web.nhle.com".into(), Override::Emulator);
    let clock: Arc<dyn Clock> = Arc::new(scoreline_core::clock::SystemClock);
    let emulator = Some(url::Url::parse("http://127.0.0.1:7").unwrap());
    let f = Fetcher::new(config.clone(), emulator, clock.clone()).unwrap();
    let u = f
        .effective_url(
            "https://site.api.espn.com/apis/site/v2/sports/football/nfl/scoreboard?dates=20261122",
        )
        .unwrap();
    assert_eq!(
        u.as_str(),
        "http://127.0.0.1:9/prefix/apis/site/v2/sports/football/nfl/scoreboard?dates=20261122"
    );
    let u = f
        .effective_url("https://api-web.nhle.com/v1/score/2026-11-22")
        .unwrap();
    assert_eq!(u.as_str(), "http://127.0.0.1:7/v1/score/2026-11-22");
    let u = f
        .effective_url("https://statsapi.mlb.com/api/v1/schedule")
        .unwrap();
    assert_eq!(u.as_str(), "https://statsapi.mlb.com/api/v1/schedule");
    let without = Fetcher::new(config, None, clock).unwrap();
    assert!(matches!(
        without.effective_url("https://api-web.nhle.com/v1/x"),
        Err(FetchError::BadUrl { .. })
    ));
}

/// One scripted answer: status, headers, body.
type Reply = (u16, Vec<(&'static str, String)>, String);

/// A loopback upstream answering from a script, counting requests.
struct Script {
    hits: Arc<std::sync::atomic::AtomicUsize>,
    base: url::Url,
    replies: Arc<Mutex<std::collections::VecDeque<Reply>>>,
}

impl Script {
    async fn start() -> Script {
        use axum::response::IntoResponse;
        let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let replies: Arc<Mutex<std::collections::VecDeque<_>>> = Arc::default();
        let (h, r) = (hits.clone(), replies.clone());
        let app = axum::Router::new().fallback(move || {
            let (h, r) = (h.clone(), r.clone());
            async move {
                h.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let (status, headers, body): Reply =
                    r.lock()
                        .unwrap()
                        .pop_front()
                        .unwrap_or((200, vec![], "{}".into()));
                let mut resp =
                    (axum::http::StatusCode::from_u16(status).unwrap(), body).into_response();
                for (k, v) in headers {
                    resp.headers_mut().insert(k, v.parse().unwrap());
                }
                resp
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Script {
            hits,
            base: url::Url::parse(&format!("http://{addr}")).unwrap(),
            replies,
        }
    }

    fn push(&self, status: u16, headers: &[(&'static str, &str)], body: &str) {
        self.replies.lock().unwrap().push_back((
            status,
            headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
            body.to_owned(),
        ));
    }

    fn hits(&self) -> usize {
        self.hits.load(std::sync::atomic::Ordering::SeqCst)
    }
}

fn config_for(script: &Script, retries: u32) -> UpstreamConfig {
    let mut config = crate::config::Config::parse(
        std::path::Path::new("t"),
        "[upstream.breaker]\nfailures = 3\ncooldown_secs = 30\n",
        |_| None,
    )
    .unwrap()
    .upstream;
    config.retries = retries;
    config.retry_base = Duration::from_millis(1);
    config.rate_per_sec = 1000;
    config
        .overrides
        .insert("api.example".into(), Override::Url(script.base.clone()));
    config
}

fn request(path: &str) -> PlannedRequest {
    PlannedRequest {
        url: format!("https://api.example{path}"),
        headers: vec![],
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()
}

#[tokio::test]
async fn cached_responses_are_shared_and_live_ttl_then_max_age_bound_them() {
    let script = Script::start().await;
    let clock = Arc::new(scoreline_core::clock::ManualClock::new(start()));
    let f = Fetcher::new(config_for(&script, 0), None, clock.clone()).unwrap();
    let scoreboard = request("/scoreboard?dates=20261122");
    script.push(200, &[], "first");
    // League A fetches; league B asks for the same URL 4 s later (live TTL 5 s): no request.
    let a = f.get(&scoreboard, 1 << 20, Freshness::Live).await;
    clock.advance(chrono::Duration::seconds(4));
    let b = f.get(&scoreboard, 1 << 20, Freshness::Live).await;
    assert_eq!(script.hits(), 1);
    let (a, b_result) = (a.result.unwrap(), b.result.unwrap());
    assert_eq!((&*a.body, a.from_cache), (&b"first"[..], false));
    assert_eq!(
        (&*b_result.body, b_result.from_cache),
        (&b"first"[..], true)
    );
    assert_eq!(b.attempts.len(), 1);
    assert!(b.attempts[0].from_cache);
    assert_eq!(b.attempts[0].bytes, 5);
    // 6 s after the fetch the live entry has expired.
    clock.advance(chrono::Duration::seconds(2));
    script.push(200, &[("cache-control", "public, max-age=30")], "second");
    let c = f.get(&scoreboard, 1 << 20, Freshness::Live).await;
    assert_eq!(
        (&*c.result.unwrap().body, script.hits()),
        (&b"second"[..], 2)
    );
    // Upstream's max-age (30 s) now rules, longer than the live TTL.
    clock.advance(chrono::Duration::seconds(29));
    let d = f.get(&scoreboard, 1 << 20, Freshness::Live).await;
    assert!(d.result.unwrap().from_cache);
    assert_eq!(script.hits(), 2);
    clock.advance(chrono::Duration::seconds(1));
    script.push(200, &[], "third");
    let e = f.get(&scoreboard, 1 << 20, Freshness::Live).await;
    assert_eq!(
        (&*e.result.unwrap().body, script.hits()),
        (&b"third"[..], 3)
    );
    // The settle fetch (TTL 0) always goes upstream; an error is never cached.
    script.push(200, &[], "settled");
    let g = f.get(&scoreboard, 1 << 20, Freshness::Settle).await;
    assert_eq!(
        (&*g.result.unwrap().body, script.hits()),
        (&b"settled"[..], 4)
    );
    script.push(404, &[], "");
    let other = request("/summary?event=1");
    assert!(matches!(
        f.get(&other, 1 << 20, Freshness::Idle).await.result,
        Err(FetchError::Status { status: 404, .. })
    ));
    script.push(200, &[], "found");
    assert_eq!(
        &*f.get(&other, 1 << 20, Freshness::Idle)
            .await
            .result
            .unwrap()
            .body,
        b"found"
    );
    assert_eq!(script.hits(), 6);
}

#[tokio::test]
async fn concurrent_identical_requests_make_one_upstream_call() {
    let script = Script::start().await;
    let clock = Arc::new(scoreline_core::clock::ManualClock::new(start()));
    let f = Fetcher::new(config_for(&script, 0), None, clock).unwrap();
    let r = request("/scoreboard");
    let (a, b, c) = tokio::join!(
        f.get(&r, 1 << 20, Freshness::Pregame),
        f.get(&r, 1 << 20, Freshness::Pregame),
        f.get(&r, 1 << 20, Freshness::Pregame)
    );
    assert_eq!(script.hits(), 1);
    let cached = [a, b, c]
        .into_iter()
        .filter(|o| o.result.as_ref().unwrap().from_cache)
        .count();
    assert_eq!(cached, 2);
}

#[tokio::test]
async fn breaker_opens_under_repeated_500s_and_recovers_through_half_open() {
    let script = Script::start().await;
    let clock = Arc::new(scoreline_core::clock::ManualClock::new(start()));
    let f = Fetcher::new(config_for(&script, 0), None, clock.clone()).unwrap();
    let r = request("/scoreboard");
    for _ in 0..3 {
        script.push(500, &[], "");
    }
    let mut transitions = Vec::new();
    for i in 0..3 {
        let o = f.get(&r, 1 << 20, Freshness::Live).await;
        assert!(
            matches!(o.result, Err(FetchError::Status { status: 500, .. })),
            "{i}"
        );
        transitions.extend(o.transitions);
        clock.advance(chrono::Duration::seconds(1));
    }
    assert_eq!(script.hits(), 3);
    assert_eq!(transitions.len(), 1);
    assert_eq!(transitions[0].transition.state, BreakerState::Open);
    assert_eq!(transitions[0].host, "api.example");
    assert_eq!(f.breakers()[0].state, BreakerState::Open);
    // Open: refused without a request until the cool-down (30 s from the third failure) ends.
    let opened_at = start() + chrono::Duration::seconds(2);
    clock.set(opened_at + chrono::Duration::seconds(29));
    let refused = f.get(&r, 1 << 20, Freshness::Live).await;
    assert_eq!(
        refused.result.unwrap_err(),
        FetchError::CircuitOpen {
            host: "api.example".into(),
            until: Some(opened_at + chrono::Duration::seconds(30))
        }
    );
    assert!(refused.attempts.is_empty());
    assert_eq!(script.hits(), 3);
    // Half-open: one trial; it succeeds and closes the breaker.
    clock.set(opened_at + chrono::Duration::seconds(30));
    script.push(200, &[], "ok");
    let trial = f.get(&r, 1 << 20, Freshness::Settle).await;
    assert_eq!(&*trial.result.unwrap().body, b"ok");
    let states: Vec<BreakerState> = trial
        .transitions
        .iter()
        .map(|t| t.transition.state)
        .collect();
    assert_eq!(states, [BreakerState::HalfOpen, BreakerState::Closed]);
    assert_eq!(f.breakers()[0].state, BreakerState::Closed);
    assert_eq!(script.hits(), 4);
}

#[tokio::test]
async fn retry_after_holds_the_host_until_the_time_upstream_named() {
    let script = Script::start().await;
    let clock = Arc::new(scoreline_core::clock::ManualClock::new(start()));
    let f = Fetcher::new(config_for(&script, 2), None, clock.clone()).unwrap();
    let r = request("/scoreboard");
    script.push(429, &[("retry-after", "120")], "");
    let o = f.get(&r, 1 << 20, Freshness::Live).await;
    // 120 s is longer than the 10 s the fetcher waits out in a request: no retry, breaker held.
    assert_eq!(
        o.result.unwrap_err(),
        FetchError::Status {
            status: 429,
            attempts: 1,
            retry_after: Some(Duration::from_secs(120))
        }
    );
    assert_eq!(o.transitions[0].transition.state, BreakerState::Open);
    clock.advance(chrono::Duration::seconds(119));
    assert!(matches!(
        f.get(&r, 1 << 20, Freshness::Live).await.result,
        Err(FetchError::CircuitOpen { .. })
    ));
    assert_eq!(script.hits(), 1);
    clock.advance(chrono::Duration::seconds(1));
    script.push(200, &[], "back");
    assert_eq!(
        &*f.get(&r, 1 << 20, Freshness::Live)
            .await
            .result
            .unwrap()
            .body,
        b"back"
    );
    assert_eq!(script.hits(), 2);
    // A short Retry-After (HTTP date form, 1 s) is waited out and the retry succeeds.
    let date = (clock.now() + chrono::Duration::seconds(1)).to_rfc2822();
    script.push(503, &[("retry-after", date.as_str())], "");
    script.push(200, &[], "retried");
    let o = f.get(&request("/other"), 1 << 20, Freshness::Live).await;
    assert_eq!(&*o.result.unwrap().body, b"retried");
    assert_eq!(
        o.attempts
            .iter()
            .map(|a| (a.attempt, a.status))
            .collect::<Vec<_>>(),
        [(1, Some(503)), (2, Some(200))]
    );
    assert_eq!(script.hits(), 4);
}

#[tokio::test]
async fn record_then_replay_returns_the_same_bodies_without_network() {
    let script = Script::start().await;
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(scoreline_core::clock::ManualClock::new(start()));
    let recorder = Recorder::create(dir.path()).unwrap();
    let f = Fetcher::open(
        config_for(&script, 0),
        Upstream::Network { emulator: None },
        Some(recorder),
        clock.clone(),
    )
    .unwrap();
    let r = request("/scoreboard?dates=20261122");
    for (i, body) in ["one", "two"].iter().enumerate() {
        script.push(200, &[("cache-control", "max-age=3")], body);
        f.get(&r, 1 << 20, Freshness::Settle).await.result.unwrap();
        clock.advance(chrono::Duration::seconds(10 * (i as i64 + 1)));
    }
    let replay = Arc::new(Replay::open(dir.path()).unwrap());
    assert_eq!(replay.len(), 2);
    let clock2 = Arc::new(scoreline_core::clock::ManualClock::new(replay.start()));
    let mut config = config_for(&script, 0);
    config.overrides.clear();
    let g = Fetcher::open(
        config,
        Upstream::Replay(replay.clone()),
        None,
        clock2.clone(),
    )
    .unwrap();
    let first = g.get(&r, 1 << 20, Freshness::Settle).await.result.unwrap();
    clock2.advance(chrono::Duration::seconds(10));
    let second = g.get(&r, 1 << 20, Freshness::Settle).await.result.unwrap();
    assert_eq!(
        (&*first.body, first.max_age),
        (&b"one"[..], Some(Duration::from_secs(3)))
    );
    assert_eq!(&*second.body, b"two");
    assert!(replay.finished(clock2.now()));
    assert_eq!(script.hits(), 2);
    let missing = g.get(&request("/nope"), 1 << 20, Freshness::Settle).await;
    assert!(matches!(
        missing.result,
        Err(FetchError::NotRecorded { .. })
    ));
}

/// The body reader's three shapes: a known `Content-Length`, a chunked stream of unknown
/// length, and a gzip body decompressed on the way (no usable length); each comes back whole,
/// and the cap holds for the unknown-length ones.
#[tokio::test]
async fn bodies_of_known_unknown_and_compressed_length_arrive_whole() {
    use std::io::Write;
    let expected: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&expected).unwrap();
    let gzipped = gz.finish().unwrap();
    let (plain, zipped) = (expected.clone(), gzipped);
    let app = axum::Router::new()
        .route(
            "/known",
            axum::routing::get({
                let b = plain.clone();
                move || async move { b }
            }),
        )
        .route(
            "/chunked",
            axum::routing::get({
                let b = plain.clone();
                move || async move {
                    let parts: Vec<Result<Vec<u8>, std::io::Error>> =
                        b.chunks(7_000).map(|c| Ok(c.to_vec())).collect();
                    axum::body::Body::from_stream(futures_util::stream::iter(parts))
                }
            }),
        )
        .route(
            "/gzip",
            axum::routing::get(move || async move { ([("content-encoding", "gzip")], zipped) }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = crate::config::Config::parse(std::path::Path::new("t"), "", |_| None)
        .unwrap()
        .upstream;
    config.retries = 0;
    config.overrides.insert(
        "api.example".into(),
        Override::Url(url::Url::parse(&format!("http://{addr}")).unwrap()),
    );
    let clock = Arc::new(scoreline_core::clock::ManualClock::new(start()));
    let f = Fetcher::new(config, None, clock).unwrap();
    for path in ["/known", "/chunked", "/gzip"] {
        let got = f.get(&request(path), 1 << 20, Freshness::Settle).await;
        let body = got.result.unwrap().body;
        assert_eq!((path, body.len()), (path, expected.len()));
        assert!(*body == *expected, "{path}: body differs");
        let capped = f.get(&request(path), 100_000, Freshness::Settle).await;
        assert!(
            matches!(capped.result, Err(FetchError::TooLarge { limit: 100_000 })),
            "{path}: {:?}",
            capped.result.map(|b| b.body.len())
        );
    }
}

#[tokio::test]
async fn bodies_held_at_once_are_bounded_until_their_holders_drop_them() {
    let script = Script::start().await;
    let clock = Arc::new(scoreline_core::clock::ManualClock::new(start()));
    let mut config = config_for(&script, 0);
    config.max_bodies_in_flight = 2;
    let f = Fetcher::new(config, None, clock).unwrap();
    let get = |path: &'static str, freshness| {
        let f = f.clone();
        tokio::spawn(async move { f.get(&request(path), 1 << 20, freshness).await })
    };
    // A live body is cached; its holder lets it go, so its place is free again.
    script.push(200, &[], "live");
    let live = get("/live", Freshness::Live).await.unwrap().result.unwrap();
    drop(live);
    // Settle fetches are never cached: each reads its own body and holds a place.
    script.push(200, &[], "a");
    script.push(200, &[], "b");
    let a = get("/a", Freshness::Settle).await.unwrap().result.unwrap();
    let b = get("/b", Freshness::Settle).await.unwrap().result.unwrap();
    // Both places are taken: a third request is answered, but its body waits (and is counted).
    let waits = || {
        crate::metrics::render()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("scoreline_upstream_body_waits_total "))
                    .and_then(|v| v.trim().parse::<f64>().ok())
            })
            .unwrap_or(0.0)
    };
    crate::metrics::install();
    let waited_before = waits();
    script.push(200, &[], "c");
    let c = get("/c", Freshness::Settle);
    for _ in 0..500 {
        if script.hits() == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(script.hits(), 4);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        !c.is_finished(),
        "a third body was read with two places held"
    );
    assert_eq!(waits(), waited_before + 1.0);
    // Neither an error status (no body is read) nor a cache hit needs a place.
    script.push(500, &[], "down");
    let failed = tokio::time::timeout(Duration::from_secs(5), get("/d", Freshness::Settle))
        .await
        .expect("an error status waited for a body place")
        .unwrap();
    assert!(matches!(
        failed.result,
        Err(FetchError::Status { status: 500, .. })
    ));
    let hit = tokio::time::timeout(Duration::from_secs(5), get("/live", Freshness::Live))
        .await
        .expect("a cache hit waited for a body place")
        .unwrap()
        .result
        .unwrap();
    assert!(hit.from_cache);
    assert_eq!(&*hit.body, b"live");
    // A clone holds the same place: dropping the original frees nothing.
    let kept = a.body.clone();
    drop(a);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !c.is_finished(),
        "a place was freed while a clone of its body lived"
    );
    drop(kept);
    let c = tokio::time::timeout(Duration::from_secs(5), c)
        .await
        .expect("the waiting body never got the freed place")
        .unwrap();
    assert_eq!(&*c.result.unwrap().body, b"c");
    drop(b);
}
