//! The summary body (`.../summary?event=ID`): the game from `header.competitions[0]`, then its
//! scoring plays and shootout attempts, read per sport by the submodules.
//!
//! Every sport goes through [`Collector`]: rows that carry a running score are fed to
//! [`ScoreTracker::observe`] and a scoring play is emitted only where a side's score first rises
//! above its highest so far (`team` is the side that rose, `points` the rise). Soccer's key events
//! carry no score, so goals are counted with [`ScoreTracker::add`]. At the end the running score
//! is compared with the game's score and a disagreement is logged.

mod baseball;
mod basketball;
mod football;
mod hockey;
mod soccer;

use crate::game::{self, Source};
use crate::status;
use crate::wire::{Athlete, Play, Summary};
use crate::{League, Sport};
use scoreline_plugin_sdk::scoring::{Rise, ScoreTracker};
use scoreline_plugin_sdk::{
    AdapterError, DetailResult, Game, GameDetail, GameStatus, Player, ScoringPlay, ShootoutAttempt,
    Side, StringMap, json, log,
};
use std::collections::BTreeMap;

/// Parse a summary body for `league`. `game_id` is used when the header carries no id.
pub fn parse(league: &League, game_id: &str, body: &[u8]) -> Result<DetailResult, AdapterError> {
    let doc: Summary = json::from_slice(body)?;
    let Some(header) = doc.header.as_ref() else {
        return Err(match doc.message.clone().or(doc.error.clone()) {
            Some(message) => AdapterError::UpstreamMessage(message),
            None => AdapterError::parse("missing field `header`"),
        });
    };
    let competition = header
        .competitions
        .first()
        .ok_or_else(|| AdapterError::parse("`header.competitions`: empty"))?;
    let id = header
        .id
        .as_deref()
        .or(competition.id.as_deref())
        .filter(|s| !s.is_empty())
        .unwrap_or(game_id);
    let venue = doc
        .game_info
        .as_ref()
        .and_then(|g| g.venue.as_ref())
        .and_then(|v| v.name())
        .or_else(|| competition.venue.as_ref().and_then(|v| v.name()));
    let mut statuses = status::statuses();
    let game = game::build(
        league,
        Source {
            id,
            date: competition.date.as_deref(),
            season: header.season.as_ref(),
            week: header.week,
            status: competition.status.as_ref(),
            competition,
            venue,
            path: "header.competitions[0]",
        },
        &mut statuses,
    )?;

    let names = Names::from_summary(&doc);
    let mut collector = Collector::new(&game);
    match league.sport {
        Sport::Football => football::collect(&doc, &mut collector, &names),
        Sport::Basketball => basketball::collect(&doc, &mut collector, &names),
        Sport::Hockey => {
            let postseason = header.season.as_ref().and_then(|s| s.kind) == Some(3);
            hockey::collect(&doc, &mut collector, &names, postseason);
        }
        Sport::Baseball => baseball::collect(&doc, &mut collector, &names),
        Sport::Soccer => soccer::collect(&doc, competition, &mut collector, &names),
    }
    collector.check_final(league);
    let Collector {
        plays, shootout, ..
    } = collector;
    Ok(DetailResult {
        detail: GameDetail {
            game,
            scoring_plays: plays,
            shootout,
        },
        poll_hint_secs: None,
    })
}

/// Player names by id (from the boxscore and rosters), and ids by unique name.
#[derive(Debug, Default)]
pub struct Names {
    by_id: BTreeMap<String, String>,
    /// Lowercased display or short name to id; `None` when two players share the name.
    by_name: BTreeMap<String, Option<String>>,
}

impl Names {
    fn from_summary(doc: &Summary) -> Self {
        let mut names = Names::default();
        let boxed = doc
            .boxscore
            .iter()
            .flat_map(|b| &b.players)
            .flat_map(|t| &t.statistics)
            .flat_map(|g| &g.athletes);
        let rostered = doc.rosters.iter().flat_map(|r| &r.roster);
        for athlete in boxed.chain(rostered).filter_map(|e| e.athlete.as_ref()) {
            names.learn(athlete);
        }
        names
    }

