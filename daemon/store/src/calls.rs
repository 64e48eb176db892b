//! The upstream call log, circuit-breaker transitions and rejected snapshots: what the poller
//! records beside the games, and the per-host states and counts read back from them.

use crate::db::{Store, encode};
use crate::error::{SqlContext, StoreError};
use crate::types::{BreakerTransition, CallStat, UpstreamCall};
use chrono::{DateTime, Utc};
use rusqlite::params;
use scoreline_core::model::{self, GameKey};
use scoreline_core::upstream::breaker::BreakerState;

impl Store {
    /// Append one upstream call to the call log.
    pub fn record_call(&self, call: &UpstreamCall) -> Result<(), StoreError> {
        const OP: &str = "record_call";
        let bytes = to_i64(call.bytes, "bytes")?;
        let latency = to_i64(call.latency_ms, "latency_ms")?;
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO upstream_calls (at, adapter, league, host, url, status, bytes,
                 latency_ms, error, from_cache, attempt)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .op(OP)?
        .execute(params![
            call.at.timestamp_millis(),
            call.adapter,
            call.league,
            call.host,
            call.url,
            call.status,
            bytes,
            latency,
            call.error,
            call.from_cache,
            call.attempt.max(1),
        ])
        .op(OP)?;
        Ok(())
    }

    /// Append a circuit-breaker state change.
    pub fn record_breaker(&self, t: &BreakerTransition) -> Result<(), StoreError> {
        const OP: &str = "record_breaker";
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO breaker_transitions (at, host, state, reason) VALUES (?1, ?2, ?3, ?4)",
        )
        .op(OP)?
        .execute(params![
            t.at.timestamp_millis(),
            t.host,
            t.state.as_str(),
            t.reason
        ])
        .op(OP)?;
        Ok(())
    }

    /// The latest breaker transition of every host that has one, sorted by host.
    pub fn breaker_states(&self) -> Result<Vec<BreakerTransition>, StoreError> {
        const OP: &str = "breaker_states";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT b.at, b.host, b.state, b.reason FROM breaker_transitions b
                 WHERE b.id = (SELECT MAX(id) FROM breaker_transitions WHERE host = b.host)
                 ORDER BY b.host",
            )
            .op(OP)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(at, host, state, reason)| {
                let corrupt = |message: String| StoreError::Corrupt {
                    what: "breaker_transitions",
                    key: host.clone(),
                    message,
                };
                let state = BreakerState::parse(&state)
                    .ok_or_else(|| corrupt(format!("unknown state `{state}`")))?;
                let at = DateTime::from_timestamp_millis(at)
                    .ok_or_else(|| corrupt(format!("time {at} ms is out of range")))?;
                Ok(BreakerTransition {
                    at,
                    host,
                    state,
                    reason,
                })
            })
            .collect()
    }

    /// Keep a snapshot the validator refused, with the reason.
    pub fn record_rejection(
        &self,
        key: &GameKey,
        reason: &str,
        snapshot: &model::Game,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "record_rejection";
        let json = encode("rejected snapshot", key, snapshot)?;
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO rejections (at, league, adapter, game_id, reason, snapshot_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .op(OP)?
        .execute(params![
            at.timestamp_millis(),
            key.league,
            key.adapter,
            key.game_id,
            reason,
            json,
        ])
        .op(OP)?;
        Ok(())
    }

    /// Note a snapshot dropped as a stale copy (`source`: `scoreboard` or `detail`).
    pub fn record_stale(
        &self,
        key: &GameKey,
        source: StaleSource,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "record_stale";
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO stale_snapshots (at, league, adapter, game_id, source, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .op(OP)?
        .execute(params![
            at.timestamp_millis(),
            key.league,
            key.adapter,
            key.game_id,
            source.as_str(),
            reason,
        ])
        .op(OP)?;
        Ok(())
    }

    /// Upstream calls since `since`, per host and league (sorted by both).
    pub fn call_stats(&self, since: DateTime<Utc>) -> Result<Vec<CallStat>, StoreError> {
        const OP: &str = "call_stats";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT host, league, COUNT(*),
                     SUM(CASE WHEN status >= 400 OR error IS NOT NULL THEN 1 ELSE 0 END),
                     SUM(from_cache), SUM(bytes), AVG(latency_ms), MAX(latency_ms)
                 FROM upstream_calls WHERE at >= ?1
                 GROUP BY host, league ORDER BY host, league",
            )
            .op(OP)?;
        // Counts and sums are of non-negative columns (CHECK constraints), so never negative.
        let count = |v: i64| u64::try_from(v).unwrap_or(0);
        stmt.query_map(params![since.timestamp_millis()], |r| {
            Ok(CallStat {
                host: r.get(0)?,
                league: r.get(1)?,
                calls: count(r.get(2)?),
                errors: count(r.get(3)?),
                from_cache: count(r.get(4)?),
                bytes: count(r.get(5)?),
                mean_latency_ms: r.get(6)?,
                max_latency_ms: count(r.get(7)?),
            })
        })
        .op(OP)?
        .collect::<Result<Vec<_>, _>>()
        .op(OP)
    }

    /// How many snapshots were rejected since `since`.
    pub fn rejection_count(&self, since: DateTime<Utc>) -> Result<u64, StoreError> {
        const OP: &str = "rejection_count";
        let conn = self.conn();
        let n: i64 = conn
            .prepare_cached("SELECT COUNT(*) FROM rejections WHERE at >= ?1")
            .op(OP)?
            .query_row(params![since.timestamp_millis()], |r| r.get(0))
            .op(OP)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Which response a stale snapshot came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleSource {
    /// A scoreboard (the league's games of a day).
    Scoreboard,
    /// One game's detail.
    Detail,
}

impl StaleSource {
    /// The name stored.
    pub fn as_str(self) -> &'static str {
        match self {
            StaleSource::Scoreboard => "scoreboard",
            StaleSource::Detail => "detail",
        }
    }
}

/// An unsigned count as SQLite's signed integer.
fn to_i64(value: u64, field: &'static str) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { field, value })
}
