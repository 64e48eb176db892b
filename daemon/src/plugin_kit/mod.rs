//! The plugin author's kit: `scoreline plugin new NAME` writes a ready adapter crate from the
//! templates beside this file, and `scoreline plugin test DIR` builds a crate's component and runs
//! its golden cases (`testdata/cases.toml`) in the sandbox, with a line diff on a mismatch.

use crate::plugin_build::{self, BuildError};
use crate::sandbox::{CallContext, CallError, LoadError, Sandbox, SandboxConfig};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A kit command that could not finish.
#[derive(Debug, thiserror::Error)]
pub enum KitError {
    /// The name cannot name a crate and a league.
    #[error(
        "`{0}` is not a plugin name: use 2 to 32 lowercase letters, digits and dashes, starting with a letter"
    )]
    BadName(String),
    /// The crate's folder exists.
    #[error("`{0}` already exists; pick another name or remove it")]
    Exists(PathBuf),
    /// No workspace to put the crate in.
    #[error("`{0}` is not a Scoreline workspace (no Cargo.toml with a `plugins/*` member)")]
    NotWorkspace(PathBuf),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// `cargo metadata` failed on the crate.
    #[error("cannot read the crate at `{path}`: {message}")]
    Metadata {
        /// The crate folder.
        path: PathBuf,
        /// Cargo's message.
        message: String,
    },
    /// `testdata/cases.toml` is malformed.
    #[error("{path}: {message}")]
    Cases {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// Building the component failed.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Loading the component failed.
    #[error(transparent)]
    Load(#[from] LoadError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KitError + '_ {
    move |source| KitError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The template files: (path in the new crate, text with `{{name}}` and `{{type}}`).
const TEMPLATE: [(&str, &str); 8] = [
    ("Cargo.toml", include_str!("template/Cargo.toml.tmpl")),
    ("src/lib.rs", include_str!("template/lib.rs.tmpl")),
    ("README.md", include_str!("template/README.md.tmpl")),
    ("sample.toml", include_str!("template/sample.toml.tmpl")),
    (
        "testdata/cases.toml",
        include_str!("template/testdata/cases.toml.tmpl"),
    ),
    (
        "testdata/scoreboard.json",
        include_str!("template/testdata/scoreboard.json"),
    ),
    (
        "testdata/scoreboard.expected.json",
        include_str!("template/testdata/scoreboard.expected.json.tmpl"),
    ),
    (
        "testdata/detail.json",
        include_str!("template/testdata/detail.json"),
    ),
];

/// The golden detail case, apart from the table above to keep it under rustfmt's width.
const DETAIL_EXPECTED: &str = include_str!("template/testdata/detail.expected.json.tmpl");

/// Check `name`: 2 to 32 of `a-z`, `0-9`, `-`, starting with a letter, not ending with a dash.
pub fn check_name(name: &str) -> Result<(), KitError> {
    let ok = (2..=32).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(KitError::BadName(name.to_owned()))
    }
}

/// `my-feed` → `MyFeed`, the adapter's type name.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The files of a new crate called `name`: (relative path, contents). Pure.
pub fn render(name: &str) -> Result<Vec<(String, String)>, KitError> {
    check_name(name)?;
    let ty = type_name(name);
    let fill = |text: &str| text.replace("{{name}}", name).replace("{{type}}", &ty);
    let mut files: Vec<(String, String)> = TEMPLATE
        .iter()
        .map(|(path, text)| ((*path).to_owned(), fill(text)))
        .collect();
    files.push((
        "testdata/detail.expected.json".to_owned(),
        fill(DETAIL_EXPECTED),
    ));
    Ok(files)
}

/// Write a new adapter crate `plugins/NAME` into the workspace at `workspace`; returns its folder.
pub fn new_plugin(workspace: &Path, name: &str) -> Result<PathBuf, KitError> {
    let files = render(name)?;
    let manifest = workspace.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(io(&manifest))?;
    if !text.contains("\"plugins/*\"") {
        return Err(KitError::NotWorkspace(workspace.to_owned()));
    }
    let dir = workspace.join("plugins").join(name);
    if dir.exists() {
        return Err(KitError::Exists(dir));
    }
    for (path, contents) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, contents).map_err(io(&path))?;
    }
    Ok(dir)
}

