//! Tests of the embedded store: timeline rules, scoring play upserts, filters, migrations and
//! durability across a `kill -9`.

use crate::db::{DB_FILE, Store};
use crate::error::StoreError;
use crate::migrations::{self, MIGRATIONS, Migration};
use crate::points::Advance;
use crate::types::{BreakerTransition, CallStat, GameFilter, UpstreamCall};
use chrono::{DateTime, Duration as ChronoDuration, TimeZone, Utc};
use rusqlite::Connection;
use scoreline_core::model::{Competitor, Game, GameKey, GameStatus, Player, ScoringPlay};
use scoreline_core::upstream::breaker::BreakerState;
use std::collections::BTreeMap;
use std::path::Path;

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_opt(1_760_000_000 + secs, 0).single().unwrap()
}

fn key(league: &str, id: &str) -> GameKey {
    GameKey::new(league, "espn", id)
}

fn game(id: &str, league: &str, status: GameStatus, home: Option<u32>, away: Option<u32>) -> Game {
    Game {
        status_detail: status.as_str().into(),
        period: Some(1),
        clock: Some("20:00".into()),
        clock_seconds: Some(1200),
        start_time: Some(t(0)),
        season: Some("2025".into()),
        season_type: Some("regular".into()),
        venue: Some("Arena".into()),
        ..Game::new(
            id,
            league,
            "hockey",
            status,
            Competitor {
                id: "1".into(),
                abbreviation: "DAL".into(),
                name: "Dallas Stars".into(),
                score: home,
            },
            Competitor {
                id: "2".into(),
                abbreviation: "COL".into(),
                name: "Colorado Avalanche".into(),
                score: away,
            },
        )
    }
}

fn play(sequence: u32, scorer: &str, home: u32, away: u32) -> ScoringPlay {
    ScoringPlay {
        sequence,
        period: Some(1),
        clock: Some("12:34".into()),
        team: "1".into(),
        scorer_id: Some(format!("p-{scorer}")),
        scorer_name: Some(scorer.into()),
        assists: vec![Player {
            id: Some("p-9".into()),
            name: "Helper".into(),
        }],
        kind: "goal".into(),
        points: 1,
        home_score: home,
        away_score: away,
        description: format!("{scorer} scores"),
        details: BTreeMap::from([("strength".to_owned(), "even".to_owned())]),
    }
}

/// A timeline row's (status, period, clock, home score, away score).
type State = (
    GameStatus,
    Option<u32>,
    Option<String>,
    Option<u32>,
    Option<u32>,
);

/// The state of every timeline row of `k`.
fn states(store: &Store, k: &GameKey) -> Vec<State> {
    store
        .timeline(k)
        .unwrap()
        .into_iter()
        .map(|r| (r.status, r.period, r.clock, r.home_score, r.away_score))
        .collect()
}

#[test]
fn store_is_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone + 'static>() {}
    check::<Store>();
}

#[test]
fn timeline_rows_on_state_changes_only() {
    let store = Store::open_in_memory().unwrap();
    let k = key("nhl", "401");
    let mut g = game("401", "nhl", GameStatus::Scheduled, None, None);

    let r = store.record_game(&k, &g, t(0)).unwrap();
    assert_eq!(
        (r.new_game, r.state_changed, r.previous),
        (true, true, None)
    );

    // Live at 0-0: status and both scores change.
    g.status = GameStatus::Live;
    g.home.score = Some(0);
    g.away.score = Some(0);
    let r = store.record_game(&k, &g, t(10)).unwrap();
    assert!(!r.new_game && r.state_changed);
    assert_eq!(r.previous.map(|p| p.status), Some(GameStatus::Scheduled));

    // Clock ticks only: the snapshot is updated, the timeline is not.
    for (i, clock) in ["19:30", "19:00", "18:30"].into_iter().enumerate() {
        g.clock = Some(clock.into());
        g.clock_seconds = Some(1140 - 30 * i as u32);
        g.status_detail = format!("{clock} - 1st");
        let r = store.record_game(&k, &g, t(20 + i as i64)).unwrap();
        assert!(
            !r.new_game && !r.state_changed,
            "clock {clock} counted as a change"
        );
    }
    assert_eq!(
        store.latest(&k).unwrap().unwrap().clock.as_deref(),
        Some("18:30")
    );
    assert_eq!(store.timeline(&k).unwrap().len(), 2);

    // Home scores, then away scores, then the period changes, then final.
    g.home.score = Some(1);
    assert!(store.record_game(&k, &g, t(30)).unwrap().state_changed);
    g.away.score = Some(1);
    g.clock = Some("05:00".into());
    assert!(store.record_game(&k, &g, t(40)).unwrap().state_changed);
    g.period = Some(2);
    g.clock = Some("20:00".into());
    assert!(store.record_game(&k, &g, t(50)).unwrap().state_changed);
    // Same state again, observed at the same instant: no row.
    assert!(!store.record_game(&k, &g, t(50)).unwrap().state_changed);
    g.status = GameStatus::Final;
    let r = store.record_game(&k, &g, t(60)).unwrap();
    assert!(r.state_changed);
    assert_eq!(r.previous.map(|p| p.period), Some(Some(2)));

    use GameStatus::*;
    let clock = |c: &str| Some(c.to_owned());
    assert_eq!(
        states(&store, &k),
        vec![
            (Scheduled, Some(1), clock("20:00"), None, None),
            (Live, Some(1), clock("20:00"), Some(0), Some(0)),
            (Live, Some(1), clock("18:30"), Some(1), Some(0)),
            (Live, Some(1), clock("05:00"), Some(1), Some(1)),
            (Live, Some(2), clock("20:00"), Some(1), Some(1)),
            (Final, Some(2), clock("20:00"), Some(1), Some(1)),
        ]
    );
    let rows = store.timeline(&k).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.observed_at).collect::<Vec<_>>(),
        vec![t(0), t(10), t(30), t(40), t(50), t(60)]
    );
    assert_eq!(rows[2].clock_seconds, Some(1080));
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id));

    // Another game's rows are its own.
    let k2 = key("nhl", "402");
    store
        .record_game(&k2, &game("402", "nhl", Live, Some(3), Some(0)), t(5))
        .unwrap();
    assert_eq!(store.timeline(&k2).unwrap().len(), 1);
    assert_eq!(store.timeline(&k).unwrap().len(), 6);
    assert_eq!(store.timeline(&key("nhl", "nope")).unwrap(), vec![]);
}

