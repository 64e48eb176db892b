//! The emulator's settings, as the daemon's `[emulator]` config section validates into them.

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
}
