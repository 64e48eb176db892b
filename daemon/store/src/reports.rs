//! Read-only queries behind `scoreline monitor`: the call log in time buckets, failures grouped,
//! rejected snapshots and breaker transitions in a window. Every window is `[from, to)` and every
//! query uses a time index (`upstream_calls_by_time`, `rejections_by_time`,
//! `breaker_transitions_by_time`).

use super::error::{SqlContext, StoreError};
use super::types::{self, BreakerTransition};
use crate::db::Store;
use chrono::{DateTime, Utc};
use rusqlite::params;
use scoreline_core::model::GameKey;
use scoreline_core::upstream::breaker::BreakerState;
use serde::Serialize;
use std::time::Duration;

/// Upstream calls of one host and league that started in one time bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallBucket {
    /// The bucket's start (a multiple of the bucket size since the Unix epoch).
    pub start: DateTime<Utc>,
    /// Host.
    pub host: String,
    /// League.
    pub league: String,
    /// Calls logged, cache hits included.
    pub calls: u64,
    /// Calls with status >= 400 or an error.
    pub errors: u64,
    /// Calls that were a retry (`attempt` > 1).
    pub retries: u64,
    /// Calls answered from the response cache.
    pub cache_hits: u64,
    /// Body bytes received from upstream (cache hits excluded).
    pub bytes: u64,
    /// Sum of the latencies of calls sent upstream (cache hits excluded), milliseconds.
    pub latency_sum_ms: u64,
    /// Largest latency of a call sent upstream; none when every call was a cache hit.
    pub max_latency_ms: Option<u64>,
}

/// Upstream failures with the same host, league, status and error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailureGroup {
    /// Host.
    pub host: String,
    /// League.
    pub league: String,
    /// HTTP status; none for a network error.
    pub status: Option<u16>,
    /// The error logged, if any.
    pub error: Option<String>,
    /// How many.
    pub count: u64,
    /// The first one in the window.
    pub first_at: DateTime<Utc>,
    /// The last one in the window.
    pub last_at: DateTime<Utc>,
}

/// Rejected snapshots with one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectionReason {
    /// The validator's reason.
    pub reason: String,
    /// How many.
    pub count: u64,
    /// The first one in the window.
    pub first_at: DateTime<Utc>,
    /// The last one in the window.
    pub last_at: DateTime<Utc>,
}

/// One rejected snapshot, without its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// When.
    pub at: DateTime<Utc>,
    /// The game.
    pub key: GameKey,
    /// Why.
    pub reason: String,
}

/// A count column as `u64` (the columns summed are non-negative by their CHECK constraints).
fn count(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn millis(ms: i64, what: &'static str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt {
        what,
        key: "row".into(),
        message: format!("time {ms} ms is out of range"),
    })
}

