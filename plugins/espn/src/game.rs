//! One ESPN competition (from a scoreboard event or a summary header) to a Scoreline [`Game`].
//!
//! Choices, shared by the scoreboard and the summary:
//! - Home and away come from `competitor.homeAway`, never from the order of the list.
//! - Before the game starts (see [`status::not_started`]) the score, period and clock are unset:
//!   ESPN sends `"0"` (or nothing) for a game that has no score yet.
//! - Baseball has no clock. Soccer's clock is the elapsed match minute (`90'+4'` = 94 minutes);
//!   other sports count `status.clock` seconds down.
//! - A summary's final status carries no period; it is then the number of `linescores`.

use crate::status::{self, FlagInput};
use crate::wire::{Competition, Competitor as WireCompetitor, Season, Status};
use crate::{League, Sport};
use scoreline_plugin_sdk::status::StatusMap;
use scoreline_plugin_sdk::{AdapterError, Competitor, Game, GameStatus, parse};

/// Everything a game is built from, wherever it was read.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Upstream game id.
    pub id: &'a str,
    /// Scheduled start (`2022-09-11T17:00Z`).
    pub date: Option<&'a str>,
    pub season: Option<&'a Season>,
    pub week: Option<u32>,
    /// The competition's status, else the event's.
    pub status: Option<&'a Status>,
    pub competition: &'a Competition,
    pub venue: Option<&'a str>,
    /// JSON path of the competition, for error messages (`events[3].competitions[0]`).
    pub path: &'a str,
}

/// The season type label: ESPN's 1 to 4, else the season's slug, else the number itself.
pub fn season_type(season: &Season) -> Option<String> {
    let label = match season.kind {
        Some(1) => "preseason",
        Some(2) => "regular",
        Some(3) => "postseason",
        Some(4) => "off-season",
        other => {
            return match season.slug.as_deref() {
                Some("regular-season") => Some("regular".to_owned()),
                Some("preseason") => Some("preseason".to_owned()),
                Some("post-season" | "postseason") => Some("postseason".to_owned()),
                Some(slug) if !slug.is_empty() => Some(slug.to_owned()),
                _ => other.map(|n| n.to_string()),
            };
        }
    };
    Some(label.to_owned())
}

fn competitor(c: &WireCompetitor, score: Option<u32>) -> Competitor {
    let team = c.team.as_ref();
    let id = team
        .and_then(|t| t.id.as_deref())
        .or(c.id.as_deref())
        .unwrap_or("");
    let abbreviation = team.and_then(|t| t.abbreviation.as_deref()).unwrap_or("");
    let name = team
        .and_then(|t| {
            [
                &t.display_name,
                &t.name,
                &t.short_display_name,
                &t.location,
                &t.abbreviation,
            ]
            .into_iter()
            .find_map(|s| s.as_deref().filter(|s| !s.is_empty()))
        })
        .unwrap_or("");
    Competitor::new(id, abbreviation, name, score)
}

/// The home and away competitors by their `homeAway` marker. When only one side is marked and
/// the other competitor carries no marker, that competitor is the other side; when neither side
/// is marked, or both carry the same marker, the body is rejected.
pub fn sides<'c>(
    competition: &'c Competition,
    path: &str,
) -> Result<(&'c WireCompetitor, &'c WireCompetitor), AdapterError> {
    let list = &competition.competitors;
    if list.len() < 2 {
        return Err(AdapterError::parse(format!(
            "`{path}.competitors`: expected two competitors, found {}",
            list.len()
        )));
    }
    let marked = |side: &str| {
        list.iter()
            .position(|c| c.home_away.as_deref() == Some(side))
    };
    let unmarked = |i: usize| list.get(i).is_some_and(|c| c.home_away.is_none());
    let (home, away) = match (marked("home"), marked("away")) {
        (Some(h), Some(a)) if h != a => (h, a),
        (Some(h), None) if list.len() == 2 && unmarked(1 - h) => (h, 1 - h),
        (None, Some(a)) if list.len() == 2 && unmarked(1 - a) => (1 - a, a),
        _ => {
            return Err(AdapterError::parse(format!(
                "`{path}.competitors`: no competitor marked `homeAway` home and away"
            )));
        }
    };
    match (list.get(home), list.get(away)) {
        (Some(h), Some(a)) => Ok((h, a)),
        _ => Err(AdapterError::parse(format!(
            "`{path}.competitors`: home/away out of range"
        ))),
    }
}

