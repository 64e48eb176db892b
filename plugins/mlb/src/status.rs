//! MLB game states to Scoreline statuses, and the short status text.
//!
//! `detailedState` decides first where it is specific: `Postponed`, `Cancelled`, `Suspended...`,
//! `Completed Early...`/`Game Over`/`Final...`, any `...Delay...`, `Pre-Game`/`Warmup`. Otherwise
//! `abstractGameState`: `Preview` scheduled, `Live` live, `Final` final; then the one-letter
//! `codedGameState`. Note that upstream marks postponed and cancelled games `Final` in
//! `abstractGameState`.

use scoreline_plugin_sdk::GameStatus;
// Imported under another name: `inning_text`'s parameter `ordinal` would shadow it.
use scoreline_plugin_sdk::status::{StatusMap, ordinal as ordinal_of};

/// The status for a game's three state fields; `None` when none of them is known.
pub fn map(abstract_state: &str, detailed: &str, coded: &str) -> Option<GameStatus> {
    let d = detailed.trim().to_ascii_lowercase();
    if d.starts_with("postponed") {
        return Some(GameStatus::Postponed);
    }
    if d.starts_with("cancelled") || d.starts_with("canceled") {
        return Some(GameStatus::Cancelled);
    }
    if d.starts_with("suspended") {
        return Some(GameStatus::Suspended);
    }
    if d.starts_with("completed early") || d.starts_with("final") || d == "game over" {
        return Some(GameStatus::Final);
    }
    if d.contains("delay") {
        return Some(GameStatus::Delayed);
    }
    if d == "pre-game" || d == "pregame" || d == "warmup" {
        return Some(GameStatus::Pregame);
    }
    match abstract_state.trim().to_ascii_lowercase().as_str() {
        "preview" => return Some(GameStatus::Scheduled),
        "live" => return Some(GameStatus::Live),
        "final" => return Some(GameStatus::Final),
        _ => {}
    }
    Some(match coded.trim() {
        "S" => GameStatus::Scheduled,
        "P" => GameStatus::Pregame,
        "I" | "M" | "N" => GameStatus::Live,
        "F" | "O" => GameStatus::Final,
        "D" => GameStatus::Postponed,
        "C" => GameStatus::Cancelled,
        "T" | "U" => GameStatus::Suspended,
        _ => return None,
    })
}

/// The status map for one call. A game none of whose state fields is known reads as live when
/// it has a score, else scheduled, and is logged once per call.
pub fn statuses() -> StatusMap {
    StatusMap::new("mlb state (abstract / detailed / coded)")
}

/// The first pitch has been thrown: the score means something. A delay counts only once the
/// game is under way (`abstractGameState` `Live`), not a delayed start.
pub fn started(status: GameStatus, abstract_state: &str) -> bool {
    match status {
        GameStatus::Live | GameStatus::Intermission | GameStatus::Final | GameStatus::Suspended => {
            true
        }
        GameStatus::Delayed => abstract_state.eq_ignore_ascii_case("live"),
        _ => false,
    }
}

/// `gameType` as a season type label.
pub fn season_type(game_type: &str) -> String {
    match game_type {
        "R" => "regular".to_owned(),
        "S" | "E" => "preseason".to_owned(),
        "F" | "D" | "L" | "W" | "P" => "postseason".to_owned(),
        "A" => "all-star".to_owned(),
        other => other.to_owned(),
    }
}

/// `Top 5th`, `Mid 5th`, `Bot 5th`, `End 5th` from the linescore's state and ordinal.
pub fn inning_text(
    state: Option<&str>,
    ordinal: Option<&str>,
    inning: Option<u32>,
) -> Option<String> {
    let ordinal = match (ordinal, inning) {
        (Some(o), _) => o.to_owned(),
        (None, Some(n)) => ordinal_of(n),
        (None, None) => return None,
    };
    let state = match state.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("top") => "Top",
        Some("bottom") => "Bot",
        Some("middle") => "Mid",
        Some("end") => "End",
        _ => return Some(ordinal),
    };
    Some(format!("{state} {ordinal}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use GameStatus::*;

    #[test]
    fn states() {
        let cases = [
            ("Preview", "Scheduled", "S", Some(Scheduled)),
            ("Preview", "Pre-Game", "P", Some(Pregame)),
            ("Preview", "Warmup", "P", Some(Pregame)),
            ("Live", "Warmup", "P", Some(Pregame)),
            ("Preview", "Delayed Start: Rain", "P", Some(Delayed)),
            ("Live", "In Progress", "I", Some(Live)),
            ("Live", "Manager challenge", "I", Some(Live)),
            ("Live", "Delayed: Rain", "I", Some(Delayed)),
            ("Live", "Rain Delay", "I", Some(Delayed)),
            ("Final", "Final", "F", Some(Final)),
            ("Final", "Game Over", "O", Some(Final)),
            ("Final", "Final: Tied", "F", Some(Final)),
            ("Final", "Completed Early: Rain", "F", Some(Final)),
            ("Final", "Completed Early", "F", Some(Final)),
            // Postponed and cancelled games are `Final` in abstractGameState.
            ("Final", "Postponed", "D", Some(Postponed)),
            ("Final", "Cancelled", "C", Some(Cancelled)),
            ("Live", "Suspended: Rain", "T", Some(Suspended)),
            ("Final", "Suspended", "U", Some(Suspended)),
            // Unknown detailed text: the abstract state decides, then the code.
            ("Live", "Something new", "I", Some(Live)),
            ("Other", "", "D", Some(Postponed)),
            ("Other", "", "I", Some(Live)),
            ("", "", "", None),
            ("Other", "Something new", "Z", None),
        ];
        for (abstract_state, detailed, coded, want) in cases {
            assert_eq!(
                map(abstract_state, detailed, coded),
                want,
                "{abstract_state} / {detailed} / {coded}"
            );
        }
        assert_eq!(map("Other", "Something new", "Q"), None);
    }

    #[test]
    fn started_games() {
        assert!(started(Live, "Live"));
        assert!(started(Final, "Final"));
        assert!(started(Suspended, "Live"));
        assert!(started(Delayed, "Live"));
        assert!(!started(Delayed, "Preview"));
        assert!(!started(Pregame, "Preview"));
        assert!(!started(Postponed, "Final"));
        assert!(!started(Cancelled, "Final"));
    }

    #[test]
    fn labels() {
        assert_eq!(season_type("R"), "regular");
        assert_eq!(season_type("S"), "preseason");
        assert_eq!(season_type("W"), "postseason");
        assert_eq!(season_type("A"), "all-star");
        assert_eq!(season_type("X"), "X");
        assert_eq!(
            inning_text(Some("Top"), Some("5th"), Some(5)).as_deref(),
            Some("Top 5th")
        );
        assert_eq!(
            inning_text(Some("Bottom"), None, Some(11)).as_deref(),
            Some("Bot 11th")
        );
        assert_eq!(
            inning_text(Some("Middle"), Some("7th"), None).as_deref(),
            Some("Mid 7th")
        );
        assert_eq!(
            inning_text(Some("End"), None, Some(2)).as_deref(),
            Some("End 2nd")
        );
        assert_eq!(inning_text(None, None, Some(1)).as_deref(), Some("1st"));
        assert_eq!(inning_text(Some("Top"), None, None), None);
        assert_eq!(ordinal_of(13), "13th");
        assert_eq!(ordinal_of(23), "23rd");
    }
}