/// The schema's CHECK constraints accept every status the model has.
#[test]
fn every_status_is_stored_and_read_back() {
    let store = Store::open_in_memory().unwrap();
    let k = key("nhl", "401");
    for (i, status) in GameStatus::ALL.into_iter().enumerate() {
        let g = game("401", "nhl", status, None, None);
        store.record_game(&k, &g, t(i as i64)).unwrap();
        store
            .record_schedule("nhl", "espn", &[g], "espn", t(i as i64))
            .unwrap();
        assert_eq!(store.schedule("nhl", t(0), t(1)).unwrap()[0].status, status);
    }
    let rows = store.timeline(&k).unwrap();
    assert_eq!(
        rows.iter().map(|r| r.status).collect::<Vec<_>>(),
        GameStatus::ALL
    );
}

#[test]
fn stale_and_mismatched_snapshots_are_refused() {
    let store = Store::open_in_memory().unwrap();
    let k = key("nhl", "401");
    let g = game("401", "nhl", GameStatus::Live, Some(1), Some(0));
    store.record_game(&k, &g, t(100)).unwrap();

    let mut old = g.clone();
    old.home.score = Some(0);
    let err = store.record_game(&k, &old, t(99)).unwrap_err();
    assert!(matches!(err, StoreError::OutOfOrder { .. }), "{err}");
    assert!(err.to_string().contains("nhl/espn/401"), "{err}");
    assert_eq!(store.latest(&k).unwrap(), Some(g.clone()));
    assert_eq!(store.timeline(&k).unwrap().len(), 1);

    let err = store
        .record_game(&key("nhl", "999"), &g, t(101))
        .unwrap_err();
    assert!(matches!(err, StoreError::KeyMismatch { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "snapshot with game id `401` recorded under game key `nhl/espn/999`"
    );
    assert_eq!(store.latest(&key("nhl", "999")).unwrap(), None);
}

#[test]
fn scoring_play_correction_replaces_the_row() {
    let store = Store::open_in_memory().unwrap();
    let k = key("nhl", "401");
    store
        .record_game(
            &k,
            &game("401", "nhl", GameStatus::Live, Some(2), Some(0)),
            t(0),
        )
        .unwrap();

    let plays = vec![play(1, "Robertson", 1, 0), play(2, "Hintz", 2, 0)];
    assert_eq!(store.record_scoring_plays(&k, &plays, t(10)).unwrap(), 2);
    // The same plays again change nothing.
    assert_eq!(store.record_scoring_plays(&k, &plays, t(20)).unwrap(), 0);
    assert_eq!(store.scoring_plays(&k).unwrap(), plays);

    // Upstream credits goal 2 to someone else and adds a third.
    let mut corrected = play(2, "Johnston", 2, 0);
    corrected.assists.clear();
    corrected
        .details
        .insert("video_review".into(), "true".into());
    let next = vec![
        plays[0].clone(),
        corrected.clone(),
        play(3, "Rantanen", 3, 0),
    ];
    assert_eq!(store.record_scoring_plays(&k, &next, t(30)).unwrap(), 2);
    assert_eq!(store.scoring_plays(&k).unwrap(), next);

    // One row per sequence; the corrected one keeps its first sighting.
    let rows: Vec<(u32, i64, i64)> = store
        .conn()
        .prepare("SELECT sequence, first_seen_at, updated_at FROM scoring_plays ORDER BY sequence")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let ms = |s| t(s).timestamp_millis();
    assert_eq!(
        rows,
        vec![
            (1, ms(10), ms(10)),
            (2, ms(10), ms(30)),
            (3, ms(30), ms(30))
        ]
    );

    // Plays of a game the store has never seen are refused, and nothing is written.
    let unknown = key("nhl", "404");
    let err = store
        .record_scoring_plays(&unknown, &plays, t(40))
        .unwrap_err();
    assert!(matches!(err, StoreError::UnknownGame { .. }), "{err}");
    assert!(err.to_string().contains("nhl/espn/404"), "{err}");
    assert_eq!(store.scoring_plays(&unknown).unwrap(), vec![]);
}

#[test]
fn games_filters_order_and_lookup() {
    let store = Store::open_in_memory().unwrap();
    let record = |league: &str, adapter: &str, id: &str, status, start: Option<i64>| {
        let mut g = game(id, league, status, Some(0), Some(0));
        g.start_time = start.map(t);
        store
            .record_game(&GameKey::new(league, adapter, id), &g, t(1000))
            .unwrap();
    };
    use GameStatus::*;
    record("nhl", "espn", "3", Final, Some(300));
    record("nhl", "espn", "1", Live, Some(100));
    record("nhl", "espn", "9", Scheduled, None);
    record("nba", "espn", "2", Live, Some(200));
    record("nba", "espn", "7", Scheduled, Some(700));
    record("mlb", "espn", "5", Live, Some(50));
    record("mlb", "statsapi", "5", Live, Some(50));

    let ids = |f: GameFilter| -> Vec<String> {
        store
            .games(&f)
            .unwrap()
            .into_iter()
            .map(|s| s.key.to_string())
            .collect()
    };
    assert_eq!(
        ids(GameFilter::default()),
        [
            "mlb/espn/5",
            "mlb/statsapi/5",
            "nhl/espn/1",
            "nba/espn/2",
            "nhl/espn/3",
            "nba/espn/7",
            "nhl/espn/9",
        ]
    );
    let nhl = |status, limit| GameFilter {
        league: Some("nhl".into()),
        status,
        limit,
    };
    assert_eq!(
        ids(nhl(None, None)),
        ["nhl/espn/1", "nhl/espn/3", "nhl/espn/9"]
    );
    assert_eq!(ids(nhl(None, Some(2))), ["nhl/espn/1", "nhl/espn/3"]);
    assert_eq!(ids(nhl(Some(Live), None)), ["nhl/espn/1"]);
    assert_eq!(ids(nhl(Some(Postponed), None)), Vec::<String>::new());
    assert_eq!(
        ids(GameFilter {
            status: Some(Live),
            limit: Some(3),
            ..GameFilter::default()
        }),
        ["mlb/espn/5", "mlb/statsapi/5", "nhl/espn/1"]
    );
    assert_eq!(
        ids(GameFilter {
            limit: Some(0),
            ..GameFilter::default()
        }),
        Vec::<String>::new()
    );

    let one = store.games(&nhl(Some(Final), None)).unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].game.status, Final);
    assert_eq!(one[0].updated_at, t(1000));

    // By id: unique, absent, ambiguous, disambiguated by league (still two adapters).
    let g = store.game("3", None).unwrap().unwrap();
    assert_eq!(g.key, key("nhl", "3"));
    assert_eq!(store.game("3", Some("nba")).unwrap(), None);
    assert_eq!(store.game("404", None).unwrap(), None);
    let err = store.game("5", None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "game id `5` is ambiguous, it matches mlb/espn/5, mlb/statsapi/5: pass a league"
    );
    assert!(matches!(
        store.game("5", Some("mlb")),
        Err(StoreError::Ambiguous { .. })
    ));

    let nhl_games = store.latest_for_league("nhl").unwrap();
    assert_eq!(
        nhl_games
            .iter()
            .map(|(k, g)| (k.game_id.as_str(), g.id.as_str()))
            .collect::<Vec<_>>(),
        [("1", "1"), ("3", "3"), ("9", "9")]
    );
    assert_eq!(store.latest_for_league("nfl").unwrap(), vec![]);
}

