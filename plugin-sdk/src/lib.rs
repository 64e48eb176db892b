//! The Scoreline plugin SDK: what an adapter author depends on to turn an upstream sports API into
//! Scoreline games, compiled to a `wasm32-wasip2` component.
//!
//! An adapter is a pure translator. The host plans nothing and parses nothing: it asks the adapter
//! for a request ([`Adapter::scoreboard_request`]), performs it itself (allow-list, rate limits,
//! cache, retries), and hands the body back ([`Adapter::parse_scoreboard`]). The adapter never
//! touches the network, a file or a clock; time comes in as [`CallContext::now`].
//!
//! The SDK hides the generated WIT bindings and gives you:
//! - the contract's types ([`Game`], [`ScoringPlay`], [`AdapterError`], ...) and the [`Adapter`]
//!   trait with defaults for the calls you do not serve;
//! - [`export_adapter!`], which exports your type as the component;
//! - [`json`]: typed and dynamic JSON access whose errors name the missing path;
//! - [`parse`]: lenient score, clock and time parsing; [`scoring`]: the "score rose above its
//!   highest so far" rule that finds scoring plays in noisy feeds; [`status`]: status names to
//!   [`GameStatus`] with a fallback for unknown names, logged once; [`log`]: the host's log.
//!
//! A complete minimal adapter:
//!
//! ```
//! use scoreline_plugin_sdk::{
//!     json, parse, Adapter, AdapterError, AdapterInfo, Cadence, CallContext, Competitor, Date,
//!     Game, GameStatus, GamesResult, Request,
//! };
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Board {
//!     games: Vec<Row>,
//! }
//!
//! #[derive(Deserialize)]
//! struct Row {
//!     id: String,
//!     home: String,
//!     away: String,
//!     #[serde(default)]
//!     home_score: Option<u32>,
//!     #[serde(default)]
//!     away_score: Option<u32>,
//!     state: String,
//! }
//!
//! struct Demo;
//!
//! impl Adapter for Demo {
//!     fn info() -> AdapterInfo {
//!         AdapterInfo {
//!             name: "demo".into(),
//!             version: env!("CARGO_PKG_VERSION").into(),
//!             leagues: vec!["demo".into()],
//!             hosts: vec!["scores.example.com".into()],
//!             cadence: Cadence::STANDARD,
//!         }
//!     }
//!
//!     fn scoreboard_request(ctx: &CallContext, day: Date) -> Result<Request, AdapterError> {
//!         Ok(Request::get(format!(
//!             "https://scores.example.com/{}/{}",
//!             ctx.league,
//!             parse::date_compact(day)
//!         )))
//!     }
//!
//!     fn parse_scoreboard(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
//!         let board: Board = json::from_slice(body)?;
//!         let games = board
//!             .games
//!             .into_iter()
//!             .map(|row| {
//!                 let status = match row.state.as_str() {
//!                     "live" => GameStatus::Live,
//!                     "final" => GameStatus::Final,
//!                     _ => GameStatus::Scheduled,
//!                 };
//!                 let mut game = Game::new(&row.id, &ctx.league, "soccer", status);
//!                 game.home = Competitor::new(&row.home, &row.home, &row.home, row.home_score);
//!                 game.away = Competitor::new(&row.away, &row.away, &row.away, row.away_score);
//!                 game
//!             })
//!             .collect();
//!         Ok(GamesResult { games, poll_hint_secs: None })
//!     }
//! }
//!
//! scoreline_plugin_sdk::export_adapter!(Demo);
//!
//! // Native code (tests, benchmarks) calls the same functions directly:
//! let ctx = CallContext::new("demo", 0);
//! let body = br#"{"games":[{"id":"7","home":"AAA","away":"BBB","home_score":2,"away_score":1,"state":"live"}]}"#;
//! let result = Demo::parse_scoreboard(&ctx, body).unwrap();
//! assert_eq!(result.games[0].home.score, Some(2));
//! assert_eq!(result.games[0].status, GameStatus::Live);
//! let err = Demo::parse_scoreboard(&ctx, br#"{"games":[{"id":"7"}]}"#).unwrap_err();
//! assert!(matches!(err, AdapterError::Parse(ref m) if m.contains("games[0]") && m.contains("home")));
//! ```
//!
//! Its `Cargo.toml` makes the crate a `cdylib` (without it cargo builds no `.wasm`) and depends on
//! the SDK and serde:
//!
//! ```toml
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! # a crate under the workspace's `plugins/`; from elsewhere, a git dependency
//! scoreline-plugin-sdk = { path = "../../plugin-sdk" }
//! serde = { version = "1", features = ["derive"] }
//! ```
//!
//! Build it with `cargo build --target wasm32-wasip2 --release`; the `.wasm` in
//! `target/wasm32-wasip2/release/` is the component (or let `scoreline plugin build` do it).
#![deny(missing_docs)]

pub mod de;
pub mod json;
pub mod log;
pub mod parse;
pub mod scoring;
pub mod status;

mod model;
pub use model::Side;

#[doc(hidden)]
pub mod __private;

pub use __private::scoreline::adapter::types::{
    AdapterError, AdapterInfo, Cadence, CallContext, Competitor, Date, DetailResult, Game,
    GameDetail, GameStatus, GamesResult, LogLevel, Player, Request, ScoringPlay, ShootoutAttempt,
    StringMap, Timestamp,
};

/// What an adapter implements. Every method is a plain function of its inputs: no I/O, no clock.
///
/// Only [`Adapter::info`], [`Adapter::scoreboard_request`] and [`Adapter::parse_scoreboard`] are
/// required; the others answer [`AdapterError::Unsupported`] until you implement them.
pub trait Adapter {
    /// Name, version, leagues served, hosts needed and suggested cadence.
    fn info() -> AdapterInfo;

    /// Plan the request for the schedule of `ctx.league` from `first` to `last` inclusive.
    fn schedule_request(
        ctx: &CallContext,
        first: Date,
        last: Date,
    ) -> Result<Request, AdapterError> {
        let _ = (first, last);
        Err(unsupported(ctx, "schedule"))
    }

    /// Parse a schedule body.
    fn parse_schedule(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
        let _ = body;
        Err(unsupported(ctx, "schedule"))
    }

    /// Plan the request for the scoreboard of `ctx.league` on the sports day `day`.
    fn scoreboard_request(ctx: &CallContext, day: Date) -> Result<Request, AdapterError>;

    /// Parse a scoreboard body.
    fn parse_scoreboard(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError>;

    /// Plan the request for one game's detail.
    fn game_detail_request(ctx: &CallContext, game_id: &str) -> Result<Request, AdapterError> {
        let _ = game_id;
        Err(unsupported(ctx, "game detail"))
    }

    /// Parse a game detail body into the game, its scoring plays and shootout attempts.
    fn parse_game_detail(
        ctx: &CallContext,
        game_id: &str,
        body: &[u8],
    ) -> Result<DetailResult, AdapterError> {
        let _ = (game_id, body);
        Err(unsupported(ctx, "game detail"))
    }
}

fn unsupported(ctx: &CallContext, what: &str) -> AdapterError {
    AdapterError::Unsupported(format!("{what} is not served for league `{}`", ctx.league))
}

/// Export a type implementing [`Adapter`] as the component's `scoreline:adapter/adapter` interface.
///
/// Use it once, at the top level of the adapter crate. On targets other than `wasm32` it only
/// checks that the type implements [`Adapter`], so the same crate links natively into tests and
/// benchmarks beside other adapters.
#[macro_export]
macro_rules! export_adapter {
    ($ty:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct __ScorelineExport;
            impl $crate::__private::Guest for __ScorelineExport {
                fn info() -> $crate::AdapterInfo {
                    <$ty as $crate::Adapter>::info()
                }
                fn schedule_request(
                    ctx: $crate::CallContext,
                    first: $crate::Date,
                    last: $crate::Date,
                ) -> ::core::result::Result<$crate::Request, $crate::AdapterError> {
                    <$ty as $crate::Adapter>::schedule_request(&ctx, first, last)
                }
                fn parse_schedule(
                    ctx: $crate::CallContext,
                    body: ::std::vec::Vec<u8>,
                ) -> ::core::result::Result<$crate::GamesResult, $crate::AdapterError> {
                    <$ty as $crate::Adapter>::parse_schedule(&ctx, &body)
                }
                fn scoreboard_request(
                    ctx: $crate::CallContext,
                    day: $crate::Date,
                ) -> ::core::result::Result<$crate::Request, $crate::AdapterError> {
                    <$ty as $crate::Adapter>::scoreboard_request(&ctx, day)
                }
                fn parse_scoreboard(
                    ctx: $crate::CallContext,
                    body: ::std::vec::Vec<u8>,
                ) -> ::core::result::Result<$crate::GamesResult, $crate::AdapterError> {
                    <$ty as $crate::Adapter>::parse_scoreboard(&ctx, &body)
                }
                fn game_detail_request(
                    ctx: $crate::CallContext,
                    game_id: ::std::string::String,
                ) -> ::core::result::Result<$crate::Request, $crate::AdapterError> {
                    <$ty as $crate::Adapter>::game_detail_request(&ctx, &game_id)
                }
                fn parse_game_detail(
                    ctx: $crate::CallContext,
                    game_id: ::std::string::String,
                    body: ::std::vec::Vec<u8>,
                ) -> ::core::result::Result<$crate::DetailResult, $crate::AdapterError> {
                    <$ty as $crate::Adapter>::parse_game_detail(&ctx, &game_id, &body)
                }
            }
    $crate::__private::__wit_export!(__ScorelineExport with_types_in $crate::__private);
        };
        #[cfg(not(target_arch = "wasm32"))]
        const _: fn() -> $crate::AdapterInfo = <$ty as $crate::Adapter>::info;
    };
}
