//! The scorer routes of the HTTP API: `/api/v1/games/{id}/scorers`, `.../first-scorer`,
//! `.../players/{pid}/scored` and `/api/v1/players/{id}/scoring-history`. Each reads the store on
//! a blocking thread and answers with the shapes of `query.rs`.

use super::query::{first_scorer_json, game_scorers, history_body, scorers_json};
use crate::http::error::ApiError;
use crate::http::extract::{Path, Query};
use crate::http::state::{AppState, on_store};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use scoreline_core::scorers::{self, ScorerPlay};
use scoreline_store::HistoryFilter;
use scoreline_store::StoredGame;
use serde::Deserialize;

/// `?league=` to pick a game whose id is in more than one league.
#[derive(Debug, Deserialize)]
pub struct LeagueQuery {
    league: Option<String>,
}

fn no_game(id: &str) -> ApiError {
    ApiError::NotFound(format!("no game with id `{id}`"))
}

/// The game `id` (in `league` when given) and its scoring plays, or 404.
async fn game_and_plays(
    state: &AppState,
    id: String,
    league: Option<String>,
) -> Result<(StoredGame, Vec<ScorerPlay>), ApiError> {
    let lookup = id.clone();
    let found = on_store(&state.store, move |s| {
        game_scorers(s, &lookup, league.as_deref())
    })
    .await?;
    found.ok_or_else(|| no_game(&id))
}

/// `GET /api/v1/games/{id}/scorers`.
pub async fn scorers(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LeagueQuery>,
) -> Result<Response, ApiError> {
    let (stored, plays) = game_and_plays(&state, id, q.league).await?;
    Ok(Json(scorers_json(&stored, &plays)).into_response())
}

/// `GET /api/v1/games/{id}/first-scorer`.
pub async fn first_scorer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<LeagueQuery>,
) -> Result<Response, ApiError> {
    let (stored, plays) = game_and_plays(&state, id, q.league).await?;
    Ok(Json(first_scorer_json(&stored, &plays)).into_response())
}

/// `GET /api/v1/games/{id}/players/{pid}/scored`: `{"scored", "first"}` as `yes`, `no` or
/// `unknown` (see [`super::scored`]).
pub async fn scored(
    State(state): State<AppState>,
    Path((id, player)): Path<(String, String)>,
    Query(q): Query<LeagueQuery>,
) -> Result<Response, ApiError> {
    let lookup = id.clone();
    let found = on_store(&state.store, move |s| {
        let Some(stored) = s.game(&lookup, q.league.as_deref())? else {
            return Ok(None);
        };
        let plays = s.scoring_plays(&stored.key)?;
        Ok(Some((stored, plays)))
    })
    .await?;
    let (stored, plays) = found.ok_or_else(|| no_game(&id))?;
    Ok(Json(scorers::scored(&stored.key, &stored.game, &plays, &player)).into_response())
}

/// `?season=&league=&limit=&plays=` of the scoring history.
#[derive(Debug, Deserialize)]
pub struct HistoryQuery {
    season: Option<String>,
    league: Option<String>,
    /// At most this many games (and, with `plays`, plays), the newest first; any `u64` (past the
    /// store's own range it is no limit).
    limit: Option<u64>,
    /// Also list every play (`scoring_plays`), not only the per-game rows.
    #[serde(default)]
    plays: bool,
}

/// `GET /api/v1/players/{id}/scoring-history`.
pub async fn history(
    State(state): State<AppState>,
    Path(player): Path<String>,
    Query(q): Query<HistoryQuery>,
) -> Result<Response, ApiError> {
    let filter = HistoryFilter {
        season: q.season.filter(|s| !s.is_empty()),
        league: q.league.filter(|s| !s.is_empty()),
        limit: q.limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
    };
    let season = filter.season.clone();
    let lookup = player.clone();
    let with_plays = q.plays;
    let (games, plays) = on_store(&state.store, move |s| {
        let games = s.scoring_history_games(&lookup, &filter)?;
        let plays = if with_plays {
            Some(s.scoring_history(&lookup, &filter)?)
        } else {
            None
        };
        Ok((games, plays))
    })
    .await?;
    Ok(Json(history_body(
        &player,
        season.as_deref(),
        &games,
        plays.as_deref(),
    ))
    .into_response())
}