#[test]
fn an_unconfirmed_game_leaves_the_in_play_listings_until_a_new_snapshot() {
    let store = Store::open_in_memory().unwrap();
    let (a, b) = (key("nhl", "1"), key("nhl", "2"));
    store
        .record_game(
            &a,
            &game("1", "nhl", GameStatus::Live, Some(2), Some(1)),
            t(10),
        )
        .unwrap();
    store
        .record_game(
            &b,
            &game("2", "nhl", GameStatus::Live, Some(0), Some(0)),
            t(10),
        )
        .unwrap();
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
    assert_eq!(live(&store), ["1", "2"]);
    assert!(store.unconfirmed_games().unwrap().is_empty());

    assert!(store.mark_unconfirmed(&a, t(100)).unwrap());
    assert!(
        !store.mark_unconfirmed(&a, t(200)).unwrap(),
        "kept from the first mark"
    );
    assert!(
        !store.mark_unconfirmed(&key("nhl", "9"), t(200)).unwrap(),
        "unknown game"
    );
    assert_eq!(live(&store), ["2"]);
    // Still listed unfiltered, with its last state.
    assert_eq!(store.games(&GameFilter::default()).unwrap().len(), 2);
    let unconfirmed = store.unconfirmed_games().unwrap();
    assert_eq!(unconfirmed.len(), 1);
    assert_eq!(unconfirmed[0].key, a);
    assert_eq!(unconfirmed[0].unconfirmed_since, t(100));
    assert_eq!(unconfirmed[0].updated_at, t(10));
    assert_eq!(unconfirmed[0].game.home.score, Some(2));

    // Seen again: confirmed.
    store
        .record_game(
            &a,
            &game("1", "nhl", GameStatus::Live, Some(3), Some(1)),
            t(300),
        )
        .unwrap();
    assert_eq!(live(&store), ["1", "2"]);
    assert!(store.unconfirmed_games().unwrap().is_empty());
}

