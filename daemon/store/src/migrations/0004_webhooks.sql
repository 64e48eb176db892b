-- 0004_webhooks: webhook subscriptions, the durable outbox and its cursor (issue 5).
-- Append-only: once released, never edit this file.

-- Subscriptions. `source` is `api` (added with POST /admin/webhooks, the row is the truth) or
-- `config` (mirrored from [[webhooks]] at daemon start, secret redacted, read-only).
CREATE TABLE webhook_subscriptions (
    name       TEXT    PRIMARY KEY,
    source     TEXT    NOT NULL CHECK (source IN ('api', 'config')),
    spec_json  TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

-- An endpoint the worker disabled (410 Gone, or a high failure rate). Kept by name, so it
-- applies to config and API subscriptions alike.
CREATE TABLE webhook_disabled (
    name        TEXT    PRIMARY KEY,
    disabled_at INTEGER NOT NULL,
    reason      TEXT    NOT NULL
);

-- The last event-log position the worker has turned into deliveries (one row, id 1).
CREATE TABLE webhook_cursor (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);

-- The outbox: one row per message to one subscription, committed before it is first sent.
-- `body` is the exact bytes sent on every attempt; `webhook_id` the `webhook-id` header.
CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription    TEXT    NOT NULL,
    webhook_id      TEXT    NOT NULL,
    event_type      TEXT    NOT NULL,
    game_id         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    last_status     INTEGER,
    last_error      TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_sub ON webhook_deliveries (subscription, created_at);
CREATE INDEX webhook_deliveries_by_message ON webhook_deliveries (webhook_id);

-- Every attempt's outcome, the last 100 per subscription (the failure-rate rule reads them).
CREATE TABLE webhook_attempts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription TEXT    NOT NULL,
    delivery_id  INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    ok           INTEGER NOT NULL CHECK (ok IN (0, 1)),
    status       INTEGER,
    error        TEXT
);
CREATE INDEX webhook_attempts_by_sub ON webhook_attempts (subscription, id);
