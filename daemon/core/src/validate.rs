//! Snapshot validation before anything is stored: impossible values are rejected, and suspicious
//! changes (a score going backwards, a reset to 0-0, a final or live game flipping back) are held
//! until the next poll confirms them, so a one-poll glitch never becomes data.
//!
//! Pure: the previous accepted snapshot and the held one come in, a verdict goes out.

use crate::model::{Game, GameStatus};

/// What to do with a new snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Store it.
    Accept,
    /// Store it: it confirms a snapshot held on the previous poll.
    Confirmed,
    /// Keep it aside until the next poll says the same.
    Hold(String),
    /// Never store it.
    Reject(String),
}

/// The highest period a sport can reach (overtimes and extra innings included), if bounded.
fn max_period(sport: &str) -> Option<u32> {
    match sport {
        "football" | "basketball" => Some(12),
        "hockey" => Some(12),
        "soccer" => Some(5),
        "baseball" => Some(40),
        _ => None,
    }
}

fn in_play(status: GameStatus) -> bool {
    matches!(
        status,
        GameStatus::Live | GameStatus::Intermission | GameStatus::Delayed
    )
}

fn scores(g: &Game) -> (Option<u32>, Option<u32>) {
    (g.home.score, g.away.score)
}

/// Judge `next` against the last accepted snapshot of the same game and any snapshot held back
/// on the previous poll.
pub fn judge(previous: Option<&Game>, held: Option<&Game>, next: &Game) -> Verdict {
    if let (Some(max), Some(p)) = (max_period(&next.sport), next.period)
        && p > max
    {
        return Verdict::Reject(format!(
            "period {p} is beyond the {} maximum of {max}",
            next.sport
        ));
    }
    if let (Some(h), Some(a)) = scores(next) {
        // u32 cannot be negative; an absurd score is the same kind of corruption.
        if h > 1_000 || a > 1_000 {
            return Verdict::Reject(format!("score {h}-{a} is not plausible"));
        }
    }
    let Some(prev) = previous else {
        return Verdict::Accept;
    };
    let suspicion = suspicious(prev, next);
    match suspicion {
        None => Verdict::Accept,
        Some(reason) => {
            let confirmed = held.is_some_and(|h| {
                scores(h) == scores(next) && h.status == next.status && h.period == next.period
            });
            if confirmed {
                Verdict::Confirmed
            } else {
                Verdict::Hold(reason)
            }
        }
    }
}

fn suspicious(prev: &Game, next: &Game) -> Option<String> {
    let (ph, pa) = (prev.home.score.unwrap_or(0), prev.away.score.unwrap_or(0));
    let (nh, na) = (next.home.score.unwrap_or(0), next.away.score.unwrap_or(0));
    let had_points = ph + pa > 0;
    if had_points && nh == 0 && na == 0 && next.status != GameStatus::Scheduled {
        return Some(format!("score reset from {ph}-{pa} to 0-0"));
    }
    if nh < ph || na < pa {
        return Some(format!("score went backwards from {ph}-{pa} to {nh}-{na}"));
    }
    if prev.status == GameStatus::Final && next.status != GameStatus::Final {
        return Some(format!("final game reported as {}", next.status));
    }
    if in_play(prev.status) && matches!(next.status, GameStatus::Scheduled | GameStatus::Pregame) {
        return Some(format!("{} game reported as {}", prev.status, next.status));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Competitor;

    fn game(status: GameStatus, period: Option<u32>, home: u32, away: u32) -> Game {
        let side = |id: &str, s| Competitor {
            id: id.into(),
            abbreviation: id.into(),
            name: id.into(),
            score: Some(s),
        };
        Game {
            period,
            ..Game::new(
                "1",
                "nhl",
                "hockey",
                status,
                side("H", home),
                side("A", away),
            )
        }
    }

    #[test]
    fn table() {
        use GameStatus::*;
        let live21 = game(Live, Some(2), 2, 1);
        // (name, previous, held, next, verdict)
        type Case = (&'static str, Option<Game>, Option<Game>, Game, Verdict);
        let cases: Vec<Case> = vec![
            ("first sight", None, None, live21.clone(), Verdict::Accept),
            (
                "goal",
                Some(live21.clone()),
                None,
                game(Live, Some(2), 3, 1),
                Verdict::Accept,
            ),
            (
                "clock only",
                Some(live21.clone()),
                None,
                game(Live, Some(2), 2, 1),
                Verdict::Accept,
            ),
            (
                "0-0 reset",
                Some(live21.clone()),
                None,
                game(Live, Some(2), 0, 0),
                Verdict::Hold("score reset from 2-1 to 0-0".into()),
            ),
            (
                "0-0 confirmed",
                Some(live21.clone()),
                Some(game(Live, Some(2), 0, 0)),
                game(Live, Some(2), 0, 0),
                Verdict::Confirmed,
            ),
            (
                "backwards",
                Some(live21.clone()),
                None,
                game(Live, Some(2), 1, 1),
                Verdict::Hold("score went backwards from 2-1 to 1-1".into()),
            ),
            (
                "backwards confirmed",
                Some(live21.clone()),
                Some(game(Live, Some(2), 1, 1)),
                game(Live, Some(2), 1, 1),
                Verdict::Confirmed,
            ),
            (
                "held differs",
                Some(live21.clone()),
                Some(game(Live, Some(2), 0, 0)),
                game(Live, Some(2), 1, 1),
                Verdict::Hold("score went backwards from 2-1 to 1-1".into()),
            ),
            (
                "final flips",
                Some(game(Final, Some(3), 2, 1)),
                None,
                game(Live, Some(3), 2, 1),
                Verdict::Hold("final game reported as live".into()),
            ),
            (
                "live to scheduled",
                Some(live21.clone()),
                None,
                game(Scheduled, None, 2, 1),
                Verdict::Hold("live game reported as scheduled".into()),
            ),
            (
                "period beyond",
                None,
                None,
                game(Live, Some(13), 0, 0),
                Verdict::Reject("period 13 is beyond the hockey maximum of 12".into()),
            ),
            (
                "absurd score",
                None,
                None,
                game(Live, Some(1), 5000, 0),
                Verdict::Reject("score 5000-0 is not plausible".into()),
            ),
        ];
        for (name, prev, held, next, want) in cases {
            assert_eq!(judge(prev.as_ref(), held.as_ref(), &next), want, "{name}");
        }
    }
}
