//! Detection latency at equal calls: fixed polling vs polls locked to upstream's update rhythm
//! (`scoreline_core::upstream::phase`), and the CPU a tick costs when most boards do not change.
//!
//! Run: `cargo bench -p scoreline --bench detection_latency` (`-- --simulation-only`: part 1).
//!
//! Part 1 is a simulation that drives the real learner: an upstream board updates every
//! `period` at a phase, each update up to `jitter` late; every update is a change to detect.
//! A poller polls once per live interval (= the period): the fixed one at a random offset, the
//! locked one where `PhaseLearner::next_poll` says, learning from the made times an edge's
//! `Date` - `Age` would give (whole seconds, as HTTP dates are; copies under a second old say
//! nothing, as in the poller). Latency: from an update to the first poll at or after it.
//! Part 2 is the game-day bench's real poll path (1 000 live games in ten leagues, the ESPN
//! component, the store) with all boards changing each tick, then 10% of them.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

#[path = "game_day.rs"]
#[allow(dead_code)]
mod game_day;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use scoreline_core::upstream::phase::PhaseLearner;

/// One simulated six hours of polling: (calls, latencies in ms).
fn run(
    locked: bool,
    period: i64,
    phase: i64,
    jitter: i64,
    seed: u64,
    t0: DateTime<Utc>,
) -> (usize, Vec<i64>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let n = 360;
    // Update k happens at phase + k * period + a lateness in [0, jitter].
    let updates: Vec<i64> = (0..n)
        .map(|k| phase + k * period + if jitter > 0 { rng.i64(0..=jitter) } else { 0 })
        .collect();
    let end = n * period;
    let mut learner = PhaseLearner::default();
    let mut polls = Vec::new();
    let mut at = rng.i64(0..period);
    let interval = Duration::milliseconds(period);
    while at < end {
        polls.push(at);
        let now = t0 + Duration::milliseconds(at);
        // The copy served at `at`: the latest update at or before it, dated to the second.
        if let Some(&u) = updates.iter().take_while(|u| **u <= at).last() {
            let made_secs = (t0 + Duration::milliseconds(u)).timestamp();
            let made = DateTime::from_timestamp(made_secs, 0).unwrap();
            if made + Duration::seconds(1) <= now {
                learner.observe(made);
            }
        }
        let next = if locked {
            learner.next_poll(now, interval)
        } else {
            now + interval
        };
        at = (next - t0).num_milliseconds();
    }
    // Latency of each update after the first 60 (learning time left out for both).
    let latencies = updates
        .iter()
        .skip(60)
        .filter_map(|u| polls.iter().find(|p| **p >= *u).map(|p| p - u))
        .collect();
    (polls.len(), latencies)
}

/// Mean and p95 as shares of `period`.
fn stats(mut v: Vec<i64>, period: i64) -> (f64, f64) {
    v.sort_unstable();
    let mean = v.iter().sum::<i64>() as f64 / v.len().max(1) as f64;
    let p95 = v.get(v.len() * 95 / 100).copied().unwrap_or(0) as f64;
    (mean / period as f64, p95 / period as f64)
}

fn main() {
    let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
    if std::env::args().any(|a| a == "--serve-bodies") {
        game_day::serve_bodies(day, game_day::changing_arg());
        return;
    }
    let t0: DateTime<Utc> = "2026-11-21T18:00:00Z".parse().unwrap();
    println!(
        "part 1: detection latency at equal calls (simulation driving the real phase learner)"
    );
    println!(
        "  {:>7} {:>7} | {:>11} {:>10} {:>6} | {:>11} {:>10} {:>6}",
        "period",
        "jitter",
        "fixed mean",
        "fixed p95",
        "calls",
        "locked mean",
        "locked p95",
        "calls"
    );
    for (period, jitter) in [
        (10_000, 0),
        (10_000, 1_000),
        (10_000, 2_000),
        (5_000, 500),
        (30_000, 3_000),
    ] {
        let (mut fixed, mut locked) = (Vec::new(), Vec::new());
        let (mut fixed_calls, mut locked_calls) = (0, 0);
        // 40 runs with different phases, jitter draws and poll offsets.
        for seed in 0..40u64 {
            let phase = (seed as i64 * 7_919) % period;
            let (c, l) = run(false, period, phase, jitter, seed, t0);
            fixed_calls += c;
            fixed.extend(l);
            let (c, l) = run(true, period, phase, jitter, seed, t0);
            locked_calls += c;
            locked.extend(l);
        }
        let (fm, fp) = stats(fixed, period);
        let (lm, lp) = stats(locked, period);
        println!(
            "  {:>5} s {:>5} s | {:>10.1}% {:>9.1}% {:>6} | {:>10.1}% {:>9.1}% {:>6}",
            period / 1000,
            jitter as f64 / 1000.0,
            fm * 100.0,
            fp * 100.0,
            fixed_calls,
            lm * 100.0,
            lp * 100.0,
            locked_calls
        );
    }
    println!(
        "  (latency as a share of the live interval, which is the period; calls summed over 40 runs)"
    );
    println!();
    if std::env::args().any(|a| a == "--simulation-only") {
        return;
    }
    let _ = scoreline::memory::tune_allocator();
    game_day::ticks(day, 1.0);
    game_day::ticks(day, 0.1);
}
