//! The circuit breaker of one upstream host, as a pure state machine: closed until enough
//! attempts in a row fail, then open (requests refused without being sent) for a cool-down, then
//! half-open (one trial request) which closes it on success or reopens it for twice as long.
//! A `Retry-After` holds it open until the time upstream named. Time is always a parameter.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// A state change, to log and store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// The state entered.
    pub state: BreakerState,
    /// Why.
    pub reason: String,
}

/// A request the breaker refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// When the breaker will let a trial through, if known (none while a trial is in flight).
    pub until: Option<DateTime<Utc>>,
}

/// What `/health` shows of one breaker.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BreakerStatus {
    /// The host.
    pub host: String,
    /// Its state.
    pub state: BreakerState,
    /// Failed attempts in a row.
    pub consecutive_failures: u32,
    /// When an open breaker allows its next trial.
    pub open_until: Option<DateTime<Utc>>,
    /// Why it last changed state.
    pub reason: Option<String>,
}

/// One host's breaker.
#[derive(Debug, Clone)]
pub struct Breaker {
    config: BreakerConfig,
    state: BreakerState,
    failures: u32,
    open_until: Option<DateTime<Utc>>,
    cooldown: Duration,
    trial_in_flight: bool,
    reason: Option<String>,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Breaker {
        Breaker {
            config,
            state: BreakerState::Closed,
            failures: 0,
            open_until: None,
            cooldown: config.cooldown,
            trial_in_flight: false,
            reason: None,
        }
    }

    /// The current state.
    pub fn state(&self) -> BreakerState {
        self.state
    }

    /// Its status for `/health`.
    pub fn status(&self, host: &str) -> BreakerStatus {
        BreakerStatus {
            host: host.to_owned(),
            state: self.state,
            consecutive_failures: self.failures,
            open_until: self.open_until.filter(|_| self.state == BreakerState::Open),
            reason: self.reason.clone(),
        }
    }

    fn enter(&mut self, state: BreakerState, reason: String) -> Option<Transition> {
        let changed = self.state != state;
        self.state = state;
        self.reason = Some(reason.clone());
        changed.then_some(Transition { state, reason })
    }

    /// May a request go out at `now`? An open breaker whose cool-down is over turns half-open
    /// and lets exactly one trial through.
    pub fn admit(&mut self, now: DateTime<Utc>) -> Result<Option<Transition>, Refused> {
        match self.state {
            BreakerState::Closed => Ok(None),
            BreakerState::HalfOpen if self.trial_in_flight => Err(Refused { until: None }),
            BreakerState::HalfOpen => {
                self.trial_in_flight = true;
                Ok(None)
            }
            BreakerState::Open => match self.open_until {
                Some(until) if now < until => Err(Refused { until: Some(until) }),
                _ => {
                    self.trial_in_flight = true;
                    Ok(self.enter(
                        BreakerState::HalfOpen,
                        "cool-down over; sending one trial request".into(),
                    ))
                }
            },
        }
    }

    /// An attempt succeeded (any answer that is not a failure).
    pub fn on_success(&mut self) -> Option<Transition> {
        self.failures = 0;
        self.trial_in_flight = false;
        if self.state == BreakerState::Closed {
            return None;
        }
        self.cooldown = self.config.cooldown;
        self.open_until = None;
        self.enter(BreakerState::Closed, "trial request succeeded".into())
    }

    /// An attempt failed with a 5xx, 429, timeout or network error; `retry_after` is upstream's
    /// `Retry-After`, if it sent one.
    pub fn on_failure(
        &mut self,
        now: DateTime<Utc>,
        what: &str,
        retry_after: Option<Duration>,
    ) -> Option<Transition> {
        self.failures = self.failures.saturating_add(1);
        let trial_failed = self.state == BreakerState::HalfOpen;
        self.trial_in_flight = false;
        if let Some(wait) = retry_after.filter(|w| *w > self.config.max_retry_after_wait) {
            // Upstream named a time: stay away until then, whatever the failure count.
            return self.open(
                now,
                wait,
                format!(
                    "{what}; upstream asked to wait {}s (Retry-After)",
                    wait.as_secs()
                ),
            );
        }
        if trial_failed {
            self.cooldown = (self.cooldown * 2).min(self.config.max_cooldown);
            let wait = self.cooldown.max(retry_after.unwrap_or_default());
            return self.open(now, wait, format!("trial request failed: {what}"));
        }
        if self.state == BreakerState::Closed && self.failures >= self.config.failures {
            let wait = self.cooldown.max(retry_after.unwrap_or_default());
            return self.open(
                now,
                wait,
                format!(
                    "{} failed attempts in a row, the last: {what}",
                    self.failures
                ),
            );
        }
        None
    }

    /// A request that was admitted ended without an answer either way (e.g. a body too large):
    /// it frees the trial slot without judging the host.
    pub fn on_neutral(&mut self) {
        self.trial_in_flight = false;
    }

    fn open(&mut self, now: DateTime<Utc>, wait: Duration, reason: String) -> Option<Transition> {
        let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        self.open_until = Some(
            now.checked_add_signed(wait)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
        );
        let reason = format!("{reason}; open for {}s", wait.num_seconds());
        let t = self.enter(BreakerState::Open, reason);
        // Re-opening an open breaker (a longer Retry-After) is still worth a log line.
        t.or_else(|| {
            Some(Transition {
                state: BreakerState::Open,
                reason: self.reason.clone().unwrap_or_default(),
            })
        })
    }
}

