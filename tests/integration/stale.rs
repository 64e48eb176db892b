//! Stale copies against the real poll path: an emulator whose clock lags the poller's serves the
//! scoreboard and game summary as a lagging CDN edge does (an older copy of the same game), two
//! and three polls in a row; nothing of it becomes an event or a stored regression, while a
//! decrease the game's progress does not explain (a correction) is still confirmed.

use crate::daemon::{NY, adapter, anchor, emulator_config, league, td, upstream};
use chrono::{DateTime, Utc};
use scoreline::fetch::Fetcher;
use scoreline::poller::{LeaguePoller, RoundReport, StatusBoard};
use scoreline_core::clock::ManualClock;
use scoreline_core::events::EventFilter;
use scoreline_core::model::{Game, GameKey, GameStatus};
use scoreline_emulator::slate::Phase as SlatePhase;
use scoreline_emulator::{Emulator, Fault, Game as SlateGame, state_at};
use scoreline_store::{Store, TimelineRow};
use std::sync::Arc;

/// A poller on its own clock, reading an emulator on another: setting the emulator's clock
/// behind the poller's makes it serve what upstream said back then.
struct LaggingRig {
    poller_clock: Arc<ManualClock>,
    upstream_clock: Arc<ManualClock>,
    emulator: Emulator,
    poller: LeaguePoller,
    store: Store,
}

impl LaggingRig {
    async fn new(at: DateTime<Utc>) -> LaggingRig {
        let poller_clock = Arc::new(ManualClock::new(at));
        let upstream_clock = Arc::new(ManualClock::new(at));
        let emulator = Emulator::start(emulator_config(600, 3600), upstream_clock.clone())
            .await
            .unwrap();
        let fetcher = Fetcher::new(
            upstream(5_000),
            Some(emulator.base_url()),
            poller_clock.clone(),
        )
        .unwrap();
        let store = Store::open_in_memory().unwrap();
        let poller = LeaguePoller::new(
            league("nba", NY),
            adapter(),
            fetcher,
            store.clone(),
            StatusBoard::default(),
            at,
        )
        .unwrap();
        LaggingRig {
            poller_clock,
            upstream_clock,
            emulator,
            poller,
            store,
        }
    }

    /// One round at `at`, upstream serving the game as it was at `served`.
    async fn poll(&mut self, at: DateTime<Utc>, served: DateTime<Utc>) -> RoundReport {
        self.poller_clock.set(at);
        self.upstream_clock.set(served);
        self.poller.poll(at).await
    }

    fn game(&self) -> SlateGame {
        let mut games: Vec<&SlateGame> = self
            .emulator
            .slate()
            .games()
            .iter()
            .filter(|g| g.league.key == "nba" && g.start > self.emulator.slate().anchor())
            .collect();
        games.sort_by_key(|g| g.start);
        games[0].clone()
    }

    fn key(game: &SlateGame) -> GameKey {
        GameKey::new("nba", "espn", game.id.as_str())
    }

    /// What the store says of `game`: latest snapshot, timeline, scoring plays, last event.
    fn state(&self, game: &SlateGame) -> (Game, Vec<TimelineRow>, usize, i64) {
        let key = Self::key(game);
        (
            self.store.latest(&key).unwrap().unwrap(),
            self.store.timeline(&key).unwrap(),
            self.store.scoring_plays(&key).unwrap().len(),
            self.store.last_event_seq().unwrap(),
        )
    }
}

