//! Events end to end: the shared FIFA sequence replayed twice through the real ESPN component
//! gives the same event log (and one `score.changed` per multi-goal jump, with its deltas); a
//! poller restarted mid-game on the same store logs exactly the events of an uninterrupted run;
//! a held 0-0 glitch is never an event.

use crate::daemon::{
    NY, adapter, anchor, emulator_config, league, real_scores, rig, staggered, td, upstream,
};
use crate::util;
use chrono::{DateTime, Utc};
use scoreline::fetch::Fetcher;
use scoreline::poller::{LeaguePoller, StatusBoard};
use scoreline_core::events::{EventFilter, EventType, LoggedEvent};
use scoreline_core::model::GameKey;
use scoreline_emulator::Fault;
use scoreline_store::Store;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// (id, type, game, catch_up, data) of every logged event: what two replays must share (the
/// times are replay-clock readings and depend on pacing).
type Row = (String, EventType, String, bool, Value);

fn rows(events: &[LoggedEvent]) -> Vec<Row> {
    events
        .iter()
        .map(|l| {
            let e = &l.event;
            (
                e.id.clone(),
                e.kind,
                e.game_id.clone(),
                e.catch_up,
                e.data.clone(),
            )
        })
        .collect()
}

fn of_game<'a>(rows: &'a [Row], game: &str) -> Vec<&'a Row> {
    rows.iter().filter(|r| r.2 == game).collect()
}

fn kinds(rows: &[&Row]) -> Vec<(&'static str, bool)> {
    rows.iter().map(|r| (r.1.as_str(), r.3)).collect()
}

fn data<'a>(rows: &[&'a Row], kind: EventType) -> Vec<&'a Value> {
    rows.iter().filter(|r| r.1 == kind).map(|r| &r.4).collect()
}

fn period(p: u32, h: u32, a: u32) -> Value {
    json!({ "period": p, "home_score": h, "away_score": a })
}

