//! The outbox worker `scoreline run` starts: it tails the event log from the cursor kept in the
//! store, turns each event into deliveries for the subscriptions it matches (committing them and
//! the cursor in one transaction before anything is sent), sends due deliveries concurrently,
//! records each attempt, schedules retries and disables endpoints that answer 410 or keep
//! failing. On start it first sends whatever is pending: deliveries committed but never
//! confirmed before a crash go out again with the same `webhook-id`.

use super::error::WebhookError;
use super::sender::{self, AttemptResult, Sender};
use arc_swap::ArcSwap;
use chrono::{DateTime, Utc};
use scoreline_core::clock::Clock;
use scoreline_core::events::{EventFilter, EventType, LoggedEvent};
use scoreline_core::webhooks::policy::{self, FailureRule, Outcome, Quotas};
use scoreline_core::webhooks::sign;
use scoreline_core::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
use scoreline_store::{AttemptRecord, Delivery, DeliveryState, NewDelivery, Store, StoreError};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;

/// How the worker runs. The defaults are the daemon's; tests shorten the schedule.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Delays after each failed attempt (see [`policy::RETRY_SCHEDULE`]).
    pub retry_schedule: Vec<Duration>,
    /// How often the event log and the outbox are looked at when idle: for retries falling due
    /// and for events committed by another process (a commit through this store wakes the worker
    /// at once).
    pub poll_interval: Duration,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// Most attempts in flight at once.
    pub max_in_flight: usize,
    /// Most events turned into deliveries per transaction.
    pub batch: usize,
    /// When an endpoint is disabled for failing.
    pub failure_rule: FailureRule,
    /// On shutdown, how long attempts in flight may finish (the rest stay pending and are sent
    /// again on the next start).
    pub shutdown_grace: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            retry_schedule: policy::RETRY_SCHEDULE.to_vec(),
            poll_interval: Duration::from_millis(100),
            timeout: sender::TIMEOUT,
            max_in_flight: 32,
            batch: 500,
            failure_rule: FailureRule::default(),
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// How far back sent events are read at start for cooldowns and daily limits (the longest
/// cooldown is a week).
const HISTORY: chrono::Duration = chrono::Duration::days(8);

/// The config file's subscriptions, as the worker reads them on every look at the log. A config
/// reload [`replace`](Self::replace)s them: events not yet turned into deliveries go to the new
/// set; deliveries already committed keep their subscription.
#[derive(Debug, Clone, Default)]
pub struct ConfigSubscriptions(Arc<ArcSwap<Vec<Subscription>>>);

impl ConfigSubscriptions {
    /// A shared list holding `subs`.
    pub fn new(subs: Vec<Subscription>) -> ConfigSubscriptions {
        ConfigSubscriptions(Arc::new(ArcSwap::from_pointee(subs)))
    }

    /// The list in force.
    pub fn current(&self) -> Arc<Vec<Subscription>> {
        self.0.load_full()
    }

