//! ESPN status names to Scoreline's `game-status`, and the overtime / extra-time / shootout flags.

use crate::{League, Sport};
use scoreline_plugin_sdk::GameStatus;
use scoreline_plugin_sdk::status::StatusMap;

/// The status map for one call, whose warnings name ESPN's field.
pub fn statuses() -> StatusMap {
    StatusMap::new("espn status name")
}

/// The mapping of a known ESPN status name; `None` for a name this adapter does not know.
pub fn known(name: &str) -> Option<GameStatus> {
    Some(match name {
        "STATUS_SCHEDULED" => GameStatus::Scheduled,
        "STATUS_IN_PROGRESS" | "STATUS_FIRST_HALF" | "STATUS_SECOND_HALF" | "STATUS_OVERTIME"
        | "STATUS_SHOOTOUT" => GameStatus::Live,
        "STATUS_HALFTIME" | "STATUS_END_PERIOD" => GameStatus::Intermission,
        "STATUS_RAIN_DELAY" | "STATUS_DELAYED" => GameStatus::Delayed,
        "STATUS_FINAL" | "STATUS_FULL_TIME" | "STATUS_FINAL_OT" | "STATUS_FINAL_AET"
        | "STATUS_FINAL_PEN" => GameStatus::Final,
        "STATUS_POSTPONED" => GameStatus::Postponed,
        "STATUS_CANCELED" => GameStatus::Cancelled,
        "STATUS_SUSPENDED" => GameStatus::Suspended,
        _ => return None,
    })
}

/// The status for `status.type.name` and `status.type.state`. An unknown name maps by its state
/// (`pre` scheduled, `in` live, `post` final; scheduled when the state is unknown too) and is
/// logged once per name per call; it never fails the parse.
pub fn map(name: Option<&str>, state: Option<&str>, statuses: &mut StatusMap) -> GameStatus {
    let started = matches!(state, Some("in" | "post"));
    let finished = state == Some("post");
    statuses.map(name.unwrap_or("<none>"), known, started, finished)
}

/// The game has not started: before the first whistle the score, period and clock are unset.
/// True for state `pre`, for scheduled/pregame statuses, and for a postponed or cancelled game
/// that never reached a period.
pub fn not_started(status: GameStatus, state: Option<&str>, period: Option<u32>) -> bool {
    state == Some("pre")
        || matches!(status, GameStatus::Scheduled | GameStatus::Pregame)
        || (matches!(status, GameStatus::Postponed | GameStatus::Cancelled)
            && period.unwrap_or(0) == 0)
}

/// The game's overtime, extra-time and shootout flags.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flags {
    pub overtime: bool,
    pub extra_time: bool,
    pub shootout: bool,
}

/// What the flags are decided from.
#[derive(Debug, Clone, Copy)]
pub struct FlagInput<'a> {
    pub name: Option<&'a str>,
    pub period: Option<u32>,
    /// `status.type.shortDetail` / `detail` (`Final/OT`, `Final/SO`).
    pub detail: &'a str,
    /// ESPN's numeric season type (3 = postseason).
    pub season_type: Option<u32>,
    /// A competitor carries a `shootoutScore` (soccer).
    pub shootout_scores: bool,
}

/// Periods in regulation: quarters, halves, periods or innings.
pub fn regulation_periods(league: &League) -> u32 {
    match league.sport {
        Sport::Football => 4,
        Sport::Basketball if league.key == "mens-college-basketball" => 2,
        Sport::Basketball => 4,
        Sport::Hockey => 3,
        Sport::Baseball => 9,
        Sport::Soccer => 2,
    }
}

