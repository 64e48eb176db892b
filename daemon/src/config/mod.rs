//! The daemon's configuration file: `${VAR}` substitution, then raw TOML structs (every field
//! documented, unknown keys refused with their line), then validation into the typed [`Config`]
//! the rest of the daemon uses.

mod subst;

pub use subst::SubstError;

use crate::influx::config::{SinkConfig, SinkSpec};
use crate::sandbox::{CallContext, OutputLimits, SandboxConfig};
use scoreline_core::age::{format_age, parse_age};
use scoreline_core::ingest::TeamEntry;
use scoreline_core::model::GameKey;
use scoreline_core::upstream::breaker::BreakerConfig;
use scoreline_core::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
use scoreline_emulator::EmulatorConfig;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The configuration file used when `--config` is not given.
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
    /// A `${VAR}` could not be substituted.
    #[error("config `{path}`: {source}")]
    Subst {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: SubstError,
    },
    /// The TOML is malformed or has an unknown key.
    #[error("config `{path}`: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What `toml` said, with line and column.
        message: String,
    },
    /// A value is out of range or inconsistent.
    #[error("config `{path}`: `{key}` {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The offending key.
        key: String,
        /// What is wrong.
        message: String,
    },
    /// A value is invalid, at a known line.
    #[error("config `{path}`: line {line}: `{key}` {message}")]
    InvalidAt {
        /// The file.
        path: PathBuf,
        /// The line of the value, 1-based.
        line: usize,
        /// The offending key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// The file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    /// Directory for the embedded store and other state. Default `data`.
    data_dir: Option<PathBuf>,
    /// Directory of adapter components (`*.wasm`). Default `target/plugins`.
    plugin_dir: Option<PathBuf>,
    /// Sandbox limits.
    #[serde(default)]
    sandbox: RawSandbox,
    /// Upstream HTTP policy.
    #[serde(default)]
    upstream: RawUpstream,
    /// The HTTP API.
    #[serde(default)]
    http: RawHttp,
    /// The in-process upstream emulator (offline demo and tests).
    #[serde(default)]
    emulator: RawEmulator,
    /// How long the store keeps its growing tables.
    #[serde(default)]
    retention: RawRetention,
    /// Leagues to follow.
    #[serde(default)]
    leagues: Vec<RawLeague>,
    /// Webhook subscriptions (each field is documented on `SubscriptionSpec`).
    #[serde(default)]
    webhooks: Vec<SubscriptionSpec>,
    /// Remote sinks the stored points are forwarded to (each field is documented on
    /// `influx::config::SinkSpec`).
    #[serde(default)]
    sinks: Vec<SinkSpec>,
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
    /// Adapter calls running at once (each holds its linear memory). Default: the cores, at
    /// least 2.
    max_concurrent_calls: Option<usize>,
}

/// `[upstream]`: how the host talks to upstream APIs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUpstream {
    /// Whole-request timeout, milliseconds. Default 10000.
    timeout_ms: Option<u64>,
    /// Retries after a 5xx or a timeout (exponential backoff with jitter). Default 2.
    retries: Option<u32>,
    /// First retry delay, milliseconds; doubles each retry. Default 500.
    retry_base_ms: Option<u64>,
    /// Requests per second allowed to one host. Default 5.
    rate_per_sec: Option<u32>,
    /// `User-Agent` header. Default `scoreline/<version>`.
    user_agent: Option<String>,
    /// Response bodies held at once between being read and being parsed. Default: twice the
    /// cores, at least 4.
    max_bodies_in_flight: Option<usize>,
    /// Host → base URL (`http://127.0.0.1:PORT`), applied after the allow-list check. The value
    /// `emulator` means the in-process emulator's address.
    #[serde(default)]
    overrides: BTreeMap<String, String>,
    /// The circuit breaker.
    #[serde(default)]
    breaker: RawBreaker,
    /// The response cache.
    #[serde(default)]
    cache: RawCache,
}

/// `[upstream.breaker]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBreaker {
    /// Failed attempts in a row that open a host's breaker. Default 5.
    failures: Option<u32>,
    /// Seconds open before a half-open trial. Default 30.
    cooldown_secs: Option<u64>,
    /// Longest cool-down after failed trials, seconds. Default 600.
    max_cooldown_secs: Option<u64>,
    /// Longest `Retry-After` waited out inside a request, seconds. Default 10.
    max_retry_after_wait_secs: Option<u64>,
}

/// `[upstream.cache]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCache {
    /// Seconds a response fetched for a live game is reused. Default 5.
    live_secs: Option<u64>,
    /// ... before games start. Default 30.
    pregame_secs: Option<u64>,
    /// ... with no game near. Default 300.
    idle_secs: Option<u64>,
    /// ... for the settle fetch after a final. Default 0 (always fresh).
    settle_secs: Option<u64>,
    /// Upper bound on upstream `max-age`, seconds. Default 600.
    max_age_cap_secs: Option<u64>,
    /// Cache size, MiB. Default 16.
    max_mib: Option<u64>,
}

/// `[http]`: the API server.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    /// Listen address. Default `127.0.0.1:8080`; port 0 picks a free port.
    listen: Option<String>,
    /// Bearer token for admin routes; empty or absent disables them.
    admin_token: Option<String>,
    /// Serve HTTP at all. Default true.
    enabled: Option<bool>,
}

/// `[emulator]`: the in-process ESPN-shaped upstream for the offline demo.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEmulator {
    /// Start the emulator. Default false.
    enabled: Option<bool>,
    /// Seed for the slate and faults. Default 7.
    seed: Option<u64>,
    /// Wall-clock seconds one emulated game lasts from kick-off to final. Default 60.
    game_secs: Option<u64>,
    /// Seconds between successive kick-offs of the slate. Default 10.
    stagger_secs: Option<u64>,
    /// `Cache-Control: max-age` on every answer, 0 to 3 600. Default 5.
    max_age_secs: Option<u64>,
    /// Boards change only every this many milliseconds (0 or absent: continuously).
    update_period_ms: Option<u64>,
    /// Offset of those updates within each period, less than the period. Default 0.
    update_phase_ms: Option<u64>,
    /// Most lateness of one update, less than the period. Default 0.
    update_jitter_ms: Option<u64>,
    /// Fault injection.
    #[serde(default)]
    faults: RawFaults,
}

