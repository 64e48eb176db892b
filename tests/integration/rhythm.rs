//! Boards that change on upstream's own rhythm (the emulator's `update_period_ms`): a body
//! identical to the last one parsed is not parsed again, a new answer with the same body still
//! confirms a snapshot held from it, and live polls lock onto just after the updates.

use crate::daemon::{NY, anchor, emulator_config, rig, staggered, td};
use chrono::{DateTime, Utc};
use scoreline_core::cadence::Phase;
use scoreline_core::events::EventFilter;
use scoreline_emulator::{BoardUpdates, EmulatorConfig, Fault};
use scoreline_store::Store;
use std::time::Duration;

fn updating(period_ms: u64, phase_ms: u64) -> EmulatorConfig {
    EmulatorConfig {
        updates: Some(BoardUpdates {
            period: Duration::from_millis(period_ms),
            phase: Duration::from_millis(phase_ms),
            jitter: Duration::ZERO,
        }),
        ..emulator_config(600, 3600)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_body_is_not_parsed_and_a_new_answer_of_it_confirms_what_was_held() {
    let t0 = anchor();
    // Boards update once a minute, on the minute; the cache keeps a body 5 s.
    let mut rig = rig(
        "nba",
        NY,
        t0,
        updating(60_000, 0),
        5_000,
        Store::open_in_memory().unwrap(),
    )
    .await;
    let game = staggered(&rig.emulator, "nba", 0);
    let key = rig.key(&game);
    // A minute boundary with the game live and scored: polls at +1, +7, +13 s see one update.
    let minute = (2..9)
        .map(|m| game.start + td(60 * m))
        .find(|t| {
            let s = scoreline_emulator::state_at(&game, *t);
            s.home_score + s.away_score > 0 && s.break_kind.is_none()
        })
        .unwrap();
    let minute = DateTime::<Utc>::from_timestamp(minute.timestamp() / 60 * 60, 0).unwrap();
    let r = rig.poll(minute + td(1)).await;
    assert_eq!((r.errors, r.unchanged), (0, 0), "{r:?}");
    let seq = rig.store.last_event_seq().unwrap();

    // A new answer (past max-age), same update: the same body, not parsed.
    let r = rig.poll(minute + td(7)).await;
    assert_eq!((r.errors, r.unchanged, r.accepted), (0, 1, 0), "{r:?}");

    // A 0-0 glitch in the same update's body: held from that body.
    rig.emulator.force(Fault::Glitch {
        game_id: game.id.clone(),
    });
    let r = rig.poll(minute + td(13)).await;
    assert_eq!((r.held, r.unchanged), (1, 0), "{r:?}");
    // Upstream answers that very body again (a new answer, past max-age): not parsed, and it
    // confirms the held snapshot as the next poll would.
    rig.emulator.force(Fault::Glitch {
        game_id: game.id.clone(),
    });
    let r = rig.poll(minute + td(19)).await;
    assert_eq!((r.unchanged, r.held), (1, 0), "{r:?}");
    let corrected: Vec<_> = rig
        .store
        .events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.seq > seq && e.event.kind.as_str() == "score.corrected")
        .collect();
    assert_eq!(corrected.len(), 1, "{corrected:?}");
    let latest = rig.store.latest(&key).unwrap().unwrap();
    assert_eq!((latest.home.score, latest.away.score), (Some(0), Some(0)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_polls_lock_on_just_after_upstream_updates() {
    let t0 = anchor();
    // Boards update every 10 s, 3.7 s past each boundary; the live cadence is 10 s.
    let mut rig = rig(
        "nba",
        NY,
        t0,
        updating(10_000, 3_700),
        5_000,
        Store::open_in_memory().unwrap(),
    )
    .await;
    let game = staggered(&rig.emulator, "nba", 0);
    // Start polling live at a whole second, as a fixed poller would.
    let mut at = game.start + td(61);
    let mut offsets = Vec::new();
    for _ in 0..12 {
        let r = rig.poll(at).await;
        assert_eq!(r.errors, 0, "{r:?}");
        assert_eq!(rig.poller.decide(at).phase, Phase::Live);
        let next = rig.poller.next_at();
        let gap = (next - at).num_milliseconds();
        assert!(
            (5_000..=15_000).contains(&gap),
            "one poll per interval: {gap} ms"
        );
        offsets.push((next.timestamp_millis() - 3_700).rem_euclid(10_000));
        at = next;
    }
    // Fixed while it learns (the same offset each interval), then locked just after the
    // update: known to the second (HTTP dates), plus a tenth of the period.
    assert!(offsets[..3].iter().all(|o| *o == offsets[0]), "{offsets:?}");
    assert!(
        offsets[0] > 1_300,
        "this start is not already locked: {offsets:?}"
    );
    let locked = &offsets[offsets.len() - 4..];
    assert!(
        locked.iter().all(|o| *o <= 1_300),
        "the last polls land within 1.3 s after an update: {offsets:?}"
    );
}
