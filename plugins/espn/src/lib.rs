//! Scoreline adapter for ESPN's site API: the `Adapter` impl, the league map and request plans.
//!
//! One component serves the NFL, NBA, WNBA, NHL, MLB, college football and basketball, and every
//! ESPN soccer league code (`eng.1`, `usa.1`, `uefa.champions`, `fifa.world`, ...):
//! - scoreboard and schedule: `/apis/site/v2/sports/{sport}/{league}/scoreboard?dates=...`
//!   (`src/scoreboard.rs`);
//! - game detail: `/apis/site/v2/sports/{sport}/{league}/summary?event=ID` (`src/summary/`).
//!
//! Native callers (tests, benchmarks) use [`Espn`] through [`scoreline_plugin_sdk::Adapter`].

mod game;
mod scoreboard;
mod status;
mod summary;
mod wire;

use scoreline_plugin_sdk::{
    Adapter, AdapterError, AdapterInfo, Cadence, CallContext, Date, DetailResult, GamesResult,
    Request, log, parse,
};

/// The ESPN adapter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Espn;

/// The host every request goes to.
pub const HOST: &str = "site.api.espn.com";

const BASE: &str = "https://site.api.espn.com/apis/site/v2/sports";

/// The plain league keys served; any ESPN soccer code (`*.*`) is served too.
pub const LEAGUES: &[&str] = &[
    "nfl",
    "college-football",
    "nba",
    "wnba",
    "mens-college-basketball",
    "womens-college-basketball",
    "nhl",
    "mlb",
];

/// Options with a known meaning, sent first and in this order; any other option follows, sorted
/// by name.
const KNOWN_OPTIONS: &[&str] = &["groups", "limit"];

/// A sport as ESPN's URL and Scoreline's `game.sport` name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sport {
    Football,
    Basketball,
    Hockey,
    Baseball,
    Soccer,
}

impl Sport {
    /// Lowercase name, the same in ESPN's path and in `game.sport`.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Sport::Football => "football",
            Sport::Basketball => "basketball",
            Sport::Hockey => "hockey",
            Sport::Baseball => "baseball",
            Sport::Soccer => "soccer",
        }
    }
}

/// A league key resolved to its sport. ESPN's league path segment is the key itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct League<'a> {
    pub(crate) key: &'a str,
    pub(crate) sport: Sport,
}

/// Resolve a league key: the plain keys of [`LEAGUES`], or a soccer code of lowercase letters,
/// digits, `-` and `_` in two or more dot-separated parts.
pub(crate) fn league(key: &str) -> Result<League<'_>, AdapterError> {
    let sport = match key {
        "nfl" | "college-football" => Sport::Football,
        "nba" | "wnba" | "mens-college-basketball" | "womens-college-basketball" => {
            Sport::Basketball
        }
        "nhl" => Sport::Hockey,
        "mlb" => Sport::Baseball,
        _ if is_soccer_code(key) => Sport::Soccer,
        _ => {
            return Err(AdapterError::Unsupported(format!(
                "league `{key}` is not served by the espn adapter (serves {} and soccer codes such as `eng.1`)",
                LEAGUES.join(", ")
            )));
        }
    };
    Ok(League { key, sport })
}

