//! Hot swap under load: a league poller keeps polling a live emulated game round after round
//! while its adapter is replaced 20 times, alternating two good versions through the file watch
//! and the upload path, with a version that does not compile and one that fails validation thrown
//! in. No round fails or is skipped, the bad versions are refused and the current one keeps
//! serving, rollback restores the previous version, and the last good version serves at the end.

use crate::daemon::{NY, anchor, emulator_config, league, staggered, td, upstream};
use crate::util;
use chrono::{DateTime, Utc};
use scoreline::clock::ManualClock;
use scoreline::emulator::Emulator;
use scoreline::fetch::Fetcher;
use scoreline::poller::{LeaguePoller, StatusBoard};
use scoreline::store::Store;
use scoreline::swap::{AdapterSlot, SwapError, SwapOutcome, Swapper};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// The same component with a custom section appended: identical behaviour, another content
/// hash, so the swapper sees a new version.
fn variant(bytes: &[u8], tag: &str) -> Vec<u8> {
    let name = b"scoreline-test-version";
    let mut payload = vec![name.len() as u8];
    payload.extend_from_slice(name);
    payload.extend_from_slice(tag.as_bytes());
    let mut out = bytes.to_vec();
    out.push(0); // custom section id
    out.push(payload.len() as u8); // its size (under 128: one LEB128 byte)
    out.extend_from_slice(&payload);
    out
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// Write `bytes` as `dir/espn.wasm` the way a build does: a temporary file renamed into place.
fn install_file(dir: &Path, bytes: &[u8]) {
    let tmp = dir.join(".espn.wasm.tmp");
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, dir.join("espn.wasm")).unwrap();
}

