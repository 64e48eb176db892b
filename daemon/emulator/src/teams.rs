//! The emulator's made-up world: the six leagues it serves, a pool of invented clubs per league
//! (real city names, invented nicknames and ids) and the name pools rosters are drawn from.
//!
//! Player names avoid every word the ESPN adapter treats as the end of a name in football play
//! text (`Run`, `Pass`, `Field`, `Kick`, ...), so names read back from text are whole.

/// A sport as ESPN's URL names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sport {
    /// American football: four 15-minute quarters.
    Football,
    /// Basketball: four 12-minute quarters.
    Basketball,
    /// Ice hockey: three 20-minute periods.
    Hockey,
    /// Baseball: nine innings of two halves.
    Baseball,
    /// Association football: two 45-minute halves plus stoppage time.
    Soccer,
}

impl Sport {
    /// Lowercase name, as in ESPN's path.
    pub fn as_str(self) -> &'static str {
        match self {
            Sport::Football => "football",
            Sport::Basketball => "basketball",
            Sport::Hockey => "hockey",
            Sport::Baseball => "baseball",
            Sport::Soccer => "soccer",
        }
    }

    /// The sport named `name` in ESPN's path.
    pub fn from_path(name: &str) -> Option<Sport> {
        [
            Sport::Football,
            Sport::Basketball,
            Sport::Hockey,
            Sport::Baseball,
            Sport::Soccer,
        ]
        .into_iter()
        .find(|s| s.as_str() == name)
    }

    /// Periods in regulation (innings for baseball).
    pub fn periods(self) -> u32 {
        match self {
            Sport::Football | Sport::Basketball => 4,
            Sport::Hockey => 3,
            Sport::Baseball => 9,
            Sport::Soccer => 2,
        }
    }

    /// Length of one period in game seconds, for sports whose clock counts down.
    pub fn period_secs(self) -> Option<u32> {
        match self {
            Sport::Football => Some(900),
            Sport::Basketball => Some(720),
            Sport::Hockey => Some(1200),
            Sport::Baseball | Sport::Soccer => None,
        }
    }

    /// The word ESPN uses for a period in status details (`2nd Quarter`, `3rd Period`).
    pub fn period_word(self) -> &'static str {
        match self {
            Sport::Football | Sport::Basketball => "Quarter",
            Sport::Hockey => "Period",
            Sport::Baseball => "Inning",
            Sport::Soccer => "Half",
        }
    }
}

/// A league the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct League {
    /// ESPN's league path segment and Scoreline's league key (`nfl`, `eng.1`).
    pub key: &'static str,
    /// Its sport.
    pub sport: Sport,
    /// ESPN's numeric league id.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Short name.
    pub abbreviation: &'static str,
}

/// The NFL.
pub const NFL: League = League {
    key: "nfl",
    sport: Sport::Football,
    id: "28",
    name: "National Football League",
    abbreviation: "NFL",
};
/// The NBA.
pub const NBA: League = League {
    key: "nba",
    sport: Sport::Basketball,
    id: "46",
    name: "National Basketball Association",
    abbreviation: "NBA",
};
/// The NHL.
pub const NHL: League = League {
    key: "nhl",
    sport: Sport::Hockey,
    id: "90",
    name: "National Hockey League",
    abbreviation: "NHL",
};
/// Major League Baseball.
pub const MLB: League = League {
    key: "mlb",
    sport: Sport::Baseball,
    id: "10",
    name: "Major League Baseball",
    abbreviation: "MLB",
};
/// The English top flight.
pub const ENG1: League = League {
    key: "eng.1",
    sport: Sport::Soccer,
    id: "700",
    name: "English Premier League",
    abbreviation: "Prem",
};
/// Major League Soccer.
pub const USA1: League = League {
    key: "usa.1",
    sport: Sport::Soccer,
    id: "770",
    name: "MLS",
    abbreviation: "MLS",
};

/// Every league the emulator has games for.
pub const LEAGUES: [League; 6] = [NFL, NBA, NHL, MLB, ENG1, USA1];

