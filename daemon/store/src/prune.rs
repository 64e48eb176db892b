//! Housekeeping deletes: rows older than a retention cutoff, removed in small transactions so a
//! poll writing at the same time never waits for more than one batch.
//!
//! Each batch takes the store's connection, deletes at most `batch_rows` rows in one transaction
//! and releases the connection before the next; between batches the caller may stop the prune (on
//! shutdown). What a prune deletes:
//! - `upstream_calls`, `rejections`: rows with `at` before the cutoff (indexed on `at`);
//! - `breaker_transitions`: rows before the cutoff except each host's latest, which is its current
//!   state and is kept however old;
//! - `webhook_deliveries`: deliveries that ended (`delivered` or `failed`) and were created
//!   before the cutoff; a pending delivery is never deleted;
//! - finished games: games that are `final`, `cancelled` or `postponed` with `updated_at` before
//!   the cutoff, each with its timeline and scoring plays in the same transaction (a game is
//!   never half deleted; a batch holds whole games, at least one, up to about `batch_rows` rows),
//!   then `schedules` rows starting before the cutoff whose game is no longer in `games`.

use super::error::{SqlContext, StoreError};
use crate::db::Store;
use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};
use serde::Serialize;

/// Where each table's retention ends: older rows are deleted; `None` keeps the table whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PruneCutoffs {
    /// Upstream call log.
    pub upstream_calls: Option<DateTime<Utc>>,
    /// Rejected snapshots, and snapshots dropped as stale copies.
    pub rejections: Option<DateTime<Utc>>,
    /// Circuit-breaker transitions.
    pub breaker_transitions: Option<DateTime<Utc>>,
    /// Ended webhook deliveries (by `created_at`).
    pub webhook_deliveries: Option<DateTime<Utc>>,
    /// Finished games (by `updated_at`) and past schedule rows (by `start_time`).
    pub finished_games: Option<DateTime<Utc>>,
}

/// What one prune deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pruned {
    /// Upstream call log rows.
    pub upstream_calls: u64,
    /// Rejected snapshots and stale-copy drops.
    pub rejections: u64,
    /// Breaker transitions.
    pub breaker_transitions: u64,
    /// Ended webhook deliveries.
    pub webhook_deliveries: u64,
    /// Finished games.
    pub games: u64,
    /// Timeline rows of those games.
    pub timeline: u64,
    /// Scoring plays of those games.
    pub scoring_plays: u64,
    /// Past schedule rows with no game left.
    pub schedules: u64,
    /// Transactions committed.
    pub batches: u64,
    /// The prune was stopped before it finished.
    pub interrupted: bool,
}

impl Pruned {
    /// Rows deleted in all.
    pub fn rows(&self) -> u64 {
        self.upstream_calls
            + self.rejections
            + self.breaker_transitions
            + self.webhook_deliveries
            + self.games
            + self.timeline
            + self.scoring_plays
            + self.schedules
    }
}

/// The statuses after which a game no longer changes (short of a correction).
const FINISHED: &str = "('final', 'cancelled', 'postponed')";

/// Most finished games looked at per batch.
const GAME_CANDIDATES: i64 = 1_000;

/// Which count of [`Pruned`] a table's deletes add to.
type Counter = fn(&mut Pruned) -> &mut u64;

/// A table pruned by one `DELETE ... LIMIT` per batch: `?1` is the cutoff, `?2` the batch size.
struct Simple {
    op: &'static str,
    sql: &'static str,
}

const UPSTREAM_CALLS: Simple = Simple {
    op: "prune upstream_calls",
    sql: "DELETE FROM upstream_calls WHERE id IN (
              SELECT id FROM upstream_calls WHERE at < ?1 ORDER BY at LIMIT ?2)",
};

const REJECTIONS: Simple = Simple {
    op: "prune rejections",
    sql: "DELETE FROM rejections WHERE id IN (
              SELECT id FROM rejections WHERE at < ?1 ORDER BY at LIMIT ?2)",
};

const STALE_SNAPSHOTS: Simple = Simple {
    op: "prune stale_snapshots",
    sql: "DELETE FROM stale_snapshots WHERE id IN (
              SELECT id FROM stale_snapshots WHERE at < ?1 ORDER BY at LIMIT ?2)",
};

