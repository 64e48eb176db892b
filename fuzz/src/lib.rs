//! The bodies of Scoreline's fuzz targets, one plain function per target (each
//! `fuzz_targets/<name>.rs` only calls its function), so `cargo check --lib` keeps them compiling
//! without libFuzzer. A target passes when its function returns without a panic, an abort, a
//! hang or unbounded memory; errors are the expected answer to most inputs.
//!
//! Every harness takes any bytes, so a seed corpus of real payloads (`scripts/fuzz` copies
//! `../shared/fixtures` in at run time) works as-is: no selector byte in front.

use chrono::{DateTime, TimeZone, Utc};
use scoreline_core::events::diff::{Snapshot, diff};
use scoreline_core::ingest::{self, Catalogue, Format, TeamEntry};
use scoreline_core::model::{self, GameKey, TeamRef};
use scoreline_core::validate::{BodyTimes, judge};
use scoreline_plugin_espn::Espn;
use scoreline_plugin_mlb::Mlb;
use scoreline_plugin_nhl::Nhl;
use scoreline_plugin_sdk as sdk;
use scoreline_plugin_sdk::{Adapter, CallContext};

/// The `now` every call context carries (2024-07-01T00:00:00Z).
const NOW: i64 = 1_719_792_000;

fn contains(data: &[u8], needle: &[u8]) -> bool {
    data.windows(needle.len()).any(|w| w == needle)
}

/// The ESPN league to parse `data` as: the sport named first in the body, so a recorded
/// payload of any sport is parsed with its own sport's rules; NFL when none is named.
fn espn_league(data: &[u8]) -> &'static str {
    const BY_SPORT: [(&[u8], &str); 5] = [
        (b"\"soccer\"", "fifa.world"),
        (b"\"hockey\"", "nhl"),
        (b"\"baseball\"", "mlb"),
        (b"\"basketball\"", "nba"),
        (b"\"football\"", "nfl"),
    ];
    let head = &data[..data.len().min(4096)];
    BY_SPORT
        .iter()
        .find(|(sport, _)| contains(head, sport))
        .map_or("nfl", |(_, league)| league)
}

/// `espn_scoreboard`: ESPN's scoreboard (also its schedule) parse.
pub fn espn_scoreboard(data: &[u8]) {
    let ctx = CallContext::new(espn_league(data), NOW);
    let _ = Espn::parse_scoreboard(&ctx, data);
}

/// `espn_summary`: ESPN's game summary parse.
pub fn espn_summary(data: &[u8]) {
    let ctx = CallContext::new(espn_league(data), NOW);
    let _ = Espn::parse_game_detail(&ctx, "401547665", data);
}

/// `nhl`: the NHL adapter's board (schedule and score) and game detail (landing,
/// play-by-play) parses, each on the same bytes.
pub fn nhl(data: &[u8]) {
    let ctx = CallContext::new("nhl", NOW);
    let _ = Nhl::parse_schedule(&ctx, data);
    let _ = Nhl::parse_scoreboard(&ctx, data);
    let _ = Nhl::parse_game_detail(&ctx, "2023020206", data);
}

/// `mlb`: the MLB adapter's schedule, scoreboard and live-feed parses, each on the same bytes.
pub fn mlb(data: &[u8]) {
    let ctx = CallContext::new("mlb", NOW);
    let _ = Mlb::parse_schedule(&ctx, data);
    let _ = Mlb::parse_scoreboard(&ctx, data);
    let _ = Mlb::parse_game_detail(&ctx, "744914", data);
}

// ---- host_convert -------------------------------------------------------------------------

/// The output bounds the sandbox applies by default.
const MAX_GAMES: usize = 5_000;
const MAX_PLAYS: usize = 5_000;

fn competitor(c: sdk::Competitor) -> model::Competitor {
    model::Competitor {
        id: c.id,
        abbreviation: c.abbreviation,
        name: c.name,
        score: c.score,
    }
}

fn status(s: sdk::GameStatus) -> model::GameStatus {
    use model::GameStatus as M;
    use sdk::GameStatus as W;
    match s {
        W::Scheduled => M::Scheduled,
        W::Pregame => M::Pregame,
        W::Live => M::Live,
        W::Intermission => M::Intermission,
        W::Delayed => M::Delayed,
        W::Final => M::Final,
        W::Postponed => M::Postponed,
        W::Cancelled => M::Cancelled,
        W::Suspended => M::Suspended,
    }
}

/// `daemon/src/sandbox/convert.rs`'s `game`, field for field, on the SDK's native types (the
/// host's own function takes wasmtime's bindgen types, which only a component call makes).
fn game(g: sdk::Game) -> Option<model::Game> {
    let start_time = match g.start_time {
        None => None,
        Some(ts) => Some(DateTime::<Utc>::from_timestamp(ts, 0)?),
    };
    if g.id.is_empty() {
        return None;
    }
    Some(model::Game {
        id: g.id,
        league: g.league,
        sport: g.sport,
        status: status(g.status),
        status_detail: g.status_detail,
        period: g.period,
        clock: g.clock,
        clock_seconds: g.clock_seconds,
        start_time,
        season: g.season,
        season_type: g.season_type,
        week: g.week,
        venue: g.venue,
        overtime: g.overtime,
        extra_time: g.extra_time,
        shootout: g.shootout,
        home: competitor(g.home),
        away: competitor(g.away),
        details: g.details.into_iter().collect(),
    })
}

