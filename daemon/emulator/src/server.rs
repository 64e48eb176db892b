//! The emulator's HTTP server (axum on `127.0.0.1:0`): ESPN's scoreboard and summary routes over
//! the slate at the clock's `now`, with `Cache-Control: max-age` (5 s unless configured), and fault injection.
//!
//! Faults, decided per request in this order:
//! 1. a request-level fault: the first queued [`Fault::Status`], [`Fault::Hang`] or
//!    [`Fault::Malformed`] (from [`Emulator::force`]), else one drawn from the seeded RNG with the
//!    configured `error_rate` (500), `timeout_rate` (hang until shutdown) and `malformed_rate`
//!    (the body cut in half);
//! 2. body faults: a queued [`Fault::Glitch`] zeroes its game's score in the next scoreboard or
//!    summary that carries the game; a queued [`Fault::Drop`] leaves its game out of the next
//!    scoreboard that would carry it. With `glitch` on, each live game with a score is reported
//!    0-0 once, on a scoreboard drawn at random; with `drop_game` on, one live game is left out
//!    of one randomly drawn scoreboard, once.
//! 3. stale copies: a queued [`Fault::Stale`], or with `stale` on a draw per request (once per
//!    game and route), starts an episode on that URL: its next 2 or 3 answers (the count is
//!    drawn) are the body as it stood just before the target game's last score (the whole
//!    scoreboard, or the game's summary, rendered at that older instant, so the game shows its
//!    earlier score, status, period and clock), then the current body again. A random target is
//!    a live game whose last score is at least [`STALE_MIN_AGE`] old, so a poller has likely
//!    accepted the newer state. Every stale answer is logged (`emulator served a stale copy`)
//!    and kept in [`Emulator::stale_copies`].

use super::espn::{self, Tweaks};
use super::slate::{Game, Phase, Slate, state_at};
use super::teams::{self, Sport};
use crate::config::EmulatorConfig;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use scoreline_core::clock::Clock;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Chance that a scoreboard carrying a live, scored game not yet glitched reports it 0-0.
const GLITCH_CHANCE: f64 = 0.25;
/// Chance that a scoreboard carrying a live game leaves one out (once per emulator).
const DROP_CHANCE: f64 = 0.25;
/// Chance that a request for a body carrying an eligible game starts a stale episode.
const STALE_CHANCE: f64 = 0.2;
/// A random stale copy targets a game whose last score is at least this old.
pub const STALE_MIN_AGE: Duration = Duration::from_secs(3);
/// A stale copy shows its game this long before its last score.
pub const STALE_LAG: Duration = Duration::from_secs(1);

/// A fault to inject, queued with [`Emulator::force`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer the next request with this HTTP status.
    Status(u16),
    /// Hold the next request open until the emulator shuts down.
    Hang,
    /// Answer the next request with truncated JSON.
    Malformed,
    /// Report this game 0-0 in the next scoreboard or summary that carries it.
    Glitch {
        /// The game.
        game_id: String,
    },
    /// Leave this game out of the next scoreboard that would carry it.
    Drop {
        /// The game.
        game_id: String,
    },
    /// Start a stale episode on the next scoreboard or summary that carries this game once it
    /// has scored: that URL's next `requests` answers are its body from just before the game's
    /// last score.
    Stale {
        /// The game.
        game_id: String,
        /// Answers in the episode (at least 1).
        requests: u32,
    },
}

/// The route a stale copy was served on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StaleRoute {
    /// A league's scoreboard (every game on it is as of the older instant).
    Scoreboard,
    /// A game's summary.
    Summary,
}

impl StaleRoute {
    /// `scoreboard` or `summary`.
    pub fn as_str(self) -> &'static str {
        match self {
            StaleRoute::Scoreboard => "scoreboard",
            StaleRoute::Summary => "summary",
        }
    }
}

