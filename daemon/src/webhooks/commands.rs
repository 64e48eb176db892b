//! `scoreline webhooks list|test|replay|enable`: the subscriptions with their state and delivery
//! counts, a signed test message sent at once, re-enqueuing an event's deliveries, and enabling
//! an endpoint the worker disabled. They work on the
//! store directly (no daemon needed); a replayed delivery is sent by the running daemon's worker.

use super::error::WebhookError;
use super::sender::Sender;
use super::worker::WorkerOptions;
use crate::config::Config;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use scoreline_core::webhooks::sign;
use scoreline_core::webhooks::subscription::{Source, Subscription, SubscriptionSpec};
use scoreline_store::{DeliveryCounts, DisabledEndpoint, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// `scoreline webhooks ...`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Subscriptions (config and API) with their state and pending/delivered/failed counts.
    List {
        /// Print `{"webhooks":[...]}` JSON.
        #[arg(long)]
        json: bool,
    },
    /// Send a signed `webhook.test` message to subscription NAME now and print the answer.
    Test {
        /// The subscription.
        name: String,
    },
    /// Enable an endpoint the daemon disabled (410 Gone or failing); its pending deliveries
    /// are sent again.
    Enable {
        /// The subscription.
        name: String,
    },
    /// Enqueue the deliveries of event ID again (same webhook-id, same body); the running
    /// daemon sends them.
    Replay {
        /// The event id (the `webhook-id` header).
        id: String,
    },
}

/// A subscription as listed by the CLI and `GET /admin/webhooks`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// Name.
    pub name: String,
    /// `config` or `api`.
    pub source: Source,
    /// `active`, `disabled` (by its `enabled = false`) or `failing` (disabled by the worker).
    pub state: &'static str,
    /// Why the worker disabled it.
    pub disabled: Option<DisabledEndpoint>,
    /// Counts by delivery state.
    #[serde(flatten)]
    pub counts: DeliveryCounts,
    /// The spec, secret redacted.
    pub spec: SubscriptionSpec,
}

/// Join specs with the worker's disabled endpoints and the delivery counts. Pure.
pub fn listing(
    specs: Vec<(Source, SubscriptionSpec)>,
    disabled: &[DisabledEndpoint],
    counts: &BTreeMap<String, DeliveryCounts>,
) -> Vec<Listed> {
    let mut out: Vec<Listed> = specs
        .into_iter()
        .map(|(source, spec)| {
            let d = disabled.iter().find(|d| d.name == spec.name).cloned();
            let state = match (&d, spec.enabled) {
                (_, false) => "disabled",
                (Some(_), true) => "failing",
                (None, true) => "active",
            };
            Listed {
                name: spec.name.clone(),
                source,
                state,
                disabled: d,
                counts: counts.get(&spec.name).copied().unwrap_or_default(),
                spec: spec.redacted(),
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Every subscription: the config's (from `config`) and the API's (from the store).
fn all_specs(
    config: &Config,
    store: &Store,
) -> Result<Vec<(Source, SubscriptionSpec)>, WebhookError> {
    let mut specs: Vec<(Source, SubscriptionSpec)> = config
        .webhooks
        .iter()
        .map(|s| (Source::Config, s.spec.clone()))
        .collect();
    for row in store.webhook_subscriptions()? {
        if row.source != Source::Api.as_str() || specs.iter().any(|(_, s)| s.name == row.name) {
            continue;
        }
        let spec = serde_json::from_str::<SubscriptionSpec>(&row.spec_json).map_err(|e| {
            WebhookError::BadStored {
                name: row.name.clone(),
                message: e.to_string(),
            }
        })?;
        specs.push((Source::Api, spec));
    }
    Ok(specs)
}

/// Run a `webhooks` subcommand; returns what to print on stdout.
pub fn run(config: &Config, cmd: WebhooksCommand) -> Result<String, WebhookError> {
    let store = Store::open(&config.data_dir)?;
    match cmd {
        WebhooksCommand::List { json } => list(config, &store, json),
        WebhooksCommand::Test { name } => test(config, &store, &name, Utc::now()),
        WebhooksCommand::Replay { id } => replay(&store, &id, Utc::now()),
        WebhooksCommand::Enable { name } => {
            if !all_specs(config, &store)?
                .iter()
                .any(|(_, s)| s.name == name)
            {
                return Err(WebhookError::UnknownSubscription(name));
            }
            Ok(if store.enable_webhook(&name)? {
                format!("enabled `{name}`; its pending deliveries will be sent\n")
            } else {
                format!("`{name}` was not disabled\n")
            })
        }
    }
}

fn list(config: &Config, store: &Store, json: bool) -> Result<String, WebhookError> {
    let rows = listing(
        all_specs(config, store)?,
        &store.disabled_webhooks()?,
        &store.webhook_delivery_counts()?,
    );
    if json {
        return Ok(serde_json::to_string_pretty(&serde_json::json!({ "webhooks": rows }))? + "\n");
    }
    let mut s = String::new();
    for r in &rows {
        s.push_str(&format!(
            "{:<20} {:<6} {:<8} pending {:<5} delivered {:<7} failed {:<5} {}\n",
            r.name,
            r.source.as_str(),
            r.state,
            r.counts.pending,
            r.counts.delivered,
            r.counts.failed,
            r.spec.url
        ));
        if let Some(d) = &r.disabled {
            s.push_str(&format!(
                "  disabled at {}: {}\n",
                d.at.to_rfc3339(),
                d.reason
            ));
        }
    }
    if rows.is_empty() {
        s.push_str("no webhook subscriptions\n");
    }
    Ok(s)
}

/// Send a test message to `name` now (bypassing the outbox, filters and limits, not the target
/// check).
fn test(
    config: &Config,
    store: &Store,
    name: &str,
    now: DateTime<Utc>,
) -> Result<String, WebhookError> {
    let (source, spec) = all_specs(config, store)?
        .into_iter()
        .find(|(_, s)| s.name == name)
        .ok_or_else(|| WebhookError::UnknownSubscription(name.to_owned()))?;
    let sub = match source {
        Source::Config => config
            .webhooks
            .iter()
            .find(|s| s.name == name)
            .cloned()
            .ok_or_else(|| WebhookError::UnknownSubscription(name.to_owned()))?,
        Source::Api => {
            Subscription::from_spec(spec, Source::Api).map_err(|e| WebhookError::BadStored {
                name: name.to_owned(),
                message: e.to_string(),
            })?
        }
    };
    let (id, body) = sign::test_message(name, now);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(WebhookError::Runtime)?;
    let sender = Sender::new(WorkerOptions::default().timeout)?;
    let result = runtime.block_on(sender.send(&sub, &id, &body, now));
    match result.status {
        Some(s) if (200..300).contains(&s) => Ok(format!(
            "sent test message {id} to `{name}` ({}): answered {s}\n",
            sub.url
        )),
        _ => Err(WebhookError::TestFailed {
            name: name.to_owned(),
            message: result.error.unwrap_or_else(|| "no answer".into()),
        }),
    }
}

fn replay(store: &Store, id: &str, now: DateTime<Utc>) -> Result<String, WebhookError> {
    let rows = store.replay_webhook(id, now)?;
    if rows.is_empty() {
        return Err(WebhookError::NoDeliveries(id.to_owned()));
    }
    let mut s = String::new();
    for d in &rows {
        s.push_str(&format!(
            "enqueued delivery {} of {} ({}) to `{}`\n",
            d.id, d.webhook_id, d.event_type, d.subscription
        ));
    }
    Ok(s)
}
