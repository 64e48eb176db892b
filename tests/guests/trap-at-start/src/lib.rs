//! An adapter that traps at start: its `info()` panics, so the host's load (which calls `info()`
//! right after instantiating) fails. The hot-swap soak test offers it as a new version of `espn`
//! and expects it refused while the old version keeps serving. No other export is ever reached.
#![allow(clippy::panic)]

use scoreline_plugin_sdk::{
    Adapter, AdapterError, AdapterInfo, CallContext, Date, GamesResult, Request,
};

/// The adapter that never starts.
pub struct TrapAtStart;

impl Adapter for TrapAtStart {
    fn info() -> AdapterInfo {
        panic!("trap-at-start guest panics in info() on purpose")
    }

    fn scoreboard_request(_ctx: &CallContext, day: Date) -> Result<Request, AdapterError> {
        Ok(Request::get(format!(
            "https://site.api.espn.com/unreachable/{day}"
        )))
    }

    fn parse_scoreboard(_ctx: &CallContext, _body: &[u8]) -> Result<GamesResult, AdapterError> {
        Err(AdapterError::Parse("never reached".into()))
    }
}

scoreline_plugin_sdk::export_adapter!(TrapAtStart);
