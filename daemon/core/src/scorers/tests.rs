//! The pure scorer rules: the first-scorer flag, each quality check and the three-way answers.

use super::*;
use crate::model::Competitor;
use chrono::TimeZone;
use std::collections::BTreeMap;

fn key() -> GameKey {
    GameKey::new("nhl", "nhl", "2024021015")
}

fn game(status: GameStatus, home: u32, away: u32) -> Game {
    let side = |id: &str, abbr: &str, score| Competitor {
        id: id.to_owned(),
        abbreviation: abbr.to_owned(),
        name: abbr.to_owned(),
        score: Some(score),
    };
    Game {
        status_detail: status.to_string(),
        period: Some(3),
        season: Some("20242025".into()),
        ..Game::new(
            "2024021015",
            "nhl",
            "hockey",
            status,
            side("1", "NJD", home),
            side("2", "NYR", away),
        )
    }
}

/// A goal: sequence, period, clock, team, scorer, score after.
fn goal(
    seq: u32,
    period: u32,
    clock: &str,
    team: &str,
    scorer: Option<&str>,
    h: u32,
    a: u32,
) -> ScoringPlay {
    ScoringPlay {
        sequence: seq,
        period: Some(period),
        clock: Some(clock.into()),
        team: team.into(),
        scorer_id: scorer.map(str::to_owned),
        scorer_name: scorer.map(|s| format!("Player {s}")),
        assists: vec![],
        kind: "goal".into(),
        points: 1,
        home_score: h,
        away_score: a,
        description: String::new(),
        details: BTreeMap::new(),
    }
}

fn kinds(issues: &[QualityIssue]) -> Vec<(IssueKind, Option<u32>)> {
    issues.iter().map(|i| (i.kind, i.sequence)).collect()
}

fn clean() -> Vec<ScoringPlay> {
    vec![
        goal(1, 1, "12:00", "2", Some("8478550"), 0, 1),
        goal(2, 1, "03:10", "1", Some("8479407"), 1, 1),
        goal(3, 3, "15:00", "1", Some("8479407"), 2, 1),
    ]
}

#[test]
fn the_first_scorer_is_the_lowest_sequence_from_nil_nil() {
    let plays = annotate(&clean());
    assert_eq!(
        plays.iter().map(|p| p.is_first_scorer).collect::<Vec<_>>(),
        [true, false, false]
    );
    assert_eq!(plays[0].play.scorer_id.as_deref(), Some("8478550"));
    // The stored first play does not score from 0-0 (the opener is missing): nobody is first.
    let mut late = clean();
    late.remove(0);
    assert!(annotate(&late).iter().all(|p| !p.is_first_scorer));
    // The JSON is the play's fields plus the flag.
    let v = serde_json::to_value(&plays[0]).unwrap();
    assert_eq!(v["sequence"], 1);
    assert_eq!(v["scorer_id"], "8478550");
    assert_eq!(v["home_score"], 0);
    assert_eq!(v["away_score"], 1);
    assert_eq!(v["is_first_scorer"], true);
}

#[test]
fn a_clean_game_has_no_issues() {
    assert_eq!(
        check_game(&key(), &game(GameStatus::Final, 2, 1), &clean()),
        vec![]
    );
}

#[test]
fn each_check_names_the_play() {
    let g = game(GameStatus::Live, 2, 1);
    // Two plays from 0-0.
    let mut two = clean();
    two[1] = goal(2, 1, "03:10", "1", Some("8479407"), 1, 0);
    two[2] = goal(3, 3, "15:00", "1", Some("8479407"), 2, 1);
    let found = check_game(&key(), &g, &two);
    assert!(
        kinds(&found).contains(&(IssueKind::TwoFirstScorers, Some(2))),
        "{found:?}"
    );
    assert!(found[0].detail.contains("plays 1, 2"), "{found:?}");
    // A gap: 1, 2, 4.
    let mut gap = clean();
    gap[2].sequence = 4;
    assert_eq!(
        kinds(&check_game(&key(), &g, &gap)),
        [(IssueKind::SequenceGap, Some(4))]
    );
    // Not numbered from 1.
    let mut from_two = clean();
    for p in &mut from_two {
        p.sequence += 1;
    }
    assert_eq!(
        kinds(&check_game(&key(), &g, &from_two)),
        [(IssueKind::SequenceGap, Some(2))]
    );
    // Out of order: the clock runs up within a period (hockey counts down).
    let mut clock = clean();
    clock[1].clock = Some("14:00".into());
    let found = check_game(&key(), &g, &clock);
    assert_eq!(kinds(&found), [(IssueKind::OutOfOrder, Some(2))]);
    assert!(
        found[0]
            .detail
            .contains("clock 14:00 after 12:00 in period 1"),
        "{found:?}"
    );
    // Out of order: a period goes back.
    let mut period = clean();
    period[2].period = Some(1);
    period[2].clock = Some("01:00".into());
    period[1].period = Some(2);
    let found = check_game(&key(), &g, &period);
    assert_eq!(kinds(&found), [(IssueKind::OutOfOrder, Some(3))]);
    assert!(
        found[0].detail.contains("period 1 after period 2"),
        "{found:?}"
    );
    // Out of order: a score goes back.
    let mut score = clean();
    score[2].home_score = 0;
    score[2].away_score = 2;
    assert!(kinds(&check_game(&key(), &g, &score)).contains(&(IssueKind::OutOfOrder, Some(3))));
    // No player.
    let mut nobody = clean();
    nobody[1].scorer_id = None;
    nobody[1].scorer_name = Some("  ".into());
    let found = check_game(&key(), &g, &nobody);
    assert_eq!(kinds(&found), [(IssueKind::NoPlayer, Some(2))]);
    assert!(found[0].detail.contains("names no player"));
}