const BREAKER_TRANSITIONS: Simple = Simple {
    op: "prune breaker_transitions",
    sql: "DELETE FROM breaker_transitions WHERE id IN (
              SELECT id FROM breaker_transitions
              WHERE at < ?1
                AND id NOT IN (SELECT MAX(id) FROM breaker_transitions GROUP BY host)
              ORDER BY at LIMIT ?2)",
};

const WEBHOOK_DELIVERIES: Simple = Simple {
    op: "prune webhook_deliveries",
    // Ids grow with `created_at`, so the oldest ended rows come first in id order.
    sql: "DELETE FROM webhook_deliveries WHERE id IN (
              SELECT id FROM webhook_deliveries
              WHERE created_at < ?1 AND state IN ('delivered', 'failed')
              ORDER BY id LIMIT ?2)",
};

const SCHEDULES: Simple = Simple {
    op: "prune schedules",
    sql: "DELETE FROM schedules WHERE rowid IN (
              SELECT s.rowid FROM schedules s
              WHERE s.start_time < ?1
                AND NOT EXISTS (SELECT 1 FROM games g WHERE g.league = s.league
                                AND g.adapter = s.adapter AND g.game_id = s.game_id)
              LIMIT ?2)",
};

impl Store {
    /// Delete every row older than its table's cutoff, `batch_rows` rows per transaction,
    /// yielding the thread between batches so a waiting writer gets the connection.
    pub fn prune(&self, cutoffs: &PruneCutoffs, batch_rows: usize) -> Result<Pruned, StoreError> {
        self.prune_with(cutoffs, batch_rows, |_| {
            std::thread::yield_now();
            true
        })
    }

    /// [`Store::prune`], calling `between` after each committed batch with the connection
    /// released and the counts so far; when it returns `false` the prune stops there
    /// (`interrupted`). Rows deleted by committed batches stay deleted either way.
    pub fn prune_with(
        &self,
        cutoffs: &PruneCutoffs,
        batch_rows: usize,
        mut between: impl FnMut(&Pruned) -> bool,
    ) -> Result<Pruned, StoreError> {
        let batch = i64::try_from(batch_rows.max(1)).unwrap_or(i64::MAX);
        let mut done = Pruned::default();
        let simple: [(&Simple, Option<DateTime<Utc>>, Counter); 5] = [
            (&UPSTREAM_CALLS, cutoffs.upstream_calls, |p| {
                &mut p.upstream_calls
            }),
            (&REJECTIONS, cutoffs.rejections, |p| &mut p.rejections),
            // Stale drops are kept as long as rejections and counted with them.
            (&STALE_SNAPSHOTS, cutoffs.rejections, |p| &mut p.rejections),
            (&BREAKER_TRANSITIONS, cutoffs.breaker_transitions, |p| {
                &mut p.breaker_transitions
            }),
            (&WEBHOOK_DELIVERIES, cutoffs.webhook_deliveries, |p| {
                &mut p.webhook_deliveries
            }),
        ];
        for (table, cutoff, count) in simple {
            if let Some(cutoff) = cutoff
                && !self.prune_simple(table, cutoff, batch, &mut done, count, &mut between)?
            {
                return Ok(done);
            }
        }
        if let Some(cutoff) = cutoffs.finished_games {
            loop {
                let deleted = self.prune_games_batch(cutoff, batch, &mut done)?;
                if deleted == 0 {
                    break;
                }
                done.batches += 1;
                if !between(&done) {
                    done.interrupted = true;
                    return Ok(done);
                }
            }
            if !self.prune_simple(
                &SCHEDULES,
                cutoff,
                batch,
                &mut done,
                |p| &mut p.schedules,
                &mut between,
            )? {
                return Ok(done);
            }
        }
        Ok(done)
    }

    /// Prune one simple table; `false` when `between` stopped the prune.
    fn prune_simple(
        &self,
        table: &Simple,
        cutoff: DateTime<Utc>,
        batch: i64,
        done: &mut Pruned,
        count: Counter,
        between: &mut impl FnMut(&Pruned) -> bool,
    ) -> Result<bool, StoreError> {
        loop {
            let deleted = {
                let conn = self.conn();
                conn.prepare_cached(table.sql)
                    .op(table.op)?
                    .execute(params![cutoff.timestamp_millis(), batch])
                    .op(table.op)?
            };
            if deleted == 0 {
                return Ok(true);
            }
            *count(done) += deleted as u64;
            done.batches += 1;
            if !between(done) {
                done.interrupted = true;
                return Ok(false);
            }
            if (deleted as u64) < batch.unsigned_abs() {
                return Ok(true);
            }
        }
    }

