//! Record and replay end to end: the shared FIFA World Cup sequence (eight real ESPN scoreboard
//! snapshots of 2026-07-07) imported as a recording and replayed through the real ESPN component
//! by the `scoreline` binary, twice; and a live emulator run recorded then replayed.

use crate::util;
use scoreline_core::events::EventFilter;
use scoreline_core::model::GameKey;
use scoreline_store::{Store, TimelineRow};

/// (status, period, home, away) per timeline row: what a replay must reproduce exactly. The
/// observation times are replay-clock readings and depend on pacing.
type Row = (String, Option<u32>, Option<u32>, Option<u32>);

fn timeline(store: &Store, id: &str) -> Vec<Row> {
    store
        .timeline(&GameKey::new("fifa.world", "espn", id))
        .unwrap()
        .into_iter()
        .map(|r: TimelineRow| (r.status.to_string(), r.period, r.home_score, r.away_score))
        .collect()
}

#[test]
fn the_fifa_sequence_replays_through_the_espn_adapter_to_its_final_scores_twice() {
    let Some((imported, runs)) = util::fifa_replays() else {
        return;
    };
    let seq = util::shared_fixtures("sequences/espn-fifa-world-2026-07-07").unwrap();
    assert!(
        imported.starts_with("imported 8 snapshot(s) into "),
        "{imported}"
    );
    let mut stores = Vec::new();
    for run in runs {
        assert!(
            run.stderr.contains("replay complete"),
            "ended by the replay, not the duration: {}",
            run.stderr
        );
        stores.push(Store::open(&run.data).unwrap());
    }

    // The stored finals match the last snapshot (TRUTH.md of the sequence).
    let last: serde_json::Value =
        serde_json::from_slice(&util::fixture(&seq, "0008-2026-07-07T23-47-06Z.json")).unwrap();
    let events = last["events"].as_array().unwrap();
    assert_eq!(events.len(), 32);
    for store in &stores {
        for e in events {
            let id = e["id"].as_str().unwrap();
            let game = store
                .latest(&GameKey::new("fifa.world", "espn", id))
                .unwrap()
                .unwrap_or_else(|| panic!("game {id} stored"));
            let comp = &e["competitions"][0];
            let state = comp["status"]["type"]["state"].as_str().unwrap();
            for c in comp["competitors"].as_array().unwrap() {
                let score: u32 = c["score"].as_str().unwrap().parse().unwrap();
                // ESPN sends "0" before kick-off; the adapter reports no score until play starts.
                let score = (state != "pre").then_some(score);
                let side = if c["homeAway"] == "home" {
                    &game.home
                } else {
                    &game.away
                };
                assert_eq!(
                    side.abbreviation,
                    c["team"]["abbreviation"].as_str().unwrap(),
                    "{id}"
                );
                assert_eq!(side.score, score, "{id} {}", side.abbreviation);
            }
            let expected = match state {
                "post" => "final",
                "pre" => "scheduled",
                other => panic!("{id}: unexpected state {other} in the last snapshot"),
            };
            assert_eq!(game.status.to_string(), expected, "{id}");
        }
        // The three games of the day, as TRUTH.md tells them.
        assert_eq!(
            timeline(store, "760507"),
            [
                ("live".into(), Some(1), Some(0), Some(0)),
                ("final".into(), Some(2), Some(1), Some(4)),
            ]
        );
        assert_eq!(
            timeline(store, "760509"),
            [
                ("scheduled".into(), None, None, None),
                ("live".into(), Some(2), Some(2), Some(2)),
                ("final".into(), Some(2), Some(3), Some(2)),
            ]
        );
        let sui_col = store
            .latest(&GameKey::new("fifa.world", "espn", "760508"))
            .unwrap()
            .unwrap();
        assert_eq!((sui_col.home.score, sui_col.away.score), (Some(0), Some(0)));
        assert!(sui_col.shootout, "SUI-COL went to penalties");
    }
    // Twice the same timeline, game by game.
    for e in events {
        let id = e["id"].as_str().unwrap();
        assert_eq!(timeline(&stores[0], id), timeline(&stores[1], id), "{id}");
    }
}