/// `[emulator.faults]`: probabilities per request, 0.0 to 1.0.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFaults {
    /// Answer 500.
    error_rate: Option<f64>,
    /// Hang past the client's timeout.
    timeout_rate: Option<f64>,
    /// Answer truncated JSON.
    malformed_rate: Option<f64>,
    /// Once per game, report a live score as 0-0 for one poll.
    glitch: Option<bool>,
    /// Once, leave one game out of a scoreboard.
    drop_game: Option<bool>,
    /// Once per game, serve its scoreboard and its summary as an older copy (from just before
    /// the game's last score) for 2 or 3 consecutive requests, as a lagging CDN edge does.
    stale: Option<bool>,
}

/// `[retention]`: how long the store keeps rows of its growing tables, and how often the
/// background housekeeping deletes older ones. Ages are strings with a unit: `90s`, `30m`, `12h`,
/// `14d`, `2w`; `"0"` (or `0`) keeps a table forever.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRetention {
    /// The upstream call log (`monitor stats`, `monitor failures`). Default `14d`.
    upstream_calls: Option<toml::Spanned<RawAge>>,
    /// Rejected snapshots. Default `30d`.
    rejections: Option<toml::Spanned<RawAge>>,
    /// Circuit-breaker transitions; each host's latest one is always kept. Default `30d`.
    breaker_transitions: Option<toml::Spanned<RawAge>>,
    /// Webhook deliveries that ended (delivered or failed for good); pending ones are never
    /// deleted. Default `30d`.
    webhook_deliveries: Option<toml::Spanned<RawAge>>,
    /// Games that are final, cancelled or postponed and were not updated for this long, with their
    /// timeline and scoring plays, and past schedule rows with no game left. Default `0`: forever.
    finished_games: Option<toml::Spanned<RawAge>>,
    /// How often housekeeping runs. Default `1h`; between `1m` and `1d`.
    interval: Option<toml::Spanned<RawAge>>,
    /// Rows deleted per transaction, so a poll never waits long for the store. Default 5000.
    batch_rows: Option<toml::Spanned<u64>>,
}

/// An age as written: a string such as `14d`, or the integer `0`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawAge {
    /// `"14d"`, `"12h"`, `"0"`.
    Text(String),
    /// Only `0` (keep forever) is meaningful without a unit.
    Int(i64),
}

/// `[[leagues]]`: one league to follow.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLeague {
    /// League key as the adapter knows it (`nfl`, `eng.1`).
    key: String,
    /// Adapter name (`espn`, `nhl`, `mlb`, ...).
    adapter: String,
    /// IANA zone of the league's sports day, e.g. `America/New_York`. Default `UTC`.
    timezone: Option<String>,
    /// Follow this league. Default true.
    enabled: Option<bool>,
    /// Options passed to the adapter on every call.
    #[serde(default)]
    options: BTreeMap<String, String>,
    /// Cadence overrides, seconds.
    #[serde(default)]
    cadence: RawCadence,
    /// Team names for `scoreline schedule ingest`: a name (alias) → the id or abbreviation of a
    /// team the store knows, or → a `{ id, abbreviation, name }` table defining a team the store
    /// has not seen yet.
    #[serde(default)]
    teams: BTreeMap<String, RawTeam>,
}

/// One `[leagues.teams]` entry.
#[derive(Debug)]
enum RawTeam {
    /// `"Habs" = "MTL"`: another name for a known team (its id or abbreviation).
    Alias(String),
    /// `"Utah Mammoth" = { id = "...", abbreviation = "UTA" }`: a team defined here.
    Team(RawTeamDef),
}

/// `{ id, abbreviation, name }`: a team the store may not have seen yet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTeamDef {
    /// The adapter's team id (what its scoreboards will report).
    id: String,
    /// Short code, e.g. `UTA`.
    abbreviation: String,
    /// Display name. Default: the entry's key.
    name: Option<String>,
}

impl<'de> Deserialize<'de> for RawTeam {
    // By hand rather than `untagged`, so a bad table keeps serde's precise message (an unknown
    // or missing field, with toml's line) instead of "did not match any variant".
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = RawTeam;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a team id or abbreviation, or a table { id, abbreviation, name }")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawTeam, E> {
                Ok(RawTeam::Alias(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<RawTeam, A::Error> {
                RawTeamDef::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawTeam::Team)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `[leagues.cadence]`: overrides of the adapter's suggested cadence.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCadence {
    /// No game today: schedule refresh interval.
    idle_secs: Option<u64>,
    /// A game starts within `pregame_window_secs`.
    pregame_secs: Option<u64>,
    /// A game is live.
    live_secs: Option<u64>,
    /// Delay after the last final before the one settle fetch.
    settle_secs: Option<u64>,
    /// How long before a start pre-game polling begins. Default 1800.
    pregame_window_secs: Option<u64>,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the file came from (`None`: built-in defaults).
    pub source: Option<PathBuf>,
    /// State directory (embedded store).
    pub data_dir: PathBuf,
    /// Directory of adapter components.
    pub plugin_dir: PathBuf,
    /// Sandbox limits.
    pub sandbox: SandboxConfig,
    /// Upstream policy.
    pub upstream: UpstreamConfig,
    /// HTTP API.
    pub http: HttpConfig,
    /// The emulator, when enabled.
    pub emulator: Option<EmulatorConfig>,
    /// How long the store keeps rows, and how often housekeeping runs.
    pub retention: RetentionConfig,
    /// Enabled leagues, in file order.
    pub leagues: Vec<LeagueConfig>,
    /// Webhook subscriptions, in file order (disabled ones too, so they are listed).
    pub webhooks: Vec<Subscription>,
    /// Remote sinks (InfluxDB), in file order.
    pub sinks: Vec<SinkConfig>,
}

/// How long the store keeps its growing tables; `None` keeps a table forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionConfig {
    /// Upstream call log rows older than this are deleted.
    pub upstream_calls: Option<Duration>,
    /// Rejected snapshots older than this are deleted.
    pub rejections: Option<Duration>,
    /// Breaker transitions older than this are deleted (each host's latest is kept).
    pub breaker_transitions: Option<Duration>,
    /// Webhook deliveries that ended (delivered or failed) longer ago than this are deleted.
    pub webhook_deliveries: Option<Duration>,
    /// Finished games not updated for this long are deleted with their timeline and plays.
    pub finished_games: Option<Duration>,
    /// Time between housekeeping runs.
    pub interval: Duration,
    /// Rows deleted per transaction.
    pub batch_rows: usize,
}

impl Default for RetentionConfig {
    /// The defaults documented in `config/scoreline.toml`.
    fn default() -> Self {
        RetentionConfig {
            upstream_calls: Some(Duration::from_secs(14 * DAY_SECS)),
            rejections: Some(Duration::from_secs(30 * DAY_SECS)),
            breaker_transitions: Some(Duration::from_secs(30 * DAY_SECS)),
            webhook_deliveries: Some(Duration::from_secs(30 * DAY_SECS)),
            finished_games: None,
            interval: Duration::from_secs(3_600),
            batch_rows: 5_000,
        }
    }
}

const DAY_SECS: u64 = 86_400;

/// Upstream HTTP policy.
#[derive(Debug, Clone, PartialEq)]
pub struct UpstreamConfig {
    /// Whole-request timeout.
    pub timeout: Duration,
    /// Retries after a 5xx or timeout.
    pub retries: u32,
    /// First retry delay.
    pub retry_base: Duration,
    /// Requests per second per host.
    pub rate_per_sec: u32,
    /// `User-Agent`.
    pub user_agent: String,
    /// Bodies held at once from the first byte read until the poll that asked for them drops
    /// them (after the adapter parsed them): bounds the memory of bodies queued for a parse.
    pub max_bodies_in_flight: usize,
    /// Host → where requests for it really go.
    pub overrides: BTreeMap<String, Override>,
    /// The circuit breaker every upstream host gets.
    pub breaker: BreakerConfig,
    /// The response cache shared by every league.
    pub cache: CacheConfig,
}

/// `[upstream.cache]`: how long a response is reused, by the game state it was fetched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheConfig {
    /// While a game in view is live.
    pub live: Duration,
    /// Before games start.
    pub pregame: Duration,
    /// With no game near.
    pub idle: Duration,
    /// The settle fetch after a final.
    pub settle: Duration,
    /// Upper bound on an upstream `Cache-Control: max-age`.
    pub max_age_cap: Duration,
    /// Most body bytes kept; the oldest entries are evicted first.
    pub max_bytes: usize,
}

