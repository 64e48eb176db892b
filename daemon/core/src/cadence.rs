//! The per-league cadence state machine: from the games a league's adapter reported and the time,
//! decide the phase (idle, pre-game, live, settle), when to poll next, and which sports days to
//! ask for. Pure: time and games come in, a decision goes out.

use crate::model::GameStatus;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeSet;

/// How long after its scheduled start a game that never went live is still watched.
const LATE_START_GRACE: Duration = Duration::hours(6);
/// How long after its start a game still reported in play keeps the league live (a game that
/// vanished from upstream while live must not pin the live cadence forever).
const LIVE_STALE: Duration = Duration::hours(12);
/// How long after its start an unfinished game's sports day is still fetched.
const UNFINISHED_WATCH: Duration = Duration::hours(18);

/// Where a league stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// No game soon: refresh the schedule now and then.
    Idle,
    /// A game starts within the pre-game window (or should have started and is not live yet).
    Pregame,
    /// A game is in play.
    Live,
    /// Only a settle fetch after a final is pending.
    Settle,
}

/// Resolved poll intervals for one league.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cadence {
    /// Schedule refresh when idle.
    pub idle: Duration,
    /// Poll interval in the pre-game window.
    pub pregame: Duration,
    /// Poll interval while a game is live.
    pub live: Duration,
    /// Delay after a game's start for its one settle fetch.
    pub settle: Duration,
    /// How long before a start the pre-game phase begins.
    pub pregame_window: Duration,
}

/// What the planner needs to know of one game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GameView {
    /// Upstream id.
    pub id: String,
    /// Latest status.
    pub status: GameStatus,
    /// Scheduled start.
    pub start: Option<DateTime<Utc>>,
    /// The settle fetch has been done.
    pub settled: bool,
}

/// The planner's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The phase now.
    pub phase: Phase,
    /// When to poll next.
    pub next_at: DateTime<Utc>,
    /// Sports days whose scoreboard to fetch, oldest first.
    pub days: Vec<NaiveDate>,
    /// Final games whose settle fetch is due now.
    pub settle_due: Vec<String>,
}

fn in_play(s: GameStatus) -> bool {
    matches!(
        s,
        GameStatus::Live | GameStatus::Intermission | GameStatus::Delayed
    )
}

fn not_started(s: GameStatus) -> bool {
    matches!(s, GameStatus::Scheduled | GameStatus::Pregame)
}

