//! Constructors and small conveniences on the contract's generated types.

use crate::__private::scoreline::adapter::types::{
    AdapterError, Cadence, CallContext, Competitor, Date, Game, GameStatus, Player, Request,
    Timestamp,
};

impl GameStatus {
    /// The status as lowercase text, as Scoreline writes it in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            GameStatus::Scheduled => "scheduled",
            GameStatus::Pregame => "pregame",
            GameStatus::Live => "live",
            GameStatus::Intermission => "intermission",
            GameStatus::Delayed => "delayed",
            GameStatus::Final => "final",
            GameStatus::Postponed => "postponed",
            GameStatus::Cancelled => "cancelled",
            GameStatus::Suspended => "suspended",
        }
    }

    /// The game is under way (live or in a break inside the game).
    pub fn in_play(self) -> bool {
        matches!(self, GameStatus::Live | GameStatus::Intermission)
    }
}

impl Cadence {
    /// The cadence DESIGN.md describes for a typical league: schedule refresh hourly when idle,
    /// every 60 s in the half hour before a start, every 10 s while live, one settle fetch 4 h
    /// after the start of a final game.
    pub const STANDARD: Cadence = Cadence {
        idle_secs: 3600,
        pregame_secs: 60,
        live_secs: 10,
        settle_secs: 14_400,
    };
}

impl Competitor {
    /// A side with its upstream id, abbreviation, name and score.
    pub fn new(id: &str, abbreviation: &str, name: &str, score: Option<u32>) -> Self {
        Competitor {
            id: id.to_owned(),
            abbreviation: abbreviation.to_owned(),
            name: name.to_owned(),
            score,
        }
    }
}

impl Game {
    /// A game with the given ids and status; every other field empty, both sides blank.
    pub fn new(id: &str, league: &str, sport: &str, status: GameStatus) -> Self {
        Game {
            id: id.to_owned(),
            league: league.to_owned(),
            sport: sport.to_owned(),
            season: None,
            season_type: None,
            week: None,
            start_time: None,
            status,
            status_detail: String::new(),
            period: None,
            clock: None,
            clock_seconds: None,
            overtime: false,
            extra_time: false,
            shootout: false,
            venue: None,
            home: Competitor::new("", "", "", None),
            away: Competitor::new("", "", "", None),
            details: Vec::new(),
        }
    }

    /// The side with this upstream team id, if either.
    pub fn side_of(&self, team_id: &str) -> Option<Side> {
        if self.home.id == team_id {
            Some(Side::Home)
        } else if self.away.id == team_id {
            Some(Side::Away)
        } else {
            None
        }
    }
}

/// Home or away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The home side.
    Home,
    /// The away side.
    Away,
}

impl Player {
    /// A player with an optional id and a name.
    pub fn new(id: Option<&str>, name: &str) -> Self {
        Player {
            id: id.map(str::to_owned),
            name: name.to_owned(),
        }
    }
}

impl Request {
    /// A GET of `url` with no extra headers.
    pub fn get(url: impl Into<String>) -> Self {
        Request {
            url: url.into(),
            headers: Vec::new(),
        }
    }

    /// Add a header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}

impl CallContext {
    /// A context for `league` at `now` with no options (tests and native callers).
    pub fn new(league: &str, now: Timestamp) -> Self {
        CallContext {
            league: league.to_owned(),
            options: Vec::new(),
            now,
        }
    }

    /// Add an option (builder style).
    pub fn with_option(mut self, key: &str, value: &str) -> Self {
        self.options.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The value of option `key`, if config set it.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

impl Date {
    /// A date from its parts (not validated: the host only sends real dates).
    pub fn new(year: i32, month: u8, day: u8) -> Self {
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl AdapterError {
    /// A parse error with this message.
    pub fn parse(message: impl Into<String>) -> Self {
        AdapterError::Parse(message.into())
    }

    /// The message, whatever the kind.
    pub fn message(&self) -> &str {
        match self {
            AdapterError::Parse(m)
            | AdapterError::Unsupported(m)
            | AdapterError::UpstreamMessage(m) => m,
        }
    }
}