#[test]
fn replaying_the_fifa_sequence_into_a_store_that_has_it_adds_no_event() {
    let Some((imported, runs)) = util::fifa_replays() else {
        return;
    };
    let rec = imported
        .rsplit_once("(into ")
        .and_then(|(_, r)| r.strip_suffix(')'))
        .expect("the recording's folder");
    let once = &runs[0];
    // A copy of the first run's data directory, replayed into once more.
    let twice = once.data.with_file_name("twice");
    let _ = std::fs::remove_dir_all(&twice);
    std::fs::create_dir_all(&twice).unwrap();
    for entry in std::fs::read_dir(&once.data).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), twice.join(entry.file_name())).unwrap();
        }
    }
    let config = once.config.with_file_name("twice.toml");
    let text = std::fs::read_to_string(&once.config).unwrap().replace(
        &format!("data_dir = {:?}", once.data.to_str().unwrap()),
        &format!("data_dir = {:?}", twice.to_str().unwrap()),
    );
    assert!(text.contains("twice"), "{text}");
    std::fs::write(&config, text).unwrap();
    let out = util::scoreline(&[
        "--config",
        config.to_str().unwrap(),
        "run",
        "--replay",
        rec,
        "--speed",
        "7200",
        "--duration",
        "300",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("replay complete"), "{stderr}");

    let log = |data: &std::path::Path| -> Vec<(i64, String, String)> {
        Store::open(data)
            .unwrap()
            .events(&EventFilter::default())
            .unwrap()
            .into_iter()
            .map(|e| (e.seq, e.event.id, e.event.kind.as_str().to_owned()))
            .collect()
    };
    let first = log(&once.data);
    assert!(
        first.len() > 50,
        "a day of 32 games logs events: {}",
        first.len()
    );
    assert_eq!(log(&twice), first, "the second replay logged nothing");
    assert!(
        stderr.contains("stale copy dropped"),
        "the replay's snapshots are behind the stored finals: {stderr}"
    );
    assert_eq!(
        all_timelines(&Store::open(&twice).unwrap()),
        all_timelines(&Store::open(&once.data).unwrap())
    );
}

/// Every game's (status, period, home, away) timeline in a store.
fn all_timelines(store: &Store) -> std::collections::BTreeMap<String, Vec<Row>> {
    store
        .games(&scoreline_store::GameFilter::default())
        .unwrap()
        .into_iter()
        .map(|g| {
            let rows = store
                .timeline(&g.key)
                .unwrap()
                .into_iter()
                .map(|r| (r.status.to_string(), r.period, r.home_score, r.away_score))
                .collect();
            (format!("{}/{}", g.key.league, g.key.game_id), rows)
        })
        .collect()
}

#[test]
fn a_recorded_emulator_run_replays_to_the_same_timelines() {
    util::espn();
    let tmp = tempfile::tempdir().unwrap();
    let rec = tmp.path().join("rec");
    let write = |name: &str, emulator: bool| {
        let path = tmp.path().join(format!("{name}.toml"));
        let mut text = format!(
            "data_dir = {:?}\nplugin_dir = {:?}\n[http]\nenabled = false\n",
            tmp.path().join(name).to_str().unwrap(),
            util::plugin_dir().to_str().unwrap(),
        );
        if emulator {
            text.push_str(
                "[emulator]\nenabled = true\ngame_secs = 12\nstagger_secs = 2\n\
                 [upstream.overrides]\n\"site.api.espn.com\" = \"emulator\"\n",
            );
        }
        text.push_str(
            "[upstream]\nrate_per_sec = 100\n[upstream.cache]\nmax_age_cap_secs = 1\n\
             [[leagues]]\nkey = \"nhl\"\nadapter = \"espn\"\ntimezone = \"America/New_York\"\n\
             [leagues.cadence]\nlive_secs = 1\npregame_secs = 1\nidle_secs = 5\nsettle_secs = 2\npregame_window_secs = 60\n",
        );
        std::fs::write(&path, text).unwrap();
        path
    };
    let live = write("live", true);
    let out = util::scoreline(&[
        "--config",
        live.to_str().unwrap(),
        "run",
        "--duration",
        "20",
        "--record",
        rec.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let original = all_timelines(&Store::open(&tmp.path().join("live")).unwrap());
    let scored = original
        .values()
        .filter(|rows| rows.iter().any(|r| r.2.unwrap_or(0) + r.3.unwrap_or(0) > 0))
        .count();
    assert!(scored >= 1, "the recorded run saw scoring: {original:?}");
    let index = std::fs::read_to_string(rec.join("index.jsonl")).unwrap();
    assert!(index.lines().count() >= 10, "{index}");

    // The same config as the recording (emulator and its override included: a replay starts no
    // emulator and applies no override), then one without them.
    for (run, emulator) in [("replay1", true), ("replay2", false)] {
        let cfg = write(run, emulator);
        let out = util::scoreline(&[
            "--config",
            cfg.to_str().unwrap(),
            "run",
            "--replay",
            rec.to_str().unwrap(),
            "--speed",
            "60",
            "--duration",
            "90",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("replay complete"), "{stderr}");
        let replayed = all_timelines(&Store::open(&tmp.path().join(run)).unwrap());
        assert_eq!(replayed, original, "{run}");
    }
}
