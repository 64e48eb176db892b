//! The store's scorer queries: a player's scoring history across games, and the games (with
//! their plays) updated in a window for the scoring-quality checks. Read-only.

use super::error::{SqlContext, StoreError};
use super::types;
use crate::db::{Store, decode, decode_game, from_millis, parse_status};
use chrono::{DateTime, Utc};
use rusqlite::params;
use scoreline_core::model::GameKey;
use scoreline_core::model::{self, GameStatus, ScoringPlay};
use serde::Serialize;

/// Which plays [`Store::scoring_history`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    /// Only games of this season label (`model::Game::season`).
    pub season: Option<String>,
    /// Only this league.
    pub league: Option<String>,
    /// At most this many, the newest games first; none means all.
    pub limit: Option<usize>,
}

/// The game columns every scoring-history row carries, serialised as the history answers
/// name them (`game_id`, `league`, `adapter`, `season`, `start_time`, `game_state`, `home`,
/// `away`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryGameColumns {
    /// The game key.
    #[serde(flatten)]
    pub key: GameKey,
    /// The game's season label.
    pub season: Option<String>,
    /// Its scheduled start.
    pub start_time: Option<DateTime<Utc>>,
    /// Its status in the latest snapshot.
    #[serde(rename = "game_state")]
    pub status: GameStatus,
    /// Home team abbreviation.
    pub home: String,
    /// Away team abbreviation.
    pub away: String,
}

/// The SQL of [`HistoryGameColumns`], in the order [`HistoryGameColumns::from_row`] reads them.
const GAME_COLUMNS: &str = "g.league, g.adapter, g.game_id, g.season, g.start_time, g.status,
    g.home_abbreviation, g.away_abbreviation";

/// How many columns [`GAME_COLUMNS`] selects.
const GAME_COLUMN_COUNT: usize = 8;

impl HistoryGameColumns {
    /// Read [`GAME_COLUMNS`] from `r`, starting at column `at`.
    fn from_row(r: &rusqlite::Row<'_>, at: usize, op: &'static str) -> Result<Self, StoreError> {
        let key = types::game_key_from_row(r, at).op(op)?;
        let start: Option<i64> = r.get(at + 4).op(op)?;
        let status: String = r.get(at + 5).op(op)?;
        Ok(HistoryGameColumns {
            season: r.get(at + 3).op(op)?,
            start_time: start
                .map(|ms| from_millis(ms, "games.start_time", &key))
                .transpose()?,
            status: parse_status(&status, "games.status", &key)?,
            home: r.get(at + 6).op(op)?,
            away: r.get(at + 7).op(op)?,
            key,
        })
    }
}

/// One play credited to a player, with its game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The game.
    pub game: HistoryGameColumns,
    /// Home side's upstream id.
    pub home_id: String,
    /// Away side's upstream id.
    pub away_id: String,
    /// The play.
    pub play: ScoringPlay,
    /// The play opened the game's scoring (lowest sequence, scored from 0-0).
    pub is_first_scorer: bool,
}

/// A player's plays in one game, summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryGame {
    /// The game.
    pub game: HistoryGameColumns,
    /// The player's scoring plays in the game.
    pub plays: u32,
    /// Their points.
    pub points: u32,
    /// One of them opened the game's scoring.
    pub first: bool,
    /// Their sequences, ascending.
    pub sequences: Vec<u32>,
}

/// A game with its stored scoring plays, by sequence.
pub type GamePlays = (GameKey, model::Game, Vec<ScoringPlay>);

/// The play columns every query here selects, in this order, after the game columns.
const PLAY_COLUMNS: &str = "sp.sequence, sp.period, sp.clock, sp.team, sp.scorer_id,
    sp.scorer_name, sp.kind, sp.points, sp.home_score, sp.away_score, sp.description,
    sp.assists_json, sp.details_json";

/// A play row as read, before its JSON columns are decoded.
struct RawPlay {
    play: ScoringPlay,
    assists: String,
    details: String,
}

impl RawPlay {
    /// Read [`PLAY_COLUMNS`] starting at column `at`.
    fn from_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<RawPlay> {
        Ok(RawPlay {
            play: ScoringPlay {
                sequence: r.get(at)?,
                period: r.get(at + 1)?,
                clock: r.get(at + 2)?,
                team: r.get(at + 3)?,
                scorer_id: r.get(at + 4)?,
                scorer_name: r.get(at + 5)?,
                assists: Vec::new(),
                kind: r.get(at + 6)?,
                points: r.get(at + 7)?,
                home_score: r.get(at + 8)?,
                away_score: r.get(at + 9)?,
                description: r.get(at + 10)?,
                details: Default::default(),
            },
            assists: r.get(at + 11)?,
            details: r.get(at + 12)?,
        })
    }

    fn decode(self, key: &GameKey) -> Result<ScoringPlay, StoreError> {
        Ok(ScoringPlay {
            assists: decode(&self.assists, "scoring_plays.assists_json", key)?,
            details: decode(&self.details, "scoring_plays.details_json", key)?,
            ..self.play
        })
    }
}

