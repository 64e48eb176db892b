//! The webhook outbox: subscriptions added through the API (and a read-only mirror of the
//! config's), endpoints the worker disabled, the event-log cursor, deliveries and attempts.
//!
//! Invariants: a delivery row is committed (state `pending`) before its first attempt, in the
//! same transaction that moves the cursor past its event, so an event is turned into deliveries
//! exactly once and a crash after the commit only repeats an attempt (same `webhook-id`, same
//! body). A delivery leaves `pending` only for `delivered` or `failed`, never back (a replay is a
//! new row).

use super::error::{SqlContext, StoreError};
use crate::db::Store;
use chrono::{DateTime, Utc};
use rusqlite::types::ToSql;
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use serde::Serialize;
use std::collections::BTreeMap;

/// Attempts kept per subscription (the failure-rate rule reads the last 20).
const ATTEMPTS_KEPT: i64 = 100;

/// A delivery's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryState {
    /// Not yet delivered; attempted when `next_attempt_at` comes.
    Pending,
    /// A 2xx answer was received.
    Delivered,
    /// Given up: retries exhausted, 410 Gone, or a refused target.
    Failed,
}

impl DeliveryState {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<DeliveryState> {
        match s {
            "pending" => Some(DeliveryState::Pending),
            "delivered" => Some(DeliveryState::Delivered),
            "failed" => Some(DeliveryState::Failed),
            _ => None,
        }
    }
}

/// A message to enqueue for one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDelivery {
    /// Subscription name.
    pub subscription: String,
    /// `webhook-id`: the event id.
    pub webhook_id: String,
    /// Event type (wire name).
    pub event_type: String,
    /// Game id, for listings.
    pub game_id: String,
    /// The exact body sent on every attempt.
    pub body: String,
}

/// A delivery row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// Row id.
    pub id: i64,
    /// Subscription name.
    pub subscription: String,
    /// `webhook-id`.
    pub webhook_id: String,
    /// Event type.
    pub event_type: String,
    /// Game id.
    pub game_id: String,
    /// Body.
    pub body: String,
    /// State.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it is (or was) next due.
    pub next_attempt_at: DateTime<Utc>,
    /// Last attempt's time.
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Last attempt's HTTP status (none: no answer).
    pub last_status: Option<u16>,
    /// Last attempt's error.
    pub last_error: Option<String>,
}

/// One attempt's result and the delivery's state after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// The delivery.
    pub delivery_id: i64,
    /// Its subscription.
    pub subscription: String,
    /// When the attempt ended.
    pub at: DateTime<Utc>,
    /// 2xx.
    pub ok: bool,
    /// HTTP status, none without an answer.
    pub status: Option<u16>,
    /// What went wrong.
    pub error: Option<String>,
    /// The delivery's new state.
    pub state: DeliveryState,
    /// When pending: the next attempt.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

/// A stored subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRow {
    /// Name.
    pub name: String,
    /// `api` or `config`.
    pub source: String,
    /// The spec as JSON (a config one with its secret redacted).
    pub spec_json: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// An endpoint the worker disabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DisabledEndpoint {
    /// Subscription name.
    pub name: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Why.
    pub reason: String,
}

/// Deliveries of one subscription by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryCounts {
    /// Still to deliver.
    pub pending: u64,
    /// Delivered.
    pub delivered: u64,
    /// Given up.
    pub failed: u64,
}

/// `(subscription, game_id, event type, event time)` of an event sent.
pub type SentEvent = (String, String, String, DateTime<Utc>);

fn time(ms: i64, what: &'static str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| StoreError::Corrupt {
        what,
        key: ms.to_string(),
        message: "time out of range".into(),
    })
}

const DELIVERY_COLUMNS: &str = "id, subscription, webhook_id, event_type, game_id, body, state, \
     attempts, created_at, next_attempt_at, last_attempt_at, last_status, last_error";

type RawDelivery = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    u32,
    i64,
    i64,
    Option<i64>,
    Option<u16>,
    Option<String>,
);

