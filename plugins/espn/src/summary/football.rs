//! Football (NFL, college): `scoringPlays[]`, else the plays of `drives`, else `plays`.
//!
//! ESPN names the scorer only in the text, so the scorer's name is read from it
//! (`Dak Prescott 1 Yd Run (Brandon Aubrey Kick)` → `Dak Prescott`) and the id looked up by that
//! name in the boxscore when exactly one player has it. `pat` says how the try after a touchdown
//! went when the text or the points tell.
//!
//! ESPN's scoring rows can show a two-point conversion only on the next scoring row (the
//! touchdown row reads +6, the next row adds the 2 to the other side too). That late rise becomes
//! its own `two-point-conversion` (or `extra-point`) play, told with the touchdown's text and
//! placed before the row's own play (detail `late` = `true`).

use super::{Collector, Names, Scored, kebab};
use crate::wire::{Play, Summary};
use scoreline_plugin_sdk::ScoringPlay;

/// Read the scoring plays of a football summary.
pub fn collect(doc: &Summary, c: &mut Collector<'_>, names: &Names) {
    let rows: Vec<&Play> = match &doc.scoring_plays {
        Some(list) if !list.is_empty() => list.iter().collect(),
        _ => {
            let drives: Vec<&Play> = doc
                .drives
                .iter()
                .flat_map(|d| d.previous.iter().chain(d.current.iter()))
                .flat_map(|d| &d.plays)
                .collect();
            if drives.is_empty() {
                doc.plays.iter().collect()
            } else {
                drives
            }
        }
    };
    for row in rows {
        let lead = c.side_of(row.team_id());
        for (rise, carried_over) in c.observe_row(row.home_score, row.away_score, lead) {
            if carried_over {
                let scored = carried(c.last_play_of(rise.side), rise.points, row, names);
                c.push(&rise, scored);
                continue;
            }
            let kind = kind(row);
            let text = row.text();
            let (scorer_id, scorer_name) = identify(scorer(text, &kind), names);
            let mut details = Vec::new();
            if kind == "touchdown"
                && let Some(pat) = pat(text, rise.points)
            {
                details.push(("pat".to_owned(), pat.to_owned()));
            }
            let event = row.type_text();
            if !event.is_empty() {
                details.push(("event".to_owned(), event.to_owned()));
            }
            c.push(
                &rise,
                Scored {
                    period: row.period(),
                    clock: row.clock(),
                    scorer_id,
                    scorer_name,
                    assists: Vec::new(),
                    kind,
                    description: text.to_owned(),
                    details,
                },
            );
        }
    }
}

/// A rise for the side that did not score on `row`: points ESPN added late to that side's
/// previous play. After a touchdown, 2 points are its two-point conversion and 1 its extra point,
/// told with the touchdown's text, period and clock; anything else is a bare `score`.
fn carried(previous: Option<&ScoringPlay>, points: u32, row: &Play, names: &Names) -> Scored {
    let conversion = previous.filter(|p| p.kind == "touchdown" && (points == 1 || points == 2));
    let Some(touchdown) = conversion else {
        return Scored::unnamed(row, "score");
    };
    let try_text = touchdown
        .description
        .split_once('(')
        .map(|(_, rest)| rest.split(')').next().unwrap_or(rest))
        .unwrap_or("");
    let lower = try_text.to_ascii_lowercase();
    let named = match lower.find("pass to ") {
        Some(i) if points == 2 => try_text
            .get(i + "pass to ".len()..)
            .and_then(|t| leading_name(t).0),
        _ => leading_name(try_text).0,
    };
    let (scorer_id, scorer_name) = identify(named, names);
    let kind = if points == 2 {
        "two-point-conversion"
    } else {
        "extra-point"
    };
    Scored {
        period: touchdown.period,
        clock: touchdown.clock.clone(),
        scorer_id,
        scorer_name,
        assists: Vec::new(),
        kind: kind.to_owned(),
        description: touchdown.description.clone(),
        details: vec![("late".to_owned(), "true".to_owned())],
    }
}

/// The id of a name read from play text, and the boxscore's full name for it (`L. Caples` →
/// `Latrell Caples`) when exactly one player goes by it; else the name as read.
fn identify(named: Option<String>, names: &Names) -> (Option<String>, Option<String>) {
    let Some(named) = named else {
        return (None, None);
    };
    match names.id_of(&named) {
        Some(id) => {
            let full = names.name(id).map_or_else(|| named.clone(), str::to_owned);
            (Some(id.to_owned()), Some(full))
        }
        None => (None, Some(named)),
    }
}