    /// Mirror `subs` into the store (so the admin API lists them and refuses to change them),
    /// then put them in force. Blocking (one store transaction). Returns the names of
    /// subscriptions added through the API that a config one of the same name took over.
    pub fn replace(
        &self,
        store: &Store,
        subs: Vec<Subscription>,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>, WebhookError> {
        let mirror: Vec<(String, String)> = subs
            .iter()
            .map(|s| Ok((s.name.clone(), serde_json::to_string(&s.spec.redacted())?)))
            .collect::<Result<_, serde_json::Error>>()?;
        let taken = store.sync_config_webhooks(&mirror, now)?;
        for name in &taken {
            tracing::warn!(subscription = %name, "webhook subscription added through the API is replaced by the config's of the same name");
        }
        self.0.store(Arc::new(subs));
        Ok(taken)
    }
}

impl From<Vec<Subscription>> for ConfigSubscriptions {
    fn from(subs: Vec<Subscription>) -> Self {
        ConfigSubscriptions::new(subs)
    }
}

/// Prepare the worker: mirror the config's subscriptions into the store, load what was sent
/// recently (cooldowns, daily limits) and build the HTTP clients. The returned future runs until
/// `shutdown` turns true.
pub fn start(
    store: Store,
    config: impl Into<ConfigSubscriptions>,
    clock: Arc<dyn Clock>,
    options: WorkerOptions,
    shutdown: watch::Receiver<bool>,
) -> Result<impl Future<Output = ()> + Send + 'static, WebhookError> {
    let now = clock.now();
    let config: ConfigSubscriptions = config.into();
    config.replace(&store, config.current().to_vec(), now)?;
    let mut quotas = Quotas::default();
    for (sub, game, kind, at) in store.webhook_history(now - HISTORY)? {
        if let Ok(kind) = kind.parse::<EventType>() {
            let counts = !policy::bypasses_daily_limit(kind);
            quotas.note(&sub, &game, kind, at, counts);
        }
    }
    let worker = Worker {
        sender: Sender::new(options.timeout)?,
        committed: store.watch_events(),
        store,
        config,
        clock,
        options,
        quotas: Arc::new(Mutex::new(quotas)),
        in_flight: HashSet::new(),
        tasks: JoinSet::new(),
    };
    Ok(worker.run(shutdown))
}

type Sent = (Delivery, Arc<Subscription>, AttemptResult);

struct Worker {
    store: Store,
    /// Wakes the worker as soon as events are committed, so a new event waits for no poll.
    committed: watch::Receiver<i64>,
    config: ConfigSubscriptions,
    clock: Arc<dyn Clock>,
    options: WorkerOptions,
    sender: Sender,
    quotas: Arc<Mutex<Quotas>>,
    in_flight: HashSet<i64>,
    tasks: JoinSet<Sent>,
}

/// What one look at the store found.
struct Tick {
    subs: Vec<Arc<Subscription>>,
    due: Vec<Delivery>,
    more: bool,
}

