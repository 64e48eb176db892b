//! The forwarder `scoreline run` starts per `[[sinks]]` entry: it reads the point outbox after
//! the sink's cursor in batches, writes them (gzip, one keep-alive client, every write naming
//! its policy or bucket) and moves the cursor only once the server acknowledged them.
//!
//! Answers (see [`classify`], pure): 2xx acknowledged; 413 halves the batch; 429 and 503 wait
//! for `Retry-After`; other 5xx and network errors back off and retry the same batch; a 404 or
//! an unknown retention policy re-runs the setup; 401/403 back off (a credentials mistake must
//! not throw data away); any other 4xx splits the batch until the refused lines are alone, then
//! logs each with the server's message, counts it as rejected and skips it, so one bad point
//! never blocks the rest. Re-sending a point is harmless: a point is identified by its series and
//! timestamp, so a retry overwrites it with itself.
//!
//! The backlog limit (`max_backlog_points`, `max_backlog_age`) is enforced before each batch:
//! points beyond it are dropped with an `error` log naming how many, and counted.
//! On shutdown the sink keeps forwarding until nothing is pending or `shutdown_timeout` passed.
//!
//! Metrics (`crate::metrics`, labelled by sink): points committed (the outbox head's growth since
//! the sink started), forwarded, rejected and dropped (counted once the cursor moved past them),
//! and pending (head minus cursor, read from the store at start and around every batch, so it is
//! right after a restart and while the server is down).

use super::api;
use super::config::SinkConfig;
use scoreline_core::clock::Clock;
use scoreline_core::influx::schema::Policy;
use scoreline_store::{Advance, OutboxPoint, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;

/// What a write answer means for the lines sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written.
    Ok,
    /// 413: send fewer lines per request.
    TooLarge,
    /// 429/503: wait this long (from `Retry-After`, else the backoff) and send again.
    Throttled(Option<Duration>),
    /// 5xx, 401/403: back off and send again.
    Retry(String),
    /// 404 or unknown retention policy: set the database up again, then send again.
    Setup(String),
    /// 1.x wrote all but `dropped` points, which were older than the retention policy.
    Partial {
        /// Points the server dropped.
        dropped: u64,
        /// The server's message.
        message: String,
    },
    /// Any other 4xx: the lines are refused.
    Reject(String),
}

/// Classify a write answer. Pure.
pub fn classify(status: u16, retry_after: Option<&str>, body: &str) -> Outcome {
    let message = api::server_message(body);
    match status {
        200..=299 => Outcome::Ok,
        413 => Outcome::TooLarge,
        429 | 503 => Outcome::Throttled(retry_after.and_then(parse_retry_after)),
        404 => Outcome::Setup(message),
        401 | 403 => Outcome::Retry(message),
        400..=499 => match partial_dropped(&message) {
            Some(dropped) => Outcome::Partial { dropped, message },
            None => Outcome::Reject(message),
        },
        _ if message.contains("retention policy not found") => Outcome::Setup(message),
        _ => Outcome::Retry(message),
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by InfluxDB). Pure.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    v.trim()
        .parse::<u64>()
        .ok()
        .map(|s| Duration::from_secs(s.min(3_600)))
}

