//! Basketball (NBA, WNBA, college): `plays[]` with a running score on every row.
//!
//! The scorer is `participants[0]` (named from the row or the boxscore); `participants[1]` is the
//! assist when the text says `assists`. The kind comes from `scoreValue` (else the rise) and the
//! type: `free-throw`, `two-pointer`, `three-pointer`.

use super::{Collector, Names, Scored};
use crate::wire::Summary;

/// Read the scoring plays of a basketball summary.
pub fn collect(doc: &Summary, c: &mut Collector<'_>, names: &Names) {
    for row in &doc.plays {
        let lead = c.side_of(row.team_id());
        for (rise, carried_over) in c.observe_row(row.home_score, row.away_score, lead) {
            if carried_over {
                // Points the feed added late for the other side: no scorer can be named.
                c.push(&rise, Scored::unnamed(row, kind_of(rise.points)));
                continue;
            }
            let athletes = row.athletes();
            let scorer = athletes.first().copied();
            let text = row.text();
            let assists = if text.to_lowercase().contains("assist") {
                athletes
                    .iter()
                    .skip(1)
                    .take(1)
                    .map(|a| names.player(a))
                    .collect()
            } else {
                Vec::new()
            };
            let value = row.score_value.filter(|v| *v > 0).unwrap_or(rise.points);
            let free_throw = row.type_text().to_lowercase().contains("free throw")
                || text.to_lowercase().contains("free throw");
            let kind = if free_throw {
                "free-throw"
            } else {
                kind_of(value)
            };
            let mut details = Vec::new();
            if !row.type_text().is_empty() {
                details.push(("event".to_owned(), row.type_text().to_owned()));
            }
            c.push(
                &rise,
                Scored {
                    assists,
                    details,
                    ..Scored::by(row, scorer, names, kind)
                },
            );
        }
    }
}

/// The kind a basket worth `points` is.
fn kind_of(points: u32) -> &'static str {
    match points {
        3 => "three-pointer",
        2 => "two-pointer",
        1 => "free-throw",
        _ => "basket",
    }
}
