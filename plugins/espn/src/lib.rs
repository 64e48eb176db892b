//! Scoreline adapter for ESPN's site API (skeleton).
use scoreline_plugin_sdk::{
    Adapter, AdapterError, AdapterInfo, Cadence, CallContext, Date, GamesResult, Request, parse,
};

/// The ESPN adapter.
pub struct Espn;

impl Adapter for Espn {
    fn info() -> AdapterInfo {
        AdapterInfo {
            name: "espn".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            leagues: vec!["nfl".into()],
            hosts: vec!["site.api.espn.com".into()],
            cadence: Cadence {
                idle_secs: 3600,
                pregame_secs: 60,
                live_secs: 10,
                settle_secs: 14400,
            },
        }
    }
    fn scoreboard_request(_ctx: &CallContext, day: Date) -> Result<Request, AdapterError> {
        Ok(Request::get(format!(
            "https://site.api.espn.com/x?dates={}",
            parse::date_compact(day)
        )))
    }
    fn parse_scoreboard(_ctx: &CallContext, _body: &[u8]) -> Result<GamesResult, AdapterError> {
        Ok(GamesResult {
            games: vec![],
            poll_hint_secs: None,
        })
    }
}
scoreline_plugin_sdk::export_adapter!(Espn);
