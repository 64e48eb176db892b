//! Finding scoring plays in noisy play-by-play feeds: a play scores when a side's score first rises
//! above the highest value it has shown so far.
//!
//! Upstream flags and row order alone are not enough. ESPN's rows can repeat an older score after
//! a newer one, baseball feeds flag every pitch of a scoring at-bat, and corrections reorder rows.
//! [`ScoreTracker`] reads the running score off each row in game order and reports only the rows
//! where a side reached a new high, with the points gained and the score after.

use crate::model::Side;

/// One side reaching a new high.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rise {
    /// The side whose score rose.
    pub side: Side,
    /// Points gained over that side's previous high.
    pub points: u32,
    /// Home score after the play (the highest each side has shown).
    pub home_score: u32,
    /// Away score after the play.
    pub away_score: u32,
}

/// Running highs of both sides through a game's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreTracker {
    home: u32,
    away: u32,
}

impl ScoreTracker {
    /// Start at 0-0.
    pub fn new() -> Self {
        Self::default()
    }

    /// The highs so far as (home, away).
    pub fn score(&self) -> (u32, u32) {
        (self.home, self.away)
    }

    /// Read one row's running score. Returns the rises it shows: none for a row that repeats or
    /// lags the highs, one normally, two in the rare row where both sides moved.
    pub fn observe(&mut self, home: u32, away: u32) -> Vec<Rise> {
        let mut rises = Vec::new();
        let home_gain = home.saturating_sub(self.home);
        let away_gain = away.saturating_sub(self.away);
        self.home = self.home.max(home);
        self.away = self.away.max(away);
        for (side, points) in [(Side::Home, home_gain), (Side::Away, away_gain)] {
            if points > 0 {
                rises.push(Rise {
                    side,
                    points,
                    home_score: self.home,
                    away_score: self.away,
                });
            }
        }
        rises
    }

    /// Record `points` for `side` directly (feeds that list goals without a running score, such
    /// as soccer key events). Returns the rise with the score after it.
    pub fn add(&mut self, side: Side, points: u32) -> Rise {
        match side {
            Side::Home => self.home = self.home.saturating_add(points),
            Side::Away => self.away = self.away.saturating_add(points),
        }
        Rise {
            side,
            points,
            home_score: self.home,
            away_score: self.away,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_highs_score() {
        let mut t = ScoreTracker::new();
        assert!(t.observe(0, 0).is_empty());
        assert_eq!(
            t.observe(7, 0),
            vec![Rise {
                side: Side::Home,
                points: 7,
                home_score: 7,
                away_score: 0
            }]
        );
        // A later row repeating an older score, then the same score again: no play.
        assert!(t.observe(6, 0).is_empty());
        assert!(t.observe(7, 0).is_empty());
        // A stale home score beside a new away high keeps the home high.
        assert_eq!(
            t.observe(0, 3),
            vec![Rise {
                side: Side::Away,
                points: 3,
                home_score: 7,
                away_score: 3
            }]
        );
        assert_eq!(t.observe(9, 5).len(), 2);
        assert_eq!(t.score(), (9, 5));
        assert_eq!(
            t.add(Side::Away, 1),
            Rise {
                side: Side::Away,
                points: 1,
                home_score: 9,
                away_score: 6
            }
        );
    }
}
