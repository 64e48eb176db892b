//! Schedule ingestion, pure: read a schedule file's bytes (CSV or JSON), map its team names onto a
//! league's team catalogue, turn its local dates and times into UTC in an IANA zone, and build the
//! games `scoreline schedule ingest` writes; or one error listing every bad row. Also decides
//! which ingested games an adapter has not reported yet, so they drive the cadence. No I/O: bytes,
//! the catalogue and the zone come in, games or an error go out.
//!
//! # Rules
//!
//! - Columns: `date,time,home_team,away_team[,venue]`; `date` is `YYYY-MM-DD`, `time` `HH:MM`
//!   (24-hour), both local to the zone given.
//! - A local time the zone skips (the spring-forward gap) is an error naming the row. A local time
//!   the zone has twice (the autumn fall-back hour) takes the **earlier** instant: a game is
//!   announced for the first pass of the clock, and polling early is harmless where late is not.
//! - A name maps to a team when it equals, ignoring case and surrounding or repeated whitespace, a
//!   configured alias (aliases win), or else a team's id, abbreviation or full name. A name that
//!   matches two teams is an error, as is one that matches none.
//! - Game ids are `ingest-YYYYMMDD-AWAYID-HOMEID` (local date, team ids), so ingesting a file
//!   again rewrites the same rows. A second game of the same teams on the same date (a
//!   doubleheader) gets `-2`, `-3`, ... in start order; the same teams at the same time twice is a
//!   duplicate row.

use crate::cadence::GameView;
use crate::model::{Competitor, Game, GameStatus};
use crate::model::{ScheduledGame, TeamRef};
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// The `source` of schedule rows written by `schedule ingest`.
pub const SOURCE: &str = "ingest";

/// How far apart an ingested start and a reported start may be for them to be the same game.
pub const MATCH_WINDOW: Duration = Duration::hours(12);

/// A schedule file's format, from its extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv` with a header row.
    Csv,
    /// `.json`: an array of row objects, or `{"games": [...]}`.
    Json,
}

impl Format {
    /// The format of `path` by its extension (case-insensitive).
    pub fn from_path(path: &Path) -> Result<Format, IngestError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv") => Ok(Format::Csv),
            Some("json") => Ok(Format::Json),
            _ => Err(IngestError::Format(path.display().to_string())),
        }
    }
}

/// Where a row sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RowRef {
    /// A CSV row: its line number (the header is line 1).
    Line(u64),
    /// A JSON row: its position in the array, from 1.
    Item(usize),
}

impl fmt::Display for RowRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RowRef::Line(n) => write!(f, "line {n}"),
            RowRef::Item(n) => write!(f, "item {n}"),
        }
    }
}

