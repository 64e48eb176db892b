//! The daemon core end to end: league pollers driven by a `ManualClock` over the emulator and the
//! real ESPN component (cadence phases, upstream faults, 0-0 glitches, the US-Eastern sports day),
//! and the real binary killed with SIGKILL mid-run and restarted on the same store.

use crate::util;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use scoreline::config::{CadenceOverrides, Config, LeagueConfig, UpstreamConfig};
use scoreline::fetch::Fetcher;
use scoreline::poller::{LeaguePoller, StatusBoard};
use scoreline::sandbox::Adapter;
use scoreline_core::cadence::Phase;
use scoreline_core::clock::ManualClock;
use scoreline_core::events::EventFilter;
use scoreline_core::model::GameKey;
use scoreline_core::model::GameStatus;
use scoreline_emulator::EmulatorConfig;
use scoreline_emulator::slate::Phase as SlatePhase;
use scoreline_emulator::{Emulator, Fault, Game as SlateGame, state_at};
use scoreline_store::{Store, TimelineRow};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

pub(crate) const NY: Tz = chrono_tz::America::New_York;

/// The ESPN component, loaded once for the whole module.
pub(crate) fn adapter() -> Adapter {
    static ADAPTER: OnceLock<Adapter> = OnceLock::new();
    ADAPTER.get_or_init(|| util::load(&util::espn())).clone()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

pub(crate) fn td(s: i64) -> TimeDelta {
    TimeDelta::seconds(s)
}

/// 17:00 UTC (12:00 US-Eastern) on Sunday 22 November 2026.
pub(crate) fn anchor() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap()
}

/// An emulator slate of `game_secs`-long games kicking off every `stagger_secs`, no random faults.
pub(crate) fn emulator_config(game_secs: u64, stagger_secs: u64) -> EmulatorConfig {
    EmulatorConfig {
        updates: None,
        seed: 7,
        game_length: secs(game_secs),
        stagger: secs(stagger_secs),
        max_age: secs(5),
        error_rate: 0.0,
        timeout_rate: 0.0,
        malformed_rate: 0.0,
        glitch: false,
        drop_game: false,
        stale: false,
    }
}

/// The upstream policy of a small config file: ESPN's host goes to the emulator, no retries.
pub(crate) fn upstream(timeout_ms: u64) -> UpstreamConfig {
    let text = format!(
        "[emulator]\nenabled = true\n\
         [upstream]\ntimeout_ms = {timeout_ms}\nretries = 0\nrate_per_sec = 1000\n\
         [upstream.overrides]\n\"site.api.espn.com\" = \"emulator\"\n"
    );
    Config::parse(Path::new("daemon-test.toml"), &text, |_| None)
        .unwrap()
        .upstream
}

/// `key` on the ESPN adapter: idle 10 min, pre-game 60 s within 5 min of a start, live 10 s,
/// settle fetch 15 min after a start.
pub(crate) fn league(key: &str, timezone: Tz) -> LeagueConfig {
    LeagueConfig {
        key: key.to_owned(),
        adapter: "espn".to_owned(),
        timezone,
        options: Vec::new(),
        cadence: CadenceOverrides {
            idle: Some(secs(600)),
            pregame: Some(secs(60)),
            live: Some(secs(10)),
            settle: Some(secs(900)),
            pregame_window: secs(300),
        },
        teams: Vec::new(),
    }
}

/// An emulator anchored at `at` on a manual clock, and a poller for `league_key` reading it.
pub(crate) struct Rig {
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) emulator: Emulator,
    pub(crate) poller: LeaguePoller,
    pub(crate) store: Store,
    pub(crate) status: StatusBoard,
}

pub(crate) async fn rig(
    league_key: &str,
    timezone: Tz,
    at: DateTime<Utc>,
    emulator: EmulatorConfig,
    timeout_ms: u64,
    store: Store,
) -> Rig {
    let clock = Arc::new(ManualClock::new(at));
    let emulator = Emulator::start(emulator, clock.clone()).await.unwrap();
    let fetcher = Fetcher::new(
        upstream(timeout_ms),
        Some(emulator.base_url()),
        clock.clone(),
    )
    .unwrap();
    let status = StatusBoard::default();
    let poller = LeaguePoller::new(
        league(league_key, timezone),
        adapter(),
        fetcher,
        store.clone(),
        status.clone(),
        at,
    )
    .unwrap();
    Rig {
        clock,
        emulator,
        poller,
        store,
        status,
    }
}

