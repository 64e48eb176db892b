//! Config reload (`SIGHUP`, `POST /admin/reload`) and the set of running league pollers it
//! changes. [`plan`] (pure) compares the running config with the file as it reads now; a
//! [`Reloader`] applies what a running daemon can change (leagues added, removed or
//! reconfigured: adapter, options, time zone, cadence, teams; the config's webhook
//! subscriptions) and reports the rest (store, plugin directory, sandbox, upstream, HTTP,
//! emulator, retention, sinks) as needing a restart. A file that does not parse, or a league no
//! loaded adapter serves, refuses the whole reload: nothing changes and the error says why.
//! The `POST /admin/reload` handler is `reload/route.rs`.

pub mod route;

use crate::blocking::{TaskFailed, blocking};
use crate::config::{Config, ConfigError, LeagueConfig};
use crate::fetch::Fetcher;
use crate::poller::{LeaguePoller, StatusBoard};
use crate::swap::Swapper;
use crate::webhooks::{ConfigSubscriptions, WebhookError};
use scoreline_core::clock::Clock;
use scoreline_store::{Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;

/// What a reload changes, or would change. Serialised as the answer to `POST /admin/reload`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReloadPlan {
    /// Leagues now polled that were not.
    pub leagues_added: Vec<String>,
    /// Leagues no longer polled (removed from the file, or disabled).
    pub leagues_removed: Vec<String>,
    /// Leagues still polled whose settings changed, with what changed.
    pub leagues_changed: Vec<LeagueChange>,
    /// Config webhook subscriptions added.
    pub subscriptions_added: Vec<String>,
    /// Config webhook subscriptions removed.
    pub subscriptions_removed: Vec<String>,
    /// Config webhook subscriptions whose settings changed.
    pub subscriptions_changed: Vec<String>,
    /// Sections that changed in the file but take effect only after a restart.
    pub restart_required: Vec<&'static str>,
}

/// One reconfigured league.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeagueChange {
    /// League key.
    pub league: String,
    /// Which settings changed: `adapter`, `timezone`, `options`, `cadence`, `teams`.
    pub changed: Vec<&'static str>,
}

impl ReloadPlan {
    /// Nothing a running daemon would apply (restart-only changes aside).
    pub fn applies_nothing(&self) -> bool {
        self.leagues_added.is_empty()
            && self.leagues_removed.is_empty()
            && self.leagues_changed.is_empty()
            && !self.subscriptions_differ()
    }

    fn subscriptions_differ(&self) -> bool {
        !(self.subscriptions_added.is_empty()
            && self.subscriptions_removed.is_empty()
            && self.subscriptions_changed.is_empty())
    }

    /// Leagues whose poller must be started afresh: new ones and those moved to another adapter.
    fn to_start(&self) -> impl Iterator<Item = &str> {
        self.leagues_added.iter().map(String::as_str).chain(
            self.leagues_changed
                .iter()
                .filter(|c| c.changed.contains(&"adapter"))
                .map(|c| c.league.as_str()),
        )
    }
}

/// What changed between the running config `old` and the file's `new`. Pure.
pub fn plan(old: &Config, new: &Config) -> ReloadPlan {
    let mut out = ReloadPlan::default();
    let leagues = by_name(&old.leagues, &new.leagues, |l| &l.key);
    out.leagues_added = leagues.added;
    out.leagues_removed = leagues.removed;
    out.leagues_changed = leagues
        .kept
        .into_iter()
        .filter_map(|(key, was, now)| {
            let changed = league_changes(was, now);
            (!changed.is_empty()).then_some(LeagueChange {
                league: key,
                changed,
            })
        })
        .collect();
    let subs = by_name(&old.webhooks, &new.webhooks, |s| &s.name);
    out.subscriptions_added = subs.added;
    out.subscriptions_removed = subs.removed;
    out.subscriptions_changed = subs
        .kept
        .into_iter()
        .filter(|(_, was, now)| was != now)
        .map(|(name, _, _)| name)
        .collect();

    let restart = [
        ("data_dir", old.data_dir != new.data_dir),
        ("plugin_dir", old.plugin_dir != new.plugin_dir),
        ("sandbox", old.sandbox != new.sandbox),
        ("upstream", old.upstream != new.upstream),
        ("http", old.http != new.http),
        ("emulator", old.emulator != new.emulator),
        ("retention", old.retention != new.retention),
        ("sinks", old.sinks != new.sinks),
    ];
    out.restart_required = restart
        .into_iter()
        .filter(|(_, differs)| *differs)
        .map(|(name, _)| name)
        .collect();
    out
}

