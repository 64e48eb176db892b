//! The sandbox holds against hostile guests: each fault fails one call with a typed error, and the
//! next call on the same adapter works.

use crate::util;
use chrono::{NaiveDate, TimeZone, Utc};
use scoreline::sandbox::{CallContext, CallError, LoadError, Provenance};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

fn ctx(league: &str) -> CallContext {
    CallContext::new(
        league,
        Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap(),
    )
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// After any fault, a well-behaved call on the same adapter still answers.
fn still_serves(adapter: &scoreline::sandbox::Adapter) {
    let games = adapter
        .parse_scoreboard(&ctx("good"), b"{}")
        .expect("a good call after a fault");
    assert_eq!(games.games.len(), 1);
    assert_eq!(games.games[0].league, "good");
}

#[test]
fn infinite_loop_hits_the_cpu_deadline() {
    let adapter = util::sandbox(|c| c.call_timeout = Duration::from_millis(200))
        .load_file(&util::hostile())
        .unwrap();
    let started = Instant::now();
    let err = adapter.parse_scoreboard(&ctx("loop"), b"{}").unwrap_err();
    assert!(
        matches!(err, CallError::Timeout { limit_ms: 200 }),
        "{err:?}"
    );
    // Interrupted near the deadline, not after some unrelated long wait.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(adapter.stats().timeouts.load(Ordering::Relaxed), 1);
    still_serves(&adapter);
}

#[test]
fn memory_bomb_hits_the_memory_cap() {
    let adapter = util::sandbox(|c| c.memory_bytes = 32 << 20)
        .load_file(&util::hostile())
        .unwrap();
    let err = adapter.parse_scoreboard(&ctx("bomb"), b"{}").unwrap_err();
    assert!(
        matches!(err, CallError::OutOfMemory { limit_bytes } if limit_bytes == 32 << 20),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!("exceeded its memory limit of {} bytes", 32 << 20)
    );
    still_serves(&adapter);
}

#[test]
fn explicit_trap_fails_one_call() {
    let adapter = util::load(&util::hostile());
    let err = adapter.parse_scoreboard(&ctx("trap"), b"{}").unwrap_err();
    // The guest's panic message travels with the trap, for the plugin author.
    assert!(
        matches!(&err, CallError::Trap(m) if m.contains("hostile guest panics on purpose")),
        "{err:?}"
    );
    assert!(err.is_fault());
    assert_eq!(adapter.stats().traps.load(Ordering::Relaxed), 1);
    still_serves(&adapter);
    still_serves(&adapter);
    assert_eq!(
        adapter.stats().calls.load(Ordering::Relaxed),
        1 + 1 + 2,
        "info + trap + two good calls"
    );
}

#[test]
fn request_to_an_undeclared_host_is_refused() {
    let adapter = util::load(&util::hostile());
    let err = adapter.scoreboard_request(&ctx("evil"), day()).unwrap_err();
    match &err {
        CallError::RequestRefused { url, reason } => {
            assert_eq!(url, "https://attacker.example.net/evil/2026-11-22");
            assert!(reason.contains("attacker.example.net"), "{reason}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let ok = adapter.scoreboard_request(&ctx("good"), day()).unwrap();
    assert_eq!(ok.url, "https://scores.example.com/good/2026-11-22");
}

#[test]
fn huge_output_is_refused() {
    let adapter = util::load(&util::hostile());
    let err = adapter.parse_scoreboard(&ctx("huge"), b"{}").unwrap_err();
    assert!(
        matches!(&err, CallError::OutputTooLarge(m) if m == "20000 games (limit 5000)"),
        "{err:?}"
    );
    still_serves(&adapter);
}

#[test]
fn log_flood_is_capped() {
    let adapter = util::load(&util::hostile());
    let r = adapter.parse_scoreboard(&ctx("chatty"), b"{}").unwrap();
    assert!(r.games.is_empty());
    // 10 000 lines written, the first 100 kept.
    assert_eq!(
        adapter.stats().log_lines_dropped.load(Ordering::Relaxed),
        9_900
    );
    still_serves(&adapter);
}

#[test]
fn oversized_body_and_unserved_league_never_reach_the_guest() {
    let adapter = util::sandbox(|c| c.max_body_bytes = 1024)
        .load_file(&util::hostile())
        .unwrap();
    let calls = adapter.stats().calls.load(Ordering::Relaxed);
    let err = adapter
        .parse_scoreboard(&ctx("good"), &[b' '; 2048])
        .unwrap_err();
    assert!(
        matches!(
            err,
            CallError::BodyTooLarge {
                size: 2048,
                limit: 1024
            }
        ),
        "{err:?}"
    );
    let err = adapter.parse_scoreboard(&ctx("nfl"), b"{}").unwrap_err();
    assert!(
        matches!(&err, CallError::LeagueNotServed(l) if l == "nfl"),
        "{err:?}"
    );
    assert_eq!(
        adapter.stats().calls.load(Ordering::Relaxed),
        calls,
        "no guest call was made"
    );
}

#[test]
fn faults_in_parallel_do_not_disturb_each_other() {
    let adapter = util::sandbox(|c| c.call_timeout = Duration::from_millis(300))
        .load_file(&util::hostile())
        .unwrap();
    std::thread::scope(|s| {
        let bad: Vec<_> = ["loop", "trap", "bomb"]
            .into_iter()
            .map(|league| {
                let a = adapter.clone();
                s.spawn(move || a.parse_scoreboard(&ctx(league), b"{}").map(|_| ()))
            })
            .collect();
        for _ in 0..20 {
            still_serves(&adapter);
        }
        for h in bad {
            assert!(h.join().unwrap().is_err());
        }
    });
}

#[test]
fn not_a_component_is_a_typed_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.wasm");
    std::fs::write(&path, b"\0asm junk").unwrap();
    let err = util::sandbox(|_| {})
        .load_file(&path)
        .err()
        .expect("junk must not load");
    assert!(matches!(err, LoadError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("junk.wasm"), "{err}");
}

#[test]
fn artifact_cache_skips_recompiling() {
    let cache = tempfile::tempdir().unwrap();
    let first = util::sandbox(|c| c.cache_dir = Some(cache.path().to_owned()))
        .load_file(&util::hostile())
        .unwrap();
    assert_eq!(first.provenance(), Provenance::Compiled);
    let files: Vec<_> = std::fs::read_dir(cache.path()).unwrap().flatten().collect();
    assert_eq!(files.len(), 1, "one artifact written");
    // A new engine (as after a restart) with the same configuration reads the artifact back.
    let second = util::sandbox(|c| c.cache_dir = Some(cache.path().to_owned()))
        .load_file(&util::hostile())
        .unwrap();
    assert_eq!(second.provenance(), Provenance::Cached);
    assert_eq!(second.info(), first.info());
    // A corrupt artifact is discarded and the component recompiled.
    std::fs::write(files[0].path(), b"garbage").unwrap();
    let third = util::sandbox(|c| c.cache_dir = Some(cache.path().to_owned()))
        .load_file(&util::hostile())
        .unwrap();
    assert_eq!(third.provenance(), Provenance::Compiled);
}

/// A warning an adapter gives on every call (an unknown status name on a live game) reaches the
/// log at warn level once per adapter version and league; repeats go to debug and are counted.
#[test]
fn a_warning_repeated_on_every_poll_is_logged_once() {
    let adapter = util::load(&util::espn());
    let body =
        std::fs::read(util::root().join("plugins/espn/testdata/scoreboard-quirks.json")).unwrap();
    let repeated = || adapter.stats().log_lines_repeated.load(Ordering::Relaxed);
    // The body's one unknown name (on two games) gives one warning per call.
    adapter.parse_scoreboard(&ctx("nba"), &body).unwrap();
    assert_eq!(repeated(), 0);
    adapter.parse_scoreboard(&ctx("nba"), &body).unwrap();
    adapter.parse_scoreboard(&ctx("nba"), &body).unwrap();
    assert_eq!(repeated(), 2);
    // Another league's first warning is its own.
    adapter.parse_scoreboard(&ctx("wnba"), &body).unwrap();
    assert_eq!(repeated(), 2);
    // A new load of the component (as a hot swap makes) starts afresh.
    let reloaded = util::load(&util::espn());
    reloaded.parse_scoreboard(&ctx("nba"), &body).unwrap();
    assert_eq!(
        reloaded.stats().log_lines_repeated.load(Ordering::Relaxed),
        0
    );
}