#[test]
fn the_fifa_sequence_replayed_twice_logs_the_same_events() {
    let Some((_, runs)) = util::fifa_replays() else {
        return;
    };
    let mut logs = Vec::new();
    for run in runs {
        let cfg = &run.config;
        let stderr = &run.stderr;
        assert!(stderr.contains("replay complete"), "{stderr}");
        assert!(stderr.contains("event score.changed"), "{stderr}");
        let store = Store::open(&run.data).unwrap();
        logs.push(rows(&store.events(&EventFilter::default()).unwrap()));

        // The CLI reads the same log with no daemon running.
        let out = util::scoreline(&[
            "--config",
            cfg.to_str().unwrap(),
            "events",
            "--game",
            "760507",
            "--type",
            "score.changed,game.final",
            "--json",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
        let printed = printed["events"].as_array().unwrap();
        let stored = store
            .events(&EventFilter {
                game_id: Some("760507".into()),
                types: vec![EventType::ScoreChanged, EventType::GameFinal],
                ..EventFilter::default()
            })
            .unwrap();
        assert_eq!(printed.len(), 2);
        for (p, s) in printed.iter().zip(&stored) {
            assert_eq!(p["seq"], json!(s.seq));
            assert_eq!(p["id"], json!(s.event.id));
            assert_eq!(p["type"], json!(s.event.kind.as_str()));
            assert_eq!(p["league"], "fifa.world");
            assert_eq!(p["time"], json!(s.event.time));
            assert_eq!(p["data"], s.event.data);
        }
    }
    assert_eq!(logs[0], logs[1], "two replays, one event list");
    let log = &logs[0];
    let ids: BTreeSet<&String> = log.iter().map(|r| &r.0).collect();
    assert_eq!(ids.len(), log.len(), "ids are unique");

    // First sight of the 32 games: 21 finished before the day (started + final), 760507 live,
    // 10 scheduled; all catch-up.
    let first_poll: Vec<&Row> = log.iter().filter(|r| r.3).collect();
    let count = |k: EventType| first_poll.iter().filter(|r| r.1 == k).count();
    assert_eq!(count(EventType::GameStarted), 22);
    assert_eq!(count(EventType::GameFinal), 21);
    assert_eq!(count(EventType::GameScheduled), 10);
    assert_eq!(count(EventType::PeriodStarted), 1);
    assert_eq!(first_poll.len(), 54);

    let store = Store::open(&runs[0].data).unwrap();
    let team = |id: &str| {
        let g = store
            .latest(&GameKey::new("fifa.world", "espn", id))
            .unwrap()
            .unwrap();
        (g.home.id, g.away.id)
    };

    // 760507 USA-BEL: seen live at 0-0, next seen full time 1-4 (home +1, away +4).
    let usa_bel = of_game(log, "760507");
    assert_eq!(
        kinds(&usa_bel),
        [
            ("game.started", true),
            ("period.started", true),
            ("period.ended", false),
            ("period.started", false),
            ("score.changed", false),
            ("lead.changed", false),
            ("period.ended", false),
            ("game.final", false),
        ]
    );
    let (usa, bel) = team("760507");
    assert_eq!(usa_bel[1].4, period(1, 0, 0));
    assert_eq!(usa_bel[2].4, period(1, 1, 4));
    assert_eq!(
        data(&usa_bel, EventType::ScoreChanged),
        [&json!({
            "home_score": 1, "away_score": 4, "previous_home_score": 0, "previous_away_score": 0,
            "home_delta": 1, "away_delta": 4, "period": 2, "clock": "90'+4'", "plays": [],
        })]
    );
    assert_eq!(
        data(&usa_bel, EventType::LeadChanged),
        [
            &json!({ "leader": bel, "leader_side": "away", "previous_leader": null,
                  "home_score": 1, "away_score": 4 })
        ]
    );
    let fin = data(&usa_bel, EventType::GameFinal)[0];
    assert_eq!(
        (&fin["winner"], &fin["home_score"], &fin["away_score"]),
        (&json!(bel), &json!(1), &json!(4))
    );
    assert_ne!(usa, bel);

    // 760509 ARG-EGY: 0-0 -> 2-2 (one event, +2 +2, no lead change), then 2-2 -> 3-2.
    let arg_egy = of_game(log, "760509");
    assert_eq!(
        kinds(&arg_egy),
        [
            ("game.scheduled", true),
            ("game.started", false),
            ("period.started", false),
            ("period.ended", false),
            ("period.started", false),
            ("score.changed", false),
            ("score.changed", false),
            ("lead.changed", false),
            ("period.ended", false),
            ("game.final", false),
        ]
    );
    let deltas: Vec<(i64, i64, i64, i64)> = data(&arg_egy, EventType::ScoreChanged)
        .iter()
        .map(|d| {
            let n = |k: &str| d[k].as_i64().unwrap();
            (
                n("home_score"),
                n("away_score"),
                n("home_delta"),
                n("away_delta"),
            )
        })
        .collect();
    assert_eq!(deltas, [(2, 2, 2, 2), (3, 2, 1, 0)]);
    let (arg, _) = team("760509");
    assert_eq!(
        data(&arg_egy, EventType::LeadChanged)[0]["leader"],
        json!(arg)
    );

    // 760508 SUI-COL: second half, extra time, won on penalties 4-3 at 0-0.
    let sui_col = of_game(log, "760508");
    let types: Vec<&str> = kinds(&sui_col).into_iter().map(|k| k.0).collect();
    assert_eq!(
        types,
        [
            "game.scheduled",
            "game.started",
            "period.started",
            "period.ended",
            "period.started",
            "period.ended",
            "period.started",
            "period.ended",
            "period.started",
            "period.ended",
            "period.started",
            "period.ended",
            "game.final",
        ]
    );
    let (sui, _) = team("760508");
    let fin = data(&sui_col, EventType::GameFinal)[0];
    assert_eq!(fin["winner"], json!(sui));
    assert_eq!(
        (
            &fin["home_score"],
            &fin["away_score"],
            &fin["home_shootout"],
            &fin["away_shootout"],
            &fin["shootout"]
        ),
        (&json!(0), &json!(0), &json!(4), &json!(3), &json!(true))
    );
    // Three score changes all day, as TRUTH.md counts them.
    assert_eq!(
        log.iter()
            .filter(|r| r.1 == EventType::ScoreChanged)
            .count(),
        3
    );
}

/// Every logged event of a store as (id, type, game, catch_up, data).
fn logged(store: &Store) -> Vec<Row> {
    rows(&store.events(&EventFilter::default()).unwrap())
}

/// The poll times of a hockey game from 30 s before its start to 40 s after its end, every 10 s.
fn times(start: DateTime<Utc>, length_secs: i64) -> Vec<DateTime<Utc>> {
    (0..)
        .map(|i| start - td(30) + td(10 * i))
        .take_while(|t| *t <= start + td(length_secs + 40))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_mid_game_logs_exactly_the_events_of_an_uninterrupted_run() {
    const LENGTH: i64 = 300;
    let t0 = anchor();

    // Uninterrupted.
    let mut a = rig(
        "nhl",
        NY,
        t0,
        emulator_config(LENGTH as u64, 3600),
        5_000,
        Store::open_in_memory().unwrap(),
    )
    .await;
    let game = staggered(&a.emulator, "nhl", 0);
    let key = a.key(&game);
    let polls = times(game.start, LENGTH);
    for &t in &polls {
        a.poll(t).await;
    }
    let whole = logged(&a.store);
    a.emulator.shutdown().await;

    // The same polls, the poller dropped half way and rebuilt from the store.
    let mut b = rig(
        "nhl",
        NY,
        t0,
        emulator_config(LENGTH as u64, 3600),
        5_000,
        Store::open_in_memory().unwrap(),
    )
    .await;
    let (before, after) = polls.split_at(polls.len() / 2);
    for &t in before {
        b.poll(t).await;
    }
    let seq_at_restart = b.store.last_event_seq().unwrap();
    let restart_at = after[0];
    let fetcher = Fetcher::new(
        upstream(5_000),
        Some(b.emulator.base_url()),
        b.clock.clone(),
    )
    .unwrap();
    b.poller = LeaguePoller::new(
        league("nhl", NY),
        adapter(),
        fetcher,
        b.store.clone(),
        StatusBoard::default(),
        restart_at,
    )
    .unwrap();
    for &t in after {
        b.poll(t).await;
    }
    let resumed = logged(&b.store);
    b.emulator.shutdown().await;

    assert_eq!(resumed, whole, "a restart adds and loses nothing");
    let ids: BTreeSet<&String> = resumed.iter().map(|r| &r.0).collect();
    assert_eq!(ids.len(), resumed.len());
    assert!(seq_at_restart > 0 && (seq_at_restart as usize) < resumed.len());

    // The game's story is all there: started, scored, finished with the emulator's score.
    let story = of_game(&whole, &key.game_id);
    let (h, x) = real_scores(&game, game.start + td(LENGTH + 40));
    let (h, x) = (h.unwrap(), x.unwrap());
    assert!(h + x > 0, "the emulated game scored");
    assert_eq!(story[0].1, EventType::GameScheduled);
    assert_eq!(data(&story, EventType::GameStarted).len(), 1);
    let fin = data(&story, EventType::GameFinal);
    assert_eq!(fin.len(), 1);
    assert_eq!(
        (&fin[0]["home_score"], &fin[0]["away_score"]),
        (&json!(h), &json!(x))
    );
    // One scoring.play per stored play, and the first scorer is the first play's.
    let plays = a_plays(&b.store, &key);
    assert_eq!(plays.len() as u32, h + x, "hockey: one goal a play");
    let scoring = data(&story, EventType::ScoringPlay);
    assert_eq!(scoring.len(), plays.len());
    for (d, p) in scoring.iter().zip(&plays) {
        assert_eq!(d["sequence"], json!(p.sequence));
        assert_eq!(d["scorer_name"], json!(p.scorer_name));
        assert_eq!(
            (&d["home_score"], &d["away_score"]),
            (&json!(p.home_score), &json!(p.away_score))
        );
    }
    let first = data(&story, EventType::ScoringFirst);
    assert_eq!(first.len(), 1);
    assert_eq!(first[0]["scorer_name"], json!(plays[0].scorer_name));
    assert_eq!(first[0]["team"], json!(plays[0].team));
    // No score change is announced twice, and the last one reaches the final score.
    let changes: Vec<(u64, u64)> = data(&story, EventType::ScoreChanged)
        .iter()
        .map(|d| {
            (
                d["home_score"].as_u64().unwrap(),
                d["away_score"].as_u64().unwrap(),
            )
        })
        .collect();
    let distinct: BTreeSet<_> = changes.iter().collect();
    assert_eq!(distinct.len(), changes.len());
    assert_eq!(changes.last(), Some(&(u64::from(h), u64::from(x))));
}

fn a_plays(store: &Store, key: &GameKey) -> Vec<scoreline_core::model::ScoringPlay> {
    store.scoring_plays(key).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_held_zero_zero_glitch_is_never_an_event() {
    let t0 = anchor();
    let mut rig = rig(
        "nba",
        NY,
        t0,
        emulator_config(600, 3600),
        5_000,
        Store::open_in_memory().unwrap(),
    )
    .await;
    let game = staggered(&rig.emulator, "nba", 0);
    let t1 = game.start + td(120);
    rig.poll(t1).await;
    let before = rig.store.last_event_seq().unwrap();
    assert!(before > 0);

    rig.emulator.force(Fault::Glitch {
        game_id: game.id.clone(),
    });
    let r = rig.poll(t1 + td(10)).await;
    assert_eq!(r.held, 1, "{r:?}");
    assert_eq!(
        rig.store.last_event_seq().unwrap(),
        before,
        "the held glitch logged nothing"
    );

    // Not confirmed: discarded; what is logged next is the real change since t1, if any.
    let t = t1 + td(20);
    let r = rig.poll(t).await;
    assert_eq!((r.held, r.rejected), (0, 1), "{r:?}");
    let after = rig
        .store
        .events(&EventFilter {
            after_seq: Some(before),
            ..EventFilter::default()
        })
        .unwrap();
    let (h0, a0) = real_scores(&game, t1);
    let (h, a) = real_scores(&game, t);
    for l in &after {
        assert_eq!(l.event.game_id, game.id);
        assert_ne!(l.event.kind, EventType::ScoreCorrected, "{l:?}");
    }
    let changed: Vec<&Value> = after
        .iter()
        .filter(|l| l.event.kind == EventType::ScoreChanged)
        .map(|l| &l.event.data)
        .collect();
    if (h, a) == (h0, a0) {
        assert!(changed.is_empty(), "{changed:?}");
    } else {
        assert_eq!(changed.len(), 1);
        assert_eq!(
            (
                &changed[0]["previous_home_score"],
                &changed[0]["previous_away_score"],
                &changed[0]["home_score"],
                &changed[0]["away_score"]
            ),
            (&json!(h0), &json!(a0), &json!(h), &json!(a))
        );
    }
    // Nothing anywhere in the log reads 0-0 after the game had points.
    let all = rig.store.events(&EventFilter::default()).unwrap();
    assert!(
        all.iter()
            .filter(|l| l.event.game_id == game.id && l.seq > before)
            .all(|l| l.event.data["home_score"].as_u64().unwrap_or(1)
                + l.event.data["away_score"].as_u64().unwrap_or(1)
                > 0)
    );
    rig.emulator.shutdown().await;
}

/// A real game detail (ESPN, Cowboys 43-20 Rams, 13 scoring plays) parsed by the ESPN component
/// and diffed: first seen final with its plays, and as one jump from a 0-0 first quarter.
#[test]
fn a_real_nfl_detail_diffs_to_its_plays_first_scorer_and_final() {
    use scoreline_core::events::diff::{Snapshot, diff};
    let Some(dir) = util::shared_fixtures("espn") else {
        return;
    };
    let body = util::fixture(&dir, "summary-nfl-2023-10-29-final.json");
    let at = chrono::TimeZone::with_ymd_and_hms(&Utc, 2023, 10, 29, 21, 0, 0).unwrap();
    let d = crate::daemon::adapter()
        .parse_game_detail(
            &scoreline::sandbox::CallContext::new("nfl", at),
            "401547505",
            &body,
        )
        .unwrap();
    let key = GameKey::new("nfl", "espn", "401547505");
    let final_ = Snapshot {
        key: &key,
        game: &d.game,
        plays: Some(&d.scoring_plays),
        first_seen: (43, 20),
    };
    let events = diff(None, &final_, at);
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    let mut want = vec!["game.started"];
    want.extend(["scoring.play"; 13]);
    want.extend(["scoring.first", "game.final"]);
    assert_eq!(kinds, want);
    assert!(events.iter().all(|e| e.catch_up));
    let first = &events[14].data;
    assert_eq!(
        (
            &first["scorer_id"],
            &first["scorer_name"],
            &first["team"],
            &first["side"],
            &first["scorer_role"],
            &first["home_score"],
            &first["away_score"]
        ),
        (
            &json!("4242355"),
            &json!("Jake Ferguson"),
            &json!("6"),
            &json!("home"),
            &json!("scorer"),
            &json!(7),
            &json!(0)
        )
    );
    let fin = &events[15].data;
    assert_eq!(
        (
            &fin["winner"],
            &fin["home_score"],
            &fin["away_score"],
            &fin["overtime"]
        ),
        (&json!("6"), &json!(43), &json!(20), &json!(false))
    );

    // Seen at 0-0 in the first quarter with no plays, next seen final: one score.changed with
    // both deltas and the 13 plays that explain it; each play logged once, none catch-up.
    let mut q1 = d.game.clone();
    q1.status = scoreline_core::model::GameStatus::Live;
    q1.period = Some(1);
    q1.home.score = Some(0);
    q1.away.score = Some(0);
    let before = Snapshot {
        key: &key,
        game: &q1,
        plays: None,
        first_seen: (0, 0),
    };
    let after = Snapshot {
        first_seen: (0, 0),
        ..final_
    };
    let events = diff(Some(&before), &after, at);
    let changed: Vec<&Value> = events
        .iter()
        .filter(|e| e.kind == EventType::ScoreChanged)
        .map(|e| &e.data)
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (
            &changed[0]["home_delta"],
            &changed[0]["away_delta"],
            changed[0]["plays"].as_array().unwrap().len()
        ),
        (&json!(43), &json!(20), 13)
    );
    let plays = events
        .iter()
        .filter(|e| e.kind == EventType::ScoringPlay && !e.catch_up)
        .count();
    assert_eq!(plays, 13);
    // Diffing the final against itself says nothing: a re-poll is silent.
    assert!(diff(Some(&after), &after, at).is_empty());
}