/// The play's kind: `scoringType.name` (`touchdown`, `field-goal`, `safety`), else the type's
/// abbreviation, else the kebab-cased `type.text` without a trailing `good`.
fn kind(row: &Play) -> String {
    if let Some(name) = row
        .scoring_type
        .as_ref()
        .and_then(|t| t.name.as_deref())
        .map(kebab)
        .filter(|k| !k.is_empty())
    {
        return name;
    }
    let abbreviation = row
        .kind
        .as_ref()
        .and_then(|k| k.abbreviation.as_deref())
        .or_else(|| {
            row.scoring_type
                .as_ref()
                .and_then(|t| t.abbreviation.as_deref())
        })
        .unwrap_or("")
        .to_ascii_uppercase();
    let known = match abbreviation.as_str() {
        "TD" => "touchdown",
        "FG" => "field-goal",
        "SF" | "SAF" => "safety",
        "2PT" | "2PC" | "2P" => "two-point-conversion",
        "D2P" | "DEF2PT" | "D2PT" => "defensive-two-point",
        "XP" | "PAT" => "extra-point",
        _ => "",
    };
    if !known.is_empty() {
        return known.to_owned();
    }
    let text = kebab(row.type_text());
    let text = text.strip_suffix("-good").unwrap_or(&text);
    if text.ends_with("touchdown") {
        "touchdown".to_owned()
    } else if text.is_empty() {
        "score".to_owned()
    } else {
        text.to_owned()
    }
}

/// Words that end a name at the start of a play's text.
const STOP: &[&str] = &[
    "yd",
    "yds",
    "yard",
    "yards",
    "run",
    "rush",
    "pass",
    "from",
    "field",
    "goal",
    "fg",
    "interception",
    "int",
    "fumble",
    "punt",
    "kickoff",
    "kick",
    "return",
    "blocked",
    "safety",
    "td",
    "touchdown",
    "recovery",
    "two-point",
    "conversion",
    "defensive",
    "sacked",
    "extra",
    "point",
    "for",
    "to",
    "and",
    "pat",
];

/// Lowercase particles that may sit inside a name (`Trevor van Riemsdyk`).
const PARTICLES: &[&str] = &[
    "van", "von", "de", "del", "della", "da", "di", "la", "le", "st.",
];

fn name_word(word: &str, first: bool) -> bool {
    let Some(c) = word.chars().next() else {
        return false;
    };
    if word.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let lower = word.to_lowercase();
    if STOP.contains(&lower.as_str()) {
        return false;
    }
    c.is_uppercase() || (!first && PARTICLES.contains(&lower.as_str()))
}

/// The run of capitalised words that opens `text`, and the word that ended it.
fn leading_name(text: &str) -> (Option<String>, &str) {
    let mut words: Vec<&str> = Vec::new();
    let mut next = "";
    for raw in text.split_whitespace() {
        let word = raw.trim_end_matches([',', ';', ':']);
        if words.len() < 5 && name_word(word, words.is_empty()) {
            words.push(word);
            if word.len() != raw.len() {
                break;
            }
        } else {
            next = word;
            break;
        }
    }
    while words
        .last()
        .is_some_and(|w| PARTICLES.contains(&w.to_lowercase().as_str()))
    {
        words.pop();
    }
    let name = (!words.is_empty()).then(|| words.join(" "));
    (name, next)
}

/// The scorer's name from a scoring play's text, in the shapes ESPN writes:
/// `Dak Prescott 1 Yd Run (...)`, `CeeDee Lamb 11 Yd pass from Dak Prescott (...)`,
/// `Brandon Aubrey 52 Yd Field Goal`, `DaRon Bland 30 Yd Interception Return (...)`,
/// `Sam Williams Safety`; live college text `M. Madsen pass to L. Caples for 10 yds for a TD`,
/// `A. Swann pass intercepted,A. McCoy return for 26 yds for a TD`; and drive play text
/// `(Shotgun) D.Prescott pass short middle to C.Lamb for 10 yards, TOUCHDOWN.`.
/// A safety names a player only in the `Name Safety` form.
pub fn scorer(text: &str, kind: &str) -> Option<String> {
    let mut t = text.trim();
    // Formation notes such as `(Shotgun)` open drive play text.
    while t.starts_with('(') {
        match t.find(')') {
            Some(end) => t = t.get(end + 1..).unwrap_or("").trim_start(),
            None => break,
        }
    }
    // The try after a touchdown, in parentheses, is not the scoring play.
    let main = t.split('(').next().unwrap_or(t).trim();
    // ASCII lowercasing keeps byte offsets, so indices found in `lower` slice `main`.
    let lower = main.to_ascii_lowercase();
    if kind == "safety" {
        let (name, next) = leading_name(main);
        return name.filter(|_| next.eq_ignore_ascii_case("safety"));
    }
    if lower.contains("pass from") {
        return leading_name(main).0;
    }
    if let Some(i) = lower.find("recovered by ") {
        return leading_name(main.get(i + "recovered by ".len()..)?).0;
    }
    if let (Some(comma), Some(ret)) = (lower.find(','), lower.find(" return"))
        && comma < ret
    {
        return leading_name(main.get(comma + 1..)?).0;
    }
    if let Some(p) = lower.find(" pass ")
        && let Some(to) = lower.get(p..).and_then(|rest| rest.find(" to "))
    {
        return leading_name(main.get(p + to + " to ".len()..)?).0;
    }
    leading_name(main).0
}