impl Store {
    /// Calls that started in `[from, to)`, summed per `bucket` (clamped to at least one second),
    /// host and league; sorted by bucket, host, league.
    pub fn call_buckets(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        bucket: Duration,
    ) -> Result<Vec<CallBucket>, StoreError> {
        const OP: &str = "call_buckets";
        let bucket_ms = i64::try_from(bucket.as_millis())
            .unwrap_or(i64::MAX)
            .max(1_000);
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT at - (at % ?3) AS bucket, host, league, COUNT(*),
                     SUM(CASE WHEN status >= 400 OR error IS NOT NULL THEN 1 ELSE 0 END),
                     SUM(CASE WHEN attempt > 1 THEN 1 ELSE 0 END),
                     SUM(from_cache),
                     SUM(CASE WHEN from_cache = 0 THEN bytes ELSE 0 END),
                     SUM(CASE WHEN from_cache = 0 THEN latency_ms ELSE 0 END),
                     MAX(CASE WHEN from_cache = 0 THEN latency_ms END)
                 FROM upstream_calls WHERE at >= ?1 AND at < ?2
                 GROUP BY bucket, host, league ORDER BY bucket, host, league",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(
                params![from.timestamp_millis(), to.timestamp_millis(), bucket_ms],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        CallBucket {
                            start: DateTime::<Utc>::MIN_UTC,
                            host: r.get(1)?,
                            league: r.get(2)?,
                            calls: count(r.get(3)?),
                            errors: count(r.get(4)?),
                            retries: count(r.get(5)?),
                            cache_hits: count(r.get(6)?),
                            bytes: count(r.get(7)?),
                            latency_sum_ms: count(r.get(8)?),
                            max_latency_ms: r.get::<_, Option<i64>>(9)?.map(count),
                        },
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(start, b)| {
                Ok(CallBucket {
                    start: millis(start, "upstream_calls.at")?,
                    ..b
                })
            })
            .collect()
    }

    /// Calls in `[from, to)` with status >= 400 or an error, grouped by host, league, status and
    /// error; the most frequent first.
    pub fn failure_groups(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<FailureGroup>, StoreError> {
        const OP: &str = "failure_groups";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT host, league, status, error, COUNT(*), MIN(at), MAX(at)
                 FROM upstream_calls
                 WHERE at >= ?1 AND at < ?2 AND (status >= 400 OR error IS NOT NULL)
                 GROUP BY host, league, status, error
                 ORDER BY COUNT(*) DESC, host, league, status, error",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(
                params![from.timestamp_millis(), to.timestamp_millis()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<u16>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, i64>(5)?,
                        r.get::<_, i64>(6)?,
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(host, league, status, error, n, first, last)| {
                Ok(FailureGroup {
                    host,
                    league,
                    status,
                    error,
                    count: count(n),
                    first_at: millis(first, "upstream_calls.at")?,
                    last_at: millis(last, "upstream_calls.at")?,
                })
            })
            .collect()
    }

    /// Rejected snapshots in `[from, to)` per reason; the most frequent first.
    pub fn rejection_reasons(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RejectionReason>, StoreError> {
        const OP: &str = "rejection_reasons";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT reason, COUNT(*), MIN(at), MAX(at) FROM rejections
                 WHERE at >= ?1 AND at < ?2
                 GROUP BY reason ORDER BY COUNT(*) DESC, reason",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(
                params![from.timestamp_millis(), to.timestamp_millis()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(reason, n, first, last)| {
                Ok(RejectionReason {
                    reason,
                    count: count(n),
                    first_at: millis(first, "rejections.at")?,
                    last_at: millis(last, "rejections.at")?,
                })
            })
            .collect()
    }

    /// The latest `limit` rejected snapshots in `[from, to)`, newest first.
    pub fn latest_rejections(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Rejection>, StoreError> {
        const OP: &str = "latest_rejections";
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT at, league, adapter, game_id, reason FROM rejections
                 WHERE at >= ?1 AND at < ?2 ORDER BY at DESC, id DESC LIMIT ?3",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(
                params![from.timestamp_millis(), to.timestamp_millis(), limit],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        types::game_key_from_row(r, 1)?,
                        r.get::<_, String>(4)?,
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(at, key, reason)| {
                Ok(Rejection {
                    at: millis(at, "rejections.at")?,
                    key,
                    reason,
                })
            })
            .collect()
    }

    /// Breaker transitions in `[from, to)` (only into `state` when given), oldest first.
    pub fn breaker_transitions(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        state: Option<BreakerState>,
    ) -> Result<Vec<BreakerTransition>, StoreError> {
        const OP: &str = "breaker_transitions";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT at, host, state, reason FROM breaker_transitions
                 WHERE at >= ?1 AND at < ?2 AND (?3 IS NULL OR state = ?3)
                 ORDER BY at, id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(
                params![
                    from.timestamp_millis(),
                    to.timestamp_millis(),
                    state.map(BreakerState::as_str)
                ],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(at, host, state, reason)| {
                let state = BreakerState::parse(&state).ok_or_else(|| StoreError::Corrupt {
                    what: "breaker_transitions.state",
                    key: host.clone(),
                    message: format!("unknown state `{state}`"),
                })?;
                Ok(BreakerTransition {
                    at: millis(at, "breaker_transitions.at")?,
                    host,
                    state,
                    reason,
                })
            })
            .collect()
    }

    /// Snapshots dropped as stale copies in `[from, to)`.
    pub fn stale_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<u64, StoreError> {
        self.rows_between(
            "stale_between",
            "SELECT COUNT(*) FROM stale_snapshots WHERE at >= ?1 AND at < ?2",
            from,
            to,
        )
    }

    /// Rejected snapshots in `[from, to)`.
    pub fn rejections_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        self.rows_between(
            "rejections_between",
            "SELECT COUNT(*) FROM rejections WHERE at >= ?1 AND at < ?2",
            from,
            to,
        )
    }

    /// `sql`, a count over `[?1, ?2)` in milliseconds.
    fn rows_between(
        &self,
        op: &'static str,
        sql: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let conn = self.conn();
        let n: i64 = conn
            .prepare_cached(sql)
            .op(op)?
            .query_row(
                params![from.timestamp_millis(), to.timestamp_millis()],
                |r| r.get(0),
            )
            .op(op)?;
        Ok(count(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::UpstreamCall;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        when: &str,
        league: &str,
        status: Option<u16>,
        error: Option<&str>,
        from_cache: bool,
        attempt: u32,
        bytes: u64,
        latency_ms: u64,
    ) -> UpstreamCall {
        UpstreamCall {
            at: at(when),
            adapter: "espn".into(),
            league: league.into(),
            host: "h.example".into(),
            url: "https://h.example/x".into(),
            status,
            bytes,
            latency_ms,
            error: error.map(str::to_owned),
            from_cache,
            attempt,
        }
    }

    #[test]
    fn buckets_split_on_quarter_hours_and_leave_cache_hits_out_of_bytes_and_latency() {
        let store = Store::open_in_memory().unwrap();
        for c in [
            call(
                "2026-11-22T09:59:59.999Z",
                "nfl",
                Some(200),
                None,
                false,
                1,
                1,
                1,
            ),
            call(
                "2026-11-22T10:00:00Z",
                "nfl",
                Some(200),
                None,
                false,
                1,
                100,
                40,
            ),
            call(
                "2026-11-22T10:14:59Z",
                "nfl",
                Some(200),
                None,
                true,
                1,
                100,
                0,
            ),
            call(
                "2026-11-22T10:14:59Z",
                "nfl",
                Some(429),
                None,
                false,
                2,
                5,
                80,
            ),
            call(
                "2026-11-22T10:15:00Z",
                "nfl",
                Some(200),
                None,
                true,
                1,
                100,
                0,
            ),
            call(
                "2026-11-22T10:15:00Z",
                "nba",
                None,
                Some("reset"),
                false,
                1,
                0,
                7,
            ),
            call(
                "2026-11-22T10:30:00Z",
                "nfl",
                Some(200),
                None,
                false,
                1,
                1,
                1,
            ),
        ] {
            store.record_call(&c).unwrap();
        }
        let b = store
            .call_buckets(
                at("2026-11-22T10:00:00Z"),
                at("2026-11-22T10:30:00Z"),
                Duration::from_secs(900),
            )
            .unwrap();
        let bucket = |start: &str, league: &str, sums: [u64; 6], max| CallBucket {
            start: at(start),
            host: "h.example".into(),
            league: league.into(),
            calls: sums[0],
            errors: sums[1],
            retries: sums[2],
            cache_hits: sums[3],
            bytes: sums[4],
            latency_sum_ms: sums[5],
            max_latency_ms: max,
        };
        assert_eq!(
            b,
            vec![
                bucket(
                    "2026-11-22T10:00:00Z",
                    "nfl",
                    [3, 1, 1, 1, 105, 120],
                    Some(80)
                ),
                bucket("2026-11-22T10:15:00Z", "nba", [1, 1, 0, 0, 0, 7], Some(7)),
                bucket("2026-11-22T10:15:00Z", "nfl", [1, 0, 0, 1, 0, 0], None),
            ]
        );
    }

    #[test]
    fn failures_rejections_and_breakers_in_a_window() {
        let store = Store::open_in_memory().unwrap();
        for c in [
            call(
                "2026-11-22T10:00:00Z",
                "nfl",
                Some(200),
                None,
                false,
                1,
                1,
                1,
            ),
            call(
                "2026-11-22T10:00:00Z",
                "nfl",
                Some(399),
                None,
                false,
                1,
                1,
                1,
            ),
            call(
                "2026-11-22T10:00:00Z",
                "nfl",
                Some(400),
                None,
                false,
                1,
                1,
                1,
            ),
            call(
                "2026-11-22T11:00:00Z",
                "nfl",
                Some(400),
                None,
                false,
                1,
                1,
                1,
            ),
            call(
                "2026-11-22T11:30:00Z",
                "nfl",
                Some(200),
                Some("body too large"),
                false,
                1,
                1,
                1,
            ),
            call(
                "2026-11-22T12:00:00Z",
                "nfl",
                Some(500),
                None,
                false,
                1,
                1,
                1,
            ),
        ] {
            store.record_call(&c).unwrap();
        }
        let (from, to) = (at("2026-11-22T10:00:00Z"), at("2026-11-22T12:00:00Z"));
        let group = |status, error: Option<&str>, count, first: &str, last: &str| FailureGroup {
            host: "h.example".into(),
            league: "nfl".into(),
            status,
            error: error.map(str::to_owned),
            count,
            first_at: at(first),
            last_at: at(last),
        };
        assert_eq!(
            store.failure_groups(from, to).unwrap(),
            vec![
                group(
                    Some(400),
                    None,
                    2,
                    "2026-11-22T10:00:00Z",
                    "2026-11-22T11:00:00Z"
                ),
                group(
                    Some(200),
                    Some("body too large"),
                    1,
                    "2026-11-22T11:30:00Z",
                    "2026-11-22T11:30:00Z"
                ),
            ]
        );

        for (when, host, state) in [
            ("2026-11-22T09:00:00Z", "a", BreakerState::Open),
            ("2026-11-22T10:00:00Z", "a", BreakerState::HalfOpen),
            ("2026-11-22T10:01:00Z", "a", BreakerState::Open),
            ("2026-11-22T10:02:00Z", "b", BreakerState::Open),
            ("2026-11-22T12:00:00Z", "c", BreakerState::Open),
        ] {
            store
                .record_breaker(&BreakerTransition {
                    at: at(when),
                    host: host.into(),
                    state,
                    reason: "r".into(),
                })
                .unwrap();
        }
        let opened: Vec<(String, DateTime<Utc>)> = store
            .breaker_transitions(from, to, Some(BreakerState::Open))
            .unwrap()
            .into_iter()
            .map(|t| (t.host, t.at))
            .collect();
        assert_eq!(
            opened,
            vec![
                ("a".to_owned(), at("2026-11-22T10:01:00Z")),
                ("b".to_owned(), at("2026-11-22T10:02:00Z"))
            ]
        );
        assert_eq!(store.breaker_transitions(from, to, None).unwrap().len(), 3);

        let g = scoreline_core::model::Game::new(
            "1",
            "nfl",
            "football",
            scoreline_core::model::GameStatus::Live,
            scoreline_core::model::Competitor {
                id: "h".into(),
                abbreviation: "H".into(),
                name: "H".into(),
                score: Some(0),
            },
            scoreline_core::model::Competitor {
                id: "a".into(),
                abbreviation: "A".into(),
                name: "A".into(),
                score: Some(0),
            },
        );
        for (when, id, reason) in [
            ("2026-11-22T09:59:59Z", "0", "x"),
            ("2026-11-22T10:00:00Z", "1", "x"),
            ("2026-11-22T10:30:00Z", "2", "y"),
            ("2026-11-22T11:00:00Z", "3", "x"),
            ("2026-11-22T12:00:00Z", "4", "y"),
        ] {
            let key = GameKey::new("nfl", "espn", id);
            store
                .record_rejection(
                    &key,
                    reason,
                    &scoreline_core::model::Game {
                        id: id.into(),
                        ..g.clone()
                    },
                    at(when),
                )
                .unwrap();
        }
        assert_eq!(store.rejections_between(from, to).unwrap(), 3);
        let reasons: Vec<(String, u64)> = store
            .rejection_reasons(from, to)
            .unwrap()
            .into_iter()
            .map(|r| (r.reason, r.count))
            .collect();
        assert_eq!(reasons, vec![("x".to_owned(), 2), ("y".to_owned(), 1)]);
        let latest: Vec<String> = store
            .latest_rejections(from, to, 2)
            .unwrap()
            .into_iter()
            .map(|r| r.key.game_id)
            .collect();
        assert_eq!(latest, ["3", "2"]);
    }
}
