//! The HTTP API (axum): the router, `/health`, the public `/api/v1` game routes and the
//! bearer-token guard for `/admin`. The scorer routes live in `scorers/routes.rs`, the live event
//! stream in `events/stream.rs`, the admin routes beside what they drive. Handlers share the state
//! of `http/state.rs` and answer errors with `http/error.rs`; route modules import those two
//! directly, never this file, so the router depends on its routes and not the other way round.
//! [`app`] builds the router apart from any socket, so handlers are tested in-process; [`serve`]
//! binds it and stops on a shutdown future.

pub mod error;
pub mod extract;
pub mod state;

use self::error::ApiError;
use self::extract::{Path, Query};
use self::state::{AppState, Stopping, on_store};
use axum::extract::DefaultBodyLimit;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use scoreline_core::model::GameStatus;
use scoreline_store::GameFilter;
use serde::Deserialize;
use serde_json::json;
use std::future::Future;
use std::net::SocketAddr;

/// The router: public routes, and `/admin` behind the bearer token.
pub fn app(state: AppState) -> Router {
    let admin = Router::new()
        .route("/admin/status", get(admin_status))
        .route("/admin/reload", post(crate::reload::route::route))
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
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(no_route)
        .with_state(state)
}

/// A path no route serves: 404 `{"error": "no route for GET /x"}`.
async fn no_route(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no route for {method} {}", uri.path()))
}

/// A route asked with a method it does not serve: 405 (axum adds the `Allow` header).
async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::MethodNotAllowed(format!("{method} is not allowed on {}", uri.path()))
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
        None => ApiError::NotFound("metrics are not enabled".into()).into_response(),
    }
}

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
    let unconfirmed = match on_store(&state.store, |s| s.unconfirmed_games()).await {
        Ok(games) => json!(games),
        Err(e) => json!({ "error": e.to_string() }),
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
        "scheduler": {
            "leagues": leagues,
            "leagues_with_errors": league_errors,
            "unconfirmed_games": unconfirmed,
        },
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
    /// At most this many games; any `u64` (past the store's own range it is no limit).
    limit: Option<u64>,
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
        limit: q.limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
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