/// How the try after a touchdown went: `kick good`, `kick failed`, `two-point good`,
/// `two-point failed`; from the text when it says, else from the points (7 or 8).
pub fn pat(text: &str, points: u32) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let tail = lower
        .find('(')
        .and_then(|i| lower.get(i..))
        .unwrap_or(&lower);
    let words: Vec<&str> = tail
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let failed = tail.contains("fail")
        || tail.contains("no good")
        || tail.contains("blocked")
        || tail.contains("missed")
        || tail.contains("unsuccessful");
    if tail.contains("two-point") || tail.contains("two point") || tail.contains("2pt") {
        return Some(if failed {
            "two-point failed"
        } else {
            "two-point good"
        });
    }
    if tail.contains("kick") || tail.contains("extra point") || words.contains(&"pat") {
        return Some(if failed { "kick failed" } else { "kick good" });
    }
    match points {
        7 => Some("kick good"),
        8 => Some("two-point good"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scorers_from_text() {
        let cases = [
            (
                "Dak Prescott 1 Yd Run (Brandon Aubrey Kick)",
                "touchdown",
                Some("Dak Prescott"),
            ),
            (
                "Brandon Aubrey 52 Yd Field Goal",
                "field-goal",
                Some("Brandon Aubrey"),
            ),
            (
                "CeeDee Lamb 11 Yd pass from Dak Prescott (Brandon Aubrey Kick)",
                "touchdown",
                Some("CeeDee Lamb"),
            ),
            (
                "DaRon Bland 30 Yd Interception Return (Brandon Aubrey Kick)",
                "touchdown",
                Some("DaRon Bland"),
            ),
            ("Sam Williams Safety ", "safety", Some("Sam Williams")),
            (
                "E.Evans punt is BLOCKED by S.Williams, ball out of bounds in End Zone, SAFETY",
                "safety",
                None,
            ),
            (
                "M. Madsen pass to L. Caples for 10 yds for a TD,App State penalty (C. Boomer KICK)",
                "touchdown",
                Some("L. Caples"),
            ),
            (
                "A. Swann pass intercepted,A. McCoy return for 26 yds for a TD (C. Boomer KICK)",
                "touchdown",
                Some("A. McCoy"),
            ),
            (
                "(Shotgun) D.Prescott pass short middle to C.Lamb for 10 yards, TOUCHDOWN.",
                "touchdown",
                Some("C.Lamb"),
            ),
            (
                "(Shotgun) R.Freeman up the middle for 1 yard, TOUCHDOWN.",
                "touchdown",
                Some("R.Freeman"),
            ),
            (
                "Jake Ferguson Pass From Dak Prescott for 18 Yds B.Aubrey extra point is GOOD",
                "touchdown",
                Some("Jake Ferguson"),
            ),
            (
                "L.Havrisik 33 yard field goal is GOOD",
                "field-goal",
                Some("L.Havrisik"),
            ),
            (
                "Amon-Ra St. Brown 5 Yard pass from Jared Goff (Jake Bates Kick)",
                "touchdown",
                Some("Amon-Ra St. Brown"),
            ),
            (
                "Trevor van Riemsdyk 3 yd Fumble Return",
                "touchdown",
                Some("Trevor van Riemsdyk"),
            ),
            (
                "J. Smith fumble recovered by K. Jones for 20 yds for a TD",
                "touchdown",
                Some("K. Jones"),
            ),
            ("", "touchdown", None),
        ];
        for (text, kind, want) in cases {
            assert_eq!(scorer(text, kind).as_deref(), want, "{text}");
        }
    }

    #[test]
    fn tries_after_touchdowns() {
        assert_eq!(
            pat("X 1 Yd Run (Brandon Aubrey Kick)", 7),
            Some("kick good")
        );
        assert_eq!(
            pat("X 7 Yd pass from Y (Ethan Head PAT failed)", 6),
            Some("kick failed")
        );
        assert_eq!(
            pat("X 1 Yd Run (Two-Point Pass Conversion Failed)", 6),
            Some("two-point failed")
        );
        assert_eq!(
            pat(
                "X 20 Yd pass from Y (Tutu Atwell Pass to Matthew Stafford for Two-Point Conversion)",
                8
            ),
            Some("two-point good")
        );
        assert_eq!(pat("X for a TD (C. Boomer KICK)", 7), Some("kick good"));
        assert_eq!(pat("X 5 Yd Run", 8), Some("two-point good"));
        assert_eq!(pat("X 5 Yd Run", 6), None);
    }
}
