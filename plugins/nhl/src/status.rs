//! NHL game states to Scoreline statuses, period labels and the short status text.
//!
//! `gameState`: `FUT` scheduled, `PRE` pregame, `LIVE`/`CRIT` live (intermission when
//! `clock.inIntermission`), `FINAL`/`OFF` final. `gameScheduleState` `PPD`/`CNCL`/`SUSP` override
//! a not-yet-live state with postponed, cancelled or suspended. Overtime and shootout are flags on
//! the game, never statuses.

use scoreline_plugin_sdk::GameStatus;
use scoreline_plugin_sdk::status::{StatusMap, ordinal};

/// A period type as upstream names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodType {
    /// Regulation.
    Regulation,
    /// Overtime.
    Overtime,
    /// Shootout.
    Shootout,
}

impl PeriodType {
    /// `REG`, `OT`, `SO` (case-insensitive); `None` for anything else.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "REG" => Some(PeriodType::Regulation),
            "OT" => Some(PeriodType::Overtime),
            "SO" => Some(PeriodType::Shootout),
            _ => None,
        }
    }

    /// The period type of period `number` when upstream did not say: past the regulation
    /// periods is overtime, and period 5 outside the playoffs is the shootout.
    pub fn infer(number: u32, regulation: u32, playoffs: bool) -> Self {
        if number <= regulation {
            PeriodType::Regulation
        } else if !playoffs && number == regulation + 2 {
            PeriodType::Shootout
        } else {
            PeriodType::Overtime
        }
    }

    /// Upstream's code.
    pub fn code(self) -> &'static str {
        match self {
            PeriodType::Regulation => "REG",
            PeriodType::Overtime => "OT",
            PeriodType::Shootout => "SO",
        }
    }
}

/// The status for `gameState` and `gameScheduleState`; `None` when `gameState` is unknown.
pub fn map(
    game_state: &str,
    schedule_state: Option<&str>,
    in_intermission: bool,
) -> Option<GameStatus> {
    let state = game_state.trim().to_ascii_uppercase();
    let in_play = matches!(state.as_str(), "LIVE" | "CRIT");
    // A schedule state other than OK wins unless the game is being played right now (a
    // suspended game that has resumed is live).
    if !in_play {
        match schedule_state
            .map(|s| s.trim().to_ascii_uppercase())
            .as_deref()
        {
            Some("PPD") => return Some(GameStatus::Postponed),
            Some("CNCL" | "CANC" | "CNL") => return Some(GameStatus::Cancelled),
            Some("SUSP") => return Some(GameStatus::Suspended),
            _ => {}
        }
    }
    Some(match state.as_str() {
        "FUT" => GameStatus::Scheduled,
        "PRE" => GameStatus::Pregame,
        "LIVE" | "CRIT" if in_intermission => GameStatus::Intermission,
        "LIVE" | "CRIT" => GameStatus::Live,
        "FINAL" | "OFF" => GameStatus::Final,
        "PPD" => GameStatus::Postponed,
        "CNCL" | "CANC" => GameStatus::Cancelled,
        "SUSP" => GameStatus::Suspended,
        _ => return None,
    })
}

/// The status map for one call. An unknown `gameState` reads as final when upstream recorded an
/// outcome, live when there is a score, otherwise scheduled, and is logged once per call.
pub fn statuses() -> StatusMap {
    StatusMap::new("nhl gameState")
}

/// The game has started: it has a period, and its score means something.
pub fn started(status: GameStatus) -> bool {
    matches!(
        status,
        GameStatus::Live
            | GameStatus::Intermission
            | GameStatus::Final
            | GameStatus::Suspended
            | GameStatus::Delayed
    )
}

/// A period as a broadcast names it: `1st`, `2nd`, `3rd`, `OT`, `2OT`, `SO`.
pub fn period_label(number: u32, kind: PeriodType, regulation: u32) -> String {
    match kind {
        PeriodType::Shootout => "SO".to_owned(),
        PeriodType::Overtime => match number.saturating_sub(regulation) {
            0 | 1 => "OT".to_owned(),
            n => format!("{n}OT"),
        },
        PeriodType::Regulation => ordinal(number),
    }
}