    /// Delete one batch of whole finished games with their timeline and scoring plays, in one
    /// transaction; returns the rows deleted (0: none left).
    fn prune_games_batch(
        &self,
        cutoff: DateTime<Utc>,
        batch: i64,
        done: &mut Pruned,
    ) -> Result<u64, StoreError> {
        const OP: &str = "prune games";
        let cutoff = cutoff.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let candidates: Vec<(String, String, String, i64)> = tx
            .prepare_cached(&format!(
                "SELECT g.league, g.adapter, g.game_id,
                     (SELECT COUNT(*) FROM timeline t WHERE t.league = g.league
                          AND t.adapter = g.adapter AND t.game_id = g.game_id)
                     + (SELECT COUNT(*) FROM scoring_plays p WHERE p.league = g.league
                          AND p.adapter = g.adapter AND p.game_id = g.game_id)
                 FROM games g
                 WHERE g.status IN {FINISHED} AND g.updated_at < ?1
                 ORDER BY g.updated_at LIMIT ?2"
            ))
            .op(OP)?
            .query_map(params![cutoff, batch.min(GAME_CANDIDATES)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        let mut rows: i64 = 0;
        let mut deleted = Pruned::default();
        for (league, adapter, game_id, children) in candidates {
            // Whole games only; the first one goes even when it alone is over the budget.
            if rows > 0 && rows + 1 + children > batch {
                break;
            }
            rows += 1 + children;
            let key = params![league, adapter, game_id];
            deleted.timeline += tx
                .prepare_cached(
                    "DELETE FROM timeline WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
                )
                .op(OP)?
                .execute(key)
                .op(OP)? as u64;
            deleted.scoring_plays += tx
                .prepare_cached(
                    "DELETE FROM scoring_plays
                     WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
                )
                .op(OP)?
                .execute(key)
                .op(OP)? as u64;
            deleted.games += tx
                .prepare_cached(
                    "DELETE FROM games WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
                )
                .op(OP)?
                .execute(key)
                .op(OP)? as u64;
        }
        tx.commit().op(OP)?;
        done.games += deleted.games;
        done.timeline += deleted.timeline;
        done.scoring_plays += deleted.scoring_plays;
        Ok(deleted.rows())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{BreakerTransition, UpstreamCall};
    use chrono::TimeZone;
    use scoreline_core::model::GameKey;
    use scoreline_core::model::{Competitor, Game, GameStatus};
    use scoreline_core::upstream::breaker::BreakerState;

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_760_000_000 + secs, 0).single().unwrap()
    }

    fn call(at: i64, n: u32) -> UpstreamCall {
        UpstreamCall {
            at: t(at),
            adapter: "espn".into(),
            league: "nfl".into(),
            host: "site.api.espn.com".into(),
            url: format!("https://site.api.espn.com/{n}"),
            status: Some(200),
            bytes: 10,
            latency_ms: 1,
            error: None,
            from_cache: false,
            attempt: 1,
        }
    }

    fn game(id: &str, status: GameStatus, home: u32) -> Game {
        let side = |id: &str, score| Competitor {
            id: id.into(),
            abbreviation: id.into(),
            name: id.into(),
            score: Some(score),
        };
        Game {
            period: Some(1),
            start_time: Some(t(0)),
            ..Game::new(id, "nhl", "hockey", status, side("H", home), side("A", 0))
        }
    }

    fn count(store: &Store, table: &str) -> i64 {
        store
            .conn()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    fn call_urls(store: &Store) -> Vec<String> {
        let conn = store.conn();
        let mut stmt = conn
            .prepare("SELECT url FROM upstream_calls ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn stale_drops_are_counted_and_pruned_with_rejections() {
        let store = Store::open_in_memory().unwrap();
        let k = GameKey::new("nhl", "espn", "1");
        for (at, source) in [
            (10, crate::StaleSource::Scoreboard),
            (20, crate::StaleSource::Detail),
            (400, crate::StaleSource::Scoreboard),
        ] {
            store
                .record_stale(&k, source, "period 1 is behind period 2", t(at))
                .unwrap();
        }
        assert_eq!(store.stale_between(t(0), t(1_000)).unwrap(), 3);
        assert_eq!(store.stale_between(t(15), t(400)).unwrap(), 1);
        let pruned = store
            .prune(
                &PruneCutoffs {
                    rejections: Some(t(300)),
                    ..PruneCutoffs::default()
                },
                100,
            )
            .unwrap();
        assert_eq!(pruned.rejections, 2);
        assert_eq!(store.stale_between(t(0), t(1_000)).unwrap(), 1);
        let sources: String = store
            .conn()
            .query_row(
                "SELECT group_concat(source) FROM stale_snapshots",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(sources, "scoreboard");
    }

    #[test]
    fn old_rows_go_new_rows_stay_across_batches() {
        let store = Store::open_in_memory().unwrap();
        // 250 old calls (at 0..250 s) and 5 at or after the cutoff (300 s).
        for i in 0..250 {
            store.record_call(&call(i, i as u32)).unwrap();
        }
        for i in 0..5 {
            store.record_call(&call(300 + i, 1_000 + i as u32)).unwrap();
        }
        let k = GameKey::new("nhl", "espn", "1");
        store
            .record_rejection(&k, "old", &game("1", GameStatus::Live, 0), t(10))
            .unwrap();
        store
            .record_rejection(&k, "new", &game("1", GameStatus::Live, 0), t(400))
            .unwrap();
        let cutoffs = PruneCutoffs {
            upstream_calls: Some(t(300)),
            rejections: Some(t(300)),
            ..PruneCutoffs::default()
        };
        let mut seen = Vec::new();
        let pruned = store
            .prune_with(&cutoffs, 100, |p| {
                seen.push(p.upstream_calls);
                true
            })
            .unwrap();
        // Three batches of calls (100, 100, 50), then one of rejections.
        assert_eq!(seen, vec![100, 200, 250, 250]);
        assert_eq!(
            pruned,
            Pruned {
                upstream_calls: 250,
                rejections: 1,
                batches: 4,
                ..Pruned::default()
            }
        );
        assert_eq!(
            call_urls(&store),
            (1_000..1_005)
                .map(|n| format!("https://site.api.espn.com/{n}"))
                .collect::<Vec<_>>()
        );
        let reason: String = store
            .conn()
            .query_row("SELECT reason FROM rejections", [], |r| r.get(0))
            .unwrap();
        assert_eq!(reason, "new");
        // 200 rows, a multiple of the batch: a last empty statement, no third batch counted.
        for i in 0..195 {
            store.record_call(&call(350, i)).unwrap();
        }
        let pruned = store
            .prune(
                &PruneCutoffs {
                    upstream_calls: Some(t(351)),
                    ..PruneCutoffs::default()
                },
                100,
            )
            .unwrap();
        assert_eq!((pruned.upstream_calls, pruned.batches), (200, 2));
        assert_eq!(count(&store, "upstream_calls"), 0);
        // Nothing to do: nothing deleted, no batch.
        assert_eq!(
            store.prune(&cutoffs, 100).unwrap(),
            Pruned::default(),
            "a second prune finds nothing"
        );
    }

    #[test]
    fn a_writer_gets_the_store_between_batches() {
        let store = Store::open_in_memory().unwrap();
        for i in 0..1_000 {
            store.record_call(&call(i, i as u32)).unwrap();
        }
        let cutoffs = PruneCutoffs {
            upstream_calls: Some(t(10_000)),
            ..PruneCutoffs::default()
        };
        let mut writes = 0u32;
        let mut progress = Vec::new();
        let pruned = store
            .prune_with(&cutoffs, 100, |p| {
                // The connection is free here: another thread's write goes through at once,
                // while the prune is part-way (it has deleted `p.upstream_calls` of 1000).
                assert!(
                    store.inner.conn.try_lock().is_ok(),
                    "the prune holds the connection between batches"
                );
                let writer = store.clone();
                let n = 10_000 + writes;
                std::thread::spawn(move || writer.record_call(&call(20_000, n)))
                    .join()
                    .unwrap()
                    .unwrap();
                writes += 1;
                progress.push((p.upstream_calls, count(&store, "upstream_calls")));
                true
            })
            .unwrap();
        // Ten batches of 100; a write landed after each, with old rows still waiting (the
        // table holds 1000 - 100 k old rows plus k new ones after batch k), and is kept.
        assert_eq!(
            progress,
            (1..=10)
                .map(|k| (100 * k, 1_000 - 100 * k as i64 + k as i64))
                .collect::<Vec<_>>()
        );
        assert_eq!((pruned.upstream_calls, pruned.batches), (1_000, 10));
        assert_eq!(writes, 10);
        assert_eq!(
            call_urls(&store),
            (10_000..10_010)
                .map(|n| format!("https://site.api.espn.com/{n}"))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn stopping_between_batches_keeps_what_was_deleted() {
        let store = Store::open_in_memory().unwrap();
        for i in 0..300 {
            store.record_call(&call(i, i as u32)).unwrap();
        }
        let cutoffs = PruneCutoffs {
            upstream_calls: Some(t(1_000)),
            rejections: Some(t(1_000)),
            ..PruneCutoffs::default()
        };
        let pruned = store.prune_with(&cutoffs, 100, |_| false).unwrap();
        assert_eq!(
            pruned,
            Pruned {
                upstream_calls: 100,
                batches: 1,
                interrupted: true,
                ..Pruned::default()
            }
        );
        assert_eq!(count(&store, "upstream_calls"), 200);
        // The oldest went first.
        assert_eq!(call_urls(&store)[0], "https://site.api.espn.com/100");
    }

    #[test]
    fn ended_webhook_deliveries_go_pending_ones_stay() {
        use crate::webhooks::{AttemptRecord, DeliveryState, NewDelivery};
        let store = Store::open_in_memory().unwrap();
        let new = |id: &str| NewDelivery {
            subscription: "s".into(),
            webhook_id: id.into(),
            event_type: "score.changed".into(),
            game_id: "g".into(),
            body: "{}".into(),
        };
        // Enqueued at 0: one delivered, one failed for good, one still pending; then a
        // delivered one enqueued at 100.
        let old = store
            .enqueue_webhooks(&[new("a"), new("b"), new("c")], 3, t(0))
            .unwrap();
        let recent = store.enqueue_webhooks(&[new("d")], 4, t(100)).unwrap();
        for (id, state) in [
            (old[0], DeliveryState::Delivered),
            (old[1], DeliveryState::Failed),
            (recent[0], DeliveryState::Delivered),
        ] {
            store
                .record_webhook_attempt(&AttemptRecord {
                    delivery_id: id,
                    subscription: "s".into(),
                    at: t(101),
                    ok: state == DeliveryState::Delivered,
                    status: Some(if state == DeliveryState::Delivered {
                        204
                    } else {
                        410
                    }),
                    error: None,
                    state,
                    next_attempt_at: None,
                })
                .unwrap();
        }
        let cutoffs = PruneCutoffs {
            webhook_deliveries: Some(t(50)),
            ..PruneCutoffs::default()
        };
        let p = store.prune(&cutoffs, 1).unwrap();
        assert_eq!((p.webhook_deliveries, p.rows()), (2, 2));
        let left: Vec<String> = ["a", "b", "c", "d"]
            .into_iter()
            .filter(|id| !store.webhook_deliveries_of(id).unwrap().is_empty())
            .map(String::from)
            .collect();
        assert_eq!(left, ["c", "d"]);
    }

    #[test]
    fn breaker_history_keeps_each_hosts_current_state() {
        let store = Store::open_in_memory().unwrap();
        let tr = |at, host: &str, state| BreakerTransition {
            at: t(at),
            host: host.into(),
            state,
            reason: format!("{host} at {at}"),
        };
        let rows = [
            tr(1, "a.example", BreakerState::Open),
            tr(2, "a.example", BreakerState::HalfOpen),
            tr(3, "a.example", BreakerState::Closed),
            tr(4, "b.example", BreakerState::Open),
            tr(500, "a.example", BreakerState::Open),
        ];
        for r in &rows {
            store.record_breaker(r).unwrap();
        }
        let pruned = store
            .prune(
                &PruneCutoffs {
                    breaker_transitions: Some(t(100)),
                    ..PruneCutoffs::default()
                },
                2,
            )
            .unwrap();
        // a's first three go; b's only (and latest) row stays although it is old.
        assert_eq!((pruned.breaker_transitions, pruned.batches), (3, 2));
        assert_eq!(
            store.breaker_states().unwrap(),
            vec![rows[4].clone(), rows[3].clone()]
        );
        assert_eq!(count(&store, "breaker_transitions"), 2);
    }

    #[test]
    fn finished_games_go_whole_with_timeline_and_plays() {
        let store = Store::open_in_memory().unwrap();
        let play = |sequence, home| scoreline_core::model::ScoringPlay {
            sequence,
            period: Some(1),
            clock: None,
            team: "H".into(),
            scorer_id: None,
            scorer_name: None,
            assists: Vec::new(),
            kind: "goal".into(),
            points: 1,
            home_score: home,
            away_score: 0,
            description: String::new(),
            details: Default::default(),
        };
        // Games 1-3: final long ago, each with 3 timeline rows and 2 plays (6 rows with the
        // game). Game 4: final but updated after the cutoff. Game 5: live, old. Game 6:
        // postponed, old, no timeline beyond its first row.
        for id in ["1", "2", "3", "4"] {
            let k = GameKey::new("nhl", "espn", id);
            let late = if id == "4" { 1_000 } else { 0 };
            store
                .record_game(&k, &game(id, GameStatus::Live, 0), t(late))
                .unwrap();
            store
                .record_game(&k, &game(id, GameStatus::Live, 2), t(late + 1))
                .unwrap();
            store
                .record_scoring_plays(&k, &[play(1, 1), play(2, 2)], t(late + 1))
                .unwrap();
            store
                .record_game(&k, &game(id, GameStatus::Final, 2), t(late + 2))
                .unwrap();
        }
        let live = GameKey::new("nhl", "espn", "5");
        store
            .record_game(&live, &game("5", GameStatus::Live, 0), t(0))
            .unwrap();
        let postponed = GameKey::new("nhl", "espn", "6");
        store
            .record_game(&postponed, &game("6", GameStatus::Postponed, 0), t(0))
            .unwrap();
        // Schedule rows: one for game 1 (deleted with it), one past and orphaned, one future.
        let mut sched = vec![
            game("1", GameStatus::Final, 2),
            game("90", GameStatus::Final, 0),
        ];
        let mut future = game("91", GameStatus::Scheduled, 0);
        future.start_time = Some(t(5_000));
        sched.push(future);
        store
            .record_schedule("nhl", "espn", &sched, "ingest", t(0))
            .unwrap();

        let mut batches = Vec::new();
        let pruned = store
            .prune_with(
                &PruneCutoffs {
                    finished_games: Some(t(500)),
                    ..PruneCutoffs::default()
                },
                // Budget of 8 rows: the oldest, game 6 (2 rows), and game 1 (6 rows) fill the first
                // batch; games 2 and 3 take one batch each; then the orphaned schedule rows.
                8,
                |p| {
                    batches.push((p.games, p.timeline, p.scoring_plays, p.schedules));
                    true
                },
            )
            .unwrap();
        assert_eq!(
            batches,
            vec![(2, 4, 2, 0), (3, 7, 4, 0), (4, 10, 6, 0), (4, 10, 6, 2)]
        );
        assert_eq!(
            pruned,
            Pruned {
                games: 4,
                timeline: 10,
                scoring_plays: 6,
                schedules: 2,
                batches: 4,
                ..Pruned::default()
            }
        );
        let left: Vec<String> = store
            .games(&Default::default())
            .unwrap()
            .into_iter()
            .map(|g| g.key.game_id)
            .collect();
        assert_eq!(left, ["4", "5"]);
        assert_eq!(
            store
                .timeline(&GameKey::new("nhl", "espn", "4"))
                .unwrap()
                .len(),
            3
        );
        assert_eq!(count(&store, "timeline"), 4);
        assert_eq!(count(&store, "scoring_plays"), 2);
        let scheduled: Vec<String> = store
            .schedule("nhl", t(-10), t(10_000))
            .unwrap()
            .into_iter()
            .map(|s| s.key.game_id)
            .collect();
        assert_eq!(scheduled, ["91"]);
    }
}
