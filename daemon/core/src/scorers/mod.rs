//! Scorers: who scored in a game, who scored first, a player's scoring history and the
//! "did this player score (first)?" answer a prop settlement relies on, plus the quality checks
//! on a game's scoring plays. Everything here is pure over stored rows (time comes in as a
//! parameter); the store queries are the store crate's `scorers.rs`, the HTTP routes and the CLI
//! are the daemon's `scorers/routes.rs` and `scorers/query.rs`.

use crate::model::GameKey;
use crate::model::{Game, GameStatus, ScoringPlay};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// A scoring play as the scorer queries print it: the `plugin exec` play fields plus
/// `is_first_scorer`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScorerPlay {
    /// The play, every field `plugin exec` prints.
    #[serde(flatten)]
    pub play: ScoringPlay,
    /// This play opened the scoring: the game's lowest sequence, scored from 0-0.
    pub is_first_scorer: bool,
}

/// The game's first scoring play: the lowest sequence, if it scored from 0-0 (the same rule as
/// the `scoring.first` event).
pub fn first_play(plays: &[ScoringPlay]) -> Option<&ScoringPlay> {
    plays
        .iter()
        .min_by_key(|pl| pl.sequence)
        .filter(|pl| from_zero(pl) || pl.points == 0)
}

/// The play scored from 0-0: the score after it is its own points.
fn from_zero(pl: &ScoringPlay) -> bool {
    pl.home_score + pl.away_score == pl.points
}

/// `plays` in sequence order, each with its `is_first_scorer` flag.
pub fn annotate(plays: &[ScoringPlay]) -> Vec<ScorerPlay> {
    let first = first_play(plays).map(|p| p.sequence);
    let mut out: Vec<ScorerPlay> = plays
        .iter()
        .map(|p| ScorerPlay {
            is_first_scorer: Some(p.sequence) == first,
            play: p.clone(),
        })
        .collect();
    out.sort_by_key(|p| p.play.sequence);
    out
}

/// What is wrong with a game's scoring plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueKind {
    /// More than one play scored from 0-0.
    TwoFirstScorers,
    /// The sequences are not 1, 2, 3, ... (a play missing, or numbering not from 1).
    SequenceGap,
    /// A play comes before an earlier one: its period, a side's score or (within a period) its
    /// clock goes backwards along the sequence.
    OutOfOrder,
    /// A scoring play names no player (neither id nor name).
    NoPlayer,
}

impl IssueKind {
    /// The snake_case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            IssueKind::TwoFirstScorers => "two_first_scorers",
            IssueKind::SequenceGap => "sequence_gap",
            IssueKind::OutOfOrder => "out_of_order",
            IssueKind::NoPlayer => "no_player",
        }
    }
}

/// One finding about one game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityIssue {
    /// The game.
    pub key: GameKey,
    /// What is wrong.
    pub kind: IssueKind,
    /// The sequence it was found at (the later of two plays for an ordering problem).
    pub sequence: Option<u32>,
    /// A readable explanation naming the values.
    pub detail: String,
}

/// The quality of the scoring plays of a set of games.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityReport {
    /// When the report was made (the time passed in).
    pub checked_at: DateTime<Utc>,
    /// Games looked at.
    pub games_checked: usize,
    /// Games with at least one issue.
    pub games_with_issues: usize,
    /// Every issue, by game key then sequence.
    pub issues: Vec<QualityIssue>,
}

/// Check the scoring plays of each game in `games` (a game with its plays, in any order).
pub fn quality(games: &[(GameKey, Game, Vec<ScoringPlay>)], now: DateTime<Utc>) -> QualityReport {
    let mut issues = Vec::new();
    let mut with = 0;
    for (key, game, plays) in games {
        let found = check_game(key, game, plays);
        if !found.is_empty() {
            with += 1;
        }
        issues.extend(found);
    }
    issues.sort_by(|a, b| (&a.key, a.sequence, a.kind).cmp(&(&b.key, b.sequence, b.kind)));
    QualityReport {
        checked_at: now,
        games_checked: games.len(),
        games_with_issues: with,
        issues,
    }
}

