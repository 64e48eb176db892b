//! The event log: append-only, one row per event id, read in log order by consumers (the
//! `events` command, webhooks, the live stream) that keep `seq` as their cursor.

use super::error::{SqlContext, StoreError};
use super::points;
use crate::db::Store;
use chrono::DateTime;
use rusqlite::types::ToSql;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use scoreline_core::events::{Event, EventFilter, EventType, LoggedEvent};
use scoreline_core::influx::schema::{self, Policy};

impl Store {
    /// Append `events` in one transaction, skipping any whose id the log already holds (a
    /// re-poll, a restart or a replay). Returns the ones appended, with their positions.
    pub fn record_events(&self, events: &[Event]) -> Result<Vec<LoggedEvent>, StoreError> {
        const OP: &str = "record_events";
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .op(OP)?;
        let mut added = Vec::new();
        {
            let mut insert = tx
                .prepare_cached(
                    // Not `OR IGNORE`: a refused insert would still use up a `seq`, and
                    // consumers are promised positions without gaps from duplicates.
                    "INSERT INTO events
                         (id, type, league, adapter, game_id, time, catch_up, teams, data_json)
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
                     WHERE NOT EXISTS (SELECT 1 FROM events WHERE id = ?1)",
                )
                .op(OP)?;
            for e in events {
                let teams = serde_json::to_string(&e.teams).map_err(|err| encode_error(e, err))?;
                let data = serde_json::to_string(&e.data).map_err(|err| encode_error(e, err))?;
                let n = insert
                    .execute(params![
                        e.id,
                        e.kind.as_str(),
                        e.league,
                        e.adapter,
                        e.game_id,
                        e.time.timestamp_millis(),
                        e.catch_up,
                        teams,
                        data,
                    ])
                    .op(OP)?;
                if n == 1 {
                    added.push(LoggedEvent {
                        seq: tx.last_insert_rowid(),
                        event: e.clone(),
                    });
                }
            }
        }
        for l in &added {
            let p = [(Policy::Live, schema::event(&l.event, l.seq))];
            points::append(self, &tx, &l.event.id, &p, l.event.time.timestamp_millis())?;
        }
        tx.commit().op(OP)?;
        drop(conn);
        if let Some(last) = added.last() {
            // Wake the webhook worker and the live streams; they read the log after their own cursor, so none misses
            // an event however far behind it is.
            self.inner.events_committed.send_replace(last.seq);
        }
        Ok(added)
    }

    /// Changes whenever events are committed through this store (its value is the newest `seq`;
    /// read the log for the events themselves). Commits by another process are not seen.
    pub fn watch_events(&self) -> tokio::sync::watch::Receiver<i64> {
        self.inner.events_committed.subscribe()
    }

