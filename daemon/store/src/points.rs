//! The point outbox that remote sinks (InfluxDB) forward, and each sink's cursor.
//!
//! # Format
//!
//! `sink_points` holds one row per point: `seq` (AUTOINCREMENT, never reused), `policy`
//! (`live`/`aggregates`), `measurement`, `created_at` (observation, Unix ms) and `line`, the
//! point encoded as one line of line protocol with a nanosecond timestamp (see `influx::schema`).
//! `sink_cursors` holds per sink the last `seq` it is done with and running counts of points
//! acknowledged, rejected (a 4xx other than 413/429) and dropped (backlog limit).
//!
//! # Invariants
//!
//! - Points are appended only while the outbox is enabled ([`Store::enable_point_outbox`], done
//!   by the daemon when the config has `[[sinks]]`), in the same transaction as the rows they
//!   describe: a committed timeline row, scoring play change or event always has its points, and
//!   a rolled-back one never does.
//! - A `game_state` point is appended exactly when a timeline row is, so the two match row for
//!   row; `games` at the same moments, `game_results` when that state is final; a
//!   `scoring_plays` point when a play is inserted or changed; an `events` point per appended
//!   event.
//! - A cursor only moves forward (`MAX`), and only after the sink's server acknowledged the
//!   points up to it, or after they were counted as rejected or dropped.
//! - Rows at or below every configured sink's cursor are deleted ([`Store::prune_sink_points`]).

use super::error::{SqlContext, StoreError};
use crate::db::Store;
use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};
use scoreline_core::influx::line::{self, Point};
use scoreline_core::influx::schema::Policy;
use serde::Serialize;
use std::sync::atomic::Ordering;

/// One point of the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxPoint {
    /// Position in the outbox.
    pub seq: i64,
    /// Retention policy role.
    pub policy: Policy,
    /// Measurement name.
    pub measurement: String,
    /// Observation time, Unix ms.
    pub created_at: i64,
    /// The line (no trailing newline).
    pub line: String,
}

/// Where one sink stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SinkStat {
    /// Sink name.
    pub sink: String,
    /// Last seq the sink is done with.
    pub cursor: i64,
    /// Points after the cursor.
    pub pending: u64,
    /// When the oldest pending point was observed.
    pub oldest_pending_at: Option<DateTime<Utc>>,
    /// Points the server acknowledged.
    pub acked: u64,
    /// Points the server refused (4xx) and that were skipped.
    pub rejected: u64,
    /// Points dropped by the backlog limit.
    pub dropped: u64,
}

/// What moved a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Advance {
    /// Points acknowledged.
    pub acked: u64,
    /// Points rejected.
    pub rejected: u64,
    /// Points dropped.
    pub dropped: u64,
}

/// Append `points` to the outbox inside `tx` (no-op unless enabled).
pub(super) fn append(
    store: &Store,
    tx: &Transaction<'_>,
    key: &str,
    points: &[(Policy, Point)],
    created_at: i64,
) -> Result<(), StoreError> {
    if points.is_empty() || !store.point_outbox_enabled() {
        return Ok(());
    }
    append_always(tx, key, points, created_at)
}

fn append_always(
    tx: &Transaction<'_>,
    key: &str,
    points: &[(Policy, Point)],
    created_at: i64,
) -> Result<(), StoreError> {
    const OP: &str = "append_points";
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO sink_points (policy, measurement, created_at, line)
             VALUES (?1, ?2, ?3, ?4)",
        )
        .op(OP)?;
    for (policy, p) in points {
        let text = line::encode(p).map_err(|source| StoreError::Point {
            key: key.to_string(),
            source,
        })?;
        insert
            .execute(params![policy.as_str(), p.measurement, created_at, text])
            .op(OP)?;
    }
    Ok(())
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

