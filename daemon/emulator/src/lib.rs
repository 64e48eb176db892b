//! The emulator: an in-process upstream that speaks ESPN's site API over a made-up, deterministic
//! slate of games, so the daemon (and its real ESPN adapter) can run offline and tests can drive
//! whole games with a manual clock.
//!
//! - `teams`: the leagues served, invented clubs and name pools;
//! - `slate` (pure): the games, their timelines and scoring events, and [`state_at`];
//! - `espn` (pure): scoreboard and summary bodies in ESPN's shapes at a given instant;
//! - `server`: the axum server, `Cache-Control: max-age`, fault injection and [`Emulator`].

pub mod espn;
mod server;
pub mod slate;
pub mod teams;

pub use server::{Emulator, EmulatorError, Fault};

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
}

pub use slate::{Game, GameState, Slate, state_at};