#[test]
fn schedule_range_is_half_open() {
    let store = Store::open_in_memory().unwrap();
    let games: Vec<Game> = [("a", 0), ("b", 3600), ("c", 7200)]
        .into_iter()
        .map(|(id, start)| {
            let mut g = game(id, "nfl", GameStatus::Scheduled, None, None);
            g.start_time = Some(t(start));
            g
        })
        .collect();
    let mut undated = game("d", "nfl", GameStatus::Postponed, None, None);
    undated.start_time = None;
    let mut all = games.clone();
    all.push(undated);
    store
        .record_schedule("nfl", "espn", &all, "espn", t(-10))
        .unwrap();

    let got = store.schedule("nfl", t(0), t(7200)).unwrap();
    assert_eq!(
        got.iter()
            .map(|s| s.key.game_id.as_str())
            .collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(got[0].home.abbreviation, "DAL");
    assert_eq!(got[0].away.name, "Colorado Avalanche");
    assert_eq!(
        (got[0].source.as_str(), got[0].updated_at),
        ("espn", t(-10))
    );

    // A file ingest moves game c and takes the row over.
    let mut moved = games[2].clone();
    moved.start_time = Some(t(60));
    store
        .record_schedule("nfl", "espn", &[moved], "ingest", t(5))
        .unwrap();
    let got = store.schedule("nfl", t(0), t(7200)).unwrap();
    assert_eq!(
        got.iter()
            .map(|s| s.key.game_id.as_str())
            .collect::<Vec<_>>(),
        ["a", "c", "b"]
    );
    assert_eq!(
        (got[1].source.as_str(), got[1].start_time),
        ("ingest", t(60))
    );
    assert_eq!(store.schedule("nba", t(0), t(7200)).unwrap(), vec![]);
}

#[test]
fn teams_of_a_league_come_from_games_and_schedules() {
    let store = Store::open_in_memory().unwrap();
    // A schedule row names Dallas "Dallas"; the newer snapshot names it "Dallas Stars".
    let mut early = game("s1", "nhl", GameStatus::Scheduled, None, None);
    early.home.name = "Dallas".into();
    early.away = Competitor {
        id: "3".into(),
        abbreviation: "MTL".into(),
        name: "Montreal Canadiens".into(),
        score: None,
    };
    store
        .record_schedule("nhl", "espn", &[early], "espn", t(0))
        .unwrap();
    store
        .record_game(
            &key("nhl", "g1"),
            &game("g1", "nhl", GameStatus::Live, Some(1), Some(0)),
            t(10),
        )
        .unwrap();
    // Another league and another adapter of the same league are not mixed in.
    let mut other = game("n1", "nba", GameStatus::Scheduled, None, None);
    other.home.id = "99".into();
    store
        .record_schedule("nba", "espn", &[other.clone()], "espn", t(0))
        .unwrap();
    store
        .record_schedule("nhl", "nhl", &[other], "nhl", t(0))
        .unwrap();
    let teams = store.teams("nhl", "espn").unwrap();
    let got: Vec<(&str, &str, &str)> = teams
        .iter()
        .map(|t| (t.id.as_str(), t.abbreviation.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("1", "DAL", "Dallas Stars"),
            ("2", "COL", "Colorado Avalanche"),
            ("3", "MTL", "Montreal Canadiens"),
        ]
    );
    assert_eq!(store.teams("nhl", "nhl").unwrap().len(), 2);
    assert_eq!(store.teams("mlb", "espn").unwrap(), vec![]);
}

#[test]
fn call_stats_and_rejections() {
    let store = Store::open_in_memory().unwrap();
    let call = |at,
                host: &str,
                league: &str,
                status,
                bytes,
                latency_ms,
                error: Option<&str>,
                from_cache| {
        UpstreamCall {
            at: t(at),
            adapter: "espn".into(),
            league: league.into(),
            host: host.into(),
            url: format!("https://{host}/x"),
            status,
            bytes,
            latency_ms,
            error: error.map(str::to_owned),
            from_cache,
            attempt: 1,
        }
    };
    let calls = [
        call(0, "old.example", "nfl", Some(200), 5, 5, None, false), // before `since`
        call(
            10,
            "site.api.espn.com",
            "nfl",
            Some(200),
            1000,
            100,
            None,
            false,
        ),
        call(
            11,
            "site.api.espn.com",
            "nfl",
            Some(503),
            20,
            300,
            None,
            false,
        ),
        call(
            12,
            "site.api.espn.com",
            "nfl",
            None,
            0,
            5000,
            Some("connection reset"),
            false,
        ),
        call(
            13,
            "site.api.espn.com",
            "nfl",
            Some(200),
            1000,
            0,
            None,
            true,
        ),
        call(
            14,
            "site.api.espn.com",
            "nba",
            Some(404),
            10,
            50,
            None,
            false,
        ),
    ];
    for c in &calls {
        store.record_call(c).unwrap();
    }
    let stats = store.call_stats(t(10)).unwrap();
    assert_eq!(
        stats,
        vec![
            CallStat {
                host: "site.api.espn.com".into(),
                league: "nba".into(),
                calls: 1,
                errors: 1,
                from_cache: 0,
                bytes: 10,
                mean_latency_ms: 50.0,
                max_latency_ms: 50,
            },
            CallStat {
                host: "site.api.espn.com".into(),
                league: "nfl".into(),
                calls: 4,
                errors: 2,
                from_cache: 1,
                bytes: 2020,
                mean_latency_ms: 1350.0,
                max_latency_ms: 5000,
            },
        ]
    );
    assert_eq!(store.call_stats(t(0)).unwrap().len(), 3);
    assert_eq!(store.call_stats(t(100)).unwrap(), vec![]);
    let huge = call(20, "h", "nfl", Some(200), u64::MAX, 1, None, false);
    assert!(matches!(
        store.record_call(&huge),
        Err(StoreError::OutOfRange { field: "bytes", .. })
    ));

    let k = key("nfl", "401");
    let g = game("401", "nfl", GameStatus::Live, Some(0), Some(0));
    store
        .record_rejection(&k, "score went backwards", &g, t(5))
        .unwrap();
    store.record_rejection(&k, "0-0 reset", &g, t(15)).unwrap();
    assert_eq!(store.rejection_count(t(0)).unwrap(), 2);
    assert_eq!(store.rejection_count(t(15)).unwrap(), 1);
    assert_eq!(store.rejection_count(t(16)).unwrap(), 0);
    let (reason, json): (String, String) = store
        .conn()
        .query_row(
            "SELECT reason, snapshot_json FROM rejections ORDER BY at LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(reason, "score went backwards");
    assert_eq!(serde_json::from_str::<Game>(&json).unwrap(), g);
}

#[test]
fn file_store_persists_and_reports_health() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("nested/data");
    let k = key("nhl", "401");
    let g = game("401", "nhl", GameStatus::Live, Some(1), Some(0));
    {
        let store = Store::open(&data).unwrap();
        store.record_game(&k, &g, t(0)).unwrap();
        store
            .record_scoring_plays(&k, &[play(1, "Hintz", 1, 0)], t(0))
            .unwrap();
        let h = store.health().unwrap();
        assert_eq!(h.path.as_deref(), Some(data.join(DB_FILE).as_path()));
        assert_eq!(
            (h.schema_version, h.games, h.timeline_rows),
            (migrations::latest_version(), 1, 1)
        );
        assert!(h.size_bytes > 0 && h.wal_bytes > 0, "{h:?}");
        let mode: String = store
            .conn()
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = store
            .conn()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
    }
    let store = Store::open(&data).unwrap();
    assert_eq!(store.latest(&k).unwrap(), Some(g));
    assert_eq!(store.scoring_plays(&k).unwrap().len(), 1);
    assert_eq!(store.timeline(&k).unwrap().len(), 1);
    let mem = Store::open_in_memory().unwrap().health().unwrap();
    assert_eq!((mem.path, mem.games, mem.wal_bytes), (None, 0, 0));
}

#[test]
fn rows_serialise_with_snake_case_fields() {
    let store = Store::open_in_memory().unwrap();
    let k = key("nhl", "401");
    store
        .record_game(
            &k,
            &game("401", "nhl", GameStatus::Live, Some(1), Some(0)),
            t(0),
        )
        .unwrap();
    let stored = serde_json::to_value(store.game("401", None).unwrap().unwrap()).unwrap();
    assert_eq!(stored["key"]["game_id"], "401");
    assert_eq!(stored["updated_at"], "2025-10-09T08:53:20Z");
    assert_eq!(stored["game"]["home"]["score"], 1);
    let row = serde_json::to_value(&store.timeline(&k).unwrap()[0]).unwrap();
    let mut fields: Vec<&str> = row
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "away_score",
            "clock",
            "clock_seconds",
            "home_score",
            "id",
            "observed_at",
            "period",
            "status"
        ]
    );
    assert_eq!(row["status"], "live");
}

