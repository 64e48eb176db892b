//! `GET /api/v1/events/stream`: the event log as Server-Sent Events. Each SSE message is one
//! logged event (`id:` its `seq`, `event:` its type, `data:` the same JSON as `scoreline events
//! --json` prints per event). A client resumes with `Last-Event-ID` (a `seq`, or an event id):
//! the stream reads the log after that position, so a disconnect or a slow reader loses nothing
//! and sees nothing twice. New events wake the stream through the store's watch of the last
//! appended position (and a look every second catches writers in other processes); a comment
//! line is sent as a heartbeat when nothing else was. The stream ends when the server shuts
//! down (`http::state::Stopping`), so a graceful shutdown never waits on a listener.

use crate::http::error::ApiError;
use crate::http::extract::Query;
use crate::http::state::{AppState, Stopping, on_store};
use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, Stream};
use scoreline_core::events::{EventFilter, EventType, LoggedEvent};
use scoreline_store::Store;
use serde::Deserialize;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

/// Events read from the log per query.
const BATCH: usize = 256;

/// How often the stream looks at the log even when not woken (a writer in another process).
const POLL: Duration = Duration::from_secs(1);

/// Default heartbeat interval.
const HEARTBEAT: Duration = Duration::from_secs(15);

/// What the stream sends: a filter over the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamFilter {
    /// Only these leagues (empty: all).
    pub leagues: Vec<String>,
    /// Only games with one of these teams, by id or abbreviation, any case (empty: all).
    pub teams: Vec<String>,
    /// Only these types (empty: all).
    pub types: Vec<EventType>,
}

impl StreamFilter {
    /// Does `e` pass? Types are also applied in SQL; this is the whole rule.
    pub fn matches(&self, e: &LoggedEvent) -> bool {
        let ev = &e.event;
        (self.leagues.is_empty() || self.leagues.contains(&ev.league))
            && (self.types.is_empty() || self.types.contains(&ev.kind))
            && (self.teams.is_empty()
                || self
                    .teams
                    .iter()
                    .any(|t| ev.teams.iter().any(|et| et.eq_ignore_ascii_case(t))))
    }
}

/// The query string: comma lists, each parameter optional.
#[derive(Debug, Deserialize)]
pub struct StreamQuery {
    /// `leagues=nfl,nhl`.
    leagues: Option<String>,
    /// `teams=BOS,21`.
    teams: Option<String>,
    /// `types=score.changed,game.final`.
    types: Option<String>,
    /// Start after this `seq` when no `Last-Event-ID` is sent (default: the end of the log, so
    /// only new events).
    after: Option<i64>,
    /// Seconds between heartbeats (1 to 300, default 15).
    heartbeat_secs: Option<u64>,
}

fn list(s: Option<&str>) -> Vec<String> {
    s.map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

/// Parse the query into a filter, the heartbeat and the start position (`None`: the end).
fn parse(q: &StreamQuery) -> Result<(StreamFilter, Duration), ApiError> {
    let types = list(q.types.as_deref())
        .iter()
        .map(|t| t.parse::<EventType>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(ApiError::BadRequest)?;
    let heartbeat = match q.heartbeat_secs {
        None => HEARTBEAT,
        Some(s @ 1..=300) => Duration::from_secs(s),
        Some(s) => {
            return Err(ApiError::BadRequest(format!(
                "heartbeat_secs must be 1 to 300, not {s}"
            )));
        }
    };
    Ok((
        StreamFilter {
            leagues: list(q.leagues.as_deref()),
            teams: list(q.teams.as_deref()),
            types,
        },
        heartbeat,
    ))
}

/// Where a `Last-Event-ID` asks the stream to resume.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resume {
    /// After this log position.
    Seq(i64),
    /// After the logged event with this id.
    EventId(String),
}

/// Most digits a log position may have in `Last-Event-ID` (so it always fits an `i64`).
const MAX_SEQ_DIGITS: usize = 18;

/// Read a `Last-Event-ID` (trimmed, not empty): 1 to 18 digits are a log position; anything else
/// is an event id, looked up in the log.
fn resume_point(id: &str) -> Resume {
    if (1..=MAX_SEQ_DIGITS).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_digit())
        && let Ok(seq) = id.parse::<i64>()
    {
        return Resume::Seq(seq);
    }
    Resume::EventId(id.to_owned())
}

