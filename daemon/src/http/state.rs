//! What every HTTP handler reaches: the shared [`AppState`], the adapter summary `/health` and
//! `/admin/status` list, the [`Stopping`] signal of a server shutting down, and [`on_store`], which
//! runs a store call on a blocking thread. The router (`http.rs`) and every route module import
//! these from here, so no route module depends on the router that mounts it.

use super::error::ApiError;
use crate::poller::StatusBoard;
use scoreline_store::{Store, StoreError};
use serde::Serialize;
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

/// Flips to `true` when `http::serve` starts shutting down: responses that never end by
/// themselves (the live event stream) end on it, so a graceful shutdown does not wait for them
/// forever. A router used without `serve` (tests) has none.
#[derive(Debug, Clone)]
pub struct Stopping(pub tokio::sync::watch::Receiver<bool>);

/// Run `f` on the store on a blocking thread; a store error or a failed task is an [`ApiError`].
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
