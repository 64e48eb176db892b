-- 0009_games_unconfirmed: when a game upstream stopped listing while it was in play could not be
-- confirmed by its own detail either (issue 18): such a game leaves the live views and is listed
-- in /health and `monitor failures` instead. NULL while the game is confirmed; a new snapshot of
-- the game clears it.
-- Append-only: once released, never edit this file.

ALTER TABLE games ADD COLUMN unconfirmed_since INTEGER;
