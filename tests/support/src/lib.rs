//! What every Scoreline test crate shares about the world outside the repository, so that no
//! test can pass by quietly doing nothing:
//!
//! - [`skip`] is the one way a test skips all or part of its checks: it appends the test's name
//!   and the reason to the skip log and prints them; `scripts/test` clears the log before the
//!   suite and prints `skipped: N` and every line of it last, so a skip never hides in cargo's
//!   captured output.
//! - [`shared_fixtures`]: the real recorded payloads live outside the repository
//!   (`../shared/fixtures`); a test on them records a skip when they are absent.
//! - [`Server::binary`]: a test that needs a server (`influxd` today; mosquitto, nats-server,
//!   chromium next) and cannot find it **fails** with the line that installs it, unless
//!   `SCORELINE_SKIP_SERVER_TESTS=1`, in which case it records a skip.
//!
//! Environment (all optional):
//! - `SCORELINE_SKIP_LOG`: the skip log; default `$CARGO_TARGET_DIR/test-skips.log`, else
//!   `target/test-skips.log` in the workspace (a relative path is taken from the workspace root).
//! - `SCORELINE_FIXTURES`: the shared fixtures folder; default `../shared/fixtures` beside the
//!   workspace.
//! - `SCORELINE_INFLUXD`: the `influxd` binary, a path or a name looked up on the PATH; default
//!   `influxd` (each [`Server`] has such a variable).
//! - `SCORELINE_SKIP_SERVER_TESTS=1`: a test whose server cannot be found records a skip instead
//!   of failing (a server that is found still runs).
//!
//! A dev-dependency only: failing the test is panicking.

#![allow(clippy::panic)]

use std::ffi::OsString;
use std::fmt::Display;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Names the skip log.
pub const SKIP_LOG_ENV: &str = "SCORELINE_SKIP_LOG";
/// Names the shared fixtures folder.
pub const FIXTURES_ENV: &str = "SCORELINE_FIXTURES";
/// `1`: a test whose server cannot be found records a skip instead of failing.
pub const SKIP_SERVER_TESTS_ENV: &str = "SCORELINE_SKIP_SERVER_TESTS";

/// The workspace root (this crate is `tests/support` in it).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map_or_else(|| manifest.join("../.."), Path::to_path_buf)
}

/// The value of `name` unless unset or empty.
fn var(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// `path`, from the workspace root when relative (tests run in their package's folder).
fn from_root(path: OsString) -> PathBuf {
    let path = PathBuf::from(path);
    if path.is_absolute() {
        path
    } else {
        workspace_root().join(path)
    }
}

/// The file skips are appended to: `SCORELINE_SKIP_LOG`, else `test-skips.log` in cargo's target
/// folder (`CARGO_TARGET_DIR`, else the workspace's `target/`).
pub fn skip_log() -> PathBuf {
    if let Some(path) = var(SKIP_LOG_ENV) {
        return from_root(path);
    }
    var("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_root().join("target"), from_root)
        .join("test-skips.log")
}

/// The running test as `package/binary test::path`, e.g. `scoreline/integration
/// influx::demo_points_land_in_the_configured_policies_row_for_row`: libtest names each test's
/// thread after the test, and cargo tells the process its package.
pub fn test_name() -> String {
    let package = std::env::var("CARGO_PKG_NAME").unwrap_or_default();
    // `integration-0123456789abcdef` → `integration`.
    let binary = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| match stem.rsplit_once('-') {
            Some((name, hash))
                if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                name.to_owned()
            }
            _ => stem,
        })
        .unwrap_or_default();
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("<unnamed thread>");
    match (package.is_empty(), binary.is_empty()) {
        (false, false) => format!("{package}/{binary} {test}"),
        (false, true) => format!("{package} {test}"),
        (true, false) => format!("{binary} {test}"),
        (true, true) => test.to_owned(),
    }
}

