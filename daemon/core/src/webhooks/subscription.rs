//! Webhook subscriptions: the spec as written (a `[[webhooks]]` table of the config, or the JSON
//! body of `POST /admin/webhooks`) and its validation into a [`Subscription`]. Pure.

use super::target;
use crate::events::EventType;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::time::Duration;

/// Longest cooldown accepted, seconds (a week).
pub const MAX_COOLDOWN_SECS: u64 = 7 * 86_400;

/// A subscription as written. The same shape in the config file and the admin API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionSpec {
    /// Unique name: lowercase letters, digits, `-`, `_` and `.`, at most 64.
    pub name: String,
    /// Where messages are POSTed: an `http` or `https` URL.
    pub url: String,
    /// Signing secret, `whsec_` followed by 24 to 64 base64-encoded bytes.
    pub secret: String,
    /// Event types to send (`score.changed`, ...). Default: every type.
    #[serde(default)]
    pub types: Vec<String>,
    /// Only events of these leagues. Default: every league.
    #[serde(default)]
    pub leagues: Vec<String>,
    /// Only events of games involving one of these teams (id or abbreviation, any case).
    /// Default: every team.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Also send events marked `catch_up` (implied by the first sight of a game). Default false.
    #[serde(default)]
    pub catch_up: bool,
    /// After sending an event of a type for a game, skip events of the same type and game for
    /// this many seconds (by event time). Default 0: no cooldown.
    #[serde(default)]
    pub cooldown_secs: u64,
    /// Most events sent per UTC day (by event time). Default 0: no limit.
    #[serde(default)]
    pub daily_limit: u32,
    /// `game.final` and `scoring.first` are sent past the daily limit (and do not count
    /// towards it). Default true.
    #[serde(default = "yes")]
    pub daily_limit_bypass: bool,
    /// Allow a target on a loopback, private or link-local address. Default false.
    #[serde(default)]
    pub allow_private: bool,
    /// Send at all. Default true.
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

impl SubscriptionSpec {
    /// The spec with its secret replaced, for listings and the config mirror in the store.
    pub fn redacted(&self) -> SubscriptionSpec {
        SubscriptionSpec {
            secret: REDACTED.to_owned(),
            ..self.clone()
        }
    }
}

/// What a redacted secret reads as.
pub const REDACTED: &str = "whsec_(redacted)";

/// Where a subscription was defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// A `[[webhooks]]` table of the config file: read-only through the API.
    Config,
    /// `POST /admin/webhooks`, kept in the store.
    Api,
}

impl Source {
    /// `config` or `api`, as the store keeps it.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Config => "config",
            Source::Api => "api",
        }
    }
}