/// The league with key `key` in sport `sport`.
pub fn league(sport: Sport, key: &str) -> Option<League> {
    LEAGUES
        .into_iter()
        .find(|l| l.sport == sport && l.key == key)
}

/// An invented club: id, city, nickname, abbreviation, home ground.
#[derive(Debug, Clone, Copy)]
pub struct Club {
    /// ESPN-style numeric team id.
    pub id: &'static str,
    /// City (ESPN's `location`).
    pub location: &'static str,
    /// Nickname (ESPN's `name`).
    pub name: &'static str,
    /// Short code.
    pub abbreviation: &'static str,
    /// Home ground.
    pub venue: &'static str,
}

const fn club(
    id: &'static str,
    location: &'static str,
    name: &'static str,
    abbreviation: &'static str,
    venue: &'static str,
) -> Club {
    Club {
        id,
        location,
        name,
        abbreviation,
        venue,
    }
}

/// The clubs of `league` (six each, so three games never share a club).
pub fn clubs(league: &League) -> &'static [Club] {
    match league.key {
        "nfl" => &NFL_CLUBS,
        "nba" => &NBA_CLUBS,
        "nhl" => &NHL_CLUBS,
        "mlb" => &MLB_CLUBS,
        "eng.1" => &ENG1_CLUBS,
        _ => &USA1_CLUBS,
    }
}

const NFL_CLUBS: [Club; 6] = [
    club("101", "Portland", "Pioneers", "POR", "Rose City Stadium"),
    club("102", "San Antonio", "Stallions", "SA", "Alamo Field"),
    club("103", "Columbus", "Ironmen", "CLB", "Scioto Stadium"),
    club("104", "Salt Lake", "Summit", "SLC", "Wasatch Stadium"),
    club("105", "Birmingham", "Forge", "BHM", "Red Mountain Stadium"),
    club("106", "Omaha", "Plainsmen", "OMA", "Platte River Stadium"),
];
const NBA_CLUBS: [Club; 6] = [
    club("201", "Seattle", "Sockeyes", "SEA", "Puget Sound Arena"),
    club("202", "Las Vegas", "Jackpots", "LV", "Desert Sky Arena"),
    club("203", "Baltimore", "Harbor", "BAL", "Inner Harbor Arena"),
    club("204", "Nashville", "Sound", "NSH", "Music Row Arena"),
    club("205", "Kansas City", "Comets", "KC", "Crossroads Arena"),
    club("206", "Albuquerque", "Roadrunners", "ABQ", "Sandia Arena"),
];
const NHL_CLUBS: [Club; 6] = [
    club("301", "Quebec", "Voyageurs", "QUE", "Centre Laurentien"),
    club("302", "Hartford", "Wolves", "HFD", "Charter Oak Arena"),
    club(
        "303",
        "Milwaukee",
        "Icebirds",
        "MKE",
        "Lakefront Ice Center",
    ),
    club("304", "Portland", "Glaciers", "PDX", "Cascade Ice Arena"),
    club("305", "Saskatoon", "Blizzard", "SAS", "Prairie Ice Centre"),
    club("306", "Houston", "Blades", "HOU", "Bayou Ice Arena"),
];
const MLB_CLUBS: [Club; 6] = [
    club("401", "Montreal", "Lynx", "MTL", "Parc Olympique"),
    club("402", "Charlotte", "Crowns", "CHA", "Queen City Park"),
    club(
        "403",
        "San Juan",
        "Coquis",
        "SJ",
        "Estadio del Viejo San Juan",
    ),
    club("404", "Indianapolis", "Drivers", "IND", "Circle City Park"),
    club("405", "Austin", "Armadillos", "AUS", "Colorado River Park"),
    club("406", "Sacramento", "Gold", "SAC", "Capitol Park"),
];
const ENG1_CLUBS: [Club; 6] = [
    club("501", "Bristol", "Albion", "BRA", "Avon Park"),
    club("502", "Derby", "Athletic", "DER", "Riverside Ground"),
    club("503", "Plymouth", "Wanderers", "PLW", "Sound Road"),
    club("504", "Hull", "Rovers", "HUR", "Humber Stadium"),
    club("505", "Oxford", "Town", "OXT", "Isis Lane"),
    club("506", "York", "City", "YRK", "Minster Park"),
];
const USA1_CLUBS: [Club; 6] = [
    club("601", "Phoenix", "Sol", "PHX", "Sonoran Stadium"),
    club("602", "San Diego", "Tides", "SDT", "Harbor Field"),
    club("603", "Detroit", "Motor City", "DMC", "Riverfront Park"),
    club("604", "Tampa Bay", "Surf", "TBS", "Gulf Coast Stadium"),
    club("605", "Raleigh", "Oaks", "RAL", "Triangle Park"),
    club("606", "Sacramento", "River", "SRV", "Delta Stadium"),
];

