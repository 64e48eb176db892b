//! `[[sinks]]`: the raw TOML form of a sink (every field documented, unknown keys refused) and
//! its validation into [`SinkConfig`] (pure).

use scoreline_core::age::parse_age;
use scoreline_core::influx::schema::Policy;
use serde::Deserialize;
use std::time::Duration;

/// `[[sinks]]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SinkSpec {
    /// Unique name; keys the sink's cursor in the store. Default: the kind.
    pub name: Option<String>,
    /// `influxdb_v1` or `influxdb_v2`.
    pub kind: String,
    /// Base URL of the server, e.g. `http://127.0.0.1:8086`.
    pub url: String,
    /// v1: database, created if missing.
    pub database: Option<String>,
    /// v1: user name (basic auth), optional.
    pub username: Option<String>,
    /// v1: password, optional.
    pub password: Option<String>,
    /// v2: organisation name.
    pub org: Option<String>,
    /// v2: API token (`Authorization: Token ...`).
    pub token: Option<String>,
    /// Lines per write request. Default 5000.
    pub batch_lines: Option<usize>,
    /// How often the outbox is looked at when idle, ms. Default 1000.
    pub flush_interval_ms: Option<u64>,
    /// Per-request timeout, seconds. Default 30.
    pub timeout_secs: Option<u64>,
    /// Most points kept waiting for this sink; older ones are dropped with an error log.
    /// Default 5000000.
    pub max_backlog_points: Option<u64>,
    /// Pending points observed longer ago than this are dropped with an error log (`7d`, `12h`;
    /// `0` never). Default `0`.
    pub max_backlog_age: Option<String>,
    /// On shutdown, how long the sink may keep forwarding what is pending, seconds. Default 10.
    pub shutdown_timeout_secs: Option<u64>,
    /// Retention policies (v1) or buckets (v2): one with `role = "live"`, one with
    /// `role = "aggregates"`.
    #[serde(default)]
    pub retention_policies: Vec<PolicySpec>,
}

/// `[[sinks.retention_policies]]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicySpec {
    /// Policy (v1) or bucket (v2) name: letters, digits, `_`, `-`, `.`.
    pub name: String,
    /// `live` (game_state, games, scoring_plays, events) or `aggregates` (game_results).
    pub role: String,
    /// How long data is kept: `730d`, `52w`; `0` or `inf` forever.
    pub duration: String,
    /// Shard (group) duration: `7d`. Default: the server's choice.
    pub shard_duration: Option<String>,
    /// v1 replication factor. Default 1.
    pub replication: Option<u32>,
    /// v1: the database's default policy. Default: the `live` policy.
    pub default: Option<bool>,
}

/// Which API a sink speaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkKind {
    /// InfluxDB 1.x `/write` and `/query`.
    V1 {
        /// Database.
        database: String,
        /// Basic auth user and password.
        auth: Option<(String, String)>,
    },
    /// InfluxDB 2.x `/api/v2/write` and `/api/v2/buckets`.
    V2 {
        /// Organisation name.
        org: String,
        /// API token.
        token: String,
    },
}

/// A validated retention policy or bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyConfig {
    /// Name.
    pub name: String,
    /// Which points go to it.
    pub role: Policy,
    /// Retention; `None` forever.
    pub duration: Option<Duration>,
    /// Shard group duration; `None` the server's default.
    pub shard_duration: Option<Duration>,
    /// Replication factor (v1).
    pub replication: u32,
    /// The database's default policy (v1).
    pub default: bool,
}

/// A validated sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkConfig {
    /// Unique name.
    pub name: String,
    /// API and credentials.
    pub kind: SinkKind,
    /// Base URL, without a trailing `/`.
    pub url: String,
    /// Policies, one per role.
    pub policies: Vec<PolicyConfig>,
    /// Lines per request.
    pub batch_lines: usize,
    /// Idle poll interval.
    pub flush_interval: Duration,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Backlog size limit.
    pub max_backlog_points: u64,
    /// Backlog age limit.
    pub max_backlog_age: Option<Duration>,
    /// Shutdown forwarding budget.
    pub shutdown_timeout: Duration,
}

impl SinkConfig {
    /// The policy points of `role` go to.
    pub fn policy(&self, role: Policy) -> Option<&PolicyConfig> {
        self.policies.iter().find(|p| p.role == role)
    }
}

/// A field of a `[[sinks]]` entry is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {message}")]
pub struct SinkSpecError {
    /// The field, relative to the sink (`url`, `retention_policies[1].duration`).
    pub field: String,
    /// What is wrong.
    pub message: String,
}

fn err(field: impl Into<String>, message: impl Into<String>) -> SinkSpecError {
    SinkSpecError {
        field: field.into(),
        message: message.into(),
    }
}