/// `dropped=N` of 1.x's "partial write: points beyond retention policy dropped=N". Pure.
fn partial_dropped(message: &str) -> Option<u64> {
    if !message.contains("beyond retention policy") {
        return None;
    }
    let rest = &message[message.find("dropped=")? + "dropped=".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The wait before retry number `attempt` (0-based): 0.5 s doubling to 30 s, with up to 25%
/// jitter taken from `jitter` in `[0, 1)`. Pure.
pub fn backoff(attempt: u32, jitter: f64) -> Duration {
    let base = 0.5 * 2f64.powi(attempt.min(16) as i32);
    let secs = base.min(30.0) * (1.0 + 0.25 * jitter.clamp(0.0, 1.0));
    Duration::from_secs_f64(secs)
}

/// Why a batch was not fully forwarded; the cursor stays put.
#[derive(Debug)]
enum Stall {
    /// Wait this long, then send again.
    Wait(Duration, String),
    /// Set up again first.
    Setup(String),
}

/// A running sink.
pub struct Sink {
    cfg: SinkConfig,
    store: Store,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    /// Every configured sink's name (outbox rows all of them are done with are deleted).
    all_sinks: Vec<String>,
    attempt: u32,
    /// The next batch, read and compressed while the previous one was being written.
    prefetched: Option<Prepared>,
    /// Batches written (pruning cadence).
    batches: u64,
    /// The outbox head when the committed-points counter last moved.
    seen_head: Option<i64>,
}

/// A batch read from the outbox, grouped by policy and gzipped.
struct Prepared {
    /// The cursor it was read after.
    after: i64,
    /// The points, in order.
    points: Vec<OutboxPoint>,
    /// Per policy: indices into `points` and the gzip body of those lines.
    groups: Vec<(Policy, Vec<usize>, Vec<u8>)>,
}

impl Prepared {
    /// Read up to `limit` points after `after` and compress them per policy.
    fn read(store: &Store, after: i64, limit: usize) -> Result<Prepared, StoreError> {
        let points = store.sink_points_after(after, limit)?;
        let mut groups = Vec::new();
        for role in Policy::ALL {
            let idx: Vec<usize> = (0..points.len())
                .filter(|&i| points[i].policy == role)
                .collect();
            if idx.is_empty() {
                continue;
            }
            let gz = gzip_lines(idx.iter().map(|&i| &points[i]));
            groups.push((role, idx, gz));
        }
        Ok(Prepared {
            after,
            points,
            groups,
        })
    }
}

/// The gzip body of `lines`, one per line.
fn gzip_lines<'a>(lines: impl Iterator<Item = &'a OutboxPoint>) -> Vec<u8> {
    let mut body = Vec::with_capacity(256 * 1024);
    for p in lines {
        body.extend_from_slice(p.line.as_bytes());
        body.push(b'\n');
    }
    api::gzip(&body)
}

/// A sink's client could not be built.
#[derive(Debug, thiserror::Error)]
#[error("sink `{name}`: cannot build the HTTP client: {message}")]
pub struct SinkStartError {
    /// The sink.
    pub name: String,
    /// What reqwest said.
    pub message: String,
}

impl Sink {
    /// Build the sink's HTTP client (one keep-alive pool).
    pub fn new(
        cfg: SinkConfig,
        store: Store,
        clock: Arc<dyn Clock>,
        all_sinks: Vec<String>,
    ) -> Result<Sink, SinkStartError> {
        let client = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .no_proxy()
            .user_agent(format!("scoreline/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SinkStartError {
                name: cfg.name.clone(),
                message: e.to_string(),
            })?;
        let seen_head = store_head(&store);
        Ok(Sink {
            cfg,
            store,
            client,
            clock,
            all_sinks,
            attempt: 0,
            prefetched: None,
            batches: 0,
            seen_head,
        })
    }

    /// Forward until `stop` turns true, then forward what is pending for at most
    /// `shutdown_timeout`.
    pub async fn run(mut self, mut stop: watch::Receiver<bool>) {
        let name = self.cfg.name.clone();
        tracing::info!(sink = %name, url = %self.cfg.url, "sink forwarding the point outbox");
        let mut ready = false;
        let mut deadline: Option<Instant> = None;
        loop {
            if deadline.is_none() && *stop.borrow() {
                deadline = Some(Instant::now() + self.cfg.shutdown_timeout);
            }
            if let Some(d) = deadline
                && Instant::now() >= d
            {
                self.report_left_over();
                return;
            }
            self.observe();
            if !ready {
                match api::setup(&self.client, &self.cfg).await {
                    Ok(()) => {
                        tracing::info!(sink = %name, "database and retention policies ready");
                        ready = true;
                        self.attempt = 0;
                    }
                    Err(e) => {
                        let wait = self.next_backoff();
                        tracing::warn!(sink = %name, error = %e, retry_in = ?wait, "sink setup failed");
                        if !self.pause(wait, &mut stop, deadline).await {
                            self.report_left_over();
                            return;
                        }
                        continue;
                    }
                }
            }
            let stepped = self.step().await;
            self.observe();
            match stepped {
                Ok(true) => {}
                Ok(false) => {
                    // Nothing pending.
                    if deadline.is_some() {
                        tracing::info!(sink = %name, "sink: everything forwarded");
                        return;
                    }
                    let wait = self.cfg.flush_interval;
                    self.pause(wait, &mut stop, None).await;
                }
                Err(Stall::Setup(why)) => {
                    tracing::warn!(sink = %name, reason = %why, "sink: setting the database up again");
                    ready = false;
                }
                Err(Stall::Wait(wait, why)) => {
                    tracing::warn!(sink = %name, reason = %why, retry_in = ?wait, "sink write failed; will retry");
                    if !self.pause(wait, &mut stop, deadline).await {
                        self.report_left_over();
                        return;
                    }
                }
            }
        }
    }

    /// Sleep `wait`, cut short by `stop` (then returns true to go on draining) or by the
    /// shutdown `deadline` (returns false: give up).
    async fn pause(
        &self,
        wait: Duration,
        stop: &mut watch::Receiver<bool>,
        deadline: Option<Instant>,
    ) -> bool {
        let until = Instant::now() + wait;
        match deadline {
            Some(d) => {
                tokio::time::sleep_until(until.min(d)).await;
                Instant::now() < d
            }
            None => {
                tokio::select! {
                    _ = tokio::time::sleep_until(until) => {}
                    _ = stop.wait_for(|s| *s) => {}
                }
                true
            }
        }
    }

    fn next_backoff(&mut self) -> Duration {
        let d = backoff(self.attempt, fastrand::f64());
        self.attempt = self.attempt.saturating_add(1);
        d
    }

    /// Move the committed counter by the outbox head's growth and set the pending gauge from the
    /// store: the head minus this sink's cursor. That is the count of points after the cursor
    /// (what `sink_stats` counts row by row) because seqs above any cursor have no holes:
    /// AUTOINCREMENT hands them out in order, a rolled-back append gives its seqs back, and rows
    /// are deleted only at or below every sink's cursor. Two index lookups, whatever the backlog.
    fn observe(&mut self) {
        let name = &self.cfg.name;
        let read = self
            .store
            .sink_points_head()
            .and_then(|head| Ok((head, self.store.sink_cursor(name)?)));
        let (head, cursor) = match read {
            Ok(v) => v,
            Err(e) => {
                tracing::debug!(sink = %name, error = %e, "cannot read the outbox position for metrics");
                return;
            }
        };
        if let Some(seen) = self.seen_head {
            let grown = u64::try_from(head.saturating_sub(seen)).unwrap_or(0);
            if grown > 0 {
                crate::metrics::sink_points_committed(name, grown);
            }
        }
        self.seen_head = Some(self.seen_head.map_or(head, |seen| seen.max(head)));
        let pending = u64::try_from(head.saturating_sub(cursor)).unwrap_or(0);
        crate::metrics::sink_points_pending(name, pending);
    }

    fn report_left_over(&self) {
        match self.store.sink_stats(std::slice::from_ref(&self.cfg.name)) {
            Ok(s) if s.first().is_some_and(|s| s.pending > 0) => {
                let pending = s.first().map_or(0, |s| s.pending);
                tracing::warn!(sink = %self.cfg.name, pending, "sink stopped with points pending; they are forwarded on the next start");
            }
            Ok(_) => tracing::info!(sink = %self.cfg.name, "sink stopped; nothing pending"),
            Err(e) => tracing::warn!(sink = %self.cfg.name, error = %e, "sink stopped"),
        }
    }

    /// Enforce the backlog limit, then forward one batch. `Ok(false)`: nothing was pending.
    async fn step(&mut self) -> Result<bool, Stall> {
        let store_err = |e: StoreError| Stall::Wait(Duration::from_secs(1), e.to_string());
        let name = self.cfg.name.clone();
        let mut cursor = self.store.sink_cursor(&name).map_err(store_err)?;
        let now = self.clock.now();
        let min_age = self
            .cfg
            .max_backlog_age
            .and_then(|a| chrono::Duration::from_std(a).ok())
            .map(|a| now - a);
        if let Some((to, n)) = self
            .store
            .sink_backlog_excess(cursor, self.cfg.max_backlog_points, min_age)
            .map_err(store_err)?
        {
            tracing::error!(
                sink = %name,
                dropped = n,
                max_backlog_points = self.cfg.max_backlog_points,
                max_backlog_age = ?self.cfg.max_backlog_age,
                "SINK BACKLOG LIMIT: dropping the oldest pending points; they will never reach this sink"
            );
            self.store
                .advance_sink(
                    &name,
                    to,
                    Advance {
                        dropped: n,
                        ..Advance::default()
                    },
                    now,
                )
                .map_err(store_err)?;
            crate::metrics::sink_points_done(&name, 0, 0, n);
            cursor = to;
        }
        let limit = self.cfg.batch_lines;
        let batch = match self.prefetched.take() {
            Some(p) if p.after == cursor => p,
            _ => {
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || Prepared::read(&store, cursor, limit))
                    .await
                    .map_err(|e| Stall::Wait(Duration::from_secs(1), e.to_string()))?
                    .map_err(store_err)?
            }
        };
        let Some(last) = batch.points.last().map(|p| p.seq) else {
            return Ok(false);
        };
        // Read and compress the next batch while this one is on the wire.
        let store = self.store.clone();
        let next = tokio::task::spawn_blocking(move || Prepared::read(&store, last, limit));
        let full = batch.points.len() >= limit;
        let mut done = Advance::default();
        for (role, idx, gz) in batch.groups {
            let lines: Vec<&OutboxPoint> = idx.iter().map(|&i| &batch.points[i]).collect();
            let Some(policy) = self.cfg.policy(role).map(|p| p.name.clone()) else {
                // Validation guarantees a policy per role; count rather than loop forever.
                done.rejected += lines.len() as u64;
                continue;
            };
            let (acked, rejected) = self.send_lines(&policy, &lines, Some(gz)).await?;
            done.acked += acked;
            done.rejected += rejected;
        }
        self.attempt = 0;
        self.store
            .advance_sink(&name, last, done, self.clock.now())
            .map_err(store_err)?;
        crate::metrics::sink_points_done(&name, done.acked, done.rejected, 0);
        if let Ok(Ok(p)) = next.await {
            self.prefetched = Some(p);
        }
        // Prune when caught up, and every 20 batches of a long catch-up.
        self.batches = self.batches.wrapping_add(1);
        if (!full || self.batches.is_multiple_of(20))
            && let Err(e) = self.store.prune_sink_points(&self.all_sinks)
        {
            tracing::warn!(sink = %name, error = %e, "cannot prune the point outbox");
        }
        Ok(true)
    }

    /// Write `lines` into `policy`, splitting on 413 and on refusals. Returns (acked, rejected).
    /// `first_body` is the gzip body of all of `lines`, already made.
    async fn send_lines(
        &mut self,
        policy: &str,
        lines: &[&OutboxPoint],
        mut first_body: Option<Vec<u8>>,
    ) -> Result<(u64, u64), Stall> {
        let mut acked = 0u64;
        let mut rejected = 0u64;
        // Ranges still to send, the next on top.
        let mut todo: Vec<(usize, usize)> = vec![(0, lines.len())];
        while let Some((from, to)) = todo.pop() {
            let part = &lines[from..to];
            let gz = match first_body.take() {
                Some(gz) if from == 0 && to == lines.len() => gz,
                _ => gzip_lines(part.iter().copied()),
            };
            let req = api::write_request(&self.client, &self.cfg, policy, gz);
            let outcome = match req.send().await {
                Err(e) => Outcome::Retry(format!("network: {e}")),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let text = resp.text().await.unwrap_or_default();
                    classify(status, retry_after.as_deref(), &text)
                }
            };
            let n = part.len() as u64;
            let half = from + (to - from) / 2;
            match outcome {
                Outcome::Ok => acked += n,
                Outcome::Partial { dropped, message } => {
                    tracing::warn!(sink = %self.cfg.name, policy, dropped, message = %message, "server dropped points older than the retention policy");
                    let dropped = dropped.min(n);
                    rejected += dropped;
                    acked += n - dropped;
                }
                Outcome::TooLarge | Outcome::Reject(_) if n > 1 => {
                    todo.push((half, to));
                    todo.push((from, half));
                }
                Outcome::TooLarge => {
                    tracing::warn!(sink = %self.cfg.name, policy, line = %part[0].line, "point refused as too large; skipped");
                    rejected += 1;
                }
                Outcome::Reject(message) => {
                    tracing::warn!(sink = %self.cfg.name, policy, message = %message, line = %part[0].line, "point rejected by the server; skipped");
                    rejected += 1;
                }
                Outcome::Throttled(after) => {
                    let wait = match after {
                        Some(a) => a,
                        None => self.next_backoff(),
                    };
                    return Err(Stall::Wait(wait, "server is throttling writes".into()));
                }
                Outcome::Retry(message) => {
                    return Err(Stall::Wait(self.next_backoff(), message));
                }
                Outcome::Setup(message) => return Err(Stall::Setup(message)),
            }
        }
        Ok((acked, rejected))
    }
}