impl Store {
    /// Start (or stop) appending points to the outbox with each `record_*` call.
    pub fn enable_point_outbox(&self, on: bool) {
        self.inner.points.store(on, Ordering::Relaxed);
    }

    /// Append `points` observed at `created_at` to the outbox in one transaction, enabled or
    /// not (benchmarks and tools; the daemon's points come with the `record_*` calls).
    pub fn append_points(
        &self,
        points: &[(Policy, Point)],
        created_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "append_points";
        let mut conn = self.conn();
        let tx = conn.transaction().op(OP)?;
        append_always(&tx, "append_points", points, created_at.timestamp_millis())?;
        tx.commit().op(OP)
    }

    /// Whether points are appended.
    pub fn point_outbox_enabled(&self) -> bool {
        self.inner.points.load(Ordering::Relaxed)
    }

    /// The last seq `sink` is done with (0: none yet).
    pub fn sink_cursor(&self, sink: &str) -> Result<i64, StoreError> {
        const OP: &str = "sink_cursor";
        self.conn()
            .prepare_cached("SELECT seq FROM sink_cursors WHERE sink = ?1")
            .op(OP)?
            .query_row(params![sink], |r| r.get(0))
            .optional()
            .op(OP)
            .map(|s| s.unwrap_or(0))
    }

