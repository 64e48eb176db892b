-- 0002_upstream_policy: what the upstream policy (issue 4) needs to remember.
-- Append-only: once released, never edit this file.

-- Which attempt of a request a call-log row is (1 = first try; above 1 = a retry).
ALTER TABLE upstream_calls ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1);
CREATE INDEX upstream_calls_by_league_time ON upstream_calls (league, at);

-- Every circuit-breaker state change per upstream host; the latest row per host is its state.
CREATE TABLE breaker_transitions (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,
    host   TEXT    NOT NULL,
    state  TEXT    NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),
    reason TEXT    NOT NULL
);
CREATE INDEX breaker_transitions_by_host_time ON breaker_transitions (host, at);
CREATE INDEX breaker_transitions_by_time ON breaker_transitions (at);