impl Worker {
    async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(
            config_subscriptions = self.config.current().len(),
            "webhook worker started"
        );
        loop {
            if *shutdown.borrow() {
                break;
            }
            let more = match self.tick().await {
                Ok(more) => more,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook worker: store failed; retrying");
                    false
                }
            };
            let wait = if more {
                Duration::ZERO
            } else {
                self.options.poll_interval
            };
            tokio::select! {
                changed = shutdown.changed() => {
                    if changed.is_err() {
                        break;
                    }
                }
                Some(done) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    self.finished(done).await;
                    while let Some(done) = self.tasks.try_join_next() {
                        self.finished(done).await;
                    }
                }
                // Never an error: the worker's own store handle keeps the sender alive.
                _ = self.committed.changed() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
        self.drain().await;
        tracing::info!("webhook worker stopped");
    }

    /// Let attempts in flight finish for a while, then abandon them (they stay pending).
    async fn drain(&mut self) {
        let grace = tokio::time::sleep(self.options.shutdown_grace);
        tokio::pin!(grace);
        while !self.tasks.is_empty() {
            tokio::select! {
                Some(done) = self.tasks.join_next() => self.finished(done).await,
                _ = &mut grace => {
                    tracing::info!(in_flight = self.tasks.len(), "webhook attempts still in flight at shutdown stay pending");
                    self.tasks.abort_all();
                    break;
                }
            }
        }
    }

    /// Enqueue new events, then start the due deliveries. `true` when more work is waiting.
    async fn tick(&mut self) -> Result<bool, WebhookError> {
        let now = self.clock.now();
        let room = self
            .options
            .max_in_flight
            .saturating_sub(self.in_flight.len());
        let store = self.store.clone();
        let config = self.config.current();
        let quotas = self.quotas.clone();
        let batch = self.options.batch;
        let exclude = self.in_flight.clone();
        let tick = tokio::task::spawn_blocking(move || {
            tick_blocking(&store, &config, &quotas, batch, room, &exclude, now)
        })
        .await
        .map_err(|e| WebhookError::Client(format!("webhook worker task: {e}")))??;
        let Tick { subs, due, more } = tick;
        for d in due {
            let Some(sub) = subs.iter().find(|s| s.name == d.subscription).cloned() else {
                continue;
            };
            self.in_flight.insert(d.id);
            let sender = self.sender.clone();
            let clock = self.clock.clone();
            self.tasks.spawn(async move {
                let result = sender.send(&sub, &d.webhook_id, &d.body, clock.now()).await;
                (d, sub, result)
            });
        }
        Ok(more)
    }

    /// Record a finished attempt: the delivery's new state, and the endpoint's if it must be
    /// disabled.
    async fn finished(&mut self, done: Result<Sent, tokio::task::JoinError>) {
        let (d, sub, result) = match done {
            Ok(sent) => sent,
            Err(e) => {
                // A panicked or aborted attempt: its delivery stays pending and is retried.
                tracing::warn!(error = %e, "webhook attempt task failed");
                return;
            }
        };
        self.in_flight.remove(&d.id);
        let now = self.clock.now();
        let attempts = d.attempts.saturating_add(1);
        let outcome = if result.refused {
            Outcome::Refused
        } else {
            policy::classify(result.status, result.retry_after.as_deref(), now)
        };
        let mut disable = None;
        let (state, next, error) = match &outcome {
            Outcome::Delivered => (DeliveryState::Delivered, None, None),
            Outcome::Gone => {
                disable = Some("endpoint answered 410 Gone".to_owned());
                (DeliveryState::Failed, None, result.error.clone())
            }
            Outcome::Refused => (DeliveryState::Failed, None, result.error.clone()),
            Outcome::Retry { retry_after } => {
                match policy::next_retry(
                    &self.options.retry_schedule,
                    attempts,
                    fastrand::f64(),
                    *retry_after,
                ) {
                    Some(delay) => (
                        DeliveryState::Pending,
                        Some(now + chrono::Duration::from_std(delay).unwrap_or_default()),
                        result.error.clone(),
                    ),
                    None => (
                        DeliveryState::Failed,
                        None,
                        Some(format!(
                            "gave up after {attempts} attempts: {}",
                            result.error.as_deref().unwrap_or("no answer")
                        )),
                    ),
                }
            }
        };
        crate::metrics::webhook_attempt(
            &sub.name,
            match (&outcome, state) {
                (Outcome::Delivered, _) => "delivered",
                (_, DeliveryState::Pending) => "retry",
                _ => "failed",
            },
        );
        let span = tracing::info_span!("webhook", subscription = %sub.name, webhook_id = %d.webhook_id, event_type = %d.event_type, game_id = %d.game_id);
        let _enter = span.enter();
        match (&outcome, state) {
            (Outcome::Delivered, _) => {
                tracing::debug!(status = ?result.status, attempts, "webhook delivered")
            }
            (_, DeliveryState::Pending) => {
                tracing::info!(status = ?result.status, error = ?error, attempts, next = ?next, "webhook attempt failed; will retry")
            }
            _ => {
                tracing::warn!(status = ?result.status, error = ?error, attempts, "webhook delivery failed")
            }
        }
        let record = AttemptRecord {
            delivery_id: d.id,
            subscription: sub.name.clone(),
            at: now,
            ok: outcome == Outcome::Delivered,
            status: result.status,
            error,
            state,
            next_attempt_at: next,
        };
        let store = self.store.clone();
        let rule = self.options.failure_rule;
        let ok = record.ok;
        let name = sub.name.clone();
        let written = tokio::task::spawn_blocking(move || -> Result<(), StoreError> {
            store.record_webhook_attempt(&record)?;
            if disable.is_none() && !ok {
                let recent = store.recent_webhook_attempts(&name, rule.window)?;
                disable = rule.check(&recent, now);
            }
            if let Some(reason) = disable {
                tracing::warn!(subscription = %name, %reason, "webhook endpoint disabled");
                crate::metrics::webhook_disabled(&name);
                store.disable_webhook(&name, now, &reason)?;
            }
            Ok(())
        })
        .await;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "cannot record a webhook attempt"),
            Err(e) => tracing::warn!(error = %e, "webhook record task failed"),
        }
    }
}