/// A circuit breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Requests flow.
    Closed,
    /// Requests are refused without being sent.
    Open,
    /// One trial request is allowed through.
    HalfOpen,
}

impl BreakerState {
    /// The name stored and shown: `closed`, `open`, `half_open`.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Closed => "closed",
            BreakerState::Open => "open",
            BreakerState::HalfOpen => "half_open",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<BreakerState> {
        match s {
            "closed" => Some(BreakerState::Closed),
            "open" => Some(BreakerState::Open),
            "half_open" => Some(BreakerState::HalfOpen),
            _ => None,
        }
    }
}

impl std::fmt::Display for BreakerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `[upstream.breaker]`: when a host's breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Failed attempts in a row (5xx, 429, timeout, network error) that open the breaker.
    pub failures: u32,
    /// How long it stays open before a half-open trial; doubles after each failed trial.
    pub cooldown: Duration,
    /// The longest cool-down after repeated failed trials.
    pub max_cooldown: Duration,
    /// The longest `Retry-After` the fetcher waits out inside one request; a longer one holds
    /// the host's breaker open until then instead.
    pub max_retry_after_wait: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn config() -> BreakerConfig {
        BreakerConfig {
            failures: 3,
            cooldown: Duration::from_secs(30),
            max_cooldown: Duration::from_secs(100),
            max_retry_after_wait: Duration::from_secs(10),
        }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn opens_after_the_threshold_and_recovers_through_half_open() {
        let mut b = Breaker::new(config());
        assert_eq!(b.admit(t(0)), Ok(None));
        assert_eq!(b.on_failure(t(0), "500", None), None);
        assert_eq!(b.on_failure(t(1), "500", None), None);
        // A success in between resets the count.
        assert_eq!(b.on_success(), None);
        assert_eq!(b.on_failure(t(2), "500", None), None);
        assert_eq!(b.on_failure(t(3), "500", None), None);
        let opened = b.on_failure(t(4), "upstream answered 503", None).unwrap();
        assert_eq!(opened.state, BreakerState::Open);
        assert_eq!(
            opened.reason,
            "3 failed attempts in a row, the last: upstream answered 503; open for 30s"
        );
        assert_eq!(b.admit(t(33)), Err(Refused { until: Some(t(34)) }));
        // Cool-down over: one trial, and a second caller is refused while it is in flight.
        let half = b.admit(t(34)).unwrap().unwrap();
        assert_eq!(half.state, BreakerState::HalfOpen);
        assert_eq!(b.admit(t(34)), Err(Refused { until: None }));
        let closed = b.on_success().unwrap();
        assert_eq!(closed.state, BreakerState::Closed);
        assert_eq!(b.admit(t(35)), Ok(None));
        assert_eq!(b.status("h").consecutive_failures, 0);
    }

    #[test]
    fn a_failed_trial_reopens_for_twice_as_long_up_to_the_cap() {
        let mut b = Breaker::new(config());
        for i in 0..3 {
            b.on_failure(t(i), "timeout", None);
        }
        assert_eq!(b.state(), BreakerState::Open);
        let mut at = t(2);
        for expected in [60, 100, 100] {
            let opened_until = b.status("h").open_until.unwrap();
            at = opened_until;
            assert_eq!(b.admit(at).unwrap().unwrap().state, BreakerState::HalfOpen);
            let t = b.on_failure(at, "timeout", None).unwrap();
            assert_eq!(t.state, BreakerState::Open);
            assert_eq!(
                b.status("h").open_until.unwrap(),
                at + chrono::Duration::seconds(expected)
            );
        }
        // After recovering, the next opening starts from the base cool-down again.
        let until = b.status("h").open_until.unwrap();
        b.admit(until).unwrap();
        b.on_success();
        for _ in 0..3 {
            b.on_failure(until, "500", None);
        }
        assert_eq!(
            b.status("h").open_until.unwrap(),
            until + chrono::Duration::seconds(30)
        );
        let _ = at;
    }

    #[test]
    fn a_long_retry_after_holds_the_breaker_open_until_then() {
        let mut b = Breaker::new(config());
        let t1 = b
            .on_failure(
                t(0),
                "upstream answered 429",
                Some(Duration::from_secs(120)),
            )
            .unwrap();
        assert_eq!(t1.state, BreakerState::Open);
        assert_eq!(
            t1.reason,
            "upstream answered 429; upstream asked to wait 120s (Retry-After); open for 120s"
        );
        assert_eq!(
            b.admit(t(119)),
            Err(Refused {
                until: Some(t(120))
            })
        );
        assert_eq!(
            b.admit(t(120)).unwrap().unwrap().state,
            BreakerState::HalfOpen
        );
        // A short Retry-After is waited out inside the request and counts as one failure.
        let mut b = Breaker::new(config());
        assert_eq!(
            b.on_failure(t(0), "429", Some(Duration::from_secs(2))),
            None
        );
        assert_eq!(b.state(), BreakerState::Closed);
    }

    #[test]
    fn a_neutral_end_frees_the_trial_slot() {
        let mut b = Breaker::new(config());
        for i in 0..3 {
            b.on_failure(t(i), "500", None);
        }
        b.admit(t(100)).unwrap();
        assert!(b.admit(t(100)).is_err());
        b.on_neutral();
        assert_eq!(b.admit(t(100)), Ok(None));
    }
}