impl Rig {
    /// Move the clock (the emulator reads it too) and run one round at that instant.
    pub(crate) async fn poll(&mut self, at: DateTime<Utc>) -> scoreline::poller::RoundReport {
        self.clock.set(at);
        self.poller.poll(at).await
    }

    pub(crate) fn key(&self, game: &SlateGame) -> GameKey {
        GameKey::new(game.league.key, "espn", game.id.as_str())
    }

    fn scores(&self, game: &SlateGame) -> (Option<u32>, Option<u32>) {
        let g = self.store.latest(&self.key(game)).unwrap().unwrap();
        (g.home.score, g.away.score)
    }

    fn board_phase(&self) -> Phase {
        self.status.read().unwrap()[self.poller.league()].phase
    }
}

/// The slate's `n`-th staggered game (by kick-off) of `league`.
pub(crate) fn staggered(emulator: &Emulator, league: &str, n: usize) -> SlateGame {
    let mut games: Vec<&SlateGame> = emulator
        .slate()
        .games()
        .iter()
        .filter(|g| g.league.key == league && g.start > emulator.slate().anchor())
        .collect();
    games.sort_by_key(|g| g.start);
    games[n].clone()
}

pub(crate) fn real_scores(game: &SlateGame, at: DateTime<Utc>) -> (Option<u32>, Option<u32>) {
    let s = state_at(game, at);
    (Some(s.home_score), Some(s.away_score))
}