/// One row as written, fields trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Where it is.
    pub at: RowRef,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`.
    pub time: String,
    /// Home team name.
    pub home_team: String,
    /// Away team name.
    pub away_team: String,
    /// Venue, if given and not empty.
    pub venue: Option<String>,
}

/// The rows of a file, and the rows too malformed to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Rows read.
    pub rows: Vec<Row>,
    /// Rows that could not be read, with why.
    pub bad: Vec<(RowRef, RowProblem)>,
}

/// What is wrong with one row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    /// The row does not have the file's shape.
    #[error("{0}")]
    Malformed(String),
    /// A required field is empty.
    #[error("`{0}` is empty")]
    Missing(&'static str),
    /// The date is not `YYYY-MM-DD`.
    #[error("date `{0}` is not YYYY-MM-DD")]
    Date(String),
    /// The time is not `HH:MM`.
    #[error("time `{0}` is not HH:MM (24-hour)")]
    Time(String),
    /// The local time falls in the zone's daylight-saving gap.
    #[error("{date} {time} does not exist in {zone}: the clocks skip it (daylight saving begins)")]
    SkippedLocalTime {
        /// The date.
        date: NaiveDate,
        /// The time.
        time: NaiveTime,
        /// The zone.
        zone: Tz,
    },
    /// A name matches more than one team.
    #[error("{side} `{name}` matches {} teams: {}", .teams.len(), describe(.teams))]
    AmbiguousTeam {
        /// `home_team` or `away_team`.
        side: &'static str,
        /// The name as written.
        name: String,
        /// The teams it matches.
        teams: Vec<TeamRef>,
    },
    /// A configured alias whose target is not exactly one known team.
    #[error("{side} `{name}` is an alias of `{target}`, which {reason}")]
    BrokenAlias {
        /// `home_team` or `away_team`.
        side: &'static str,
        /// The name as written.
        name: String,
        /// The alias target from the config.
        target: String,
        /// `is no known team` or `matches N teams`.
        reason: String,
    },
    /// Home and away are one team.
    #[error("home_team and away_team are the same team ({0})")]
    SameTeam(String),
    /// The same teams at the same time as an earlier row.
    #[error("duplicates {0} (same teams, same start)")]
    Duplicate(RowRef),
}

fn describe(teams: &[TeamRef]) -> String {
    teams
        .iter()
        .map(|t| format!("{} (id {}, {})", t.abbreviation, t.id, t.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name no team or alias answers to, and the rows using it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    /// The name as first written.
    pub name: String,
    /// Every row using it, in file order.
    pub rows: Vec<RowRef>,
}

/// Every problem of a file: nothing of it may be written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowErrors {
    /// The league the names were looked up in.
    pub league: String,
    /// Unmapped names, deduplicated (ignoring case and spacing), in order of first use.
    pub unmapped: Vec<Unmapped>,
    /// Every other bad row, in file order.
    pub bad: Vec<(RowRef, RowProblem)>,
}

impl RowErrors {
    fn is_empty(&self) -> bool {
        self.unmapped.is_empty() && self.bad.is_empty()
    }
}

impl fmt::Display for RowErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: BTreeSet<RowRef> = self
            .unmapped
            .iter()
            .flat_map(|u| u.rows.iter().copied())
            .chain(self.bad.iter().map(|(at, _)| *at))
            .collect();
        write!(
            f,
            "schedule not ingested, nothing written: {} bad row(s)",
            rows.len()
        )?;
        if !self.unmapped.is_empty() {
            write!(
                f,
                "\n  unmapped team names (add them as aliases under [leagues.teams] of league `{}`):",
                self.league
            )?;
            for u in &self.unmapped {
                let at: Vec<String> = u.rows.iter().map(RowRef::to_string).collect();
                write!(f, "\n    `{}`: {}", u.name, at.join(", "))?;
            }
        }
        if !self.bad.is_empty() {
            write!(f, "\n  bad rows:")?;
            for (at, problem) in &self.bad {
                write!(f, "\n    {at}: {problem}")?;
            }
        }
        Ok(())
    }
}

/// A schedule file could not be ingested.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// The extension is neither `.csv` nor `.json`.
    #[error("schedule file `{0}` is neither .csv nor .json")]
    Format(String),
    /// The CSV could not be read at all.
    #[error("schedule csv: {0}")]
    Csv(String),
    /// The CSV header is not the expected one.
    #[error(
        "schedule csv header is `{0}`: expected `date,time,home_team,away_team` or \
         `date,time,home_team,away_team,venue`"
    )]
    Header(String),
    /// The JSON could not be read at all.
    #[error("schedule json: {0}")]
    Json(String),
    /// The file has no rows.
    #[error("schedule file has no games")]
    Empty,
    /// Some rows are bad; the message lists all of them.
    #[error("{0}")]
    Rows(RowErrors),
}

/// Read the rows of a file in `format`.
pub fn parse(format: Format, bytes: &[u8]) -> Result<Parsed, IngestError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match format {
        Format::Csv => parse_csv(bytes),
        Format::Json => parse_json(bytes),
    }
}

const COLUMNS: [&str; 4] = ["date", "time", "home_team", "away_team"];

fn parse_csv(bytes: &[u8]) -> Result<Parsed, IngestError> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let header = reader
        .headers()
        .map_err(|e| IngestError::Csv(e.to_string()))?
        .clone();
    let names: Vec<String> = header.iter().map(str::to_ascii_lowercase).collect();
    let width = names.len();
    let shape_ok = (width == 4 || (width == 5 && names[4] == "venue"))
        && names.iter().zip(COLUMNS).all(|(a, b)| a == b);
    if !shape_ok {
        return Err(IngestError::Header(
            header.iter().collect::<Vec<_>>().join(","),
        ));
    }
    let mut parsed = Parsed::default();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => match e.position() {
                Some(p) => {
                    let at = RowRef::Line(p.line());
                    parsed
                        .bad
                        .push((at, RowProblem::Malformed(csv_message(&e))));
                    continue;
                }
                None => return Err(IngestError::Csv(e.to_string())),
            },
        };
        let at = RowRef::Line(record.position().map_or(0, csv::Position::line));
        if record.len() != width {
            parsed.bad.push((
                at,
                RowProblem::Malformed(format!(
                    "has {} field(s), the header has {width}",
                    record.len()
                )),
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        parsed.rows.push(Row {
            at,
            date: field(0),
            time: field(1),
            home_team: field(2),
            away_team: field(3),
            venue: (width == 5).then(|| field(4)).filter(|v| !v.is_empty()),
        });
    }
    Ok(parsed)
}

/// A csv error's message without its own position prefix (the row is named separately).
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not UTF-8", err.field() + 1),
        _ => e.to_string(),
    }
}

/// A JSON row object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonRow {
    date: String,
    time: String,
    home_team: String,
    away_team: String,
    #[serde(default)]
    venue: Option<String>,
}

fn parse_json(bytes: &[u8]) -> Result<Parsed, IngestError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| IngestError::Json(e.to_string()))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut o) => match o.remove("games") {
            Some(serde_json::Value::Array(items)) => items,
            Some(_) => return Err(IngestError::Json("`games` is not an array".into())),
            None => {
                return Err(IngestError::Json(
                    "expected an array of games or an object with a `games` array".into(),
                ));
            }
        },
        _ => {
            return Err(IngestError::Json(
                "expected an array of games or an object with a `games` array".into(),
            ));
        }
    };
    let mut parsed = Parsed::default();
    for (i, item) in items.into_iter().enumerate() {
        let at = RowRef::Item(i + 1);
        match serde_json::from_value::<JsonRow>(item) {
            Ok(r) => parsed.rows.push(Row {
                at,
                date: r.date.trim().to_owned(),
                time: r.time.trim().to_owned(),
                home_team: r.home_team.trim().to_owned(),
                away_team: r.away_team.trim().to_owned(),
                venue: r
                    .venue
                    .map(|v| v.trim().to_owned())
                    .filter(|v| !v.is_empty()),
            }),
            Err(e) => parsed.bad.push((at, RowProblem::Malformed(e.to_string()))),
        }
    }
    Ok(parsed)
}

/// A name folded for matching: trimmed, lowercase, inner whitespace runs as one space.
fn fold(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The teams a league's names can map to: the teams the store has seen for the league's adapter
/// plus the config's `[leagues.teams]`.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// Teams by id.
    teams: BTreeMap<String, TeamRef>,
    /// Folded id, abbreviation or name → ids of the teams answering to it.
    names: BTreeMap<String, BTreeSet<String>>,
    /// Folded alias → the team id it resolves to, or why it resolves to none.
    aliases: BTreeMap<String, Result<String, (String, String)>>,
}

/// What a name resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<'a> {
    /// Exactly one team.
    Team(&'a TeamRef),
    /// No team.
    Unknown,
    /// Several teams.
    Ambiguous(Vec<&'a TeamRef>),
    /// A configured alias whose target is not exactly one team: (target, reason).
    BrokenAlias(&'a str, &'a str),
}

impl Catalogue {
    /// The catalogue of `known` teams (from the store) and the config's `entries`.
    pub fn new(known: &[TeamRef], entries: &[TeamEntry]) -> Catalogue {
        let mut c = Catalogue::default();
        for t in known {
            c.add(t.clone(), &[]);
        }
        for e in entries {
            if let TeamEntry::Team {
                key,
                id,
                abbreviation,
                name,
            } = e
            {
                let team = TeamRef {
                    id: id.clone(),
                    abbreviation: abbreviation.clone(),
                    name: name.clone(),
                };
                c.add(team, &[key]);
            }
        }
        // Aliases point at an id or abbreviation, after every team is in.
        for e in entries {
            if let TeamEntry::Alias { name, target } = e {
                let key = fold(target);
                let ids: BTreeSet<&String> = c
                    .teams
                    .values()
                    .filter(|t| fold(&t.id) == key || fold(&t.abbreviation) == key)
                    .map(|t| &t.id)
                    .collect();
                let resolved = match ids.len() {
                    1 => Ok(ids.into_iter().next().cloned().unwrap_or_default()),
                    0 => Err((target.clone(), "is no known team".to_owned())),
                    n => Err((target.clone(), format!("matches {n} teams"))),
                };
                c.aliases.insert(fold(name), resolved);
            }
        }
        c
    }

    fn add(&mut self, team: TeamRef, extra: &[&String]) {
        let id = team.id.clone();
        let names = [&team.id, &team.abbreviation, &team.name]
            .into_iter()
            .chain(extra.iter().copied())
            .map(|n| fold(n))
            .filter(|n| !n.is_empty())
            .collect::<Vec<_>>();
        for n in names {
            self.names.entry(n).or_default().insert(id.clone());
        }
        // The first naming of an id (the store's newest) is the one written.
        self.teams.entry(id).or_insert(team);
    }

    /// How many teams it has.
    pub fn len(&self) -> usize {
        self.teams.len()
    }

    /// It has no team.
    pub fn is_empty(&self) -> bool {
        self.teams.is_empty()
    }

    /// What `name` maps to.
    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        let key = fold(name);
        if let Some(alias) = self.aliases.get(&key) {
            return match alias {
                Ok(id) => self.teams.get(id).map_or(Lookup::Unknown, Lookup::Team),
                Err((target, reason)) => Lookup::BrokenAlias(target, reason),
            };
        }
        let teams: Vec<&TeamRef> = self
            .names
            .get(&key)
            .into_iter()
            .flatten()
            .filter_map(|id| self.teams.get(id))
            .collect();
        match teams.as_slice() {
            [] => Lookup::Unknown,
            [one] => Lookup::Team(one),
            _ => Lookup::Ambiguous(teams),
        }
    }
}

/// One game ready to be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestedGame {
    /// Deterministic id, `ingest-YYYYMMDD-AWAYID-HOMEID[-N]`.
    pub id: String,
    /// The row it came from.
    pub at: RowRef,
    /// Start, UTC.
    pub start: DateTime<Utc>,
    /// Home team.
    pub home: TeamRef,
    /// Away team.
    pub away: TeamRef,
    /// Venue, when the file gave one.
    pub venue: Option<String>,
}

impl IngestedGame {
    /// The game as the store's schedule takes it: `scheduled`, no scores.
    pub fn to_game(&self, league: &str) -> Game {
        let side = |t: &TeamRef| Competitor {
            id: t.id.clone(),
            abbreviation: t.abbreviation.clone(),
            name: t.name.clone(),
            score: None,
        };
        Game {
            status_detail: "Scheduled".to_owned(),
            start_time: Some(self.start),
            venue: self.venue.clone(),
            ..Game::new(
                self.id.clone(),
                league,
                "",
                GameStatus::Scheduled,
                side(&self.home),
                side(&self.away),
            )
        }
    }
}

/// The UTC instant of `date time` in `zone`; an ambiguous local time takes the earlier instant.
pub fn to_utc(date: NaiveDate, time: NaiveTime, zone: Tz) -> Result<DateTime<Utc>, RowProblem> {
    match zone.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Ok(a.min(b).with_timezone(&Utc)),
        LocalResult::None => Err(RowProblem::SkippedLocalTime { date, time, zone }),
    }
}

/// Turn `parsed` into games of `league`, with names looked up in `catalogue` and times local to
/// `zone`; or one error listing every unmapped name and every bad row.
pub fn build(
    parsed: Parsed,
    catalogue: &Catalogue,
    zone: Tz,
    league: &str,
) -> Result<Vec<IngestedGame>, IngestError> {
    let mut errors = RowErrors {
        league: league.to_owned(),
        unmapped: Vec::new(),
        bad: parsed.bad,
    };
    let mut unmapped_index: BTreeMap<String, usize> = BTreeMap::new();
    let mut games: Vec<(NaiveDate, IngestedGame)> = Vec::new();
    for row in parsed.rows {
        let mut problems = Vec::new();
        let mut team = |side: &'static str, name: &str| -> Option<TeamRef> {
            if name.is_empty() {
                problems.push(RowProblem::Missing(side));
                return None;
            }
            match catalogue.lookup(name) {
                Lookup::Team(t) => Some(t.clone()),
                Lookup::Unknown => {
                    let i = *unmapped_index.entry(fold(name)).or_insert_with(|| {
                        errors.unmapped.push(Unmapped {
                            name: name.to_owned(),
                            rows: Vec::new(),
                        });
                        errors.unmapped.len() - 1
                    });
                    if let Some(u) = errors.unmapped.get_mut(i)
                        && u.rows.last() != Some(&row.at)
                    {
                        u.rows.push(row.at);
                    }
                    None
                }
                Lookup::Ambiguous(teams) => {
                    problems.push(RowProblem::AmbiguousTeam {
                        side,
                        name: name.to_owned(),
                        teams: teams.into_iter().cloned().collect(),
                    });
                    None
                }
                Lookup::BrokenAlias(target, reason) => {
                    problems.push(RowProblem::BrokenAlias {
                        side,
                        name: name.to_owned(),
                        target: target.to_owned(),
                        reason: reason.to_owned(),
                    });
                    None
                }
            }
        };
        let home = team("home_team", &row.home_team);
        let away = team("away_team", &row.away_team);
        let date = if row.date.is_empty() {
            problems.push(RowProblem::Missing("date"));
            None
        } else {
            NaiveDate::parse_from_str(&row.date, "%Y-%m-%d")
                .ok()
                .filter(|_| row.date.len() == 10)
                .or_else(|| {
                    problems.push(RowProblem::Date(row.date.clone()));
                    None
                })
        };
        let time = if row.time.is_empty() {
            problems.push(RowProblem::Missing("time"));
            None
        } else {
            NaiveTime::parse_from_str(&row.time, "%H:%M")
                .ok()
                .filter(|_| row.time.len() == 5)
                .or_else(|| {
                    problems.push(RowProblem::Time(row.time.clone()));
                    None
                })
        };
        let start = match (date, time) {
            (Some(d), Some(t)) => match to_utc(d, t, zone) {
                Ok(s) => Some(s),
                Err(p) => {
                    problems.push(p);
                    None
                }
            },
            _ => None,
        };
        if let (Some(h), Some(a)) = (&home, &away)
            && h.id == a.id
        {
            problems.push(RowProblem::SameTeam(format!(
                "{} (id {})",
                h.abbreviation, h.id
            )));
        }
        errors.bad.extend(problems.into_iter().map(|p| (row.at, p)));
        if let (Some(home), Some(away), Some(date), Some(start)) = (home, away, date, start) {
            games.push((
                date,
                IngestedGame {
                    id: String::new(),
                    at: row.at,
                    start,
                    home,
                    away,
                    venue: row.venue,
                },
            ));
        }
    }
    // Ids: one base per (local date, away, home); a doubleheader's later games get -2, -3, ...
    games.sort_by(|(da, a), (db, b)| {
        (da, &a.away.id, &a.home.id, a.start, a.at)
            .cmp(&(db, &b.away.id, &b.home.id, b.start, b.at))
    });
    let mut out: Vec<IngestedGame> = Vec::with_capacity(games.len());
    let mut previous: Option<(String, DateTime<Utc>, RowRef, usize)> = None;
    for (date, mut g) in games {
        let base = format!(
            "ingest-{}-{}-{}",
            date.format("%Y%m%d"),
            g.away.id,
            g.home.id
        );
        let n = match &previous {
            Some((b, start, at, _)) if *b == base && *start == g.start => {
                errors.bad.push((g.at, RowProblem::Duplicate(*at)));
                continue;
            }
            Some((b, _, _, n)) if *b == base => n + 1,
            _ => 1,
        };
        g.id = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        previous = Some((base, g.start, g.at, n));
        out.push(g);
    }
    if !errors.is_empty() {
        errors.bad.sort_by_key(|(at, _)| *at);
        return Err(IngestError::Rows(errors));
    }
    if out.is_empty() {
        return Err(IngestError::Empty);
    }
    out.sort_by_key(|g| (g.start, g.at));
    Ok(out)
}

/// The parts of a game that tell whether an ingested game and a reported one are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fixture<'a> {
    /// Home team id.
    pub home_id: &'a str,
    /// Home abbreviation.
    pub home_abbreviation: &'a str,
    /// Away team id.
    pub away_id: &'a str,
    /// Away abbreviation.
    pub away_abbreviation: &'a str,
    /// Scheduled start.
    pub start: Option<DateTime<Utc>>,
}

impl<'a> Fixture<'a> {
    /// A reported game's fixture.
    pub fn of_game(g: &'a Game) -> Fixture<'a> {
        Fixture {
            home_id: &g.home.id,
            home_abbreviation: &g.home.abbreviation,
            away_id: &g.away.id,
            away_abbreviation: &g.away.abbreviation,
            start: g.start_time,
        }
    }

    /// A schedule row's fixture.
    pub fn of_scheduled(s: &'a ScheduledGame) -> Fixture<'a> {
        Fixture {
            home_id: &s.home.id,
            home_abbreviation: &s.home.abbreviation,
            away_id: &s.away.id,
            away_abbreviation: &s.away.abbreviation,
            start: Some(s.start_time),
        }
    }

    /// The same game: the same home and the same away team (by id, or else by abbreviation,
    /// ignoring case) and starts at most [`MATCH_WINDOW`] apart.
    pub fn same_game(&self, other: &Fixture<'_>) -> bool {
        let side = |id_a: &str, ab_a: &str, id_b: &str, ab_b: &str| {
            (!id_a.is_empty() && id_a == id_b)
                || (!ab_a.is_empty() && ab_a.eq_ignore_ascii_case(ab_b))
        };
        let close = match (self.start, other.start) {
            (Some(a), Some(b)) => (a - b).abs() <= MATCH_WINDOW,
            _ => false,
        };
        close
            && side(
                self.home_id,
                self.home_abbreviation,
                other.home_id,
                other.home_abbreviation,
            )
            && side(
                self.away_id,
                self.away_abbreviation,
                other.away_id,
                other.away_abbreviation,
            )
    }
}

/// Cadence views of the ingested games in `schedule` (rows of other sources are skipped) that no
/// game in `reported` matches yet: they count as `scheduled` games until the adapter reports
/// them, so the planner steps up around their start like for any other game.
pub fn pending_views<'g>(
    schedule: &[ScheduledGame],
    reported: impl IntoIterator<Item = &'g Game>,
) -> Vec<GameView> {
    let reported: Vec<Fixture<'_>> = reported.into_iter().map(Fixture::of_game).collect();
    schedule
        .iter()
        .filter(|s| s.source == SOURCE)
        .filter(|s| {
            let f = Fixture::of_scheduled(s);
            !reported.iter().any(|r| f.same_game(r))
        })
        .map(|s| GameView {
            id: s.key.game_id.clone(),
            status: s.status,
            start: Some(s.start_time),
            settled: false,
        })
        .collect()
}

/// One `[leagues.teams]` entry, validated: names are trimmed and non-empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TeamEntry {
    /// `name` is another name of the known team whose id or abbreviation is `target`.
    Alias {
        /// The name a schedule file may use.
        name: String,
        /// Id or abbreviation of a team the store knows (or one defined in this table).
        target: String,
    },
    /// A team defined in the config; `key` is also a name for it.
    Team {
        /// The entry's key.
        key: String,
        /// The adapter's team id.
        id: String,
        /// Short code.
        abbreviation: String,
        /// Display name.
        name: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GameKey;

    fn team(id: &str, abbreviation: &str, name: &str) -> TeamRef {
        TeamRef {
            id: id.into(),
            abbreviation: abbreviation.into(),
            name: name.into(),
        }
    }

    fn nhl() -> Catalogue {
        let known = [
            team("10", "MTL", "Montreal Canadiens"),
            team("21", "TOR", "Toronto Maple Leafs"),
            team("13", "NYR", "New York Rangers"),
            team("12", "NYI", "New York Islanders"),
        ];
        let entries = [
            TeamEntry::Alias {
                name: "Habs".into(),
                target: "mtl".into(),
            },
            TeamEntry::Alias {
                name: "Leafs".into(),
                target: "21".into(),
            },
            TeamEntry::Alias {
                name: "New York".into(),
                target: "NYR".into(),
            },
            TeamEntry::Alias {
                name: "Nordiques".into(),
                target: "QUE".into(),
            },
            TeamEntry::Team {
                key: "Utah Mammoth".into(),
                id: "129764".into(),
                abbreviation: "UTA".into(),
                name: "Utah Mammoth".into(),
            },
        ];
        Catalogue::new(&known, &entries)
    }

    fn ids(r: Result<Vec<IngestedGame>, IngestError>) -> Vec<(String, String)> {
        r.unwrap()
            .into_iter()
            .map(|g| (g.id, g.start.to_rfc3339()))
            .collect()
    }

    fn csv(text: &str) -> Parsed {
        parse(Format::Csv, text.as_bytes()).unwrap()
    }

    const NY: Tz = chrono_tz::America::New_York;

    #[test]
    fn format_by_extension() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Ok(Format::Csv));
        assert_eq!(Format::from_path(Path::new("s.json")), Ok(Format::Json));
        assert_eq!(
            Format::from_path(Path::new("s.txt"))
                .unwrap_err()
                .to_string(),
            "schedule file `s.txt` is neither .csv nor .json"
        );
        assert!(Format::from_path(Path::new("schedule")).is_err());
    }

    #[test]
    fn names_map_by_id_abbreviation_name_and_alias() {
        let c = nhl();
        assert_eq!(c.len(), 5);
        let id_of = |name: &str| match c.lookup(name) {
            Lookup::Team(t) => t.id.clone(),
            other => format!("{other:?}"),
        };
        assert_eq!(id_of("10"), "10");
        assert_eq!(id_of(" mtl "), "10");
        assert_eq!(id_of("MONTREAL   canadiens"), "10");
        assert_eq!(id_of("habs"), "10");
        assert_eq!(id_of("Leafs"), "21");
        assert_eq!(id_of("utah mammoth"), "129764");
        assert_eq!(id_of("UTA"), "129764");
        // An alias settles what would be ambiguous.
        assert_eq!(id_of("new york"), "13");
        assert_eq!(c.lookup("Quebec"), Lookup::Unknown);
        assert_eq!(
            c.lookup("Nordiques"),
            Lookup::BrokenAlias("QUE", "is no known team")
        );
        // Two teams answering to one abbreviation.
        let c = Catalogue::new(
            &[team("1", "NY", "New York A"), team("2", "NY", "New York B")],
            &[],
        );
        assert!(matches!(c.lookup("ny"), Lookup::Ambiguous(t) if t.len() == 2));
    }

    #[test]
    fn csv_rows_become_utc_games_with_deterministic_ids() {
        let parsed = csv("date,time,home_team,away_team,venue\n\
             2026-01-10,19:00,Habs,Toronto Maple Leafs,Centre Bell\n\
             2026-01-10, 22:30 ,utah mammoth,NYR,\n\
             \"2026-07-04\",13:05,TOR,MTL,\"Scotiabank Arena, Toronto\"\n");
        assert!(parsed.bad.is_empty());
        assert_eq!(parsed.rows[1].at, RowRef::Line(3));
        let games = build(parsed, &nhl(), NY, "nhl").unwrap();
        let got: Vec<(&str, String, &str, &str, Option<&str>)> = games
            .iter()
            .map(|g| {
                (
                    g.id.as_str(),
                    g.start.to_rfc3339(),
                    g.home.abbreviation.as_str(),
                    g.away.abbreviation.as_str(),
                    g.venue.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                // EST is UTC-5 in January, EDT UTC-4 in July.
                (
                    "ingest-20260110-21-10",
                    "2026-01-11T00:00:00+00:00".into(),
                    "MTL",
                    "TOR",
                    Some("Centre Bell")
                ),
                // 22:30 local on the 10th is the 11th in UTC; the id keeps the local date.
                (
                    "ingest-20260110-13-129764",
                    "2026-01-11T03:30:00+00:00".into(),
                    "UTA",
                    "NYR",
                    None
                ),
                (
                    "ingest-20260704-10-21",
                    "2026-07-04T17:05:00+00:00".into(),
                    "TOR",
                    "MTL",
                    Some("Scotiabank Arena, Toronto")
                ),
            ]
        );
        let game = games[1].to_game("nhl");
        assert_eq!(
            (
                game.id.as_str(),
                game.status,
                game.home.name.as_str(),
                game.home.score
            ),
            (
                "ingest-20260110-13-129764",
                GameStatus::Scheduled,
                "Utah Mammoth",
                None
            )
        );
    }

    #[test]
    fn json_as_array_or_games_object() {
        let array =
            br#"[{"date":"2026-01-10","time":"19:00","home_team":"MTL","away_team":"TOR"}]"#;
        let object = br#"{"games":[{"date":"2026-01-10","time":"19:00","home_team":"MTL","away_team":"TOR","venue":" Bell "}]}"#;
        let a = build(parse(Format::Json, array).unwrap(), &nhl(), NY, "nhl").unwrap();
        let o = build(parse(Format::Json, object).unwrap(), &nhl(), NY, "nhl").unwrap();
        assert_eq!(a[0].id, "ingest-20260110-21-10");
        assert_eq!(
            (o[0].id.as_str(), o[0].venue.as_deref()),
            (a[0].id.as_str(), Some("Bell"))
        );
        assert_eq!(o[0].at, RowRef::Item(1));
        // A bad item is a bad row, named by position; a bad document is a file error.
        let p = parse(
            Format::Json,
            br#"[{"date":"2026-01-10","time":"19:00","home_team":"MTL","away_team":"TOR"},{"date":"2026-01-10","time":"19:00","home":"MTL"}]"#,
        )
        .unwrap();
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.bad[0].0, RowRef::Item(2));
        assert!(
            p.bad[0].1.to_string().contains("unknown field `home`"),
            "{}",
            p.bad[0].1
        );
        assert_eq!(
            parse(Format::Json, br#"{"rows":[]}"#)
                .unwrap_err()
                .to_string(),
            "schedule json: expected an array of games or an object with a `games` array"
        );
        assert!(matches!(
            parse(Format::Json, b"[1,"),
            Err(IngestError::Json(_))
        ));
        assert_eq!(
            build(parse(Format::Json, b"[]").unwrap(), &nhl(), NY, "nhl"),
            Err(IngestError::Empty)
        );
    }

    #[test]
    fn csv_header_must_be_the_documented_one() {
        assert_eq!(
            parse(Format::Csv, b"date,time,home,away\n")
                .unwrap_err()
                .to_string(),
            "schedule csv header is `date,time,home,away`: expected \
             `date,time,home_team,away_team` or `date,time,home_team,away_team,venue`"
        );
        assert!(parse(Format::Csv, b"Date, Time ,HOME_TEAM,away_team\n").is_ok());
        assert!(parse(Format::Csv, b"date,time,home_team,away_team,arena\n").is_err());
        // A UTF-8 byte order mark is not part of the first column's name.
        assert!(parse(Format::Csv, b"\xEF\xBB\xBFdate,time,home_team,away_team\n").is_ok());
    }

    #[test]
    fn daylight_saving_gap_is_an_error_and_the_repeated_hour_takes_the_earlier_instant() {
        let parsed = csv("date,time,home_team,away_team\n\
             2026-03-08,02:30,MTL,TOR\n\
             2026-11-01,01:30,TOR,MTL\n");
        let err = build(parsed, &nhl(), NY, "nhl").unwrap_err();
        let IngestError::Rows(rows) = &err else {
            panic!("{err:?}")
        };
        assert_eq!(
            rows.bad,
            vec![(
                RowRef::Line(2),
                RowProblem::SkippedLocalTime {
                    date: NaiveDate::from_ymd_opt(2026, 3, 8).unwrap(),
                    time: NaiveTime::from_hms_opt(2, 30, 0).unwrap(),
                    zone: NY
                }
            )]
        );
        assert!(err.to_string().contains(
            "line 2: 2026-03-08 02:30:00 does not exist in America/New_York: the clocks skip it"
        ));
        // 01:30 on 1 November 2026 happens twice in New York: EDT (05:30Z), then EST (06:30Z).
        let parsed = csv("date,time,home_team,away_team\n2026-11-01,01:30,TOR,MTL\n");
        assert_eq!(
            ids(build(parsed, &nhl(), NY, "nhl")),
            [(
                "ingest-20261101-10-21".into(),
                "2026-11-01T05:30:00+00:00".into()
            )]
        );
        // The same file in another zone.
        let parsed = csv("date,time,home_team,away_team\n2026-03-08,02:30,MTL,TOR\n");
        assert_eq!(
            ids(build(parsed, &nhl(), chrono_tz::Europe::Paris, "nhl")),
            [(
                "ingest-20260308-21-10".into(),
                "2026-03-08T01:30:00+00:00".into()
            )]
        );
    }

    #[test]
    fn every_problem_is_listed_once_and_nothing_is_returned() {
        let parsed = csv("date,time,home_team,away_team\n\
             2026-01-10,19:00,Quebec Nordiques,MTL\n\
             2026-01-11,19:00,TOR,Hartford Whalers\n\
             2026-01-12,19:00,quebec  nordiques,TOR\n\
             2026-01-13,25:00,MTL,TOR\n\
             2026/01/14,19:00,MTL,TOR\n\
             2026-01-15,19:00,MTL,Habs\n\
             2026-01-16,19:00,Nordiques,TOR\n\
             2026-01-17,19:00,MTL\n\
             2026-01-18,19:00,,TOR\n\
             2026-01-19,19:00,MTL,TOR\n");
        let catalogue = Catalogue::new(
            &[
                team("10", "MTL", "Montreal Canadiens"),
                team("21", "TOR", "Toronto Maple Leafs"),
                team("1", "NY", "New York A"),
            ],
            &[
                TeamEntry::Alias {
                    name: "Habs".into(),
                    target: "MTL".into(),
                },
                TeamEntry::Alias {
                    name: "Nordiques".into(),
                    target: "QUE".into(),
                },
            ],
        );
        let err = build(parsed, &catalogue, NY, "nhl").unwrap_err();
        assert_eq!(
            err.to_string(),
            "schedule not ingested, nothing written: 9 bad row(s)\n  \
             unmapped team names (add them as aliases under [leagues.teams] of league `nhl`):\n    \
             `Quebec Nordiques`: line 2, line 4\n    \
             `Hartford Whalers`: line 3\n  \
             bad rows:\n    \
             line 5: time `25:00` is not HH:MM (24-hour)\n    \
             line 6: date `2026/01/14` is not YYYY-MM-DD\n    \
             line 7: home_team and away_team are the same team (MTL (id 10))\n    \
             line 8: home_team `Nordiques` is an alias of `QUE`, which is no known team\n    \
             line 9: has 3 field(s), the header has 4\n    \
             line 10: `home_team` is empty"
        );
    }

    #[test]
    fn ambiguous_names_and_duplicates_are_bad_rows_and_doubleheaders_get_a_suffix() {
        let catalogue = Catalogue::new(
            &[
                team("1", "NY", "New York A"),
                team("2", "NY", "New York B"),
                team("3", "BOS", "Boston"),
            ],
            &[],
        );
        let err = build(
            csv("date,time,home_team,away_team\n2026-05-01,19:00,NY,BOS\n"),
            &catalogue,
            NY,
            "mlb",
        )
        .unwrap_err();
        assert!(
            err.to_string().ends_with(
                "line 2: home_team `NY` matches 2 teams: NY (id 1, New York A), NY (id 2, New York B)"
            ),
            "{err}"
        );
        // A doubleheader: later game -2, whatever the file order; the same start twice is a duplicate.
        let rows = "date,time,home_team,away_team\n\
                    2026-05-01,18:10,Boston,New York A\n\
                    2026-05-01,13:05,BOS,1\n";
        assert_eq!(
            ids(build(csv(rows), &catalogue, NY, "mlb")),
            [
                (
                    "ingest-20260501-1-3".into(),
                    "2026-05-01T17:05:00+00:00".into()
                ),
                (
                    "ingest-20260501-1-3-2".into(),
                    "2026-05-01T22:10:00+00:00".into()
                ),
            ]
        );
        let err = build(
            csv(&format!("{rows}2026-05-01,13:05,boston,1\n")),
            &catalogue,
            NY,
            "mlb",
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .ends_with("line 4: duplicates line 3 (same teams, same start)"),
            "{err}"
        );
    }

    fn scheduled(
        id: &str,
        source: &str,
        home: TeamRef,
        away: TeamRef,
        start: DateTime<Utc>,
    ) -> ScheduledGame {
        ScheduledGame {
            key: GameKey::new("nhl", "espn", id),
            start_time: start,
            home,
            away,
            status: GameStatus::Scheduled,
            source: source.into(),
            updated_at: start,
        }
    }

    fn reported(home: TeamRef, away: TeamRef, start: DateTime<Utc>) -> Game {
        let g = IngestedGame {
            id: "401".into(),
            at: RowRef::Line(1),
            start,
            home,
            away,
            venue: None,
        };
        g.to_game("nhl")
    }

    #[test]
    fn ingested_games_stay_in_view_until_the_adapter_reports_them() {
        let at = |h: u32| Utc.with_ymd_and_hms(2026, 1, 10, h, 0, 0).unwrap();
        let mtl = team("10", "MTL", "Montreal Canadiens");
        let tor = team("21", "TOR", "Toronto Maple Leafs");
        let rows = [
            scheduled("ingest-a", SOURCE, mtl.clone(), tor.clone(), at(12)),
            // Rows from the adapter are its own games, never pending.
            scheduled("401", "espn", mtl.clone(), tor.clone(), at(12)),
        ];
        let views = pending_views(&rows, []);
        assert_eq!(
            views,
            vec![GameView {
                id: "ingest-a".into(),
                status: GameStatus::Scheduled,
                start: Some(at(12)),
                settled: false
            }]
        );
        // Reported 11 h later: the same game. By abbreviation only (other ids): the same game.
        let same = reported(mtl.clone(), tor.clone(), at(23));
        assert!(pending_views(&rows, [&same]).is_empty());
        let by_abbreviation = reported(
            team("x1", "mtl", "Montréal"),
            team("x2", "TOR", "Toronto"),
            at(12),
        );
        assert!(pending_views(&rows, [&by_abbreviation]).is_empty());
        // Sides swapped, or 13 h apart: another game, so the ingested one stays in view.
        let swapped = reported(tor.clone(), mtl.clone(), at(12));
        assert_eq!(pending_views(&rows, [&swapped]).len(), 1);
        let later = reported(mtl, tor, at(12) + Duration::hours(13));
        assert_eq!(pending_views(&rows, [&later]).len(), 1);
    }

    #[test]
    fn an_ingested_game_alone_steps_the_cadence_up_around_its_start() {
        use crate::cadence::{self, Cadence, Phase};
        let start = Utc.with_ymd_and_hms(2026, 1, 11, 0, 0, 0).unwrap();
        let rows = [scheduled(
            "ingest-20260110-21-10",
            SOURCE,
            team("10", "MTL", "Montreal Canadiens"),
            team("21", "TOR", "Toronto Maple Leafs"),
            start,
        )];
        let c = Cadence {
            idle: Duration::minutes(60),
            pregame: Duration::seconds(60),
            live: Duration::seconds(10),
            settle: Duration::hours(4),
            pregame_window: Duration::minutes(30),
        };
        let views = pending_views(&rows, []);
        // Without the ingested game the league would sleep an hour; with it, it wakes at 23:30.
        let d = cadence::plan(&views, start - Duration::minutes(50), NY, &c);
        assert_eq!(
            (d.phase, d.next_at),
            (Phase::Idle, start - Duration::minutes(30))
        );
        let d = cadence::plan(&[], start - Duration::minutes(50), NY, &c);
        assert_eq!(d.next_at, start + Duration::minutes(10));
        // In the window: pre-game cadence, fetching the game's Eastern sports day (the 10th).
        let d = cadence::plan(&views, start - Duration::minutes(10), NY, &c);
        assert_eq!(
            (d.phase, d.next_at, d.days),
            (
                Phase::Pregame,
                start - Duration::minutes(9),
                vec![NaiveDate::from_ymd_opt(2026, 1, 10).unwrap()]
            )
        );
    }
}
