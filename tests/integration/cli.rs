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