// ---- migrations ----

/// The point outbox: disabled by default; when enabled, one `game_state` (and `games`) point per
/// timeline row, `game_results` for a final state, a play point per inserted or changed play;
/// cursors only move forward; backlog limits and pruning.
#[test]
fn point_outbox_follows_the_timeline() {
    let store = Store::open_in_memory().unwrap();
    let k = key("nhl", "g1");
    store
        .record_game(
            &k,
            &game("g1", "nhl", GameStatus::Scheduled, None, None),
            t(0),
        )
        .unwrap();
    assert_eq!(store.sink_points_after(0, 100).unwrap(), vec![]);
    store.enable_point_outbox(true);
    store
        .record_game(
            &k,
            &game("g1", "nhl", GameStatus::Live, Some(0), Some(0)),
            t(10),
        )
        .unwrap();
    // Clock-only change: no timeline row, no point.
    let mut clock_only = game("g1", "nhl", GameStatus::Live, Some(0), Some(0));
    clock_only.clock_seconds = Some(1100);
    store.record_game(&k, &clock_only, t(20)).unwrap();
    store
        .record_scoring_plays(&k, &[play(1, "Robertson", 1, 0)], t(30))
        .unwrap();
    // An identical play changes nothing; a corrected one is rewritten at its first sighting.
    store
        .record_scoring_plays(&k, &[play(1, "Robertson", 1, 0)], t(35))
        .unwrap();
    store
        .record_scoring_plays(
            &k,
            &[play(1, "Hintz", 1, 0), play(2, "Rantanen", 1, 1)],
            t(40),
        )
        .unwrap();
    store
        .record_game(
            &k,
            &game("g1", "nhl", GameStatus::Final, Some(2), Some(1)),
            t(50),
        )
        .unwrap();
    let pts = store.sink_points_after(0, 100).unwrap();
    let got: Vec<(&str, &str)> = pts
        .iter()
        .map(|p| (p.policy.as_str(), p.measurement.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("live", "game_state"),
            ("live", "games"),
            ("live", "scoring_plays"),
            ("live", "scoring_plays"),
            ("live", "scoring_plays"),
            ("live", "game_state"),
            ("live", "games"),
            ("aggregates", "game_results"),
        ]
    );
    let first_seen_ns = |secs: i64, seq: i64| t(secs).timestamp_millis() * 1_000_000 + seq;
    assert!(pts[2].line.contains("scorer=\"Robertson\""));
    assert!(pts[2].line.contains("is_first=true"));
    assert!(pts[2].line.ends_with(&format!(" {}", first_seen_ns(30, 1))));
    assert!(pts[3].line.contains("scorer=\"Hintz\""));
    assert!(pts[3].line.ends_with(&format!(" {}", first_seen_ns(30, 1))));
    assert!(pts[4].line.contains("is_first=false"));
    assert!(pts[4].line.ends_with(&format!(" {}", first_seen_ns(40, 2))));
    assert!(
        pts[7]
            .line
            .contains("winner=\"DAL\",loser=\"COL\",margin=1i")
    );
    assert_eq!(pts[0].created_at, t(10).timestamp_millis());

    let sinks = vec!["a".to_string(), "b".to_string()];
    store
        .advance_sink(
            "a",
            pts[3].seq,
            Advance {
                acked: 4,
                ..Advance::default()
            },
            t(60),
        )
        .unwrap();
    store
        .advance_sink("a", pts[1].seq, Advance::default(), t(61))
        .unwrap();
    assert_eq!(store.sink_cursor("a").unwrap(), pts[3].seq);
    let stats = store.sink_stats(&sinks).unwrap();
    assert_eq!((stats[0].pending, stats[0].acked), (4, 4));
    assert_eq!((stats[1].pending, stats[1].cursor), (8, 0));
    assert_eq!(stats[1].oldest_pending_at, Some(t(10)));
    // Nothing pruned while `b` has acknowledged nothing.
    assert_eq!(store.prune_sink_points(&sinks).unwrap(), 0);
    // Backlog: keep at most 3 points → drop the first 5; by age: all before t(45).
    assert_eq!(
        store.sink_backlog_excess(0, 3, None).unwrap(),
        Some((pts[4].seq, 5))
    );
    assert_eq!(
        store.sink_backlog_excess(0, 100, Some(t(45))).unwrap(),
        Some((pts[4].seq, 5))
    );
    assert_eq!(store.sink_backlog_excess(0, 100, Some(t(5))).unwrap(), None);
    store
        .advance_sink("b", pts[1].seq, Advance::default(), t(62))
        .unwrap();
    assert_eq!(store.prune_sink_points(&sinks).unwrap(), 2);
    assert_eq!(store.sink_points_after(0, 100).unwrap().len(), 6);
    assert_eq!(store.sink_points_head().unwrap(), pts[7].seq);

    // A sink's pending gauge is the head minus its cursor: the counted backlog, after appends,
    // cursor moves and a prune (no holes above any cursor).
    let head_minus_cursor = |stats: &[crate::points::SinkStat]| {
        let head = store.sink_points_head().unwrap();
        stats.iter().map(|s| head - s.cursor).collect::<Vec<_>>()
    };
    let stats = store.sink_stats(&sinks).unwrap();
    assert_eq!((stats[0].pending, stats[1].pending), (4, 6));
    assert_eq!(head_minus_cursor(&stats), [4, 6]);
    // Both done: the outbox is pruned empty and the head (now from sqlite_sequence) stays.
    for sink in ["a", "b"] {
        store
            .advance_sink(sink, pts[7].seq, Advance::default(), t(63))
            .unwrap();
    }
    assert_eq!(store.prune_sink_points(&sinks).unwrap(), 6);
    assert_eq!(store.sink_points_head().unwrap(), pts[7].seq);
    let stats = store.sink_stats(&sinks).unwrap();
    assert_eq!((stats[0].pending, stats[1].pending), (0, 0));
    assert_eq!(head_minus_cursor(&stats), [0, 0]);
}

