//! Standard Webhooks signing and the message body. Pure.
//!
//! A message is `(webhook-id, webhook-timestamp, body)`; its signature is
//! `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")) where `key` is the bytes behind the
//! subscription's `whsec_` secret and `timestamp` is the attempt's Unix time in seconds.

use super::subscription::Secret;
use crate::events::Event;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

/// The three Standard Webhooks headers of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `webhook-id`: the message id, the same on every attempt.
    pub id: String,
    /// `webhook-timestamp`: Unix seconds of this attempt.
    pub timestamp: String,
    /// `webhook-signature`: `v1,<base64>`.
    pub signature: String,
}

/// The `webhook-signature` value of `body` sent as message `id` at `timestamp`.
pub fn signature(secret: &Secret, id: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length, so this cannot fail; an empty result would not verify.
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(secret.key()) else {
        return String::new();
    };
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The headers of one attempt at `now`.
pub fn sign(secret: &Secret, id: &str, now: DateTime<Utc>, body: &str) -> SignedHeaders {
    let ts = now.timestamp();
    SignedHeaders {
        id: id.to_owned(),
        timestamp: ts.to_string(),
        signature: signature(secret, id, ts, body),
    }
}

/// The body sent for `event`: `{"type", "timestamp", "data"}`. `timestamp` is the event's time
/// (RFC 3339, UTC); `data` is the event's own data (an object; anything else goes under `value`)
/// with `event_id`, `game_id`, `league`, `adapter`, `catch_up` and `teams` set from the event.
pub fn event_body(event: &Event) -> String {
    let mut data = match &event.data {
        Value::Object(m) => m.clone(),
        Value::Null => Map::new(),
        other => {
            let mut m = Map::new();
            m.insert("value".into(), other.clone());
            m
        }
    };
    data.insert("event_id".into(), json!(event.id));
    data.insert("game_id".into(), json!(event.game_id));
    data.insert("league".into(), json!(event.league));
    data.insert("adapter".into(), json!(event.adapter));
    data.insert("catch_up".into(), json!(event.catch_up));
    data.insert("teams".into(), json!(event.teams));
    body(event.kind.as_str(), event.time, Value::Object(data))
}

/// The type of the message `scoreline webhooks test` sends.
pub const TEST_TYPE: &str = "webhook.test";

/// The id and body of a test message to `subscription` at `now`.
pub fn test_message(subscription: &str, now: DateTime<Utc>) -> (String, String) {
    let id = format!("test_{}_{}", subscription, now.timestamp_millis());
    let data = json!({ "subscription": subscription, "message": "test message from scoreline" });
    (id, body(TEST_TYPE, now, data))
}

fn body(kind: &str, at: DateTime<Utc>, data: Value) -> String {
    // Field order as documented: type, timestamp, data.
    format!(
        "{{\"type\":{},\"timestamp\":{},\"data\":{}}}",
        json!(kind),
        json!(at.to_rfc3339_opts(SecondsFormat::Secs, true)),
        data
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::EventType;
    use chrono::TimeZone;

    #[test]
    fn signature_matches_the_spec_example() {
        // The Standard Webhooks reference test vector.
        let secret = Secret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(
            &secret,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn event_body_has_type_timestamp_and_data() {
        let e = Event {
            id: "ev1".into(),
            kind: EventType::ScoreChanged,
            game_id: "401".into(),
            league: "nhl".into(),
            adapter: "espn".into(),
            time: Utc.with_ymd_and_hms(2026, 11, 22, 20, 0, 0).unwrap(),
            catch_up: false,
            teams: vec!["1".into(), "BOS".into()],
            data: json!({ "home": 2, "away": 1 }),
        };
        assert_eq!(
            event_body(&e),
            r#"{"type":"score.changed","timestamp":"2026-11-22T20:00:00Z","data":{"adapter":"espn","away":1,"catch_up":false,"event_id":"ev1","game_id":"401","home":2,"league":"nhl","teams":["1","BOS"]}}"#
        );
        let (id, b) = test_message("a", e.time);
        assert_eq!(id, "test_a_1795377600000");
        assert_eq!(
            b,
            r#"{"type":"webhook.test","timestamp":"2026-11-22T20:00:00Z","data":{"message":"test message from scoreline","subscription":"a"}}"#
        );
    }
}