/// One stale answer the emulator served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleCopy {
    /// The route.
    pub route: StaleRoute,
    /// The league key.
    pub league: String,
    /// The game the episode targets (on a scoreboard, every game is as of `copy_of`).
    pub game_id: String,
    /// When it was served (the emulator clock).
    pub served_at: DateTime<Utc>,
    /// The instant the body shows.
    pub copy_of: DateTime<Utc>,
    /// This answer's place in the episode, from 1.
    pub request: u32,
    /// Answers in the episode.
    pub requests: u32,
    /// The target game's home score in the copy.
    pub home_score: u32,
    /// The target game's away score in the copy.
    pub away_score: u32,
    /// The target game's ESPN status name in the copy.
    pub status: &'static str,
    /// The target game's period in the copy.
    pub period: u32,
    /// The target game's clock in the copy.
    pub clock: String,
}

/// The emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// No socket on 127.0.0.1.
    #[error("cannot bind the emulator on 127.0.0.1: {0}")]
    Bind(#[source] std::io::Error),
    /// The bound address does not make a URL.
    #[error("emulator address `{0}` does not make a url")]
    Url(SocketAddr),
}

/// A running emulator. Dropping it stops the server too; [`Emulator::shutdown`] also waits.
pub struct Emulator {
    shared: Arc<Shared>,
    base: url::Url,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base.as_str())
            .field("games", &self.shared.slate.games().len())
            .field("requests", &self.requests())
            .finish()
    }
}

