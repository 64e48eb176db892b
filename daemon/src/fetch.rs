//! The host's upstream HTTP client: every request an adapter planned goes through here, after the
//! sandbox's allow-list check. Request timeout, body cap, gzip, a rate limit per host (`governor`),
//! retries with exponential backoff and jitter for 5xx, 429 and timeouts, `[upstream.overrides]`
//! rewriting where a host's requests really go, and a record of every attempt.

use crate::clock::Clock;
use crate::config::{Override, UpstreamConfig};
use crate::model::PlannedRequest;
use chrono::{DateTime, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A fetch that did not produce a usable body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// The URL could not be parsed or rewritten.
    #[error("bad url `{url}`: {message}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why.
        message: String,
    },
    /// No answer within the timeout (after every retry).
    #[error("timed out after {attempts} attempt(s)")]
    Timeout {
        /// Attempts made.
        attempts: u32,
    },
    /// The connection failed (after every retry).
    #[error("network error after {attempts} attempt(s): {message}")]
    Network {
        /// Attempts made.
        attempts: u32,
        /// The cause.
        message: String,
    },
    /// Upstream answered with an error status (after every retry for 5xx/429).
    #[error("upstream answered {status} after {attempts} attempt(s)")]
    Status {
        /// HTTP status.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// `Retry-After`, when upstream sent one.
        retry_after: Option<Duration>,
    },
    /// The body is larger than the cap.
    #[error("body larger than the cap of {limit} bytes")]
    TooLarge {
        /// The cap.
        limit: usize,
    },
}

/// A successful fetch.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body (decompressed).
    pub body: Vec<u8>,
    /// HTTP status (2xx).
    pub status: u16,
    /// `Cache-Control: max-age`, when sent.
    pub max_age: Option<Duration>,
    /// Attempts it took.
    pub attempts: u32,
}

/// One attempt, for the call log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When it started.
    pub at: DateTime<Utc>,
    /// The host the adapter asked for (before any override).
    pub host: String,
    /// The URL the adapter planned.
    pub url: String,
    /// HTTP status, when one came back.
    pub status: Option<u16>,
    /// Body bytes received.
    pub bytes: u64,
    /// Wall time of the attempt.
    pub latency: Duration,
    /// What went wrong, if anything.
    pub error: Option<String>,
}

/// The upstream client.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    config: UpstreamConfig,
    emulator: Option<url::Url>,
    limiters: Arc<Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>>,
}