/// Record that the running test skips (all or part of its checks) because of `reason`: one line
/// `test: reason` appended to [`skip_log`] and printed to stderr. Call it from the test's own
/// thread, where its name is known. A skip that cannot be recorded fails the test.
pub fn skip(reason: impl Display) {
    let line = format!(
        "{}: {}\n",
        test_name(),
        reason.to_string().replace(['\n', '\r'], " ")
    );
    eprint!("SKIPPED {line}");
    append(&skip_log(), &line);
}

/// Append `line` to the log at `path` in one write.
fn append(path: &Path, line: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .unwrap_or_else(|e| panic!("creating the skip log's folder {}: {e}", dir.display()));
    }
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("opening the skip log {}: {e}", path.display()));
    // One write of the whole line to an O_APPEND file: lines of tests running in parallel
    // threads and processes never interleave.
    match log.write(line.as_bytes()) {
        Ok(n) if n == line.len() => {}
        Ok(n) => panic!(
            "the skip log {} took {n} of {} bytes",
            path.display(),
            line.len()
        ),
        Err(e) => panic!("appending to the skip log {}: {e}", path.display()),
    }
}

/// The shared fixtures folder: `SCORELINE_FIXTURES`, else `../shared/fixtures` beside the
/// workspace.
pub fn fixtures_root() -> PathBuf {
    var(FIXTURES_ENV).map_or_else(
        || workspace_root().join("..").join("shared").join("fixtures"),
        from_root,
    )
}

/// The shared fixtures folder `<fixtures>/<sub>` (`sub` may be empty), or `None` after recording
/// a skip of the running test when it is absent.
pub fn shared_fixtures(sub: &str) -> Option<PathBuf> {
    let dir = fixtures_root().join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(format_args!(
            "shared fixtures not found at {} (they live outside the repository; {FIXTURES_ENV} \
             names another folder)",
            dir.display()
        ));
        None
    }
}

/// A server binary tests start, and how to install it.
#[derive(Debug)]
pub struct Server {
    /// The binary's name on the PATH.
    pub binary: &'static str,
    /// The variable naming the binary instead (a path, or a name looked up on the PATH).
    pub env: &'static str,
    /// The Debian package that installs it.
    pub package: &'static str,
}

/// InfluxDB 1.x (Debian's 1.6.7), for the InfluxDB sink tests.
pub const INFLUXD: Server = Server {
    binary: "influxd",
    env: "SCORELINE_INFLUXD",
    package: "influxdb",
};

/// Whether `path` is a file someone may execute.
fn executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// `name` looked up on the PATH.
fn on_path(name: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(name))
        .find(|p| executable(p))
}

impl Server {
    /// The line that installs this server.
    pub fn install_line(&self) -> String {
        format!("sudo apt-get install -y {}", self.package)
    }

    /// The binary, or why it cannot be found and how to install it.
    pub fn find(&self) -> Result<PathBuf, String> {
        self.find_as(var(self.env))
    }

    /// [`Server::find`] with `value` as the value of the server's variable.
    fn find_as(&self, value: Option<OsString>) -> Result<PathBuf, String> {
        let (found, missing) = match value {
            Some(value) if Path::new(&value).components().count() > 1 => {
                let path = from_root(value);
                let found = executable(&path).then(|| path.clone());
                let missing = format!("{}={} is not an executable file", self.env, path.display());
                (found, missing)
            }
            Some(value) => {
                let name = value.to_string_lossy().into_owned();
                let missing = format!("{}={name} is not on the PATH", self.env);
                (on_path(&name), missing)
            }
            None => (
                on_path(self.binary),
                format!(
                    "`{}` is not on the PATH (nor named by {})",
                    self.binary, self.env
                ),
            ),
        };
        found.ok_or_else(|| {
            format!(
                "{missing}: install it with `{}`, or run scripts/test, which installs what the \
                 suite needs",
                self.install_line()
            )
        })
    }

