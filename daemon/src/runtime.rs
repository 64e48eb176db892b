//! `scoreline run`: wire the store, the sandbox and its adapters, the emulator (when configured),
//! the fetcher, one poller task per league, the housekeeping task and the HTTP API; then wait for
//! the duration or a signal and shut down in order (pollers finish their round, HTTP drains, the
//! store checkpoints).

use crate::config::Config;
use crate::fetch::recording::{Recorder, RecordingError, Replay};
use crate::fetch::{Fetcher, Upstream};
use crate::http;
use crate::http::state::{AdapterSummary, AppState};
use crate::poller::StatusBoard;
use crate::registry::Registry;
use crate::reload::{Fleet, PollerDeps, Reloader};
use crate::sandbox::{LoadError, Sandbox};
use crate::swap::{AdapterSlot, Swapper};
use crate::webhooks::ConfigSubscriptions;
use scoreline_core::clock::Clock;
use scoreline_emulator::Emulator;
use scoreline_store::{Store, StoreError};
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How long shutdown waits for pollers to finish their round.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// The daemon could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sandbox or the plugin directory failed.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The emulator could not start.
    #[error("emulator: {0}")]
    Emulator(String),
    /// The upstream client could not be built.
    #[error("upstream client: {0}")]
    Fetch(#[from] crate::fetch::FetchError),
    /// The HTTP listener could not bind.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// No league could be polled.
    #[error("no league can be polled: {0}")]
    NothingToPoll(String),
    /// The recording to write or replay failed.
    #[error(transparent)]
    Recording(#[from] RecordingError),
    /// A sink could not start.
    #[error(transparent)]
    Sink(#[from] crate::influx::sink::SinkStartError),
    /// The webhook worker could not start.
    #[error(transparent)]
    Webhooks(#[from] crate::webhooks::WebhookError),
}

/// Where upstream responses come from and go, for one run.
#[derive(Debug, Default)]
pub struct RunOptions {
    /// Append every upstream response to a recording in this folder.
    pub record: Option<std::path::PathBuf>,
    /// Serve upstream responses from this recording instead of the network (no emulator is
    /// started; the clock should be a replay clock starting at the recording's start).
    pub replay: Option<Arc<Replay>>,
}

/// How `run` ended.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Leagues polled.
    pub leagues: Vec<String>,
    /// The HTTP address served, if any.
    pub http: Option<SocketAddr>,
}

/// Start everything, run until `stop` resolves, then shut down in order.
pub async fn run(
    config: Config,
    options: RunOptions,
    clock: Arc<dyn Clock>,
    stop: impl std::future::Future<Output = ()>,
    on_ready: impl FnOnce(&RunSummary),
) -> Result<RunSummary, RunError> {
    crate::metrics::install();
    let hangups = crate::reload::Hangups::listen();
    let store = Store::open(&config.data_dir)?;
    // Before any poller records anything: with sinks, every commit also fills the point outbox.
    store.enable_point_outbox(!config.sinks.is_empty());
    let sandbox = Sandbox::new(config.sandbox.clone())?;
    let (registry, load_errors) = Registry::load_dir_blocking(&sandbox, &config.plugin_dir).await?;
    if registry.is_empty() {
        let hint = format!(
            "no adapter loaded from `{}` ({} failed); run `scoreline plugin build` first",
            config.plugin_dir.display(),
            load_errors.len()
        );
        return Err(RunError::NothingToPoll(hint));
    }
    let emulator = match &config.emulator {
        Some(_) if options.replay.is_some() => {
            tracing::info!("replaying a recording: the emulator is not started");
            None
        }
        Some(ec) => {
            let e = Emulator::start(ec.clone(), clock.clone())
                .await
                .map_err(|e| RunError::Emulator(e.to_string()))?;
            tracing::info!(url = %e.base_url(), games = e.slate().games().len(), "upstream emulator serving");
            Some(e)
        }
        None => None,
    };
    let recorder = match &options.record {
        Some(dir) => {
            let r = Recorder::create(dir)?;
            tracing::info!(dir = %dir.display(), "recording every upstream response");
            Some(r)
        }
        None => None,
    };
    let upstream = match &options.replay {
        Some(replay) => {
            tracing::info!(responses = replay.len(), from = %replay.start(), to = %replay.end(), "replaying a recording; no network");
            Upstream::Replay(replay.clone())
        }
        None => Upstream::Network {
            emulator: emulator.as_ref().map(Emulator::base_url),
        },
    };
    let fetcher = Fetcher::open(config.upstream.clone(), upstream, recorder, clock.clone())?;
    let status = StatusBoard::default();
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    // One slot per loaded adapter: pollers read the current version from it each round, and the
    // swapper replaces it (file watch, admin API) without a restart.
    let slots = registry.iter().map(|a| AdapterSlot::new(a.clone()));
    let swapper = Swapper::new(
        sandbox.clone(),
        config.plugin_dir.clone(),
        slots,
        BTreeMap::new(),
    );
    let deps = PollerDeps {
        swapper: swapper.clone(),
        fetcher: fetcher.clone(),
        store: store.clone(),
        status: status.clone(),
        clock: clock.clone(),
    };
    let mut fleet = Fleet::new(deps.clone());
    for league in &config.leagues {
        match deps.prepare(league) {
            Ok(poller) => fleet.launch(poller, league.clone()),
            Err(problem) => tracing::error!("{problem}; league skipped"),
        }
    }
    let leagues = fleet.leagues();
    if leagues.is_empty() {
        return Err(RunError::NothingToPoll(
            "no enabled league has a loaded adapter that serves it".into(),
        ));
    }
    swapper.set_leagues(fleet.served());
    match crate::swap::watch::spawn(
        swapper.clone(),
        &config.plugin_dir,
        crate::swap::watch::DEBOUNCE,
        stop_rx.clone(),
    ) {
        Ok(watching) => {
            tasks.spawn(async move {
                if let Err(e) = watching.await {
                    tracing::warn!(error = %e, "plugin directory watch task failed");
                }
            });
        }
        Err(e) => {
            tracing::warn!(error = %e, dir = %config.plugin_dir.display(), "cannot watch the plugin directory; reload adapters through POST /admin/plugins/NAME/reload")
        }
    }
    tasks.spawn(crate::housekeeping::run(
        store.clone(),
        config.retention,
        clock.clone(),
        stop_rx.clone(),
    ));
    // Sinks stop after the pollers (their own signal), so the last round's points go out too.
    let (sink_stop_tx, sink_stop_rx) = watch::channel(false);
    let mut sink_tasks = JoinSet::new();
    crate::influx::sink::start_all(
        &config.sinks,
        &store,
        &clock,
        &sink_stop_rx,
        &mut sink_tasks,
    )?;
    let subscriptions = ConfigSubscriptions::new(config.webhooks.clone());
    tasks.spawn(crate::webhooks::start(
        store.clone(),
        subscriptions.clone(),
        clock.clone(),
        crate::webhooks::WorkerOptions::default(),
        stop_rx.clone(),
    )?);
    // The pollers belong to the reloader from here: SIGHUP and POST /admin/reload change them.
    let reloader = Reloader::new(config.clone(), fleet, subscriptions);
    tasks.spawn(crate::reload::on_sighup(
        reloader.clone(),
        hangups,
        stop_rx.clone(),
    ));

    let mut http_addr = None;
    let mut http_task = None;
    if config.http.enabled {
        let (listener, addr) =
            http::bind(config.http.listen)
                .await
                .map_err(|source| RunError::Bind {
                    addr: config.http.listen,
                    source,
                })?;
        let state = AppState {
            store: store.clone(),
            status: status.clone(),
            fetcher: Some(fetcher.clone()),
            adapters: Arc::new(
                registry
                    .iter()
                    .map(|a| AdapterSummary {
                        name: a.info().name.clone(),
                        version: a.info().version.clone(),
                        sha256: a.hash().to_owned(),
                        leagues: a.info().leagues.clone(),
                    })
                    .collect(),
            ),
            admin_token: config.http.admin_token.as_deref().map(Arc::from),
            plugins: Some(swapper.clone()),
            reloader: Some(reloader.clone()),
            sinks: Arc::new(config.sinks.iter().map(|s| s.name.clone()).collect()),
            leagues: Arc::new(config.leagues.clone()),
        };
        let mut rx = stop_rx.clone();
        let shutdown = async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        tracing::info!(%addr, "HTTP API listening");
        http_addr = Some(addr);
        http_task = Some(tokio::spawn(http::serve(listener, state, shutdown)));
    }
    let summary = RunSummary {
        leagues,
        http: http_addr,
    };
    on_ready(&summary);

    stop.await;
    tracing::info!("shutting down: letting pollers finish their round");
    let _ = stop_tx.send(true);
    let started = tokio::time::Instant::now();
    reloader.shutdown(SHUTDOWN_GRACE).await;
    let left = SHUTDOWN_GRACE.saturating_sub(started.elapsed());
    let drained =
        tokio::time::timeout(left, async { while tasks.join_next().await.is_some() {} }).await;
    if drained.is_err() {
        tracing::warn!(
            "background tasks did not stop within {:?}; aborting them",
            SHUTDOWN_GRACE
        );
        tasks.abort_all();
    }
    if !sink_tasks.is_empty() {
        let budget = config
            .sinks
            .iter()
            .map(|s| s.shutdown_timeout)
            .max()
            .unwrap_or_default()
            + Duration::from_secs(2);
        tracing::info!(?budget, "forwarding what the sinks have pending");
        let _ = sink_stop_tx.send(true);
        let drained = tokio::time::timeout(budget, async {
            while sink_tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            tracing::warn!("sinks did not stop within {budget:?}; aborting them");
            sink_tasks.abort_all();
        }
    }
    if let Some(t) = http_task {
        match t.await {
            Ok(Err(e)) => tracing::warn!(error = %e, "HTTP server ended with an error"),
            Err(e) => tracing::warn!(error = %e, "HTTP server task failed"),
            Ok(Ok(())) => {}
        }
    }
    if let Some(e) = emulator {
        e.shutdown().await;
    }
    let store_for_checkpoint = store.clone();
    match tokio::task::spawn_blocking(move || store_for_checkpoint.checkpoint()).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "store checkpoint failed"),
        Err(e) => tracing::warn!(error = %e, "store checkpoint task failed"),
    }
    tracing::info!("stopped");
    Ok(summary)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(
            tokio::signal::unix::SignalKind::terminate(),
        ) {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only SIGINT stops the daemon");
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
