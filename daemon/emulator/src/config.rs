//! The emulator's settings, as the daemon's `[emulator]` config section validates into them.

use chrono::{DateTime, Utc};
use std::time::Duration;

/// The emulator's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorConfig {
    /// Seed.
    pub seed: u64,
    /// Wall time of one game.
    pub game_length: Duration,
    /// Time between kick-offs.
    pub stagger: Duration,
    /// `Cache-Control: max-age` sent with every body (the daemon's cache honours it).
    pub max_age: Duration,
    /// Probability of a 500.
    pub error_rate: f64,
    /// Probability of a hang.
    pub timeout_rate: f64,
    /// Probability of truncated JSON.
    pub malformed_rate: f64,
    /// Inject one 0-0 glitch per game.
    pub glitch: bool,
    /// Drop one game from one scoreboard.
    pub drop_game: bool,
    /// Once per game and route (scoreboard, summary), serve an older copy of the body (from
    /// just before the game's last score) for 2 or 3 consecutive requests, as a lagging CDN
    /// edge does.
    pub stale: bool,
    /// Boards that change only on their own rhythm (none: every body shows the slate at the
    /// request's instant).
    pub updates: Option<BoardUpdates>,
}

/// Upstream's own update rhythm: a body shows the slate as of the latest update, which comes
/// every `period` at `phase` past each period boundary (counted from the Unix epoch), plus a
/// jitter of up to `jitter` drawn per update. Responses say how old their copy is (`Date`,
/// `Age`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardUpdates {
    /// Time between updates (more than zero).
    pub period: Duration,
    /// Offset of the updates within each period (less than `period`).
    pub phase: Duration,
    /// Most lateness of one update (less than `period`).
    pub jitter: Duration,
}

impl BoardUpdates {
    /// Update `k`'s time, in milliseconds since the epoch.
    fn update_ms(&self, k: i64) -> i64 {
        let period = self.period.as_millis() as i64;
        let jitter = self.jitter.as_millis() as i64;
        // A fixed pseudo-random lateness per update (Knuth's multiplicative hash).
        let late = if jitter == 0 {
            0
        } else {
            ((k.wrapping_mul(2_654_435_761)).rem_euclid(1_000) * jitter) / 1_000
        };
        k * period + self.phase.as_millis() as i64 + late
    }

    /// The latest update at or before `now` (the instant the body served at `now` shows).
    pub fn last(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let period = (self.period.as_millis() as i64).max(1);
        let now_ms = now.timestamp_millis();
        let mut k = (now_ms - self.phase.as_millis() as i64).div_euclid(period);
        while self.update_ms(k) > now_ms {
            k -= 1;
        }
        DateTime::from_timestamp_millis(self.update_ms(k)).unwrap_or(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_shows_the_latest_update_of_its_rhythm() {
        let u = BoardUpdates {
            period: Duration::from_millis(10_000),
            phase: Duration::from_millis(3_000),
            jitter: Duration::from_millis(1_500),
        };
        let t =
            |ms: i64| DateTime::from_timestamp_millis(1_800_000_000_000 + ms).unwrap_or_default();
        let mut last = u.last(t(0));
        let mut changes = 0;
        for step in 1..=2_000 {
            let now = t(step * 50);
            let shown = u.last(now);
            assert!(shown <= now && shown >= last, "monotonic and never ahead");
            let offset = (shown.timestamp_millis() - 3_000).rem_euclid(10_000);
            assert!(offset <= 1_500, "in its slot's jitter window: {offset}");
            if shown != last {
                changes += 1;
                last = shown;
            }
        }
        // 100 s of requests every 50 ms: one change per 10 s period.
        assert!((9..=11).contains(&changes), "{changes}");
    }
}