/// One golden case of `testdata/cases.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What it shows.
    pub name: String,
    /// `scoreboard`, `schedule` or `game-detail`.
    pub call: String,
    /// League key passed to the adapter.
    pub league: String,
    /// Upstream game id (game-detail).
    #[serde(default)]
    pub game_id: Option<String>,
    /// The time the adapter is told it is (default 2026-01-01T00:00:00Z, so goldens are stable).
    #[serde(default)]
    pub now: Option<DateTime<Utc>>,
    /// League options.
    #[serde(default)]
    pub options: BTreeMap<String, String>,
    /// The upstream body, relative to `testdata/`.
    pub body: PathBuf,
    /// The normalised JSON expected, relative to `testdata/`.
    pub expected: PathBuf,
}

#[derive(Deserialize)]
struct Cases {
    #[serde(default)]
    case: Vec<Case>,
}

/// How one case went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The output matched the golden.
    Pass,
    /// The output differs: a unified diff, expected → actual.
    Mismatch(String),
    /// The call failed (the adapter's or the sandbox's error).
    Failed(String),
    /// `--bless` wrote the golden.
    Blessed,
}

/// The result of `plugin test`.
#[derive(Debug, Clone)]
pub struct Report {
    /// The package tested.
    pub package: String,
    /// The component built.
    pub component: PathBuf,
    /// Each case's name and verdict, in file order.
    pub cases: Vec<(String, Verdict)>,
}

impl Report {
    /// Every case passed (or was blessed).
    pub fn passed(&self) -> bool {
        self.cases
            .iter()
            .all(|(_, v)| matches!(v, Verdict::Pass | Verdict::Blessed))
    }
}

/// Build the crate at `dir` and run its golden cases; `bless` rewrites every golden instead of
/// comparing.
pub fn test_plugin(dir: &Path, sandbox: SandboxConfig, bless: bool) -> Result<Report, KitError> {
    let manifest = dir.join("Cargo.toml");
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(&manifest)
        .no_deps()
        .exec()
        .map_err(|e| KitError::Metadata {
            path: dir.to_owned(),
            message: e.to_string(),
        })?;
    let manifest_abs = std::fs::canonicalize(&manifest).map_err(io(&manifest))?;
    let package = metadata
        .packages
        .iter()
        .find(|p| {
            std::fs::canonicalize(p.manifest_path.as_std_path())
                .ok()
                .as_deref()
                == Some(manifest_abs.as_path())
        })
        .map(|p| p.name.to_string())
        .ok_or_else(|| KitError::Metadata {
            path: dir.to_owned(),
            message: "no package in this folder".into(),
        })?;
    let out = metadata.target_directory.as_std_path().join("plugin-test");
    let built = plugin_build::build(dir, std::slice::from_ref(&package), &out)?;
    let component = built
        .into_iter()
        .next()
        .map(|b| b.path)
        .ok_or_else(|| BuildError::NoArtifact(package.clone()))?;

    let adapter = Sandbox::new(sandbox)?.load_file(&component)?;
    let verdicts = run_cases(&adapter, &dir.join("testdata"), bless)?;
    Ok(Report {
        package,
        component,
        cases: verdicts,
    })
}

/// Run every case of `testdata/cases.toml` through `adapter`; `bless` rewrites each golden
/// instead of comparing. An empty case list is an error: a test that checks nothing is not one.
pub fn run_cases(
    adapter: &crate::sandbox::Adapter,
    testdata: &Path,
    bless: bool,
) -> Result<Vec<(String, Verdict)>, KitError> {
    let cases_path = testdata.join("cases.toml");
    let text = std::fs::read_to_string(&cases_path).map_err(io(&cases_path))?;
    let cases: Cases = toml::from_str(&text).map_err(|e| KitError::Cases {
        path: cases_path.clone(),
        message: e.to_string(),
    })?;
    if cases.case.is_empty() {
        return Err(KitError::Cases {
            path: cases_path,
            message: "no [[case]]: a plugin test needs at least one golden case".into(),
        });
    }
    let mut verdicts = Vec::with_capacity(cases.case.len());
    for case in cases.case {
        let body_path = testdata.join(&case.body);
        let body = std::fs::read(&body_path).map_err(io(&body_path))?;
        let ctx = CallContext {
            league: case.league.clone(),
            options: case.options.clone().into_iter().collect(),
            now: case
                .now
                .unwrap_or(DateTime::UNIX_EPOCH + chrono::Duration::days(20_454)),
        };
        let actual = match run(adapter, &case, &ctx, &body, &cases_path)? {
            Ok(value) => value,
            Err(e) => {
                verdicts.push((case.name, Verdict::Failed(format!("{} ({})", e, e.kind()))));
                continue;
            }
        };
        let actual = pretty(&actual);
        let expected_path = testdata.join(&case.expected);
        if bless {
            std::fs::write(&expected_path, &actual).map_err(io(&expected_path))?;
            verdicts.push((case.name, Verdict::Blessed));
            continue;
        }
        let expected = match std::fs::read_to_string(&expected_path) {
            Ok(text) => text,
            Err(e) => {
                verdicts.push((
                    case.name,
                    Verdict::Failed(format!(
                        "{}: {e} (write it, or run with --bless and review it)",
                        expected_path.display()
                    )),
                ));
                continue;
            }
        };
        // Compare values, not bytes: key order and spacing in a hand-written golden do not matter.
        let verdict = match serde_json::from_str::<serde_json::Value>(&expected) {
            Ok(v) if pretty(&v) == actual => Verdict::Pass,
            Ok(v) => Verdict::Mismatch(diff(&pretty(&v), &actual)),
            Err(e) => Verdict::Failed(format!("{}: not JSON: {e}", expected_path.display())),
        };
        verdicts.push((case.name, verdict));
    }
    Ok(verdicts)
}