fn raw_delivery(r: &Row<'_>) -> rusqlite::Result<RawDelivery> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

fn delivery(raw: RawDelivery) -> Result<Delivery, StoreError> {
    let (id, subscription, webhook_id, event_type, game_id, body, state, attempts, c, n, l, s, e) =
        raw;
    Ok(Delivery {
        state: DeliveryState::parse(&state).ok_or_else(|| StoreError::Corrupt {
            what: "webhook_deliveries.state",
            key: id.to_string(),
            message: format!("unknown state `{state}`"),
        })?,
        created_at: time(c, "webhook_deliveries.created_at")?,
        next_attempt_at: time(n, "webhook_deliveries.next_attempt_at")?,
        last_attempt_at: l
            .map(|l| time(l, "webhook_deliveries.last_attempt_at"))
            .transpose()?,
        id,
        subscription,
        webhook_id,
        event_type,
        game_id,
        body,
        attempts,
        last_status: s,
        last_error: e,
    })
}

impl Store {
    /// The event-log position the webhook worker has enqueued up to (0: none yet).
    pub fn webhook_cursor(&self) -> Result<i64, StoreError> {
        const OP: &str = "webhook_cursor";
        let conn = self.conn();
        conn.query_row("SELECT seq FROM webhook_cursor WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()
        .op(OP)
        .map(|s| s.unwrap_or(0))
    }

    /// Commit `deliveries` (pending, due at `now`) and move the cursor to `cursor`, in one
    /// transaction. Returns the new rows' ids.
    pub fn enqueue_webhooks(
        &self,
        deliveries: &[NewDelivery],
        cursor: i64,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, StoreError> {
        const OP: &str = "enqueue_webhooks";
        let at = now.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let mut ids = Vec::with_capacity(deliveries.len());
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO webhook_deliveries (subscription, webhook_id, event_type,
                         game_id, body, state, attempts, created_at, next_attempt_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?6)",
                )
                .op(OP)?;
            for d in deliveries {
                insert
                    .execute(params![
                        d.subscription,
                        d.webhook_id,
                        d.event_type,
                        d.game_id,
                        d.body,
                        at
                    ])
                    .op(OP)?;
                ids.push(tx.last_insert_rowid());
            }
            tx.prepare_cached(
                "INSERT INTO webhook_cursor (id, seq) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET seq = MAX(seq, excluded.seq)",
            )
            .op(OP)?
            .execute(params![cursor])
            .op(OP)?;
        }
        tx.commit().op(OP)?;
        Ok(ids)
    }

    /// Pending deliveries of `subscriptions` due at `now`, oldest first, at most `limit`.
    pub fn due_webhook_deliveries(
        &self,
        subscriptions: &[String],
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Delivery>, StoreError> {
        const OP: &str = "due_webhook_deliveries";
        if subscriptions.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; subscriptions.len()].join(", ");
        let sql = format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries
             WHERE state = 'pending' AND next_attempt_at <= ? AND subscription IN ({marks})
             ORDER BY next_attempt_at, id LIMIT ?"
        );
        let mut args: Vec<&dyn ToSql> = Vec::new();
        let now_ms = now.timestamp_millis();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        args.push(&now_ms);
        for s in subscriptions {
            args.push(s);
        }
        args.push(&limit);
        let conn = self.conn();
        let mut stmt = conn.prepare(&sql).op(OP)?;
        let raws: Vec<RawDelivery> = stmt
            .query_map(args.as_slice(), raw_delivery)
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        raws.into_iter().map(delivery).collect()
    }

    /// The earliest `next_attempt_at` of a pending delivery of `subscriptions`.
    pub fn next_webhook_due(
        &self,
        subscriptions: &[String],
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        const OP: &str = "next_webhook_due";
        if subscriptions.is_empty() {
            return Ok(None);
        }
        let marks = vec!["?"; subscriptions.len()].join(", ");
        let sql = format!(
            "SELECT MIN(next_attempt_at) FROM webhook_deliveries
             WHERE state = 'pending' AND subscription IN ({marks})"
        );
        let args: Vec<&dyn ToSql> = subscriptions.iter().map(|s| s as &dyn ToSql).collect();
        let conn = self.conn();
        let ms: Option<i64> = conn.query_row(&sql, args.as_slice(), |r| r.get(0)).op(OP)?;
        ms.map(|m| time(m, "webhook_deliveries.next_attempt_at"))
            .transpose()
    }

    /// Every delivery whose `webhook-id` is `webhook_id`, oldest first.
    pub fn webhook_deliveries_of(&self, webhook_id: &str) -> Result<Vec<Delivery>, StoreError> {
        const OP: &str = "webhook_deliveries_of";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ?1 ORDER BY id"
            ))
            .op(OP)?;
        let raws: Vec<RawDelivery> = stmt
            .query_map(params![webhook_id], raw_delivery)
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        raws.into_iter().map(delivery).collect()
    }

    /// Record one attempt and the delivery's new state, in one transaction; keeps the last 100
    /// attempts of the subscription.
    pub fn record_webhook_attempt(&self, a: &AttemptRecord) -> Result<(), StoreError> {
        const OP: &str = "record_webhook_attempt";
        let at = a.at.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        tx.prepare_cached(
            "INSERT INTO webhook_attempts (subscription, delivery_id, at, ok, status, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .op(OP)?
        .execute(params![
            a.subscription,
            a.delivery_id,
            at,
            a.ok,
            a.status,
            a.error
        ])
        .op(OP)?;
        tx.prepare_cached(
            "UPDATE webhook_deliveries SET state = ?2, attempts = attempts + 1,
                 next_attempt_at = COALESCE(?3, next_attempt_at), last_attempt_at = ?4,
                 last_status = ?5, last_error = ?6
             WHERE id = ?1 AND state = 'pending'",
        )
        .op(OP)?
        .execute(params![
            a.delivery_id,
            a.state.as_str(),
            a.next_attempt_at.map(|t| t.timestamp_millis()),
            at,
            a.status,
            a.error
        ])
        .op(OP)?;
        tx.prepare_cached(
            "DELETE FROM webhook_attempts WHERE subscription = ?1 AND id <=
                 (SELECT id FROM webhook_attempts WHERE subscription = ?1
                  ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        )
        .op(OP)?
        .execute(params![a.subscription, ATTEMPTS_KEPT])
        .op(OP)?;
        tx.commit().op(OP)
    }

    /// The last `n` attempts of `subscription`, newest first, as `(time, succeeded)`.
    pub fn recent_webhook_attempts(
        &self,
        subscription: &str,
        n: usize,
    ) -> Result<Vec<(DateTime<Utc>, bool)>, StoreError> {
        const OP: &str = "recent_webhook_attempts";
        let conn = self.conn();
        let rows: Vec<(i64, bool)> = conn
            .prepare_cached(
                "SELECT at, ok FROM webhook_attempts WHERE subscription = ?1
                 ORDER BY id DESC LIMIT ?2",
            )
            .op(OP)?
            .query_map(
                params![subscription, i64::try_from(n).unwrap_or(i64::MAX)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(at, ok)| Ok((time(at, "webhook_attempts.at")?, ok)))
            .collect()
    }

    /// Disable endpoint `name` (410 Gone or a high failure rate). Keeps the first reason.
    pub fn disable_webhook(
        &self,
        name: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), StoreError> {
        const OP: &str = "disable_webhook";
        let conn = self.conn();
        conn.prepare_cached(
            "INSERT INTO webhook_disabled (name, disabled_at, reason) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO NOTHING",
        )
        .op(OP)?
        .execute(params![name, at.timestamp_millis(), reason])
        .op(OP)?;
        Ok(())
    }

    /// Enable endpoint `name` again; its pending deliveries go out from the next worker tick.
    /// `false` when it was not disabled.
    pub fn enable_webhook(&self, name: &str) -> Result<bool, StoreError> {
        const OP: &str = "enable_webhook";
        let conn = self.conn();
        let n = conn
            .prepare_cached("DELETE FROM webhook_disabled WHERE name = ?1")
            .op(OP)?
            .execute(params![name])
            .op(OP)?;
        Ok(n == 1)
    }

    /// Endpoints the worker disabled.
    pub fn disabled_webhooks(&self) -> Result<Vec<DisabledEndpoint>, StoreError> {
        const OP: &str = "disabled_webhooks";
        let conn = self.conn();
        let rows: Vec<(String, i64, String)> = conn
            .prepare_cached("SELECT name, disabled_at, reason FROM webhook_disabled ORDER BY name")
            .op(OP)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(name, at, reason)| {
                Ok(DisabledEndpoint {
                    name,
                    at: time(at, "webhook_disabled.disabled_at")?,
                    reason,
                })
            })
            .collect()
    }

    /// Stored subscriptions (API ones and the config mirror), by name.
    pub fn webhook_subscriptions(&self) -> Result<Vec<SubscriptionRow>, StoreError> {
        const OP: &str = "webhook_subscriptions";
        let conn = self.conn();
        let rows: Vec<(String, String, String, i64)> = conn
            .prepare_cached(
                "SELECT name, source, spec_json, created_at FROM webhook_subscriptions
                 ORDER BY name",
            )
            .op(OP)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(name, source, spec_json, at)| {
                Ok(SubscriptionRow {
                    name,
                    source,
                    spec_json,
                    created_at: time(at, "webhook_subscriptions.created_at")?,
                })
            })
            .collect()
    }

    /// Add an API subscription. `false` (nothing written) when the name is taken.
    pub fn add_webhook_subscription(
        &self,
        name: &str,
        spec_json: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        const OP: &str = "add_webhook_subscription";
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let n = tx
            .prepare_cached(
                "INSERT INTO webhook_subscriptions (name, source, spec_json, created_at)
                 VALUES (?1, 'api', ?2, ?3) ON CONFLICT (name) DO NOTHING",
            )
            .op(OP)?
            .execute(params![name, spec_json, at.timestamp_millis()])
            .op(OP)?;
        if n == 1 {
            // A new endpoint under an old name starts enabled.
            tx.execute(
                "DELETE FROM webhook_disabled WHERE name = ?1",
                params![name],
            )
            .op(OP)?;
        }
        tx.commit().op(OP)?;
        Ok(n == 1)
    }

    /// Delete an API subscription and fail its pending deliveries. Returns the source of the
    /// row found (`config` rows are not deleted), or `None` when there is none.
    pub fn delete_webhook_subscription(
        &self,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        const OP: &str = "delete_webhook_subscription";
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let source: Option<String> = tx
            .query_row(
                "SELECT source FROM webhook_subscriptions WHERE name = ?1",
                params![name],
                |r| r.get(0),
            )
            .optional()
            .op(OP)?;
        if source.as_deref() == Some("api") {
            tx.execute(
                "DELETE FROM webhook_subscriptions WHERE name = ?1",
                params![name],
            )
            .op(OP)?;
            tx.execute(
                "DELETE FROM webhook_disabled WHERE name = ?1",
                params![name],
            )
            .op(OP)?;
            tx.execute(
                "UPDATE webhook_deliveries SET state = 'failed', last_error = 'subscription deleted',
                     next_attempt_at = ?2
                 WHERE subscription = ?1 AND state = 'pending'",
                params![name, at.timestamp_millis()],
            )
            .op(OP)?;
        }
        tx.commit().op(OP)?;
        Ok(source)
    }

    /// Mirror the config's subscriptions (`(name, redacted spec json)`): replace every `config`
    /// row with these, taking over an API row of the same name. Returns the API names taken
    /// over. One transaction.
    pub fn sync_config_webhooks(
        &self,
        specs: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        const OP: &str = "sync_config_webhooks";
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        tx.execute(
            "DELETE FROM webhook_subscriptions WHERE source = 'config'",
            [],
        )
        .op(OP)?;
        let mut taken = Vec::new();
        for (name, json) in specs {
            let n = tx
                .execute(
                    "DELETE FROM webhook_subscriptions WHERE name = ?1 AND source = 'api'",
                    params![name],
                )
                .op(OP)?;
            if n > 0 {
                taken.push(name.clone());
            }
            tx.execute(
                "INSERT INTO webhook_subscriptions (name, source, spec_json, created_at)
                 VALUES (?1, 'config', ?2, ?3)",
                params![name, json, at.timestamp_millis()],
            )
            .op(OP)?;
        }
        tx.commit().op(OP)?;
        Ok(taken)
    }

    /// Deliveries per subscription and state.
    pub fn webhook_delivery_counts(&self) -> Result<BTreeMap<String, DeliveryCounts>, StoreError> {
        const OP: &str = "webhook_delivery_counts";
        let conn = self.conn();
        let rows: Vec<(String, String, i64)> = conn
            .prepare_cached(
                "SELECT subscription, state, COUNT(*) FROM webhook_deliveries
                 GROUP BY subscription, state",
            )
            .op(OP)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        let mut out: BTreeMap<String, DeliveryCounts> = BTreeMap::new();
        for (sub, state, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            let c = out.entry(sub).or_default();
            match state.as_str() {
                "pending" => c.pending = n,
                "delivered" => c.delivered = n,
                _ => c.failed = n,
            }
        }
        Ok(out)
    }

    /// Enqueue again, due at `now`, the latest delivery of `webhook_id` to each subscription
    /// (same `webhook-id`, same body). Returns the new rows.
    pub fn replay_webhook(
        &self,
        webhook_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Delivery>, StoreError> {
        const OP: &str = "replay_webhook";
        let at = now.timestamp_millis();
        let ids: Vec<i64> = {
            let mut conn = self.conn();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .op(OP)?;
            let latest: Vec<i64> = tx
                .prepare_cached(
                    "SELECT MAX(id) FROM webhook_deliveries WHERE webhook_id = ?1
                     GROUP BY subscription ORDER BY subscription",
                )
                .op(OP)?
                .query_map(params![webhook_id], |r| r.get(0))
                .op(OP)?
                .collect::<Result<_, _>>()
                .op(OP)?;
            let mut ids = Vec::new();
            for id in latest {
                tx.prepare_cached(
                    "INSERT INTO webhook_deliveries (subscription, webhook_id, event_type,
                         game_id, body, state, attempts, created_at, next_attempt_at)
                     SELECT subscription, webhook_id, event_type, game_id, body, 'pending', 0,
                         ?2, ?2
                     FROM webhook_deliveries WHERE id = ?1",
                )
                .op(OP)?
                .execute(params![id, at])
                .op(OP)?;
                ids.push(tx.last_insert_rowid());
            }
            tx.commit().op(OP)?;
            ids
        };
        let all = self.webhook_deliveries_of(webhook_id)?;
        Ok(all.into_iter().filter(|d| ids.contains(&d.id)).collect())
    }

    /// What was sent since `since` (by event time), for cooldowns and daily limits:
    /// `(subscription, game_id, type, event time)` of every delivery of a logged event.
    pub fn webhook_history(&self, since: DateTime<Utc>) -> Result<Vec<SentEvent>, StoreError> {
        const OP: &str = "webhook_history";
        let conn = self.conn();
        let rows: Vec<(String, String, String, i64)> = conn
            .prepare_cached(
                "SELECT d.subscription, e.game_id, e.type, e.time
                 FROM webhook_deliveries d JOIN events e ON e.id = d.webhook_id
                 WHERE e.time >= ?1 ORDER BY e.time",
            )
            .op(OP)?
            .query_map(params![since.timestamp_millis()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(s, g, t, at)| Ok((s, g, t, time(at, "events.time")?)))
            .collect()
    }
}