/// Build the game.
pub fn build(
    league: &League,
    src: Source<'_>,
    statuses: &mut StatusMap,
) -> Result<Game, AdapterError> {
    let (home, away) = sides(src.competition, src.path)?;
    let kind = src.status.and_then(|s| s.kind.as_ref());
    let name = kind.and_then(|k| k.name.as_deref());
    let state = kind.and_then(|k| k.state.as_deref());
    let game_status = status::map(name, state, statuses);
    let detail = kind
        .and_then(|k| {
            [&k.short_detail, &k.detail, &k.description]
                .into_iter()
                .find_map(|s| s.as_deref().filter(|s| !s.is_empty()))
        })
        .unwrap_or("");
    let upstream_period = src.status.and_then(|s| s.period).filter(|p| *p > 0);
    let not_started = status::not_started(game_status, state, upstream_period);

    let mut game = Game::new(src.id, league.key, league.sport.as_str(), game_status);
    game.status_detail = detail.to_owned();
    game.season = src.season.and_then(|s| s.year).map(|y| y.to_string());
    game.season_type = src.season.and_then(season_type);
    game.week = src.week.filter(|w| *w > 0);
    game.start_time = src.date.and_then(parse::timestamp);
    game.venue = src.venue.map(str::to_owned);

    let score = |c: &WireCompetitor| if not_started { None } else { c.score };
    game.home = competitor(home, score(home));
    game.away = competitor(away, score(away));

    if !not_started {
        // A summary's final status has no period: count the periods played instead.
        let played = home.linescores.len().max(away.linescores.len());
        game.period = upstream_period.or_else(|| u32::try_from(played).ok().filter(|p| *p > 0));
        if league.sport != Sport::Baseball {
            let display = src
                .status
                .and_then(|s| s.display_clock.as_deref())
                .filter(|s| !s.is_empty());
            game.clock = display.map(str::to_owned);
            let counted = src
                .status
                .and_then(|s| s.clock)
                .filter(|c| *c >= 0.0 && *c <= f64::from(u32::MAX))
                .map(|c| c.floor() as u32);
            game.clock_seconds = if league.sport == Sport::Soccer {
                display.and_then(parse::minute_clock_seconds).or(counted)
            } else {
                counted.or_else(|| display.and_then(parse::clock_seconds))
            };
        }
    }

    let shootout_scores = home.shootout_score.is_some() || away.shootout_score.is_some();
    let flags = status::flags(
        league,
        FlagInput {
            name,
            period: game.period,
            detail,
            season_type: src.season.and_then(|s| s.kind),
            shootout_scores,
        },
    );
    game.overtime = flags.overtime;
    game.extra_time = flags.extra_time;
    game.shootout = flags.shootout;

    match league.sport {
        Sport::Baseball if game_status.in_play() || game_status == GameStatus::Delayed => {
            if let Some(half) = inning_half(detail) {
                game.details.push(("inning_half".into(), half.into()));
            }
            if let Some(outs) = src.competition.situation.as_ref().and_then(|s| s.outs) {
                game.details.push(("outs".into(), outs.to_string()));
            }
        }
        Sport::Soccer => {
            if let Some(n) = home.shootout_score {
                game.details.push(("home_shootout".into(), n.to_string()));
            }
            if let Some(n) = away.shootout_score {
                game.details.push(("away_shootout".into(), n.to_string()));
            }
        }
        _ => {}
    }
    Ok(game)
}

/// The half inning from a baseball status detail (`Top 9th`, `Bot 5th`, `Mid 3rd`, `End 7th`).
pub fn inning_half(detail: &str) -> Option<&'static str> {
    let first = detail.split_whitespace().next()?.to_ascii_lowercase();
    Some(match first.as_str() {
        "top" => "top",
        "bot" | "bottom" => "bottom",
        "mid" | "middle" => "middle",
        "end" => "end",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn season_types() {
        let s = |kind, slug: Option<&str>| Season {
            year: Some(2026),
            kind,
            slug: slug.map(str::to_owned),
        };
        assert_eq!(season_type(&s(Some(2), None)).as_deref(), Some("regular"));
        assert_eq!(
            season_type(&s(Some(3), None)).as_deref(),
            Some("postseason")
        );
        assert_eq!(
            season_type(&s(Some(13801), Some("round-of-32"))).as_deref(),
            Some("round-of-32")
        );
        assert_eq!(
            season_type(&s(Some(10594), Some("regular-season"))).as_deref(),
            Some("regular")
        );
        assert_eq!(season_type(&s(Some(77), None)).as_deref(), Some("77"));
        assert_eq!(season_type(&s(None, None)), None);
    }

    /// The ids `sides` picks as (home, away) for competitors given as (id, homeAway marker).
    fn picked(competitors: &[(&str, Option<&str>)]) -> Result<(String, String), AdapterError> {
        let list: Vec<_> = competitors
            .iter()
            .map(|(id, side)| serde_json::json!({"id": id, "homeAway": side}))
            .collect();
        let competition: Competition =
            serde_json::from_value(serde_json::json!({"competitors": list}))
                .map_err(|e| AdapterError::parse(e.to_string()))?;
        let (home, away) = sides(&competition, "c")?;
        Ok((
            home.id.clone().unwrap_or_default(),
            away.id.clone().unwrap_or_default(),
        ))
    }

    #[test]
    fn sides_come_from_the_marker_never_from_the_order() {
        let ok = |h: &str, a: &str| Ok((h.to_owned(), a.to_owned()));
        assert_eq!(
            picked(&[("7", Some("away")), ("9", Some("home"))]),
            ok("9", "7")
        );
        assert_eq!(
            picked(&[("7", Some("home")), ("9", Some("away"))]),
            ok("7", "9")
        );
        // One marker and one unmarked competitor: the unmarked one is the other side.
        assert_eq!(picked(&[("7", None), ("9", Some("home"))]), ok("9", "7"));
        assert_eq!(picked(&[("7", None), ("9", Some("away"))]), ok("7", "9"));
        // Two of the same marker, or none, cannot be told apart without trusting the order.
        for list in [
            [("7", Some("home")), ("9", Some("home"))],
            [("7", Some("away")), ("9", Some("away"))],
            [("7", None), ("9", None)],
        ] {
            let err = picked(&list).unwrap_err();
            assert!(
                err.to_string().contains("`c.competitors`"),
                "{list:?}: {err}"
            );
        }
    }

    #[test]
    fn inning_halves() {
        assert_eq!(inning_half("Top 9th"), Some("top"));
        assert_eq!(inning_half("Bot 5th"), Some("bottom"));
        assert_eq!(inning_half("Mid 3rd"), Some("middle"));
        assert_eq!(inning_half("Final"), None);
        assert_eq!(inning_half(""), None);
    }
}
