//! The plugin author's kit end to end: `scoreline plugin new demo` in a copy of the workspace
//! (the SDK, the WIT contract, the lock file and an empty `plugins/`), then `scoreline plugin test
//! plugins/demo` builds the new component and passes its golden cases; the crate builds without a
//! warning and its native unit test passes; a changed body fails with a readable diff. A package
//! named with underscores builds and passes too, and the ESPN component passes its own golden
//! cases.

use crate::util;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), &dest).unwrap();
        }
    }
}

/// A workspace with the SDK and no adapter yet, as a plugin author's checkout is before `new`.
fn workspace(dir: &Path) {
    let root = util::root();
    copy_dir(&root.join("plugin-sdk"), &dir.join("plugin-sdk"));
    copy_dir(&root.join("wit"), &dir.join("wit"));
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(dir.join("plugins")).unwrap();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let members = manifest
        .lines()
        .find(|l| l.starts_with("members = "))
        .unwrap();
    // Only the crates copied here; the rest of the file (workspace dependencies, lints, the guest
    // profile) as it is.
    let manifest = manifest.replace(members, r#"members = ["plugin-sdk", "plugins/*"]"#);
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
}

/// Compiled dependencies are shared with the suite's own builds.
fn target() -> PathBuf {
    util::root().join("target")
}

fn scoreline(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scoreline"))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target())
        .args(args)
        .output()
        .expect("run scoreline")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A copy of the workspace (see [`workspace`]) in which `scoreline plugin new demo` has run.
fn with_new_demo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    workspace(tmp.path());
    let new = scoreline(tmp.path(), &["plugin", "new", "demo"]);
    assert!(new.status.success(), "{}", text(&new.stderr));
    tmp
}

#[test]
fn a_new_plugin_builds_without_warnings_and_passes_its_golden_cases() {
    let tmp = with_new_demo();
    let ws = tmp.path();
    for file in [
        "Cargo.toml",
        "src/lib.rs",
        "README.md",
        "sample.toml",
        "testdata/cases.toml",
        "testdata/scoreboard.json",
        "testdata/scoreboard.expected.json",
        "testdata/detail.json",
        "testdata/detail.expected.json",
    ] {
        assert!(ws.join("plugins/demo").join(file).is_file(), "{file}");
    }
    // A second `new` of the same name changes nothing and says why.
    let again = scoreline(ws, &["plugin", "new", "demo"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"));

    let test = scoreline(ws, &["plugin", "test", "plugins/demo"]);
    let out = text(&test.stdout);
    assert!(test.status.success(), "{out}\n{}", text(&test.stderr));
    assert!(
        out.contains("scoreline-plugin-demo: 2 cases, 2 passed, 0 failed"),
        "{out}"
    );

    // No warning from the generated crate, for the component or natively with its unit test.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    for args in [
        &["build", "--target", "wasm32-wasip2", "--profile", "guest"][..],
        &["test", "--no-run"][..],
    ] {
        let build = Command::new(&cargo)
            .current_dir(ws)
            .env("CARGO_TARGET_DIR", target())
            .args(args)
            .args(["-p", "scoreline-plugin-demo", "--message-format=json"])
            .output()
            .unwrap();
        assert!(build.status.success(), "{}", text(&build.stderr));
        let warnings: Vec<String> = text(&build.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|m| {
                m["reason"] == "compiler-message"
                    && m["message"]["level"] == "warning"
                    && m["package_id"]
                        .as_str()
                        .is_some_and(|p| p.contains("plugins/demo"))
            })
            .map(|m| m["message"]["rendered"].to_string())
            .collect();
        assert!(warnings.is_empty(), "{args:?}: {warnings:?}");
    }
    let unit = Command::new(&cargo)
        .current_dir(ws)
        .env("CARGO_TARGET_DIR", target())
        .args(["test", "-q", "-p", "scoreline-plugin-demo"])
        .output()
        .unwrap();
    assert!(unit.status.success(), "{}", text(&unit.stdout));

    // A body that no longer matches its golden: non-zero, and the diff names the line.
    let body = ws.join("plugins/demo/testdata/scoreboard.json");
    let changed =
        std::fs::read_to_string(&body)
            .unwrap()
            .replacen("\"score\": 2", "\"score\": 3", 1);
    std::fs::write(&body, changed).unwrap();
    let test = scoreline(ws, &["plugin", "test", "plugins/demo"]);
    let out = text(&test.stdout);
    assert!(!test.status.success());
    assert!(
        out.contains("MISMATCH a scoreboard with a live and a final game"),
        "{out}"
    );
    assert!(
        out.contains("-        \"score\": 2\n+        \"score\": 3"),
        "{out}"
    );
    assert!(
        out.contains("ok       a game detail with three goals"),
        "{out}"
    );
    assert!(text(&test.stderr).contains("1 of 2 golden cases failed"));
}

/// The ESPN component passes the golden cases in `plugins/espn/testdata/cases.toml`, as
/// `scoreline plugin test plugins/espn` runs them: the built component, in the sandbox.
#[test]
fn the_espn_component_passes_its_golden_cases() {
    let adapter = util::sandbox(|_| {}).load_file(&util::espn()).unwrap();
    let testdata = util::root().join("plugins/espn/testdata");
    let verdicts = scoreline::plugin_kit::run_cases(&adapter, &testdata, false).unwrap();
    assert_eq!(verdicts.len(), 4);
    for (name, verdict) in verdicts {
        assert!(
            matches!(verdict, scoreline::plugin_kit::Verdict::Pass),
            "{name}: {verdict:?}"
        );
    }
}

/// A package named with underscores, and a lib target named otherwise, still builds: cargo's
/// artifacts are matched to packages by id, not by comparing names.
#[test]
fn a_plugin_named_with_underscores_and_its_own_lib_name_builds_and_passes() {
    let tmp = with_new_demo();
    let ws = tmp.path();
    let manifest = ws.join("plugins/demo/Cargo.toml");
    let renamed = std::fs::read_to_string(&manifest)
        .unwrap()
        .replace(r#"name = "scoreline-plugin-demo""#, r#"name = "demo_feed""#)
        .replace("[lib]\n", "[lib]\nname = \"feed\"\n");
    assert!(renamed.contains(r#"name = "demo_feed""#) && renamed.contains(r#"name = "feed""#));
    std::fs::write(&manifest, renamed).unwrap();

    let test = scoreline(ws, &["plugin", "test", "plugins/demo"]);
    let out = text(&test.stdout);
    assert!(test.status.success(), "{out}\n{}", text(&test.stderr));
    assert!(
        out.contains("demo_feed: 2 cases, 2 passed, 0 failed"),
        "{out}"
    );
}

/// The versioning promise: a component built against `scoreline:adapter@0.1.0` keeps loading
/// and answering, whatever the contract becomes (see `tests/data/contract-0.1.0/README.md`).
#[test]
fn a_component_built_against_contract_0_1_0_still_loads_and_parses() {
    let frozen = util::root().join("tests/data/contract-0.1.0/demo.wasm");
    let adapter = util::load(&frozen);
    assert_eq!(adapter.info().name, "demo");
    assert_eq!(adapter.info().hosts, ["scores.example.com"]);
    let template = util::root().join("daemon/src/plugin_kit/template/testdata");
    let ctx = scoreline::sandbox::CallContext::new("demo", chrono::Utc::now());
    let board = adapter
        .parse_scoreboard(
            &ctx,
            &std::fs::read(template.join("scoreboard.json")).unwrap(),
        )
        .unwrap();
    assert_eq!(board.games.len(), 2);
    assert_eq!(
        (board.games[0].home.score, board.games[0].away.score),
        (Some(2), Some(1))
    );
    let detail = adapter
        .parse_game_detail(
            &ctx,
            "1001",
            &std::fs::read(template.join("detail.json")).unwrap(),
        )
        .unwrap();
    let plays: Vec<(Option<&str>, u32, u32)> = detail
        .scoring_plays
        .iter()
        .map(|p| (p.scorer_name.as_deref(), p.home_score, p.away_score))
        .collect();
    assert_eq!(
        plays,
        [
            (Some("Ada Marsh"), 0, 1),
            (Some("Ben Okafor"), 1, 1),
            (Some("Cy Lund"), 2, 1)
        ]
    );
}
