//! The HTTP API (axum): `/health`, the public `/api/v1` routes (the scorer routes live in
//! `scorers/routes.rs`, the live event stream in `events/stream.rs`) and the bearer-token guard
//! for `/admin`. [`app`] builds the router apart from any socket, so handlers are tested in-process;
//! [`serve`] binds it and stops on a shutdown future.

use crate::poller::StatusBoard;
use axum::extract::DefaultBodyLimit;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use scoreline_core::model::GameStatus;
use scoreline_store::{GameFilter, Store, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The embedded store.
    pub store: Store,
    /// League pollers' status.
    pub status: StatusBoard,
    /// Adapters loaded at start: name, version, hash. `/health` lists the swapper's current
    /// versions instead when there is one ([`AppState::adapters_now`]).
    pub adapters: Arc<Vec<AdapterSummary>>,
    /// Bearer token for `/admin`; `None` disables the admin routes.
    pub admin_token: Option<Arc<str>>,
    /// The upstream client, for its circuit breakers and cache; none in tests without one.
    pub fetcher: Option<crate::fetch::Fetcher>,
    /// Hot swap of the loaded adapters (`/admin/plugins`); none outside `scoreline run`.
    pub plugins: Option<crate::swap::Swapper>,
    /// Names of the configured `[[sinks]]` (their pending points are in `/health`).
    pub sinks: Arc<Vec<String>>,
    /// Config reload (`POST /admin/reload`); none outside `scoreline run`.
    pub reloader: Option<crate::reload::Reloader>,
    /// The leagues configured at start (adapter, zone, `[leagues.teams]`), for `POST
    /// /admin/schedule` when there is no reloader (which has them as reloaded).
    pub leagues: Arc<Vec<crate::config::LeagueConfig>>,
}

impl AppState {
    /// A state over `store` and nothing else: no pollers, adapters, upstream client, swapper,
    /// sinks or leagues, and the admin routes closed (no token). Fill in the rest with struct
    /// update syntax (`AppState { admin_token, ..AppState::new(store) }`).
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            status: StatusBoard::default(),
            adapters: Arc::new(Vec::new()),
            admin_token: None,
            fetcher: None,
            plugins: None,
            sinks: Arc::new(Vec::new()),
            leagues: Arc::new(Vec::new()),
            reloader: None,
        }
    }

    /// The adapters serving now: the swapper's current versions when there is one (so a hot
    /// swap shows at once), else the list taken at start.
    pub fn adapters_now(&self) -> Vec<AdapterSummary> {
        match &self.plugins {
            Some(swapper) => swapper
                .list()
                .into_iter()
                .map(|s| AdapterSummary {
                    name: s.name,
                    version: s.version,
                    sha256: s.sha256,
                    leagues: s.leagues,
                })
                .collect(),
            None => self.adapters.as_ref().clone(),
        }
    }
}

/// An adapter as `/health` lists it.
#[derive(Debug, Clone, Serialize)]
pub struct AdapterSummary {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// SHA-256 of the component.
    pub sha256: String,
    /// Leagues declared.
    pub leagues: Vec<String>,
}

/// A failed request, as JSON `{"error": "..."}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Nothing by that id.
    #[error("{0}")]
    NotFound(String),
    /// A bad query parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Missing or wrong bearer token.
    #[error("missing or invalid bearer token")]
    Unauthorized,
    /// The request conflicts with what exists.
    #[error("{0}")]
    Conflict(String),
    /// The store failed.
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// A blocking task failed.
    #[error("internal: {0}")]
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match &self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Store(StoreError::Ambiguous { .. }) => StatusCode::CONFLICT,
            ApiError::Store(_) | ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut response = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}

