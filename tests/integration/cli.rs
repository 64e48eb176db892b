//! The `scoreline` binary end to end: stdout carries only the result, logs go to stderr, errors
//! exit non-zero, and a hostile component never takes the process down.

use crate::util;

#[test]
fn exec_on_hostile_guests_fails_cleanly() {
    let hostile = util::hostile();
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), b"{}").unwrap();
    let body = body.path().to_str().unwrap();
    for (league, needle) in [
        ("loop", "CPU deadline"),
        ("bomb", "memory limit"),
        ("trap", "trapped"),
        ("huge", "returned too much"),
    ] {
        let out = util::scoreline(&[
            "plugin",
            "exec",
            hostile.to_str().unwrap(),
            "scoreboard",
            "--league",
            league,
            "--body",
            body,
        ]);
        assert_eq!(
            out.status.code(),
            Some(1),
            "league {league}: a clean error exit, not a crash"
        );
        assert!(out.stdout.is_empty(), "league {league}: nothing on stdout");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(needle),
            "league {league}: stderr lacks {needle:?}: {stderr}"
        );
    }
    let out = util::scoreline(&[
        "plugin",
        "exec",
        hostile.to_str().unwrap(),
        "scoreboard",
        "--league",
        "good",
        "--body",
        body,
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON only");
    assert_eq!(v["games"][0]["id"], "1");
    assert_eq!(v["games"][0]["status"], "scheduled");
}

#[test]
fn plugin_build_discovers_every_adapter_and_list_reports_them() {
    let out = tempfile::tempdir().unwrap();
    let build = util::scoreline(&["plugin", "build", "--out", out.path().to_str().unwrap()]);
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
    // stdout lists one component path per adapter crate under plugins/.
    let stdout = String::from_utf8(build.stdout).unwrap();
    let mut built: Vec<String> = stdout
        .lines()
        .map(|l| {
            std::path::Path::new(l)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    built.sort();
    let mut expected: Vec<String> = std::fs::read_dir(util::root().join("plugins"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("Cargo.toml").is_file())
        .map(|e| format!("{}.wasm", e.file_name().to_string_lossy()))
        .collect();
    expected.sort();
    assert_eq!(built, expected);

    let config = out.path().join("scoreline.toml");
    std::fs::write(
        &config,
        format!("plugin_dir = {:?}\n", out.path().to_str().unwrap()),
    )
    .unwrap();
    let list = util::scoreline(&[
        "--config",
        config.to_str().unwrap(),
        "plugin",
        "list",
        "--json",
    ]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).expect("stdout is JSON only");
    let adapters = v["adapters"].as_array().unwrap();
    assert_eq!(adapters.len(), expected.len());
    let espn = adapters
        .iter()
        .find(|a| a["name"] == "espn")
        .expect("espn listed");
    assert_eq!(espn["hosts"], serde_json::json!(["site.api.espn.com"]));
    let leagues: Vec<&str> = espn["leagues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    for key in [
        "nfl",
        "nba",
        "wnba",
        "nhl",
        "mlb",
        "college-football",
        "mens-college-basketball",
        "womens-college-basketball",
        "*.*",
    ] {
        assert!(
            leagues.contains(&key),
            "espn does not declare {key}: {leagues:?}"
        );
    }
    let bytes = std::fs::read(out.path().join("espn.wasm")).unwrap();
    use sha2::Digest;
    assert_eq!(espn["sha256"], hex::encode(sha2::Sha256::digest(&bytes)));
}
