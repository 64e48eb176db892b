//! Scoreline adapter for the NHL's web API (`api-web.nhle.com`): the `Adapter` impl and the
//! request plans.
//!
//! - schedule: `/v1/schedule/{YYYY-MM-DD}` (upstream answers with the week starting that day);
//! - scoreboard: `/v1/score/{YYYY-MM-DD}`;
//! - game detail: `/v1/gamecenter/{id}/play-by-play` (or `/landing` with the option
//!   `detail = "landing"`); both bodies parse.
//!
//! Parsing lives in [`game`] (any game, schedule and score bodies) and [`detail`] (goals and
//! shootouts); [`status`] and [`strength`] hold the NHL's codes. Native callers (tests,
//! benchmarks) use [`Nhl`] through [`scoreline_plugin_sdk::Adapter`].

mod detail;
mod game;
pub mod status;
pub mod strength;
mod wire;

use scoreline_plugin_sdk::{
    Adapter, AdapterError, AdapterInfo, Cadence, CallContext, Date, DetailResult, GamesResult,
    Request, log,
};

/// The NHL adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nhl;

/// The host every request goes to.
pub const HOST: &str = "api-web.nhle.com";

/// The league key served.
pub const LEAGUE: &str = "nhl";

/// `game.sport` of every game.
pub(crate) const SPORT: &str = "hockey";

const BASE: &str = "https://api-web.nhle.com/v1";

/// The game detail endpoints the option `detail` may name.
const DETAIL_ENDPOINTS: &[&str] = &["play-by-play", "landing"];

fn check_league(ctx: &CallContext) -> Result<(), AdapterError> {
    if ctx.league == LEAGUE {
        Ok(())
    } else {
        Err(AdapterError::Unsupported(format!(
            "league `{}` is not served by the nhl adapter (serves `{LEAGUE}`)",
            ctx.league
        )))
    }
}

/// `First Last` from optional parts; `None` when both are missing.
pub(crate) fn full_name(first: Option<&str>, last: Option<&str>) -> Option<String> {
    match (first, last) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
fn days(d: Date) -> i64 {
    let (m, day) = (i64::from(d.month), i64::from(d.day));
    let y = i64::from(d.year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

impl Adapter for Nhl {
    fn info() -> AdapterInfo {
        AdapterInfo {
            name: "nhl".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            leagues: vec![LEAGUE.into()],
            hosts: vec![HOST.into()],
            cadence: Cadence::STANDARD,
        }
    }

    fn schedule_request(
        ctx: &CallContext,
        first: Date,
        last: Date,
    ) -> Result<Request, AdapterError> {
        check_league(ctx)?;
        let span = days(last) - days(first);
        if span > 6 {
            log::warn(&format!(
                "schedule {first}..{last}: upstream answers one week per request, games after {} \
                 need another request",
                first
            ));
        }
        Ok(Request::get(format!("{BASE}/schedule/{first}")))
    }

    fn parse_schedule(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
        check_league(ctx)?;
        game::parse_board(&ctx.league, body)
    }

    fn scoreboard_request(ctx: &CallContext, day: Date) -> Result<Request, AdapterError> {
        check_league(ctx)?;
        Ok(Request::get(format!("{BASE}/score/{day}")))
    }

    fn parse_scoreboard(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
        check_league(ctx)?;
        game::parse_board(&ctx.league, body)
    }

    fn game_detail_request(ctx: &CallContext, game_id: &str) -> Result<Request, AdapterError> {
        check_league(ctx)?;
        if game_id.is_empty() || !game_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(AdapterError::Unsupported(format!(
                "game id `{game_id}` is not an NHL game id (digits such as 2024021015)"
            )));
        }
        let endpoint = match ctx.option("detail") {
            None | Some("") => "play-by-play",
            Some(e) if DETAIL_ENDPOINTS.contains(&e) => e,
            Some(other) => {
                return Err(AdapterError::Unsupported(format!(
                    "option `detail` = `{other}` is not one of {}",
                    DETAIL_ENDPOINTS.join(", ")
                )));
            }
        };
        Ok(Request::get(format!(
            "{BASE}/gamecenter/{game_id}/{endpoint}"
        )))
    }

    fn parse_game_detail(
        ctx: &CallContext,
        game_id: &str,
        body: &[u8],
    ) -> Result<DetailResult, AdapterError> {
        check_league(ctx)?;
        detail::parse(&ctx.league, game_id, body)
    }
}

scoreline_plugin_sdk::export_adapter!(Nhl);

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> CallContext {
        CallContext::new("nhl", 0)
    }

    #[test]
    fn info() {
        let info = Nhl::info();
        assert_eq!(info.name, "nhl");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(info.leagues, vec!["nhl".to_owned()]);
        assert_eq!(info.hosts, vec!["api-web.nhle.com".to_owned()]);
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
    fn requests() {
        let r =
            Nhl::schedule_request(&ctx(), Date::new(2025, 10, 7), Date::new(2025, 10, 13)).unwrap();
        assert_eq!(r.url, "https://api-web.nhle.com/v1/schedule/2025-10-07");
        assert!(r.headers.is_empty());
        let r = Nhl::scoreboard_request(&ctx(), Date::new(2023, 11, 10)).unwrap();
        assert_eq!(r.url, "https://api-web.nhle.com/v1/score/2023-11-10");
        let r = Nhl::game_detail_request(&ctx(), "2024021015").unwrap();
        assert_eq!(
            r.url,
            "https://api-web.nhle.com/v1/gamecenter/2024021015/play-by-play"
        );
        let landing = ctx().with_option("detail", "landing");
        let r = Nhl::game_detail_request(&landing, "2023020206").unwrap();
        assert_eq!(
            r.url,
            "https://api-web.nhle.com/v1/gamecenter/2023020206/landing"
        );
        for bad in ["", "20240/21015", "abc", "2024021015?x=1"] {
            let err = Nhl::game_detail_request(&ctx(), bad).unwrap_err();
            assert!(
                matches!(err, AdapterError::Unsupported(ref m) if m.contains(bad)),
                "{bad}"
            );
        }
        let err =
            Nhl::game_detail_request(&ctx().with_option("detail", "boxscore"), "1").unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(ref m) if m.contains("boxscore")));
        let err = Nhl::scoreboard_request(&CallContext::new("ahl", 0), Date::new(2025, 1, 1))
            .unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(ref m) if m.contains("`ahl`")));
    }

    #[test]
    fn civil_days() {
        assert_eq!(days(Date::new(1970, 1, 1)), 0);
        assert_eq!(days(Date::new(2000, 3, 1)), 11_017);
        assert_eq!(
            days(Date::new(2025, 10, 13)) - days(Date::new(2025, 10, 7)),
            6
        );
        assert_eq!(
            days(Date::new(2024, 3, 1)) - days(Date::new(2024, 2, 28)),
            2
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            full_name(Some("Sidney"), Some("Crosby")).as_deref(),
            Some("Sidney Crosby")
        );
        assert_eq!(full_name(None, Some("Crosby")).as_deref(), Some("Crosby"));
        assert_eq!(full_name(None, None), None);
    }
}
