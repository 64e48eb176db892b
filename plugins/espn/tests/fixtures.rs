//! Golden tests of the ESPN adapter, run natively: every recorded ESPN payload in the shared
//! fixture folder ([`recorded`]) and the crate's own hand-made bodies in `testdata/`
//! ([`handmade`]). This file holds the helpers both use.

// A test binary: its helpers fail the test by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "fixtures/handmade.rs"]
mod handmade;
#[path = "fixtures/recorded.rs"]
mod recorded;

use scoreline_plugin_espn::Espn;
use scoreline_plugin_sdk::{
    Adapter, AdapterError, CallContext, DetailResult, Game, GameDetail, GameStatus, GamesResult,
};
use std::path::{Path, PathBuf};

/// A call context for `league` (time is irrelevant to parsing).
pub fn ctx(league: &str) -> CallContext {
    CallContext::new(league, 1_700_000_000)
}

/// The crate's own test data folder.
pub fn testdata(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The shared recorded ESPN payloads, or `None` after recording that the running test skips them.
pub fn recorded_dir() -> Option<PathBuf> {
    scoreline_test_support::shared_fixtures("espn")
}

/// Parse a scoreboard body, failing the test on error.
pub fn board(league: &str, body: &[u8]) -> GamesResult {
    Espn::parse_scoreboard(&ctx(league), body)
        .unwrap_or_else(|e| panic!("{league} scoreboard: {e:?}"))
}

/// Parse a summary body, failing the test on error.
pub fn detail(league: &str, body: &[u8]) -> GameDetail {
    let DetailResult { detail, .. } = Espn::parse_game_detail(&ctx(league), "0", body)
        .unwrap_or_else(|e| panic!("{league} summary: {e:?}"));
    detail
}

/// The parse error of a body expected to fail.
pub fn parse_error(result: Result<impl std::fmt::Debug, AdapterError>) -> String {
    match result {
        Err(AdapterError::Parse(message)) => message,
        other => panic!("expected a parse error, got {other:?}"),
    }
}

/// The game with upstream id `id`.
pub fn game<'a>(games: &'a [Game], id: &str) -> &'a Game {
    games
        .iter()
        .find(|g| g.id == id)
        .unwrap_or_else(|| panic!("no game {id}"))
}

/// Expected facts about one game.
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    pub id: &'static str,
    pub home: &'static str,
    pub away: &'static str,
    /// (home, away); `None` before the game has a score.
    pub score: Option<(u32, u32)>,
    pub status: GameStatus,
    pub period: Option<u32>,
}

/// Check one game against its expected facts.
pub fn check_game(games: &[Game], e: &Expect) {
    let g = game(games, e.id);
    assert_eq!(
        (g.home.abbreviation.as_str(), g.away.abbreviation.as_str()),
        (e.home, e.away),
        "{}: teams",
        e.id
    );
    let score = match (g.home.score, g.away.score) {
        (Some(h), Some(a)) => Some((h, a)),
        (None, None) => None,
        other => panic!("{}: half a score {other:?}", e.id),
    };
    assert_eq!(score, e.score, "{}: score", e.id);
    assert_eq!(g.status, e.status, "{}: status", e.id);
    assert_eq!(g.period, e.period, "{}: period", e.id);
}

/// Invariants of every game: ids present, two different sides, no score before the start.
pub fn game_invariants(g: &Game) {
    assert!(!g.id.is_empty());
    assert!(!g.home.id.is_empty() && !g.away.id.is_empty(), "{}", g.id);
    assert_ne!(g.home.id, g.away.id, "{}", g.id);
    assert!(!g.status_detail.is_empty(), "{}: status detail", g.id);
    if g.status == GameStatus::Scheduled {
        assert_eq!(g.home.score, None, "{}", g.id);
        assert_eq!(g.period, None, "{}", g.id);
        assert_eq!(g.clock, None, "{}", g.id);
    }
}

/// Invariants of a game detail: sequences 1..n, teams are the game's sides, running scores never
/// fall, each play's points are its rise, and a final game's plays add up to its score.
pub fn detail_invariants(d: &GameDetail) {
    let (mut h, mut a) = (0u32, 0u32);
    for (i, p) in d.scoring_plays.iter().enumerate() {
        assert_eq!(p.sequence as usize, i + 1);
        let rise = if p.team == d.game.home.id {
            p.home_score - h
        } else if p.team == d.game.away.id {
            p.away_score - a
        } else {
            panic!("play {} credited to unknown team {}", p.sequence, p.team)
        };
        assert!(
            p.home_score >= h && p.away_score >= a,
            "play {}",
            p.sequence
        );
        assert_eq!(rise, p.points, "play {} points", p.sequence);
        assert!(!p.kind.is_empty());
        (h, a) = (p.home_score, p.away_score);
    }
    if d.game.status == GameStatus::Final && !(d.game.sport == "hockey" && d.game.shootout) {
        assert_eq!(
            (Some(h), Some(a)),
            (d.game.home.score, d.game.away.score),
            "{}: plays add up to the final score",
            d.game.id
        );
    }
    for (i, s) in d.shootout.iter().enumerate() {
        assert_eq!(s.sequence as usize, i + 1);
        assert!(s.team == d.game.home.id || s.team == d.game.away.id);
    }
}
