//! The service files in `deploy/` against the config they run: every path the daemon writes lands
//! in the one directory the sandboxing leaves writable, the command line parses, and the image runs
//! as a user that is not root.

use clap::Parser;
use scoreline::cli::Cli;
use scoreline::config::Config;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap()
}

/// `config/NAME` as the daemon would read it with `env` as its environment.
fn config_under(name: &str, env: &HashMap<String, String>) -> Config {
    let path = root().join("config").join(name);
    Config::parse(&path, &std::fs::read_to_string(&path).unwrap(), |k| {
        env.get(k).cloned()
    })
    .unwrap()
}

/// What the daemon writes: the store, the compiled-artifact cache.
fn written(c: &Config) -> Vec<PathBuf> {
    vec![c.data_dir.clone(), c.sandbox.cache_dir.clone().unwrap()]
}

#[test]
fn the_systemd_unit_writes_only_inside_its_state_directory() {
    let unit = read("deploy/scoreline.service");
    let mut env = HashMap::new();
    let mut keys: HashMap<&str, Vec<&str>> = HashMap::new();
    for line in unit.lines().filter(|l| !l.starts_with('#')) {
        if let Some((k, v)) = line.split_once('=') {
            keys.entry(k).or_default().push(v);
        }
    }
    for v in &keys["Environment"] {
        let (k, v) = v.split_once('=').unwrap();
        env.insert(k.to_owned(), v.to_owned());
    }
    assert_eq!(keys["ProtectSystem"], ["strict"]);
    let state = PathBuf::from("/var/lib").join(keys["StateDirectory"][0]);
    assert_eq!(keys["User"], ["scoreline"]);

    let exec: Vec<&str> = keys["ExecStart"][0].split_whitespace().collect();
    Cli::try_parse_from(&exec).unwrap();
    let config = exec[exec.iter().position(|a| *a == "--config").unwrap() + 1];
    let name = Path::new(config).file_name().unwrap().to_str().unwrap();
    let c = config_under(name, &env);
    for p in written(&c) {
        assert!(
            p.starts_with(&state),
            "{} is outside {}",
            p.display(),
            state.display()
        );
    }
    assert!(c.plugin_dir.starts_with(&state));
    assert!(
        c.http.listen.ip().is_loopback(),
        "the API stays on loopback"
    );
}

#[test]
fn the_image_runs_as_a_user_and_writes_only_to_its_volume() {
    let file = read("deploy/Dockerfile");
    // Join continued lines, then read the final stage's instructions.
    let joined = file.replace("\\\n", " ");
    let last_stage = joined.rsplit("\nFROM ").next().unwrap();
    let mut env = HashMap::new();
    let (mut user, mut volume, mut cmd) = (None, None, None);
    for line in last_stage.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("ENV ") {
            for pair in rest.split_whitespace() {
                let (k, v) = pair.split_once('=').unwrap();
                env.insert(k.to_owned(), v.to_owned());
            }
        } else if let Some(u) = line.strip_prefix("USER ") {
            user = Some(u.to_owned());
        } else if let Some(v) = line.strip_prefix("VOLUME ") {
            volume = Some(PathBuf::from(v));
        } else if let Some(c) = line.strip_prefix("CMD ") {
            cmd = Some(serde_json::from_str::<Vec<String>>(c).unwrap());
        }
    }
    assert_ne!(user.as_deref(), Some("root"));
    assert!(user.is_some(), "the image names a user");
    let volume = volume.unwrap();
    let cmd = cmd.unwrap();
    let argv: Vec<&str> = std::iter::once("scoreline")
        .chain(cmd.iter().map(String::as_str))
        .collect();
    Cli::try_parse_from(&argv).unwrap();
    // `COPY config/ /etc/scoreline/`: the file the command names is one of ours.
    assert!(last_stage.contains("COPY config/ /etc/scoreline/"));
    let config = cmd[cmd.iter().position(|a| a == "--config").unwrap() + 1]
        .strip_prefix("/etc/scoreline/")
        .unwrap()
        .to_owned();
    let c = config_under(&config, &env);
    for p in written(&c) {
        assert!(
            p.starts_with(&volume),
            "{} is outside {}",
            p.display(),
            volume.display()
        );
    }
    assert!(
        !c.http.listen.ip().is_loopback(),
        "reachable through the published port"
    );
    // The offline demo runs from the image too.
    let demo = config_under("demo.toml", &env);
    assert_eq!(demo.plugin_dir, PathBuf::from("/opt/scoreline/plugins"));
}
