-- 0003_events: the append-only event log (issue 5).
-- Append-only: once released, never edit this file.

-- One row per event id; `seq` is the log position consumers keep as their cursor.
CREATE TABLE events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    id        TEXT    NOT NULL UNIQUE,
    type      TEXT    NOT NULL,
    league    TEXT    NOT NULL,
    adapter   TEXT    NOT NULL,
    game_id   TEXT    NOT NULL,
    time      INTEGER NOT NULL,
    catch_up  INTEGER NOT NULL CHECK (catch_up IN (0, 1)),
    teams     TEXT    NOT NULL,
    data_json TEXT    NOT NULL
);
CREATE INDEX events_by_game ON events (game_id, seq);
CREATE INDEX events_by_type_time ON events (type, time);
CREATE INDEX events_by_time ON events (time);