impl Fetcher {
    /// A client for `config`; `emulator` is the in-process emulator's base URL, when running;
    /// `clock` stamps the call records and dates `Retry-After`.
    pub fn new(
        config: UpstreamConfig,
        emulator: Option<url::Url>,
        clock: Arc<dyn Clock>,
    ) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(config.user_agent.clone())
            .gzip(true)
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|e| FetchError::Network {
                attempts: 0,
                message: e.to_string(),
            })?;
        Ok(Fetcher {
            client,
            clock,
            config,
            emulator,
            limiters: Arc::default(),
        })
    }

    /// Where a planned URL really goes: the override's scheme, host and port with the planned
    /// path and query, or the URL itself.
    pub fn effective_url(&self, planned: &str) -> Result<url::Url, FetchError> {
        let bad = |message: String| FetchError::BadUrl {
            url: planned.to_owned(),
            message,
        };
        let url = url::Url::parse(planned).map_err(|e| bad(e.to_string()))?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let base = match self.config.overrides.get(&host) {
            None => return Ok(url),
            Some(Override::Url(base)) => base.clone(),
            Some(Override::Emulator) => self.emulator.clone().ok_or_else(|| {
                bad("override points at the emulator, which is not running".into())
            })?,
        };
        let mut out = base;
        let prefix = out.path().trim_end_matches('/').to_owned();
        out.set_path(&format!("{prefix}{}", url.path()));
        out.set_query(url.query());
        Ok(out)
    }

    fn limiter(&self, host: &str) -> Arc<DefaultDirectRateLimiter> {
        let mut map = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(host.to_owned())
            .or_insert_with(|| {
                let per_sec = NonZeroU32::new(self.config.rate_per_sec).unwrap_or(NonZeroU32::MIN);
                Arc::new(RateLimiter::direct(Quota::per_second(per_sec)))
            })
            .clone()
    }

    /// GET `request` with retries; `max_body` caps the body. Returns the outcome and every
    /// attempt made, for the call log.
    pub async fn get(
        &self,
        request: &PlannedRequest,
        max_body: usize,
    ) -> (Result<Fetched, FetchError>, Vec<Attempt>) {
        let mut attempts = Vec::new();
        let url = match self.effective_url(&request.url) {
            Ok(u) => u,
            Err(e) => return (Err(e), attempts),
        };
        let host = url::Url::parse(&request.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        let limiter = self.limiter(&host);
        let mut n: u32 = 0;
        loop {
            n += 1;
            limiter.until_ready().await;
            let started = Instant::now();
            let at = self.clock.now();
            let outcome = self.once(&url, request, max_body).await;
            let (status, bytes, error) = match &outcome {
                Ok(f) => (Some(f.status), f.body.len() as u64, None),
                Err(Failure { status, error, .. }) => (*status, 0, Some(error.to_string())),
            };
            attempts.push(Attempt {
                at,
                host: host.clone(),
                url: request.url.clone(),
                status,
                bytes,
                latency: started.elapsed(),
                error,
            });
            match outcome {
                Ok(mut fetched) => {
                    fetched.attempts = n;
                    return (Ok(fetched), attempts);
                }
                Err(f) if f.retryable && n <= self.config.retries => {
                    let delay = f.retry_after.unwrap_or_else(|| self.backoff(n));
                    tracing::debug!(%host, attempt = n, delay_ms = delay.as_millis() as u64, error = %f.error, "retrying upstream request");
                    tokio::time::sleep(delay).await;
                }
                Err(f) => {
                    let error = match f.error {
                        FetchError::Timeout { .. } => FetchError::Timeout { attempts: n },
                        FetchError::Network { message, .. } => FetchError::Network {
                            attempts: n,
                            message,
                        },
                        FetchError::Status {
                            status,
                            retry_after,
                            ..
                        } => FetchError::Status {
                            status,
                            attempts: n,
                            retry_after,
                        },
                        other => other,
                    };
                    return (Err(error), attempts);
                }
            }
        }
    }

    /// Exponential backoff with full jitter: a random delay up to `base * 2^(n-1)`, at least 10 ms.
    fn backoff(&self, n: u32) -> Duration {
        let cap = self
            .config
            .retry_base
            .saturating_mul(1u32 << (n - 1).min(10));
        let ms = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX).max(10);
        Duration::from_millis(fastrand::u64(ms / 2..=ms))
    }

    async fn once(
        &self,
        url: &url::Url,
        request: &PlannedRequest,
        max_body: usize,
    ) -> Result<Fetched, Failure> {
        let mut builder = self.client.get(url.clone());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let mut response = builder.send().await.map_err(Failure::from_reqwest)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after =
            header("retry-after").and_then(|v| parse_retry_after(&v, self.clock.now()));
        let max_age = header("cache-control").and_then(|v| parse_max_age(&v));
        if !(200..300).contains(&status) {
            let retryable = status >= 500 || status == 429;
            return Err(Failure {
                status: Some(status),
                retryable,
                retry_after,
                error: FetchError::Status {
                    status,
                    attempts: 0,
                    retry_after,
                },
            });
        }
        if response
            .content_length()
            .is_some_and(|l| l > max_body as u64)
        {
            return Err(Failure::fatal(
                Some(status),
                FetchError::TooLarge { limit: max_body },
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(Failure::from_reqwest)? {
            if body.len() + chunk.len() > max_body {
                return Err(Failure::fatal(
                    Some(status),
                    FetchError::TooLarge { limit: max_body },
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Fetched {
            body,
            status,
            max_age,
            attempts: 0,
        })
    }
}

struct Failure {
    status: Option<u16>,
    retryable: bool,
    retry_after: Option<Duration>,
    error: FetchError,
}

impl Failure {
    fn fatal(status: Option<u16>, error: FetchError) -> Failure {
        Failure {
            status,
            retryable: false,
            retry_after: None,
            error,
        }
    }

    fn from_reqwest(e: reqwest::Error) -> Failure {
        let error = if e.is_timeout() {
            FetchError::Timeout { attempts: 0 }
        } else {
            // The chain carries the useful part (connection refused, reset, decode error).
            let mut message = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                message = format!("{message}: {s}");
                source = s.source();
            }
            FetchError::Network {
                attempts: 0,
                message,
            }
        };
        Failure {
            status: None,
            retryable: true,
            retry_after: None,
            error,
        }
    }
}

/// `Cache-Control: max-age=N` (also inside a longer directive list).
pub fn parse_max_age(value: &str) -> Option<Duration> {
    value.split(',').find_map(|d| {
        let (k, v) = d.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("max-age")
            .then(|| v.trim().trim_matches('"').parse().ok())
            .flatten()
            .map(Duration::from_secs)
    })
}

/// `Retry-After` as seconds or an HTTP date, relative to `now`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    (when - now).to_std().ok().or(Some(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn header_parsing() {
        assert_eq!(
            parse_max_age("max-age=15, public"),
            Some(Duration::from_secs(15))
        );
        assert_eq!(
            parse_max_age("public, s-maxage=9, max-age=\"30\""),
            Some(Duration::from_secs(30))
        );
        assert_eq!(parse_max_age("no-store"), None);
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 12:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn overrides_rewrite_scheme_host_and_port_only() {
        let mut config = crate::config::Config::parse(std::path::Path::new("t"), "", |_| None)
            .unwrap()
            .upstream;
        config.overrides.insert(
            "site.api.espn.com".into(),
            Override::Url(url::Url::parse("http://127.0.0.1:9/prefix/").unwrap()),
        );
        config
            .overrides
            .insert("api-web.nhle.com".into(), Override::Emulator);
        let clock: Arc<dyn Clock> = Arc::new(crate::clock::SystemClock);
        let emulator = Some(url::Url::parse("http://127.0.0.1:7").unwrap());
        let f = Fetcher::new(config.clone(), emulator, clock.clone()).unwrap();
        let u = f.effective_url("https://site.api.espn.com/apis/site/v2/sports/football/nfl/scoreboard?dates=20261122").unwrap();
        assert_eq!(
            u.as_str(),
            "http://127.0.0.1:9/prefix/apis/site/v2/sports/football/nfl/scoreboard?dates=20261122"
        );
        let u = f
            .effective_url("https://api-web.nhle.com/v1/score/2026-11-22")
            .unwrap();
        assert_eq!(u.as_str(), "http://127.0.0.1:7/v1/score/2026-11-22");
        let u = f
            .effective_url("https://statsapi.mlb.com/api/v1/schedule")
            .unwrap();
        assert_eq!(u.as_str(), "https://statsapi.mlb.com/api/v1/schedule");
        let without = Fetcher::new(config, None, clock).unwrap();
        assert!(matches!(
            without.effective_url("https://api-web.nhle.com/v1/x"),
            Err(FetchError::BadUrl { .. })
        ));
    }
}
