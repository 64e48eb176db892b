-- 0006_sink_points: the point outbox that remote sinks (InfluxDB) forward, and their cursors (issue 7).
-- Append-only: once released, never edit this file.

-- One row per point, encoded as one line of InfluxDB line protocol (nanosecond timestamps),
-- committed in the same transaction as the store rows it describes. `policy` is `live` or
-- `aggregates` (the retention policy or bucket role); `created_at` the observation time, for
-- the backlog age limit. AUTOINCREMENT: seqs are never reused, so sinks keep `seq` as a cursor.
CREATE TABLE sink_points (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    policy      TEXT    NOT NULL CHECK (policy IN ('live', 'aggregates')),
    measurement TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    line        TEXT    NOT NULL
);

-- Per sink: the last seq the sink's server acknowledged (or that was skipped as rejected or
-- dropped by the backlog limit), with running counts.
CREATE TABLE sink_cursors (
    sink       TEXT    PRIMARY KEY,
    seq        INTEGER NOT NULL,
    acked      INTEGER NOT NULL DEFAULT 0,
    rejected   INTEGER NOT NULL DEFAULT 0,
    dropped    INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL
);
