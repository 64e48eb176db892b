//! Table-driven tests of the diff: snapshots in, the exact event list out (type, catch-up flag,
//! data), for every event type and every sport the adapters cover.

use super::*;
use crate::model::Competitor;
use chrono::TimeZone;
use std::collections::BTreeMap;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 7, 20, 0, 0).unwrap()
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 7, 7, 19, 0, 0).unwrap()
}

/// A game of `sport` between home `H` (id 1) and away `A` (id 2).
fn game(sport: &str, status: GameStatus, period: Option<u32>, score: Option<(u32, u32)>) -> Game {
    let side = |id: &str, abbr: &str, s: Option<u32>| Competitor {
        id: id.into(),
        abbreviation: abbr.into(),
        name: format!("{abbr} name"),
        score: s,
    };
    Game {
        id: "g1".into(),
        league: "lg".into(),
        sport: sport.into(),
        status,
        status_detail: status.as_str().into(),
        period,
        clock: None,
        clock_seconds: None,
        start_time: Some(start()),
        season: None,
        season_type: None,
        week: None,
        venue: Some("Arena".into()),
        overtime: false,
        extra_time: false,
        shootout: false,
        home: side("1", "HOM", score.map(|s| s.0)),
        away: side("2", "AWY", score.map(|s| s.1)),
        details: BTreeMap::new(),
    }
}

fn live(sport: &str, period: u32, h: u32, a: u32) -> Game {
    game(sport, GameStatus::Live, Some(period), Some((h, a)))
}

fn play(sequence: u32, team: &str, scorer: &str, points: u32, h: u32, a: u32) -> ScoringPlay {
    ScoringPlay {
        sequence,
        period: Some(1),
        clock: Some("10:00".into()),
        team: team.into(),
        scorer_id: Some(format!("{scorer}-id")),
        scorer_name: Some(scorer.into()),
        assists: Vec::new(),
        kind: "goal".into(),
        points,
        home_score: h,
        away_score: a,
        description: format!("{scorer} scores"),
        details: BTreeMap::new(),
    }
}

fn key() -> GameKey {
    GameKey::new("lg", "espn", "g1")
}