impl Store {
    /// The plays crediting `player_id` (as `scorer_id`), newest game first (by start time, then
    /// key), each game's plays by sequence.
    pub fn scoring_history(
        &self,
        player_id: &str,
        filter: &HistoryFilter,
    ) -> Result<Vec<HistoryRow>, StoreError> {
        const OP: &str = "scoring_history";
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        // `is_first`: the play scored from 0-0 and no play of its game has a lower sequence
        // (the rule of `scorers::first_play`, as an index probe that stops at the first row).
        let sql = format!(
            "SELECT {GAME_COLUMNS}, g.home_id, g.away_id,
                 CASE WHEN sp.home_score + sp.away_score = sp.points OR sp.points = 0
                     THEN NOT EXISTS (SELECT 1 FROM scoring_plays f WHERE f.league = sp.league
                         AND f.adapter = sp.adapter AND f.game_id = sp.game_id
                         AND f.sequence < sp.sequence)
                     ELSE 0 END,
                 {PLAY_COLUMNS}
             FROM scoring_plays sp
             JOIN games g ON g.league = sp.league AND g.adapter = sp.adapter
                 AND g.game_id = sp.game_id
             WHERE sp.scorer_id = ?1
                 AND (?2 IS NULL OR g.season = ?2)
                 AND (?3 IS NULL OR g.league = ?3)
             ORDER BY g.start_time IS NULL, g.start_time DESC, g.league, g.adapter, g.game_id,
                 sp.sequence
             LIMIT ?4"
        );
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).op(OP)?;
        let mut rows = stmt
            .query(params![player_id, filter.season, filter.league, limit])
            .op(OP)?;
        let mut out: Vec<HistoryRow> = Vec::new();
        const AT: usize = GAME_COLUMN_COUNT;
        while let Some(r) = rows.next().op(OP)? {
            let game = HistoryGameColumns::from_row(r, 0, OP)?;
            let play = RawPlay::from_row(r, AT + 3).op(OP)?.decode(&game.key)?;
            out.push(HistoryRow {
                home_id: r.get(AT).op(OP)?,
                away_id: r.get(AT + 1).op(OP)?,
                is_first_scorer: r.get(AT + 2).op(OP)?,
                game,
                play,
            });
        }
        Ok(out)
    }

    /// The games with plays crediting `player_id`, newest first (by start time, then key), one
    /// row per game with the plays summed: what the scoring-history route answers by default.
    /// `limit` counts games.
    pub fn scoring_history_games(
        &self,
        player_id: &str,
        filter: &HistoryFilter,
    ) -> Result<Vec<HistoryGame>, StoreError> {
        const OP: &str = "scoring_history_games";
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                // Plays are summed per game from the covering scorer index first, so each
                // game is joined once, not once per play; its season is a column (0007).
                &format!(
                    "SELECT {GAME_COLUMNS}, a.n, a.points, a.first, a.sequences
                 FROM (SELECT sp.league, sp.adapter, sp.game_id, COUNT(*) AS n,
                         SUM(sp.points) AS points,
                         MAX(CASE WHEN sp.home_score + sp.away_score = sp.points OR sp.points = 0
                             THEN NOT EXISTS (SELECT 1 FROM scoring_plays f
                                 WHERE f.league = sp.league AND f.adapter = sp.adapter
                                 AND f.game_id = sp.game_id AND f.sequence < sp.sequence)
                             ELSE 0 END) AS first,
                         group_concat(sp.sequence) AS sequences
                     FROM scoring_plays sp WHERE sp.scorer_id = ?1
                     GROUP BY sp.league, sp.adapter, sp.game_id) a
                 JOIN games g ON g.league = a.league AND g.adapter = a.adapter
                     AND g.game_id = a.game_id
                 WHERE (?2 IS NULL OR g.season = ?2)
                     AND (?3 IS NULL OR g.league = ?3)
                 ORDER BY g.start_time IS NULL, g.start_time DESC, g.league, g.adapter, g.game_id
                 LIMIT ?4"
                ),
            )
            .op(OP)?;
        let mut rows = stmt
            .query(params![player_id, filter.season, filter.league, limit])
            .op(OP)?;
        let mut out = Vec::new();
        const AT: usize = GAME_COLUMN_COUNT;
        while let Some(r) = rows.next().op(OP)? {
            let game = HistoryGameColumns::from_row(r, 0, OP)?;
            let list: String = r.get(AT + 3).op(OP)?;
            let mut sequences = list
                .split(',')
                .map(|s| {
                    s.parse::<u32>().map_err(|e| StoreError::Corrupt {
                        what: "scoring_plays.sequence",
                        key: game.key.to_string(),
                        message: format!("`{s}`: {e}"),
                    })
                })
                .collect::<Result<Vec<u32>, _>>()?;
            sequences.sort_unstable();
            out.push(HistoryGame {
                plays: r.get(AT).op(OP)?,
                points: r.get(AT + 1).op(OP)?,
                first: r.get(AT + 2).op(OP)?,
                sequences,
                game,
            });
        }
        Ok(out)
    }

    /// Every game updated in `[since, until)` that has scoring plays, with its plays, by key.
    pub fn games_with_plays_between(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<GamePlays>, StoreError> {
        const OP: &str = "games_with_plays_between";
        let sql = format!(
            "SELECT g.league, g.adapter, g.game_id, g.game_json, {PLAY_COLUMNS}
             FROM games g
             JOIN scoring_plays sp ON sp.league = g.league AND sp.adapter = g.adapter
                 AND sp.game_id = g.game_id
             WHERE g.updated_at >= ?1 AND g.updated_at < ?2
             ORDER BY g.league, g.adapter, g.game_id, sp.sequence"
        );
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).op(OP)?;
        let rows = stmt
            .query_map(
                params![since.timestamp_millis(), until.timestamp_millis()],
                |r| {
                    Ok((
                        types::game_key_from_row(r, 0)?,
                        r.get::<_, String>(3)?,
                        RawPlay::from_row(r, 4)?,
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        let mut out: Vec<GamePlays> = Vec::new();
        for (key, json, raw) in rows {
            let play = raw.decode(&key)?;
            match out.last_mut() {
                Some((k, _, plays)) if *k == key => plays.push(play),
                _ => {
                    let game = decode_game(&json, &key)?;
                    out.push((key, game, vec![play]));
                }
            }
        }
        Ok(out)
    }
}
