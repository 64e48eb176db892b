//! Background housekeeping: the retention cutoffs that apply at a given time (pure), and the task
//! `scoreline run` starts to prune the store every `[retention] interval` on a blocking thread,
//! in small batches, so polls never wait for it.

use crate::config::RetentionConfig;
use chrono::{DateTime, Utc};
use scoreline_core::clock::Clock;
use scoreline_store::{PruneCutoffs, Pruned, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// The cutoffs `retention` puts on the store at `now`: each enabled table keeps rows from
/// `now - age` on. A table kept forever (or an age reaching before the calendar) has none.
pub fn cutoffs(retention: &RetentionConfig, now: DateTime<Utc>) -> PruneCutoffs {
    let before = |age: Option<Duration>| {
        let age = chrono::Duration::from_std(age?).ok()?;
        now.checked_sub_signed(age)
    };
    PruneCutoffs {
        upstream_calls: before(retention.upstream_calls),
        rejections: before(retention.rejections),
        breaker_transitions: before(retention.breaker_transitions),
        webhook_deliveries: before(retention.webhook_deliveries),
        finished_games: before(retention.finished_games),
    }
}

/// One housekeeping pass at `now` (blocking: call it from `spawn_blocking`). `keep_going` is asked
/// between batches; `false` (shutdown) stops the pass with what it deleted so far.
pub fn run_once(
    store: &Store,
    retention: &RetentionConfig,
    now: DateTime<Utc>,
    mut keep_going: impl FnMut() -> bool,
) -> Result<Pruned, StoreError> {
    let cutoffs = cutoffs(retention, now);
    if cutoffs == PruneCutoffs::default() {
        return Ok(Pruned::default());
    }
    store.prune_with(&cutoffs, retention.batch_rows, |_| {
        // Let a poll waiting for the connection take it before the next batch.
        std::thread::yield_now();
        keep_going()
    })
}

/// Prune at once, then every `retention.interval`, until `shutdown` turns true. Each pass runs on
/// a blocking thread and stops between two batches when shutdown comes.
pub async fn run(
    store: Store,
    retention: RetentionConfig,
    clock: Arc<dyn Clock>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        let now = clock.now();
        let pass_store = store.clone();
        let stop = shutdown.clone();
        let pass = tokio::task::spawn_blocking(move || {
            run_once(&pass_store, &retention, now, || !*stop.borrow())
        })
        .await;
        match pass {
            Ok(Ok(p)) if p.rows() > 0 || p.interrupted => tracing::info!(
                upstream_calls = p.upstream_calls,
                rejections = p.rejections,
                breaker_transitions = p.breaker_transitions,
                webhook_deliveries = p.webhook_deliveries,
                games = p.games,
                timeline = p.timeline,
                scoring_plays = p.scoring_plays,
                schedules = p.schedules,
                batches = p.batches,
                interrupted = p.interrupted,
                "housekeeping deleted rows past their retention"
            ),
            Ok(Ok(_)) => tracing::debug!("housekeeping: nothing past its retention"),
            Ok(Err(e)) => tracing::warn!(error = %e, "housekeeping failed; retrying next interval"),
            Err(e) => tracing::warn!(error = %e, "housekeeping task failed"),
        }
        tokio::select! {
            _ = tokio::time::sleep(retention.interval) => {}
            changed = shutdown.changed() => {
                if changed.is_err() {
                    break; // the sender is gone: nobody can stop us later, so stop now
                }
            }
        }
    }
    tracing::debug!("housekeeping stopped");
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, mo: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).single().unwrap()
    }

    #[test]
    fn cutoffs_are_now_minus_each_age() {
        let now = at(2026, 3, 15, 12);
        let d = cutoffs(&RetentionConfig::default(), now);
        assert_eq!(
            d,
            PruneCutoffs {
                upstream_calls: Some(at(2026, 3, 1, 12)),
                rejections: Some(at(2026, 2, 13, 12)),
                breaker_transitions: Some(at(2026, 2, 13, 12)),
                webhook_deliveries: Some(at(2026, 2, 13, 12)),
                finished_games: None,
            }
        );
        let r = RetentionConfig {
            upstream_calls: None,
            rejections: Some(Duration::from_secs(3_600)),
            breaker_transitions: None,
            webhook_deliveries: None,
            finished_games: Some(Duration::from_secs(365 * 86_400)),
            ..RetentionConfig::default()
        };
        assert_eq!(
            cutoffs(&r, now),
            PruneCutoffs {
                upstream_calls: None,
                rejections: Some(at(2026, 3, 15, 11)),
                breaker_transitions: None,
                webhook_deliveries: None,
                finished_games: Some(at(2025, 3, 15, 12)),
            }
        );
        // An age reaching before the calendar means nothing is old enough.
        let forever = RetentionConfig {
            upstream_calls: Some(Duration::from_secs(u64::MAX / 2)),
            ..RetentionConfig::default()
        };
        assert_eq!(cutoffs(&forever, now).upstream_calls, None);
    }

    #[test]
    fn a_pass_prunes_by_the_time_it_is_given() {
        use scoreline_store::UpstreamCall;
        let store = Store::open_in_memory().unwrap();
        let now = at(2026, 3, 15, 12);
        for (n, when) in [at(2026, 2, 1, 0), at(2026, 3, 1, 11), at(2026, 3, 1, 13)]
            .into_iter()
            .enumerate()
        {
            store
                .record_call(&UpstreamCall {
                    at: when,
                    adapter: "espn".into(),
                    league: "nfl".into(),
                    host: "h".into(),
                    url: format!("https://h/{n}"),
                    status: Some(200),
                    bytes: 1,
                    latency_ms: 1,
                    error: None,
                    from_cache: false,
                    attempt: 1,
                })
                .unwrap();
        }
        let retention = RetentionConfig::default();
        let p = run_once(&store, &retention, now, || true).unwrap();
        assert_eq!((p.upstream_calls, p.rows()), (2, 2));
        // A day later the third call is past the 14 days too.
        let p = run_once(&store, &retention, at(2026, 3, 16, 12), || true).unwrap();
        assert_eq!(p.upstream_calls, 1);
        // Everything kept forever: nothing is even looked at.
        let keep = RetentionConfig {
            upstream_calls: None,
            rejections: None,
            breaker_transitions: None,
            webhook_deliveries: None,
            finished_games: None,
            ..retention
        };
        assert_eq!(
            run_once(&store, &keep, now, || true).unwrap(),
            Pruned::default()
        );
    }

    #[tokio::test]
    async fn the_task_stops_on_shutdown() {
        let store = Store::open_in_memory().unwrap();
        let clock: Arc<dyn Clock> =
            Arc::new(scoreline_core::clock::ManualClock::new(at(2026, 3, 15, 12)));
        let (tx, rx) = watch::channel(false);
        let task = tokio::spawn(run(store, RetentionConfig::default(), clock, rx));
        tx.send(true).unwrap();
        // With a one-hour interval, only the shutdown signal can end the task.
        task.await.unwrap();
    }
}