/// The outbox head now, or none when it cannot be read (the committed counter then starts at the
/// first successful read).
fn store_head(store: &Store) -> Option<i64> {
    store.sink_points_head().ok()
}

/// Start every sink of `sinks` as its own task; each stops when `stop` turns true (after its
/// bounded drain).
pub fn start_all(
    sinks: &[SinkConfig],
    store: &Store,
    clock: &Arc<dyn Clock>,
    stop: &watch::Receiver<bool>,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Result<(), SinkStartError> {
    let names: Vec<String> = sinks.iter().map(|s| s.name.clone()).collect();
    for cfg in sinks {
        let sink = Sink::new(cfg.clone(), store.clone(), clock.clone(), names.clone())?;
        tasks.spawn(sink.run(stop.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_classified() {
        let s = |d: u64| Some(Duration::from_secs(d));
        let cases: Vec<(u16, Option<&str>, &str, Outcome)> = vec![
            (204, None, "", Outcome::Ok),
            (413, None, "", Outcome::TooLarge),
            (429, Some("7"), "", Outcome::Throttled(s(7))),
            (503, Some(" 2 "), "", Outcome::Throttled(s(2))),
            (503, None, "", Outcome::Throttled(None)),
            (
                429,
                Some("Wed, 21 Oct 2015 07:28:00 GMT"),
                "",
                Outcome::Throttled(None),
            ),
            (
                400,
                None,
                r#"{"error":"unable to parse 'x': missing fields"}"#,
                Outcome::Reject("unable to parse 'x': missing fields".into()),
            ),
            (
                400,
                None,
                r#"{"error":"partial write: points beyond retention policy dropped=3"}"#,
                Outcome::Partial {
                    dropped: 3,
                    message: "partial write: points beyond retention policy dropped=3".into(),
                },
            ),
            (
                404,
                None,
                r#"{"error":"database not found: \"s\""}"#,
                Outcome::Setup("database not found: \"s\"".into()),
            ),
            (
                500,
                None,
                r#"{"error":"retention policy not found: live"}"#,
                Outcome::Setup("retention policy not found: live".into()),
            ),
            (
                502,
                None,
                "bad gateway",
                Outcome::Retry("bad gateway".into()),
            ),
            (
                401,
                None,
                r#"{"error":"authorization failed"}"#,
                Outcome::Retry("authorization failed".into()),
            ),
        ];
        for (status, ra, body, want) in cases {
            assert_eq!(classify(status, ra, body), want, "{status} {body}");
        }
    }

    #[test]
    fn backoff_doubles_to_a_cap() {
        assert_eq!(backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(backoff(1, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(3, 0.0), Duration::from_secs(4));
        assert_eq!(backoff(10, 0.0), Duration::from_secs(30));
        assert_eq!(
            backoff(40, 0.999_999),
            Duration::from_secs_f64(30.0 * (1.0 + 0.25 * 0.999_999))
        );
    }
}
