//! The live event stream over loopback (`127.0.0.1:0`): a client reads part of the log,
//! disconnects, events are logged meanwhile, and it resumes with `Last-Event-ID` and gets every
//! event after the last one it saw, once, in order, then new ones as they are logged, and
//! heartbeats. Filters by league, team and type.

use chrono::{TimeZone, Utc};
use scoreline::http::state::AppState;
use scoreline_core::events::{Event, EventType};
use scoreline_store::Store;
use serde_json::Value;
use std::time::Duration;

/// A server on loopback over `store`; sending on (or dropping) the sender stops it.
async fn serve(
    store: &Store,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let (listener, addr) = scoreline::http::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(store.clone());
    let server = tokio::spawn(scoreline::http::serve(listener, state, async move {
        let _ = stopped.await;
    }));
    (format!("http://{addr}"), stop, server)
}

fn event(n: usize, league: &str, kind: EventType, teams: [&str; 2]) -> Event {
    Event {
        id: format!("ev-{league}-{n}"),
        kind,
        game_id: format!("g{}", n % 3),
        league: league.into(),
        adapter: "espn".into(),
        time: Utc.timestamp_opt(1_800_000_000 + n as i64, 0).unwrap(),
        catch_up: false,
        teams: teams.iter().map(|t| (*t).to_owned()).collect(),
        data: serde_json::json!({ "n": n }),
    }
}

fn nhl(n: usize) -> Event {
    let kind = if n.is_multiple_of(2) {
        EventType::ScoreChanged
    } else {
        EventType::PeriodStarted
    };
    event(n, "nhl", kind, ["6", "BOS"])
}

/// One SSE message: `id`, `event`, `data`, or a comment.
#[derive(Debug, Clone, PartialEq)]
enum Msg {
    Event { id: i64, kind: String, data: Value },
    Comment(String),
}

/// Reads SSE messages off a streaming response.
struct Reader {
    response: reqwest::Response,
    buf: String,
}

impl Reader {
    async fn open(url: &str, last_event_id: Option<&str>) -> Reader {
        let mut request = reqwest::Client::new().get(url);
        if let Some(id) = last_event_id {
            request = request.header("Last-Event-ID", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Reader {
            response,
            buf: String::new(),
        }
    }

    /// The next message, failing the test after 10 s.
    async fn next(&mut self) -> Msg {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut kind, mut data, mut comment) = (None, None, None, None);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ").or(line.strip_prefix("id:")) {
                        id = Some(v.parse::<i64>().unwrap());
                    } else if let Some(v) =
                        line.strip_prefix("event: ").or(line.strip_prefix("event:"))
                    {
                        kind = Some(v.to_owned());
                    } else if let Some(v) =
                        line.strip_prefix("data: ").or(line.strip_prefix("data:"))
                    {
                        data = Some(serde_json::from_str(v).unwrap());
                    } else if let Some(v) = line.strip_prefix(':') {
                        comment = Some(v.trim().to_owned());
                    }
                }
                return match (id, kind, data, comment) {
                    (Some(id), Some(kind), Some(data), _) => Msg::Event { id, kind, data },
                    (None, None, None, Some(c)) => Msg::Comment(c),
                    other => panic!("unexpected SSE block {block:?}: {other:?}"),
                };
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.response.chunk())
                .await
                .expect("an SSE message within 10 s")
                .unwrap()
                .expect("the stream stays open");
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    /// The next event, skipping heartbeats.
    async fn next_event(&mut self) -> (i64, String, Value) {
        loop {
            if let Msg::Event { id, kind, data } = self.next().await {
                return (id, kind, data);
            }
        }
    }
}