/// (home, away, period) of the emulator's game at `at`: what the poller's detail signature sees.
fn signature(game: &SlateGame, at: DateTime<Utc>) -> (u32, u32, u32) {
    let s = state_at(game, at);
    (s.home_score, s.away_score, s.period)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cadence_walks_idle_pregame_live_settle_at_the_right_times() {
    let t0 = anchor();
    // Ten-minute games an hour apart: NBA kicks off at 18:00:05 and 23:00:05 UTC.
    let store = Store::open_in_memory().unwrap();
    let mut rig = rig("nba", NY, t0, emulator_config(600, 3600), 5_000, store).await;
    let a = staggered(&rig.emulator, "nba", 0);
    let b = staggered(&rig.emulator, "nba", 1);
    assert_eq!(a.start, t0 + td(3605));
    assert_eq!(b.start, t0 + td(6 * 3600 + 5));
    let (ka, kb) = (rig.key(&a), rig.key(&b));

    // 12:00 Eastern, nothing known yet: idle.
    let d = rig.poller.decide(t0);
    assert_eq!((d.phase, d.next_at), (Phase::Idle, t0 + td(600)));
    let r = rig.poll(t0).await;
    assert_eq!((r.accepted, r.details, r.errors), (2, 0, 0), "{r:?}");
    assert_eq!(
        rig.store.latest(&ka).unwrap().unwrap().status,
        GameStatus::Scheduled
    );
    assert_eq!(
        rig.store.latest(&kb).unwrap().unwrap().status,
        GameStatus::Scheduled
    );
    assert_eq!(rig.poller.next_at(), t0 + td(600), "idle: every 10 min");
    assert_eq!(rig.board_phase(), Phase::Idle);

    // 17:50: still idle, but the next round is the start of the pre-game window, not 18:00.
    let t = t0 + td(50 * 60);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.details), (0, 0));
    assert_eq!(rig.poller.decide(t).phase, Phase::Idle);
    assert_eq!(rig.poller.next_at(), a.start - td(300));

    // In the window: pre-game cadence.
    let t = a.start - td(300);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.details), (0, 0));
    assert_eq!(rig.board_phase(), Phase::Pregame);
    assert_eq!(rig.poller.next_at(), t + td(60));

    // Two minutes in, with points on the board: live, next round in 10 s, detail fetched.
    let t = a.start + td(120);
    let state = state_at(&a, t);
    assert_eq!(state.phase, SlatePhase::In);
    assert!(state.home_score + state.away_score > 0);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.details), (0, 1), "{r:?}");
    assert_eq!(rig.board_phase(), Phase::Live);
    assert_eq!(rig.poller.next_at(), t + td(10));
    let live = rig.store.latest(&ka).unwrap().unwrap();
    assert_eq!(live.status, GameStatus::Live);
    assert_eq!(rig.scores(&a), real_scores(&a, t));
    assert_eq!(
        rig.store.scoring_plays(&ka).unwrap().len(),
        state.events.len(),
        "the detail's scoring plays are stored"
    );

    // A later instant where neither score nor period moved: no detail fetch.
    let same = (1..600)
        .map(|s| t + td(s))
        .find(|u| signature(&a, *u) == signature(&a, t))
        .unwrap();
    // Within the board's max-age the fetcher's cache serves the same body: not parsed again.
    let r = rig.poll(same).await;
    assert_eq!(
        (r.errors, r.details, r.accepted, r.unchanged),
        (0, 0, 0, 1),
        "{r:?}"
    );
    assert_eq!(rig.poller.next_at(), same + td(10));

    // The first instant after that where the score moved (and the emulator's `max-age=5` on
    // the last scoreboard has run out): detail fetched again.
    let moved = (5..600)
        .map(|s| same + td(s))
        .find(|u| {
            let (h, a2, _) = signature(&a, *u);
            let (h0, a0, _) = signature(&a, same);
            (h, a2) != (h0, a0) && state_at(&a, *u).phase == SlatePhase::In
        })
        .unwrap();
    let r = rig.poll(moved).await;
    assert_eq!((r.errors, r.details), (0, 1), "{r:?}");
    assert_eq!(rig.scores(&a), real_scores(&a, moved));
    assert_eq!(rig.poller.next_at(), moved + td(10));
    assert!(
        rig.store.scoring_plays(&ka).unwrap().len() > state.events.len(),
        "new plays stored"
    );

    // Just after the final: settle phase, waking for the settle fetch at start + 15 min.
    let t = a.end() + td(1);
    let r = rig.poll(t).await;
    assert_eq!(r.errors, 0);
    let fin = rig.store.latest(&ka).unwrap().unwrap();
    assert_eq!(fin.status, GameStatus::Final);
    let (h, aw) = a.final_score();
    assert_eq!((fin.home.score, fin.away.score), (Some(h), Some(aw)));
    assert_eq!(rig.board_phase(), Phase::Settle);
    assert_eq!(rig.poller.next_at(), a.start + td(900));

    // The settle fetch: one detail, then idle until the next game's pre-game window.
    let t = a.start + td(900);
    assert_eq!(rig.poller.decide(t).settle_due, vec![a.id.clone()]);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.details), (0, 1), "{r:?}");
    assert_eq!(rig.board_phase(), Phase::Idle);
    assert_eq!(rig.poller.next_at(), t + td(600));
    assert!(rig.poller.decide(t).settle_due.is_empty());

    // Idle and settled: nothing more to fetch in detail.
    let t = t + td(600);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.details), (0, 0), "{r:?}");
    assert_eq!(rig.poller.next_at(), t + td(600));
    assert_eq!(
        rig.store.scoring_plays(&ka).unwrap().len(),
        a.events.len(),
        "every scoring play of the final is stored"
    );

    // 22:50:05: idle, waking at 22:55:05 for the second game's pre-game window.
    let t = b.start - td(300) - td(400);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.details), (0, 0), "{r:?}");
    assert_eq!(rig.board_phase(), Phase::Idle);
    assert_eq!(rig.poller.next_at(), b.start - td(300));
    rig.emulator.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_faults_are_counted_and_the_next_round_recovers() {
    let t0 = anchor();
    let store = Store::open_in_memory().unwrap();
    // A 300 ms timeout, no retries.
    let mut rig = rig("nhl", NY, t0, emulator_config(600, 3600), 300, store).await;
    let game = staggered(&rig.emulator, "nhl", 0);
    let last_error = |rig: &Rig| rig.status.read().unwrap()["nhl"].last_error.clone();

    let t1 = game.start + td(100);
    let r = rig.poll(t1).await;
    assert_eq!((r.errors, r.accepted), (0, 2), "{r:?}");
    assert_eq!(rig.scores(&game), real_scores(&game, t1));
    assert_eq!(last_error(&rig), None);

    // A 500: the round reports it, stores nothing, and the poller keeps its live cadence.
    rig.emulator.force(Fault::Status(500));
    let r = rig.poll(t1 + td(10)).await;
    assert_eq!((r.errors, r.accepted), (1, 0), "{r:?}");
    assert!(
        last_error(&rig).unwrap().contains("500"),
        "{:?}",
        last_error(&rig)
    );
    assert_eq!(rig.poller.next_at(), t1 + td(20));

    // Truncated JSON: the adapter's parse fails cleanly.
    rig.emulator.force(Fault::Malformed);
    let r = rig.poll(t1 + td(20)).await;
    assert_eq!((r.errors, r.accepted), (1, 0), "{r:?}");
    assert!(last_error(&rig).unwrap().contains("adapter"));

    // A hang: the request times out after 300 ms of real time.
    rig.emulator.force(Fault::Hang);
    let started = Instant::now();
    let r = rig.poll(t1 + td(30)).await;
    assert_eq!((r.errors, r.accepted), (1, 0), "{r:?}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(last_error(&rig).unwrap().contains("timed out"));
    // Nothing of the failed rounds reached the store.
    assert_eq!(rig.scores(&game), real_scores(&game, t1));

    // The next round succeeds and stores the current score.
    let t = t1 + td(40);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.accepted), (0, 2), "{r:?}");
    assert_eq!(rig.scores(&game), real_scores(&game, t));
    assert_eq!(last_error(&rig), None);
    assert_eq!(rig.board_phase(), Phase::Live);

    // Every attempt is in the call log; the 500 and the timeout count as errors (the truncated
    // body came with a 200). Call times come from the driven clock.
    let stats = rig.store.call_stats(DateTime::UNIX_EPOCH).unwrap();
    assert_eq!(stats.len(), 1, "{stats:?}");
    assert_eq!(
        (stats[0].host.as_str(), stats[0].league.as_str()),
        ("site.api.espn.com", "nhl")
    );
    assert_eq!(stats[0].calls, rig.emulator.requests());
    assert_eq!(stats[0].errors, 2, "{stats:?}");
    rig.emulator.shutdown().await;
}

