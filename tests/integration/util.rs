//! Shared helpers: the workspace's paths, the components the suite builds once, the shared
//! fixtures folder, and running the `scoreline` binary.

use scoreline::plugin_build;
use scoreline::sandbox::{Adapter, Sandbox, SandboxConfig};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where the suite's components live: `target/test-plugins/`.
pub fn plugin_dir() -> PathBuf {
    root().join("target").join("test-plugins")
}

/// Build `package` for wasm32-wasip2 once per test run (through the same code as
/// `scoreline plugin build`) and return its component file, e.g. `target/test-plugins/espn.wasm`.
pub fn component(package: &str) -> PathBuf {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = built.get(package) {
        return path.clone();
    }
    match plugin_build::build(&root(), &[package.to_owned()], &plugin_dir()) {
        Ok(mut out) if out.len() == 1 => {
            let path = out.remove(0).path;
            built.insert(package.to_owned(), path.clone());
            path
        }
        Ok(out) => panic!("building {package} gave {out:?}"),
        Err(e) => panic!("building {package} failed: {e}"),
    }
}

/// The hostile guest's component.
pub fn hostile() -> PathBuf {
    component("scoreline-test-hostile")
}

/// The guest whose `info()` panics, so loading it traps.
pub fn trap_at_start() -> PathBuf {
    component("scoreline-test-trap-at-start")
}

/// The ESPN adapter's component.
pub fn espn() -> PathBuf {
    component("scoreline-plugin-espn")
}

/// A sandbox with default limits except those `tweak` changes, and no artifact cache.
pub fn sandbox(tweak: impl FnOnce(&mut SandboxConfig)) -> Sandbox {
    let mut config = SandboxConfig::default();
    tweak(&mut config);
    Sandbox::new(config).expect("sandbox")
}

/// Load a built component into a default sandbox.
pub fn load(path: &Path) -> Adapter {
    sandbox(|_| {}).load_file(path).expect("component loads")
}

/// The shared fixtures folder `../shared/fixtures/<sub>` (or under `SCORELINE_FIXTURES`), or
/// `None` after recording that the running test skips (see `scoreline-test-support`).
pub fn shared_fixtures(sub: &str) -> Option<PathBuf> {
    scoreline_test_support::shared_fixtures(sub)
}

/// Read a shared fixture file.
pub fn fixture(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("reading fixture {name}: {e}"))
}

/// Run the `scoreline` binary with `args` from the workspace root.
pub fn scoreline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scoreline"))
        .current_dir(root())
        .env("RUST_LOG", "info")
        .args(args)
        .output()
        .expect("run scoreline")
}

/// The planned URL the shared FIFA sequence answers (no query: it answers every `dates=`).
pub const FIFA_URL: &str =
    "https://site.api.espn.com/apis/site/v2/sports/soccer/fifa.world/scoreboard";

/// One replay of the FIFA recording by the `scoreline` binary.
pub struct FifaRun {
    /// Its config file.
    pub config: PathBuf,
    /// Its data directory (the store).
    pub data: PathBuf,
    /// What the run wrote to stderr.
    pub stderr: String,
}

/// The shared sequence `sequences/espn-fifa-world-2026-07-07` imported with `recording import`
/// and replayed twice (7200x) into two fresh data directories under `target/test-replays/`,
/// once per test run however many tests read it. `None` when the shared fixtures are absent
/// (each caller records its own skip).
pub fn fifa_replays() -> Option<&'static (String, [FifaRun; 2])> {
    static RUNS: std::sync::OnceLock<(String, [FifaRun; 2])> = std::sync::OnceLock::new();
    let seq = shared_fixtures("sequences/espn-fifa-world-2026-07-07")?;
    Some(RUNS.get_or_init(|| {
        espn();
        let dir = root().join("target").join("test-replays").join("fifa");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let rec = dir.join("rec");
        let import = scoreline(&[
            "recording",
            "import",
            seq.to_str().unwrap(),
            "--url",
            FIFA_URL,
            "--out",
            rec.to_str().unwrap(),
        ]);
        assert!(
            import.status.success(),
            "{}",
            String::from_utf8_lossy(&import.stderr)
        );
        let imported = String::from_utf8_lossy(&import.stdout).trim().to_owned();
        let run = |name: &str| {
            let config = dir.join(format!("{name}.toml"));
            let data = dir.join(name);
            std::fs::write(
                &config,
                format!(
                    "data_dir = {:?}\nplugin_dir = {:?}\n[http]\nenabled = false\n\
                     [[leagues]]\nkey = \"fifa.world\"\nadapter = \"espn\"\ntimezone = \"UTC\"\n\
                     [leagues.cadence]\nlive_secs = 60\npregame_secs = 300\nidle_secs = 900\nsettle_secs = 600\n",
                    data.to_str().unwrap(),
                    plugin_dir().to_str().unwrap(),
                ),
            )
            .unwrap();
            let out = scoreline(&[
                "--config",
                config.to_str().unwrap(),
                "run",
                "--replay",
                rec.to_str().unwrap(),
                "--speed",
                "7200",
                "--duration",
                "300",
            ]);
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(out.status.success(), "{stderr}");
            FifaRun {
                config,
                data,
                stderr,
            }
        };
        (
            format!("{imported} (into {})", rec.display()),
            [run("one"), run("two")],
        )
    }))
}

/// One request through `app` in process: `Authorization: Bearer` when `token` is given, the
/// content type when given; the status and the body as JSON (`null` when it is not JSON).
pub async fn request(
    app: &axum::Router,
    method: &str,
    uri: &str,
    token: Option<&str>,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (axum::http::StatusCode, serde_json::Value) {
    use tower::ServiceExt;
    let mut request = axum::http::Request::builder().method(method).uri(uri);
    if let Some(t) = token {
        request = request.header("authorization", format!("Bearer {t}"));
    }
    if let Some(c) = content_type {
        request = request.header("content-type", c);
    }
    let response = app
        .clone()
        .oneshot(request.body(axum::body::Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, serde_json::from_slice(&bytes).unwrap_or_default())
}