    fn learn(&mut self, athlete: &Athlete) {
        let (Some(id), Some(name)) = (athlete.id.as_deref(), athlete.name()) else {
            return;
        };
        if self.by_id.contains_key(id) {
            return;
        }
        self.by_id.insert(id.to_owned(), name.to_owned());
        // Play text abbreviates first names: `L. Caples` (scoring plays), `L.Caples` (drives).
        let initialed = name.split_once(' ').and_then(|(first, rest)| {
            let initial = first.chars().next()?;
            Some([format!("{initial}. {rest}"), format!("{initial}.{rest}")])
        });
        let aliases = [Some(name.to_owned()), athlete.short_name.clone()]
            .into_iter()
            .flatten()
            .chain(initialed.into_iter().flatten());
        for alias in aliases {
            self.by_name
                .entry(alias.to_lowercase())
                .and_modify(|known| {
                    if known.as_deref() != Some(id) {
                        *known = None;
                    }
                })
                .or_insert_with(|| Some(id.to_owned()));
        }
    }

    /// The name of the player with upstream id `id`.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.by_id.get(id).map(String::as_str)
    }

    /// The id of the one player known by `name` (display or short name, any case).
    pub fn id_of(&self, name: &str) -> Option<&str> {
        self.by_name.get(&name.to_lowercase())?.as_deref()
    }

    /// An athlete's name: its own, else the boxscore's for its id.
    pub fn name_of(&self, athlete: &Athlete) -> Option<String> {
        athlete
            .name()
            .or_else(|| athlete.id.as_deref().and_then(|id| self.name(id)))
            .map(str::to_owned)
    }

    /// An athlete as a [`Player`] (name empty when unknown).
    pub fn player(&self, athlete: &Athlete) -> Player {
        Player {
            id: athlete.id.clone(),
            name: self.name_of(athlete).unwrap_or_default(),
        }
    }
}

/// What a sport module knows about one scoring play besides the rise itself.
#[derive(Debug, Default)]
pub struct Scored {
    pub period: Option<u32>,
    pub clock: Option<String>,
    pub scorer_id: Option<String>,
    pub scorer_name: Option<String>,
    pub assists: Vec<Player>,
    pub kind: String,
    pub description: String,
    pub details: StringMap,
}

impl Scored {
    /// Points on `row` whose scorer the feed does not name (a rise carried over from an earlier
    /// play): the row's period and clock, and `kind`.
    pub fn unnamed(row: &Play, kind: &str) -> Self {
        Scored {
            period: row.period(),
            clock: row.clock(),
            kind: kind.to_owned(),
            ..Scored::default()
        }
    }

    /// A play on `row` by `scorer` (named by the athlete, else by `names`): the row's period,
    /// clock and text, and `kind`; no assists or details.
    pub fn by(row: &Play, scorer: Option<&Athlete>, names: &Names, kind: &str) -> Self {
        Scored {
            period: row.period(),
            clock: row.clock(),
            scorer_id: scorer.and_then(|a| a.id.clone()),
            scorer_name: scorer.and_then(|a| names.name_of(a)),
            assists: Vec::new(),
            kind: kind.to_owned(),
            description: row.text().to_owned(),
            details: Vec::new(),
        }
    }
}

/// Running score, scoring plays and shootout attempts of one game.
#[derive(Debug)]
pub struct Collector<'g> {
    game: &'g Game,
    tracker: ScoreTracker,
    plays: Vec<ScoringPlay>,
    shootout: Vec<ShootoutAttempt>,
}

impl<'g> Collector<'g> {
    fn new(game: &'g Game) -> Self {
        Collector {
            game,
            tracker: ScoreTracker::new(),
            plays: Vec::new(),
            shootout: Vec::new(),
        }
    }

    /// The game being read.
    pub fn game(&self) -> &Game {
        self.game
    }

    /// Read a row's running score; a side missing from the row keeps its high.
    pub fn observe(&mut self, home: Option<u32>, away: Option<u32>) -> Vec<Rise> {
        self.observe_row(home, away, None)
            .into_iter()
            .map(|(rise, _)| rise)
            .collect()
    }