/// Two lists matched by name: names only in `new`, names only in `old`, and the pairs in both,
/// each in name order.
struct ByName<'a, T> {
    added: Vec<String>,
    removed: Vec<String>,
    kept: Vec<(String, &'a T, &'a T)>,
}

fn by_name<'a, T>(old: &'a [T], new: &'a [T], name: impl Fn(&T) -> &String) -> ByName<'a, T> {
    let before: BTreeMap<&String, &T> = old.iter().map(|t| (name(t), t)).collect();
    let after: BTreeMap<&String, &T> = new.iter().map(|t| (name(t), t)).collect();
    let mut out = ByName {
        added: Vec::new(),
        removed: Vec::new(),
        kept: Vec::new(),
    };
    for (n, now) in &after {
        match before.get(n) {
            Some(was) => out.kept.push(((*n).clone(), *was, *now)),
            None => out.added.push((*n).clone()),
        }
    }
    out.removed = before
        .keys()
        .filter(|n| !after.contains_key(*n))
        .map(|n| (*n).clone())
        .collect();
    out
}

fn league_changes(old: &LeagueConfig, new: &LeagueConfig) -> Vec<&'static str> {
    [
        ("adapter", old.adapter != new.adapter),
        ("timezone", old.timezone != new.timezone),
        ("options", old.options != new.options),
        ("cadence", old.cadence != new.cadence),
        ("teams", old.teams != new.teams),
    ]
    .into_iter()
    .filter(|(_, differs)| *differs)
    .map(|(name, _)| name)
    .collect()
}