#[test]
fn soccer_minutes_count_up_and_baseball_has_no_clock_order() {
    let mut g = game(GameStatus::Live, 1, 1);
    g.sport = "soccer".into();
    let mut plays = clean();
    plays.truncate(2);
    plays[0].clock = Some("23'".into());
    plays[1].clock = Some("45'+2'".into());
    assert_eq!(check_game(&key(), &g, &plays), vec![]);
    plays[1].clock = Some("12'".into());
    assert_eq!(
        kinds(&check_game(&key(), &g, &plays)),
        [(IssueKind::OutOfOrder, Some(2))]
    );
    g.sport = "baseball".into();
    assert_eq!(check_game(&key(), &g, &plays), vec![]);
}

#[test]
fn the_report_counts_games_and_takes_its_time() {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let mut bad = clean();
    bad[0].scorer_id = None;
    bad[0].scorer_name = None;
    let games = vec![
        (key(), game(GameStatus::Final, 2, 1), clean()),
        (
            GameKey::new("nhl", "nhl", "2"),
            game(GameStatus::Live, 2, 1),
            bad,
        ),
    ];
    let r = quality(&games, now);
    assert_eq!(
        (r.checked_at, r.games_checked, r.games_with_issues),
        (now, 2, 1)
    );
    assert_eq!(r.issues.len(), 1);
    assert_eq!(r.issues[0].key.game_id, "2");
}

#[test]
fn scored_is_unknown_until_final_and_settled() {
    let p = |a: &ScoredAnswer| (a.scored, a.first, a.settled);
    // Live: a scorer is `yes`; anyone else `unknown`, never `no`.
    let live = game(GameStatus::Live, 2, 1);
    assert_eq!(
        p(&scored(&key(), &live, &clean(), "8478550")),
        (Answer::Yes, Answer::Yes, false)
    );
    assert_eq!(
        p(&scored(&key(), &live, &clean(), "8479407")),
        (Answer::Yes, Answer::Unknown, false)
    );
    assert_eq!(
        p(&scored(&key(), &live, &clean(), "1")),
        (Answer::Unknown, Answer::Unknown, false)
    );
    // Final and the plays add up to 2-1: now `no` is known.
    let fin = game(GameStatus::Final, 2, 1);
    let a = scored(&key(), &fin, &clean(), "8479407");
    assert_eq!(p(&a), (Answer::Yes, Answer::No, true));
    assert_eq!(a.sequences, [2, 3]);
    assert_eq!(
        p(&scored(&key(), &fin, &clean(), "1")),
        (Answer::No, Answer::No, true)
    );
    // Final, but a goal is missing from the plays: still `unknown`, with the reason.
    let short = game(GameStatus::Final, 3, 1);
    let a = scored(&key(), &short, &clean(), "1");
    assert_eq!(p(&a), (Answer::Unknown, Answer::Unknown, false));
    assert_eq!(
        a.unsettled_reasons,
        ["plays add up to 2-1, the score is 3-1"]
    );
    // Final, but a play names nobody: `unknown` too.
    let mut nobody = clean();
    nobody[2].scorer_id = None;
    nobody[2].scorer_name = None;
    let a = scored(&key(), &fin, &nobody, "1");
    assert_eq!(p(&a), (Answer::Unknown, Answer::Unknown, false));
    assert!(
        a.unsettled_reasons[0].starts_with("no_player: play 3"),
        "{a:?}"
    );
    // A final 0-0 with no plays: nobody scored.
    let nil = game(GameStatus::Final, 0, 0);
    assert_eq!(
        p(&scored(&key(), &nil, &[], "1")),
        (Answer::No, Answer::No, true)
    );
    let v = serde_json::to_value(scored(&key(), &live, &clean(), "1")).unwrap();
    assert_eq!(v["scored"], "unknown");
    assert_eq!(v["game_state"], "live");
}