/// No timeline row of a game reads 0-0 after one with points, and scores never go down.
fn assert_no_reset(timeline: &[TimelineRow]) {
    let mut high = (0, 0);
    for row in timeline {
        let (h, a) = (row.home_score.unwrap_or(0), row.away_score.unwrap_or(0));
        assert!(
            h >= high.0 && a >= high.1,
            "score went backwards to {h}-{a} after {high:?}: {timeline:?}"
        );
        high = (h, a);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_one_poll_zero_zero_glitch_never_reaches_the_store() {
    let t0 = anchor();
    let store = Store::open_in_memory().unwrap();
    let mut rig = rig("nba", NY, t0, emulator_config(600, 3600), 5_000, store).await;
    let game = staggered(&rig.emulator, "nba", 0);
    let key = rig.key(&game);

    let t1 = game.start + td(120);
    let before = real_scores(&game, t1);
    assert!(before.0.unwrap() + before.1.unwrap() > 0);
    let r = rig.poll(t1).await;
    assert_eq!((r.errors, r.rejected, r.held), (0, 0, 0), "{r:?}");
    assert_eq!(rig.scores(&game), before);
    let rows_before = rig.store.timeline(&key).unwrap();

    // The scoreboard reports the game 0-0 once: held, not stored.
    rig.emulator.force(Fault::Glitch {
        game_id: game.id.clone(),
    });
    let r = rig.poll(t1 + td(10)).await;
    assert_eq!((r.errors, r.held, r.rejected), (0, 1, 0), "{r:?}");
    assert_eq!(
        rig.scores(&game),
        before,
        "the glitch is not the stored snapshot"
    );
    let rows = rig.store.timeline(&key).unwrap();
    assert_eq!(rows, rows_before, "no timeline row for the glitch");
    assert_no_reset(&rows);

    // The next poll disagrees with the glitch: it is discarded as a rejection, the real score goes in.
    let t = t1 + td(20);
    let r = rig.poll(t).await;
    assert_eq!((r.errors, r.held, r.rejected), (0, 0, 1), "{r:?}");
    assert_eq!(rig.scores(&game), real_scores(&game, t));
    let rows = rig.store.timeline(&key).unwrap();
    assert!(rows.starts_with(&rows_before), "nothing lost: {rows:?}");
    assert_no_reset(&rows);
    assert_eq!(
        (
            rows.last().unwrap().home_score,
            rows.last().unwrap().away_score
        ),
        real_scores(&game, t)
    );
    assert_eq!(rig.store.rejection_count(t1).unwrap(), 1);
    assert_eq!(rig.status.read().unwrap()["nba"].rejected, 1);
    rig.emulator.shutdown().await;
}

/// Found by the chaos soak: with the live poll inside upstream's `max-age`, the next poll after a
/// one-poll glitch is the fetcher's cache serving the glitched body again. That is no new word
/// from upstream, so it must not confirm the glitch (it used to, as a `score.corrected` event and
/// a stored 0-0 row); the next fresh poll discards it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_glitch_served_again_from_the_cache_is_not_confirmed() {
    let t0 = anchor();
    let store = Store::open_in_memory().unwrap();
    // max-age 5 s: a poll 2 s after a fetch is answered from the cache.
    let mut rig = rig("nba", NY, t0, emulator_config(600, 3600), 5_000, store).await;
    let game = staggered(&rig.emulator, "nba", 0);
    let key = rig.key(&game);
    let t1 = game.start + td(120);
    let before = real_scores(&game, t1);
    assert!(before.0.unwrap() + before.1.unwrap() > 0);
    rig.poll(t1).await;
    let rows_before = rig.store.timeline(&key).unwrap();

    rig.emulator.force(Fault::Glitch {
        game_id: game.id.clone(),
    });
    let r = rig.poll(t1 + td(10)).await;
    assert_eq!((r.errors, r.held), (0, 1), "{r:?}");
    let requests = rig.emulator.requests();
    let r = rig.poll(t1 + td(12)).await;
    assert_eq!(
        (r.errors, r.held, r.accepted, r.rejected),
        (0, 0, 0, 0),
        "{r:?}"
    );
    assert_eq!(
        rig.scores(&game),
        before,
        "the cached glitch is not confirmed"
    );
    assert_eq!(
        rig.emulator.requests(),
        requests,
        "the board came from the cache"
    );
    assert_eq!(rig.store.timeline(&key).unwrap(), rows_before);

    let t = t1 + td(20);
    let r = rig.poll(t).await;
    assert_eq!(
        (r.errors, r.rejected),
        (0, 1),
        "the glitch is discarded: {r:?}"
    );
    assert_eq!(rig.scores(&game), real_scores(&game, t));
    assert_no_reset(&rig.store.timeline(&key).unwrap());
    let corrected: Vec<String> = rig
        .store
        .events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.event.kind.as_str() == "score.corrected")
        .map(|e| format!("{:?}", e.event.data))
        .collect();
    assert!(corrected.is_empty(), "{corrected:?}");
    rig.emulator.shutdown().await;
}

