-- 0005_scorers: indices the scorer queries need (issue 6).
-- Append-only: once released, never edit this file.

-- A player's scoring history (`/api/v1/players/{id}/scoring-history`, `scoreline player`).
CREATE INDEX scoring_plays_by_scorer ON scoring_plays (scorer_id);
-- The scoring-quality checks look at the games updated in a window.
CREATE INDEX games_by_updated ON games (updated_at);