/// Display name of a club as ESPN writes it: soccer clubs are `City Nickname` too.
pub fn display_name(c: &Club) -> String {
    format!("{} {}", c.location, c.name)
}

/// The positions of a roster, in roster order.
pub fn positions(sport: Sport) -> &'static [&'static str] {
    match sport {
        Sport::Football => &["QB", "RB", "WR", "WR", "TE", "K", "LB", "DE"],
        Sport::Basketball => &["PG", "SG", "SF", "PF", "C", "G", "F", "C"],
        Sport::Hockey => &["C", "LW", "RW", "C", "LW", "RW", "D", "D", "D", "G"],
        Sport::Baseball => &["CF", "SS", "1B", "RF", "3B", "LF", "C", "2B", "DH", "SP"],
        Sport::Soccer => &["G", "D", "D", "D", "D", "M", "M", "M", "F", "F", "F"],
    }
}

/// First names players are drawn from.
pub const FIRST_NAMES: &[&str] = &[
    "Aaron", "Adrian", "Alden", "Alvin", "Amos", "Andre", "Arlo", "Barrett", "Beau", "Bennett",
    "Blake", "Brady", "Caleb", "Camden", "Carlos", "Casey", "Cedric", "Colby", "Cyrus", "Dalton",
    "Damian", "Darius", "Dawson", "Declan", "Desmond", "Dominic", "Elias", "Emmett", "Enzo",
    "Ezra", "Felix", "Gavin", "Gideon", "Hector", "Hugo", "Ian", "Isaac", "Jalen", "Jasper",
    "Joaquin", "Jonah", "Julian", "Kai", "Keegan", "Kendrick", "Lamar", "Landon", "Leon", "Lucas",
    "Malik", "Marco", "Marcus", "Mateo", "Milo", "Nico", "Nolan", "Omar", "Orlando", "Owen",
    "Quincy", "Rafael", "Reid", "Rhys", "Rowan", "Santiago", "Silas", "Soren", "Tavon", "Theo",
    "Tobias", "Tristan", "Victor", "Wade", "Xavier", "Yusuf", "Zane",
];

/// Last names players are drawn from.
pub const LAST_NAMES: &[&str] = &[
    "Abbott",
    "Alvarez",
    "Ashby",
    "Barlow",
    "Beckett",
    "Bishop",
    "Brennan",
    "Caldwell",
    "Castillo",
    "Corbin",
    "Crane",
    "Dalgleish",
    "Delaney",
    "Donovan",
    "Ellison",
    "Espinoza",
    "Farrow",
    "Fletcher",
    "Galloway",
    "Garrison",
    "Hale",
    "Harlan",
    "Hastings",
    "Holloway",
    "Ibarra",
    "Jennings",
    "Kessler",
    "Kimura",
    "Lachance",
    "Lindqvist",
    "Lockhart",
    "Lowell",
    "Maddox",
    "Marchetti",
    "Mercer",
    "Monroe",
    "Navarro",
    "Nakamura",
    "Okafor",
    "Oliveira",
    "Pemberton",
    "Prescott",
    "Quintero",
    "Radcliffe",
    "Ramsey",
    "Rivers",
    "Rocha",
    "Salazar",
    "Sinclair",
    "Sorensen",
    "Stroud",
    "Sutherland",
    "Tamura",
    "Thorne",
    "Trujillo",
    "Underwood",
    "Valdez",
    "Vance",
    "Wakefield",
    "Whitaker",
    "Winslow",
    "Yates",
    "Zamora",
    "Zielinski",
];
