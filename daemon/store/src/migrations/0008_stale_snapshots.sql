-- 0008_stale_snapshots: snapshots dropped as stale copies (behind the accepted one in the game's
-- progress, or from a body made before the accepted one's), one row each, for `monitor stats`
-- (issue 18). No snapshot JSON: a lagging edge can repeat one for many polls.
-- Append-only: once released, never edit this file.

CREATE TABLE stale_snapshots (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    league TEXT NOT NULL,
    adapter TEXT NOT NULL,
    game_id TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('scoreboard', 'detail')),
    reason TEXT NOT NULL
);
CREATE INDEX stale_snapshots_at ON stale_snapshots (at);
