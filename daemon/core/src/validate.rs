//! Snapshot validation before anything is stored: impossible values are rejected, a snapshot
//! behind the accepted one in the game's own progress is a stale copy and is dropped however
//! often it repeats, and suspicious changes (a score going backwards, a reset to 0-0) are held
//! until the next poll confirms them, so a one-poll glitch never becomes data.
//!
//! Pure: the previous accepted snapshot, the held one and the bodies' times come in, a verdict
//! goes out.

use crate::model::{Game, GameStatus};
use chrono::{DateTime, Utc};
use std::cmp::Ordering;

/// What to do with a new snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Store it.
    Accept,
    /// Store it: it confirms a snapshot held on the previous poll.
    Confirmed,
    /// Keep it aside until the next poll says the same.
    Hold(String),
    /// Drop it: an older copy of the game than the accepted one (a CDN edge serving an old
    /// body), however many polls repeat it.
    Stale(String),
    /// Never store it.
    Reject(String),
}

/// When the bodies behind two snapshots were made upstream (`Last-Modified`, else `Date`
/// minus `Age`), where the responses said.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BodyTimes {
    /// The body the accepted snapshot came from.
    pub accepted: Option<DateTime<Utc>>,
    /// The body the new snapshot came from.
    pub next: Option<DateTime<Utc>>,
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

fn scores(g: &Game) -> (Option<u32>, Option<u32>) {
    (g.home.score, g.away.score)
}