/// The planned URLs the poller logged, from the store's call log.
fn logged_urls(dir: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(dir.join(scoreline_store::DB_FILE)).unwrap();
    let mut stmt = conn
        .prepare("SELECT url FROM upstream_calls ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_west_coast_late_game_is_polled_on_its_eastern_sports_day() {
    // An NBA game tipping off at 03:00 UTC on the 22nd: 19:00 Pacific, 22:00 Eastern on the 21st.
    // ESPN (and the emulator) list it on the board of 2026-11-21, the US-Eastern day.
    let tip = Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap();
    let anchor = tip - td(5) - td(600);
    let now = tip + td(20 * 60); // 03:20 UTC, 22:20 Eastern on the 21st: second quarter
    let mut outcomes = Vec::new();
    for tz in [NY, chrono_tz::UTC] {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut rig = rig("nba", tz, anchor, emulator_config(3600, 600), 5_000, store).await;
        let game = staggered(&rig.emulator, "nba", 0);
        assert_eq!(game.start, tip);
        assert_eq!(state_at(&game, now).phase, SlatePhase::In);
        let r = rig.poll(now).await;
        assert_eq!(r.errors, 0, "{r:?}");
        let stored = rig.store.latest(&rig.key(&game)).unwrap();
        let urls = logged_urls(dir.path());
        outcomes.push((stored.map(|g| g.status), urls));
        rig.emulator.shutdown().await;
    }
    let board = |day: &str| format!("/basketball/nba/scoreboard?dates={day}");

    // America/New_York: the board of the 21st is asked for and the game is live in the store.
    let (status, urls) = &outcomes[0];
    assert_eq!(*status, Some(GameStatus::Live), "{urls:?}");
    assert!(
        urls.iter().any(|u| u.ends_with(&board("20261121"))),
        "{urls:?}"
    );

    // UTC (the mistake this guards against): only the 22nd and the 23rd are asked for, and the
    // live game is missed.
    let (status, urls) = &outcomes[1];
    assert_eq!(*status, None, "{urls:?}");
    assert!(!urls.iter().any(|u| u.contains("20261121")), "{urls:?}");
    assert!(
        urls.iter().any(|u| u.ends_with(&board("20261122"))),
        "{urls:?}"
    );
}

/// A raw timeline row: id, league, game id, observed_at (ms), status, home and away score.
type RawRow = (i64, String, String, i64, String, Option<i64>, Option<i64>);

/// Everything the kill test compares: game keys, timeline rows and the integrity check.
#[derive(Debug)]
struct Snapshot {
    games: BTreeSet<(String, String)>,
    timeline: Vec<RawRow>,
    integrity: String,
}

fn snapshot(db: &Path) -> Snapshot {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let games = conn
        .prepare("SELECT league, game_id FROM games")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let timeline = conn
        .prepare(
            "SELECT id, league, game_id, observed_at, status, home_score, away_score
             FROM timeline ORDER BY id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let integrity = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    Snapshot {
        games,
        timeline,
        integrity,
    }
}

fn spawn_daemon(config: &Path, log: &Path, extra: &[&str]) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new(env!("CARGO_BIN_EXE_scoreline"))
        .current_dir(util::root())
        .env("RUST_LOG", "info")
        .args(["run", "--config", config.to_str().unwrap()])
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .unwrap()
}

#[test]
fn kill_9_mid_run_loses_no_committed_row_and_polling_resumes() {
    util::espn();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let db = data.join(scoreline_store::DB_FILE);
    let config = tmp.path().join("scoreline.toml");
    let mut text = format!(
        "data_dir = {:?}\nplugin_dir = {:?}\n\
         [http]\nlisten = \"127.0.0.1:0\"\n\
         [emulator]\nenabled = true\ngame_secs = 20\nstagger_secs = 2\n\
         [upstream]\ntimeout_ms = 2000\nretries = 1\nretry_base_ms = 50\nrate_per_sec = 100\n\
         [upstream.overrides]\n\"site.api.espn.com\" = \"emulator\"\n",
        data.to_str().unwrap(),
        util::plugin_dir().to_str().unwrap(),
    );
    for key in ["nfl", "nba"] {
        text.push_str(&format!(
            "[[leagues]]\nkey = \"{key}\"\nadapter = \"espn\"\ntimezone = \"America/New_York\"\n\
             [leagues.cadence]\nlive_secs = 1\npregame_secs = 1\nidle_secs = 5\npregame_window_secs = 120\n"
        ));
    }
    std::fs::write(&config, text).unwrap();
    let log1 = tmp.path().join("run1.log");
    let log = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();

    // Run until live scores are being written (bounded wait on the real process). The bound
    // covers start-up too, where a debug build compiles the components (seconds on a loaded
    // 2-core machine), so it is generous; it only limits how long a broken daemon is waited for.
    let mut child = spawn_daemon(&config, &log1, &[]);
    let deadline = Instant::now() + Duration::from_secs(120);
    let before_kill = loop {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("daemon exited early ({status}): {}", log(&log1));
        }
        if db.is_file() {
            let s = snapshot(&db);
            let scored = s
                .timeline
                .iter()
                .filter(|row| row.5.unwrap_or(0) + row.6.unwrap_or(0) > 0)
                .count();
            if scored >= 3 {
                break s;
            }
        }
        assert!(
            Instant::now() < deadline,
            "no live scores stored within 120 s: {}",
            log(&log1)
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    // Everything committed before the kill is there, and the file is consistent.
    let after_kill = snapshot(&db);
    assert_eq!(after_kill.integrity, "ok");
    assert!(after_kill.games.is_superset(&before_kill.games));
    assert!(
        after_kill.timeline.starts_with(&before_kill.timeline),
        "timeline rows lost or changed by the kill"
    );
    assert!(
        Store::open(&data).is_ok(),
        "the store reopens after kill -9"
    );

    // Restart on the same store for a few seconds.
    let log2 = tmp.path().join("run2.log");
    let mut child = spawn_daemon(&config, &log2, &["--duration", "5"]);
    let deadline = Instant::now() + Duration::from_secs(40);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("restarted daemon did not stop: {}", log(&log2));
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(status.success(), "{status}: {}", log(&log2));

    let restarted = snapshot(&db);
    assert_eq!(restarted.integrity, "ok");
    assert!(restarted.games.is_superset(&after_kill.games));
    assert!(
        restarted.timeline.starts_with(&after_kill.timeline),
        "timeline rows lost or changed by the restart"
    );
    assert!(
        restarted.timeline.len() > after_kill.timeline.len(),
        "no new rows after the restart: {}",
        log(&log2)
    );
    assert!(restarted.games.len() > after_kill.games.len());
}