/// A reload that did not happen; the running config is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The daemon runs on built-in defaults: there is no file to read again.
    #[error("the daemon was started without a config file; there is nothing to reload")]
    NoFile,
    /// The file does not read or parse.
    #[error("the config file is refused, nothing changed: {0}")]
    Config(#[from] ConfigError),
    /// Leagues that could not be polled as configured.
    #[error("the config file is refused, nothing changed: {}", .0.join("; "))]
    Leagues(Vec<String>),
    /// The store failed while preparing a league.
    #[error("reload failed, nothing changed: {0}")]
    Store(#[from] StoreError),
    /// The webhook subscriptions could not be put in force.
    #[error("reload failed, nothing changed: {0}")]
    Webhooks(#[from] WebhookError),
    /// A blocking step did not finish.
    #[error(transparent)]
    Task(#[from] TaskFailed),
    /// The daemon is stopping: its pollers are gone and none may start.
    #[error("the daemon is shutting down; nothing was reloaded")]
    ShuttingDown,
}

impl ReloadError {
    /// The operator's mistake (a bad file) rather than a fault of the daemon.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ReloadError::NoFile | ReloadError::Config(_) | ReloadError::Leagues(_)
        )
    }
}

/// What a league poller needs besides its config.
#[derive(Clone)]
pub struct PollerDeps {
    /// Adapters, through their hot-swap slots.
    pub swapper: Swapper,
    /// The upstream client.
    pub fetcher: Fetcher,
    /// The store.
    pub store: Store,
    /// Status shared with the HTTP API.
    pub status: StatusBoard,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

impl PollerDeps {
    /// A poller for `league`, resuming from the store; not yet running. Blocking (reads the
    /// store). The error names the league and what is wrong.
    pub fn prepare(&self, league: &LeagueConfig) -> Result<LeaguePoller, String> {
        let slot = self
            .swapper
            .slot(&league.adapter)
            .map_err(|_| {
                format!(
                    "league `{}`: adapter `{}` is not loaded",
                    league.key, league.adapter
                )
            })?
            .clone();
        if !slot.current().serves(&league.key) {
            return Err(format!(
                "league `{}`: adapter `{}` does not serve it",
                league.key, league.adapter
            ));
        }
        LeaguePoller::new(
            league.clone(),
            slot,
            self.fetcher.clone(),
            self.store.clone(),
            self.status.clone(),
            self.clock.now(),
        )
        .map_err(|e| format!("league `{}`: {e}", league.key))
    }
}

/// One running league poller and its controls.
struct Running {
    adapter: String,
    config: watch::Sender<LeagueConfig>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// The league pollers running now, by league key.
pub struct Fleet {
    deps: PollerDeps,
    running: BTreeMap<String, Running>,
}

impl Fleet {
    /// No pollers yet.
    pub fn new(deps: PollerDeps) -> Fleet {
        Fleet {
            deps,
            running: BTreeMap::new(),
        }
    }

    /// Leagues polled now.
    pub fn leagues(&self) -> Vec<String> {
        self.running.keys().cloned().collect()
    }

    /// Run a prepared poller (replacing nothing: stop the league's old poller first).
    pub fn launch(&mut self, poller: LeaguePoller, league: LeagueConfig) {
        let (config, updates) = watch::channel(league.clone());
        let (stop, stopped) = watch::channel(false);
        let task =
            tokio::spawn(poller.run_following(self.deps.clock.clone(), stopped, Some(updates)));
        self.running.insert(
            league.key.clone(),
            Running {
                adapter: league.adapter,
                config,
                stop,
                task,
            },
        );
    }

    /// Hand a reconfigured league (same adapter) to its poller, for its next round.
    fn update(&self, league: &LeagueConfig) {
        if let Some(r) = self.running.get(&league.key) {
            r.config.send_replace(league.clone());
        }
    }

    /// Stop one league's poller after its round in progress, and drop its status.
    async fn stop(&mut self, key: &str, grace: Duration) {
        if let Some(r) = self.running.remove(key) {
            let _ = r.stop.send(true);
            join(key, r.task, grace).await;
            let mut board = self.deps.status.write().unwrap_or_else(|e| e.into_inner());
            board.remove(key);
        }
    }

    /// Stop every poller, letting each finish its round within `grace`.
    pub async fn shutdown(&mut self, grace: Duration) {
        for r in self.running.values() {
            let _ = r.stop.send(true);
        }
        let deadline = tokio::time::Instant::now() + grace;
        for (key, r) in std::mem::take(&mut self.running) {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            join(&key, r.task, left).await;
        }
    }

    /// The configured leagues each adapter serves now (what a swap must keep serving).
    pub fn served(&self) -> BTreeMap<String, Vec<String>> {
        let mut served: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (key, r) in &self.running {
            served
                .entry(r.adapter.clone())
                .or_default()
                .push(key.clone());
        }
        served
    }
}

impl Drop for Fleet {
    /// Pollers not stopped in order (`run` returning early on a start-up error) are aborted
    /// rather than left running detached.
    fn drop(&mut self) {
        for r in self.running.values() {
            r.task.abort();
        }
    }
}

async fn join(key: &str, mut task: JoinHandle<()>, grace: Duration) {
    match tokio::time::timeout(grace, &mut task).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!(league = %key, error = %e, "poller task failed"),
        Err(_) => {
            tracing::warn!(league = %key, ?grace, "poller did not stop in time; aborted");
            task.abort();
        }
    }
}

/// How long a removed league's poller may take to finish its round.
const STOP_GRACE: Duration = Duration::from_secs(20);

struct Applied {
    config: Config,
    fleet: Fleet,
    /// Set by shutdown: a reload queued behind it must not start pollers again.
    closed: bool,
}

/// Re-reads the config file and applies it to the running daemon; one reload at a time.
#[derive(Clone)]
pub struct Reloader {
    inner: Arc<ReloaderInner>,
}

struct ReloaderInner {
    state: Mutex<Applied>,
    subscriptions: ConfigSubscriptions,
}

impl std::fmt::Debug for Reloader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reloader").finish_non_exhaustive()
    }
}

impl Reloader {
    /// A reloader over the daemon started from `config`, running `fleet`'s pollers and
    /// delivering to `subscriptions`.
    pub fn new(config: Config, fleet: Fleet, subscriptions: ConfigSubscriptions) -> Reloader {
        Reloader {
            inner: Arc::new(ReloaderInner {
                state: Mutex::new(Applied {
                    config,
                    fleet,
                    closed: false,
                }),
                subscriptions,
            }),
        }
    }

    /// The leagues as configured now (a reload replaces them).
    pub async fn league_configs(&self) -> Vec<LeagueConfig> {
        self.inner.state.lock().await.config.leagues.clone()
    }

    /// Stop every league poller, letting each finish its round within `grace` (shutdown).
    pub async fn shutdown(&self, grace: Duration) {
        let mut state = self.inner.state.lock().await;
        state.closed = true;
        state.fleet.shutdown(grace).await;
    }

    /// Read the config file again and apply what changed; all or nothing.
    pub async fn reload(&self) -> Result<ReloadPlan, ReloadError> {
        let mut state = self.inner.state.lock().await;
        let result = self.read_and_apply(&mut state).await;
        crate::metrics::config_reload(match &result {
            Ok(_) => "applied",
            Err(e) if e.is_refusal() => "refused",
            Err(_) => "failed",
        });
        match &result {
            Ok(plan) => {
                tracing::info!(
                    added = ?plan.leagues_added,
                    removed = ?plan.leagues_removed,
                    changed = ?plan.leagues_changed.iter().map(|c| &c.league).collect::<Vec<_>>(),
                    subscriptions_added = ?plan.subscriptions_added,
                    subscriptions_removed = ?plan.subscriptions_removed,
                    subscriptions_changed = ?plan.subscriptions_changed,
                    "config reloaded"
                );
                if !plan.restart_required.is_empty() {
                    tracing::warn!(sections = ?plan.restart_required, "config changes that take effect only after a restart were not applied");
                }
            }
            Err(e) => tracing::error!(error = %e, "config reload not applied"),
        }
        result
    }