/// Where an overridden host's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Override {
    /// A base URL such as `http://127.0.0.1:8099`.
    Url(url::Url),
    /// The in-process emulator.
    Emulator,
}

/// The HTTP API.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpConfig {
    /// Serve at all.
    pub enabled: bool,
    /// Listen address.
    pub listen: SocketAddr,
    /// Admin bearer token.
    pub admin_token: Option<String>,
}

/// One followed league.
#[derive(Debug, Clone, PartialEq)]
pub struct LeagueConfig {
    /// League key.
    pub key: String,
    /// Adapter name.
    pub adapter: String,
    /// Zone of its sports day.
    pub timezone: chrono_tz::Tz,
    /// Adapter options.
    pub options: Vec<(String, String)>,
    /// Cadence overrides.
    pub cadence: CadenceOverrides,
    /// `[leagues.teams]`: extra names and teams for schedule ingestion, in key order.
    pub teams: Vec<TeamEntry>,
}

impl LeagueConfig {
    /// What an adapter call for this league receives: the league key, its options and `now`.
    pub fn call_context(&self, now: chrono::DateTime<chrono::Utc>) -> CallContext {
        CallContext {
            league: self.key.clone(),
            options: self.options.clone(),
            now,
        }
    }

    /// The store key of `game_id` as `adapter` reports it in this league.
    pub fn game_key(&self, adapter: &str, game_id: &str) -> GameKey {
        GameKey::new(self.key.as_str(), adapter, game_id)
    }
}

/// Per-league cadence overrides; `None` takes the adapter's suggestion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CadenceOverrides {
    /// Idle schedule refresh.
    pub idle: Option<Duration>,
    /// Pre-game poll.
    pub pregame: Option<Duration>,
    /// Live poll.
    pub live: Option<Duration>,
    /// Settle delay.
    pub settle: Option<Duration>,
    /// Pre-game window.
    pub pregame_window: Duration,
}

impl Config {
    /// Read `path`; with no path, read [`DEFAULT_PATH`] when it exists, else use the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let path = match path {
            Some(p) => p.to_owned(),
            None if Path::new(DEFAULT_PATH).is_file() => PathBuf::from(DEFAULT_PATH),
            None => {
                return Config::parse(Path::new("<defaults>"), "", |_| None)
                    .map(|c| Config { source: None, ..c });
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: path.clone(),
            source,
        })?;
        Config::parse(&path, &text, |name| std::env::var(name).ok())
    }

    /// Substitute, parse and validate `text`; `path` names it in errors; `env` looks up variables.
    pub fn parse(
        path: &Path,
        text: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let text = subst::substitute(text, env).map_err(|source| ConfigError::Subst {
            path: path.to_owned(),
            source,
        })?;
        let raw: RawConfig = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Validator { path, text: &text }.config(raw)
    }
}

struct Validator<'a> {
    path: &'a Path,
    /// The substituted text, to turn a value's span into its line.
    text: &'a str,
}

/// `[upstream] max_bodies_in_flight` by default: twice the sandbox's default concurrent calls
/// (the cores), so a parse always has the next body ready, and at least 4.
pub fn default_bodies_in_flight() -> usize {
    (2 * crate::sandbox::default_concurrent_calls()).max(4)
}

fn ttl_secs(v: Option<u64>, default: u64) -> Duration {
    Duration::from_secs(v.unwrap_or(default).min(3_600))
}