/// The router: public routes, and `/admin` behind the bearer token.
pub fn app(state: AppState) -> Router {
    let admin = Router::new()
        .route("/admin/status", get(admin_status))
        .route("/admin/reload", post(crate::reload::route))
        .route(
            "/admin/schedule",
            post(crate::schedule_ingest::upload).layer(DefaultBodyLimit::max(
                crate::schedule_ingest::MAX_SCHEDULE_BYTES,
            )),
        )
        .route(
            "/admin/webhooks",
            get(crate::webhooks::admin::list).post(crate::webhooks::admin::create),
        )
        .route(
            "/admin/webhooks/{name}",
            delete(crate::webhooks::admin::delete),
        )
        .route(
            "/admin/plugins",
            get(crate::swap::routes::list)
                .post(crate::swap::routes::upload)
                .layer(DefaultBodyLimit::max(crate::swap::routes::MAX_UPLOAD_BYTES)),
        )
        .route(
            "/admin/plugins/{name}/reload",
            post(crate::swap::routes::reload),
        )
        .route(
            "/admin/plugins/{name}/rollback",
            post(crate::swap::routes::rollback),
        )
        .route(
            "/admin/plugins/{name}/disable",
            post(crate::swap::routes::disable),
        )
        .route(
            "/admin/plugins/{name}/enable",
            post(crate::swap::routes::enable),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route("/api/openapi.json", get(openapi))
        .route("/api/v1/games", get(games))
        .route("/api/v1/games/{id}", get(game))
        .route(
            "/api/v1/games/{id}/scorers",
            get(crate::scorers::routes::scorers),
        )
        .route(
            "/api/v1/games/{id}/first-scorer",
            get(crate::scorers::routes::first_scorer),
        )
        .route(
            "/api/v1/games/{id}/players/{player}/scored",
            get(crate::scorers::routes::scored),
        )
        .route(
            "/api/v1/players/{id}/scoring-history",
            get(crate::scorers::routes::history),
        )
        .route("/api/v1/events/stream", get(crate::events::stream::stream))
        .merge(admin)
        .with_state(state)
}

/// The OpenAPI 3.1 document of this API, checked in as `docs/openapi.json`.
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// `GET /api/openapi.json`.
async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

/// `GET /metrics`: Prometheus text exposition; 404 when the recorder is not installed (the
/// daemon installs it at start).
async fn metrics() -> Response {
    match crate::metrics::render() {
        Some(text) => (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "metrics are not enabled\n").into_response(),
    }
}

/// Flips to `true` when [`serve`] starts shutting down: responses that never end by themselves
/// (the live event stream) end on it, so a graceful shutdown does not wait for them forever.
/// A router used without `serve` (tests) has none.
#[derive(Debug, Clone)]
pub struct Stopping(pub tokio::sync::watch::Receiver<bool>);

/// Serve `app` on `listener` until `shutdown` resolves; in-flight requests finish first, and
/// open event streams are ended.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stopping, stop_rx) = tokio::sync::watch::channel(false);
    let router = app(state).layer(axum::Extension(Stopping(stop_rx)));
    let shutdown = async move {
        shutdown.await;
        stopping.send_replace(true);
    };
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Bind `addr` (port 0 picks one) and report the bound address.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(tokio::net::TcpListener, SocketAddr)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

async fn require_token(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Request,
    next: Next,
) -> Response {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match (&state.admin_token, presented) {
        (Some(expected), Some(given))
            if constant_time_eq(expected.as_bytes(), given.as_bytes()) =>
        {
            next.run(request).await
        }
        _ => ApiError::Unauthorized.into_response(),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) async fn on_store<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, ApiError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::from)
}

/// How far back `/health` checks the scoring plays of updated games.
const HEALTH_QUALITY_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// How many scoring-quality issues `/health` lists (the count covers all).
const HEALTH_QUALITY_ISSUES: usize = 20;