/// Make `case`'s call; the outer error is a malformed case, the inner one the call's failure.
fn run(
    adapter: &crate::sandbox::Adapter,
    case: &Case,
    ctx: &CallContext,
    body: &[u8],
    cases_path: &Path,
) -> Result<Result<serde_json::Value, CallError>, KitError> {
    let to_value = |v: Result<serde_json::Value, serde_json::Error>| {
        v.map_err(|e| KitError::Cases {
            path: cases_path.to_owned(),
            message: format!("case `{}`: output is not JSON: {e}", case.name),
        })
    };
    Ok(match case.call.as_str() {
        "scoreboard" => match adapter.parse_scoreboard(ctx, body) {
            Ok(r) => Ok(to_value(serde_json::to_value(r))?),
            Err(e) => Err(e),
        },
        "schedule" => match adapter.parse_schedule(ctx, body) {
            Ok(r) => Ok(to_value(serde_json::to_value(r))?),
            Err(e) => Err(e),
        },
        "game-detail" => {
            let Some(id) = &case.game_id else {
                return Err(KitError::Cases {
                    path: cases_path.to_owned(),
                    message: format!("case `{}`: game-detail needs `game_id`", case.name),
                });
            };
            match adapter.parse_game_detail(ctx, id, body) {
                Ok(r) => Ok(to_value(serde_json::to_value(r))?),
                Err(e) => Err(e),
            }
        }
        other => {
            return Err(KitError::Cases {
                path: cases_path.to_owned(),
                message: format!(
                    "case `{}`: call `{other}` is not scoreboard, schedule or game-detail",
                    case.name
                ),
            });
        }
    })
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// A unified line diff, expected → actual, with 3 lines of context. Pure.
pub fn diff(expected: &str, actual: &str) -> String {
    similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_typed() {
        for bad in [
            "",
            "a",
            "Demo",
            "9ball",
            "my_feed",
            "feed-",
            "x".repeat(33).as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in ["demo", "my-feed", "f1"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        assert_eq!(type_name("my-feed"), "MyFeed");
        assert_eq!(type_name("demo"), "Demo");
    }

    #[test]
    fn rendering_fills_every_placeholder() {
        let files = render("my-feed").unwrap();
        assert_eq!(files.len(), 9);
        for (path, text) in &files {
            assert!(!text.contains("{{"), "{path} keeps a placeholder");
        }
        let lib = &files.iter().find(|(p, _)| p == "src/lib.rs").unwrap().1;
        assert!(lib.contains("pub struct MyFeed;"));
        assert!(lib.contains("export_adapter!(MyFeed)"));
        let cargo = &files.iter().find(|(p, _)| p == "Cargo.toml").unwrap().1;
        assert!(cargo.contains("name = \"scoreline-plugin-my-feed\""));
    }

    #[test]
    fn a_diff_shows_the_changed_line() {
        let d = diff("{\n  \"a\": 1\n}\n", "{\n  \"a\": 2\n}\n");
        assert!(d.contains("-  \"a\": 1"), "{d}");
        assert!(d.contains("+  \"a\": 2"), "{d}");
    }
}
