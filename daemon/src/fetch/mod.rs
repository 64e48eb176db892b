//! The host's upstream client: every request an adapter planned goes through here, after the
//! sandbox's allow-list check. In order: the response cache (shared by every league, lifetime
//! by game state or upstream's `max-age`), one request in flight per URL, the host's circuit
//! breaker, a rate limit per host (`governor`), then the request itself with a timeout, a body
//! cap and retries (exponential backoff with jitter, `Retry-After` honoured). A bounded number of
//! bodies is held at once between the first byte read and the parse that drops them, so leagues
//! polled together do not each hold a body while they queue for the sandbox. Responses come from
//! the network (with `[upstream.overrides]` rewriting where a host's requests really go) or from
//! a recording being replayed, and may be appended to a recording. Every attempt and breaker
//! change is returned for the call log.

pub mod recording;
#[cfg(test)]
mod tests;

use crate::config::{Override, UpstreamConfig};
use chrono::{DateTime, Utc};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use recording::{Recorder, Replay};
use scoreline_core::cadence::Phase;
use scoreline_core::clock::Clock;
use scoreline_core::model::PlannedRequest;
use scoreline_core::upstream::breaker::{Breaker, BreakerStatus, Refused, Transition};
use scoreline_core::upstream::cache::Cache;
use scoreline_core::upstream::origin::{self, BodyDating};
use std::collections::{BTreeMap, HashMap};
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
    /// The host's circuit breaker is open: nothing was sent.
    #[error("circuit breaker for {host} is open{}", until.map(|u| format!(" until {}", u.to_rfc3339())).unwrap_or_else(|| "; a trial request is in flight".into()))]
    CircuitOpen {
        /// The host.
        host: String,
        /// When a trial will be let through, if known.
        until: Option<DateTime<Utc>>,
    },
    /// Replaying, and the recording holds no response for this URL.
    #[error("`{url}` is not in the recording being replayed")]
    NotRecorded {
        /// The URL.
        url: String,
    },
}

/// A fetched body (decompressed), shared with the cache. While any clone of it lives it takes
/// one of the `[upstream] max_bodies_in_flight` places (unless it came from the cache, which
/// holds it anyway): keep it until it is parsed, then drop it.
#[derive(Debug, Clone)]
pub struct Body {
    bytes: Arc<[u8]>,
    _place: Option<Arc<tokio::sync::OwnedSemaphorePermit>>,
}

impl std::ops::Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

/// A successful fetch.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The body, holding its place until dropped.
    pub body: Body,
    /// HTTP status (2xx).
    pub status: u16,
    /// `Cache-Control: max-age`, when sent.
    pub max_age: Option<Duration>,
    /// Attempts it took (0 when served from the cache).
    pub attempts: u32,
    /// Served from the cache without a request.
    pub from_cache: bool,
    /// When upstream made the body (`Last-Modified`, else `Date` − `Age`), where it said.
    pub made: Option<DateTime<Utc>>,
}

/// One attempt (or cache hit), for the call log.
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
    /// 1 for the first try of a request, more for retries.
    pub attempt: u32,
    /// Answered from the cache.
    pub from_cache: bool,
}

impl Attempt {
    /// The call-log row of this attempt, made for `league` by `adapter`.
    pub fn into_call(self, adapter: &str, league: &str) -> scoreline_store::UpstreamCall {
        scoreline_store::UpstreamCall {
            at: self.at,
            adapter: adapter.to_owned(),
            league: league.to_owned(),
            host: self.host,
            url: self.url,
            status: self.status,
            bytes: self.bytes,
            latency_ms: u64::try_from(self.latency.as_millis()).unwrap_or(u64::MAX),
            error: self.error,
            from_cache: self.from_cache,
            attempt: self.attempt,
        }
    }
}

/// A breaker state change caused by a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostTransition {
    /// When.
    pub at: DateTime<Utc>,
    /// The host.
    pub host: String,
    /// What changed.
    pub transition: Transition,
}

impl HostTransition {
    /// The stored row of this change.
    pub fn into_row(self) -> scoreline_store::BreakerTransition {
        scoreline_store::BreakerTransition {
            at: self.at,
            host: self.host,
            state: self.transition.state,
            reason: self.transition.reason,
        }
    }
}