impl Emulator {
    /// Generate the slate anchored at `clock.now()` and serve it on `127.0.0.1:0`.
    pub async fn start(
        config: EmulatorConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Emulator, EmulatorError> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(EmulatorError::Bind)?;
        let addr = listener.local_addr().map_err(EmulatorError::Bind)?;
        let base =
            url::Url::parse(&format!("http://{addr}")).map_err(|_| EmulatorError::Url(addr))?;
        let slate = Slate::generate(config.seed, clock.now(), config.game_length, config.stagger);
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(Shared {
            faults: Mutex::new(Faults::new(config.seed)),
            slate,
            clock,
            config,
            requests: AtomicU64::new(0),
            stopped: stopped.clone(),
        });
        let mut until = stopped;
        let server =
            axum::serve(listener, app(shared.clone())).with_graceful_shutdown(async move {
                // Also resolves when the sender is dropped with the emulator.
                let _ = until.wait_for(|stop| *stop).await;
            });
        let task = tokio::spawn(async move {
            if let Err(e) = server.await {
                tracing::warn!(error = %e, "emulator server stopped with an error");
            }
        });
        tracing::info!(
            url = %base,
            games = shared.slate.games().len(),
            anchor = %shared.slate.anchor(),
            "emulator serving an espn-shaped slate"
        );
        Ok(Emulator {
            shared,
            base,
            stop,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> url::Url {
        self.base.clone()
    }

    /// The games served.
    pub fn slate(&self) -> &Slate {
        &self.shared.slate
    }

    /// Queue `fault` for the next matching response.
    pub fn force(&self, fault: Fault) {
        self.shared.faults().queue.push_back(fault);
    }

    /// Every stale answer served so far, in order.
    pub fn stale_copies(&self) -> Vec<StaleCopy> {
        self.shared.faults().served.clone()
    }

    /// Requests received so far (every route, whatever the answer).
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Stop serving: release hanging requests, close connections and wait (at most 5 s) for the
    /// server to finish.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(Duration::from_secs(5), &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}

struct Shared {
    slate: Slate,
    clock: Arc<dyn Clock>,
    config: EmulatorConfig,
    requests: AtomicU64,
    faults: Mutex<Faults>,
    stopped: watch::Receiver<bool>,
}

impl Shared {
    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait until the emulator shuts down (or is dropped).
    async fn hang(&self) {
        let mut stopped = self.stopped.clone();
        let _ = stopped.wait_for(|stop| *stop).await;
    }
}

/// What happens to a request before any body is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RequestFault {
    Status(u16),
    Hang,
    Malformed,
}

/// A stale episode in progress on one URL.
#[derive(Debug, Clone)]
struct Episode {
    game_id: String,
    copy_of: DateTime<Utc>,
    served: u32,
    requests: u32,
}

/// Queued faults, the fault RNG and what the random faults have already done.
struct Faults {
    rng: fastrand::Rng,
    queue: VecDeque<Fault>,
    glitched: BTreeSet<String>,
    dropped: bool,
    /// Stale episodes in progress, by URL key.
    episodes: BTreeMap<String, Episode>,
    /// Games a random stale episode has targeted, per route.
    staled: BTreeSet<(StaleRoute, String)>,
    /// Every stale answer served.
    served: Vec<StaleCopy>,
}

/// The instant a stale copy of `game` shows at `now`: [`STALE_LAG`] before its last score at or
/// before `now`; `None` before its first score.
pub fn stale_instant(game: &Game, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let last = game.events.iter().rev().find(|e| game.at(e.at) <= now)?;
    Some(game.at(last.at.saturating_sub(STALE_LAG)))
}

impl Faults {
    fn new(seed: u64) -> Self {
        Faults {
            rng: fastrand::Rng::with_seed(seed ^ 0x5EED_FA17),
            queue: VecDeque::new(),
            glitched: BTreeSet::new(),
            dropped: false,
            episodes: BTreeMap::new(),
            staled: BTreeSet::new(),
            served: Vec::new(),
        }
    }

    /// The stale answer due for the URL `key` carrying `games` at `now`, if any: the episode in
    /// progress on it, else one started by a queued [`Fault::Stale`], else (with `stale` on) one
    /// drawn at random for a live game whose last score is at least [`STALE_MIN_AGE`] old and
    /// that no episode on this route has targeted yet.
    fn stale(
        &mut self,
        config: &EmulatorConfig,
        route: StaleRoute,
        key: &str,
        games: &[&Game],
        now: DateTime<Utc>,
    ) -> Option<StaleCopy> {
        if !self.episodes.contains_key(key) {
            let episode = self
                .forced_episode(games, now)
                .or_else(|| self.random_episode(config, route, games, now))?;
            self.episodes.insert(key.to_owned(), episode);
        }
        let episode = self.episodes.get_mut(key)?;
        episode.served += 1;
        let ep = episode.clone();
        if ep.served >= ep.requests {
            self.episodes.remove(key);
        }
        let game = games.iter().find(|g| g.id == ep.game_id)?;
        let state = state_at(game, ep.copy_of);
        let copy = StaleCopy {
            route,
            league: game.league.key.to_owned(),
            game_id: ep.game_id,
            served_at: now,
            copy_of: ep.copy_of,
            request: ep.served,
            requests: ep.requests,
            home_score: state.home_score,
            away_score: state.away_score,
            status: state.status.name(),
            period: state.period,
            clock: state.clock.display.clone(),
        };
        self.served.push(copy.clone());
        Some(copy)
    }

    fn forced_episode(&mut self, games: &[&Game], now: DateTime<Utc>) -> Option<Episode> {
        let (i, game_id, requests, copy_of) =
            self.queue.iter().enumerate().find_map(|(i, f)| match f {
                Fault::Stale { game_id, requests } => {
                    let game = games.iter().find(|g| &g.id == game_id)?;
                    Some((i, game_id.clone(), *requests, stale_instant(game, now)?))
                }
                _ => None,
            })?;
        self.queue.remove(i);
        Some(Episode {
            game_id,
            copy_of,
            served: 0,
            requests: requests.max(1),
        })
    }

    fn random_episode(
        &mut self,
        config: &EmulatorConfig,
        route: StaleRoute,
        games: &[&Game],
        now: DateTime<Utc>,
    ) -> Option<Episode> {
        if !config.stale {
            return None;
        }
        let eligible: Vec<(&str, DateTime<Utc>)> = games
            .iter()
            .filter(|g| !self.staled.contains(&(route, g.id.clone())))
            .filter(|g| state_at(g, now).phase == Phase::In)
            .filter_map(|g| {
                let copy_of = stale_instant(g, now)?;
                let age = (now - copy_of).to_std().ok()?;
                (age >= STALE_MIN_AGE + STALE_LAG).then_some((g.id.as_str(), copy_of))
            })
            .collect();
        if eligible.is_empty() || self.rng.f64() >= STALE_CHANCE {
            return None;
        }
        let (game_id, copy_of) = *eligible.get(self.rng.usize(..eligible.len()))?;
        self.staled.insert((route, game_id.to_owned()));
        Some(Episode {
            game_id: game_id.to_owned(),
            copy_of,
            served: 0,
            requests: self.rng.u32(2..=3),
        })
    }

    fn request(&mut self, config: &EmulatorConfig) -> Option<RequestFault> {
        let queued = self
            .queue
            .iter()
            .position(|f| matches!(f, Fault::Status(_) | Fault::Hang | Fault::Malformed));
        if let Some(i) = queued {
            return match self.queue.remove(i) {
                Some(Fault::Status(code)) => Some(RequestFault::Status(code)),
                Some(Fault::Hang) => Some(RequestFault::Hang),
                Some(Fault::Malformed) => Some(RequestFault::Malformed),
                _ => None,
            };
        }
        let roll = self.rng.f64();
        let mut edge = config.error_rate;
        if roll < edge {
            return Some(RequestFault::Status(500));
        }
        edge += config.timeout_rate;
        if roll < edge {
            return Some(RequestFault::Hang);
        }
        edge += config.malformed_rate;
        (roll < edge).then_some(RequestFault::Malformed)
    }

    /// Take one queued fault of the kind `want` picks for `game_id`.
    fn take(&mut self, game_id: &str, want: fn(&Fault) -> Option<&str>) -> bool {
        match self.queue.iter().position(|f| want(f) == Some(game_id)) {
            Some(i) => self.queue.remove(i).is_some(),
            None => false,
        }
    }

    /// Glitches and drops for a scoreboard of `games` at `now`.
    fn board(&mut self, config: &EmulatorConfig, games: &[&Game], now: DateTime<Utc>) -> Tweaks {
        let mut tweaks = Tweaks::default();
        let mut live = Vec::new();
        for game in games {
            if self.take(&game.id, glitch_of) {
                tweaks.zeroed.insert(game.id.clone());
            }
            if self.take(&game.id, drop_of) {
                tweaks.omitted.insert(game.id.clone());
            }
            let state = state_at(game, now);
            if state.phase == Phase::In {
                live.push((game.id.clone(), state.home_score + state.away_score > 0));
            }
        }
        if config.drop_game
            && !self.dropped
            && !live.is_empty()
            && self.rng.f64() < DROP_CHANCE
            && let Some((id, _)) = live.get(self.rng.usize(..live.len()))
        {
            self.dropped = true;
            tweaks.omitted.insert(id.clone());
        }
        if config.glitch {
            for (id, scored) in live {
                // A glitch is only one when it shows: a scored game, on a board that carries it.
                if scored
                    && !tweaks.omitted.contains(&id)
                    && !self.glitched.contains(&id)
                    && self.rng.f64() < GLITCH_CHANCE
                {
                    self.glitched.insert(id.clone());
                    tweaks.zeroed.insert(id);
                }
            }
        }
        tweaks
    }
}

fn glitch_of(f: &Fault) -> Option<&str> {
    match f {
        Fault::Glitch { game_id } => Some(game_id),
        _ => None,
    }
}

fn drop_of(f: &Fault) -> Option<&str> {
    match f {
        Fault::Drop { game_id } => Some(game_id),
        _ => None,
    }
}

fn app(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/apis/site/v2/sports/{sport}/{league}/scoreboard",
            get(scoreboard),
        )
        .route(
            "/apis/site/v2/sports/{sport}/{league}/summary",
            get(summary),
        )
        .fallback(not_found)
        .with_state(shared)
}

type Params = Query<BTreeMap<String, String>>;

async fn scoreboard(
    State(shared): State<Arc<Shared>>,
    Path((sport, league)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let malformed = match before(&shared).await {
        Ok(malformed) => malformed,
        Err(response) => return response,
    };
    let now = shared.clock.now();
    let Some(sport) = Sport::from_path(&sport) else {
        return error(
            &shared.config,
            StatusCode::NOT_FOUND,
            &format!("unknown sport `{sport}`"),
        );
    };
    let range = match params.get("dates") {
        Some(dates) => match espn::parse_dates(dates) {
            Ok(range) => range,
            Err(e) => return error(&shared.config, StatusCode::BAD_REQUEST, &e.to_string()),
        },
        None => {
            let today = espn::sports_day(now);
            (today, today)
        }
    };
    let games = espn::board_games(&shared.slate, sport, &league, range);
    let key = format!(
        "scoreboard {}/{league} {}-{}",
        sport.as_str(),
        range.0,
        range.1
    );
    let (tweaks, stale) = {
        let mut faults = shared.faults();
        let stale = faults.stale(&shared.config, StaleRoute::Scoreboard, &key, &games, now);
        (faults.board(&shared.config, &games, now), stale)
    };
    if !tweaks.zeroed.is_empty() || !tweaks.omitted.is_empty() {
        tracing::debug!(league, zeroed = ?tweaks.zeroed, omitted = ?tweaks.omitted, "emulator glitch injected");
    }
    let at = shown_at(&shared.config, now, stale.as_ref());
    log_stale(stale.as_ref());
    let league = teams::league(sport, &league);
    let body = espn::scoreboard(league.as_ref(), &games, range, at, &tweaks);
    dated(
        json(StatusCode::OK, &body, malformed, shared.config.max_age),
        now,
        at,
    )
}

/// The instant a body served at `now` shows: the latest board update (when boards change on
/// their own rhythm), or a stale copy's older instant.
fn shown_at(
    config: &EmulatorConfig,
    now: DateTime<Utc>,
    stale: Option<&StaleCopy>,
) -> DateTime<Utc> {
    let board = config.updates.map_or(now, |u| u.last(now));
    stale.map_or(board, |s| s.copy_of.min(board))
}

/// `Date` (the emulator's clock) and `Age` (how long ago the copy was made) on an answer, so
/// the daemon can tell when upstream made the body.
fn dated(mut response: Response, now: DateTime<Utc>, made: DateTime<Utc>) -> Response {
    let date = now.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    // Both in whole seconds, as HTTP has them: made = Date - Age, to the second.
    let age = (now.timestamp() - made.timestamp()).max(0);
    let headers = response.headers_mut();
    if let Ok(v) = header::HeaderValue::from_str(&date) {
        headers.insert(header::DATE, v);
    }
    headers.insert(header::AGE, header::HeaderValue::from(age));
    response
}

async fn summary(
    State(shared): State<Arc<Shared>>,
    Path((sport, league)): Path<(String, String)>,
    Query(params): Params,
) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    let malformed = match before(&shared).await {
        Ok(malformed) => malformed,
        Err(response) => return response,
    };
    let now = shared.clock.now();
    let Some(id) = params.get("event") else {
        return error(
            &shared.config,
            StatusCode::BAD_REQUEST,
            "missing parameter `event`",
        );
    };
    let game = shared
        .slate
        .game(id)
        .filter(|g| g.league.sport.as_str() == sport && g.league.key == league);
    let Some(game) = game else {
        return error(
            &shared.config,
            StatusCode::NOT_FOUND,
            &format!("no event `{id}` in {sport}/{league}"),
        );
    };
    let mut tweaks = Tweaks::default();
    let key = format!("summary {id}");
    let (glitch, stale) = {
        let mut faults = shared.faults();
        let stale = faults.stale(&shared.config, StaleRoute::Summary, &key, &[game], now);
        (faults.take(&game.id, glitch_of), stale)
    };
    if glitch {
        tracing::debug!(game_id = %game.id, "emulator glitch injected");
        tweaks.zeroed.insert(game.id.clone());
    }
    let at = shown_at(&shared.config, now, stale.as_ref());
    log_stale(stale.as_ref());
    dated(
        json(
            StatusCode::OK,
            &espn::summary(game, at, &tweaks),
            malformed,
            shared.config.max_age,
        ),
        now,
        at,
    )
}

/// One line per stale answer: what the copy shows of its target game and of when.
fn log_stale(stale: Option<&StaleCopy>) {
    if let Some(s) = stale {
        tracing::info!(
            route = s.route.as_str(),
            league = %s.league,
            game_id = %s.game_id,
            copy_of = %s.copy_of.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            served_at = %s.served_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            request = s.request,
            requests = s.requests,
            home_score = s.home_score,
            away_score = s.away_score,
            status = s.status,
            period = s.period,
            clock = %s.clock,
            "emulator served a stale copy"
        );
    }
}

async fn not_found(State(shared): State<Arc<Shared>>) -> Response {
    shared.requests.fetch_add(1, Ordering::Relaxed);
    error(&shared.config, StatusCode::NOT_FOUND, "not found")
}

/// Apply a request-level fault: `Err` is the response to send instead, `Ok(true)` means the
/// body must be truncated.
async fn before(shared: &Shared) -> Result<bool, Response> {
    let fault = shared.faults().request(&shared.config);
    match fault {
        None => Ok(false),
        Some(RequestFault::Malformed) => {
            tracing::debug!("emulator answers truncated json");
            Ok(true)
        }
        Some(RequestFault::Status(code)) => {
            tracing::debug!(code, "emulator answers an error status");
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Err(error(&shared.config, status, "emulated upstream failure"))
        }
        Some(RequestFault::Hang) => {
            tracing::debug!("emulator holds a request until shutdown");
            shared.hang().await;
            Err(error(
                &shared.config,
                StatusCode::SERVICE_UNAVAILABLE,
                "emulator shutting down",
            ))
        }
    }
}

fn error(config: &EmulatorConfig, status: StatusCode, message: &str) -> Response {
    json(
        status,
        &espn::error_body(status.as_u16(), message),
        false,
        config.max_age,
    )
}

/// A JSON answer with `Cache-Control: max-age`.
fn json(
    status: StatusCode,
    body: &serde_json::Value,
    malformed: bool,
    max_age: Duration,
) -> Response {
    let mut bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    if malformed {
        // A proper prefix of a JSON object never closes it: always a parse error.
        bytes.truncate(bytes.len() / 2);
    }
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                "application/json;charset=UTF-8".to_owned(),
            ),
            (
                header::CACHE_CONTROL,
                format!("max-age={}", max_age.as_secs()),
            ),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    //! Stale copies: an episode lasts its 2 or 3 requests on one URL, each answer is the body as
    //! of just before the target's last score (checked by parsing it with the real ESPN adapter),
    //! and then the current body is back.

    use super::*;
    use chrono::TimeZone;
    use scoreline_plugin_espn::Espn;
    use scoreline_plugin_sdk::{Adapter, CallContext, GameStatus};

    fn anchor() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 18, 0, 0).unwrap()
    }

    fn config(stale: bool) -> EmulatorConfig {
        EmulatorConfig {
            updates: None,
            seed: 7,
            game_length: Duration::from_secs(60),
            stagger: Duration::from_secs(10),
            max_age: Duration::from_secs(5),
            error_rate: 0.0,
            timeout_rate: 0.0,
            malformed_rate: 0.0,
            glitch: false,
            drop_game: false,
            stale,
        }
    }

    fn slate() -> Slate {
        Slate::generate(
            7,
            anchor(),
            Duration::from_secs(60),
            Duration::from_secs(10),
        )
    }

    /// The league's board at `at`, parsed by the ESPN adapter: (id → (status, period, clock,
    /// home, away)).
    type Seen = (
        GameStatus,
        Option<u32>,
        Option<String>,
        Option<u32>,
        Option<u32>,
    );

    fn board_at(slate: &Slate, game: &Game, at: DateTime<Utc>) -> BTreeMap<String, Seen> {
        let day = espn::sports_day(game.start);
        let games = espn::board_games(slate, game.league.sport, game.league.key, (day, day));
        let body = espn::scoreboard(
            Some(&game.league),
            &games,
            (day, day),
            at,
            &Tweaks::default(),
        );
        let bytes = serde_json::to_vec(&body).unwrap();
        let ctx = CallContext::new(game.league.key, at.timestamp());
        Espn::parse_scoreboard(&ctx, &bytes)
            .unwrap()
            .games
            .into_iter()
            .map(|g| {
                (
                    g.id.clone(),
                    (g.status, g.period, g.clock, g.home.score, g.away.score),
                )
            })
            .collect()
    }

    fn summary_at(game: &Game, at: DateTime<Utc>) -> Seen {
        let body = serde_json::to_vec(&espn::summary(game, at, &Tweaks::default())).unwrap();
        let ctx = CallContext::new(game.league.key, at.timestamp());
        let g = Espn::parse_game_detail(&ctx, &game.id, &body)
            .unwrap()
            .detail
            .game;
        (g.status, g.period, g.clock, g.home.score, g.away.score)
    }

    fn board_key(game: &Game) -> String {
        format!("scoreboard {}", game.league.key)
    }

    /// A staggered NBA game 40 s in: live, scored more than once.
    fn nba(slate: &Slate) -> (&Game, DateTime<Utc>) {
        let game = slate
            .games()
            .iter()
            .find(|g| g.league.key == "nba" && g.start > slate.anchor())
            .unwrap();
        let now = game.at(Duration::from_secs(40));
        let state = state_at(game, now);
        assert_eq!(state.phase, Phase::In);
        assert!(state.events.len() >= 2, "{}", state.events.len());
        (game, now)
    }

    #[test]
    fn a_forced_stale_board_shows_the_game_before_its_last_score_for_its_requests() {
        let slate = slate();
        let (game, now) = nba(&slate);
        let day = espn::sports_day(game.start);
        let games = espn::board_games(&slate, game.league.sport, game.league.key, (day, day));
        let mut faults = Faults::new(7);
        faults.queue.push_back(Fault::Stale {
            game_id: game.id.clone(),
            requests: 3,
        });
        let key = board_key(game);
        let copy_of = stale_instant(game, now).unwrap();
        let last = state_at(game, now).events.last().unwrap().clone();
        assert_eq!(copy_of, game.at(last.at) - chrono::TimeDelta::seconds(1));
        let current = board_at(&slate, game, now);
        let older = board_at(&slate, game, copy_of);
        let (then, cur) = (&older[&game.id], &current[&game.id]);
        // The copy carries the score from before the last one (a basketball second may hold
        // several), and its own clock.
        let state = state_at(game, copy_of);
        let before = (state.home_score, state.away_score);
        assert!(before.0 <= last.home_after && before.1 <= last.away_after);
        assert!(before.0 + before.1 < last.home_after + last.away_after);
        assert_eq!((then.3, then.4), (Some(before.0), Some(before.1)));
        let now_state = state_at(game, now);
        assert_eq!(
            (cur.3, cur.4),
            (Some(now_state.home_score), Some(now_state.away_score))
        );
        assert_ne!(then, cur);
        assert_ne!(then.2, cur.2, "the clock is the copy's too");
        assert_eq!(then.1, Some(state.period));
        for request in 1..=3 {
            let s = faults
                .stale(&config(false), StaleRoute::Scoreboard, &key, &games, now)
                .unwrap();
            assert_eq!((s.request, s.requests), (request, 3));
            assert_eq!((s.copy_of, s.served_at), (copy_of, now));
            assert_eq!(s.game_id, game.id);
            assert_eq!((s.home_score, s.away_score), before);
            assert_eq!((s.status, s.period), (state.status.name(), state.period));
            assert_eq!(s.clock, state.clock.display);
            // The handler renders the whole board at the copy's instant.
            assert_eq!(board_at(&slate, game, s.copy_of), older);
        }
        assert_eq!(
            faults.stale(&config(false), StaleRoute::Scoreboard, &key, &games, now),
            None,
            "the fourth answer is current again"
        );
        assert_eq!(faults.served.len(), 3);
    }

    #[test]
    fn a_forced_stale_summary_waits_for_a_score_and_lasts_its_requests() {
        let slate = slate();
        let (game, now) = nba(&slate);
        let mut faults = Faults::new(7);
        faults.queue.push_back(Fault::Stale {
            game_id: game.id.clone(),
            requests: 2,
        });
        let key = format!("summary {}", game.id);
        // Before its first score there is nothing older to serve: the fault stays queued.
        let first = game.at(game.events[0].at) - chrono::TimeDelta::milliseconds(1);
        assert_eq!(
            faults.stale(&config(false), StaleRoute::Summary, &key, &[game], first),
            None
        );
        assert_eq!(faults.queue.len(), 1);
        let copy_of = stale_instant(game, now).unwrap();
        for request in 1..=2 {
            let s = faults
                .stale(&config(false), StaleRoute::Summary, &key, &[game], now)
                .unwrap();
            assert_eq!(
                (s.route, s.request, s.requests),
                (StaleRoute::Summary, request, 2)
            );
            let seen = summary_at(game, s.copy_of);
            assert_eq!((seen.3, seen.4), (Some(s.home_score), Some(s.away_score)));
            assert_ne!(seen, summary_at(game, now));
        }
        assert_eq!(
            faults.stale(&config(false), StaleRoute::Summary, &key, &[game], now),
            None
        );
        assert_eq!(faults.served[0].copy_of, copy_of);
    }

    #[test]
    fn random_stale_episodes_last_two_or_three_requests_once_per_game_and_route() {
        let slate = slate();
        let mut faults = Faults::new(7);
        let config = config(true);
        let mut episodes: Vec<(StaleRoute, String, Vec<u32>, u32)> = Vec::new();
        let mut targets = BTreeSet::new();
        // Every league's board and every game's summary, polled every 500 ms over the slate.
        let end = slate.games().iter().map(|g| g.end()).max().unwrap();
        let mut now = slate.anchor();
        let mut keys: BTreeMap<String, Option<usize>> = BTreeMap::new();
        while now < end {
            for game in slate.games() {
                let day = espn::sports_day(game.start);
                let games =
                    espn::board_games(&slate, game.league.sport, game.league.key, (day, day));
                for (route, key, games) in [
                    (StaleRoute::Scoreboard, board_key(game), games),
                    (
                        StaleRoute::Summary,
                        format!("summary {}", game.id),
                        vec![game],
                    ),
                ] {
                    let open = keys.entry(key.clone()).or_default();
                    match faults.stale(&config, route, &key, &games, now) {
                        Some(s) => {
                            let target = games.iter().find(|g| g.id == s.game_id).unwrap();
                            let current = state_at(target, now);
                            assert!(
                                s.home_score + s.away_score
                                    < current.home_score + current.away_score,
                                "{s:?} is not older than {}-{}",
                                current.home_score,
                                current.away_score
                            );
                            if s.request == 1 {
                                assert!(open.is_none(), "{key}: a new episode inside one");
                                assert!(targets.insert((route, s.game_id.clone())), "{s:?}");
                                episodes.push((route, s.game_id.clone(), vec![1], s.requests));
                                *open = Some(episodes.len() - 1);
                            } else {
                                let i = open.unwrap();
                                episodes[i].2.push(s.request);
                            }
                            if s.request == s.requests {
                                *open = None;
                            }
                        }
                        None => assert!(open.is_none(), "{key}: an episode cut short"),
                    }
                }
            }
            now += chrono::TimeDelta::milliseconds(500);
        }
        assert!(episodes.len() >= 6, "{episodes:?}");
        assert!(episodes.iter().any(|e| e.0 == StaleRoute::Scoreboard));
        assert!(episodes.iter().any(|e| e.0 == StaleRoute::Summary));
        for (route, id, requests, n) in &episodes {
            assert!(matches!(n, 2 | 3), "{route:?} {id}: {n}");
            assert_eq!(requests, &(1..=*n).collect::<Vec<_>>(), "{route:?} {id}");
        }
        assert_eq!(
            faults.served.len(),
            episodes.iter().map(|e| e.3 as usize).sum::<usize>()
        );
    }

    #[test]
    fn without_stale_no_copy_is_served_and_the_rng_is_untouched() {
        let slate = slate();
        let (game, now) = nba(&slate);
        let mut faults = Faults::new(7);
        let mut reference = Faults::new(7);
        let key = board_key(game);
        for _ in 0..50 {
            assert_eq!(
                faults.stale(&config(false), StaleRoute::Scoreboard, &key, &[game], now),
                None
            );
        }
        assert_eq!(faults.rng.u64(..), reference.rng.u64(..));
    }
}