/// An event as the tables expect it: (type, catch_up, data).
type Out = (&'static str, bool, Value);

/// One diff: (type, catch_up, data) of each event.
fn run(
    prev: Option<(&Game, Option<&[ScoringPlay]>)>,
    next: (&Game, Option<&[ScoringPlay]>),
    first_seen: (u32, u32),
) -> Vec<Out> {
    let k = key();
    let prev = prev.map(|(game, plays)| Snapshot {
        key: &k,
        game,
        plays,
        first_seen,
    });
    let next = Snapshot {
        key: &k,
        game: next.0,
        plays: next.1,
        first_seen,
    };
    let events = diff(prev.as_ref(), &next, now());
    for e in &events {
        assert_eq!(e.time, now());
        assert_eq!((e.game_id.as_str(), e.league.as_str()), ("g1", "lg"));
        assert_eq!(e.teams, ["1", "HOM", "2", "AWY"]);
    }
    events
        .into_iter()
        .map(|e| (e.kind.as_str(), e.catch_up, e.data))
        .collect()
}

fn period(p: u32, h: u32, a: u32) -> Value {
    json!({ "period": p, "home_score": h, "away_score": a })
}

fn teams() -> (Value, Value) {
    (
        json!({ "id": "1", "abbreviation": "HOM", "name": "HOM name" }),
        json!({ "id": "2", "abbreviation": "AWY", "name": "AWY name" }),
    )
}

fn changed(ph: u32, pa: u32, h: u32, a: u32, p: u32, plays: Vec<Value>) -> Value {
    json!({
        "home_score": h, "away_score": a,
        "previous_home_score": ph, "previous_away_score": pa,
        "home_delta": i64::from(h) - i64::from(ph), "away_delta": i64::from(a) - i64::from(pa),
        "period": p, "clock": null, "plays": plays,
    })
}

fn lead(leader: &str, side: &str, prev: Option<&str>, h: u32, a: u32) -> Value {
    json!({ "leader": leader, "leader_side": side, "previous_leader": prev,
            "home_score": h, "away_score": a })
}

fn pj(pl: &ScoringPlay, side: &str) -> Value {
    json!({
        "sequence": pl.sequence, "team": pl.team, "side": side,
        "scorer_id": pl.scorer_id, "scorer_name": pl.scorer_name, "kind": pl.kind,
        "points": pl.points, "period": pl.period, "clock": pl.clock,
        "home_score": pl.home_score, "away_score": pl.away_score,
        "description": pl.description,
    })
}

fn first(pl: &ScoringPlay, side: &str, role: &str) -> Value {
    let mut v = pj(pl, side);
    v["scorer_role"] = json!(role);
    v
}

fn fin(
    winner: Option<(&str, &str)>,
    h: u32,
    a: u32,
    so: (Option<u32>, Option<u32>),
    flags: (bool, bool, bool),
    period: u32,
) -> Value {
    json!({
        "winner": winner.map(|w| w.0), "winner_side": winner.map(|w| w.1),
        "home_score": h, "away_score": a,
        "home_shootout": so.0, "away_shootout": so.1,
        "overtime": flags.0, "extra_time": flags.1, "shootout": flags.2,
        "period": period, "status_detail": "final",
    })
}

#[test]
fn lifecycle_of_a_hockey_game_with_a_shootout() {
    let (home, away) = teams();
    let sched = game("hockey", GameStatus::Scheduled, None, None);
    let p1 = live("hockey", 1, 0, 0);
    let goal = live("hockey", 1, 1, 0);
    let int1 = game("hockey", GameStatus::Intermission, Some(1), Some((1, 0)));
    let p2 = live("hockey", 2, 1, 1);
    let p3 = live("hockey", 3, 2, 2);
    let mut so = game("hockey", GameStatus::Final, Some(5), Some((3, 2)));
    so.overtime = true;
    so.shootout = true;
    let table: Vec<(Option<&Game>, &Game, Vec<Out>)> = vec![
        (
            None,
            &sched,
            vec![(
                "game.scheduled",
                true,
                json!({ "start_time": start(), "status": "scheduled", "venue": "Arena",
                        "home": home, "away": away }),
            )],
        ),
        (
            Some(&sched),
            &p1,
            vec![
                (
                    "game.started",
                    false,
                    json!({ "start_time": start(), "status": "live", "period": 1,
                            "home": home, "away": away, "home_score": 0, "away_score": 0 }),
                ),
                ("period.started", false, period(1, 0, 0)),
            ],
        ),
        (
            Some(&p1),
            &goal,
            vec![
                ("score.changed", false, changed(0, 0, 1, 0, 1, vec![])),
                ("lead.changed", false, lead("1", "home", None, 1, 0)),
            ],
        ),
        (
            Some(&goal),
            &int1,
            vec![("period.ended", false, period(1, 1, 0))],
        ),
        (
            Some(&int1),
            &p2,
            vec![
                ("period.started", false, period(2, 1, 1)),
                ("score.changed", false, changed(1, 0, 1, 1, 2, vec![])),
                (
                    "game.tied",
                    false,
                    json!({ "previous_leader": "1", "home_score": 1, "away_score": 1 }),
                ),
            ],
        ),
        (
            Some(&p3),
            &so,
            vec![
                ("period.ended", false, period(3, 3, 2)),
                ("period.started", false, period(4, 3, 2)),
                ("period.ended", false, period(4, 3, 2)),
                ("period.started", false, period(5, 3, 2)),
                ("score.changed", false, changed(2, 2, 3, 2, 5, vec![])),
                ("lead.changed", false, lead("1", "home", None, 3, 2)),
                ("period.ended", false, period(5, 3, 2)),
                (
                    "game.final",
                    false,
                    fin(
                        Some(("1", "home")),
                        3,
                        2,
                        (None, None),
                        (true, false, true),
                        5,
                    ),
                ),
            ],
        ),
        // A re-poll of the same snapshot says nothing.
        (Some(&so), &so, vec![]),
    ];
    for (i, (prev, next, want)) in table.into_iter().enumerate() {
        assert_eq!(
            run(prev.map(|g| (g, None)), (next, None), (0, 0)),
            want,
            "row {i}"
        );
    }
}

#[test]
fn soccer_extra_time_and_penalties_and_a_multi_goal_jump() {
    // SUI-COL of the shared FIFA sequence (760508): second half, extra time, won on penalties 4-3.
    let h2 = live("soccer", 2, 0, 0);
    let mut et = live("soccer", 4, 0, 0);
    et.extra_time = true;
    let mut pens = game("soccer", GameStatus::Final, Some(5), Some((0, 0)));
    pens.extra_time = true;
    pens.shootout = true;
    pens.details.insert("home_shootout".into(), "4".into());
    pens.details.insert("away_shootout".into(), "3".into());
    assert_eq!(
        run(Some((&h2, None)), (&et, None), (0, 0)),
        vec![
            ("period.ended", false, period(2, 0, 0)),
            ("period.started", false, period(3, 0, 0)),
            ("period.ended", false, period(3, 0, 0)),
            ("period.started", false, period(4, 0, 0)),
        ]
    );
    assert_eq!(
        run(Some((&et, None)), (&pens, None), (0, 0)),
        vec![
            ("period.ended", false, period(4, 0, 0)),
            ("period.started", false, period(5, 0, 0)),
            ("period.ended", false, period(5, 0, 0)),
            (
                "game.final",
                false,
                fin(
                    Some(("1", "home")),
                    0,
                    0,
                    (Some(4), Some(3)),
                    (false, true, true),
                    5
                ),
            ),
        ]
    );
    // USA-BEL (760507): first seen in the first half at 0-0, next seen full time 1-4.
    let first = live("soccer", 1, 0, 0);
    let ft = game("soccer", GameStatus::Final, Some(2), Some((1, 4)));
    assert_eq!(
        run(None, (&first, None), (0, 0))
            .into_iter()
            .map(|(t, c, _)| (t, c))
            .collect::<Vec<_>>(),
        [("game.started", true), ("period.started", true)]
    );
    assert_eq!(
        run(Some((&first, None)), (&ft, None), (0, 0)),
        vec![
            ("period.ended", false, period(1, 1, 4)),
            ("period.started", false, period(2, 1, 4)),
            ("score.changed", false, changed(0, 0, 1, 4, 2, vec![])),
            ("lead.changed", false, lead("2", "away", None, 1, 4)),
            ("period.ended", false, period(2, 1, 4)),
            (
                "game.final",
                false,
                fin(
                    Some(("2", "away")),
                    1,
                    4,
                    (None, None),
                    (false, false, false),
                    2
                ),
            ),
        ]
    );
    // ARG-EGY (760509): scheduled, then 2-2 in the second half (tied all along: no lead event).
    let sched = game("soccer", GameStatus::Scheduled, None, None);
    let h2 = live("soccer", 2, 2, 2);
    let kinds: Vec<&str> = run(Some((&sched, None)), (&h2, None), (0, 0))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        kinds,
        [
            "game.started",
            "period.started",
            "period.ended",
            "period.started",
            "score.changed"
        ]
    );
    // A drawn final with no shootout has no winner.
    let draw = game("soccer", GameStatus::Final, Some(2), Some((1, 1)));
    assert_eq!(
        run(Some((&draw, None)), (&draw, None), (0, 0)),
        vec![],
        "a re-poll"
    );
    let events = run(None, (&draw, None), (0, 0));
    assert_eq!(
        events,
        vec![
            (
                "game.started",
                true,
                json!({ "start_time": start(), "status": "final", "period": 2,
                        "home": teams().0, "away": teams().1, "home_score": 1, "away_score": 1 }),
            ),
            (
                "game.final",
                true,
                fin(None, 1, 1, (None, None), (false, false, false), 2)
            ),
        ]
    );
}

