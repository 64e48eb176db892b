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

use super::espn::{self, Tweaks};
use super::slate::{Phase, Slate, state_at};
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

/// Queued faults, the fault RNG and what the random faults have already done.
struct Faults {
    rng: fastrand::Rng,
    queue: VecDeque<Fault>,
    glitched: BTreeSet<String>,
    dropped: bool,
}

impl Faults {
    fn new(seed: u64) -> Self {
        Faults {
            rng: fastrand::Rng::with_seed(seed ^ 0x5EED_FA17),
            queue: VecDeque::new(),
            glitched: BTreeSet::new(),
            dropped: false,
        }
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
    fn board(
        &mut self,
        config: &EmulatorConfig,
        games: &[&super::slate::Game],
        now: DateTime<Utc>,
    ) -> Tweaks {
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
    let tweaks = shared.faults().board(&shared.config, &games, now);
    if !tweaks.zeroed.is_empty() || !tweaks.omitted.is_empty() {
        tracing::debug!(league, zeroed = ?tweaks.zeroed, omitted = ?tweaks.omitted, "emulator glitch injected");
    }
    let league = teams::league(sport, &league);
    let body = espn::scoreboard(league.as_ref(), &games, range, now, &tweaks);
    json(StatusCode::OK, &body, malformed, shared.config.max_age)
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
    if shared.faults().take(&game.id, glitch_of) {
        tracing::debug!(game_id = %game.id, "emulator glitch injected");
        tweaks.zeroed.insert(game.id.clone());
    }
    json(
        StatusCode::OK,
        &espn::summary(game, now, &tweaks),
        malformed,
        shared.config.max_age,
    )
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
