//! Time as a parameter: the daemon reads the time only through a [`Clock`], so tests drive it.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;
use std::time::Instant;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> DateTime<Utc>;

    /// How long to really wait for `span` of this clock's time to pass (a replay at speed N
    /// waits N times less).
    fn real_wait(&self, span: std::time::Duration) -> std::time::Duration {
        span
    }
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that moves only when told (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Mutex::new(at))
    }

    /// Move to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = at;
    }

    /// Move forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A clock that starts at a given time and runs `speed` times faster than the wall clock
/// (`run --replay --speed N`).
#[derive(Debug)]
pub struct ScaledClock {
    origin: DateTime<Utc>,
    started: Instant,
    speed: f64,
}

impl ScaledClock {
    /// A clock standing at `origin` now and running at `speed` (clamped to 0.001..=1e6).
    pub fn new(origin: DateTime<Utc>, speed: f64) -> Self {
        ScaledClock {
            origin,
            started: Instant::now(),
            speed: if speed.is_finite() {
                speed.clamp(0.001, 1e6)
            } else {
                1.0
            },
        }
    }
}

impl Clock for ScaledClock {
    fn now(&self) -> DateTime<Utc> {
        let real = self.started.elapsed().as_secs_f64() * self.speed;
        let scaled = std::time::Duration::try_from_secs_f64(real).unwrap_or_default();
        self.origin + Duration::from_std(scaled).unwrap_or(Duration::zero())
    }

    fn real_wait(&self, span: std::time::Duration) -> std::time::Duration {
        span.div_f64(self.speed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn scaled_clock_runs_fast_and_waits_short() {
        let origin = Utc.with_ymd_and_hms(2026, 7, 7, 0, 0, 0).unwrap();
        let c = ScaledClock::new(origin, 3600.0);
        assert!(c.now() >= origin);
        assert_eq!(
            c.real_wait(std::time::Duration::from_secs(3600)),
            std::time::Duration::from_secs(1)
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        // 20 ms of wall time is at least 72 s of clock time at 3600x.
        assert!(c.now() - origin >= Duration::seconds(72));
        assert_eq!(
            SystemClock.real_wait(std::time::Duration::from_secs(5)),
            std::time::Duration::from_secs(5)
        );
    }
}