/// The sports day `at` falls on in `tz`.
pub fn sports_day(at: DateTime<Utc>, tz: Tz) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// Decide the phase, the next poll time and the days to fetch for a league at `now`.
pub fn plan(games: &[GameView], now: DateTime<Utc>, tz: Tz, cadence: &Cadence) -> Decision {
    let mut days = BTreeSet::from([sports_day(now, tz)]);
    let mut live = false;
    let mut pregame = false;
    let mut next_start: Option<DateTime<Utc>> = None;
    let mut next_settle: Option<DateTime<Utc>> = None;
    let mut settle_due = Vec::new();

    for g in games {
        let start = g.start;
        if in_play(g.status) && start.is_none_or(|s| now - s <= LIVE_STALE) {
            live = true;
            if let Some(s) = start {
                days.insert(sports_day(s, tz));
            }
            continue;
        }
        if not_started(g.status) {
            if let Some(s) = start {
                let until = s - now;
                if until <= cadence.pregame_window && now - s <= LATE_START_GRACE {
                    pregame = true;
                    days.insert(sports_day(s, tz));
                } else if until > cadence.pregame_window {
                    next_start = Some(next_start.map_or(s, |n| n.min(s)));
                }
            }
            continue;
        }
        if g.status == GameStatus::Final && !g.settled {
            if let Some(s) = start {
                let due = s + cadence.settle;
                if due <= now {
                    settle_due.push(g.id.clone());
                    days.insert(sports_day(s, tz));
                } else {
                    next_settle = Some(next_settle.map_or(due, |n| n.min(due)));
                }
            }
        } else if !matches!(
            g.status,
            GameStatus::Final | GameStatus::Postponed | GameStatus::Cancelled
        ) {
            // Suspended and similar: keep its day in view for a while so a resumption is seen.
            if let Some(s) = start.filter(|s| now - *s <= UNFINISHED_WATCH) {
                days.insert(sports_day(s, tz));
            }
        }
    }

    let (phase, interval) = if live {
        (Phase::Live, cadence.live)
    } else if pregame {
        (Phase::Pregame, cadence.pregame)
    } else if !settle_due.is_empty() || next_settle.is_some() {
        (Phase::Settle, cadence.idle)
    } else {
        (Phase::Idle, cadence.idle)
    };
    let mut next_at = now + interval;
    if matches!(phase, Phase::Idle | Phase::Settle) {
        if let Some(s) = next_start {
            next_at = next_at.min(s - cadence.pregame_window);
        }
        if let Some(s) = next_settle {
            next_at = next_at.min(s);
        }
    }
    Decision {
        phase,
        next_at: next_at.max(now),
        days: days.into_iter().collect(),
        settle_due,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cadence() -> Cadence {
        Cadence {
            idle: Duration::minutes(60),
            pregame: Duration::seconds(60),
            live: Duration::seconds(10),
            settle: Duration::hours(4),
            pregame_window: Duration::minutes(30),
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, h, m, 0).unwrap()
    }

    fn game(status: GameStatus, start: DateTime<Utc>) -> GameView {
        GameView {
            id: "g".into(),
            status,
            start: Some(start),
            settled: false,
        }
    }

    #[test]
    fn a_game_day_walks_through_every_phase() {
        let tz = chrono_tz::America::New_York;
        let kick = at(18, 0);
        let c = cadence();
        // 15:00: kick-off in 3 h, so idle; wake at the pre-game window (17:30), not an hour later.
        let d = plan(&[game(GameStatus::Scheduled, kick)], at(15, 0), tz, &c);
        assert_eq!((d.phase, d.next_at), (Phase::Idle, at(16, 0)));
        let d = plan(&[game(GameStatus::Scheduled, kick)], at(17, 0), tz, &c);
        assert_eq!((d.phase, d.next_at), (Phase::Idle, at(17, 30)));
        // 17:30: inside the window, poll every 60 s.
        let d = plan(&[game(GameStatus::Scheduled, kick)], at(17, 30), tz, &c);
        assert_eq!((d.phase, d.next_at), (Phase::Pregame, at(17, 31)));
        // Past kick-off but not live yet: still pre-game cadence.
        let d = plan(&[game(GameStatus::Pregame, kick)], at(18, 2), tz, &c);
        assert_eq!(d.phase, Phase::Pregame);
        // Live: every 10 s.
        let d = plan(&[game(GameStatus::Live, kick)], at(18, 30), tz, &c);
        assert_eq!(
            (d.phase, d.next_at),
            (Phase::Live, at(18, 30) + Duration::seconds(10))
        );
        let d = plan(&[game(GameStatus::Intermission, kick)], at(19, 0), tz, &c);
        assert_eq!(d.phase, Phase::Live);
        // Final at 21:00: settle fetch due at start + 4 h = 22:00.
        let d = plan(&[game(GameStatus::Final, kick)], at(21, 0), tz, &c);
        assert_eq!((d.phase, d.next_at), (Phase::Settle, at(22, 0)));
        assert!(d.settle_due.is_empty());
        let d = plan(&[game(GameStatus::Final, kick)], at(22, 0), tz, &c);
        assert_eq!(d.settle_due, vec!["g".to_owned()]);
        // Settled: idle again, hourly.
        let settled = GameView {
            settled: true,
            ..game(GameStatus::Final, kick)
        };
        let d = plan(&[settled], at(22, 1), tz, &c);
        assert_eq!((d.phase, d.next_at), (Phase::Idle, at(23, 1)));
    }

    #[test]
    fn live_beats_pregame_beats_idle() {
        let tz = chrono_tz::UTC;
        let games = [
            game(GameStatus::Scheduled, at(23, 0)),
            game(GameStatus::Scheduled, at(20, 10)),
            game(GameStatus::Live, at(19, 0)),
        ];
        let d = plan(&games, at(20, 0), tz, &cadence());
        assert_eq!(d.phase, Phase::Live);
        let d = plan(&games[..2], at(20, 0), tz, &cadence());
        assert_eq!(d.phase, Phase::Pregame);
        let d = plan(&games[..1], at(20, 0), tz, &cadence());
        assert_eq!((d.phase, d.next_at), (Phase::Idle, at(21, 0)));
        let d = plan(&[], at(20, 0), tz, &cadence());
        assert_eq!((d.phase, d.next_at), (Phase::Idle, at(21, 0)));
        // A game still "live" 13 hours after its start vanished upstream: it no longer pins the
        // live cadence.
        let stale = [game(GameStatus::Live, at(7, 0))];
        let d = plan(&stale, at(20, 0), tz, &cadence());
        assert_eq!(d.phase, Phase::Idle);
    }

    #[test]
    fn a_west_coast_late_game_is_fetched_on_its_eastern_sports_day() {
        let tz = chrono_tz::America::New_York;
        // 22:30 Pacific on 21 November is 06:30 UTC on 22 November and 01:30 Eastern on the 22nd;
        // a 19:00 Pacific start is 03:00 UTC on the 22nd but 22:00 Eastern on the 21st.
        let start = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 5, 30, 0).unwrap(); // 00:30 Eastern, the 22nd
        let d = plan(&[game(GameStatus::Live, start)], now, tz, &cadence());
        let nov21 = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let nov22 = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(
            d.days,
            vec![nov21, nov22],
            "the live game's Eastern day is still fetched after midnight"
        );
        // Before midnight Eastern (but after midnight UTC) only the Eastern day is asked for.
        let d = plan(
            &[game(GameStatus::Scheduled, start)],
            start - Duration::minutes(10),
            tz,
            &cadence(),
        );
        assert_eq!(d.days, vec![nov21]);
        assert_eq!(d.phase, Phase::Pregame);
    }
}