impl Validator<'_> {
    fn invalid(&self, key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_owned(),
            key: key.into(),
            message: message.into(),
        }
    }

    fn secs(&self, key: String, v: Option<u64>, max: u64) -> Result<Option<Duration>, ConfigError> {
        match v {
            None => Ok(None),
            Some(0) => Err(self.invalid(key, "must be at least 1")),
            Some(s) if s > max => Err(self.invalid(key, format!("must be at most {max}"))),
            Some(s) => Ok(Some(Duration::from_secs(s))),
        }
    }

    fn mib(&self, key: &str, v: Option<u64>, default: usize) -> Result<usize, ConfigError> {
        match v {
            None => Ok(default),
            Some(0) => Err(self.invalid(key, "must be at least 1")),
            Some(m) if m > 4096 => Err(self.invalid(key, "must be at most 4096")),
            Some(m) => usize::try_from(m << 20).map_err(|_| self.invalid(key, "is too large")),
        }
    }

    /// An error naming the line of the value at byte `offset`.
    fn invalid_at(&self, offset: usize, key: &str, message: impl Into<String>) -> ConfigError {
        let before = self.text.get(..offset).unwrap_or(self.text);
        ConfigError::InvalidAt {
            path: self.path.to_owned(),
            line: before.matches('\n').count() + 1,
            key: key.to_owned(),
            message: message.into(),
        }
    }

    /// An age in `[min, max]`; `0` is `None` (forever) only where `forever_ok`.
    fn age(
        &self,
        key: &str,
        v: Option<toml::Spanned<RawAge>>,
        default: Option<Duration>,
        (min, max): (Duration, Duration),
        forever_ok: bool,
    ) -> Result<Option<Duration>, ConfigError> {
        let Some(v) = v else {
            return Ok(default);
        };
        let at = v.span().start;
        let age = match v.into_inner() {
            RawAge::Text(t) => parse_age(&t).map_err(|m| self.invalid_at(at, key, m))?,
            RawAge::Int(0) => None,
            RawAge::Int(n) => {
                return Err(self.invalid_at(
                    at,
                    key,
                    format!("`{n}` has no unit: write an age such as \"{n}s\" or \"14d\""),
                ));
            }
        };
        let show = format_age;
        match age {
            None if forever_ok => Ok(None),
            None => Err(self.invalid_at(at, key, "must not be 0")),
            Some(d) if d < min => Err(self.invalid_at(
                at,
                key,
                format!("`{}` is shorter than the minimum {}", show(d), show(min)),
            )),
            Some(d) if d > max => Err(self.invalid_at(
                at,
                key,
                format!("`{}` is longer than the maximum {}", show(d), show(max)),
            )),
            Some(d) => Ok(Some(d)),
        }
    }

    fn retention(&self, r: RawRetention) -> Result<RetentionConfig, ConfigError> {
        let d = RetentionConfig::default();
        let hour = Duration::from_secs(3_600);
        let keep = (hour, Duration::from_secs(100 * 365 * DAY_SECS));
        let interval = self
            .age(
                "retention.interval",
                r.interval,
                Some(d.interval),
                (Duration::from_secs(60), Duration::from_secs(DAY_SECS)),
                false,
            )?
            .unwrap_or(d.interval);
        let batch_rows = match r.batch_rows {
            None => d.batch_rows,
            Some(b) => {
                let at = b.span().start;
                match *b.get_ref() {
                    n @ 100..=100_000 => usize::try_from(n).unwrap_or(d.batch_rows),
                    n => {
                        return Err(self.invalid_at(
                            at,
                            "retention.batch_rows",
                            format!("`{n}` must be between 100 and 100000"),
                        ));
                    }
                }
            }
        };
        Ok(RetentionConfig {
            upstream_calls: self.age(
                "retention.upstream_calls",
                r.upstream_calls,
                d.upstream_calls,
                keep,
                true,
            )?,
            rejections: self.age(
                "retention.rejections",
                r.rejections,
                d.rejections,
                keep,
                true,
            )?,
            breaker_transitions: self.age(
                "retention.breaker_transitions",
                r.breaker_transitions,
                d.breaker_transitions,
                keep,
                true,
            )?,
            webhook_deliveries: self.age(
                "retention.webhook_deliveries",
                r.webhook_deliveries,
                d.webhook_deliveries,
                keep,
                true,
            )?,
            finished_games: self.age(
                "retention.finished_games",
                r.finished_games,
                d.finished_games,
                keep,
                true,
            )?,
            interval,
            batch_rows,
        })
    }

    fn rate(&self, key: &str, v: Option<f64>) -> Result<f64, ConfigError> {
        match v {
            None => Ok(0.0),
            Some(r) if (0.0..=1.0).contains(&r) => Ok(r),
            Some(r) => Err(self.invalid(key, format!("must be between 0 and 1, not {r}"))),
        }
    }

    fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let plugin_dir = raw
            .plugin_dir
            .unwrap_or_else(|| PathBuf::from("target/plugins"));
        let sandbox = self.sandbox(raw.sandbox, &plugin_dir)?;
        let upstream = self.upstream(raw.upstream)?;
        let emulator = self.emulator(raw.emulator)?;
        let retention = self.retention(raw.retention)?;
        if emulator.is_none()
            && upstream
                .overrides
                .values()
                .any(|o| *o == Override::Emulator)
        {
            return Err(self.invalid(
                "upstream.overrides",
                "points at the emulator, but `[emulator] enabled` is not true",
            ));
        }
        let listen = raw.http.listen.as_deref().unwrap_or("127.0.0.1:8080");
        let http = HttpConfig {
            enabled: raw.http.enabled.unwrap_or(true),
            listen: listen.parse().map_err(|_| {
                self.invalid(
                    "http.listen",
                    format!("`{listen}` is not an address such as 127.0.0.1:8080"),
                )
            })?,
            admin_token: raw.http.admin_token.filter(|t| !t.is_empty()),
        };
        let mut leagues = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, l) in raw.leagues.into_iter().enumerate() {
            let at = format!("leagues[{i}]");
            if l.key.is_empty() || l.key.contains(['*', ' ', '/']) {
                return Err(self.invalid(
                    format!("{at}.key"),
                    format!("`{}` is not a plain league key", l.key),
                ));
            }
            if !l.enabled.unwrap_or(true) {
                continue;
            }
            if !seen.insert(l.key.clone()) {
                return Err(self.invalid(
                    format!("{at}.key"),
                    format!(
                        "league `{}` has a second enabled source; disable one of them",
                        l.key
                    ),
                ));
            }
            let tz_name = l.timezone.as_deref().unwrap_or("UTC");
            let timezone = tz_name.parse::<chrono_tz::Tz>().map_err(|_| {
                self.invalid(
                    format!("{at}.timezone"),
                    format!("`{tz_name}` is not an IANA time zone"),
                )
            })?;
            let c = l.cadence;
            let cadence = CadenceOverrides {
                idle: self.secs(format!("{at}.cadence.idle_secs"), c.idle_secs, 86_400)?,
                pregame: self.secs(format!("{at}.cadence.pregame_secs"), c.pregame_secs, 3_600)?,
                live: self.secs(format!("{at}.cadence.live_secs"), c.live_secs, 3_600)?,
                settle: self.secs(
                    format!("{at}.cadence.settle_secs"),
                    c.settle_secs,
                    7 * 86_400,
                )?,
                pregame_window: self
                    .secs(
                        format!("{at}.cadence.pregame_window_secs"),
                        c.pregame_window_secs,
                        86_400,
                    )?
                    .unwrap_or(Duration::from_secs(1_800)),
            };
            let teams = self.teams(&at, l.teams)?;
            leagues.push(LeagueConfig {
                key: l.key,
                adapter: l.adapter,
                timezone,
                options: l.options.into_iter().collect(),
                cadence,
                teams,
            });
        }
        let webhooks = self.webhooks(raw.webhooks)?;
        let sinks = self.sinks(raw.sinks)?;
        Ok(Config {
            source: Some(self.path.to_owned()),
            data_dir: raw.data_dir.unwrap_or_else(|| PathBuf::from("data")),
            plugin_dir,
            sandbox,
            upstream,
            http,
            emulator,
            retention,
            leagues,
            webhooks,
            sinks,
        })
    }

    fn sinks(&self, raw: Vec<SinkSpec>) -> Result<Vec<SinkConfig>, ConfigError> {
        let mut out: Vec<SinkConfig> = Vec::with_capacity(raw.len());
        for (i, spec) in raw.into_iter().enumerate() {
            let sink = spec
                .validate()
                .map_err(|e| self.invalid(format!("sinks[{i}].{}", e.field), e.message))?;
            if out.iter().any(|s| s.name == sink.name) {
                return Err(self.invalid(
                    format!("sinks[{i}].name"),
                    format!("`{}` is the name of an earlier sink", sink.name),
                ));
            }
            out.push(sink);
        }
        Ok(out)
    }

    fn webhooks(&self, raw: Vec<SubscriptionSpec>) -> Result<Vec<Subscription>, ConfigError> {
        let mut out: Vec<Subscription> = Vec::with_capacity(raw.len());
        for (i, spec) in raw.into_iter().enumerate() {
            let name = spec.name.clone();
            let sub = Subscription::from_spec(spec, Source::Config)
                .map_err(|e| self.invalid(format!("webhooks[{i}].{}", e.field), e.message))?;
            if out.iter().any(|s| s.name == name) {
                return Err(self.invalid(
                    format!("webhooks[{i}].name"),
                    format!("`{name}` is the name of an earlier subscription"),
                ));
            }
            out.push(sub);
        }
        Ok(out)
    }

    fn teams(
        &self,
        at: &str,
        raw: BTreeMap<String, RawTeam>,
    ) -> Result<Vec<TeamEntry>, ConfigError> {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut out = Vec::with_capacity(raw.len());
        for (key, team) in raw {
            let path = format!("{at}.teams.\"{key}\"");
            let name = key.trim();
            if name.is_empty() {
                return Err(self.invalid(path, "is an empty team name"));
            }
            // Folded as `schedule ingest` matches names: case and spacing do not count.
            let folded = name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            if let Some(first) = seen.insert(folded, key.clone()) {
                return Err(self.invalid(
                    path,
                    format!("is the same name as `{first}` (names are matched case-insensitively)"),
                ));
            }
            let field = |field: &str, v: &str| {
                let v = v.trim();
                if v.is_empty() {
                    Err(self.invalid(format!("{path}.{field}"), "must not be empty"))
                } else {
                    Ok(v.to_owned())
                }
            };
            out.push(match team {
                RawTeam::Alias(target) => {
                    let target = target.trim();
                    if target.is_empty() {
                        return Err(self.invalid(
                            path,
                            "must name a team id or abbreviation, not an empty string",
                        ));
                    }
                    TeamEntry::Alias {
                        name: name.to_owned(),
                        target: target.to_owned(),
                    }
                }
                RawTeam::Team(def) => TeamEntry::Team {
                    key: name.to_owned(),
                    id: field("id", &def.id)?,
                    abbreviation: field("abbreviation", &def.abbreviation)?,
                    name: match def.name.as_deref() {
                        Some(n) => field("name", n)?,
                        None => name.to_owned(),
                    },
                },
            });
        }
        Ok(out)
    }

    fn sandbox(&self, s: RawSandbox, plugin_dir: &Path) -> Result<SandboxConfig, ConfigError> {
        let defaults = SandboxConfig::default();
        let call_timeout = match s.call_timeout_ms {
            None => defaults.call_timeout,
            Some(0) => return Err(self.invalid("sandbox.call_timeout_ms", "must be at least 1")),
            Some(ms) => Duration::from_millis(ms),
        };
        Ok(SandboxConfig {
            memory_bytes: self.mib("sandbox.memory_mib", s.memory_mib, defaults.memory_bytes)?,
            call_timeout,
            max_body_bytes: self.mib(
                "sandbox.max_body_mib",
                s.max_body_mib,
                defaults.max_body_bytes,
            )?,
            output: OutputLimits {
                max_games: s.max_games.unwrap_or(defaults.output.max_games),
                max_plays: s.max_plays.unwrap_or(defaults.output.max_plays),
            },
            cache_dir: Some(s.cache_dir.unwrap_or_else(|| plugin_dir.join(".cache"))),
            max_concurrent_calls: match s.max_concurrent_calls {
                None => defaults.max_concurrent_calls,
                Some(n @ 1..=64) => n,
                Some(_) => {
                    return Err(self.invalid(
                        "sandbox.max_concurrent_calls",
                        "must be between 1 and 64 (the instance pool has 64 slots)",
                    ));
                }
            },
            ..defaults
        })
    }

    fn upstream(&self, u: RawUpstream) -> Result<UpstreamConfig, ConfigError> {
        let mut overrides = BTreeMap::new();
        for (host, target) in u.overrides {
            let key = format!("upstream.overrides.\"{host}\"");
            let o = if target == "emulator" {
                Override::Emulator
            } else {
                let url = url::Url::parse(&target).map_err(|e| {
                    self.invalid(key.clone(), format!("`{target}` is not a URL: {e}"))
                })?;
                if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
                    return Err(
                        self.invalid(key, format!("`{target}` must be an http(s) base URL"))
                    );
                }
                Override::Url(url)
            };
            overrides.insert(host.to_ascii_lowercase(), o);
        }
        let rate = u.rate_per_sec.unwrap_or(5);
        if rate == 0 {
            return Err(self.invalid("upstream.rate_per_sec", "must be at least 1"));
        }
        let bodies = match u.max_bodies_in_flight {
            None => default_bodies_in_flight(),
            Some(0) => {
                return Err(self.invalid("upstream.max_bodies_in_flight", "must be at least 1"));
            }
            Some(n) => n,
        };
        let b = u.breaker;
        let failures = b.failures.unwrap_or(5);
        if failures == 0 {
            return Err(self.invalid("upstream.breaker.failures", "must be at least 1"));
        }
        const DAY: u64 = 86_400;
        let cooldown = self
            .secs(
                "upstream.breaker.cooldown_secs".into(),
                b.cooldown_secs,
                DAY,
            )?
            .unwrap_or(Duration::from_secs(30));
        let max_cooldown = self
            .secs(
                "upstream.breaker.max_cooldown_secs".into(),
                b.max_cooldown_secs,
                DAY,
            )?
            .unwrap_or(Duration::from_secs(600))
            .max(cooldown);
        let c = u.cache;
        let ttl = |key: &str, v: Option<u64>, default: u64| -> Result<Duration, ConfigError> {
            match v.unwrap_or(default) {
                s if s > DAY => Err(self.invalid(
                    format!("upstream.cache.{key}"),
                    format!("must be at most {DAY}"),
                )),
                s => Ok(Duration::from_secs(s)),
            }
        };
        let cache = CacheConfig {
            live: ttl("live_secs", c.live_secs, 5)?,
            pregame: ttl("pregame_secs", c.pregame_secs, 30)?,
            idle: ttl("idle_secs", c.idle_secs, 300)?,
            settle: ttl("settle_secs", c.settle_secs, 0)?,
            max_age_cap: ttl("max_age_cap_secs", c.max_age_cap_secs, 600)?,
            max_bytes: self.mib("upstream.cache.max_mib", c.max_mib, 16 << 20)?,
        };
        Ok(UpstreamConfig {
            timeout: Duration::from_millis(u.timeout_ms.unwrap_or(10_000).max(1)),
            retries: u.retries.unwrap_or(2).min(10),
            retry_base: Duration::from_millis(u.retry_base_ms.unwrap_or(500)),
            rate_per_sec: rate,
            user_agent: u
                .user_agent
                .unwrap_or_else(|| format!("scoreline/{}", env!("CARGO_PKG_VERSION"))),
            max_bodies_in_flight: bodies,
            overrides,
            breaker: BreakerConfig {
                failures,
                cooldown,
                max_cooldown,
                max_retry_after_wait: ttl_secs(b.max_retry_after_wait_secs, 10),
            },
            cache,
        })
    }

    fn emulator(&self, e: RawEmulator) -> Result<Option<EmulatorConfig>, ConfigError> {
        if !e.enabled.unwrap_or(false) {
            return Ok(None);
        }
        let f = e.faults;
        let updates = match e.update_period_ms.filter(|p| *p > 0) {
            None => None,
            Some(period) if period > 3_600_000 => {
                return Err(self.invalid(
                    "emulator.update_period_ms",
                    "must be 0 to 3600000 (an hour)",
                ));
            }
            Some(period) => {
                let below = |key: &str, v: Option<u64>| match v.unwrap_or(0) {
                    v if v < period => Ok(Duration::from_millis(v)),
                    _ => Err(self.invalid(key, "must be less than update_period_ms")),
                };
                Some(scoreline_emulator::BoardUpdates {
                    period: Duration::from_millis(period),
                    phase: below("emulator.update_phase_ms", e.update_phase_ms)?,
                    jitter: below("emulator.update_jitter_ms", e.update_jitter_ms)?,
                })
            }
        };
        Ok(Some(EmulatorConfig {
            updates,
            seed: e.seed.unwrap_or(7),
            game_length: self
                .secs("emulator.game_secs".into(), e.game_secs, 86_400)?
                .unwrap_or(Duration::from_secs(60)),
            stagger: Duration::from_secs(e.stagger_secs.unwrap_or(10)),
            max_age: Duration::from_secs(match e.max_age_secs {
                Some(s) if s > 3_600 => {
                    return Err(self.invalid("emulator.max_age_secs", "must be 0 to 3600"));
                }
                s => s.unwrap_or(5),
            }),
            error_rate: self.rate("emulator.faults.error_rate", f.error_rate)?,
            timeout_rate: self.rate("emulator.faults.timeout_rate", f.timeout_rate)?,
            malformed_rate: self.rate("emulator.faults.malformed_rate", f.malformed_rate)?,
            glitch: f.glitch.unwrap_or(false),
            drop_game: f.drop_game.unwrap_or(false),
            stale: f.stale.unwrap_or(false),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(Path::new("x.toml"), text, |name| {
            (name == "SET").then(|| "/from/env".to_owned())
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn every_shipped_config_parses() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|x| x == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                // Variables take their defaults, as on a machine with none set.
                if let Err(e) = Config::parse(&path, &text, |_| None) {
                    panic!("{e}");
                }
                seen += 1;
            }
        }
        assert!(seen >= 1, "no config/*.toml found in {}", dir.display());
    }

    #[test]
    fn demo_influxdb_config_has_the_v1_sink() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/demo-influxdb.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let c = Config::parse(&path, &text, |n| {
            (n == "SCORELINE_INFLUX_URL").then(|| "http://127.0.0.1:18086/".to_owned())
        })
        .unwrap();
        let s = &c.sinks[0];
        assert_eq!(
            (s.name.as_str(), s.url.as_str()),
            ("influx", "http://127.0.0.1:18086")
        );
        assert_eq!(
            s.kind,
            crate::influx::config::SinkKind::V1 {
                database: "scoreline".into(),
                auth: None
            }
        );
        let got: Vec<(String, Option<u64>, Option<u64>, bool)> = s
            .policies
            .iter()
            .map(|p| {
                (
                    p.name.clone(),
                    p.duration.map(|d| d.as_secs() / 86_400),
                    p.shard_duration.map(|d| d.as_secs() / 86_400),
                    p.default,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("live".to_owned(), Some(730), Some(7), true),
                ("aggregates".to_owned(), Some(1825), Some(30), false)
            ]
        );
        let default_url = Config::parse(&path, &text, |_| None).unwrap();
        assert_eq!(default_url.sinks[0].url, "http://127.0.0.1:8086");
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        let e = parse("plugin_dri = \"a\"\n").unwrap_err();
        assert!(e.contains("plugin_dri") && e.contains("line 1"), "{e}");
        let e = parse("[[leagues]]\nkey = \"nfl\"\nadapter = \"espn\"\ntimezon = \"UTC\"\n")
            .unwrap_err();
        assert!(e.contains("timezon") && e.contains("line 4"), "{e}");
        assert_eq!(
            parse("[sandbox]\nmemory_mib = 0\n").unwrap_err(),
            "config `x.toml`: `sandbox.memory_mib` must be at least 1"
        );
        assert_eq!(
            parse("[upstream]\nmax_bodies_in_flight = 0\n").unwrap_err(),
            "config `x.toml`: `upstream.max_bodies_in_flight` must be at least 1"
        );
        assert_eq!(
            parse("[[leagues]]\nkey = \"nfl\"\nadapter = \"espn\"\ntimezone = \"Mars/Olympus\"\n")
                .unwrap_err(),
            "config `x.toml`: `leagues[0].timezone` `Mars/Olympus` is not an IANA time zone"
        );
        assert_eq!(
            parse("data_dir = \"${UNSET_VAR}\"\n").unwrap_err(),
            "config `x.toml`: line 1: environment variable `UNSET_VAR` is not set and has no default (write `${UNSET_VAR:-default}`)"
        );
    }

    #[test]
    fn bodies_in_flight_default_to_twice_the_cores_and_at_least_four() {
        let cores = crate::sandbox::default_concurrent_calls();
        let default = parse("").unwrap().upstream.max_bodies_in_flight;
        assert!(
            default >= 4 && default >= 2 * cores,
            "{default} for {cores} cores"
        );
        let set = parse("[upstream]\nmax_bodies_in_flight = 7\n").unwrap();
        assert_eq!(set.upstream.max_bodies_in_flight, 7);
    }

    #[test]
    fn league_teams_are_aliases_or_definitions() {
        let c = parse(
            "[[leagues]]\nkey = \"nhl\"\nadapter = \"espn\"\n[leagues.teams]\n\
             \" Habs \" = \" MTL \"\n\
             \"Utah Mammoth\" = { id = \"129764\", abbreviation = \"UTA\" }\n\
             \"Utah\" = { id = \"129764\", abbreviation = \"UTA\", name = \"Utah HC\" }\n",
        )
        .unwrap();
        assert_eq!(
            c.leagues[0].teams,
            vec![
                TeamEntry::Alias {
                    name: "Habs".into(),
                    target: "MTL".into()
                },
                TeamEntry::Team {
                    key: "Utah".into(),
                    id: "129764".into(),
                    abbreviation: "UTA".into(),
                    name: "Utah HC".into()
                },
                TeamEntry::Team {
                    key: "Utah Mammoth".into(),
                    id: "129764".into(),
                    abbreviation: "UTA".into(),
                    name: "Utah Mammoth".into()
                },
            ]
        );
        let head = "[[leagues]]\nkey = \"nhl\"\nadapter = \"espn\"\n[leagues.teams]\n";
        // A misspelt field in a team table is named with its line.
        let e = parse(&format!(
            "{head}\"Habs\" = \"MTL\"\n\"Utah\" = {{ id = \"1\", abbrev = \"UTA\" }}\n"
        ))
        .unwrap_err();
        assert!(e.contains("line 6") && e.contains("abbrev"), "{e}");
        let e = parse(&format!("{head}\"Habs\" = 7\n")).unwrap_err();
        assert!(
            e.contains("line 5") && e.contains("team id or abbreviation"),
            "{e}"
        );
        assert_eq!(
            parse(&format!("{head}\"Habs\" = \"MTL\"\n\"habs\" = \"MTL\"\n")).unwrap_err(),
            "config `x.toml`: `leagues[0].teams.\"habs\"` is the same name as `Habs` (names are \
             matched case-insensitively)"
        );
        assert_eq!(
            parse(&format!("{head}\"Habs\" = \"  \"\n")).unwrap_err(),
            "config `x.toml`: `leagues[0].teams.\"Habs\"` must name a team id or abbreviation, \
             not an empty string"
        );
        assert_eq!(
            parse(&format!(
                "{head}\"Utah\" = {{ id = \"\", abbreviation = \"UTA\" }}\n"
            ))
            .unwrap_err(),
            "config `x.toml`: `leagues[0].teams.\"Utah\".id` must not be empty"
        );
    }

    #[test]
    fn ages_parse_with_one_unit() {
        let secs = |s: u64| Ok(Some(Duration::from_secs(s)));
        assert_eq!(parse_age("90s"), secs(90));
        assert_eq!(parse_age("30m"), secs(1_800));
        assert_eq!(parse_age("12h"), secs(43_200));
        assert_eq!(parse_age(" 14d "), secs(14 * 86_400));
        assert_eq!(parse_age("2w"), secs(14 * 86_400));
        assert_eq!(parse_age("0"), Ok(None));
        assert_eq!(parse_age("0d"), Ok(None));
        for bad in [
            "", "d", "14", "14 d", "1.5d", "-1d", "14days", "1h30m", "1D",
        ] {
            assert_eq!(
                parse_age(bad),
                Err(format!(
                    "`{bad}` is not an age such as 30m, 12h, 14d or 2w (or 0 for forever)"
                )),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_age("99999999999999999w"),
            Err("`99999999999999999w` is too long".to_owned())
        );
        for (secs, shown) in [(90, "90s"), (120, "2m"), (3_600, "1h"), (86_400, "1d")] {
            assert_eq!(format_age(Duration::from_secs(secs)), shown);
        }
        assert_eq!(format_age(Duration::from_secs(14 * 86_400)), "2w");
    }

    #[test]
    fn retention_defaults_and_values() {
        let d = parse("").unwrap().retention;
        assert_eq!(d, RetentionConfig::default());
        let day = |n: u64| Some(Duration::from_secs(n * 86_400));
        assert_eq!(d.upstream_calls, day(14));
        assert_eq!(d.rejections, day(30));
        assert_eq!(d.breaker_transitions, day(30));
        assert_eq!(d.webhook_deliveries, day(30));
        assert_eq!(d.finished_games, None);
        assert_eq!(d.interval, Duration::from_secs(3_600));
        assert_eq!(d.batch_rows, 5_000);

        let c = parse(
            "[retention]\nupstream_calls = \"7d\"\nrejections = \"0\"\n\
             breaker_transitions = 0\nwebhook_deliveries = \"2w\"\nfinished_games = \"52w\"\n\
             interval = \"15m\"\n\
             batch_rows = 1000\n",
        )
        .unwrap()
        .retention;
        assert_eq!(
            c,
            RetentionConfig {
                upstream_calls: day(7),
                rejections: None,
                breaker_transitions: None,
                webhook_deliveries: day(14),
                finished_games: day(364),
                interval: Duration::from_secs(900),
                batch_rows: 1_000,
            }
        );
    }

    #[test]
    fn bad_retention_values_name_key_and_line() {
        let cases = [
            (
                "[retention]\nupstream_calls = \"14x\"\n",
                "config `x.toml`: line 2: `retention.upstream_calls` `14x` is not an age such as 30m, 12h, 14d or 2w (or 0 for forever)",
            ),
            (
                "data_dir = \"d\"\n\n[retention]\nrejections = \"30d\"\nfinished_games = 7\n",
                "config `x.toml`: line 5: `retention.finished_games` `7` has no unit: write an age such as \"7s\" or \"14d\"",
            ),
            (
                "[retention]\ninterval = \"0\"\n",
                "config `x.toml`: line 2: `retention.interval` must not be 0",
            ),
            (
                "[retention]\ninterval = \"10s\"\n",
                "config `x.toml`: line 2: `retention.interval` `10s` is shorter than the minimum 1m",
            ),
            (
                "[retention]\ninterval = \"2d\"\n",
                "config `x.toml`: line 2: `retention.interval` `2d` is longer than the maximum 1d",
            ),
            (
                "[retention]\nbreaker_transitions = \"30m\"\n",
                "config `x.toml`: line 2: `retention.breaker_transitions` `30m` is shorter than the minimum 1h",
            ),
            (
                "[retention]\n\nbatch_rows = 5\n",
                "config `x.toml`: line 3: `retention.batch_rows` `5` must be between 100 and 100000",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap_err(), expected, "{text}");
        }
        let e = parse("[retention]\nupstream_call = \"14d\"\n").unwrap_err();
        assert!(e.contains("upstream_call") && e.contains("line 2"), "{e}");
        let e = parse("[retention]\ninterval = true\n").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn webhooks_parse_with_defaults_and_bad_ones_are_named() {
        let head = "[[webhooks]]\nname = \"a\"\nurl = \"https://h.example.com/in\"\nsecret = \"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\"\n";
        let c = parse(&format!(
            "{head}types = [\"game.final\"]\ncooldown_secs = 30\n"
        ))
        .unwrap();
        let w = &c.webhooks[0];
        assert_eq!(w.name, "a");
        assert_eq!(w.types.len(), 1);
        assert_eq!(w.cooldown, Duration::from_secs(30));
        assert!(!w.catch_up && !w.allow_private && w.enabled && w.daily_limit_bypass);
        assert_eq!(w.daily_limit, None);
        assert_eq!(
            parse(&format!("{head}{head}")).unwrap_err(),
            "config `x.toml`: `webhooks[1].name` `a` is the name of an earlier subscription"
        );
        assert_eq!(
            parse(&head.replace("https://h.example.com", "http://10.0.0.8")).unwrap_err(),
            "config `x.toml`: `webhooks[0].url` `http://10.0.0.8/in` is a loopback, private or link-local address; set allow_private = true to allow it"
        );
        let e = parse(&format!("{head}retries = 3\n")).unwrap_err();
        assert!(e.contains("retries") && e.contains("line 5"), "{e}");
    }

    #[test]
    fn one_enabled_source_per_league() {
        let two = "[[leagues]]\nkey = \"nhl\"\nadapter = \"espn\"\n[[leagues]]\nkey = \"nhl\"\nadapter = \"nhl\"\n";
        assert_eq!(
            parse(two).unwrap_err(),
            "config `x.toml`: `leagues[1].key` league `nhl` has a second enabled source; disable one of them"
        );
        let one = format!("{two}enabled = false\n");
        let c = parse(&one).unwrap();
        assert_eq!(c.leagues.len(), 1);
        assert_eq!(c.leagues[0].adapter, "espn");
    }

    #[test]
    fn values_and_defaults() {
        let c = parse(
            "data_dir = \"${SET}\"\nplugin_dir = \"p\"\n[sandbox]\nmemory_mib = 64\ncall_timeout_ms = 250\n\
             [upstream.overrides]\n\"Site.Api.Espn.com\" = \"http://127.0.0.1:9\"\n\
             [[leagues]]\nkey = \"nba\"\nadapter = \"espn\"\ntimezone = \"America/Los_Angeles\"\n\
             [leagues.options]\nlimit = \"300\"\n[leagues.cadence]\nlive_secs = 7\n",
        )
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/from/env"));
        assert_eq!(c.sandbox.memory_bytes, 64 << 20);
        assert_eq!(c.sandbox.call_timeout, Duration::from_millis(250));
        assert_eq!(c.sandbox.cache_dir, Some(PathBuf::from("p/.cache")));
        assert!(
            matches!(c.upstream.overrides.get("site.api.espn.com"), Some(Override::Url(u)) if u.as_str() == "http://127.0.0.1:9/")
        );
        let l = &c.leagues[0];
        assert_eq!(l.timezone, chrono_tz::America::Los_Angeles);
        assert_eq!(l.options, vec![("limit".to_owned(), "300".to_owned())]);
        assert_eq!(l.cadence.live, Some(Duration::from_secs(7)));
        assert_eq!(l.cadence.pregame_window, Duration::from_secs(1800));
        assert_eq!(c.http.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(c.emulator.is_none());
        assert!(
            parse("[upstream.overrides]\nx = \"emulator\"\n")
                .unwrap_err()
                .contains("emulator")
        );
    }
    #[test]
    fn emulator_max_age_defaults_to_five_seconds_and_is_bounded() {
        let e = |extra: &str| parse(&format!("[emulator]\nenabled = true\n{extra}"));
        let c = e("").unwrap();
        assert_eq!(c.emulator.unwrap().max_age, Duration::from_secs(5));
        let c = e("max_age_secs = 0\n").unwrap();
        assert_eq!(c.emulator.unwrap().max_age, Duration::ZERO);
        assert!(
            e("max_age_secs = 3601\n")
                .unwrap_err()
                .contains("emulator.max_age_secs")
        );
    }

    #[test]
    fn emulator_board_updates_are_off_by_default_and_checked() {
        let e = |extra: &str| parse(&format!("[emulator]\nenabled = true\n{extra}"));
        assert_eq!(e("").unwrap().emulator.unwrap().updates, None);
        assert_eq!(
            e("update_period_ms = 0\n")
                .unwrap()
                .emulator
                .unwrap()
                .updates,
            None
        );
        let u = e("update_period_ms = 10000\nupdate_phase_ms = 3000\nupdate_jitter_ms = 1500\n")
            .unwrap()
            .emulator
            .unwrap()
            .updates
            .unwrap();
        assert_eq!(
            (u.period, u.phase, u.jitter),
            (
                Duration::from_secs(10),
                Duration::from_secs(3),
                Duration::from_millis(1_500)
            )
        );
        for (bad, key) in [
            (
                "update_period_ms = 1000\nupdate_phase_ms = 1000\n",
                "update_phase_ms",
            ),
            (
                "update_period_ms = 1000\nupdate_jitter_ms = 2000\n",
                "update_jitter_ms",
            ),
            ("update_period_ms = 3600001\n", "update_period_ms"),
        ] {
            let err = e(bad).unwrap_err();
            assert!(err.contains(key), "{err}");
        }
    }
}