async fn until_serving(slot: &AdapterSlot, hash: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while slot.current().hash() != hash {
        assert!(Instant::now() < deadline, "version {hash} never served");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_swaps_while_polling_lose_no_round() {
    let good = std::fs::read(util::espn()).unwrap();
    let versions = [variant(&good, "a"), variant(&good, "b")];
    let hashes = [sha256(&versions[0]), sha256(&versions[1])];
    let plugins = tempfile::tempdir().unwrap();
    install_file(plugins.path(), &versions[0]);

    // The compiled-artifact cache, as the daemon runs: each version compiles once.
    let cache = plugins.path().join(".cache");
    let sandbox = util::sandbox(|c| c.cache_dir = Some(cache));
    let first = sandbox
        .load_file(&plugins.path().join("espn.wasm"))
        .unwrap();
    assert_eq!(first.hash(), hashes[0], "the hash is the file's sha256");
    let slot = AdapterSlot::new(first);
    let served = BTreeMap::from([("espn".to_owned(), vec!["nhl".to_owned()])]);
    let swapper = Swapper::new(sandbox, plugins.path().to_owned(), [slot.clone()], served);
    let (stop, stopped) = watch::channel(false);
    let watching = scoreline::swap::watch::spawn(
        swapper.clone(),
        plugins.path(),
        Duration::from_millis(50),
        stopped,
    )
    .unwrap();

    // A live NHL game, polled every round while the swaps happen.
    let t0 = anchor();
    let clock = Arc::new(ManualClock::new(t0));
    let emulator = Emulator::start(emulator_config(3_600, 3_600), clock.clone())
        .await
        .unwrap();
    let game = staggered(&emulator, "nhl", 0);
    let fetcher = Fetcher::new(upstream(2_000), Some(emulator.base_url()), clock.clone()).unwrap();
    let store = Store::open_in_memory().unwrap();
    let mut poller = LeaguePoller::new(
        league("nhl", NY),
        slot.clone(),
        fetcher,
        store,
        StatusBoard::default(),
        t0,
    )
    .unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let polling = {
        let done = done.clone();
        let clock = clock.clone();
        let start: DateTime<Utc> = game.start + td(60);
        tokio::spawn(async move {
            let (mut rounds, mut failed, mut versions_seen) = (0u32, 0u32, BTreeMap::new());
            while !done.load(Ordering::Acquire) {
                // One emulated second per round keeps the game live for the whole test.
                let at = start + td(i64::from(rounds));
                clock.set(at);
                let r = poller.poll(at).await;
                if r.errors > 0 || r.accepted == 0 {
                    failed += 1;
                }
                *versions_seen.entry(poller.adapter_hash()).or_insert(0u32) += 1;
                rounds += 1;
            }
            (rounds, failed, versions_seen)
        })
    };

    let mut swaps = 0;
    for i in 0..20 {
        let next = (i + 1) % 2;
        if i % 2 == 0 {
            // Through the file watch, as `scoreline plugin build` replaces the file.
            install_file(plugins.path(), &versions[next]);
            until_serving(&slot, &hashes[next]).await;
        } else {
            // Through the admin API's upload path.
            let s = swapper.clone();
            let bytes = versions[next].clone();
            let outcome = tokio::task::spawn_blocking(move || s.upload("espn", &bytes))
                .await
                .unwrap()
                .unwrap();
            assert!(matches!(outcome, SwapOutcome::Swapped { ref to, .. } if *to == hashes[next]));
        }
        swaps += 1;
        if i == 6 {
            // Half a component: it does not compile. Refused, and the current one stays.
            let s = swapper.clone();
            let broken = versions[0][..versions[0].len() / 2].to_vec();
            let err = tokio::task::spawn_blocking(move || s.upload("espn", &broken))
                .await
                .unwrap()
                .unwrap_err();
            assert!(matches!(err, SwapError::Load { .. }), "{err}");
            assert_eq!(slot.current().hash(), hashes[next]);
        }
        if i == 12 {
            // A component that loads but names itself otherwise: refused with the reason.
            let s = swapper.clone();
            let other = std::fs::read(util::hostile()).unwrap();
            let err = tokio::task::spawn_blocking(move || s.upload("espn", &other))
                .await
                .unwrap()
                .unwrap_err();
            assert!(err.to_string().contains("names it `hostile`"), "{err}");
            assert_eq!(slot.current().hash(), hashes[next]);
        }
    }
    // After 20 swaps the first version serves again; the file holds it too.
    assert_eq!(slot.current().hash(), hashes[0]);
    assert_eq!(
        sha256(&std::fs::read(plugins.path().join("espn.wasm")).unwrap()),
        hashes[0]
    );

    // The watch stops here, so a reload it still has pending cannot race the rollbacks below.
    stop.send(true).unwrap();
    watching.await.unwrap();

    // Rollback puts the previous version back, and rolling back again undoes it.
    let s = swapper.clone();
    tokio::task::spawn_blocking(move || s.rollback("espn"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(slot.current().hash(), hashes[1]);
    let s = swapper.clone();
    tokio::task::spawn_blocking(move || s.rollback("espn"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(slot.current().hash(), hashes[0]);
    // Loading the unchanged file again is no swap.
    let s = swapper.clone();
    let again = tokio::task::spawn_blocking(move || s.reload("espn"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again,
        SwapOutcome::Unchanged {
            sha256: hashes[0].clone()
        }
    );

    tokio::time::sleep(Duration::from_millis(200)).await;
    done.store(true, Ordering::Release);
    let (rounds, failed, seen) = polling.await.unwrap();
    emulator.shutdown().await;

    assert_eq!(
        failed, 0,
        "every round polled and stored the live game ({rounds} rounds)"
    );
    assert!(rounds >= 20, "{rounds} rounds");
    // Both good versions served rounds; nothing else ever did.
    assert_eq!(seen.keys().cloned().collect::<Vec<_>>(), {
        let mut h = hashes.to_vec();
        h.sort();
        h
    });
    let summary = slot.summary();
    assert_eq!((summary.swaps, summary.refused), (swaps + 2, 2));
    assert_eq!(summary.sha256, hashes[0]);
    assert_eq!(summary.previous.unwrap().sha256, hashes[1]);
    // A refusal's reason stays until the next good swap clears it.
    assert_eq!(summary.last_error, None);
}

/// A version must pass the golden cases shipped beside it (`<plugin_dir>/<name>.cases/`);
/// otherwise it is refused, counted, and the file is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn golden_cases_gate_a_swap() {
    let good = std::fs::read(util::espn()).unwrap();
    let plugins = tempfile::tempdir().unwrap();
    install_file(plugins.path(), &good);
    let cache = plugins.path().join(".cache");
    let sandbox = util::sandbox(|c| c.cache_dir = Some(cache));
    let current = sandbox
        .load_file(&plugins.path().join("espn.wasm"))
        .unwrap();

    // One golden case: the ESPN crate's own quirky scoreboard, expected as the current version
    // parses it.
    let cases = plugins.path().join("espn.cases");
    std::fs::create_dir_all(&cases).unwrap();
    let body = util::root().join("plugins/espn/testdata/scoreboard-quirks.json");
    std::fs::copy(&body, cases.join("board.json")).unwrap();
    std::fs::write(
        cases.join("cases.toml"),
        "[[case]]\nname = \"quirks\"\ncall = \"scoreboard\"\nleague = \"nfl\"\n\
         body = \"board.json\"\nexpected = \"board.expected.json\"\n",
    )
    .unwrap();
    scoreline::plugin_kit::run_cases(&current, &cases, true).unwrap();

    let slot = AdapterSlot::new(current);
    let served = BTreeMap::from([("espn".to_owned(), vec!["nfl".to_owned(), "nhl".to_owned()])]);
    let swapper = Swapper::new(sandbox, plugins.path().to_owned(), [slot.clone()], served);
    let upload = |bytes: Vec<u8>| {
        let s = swapper.clone();
        tokio::task::spawn_blocking(move || s.upload("espn", &bytes))
    };

    // The cases pass: the new version serves.
    let v2 = variant(&good, "2");
    upload(v2.clone()).await.unwrap().unwrap();
    assert_eq!(slot.current().hash(), sha256(&v2));

    // A golden that no longer matches: refused, named, and the file is left as it was.
    let expected = cases.join("board.expected.json");
    let text = std::fs::read_to_string(&expected).unwrap();
    std::fs::write(&expected, text.replacen("\"nfl\"", "\"xfl\"", 1)).unwrap();
    let err = upload(variant(&good, "3")).await.unwrap().unwrap_err();
    assert!(
        err.to_string().contains("golden cases fail: quirks"),
        "{err}"
    );
    assert_eq!(slot.current().hash(), sha256(&v2));
    assert_eq!(
        sha256(&std::fs::read(plugins.path().join("espn.wasm")).unwrap()),
        sha256(&v2)
    );
    assert_eq!(slot.summary().refused, 1);
    assert!(slot.summary().last_error.unwrap().contains("quirks"));
}

async fn admin(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Vec<u8>,
) -> (axum::http::StatusCode, serde_json::Value) {
    use tower::ServiceExt;
    let mut request = axum::http::Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    let response = app
        .clone()
        .oneshot(request.body(axum::body::Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}

/// The operator's routes: list, upload, rollback, reload, disable and enable, all behind the
/// token; a disabled adapter's league is not polled until it is enabled again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_plugin_routes_swap_roll_back_and_disable() {
    const TOKEN: &str = "swap-test-token";
    let good = std::fs::read(util::espn()).unwrap();
    let plugins = tempfile::tempdir().unwrap();
    install_file(plugins.path(), &good);
    let cache = plugins.path().join(".cache");
    let sandbox = util::sandbox(|c| c.cache_dir = Some(cache));
    let slot = AdapterSlot::new(
        sandbox
            .load_file(&plugins.path().join("espn.wasm"))
            .unwrap(),
    );
    let served = BTreeMap::from([("espn".to_owned(), vec!["nhl".to_owned()])]);
    let swapper = Swapper::new(sandbox, plugins.path().to_owned(), [slot.clone()], served);
    let app = scoreline::http::app(scoreline::http::AppState {
        admin_token: Some(Arc::from(TOKEN)),
        plugins: Some(swapper),
        ..scoreline::http::AppState::new(Store::open_in_memory().unwrap())
    });
    let t = Some(TOKEN);

    let (code, list) = admin(&app, "GET", "/admin/plugins", t, vec![]).await;
    assert_eq!(code, 200);
    assert_eq!(list["plugins"][0]["name"], "espn");
    assert_eq!(list["plugins"][0]["sha256"], sha256(&good));
    assert_eq!(list["plugins"][0]["state"], "enabled");
    assert_eq!(list["plugins"][0]["previous"], serde_json::Value::Null);

    let v2 = variant(&good, "api");
    let (code, up) = admin(&app, "POST", "/admin/plugins?name=espn", t, v2.clone()).await;
    assert_eq!(code, 200, "{up}");
    assert_eq!(up["outcome"]["result"], "swapped");
    assert_eq!(up["outcome"]["to"], sha256(&v2));
    // `/health` lists the version serving now, not the one loaded at start.
    let (code, health) = admin(&app, "GET", "/health", None, vec![]).await;
    assert_eq!(code, 200, "{health}");
    assert_eq!(health["adapters"].as_array().map(Vec::len), Some(1));
    assert_eq!(health["adapters"][0]["name"], "espn");
    assert_eq!(health["adapters"][0]["sha256"], sha256(&v2));
    let (code, bad) = admin(
        &app,
        "POST",
        "/admin/plugins?name=espn",
        t,
        b"not wasm".to_vec(),
    )
    .await;
    assert_eq!(code, 400);
    assert!(
        bad["error"].as_str().unwrap().contains("does not load"),
        "{bad}"
    );
    let (code, _) = admin(&app, "POST", "/admin/plugins?name=nope", t, v2.clone()).await;
    assert_eq!(code, 404);

    let (code, back) = admin(&app, "POST", "/admin/plugins/espn/rollback", t, vec![]).await;
    assert_eq!(code, 200);
    assert_eq!(back["outcome"]["to"], sha256(&good));
    let (_, health) = admin(&app, "GET", "/health", None, vec![]).await;
    assert_eq!(health["adapters"][0]["sha256"], sha256(&good));
    // The file holds the uploaded version: reloading it swaps it back in.
    let (code, re) = admin(&app, "POST", "/admin/plugins/espn/reload", t, vec![]).await;
    assert_eq!(code, 200);
    assert_eq!(re["outcome"]["to"], sha256(&v2));

    // Disable: a poller on this slot makes no call and says why; enable resumes it.
    let (code, _) = admin(&app, "POST", "/admin/plugins/espn/disable", t, vec![]).await;
    assert_eq!(code, 204);
    let t0 = anchor();
    let clock = Arc::new(ManualClock::new(t0));
    let emulator = Emulator::start(emulator_config(3_600, 3_600), clock.clone())
        .await
        .unwrap();
    let game = staggered(&emulator, "nhl", 0);
    let fetcher = Fetcher::new(upstream(2_000), Some(emulator.base_url()), clock.clone()).unwrap();
    let status = StatusBoard::default();
    let mut poller = LeaguePoller::new(
        league("nhl", NY),
        slot.clone(),
        fetcher,
        Store::open_in_memory().unwrap(),
        status.clone(),
        t0,
    )
    .unwrap();
    let at = game.start + td(60);
    clock.set(at);
    let r = poller.poll(at).await;
    assert_eq!((r.accepted, r.errors), (0, 0));
    assert_eq!(emulator.requests(), 0, "no upstream call while disabled");
    assert_eq!(
        status.read().unwrap()["nhl"].last_error.as_deref(),
        Some("adapter disabled by the operator")
    );
    let (code, _) = admin(&app, "POST", "/admin/plugins/espn/enable", t, vec![]).await;
    assert_eq!(code, 204);
    let r = poller.poll(at + td(10)).await;
    assert_eq!((r.accepted, r.errors), (2, 0));
    emulator.shutdown().await;

    // Every route wants the token.
    for (method, uri) in [
        ("GET", "/admin/plugins"),
        ("POST", "/admin/plugins?name=espn"),
        ("POST", "/admin/plugins/espn/reload"),
        ("POST", "/admin/plugins/espn/rollback"),
        ("POST", "/admin/plugins/espn/disable"),
        ("POST", "/admin/plugins/espn/enable"),
    ] {
        let (code, _) = admin(&app, method, uri, None, vec![]).await;
        assert_eq!(code, 401, "{method} {uri}");
    }
}