/// Two instants of `game`'s play, 60 s apart, both in a running period (no break) and the
/// score different between them: the older one is what a lagging edge serves.
fn before_and_after(game: &SlateGame) -> (DateTime<Utc>, DateTime<Utc>) {
    let running = |t| {
        let s = state_at(game, t);
        s.phase == SlatePhase::In && s.break_kind.is_none()
    };
    let score = |t| {
        let s = state_at(game, t);
        (s.home_score, s.away_score)
    };
    (60..540)
        .step_by(10)
        .map(|s| (game.start + td(s), game.start + td(s + 60)))
        .find(|&(a, b)| {
            running(a) && running(b) && score(a) != score(b) && score(a).0 + score(a).1 > 0
        })
        .expect("the slate's first NBA game scores within a minute somewhere")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_scoreboard_or_summary_served_two_or_three_times_is_no_event() {
    let t0 = anchor();
    let mut rig = LaggingRig::new(t0).await;
    let game = rig.game();
    let (old, new) = before_and_after(&game);

    let r = rig.poll(old, old).await;
    assert_eq!((r.errors, r.stale), (0, 0), "{r:?}");
    let r = rig.poll(new, new).await;
    assert_eq!((r.errors, r.stale), (0, 0), "{r:?}");
    assert!(r.details >= 1, "the score moved: its summary is read {r:?}");
    let before = rig.state(&game);
    let s = state_at(&game, new);
    assert_eq!(
        (before.0.home.score, before.0.away.score),
        (Some(s.home_score), Some(s.away_score))
    );
    assert!(before.2 > 0, "scoring plays stored");

    // A lagging edge serves the copy from a minute ago, twice and then three times; the poll in
    // between is fresh (upstream at the poller's time, nothing newer happened: no event).
    let mut at = new;
    let mut stale_seen = 0;
    for repeats in [2, 3] {
        for n in 0..repeats {
            at += td(10);
            let r = rig.poll(at, old).await;
            assert_eq!((r.errors, r.held, r.details), (0, 0, 0), "{r:?}");
            // The whole board is an older copy (its `Date` - `Age` is before the accepted
            // one's): both its games are dropped, the live one by its progress too. The same
            // copy again is not even parsed.
            let want = if n == 0 { (2, 0) } else { (0, 1) };
            assert_eq!((r.stale, r.unchanged), want, "{r:?}");
            stale_seen += r.stale;
            assert_eq!(rig.state(&game), before, "nothing stored, no event");
        }
        at += td(10);
        rig.poll(at, new).await;
        assert_eq!(rig.state(&game).3, before.3, "no event: nothing new since");
    }
    assert_eq!(
        rig.store.stale_between(t0, at + td(1)).unwrap(),
        stale_seen as u64
    );

    let key = LaggingRig::key(&game);
    let events = rig
        .store
        .events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.event.kind.as_str() == "score.corrected")
        .count();
    assert_eq!(events, 0, "no correction from any stale copy");
    let latest = rig.store.latest(&key).unwrap().unwrap();
    assert_eq!(latest, before.0);
    assert_eq!(latest.status, GameStatus::Live);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_summary_at_the_settle_fetch_removes_no_play() {
    let t0 = anchor();
    let mut rig = LaggingRig::new(t0).await;
    let game = rig.game();
    let (old, _) = before_and_after(&game);
    // Poll through the game on time until it is final and its plays are known.
    let mut at = game.start - td(60);
    let end = game.start + td(700);
    while at < end {
        rig.poll(at, at).await;
        at += td(10);
    }
    let key = LaggingRig::key(&game);
    let final_game = rig.store.latest(&key).unwrap().unwrap();
    assert_eq!(final_game.status, GameStatus::Final);
    let plays = rig.store.scoring_plays(&key).unwrap();
    assert!(plays.len() > 2, "{} plays", plays.len());
    let last_seq = rig.store.last_event_seq().unwrap();

    // The settle fetch (15 min after the start) gets a summary (and a board) from mid-game.
    let settle = game.start + td(15 * 60);
    let r = rig.poll(settle, old).await;
    assert_eq!(
        (r.stale, r.details, r.errors),
        (3, 0, 0),
        "the board's two games and the summary {r:?}"
    );
    assert_eq!(rig.store.scoring_plays(&key).unwrap(), plays);
    assert_eq!(rig.store.latest(&key).unwrap().unwrap(), final_game);
    assert_eq!(
        rig.store.last_event_seq().unwrap(),
        last_seq,
        "no play_removed correction, no event at all"
    );
    // It is asked for again: the next round gets the real final summary and settles.
    let r = rig.poll(settle + td(10), settle + td(10)).await;
    assert_eq!((r.stale, r.details, r.errors), (0, 1, 0), "{r:?}");
    assert_eq!(rig.store.scoring_plays(&key).unwrap(), plays);
    assert_eq!(rig.store.last_event_seq().unwrap(), last_seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_correction_the_game_has_not_gone_back_for_is_still_confirmed() {
    let t0 = anchor();
    let mut rig = LaggingRig::new(t0).await;
    let game = rig.game();
    let (_, new) = before_and_after(&game);
    rig.poll(new, new).await;
    let before = rig.store.last_event_seq().unwrap();

    // The current copy, reported 0-0 on two polls in a row (the clock is where it should be):
    // not stale; held, then confirmed as a correction.
    for (n, want_held) in [(1, 1), (2, 0)] {
        rig.emulator.force(Fault::Glitch {
            game_id: game.id.clone(),
        });
        let at = new + td(10 * n);
        let r = rig.poll(at, new).await;
        assert_eq!((r.stale, r.held), (0, want_held), "{r:?}");
    }
    let corrected: Vec<_> = rig
        .store
        .events(&EventFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.seq > before && e.event.kind.as_str() == "score.corrected")
        .collect();
    assert_eq!(corrected.len(), 1, "{corrected:?}");
    assert_eq!(corrected[0].event.data["home_score"], 0);
    assert_eq!(corrected[0].event.data["away_score"], 0);
}

/// A restart of the demo: the store holds a live game of the previous slate, which the new
/// emulator (another seed) does not list and whose summary it does not know (404).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_game_upstream_stops_listing_leaves_the_live_views_after_one_detail_check() {
    use scoreline_store::GameFilter;
    let t0 = anchor();
    let mut first = LaggingRig::new(t0).await;
    let game = first.game();
    let t1 = game.start + td(120);
    first.poll(t1, t1).await;
    let key = LaggingRig::key(&game);
    let live = |store: &Store| -> Vec<String> {
        store
            .games(&GameFilter {
                status: Some(GameStatus::Live),
                ..GameFilter::default()
            })
            .unwrap()
            .into_iter()
            .map(|g| g.key.game_id)
            .collect()
    };
    assert_eq!(live(&first.store), vec![game.id.clone()]);
    let store = first.store.clone();
    first.emulator.shutdown().await;

    // The next run: same store, a new slate.
    let clock = Arc::new(ManualClock::new(t1));
    let emulator = Emulator::start(
        scoreline_emulator::EmulatorConfig {
            seed: 8,
            ..emulator_config(600, 3600)
        },
        clock.clone(),
    )
    .await
    .unwrap();
    assert!(
        emulator.slate().games().iter().all(|g| g.id != game.id),
        "the new slate does not have the old game"
    );
    let fetcher = Fetcher::new(upstream(5_000), Some(emulator.base_url()), clock.clone()).unwrap();
    let mut poller = LeaguePoller::new(
        league("nba", NY),
        adapter(),
        fetcher,
        store.clone(),
        StatusBoard::default(),
        t1,
    )
    .unwrap();
    let requests = |e: &Emulator| e.requests();
    // Two rounds missing from the board: still live. The first re-reads the summary of every
    // game with points after a restart (404 here, then the failures' backoff), the second asks
    // for the board only.
    for (n, calls) in [(1, 2), (2, 1)] {
        let at = t1 + td(10 * n);
        clock.set(at);
        let before = requests(&emulator);
        let r = poller.poll(at).await;
        assert_eq!((r.errors, r.details), (calls - 1, 0), "{r:?}");
        assert_eq!(requests(&emulator) - before, calls as u64);
        assert_eq!(live(&store), vec![game.id.clone()]);
        assert!(store.unconfirmed_games().unwrap().is_empty());
    }
    // The third: its summary is asked for once (404 here), then it is unconfirmed.
    let at = t1 + td(30);
    clock.set(at);
    let before = requests(&emulator);
    let r = poller.poll(at).await;
    assert_eq!(requests(&emulator) - before, 2, "the board and the summary");
    assert_eq!(r.errors, 1, "the summary's 404 {r:?}");
    assert!(live(&store).is_empty(), "out of the live views");
    let unconfirmed = store.unconfirmed_games().unwrap();
    assert_eq!(unconfirmed.len(), 1);
    assert_eq!(unconfirmed[0].key, key);
    assert_eq!(unconfirmed[0].unconfirmed_since, at);
    assert_eq!(unconfirmed[0].game.status, GameStatus::Live);
    // Asked once: later rounds leave it alone, and it no longer holds the league live.
    for n in 4..=6 {
        let at = t1 + td(10 * n);
        clock.set(at);
        let r = poller.poll(at).await;
        assert_eq!((r.errors, r.details), (0, 0), "no summary asked for {r:?}");
    }
    assert_eq!(store.unconfirmed_games().unwrap(), unconfirmed);
    assert_ne!(
        poller.decide(t1 + td(70)).phase,
        scoreline_core::cadence::Phase::Live
    );

    // /health and `monitor failures` list it with its last state.
    let app = scoreline::http::app(scoreline::http::state::AppState::new(store.clone()));
    let (status, health) =
        crate::util::request(&app, "GET", "/health", None, None, Vec::new()).await;
    assert_eq!(status, 200);
    let listed = &health["scheduler"]["unconfirmed_games"];
    assert_eq!(listed[0]["key"]["game_id"], game.id.as_str(), "{health}");
    assert_eq!(listed[0]["game"]["status"], "live");
    assert_eq!(
        listed[0]["unconfirmed_since"],
        at.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
    );
    let failures = scoreline::monitor::failures(&store, at + td(60), 1).unwrap();
    assert_eq!(failures.unconfirmed_games, unconfirmed);
    let text = scoreline::monitor::render_failures(&failures);
    assert!(text.contains("unconfirmed games: 1"), "{text}");
    emulator.shutdown().await;
}