async fn health(State(state): State<AppState>) -> Response {
    let store = on_store(&state.store, |s| s.health()).await;
    let names = state.sinks.clone();
    let sinks = match on_store(&state.store, move |s| s.sink_stats(&names)).await {
        Ok(stats) => json!(stats),
        Err(e) => json!({ "error": e.to_string() }),
    };
    let now = chrono::Utc::now();
    let quality = on_store(&state.store, move |s| {
        s.games_with_plays_between(
            now - HEALTH_QUALITY_WINDOW,
            now + chrono::TimeDelta::seconds(1),
        )
    })
    .await
    .map(|games| scoreline_core::scorers::quality(&games, now));
    let quality_json = match quality {
        Ok(mut q) => {
            let total = q.issues.len();
            q.issues.truncate(HEALTH_QUALITY_ISSUES);
            json!({
                "ok": q.games_with_issues == 0,
                "window_hours": HEALTH_QUALITY_WINDOW.num_hours(),
                "games_checked": q.games_checked,
                "games_with_issues": q.games_with_issues,
                "issues_total": total,
                "issues": q.issues,
            })
        }
        Err(e) => json!({ "ok": false, "error": e.to_string() }),
    };
    let leagues: Vec<_> = state
        .status
        .read()
        .map(|b| b.values().cloned().collect())
        .unwrap_or_default();
    let league_errors = leagues
        .iter()
        .filter(|l: &&crate::poller::LeagueStatus| l.last_error.is_some())
        .count();
    let (ok, store_json) = match store {
        Ok(h) => (true, json!({ "ok": true, "detail": h })),
        Err(e) => (false, json!({ "ok": false, "error": e.to_string() })),
    };
    let breakers = state
        .fetcher
        .as_ref()
        .map(crate::fetch::Fetcher::breakers)
        .unwrap_or_default();
    let open = breakers
        .iter()
        .filter(|b| b.state != scoreline_core::upstream::breaker::BreakerState::Closed)
        .count();
    let (cache_bytes, cache_entries) = state
        .fetcher
        .as_ref()
        .map_or((0, 0), crate::fetch::Fetcher::cache_usage);
    let status = if ok { "ok" } else { "degraded" };
    let body = json!({
        "status": status,
        "store": store_json,
        "scheduler": { "leagues": leagues, "leagues_with_errors": league_errors },
        "upstream": {
            "breakers": breakers,
            "breakers_not_closed": open,
            "cache": { "bytes": cache_bytes, "entries": cache_entries },
        },
        "adapters": state.adapters_now(),
        "sinks": sinks,
        "scoring_quality": quality_json,
    });
    let code = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(body)).into_response()
}

#[derive(Debug, Deserialize)]
struct GamesQuery {
    league: Option<String>,
    status: Option<String>,
    limit: Option<usize>,
}

async fn games(
    State(state): State<AppState>,
    Query(q): Query<GamesQuery>,
) -> Result<Response, ApiError> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some(s) => Some(s.parse::<GameStatus>().map_err(ApiError::BadRequest)?),
    };
    let filter = GameFilter {
        league: q.league.filter(|l| !l.is_empty()),
        status,
        limit: q.limit,
    };
    let rows = on_store(&state.store, move |s| s.games(&filter)).await?;
    let games: Vec<_> = rows.into_iter().map(|r| r.game).collect();
    Ok(Json(json!({ "games": games })).into_response())
}

#[derive(Debug, Deserialize)]
struct GameQuery {
    league: Option<String>,
}

async fn game(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<GameQuery>,
) -> Result<Response, ApiError> {
    let lookup = id.clone();
    let found = on_store(&state.store, move |s| {
        let Some(stored) = s.game(&lookup, q.league.as_deref())? else {
            return Ok(None);
        };
        let timeline = s.timeline(&stored.key)?;
        let plays = s.scoring_plays(&stored.key)?;
        Ok(Some((stored, timeline, plays)))
    })
    .await?;
    let Some((stored, timeline, plays)) = found else {
        return Err(ApiError::NotFound(format!("no game with id `{id}`")));
    };
    Ok(Json(json!({
        "game": stored.game,
        "adapter": stored.key.adapter,
        "updated_at": stored.updated_at,
        "timeline": timeline,
        "scoring_plays": plays,
    }))
    .into_response())
}

async fn admin_status(State(state): State<AppState>) -> Json<serde_json::Value> {
    let leagues: Vec<_> = state
        .status
        .read()
        .map(|b| b.values().cloned().collect())
        .unwrap_or_default();
    Json(json!({ "leagues": leagues, "adapters": state.adapters_now() }))
}