/// The flags for a game of `league`.
///
/// - Overtime: `STATUS_OVERTIME`/`STATUS_FINAL_OT`, a detail reading `OT`, or a period beyond
///   regulation (football and basketball 4, men's college basketball 2 halves, hockey 3, baseball
///   9 innings: extra innings). Never set for soccer, whose flag is `extra_time`.
/// - Extra time (soccer only): `STATUS_OVERTIME`, `STATUS_FINAL_AET`, `STATUS_FINAL_PEN`,
///   `STATUS_SHOOTOUT` or a period beyond 2.
/// - Shootout: `STATUS_SHOOTOUT`, `STATUS_FINAL_PEN`, a detail reading `SO`, soccer
///   `shootoutScore`s or period 5, hockey period 5 outside the postseason (playoff overtime
///   periods are not a shootout).
pub fn flags(league: &League, input: FlagInput<'_>) -> Flags {
    let name = input.name.unwrap_or("");
    let period = input.period.unwrap_or(0);
    let detail_words = || {
        input
            .detail
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(str::to_ascii_uppercase)
            .collect::<Vec<_>>()
    };
    // `OT`, `2OT`, `SO`: the word itself, optionally after a count.
    let detail_has = |word: &str| {
        detail_words().iter().any(|w| {
            w.strip_suffix(word)
                .is_some_and(|count| count.bytes().all(|b| b.is_ascii_digit()))
        })
    };
    let beyond = period > regulation_periods(league);
    match league.sport {
        Sport::Soccer => Flags {
            overtime: false,
            extra_time: beyond
                || matches!(
                    name,
                    "STATUS_OVERTIME" | "STATUS_FINAL_AET" | "STATUS_FINAL_PEN" | "STATUS_SHOOTOUT"
                ),
            shootout: input.shootout_scores
                || period >= 5
                || matches!(name, "STATUS_FINAL_PEN" | "STATUS_SHOOTOUT"),
        },
        Sport::Hockey => {
            let shootout = name == "STATUS_SHOOTOUT"
                || detail_has("SO")
                || (period >= 5 && input.season_type != Some(3));
            Flags {
                overtime: shootout
                    || beyond
                    || matches!(name, "STATUS_OVERTIME" | "STATUS_FINAL_OT")
                    || detail_has("OT"),
                extra_time: false,
                shootout,
            }
        }
        Sport::Football | Sport::Basketball | Sport::Baseball => Flags {
            overtime: beyond
                || matches!(name, "STATUS_OVERTIME" | "STATUS_FINAL_OT")
                || detail_has("OT"),
            extra_time: false,
            shootout: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::league;

    #[test]
    fn known_names() {
        let mut w = statuses();
        for (name, status) in [
            ("STATUS_SCHEDULED", GameStatus::Scheduled),
            ("STATUS_FIRST_HALF", GameStatus::Live),
            ("STATUS_SHOOTOUT", GameStatus::Live),
            ("STATUS_END_PERIOD", GameStatus::Intermission),
            ("STATUS_RAIN_DELAY", GameStatus::Delayed),
            ("STATUS_FINAL_PEN", GameStatus::Final),
            ("STATUS_POSTPONED", GameStatus::Postponed),
            ("STATUS_CANCELED", GameStatus::Cancelled),
            ("STATUS_SUSPENDED", GameStatus::Suspended),
        ] {
            assert_eq!(map(Some(name), Some("post"), &mut w), status, "{name}");
        }
        assert!(w.unknown_names().is_empty());
    }

    #[test]
    fn unknown_names_fall_back_by_state_and_warn_once() {
        let mut w = statuses();
        assert_eq!(
            map(Some("STATUS_WEIRD"), Some("in"), &mut w),
            GameStatus::Live
        );
        assert_eq!(
            map(Some("STATUS_WEIRD"), Some("post"), &mut w),
            GameStatus::Final
        );
        assert_eq!(
            map(Some("STATUS_ODD"), Some("pre"), &mut w),
            GameStatus::Scheduled
        );
        assert_eq!(map(None, None, &mut w), GameStatus::Scheduled);
        assert_eq!(
            w.unknown_names(),
            vec!["<none>", "STATUS_ODD", "STATUS_WEIRD"]
        );
    }

    #[test]
    fn flags_per_sport() {
        let input = |name, period, detail| FlagInput {
            name: Some(name),
            period: Some(period),
            detail,
            season_type: Some(2),
            shootout_scores: false,
        };
        let nhl = league("nhl").unwrap();
        let f = flags(&nhl, input("STATUS_FINAL", 4, "Final/OT"));
        assert!(f.overtime && !f.shootout);
        let f = flags(&nhl, input("STATUS_FINAL", 5, "Final/SO"));
        assert!(f.overtime && f.shootout);
        let playoff = FlagInput {
            season_type: Some(3),
            ..input("STATUS_IN_PROGRESS", 5, "12:00 - 2nd OT")
        };
        assert!(!flags(&nhl, playoff).shootout);
        let ncaab = league("mens-college-basketball").unwrap();
        assert!(flags(&ncaab, input("STATUS_IN_PROGRESS", 3, "4:00 - OT")).overtime);
        assert!(!flags(&ncaab, input("STATUS_IN_PROGRESS", 2, "4:00 - 2nd")).overtime);
        let nfl = league("nfl").unwrap();
        assert!(!flags(&nfl, input("STATUS_FINAL", 4, "Final")).overtime);
        assert!(flags(&nfl, input("STATUS_FINAL_OT", 5, "Final/OT")).overtime);
        assert!(flags(&nfl, input("STATUS_FINAL", 4, "Final/2OT")).overtime);
        assert!(!flags(&nfl, input("STATUS_FINAL", 4, "Final - SHOT")).overtime);
        let soccer = league("fifa.world").unwrap();
        let f = flags(&soccer, input("STATUS_FINAL_PEN", 5, "FT-Pens"));
        assert!(f.extra_time && f.shootout && !f.overtime);
        let f = flags(&soccer, input("STATUS_FINAL_AET", 4, "AET"));
        assert!(f.extra_time && !f.shootout);
        let f = flags(&soccer, input("STATUS_FULL_TIME", 2, "FT"));
        assert_eq!(f, Flags::default());
    }
}
