//! Games, their timelines, scoring plays and schedules: what the poller records per game, and
//! the queries that read it back (latest snapshots, game lookup, timeline, schedule, teams).

use crate::db::{Store, decode, decode_game, encode, from_millis, parse_status};
use crate::error::{SqlContext, StoreError};
use crate::points;
use crate::types::{self, GameFilter, Recorded, StoredGame, TimelineRow, UnconfirmedGame};
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::types::ToSql;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use scoreline_core::influx::schema::{self, Policy};
use scoreline_core::model::{self, GameStatus};
use scoreline_core::model::{GameKey, ScheduledGame, TeamRef};

impl Store {
    /// Upsert the latest snapshot of `key` and append a timeline row when its state changed (see
    /// [`Recorded::state_changed`]). One transaction. Refuses a snapshot whose id is not the key's
    /// game id, and one observed before the stored snapshot.
    pub fn record_game(
        &self,
        key: &GameKey,
        game: &model::Game,
        observed_at: DateTime<Utc>,
    ) -> Result<Recorded, StoreError> {
        const OP: &str = "record_game";
        if game.id != key.game_id {
            return Err(StoreError::KeyMismatch {
                key: key.to_string(),
                found: game.id.clone(),
            });
        }
        let json = encode("game snapshot", key, game)?;
        let at = observed_at.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let stored: Option<StoredState> = tx
            .prepare_cached(
                "SELECT updated_at, status, period, home_score, away_score, game_json
                 FROM games WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
            )
            .op(OP)?
            .query_row(params![key.league, key.adapter, key.game_id], |r| {
                Ok(StoredState {
                    updated_at: r.get(0)?,
                    status: r.get(1)?,
                    period: r.get(2)?,
                    home_score: r.get(3)?,
                    away_score: r.get(4)?,
                    json: r.get(5)?,
                })
            })
            .optional()
            .op(OP)?;
        let (previous, state_changed) = match stored {
            None => (None, true),
            Some(s) => {
                if at < s.updated_at {
                    return Err(StoreError::OutOfOrder {
                        key: key.to_string(),
                        observed_at: rfc3339(observed_at),
                        stored_at: from_millis(s.updated_at, "games.updated_at", key)
                            .map_or_else(|_| s.updated_at.to_string(), rfc3339),
                    });
                }
                let changed = s.status != game.status.as_str()
                    || s.period != game.period
                    || s.home_score != game.home.score
                    || s.away_score != game.away.score;
                (Some(decode_game(&s.json, key)?), changed)
            }
        };
        tx.prepare_cached(
            "INSERT INTO games (league, adapter, game_id, status, start_time,
                 home_id, home_abbreviation, home_name, home_score,
                 away_id, away_abbreviation, away_name, away_score,
                 period, clock, clock_seconds, first_seen_at, updated_at, game_json, season)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                 ?17, ?17, ?18, ?19)
             ON CONFLICT (league, adapter, game_id) DO UPDATE SET
                 status = excluded.status, start_time = excluded.start_time,
                 home_id = excluded.home_id, home_abbreviation = excluded.home_abbreviation,
                 home_name = excluded.home_name, home_score = excluded.home_score,
                 away_id = excluded.away_id, away_abbreviation = excluded.away_abbreviation,
                 away_name = excluded.away_name, away_score = excluded.away_score,
                 period = excluded.period, clock = excluded.clock,
                 clock_seconds = excluded.clock_seconds, updated_at = excluded.updated_at,
                 game_json = excluded.game_json, season = excluded.season,
                 unconfirmed_since = NULL",
        )
        .op(OP)?
        .execute(params![
            key.league,
            key.adapter,
            key.game_id,
            game.status.as_str(),
            game.start_time.map(|t| t.timestamp_millis()),
            game.home.id,
            game.home.abbreviation,
            game.home.name,
            game.home.score,
            game.away.id,
            game.away.abbreviation,
            game.away.name,
            game.away.score,
            game.period,
            game.clock,
            game.clock_seconds,
            at,
            json,
            game.season,
        ])
        .op(OP)?;
        if state_changed {
            tx.prepare_cached(
                "INSERT INTO timeline (league, adapter, game_id, observed_at, status, period,
                     clock, clock_seconds, home_score, away_score)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .op(OP)?
            .execute(params![
                key.league,
                key.adapter,
                key.game_id,
                at,
                game.status.as_str(),
                game.period,
                game.clock,
                game.clock_seconds,
                game.home.score,
                game.away.score,
            ])
            .op(OP)?;
            let mut pts = vec![
                (Policy::Live, schema::game_state(game, observed_at)),
                (Policy::Live, schema::games(game, observed_at)),
            ];
            if let Some(r) = schema::game_result(game, observed_at) {
                pts.push((Policy::Aggregates, r));
            }
            points::append(self, &tx, &key.to_string(), &pts, at)?;
        }
        tx.commit().op(OP)?;
        Ok(Recorded {
            new_game: previous.is_none(),
            state_changed,
            previous,
        })
    }

    /// Upsert `plays` of a game already recorded with [`Store::record_game`]. Returns how many
    /// rows were inserted or changed (an identical re-recorded play counts 0). One transaction.
    pub fn record_scoring_plays(
        &self,
        key: &GameKey,
        plays: &[model::ScoringPlay],
        observed_at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        const OP: &str = "record_scoring_plays";
        let at = observed_at.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let known = tx
            .prepare_cached(
                "SELECT 1 FROM games WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
            )
            .op(OP)?
            .exists(params![key.league, key.adapter, key.game_id])
            .op(OP)?;
        if !known {
            return Err(StoreError::UnknownGame {
                key: key.to_string(),
            });
        }
        let mut changed = 0;
        let mut changed_plays: Vec<(&model::ScoringPlay, i64)> = Vec::new();
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO scoring_plays (league, adapter, game_id, sequence, period, clock,
                         team, scorer_id, scorer_name, assists_json, kind, points, home_score,
                         away_score, description, details_json, first_seen_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                         ?16, ?17, ?17)
                     ON CONFLICT (league, adapter, game_id, sequence) DO UPDATE SET
                         period = excluded.period, clock = excluded.clock, team = excluded.team,
                         scorer_id = excluded.scorer_id, scorer_name = excluded.scorer_name,
                         assists_json = excluded.assists_json, kind = excluded.kind,
                         points = excluded.points, home_score = excluded.home_score,
                         away_score = excluded.away_score, description = excluded.description,
                         details_json = excluded.details_json, updated_at = excluded.updated_at
                     WHERE scoring_plays.period IS NOT excluded.period
                         OR scoring_plays.clock IS NOT excluded.clock
                         OR scoring_plays.team IS NOT excluded.team
                         OR scoring_plays.scorer_id IS NOT excluded.scorer_id
                         OR scoring_plays.scorer_name IS NOT excluded.scorer_name
                         OR scoring_plays.assists_json IS NOT excluded.assists_json
                         OR scoring_plays.kind IS NOT excluded.kind
                         OR scoring_plays.points IS NOT excluded.points
                         OR scoring_plays.home_score IS NOT excluded.home_score
                         OR scoring_plays.away_score IS NOT excluded.away_score
                         OR scoring_plays.description IS NOT excluded.description
                         OR scoring_plays.details_json IS NOT excluded.details_json
                     RETURNING first_seen_at",
                )
                .op(OP)?;
            for p in plays {
                let assists = encode("scoring play assists", key, &p.assists)?;
                let details = encode("scoring play details", key, &p.details)?;
                let first_seen: Option<i64> = upsert
                    .query_row(
                        params![
                            key.league,
                            key.adapter,
                            key.game_id,
                            p.sequence,
                            p.period,
                            p.clock,
                            p.team,
                            p.scorer_id,
                            p.scorer_name,
                            assists,
                            p.kind,
                            p.points,
                            p.home_score,
                            p.away_score,
                            p.description,
                            details,
                            at,
                        ],
                        |r| r.get(0),
                    )
                    .optional()
                    .op(OP)?;
                if let Some(first_seen) = first_seen {
                    changed += 1;
                    changed_plays.push((p, first_seen));
                }
            }
        }
        if !changed_plays.is_empty() && self.point_outbox_enabled() {
            let first: Option<u32> = tx
                .prepare_cached(
                    "SELECT MIN(sequence) FROM scoring_plays
                     WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
                )
                .op(OP)?
                .query_row(params![key.league, key.adapter, key.game_id], |r| r.get(0))
                .op(OP)?;
            let pts: Vec<(Policy, scoreline_core::influx::line::Point)> = changed_plays
                .iter()
                .map(|(p, first_seen)| {
                    let seen = DateTime::from_timestamp_millis(*first_seen).unwrap_or(observed_at);
                    (
                        Policy::Live,
                        schema::scoring_play(
                            &key.league,
                            &key.game_id,
                            p,
                            first == Some(p.sequence),
                            seen,
                        ),
                    )
                })
                .collect();
            points::append(self, &tx, &key.to_string(), &pts, at)?;
        }
        tx.commit().op(OP)?;
        Ok(changed)
    }

    /// Upsert the schedule rows of `games` for `league` as reported by `adapter` (the game key's
    /// adapter) and recorded from `source` (the adapter's name, or `ingest` for a file). One
    /// transaction.
    pub fn record_schedule(
        &self,
        league: &str,
        adapter: &str,
        games: &[model::Game],
        source: &str,
        observed_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        const OP: &str = "record_schedule";
        let at = observed_at.timestamp_millis();
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO schedules (league, adapter, game_id, start_time,
                         home_id, home_abbreviation, home_name,
                         away_id, away_abbreviation, away_name, status, source, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
                     ON CONFLICT (league, adapter, game_id) DO UPDATE SET
                         start_time = excluded.start_time,
                         home_id = excluded.home_id,
                         home_abbreviation = excluded.home_abbreviation,
                         home_name = excluded.home_name, away_id = excluded.away_id,
                         away_abbreviation = excluded.away_abbreviation,
                         away_name = excluded.away_name, status = excluded.status,
                         source = excluded.source, updated_at = excluded.updated_at",
                )
                .op(OP)?;
            for g in games {
                upsert
                    .execute(params![
                        league,
                        adapter,
                        g.id,
                        g.start_time.map(|t| t.timestamp_millis()),
                        g.home.id,
                        g.home.abbreviation,
                        g.home.name,
                        g.away.id,
                        g.away.abbreviation,
                        g.away.name,
                        g.status.as_str(),
                        source,
                        at,
                    ])
                    .op(OP)?;
            }
        }
        tx.commit().op(OP)
    }

    /// The latest snapshot of `key`.
    pub fn latest(&self, key: &GameKey) -> Result<Option<model::Game>, StoreError> {
        const OP: &str = "latest";
        let conn = self.conn();
        let json: Option<String> = conn
            .prepare_cached(
                "SELECT game_json FROM games WHERE league = ?1 AND adapter = ?2 AND game_id = ?3",
            )
            .op(OP)?
            .query_row(params![key.league, key.adapter, key.game_id], |r| r.get(0))
            .optional()
            .op(OP)?;
        json.map(|j| decode_game(&j, key)).transpose()
    }

    /// The latest snapshot of every game of `league` (any adapter), by start time: what the
    /// daemon diffs against after a restart.
    pub fn latest_for_league(
        &self,
        league: &str,
    ) -> Result<Vec<(GameKey, model::Game)>, StoreError> {
        const OP: &str = "latest_for_league";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT league, adapter, game_id, updated_at, game_json FROM games
                 WHERE league = ?1
                 ORDER BY start_time IS NULL, start_time, adapter, game_id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![league], RawGame::from_row)
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|raw| raw.decode().map(|s| (s.key, s.game)))
            .collect()
    }

    /// Games matching `filter`, by start time (games without one last), then by key.
    pub fn games(&self, filter: &GameFilter) -> Result<Vec<StoredGame>, StoreError> {
        const OP: &str = "games";
        let mut sql = String::from(
            "SELECT league, adapter, game_id, updated_at, game_json FROM games WHERE 1 = 1",
        );
        let mut args: Vec<&dyn ToSql> = Vec::new();
        if let Some(league) = &filter.league {
            args.push(league);
            sql.push_str(&format!(" AND league = ?{}", args.len()));
        }
        let status = filter.status.map(GameStatus::as_str);
        if let Some(status) = &status {
            args.push(status);
            sql.push_str(&format!(" AND status = ?{}", args.len()));
        }
        // A game in play that upstream stopped listing and its detail did not confirm is not
        // shown as in play (see `mark_unconfirmed`).
        if filter.status.is_some_and(in_play) {
            sql.push_str(" AND unconfirmed_since IS NULL");
        }
        // A negative LIMIT means none.
        let limit = filter
            .limit
            .map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        args.push(&limit);
        sql.push_str(&format!(
            " ORDER BY start_time IS NULL, start_time, league, adapter, game_id LIMIT ?{}",
            args.len()
        ));
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).op(OP)?;
        let rows = stmt
            .query_map(args.as_slice(), RawGame::from_row)
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter().map(RawGame::decode).collect()
    }

    /// Mark game `key` unconfirmed from `at` (kept if already marked): upstream stopped listing
    /// it while it was in play and its own detail did not settle it. It leaves the in-play
    /// listings of [`Store::games`] until a new snapshot of it is recorded. Whether it was
    /// marked now (false: already marked, or unknown).
    pub fn mark_unconfirmed(&self, key: &GameKey, at: DateTime<Utc>) -> Result<bool, StoreError> {
        const OP: &str = "mark_unconfirmed";
        let conn = self.conn();
        let n = conn
            .prepare_cached(
                "UPDATE games SET unconfirmed_since = ?4
                 WHERE league = ?1 AND adapter = ?2 AND game_id = ?3
                   AND unconfirmed_since IS NULL",
            )
            .op(OP)?
            .execute(params![
                key.league,
                key.adapter,
                key.game_id,
                at.timestamp_millis()
            ])
            .op(OP)?;
        Ok(n > 0)
    }

    /// Every game marked unconfirmed, the longest unconfirmed first.
    pub fn unconfirmed_games(&self) -> Result<Vec<UnconfirmedGame>, StoreError> {
        const OP: &str = "unconfirmed_games";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT league, adapter, game_id, updated_at, game_json, unconfirmed_since
                 FROM games WHERE unconfirmed_since IS NOT NULL
                 ORDER BY unconfirmed_since, league, adapter, game_id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map([], |r| Ok((RawGame::from_row(r)?, r.get::<_, i64>(5)?)))
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(raw, since)| {
                let unconfirmed_since = from_millis(since, "games.unconfirmed_since", &raw.key)?;
                let stored = raw.decode()?;
                Ok(UnconfirmedGame {
                    key: stored.key,
                    game: stored.game,
                    updated_at: stored.updated_at,
                    unconfirmed_since,
                })
            })
            .collect()
    }

    /// The game with upstream id `game_id`, in `league` if given. More than one match (the same
    /// id in two leagues, or from two adapters) is `StoreError::Ambiguous`.
    pub fn game(
        &self,
        game_id: &str,
        league: Option<&str>,
    ) -> Result<Option<StoredGame>, StoreError> {
        const OP: &str = "game";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT league, adapter, game_id, updated_at, game_json FROM games
                 WHERE game_id = ?1 AND (?2 IS NULL OR league = ?2)
                 ORDER BY league, adapter",
            )
            .op(OP)?;
        let mut rows = stmt
            .query_map(params![game_id, league], RawGame::from_row)
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        if rows.len() > 1 {
            return Err(StoreError::Ambiguous {
                game_id: game_id.to_owned(),
                keys: rows.iter().map(|r| r.key.to_string()).collect(),
            });
        }
        rows.pop().map(RawGame::decode).transpose()
    }

    /// Every state change of `key`, oldest first.
    pub fn timeline(&self, key: &GameKey) -> Result<Vec<TimelineRow>, StoreError> {
        const OP: &str = "timeline";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, observed_at, status, period, clock, clock_seconds, home_score,
                     away_score
                 FROM timeline WHERE league = ?1 AND adapter = ?2 AND game_id = ?3
                 ORDER BY observed_at, id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![key.league, key.adapter, key.game_id], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(
                |(
                    id,
                    observed_at,
                    status,
                    period,
                    clock,
                    clock_seconds,
                    home_score,
                    away_score,
                )| {
                    Ok(TimelineRow {
                        id,
                        observed_at: from_millis(observed_at, "timeline.observed_at", key)?,
                        status: parse_status(&status, "timeline.status", key)?,
                        period,
                        clock,
                        clock_seconds,
                        home_score,
                        away_score,
                    })
                },
            )
            .collect()
    }

    /// The scoring plays of `key`, by sequence.
    pub fn scoring_plays(&self, key: &GameKey) -> Result<Vec<model::ScoringPlay>, StoreError> {
        const OP: &str = "scoring_plays";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT sequence, period, clock, team, scorer_id, scorer_name, kind, points,
                     home_score, away_score, description, assists_json, details_json
                 FROM scoring_plays WHERE league = ?1 AND adapter = ?2 AND game_id = ?3
                 ORDER BY sequence",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![key.league, key.adapter, key.game_id], |r| {
                Ok((
                    model::ScoringPlay {
                        sequence: r.get(0)?,
                        period: r.get(1)?,
                        clock: r.get(2)?,
                        team: r.get(3)?,
                        scorer_id: r.get(4)?,
                        scorer_name: r.get(5)?,
                        assists: Vec::new(),
                        kind: r.get(6)?,
                        points: r.get(7)?,
                        home_score: r.get(8)?,
                        away_score: r.get(9)?,
                        description: r.get(10)?,
                        details: Default::default(),
                    },
                    r.get::<_, String>(11)?,
                    r.get::<_, String>(12)?,
                ))
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(play, assists, details)| {
                Ok(model::ScoringPlay {
                    assists: decode(&assists, "scoring_plays.assists_json", key)?,
                    details: decode(&details, "scoring_plays.details_json", key)?,
                    ..play
                })
            })
            .collect()
    }

    /// The schedule of `league` with a start in `[from, to)`, by start time.
    pub fn schedule(
        &self,
        league: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ScheduledGame>, StoreError> {
        const OP: &str = "schedule";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT league, adapter, game_id, start_time,
                     home_id, home_abbreviation, home_name,
                     away_id, away_abbreviation, away_name, status, source, updated_at
                 FROM schedules WHERE league = ?1 AND start_time >= ?2 AND start_time < ?3
                 ORDER BY start_time, adapter, game_id",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(
                params![league, from.timestamp_millis(), to.timestamp_millis()],
                |r| {
                    Ok((
                        types::game_key_from_row(r, 0)?,
                        r.get::<_, i64>(3)?,
                        TeamRef {
                            id: r.get(4)?,
                            abbreviation: r.get(5)?,
                            name: r.get(6)?,
                        },
                        TeamRef {
                            id: r.get(7)?,
                            abbreviation: r.get(8)?,
                            name: r.get(9)?,
                        },
                        r.get::<_, String>(10)?,
                        r.get::<_, String>(11)?,
                        r.get::<_, i64>(12)?,
                    ))
                },
            )
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(|(key, start, home, away, status, source, updated)| {
                Ok(ScheduledGame {
                    start_time: from_millis(start, "schedules.start_time", &key)?,
                    status: parse_status(&status, "schedules.status", &key)?,
                    updated_at: from_millis(updated, "schedules.updated_at", &key)?,
                    key,
                    home,
                    away,
                    source,
                })
            })
            .collect()
    }

    /// Every team the store has seen in `league` under `adapter`, on either side of a game or a
    /// schedule row, once per id: the newest naming wins (a snapshot over a schedule row, then
    /// the latest update). Sorted by id. What `schedule ingest` maps names onto.
    pub fn teams(&self, league: &str, adapter: &str) -> Result<Vec<TeamRef>, StoreError> {
        const OP: &str = "teams";
        let conn = self.conn();
        let mut stmt = conn
            .prepare_cached(
                "SELECT id, abbreviation, name FROM (
                     SELECT home_id AS id, home_abbreviation AS abbreviation, home_name AS name,
                         1 AS rank, updated_at FROM games WHERE league = ?1 AND adapter = ?2
                     UNION ALL
                     SELECT away_id, away_abbreviation, away_name, 1, updated_at
                         FROM games WHERE league = ?1 AND adapter = ?2
                     UNION ALL
                     SELECT home_id, home_abbreviation, home_name, 0, updated_at
                         FROM schedules WHERE league = ?1 AND adapter = ?2
                     UNION ALL
                     SELECT away_id, away_abbreviation, away_name, 0, updated_at
                         FROM schedules WHERE league = ?1 AND adapter = ?2)
                 WHERE id <> ''
                 ORDER BY id, rank DESC, updated_at DESC, abbreviation, name",
            )
            .op(OP)?;
        let rows = stmt
            .query_map(params![league, adapter], |r| {
                Ok(TeamRef {
                    id: r.get(0)?,
                    abbreviation: r.get(1)?,
                    name: r.get(2)?,
                })
            })
            .op(OP)?
            .collect::<Result<Vec<_>, _>>()
            .op(OP)?;
        let mut teams: Vec<TeamRef> = Vec::new();
        for t in rows {
            if teams.last().is_none_or(|last| last.id != t.id) {
                teams.push(t);
            }
        }
        Ok(teams)
    }
}

/// The stored state of a game, as `record_game` compares it.
struct StoredState {
    updated_at: i64,
    status: String,
    period: Option<u32>,
    home_score: Option<u32>,
    away_score: Option<u32>,
    json: String,
}

/// A `games` row as read, before its JSON and time are decoded.
struct RawGame {
    key: GameKey,
    updated_at: i64,
    json: String,
}

impl RawGame {
    /// Read `league, adapter, game_id, updated_at, game_json`.
    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawGame> {
        Ok(RawGame {
            key: types::game_key_from_row(r, 0)?,
            updated_at: r.get(3)?,
            json: r.get(4)?,
        })
    }

    fn decode(self) -> Result<StoredGame, StoreError> {
        Ok(StoredGame {
            game: decode_game(&self.json, &self.key)?,
            updated_at: from_millis(self.updated_at, "games.updated_at", &self.key)?,
            key: self.key,
        })
    }
}

/// Live, in an intermission or delayed.
fn in_play(status: GameStatus) -> bool {
    matches!(
        status,
        GameStatus::Live | GameStatus::Intermission | GameStatus::Delayed
    )
}

/// RFC 3339 with milliseconds, for messages.
fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}
