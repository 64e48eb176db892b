//! Events per second through the diff, the event log and the webhook outbox for 1 000 live
//! games: each round every game's score moves by one goal (synthetic hockey snapshots), the diff
//! finds the events (`score.changed` plus `lead.changed` or `game.tied`), `Store::record_events`
//! appends them to a file-backed store (WAL), one transaction per game as the poller does, or one
//! per round, and the webhook worker's step turns them into outbox rows for one subscription.
//!
//! Run: `cargo bench -p scoreline --bench events` (harness-free; prints one line per measure).
#![allow(clippy::expect_used)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use scoreline::webhooks::worker::plan;
use scoreline_core::events::diff::{Snapshot, diff};
use scoreline_core::model::GameKey;
use scoreline_core::model::{Competitor, Game, GameStatus};
use scoreline_core::webhooks::policy::Quotas;
use scoreline_core::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
use scoreline_store::Store;
use std::time::Instant;

const GAMES: u32 = 1_000;
const ROUNDS: u32 = 20;

fn game(id: u32, home: u32, away: u32) -> Game {
    let team = |id: &str, abbr: &str, score: u32| Competitor {
        id: id.into(),
        abbreviation: abbr.into(),
        name: format!("{abbr} Team"),
        score: Some(score),
    };
    Game {
        status_detail: "2nd".into(),
        period: Some(2),
        clock: Some("10:00".into()),
        clock_seconds: Some(600),
        start_time: Utc.timestamp_opt(1_760_000_000, 0).single(),
        season: Some("2025".into()),
        season_type: Some("regular".into()),
        venue: Some("Arena".into()),
        ..Game::new(
            id.to_string(),
            "nhl",
            "hockey",
            GameStatus::Live,
            team("1", "DAL", home),
            team("2", "COL", away),
        )
    }
}

/// Round `r` of game `i`: home scores on even rounds, away on odd ones (so the lead changes and
/// the game is tied in turn), offset per game so the slate is not in lockstep.
fn score(i: u32, r: u32) -> (u32, u32) {
    let goals = r + i % 3;
    (goals.div_ceil(2), goals / 2)
}

/// Run every round; `log` gets each game's events (per game) and the round's (per round).
fn rounds(
    keys: &[GameKey],
    t0: DateTime<Utc>,
    mut per_game: impl FnMut(&[scoreline_core::events::Event]),
    mut per_round: impl FnMut(&[scoreline_core::events::Event]),
) -> usize {
    let mut prev: Vec<Game> = (0..GAMES)
        .map(|i| {
            let (h, a) = score(i, 0);
            game(i, h, a)
        })
        .collect();
    let mut total = 0;
    for r in 1..=ROUNDS {
        let now = t0 + Duration::seconds(i64::from(r) * 10);
        let mut round = Vec::new();
        for (i, key) in keys.iter().enumerate() {
            let (h, a) = score(i as u32, r);
            let next = game(i as u32, h, a);
            let snap = |g| Snapshot {
                key,
                game: g,
                plays: None,
                first_seen: (0, 0),
            };
            let events = diff(Some(&snap(&prev[i])), &snap(&next), now);
            total += events.len();
            per_game(&events);
            round.extend(events);
            prev[i] = next;
        }
        per_round(&round);
    }
    total
}

fn main() {
    let keys: Vec<GameKey> = (0..GAMES)
        .map(|i| GameKey::new("nhl", "espn", i.to_string()))
        .collect();
    let t0 = Utc.timestamp_opt(1_760_000_000, 0).single().expect("time");

    let start = Instant::now();
    let n = rounds(&keys, t0, |_| {}, |_| {});
    report("diff only", n, start);

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let start = Instant::now();
    let n = rounds(
        &keys,
        t0,
        |e| {
            store.record_events(e).expect("record");
        },
        |_| {},
    );
    report("diff + record_events, one transaction per game", n, start);
    assert_eq!(store.last_event_seq().expect("seq") as usize, n);

    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let start = Instant::now();
    let n = rounds(
        &keys,
        t0,
        |_| {},
        |e| {
            store.record_events(e).expect("record");
        },
    );
    report("diff + record_events, one transaction per round", n, start);

    // As the daemon runs with one webhook subscription: the poller's transaction per game, then
    // the worker's step, in batches of 500 events (its default): plan a delivery per event and
    // commit the batch to the outbox with the cursor.
    let dir = tempfile::tempdir().expect("temp dir");
    let outbox = Store::open(dir.path()).expect("store");
    let sub = std::sync::Arc::new(
        Subscription::from_spec(
            SubscriptionSpec {
                name: "bench".into(),
                url: "https://hooks.example.com/scoreline".into(),
                secret: "whsec_c2NvcmVsaW5lLWJlbmNoLXdlYmhvb2stc2VjcmV0".into(),
                types: vec![],
                leagues: vec![],
                teams: vec![],
                catch_up: false,
                cooldown_secs: 0,
                daily_limit: 0,
                daily_limit_bypass: true,
                allow_private: false,
                enabled: true,
            },
            Source::Config,
        )
        .expect("subscription"),
    );
    let logged = std::cell::RefCell::new(Vec::new());
    let mut quotas = Quotas::default();
    let mut enqueued = 0;
    let start = Instant::now();
    let n = rounds(
        &keys,
        t0,
        |e| {
            logged
                .borrow_mut()
                .extend(outbox.record_events(e).expect("record"))
        },
        |_| {
            for batch in logged
                .borrow_mut()
                .drain(..)
                .collect::<Vec<_>>()
                .chunks(500)
            {
                let deliveries = plan(std::slice::from_ref(&sub), batch, &mut quotas);
                let cursor = batch.last().map_or(0, |l| l.seq);
                enqueued += outbox
                    .enqueue_webhooks(&deliveries, cursor, t0)
                    .expect("enqueue")
                    .len();
            }
        },
    );
    report(
        "diff + record_events per game + outbox (plan, enqueue 500 a batch)",
        n,
        start,
    );
    assert_eq!(enqueued, n, "one delivery per event");

    // The same rounds again: every id is known, nothing is appended (a replay or a restart).
    let start = Instant::now();
    let n = rounds(
        &keys,
        t0 + Duration::hours(1),
        |_| {},
        |e| {
            assert!(store.record_events(e).expect("record").is_empty());
        },
    );
    report(
        "the same events again, all deduplicated, per round",
        n,
        start,
    );
}

fn report(what: &str, events: usize, start: Instant) {
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{what}: {events} events for {GAMES} games x {ROUNDS} rounds in {:.3} s = {:.0} events/s ({:.1} µs/event)",
        secs,
        events as f64 / secs,
        secs * 1e6 / events as f64
    );
}
