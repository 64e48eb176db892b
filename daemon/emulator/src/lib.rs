//! The emulator: an in-process upstream that speaks ESPN's site API over a made-up, deterministic
//! slate of games, so the daemon (and its real ESPN adapter) can run offline and tests can drive
//! whole games with a manual clock.
//!
//! - `teams`: the leagues served, invented clubs and name pools;
//! - `slate` (pure): the games, their timelines and scoring events, and [`state_at`];
//! - `espn` (pure): scoreboard and summary bodies in ESPN's shapes at a given instant;
//! - `config`: [`EmulatorConfig`], the settings `[emulator]` validates into;
//! - `server`: the axum server, `Cache-Control: max-age`, `Date` and `Age` (boards may change on
//!   their own rhythm, [`BoardUpdates`]), fault injection (errors, hangs,
//!   truncated bodies, 0-0 glitches, dropped games, stale copies) and [`Emulator`].

mod config;
pub mod espn;
mod server;
pub mod slate;
pub mod teams;

pub use config::{BoardUpdates, EmulatorConfig};
pub use server::{
    Emulator, EmulatorError, Fault, STALE_LAG, STALE_MIN_AGE, StaleCopy, StaleRoute, stale_instant,
};
pub use slate::{Game, GameState, Slate, state_at};