    /// Up to `limit` points after `after`, in order.
    pub fn sink_points_after(
        &self,
        after: i64,
        limit: usize,
    ) -> Result<Vec<OutboxPoint>, StoreError> {
        const OP: &str = "sink_points_after";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, policy, measurement, created_at, line FROM sink_points
                 WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )
            .op(OP)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String, String, i64, String)> = stmt
            .query_map(params![after, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(seq, policy, measurement, created_at, line)| {
                let policy = Policy::parse(&policy).ok_or_else(|| StoreError::Corrupt {
                    what: "sink_points.policy",
                    key: seq.to_string(),
                    message: format!("unknown policy `{policy}`"),
                })?;
                Ok(OutboxPoint {
                    seq,
                    policy,
                    measurement,
                    created_at,
                    line,
                })
            })
            .collect()
    }

    /// Move `sink`'s cursor forward to `to` (never back) and add the counts.
    pub fn advance_sink(
        &self,
        sink: &str,
        to: i64,
        by: Advance,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "advance_sink";
        let n = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        self.conn()
            .prepare_cached(
                "INSERT INTO sink_cursors (sink, seq, acked, rejected, dropped, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (sink) DO UPDATE SET seq = MAX(seq, excluded.seq),
                     acked = acked + excluded.acked, rejected = rejected + excluded.rejected,
                     dropped = dropped + excluded.dropped, updated_at = excluded.updated_at",
            )
            .op(OP)?
            .execute(params![
                sink,
                to,
                n(by.acked),
                n(by.rejected),
                n(by.dropped),
                now.timestamp_millis()
            ])
            .op(OP)?;
        Ok(())
    }

    /// Where each of `sinks` stands, in the order given.
    pub fn sink_stats(&self, sinks: &[String]) -> Result<Vec<SinkStat>, StoreError> {
        const OP: &str = "sink_stats";
        let conn = self.conn();
        let mut out = Vec::with_capacity(sinks.len());
        for sink in sinks {
            let (cursor, acked, rejected, dropped): (i64, i64, i64, i64) = conn
                .prepare_cached(
                    "SELECT seq, acked, rejected, dropped FROM sink_cursors WHERE sink = ?1",
                )
                .op(OP)?
                .query_row(params![sink], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()
                .op(OP)?
                .unwrap_or((0, 0, 0, 0));
            let (pending, oldest): (i64, Option<i64>) = conn
                .prepare_cached("SELECT COUNT(*), MIN(created_at) FROM sink_points WHERE seq > ?1")
                .op(OP)?
                .query_row(params![cursor], |r| Ok((r.get(0)?, r.get(1)?)))
                .op(OP)?;
            out.push(SinkStat {
                sink: sink.clone(),
                cursor,
                pending: to_u64(pending),
                oldest_pending_at: oldest.and_then(DateTime::from_timestamp_millis),
                acked: to_u64(acked),
                rejected: to_u64(rejected),
                dropped: to_u64(dropped),
            });
        }
        Ok(out)
    }

    /// The seq below which `sink` must drop points to keep at most `max_points` pending and
    /// none observed before `min_created_at`: returns `(new cursor, points dropped)`, or none
    /// when the backlog is within its limits.
    pub fn sink_backlog_excess(
        &self,
        cursor: i64,
        max_points: u64,
        min_created_at: Option<DateTime<Utc>>,
    ) -> Result<Option<(i64, u64)>, StoreError> {
        const OP: &str = "sink_backlog_excess";
        let conn = self.conn();
        let max = i64::try_from(max_points).unwrap_or(i64::MAX);
        // Fast path: seqs after the cursor are never deleted, so head - cursor bounds the count,
        // and the oldest pending point (by seq) bounds the age.
        let head: i64 = conn
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM sink_points")
            .op(OP)?
            .query_row([], |r| r.get(0))
            .op(OP)?;
        let oldest: Option<i64> = conn
            .prepare_cached(
                "SELECT MIN(created_at) FROM
                     (SELECT created_at FROM sink_points WHERE seq > ?1 ORDER BY seq LIMIT 1000)",
            )
            .op(OP)?
            .query_row(params![cursor], |r| r.get(0))
            .op(OP)?;
        let too_old = match (min_created_at, oldest) {
            (Some(t), Some(o)) => o < t.timestamp_millis(),
            _ => false,
        };
        if head.saturating_sub(cursor) <= max && !too_old {
            return Ok(None);
        }
        // The seq the cursor must reach so that at most `max` points stay after it.
        let by_size: Option<i64> = conn
            .prepare_cached(
                "SELECT seq FROM sink_points WHERE seq > ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2",
            )
            .op(OP)?
            .query_row(params![cursor, max], |r| r.get(0))
            .optional()
            .op(OP)?;
        let by_age: Option<i64> = match min_created_at {
            None => None,
            Some(t) => conn
                .prepare_cached(
                    "SELECT MAX(seq) FROM sink_points WHERE seq > ?1 AND created_at < ?2",
                )
                .op(OP)?
                .query_row(params![cursor, t.timestamp_millis()], |r| r.get(0))
                .op(OP)?,
        };
        let Some(to) = by_size.max(by_age) else {
            return Ok(None);
        };
        let n: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM sink_points WHERE seq > ?1 AND seq <= ?2")
            .op(OP)?
            .query_row(params![cursor, to], |r| r.get(0))
            .op(OP)?;
        Ok(Some((to, to_u64(n))))
    }

    /// Delete outbox rows every one of `sinks` is done with. Returns how many.
    pub fn prune_sink_points(&self, sinks: &[String]) -> Result<u64, StoreError> {
        const OP: &str = "prune_sink_points";
        let mut min = i64::MAX;
        for s in sinks {
            min = min.min(self.sink_cursor(s)?);
        }
        if sinks.is_empty() || min <= 0 {
            return Ok(0);
        }
        let n = self
            .conn()
            .prepare_cached("DELETE FROM sink_points WHERE seq <= ?1")
            .op(OP)?
            .execute(params![min])
            .op(OP)?;
        Ok(n as u64)
    }

    /// The newest seq in the outbox (0 when empty and never used).
    pub fn sink_points_head(&self) -> Result<i64, StoreError> {
        const OP: &str = "sink_points_head";
        self.conn()
            .query_row(
                "SELECT COALESCE(MAX(seq), (SELECT seq FROM sqlite_sequence
                     WHERE name = 'sink_points'), 0) FROM sink_points",
                [],
                |r| r.get(0),
            )
            .op(OP)
    }
}
