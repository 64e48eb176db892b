//! Scoreline adapter for the MLB Stats API (`statsapi.mlb.com`): the `Adapter` impl, the league
//! map (MLB and the minor-league levels by `sportId`) and the request plans.
//!
//! - schedule: `/api/v1/schedule?sportId=N&startDate=..&endDate=..&hydrate=team`;
//! - scoreboard: `/api/v1/schedule?sportId=N&date=..&hydrate=linescore,team`;
//! - game detail: `/api/v1.1/game/{pk}/feed/live`.
//!
//! Parsing lives in [`game`] (schedule rows, any game) and [`feed`] (the live feed's scoring
//! plays); [`status`] holds MLB's state names. Native callers (tests, benchmarks) use [`Mlb`]
//! through [`scoreline_plugin_sdk::Adapter`].

mod feed;
mod game;
pub mod status;
mod wire;

use scoreline_plugin_sdk::{
    Adapter, AdapterError, AdapterInfo, Cadence, CallContext, Date, DetailResult, GamesResult,
    Request,
};

/// The MLB Stats API adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mlb;

/// The host every request goes to.
pub const HOST: &str = "statsapi.mlb.com";

/// League keys served and the Stats API `sportId` of each.
pub const LEAGUES: &[(&str, u32)] = &[
    ("mlb", 1),
    ("aaa", 11),
    ("aa", 12),
    ("high-a", 13),
    ("single-a", 14),
    ("rookie", 16),
];

/// `game.sport` of every game.
pub(crate) const SPORT: &str = "baseball";

const BASE: &str = "https://statsapi.mlb.com/api";

/// The `sportId` for a call: the option `sport_id` when set, else the league key's.
pub fn sport_id(ctx: &CallContext) -> Result<String, AdapterError> {
    let Some((_, default)) = LEAGUES.iter().find(|(key, _)| *key == ctx.league) else {
        let keys: Vec<&str> = LEAGUES.iter().map(|(k, _)| *k).collect();
        return Err(AdapterError::Unsupported(format!(
            "league `{}` is not served by the mlb adapter (serves {})",
            ctx.league,
            keys.join(", ")
        )));
    };
    match ctx.option("sport_id").map(str::trim) {
        None | Some("") => Ok(default.to_string()),
        Some(id) if id.len() <= 6 && id.bytes().all(|b| b.is_ascii_digit()) => Ok(id.to_owned()),
        Some(other) => Err(AdapterError::Unsupported(format!(
            "option `sport_id` = `{other}` is not a Stats API sport id (a number such as 11)"
        ))),
    }
}

impl Adapter for Mlb {
    fn info() -> AdapterInfo {
        AdapterInfo {
            name: "mlb".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            leagues: LEAGUES.iter().map(|(key, _)| (*key).to_owned()).collect(),
            hosts: vec![HOST.into()],
            cadence: Cadence::STANDARD,
        }
    }

    fn schedule_request(
        ctx: &CallContext,
        first: Date,
        last: Date,
    ) -> Result<Request, AdapterError> {
        let sport = sport_id(ctx)?;
        Ok(Request::get(format!(
            "{BASE}/v1/schedule?sportId={sport}&startDate={first}&endDate={last}&hydrate=team"
        )))
    }

    fn parse_schedule(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
        sport_id(ctx)?;
        game::parse_schedule(&ctx.league, body)
    }

    fn scoreboard_request(ctx: &CallContext, day: Date) -> Result<Request, AdapterError> {
        let sport = sport_id(ctx)?;
        Ok(Request::get(format!(
            "{BASE}/v1/schedule?sportId={sport}&date={day}&hydrate=linescore,team"
        )))
    }

    fn parse_scoreboard(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
        sport_id(ctx)?;
        game::parse_schedule(&ctx.league, body)
    }

    fn game_detail_request(ctx: &CallContext, game_id: &str) -> Result<Request, AdapterError> {
        sport_id(ctx)?;
        if game_id.is_empty() || !game_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AdapterError::Unsupported(format!(
                "game id `{game_id}` is not an MLB gamePk (digits such as 744914)"
            )));
        }
        Ok(Request::get(format!(
            "{BASE}/v1.1/game/{game_id}/feed/live"
        )))
    }

    fn parse_game_detail(
        ctx: &CallContext,
        game_id: &str,
        body: &[u8],
    ) -> Result<DetailResult, AdapterError> {
        sport_id(ctx)?;
        feed::parse(&ctx.league, game_id, body)
    }
}

scoreline_plugin_sdk::export_adapter!(Mlb);

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(league: &str) -> CallContext {
        CallContext::new(league, 0)
    }

    #[test]
    fn info() {
        let info = Mlb::info();
        assert_eq!(info.name, "mlb");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            info.leagues,
            ["mlb", "aaa", "aa", "high-a", "single-a", "rookie"]
        );
        assert_eq!(info.hosts, ["statsapi.mlb.com"]);
        assert_eq!(
            (
                info.cadence.idle_secs,
                info.cadence.pregame_secs,
                info.cadence.live_secs,
                info.cadence.settle_secs
            ),
            (3600, 60, 10, 14400)
        );
    }

    #[test]
    fn sport_ids() {
        for (league, id) in [
            ("mlb", "1"),
            ("aaa", "11"),
            ("aa", "12"),
            ("high-a", "13"),
            ("single-a", "14"),
            ("rookie", "16"),
        ] {
            assert_eq!(sport_id(&ctx(league)).as_deref(), Ok(id), "{league}");
        }
        assert_eq!(
            sport_id(&ctx("mlb").with_option("sport_id", "17")).as_deref(),
            Ok("17")
        );
        assert_eq!(
            sport_id(&ctx("aaa").with_option("sport_id", "")).as_deref(),
            Ok("11")
        );
        let err = sport_id(&ctx("mlb").with_option("sport_id", "1&x=2")).unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(ref m) if m.contains("1&x=2")));
        let err = sport_id(&ctx("npb")).unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(ref m) if m.contains("`npb`")));
    }

    #[test]
    fn requests() {
        let r = Mlb::schedule_request(&ctx("mlb"), Date::new(2024, 7, 1), Date::new(2024, 7, 7))
            .unwrap();
        assert_eq!(
            r.url,
            "https://statsapi.mlb.com/api/v1/schedule?sportId=1&startDate=2024-07-01&endDate=2024-07-07&hydrate=team"
        );
        assert!(r.headers.is_empty());
        let r = Mlb::scoreboard_request(&ctx("aaa"), Date::new(2026, 5, 30)).unwrap();
        assert_eq!(
            r.url,
            "https://statsapi.mlb.com/api/v1/schedule?sportId=11&date=2026-05-30&hydrate=linescore,team"
        );
        let r = Mlb::game_detail_request(&ctx("mlb"), "744914").unwrap();
        assert_eq!(
            r.url,
            "https://statsapi.mlb.com/api/v1.1/game/744914/feed/live"
        );
        for bad in ["", "74/4914", "x", "744914?x"] {
            let err = Mlb::game_detail_request(&ctx("mlb"), bad).unwrap_err();
            assert!(
                matches!(err, AdapterError::Unsupported(ref m) if m.contains(bad)),
                "{bad}"
            );
        }
    }
}