/// The user_version of a raw connection.
fn user_version(conn: &Connection) -> i64 {
    conn.pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap()
}

#[test]
fn migrations_are_numbered_one_up() {
    for (i, m) in MIGRATIONS.iter().enumerate() {
        assert_eq!(m.version as usize, i + 1, "{}", m.name);
        assert!(
            m.name.starts_with(&format!("{:04}_", m.version)),
            "{}",
            m.name
        );
    }
}

/// Released migrations are never edited: pin each file's SHA-256. A new migration adds a line.
#[test]
fn migration_files_are_append_only() {
    use sha2::{Digest, Sha256};
    let pinned = [
        "0001_init.sql 33e8a33e8f4415c5cb88fe7014e4000db15821c0f355e6245aecda1747c97ba7",
        "0002_upstream_policy.sql 9a4d9194bdc449aab60375f84131fd934bdf75f7290ddfabebf86add59a1b739",
        "0003_events.sql 84a6a81dc3201aa9e8abd690d8969e6596e8ff2ee4b123683313a8dbe651b2b0",
        "0004_webhooks.sql 9832ef8d6216cbe1ce091e1b4060b656bee05d4aba51e49c37dd4cdd3269fe8d",
        "0005_scorers.sql ca711a0570cfbdd1900f9d44b4ed1fd2f2723f619ecacddfc7be5e2b8520d769",
        "0006_sink_points.sql 4f9786df12b7d223d8c885c784f4b0e60fa5948dd0a23f2dfc61dc90a1b2da72",
        "0007_games_season.sql d3f4e8608c99e811164f0e0107a01f413c5ed9c95696dc5b16103ee687dd0e9f",
        "0008_stale_snapshots.sql e99d24f5add343204120fa1ca5eba8acf6b6b69aeaaf83e8e1a16d3bfcd53024",
        "0009_games_unconfirmed.sql 65bc540006d496ae1cb5ab2117d5eb742d1c8115b33b5b74fb8d4ccab592524d",
    ];
    let actual: Vec<String> = MIGRATIONS
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m.name,
                hex::encode(Sha256::digest(m.sql.replace("\r\n", "\n")))
            )
        })
        .collect();
    assert_eq!(
        actual, pinned,
        "a released migration was edited: add a new one instead"
    );
}