fn detail(d: sdk::GameDetail) -> Option<model::GameDetail> {
    if d.scoring_plays.len() + d.shootout.len() > MAX_PLAYS {
        return None;
    }
    Some(model::GameDetail {
        game: game(d.game)?,
        scoring_plays: d
            .scoring_plays
            .into_iter()
            .map(|p| model::ScoringPlay {
                sequence: p.sequence,
                period: p.period,
                clock: p.clock,
                team: p.team,
                scorer_id: p.scorer_id,
                scorer_name: p.scorer_name,
                assists: p
                    .assists
                    .into_iter()
                    .map(|a| model::Player {
                        id: a.id,
                        name: a.name,
                    })
                    .collect(),
                kind: p.kind,
                points: p.points,
                home_score: p.home_score,
                away_score: p.away_score,
                description: p.description,
                details: p.details.into_iter().collect(),
            })
            .collect(),
        shootout: d
            .shootout
            .into_iter()
            .map(|s| model::ShootoutAttempt {
                sequence: s.sequence,
                team: s.team,
                player_id: s.player_id,
                player_name: s.player_name,
                scored: s.scored,
                description: s.description,
            })
            .collect(),
        poll_hint_secs: None,
    })
}

/// What the host does with one parse's games after conversion: validation against the previous
/// snapshot of "the same" game (each game is taken as the next poll of the one before it, so the
/// rules see arbitrary transitions), then the diff.
fn apply(games: &[model::Game], plays: Option<&[model::ScoringPlay]>) {
    let now = Utc
        .timestamp_opt(NOW, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let key = GameKey::new("fuzz", "fuzz", "1");
    let mut previous: Option<&model::Game> = None;
    for next in games {
        let times = BodyTimes {
            accepted: previous.and(Some(now)),
            next: next.start_time,
        };
        let _ = judge(previous, previous, next, times);
        let snap = |g| Snapshot {
            key: &key,
            game: g,
            plays,
            first_seen: (0, 0),
        };
        let before = previous.map(snap);
        let _ = diff(before.as_ref(), &snap(next), now);
        previous = Some(next);
    }
}

/// `host_convert`: every adapter's native parse output, converted to the core model as
/// `sandbox/convert.rs` does and bounded the same way, then validated and diffed.
pub fn host_convert(data: &[u8]) {
    let boards = [
        Espn::parse_scoreboard(&CallContext::new(espn_league(data), NOW), data),
        Nhl::parse_scoreboard(&CallContext::new("nhl", NOW), data),
        Mlb::parse_scoreboard(&CallContext::new("mlb", NOW), data),
    ];
    for board in boards.into_iter().flatten() {
        if board.games.len() > MAX_GAMES {
            continue;
        }
        let games: Vec<model::Game> = board.games.into_iter().filter_map(game).collect();
        apply(&games, None);
    }
    let details = [
        Espn::parse_game_detail(&CallContext::new(espn_league(data), NOW), "1", data),
        Nhl::parse_game_detail(&CallContext::new("nhl", NOW), "1", data),
        Mlb::parse_game_detail(&CallContext::new("mlb", NOW), "1", data),
    ];
    for d in details.into_iter().flatten() {
        if let Some(d) = detail(d.detail) {
            let games = [d.game.clone(), d.game];
            apply(&games, Some(&d.scoring_plays));
        }
    }
}

// ---- schedule_ingest ----------------------------------------------------------------------

fn team(id: &str, abbreviation: &str, name: &str) -> TeamRef {
    TeamRef {
        id: id.to_owned(),
        abbreviation: abbreviation.to_owned(),
        name: name.to_owned(),
    }
}

/// `schedule_ingest`: the schedule file read as CSV and as JSON, then built into games against
/// a small catalogue (known teams, a config team, aliases, an ambiguous name) in two zones.
pub fn schedule_ingest(data: &[u8]) {
    let known = [
        team("8", "MTL", "Montréal Canadiens"),
        team("10", "TOR", "Toronto Maple Leafs"),
        team("6", "BOS", "Boston Bruins"),
        team("3", "NYR", "New York Rangers"),
        team("59", "UTA", "Utah Mammoth"),
        team("60", "UTA", "Utah Hockey Club"),
    ];
    let entries = [
        TeamEntry::Alias {
            name: "Habs".to_owned(),
            target: "MTL".to_owned(),
        },
        TeamEntry::Alias {
            name: "Utah".to_owned(),
            target: "UTA".to_owned(),
        },
        TeamEntry::Team {
            key: "paris".to_owned(),
            id: "900".to_owned(),
            abbreviation: "PAR".to_owned(),
            name: "Paris".to_owned(),
        },
    ];
    let catalogue = Catalogue::new(&known, &entries);
    for format in [Format::Csv, Format::Json] {
        let Ok(parsed) = ingest::parse(format, data) else {
            continue;
        };
        for zone in [chrono_tz::America::New_York, chrono_tz::Europe::Paris] {
            if let Ok(games) = ingest::build(parsed.clone(), &catalogue, zone, "nhl") {
                for g in &games {
                    let _ = g.to_game("nhl");
                }
            }
        }
    }
}

// ---- daemon -------------------------------------------------------------------------------

/// `config`: the daemon's config parse and validation (`${VAR}` substitution included; a few
/// variables are set) on the bytes as text.
#[cfg(feature = "daemon")]
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let env = |name: &str| match name {
        "HOME" => Some("/home/fuzz".to_owned()),
        "TOKEN" | "SCORELINE_TOKEN" => Some("secret".to_owned()),
        "EMPTY" => Some(String::new()),
        _ => None,
    };
    let _ = scoreline::config::Config::parse(std::path::Path::new("fuzz.toml"), text, env);
}

/// `recording_index`: a recording's `index.jsonl` parse.
#[cfg(feature = "daemon")]
pub fn recording_index(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = scoreline::fetch::recording::parse_index(std::path::Path::new("rec"), text);
}