    /// Events matching `filter`, oldest first.
    pub fn events(&self, filter: &EventFilter) -> Result<Vec<LoggedEvent>, StoreError> {
        const OP: &str = "events";
        let mut sql = String::from(
            "SELECT seq, id, type, league, adapter, game_id, time, catch_up, teams, data_json
             FROM events WHERE 1 = 1",
        );
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(g) = &filter.game_id {
            sql.push_str(" AND game_id = ?");
            args.push(Box::new(g.clone()));
        }
        if let Some(l) = &filter.league {
            sql.push_str(" AND league = ?");
            args.push(Box::new(l.clone()));
        }
        if !filter.types.is_empty() {
            let marks = vec!["?"; filter.types.len()].join(", ");
            sql.push_str(&format!(" AND type IN ({marks})"));
            for t in &filter.types {
                args.push(Box::new(t.as_str()));
            }
        }
        if let Some(since) = filter.since {
            sql.push_str(" AND time >= ?");
            args.push(Box::new(since.timestamp_millis()));
        }
        if let Some(after) = filter.after_seq {
            sql.push_str(" AND seq > ?");
            args.push(Box::new(after));
        }
        sql.push_str(" ORDER BY seq");
        if let Some(limit) = filter.limit {
            sql.push_str(" LIMIT ?");
            args.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql).op(OP)?;
        let refs: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        type Raw = (
            i64,
            String,
            String,
            String,
            String,
            String,
            i64,
            bool,
            String,
            String,
        );
        let rows: Vec<Raw> = stmt
            .query_map(refs.as_slice(), |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                ))
            })
            .op(OP)?
            .collect::<Result<_, _>>()
            .op(OP)?;
        rows.into_iter()
            .map(
                |(seq, id, kind, league, adapter, game_id, time, catch_up, teams, data)| {
                    let corrupt = |message: String| StoreError::Corrupt {
                        what: "events",
                        key: format!("seq {seq}"),
                        message,
                    };
                    Ok(LoggedEvent {
                        seq,
                        event: Event {
                            kind: kind.parse::<EventType>().map_err(corrupt)?,
                            time: DateTime::from_timestamp_millis(time)
                                .ok_or_else(|| corrupt(format!("time {time} ms out of range")))?,
                            teams: serde_json::from_str(&teams)
                                .map_err(|e| corrupt(e.to_string()))?,
                            data: serde_json::from_str(&data)
                                .map_err(|e| corrupt(e.to_string()))?,
                            id,
                            league,
                            adapter,
                            game_id,
                            catch_up,
                        },
                    })
                },
            )
            .collect()
    }

    /// The log position of the event with id `id`, if the log holds it.
    pub fn event_seq(&self, id: &str) -> Result<Option<i64>, StoreError> {
        const OP: &str = "event_seq";
        let conn = self.conn();
        conn.prepare_cached("SELECT seq FROM events WHERE id = ?1")
            .op(OP)?
            .query_row(params![id], |r| r.get(0))
            .optional()
            .op(OP)
    }

    /// The last log position, 0 for an empty log.
    pub fn last_event_seq(&self) -> Result<i64, StoreError> {
        const OP: &str = "last_event_seq";
        let conn = self.conn();
        conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))
            .op(OP)
    }
}

fn encode_error(e: &Event, err: serde_json::Error) -> StoreError {
    StoreError::Corrupt {
        what: "events",
        key: e.id.clone(),
        message: format!("cannot encode: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn event(id: &str, kind: EventType, game: &str, secs: i64) -> Event {
        Event {
            id: id.into(),
            kind,
            game_id: game.into(),
            league: "nhl".into(),
            adapter: "espn".into(),
            time: Utc.timestamp_opt(1_800_000_000 + secs, 0).unwrap(),
            catch_up: false,
            teams: vec!["1".into(), "BOS".into(), "2".into(), "NYR".into()],
            data: serde_json::json!({ "home": 1, "away": 0 }),
        }
    }

    #[test]
    fn the_log_keeps_each_id_once_in_order_and_filters() {
        let store = Store::open_in_memory().unwrap();
        let a = event("a", EventType::GameStarted, "g1", 0);
        let b = event("b", EventType::ScoreChanged, "g1", 10);
        let c = event("c", EventType::ScoreChanged, "g2", 20);
        let added = store.record_events(&[a.clone(), b.clone()]).unwrap();
        assert_eq!(added.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2]);
        // A re-poll reports a and b again with c: only c is new.
        let added = store
            .record_events(&[a.clone(), b.clone(), c.clone()])
            .unwrap();
        assert_eq!(
            added,
            vec![LoggedEvent {
                seq: 3,
                event: c.clone()
            }]
        );
        assert_eq!(store.last_event_seq().unwrap(), 3);
        let all = store.events(&EventFilter::default()).unwrap();
        assert_eq!(
            all.iter().map(|l| l.event.clone()).collect::<Vec<_>>(),
            [a, b.clone(), c.clone()]
        );
        let f = EventFilter {
            types: vec![EventType::ScoreChanged],
            after_seq: Some(2),
            ..EventFilter::default()
        };
        assert_eq!(store.events(&f).unwrap()[0].event, c);
        let f = EventFilter {
            game_id: Some("g1".into()),
            since: Some(Utc.timestamp_opt(1_800_000_005, 0).unwrap()),
            limit: Some(5),
            ..EventFilter::default()
        };
        assert_eq!(store.events(&f).unwrap()[0].event, b);
    }
}