    /// The plan from the file to what runs, applied.
    async fn read_and_apply(&self, state: &mut Applied) -> Result<ReloadPlan, ReloadError> {
        if state.closed {
            return Err(ReloadError::ShuttingDown);
        }
        let path = state.config.source.clone().ok_or(ReloadError::NoFile)?;
        let new = blocking(move || Config::load(Some(&path))).await??;
        // Compared with what runs: a league configured but not polled (it could not start, say
        // its adapter did not serve it then) counts as added, so a reload retries it.
        let mut running = state.config.clone();
        let polled = state.fleet.leagues();
        running.leagues.retain(|l| polled.contains(&l.key));
        let plan = self::plan(&running, &new);
        self.apply(state, new, &plan).await?;
        Ok(plan)
    }

    async fn apply(
        &self,
        state: &mut Applied,
        new: Config,
        plan: &ReloadPlan,
    ) -> Result<(), ReloadError> {
        let leagues: BTreeMap<String, LeagueConfig> = new
            .leagues
            .iter()
            .map(|l| (l.key.clone(), l.clone()))
            .collect();
        // Everything that can fail happens before anything changes: new pollers are prepared
        // (adapter loaded and serving, state read from the store) and subscriptions checked.
        let starting: Vec<LeagueConfig> = plan
            .to_start()
            .filter_map(|k| leagues.get(k).cloned())
            .collect();
        let mut prepared = Vec::new();
        let mut problems = Vec::new();
        for league in starting {
            let fleet_deps = state.fleet.deps.clone();
            let l = league.clone();
            let made = blocking(move || fleet_deps.prepare(&l)).await?;
            match made {
                Ok(poller) => prepared.push((poller, league)),
                Err(problem) => problems.push(problem),
            }
        }
        if !problems.is_empty() {
            return Err(ReloadError::Leagues(problems));
        }
        if plan.subscriptions_differ() {
            let store = state.fleet.deps.store.clone();
            let subs = self.inner.subscriptions.clone();
            let wanted = new.webhooks.clone();
            let now = state.fleet.deps.clock.now();
            blocking(move || subs.replace(&store, wanted, now)).await??;
        }

        // Apply: stop what goes, start what comes, hand new settings to the rest.
        for key in &plan.leagues_removed {
            state.fleet.stop(key, STOP_GRACE).await;
        }
        for (poller, league) in prepared {
            state.fleet.stop(&league.key, STOP_GRACE).await;
            state.fleet.launch(poller, league);
        }
        for change in &plan.leagues_changed {
            if let Some(league) = leagues.get(&change.league)
                && !change.changed.contains(&"adapter")
            {
                state.fleet.update(league);
            }
        }
        state.fleet.deps.swapper.set_leagues(state.fleet.served());
        // Only what was applied becomes the running config; restart-only sections stay as
        // they run, so a later reload still reports them.
        state.config.leagues = new.leagues;
        state.config.webhooks = new.webhooks;
        Ok(())
    }
}

/// `SIGHUP`s as they arrive, registered as early as `run` starts: a hangup during start-up (a
/// `systemctl reload` while components compile) is then held for the reloader instead of taking
/// the signal's default action, which ends the process.
pub struct Hangups {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

impl Hangups {
    /// Start catching `SIGHUP` (on Unix; elsewhere there is none).
    pub fn listen() -> Hangups {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signal = match signal(SignalKind::hangup()) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGHUP; reload the config through POST /admin/reload");
                    None
                }
            };
            Hangups { signal }
        }
        #[cfg(not(unix))]
        {
            Hangups {}
        }
    }

    /// The next `SIGHUP`; never, when there is no signal to wait for.
    async fn next(&mut self) -> Option<()> {
        #[cfg(unix)]
        if let Some(s) = self.signal.as_mut() {
            return s.recv().await;
        }
        std::future::pending().await
    }
}