/// The handler.
pub async fn stream(
    State(state): State<AppState>,
    stopping: Option<Extension<Stopping>>,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Response, ApiError> {
    let (filter, heartbeat) = parse(&q)?;
    let last_id = match headers.get("last-event-id").map(|v| v.to_str()) {
        None => None,
        Some(Ok(v)) => Some(v.trim()).filter(|v| !v.is_empty()).map(str::to_owned),
        Some(Err(_)) => {
            return Err(ApiError::BadRequest(
                "Last-Event-ID is not visible ASCII; it is a log position or an event id".into(),
            ));
        }
    };
    let start = match (last_id, q.after) {
        (Some(id), _) => match resume_point(&id) {
            Resume::Seq(seq) => seq,
            Resume::EventId(event) => {
                let lookup = event.clone();
                on_store(&state.store, move |s| s.event_seq(&lookup))
                    .await?
                    .ok_or_else(|| {
                        ApiError::NotFound(format!("no logged event has the id `{event}`"))
                    })?
            }
        },
        (None, Some(after)) => after.max(0),
        (None, None) => on_store(&state.store, Store::last_event_seq).await?,
    };
    let stop = stopping.map(|Extension(Stopping(rx))| rx);
    let events = log_stream(state.store.clone(), filter, start, stop);
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::new().interval(heartbeat).text("heartbeat"))
        .into_response())
}

/// Where a stream is: its cursor and what it has read but not sent.
struct Tail {
    store: Store,
    filter: StreamFilter,
    cursor: i64,
    pending: VecDeque<LoggedEvent>,
    wake: tokio::sync::watch::Receiver<i64>,
    stop: Option<tokio::sync::watch::Receiver<bool>>,
}

/// Resolves once `stop` says the server is stopping; never without one.
async fn stopped(stop: &mut Option<tokio::sync::watch::Receiver<bool>>) {
    match stop {
        Some(rx) => {
            // A dropped sender means the server is gone too.
            let _ = rx.wait_for(|v| *v).await;
        }
        None => std::future::pending::<()>().await,
    }
}

