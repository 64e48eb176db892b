//! Baseball (MLB): `plays[]` pitch by pitch.
//!
//! Rows carry the fielding team and every row of a scoring at-bat may be flagged `scoringPlay`
//! and carry the new score, so only the running-high rule finds the scoring plays. The side that
//! rose is the batting side. The run is credited to the at-bat's batter (`participants` with type
//! `batter` on the row, else on any row of the same `atBatId`); the kind, `event` and description
//! come from the at-bat's first scoring result row (not a pitch) at or after the rise.

use super::{Collector, Names, Scored};
use crate::wire::{Athlete, Play, Summary};
use std::collections::BTreeMap;

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
            let mut details = vec![("rbi".to_owned(), rise.points.to_string())];
            let event = result.type_text();
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
