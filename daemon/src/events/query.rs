//! `scoreline events`: the event log read straight from the store (no daemon needed), filtered
//! and printed as JSON (`{"events":[...]}`) or one readable line per event. The rendering is
//! pure over the log rows.

use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use scoreline_core::events::{EventFilter, EventType, LoggedEvent};
use scoreline_store::{Store, StoreError};
use serde_json::{Value, json};

/// Flags of `scoreline events`.
#[derive(Debug, Clone, Args)]
pub struct EventsArgs {
    /// Only this game id.
    #[arg(long = "game", value_name = "ID")]
    pub game: Option<String>,
    /// Only these types (repeat the flag or separate with commas), e.g. `score.changed`.
    #[arg(long = "type", value_name = "T", value_delimiter = ',')]
    pub types: Vec<EventType>,
    /// Only events at or after this time: RFC 3339, or a day `YYYY-MM-DD` (00:00 UTC).
    #[arg(long, value_name = "TIME", value_parser = parse_since)]
    pub since: Option<DateTime<Utc>>,
    /// Only this league.
    #[arg(long, value_name = "L")]
    pub league: Option<String>,
    /// Print `{"events":[...]}` JSON.
    #[arg(long)]
    pub json: bool,
}

/// Why `scoreline events` failed.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    /// The log could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The output could not be encoded.
    #[error("cannot encode events: {0}")]
    Encode(#[from] serde_json::Error),
}

/// Read the events `args` select from `store` and render them.
pub fn run(store: &Store, args: &EventsArgs) -> Result<String, EventsError> {
    let filter = EventFilter {
        game_id: args.game.clone(),
        league: args.league.clone(),
        types: args.types.clone(),
        since: args.since,
        after_seq: None,
        limit: None,
    };
    let events = store.events(&filter)?;
    if args.json {
        Ok(serde_json::to_string_pretty(&to_json(&events))? + "\n")
    } else {
        Ok(text(&events))
    }
}

fn parse_since(s: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("`{s}` is neither an RFC 3339 time nor a YYYY-MM-DD day"))
}

/// `{"events":[{"seq","id","type","game_id","league","time","catch_up","data"}]}`, oldest first.
pub fn to_json(events: &[LoggedEvent]) -> Value {
    let rows: Vec<Value> = events
        .iter()
        .map(|l| {
            let e = &l.event;
            json!({
                "seq": l.seq,
                "id": e.id,
                "type": e.kind,
                "game_id": e.game_id,
                "league": e.league,
                "time": e.time,
                "catch_up": e.catch_up,
                "data": e.data,
            })
        })
        .collect();
    json!({ "events": rows })
}

/// One line per event: position, time, type, league/game, a summary, `(catch-up)` when it is.
pub fn text(events: &[LoggedEvent]) -> String {
    let mut out = String::new();
    for l in events {
        let e = &l.event;
        out.push_str(&format!(
            "{:>6} {} {:<15} {}/{} {}{}\n",
            l.seq,
            e.time.format("%Y-%m-%dT%H:%M:%SZ"),
            e.kind.as_str(),
            e.league,
            e.game_id,
            summary(e.kind, &e.data),
            if e.catch_up { " (catch-up)" } else { "" },
        ));
    }
    out
}

fn summary(kind: EventType, d: &Value) -> String {
    let s = |k: &str| match &d[k] {
        Value::Null => "-".to_owned(),
        Value::String(v) => v.clone(),
        v => v.to_string(),
    };
    let score = || format!("{}-{}", s("home_score"), s("away_score"));
    let play = |p: &Value| {
        let name = p["scorer_name"].as_str().or(p["scorer_id"].as_str());
        format!(
            "#{} {} ({}) {}-{}",
            p["sequence"],
            name.unwrap_or("?"),
            p["team"].as_str().unwrap_or("?"),
            p["home_score"],
            p["away_score"]
        )
    };
    match kind {
        EventType::GameScheduled => format!("starts {}", s("start_time")),
        EventType::GameStarted => format!("{} period {}", score(), s("period")),
        EventType::PeriodStarted | EventType::PeriodEnded => {
            format!("period {} at {}", s("period"), score())
        }
        EventType::ScoreChanged => format!(
            "{} ({:+}, {:+})",
            score(),
            d["home_delta"].as_i64().unwrap_or(0),
            d["away_delta"].as_i64().unwrap_or(0)
        ),
        EventType::ScoreCorrected if d["reason"] == "play_removed" => {
            format!("play removed: {}", play(&d["play"]))
        }
        EventType::ScoreCorrected => format!(
            "{}-{} -> {}",
            s("previous_home_score"),
            s("previous_away_score"),
            score()
        ),
        EventType::LeadChanged => format!("{} leads {}", s("leader"), score()),
        EventType::GameTied => format!("tied {}", score()),
        EventType::ScoringPlay => play(d),
        EventType::ScoringFirst => format!("first: {}", play(d)),
        EventType::GameDelayed => format!("{} period {} at {}", s("status"), s("period"), score()),
        EventType::GamePostponed => format!("{} (was {})", s("status"), s("start_time")),
        EventType::GameFinal => {
            let mut t = format!("{} winner {}", score(), s("winner"));
            for flag in ["overtime", "extra_time", "shootout"] {
                if d[flag] == true {
                    t.push_str(&format!(" {flag}"));
                }
            }
            t
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use scoreline_core::events::Event;

    fn logged(seq: i64, kind: EventType, catch_up: bool, data: Value) -> LoggedEvent {
        LoggedEvent {
            seq,
            event: Event {
                id: format!("id{seq}"),
                kind,
                game_id: "760507".into(),
                league: "fifa.world".into(),
                adapter: "espn".into(),
                time: Utc.with_ymd_and_hms(2026, 7, 7, 4, 29, 54).unwrap(),
                catch_up,
                teams: vec![],
                data,
            },
        }
    }

    #[test]
    fn json_and_text_shapes() {
        let rows = vec![
            logged(
                1,
                EventType::ScoreChanged,
                false,
                json!({"home_score": 1, "away_score": 4, "home_delta": 1, "away_delta": 4}),
            ),
            logged(
                2,
                EventType::GameFinal,
                true,
                json!({"home_score": 1, "away_score": 4, "winner": "11", "shootout": false}),
            ),
        ];
        assert_eq!(
            to_json(&rows)["events"][0],
            json!({"seq": 1, "id": "id1", "type": "score.changed", "game_id": "760507",
                   "league": "fifa.world", "time": "2026-07-07T04:29:54Z", "catch_up": false,
                   "data": {"home_score": 1, "away_score": 4, "home_delta": 1, "away_delta": 4}})
        );
        assert_eq!(
            text(&rows),
            "     1 2026-07-07T04:29:54Z score.changed   fifa.world/760507 1-4 (+1, +4)\n     \
             2 2026-07-07T04:29:54Z game.final      fifa.world/760507 1-4 winner 11 (catch-up)\n"
        );
    }

    #[test]
    fn since_takes_a_time_or_a_day() {
        let day = Utc.with_ymd_and_hms(2026, 7, 7, 0, 0, 0).unwrap();
        assert_eq!(parse_since("2026-07-07"), Ok(day));
        assert_eq!(parse_since("2026-07-07T02:00:00+02:00"), Ok(day));
        assert!(parse_since("yesterday").is_err_and(|e| e.contains("`yesterday`")));
    }
}
