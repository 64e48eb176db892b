//! Baseball (MLB): `plays[]` pitch by pitch.
//!
//! Rows carry the fielding team and every row of a scoring at-bat may be flagged `scoringPlay`
//! and carry the new score, so only the running-high rule finds the scoring plays. The side that
//! rose is the batting side. The run is credited to the at-bat's batter (`participants` with type
//! `batter` on the row, else on any row of the same `atBatId`); the kind, `event` and description
//! come from the at-bat's first scoring result row (not a pitch) at or after the rise. `runs` is
//! the runs that scored; `rbi` follows MLB's rule from the event name (see [`runs_batted_in`]).

use super::{Collector, Names, Scored};
use crate::wire::{Athlete, Play, Summary};
use std::collections::BTreeMap;

/// The runs batted in on a scoring result, from ESPN's event name (`type.text`), by MLB's rule
/// (9.04): none on a wild pitch, passed ball, balk, steal, pickoff, caught stealing, defensive
/// indifference or a ground-ball double play; unknown (`None`) when an error is involved, where
/// the official scorer decides, or when there is no event name; otherwise every run that scored.
/// ESPN sends no RBI count.
fn runs_batted_in(event: &str, runs: u32) -> Option<u32> {
    let event = event.to_ascii_lowercase();
    let never = [
        "wild pitch",
        "passed ball",
        "balk",
        "stolen base",
        "steal",
        "pickoff",
        "picked off",
        "caught stealing",
        "defensive indifference",
    ];
    let ground_double_play = event.contains("double play")
        && !event.contains("fly")
        && !event.contains("line")
        && !event.contains("sac");
    if never.iter().any(|n| event.contains(n)) || ground_double_play {
        Some(0)
    } else if event.is_empty() || event.contains("error") {
        None
    } else {
        Some(runs)
    }
}

/// Read the scoring plays of a baseball summary.
pub fn collect(doc: &Summary, c: &mut Collector<'_>, names: &Names) {
    let rows = &doc.plays;
    let mut batters: BTreeMap<&str, &Athlete> = BTreeMap::new();
    for row in rows {
        if let (Some(at_bat), Some(b)) = (row.at_bat_id.as_deref(), batter(row)) {
            batters.entry(at_bat).or_insert(b);
        }
    }
    for (i, row) in rows.iter().enumerate() {
        for rise in c.observe(row.home_score, row.away_score) {
            let hitter = batter(row).or_else(|| {
                row.at_bat_id
                    .as_deref()
                    .and_then(|ab| batters.get(ab).copied())
            });
            let result = result_row(rows, i).unwrap_or(row);
            let kind = if home_run(result) { "home-run" } else { "run" };
            let event = result.type_text();
            let mut details = vec![("runs".to_owned(), rise.points.to_string())];
            if let Some(rbi) = runs_batted_in(event, rise.points) {
                details.push(("rbi".to_owned(), rbi.to_string()));
            }
            if !event.is_empty() {
                details.push(("event".to_owned(), event.to_owned()));
            }
            if let Some(half) = row.period.as_ref().and_then(|p| p.half.as_deref()) {
                let half = half.to_lowercase();
                let half = if half == "bot" {
                    "bottom".to_owned()
                } else {
                    half
                };
                details.push(("inning_half".to_owned(), half));
            }
            c.push(
                &rise,
                Scored {
                    period: row.period(),
                    clock: None,
                    scorer_id: hitter.and_then(|a| a.id.clone()),
                    scorer_name: hitter.and_then(|a| names.name_of(a)),
                    assists: Vec::new(),
                    kind: kind.to_owned(),
                    description: result.text().to_owned(),
                    details,
                },
            );
        }
    }
}

fn batter(row: &Play) -> Option<&Athlete> {
    row.participants
        .iter()
        .find(|p| p.role.as_deref() == Some("batter"))
        .and_then(|p| p.athlete.as_ref())
}

fn is_pitch(row: &Play) -> bool {
    row.summary_type.as_deref() == Some("P") || row.text().starts_with("Pitch ")
}

/// The at-bat's first scoring result row at or after row `from`.
fn result_row(rows: &[Play], from: usize) -> Option<&Play> {
    let start = rows.get(from)?;
    if !is_pitch(start) && start.scoring_play {
        return Some(start);
    }
    let at_bat = start.at_bat_id.as_deref()?;
    rows.iter()
        .skip(from)
        .take_while(|r| r.at_bat_id.as_deref() == Some(at_bat))
        .find(|r| r.scoring_play && !is_pitch(r))
}

fn home_run(row: &Play) -> bool {
    let kind = row.type_text().to_lowercase();
    let slug = row.type_slug().to_lowercase();
    let text = row.text().to_lowercase();
    kind.contains("home run")
        || slug.contains("home-run")
        || slug.contains("home_run")
        || text.contains("homered")
        || text.contains("homers")
        || text.contains("home run")
}

#[cfg(test)]
mod tests {
    use super::runs_batted_in;

    #[test]
    fn runs_batted_in_follow_the_scoring_rule() {
        assert_eq!(runs_batted_in("Home Run", 3), Some(3));
        assert_eq!(runs_batted_in("Double", 2), Some(2));
        assert_eq!(runs_batted_in("Sac Fly", 1), Some(1));
        assert_eq!(runs_batted_in("Walk", 1), Some(1));
        assert_eq!(runs_batted_in("Wild Pitch", 1), Some(0));
        assert_eq!(runs_batted_in("Passed Ball", 1), Some(0));
        assert_eq!(runs_batted_in("Balk", 1), Some(0));
        assert_eq!(runs_batted_in("Stolen Base", 1), Some(0));
        assert_eq!(runs_batted_in("Ground Into Double Play", 1), Some(0));
        assert_eq!(runs_batted_in("Sac Fly Double Play", 1), Some(1));
        assert_eq!(runs_batted_in("Reached On Error", 1), None);
        assert_eq!(runs_batted_in("", 1), None);
    }
}
