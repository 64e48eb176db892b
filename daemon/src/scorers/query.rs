//! `scoreline scorers` and `scoreline player`: the scorer queries read straight from the store (no
//! daemon needed), and the JSON shapes the HTTP routes answer with too. Rendering is pure over
//! stored rows.

use clap::Args;
use scoreline_core::scorers::{ScorerPlay, annotate};
use scoreline_store::{
    HistoryFilter, HistoryGame, HistoryGameColumns, HistoryRow, Store, StoreError, StoredGame,
};
use serde::Serialize;
use serde_json::{Value, json};

/// Flags of `scoreline scorers`.
#[derive(Debug, Clone, Args)]
pub struct ScorersArgs {
    /// Upstream game id.
    pub game_id: String,
    /// The game's league, when the id is in more than one.
    #[arg(long)]
    pub league: Option<String>,
    /// Only the first scorer.
    #[arg(long)]
    pub first: bool,
    /// Print JSON: `{"game_id", "scoring_plays": [...]}`.
    #[arg(long)]
    pub json: bool,
}

/// Flags of `scoreline player`.
#[derive(Debug, Clone, Args)]
pub struct PlayerArgs {
    /// Upstream player id (the `scorer_id` of plays).
    pub player_id: String,
    /// Only games of this season label, e.g. `2023`.
    #[arg(long)]
    pub season: Option<String>,
    /// Only this league.
    #[arg(long)]
    pub league: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Why a scorer query failed.
#[derive(Debug, thiserror::Error)]
pub enum ScorersError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No game has that id.
    #[error("no game with id `{0}`")]
    NoGame(String),
    /// The output could not be encoded.
    #[error("cannot encode scorers: {0}")]
    Encode(#[from] serde_json::Error),
}

/// `{"game_id", "league", "adapter", "game_state", "scoring_plays": [...]}`: every play with the
/// `plugin exec` fields plus `is_first_scorer`, by sequence.
pub fn scorers_json(stored: &StoredGame, plays: &[ScorerPlay]) -> Value {
    json!({
        "game_id": stored.game.id,
        "league": stored.key.league,
        "adapter": stored.key.adapter,
        "game_state": stored.game.status,
        "scoring_plays": plays,
    })
}

/// `{"game_id", "league", "adapter", "game_state", "first_scorer": play or null}`.
pub fn first_scorer_json(stored: &StoredGame, plays: &[ScorerPlay]) -> Value {
    json!({
        "game_id": stored.game.id,
        "league": stored.key.league,
        "adapter": stored.key.adapter,
        "game_state": stored.game.status,
        "first_scorer": plays.iter().find(|p| p.is_first_scorer),
    })
}

/// One game of a player's scoring history, as the JSON answers list it.
#[derive(Debug, Serialize)]
struct HistoryGameOut<'a> {
    #[serde(flatten)]
    game: &'a HistoryGameColumns,
    plays: u32,
    points: u32,
    first_scorer: bool,
    sequences: &'a [u32],
}

/// One play of a player's scoring history: the play's fields, then its game's.
#[derive(Debug, Serialize)]
struct HistoryPlayOut<'a> {
    #[serde(flatten)]
    play: &'a scoreline_core::model::ScoringPlay,
    is_first_scorer: bool,
    #[serde(flatten)]
    game: &'a HistoryGameColumns,
}

/// A player's scoring history: `{"player_id", "season", "games", "plays", "points",
/// "first_scorer_games", "history": [...]}` plus `"scoring_plays": [...]` when `plays` are given.
/// Serialised straight into the response body (no intermediate JSON value per play).
#[derive(Debug, Serialize)]
pub struct HistoryBody<'a> {
    player_id: &'a str,
    season: Option<&'a str>,
    games: usize,
    plays: u64,
    points: u64,
    first_scorer_games: usize,
    history: Vec<HistoryGameOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scoring_plays: Option<Vec<HistoryPlayOut<'a>>>,
}

/// The history body of `player_id` from the per-game rows and, optionally, every play.
pub fn history_body<'a>(
    player_id: &'a str,
    season: Option<&'a str>,
    games: &'a [HistoryGame],
    plays: Option<&'a [HistoryRow]>,
) -> HistoryBody<'a> {
    HistoryBody {
        player_id,
        season,
        games: games.len(),
        plays: games.iter().map(|h| u64::from(h.plays)).sum(),
        points: games.iter().map(|h| u64::from(h.points)).sum(),
        first_scorer_games: games.iter().filter(|h| h.first).count(),
        history: games
            .iter()
            .map(|h| HistoryGameOut {
                game: &h.game,
                plays: h.plays,
                points: h.points,
                first_scorer: h.first,
                sequences: &h.sequences,
            })
            .collect(),
        scoring_plays: plays.map(|rows| {
            rows.iter()
                .map(|r| HistoryPlayOut {
                    play: &r.play,
                    is_first_scorer: r.is_first_scorer,
                    game: &r.game,
                })
                .collect()
        }),
    }
}