/// Reload on every `SIGHUP` until `stop` turns true. Each outcome is logged.
pub async fn on_sighup(reloader: Reloader, mut hangups: Hangups, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            got = hangups.next() => {
                if got.is_none() {
                    break;
                }
                tracing::info!("SIGHUP: reloading the config");
                // The outcome is logged (and counted) by `reload`.
                let _ = reloader.reload().await;
            }
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> Config {
        match Config::parse(Path::new("test.toml"), text, |_| None) {
            Ok(c) => c,
            Err(e) => panic!("{e}"),
        }
    }

    const BASE: &str = r#"
[[leagues]]
key = "nfl"
adapter = "espn"
timezone = "America/New_York"

[[leagues]]
key = "nhl"
adapter = "espn"
timezone = "America/New_York"
[leagues.cadence]
live_secs = 10

[[webhooks]]
name = "ha"
url = "https://ha.example.com/hook"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
types = ["score.changed"]
"#;

    #[tokio::test]
    async fn no_reload_after_shutdown() {
        let store = match Store::open_in_memory() {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let sandbox = match crate::sandbox::Sandbox::new(Default::default()) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        };
        let clock: Arc<dyn Clock> = Arc::new(scoreline_core::clock::SystemClock);
        let fetcher = match Fetcher::new(parse("").upstream, None, clock.clone()) {
            Ok(f) => f,
            Err(e) => panic!("{e}"),
        };
        let deps = PollerDeps {
            swapper: Swapper::new(sandbox, "plugins".into(), [], BTreeMap::new()),
            fetcher,
            store,
            status: StatusBoard::default(),
            clock,
        };
        let mut config = parse(BASE);
        config.source = Some("scoreline.toml".into());
        let reloader = Reloader::new(config, Fleet::new(deps), ConfigSubscriptions::default());
        reloader.shutdown(Duration::from_secs(1)).await;
        let err = reloader.reload().await.err();
        assert!(matches!(err, Some(ReloadError::ShuttingDown)), "{err:?}");
    }

    #[test]
    fn the_same_file_changes_nothing() {
        let p = plan(&parse(BASE), &parse(BASE));
        assert_eq!(p, ReloadPlan::default());
        assert!(p.applies_nothing());
    }

    #[test]
    fn leagues_added_removed_and_reconfigured_are_named_with_what_changed() {
        let new = BASE
            .replace(
                "key = \"nfl\"\nadapter = \"espn\"\ntimezone = \"America/New_York\"",
                "key = \"nba\"\nadapter = \"espn\"\ntimezone = \"America/Chicago\"",
            )
            .replace("live_secs = 10", "live_secs = 5")
            .replace(
                "key = \"nhl\"\nadapter = \"espn\"\ntimezone = \"America/New_York\"",
                "key = \"nhl\"\nadapter = \"nhl-api\"\ntimezone = \"America/Toronto\"",
            );
        let p = plan(&parse(BASE), &parse(&new));
        assert_eq!(p.leagues_added, ["nba"]);
        assert_eq!(p.leagues_removed, ["nfl"]);
        assert_eq!(
            p.leagues_changed,
            [LeagueChange {
                league: "nhl".into(),
                changed: vec!["adapter", "timezone", "cadence"],
            }]
        );
        assert_eq!(p.to_start().collect::<Vec<_>>(), ["nba", "nhl"]);
        assert!(p.restart_required.is_empty());
        assert!(!p.subscriptions_differ());
    }

    #[test]
    fn subscriptions_are_compared_by_name_and_settings() {
        let changed = BASE.replace("[\"score.changed\"]", "[\"score.changed\", \"game.final\"]")
            + r#"
[[webhooks]]
name = "newsroom"
url = "https://news.example.com/hook"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
"#;
        let p = plan(&parse(BASE), &parse(&changed));
        assert_eq!(p.subscriptions_added, ["newsroom"]);
        assert_eq!(p.subscriptions_changed, ["ha"]);
        assert!(p.subscriptions_removed.is_empty());
        assert!(p.leagues_changed.is_empty());
        let p = plan(&parse(&changed), &parse(BASE));
        assert_eq!(p.subscriptions_removed, ["newsroom"]);
        assert!(!p.applies_nothing());
    }

    #[test]
    fn sections_a_running_daemon_cannot_change_are_reported_for_a_restart() {
        let new = format!(
            "data_dir = \"/var/lib/elsewhere\"\n[http]\nlisten = \"127.0.0.1:9999\"\n\
             [upstream]\ntimeout_ms = 1234\n[retention]\nupstream_calls = \"3d\"\n{BASE}"
        );
        let p = plan(&parse(BASE), &parse(&new));
        assert_eq!(
            p.restart_required,
            ["data_dir", "upstream", "http", "retention"]
        );
        assert!(p.applies_nothing());
    }
}