    /// The binary for the running test. When it cannot be found the test fails with the line
    /// that installs it; with `SCORELINE_SKIP_SERVER_TESTS=1` it records a skip and returns
    /// `None` instead.
    pub fn binary(&self) -> Option<PathBuf> {
        match self.find() {
            Ok(path) => Some(path),
            Err(why) if std::env::var(SKIP_SERVER_TESTS_ENV).as_deref() == Ok("1") => {
                skip(format_args!("{why} ({SKIP_SERVER_TESTS_ENV}=1)"));
                None
            }
            Err(why) => panic!(
                "{why}. Or set {SKIP_SERVER_TESTS_ENV}=1 to record this test as skipped instead."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOWHERE: Server = Server {
        binary: "scoreline-no-such-server",
        env: "SCORELINE_NO_SUCH_SERVER",
        package: "no-such-package",
    };

    #[test]
    fn test_name_is_the_package_binary_and_test() {
        assert_eq!(
            test_name(),
            "scoreline-test-support/scoreline_test_support \
             tests::test_name_is_the_package_binary_and_test"
        );
    }

    #[test]
    fn a_server_not_on_the_path_says_how_to_install_it() {
        assert_eq!(
            NOWHERE.find_as(None).unwrap_err(),
            "`scoreline-no-such-server` is not on the PATH (nor named by SCORELINE_NO_SUCH_SERVER): \
             install it with `sudo apt-get install -y no-such-package`, or run scripts/test, which \
             installs what the suite needs"
        );
    }

    #[test]
    fn a_server_named_by_a_missing_path_says_how_to_install_it() {
        let why = NOWHERE.find_as(Some("/nonexistent".into())).unwrap_err();
        assert!(
            why.starts_with("SCORELINE_NO_SUCH_SERVER=/nonexistent is not an executable file: "),
            "{why}"
        );
        assert!(
            why.contains("sudo apt-get install -y no-such-package"),
            "{why}"
        );
        let dir = tempfile::tempdir().unwrap();
        let why = NOWHERE
            .find_as(Some(dir.path().as_os_str().to_owned()))
            .unwrap_err();
        assert!(why.contains("is not an executable file"), "a folder: {why}");
        let plain = dir.path().join("influxd");
        std::fs::write(&plain, "").unwrap();
        let why = NOWHERE
            .find_as(Some(plain.as_os_str().to_owned()))
            .unwrap_err();
        assert!(why.contains("is not an executable file"), "no x bit: {why}");
    }

    #[test]
    fn a_server_named_by_a_path_or_a_name_is_found() {
        // The test binary itself stands in for a server binary named by its path.
        let exe = std::env::current_exe().unwrap();
        assert_eq!(NOWHERE.find_as(Some(exe.clone().into())), Ok(exe));
        let sh = NOWHERE.find_as(Some("sh".into())).unwrap();
        assert!(sh.ends_with("sh") && sh.is_absolute(), "{}", sh.display());
        let why = NOWHERE
            .find_as(Some("scoreline-no-such-name".into()))
            .unwrap_err();
        assert!(
            why.starts_with("SCORELINE_NO_SUCH_SERVER=scoreline-no-such-name is not on the PATH: "),
            "{why}"
        );
    }

    #[test]
    fn parallel_appends_never_interleave() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("deeper").join("skips.log");
        std::thread::scope(|s| {
            for t in 0..8 {
                let log = &log;
                s.spawn(move || {
                    for i in 0..200 {
                        append(log, &format!("t{t} line {i} {}\n", "x".repeat(300)));
                    }
                });
            }
        });
        let text = std::fs::read_to_string(&log).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8 * 200);
        for line in lines {
            let (head, tail) = line.rsplit_once(' ').unwrap();
            assert!(head.starts_with('t') && head.contains(" line "), "{line}");
            assert_eq!(tail, "x".repeat(300), "{line}");
        }
    }
}
