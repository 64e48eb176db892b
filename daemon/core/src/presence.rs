//! Games that vanish: a game in play that upstream's boards stop listing (a restarted emulator's
//! old slate, a real board dropping a postponed or moved game) is checked once through its own
//! detail after several rounds missing from boards that should list it; if that does not settle
//! it, it is unconfirmed and leaves the live views instead of showing as live for hours.
//!
//! Pure: each round's facts come in, what to do comes out.

use crate::cadence::sports_day;
use crate::model::{Game, GameStatus};
use chrono::NaiveDate;
use chrono_tz::Tz;

/// Rounds in a row a game in play may be missing from every board that should list it before
/// its detail is asked for.
pub const ROUNDS_BEFORE_CHECK: u32 = 3;

/// Whether a game is being listed, per game.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presence {
    /// Rounds in a row the boards that should list it did not.
    pub missing_rounds: u32,
    /// Its detail was asked for since it went missing.
    pub checked: bool,
    /// Neither the boards nor its detail confirmed it: out of the live views.
    pub unconfirmed: bool,
}

impl Presence {
    /// A round whose boards all answered: `listed` whether one of them listed the game,
    /// `expected` whether one of them should have (see [`expected`]).
    pub fn after_round(&mut self, listed: bool, expected: bool) {
        if listed {
            *self = Presence::default();
        } else if expected {
            self.missing_rounds = self.missing_rounds.saturating_add(1);
        }
    }

    /// A snapshot of the game was accepted (from a board or its detail): it is confirmed.
    pub fn confirmed(&mut self) {
        *self = Presence::default();
    }

    /// Whether its detail should be asked for now: missing long enough, not asked yet.
    pub fn check_due(&self) -> bool {
        !self.checked && !self.unconfirmed && self.missing_rounds >= ROUNDS_BEFORE_CHECK
    }

    /// The detail check is done; `settled` whether it left the game out of play (final,
    /// postponed, ...). Whether the game became unconfirmed by it.
    pub fn after_check(&mut self, settled: bool) -> bool {
        self.checked = true;
        if settled {
            *self = Presence::default();
            false
        } else {
            let newly = !self.unconfirmed;
            self.unconfirmed = true;
            newly
        }
    }
}

/// Live, in an intermission or delayed: what a board of its day lists.
pub fn in_play(status: GameStatus) -> bool {
    matches!(
        status,
        GameStatus::Live | GameStatus::Intermission | GameStatus::Delayed
    )
}

/// Whether a board of one of `days` should list `game` (its accepted snapshot): it is in play
/// and its sports day in `tz` is one of them (no start time: any board).
pub fn expected(game: &Game, days: &[NaiveDate], tz: Tz) -> bool {
    in_play(game.status)
        && game
            .start_time
            .is_none_or(|s| days.contains(&sports_day(s, tz)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Competitor;
    use chrono::{TimeZone, Utc};

    fn game(status: GameStatus, start: Option<chrono::DateTime<Utc>>) -> Game {
        let side = |id: &str| Competitor {
            id: id.into(),
            abbreviation: id.into(),
            name: id.into(),
            score: Some(1),
        };
        Game {
            start_time: start,
            ..Game::new("1", "nhl", "hockey", status, side("H"), side("A"))
        }
    }

    #[test]
    fn three_rounds_missing_then_one_check_then_unconfirmed() {
        let mut p = Presence::default();
        for _ in 0..2 {
            p.after_round(false, true);
            assert!(!p.check_due());
        }
        // Not expected (its day's board was not fetched): not counted.
        p.after_round(false, false);
        assert_eq!(p.missing_rounds, 2);
        p.after_round(false, true);
        assert!(p.check_due());
        assert!(p.after_check(false), "newly unconfirmed");
        assert!(!p.check_due(), "checked once");
        p.after_round(false, true);
        assert!(!p.check_due() && p.unconfirmed);
        assert!(!p.after_check(false), "already unconfirmed");
        // Listed again: confirmed, counting starts over.
        p.after_round(true, true);
        assert_eq!(p, Presence::default());
    }

    #[test]
    fn a_check_that_settles_the_game_confirms_it() {
        let mut p = Presence {
            missing_rounds: 5,
            ..Presence::default()
        };
        assert!(p.check_due());
        assert!(!p.after_check(true));
        assert_eq!(p, Presence::default());
        p.after_round(false, true);
        p.confirmed();
        assert_eq!(p, Presence::default());
    }

    #[test]
    fn only_games_in_play_on_a_fetched_day_are_expected() {
        let tz = chrono_tz::America::New_York;
        // 01:00 UTC on the 23rd is the evening of the 22nd in New York.
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).single();
        let nov22 = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        let nov23 = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap_or_default();
        assert!(expected(&game(GameStatus::Live, start), &[nov22], tz));
        assert!(!expected(&game(GameStatus::Live, start), &[nov23], tz));
        assert!(expected(
            &game(GameStatus::Intermission, None),
            &[nov23],
            tz
        ));
        for status in [
            GameStatus::Final,
            GameStatus::Scheduled,
            GameStatus::Postponed,
        ] {
            assert!(!expected(&game(status, start), &[nov22], tz), "{status}");
        }
    }
}