/// Everything one [`Fetcher::get`] did.
#[derive(Debug)]
pub struct FetchOutcome {
    /// The body or why there is none.
    pub result: Result<Fetched, FetchError>,
    /// Every attempt (or the cache hit), for the call log.
    pub attempts: Vec<Attempt>,
    /// Breaker state changes, to log and store.
    pub transitions: Vec<HostTransition>,
}

/// How fresh a response must be: the cadence phase it is fetched in. Picks the cache lifetime
/// when upstream sent no `max-age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// A game in view is live.
    Live,
    /// Games start soon.
    Pregame,
    /// Nothing near.
    Idle,
    /// The settle fetch after a final.
    Settle,
}

impl From<Phase> for Freshness {
    fn from(p: Phase) -> Freshness {
        match p {
            Phase::Live => Freshness::Live,
            Phase::Pregame => Freshness::Pregame,
            Phase::Idle => Freshness::Idle,
            Phase::Settle => Freshness::Settle,
        }
    }
}

/// Where responses come from.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// The network; `emulator` is the in-process emulator's base URL, when running.
    Network {
        /// The emulator's base URL.
        emulator: Option<url::Url>,
    },
    /// A recording, served back in order.
    Replay(Arc<Replay>),
}

enum Source {
    Network {
        client: reqwest::Client,
        emulator: Option<url::Url>,
    },
    Replay(Arc<Replay>),
}

struct Inner {
    source: Source,
    clock: Arc<dyn Clock>,
    config: UpstreamConfig,
    recorder: Option<Arc<Recorder>>,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    breakers: Mutex<BTreeMap<String, Breaker>>,
    cache: Mutex<Cache>,
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Places for bodies between the first byte read and their parse.
    bodies: Arc<tokio::sync::Semaphore>,
}

/// The upstream client. Cheap to clone; clones share cache, breakers and limits.
#[derive(Clone)]
pub struct Fetcher {
    inner: Arc<Inner>,
}

impl Fetcher {
    /// A network client for `config`; `emulator` is the in-process emulator's base URL, when
    /// running; `clock` stamps the call records, dates `Retry-After` and ages the cache.
    pub fn new(
        config: UpstreamConfig,
        emulator: Option<url::Url>,
        clock: Arc<dyn Clock>,
    ) -> Result<Fetcher, FetchError> {
        Fetcher::open(config, Upstream::Network { emulator }, None, clock)
    }

    /// A client reading from `upstream` and, when `recorder` is given, appending every response
    /// to it.
    pub fn open(
        config: UpstreamConfig,
        upstream: Upstream,
        recorder: Option<Recorder>,
        clock: Arc<dyn Clock>,
    ) -> Result<Fetcher, FetchError> {
        let source = match upstream {
            Upstream::Replay(r) => Source::Replay(r),
            Upstream::Network { emulator } => {
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
                Source::Network { client, emulator }
            }
        };
        let cache = Cache::new(config.cache.max_bytes);
        let bodies = Arc::new(tokio::sync::Semaphore::new(config.max_bodies_in_flight));
        Ok(Fetcher {
            inner: Arc::new(Inner {
                source,
                clock,
                config,
                recorder: recorder.map(Arc::new),
                limiters: Mutex::default(),
                breakers: Mutex::default(),
                cache: Mutex::new(cache),
                flights: Mutex::default(),
                bodies,
            }),
        })
    }

    /// Where a planned URL really goes: the override's scheme, host and port with the planned
    /// path and query, or the URL itself. A replay answers from the recording, which keys each
    /// response by its planned URL, so overrides do not apply then.
    pub fn effective_url(&self, planned: &str) -> Result<url::Url, FetchError> {
        let bad = |message: String| FetchError::BadUrl {
            url: planned.to_owned(),
            message,
        };
        let url = url::Url::parse(planned).map_err(|e| bad(e.to_string()))?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let emulator = match &self.inner.source {
            Source::Network { emulator, .. } => emulator.clone(),
            Source::Replay(_) => return Ok(url),
        };
        let base = match self.inner.config.overrides.get(&host) {
            None => return Ok(url),
            Some(Override::Url(base)) => base.clone(),
            Some(Override::Emulator) => emulator.ok_or_else(|| {
                bad("override points at the emulator, which is not running".into())
            })?,
        };
        let mut out = base;
        let prefix = out.path().trim_end_matches('/').to_owned();
        out.set_path(&format!("{prefix}{}", url.path()));
        out.set_query(url.query());
        Ok(out)
    }

