-- 0005_scorers: indices the scorer queries need (issue 6).
-- Append-only: once released, never edit this file.

-- A player's scoring history (`/api/v1/players/{id}/scoring-history`, `scoreline player`):
-- covering, so summing a season of a player's plays per game never reads the table.
CREATE INDEX scoring_plays_by_scorer
    ON scoring_plays (scorer_id, league, adapter, game_id, sequence, points, home_score, away_score);
-- The scoring-quality checks look at the games updated in a window.
CREATE INDEX games_by_updated ON games (updated_at);
