//! Upstream status names to [`GameStatus`]: your adapter's table of known names first, then a
//! fallback for a name it has never seen, logged once per name per call and never an error.
//!
//! Upstream APIs add status names without notice. A game whose name is unknown should still be
//! stored with the nearest status, and the operator should hear about it once, not on every row:
//!
//! ```
//! use scoreline_plugin_sdk::status::StatusMap;
//! use scoreline_plugin_sdk::GameStatus;
//!
//! fn known(name: &str) -> Option<GameStatus> {
//!     match name {
//!         "SCHEDULED" => Some(GameStatus::Scheduled),
//!         "IN_PLAY" => Some(GameStatus::Live),
//!         "FULL_TIME" => Some(GameStatus::Final),
//!         _ => None,
//!     }
//! }
//!
//! let mut statuses = StatusMap::new("demo status");
//! assert_eq!(statuses.map("IN_PLAY", known, false, false), GameStatus::Live);
//! // Unknown: under way (a score, a clock) but not over, so live; logged once.
//! assert_eq!(statuses.map("AWARDED", known, true, false), GameStatus::Live);
//! assert_eq!(statuses.unknown_names(), vec!["AWARDED"]);
//! ```
//!
//! For the short status text, [`ordinal`] writes a period or inning number as `1st`, `2nd`, ...

use crate::{GameStatus, log};
use std::collections::BTreeSet;

/// The status for a game whose upstream name is unknown, from what the body does say: final
/// once it is over (an outcome, a `post` state), live once it is under way (a score, an `in`
/// state), otherwise scheduled.
pub fn fallback(started: bool, finished: bool) -> GameStatus {
    if finished {
        GameStatus::Final
    } else if started {
        GameStatus::Live
    } else {
        GameStatus::Scheduled
    }
}

/// `n` as an English ordinal, the way period and inning labels write it: `1st`, `2nd`, `3rd`,
/// `4th`, `11th`, `12th`, `13th`, `21st`, `22nd`, `23rd`.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// Maps status names for one call, remembering the unknown names it has already logged.
///
/// Make one per parse: each call runs in a fresh sandbox, so it warns once per name per call, and
/// the host logs a warning that an adapter version repeats for a league at debug level.
#[derive(Debug)]
pub struct StatusMap {
    field: &'static str,
    unknown: BTreeSet<String>,
}

impl StatusMap {
    /// A map whose log lines name the upstream field, e.g. `"espn status name"`.
    pub fn new(field: &'static str) -> Self {
        StatusMap {
            field,
            unknown: BTreeSet::new(),
        }
    }

    /// `known(name)` when it knows the name; otherwise [`fallback`]`(started, finished)`, with a
    /// warning the first time this call meets `name`.
    pub fn map(
        &mut self,
        name: &str,
        known: impl FnOnce(&str) -> Option<GameStatus>,
        started: bool,
        finished: bool,
    ) -> GameStatus {
        if let Some(status) = known(name) {
            return status;
        }
        let status = fallback(started, finished);
        if self.unknown.insert(name.to_owned()) {
            log::warn(&format!(
                "unknown {} `{name}`: treated as {}",
                self.field,
                status.as_str()
            ));
        }
        status
    }

    /// The unknown names met so far, in order.
    pub fn unknown_names(&self) -> Vec<&str> {
        self.unknown.iter().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(name: &str) -> Option<GameStatus> {
        (name == "FINAL").then_some(GameStatus::Final)
    }

    #[test]
    fn the_fallback_reads_what_the_body_says() {
        assert_eq!(fallback(false, false), GameStatus::Scheduled);
        assert_eq!(fallback(true, false), GameStatus::Live);
        assert_eq!(fallback(true, true), GameStatus::Final);
        assert_eq!(fallback(false, true), GameStatus::Final);
    }

    #[test]
    fn known_names_win_and_unknown_names_are_remembered_once() {
        let mut map = StatusMap::new("test state");
        assert_eq!(map.map("FINAL", known, false, false), GameStatus::Final);
        assert!(map.unknown_names().is_empty());
        assert_eq!(map.map("ODD", known, true, false), GameStatus::Live);
        assert_eq!(map.map("ODD", known, true, true), GameStatus::Final);
        assert_eq!(map.map("NEW", known, false, false), GameStatus::Scheduled);
        assert_eq!(map.unknown_names(), vec!["NEW", "ODD"]);
    }

    #[test]
    fn ordinals() {
        let written: Vec<String> = [0, 1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            written,
            [
                "0th", "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th", "112th"
            ]
        );
    }
}
