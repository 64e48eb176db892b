-- 0001_init: the first schema of the embedded store.
-- Append-only: once released, never edit this file; add 0002_*.sql instead (see store/migrations.rs).
-- Times are INTEGER Unix milliseconds, UTC. A game key is (league, adapter, game_id).

-- Latest snapshot per game.
CREATE TABLE games (
    league            TEXT    NOT NULL,
    adapter           TEXT    NOT NULL,
    game_id           TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    start_time        INTEGER,
    home_id           TEXT    NOT NULL,
    home_abbreviation TEXT    NOT NULL,
    home_name         TEXT    NOT NULL,
    home_score        INTEGER,
    away_id           TEXT    NOT NULL,
    away_abbreviation TEXT    NOT NULL,
    away_name         TEXT    NOT NULL,
    away_score        INTEGER,
    period            INTEGER,
    clock             TEXT,
    clock_seconds     INTEGER,
    first_seen_at     INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    game_json         TEXT    NOT NULL,
    PRIMARY KEY (league, adapter, game_id),
    CHECK (status IN ('scheduled', 'pregame', 'live', 'intermission', 'delayed', 'final',
                      'postponed', 'cancelled', 'suspended')),
    CHECK (updated_at >= first_seen_at)
);
CREATE INDEX games_by_start ON games (start_time);
CREATE INDEX games_by_league_start ON games (league, start_time);
CREATE INDEX games_by_status_start ON games (status, start_time);
CREATE INDEX games_by_id ON games (game_id);

-- One row per change of a game's state (status, period, home or away score).
-- AUTOINCREMENT: ids are never reused, so a forwarder may keep `id` as its cursor.
CREATE TABLE timeline (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    league        TEXT    NOT NULL,
    adapter       TEXT    NOT NULL,
    game_id       TEXT    NOT NULL,
    observed_at   INTEGER NOT NULL,
    status        TEXT    NOT NULL,
    period        INTEGER,
    clock         TEXT,
    clock_seconds INTEGER,
    home_score    INTEGER,
    away_score    INTEGER,
    FOREIGN KEY (league, adapter, game_id) REFERENCES games (league, adapter, game_id)
        ON DELETE CASCADE,
    CHECK (status IN ('scheduled', 'pregame', 'live', 'intermission', 'delayed', 'final',
                      'postponed', 'cancelled', 'suspended'))
);
CREATE INDEX timeline_by_game_time ON timeline (league, adapter, game_id, observed_at);

-- Scoring plays per game and sequence; a correction replaces the row.
CREATE TABLE scoring_plays (
    league        TEXT    NOT NULL,
    adapter       TEXT    NOT NULL,
    game_id       TEXT    NOT NULL,
    sequence      INTEGER NOT NULL,
    period        INTEGER,
    clock         TEXT,
    team          TEXT    NOT NULL,
    scorer_id     TEXT,
    scorer_name   TEXT,
    assists_json  TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    points        INTEGER NOT NULL,
    home_score    INTEGER NOT NULL,
    away_score    INTEGER NOT NULL,
    description   TEXT    NOT NULL,
    details_json  TEXT    NOT NULL,
    first_seen_at INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (league, adapter, game_id, sequence),
    FOREIGN KEY (league, adapter, game_id) REFERENCES games (league, adapter, game_id)
        ON DELETE CASCADE
);

-- What the schedule says, per game key; `source` is the adapter name or `ingest`.
CREATE TABLE schedules (
    league            TEXT    NOT NULL,
    adapter           TEXT    NOT NULL,
    game_id           TEXT    NOT NULL,
    start_time        INTEGER,
    home_id           TEXT    NOT NULL,
    home_abbreviation TEXT    NOT NULL,
    home_name         TEXT    NOT NULL,
    away_id           TEXT    NOT NULL,
    away_abbreviation TEXT    NOT NULL,
    away_name         TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    source            TEXT    NOT NULL,
    updated_at        INTEGER NOT NULL,
    PRIMARY KEY (league, adapter, game_id),
    CHECK (status IN ('scheduled', 'pregame', 'live', 'intermission', 'delayed', 'final',
                      'postponed', 'cancelled', 'suspended'))
);
CREATE INDEX schedules_by_league_start ON schedules (league, start_time);

-- The upstream call log.
CREATE TABLE upstream_calls (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    adapter    TEXT    NOT NULL,
    league     TEXT    NOT NULL,
    host       TEXT    NOT NULL,
    url        TEXT    NOT NULL,
    status     INTEGER,
    bytes      INTEGER NOT NULL CHECK (bytes >= 0),
    latency_ms INTEGER NOT NULL CHECK (latency_ms >= 0),
    error      TEXT,
    from_cache INTEGER NOT NULL CHECK (from_cache IN (0, 1))
);
CREATE INDEX upstream_calls_by_time ON upstream_calls (at);

-- Snapshots the validator refused.
CREATE TABLE rejections (
    id            INTEGER PRIMARY KEY,
    at            INTEGER NOT NULL,
    league        TEXT    NOT NULL,
    adapter       TEXT    NOT NULL,
    game_id       TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    snapshot_json TEXT    NOT NULL
);
CREATE INDEX rejections_by_time ON rejections (at);