#[test]
fn football_multi_score_jump_is_one_score_changed_with_its_plays() {
    let before = live("football", 1, 0, 0);
    let after = live("football", 2, 14, 3);
    let known = [
        play(1, "1", "Ferguson", 7, 7, 0),
        play(2, "2", "Kicker", 3, 7, 3),
        play(3, "1", "Lamb", 7, 14, 3),
    ];
    let events = run(
        Some((&before, Some(&known[..0]))),
        (&after, Some(&known[..])),
        (0, 0),
    );
    let plays: Vec<Value> = vec![
        pj(&known[0], "home"),
        pj(&known[1], "away"),
        pj(&known[2], "home"),
    ];
    assert_eq!(
        events,
        vec![
            ("period.ended", false, period(1, 14, 3)),
            ("period.started", false, period(2, 14, 3)),
            (
                "score.changed",
                false,
                changed(0, 0, 14, 3, 2, plays.clone())
            ),
            ("lead.changed", false, lead("1", "home", None, 14, 3)),
            ("scoring.play", false, plays[0].clone()),
            ("scoring.play", false, plays[1].clone()),
            ("scoring.play", false, plays[2].clone()),
            ("scoring.first", false, first(&known[0], "home", "scorer")),
        ]
    );
}

#[test]
fn baseball_first_run_credits_the_batter_and_delays() {
    let top3 = live("baseball", 3, 0, 0);
    let scored = live("baseball", 3, 0, 2);
    let homer = [ScoringPlay {
        kind: "home-run".into(),
        ..play(1, "2", "Batter", 2, 0, 2)
    }];
    // The scoreboard first: the score moves, the plays are not known yet.
    assert_eq!(
        run(Some((&top3, None)), (&scored, None), (0, 0)),
        vec![
            ("score.changed", false, changed(0, 0, 0, 2, 3, vec![])),
            ("lead.changed", false, lead("2", "away", None, 0, 2)),
        ]
    );
    // Then the game detail: the play and the first run, credited to the batter.
    assert_eq!(
        run(Some((&scored, None)), (&scored, Some(&homer[..])), (0, 0)),
        vec![
            ("scoring.play", false, pj(&homer[0], "away")),
            ("scoring.first", false, first(&homer[0], "away", "batter")),
        ]
    );
    // Rain in the fifth, then suspended.
    let delayed = game("baseball", GameStatus::Delayed, Some(5), Some((0, 2)));
    let suspended = game("baseball", GameStatus::Suspended, Some(5), Some((0, 2)));
    let delay = |status: &str| {
        json!({ "status": status, "status_detail": status, "period": 5,
                "home_score": 0, "away_score": 2 })
    };
    assert_eq!(
        run(
            Some((&live("baseball", 5, 0, 2), None)),
            (&delayed, None),
            (0, 0)
        ),
        vec![("game.delayed", false, delay("delayed"))]
    );
    assert_eq!(
        run(Some((&delayed, None)), (&suspended, None), (0, 0)),
        vec![("game.delayed", false, delay("suspended"))]
    );
    assert_eq!(
        run(Some((&delayed, None)), (&delayed, None), (0, 0)),
        vec![]
    );
}