    /// Every host's breaker, for `/health`.
    pub fn breakers(&self) -> Vec<BreakerStatus> {
        let map = lock(&self.inner.breakers);
        map.iter().map(|(host, b)| b.status(host)).collect()
    }

    /// Bytes and entries in the response cache.
    pub fn cache_usage(&self) -> (usize, usize) {
        let c = lock(&self.inner.cache);
        (c.bytes(), c.len())
    }

    fn limiter(&self, host: &str) -> Arc<DefaultDirectRateLimiter> {
        let mut map = lock(&self.inner.limiters);
        map.entry(host.to_owned())
            .or_insert_with(|| {
                let per_sec =
                    NonZeroU32::new(self.inner.config.rate_per_sec).unwrap_or(NonZeroU32::MIN);
                Arc::new(RateLimiter::direct(Quota::per_second(per_sec)))
            })
            .clone()
    }

    fn flight(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = lock(&self.inner.flights);
        // Forget locks nobody holds or waits on, so the map stays as small as the URLs in use.
        map.retain(|_, m| Arc::strong_count(m) > 1);
        map.entry(key.to_owned()).or_default().clone()
    }

    fn breaker<T>(&self, host: &str, f: impl FnOnce(&mut Breaker) -> T) -> T {
        let mut map = lock(&self.inner.breakers);
        let b = map
            .entry(host.to_owned())
            .or_insert_with(|| Breaker::new(self.inner.config.breaker));
        f(b)
    }

    fn ttl(&self, freshness: Freshness, max_age: Option<Duration>) -> Duration {
        let c = &self.inner.config.cache;
        match max_age {
            Some(m) => m.min(c.max_age_cap),
            None => match freshness {
                Freshness::Live => c.live,
                Freshness::Pregame => c.pregame,
                Freshness::Idle => c.idle,
                Freshness::Settle => c.settle,
            },
        }
    }

    /// GET `request`: from the cache when fresh enough for `freshness`, else through the
    /// breaker with retries; `max_body` caps the body.
    pub async fn get(
        &self,
        request: &PlannedRequest,
        max_body: usize,
        freshness: Freshness,
    ) -> FetchOutcome {
        let out = self.fetch(request, max_body, freshness).await;
        for a in &out.attempts {
            crate::metrics::upstream_attempt(&a.host, a.status, a.from_cache, a.latency);
        }
        out
    }