/// [`history_body`] as a JSON value (the CLI reads fields from it).
pub fn history_json(
    player_id: &str,
    season: Option<&str>,
    games: &[HistoryGame],
    plays: Option<&[HistoryRow]>,
) -> Value {
    serde_json::to_value(history_body(player_id, season, games, plays)).unwrap_or(Value::Null)
}

/// Read the game and its annotated plays.
pub fn game_scorers(
    store: &Store,
    game_id: &str,
    league: Option<&str>,
) -> Result<Option<(StoredGame, Vec<ScorerPlay>)>, StoreError> {
    let Some(stored) = store.game(game_id, league)? else {
        return Ok(None);
    };
    let plays = annotate(&store.scoring_plays(&stored.key)?);
    Ok(Some((stored, plays)))
}

/// `scoreline scorers`.
pub fn run_scorers(store: &Store, args: &ScorersArgs) -> Result<String, ScorersError> {
    let (stored, plays) = game_scorers(store, &args.game_id, args.league.as_deref())?
        .ok_or_else(|| ScorersError::NoGame(args.game_id.clone()))?;
    let shown: Vec<ScorerPlay> = if args.first {
        plays.into_iter().filter(|p| p.is_first_scorer).collect()
    } else {
        plays
    };
    if args.json {
        return Ok(serde_json::to_string_pretty(&scorers_json(&stored, &shown))? + "\n");
    }
    let g = &stored.game;
    let mut out = format!(
        "{}/{} {} {} {}-{} {} ({} scoring play(s){})\n",
        stored.key.league,
        g.id,
        g.status,
        g.home.abbreviation,
        g.home.score.map_or("-".to_owned(), |s| s.to_string()),
        g.away.score.map_or("-".to_owned(), |s| s.to_string()),
        g.away.abbreviation,
        shown.len(),
        if args.first { ", first only" } else { "" }
    );
    for p in &shown {
        out.push_str(&play_line(
            (&g.home.id, &g.home.abbreviation),
            (&g.away.id, &g.away.abbreviation),
            p,
        ));
    }
    Ok(out)
}

/// `scoreline player`.
pub fn run_player(store: &Store, args: &PlayerArgs) -> Result<String, ScorersError> {
    let filter = HistoryFilter {
        season: args.season.clone(),
        league: args.league.clone(),
        limit: None,
    };
    let games = store.scoring_history_games(&args.player_id, &filter)?;
    let rows = store.scoring_history(&args.player_id, &filter)?;
    let v = history_json(&args.player_id, args.season.as_deref(), &games, Some(&rows));
    if args.json {
        return Ok(serde_json::to_string_pretty(&v)? + "\n");
    }
    let mut out = format!(
        "player {}{}: {} play(s) in {} game(s), first scorer in {}\n",
        args.player_id,
        args.season
            .as_deref()
            .map(|s| format!(" season {s}"))
            .unwrap_or_default(),
        v["plays"],
        v["games"],
        v["first_scorer_games"]
    );
    for r in &rows {
        let g = &r.game;
        out.push_str(&format!(
            "{} {}/{} {}@{} ",
            g.start_time
                .map_or("-".to_owned(), |t| t.format("%Y-%m-%d").to_string()),
            g.key.league,
            g.key.game_id,
            g.away,
            g.home,
        ));
        out.push_str(&play_line(
            (&r.home_id, &g.home),
            (&r.away_id, &g.away),
            &ScorerPlay {
                play: r.play.clone(),
                is_first_scorer: r.is_first_scorer,
            },
        ));
    }
    Ok(out)
}

/// `  #1 P1 9:44 DAL Jake Ferguson (4242355) touchdown +7 7-0 FIRST`.
/// `home` and `away` are (upstream id, abbreviation).
fn play_line(home: (&str, &str), away: (&str, &str), p: &ScorerPlay) -> String {
    let pl = &p.play;
    let team = if pl.team == home.0 {
        home.1
    } else if pl.team == away.0 {
        away.1
    } else {
        pl.team.as_str()
    };
    format!(
        "  #{} P{} {} {} {} ({}) {} +{} {}-{}{}\n",
        pl.sequence,
        pl.period.map_or("-".to_owned(), |p| p.to_string()),
        pl.clock.as_deref().unwrap_or("-"),
        team,
        pl.scorer_name.as_deref().unwrap_or("?"),
        pl.scorer_id.as_deref().unwrap_or("-"),
        pl.kind,
        pl.points,
        pl.home_score,
        pl.away_score,
        if p.is_first_scorer { " FIRST" } else { "" }
    )
}