#[test]
fn empty_database_migrates_to_latest() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).unwrap();
    let conn = Connection::open(dir.path().join(DB_FILE)).unwrap();
    assert_eq!(user_version(&conn), i64::from(migrations::latest_version()));
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        tables,
        [
            "breaker_transitions",
            "events",
            "games",
            "rejections",
            "schedules",
            "scoring_plays",
            "sink_cursors",
            "sink_points",
            "stale_snapshots",
            "timeline",
            "upstream_calls",
            "webhook_attempts",
            "webhook_cursor",
            "webhook_deliveries",
            "webhook_disabled",
            "webhook_subscriptions"
        ]
    );
}

#[test]
fn database_at_version_n_upgrades_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    let k = key("nhl", "401");
    let g = game("401", "nhl", GameStatus::Live, Some(1), Some(0));
    {
        let store = Store::open(dir.path()).unwrap();
        store.record_game(&k, &g, t(0)).unwrap();
    }
    // A binary that knows one more migration than this one.
    let mut next: Vec<Migration> = MIGRATIONS.to_vec();
    let n = migrations::latest_version();
    next.push(Migration {
        version: n + 1,
        name: "test_add_attendance.sql",
        sql: "ALTER TABLE games ADD COLUMN attendance INTEGER;
              UPDATE games SET attendance = 18532;",
    });
    let mut conn = Connection::open(&path).unwrap();
    let done = migrations::migrate(&mut conn, &path, &next).unwrap();
    assert_eq!((done.from, done.to), (n, n + 1));
    assert_eq!(user_version(&conn), i64::from(n + 1));
    let attendance: i64 = conn
        .query_row("SELECT attendance FROM games", [], |r| r.get(0))
        .unwrap();
    assert_eq!(attendance, 18532);
    // Applying again is a no-op.
    let again = migrations::migrate(&mut conn, &path, &next).unwrap();
    assert_eq!((again.from, again.to), (n + 1, n + 1));
    drop(conn);

    // The upgraded file serves the same data through a store that knows migration n+1.
    let conn = Connection::open(&path).unwrap();
    let store = Store::setup(conn, &path, Some(path.clone()), &next).unwrap();
    assert_eq!(store.latest(&k).unwrap(), Some(g));
    assert_eq!(store.health().unwrap().schema_version, n + 1);
}