#[test]
fn postponed_and_rescheduled() {
    let sched = game("basketball", GameStatus::Scheduled, None, None);
    let post = game("basketball", GameStatus::Postponed, None, None);
    let mut moved = sched.clone();
    moved.start_time = Some(start() + chrono::Duration::days(1));
    let postponed = json!({ "status": "postponed", "status_detail": "postponed",
                            "start_time": start() });
    assert_eq!(
        run(Some((&sched, None)), (&post, None), (0, 0)),
        vec![("game.postponed", false, postponed.clone())]
    );
    assert_eq!(
        run(None, (&post, None), (0, 0)),
        vec![("game.postponed", true, postponed)]
    );
    assert_eq!(
        run(Some((&post, None)), (&moved, None), (0, 0)),
        vec![(
            "game.scheduled",
            false,
            json!({ "start_time": moved.start_time, "status": "scheduled", "venue": "Arena",
                    "home": teams().0, "away": teams().1 }),
        )]
    );
}

#[test]
fn corrections_of_the_score_and_of_plays() {
    let two_one = live("hockey", 2, 2, 1);
    let one_one = live("hockey", 2, 1, 1);
    assert_eq!(
        run(Some((&two_one, None)), (&one_one, None), (0, 0)),
        vec![(
            "score.corrected",
            false,
            json!({ "reason": "score_decreased", "home_score": 1, "away_score": 1,
                    "previous_home_score": 2, "previous_away_score": 1,
                    "home_delta": -1, "away_delta": 0 }),
        )]
    );
    // The second goal is overturned; the sequence is then reused for another scorer.
    let a = play(1, "1", "Marchand", 1, 1, 0);
    let b = play(2, "1", "Pastrnak", 1, 2, 0);
    let b2 = play(2, "2", "Kreider", 1, 1, 1);
    let removed = |pl: &ScoringPlay, h: u32, x: u32| {
        json!({ "reason": "play_removed", "play": pj(pl, "home"),
                "home_score": h, "away_score": x })
    };
    let before = [a.clone(), b.clone()];
    let after = [a.clone()];
    assert_eq!(
        run(
            Some((&two_one, Some(&before[..]))),
            (&two_one, Some(&after[..])),
            (0, 0)
        ),
        vec![("score.corrected", false, removed(&b, 2, 1))]
    );
    let reused = [a.clone(), b2.clone()];
    assert_eq!(
        run(
            Some((&one_one, Some(&before[..]))),
            (&one_one, Some(&reused[..])),
            (0, 0)
        ),
        vec![
            ("score.corrected", false, removed(&b, 1, 1)),
            ("scoring.play", false, pj(&b2, "away")),
        ]
    );
    // The first goal is credited to another player: a new scoring.first.
    let a2 = play(1, "1", "Zacha", 1, 1, 0);
    let recredited = [a2.clone()];
    assert_eq!(
        run(
            Some((&one_one, Some(&after[..]))),
            (&one_one, Some(&recredited[..])),
            (0, 0)
        ),
        vec![
            ("score.corrected", false, removed(&a, 1, 1)),
            ("scoring.play", false, pj(&a2, "home")),
            ("scoring.first", false, first(&a2, "home", "scorer")),
        ]
    );
}