/// The events of the log after `after` that pass `filter`, in log order, until `stop` flips.
pub fn log_stream(
    store: Store,
    filter: StreamFilter,
    after: i64,
    stop: Option<tokio::sync::watch::Receiver<bool>>,
) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static {
    let wake = store.watch_events();
    let tail = Tail {
        store,
        filter,
        cursor: after,
        pending: VecDeque::new(),
        wake,
        stop,
    };
    stream::unfold(tail, |mut t| async move {
        loop {
            if t.stop.as_ref().is_some_and(|rx| *rx.borrow()) {
                return None;
            }
            if let Some(e) = t.pending.pop_front() {
                return Some((Ok(to_sse(&e)), t));
            }
            // Mark the current value seen before reading, so an append during the read wakes
            // the next wait instead of being missed.
            t.wake.borrow_and_update();
            match read_after(&t.store, &t.filter, t.cursor).await {
                Ok((last, events)) => {
                    t.cursor = last;
                    if !events.is_empty() {
                        t.pending.extend(events);
                        continue;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "event stream: reading the log failed"),
            }
            tokio::select! {
                _ = stopped(&mut t.stop) => return None,
                changed = t.wake.changed() => {
                    if changed.is_err() {
                        // The store is gone: keep looking on the timer alone.
                        tokio::time::sleep(POLL).await;
                    }
                }
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    })
}

/// Up to [`BATCH`] log rows after `cursor` (types filtered in SQL): the new cursor
/// (the last row read, whether it passed the filter or not) and the rows that pass.
async fn read_after(
    store: &Store,
    filter: &StreamFilter,
    cursor: i64,
) -> Result<(i64, Vec<LoggedEvent>), ApiError> {
    let f = filter.clone();
    on_store(store, move |s| {
        let rows = s.events(&EventFilter {
            league: None,
            types: f.types.clone(),
            after_seq: Some(cursor),
            limit: Some(BATCH),
            ..EventFilter::default()
        })?;
        let last = rows.last().map_or(cursor, |r| r.seq);
        Ok((last, rows.into_iter().filter(|e| f.matches(e)).collect()))
    })
    .await
}

/// One SSE message: `id` = seq, `event` = type, `data` = the `scoreline events --json` row.
fn to_sse(e: &LoggedEvent) -> SseEvent {
    let row = super::query::to_json(std::slice::from_ref(e));
    let data = row["events"][0].to_string();
    SseEvent::default()
        .id(e.seq.to_string())
        .event(e.event.kind.as_str())
        .data(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use scoreline_core::events::Event;

    fn logged(seq: i64, league: &str, kind: EventType, teams: &[&str]) -> LoggedEvent {
        LoggedEvent {
            seq,
            event: Event {
                id: format!("e{seq}"),
                kind,
                game_id: "1".into(),
                league: league.into(),
                adapter: "espn".into(),
                time: Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap(),
                catch_up: false,
                teams: teams.iter().map(|t| (*t).to_owned()).collect(),
                data: serde_json::json!({}),
            },
        }
    }

    #[test]
    fn filters_match_leagues_types_and_teams_any_case() {
        let e = logged(1, "nhl", EventType::ScoreChanged, &["6", "BOS", "3", "NYR"]);
        assert!(StreamFilter::default().matches(&e));
        let f = |l: &[&str], t: &[&str], ty: &[EventType]| StreamFilter {
            leagues: l.iter().map(|s| (*s).to_owned()).collect(),
            teams: t.iter().map(|s| (*s).to_owned()).collect(),
            types: ty.to_vec(),
        };
        assert!(f(&["nfl", "nhl"], &[], &[]).matches(&e));
        assert!(!f(&["nfl"], &[], &[]).matches(&e));
        assert!(f(&[], &["bos"], &[]).matches(&e));
        assert!(f(&[], &["3"], &[EventType::ScoreChanged]).matches(&e));
        assert!(!f(&[], &["TOR"], &[]).matches(&e));
        assert!(!f(&[], &[], &[EventType::GameFinal]).matches(&e));
    }

    #[test]
    fn query_parsing_refuses_bad_types_and_heartbeats() {
        let q = |types: Option<&str>, hb: Option<u64>| StreamQuery {
            leagues: Some("nfl, nhl,".into()),
            teams: None,
            types: types.map(str::to_owned),
            after: None,
            heartbeat_secs: hb,
        };
        let (f, hb) = parse(&q(Some("score.changed,game.final"), None)).unwrap();
        assert_eq!(f.leagues, ["nfl", "nhl"]);
        assert_eq!(f.types, [EventType::ScoreChanged, EventType::GameFinal]);
        assert_eq!(hb, HEARTBEAT);
        assert!(parse(&q(Some("score.changd"), None)).is_err());
        assert!(parse(&q(None, Some(0))).is_err());
        assert_eq!(parse(&q(None, Some(2))).unwrap().1, Duration::from_secs(2));
    }

    #[test]
    fn last_event_id_is_a_log_position_or_an_event_id() {
        assert_eq!(resume_point("0"), Resume::Seq(0));
        assert_eq!(resume_point("42"), Resume::Seq(42));
        assert_eq!(
            resume_point("999999999999999999"),
            Resume::Seq(999_999_999_999_999_999)
        );
        for id in [
            "ev-nhl-305",
            "-1",
            "+5",
            "1000000000000000000",
            "4.5",
            "0f0f",
        ] {
            assert_eq!(resume_point(id), Resume::EventId(id.to_owned()), "{id}");
        }
    }
}
