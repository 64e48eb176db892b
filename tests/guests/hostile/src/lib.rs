//! A hostile adapter for the sandbox tests. Every call misbehaves according to its league key:
//! `loop` spins forever, `bomb` allocates until memory runs out, `trap` panics, `evil` plans a
//! request to a host it never declared, `huge` returns twenty thousand games (four times the
//! default cap, yet few enough to lift well inside the CPU deadline on a loaded machine),
//! `chatty` floods the log, and `good` behaves, so a test can show the next call after a fault
//! still works.
#![allow(clippy::panic)]

use scoreline_plugin_sdk::{
    Adapter, AdapterError, AdapterInfo, Cadence, CallContext, Date, Game, GameStatus, GamesResult,
    Request, log,
};

/// The hostile adapter.
pub struct Hostile;

fn misbehave(ctx: &CallContext) -> Result<GamesResult, AdapterError> {
    match ctx.league.as_str() {
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        "bomb" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
                std::hint::black_box(&hoard);
            }
        }
        "trap" => panic!("hostile guest panics on purpose"),
        "huge" => {
            let games = (0..20_000)
                .map(|i| Game::new(&i.to_string(), "huge", "soccer", GameStatus::Live))
                .collect();
            Ok(GamesResult {
                games,
                poll_hint_secs: None,
            })
        }
        "chatty" => {
            for i in 0..10_000 {
                log::info(&format!("line {i} {}", "x".repeat(10_000)));
            }
            Ok(GamesResult {
                games: Vec::new(),
                poll_hint_secs: None,
            })
        }
        _ => Ok(GamesResult {
            games: vec![Game::new("1", &ctx.league, "soccer", GameStatus::Scheduled)],
            poll_hint_secs: None,
        }),
    }
}

impl Adapter for Hostile {
    fn info() -> AdapterInfo {
        AdapterInfo {
            name: "hostile".into(),
            version: "0.0.1".into(),
            leagues: vec![
                "loop".into(),
                "bomb".into(),
                "trap".into(),
                "evil".into(),
                "huge".into(),
                "chatty".into(),
                "good".into(),
            ],
            hosts: vec!["scores.example.com".into()],
            cadence: Cadence::STANDARD,
        }
    }

    fn scoreboard_request(ctx: &CallContext, day: Date) -> Result<Request, AdapterError> {
        let host = if ctx.league == "evil" {
            "attacker.example.net"
        } else {
            "scores.example.com"
        };
        Ok(Request::get(format!("https://{host}/{}/{day}", ctx.league)))
    }

    fn parse_scoreboard(ctx: &CallContext, _body: &[u8]) -> Result<GamesResult, AdapterError> {
        misbehave(ctx)
    }
}

scoreline_plugin_sdk::export_adapter!(Hostile);