fn age(field: &str, text: &str) -> Result<Option<Duration>, SinkSpecError> {
    if text.eq_ignore_ascii_case("inf") {
        return Ok(None);
    }
    parse_age(text).map_err(|m| err(field, m))
}

fn plain_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

impl SinkSpec {
    /// Validate. Pure.
    pub fn validate(self) -> Result<SinkConfig, SinkSpecError> {
        let name = self.name.clone().unwrap_or_else(|| self.kind.clone());
        if !plain_name(&name) {
            return Err(err(
                "name",
                format!("`{name}` is not a plain name (letters, digits, _ - .)"),
            ));
        }
        let url = self.url.trim_end_matches('/').to_string();
        match url::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => return Err(err("url", format!("`{}` is not an http(s) URL", self.url))),
        }
        let v1_only = [
            ("database", self.database.is_some()),
            ("username", self.username.is_some()),
            ("password", self.password.is_some()),
        ];
        let v2_only = [("org", self.org.is_some()), ("token", self.token.is_some())];
        let kind = match self.kind.as_str() {
            "influxdb_v1" => {
                if let Some((f, _)) = v2_only.iter().find(|(_, set)| *set) {
                    return Err(err(*f, "is for influxdb_v2 sinks"));
                }
                let database = self
                    .database
                    .filter(|d| !d.is_empty())
                    .ok_or_else(|| err("database", "is required for influxdb_v1"))?;
                if !plain_name(&database) {
                    return Err(err(
                        "database",
                        format!("`{database}` is not a plain name (letters, digits, _ - .)"),
                    ));
                }
                let auth = match (self.username, self.password) {
                    (None, None) => None,
                    (Some(u), Some(p)) => Some((u, p)),
                    (Some(_), None) => return Err(err("password", "is required with username")),
                    (None, Some(_)) => return Err(err("username", "is required with password")),
                };
                SinkKind::V1 { database, auth }
            }
            "influxdb_v2" => {
                if let Some((f, _)) = v1_only.iter().find(|(_, set)| *set) {
                    return Err(err(*f, "is for influxdb_v1 sinks"));
                }
                let org = self
                    .org
                    .filter(|o| !o.is_empty())
                    .ok_or_else(|| err("org", "is required for influxdb_v2"))?;
                let token = self
                    .token
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| err("token", "is required for influxdb_v2"))?;
                SinkKind::V2 { org, token }
            }
            other => {
                return Err(err(
                    "kind",
                    format!("`{other}` is not a sink kind (influxdb_v1, influxdb_v2)"),
                ));
            }
        };
        let mut policies: Vec<PolicyConfig> = Vec::new();
        for (i, p) in self.retention_policies.into_iter().enumerate() {
            let at = format!("retention_policies[{i}]");
            if !plain_name(&p.name) {
                return Err(err(
                    format!("{at}.name"),
                    format!("`{}` is not a plain name (letters, digits, _ - .)", p.name),
                ));
            }
            let role = Policy::parse(&p.role).ok_or_else(|| {
                err(
                    format!("{at}.role"),
                    format!("`{}` is not a role (live, aggregates)", p.role),
                )
            })?;
            if policies.iter().any(|q| q.role == role) {
                return Err(err(
                    format!("{at}.role"),
                    format!("a policy with role `{}` is already configured", p.role),
                ));
            }
            if policies.iter().any(|q| q.name == p.name) {
                return Err(err(
                    format!("{at}.name"),
                    format!("`{}` is the name of an earlier policy", p.name),
                ));
            }
            let duration = age(&format!("{at}.duration"), &p.duration)?;
            let shard_duration = match &p.shard_duration {
                None => None,
                Some(s) => age(&format!("{at}.shard_duration"), s)?,
            };
            if let (Some(d), Some(s)) = (duration, shard_duration)
                && s > d
            {
                return Err(err(
                    format!("{at}.shard_duration"),
                    "is longer than the policy's duration",
                ));
            }
            let replication = p.replication.unwrap_or(1);
            if replication == 0 {
                return Err(err(format!("{at}.replication"), "must be at least 1"));
            }
            policies.push(PolicyConfig {
                name: p.name,
                role,
                duration,
                shard_duration,
                replication,
                default: p.default.unwrap_or(false),
            });
        }
        for role in Policy::ALL {
            if !policies.iter().any(|p| p.role == role) {
                return Err(err(
                    "retention_policies",
                    format!("needs a policy with role = \"{}\"", role.as_str()),
                ));
            }
        }
        match policies.iter().filter(|p| p.default).count() {
            0 => {
                for p in &mut policies {
                    p.default = p.role == Policy::Live;
                }
            }
            1 => {}
            _ => {
                return Err(err(
                    "retention_policies",
                    "has more than one default policy",
                ));
            }
        }
        let batch_lines = self.batch_lines.unwrap_or(5_000);
        if !(1..=100_000).contains(&batch_lines) {
            return Err(err(
                "batch_lines",
                format!("must be between 1 and 100000, not {batch_lines}"),
            ));
        }
        let max_backlog_age = match &self.max_backlog_age {
            None => None,
            Some(a) => age("max_backlog_age", a)?,
        };
        Ok(SinkConfig {
            name,
            kind,
            url,
            policies,
            batch_lines,
            flush_interval: Duration::from_millis(self.flush_interval_ms.unwrap_or(1_000).max(10)),
            timeout: Duration::from_secs(self.timeout_secs.unwrap_or(30).max(1)),
            max_backlog_points: self.max_backlog_points.unwrap_or(5_000_000).max(1),
            max_backlog_age,
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout_secs.unwrap_or(10)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(toml_text: &str) -> SinkSpec {
        toml::from_str(toml_text).unwrap()
    }

    const POLICIES: &str = r#"
[[retention_policies]]
name = "live"
role = "live"
duration = "730d"
shard_duration = "7d"
[[retention_policies]]
name = "aggregates"
role = "aggregates"
duration = "1825d"
shard_duration = "30d"
replication = 1
"#;

    #[test]
    fn v1_with_defaults() {
        let c = spec(&format!(
            "kind = \"influxdb_v1\"\nurl = \"http://127.0.0.1:8086/\"\ndatabase = \"scoreline\"\n{POLICIES}"
        ))
        .validate()
        .unwrap();
        assert_eq!(c.name, "influxdb_v1");
        assert_eq!(c.url, "http://127.0.0.1:8086");
        assert_eq!(
            c.kind,
            SinkKind::V1 {
                database: "scoreline".into(),
                auth: None
            }
        );
        assert_eq!(c.batch_lines, 5_000);
        let live = c.policy(Policy::Live).unwrap();
        assert_eq!(
            (live.duration, live.shard_duration, live.default),
            (
                Some(Duration::from_secs(730 * 86_400)),
                Some(Duration::from_secs(7 * 86_400)),
                true
            )
        );
        let agg = c.policy(Policy::Aggregates).unwrap();
        assert_eq!(
            (agg.duration, agg.default, agg.replication),
            (Some(Duration::from_secs(1825 * 86_400)), false, 1)
        );
    }

    #[test]
    fn bad_sinks_name_the_field() {
        let cases = [
            (
                "kind = \"influxdb_v3\"\nurl = \"http://h:1\"",
                "`kind` `influxdb_v3` is not a sink kind (influxdb_v1, influxdb_v2)",
            ),
            (
                "kind = \"influxdb_v1\"\nurl = \"http://h:1\"",
                "`database` is required for influxdb_v1",
            ),
            (
                "kind = \"influxdb_v1\"\nurl = \"ftp://h\"\ndatabase = \"d\"",
                "`url` `ftp://h` is not an http(s) URL",
            ),
            (
                "kind = \"influxdb_v2\"\nurl = \"http://h:1\"\norg = \"o\"\ntoken = \"t\"\ndatabase = \"d\"",
                "`database` is for influxdb_v1 sinks",
            ),
            (
                "kind = \"influxdb_v2\"\nurl = \"http://h:1\"\norg = \"o\"",
                "`token` is required for influxdb_v2",
            ),
            (
                "kind = \"influxdb_v1\"\nurl = \"http://h:1\"\ndatabase = \"d\"",
                "`retention_policies` needs a policy with role = \"live\"",
            ),
            (
                "kind = \"influxdb_v1\"\nurl = \"http://h:1\"\ndatabase = \"d\"\n[[retention_policies]]\nname = \"l\"\nrole = \"live\"\nduration = \"7d\"\nshard_duration = \"30d\"",
                "`retention_policies[0].shard_duration` is longer than the policy's duration",
            ),
            (
                "kind = \"influxdb_v1\"\nurl = \"http://h:1\"\ndatabase = \"d\"\n[[retention_policies]]\nname = \"l\"\nrole = \"hot\"\nduration = \"7d\"",
                "`retention_policies[0].role` `hot` is not a role (live, aggregates)",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(spec(text).validate().unwrap_err().to_string(), want);
        }
        let two_defaults = POLICIES.replace("replication = 1", "default = true") + "";
        let mut s = spec(&format!(
            "kind = \"influxdb_v1\"\nurl = \"http://h:1\"\ndatabase = \"d\"\n{two_defaults}"
        ));
        s.retention_policies[0].default = Some(true);
        assert_eq!(
            s.validate().unwrap_err().to_string(),
            "`retention_policies` has more than one default policy"
        );
    }
}
