-- 0007_games_season: each game's season label as a column, so the scorer queries filter and read
-- it without parsing the game's JSON snapshot on every row (issue 6).
-- Append-only: once released, never edit this file.

ALTER TABLE games ADD COLUMN season TEXT;
UPDATE games SET season = json_extract(game_json, '$.season');