#[tokio::test]
async fn sse_resumes_after_a_disconnect_without_gap_or_duplicate() {
    let store = Store::open_in_memory().unwrap();
    let logged: Vec<Event> = (1..=5).map(nhl).collect();
    store.record_events(&logged).unwrap();
    let (base, stop, server) = serve(&store).await;
    let url = format!("{base}/api/v1/events/stream?heartbeat_secs=1");

    // Without Last-Event-ID (and no `after`) only new events come; `after=0` replays the log.
    let mut seen: Vec<i64> = Vec::new();
    let mut first = Reader::open(&format!("{url}&after=0"), None).await;
    for want in 1..=3 {
        let (id, kind, data) = first.next_event().await;
        assert_eq!(id, want);
        let e = &logged[want as usize - 1];
        assert_eq!(kind, e.kind.as_str());
        assert_eq!(data["seq"], want);
        assert_eq!(data["id"], e.id.as_str());
        assert_eq!(data["type"], e.kind.as_str());
        assert_eq!(data["game_id"], e.game_id.as_str());
        assert_eq!(data["league"], "nhl");
        assert_eq!(data["data"]["n"], want);
        seen.push(id);
    }
    // Disconnect mid-stream (4 and 5 were logged but not read), then more than a read batch is
    // logged while the client is away.
    drop(first);
    let away: Vec<Event> = (6..=305).map(nhl).collect();
    store.record_events(&away).unwrap();

    let mut again = Reader::open(&url, Some("3")).await;
    for _ in 4..=305 {
        let (id, _, data) = again.next_event().await;
        assert_eq!(data["seq"], id);
        assert_eq!(data["data"]["n"], id);
        seen.push(id);
    }
    // Live: events logged now arrive without a reconnect.
    store.record_events(&[nhl(306), nhl(307)]).unwrap();
    for _ in 0..2 {
        seen.push(again.next_event().await.0);
    }
    assert_eq!(
        seen,
        (1..=307).collect::<Vec<i64>>(),
        "no gap, no duplicate"
    );
    // Nothing more to send: a heartbeat comes within the 1 s interval.
    assert_eq!(again.next().await, Msg::Comment("heartbeat".into()));
    // An event id is a resume point too.
    let mut by_id = Reader::open(&url, Some("ev-nhl-305")).await;
    assert_eq!(by_id.next_event().await.0, 306);
    assert_eq!(by_id.next_event().await.0, 307);
    // A graceful shutdown ends the open streams instead of waiting on them.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while by_id.response.chunk().await.unwrap().is_some() {}
        while again.response.chunk().await.unwrap().is_some() {}
    })
    .await
    .expect("the streams end on shutdown");
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn sse_filters_by_league_team_and_type() {
    let store = Store::open_in_memory().unwrap();
    store
        .record_events(&[
            event(1, "nhl", EventType::ScoreChanged, ["6", "BOS"]),
            event(2, "nhl", EventType::ScoreChanged, ["3", "NYR"]),
            event(3, "nfl", EventType::ScoreChanged, ["6", "BOS"]),
            event(4, "nhl", EventType::GameFinal, ["6", "BOS"]),
            event(5, "nhl", EventType::GameFinal, ["6", "BOS"]),
            event(6, "nhl", EventType::PeriodStarted, ["6", "BOS"]),
        ])
        .unwrap();
    let (base, _stop, _server) = serve(&store).await;
    let mut r = Reader::open(
        &format!(
            "{base}/api/v1/events/stream?after=0&leagues=nhl&teams=bos&types=score.changed,game.final"
        ),
        None,
    )
    .await;
    let mut got = Vec::new();
    for _ in 0..3 {
        let (id, kind, _) = r.next_event().await;
        got.push((id, kind));
    }
    assert_eq!(
        got,
        [
            (1, "score.changed".to_owned()),
            (4, "game.final".to_owned()),
            (5, "game.final".to_owned())
        ]
    );
    // A later matching event still comes through after the non-matching ones.
    store
        .record_events(&[
            event(7, "nfl", EventType::GameFinal, ["6", "BOS"]),
            event(8, "nhl", EventType::ScoreChanged, ["6", "BOS"]),
        ])
        .unwrap();
    assert_eq!(r.next_event().await.0, 8);

    let bad = reqwest::get(format!("{base}/api/v1/events/stream?types=score.changd"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = serde_json::from_slice(&bad.bytes().await.unwrap()).unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("score.changd"),
        "{body}"
    );
    let unknown = reqwest::Client::new()
        .get(format!("{base}/api/v1/events/stream"))
        .header("Last-Event-ID", "no-such-event")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = serde_json::from_slice(&unknown.bytes().await.unwrap()).unwrap();
    assert_eq!(body["error"], "no logged event has the id `no-such-event`");
    let not_ascii = reqwest::Client::new()
        .get(format!("{base}/api/v1/events/stream"))
        .header(
            "Last-Event-ID",
            reqwest::header::HeaderValue::from_bytes(b"\xc2\x84").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(not_ascii.status(), 400);
}
