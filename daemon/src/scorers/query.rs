//! `scoreline scorers` and `scoreline player`: the scorer queries read straight from the store (no
//! daemon needed), and the JSON shapes the HTTP routes answer with too. Rendering is pure over
//! stored rows.

use super::{ScorerPlay, annotate};
use crate::store::{HistoryFilter, HistoryGame, HistoryRow, Store, StoreError, StoredGame};
use clap::Args;
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

/// `{"player_id", "season", "games", "plays", "points", "first_scorer_games", "history": [...]}`:
/// one row per game (newest first) with the player's plays summed, and with `plays` given also
/// `"scoring_plays": [...]`, each play with its game's id, league, adapter, season, start time,
/// state and teams.
pub fn history_json(
    player_id: &str,
    season: Option<&str>,
    games: &[HistoryGame],
    plays: Option<&[HistoryRow]>,
) -> Value {
    let history: Vec<Value> = games
        .iter()
        .map(|h| {
            json!({
                "game_id": h.key.game_id,
                "league": h.key.league,
                "adapter": h.key.adapter,
                "season": h.season,
                "start_time": h.start_time,
                "game_state": h.status,
                "home": h.home,
                "away": h.away,
                "plays": h.plays,
                "points": h.points,
                "first_scorer": h.first,
                "sequences": h.sequences,
            })
        })
        .collect();
    let mut out = json!({
        "player_id": player_id,
        "season": season,
        "games": games.len(),
        "plays": games.iter().map(|h| u64::from(h.plays)).sum::<u64>(),
        "points": games.iter().map(|h| u64::from(h.points)).sum::<u64>(),
        "first_scorer_games": games.iter().filter(|h| h.first).count(),
        "history": history,
    });
    if let (Some(rows), Value::Object(m)) = (plays, &mut out) {
        let plays: Vec<Value> = rows
            .iter()
            .map(|r| {
                let mut v = serde_json::to_value(ScorerPlay {
                    play: r.play.clone(),
                    is_first_scorer: r.is_first_scorer,
                })
                .unwrap_or(Value::Null);
                if let Value::Object(m) = &mut v {
                    m.insert("game_id".into(), json!(r.key.game_id));
                    m.insert("league".into(), json!(r.key.league));
                    m.insert("adapter".into(), json!(r.key.adapter));
                    m.insert("season".into(), json!(r.season));
                    m.insert("start_time".into(), json!(r.start_time));
                    m.insert("game_state".into(), json!(r.status));
                    m.insert("home".into(), json!(r.home));
                    m.insert("away".into(), json!(r.away));
                }
                v
            })
            .collect();
        m.insert("scoring_plays".into(), Value::Array(plays));
    }
    out
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
        out.push_str(&format!(
            "{} {}/{} {}@{} ",
            r.start_time
                .map_or("-".to_owned(), |t| t.format("%Y-%m-%d").to_string()),
            r.key.league,
            r.key.game_id,
            r.away,
            r.home,
        ));
        out.push_str(&play_line(
            (&r.home_id, &r.home),
            (&r.away_id, &r.away),
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
