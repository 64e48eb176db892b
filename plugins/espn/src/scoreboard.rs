//! The scoreboard (and schedule) body: `events[]` to games, one per event's first competition.

use crate::game::{self, Source};
use crate::status;
use crate::wire::Board;
use crate::{League, Sport};
use scoreline_plugin_sdk::{AdapterError, GamesResult, json};

/// Parse a scoreboard body for `league`.
pub fn parse(league: &League, body: &[u8]) -> Result<GamesResult, AdapterError> {
    let board: Board = json::from_slice(body)?;
    let Some(events) = board.events else {
        return Err(match board.message.or(board.error) {
            Some(message) => AdapterError::UpstreamMessage(message),
            None => AdapterError::parse("missing field `events`"),
        });
    };
    let mut statuses = status::statuses();
    let mut games = Vec::with_capacity(events.len());
    for (i, event) in events.iter().enumerate() {
        let path = format!("events[{i}].competitions[0]");
        let competition = event
            .competitions
            .first()
            .ok_or_else(|| AdapterError::parse(format!("`events[{i}].competitions`: empty")))?;
        let venue = competition
            .venue
            .as_ref()
            .and_then(|v| v.name())
            .or_else(|| event.venue.as_ref().and_then(|v| v.name()));
        let src = Source {
            id: &event.id,
            date: event.date.as_deref().or(competition.date.as_deref()),
            season: event.season.as_ref(),
            // Only football scoreboards carry a meaningful top-level week.
            week: event
                .week
                .or(board.week.filter(|_| league.sport == Sport::Football)),
            status: competition.status.as_ref().or(event.status.as_ref()),
            competition,
            venue,
            path: &path,
        };
        games.push(game::build(league, src, &mut statuses)?);
    }
    Ok(GamesResult {
        games,
        poll_hint_secs: None,
    })
}