    /// Read a row's running score when the row names the side that scored on it (`lead`).
    ///
    /// In the rare row where both sides rose, the other side's rise is points the feed added
    /// late to an earlier play (ESPN football shows a two-point conversion only on the next
    /// scoring row). That rise comes first, marked `true` (carried), with the score after it
    /// alone; the row's own rise follows with the row's score. Without a `lead` both rises are
    /// the row's own, home first, each with the score after it.
    pub fn observe_row(
        &mut self,
        home: Option<u32>,
        away: Option<u32>,
        lead: Option<Side>,
    ) -> Vec<(Rise, bool)> {
        if home.is_none() && away.is_none() {
            return Vec::new();
        }
        let (h0, a0) = self.tracker.score();
        let mut rises = self.tracker.observe(home.unwrap_or(h0), away.unwrap_or(a0));
        if rises.len() < 2 {
            return rises.into_iter().map(|r| (r, false)).collect();
        }
        if lead == Some(Side::Home) {
            rises.reverse();
        }
        // Scores after each rise in turn: the first alone, then both.
        let mut out = Vec::with_capacity(rises.len());
        let (mut h, mut a) = (h0, a0);
        for mut rise in rises {
            match rise.side {
                Side::Home => h = rise.home_score,
                Side::Away => a = rise.away_score,
            }
            rise.home_score = h;
            rise.away_score = a;
            let carried = lead.is_some_and(|l| l != rise.side);
            out.push((rise, carried));
        }
        out
    }

    /// The side with upstream team id `id`.
    pub fn side_of(&self, id: Option<&str>) -> Option<Side> {
        id.and_then(|id| self.game.side_of(id))
    }

    /// The last scoring play recorded for `side`.
    pub fn last_play_of(&self, side: Side) -> Option<&ScoringPlay> {
        let team = self.team_of(side);
        self.plays.iter().rev().find(|p| p.team == team)
    }

    /// Count `points` for `side` (feeds without a running score).
    pub fn add(&mut self, side: Side, points: u32) -> Rise {
        self.tracker.add(side, points)
    }

    /// The upstream team id of `side`.
    pub fn team_of(&self, side: Side) -> &str {
        match side {
            Side::Home => &self.game.home.id,
            Side::Away => &self.game.away.id,
        }
    }

    /// Record a scoring play for `rise`.
    pub fn push(&mut self, rise: &Rise, scored: Scored) {
        let sequence = u32::try_from(self.plays.len() + 1).unwrap_or(u32::MAX);
        let team = self.team_of(rise.side).to_owned();
        self.plays.push(ScoringPlay {
            sequence,
            period: scored.period,
            clock: scored.clock,
            team,
            scorer_id: scored.scorer_id,
            scorer_name: scored.scorer_name,
            assists: scored.assists,
            kind: scored.kind,
            points: rise.points,
            home_score: rise.home_score,
            away_score: rise.away_score,
            description: scored.description,
            details: scored.details,
        });
    }

    /// Record a shootout attempt.
    pub fn attempt(&mut self, team: &str, player: Option<Player>, scored: bool, description: &str) {
        let sequence = u32::try_from(self.shootout.len() + 1).unwrap_or(u32::MAX);
        let (player_id, player_name) = match player {
            Some(p) => (p.id, Some(p.name).filter(|n| !n.is_empty())),
            None => (None, None),
        };
        self.shootout.push(ShootoutAttempt {
            sequence,
            team: team.to_owned(),
            player_id,
            player_name,
            scored,
            description: description.to_owned(),
        });
    }

    /// Compare the running score with the game's score and log a disagreement (a warning once
    /// the game is final). A hockey shootout adds one goal to the winner's final score that no
    /// scoring play carries; that difference is expected.
    fn check_final(&self, league: &League) {
        let (Some(home), Some(away)) = (self.game.home.score, self.game.away.score) else {
            return;
        };
        let (h, a) = self.tracker.score();
        if (h, a) == (home, away) {
            return;
        }
        let shootout_winner = league.sport == Sport::Hockey
            && self.game.shootout
            && ((h.saturating_add(1), a) == (home, away)
                || (h, a.saturating_add(1)) == (home, away));
        if shootout_winner {
            return;
        }
        let message = format!(
            "game {}: scoring plays end at {h}-{a} but the game's score is {home}-{away}",
            self.game.id
        );
        if self.game.status == GameStatus::Final {
            log::warn(&message);
        } else {
            log::debug(&message);
        }
    }
}

/// Lowercase kebab case: `Field Goal Good` → `field-goal-good`.
pub fn kebab(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn kebab_case() {
        assert_eq!(kebab("Field Goal Good"), "field-goal-good");
        assert_eq!(kebab("  Two-Point  Conversion! "), "two-point-conversion");
        assert_eq!(kebab("goal---header"), "goal-header");
        assert_eq!(kebab(""), "");
    }
}
