//! Goal strength from the NHL's four-digit `situationCode`: away goalie in net (1/0), away
//! skaters, home skaters, home goalie in net (1/0). `1541` is five away skaters against four home
//! skaters, both goalies in.
//!
//! Strength compares the sides' skaters *after discounting the extra attacker* that replaces a
//! pulled goalie, i.e. skaters plus goalie in net: a goal at `1560` (home goalie pulled for a
//! sixth skater) is an even-strength empty-net goal, as the NHL itself scores it (`strength: "ev"`,
//! `goalModifier: "empty-net"` on `landing`), not a short-handed one. The goal is empty-net when
//! the defending side's goalie was not in net.

use scoreline_plugin_sdk::Side;

/// Who was on the ice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Situation {
    /// The away goalie was in net.
    pub away_goalie: bool,
    /// Away skaters on the ice.
    pub away_skaters: u32,
    /// Home skaters on the ice.
    pub home_skaters: u32,
    /// The home goalie was in net.
    pub home_goalie: bool,
}

/// A goal's strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Equal numbers (extra attackers for a pulled goalie do not count).
    Even,
    /// The scoring side had more players.
    PowerPlay,
    /// The scoring side had fewer players.
    ShortHanded,
    /// One shooter alone against a goalie outside the shootout.
    PenaltyShot,
}

impl Strength {
    /// Scoreline's name, as in the `strength` detail.
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Even => "even",
            Strength::PowerPlay => "power-play",
            Strength::ShortHanded => "short-handed",
            Strength::PenaltyShot => "penalty-shot",
        }
    }

    /// Upstream's own label on `landing` (`ev`, `pp`, `sh`), for goals without a situation code.
    pub fn from_label(label: &str) -> Option<Self> {
        match label.trim().to_ascii_lowercase().as_str() {
            "ev" | "even" | "even-strength" => Some(Strength::Even),
            "pp" | "power-play" | "powerplay" => Some(Strength::PowerPlay),
            "sh" | "short-handed" | "shorthanded" => Some(Strength::ShortHanded),
            "ps" | "penalty-shot" => Some(Strength::PenaltyShot),
            _ => None,
        }
    }
}

impl Situation {
    /// Read a situation code; `None` unless it is exactly four digits with goalie flags of 0 or 1.
    pub fn parse(code: &str) -> Option<Self> {
        let b = code.trim().as_bytes();
        let [g_away, s_away, s_home, g_home] = b else {
            return None;
        };
        let digit = |c: &u8| c.is_ascii_digit().then(|| u32::from(c - b'0'));
        let flag = |c: &u8| match c {
            b'0' => Some(false),
            b'1' => Some(true),
            _ => None,
        };
        Some(Situation {
            away_goalie: flag(g_away)?,
            away_skaters: digit(s_away)?,
            home_skaters: digit(s_home)?,
            home_goalie: flag(g_home)?,
        })
    }

    /// The strength of a goal by `scorer`, and whether the net it went into was empty.
    pub fn goal(&self, scorer: Side) -> (Strength, bool) {
        let away = self.away_skaters + u32::from(self.away_goalie);
        let home = self.home_skaters + u32::from(self.home_goalie);
        let (attack, defend, defending_goalie) = match scorer {
            Side::Away => (away, home, self.home_goalie),
            Side::Home => (home, away, self.away_goalie),
        };
        let strength = if self.away_skaters + self.home_skaters == 1 {
            Strength::PenaltyShot
        } else if attack > defend {
            Strength::PowerPlay
        } else if attack < defend {
            Strength::ShortHanded
        } else {
            Strength::Even
        };
        (strength, !defending_goalie)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Strength::*;

    fn goal(code: &str, side: Side) -> (Strength, bool) {
        Situation::parse(code).unwrap().goal(side)
    }

    #[test]
    fn situation_codes() {
        assert_eq!(
            Situation::parse("1541"),
            Some(Situation {
                away_goalie: true,
                away_skaters: 5,
                home_skaters: 4,
                home_goalie: true
            })
        );
        for bad in ["", "151", "15511", "2551", "15a1", "1552"] {
            assert_eq!(Situation::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn strength_by_side() {
        // Even strength, 5 on 5, 4 on 4, 3 on 3 (overtime).
        assert_eq!(goal("1551", Side::Home), (Even, false));
        assert_eq!(goal("1551", Side::Away), (Even, false));
        assert_eq!(goal("1441", Side::Away), (Even, false));
        assert_eq!(goal("1331", Side::Home), (Even, false));
        // Five away skaters against four: away power play, home short-handed.
        assert_eq!(goal("1541", Side::Away), (PowerPlay, false));
        assert_eq!(goal("1541", Side::Home), (ShortHanded, false));
        assert_eq!(goal("1451", Side::Home), (PowerPlay, false));
        assert_eq!(goal("1351", Side::Home), (PowerPlay, false));
        assert_eq!(goal("1431", Side::Away), (PowerPlay, false));
        // Home goalie pulled for a sixth skater: an away goal is even-strength into an empty net
        // (Crosby, 2024021015), a home goal is even strength with the extra attacker.
        assert_eq!(goal("1560", Side::Away), (Even, true));
        assert_eq!(goal("1560", Side::Home), (Even, false));
        assert_eq!(goal("0651", Side::Away), (Even, false));
        assert_eq!(goal("0651", Side::Home), (Even, true));
        // A power play with the goalie pulled on top: still a power play.
        assert_eq!(goal("0641", Side::Away), (PowerPlay, false));
        // Short-handed into the empty net of a team on the power play with its goalie pulled.
        assert_eq!(goal("1460", Side::Away), (ShortHanded, true));
        // Penalty shots: one shooter against the goalie.
        assert_eq!(goal("0101", Side::Away), (PenaltyShot, false));
        assert_eq!(goal("1010", Side::Home), (PenaltyShot, false));
    }

    #[test]
    fn names_and_labels() {
        assert_eq!(Even.as_str(), "even");
        assert_eq!(PowerPlay.as_str(), "power-play");
        assert_eq!(ShortHanded.as_str(), "short-handed");
        assert_eq!(PenaltyShot.as_str(), "penalty-shot");
        assert_eq!(Strength::from_label("ev"), Some(Even));
        assert_eq!(Strength::from_label("PP"), Some(PowerPlay));
        assert_eq!(Strength::from_label("sh"), Some(ShortHanded));
        assert_eq!(Strength::from_label("?"), None);
    }
}