/// The issues of one game's scoring plays.
pub fn check_game(key: &GameKey, game: &Game, plays: &[ScoringPlay]) -> Vec<QualityIssue> {
    let mut plays: Vec<&ScoringPlay> = plays.iter().collect();
    plays.sort_by_key(|p| p.sequence);
    let mut out = Vec::new();
    let issue = |kind, sequence: Option<u32>, detail: String| QualityIssue {
        key: key.clone(),
        kind,
        sequence,
        detail,
    };
    let openers: Vec<u32> = plays
        .iter()
        .filter(|p| from_zero(p))
        .map(|p| p.sequence)
        .collect();
    if openers.len() > 1 {
        out.push(issue(
            IssueKind::TwoFirstScorers,
            openers.get(1).copied(),
            format!(
                "plays {} each scored from 0-0",
                openers
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    for (i, p) in plays.iter().enumerate() {
        let want = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if p.sequence != want {
            out.push(issue(
                IssueKind::SequenceGap,
                Some(p.sequence),
                format!(
                    "play {} found where sequence {want} was expected",
                    p.sequence
                ),
            ));
            break;
        }
    }
    let countdown = clock_counts_down(&game.sport);
    for pair in plays.windows(2) {
        let [a, b] = pair else { continue };
        let backwards = match (a.period, b.period) {
            (Some(pa), Some(pb)) if pb < pa => Some(format!("period {pb} after period {pa}")),
            _ => None,
        }
        .or_else(|| {
            (b.home_score < a.home_score || b.away_score < a.away_score).then(|| {
                format!(
                    "score {}-{} after {}-{}",
                    b.home_score, b.away_score, a.home_score, a.away_score
                )
            })
        })
        .or_else(|| {
            if a.period != b.period {
                return None;
            }
            let (ca, cb) = (
                clock_secs(a.clock.as_deref())?,
                clock_secs(b.clock.as_deref())?,
            );
            let wrong = match countdown? {
                true => cb > ca,
                false => cb < ca,
            };
            wrong.then(|| {
                format!(
                    "clock {} after {} in period {}",
                    b.clock.as_deref().unwrap_or("-"),
                    a.clock.as_deref().unwrap_or("-"),
                    b.period.map_or_else(|| "-".to_owned(), |p| p.to_string())
                )
            })
        });
        if let Some(detail) = backwards {
            out.push(issue(
                IssueKind::OutOfOrder,
                Some(b.sequence),
                format!("play {} after play {}: {detail}", b.sequence, a.sequence),
            ));
        }
    }
    for p in &plays {
        let named = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        if !named(&p.scorer_id) && !named(&p.scorer_name) {
            out.push(issue(
                IssueKind::NoPlayer,
                Some(p.sequence),
                format!(
                    "play {} ({} for team {}, {}-{}) names no player",
                    p.sequence, p.kind, p.team, p.home_score, p.away_score
                ),
            ));
        }
    }
    out
}

/// Whether a sport's displayed clock counts down (`Some(true)`), up (`Some(false)`, soccer
/// minutes) or is not a clock to order by (`None`: baseball, unknown sports).
fn clock_counts_down(sport: &str) -> Option<bool> {
    match sport {
        "football" | "basketball" | "hockey" => Some(true),
        "soccer" => Some(false),
        _ => None,
    }
}

/// Seconds of a displayed clock: `M:SS`, `MM:SS`, `S.s`, or soccer's `23'` / `45'+2'`.
fn clock_secs(clock: Option<&str>) -> Option<u32> {
    let c = clock?.trim();
    if let Some((m, s)) = c.split_once(':') {
        let s = s.split('.').next()?;
        return Some(m.parse::<u32>().ok()? * 60 + s.parse::<u32>().ok()?);
    }
    if c.contains('\'') {
        let mut total = 0;
        for part in c.split('+') {
            total += part.trim().trim_end_matches('\'').parse::<u32>().ok()? * 60;
        }
        return Some(total);
    }
    c.split('.').next()?.parse().ok()
}

/// A three-way answer: known yes, known no, or not known (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Answer {
    /// A stored play credits the player.
    Yes,
    /// The game is final, its plays are settled and none credits the player.
    No,
    /// Not decided: the game is not final, or its plays do not yet explain the final score.
    Unknown,
}

/// "Did this player score (first)?" for one game.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScoredAnswer {
    /// The game id.
    pub game_id: String,
    /// The player id asked about.
    pub player_id: String,
    /// Did the player score at all.
    pub scored: Answer,
    /// Did the player score the game's first scoring play.
    pub first: Answer,
    /// The game's status.
    pub game_state: GameStatus,
    /// The plays are settled: the game is final, every play names a player, the plays pass the
    /// quality checks and add up to the final score. Only then is an answer `no`.
    pub settled: bool,
    /// Why the plays are not settled (empty when settled).
    pub unsettled_reasons: Vec<String>,
    /// The sequences of the plays crediting the player.
    pub sequences: Vec<u32>,
}

/// Why `game`'s plays cannot be relied on for a `no` yet (empty: they can).
pub fn unsettled_reasons(key: &GameKey, game: &Game, plays: &[ScoringPlay]) -> Vec<String> {
    let mut why = Vec::new();
    if game.status != GameStatus::Final {
        why.push(format!("game is {}, not final", game.status));
    }
    let sum = |team: &str| -> u32 {
        plays
            .iter()
            .filter(|p| p.team == team)
            .map(|p| p.points)
            .sum()
    };
    let (home, away) = (sum(&game.home.id), sum(&game.away.id));
    let (fh, fa) = (game.home.score.unwrap_or(0), game.away.score.unwrap_or(0));
    if (home, away) != (fh, fa) {
        why.push(format!(
            "plays add up to {home}-{away}, the score is {fh}-{fa}"
        ));
    }
    for i in check_game(key, game, plays) {
        why.push(format!("{}: {}", i.kind.as_str(), i.detail));
    }
    why
}

/// Answer "did `player_id` score (first)?" from a game's latest snapshot and stored plays.
///
/// `yes` as soon as a stored play credits the player (a later correction can still take it
/// back while the game is not settled); `no` only once the plays are settled (see
/// [`ScoredAnswer::settled`]); otherwise `unknown`.
pub fn scored(key: &GameKey, game: &Game, plays: &[ScoringPlay], player_id: &str) -> ScoredAnswer {
    let why = unsettled_reasons(key, game, plays);
    let settled = why.is_empty();
    let mine: Vec<u32> = annotate(plays)
        .iter()
        .filter(|p| p.play.scorer_id.as_deref() == Some(player_id))
        .map(|p| p.play.sequence)
        .collect();
    let decide = |hit: bool| match (hit, settled) {
        (true, _) => Answer::Yes,
        (false, true) => Answer::No,
        (false, false) => Answer::Unknown,
    };
    let first_hit = first_play(plays).is_some_and(|p| p.scorer_id.as_deref() == Some(player_id));
    ScoredAnswer {
        game_id: game.id.clone(),
        player_id: player_id.to_owned(),
        scored: decide(!mine.is_empty()),
        first: decide(first_hit),
        game_state: game.status,
        settled,
        unsettled_reasons: why,
        sequences: mine,
    }
}

#[cfg(test)]
mod tests;