fn is_soccer_code(key: &str) -> bool {
    key.contains('.')
        && key.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

fn board_url(ctx: &CallContext, dates: &str) -> Result<String, AdapterError> {
    let league = league(&ctx.league)?;
    let mut url = format!(
        "{BASE}/{}/{}/scoreboard?dates={dates}",
        league.sport.as_str(),
        league.key
    );
    for (key, value) in ordered_options(&ctx.options) {
        url.push('&');
        url.push_str(&parse::query_escape(key));
        url.push('=');
        url.push_str(&parse::query_escape(value));
    }
    Ok(url)
}

/// The league's options as query parameters, in a stable order: `groups`, `limit`, then the
/// rest by name. `dates` is the adapter's own and is never taken from options; empty names and
/// values are skipped; a repeated name keeps its first value.
fn ordered_options(options: &[(String, String)]) -> Vec<(&str, &str)> {
    let mut out: Vec<(&str, &str)> = Vec::new();
    let usable = options.iter().filter(|(k, v)| {
        let keep = !k.is_empty() && !v.is_empty() && k != "dates";
        if k == "dates" {
            log::debug("option `dates` ignored: the adapter sets the dates itself");
        }
        keep
    });
    for (key, value) in usable {
        if !out.iter().any(|(k, _)| k == key) {
            out.push((key, value));
        }
    }
    let rank = |key: &str| {
        KNOWN_OPTIONS
            .iter()
            .position(|k| *k == key)
            .unwrap_or(KNOWN_OPTIONS.len())
    };
    out.sort_by(|a, b| rank(a.0).cmp(&rank(b.0)).then_with(|| a.0.cmp(b.0)));
    out
}

impl Adapter for Espn {
    fn info() -> AdapterInfo {
        let mut leagues: Vec<String> = LEAGUES.iter().map(|s| (*s).to_owned()).collect();
        // `*` matches one dot-free part: `*.*` serves `eng.1`, `*.*.*` codes like
        // `uefa.europa.conf`, `*.*.*.*` NCAA soccer (`usa.ncaa.m.1`, `usa.ncaa.w.1`).
        leagues.extend(["*.*", "*.*.*", "*.*.*.*"].map(str::to_owned));
        AdapterInfo {
            name: "espn".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            leagues,
            hosts: vec![HOST.into()],
            cadence: Cadence::STANDARD,
        }
    }

    fn schedule_request(
        ctx: &CallContext,
        first: Date,
        last: Date,
    ) -> Result<Request, AdapterError> {
        let dates = if first == last {
            parse::date_compact(first)
        } else {
            format!(
                "{}-{}",
                parse::date_compact(first),
                parse::date_compact(last)
            )
        };
        board_url(ctx, &dates).map(Request::get)
    }

    fn parse_schedule(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
        scoreboard::parse(&league(&ctx.league)?, body)
    }

    fn scoreboard_request(ctx: &CallContext, day: Date) -> Result<Request, AdapterError> {
        board_url(ctx, &parse::date_compact(day)).map(Request::get)
    }

    fn parse_scoreboard(ctx: &CallContext, body: &[u8]) -> Result<GamesResult, AdapterError> {
        scoreboard::parse(&league(&ctx.league)?, body)
    }

    fn game_detail_request(ctx: &CallContext, game_id: &str) -> Result<Request, AdapterError> {
        let league = league(&ctx.league)?;
        if game_id.is_empty() {
            return Err(AdapterError::Unsupported(
                "game detail needs a game id".to_owned(),
            ));
        }
        Ok(Request::get(format!(
            "{BASE}/{}/{}/summary?event={}",
            league.sport.as_str(),
            league.key,
            parse::query_escape(game_id)
        )))
    }

    fn parse_game_detail(
        ctx: &CallContext,
        game_id: &str,
        body: &[u8],
    ) -> Result<DetailResult, AdapterError> {
        summary::parse(&league(&ctx.league)?, game_id, body)
    }
}

scoreline_plugin_sdk::export_adapter!(Espn);

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(league: &str) -> CallContext {
        CallContext::new(league, 0)
    }

    #[test]
    fn league_map() {
        for (key, sport) in [
            ("nfl", "football"),
            ("college-football", "football"),
            ("nba", "basketball"),
            ("wnba", "basketball"),
            ("mens-college-basketball", "basketball"),
            ("womens-college-basketball", "basketball"),
            ("nhl", "hockey"),
            ("mlb", "baseball"),
            ("eng.1", "soccer"),
            ("uefa.champions", "soccer"),
            ("uefa.europa.conf", "soccer"),
            ("usa.ncaa.m.1", "soccer"),
        ] {
            assert_eq!(league(key).map(|l| l.sport.as_str()), Ok(sport), "{key}");
        }
        for key in ["xfl", "", ".", "eng.", "ENG.1", "eng.1/../x", "a b.c"] {
            let err = league(key).map(|l| l.key).unwrap_err();
            assert!(
                matches!(&err, AdapterError::Unsupported(m) if m.contains(&format!("`{key}`"))),
                "{key}: {err:?}"
            );
        }
    }

    #[test]
    fn info() {
        let info = Espn::info();
        assert_eq!(info.name, "espn");
        assert_eq!(info.hosts, vec!["site.api.espn.com".to_owned()]);
        assert!(info.leagues.iter().any(|l| l == "*.*"));
        assert!(info.leagues.iter().any(|l| l == "mens-college-basketball"));
        assert_eq!(info.cadence.live_secs, 10);
    }

    #[test]
    fn scoreboard_requests() {
        let day = Date::new(2022, 9, 17);
        let r = Espn::scoreboard_request(&ctx("nfl"), day).unwrap();
        assert_eq!(
            r.url,
            "https://site.api.espn.com/apis/site/v2/sports/football/nfl/scoreboard?dates=20220917"
        );
        assert!(r.headers.is_empty());
        let c = ctx("college-football")
            .with_option("zeta", "a b&c")
            .with_option("limit", "300")
            .with_option("dates", "19990101")
            .with_option("groups", "80")
            .with_option("calendar", "blacklist");
        let r = Espn::scoreboard_request(&c, day).unwrap();
        assert_eq!(
            r.url,
            "https://site.api.espn.com/apis/site/v2/sports/football/college-football/scoreboard\
             ?dates=20220917&groups=80&limit=300&calendar=blacklist&zeta=a%20b%26c"
        );
        let r = Espn::scoreboard_request(&ctx("usa.1"), day).unwrap();
        assert_eq!(
            r.url,
            "https://site.api.espn.com/apis/site/v2/sports/soccer/usa.1/scoreboard?dates=20220917"
        );
        let err = Espn::scoreboard_request(&ctx("xfl"), day).unwrap_err();
        assert!(matches!(err, AdapterError::Unsupported(m) if m.contains("`xfl`")));
    }

    #[test]
    fn schedule_and_detail_requests() {
        let c = ctx("mens-college-basketball").with_option("groups", "50");
        let r = Espn::schedule_request(&c, Date::new(2026, 3, 1), Date::new(2026, 3, 7)).unwrap();
        assert_eq!(
            r.url,
            "https://site.api.espn.com/apis/site/v2/sports/basketball/mens-college-basketball\
             /scoreboard?dates=20260301-20260307&groups=50"
        );
        let r = Espn::schedule_request(&c, Date::new(2026, 3, 1), Date::new(2026, 3, 1)).unwrap();
        assert!(r.url.contains("?dates=20260301&groups=50"), "{}", r.url);
        let r = Espn::game_detail_request(&ctx("nhl"), "401559489").unwrap();
        assert_eq!(
            r.url,
            "https://site.api.espn.com/apis/site/v2/sports/hockey/nhl/summary?event=401559489"
        );
        let r = Espn::game_detail_request(&ctx("fifa.world"), "7/6").unwrap();
        assert!(
            r.url.ends_with("/soccer/fifa.world/summary?event=7%2F6"),
            "{}",
            r.url
        );
        assert!(Espn::game_detail_request(&ctx("nhl"), "").is_err());
    }
}