/// What a finished game's text says: `Final`, `Final/OT`, `Final/2OT`, `Final/SO`.
pub fn final_text(last: Option<PeriodType>, overtime_periods: u32) -> String {
    match last {
        Some(PeriodType::Shootout) => "Final/SO".to_owned(),
        Some(PeriodType::Overtime) if overtime_periods > 1 => format!("Final/{overtime_periods}OT"),
        Some(PeriodType::Overtime) => "Final/OT".to_owned(),
        _ => "Final".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use GameStatus::*;

    #[test]
    fn game_states() {
        let cases = [
            ("FUT", Some("OK"), false, Some(Scheduled)),
            ("PRE", Some("OK"), false, Some(Pregame)),
            ("LIVE", Some("OK"), false, Some(Live)),
            ("CRIT", None, false, Some(Live)),
            ("LIVE", Some("OK"), true, Some(Intermission)),
            ("CRIT", Some("OK"), true, Some(Intermission)),
            ("FINAL", Some("OK"), false, Some(Final)),
            ("OFF", Some("OK"), false, Some(Final)),
            ("off", Some("ok"), false, Some(Final)),
            ("FUT", Some("PPD"), false, Some(Postponed)),
            ("FUT", Some("CNCL"), false, Some(Cancelled)),
            ("OFF", Some("SUSP"), false, Some(Suspended)),
            ("FUT", Some("SUSP"), false, Some(Suspended)),
            // A suspended game being resumed is live.
            ("LIVE", Some("SUSP"), false, Some(Live)),
            ("PPD", None, false, Some(Postponed)),
            ("FUT", Some("TBD"), false, Some(Scheduled)),
            ("WHATEVER", Some("OK"), false, None),
            ("", None, false, None),
        ];
        for (state, schedule, intermission, want) in cases {
            assert_eq!(
                map(state, schedule, intermission),
                want,
                "{state} {schedule:?}"
            );
        }
    }

    #[test]
    fn unknown_states_fall_back_and_are_remembered_once() {
        let mut s = statuses();
        let known = |state: &str| map(state, None, false);
        assert_eq!(s.map("LIVE", known, false, false), Live);
        assert_eq!(s.map("NEWTHING", known, true, true), Final);
        assert_eq!(s.map("NEWTHING", known, true, false), Live);
        assert_eq!(s.map("NEWTHING", known, false, false), Scheduled);
        assert_eq!(s.unknown_names(), vec!["NEWTHING"]);
    }

    #[test]
    fn period_labels_and_final_text() {
        assert_eq!(period_label(1, PeriodType::Regulation, 3), "1st");
        assert_eq!(period_label(2, PeriodType::Regulation, 3), "2nd");
        assert_eq!(period_label(3, PeriodType::Regulation, 3), "3rd");
        assert_eq!(period_label(4, PeriodType::Overtime, 3), "OT");
        assert_eq!(period_label(6, PeriodType::Overtime, 3), "3OT");
        assert_eq!(period_label(5, PeriodType::Shootout, 3), "SO");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(21), "21st");
        assert_eq!(final_text(Some(PeriodType::Regulation), 0), "Final");
        assert_eq!(final_text(None, 0), "Final");
        assert_eq!(final_text(Some(PeriodType::Overtime), 1), "Final/OT");
        assert_eq!(final_text(Some(PeriodType::Overtime), 2), "Final/2OT");
        assert_eq!(final_text(Some(PeriodType::Shootout), 1), "Final/SO");
        assert_eq!(PeriodType::parse(" so "), Some(PeriodType::Shootout));
        assert_eq!(PeriodType::parse("X"), None);
        assert_eq!(PeriodType::infer(3, 3, false), PeriodType::Regulation);
        assert_eq!(PeriodType::infer(4, 3, false), PeriodType::Overtime);
        assert_eq!(PeriodType::infer(5, 3, false), PeriodType::Shootout);
        assert_eq!(PeriodType::infer(5, 3, true), PeriodType::Overtime);
    }
}
