//! Hockey (NHL): `plays[]` with a running score; goals name the scorer first, then the assists.
//!
//! Shootout rows (`shootoutPlay`, type `Shootout`, period shown as `SO`, or period 5 outside the
//! postseason) go only into the shootout list and never into the running score: ESPN adds one
//! goal to the shootout winner's final score that no scoring play carries.

use super::{Collector, Names, Scored, kebab};
use crate::wire::{Play, Summary};

/// Read the scoring plays and shootout attempts of a hockey summary.
pub fn collect(doc: &Summary, c: &mut Collector<'_>, names: &Names, postseason: bool) {
    for row in &doc.plays {
        if in_shootout(row, postseason) {
            if is_attempt(row) {
                let shooter = row.athletes().first().map(|a| names.player(a));
                let scored = row.scoring_play || row.type_text().eq_ignore_ascii_case("goal");
                let team = row.team_id().unwrap_or("").to_owned();
                c.attempt(&team, shooter, scored, row.text());
            }
            continue;
        }
        let lead = c.side_of(row.team_id());
        for (rise, carried_over) in c.observe_row(row.home_score, row.away_score, lead) {
            if carried_over {
                // Points the feed added late for the other side: no scorer can be named.
                c.push(&rise, Scored::unnamed(row, "goal"));
                continue;
            }
            let athletes = row.athletes();
            let scorer = athletes.first().copied();
            let assists = athletes.iter().skip(1).map(|a| names.player(a)).collect();
            let mut details = Vec::new();
            if let Some(strength) = strength(row) {
                details.push(("strength".to_owned(), strength));
            }
            if row.text().to_lowercase().contains("empty net") {
                details.push(("empty_net".to_owned(), "true".to_owned()));
            }
            c.push(
                &rise,
                Scored {
                    assists,
                    details,
                    ..Scored::by(row, scorer, names, "goal")
                },
            );
        }
    }
}

fn in_shootout(row: &Play, postseason: bool) -> bool {
    row.shootout_play
        || row.shootout
        || row.type_text().eq_ignore_ascii_case("shootout")
        || row
            .period
            .as_ref()
            .and_then(|p| p.display_value.as_deref())
            .is_some_and(|d| d.eq_ignore_ascii_case("SO"))
        || (!postseason && row.period().is_some_and(|p| p >= 5))
}

/// A shootout row that is an attempt (not a period marker or a stoppage).
fn is_attempt(row: &Play) -> bool {
    if row.scoring_play || row.shooting_play {
        return true;
    }
    let kind = row.type_text().to_lowercase();
    ["goal", "shot", "miss", "save", "shootout"]
        .iter()
        .any(|k| kind.contains(k))
}

/// The goal's strength: `even`, `power-play`, `short-handed`, or ESPN's own label kebab-cased.
fn strength(row: &Play) -> Option<String> {
    let label = row.strength.as_ref()?;
    let raw = label
        .abbreviation
        .as_deref()
        .or(label.text.as_deref())
        .or(label.name.as_deref())?;
    let k = kebab(raw);
    Some(match k.as_str() {
        "" => return None,
        "even-strength" | "even" | "ev" => "even".to_owned(),
        "power-play" | "powerplay" | "pp" => "power-play".to_owned(),
        "short-handed" | "shorthanded" | "sh" => "short-handed".to_owned(),
        _ => k,
    })
}