#[test]
fn failed_migration_leaves_the_old_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    Store::open(dir.path()).unwrap();
    let n = migrations::latest_version();
    let mut next: Vec<Migration> = MIGRATIONS.to_vec();
    next.push(Migration {
        version: n + 1,
        name: "test_half_good.sql",
        sql: "CREATE TABLE fine (x INTEGER); CREATE TABLE games (x INTEGER);",
    });
    let mut conn = Connection::open(&path).unwrap();
    let err = migrations::migrate(&mut conn, &path, &next).unwrap_err();
    assert!(matches!(err, StoreError::Migration { .. }), "{err}");
    assert!(err.to_string().contains("test_half_good.sql"), "{err}");
    assert_eq!(user_version(&conn), i64::from(n));
    let fine: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'fine'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        fine, 0,
        "the migration's first statement was not rolled back"
    );
}

#[test]
fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DB_FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "store `{}` has schema version 99, newer than the {} this binary knows; run a newer \
             scoreline or point it at another data dir",
            path.display(),
            migrations::latest_version()
        )
    );
    // Refusing did not touch the file.
    let conn = Connection::open(&path).unwrap();
    assert_eq!(user_version(&conn), 99);
}

// ---- durability across kill -9 ----

/// Set in a child re-exec of this test binary: the data dir the child writes to.
const CRASH_ENV: &str = "SCORELINE_STORE_CRASH_CHILD";

/// Child half of `committed_rows_survive_kill_9`: a no-op unless `CRASH_ENV` is set. Commits
/// one state change per iteration (score i-0) and prints `committed i` after each commit
/// returns, until killed.
#[test]
fn crash_child() {
    use std::io::Write;
    let Some(dir) = std::env::var_os(CRASH_ENV) else {
        return;
    };
    let store = Store::open(Path::new(&dir)).unwrap();
    let k = key("nhl", "crash");
    let mut out = std::io::stdout().lock();
    let started = std::time::Instant::now();
    for i in 1..=1_000_000u32 {
        let g = game("crash", "nhl", GameStatus::Live, Some(i), Some(0));
        let at = t(0) + ChronoDuration::milliseconds(i64::from(i));
        store.record_game(&k, &g, at).unwrap();
        store
            .record_scoring_plays(&k, &[play(i, "Hintz", i, 0)], at)
            .unwrap();
        writeln!(out, "committed {i}").unwrap();
        out.flush().unwrap();
        // Never outlive a parent that failed to kill us.
        if started.elapsed() > std::time::Duration::from_secs(60) {
            return;
        }
    }
}

#[cfg(unix)]
#[test]
fn committed_rows_survive_kill_9() {
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "tests::crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let committed = |line: &str| {
        line.strip_prefix("committed ")
            .and_then(|n| n.parse::<u32>().ok())
    };
    let mut reported = 0;
    // Let it commit a few hundred transactions, then kill it while it keeps writing.
    while reported < 300 {
        match lines.next() {
            Some(Ok(line)) => reported = committed(&line).unwrap_or(reported),
            _ => {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("child stopped after {reported} commits: {err}");
            }
        }
    }
    // Kill at a different point of a transaction each run: after 0 to 2 ms more of writing.
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos() % 2_000_000);
    std::thread::sleep(std::time::Duration::from_nanos(u64::from(jitter)));
    child.kill().unwrap(); // SIGKILL
    // Commits it reported between our last read and the kill count too.
    for line in lines {
        if let Some(n) = line.ok().as_deref().and_then(committed) {
            reported = n;
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(
        status.signal(),
        Some(9),
        "child was not killed by SIGKILL: {status}"
    );

    let store = Store::open(dir.path()).unwrap();
    let check: String = store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let k = key("nhl", "crash");
    let rows = store.timeline(&k).unwrap().len() as u32;
    let plays = store.scoring_plays(&k).unwrap().len() as u32;
    let home = store
        .latest(&k)
        .unwrap()
        .and_then(|g| g.home.score)
        .unwrap_or(0);
    // Every reported commit is there; at most the one in flight past it (committed, unreported).
    assert!(
        rows == reported || rows == reported + 1,
        "{rows} timeline rows, {reported} reported"
    );
    assert!(
        plays >= reported && plays <= reported + 1,
        "{plays} plays, {reported} reported"
    );
    assert!(
        home >= reported && home <= reported + 1,
        "score {home}, {reported} reported"
    );
    // Each iteration is two transactions, so the game and its plays may differ by one.
    assert!(
        home == rows && (plays == rows || plays + 1 == rows),
        "{home} {rows} {plays}"
    );
}

#[test]
fn breaker_states_are_the_latest_transition_per_host() {
    let store = Store::open_in_memory().unwrap();
    assert!(store.breaker_states().unwrap().is_empty());
    let tr = |at, host: &str, state, reason: &str| BreakerTransition {
        at: t(at),
        host: host.into(),
        state,
        reason: reason.into(),
    };
    let rows = [
        tr(1, "b.example", BreakerState::Open, "5 failures in a row"),
        tr(2, "a.example", BreakerState::Open, "5 failures in a row"),
        tr(3, "b.example", BreakerState::HalfOpen, "cool-down over"),
        tr(
            4,
            "b.example",
            BreakerState::Closed,
            "trial request succeeded",
        ),
    ];
    for r in &rows {
        store.record_breaker(r).unwrap();
    }
    assert_eq!(
        store.breaker_states().unwrap(),
        vec![rows[1].clone(), rows[3].clone()]
    );
}