/// The subscriptions that can receive now: the config's enabled ones and the API's, less the
/// endpoints the worker disabled.
pub fn active_subscriptions(
    store: &Store,
    config: &[Subscription],
) -> Result<Vec<Arc<Subscription>>, StoreError> {
    let disabled: HashSet<String> = store
        .disabled_webhooks()?
        .into_iter()
        .map(|d| d.name)
        .collect();
    let mut subs: Vec<Arc<Subscription>> = config
        .iter()
        .filter(|s| s.enabled && !disabled.contains(&s.name))
        .map(|s| Arc::new(s.clone()))
        .collect();
    for row in store.webhook_subscriptions()? {
        if row.source != Source::Api.as_str() || disabled.contains(&row.name) {
            continue;
        }
        let parsed = serde_json::from_str::<SubscriptionSpec>(&row.spec_json)
            .map_err(|e| e.to_string())
            .and_then(|spec| Subscription::from_spec(spec, Source::Api).map_err(|e| e.to_string()));
        match parsed {
            Ok(s) if s.enabled => subs.push(Arc::new(s)),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(subscription = %row.name, error = %e, "stored webhook subscription is invalid; skipped")
            }
        }
    }
    Ok(subs)
}

/// The deliveries `events` make for `subs`, counting them in `quotas`. Pure.
pub fn plan(
    subs: &[Arc<Subscription>],
    events: &[LoggedEvent],
    quotas: &mut Quotas,
) -> Vec<NewDelivery> {
    let mut out = Vec::new();
    for logged in events {
        let e = &logged.event;
        let mut body = None;
        for sub in subs {
            if quotas.admit(sub, e).is_ok() {
                let body = body.get_or_insert_with(|| sign::event_body(e)).clone();
                out.push(NewDelivery {
                    subscription: sub.name.clone(),
                    webhook_id: e.id.clone(),
                    event_type: e.kind.as_str().to_owned(),
                    game_id: e.game_id.clone(),
                    body,
                });
            }
        }
    }
    out
}

fn tick_blocking(
    store: &Store,
    config: &[Subscription],
    quotas: &Mutex<Quotas>,
    batch: usize,
    room: usize,
    exclude: &HashSet<i64>,
    now: DateTime<Utc>,
) -> Result<Tick, WebhookError> {
    let subs = active_subscriptions(store, config)?;
    let cursor = store.webhook_cursor()?;
    let events = store.events(&EventFilter {
        after_seq: Some(cursor),
        limit: Some(batch),
        ..EventFilter::default()
    })?;
    if let Some(last) = events.last() {
        let mut q = quotas.lock().unwrap_or_else(PoisonError::into_inner);
        let mut trial = q.clone();
        let rows = plan(&subs, &events, &mut trial);
        store.enqueue_webhooks(&rows, last.seq, now)?;
        *q = trial;
        if !rows.is_empty() {
            tracing::debug!(
                events = events.len(),
                deliveries = rows.len(),
                "webhook deliveries enqueued"
            );
        }
    }
    let names: Vec<String> = subs.iter().map(|s| s.name.clone()).collect();
    let mut due = store.due_webhook_deliveries(&names, now, room + exclude.len())?;
    due.retain(|d| !exclude.contains(&d.id));
    let full = due.len() > room;
    due.truncate(room);
    Ok(Tick {
        subs,
        due,
        more: events.len() == batch || (full && room > 0),
    })
}