/// A signing key: the bytes behind `whsec_<base64>`. Its `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Parse `whsec_<base64>` (24 to 64 bytes).
    pub fn parse(text: &str) -> Result<Secret, String> {
        let b64 = text
            .strip_prefix("whsec_")
            .ok_or_else(|| "must start with `whsec_`".to_owned())?;
        let bytes = STANDARD
            .decode(b64)
            .map_err(|e| format!("is not `whsec_` followed by base64: {e}"))?;
        if !(24..=64).contains(&bytes.len()) {
            return Err(format!(
                "decodes to {} bytes; a key is 24 to 64 bytes",
                bytes.len()
            ));
        }
        Ok(Secret(bytes))
    }

    /// The key bytes.
    pub fn key(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// A validated subscription.
#[derive(Debug, Clone, PartialEq)]
pub struct Subscription {
    /// Unique name.
    pub name: String,
    /// Target.
    pub url: url::Url,
    /// Signing key.
    pub secret: Secret,
    /// Types sent; empty: all.
    pub types: BTreeSet<EventType>,
    /// Leagues sent; empty: all.
    pub leagues: BTreeSet<String>,
    /// Teams (lowercase) of which one must play; empty: all.
    pub teams: BTreeSet<String>,
    /// Send catch-up events too.
    pub catch_up: bool,
    /// Per game and type.
    pub cooldown: Duration,
    /// Per UTC day; `None`: no limit.
    pub daily_limit: Option<u32>,
    /// `game.final` and `scoring.first` pass the daily limit.
    pub daily_limit_bypass: bool,
    /// Private targets allowed.
    pub allow_private: bool,
    /// Sending at all.
    pub enabled: bool,
    /// Where it was defined.
    pub source: Source,
    /// The spec it came from (with its secret).
    pub spec: SubscriptionSpec,
}

/// A spec value that is invalid: the field and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}` {message}")]
pub struct SpecError {
    /// The field, e.g. `secret`.
    pub field: &'static str,
    /// What is wrong, with the value.
    pub message: String,
}

fn bad(field: &'static str, message: impl Into<String>) -> SpecError {
    SpecError {
        field,
        message: message.into(),
    }
}

/// Whether `name` is a valid subscription name.
pub fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

impl Subscription {
    /// Validate `spec`. A URL whose host is an IP literal on a private address is refused here
    /// unless `allow_private`; host names are checked when they are resolved, at each send.
    pub fn from_spec(spec: SubscriptionSpec, source: Source) -> Result<Subscription, SpecError> {
        if !valid_name(&spec.name) {
            return Err(bad(
                "name",
                format!(
                    "`{}` must be 1 to 64 of lowercase letters, digits, `-`, `_`, `.`",
                    spec.name
                ),
            ));
        }
        let url = url::Url::parse(&spec.url)
            .map_err(|e| bad("url", format!("`{}` is not a URL: {e}", spec.url)))?;
        if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
            return Err(bad(
                "url",
                format!("`{}` must be an http or https URL with a host", spec.url),
            ));
        }
        if !spec.allow_private
            && let Some(ip) = target::literal_ip(&url)
            && !target::is_public(ip)
        {
            return Err(bad(
                "url",
                format!(
                    "`{}` is a loopback, private or link-local address; set allow_private = true to allow it",
                    spec.url
                ),
            ));
        }
        let secret = Secret::parse(&spec.secret).map_err(|m| bad("secret", m))?;
        let mut types = BTreeSet::new();
        for t in &spec.types {
            types.insert(t.parse::<EventType>().map_err(|m| bad("types", m))?);
        }
        let mut leagues = BTreeSet::new();
        for l in &spec.leagues {
            let l = l.trim();
            if l.is_empty() {
                return Err(bad("leagues", "has an empty league key"));
            }
            leagues.insert(l.to_owned());
        }
        let mut teams = BTreeSet::new();
        for t in &spec.teams {
            let t = t.trim();
            if t.is_empty() {
                return Err(bad("teams", "has an empty team"));
            }
            teams.insert(t.to_lowercase());
        }
        if spec.cooldown_secs > MAX_COOLDOWN_SECS {
            return Err(bad(
                "cooldown_secs",
                format!(
                    "`{}` is more than the maximum {MAX_COOLDOWN_SECS}",
                    spec.cooldown_secs
                ),
            ));
        }
        Ok(Subscription {
            name: spec.name.clone(),
            url,
            secret,
            types,
            leagues,
            teams,
            catch_up: spec.catch_up,
            cooldown: Duration::from_secs(spec.cooldown_secs),
            daily_limit: (spec.daily_limit > 0).then_some(spec.daily_limit),
            daily_limit_bypass: spec.daily_limit_bypass,
            allow_private: spec.allow_private,
            enabled: spec.enabled,
            source,
            spec,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A valid secret: 32 bytes.
    pub(crate) const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    pub(crate) fn spec(name: &str) -> SubscriptionSpec {
        SubscriptionSpec {
            name: name.into(),
            url: "https://hooks.example.com/in".into(),
            secret: SECRET.into(),
            types: vec![],
            leagues: vec![],
            teams: vec![],
            catch_up: false,
            cooldown_secs: 0,
            daily_limit: 0,
            daily_limit_bypass: true,
            allow_private: false,
            enabled: true,
        }
    }

    #[test]
    fn a_spec_validates_with_defaults() {
        let s = Subscription::from_spec(spec("a"), Source::Api).unwrap();
        assert!(s.types.is_empty() && s.leagues.is_empty() && s.teams.is_empty());
        assert_eq!(s.secret.key().len(), 24);
        assert_eq!(s.daily_limit, None);
        assert_eq!(format!("{:?}", s.secret), "Secret(..)");
        let parsed: SubscriptionSpec = serde_json::from_str(
            r#"{"name":"a","url":"https://hooks.example.com/in","secret":"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}"#,
        )
        .unwrap();
        assert_eq!(parsed, spec("a"));
    }

    #[test]
    fn bad_values_name_the_field() {
        let cases: Vec<(SubscriptionSpec, &str)> = vec![
            (
                SubscriptionSpec {
                    name: "A b".into(),
                    ..spec("x")
                },
                "`name` `A b` must be 1 to 64 of lowercase letters, digits, `-`, `_`, `.`",
            ),
            (
                SubscriptionSpec {
                    url: "ftp://x/".into(),
                    ..spec("x")
                },
                "`url` `ftp://x/` must be an http or https URL with a host",
            ),
            (
                SubscriptionSpec {
                    url: "http://127.0.0.1:9/h".into(),
                    ..spec("x")
                },
                "`url` `http://127.0.0.1:9/h` is a loopback, private or link-local address; set allow_private = true to allow it",
            ),
            (
                SubscriptionSpec {
                    secret: "abc".into(),
                    ..spec("x")
                },
                "`secret` must start with `whsec_`",
            ),
            (
                SubscriptionSpec {
                    secret: "whsec_c2hvcnQ=".into(),
                    ..spec("x")
                },
                "`secret` decodes to 5 bytes; a key is 24 to 64 bytes",
            ),
            (
                SubscriptionSpec {
                    types: vec!["score.change".into()],
                    ..spec("x")
                },
                "`types` unknown event type `score.change` (one of game.scheduled, game.started, period.started, period.ended, score.changed, score.corrected, lead.changed, game.tied, scoring.play, scoring.first, game.delayed, game.postponed, game.final)",
            ),
            (
                SubscriptionSpec {
                    cooldown_secs: 10_000_000,
                    ..spec("x")
                },
                "`cooldown_secs` `10000000` is more than the maximum 604800",
            ),
        ];
        for (s, expected) in cases {
            assert_eq!(
                Subscription::from_spec(s, Source::Config)
                    .unwrap_err()
                    .to_string(),
                expected
            );
        }
        let private_ok = SubscriptionSpec {
            url: "http://127.0.0.1:9/h".into(),
            allow_private: true,
            ..spec("x")
        };
        assert!(Subscription::from_spec(private_ok, Source::Config).is_ok());
    }
}