/// Judge `next` against the last accepted snapshot of the same game and any snapshot held back
/// on the previous poll; `times` says when each body was made, where known.
pub fn judge(
    previous: Option<&Game>,
    held: Option<&Game>,
    next: &Game,
    times: BodyTimes,
) -> Verdict {
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
    if let Some(reason) = stale(prev, next, times) {
        return Verdict::Stale(reason);
    }
    match suspicious(prev, next) {
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

/// Why `next` is an older copy of the game than `accepted`, if it is: behind in the game's
/// progress, or made upstream before the body the accepted snapshot came from.
pub fn stale(accepted: &Game, next: &Game, times: BodyTimes) -> Option<String> {
    if let (Some(a), Some(n)) = (times.accepted, times.next)
        && n < a
    {
        return Some(format!(
            "body made at {} is older than the accepted one's ({})",
            n.to_rfc3339(),
            a.to_rfc3339()
        ));
    }
    behind(accepted, next)
}

/// Where a status stands in a game's life: scheduled, pregame, in play (live, intermission,
/// delayed), final. Postponed, cancelled and suspended games can go either way: no rank.
fn status_rank(s: GameStatus) -> Option<u8> {
    match s {
        GameStatus::Scheduled => Some(0),
        GameStatus::Pregame => Some(1),
        GameStatus::Live | GameStatus::Intermission | GameStatus::Delayed => Some(2),
        GameStatus::Final => Some(3),
        GameStatus::Postponed | GameStatus::Cancelled | GameStatus::Suspended => None,
    }
}

/// Whether the game clock runs down (football, basketball, hockey), up (soccer), or is not a
/// measure of progress (baseball, unknown sports).
fn clock_direction(sport: &str) -> Option<Ordering> {
    match sport {
        "football" | "basketball" | "hockey" => Some(Ordering::Less),
        "soccer" => Some(Ordering::Greater),
        _ => None,
    }
}

/// A baseball half inning's place in the inning (`inning_state` where the adapter has it, else
/// `inning_half`): top, middle, bottom, end.
fn half_rank(g: &Game) -> Option<u8> {
    let half = g
        .details
        .get("inning_state")
        .or_else(|| g.details.get("inning_half"))?;
    match half.as_str() {
        "top" => Some(0),
        "middle" => Some(1),
        "bottom" => Some(2),
        "end" => Some(3),
        _ => None,
    }
}

fn outs(g: &Game) -> Option<u32> {
    g.details.get("outs").and_then(|o| o.parse().ok())
}

/// Why `next` is behind `accepted` in the game's own progress, if it is: an earlier status
/// rank; in play, an earlier period; in the same period, an earlier half inning or fewer outs
/// (baseball), live play after the period's break, or a clock that has not got as far (both
/// snapshots live: an intermission's clock may count the break). What either snapshot does not
/// say is not compared.
pub fn behind(accepted: &Game, next: &Game) -> Option<String> {
    let (Some(ar), Some(nr)) = (status_rank(accepted.status), status_rank(next.status)) else {
        return None;
    };
    match nr.cmp(&ar) {
        Ordering::Less => {
            return Some(format!(
                "{} game reported as {}",
                accepted.status, next.status
            ));
        }
        Ordering::Greater => return None,
        Ordering::Equal if nr != 2 => return None,
        Ordering::Equal => {}
    }
    if let (Some(ap), Some(np)) = (accepted.period, next.period) {
        match np.cmp(&ap) {
            Ordering::Less => return Some(format!("period {np} is behind period {ap}")),
            Ordering::Greater => return None,
            Ordering::Equal => {}
        }
    }
    if next.sport == "baseball" {
        if let (Some(ah), Some(nh)) = (half_rank(accepted), half_rank(next)) {
            match nh.cmp(&ah) {
                Ordering::Less => return Some("an earlier half inning".into()),
                Ordering::Greater => return None,
                Ordering::Equal => {}
            }
            if let (Some(ao), Some(no)) = (outs(accepted), outs(next))
                && no < ao
            {
                return Some(format!("{no} out(s) after {ao} in the same half inning"));
            }
        }
        return None;
    }
    // A break in period N (the end of the 1st, half time) comes after every live moment of N.
    if accepted.status == GameStatus::Intermission
        && next.status == GameStatus::Live
        && accepted.period.is_some()
        && accepted.period == next.period
    {
        return Some(format!(
            "live in period {} after its break",
            next.period.unwrap_or_default()
        ));
    }
    let both_live = accepted.status == GameStatus::Live && next.status == GameStatus::Live;
    if let (true, Some(forward), Some(ac), Some(nc)) = (
        both_live,
        clock_direction(&next.sport),
        accepted.clock_seconds,
        next.clock_seconds,
    ) && nc != ac
        && nc.cmp(&ac) != forward
    {
        let show = |s: u32| format!("{}:{:02}", s / 60, s % 60);
        return Some(format!(
            "clock {} is behind {} in the same period",
            show(nc),
            show(ac)
        ));
    }
    None
}

/// A change that may be a one-poll glitch: held until the next poll repeats it.
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
    // A final game turning postponed, suspended or cancelled (no rank to call it stale by).
    if prev.status == GameStatus::Final && next.status != GameStatus::Final {
        return Some(format!("final game reported as {}", next.status));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Competitor;

    fn game(status: GameStatus, period: Option<u32>, home: u32, away: u32) -> Game {
        sport_game("hockey", status, period, None, home, away)
    }

    fn sport_game(
        sport: &str,
        status: GameStatus,
        period: Option<u32>,
        clock: Option<u32>,
        home: u32,
        away: u32,
    ) -> Game {
        let side = |id: &str, s| Competitor {
            id: id.into(),
            abbreviation: id.into(),
            name: id.into(),
            score: Some(s),
        };
        Game {
            period,
            clock_seconds: clock,
            ..Game::new("1", "l", sport, status, side("H", home), side("A", away))
        }
    }

    fn baseball(inning: u32, state: &str, outs: u32, home: u32, away: u32) -> Game {
        let mut g = sport_game("baseball", GameStatus::Live, Some(inning), None, home, away);
        g.details.insert("inning_state".into(), state.into());
        g.details.insert("outs".into(), outs.to_string());
        g
    }

    fn stale(reason: &str) -> Verdict {
        Verdict::Stale(reason.into())
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
                "final flips back to live: stale",
                Some(game(Final, Some(3), 2, 1)),
                None,
                game(Live, Some(3), 2, 1),
                stale("final game reported as live"),
            ),
            (
                "final flips back, repeated: still stale",
                Some(game(Final, Some(3), 2, 1)),
                Some(game(Live, Some(3), 2, 1)),
                game(Live, Some(3), 2, 1),
                stale("final game reported as live"),
            ),
            (
                "final to suspended: held",
                Some(game(Final, Some(3), 2, 1)),
                None,
                game(Suspended, Some(3), 2, 1),
                Verdict::Hold("final game reported as suspended".into()),
            ),
            (
                "live to scheduled: stale",
                Some(live21.clone()),
                None,
                game(Scheduled, None, 2, 1),
                stale("live game reported as scheduled"),
            ),
            (
                "intermission to pregame: stale",
                Some(game(Intermission, Some(1), 0, 0)),
                None,
                game(Pregame, None, 0, 0),
                stale("intermission game reported as pregame"),
            ),
            (
                "earlier period with the old score: stale",
                Some(live21.clone()),
                Some(game(Live, Some(1), 1, 1)),
                game(Live, Some(1), 1, 1),
                stale("period 1 is behind period 2"),
            ),
            (
                "scheduled to live",
                Some(game(Scheduled, None, 0, 0)),
                None,
                game(Live, Some(1), 0, 0),
                Verdict::Accept,
            ),
            (
                "postponed to scheduled (rescheduled)",
                Some(game(Postponed, None, 0, 0)),
                None,
                game(Scheduled, None, 0, 0),
                Verdict::Accept,
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
            assert_eq!(
                judge(prev.as_ref(), held.as_ref(), &next, BodyTimes::default()),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn clocks_run_down_in_hockey_football_basketball_and_up_in_soccer() {
        use GameStatus::Live;
        for sport in ["hockey", "football", "basketball"] {
            let accepted = sport_game(sport, Live, Some(2), Some(600), 1, 0);
            // 0-0 with more time left: the copy from before the goal.
            let old = sport_game(sport, Live, Some(2), Some(700), 0, 0);
            assert_eq!(
                judge(Some(&accepted), Some(&old), &old, BodyTimes::default()),
                stale("clock 11:40 is behind 10:00 in the same period"),
                "{sport}"
            );
            // Less time left and the goal gone: a correction, held then confirmed.
            let corrected = sport_game(sport, Live, Some(2), Some(500), 0, 0);
            assert!(
                matches!(
                    judge(Some(&accepted), None, &corrected, BodyTimes::default()),
                    Verdict::Hold(_)
                ),
                "{sport}"
            );
            assert_eq!(
                judge(
                    Some(&accepted),
                    Some(&corrected),
                    &corrected,
                    BodyTimes::default()
                ),
                Verdict::Confirmed,
                "{sport}"
            );
        }
        let accepted = sport_game("soccer", Live, Some(1), Some(1800), 1, 0);
        let old = sport_game("soccer", Live, Some(1), Some(1700), 0, 0);
        assert_eq!(
            judge(Some(&accepted), Some(&old), &old, BodyTimes::default()),
            stale("clock 28:20 is behind 30:00 in the same period")
        );
        let later = sport_game("soccer", Live, Some(1), Some(1900), 1, 1);
        assert_eq!(
            judge(Some(&accepted), None, &later, BodyTimes::default()),
            Verdict::Accept
        );
    }

    #[test]
    fn an_intermission_clock_is_not_compared_but_the_break_ends_the_period() {
        use GameStatus::*;
        // The NHL counts the intermission down on the game clock.
        let live = sport_game("hockey", Live, Some(1), Some(5), 1, 0);
        let break_ = sport_game("hockey", Intermission, Some(1), Some(1080), 1, 0);
        assert_eq!(
            judge(Some(&live), None, &break_, BodyTimes::default()),
            Verdict::Accept
        );
        // Live in the period after its break: a copy from before the break (the chaos soak's
        // end-of-1st, then 6:20 left in the 1st with a goal fewer).
        let before = sport_game("hockey", Live, Some(1), Some(380), 0, 0);
        assert_eq!(
            judge(Some(&break_), Some(&before), &before, BodyTimes::default()),
            stale("live in period 1 after its break")
        );
        for sport in ["football", "soccer", "basketball"] {
            let ht = sport_game(sport, Intermission, Some(1), None, 0, 3);
            let copy = sport_game(sport, Live, Some(1), Some(600), 0, 2);
            assert_eq!(
                judge(Some(&ht), Some(&copy), &copy, BodyTimes::default()),
                stale("live in period 1 after its break"),
                "{sport}"
            );
        }
        // The next period after the break is ahead.
        let second = sport_game("hockey", Live, Some(2), Some(1200), 1, 0);
        assert_eq!(
            judge(Some(&break_), None, &second, BodyTimes::default()),
            Verdict::Accept
        );
        // A delay is not a break: play resumes in the same period.
        let delayed = sport_game("hockey", Delayed, Some(1), Some(300), 1, 0);
        let resumed = sport_game("hockey", Live, Some(1), Some(300), 1, 0);
        assert_eq!(
            judge(Some(&delayed), None, &resumed, BodyTimes::default()),
            Verdict::Accept
        );
    }

    #[test]
    fn baseball_progresses_by_inning_half_and_outs() {
        let accepted = baseball(5, "bottom", 2, 3, 2);
        for (next, want) in [
            (
                baseball(5, "top", 2, 2, 2),
                Some(stale("an earlier half inning")),
            ),
            (
                baseball(5, "bottom", 1, 2, 2),
                Some(stale("1 out(s) after 2 in the same half inning")),
            ),
            (
                baseball(4, "end", 3, 2, 2),
                Some(stale("period 4 is behind period 5")),
            ),
            (baseball(5, "bottom", 2, 4, 2), Some(Verdict::Accept)),
            (baseball(5, "end", 3, 3, 2), Some(Verdict::Accept)),
            (baseball(6, "top", 0, 3, 2), Some(Verdict::Accept)),
            // Same half, same outs, a run taken off: a correction, held.
            (baseball(5, "bottom", 2, 2, 2), None),
        ] {
            let got = judge(Some(&accepted), None, &next, BodyTimes::default());
            match want {
                Some(want) => assert_eq!(got, want, "{:?}", next.details),
                None => assert!(matches!(got, Verdict::Hold(_)), "{got:?}"),
            }
        }
        // The MLB adapter's `inning_half` alone (no `inning_state`).
        let mut top = sport_game("baseball", GameStatus::Live, Some(7), None, 1, 1);
        top.details.insert("inning_half".into(), "bottom".into());
        let mut earlier = top.clone();
        earlier.details.insert("inning_half".into(), "top".into());
        assert_eq!(
            judge(Some(&top), None, &earlier, BodyTimes::default()),
            stale("an earlier half inning")
        );
    }

    #[test]
    fn a_body_made_before_the_accepted_one_is_stale() {
        use GameStatus::Live;
        let t = |s: &str| s.parse::<DateTime<Utc>>().ok();
        let accepted = game(Live, Some(2), 2, 1);
        // Same progress (no clock), one goal fewer: a correction by the game, but the body is
        // older than the accepted one.
        let older = game(Live, Some(2), 1, 1);
        let times = BodyTimes {
            accepted: t("2026-12-04T20:00:10Z"),
            next: t("2026-12-04T20:00:05Z"),
        };
        assert_eq!(
            judge(Some(&accepted), Some(&older), &older, times),
            stale(
                "body made at 2026-12-04T20:00:05+00:00 is older than the accepted one's \
                 (2026-12-04T20:00:10+00:00)"
            )
        );
        // Newer or unknown: judged by the game alone.
        for times in [
            BodyTimes {
                accepted: t("2026-12-04T20:00:10Z"),
                next: t("2026-12-04T20:00:10Z"),
            },
            BodyTimes {
                accepted: None,
                next: t("2026-12-04T20:00:05Z"),
            },
        ] {
            assert_eq!(
                judge(Some(&accepted), Some(&older), &older, times),
                Verdict::Confirmed
            );
        }
    }
}
