//! The daemon's configuration file: raw TOML structs (every field documented, unknown keys
//! refused), then validated into the form the rest of the daemon uses.

use crate::sandbox::{OutputLimits, SandboxConfig};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configuration file used when `--config` is not given (if it exists).
pub const DEFAULT_PATH: &str = "config/scoreline.toml";

/// A configuration that could not be read or is invalid.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The TOML is malformed or has an unknown key.
    #[error("config `{path}`: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What `toml` said, with line and column.
        message: String,
    },
    /// A value is out of range.
    #[error("config `{path}`: `{key}` {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The offending key.
        key: &'static str,
        /// What is wrong.
        message: String,
    },
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// Directory of adapter components (`*.wasm`). Default `target/plugins`.
    plugin_dir: Option<PathBuf>,
    /// Sandbox limits.
    #[serde(default)]
    sandbox: RawSandbox,
}

/// `[sandbox]`: limits applied to every adapter call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSandbox {
    /// Linear memory cap per call, MiB. Default 256.
    memory_mib: Option<u64>,
    /// CPU deadline per call, milliseconds. Default 2000.
    call_timeout_ms: Option<u64>,
    /// Largest upstream body handed to an adapter, MiB. Default 16.
    max_body_mib: Option<u64>,
    /// Most games one scoreboard may return. Default 5000.
    max_games: Option<usize>,
    /// Most scoring plays one game detail may return. Default 5000.
    max_plays: Option<usize>,
    /// Where compiled components are cached. Default `<plugin_dir>/.cache`.
    cache_dir: Option<PathBuf>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory of adapter components.
    pub plugin_dir: PathBuf,
    /// Sandbox limits.
    pub sandbox: SandboxConfig,
}

impl Default for Config {
    fn default() -> Self {
        let plugin_dir = PathBuf::from("target/plugins");
        let sandbox = SandboxConfig {
            cache_dir: Some(plugin_dir.join(".cache")),
            ..SandboxConfig::default()
        };
        Config {
            plugin_dir,
            sandbox,
        }
    }
}

impl Config {
    /// Read `path`; with no path, read [`DEFAULT_PATH`] when it exists, else use the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => p.to_owned(),
            None if Path::new(DEFAULT_PATH).is_file() => PathBuf::from(DEFAULT_PATH),
            None => return Ok(Config::default()),
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&path, &text)
    }

    /// Parse and validate `text`; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let defaults = SandboxConfig::default();
        let invalid = |key: &'static str, message: &str| ConfigError::Invalid {
            path: path.to_owned(),
            key,
            message: message.to_owned(),
        };
        let plugin_dir = raw
            .plugin_dir
            .unwrap_or_else(|| PathBuf::from("target/plugins"));
        let s = raw.sandbox;
        let mib =
            |v: Option<u64>, default: usize, key: &'static str| -> Result<usize, ConfigError> {
                match v {
                    None => Ok(default),
                    Some(0) => Err(invalid(key, "must be at least 1")),
                    Some(m) if m > 4096 => Err(invalid(key, "must be at most 4096")),
                    Some(m) => usize::try_from(m << 20).map_err(|_| invalid(key, "is too large")),
                }
            };
        let call_timeout = match s.call_timeout_ms {
            None => defaults.call_timeout,
            Some(0) => return Err(invalid("sandbox.call_timeout_ms", "must be at least 1")),
            Some(ms) => Duration::from_millis(ms),
        };
        let sandbox = SandboxConfig {
            memory_bytes: mib(s.memory_mib, defaults.memory_bytes, "sandbox.memory_mib")?,
            call_timeout,
            max_body_bytes: mib(
                s.max_body_mib,
                defaults.max_body_bytes,
                "sandbox.max_body_mib",
            )?,
            output: OutputLimits {
                max_games: s.max_games.unwrap_or(defaults.output.max_games),
                max_plays: s.max_plays.unwrap_or(defaults.output.max_plays),
            },
            cache_dir: Some(s.cache_dir.unwrap_or_else(|| plugin_dir.join(".cache"))),
            ..defaults
        };
        Ok(Config {
            plugin_dir,
            sandbox,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_config_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                if let Err(e) = Config::parse(&path, &text) {
                    panic!("{e}");
                }
                seen += 1;
            }
        }
        assert!(seen >= 1, "no config/*.toml found in {}", dir.display());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let p = Path::new("x.toml");
        let e = Config::parse(p, "plugin_dri = \"a\"\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("plugin_dri") && e.contains("line 1"), "{e}");
        let e = Config::parse(p, "[sandbox]\nmemory_mib = 0\n")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            e,
            "config `x.toml`: `sandbox.memory_mib` must be at least 1"
        );
        let c = Config::parse(
            p,
            "plugin_dir = \"p\"\n[sandbox]\nmemory_mib = 64\ncall_timeout_ms = 250\n",
        );
        let c = c.map_err(|e| e.to_string());
        assert_eq!(c.as_ref().map(|c| c.sandbox.memory_bytes), Ok(64 << 20));
        assert_eq!(
            c.as_ref().map(|c| c.sandbox.call_timeout),
            Ok(Duration::from_millis(250))
        );
        assert_eq!(
            c.as_ref().map(|c| c.sandbox.cache_dir.clone()),
            Ok(Some(PathBuf::from("p/.cache")))
        );
    }
}