#[test]
fn plays_learnt_late_are_catch_up_up_to_the_score_first_seen() {
    // First seen at 2-0 with no plays known; the first detail brings three goals.
    let g = live("hockey", 2, 3, 0);
    let plays = [
        play(1, "1", "A", 1, 1, 0),
        play(2, "1", "B", 1, 2, 0),
        play(3, "1", "C", 1, 3, 0),
    ];
    let flags: Vec<(&str, bool)> = run(Some((&g, None)), (&g, Some(&plays[..])), (2, 0))
        .into_iter()
        .map(|(t, c, _)| (t, c))
        .collect();
    assert_eq!(
        flags,
        [
            ("scoring.play", true),
            ("scoring.play", true),
            ("scoring.play", false),
            ("scoring.first", true),
        ]
    );
    // First sight with plays known: everything is catch-up.
    let flags: Vec<(&str, bool)> = run(None, (&g, Some(&plays[..])), (3, 0))
        .into_iter()
        .map(|(t, c, _)| (t, c))
        .collect();
    assert_eq!(
        flags,
        [
            ("game.started", true),
            ("period.started", true),
            ("scoring.play", true),
            ("scoring.play", true),
            ("scoring.play", true),
            ("scoring.first", true),
        ]
    );
    // An intermission first seen ends its period.
    let int = game("hockey", GameStatus::Intermission, Some(2), Some((3, 0)));
    let kinds: Vec<&str> = run(None, (&int, None), (3, 0))
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(kinds, ["game.started", "period.ended"]);
}

#[test]
fn ids_derive_from_content_and_are_stable() {
    let k = key();
    let ids = |prev: &Game, next: &Game| -> Vec<String> {
        let p = Snapshot {
            key: &k,
            game: prev,
            plays: None,
            first_seen: (0, 0),
        };
        let n = Snapshot {
            key: &k,
            game: next,
            plays: None,
            first_seen: (0, 0),
        };
        diff(Some(&p), &n, now())
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    // The rule, spelt out once.
    assert_eq!(
        event_id(&k, EventType::ScoreChanged, "1-0"),
        hex::encode(Sha256::digest(b"lg/espn/g1|score.changed|1-0"))
    );
    // The same change seen at another time, or through other intermediate polls, has one id.
    let a = ids(&live("hockey", 1, 0, 0), &live("hockey", 1, 1, 0));
    let k2 = k.clone();
    let later = diff(
        Some(&Snapshot {
            key: &k2,
            game: &live("hockey", 1, 0, 0),
            plays: None,
            first_seen: (0, 0),
        }),
        &Snapshot {
            key: &k2,
            game: &live("hockey", 1, 1, 0),
            plays: None,
            first_seen: (0, 0),
        },
        now() + chrono::Duration::hours(1),
    );
    assert_eq!(a, later.into_iter().map(|e| e.id).collect::<Vec<_>>());
    assert_eq!(
        a,
        [
            event_id(&k, EventType::ScoreChanged, "1-0"),
            event_id(&k, EventType::LeadChanged, "1|1-0"),
        ]
    );
    // Another score, another period, another game: other ids.
    let b = ids(&live("hockey", 1, 1, 0), &live("hockey", 1, 2, 0));
    assert_eq!(b, [event_id(&k, EventType::ScoreChanged, "2-0")]);
    assert_ne!(a[0], b[0]);
    let other = GameKey::new("lg", "espn", "g2");
    assert_ne!(
        event_id(&k, EventType::PeriodStarted, "2"),
        event_id(&other, EventType::PeriodStarted, "2")
    );
    assert_ne!(
        event_id(&k, EventType::PeriodStarted, "2"),
        event_id(&k, EventType::PeriodEnded, "2")
    );
    // Every event of one diff has its own id.
    let mut so = game("hockey", GameStatus::Final, Some(5), Some((3, 2)));
    so.shootout = true;
    let mut all = ids(&game("hockey", GameStatus::Scheduled, None, None), &so);
    assert_eq!(all.len(), 14);
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 14);
}