    async fn fetch(
        &self,
        request: &PlannedRequest,
        max_body: usize,
        freshness: Freshness,
    ) -> FetchOutcome {
        let mut out = FetchOutcome {
            result: Err(FetchError::BadUrl {
                url: request.url.clone(),
                message: "not fetched".into(),
            }),
            attempts: Vec::new(),
            transitions: Vec::new(),
        };
        let url = match self.effective_url(&request.url) {
            Ok(u) => u,
            Err(e) => {
                out.result = Err(e);
                return out;
            }
        };
        let host = url::Url::parse(&request.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .unwrap_or_default();
        let mut key = request.url.clone();
        for (name, value) in &request.headers {
            key.push_str(&format!("\n{name}: {value}"));
        }
        // One request per URL at a time: a second league asking for the same URL waits for
        // the first and then finds its answer in the cache.
        let flight = self.flight(&key);
        let _in_flight = flight.lock().await;

        let now = self.inner.clock.now();
        let accept = chrono::Duration::from_std(self.ttl(freshness, None))
            .unwrap_or(chrono::Duration::zero());
        let cached = lock(&self.inner.cache).get(&key, now, accept).cloned();
        if let Some(entry) = cached {
            out.attempts.push(Attempt {
                at: now,
                host,
                url: request.url.clone(),
                status: Some(200),
                bytes: entry.body.len() as u64,
                latency: Duration::ZERO,
                error: None,
                attempt: 1,
                from_cache: true,
            });
            out.result = Ok(Fetched {
                body: Body {
                    bytes: entry.body,
                    _place: None,
                },
                status: 200,
                max_age: None,
                attempts: 0,
                from_cache: true,
                made: entry.made,
            });
            return out;
        }

        match self.breaker(&host, |b| b.admit(now)) {
            Err(Refused { until }) => {
                out.result = Err(FetchError::CircuitOpen { host, until });
                return out;
            }
            Ok(t) => self.note(&mut out, now, &host, t),
        }

        let limiter =
            matches!(self.inner.source, Source::Network { .. }).then(|| self.limiter(&host));
        let mut n: u32 = 0;
        loop {
            n += 1;
            if let Some(l) = &limiter {
                l.until_ready().await;
            }
            let started = Instant::now();
            let at = self.inner.clock.now();
            let outcome = self.once(&url, request, max_body, at).await;
            let (status, bytes, error) = match &outcome {
                Ok(f) => (Some(f.status), f.body.len() as u64, None),
                Err(Failure { status, error, .. }) => (*status, 0, Some(error.to_string())),
            };
            out.attempts.push(Attempt {
                at,
                host: host.clone(),
                url: request.url.clone(),
                status,
                bytes,
                latency: started.elapsed(),
                error,
                attempt: n,
                from_cache: false,
            });
            let failure = match outcome {
                Ok(mut fetched) => {
                    fetched.attempts = n;
                    let t = self.breaker(&host, Breaker::on_success);
                    let done = self.inner.clock.now();
                    self.note(&mut out, done, &host, t);
                    // Kept as long as the state it was fetched for allows (or upstream's
                    // max-age); each asker's own limit applies on the way out.
                    let ttl = self.ttl(freshness, fetched.max_age);
                    if let Ok(ttl) = chrono::Duration::from_std(ttl) {
                        lock(&self.inner.cache).insert_made(
                            &key,
                            fetched.body.bytes.clone(),
                            done,
                            done + ttl,
                            fetched.max_age.is_some(),
                            fetched.made,
                        );
                    }
                    out.result = Ok(fetched);
                    return out;
                }
                Err(f) => f,
            };
            let now = self.inner.clock.now();
            if !failure.retryable {
                // The host answered (a 4xx, a body too large, a recording gap): not its fault.
                if failure.status.is_some() {
                    let t = self.breaker(&host, Breaker::on_success);
                    self.note(&mut out, now, &host, t);
                } else {
                    self.breaker(&host, Breaker::on_neutral);
                }
                out.result = Err(failure.error.with_attempts(n));
                return out;
            }
            let what = failure.error.to_string();
            let t = self.breaker(&host, |b| b.on_failure(now, &what, failure.retry_after));
            let opened = t.is_some();
            self.note(&mut out, now, &host, t);
            if opened || n > self.inner.config.retries {
                out.result = Err(failure.error.with_attempts(n));
                return out;
            }
            let delay = failure.retry_after.unwrap_or_else(|| self.backoff(n));
            tracing::debug!(%host, attempt = n, delay_ms = delay.as_millis() as u64, error = %failure.error, "retrying upstream request");
            tokio::time::sleep(delay).await;
        }
    }

    fn note(&self, out: &mut FetchOutcome, at: DateTime<Utc>, host: &str, t: Option<Transition>) {
        if let Some(transition) = t {
            tracing::warn!(%host, state = %transition.state, reason = %transition.reason, "circuit breaker");
            crate::metrics::breaker_state(host, transition.state);
            out.transitions.push(HostTransition {
                at,
                host: host.to_owned(),
                transition,
            });
        }
    }

    /// Exponential backoff with full jitter: a random delay up to `base * 2^(n-1)`, at least 10 ms.
    fn backoff(&self, n: u32) -> Duration {
        let cap = self
            .inner
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
        at: DateTime<Utc>,
    ) -> Result<Fetched, Failure> {
        let Answer {
            status,
            max_age,
            retry_after,
            dating,
            body,
            place,
        } = match &self.inner.source {
            Source::Replay(replay) => {
                let line = replay
                    .next(&request.url, at)
                    .map_err(|e| Failure::fatal(None, FetchError::NotRecorded { url: e.0 }))?;
                let path = replay.body_path(&line);
                let place = self.body_place().await;
                let body = tokio::fs::read(&path).await.map_err(|e| {
                    Failure::fatal(
                        None,
                        FetchError::Network {
                            attempts: 0,
                            message: format!("{}: {e}", path.display()),
                        },
                    )
                })?;
                Answer {
                    status: line.status,
                    max_age: line.max_age_secs.map(Duration::from_secs),
                    retry_after: None,
                    dating: line.dating,
                    body,
                    place,
                }
            }
            Source::Network { client, .. } => {
                let answer = self.network(client, url, request, max_body).await?;
                if let Some(rec) = &self.inner.recorder {
                    let rec = rec.clone();
                    let planned = request.url.clone();
                    let copy = answer.body.clone();
                    let (status, max_age) = (answer.status, answer.max_age);
                    let dating = answer.dating.clone();
                    let saved = tokio::task::spawn_blocking(move || {
                        rec.record(at, &planned, status, max_age, &dating, &copy)
                    })
                    .await;
                    match saved {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => tracing::warn!(error = %e, "response not recorded"),
                        Err(e) => tracing::warn!(error = %e, "recording task failed"),
                    }
                }
                answer
            }
        };
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
        if body.len() > max_body {
            return Err(Failure::fatal(
                Some(status),
                FetchError::TooLarge { limit: max_body },
            ));
        }
        Ok(Fetched {
            body: Body {
                bytes: body.into(),
                _place: place.map(Arc::new),
            },
            status,
            max_age,
            attempts: 0,
            from_cache: false,
            made: dating.made(),
        })
    }

    /// A place for one more body, waiting while `max_bodies_in_flight` are held. `None` only if
    /// the semaphore were closed, which it never is.
    async fn body_place(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let places = &self.inner.bodies;
        match places.clone().try_acquire_owned() {
            Ok(place) => Some(place),
            Err(tokio::sync::TryAcquireError::NoPermits) => {
                crate::metrics::upstream_body_waited();
                tracing::debug!("response body waits for a place (upstream.max_bodies_in_flight)");
                places.clone().acquire_owned().await.ok()
            }
            Err(tokio::sync::TryAcquireError::Closed) => None,
        }
    }

    /// One network request: status, `max-age`, `Retry-After`, the body (empty for an error
    /// status, which is not read) and the place it holds. The place is taken once the headers
    /// say a body is coming, so a slow or failing host holds none while it connects or retries.
    async fn network(
        &self,
        client: &reqwest::Client,
        url: &url::Url,
        request: &PlannedRequest,
        max_body: usize,
    ) -> Result<Answer, Failure> {
        let mut builder = client.get(url.clone());
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
            header("retry-after").and_then(|v| parse_retry_after(&v, self.inner.clock.now()));
        let max_age = header("cache-control").and_then(|v| parse_max_age(&v));
        let dating = BodyDating {
            date: header("date"),
            last_modified: header("last-modified"),
            age_secs: header("age").and_then(|v| origin::parse_age(&v)),
        };
        if !(200..300).contains(&status) {
            return Ok(Answer {
                status,
                max_age,
                retry_after,
                dating,
                body: Vec::new(),
                place: None,
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
        let place = self.body_place().await;
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
        Ok(Answer {
            status,
            max_age,
            retry_after,
            dating,
            body,
            place,
        })
    }
}

/// One answer from the network or a recording, before it is judged by its status.
struct Answer {
    status: u16,
    /// `Cache-Control: max-age`.
    max_age: Option<Duration>,
    /// `Retry-After`.
    retry_after: Option<Duration>,
    /// `Date`, `Last-Modified`, `Age`.
    dating: BodyDating,
    /// Empty for an error status, which is not read.
    body: Vec<u8>,
    /// The body's place under `max_bodies_in_flight` (none for an error status).
    place: Option<tokio::sync::OwnedSemaphorePermit>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FetchError {
    /// The same error with the final attempt count.
    fn with_attempts(self, n: u32) -> FetchError {
        match self {
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
        }
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
